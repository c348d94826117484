"""The composite score (综合绩效得分): weighted attainment of each indicator's target.

Normalisation (stated in config/indicators.yaml): each weighted indicator scores
min(1, value ÷ target) when higher is better, min(1, target ÷ value) when lower
is better; the score is Σ weight × attainment ÷ Σ weight over the indicators
that have a value for the unit, times 100. Published weights live in the
catalog; an analyst may pass other weights without changing them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xiaoneng.indicators import catalog


def published_weights() -> dict[str, float]:
    return {key: ind.weight for key, ind in catalog().items() if ind.weight}


def add_composite_score(values: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Adds ``composite_score`` (0–100) and ``contrib_<key>`` (points each indicator contributes)."""
    weights = {k: w for k, w in (weights or published_weights()).items() if w}
    cat = catalog()
    attainment = pd.DataFrame(
        {key: values[key].map(lambda v, ind=cat[key]: ind.attainment(None if pd.isna(v) else float(v)))
         for key in weights},
        index=values.index,
    ).astype("float64")
    weight_row = pd.Series(weights, dtype="float64")
    present_weight = attainment.notna().mul(weight_row, axis=1).sum(axis=1).replace(0, np.nan)
    contributions = attainment.mul(weight_row, axis=1).div(present_weight, axis=0) * 100
    out = values.copy()
    for key in weights:
        out[f"contrib_{key}"] = contributions[key]
    out["composite_score"] = contributions.sum(axis=1, min_count=1)
    return out


def add_rank(values: pd.DataFrame, column: str = "composite_score") -> pd.DataFrame:
    """Rank 1 = best; ties share the better rank."""
    out = values.copy()
    out["rank"] = out[column].rank(ascending=False, method="min").astype("Int64")
    return out

"""The indicator catalog (config/indicators.yaml) and the arithmetic that turns measures into values.

Every label, definition, unit, direction, target and composite weight comes from
the one YAML file; nothing else in the code names an indicator's formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from xiaoneng.paths import CONFIG_DIR

CATALOG_FILE = CONFIG_DIR / "indicators.yaml"
KINDS = ("count", "rate", "mean", "value")


@dataclass(frozen=True)
class Indicator:
    key: str
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str
    kind: str
    unit_zh: str
    unit_en: str
    better: str = "none"  # higher | lower | none
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    complement: bool = False
    decimals: int | None = None
    target: float | None = None
    weight: float = 0.0
    headline: bool = False

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def definition(self, lang: str = "zh") -> str:
        return self.definition_zh if lang == "zh" else self.definition_en

    def unit(self, lang: str = "zh") -> str:
        return self.unit_zh if lang == "zh" else self.unit_en

    @property
    def places(self) -> int:
        if self.decimals is not None:
            return self.decimals
        return 0 if self.kind == "count" else 1

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(m for m in (self.value, self.numerator, self.denominator) if m)

    def compute(self, measures: pd.DataFrame) -> pd.Series:
        """The indicator for each row of base measures (NaN where the denominator is 0 or missing)."""
        if self.kind in ("count", "value"):
            return measures[self.value].astype("float64")
        num = measures[self.numerator].astype("float64")
        den = measures[self.denominator].astype("float64").replace(0, np.nan)
        ratio = num / den
        if self.kind == "rate":
            ratio = ratio * 100
            if self.complement:
                ratio = 100 - ratio
        return ratio

    def format(self, value: float | None, lang: str = "zh", with_unit: bool = True) -> str:
        """Chinese conventions: percent with one decimal, counts with thousands separators."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            from xiaoneng.i18n import t  # the text catalog reads this module's catalog

            return t("kpi.no_value", lang)
        text = f"{value:,.{self.places}f}"
        if not with_unit:
            return text
        if self.unit_zh == "%":
            return text + "%"
        return f"{text} {self.unit(lang)}"

    def meets_target(self, value: float | None) -> bool | None:
        if self.target is None or value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.better == "lower":
            return value <= self.target
        if self.better == "higher":
            return value >= self.target
        return None

    def attainment(self, value: float | None) -> float | None:
        """Share of the target reached, capped at 1 (the composite score's normalisation)."""
        if self.target is None or value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.better == "higher":
            return 1.0 if self.target <= 0 else min(1.0, max(0.0, value / self.target))
        if self.better == "lower":
            return 1.0 if value <= self.target else (self.target / value if value > 0 else 1.0)
        return None


@dataclass(frozen=True)
class Rules:
    """The counting rules that are choices, not arithmetic (config/indicators.yaml, ``rules``)."""

    rectify_default_wd: int  # a bad review without a due time is due this many working days after verification
    min_cases: int  # below this many accepted cases a unit's rank carries 样本不足 and stays off the 红黑榜


@cache
def load_rules(path: Path = CATALOG_FILE) -> Rules:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or {}
    try:
        found = Rules(**raw)
    except TypeError as exc:
        raise ValueError(f"{path}: rules: {exc}") from exc
    for name in ("rectify_default_wd", "min_cases"):
        value = getattr(found, name)
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{path}: rules.{name} must be a whole number >= 0, got {value!r}")
    return found


def rules() -> Rules:
    return load_rules()


@cache
def load_catalog(path: Path = CATALOG_FILE) -> dict[str, Indicator]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["indicators"]
    catalog = {}
    for key, spec in raw.items():
        indicator = Indicator(key=key, **spec)
        if indicator.kind not in KINDS:
            raise ValueError(f"{path}: {key}: kind must be one of {KINDS}")
        if indicator.kind in ("count", "value") and not indicator.value:
            raise ValueError(f"{path}: {key}: a {indicator.kind} needs 'value'")
        if indicator.kind in ("rate", "mean") and not (indicator.numerator and indicator.denominator):
            raise ValueError(f"{path}: {key}: a {indicator.kind} needs 'numerator' and 'denominator'")
        catalog[key] = indicator
    return catalog


def catalog() -> dict[str, Indicator]:
    return load_catalog()


def headline_indicators() -> list[Indicator]:
    return [i for i in catalog().values() if i.headline]


def add_indicator_values(measures: pd.DataFrame) -> pd.DataFrame:
    """Measures plus one column per indicator (named by its key)."""
    # A count indicator may share its measure's name (cases_accepted): it then replaces it.
    return measures.assign(**{key: ind.compute(measures) for key, ind in catalog().items()})

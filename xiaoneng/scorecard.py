"""Data for the Scorecard page (绩效考核): composite score, rank, rank change and each indicator's
contribution per county or per department, and the ranks other weights would give.

The score is ``xiaoneng.scoring.add_composite_score`` over ``metrics.indicator_table``: the
published weights and targets of config/indicators.yaml unless an analyst passes others, which
are used for that call only (the catalog is never written). Functions take a SnapshotView, the
Filters and the UI language and return small DataFrames for ``session.cached``.
"""

from __future__ import annotations

import math

import pandas as pd

from xiaoneng.charts import point_customdata
from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.indicators import Indicator, catalog
from xiaoneng.metrics import SnapshotView, indicator_table, unit_names
from xiaoneng.scoring import add_composite_score, add_rank, published_weights

UNIT_KINDS = ("county", "dept")
# The unit's code column in metrics.indicator_table and the filter that names such units.
_CODE_COLUMN = {"county": "county_code", "dept": "dept_code"}
_FILTER_NAME = {"county": "counties", "dept": "departments"}
HOVER_WRAP = 30  # characters per line of a definition in a hover box

Weights = dict[str, float] | tuple[tuple[str, float], ...] | None


TEXT_SECTION = "scorecard_data.scorecard"  # this page's texts in xiaoneng/locales/*.yaml


def text(key: str, lang: str = "zh", **values) -> str:
    """A text of this page from the UI text catalog."""
    return t(f"{TEXT_SECTION}.{key}", lang, **values)


def weighted_indicators() -> list[Indicator]:
    """The indicators with a published weight, in catalog order."""
    weights = published_weights()
    return [ind for key, ind in catalog().items() if key in weights]


def _weights(weights: Weights) -> dict[str, float]:
    """Weights as a dict (tuples come through the cache); None means the published ones."""
    if weights is None:
        return published_weights()
    pairs = weights.items() if isinstance(weights, dict) else weights
    unknown = {k for k, _ in pairs} - set(catalog())
    if unknown:
        raise ValueError(f"no indicator {sorted(unknown)} in the catalog")
    return {k: float(w) for k, w in pairs if w and float(w) > 0}


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _wrap(text: str, width: int = HOVER_WRAP) -> str:
    return "<br>".join(text[i:i + width] for i in range(0, len(text), width))


def _target_text(ind: Indicator, lang: str) -> str:
    if ind.target is None or ind.better not in ("higher", "lower"):
        return t("kpi.no_target", lang)
    return t(f"kpi.target_{ind.better}", lang, target=ind.format(ind.target, lang))


def _scored(view: SnapshotView, filters: Filters, by: str, lang: str, weights: dict[str, float]) -> pd.DataFrame:
    """indicator_table scored with ``weights`` and ranked; one row per unit that has data."""
    table = indicator_table(view, filters, by=by, lang=lang)
    if weights != published_weights():
        stale = [c for c in table.columns if c.startswith("contrib_") or c in ("composite_score", "rank")]
        table = add_rank(add_composite_score(table.drop(columns=stale), weights))
    return table


def _narrowed(filters: Filters, by: str) -> Filters:
    """A unit is ranked among all its peers: the filter naming such units only highlights them."""
    return filters.without(_FILTER_NAME[by])


def _all_units(view: SnapshotView, by: str, lang: str) -> pd.DataFrame:
    counties, departments = unit_names(view, lang)
    names = counties if by == "county" else departments
    return pd.DataFrame({"unit_code": list(names), "unit_name": list(names.values())})


def scorecard(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "county",
              weights: Weights = None) -> pd.DataFrame:
    """Every county (or department) in the user's scope, best first.

    Columns: unit_code, unit_name, selected, rank, composite_score, lost_points (100 − score),
    previous_rank, previous_score, rank_change (previous rank − rank: positive = moved up),
    score_change, and per weighted indicator its value (``<key>``), its points
    (``contrib_<key>``) and a hover text (``hover_<key>``: value, target, points, definition).
    Units without any scored value come last, without rank.
    """
    if by not in UNIT_KINDS:
        raise ValueError(f"by must be one of {UNIT_KINDS}, got {by!r}")
    chosen = _weights(weights)
    if not chosen:
        raise ValueError("give at least one indicator a positive weight")
    code = _CODE_COLUMN[by]
    narrowed = _narrowed(filters, by)
    keys = list(chosen)
    now = _scored(view, narrowed, by, lang, chosen)
    before = _scored(view, narrowed.with_period(filters.period.previous()), by, lang, chosen)

    card = _all_units(view, by, lang)
    current = now[[code, "rank", "composite_score", *keys, *(f"contrib_{k}" for k in keys)]]
    card = card.merge(current.rename(columns={code: "unit_code"}), on="unit_code", how="left")
    previous = before[[code, "rank", "composite_score"]].rename(
        columns={code: "unit_code", "rank": "previous_rank", "composite_score": "previous_score"})
    card = card.merge(previous, on="unit_code", how="left")
    card["selected"] = card["unit_code"].isin(getattr(filters, _FILTER_NAME[by]))
    for column in ("rank", "previous_rank"):
        card[column] = card[column].astype("Int64")
    card["rank_change"] = (card["previous_rank"] - card["rank"]).astype("Int64")
    card["score_change"] = card["composite_score"] - card["previous_score"]
    card["lost_points"] = 100 - card["composite_score"]

    cat = catalog()
    for key in keys:
        ind = cat[key]
        card[f"hover_{key}"] = [
            _hover_text(ind, value, points, name, lang)
            for value, points, name in zip(card[key], card[f"contrib_{key}"], card["unit_name"], strict=True)
        ]
    card = card.sort_values(["composite_score", "unit_code"], ascending=[False, True], na_position="last")
    first = ["unit_code", "unit_name", "selected", "rank", "composite_score", "lost_points", "previous_rank",
             "previous_score", "rank_change", "score_change"]
    rest = [c for k in keys for c in (k, f"contrib_{k}", f"hover_{k}")]
    return card.reset_index(drop=True)[first + rest]


def _hover_text(ind: Indicator, value, points, unit_name: str, lang: str) -> str:
    value = None if _missing(value) else float(value)
    points_text = t("number.no_value", lang) if _missing(points) else f"{float(points):.1f}"
    return text("hover", lang, unit=unit_name, indicator=ind.label(lang), value=ind.format(value, lang),
             target=_target_text(ind, lang), points=points_text, definition=_wrap(ind.definition(lang)))


def rank_change_text(change, lang: str = "zh") -> str:
    """↑2 (moved up two places), ↓1, 持平 (same), — (no rank before or now)."""
    if _missing(change):
        return t("number.no_value", lang)
    change = int(change)
    if change == 0:
        return text("rank_same", lang)
    return ("↑" if change > 0 else "↓") + str(abs(change))


def scorecard_table(card: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The ranking as people read it: rank, unit, score, rank change and score change, one decimal."""
    places = 1
    out = pd.DataFrame({
        "rank": card["rank"],
        "unit_name": card["unit_name"],
        "composite_score": card["composite_score"].round(places),
        "rank_change": [rank_change_text(c, lang) for c in card["rank_change"]],
        "previous_rank": card["previous_rank"],
        "score_change": card["score_change"].round(places),
    })
    for ind in weighted_indicators():
        if ind.key in card:
            out[ind.key] = card[ind.key].round(ind.places)
    return out


def unit_breakdown(card: pd.DataFrame, unit_code: str, lang: str = "zh", weights: Weights = None) -> pd.DataFrame:
    """Why one unit scored what it did: per weighted indicator its value, target, attainment
    (capped at 100 %), weight, the points it could earn (its weight's share among the indicators
    the unit has a value for, × 100), the points it earned and the points it lost."""
    chosen = _weights(weights)
    row = card.set_index("unit_code").loc[unit_code]
    cat = catalog()
    present = sum(w for k, w in chosen.items() if not _missing(row.get(k)))
    rows = []
    for key, weight in chosen.items():
        ind = cat[key]
        value = None if _missing(row.get(key)) else float(row[key])
        attainment = ind.attainment(value)
        possible = 100 * weight / present if present and value is not None else None
        earned = None if _missing(row.get(f"contrib_{key}")) else float(row[f"contrib_{key}"])
        rows.append({
            "key": key,
            "indicator": ind.label(lang),
            "value": value,
            "value_text": ind.format(value, lang),
            "target_text": _target_text(ind, lang),
            "attainment_pct": None if attainment is None else 100 * attainment,
            "weight": weight,
            "possible_points": possible,
            "points": earned,
            "lost_points": None if possible is None or earned is None else possible - earned,
            "definition": ind.definition(lang),
        })
    frame = pd.DataFrame(rows)
    return frame.sort_values("lost_points", ascending=False, na_position="last").reset_index(drop=True)


def weight_comparison(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "county",
                      weights: Weights = None) -> pd.DataFrame:
    """Published ranks beside the ranks ``weights`` would give (the published config is untouched).

    Columns: unit_code, unit_name, selected, published_rank, published_score, trial_rank,
    trial_score, rank_difference (published rank − trial rank: positive = the unit would move up).
    Sorted by the trial rank. Without any positive weight there is no trial score.
    """
    if by not in UNIT_KINDS:
        raise ValueError(f"by must be one of {UNIT_KINDS}, got {by!r}")
    code = _CODE_COLUMN[by]
    narrowed = _narrowed(filters, by)
    published = _scored(view, narrowed, by, lang, published_weights())
    trial_weights = _weights(weights)
    frame = _all_units(view, by, lang)
    frame = frame.merge(published[[code, "rank", "composite_score"]].rename(
        columns={code: "unit_code", "rank": "published_rank", "composite_score": "published_score"}),
        on="unit_code", how="left")
    if trial_weights:
        trial = _scored(view, narrowed, by, lang, trial_weights)[[code, "rank", "composite_score"]]
        frame = frame.merge(trial.rename(columns={code: "unit_code", "rank": "trial_rank",
                                                  "composite_score": "trial_score"}), on="unit_code", how="left")
    else:
        frame["trial_rank"], frame["trial_score"] = pd.NA, float("nan")
    for column in ("published_rank", "trial_rank"):
        frame[column] = frame[column].astype("Int64")
    frame["rank_difference"] = (frame["published_rank"] - frame["trial_rank"]).astype("Int64")
    frame["selected"] = frame["unit_code"].isin(getattr(filters, _FILTER_NAME[by]))
    frame = frame.sort_values(["trial_rank", "published_rank", "unit_code"], na_position="last")
    return frame.reset_index(drop=True)[["unit_code", "unit_name", "selected", "published_rank", "published_score",
                                         "trial_rank", "trial_score", "rank_difference"]]


def weights_changed(weights: Weights) -> bool:
    """Whether ``weights`` differ from the published ones."""
    return _weights(weights) != published_weights()


def breakdown_summary(row: pd.Series, breakdown: pd.DataFrame, lang: str = "zh", top: int = 3) -> str:
    """One line for people: the unit's score and rank, the rank before, and where it lost most points."""
    previous = row.get("previous_rank")
    rank_before = (text("summary_no_previous", lang) if _missing(previous)
                   else text("summary_previous", lang, rank=int(previous), change=rank_change_text(row["rank_change"],
                                                                                                lang)))
    losing = breakdown[breakdown["lost_points"].fillna(0) >= 0.05].head(top)
    losses = text("separator", lang).join(
        text("summary_loss", lang, indicator=r.indicator, points=f"{r.lost_points:.1f}") for r in losing.itertuples())
    line = text("summary", lang, unit=row["unit_name"], score=f"{row['composite_score']:.1f}", rank=int(row["rank"]),
                previous=rank_before)
    return line + " " + (text("summary_losses", lang, losses=losses) if losses else text("summary_full", lang))


def comparison_table(comparison: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Published and trial ranks side by side, scores to one decimal, the difference as ↑/↓."""
    return pd.DataFrame({
        "unit_name": comparison["unit_name"],
        "published_rank": comparison["published_rank"],
        "published_score": comparison["published_score"].round(1),
        "trial_rank": comparison["trial_rank"],
        "trial_score": comparison["trial_score"].round(1),
        "rank_difference": [rank_change_text(d, lang) for d in comparison["rank_difference"]],
    })


def indicator_header(ind: Indicator, lang: str = "zh") -> str:
    """The column header of an indicator: its label, with the unit unless it is a percentage."""
    if ind.unit_zh == "%":
        return ind.label(lang)
    return text("with_unit", lang, label=ind.label(lang), unit=ind.unit(lang))


def scorecard_export(card: pd.DataFrame, by: str = "county", lang: str = "zh") -> pd.DataFrame:
    """``scorecard_table`` with the headers people read (for CSV / Excel downloads)."""
    table = scorecard_table(card, lang)
    headers = {"rank": text("rank", lang), "unit_name": text(f"unit_{by}", lang),
               "composite_score": text("score", lang), "rank_change": text("rank_change", lang),
               "previous_rank": text("previous_rank", lang), "score_change": text("score_change", lang)}
    headers |= {ind.key: indicator_header(ind, lang) for ind in weighted_indicators()}
    return table.rename(columns=headers)


def comparison_export(comparison: pd.DataFrame, by: str = "county", lang: str = "zh") -> pd.DataFrame:
    """``comparison_table`` with the headers people read (for CSV / Excel downloads)."""
    headers = {"unit_name": text(f"unit_{by}", lang)} | {
        c: text(c, lang) for c in ("published_rank", "published_score", "trial_rank", "trial_score", "rank_difference")}
    return comparison_table(comparison, lang).rename(columns=headers)


# ---------------------------------------------------------------- a click on the contribution chart

def unit_filters(filters: Filters, by: str) -> Filters:
    """The filters a unit is ranked under (and its cases listed under): the filter naming units of
    its kind only highlights them (``scorecard``), so it is dropped."""
    return _narrowed(filters, by)


def focus_from_point(point: dict) -> tuple[str, str | None] | None:
    """(unit code, indicator key) of a click on a segment of the contribution chart, whose
    customdata is [unit code, "contrib_<key>" or "lost", hover]; the points not earned name no
    indicator. None for a point without data."""
    data = point_customdata(point)
    if not data or data[0] in (None, ""):
        return None
    part = str(data[1]) if len(data) > 1 else ""
    key = part.removeprefix("contrib_")
    return str(data[0]), key if part.startswith("contrib_") and key in catalog() else None


def indicator_detail(breakdown: pd.DataFrame, key: str, lang: str = "zh") -> str:
    """One line (Markdown) on one indicator of ``unit_breakdown``: value against target, the points
    earned of those it could earn, and its definition."""
    row = breakdown.set_index("key").loc[key]

    def points(value) -> str:
        return t("number.no_value", lang) if _missing(value) else f"{float(value):.1f}"

    return t("crossfilter_more.scorecard.indicator_detail", lang, indicator=row["indicator"], value=row["value_text"],
             target=row["target_text"], points=points(row["points"]), possible=points(row["possible_points"]),
             definition=row["definition"])

"""Data for the Scorecard page (绩效考核): composite score, rank, rank change and each indicator's
contribution per county or per department, and the ranks other weights would give.

The score is ``xiaoneng.scoring.add_composite_score`` over ``metrics.indicator_table``: the
published weights and targets of config/indicators.yaml unless an analyst passes others, which
are used for that call only (the catalog is never written). Functions take a SnapshotView, the
Filters and the UI language and return small DataFrames for ``session.cached``.

The rules that go with a ranking (product.md §4) live here, for the pages, the meeting views and
the 通报 alike: a unit without case data in the period has no score and no rank (无数据); a unit
ranked on fewer accepted cases than ``rules.min_cases`` is ``small_base`` — 样本不足 beside its
rank (``rank_text``), never on the 红榜/黑榜 and never named best or worst (``listable``,
``red_and_black_lists``); the rank change compares with the same span of the previous period
(like for like) and is 无可比数据 when the snapshot does not cover that span.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from xiaoneng.charts import point_customdata
from xiaoneng.charts.convention import score_places
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import Indicator, catalog, rules
from xiaoneng.markup import escape_markdown
from xiaoneng.metrics import SnapshotView, indicator_table, unit_names
from xiaoneng.scoring import published_weights

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
    """indicator_table scored with ``weights`` and ranked (``metrics.scored_table``: no score and no
    rank without case data, ``small_base`` below the minimum); one row per unit that has data."""
    return indicator_table(view, filters, by=by, lang=lang, weights=weights)


def previous_span(view: SnapshotView, filters: Filters) -> Period:
    """The period a rank change compares with: the previous period, or while the period runs the same
    span of it (``Period.comparisons``)."""
    return filters.period.comparisons(view.as_of)[0]


def min_cases() -> int:
    """The fewest accepted cases a unit is listed on (config/indicators.yaml, rules.min_cases)."""
    return rules().min_cases


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

    Columns: unit_code, unit_name, selected, rank, small_base, composite_score, lost_points
    (100 − score), previous_rank, previous_score, rank_change (previous rank − rank: positive = moved
    up), score_change, previous_covered, and per weighted indicator its value (``<key>``), its points
    (``contrib_<key>``) and a hover text (``hover_<key>``: value, target, points, definition).
    Units without case data in the period come last, without score or rank (无数据). The previous
    ranking is the same span of the previous period (``previous_span``); when the snapshot does not
    cover it, ``previous_covered`` is False and no unit has a previous rank (无可比数据).
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
    span = previous_span(view, filters)
    covered = view.covers(span)

    card = _all_units(view, by, lang)
    current = now[[code, "rank", "small_base", "composite_score", *keys, *(f"contrib_{k}" for k in keys)]]
    card = card.merge(current.rename(columns={code: "unit_code"}), on="unit_code", how="left")
    card["small_base"] = card["small_base"].fillna(False).astype(bool)
    if covered:
        before = _scored(view, narrowed.with_period(span), by, lang, chosen)
        previous = before[[code, "rank", "composite_score"]].rename(
            columns={code: "unit_code", "rank": "previous_rank", "composite_score": "previous_score"})
        card = card.merge(previous, on="unit_code", how="left")
    else:  # a span the snapshot does not cover has no ranking to compare with (无可比数据), never 0
        card["previous_rank"], card["previous_score"] = pd.NA, float("nan")
    card["previous_covered"] = covered
    card["selected"] = card["unit_code"].isin(getattr(filters, _FILTER_NAME[by]))
    for column in ("rank", "previous_rank"):
        card[column] = card[column].astype("Int64")
    card["rank_change"] = (card["previous_rank"] - card["rank"]).astype("Int64")
    card["score_change"] = card["composite_score"] - card["previous_score"].astype("float64")
    card["lost_points"] = 100 - card["composite_score"]

    cat = catalog()
    for key in keys:
        ind = cat[key]
        card[f"hover_{key}"] = [
            _hover_text(ind, value, points, name, lang)
            for value, points, name in zip(card[key], card[f"contrib_{key}"], card["unit_name"], strict=True)
        ]
    card = card.sort_values(["composite_score", "unit_code"], ascending=[False, True], na_position="last")
    first = ["unit_code", "unit_name", "selected", "rank", "small_base", "composite_score", "lost_points",
             "previous_rank", "previous_score", "rank_change", "score_change", "previous_covered"]
    rest = [c for k in keys for c in (k, f"contrib_{k}", f"hover_{k}")]
    return card.reset_index(drop=True)[first + rest]


# What a published ranking carries (as a 通报 publishes it): never an indicator or its points.
PUBLISHED_COLUMNS = ("unit_code", "unit_name", "selected", "rank", "small_base", "composite_score", "previous_rank",
                     "rank_change", "score_change", "previous_covered")


def published_ranking(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "county") -> pd.DataFrame:
    """The ranking as a 通报 publishes it, best first: the columns ``PUBLISHED_COLUMNS`` of ``scorecard``.

    By county it is computed on the whole city, whatever the view's scope: a county user sees every
    county's composite score and rank (product.md §1) but, from here, nothing else of another county.
    This is the one place the scope is widened. By department the view's scope stays (a department's
    city-wide score would be made of other counties' cases). ``selected`` marks the units the
    filter names, or, without a county filter, a county user's own counties (``Scope.narrow``).
    The 红榜/黑榜 are ``red_and_black_lists`` of this frame."""
    city = SnapshotView(view.info) if by == "county" else view
    card = scorecard(city, view.scope.narrow(filters) if by == "county" else filters, lang, by=by)
    return card[list(PUBLISHED_COLUMNS)]


def ranking_with_breakdown(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "county") -> pd.DataFrame:
    """``published_ranking`` with, for the units in the view's scope only, what ``scorecard`` adds (each
    weighted indicator's value, points and hover text, the points lost); ``in_scope`` marks them.
    For a user of every county it is ``scorecard`` itself plus ``in_scope``."""
    own = scorecard(view, filters, lang, by=by)
    widened = by == "county" and view.scope.is_restricted
    published = published_ranking(view, filters, lang, by) if widened else own[list(PUBLISHED_COLUMNS)]
    detail = own.drop(columns=[c for c in PUBLISHED_COLUMNS if c != "unit_code"])
    out = published.merge(detail, on="unit_code", how="left")
    out["in_scope"] = out["unit_code"].isin(own["unit_code"])
    return out


def _hover_text(ind: Indicator, value, points, unit_name: str, lang: str) -> str:
    value = None if _missing(value) else float(value)
    points_text = t("number.no_value", lang) if _missing(points) else f"{float(points):.1f}"
    return text("hover", lang, unit=unit_name, indicator=ind.label(lang), value=ind.format(value, lang),
             target=_target_text(ind, lang), points=points_text, definition=_wrap(ind.definition(lang)))


def rank_change_text(change, lang: str = "zh") -> str:
    """↑2 (moved up two places), ↓1, 持平 (same), 无可比数据 (no rank to compare: none now, none in
    the previous span, or a previous span the snapshot does not cover)."""
    if _missing(change):
        return t("kpi.no_comparison", lang)
    change = int(change)
    if change == 0:
        return text("rank_same", lang)
    return ("↑" if change > 0 else "↓") + str(abs(change))


def rank_text(rank, small_base=False, lang: str = "zh") -> str:
    """"2", "2（样本不足）" for a unit ranked on a small base, 无数据 for a unit without a rank."""
    if _missing(rank):
        return t("kpi.no_value", lang)
    return text("rank_small", lang, rank=int(rank)) if bool(small_base) and not _missing(small_base) \
        else str(int(rank))


def unit_label(name: str, small_base=False, lang: str = "zh") -> str:
    """A unit's name with 样本不足 beside it when its base is small (chart labels)."""
    return text("name_small", lang, name=name) if bool(small_base) and not _missing(small_base) else str(name)


# ---------------------------------------------------------------- 红榜 / 黑榜 (one rule for every view)

def listable(card: pd.DataFrame) -> pd.Series:
    """The units a 红榜/黑榜 may name, and a 通报 may call best or worst: ranked, and not on a small base
    (样本不足: fewer accepted cases than rules.min_cases). A frame without ``small_base`` has none."""
    small = card["small_base"].fillna(False).astype(bool) if "small_base" in card else False
    return card["rank"].notna() & ~small


def red_and_black_lists(card: pd.DataFrame, size: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 红榜 (the ``size`` best listable units, best first) and the 黑榜 (the ``size`` worst, worst
    first) of a ``scorecard`` frame, with the units' ranks among all ranked units. Units on a small
    base are left off both (``listable``); a unit is never on both: with fewer than twice ``size``
    listable units the lists split them, and with fewer than two there are no lists."""
    ranked = card[listable(card)].sort_values(["rank", "unit_code"])
    size = min(size, len(ranked) // 2)
    red = ranked.head(size)
    black = ranked.tail(size).iloc[::-1]
    return red.reset_index(drop=True), black.reset_index(drop=True)


def scorecard_table(card: pd.DataFrame, lang: str = "zh", flags: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The ranking as people read it: rank (样本不足 beside it for a small base, 无数据 without one),
    unit, score, rank change (无可比数据 without a previous rank) and score change, one decimal;
    with ``flags`` (unit code → ``offenders.flag_text``; none flagged, no column) a 连续末位 column beside
    the unit."""
    places = score_places(card["composite_score"])
    out = pd.DataFrame({
        "rank": [rank_text(r, s, lang) for r, s in zip(card["rank"], card["small_base"], strict=True)],
        "unit_name": card["unit_name"],
        **({"repeat_offender": [flags.get(code, "") for code in card["unit_code"]]} if flags else {}),
        "composite_score": card["composite_score"].round(places),
        "rank_change": [rank_change_text(c, lang) for c in card["rank_change"]],
        "previous_rank": card["previous_rank"],
        "score_change": card["score_change"].astype("float64").round(places),
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
    """One line for people (Markdown, the name escaped): the unit's score and rank (样本不足 when its
    base is small), the rank in the previous span (无可比数据 when the snapshot does not cover it), and
    where it lost most points."""
    previous = row.get("previous_rank")
    if not _missing(previous):
        rank_before = text("summary_previous", lang, rank=int(previous), change=rank_change_text(row["rank_change"],
                                                                                              lang))
    elif not bool(row.get("previous_covered", True)):
        rank_before = text("summary_uncovered", lang)
    else:
        rank_before = text("summary_no_previous", lang)
    small = text("summary_small", lang, min=min_cases()) if bool(row.get("small_base", False)) else ""
    losing = breakdown[breakdown["lost_points"].fillna(0) >= 0.05].head(top)
    losses = text("separator", lang).join(
        text("summary_loss", lang, indicator=r.indicator, points=f"{r.lost_points:.1f}") for r in losing.itertuples())
    line = text("summary", lang, unit=escape_markdown(row["unit_name"]), score=f"{row['composite_score']:.1f}",
                rank=int(row["rank"]), small=small, previous=rank_before)
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


def scorecard_export(card: pd.DataFrame, by: str = "county", lang: str = "zh",
                     flags: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``scorecard_table`` with the headers people read (for CSV / Excel downloads)."""
    table = scorecard_table(card, lang, flags)
    headers = {"rank": text("rank", lang), "unit_name": text(f"unit_{by}", lang),
               "repeat_offender": t("offenders.column", lang),
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

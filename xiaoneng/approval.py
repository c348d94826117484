"""Data for the 审批时效 (Approval times) page: how long completed 承诺件 (items with a promised limit
of at least one working day; immediate items are measured by 即办率) took, per unit and per item
against their promised and legal limits, and the trace-back (倒查) of the cases not completed by their
deadline to the steps and posts that consumed the time.

Each data function takes a SnapshotView, the Filters and the UI language (plus hashable extras such as
``item_code``, the page's cross-filter) and returns a small DataFrame, so ``session.cached`` can keep
it. Table helpers turn those frames into what people read: headers in the UI language, number formats
and definitions from the indicator catalog. Nothing here imports Streamlit.

No data is not zero: for a period the snapshot has no data for (not begun at its moment, or before
its coverage: ``SnapshotView.has_begun``) every function returns nothing — no rows, a summary of
nothing — never the open cases of today counted into a month to come.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, unit_names

UNIT_KINDS = ("dept", "county")  # the unit chart's toggle; "item" is the limits chart's unit
TRACE_KINDS = ("step", "post")
SLOWEST_ITEMS = 15  # items in the limits chart (one row each: more would not be legible)
# Items with fewer completed cases are left out of the slowest-items ranking when any item has this
# many: one unlucky case should not put an item on a leader's list.
MIN_COMPLETED_FOR_RANKING = 5
TOP_POSTS = 10
HISTOGRAM_MIN_TAIL = 10  # the last bar ("≥ N") never starts below this many working days
HISTOGRAM_TAIL_QUANTILE = 0.99  # days beyond the 99th percentile share one bar, so the long tail stays legible


def _bounds(view: SnapshotView, filters: Filters) -> dict:
    return filters.period.bounds(view.as_of)


def has_data(view: SnapshotView, filters: Filters) -> bool:
    """The snapshot holds data for the period (it has begun and lies within the coverage)."""
    return view.has_begun(filters.period)


def narrowed(filters: Filters, unit_kind: str | None, unit_code: str | None) -> Filters:
    """The filters narrowed to one clicked department or county (the unit chart's cross-filter)."""
    if not unit_code or unit_kind not in UNIT_KINDS:
        return filters
    field = "departments" if unit_kind == "dept" else "counties"
    return replace(filters, **{field: (unit_code,)})


# ---------------------------------------------------------------- distribution and summary

def elapsed_distribution(view: SnapshotView, filters: Filters, lang: str = "zh",
                         item_code: str | None = None) -> pd.DataFrame:
    """承诺件 completed in the period, counted per elapsed working days (``elapsed_wd``, ``cases``)."""
    frame = view.layer.run("elapsed_distribution", filters, item_code=item_code, **_bounds(view, filters))
    if not has_data(view, filters):
        frame = frame.iloc[0:0]
    return frame.astype({"elapsed_wd": "int64", "cases": "int64"})


def histogram_bins(distribution: pd.DataFrame, min_tail: int = HISTOGRAM_MIN_TAIL,
                   tail_quantile: float = HISTOGRAM_TAIL_QUANTILE) -> pd.DataFrame:
    """One bar per working day up to the tail, then one bar for every longer case.

    Returns ``elapsed_wd`` (the bar's first day), ``cases``, ``is_tail``. The tail starts after the
    ``tail_quantile`` of the cases (at least at ``min_tail``), so a few cases of 200 days do not
    squeeze the bulk of the histogram into one corner.
    """
    if distribution.empty:
        return pd.DataFrame({"elapsed_wd": pd.Series(dtype="int64"), "cases": pd.Series(dtype="int64"),
                             "is_tail": pd.Series(dtype="bool")})
    dist = distribution.sort_values("elapsed_wd")
    cumulative = dist["cases"].cumsum() / dist["cases"].sum()
    at_quantile = int(dist.loc[cumulative >= tail_quantile, "elapsed_wd"].iloc[0])
    tail = max(min_tail, at_quantile + 1)
    days = np.arange(0, min(tail, int(dist["elapsed_wd"].max()) + 1))
    counts = dist.set_index("elapsed_wd")["cases"]
    bins = pd.DataFrame({"elapsed_wd": days, "cases": counts.reindex(days, fill_value=0).to_numpy(),
                         "is_tail": False})
    beyond = int(counts[counts.index >= tail].sum())
    if beyond:
        bins = pd.concat([bins, pd.DataFrame({"elapsed_wd": [tail], "cases": [beyond], "is_tail": [True]})])
    return bins.astype({"elapsed_wd": "int64", "cases": "int64", "is_tail": "bool"}).reset_index(drop=True)


def elapsed_summary(view: SnapshotView, filters: Filters, lang: str = "zh",
                    item_code: str | None = None) -> pd.DataFrame:
    """One row for the whole selection: 承诺件 completed (``completed``), their mean / median / P90
    elapsed working days; the 按期办结率 (``on_time_rate``: of the cases due in the period, those
    completed by their deadline), its base ``due_cases`` and misses ``late_cases`` (due and not
    completed by the deadline — the trace-back's cases); the 办结件按时率
    (``completion_on_time_rate``) and its base ``completed_with_deadline``.

    Column names are the catalog's indicator keys, so the page labels, formats and explains each
    number from config/indicators.yaml; the values equal ``metrics.indicator_table``'s for the same
    filters (tests/test_approval.py checks that). A period without data gives a row of nothing:
    zero counts and no values (``has_data`` False).
    """
    bounds = _bounds(view, filters)
    measured = has_data(view, filters)
    times = view.layer.run("elapsed_by_unit", filters, item_code=item_code, by_item=False, by_dept=False,
                           by_county=False, **bounds)
    items = view.layer.run("item_limits", filters, item_code=item_code, **bounds)
    if not measured:
        times, items = times.iloc[0:0], items.iloc[0:0]
    row = times.iloc[0] if len(times) else pd.Series(dtype="object")

    def number(key: str) -> float | None:
        value = row.get(key)
        return None if value is None or pd.isna(value) else float(value)

    def total(key: str) -> int:
        return int(items[key].sum())

    count = int(row.get("elapsed_wd_count", 0) or 0)
    summary = pd.DataFrame([{
        "completed": int(row.get("completed", 0) or 0),
        "avg_elapsed_wd": (number("elapsed_wd_sum") / count) if count else None,
        "median_elapsed_wd": number("elapsed_wd_median"),
        "p90_elapsed_wd": number("elapsed_wd_p90"),
        "due_cases": total("due_cases"),
        "due_on_time": total("due_on_time"),
        "late_cases": total("due_cases") - total("due_on_time"),
        "completed_with_deadline": total("completed_with_deadline"),
        "completed_on_time": total("completed_on_time"),
        "open_overdue": total("open_overdue"),
    }])
    summary["on_time_rate"] = catalog()["on_time_rate"].compute(summary)
    summary["completion_on_time_rate"] = catalog()["completion_on_time_rate"].compute(summary)
    summary["has_data"] = measured and bool(len(items) or count)
    return summary


def summary_is_empty(summary: pd.DataFrame) -> bool:
    """Nothing to show: no 承诺件 completed and no case due in the selection (or no data at all)."""
    row = summary.iloc[0]
    return not bool(row["has_data"]) or (int(row["completed"]) == 0 and int(row["due_cases"]) == 0)


SUMMARY_INDICATORS = ("avg_elapsed_wd", "median_elapsed_wd", "p90_elapsed_wd", "on_time_rate")


def summary_cards(summary: pd.DataFrame, lang: str = "zh") -> list[dict[str, str]]:
    """The page's headline numbers as cards: ``label``, ``value`` (text, with its unit) and ``help``
    (definition). A value that cannot be computed says 无数据, never 0. English labels are long: the
    page lays the cards out in two rows there (``SUMMARY_CARDS_PER_ROW``)."""
    row = summary.iloc[0]
    measured = bool(row["has_data"])
    no_value = t("kpi.no_value", lang)

    def count(key: str) -> str:
        return f"{int(row[key]):,}" if measured else no_value

    cards = [{"label": t("approval.completed", lang), "value": count("completed"),
              "help": t("approval.completed_help", lang)}]
    for key in SUMMARY_INDICATORS:
        ind = catalog()[key]
        value = None if pd.isna(row[key]) else float(row[key])
        cards.append({"label": ind.label(lang), "value": ind.format(value, lang), "help": ind.definition(lang)})
    cards.append({"label": t("approval.late_cases", lang), "value": count("late_cases"),
                  "help": t("approval.late_cases_help", lang)})
    return cards


# Cards per row: six Chinese cards fit one row at 1920 px; the English labels and units need two rows.
SUMMARY_CARDS_PER_ROW = {"zh": 6, "en": 3}


# ---------------------------------------------------------------- by unit

def elapsed_by_unit(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "dept",
                    item_code: str | None = None) -> pd.DataFrame:
    """Per department, county or item: ``unit_code``, ``unit_name``, ``completed`` (承诺件) and the
    mean, median, P90 and maximum elapsed working days, slowest (highest P90) first."""
    if by not in (*UNIT_KINDS, "item"):
        raise ValueError(f"by must be dept, county or item, got {by!r}")
    frame = view.layer.run("elapsed_by_unit", filters, item_code=item_code, by_item=by == "item",
                           by_dept=by == "dept", by_county=by == "county", **_bounds(view, filters))
    if not has_data(view, filters):
        frame = frame.iloc[0:0]
    code_col = {"dept": "dept_code", "county": "county_code", "item": "item_code"}[by]
    if by == "item":
        names = dict(zip(frame["item_code"], frame["item_name_zh"], strict=True))
    else:
        counties, departments = unit_names(view, lang)
        names = departments if by == "dept" else counties
    out = pd.DataFrame({
        "unit_code": frame[code_col].astype(str),
        "unit_name": frame[code_col].map(lambda c: names.get(c, c)),
        "completed": frame["completed"].astype("int64"),
        "avg_elapsed_wd": frame["elapsed_wd_mean"].astype("float64"),
        "median_elapsed_wd": frame["elapsed_wd_median"].astype("float64"),
        "p90_elapsed_wd": frame["elapsed_wd_p90"].astype("float64"),
        "max_elapsed_wd": frame["elapsed_wd_max"].astype("Int64"),
    })
    out = out.sort_values(["p90_elapsed_wd", "median_elapsed_wd", "unit_code"], ascending=[False, False, True],
                          na_position="last")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- items against their limits

def item_limits(view: SnapshotView, filters: Filters, lang: str = "zh",
                item_code: str | None = None) -> pd.DataFrame:
    """Per item handled in the period: actual mean / median / P90 elapsed working days against the
    promised and legal limits, the 按期办结率 (catalog definition: ``due_on_time`` ÷ ``due_cases``),
    the red lights at the state time and the volume.

    ``p90_over_promised_wd`` = P90 − promised limit: how far the slow cases of an item run past its
    promise, the order of the slowest-items ranking.
    """
    frame = view.layer.run("item_limits", filters, item_code=item_code, **_bounds(view, filters))
    if not has_data(view, filters):
        frame = frame.iloc[0:0]
    _, departments = unit_names(view, lang)
    out = pd.DataFrame({
        "item_code": frame["item_code"].astype(str),
        "item_name": frame["item_name_zh"].fillna(frame["item_code"]).astype(str),
        "dept_code": frame["dept_code"],
        "dept_name": frame["dept_code"].map(lambda d: departments.get(d, d)),
        "item_type": frame["item_type"],
        "promised_limit_wd": frame["promised_limit_wd"].astype("Int64"),
        "legal_limit_wd": frame["legal_limit_wd"].astype("Int64"),
        "cases_accepted": frame["cases_accepted"].astype("int64"),
        "completed": frame["completed"].astype("int64"),
        "completed_with_deadline": frame["completed_with_deadline"].astype("int64"),
        "completed_on_time": frame["completed_on_time"].astype("int64"),
        "due_cases": frame["due_cases"].astype("int64"),
        "due_on_time": frame["due_on_time"].astype("int64"),
        "open_overdue": frame["open_overdue"].astype("int64"),
        "avg_elapsed_wd": frame["elapsed_wd_mean"].astype("float64"),
        "median_elapsed_wd": frame["elapsed_wd_median"].astype("float64"),
        "p90_elapsed_wd": frame["elapsed_wd_p90"].astype("float64"),
    })
    out["on_time_rate"] = catalog()["on_time_rate"].compute(out)
    out["p90_over_promised_wd"] = out["p90_elapsed_wd"] - out["promised_limit_wd"].astype("float64")
    return out


def slowest_items(items: pd.DataFrame, n: int = SLOWEST_ITEMS,
                  min_completed: int = MIN_COMPLETED_FOR_RANKING) -> pd.DataFrame:
    """The ``n`` items whose P90 runs furthest past their promised limit (then by median, volume).

    Only items with at least ``min_completed`` completed cases are ranked, unless none has that
    many (a small selection): then every item with a completed case is.
    """
    timed = items[(items["completed"] > 0) & items["p90_elapsed_wd"].notna()]
    eligible = timed[timed["completed"] >= min_completed]
    if eligible.empty:
        eligible = timed
    key = eligible.assign(_excess=eligible["p90_over_promised_wd"].fillna(eligible["p90_elapsed_wd"]))
    ranked = key.sort_values(["_excess", "median_elapsed_wd", "completed", "item_code"],
                             ascending=[False, False, False, True])
    return ranked.drop(columns="_excess").head(n).reset_index(drop=True)


# ---------------------------------------------------------------- trace-back (倒查)

def late_step_trace(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "step",
                    item_code: str | None = None) -> pd.DataFrame:
    """Where the 按期办结率's misses (due in the period, not completed by the deadline) spent their
    time: per step name (``by="step"``) or per post (``"post"``) —
    ``late_cases`` holding it, ``step_wd_total`` working days, ``step_limit_wd_total``,
    ``over_limit_wd_total`` (days beyond each step's limit), ``cases_over_limit`` (late cases in
    which it exceeded its limit), ``within_limit_wd_total``, ``late_cases_total`` (all late cases of the
    selection) and ``late_cases_with_steps`` (those with step records); most days over first.
    """
    if by not in TRACE_KINDS:
        raise ValueError(f"by must be one of {TRACE_KINDS}, got {by!r}")
    frame = view.layer.run("late_case_steps", filters, item_code=item_code, by_step=by == "step",
                           by_post=by == "post", **_bounds(view, filters))
    if not has_data(view, filters):
        frame = frame.iloc[0:0]
    _, departments = unit_names(view, lang)
    label = frame["step_name"] if by == "step" else frame["handler_post"]
    out = pd.DataFrame({
        "label": label.fillna(t("approval.trace.unknown_post", lang)).astype(str),
        "dept_code": frame["dept_code"],
        "dept_name": frame["dept_code"].map(lambda d: departments.get(d, d) if isinstance(d, str) else None),
        "late_cases": frame["late_cases"].astype("int64"),
        "steps": frame["steps"].astype("int64"),
        "step_wd_total": frame["step_wd_total"].fillna(0).astype("int64"),
        "step_limit_wd_total": frame["step_limit_wd_total"].fillna(0).astype("int64"),
        "over_limit_wd_total": frame["over_limit_wd_total"].fillna(0).astype("int64"),
        "cases_over_limit": frame["cases_over_limit"].astype("int64"),
        "late_cases_total": frame["late_cases_total"].astype("int64"),
        "late_cases_with_steps": frame["late_cases_with_steps"].astype("int64"),
    })
    out["within_limit_wd_total"] = out["step_wd_total"] - out["over_limit_wd_total"]
    return out.sort_values(["over_limit_wd_total", "step_wd_total", "label"], ascending=[False, False, True],
                           ignore_index=True)


def top_posts(posts: pd.DataFrame, n: int = TOP_POSTS) -> pd.DataFrame:
    """The ``n`` posts with the most working days over their step limits (posts that kept within
    every limit are not a finding and are left out)."""
    return posts[posts["over_limit_wd_total"] > 0].head(n).reset_index(drop=True)


# ---------------------------------------------------------------- tables for people

@dataclass(frozen=True)
class ColumnSpec:
    """How the page shows one column: its header, printf-style number format and hover definition."""

    header: str
    format: str | None = None
    help: str | None = None


def _indicator_column(key: str, lang: str) -> ColumnSpec:
    ind = catalog()[key]
    if ind.unit_zh == "%":
        return ColumnSpec(ind.label(lang), f"%.{ind.places}f%%", ind.definition(lang))
    unit = f"（{ind.unit(lang)}）" if lang == "zh" else f" ({ind.unit(lang)})"
    return ColumnSpec(ind.label(lang) + unit, f"%.{ind.places}f", ind.definition(lang))


def _text_column(key: str, lang: str, fmt: str | None = None) -> ColumnSpec:
    help_key = f"approval.help.{key}"
    return ColumnSpec(t(f"approval.col.{key}", lang), fmt, t(help_key, lang))


_INDICATOR_COLUMNS = ("avg_elapsed_wd", "median_elapsed_wd", "p90_elapsed_wd", "on_time_rate")


def table_spec(columns: list[str], lang: str = "zh") -> dict[str, ColumnSpec]:
    """Column → how to show it: catalog indicators take the catalog's label, unit, decimals and
    definition; the page's own measures (limits, days over limit …) the text catalog's."""
    integer = "%d"
    formats = {"completed": integer, "cases_accepted": integer, "max_elapsed_wd": integer,
               "promised_limit_wd": integer, "legal_limit_wd": integer, "p90_over_promised_wd": "%.1f",
               "late_cases": integer, "step_wd_total": integer, "step_limit_wd_total": integer,
               "over_limit_wd_total": integer, "cases_over_limit": integer, "open_overdue": integer}
    spec = {}
    for column in columns:
        if column in _INDICATOR_COLUMNS:
            spec[column] = _indicator_column(column, lang)
        else:
            spec[column] = _text_column(column, lang, formats.get(column))
    return spec


UNIT_TABLE_COLUMNS = ["unit_name", "completed", "median_elapsed_wd", "p90_elapsed_wd", "avg_elapsed_wd"]
ITEM_TABLE_COLUMNS = ["item_name", "dept_name", "completed", "median_elapsed_wd", "p90_elapsed_wd",
                      "promised_limit_wd", "legal_limit_wd", "p90_over_promised_wd", "on_time_rate",
                      "open_overdue"]
# the days over limit first: that is what the table is read for
POST_TABLE_COLUMNS = ["label", "dept_name", "over_limit_wd_total", "cases_over_limit", "late_cases",
                      "step_wd_total", "step_limit_wd_total"]


def people_table(frame: pd.DataFrame, columns: list[str], lang: str = "zh",
                 unit_header: str | None = None) -> tuple[pd.DataFrame, dict[str, ColumnSpec]]:
    """``frame``'s ``columns`` renamed to their headers, and each header's ColumnSpec
    (``unit_header`` names the first, label column when it depends on the view, e.g. 部门 / 区县)."""
    spec = table_spec(columns, lang)
    if unit_header:
        first = columns[0]
        spec[first] = replace(spec[first], header=unit_header)
    shown = frame[columns].rename(columns={c: s.header for c, s in spec.items()}).reset_index(drop=True)
    return shown, {s.header: s for s in spec.values()}


def format_days(value: float | None, lang: str = "zh", places: int = 1) -> str:
    """A duration as the page writes it: "4.5 工作日" / "4.5 working days"; 无数据 when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("kpi.no_value", lang)
    return f"{value:,.{places}f} {catalog()['median_elapsed_wd'].unit(lang)}"

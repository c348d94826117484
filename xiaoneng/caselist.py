"""Drill-through: the cases behind a count, as a paged list an analyst can read and export.

A ``CaseSelection`` names one count of ``queries/indicator_measures.sql`` (``subset``) and
optionally narrows it to a county, department, item, a step or post the case went through, or
an age band of the backlog. ``queries/case_list.sql`` applies each measure's own filter, so the
list of a number always holds exactly that many cases (``MEASURE_OF_SUBSET`` says which
measure; tests/test_caselist.py checks every one on the hand-counted fixture). ``SUBSET_OF_INDICATOR``
names the list behind each indicator made of cases (its misses), ``BASE_SUBSET_OF_INDICATOR`` the
list of its base; the drill-throughs of every page take them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.metrics import SnapshotView

# Subsets in the order a user picks them, and the measure of indicator_measures.sql each one lists.
# None: a difference of two measures (see subset_count_from_measures and DIFFERENCE_OF_SUBSET).
MEASURE_OF_SUBSET: dict[str, str | None] = {
    "open_overdue": "open_overdue",
    "open_yellow": "open_yellow",
    "open": "open_at_end",
    "due_missed": None,  # 按期办结率's misses: due in the period, not completed by the deadline
    "due": "due_cases",
    "due_on_time": "due_on_time",
    "late": None,  # completed in the period after the deadline (办结件按时率's misses)
    "completed": "completed",
    "on_time": "completed_on_time",
    "untimed": None,  # completed in the period without a deadline
    "promised_completed": "promised_completed",
    "early": "completed_early",
    "immediate_due": "immediate_due",
    "immediate_same_day": "immediate_same_day",
    "immediate_missed": None,  # 即办率's misses
    "accepted": "cases_accepted",
    "online": "cases_online",
    "channel_known": "cases_channel_known",
    "no_deadline": "cases_no_deadline",
}
# The subsets that are differences: (measure, minus measure).
DIFFERENCE_OF_SUBSET: dict[str, tuple[str, str]] = {
    "due_missed": ("due_cases", "due_on_time"),
    "late": ("completed_with_deadline", "completed_on_time"),
    "untimed": ("completed", "completed_with_deadline"),
    "immediate_missed": ("immediate_due", "immediate_same_day"),
}
SUBSETS = tuple(MEASURE_OF_SUBSET)
OPEN_SUBSETS = ("open", "open_overdue", "open_yellow")

# The cases behind each indicator made of cases (a drill-through from a number): for a rate, its
# misses — the cases that keep it from 100 % (or, for a lower-better count, the cases counted) —
# so the list explains the gap; for a duration, the cases it is measured on. Indicators of
# reviews, surveys and tasks, the items' promise compression and the composite score have none.
SUBSET_OF_INDICATOR: dict[str, str] = {
    "cases_accepted": "accepted",
    "avg_elapsed_wd": "promised_completed",
    "median_elapsed_wd": "promised_completed",
    "p90_elapsed_wd": "promised_completed",
    "on_time_rate": "due_missed",
    "completion_on_time_rate": "late",
    "open_overdue": "open_overdue",
    "open_yellow": "open_yellow",
    "immediate_rate": "immediate_missed",
    "early_completion_rate": "early",
    "online_rate": "online",
    "rating_coverage": "completed",
}
# The base (denominator) of each rate as a subset: the list holds as many cases as the rate's base.
BASE_SUBSET_OF_INDICATOR: dict[str, str] = {
    "on_time_rate": "due",
    "completion_on_time_rate": "completed",
    "immediate_rate": "immediate_due",
    "early_completion_rate": "promised_completed",
    "online_rate": "channel_known",
    "rating_coverage": "completed",
}

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000  # a download holds at most this many cases (the page says so)

# Columns of case_page's frame, in display order; their headers are supervision.col.<name>.
# The timing comes early, so a red list's days over are seen without scrolling sideways.
CASE_COLUMNS = ("case_id", "item_code", "item_name", "county_name", "dept_name", "status", "deadline_at",
                "wd_over", "wd_left", "elapsed_wd", "accepted_at", "completed_at", "on_time", "channel", "steps")


@dataclass(frozen=True)
class CaseSelection:
    """Which cases to list: one count (``subset``) of the filtered period, optionally narrowed.

    ``age_min_wd`` / ``age_max_wd`` bound the working days an open case had been open at the
    period's state time (backlog aging; only open cases have an age).
    """

    subset: str
    county_code: str | None = None
    dept_code: str | None = None
    item_code: str | None = None
    step_name: str | None = None
    handler_post: str | None = None
    age_min_wd: int | None = None
    age_max_wd: int | None = None

    def __post_init__(self):
        if self.subset not in MEASURE_OF_SUBSET:
            raise ValueError(f"subset must be one of {SUBSETS}, got {self.subset!r}")

    def query_params(self) -> dict[str, object]:
        return {
            "subset": self.subset, "county_code": self.county_code or None, "dept_code": self.dept_code or None,
            "item_code": self.item_code or None, "step_name": self.step_name or None,
            "handler_post": self.handler_post or None, "age_min_wd": self.age_min_wd, "age_max_wd": self.age_max_wd,
        }


def run_case_list(view: SnapshotView, filters: Filters, selection: CaseSelection, limit: int,
                  offset: int = 0) -> pd.DataFrame:
    """The raw rows of queries/case_list.sql (codes, flags, steps as a list) with ``total_rows``;
    none for a period the snapshot has no data for (its numbers say 无数据: nothing is behind them)."""
    frame = view.layer.run("case_list", filters, **filters.period.bounds(view.as_of), **selection.query_params(),
                           limit_rows=int(limit), offset_rows=int(offset))
    return frame if view.has_begun(filters.period) else frame.iloc[0:0]


def selection_total(view: SnapshotView, filters: Filters, selection: CaseSelection) -> int:
    """How many cases the selection holds."""
    frame = run_case_list(view, filters, selection, limit=1)
    return int(frame["total_rows"].iloc[0]) if len(frame) else 0


def subset_count_from_measures(measures: pd.Series, subset: str) -> int:
    """The count a subset lists, from one row of indicator_measures (the traceability check). A
    count without data (null: no case data for the unit or period) lists nothing."""
    def count(name: str) -> int:
        value = measures[name]
        return 0 if pd.isna(value) else int(value)

    if subset not in MEASURE_OF_SUBSET:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    measure = MEASURE_OF_SUBSET[subset]
    if measure is not None:
        return count(measure)
    minuend, subtrahend = DIFFERENCE_OF_SUBSET[subset]
    return count(minuend) - count(subtrahend)


def indicator_selection(indicator: str, county: str | None = None, dept: str | None = None,
                        base: bool = False) -> CaseSelection | None:
    """The cases behind ``indicator`` (its misses, or with ``base`` the cases it is counted over)
    for one county and/or department, or None when the indicator is not made of cases."""
    subset = (BASE_SUBSET_OF_INDICATOR if base else SUBSET_OF_INDICATOR).get(indicator)
    return None if subset is None else CaseSelection(subset, county_code=county or None, dept_code=dept or None)


def format_steps(steps, lang: str = "zh") -> str:
    """"受理 0 → 审核 5（时限2）→ 决定 1": each step's working days, its limit only where it was exceeded."""
    if steps is None or len(steps) == 0:
        return ""
    parts = []
    for step in steps:
        used, limit = step.get("used_wd"), step.get("limit_wd")
        name = step.get("step_name") or ""
        if used is None or pd.isna(used):
            parts.append(name)
        elif limit is not None and not pd.isna(limit) and used > limit:
            parts.append(t("supervision.steps_over", lang, step=name, used=int(used), limit=int(limit)))
        else:
            parts.append(t("supervision.steps_used", lang, step=name, used=int(used)))
    return " → ".join(parts)


def _status(row: dict) -> str:
    if row["is_open"]:
        return f"open_{row['light']}" if row["light"] in ("red", "yellow") else "open"
    if row["status"] in ("completed", "denied"):
        if row["status"] == "denied":
            return "denied"
        if pd.isna(row["on_time"]):
            return "completed_untimed"
        return "completed_on_time" if row["on_time"] else "completed_late"
    return row["status"]


def tidy_cases(raw: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The analyst's columns (CASE_COLUMNS) from case_list.sql's rows, names and labels in ``lang``."""
    suffix = "zh" if lang == "zh" else "en"
    out = pd.DataFrame({
        "case_id": raw["case_id"],
        "item_code": raw["item_code"],
        "item_name": raw["item_name"],
        "county_name": raw[f"county_name_{suffix}"].fillna(raw["county_name_zh"]).fillna(raw["county_code"]),
        "dept_name": raw[f"dept_name_{suffix}"].fillna(raw["dept_name_zh"]).fillna(raw["dept_code"]),
        "channel": [t(f"channel.{c}", lang) for c in raw["channel"]],
        "status": [t(f"supervision.status.{_status(r)}", lang) for r in raw.to_dict("records")],
        "accepted_at": raw["accepted_at"].dt.floor("s"),
        "completed_at": raw["completed_at"].dt.floor("s"),
        "deadline_at": raw["deadline_at"].dt.floor("s"),
        "elapsed_wd": raw["elapsed_wd"].astype("Int64"),
        "on_time": raw["on_time"].astype("boolean"),
        "wd_left": raw["wd_left"].astype("Int64"),
        "wd_over": raw["wd_over"].astype("Int64"),
        "steps": [format_steps(s, lang) for s in raw["steps"]],
    })
    return out[list(CASE_COLUMNS)].reset_index(drop=True)


def case_page(view: SnapshotView, filters: Filters, selection: CaseSelection, page: int = 1,
              page_size: int = PAGE_SIZE, lang: str = "zh") -> tuple[pd.DataFrame, int]:
    """One page (1-based) of the selection's cases in CASE_COLUMNS, and the selection's total."""
    page = max(1, int(page))
    raw = run_case_list(view, filters, selection, limit=page_size, offset=(page - 1) * page_size)
    if len(raw):
        total = int(raw["total_rows"].iloc[0])
    else:
        total = 0 if page == 1 else selection_total(view, filters, selection)
    return tidy_cases(raw, lang), total


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, -(-int(total) // int(page_size)))


def case_table(cases: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``case_page``'s frame for people and files: headers from the text catalog, 是/否 for on time."""
    out = cases.copy()
    if "on_time" in out:
        yes, no = t("supervision.answer_yes", lang), t("supervision.answer_no", lang)
        out["on_time"] = out["on_time"].map(lambda v: "" if pd.isna(v) else (yes if v else no)).astype(object)
    return out.rename(columns={c: t(f"supervision.col.{c}", lang) for c in out.columns})

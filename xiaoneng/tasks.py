"""Data for the Supervised-tasks page (督办): on-time completion of the tasks due in the period by
department and by source, and the tasks overdue at the state time with their days over.

Each public function takes a SnapshotView, the Filters and the UI language and returns a small
DataFrame for ``xiaoneng.session.cached``. The rate is the catalog's task_on_time_rate made from
the measures queries/task_completion.sql returns (tasks_on_time ÷ tasks_due), so it equals the
Overview's and the scorecard's value for the same filters. A task is due in the period when its due
day lies in it and has closed by the state time (a due time is the close of its day); it is on
time when completed before that close. A period the snapshot has no data for (not begun at its
moment, or before its coverage) gives nothing: no rows, no overdue task (无数据).
"""

from __future__ import annotations

import pandas as pd

from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, unit_names
from xiaoneng.schema import TASK_SOURCES

RATE_KEY = "task_on_time_rate"
# Outcomes of a task due by the state time, in the order the chart stacks them: open and
# overdue first (red, from zero, comparable at a glance), then late, then on time.
OUTCOMES = ("tasks_open_overdue", "tasks_late", "tasks_on_time")
COUNT_COLUMNS = ("tasks_due", "tasks_on_time", "tasks_late", "tasks_open_overdue", "tasks_not_yet_due")
GROUPINGS = {"total": None, "dept": "dept_code", "source": "source", "county": "county_code"}


def has_data(view: SnapshotView, filters: Filters) -> bool:
    """The snapshot holds data for the period (it has begun and lies within the coverage)."""
    return view.has_begun(filters.period)


def source_name(source: str, lang: str = "zh") -> str:
    return t(f"tasks.source_{source}", lang) if source in TASK_SOURCES else source


def task_completion(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "dept",
                    source: str | None = None) -> pd.DataFrame:
    """Tasks due in the period (by the state time) per department, source or county (``by``), or
    one row for the whole selection (``by="total"``): code, name, the counts of COUNT_COLUMNS and
    task_on_time_rate (%). Groups are ordered worst rate first; groups with only tasks not yet
    due come last, without a rate. ``source`` keeps only the tasks of that source (a source is
    not one of the global filters: the page's cross-filter narrows to it)."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {list(GROUPINGS)}, got {by!r}")
    frame = view.layer.run("task_completion", filters, **filters.period.bounds(view.as_of),
                           by_dept=by == "dept", by_source=by == "source" or source is not None,
                           by_county=by == "county")
    if not has_data(view, filters):
        frame = frame.iloc[0:0]
    if source is not None:
        frame = frame[frame["source"] == source]
    if by == "total":
        if frame.empty:  # nothing due in the selection: one row of zeros, no rate
            frame = pd.DataFrame([dict.fromkeys(frame.columns, 0)])
        frame = frame.assign(code=None, name=t("tasks.all", lang))
    else:
        code_col = GROUPINGS[by]
        frame = frame.rename(columns={code_col: "code"})
        if by == "source":
            names = {s: source_name(s, lang) for s in frame["code"]}
        else:
            county_names, dept_names = unit_names(view, lang)
            names = dept_names if by == "dept" else county_names
        frame["name"] = frame["code"].map(names).fillna(frame["code"])
    for col in COUNT_COLUMNS:
        frame[col] = frame[col].fillna(0).astype("int64")
    frame[RATE_KEY] = catalog()[RATE_KEY].compute(frame)
    frame = frame.sort_values([RATE_KEY, "tasks_open_overdue", "code"], ascending=[True, False, True],
                              na_position="last")
    return frame.reset_index(drop=True)[["code", "name", *COUNT_COLUMNS, RATE_KEY]]


def nothing_to_show(total: pd.DataFrame, overdue: pd.DataFrame) -> bool:
    """No task fell due or falls due in the period and none is overdue: 无数据, not a row of zeros."""
    row = total.iloc[0]
    return int(row["tasks_due"]) == 0 and int(row["tasks_not_yet_due"]) == 0 and overdue.empty


def overdue_tasks(view: SnapshotView, filters: Filters, lang: str = "zh", source: str | None = None) -> pd.DataFrame:
    """Tasks not completed and past their due time at the state time (whenever they fell due),
    longest overdue first, with names for the county, department and source; only the tasks of
    ``source`` when one is given."""
    state_at = filters.period.bounds(view.as_of)["state_at"]
    frame = view.layer.run("overdue_tasks", filters, state_at=state_at)
    if not has_data(view, filters):
        frame = frame.iloc[0:0]
    if source is not None:
        frame = frame[frame["source"] == source].reset_index(drop=True)
    county_names, dept_names = unit_names(view, lang)
    frame = frame.assign(
        county_name=frame["county_code"].map(county_names).fillna(frame["county_code"]),
        dept_name=frame["dept_code"].map(dept_names).fillna(frame["dept_code"]),
        source_name=[source_name(s, lang) for s in frame["source"]],
    )
    frame["wd_over"] = frame["wd_over"].astype("Int64")
    for column in ("assigned_at", "due_at", "completed_at"):
        frame[column] = pd.to_datetime(frame[column])
    frame["days_over"] = frame["days_over"].astype("int64")
    return frame[["task_id", "title", "source", "source_name", "county_code", "county_name", "dept_code",
                  "dept_name", "assigned_at", "due_at", "completed_at", "days_over", "wd_over"]]


# ---------------------------------------------------------------- cross-filter

def valid_source(source: object) -> str | None:
    """A source clicked in the by-source chart, if it is one a task can have (the department clicked
    is the page's cross-filter, xiaoneng.crossfilter; the source is the page's own focus)."""
    return source if source in TASK_SOURCES else None


# ---------------------------------------------------------------- tables for people (page and downloads)

def rate_header(lang: str = "zh") -> str:
    """The rate's column header with its unit, from the catalog: "督办按时完成率（%）"."""
    ind = catalog()[RATE_KEY]
    return f"{ind.label(lang)}（{ind.unit(lang)}）" if lang == "zh" else f"{ind.label(lang)} ({ind.unit(lang)})"


def completion_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``task_completion`` with headers in ``lang``."""
    table = pd.DataFrame({t("tasks.column_name", lang): frame["name"]})
    for column, key in (("tasks_due", "due"), ("tasks_on_time", "on_time"), ("tasks_late", "late"),
                        ("tasks_open_overdue", "open_overdue"), ("tasks_not_yet_due", "not_yet_due")):
        table[t(f"tasks.{key}", lang)] = frame[column]
    table[rate_header(lang)] = frame[RATE_KEY].round(catalog()[RATE_KEY].places)
    return table


def overdue_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``overdue_tasks`` with headers in ``lang``, the columns an analyst reads."""
    columns = {"task_id": "column_task_id", "title": "column_title", "source_name": "column_source",
               "county_name": "column_county", "dept_name": "column_dept", "assigned_at": "column_assigned",
               "due_at": "column_due", "completed_at": "column_completed", "days_over": "column_days_over",
               "wd_over": "column_wd_over"}
    if frame["completed_at"].isna().all():
        # only a past state time can show a later completion: otherwise the column is empty
        del columns["completed_at"]
    table = frame[list(columns)].rename(columns={c: t(f"tasks.{k}", lang) for c, k in columns.items()})
    return table.reset_index(drop=True)

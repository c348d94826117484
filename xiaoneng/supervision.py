"""Data for the 按时办结与监察 page (On-time & live supervision): the two on-time rates month by
month — 按期办结率 (of the cases due, those completed by their deadline) and 办结件按时率 (of the
completions with a deadline, those on time) —, open cases with red and yellow lights at the state
time, the aging of the backlog, the cases without a deadline (无时限件), and the page's
cross-filter (a click on a chart narrows the others and opens the cases behind it).

Every function that feeds a chart takes a SnapshotView, the Filters and the UI language and
returns a small DataFrame (``session.cached`` keeps it). The counts use the definitions of
``queries/indicator_measures.sql``; the drill-through lists (``xiaoneng.caselist``) hold the same
cases, which tests/test_supervision.py checks. A period the snapshot has no data for (not begun
at its moment, or before its coverage) gives no rows and no values (无数据), never today's lights.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from xiaoneng.caselist import OPEN_SUBSETS, SUBSETS, CaseSelection
from xiaoneng.charts import point_customdata
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, headline, measures, unit_names
from xiaoneng.overview import change_text, format_change
from xiaoneng.periodnotes import comparison_text

ON_TIME = "on_time_rate"
RATES = ("on_time_rate", "completion_on_time_rate")  # the trend's two rates (a switch on the page)
# Each rate's base and numerator in on_time_trend's columns, and the cases a click on a month lists
# (the rate's misses).
RATE_MEASURES = {"on_time_rate": ("due_on_time", "due_cases"),
                 "completion_on_time_rate": ("completed_on_time", "completed_with_deadline")}
MISSES_OF_RATE = {"on_time_rate": "due_missed", "completion_on_time_rate": "late"}
KPI_KEYS = ("on_time_rate", "completion_on_time_rate", "open_overdue", "open_yellow")
# Base measures shown as cards next to the catalog's (not indicators: counted, not judged)
COUNT_CARDS = ("open_at_end", "cases_no_deadline")
TREND_MONTHS = 12  # the trend shows at least the year up to the selected period
TREND_BY = ("total", "county", "dept")
# More lines are unreadable: past these, the units with the lowest rate in the period are kept
# (a city has about ten counties, which all fit; it has twenty-odd departments).
TREND_MAX_LINES = {"total": 1, "county": 10, "dept": 8}
# Upper bounds (working days) of the backlog's age buckets: 0–5, 6–10, 11–20, > 20.
AGE_BOUNDS_WD = (5, 10, 20)
LIGHTS = ("red", "yellow", "green")
SUBSET_OF_LIGHT = {"red": "open_overdue", "yellow": "open_yellow", "green": "open"}
TREND_COUNTS = ("due_cases", "due_on_time", "completed", "completed_with_deadline", "completed_on_time")


def has_data(view: SnapshotView, filters: Filters) -> bool:
    """The snapshot holds data for the period (it has begun and lies within the coverage)."""
    return view.has_begun(filters.period)


# ---------------------------------------------------------------- KPIs

def _count(row: pd.Series | None, key: str) -> int | None:
    """A base count of a measures row, None where there is no case data (无数据)."""
    if row is None or not bool(row.get("has_cases")) or pd.isna(row[key]):
        return None
    return int(row[key])


def kpi_cards(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """The two on-time rates, the red and yellow counts, the open cases and the cases without a
    deadline (无时限件), with their change on the previous period (环比), like for like: a running
    period is compared with the same span of the previous one (Period.comparisons). A number
    without data is None (its text 无数据) and has no change; a change against a period the
    snapshot does not cover, or without a value, says 无可比数据. The two base counts are not
    catalog indicators: formatted like the red count (件), their change is not coloured."""
    previous_period, _ = filters.period.comparisons(view.as_of)
    covered = view.covers(previous_period)
    rows = []
    for hv in headline(view, filters, list(KPI_KEYS)):
        ind = hv.indicator
        delta, _ = change_text(hv, hv.previous, lang)
        delta = comparison_text(hv.value, hv.previous, covered, delta, lang)
        flat = delta is None or not delta.startswith(("+", "-"))
        rows.append({
            "key": ind.key, "label": ind.label(lang), "value": hv.value, "value_text": ind.format(hv.value, lang),
            "delta_text": delta,
            "delta_color": "off" if flat else {"higher": "normal", "lower": "inverse"}.get(ind.better, "off"),
            "delta_arrow": "off" if flat else "auto", "help": ind.definition(lang),
        })
    count = catalog()["open_overdue"]
    now = measures(view, filters).iloc[0]
    before = measures(view, filters.with_period(previous_period)).iloc[0] if covered else None
    for key in COUNT_CARDS:
        value, earlier = _count(now, key), _count(before, key)
        delta = None
        if value is not None and earlier is not None:
            delta = format_change(count, (value - earlier) / earlier * 100, True, lang) if earlier else \
                format_change(count, float(value - earlier), False, lang)
        delta = comparison_text(value, earlier, covered, delta, lang)
        flat = delta is None or not delta.startswith(("+", "-"))
        rows.append({
            "key": key, "label": t(f"supervision.kpi_{key}", lang), "value": None if value is None else float(value),
            "value_text": count.format(value, lang), "delta_text": delta, "delta_color": "off",
            "delta_arrow": "off" if flat else "auto", "help": t(f"supervision.kpi_{key}_help", lang),
        })
    return pd.DataFrame(rows)


def cards_empty(cards: pd.DataFrame) -> bool:
    """No card has a value: the selection holds no case data for the period (无数据)."""
    return bool(cards["value"].isna().all())


# ---------------------------------------------------------------- on-time rate over time

def trend_window(period: Period, as_of: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) month starts: the months of the period (up to the snapshot), and at least the
    TREND_MONTHS months ending with it, so a single month is seen against its year."""
    last_day = min(period.end, as_of.date())
    end = dt.date(last_day.year, last_day.month, 1)
    earliest = dt.date(period.start.year, period.start.month, 1)
    back = end.year * 12 + end.month - 1 - (TREND_MONTHS - 1)
    start = min(earliest, dt.date(back // 12, back % 12 + 1, 1))
    end_next = dt.date(end.year + end.month // 12, end.month % 12 + 1, 1)
    return dt.datetime.combine(start, dt.time()), dt.datetime.combine(end_next, dt.time())


def _with_rates(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    cat = catalog()
    for key in RATES:
        frame[key] = cat[key].compute(frame)
        frame[f"{key}_text"] = [cat[key].format(None if pd.isna(v) else float(v), lang) for v in frame[key]]
    return frame


def on_time_trend(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "total") -> pd.DataFrame:
    """One row per month (and county or department): the two rates' measures and the rates.

    Every month of the window begun by the snapshot's moment has a row per unit shown (zero counts,
    no rate — a gap in the line, not a fall to 0 — when nothing fell due or was completed). ``by``
    = total | county | dept; with more than TREND_MAX_LINES units, the ones with the lowest
    按期办结率 in the selected period are kept. Columns: month_start, month, unit_code, unit_name,
    TREND_COUNTS, on_time_rate, on_time_rate_text, completion_on_time_rate,
    completion_on_time_rate_text. A period without data gives no rows.
    """
    if by not in TREND_BY:
        raise ValueError(f"by must be one of {TREND_BY}, got {by!r}")
    start, end = trend_window(filters.period, view.as_of)
    frame = view.layer.run("on_time_trend", filters, trend_start=start, trend_end=end, snapshot_at=view.snapshot_at,
                           by_county=by == "county", by_dept=by == "dept")
    if not has_data(view, filters):
        frame = frame.iloc[0:0]
    counties, depts = unit_names(view, lang)
    names = {"county": counties, "dept": depts}.get(by, {"": t("supervision.trend_all", lang)})
    unit_col = {"county": "county_code", "dept": "dept_code"}.get(by)
    frame["unit_code"] = frame[unit_col] if unit_col else ""
    frame = frame.drop(columns=["county_code", "dept_code"])
    units = list(dict.fromkeys(frame["unit_code"]))
    if len(units) > TREND_MAX_LINES[by]:
        units = _lowest_rate_units(frame, filters.period, TREND_MAX_LINES[by])
    months = pd.date_range(start, min(end - dt.timedelta(days=1), view.as_of), freq="MS")
    grid = pd.MultiIndex.from_product([months, units], names=["month_start", "unit_code"]).to_frame(index=False)
    counts = list(TREND_COUNTS)
    frame["month_start"] = pd.to_datetime(frame["month_start"]).astype(grid["month_start"].dtype)
    frame = grid.merge(frame, on=["month_start", "unit_code"], how="left")
    frame[counts] = frame[counts].fillna(0).astype("int64")
    frame["month"] = [f"{m:%Y-%m}" for m in frame["month_start"]]
    frame["unit_name"] = frame["unit_code"].map(names).fillna(frame["unit_code"])
    columns = ["month_start", "month", "unit_code", "unit_name", *counts,
               *(c for key in RATES for c in (key, f"{key}_text"))]
    return _with_rates(frame, lang)[columns]


def _lowest_rate_units(frame: pd.DataFrame, period: Period, keep: int) -> list[str]:
    months = pd.to_datetime(frame["month_start"])
    in_period = frame[(months >= pd.Timestamp(period.start)) & (months <= pd.Timestamp(period.end))]
    if in_period.empty:
        in_period = frame
    sums = in_period.groupby("unit_code")[["due_on_time", "due_cases"]].sum()
    sums = sums[sums["due_cases"] > 0]
    rate = (sums["due_on_time"] / sums["due_cases"]).sort_values(kind="stable")
    return list(rate.index[:keep])


def trend_caption(by: str, shown: int, lang: str = "zh", rate: str = ON_TIME) -> str:
    ind = catalog()[rate]
    text = t(f"supervision.trend_caption_{rate}", lang, target=ind.format(ind.target, lang))
    if by != "total" and shown >= TREND_MAX_LINES[by]:
        text += " " + t(f"supervision.trend_lowest_{by}", lang, count=TREND_MAX_LINES[by])
    return text


def trend_has_rates(trend: pd.DataFrame, rate: str = ON_TIME) -> bool:
    """Some month of the trend has a value of ``rate`` (something fell due, or was completed)."""
    return bool(len(trend)) and bool(trend[RATE_MEASURES[rate][1]].sum() > 0)


# ---------------------------------------------------------------- red and yellow lights

def state_time(view: SnapshotView, filters: Filters) -> dt.datetime:
    """When the lights are read (exclusive): the end of the period — midnight after its last day —
    or the snapshot's moment if earlier (periodnotes.state_time_text writes it for people)."""
    return filters.period.bounds(view.as_of)["state_at"]


def light_counts(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """Open cases at the state time per department: open_at_end, open_overdue (red), open_yellow,
    open_green, max_wd_over; departments with a red or yellow case first (most red first)."""
    frame = view.layer.run("open_case_lights", filters, **filters.period.bounds(view.as_of),
                           by_county=False, by_dept=True)
    if not has_data(view, filters):
        frame = frame.iloc[0:0]
    _, depts = unit_names(view, lang)
    frame = frame.drop(columns=["county_code"])
    frame.insert(1, "dept_name", frame["dept_code"].map(depts).fillna(frame["dept_code"]))
    frame["max_wd_over"] = frame["max_wd_over"].astype("Int64")
    frame = frame.sort_values(["open_overdue", "open_yellow", "dept_code"], ascending=[False, False, True])
    return frame.reset_index(drop=True)


def light_totals(lights: pd.DataFrame) -> dict[str, int]:
    """Open, red and yellow cases over all departments of ``light_counts``."""
    return {c: int(lights[c].sum()) for c in ("open_at_end", "open_overdue", "open_yellow", "open_green")}


def lit_departments(lights: pd.DataFrame) -> pd.DataFrame:
    """The departments that have a red or yellow case (what the chart draws)."""
    return lights[(lights["open_overdue"] + lights["open_yellow"]) > 0].reset_index(drop=True)


# ---------------------------------------------------------------- backlog aging

def age_bucket_bounds(bucket: int, bounds: tuple[int, ...] = AGE_BOUNDS_WD) -> tuple[int, int | None]:
    """(min, max) working days of a bucket (max None for the last, open-ended one)."""
    low = 0 if bucket == 0 else bounds[bucket - 1] + 1
    high = bounds[bucket] if bucket < len(bounds) else None
    return low, high


def age_bucket_label(bucket: int, lang: str = "zh", bounds: tuple[int, ...] = AGE_BOUNDS_WD) -> str:
    low, high = age_bucket_bounds(bucket, bounds)
    if high is None:
        return t("supervision.age_over", lang, low=low - 1)
    return t("supervision.age_range", lang, low=low, high=high)


def backlog_aging(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """Open cases at the state time by working days open, one row per bucket (empty ones too):
    age_bucket, label, open_cases, open_overdue, open_yellow, open_green, max_open_wd."""
    frame = view.layer.run("backlog_aging", filters, **filters.period.bounds(view.as_of),
                           age_bounds_wd=list(AGE_BOUNDS_WD))
    if not has_data(view, filters):
        frame = frame.iloc[0:0]
    buckets = pd.DataFrame({"age_bucket": range(len(AGE_BOUNDS_WD) + 1)})
    frame = buckets.merge(frame, on="age_bucket", how="left")
    counts = ["open_cases", "open_overdue", "open_yellow", "open_green"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    frame["max_open_wd"] = frame["max_open_wd"].astype("Int64")
    frame.insert(1, "label", [age_bucket_label(b, lang) for b in frame["age_bucket"]])
    return frame


# ---------------------------------------------------------------- cross-filter and drill-through

@dataclass(frozen=True)
class Focus:
    """What the user clicked or picked: it narrows the other charts and names the case list.

    ``month`` (YYYY-MM) replaces the period of the case list only (a trend point is a month).
    """

    subset: str = "open_overdue"
    county_code: str | None = None
    dept_code: str | None = None
    month: str | None = None
    age_bucket: int | None = None

    @property
    def narrows(self) -> bool:
        return any(v not in (None, "") for v in (self.county_code, self.dept_code, self.month, self.age_bucket))


def narrowed_filters(filters: Filters, focus: Focus, county: bool = True, dept: bool = True) -> Filters:
    """The page filters narrowed to the focus's county and/or department (cross-filtering)."""
    if county and focus.county_code:
        filters = replace(filters, counties=(focus.county_code,))
    if dept and focus.dept_code:
        filters = replace(filters, departments=(focus.dept_code,))
    return filters


def drill_filters(filters: Filters, focus: Focus) -> Filters:
    """The filters of the case list: narrowed, and in the clicked month if there is one."""
    narrowed = narrowed_filters(filters, focus)
    return narrowed.with_period(Period.parse(focus.month)) if focus.month else narrowed


def drill_selection(focus: Focus) -> CaseSelection:
    """The case list of the focus; an age band narrows only lists of open cases (only they have an age)."""
    aged = focus.age_bucket is not None and focus.subset in OPEN_SUBSETS
    low, high = age_bucket_bounds(focus.age_bucket) if aged else (None, None)
    return CaseSelection(focus.subset, county_code=focus.county_code, dept_code=focus.dept_code,
                         age_min_wd=low, age_max_wd=high)


def focus_from_trend_point(point: dict, by: str, current: Focus, rate: str = ON_TIME) -> Focus:
    """A click on a month of a line: that month's misses of the rate shown (按期办结率: due and not
    completed by the deadline; 办结件按时率: completed late) in that county or department."""
    data = point_customdata(point)
    if len(data) < 2:
        return current
    unit, month = data[0], data[1]
    county = unit if by == "county" else current.county_code
    dept = unit if by == "dept" else current.dept_code
    return Focus(MISSES_OF_RATE.get(rate, "due_missed"), county_code=county or None, dept_code=dept or None,
                 month=month)


def focus_from_lights_point(point: dict, current: Focus) -> Focus:
    """A click on a department's red or yellow bar: that department's red or yellow cases now."""
    data = point_customdata(point)
    if len(data) < 2:
        return current
    dept, light = data[0], data[1]
    return Focus(SUBSET_OF_LIGHT.get(light, "open"), county_code=current.county_code, dept_code=dept)


def focus_from_aging_point(point: dict, current: Focus) -> Focus:
    """A click on an age bucket (its red/yellow/green part): those open cases now."""
    data = point_customdata(point)
    if len(data) < 2:
        return current
    bucket, light = int(data[0]), data[1]
    return Focus(SUBSET_OF_LIGHT.get(light, "open"), county_code=current.county_code,
                 dept_code=current.dept_code, age_bucket=bucket)


def focus_description(focus: Focus, lang: str, counties: dict[str, str], depts: dict[str, str],
                      period: Period) -> str:
    """One line saying which cases the list holds: "2026年5月 · 柳溪县 · 未按时办结（…）"."""
    parts = [Period.parse(focus.month).label(lang) if focus.month else period.label(lang)]
    if focus.county_code:
        parts.append(counties.get(focus.county_code, focus.county_code))
    if focus.dept_code:
        parts.append(depts.get(focus.dept_code, focus.dept_code))
    if focus.age_bucket is not None and focus.subset in OPEN_SUBSETS:
        parts.append(t("supervision.age_open", lang, bucket=age_bucket_label(focus.age_bucket, lang)))
    parts.append(t(f"supervision.subset.{focus.subset}", lang))
    return " · ".join(parts)


# Widget values of the focus (all text, "" = none), so the page's selectboxes hold the cross-filter.
FOCUS_FIELDS = ("subset", "county_code", "dept_code", "month", "age_bucket")


def focus_values(focus: Focus) -> dict[str, str]:
    return {name: "" if getattr(focus, name) is None else str(getattr(focus, name)) for name in FOCUS_FIELDS}


def focus_from_values(values: dict[str, object]) -> Focus:
    """The focus the widgets hold; unknown or empty values mean "no narrowing"."""
    def text(name: str) -> str | None:
        value = values.get(name)
        return None if value in (None, "") else str(value)

    subset = text("subset")
    age = text("age_bucket")
    return Focus(
        subset if subset in SUBSETS else Focus.subset,
        county_code=text("county_code"), dept_code=text("dept_code"), month=text("month"),
        age_bucket=int(age) if age is not None and age.isdigit() and int(age) <= len(AGE_BOUNDS_WD) else None,
    )


def trend_month_keys(period: Period, as_of: dt.datetime) -> list[str]:
    """The months of the trend (YYYY-MM), newest first: what a click on the trend can pick."""
    start, end = trend_window(period, as_of)
    months = pd.date_range(start, min(end - dt.timedelta(days=1), as_of), freq="MS")
    return [f"{m:%Y-%m}" for m in reversed(months)]


# ---------------------------------------------------------------- tables for people (and files)

def _people(frame: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    return frame[columns].rename(columns={c: t(f"supervision.col.{c}", lang) for c in columns})


def trend_table(trend: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The months that have something to judge (a case due or a completion with a deadline)."""
    shown = trend[(trend["due_cases"] > 0) | (trend["completed_with_deadline"] > 0)]
    table = shown.assign(**{key: shown[key].round(1) for key in RATES})
    return _people(table, ["month", "unit_name", "due_cases", "due_on_time", "on_time_rate", "completed_with_deadline",
                           "completed_on_time", "completion_on_time_rate"], lang)


def lights_table(lights: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    return _people(lights, ["dept_name", "open_at_end", "open_overdue", "open_yellow", "open_green", "max_wd_over"],
                   lang)


def aging_table(aging: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    table = aging.rename(columns={"label": "age"})
    return _people(table, ["age", "open_cases", "open_overdue", "open_yellow", "open_green"], lang)

"""Indicator values for a selection: the one code path the CLI, the pages and the exports share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from xiaoneng import rollups
from xiaoneng.filters import Filters, Period, Scope, state_day, state_moment
from xiaoneng.indicators import Indicator, add_indicator_values, catalog, headline_indicators, rules
from xiaoneng.queries import QueryLayer, forget_answers
from xiaoneng.scoring import add_composite_score, add_rank
from xiaoneng.snapshots import SnapshotInfo

# A moment before any snapshot's data: the bounds of a period that is not measured.
NOTHING_BEFORE = dt.datetime(1900, 1, 1)
# How a table of indicators is grouped: (by county, by department).
GROUPINGS = {"total": (False, False), "county": (True, False), "dept": (False, True), "county,dept": (True, True)}


@dataclass(frozen=True)
class SnapshotView:
    """One snapshot as one user may see it."""

    info: SnapshotInfo
    scope: Scope = field(default_factory=Scope.everything)

    @property
    def layer(self) -> QueryLayer:
        return QueryLayer(self.info.path, self.scope)

    @property
    def as_of(self) -> dt.datetime:
        return self.info.as_of

    @property
    def snapshot_at(self) -> dt.datetime:
        """The snapshot's state moment (filters.state_moment): month grids read states at it."""
        return state_moment(self.as_of)

    def default_period(self) -> Period:
        """The month of the snapshot time."""
        return Period.parse(f"{self.as_of:%Y-%m}")

    @property
    def coverage(self) -> tuple[dt.date, dt.date]:
        """The days the snapshot covers for this user: from the first day of the month of the first
        accepted case (exports come in whole months) to the last day its moment has read."""
        return _coverage(self.info.path, self.scope.counties, self.as_of)

    def covers(self, period: Period) -> bool:
        """The period lies within the coverage: figures for it are data, not a gap."""
        first, last = self.coverage
        return first <= period.start and period.start <= last

    def has_begun(self, period: Period) -> bool:
        """The period has started by the snapshot's moment and does not end before the coverage."""
        first, last = self.coverage
        return period.start <= last and period.end >= first


@lru_cache(maxsize=64)
def _coverage(path: Path, counties: tuple[str, ...] | None, as_of: dt.datetime) -> tuple[dt.date, dt.date]:
    last = state_day(as_of)
    first = QueryLayer(path, Scope(counties)).run("case_date_range")["first_accepted"].iloc[0]
    if pd.isna(first):
        return last, last
    return min(pd.Timestamp(first).date().replace(day=1), last), last


def measures(view: SnapshotView, filters: Filters, by: str = "total") -> pd.DataFrame:
    """The base measures; a period the snapshot has no data for (not begun at the snapshot's moment,
    or before its coverage) is not measured at all: no rows, or for the total one row of nothing.
    (The query layer keeps each answer: the Overview asks for the same month's measures up to four
    times a refresh, and one query runs.)"""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {list(GROUPINGS)}, got {by!r}")
    by_county, by_dept = GROUPINGS[by]
    bounds = filters.period.bounds(view.as_of)
    if not view.has_begun(filters.period):
        # nothing to measure: an empty span before any data gives the columns without a scan
        bounds = dict.fromkeys(bounds, NOTHING_BEFORE)
    # the snapshot's rollups when they answer these bounds exactly, else the rows (older snapshots)
    if rollups.serves(view.info.manifest, view.snapshot_at, **bounds):
        frame = rollups.measures(view.layer, filters, by_county, by_dept, view.snapshot_at, **bounds)
    else:
        frame = view.layer.run("indicator_measures", filters, by_county=by_county, by_dept=by_dept, **bounds)
    if not view.has_begun(filters.period):
        frame = frame.iloc[0:0]
    if by == "total" and frame.empty:
        # nothing in the selection: one row without data (counts and rates undefined, 无数据)
        frame = pd.DataFrame([{c: (False if c == "has_cases" else None) for c in frame.columns}])
    return frame


def unit_names(view: SnapshotView, lang: str = "zh") -> tuple[dict[str, str], dict[str, str]]:
    """Code → display name for counties and departments (the query layer keeps the two lists' answers:
    every chart and table that labels a unit asks)."""
    col = "name_zh" if lang == "zh" else "name_en"
    counties = view.layer.run("county_list")
    departments = view.layer.run("department_list")
    return (
        dict(zip(counties["county_code"], counties[col].fillna(counties["name_zh"]), strict=True)),
        dict(zip(departments["dept_code"], departments[col].fillna(departments["name_zh"]), strict=True)),
    )


def forget_kept() -> None:
    """Drop every answer kept per snapshot (query answers, coverage): for a benchmark that times a cold
    refresh, or a test that counts the queries a page runs."""
    forget_answers()
    _coverage.cache_clear()


def scored_table(view: SnapshotView, filters: Filters, by: str = "total",
                 weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Measures, every indicator, the composite score and rank (codes only, no names).

    A unit without case data in the period gets no composite score and so no rank (无数据); a unit
    with fewer accepted cases than rules.min_cases is ``small_base`` (样本不足): ranked, but kept
    off the 红榜/黑榜 and never named best or worst."""
    scored = add_composite_score(add_indicator_values(measures(view, filters, by)), weights)
    has_cases = scored["has_cases"].fillna(False).astype(bool)
    scored["composite_score"] = scored["composite_score"].where(has_cases)
    scored["small_base"] = has_cases & (scored["cases_accepted"].fillna(0) < rules().min_cases)
    return add_rank(scored)


def indicator_table(view: SnapshotView, filters: Filters, by: str = "total", lang: str = "zh",
                    weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Measures, every indicator, the composite score and rank, with unit names."""
    table = scored_table(view, filters, by, weights)
    county_names, dept_names = unit_names(view, lang)
    by_county, by_dept = GROUPINGS[by]
    if by_county:
        table.insert(table.columns.get_loc("county_code") + 1, "county_name", table["county_code"].map(county_names))
    if by_dept:
        table.insert(table.columns.get_loc("dept_code") + 1, "dept_name", table["dept_code"].map(dept_names))
    return table


def indicator_table_with_changes(view: SnapshotView, filters: Filters, by: str = "total",
                                 lang: str = "zh") -> pd.DataFrame:
    """``indicator_table`` plus, per indicator, ``<key>_previous`` (环比) and ``<key>_year_ago`` (同比)."""
    keys = [c for c in ("county_code", "dept_code") if GROUPINGS[by][c == "dept_code"]]
    table = indicator_table(view, filters, by, lang)
    indicator_keys = [*catalog(), "composite_score"]
    for suffix, period in zip(("previous", "year_ago"), filters.period.comparisons(view.as_of), strict=True):
        earlier = indicator_table(view, filters.with_period(period), by, lang)[keys + indicator_keys]
        if not view.covers(period):
            # a period the snapshot does not cover has no comparable figures (无可比数据), never 0
            earlier[indicator_keys] = np.nan
        earlier = earlier.rename(columns={k: f"{k}_{suffix}" for k in indicator_keys})
        table = table.merge(earlier, how="left", on=keys) if keys else table.join(earlier)
    return table


@dataclass(frozen=True)
class HeadlineValue:
    """A headline number with its comparisons. ``previous``/``year_ago`` are None where there is no
    comparable figure (无可比数据): the period is not covered by the snapshot or has no value.
    ``through`` is the last day of a running period (截至 M月D日): the comparisons then cover the
    same span of the previous period and of last year."""

    indicator: Indicator
    value: float | None
    previous: float | None
    year_ago: float | None
    through: dt.date | None = None

    @staticmethod
    def _change(now: float | None, before: float | None, relative: bool) -> float | None:
        if now is None or before is None:
            return None
        if relative:
            return None if before == 0 else (now - before) / before * 100
        return now - before

    @property
    def relative_change(self) -> bool:
        """Rates and indices change in points; counts and durations by percent."""
        return self.indicator.unit_zh not in ("%", "分")

    @property
    def change_previous(self) -> float | None:
        return self._change(self.value, self.previous, self.relative_change)

    @property
    def change_year_ago(self) -> float | None:
        return self._change(self.value, self.year_ago, self.relative_change)

    @property
    def meets_target(self) -> bool | None:
        return self.indicator.meets_target(self.value)

    @property
    def gap_to_target(self) -> float | None:
        if self.value is None or self.indicator.target is None:
            return None
        return self.value - self.indicator.target


def _value(frame: pd.DataFrame | None, key: str) -> float | None:
    if frame is None:
        return None
    v = frame[key].iloc[0]
    return None if pd.isna(v) else float(v)


def through_day(view: SnapshotView, period: Period) -> dt.date | None:
    """The last day a running period's figures reach (截至 M月D日), None for a closed period."""
    return state_day(view.as_of) if period.is_running(view.as_of) else None


def headline(view: SnapshotView, filters: Filters, keys: list[str] | None = None) -> list[HeadlineValue]:
    """Each headline indicator with the previous period (环比) and the same period last year (同比),
    like for like (Period.comparisons); an uncovered comparison period gives None, not 0."""
    indicators = [catalog()[k] for k in keys] if keys else headline_indicators()
    previous, year_ago = filters.period.comparisons(view.as_of)
    now, prev, ago = (
        add_composite_score(add_indicator_values(measures(view, filters.with_period(p))))
        if p is filters.period or view.covers(p) else None
        for p in (filters.period, previous, year_ago)
    )
    through = through_day(view, filters.period)
    return [HeadlineValue(i, _value(now, i.key), _value(prev, i.key), _value(ago, i.key), through)
            for i in indicators]

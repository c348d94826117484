"""Indicator values for a selection: the one code path the CLI, the pages and the exports share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from xiaoneng.filters import Filters, Period, Scope
from xiaoneng.indicators import Indicator, add_indicator_values, catalog, headline_indicators
from xiaoneng.queries import QueryLayer
from xiaoneng.scoring import add_composite_score, add_rank
from xiaoneng.snapshots import SnapshotInfo

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

    def default_period(self) -> Period:
        """The month of the snapshot time."""
        return Period.parse(f"{self.as_of:%Y-%m}")


def measures(view: SnapshotView, filters: Filters, by: str = "total") -> pd.DataFrame:
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {list(GROUPINGS)}, got {by!r}")
    by_county, by_dept = GROUPINGS[by]
    frame = view.layer.run(
        "indicator_measures", filters, by_county=by_county, by_dept=by_dept, **filters.period.bounds(view.as_of)
    )
    if by == "total" and frame.empty:
        # no rows at all in the selection: one row of zero counts, rates undefined
        frame = pd.DataFrame([{c: (0 if frame[c].dtype.kind in "iu" else None) for c in frame.columns}])
    return frame


def unit_names(view: SnapshotView, lang: str = "zh") -> tuple[dict[str, str], dict[str, str]]:
    """Code → display name for counties and departments."""
    col = "name_zh" if lang == "zh" else "name_en"
    counties = view.layer.run("county_list")
    departments = view.layer.run("department_list")
    return (
        dict(zip(counties["county_code"], counties[col].fillna(counties["name_zh"]), strict=True)),
        dict(zip(departments["dept_code"], departments[col].fillna(departments["name_zh"]), strict=True)),
    )


def scored_table(view: SnapshotView, filters: Filters, by: str = "total",
                 weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Measures, every indicator, the composite score and rank (codes only, no names)."""
    return add_rank(add_composite_score(add_indicator_values(measures(view, filters, by)), weights))


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
    for suffix, period in (("previous", filters.period.previous()), ("year_ago", filters.period.year_ago())):
        earlier = indicator_table(view, filters.with_period(period), by, lang)[keys + indicator_keys]
        earlier = earlier.rename(columns={k: f"{k}_{suffix}" for k in indicator_keys})
        table = table.merge(earlier, how="left", on=keys) if keys else table.join(earlier)
    return table


@dataclass(frozen=True)
class HeadlineValue:
    indicator: Indicator
    value: float | None
    previous: float | None
    year_ago: float | None

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


def _value(frame: pd.DataFrame, key: str) -> float | None:
    v = frame[key].iloc[0]
    return None if pd.isna(v) else float(v)


def headline(view: SnapshotView, filters: Filters, keys: list[str] | None = None) -> list[HeadlineValue]:
    """Each headline indicator with the previous period (环比) and the same period last year (同比)."""
    indicators = [catalog()[k] for k in keys] if keys else headline_indicators()
    now, prev, ago = (
        add_composite_score(add_indicator_values(measures(view, filters.with_period(p))))
        for p in (filters.period, filters.period.previous(), filters.period.year_ago())
    )
    return [HeadlineValue(i, _value(now, i.key), _value(prev, i.key), _value(ago, i.key)) for i in indicators]

"""States at a time (product.md §3): a past period's figures do not change when a later snapshot of
the same data is used. Two snapshots of one world — the later one, and the same world cut at an
earlier moment (xiaoneng.asof.cut_at: later cases absent; later completions, reviews,
rectifications and task completions not yet happened) — give identical figures for every period
that had closed by the earlier moment, for every indicator, in total, by county, by department and
by county × department.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.handcount import AS_OF, fact_tables, reference_tables
from xiaoneng.asof import cut_at
from xiaoneng.demo import build_demo_snapshot
from xiaoneng.filters import Filters, Period
from xiaoneng.indicators import catalog
from xiaoneng.metrics import GROUPINGS, SnapshotView, indicator_table
from xiaoneng.paths import REPO_ROOT
from xiaoneng.reference import load_calendar_days
from xiaoneng.snapshots import SnapshotStore

DEMO_CASES = 40_000
COMPARED = [*catalog(), "composite_score", "rank", "has_cases", "small_base"]


def _figures(view: SnapshotView, period: str, by: str) -> pd.DataFrame:
    table = indicator_table(view, Filters(Period.parse(period)), by=by)
    keys = [c for c in ("county_code", "dept_code") if GROUPINGS[by][c == "dept_code"]]
    return table[keys + COMPARED].sort_values(keys).reset_index(drop=True) if keys else table[COMPARED]


def assert_same_figures(later: SnapshotView, earlier: SnapshotView, periods: list[str]) -> int:
    """Every figure of ``periods`` equal in the two snapshots; returns how many were compared."""
    compared = 0
    for period in periods:
        for by in GROUPINGS:
            a, b = _figures(later, period, by), _figures(earlier, period, by)
            pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-12, obj=f"{period} by {by}")
            compared += a.size
    return compared


@pytest.fixture(scope="module")
def handcount_cut(tmp_path_factory):
    """The hand-counted world (snapshot Fri 2026-10-30 17:00) and the same world at 2026-06-30 23:59:59
    and at 2026-09-30 23:59:59."""
    store = SnapshotStore(tmp_path_factory.mktemp("asof") / "snapshots")
    calendar_days = load_calendar_days(REPO_ROOT / "data" / "reference")

    def publish(snapshot_id: str, as_of: dt.datetime, facts):
        return SnapshotView(store.publish(snapshot_id, as_of=as_of, reference=reference_tables(),
                                          calendar_days=calendar_days, facts=facts, producer="tests"))

    later = publish("later", AS_OF, fact_tables())
    june = dt.datetime(2026, 6, 30, 23, 59, 59)
    september = dt.datetime(2026, 9, 30, 23, 59, 59)
    return later, publish("june", june, cut_at(fact_tables(), june)), publish("sept", september,
                                                                                cut_at(fact_tables(), september))


def test_the_cut_really_is_earlier(handcount_cut):
    """The cut moves what the property is about: K14/K15 open, R9 pending, T6 open at the end of June."""
    _, june, _ = handcount_cut
    cases = pd.read_parquet(june.info.table_path("cases")).set_index("case_id")
    assert set(cases.index) == {"K01", "K02", "K03", "K04", "K14", "K15"}
    assert cases.loc["K14", "status"] == "in_progress" and pd.isna(cases.loc["K14", "completed_at"])
    ratings = pd.read_parquet(june.info.table_path("ratings")).set_index("rating_id")
    assert ratings.loc["R9", "rectify_status"] == "pending" and pd.isna(ratings.loc["R9", "rectified_at"])
    tasks = pd.read_parquet(june.info.table_path("tasks")).set_index("task_id")
    assert tasks.loc["T6", "status"] == "in_progress"


def test_handcount_june_and_before_are_the_same_from_a_later_snapshot(handcount_cut):
    later, june, _ = handcount_cut
    periods = ["2026-06", "2026-Q2", "2026-02", "2026-03", "2026-Q1", "2026-01-01..2026-06-30"]
    assert assert_same_figures(later, june, periods) > 0
    # and the June figures are the hand-counted ones (tests/handcount.py)
    june_total = _figures(june, "2026-06", "total").iloc[0]
    assert (june_total["on_time_rate"], june_total["open_overdue"], june_total["rectification_rate"],
            june_total["task_on_time_rate"]) == (0.0, 2, 50.0, 50.0)


def test_handcount_september_is_the_same_from_a_later_snapshot(handcount_cut):
    later, _, september = handcount_cut
    assert assert_same_figures(later, september, ["2026-09", "2026-Q3", "2026-07", "2026-08", "2026-06"]) > 0


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory):
    """The demo world (same seed) as of 2026-10-31 23:59:59 and cut at 2026-09-30 23:59:59."""
    store = SnapshotStore(tmp_path_factory.mktemp("demo-asof") / "snapshots")
    october = build_demo_snapshot(store, "demo-1031", cases=DEMO_CASES)
    september = build_demo_snapshot(store, "demo-0930", cases=DEMO_CASES, as_of=dt.date(2026, 9, 30))
    return SnapshotView(october), SnapshotView(september)


def test_demo_snapshots_differ_where_they_should(demo_pair):
    october, september = demo_pair
    assert september.as_of == dt.datetime(2026, 9, 30, 23, 59, 59)
    assert october.info.row_counts["cases"] > september.info.row_counts["cases"]
    # the October snapshot knows completions and rectifications that came after 30 September
    sept_cases = pd.read_parquet(september.info.table_path("cases"), columns=["case_id", "status"])
    oct_cases = pd.read_parquet(october.info.table_path("cases"), columns=["case_id", "status"])
    both = sept_cases.merge(oct_cases, on="case_id", suffixes=("_sept", "_oct"))
    assert len(both) == len(sept_cases)
    assert ((both["status_sept"] == "in_progress") & (both["status_oct"] != "in_progress")).sum() > 100


def test_demo_september_q3_and_2025_are_the_same_from_the_october_snapshot(demo_pair):
    """The issue's property: every indicator of 2026-09, 2026-Q3 and 2025, in total, by county, by
    department and by county × department, identical from the two snapshots."""
    october, september = demo_pair
    compared = assert_same_figures(october, september, ["2026-09", "2026-Q3", "2025"])
    assert compared > 10_000


def test_demo_monthly_trends_are_the_same_up_to_september(demo_pair):
    """The month-by-month queries (12 months to September) read states the same way."""
    october, september = demo_pair
    window = {"trend_start": dt.datetime(2025, 10, 1), "trend_end": dt.datetime(2026, 10, 1)}
    for view_pair_name, params in (("headline_trend", {}), ("rollup_headline_trend", {}),
                                   ("on_time_trend", {"by_county": True, "by_dept": True})):
        a, b = (view.layer.run(view_pair_name, Filters(Period.parse("2026-09")), snapshot_at=view.snapshot_at,
                               **window, **params) for view in (october, september))
        assert len(a) >= 12
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-12, obj=view_pair_name)

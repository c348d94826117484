"""The published rollups answer exactly what the rows answer (xiaoneng/rollups.py).

Every comparison runs queries/indicator_measures.sql on the rows and
queries/rollup_indicator_measures.sql on the rollups with the same parameters and asserts the two
frames equal: same rows, same columns and types, equal numbers (floats bit for bit), the same
nulls (无数据). On the hand-counted fixture (holidays, make-up days, a snapshot taken at 17:00)
and on a small demo city, for every period kind, the filters the Overview offers and every grouping.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.handcount import fact_tables, reference_tables
from xiaoneng import rollups
from xiaoneng.asof import cut_at
from xiaoneng.demo import build_demo_snapshot
from xiaoneng.filters import Filters, Period, Scope
from xiaoneng.metrics import GROUPINGS, SnapshotView, measures
from xiaoneng.paths import REPO_ROOT
from xiaoneng.reference import load_calendar_days
from xiaoneng.snapshots import MANIFEST, SnapshotStore

DEMO_CASES = 20_000
# Period kinds: month, quarter, year, a custom range across months (and one across a year's end
# and the New Year holiday), the month a snapshot is taken in (states at the snapshot's moment).
DEMO_PERIODS = ("2026-10", "2026-09", "2026-Q3", "2025", "2026-08-20..2026-09-15", "2025-12-29..2026-01-05")
HANDCOUNT_PERIODS = ("2026-10", "2026-09", "2026-Q4", "2026", "2026-09-28..2026-10-09")
FILTERS = {
    "none": {},
    "county": {"counties": ("C01",)},
    "dept": {"departments": ("D01",)},
    "county+dept": {"counties": ("C01",), "departments": ("D01",)},
    "item type": {"item_types": ("行政许可",)},
    "channel": {"channels": ("online",)},
}


def assert_same_answer(view: SnapshotView, filters: Filters, by: str) -> pd.DataFrame:
    by_county, by_dept = GROUPINGS[by]
    bounds = filters.period.bounds(view.as_of)
    assert rollups.serves(view.info.manifest, view.snapshot_at, **bounds)
    rows = view.layer.run("indicator_measures", filters, by_county=by_county, by_dept=by_dept, **bounds)
    rolled = rollups.measures(view.layer, filters, by_county, by_dept, view.snapshot_at, **bounds)
    pd.testing.assert_frame_equal(rolled, rows, check_exact=True)
    return rows


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """A small demo city, and the same world cut at the close of 30 September and at 18:00 that day."""
    store = SnapshotStore(tmp_path_factory.mktemp("rollups") / "snapshots")
    build_demo_snapshot(store, "demo", cases=DEMO_CASES)
    build_demo_snapshot(store, "sept", cases=DEMO_CASES, as_of=dt.date(2026, 9, 30))
    build_demo_snapshot(store, "sept-18h", cases=DEMO_CASES, as_of=dt.datetime(2026, 9, 30, 18, 0, 0))
    return store


@pytest.mark.parametrize("period", HANDCOUNT_PERIODS)
@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
def test_handcount_rollups_equal_rows(handcount_view, period, filters):
    for by in GROUPINGS:
        assert_same_answer(handcount_view, Filters(Period.parse(period), **filters), by)


def test_handcount_rollups_hold_the_hand_counted_figures(handcount_view):
    """The comparison is not vacuous: October by county, as tests/handcount.py counts it."""
    rows = assert_same_answer(handcount_view, Filters(Period.parse("2026-10")), "county")
    by_county = rows.set_index("county_code")
    assert by_county.loc["C01", ["cases_accepted", "open_at_end", "open_yellow", "due_cases"]].tolist() == [4, 2, 1, 3]
    assert by_county.loc["C02", ["open_overdue", "open_yellow", "immediate_due"]].tolist() == [1, 1, 0]
    assert (by_county.loc["C01", "elapsed_wd_median"], by_county.loc["C01", "elapsed_wd_p90"]) == (7.5, 8.7)


def test_handcount_cut_rollups_equal_rows(tmp_path):
    """A snapshot cut mid-day (states at 18:00:01, the National Day holiday just behind) is served exactly."""
    store = SnapshotStore(tmp_path / "snapshots")
    as_of = dt.datetime(2026, 10, 9, 18, 0, 0)
    info = store.publish("cut", as_of=as_of, reference=reference_tables(),
                         calendar_days=load_calendar_days(REPO_ROOT / "data" / "reference"),
                         facts=cut_at(fact_tables(), as_of), producer="tests/test_rollups.py")
    view = SnapshotView(info)
    for period in ("2026-10", "2026-09", "2026-Q3", "2026-09-28..2026-10-09"):
        for by in GROUPINGS:
            assert_same_answer(view, Filters(Period.parse(period)), by)


def test_a_case_without_a_deadline_is_never_yellow(tmp_path, handcount_view):
    """An item without a promised limit gives its cases no deadline: open, they are green (light_at),
    so the rollup's yellow events must skip them — an open fortnight from 12 to 23 October."""
    from tests import handcount

    items = [*handcount.ITEMS, {"item_code": "I09", "name_zh": "无时限事项", "dept_code": "D01",
                                "item_type": "行政许可", "legal_limit_wd": None, "promised_limit_wd": None}]
    case = handcount._case("K99", "I01", "C01", "D01", "window", "2026-10-12 10:00", "2026-10-23 10:00") | {
        "item_code": "I09", "promised_limit_wd": None, "legal_limit_wd": None}
    facts = fact_tables()
    facts["cases"] = handcount._table([*handcount.CASES, case], "cases")
    reference = reference_tables() | {"items": handcount._table(items, "items")}
    info = SnapshotStore(tmp_path / "snapshots").publish(
        "no-deadline", as_of=handcount.AS_OF, reference=reference,
        calendar_days=load_calendar_days(REPO_ROOT / "data" / "reference"), facts=facts, producer="tests")
    view = SnapshotView(info)
    with_case = Filters(Period.parse("2026-10-01..2026-10-15"), counties=("C01",), departments=("D01",))
    rows = assert_same_answer(view, with_case, "total")
    without = assert_same_answer(handcount_view, with_case, "total")
    assert rows["open_at_end"].iloc[0] == without["open_at_end"].iloc[0] + 1
    assert rows["open_yellow"].iloc[0] == without["open_yellow"].iloc[0]


@pytest.mark.parametrize("period", DEMO_PERIODS)
def test_demo_rollups_equal_rows(demo_store, period):
    view = SnapshotView(demo_store.get("demo"))
    for name, filters in FILTERS.items():
        total = assert_same_answer(view, Filters(Period.parse(period), **filters), "total")
        assert total["cases_accepted"].iloc[0] > 0, name
    for by in ("county", "dept", "county,dept"):
        grouped = assert_same_answer(view, Filters(Period.parse(period)), by)
        assert grouped["elapsed_wd_p90"].notna().sum() > 1
    assert_same_answer(view, Filters(Period.parse(period), item_types=("行政许可",), channels=("window",)),
                       "county,dept")


def test_demo_running_month_at_a_mid_day_snapshot(demo_store):
    """The month a snapshot was taken in at 18:00: states at 18:00:01, deadlines of that day not yet passed."""
    view = SnapshotView(demo_store.get("sept-18h"))
    assert view.snapshot_at == dt.datetime(2026, 9, 30, 18, 0, 1)
    for by in GROUPINGS:
        rows = assert_same_answer(view, Filters(Period.parse("2026-09")), by)
        assert rows["open_yellow"].sum() > 0 and rows["open_overdue"].sum() > 0


@pytest.mark.parametrize("period", ("2026-09", "2026-Q3", "2026-08", "2026-08-20..2026-09-15"))
def test_an_earlier_cut_gives_the_same_past_periods(demo_store, period):
    """September's figures from the October snapshot's rollups equal those from the 30 September one's."""
    later, earlier = (SnapshotView(demo_store.get(s)) for s in ("demo", "sept"))
    for by in ("total", "county,dept"):
        filters = Filters(Period.parse(period))
        pd.testing.assert_frame_equal(assert_same_answer(earlier, filters, by), assert_same_answer(later, filters, by),
                                      check_exact=True)


def test_rollups_keep_the_scope(demo_store):
    """A county user's rollup answer holds only that county, even when a filter asks for another."""
    info = demo_store.get("demo")
    mine = SnapshotView(info, Scope(("C01",)))
    period = Period.parse("2026-10")
    for filters in (Filters(period), Filters(period, counties=("C02",))):
        for by in GROUPINGS:
            rows = assert_same_answer(mine, filters, by)
            assert set(rows["county_code"].dropna()) <= {"C01"}
    everyone = assert_same_answer(SnapshotView(info), Filters(period, counties=("C01",)), "total")
    own = assert_same_answer(mine, Filters(period), "total")
    assert own["cases_accepted"].iloc[0] == everyone["cases_accepted"].iloc[0]
    assert assert_same_answer(mine, Filters(period, counties=("C02",)), "total").empty  # nothing visible
    assert pd.isna(measures(mine, Filters(period, counties=("C02",)))["cases_accepted"].iloc[0])  # 无数据


def test_published_layout(demo_store):
    info = demo_store.get("demo")
    assert info.manifest["rollups"]["version"] == rollups.ROLLUP_VERSION
    for name, count in info.manifest["rollups"]["row_counts"].items():
        assert pq.read_metadata(info.path / "rollups" / f"{name}.parquet").num_rows == count > 0
    cases = pq.read_table(info.path / "cases.parquet", columns=["county_code", "accepted_at"]).to_pandas()
    keys = list(zip(cases["county_code"], cases["accepted_at"].dt.to_period("M"), strict=True))
    assert keys == sorted(keys)
    layout = pq.ParquetFile(info.path / "cases.parquet").metadata
    assert all(layout.row_group(i).num_rows <= rollups.ROW_GROUP_ROWS for i in range(layout.num_row_groups))


def test_measures_use_rollups_and_fall_back_to_rows_without_them(demo_store, tmp_path):
    """A snapshot published before the rollups (no manifest entry, no folder) is read from its rows."""
    info = demo_store.get("demo")
    old_root = tmp_path / "snapshots"
    shutil.copytree(info.path, old_root / "old", ignore=shutil.ignore_patterns("rollups"))
    manifest = json.loads((old_root / "old" / MANIFEST).read_text(encoding="utf-8"))
    del manifest["rollups"]
    (old_root / "old" / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    old = SnapshotView(SnapshotStore(old_root).get("old"))
    new = SnapshotView(info)
    filters = Filters(Period.parse("2026-Q3"), departments=("D01",))
    assert not rollups.available(old.info.manifest) and rollups.available(new.info.manifest)
    for by in GROUPINGS:
        pd.testing.assert_frame_equal(measures(old, filters, by), measures(new, filters, by), check_exact=True)


def test_rollups_serve_only_the_moments_they_are_keyed_for(handcount_view):
    manifest, snapshot_at = handcount_view.info.manifest, handcount_view.snapshot_at
    midnight, noon = dt.datetime(2026, 10, 1), dt.datetime(2026, 10, 1, 12)
    assert rollups.serves(manifest, snapshot_at, midnight, dt.datetime(2026, 11, 1), snapshot_at)
    assert rollups.serves(manifest, snapshot_at, midnight, dt.datetime(2026, 10, 2), dt.datetime(2026, 10, 2))
    assert not rollups.serves(manifest, snapshot_at, midnight, dt.datetime(2026, 10, 2), noon)
    assert not rollups.serves(manifest, snapshot_at, noon, dt.datetime(2026, 10, 2), dt.datetime(2026, 10, 2))
    assert not rollups.serves({**manifest, "rollups": {**manifest["rollups"], "version": 0}}, snapshot_at,
                              midnight, dt.datetime(2026, 10, 2), dt.datetime(2026, 10, 2))


def test_a_measure_is_read_once_per_snapshot_scope_and_filters(handcount_view, monkeypatch):
    """The Overview asks for the same month's measures up to four times a refresh: the query runs once
    (the query layer keeps its answer), every caller gets its own copy, and another period or scope
    is another query."""
    from xiaoneng import metrics, queries

    metrics.forget_kept()
    ran = []
    keep = queries._keep_answer
    monkeypatch.setattr(queries, "_keep_answer", lambda key, frame: (ran.append(key[1]), keep(key, frame)))
    measured = lambda: [name for name in ran if name == "rollup_indicator_measures"]  # noqa: E731
    october = Filters(Period.parse("2026-10"))
    first = measures(handcount_view, october, "county")
    first["cases_accepted"] = -1  # a caller changing its frame changes nobody else's
    second = measures(handcount_view, october, "county")
    assert measured() == ["rollup_indicator_measures"]
    assert second.set_index("county_code")["cases_accepted"].to_dict() == {"C01": 4, "C02": 4}
    measures(handcount_view, Filters(Period.parse("2026-09")), "county")
    measures(SnapshotView(handcount_view.info, Scope(("C02",))), october, "county")
    assert measured() == ["rollup_indicator_measures"] * 3


TREND_FILTERS = {k: FILTERS[k] for k in ("none", "county", "county+dept", "channel", "item type")}


def assert_same_trend(view: SnapshotView, filters: Filters, start: dt.datetime, stop: dt.datetime) -> pd.DataFrame:
    params = {"trend_start": start, "trend_end": stop, "snapshot_at": view.snapshot_at}
    rows = view.layer.run("headline_trend", filters, **params)
    rolled = view.layer.run("rollup_headline_trend", filters, **params)
    pd.testing.assert_frame_equal(rolled, rows, check_exact=True)
    return rows


@pytest.mark.parametrize("filters", TREND_FILTERS.values(), ids=TREND_FILTERS.keys())
def test_the_trend_from_rollups_equals_the_trend_from_rows(handcount_view, demo_store, filters):
    """Twelve months up to the snapshot's (running) month, and a window ending before it, on the
    fixture and on the demo city cut at three moments."""
    windows = ((dt.datetime(2025, 11, 1), dt.datetime(2026, 11, 1)), (dt.datetime(2025, 6, 1), dt.datetime(2026, 6, 1)))
    views = [handcount_view, *(SnapshotView(demo_store.get(s)) for s in ("demo", "sept", "sept-18h"))]
    for view in views:
        for start, stop in windows:
            assert_same_trend(view, Filters(Period.parse("2026-10"), **filters), start, stop)


def test_the_rollup_trend_holds_the_hand_counted_october(handcount_view):
    """Not vacuous: October of the fixture as tests/handcount.py counts it."""
    rows = assert_same_trend(handcount_view, Filters(Period.parse("2026-10")), dt.datetime(2026, 1, 1),
                             dt.datetime(2026, 11, 1)).set_index("month_start")
    october = rows.loc[pd.Timestamp("2026-10-01")]
    assert (october["cases_accepted"], october["due_cases"], october["open_overdue"]) == (8, 5, 1)

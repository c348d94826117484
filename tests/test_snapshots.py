"""The snapshot store: atomic, immutable, listed, with a manifest that traces the sources."""

from __future__ import annotations

import datetime as dt
import json
import re

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.handcount import AS_OF, fact_tables, publish_handcount, reference_tables
from xiaoneng.filters import Filters, Period
from xiaoneng.metrics import SnapshotView, indicator_table
from xiaoneng.reference import load_calendar_days
from xiaoneng.snapshots import SnapshotError, SnapshotStore, sha256_of


def _tree(root):
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*"))


def test_publish_writes_a_complete_snapshot_with_manifest(tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("办件编号\nK01\n", encoding="utf-8")
    store = SnapshotStore(tmp_path / "snapshots")
    info = store.publish("s1", as_of=AS_OF, reference=reference_tables(), calendar_days=load_calendar_days(),
                         facts=fact_tables(), sources=[(source, "cases")], producer="test")
    manifest = json.loads((info.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == 2
    assert manifest["as_of"] == "2026-10-30T17:00:00"
    assert manifest["row_counts"]["cases"] == 15  # K01–K15
    assert manifest["row_counts"]["ratings"] == 10  # R1–R10
    assert manifest["calendar_range"] == ["2004-01-01", "2026-12-31"]
    assert manifest["sources"] == [{"file": "export.csv", "table": "cases", "sha256": sha256_of(source),
                                    "bytes": source.stat().st_size}]
    assert (info.path / "sources" / "export.csv").read_bytes() == source.read_bytes()
    assert manifest["producer_version"]
    assert {p.name for p in info.path.glob("*.parquet")} >= {"cases.parquet", "calendar.parquet", "items.parquet"}
    assert [s.snapshot_id for s in store.list()] == ["s1"]


def test_an_existing_id_is_refused_and_left_untouched(tmp_path):
    publish_handcount(tmp_path, "s1")
    before = _tree(tmp_path)
    with pytest.raises(SnapshotError, match="exists already"):
        publish_handcount(tmp_path, "s1")
    assert _tree(tmp_path) == before


def test_a_failed_publish_leaves_the_store_as_it_was(tmp_path):
    publish_handcount(tmp_path, "good")
    before = _tree(tmp_path)
    facts = fact_tables()
    facts["cases"] = facts["cases"].drop_columns(["accepted_at"])  # a required column is missing
    with pytest.raises(SnapshotError, match="accepted_at"):
        SnapshotStore(tmp_path).publish("bad", as_of=AS_OF, reference=reference_tables(),
                                        calendar_days=load_calendar_days(), facts=facts, producer="test")
    assert _tree(tmp_path) == before
    assert not SnapshotStore(tmp_path).exists("bad")


@pytest.mark.parametrize("bad_id", ["../escape", "", ".hidden", "a/b", "x" * 65, "空格 id"])
def test_unsafe_ids_are_refused(tmp_path, bad_id):
    with pytest.raises(SnapshotError, match="not allowed"):
        publish_handcount(tmp_path, bad_id)
    assert list(tmp_path.iterdir()) == []


def test_latest_is_by_as_of_then_creation(tmp_path):
    store = SnapshotStore(tmp_path)
    assert store.latest() is None
    for snapshot_id, as_of in (("b-later", AS_OF), ("a-earlier", AS_OF - dt.timedelta(days=30))):
        store.publish(snapshot_id, as_of=as_of, reference=reference_tables(), calendar_days=load_calendar_days(),
                      facts={"cases": fact_tables()["cases"].filter(pa.compute.field("accepted_at") <= as_of)},
                      producer="test")
    assert [s.snapshot_id for s in store.list()] == ["a-earlier", "b-later"]
    assert store.latest().snapshot_id == "b-later"
    with pytest.raises(SnapshotError, match="no snapshot 'nope'"):
        store.get("nope")


def test_cases_outside_the_calendar_are_counted_in_the_manifest(tmp_path):
    facts = fact_tables()
    days = [d for d in load_calendar_days() if d.date.year >= 2026]  # calendar starts 2026-01-01
    cases = facts["cases"].to_pylist()
    cases[0]["accepted_at"] = dt.datetime(2025, 12, 30, 9)
    facts["cases"] = pa.Table.from_pylist(cases, schema=facts["cases"].schema)
    info = SnapshotStore(tmp_path).publish("gap", as_of=AS_OF, reference=reference_tables(), calendar_days=days,
                                           facts=facts, producer="test")
    assert info.manifest["cases_outside_calendar"] == 1
    k01 = pq.read_table(info.table_path("cases")).filter(pc.field("case_id") == "K01").to_pylist()[0]
    assert (k01["deadline_source"], k01["deadline_at"], k01["on_time"], k01["elapsed_wd"]) == (
        "outside_calendar", None, None, None)
    february = indicator_table(SnapshotView(info), Filters(Period.parse("2026-02"))).iloc[0]
    # K01 has no known deadline: it is a completion without a verdict (on time K03 of K03, K04) and
    # is due in no period (due in February: K02, K03, K04; by the deadline K03)
    assert (february["completed"], february["completed_with_deadline"], february["completion_on_time_rate"]) == (
        3, 2, 50.0)
    assert (february["due_cases"], february["due_on_time"]) == (3, 1)


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        ("cases", lambda rows: rows.append(dict(rows[0])), "cases.case_id: 1 duplicate values"),
        ("cases", lambda rows: rows[0].update(channel="fax"), "cases.channel: 1 values outside"),
        ("cases", lambda rows: rows[0].update(county_code="C99"), "cases.county_code: 1 values not found"),
        ("ratings", lambda rows: rows[0].update(score=7), "ratings.score: 1 values outside [1, 5]"),
        ("case_steps", lambda rows: rows[0].update(case_id="K99"), "case_steps.case_id: 1 values not found"),
    ],
)
def test_declared_checks_refuse_a_bad_snapshot(tmp_path, table, change, message):
    facts = fact_tables()
    rows = facts[table].to_pylist()
    change(rows)
    facts[table] = pa.Table.from_pylist(rows, schema=facts[table].schema)
    with pytest.raises(SnapshotError, match=re.escape(message)):
        SnapshotStore(tmp_path).publish("bad", as_of=AS_OF, reference=reference_tables(),
                                        calendar_days=load_calendar_days(), facts=facts, producer="test")
    assert list(tmp_path.iterdir()) == []


def test_composite_keys_are_checked(tmp_path):
    facts = fact_tables()
    steps = facts["case_steps"].to_pylist()
    steps[1]["step_no"] = 1  # K13 would have two first steps
    facts["case_steps"] = pa.Table.from_pylist(steps, schema=facts["case_steps"].schema)
    with pytest.raises(SnapshotError, match=re.escape("case_steps['case_id', 'step_no']: 1 duplicate rows")):
        SnapshotStore(tmp_path / "new").publish("bad", as_of=AS_OF, reference=reference_tables(),
                                                calendar_days=load_calendar_days(), facts=facts, producer="test")
    assert not (tmp_path / "new").exists()  # a store folder the failed publish created is removed again

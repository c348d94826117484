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


def _publish_at(store: SnapshotStore, snapshot_id: str, as_of: dt.datetime, by: str | None = None):
    return store.publish(snapshot_id, as_of=as_of, reference=reference_tables(), calendar_days=load_calendar_days(),
                         facts={"cases": fact_tables()["cases"].filter(pa.compute.field("accepted_at") <= as_of)},
                         producer="test", published_by=by)


def test_the_list_is_by_as_of_then_creation_and_the_first_publish_is_the_default(tmp_path):
    store = SnapshotStore(tmp_path)
    assert store.default() is None and store.list() == []
    for snapshot_id, as_of in (("b-later", AS_OF), ("a-earlier", AS_OF - dt.timedelta(days=30))):
        _publish_at(store, snapshot_id, as_of)
    assert [s.snapshot_id for s in store.list()] == ["a-earlier", "b-later"]
    assert store.default_id() == "b-later"  # the first published, not the latest data date
    with pytest.raises(SnapshotError, match="no snapshot 'nope'"):
        store.get("nope")


def test_publishing_never_moves_the_default(tmp_path):
    store = SnapshotStore(tmp_path)
    _publish_at(store, "first", AS_OF - dt.timedelta(days=60))
    _publish_at(store, "newer", AS_OF)  # a later data date …
    _publish_at(store, "newest-created", AS_OF - dt.timedelta(days=1))  # … and a later creation
    assert store.default_id() == "first"
    assert json.loads((tmp_path / ".store.json").read_text(encoding="utf-8")) == {"default": "first",
                                                                                 "withdrawn": {}}
    store.set_default("newer", by="admin1")
    _publish_at(store, "after", AS_OF)
    assert SnapshotStore(tmp_path).default_id() == "newer"
    with pytest.raises(SnapshotError, match="no snapshot 'gone'"):
        store.set_default("gone", by="admin1")


def test_a_store_without_a_recorded_choice_keeps_showing_its_latest(tmp_path):
    store = SnapshotStore(tmp_path)
    _publish_at(store, "old", AS_OF - dt.timedelta(days=30))
    _publish_at(store, "latest", AS_OF)
    (tmp_path / ".store.json").unlink()  # a store from before the choice was kept
    assert store.default_id() == "latest"
    _publish_at(store, "tiny", AS_OF + dt.timedelta(days=1))  # the publish records what everybody saw
    assert store.default_id() == "latest"


def _digests(folder):
    return {str(p.relative_to(folder)): sha256_of(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_withdraw_hides_keeps_the_files_and_restore_brings_it_back(tmp_path):
    store = SnapshotStore(tmp_path)
    _publish_at(store, "good", AS_OF - dt.timedelta(days=30))
    bad = _publish_at(store, "bad", AS_OF)
    before = _digests(bad.path)
    withdrawn = store.withdraw("bad", "办件量只有20件，源文件不全", by="admin1")
    assert withdrawn.withdrawn and withdrawn.withdrawal.reason == "办件量只有20件，源文件不全"
    assert withdrawn.withdrawal.by == "admin1" and withdrawn.withdrawal.at.endswith("+00:00")
    assert [s.snapshot_id for s in store.list()] == ["good"]
    assert [(s.snapshot_id, s.withdrawn) for s in store.list(include_withdrawn=True)] == [
        ("good", False), ("bad", True)]
    assert _digests(bad.path) == before  # byte for byte
    with pytest.raises(SnapshotError, match="withdrawn already"):
        store.withdraw("bad", "again", by="admin1")
    with pytest.raises(SnapshotError, match="restore it before"):
        store.set_default("bad", by="admin1")
    restored = store.restore("bad", by="admin2")
    assert not restored.withdrawn
    assert [s.snapshot_id for s in store.list()] == ["good", "bad"]
    assert store.default_id() == "good" and _digests(bad.path) == before
    with pytest.raises(SnapshotError, match="not withdrawn"):
        store.restore("bad", by="admin2")
    with pytest.raises(SnapshotError, match="needs a reason"):
        store.withdraw("bad", "  ", by="admin1")


def test_the_default_is_withdrawn_only_after_another_is_chosen(tmp_path):
    store = SnapshotStore(tmp_path)
    _publish_at(store, "first", AS_OF - dt.timedelta(days=30))
    _publish_at(store, "second", AS_OF)
    with pytest.raises(SnapshotError, match="'first' is the default; make another snapshot the default first "
                                            r"\(one of: second\)"):
        store.withdraw("first", "wrong month", by="admin1")
    store.set_default("second", by="admin1")
    store.withdraw("first", "wrong month", by="admin1")
    assert store.default_id() == "second"
    # the only visible snapshot may go: the store then has no default until a publish or restore
    store.withdraw("second", "also wrong", by="admin1")
    assert store.default() is None and store.list() == []
    store.restore("first", by="admin1")
    assert store.default_id() == "first"


def test_admin_actions_are_in_the_audit_log(tmp_path):
    from xiaoneng import audit

    store = SnapshotStore(tmp_path / "snapshots")
    _publish_at(store, "first", AS_OF - dt.timedelta(days=30), by="cli:root")
    _publish_at(store, "second", AS_OF, by="admin1")
    store.set_default("second", by="admin2")
    store.withdraw("first", "重复导入", by="admin1")
    store.restore("first", by="admin2")
    log = list(audit.entries(tmp_path / "audit" / "audit.jsonl"))
    assert [(e["action"], e["user"], e["details"]["snapshot"]) for e in log] == [
        ("publish", "cli:root", "first"), ("publish", "admin1", "second"), ("set_default", "admin2", "second"),
        ("withdraw", "admin1", "first"), ("restore", "admin2", "first")]
    assert (log[0]["details"]["default"], log[1]["details"]["default"]) == (True, False)
    assert log[1]["details"]["rows"]["cases"] == 15 and log[2]["details"]["previous"] == "first"
    assert log[3]["details"]["reason"] == "重复导入"
    assert audit.verify(tmp_path / "audit" / "audit.jsonl") == []


def test_a_damaged_manifest_hides_that_snapshot_only(tmp_path):
    store = SnapshotStore(tmp_path)
    _publish_at(store, "good", AS_OF)
    broken = _publish_at(store, "broken", AS_OF - dt.timedelta(days=1))
    (broken.path / "manifest.json").write_text('{"as_of": "2026-10-', encoding="utf-8")
    assert [s.snapshot_id for s in store.list()] == ["good"]
    [damaged] = store.damaged()
    assert damaged.snapshot_id == "broken"
    assert damaged.error == f"{broken.path / 'manifest.json'}: Unterminated string starting at: line 1 column 11 " \
                            "(char 10)"
    with pytest.raises(SnapshotError, match="'broken' cannot be read, its manifest is damaged"):
        store.get("broken")
    (broken.path / "manifest.json").write_text('{"as_of": "2026-10-01T00:00:00"}', encoding="utf-8")
    assert store.damaged()[0].error.endswith("manifest.json: missing 'created_at'")


def test_a_damaged_state_file_hides_everything_from_lists_and_refuses_admin_actions(tmp_path):
    store = SnapshotStore(tmp_path)
    _publish_at(store, "good", AS_OF)
    (tmp_path / ".store.json").write_text("{not json", encoding="utf-8")
    assert store.list() == [] and store.default() is None
    [shown] = store.list(include_withdrawn=True)
    assert shown.withdrawn and "state file" in shown.withdrawal.reason
    with pytest.raises(SnapshotError, match=r"state file .* cannot be read"):
        store.set_default("good", by="admin1")
    with pytest.raises(SnapshotError, match=r"state file .* cannot be read"):
        _publish_at(store, "more", AS_OF)
    assert not store.exists("more")


def test_stale_staging_folders_are_removed_when_the_store_opens(tmp_path):
    import fcntl
    import os
    import time

    SnapshotStore(tmp_path)  # nothing to clean in an empty folder
    _publish_at(SnapshotStore(tmp_path), "good", AS_OF)
    stale = tmp_path / ".staging-killed-0123abcd"
    fresh = tmp_path / ".staging-starting-89abcdef"
    locked = tmp_path / ".staging-in-progress-77777777"
    for folder in (stale, fresh, locked):
        folder.mkdir()
        (folder / "cases.parquet").write_bytes(b"half")
    an_hour_ago = time.time() - 3600
    for folder in (stale, locked):
        os.utime(folder, (an_hour_ago, an_hour_ago))
    fd = os.open(locked, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a publish in another process holds it
    try:
        store = SnapshotStore(tmp_path)
    finally:
        os.close(fd)
    assert store.removed_staging == [".staging-killed-0123abcd"]
    assert not stale.exists() and fresh.exists() and locked.exists()
    assert [s.snapshot_id for s in store.list()] == ["good"]


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

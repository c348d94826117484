"""The demo's 整改台账 history (xiaoneng/ledger_demo.py) and the walk of issue 13's "Done when": the
October 通报 issued, then the November one, from the November snapshot of the same world, reports
which of October's units rectified."""

from __future__ import annotations

import argparse
import shutil

import pytest

from xiaoneng import audit, bulletin, demo, ledger, ledger_demo, offenders
from xiaoneng.filters import Filters, Period
from xiaoneng.metrics import SnapshotView
from xiaoneng.paths import reference_dir
from xiaoneng.snapshots import SnapshotStore

CASES = 40_000


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A data folder where ``python -m xiaoneng demo`` ran (with its history), plus November's snapshot."""
    data = tmp_path_factory.mktemp("demoledger")
    shutil.copytree(reference_dir(), data / "reference")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XIAONENG_DATA", str(data))
        parser = argparse.ArgumentParser()
        demo.add_cli(parser.add_subparsers(dest="command"))
        for argv in (["demo", "--cases", str(CASES)],
                     ["demo", "--cases", str(CASES), "--snapshot-id", "demo-1130", "--as-of", "2026-11-30"]):
            args = parser.parse_args(argv)
            assert args.run(args) == 0
    return data


@pytest.fixture
def data(folder, monkeypatch):
    monkeypatch.setenv("XIAONENG_DATA", str(folder))
    return folder


def view(folder, snapshot_id: str) -> SnapshotView:
    return SnapshotView(SnapshotStore(folder / "snapshots").get(snapshot_id))


def test_the_demo_ledger_has_two_issued_bulletins(data):
    store = SnapshotStore(data / "snapshots")
    assert store.default().snapshot_id == "demo"  # the September snapshot published after it stays second
    assert store.get("demo-0930").as_of.isoformat() == "2026-09-30T23:59:59"
    entries = ledger.read()
    issues = {e.issue_id: (e.period, e.snapshot_id, e.issued_at, e.issued_by) for e in entries}
    assert sorted(issues.values()) == [("2026-09", "demo-0930", "2026-10-08T01:00:00+00:00", "demo"),
                                       ("2026-10", "demo", "2026-11-02T01:00:00+00:00", "demo")]
    assert {e.deadline for e in entries if e.period == "2026-09"} == {"2026-10-20"}  # 10 working days after 9-30
    shown = ledger.for_people(ledger.evaluate(view(data, "demo"), entries))
    assert set(shown["印发时间（北京时间）"]) == {"2026-10-08 09:00", "2026-11-02 09:00"}
    logged = [e for e in audit.entries() if e["action"] == "issue_bulletin"]
    assert [(e["user"], e["details"]["period"]) for e in logged] == [("demo", "2026-09"), ("demo", "2026-10")]


def test_september_units_rectified_or_not_in_october(data):
    october = view(data, "demo")
    judged = ledger.evaluate(october, ledger.read())
    september = judged[judged["period"] == "2026-09"]
    # the deadline (10-20) has passed by 10-31: each entry either reached its target or is overdue
    assert set(september["state"]) == {"rectified", "overdue"}
    assert (judged.loc[judged["period"] == "2026-10", "state"] == "awaiting").all()
    # the October 通报's 五、 reports on every September entry, with its state
    followup = dict(bulletin.draft(october, Filters(Period.parse("2026-10"))).sections)["五、上期整改落实情况"]
    assert followup[0].startswith(f"2026年9月通报（数据截至2026年9月30日）要求整改的问题共{len(september)}项")
    counts = september["state"].value_counts()
    assert followup[-1] == (f"合计：已整改{counts['rectified']}项，有所改善0项，尚未改善0项，"
                            f"逾期未整改{counts['overdue']}项。")


def test_a_repeat_offender_in_october(data):
    october = view(data, "demo")
    filters = Filters(Period.parse("2026-10"))
    flagged = {by: offenders.flags(october, filters, by=by) for by in ("county", "dept")}
    assert any(flagged.values())
    september_black = {e.unit_code for e in ledger.read() if e.period == "2026-09" and e.indicator == "composite_score"}
    october_black = {e.unit_code for e in ledger.read() if e.period == "2026-10" and e.indicator == "composite_score"}
    # a unit on the 黑榜 in both issued 通报 is flagged 连续末位 with both months
    for code in september_black & october_black:
        assert any(flags.get(code) == "连续末位（2026年9月、2026年10月）" for flags in flagged.values())


def test_the_november_bulletin_reports_on_october(data, monkeypatch, tmp_path):
    monkeypatch.setattr(ledger, "ledger_file", lambda: tmp_path / "ledger.jsonl")
    shutil.copy(data / "ledger" / "ledger.jsonl", tmp_path / "ledger.jsonl")
    november = view(data, "demo-1130")
    # November's October is the default snapshot's October (the same world): the entries' values hold
    for e in (e for e in ledger.read() if e.period == "2026-10" and e.indicator == "on_time_rate"):
        now = ledger._unit_values(november, e.selection, e.kind, e.indicator)[e.unit_code]
        assert round(now, 6) == round(e.value, 6)
    _, entries = bulletin.issue(november, Filters(Period.parse("2026-11")), "zh", ledger_demo.ISSUER)
    assert entries and {e.period for e in entries} == {"2026-11"}
    october_entries = [e for e in ledger.read() if e.period == "2026-10"]
    judged = ledger.evaluate(november, october_entries)
    assert "awaiting" not in set(judged["state"]) and "rectified" in set(judged["state"])
    followup = dict(bulletin.draft(november, Filters(Period.parse("2026-11"))).sections)["五、上期整改落实情况"]
    assert followup[0].startswith(f"2026年10月通报（数据截至2026年10月31日）要求整改的问题共{len(october_entries)}项，"
                                  "截至2026年11月30日24:00")
    for line, row in zip(followup[1:-1], judged.itertuples(), strict=True):
        assert row.unit_name in line and ledger.state_text(row.state) in line


def test_a_ledger_with_entries_gets_no_demo_history(data, monkeypatch, tmp_path):
    monkeypatch.setattr(ledger, "ledger_file", lambda: tmp_path / "ledger.jsonl")
    shutil.copy(data / "ledger" / "ledger.jsonl", tmp_path / "ledger.jsonl")
    before = (tmp_path / "ledger.jsonl").read_bytes()
    assert ledger_demo.write_history(SnapshotStore(data / "snapshots"), build_september=None) == []
    assert (tmp_path / "ledger.jsonl").read_bytes() == before

"""整改台账 and 连续末位 on the hand-counted world of tests/ledgerworld.py (its docstring has the counts)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests import ledgerworld as world
from xiaoneng import audit, bulletin, ledger, offenders
from xiaoneng.filters import Filters, Period
from xiaoneng.metrics import SnapshotView
from xiaoneng.paths import REPO_ROOT

OCTOBER, NOVEMBER = Filters(Period.parse("2026-10")), Filters(Period.parse("2026-11"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    data = tmp_path_factory.mktemp("ledgerdata")
    for snapshot_id, as_of in (("oct", world.OCTOBER_AS_OF), ("midnov", world.MID_NOVEMBER_AS_OF),
                               ("nov", world.NOVEMBER_AS_OF)):
        world.publish(data / "snapshots", snapshot_id, as_of)
    return data


@pytest.fixture
def data(folder, monkeypatch, tmp_path):
    """The world's snapshots with an empty ledger and audit log of this test's own."""
    monkeypatch.setenv("XIAONENG_DATA", str(folder))
    monkeypatch.setattr(ledger, "ledger_file", lambda: tmp_path / "ledger.jsonl")
    monkeypatch.setattr(audit, "audit_file", lambda: tmp_path / "audit.jsonl")
    return folder


def view(folder, snapshot_id: str) -> SnapshotView:
    from xiaoneng.snapshots import SnapshotStore

    return SnapshotView(SnapshotStore(folder / "snapshots").get(snapshot_id))


def entry(unit_code: str, kind: str, value: float, deadline: str, seq: int) -> ledger.Entry:
    return ledger.Entry(
        issue_id="hand", seq=seq, issued_at="2026-10-31T01:00:00+00:00", issued_by="tester", issuer_scope=None,
        snapshot_id="oct", as_of="2026-10-30T17:00:00", period="2026-10", filters=(), title="t", kind=kind,
        unit_code=unit_code, unit_name=unit_code, counties=(unit_code,) if kind == "county" else (),
        indicator="on_time_rate", value=value, target=95.0, reason="r", deadline=deadline)


# November (docstring): C03 29/30 = 96.7 %, D02 40/45 = 88.9 %, C02 28/30 = 93.3 %, C01 28/30 = 93.3 %.
ENTRIES = [
    entry("C03", "county", 70.0, "2026-12-15", 1),  # 70.0 → 96.7 ≥ 95: rectified
    entry("D02", "dept", 84.4, "2026-12-15", 2),  # 84.4 → 88.9: better, not there: improving
    entry("C02", "county", 93.3, "2026-12-15", 3),  # 93.3 → 93.3 (as shown): no better
    entry("C01", "county", 93.5, "2026-11-13", 4),  # 93.5 → 93.3: worse; deadline 11-13 passed by 11-30
]


def test_evaluation_across_two_snapshots(data):
    mid = ledger.evaluate(view(data, "midnov"), ENTRIES)
    end = ledger.evaluate(view(data, "nov"), ENTRIES)
    assert list(mid["state"]) == ["rectified", "improving", "not_rectified", "not_rectified"]
    assert list(end["state"]) == ["rectified", "improving", "not_rectified", "overdue"]
    assert [round(v, 2) for v in end["now"]] == [96.67, 88.89, 93.33, 93.33]
    assert list(end["evaluation_period"]) == ["2026-11"] * 4
    # the October snapshot has not reached November: nothing to judge yet
    assert list(ledger.evaluate(view(data, "oct"), ENTRIES)["state"]) == ["awaiting"] * 4


def test_repeat_offenders_last_two_months(data):
    october = view(data, "oct")
    counties = offenders.repeat_offenders(october, OCTOBER, by="county")
    departments = offenders.repeat_offenders(october, OCTOBER, by="dept")
    assert counties[["unit_code", "periods", "grounds"]].values.tolist() == [
        ["C03", ("2026-09", "2026-10"), ("black", "black")]]
    assert departments[["unit_code", "periods", "grounds"]].values.tolist() == [
        ["D02", ("2026-09", "2026-10"), ("black", "black")]]
    assert offenders.flags(october, OCTOBER, by="county") == {"C03": "连续末位（2026年9月、2026年10月）"}
    # in November C03 is first: only D02 is still at the bottom (October and November)
    november = view(data, "nov")
    assert offenders.repeat_offenders(november, NOVEMBER, by="county").empty
    assert offenders.flags(november, NOVEMBER, by="dept") == {"D02": "连续末位（2026年10月、2026年11月）"}
    paragraphs = dict(bulletin.draft(october, OCTOBER).sections)["二、红黑榜"]
    assert paragraphs[-2:] == ("连续2期末位的区县1个：丙县（2026年9月、2026年10月，列入区县黑榜）。",
                               "连续2期末位的部门1个：人社局（2026年9月、2026年10月，列入部门黑榜）。")


def test_issue_then_followup_sentences(data):
    _, entries = bulletin.issue(view(data, "oct"), OCTOBER)
    assert [(e.unit_code, e.indicator, round(e.value, 1), round(e.target, 1), e.deadline) for e in entries] == [
        ("C03", "composite_score", 83.2, 99.2, "2026-11-13"),  # the 黑榜 line: C02's 99.2
        ("D02", "composite_score", 95.0, 98.2, "2026-11-13"),  # 10-30 + 10 working days
    ]
    issued = [e for e in audit.entries() if e["action"] == "issue_bulletin"]
    assert [(e["details"]["period"], e["details"]["entries"]) for e in issued] == [("2026-10", 2)]
    sections = dict(bulletin.draft(view(data, "nov"), NOVEMBER).sections)
    assert sections["五、上期整改落实情况"] == (
        "2026年10月通报（数据截至2026年10月30日）要求整改的问题共2项，截至2026年11月30日17:00落实情况如下：",
        "1. 丙县，列入区县黑榜（83.2分）：综合绩效得分由83.2分变为100.0分（目标99.2分），已整改到位。",
        "2. 人社局，列入部门黑榜（95.0分）：综合绩效得分由95.0分变为97.1分（目标98.2分），"
        "逾期未整改（整改期限2026年11月13日已过）。",
        "合计：已整改1项，有所改善0项，尚未改善0项，逾期未整改1项。",
    )
    # no section before anything was issued for an earlier period
    assert "五、上期整改落实情况" not in dict(bulletin.draft(view(data, "oct"), OCTOBER).sections)


def test_ledger_is_only_appended(data, tmp_path):
    bulletin.issue(view(data, "oct"), OCTOBER)
    first = (tmp_path / "ledger.jsonl").read_bytes()
    bulletin.issue(view(data, "nov"), NOVEMBER)
    after = (tmp_path / "ledger.jsonl").read_bytes()
    assert after.startswith(first)
    assert (first.count(b"\n"), after.count(b"\n")) == (2, 5)  # November names 乙县, 甲县 and 人社局
    assert [e.period for e in ledger.read()] == ["2026-10"] * 2 + ["2026-11"] * 3
    # re-issuing October supersedes the first October issue; its lines stay in the file
    bulletin.issue(view(data, "oct"), OCTOBER)
    assert (tmp_path / "ledger.jsonl").read_bytes().startswith(after)
    current = ledger.current(ledger.read())
    assert len(ledger.read()) == 7 and len(current) == 5
    assert {e.issue_id for e in current if e.period == "2026-10"} == {ledger.read()[-1].issue_id}


def test_county_user_sees_own_county_entries(data):
    _, entries = bulletin.issue(view(data, "oct"), OCTOBER)
    from xiaoneng.filters import Scope

    assert [e.unit_code for e in ledger.visible(entries, Scope(("C03",)))] == ["C03"]
    assert ledger.visible(entries, Scope(("C02",))) == []  # 人社局 of the whole city is not C02's alone


def test_cli_issue_writes_the_entries(folder, tmp_path):
    out = tmp_path / "oct.txt"
    env = {"XIAONENG_DATA": str(folder), "PATH": "/usr/bin:/bin"}
    ledger_path = folder / "ledger" / "ledger.jsonl"
    before = ledger_path.read_bytes().count(b"\n") if ledger_path.exists() else 0
    done = subprocess.run([sys.executable, "-m", "xiaoneng", "bulletin", "--snapshot", "oct", "--period", "2026-10",
                           "--out", str(out), "--issue"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    lines = ledger_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) - before == 2
    written = [json.loads(line) for line in lines[before:]]
    assert [(e["unit_code"], e["issued_by"][:4]) for e in written] == [("C03", "cli:"), ("D02", "cli:")]
    assert "已印发：2 条整改台账记录" in done.stdout


def test_the_deck_ranking_names_the_repeat_offender(data):
    from xiaoneng import briefing

    config = briefing.meeting_config()
    ranking = briefing.county_ranking(view(data, "oct"), OCTOBER, "zh", config, briefing.ViewSpec("county_ranking"))
    assert ranking.takeaway.endswith("连续2期末位的区县1个：丙县（2026年9月、2026年10月，列入区县黑榜）。")


def test_the_rankings_and_the_profile_carry_the_flag(data):
    from xiaoneng import overview, profile, scorecard

    october = view(data, "oct")
    flags = offenders.flags(october, OCTOBER, by="county")
    card = scorecard.ranking_with_breakdown(october, OCTOBER, by="county")
    table = scorecard.scorecard_table(card, flags=flags)
    assert dict(zip(table["unit_name"], table["repeat_offender"], strict=True)) == {
        "甲县": "", "乙县": "", "丙县": "连续末位（2026年9月、2026年10月）"}
    assert "repeat_offender" not in scorecard.scorecard_table(card)
    assert "repeat_offender" not in scorecard.scorecard_table(card, flags={})  # nobody flagged: no column
    assert scorecard.scorecard_export(card, "county", "zh", flags).loc[
        lambda f: f["区县"] == "丙县", "连续末位"].tolist() == ["连续末位（2026年9月、2026年10月）"]
    shown = overview.ranking_table(overview.county_ranking(october, OCTOBER), "zh", flags).data
    assert dict(zip(shown["区县"], shown["连续末位"], strict=True))["丙县"] == "连续末位（2026年9月、2026年10月）"
    assert profile.repeat_offender_note(october, OCTOBER, level="county", county="C03") == \
        "丙县连续末位（2026年9月、2026年10月）。"
    assert profile.repeat_offender_note(october, OCTOBER, level="dept", dept="D02") == \
        "人社局连续末位（2026年9月、2026年10月）。"
    assert profile.repeat_offender_note(october, OCTOBER, level="county", county="C01") == ""
    assert profile.repeat_offender_note(october, OCTOBER, level="county,dept", county="C03", dept="D02") == ""

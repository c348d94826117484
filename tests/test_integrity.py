"""数据真实性核查 (xiaoneng.integrity) counted by hand on a small fixture, the county scope, the CLI report,
and the demo's planted stories.

The fixture: tests/handcount.py's counties (C01, C02), departments (D01, D02) and items (I01 promised 10,
I02 promised 5, I03 immediate, I04 promised 3), snapshot time Friday 2026-10-30 17:00, and these October
2026 cases. The calendar: holidays 10-01..10-07, make-up working Saturday 10-10.

intake_wait (more than 3 working days from received to accepted, wd_index difference):
  W1 C01·D01 received Wed 09-30, accepted Fri 10-09: 10-08, 10-09 → 2 (seven weekdays, but the holiday week)
  W2 C01·D01 received Tue 09-29, accepted Mon 10-12: 09-30, 10-08, 10-09, 10-10 (make-up), 10-12 → 5  TRIPS
  W3 C02·D01 received Fri 10-09, accepted Wed 10-14: 10-10, 10-12, 10-13, 10-14 → 4                  TRIPS
  W4 C02·D01 received Mon 10-12, accepted Thu 10-15 → 3 (not more than 3)
  accepted in October: C01·D01 W1 W2 F2 F4 = 4, C02·D01 W3 W4 F6 F8 = 4 (F1 F3 F5 F7 were refused)
quick_batch (promised ≥ 1 wd, completed ≤ 15 minutes after acceptance, ≥ 3 such by the unit that day):
  Q1 Q2 Q3 C01·D02 I04 on 10-20 in 5, 10 and 15 minutes: a batch of 3                             TRIP
  Q4 I04 10-21 in 5 minutes, alone that day; Q5 I03 (immediate) 10-20 in 3 minutes; Q6 I04 10-20 in 16 minutes
  promised completions of C01·D02: Q1 Q2 Q3 Q4 Q6 = 5 → share 3/5
deadline_rush (completed in the 60 minutes before the deadline time, before the close of its day):
  D1 C02·D02 derived deadline Thu 10-15 (3 wd after Mon 10-12), completed 23:30: 30 minutes before   TRIPS
  D2 system deadline 10-15 18:00, completed 17:10: 50 minutes before                               TRIPS
  D3 system deadline 18:00, completed 16:30 (90 minutes); D4 derived, 22:50 (69 minutes); D5 10-16 00:10 (late)
  promised completions with a deadline of C02·D02: D1–D5 = 5 → share 2/5
resubmission (refused, the same applicant and item accepted within 3 wd of the refusal's day):
  F1 C01·D01 I02 refused Fri 10-09 (A1) → F2 I02 accepted Tue 10-13 (A1): 10-10, 10-12, 10-13 = 3   TRIPS
  F3 C01·D01 I02 refused 10-20 (A2) → F4 is I01: another item
  F5 C02·D01 I02 refused Mon 10-26 (A3) → F6 accepted Fri 10-30: 4 wd
  F7 C02·D01 I02 refused Wed 10-28 (A4) → F8 accepted Thu 10-29: 1 wd                              TRIPS
  refused in October: C01·D01 F1 F3, C02·D01 F5 F7 → shares 1/2
suspension_share (accepted in October, promised ≥ 3): C01·D01 W1 (I01, suspended) W2 F4 (I01) F2 (I02) → 4,
  1 suspended; C02·D01 W3 W4 F6 F8 (I02) → 4, 0; C01·D02 Q1–Q4 Q6 S1 S2 (I04; S1 S2 suspended) → 7, 2;
  C02·D02 D1–D5 (I04) → 5, 0. Norms over the other units: I01 has none (only C01·D01), I02's is 0 of 4 for
  C01·D01, I04's is 0 of 5 for C01·D02. C01·D01: expected 0 over its one compared case (F2), none of
  its compared cases suspended → ratio undefined, z 0; C01·D02: expected 0, 2 suspended → ratio ∞, z 2.
unfounded_share (bad reviews verified in October): C01·D01 B1 B2 unfounded, B3 pending → 2 of 3;
  C02·D01 B6 unfounded, B4 B5 pending, B7 rectified → 1 of 4; B8 (unverified), B9 (score 4) and B10
  (verified 09-30) are outside. C01·D01: peers 1/4 → expected 0.75, ratio 8/3, z 1.25; C02·D01: peers 2/3
  → expected 8/3, ratio 0.375, z (1 − 8/3) ÷ √(8/3).
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pyarrow as pa
import pytest

from tests.handcount import AS_OF, T, _rating, reference_tables
from xiaoneng import demo, integrity, integrity_demo
from xiaoneng.filters import Filters, Period, Scope
from xiaoneng.metrics import SnapshotView
from xiaoneng.paths import REPO_ROOT
from xiaoneng.reference import load_calendar_days
from xiaoneng.schema import FACT_TABLES
from xiaoneng.snapshots import SnapshotStore

OCTOBER = Filters(Period.parse("2026-10"))
LIMITS = {"I01": (10, 20), "I02": (5, 15), "I03": (0, 5), "I04": (3, 10)}


def _case(case_id, item, county, dept, accepted, completed=None, status=None, suspended=0, deadline=None,
          received=None, applicant=None):
    promised, legal = LIMITS[item]
    return {
        "case_id": case_id, "item_code": item, "county_code": county, "dept_code": dept, "channel": "window",
        "applicant_type": "person", "received_at": T(received or accepted), "accepted_at": T(accepted),
        "completed_at": T(completed) if completed else None, "deadline_at": T(deadline) if deadline else None,
        "status": status or ("completed" if completed else "in_progress"), "suspended_wd": suspended,
        "promised_limit_wd": promised, "legal_limit_wd": legal, "applicant_id": applicant,
    }


CASES = [
    _case("W1", "I01", "C01", "D01", "2026-10-09 09:00", received="2026-09-30 10:00", suspended=1),
    _case("W2", "I01", "C01", "D01", "2026-10-12 09:00", received="2026-09-29 10:00"),
    _case("W3", "I02", "C02", "D01", "2026-10-14 09:00", received="2026-10-09 09:00"),
    _case("W4", "I02", "C02", "D01", "2026-10-15 09:00", received="2026-10-12 09:00"),
    _case("Q1", "I04", "C01", "D02", "2026-10-20 09:00", "2026-10-20 09:05"),
    _case("Q2", "I04", "C01", "D02", "2026-10-20 09:30", "2026-10-20 09:40"),
    _case("Q3", "I04", "C01", "D02", "2026-10-20 10:00", "2026-10-20 10:15"),
    _case("Q4", "I04", "C01", "D02", "2026-10-21 09:00", "2026-10-21 09:05"),
    _case("Q5", "I03", "C01", "D02", "2026-10-20 11:00", "2026-10-20 11:03"),
    _case("Q6", "I04", "C01", "D02", "2026-10-20 14:00", "2026-10-20 14:16"),
    _case("S1", "I04", "C01", "D02", "2026-10-26 10:00", suspended=2),
    _case("S2", "I04", "C01", "D02", "2026-10-27 10:00", suspended=2),
    _case("D1", "I04", "C02", "D02", "2026-10-12 10:00", "2026-10-15 23:30"),
    _case("D2", "I04", "C02", "D02", "2026-10-12 10:00", "2026-10-15 17:10", deadline="2026-10-15 18:00"),
    _case("D3", "I04", "C02", "D02", "2026-10-12 11:00", "2026-10-15 16:30", deadline="2026-10-15 18:00"),
    _case("D4", "I04", "C02", "D02", "2026-10-12 11:00", "2026-10-15 22:50"),
    _case("D5", "I04", "C02", "D02", "2026-10-12 12:00", "2026-10-16 00:10"),
    _case("F1", "I02", "C01", "D01", "2026-10-09 09:00", "2026-10-09 09:20", "refused", applicant="A1"),
    _case("F2", "I02", "C01", "D01", "2026-10-13 10:00", applicant="A1"),
    _case("F3", "I02", "C01", "D01", "2026-10-20 09:00", "2026-10-20 09:10", "refused", applicant="A2"),
    _case("F4", "I01", "C01", "D01", "2026-10-21 10:00", applicant="A2"),
    _case("F5", "I02", "C02", "D01", "2026-10-26 09:00", "2026-10-26 09:15", "refused", applicant="A3"),
    _case("F6", "I02", "C02", "D01", "2026-10-30 16:00", applicant="A3"),
    _case("F7", "I02", "C02", "D01", "2026-10-28 09:00", "2026-10-28 09:10", "refused", applicant="A4"),
    _case("F8", "I02", "C02", "D01", "2026-10-29 10:00", applicant="A4"),
]

RATINGS = [
    _rating("B1", None, "C01", "D01", None, "hotline", "2026-10-12 09:00", 1, verified="2026-10-13 09:00",
            status="unfounded"),
    _rating("B2", None, "C01", "D01", None, "sms", "2026-10-14 09:00", 2, verified="2026-10-15 09:00",
            status="unfounded"),
    _rating("B3", None, "C01", "D01", None, "hotline", "2026-10-14 10:00", 1, verified="2026-10-15 10:00",
            due="2026-10-25 17:00", status="pending"),
    _rating("B4", None, "C02", "D01", None, "hotline", "2026-10-12 09:00", 2, verified="2026-10-13 09:00",
            due="2026-10-28 17:00", status="pending"),
    _rating("B5", None, "C02", "D01", None, "hotline", "2026-10-13 09:00", 1, verified="2026-10-14 09:00",
            due="2026-10-29 17:00", status="pending"),
    _rating("B6", None, "C02", "D01", None, "sms", "2026-10-15 09:00", 2, verified="2026-10-16 09:00",
            status="unfounded"),
    _rating("B7", None, "C02", "D01", None, "hotline", "2026-10-15 10:00", 1, verified="2026-10-16 10:00",
            due="2026-10-26 17:00", rectified="2026-10-20 10:00", status="rectified", revisit=4),
    _rating("B8", None, "C02", "D02", None, "hotline", "2026-10-20 09:00", 2, status="pending"),
    _rating("B9", None, "C02", "D02", None, "window", "2026-10-20 09:30", 4),
    _rating("B10", None, "C01", "D01", None, "hotline", "2026-09-28 09:00", 1, verified="2026-09-30 09:00",
            status="unfounded"),
]


def publish_integrity_fixture(root: Path, snapshot_id: str = "integrity", applicant_ids: bool = True) -> None:
    """Publish the fixture into the store at ``root`` (without applicant codes when ``applicant_ids`` is False)."""
    cases = [c if applicant_ids else {**c, "applicant_id": None} for c in CASES]
    facts = {"cases": pa.Table.from_pylist(cases, schema=FACT_TABLES["cases"].arrow_schema()),
             "ratings": pa.Table.from_pylist(RATINGS, schema=FACT_TABLES["ratings"].arrow_schema())}
    SnapshotStore(root).publish(snapshot_id, as_of=AS_OF, reference=reference_tables(),
                                calendar_days=load_calendar_days(REPO_ROOT / "data" / "reference"),
                                facts=facts, producer="tests/test_integrity.py")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> SnapshotStore:
    root = tmp_path_factory.mktemp("integrity") / "snapshots"
    publish_integrity_fixture(root)
    publish_integrity_fixture(root, "no-applicants", applicant_ids=False)
    return SnapshotStore(root)


@pytest.fixture(scope="module")
def view(store) -> SnapshotView:
    return SnapshotView(store.get("integrity"))


def rows(frame, *columns) -> list[tuple]:
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def test_intake_wait_counts_working_days_from_the_calendar(view):
    units = integrity.check_units(view, OCTOBER, check="intake_wait")
    assert rows(units, "county_code", "dept_code", "tripped", "base", "share", "flagged") == [
        ("C01", "D01", 1, 4, 0.25, False), ("C02", "D01", 1, 4, 0.25, False)]
    cases = integrity.check_cases(view, OCTOBER, check="intake_wait")
    assert rows(cases, "case_id", "wait_wd") == [("W2", 5), ("W3", 4)]
    assert units["county_name"].tolist() == ["甲区", "乙县"]


def test_quick_batch(view):
    units = integrity.check_units(view, OCTOBER, check="quick_batch")
    assert rows(units, "county_code", "dept_code", "tripped", "base", "share") == [("C01", "D02", 3, 5, 0.6)]
    cases = integrity.check_cases(view, OCTOBER, check="quick_batch", county_code="C01", dept_code="D02")
    assert rows(cases, "case_id", "minutes", "batch_size") == [("Q1", 5.0, 3), ("Q2", 10.0, 3), ("Q3", 15.0, 3)]


def test_deadline_rush(view):
    units = integrity.check_units(view, OCTOBER, check="deadline_rush")
    assert rows(units, "county_code", "dept_code", "tripped", "base", "share") == [("C02", "D02", 2, 5, 0.4)]
    cases = integrity.check_cases(view, OCTOBER, "en", check="deadline_rush")
    assert rows(cases, "case_id", "minutes_before") == [("D2", 50.0), ("D1", 30.0)]
    assert cases["status"].tolist() == ["completed", "completed"]  # the catalog's supervision.status


def test_resubmission(view):
    units = integrity.check_units(view, OCTOBER, check="resubmission")
    assert rows(units, "county_code", "dept_code", "tripped", "base", "share") == [
        ("C01", "D01", 1, 2, 0.5), ("C02", "D01", 1, 2, 0.5)]
    cases = integrity.check_cases(view, OCTOBER, check="resubmission")
    assert rows(cases, "case_id", "resubmitted_case_id", "gap_wd") == [("F1", "F2", 3), ("F7", "F8", 1)]


def test_resubmission_needs_applicant_codes(store):
    bare = SnapshotView(store.get("no-applicants"))
    assert not integrity.applicant_ids_available(bare, OCTOBER)
    assert integrity.check_units(bare, OCTOBER, check="resubmission").empty
    row = integrity.summary(bare, OCTOBER).set_index("check").loc["resubmission"]
    assert (bool(row["available"]), int(row["tripped"])) == (False, 0)
    assert "applicant_id" in integrity.report_text(bare, OCTOBER)


def test_suspension_share_against_the_items_norm_in_other_units(view):
    units = integrity.check_units(view, OCTOBER, check="suspension_share")
    assert rows(units, "county_code", "dept_code", "tripped", "base") == [("C01", "D02", 2, 7), ("C01", "D01", 1, 4)]
    first, second = units.iloc[0], units.iloc[1]
    assert (first["expected"], first["ratio"], first["z"]) == (0.0, math.inf, 2.0)
    assert first["share"] == pytest.approx(2 / 7)
    assert (second["expected"], second["z"]) == (0.0, 0.0) and math.isnan(second["ratio"])
    assert not units["flagged"].any()  # config: at least 10 suspended cases
    cases = integrity.check_cases(view, OCTOBER, check="suspension_share", county_code="C01", dept_code="D02")
    assert rows(cases, "case_id", "suspended_wd") == [("S1", 2), ("S2", 2)]


def test_unfounded_share_against_the_other_units(view):
    units = integrity.check_units(view, OCTOBER, check="unfounded_share")
    assert rows(units, "county_code", "dept_code", "tripped", "base") == [("C01", "D01", 2, 3), ("C02", "D01", 1, 4)]
    assert units["expected"].tolist() == pytest.approx([0.75, 8 / 3])
    assert units["ratio"].tolist() == pytest.approx([8 / 3, 0.375])
    assert units["z"].tolist() == pytest.approx([1.25, (1 - 8 / 3) / math.sqrt(8 / 3)])
    reviews = integrity.check_cases(view, OCTOBER, check="unfounded_share", county_code="C01", dept_code="D01")
    assert reviews["rating_id"].tolist() == ["B1", "B2"]
    assert reviews["channel"].tolist() == ["12345热线", "短信"]


def test_flag_conditions_all_apply(view, monkeypatch):
    specs = integrity.checks()
    strict = dataclasses.replace(specs["unfounded_share"], flag={"min_cases": 2, "min_ratio": 2.5, "min_z": 1.0})
    monkeypatch.setattr(integrity, "checks", lambda: {**specs, "unfounded_share": strict})
    units = integrity.check_units(view, OCTOBER, check="unfounded_share")
    assert rows(units, "county_code", "dept_code", "flagged") == [("C01", "D01", True), ("C02", "D01", False)]
    loose = dataclasses.replace(specs["intake_wait"], flag={"min_cases": 1, "min_share": 0.25})
    monkeypatch.setattr(integrity, "checks", lambda: {**specs, "intake_wait": loose})
    assert integrity.check_units(view, OCTOBER, check="intake_wait")["flagged"].tolist() == [True, True]


def test_county_scope_sees_only_its_units(view):
    c02 = SnapshotView(view.info, Scope(("C02",)))
    found = {key: rows(integrity.check_units(c02, OCTOBER, check=key), "county_code", "dept_code", "tripped")
             for key in integrity.CHECKS}
    assert found == {
        "intake_wait": [("C02", "D01", 1)],
        "suspension_share": [],
        "quick_batch": [],
        "deadline_rush": [("C02", "D02", 2)],
        "resubmission": [("C02", "D01", 1)],
        "unfounded_share": [("C02", "D01", 1)],
    }
    alone = integrity.check_units(c02, OCTOBER, check="unfounded_share").iloc[0]
    assert math.isnan(alone["expected"]) and not alone["flagged"]  # no other unit in view: no norm
    assert integrity.check_cases(c02, OCTOBER, check="intake_wait")["case_id"].tolist() == ["W3"]


def test_periods_without_data(view):
    before = Filters(Period.parse("2024-01"))
    assert all(integrity.check_units(view, before, check=key).empty for key in integrity.CHECKS)
    # the cases begin in October, so September is outside the coverage (无数据): B10 (verified 09-30) is not shown
    september = integrity.summary(view, Filters(Period.parse("2026-09")))
    assert september["tripped"].tolist() == [0] * len(integrity.CHECKS)
    assert integrity.report_text(view, before).endswith("无数据：本快照没有该统计期的数据。")


def test_summary_and_rules(view):
    summary = integrity.summary(view, OCTOBER)
    assert rows(summary, "check", "tripped", "units", "flagged_units") == [
        ("intake_wait", 2, 2, 0), ("suspension_share", 3, 2, 0), ("quick_batch", 3, 1, 0),
        ("deadline_rush", 2, 1, 0), ("resubmission", 2, 2, 0), ("unfounded_share", 3, 2, 0)]
    assert integrity.checks()["intake_wait"].text("rule", "zh").startswith("申请至受理间隔超过 3 个工作日")
    assert integrity.checks()["unfounded_share"].text("rule", "en").startswith("Bad reviews found unfounded")
    assert integrity.checks()["intake_wait"].flag_text("zh") == "件数 ≥ 5，且占比 ≥ 5%"


def test_cli_report(store, monkeypatch, capsys):
    from xiaoneng.cli import main

    monkeypatch.setenv("XIAONENG_DATA", str(store.root.parent))
    assert main(["integrity", "--snapshot", "integrity", "--period", "2026-10", "--county", "乙县"]) == 0
    out = capsys.readouterr().out
    assert "## 受理前等待过长（体外循环）" in out
    assert "  乙县 市场监管局：1 件 / 基数 4（25.0%）" in out
    assert "甲区" not in out
    assert main(["integrity", "--snapshot", "integrity", "--county", "C09"]) == 2
    assert "C09" in capsys.readouterr().err


# ---------------------------------------------------------------- the demo's planted stories

# The planted quick batches need several cases of one unit on one day, the unfounded reviews a few bad
# reviews a period: at this size each story shows in a quarter; the full demo (500,000) shows each in every
# month from July 2026 and nothing else above a threshold in any month (checked when the stories were tuned).
DEMO_CASES = 200_000


@pytest.fixture(scope="module")
def demo_view(tmp_path_factory) -> SnapshotView:
    store = SnapshotStore(tmp_path_factory.mktemp("demo") / "snapshots")
    return SnapshotView(demo.build_demo_snapshot(store, "demo-integrity", cases=DEMO_CASES))


@pytest.mark.parametrize("period", ["2026-Q3", "2026-07-01..2026-10-31"])
def test_the_demo_stories_are_found_and_nothing_else(demo_view, period):
    filters = Filters(Period.parse(period))
    for key in integrity.CHECKS:
        units = integrity.check_units(demo_view, filters, check=key)
        flagged = rows(units[units["flagged"]], "county_code", "dept_code")
        assert flagged == [integrity_demo.STORY_UNITS[key]], (period, key, units.head(3).to_dict("records"))
        if key in integrity.CASE_CHECKS:  # the rules trip nowhere else in the ordinary city
            assert rows(units, "county_code", "dept_code") == [integrity_demo.STORY_UNITS[key]], (period, key)


def test_the_demo_before_the_stories_trips_nothing(demo_view):
    summary = integrity.summary(demo_view, Filters(Period.parse("2026-06")))
    assert summary["flagged_units"].tolist() == [0] * len(integrity.CHECKS)
    assert summary.set_index("check").loc[list(integrity.CASE_CHECKS), "tripped"].tolist() == [0, 0, 0, 0]


def test_the_report_writes_counts_with_thousands_separators(demo_view):
    report = integrity.report_text(demo_view, Filters(Period.parse("2026")))
    bases = re.findall(r"基数 ([\d,]+)", report)
    assert any(len(base) > 3 for base in bases), bases  # the 200k demo has bases in the thousands
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", base) for base in bases), bases

"""cut_at: hand-built rows, one rule of the cut each (product.md §3, "States at a time")."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from xiaoneng.asof import cut_at, wave_end
from xiaoneng.schema import FACT_TABLES

CUT = dt.datetime(2026, 9, 30, 23, 59, 59)


def T(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _table(name: str, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=FACT_TABLES[name].arrow_schema())


def _by(table: pa.Table, key: str) -> dict[str, dict]:
    return {row[key]: row for row in table.to_pylist()}


def _case(case_id: str, status: str, accepted: str, completed: str | None, **extra) -> dict:
    return {"case_id": case_id, "item_code": "D01-001", "county_code": "C01", "dept_code": "D01",
            "channel": "window", "applicant_type": "person", "received_at": T(accepted) - dt.timedelta(minutes=10),
            "accepted_at": T(accepted), "completed_at": T(completed) if completed else None,
            "deadline_at": T("2026-10-15 23:59:59"), "status": status, "suspended_wd": 2,
            "promised_limit_wd": 10, "legal_limit_wd": 20, **extra}


CASES = [
    _case("done-before", "completed", "2026-09-01 09:00", "2026-09-20 10:00"),
    _case("done-at-cut", "completed", "2026-09-01 09:00", "2026-09-30 23:59:59"),
    _case("done-after", "completed", "2026-09-01 09:00", "2026-10-05 10:00"),
    _case("denied-after", "denied", "2026-09-10 09:00", "2026-10-12 16:00"),
    _case("withdrawn-after", "withdrawn", "2026-09-10 09:00", "2026-10-02 11:00"),
    _case("open", "in_progress", "2026-09-25 09:00", None),
    _case("accepted-after", "completed", "2026-10-08 09:00", "2026-10-09 09:00"),
    _case("received-after", "completed", "2026-09-30 09:00", "2026-09-30 12:00",
          received_at=T("2026-10-01 08:00")),
    _case("refused-before", "refused", "2026-09-29 09:00", "2026-09-29 09:40", deadline_at=None, suspended_wd=0),
    _case("refused-after", "refused", "2026-09-30 17:00", "2026-10-08 10:00", deadline_at=None, suspended_wd=0),
]


def _step(case_id: str, no: int, started: str, ended: str | None) -> dict:
    return {"case_id": case_id, "step_no": no, "step_name": "受理" if no == 1 else "审核",
            "handler_post": "D01-受理岗-1", "handler_id": "H10001", "started_at": T(started),
            "ended_at": T(ended) if ended else None, "step_limit_wd": 0 if no == 1 else 10}


STEPS = [
    _step("done-after", 1, "2026-09-01 09:00", "2026-09-01 09:10"),
    _step("done-after", 2, "2026-09-01 09:10", "2026-09-28 15:00"),
    _step("done-after", 3, "2026-09-28 15:00", "2026-10-05 10:00"),
    _step("open", 1, "2026-09-25 09:00", "2026-09-25 09:05"),
    _step("open", 2, "2026-09-25 09:05", "2026-10-02 10:00"),
    _step("open", 3, "2026-10-02 10:00", None),
    _step("refused-after", 1, "2026-09-30 17:00", "2026-10-08 10:00"),
    _step("refused-before", 1, "2026-09-29 09:00", "2026-09-29 09:40"),
    _step("accepted-after", 1, "2026-10-08 09:00", "2026-10-08 09:10"),
]


def _rating(rating_id: str, score: int, rated: str, verified: str | None = None, due: str | None = None,
            rectified: str | None = None, status: str | None = None, revisit: int | None = None) -> dict:
    return {"rating_id": rating_id, "case_id": None, "county_code": "C01", "dept_code": "D01", "item_code": None,
            "channel": "hotline", "rated_at": T(rated), "score": score, "reason_tags": None, "comment": None,
            "verified_at": T(verified) if verified else None, "rectify_due_at": T(due) if due else None,
            "rectified_at": T(rectified) if rectified else None, "rectify_status": status, "revisit_score": revisit}


RATINGS = [
    _rating("good", 5, "2026-09-10 10:00"),
    _rating("rated-after", 1, "2026-10-02 10:00"),
    _rating("rectified-before", 2, "2026-09-01 10:00", "2026-09-02 10:00", "2026-09-12 23:59:59",
            "2026-09-08 10:00", "rectified", 4),
    _rating("rectified-after", 1, "2026-09-20 10:00", "2026-09-21 10:00", "2026-10-01 23:59:59",
            "2026-10-03 10:00", "rectified", 5),
    _rating("verified-after", 2, "2026-09-30 16:00", "2026-10-01 09:00", "2026-10-11 23:59:59",
            "2026-10-06 10:00", "rectified", 3),
    _rating("unfounded-after", 1, "2026-09-30 18:00", "2026-10-02 09:00", None, None, "unfounded"),
    _rating("unfounded-before", 1, "2026-09-10 18:00", "2026-09-11 09:00", None, None, "unfounded"),
    _rating("pending", 2, "2026-09-25 10:00", "2026-09-26 10:00", "2026-10-06 23:59:59", None, "pending"),
]


def _task(task_id: str, assigned: str, completed: str | None) -> dict:
    return {"task_id": task_id, "source": "meeting", "county_code": "C01", "dept_code": "D01", "title": "督办",
            "assigned_at": T(assigned), "due_at": T("2026-10-20 23:59:59"),
            "completed_at": T(completed) if completed else None,
            "status": "completed" if completed else "in_progress"}


TASKS = [
    _task("done-before", "2026-09-01 10:00", "2026-09-15 10:00"),
    _task("done-after", "2026-09-01 10:00", "2026-10-15 10:00"),
    _task("open", "2026-09-01 10:00", None),
    _task("assigned-after", "2026-10-10 10:00", "2026-10-12 10:00"),
]

WAVES = ("2025H1", "2025H2", "2026H1", "2026H2")


def _surveys() -> pa.Table:
    return _table("surveys", [{"response_id": f"MY{w}-000001", "wave": w, "respondent_group": "群众",
                               "county_code": "C01", "dept_code": "D01", "dimension": "服务态度", "score": 4}
                              for w in WAVES])


@pytest.fixture(scope="module")
def facts() -> dict[str, pa.Table]:
    return {"cases": _table("cases", CASES), "case_steps": _table("case_steps", STEPS),
            "ratings": _table("ratings", RATINGS), "surveys": _surveys(), "tasks": _table("tasks", TASKS)}


@pytest.fixture(scope="module")
def cut(facts) -> dict[str, pa.Table]:
    return cut_at(facts, CUT)


def test_schemas_are_kept_exactly(cut):
    for name, table in cut.items():
        assert table.schema.equals(FACT_TABLES[name].arrow_schema()), name


def test_cases_accepted_received_or_refused_after_the_cut_are_absent(cut):
    cases = _by(cut["cases"], "case_id")
    assert set(cases) == {"done-before", "done-at-cut", "done-after", "denied-after", "withdrawn-after", "open",
                          "refused-before"}
    assert cases["refused-before"]["status"] == "refused"
    assert cases["refused-before"]["completed_at"] == T("2026-09-29 09:40")


def test_a_case_closed_after_the_cut_is_open(cut, facts):
    cases = _by(cut["cases"], "case_id")
    original = _by(facts["cases"], "case_id")
    for case_id in ("done-after", "denied-after", "withdrawn-after"):
        row = cases[case_id]
        assert (row["status"], row["completed_at"]) == ("in_progress", None), case_id
        for column in ("accepted_at", "received_at", "deadline_at", "suspended_wd", "promised_limit_wd",
                       "legal_limit_wd", "item_code", "channel"):
            assert row[column] == original[case_id][column], (case_id, column)
    assert cases["done-before"] == original["done-before"]
    assert cases["done-at-cut"] == original["done-at-cut"]  # at the cut is known: <= as_of
    assert cases["open"] == original["open"]


def test_steps_started_after_the_cut_or_of_absent_cases_are_absent_and_ended_after_it_open(cut):
    steps = {(r["case_id"], r["step_no"]): r for r in cut["case_steps"].to_pylist()}
    assert set(steps) == {("done-after", 1), ("done-after", 2), ("done-after", 3), ("open", 1), ("open", 2),
                          ("refused-before", 1)}
    assert steps[("done-after", 2)]["ended_at"] == T("2026-09-28 15:00")
    assert steps[("done-after", 3)]["ended_at"] is None
    assert steps[("open", 2)]["ended_at"] is None


def test_the_running_step_of_a_case_closed_after_the_cut_has_no_end():
    steps = _table("case_steps", [_step("x", 1, "2026-09-01 09:00", "2026-09-01 09:10"),
                                  _step("x", 2, "2026-09-01 09:10", "2026-10-05 10:00")])
    out = cut_at({"case_steps": steps}, CUT)["case_steps"].to_pylist()
    assert [(r["step_no"], r["ended_at"]) for r in out] == [(1, T("2026-09-01 09:10")), (2, None)]


def test_a_review_rectified_after_the_cut_is_pending(cut, facts):
    ratings = _by(cut["ratings"], "rating_id")
    row = ratings["rectified-after"]
    assert (row["rectify_status"], row["rectified_at"], row["revisit_score"]) == ("pending", None, None)
    assert row["verified_at"] == T("2026-09-21 10:00")
    assert row["rectify_due_at"] == T("2026-10-01 23:59:59")
    original = _by(facts["ratings"], "rating_id")
    for rating_id in ("good", "rectified-before", "unfounded-before", "pending"):
        assert ratings[rating_id] == original[rating_id], rating_id


def test_a_review_verified_after_the_cut_has_no_due_date(cut):
    ratings = _by(cut["ratings"], "rating_id")
    for rating_id in ("verified-after", "unfounded-after"):  # unfounded is decided at verification
        row = ratings[rating_id]
        assert row["rectify_status"] == "pending", rating_id
        assert (row["verified_at"], row["rectify_due_at"], row["rectified_at"], row["revisit_score"]) == (None,) * 4


def test_reviews_given_after_the_cut_are_absent_and_good_ones_keep_no_status(cut):
    ratings = _by(cut["ratings"], "rating_id")
    assert "rated-after" not in ratings
    assert ratings["good"]["rectify_status"] is None


def test_a_task_completed_after_the_cut_is_open(cut, facts):
    tasks = _by(cut["tasks"], "task_id")
    assert set(tasks) == {"done-before", "done-after", "open"}
    assert (tasks["done-after"]["status"], tasks["done-after"]["completed_at"]) == ("in_progress", None)
    assert tasks["done-after"]["due_at"] == T("2026-10-20 23:59:59")
    assert tasks["done-before"] == _by(facts["tasks"], "task_id")["done-before"]


@pytest.mark.parametrize(("as_of", "waves"), [
    (dt.datetime(2026, 6, 29, 23, 59, 59), {"2025H1", "2025H2"}),
    (dt.datetime(2026, 6, 30, 0, 0), {"2025H1", "2025H2", "2026H1"}),  # ended on the cut's date
    (CUT, {"2025H1", "2025H2", "2026H1"}),
    (dt.datetime(2026, 12, 31, 23, 59, 59), set(WAVES)),
    (dt.datetime(2025, 6, 1), set()),
])
def test_a_survey_wave_is_there_once_it_has_ended(as_of, waves):
    out = cut_at({"surveys": _surveys()}, as_of)["surveys"]
    assert set(out.column("wave").to_pylist()) == waves


def test_a_bare_date_is_the_close_of_that_day(facts, cut):
    by_date = cut_at(facts, CUT.date())
    for name in facts:
        assert by_date[name].equals(cut[name]), name


def test_wave_end():
    assert wave_end("2026H1") == dt.date(2026, 6, 30)
    assert wave_end("2026H2") == dt.date(2026, 12, 31)
    assert wave_end("2026Q1") is None


def test_cut_after_everything_changes_nothing_and_other_tables_pass_through(facts):
    later = cut_at({**facts, "extra": pa.table({"a": [1]})}, dt.datetime(2027, 1, 1))
    for name in facts:
        assert later[name].equals(facts[name]), name
    assert later["extra"].to_pydict() == {"a": [1]}


def test_empty_tables_and_chunked_input(facts):
    empty = {name: FACT_TABLES[name].arrow_schema().empty_table() for name in FACT_TABLES}
    out = cut_at(empty, CUT)
    assert all(out[name].num_rows == 0 and out[name].schema.equals(empty[name].schema) for name in FACT_TABLES)
    chunked = {name: pa.concat_tables([t.slice(0, 2), t.slice(2)]) for name, t in facts.items()}
    out = cut_at(chunked, CUT)
    expected = cut_at(facts, CUT)
    for name in facts:
        assert out[name].combine_chunks().equals(expected[name].combine_chunks()), name

"""The same world cut at an earlier time: the fact tables as a snapshot taken then held them.

``cut_at(facts, as_of)`` takes the fact tables of one snapshot (cases, case_steps, ratings,
surveys, tasks; schemas of xiaoneng.schema, kept exactly) and returns what a snapshot taken
at ``as_of`` would have held (product.md §3, "States at a time"): an event is known iff its
timestamp is <= ``as_of``.

* cases: accepted (or received) after ``as_of``: absent. Refused (不予受理) with the refusal
  (completed_at) after ``as_of``: absent too, the application was still at intake and not a
  case. Otherwise a completion (completed, denied, withdrawn) after ``as_of`` is undone:
  completed_at null, status ``in_progress``.
* case_steps: the steps of absent cases, and steps started after ``as_of``, are absent; a
  step ended after ``as_of`` has ended_at null.
* ratings: given after ``as_of``: absent. A bad review verified after ``as_of`` is
  ``pending`` with no verified_at, no rectify_due_at (the due date is set at verification)
  and nothing after it; being unfounded is decided at verification, so an unfounded review
  verified after ``as_of`` is ``pending`` too. Rectified after ``as_of``: ``pending``, no
  rectified_at and no revisit_score. rectify_status stays null where it is null on a review
  that is not bad (score 3–5).
* surveys: a wave is published once it is complete: ``YYYYH1`` on 30 June, ``YYYYH2`` on
  31 December; a wave is kept when it ended on or before the date of ``as_of`` (as the demo
  generator runs its waves). A wave not of that form is kept as it is.
* tasks: assigned after ``as_of``: absent; completed after it: completed_at null, status
  ``in_progress``.

Assumptions: what a case records at acceptance is known from acceptance on and kept as it
is: deadline_at, suspended_wd, promised_limit_wd and legal_limit_wd. That is exact for the
demo city, whose suspensions (special procedures) are recorded at acceptance, together with
the system deadline that includes them; a source system that adds suspended working days as
they happen would show, cut this way, days that were not yet known. Likewise step names,
posts, handlers and step limits, a rating's score, tags and comment, a task's due date, and
a survey's answers are taken as recorded. Tables other than the five facts pass through
unchanged; a fact table that is missing stays missing.

Everything is whole-column pyarrow.compute, no loop over rows (the surveys look at their few
distinct waves), so a cut of ten million cases costs seconds.
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["cut_at", "wave_end"]

WAVE = re.compile(r"^(\d{4})H([12])$")


def wave_end(wave: str) -> dt.date | None:
    """The last day of a survey wave (2026H1 → 2026-06-30, 2026H2 → 2026-12-31); None when not a wave."""
    m = WAVE.match(wave or "")
    if m is None:
        return None
    year = int(m.group(1))
    return dt.date(year, 6, 30) if m.group(2) == "1" else dt.date(year, 12, 31)


def cut_at(facts: dict[str, pa.Table], as_of: dt.datetime) -> dict[str, pa.Table]:
    """The fact tables as a snapshot taken at ``as_of`` would have held them (see the module).

    ``as_of`` is a naive local time like the tables' timestamps; a bare date means the close of that day.
    """
    if not isinstance(as_of, dt.datetime):
        as_of = dt.datetime.combine(as_of, dt.time(23, 59, 59))
    moment = pa.scalar(as_of, type=pa.timestamp("us"))
    out = dict(facts)
    absent_cases = None
    if "cases" in facts:
        out["cases"], absent_cases = _cases(facts["cases"], moment)
    if "case_steps" in facts:
        out["case_steps"] = _steps(facts["case_steps"], moment, absent_cases)
    if "ratings" in facts:
        out["ratings"] = _ratings(facts["ratings"], moment)
    if "surveys" in facts:
        out["surveys"] = _surveys(facts["surveys"], as_of.date())
    if "tasks" in facts:
        out["tasks"] = _tasks(facts["tasks"], moment)
    return out


# ---------------------------------------------------------------------------------------------
# helpers


def _after(column, moment: pa.Scalar):
    """True where the time is after ``moment`` (false where it is null)."""
    return pc.fill_null(pc.greater(column.cast(moment.type), moment), False)


def _null_where(table: pa.Table, name: str, mask) -> pa.Table:
    column = table.column(name)
    return _replace(table, name, pc.if_else(mask, pa.scalar(None, type=column.type), column))


def _value_where(table: pa.Table, name: str, mask, value) -> pa.Table:
    column = table.column(name)
    return _replace(table, name, pc.if_else(mask, pa.scalar(value, type=column.type), column))


def _replace(table: pa.Table, name: str, values) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, table.schema.field(i), values)


# ---------------------------------------------------------------------------------------------
# tables


def _cases(cases: pa.Table, moment: pa.Scalar) -> tuple[pa.Table, pa.Array]:
    completed_later = _after(cases.column("completed_at"), moment)
    refused = pc.fill_null(pc.equal(cases.column("status"), "refused"), False)
    absent = pc.or_(pc.or_(_after(cases.column("accepted_at"), moment), _after(cases.column("received_at"), moment)),
                    pc.and_(refused, completed_later))
    absent_ids = cases.column("case_id").filter(absent).combine_chunks()
    present = pc.invert(absent)
    kept = cases.filter(present)
    reopened = completed_later.filter(present)
    kept = _null_where(kept, "completed_at", reopened)
    kept = _value_where(kept, "status", reopened, "in_progress")
    return kept, absent_ids


def _steps(steps: pa.Table, moment: pa.Scalar, absent_cases: pa.Array | None) -> pa.Table:
    steps = steps.filter(pc.invert(_after(steps.column("started_at"), moment)))
    if absent_cases is not None and len(absent_cases):
        gone = pc.fill_null(pc.is_in(steps.column("case_id"), value_set=absent_cases), False)
        steps = steps.filter(pc.invert(gone))
    return _null_where(steps, "ended_at", _after(steps.column("ended_at"), moment))


def _ratings(ratings: pa.Table, moment: pa.Scalar) -> pa.Table:
    ratings = ratings.filter(pc.invert(_after(ratings.column("rated_at"), moment)))
    unverified = _after(ratings.column("verified_at"), moment)
    unrectified = pc.or_(unverified, _after(ratings.column("rectified_at"), moment))
    # A review that is bad, or carries a status already, falls back to pending; others keep their null.
    has_status = pc.or_(pc.fill_null(pc.less_equal(ratings.column("score"), 2), False),
                        pc.is_valid(ratings.column("rectify_status")))
    ratings = _null_where(ratings, "verified_at", unverified)
    ratings = _null_where(ratings, "rectify_due_at", unverified)
    ratings = _null_where(ratings, "rectified_at", unrectified)
    ratings = _null_where(ratings, "revisit_score", unrectified)
    return _value_where(ratings, "rectify_status", pc.and_(unrectified, has_status), "pending")


def _surveys(surveys: pa.Table, day: dt.date) -> pa.Table:
    waves = [w for w in pc.unique(surveys.column("wave")).to_pylist() if w is not None]
    later = [w for w in waves if (end := wave_end(w)) is not None and end > day]
    if not later:
        return surveys
    return surveys.filter(pc.invert(pc.fill_null(pc.is_in(surveys.column("wave"), value_set=pa.array(later)), False)))


def _tasks(tasks: pa.Table, moment: pa.Scalar) -> pa.Table:
    tasks = tasks.filter(pc.invert(_after(tasks.column("assigned_at"), moment)))
    reopened = _after(tasks.column("completed_at"), moment)
    tasks = _null_where(tasks, "completed_at", reopened)
    return _value_where(tasks, "status", reopened, "in_progress")

"""Working-day arithmetic: hand-checked examples around the 2026 holidays, and properties."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiaoneng.reference import load_calendar, load_calendar_days
from xiaoneng.schema import CASES, ITEMS, RATINGS
from xiaoneng.snapshots import derive_case_timing
from xiaoneng.workdays import CalendarDay, OutsideCalendarError, WorkCalendar, write_calendar_csv
from xiaoneng.workdays_admin import add_year

D = dt.date.fromisoformat
CAL = load_calendar()


def test_calendar_covers_2004_to_2026_from_chinesecalendar():
    assert (CAL.start, CAL.end) == (D("2004-01-01"), D("2026-12-31"))
    # 2026 Spring Festival: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked.
    assert CAL.is_working_day(D("2026-02-14")) and CAL.is_working_day(D("2026-02-28"))
    assert not any(CAL.is_working_day(D("2026-02-15") + dt.timedelta(days=i)) for i in range(9))
    # National Day: 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked.
    assert CAL.is_working_day(D("2026-09-20")) and CAL.is_working_day(D("2026-10-10"))
    assert not CAL.is_working_day(D("2026-10-05"))
    assert not CAL.is_working_day(D("2026-10-11"))  # an ordinary Sunday


@pytest.mark.parametrize(
    ("accepted", "limit", "expected"),
    [
        ("2026-02-12", 1, "2026-02-13"),
        ("2026-02-13", 1, "2026-02-14"),  # the make-up Saturday counts
        ("2026-02-13", 2, "2026-02-24"),  # then the whole holiday is skipped
        ("2026-02-12", 10, "2026-03-04"),  # 13,14,24,25,26,27,28(Sat),03-02,03-03,03-04
        ("2026-02-16", 5, "2026-02-28"),  # accepted on a holiday: counting starts 02-24
        ("2026-02-16", 0, "2026-02-16"),  # an immediate item is due on its acceptance date
        ("2026-09-29", 10, "2026-10-19"),  # 09-30, 10-08, 10-09, 10-10(Sat), 10-12..16, 10-19
        ("2026-09-18", 2, "2026-09-21"),  # Sunday 09-20 is a make-up working day
        ("2026-10-09", 1, "2026-10-10"),
    ],
)
def test_add_working_days_hand_checked(accepted, limit, expected):
    assert CAL.add_working_days(D(accepted), limit) == D(expected)


def test_deadline_is_close_of_day_and_suspension_extends_it():
    accepted = dt.datetime(2026, 9, 29, 10, 0)
    assert CAL.deadline(accepted, 10) == dt.datetime(2026, 10, 19, 23, 59, 59, 999999)
    assert CAL.deadline(accepted, 10, suspended_wd=3) == dt.datetime(2026, 10, 22, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("accepted", "completed", "suspended", "expected"),
    [
        ("2026-02-12 10:00", "2026-02-12 16:00", 0, 0),  # completed on the acceptance date
        ("2026-02-13 15:00", "2026-02-14 10:00", 0, 1),  # make-up Saturday
        ("2026-02-12 10:00", "2026-02-28 11:00", 0, 7),
        ("2026-02-16 09:00", "2026-03-02 09:00", 0, 6),  # accepted on a holiday
        ("2026-09-29 10:00", "2026-10-21 14:00", 3, 9),
        ("2026-10-01 10:00", "2026-10-07 10:00", 0, 0),  # inside the National Day week
        ("2026-10-12 09:00", "2026-10-13 09:00", 5, 0),  # never below zero
    ],
)
def test_elapsed_wd_hand_checked(accepted, completed, suspended, expected):
    at = dt.datetime.fromisoformat
    assert CAL.elapsed_wd(at(accepted), at(completed), suspended) == expected


def test_outside_the_calendar_is_an_error_naming_the_range():
    with pytest.raises(OutsideCalendarError, match="2004-01-01 至 2026-12-31") as err:
        CAL.add_working_days(D("2027-01-04"), 1)
    assert "2027-01-04" in str(err.value)
    with pytest.raises(OutsideCalendarError, match="2026-12-31"):
        CAL.add_working_days(D("2026-12-30"), 5)  # runs past the last covered day
    with pytest.raises(OutsideCalendarError):
        CAL.wd_index_array(np.array(["2003-12-31"], dtype="datetime64[D]"))


def test_an_added_2027_row_is_honoured(tmp_path):
    path = tmp_path / "calendar.csv"
    days = load_calendar_days()
    days.append(CalendarDay(D("2027-01-01"), "holiday", "元旦"))
    days.append(CalendarDay(D("2027-01-04"), "holiday", "测试假日"))  # a Monday made a holiday
    days.append(CalendarDay(D("2027-01-09"), "makeup_workday", "测试调休"))  # a Saturday made a working day
    write_calendar_csv(path, days)
    cal = WorkCalendar.from_csv(path)
    assert cal.end == D("2027-12-31")
    assert not cal.is_working_day(D("2027-01-04"))
    assert cal.is_working_day(D("2027-01-09"))
    assert cal.add_working_days(D("2026-12-31"), 1) == D("2027-01-05")  # 01-01 and 01-04 off, weekend between
    assert cal.add_working_days(D("2027-01-08"), 1) == D("2027-01-09")


def test_a_gap_year_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"no rows for the years \[2025\]"):
        WorkCalendar([CalendarDay(D("2024-01-01"), "holiday"), CalendarDay(D("2026-01-01"), "holiday")])


def test_add_year_command_refuses_unknown_and_duplicate_years(tmp_path):
    path = tmp_path / "calendar.csv"
    write_calendar_csv(path, [d for d in load_calendar_days() if d.date.year < 2026])
    assert add_year(path, 2026) > 20
    assert WorkCalendar.from_csv(path).end == D("2026-12-31")
    with pytest.raises(ValueError, match="already"):
        add_year(path, 2026)
    with pytest.raises(ValueError, match="no schedule for"):
        add_year(path, 2027)  # the package does not know 2027 yet: say so, do not guess


covered_dates = st.dates(min_value=D("2004-01-01"), max_value=D("2026-10-31"))


@settings(max_examples=300, deadline=None)
@given(day=covered_dates, n=st.integers(min_value=0, max_value=40))
def test_add_then_count_round_trips(day, n):
    due = CAL.add_working_days(day, n)
    assert due >= day
    assert CAL.working_days_between(day, due) == n
    if n >= 1:
        assert CAL.is_working_day(due)
        # the day before the due date still had fewer than n working days
        assert CAL.working_days_between(day, due - dt.timedelta(days=1)) == n - 1


@settings(max_examples=300, deadline=None)
@given(a=covered_dates, b=covered_dates, c=covered_dates)
def test_counting_is_additive_and_monotone(a, b, c):
    a, b, c = sorted((a, b, c))
    assert CAL.working_days_between(a, c) == CAL.working_days_between(a, b) + CAL.working_days_between(b, c)
    assert 0 <= CAL.working_days_between(a, c) <= (c - a).days


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(covered_dates, st.integers(0, 30), st.integers(0, 5), st.integers(0, 60)), min_size=1, max_size=25
    ),
)
def test_snapshot_timing_sql_agrees_with_python(rows):
    """queries/cases_with_timing.sql (run at publish) derives the same deadlines and elapsed days as Python."""
    accepted = [dt.datetime.combine(r[0], dt.time(10)) for r in rows]
    completed = [a + dt.timedelta(days=r[3]) for a, r in zip(accepted, rows, strict=True)]
    cases = pa.Table.from_pylist(
        [
            {"case_id": str(i), "item_code": "X", "county_code": "C", "dept_code": "D", "channel": "window",
             "accepted_at": a, "completed_at": c, "status": "completed", "promised_limit_wd": r[1],
             "suspended_wd": r[2]}
            for i, (a, c, r) in enumerate(zip(accepted, completed, rows, strict=True))
        ],
        schema=CASES.arrow_schema(),
    )
    items = ITEMS.arrow_schema().empty_table()
    derived = sorted(derive_case_timing(cases, items, RATINGS.arrow_schema().empty_table(), CAL,
                                       dt.datetime(2026, 12, 31)).to_pylist(),
                     key=lambda row: int(row["case_id"]))
    for row, (a, c, r) in zip(derived, zip(accepted, completed, rows, strict=True), strict=True):
        if c.date() > CAL.end:
            continue
        assert row["deadline_at"] == CAL.deadline(a, r[1], r[2])
        assert row["elapsed_wd"] == CAL.elapsed_wd(a, c, r[2])
        assert row["on_time"] == (c <= CAL.deadline(a, r[1], r[2]))

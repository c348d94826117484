"""Issue 10, calendar care: ``calendar add-year YEAR --file F`` for a year the chinesecalendar
package does not know yet, checked row by row before anything is written."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ingest_corpus import write_csv
from xiaoneng.reference import load_calendar_days
from xiaoneng.workdays import WorkCalendar, read_calendar_csv, write_calendar_csv
from xiaoneng.workdays_admin import add_year

D = dt.date.fromisoformat
HEADER_ZH = ["日期", "类型", "节日"]
# A 2027 schedule as an administrator would type it from the State Council's notice (illustrative).
YEAR_2027 = [
    ["2027-01-01", "节假日", "元旦"],
    ["2027-02-06", "节假日", "春节"], ["2027-02-07", "节假日", "春节"], ["2027-02-08", "节假日", "春节"],
    ["2027-02-09", "节假日", "春节"], ["2027-02-10", "节假日", "春节"], ["2027-02-11", "节假日", "春节"],
    ["2027-02-12", "节假日", "春节"], ["2027-02-13", "调休上班", "春节调休上班"],
    ["2027-10-01", "节假日", "国庆节"], ["2027-10-09", "调休上班", "国庆节调休上班"],
]


@pytest.fixture
def calendar(tmp_path):
    path = tmp_path / "calendar.csv"
    write_calendar_csv(path, load_calendar_days())  # 2004–2026, as shipped
    return path


def _main(argv):
    from xiaoneng.cli import main

    return main(argv)


def test_add_year_from_a_file(tmp_path, calendar, capsys):
    source = write_csv(tmp_path / "2027.csv", HEADER_ZH, YEAR_2027)
    before = len(read_calendar_csv(calendar))
    assert _main(["calendar", "--calendar", str(calendar), "add-year", "2027", "--file", str(source)]) == 0
    assert "已添加 2027 年 11 行，来自" in capsys.readouterr().out
    days = read_calendar_csv(calendar)
    assert len(days) == before + 11
    cal = WorkCalendar(days)
    assert cal.end == D("2027-12-31")
    assert not cal.is_working_day(D("2027-02-08")) and cal.is_working_day(D("2027-02-13"))  # a Saturday worked
    assert next(d for d in days if d.date == D("2027-10-09")).name_zh == "国庆节调休上班"
    # the same year again is refused and the file is unchanged
    text = calendar.read_bytes()
    assert _main(["calendar", "--calendar", str(calendar), "add-year", "2027", "--file", str(source)]) == 1
    assert "already" in capsys.readouterr().out and calendar.read_bytes() == text


def test_add_year_file_problems_name_the_line_and_write_nothing(tmp_path, calendar):
    rows = [*YEAR_2027, ["2026-12-31", "节假日", "错年"], ["2027-03-03", "调休上班", "周三"],
            ["2027-01-01", "节假日", "重复"], ["2027-13-01", "节假日", "无效"], ["2027-05-01", "放松", "?"]]
    source = write_csv(tmp_path / "2027.csv", HEADER_ZH, rows)
    text = calendar.read_bytes()
    with pytest.raises(ValueError) as exc:
        add_year(calendar, 2027, source)
    message = str(exc.value)
    assert f"{source}:13: 2026-12-31 不在 2027 年" in message
    assert f"{source}:14: 2027-03-03 是工作日" in message
    assert f"{source}:15: 2027-01-01 已在第 2 行" in message
    assert f"{source}:16: 日期无效" in message and f"{source}:17: 类型须为" in message
    assert calendar.read_bytes() == text


def test_add_year_with_a_gap_is_refused(tmp_path, calendar):
    source = write_csv(tmp_path / "2028.csv", ["date", "day_kind", "name_zh"], [["2028-01-01", "holiday", "元旦"]])
    with pytest.raises(ValueError, match="2027"):
        add_year(calendar, 2028, source)

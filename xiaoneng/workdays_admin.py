"""``calendar``: show and extend the working-day calendar (data/reference/calendar.csv).

When the State Council publishes next year's holiday schedule (usually in November),
an administrator runs ``calendar add-year YEAR`` once the chinesecalendar package has it,
or, before it does, ``calendar add-year YEAR --file F`` with the year's rows in F:
``date,day_kind,name_zh`` (or 日期,类型,节日) with day_kind ``holiday`` / ``makeup_workday``
(or 节假日 / 调休上班). The rows are checked (dates in YEAR, each date once, a make-up working
day on a weekend, a holiday …) before anything is written.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from collections import Counter
from pathlib import Path

from xiaoneng.paths import reference_dir
from xiaoneng.workdays import (
    CalendarDay,
    WorkCalendar,
    days_from_chinesecalendar,
    read_calendar_csv,
    write_calendar_csv,
)

_HEADERS = {"date": ("date", "日期"), "day_kind": ("day_kind", "类型"), "name_zh": ("name_zh", "节日", "名称")}
_KINDS = {"holiday": "holiday", "节假日": "holiday", "假日": "holiday", "放假": "holiday",
          "makeup_workday": "makeup_workday", "调休上班": "makeup_workday", "补班": "makeup_workday",
          "上班": "makeup_workday"}


def add_cli(sub: argparse._SubParsersAction) -> None:
    cal = sub.add_parser("calendar", help="show or extend the working-day calendar")
    cal.add_argument("--calendar", "--file", dest="file", type=Path, default=None,
                     help="the calendar CSV to show or extend (default: data/reference/calendar.csv); "
                          "before the action: calendar --calendar CSV add-year …")
    actions = cal.add_subparsers(dest="action", required=True)
    actions.add_parser("show", help="covered range and rows per year").set_defaults(run=run_show)
    add = actions.add_parser("add-year", help="add a year's schedule from the chinesecalendar package, or from "
                                              "a file (--file) when the package has no data for it yet")
    add.add_argument("year", type=int)
    add.add_argument("--file", dest="year_file", type=Path, default=None, metavar="F",
                     help="the year's holidays and make-up working days: date,day_kind,name_zh (or 日期,类型,节日; "
                          "holiday / makeup_workday or 节假日 / 调休上班)")
    add.set_defaults(run=run_add_year)


def _file(args: argparse.Namespace) -> Path:
    return args.file or reference_dir() / "calendar.csv"


def run_show(args: argparse.Namespace) -> int:
    days = read_calendar_csv(_file(args))
    calendar = WorkCalendar(days)
    print(f"工作日历覆盖 {calendar.range_text} (covered range) — {_file(args)}")
    per_year = Counter((d.date.year, d.day_kind) for d in days)
    for year in range(calendar.start.year, calendar.end.year + 1):
        print(f"{year}: 节假日 {per_year[(year, 'holiday')]} 天, 调休上班 {per_year[(year, 'makeup_workday')]} 天")
    return 0


def read_year_file(path: Path, year: int) -> list[CalendarDay]:
    """A year's schedule from a CSV an administrator typed; every problem names the file and line."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ValueError(f"{path}: 无法读取 (cannot read the file: {exc})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: 不是 UTF-8 编码 (not UTF-8; save the file as UTF-8)") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(c.strip() for c in rows[0]):
        raise ValueError(f"{path}: 文件为空 (the file is empty)")
    header = [c.strip() for c in rows[0]]
    where: dict[str, int] = {}
    for key, names in _HEADERS.items():
        found = next((header.index(n) for n in names if n in header), None)
        if found is not None:
            where[key] = found
    if "date" not in where or "day_kind" not in where:
        raise ValueError(f"{path}: 表头须有 date,day_kind（或 日期,类型） (the header needs date and day_kind, "
                         f"or 日期 and 类型; it has {', '.join(header)})")
    days, seen, problems = [], {}, []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {key: cells[i].strip() if i < len(cells) else "" for key, i in where.items()}
        raw_date, raw_kind = values["date"], values["day_kind"]
        try:
            day = dt.date.fromisoformat(raw_date.replace("/", "-"))
        except ValueError:
            problems.append(f"{path}:{line}: 日期无效 (not a date YYYY-MM-DD): {raw_date!r}")
            continue
        kind = _KINDS.get(raw_kind)
        if kind is None:
            problems.append(f"{path}:{line}: 类型须为 节假日/调休上班 (day_kind must be holiday or "
                            f"makeup_workday): {raw_kind!r}")
            continue
        if day.year != year:
            problems.append(f"{path}:{line}: {day} 不在 {year} 年 (is not in {year})")
            continue
        if day in seen:
            problems.append(f"{path}:{line}: {day} 已在第 {seen[day]} 行 (listed twice, also line {seen[day]})")
            continue
        if kind == "makeup_workday" and day.weekday() < 5:
            problems.append(f"{path}:{line}: {day} 是工作日，不能是调休上班日 (is a weekday already; a make-up "
                            "working day is a Saturday or Sunday)")
            continue
        seen[day] = line
        days.append(CalendarDay(day, kind, values.get("name_zh", "")))
    if problems:
        raise ValueError("\n".join(problems))
    if not any(d.day_kind == "holiday" for d in days):
        raise ValueError(f"{path}: 没有 {year} 年的节假日 (no holidays for {year}: the file would make every "
                         "weekday a working day)")
    return sorted(days, key=lambda d: d.date)


def add_year(path: Path, year: int, source: Path | None = None) -> int:
    """Append ``year`` from chinesecalendar, or from ``source`` (the year's rows); returns the rows added.
    Refuses a year already present and a gap after the last covered year; writes nothing on a refusal."""
    days = read_calendar_csv(path)
    if any(d.date.year == year for d in days):
        raise ValueError(f"{path} has rows for {year} already; edit them by hand if the schedule changed")
    new = read_year_file(source, year) if source is not None else days_from_chinesecalendar([year])
    WorkCalendar(days + new)  # refuses a gap between the last covered year and this one
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    write_calendar_csv(tmp, days + new)
    tmp.replace(path)  # whole or not at all
    return len(new)


def run_add_year(args: argparse.Namespace) -> int:
    source = getattr(args, "year_file", None)
    try:
        added = add_year(_file(args), args.year, source)
    except ValueError as exc:
        print(exc)
        return 1
    origin = f"，来自 {source} (from {source})" if source else "，来自 chinesecalendar (from chinesecalendar)"
    print(f"已添加 {args.year} 年 {added} 行{origin} (added {added} rows for {args.year}) → {_file(args)}")
    return 0

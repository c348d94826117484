"""``calendar``: show and extend the working-day calendar (data/reference/calendar.csv).

When the State Council publishes next year's holiday schedule (usually in November),
an administrator either runs ``calendar add-year YEAR`` (once the chinesecalendar
package has it) or appends the rows to the CSV by hand:
``date,day_kind,name_zh`` with day_kind ``holiday`` or ``makeup_workday``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from xiaoneng.paths import reference_dir
from xiaoneng.workdays import WorkCalendar, days_from_chinesecalendar, read_calendar_csv, write_calendar_csv


def add_cli(sub: argparse._SubParsersAction) -> None:
    cal = sub.add_parser("calendar", help="show or extend the working-day calendar")
    cal.add_argument("--file", type=Path, help="calendar CSV (default: data/reference/calendar.csv)")
    actions = cal.add_subparsers(dest="action", required=True)
    actions.add_parser("show", help="covered range and rows per year").set_defaults(run=run_show)
    add = actions.add_parser("add-year", help="add a year's schedule from the chinesecalendar package")
    add.add_argument("year", type=int)
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


def add_year(path: Path, year: int) -> int:
    """Append ``year`` from chinesecalendar; returns the rows added. Refuses a year already present."""
    days = read_calendar_csv(path)
    if any(d.date.year == year for d in days):
        raise ValueError(f"{path} has rows for {year} already; edit them by hand if the schedule changed")
    new = days_from_chinesecalendar([year])
    WorkCalendar(days + new)  # refuses a gap between the last covered year and this one
    write_calendar_csv(path, days + new)
    return len(new)


def run_add_year(args: argparse.Namespace) -> int:
    try:
        added = add_year(_file(args), args.year)
    except ValueError as exc:
        print(exc)
        return 1
    print(f"已添加 {args.year} 年 {added} 行 (added {added} rows for {args.year}) → {_file(args)}")
    return 0

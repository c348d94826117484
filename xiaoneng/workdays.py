"""Working-day arithmetic on the official calendar (product.md §3).

The calendar is data (``data/reference/calendar.csv``: public holidays and the
weekend days made working days), not code: an administrator appends next year's
rows when the State Council publishes them. Coverage is whole years, from the
first to the last year that has a row. A date outside it raises
``OutsideCalendarError`` naming the covered range — never a weekend-only guess.

Rules: the acceptance day does not count; a limit of N working days ends at the
close of the N-th working day after the acceptance date (an application
accepted on a holiday therefore starts counting on the next working day); a
limit of 0 ends at the close of the acceptance date; suspended working days
extend a derived deadline and are subtracted from elapsed working days.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}

CALENDAR_COLUMNS = ("date", "day_kind", "name_zh")
END_OF_DAY = dt.time(23, 59, 59, 999999)


class OutsideCalendarError(ValueError):
    """A date the working-day calendar does not cover."""


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    day_kind: str  # "holiday" or "makeup_workday"
    name_zh: str = ""


def read_calendar_csv(path: Path) -> list[CalendarDay]:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    days = []
    for line_no, row in enumerate(rows, start=2):
        try:
            day = dt.date.fromisoformat(row["date"].strip())
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{path}:{line_no}: bad date {row.get('date')!r}") from exc
        kind = (row.get("day_kind") or "").strip()
        if kind not in ("holiday", "makeup_workday"):
            raise ValueError(f"{path}:{line_no}: day_kind must be holiday or makeup_workday, got {kind!r}")
        days.append(CalendarDay(day, kind, (row.get("name_zh") or "").strip()))
    return days


def write_calendar_csv(path: Path, days: Iterable[CalendarDay]) -> None:
    ordered = sorted(days, key=lambda d: d.date)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CALENDAR_COLUMNS)
        for d in ordered:
            writer.writerow([d.date.isoformat(), d.day_kind, d.name_zh])


def days_from_chinesecalendar(years: Iterable[int]) -> list[CalendarDay]:
    """Holidays and make-up working days for ``years`` from the chinesecalendar package."""
    from chinese_calendar import constants

    wanted = set(years)
    known = {d.year for d in constants.holidays}
    missing = sorted(wanted - known)
    if missing:
        raise ValueError(
            f"chinesecalendar {_package_version()} has no schedule for {missing}; "
            "upgrade it or add the rows to data/reference/calendar.csv by hand"
        )
    days = [
        CalendarDay(d, "holiday", HOLIDAY_NAMES_ZH.get(name, name))
        for d, name in constants.holidays.items()
        if d.year in wanted
    ]
    days += [
        CalendarDay(d, "makeup_workday", f"{HOLIDAY_NAMES_ZH.get(name, name)}调休上班")
        for d, name in constants.workdays.items()
        if d.year in wanted
    ]
    return sorted(days, key=lambda d: d.date)


def _package_version() -> str:
    from importlib.metadata import version

    return version("chinesecalendar")


class WorkCalendar:
    """Working days over whole covered years, with a cumulative working-day index."""

    def __init__(self, days: Iterable[CalendarDay]):
        days = list(days)
        if not days:
            raise ValueError("the working-day calendar is empty")
        years = sorted({d.date.year for d in days})
        self.start = dt.date(years[0], 1, 1)
        self.end = dt.date(years[-1], 12, 31)
        gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
        if gaps:
            raise ValueError(f"the working-day calendar has no rows for the years {gaps}")
        n = (self.end - self.start).days + 1
        self._dates = np.arange(np.datetime64(self.start), np.datetime64(self.end) + 1, dtype="datetime64[D]")
        weekday = (self._dates.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday (3)
        working = weekday < 5
        self._kind = np.full(n, "", dtype=object)
        self._name = np.full(n, "", dtype=object)
        for d in days:
            i = (d.date - self.start).days
            working[i] = d.day_kind == "makeup_workday"
            self._kind[i] = d.day_kind
            self._name[i] = d.name_zh
        self._working = working
        self._index = np.cumsum(working)
        self._working_positions = np.flatnonzero(working)

    @classmethod
    def from_csv(cls, path: Path) -> WorkCalendar:
        return cls(read_calendar_csv(path))

    @property
    def range_text(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def _pos(self, day: dt.date) -> int:
        if not self.covers(day):
            raise OutsideCalendarError(
                f"日期 {day.isoformat()} 超出工作日历范围（{self.range_text}）；"
                f"date {day.isoformat()} is outside the working-day calendar "
                f"({self.start.isoformat()} to {self.end.isoformat()}): add that year's holidays "
                "to data/reference/calendar.csv (python -m xiaoneng calendar add-year YEAR)"
            )
        return (day - self.start).days

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self._working[self._pos(day)])

    def working_days_between(self, after: dt.date, through: dt.date) -> int:
        """Working days in (after, through]; negative when through < after."""
        return int(self._index[self._pos(through)] - self._index[self._pos(after)])

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (``day`` itself when n == 0)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            self._pos(day)
            return day
        target = int(self._index[self._pos(day)]) + n  # index of the wanted working day
        if target > len(self._working_positions):
            last = self.end.isoformat()
            raise OutsideCalendarError(
                f"{n} 个工作日后的日期超出工作日历范围（{self.range_text}）；"
                f"{n} working days after {day.isoformat()} fall beyond {last}: extend the calendar"
            )
        return self.start + dt.timedelta(days=int(self._working_positions[target - 1]))

    def deadline(self, accepted_at: dt.datetime, limit_wd: int, suspended_wd: int = 0) -> dt.datetime:
        """Close of the (limit + suspended)-th working day after the acceptance date."""
        due = self.add_working_days(accepted_at.date(), limit_wd + suspended_wd)
        return dt.datetime.combine(due, END_OF_DAY)

    def elapsed_wd(self, accepted_at: dt.datetime, completed_at: dt.datetime, suspended_wd: int = 0) -> int:
        """Working days in (accepted date, completed date] minus suspended days, never below 0."""
        return max(0, self.working_days_between(accepted_at.date(), completed_at.date()) - suspended_wd)

    def _positions(self, days: np.ndarray) -> np.ndarray:
        pos = (days.astype("datetime64[D]") - np.datetime64(self.start)).astype("int64")
        bad = (pos < 0) | (pos >= len(self._working))
        if bad.any():
            first = days.astype("datetime64[D]")[bad][0]
            self._pos(dt.date.fromisoformat(str(first)))  # raises with the message
        return pos

    def wd_index_array(self, days: np.ndarray) -> np.ndarray:
        """Vectorised working-day index (working days from the calendar start through each date)."""
        return self._index[self._positions(days)]

    def is_working_day_array(self, days: np.ndarray) -> np.ndarray:
        return self._working[self._positions(days)]

    def add_working_days_array(self, days: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Vectorised ``add_working_days``: datetime64[D] dates plus n >= 0 working days."""
        days = days.astype("datetime64[D]")
        n = np.asarray(n, dtype="int64")
        target = self._index[self._positions(days)] + n
        if (target > len(self._working_positions)).any():
            raise OutsideCalendarError(f"a due date falls beyond the working-day calendar ({self.range_text})")
        moved = np.datetime64(self.start) + self._working_positions[np.maximum(target, 1) - 1].astype("timedelta64[D]")
        return np.where(n == 0, days, moved)

    def table(self) -> pa.Table:
        """One row per covered date, for DuckDB to join on (``wd_index`` counts working days through the date)."""
        return pa.table(
            {
                "date": pa.array(self._dates, type=pa.date32()),
                "is_working_day": pa.array(self._working),
                "day_kind": pa.array(self._kind.tolist(), type=pa.string()),
                "name_zh": pa.array(self._name.tolist(), type=pa.string()),
                "wd_index": pa.array(self._index, type=pa.int32()),
            }
        )

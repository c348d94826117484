"""Filter values: period, counties, departments, item types, channels, and the user's scope.

A ``Filters`` compiles to DuckDB variables bound as parameters (``compile``); the
views in ``queries/views/`` read them, so every query sees filtered, scoped rows
and no value is ever formatted into SQL text. The scope (the counties a
restricted user may see) is compiled in the same place and cannot be widened by
a filter.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from xiaoneng.i18n import join_names, t

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_CUSTOM = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
# The years a period may name. Comparisons reach a year back and a period back, and bounds a day past
# the end: inside these years none of them runs off the calendar (year 1 or 9999: an OverflowError).
FIRST_YEAR, LAST_YEAR = 1900, 2200


def state_moment(as_of: dt.datetime) -> dt.datetime:
    """The moment a snapshot's states are read at: what happened strictly before it is known.

    A snapshot time is read to the second (sources write seconds): everything stamped up to and
    including ``as_of``'s second has happened, so a snapshot taken at 23:59:59 reads the close of
    its day, exactly as a period's end does (product.md §3, "States at a time").
    """
    return as_of.replace(microsecond=0) + dt.timedelta(seconds=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` through ``end`` (inclusive)."""

    kind: str  # month | quarter | year | custom
    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, text: str) -> Period:
        period = cls._parse(text.strip())
        if period.start.year < FIRST_YEAR or period.end.year > LAST_YEAR:
            raise ValueError(f"period {text.strip()!r} lies outside the years {FIRST_YEAR}–{LAST_YEAR}")
        return period

    @classmethod
    def _parse(cls, text: str) -> Period:
        if m := _MONTH.match(text):
            start = dt.date(int(m[1]), int(m[2]), 1)
            return cls("month", start, _add_months(start, 1) - dt.timedelta(days=1))
        if m := _QUARTER.match(text):
            start = dt.date(int(m[1]), 3 * int(m[2]) - 2, 1)
            return cls("quarter", start, _add_months(start, 3) - dt.timedelta(days=1))
        if m := _YEAR.match(text):
            return cls("year", dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31))
        if m := _CUSTOM.match(text):
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if end < start:
                raise ValueError(f"period {text!r} ends before it starts")
            return cls("custom", start, end)
        raise ValueError(f"period {text!r} is not one of YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD..YYYY-MM-DD")

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def label(self, lang: str = "zh") -> str:
        if lang != "zh":
            return self.key
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    def _shift_months(self, months: int) -> Period:
        start = _add_months(self.start, months)
        return Period(self.kind, start, _add_months(start, self._months()) - dt.timedelta(days=1))

    def _months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    def previous(self) -> Period:
        """The period just before (环比): previous month/quarter/year, or the same number of days."""
        if self.kind == "custom":
            days = (self.end - self.start).days + 1
            return Period("custom", self.start - dt.timedelta(days=days), self.start - dt.timedelta(days=1))
        return self._shift_months(-self._months())

    def year_ago(self) -> Period:
        """The same period one year earlier (同比)."""
        if self.kind == "custom":
            return Period("custom", _add_months(self.start, -12), _add_months(self.end, -12))
        return self._shift_months(-12)

    def bounds(self, as_of: dt.datetime) -> dict[str, dt.datetime]:
        """Query parameters: [period_start, period_end) and the state moment (exclusive): the period's
        end — midnight after its last day — or the snapshot's moment when that is earlier."""
        start = dt.datetime.combine(self.start, dt.time())
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())
        return {"period_start": start, "period_end": end, "state_at": min(end, state_moment(as_of))}

    def is_running(self, as_of: dt.datetime) -> bool:
        """The snapshot was taken before the period closed (this month, quarter or year so far)."""
        moment = state_moment(as_of)
        return dt.datetime.combine(self.start, dt.time()) < moment < dt.datetime.combine(
            self.end + dt.timedelta(days=1), dt.time())

    def span_through(self, last_day: dt.date) -> Period:
        """This period cut after ``last_day`` (a running period's span so far), as explicit days."""
        return Period("custom", self.start, min(self.end, last_day))

    def comparisons(self, as_of: dt.datetime) -> tuple[Period, Period]:
        """The periods this one is compared with (环比, 同比), like for like: a running period is
        compared with the same span of the previous period and of last year (1–31 Oct of Q4 with
        1–31 Jul, and with 1–31 Oct a year before)."""
        previous, year_ago = self.previous(), self.year_ago()
        if not self.is_running(as_of):
            return previous, year_ago
        last_day = state_day(as_of)
        if self.kind == "custom":
            previous_last = last_day - (self.start - previous.start)
        else:
            previous_last = _add_months(last_day, -self._months())
        return previous.span_through(previous_last), year_ago.span_through(_add_months(last_day, -12))


def state_day(as_of: dt.datetime) -> dt.date:
    """The last day a snapshot's moment has read (its own day; the day before at midnight)."""
    return (state_moment(as_of) - dt.timedelta(microseconds=1)).date()


def months_up_to(period: Period, count: int) -> list[Period]:
    """The ``count`` calendar months ending with the month the period ends in, oldest first."""
    last = Period.parse(f"{period.end:%Y-%m}")
    months = [last]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


def _codes(values) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in values if str(v).strip()}))


@dataclass(frozen=True)
class Filters:
    period: Period
    counties: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    item_types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("counties", "departments", "item_types", "channels"):
            object.__setattr__(self, name, _codes(getattr(self, name)))

    def with_period(self, period: Period) -> Filters:
        return replace(self, period=period)

    def without(self, *names: str) -> Filters:
        return replace(self, **{n: () for n in names})

    def to_query_params(self) -> dict[str, str]:
        """The URL form (st.query_params): comma-separated codes, empty ones left out."""
        params = {"period": self.period.key}
        for name in ("counties", "departments", "item_types", "channels"):
            if getattr(self, name):
                params[name] = ",".join(getattr(self, name))
        return params

    @classmethod
    def from_query_params(cls, params: dict[str, str], default_period: str) -> Filters:
        def split(name: str) -> tuple[str, ...]:
            return tuple(p for p in str(params.get(name, "")).split(",") if p)

        try:
            period = Period.parse(params.get("period", default_period))
        except ValueError:
            period = Period.parse(default_period)
        return cls(period, split("counties"), split("departments"), split("item_types"), split("channels"))


@dataclass(frozen=True)
class Scope:
    """The counties a user may see; ``None`` means every county."""

    counties: tuple[str, ...] | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    def allows(self, county_code: str) -> bool:
        return self.counties is None or county_code in self.counties

    @property
    def is_restricted(self) -> bool:
        return self.counties is not None

    def narrow(self, filters: Filters) -> Filters:
        """``filters`` as this scope reads them: without a county filter, a restricted scope names its
        own counties, so a county user's 通报, deck and ranking marks speak of their county, never of
        the whole city. Unchanged for the whole city or a county filter."""
        if filters.counties or self.counties is None:
            return filters
        return replace(filters, counties=self.counties)


def compile_filters(filters: Filters | None, scope: Scope) -> dict[str, list[str] | None]:
    """The DuckDB variables the views in queries/views/ read (None = no restriction)."""
    f = filters
    return {
        "scope_counties": None if scope.counties is None else list(scope.counties),
        "f_counties": list(f.counties) if f and f.counties else None,
        "f_depts": list(f.departments) if f and f.departments else None,
        "f_item_types": list(f.item_types) if f and f.item_types else None,
        "f_channels": list(f.channels) if f and f.channels else None,
    }


def context_line(as_of: dt.datetime, snapshot_id: str, filters: Filters, county_names: dict[str, str],
                 dept_names: dict[str, str], lang: str = "zh", escape: Callable[[str], str] = str) -> str:
    """The line stating a view: as-of time, snapshot, period and every filter, with unit names.
    ``escape`` is applied to the snapshot id and every name (``markup.escape_markdown`` on screen)."""
    def names(values) -> list[str]:
        return [escape(v) for v in values]

    return t(
        "context.line", lang,
        as_of=f"{as_of:%Y-%m-%d %H:%M}", snapshot=escape(snapshot_id), period=filters.period.label(lang),
        counties=join_names(names(county_names.get(c, c) for c in filters.counties), lang),
        departments=join_names(names(dept_names.get(d, d) for d in filters.departments), lang),
        item_types=join_names(names(filters.item_types), lang),
        channels=join_names([t(f"channel.{c}", lang) for c in filters.channels], lang),
    )

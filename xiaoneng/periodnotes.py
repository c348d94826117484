"""The notes that go with a period's numbers, as text (no Streamlit): 无数据 for a period the
snapshot has no data for, 截至 M月D日 for a period still running, the like-for-like spans its
环比/同比 are taken against, and 无可比数据 for a comparison with a period the snapshot does not
cover (product.md §4, "Rules that go with every number"). The analysis pages (审批时效, 按时办结与
监察, 满意度, 督办) and xiaoneng.widgets use them; texts: the ``analysis`` section of the catalog.
"""

from __future__ import annotations

import datetime as dt

from xiaoneng.filters import Period
from xiaoneng.i18n import t
from xiaoneng.metrics import SnapshotView, through_day


def day_text(day: dt.date, lang: str = "zh") -> str:
    """"10月31日" / "Oct 31"."""
    return t("analysis.day", lang, month=day.month, day=day.day, month_name=f"{day:%b}")


def span_text(period: Period, lang: str = "zh") -> str:
    """A comparison span as people read it: "2026年7月1日至7月31日" / "2026-07-01 to 2026-07-31"."""
    key = "analysis.span" if period.start.year == period.end.year else "analysis.span_years"
    return t(key, lang, year=period.start.year, start=day_text(period.start, lang), end=day_text(period.end, lang),
             start_iso=period.start.isoformat(), end_iso=period.end.isoformat())


def through_text(view: SnapshotView, period: Period, lang: str = "zh") -> str | None:
    """"截至 10月30日" for a period still running at the snapshot's moment, None for a closed one."""
    day = through_day(view, period)
    return None if day is None else t("analysis.through", lang, day=day_text(day, lang))


def coverage_message(view: SnapshotView, period: Period, lang: str = "zh") -> str | None:
    """Why a period has no data at all (it has not begun at the snapshot's moment, or it ends before
    the data start), or None when the snapshot has data for it."""
    if view.has_begun(period):
        return None
    first, last = view.coverage
    return t("analysis.outside_coverage", lang, period=period.label(lang), first=first.isoformat(),
             last=last.isoformat())


def running_period_text(view: SnapshotView, period: Period, lang: str = "zh", comparisons: bool = True) -> str | None:
    """The note of a running period: how far its figures reach and, with ``comparisons``, the same
    spans of the previous period and of last year its 环比/同比 are taken against (like for like)."""
    through = through_text(view, period, lang)
    if through is None:
        return None
    if not comparisons:
        return t("analysis.running", lang, through=through)
    previous, year_ago = period.comparisons(view.as_of)
    return t("analysis.running_compare", lang, through=through, previous=span_text(previous, lang),
             year_ago=span_text(year_ago, lang))


def comparison_text(value: float | None, before: float | None, covered: bool, text: str | None,
                    lang: str = "zh") -> str | None:
    """The 环比/同比 text of a number: None without a value (the number itself says 无数据);
    无可比数据 when the earlier period is not covered by the snapshot or has no value; else ``text``."""
    if value is None:
        return None
    if not covered or before is None:
        return t("analysis.no_comparison", lang)
    return text


def state_time_text(view: SnapshotView, period: Period) -> str:
    """When the period's states (open, red/yellow light, rectified, done) are read, as people write
    it: the close of its last day ("2026-09-30 24:00"), or the snapshot time for a period still
    running ("2026-10-30 17:00")."""
    if dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time()) <= period.bounds(view.as_of)["state_at"]:
        return f"{period.end:%Y-%m-%d} 24:00"
    return f"{view.as_of:%Y-%m-%d %H:%M}"

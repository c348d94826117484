"""The notes that go with a period's numbers, as text (no Streamlit): 无数据 for a period the
snapshot has no data for, 截至 M月D日 for a period still running, the like-for-like spans its
环比/同比 are taken against, and 无可比数据 for a comparison with a period the snapshot does not
cover (product.md §4, "Rules that go with every number"). One wording for the KPI cards, the pages,
the slides, the 通报 and the CLI.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from xiaoneng.filters import Period
from xiaoneng.i18n import t
from xiaoneng.metrics import SnapshotView, through_day


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def date_label(day: dt.date, lang: str = "zh", with_year: bool = True) -> str:
    """"2026年9月1日" ("9月30日" without the year); English: ISO dates."""
    if lang != "zh":
        return day.isoformat()
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def through_text(day: dt.date | None, lang: str = "zh") -> str:
    """"截至10月30日" for the last day a running period's figures reach (metrics.through_day); "" for
    a closed period."""
    if _is_missing(day):
        return ""
    return t("kpi.through", lang, month=day.month, day=day.day, date=day.isoformat())


def span_label(period: Period, lang: str = "zh") -> str:
    """A comparison period in words: a whole month, quarter or year by its label; a span cut to the same
    days as a running period by its days ("2026年7月1日至7月30日")."""
    if period.kind != "custom":
        return period.label(lang)
    end = date_label(period.end, lang, with_year=period.end.year != period.start.year)
    return t("kpi.span", lang, start=date_label(period.start, lang), end=end)


def comparison_label(view: SnapshotView, period: Period, lang: str = "zh") -> str:
    """``span_label``, marked 无可比数据 when the snapshot does not cover that period."""
    text = span_label(period, lang)
    return text if view.covers(period) else t("kpi.uncovered", lang, span=text)


def comparison_note(view: SnapshotView, period: Period, lang: str = "zh") -> str:
    """For a period still running at the snapshot's moment: how far its figures reach and which spans
    环比 and 同比 compare with (the same span, like for like); "" for a closed period."""
    day = through_day(view, period)
    if day is None:
        return ""
    previous, year_ago = (comparison_label(view, p, lang) for p in period.comparisons(view.as_of))
    return t("kpi.like_for_like", lang, through=through_text(day, lang), previous=previous, year_ago=year_ago)


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
    spans of the previous period and of last year its 环比/同比 are taken against (comparison_note)."""
    day = through_day(view, period)
    if day is None:
        return None
    if comparisons:
        return comparison_note(view, period, lang)
    return t("analysis.running", lang, through=through_text(day, lang))


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

"""连续末位 (repeat offenders): units at the bottom in consecutive periods, the ones a meeting calls in (约谈).

A unit is 连续末位 when, in each of the ``ledger.repeat_periods()`` periods of the period's kind ending
with the period shown (config/ledger.yaml, default 2), it was on the 黑榜 or — a department — last
among the listable departments of its category (departments.category). Each period is ranked again
from the snapshot with the published rules (``scorecard.published_ranking``, ``red_and_black_lists``:
样本不足 units are never last), so the flag never depends on what was issued. A period the snapshot
does not cover breaks the run. The ranking tables, the unit profile, the deck's ranking and the 通报
show the flag with the periods.
"""

from __future__ import annotations

import pandas as pd

from xiaoneng import ledger, scorecard
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.metrics import SnapshotView

COLUMNS = ("unit_code", "unit_name", "periods", "grounds")


def _spans(period: Period, count: int) -> list[Period]:
    spans = [period]
    while len(spans) < count:
        spans.append(spans[-1].previous())
    return spans[::-1]  # oldest first


def bottom_units(view: SnapshotView, filters: Filters, by: str, size: int, lang: str = "zh") -> dict[str, str]:
    """unit code → why it is at the bottom in ``filters``' period: "black" (on the 黑榜) or "last" (a
    department last among the listable ones of its category)."""
    card = scorecard.published_ranking(view, filters, lang, by=by)
    _, black = scorecard.red_and_black_lists(card, size)
    found = dict.fromkeys(black["unit_code"], "black")
    if by == "dept":
        listed = card[scorecard.listable(card)]
        categories = view.layer.run("department_list").set_index("dept_code")["category"]
        listed = listed.assign(category=listed["unit_code"].map(categories))
        for _, group in listed.groupby("category", dropna=True):
            if len(group) > 1:  # last of one is not a ranking
                last = group.sort_values(["rank", "unit_code"]).iloc[-1]["unit_code"]
                found.setdefault(last, "last")
    return found


def repeat_offenders(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "county", size: int = 3,
                     periods: int | None = None) -> pd.DataFrame:
    """The units at the bottom (``bottom_units``) in each of the ``periods`` consecutive periods ending with
    ``filters``' period: unit_code, unit_name, periods (the period keys, oldest first) and grounds (per
    period "black" or "last"). Empty when the snapshot does not cover every one of those periods."""
    spans = _spans(filters.period, periods or ledger.repeat_periods())
    if not all(view.covers(span) for span in spans):
        return pd.DataFrame(columns=list(COLUMNS))
    bottoms = [bottom_units(view, filters.with_period(span), by, size, lang) for span in spans]
    repeat = set(bottoms[0]).intersection(*bottoms[1:])
    card = scorecard.published_ranking(view, filters, lang, by=by).set_index("unit_code")
    rows = [{"unit_code": code, "unit_name": card.loc[code, "unit_name"], "periods": tuple(s.key for s in spans),
             "grounds": tuple(b[code] for b in bottoms)} for code in sorted(repeat)]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _join(parts: list[str], lang: str) -> str:
    return t("offenders.list_separator", lang).join(parts)


def periods_text(periods: tuple[str, ...], lang: str = "zh") -> str:
    """"2026年9月、2026年10月" (the periods of a run, oldest first)."""
    return _join([Period.parse(p).label(lang) for p in periods], lang)


def flag_text(row, lang: str = "zh") -> str:
    """The flag beside a unit: "连续末位（2026年9月、2026年10月）"."""
    return t("offenders.flag", lang, periods=periods_text(tuple(row.periods), lang))


def sentence(frame: pd.DataFrame, by: str, lang: str = "zh") -> str:
    """One sentence naming the repeat offenders of one kind with their periods; "" when there are none."""
    if frame.empty:
        return ""
    units = [t("offenders.unit", lang, name=r.unit_name, periods=periods_text(tuple(r.periods), lang),
               grounds=_join([t(f"offenders.ground_{g}_{by}", lang) for g in dict.fromkeys(r.grounds)], lang))
             for r in frame.itertuples()]
    return t(f"offenders.sentence_{by}", lang, count=len(units), n=len(frame.iloc[0]["periods"]),
             units=t("offenders.separator", lang).join(units))


def flag_texts(frame: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """unit code → its flag text (``flag_text``) for the units of a ``repeat_offenders`` frame: the
    ranking tables' 连续末位 column and the unit profile."""
    return {r.unit_code: flag_text(r, lang) for r in frame.itertuples()}


def flags(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "county", size: int = 3) -> dict[str, str]:
    """unit code → its flag text, for the ranking tables and the profile."""
    return flag_texts(repeat_offenders(view, filters, lang, by, size), lang)

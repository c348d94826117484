"""单位画像 Unit profile: one county, one department, or one county's department — every indicator
against its peers and against its own history, and its rank over time.

Peers are the units of the same level under the same item-type and channel filters: the other
counties, the other departments, or the same department in the other counties.

No data is not zero: a period the snapshot holds nothing for shows 无数据 (no value, no rank, no
history); a comparison with a period it does not cover says 无可比数据; a running period is compared
with the same span of the previous period and of last year; the unit's rank carries 样本不足 when it
is ranked on fewer accepted cases than rules.min_cases (``scorecard.rank_text``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pandas as pd

from xiaoneng import briefing, caselist, offenders, satisfaction, scorecard
from xiaoneng.caselist import CaseSelection
from xiaoneng.charts import point_customdata
from xiaoneng.filters import Filters, Period, months_up_to
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, indicator_table_with_changes, scored_table

LEVELS = ("county", "dept", "county,dept")
HISTORY_INDICATORS = ("on_time_rate", "avg_elapsed_wd", "satisfied_rate")


def _peer_filters(filters: Filters, level: str, dept: str | None) -> Filters:
    peers = filters.without("counties", "departments")
    if level == "county,dept":
        return Filters(peers.period, departments=(dept,), item_types=peers.item_types, channels=peers.channels)
    return peers


def _unit_mask(table: pd.DataFrame, level: str, county: str | None, dept: str | None) -> pd.Series:
    mask = pd.Series(True, index=table.index)
    if level in ("county", "county,dept"):
        mask &= table["county_code"] == county
    if level in ("dept", "county,dept"):
        mask &= table["dept_code"] == dept
    return mask


def _check(level: str, county: str | None, dept: str | None) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    if "county" in level.split(",") and not county:
        raise ValueError(f"a {level} profile needs a county")
    if "dept" in level.split(",") and not dept:
        raise ValueError(f"a {level} profile needs a department")


def check_scope(view: SnapshotView, county: str | None) -> None:
    """A county user profiles only their own counties (a link or a widget naming another is refused)."""
    if county and not view.scope.allows(county):
        raise PermissionError(f"county {county!r} is outside the user's scope")


def rank_among(values: pd.Series, better: str) -> pd.Series:
    """Rank 1 = best by the indicator's direction; units without a value get no rank."""
    if better not in ("higher", "lower"):
        return pd.Series(pd.NA, index=values.index, dtype="Int64")
    return values.rank(ascending=better == "lower", method="min").astype("Int64")


def unit_vs_peers(view: SnapshotView, filters: Filters, lang: str, level: str = "county",
                  county: str | None = None, dept: str | None = None) -> pd.DataFrame:
    """One row per indicator: the unit's value, the peers' median, its rank among them, and the
    previous period's value and same period last year's (like for like: the same span while the
    period runs). ``previous_covered`` / ``year_ago_covered`` say whether the snapshot covers those
    periods (if not, their values are 无可比数据, not 无数据); ``small_base`` whether the unit is
    ranked on a small base (样本不足). A period the snapshot holds nothing for has no values."""
    _check(level, county, dept)
    check_scope(view, county)
    table = indicator_table_with_changes(view, _peer_filters(filters, level, dept), by=level, lang=lang)
    mask = _unit_mask(table, level, county, dept)
    previous_covered, year_ago_covered = (view.covers(p) for p in filters.period.comparisons(view.as_of))
    small_base = bool(table.loc[mask, "small_base"].iloc[0]) if mask.any() else False
    rows = []
    for key, ind in catalog().items():
        values = table[key].astype("float64")
        ranks = rank_among(values, ind.better)
        unit_value = values[mask].iloc[0] if mask.any() else float("nan")
        rows.append({
            "key": key,
            "value": unit_value,
            "peer_median": values.median(),
            "rank": ranks[mask].iloc[0] if mask.any() else pd.NA,
            "peers": int(values.notna().sum()),
            "previous": table.loc[mask, f"{key}_previous"].iloc[0] if mask.any() else float("nan"),
            "year_ago": table.loc[mask, f"{key}_year_ago"].iloc[0] if mask.any() else float("nan"),
        })
    rows.append({
        "key": "composite_score",
        "value": table.loc[mask, "composite_score"].iloc[0] if mask.any() else float("nan"),
        "peer_median": table["composite_score"].median(),
        "rank": table.loc[mask, "rank"].iloc[0] if mask.any() else pd.NA,
        "peers": int(table["composite_score"].notna().sum()),
        "previous": table.loc[mask, "composite_score_previous"].iloc[0] if mask.any() else float("nan"),
        "year_ago": table.loc[mask, "composite_score_year_ago"].iloc[0] if mask.any() else float("nan"),
    })
    frame = pd.DataFrame(rows)
    frame["rank"] = frame["rank"].astype("Int64")
    frame["previous_covered"], frame["year_ago_covered"], frame["small_base"] = \
        previous_covered, year_ago_covered, small_base
    return frame


def unit_history(view: SnapshotView, filters: Filters, lang: str, level: str = "county",
                 county: str | None = None, dept: str | None = None, months: int = 12) -> pd.DataFrame:
    """Month by month: the unit's composite score and rank among its peers, a few headline
    indicators, and the peers' median of each. A month without data (before the snapshot's data, or
    not begun) has no rank and no values; a period the snapshot holds nothing for has no history."""
    _check(level, county, dept)
    check_scope(view, county)
    columns = ["month", "peers", *(c for key in ("composite_score", *HISTORY_INDICATORS)
                                   for c in (key, f"{key}_peer_median")), "rank"]
    if not view.has_begun(filters.period):
        return pd.DataFrame(columns=columns)
    rows = []
    for month in months_up_to(filters.period, months):
        table = scored_table(view, _peer_filters(filters, level, dept).with_period(month), by=level)
        mask = _unit_mask(table, level, county, dept)
        row = {"month": month.key, "peers": int(table["composite_score"].notna().sum())}
        for key in ("composite_score", *HISTORY_INDICATORS):
            row[key] = table.loc[mask, key].iloc[0] if mask.any() else float("nan")
            row[f"{key}_peer_median"] = table[key].median()
        row["rank"] = table.loc[mask, "rank"].iloc[0] if mask.any() else pd.NA
        rows.append(row)
    history = pd.DataFrame(rows, columns=columns)
    history["rank"] = history["rank"].astype("Int64")
    return history


def indicator_label(key: str, lang: str) -> str:
    if key == "composite_score":
        return t("profile.composite_score", lang)
    return catalog()[key].label(lang)


def _format(key: str, value, lang: str, covered: bool = True) -> str:
    """A value as people read it: 无数据 without one, 无可比数据 for a period the snapshot does not cover."""
    if not covered:
        return t("kpi.no_comparison", lang)
    if value is None or pd.isna(value):
        return t("kpi.no_value", lang)
    if key == "composite_score":
        return f"{value:.1f}"
    return catalog()[key].format(float(value), lang)


def _rank(key: str, rank, peers: int, small_base: bool, lang: str) -> str:
    """"2 / 2"; the composite rank with 样本不足 beside it for a small base; 无数据 without a rank."""
    if pd.isna(rank):
        return t("kpi.no_value", lang)
    return t("profile.rank_of", lang, rank=scorecard.rank_text(rank, small_base and key == "composite_score", lang),
             peers=peers)


def peer_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The profile's table as shown: label, the unit's value, peers' median, rank, 环比 and 同比."""
    previous_covered = bool(rows["previous_covered"].iloc[0]) if len(rows) else True
    year_ago_covered = bool(rows["year_ago_covered"].iloc[0]) if len(rows) else True
    small_base = bool(rows["small_base"].iloc[0]) if len(rows) else False
    shown = pd.DataFrame({
        "indicator": [indicator_label(k, lang) for k in rows["key"]],
        "value": [_format(k, v, lang) for k, v in zip(rows["key"], rows["value"], strict=True)],
        "peer_median": [_format(k, v, lang) for k, v in zip(rows["key"], rows["peer_median"], strict=True)],
        "rank": [_rank(k, r, n, small_base, lang) for k, r, n in zip(rows["key"], rows["rank"], rows["peers"],
                                                                     strict=True)],
        "previous": [_format(k, v, lang, previous_covered) for k, v in zip(rows["key"], rows["previous"],
                                                                           strict=True)],
        "year_ago": [_format(k, v, lang, year_ago_covered) for k, v in zip(rows["key"], rows["year_ago"],
                                                                           strict=True)],
    })
    return shown


def small_base_note(rows: pd.DataFrame, lang: str = "zh") -> str:
    """The note under the table when the unit is ranked on a small base (样本不足), else ""."""
    if not len(rows) or not bool(rows["small_base"].iloc[0]):
        return ""
    accepted = rows.set_index("key").loc["cases_accepted", "value"]
    return t("profile.small_base", lang, cases=int(accepted), min=scorecard.min_cases())


def coverage_note(view: SnapshotView, filters: Filters, lang: str = "zh") -> str:
    """无数据 for a period the snapshot holds nothing for (not begun, or before its data), with the days
    it covers; "" when the period lies within them."""
    if view.has_begun(filters.period):
        return ""
    first, last = view.coverage
    return t("profile.no_data", lang, period=filters.period.label(lang), first=first.isoformat(),
             last=last.isoformat())


def peer_table_columns(lang: str) -> dict[str, str]:
    """Column headers of ``peer_table`` in the UI language."""
    return {c: t(f"profile.col_{c}", lang) for c in ("indicator", "value", "peer_median", "rank", "previous",
                                                       "year_ago")}


# ---------------------------------------------------------------- the cases behind an indicator (drill-through)

# The case list (xiaoneng.caselist subset) behind each indicator made of cases — the 按期办结率's
# misses, the 承诺件 a time is measured on, and so on — is caselist's one table. Indicators of
# reviews, surveys and tasks, the items' promise compression and the composite score have none.
CASE_SUBSET = caselist.SUBSET_OF_INDICATOR
DEFAULT_DRILL = "on_time_rate"  # what the list shows before anything is clicked (the history chart's rate)


def drill_selection(indicator: str, county: str | None = None, dept: str | None = None) -> CaseSelection | None:
    """The cases behind ``indicator`` for one county and/or department, or None if it has none."""
    return caselist.indicator_selection(indicator, county, dept)


def drill_filters(filters: Filters, month: str | None = None) -> Filters:
    """The case list's filters: the unit is named by the selection (not by the county and department
    filters, which the profile ignores as its peers do), in the clicked month if there is one."""
    unit_free = filters.without("counties", "departments")
    return unit_free.with_period(Period.parse(month)) if month else unit_free


def clicked_month(point: dict) -> str | None:
    """The month (YYYY-MM) of a click on a history chart (its customdata starts with the month)."""
    data = point_customdata(point)
    return str(data[0]) if data and data[0] else None


def clicked_indicator(rows: pd.DataFrame, selected_rows: list[int]) -> str | None:
    """The indicator key of the row selected in the peer table (``unit_vs_peers`` order), or None."""
    if not selected_rows or not 0 <= selected_rows[0] < len(rows):
        return None
    return str(rows["key"].iloc[selected_rows[0]])


def unit_label(county: str | None, dept: str | None, counties: dict[str, str], depts: dict[str, str],
               lang: str = "zh") -> str:
    """The profiled unit's name: "甲区", "人社局" or "甲区 · 人社局"."""
    names = [counties.get(county, county) if county else None, depts.get(dept, dept) if dept else None]
    return t("crossfilter_more.separator", lang).join(n for n in names if n)


def repeat_offender_note(view: SnapshotView, filters: Filters, lang: str = "zh", level: str = "county",
                         county: str | None = None, dept: str | None = None) -> str:
    """"云台县连续末位（2026年9月、2026年10月）。" when the profiled county or department is 连续末位
    among its peers (``offenders``, the published rules and list size); "" otherwise, and for a county's
    department, which no published ranking ranks."""
    _check(level, county, dept)
    if level == "county,dept":
        return ""
    code = county if level == "county" else dept
    found = offenders.repeat_offenders(view, _peer_filters(filters, level, dept), lang, by=level,
                                       size=briefing.meeting_config().red_black_size)
    row = found[found["unit_code"] == code]
    if row.empty:
        return ""
    first = next(row.itertuples())
    return t("offenders.profile_flag", lang, name=first.unit_name, flag=offenders.flag_text(first, lang))


# ---------------------------------------------------------------- the unit's slowest items and bad reviews

# Bad reviews listed on the profile: the first page; the full list is on 满意度.
PROFILE_REVIEWS = 50


def unit_in_view(held: str | None, named: tuple[str, ...], offered: Mapping[str, str]) -> str | None:
    """The unit a profile box shows: the one it ``held`` when the sidebar's filter ``named`` none or
    named it too, else the first the filter names (a link to a unit's profile names it there), else
    the first ``offered``; None when nothing is offered."""
    choices = [code for code in named if code in offered] or list(offered)
    if held in choices:
        return held
    return choices[0] if choices else None


def unit_filters(filters: Filters, county: str | None = None, dept: str | None = None) -> Filters:
    """The filters narrowed to the profiled unit (the sidebar's county and department filters give way
    to it, as for its peers)."""
    return replace(filters.without("counties", "departments"), counties=(county,) if county else (),
                   departments=(dept,) if dept else ())


def slowest_items(view: SnapshotView, filters: Filters, lang: str, county: str | None = None,
                  dept: str | None = None) -> pd.DataFrame:
    """The unit's items whose P90 runs furthest past their promise: the meeting's slowest-items table
    (xiaoneng.briefing), so the profile, the screen and the slide say the same."""
    check_scope(view, county)
    view_of_unit = briefing.build_view(view, unit_filters(filters, county, dept), briefing.ViewSpec("slowest_items"),
                                       lang)
    return view_of_unit.tables[0].table


def bad_reviews(view: SnapshotView, filters: Filters, lang: str, county: str | None = None,
                dept: str | None = None) -> pd.DataFrame:
    """The unit's bad reviews of the period (newest first page, PROFILE_REVIEWS rows), with the
    rectification state, headers in ``lang``; ``total`` in ``attrs`` says how many there are."""
    check_scope(view, county)
    table, total = satisfaction.review_screen_page(view, unit_filters(filters, county, dept), lang,
                                                   satisfaction.LISTING_BAD, page=1, page_size=PROFILE_REVIEWS)
    table.attrs["total"] = total
    return table

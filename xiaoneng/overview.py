"""Data for the Overview page (总览): KPI cards, counties ranked by composite score with their rank
change and the 红榜/黑榜, the trend of the headline indicators, and the county × department
traffic-light matrix whose cells lead to their cases. Each data function takes a SnapshotView, the
Filters and the UI language and returns a small DataFrame; pages only lay them out, the cache in
``xiaoneng.session`` keeps them, and every number comes from ``xiaoneng.metrics``, the scorecard
(one ranking code path) or the query layer.

No data is not zero (product.md §4): a value the snapshot does not hold is 无数据, a comparison with
a period it does not cover (or without a value) is 无可比数据, and a period still running at the
snapshot's moment is labelled 截至 M月D日 and compared with the same span of the previous period and
of last year (``metrics.headline``, ``Period.comparisons``).
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import math
import urllib.parse
from collections.abc import Mapping
from dataclasses import replace

import pandas as pd
from pandas.io.formats.style import Styler

from xiaoneng import rollups, scorecard
from xiaoneng.charts import GRID_COLOR, MUTED_TEXT, STATUS_COLORS, TEXT_COLOR
from xiaoneng.filters import Filters, Period, months_up_to
from xiaoneng.i18n import t
from xiaoneng.indicators import Indicator, catalog, headline_indicators
from xiaoneng.markup import escape_markdown
from xiaoneng.metrics import HeadlineValue, SnapshotView, headline, indicator_table, unit_names
from xiaoneng.periodnotes import comparison_note, through_text

# A cell below target by at most this many points (in the indicator's unit) is amber, not red.
AMBER_BAND = 5.0
MATRIX_INDICATOR = "on_time_rate"
# Indicators shown next to the composite score in the ranking table: weighted ones, whose values
# the scorecard carries (tests/test_overview.py checks they are weighted).
RANKING_INDICATORS = ("on_time_rate", "avg_elapsed_wd", "online_rate", "satisfied_rate", "satisfaction_index")
TREND_MONTHS = 12  # the trend shows the year up to the selected period
CELL_SEPARATOR = "|"  # a matrix cell's code: county code | department code


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


# ---------------------------------------------------------------- periods in words (截至, like for like)

def _is_points(ind: Indicator) -> bool:
    return ind.unit_zh == "%"


def format_change(ind: Indicator, change: float | None, relative: bool, lang: str) -> str | None:
    """环比/同比 text with its sign: rates in percentage points, indices in points, the rest in percent."""
    if _is_missing(change):
        return None
    places = 1 if relative or _is_points(ind) else ind.places
    if round(change, places) == 0:
        change = 0.0
    sign = "+" if change > 0 else ("-" if change < 0 else "")
    number = f"{sign}{abs(change):,.{places}f}"
    if relative:
        return number + "%"
    if _is_points(ind):
        return f"{number} {t('number.points', lang)}"
    return f"{number} {ind.unit(lang)}"


def format_gap(ind: Indicator, gap: float, lang: str) -> str:
    """The distance to the target, without sign: percentage points for rates, the unit otherwise."""
    if _is_points(ind):
        return f"{abs(gap):,.1f} {t('number.points', lang)}"
    return ind.format(abs(gap), lang)


def change_tone(ind: Indicator, change: float | None) -> str:
    """good | bad | neutral: whether a change moves the indicator the way it should."""
    if _is_missing(change) or change == 0 or ind.better not in ("higher", "lower"):
        return "neutral"
    return "good" if (change > 0) == (ind.better == "higher") else "bad"


_TONE_COLOR = {"good": "green", "bad": "red", "neutral": "gray"}


def change_text(hv: HeadlineValue, before: float | None, lang: str) -> tuple[str | None, float | None]:
    """The change from ``before`` to the value as text, and the change itself.

    Counts and durations change in percent; from zero there is no percent (metrics gives
    None), so the card shows the plain difference in the indicator's unit ("+1 件") instead.
    """
    if hv.value is None or before is None:
        return None, None
    relative = hv.relative_change and before != 0
    change = (hv.value - before) / before * 100 if relative else hv.value - before
    return format_change(hv.indicator, change, relative, lang), change


def _year_line(hv: HeadlineValue, lang: str) -> str:
    text, change = change_text(hv, hv.year_ago, lang)
    label = t("kpi.year_ago", lang)
    if text is None:
        return f"{label} :gray[{t('kpi.no_comparison', lang)}]"
    if not text.startswith(("+", "-")):  # no change once rounded
        return f"{label} :gray[{text}]"
    arrow = "↑ " if text.startswith("+") else "↓ "
    colour = _TONE_COLOR[change_tone(hv.indicator, change)]
    return f"{label} :{colour}[{arrow}{text}]"


def target_text(ind: Indicator, lang: str) -> str | None:
    """"目标 ≥ 95.0%", or None when the indicator has no target to meet."""
    if ind.target is None or ind.better not in ("higher", "lower"):
        return None
    return f"{t('kpi.target', lang)} {t(f'kpi.target_{ind.better}', lang, target=ind.format(ind.target, lang))}"


def _target_lines(hv: HeadlineValue, lang: str) -> tuple[str, str]:
    """The target ("目标 ≥ 95.0%") and, on its own line, the verdict with the distance to it."""
    ind = hv.indicator
    bound = target_text(ind, lang)
    if bound is None:
        return f"{t('kpi.target', lang)} :gray[{t('kpi.no_target', lang)}]", ""
    if hv.value is None:
        return bound, f":gray-badge[{t('kpi.no_value', lang)}]"
    gap = hv.gap_to_target
    if hv.meets_target:
        # a gap that rounds to nothing is not worth a "better by 0.0"
        rounded = round(abs(gap), 1 if _is_points(ind) else ind.places)
        detail = t("kpi.better_by", lang, gap=format_gap(ind, gap, lang)) if rounded else ""
        return bound, f":green-badge[{t('kpi.meets', lang)}] {detail}".rstrip()
    key = "kpi.short_by" if ind.better == "higher" else "kpi.over_by"
    return bound, f":red-badge[{t('kpi.misses', lang)}] {t(key, lang, gap=format_gap(ind, gap, lang))}"


def kpi_cards(view: SnapshotView, filters: Filters, lang: str = "zh",
              keys: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per headline indicator (or per catalog indicator in ``keys``): the value and every
    text its card shows.

    ``value_text`` is 无数据 without a value; ``previous`` / ``year_ago`` are None without a comparable
    figure (the period is not covered by the snapshot, or has no value), and then ``delta_text`` /
    ``year_ago_text`` say 无可比数据. ``delta_*`` feed ``st.metric`` (the 环比 change; lower-better
    indicators use the inverse colours), ``detail_md`` the card's further lines: for a running period
    截至 M月D日 (``through``, ``through_text``: the comparisons then cover the same span), 同比, the
    target, the verdict and the distance. ``comparison_note`` (the same on every row) names the spans.
    """
    rows = []
    note = comparison_note(view, filters.period, lang)
    no_comparison = t("kpi.no_comparison", lang)
    for hv in headline(view, filters, list(keys) if keys else None):
        ind = hv.indicator
        delta, _ = change_text(hv, hv.previous, lang)
        year_ago, _ = change_text(hv, hv.year_ago, lang)
        # no colour and no arrow without a change (a rounded zero is shown unsigned)
        flat = delta is None or not delta.startswith(("+", "-"))
        through = through_text(hv.through, lang)
        through_line = f":gray[{t('kpi.through_line', lang, through=through)}]" if through else ""
        rows.append({
            "key": ind.key,
            "label": ind.label(lang),
            "value": hv.value,
            "value_text": ind.format(hv.value, lang),
            "previous": hv.previous,
            "year_ago": hv.year_ago,
            "change_previous": hv.change_previous,
            "change_year_ago": hv.change_year_ago,
            "gap_to_target": hv.gap_to_target,
            "meets_target": hv.meets_target,
            "better": ind.better,
            "delta_text": delta if delta is not None else no_comparison,
            "year_ago_text": year_ago if year_ago is not None else no_comparison,
            "delta_description": t("kpi.previous", lang),
            "delta_color": "off" if flat else {"higher": "normal", "lower": "inverse"}.get(ind.better, "off"),
            "delta_arrow": "off" if flat else "auto",
            "detail_md": "  \n".join(line for line in (through_line, _year_line(hv, lang), *_target_lines(hv, lang))
                                    if line),
            "help": ind.definition(lang),
            "through": hv.through,
            "through_text": through,
            "comparison_note": note,
        })
    return pd.DataFrame(rows)


def kpis_empty(cards: pd.DataFrame) -> bool:
    """True when the selection holds nothing at all: no card has a value (无数据 everywhere). A zero
    count is data (a unit with cases and none of them overdue), never "nothing"."""
    return bool(cards.empty or cards["value"].isna().all())


def county_ranking(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """Every county in the user's scope ranked by composite score (best first), with the rank of
    the previous period and the change (``scorecard.scorecard``: the Scorecard page's ranking).

    The county filter does not narrow the ranking (a leader compares a county with all
    the others); it marks the selected counties in ``selected``. The other filters apply.
    Counties without case data in the period come last, with no rank (无数据); ``small_base`` marks
    the counties ranked on fewer accepted cases than the minimum (样本不足: ranked, never on the
    红榜/黑榜 — ``scorecard.red_and_black_lists``); ``previous_rank`` is the rank in the same span of the
    previous period, missing (无可比数据) when the snapshot does not cover it; ``score_change`` the
    composite score's change since then.

    Every county is ranked (``scorecard.published_ranking``: a county user sees all scores and
    ranks); the indicator columns are filled for the counties in the user's scope only (``in_scope``).
    """
    card = scorecard.ranking_with_breakdown(view, filters, lang, by="county")
    return card[["rank", "unit_code", "unit_name", "composite_score", "previous_rank", "rank_change", "score_change",
                 "selected", "small_base", "in_scope", *RANKING_INDICATORS]]


def ranking_empty(ranked: pd.DataFrame) -> bool:
    """No county is ranked: none has case data in the period (the page then shows why, not a table)."""
    return bool(ranked.empty or ranked["rank"].isna().all())


def chart_labels(ranked: pd.DataFrame, lang: str = "zh") -> list[str]:
    """The ranking chart's bar labels: the county's name, with 样本不足 beside it when its base is small."""
    return [scorecard.unit_label(name, small, lang) for name, small in zip(ranked["unit_name"], ranked["small_base"],
                                                                         strict=True)]


HIGHLIGHT_BACKGROUND = "#E3ECF6"  # the selected counties' rows (the chart draws them dark)
CHANGE_COLORS = {"up": STATUS_COLORS["green"], "down": STATUS_COLORS["red"]}  # a rank gained / lost


def _change_style(change) -> str:
    if _is_missing(change) or int(change) == 0:
        return ""
    return f"color: {CHANGE_COLORS['up' if change > 0 else 'down']}; font-weight: 600"


def ranking_table(ranked: pd.DataFrame, lang: str = "zh", flags: Mapping[str, str] | None = None) -> Styler:
    """The ranking as a table for people: headers in ``lang``, the rank with 样本不足 beside it for a
    small base, the rank change as ↑2 / ↓1 / 持平 (green / red) or 无可比数据, numbers formatted as the
    catalog says (rates carry their %, other units go in the header; 无数据 without a value),
    selected counties shaded; with ``flags`` (county code → ``offenders.flag_text``, not empty) a 连续末位 column."""
    cat = catalog()
    columns = {"rank": t("ranking.rank", lang), "unit_name": t("ranking.county", lang),
               **({"repeat_offender": t("offenders.column", lang)} if flags else {}),
               "composite_score": t("ranking.score", lang), "rank_change": scorecard.text("rank_change", lang)}
    formats = {columns["composite_score"]: f"{{:.{scorecard.score_places(ranked['composite_score'])}f}}"}
    for key in RANKING_INDICATORS:
        header = scorecard.indicator_header(cat[key], lang)
        columns[key] = header
        formats[header] = f"{{:,.{cat[key].places}f}}" + ("%" if _is_points(cat[key]) else "")
    shown = ranked.assign(
        rank=[scorecard.rank_text(r, s, lang) for r, s in zip(ranked["rank"], ranked["small_base"], strict=True)],
        rank_change=[scorecard.rank_change_text(c, lang) for c in ranked["rank_change"]],
        repeat_offender=[(flags or {}).get(code, "") for code in ranked["unit_code"]])
    shown = shown.rename(columns=columns)[list(columns.values())].reset_index(drop=True)
    selected = ranked["selected"].reset_index(drop=True)
    change_styles = [_change_style(c) for c in ranked["rank_change"]]

    def shade(row: pd.Series) -> list[str]:
        shaded = f"background-color: {HIGHLIGHT_BACKGROUND}; font-weight: 600; " if selected[row.name] else ""
        return [shaded + (change_styles[row.name] if name == columns["rank_change"] else "") for name in row.index]

    styled = shown.style.format(formats, na_rep=t("kpi.no_value", lang))
    hidden = list(ranked["in_scope"].reset_index(drop=True).eq(False).to_numpy().nonzero()[0]) \
        if "in_scope" in ranked else []
    if hidden:  # another county's indicators are not published: a dash, not 无数据
        shown_indicators = [columns[key] for key in RANKING_INDICATORS]
        styled = styled.format(formats, na_rep=t("scope_notice.not_published", lang),
                               subset=pd.IndexSlice[hidden, shown_indicators])
    return styled.apply(shade, axis=1)


def lists_note(ranked: pd.DataFrame, red: pd.DataFrame, lang: str = "zh") -> str:
    """Why the 红榜/黑榜 are not shown (every ranked county has a small base, or fewer than two may be
    listed), or, when they are, which counties stay off them (样本不足); "" when nothing needs saying."""
    small = ranked.loc[ranked["rank"].notna() & ranked["small_base"].astype(bool), "unit_name"].tolist()
    minimum = scorecard.min_cases()
    if red.empty:
        key = "lists_all_small" if small and len(small) == int(ranked["rank"].notna().sum()) else "lists_too_few"
        return t(f"ranking.{key}", lang, min=minimum)
    if small:
        return t("ranking.lists_left_off", lang, min=minimum, names=scorecard.text("separator", lang).join(small))
    return ""


# The 红榜 / 黑榜 headers: red for the best, near-black for the worst.
LIST_COLORS = {"red": STATUS_COLORS["red"], "black": TEXT_COLOR}


def honour_list_html(units: pd.DataFrame, kind: str, lang: str = "zh") -> str:
    """One of ``scorecard.red_and_black_lists`` (not empty) as a compact panel (``kind`` red | black):
    a coloured header, then per county its rank, name, score and rank change. Names are escaped."""
    if kind not in LIST_COLORS:
        raise ValueError(f"kind must be red or black, got {kind!r}")
    colour = LIST_COLORS[kind]
    cell = f"padding: 7px 12px; border-bottom: 1px solid {GRID_COLOR}"
    places = scorecard.score_places(units["composite_score"])  # close scores get the decimal that parts them
    rows = []
    for unit in units.itertuples():
        change = scorecard.rank_change_text(unit.rank_change, lang)
        change_colour = _change_style(unit.rank_change) or f"color: {MUTED_TEXT}"
        rows.append(
            f'<tr><td style="{cell}; width: 3em; color: {MUTED_TEXT}">{int(unit.rank)}</td>'
            f'<td style="{cell}; font-weight: 600">{html.escape(str(unit.unit_name))}</td>'
            f'<td style="{cell}; text-align: right">{unit.composite_score:.{places}f}</td>'
            f'<td style="{cell}; text-align: right; width: 5em; {change_colour}">{html.escape(change)}</td></tr>')
    title = html.escape(t(f"briefing.ranking.{kind}", lang))
    note = html.escape(t(f"overview_more.list_{kind}", lang, count=len(units)))
    return (
        f'<div class="xn-honour" style="border: 1px solid {colour}; border-radius: 6px; overflow: hidden; '
        'font-size: 17px">'
        f'<div style="background: {colour}; color: white; padding: 8px 12px; font-weight: 700">{title}'
        f'<span style="font-weight: 400; font-size: 14px; margin-left: 10px">{note}</span></div>'
        f'<table style="width: 100%; border-collapse: collapse; margin: 0">{"".join(rows)}</table></div>'
    )


# ---------------------------------------------------------------- 需关注: the first screen's units

def department_ranking(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """Every department in the user's scope ranked by composite score (best first): the columns of
    ``county_ranking`` (``scorecard.ranking_with_breakdown`` by department; the department filter only
    marks, the county filter narrows the cases ranked)."""
    card = scorecard.ranking_with_breakdown(view, filters, lang, by="dept")
    return card[["rank", "unit_code", "unit_name", "composite_score", "previous_rank", "rank_change", "score_change",
                 "selected", "small_base", "in_scope", *RANKING_INDICATORS]]


def missed_targets(unit: pd.Series, lang: str = "zh") -> list[str]:
    """The labels of the ranking indicators whose value misses its target (catalog order)."""
    cat = catalog()
    return [cat[key].label(lang) for key in RANKING_INDICATORS
            if not _is_missing(unit.get(key)) and cat[key].meets_target(float(unit[key])) is False]


def attention_units(ranked: pd.DataFrame, size: int, lang: str = "zh") -> pd.DataFrame:
    """The units of a ranking (``county_ranking``, ``department_ranking``) a leader should look at
    first, worst first: the 黑榜 (``scorecard.red_and_black_lists``: the ``size`` worst listable units),
    then the ``size`` listable units whose composite score fell most since the previous span
    (``score_change`` below zero), each unit once. Columns: unit_code, unit_name, rank, ranked (how
    many units are ranked), composite_score, score_change, rank_change, worst, declined (why it is
    listed) and missed (the indicators missing their target; empty for a unit out of scope)."""
    columns = ["unit_code", "unit_name", "rank", "ranked", "composite_score", "score_change", "rank_change",
               "worst", "declined", "missed"]
    if ranked.empty or "score_change" not in ranked:
        return pd.DataFrame(columns=columns)
    _, black = scorecard.red_and_black_lists(ranked, size)
    listable = ranked[scorecard.listable(ranked)]
    fell = listable[listable["score_change"].astype("float64") < 0]
    declined = fell.sort_values(["score_change", "unit_code"]).head(size)
    codes = list(dict.fromkeys([*black["unit_code"], *declined["unit_code"]]))
    chosen = ranked.set_index("unit_code").loc[codes].reset_index()
    chosen["ranked"] = int(ranked["rank"].notna().sum())
    chosen["worst"] = chosen["unit_code"].isin(black["unit_code"])
    chosen["declined"] = chosen["unit_code"].isin(declined["unit_code"])
    chosen["missed"] = [missed_targets(unit, lang) if unit.get("in_scope", True) else []
                        for _, unit in chosen.iterrows()]
    return chosen[columns]


def profile_href(params: dict[str, str], kind: str, code: str) -> str:
    """The link to the 单位画像 of one county (``kind`` county) or department (dept), relative to the
    app's root: the view's URL parameters (``session.url_params``) with the unit as the filter that
    names it (the profile shows the unit its filters name) and, for a department, ``level=dept``."""
    if kind not in scorecard.UNIT_KINDS:
        raise ValueError(f"kind must be one of {scorecard.UNIT_KINDS}, got {kind!r}")
    linked = {k: v for k, v in params.items() if k not in ("counties", "departments")} if kind == "county" \
        else {k: v for k, v in params.items() if k != "departments"}
    linked |= {"counties": code} if kind == "county" else {"departments": code, "level": "dept"}
    return f"{PROFILE_PAGE}?{urllib.parse.urlencode(linked, safe=',')}"


PROFILE_PAGE = "unit_profile"  # the 单位画像 page's URL path (pages/unit_profile.py)
ATTENTION_COLORS = {"worst": TEXT_COLOR, "declined": STATUS_COLORS["red"]}


def _score_change_text(change) -> str:
    if _is_missing(change):
        return ""
    return f"{'+' if change > 0 else ''}{float(change):.1f}"


def attention_html(units: pd.DataFrame, kind: str, hrefs: dict[str, str], lang: str = "zh") -> str:
    """``attention_units`` of one kind (county | dept) as a compact table: each unit's name linking to
    its profile (``hrefs`` by code), why it is listed (末位, 退步), its rank of all ranked units with the
    change, its score with the change, and the indicators missing their target. Names are escaped."""
    title = html.escape(t(f"attention.title_{kind}", lang))
    if units.empty:
        return (f'<div class="xn-attention"><div class="xn-attention-title">{title}</div>'
                f'<div class="xn-attention-none">{html.escape(t("attention.none", lang))}</div></div>')
    cell = f"padding: 5px 8px; border-bottom: 1px solid {GRID_COLOR}; vertical-align: top"
    places = scorecard.score_places(units["composite_score"])
    rows = []
    for unit in units.itertuples():
        tags = "".join(
            f'<span style="background: {ATTENTION_COLORS[why]}; color: white; border-radius: 4px; padding: 0 5px;'
            f' margin-left: 6px; font-size: 12px; white-space: nowrap">'
            f'{html.escape(t(f"attention.{why}", lang))}</span>' for why in ("worst", "declined") if getattr(unit, why))
        change = scorecard.rank_change_text(unit.rank_change, lang)
        missed = unit.missed
        missed_text = (t("attention.missed", lang, count=len(missed), names=t("attention.separator", lang).join(missed))
                       if missed else t("attention.all_met", lang))
        rank = t("attention.rank", lang, rank=int(unit.rank), ranked=int(unit.ranked))
        rows.append(
            f'<tr><td style="{cell}"><a href="{html.escape(hrefs[unit.unit_code])}" target="_self" '
            f'style="font-weight: 600; color: #1F4E79">{html.escape(str(unit.unit_name))}</a>{tags}'
            f'<div style="font-size: 12.5px; color: {MUTED_TEXT}">{html.escape(missed_text)}</div></td>'
            f'<td style="{cell}; text-align: right; white-space: nowrap">{html.escape(rank)}'
            f'<div style="font-size: 12.5px; {_change_style(unit.rank_change) or f"color: {MUTED_TEXT}"}">'
            f'{html.escape(change)}</div></td>'
            f'<td style="{cell}; text-align: right; white-space: nowrap">{unit.composite_score:.{places}f}'
            f'<div style="font-size: 12.5px; color: {MUTED_TEXT}">{html.escape(_score_change_text(unit.score_change))}'
            f'</div></td></tr>')
    header = "".join(f'<th style="{cell}; text-align: {align}; font-weight: 400; color: {MUTED_TEXT}">'
                     f'{html.escape(t(f"attention.col_{name}", lang))}</th>'
                     for name, align in (("unit", "left"), ("rank", "right"), ("score", "right")))
    return (f'<div class="xn-attention" data-kind="{kind}"><div class="xn-attention-title">{title}</div>'
            f'<table style="width: 100%; border-collapse: collapse; margin: 0; font-size: 15px">'
            f'<thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def traffic_status(value: float | None, ind: Indicator, band: float = AMBER_BAND) -> str:
    """green (meets target) | amber (misses by at most ``band``) | red | none (no value or no target)."""
    if _is_missing(value):
        return "none"
    met = ind.meets_target(float(value))
    if met is None:
        return "none"
    if met:
        return "green"
    return "amber" if abs(float(value) - ind.target) <= band else "red"


def traffic_light_matrix(view: SnapshotView, filters: Filters, lang: str = "zh", key: str = MATRIX_INDICATOR,
                         band: float = AMBER_BAND) -> pd.DataFrame:
    """One row per (county, department) cell: its code (``cell_code``, for clicks), the indicator,
    its base (for 按期办结率 the cases due in the period, ``due_cases``), its traffic light and text.

    Rows are the selected counties (all in scope when none is selected), columns the selected
    departments; without a department filter, departments with no value in any county are
    dropped so the grid is not padded with empty columns. A cell with no value (nothing due in the
    period, or a period the snapshot holds nothing for) is "none", grey, 无数据 — never 0 %.
    """
    ind = catalog()[key]
    table = indicator_table(view, filters, by="county,dept", lang=lang)
    county_names, dept_names = unit_names(view, lang)
    counties = [c for c in county_names if not filters.counties or c in filters.counties]
    depts = [d for d in dept_names if not filters.departments or d in filters.departments]
    grid = pd.DataFrame(list(itertools.product(counties, depts)), columns=["county_code", "dept_code"])
    base_col = ind.denominator or ind.value
    values = table[["county_code", "dept_code", key, base_col]].rename(columns={key: "value", base_col: "base"})
    cells = grid.merge(values, on=["county_code", "dept_code"], how="left")
    cells["county_name"] = cells["county_code"].map(county_names)
    cells["dept_name"] = cells["dept_code"].map(dept_names)
    cells["status"] = [traffic_status(v, ind, band) for v in cells["value"]]
    cells["text"] = [ind.format(None if _is_missing(v) else float(v), lang) for v in cells["value"]]
    cells["base"] = cells["base"].astype("Int64")
    cells["cell_code"] = cells["county_code"] + CELL_SEPARATOR + cells["dept_code"]
    if not filters.departments:
        with_value = set(cells.loc[cells["status"] != "none", "dept_code"])
        cells = cells[cells["dept_code"].isin(with_value)]
    return cells.reset_index(drop=True)[["cell_code", "county_code", "county_name", "dept_code", "dept_name", "value",
                                         "base", "status", "text"]]


def matrix_caption(lang: str = "zh", key: str = MATRIX_INDICATOR, band: float = AMBER_BAND) -> str:
    ind = catalog()[key]
    return t("matrix.caption", lang, target=ind.format(ind.target, lang), band=f"{band:g}")


def matrix_cell(matrix: pd.DataFrame, code: str | None) -> pd.Series | None:
    """The matrix's row of the clicked cell ``code``, or None when the matrix (now) has no such cell."""
    found = matrix[matrix["cell_code"] == code] if code else matrix.iloc[0:0]
    return None if found.empty else found.iloc[0]


def cell_filters(filters: Filters, cell: pd.Series) -> Filters:
    """The filters narrowed to one cell's county and department: the cases behind that cell."""
    return replace(filters, counties=(cell["county_code"],), departments=(cell["dept_code"],))


def cell_heading(cell: pd.Series, period: Period, lang: str = "zh", key: str = MATRIX_INDICATOR) -> str:
    """What the cell's case list is about (Markdown: the unit names are escaped): unit, period, the
    cell's value and its base (a cell the table holds no row for has nothing due: its base is 0)."""
    ind = catalog()[key]
    base = "0" if _is_missing(cell["base"]) else f"{int(cell['base']):,}"
    return t("overview_more.cell_heading", lang, county=escape_markdown(cell["county_name"]),
             dept=escape_markdown(cell["dept_name"]),
             period=period.label(lang), indicator=ind.label(lang), value=cell["text"], base=base)


_BADGE_TEXT = {"red": "white", "amber": TEXT_COLOR}  # amber is too light behind white type


def matrix_misses(matrix: pd.DataFrame, key: str = MATRIX_INDICATOR) -> pd.DataFrame:
    """The matrix's cells that miss the target (red, then amber), worst value first: the ranked list a
    phone shows in place of the grid."""
    ind = catalog()[key]
    missing = matrix[matrix["status"].isin(["red", "amber"])]
    return missing.sort_values(["value", "cell_code"], ascending=[ind.better != "lower", True]).reset_index(drop=True)


def matrix_list_html(matrix: pd.DataFrame, lang: str = "zh", key: str = MATRIX_INDICATOR) -> str:
    """``matrix_misses`` as a numbered list (county · department, the value in its light's colour),
    with how many cells meet the target or have no value. Names are escaped."""
    misses = matrix_misses(matrix, key)
    rows = "".join(
        f'<li style="padding: 5px 0; border-bottom: 1px solid {GRID_COLOR}">'
        f'<span style="font-weight: 600">{html.escape(str(cell.county_name))}</span> · '
        f'{html.escape(str(cell.dept_name))}<span style="float: right; font-weight: 600; padding: 0 6px; '
        f'border-radius: 4px; background: {STATUS_COLORS[cell.status]}; color: {_BADGE_TEXT[cell.status]}">'
        f'{html.escape(cell.text)}</span></li>'
        for cell in misses.itertuples())
    rest = t("attention.matrix_rest", lang, count=len(matrix) - len(misses))
    title = html.escape(t("attention.matrix_list", lang, count=len(misses)))
    return (f'<div class="xn-attention"><div class="xn-attention-title">{title}</div>'
            f'<ol style="margin: 0; padding-left: 1.6em; font-size: 15px">{rows}</ol>'
            f'<div class="xn-attention-none">{html.escape(rest)}</div></div>')


# ---------------------------------------------------------------- trend of the headline indicators

def trend_months(period: Period, as_of: dt.datetime, months: int = TREND_MONTHS) -> list[Period]:
    """The ``months`` calendar months ending with the period's last month (the snapshot's month if
    that is earlier: later months have no data yet), oldest first."""
    last = min(period.end, as_of.date())
    return months_up_to(Period.parse(f"{last:%Y-%m}"), months)


def headline_trend(view: SnapshotView, filters: Filters, lang: str = "zh", months: int = TREND_MONTHS) -> pd.DataFrame:
    """Each headline indicator month by month over the ``TREND_MONTHS`` up to the selected period:
    one row per indicator and month, indicators in catalog order (as the KPI cards).

    One query (queries/headline_trend.sql, or rollup_headline_trend.sql on the snapshot's rollups)
    measures every month as indicator_measures.sql measures a one-month period; the catalog turns
    the measures into values. A month without data is a gap
    (value None, 无数据), never 0: counts of a month without case data are null in the query, and
    a month before the snapshot's coverage is not measured at all (as ``metrics.measures``). A
    period the snapshot has not begun (or that ends before its data) has no trend: no rows.
    Columns: key, title, subtitle (the target), target, suffix ("%" for rates), places, month
    (YYYY-MM), value, value_text.
    """
    columns = ["key", "title", "subtitle", "target", "suffix", "places", "month", "value", "value_text"]
    if not view.has_begun(filters.period):
        return pd.DataFrame(columns=columns)
    window = trend_months(filters.period, view.as_of, months)
    start = dt.datetime.combine(window[0].start, dt.time())
    end = window[-1].bounds(view.as_of)["period_end"]
    # the snapshot's rollups when it has them (each month's states are read at its end or the
    # snapshot's moment: checkpoints), else the rows (older snapshots)
    served = rollups.serves(view.info.manifest, view.snapshot_at, start, end, min(end, view.snapshot_at))
    measured = view.layer.run("rollup_headline_trend" if served else "headline_trend", filters, trend_start=start,
                              trend_end=end, snapshot_at=view.snapshot_at)
    month_keys = [f"{m:%Y-%m}" for m in measured["month_start"]]
    measured_months = {m.key: view.has_begun(m) for m in window}
    rows = []
    for ind in headline_indicators():
        subtitle = target_text(ind, lang) or t("kpi.no_target", lang)
        panel = {"key": ind.key, "title": ind.label(lang), "subtitle": subtitle, "target": ind.target,
                 "suffix": "%" if _is_points(ind) else "", "places": ind.places}
        for month, value in zip(month_keys, ind.compute(measured), strict=True):
            value = None if _is_missing(value) or not measured_months.get(month, False) else float(value)
            rows.append({**panel, "month": month, "value": value, "value_text": ind.format(value, lang)})
    return pd.DataFrame(rows, columns=columns)


def trend_caption(trend: pd.DataFrame, lang: str = "zh", through: dt.date | None = None) -> str:
    """The months the trend covers, how they are measured, and how to read the chart; with
    ``through`` (the last month is still running) how far that month's figures reach."""
    months = list(dict.fromkeys(trend["month"])) if len(trend) else []
    if not months or trend["value"].isna().all():
        return t("overview_more.trend_empty", lang)
    first, last = (Period.parse(m).label(lang) for m in (months[0], months[-1]))
    caption = t("overview_more.trend_caption", lang, first=first, last=last)
    if not _is_missing(through) and f"{through:%Y-%m}" == months[-1]:
        caption += t("overview_more.trend_running", lang, last=last, through=through_text(through, lang))
    return caption

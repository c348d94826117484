"""Data for the Overview page (总览): KPI cards, counties ranked by composite score, and the
county × department traffic-light matrix. Each function takes a SnapshotView, the Filters and
the UI language and returns a small DataFrame; pages only lay them out, the cache in
``xiaoneng.session`` keeps them, and every number comes from ``xiaoneng.metrics``.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd
from pandas.io.formats.style import Styler

from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.indicators import Indicator, catalog
from xiaoneng.metrics import HeadlineValue, SnapshotView, headline, indicator_table, unit_names

# A cell below target by at most this many points (in the indicator's unit) is amber, not red.
AMBER_BAND = 5.0
MATRIX_INDICATOR = "on_time_rate"
# Indicators shown next to the composite score in the ranking table.
RANKING_INDICATORS = ("on_time_rate", "avg_elapsed_wd", "online_rate", "satisfied_rate", "satisfaction_index",
                      "cases_accepted")


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


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
        return f"{label} {t('number.no_value', lang)}"
    if not text.startswith(("+", "-")):  # no change once rounded
        return f"{label} :gray[{text}]"
    arrow = "↑ " if text.startswith("+") else "↓ "
    colour = _TONE_COLOR[change_tone(hv.indicator, change)]
    return f"{label} :{colour}[{arrow}{text}]"


def _target_lines(hv: HeadlineValue, lang: str) -> tuple[str, str]:
    """The target ("目标 ≥ 95.0%") and, on its own line, the verdict with the distance to it."""
    ind = hv.indicator
    label = t("kpi.target", lang)
    if ind.target is None or ind.better not in ("higher", "lower"):
        return f"{label} :gray[{t('kpi.no_target', lang)}]", ""
    bound = f"{label} {t(f'kpi.target_{ind.better}', lang, target=ind.format(ind.target, lang))}"
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

    ``delta_*`` feed ``st.metric`` (the 环比 change; lower-better indicators use the inverse
    colours), ``detail_md`` the card's further lines: 同比, the target, the verdict and the distance.
    """
    rows = []
    for hv in headline(view, filters, list(keys) if keys else None):
        ind = hv.indicator
        delta, _ = change_text(hv, hv.previous, lang)
        year_ago, _ = change_text(hv, hv.year_ago, lang)
        # no colour and no arrow without a change (a rounded zero is shown unsigned)
        flat = delta is None or not delta.startswith(("+", "-"))
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
            "delta_text": delta if delta is not None else t("number.no_value", lang),
            "year_ago_text": year_ago if year_ago is not None else t("number.no_value", lang),
            "delta_description": t("kpi.previous", lang),
            "delta_color": "off" if flat else {"higher": "normal", "lower": "inverse"}.get(ind.better, "off"),
            "delta_arrow": "off" if flat else "auto",
            "detail_md": "  \n".join(line for line in (_year_line(hv, lang), *_target_lines(hv, lang)) if line),
            "help": ind.definition(lang),
        })
    return pd.DataFrame(rows)


def kpis_empty(cards: pd.DataFrame) -> bool:
    """True when the selection holds nothing at all: no value, or only zero counts."""
    values = cards["value"].dropna()
    return values.empty or bool((values == 0).all())


def county_ranking(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """Every county in the user's scope ranked by composite score (best first).

    The county filter does not narrow the ranking (a leader compares a county with all
    the others); it marks the selected counties in ``selected``. The other filters apply.
    Counties without any scored value come last, with no rank.
    """
    table = indicator_table(view, filters.without("counties"), by="county", lang=lang)
    names, _ = unit_names(view, lang)
    counties = pd.DataFrame({"county_code": list(names), "county_name": list(names.values())})
    keep = ["county_code", "rank", "composite_score", *RANKING_INDICATORS]
    ranked = counties.merge(table[keep], on="county_code", how="left")
    ranked["selected"] = ranked["county_code"].isin(filters.counties)
    ranked = ranked.sort_values(["composite_score", "county_code"], ascending=[False, True], na_position="last")
    ranked["rank"] = ranked["rank"].astype("Int64")
    return ranked.reset_index(drop=True)[["rank", "county_code", "county_name", "composite_score", "selected",
                                          *RANKING_INDICATORS]]


HIGHLIGHT_BACKGROUND = "#E3ECF6"  # the selected counties' rows (the chart draws them dark)


def ranking_table(ranked: pd.DataFrame, lang: str = "zh") -> Styler:
    """The ranking as a table for people: headers in ``lang``, numbers formatted as the catalog
    says (rates carry their %, other units go in the header), selected counties shaded."""
    cat = catalog()
    columns = {"rank": t("ranking.rank", lang), "county_name": t("ranking.county", lang),
               "composite_score": t("ranking.score", lang)}
    formats = {columns["rank"]: "{:d}", columns["composite_score"]: "{:.1f}"}
    for key in RANKING_INDICATORS:
        ind = cat[key]
        if _is_points(ind):
            header, fmt = ind.label(lang), f"{{:,.{ind.places}f}}%"
        else:
            header, fmt = f"{ind.label(lang)}（{ind.unit(lang)}）" if lang == "zh" else \
                f"{ind.label(lang)} ({ind.unit(lang)})", f"{{:,.{ind.places}f}}"
        columns[key] = header
        formats[header] = fmt
    shown = ranked.rename(columns=columns)[list(columns.values())].reset_index(drop=True)
    selected = ranked["selected"].reset_index(drop=True)

    def shade(row: pd.Series) -> list[str]:
        style = f"background-color: {HIGHLIGHT_BACKGROUND}; font-weight: 600" if selected[row.name] else ""
        return [style] * len(row)

    return shown.style.format(formats, na_rep=t("number.no_value", lang)).apply(shade, axis=1)


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
    """One row per (county, department) cell: the indicator, its base, its traffic light and text.

    Rows are the selected counties (all in scope when none is selected), columns the selected
    departments; without a department filter, departments with no value in any county are
    dropped so the grid is not padded with empty columns. A cell with no value is "none" ("—").
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
    if not filters.departments:
        with_value = set(cells.loc[cells["status"] != "none", "dept_code"])
        cells = cells[cells["dept_code"].isin(with_value)]
    return cells.reset_index(drop=True)[["county_code", "county_name", "dept_code", "dept_name", "value", "base",
                                         "status", "text"]]


def matrix_caption(lang: str = "zh", key: str = MATRIX_INDICATOR, band: float = AMBER_BAND) -> str:
    ind = catalog()[key]
    return t("matrix.caption", lang, target=ind.format(ind.target, lang), band=f"{band:g}")

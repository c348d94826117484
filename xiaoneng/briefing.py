"""The views shown at a meeting: one chart or one KPI panel each, with a one-line takeaway.

Presentation mode (汇报模式, ``xiaoneng.presentation``), the PowerPoint deck (``xiaoneng.deck``)
and the 通报 draft (``xiaoneng.bulletin``) all draw from ``build_views``: the same numbers from the
same query-layer functions the pages use, so a slide, a screen and a sentence can never disagree.
The sequence of views, the city name and the size of the 红榜/黑榜 are set in
config/presentation.yaml.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from xiaoneng import approval, overview, satisfaction, scorecard, supervision
from xiaoneng.filters import Filters, Period, context_line
from xiaoneng.i18n import join_names, t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, indicator_table, unit_names
from xiaoneng.paths import CONFIG_DIR

SEQUENCE_FILE = CONFIG_DIR / "presentation.yaml"


# ---------------------------------------------------------------- configuration

@dataclass(frozen=True)
class ViewSpec:
    """One entry of the configured sequence: a view name and its options."""

    name: str
    options: tuple[tuple[str, object], ...] = ()

    def option(self, key: str, default: object) -> object:
        return dict(self.options).get(key, default)


@dataclass(frozen=True)
class MeetingConfig:
    city_zh: str
    city_en: str
    red_black_size: int
    views: tuple[ViewSpec, ...]
    rectify_days: int = 10  # working days the units a 通报 names have to report their rectification

    def city(self, lang: str = "zh") -> str:
        return self.city_zh if lang == "zh" else self.city_en


def _spec(entry: object, path: Path, position: int) -> ViewSpec:
    if isinstance(entry, str):
        name, options = entry, {}
    elif isinstance(entry, dict) and isinstance(entry.get("view"), str):
        options = {k: v for k, v in entry.items() if k != "view"}
        name = entry["view"]
    else:
        raise ValueError(f"{path}: views[{position}] must be a view name or a mapping with 'view', got {entry!r}")
    if name not in VIEW_BUILDERS:
        raise ValueError(f"{path}: views[{position}]: unknown view {name!r}; known: {', '.join(VIEW_BUILDERS)}")
    return ViewSpec(name, tuple(sorted(options.items())))


def load_config(path: Path = SEQUENCE_FILE) -> MeetingConfig:
    """Read and check the meeting configuration; a wrong entry names the file and its position."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    views = raw.get("views") or []
    if not isinstance(views, list) or not views:
        raise ValueError(f"{path}: 'views' must be a non-empty list")
    counts = {key: raw.get(key, default) for key, default in (("red_black_size", 3), ("bulletin_rectify_days", 10))}
    for key, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{path}: {key} must be a positive whole number, got {value!r}")
    return MeetingConfig(
        city_zh=str(raw.get("city_zh", "")), city_en=str(raw.get("city_en", raw.get("city_zh", ""))),
        red_black_size=counts["red_black_size"], views=tuple(_spec(entry, path, i) for i, entry in enumerate(views)),
        rectify_days=counts["bulletin_rectify_days"],
    )


@cache
def meeting_config() -> MeetingConfig:
    return load_config()


# ---------------------------------------------------------------- what a view is

@dataclass(frozen=True)
class ChartSeries:
    column: str  # the column of ``BriefingView.data`` holding the values
    label: str
    color: str


@dataclass(frozen=True)
class TitledTable:
    title: str
    table: pd.DataFrame  # headers in the view's language, cells as text (formatted as the catalog says)


@dataclass(frozen=True)
class BriefingView:
    """Everything one screen or one slide shows.

    ``data`` holds the chart's numbers exactly as the query layer returned them (in display
    order, one row per category); ``series`` names its value columns; ``number_format`` is the
    Excel format of their labels. ``tables`` are shown beside the chart (or instead of it when
    ``chart`` is "table"). ``indicators`` are the catalog keys whose definitions go with the view.
    """

    name: str
    title: str
    takeaway: str
    chart: str
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    category_col: str | None = None
    series: tuple[ChartSeries, ...] = ()
    value_title: str = ""
    number_format: str = "0.0"
    target: float | None = None
    highlight: tuple[str, ...] = ()  # categories to mark (the counties the filter names)
    tables: tuple[TitledTable, ...] = ()
    indicators: tuple[str, ...] = ()
    empty: bool = False

    def definitions(self, lang: str = "zh") -> list[str]:
        """"label: definition" of every indicator the view shows (the slide notes, the tooltips).

        The composite score is no catalog entry: its scoring method (the scorecard's text) stands in."""
        cat = catalog()
        return [f"{cat[k].label(lang)}{t('briefing.colon', lang)}{cat[k].definition(lang)}" if k in cat
                else t(NOT_IN_CATALOG[k], lang) for k in self.indicators]


# Keys a view may name that are not catalog indicators -> the text that defines them.
NOT_IN_CATALOG = {"composite_score": "scorecard_data.scorecard.method"}


# Colours shared with the dashboard's charts (xiaoneng.charts) so a slide looks like the page.
PRIMARY = "#1F4E79"
SECONDARY = "#4F81BD"
RED = "#C8102E"
YELLOW = "#F2B233"
TARGET = "#7B8794"

# Items on the slowest-items slide unless the configuration says otherwise (the page shows more: a slide
# of more rows is unreadable from the back of the room). config/presentation.yaml documents this default.
SLOWEST_ITEMS_SHOWN = 8


def is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _number(value) -> float | None:
    return None if is_missing(value) else float(value)


def format_value(key: str, value, lang: str) -> str:
    return catalog()[key].format(_number(value), lang)


def _number_format(key: str) -> str:
    places = catalog()[key].places
    return "#,##0" + ("." + "0" * places if places else "")


def _value_title(key: str, lang: str) -> str:
    ind = catalog()[key]
    return t("briefing.axis_with_unit", lang, label=ind.label(lang), unit=ind.unit(lang))


# ---------------------------------------------------------------- the views

def headline_kpis(view: SnapshotView, filters: Filters, lang: str, config: MeetingConfig,
                  spec: ViewSpec) -> BriefingView:
    cards = overview.kpi_cards(view, filters, lang)
    keys = tuple(cards["key"])
    table = pd.DataFrame({
        t("briefing.kpi.indicator", lang): cards["label"],
        t("briefing.kpi.value", lang): cards["value_text"],
        t("kpi.previous", lang): cards["delta_text"],
        t("kpi.year_ago", lang): cards["year_ago_text"],
        t("kpi.target", lang): [target_text(k, lang) for k in keys],
        t("briefing.kpi.verdict", lang): [verdict_text(m, lang) for m in cards["meets_target"]],
    })
    missed = [label for label, met in zip(cards["label"], cards["meets_target"], strict=True) if met is False]
    on_time = cards.set_index("key").loc["on_time_rate"] if "on_time_rate" in keys else None
    if overview.kpis_empty(cards):
        takeaway = t("briefing.empty", lang)
    else:
        lead = ""
        if on_time is not None:
            change = "" if on_time["delta_text"] == t("number.no_value", lang) else \
                t("briefing.kpi.change", lang, change=on_time["delta_text"])
            lead = t("briefing.kpi.lead", lang, label=on_time["label"], value=on_time["value_text"], change=change)
        verdict = t("briefing.kpi.missed", lang, count=len(missed), names=join_names(missed, lang, limit=4)) \
            if missed else t("briefing.kpi.all_met", lang)
        takeaway = t("briefing.kpi.takeaway", lang, lead=lead, verdict=verdict)
    return BriefingView(
        name=spec.name, title=t("briefing.title.headline_kpis", lang), takeaway=takeaway, chart="kpis",
        data=cards, category_col="label", tables=(TitledTable("", table),), indicators=keys,
        empty=overview.kpis_empty(cards),
    )


def target_text(key: str, lang: str) -> str:
    ind = catalog()[key]
    if ind.target is None or ind.better not in ("higher", "lower"):
        return t("kpi.no_target", lang)
    return t(f"kpi.target_{ind.better}", lang, target=ind.format(ind.target, lang))


def verdict_text(met, lang: str) -> str:
    if is_missing(met):
        return t("number.no_value", lang)
    return t("kpi.meets", lang) if met else t("kpi.misses", lang)


def red_and_black_lists(card: pd.DataFrame, size: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 红榜 (the ``size`` best ranked units, best first) and the 黑榜 (the ``size`` worst, worst
    first) of a ``scorecard.scorecard`` frame. A unit is never on both: with fewer than twice
    ``size`` ranked units the lists split them between them."""
    ranked = card[card["rank"].notna()].sort_values(["rank", "unit_code"])
    size = min(size, len(ranked) // 2)
    red = ranked.head(size)
    black = ranked.tail(size).iloc[::-1]
    return red.reset_index(drop=True), black.reset_index(drop=True)


def _list_table(units: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("ranking.rank", lang): [str(int(r)) for r in units["rank"]],
        t("ranking.county", lang): units["unit_name"],
        t("ranking.score", lang): [f"{s:.1f}" for s in units["composite_score"]],
        t("briefing.ranking.change", lang): [scorecard.rank_change_text(c, lang) for c in units["rank_change"]],
    })


def county_ranking(view: SnapshotView, filters: Filters, lang: str, config: MeetingConfig,
                   spec: ViewSpec) -> BriefingView:
    card = scorecard.scorecard(view, filters, lang, by="county")
    ranked = card[card["composite_score"].notna()].reset_index(drop=True)
    red, black = red_and_black_lists(card, config.red_black_size)
    if ranked.empty:
        takeaway = t("briefing.empty", lang)
    else:
        best, worst = ranked.iloc[0], ranked.iloc[-1]
        risers = ranked[ranked["rank_change"].fillna(0) > 0].sort_values(["rank_change", "rank"],
                                                                          ascending=[False, True])
        riser = "" if risers.empty else t("briefing.ranking.riser", lang, name=risers.iloc[0]["unit_name"],
                                          change=scorecard.rank_change_text(risers.iloc[0]["rank_change"], lang))
        takeaway = t("briefing.ranking.takeaway", lang,
                     best=best["unit_name"], best_score=f"{best['composite_score']:.1f}",
                     worst=worst["unit_name"], worst_score=f"{worst['composite_score']:.1f}", riser=riser)
    return BriefingView(
        name=spec.name, title=t("briefing.title.county_ranking", lang), takeaway=takeaway, chart="bar",
        data=ranked[["unit_code", "unit_name", "rank", "composite_score", "rank_change", "selected"]],
        category_col="unit_name",
        series=(ChartSeries("composite_score", t("ranking.score", lang), PRIMARY),),
        value_title=t("ranking.axis", lang), number_format="0.0",
        highlight=tuple(ranked.loc[ranked["selected"], "unit_name"]),
        tables=(TitledTable(t("briefing.ranking.red", lang), _list_table(red, lang)),
                TitledTable(t("briefing.ranking.black", lang), _list_table(black, lang))),
        indicators=("composite_score",), empty=ranked.empty,
    )


def _month(row: pd.Series, lang: str) -> str:
    return Period.parse(row["month"]).label(lang)


def on_time_trend(view: SnapshotView, filters: Filters, lang: str, config: MeetingConfig,
                  spec: ViewSpec) -> BriefingView:
    months = int(spec.option("months", supervision.TREND_MONTHS))
    trend = supervision.on_time_trend(view, filters, lang, by="total").tail(months).reset_index(drop=True)
    ind = catalog()["on_time_rate"]
    rated = trend[trend["on_time_rate"].notna()]
    if rated.empty:
        takeaway = t("briefing.empty", lang)
    else:
        last = rated.iloc[-1]
        high = rated.loc[rated["on_time_rate"].idxmax()]
        low = rated.loc[rated["on_time_rate"].idxmin()]
        change = ""
        if len(rated) > 1 and rated.index[-2] == rated.index[-1] - 1:
            before = rated.iloc[-2]["on_time_rate"]
            change = t("briefing.trend.change", lang,
                       change=overview.format_change(ind, last["on_time_rate"] - before, False, lang))
        extremes = "" if high["on_time_rate"] == low["on_time_rate"] else t(
            "briefing.trend.extremes", lang, high_month=_month(high, lang), high=high["rate_text"],
            low_month=_month(low, lang), low=low["rate_text"])
        takeaway = t("briefing.trend.takeaway", lang, month=_month(last, lang), value=last["rate_text"],
                     change=change, extremes=extremes)
    return BriefingView(
        name=spec.name, title=t("briefing.title.on_time_trend", lang), takeaway=takeaway, chart="line",
        data=trend[["month", "on_time_rate", "completed", "completed_on_time", "on_time_base"]],
        category_col="month", series=(ChartSeries("on_time_rate", ind.label(lang), PRIMARY),),
        value_title=_value_title("on_time_rate", lang), number_format=_number_format("on_time_rate"),
        target=ind.target, indicators=("on_time_rate",), empty=rated.empty,
    )


def red_lights_by_department(view: SnapshotView, filters: Filters, lang: str, config: MeetingConfig,
                             spec: ViewSpec) -> BriefingView:
    top = int(spec.option("top", 10))
    lights = supervision.light_counts(view, filters, lang)
    totals = supervision.light_totals(lights)
    lit = supervision.lit_departments(lights).head(top)
    state_at = supervision.state_time(view, filters)
    if lit.empty:
        takeaway = t("briefing.lights.none", lang, state_at=f"{state_at:%Y-%m-%d %H:%M}")
    else:
        worst = lit.iloc[0]
        takeaway = t("briefing.lights.takeaway", lang, state_at=f"{state_at:%Y-%m-%d %H:%M}",
                     red=totals["open_overdue"], yellow=totals["open_yellow"], dept=worst["dept_name"],
                     dept_red=int(worst["open_overdue"]))
    return BriefingView(
        name=spec.name, title=t("briefing.title.red_lights_by_department", lang), takeaway=takeaway,
        chart="stacked_bar", data=lit[["dept_code", "dept_name", "open_overdue", "open_yellow"]],
        category_col="dept_name",
        series=(ChartSeries("open_overdue", t("briefing.lights.red", lang), RED),
                ChartSeries("open_yellow", t("briefing.lights.yellow", lang), YELLOW)),
        value_title=t("briefing.lights.axis", lang), number_format="#,##0",
        indicators=("open_overdue", "open_yellow"), empty=lit.empty,
    )


def satisfaction_by_county(view: SnapshotView, filters: Filters, lang: str, config: MeetingConfig,
                           spec: ViewSpec) -> BriefingView:
    """Every county against the others, as in the ranking: the county filter marks, it does not narrow."""
    key = "satisfied_rate"
    ind = catalog()[key]
    city = filters.without("counties")
    rates = satisfaction.worst_first(satisfaction.rating_rates(view, city, lang, by="county"), key)
    rated = rates[rates[key].notna()].reset_index(drop=True)
    total = indicator_table(view, city, by="total", lang=lang)[key].iloc[0]
    if rated.empty:
        takeaway = t("briefing.empty", lang)
    else:
        low, high = rated.iloc[0], rated.iloc[-1]
        below = rated[rated[key] < ind.target] if ind.target is not None else rated.iloc[0:0]
        below_text = "" if below.empty else t("briefing.satisfaction.below", lang, count=len(below),
                                              target=target_text(key, lang))
        takeaway = t("briefing.satisfaction.takeaway", lang, label=ind.label(lang),
                     total=format_value(key, total, lang),
                     low=low["name"], low_value=format_value(key, low[key], lang),
                     high=high["name"], high_value=format_value(key, high[key], lang), below=below_text)
    return BriefingView(
        name=spec.name, title=t("briefing.title.satisfaction_by_county", lang), takeaway=takeaway, chart="bar",
        data=rated[["code", "name", key, "bad_rate", "ratings", "ratings_satisfied", "ratings_bad"]],
        category_col="name", series=(ChartSeries(key, ind.label(lang), PRIMARY),),
        value_title=_value_title(key, lang), number_format=_number_format(key), target=ind.target,
        highlight=tuple(rated.loc[rated["code"].isin(filters.counties), "name"]),
        indicators=(key, "bad_rate"), empty=rated.empty,
    )


def slowest_items(view: SnapshotView, filters: Filters, lang: str, config: MeetingConfig,
                  spec: ViewSpec) -> BriefingView:
    top = int(spec.option("top", SLOWEST_ITEMS_SHOWN))
    items = approval.slowest_items(approval.item_limits(view, filters, lang), n=top)

    def days(column: str, places: int = 1) -> list[str]:  # the unit is in the header
        return [t("number.no_value", lang) if is_missing(v) else f"{float(v):,.{places}f}" for v in items[column]]

    table = pd.DataFrame({
        t("briefing.items.item", lang): items["item_name"],
        t("briefing.items.dept", lang): items["dept_name"],
        t("briefing.items.completed", lang): [f"{int(v):,}" for v in items["completed"]],
        t("briefing.items.median", lang): days("median_elapsed_wd"),
        t("briefing.items.p90", lang): days("p90_elapsed_wd"),
        t("briefing.items.promised", lang): days("promised_limit_wd", places=0),
        t("briefing.items.over", lang): days("p90_over_promised_wd"),
        t("briefing.items.on_time", lang): [format_value("on_time_rate", v, lang) for v in items["on_time_rate"]],
    })
    if items.empty:
        takeaway = t("briefing.empty", lang)
    else:
        first = items.iloc[0]
        takeaway = t("briefing.items.takeaway", lang, item=first["item_name"], dept=first["dept_name"],
                     p90=approval.format_days(first["p90_elapsed_wd"], lang),
                     promised=approval.format_days(first["promised_limit_wd"], lang, places=0))
    return BriefingView(
        name=spec.name, title=t("briefing.title.slowest_items", lang), takeaway=takeaway, chart="table",
        data=items, tables=(TitledTable("", table),),
        indicators=("median_elapsed_wd", "p90_elapsed_wd", "on_time_rate"), empty=items.empty,
    )


ViewBuilder = Callable[[SnapshotView, Filters, str, MeetingConfig, ViewSpec], BriefingView]
VIEW_BUILDERS: dict[str, ViewBuilder] = {
    "headline_kpis": headline_kpis,
    "county_ranking": county_ranking,
    "on_time_trend": on_time_trend,
    "red_lights_by_department": red_lights_by_department,
    "satisfaction_by_county": satisfaction_by_county,
    "slowest_items": slowest_items,
}


def build_view(view: SnapshotView, filters: Filters, spec: ViewSpec, lang: str = "zh",
               config: MeetingConfig | None = None) -> BriefingView:
    return VIEW_BUILDERS[spec.name](view, filters, lang, config or meeting_config(), spec)


def build_views(view: SnapshotView, filters: Filters, lang: str = "zh",
                config: MeetingConfig | None = None) -> list[BriefingView]:
    """Every view of the configured sequence, in order."""
    config = config or meeting_config()
    return [build_view(view, filters, spec, lang, config) for spec in config.views]


# ---------------------------------------------------------------- the line under every view

def scope_text(view: SnapshotView, filters: Filters, lang: str = "zh") -> str:
    """Which units the numbers cover: the named counties (and departments), or the whole city."""
    counties, departments = unit_names(view, lang)
    parts = [join_names([counties.get(c, c) for c in filters.counties], lang)] if filters.counties else []
    if filters.departments:
        parts.append(join_names([departments.get(d, d) for d in filters.departments], lang))
    return t("context.separator", lang).join(parts) if parts else t("briefing.whole_city", lang)


def footer_text(view: SnapshotView, filters: Filters, lang: str = "zh") -> str:
    """The filters in force and the snapshot time, as every screen and slide states them."""
    counties, departments = unit_names(view, lang)
    return context_line(view.as_of, view.info.snapshot_id, filters, counties, departments, lang)

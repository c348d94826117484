"""The views shown at a meeting: one chart or one KPI panel each, with a one-line takeaway.

Presentation mode (汇报模式, ``xiaoneng.presentation``), the PowerPoint deck (``xiaoneng.deck``)
and the 通报 draft (``xiaoneng.bulletin``) all draw from ``build_views``: the same numbers from the
same query-layer functions the pages use, so a slide, a screen and a sentence can never disagree.
The sequence of views, the city name and the size of the 红榜/黑榜 are set in
config/presentation.yaml.

No data is not zero: a period the snapshot holds nothing for (``no_data_reason``) or a selection
without cases gives every view its 无数据 message and an empty chart, ranking and list; a running
period's views say 截至 M月D日 (``period_text``, ``footer_text``) and compare like for like; a 样本不足
unit is ranked with the mark beside its name but never named first or last nor listed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from xiaoneng import approval, offenders, overview, periodnotes, satisfaction, scorecard, supervision
from xiaoneng.charts import convention
from xiaoneng.filters import Filters, Period, context_line
from xiaoneng.i18n import join_names, t
from xiaoneng.indicators import catalog, rules
from xiaoneng.metrics import SnapshotView, indicator_table, measures, through_day, unit_names
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
    bulletin_number: str = "〔{year}〕X号"  # the 通报's 文号 until the office gives the real one

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
    number = raw.get("bulletin_number", MeetingConfig.bulletin_number)
    if not isinstance(number, str):
        raise ValueError(f"{path}: bulletin_number must be text such as 〔{{year}}〕X号, got {number!r}")
    return MeetingConfig(
        city_zh=str(raw.get("city_zh", "")), city_en=str(raw.get("city_en", raw.get("city_zh", ""))),
        red_black_size=counts["red_black_size"], views=tuple(_spec(entry, path, i) for i, entry in enumerate(views)),
        rectify_days=counts["bulletin_rectify_days"], bulletin_number=number,
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
    empty_text: str = ""  # shown instead of the rows when there are none (why the list is empty)


@dataclass(frozen=True)
class BriefingView:
    """Everything one screen or one slide shows.

    ``data`` holds the chart's numbers exactly as the query layer returned them (in display
    order, one row per category); ``series`` names its value columns; ``number_format`` is the
    Excel format of their labels. ``tables`` are shown beside the chart (or instead of it when
    ``chart`` is "table"). ``indicators`` are the catalog keys whose definitions go with the view;
    ``notes`` the counting rules that go with it besides (样本不足, like-for-like comparisons).
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
    notes: tuple[str, ...] = ()

    def definitions(self, lang: str = "zh") -> list[str]:
        """"label: definition" of every indicator the view shows (the slide notes, the tooltips).

        The composite score is no catalog entry: its scoring method (the scorecard's text) stands in."""
        cat = catalog()
        return [f"{cat[k].label(lang)}{t('briefing.colon', lang)}{cat[k].definition(lang)}" if k in cat
                else t(NOT_IN_CATALOG[k], lang) for k in self.indicators]


# Keys a view may name that are not catalog indicators -> the text that defines them.
NOT_IN_CATALOG = {"composite_score": "scorecard_data.scorecard.method"}


# The dashboard's chart colours (the convention of xiaoneng.charts), so a slide looks like the page.
PRIMARY = convention.PRIMARY
SECONDARY = convention.COLORWAY[1]
RED = convention.MEANING_COLORS["worse"]
YELLOW = convention.STATUS_COLORS["amber"]
TARGET = convention.TARGET_COLOR

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


# ---------------------------------------------------------------- no data, running periods, state times

def date_text(day: dt.date, lang: str = "zh") -> str:
    """A day as a 通报 writes it: "2026年10月30日" (English: 2026-10-30)."""
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day:%Y-%m-%d}"


def no_data_reason(view: SnapshotView, filters: Filters, lang: str = "zh") -> str | None:
    """Why the snapshot holds nothing at all for the period, in words that say 无数据: the period has
    not begun by the snapshot's moment, or it ends before the data begin. None when the period lies
    within the data (an empty filter combination there is each view's own empty case)."""
    period = filters.period
    if view.has_begun(period):
        return None
    first, last = view.coverage
    key = "briefing.no_data.future" if period.start > last else "briefing.no_data.before"
    return t(key, lang, period=period.label(lang), first=date_text(first, lang), last=date_text(last, lang),
             snapshot=view.info.snapshot_id)


def has_case_data(view: SnapshotView, filters: Filters) -> bool:
    """Whether the selection holds any case in the period: accepted, completed, due or open at its end."""
    return bool(measures(view, filters)["has_cases"].fillna(False).iloc[0])


def through_text(view: SnapshotView, period: Period, lang: str = "zh") -> str:
    """"截至10月30日" for a period still running at the snapshot's moment (its figures reach that day and
    it is compared with the same span of the previous period and of last year); "" once it has closed.
    The KPI cards' wording (``periodnotes.through_text``), so a slide and a card say the same."""
    return periodnotes.through_text(through_day(view, period), lang)


def period_text(view: SnapshotView, period: Period, lang: str = "zh") -> str:
    """The period's label, with 截至 M月D日 while it is running: "2026年10月（截至10月30日）"."""
    through = through_text(view, period, lang)
    return t("briefing.period_through", lang, period=period.label(lang), through=through) if through \
        else period.label(lang)


def comparison_spans(view: SnapshotView, filters: Filters, lang: str = "zh") -> tuple[str, str]:
    """The periods 环比 and 同比 compare with (like for like: the same span while the period runs), each
    marked 无可比数据 when the snapshot does not cover it."""
    previous, year_ago = (periodnotes.comparison_label(view, p, lang) for p in filters.period.comparisons(view.as_of))
    return previous, year_ago


def like_for_like_text(view: SnapshotView, filters: Filters, lang: str = "zh") -> str:
    """For a running period, how it is compared ("环比对比2026年9月1日至9月30日，同比对比…（无可比数据）"),
    "" for a closed period."""
    if through_day(view, filters.period) is None:
        return ""
    previous, year_ago = comparison_spans(view, filters, lang)
    return t("briefing.like_for_like", lang, previous=previous, year_ago=year_ago)


def state_moment(view: SnapshotView, filters: Filters) -> tuple[dt.date, str]:
    """When the period's states (open, overdue, the lights) are read, as (day, "HH:MM"): the close of the
    period's last day ("24:00"), or the snapshot's time while the period runs. A moment at midnight is
    the close of the day before (a snapshot taken at 23:59:59 has read its whole day)."""
    moment = supervision.state_time(view, filters)  # exclusive: what happened before it is known
    if moment.time() == dt.time():
        return (moment - dt.timedelta(microseconds=1)).date(), "24:00"
    return view.as_of.date(), f"{view.as_of:%H:%M}"


def small_base(card: pd.DataFrame) -> pd.Series:
    """样本不足 per unit of a ranking frame: fewer accepted cases than rules.min_cases (metrics'
    ``small_base``; a frame without the column has none)."""
    if "small_base" not in card:
        return pd.Series(False, index=card.index)
    return card["small_base"].fillna(False).astype(bool)


def small_name(name: str, small: bool, lang: str = "zh") -> str:
    """A unit's name with 样本不足 beside it when its base is small (chart labels)."""
    return scorecard.unit_label(name, small, lang)


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
        t("briefing.kpi.verdict", lang): [verdict_text(m, lang, k) for m, k in
                                          zip(cards["meets_target"], keys, strict=True)],
    })
    reason = no_data_reason(view, filters, lang)
    empty = reason is not None or overview.kpis_empty(cards)
    if empty:
        takeaway = reason or t("briefing.empty", lang)
    else:
        valued = cards[cards["value"].notna()]
        missed = [label for label, met in zip(valued["label"], valued["meets_target"], strict=True) if met is False]
        lacking = list(cards.loc[cards["value"].isna(), "label"])
        lead = ""
        if "on_time_rate" in keys:
            on_time = cards.set_index("key").loc["on_time_rate"]
            if not is_missing(on_time["value"]):
                # 环比 only against a comparable figure (the same span, covered, with a value)
                change = "" if is_missing(on_time["previous"]) else \
                    t("briefing.kpi.change", lang, change=on_time["delta_text"])
                lead = t("briefing.kpi.lead", lang, label=on_time["label"], value=on_time["value_text"], change=change)
        if missed:
            verdict = t("briefing.kpi.missed", lang, count=len(missed), names=join_names(missed, lang, limit=4))
        else:
            verdict = t("briefing.kpi.all_met_with_gaps" if lacking else "briefing.kpi.all_met", lang)
        gaps = t("briefing.kpi.no_value", lang, count=len(lacking), names=join_names(lacking, lang, limit=4)) \
            if lacking else ""
        through = through_text(view, filters.period, lang)
        takeaway = t("briefing.kpi.takeaway", lang, through=t("briefing.kpi.through", lang, through=through)
                     if through else "", lead=lead, verdict=verdict, gaps=gaps)
    like_for_like = like_for_like_text(view, filters, lang)
    notes = (*((like_for_like,) if like_for_like else ()), t("briefing.notes.no_data", lang))
    return BriefingView(
        name=spec.name, title=t("briefing.title.headline_kpis", lang), takeaway=takeaway, chart="kpis",
        data=cards, category_col="label", tables=(TitledTable("", table),), indicators=keys, empty=empty,
        notes=notes,
    )


def target_text(key: str, lang: str) -> str:
    ind = catalog()[key]
    if ind.target is None or ind.better not in ("higher", "lower"):
        return t("kpi.no_target", lang)
    return t(f"kpi.target_{ind.better}", lang, target=ind.format(ind.target, lang))


def verdict_text(met, lang: str, key: str | None = None) -> str:
    """达标 / 未达标; without a verdict "—" for an indicator without a target, 无数据 for one without a value."""
    if is_missing(met):
        ind = catalog().get(key) if key else None
        if ind is not None and (ind.target is None or ind.better not in ("higher", "lower")):
            return t("number.no_value", lang)
        return t("kpi.no_value", lang)
    return t("kpi.meets", lang) if met else t("kpi.misses", lang)


def red_and_black_lists(card: pd.DataFrame, size: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 红榜 and 黑榜 of a ``scorecard.scorecard`` frame: ``scorecard.red_and_black_lists``, the one
    rule of every view (no unit without a rank, no 样本不足 unit, never a unit on both)."""
    return scorecard.red_and_black_lists(card, size)


def _list_table(units: pd.DataFrame, lang: str, places: int) -> pd.DataFrame:
    return pd.DataFrame({
        t("ranking.rank", lang): [str(int(r)) for r in units["rank"]],
        t("ranking.county", lang): units["unit_name"],
        t("ranking.score", lang): [f"{s:.{places}f}" for s in units["composite_score"]],
        t("briefing.ranking.change", lang): [scorecard.rank_change_text(c, lang) for c in units["rank_change"]],
    })


def county_ranking(view: SnapshotView, filters: Filters, lang: str, config: MeetingConfig,
                   spec: ViewSpec) -> BriefingView:
    """Every county with a score, best first; 样本不足 beside the small ones, which are ranked but
    neither named first or last nor put on the 红榜/黑榜. No data: no ranking at all. Every county, whatever
    the view's scope: the published ranking (``scorecard.published_ranking``), scores and ranks only."""
    card = scorecard.published_ranking(view, filters, lang, by="county")
    reason = no_data_reason(view, filters, lang)
    ranked = card.iloc[0:0] if reason else card[card["composite_score"].notna()]
    ranked = ranked.reset_index(drop=True)
    small = small_base(ranked)
    minimum = rules().min_cases
    places = scorecard.score_places(ranked["composite_score"])  # close scores get the decimal that parts them
    red, black = red_and_black_lists(ranked, config.red_black_size)
    eligible = ranked[~small]
    list_note = ""
    if ranked.empty:
        takeaway = reason or t("briefing.ranking.none", lang)
        list_note = t("briefing.ranking.lists_none", lang)
    elif len(eligible) < 2:
        takeaway = t("briefing.ranking.too_few", lang, count=len(ranked), small=int(small.sum()), min=minimum)
        list_note = t("briefing.ranking.lists_small", lang, min=minimum)
    else:
        best, worst = eligible.iloc[0], eligible.iloc[-1]
        risers = eligible[eligible["rank_change"].fillna(0) > 0].sort_values(["rank_change", "rank"],
                                                                             ascending=[False, True])
        riser = "" if risers.empty else t("briefing.ranking.riser", lang, name=risers.iloc[0]["unit_name"],
                                          change=scorecard.rank_change_text(risers.iloc[0]["rank_change"], lang))
        small_note = t("briefing.ranking.small_note", lang, count=int(small.sum()), min=minimum) if small.any() else ""
        takeaway = t("briefing.ranking.takeaway", lang,
                     among=t("briefing.ranking.among", lang) if small.any() else "",
                     best=best["unit_name"], best_score=f"{best['composite_score']:.{places}f}",
                     worst=worst["unit_name"], worst_score=f"{worst['composite_score']:.{places}f}", riser=riser,
                     small=small_note)
        # 连续末位: the counties at the bottom period after period, with the periods (xiaoneng.offenders)
        takeaway += offenders.sentence(offenders.repeat_offenders(view, filters, lang, "county",
                                                                  config.red_black_size), "county", lang)
    data = ranked[["unit_code", "unit_name", "rank", "composite_score", "rank_change", "selected"]].assign(
        small_base=small, label=[small_name(n, s, lang) for n, s in zip(ranked["unit_name"], small, strict=True)])
    return BriefingView(
        name=spec.name, title=t("briefing.title.county_ranking", lang), takeaway=takeaway, chart="bar",
        data=data, category_col="label",
        series=(ChartSeries("composite_score", t("ranking.score", lang), PRIMARY),),
        value_title=t("ranking.axis", lang), number_format="0." + "0" * places,
        highlight=tuple(data.loc[data["selected"].astype(bool), "label"]),
        tables=(TitledTable(t("briefing.ranking.red", lang), _list_table(red, lang, places), list_note),
                TitledTable(t("briefing.ranking.black", lang), _list_table(black, lang, places), list_note)),
        indicators=("composite_score",), empty=ranked.empty,
        notes=(t("briefing.notes.small_base", lang, min=minimum), t("briefing.notes.no_data", lang)),
    )


def _month(row: pd.Series, lang: str) -> str:
    return Period.parse(row["month"]).label(lang)


# the trend's columns a slide or screen carries (those supervision.on_time_trend returns)
TREND_COLUMNS = ("month", "on_time_rate", "due_cases", "due_on_time", "completed", "completed_with_deadline",
                 "completed_on_time")


def on_time_trend(view: SnapshotView, filters: Filters, lang: str, config: MeetingConfig,
                  spec: ViewSpec) -> BriefingView:
    """按期办结率 month by month up to the period (a month without a due case is a gap, not a zero)."""
    months = int(spec.option("months", supervision.TREND_MONTHS))
    trend = supervision.on_time_trend(view, filters, lang, by="total").tail(months).reset_index(drop=True)
    ind = catalog()["on_time_rate"]
    reason = no_data_reason(view, filters, lang)
    rated = trend.iloc[0:0] if reason else trend[trend["on_time_rate"].notna()]
    text = "on_time_rate_text" if "on_time_rate_text" in trend else "rate_text"
    if rated.empty:
        takeaway = reason or t("briefing.empty", lang)
    else:
        last = rated.iloc[-1]
        high = rated.loc[rated["on_time_rate"].idxmax()]
        low = rated.loc[rated["on_time_rate"].idxmin()]
        month = Period.parse(last["month"])
        change = ""
        # a month still running is not set against a whole month (the KPI view compares like for like)
        if len(rated) > 1 and rated.index[-2] == rated.index[-1] - 1 and not through_day(view, month):
            before = rated.iloc[-2]["on_time_rate"]
            change = t("briefing.trend.change", lang,
                       change=overview.format_change(ind, last["on_time_rate"] - before, False, lang))
        extremes = "" if high["on_time_rate"] == low["on_time_rate"] else t(
            "briefing.trend.extremes", lang, high_month=_month(high, lang), high=high[text],
            low_month=_month(low, lang), low=low[text])
        takeaway = t("briefing.trend.takeaway", lang, month=period_text(view, month, lang), label=ind.label(lang),
                     value=last[text], change=change, extremes=extremes)
    data = trend[[c for c in TREND_COLUMNS if c in trend]]
    if reason:
        data = data.iloc[0:0]
    return BriefingView(
        name=spec.name, title=t("briefing.title.on_time_trend", lang), takeaway=takeaway, chart="line",
        data=data, category_col="month", series=(ChartSeries("on_time_rate", ind.label(lang), PRIMARY),),
        value_title=_value_title("on_time_rate", lang), number_format=_number_format("on_time_rate"),
        target=ind.target, indicators=("on_time_rate",), empty=rated.empty,
        notes=(t("briefing.notes.trend_gaps", lang),),
    )


def red_lights_by_department(view: SnapshotView, filters: Filters, lang: str, config: MeetingConfig,
                             spec: ViewSpec) -> BriefingView:
    """Open cases past (red) or near (yellow) their deadline at the state time, per department: a stock,
    whatever the cases' age. A selection without any case says 无数据, not "no red light"."""
    top = int(spec.option("top", 10))
    lights = supervision.light_counts(view, filters, lang)
    totals = supervision.light_totals(lights)
    lit = supervision.lit_departments(lights).head(top)
    day, time = state_moment(view, filters)
    state_at = f"{day:%Y-%m-%d} {time}"
    reason = no_data_reason(view, filters, lang)
    if reason is None and lit.empty and not has_case_data(view, filters):
        reason = t("briefing.empty", lang)
    if reason:
        lit = lit.iloc[0:0]
        takeaway = reason
    elif lit.empty:
        takeaway = t("briefing.lights.none", lang, state_at=state_at)
    else:
        worst = lit.iloc[0]
        takeaway = t("briefing.lights.takeaway", lang, state_at=state_at,
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
    reason = no_data_reason(view, filters, lang)
    rated = rates.iloc[0:0] if reason else rates[rates[key].notna()].reset_index(drop=True)
    if rated.empty:
        takeaway = reason or t("briefing.empty", lang)
    else:
        total = indicator_table(view, city, by="total", lang=lang)[key].iloc[0]
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
    reason = no_data_reason(view, filters, lang)
    items = approval.slowest_items(approval.item_limits(view, filters, lang), n=top)
    if reason:
        items = items.iloc[0:0]

    def days(column: str, places: int = 1) -> list[str]:  # the unit is in the header
        return [t("kpi.no_value", lang) if is_missing(v) else f"{float(v):,.{places}f}" for v in items[column]]

    table = pd.DataFrame({
        t("briefing.items.item", lang): items["item_name"],
        t("briefing.items.dept", lang): items["dept_name"],
        t("briefing.items.completed", lang): [f"{int(v):,}" for v in items["completed"]],
        t("briefing.items.median", lang): days("median_elapsed_wd"),
        t("briefing.items.p90", lang): days("p90_elapsed_wd"),
        t("briefing.items.promised", lang): days("promised_limit_wd", places=0),
        t("briefing.items.over", lang): days("p90_over_promised_wd"),
        catalog()["on_time_rate"].label(lang): [format_value("on_time_rate", v, lang) for v in items["on_time_rate"]],
    })
    if items.empty:
        takeaway = reason or t("briefing.empty", lang)
    else:
        first = items.iloc[0]
        takeaway = t("briefing.items.takeaway", lang, item=first["item_name"], dept=first["dept_name"],
                     p90=approval.format_days(first["p90_elapsed_wd"], lang),
                     promised=approval.format_days(first["promised_limit_wd"], lang, places=0))
    return BriefingView(
        name=spec.name, title=t("briefing.title.slowest_items", lang), takeaway=takeaway, chart="table",
        data=items, tables=(TitledTable("", table, t("kpi.no_value", lang)),),
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
    """Every view of the configured sequence, in order. A county user's views are of their county
    (``Scope.narrow``): only the ranking names the other counties."""
    config = config or meeting_config()
    filters = view.scope.narrow(filters)
    return [build_view(view, filters, spec, lang, config) for spec in config.views]


# ---------------------------------------------------------------- the line under every view

def scope_text(view: SnapshotView, filters: Filters, lang: str = "zh") -> str:
    """Which units the numbers cover: the named counties (and departments; a county user's own), or the
    whole city."""
    filters = view.scope.narrow(filters)
    counties, departments = unit_names(view, lang)
    parts = [join_names([counties.get(c, c) for c in filters.counties], lang)] if filters.counties else []
    if filters.departments:
        parts.append(join_names([departments.get(d, d) for d in filters.departments], lang))
    return t("context.separator", lang).join(parts) if parts else t("briefing.whole_city", lang)


def footer_text(view: SnapshotView, filters: Filters, lang: str = "zh") -> str:
    """The filters in force and the snapshot time, as every screen and slide states them; for a running
    period also the day its figures reach (截至 M月D日) and that it is compared like for like."""
    filters = view.scope.narrow(filters)
    counties, departments = unit_names(view, lang)
    line = context_line(view.as_of, view.info.snapshot_id, filters, counties, departments, lang)
    through = through_text(view, filters.period, lang)
    if through:
        line += t("briefing.footer_through", lang, through=through)
    return line

"""Data for the Satisfaction page (满意度): 好差评 levels, rates by channel / department / county
and over time, reasons of bad reviews, rectification tracking, and survey scores wave over wave.

Each public function takes a SnapshotView, the Filters and the UI language and returns a small
DataFrame (``xiaoneng.session.cached`` keeps them); the page only lays them out. Rates are made by
the indicator catalog from the measures the queries return, so they equal the KPI cards' values.

States are taken at the period's state time (its end, or the snapshot's moment if earlier): a bad
review found unfounded by then is no 差评, one rectified later was not rectified then. The
rectification chart shows two sets, as the catalog defines them: the bad reviews *given* in the
period by their state (what came in and what became of it), and the 差评整改率 over the verified
bad reviews whose rectification *fell due* in the period (each once, in its due day's period).
A period the snapshot has no data for (not begun at its moment, or before its coverage) gives
nothing — no rows, no wave — never the figures of another period.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd

from xiaoneng.caselist import PAGE_SIZE
from xiaoneng.charts import month_label, point_customdata
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import Indicator, catalog
from xiaoneng.metrics import SnapshotView, unit_names
from xiaoneng.overview import kpi_cards
from xiaoneng.periodnotes import comparison_text
from xiaoneng.schema import RATING_CHANNELS, RESPONDENT_GROUPS, SURVEY_DIMENSIONS

LEVELS = (5, 4, 3, 2, 1)  # 非常满意 … 非常不满意, best first as the 好差评 scale is read
RATE_KEYS = ("good_rate", "bad_rate", "satisfied_rate")
KPI_KEYS = ("good_rate", "bad_rate", "satisfied_rate", "rectification_rate", "rectified_on_time_rate",
            "satisfaction_index")
# How rates are grouped: the rating_rates.sql boolean that is switched on, and the code column.
RATE_GROUPINGS = {"channel": "channel", "dept": "dept_code", "county": "county_code"}
# Rectification states, in the order the tracking chart stacks them: the unrectified-and-overdue
# first, so every department's red segment starts at zero and compares at a glance.
RECTIFICATION_STATES = ("pending_overdue", "rectified_late", "pending_not_due", "unverified", "rectified_on_time",
                        "unfounded")
TREND_MONTHS = 12


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _first_of_month(day: dt.date, months_later: int = 0) -> dt.date:
    """The first day of the month ``months_later`` months after ``day``'s month (negative: before)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months_later, 12)
    return dt.date(year, month + 1, 1)


def _period_params(view: SnapshotView, filters: Filters) -> dict[str, dt.datetime]:
    return filters.period.bounds(view.as_of)


def has_data(view: SnapshotView, filters: Filters) -> bool:
    """The snapshot holds data for the period (it has begun and lies within the coverage)."""
    return view.has_begun(filters.period)


def _measured(view: SnapshotView, filters: Filters, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``, or none of its rows for a period without data."""
    return frame if has_data(view, filters) else frame.iloc[0:0]


# ---------------------------------------------------------------- KPI cards

def indicator_cards(view: SnapshotView, filters: Filters, lang: str = "zh",
                    keys: tuple[str, ...] = KPI_KEYS) -> pd.DataFrame:
    """The Overview's KPI cards (``overview.kpi_cards``) for the catalog indicators in ``keys``,
    with a one-line target verdict (``target_text``) for the smaller cards of the analysis pages.

    The 环比 is like for like (a running period against the same span of the previous one); a
    card without a value has no change, and one whose previous period is not covered by the
    snapshot, or has no value, says 无可比数据 (``delta_text``) without colour or arrow."""
    cards = kpi_cards(view, filters, lang, keys)
    covered = view.covers(filters.period.comparisons(view.as_of)[0])
    deltas = [comparison_text(None if _missing(v) else v, None if _missing(b) else b, covered, d, lang)
              for v, b, d in zip(cards["value"], cards["previous"], cards["delta_text"], strict=True)]
    judged = [d is not None and d.startswith(("+", "-")) for d in deltas]
    cards["delta_text"] = deltas
    cards["delta_color"] = [c if j else "off" for c, j in zip(cards["delta_color"], judged, strict=True)]
    cards["delta_arrow"] = [a if j else "off" for a, j in zip(cards["delta_arrow"], judged, strict=True)]
    cat = catalog()
    cards["target_text"] = [target_text(cat[k], None if pd.isna(v) else float(v), lang)
                            for k, v in zip(cards["key"], cards["value"], strict=True)]
    return cards


def cards_empty(cards: pd.DataFrame) -> bool:
    """No card has a value: nothing to show for the period and selection (无数据)."""
    return bool(cards["value"].isna().all())


def target_text(ind: Indicator, value: float | None, lang: str = "zh") -> str:
    """"目标 ≥ 95.0% · 达标" as Markdown (green/red badge), or "未设目标"."""
    label = t("kpi.target", lang)
    if ind.target is None or ind.better not in ("higher", "lower"):
        return f"{label} :gray[{t('kpi.no_target', lang)}]"
    bound = f"{label} {t(f'kpi.target_{ind.better}', lang, target=ind.format(ind.target, lang))}"
    met = ind.meets_target(value)
    if met is None:
        return f"{bound} :gray-badge[{t('kpi.no_value', lang)}]"
    return f"{bound} :{'green' if met else 'red'}-badge[{t('kpi.meets' if met else 'kpi.misses', lang)}]"


# ---------------------------------------------------------------- 好差评 levels and rates

def rating_levels(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """Reviews of the period per level, 5 (非常满意) to 1 (非常不满意), every level present; ``listing``
    names the reviews of each level for the review list."""
    bounds = _period_params(view, filters)
    counts = _measured(view, filters, view.layer.run("rating_distribution", filters,
                                                     period_start=bounds["period_start"],
                                                     period_end=bounds["period_end"]))
    by_score = dict(zip(counts["score"].astype(int), counts["ratings"].astype(int), strict=True))
    total = sum(by_score.values())
    rows = [{"score": s, "level": t(f"satisfaction.level_{s}", lang), "ratings": by_score.get(s, 0),
             "share_pct": (by_score.get(s, 0) / total * 100) if total else math.nan,
             "listing": f"score:{s}"} for s in LEVELS]
    return pd.DataFrame(rows)


def _add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    cat = catalog()
    return frame.assign(**{key: cat[key].compute(frame) for key in RATE_KEYS})


def channel_name(code: str, lang: str = "zh") -> str:
    return t(f"satisfaction.channel_{code}", lang) if code in RATING_CHANNELS else code


def rating_rates(view: SnapshotView, filters: Filters, lang: str = "zh", by: str = "dept") -> pd.DataFrame:
    """好评率 / 差评率 / 满意率 per rating channel, department or county (``by``), with the counts.

    Columns: code, name, ratings, ratings_good, ratings_bad, ratings_satisfied, good_rate,
    bad_rate, satisfied_rate (in %). Only groups with reviews in the period appear.
    """
    if by not in RATE_GROUPINGS:
        raise ValueError(f"by must be one of {list(RATE_GROUPINGS)}, got {by!r}")
    bounds = _period_params(view, filters)
    frame = _measured(view, filters, view.layer.run(
        "rating_rates", filters, **bounds, snapshot_at=view.snapshot_at,
        by_channel=by == "channel", by_dept=by == "dept", by_county=by == "county", by_month=False,
    ))
    code_col = RATE_GROUPINGS[by]
    frame = frame.rename(columns={code_col: "code"})
    if by == "channel":
        order = {c: i for i, c in enumerate(RATING_CHANNELS)}
        frame = frame.sort_values("code", key=lambda s: s.map(order).fillna(len(order)))
        names = {c: channel_name(c, lang) for c in frame["code"]}
    else:
        county_names, dept_names = unit_names(view, lang)
        names = dept_names if by == "dept" else county_names
        frame = frame.sort_values("code")
    frame["name"] = frame["code"].map(names).fillna(frame["code"])
    frame = _add_rates(frame)
    return frame.reset_index(drop=True)[["code", "name", "ratings", "ratings_good", "ratings_bad",
                                         "ratings_satisfied", *RATE_KEYS]]


def worst_first(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows ordered from the worst value of indicator ``key`` to the best (by its direction);
    rows without a value last. A chart drawing the first row on top shows the problems first."""
    better = catalog()[key].better
    return frame.sort_values([key, "name"], ascending=[better != "lower", True], na_position="last") \
        .reset_index(drop=True)


def trend_window(view: SnapshotView, filters: Filters, months: int = TREND_MONTHS) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the trend: the ``months`` calendar months ending with the period's last month
    (a whole year when the period is a year), however short the period is."""
    end = filters.period.bounds(view.as_of)["period_end"]
    first_month = min(_first_of_month(filters.period.end, -(months - 1)), _first_of_month(filters.period.start))
    return dt.datetime.combine(first_month, dt.time()), end


def _month_starts(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    months, month = [], start.date()
    while month < end.date():
        months.append(month)
        month = _first_of_month(month, 1)
    return months


def trend_month_keys(view: SnapshotView, filters: Filters) -> list[str]:
    """The months of the trend (YYYY-MM, oldest first): what a click on the trend can pick."""
    return [f"{m:%Y-%m}" for m in _month_starts(*trend_window(view, filters))]


def rating_trend(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """The three rates per calendar month over ``trend_window``; months without reviews are kept
    with 0 reviews and no rate (a gap in the line, not a fall to zero). A period without data has
    no trend at all (every month without reviews)."""
    start, end = trend_window(view, filters)
    frame = _measured(view, filters, view.layer.run(
        "rating_rates", filters, period_start=start, period_end=end,
        state_at=filters.period.bounds(view.as_of)["state_at"], snapshot_at=view.snapshot_at,
        by_channel=False, by_dept=False, by_county=False, by_month=True))
    months = _month_starts(start, end)
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    grid = pd.DataFrame({"month": months}).merge(
        frame[["month", "ratings", "ratings_good", "ratings_bad", "ratings_satisfied"]], on="month", how="left")
    for col in ("ratings", "ratings_good", "ratings_bad", "ratings_satisfied"):
        grid[col] = grid[col].fillna(0).astype("int64")
    grid["month_key"] = [f"{m:%Y-%m}" for m in grid["month"]]  # what a click on the month narrows to
    grid["month_label"] = [month_label(m, lang) for m in grid["month"]]
    # the axis names every third month, ending with the latest, in the charts' month format
    last = len(grid) - 1
    grid["month_tick"] = [label if (last - i) % 3 == 0 else "" for i, label in enumerate(grid["month_label"])]
    return _add_rates(grid)


# ---------------------------------------------------------------- bad reviews: reasons and rectification

def bad_review_reasons(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """Each reason given by the period's bad reviews: how many bad reviews give it and their share
    of all bad reviews (a review may give several reasons, so shares add up to more than 100 %).
    Bad reviews that give no reason are one row, labelled so, at the end. ``listing`` names each
    reason's bad reviews for the review list."""
    bounds = _period_params(view, filters)
    frame = _measured(view, filters, view.layer.run("bad_review_reasons", filters,
                                                    period_start=bounds["period_start"],
                                                    period_end=bounds["period_end"]))
    if frame.empty:
        return pd.DataFrame(columns=["reason", "reason_label", "bad_reviews", "share_pct", "listing"])
    total = int(frame["total_bad_reviews"].iloc[0])
    frame = frame.assign(
        reason_label=[t("satisfaction.reason_none", lang) if _missing(r) else r for r in frame["reason"]],
        share_pct=frame["bad_reviews"] / total * 100,
        untagged=frame["reason"].isna(),
        listing=["reason:" + ("" if _missing(r) else r) for r in frame["reason"]],
    ).sort_values(["untagged", "bad_reviews", "reason"], ascending=[True, False, True])
    return frame.reset_index(drop=True)[["reason", "reason_label", "bad_reviews", "share_pct", "listing"]]


def rectification_by_department(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """Per department: the bad reviews *given* in the period by rectification state at the state
    time (RECTIFICATION_STATES, summing to ``bad_reviews``), and the catalog's 差评整改率 and
    差评按时整改率 over the verified bad reviews whose rectification *fell due* in the period
    (``bad_due``, ``bad_rectified``, ``bad_rectified_on_time``; given then or earlier). A
    department may have reviews falling due without any given in the period, or the other way
    round. Departments that leave the most bad reviews unrectified past their due time come
    first, then those rectifying late."""
    bounds = _period_params(view, filters)
    frame = _measured(view, filters, view.layer.run("rectification_status", filters, **bounds, by_dept=True,
                                                    by_county=False))
    _, dept_names = unit_names(view, lang)
    cat = catalog()
    frame = frame.assign(
        dept_name=frame["dept_code"].map(dept_names).fillna(frame["dept_code"]),
        rectification_rate=cat["rectification_rate"].compute(frame),
        rectified_on_time_rate=cat["rectified_on_time_rate"].compute(frame),
    )
    frame = frame.sort_values(["pending_overdue", "rectified_late", "rectification_rate", "dept_code"],
                              ascending=[False, False, True, True], na_position="last")
    columns = ["dept_code", "dept_name", "bad_reviews", *RECTIFICATION_STATES, "bad_due", "bad_rectified",
               "bad_rectified_on_time", "rectification_rate", "rectified_on_time_rate"]
    return frame.reset_index(drop=True)[columns]


# ---------------------------------------------------------------- surveys (满意度测评)

def wave_label(wave: str | None, lang: str = "zh") -> str:
    """2026H1 → 2026年上半年 / 2026 H1."""
    if _missing(wave) or not wave:
        return t("kpi.no_value", lang)
    half = wave[-2:].upper()
    if lang == "zh" and half in ("H1", "H2"):
        return f"{wave[:4]}年{'上' if half == 'H1' else '下'}半年"
    return f"{wave[:4]} {half}"


def dimension_name(dimension: str, lang: str = "zh") -> str:
    return t(f"satisfaction.dimension.{dimension}", lang) if dimension in SURVEY_DIMENSIONS else dimension


def group_name(group: str, lang: str = "zh") -> str:
    return t(f"satisfaction.group.{group}", lang) if group in RESPONDENT_GROUPS else group


def _survey(view: SnapshotView, filters: Filters, **by: bool) -> pd.DataFrame:
    params = {"by_dept": False, "by_dimension": False, "by_group": False, "by_county": False, **by}
    state_at = filters.period.bounds(view.as_of)["state_at"]
    return _measured(view, filters, view.layer.run("survey_scores", filters, state_at=state_at, **params))


def survey_waves(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """One row: the latest wave completed by the period's end (H1 on 30 June, H2 on 31 December) and
    the one before (codes and labels); none for a period without data."""
    frame = _survey(view, filters)
    wave = None if frame.empty else frame["wave"].iloc[0]
    previous = None if frame.empty else frame["previous_wave"].iloc[0]
    wave, previous = (None if _missing(w) else w for w in (wave, previous))
    return pd.DataFrame([{"wave": wave, "previous_wave": previous, "wave_label": wave_label(wave, lang),
                          "previous_wave_label": wave_label(previous, lang)}])


def _index_text(value, lang: str) -> str:
    return catalog()["satisfaction_index"].format(None if _missing(value) else float(value), lang, with_unit=False)


def change_points_text(value, lang: str = "zh") -> str:
    """A change of the index in points, signed: "+1.2" / "-0.4" / "0.0"; 无可比数据 without a previous wave."""
    if _missing(value):
        return t("analysis.no_comparison", lang)
    value = round(float(value), 1)
    return f"{value:+.1f}" if value != 0 else "0.0"


def survey_by_department_dimension(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """The heatmap's cells: every department with responses in the latest wave × every dimension,
    with the index of the latest and the previous wave and the change (points). Cells without
    responses have no value."""
    frame = _survey(view, filters, by_dept=True, by_dimension=True)
    frame = frame[frame["survey_responses"] > 0]
    _, dept_names = unit_names(view, lang)
    depts = [d for d in dept_names if d in set(frame["dept_code"])]
    grid = pd.DataFrame([(d, dim) for d in depts for dim in SURVEY_DIMENSIONS], columns=["dept_code", "dimension"])
    cells = grid.merge(frame[["dept_code", "dimension", "survey_responses", "survey_index",
                              "survey_index_previous", "survey_index_change"]],
                       on=["dept_code", "dimension"], how="left")
    cells["survey_responses"] = cells["survey_responses"].fillna(0).astype("int64")
    cells["dept_name"] = cells["dept_code"].map(dept_names)
    cells["dimension_name"] = [dimension_name(d, lang) for d in cells["dimension"]]
    cells["index_text"] = [_index_text(v, lang) for v in cells["survey_index"]]
    cells["previous_text"] = [_index_text(v, lang) for v in cells["survey_index_previous"]]
    cells["change_text"] = [change_points_text(v, lang) for v in cells["survey_index_change"]]
    return cells[["dept_code", "dept_name", "dimension", "dimension_name", "survey_responses", "survey_index",
                  "survey_index_previous", "survey_index_change", "index_text", "previous_text", "change_text"]]


def survey_by_group(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """The index per respondent group (schema order) and over all groups (last row, group None),
    latest wave vs the previous wave."""
    by_group = _survey(view, filters, by_group=True)
    total = _survey(view, filters)
    order = {g: i for i, g in enumerate(RESPONDENT_GROUPS)}
    by_group = by_group.sort_values("respondent_group", key=lambda s: s.map(order).fillna(len(order)))
    frame = pd.concat([by_group, total], ignore_index=True)
    frame["group_name"] = [t("satisfaction.group_all", lang) if _missing(g) else group_name(g, lang)
                           for g in frame["respondent_group"]]
    return frame[["respondent_group", "group_name", "survey_responses", "survey_index",
                  "survey_responses_previous", "survey_index_previous", "survey_index_change"]]


# ---------------------------------------------------------------- tables for people (page and downloads)

def rate_header(key: str, lang: str = "zh") -> str:
    """A catalog indicator's column header with its unit: "好评率（%）" / "Good-review rate (%)"."""
    ind = catalog()[key]
    return f"{ind.label(lang)}（{ind.unit(lang)}）" if lang == "zh" else f"{ind.label(lang)} ({ind.unit(lang)})"


def rates_table(frame: pd.DataFrame, by: str, lang: str = "zh") -> pd.DataFrame:
    """``rating_rates`` with headers in ``lang`` and rates rounded as the catalog shows them."""
    name_header = t({"channel": "satisfaction.channel_column", "dept": "satisfaction.department",
                     "county": "satisfaction.county_column"}[by], lang)
    table = pd.DataFrame({name_header: frame["name"], t("satisfaction.ratings", lang): frame["ratings"]})
    for key in RATE_KEYS:
        table[rate_header(key, lang)] = frame[key].round(catalog()[key].places)
    return table


def rectification_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``rectification_by_department`` with headers in ``lang``: counts per state and the two rates."""
    table = pd.DataFrame({t("satisfaction.department", lang): frame["dept_name"],
                          t("satisfaction.bad_reviews", lang): frame["bad_reviews"]})
    for state in RECTIFICATION_STATES:
        table[t(f"satisfaction.state_{state}", lang)] = frame[state]
    for key in ("rectification_rate", "rectified_on_time_rate"):
        table[rate_header(key, lang)] = frame[key].round(catalog()[key].places)
    return table


def survey_group_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``survey_by_group`` with headers in ``lang``: index of both waves, change and responses."""
    places = catalog()["satisfaction_index"].places
    return pd.DataFrame({
        t("satisfaction.group_column", lang): frame["group_name"],
        t("satisfaction.survey_index", lang): frame["survey_index"].round(places),
        t("satisfaction.survey_previous", lang): frame["survey_index_previous"].round(places),
        t("satisfaction.survey_change", lang): frame["survey_index_change"].round(places),
        t("satisfaction.survey_responses", lang): frame["survey_responses"].astype("Int64"),
        t("satisfaction.survey_responses_previous", lang): frame["survey_responses_previous"].astype("Int64"),
    })


# ---------------------------------------------------------------- cross-filter and the reviews behind the numbers

@dataclass(frozen=True)
class Focus:
    """The unit or month clicked in a chart: it narrows the page's other charts and the review list.

    Which reviews the list shows (every bad review, one rectification state, one level, one
    reason) is the separate ``listing`` a user can also pick by hand (``listing_options``).
    """

    county_code: str | None = None
    dept_code: str | None = None
    channel: str | None = None  # a rating channel (RATING_CHANNELS)
    month: str | None = None  # YYYY-MM, a point of the trend

    @property
    def narrows(self) -> bool:
        return any((self.county_code, self.dept_code, self.channel, self.month))


# The focus field a click on the rates chart sets, per grouping of that chart (RATE_GROUPINGS).
FOCUS_OF_GROUPING = {"channel": "channel", "dept": "dept_code", "county": "county_code"}
CLICKABLE_CHARTS = ("rates", "trend", "levels", "reasons", "rectification", "survey")
LISTING_BAD = ""  # the list's default: every bad review of the selection
LISTING_DUE = "due"  # the bad reviews whose rectification fell due in the period (差评整改率's base)


def narrowed_filters(filters: Filters, focus: Focus, skip: str | None = None) -> Filters:
    """The page's filters narrowed to the focus, except its ``skip`` field (county_code, dept_code,
    channel or month): a chart is not narrowed by its own dimension, so it keeps every unit on
    show, the clicked one highlighted, and another can be clicked."""
    changes = {}
    if focus.county_code and skip != "county_code":
        changes["counties"] = (focus.county_code,)
    if focus.dept_code and skip != "dept_code":
        changes["departments"] = (focus.dept_code,)
    if focus.channel and skip != "channel":
        changes["channels"] = (focus.channel,)
    narrowed = replace(filters, **changes)
    if focus.month and skip != "month":
        narrowed = narrowed.with_period(Period.parse(focus.month))
    return narrowed


def valid_focus(focus: Focus, filters: Filters, counties: Iterable[str], depts: Iterable[str],
                months: Iterable[str]) -> Focus:
    """The focus without what the page no longer offers (another county filter, another period):
    a click narrows the global filters, it never widens them."""
    def allowed(value: str | None, offered: Iterable[str], chosen: tuple[str, ...]) -> str | None:
        return value if value and value in set(offered) and (not chosen or value in chosen) else None

    return Focus(allowed(focus.county_code, counties, filters.counties),
                 allowed(focus.dept_code, depts, filters.departments),
                 allowed(focus.channel, RATING_CHANNELS, filters.channels),
                 focus.month if focus.month in set(months) else None)


def after_click(chart: str, point: dict, focus: Focus, listing: str, by: str = "dept") -> tuple[Focus, str]:
    """The focus and listing after a click on a point of ``chart`` (CLICKABLE_CHARTS; ``by`` is the
    rates chart's grouping). The charts put in ``customdata``: rates the unit code, trend the month
    (YYYY-MM), survey the department, rectification [department, state], levels and reasons the
    listing itself. A point without data changes nothing."""
    if chart not in CLICKABLE_CHARTS:
        raise ValueError(f"chart must be one of {CLICKABLE_CHARTS}, got {chart!r}")
    data = point_customdata(point)
    if not data or data[0] in (None, ""):
        return focus, listing
    code = str(data[0])
    if chart == "rates":
        return replace(focus, **{FOCUS_OF_GROUPING[by]: code}), listing
    if chart == "trend":
        return replace(focus, month=code), listing
    if chart == "survey":
        return replace(focus, dept_code=code), listing
    if chart == "rectification":
        state = data[1] if len(data) > 1 and data[1] in RECTIFICATION_STATES else None
        return replace(focus, dept_code=code), f"state:{state}" if state else listing
    return focus, code  # levels, reasons


def listing_options(reasons: pd.DataFrame) -> list[str]:
    """What the review list can show: every bad review, each rectification state, each level, and
    each reason of ``bad_review_reasons`` (which holds the selection's reasons)."""
    return [LISTING_BAD, LISTING_DUE, *(f"state:{s}" for s in RECTIFICATION_STATES),
            *(f"score:{s}" for s in LEVELS), *reasons["listing"]]


def listing_params(listing: str) -> dict[str, object]:
    """queries/review_list.sql's narrowing for a listing; an unknown listing lists every bad review."""
    kind, _, value = (listing or "").partition(":")
    params = {"bad_only": True, "score": None, "rectify_state": None, "reason": None, "fell_due": False}
    if kind == LISTING_DUE:
        params["fell_due"] = True
    elif kind == "state" and value in RECTIFICATION_STATES:
        params["rectify_state"] = value
    elif kind == "score" and value.isdigit() and int(value) in LEVELS:
        params.update(bad_only=False, score=int(value))
    elif kind == "reason":
        params["reason"] = value
    return params


def listing_label(listing: str, lang: str = "zh") -> str:
    """"逾期未整改的差评" / "评价为“非常满意”（5分）" / "原因：办事效率低" / "全部差评"."""
    params = listing_params(listing)
    if params["fell_due"]:
        return t("crossfilter_more.satisfaction.listing_due", lang)
    if params["rectify_state"]:
        return t("crossfilter_more.satisfaction.listing_state", lang,
                 state=t(f"satisfaction.state_{params['rectify_state']}", lang))
    if params["score"] is not None:
        return t("crossfilter_more.satisfaction.listing_score", lang, score=params["score"],
                 level=t(f"satisfaction.level_{params['score']}", lang))
    if params["reason"] == "":
        return t("crossfilter_more.satisfaction.listing_no_reason", lang)
    if params["reason"]:
        return t("crossfilter_more.satisfaction.listing_reason", lang, reason=params["reason"])
    return t("crossfilter_more.satisfaction.listing_bad", lang)


def focus_description(focus: Focus, lang: str, counties: dict[str, str], depts: dict[str, str]) -> str:
    """The clicked units and month in one line: "乙县 · 市场监管局 · 12345热线 · 2026年10月"."""
    parts = []
    if focus.county_code:
        parts.append(counties.get(focus.county_code, focus.county_code))
    if focus.dept_code:
        parts.append(depts.get(focus.dept_code, focus.dept_code))
    if focus.channel:
        parts.append(channel_name(focus.channel, lang))
    if focus.month:
        parts.append(Period.parse(focus.month).label(lang))
    return t("crossfilter_more.separator", lang).join(parts)


REVIEW_COLUMNS = ("rating_id", "rated_at", "county_name", "dept_name", "item_name", "channel", "score", "reasons",
                  "verified_at", "rectify_due_at", "rectified_at", "state")
REVIEW_TIMES = ("rated_at", "verified_at", "rectify_due_at", "rectified_at")


def review_page(view: SnapshotView, filters: Filters, lang: str = "zh", listing: str = LISTING_BAD,
                page: int = 1, page_size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int]:
    """One page (1-based) of the reviews behind a number — those of ``listing`` given in the period —
    in REVIEW_COLUMNS with names and labels in ``lang``, and how many there are in all. The
    rectification state is judged at the period's state time, as the rectification chart counts."""
    page = max(1, int(page))
    params = {**_period_params(view, filters), **listing_params(listing)}
    raw = _measured(view, filters, view.layer.run("review_list", filters, **params, limit_rows=int(page_size),
                                                  offset_rows=(page - 1) * int(page_size)))
    if len(raw):
        total = int(raw["total_rows"].iloc[0])
    else:  # past the last page (or nothing at all): count from the start
        first = _measured(view, filters, view.layer.run("review_list", filters, **params, limit_rows=1,
                                                        offset_rows=0)) if page > 1 else raw
        total = int(first["total_rows"].iloc[0]) if len(first) else 0
    county_names, dept_names = unit_names(view, lang)
    frame = pd.DataFrame({
        "rating_id": raw["rating_id"],
        "rated_at": pd.to_datetime(raw["rated_at"]),
        "county_name": raw["county_code"].map(county_names).fillna(raw["county_code"]),
        "dept_name": raw["dept_code"].map(dept_names).fillna(raw["dept_code"]),
        "item_name": raw["item_name"].fillna(raw["item_code"]).fillna(""),
        "channel": [channel_name(c, lang) for c in raw["channel"]],
        "score": raw["score"].astype("int64"),
        "reasons": [t("crossfilter_more.list_separator", lang).join(r) if r is not None and len(r) else ""
                    for r in raw["reasons"]],
        **{c: pd.to_datetime(raw[c]) for c in REVIEW_TIMES[1:]},
        "state": ["" if _missing(s) else t(f"satisfaction.state_{s}", lang) for s in raw["rectify_state"]],
    })
    return frame[list(REVIEW_COLUMNS)], total


def review_table(reviews: pd.DataFrame, lang: str = "zh", screen: bool = False) -> pd.DataFrame:
    """``review_page``'s frame with the headers people read. For the ``screen`` the times are text
    ("2026-10-28 17:00", blank when missing: st.dataframe would write "None" where a review was not
    verified or rectified); files keep real times."""
    table = reviews.copy()
    if screen:
        for column in REVIEW_TIMES:
            table[column] = ["" if pd.isna(v) else f"{v:%Y-%m-%d %H:%M}" for v in table[column]]
    return table.rename(columns={c: t(f"crossfilter_more.review_col.{c}", lang) for c in REVIEW_COLUMNS})


def review_screen_page(view: SnapshotView, filters: Filters, lang: str = "zh", listing: str = LISTING_BAD,
                       page: int = 1, page_size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int]:
    """One page of ``review_page`` as the screen shows it (``review_table(screen=True)``), and the total."""
    reviews, total = review_page(view, filters, lang, listing, page, page_size)
    return review_table(reviews, lang, screen=True), total

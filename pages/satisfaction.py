"""满意度 Satisfaction: 好差评 levels, rates by channel / department / county and by month, reasons
of bad reviews, rectification tracking by department, the reviews behind those numbers, and survey
scores wave over wave. Data: xiaoneng.satisfaction; figures: xiaoneng.charts; texts: the
satisfaction and crossfilter_more sections of the catalog.

Cross-filtering: a click on a county or department (rates chart, rectification chart, survey heatmap)
follows the rule of every page (xiaoneng.crossfilter): it narrows the cards, the other charts and the
review list, shows as a chip and goes into the URL. A click on a channel or a month (trend) is copied
by the chart's on_select callback into KEY_FOCUS (a satisfaction.Focus; its units are the URL's) and
narrows the same way; a click on a level, a reason or a rectification segment sets KEY_LISTING, the
review list's selectbox (which a user can also set by hand). "Clear" empties those two and moves the
charts to fresh keys (KEY_GENERATION), which drops Plotly's selection.
"""

from dataclasses import replace

import pandas as pd
import streamlit as st

from xiaoneng import caselist, charts, crossfilter, export, periodnotes, satisfaction, session, widgets
from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.markup import escape_names

ctx = session.require_snapshot()
lang = ctx.lang
stamp = export.file_stamp(ctx.snapshot.as_of)  # download file names carry the snapshot time
cat = catalog()
state_at = periodnotes.state_time_text(ctx.view, ctx.filters.period)
PLOTLY_CONFIG = {"displaylogo": False}
KEY_FOCUS = "satisfaction_xf"
KEY_LISTING = "satisfaction_listing"
KEY_GENERATION = "satisfaction_xf_generation"
KEY_RESET = "satisfaction_xf_reset"
XF_PAGE = "satisfaction"
selection = crossfilter.current(ctx)


def text(key: str, **values) -> str:
    return t(f"satisfaction.{key}", lang, **values)


def more(key: str, **values) -> str:
    return t(f"crossfilter_more.{key}", lang, **values)


def on_click(chart: str, chart_key: str, by: str = "dept") -> None:
    """Copy a click into the page's state (it runs before the next run: ``focus`` is the last run's)."""
    points = (st.session_state.get(chart_key) or {}).get("selection", {}).get("points", [])
    if points:
        clicked, st.session_state[KEY_LISTING] = satisfaction.after_click(
            chart, points[0], focus, st.session_state.get(KEY_LISTING, satisfaction.LISTING_BAD), by)
        crossfilter.select("county", clicked.county_code)  # the units go into the URL
        crossfilter.select("dept", clicked.dept_code)
        st.session_state[KEY_FOCUS] = replace(clicked, county_code=None, dept_code=None)


def reset_cross_filter() -> None:
    """Clear the channel, month and listing (the chips clear the units)."""
    st.session_state[KEY_FOCUS] = satisfaction.Focus()
    st.session_state[KEY_LISTING] = satisfaction.LISTING_BAD
    st.session_state[KEY_GENERATION] = st.session_state.get(KEY_GENERATION, 0) + 1


def chart_key(name: str) -> str:
    return crossfilter.chart_key(XF_PAGE, f"{name}_{st.session_state.get(KEY_GENERATION, 0)}")


def clickable(chart: str, name: str, by: str = "dept") -> dict:
    """st.plotly_chart's arguments that make a chart a cross-filter source."""
    key = chart_key(name)
    return {"key": key, "on_select": lambda: on_click(chart, key, by), "selection_mode": "points"}


def rate_columns(*keys: str) -> dict:
    """Column settings for catalog rates in a table: one decimal, the definition on hover."""
    return {satisfaction.rate_header(k, lang): st.column_config.NumberColumn(format="%.1f",
                                                                             help=cat[k].definition(lang))
            for k in keys}


st.title(text("title"))
ctx = ctx.viewing(crossfilter.narrow(ctx.filters, selection))  # downloads name the chips too
session.show_context_line(ctx)
crossfilter.chips(ctx, selection, XF_PAGE)

# KPI cards: the catalog's review and survey indicators, with 环比 and target
st.subheader(text("kpi_header"))
cards = session.cached(satisfaction.indicator_cards, ctx, filters=crossfilter.narrow(ctx.filters, selection))
if satisfaction.cards_empty(cards):
    widgets.no_data_notice(ctx, text("empty"))
    st.stop()
for column, card in zip(st.columns(len(cards)), cards.itertuples(), strict=True):
    with column.container(border=True, height="stretch"):
        st.metric(card.label, card.value_text, card.delta_text, delta_color=card.delta_color,
                  delta_arrow=card.delta_arrow, delta_description=card.delta_description, help=card.help)
        st.markdown(card.target_text)
widgets.running_period_note(ctx, comparisons=True)

# The cross-filter: what the clicks narrow the page to. The units are the URL's (the chips under the
# title; the cards follow them); a channel or month clicked is the page's own focus, with its own note.
own_focus = satisfaction.valid_focus(st.session_state.get(KEY_FOCUS) or satisfaction.Focus(), ctx.filters,
                                     ctx.options.counties, ctx.options.departments,
                                     satisfaction.trend_month_keys(ctx.view, ctx.filters))
own_focus = replace(own_focus, county_code=None, dept_code=None)
focus = replace(own_focus, county_code=selection.county, dept_code=selection.dept)
listing = st.session_state.get(KEY_LISTING, satisfaction.LISTING_BAD)
if own_focus.narrows:
    focused = satisfaction.focus_description(own_focus, lang, escape_names(ctx.options.counties),  # names are data
                                             escape_names(ctx.options.departments))
    widgets.cross_filter_note(more("active", items=focused), key=KEY_RESET, clear_label=more("reset"),
                              on_clear=reset_cross_filter)


def narrowed(skip: str | None = None) -> Filters:
    return satisfaction.narrowed_filters(ctx.filters, focus, skip)


# 好差评: levels and the picked rate by month; the picked rate by channel / department / county; reasons
rate_definitions = "  \n".join(f"**{cat[k].label(lang)}**：{cat[k].definition(lang)}" for k in satisfaction.RATE_KEYS)
pick_column, by_column, _ = st.columns([3, 3, 2])
rate_key = pick_column.segmented_control(
    text("rate_pick"), satisfaction.RATE_KEYS, default="satisfied_rate", key="satisfaction_rate_key",
    required=True, format_func=lambda k: cat[k].label(lang),
) or "satisfied_rate"
rate_by = by_column.segmented_control(
    text("rates_by"), tuple(satisfaction.RATE_GROUPINGS), default="dept", key="satisfaction_rate_by",
    required=True, format_func=lambda b: text(f"by_{b}"),
) or "dept"
rate = cat[rate_key]
target_label = text("target_line", target=rate.format(rate.target, lang)) if rate.target is not None else ""

levels_column, trend_column = st.columns(2)
with levels_column:
    st.subheader(text("levels_header"), help=rate_definitions)
    st.caption(text("levels_caption"))
    levels = session.cached(satisfaction.rating_levels, ctx, filters=narrowed())
    if levels["ratings"].sum() == 0:
        st.info(text("levels_empty"), icon=":material/info:")
    else:
        st.plotly_chart(charts.satisfaction_level_bar(
            levels, score_col="score", label_col="level", count_col="ratings", share_col="share_pct",
            axis_title=text("levels_axis"), count_label=text("levels_count"), share_label=text("levels_share"),
            empty_message=text("levels_empty"), code_col="listing", highlight_code=listing,
        ), theme=None, config=PLOTLY_CONFIG, **clickable("levels", "levels"))
with trend_column:
    st.subheader(text("trend_header", indicator=rate.label(lang)), help=rate.definition(lang))
    st.caption(text("trend_caption", months=satisfaction.TREND_MONTHS))
    trend = session.cached(satisfaction.rating_trend, ctx, filters=narrowed("month"))
    if trend["ratings"].sum() == 0:
        st.info(text("trend_empty"), icon=":material/info:")
    else:
        st.plotly_chart(charts.satisfaction_trend_line(
            trend, x_col="month_label", tick_col="month_tick", value_col=rate_key, axis_title=rate.label(lang),
            target=rate.target, target_label=target_label, empty_message=text("trend_empty"),
            hover_cols={"ratings": text("ratings")}, code_col="month_key", highlight_code=focus.month,
        ), theme=None, config=PLOTLY_CONFIG, **clickable("trend", "trend"))

rates_column, reasons_column = st.columns(2)
with rates_column:
    st.subheader(f"{rate.label(lang)} · {text(f'by_{rate_by}')}", help=rate.definition(lang))
    st.caption(text("rates_caption", indicator=rate.label(lang)))
    own = satisfaction.FOCUS_OF_GROUPING[rate_by]  # the chart shows every unit of its own grouping
    rates = session.cached(satisfaction.rating_rates, ctx, filters=narrowed(own), by=rate_by)
    if rates.empty:
        st.info(text("rates_empty"), icon=":material/info:")
    else:
        st.plotly_chart(charts.satisfaction_rate_dots(
            satisfaction.worst_first(rates, rate_key), label_col="name", value_col=rate_key,
            axis_title=rate.label(lang), target=rate.target, target_label=target_label, better=rate.better,
            empty_message=text("rates_empty"), hover_cols={"ratings": text("ratings")}, code_col="code",
            highlight_code=getattr(focus, own), lang=lang,
        ), theme=None, config=PLOTLY_CONFIG, **clickable("rates", f"rates_{rate_by}", rate_by))
        widgets.data_table(ctx.viewing(narrowed(own)), satisfaction.rates_table(rates, rate_by, lang),
                           text("table_expander"), text("rates_header") + "_" + stamp, "satisfaction_rates",
                           column_config=rate_columns(*satisfaction.RATE_KEYS))
with reasons_column:
    st.subheader(text("reasons_header"), help=cat["bad_rate"].definition(lang))
    st.caption(text("reasons_caption"))
    reasons = session.cached(satisfaction.bad_review_reasons, ctx, filters=narrowed())
    if reasons.empty:
        st.info(text("reasons_empty"), icon=":material/info:")
    else:
        st.plotly_chart(charts.satisfaction_reason_bar(
            reasons.assign(untagged=reasons["reason"].isna()), label_col="reason_label", count_col="bad_reviews",
            share_col="share_pct", axis_title=text("reasons_axis"), share_label=text("reasons_share"),
            empty_message=text("reasons_empty"), muted_col="untagged", code_col="listing", highlight_code=listing,
        ), theme=None, config=PLOTLY_CONFIG, **clickable("reasons", "reasons"))

# Rectification of bad reviews, by department: the unrectified-and-overdue first
st.subheader(text("rectification_header"), help=f"{cat['rectification_rate'].definition(lang)}  \n"
                                                 f"{cat['rectified_on_time_rate'].definition(lang)}")
st.caption(text("rectification_caption", state_at=state_at))
rectification = session.cached(satisfaction.rectification_by_department, ctx, filters=narrowed("dept_code"))
if rectification.empty:
    st.info(text("rectification_empty"), icon=":material/info:")
else:
    colours = {"pending_overdue": charts.STATUS_COLORS["red"], "rectified_late": charts.STATUS_COLORS["amber"],
               "pending_not_due": charts.COLORWAY[1], "unverified": charts.MUTED,
               "rectified_on_time": charts.STATUS_COLORS["green"], "unfounded": charts.AXIS_COLOR}
    notes = [text("rectification_note", rate=cat["rectification_rate"].format(None if pd.isna(v) else float(v), lang))
             for v in rectification["rectification_rate"]]
    st.plotly_chart(charts.outcome_stacked_bar(
        rectification.assign(note=notes), label_col="dept_name",
        segments=[(s, text(f"state_{s}"), colours[s]) for s in satisfaction.RECTIFICATION_STATES],
        axis_title=text("rectification_axis"), empty_message=text("rectification_empty"), note_col="note",
        hover_cols={"bad_reviews": text("bad_reviews")}, code_col="dept_code", highlight_code=focus.dept_code,
    ), theme=None, config=PLOTLY_CONFIG, **clickable("rectification", "rectification"))
    widgets.data_table(ctx.viewing(narrowed("dept_code")), satisfaction.rectification_table(rectification, lang),
                       text("table_expander"), text("rectification_header") + "_" + stamp, "satisfaction_rectification",
                       column_config=rate_columns("rectification_rate", "rectified_on_time_rate"))

# The reviews behind the numbers: every bad review of the selection, or those of a state, level or reason
st.subheader(more("satisfaction.list_header"))
options = satisfaction.listing_options(reasons)
if st.session_state.get(KEY_LISTING) not in options:
    st.session_state[KEY_LISTING] = satisfaction.LISTING_BAD
pick, described = st.columns([2, 5], vertical_alignment="bottom")
listing = pick.selectbox(more("satisfaction.list_pick"), options, key=KEY_LISTING,
                         format_func=lambda o: satisfaction.listing_label(o, lang))
described.caption(more("satisfaction.list_caption", state_at=state_at))
list_filters = narrowed()
widgets.paged_list(
    ctx.viewing(list_filters), "satisfaction_reviews", (ctx.snapshot.snapshot_id, list_filters, listing),
    lambda page, size: satisfaction.review_screen_page(ctx.view, list_filters, lang, listing, page, size),
    lambda: satisfaction.review_table(satisfaction.review_page(
        ctx.view, list_filters, lang, listing, page_size=caselist.EXPORT_MAX_ROWS)[0], lang),
    texts="crossfilter_more.satisfaction", file_stem=f"{more('satisfaction.file_reviews')}_{stamp}", on_request=None)

# Surveys: department × dimension heatmap (index or change vs the previous wave), and by respondent group
index = cat["satisfaction_index"]
st.subheader(text("survey_header"), help=index.definition(lang))
waves = session.cached(satisfaction.survey_waves, ctx, filters=narrowed("dept_code")).iloc[0]
if pd.isna(waves["wave"]):
    st.info(text("survey_empty"), icon=":material/info:")
else:
    mode = st.segmented_control(text("survey_mode"), ("index", "change"), default="index",
                                key="satisfaction_survey_mode", required=True,
                                format_func=lambda m: text(f"mode_{m}")) or "index"
    if mode == "index":
        st.caption(text("survey_caption", wave=waves["wave_label"], previous=waves["previous_wave_label"],
                        target=index.format(index.target, lang)))
    else:
        st.caption(text("survey_caption_change", wave=waves["wave_label"], previous=waves["previous_wave_label"]))
    heat_column, group_column = st.columns([3, 2])
    cells = session.cached(satisfaction.survey_by_department_dimension, ctx, filters=narrowed("dept_code"))
    with heat_column:
        st.plotly_chart(charts.satisfaction_score_heatmap(
            cells, row_col="dept_name", col_col="dimension_name",
            value_col="survey_index" if mode == "index" else "survey_index_change",
            text_col="index_text" if mode == "index" else "change_text",
            midpoint=index.target if mode == "index" else 0.0,
            value_label=text("survey_index") if mode == "index" else text("survey_change"),
            empty_message=text("survey_empty"),
            hover_cols={"index_text": text("survey_index"), "previous_text": text("survey_previous"),
                        "change_text": text("survey_change"), "survey_responses": text("survey_responses")},
            code_col="dept_code", highlight_code=focus.dept_code,
        ), theme=None, config=PLOTLY_CONFIG, **clickable("survey", "survey"))
    with group_column:
        st.markdown(f"**{text('group_header')}**")
        groups = satisfaction.survey_group_table(session.cached(satisfaction.survey_by_group, ctx,
                                                                filters=narrowed()), lang)
        number = st.column_config.NumberColumn(format="%.1f", help=index.definition(lang))
        st.dataframe(groups, hide_index=True, column_config={
            text("survey_index"): number, text("survey_previous"): number,
            text("survey_change"): st.column_config.NumberColumn(format="%+.1f"),
        })
        widgets.download_buttons(ctx.viewing(narrowed()), groups, text("group_header") + "_" + stamp,
                                 "satisfaction_survey_groups")

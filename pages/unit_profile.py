"""单位画像 Unit profile: one county, department or county's department against its peers and its
own history, and the unit's cases behind an indicator. Data: xiaoneng.profile; figures: xiaoneng.charts.

Drill-through: a click on a month of a history chart (Plotly selection) or a row of the indicator
table is copied by its on_select callback into KEY_XF_MONTH / KEY_XF_INDICATOR; the case list
shows the unit's cases behind that indicator in that month. "Clear" empties both and moves the
chart and table to fresh keys (KEY_GENERATION), which drops their selections.
"""

import streamlit as st

from xiaoneng import charts, periodnotes, profile, session, widgets
from xiaoneng.i18n import t
from xiaoneng.markup import escape_markdown

ctx = session.require_snapshot()
lang = ctx.lang
KEY_LEVEL, KEY_COUNTY, KEY_DEPT = "profile_level", "profile_county", "profile_dept"
KEY_XF_MONTH = "profile_xf_month"
KEY_XF_INDICATOR = "profile_xf_indicator"
KEY_GENERATION = "profile_xf_generation"
KEY_RESET = "profile_xf_reset"
generation = st.session_state.get(KEY_GENERATION, 0)


def on_month_click(chart_key: str) -> None:
    points = (st.session_state.get(chart_key) or {}).get("selection", {}).get("points", [])
    month = profile.clicked_month(points[0]) if points else None
    if month:
        st.session_state[KEY_XF_MONTH] = month


def on_row_select(table_key: str) -> None:
    selected = (st.session_state.get(table_key) or {}).get("selection", {}).get("rows", [])
    st.session_state[KEY_XF_INDICATOR] = profile.clicked_indicator(rows, selected) or st.session_state.get(
        KEY_XF_INDICATOR)


def reset_drill() -> None:
    st.session_state[KEY_XF_MONTH] = st.session_state[KEY_XF_INDICATOR] = None
    st.session_state[KEY_GENERATION] = generation + 1


# The profiled unit, before anything is drawn: the sidebar's county / department filter when it names
# units (a 需关注 link, a copied link), else the box's own choice. A choice in a box becomes the
# sidebar's filter (session.show_unit), so the boxes, the sidebar, the context line and the URL name
# the same unit.
levels = {level: t(f"profile.level_{level.replace(',', '_')}", lang) for level in profile.LEVELS}
linked_level = st.query_params.get("level")  # a link from 总览's 需关注 to a department says level=dept
level = st.session_state.get(KEY_LEVEL) or (linked_level if linked_level in levels else "county")
counties, departments = ctx.options.counties, ctx.options.departments
county = profile.unit_in_view(st.session_state.get(KEY_COUNTY), ctx.filters.counties, counties) \
    if level != "dept" else None
dept = profile.unit_in_view(st.session_state.get(KEY_DEPT), ctx.filters.departments, departments) \
    if level != "county" else None
for key, unit in ((KEY_COUNTY, county), (KEY_DEPT, dept)):
    if unit is not None:
        st.session_state[key] = unit

st.title(t("nav.unit_profile", lang))
ctx = ctx.viewing(profile.unit_filters(ctx.filters, county, dept))  # the context line and downloads name the unit
session.show_context_line(ctx)

st.segmented_control(t("profile.level", lang), options=list(levels), format_func=levels.get, default=level,
                     key=KEY_LEVEL)
left, right = st.columns(2)
if county is not None:
    left.selectbox(t("filters.counties", lang), options=list(counties), format_func=counties.get, key=KEY_COUNTY,
                   on_change=lambda: session.show_unit(county=st.session_state[KEY_COUNTY]))
if dept is not None:
    right.selectbox(t("filters.departments", lang), options=list(departments), format_func=departments.get,
                    key=KEY_DEPT, on_change=lambda: session.show_unit(dept=st.session_state[KEY_DEPT]))

if (level != "dept" and county is None) or (level != "county" and dept is None):
    st.info(t("profile.pick_unit", lang), icon=":material/info:")
    st.stop()
if county is not None and not ctx.scope.allows(county):  # a county user profiles their own counties only
    st.error(t("scope_notice.profile_outside", lang, county=escape_markdown(county)), icon=":material/lock:")
    st.stop()

repeat = session.cached(profile.repeat_offender_note, ctx, level=level, county=county, dept=dept)
if repeat:  # 连续末位: at the bottom period after period (xiaoneng.offenders)
    st.warning(escape_markdown(repeat), icon=":material/warning:")

st.subheader(t("profile.vs_peers", lang))
st.caption(t(f"profile.peers_{level.replace(',', '_')}", lang))
no_data = profile.coverage_note(ctx.view, ctx.filters, lang)
if no_data:  # a future period, or one before the snapshot's data: 无数据, no rank
    st.info(no_data, icon=":material/info:")
running = periodnotes.comparison_note(ctx.view, ctx.filters.period, lang)
if running:  # figures to the snapshot's day; 上期 and 去年同期 are the same span
    st.caption(running)
rows = session.cached(profile.unit_vs_peers, ctx, level=level, county=county, dept=dept)
small_base = profile.small_base_note(rows, lang)
if small_base:
    st.caption(small_base)
peer_table = profile.peer_table(rows, lang)
table_key = f"profile_peer_table_{generation}"
st.dataframe(peer_table, hide_index=True, width="stretch", key=table_key,
             height=35 * (len(peer_table) + 1) + 3, column_config=profile.peer_table_columns(lang),
             on_select=lambda: on_row_select(table_key), selection_mode="single-row")

st.subheader(t("profile.history", lang))
history = session.cached(profile.unit_history, ctx, level=level, county=county, dept=dept)
month = st.session_state.get(KEY_XF_MONTH)
month = month if month in set(history["month"]) else None
rank_key, rate_key = f"profile_rank_chart_{generation}", f"profile_rate_chart_{generation}"
rank_column, rate_column = st.columns(2)
rank_column.plotly_chart(
    charts.rank_history_line(history, x_col="month", rank_col="rank", peers_col="peers",
                             axis_title=t("profile.rank_axis", lang), empty_message=t("profile.empty", lang),
                             highlight_x=month, lang=lang),
    theme=None, key=rank_key, config={"displaylogo": False}, on_select=lambda: on_month_click(rank_key),
    selection_mode="points",
)
rate_column.plotly_chart(
    charts.unit_vs_peer_lines(history, x_col="month", unit_col="on_time_rate", peer_col="on_time_rate_peer_median",
                              unit_label=t("profile.this_unit", lang), peer_label=t("profile.peer_median", lang),
                              axis_title=profile.indicator_label("on_time_rate", lang),
                              empty_message=t("profile.empty", lang), highlight_x=month, lang=lang),
    theme=None, key=rate_key, config={"displaylogo": False}, on_select=lambda: on_month_click(rate_key),
    selection_mode="points",
)

# The unit's cases behind an indicator (a table row) in a month (a history point), else the period's misses
st.subheader(t("crossfilter_more.profile.cases_header", lang))
indicator = st.session_state.get(KEY_XF_INDICATOR)
indicator = indicator if indicator in set(rows["key"]) else None
if month or indicator:
    note, clear = st.columns([5, 1], vertical_alignment="center")
    clear.button(t("crossfilter_more.reset", lang), key=KEY_RESET, on_click=reset_drill,
                 icon=":material/filter_alt_off:", width="stretch")
else:
    st.caption(t("crossfilter_more.profile.hint", lang))
    note = st
drilled = indicator or profile.DEFAULT_DRILL
drilled_name = profile.indicator_label(drilled, lang)
selection = profile.drill_selection(drilled, county=county, dept=dept)
filters = profile.drill_filters(ctx.shown, month)  # the unit's, in the month clicked
if selection is None:
    note.info(t("crossfilter_more.no_cases", lang, indicator=drilled_name), icon=":material/info:")
else:
    unit_name = profile.unit_label(county, dept, counties, departments, lang)
    note.markdown("**" + t("crossfilter_more.profile.cases_for", lang, unit=escape_markdown(unit_name),
                           indicator=drilled_name,
                           period=filters.period.label(lang),
                           subset=t(f"supervision.subset.{selection.subset}", lang)) + "**")
    # the default drill waits to be asked for; a click on the history or the table has asked
    widgets.case_list_panel(ctx, selection, key="profile_cases", filters=filters,
                            on_request=not (month or indicator))

# The unit's slowest items and its bad reviews
st.subheader(t("profile.slowest_header", lang))
items = session.cached(profile.slowest_items, ctx, county=county, dept=dept)
if items.empty:
    st.info(t("profile.no_items", lang), icon=":material/info:")
else:
    st.caption(t("profile.slowest_caption", lang))
    st.dataframe(items, hide_index=True, width="stretch")
    widgets.download_buttons(ctx, items, t("profile.slowest_header", lang), key="profile_items_download")

st.subheader(t("profile.reviews_header", lang))
reviews = session.cached(profile.bad_reviews, ctx, county=county, dept=dept)
total = reviews.attrs.get("total", len(reviews))
if reviews.empty:
    st.info(t("profile.no_reviews", lang), icon=":material/info:")
else:
    shown = t("profile.reviews_shown", lang, count=len(reviews)) if total > len(reviews) else ""
    st.caption(t("profile.reviews_caption", lang, total=total, shown=shown))
    st.dataframe(reviews, hide_index=True, width="stretch")
    widgets.download_buttons(ctx, reviews, t("profile.reviews_header", lang), key="profile_reviews_download")

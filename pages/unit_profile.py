"""单位画像 Unit profile: one county, department or county's department against its peers and its
own history. Data: xiaoneng.profile; figures: xiaoneng.charts."""

import streamlit as st

from xiaoneng import charts, profile, session
from xiaoneng.i18n import t

ctx = session.require_snapshot()
lang = ctx.lang

st.title(t("nav.unit_profile", lang))
session.show_context_line(ctx)

levels = {level: t(f"profile.level_{level.replace(',', '_')}", lang) for level in profile.LEVELS}
level = st.segmented_control(t("profile.level", lang), options=list(levels), format_func=levels.get,
                             default="county", key="profile_level") or "county"
counties, departments = ctx.options.counties, ctx.options.departments
left, right = st.columns(2)
county = dept = None
if level != "dept":
    preset = ctx.filters.counties[0] if ctx.filters.counties else next(iter(counties), None)
    county = left.selectbox(t("filters.counties", lang), options=list(counties), format_func=counties.get,
                            index=list(counties).index(preset) if preset in counties else 0, key="profile_county")
if level != "county":
    preset = ctx.filters.departments[0] if ctx.filters.departments else next(iter(departments), None)
    dept = right.selectbox(t("filters.departments", lang), options=list(departments), format_func=departments.get,
                           index=list(departments).index(preset) if preset in departments else 0, key="profile_dept")

if (level != "dept" and county is None) or (level != "county" and dept is None):
    st.info(t("profile.pick_unit", lang), icon=":material/info:")
    st.stop()

st.subheader(t("profile.vs_peers", lang))
st.caption(t(f"profile.peers_{level.replace(',', '_')}", lang))
rows = session.cached(profile.unit_vs_peers, ctx, level=level, county=county, dept=dept)
peer_table = profile.peer_table(rows, lang)
st.dataframe(peer_table, hide_index=True, width="stretch", key="profile_peer_table",
             height=35 * (len(peer_table) + 1) + 3, column_config=profile.peer_table_columns(lang))

st.subheader(t("profile.history", lang))
history = session.cached(profile.unit_history, ctx, level=level, county=county, dept=dept)
rank_column, rate_column = st.columns(2)
rank_column.plotly_chart(
    charts.rank_history_line(history, x_col="month", rank_col="rank", peers_col="peers",
                             axis_title=t("profile.rank_axis", lang), empty_message=t("profile.empty", lang)),
    theme=None, key="profile_rank_chart", config={"displaylogo": False},
)
rate_column.plotly_chart(
    charts.unit_vs_peer_lines(history, x_col="month", unit_col="on_time_rate", peer_col="on_time_rate_peer_median",
                              unit_label=t("profile.this_unit", lang), peer_label=t("profile.peer_median", lang),
                              axis_title=profile.indicator_label("on_time_rate", lang),
                              empty_message=t("profile.empty", lang)),
    theme=None, key="profile_rate_chart", config={"displaylogo": False},
)

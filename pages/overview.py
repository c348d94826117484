"""总览 Overview: headline KPI cards, counties ranked by composite score, and the county ×
department traffic lights of the on-time rate. Data: xiaoneng.overview; figures: xiaoneng.charts."""

import streamlit as st

from xiaoneng import charts, overview, session
from xiaoneng.i18n import t

ctx = session.require_snapshot()
lang = ctx.lang
CARDS_PER_ROW = 4

st.title(t("nav.overview", lang))
session.show_context_line(ctx)

# KPI cards
st.subheader(t("kpi.header", lang))
cards = session.cached(overview.kpi_cards, ctx)
if overview.kpis_empty(cards):
    st.info(t("kpi.empty", lang), icon=":material/info:")
else:
    for start in range(0, len(cards), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW)
        for column, card in zip(columns, cards.iloc[start:start + CARDS_PER_ROW].itertuples(), strict=False):
            with column.container(border=True, height="stretch"):
                st.metric(card.label, card.value_text, card.delta_text, delta_color=card.delta_color,
                          delta_arrow=card.delta_arrow, delta_description=card.delta_description, help=card.help)
                st.markdown(card.detail_md)

# Counties ranked by composite score (the county filter only highlights)
st.subheader(t("ranking.header", lang))
st.caption(t("ranking.caption", lang))
ranking = session.cached(overview.county_ranking, ctx)
if ranking["composite_score"].notna().any():
    chart_column, table_column = st.columns([2, 5])
    chart_column.plotly_chart(
        charts.ranking_bar(ranking, label_col="county_name", value_col="composite_score", highlight_col="selected",
                           axis_title=t("ranking.axis", lang), empty_message=t("ranking.empty", lang)),
        theme=None, key="overview_ranking_chart", config={"displaylogo": False},
    )
    table_column.table(overview.ranking_table(ranking, lang), hide_index=True)
else:
    st.info(t("ranking.empty", lang), icon=":material/info:")

# County × department traffic lights of the on-time rate
st.subheader(t("matrix.header", lang))
st.caption(overview.matrix_caption(lang))
matrix = session.cached(overview.traffic_light_matrix, ctx)
if (matrix["status"] != "none").any():
    st.plotly_chart(
        charts.traffic_light_heatmap(
            matrix, row_col="dept_name", col_col="county_name", status_col="status", text_col="text",
            status_labels={s: t(f"matrix.status_{s}", lang) for s in charts.STATUS_ORDER},
            row_title=t("matrix.department", lang), col_title=t("matrix.county", lang),
            hover_cols={"base": t("matrix.base", lang)}, empty_message=t("matrix.empty", lang),
        ),
        theme=None, key="overview_matrix_chart", config={"displaylogo": False},
    )
else:
    st.info(t("matrix.empty", lang), icon=":material/info:")

"""总览 Overview: headline KPI cards, counties ranked by composite score with rank change and the
红榜/黑榜, the headline indicators month by month, and the county × department traffic lights of the
按期办结率, each cell leading to its cases. Data: xiaoneng.overview (lists: xiaoneng.scorecard);
figures: xiaoneng.charts.

Widget keys: overview_xf_chip_county (the ranking click's chip, xiaoneng.crossfilter), overview_drill_subset,
overview_cell_clear, overview_cell_subset, overview_cell_page (the cell's case list page), overview_handout (the
one-page PDF, for who may export). The first screen holds the cards and the 需关注 list (container
overview_attention): the worst and the most-declined counties and departments, each a link to its 单位画像.
"""


import streamlit as st

from xiaoneng import (
    briefing,
    caselist,
    charts,
    crossfilter,
    handout,
    layout,
    offenders,
    overview,
    periodnotes,
    scorecard,
    session,
    widgets,
)
from xiaoneng.i18n import t

ctx = session.require_snapshot()
lang = ctx.lang
CARDS_PER_ROW = 4
# Cross-filter (xiaoneng.crossfilter, the rule of every page): a click on a county in the ranking
# narrows the KPI cards, the trend and the matrix, shown as a chip and kept in the URL. A click on a
# matrix cell lists that cell's cases: it is copied into the page's own state by the chart's callback
# (a chart's selection does not survive its figure changing); "clear" empties it and moves the chart
# to a fresh key, dropping Plotly's selection.
XF_PAGE = "overview"
KEY_XF_CELL = "overview_xf_cell"
KEY_CELL_GENERATION = "overview_cell_generation"
matrix_key = f"overview_matrix_chart_{st.session_state.get(KEY_CELL_GENERATION, 0)}"
CELL_SUBSET = "due_missed"  # the cell shows the 按期办结率: its list starts with its misses


def _on_matrix_click() -> None:
    st.session_state[KEY_XF_CELL] = charts.clicked_code(st.session_state.get(matrix_key))


def _clear_cell() -> None:
    st.session_state[KEY_XF_CELL] = None
    st.session_state[KEY_CELL_GENERATION] = st.session_state.get(KEY_CELL_GENERATION, 0) + 1


def handout_button(attention: dict) -> None:
    """The one-page PDF of what the first screen and the ranking show (audited when it is made)."""
    if not handout.fonts_available():
        st.caption(t("handout.unavailable", lang))
        return
    title = t("handout.title", lang, city=briefing.meeting_config().city(lang), period=narrowed.period.label(lang))
    context = ctx.summary(escape=str)  # the page's context line (ctx is the narrowed view's), as text
    stem = f"{t('handout.file', lang)}_{ctx.snapshot.snapshot_id}_{narrowed.period.key}"

    def make() -> tuple[bytes, int]:
        return handout.handout_pdf(title, context, cards, attention["county"], attention["dept"], ranking, lang), 1

    st.download_button(t("handout.button", lang), data=widgets.audited(ctx, f"{stem}.pdf", make),
                       file_name=f"{stem}.pdf", mime="application/pdf", key="overview_handout", on_click="ignore",
                       icon=":material/picture_as_pdf:", help=t("handout.help", lang))


selection = crossfilter.current(ctx)
narrowed = crossfilter.narrow(ctx.filters, selection)

st.title(t("nav.overview", lang))
ctx = ctx.viewing(narrowed)  # the context line, downloads and file names name the chips
session.show_context_line(ctx)
crossfilter.chips(ctx, selection, XF_PAGE)

# The first screen: the KPI cards and, beside them, the units that need attention (the 黑榜 and the
# biggest fallers, counties and departments), each linking to its 单位画像
cards = session.cached(overview.kpi_cards, ctx)
ranking = session.cached(overview.county_ranking, ctx)
departments = session.cached(overview.department_ranking, ctx)
list_size = briefing.meeting_config().red_black_size
# on paper (print mode) the attention list goes under the cards, which then fit four a row
cards_column, attention_column = st.container(key=f"{layout.PRINT_STACK}_first_screen").columns([3, 2], gap="medium")
with cards_column:
    st.subheader(t("kpi.header", lang))
    if overview.kpis_empty(cards):
        st.info(t("kpi.empty", lang), icon=":material/info:")
    else:
        if cards["comparison_note"].iloc[0]:  # a running period: figures to the snapshot's day, like for like
            st.caption(cards["comparison_note"].iloc[0])
        for start in range(0, len(cards), CARDS_PER_ROW):
            columns = st.columns(CARDS_PER_ROW)
            for column, card in zip(columns, cards.iloc[start:start + CARDS_PER_ROW].itertuples(), strict=False):
                with column.container(border=True, height="stretch"):
                    st.metric(card.label, card.value_text, card.delta_text, delta_color=card.delta_color,
                              delta_arrow=card.delta_arrow, delta_description=card.delta_description,
                              help=card.help)
                    st.markdown(card.detail_md)
with attention_column.container(key=layout.ATTENTION_KEY):
    st.subheader(t("attention.header", lang))
    st.caption(t("attention.caption", lang, previous=periodnotes.comparison_label(
        ctx.view, scorecard.previous_span(ctx.view, ctx.filters), lang)))
    link_params = session.url_params(ctx.snapshot.snapshot_id, ctx.filters, lang)
    attention = {}
    for kind, ranked in (("county", ranking), ("dept", departments)):
        units = overview.attention_units(ranked, list_size, lang)
        hrefs = {code: overview.profile_href(link_params, kind, code) for code in units["unit_code"]}
        st.html(overview.attention_html(units, kind, hrefs, lang))
        attention[kind] = units
    if ctx.can("export") and not overview.kpis_empty(cards):
        handout_button(attention)

# Drill-through: the cases behind the cards (same filters, including a ranking click)
with st.expander(t("kpi.drill", lang), icon=":material/list_alt:"):
    subset = st.selectbox(t("kpi.drill_subset", lang), caselist.SUBSETS, key="overview_drill_subset",
                          format_func=lambda s: t(f"supervision.subset.{s}", lang))
    widgets.case_list_panel(ctx, caselist.CaseSelection(subset=subset), key="overview_drill")

# Counties ranked by composite score with rank change (the county filter only highlights), 红榜 / 黑榜
layout.page_break()
st.subheader(t("ranking.header", lang))
if not overview.ranking_empty(ranking):
    st.caption(t("overview_more.ranking_caption", lang, min=scorecard.min_cases(),
                 previous=periodnotes.comparison_label(ctx.view, scorecard.previous_span(ctx.view, ctx.filters), lang)))
    if ctx.scope.is_restricted:  # every county's score and rank, as published; the indicators of one's own
        st.caption(t("scope_notice.ranking_published", lang))
    # on paper (print mode) the table goes under the chart, both the page's width
    chart_column, table_column = st.container(key=f"{layout.PRINT_STACK}_ranking").columns([2, 5])
    chart_column.plotly_chart(
        charts.ranking_bar(ranking.assign(label=overview.chart_labels(ranking, lang)), label_col="label",
                           value_col="composite_score", highlight_col="selected", axis_title=t("ranking.axis", lang),
                           empty_message=t("ranking.empty", lang), code_col="unit_code", lang=lang,
                           value_places=scorecard.score_places(ranking["composite_score"]),
                           **({"row_px": layout.PRINT_RANKING_ROW_PX} if layout.print_mode() else {})),
        theme=None, config={"displaylogo": False}, **crossfilter.clickable(XF_PAGE, "ranking", "county"),
    )
    repeat = offenders.flag_texts(session.cached(offenders.repeat_offenders, ctx, by="county",
                                                 size=briefing.meeting_config().red_black_size), lang)
    table_column.table(overview.ranking_table(ranking, lang, repeat), hide_index=True)
    # 样本不足 counties stay off both lists (scorecard.red_and_black_lists: the rule the 通报 and the deck use)
    red, black = scorecard.red_and_black_lists(ranking, briefing.meeting_config().red_black_size)
    if not red.empty:
        red_column, black_column = table_column.columns(2)
        red_column.html(overview.honour_list_html(red, "red", lang))
        black_column.html(overview.honour_list_html(black, "black", lang))
    note = overview.lists_note(ranking, red, lang)
    if note:
        table_column.caption(note)
else:
    st.info(t("ranking.empty", lang), icon=":material/info:")

# The headline indicators month by month (same filters as the cards, including a ranking click): four
# panels a row, two on A4 (print mode), one on a phone
layout.page_break()
st.subheader(t("overview_more.trend_header", lang))
trend = session.cached(overview.headline_trend, ctx)
st.caption(overview.trend_caption(trend, lang, through=cards["through"].iloc[0] if len(cards) else None))
# (on A4 two a row, lower, so that the four rows fit the page)
wide = {"columns": 2, "row_height": layout.PRINT_TREND_ROW_PX} if layout.print_mode() else {"columns": CARDS_PER_ROW}
for width_key, shape in ((layout.WIDE_ONLY, wide), (layout.NARROW_ONLY, {"columns": 1})):
    st.container(key=f"{width_key}_trend").plotly_chart(
        charts.small_multiple_lines(
            trend, panel_col="key", title_col="title", subtitle_col="subtitle", x_col="month", y_col="value",
            text_col="value_text", target_col="target", suffix_col="suffix", places_col="places",
            empty_message=t("overview_more.trend_empty", lang), lang=lang, **shape,
        ),
        theme=None, key=f"overview_trend_chart_{shape['columns']}", config={"displaylogo": False},
    )

# County × department traffic lights of the on-time rate; a clicked cell lists its cases. A phone shows
# the cells that miss the target as a ranked list instead.
layout.page_break()
st.subheader(t("matrix.header", lang))
st.caption(f"{overview.matrix_caption(lang)} {t('overview_more.matrix_click', lang)}")
matrix = session.cached(overview.traffic_light_matrix, ctx)
cell = overview.matrix_cell(matrix, st.session_state.get(KEY_XF_CELL))
if (matrix["status"] != "none").any():
    st.container(key=f"{layout.NARROW_ONLY}_matrix").html(overview.matrix_list_html(matrix, lang))
    st.container(key=f"{layout.WIDE_ONLY}_matrix").plotly_chart(
        charts.traffic_light_heatmap(
            matrix, row_col="dept_name", col_col="county_name", status_col="status", text_col="text",
            status_labels={s: t(f"matrix.status_{s}", lang) for s in charts.STATUS_ORDER},
            row_title=t("matrix.department", lang), col_title=t("matrix.county", lang),
            hover_cols={"base": t("matrix.base", lang)}, empty_message=t("matrix.empty", lang),
            code_col="cell_code", selected_code=None if cell is None else cell["cell_code"],
        ),
        theme=None, key=matrix_key, config={"displaylogo": False}, on_select=_on_matrix_click,
        selection_mode="points",
    )
else:
    st.info(t("matrix.empty", lang), icon=":material/info:")
if cell is not None:
    with st.container(border=True):
        heading, clear = st.columns([5, 1], vertical_alignment="center")
        heading.markdown(f"**{overview.cell_heading(cell, narrowed.period, lang)}**")
        clear.button(t("overview_more.cell_clear", lang), key="overview_cell_clear", on_click=_clear_cell,
                     icon=":material/close:", width="stretch")
        subset = st.selectbox(t("kpi.drill_subset", lang), caselist.SUBSETS, key="overview_cell_subset",
                              index=caselist.SUBSETS.index(CELL_SUBSET),
                              format_func=lambda s: t(f"supervision.subset.{s}", lang))
        widgets.case_list_panel(ctx, caselist.CaseSelection(subset=subset), key="overview_cell",
                                filters=overview.cell_filters(narrowed, cell), on_request=False)

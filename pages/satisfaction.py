"""满意度 Satisfaction: 好差评 levels, rates by channel / department / county and by month, reasons
of bad reviews, rectification tracking by department, and survey scores wave over wave.
Data: xiaoneng.satisfaction; figures: xiaoneng.charts; texts: the satisfaction section of the catalog."""

import pandas as pd
import streamlit as st

from xiaoneng import charts, export, satisfaction, session, widgets
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog

ctx = session.require_snapshot()
lang = ctx.lang
stamp = export.file_stamp(ctx.snapshot.as_of)  # download file names carry the snapshot time
cat = catalog()
state_at = ctx.filters.period.bounds(ctx.snapshot.as_of)["state_at"]
PLOTLY_CONFIG = {"displaylogo": False}


def text(key: str, **values) -> str:
    return t(f"satisfaction.{key}", lang, **values)


def rate_columns(*keys: str) -> dict:
    """Column settings for catalog rates in a table: one decimal, the definition on hover."""
    return {satisfaction.rate_header(k, lang): st.column_config.NumberColumn(format="%.1f",
                                                                             help=cat[k].definition(lang))
            for k in keys}


st.title(text("title"))
session.show_context_line(ctx)

# KPI cards: the catalog's review and survey indicators, with 环比 and target
st.subheader(text("kpi_header"))
cards = session.cached(satisfaction.indicator_cards, ctx)
for column, card in zip(st.columns(len(cards)), cards.itertuples(), strict=True):
    with column.container(border=True, height="stretch"):
        st.metric(card.label, card.value_text, card.delta_text, delta_color=card.delta_color,
                  delta_arrow=card.delta_arrow, delta_description=card.delta_description, help=card.help)
        st.markdown(card.target_text)

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
    levels = session.cached(satisfaction.rating_levels, ctx)
    if levels["ratings"].sum() == 0:
        st.info(text("levels_empty"), icon=":material/info:")
    else:
        st.plotly_chart(charts.satisfaction_level_bar(
            levels, score_col="score", label_col="level", count_col="ratings", share_col="share_pct",
            axis_title=text("levels_axis"), count_label=text("levels_count"), share_label=text("levels_share"),
            empty_message=text("levels_empty"),
        ), theme=None, key="satisfaction_levels_chart", config=PLOTLY_CONFIG)
with trend_column:
    st.subheader(text("trend_header", indicator=rate.label(lang)), help=rate.definition(lang))
    st.caption(text("trend_caption", months=satisfaction.TREND_MONTHS))
    trend = session.cached(satisfaction.rating_trend, ctx)
    if trend["ratings"].sum() == 0:
        st.info(text("trend_empty"), icon=":material/info:")
    else:
        st.plotly_chart(charts.satisfaction_trend_line(
            trend, x_col="month_label", tick_col="month_tick", value_col=rate_key, axis_title=rate.label(lang),
            target=rate.target, target_label=target_label, empty_message=text("trend_empty"),
            hover_cols={"ratings": text("ratings")},
        ), theme=None, key="satisfaction_trend_chart", config=PLOTLY_CONFIG)

rates_column, reasons_column = st.columns(2)
with rates_column:
    st.subheader(f"{rate.label(lang)} · {text(f'by_{rate_by}')}", help=rate.definition(lang))
    st.caption(text("rates_caption", indicator=rate.label(lang)))
    rates = session.cached(satisfaction.rating_rates, ctx, by=rate_by)
    if rates.empty:
        st.info(text("rates_empty"), icon=":material/info:")
    else:
        st.plotly_chart(charts.satisfaction_rate_dots(
            satisfaction.worst_first(rates, rate_key), label_col="name", value_col=rate_key,
            axis_title=rate.label(lang), target=rate.target, target_label=target_label, better=rate.better,
            empty_message=text("rates_empty"), hover_cols={"ratings": text("ratings")},
        ), theme=None, key="satisfaction_rates_chart", config=PLOTLY_CONFIG)
        with st.expander(text("table_expander")):
            table = satisfaction.rates_table(rates, rate_by, lang)
            st.dataframe(table, hide_index=True, column_config=rate_columns(*satisfaction.RATE_KEYS))
            widgets.download_buttons(table, text("rates_header") + "_" + stamp, "satisfaction_rates", lang)
with reasons_column:
    st.subheader(text("reasons_header"), help=cat["bad_rate"].definition(lang))
    st.caption(text("reasons_caption"))
    reasons = session.cached(satisfaction.bad_review_reasons, ctx)
    if reasons.empty:
        st.info(text("reasons_empty"), icon=":material/info:")
    else:
        st.plotly_chart(charts.satisfaction_reason_bar(
            reasons.assign(untagged=reasons["reason"].isna()), label_col="reason_label", count_col="bad_reviews",
            share_col="share_pct", axis_title=text("reasons_axis"), share_label=text("reasons_share"),
            empty_message=text("reasons_empty"), muted_col="untagged",
        ), theme=None, key="satisfaction_reasons_chart", config=PLOTLY_CONFIG)

# Rectification of bad reviews, by department: the unrectified-and-overdue first
st.subheader(text("rectification_header"), help=f"{cat['rectification_rate'].definition(lang)}  \n"
                                                 f"{cat['rectified_on_time_rate'].definition(lang)}")
st.caption(text("rectification_caption", state_at=f"{state_at:%Y-%m-%d %H:%M}"))
rectification = session.cached(satisfaction.rectification_by_department, ctx)
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
        hover_cols={"bad_reviews": text("bad_reviews")},
    ), theme=None, key="satisfaction_rectification_chart", config=PLOTLY_CONFIG)
    with st.expander(text("table_expander")):
        table = satisfaction.rectification_table(rectification, lang)
        st.dataframe(table, hide_index=True, column_config=rate_columns("rectification_rate", "rectified_on_time_rate"))
        widgets.download_buttons(table, text("rectification_header") + "_" + stamp, "satisfaction_rectification", lang)

# Surveys: department × dimension heatmap (index or change vs the previous wave), and by respondent group
index = cat["satisfaction_index"]
st.subheader(text("survey_header"), help=index.definition(lang))
waves = session.cached(satisfaction.survey_waves, ctx).iloc[0]
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
    cells = session.cached(satisfaction.survey_by_department_dimension, ctx)
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
        ), theme=None, key="satisfaction_survey_chart", config=PLOTLY_CONFIG)
    with group_column:
        st.markdown(f"**{text('group_header')}**")
        groups = satisfaction.survey_group_table(session.cached(satisfaction.survey_by_group, ctx), lang)
        number = st.column_config.NumberColumn(format="%.1f", help=index.definition(lang))
        st.dataframe(groups, hide_index=True, column_config={
            text("survey_index"): number, text("survey_previous"): number,
            text("survey_change"): st.column_config.NumberColumn(format="%+.1f"),
        })
        widgets.download_buttons(groups, text("group_header") + "_" + stamp, "satisfaction_survey_groups", lang)

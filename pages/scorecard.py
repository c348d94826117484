"""绩效考核 Scorecard: composite score, rank, rank change and each indicator's contribution per
county or department, why one unit scored what it did, and the ranks other weights would give.
Data: xiaoneng.scorecard; figures: xiaoneng.charts.

Cross-filtering follows the rule of every page (xiaoneng.crossfilter): a click on a unit's bar puts
the unit into the URL (a chip); the ranking keeps every unit of its kind with the clicked one
highlighted (a filter naming units of the ranked kind only highlights them), the other kind's
ranking, the 连续末位 flags and the trial weights are narrowed to it, and the breakdown opens on it.
A click on one indicator's segment is the page's own focus (KEY_INDICATOR): it explains that
indicator and lists the cases behind it; "Clear" empties it and moves the chart to a fresh key
(KEY_GENERATION), which drops Plotly's selection.
"""

import streamlit as st

from xiaoneng import briefing, charts, crossfilter, ledger, offenders, periodnotes, profile, scorecard, session, widgets
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.markup import escape_markdown
from xiaoneng.scoring import published_weights

ctx = session.require_snapshot()
lang = ctx.lang
text = scorecard.text
KEY_BY = "scorecard_by"
KEY_UNIT = "scorecard_unit"
KEY_UNIT_FOLLOWS = "scorecard_unit_follows"  # the chip's unit the breakdown last opened on
KEY_RESET = "scorecard_weights_reset"
KEY_INDICATOR = "scorecard_xf_indicator"
KEY_GENERATION = "scorecard_xf_generation"
KEY_XF_RESET = "scorecard_xf_reset"
WEIGHTS_PER_ROW = 5
XF_PAGE = "scorecard"
selection = crossfilter.current(ctx)
narrowed = crossfilter.narrow(ctx.filters, selection)


def weight_key(indicator_key: str) -> str:
    return f"scorecard_weight_{indicator_key}"


def reset_weights() -> None:
    for key, weight in published_weights().items():
        st.session_state[weight_key(key)] = float(weight)


def on_chart_click(chart_key: str) -> None:
    """A unit's bar: the unit into the URL (the breakdown follows); an indicator's segment also sets the focus."""
    points = (st.session_state.get(chart_key) or {}).get("selection", {}).get("points", [])
    clicked = scorecard.focus_from_point(points[0]) if points else None
    if clicked:
        unit, st.session_state[KEY_INDICATOR] = clicked
        crossfilter.select(st.session_state.get(KEY_BY, "county"), unit)


def reset_indicator() -> None:
    st.session_state[KEY_INDICATOR] = None
    st.session_state[KEY_GENERATION] = st.session_state.get(KEY_GENERATION, 0) + 1


st.title(text("title", lang))
ctx = ctx.viewing(narrowed)  # the context line, downloads and file names name the chip
session.show_context_line(ctx)
crossfilter.chips(ctx, selection, XF_PAGE, on_remove=reset_indicator)
st.caption(text("method", lang))

by = st.segmented_control(text("by", lang), scorecard.UNIT_KINDS, key=KEY_BY, default="county", required=True,
                          format_func=lambda k: text(f"by_{k}", lang), on_change=reset_indicator) or "county"
# every unit's score and rank as published; the contributions and breakdown of the user's own units only
card = session.cached(scorecard.ranking_with_breakdown, ctx, by=by)
# 连续末位: the units at the bottom period after period (xiaoneng.offenders), beside their name
repeat = offenders.flag_texts(session.cached(offenders.repeat_offenders, ctx, by=by,
                                             size=briefing.meeting_config().red_black_size), lang)
scored = card[card["composite_score"].notna()]
own = scored[scored["in_scope"]]
indicators = scorecard.weighted_indicators()
# the unit clicked in this ranking (the chip of its kind) and, within it, the indicator clicked
clicked_unit = selection.code(by) if selection.code(by) in set(own["unit_code"]) else None
clicked_indicator = st.session_state.get(KEY_INDICATOR) if clicked_unit else None

units = dict(zip(own["unit_code"], own["unit_name"], strict=True))

# Composite score and each indicator's contribution
st.subheader(text(f"ranking_header_{by}", lang))
if scored.empty:
    # no unit has case data in the period (a future month, a year before the data, an empty filter
    # combination): 无数据, no ranking; the trial weights below keep their values
    st.info(text("empty", lang), icon=":material/info:")
else:
    previous = periodnotes.comparison_label(ctx.view, scorecard.previous_span(ctx.view, ctx.filters), lang)
    st.caption(text(f"ranking_caption_{by}", lang, previous=previous, min=scorecard.min_cases()))
    if ctx.scope.is_restricted and by == "county":
        st.caption(t("scope_notice.ranking_published", lang))
    note = periodnotes.comparison_note(ctx.view, ctx.filters.period, lang)
    if note:  # a running period: figures to the snapshot's day, compared with the same span
        st.caption(note)
    if clicked_indicator:
        picked = [escape_markdown(units[clicked_unit]), catalog()[clicked_indicator].label(lang)]
        widgets.cross_filter_note(
            t("crossfilter_more.scorecard.active", lang, items=t("crossfilter_more.separator", lang).join(picked)),
            key=KEY_XF_RESET, clear_label=t("crossfilter_more.reset", lang), on_clear=reset_indicator,
            icon=":material/ads_click:")
    elif not selection.active:
        st.caption(t("crossfilter_more.scorecard.hint", lang))
    chart_key = crossfilter.chart_key(XF_PAGE, f"contribution_{st.session_state.get(KEY_GENERATION, 0)}")
    marked = own.assign(label=[scorecard.unit_label(n, s, lang)
                               for n, s in zip(own["unit_name"], own["small_base"], strict=True)])
    st.plotly_chart(
        charts.scorecard_contribution_bar(
            marked, label_col="label", parts={f"contrib_{i.key}": i.label(lang) for i in indicators},
            hover_cols={f"contrib_{i.key}": f"hover_{i.key}" for i in indicators}, total_col="composite_score",
            lost_label=text("lost_points", lang), lost_hover=text("lost_hover", lang), axis_title=text("axis", lang),
            highlight_col="selected", empty_message=text("empty", lang), code_col="unit_code",
        ),
        theme=None, key=chart_key, config={"displaylogo": False}, on_select=lambda: on_chart_click(chart_key),
        selection_mode="points",
    )

    columns = {
        # the rank is text: 样本不足 beside it for a small base, 无数据 without one
        "rank": st.column_config.TextColumn(text("rank", lang), help=text("rank_help", lang)),
        # department names run to eight characters; county names fit the automatic width
        "unit_name": st.column_config.TextColumn(text(f"unit_{by}", lang), width="medium" if by == "dept" else None),
        "repeat_offender": st.column_config.TextColumn(
            t("offenders.column", lang), help=t("offenders.column_help", lang, n=ledger.repeat_periods())),
        "composite_score": st.column_config.NumberColumn(text("score", lang),
                                                         format=f"%.{scorecard.score_places(card['composite_score'])}f",
                                                         help=text("method", lang)),
        "rank_change": st.column_config.TextColumn(text("rank_change", lang), help=text("rank_change_help", lang)),
        "previous_rank": st.column_config.NumberColumn(text("previous_rank", lang), format="%d"),
        "score_change": st.column_config.NumberColumn(text("score_change", lang), format="%+.1f"),
    }
    for ind in indicators:
        number_format = f"%.{ind.places}f%%" if ind.unit_zh == "%" else f"%.{ind.places}f"
        columns[ind.key] = st.column_config.NumberColumn(scorecard.indicator_header(ind, lang), format=number_format,
                                                         help=ind.definition(lang))
    # another county's indicators are not published: a dash there, 无数据 only for one's own units
    st.dataframe(scorecard.scorecard_table(card, lang, repeat), column_config=columns, hide_index=True,
                 key="scorecard_table", height="content",
                 placeholder=t("scope_notice.not_published" if ctx.scope.is_restricted else "kpi.no_value", lang))
    stem = text("file_ranking", lang, by=text(f"by_{by}", lang), period=ctx.filters.period.key)
    widgets.download_buttons(ctx, lambda: scorecard.scorecard_export(card, by, lang, repeat), stem,
                             "scorecard_download")

    # Why one unit scored what it did (one's own units: a county user's breakdown is their county's)
    if units:
        st.subheader(text("breakdown_header", lang))
        if clicked_unit and st.session_state.get(KEY_UNIT_FOLLOWS) != clicked_unit:
            # a new chip (a click, a copied link) opens the breakdown on its unit; the box can then be changed
            st.session_state[KEY_UNIT] = st.session_state[KEY_UNIT_FOLLOWS] = clicked_unit
        if st.session_state.get(KEY_UNIT) not in units:
            selected = own.loc[own["selected"], "unit_code"]
            st.session_state[KEY_UNIT] = selected.iloc[0] if len(selected) else next(iter(units))
        unit = st.selectbox(text(f"unit_{by}", lang), list(units), key=KEY_UNIT, format_func=units.get)
        row = own.set_index("unit_code").loc[unit]
        breakdown = scorecard.unit_breakdown(card, unit, lang)
        st.markdown(scorecard.breakdown_summary(row, breakdown, lang))
        st.dataframe(
            breakdown[["indicator", "value_text", "target_text", "attainment_pct", "weight", "possible_points",
                       "points", "lost_points"]],
            column_config={
                "indicator": st.column_config.TextColumn(text("indicator", lang)),
                "value_text": st.column_config.TextColumn(text("value", lang)),
                "target_text": st.column_config.TextColumn(text("target", lang)),
                "attainment_pct": st.column_config.NumberColumn(text("attainment", lang), format="%.1f%%",
                                                                help=text("attainment_help", lang)),
                "weight": st.column_config.NumberColumn(text("weight", lang), format="%g"),
                "possible_points": st.column_config.NumberColumn(text("possible_points", lang), format="%.1f",
                                                                 help=text("possible_points_help", lang)),
                "points": st.column_config.NumberColumn(text("points", lang), format="%.1f"),
                "lost_points": st.column_config.NumberColumn(text("lost_points", lang), format="%.1f"),
            },
            hide_index=True, key="scorecard_breakdown", height="content", placeholder=t("kpi.no_value", lang),
        )
        st.caption(text("definitions_hint", lang))

        # The clicked indicator of the clicked unit: what it is, and the cases behind it
        if clicked_indicator and unit == clicked_unit:
            st.markdown(scorecard.indicator_detail(breakdown, clicked_indicator, lang))
            indicator_name = catalog()[clicked_indicator].label(lang)
            cases = profile.drill_selection(clicked_indicator, **{"county" if by == "county" else "dept": unit})
            if cases is None:
                st.info(t("crossfilter_more.no_cases", lang, indicator=indicator_name), icon=":material/info:")
            else:
                heading = t("crossfilter_more.scorecard.cases_header", lang, unit=escape_markdown(units[unit]),
                            indicator=indicator_name)
                st.markdown(f"**{heading}{t('crossfilter_more.separator', lang)}"
                            f"{t(f'supervision.subset.{cases.subset}', lang)}**")
                widgets.case_list_panel(ctx, cases, key="scorecard_cases",
                                        filters=scorecard.unit_filters(narrowed, by), on_request=False)

# Try other weights (the published ones in config/indicators.yaml stay as they are): analysts and admins
if not ctx.can("try_weights"):
    st.stop()
st.subheader(text("trial_header", lang))
st.caption(text("trial_caption", lang))
for key, weight in published_weights().items():
    st.session_state.setdefault(weight_key(key), float(weight))
for start in range(0, len(indicators), WEIGHTS_PER_ROW):
    for column, ind in zip(st.columns(WEIGHTS_PER_ROW), indicators[start:start + WEIGHTS_PER_ROW], strict=False):
        column.number_input(ind.label(lang), min_value=0.0, max_value=100.0, step=1.0, format="%g",
                            key=weight_key(ind.key), help=ind.definition(lang))
st.button(text("trial_reset", lang), key=KEY_RESET, on_click=reset_weights, icon=":material/restart_alt:")
trial = tuple((ind.key, float(st.session_state[weight_key(ind.key)])) for ind in indicators)
if not any(w > 0 for _, w in trial):
    st.warning(text("trial_no_weight", lang))
elif scored.empty:
    st.info(text("trial_empty", lang), icon=":material/info:")  # nothing ranked, by any weights
else:
    if not scorecard.weights_changed(trial):
        st.caption(text("trial_same", lang))
    comparison = session.cached(scorecard.weight_comparison, ctx, by=by, weights=trial)
    st.dataframe(
        scorecard.comparison_table(comparison, lang),
        column_config={
            "unit_name": st.column_config.TextColumn(text(f"unit_{by}", lang), width="medium"),
            "published_rank": st.column_config.NumberColumn(text("published_rank", lang), format="%d"),
            "published_score": st.column_config.NumberColumn(text("published_score", lang), format="%.1f"),
            "trial_rank": st.column_config.NumberColumn(text("trial_rank", lang), format="%d"),
            "trial_score": st.column_config.NumberColumn(text("trial_score", lang), format="%.1f"),
            "rank_difference": st.column_config.TextColumn(text("rank_difference", lang),
                                                           help=text("rank_difference_help", lang)),
        },
        hide_index=True, key="scorecard_comparison", height="content", placeholder=t("kpi.no_value", lang),
    )
    widgets.download_buttons(ctx, lambda: scorecard.comparison_export(comparison, by, lang),
                             text("file_trial", lang, by=text(f"by_{by}", lang), period=ctx.filters.period.key),
                             "scorecard_trial_download")
    st.caption(text("trial_total", lang, total=f"{sum(w for _, w in trial):g}",
                    published=f"{sum(published_weights().values()):g}"))

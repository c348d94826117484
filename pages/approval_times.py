"""审批时效 Approval times: the distribution of elapsed working days, median and P90 by department or
county, actual times against promised and legal limits for the slowest items, and the trace-back (倒查)
of late cases to steps and posts. Data: xiaoneng.approval; figures: xiaoneng.charts.

Cross-filtering: a click on a department/county bar follows the rule of every page
(xiaoneng.crossfilter): it narrows the cards and the other charts, shows as a chip and goes into the URL.
A click on an item dot narrows the same way; it is copied into the page's own state (KEY_XF_ITEM) by
the chart's on_select callback (a chart's widget state does not survive its figure changing, the copy
does). "Clear" empties it and moves the charts to fresh keys, which drops Plotly's own selection.
"""

import pandas as pd
import streamlit as st

from xiaoneng import approval, caselist, charts, crossfilter, session, widgets
from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.markup import escape_markdown

KEY_UNIT_BY = "approval_unit_by"
KEY_GENERATION = "approval_xfilter_generation"
KEY_RESET = "approval_xfilter_reset"
XF_PAGE = "approval"
KEY_XF_ITEM = "approval_xf_item"
CHART_CONFIG = {"displaylogo": False}

ctx = session.require_snapshot()
lang = ctx.lang
cat = catalog()

st.title(t("approval.title", lang))
ctx = ctx.viewing(crossfilter.narrow(ctx.filters, crossfilter.current(ctx)))  # downloads name the chips too
session.show_context_line(ctx)
st.caption(t("approval.caption", lang))


def _reset_item() -> None:
    st.session_state[KEY_XF_ITEM] = None
    st.session_state[KEY_GENERATION] = st.session_state.get(KEY_GENERATION, 0) + 1


def _on_item_click(chart_key: str) -> None:
    st.session_state[KEY_XF_ITEM] = charts.clicked_code(st.session_state.get(chart_key))


def _table(frame: pd.DataFrame, spec: dict[str, approval.ColumnSpec], key: str, file_stem: str,
           shown: Filters | None = None) -> None:
    """A table with its definitions on hover and CSV / Excel downloads (headers as shown); ``shown``:
    the filters of a table that keeps units the page's view leaves out (a clicked chart's)."""
    config = {}
    for header, column in spec.items():
        if column.format:
            config[header] = st.column_config.NumberColumn(header, help=column.help, format=column.format)
        else:
            config[header] = st.column_config.TextColumn(header, help=column.help)
    st.dataframe(frame, hide_index=True, column_config=config, key=key)
    widgets.download_buttons(ctx.viewing(shown) if shown else ctx, frame,
                             f"{file_stem}_{ctx.snapshot.snapshot_id}_{ctx.filters.period.key}", key)


# ---------------------------------------------------------------- cross-filter from the charts' selections
generation = st.session_state.get(KEY_GENERATION, 0)
unit_by = st.session_state.get(KEY_UNIT_BY) or "dept"
item_chart_key = crossfilter.chart_key(XF_PAGE, f"limits_{generation}")
unit_selection = crossfilter.current(ctx)
unit_code = unit_selection.code(unit_by)  # the unit chart's own dimension: highlighted there
item_code = st.session_state.get(KEY_XF_ITEM) or None
unit_filters = crossfilter.narrow(ctx.filters, unit_selection)  # what the unit clicks narrow to

items_all = session.cached(approval.item_limits, ctx, unit_filters)
item_names = dict(zip(items_all["item_code"], items_all["item_name"], strict=True))
crossfilter.chips(ctx, unit_selection, XF_PAGE)
if item_code:
    widgets.cross_filter_note(
        t("approval.xfilter.active", lang,
          items=t("approval.xfilter.item", lang, name=escape_markdown(item_names.get(item_code, item_code)))),
        key=KEY_RESET, clear_label=t("approval.xfilter.reset", lang), on_clear=_reset_item)

# ---------------------------------------------------------------- headline numbers of the unit_selection
summary_frame = session.cached(approval.elapsed_summary, ctx, unit_filters, item_code=item_code)
summary = summary_frame.iloc[0]
if approval.summary_is_empty(summary_frame):
    widgets.no_data_notice(ctx, t("approval.empty", lang))
    st.stop()
widgets.running_period_note(ctx)

cards = approval.summary_cards(summary_frame, lang)
per_row = approval.SUMMARY_CARDS_PER_ROW[lang]
for start in range(0, len(cards), per_row):
    for column, card in zip(st.columns(per_row), cards[start:start + per_row], strict=False):
        column.metric(card["label"], card["value"], help=card["help"], border=True)

# ---------------------------------------------------------------- distribution
st.subheader(t("approval.dist.header", lang), help=t("approval.dist.help", lang))
distribution = session.cached(approval.elapsed_distribution, ctx, unit_filters, item_code=item_code)
st.plotly_chart(
    charts.approval_histogram(
        approval.histogram_bins(distribution), median=summary["median_elapsed_wd"], p90=summary["p90_elapsed_wd"],
        x_title=t("approval.dist.x", lang), y_title=t("approval.dist.y", lang),
        median_label=t("approval.dist.median", lang), p90_label=t("approval.dist.p90", lang),
        tail_label=t("approval.dist.tail", lang), empty_message=t("approval.empty", lang),
    ),
    theme=None, key="approval_distribution_chart", config=CHART_CONFIG,
)

# ---------------------------------------------------------------- by department / county
st.subheader(t("approval.unit.header", lang), help=t("approval.unit.help", lang))
st.segmented_control(t("approval.unit.by", lang), approval.UNIT_KINDS, key=KEY_UNIT_BY, default="dept",
                     required=True, format_func=lambda k: t(f"approval.unit.by_{k}", lang),
                     label_visibility="collapsed")
# the unit chart shows every unit of its kind (its own click only highlights); the other kind's click
# and the item click narrow it
every_unit = crossfilter.narrow(ctx.filters, unit_selection, skip=unit_by)
units = session.cached(approval.elapsed_by_unit, ctx, every_unit, by=unit_by, item_code=item_code)
chart_column, table_column = st.columns([4, 5])
with chart_column:
    st.plotly_chart(
        charts.approval_unit_bars(
            units, label_col="unit_name", code_col="unit_code", median_col="median_elapsed_wd",
            p90_col="p90_elapsed_wd", median_name=cat["median_elapsed_wd"].label(lang),
            p90_name=cat["p90_elapsed_wd"].label(lang), axis_title=t("approval.unit.axis", lang),
            empty_message=t("approval.unit.empty", lang), selected_code=unit_code,
        ),
        theme=None, config=CHART_CONFIG, **crossfilter.clickable(XF_PAGE, f"unit_{unit_by}_{generation}", unit_by),
    )
with table_column:
    shown, spec = approval.people_table(units, approval.UNIT_TABLE_COLUMNS, lang,
                                        unit_header=t(f"approval.unit.{unit_by}", lang))
    _table(shown, spec, key="approval_unit_table", file_stem=t("approval.unit.header", lang).replace(" / ", "_"),
           shown=every_unit)

# ---------------------------------------------------------------- items against their limits
st.subheader(t("approval.limits.header", lang),
             help=t("approval.limits.help", lang, n=approval.SLOWEST_ITEMS, min=approval.MIN_COMPLETED_FOR_RANKING))
slowest = approval.slowest_items(items_all)
st.plotly_chart(
    charts.approval_limits_chart(
        slowest, label_col="item_name", code_col="item_code", median_col="median_elapsed_wd",
        p90_col="p90_elapsed_wd", promised_col="promised_limit_wd", legal_col="legal_limit_wd",
        names={k: t(f"approval.limits.{k}", lang) for k in ("median", "p90", "promised", "legal")},
        axis_title=t("approval.limits.axis", lang), empty_message=t("approval.limits.empty", lang),
        selected_code=item_code,
    ),
    theme=None, key=item_chart_key, on_select=lambda: _on_item_click(item_chart_key), selection_mode="points",
    config=CHART_CONFIG,
)
st.markdown(f"**{t('approval.items.header', lang)}**")
shown, spec = approval.people_table(slowest, approval.ITEM_TABLE_COLUMNS, lang)
_table(shown, spec, key="approval_items_table", file_stem=t("approval.items.header", lang))

# ---------------------------------------------------------------- trace-back of late cases
st.subheader(t("approval.trace.header", lang), help=t("approval.trace.help", lang))
top_posts = pd.DataFrame()
steps = session.cached(approval.late_step_trace, ctx, unit_filters, by="step", item_code=item_code)
posts = session.cached(approval.late_step_trace, ctx, unit_filters, by="post", item_code=item_code)
late_total = int(summary["late_cases"])
if late_total == 0:
    st.info(t("approval.trace.empty", lang), icon=":material/info:")
elif steps.empty:
    st.info(t("approval.trace.no_steps", lang), icon=":material/info:")
else:
    with_steps = int(steps["late_cases_with_steps"].iloc[0])
    st.caption(t("approval.trace.summary", lang, late=late_total, with_steps=with_steps))
    step_column, post_column = st.columns([2, 3])
    with step_column:
        st.markdown(f"**{t('approval.trace.by_step', lang)}**")
        st.plotly_chart(
            charts.approval_step_bars(
                steps, label_col="label", within_col="within_limit_wd_total", over_col="over_limit_wd_total",
                names={"within": t("approval.trace.within", lang), "over": t("approval.trace.over", lang)},
                axis_title=t("approval.trace.axis", lang), empty_message=t("approval.trace.no_steps", lang),
                hover_cols={"late_cases": t("approval.col.late_cases", lang),
                            "step_limit_wd_total": t("approval.col.step_limit_wd_total", lang),
                            "cases_over_limit": t("approval.col.cases_over_limit", lang)},
            ),
            theme=None, key="approval_steps_chart", config=CHART_CONFIG,
        )
    with post_column:
        title = t("approval.trace.by_post", lang, n=approval.TOP_POSTS)
        st.markdown(f"**{title}**")
        top_posts = approval.top_posts(posts)
        shown, spec = approval.people_table(top_posts, approval.POST_TABLE_COLUMNS, lang)
        _table(shown, spec, key="approval_posts_table", file_stem=title)


# ---------------------------------------------------------------- drill-through: the late cases themselves
if late_total:
    drill_title = t("approval.drill.header", lang) + (f"（{late_total:,}）" if lang == "zh" else f" ({late_total:,})")
    with st.expander(drill_title, icon=":material/list:"):
        post_choices = ["", *top_posts["label"]] if len(top_posts) else [""]
        post = st.selectbox(t("approval.drill.post", lang), post_choices, key="approval_drill_post",
                            format_func=lambda p: p or t("approval.drill.all", lang),
                            help=t("approval.drill.help", lang))
        selection = caselist.CaseSelection("due_missed", item_code=item_code, handler_post=post or None)
        widgets.case_list_panel(ctx, selection, key="approval_late_cases", filters=unit_filters)

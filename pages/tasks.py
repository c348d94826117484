"""督办 Supervised tasks: on-time completion of the tasks due in the period by department and by
source, and the tasks overdue at the state time with their days over.
Data: xiaoneng.tasks; figures: xiaoneng.charts; texts: the tasks section of the catalog.

Cross-filtering: a click on a department follows the rule of every page (xiaoneng.crossfilter): it
narrows the cards, the by-source chart and the overdue list, shows as a chip and goes into the URL;
the by-department chart keeps every department, the clicked one highlighted. A click on a source
is the page's own focus (KEY_SOURCE): it narrows the by-department chart and the overdue list, with
its own note; "Clear" empties it and moves the charts to fresh keys (KEY_GENERATION), which drops
Plotly's selection.
"""

import pandas as pd
import streamlit as st

from xiaoneng import charts, crossfilter, export, periodnotes, satisfaction, session, tasks, widgets
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog

ctx = session.require_snapshot()
lang = ctx.lang
stamp = export.file_stamp(ctx.snapshot.as_of)  # download file names carry the snapshot time
rate = catalog()[tasks.RATE_KEY]
state_text = periodnotes.state_time_text(ctx.view, ctx.filters.period)
PLOTLY_CONFIG = {"displaylogo": False}
OUTCOME_COLOURS = {"tasks_open_overdue": charts.STATUS_COLORS["red"], "tasks_late": charts.STATUS_COLORS["amber"],
                   "tasks_on_time": charts.STATUS_COLORS["green"]}
OUTCOME_TEXT = {"tasks_open_overdue": "open_overdue", "tasks_late": "late", "tasks_on_time": "on_time"}
KEY_SOURCE = "tasks_xf_source"
KEY_GENERATION = "tasks_xf_generation"
KEY_RESET = "tasks_xf_reset"
XF_PAGE = "tasks"
selection = crossfilter.current(ctx)


def text(key: str, **values) -> str:
    return t(f"tasks.{key}", lang, **values)


def chart_key(by: str) -> str:
    return crossfilter.chart_key(XF_PAGE, f"by_{by}_{st.session_state.get(KEY_GENERATION, 0)}")


def on_click(key: str, by: str) -> None:
    """Copy a click into the URL (a department) or the page's focus (a source)."""
    code = charts.clicked_code(st.session_state.get(key))
    if by == "dept":
        crossfilter.select("dept", code)
    elif code:
        st.session_state[KEY_SOURCE] = tasks.valid_source(code)


def reset_cross_filter() -> None:
    """Clear the source (the chip clears the department)."""
    st.session_state[KEY_SOURCE] = None
    st.session_state[KEY_GENERATION] = st.session_state.get(KEY_GENERATION, 0) + 1


def completion_chart(frame: pd.DataFrame, by: str) -> None:
    """Outcomes of the tasks due, stacked per unit, the rate after each bar (worst rate on top); a
    click on a segment sets the cross-filter."""
    judged = frame[frame["tasks_due"] > 0]
    notes = [text("note", rate=rate.format(None if pd.isna(v) else float(v), lang)) for v in judged[tasks.RATE_KEY]]
    key = chart_key(by)
    st.plotly_chart(charts.outcome_stacked_bar(
        judged.assign(note=notes), label_col="name",
        segments=[(o, text(OUTCOME_TEXT[o]), OUTCOME_COLOURS[o]) for o in tasks.OUTCOMES],
        axis_title=text("axis"), empty_message=text("empty"), note_col="note",
        hover_cols={"tasks_due": text("due")}, code_col="code",
        highlight_code=selection.dept if by == "dept" else source,
    ), theme=None, key=key, config=PLOTLY_CONFIG, on_select=lambda: on_click(key, by), selection_mode="points")


st.title(text("title"))
narrowed = crossfilter.narrow(ctx.filters, selection)
ctx = ctx.viewing(narrowed)  # the context line, downloads and file names name the chip
session.show_context_line(ctx)
crossfilter.chips(ctx, selection, XF_PAGE)

# KPI cards: the catalog's rate (with 环比 and target), then the counts it is made of
st.subheader(text("kpi_header"))
card = session.cached(satisfaction.indicator_cards, ctx, keys=(tasks.RATE_KEY,)).iloc[0]
totals = session.cached(tasks.task_completion, ctx, by="total")
total = totals.iloc[0]
if tasks.nothing_to_show(totals, session.cached(tasks.overdue_tasks, ctx)):
    widgets.no_data_notice(ctx, text("no_data"))
    st.stop()
columns = st.columns(6)
with columns[0].container(border=True, height="stretch"):
    st.metric(card.label, card.value_text, card.delta_text, delta_color=card.delta_color,
              delta_arrow=card.delta_arrow, delta_description=card.delta_description, help=card.help)
    st.markdown(card.target_text)
for column, (measure, key) in zip(columns[1:], (("tasks_due", "due"), ("tasks_on_time", "on_time"),
                                                ("tasks_late", "late"), ("tasks_open_overdue", "open_overdue"),
                                                ("tasks_not_yet_due", "not_yet_due")), strict=True):
    with column.container(border=True, height="stretch"):
        st.metric(text(key), f"{int(total[measure]):,} {text('count_unit')}", help=text(f"{key}_help"))
widgets.running_period_note(ctx, comparisons=True)

# The page's own focus: a clicked source narrows the by-department chart and the overdue list
source = tasks.valid_source(st.session_state.get(KEY_SOURCE))
if source:
    widgets.cross_filter_note(t("crossfilter_more.active", lang, items=tasks.source_name(source, lang)),
                              key=KEY_RESET, clear_label=t("crossfilter_more.reset", lang), on_clear=reset_cross_filter)

# On-time completion by department and by source (each chart keeps all its own units)
if int(total["tasks_due"]) == 0:
    st.info(text("empty"), icon=":material/info:")
else:
    if not (source or selection.active):
        st.caption(t("crossfilter_more.tasks.hint", lang))
    every_dept = crossfilter.narrow(ctx.filters, selection, skip="dept")  # the clicked chart keeps them all
    by_dept = session.cached(tasks.task_completion, ctx, filters=every_dept, by="dept", source=source)
    by_source = session.cached(tasks.task_completion, ctx, by="source")
    dept_column, source_column = st.columns([3, 2])
    with dept_column:
        st.subheader(text("by_dept_header"), help=rate.definition(lang))
        st.caption(text("breakdown_caption"))
        completion_chart(by_dept, "dept")
    with source_column:
        st.subheader(text("by_source_header"), help=rate.definition(lang))
        st.caption(text("breakdown_caption"))
        completion_chart(by_source, "source")
    rate_column = {tasks.rate_header(lang): st.column_config.NumberColumn(format="%.1f", help=rate.definition(lang))}
    widgets.data_table(ctx.viewing(every_dept), tasks.completion_table(by_dept, lang),
                       t("satisfaction.table_expander", lang), text("by_dept_header") + "_" + stamp, "tasks_by_dept",
                       column_config=rate_column)

# The overdue tasks, longest overdue first
st.subheader(text("overdue_header"), help=text("open_overdue_help"))
overdue = session.cached(tasks.overdue_tasks, ctx, source=source)
if overdue.empty:
    st.info(text("overdue_empty", state_at=state_text), icon=":material/check_circle:")
else:
    st.caption(f"{text('overdue_caption', state_at=state_text)} {text('overdue_count', count=len(overdue))}")
    table = tasks.overdue_table(overdue, lang)
    when = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
    st.dataframe(table, hide_index=True, column_config={
        text("column_assigned"): when, text("column_due"): when, text("column_completed"): when,
        text("column_days_over"): st.column_config.NumberColumn(format="%d"),
        text("column_wd_over"): st.column_config.NumberColumn(format="%d"),
    })
    widgets.download_buttons(ctx, table, text("overdue_header") + "_" + stamp, "tasks_overdue")

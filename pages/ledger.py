"""整改台账 Rectification ledger: every unit and problem an issued 通报 asked to rectify, judged at the
snapshot shown (rules in config/ledger.yaml), filtered by issuing period, state and county, with the cases
behind a chosen entry's indicator. A county user sees their counties' entries only.
Data: xiaoneng.ledger; glue: xiaoneng.widgets.

Widget keys: ledger_period, ledger_state, ledger_county (filters), ledger_table_csv/_xlsx, ledger_entry
(the entry drilled into), ledger_cases (its paged case list).
"""

import streamlit as st

from xiaoneng import caselist, export, ledger, session, widgets
from xiaoneng.briefing import meeting_config
from xiaoneng.filters import Period
from xiaoneng.i18n import t

ctx = session.require_snapshot()
lang, view = ctx.lang, ctx.view


def text(key: str, **values) -> str:
    return t(f"ledger.{key}", lang, **values)


st.title(text("title"))
session.show_context_line(ctx)
st.caption(text("caption"))
st.caption(text("rules", days=meeting_config().rectify_days))

try:
    issued = ledger.current(ledger.read())
except ledger.LedgerError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
entries = ledger.visible(issued, ctx.scope)
if not entries:
    st.info(text("none") if not issued else text("none_in_scope"), icon=":material/info:")
    st.stop()

judged = ledger.evaluate(view, entries)
if judged.empty:  # issued from later snapshots than the one shown
    st.info(text("none"), icon=":material/info:")
    st.stop()

periods = sorted(set(judged["period"]), reverse=True)
counties = sorted(c for c in set(judged["county_code"].dropna()) if ctx.scope.allows(c))
names = dict(zip(judged["unit_code"], judged["unit_name"], strict=False))
left, middle, right = st.columns(3)
chosen_periods = left.multiselect(text("filter_period"), periods, key="ledger_period",
                                  format_func=lambda p: Period.parse(p).label(lang),
                                  placeholder=t("filters.placeholder_all", lang), select_all=False)
chosen_states = middle.multiselect(text("filter_state"), list(ledger.STATES), key="ledger_state",
                                   format_func=lambda s: ledger.state_text(s, lang),
                                   placeholder=t("filters.placeholder_all", lang), select_all=False)
chosen_county = right.selectbox(text("filter_county"), ["", *counties], key="ledger_county",
                                format_func=lambda c: names.get(c, c) if c else text("all_counties"))
shown = judged
if chosen_periods:
    shown = shown[shown["period"].isin(chosen_periods)]
if chosen_states:
    shown = shown[shown["state"].isin(chosen_states)]
if chosen_county:
    shown = shown[shown["county_code"] == chosen_county]
shown = shown.reset_index(drop=True)

columns = st.columns(len(ledger.STATES))
counts = shown["state"].value_counts()
for column, state in zip(columns, ledger.STATES, strict=True):
    column.metric(ledger.state_text(state, lang), f"{int(counts.get(state, 0)):,}")

st.subheader(text("table_header"))
if shown.empty:
    st.info(text("none_selected"), icon=":material/info:")
    st.stop()
table = ledger.for_people(shown, lang)
st.dataframe(table, hide_index=True, width="stretch")
widgets.download_buttons(ctx, table, f"{text('file')}_{export.file_stamp(ctx.snapshot.as_of)}", "ledger_table")

# ---------------------------------------------------------------- drill-through: the cases behind an entry
st.subheader(text("drill_header"))
labels = {i: f"{Period.parse(r.period).label(lang)} · {r.unit_name} · {ledger.label(r.indicator, lang)}"
          for i, r in shown.iterrows()}
picked = st.selectbox(text("drill_pick"), list(labels), key="ledger_entry", format_func=labels.get)
row = shown.loc[picked]
selection = caselist.indicator_selection(row["indicator"], county=row["unit_code"] if row["kind"] == "county"
                                         else row["county_code"], dept=row["unit_code"] if row["kind"] == "dept"
                                         else None)
if selection is None:
    st.info(text("drill_none"), icon=":material/info:")
    st.stop()
entry = next(e for e in entries if e.issue_id == row["issue_id"] and e.seq == row["seq"])
awaiting = row["state"] == "awaiting"
period = Period.parse(row["period"]) if awaiting else ledger.following(Period.parse(row["period"]))
st.markdown(text("drill_period", unit=row["unit_name"], period=period.label(lang),
                 indicator=ledger.label(row["indicator"], lang),
                 which=text("drill_issuing") if awaiting else text("drill_evaluation")))
widgets.case_list_panel(ctx, selection, "ledger_cases", filters=entry.selection.with_period(period))

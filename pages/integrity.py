"""数据真实性核查 Data honesty checks: per check of config/integrity.yaml its rule, the units ranked by how
often they trip it, and the cases behind a unit — signals to look at, not verdicts (the page says so).
Data: xiaoneng.integrity; glue: xiaoneng.widgets.

Widget keys: integrity_check (the check shown), integrity_unit (the unit whose cases are listed),
integrity_units_csv/_xlsx, integrity_cases (paged list and its downloads).
"""

import streamlit as st

from xiaoneng import export, integrity, session, widgets
from xiaoneng.i18n import t

ctx = session.require_snapshot()
lang, view, filters = ctx.lang, ctx.view, ctx.filters
stamp = export.file_stamp(ctx.snapshot.as_of)


def text(key: str, **values) -> str:
    return t(f"integrity.{key}", lang, **values)


st.title(text("title"))
session.show_context_line(ctx)
st.warning(text("disclaimer"), icon=":material/policy:")
if not integrity.has_cases(view, filters):
    widgets.no_data_notice(ctx, text("no_cases"))
    st.stop()

# ---------------------------------------------------------------- one card per check
st.subheader(text("summary_header"))
summary = session.cached(integrity.summary, ctx)
specs = integrity.checks()
for row_start in range(0, len(summary), 3):
    columns = st.columns(3)
    for column, row in zip(columns, summary.iloc[row_start:row_start + 3].itertuples(), strict=False):
        with column.container(border=True, height="stretch"):
            if row.available:
                st.metric(row.label, f"{row.tripped:,}", help=specs[row.check].text("rule", lang))
                st.caption(f"{text('metric_units')} {row.units:,} · {text('metric_flagged')} {row.flagged_units:,}")
            else:
                st.metric(row.label, "—", help=specs[row.check].text("no_data", lang))
                st.caption(text("metric_unavailable"))
widgets.running_period_note(ctx)

# ---------------------------------------------------------------- the chosen check: rule, units, cases
labels = dict(zip(summary["check"], summary["label"], strict=True))
check_key = st.segmented_control(text("check_pick"), list(integrity.CHECKS), key="integrity_check",
                                 default=integrity.CHECKS[0], required=True,
                                 format_func=lambda k: labels[k]) or integrity.CHECKS[0]
check = specs[check_key]
st.subheader(labels[check_key])
st.markdown(f"{text('rule', rule=check.text('rule', lang))}  \n{text('base', base=check.text('base', lang))}  \n"
            f"{text('threshold', flag=check.flag_text(lang))}")
if check.text("note", lang):
    st.caption(check.text("note", lang))
if not summary.set_index("check").loc[check_key, "available"]:
    st.info(check.text("no_data", lang), icon=":material/info:")
    st.stop()

units = session.cached(integrity.check_units, ctx, check=check_key)
if units.empty:
    st.info(text("none"), icon=":material/check_circle:")
    st.stop()
st.markdown(f"**{text('units_header')}**")
st.caption(text("units_caption", units=len(units), flagged=int(units["flagged"].sum()),
                tripped=int(units["tripped"].sum())))
shown_columns = [c for c in integrity.UNIT_COLUMNS
                 if c not in ("county_code", "dept_code") and (check_key not in integrity.CASE_CHECKS
                                                               or c not in ("expected", "ratio", "z"))]
unit_table = integrity.for_people(units[shown_columns], lang)
st.dataframe(unit_table, hide_index=True, width="stretch")
widgets.download_buttons(ctx, unit_table, f"{text('file_units')}_{check_key}_{filters.period.key}_{stamp}",
                         "integrity_units")

unit_keys = [f"{r.county_code}/{r.dept_code}" for r in units.itertuples()]
unit_labels = {f"{r.county_code}/{r.dept_code}": f"{r.county_name} · {r.dept_name}"
               + (text("flag_mark") if r.flagged else "") for r in units.itertuples()}
if st.session_state.get("integrity_unit") not in unit_keys:
    st.session_state["integrity_unit"] = unit_keys[0]
chosen = st.selectbox(text("cases_pick"), unit_keys, key="integrity_unit", format_func=unit_labels.get)
county_code, dept_code = chosen.split("/")
st.markdown(f"**{text('cases_header', unit=unit_labels[chosen])}**")


def unit_cases():
    return integrity.for_people(integrity.check_cases(view, filters, lang, check=check_key, county_code=county_code,
                                                      dept_code=dept_code), lang)


def cases_page(page: int, size: int):
    cases = unit_cases()
    return cases.iloc[(page - 1) * size:page * size], len(cases)


widgets.paged_list(
    ctx, "integrity_cases", (check_key, chosen, filters, ctx.snapshot.snapshot_id), cases_page, unit_cases,
    texts="integrity", file_stem=f"{text('file_cases')}_{check_key}_{county_code}_{dept_code}_{filters.period.key}",
)

"""按时办结与监察 On-time & live supervision: the two on-time rates (按期办结率 over the cases due,
办结件按时率 over the completions with a deadline) month by month, open cases with red and yellow
lights at the state time, the aging of the backlog, the cases without a deadline (无时限件), and the
cases behind every count. A period the snapshot has no data for, or a selection without cases,
says 无数据 and shows no number.

A click on a county or department in a chart follows the rule of every page (xiaoneng.crossfilter):
it narrows the cards, the other charts and the case list, shows as a chip and goes into the URL. The
rest of a click (the case subset, the month, the age band) sets the selectboxes of the 联动筛选 bar,
which a user can also set by hand, and the charts below and the case list follow.
Data: xiaoneng.supervision, xiaoneng.caselist; figures: xiaoneng.charts; glue: xiaoneng.widgets.

Widget keys: sup_focus_subset, sup_focus_month, sup_focus_age (the rest of the cross-filter),
sup_focus_reset, sup_trend_by, sup_trend_rate, sup_cases_page (case list page).
"""

import streamlit as st

from xiaoneng import charts, crossfilter, periodnotes, session, supervision, widgets
from xiaoneng.caselist import SUBSETS
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.markup import escape_names

FOCUS_KEYS = {"subset": "sup_focus_subset", "month": "sup_focus_month", "age_bucket": "sup_focus_age"}
UNIT_FIELDS = {"county_code": "county", "dept_code": "dept"}  # the focus's units: the URL's (crossfilter)
XF_PAGE = "supervision"
GENERATION = "_sup_chart_generation"  # a new number clears the charts' selections (reset)

ctx = session.require_snapshot()
lang, filters, options = ctx.lang, ctx.filters, ctx.options
cat = catalog()

st.title(t("supervision.title", lang))
selection = crossfilter.current(ctx)
ctx = ctx.viewing(crossfilter.narrow(filters, selection))  # downloads name the chips too
session.show_context_line(ctx)
crossfilter.chips(ctx, selection, XF_PAGE)


def current_focus() -> supervision.Focus:
    units = crossfilter.current(ctx)
    return supervision.focus_from_values({name: st.session_state.get(key) for name, key in FOCUS_KEYS.items()}
                                         | {name: units.code(dim) for name, dim in UNIT_FIELDS.items()})


def set_focus(focus: supervision.Focus) -> None:
    for name, value in supervision.focus_values(focus).items():
        if name in UNIT_FIELDS:
            crossfilter.select(UNIT_FIELDS[name], value or None)
        else:
            st.session_state[FOCUS_KEYS[name]] = value


def reset_focus() -> None:
    """Everything back: the bar's selectboxes and the chips."""
    set_focus(supervision.Focus())
    crossfilter.remove(XF_PAGE)
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def on_chart_click(chart_key: str, to_focus) -> None:
    points = (st.session_state.get(chart_key) or {}).get("selection", {}).get("points", [])
    if points:
        set_focus(to_focus(points[0], current_focus()))


# ---------------------------------------------------------------- KPIs (the page's filters and the chips)
state_at = periodnotes.state_time_text(ctx.view, filters.period)
cards = session.cached(supervision.kpi_cards, ctx, filters=crossfilter.narrow(filters, selection))
if supervision.cards_empty(cards):
    widgets.no_data_notice(ctx, t("supervision.empty", lang))
    st.stop()
columns = st.columns(len(cards))
for column, card in zip(columns, cards.itertuples(), strict=True):
    column.metric(card.label, card.value_text, card.delta_text, delta_color=card.delta_color,
                  delta_arrow=card.delta_arrow, delta_description=t("kpi.previous", lang), help=card.help,
                  border=True)
st.caption(t("supervision.state_at", lang, state_at=state_at))
widgets.running_period_note(ctx, comparisons=True)

# ---------------------------------------------------------------- the cross-filter bar
months = supervision.trend_month_keys(filters.period, ctx.view.as_of)
choices = {"subset": list(SUBSETS), "month": ["", *months],
           "age_bucket": ["", *(str(b) for b in range(len(supervision.AGE_BOUNDS_WD) + 1))]}
set_focus(current_focus())  # defaults on the first run; values no longer offered fall back to "all"
for name, key in FOCUS_KEYS.items():
    if st.session_state[key] not in choices[name]:
        st.session_state[key] = choices[name][0]
everything = t("supervision.focus_all", lang)
labels = {
    "subset": lambda s: t(f"supervision.subset.{s}", lang),
    "month": lambda m: m if m else t("supervision.focus_period", lang),
    "age_bucket": lambda b: supervision.age_bucket_label(int(b), lang) if b else everything,
}
titles = {"subset": "focus_subset", "month": "focus_month", "age_bucket": "focus_age"}
with st.container(border=True):
    st.markdown(f"**{t('supervision.focus_header', lang)}**")
    st.caption(t("supervision.focus_caption", lang))
    bar = st.columns([3.2, 1.4, 1.8, 1.6], vertical_alignment="bottom")
    for column, (name, key) in zip(bar, FOCUS_KEYS.items(), strict=False):
        column.selectbox(t(f"supervision.{titles[name]}", lang), choices[name], key=key, format_func=labels[name])
    bar[-1].button(t("supervision.focus_reset", lang), key="sup_focus_reset", on_click=reset_focus,
                   icon=":material/filter_alt_off:", width="stretch")
focus = current_focus()
generation = st.session_state.get(GENERATION, 0)

# ---------------------------------------------------------------- the on-time rates by month
st.subheader(t("supervision.trend_header", lang))
rate_column, by_column = st.columns([3, 2])
rate_key = rate_column.segmented_control(
    t("supervision.trend_rate", lang), supervision.RATES, key="sup_trend_rate", default=supervision.ON_TIME,
    required=True, format_func=lambda k: cat[k].label(lang)) or supervision.ON_TIME
by = by_column.segmented_control(
    t("supervision.trend_by", lang), supervision.TREND_BY, key="sup_trend_by", default="county", required=True,
    format_func=lambda b: t(f"supervision.trend_by_{b}", lang)) or "county"
# narrowed by the chips, except in the lines' own dimension (those lines stay, the clicked one stands out)
every_line = crossfilter.narrow(filters, selection, skip=by)
trend = session.cached(supervision.on_time_trend, ctx, filters=every_line, by=by)
ind = cat[rate_key]
numerator_col, base_col = supervision.RATE_MEASURES[rate_key]
st.caption(supervision.trend_caption(by, trend["unit_code"].nunique(), lang, rate_key), help=ind.definition(lang))
if not supervision.trend_has_rates(trend, rate_key):
    st.info(t(f"supervision.trend_empty_{rate_key}", lang), icon=":material/info:")
else:
    trend_key = crossfilter.chart_key(XF_PAGE, f"trend_{rate_key}_{by}_{generation}")
    st.plotly_chart(
        charts.supervision_trend_lines(
            trend, x_col="month", y_col=rate_key, group_col="unit_name", code_col="unit_code",
            numerator_col=numerator_col, base_col=base_col, target=ind.target,
            target_label=f"{t('supervision.trend_target', lang)} {ind.format(ind.target, lang)}",
            x_title=t("supervision.trend_axis_month", lang), y_title=ind.label(lang),
            numerator_label=t(f"supervision.trend_hover_on_time_{rate_key}", lang),
            base_label=t(f"supervision.trend_hover_base_{rate_key}", lang),
            highlight_code={"county": focus.county_code, "dept": focus.dept_code}.get(by),
            empty_message=t(f"supervision.trend_empty_{rate_key}", lang), lang=lang,
        ),
        theme=None, key=trend_key, on_select=lambda: on_chart_click(
            trend_key, lambda p, f: supervision.focus_from_trend_point(p, by, f, rate_key)),
        selection_mode="points", config={"displaylogo": False},
    )
    widgets.data_table(ctx.viewing(every_line), supervision.trend_table(trend, lang), t("supervision.data_table", lang),
                       f"{t('supervision.file_trend', lang)}_{filters.period.key}", "sup_trend_dl")

# ---------------------------------------------------------------- red/yellow lights and backlog aging
lights_column, aging_column = st.columns(2, gap="large")
with lights_column:
    st.subheader(t("supervision.lights_header", lang))
    st.caption(t("supervision.lights_caption", lang, state_at=state_at), help=cat["open_yellow"].definition(lang))
    every_dept = supervision.narrowed_filters(filters, focus, county=True, dept=False)
    lights = session.cached(supervision.light_counts, ctx, filters=every_dept)
    lit = supervision.lit_departments(lights)
    if lit.empty:
        st.info(t("supervision.lights_empty", lang), icon=":material/check_circle:")
    else:
        lights_key = crossfilter.chart_key(XF_PAGE, f"lights_{generation}")
        st.plotly_chart(
            charts.supervision_light_bars(
                lit, label_col="dept_name", code_col="dept_code", red_col="open_overdue", yellow_col="open_yellow",
                red_name=t("supervision.lights_red", lang), yellow_name=t("supervision.lights_yellow", lang),
                axis_title=t("supervision.lights_axis", lang), highlight_code=focus.dept_code,
                empty_message=t("supervision.lights_empty", lang),
            ),
            theme=None, key=lights_key,
            on_select=lambda: on_chart_click(lights_key, supervision.focus_from_lights_point),
            selection_mode="points", config={"displaylogo": False},
        )
    widgets.data_table(ctx.viewing(every_dept), supervision.lights_table(lights, lang),
                       t("supervision.data_table", lang), f"{t('supervision.file_lights', lang)}_{filters.period.key}",
                       "sup_lights_dl")

with aging_column:
    st.subheader(t("supervision.aging_header", lang))
    st.caption(t("supervision.aging_caption", lang, state_at=state_at))
    aging_filters = supervision.narrowed_filters(filters, focus)
    aging = session.cached(supervision.backlog_aging, ctx, filters=aging_filters)
    if aging["open_cases"].sum() == 0:
        st.info(t("supervision.aging_empty", lang), icon=":material/check_circle:")
    else:
        aging_key = crossfilter.chart_key(XF_PAGE, f"aging_{generation}")
        st.plotly_chart(
            charts.supervision_aging_bars(
                aging, label_col="label", bucket_col="age_bucket",
                series=[("open_green", t("supervision.lights_green", lang), "green"),
                        ("open_yellow", t("supervision.lights_yellow", lang), "yellow"),
                        ("open_overdue", t("supervision.lights_red", lang), "red")],
                x_title=t("supervision.aging_axis_x", lang), y_title=t("supervision.aging_axis_y", lang),
                highlight_bucket=focus.age_bucket, empty_message=t("supervision.aging_empty", lang),
            ),
            theme=None, key=aging_key, on_select=lambda: on_chart_click(aging_key, supervision.focus_from_aging_point),
            selection_mode="points", config={"displaylogo": False},
        )
    widgets.data_table(ctx.viewing(aging_filters), supervision.aging_table(aging, lang),
                       t("supervision.data_table", lang), f"{t('supervision.file_aging', lang)}_{filters.period.key}",
                       "sup_aging_dl")

# ---------------------------------------------------------------- the cases behind the numbers
st.subheader(t("supervision.list_header", lang))
focus_line = supervision.focus_description(focus, lang, escape_names(options.counties),  # names are data
                                          escape_names(options.departments), filters.period)
st.markdown(f"**{focus_line}**")
widgets.case_list_panel(ctx, supervision.drill_selection(focus), key="sup_cases",
                        filters=supervision.drill_filters(filters, focus), on_request=False)

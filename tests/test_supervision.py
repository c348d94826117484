"""The 按时办结与监察 page: its data (xiaoneng.supervision), figures, and the page in AppTest.

Expected numbers are counted by hand from tests/handcount.py (snapshot Fri 2026-10-30 17:00);
the rest is compared with queries/indicator_measures.sql (metrics) for the same filters.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import assert_no_data_for, metric_values, metrics_before_and_after_county
from xiaoneng import charts, supervision
from xiaoneng.caselist import CaseSelection, selection_total
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, headline, indicator_table, measures
from xiaoneng.snapshots import SnapshotStore
from xiaoneng.supervision import Focus

OCTOBER = Filters(Period.parse("2026-10"))
PAGE = Path(__file__).resolve().parent.parent / "pages" / "supervision.py"
TIMEOUT = 30


# ---------------------------------------------------------------- on-time rate by month

def test_trend_window_is_the_year_up_to_the_period():
    as_of = dt.datetime(2026, 10, 30, 17)
    assert supervision.trend_window(Period.parse("2026-10"), as_of) == (dt.datetime(2025, 11, 1),
                                                                        dt.datetime(2026, 11, 1))
    # a year still running ends with the snapshot's month
    assert supervision.trend_window(Period.parse("2026"), as_of) == (dt.datetime(2025, 11, 1),
                                                                     dt.datetime(2026, 11, 1))
    # a long custom period is shown whole
    assert supervision.trend_window(Period.parse("2024-03-05..2026-02-10"), as_of) == (
        dt.datetime(2024, 3, 1), dt.datetime(2026, 3, 1))
    assert supervision.trend_month_keys(Period.parse("2026-10"), as_of)[:2] == ["2026-10", "2026-09"]
    assert len(supervision.trend_month_keys(Period.parse("2026-10"), as_of)) == 12


def test_trend_total_is_the_hand_count(handcount_view):
    trend = supervision.on_time_trend(handcount_view, OCTOBER, "zh", by="total").set_index("month")
    assert len(trend) == 12 and list(trend.index[[0, -1]]) == ["2025-11", "2026-10"]

    def counts(month: str) -> list[int]:
        return [int(trend.loc[month, c]) for c in ("due_cases", "due_on_time", "completed_with_deadline",
                                                    "completed_on_time")]

    # February: due K02 (02-28, open at the month's end), K03 and K04 (immediate: their acceptance day)
    # → by the deadline only K03: 1/3; completed K01 (on time), K03 (same day), K04 (late) → 2/3
    assert counts("2026-02") == [3, 1, 3, 2]
    assert (trend.loc["2026-02", "on_time_rate_text"], trend.loc["2026-02", "completion_on_time_rate_text"]) == \
        ("33.3%", "66.7%")
    # March: due K01 (03-04; completed 02-28) → 1/1; completed K02 (03-02, after its 02-28 deadline) → 0/1
    assert counts("2026-03") == [1, 1, 1, 0]
    assert (trend.loc["2026-03", "on_time_rate_text"], trend.loc["2026-03", "completion_on_time_rate_text"]) == \
        ("100.0%", "0.0%")
    # June: K14 and K15 due 06-30 (the same deadline, written two ways), open at the month's end → 0/2;
    # July: both completed late (07-02, 07-03) → 办结件按时率 0/2, nothing due
    assert counts("2026-06") == [2, 0, 0, 0] and counts("2026-07") == [0, 0, 2, 0]
    # October: due K05, K06, K10, K11, K13, by the deadline K05, K10, K11 → 3/5; completed with a
    # deadline K05, K10, K11, K13, on time 3 → 3/4
    assert counts("2026-10") == [5, 3, 4, 3]
    assert (trend.loc["2026-10", "on_time_rate_text"], trend.loc["2026-10", "completion_on_time_rate_text"]) == \
        ("60.0%", "75.0%")
    # a month with nothing due and nothing completed has no rate (a gap, 无数据), not 0 %
    assert counts("2026-05") == [0, 0, 0, 0] and pd.isna(trend.loc["2026-05", "on_time_rate"])
    assert trend.loc["2026-05", "on_time_rate_text"] == t("kpi.no_value")
    assert set(trend["unit_name"]) == {t("supervision.trend_all")}


def test_trend_by_county_is_the_hand_count(handcount_view):
    trend = supervision.on_time_trend(handcount_view, OCTOBER, "zh", by="county")
    october = trend[trend["month"] == "2026-10"].set_index("unit_code")
    # due: C01 K05, K11 by the deadline, K13 not → 2/3; C02 K10 by the deadline, K06 open → 1/2
    assert october.loc["C01", "on_time_rate_text"] == "66.7%" and october.loc["C02", "on_time_rate_text"] == "50.0%"
    # completed: C01 K05, K11 on time, K13 late → 2/3; C02 K10 on time → 1/1
    assert (october.loc["C01", "completion_on_time_rate_text"], october.loc["C02", "completion_on_time_rate_text"]) \
        == ("66.7%", "100.0%")
    assert list(october["unit_name"]) == ["甲区", "乙县"]
    assert len(trend) == 24  # 12 months × 2 counties, empty months included


@pytest.mark.parametrize("by", ["total", "county", "dept"])
def test_trend_equals_indicator_measures_month_by_month(handcount_view, by):
    trend = supervision.on_time_trend(handcount_view, OCTOBER, "zh", by=by)
    columns = ["due_cases", "due_on_time", "completed_with_deadline", "completed_on_time"]
    for month in ("2026-02", "2026-03", "2026-06", "2026-07", "2026-09", "2026-10"):
        table = indicator_table(handcount_view, OCTOBER.with_period(Period.parse(month)), by=by)
        key = {"total": None, "county": "county_code", "dept": "dept_code"}[by]
        for _, expected in table.iterrows():
            unit = "" if key is None else expected[key]
            row = trend[(trend["month"] == month) & (trend["unit_code"] == unit)].iloc[0]
            assert [row[c] for c in columns] == [expected[c] for c in columns], (month, unit)
            for rate in supervision.RATES:
                assert (pd.isna(row[rate]) and pd.isna(expected[rate])) or row[rate] == pytest.approx(expected[rate])


def test_trend_keeps_the_lowest_units():
    frame = pd.DataFrame({
        "month_start": pd.to_datetime(["2026-10-01"] * 4),
        "unit_code": ["A", "B", "C", "D"],
        "due_on_time": [9, 5, 7, 0],
        "due_cases": [10, 10, 10, 0],
    })
    assert supervision._lowest_rate_units(frame, Period.parse("2026-10"), 2) == ["B", "C"]


def test_trend_empty_selection(handcount_view):
    # C01 had no kiosk case (K04, C02's, is the only one)
    trend = supervision.on_time_trend(handcount_view, Filters(Period.parse("2026-10"), counties=("C01",),
                                                              channels=("kiosk",)), "zh", by="county")
    assert trend.empty and not supervision.trend_has_rates(trend)
    fig = charts.supervision_trend_lines(
        trend, x_col="month", y_col="on_time_rate", group_col="unit_name", code_col="unit_code",
        numerator_col="due_on_time", base_col="due_cases", target=95.0, target_label="目标",
        x_title="月份", y_title="按时办结率", numerator_label="按时", base_label="基数", empty_message="没有数据")
    assert fig.layout.annotations[0].text == "没有数据"


# ---------------------------------------------------------------- lights and aging

def test_light_counts_are_the_hand_count(handcount_view):
    lights = supervision.light_counts(handcount_view, OCTOBER, "zh").set_index("dept_code")
    # D01: K06 red (6 wd over), K07 yellow, K09 green; D02: K08 yellow
    assert lights.loc["D01", ["open_at_end", "open_overdue", "open_yellow", "open_green"]].tolist() == [3, 1, 1, 1]
    assert lights.loc["D01", "max_wd_over"] == 6
    assert lights.loc["D02", ["open_at_end", "open_overdue", "open_yellow", "open_green"]].tolist() == [1, 0, 1, 0]
    assert list(lights.index) == ["D01", "D02"]  # most red first
    totals = supervision.light_totals(lights.reset_index())
    assert totals == {"open_at_end": 4, "open_overdue": 1, "open_yellow": 2, "open_green": 1}
    row = measures(handcount_view, OCTOBER).iloc[0]
    assert (totals["open_at_end"], totals["open_overdue"], totals["open_yellow"]) == \
        (row["open_at_end"], row["open_overdue"], row["open_yellow"])


def test_lights_reconcile_with_the_case_lists(handcount_view):
    for filters in (OCTOBER, Filters(Period.parse("2026-02")), Filters(Period.parse("2026-10"), counties=("C02",))):
        for row in supervision.light_counts(handcount_view, filters, "zh").itertuples():
            for subset, count in (("open", row.open_at_end), ("open_overdue", row.open_overdue),
                                  ("open_yellow", row.open_yellow)):
                assert selection_total(handcount_view, filters, CaseSelection(subset, dept_code=row.dept_code)) == count


def test_backlog_aging_is_the_hand_count(handcount_view):
    aging = supervision.backlog_aging(handcount_view, OCTOBER, "zh")
    # working days open at 10-30: K07 5, K08 2, K09 4 (0–5); K06 16 (11–20, red)
    assert list(aging["label"]) == ["0–5 个工作日", "6–10 个工作日", "11–20 个工作日", "超过 20 个工作日"]
    assert list(aging["open_cases"]) == [3, 0, 1, 0]
    assert list(aging["open_overdue"]) == [0, 0, 1, 0]
    assert list(aging["open_yellow"]) == [2, 0, 0, 0]
    for row in aging.itertuples():
        low, high = supervision.age_bucket_bounds(row.age_bucket)
        selection = CaseSelection("open", age_min_wd=low, age_max_wd=high)
        assert selection_total(handcount_view, OCTOBER, selection) == row.open_cases


def test_age_buckets():
    assert [supervision.age_bucket_bounds(b) for b in range(4)] == [(0, 5), (6, 10), (11, 20), (21, None)]
    assert supervision.age_bucket_label(3, "en") == "over 20 working days"


def test_kpi_cards(handcount_view):
    cards = supervision.kpi_cards(handcount_view, OCTOBER, "zh").set_index("key")
    assert list(cards.index) == [*supervision.KPI_KEYS, *supervision.COUNT_CARDS]
    # due 5 (K05, K06, K10, K11, K13), by the deadline 3 → 60 %; completed with a deadline 4, on time 3 → 75 %
    assert cards.loc["on_time_rate", "value_text"] == "60.0%"
    assert cards.loc["completion_on_time_rate", "value_text"] == "75.0%"
    assert cards.loc["on_time_rate", "help"] == catalog()["on_time_rate"].definition("zh")
    assert cards.loc["completion_on_time_rate", "help"] == catalog()["completion_on_time_rate"].definition("zh")
    assert cards.loc["open_overdue", "value_text"] == "1 件"
    assert cards.loc["open_yellow", "value_text"] == "2 件"
    assert cards.loc["open_overdue", "help"] == catalog()["open_overdue"].definition("zh")
    # October is running: 环比 against 1–30 September (the same span). At its end (10-01 00:00) only K05
    # was open, not yet due (10-22): red 0 → 1, worse for a lower-better count
    assert (cards.loc["open_overdue", "delta_text"], cards.loc["open_overdue", "delta_color"]) == ("+1 件", "inverse")
    # nothing fell due and nothing was completed in September: no rate then, so no comparable figure
    assert cards.loc["on_time_rate", "delta_text"] == t("analysis.no_comparison")
    assert cards.loc["on_time_rate", "delta_color"] == "off"
    # open at 10-30 17:00: K06–K09; open at the close of 09-30: K05 only (accepted 09-29, completed 10-21)
    assert (cards.loc["open_at_end", "value_text"], cards.loc["open_at_end", "delta_text"]) == ("4 件", "+300.0%")
    assert cards.loc["open_at_end", "help"] == t("supervision.kpi_open_at_end_help")
    # 无时限件: every case has a promised limit — a true zero of a covered period, and so in September
    assert (cards.loc["cases_no_deadline", "value_text"], cards.loc["cases_no_deadline", "delta_text"]) == \
        ("0 件", "0 件")


@pytest.mark.parametrize("filters", [
    Filters(Period.parse("2026-12")),  # a month to come: today's red light (K06) is not December's
    Filters(Period.parse("2025")),  # a year before the data (they start in February 2026)
    Filters(Period.parse("2026-10"), counties=("C01",), channels=("kiosk",)),  # C01 has no kiosk case
], ids=["future-month", "uncovered-year", "empty-filters"])
def test_a_period_or_selection_without_data_shows_no_number(handcount_view, filters):
    cards = supervision.kpi_cards(handcount_view, filters, "zh")
    assert supervision.cards_empty(cards)
    assert set(cards["value_text"]) == {t("kpi.no_value")}
    assert cards["delta_text"].isna().all()  # no value, no change
    assert supervision.light_counts(handcount_view, filters).empty
    assert supervision.backlog_aging(handcount_view, filters)["open_cases"].sum() == 0
    assert not supervision.trend_has_rates(supervision.on_time_trend(handcount_view, filters))


def test_a_comparison_with_an_uncovered_period_says_so(handcount_view):
    # March 2026 against February (covered: a value) and March 2025 (before the data: 无可比数据)
    march = Filters(Period.parse("2026-03"))
    cards = supervision.kpi_cards(handcount_view, march, "zh").set_index("key")
    # 按期办结率 March 1/1 (K01) against February 1/3 (K03 of K02, K03, K04): +66.7 points
    assert cards.loc["on_time_rate", "value_text"] == "100.0%"
    assert cards.loc["on_time_rate", "delta_text"] == "+66.7 个百分点"
    # February 2026 against January: January lies before the data → no comparable figure, for counts too
    february = supervision.kpi_cards(handcount_view, Filters(Period.parse("2026-02")), "zh").set_index("key")
    assert set(february["delta_text"]) == {t("analysis.no_comparison")}


def test_a_running_quarter_is_compared_like_for_like(handcount_view):
    from xiaoneng import periodnotes
    from xiaoneng.metrics import through_day

    q4 = Period.parse("2026-Q4")
    # snapshot Fri 10-30 17:00: Q4 so far is 1–30 October; the same span of Q3 is 1–30 July, of last
    # year 1–30 October 2025
    previous, year_ago = q4.comparisons(handcount_view.as_of)
    assert (previous.start.isoformat(), previous.end.isoformat()) == ("2026-07-01", "2026-07-30")
    assert (year_ago.start.isoformat(), year_ago.end.isoformat()) == ("2025-10-01", "2025-10-30")
    assert periodnotes.through_text(through_day(handcount_view, q4)) == "截至10月30日"
    assert periodnotes.through_text(through_day(handcount_view, q4), "en") == "through 2026-10-30"
    assert periodnotes.running_period_text(handcount_view, q4) == (
        "统计期尚未结束，数字截至10月30日；环比、同比按同期比较：环比对比2026年7月1日至7月30日，"
        "同比对比2025年10月1日至10月30日（不在数据范围内，无可比数据）。没有可比数字时显示“无可比数据”。")
    assert periodnotes.running_period_text(handcount_view, Period.parse("2026-09")) is None  # a closed month
    cards = supervision.kpi_cards(handcount_view, Filters(q4), "zh").set_index("key")
    # 1–30 July: nothing fell due (K14, K15 were due in June) → 无可比数据; completed K14, K15 late → 0/2,
    # against October's 3/4: +75.0 points
    assert cards.loc["on_time_rate", "delta_text"] == t("analysis.no_comparison")
    assert cards.loc["completion_on_time_rate", "delta_text"] == "+75.0 个百分点"
    # open at the close of 07-30: none (K14, K15 completed 07-02, 07-03) → from 0 to 4: +4 件
    assert cards.loc["open_at_end", "delta_text"] == "+4 件"


def test_state_time_as_people_read_it(handcount_view):
    from xiaoneng import periodnotes

    assert periodnotes.state_time_text(handcount_view, Period.parse("2026-10")) == "2026-10-30 17:00"
    assert periodnotes.state_time_text(handcount_view, Period.parse("2026-09")) == "2026-09-30 24:00"


# ---------------------------------------------------------------- cross-filter and drill-through

def test_clicks_become_the_focus():
    start = Focus()
    trend = supervision.focus_from_trend_point({"customdata": ["C02", "2026-10", 1, 2]}, "county", start)
    assert trend == Focus("due_missed", county_code="C02", month="2026-10")  # the 按期办结率's misses
    # on the 办结件按时率's lines, a month lists its late completions
    assert supervision.focus_from_trend_point({"customdata": ["D01", "2026-03"]}, "dept", start,
                                              "completion_on_time_rate") == Focus("late", dept_code="D01",
                                                                                  month="2026-03")
    lights = supervision.focus_from_lights_point({"customdata": ["D01", "yellow"]}, trend)
    assert lights == Focus("open_yellow", county_code="C02", dept_code="D01")  # keeps the county
    aging = supervision.focus_from_aging_point({"customdata": [2, "red"]}, lights)
    assert aging == Focus("open_overdue", county_code="C02", dept_code="D01", age_bucket=2)
    assert supervision.focus_from_lights_point({"x": 3}, aging) == aging  # a point without data changes nothing


def test_focus_drills_to_the_right_cases(handcount_view):
    focus = Focus("due_missed", county_code="C02", month="2026-10")
    filters = supervision.drill_filters(Filters(Period.parse("2026-Q4")), focus)
    assert filters.period.key == "2026-10" and filters.counties == ("C02",)
    # due in C02 in October: K10 (by its deadline) and K06 (open) → the miss K06
    assert selection_total(handcount_view, filters, supervision.drill_selection(focus)) == 1
    aged = supervision.drill_selection(Focus("open", age_bucket=2))
    assert (aged.age_min_wd, aged.age_max_wd) == (11, 20)
    # an age band only narrows lists of open cases
    assert supervision.drill_selection(Focus("completed", age_bucket=2)).age_min_wd is None


def test_focus_round_trips_through_the_widgets():
    focus = Focus("open_yellow", county_code="C01", dept_code=None, month="2026-09", age_bucket=3)
    values = supervision.focus_values(focus)
    assert values == {"subset": "open_yellow", "county_code": "C01", "dept_code": "", "month": "2026-09",
                      "age_bucket": "3"}
    assert supervision.focus_from_values(values) == focus
    assert supervision.focus_from_values({"subset": "nonsense", "age_bucket": "9"}) == Focus()
    assert not Focus().narrows and Focus(dept_code="D01").narrows


def test_focus_description():
    text = supervision.focus_description(Focus("open_overdue", county_code="C02", age_bucket=2), "zh",
                                         {"C02": "乙县"}, {}, Period.parse("2026-10"))
    assert text == "2026年10月 · 乙县 · 已办理 11–20 个工作日 · 超期在办（红灯）"


def test_figures_carry_the_drill_keys(handcount_view):
    lights = supervision.lit_departments(supervision.light_counts(handcount_view, OCTOBER, "zh"))
    fig = charts.supervision_light_bars(lights, label_col="dept_name", code_col="dept_code", red_col="open_overdue",
                                        yellow_col="open_yellow", red_name="红灯", yellow_name="黄灯", axis_title="件")
    assert [list(c) for c in fig.data[0].customdata] == [["D01", "red"], ["D02", "red"]]
    aging = supervision.backlog_aging(handcount_view, OCTOBER, "zh")
    fig = charts.supervision_aging_bars(aging, label_col="label", bucket_col="age_bucket",
                                        series=[("open_green", "正常", "green"), ("open_overdue", "红灯", "red")],
                                        x_title="时长", y_title="件")
    assert list(fig.data[1].customdata[2]) == [2, "red"] and list(fig.data[1].y) == [0, 0, 1, 0]


def test_tables_for_people(handcount_view):
    table = supervision.lights_table(supervision.light_counts(handcount_view, OCTOBER, "zh"), "zh")
    assert list(table.columns) == ["部门", "在办件", "超期在办（红灯）", "黄灯（临期）", "正常在办",
                                   "最长超期（工作日）"]
    aging = supervision.aging_table(supervision.backlog_aging(handcount_view, OCTOBER, "en"), "en")
    assert aging.columns[0] == "Open for"


# ---------------------------------------------------------------- the page in AppTest

def _view(data_folder: Path) -> SnapshotView:
    return SnapshotView(SnapshotStore(data_folder / "snapshots").get("handcount"))


def case_ids(at: AppTest) -> list[str]:
    return list(at.dataframe[-1].value[t("supervision.col.case_id")])


def expected_metrics(data_folder: Path, filters: Filters, lang: str = "zh") -> dict[str, str]:
    """The cards' numbers straight from the query layer (metrics) for the same filters."""
    view = _view(data_folder)
    shown = {h.indicator.label(lang): h.indicator.format(h.value, lang)
             for h in headline(view, filters, list(supervision.KPI_KEYS))}
    row = measures(view, filters).iloc[0]
    for key in supervision.COUNT_CARDS:
        shown[t(f"supervision.kpi_{key}", lang)] = catalog()["open_overdue"].format(row[key], lang)
    return shown


def test_page_renders_the_hand_count(page, data_folder):
    page.run()
    assert not page.exception
    assert page.title[0].value == t("supervision.title")
    assert metric_values(page) == {"按期办结率": "60.0%", "办结件按时率": "75.0%", "超期在办件（红灯）": "1 件",
                                   "临期件（黄灯）": "2 件", "在办件": "4 件", "无时限件": "0 件"}
    assert metric_values(page) == expected_metrics(data_folder, OCTOBER)
    assert len(page.get("plotly_chart")) == 3  # trend, lights, aging
    assert case_ids(page) == ["K06"]  # the red-light cases are listed first
    assert any("2026-10-30 17:00" in c.value and "handcount" in c.value for c in page.caption)
    assert any(c.value == t("supervision.list_total", total=1, page=1, pages=1, size=50) for c in page.caption)
    # October is still running: how far the figures reach and what they are compared with
    assert any(c.value.startswith("统计期尚未结束，数字截至10月30日") for c in page.caption)


def test_county_filter_changes_the_numbers(page, data_folder):
    _, after = metrics_before_and_after_county(page, "C01")
    filters = Filters(Period.parse("2026-10"), counties=("C01",))
    assert after == expected_metrics(data_folder, filters)
    # C01: due K05, K11, K13; K05, K11 by the deadline → 66.7 %; open K07 (yellow), K09; no red case
    assert after["按期办结率"] == "66.7%" and after["在办件"] == "2 件"
    assert page.info and any(i.value == t("supervision.list_empty") for i in page.info)  # no red case in C01
    page.selectbox(key="sup_focus_subset").set_value("open").run()
    assert case_ids(page) == ["K07", "K09"]


def test_drill_selectors_narrow_the_list(page, data_folder):
    page.run()
    page.selectbox(key="sup_focus_subset").set_value("completed").run()
    assert case_ids(page) == ["K05", "K11", "K10", "K13"]
    page.query_params["xf_dept"] = "D02"  # a department click (xiaoneng.crossfilter)
    page.run()
    assert not page.exception
    assert case_ids(page) == ["K11", "K10", "K13"]
    # February's due-date misses: K02 (D01, open at the month's end) and K04 (D02, immediate, done the next day)
    page.selectbox(key="sup_focus_subset").set_value("due_missed").run()
    page.selectbox(key="sup_focus_month").set_value("2026-02").run()
    assert page.query_params["xf_dept"] == "D02"
    assert case_ids(page) == ["K04"]
    # March's late completion (K02, 03-02 after its 02-28 deadline) is D01's
    page.selectbox(key="sup_focus_subset").set_value("late").run()
    page.selectbox(key="sup_focus_month").set_value("2026-03").run()
    assert any(i.value == t("supervision.list_empty") for i in page.info)
    page.query_params["xf_dept"] = "D01"
    page.run()
    assert case_ids(page) == ["K02"]
    page.button(key="sup_focus_reset").click().run()
    assert not page.exception
    assert page.selectbox(key="sup_focus_subset").value == "open_overdue"
    assert "xf_dept" not in page.query_params
    assert case_ids(page) == ["K06"]


def test_focus_department_narrows_the_aging_chart(page, data_folder):
    page.run()
    page.query_params["xf_dept"] = "D02"  # a department click (xiaoneng.crossfilter)
    page.run()
    aging = _aging_table(page)
    # only K08 (2 wd open, yellow) is open in D02
    assert list(aging[t("supervision.col.open_cases")]) == [1, 0, 0, 0]
    view = _view(data_folder)
    expected = supervision.backlog_aging(view, Filters(Period.parse("2026-10"), departments=("D02",)), "zh")
    assert list(aging[t("supervision.col.open_cases")]) == list(expected["open_cases"])


def _aging_table(at: AppTest) -> pd.DataFrame:
    header = t("supervision.col.age")
    return next(d.value for d in at.dataframe if header in d.value.columns)


def test_trend_grouping_and_rate_switch(page):
    page.run()
    page.segmented_control(key="sup_trend_by").set_value("dept").run()
    assert not page.exception
    page.segmented_control(key="sup_trend_by").set_value("total").run()
    assert not page.exception
    page.segmented_control(key="sup_trend_rate").set_value("completion_on_time_rate").run()
    assert not page.exception
    assert any(c.value.startswith("每月办结件按时率") for c in page.caption)
    table = next(d.value for d in page.dataframe if t("supervision.col.due_cases") in d.value.columns)
    # the months with something to judge: February, March, June, July, October
    assert list(table[t("supervision.col.month")]) == ["2026-02", "2026-03", "2026-06", "2026-07", "2026-10"]
    assert list(table[t("supervision.col.on_time_rate")].fillna(-1)) == [33.3, 100.0, 0.0, -1, 60.0]


def test_english(page, data_folder):
    page.run()
    page.segmented_control(key="lang").set_value("en").run()
    assert not page.exception
    assert page.title[0].value == t("supervision.title", "en")
    assert metric_values(page) == expected_metrics(data_folder, OCTOBER, "en")
    assert list(page.dataframe[-1].value.columns[:2]) == ["Case ID", "Item code"]


@pytest.mark.parametrize("period", ["2025", "2026-12"])
def test_a_period_without_data_shows_no_number(page, period):
    assert_no_data_for(page, period)


def test_an_empty_selection_shows_no_number(page):
    page.run()
    page.multiselect(key="filter_counties").set_value(["C01"]).run()
    page.multiselect(key="filter_channels").set_value(["kiosk"]).run()  # C01 has no kiosk case
    assert not page.exception
    assert t("supervision.empty") in [i.value for i in page.info]
    assert not page.metric and not page.dataframe


def test_a_running_quarter_on_the_page(page, data_folder):
    """Q4 at the snapshot (Fri 10-30 17:00) runs 1–30 October: the page says how far its figures reach
    and compares like for like — 1–30 July and 1–30 October 2025 (before the data: 无可比数据)."""
    page.query_params["period"] = "2026-Q4"
    page.run()
    assert not page.exception
    assert any(c.value == "统计期尚未结束，数字截至10月30日；环比、同比按同期比较：环比对比2026年7月1日至7月30日，"
                          "同比对比2025年10月1日至10月30日（不在数据范围内，无可比数据）。没有可比数字时显示“无可比数据”。"
                          for c in page.caption)
    assert metric_values(page) == expected_metrics(data_folder, Filters(Period.parse("2026-Q4")))
    deltas = {m.label: m.delta for m in page.metric}
    # 1–30 July: nothing fell due (K14, K15 were June's) → 无可比数据; completed K14, K15, both late → 0 %
    # against Q4's 3/4 → +75.0 points
    assert deltas["按期办结率"] == t("analysis.no_comparison")
    assert deltas["办结件按时率"] == "+75.0 个百分点"

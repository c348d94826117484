"""Unit profile on the hand-counted fixture (tests/handcount.py explains every number)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from xiaoneng import charts, profile
from xiaoneng.caselist import SUBSETS, CaseSelection, case_page
from xiaoneng.filters import Filters, Period, months_up_to
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.profile import (
    CASE_SUBSET,
    clicked_indicator,
    clicked_month,
    drill_filters,
    drill_selection,
    rank_among,
    unit_history,
    unit_label,
    unit_vs_peers,
)

OCTOBER = Filters(Period.parse("2026-10"))
FUTURE = Filters(Period.parse("2026-12"))  # begins after the snapshot (Fri 2026-10-30 17:00)
BEFORE_DATA = Filters(Period.parse("2025"))  # the fixture's data begin in February 2026
# nothing of 市场监管局 is a 公共服务 item (I03 is 人社局's): no case, review or task of C02/D01 in it
EMPTY_COMBINATION = Filters(Period.parse("2026-10"), counties=("C02",), departments=("D01",), item_types=("公共服务",))


def test_county_against_its_peer(handcount_view):
    rows = unit_vs_peers(handcount_view, OCTOBER, "zh", level="county", county="C02").set_index("key")
    # due in October: C02 K06 (open, overdue) and K10 (on time) → 50 %; C01 K05, K11 on time, K13 late → 66.7 %
    assert rows.loc["on_time_rate", "value"] == 50.0
    assert rows.loc["on_time_rate", "peer_median"] == pytest.approx((50.0 + 200 / 3) / 2)
    assert rows.loc["on_time_rate", "rank"] == 2
    assert rows.loc["on_time_rate", "peers"] == 2
    assert rows.loc["open_overdue", "rank"] == 2  # one red light against none: lower is better
    assert pd.isna(rows.loc["cases_accepted", "rank"])  # a volume has no better direction
    # 1–30 September (October is running: the same span): C02 had no case data — no data, not 0
    assert pd.isna(rows.loc["cases_accepted", "previous"])
    assert rows.loc["satisfaction_index", "previous"] == 37.5  # the 2026H1 wave then as now
    assert rows["previous_covered"].all() and not rows["year_ago_covered"].any()  # October 2025: before the data
    assert rows["small_base"].all()  # 4 accepted cases, fewer than 30
    assert rows.loc["composite_score", "rank"] == 2
    assert {"composite_score", "task_on_time_rate"} <= set(rows.index)


def test_the_peer_table_says_no_data_no_comparison_and_small_base(handcount_view):
    rows = unit_vs_peers(handcount_view, OCTOBER, "zh", level="county", county="C02")
    table = profile.peer_table(rows, "zh").set_index("indicator")
    assert table.loc["办件量", ["value", "rank", "previous", "year_ago"]].tolist() == \
        ["4 件", "无数据", "无数据", "无可比数据"]
    assert table.loc["按期办结率", ["value", "rank"]].tolist() == ["50.0%", "2 / 2"]
    assert table.loc["即办率", ["value", "rank"]].tolist() == ["无数据", "无数据"]  # no immediate item accepted
    assert table.loc["综合绩效得分", "rank"] == "2（样本不足） / 2"
    assert profile.small_base_note(rows, "zh") == t("profile.small_base", cases=4, min=30)
    english = profile.peer_table(rows, "en").set_index("indicator")
    assert english.loc["Composite score", "rank"] == "2 (small base) / 2"
    assert english.loc["Cases accepted", "year_ago"] == "no comparable data"


@pytest.mark.parametrize("filters", [FUTURE, BEFORE_DATA], ids=["future-month", "previous-year"])
def test_a_period_without_data_shows_no_data(handcount_view, filters):
    rows = unit_vs_peers(handcount_view, filters, "zh", level="county", county="C01")
    assert rows["value"].isna().all() and rows["rank"].isna().all() and not rows["small_base"].any()
    table = profile.peer_table(rows, "zh")
    assert set(table["value"]) == set(table["peer_median"]) == set(table["rank"]) == {"无数据"}
    assert set(table["previous"]) == set(table["year_ago"]) == {"无可比数据"}
    assert profile.small_base_note(rows, "zh") == ""
    first, last = handcount_view.coverage
    assert profile.coverage_note(handcount_view, filters, "zh") == t(
        "profile.no_data", period=filters.period.label("zh"), first=first.isoformat(), last=last.isoformat())
    assert unit_history(handcount_view, filters, "zh", level="county", county="C01").empty
    assert profile.coverage_note(handcount_view, OCTOBER, "zh") == ""


def test_an_empty_combination_shows_no_data_and_no_rank(handcount_view):
    rows = unit_vs_peers(handcount_view, EMPTY_COMBINATION, "zh", level="county,dept", county="C02", dept="D01")
    table = profile.peer_table(rows, "zh").set_index("indicator")
    assert set(table["value"]) == {"无数据"} and set(table["rank"]) == {"无数据"}
    # its peer C01/D01 has the 2026H1 survey (S1, S2 → 87.5), which no item filter narrows
    assert table.loc["满意度指数", "peer_median"] == "87.5 分"
    history = unit_history(handcount_view, EMPTY_COMBINATION, "zh", level="county,dept", county="C02", dept="D01")
    assert history["rank"].isna().all() and (history["peers"] == 0).all()


def test_a_county_department_is_compared_with_the_same_department_elsewhere(handcount_view):
    rows = unit_vs_peers(handcount_view, OCTOBER, "zh", level="county,dept", county="C01", dept="D02")
    rows = rows.set_index("key")
    # due in October: C01/D02 K11 (on time) and K13 (late); C02/D02 K10 on time (K08 is due 11-02)
    assert rows.loc["on_time_rate", "value"] == 50.0
    assert rows.loc["on_time_rate", "rank"] == 2
    assert rows.loc["cases_accepted", "value"] == 2


def test_history_ranks_month_by_month(handcount_view):
    history = unit_history(handcount_view, OCTOBER, "zh", level="county", county="C01", months=3).set_index("month")
    assert list(history.index) == ["2026-08", "2026-09", "2026-10"]
    # August: no county has case data → nobody ranked; September: only C01 (K05); October: both
    assert pd.isna(history.loc["2026-08", "rank"]) and history.loc["2026-08", "peers"] == 0
    assert (history.loc["2026-09", "rank"], history.loc["2026-09", "peers"]) == (1, 1)
    assert history.loc["2026-09", "composite_score"] == pytest.approx(100 * 15 / 25)  # online 0 %, survey 87.5
    assert history.loc["2026-10", "on_time_rate"] == pytest.approx(200 / 3)
    assert (history.loc["2026-10", "rank"], history.loc["2026-10", "peers"]) == (1, 2)


def test_the_rank_history_before_the_data_is_a_gap(handcount_view):
    """Months before the data (2025-11 to 2026-01) have no rank (pd.NA in the rank column): the chart
    leaves them out instead of failing (charts._missing once let pd.NA through to int())."""
    history = unit_history(handcount_view, OCTOBER, "zh", level="county", county="C02")
    assert history["rank"].dtype == "Int64"
    assert history["rank"].isna().tolist()[:3] == [True, True, True]
    fig = charts.rank_history_line(history, x_col="month", rank_col="rank", peers_col="peers", axis_title="名次",
                                   empty_message="无数据")
    points = dict(zip(fig.data[0].x, fig.data[0].y, strict=True))
    assert points["2025-11"] is None and points["2026-10"] == 2
    labels = dict(zip(fig.data[0].x, fig.data[0].text, strict=True))
    assert labels["2025-11"] == "" and labels["2026-10"] == "2/2" and labels["2026-02"] == "1/2"
    every_month_without_rank = history.assign(rank=pd.array([pd.NA] * len(history), dtype="Int64"))
    empty = charts.rank_history_line(every_month_without_rank, x_col="month", rank_col="rank", peers_col="peers",
                                     axis_title="名次", empty_message="无数据")
    assert empty.layout.annotations[0].text == "无数据"


def test_profiles_need_their_unit():
    with pytest.raises(ValueError, match="needs a department"):
        unit_vs_peers(None, OCTOBER, "zh", level="county,dept", county="C01")


def test_months_and_ranks():
    assert [p.key for p in months_up_to(Period.parse("2026-Q1"), 4)] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    ranks = rank_among(pd.Series([1.0, 3.0, None, 3.0]), "higher")
    assert list(ranks.astype("object")) == [3, 1, pd.NA, 1]


# ---------------------------------------------------------------- the unit's cases behind an indicator

def test_each_case_indicator_names_its_cases():
    assert drill_selection("on_time_rate", county="C01") == CaseSelection("due_missed", county_code="C01")
    assert drill_selection("open_yellow", county="C01", dept="D02") == \
        CaseSelection("open_yellow", county_code="C01", dept_code="D02")
    assert drill_selection("avg_elapsed_wd", dept="D01").subset == "promised_completed"
    assert drill_selection("immediate_rate", county="C01").subset == "immediate_missed"
    for key in ("satisfaction_index", "bad_rate", "task_on_time_rate", "promise_compression_rate", "composite_score"):
        assert drill_selection(key, county="C01") is None  # not made of cases
    assert set(CASE_SUBSET.values()) <= set(SUBSETS)
    assert set(CASE_SUBSET) <= set(catalog())


def test_drill_filters_name_the_unit_by_the_selection_and_take_the_month():
    filters = Filters(Period.parse("2026-Q4"), counties=("C02",), departments=("D01",), channels=("online",))
    drilled = drill_filters(filters, "2026-10")
    assert (drilled.counties, drilled.departments, drilled.channels, drilled.period.key) == \
        ((), (), ("online",), "2026-10")
    assert drill_filters(filters).period.key == "2026-Q4"


@pytest.mark.parametrize(("indicator", "unit", "month", "cases"), [
    ("on_time_rate", {"county": "C01"}, None, ["K13"]),  # due: K05, K11 by the deadline, K13 late
    ("on_time_rate", {"county": "C02"}, None, ["K06"]),  # due: K10 on time, K06 open and overdue
    ("on_time_rate", {"county": "C01", "dept": "D02"}, None, ["K13"]),
    ("open_yellow", {"county": "C01"}, None, ["K07"]),  # K07 due today (10-30); K08 is C02's
    ("online_rate", {"county": "C02"}, None, ["K06", "K10"]),  # mobile, online (K08, K12 at the window)
    ("avg_elapsed_wd", {"county": "C01"}, None, ["K05", "K13"]),  # 承诺件 completed (K11 is immediate)
    ("immediate_rate", {"county": "C01"}, None, []),  # K11 completed the day it was accepted
    ("completion_on_time_rate", {"county": "C01"}, None, ["K13"]),  # completed after its deadline
    ("on_time_rate", {"dept": "D02"}, "2026-02", ["K04"]),  # K03 same day; K04 a day after its deadline
    ("on_time_rate", {"county": "C01"}, "2026-02", ["K02"]),  # due Saturday 02-28, open at the end of February
    ("on_time_rate", {"county": "C01"}, "2026-03", []),  # K01 due 03-04, done 02-28 (K02 was due in February)
])
def test_cases_behind_a_click(handcount_view, indicator, unit, month, cases):
    selection = drill_selection(indicator, **unit)
    filters = drill_filters(Filters(Period.parse("2026-10"), counties=("C02",)), month)
    frame, total = case_page(handcount_view, filters, selection)
    assert sorted(frame["case_id"]) == cases and total == len(cases)


def test_clicked_month_and_row():
    assert clicked_month({"customdata": ["2026-09"]}) == "2026-09"
    assert clicked_month({"x": "2026-09"}) is None
    rows = pd.DataFrame({"key": ["cases_accepted", "on_time_rate", "composite_score"]})
    assert clicked_indicator(rows, [1]) == "on_time_rate"
    assert clicked_indicator(rows, []) is None and clicked_indicator(rows, [7]) is None
    assert unit_label("C01", "D02", {"C01": "甲区"}, {"D02": "人社局"}) == "甲区 · 人社局"
    assert unit_label(None, "D02", {}, {"D02": "人社局"}) == "人社局"


PAGE = Path(__file__).resolve().parent.parent / "pages" / "unit_profile.py"


def listed_cases(at) -> list[str] | None:
    if any(b.key == "profile_cases_show" for b in at.button):  # the default drill runs only when asked for
        at.button(key="profile_cases_show").click().run()
    frames = [d.value for d in at.dataframe if "办件编号" in d.value.columns]
    return sorted(frames[0]["办件编号"]) if frames else None


def test_page_lists_the_cases_behind_the_clicks(page):
    """Clicks are copied to profile_xf_month / profile_xf_indicator by the chart's and the table's
    callbacks (AppTest cannot click them, so the test sets that state)."""
    page.run()
    assert not page.exception
    assert listed_cases(page) == ["K13"]  # 甲区, October, the on-time rate's misses
    page.session_state["profile_xf_indicator"] = "open_yellow"
    page.run()
    assert listed_cases(page) == ["K07"]
    assert any("甲区 · 2026年10月 · 临期件" in m.value for m in page.markdown)
    page.session_state["profile_xf_indicator"] = "on_time_rate"
    page.session_state["profile_xf_month"] = "2026-02"
    page.run()
    assert listed_cases(page) == ["K02"]  # due 02-28, still open at the end of February
    page.session_state["profile_xf_indicator"] = "satisfaction_index"
    page.run()
    assert t("crossfilter_more.no_cases", indicator="满意度指数") in [i.value for i in page.info]
    assert listed_cases(page) is None
    page.button(key="profile_xf_reset").click().run()
    assert listed_cases(page) == ["K13"]
    page.selectbox(key="profile_county").set_value("C02").run()
    assert listed_cases(page) == ["K06"]


def test_the_units_slowest_items_and_bad_reviews(handcount_view):
    # the sidebar's county filter (甲区) gives way to the profiled unit (乙县), as for its peers
    sidebar = Filters(Period.parse("2026-10"), counties=("C01",))
    items = profile.slowest_items(handcount_view, sidebar, "zh", county="C02")
    # 乙县 completed one case in October: K10, 就业登记, 3 working days against a promise of 3
    assert items[["事项", "办结件数", "P90用时（工作日）", "承诺时限（工作日）"]].values.tolist() == [
        ["就业登记", "1", "3.0", "3"]]
    reviews = profile.bad_reviews(handcount_view, sidebar, "zh", county="C02")
    assert list(reviews["评价编号"]) == ["R4", "R6", "R8"]
    assert list(reviews["整改状态"]) == ["逾期未整改", "核实不实", "整改中（未到期）"]
    assert reviews.attrs["total"] == 3
    department = profile.bad_reviews(handcount_view, OCTOBER, "zh", dept="D01")
    assert list(department["评价编号"]) == ["R4", "R8"]


def test_page_shows_the_units_slowest_items_and_bad_reviews(page):
    page.run()
    page.selectbox(key="profile_county").set_value("C02").run()
    assert not page.exception
    frames = {d.value.columns[0]: d.value for d in page.dataframe}
    assert list(frames["评价编号"]["评价编号"]) == ["R4", "R6", "R8"]
    assert list(frames["事项"]["事项"]) == ["就业登记"]
    assert any(c.value.startswith("统计期内的差评（1–2分）共 3 条") for c in page.caption)


# ---------------------------------------------------------------- the page without data, and while a period runs

def _chart_messages(at) -> list[str]:
    return [a["text"] for chart in at.get("plotly_chart")
            for a in json.loads(chart.proto.spec)["layout"].get("annotations", [])]


@pytest.mark.parametrize("period", ["2026-12", "2025"], ids=["future-month", "previous-year"])
def test_page_of_a_period_without_data(page, period):
    page.query_params["period"] = period
    page.run()
    assert not page.exception
    assert any(i.value.startswith("无数据：统计期") for i in page.info)
    table = page.dataframe[0].value
    assert set(table["value"]) == set(table["rank"]) == {"无数据"}
    assert set(table["previous"]) == {"无可比数据"}
    assert _chart_messages(page) == [t("profile.empty")] * 2  # rank and 按期办结率 histories: nothing drawn
    assert listed_cases(page) in (None, [])
    assert t("profile.no_items") in [i.value for i in page.info]
    assert t("profile.no_reviews") in [i.value for i in page.info]


def test_page_of_an_empty_combination(page):
    for key, value in {"counties": "C02", "departments": "D01", "item_types": "公共服务"}.items():
        page.query_params[key] = value
    page.run()
    page.segmented_control(key="profile_level").set_value("county,dept").run()
    assert not page.exception
    assert (page.selectbox(key="profile_county").value, page.selectbox(key="profile_dept").value) == ("C02", "D01")
    table = page.dataframe[0].value.set_index("indicator")
    assert set(table["value"]) == {"无数据"} and table.loc["综合绩效得分", "rank"] == "无数据"
    assert _chart_messages(page) == [t("profile.empty")] * 2


def test_page_of_a_running_quarter_marks_the_small_base(page):
    page.query_params["period"] = "2026-Q4"
    page.run()
    assert not page.exception
    captions = [c.value for c in page.caption]
    note = next(c for c in captions if c.startswith("统计期尚未结束"))
    assert "截至10月30日" in note and "2026年7月1日至7月30日" in note
    assert t("profile.small_base", cases=4, min=30) in captions  # 甲区: K07, K09, K11, K13
    table = page.dataframe[0].value.set_index("indicator")
    assert table.loc["综合绩效得分", "rank"] == "1（样本不足） / 2"
    assert table.loc["按期办结率", "year_ago"] == "无可比数据"
    # 1–30 July: 甲区 accepted nothing but completed K14 → 0 件 (data); no case fell due → 无数据
    assert table.loc["办件量", "previous"] == "0 件" and table.loc["按期办结率", "previous"] == "无数据"


def test_the_box_shows_the_unit_the_filter_names_or_its_own():
    offered = {"C01": "甲区", "C02": "乙县", "C03": "丙县"}
    assert profile.unit_in_view(None, (), offered) == "C01"  # nothing named, nothing held: the first
    assert profile.unit_in_view("C02", (), offered) == "C02"  # the box's own choice
    assert profile.unit_in_view("C02", ("C03",), offered) == "C03"  # a link naming 丙县 wins
    assert profile.unit_in_view("C02", ("C01", "C02"), offered) == "C02"  # named too: kept
    assert profile.unit_in_view("C02", ("C99",), offered) == "C02"  # a code not offered names nothing
    assert profile.unit_in_view(None, (), {}) is None


def test_page_names_the_profiled_unit_in_the_context_line_the_sidebar_and_the_url(page):
    """The box, the context line and the URL name the same unit (they used to disagree: the box on
    one county, the context line on another, the unit in no link)."""
    page.run()
    line = lambda: next(c.value for c in page.caption if c.value.startswith("数据截至"))  # noqa: E731
    assert page.selectbox(key="profile_county").value == "C01" and "区县：甲区" in line()  # not 区县：全部
    page.selectbox(key="profile_county").set_value("C02").run()
    assert not page.exception
    assert "区县：乙县" in line()
    assert page.query_params["counties"] == "C02"  # a copied link profiles 乙县
    assert page.multiselect(key="filter_counties").value == ["C02"]
    assert listed_cases(page) == ["K06"]  # 乙县's October miss of the on-time rate

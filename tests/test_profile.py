"""Unit profile on the hand-counted fixture (tests/handcount.py explains every number)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xiaoneng import profile
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


def test_county_against_its_peer(handcount_view):
    rows = unit_vs_peers(handcount_view, OCTOBER, "zh", level="county", county="C02").set_index("key")
    # C02: K10 on time, K06 open overdue → 50 %; C01: K05, K11 on time, K13 late → 66.7 %
    assert rows.loc["on_time_rate", "value"] == 50.0
    assert rows.loc["on_time_rate", "peer_median"] == pytest.approx((50.0 + 200 / 3) / 2)
    assert rows.loc["on_time_rate", "rank"] == 2
    assert rows.loc["on_time_rate", "peers"] == 2
    assert rows.loc["open_overdue", "rank"] == 2  # one red light against none: lower is better
    assert pd.isna(rows.loc["cases_accepted", "rank"])  # a volume has no better direction
    assert rows.loc["cases_accepted", "previous"] == 0  # September: only K05, in C01
    assert {"composite_score", "task_on_time_rate"} <= set(rows.index)


def test_a_county_department_is_compared_with_the_same_department_elsewhere(handcount_view):
    rows = unit_vs_peers(handcount_view, OCTOBER, "zh", level="county,dept", county="C01", dept="D02")
    rows = rows.set_index("key")
    # C01/D02 completed K11 (on time) and K13 (late); C02/D02 completed K10 on time and has K08 open, not overdue
    assert rows.loc["on_time_rate", "value"] == 50.0
    assert rows.loc["on_time_rate", "rank"] == 2
    assert rows.loc["cases_accepted", "value"] == 2


def test_history_ranks_month_by_month(handcount_view):
    history = unit_history(handcount_view, OCTOBER, "zh", level="county", county="C01", months=3)
    assert list(history["month"]) == ["2026-08", "2026-09", "2026-10"]
    october = history.set_index("month").loc["2026-10"]
    assert october["on_time_rate"] == pytest.approx(200 / 3)
    assert october["rank"] in (1, 2) and october["peers"] == 2


def test_profiles_need_their_unit():
    with pytest.raises(ValueError, match="needs a department"):
        unit_vs_peers(None, OCTOBER, "zh", level="county,dept", county="C01")


def test_months_and_ranks():
    assert [p.key for p in months_up_to(Period.parse("2026-Q1"), 4)] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    ranks = rank_among(pd.Series([1.0, 3.0, None, 3.0]), "higher")
    assert list(ranks.astype("object")) == [3, 1, pd.NA, 1]


# ---------------------------------------------------------------- the unit's cases behind an indicator

def test_each_case_indicator_names_its_cases():
    assert drill_selection("on_time_rate", county="C01") == CaseSelection("off_time", county_code="C01")
    assert drill_selection("open_yellow", county="C01", dept="D02") == \
        CaseSelection("open_yellow", county_code="C01", dept_code="D02")
    assert drill_selection("avg_elapsed_wd", dept="D01").subset == "completed"
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
    ("on_time_rate", {"county": "C01"}, None, ["K13"]),  # C01: K05, K11 on time, K13 late, nothing red
    ("on_time_rate", {"county": "C02"}, None, ["K06"]),  # C02: K10 on time, K06 open and overdue
    ("on_time_rate", {"county": "C01", "dept": "D02"}, None, ["K13"]),
    ("open_yellow", {"county": "C01"}, None, ["K07"]),  # K07 due today (10-30); K08 is C02's
    ("online_rate", {"county": "C02"}, None, ["K06", "K10"]),  # mobile, online (K08, K12 at the window)
    ("on_time_rate", {"dept": "D02"}, "2026-02", ["K04"]),  # K03 same day; K04 a day after its deadline
    ("on_time_rate", {"county": "C01"}, "2026-03", ["K02"]),  # completed 03-02, due Saturday 02-28
    ("on_time_rate", {"county": "C01"}, "2026-02", []),  # K02 open at the end of February, not yet overdue
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
    page.session_state["profile_xf_month"] = "2026-03"
    page.run()
    assert listed_cases(page) == ["K02"]
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

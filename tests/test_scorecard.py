"""The Scorecard (绩效考核) on the hand-counted fixture: scores, ranks, rank changes, contributions,
trial weights, and the page in AppTest. The indicator values per county and department are
counted from tests/handcount.py's docstring and rows in the comments below."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from xiaoneng import charts
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView
from xiaoneng.scorecard import (
    breakdown_summary,
    comparison_table,
    focus_from_point,
    indicator_detail,
    rank_change_text,
    scorecard,
    scorecard_export,
    scorecard_table,
    text,
    unit_breakdown,
    weight_comparison,
    weighted_indicators,
    weights_changed,
)
from xiaoneng.scoring import published_weights
from xiaoneng.snapshots import SnapshotStore

OCTOBER = Filters(Period.parse("2026-10"))
PUBLISHED = {"avg_elapsed_wd": 10, "on_time_rate": 20, "immediate_rate": 5, "early_completion_rate": 5,
             "online_rate": 10, "bad_rate": 5, "satisfied_rate": 10, "rectification_rate": 10,
             "satisfaction_index": 15, "task_on_time_rate": 10}

# C01 甲区, October 2026 — every weighted indicator has a value (weights add to 100):
#   mean time: K05 9, K11 0, K13 6 → 5.0 ≤ target 5 → 1         on time: K05, K11 of K05, K11, K13 → 2/3
#   immediate: K11 same day → 100 % → 1                         early: K05 of 3 completed → 1/3 → ÷ 60 %
#   online: K07 online, K13 mobile of K07, K09, K11, K13 → 50 % bad reviews: R2 of R1, R2, R5 → 1/3 → 1 % ÷ 33.3 %
#   satisfied: R1, R5 of 3 → 2/3                               rectified: R2 of R2 → 100 % → 1
#   survey 2026H1: S1 5, S2 4 → (4.5 − 1) × 25 = 87.5 ≥ 85 → 1  tasks: T1 on time, T3 overdue (T5 due after) → 50 %
C01_SCORE = (10 * 1 + 20 * (200 / 3) / 95 + 5 * 1 + 5 * (100 / 3) / 60 + 10 * 50 / 60 + 5 * 1 / (100 / 3)
             + 10 * (200 / 3) / 98 + 10 * 1 + 15 * 1 + 10 * 50 / 95)
# C02 乙县: no immediate item completed, so immediate_rate has no value and the other weights
# (95 in all) share the score:
#   mean time: K10 3 → 1                  on time: K10 on time, K06 open overdue → 1/2
#   early: K10 not early → 0             online: K06 mobile, K10 online of K06, K08, K10, K12 → 50 %
#   bad: R4, R6, R8 of R3, R4, R6, R8 → 75 %   satisfied: R3 → 25 %
#   rectified: R4 due and pending (R6 unfounded, R8 not yet due) → 0
#   survey: S3 3, S4 2 → 37.5            tasks: T2 late (T4 due after the snapshot) → 0
C02_SCORE = (10 * 1 + 20 * 50 / 95 + 5 * 0 + 10 * 50 / 60 + 5 * 1 / 75 + 10 * 25 / 98 + 10 * 0
             + 15 * 37.5 / 85 + 10 * 0) * 100 / 95
# September: C01 has online_rate 0 % (K05 at the window) and the 2026H1 index 87.5 → 15 × 1 of 25;
# C02 only the index 37.5 → 37.5 / 85. Same order as October: no rank change.
C01_SEPTEMBER, C02_SEPTEMBER = 100 * 15 / 25, 100 * 37.5 / 85
# D01 市场监管局: mean K05 9 → 5/9; on time K05 of K05 + K06 overdue → 50 %; no immediate item;
# early K05 → 100 %; online K06, K07 of K06, K07, K09, K12 → 50 %; bad R4, R8 of R1, R4, R8 → 66.7 %;
# satisfied R1 → 33.3 %; rectified: R4 due, pending → 0; survey S1, S2 → 87.5; tasks T1 on time → 100 %.
D01_SCORE = (10 * 5 / 9 + 20 * 50 / 95 + 5 * 1 + 10 * 50 / 60 + 5 * 1 / (200 / 3) + 10 * (100 / 3) / 98
             + 10 * 0 + 15 * 1 + 10 * 1) * 100 / 95
# D02 人社局: mean (3 + 0 + 6)/3 = 3 → 1; on time K10, K11 of K10, K11, K13 → 2/3; immediate K11 → 1;
# early none → 0; online K10, K13 of 4 → 50 %; bad R2, R6 of R2, R3, R5, R6 → 50 %; satisfied R3, R5 → 50 %;
# rectified R2 → 1; survey S3, S4 → 37.5; tasks T2 late, T3 overdue → 0.
D02_SCORE = (10 * 1 + 20 * (200 / 3) / 95 + 5 * 1 + 5 * 0 + 10 * 50 / 60 + 5 * 1 / 50 + 10 * 50 / 98 + 10 * 1
             + 15 * 37.5 / 85 + 10 * 0)


def by_code(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("unit_code")


def test_published_weights_are_the_catalogs():
    assert published_weights() == PUBLISHED
    assert [i.key for i in weighted_indicators()] == list(PUBLISHED)


def test_county_scores_ranks_and_rank_change(handcount_view):
    card = scorecard(handcount_view, OCTOBER, by="county")
    assert list(card["unit_code"]) == ["C01", "C02"]  # best first
    rows = by_code(card)
    assert rows.loc["C01", "composite_score"] == pytest.approx(C01_SCORE)  # 77.36
    assert rows.loc["C02", "composite_score"] == pytest.approx(C02_SCORE)  # 40.10
    assert list(card["rank"]) == [1, 2]
    assert rows.loc["C01", "previous_score"] == pytest.approx(C01_SEPTEMBER)
    assert rows.loc["C02", "previous_score"] == pytest.approx(C02_SEPTEMBER)
    assert list(card["previous_rank"]) == [1, 2]
    assert list(card["rank_change"]) == [0, 0]
    assert rows.loc["C01", "score_change"] == pytest.approx(C01_SCORE - C01_SEPTEMBER)
    assert rows.loc["C01", "on_time_rate"] == pytest.approx(200 / 3)
    assert rows.loc["C02", "on_time_rate"] == pytest.approx(50.0)


def test_rank_change_against_the_previous_quarter(handcount_view):
    """2025-Q4 has no case, rating or task: only the survey wave 2025H2 scores — C01 S5 = 1 → index 0,
    C02 S6 = 3 → index 50 → 50/85. So C02 led in 2025-Q4 and C01 leads in 2026-Q1: C01 ↑1, C02 ↓1."""
    rows = by_code(scorecard(handcount_view, Filters(Period.parse("2026-Q1")), by="county"))
    assert rows.loc["C01", "previous_score"] == 0.0
    assert rows.loc["C02", "previous_score"] == pytest.approx(100 * 50 / 85)
    assert (rows.loc["C01", "previous_rank"], rows.loc["C01", "rank"], rows.loc["C01", "rank_change"]) == (2, 1, 1)
    assert (rows.loc["C02", "previous_rank"], rows.loc["C02", "rank"], rows.loc["C02", "rank_change"]) == (1, 2, -1)
    assert [rank_change_text(c) for c in rows["rank_change"]] == ["↑1", "↓1"]


def test_contributions_add_up_to_the_score(handcount_view):
    rows = by_code(scorecard(handcount_view, OCTOBER, by="county"))
    contributions = rows[[f"contrib_{k}" for k in PUBLISHED]]
    assert contributions.sum(axis=1, min_count=1).tolist() == pytest.approx(rows["composite_score"].tolist())
    assert rows.loc["C01", "contrib_on_time_rate"] == pytest.approx(20 * (200 / 3) / 95)  # 14.04 points
    # C02's weights are shared among 95: the on-time rate may give 20 × 100/95 points, it gives half of 20/19 × 50/95
    assert rows.loc["C02", "contrib_on_time_rate"] == pytest.approx(20 * 50 / 95 * 100 / 95)
    assert pd.isna(rows.loc["C02", "contrib_immediate_rate"])
    assert rows.loc["C01", "lost_points"] == pytest.approx(100 - C01_SCORE)


def test_hover_text_carries_value_target_points_and_definition(handcount_view):
    rows = by_code(scorecard(handcount_view, OCTOBER, by="county"))
    hover = rows.loc["C01", "hover_on_time_rate"]
    assert "甲区" in hover and "66.7%" in hover and "≥ 95.0%" in hover and "14.0" in hover
    assert catalog()["on_time_rate"].definition("zh")[:20] in hover.replace("<br>", "")


def test_department_scores(handcount_view):
    card = scorecard(handcount_view, OCTOBER, by="dept")
    rows = by_code(card)
    assert rows.loc["D01", "composite_score"] == pytest.approx(D01_SCORE)  # 60.94
    assert rows.loc["D02", "composite_score"] == pytest.approx(D02_SCORE)  # 59.19
    assert list(card["unit_code"]) == ["D01", "D02"]
    assert rows.loc["D01", "unit_name"] == "市场监管局"


def test_the_unit_filter_only_highlights(handcount_view):
    card = scorecard(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)), by="county")
    assert list(card["unit_code"]) == ["C01", "C02"]  # C02 is still ranked among all counties
    assert list(card["selected"]) == [False, True]
    assert by_code(card).loc["C02", "composite_score"] == pytest.approx(C02_SCORE)
    # a county filter narrows the department ranking to that county's departments
    depts = by_code(scorecard(handcount_view, Filters(Period.parse("2026-10"), counties=("C01",)), by="dept"))
    assert depts.loc["D01", "on_time_rate"] == pytest.approx(100.0)  # K05 alone (K06 is C02's)


def test_other_filters_change_the_scores(handcount_view):
    online = by_code(scorecard(handcount_view, Filters(Period.parse("2026-10"), channels=("online", "mobile"))))
    # C02 online/mobile: K06 open overdue, K10 on time → 50 %; C01: K13 late, K07 open not overdue → 0 %
    assert online.loc["C01", "on_time_rate"] == 0.0
    assert online.loc["C02", "on_time_rate"] == 50.0


def test_rank_change_text():
    assert [rank_change_text(c) for c in (2, -1, 0, pd.NA, None)] == ["↑2", "↓1", "持平", "—", "—"]
    assert rank_change_text(0, "en") == "Same"


def test_breakdown_says_why(handcount_view):
    card = scorecard(handcount_view, OCTOBER, by="county")
    c01 = unit_breakdown(card, "C01")
    assert c01["possible_points"].sum() == pytest.approx(100)
    assert c01["points"].sum() == pytest.approx(C01_SCORE)
    # the biggest loss: on time 20 × (1 − 66.7/95) = 5.96 points
    assert c01.iloc[0]["key"] == "on_time_rate"
    assert c01.iloc[0]["lost_points"] == pytest.approx(20 * (1 - (200 / 3) / 95))
    assert c01.iloc[0]["attainment_pct"] == pytest.approx(100 * (200 / 3) / 95)
    c02 = unit_breakdown(card, "C02").set_index("key")
    assert c02.loc["on_time_rate", "possible_points"] == pytest.approx(20 * 100 / 95)
    assert pd.isna(c02.loc["immediate_rate", "possible_points"])
    assert c02["lost_points"].sum() == pytest.approx(100 - C02_SCORE)
    line = breakdown_summary(card.iloc[0], c01)
    assert "甲区" in line and "77.4" in line and "按时办结率" in line and "6.0" in line


def test_other_weights_rerank_without_touching_the_published_ones(handcount_view):
    only_on_time = (("on_time_rate", 1.0),)
    counties = weight_comparison(handcount_view, OCTOBER, by="county", weights=only_on_time).set_index("unit_code")
    # only the on-time rate: C01 66.7/95, C02 50/95
    assert counties.loc["C01", "trial_score"] == pytest.approx(100 * (200 / 3) / 95)
    assert counties.loc["C02", "trial_score"] == pytest.approx(100 * 50 / 95)
    assert counties.loc["C01", "trial_rank"] < counties.loc["C02", "trial_rank"]
    assert counties.loc["C01", "published_score"] == pytest.approx(C01_SCORE)
    # departments: published D01 (60.9) above D02 (59.2); on the on-time rate alone D02 (66.7 %) beats D01 (50 %)
    depts = weight_comparison(handcount_view, OCTOBER, by="dept", weights=only_on_time)
    assert list(depts["unit_code"]) == ["D02", "D01"]
    assert list(depts["published_rank"]) == [2, 1]
    assert list(depts["trial_rank"]) == [1, 2]
    assert list(depts["rank_difference"]) == [1, -1]
    assert list(comparison_table(depts)["rank_difference"]) == ["↑1", "↓1"]
    assert published_weights() == PUBLISHED
    assert by_code(scorecard(handcount_view, OCTOBER, by="dept")).loc["D01", "composite_score"] == \
        pytest.approx(D01_SCORE)
    assert weights_changed(only_on_time) and not weights_changed(tuple(PUBLISHED.items()))


def test_no_positive_weight_gives_no_trial(handcount_view):
    zero = tuple((k, 0.0) for k in PUBLISHED)
    comparison = weight_comparison(handcount_view, OCTOBER, by="county", weights=zero)
    assert comparison["trial_score"].isna().all() and comparison["trial_rank"].isna().all()
    with pytest.raises(ValueError):
        scorecard(handcount_view, OCTOBER, weights=zero)
    with pytest.raises(ValueError):
        weight_comparison(handcount_view, OCTOBER, weights=(("no_such", 1.0),))


def test_empty_period_has_no_rank(handcount_view):
    card = scorecard(handcount_view, Filters(Period.parse("2025-01")), by="county")
    assert list(card["unit_code"]) == ["C01", "C02"]
    assert card["composite_score"].isna().all() and card["rank"].isna().all()
    figure = charts.scorecard_contribution_bar(card, label_col="unit_name", parts={"contrib_on_time_rate": "x"},
                                               total_col="composite_score", empty_message="nothing")
    assert figure.layout.annotations[0].text == "nothing"


def test_table_rounds_as_the_catalog_says(handcount_view):
    table = scorecard_table(scorecard(handcount_view, OCTOBER, by="county"))
    assert table.loc[0, "composite_score"] == 77.4
    assert table.loc[0, "on_time_rate"] == 66.7
    assert table.loc[0, "rank_change"] == "持平"


def test_contribution_chart(handcount_view):
    card = scorecard(handcount_view, OCTOBER, by="county")
    parts = {f"contrib_{i.key}": i.label("zh") for i in weighted_indicators()}
    figure = charts.scorecard_contribution_bar(
        card, label_col="unit_name", parts=parts, hover_cols={f"contrib_{k}": f"hover_{k}" for k in PUBLISHED},
        total_col="composite_score", lost_label="未得分", axis_title="得分")
    bars = [tr for tr in figure.data if tr.type == "bar"]
    assert [b.name for b in bars] == [*parts.values(), "未得分"]
    assert list(bars[0].y) == ["甲区", "乙县"]
    assert bars[-1].x[0] == pytest.approx(100 - C01_SCORE)
    totals = next(tr for tr in figure.data if tr.type == "scatter")
    assert list(totals.text) == ["77.4", "40.1"]
    assert figure.layout.barmode == "stack"


# ---------------------------------------------------------------- the page in AppTest

PAGE = Path(__file__).resolve().parent.parent / "pages" / "scorecard.py"


def shown_scores(at: AppTest) -> dict[str, float]:
    table = at.dataframe[0].value
    return dict(zip(table["unit_name"], table["composite_score"], strict=True))


def expected_scores(data_folder: Path, filters: Filters, by: str = "county") -> dict[str, float]:
    view = SnapshotView(SnapshotStore(data_folder / "snapshots").get("handcount"))
    card = scorecard(view, filters, by=by)
    return dict(zip(card["unit_name"], card["composite_score"].round(1), strict=True))


def test_page_renders_the_hand_count(page):
    page.run()
    assert not page.exception
    assert page.title[0].value == text("title")
    assert any(text("method")[:20] in c.value for c in page.caption)
    assert shown_scores(page) == {"甲区": 77.4, "乙县": 40.1}
    assert len(page.get("plotly_chart")) == 1
    assert len(page.number_input) == len(PUBLISHED)
    assert any("甲区" in m.value and "77.4" in m.value for m in page.markdown)


def test_a_filter_changes_the_scores_to_the_query_layers(data_folder, page):
    page.run()
    before = shown_scores(page)
    page.multiselect(key="filter_channels").set_value(["online", "mobile"]).run()
    assert not page.exception
    after = shown_scores(page)
    assert after != before
    assert after == expected_scores(data_folder, Filters(Period.parse("2026-10"), channels=("online", "mobile")))
    page.selectbox(key="filter_period").set_value("2026-09").run()
    assert shown_scores(page) == expected_scores(data_folder, Filters(Period.parse("2026-09"),
                                                                      channels=("online", "mobile")))


def test_departments_and_trial_weights(data_folder, page):
    page.run()
    page.segmented_control(key="scorecard_by").set_value("dept").run()
    assert not page.exception
    assert shown_scores(page) == expected_scores(data_folder, OCTOBER, by="dept")
    for key in PUBLISHED:
        if key != "on_time_rate":
            page.number_input(key=f"scorecard_weight_{key}").set_value(0.0)
    page.run()
    assert not page.exception
    comparison = page.dataframe[-1].value
    assert list(comparison["unit_name"]) == ["人社局", "市场监管局"]
    assert list(comparison["published_rank"]) == [2, 1]
    assert list(comparison["trial_rank"]) == [1, 2]
    assert list(comparison["rank_difference"]) == ["↑1", "↓1"]
    assert published_weights() == PUBLISHED  # the published config is untouched
    page.button(key="scorecard_weights_reset").click().run()
    assert page.number_input(key="scorecard_weight_bad_rate").value == 5
    assert list(page.dataframe[-1].value["rank_difference"]) == ["持平", "持平"]


def test_all_weights_zero_warns(page):
    page.run()
    for key in PUBLISHED:
        page.number_input(key=f"scorecard_weight_{key}").set_value(0.0)
    page.run()
    assert not page.exception
    assert any(text("trial_no_weight") in w.value for w in page.warning)


def test_empty_period_shows_a_message(page):
    page.query_params["period"] = "2025-01"
    page.run()
    assert not page.exception
    assert any(text("empty") in i.value for i in page.info)
    assert not page.get("plotly_chart")


def test_english(page):
    page.query_params["lang"] = "en"
    page.run()
    assert not page.exception
    assert page.title[0].value == text("title", "en")
    assert list(page.dataframe[0].value["rank_change"]) == ["Same", "Same"]


def test_downloads_carry_the_headers_people_read(handcount_view):
    from xiaoneng.export import to_xlsx_bytes

    exported = scorecard_export(scorecard(handcount_view, OCTOBER, by="county"), "county")
    assert list(exported.columns[:3]) == [text("rank"), text("unit_county"), text("score")]
    assert "平均办理时长（工作日）" in exported.columns and "按时办结率" in exported.columns
    assert exported.iloc[0][text("score")] == 77.4
    assert to_xlsx_bytes(exported, "排名").startswith(b"PK")


# ---------------------------------------------------------------- a click on a unit's bar

def test_a_click_names_the_unit_and_the_indicator():
    assert focus_from_point({"customdata": ["C02", "contrib_on_time_rate", "hover"]}) == ("C02", "on_time_rate")
    assert focus_from_point({"customdata": ["C02", "lost", "未得分 59.9"]}) == ("C02", None)
    assert focus_from_point({"customdata": ["C02", "contrib_no_such", "x"]}) == ("C02", None)
    assert focus_from_point({"x": 40.1}) is None


def test_the_chart_carries_unit_and_part(handcount_view):
    card = scorecard(handcount_view, OCTOBER, by="county")
    figure = charts.scorecard_contribution_bar(
        card, label_col="unit_name", parts={"contrib_on_time_rate": "按时办结率"}, total_col="composite_score",
        hover_cols={"contrib_on_time_rate": "hover_on_time_rate"}, lost_label="未得分", code_col="unit_code")
    assert [list(c[:2]) for c in figure.data[0].customdata] == [["C01", "contrib_on_time_rate"],
                                                                 ["C02", "contrib_on_time_rate"]]
    assert figure.data[0].hovertemplate == "%{customdata[2]}<extra></extra>"
    assert [list(c[:2]) for c in figure.data[1].customdata] == [["C01", "lost"], ["C02", "lost"]]


def test_indicator_detail_says_value_target_and_points(handcount_view):
    card = scorecard(handcount_view, OCTOBER, by="county")
    # C02: on time 50 % against ≥ 95 %; the weight 20 of 95 present → 21.05 possible, 11.08 earned
    line = indicator_detail(unit_breakdown(card, "C02"), "on_time_rate")
    assert line == ("**按时办结率**：50.0%（≥ 95.0%），得 11.1 分，可得 21.1 分。"
                    + catalog()["on_time_rate"].definition("zh"))
    # C02 completed no immediate item: no value, no points
    assert "得 — 分，可得 — 分" in indicator_detail(unit_breakdown(card, "C02"), "immediate_rate")


def test_page_opens_the_clicked_units_breakdown_and_cases(page):
    """The chart's callback stores the click in scorecard_xf and the breakdown's selectbox (AppTest
    cannot click a Plotly chart, so the test sets both)."""
    page.run()
    assert any("甲区" in m.value and "77.4" in m.value for m in page.markdown)
    page.session_state["scorecard_xf"] = ("C02", "on_time_rate")
    page.session_state["scorecard_unit"] = "C02"
    page.run()
    assert not page.exception
    assert any("已选中：乙县 · 按时办结率" in i.value for i in page.info)
    assert any(m.value.startswith("**乙县** 综合得分 **40.1**") for m in page.markdown)
    assert any(m.value.startswith("**按时办结率**：50.0%") for m in page.markdown)
    # the cases behind C02's on-time rate: K10 on time, K06 open overdue → the one miss is K06
    cases = next(d.value for d in page.dataframe if "办件编号" in d.value.columns)
    assert cases["办件编号"].tolist() == ["K06"]
    page.button(key="scorecard_xf_reset").click().run()
    assert page.session_state["scorecard_xf"] is None
    assert not any("办件编号" in d.value.columns for d in page.dataframe)


def test_page_clicked_indicator_without_cases_says_where_to_look(page):
    page.session_state["scorecard_xf"] = ("C01", "satisfaction_index")
    page.session_state["scorecard_unit"] = "C01"
    page.run()
    assert not page.exception
    assert t("crossfilter_more.no_cases", indicator="满意度指数") in [i.value for i in page.info]
    page.segmented_control(key="scorecard_by").set_value("dept").run()
    assert page.session_state["scorecard_xf"] is None  # a county means nothing among departments

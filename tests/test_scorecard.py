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
    listable,
    rank_change_text,
    rank_text,
    red_and_black_lists,
    scorecard,
    scorecard_export,
    scorecard_table,
    text,
    unit_breakdown,
    unit_label,
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
# Targets (config/indicators.yaml): mean time ≤ 3 working days, 按期办结率 ≥ 95 %, 即办率 ≥ 98 %, 提前办结率
# ≥ 85 %, 网办率 ≥ 58 %, 差评率 ≤ 3 %, 满意率 ≥ 96 %, 差评整改率 ≥ 95 %, 满意度指数 ≥ 83, 督办 ≥ 90 %.
# A unit scores Σ weight × min(1, value ÷ target) (lower-better: target ÷ value) ÷ Σ weight of the
# indicators it has a value for, × 100.

# C01 甲区, October 2026 — every weighted indicator has a value (weights add to 100):
#   mean time over 承诺件: K05 9, K13 6 → 7.5 → 3/7.5     due: K05, K11, K13; by the deadline K05, K11 → 2/3
#   immediate: K11 same day → 100 % → 1                   early: K05 of the 承诺件 K05, K13 → 1/2 → ÷ 85 %
#   online: K07 online, K13 mobile of K07, K09, K11, K13 → 50 %   bad: R2 of R1, R2, R5 → 1/3 → 3 % ÷ 33.3 %
#   satisfied: R1, R5 of 3 → 2/3                          rectification due: R2 (10-29), rectified 10-30 → 1
#   survey 2026H1: S1 5, S2 4 → (4.5 − 1) × 25 = 87.5 ≥ 83 → 1   tasks: T1 on time, T3 overdue (T5 not due) → 50 %
C01_SCORE = (10 * 3 / 7.5 + 20 * (200 / 3) / 95 + 5 * 1 + 5 * 50 / 85 + 10 * 50 / 58 + 5 * 3 / (100 / 3)
             + 10 * (200 / 3) / 96 + 10 * 1 + 15 * 1 + 10 * 50 / 90)
# C02 乙县: no immediate item accepted, so immediate_rate has no value and the other weights (95 in
# all) share the score:
#   mean time: K10 3 → 1                  due: K06 (open, overdue), K10 on time → 1/2
#   early: K10 not early → 0             online: K06 mobile, K10 online of K06, K08, K10, K12 → 50 %
#   bad: R4, R8 of R3, R4, R6, R8 (R6 found unfounded on 10-23 is no 差评) → 50 %   satisfied: R3 → 25 %
#   rectification due: R4 (10-28), pending → 0 (R6 unfounded, R8 due 11-06)
#   survey: S3 3, S4 2 → 37.5            tasks: T2 late (T4 due after the snapshot) → 0
C02_SCORE = (10 * 1 + 20 * 50 / 95 + 5 * 0 + 10 * 50 / 58 + 5 * 3 / 50 + 10 * 25 / 96 + 10 * 0
             + 15 * 37.5 / 83 + 10 * 0) * 100 / 95
# October runs at the snapshot: the rank change compares with 1–30 September. C01 then: online 0 % (K05
# at the window) and the 2026H1 index 87.5 → 15 × 1 of 25; C02 has no case data then (nothing accepted,
# completed, due or open) → no score, no rank.
C01_SEPTEMBER = 100 * 15 / 25
# D01 市场监管局: mean K05 9 → 3/9; due K05 on time, K06 overdue → 50 %; no immediate item; early K05 → 100 %;
# online K06, K07 of K06, K07, K09, K12 → 50 %; bad R4, R8 of R1, R4, R8 → 66.7 %; satisfied R1 → 33.3 %;
# rectification: R4 due, pending → 0; survey S1, S2 → 87.5; tasks T1 on time → 100 %.
D01_SCORE = (10 * 3 / 9 + 20 * 50 / 95 + 5 * 1 + 10 * 50 / 58 + 5 * 3 / (200 / 3) + 10 * (100 / 3) / 96
             + 10 * 0 + 15 * 1 + 10 * 1) * 100 / 95
# D02 人社局: mean over 承诺件 K10 3, K13 6 → 4.5 → 3/4.5; due K10, K11 by the deadline of K10, K11, K13 → 2/3;
# immediate K11 → 1; early none of K10, K13 → 0; online K10, K13 of K08, K10, K11, K13 → 50 %; bad R2 of R2,
# R3, R5, R6 (R6 unfounded) → 25 %; satisfied R3, R5 → 50 %; rectified R2 → 1; survey S3, S4 → 37.5;
# tasks T2 late, T3 overdue → 0.
D02_SCORE = (10 * 3 / 4.5 + 20 * (200 / 3) / 95 + 5 * 1 + 5 * 0 + 10 * 50 / 58 + 5 * 3 / 25 + 10 * 50 / 96
             + 10 * 1 + 15 * 37.5 / 83 + 10 * 0)
# June 2026 (closed): C01 K14 due and late → 0 of 20, online 0 of 10, bad R9, R10 of 2 → 3/100 of 5,
# satisfied 0 of 10, rectification R10 of R9, R10 → 50/95 of 10, survey 2026H1 (completed 06-30) 87.5 →
# 15, tasks T7 (due 06-30 09:00, done 17:00 the same day) → 10: of 80. C02 K15 due and late → 0 of 20,
# online 1 of 1 → 10, survey 37.5/83 of 15, tasks T6 late → 0: of 55.
C01_JUNE = (5 * 3 / 100 + 10 * 50 / 95 + 15 + 10) * 100 / 80
C02_JUNE = (10 + 15 * 37.5 / 83) * 100 / 55
# July 2026: completions only. C01 K14 7 → 3/7 of 10, not early → 0 of 5, survey 15: of 30. C02 K15 8 →
# 3/8 of 10, 0 of 5, survey 37.5/83 of 15: of 30.
C01_JULY = (10 * 3 / 7 + 15) * 100 / 30
C02_JULY = (10 * 3 / 8 + 15 * 37.5 / 83) * 100 / 30
# A selection with no case, review, survey or task in it: C02 has no 公共服务 item in 市场监管局
EMPTY_COMBINATION = Filters(Period.parse("2026-10"), counties=("C02",), departments=("D01",), item_types=("公共服务",))
WITHOUT_DATA = pytest.mark.parametrize("filters", [
    Filters(Period.parse("2026-12")),  # a future month
    Filters(Period.parse("2025")),  # a year before the data (February 2026 on)
    EMPTY_COMBINATION,
], ids=["future-month", "previous-year", "empty-combination"])


def by_code(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("unit_code")


def test_published_weights_are_the_catalogs():
    assert published_weights() == PUBLISHED
    assert [i.key for i in weighted_indicators()] == list(PUBLISHED)


def test_county_scores_ranks_and_rank_change(handcount_view):
    card = scorecard(handcount_view, OCTOBER, by="county")
    assert list(card["unit_code"]) == ["C01", "C02"]  # best first
    rows = by_code(card)
    assert rows.loc["C01", "composite_score"] == pytest.approx(C01_SCORE)  # 72.55
    assert rows.loc["C02", "composite_score"] == pytest.approx(C02_SCORE)  # 40.87
    assert list(card["rank"]) == [1, 2]
    assert list(card["small_base"]) == [True, True]  # 4 accepted cases each, fewer than 30
    assert card["previous_covered"].all()
    assert rows.loc["C01", "previous_score"] == pytest.approx(C01_SEPTEMBER)
    assert pd.isna(rows.loc["C02", "previous_score"])
    assert rows.loc["C01", "previous_rank"] == 1 and pd.isna(rows.loc["C02", "previous_rank"])
    assert rows.loc["C01", "rank_change"] == 0 and pd.isna(rows.loc["C02", "rank_change"])
    assert rows.loc["C01", "score_change"] == pytest.approx(C01_SCORE - C01_SEPTEMBER)
    assert pd.isna(rows.loc["C02", "score_change"])
    assert rows.loc["C01", "on_time_rate"] == pytest.approx(200 / 3)
    assert rows.loc["C02", "on_time_rate"] == pytest.approx(50.0)


def test_rank_change_from_june_to_july(handcount_view):
    rows = by_code(scorecard(handcount_view, Filters(Period.parse("2026-07")), by="county"))
    assert rows.loc["C01", "composite_score"] == pytest.approx(C01_JULY)  # 64.3
    assert rows.loc["C02", "composite_score"] == pytest.approx(C02_JULY)  # 35.1
    assert rows.loc["C01", "previous_score"] == pytest.approx(C01_JUNE)  # 38.0
    assert rows.loc["C02", "previous_score"] == pytest.approx(C02_JUNE)  # 30.5
    assert list(rows["previous_rank"]) == [1, 2] and list(rows["rank_change"]) == [0, 0]


def test_rank_change_under_trial_weights(handcount_view):
    """The previous ranking is scored with the same weights. Only 网办率 and the mean time: in June C01
    accepted K14 at the window (0 %), C02 K15 online (100 %), no completion → C02 first; in July nothing was
    accepted, C01 completed K14 in 7 (3/7), C02 K15 in 8 (3/8) → C01 first: C01 ↑1, C02 ↓1."""
    weights = (("online_rate", 1.0), ("avg_elapsed_wd", 1.0))
    rows = by_code(scorecard(handcount_view, Filters(Period.parse("2026-07")), by="county", weights=weights))
    assert rows.loc["C01", "composite_score"] == pytest.approx(100 * 3 / 7)
    assert rows.loc["C02", "composite_score"] == pytest.approx(100 * 3 / 8)
    assert rows.loc["C01", "previous_score"] == 0.0 and rows.loc["C02", "previous_score"] == 100.0
    assert (rows.loc["C01", "previous_rank"], rows.loc["C01", "rank"], rows.loc["C01", "rank_change"]) == (2, 1, 1)
    assert (rows.loc["C02", "previous_rank"], rows.loc["C02", "rank"], rows.loc["C02", "rank_change"]) == (1, 2, -1)
    assert [rank_change_text(c) for c in rows["rank_change"]] == ["↑1", "↓1"]


def test_rank_change_against_an_uncovered_quarter(handcount_view):
    """2026-Q1 against 2025-Q4, which lies before the data: no previous rank for anyone (无可比数据) —
    not a ranking of 2025-Q4's survey wave alone."""
    card = scorecard(handcount_view, Filters(Period.parse("2026-Q1")), by="county")
    assert list(card["rank"]) == [1, 2]
    assert not card["previous_covered"].any()
    assert card["previous_rank"].isna().all() and card["previous_score"].isna().all()
    assert [rank_change_text(c) for c in card["rank_change"]] == ["无可比数据", "无可比数据"]
    assert "上期不在数据范围内，无可比数据" in breakdown_summary(card.iloc[0], unit_breakdown(card, "C01"))


def test_a_running_quarter_compares_with_the_same_span(handcount_view):
    """2026-Q4 at the snapshot (Fri 10-30 17:00) is 1–30 October so far: ranked against 1–30 July —
    C01 64.3 first, C02 35.1 second, as in July (K14, K15 completed 07-02, 07-03)."""
    rows = by_code(scorecard(handcount_view, Filters(Period.parse("2026-Q4")), by="county"))
    assert rows.loc["C01", "composite_score"] == pytest.approx(C01_SCORE)
    assert rows.loc["C01", "previous_score"] == pytest.approx(C01_JULY)
    assert rows.loc["C02", "previous_score"] == pytest.approx(C02_JULY)
    assert list(rows["rank_change"]) == [0, 0]


def test_contributions_add_up_to_the_score(handcount_view):
    rows = by_code(scorecard(handcount_view, OCTOBER, by="county"))
    contributions = rows[[f"contrib_{k}" for k in PUBLISHED]]
    assert contributions.sum(axis=1, min_count=1).tolist() == pytest.approx(rows["composite_score"].tolist())
    assert rows.loc["C01", "contrib_on_time_rate"] == pytest.approx(20 * (200 / 3) / 95)  # 14.04 points
    # C02's weights are shared among 95: the 按期办结率 may give 20 × 100/95 points, it gives 50/95 of them
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
    assert rows.loc["D01", "composite_score"] == pytest.approx(D01_SCORE)  # 59.13
    assert rows.loc["D02", "composite_score"] == pytest.approx(D02_SCORE)  # 56.91
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
    # C02 online/mobile: K06 due and open, K10 on time → 50 %; C01: K13 due and late (K07 due today, not yet) → 0 %
    assert online.loc["C01", "on_time_rate"] == 0.0
    assert online.loc["C02", "on_time_rate"] == 50.0


def test_rank_change_text():
    assert [rank_change_text(c) for c in (2, -1, 0, pd.NA, None)] == ["↑2", "↓1", "持平", "无可比数据", "无可比数据"]
    assert rank_change_text(0, "en") == "Same"
    assert rank_change_text(pd.NA, "en") == "no comparable data"


def test_rank_text_marks_small_bases():
    assert [rank_text(r, s) for r, s in ((1, False), (2, True), (pd.NA, False), (None, True))] == \
        ["1", "2（样本不足）", "无数据", "无数据"]
    assert rank_text(3, True, "en") == "3 (small base)"
    assert unit_label("甲区", True) == "甲区（样本不足）" and unit_label("甲区", False) == "甲区"


def test_small_bases_stay_off_the_red_and_black_lists():
    """One rule for every list: ranked units on a small base are left off both lists, keep their ranks,
    and a unit is never on both lists."""
    card = pd.DataFrame({"unit_code": list("ABCDEF"), "rank": pd.array([1, 2, 3, 4, 5, pd.NA], dtype="Int64"),
                         "small_base": [False, True, False, False, False, False],
                         "composite_score": [90.0, 85.0, 80.0, 70.0, 60.0, float("nan")]})
    assert list(listable(card)) == [True, False, True, True, True, False]  # F has no rank
    red, black = red_and_black_lists(card, 3)
    # four listable units: two on each list
    assert list(red["unit_code"]) == ["A", "C"] and list(black["unit_code"]) == ["E", "D"]
    assert list(red["rank"]) == [1, 3]  # the ranks among all ranked units
    everyone_small = card.assign(small_base=True)
    assert all(frame.empty for frame in red_and_black_lists(everyone_small, 3))
    assert all(frame.empty for frame in red_and_black_lists(card.drop(columns="small_base").iloc[:1], 3))


def test_breakdown_says_why(handcount_view):
    card = scorecard(handcount_view, OCTOBER, by="county")
    c01 = unit_breakdown(card, "C01")
    assert c01["possible_points"].sum() == pytest.approx(100)
    assert c01["points"].sum() == pytest.approx(C01_SCORE)
    # the biggest losses: the mean time 10 × (1 − 3/7.5) = 6.0 points, then 按期办结率 20 × (1 − 66.7/95) = 5.96
    assert list(c01["key"][:2]) == ["avg_elapsed_wd", "on_time_rate"]
    assert c01.iloc[0]["lost_points"] == pytest.approx(10 * (1 - 3 / 7.5))
    assert c01.iloc[1]["lost_points"] == pytest.approx(20 * (1 - (200 / 3) / 95))
    assert c01.iloc[1]["attainment_pct"] == pytest.approx(100 * (200 / 3) / 95)
    c02 = unit_breakdown(card, "C02").set_index("key")
    assert c02.loc["on_time_rate", "possible_points"] == pytest.approx(20 * 100 / 95)
    assert pd.isna(c02.loc["immediate_rate", "possible_points"])
    assert c02["lost_points"].sum() == pytest.approx(100 - C02_SCORE)
    line = breakdown_summary(card.iloc[0], c01)
    assert "甲区" in line and "72.5" in line and "平均办理时长（失 6.0 分）" in line and "按期办结率" in line
    assert "第 **1** 名（样本不足：受理办件少于30件，不列入红榜、黑榜）（上期第 1 名，持平）" in line
    assert "上期无排名，无可比数据" in breakdown_summary(card.iloc[1], unit_breakdown(card, "C02"))


def test_other_weights_rerank_without_touching_the_published_ones(handcount_view):
    only_on_time = (("on_time_rate", 1.0),)
    counties = weight_comparison(handcount_view, OCTOBER, by="county", weights=only_on_time).set_index("unit_code")
    # only the on-time rate: C01 66.7/95, C02 50/95
    assert counties.loc["C01", "trial_score"] == pytest.approx(100 * (200 / 3) / 95)
    assert counties.loc["C02", "trial_score"] == pytest.approx(100 * 50 / 95)
    assert counties.loc["C01", "trial_rank"] < counties.loc["C02", "trial_rank"]
    assert counties.loc["C01", "published_score"] == pytest.approx(C01_SCORE)
    # departments: published D01 (59.1) above D02 (56.9); on 按期办结率 alone D02 (66.7 %) beats D01 (50 %)
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


@WITHOUT_DATA
def test_a_selection_without_data_has_no_rank(handcount_view, filters):
    card = scorecard(handcount_view, filters, by="county")
    assert list(card["unit_code"]) == ["C01", "C02"]
    assert card["composite_score"].isna().all() and card["rank"].isna().all() and not card["small_base"].any()
    assert list(scorecard_table(card)["rank"]) == ["无数据", "无数据"]
    assert list(scorecard_table(card)["rank_change"]) == ["无可比数据", "无可比数据"]
    assert all(frame.empty for frame in red_and_black_lists(card, 3))
    figure = charts.scorecard_contribution_bar(card, label_col="unit_name", parts={"contrib_on_time_rate": "x"},
                                               total_col="composite_score", empty_message="nothing")
    assert figure.layout.annotations[0].text == "nothing"


@WITHOUT_DATA
def test_trial_weights_without_data_rank_nobody(handcount_view, filters):
    comparison = weight_comparison(handcount_view, filters, by="dept", weights=(("on_time_rate", 1.0),))
    assert list(comparison["unit_code"]) == ["D01", "D02"]
    assert comparison[["published_rank", "trial_rank", "rank_difference"]].isna().all().all()
    assert comparison[["published_score", "trial_score"]].isna().all().all()


def test_table_rounds_as_the_catalog_says(handcount_view):
    table = scorecard_table(scorecard(handcount_view, OCTOBER, by="county"))
    assert table.loc[0, "composite_score"] == 72.5
    assert table.loc[0, "on_time_rate"] == 66.7
    assert list(table["rank"]) == ["1（样本不足）", "2（样本不足）"]
    assert list(table["rank_change"]) == ["持平", "无可比数据"]
    assert table.loc[0, "score_change"] == pytest.approx(round(C01_SCORE - C01_SEPTEMBER, 1))


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
    assert list(totals.text) == ["72.5", "40.9"]
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
    assert shown_scores(page) == {"甲区": 72.5, "乙县": 40.9}
    assert len(page.get("plotly_chart")) == 1
    assert len(page.number_input) == len(PUBLISHED)
    assert any("甲区" in m.value and "72.5" in m.value for m in page.markdown)


def test_a_filter_changes_the_scores_to_the_query_layers(data_folder, page):
    page.run()
    before = shown_scores(page)
    page.multiselect(key="filter_channels").set_value(["online", "mobile"]).run()
    assert not page.exception
    after = shown_scores(page)
    assert after != before
    assert after == expected_scores(data_folder, Filters(Period.parse("2026-10"), channels=("online", "mobile")))
    page.selectbox(key="filter_period").set_value("2026-06").run()
    # June online or mobile: K15 (乙县) alone; 甲区's K14 came in at the window → no case data, no rank
    june = expected_scores(data_folder, Filters(Period.parse("2026-06"), channels=("online", "mobile")))
    shown = shown_scores(page)
    assert shown["乙县"] == june["乙县"] and pd.isna(shown["甲区"]) and pd.isna(june["甲区"])
    page.selectbox(key="filter_period").set_value("2026-09").run()
    assert not page.exception  # September's one case, K05, came in at the window: nothing to rank
    assert text("empty") in [i.value for i in page.info]


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


@pytest.mark.parametrize("params", [
    {"period": "2026-12"},  # a future month
    {"period": "2025"},  # a year before the data
    {"period": "2026-10", "counties": "C02", "departments": "D01", "item_types": "公共服务"},  # nothing in it
], ids=["future-month", "previous-year", "empty-combination"])
def test_page_without_data_says_no_data_and_keeps_the_trial_weights(page, params):
    for key, value in params.items():
        page.query_params[key] = value
    page.run()
    assert not page.exception
    infos = [i.value for i in page.info]
    assert text("empty") in infos and text("trial_empty") in infos
    assert not page.get("plotly_chart") and not page.dataframe  # no ranking, no table, no trial ranking
    assert len(page.number_input) == len(PUBLISHED)  # the weights can still be tried
    page.number_input(key="scorecard_weight_on_time_rate").set_value(40.0).run()
    assert not page.exception and page.number_input(key="scorecard_weight_on_time_rate").value == 40.0
    page.segmented_control(key="scorecard_by").set_value("dept").run()
    assert not page.exception and text("empty") in [i.value for i in page.info]


def test_page_of_a_running_quarter(page):
    page.query_params["period"] = "2026-Q4"
    page.run()
    assert not page.exception
    captions = [c.value for c in page.caption]
    assert any("比较期：2026年7月1日至7月30日" in c for c in captions)  # the rank change's span
    note = next(c for c in captions if c.startswith("统计期尚未结束"))
    assert "截至10月30日" in note and "2025年10月1日至10月30日（不在数据范围内，无可比数据）" in note
    table = page.dataframe[0].value
    assert list(table["rank_change"]) == ["持平", "持平"]  # July: C01 64.3, C02 35.1
    assert list(table["rank"]) == ["1（样本不足）", "2（样本不足）"]


def test_english(page):
    page.query_params["lang"] = "en"
    page.run()
    assert not page.exception
    assert page.title[0].value == text("title", "en")
    assert list(page.dataframe[0].value["rank_change"]) == ["Same", "no comparable data"]


def test_downloads_carry_the_headers_people_read(handcount_view):
    from xiaoneng.export import to_xlsx_bytes

    exported = scorecard_export(scorecard(handcount_view, OCTOBER, by="county"), "county")
    assert list(exported.columns[:3]) == [text("rank"), text("unit_county"), text("score")]
    assert "平均办理时长（工作日）" in exported.columns and "按期办结率" in exported.columns
    assert exported.iloc[0][text("score")] == 72.5
    assert exported.iloc[0][text("rank")] == "1（样本不足）"
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
        card, label_col="unit_name", parts={"contrib_on_time_rate": "按期办结率"}, total_col="composite_score",
        hover_cols={"contrib_on_time_rate": "hover_on_time_rate"}, lost_label="未得分", code_col="unit_code")
    assert [list(c[:2]) for c in figure.data[0].customdata] == [["C01", "contrib_on_time_rate"],
                                                                 ["C02", "contrib_on_time_rate"]]
    assert figure.data[0].hovertemplate == "%{customdata[2]}<extra></extra>"
    assert [list(c[:2]) for c in figure.data[1].customdata] == [["C01", "lost"], ["C02", "lost"]]


def test_indicator_detail_says_value_target_and_points(handcount_view):
    card = scorecard(handcount_view, OCTOBER, by="county")
    # C02: 按期办结率 50 % against ≥ 95 %; the weight 20 of 95 present → 21.05 possible, 11.08 earned
    line = indicator_detail(unit_breakdown(card, "C02"), "on_time_rate")
    assert line == ("**按期办结率**：50.0%（≥ 95.0%），得 11.1 分，可得 21.1 分。"
                    + catalog()["on_time_rate"].definition("zh"))
    # C02 accepted no immediate item: no value (无数据), no points
    detail = indicator_detail(unit_breakdown(card, "C02"), "immediate_rate")
    assert "**即办率**：无数据" in detail and "得 — 分，可得 — 分" in detail


def test_page_opens_the_clicked_units_breakdown_and_cases(page):
    """The chart's callback puts the unit into the URL (xf_county) and the indicator into
    scorecard_xf_indicator (AppTest cannot click a Plotly chart, so the test sets both)."""
    page.run()
    assert any("甲区" in m.value and "72.5" in m.value for m in page.markdown)
    page.query_params["xf_county"] = "C02"
    page.session_state["scorecard_xf_indicator"] = "on_time_rate"
    page.run()
    assert not page.exception
    assert page.button(key="scorecard_xf_chip_county").label == "区县：乙县"
    assert any("已选中：乙县 · 按期办结率" in i.value for i in page.info)
    assert any(m.value.startswith("**乙县** 综合得分 **40.9**") for m in page.markdown)  # the breakdown opens on it
    assert any(m.value.startswith("**按期办结率**：50.0%") for m in page.markdown)
    # the ranking keeps both counties (the clicked one highlighted)
    ranking = next(d.value for d in page.dataframe if "composite_score" in d.value.columns)
    assert len(ranking) == 2
    # the cases behind C02's 按期办结率: K06 and K10 due, K10 by its deadline → the one miss is K06
    cases = next(d.value for d in page.dataframe if "办件编号" in d.value.columns)
    assert cases["办件编号"].tolist() == ["K06"]
    page.button(key="scorecard_xf_reset").click().run()
    assert page.session_state["scorecard_xf_indicator"] is None
    assert not any("办件编号" in d.value.columns for d in page.dataframe)
    assert page.query_params["xf_county"] == "C02"  # the unit stays until its chip is removed


def test_a_county_chip_narrows_the_department_ranking(page, handcount_view):
    page.query_params["xf_county"] = "C02"
    page.session_state["scorecard_xf_indicator"] = "on_time_rate"
    page.run()
    page.segmented_control(key="scorecard_by").set_value("dept").run()
    assert not page.exception
    assert page.session_state["scorecard_xf_indicator"] is None  # an indicator of a county's bar
    ranking = next(d.value for d in page.dataframe if "composite_score" in d.value.columns)
    in_c02 = scorecard(handcount_view, Filters(OCTOBER.period, counties=("C02",)), by="dept")
    whole = scorecard(handcount_view, OCTOBER, by="dept")
    assert not in_c02["composite_score"].equals(whole["composite_score"])
    assert ranking["composite_score"].round(1).tolist() == in_c02["composite_score"].round(1).tolist()
    page.button(key="scorecard_xf_chip_county").click().run()
    ranking = next(d.value for d in page.dataframe if "composite_score" in d.value.columns)
    assert ranking["composite_score"].round(1).tolist() == whole["composite_score"].round(1).tolist()


def test_page_clicked_indicator_without_cases_says_where_to_look(page):
    page.query_params["xf_county"] = "C01"
    page.session_state["scorecard_xf_indicator"] = "satisfaction_index"
    page.run()
    assert not page.exception
    assert t("crossfilter_more.no_cases", indicator="满意度指数") in [i.value for i in page.info]


def test_close_scores_get_the_decimal_that_tells_them_apart():
    from xiaoneng.scorecard import score_places

    assert score_places([93.24, 93.16, 90.0]) == 2  # both read 93.2 at one decimal, ranked 1 and 2
    assert score_places([93.24, 93.24, 90.0]) == 1  # an exact tie shares its rank: nothing to tell apart
    assert score_places([93.2, 91.1, float("nan"), None]) == 1
    assert score_places([]) == 1


def test_the_contribution_chart_writes_close_totals_apart():
    card = pd.DataFrame({"unit_name": ["甲区", "乙县", "丙县"], "contrib_on_time_rate": [93.24, 93.16, 90.0],
                         "composite_score": [93.24, 93.16, 90.0]})
    figure = charts.scorecard_contribution_bar(card, label_col="unit_name", parts={"contrib_on_time_rate": "x"},
                                               total_col="composite_score")
    totals = next(tr for tr in figure.data if tr.type == "scatter")
    assert list(totals.text) == ["93.24", "93.16", "90.00"]  # not "93.2" twice, ranked 1 and 2


def test_every_list_of_close_scores_writes_the_decimal_that_parts_them():
    """93.24 and 93.16 ranked 1 and 2: the 红榜 panel, the slides' list table and the 通报's ranking
    sentence write 93.24 and 93.16, never 93.2 twice; a ranking with scores apart keeps one decimal."""
    from xiaoneng import briefing, bulletin, overview
    from xiaoneng.scorecard import score_places

    card = pd.DataFrame({"unit_code": ["C01", "C02", "C03", "C04"], "unit_name": ["甲区", "乙县", "丙县", "丁县"],
                         "rank": pd.array([1, 2, 3, 4], dtype="Int64"), "composite_score": [93.24, 93.16, 90.0, 85.0],
                         "rank_change": pd.array([0, 1, -1, 0], dtype="Int64"), "small_base": False,
                         "previous_covered": True})
    red, _ = red_and_black_lists(card, 2)
    panel = overview.honour_list_html(red, "red")
    assert "93.24" in panel and "93.16" in panel and "93.2<" not in panel
    table = briefing._list_table(red, "zh", score_places(card["composite_score"]))
    assert table[t("ranking.score")].tolist() == ["93.24", "93.16"]
    sentences, black = bulletin._lists(card, "county", 2, "zh")
    assert "93.24" in sentences[0] and "93.16" in sentences[0]
    assert black["score_text"].tolist() == ["85.00", "90.00"]  # the 整改 items read the ranking's decimals
    apart = card.assign(composite_score=[98.0, 93.2, 90.0, 85.0])
    assert "93.2<" in overview.honour_list_html(red_and_black_lists(apart, 2)[0], "red")

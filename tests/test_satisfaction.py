"""The Satisfaction page (满意度): its data functions counted by hand on tests/handcount.py, and the
page in AppTest.

The October 2026 reviews of the fixture (snapshot time Friday 2026-10-30 17:00), from its rows:

    id  county dept channel  rated        score  tags        bad-review state at the snapshot
    R1  C01    D01  window   10-21 15:00  5      服务热情
    R2  C01    D02  mobile   10-27 18:00  1      办事效率低  rectified 10-30 10:00, due 10-29 17:00: late
    R3  C02    D02  online   10-16 09:00  3
    R4  C02    D01  hotline  10-20 09:00  2      态度不好    pending, due 10-28 17:00: overdue
    R5  C01    D02  window   10-10 12:00  4
    R6  C02    D02  sms      10-22 09:00  2      —           unfounded (verified 10-23): no 差评 from then on
    R8  C02    D01  hotline  10-29 09:00  1      办事效率低  pending, due 11-06 17:00: not yet due
    (R7, C01 D01 window, 2026-02-28, score 5; R9, C01 D01 hotline, 06-24, score 2, due 06-30 17:00,
    rectified 07-06; R10, C01 D01 sms, 06-10, score 1, no due time → due 10 working days after its
    verification on 06-11 = 06-26, rectified 06-15: the reviews outside October.)

Surveys: 2026H1 S1 (群众 C01 D01 服务态度 5), S2 (群众 C01 D01 服务态度 4), S3 (企业 C02 D02 办事效率 3),
S4 (企业 C02 D02 办事效率 2); 2025H2 S5 (群众 C01 D01 服务态度 1), S6 (企业 C02 D02 办事效率 3).
Index = (mean − 1) × 25.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from tests import handcount
from tests.apptest import assert_no_data_for, metric_values, metrics_before_and_after_county
from xiaoneng import satisfaction
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, indicator_table
from xiaoneng.paths import REPO_ROOT
from xiaoneng.reference import load_calendar_days
from xiaoneng.schema import FACT_TABLES
from xiaoneng.snapshots import SnapshotStore

OCTOBER = Filters(Period.parse("2026-10"))
PAGE = Path(__file__).resolve().parent.parent / "pages" / "satisfaction.py"
TIMEOUT = 30


def by_code(frame: pd.DataFrame, column: str = "code") -> dict:
    return {row[column]: row for row in frame.to_dict("records")}


# ---------------------------------------------------------------- levels and rates

def test_levels_of_october(handcount_view):
    levels = satisfaction.rating_levels(handcount_view, OCTOBER)
    # R1 5; R5 4; R3 3; R4, R6 2; R2, R8 1 — seven reviews, every level present, best first
    assert levels["score"].tolist() == [5, 4, 3, 2, 1]
    assert levels["ratings"].tolist() == [1, 1, 1, 2, 2]
    assert levels["level"].tolist() == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert levels["share_pct"].round(1).tolist() == [14.3, 14.3, 14.3, 28.6, 28.6]


def test_levels_follow_the_filters(handcount_view):
    # C01: R1 (5), R5 (4), R2 (1); levels without a review are kept with 0
    c01 = satisfaction.rating_levels(handcount_view, dataclasses.replace(OCTOBER, counties=("C01",)))
    assert c01["ratings"].tolist() == [1, 1, 0, 0, 1]
    # window reviews only: R1 (5), R5 (4)
    window = satisfaction.rating_levels(handcount_view, dataclasses.replace(OCTOBER, channels=("window",)))
    assert window["ratings"].tolist() == [1, 1, 0, 0, 0]
    # September: no review at all — zeros and no share
    empty = satisfaction.rating_levels(handcount_view, Filters(Period.parse("2026-09")))
    assert empty["ratings"].sum() == 0 and empty["share_pct"].isna().all()


def test_rates_by_department(handcount_view):
    rates = by_code(satisfaction.rating_rates(handcount_view, OCTOBER, by="dept"))
    # D01: R1 5, R4 2, R8 1 → good 1, bad 2, satisfied (3–5) 1 of 3
    d01 = rates["D01"]
    assert (d01["name"], d01["ratings"], d01["ratings_good"], d01["ratings_bad"], d01["ratings_satisfied"]) == \
        ("市场监管局", 3, 1, 2, 1)
    assert [round(d01[k], 1) for k in ("good_rate", "bad_rate", "satisfied_rate")] == [33.3, 66.7, 33.3]
    # D02: R2 1, R3 3, R5 4, R6 2 → good 1, satisfied 2 of 4; bad R2 only (R6 was found unfounded on
    # 10-23, before the state time) → 1 of 4
    d02 = rates["D02"]
    assert [d02[k] for k in ("good_rate", "bad_rate", "satisfied_rate")] == [25.0, 25.0, 50.0]


def test_rates_by_county_and_channel(handcount_view):
    counties = by_code(satisfaction.rating_rates(handcount_view, OCTOBER, by="county"))
    # C01: R1 5, R2 1, R5 4 → good 2, bad 1, satisfied 2 of 3; C02: R3 3, R4 2, R6 2 (unfounded), R8 1 →
    # good 0, bad 2 (R4, R8), satisfied 1 of 4
    assert [counties["C01"][k] for k in ("ratings", "ratings_good", "ratings_bad", "ratings_satisfied")] == [3, 2, 1, 2]
    assert [counties["C02"][k] for k in ("good_rate", "bad_rate", "satisfied_rate")] == [0.0, 50.0, 25.0]
    channels = satisfaction.rating_rates(handcount_view, OCTOBER, by="channel")
    # schema order of rating channels; hotline R4 2, R8 1 → all bad; window R1 5, R5 4 → all good;
    # sms R6 2 was found unfounded → no bad review
    assert channels["code"].tolist() == ["window", "online", "mobile", "sms", "hotline"]
    assert channels["ratings"].tolist() == [2, 1, 1, 1, 2]
    assert channels["name"].tolist() == ["窗口", "网上", "移动端", "短信", "12345热线"]
    rows = by_code(channels)
    assert (rows["hotline"]["bad_rate"], rows["window"]["good_rate"], rows["online"]["satisfied_rate"]) == \
        (100.0, 100.0, 100.0)
    assert rows["sms"]["bad_rate"] == 0.0
    with pytest.raises(ValueError):
        satisfaction.rating_rates(handcount_view, OCTOBER, by="item")


def test_rates_add_up_to_the_catalog_values(handcount_view):
    """The groups' counts sum to the whole selection's, whose rates are the headline indicators'."""
    total = indicator_table(handcount_view, OCTOBER).iloc[0]
    for by in satisfaction.RATE_GROUPINGS:
        rates = satisfaction.rating_rates(handcount_view, OCTOBER, by=by)
        assert rates["ratings"].sum() == total["ratings"] == 7
        assert rates["ratings_good"].sum() == total["ratings_good"] == 2
        # bad: R2, R4, R8 — R6 was found unfounded on 10-23, before the state time (10-30 17:00)
        assert rates["ratings_bad"].sum() == total["ratings_bad"] == 3
        assert rates["ratings_satisfied"].sum() == total["ratings_satisfied"] == 3


def test_worst_first_reads_the_direction_from_the_catalog(handcount_view):
    rates = satisfaction.rating_rates(handcount_view, OCTOBER, by="dept")
    # 满意率 higher is better: D01 (33.3) is worse than D02 (50.0); 差评率 lower is better: D01 (66.7) worse
    assert satisfaction.worst_first(rates, "satisfied_rate")["code"].tolist() == ["D01", "D02"]
    assert satisfaction.worst_first(rates, "bad_rate")["code"].tolist() == ["D01", "D02"]
    # 好评率: D02 25.0 below D01 33.3
    assert satisfaction.worst_first(rates, "good_rate")["code"].tolist() == ["D02", "D01"]


def test_trend_has_twelve_months_with_gaps(handcount_view):
    # November 2025 … October 2026; February holds R7 (5), June R9 (2) and R10 (1), October the seven
    # reviews, the rest nothing
    trend = satisfaction.rating_trend(handcount_view, OCTOBER)
    assert len(trend) == 12
    assert trend["month"].iloc[0].isoformat() == "2025-11-01" and trend["month"].iloc[-1].isoformat() == "2026-10-01"
    counts = dict(zip(trend["month_label"], trend["ratings"], strict=True))
    assert counts["2026年2月"] == 1 and counts["2026年6月"] == 2 and counts["2026年10月"] == 7
    assert sum(counts.values()) == 10
    october = trend.iloc[-1]
    assert round(october["satisfied_rate"], 1) == 42.9  # 3 of 7
    # October's 差评率 as the card's: R2, R4, R8 of 7 (R6 unfounded on 10-23) → 42.9 %
    assert round(october["bad_rate"], 1) == 42.9
    assert trend.iloc[3]["good_rate"] == 100.0  # February: R7 scored 5
    assert trend.iloc[7]["bad_rate"] == 100.0  # June: R9 and R10, both verified bad reviews
    assert trend["good_rate"].isna().sum() == 9  # months without reviews have no rate (gaps, not zeros)
    assert trend["month_tick"].tolist() == ["", "", "2026年1月", "", "", "2026年4月", "", "", "2026年7月", "", "",
                                            "2026年10月"]
    # a year period is that year's twelve months
    year = satisfaction.rating_trend(handcount_view, Filters(Period.parse("2026")))
    assert year["month"].iloc[0].isoformat() == "2026-01-01" and len(year) == 12


# ---------------------------------------------------------------- bad reviews

def test_bad_review_reasons_of_october(handcount_view):
    reasons = satisfaction.bad_review_reasons(handcount_view, OCTOBER)
    # bad reviews R2 (办事效率低), R4 (态度不好), R6 (no tag), R8 (办事效率低): the untagged row last
    assert reasons["reason_label"].tolist() == ["办事效率低", "态度不好", "未注明原因"]
    assert reasons["bad_reviews"].tolist() == [2, 1, 1]
    assert reasons["share_pct"].tolist() == [50.0, 25.0, 25.0]
    assert reasons["reason"].isna().tolist() == [False, False, True]
    assert satisfaction.bad_review_reasons(handcount_view, Filters(Period.parse("2026-09"))).empty


def test_reason_tags_are_split_and_counted_once_per_review(tmp_path):
    """Tags split on ';' and trimmed; a tag repeated in one review counts once; blank tags are no
    reason; a review giving only blanks counts as giving none."""
    extra = [
        handcount._rating("X1", None, "C01", "D01", None, "sms", "2026-10-05 09:00", 1, tags="态度不好; 多次跑动"),
        handcount._rating("X2", None, "C01", "D01", None, "sms", "2026-10-06 09:00", 2, tags="多次跑动;多次跑动;"),
        handcount._rating("X3", None, "C01", "D01", None, "sms", "2026-10-07 09:00", 2, tags=" ; "),
        handcount._rating("X4", None, "C01", "D01", None, "sms", "2026-10-08 09:00", 4, tags="多次跑动"),  # good
    ]
    facts = handcount.fact_tables()
    facts["ratings"] = pa.Table.from_pylist(handcount.RATINGS + extra, schema=FACT_TABLES["ratings"].arrow_schema())
    info = SnapshotStore(tmp_path).publish(
        "tags", as_of=handcount.AS_OF, reference=handcount.reference_tables(),
        calendar_days=load_calendar_days(REPO_ROOT / "data" / "reference"), facts=facts,
        producer="tests/test_satisfaction.py",
    )
    reasons = satisfaction.bad_review_reasons(SnapshotView(info), OCTOBER).set_index("reason_label")
    # 7 bad reviews: R2, R4, R6, R8, X1, X2, X3. 多次跑动: X1, X2 (once); 态度不好: R4, X1;
    # 办事效率低: R2, R8; no reason: R6, X3
    assert reasons["bad_reviews"].to_dict() == {"多次跑动": 2, "态度不好": 2, "办事效率低": 2, "未注明原因": 2}
    assert round(reasons.loc["多次跑动", "share_pct"], 1) == round(2 / 7 * 100, 1)


def test_rectification_by_department_of_october(handcount_view):
    frame = satisfaction.rectification_by_department(handcount_view, OCTOBER)
    # D01 leaves R4 unrectified past its due time (10-28 17:00 < 10-30 17:00): it comes first
    assert frame["dept_code"].tolist() == ["D01", "D02"]
    rows = by_code(frame, "dept_code")
    d01, d02 = rows["D01"], rows["D02"]
    states = list(satisfaction.RECTIFICATION_STATES)
    # D01: R4 pending overdue, R8 pending and due 11-06 (not yet due)
    assert {s: d01[s] for s in states} == {"pending_overdue": 1, "rectified_late": 0, "pending_not_due": 1,
                                           "unverified": 0, "rectified_on_time": 0, "unfounded": 0}
    # D02: R2 rectified 10-30 10:00 after its due time 10-29 17:00 (late); R6 unfounded
    assert {s: d02[s] for s in states} == {"pending_overdue": 0, "rectified_late": 1, "pending_not_due": 0,
                                           "unverified": 0, "rectified_on_time": 0, "unfounded": 1}
    # due for rectification: D01 R4 (R8 not yet), D02 R2 → 差评整改率 0 % and 100 %, on time 0 % both
    assert (d01["bad_due"], d01["rectification_rate"], d01["rectified_on_time_rate"]) == (1, 0.0, 0.0)
    assert (d02["bad_due"], d02["rectification_rate"], d02["rectified_on_time_rate"]) == (1, 100.0, 0.0)
    assert (frame["bad_reviews"] == frame[states].sum(axis=1)).all()


def test_rectification_adds_up_to_the_catalog_rates(handcount_view):
    """Summed over departments the states give the headline 差评整改率 (1 of 2 = 50 %) and 按时整改率 (0 %)."""
    for filters in (OCTOBER, Filters(Period.parse("2026-10-01..2026-10-27")), Filters(Period.parse("2026"))):
        frame = satisfaction.rectification_by_department(handcount_view, filters)
        total = indicator_table(handcount_view, filters).iloc[0]
        assert frame["bad_due"].sum() == total["bad_due"]
        assert frame["bad_rectified"].sum() == total["bad_rectified"]
        assert frame["bad_rectified_on_time"].sum() == total["bad_rectified_on_time"]
    assert indicator_table(handcount_view, OCTOBER).iloc[0]["rectification_rate"] == 50.0


def test_rectification_due_is_judged_at_the_period_end(handcount_view):
    """1–27 October: the state moment is the close of 10-27 (10-28 00:00). R4's due day (10-28) had not
    closed, so R4 is still inside its window; R2 (rated 10-27 18:00) was verified only on 10-28 10:00,
    so at the end of the period it is unverified (its later late rectification had not happened);
    R6 was found unfounded on 10-23; R8 (rated 10-29) is outside the period. Nothing fell due in
    1–27 October (R4 is due 10-28, R2 10-29): no 差评整改率."""
    frame = satisfaction.rectification_by_department(handcount_view, Filters(Period.parse("2026-10-01..2026-10-27")))
    rows = by_code(frame, "dept_code")
    assert (rows["D01"]["pending_overdue"], rows["D01"]["pending_not_due"]) == (0, 1)
    assert (rows["D02"]["rectified_late"], rows["D02"]["unverified"], rows["D02"]["unfounded"]) == (0, 1, 1)
    assert frame["bad_reviews"].sum() == 3
    assert frame["bad_due"].sum() == 0 and frame["rectification_rate"].isna().all()


def test_rectification_counts_the_reviews_that_fell_due(handcount_view):
    """June: R9 (due 06-30 17:00, rectified 07-06) and R10 (no due time: 10 working days after its
    verification on Thu 06-11 — 06-12, 06-15..18, 06-22..26, 06-19 being the Dragon Boat holiday — so
    Fri 06-26; rectified 06-15) fell due; at the close of June R10 is rectified on time, R9 not yet
    → 差评整改率 1/2, 按时 1/2. July: R9's late rectification does not move June's figures, and no
    review falls due in July."""
    june = satisfaction.rectification_by_department(handcount_view, Filters(Period.parse("2026-06")))
    d01 = by_code(june, "dept_code")["D01"]
    assert (d01["bad_reviews"], d01["pending_overdue"], d01["rectified_on_time"]) == (2, 1, 1)
    assert (d01["bad_due"], d01["bad_rectified"], d01["bad_rectified_on_time"]) == (2, 1, 1)
    assert (d01["rectification_rate"], d01["rectified_on_time_rate"]) == (50.0, 50.0)
    july = satisfaction.rectification_by_department(handcount_view, Filters(Period.parse("2026-07")))
    assert july.empty


# ---------------------------------------------------------------- surveys

def test_survey_waves(handcount_view):
    waves = satisfaction.survey_waves(handcount_view, OCTOBER).iloc[0]
    assert (waves["wave"], waves["previous_wave"]) == ("2026H1", "2025H2")
    assert (waves["wave_label"], waves["previous_wave_label"]) == ("2026年上半年", "2025年下半年")
    assert satisfaction.survey_waves(handcount_view, OCTOBER, "en").iloc[0]["wave_label"] == "2026 H1"
    # a wave counts once completed: at the close of May 2026 the latest is 2025H2 (ended 12-31), at the
    # close of June 2026H1 (ends 06-30)
    may = satisfaction.survey_waves(handcount_view, Filters(Period.parse("2026-05"))).iloc[0]
    assert (may["wave"], may["previous_wave"]) == ("2025H2", None)
    assert satisfaction.survey_waves(handcount_view, Filters(Period.parse("2026-06"))).iloc[0]["wave"] == "2026H1"
    # 2025 lies before the data (February 2026) and December 2026 after the snapshot: no wave, 无数据
    for period in ("2025-06", "2026-12"):
        waves = satisfaction.survey_waves(handcount_view, Filters(Period.parse(period))).iloc[0]
        assert waves["wave"] is None and waves["wave_label"] == t("kpi.no_value")


def test_survey_heatmap_cells(handcount_view):
    cells = satisfaction.survey_by_department_dimension(handcount_view, OCTOBER)
    # two departments with responses × the five dimensions
    assert len(cells) == 10
    rows = {(r["dept_code"], r["dimension"]): r for r in cells.to_dict("records")}
    # D01 服务态度: 2026H1 S1 5, S2 4 → mean 4.5 → 87.5; 2025H2 S5 1 → 0.0; change +87.5
    d01 = rows[("D01", "服务态度")]
    assert (d01["survey_index"], d01["survey_index_previous"], d01["survey_index_change"]) == (87.5, 0.0, 87.5)
    assert (d01["index_text"], d01["previous_text"], d01["change_text"], d01["survey_responses"]) == \
        ("87.5", "0.0", "+87.5", 2)
    # D02 办事效率: S3 3, S4 2 → 2.5 → 37.5; 2025H2 S6 3 → 50.0; change −12.5
    d02 = rows[("D02", "办事效率")]
    assert (d02["survey_index"], d02["survey_index_previous"], d02["change_text"]) == (37.5, 50.0, "-12.5")
    # a dimension nobody scored has no value: 无数据, and no comparable change
    empty = rows[("D01", "政务公开")]
    assert math.isnan(empty["survey_index"]) and empty["index_text"] == t("kpi.no_value")
    assert empty["change_text"] == t("analysis.no_comparison") and empty["survey_responses"] == 0


def test_survey_by_respondent_group(handcount_view):
    groups = satisfaction.survey_by_group(handcount_view, OCTOBER)
    # 群众: S1 5, S2 4 → 87.5 (2025H2 S5 1 → 0.0); 企业: S3 3, S4 2 → 37.5 (S6 3 → 50.0);
    # all: mean 3.5 → 62.5 (the catalog's satisfaction_index) against 2025H2 mean 2 → 25.0
    assert groups["group_name"].tolist() == ["群众", "企业", "全部群体"]
    assert groups["survey_index"].tolist() == [87.5, 37.5, 62.5]
    assert groups["survey_index_previous"].tolist() == [0.0, 50.0, 25.0]
    assert groups["survey_index_change"].tolist() == [87.5, -12.5, 37.5]
    assert groups["survey_responses"].tolist() == [2, 2, 4]
    assert indicator_table(handcount_view, OCTOBER).iloc[0]["satisfaction_index"] == 62.5
    # May 2026: the latest completed wave is 2025H2 (S5 群众 1 → 0.0, S6 企业 3 → 50.0), none before it
    earlier = satisfaction.survey_by_group(handcount_view, Filters(Period.parse("2026-05"))).set_index("group_name")
    assert earlier.loc["群众", "survey_index"] == 0.0 and earlier.loc["企业", "survey_index"] == 50.0
    assert earlier["survey_index_previous"].isna().all()
    # October 2025 lies before the data: no wave at all
    assert satisfaction.survey_by_group(handcount_view, Filters(Period.parse("2025-10")))["survey_index"].isna().all()


# ---------------------------------------------------------------- no data is not zero

# A month to come, a year before the data (they start in February 2026), and a selection holding
# nothing: 乙县's 市场监管局 has no 行政确认 item (I04 is 人社局's), its reviews R4, R8 name no item, and
# it took part in no survey.
NO_DATA = [Filters(Period.parse("2026-12")), Filters(Period.parse("2025")),
           Filters(Period.parse("2026-10"), counties=("C02",), departments=("D01",), item_types=("行政确认",))]


@pytest.mark.parametrize("filters", NO_DATA, ids=["future-month", "uncovered-year", "empty-filters"])
def test_without_data_every_number_is_missing(handcount_view, filters):
    cards = satisfaction.indicator_cards(handcount_view, filters)
    assert satisfaction.cards_empty(cards) and set(cards["value_text"]) == {t("kpi.no_value")}
    assert cards["delta_text"].isna().all()
    levels = satisfaction.rating_levels(handcount_view, filters)
    assert levels["ratings"].sum() == 0 and levels["share_pct"].isna().all()
    assert satisfaction.rating_rates(handcount_view, filters).empty
    assert satisfaction.rating_trend(handcount_view, filters)["good_rate"].isna().all()
    assert satisfaction.bad_review_reasons(handcount_view, filters).empty
    assert satisfaction.rectification_by_department(handcount_view, filters).empty
    assert satisfaction.survey_waves(handcount_view, filters).iloc[0]["wave"] is None
    assert satisfaction.review_page(handcount_view, filters)[1] == 0


# ---------------------------------------------------------------- cards and tables

def test_indicator_cards(handcount_view):
    cards = satisfaction.indicator_cards(handcount_view, OCTOBER).set_index("key")
    assert list(cards.index) == list(satisfaction.KPI_KEYS)
    # good 2/7, bad 3/7 (R2, R4, R8; R6 unfounded), satisfied 3/7; due for rectification in October R2,
    # R4: rectified 1 (R2, late), on time none; index 62.5 (2026H1)
    assert cards["value_text"].tolist() == ["28.6%", "42.9%", "42.9%", "50.0%", "0.0%", "62.5 分"]
    assert cards.loc["bad_rate", "help"] == catalog()["bad_rate"].definition_zh
    bad = catalog()["bad_rate"]  # 42.9 % against a target of at most 3.0 %: missed
    assert cards.loc["bad_rate", "target_text"] == f"目标 ≤ {bad.format(bad.target)} :red-badge[未达标]"
    # September (covered, compared with 1–30 September) had no review: no comparable figure
    assert cards.loc["good_rate", "delta_text"] == t("analysis.no_comparison")
    assert cards.loc["good_rate", "delta_color"] == "off" and cards.loc["good_rate", "delta_arrow"] == "off"
    # the index: 2026H1 both at the close of September and now → 0.0 change
    assert cards.loc["satisfaction_index", "delta_text"] == "0.0 分"
    english = satisfaction.indicator_cards(handcount_view, OCTOBER, "en").set_index("key")
    assert english.loc["satisfaction_index", "value_text"] == "62.5 points"
    assert english.loc["good_rate", "label"] == "Good-review rate"


def test_tables_carry_the_catalog_headers(handcount_view):
    rates = satisfaction.rates_table(satisfaction.rating_rates(handcount_view, OCTOBER, by="dept"), "dept")
    assert list(rates.columns) == ["部门", "评价数", "好评率（%）", "差评率（%）", "满意率（%）"]
    assert rates.iloc[0].tolist() == ["市场监管局", 3, 33.3, 66.7, 33.3]
    rect = satisfaction.rectification_table(satisfaction.rectification_by_department(handcount_view, OCTOBER), "en")
    assert list(rect.columns[:3]) == ["Department", "Bad reviews", "Overdue, not rectified"]
    assert rect.columns[-1] == "Rectified on time (%)"
    groups = satisfaction.survey_group_table(satisfaction.survey_by_group(handcount_view, OCTOBER))
    assert groups.iloc[-1].tolist()[:4] == ["全部群体", 62.5, 25.0, 37.5]


# ---------------------------------------------------------------- the page in AppTest

def expected(data_folder: Path, filters: Filters) -> dict[str, str]:
    view = SnapshotView(SnapshotStore(data_folder / "snapshots").get("handcount"))
    cards = satisfaction.indicator_cards(view, filters)
    return dict(zip(cards["label"], cards["value_text"], strict=True))


def test_page_renders_the_hand_count(page):
    page.run()
    assert not page.exception
    assert page.title[0].value == t("satisfaction.title")
    assert metric_values(page) == {"好评率": "28.6%", "差评率": "42.9%", "满意率": "42.9%", "差评整改率": "50.0%",
                                   "差评按时整改率": "0.0%", "满意度指数": "62.5 分"}
    assert {m.label: m.help for m in page.metric}["差评整改率"] == catalog()["rectification_rate"].definition_zh
    assert len(page.get("plotly_chart")) == 6
    assert any("2026-10-30 17:00" in c.value and "handcount" in c.value for c in page.caption)


def test_county_filter_changes_the_numbers(data_folder, page):
    _, after = metrics_before_and_after_county(page)
    # C02: R3 3, R4 2, R6 2 (unfounded), R8 1 → good 0/4, bad 2/4 (R4, R8), satisfied 1/4; fell due R4,
    # not rectified → 0 %; surveys S3 3, S4 2 → 37.5
    assert after == {"好评率": "0.0%", "差评率": "50.0%", "满意率": "25.0%", "差评整改率": "0.0%",
                     "差评按时整改率": "0.0%", "满意度指数": "37.5 分"}
    assert after == expected(data_folder, Filters(Period.parse("2026-10"), counties=("C02",)))
    rectification = page.dataframe[1].value
    assert rectification["部门"].tolist() == ["市场监管局", "人社局"]
    assert rectification["逾期未整改"].tolist() == [1, 0]


def test_grouping_and_indicator_switches(page):
    page.run()
    page.segmented_control(key="satisfaction_rate_by").set_value("channel").run()
    assert not page.exception
    rates = page.dataframe[0].value
    assert rates["评价渠道"].tolist() == ["窗口", "网上", "移动端", "短信", "12345热线"]
    page.segmented_control(key="satisfaction_rate_key").set_value("bad_rate").run()
    assert any(h.value == "差评率月度走势" for h in page.subheader)
    page.segmented_control(key="satisfaction_survey_mode").set_value("change").run()
    assert not page.exception
    assert len(page.get("plotly_chart")) == 6


def test_empty_selection_says_so(page):
    page.run()
    page.selectbox(key="filter_period").set_value("2026-09").run()
    assert not page.exception
    infos = [i.value for i in page.info]
    assert t("satisfaction.levels_empty") in infos
    assert t("satisfaction.rectification_empty") in infos


@pytest.mark.parametrize("period", ["2025", "2026-12"])
def test_page_without_data(page, period):
    assert_no_data_for(page, period)


def test_page_with_an_empty_selection(page):
    for key, value in {"counties": "C02", "departments": "D01", "item_types": "行政确认"}.items():
        page.query_params[key] = value
    page.run()
    assert not page.exception
    assert t("satisfaction.empty") in [i.value for i in page.info]
    assert not page.metric and not page.dataframe


def test_page_in_english(page):
    page.run()
    page.segmented_control(key="lang").set_value("en").run()
    assert not page.exception
    assert page.title[0].value == "Satisfaction"
    assert metric_values(page)["Satisfaction index"] == "62.5 points"


# ---------------------------------------------------------------- figures

def test_figures_say_why_they_are_empty(handcount_view):
    from xiaoneng import charts

    september = Filters(Period.parse("2026-09"))
    levels = satisfaction.rating_levels(handcount_view, september)
    fig = charts.satisfaction_level_bar(levels, score_col="score", label_col="level", count_col="ratings",
                                        share_col="share_pct", axis_title="", count_label="", share_label="",
                                        empty_message="没有评价")
    assert fig.layout.annotations[0].text == "没有评价"
    rect = satisfaction.rectification_by_department(handcount_view, september)
    fig = charts.outcome_stacked_bar(rect, label_col="dept_name", segments=[("pending_overdue", "x", "#000000")],
                                     axis_title="", empty_message="没有差评")
    assert fig.layout.annotations[0].text == "没有差评"


def test_figures_of_october(handcount_view):
    from xiaoneng import charts

    rect = satisfaction.rectification_by_department(handcount_view, OCTOBER)
    fig = charts.outcome_stacked_bar(
        rect.assign(note="n"), label_col="dept_name", axis_title="", empty_message="", note_col="note",
        segments=[(s, s, "#000000") for s in satisfaction.RECTIFICATION_STATES])
    # one bar trace per state plus the notes; the first state (pending_overdue) starts every bar
    assert [tr.name for tr in fig.data[:6]] == list(satisfaction.RECTIFICATION_STATES)
    assert list(fig.data[0].x) == [1, 0] and list(fig.data[0].y) == ["市场监管局", "人社局"]
    cells = satisfaction.survey_by_department_dimension(handcount_view, OCTOBER, "en")
    fig = charts.satisfaction_score_heatmap(cells, row_col="dept_name", col_col="dimension_name",
                                            value_col="survey_index", text_col="index_text", midpoint=85.0,
                                            empty_message="", value_label="")
    assert "Lawful<br>administration" in fig.data[0].x  # long English labels wrap between words
    assert fig.data[0].text[0][0] == "87.5" and fig.data[0].text[0][1] == "no data"


# ---------------------------------------------------------------- cross-filter and the reviews behind the numbers
#
# The bad reviews of October at the snapshot (state judged at 10-30 17:00, as the rectification chart):
#   R4 10-20 09:00 C02 D01 hotline 2 态度不好   pending, due 10-28 17:00 → pending_overdue
#   R6 10-22 09:00 C02 D02 sms     2 —         unfounded
#   R2 10-27 18:00 C01 D02 mobile  1 办事效率低 rectified 10-30 10:00 after its due 10-29 17:00 → rectified_late
#   R8 10-29 09:00 C02 D01 hotline 1 办事效率低 pending, due 11-06 17:00 → pending_not_due

def listed(view: SnapshotView, filters: Filters = OCTOBER, listing: str = "", **kwargs) -> tuple[list[str], int]:
    reviews, total = satisfaction.review_page(view, filters, "zh", listing, **kwargs)
    return reviews["rating_id"].tolist(), total


def test_the_bad_reviews_of_october(handcount_view):
    reviews, total = satisfaction.review_page(handcount_view, OCTOBER)
    assert total == 4
    assert list(reviews.columns) == list(satisfaction.REVIEW_COLUMNS)
    assert reviews["rating_id"].tolist() == ["R4", "R6", "R2", "R8"]  # oldest first
    assert reviews["state"].tolist() == ["逾期未整改", "核实不实", "逾期整改", "整改中（未到期）"]
    assert reviews["score"].tolist() == [2, 2, 1, 1]
    assert reviews["channel"].tolist() == ["12345热线", "短信", "移动端", "12345热线"]
    assert reviews["county_name"].tolist() == ["乙县", "乙县", "甲区", "乙县"]
    assert reviews["dept_name"].tolist() == ["市场监管局", "人社局", "人社局", "市场监管局"]
    assert reviews["reasons"].tolist() == ["态度不好", "", "办事效率低", "办事效率低"]
    assert reviews["item_name"].tolist() == ["", "", "就业登记", ""]  # only R2 names its item (I04)
    r2 = reviews.iloc[2]
    assert (r2["verified_at"], r2["rectify_due_at"], r2["rectified_at"]) == (
        pd.Timestamp("2026-10-28 10:00"), pd.Timestamp("2026-10-29 17:00"), pd.Timestamp("2026-10-30 10:00"))
    assert pd.isna(reviews.iloc[0]["rectified_at"]) and pd.isna(reviews.iloc[1]["rectify_due_at"])


def test_each_rectification_state_lists_what_the_chart_counts(handcount_view):
    """The list of a state holds exactly the reviews the rectification chart counts in it."""
    expected = {"pending_overdue": ["R4"], "rectified_late": ["R2"], "pending_not_due": ["R8"], "unverified": [],
                "rectified_on_time": [], "unfounded": ["R6"]}
    for filters in (OCTOBER, Filters(Period.parse("2026-10-01..2026-10-27")), Filters(Period.parse("2026"))):
        counts = satisfaction.rectification_by_department(handcount_view, filters)
        for state in satisfaction.RECTIFICATION_STATES:
            ids, total = listed(handcount_view, filters, f"state:{state}")
            assert total == len(ids) == int(counts[state].sum()), (filters.period.key, state)
            if filters == OCTOBER:
                assert ids == expected[state]
    # 1–27 October: R4's due time (10-28 17:00) had not come at the period's end — not yet due then
    assert listed(handcount_view, Filters(Period.parse("2026-10-01..2026-10-27")), "state:pending_not_due")[0] == \
        ["R4"]


def test_levels_and_reasons_list_their_reviews(handcount_view):
    assert listed(handcount_view, listing="score:5") == (["R1"], 1)  # a good level lists good reviews too
    assert listed(handcount_view, listing="score:2") == (["R4", "R6"], 2)
    assert listed(handcount_view, listing="score:3") == (["R3"], 1)
    assert listed(handcount_view, listing="reason:办事效率低") == (["R2", "R8"], 2)
    assert listed(handcount_view, listing="reason:") == (["R6"], 1)  # the bad review giving no reason
    assert listed(handcount_view, listing="reason:服务热情") == ([], 0)  # R1's tag, but R1 is no bad review
    # what the charts offer to click lists as many reviews as the bar shows
    for row in satisfaction.bad_review_reasons(handcount_view, OCTOBER).itertuples():
        assert listed(handcount_view, listing=row.listing)[1] == row.bad_reviews
    for row in satisfaction.rating_levels(handcount_view, OCTOBER).itertuples():
        assert listed(handcount_view, listing=row.listing)[1] == row.ratings


def test_the_list_follows_the_focus_and_pages(handcount_view):
    def narrowed(**focus) -> Filters:
        return satisfaction.narrowed_filters(OCTOBER, satisfaction.Focus(**focus))

    assert listed(handcount_view, narrowed(dept_code="D01")) == (["R4", "R8"], 2)
    assert listed(handcount_view, narrowed(county_code="C01")) == (["R2"], 1)
    assert listed(handcount_view, narrowed(channel="hotline"), "state:pending_overdue") == (["R4"], 1)
    # a month of the trend: February 2026 has R7 only (score 5), no bad review
    year = Filters(Period.parse("2026"))
    assert listed(handcount_view, satisfaction.narrowed_filters(year, satisfaction.Focus(month="2026-02"))) == ([], 0)
    assert listed(handcount_view, satisfaction.narrowed_filters(year, satisfaction.Focus(month="2026-02")),
                  "score:5") == (["R7"], 1)
    # pages of two: R4, R6 | R2, R8; past the last page nothing, but the total stays
    assert listed(handcount_view, page=2, page_size=2) == (["R2", "R8"], 4)
    assert listed(handcount_view, page=3, page_size=2) == ([], 4)


def test_a_chart_is_not_narrowed_by_its_own_dimension():
    focus = satisfaction.Focus(county_code="C02", dept_code="D01", channel="hotline", month="2026-09")
    narrowed = satisfaction.narrowed_filters(OCTOBER, focus)
    assert (narrowed.counties, narrowed.departments, narrowed.channels, narrowed.period.key) == \
        (("C02",), ("D01",), ("hotline",), "2026-09")
    by_dept = satisfaction.narrowed_filters(OCTOBER, focus, skip="dept_code")
    assert (by_dept.departments, by_dept.counties) == ((), ("C02",))
    assert satisfaction.narrowed_filters(OCTOBER, focus, skip="month").period.key == "2026-10"
    assert satisfaction.narrowed_filters(OCTOBER, satisfaction.Focus()) == OCTOBER


def test_clicks_become_the_focus_and_the_listing():
    start, listing = satisfaction.Focus(), satisfaction.LISTING_BAD
    focus, listing = satisfaction.after_click("rates", {"customdata": ["C02", 4]}, start, listing, by="county")
    assert focus == satisfaction.Focus(county_code="C02") and listing == ""
    focus, listing = satisfaction.after_click("rates", {"customdata": ["hotline", 2]}, focus, listing, by="channel")
    assert focus.channel == "hotline" and focus.county_code == "C02"
    focus, listing = satisfaction.after_click("trend", {"customdata": ["2026-10", 7]}, focus, listing)
    assert focus.month == "2026-10"
    focus, listing = satisfaction.after_click("rectification", {"customdata": ["D01", "pending_overdue", 2]}, focus,
                                              listing)
    assert (focus.dept_code, listing) == ("D01", "state:pending_overdue")
    focus, listing = satisfaction.after_click("levels", {"customdata": ["score:1", 28.6]}, focus, listing)
    assert listing == "score:1" and focus.dept_code == "D01"
    focus, listing = satisfaction.after_click("reasons", {"customdata": ["reason:", 25.0]}, focus, listing)
    assert listing == "reason:"
    focus, listing = satisfaction.after_click("survey", {"customdata": ["D02", "87.5"]}, focus, listing)
    assert focus == satisfaction.Focus("C02", "D02", "hotline", "2026-10") and listing == "reason:"
    # a segment that is not a rectification state keeps the listing; a point without data changes nothing
    assert satisfaction.after_click("rectification", {"customdata": ["D01", "note"]}, focus, "x")[1] == "x"
    assert satisfaction.after_click("rates", {"x": 3}, focus, listing) == (focus, listing)
    with pytest.raises(ValueError):
        satisfaction.after_click("matrix", {"customdata": ["D01"]}, focus, listing)


def test_a_click_never_widens_the_filters():
    focus = satisfaction.Focus(county_code="C01", dept_code="D09", channel="fax", month="2025-01")
    months = [f"2026-{m:02d}" for m in range(1, 11)]
    kept = satisfaction.valid_focus(focus, OCTOBER, ["C01", "C02"], ["D01", "D02"], months)
    assert kept == satisfaction.Focus(county_code="C01")  # no such department, channel, or month on show
    only_c02 = Filters(Period.parse("2026-10"), counties=("C02",))
    assert satisfaction.valid_focus(focus, only_c02, ["C01", "C02"], ["D01"], months) == satisfaction.Focus()
    hotline = satisfaction.Focus(channel="hotline", month="2026-10")
    assert satisfaction.valid_focus(hotline, OCTOBER, [], [], months) == hotline


def test_listings_read_and_say_what_they_list(handcount_view):
    options = satisfaction.listing_options(satisfaction.bad_review_reasons(handcount_view, OCTOBER))
    assert options == ["", "due", *(f"state:{s}" for s in satisfaction.RECTIFICATION_STATES),
                       "score:5", "score:4", "score:3", "score:2", "score:1",
                       "reason:办事效率低", "reason:态度不好", "reason:"]
    labels = [satisfaction.listing_label(o) for o in ("", "state:pending_overdue", "score:5", "reason:办事效率低",
                                                      "reason:")]
    assert labels == ["全部差评", "逾期未整改的差评", "评价为“非常满意”（5分）的评价", "原因为“办事效率低”的差评",
                      "未注明原因的差评"]
    assert satisfaction.listing_label("state:rectified_late", "en") == "Bad reviews: Rectified late"
    assert satisfaction.listing_params("score:9") == satisfaction.listing_params("") == \
        {"bad_only": True, "score": None, "rectify_state": None, "reason": None, "fell_due": False}
    assert satisfaction.listing_params("due")["fell_due"] is True
    assert satisfaction.focus_description(satisfaction.Focus("C02", "D01", "hotline", "2026-10"), "zh",
                                          {"C02": "乙县"}, {"D01": "市场监管局"}) == \
        "乙县 · 市场监管局 · 12345热线 · 2026年10月"


def test_review_table_for_people_and_files(handcount_view):
    reviews, _ = satisfaction.review_page(handcount_view, OCTOBER, listing="state:pending_overdue")
    files = satisfaction.review_table(reviews)
    assert list(files.columns) == ["评价编号", "评价时间", "区县", "部门", "事项", "评价渠道", "评分", "差评原因",
                                   "核实时间", "整改期限", "整改完成时间", "整改状态"]
    assert files.iloc[0]["整改期限"] == pd.Timestamp("2026-10-28 17:00")  # a real time in the files
    screen = satisfaction.review_table(reviews, screen=True).iloc[0]
    assert (screen["整改期限"], screen["整改完成时间"]) == ("2026-10-28 17:00", "")  # no "None" on screen
    assert satisfaction.review_table(reviews, "en").columns[-1] == "Rectification state"


def test_clickable_figures_carry_codes_and_mark_the_focus(handcount_view):
    from xiaoneng import charts

    rect = satisfaction.rectification_by_department(handcount_view, OCTOBER)
    fig = charts.outcome_stacked_bar(rect, label_col="dept_name", axis_title="", empty_message="",
                                     segments=[(s, s, "#C8102E") for s in satisfaction.RECTIFICATION_STATES],
                                     hover_cols={"bad_reviews": "差评数"}, code_col="dept_code", highlight_code="D02")
    assert [list(c) for c in fig.data[0].customdata] == [["D01", "pending_overdue", "2"], ["D02", "pending_overdue",
                                                                                         "2"]]
    assert "customdata[2]" in fig.data[0].hovertemplate  # the hover's values come after the code and state
    assert list(fig.data[0].marker.color) == [charts.faded("#C8102E"), "#C8102E"]  # D01 faded, D02 in focus
    # the legend shows the states' own colours, not the first (faded) bar's
    legend = [tr for tr in fig.data if tr.showlegend is not False]
    assert [(tr.name, tr.marker.color) for tr in legend] == [(s, "#C8102E") for s in satisfaction.RECTIFICATION_STATES]
    levels = satisfaction.rating_levels(handcount_view, OCTOBER)
    fig = charts.satisfaction_level_bar(levels, score_col="score", label_col="level", count_col="ratings",
                                        share_col="share_pct", axis_title="", count_label="", share_label="",
                                        empty_message="", code_col="listing", highlight_code="score:1")
    assert fig.data[0].customdata[4][0] == "score:1"
    assert fig.data[0].marker.color[4] == charts.SATISFACTION_LEVEL_COLORS[1]
    assert fig.data[0].marker.color[0] == charts.faded(charts.SATISFACTION_LEVEL_COLORS[5])
    cells = satisfaction.survey_by_department_dimension(handcount_view, OCTOBER)
    fig = charts.satisfaction_score_heatmap(cells, row_col="dept_name", col_col="dimension_name",
                                            value_col="survey_index", text_col="index_text", midpoint=85.0,
                                            empty_message="", value_label="", code_col="dept_code",
                                            highlight_code="D02")
    targets = fig.data[1]  # one invisible point per cell, the department first in its customdata
    assert len(targets.x) == 10 and targets.customdata[0][0] == "D01" and targets.customdata[5][0] == "D02"
    frame = fig.layout.shapes[0]  # 人社局's row (the second) is framed
    assert (frame.y0, frame.y1) == (0.5, 1.5)


def test_page_cross_filter_narrows_the_review_list(page):
    """A department click goes into the URL (xf_dept, xiaoneng.crossfilter), a listing click into
    satisfaction_listing, by the charts' callbacks (AppTest cannot click a Plotly chart, so the test
    sets the URL and that state)."""
    page.run()
    reviews = next(d.value for d in page.dataframe if "评价编号" in d.value.columns)
    assert reviews["评价编号"].tolist() == ["R4", "R6", "R2", "R8"]
    page.query_params["xf_dept"] = "D01"
    page.session_state["satisfaction_listing"] = "state:pending_overdue"
    page.run()
    assert not page.exception
    assert page.button(key="satisfaction_xf_chip_dept").label == "部门：市场监管局"
    reviews = next(d.value for d in page.dataframe if "评价编号" in d.value.columns)
    assert reviews["评价编号"].tolist() == ["R4"] and reviews["整改状态"].tolist() == ["逾期未整改"]
    assert any("共 1 条" in c.value for c in page.caption)
    # the cards follow the department (D01's bad reviews R2, R4 of R1, R2, R4 → 66.7 %), the survey
    # groups too (D01: S1 5, S2 4 → 87.5)
    assert metric_values(page)["差评率"] == "66.7%"
    groups = page.dataframe[-1].value
    assert groups["测评群体"].tolist() == ["群众", "全部群体"] and groups["满意度指数"].tolist() == [87.5, 87.5]
    # the rectification chart still shows both departments (its own dimension), its table too
    assert page.dataframe[1].value["部门"].tolist() == ["市场监管局", "人社局"]
    # the listing can be picked by hand: D01's bad review still inside its rectification window is R8
    page.selectbox(key="satisfaction_listing").set_value("state:pending_not_due").run()
    reviews = next(d.value for d in page.dataframe if "评价编号" in d.value.columns)
    assert reviews["评价编号"].tolist() == ["R8"]
    page.button(key="satisfaction_xf_chip_dept").click().run()
    assert not page.exception and "xf_dept" not in page.query_params
    assert not [b for b in page.button if b.key == "satisfaction_xf_chip_dept"]
    assert metric_values(page)["差评率"] == "42.9%"
    page.selectbox(key="satisfaction_listing").set_value("").run()
    reviews = next(d.value for d in page.dataframe if "评价编号" in d.value.columns)
    assert reviews["评价编号"].tolist() == ["R4", "R6", "R2", "R8"]


def test_page_focus_outside_the_filters_is_dropped(page):
    page.query_params["xf_county"] = "C01"
    page.run()
    reviews = next(d.value for d in page.dataframe if "评价编号" in d.value.columns)
    assert reviews["评价编号"].tolist() == ["R2"]  # C01's only bad review
    page.multiselect(key="filter_counties").set_value(["C02"]).run()
    assert not page.exception
    assert not [b for b in page.button if b.key == "satisfaction_xf_chip_county"]  # C01 is not on show: no chip
    reviews = next(d.value for d in page.dataframe if "评价编号" in d.value.columns)
    assert reviews["评价编号"].tolist() == ["R4", "R6", "R8"]


@pytest.mark.parametrize(("period", "expected"), [("2026-10", ["R2", "R4"]), ("2026-06", ["R10", "R9"]),
                                                  ("2026-07", [])])
def test_the_rectification_rates_base_lists_the_reviews_due(handcount_view, period, expected):
    """差评整改率's base drills to its rows: the bad reviews that fell due in the period (R2 due 10-29,
    R4 10-28; R9 06-30, R10 06-26 — ten working days after its verification; R8 is due in November)."""
    filters = Filters(Period.parse(period))
    reviews, total = satisfaction.review_page(handcount_view, filters, "zh", satisfaction.LISTING_DUE)
    assert sorted(reviews["rating_id"]) == sorted(expected) and total == len(expected)
    measured = indicator_table(handcount_view, filters).iloc[0]
    assert total == (measured["bad_due"] if not pd.isna(measured["bad_due"]) else 0)

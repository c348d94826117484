"""Overview data functions, the text catalog and the session's pure helpers, on the
hand-counted fixture (tests/handcount.py: October 2026, snapshot time 2026-10-30 17:00)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import html_bodies
from xiaoneng import caselist, charts, overview, periodnotes, scorecard
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import LANGS, indicator_definitions, join_names, messages, t
from xiaoneng.indicators import add_indicator_values, catalog, headline_indicators
from xiaoneng.metrics import headline, measures
from xiaoneng.schema import CHANNELS
from xiaoneng.session import (
    case_date_range,
    convert_period,
    custom_period,
    period_options,
    url_params,
)

OCTOBER = Filters(Period.parse("2026-10"))
PAGE = Path(__file__).resolve().parent.parent / "pages" / "overview.py"  # the `page` AppTest fixture


# The fixture's rule for a small base (config/indicators.yaml, rules.min_cases = 30): every county and
# department of the fixture accepts a handful of cases, so every ranked unit is 样本不足 and no
# 红榜/黑榜 is drawn; the tests that need lists lower the minimum (lower_minimum).
OCTOBER_NOTE_SPANS = ("2026年9月1日至9月30日", "2025年10月1日至10月30日（不在数据范围内，无可比数据）")
# A selection with no case, review, survey or task in it: C02 has no 公共服务 item in 市场监管局 (I03 is 人社局's)
EMPTY_COMBINATION = Filters(Period.parse("2026-10"), counties=("C02",), departments=("D01",), item_types=("公共服务",))
FUTURE = Filters(Period.parse("2026-12"))  # begins after the snapshot (Fri 2026-10-30 17:00)
BEFORE_DATA = Filters(Period.parse("2025"))  # the fixture's data begin in February 2026


@pytest.fixture
def lower_minimum(monkeypatch):
    """rules.min_cases = 4: the fixture's October counties (4 accepted cases each) are no longer 样本不足."""
    from xiaoneng import indicators

    monkeypatch.setattr(indicators, "load_rules", lambda *_: indicators.Rules(rectify_default_wd=10, min_cases=4))


# ---------------------------------------------------------------- KPI cards

def test_kpi_cards_are_the_headline_values_formatted(handcount_view):
    cards = overview.kpi_cards(handcount_view, OCTOBER).set_index("key")
    assert list(cards.index) == [h.indicator.key for h in headline(handcount_view, OCTOBER)]
    # due in October and passed by the snapshot: K05, K06, K10, K11, K13; by the deadline K05, K10, K11 → 3/5
    assert cards.loc["on_time_rate", "value_text"] == "60.0%"
    assert cards.loc["cases_accepted", "value_text"] == "8 件"  # K06–K13
    assert cards.loc["online_rate", "value_text"] == "50.0%"  # K06, K07, K10, K13 of 8
    assert cards.loc["open_overdue", "value_text"] == "1 件"  # K06
    # 承诺件 completed in October: K05 9, K10 3, K13 6 → 18 / 3 (K11 is immediate: 即办率, not durations)
    assert cards.loc["avg_elapsed_wd", "value_text"] == "6.00 工作日"
    assert cards.loc["satisfaction_index", "value_text"] == "62.5 分"  # 2026H1: (3.5 − 1) × 25
    assert cards.loc["on_time_rate", "help"] == catalog()["on_time_rate"].definition_zh


def test_kpi_cards_change_and_target_texts(handcount_view):
    """October is still running at the snapshot (Fri 10-30 17:00): its figures reach 10-30, 环比 is
    1–30 September, 同比 1–30 October 2025, which lies before the data (无可比数据)."""
    cards = overview.kpi_cards(handcount_view, OCTOBER).set_index("key")
    # 环比: 1–30 September accepted 1 case (K05), October 8 → +700 %; online 0 of 1 → 4 of 8: +50 points
    assert cards.loc["cases_accepted", ["delta_text", "delta_color"]].tolist() == ["+700.0%", "off"]
    assert cards.loc["online_rate", ["delta_text", "delta_color"]].tolist() == ["+50.0 个百分点", "normal"]
    # nothing fell due in September: no 按期办结率 then, so no comparable figure — grey, no arrow
    assert cards.loc["on_time_rate", ["delta_text", "delta_color", "delta_arrow"]].tolist() == \
        ["无可比数据", "off", "off"]
    assert pd.isna(cards.loc["on_time_rate", "previous"])
    # no 承诺件 completed in September either
    assert cards.loc["avg_elapsed_wd", "delta_text"] == "无可比数据"
    # open overdue at the end of September 0 (K05 open, due 10-22), now 1 (K06): from zero, the difference
    assert cards.loc["open_overdue", "delta_text"] == "+1 件"
    # survey index unchanged (the same wave 2026H1): unsigned zero, no colour
    assert cards.loc["satisfaction_index", ["delta_text", "delta_color"]].tolist() == ["0.0 分", "off"]
    # 同比: 2025 is outside the data for every card
    assert set(cards["year_ago_text"]) == {"无可比数据"}
    assert cards["year_ago"].isna().all()
    assert "同比 :gray[无可比数据]" in cards.loc["satisfaction_index", "detail_md"]
    # target lines (targets: config/indicators.yaml)
    assert "目标 ≥ 95.0%" in cards.loc["on_time_rate", "detail_md"]
    assert ":red-badge[未达标] 差 35.0 个百分点" in cards.loc["on_time_rate", "detail_md"]  # 95 − 60
    assert ":red-badge[未达标] 超出 3.00 工作日" in cards.loc["avg_elapsed_wd", "detail_md"]  # 6 against ≤ 3
    assert ":red-badge[未达标] 超出 1 件" in cards.loc["open_overdue", "detail_md"]  # 1 against ≤ 0
    assert ":red-badge[未达标] 差 20.5 分" in cards.loc["satisfaction_index", "detail_md"]  # 83 − 62.5
    assert "未设目标" in cards.loc["cases_accepted", "detail_md"]


def test_a_running_month_says_how_far_its_figures_reach(handcount_view):
    cards = overview.kpi_cards(handcount_view, OCTOBER)
    assert set(cards["through"]) == {dt.date(2026, 10, 30)}
    assert set(cards["through_text"]) == {"截至10月30日"}
    assert all(d.startswith(":gray[截至10月30日 · 同期比较]") for d in cards["detail_md"])
    note = cards["comparison_note"].iloc[0]
    assert "截至10月30日" in note and all(span in note for span in OCTOBER_NOTE_SPANS)
    # a closed month carries none of it
    march = overview.kpi_cards(handcount_view, Filters(Period.parse("2026-03")))
    assert march["through"].isna().all() and set(march["through_text"]) == {""}
    assert set(march["comparison_note"]) == {""}
    assert not any("截至" in d for d in march["detail_md"])


def test_a_running_quarter_is_compared_like_for_like(handcount_view):
    """2026-Q4 at the snapshot (Fri 2026-10-30 17:00) runs 1–30 October: it is compared with 1–30 July
    (环比) and 1–30 October 2025 (同比), and labelled 截至10月30日."""
    quarter = Period.parse("2026-Q4")
    previous, year_ago = quarter.comparisons(handcount_view.as_of)
    assert (previous.start, previous.end) == (dt.date(2026, 7, 1), dt.date(2026, 7, 30))
    assert (year_ago.start, year_ago.end) == (dt.date(2025, 10, 1), dt.date(2025, 10, 30))
    assert periodnotes.span_label(previous) == "2026年7月1日至7月30日"
    assert periodnotes.comparison_label(handcount_view, previous) == "2026年7月1日至7月30日"
    assert periodnotes.comparison_label(handcount_view, year_ago) == OCTOBER_NOTE_SPANS[1]
    cards = overview.kpi_cards(handcount_view, Filters(quarter)).set_index("key")
    assert set(cards["through_text"]) == {"截至10月30日"}
    note = cards["comparison_note"].iloc[0]
    assert "截至10月30日" in note and "2026年7月1日至7月30日" in note and OCTOBER_NOTE_SPANS[1] in note
    # the quarter so far is October's: 8 accepted against none accepted 1–30 July (from zero: the difference)
    assert cards.loc["cases_accepted", ["value_text", "delta_text"]].tolist() == ["8 件", "+8 件"]
    # 承诺件 completed 1–30 July: K14 7, K15 8 → 7.5; now 6.0 → −20 %, lower is better (inverse colours)
    assert cards.loc["avg_elapsed_wd", ["delta_text", "delta_color"]].tolist() == ["-20.0%", "inverse"]
    # nothing fell due 1–30 July (K14, K15 were due in June), nothing accepted, rated or due for rectification
    for key in ("on_time_rate", "online_rate", "satisfied_rate", "rectification_rate"):
        assert cards.loc[key, "delta_text"] == "无可比数据", key
    # open and overdue at the end of 30 July: none (K14, K15 completed 07-02, 07-03); now K06
    assert cards.loc["open_overdue", "delta_text"] == "+1 件"
    assert cards.loc["satisfaction_index", "delta_text"] == "0.0 分"  # 2026H1 then and now
    assert set(cards["year_ago_text"]) == {"无可比数据"}


def test_a_whole_year_before_the_data_has_no_comparison_either(handcount_view):
    """2026 runs to 10-30; its 环比 and 同比 are 1 January–30 October 2025, before the data."""
    cards = overview.kpi_cards(handcount_view, Filters(Period.parse("2026"))).set_index("key")
    assert cards.loc["cases_accepted", "value_text"] == "15 件"  # K01–K04, K06–K15, and K05 (09-29)
    assert set(cards["delta_text"]) == set(cards["year_ago_text"]) == {"无可比数据"}
    assert "2025年1月1日至10月30日（不在数据范围内，无可比数据）" in cards["comparison_note"].iloc[0]


def test_kpi_cards_in_english(handcount_view):
    cards = overview.kpi_cards(handcount_view, OCTOBER, "en").set_index("key")
    assert cards.loc["on_time_rate", "label"] == "Due-date completion rate"
    assert cards.loc["online_rate", "delta_text"] == "+50.0 pp"
    assert cards.loc["on_time_rate", "delta_text"] == "no comparable data"
    assert cards.loc["online_rate", "delta_description"] == t("kpi.previous", "en")
    assert "Missed" in cards.loc["on_time_rate", "detail_md"]
    assert set(cards["through_text"]) == {"through 2026-10-30"}
    assert not any("个百分点" in str(v) or "无" in str(v) for v in cards.to_numpy().ravel())


def test_lower_better_indicators_colour_inversely(handcount_view):
    """March against February (both closed, both covered): 承诺件 completed in March K02 (6) against
    K01 (7) in February → −14.3 %, an improvement of a lower-better indicator (inverse colours); due in
    March K01 (on time) → 100 % against February's K02 late, K03 on time, K04 late → 33.3 %: +66.7 points."""
    march = overview.kpi_cards(handcount_view, Filters(Period.parse("2026-03"))).set_index("key")
    assert march.loc["avg_elapsed_wd", ["delta_text", "delta_color"]].tolist() == ["-14.3%", "inverse"]
    assert march.loc["on_time_rate", ["delta_text", "delta_color"]].tolist() == ["+66.7 个百分点", "normal"]
    # 同比 March 2025: before the data
    assert march.loc["on_time_rate", "year_ago_text"] == "无可比数据"
    # nothing accepted in March: 0 件 is data (K02 was completed then), the online rate is not (0 of 0)
    assert march.loc["cases_accepted", "value_text"] == "0 件"
    assert march.loc["online_rate", "value_text"] == "无数据"


@pytest.mark.parametrize("filters", [Filters(Period.parse("2025-01")), FUTURE, BEFORE_DATA, EMPTY_COMBINATION],
                         ids=["2025-01", "future-month", "previous-year", "empty-combination"])
def test_a_selection_without_data_shows_no_data(handcount_view, filters):
    cards = overview.kpi_cards(handcount_view, filters)
    assert overview.kpis_empty(cards)
    assert set(cards["value_text"]) == {"无数据"}  # never 0 件 or 0.0 %
    assert set(cards["delta_text"]) == set(cards["year_ago_text"]) == {"无可比数据"}
    assert cards["meets_target"].isna().all()
    assert not overview.kpis_empty(overview.kpi_cards(handcount_view, OCTOBER))


def test_a_future_month_is_not_running(handcount_view):
    cards = overview.kpi_cards(handcount_view, FUTURE)
    assert cards["through"].isna().all() and set(cards["comparison_note"]) == {""}


@pytest.mark.parametrize(("key", "change", "relative", "text"), [
    ("on_time_rate", 5.04, False, "+5.0 个百分点"),
    ("on_time_rate", -0.04, False, "0.0 个百分点"),  # rounds to nothing: no sign
    ("cases_accepted", 12.345, True, "+12.3%"),
    ("cases_accepted", -3.0, False, "-3 件"),
    ("avg_elapsed_wd", -0.5, False, "-0.50 工作日"),
    ("satisfaction_index", 2.0, False, "+2.0 分"),
    ("on_time_rate", None, False, None),
])
def test_format_change(key, change, relative, text):
    assert overview.format_change(catalog()[key], change, relative, "zh") == text


@pytest.mark.parametrize(("key", "value", "status"), [
    ("on_time_rate", 95.0, "green"),
    ("on_time_rate", 99.0, "green"),
    ("on_time_rate", 90.0, "amber"),   # exactly 5 points short
    ("on_time_rate", 89.9, "red"),
    ("on_time_rate", None, "none"),
    ("on_time_rate", math.nan, "none"),
    ("on_time_rate", pd.NA, "none"),
    ("avg_elapsed_wd", 3.0, "green"),  # lower is better, target 3
    ("avg_elapsed_wd", 8.0, "amber"),
    ("avg_elapsed_wd", 8.5, "red"),
    ("cases_accepted", 10.0, "none"),  # no target
])
def test_traffic_status(key, value, status):
    assert overview.traffic_status(value, catalog()[key]) == status


# ---------------------------------------------------------------- ranking, rank change, 红榜 / 黑榜

# October by county (targets and weights: config/indicators.yaml; tests/test_scorecard.py counts each part):
# C01 72.5, C02 40.9. 1–30 September: C01 60.0 (online 0 % → 0 of 10, survey 87.5 ≥ 83 → 15 of 15), C02 no
# case data (nothing accepted, completed, due or open) → no score, no rank.

def test_ranking_ranks_every_county_and_marks_the_selected(handcount_view):
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)))
    assert ranked["unit_code"].tolist() == ["C01", "C02"]  # C02 filtered, still ranked
    assert ranked["rank"].tolist() == [1, 2]
    assert ranked["selected"].tolist() == [False, True]
    assert ranked["composite_score"].is_monotonic_decreasing
    assert ranked.loc[0, "on_time_rate"] == pytest.approx(200 / 3)  # C01: K05, K11 of K05, K11, K13
    assert ranked["small_base"].tolist() == [True, True]  # 4 accepted cases each, fewer than 30
    assert not overview.ranking_empty(ranked)


def test_ranking_is_the_scorecards(handcount_view):
    """One ranking code path: the Overview shows the Scorecard page's ranks and changes."""
    ranked = overview.county_ranking(handcount_view, OCTOBER)
    card = scorecard.scorecard(handcount_view, OCTOBER, by="county")
    for column in ("unit_code", "rank", "composite_score", "previous_rank", "rank_change", "small_base"):
        assert ranked[column].tolist() == card[column].tolist()


def test_rank_change_in_october(handcount_view):
    ranked = overview.county_ranking(handcount_view, OCTOBER)
    assert ranked["composite_score"].round(1).tolist() == [72.5, 40.9]
    assert ranked["previous_rank"].tolist()[0] == 1 and pd.isna(ranked["previous_rank"].iloc[1])
    assert ranked["rank_change"].tolist()[0] == 0
    table = overview.ranking_table(ranked, "zh").data
    assert table[t("scorecard_data.scorecard.rank_change")].tolist() == ["持平", "无可比数据"]
    assert table[t("ranking.rank")].tolist() == ["1（样本不足）", "2（样本不足）"]


def test_rank_change_from_february_to_march(handcount_view):
    """February: C01 43.9 (K01 3/7 of 10, K02 late 0 of 20, K01 early 5, online 1 of 2 → 50/58 of 10,
    R7 good → bad rate 0 → 5, satisfied 10, survey 2025H2 S5 = 1 → 0 of 15; 32.9 of 75), C02 44.2 (K03 on
    time, K04 late → 50/95 of 20, same day 1 of 2 → 50/98 of 5, online 0, survey S6 = 3 → 50/83 of 15;
    22.1 of 50): C02 first. March: C01 50.0 (K02 6 → 3/6 of 10, K01 due and on time → 20, K02 not early
    → 0, survey 0; 25 of 50) ranks first; C02 has no case data in March → no rank."""
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2026-03")))
    assert ranked["unit_code"].tolist() == ["C01", "C02"]
    assert ranked["composite_score"].iloc[0] == pytest.approx(50.0)
    assert ranked["previous_rank"].tolist() == [2, 1]
    assert ranked["rank_change"].iloc[0] == 1 and pd.isna(ranked["rank_change"].iloc[1])
    table = overview.ranking_table(ranked, "en").data
    assert table["Rank change"].tolist() == ["↑1", "no comparable data"]
    assert table["Rank"].tolist() == ["1 (small base)", "no data"]
    assert list(table.columns[:4]) == ["Rank", "County", "Composite score", "Rank change"]
    html = overview.ranking_table(ranked, "zh").to_html().lower()
    assert overview.CHANGE_COLORS["up"].lower() in html


def test_rank_change_needs_a_covered_previous_period(handcount_view):
    """2026-Q1 against 2025-Q4, before the data: no previous rank for anyone (无可比数据), never a
    ranking of empty units. Q1 itself: C01 (K01, K02, R7; survey 2025H2 S5 = 1 → 0) 41.7 of 75 → 55.6;
    C02 (K03, K04; survey S6 = 3) 22.1 of 50 → 44.2."""
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2026-Q1")))
    assert ranked["composite_score"].round(1).tolist() == [55.6, 44.2]
    assert ranked["previous_rank"].isna().all() and ranked["rank_change"].isna().all()
    table = overview.ranking_table(ranked, "zh").data
    assert table[t("scorecard_data.scorecard.rank_change")].tolist() == ["无可比数据", "无可比数据"]


@pytest.mark.parametrize("filters", [Filters(Period.parse("2025-01")), FUTURE, BEFORE_DATA, EMPTY_COMBINATION],
                         ids=["2025-01", "future-month", "previous-year", "empty-combination"])
def test_a_selection_without_data_ranks_nobody(handcount_view, filters):
    ranked = overview.county_ranking(handcount_view, filters)
    assert ranked["unit_code"].tolist() == ["C01", "C02"]
    assert ranked["composite_score"].isna().all() and ranked["rank"].isna().all()
    assert not ranked["small_base"].any()
    assert overview.ranking_empty(ranked)
    table = overview.ranking_table(ranked, "zh").data
    assert table[t("ranking.rank")].tolist() == ["无数据", "无数据"]
    assert table[t("scorecard_data.scorecard.rank_change")].tolist() == ["无可比数据", "无可比数据"]
    red, black = scorecard.red_and_black_lists(ranked, 3)
    assert red.empty and black.empty


def test_ranking_table_formats_by_the_catalog(handcount_view):
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)))
    html = overview.ranking_table(ranked, "zh").to_html()
    assert "66.7%" in html and "50.0%" in html and "甲区" in html and "1（样本不足）" in html
    assert overview.HIGHLIGHT_BACKGROUND.lower() in html.lower()
    english = overview.ranking_table(overview.county_ranking(handcount_view, OCTOBER, "en"), "en").data
    assert "County" in english.columns and "Jia District" in set(english["County"])
    assert overview.chart_labels(ranked, "zh") == ["甲区（样本不足）", "乙县（样本不足）"]


def test_ranking_indicators_are_weighted():
    """The scorecard carries the values of weighted indicators only."""
    assert all(catalog()[key].weight for key in overview.RANKING_INDICATORS)


def test_small_bases_keep_october_off_the_red_and_black_lists(handcount_view):
    """Both counties accepted 4 cases in October, fewer than 30: ranked, but on neither list."""
    ranked = overview.county_ranking(handcount_view, OCTOBER)
    red, black = scorecard.red_and_black_lists(ranked, 3)
    assert red.empty and black.empty
    assert overview.lists_note(ranked, red, "zh") == t("ranking.lists_all_small", min=30)


def test_red_and_black_lists_of_october(handcount_view, lower_minimum):
    ranked = overview.county_ranking(handcount_view, OCTOBER)
    assert not ranked["small_base"].any()  # 4 accepted cases each, the minimum is now 4
    red, black = scorecard.red_and_black_lists(ranked, 3)  # two counties: one on each list
    red_html = overview.honour_list_html(red, "red", "zh")
    black_html = overview.honour_list_html(black, "black", "zh")
    assert "红榜" in red_html and "甲区" in red_html and "72.5" in red_html and "持平" in red_html
    assert "乙县" not in red_html
    assert "黑榜" in black_html and "乙县" in black_html and "40.9" in black_html and "无可比数据" in black_html
    assert "甲区" not in black_html
    assert overview.LIST_COLORS["red"] in red_html and overview.LIST_COLORS["black"] in black_html
    assert "综合绩效得分前 1 名" in red_html
    assert overview.lists_note(ranked, red, "zh") == ""


def test_honour_list_escapes_names():
    units = pd.DataFrame([{"rank": 1, "unit_code": "X", "unit_name": "<b>甲</b>", "composite_score": 90.0,
                           "rank_change": 2}])
    html = overview.honour_list_html(units, "red", "zh")
    assert "&lt;b&gt;甲&lt;/b&gt;" in html and "<b>甲" not in html and "↑2" in html
    with pytest.raises(ValueError):
        overview.honour_list_html(units, "green")


# ---------------------------------------------------------------- traffic-light matrix

def test_matrix_cells_of_october(handcount_view):
    cells = overview.traffic_light_matrix(handcount_view, OCTOBER)
    got = {(r.county_code, r.dept_code): (r.text, r.status, r.base) for r in cells.itertuples()}
    # the base is the cases due in October (应办结件): C01/D01 K05 on time; C01/D02 K11 on time, K13 late;
    # C02/D01 K06 overdue (K12 was withdrawn before its deadline); C02/D02 K10 on time (K08 not yet due)
    assert got == {
        ("C01", "D01"): ("100.0%", "green", 1),
        ("C01", "D02"): ("50.0%", "red", 2),
        ("C02", "D01"): ("0.0%", "red", 1),
        ("C02", "D02"): ("100.0%", "green", 1),
    }


def test_matrix_cells_without_cases_due_are_grey_no_data(handcount_view):
    # due in February: K02 (C01/D01, late), K03 and K04 (C02/D02): nothing due in C01/D02 or C02/D01
    cells = overview.traffic_light_matrix(handcount_view, Filters(Period.parse("2026-02")))
    empty = cells[cells["status"] == "none"]
    assert set(zip(empty["county_code"], empty["dept_code"], strict=True)) == {("C01", "D02"), ("C02", "D01")}
    assert (empty["text"] == "无数据").all()
    got = {(r.county_code, r.dept_code): (r.text, r.base) for r in cells.itertuples() if r.status != "none"}
    assert got == {("C01", "D01"): ("0.0%", 1), ("C02", "D02"): ("50.0%", 2)}


@pytest.mark.parametrize("filters", [Filters(Period.parse("2025-01")), FUTURE, BEFORE_DATA, EMPTY_COMBINATION],
                         ids=["2025-01", "future-month", "previous-year", "empty-combination"])
def test_matrix_without_data_is_empty(handcount_view, filters):
    cells = overview.traffic_light_matrix(handcount_view, filters)
    assert cells.empty or (cells["status"] == "none").all()
    assert set(cells["text"]) <= {"无数据"}


def test_matrix_follows_county_and_department_filters(handcount_view):
    cells = overview.traffic_light_matrix(
        handcount_view, Filters(Period.parse("2026-10"), counties=("C02",), departments=("D02",)))
    assert cells[["county_code", "dept_code", "status"]].values.tolist() == [["C02", "D02", "green"]]


def test_matrix_caption_states_the_base_target_and_band():
    caption = overview.matrix_caption("zh")
    assert "95.0%" in caption and "5" in caption and "应办结件" in caption and "无数据" in caption


def test_a_matrix_cell_leads_to_its_cases(handcount_view):
    matrix = overview.traffic_light_matrix(handcount_view, OCTOBER)
    cell = overview.matrix_cell(matrix, "C01|D02")
    assert (cell["county_code"], cell["dept_code"], cell["text"], cell["base"]) == ("C01", "D02", "50.0%", 2)
    assert overview.matrix_cell(matrix, "C09|D02") is None and overview.matrix_cell(matrix, None) is None
    narrowed = overview.cell_filters(OCTOBER, cell)
    assert (narrowed.counties, narrowed.departments, narrowed.period) == (("C01",), ("D02",), OCTOBER.period)

    def listed(subset: str) -> list[str]:
        cases, total = caselist.case_page(handcount_view, narrowed, caselist.CaseSelection(subset))
        assert total == len(cases)
        return sorted(cases["case_id"])

    # C01/D02 in October: K11 and K13 due; K11 by its deadline, K13 late → the rate's base holds both,
    # its miss is K13
    assert listed("due_missed") == ["K13"]
    assert listed("due") == ["K11", "K13"]
    assert listed("due_on_time") == ["K11"]
    assert listed("completed") == ["K11", "K13"]
    assert overview.cell_heading(cell, OCTOBER.period, "zh") == \
        "甲区 · 人社局 · 2026年10月：按期办结率 50.0%（应办结件 2 件）"


def test_the_matrix_chart_makes_every_cell_clickable(handcount_view):
    matrix = overview.traffic_light_matrix(handcount_view, OCTOBER)
    kwargs = {"row_col": "dept_name", "col_col": "county_name", "status_col": "status", "text_col": "text",
              "status_labels": {"green": "达标", "red": "未达标"}, "hover_cols": {"base": "基数"}}
    plain = charts.traffic_light_heatmap(matrix, **kwargs)
    assert len(plain.data) == 1 and not plain.layout.shapes
    fig = charts.traffic_light_heatmap(matrix, **kwargs, code_col="cell_code", selected_code="C01|D02")
    heat, targets = fig.data
    assert heat.hoverinfo == "skip"  # the points carry the hover
    cells = {(x, y): (c[0], text) for x, y, c, text in zip(targets.x, targets.y, targets.customdata, targets.text,
                                                              strict=True)}
    assert cells == {("甲区", "市场监管局"): ("C01|D01", "100.0%"), ("乙县", "市场监管局"): ("C02|D01", "0.0%"),
                     ("甲区", "人社局"): ("C01|D02", "50.0%"), ("乙县", "人社局"): ("C02|D02", "100.0%")}
    assert charts.clicked_code({"selection": {"points": [{"customdata": list(targets.customdata[2])}]}}) == "C01|D02"
    assert "customdata[2]" in targets.hovertemplate and "customdata[1]" in targets.hovertemplate
    assert fig.layout.hoverdistance == -1  # the nearest cell answers a click anywhere in the grid
    (frame,) = fig.layout.shapes  # the selected cell: 甲区 (column 0), 人社局 (row 1)
    assert (frame.x0, frame.x1, frame.y0, frame.y1) == (-0.5, 0.5, 0.5, 1.5)


# ---------------------------------------------------------------- trend of the headline indicators

def _trend_values(trend: pd.DataFrame, key: str) -> dict[str, str]:
    rows = trend[trend["key"] == key]
    return dict(zip(rows["month"], rows["value_text"], strict=True))


def test_trend_covers_the_year_up_to_the_period(handcount_view):
    assert [m.key for m in overview.trend_months(Period.parse("2026-10"), handcount_view.as_of)][::11] == \
        ["2025-11", "2026-10"]
    # a quarter that runs past the snapshot time ends with the snapshot's month
    assert overview.trend_months(Period.parse("2026-Q4"), handcount_view.as_of)[-1].key == "2026-10"
    assert overview.trend_months(Period.parse("2026-03"), handcount_view.as_of)[0].key == "2025-04"


def test_trend_of_the_whole_city(handcount_view):
    trend = overview.headline_trend(handcount_view, OCTOBER)
    assert list(dict.fromkeys(trend["key"])) == [i.key for i in headline_indicators()]
    on_time = _trend_values(trend, "on_time_rate")
    assert len(on_time) == 12
    assert on_time["2026-10"] == "60.0%"  # K05, K10, K11 by the deadline of K05, K06, K10, K11, K13
    assert on_time["2026-09"] == "无数据"  # nothing fell due in September: a gap, not 0 %
    assert on_time["2026-07"] == "无数据"  # K14, K15 were completed in July but due in June
    assert on_time["2026-06"] == "0.0%"  # K14 and K15, due 06-30, still open at the end of June
    assert on_time["2026-03"] == "100.0%"  # K01, due 03-04, completed 02-28
    assert on_time["2026-02"] == "33.3%"  # K03 on time; K04 late; K02 due 02-28, open at the end of February
    assert _trend_values(trend, "avg_elapsed_wd")["2026-02"] == "7.00 工作日"  # K01 (K03, K04 are immediate)
    assert _trend_values(trend, "avg_elapsed_wd")["2026-07"] == "7.50 工作日"  # K14 7, K15 8
    accepted = _trend_values(trend, "cases_accepted")
    assert (accepted["2026-09"], accepted["2026-07"], accepted["2026-06"]) == ("1 件", "0 件", "2 件")
    # no case accepted, completed, due or open in April, May or August: no data, not 0 件
    assert (accepted["2026-04"], accepted["2026-05"], accepted["2026-08"]) == ("无数据", "无数据", "无数据")
    assert _trend_values(trend, "online_rate")["2026-09"] == "0.0%"  # K05 at the window
    overdue = _trend_values(trend, "open_overdue")
    assert (overdue["2026-10"], overdue["2026-06"], overdue["2026-07"]) == ("1 件", "2 件", "0 件")
    assert _trend_values(trend, "satisfied_rate")["2026-10"] == "42.9%"  # 3 of 7
    assert _trend_values(trend, "rectification_rate")["2026-10"] == "50.0%"  # R2 of R2, R4
    assert _trend_values(trend, "rectification_rate")["2026-06"] == "50.0%"  # R10 of R9, R10
    index = _trend_values(trend, "satisfaction_index")
    # wave 2025H2 (S5 1, S6 3 → 25.0) until 2026H1 completes on 06-30 (62.5)
    assert (index["2026-05"], index["2026-06"], index["2026-10"]) == ("25.0 分", "62.5 分", "62.5 分")
    # before the snapshot's data (February 2026) every headline is a gap, the survey index too
    for key in trend["key"].unique():
        values = _trend_values(trend, key)
        assert (values["2025-11"], values["2025-12"], values["2026-01"]) == ("无数据",) * 3, key
    row = trend[(trend["key"] == "on_time_rate")].iloc[0]
    assert (row["subtitle"], row["target"], row["suffix"]) == ("目标 ≥ 95.0%", 95.0, "%")
    assert trend[trend["key"] == "cases_accepted"].iloc[0]["subtitle"] == "未设目标"
    caption = overview.trend_caption(trend, "zh", through=dt.date(2026, 10, 30))
    assert caption.startswith("2025年11月 至 2026年10月") and caption.endswith("2026年10月尚未结束，数字截至10月30日。")
    assert "截至" not in overview.trend_caption(trend, "zh")


def test_trend_follows_the_county(handcount_view):
    trend = overview.headline_trend(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)))
    on_time = _trend_values(trend, "on_time_rate")
    assert on_time["2026-10"] == "50.0%"  # K10 on time, K06 overdue
    assert on_time["2026-06"] == "0.0%"  # K15, due 06-30, completed 07-03
    assert on_time["2026-02"] == "50.0%"  # K03 on time, K04 late
    assert _trend_values(trend, "satisfaction_index")["2026-10"] == "37.5 分"  # S3 = 3, S4 = 2


@pytest.mark.parametrize("filters", [FUTURE, BEFORE_DATA], ids=["future-month", "previous-year"])
def test_a_period_without_data_has_no_trend(handcount_view, filters):
    trend = overview.headline_trend(handcount_view, filters)
    assert trend.empty
    assert overview.trend_caption(trend, "zh") == t("overview_more.trend_empty")


def test_an_empty_combination_draws_only_gaps(handcount_view):
    trend = overview.headline_trend(handcount_view, EMPTY_COMBINATION)
    assert len(trend) == 12 * len(headline_indicators()) and trend["value"].isna().all()
    assert overview.trend_caption(trend, "zh") == t("overview_more.trend_empty")


@pytest.mark.parametrize("filters", [
    OCTOBER,
    Filters(Period.parse("2026-Q4"), counties=("C01",)),
    Filters(Period.parse("2026-03"), departments=("D02",), channels=("window", "mobile")),
    Filters(Period.parse("2026-10"), item_types=("行政许可",)),
    Filters(Period.parse("2026-07"), counties=("C02",)),
    EMPTY_COMBINATION,
])
def test_every_trend_month_is_measured_as_indicator_measures_measures_it(handcount_view, filters):
    """queries/headline_trend.sql must agree with queries/indicator_measures.sql month by month."""
    trend = overview.headline_trend(handcount_view, filters)
    for month in overview.trend_months(filters.period, handcount_view.as_of):
        expected = add_indicator_values(measures(handcount_view, filters.with_period(month))).iloc[0]
        got = trend[trend["month"] == month.key].set_index("key")["value"]
        for key, value in got.items():
            want = expected[key]
            assert (pd.isna(value) and pd.isna(want)) or value == pytest.approx(float(want)), (month.key, key)


def test_the_trend_chart_has_a_panel_per_indicator_with_its_target(handcount_view):
    trend = overview.headline_trend(handcount_view, OCTOBER)
    fig = charts.small_multiple_lines(trend, panel_col="key", title_col="title", subtitle_col="subtitle",
                                      x_col="month", y_col="value", text_col="value_text", target_col="target",
                                      suffix_col="suffix", places_col="places", columns=4)
    labels = _latest_values([a.to_plotly_json() for a in fig.layout.annotations])
    assert labels == ["8 件", "6.00 工作日", "60.0%", "1 件", "50.0%", "42.9%", "50.0%", "62.5 分"]
    assert len(fig.layout.shapes) == 7  # a dashed target in every panel but 办件量
    assert {s.line.dash for s in fig.layout.shapes} == {"dash"}
    assert "按期办结率" in fig.layout.annotations[2].text and "目标 ≥ 95.0%" in fig.layout.annotations[2].text
    assert fig.layout.xaxis3.tickvals == ("2026-01", "2026-04", "2026-07", "2026-10")
    # on-time 0 %…100 %, target 95 %: headroom above for the latest value, but no tick past 100 %
    assert fig.layout.yaxis3.range[1] > 100 and fig.layout.yaxis3.tickvals == (0, 50, 100)
    # months without data are gaps in the line (NaN), never drawn at 0
    on_time = next(tr for tr in fig.data if tr.xaxis == "x3")
    y = dict(zip(on_time.x, on_time.y, strict=True))
    assert math.isnan(y["2026-09"]) and math.isnan(y["2025-12"]) and y["2026-06"] == 0.0
    assert on_time.connectgaps is False
    empty = charts.small_multiple_lines(trend.assign(value=None), panel_col="key", title_col="title",
                                        subtitle_col="subtitle", x_col="month", y_col="value", text_col="value_text",
                                        target_col="target", suffix_col="suffix", places_col="places",
                                        empty_message="没有数据")
    assert empty.layout.annotations[0].text == "没有数据"


# ---------------------------------------------------------------- text catalog

def test_languages_have_the_same_keys():
    assert set(messages("zh")) == set(messages("en"))
    for lang in LANGS:
        assert all(v.strip() for v in messages(lang).values())


def test_every_code_has_a_label():
    for lang in LANGS:
        for channel in CHANNELS:
            assert t(f"channel.{channel}", lang)
        for ind in catalog().values():
            assert t(f"better.{ind.better}", lang)
        for kind in ("month", "quarter", "year", "custom"):
            assert t(f"period_kind.{kind}", lang)


def test_unknown_key_fails_loudly_and_unknown_language_falls_back():
    with pytest.raises(KeyError):
        t("no.such.key")
    assert t("nav.overview", "fr") == t("nav.overview", "zh")


def test_join_names():
    assert join_names([], "zh") == "全部"
    assert join_names(["甲区", "乙县"], "zh") == "甲区、乙县"
    assert join_names(list("ABCDE"), "zh") == "A、B、C等5项"
    assert join_names(list("ABCDE"), "en") == "A, B, C and 2 more"


@pytest.mark.parametrize("lang", LANGS)
def test_definitions_cover_the_catalog(lang):
    table = indicator_definitions(lang)
    assert len(table) == len(catalog())
    on_time = table[table[t("definitions.key", lang)] == "on_time_rate"].iloc[0]
    assert on_time[t("definitions.label", lang)] == catalog()["on_time_rate"].label(lang)
    assert on_time[t("definitions.target", lang)] == "95.0%"
    assert on_time[t("definitions.weight", lang)] == "20"
    assert on_time[t("definitions.better", lang)] == t("better.higher", lang)


# ---------------------------------------------------------------- session helpers (pure)

def test_case_date_range_spans_the_first_acceptance_to_the_snapshot(handcount_view):
    assert case_date_range(handcount_view) == (dt.date(2026, 2, 12), dt.date(2026, 10, 30))


def test_period_options():
    first, last = dt.date(2025, 11, 20), dt.date(2026, 2, 3)
    assert period_options("month", first, last) == ["2026-02", "2026-01", "2025-12", "2025-11"]
    assert period_options("quarter", first, last) == ["2026-Q1", "2025-Q4"]
    assert period_options("year", first, last) == ["2026", "2025"]
    with pytest.raises(ValueError):
        period_options("custom", first, last)


@pytest.mark.parametrize(("start", "kind", "key"), [
    ("2026-10", "quarter", "2026-Q4"),
    ("2026-10", "year", "2026"),
    ("2026-10", "custom", "2026-10-01..2026-10-31"),
    ("2026-Q1", "month", "2026-03"),
    ("2026", "month", "2026-12"),
    ("2026-02-03..2026-05-09", "month", "2026-05"),
    ("2026-10", "month", "2026-10"),
])
def test_convert_period(start, kind, key):
    assert convert_period(Period.parse(start), kind).key == key


@pytest.mark.parametrize(("start", "kind", "key"), [
    ("2026", "month", "2026-10"),  # not December, after the snapshot
    ("2026", "quarter", "2026-Q4"),
    ("2026-Q4", "month", "2026-10"),
    ("2025", "month", "2025-12"),  # a past year keeps its last month
    ("2026-10", "year", "2026"),
])
def test_convert_period_stops_at_the_snapshots_data_date(start, kind, key):
    assert convert_period(Period.parse(start), kind, dt.date(2026, 10, 31)).key == key


def test_custom_period_while_picking():
    fallback = Period.parse("2026-10")
    assert custom_period((), fallback).key == "2026-10-01..2026-10-31"
    assert custom_period((dt.date(2026, 3, 1),), fallback).key == "2026-03-01..2026-03-01"
    assert custom_period((dt.date(2026, 3, 1), dt.date(2026, 3, 9)), fallback).key == "2026-03-01..2026-03-09"


def test_url_params_round_trip():
    filters = Filters(Period.parse("2026-Q3"), counties=("C02", "C01"), channels=("online",))
    params = url_params("demo", filters, "en")
    assert params == {"snapshot": "demo", "period": "2026-Q3", "counties": "C01,C02", "channels": "online",
                      "lang": "en"}
    assert Filters.from_query_params(params, "2026-10") == filters
    assert "lang" not in url_params("demo", filters, "zh")


def test_kpi_frame_is_small_and_picklable(handcount_view):
    """What the cache keeps: a few rows, no figures."""
    import pickle

    cards = overview.kpi_cards(handcount_view, OCTOBER)
    assert isinstance(pickle.loads(pickle.dumps(cards)), pd.DataFrame)
    assert len(cards) <= 12


# ---------------------------------------------------------------- the page (AppTest)

def _latest_values(annotations) -> list[str]:
    """The latest value in each trend panel's corner (the other annotations are the panels' titles)."""
    return [a["text"].removeprefix("<b>").removesuffix("</b>") for a in annotations
            if str(a["xref"]).endswith("domain")]


def _trend_labels(at: AppTest) -> list[str]:
    """The latest value of each trend panel (the page's second chart)."""
    return _latest_values(json.loads(at.get("plotly_chart")[1].proto.spec)["layout"]["annotations"])


@pytest.fixture
def fresh_cache():
    """An empty Streamlit cache before and after the test (a test that changes a rule must not leave
    its results to the next test, nor read the previous test's)."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _honour_lists(at: AppTest) -> list[str]:
    """The 红榜 and 黑榜 panels (the page's other st.html elements are the 需关注 lists and page breaks)."""
    titles = (t("briefing.ranking.red"), t("briefing.ranking.black"))
    return [body for body in html_bodies(at) if any(title in body for title in titles)]


def _infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def test_page_shows_rank_change_and_small_bases(page):
    page.run()
    assert not page.exception
    ranking = page.table[0].value
    assert ranking[t("ranking.county")].tolist() == ["甲区", "乙县"]
    assert ranking[t("ranking.rank")].tolist() == ["1（样本不足）", "2（样本不足）"]
    # C01 ranked first in 1–30 September as now; C02 had no case data then
    assert ranking[t("scorecard_data.scorecard.rank_change")].tolist() == ["持平", "无可比数据"]
    assert not _honour_lists(page)  # both counties accepted 4 cases, fewer than 30: no 红榜/黑榜
    captions = [c.value for c in page.caption]
    assert t("ranking.lists_all_small", min=30) in captions
    assert any("2026年9月1日至9月30日" in c and "样本不足" in c for c in captions)  # the ranking's caption
    # the cards say how far October's figures reach and what they are compared with
    assert any(c.startswith("统计期尚未结束，数字截至10月30日") for c in captions)


def test_page_shows_the_red_and_black_lists(page, lower_minimum, fresh_cache):
    page.run()
    assert not page.exception
    red, black = _honour_lists(page)
    assert "红榜" in red and "甲区" in red and "72.5" in red and "乙县" not in red
    assert "黑榜" in black and "乙县" in black and "40.9" in black and "甲区" not in black
    assert page.table[0].value[t("ranking.rank")].tolist() == ["1", "2"]


def test_page_trend_follows_the_county_filter_and_the_ranking_click(page):
    page.run()
    assert _trend_labels(page) == ["8 件", "6.00 工作日", "60.0%", "1 件", "50.0%", "42.9%", "50.0%", "62.5 分"]
    page.multiselect(key="filter_counties").set_value(["C02"]).run()
    # C02 in October: K06, K08, K10, K12 accepted; 承诺件 K10 3; K10 of K06, K10 by the deadline; K06 red;
    # K06, K10 online; R3 of R3, R4, R6, R8 satisfied; R4 due and pending; survey S3, S4 → 37.5
    c02 = ["4 件", "3.00 工作日", "50.0%", "1 件", "50.0%", "25.0%", "0.0%", "37.5 分"]
    assert _trend_labels(page) == c02
    page.multiselect(key="filter_counties").set_value([]).run()
    page.query_params["xf_county"] = "C02"  # what the ranking chart's click callback puts in the URL
    page.run()
    assert not page.exception
    assert _trend_labels(page) == c02


def test_page_lists_the_cases_of_a_clicked_matrix_cell(page):
    page.run()
    assert not page.dataframe  # the cards' drill waits for its button
    page.button(key="overview_drill_show").click().run()
    assert [d.value.iloc[:, 0].tolist() for d in page.dataframe] == [["K06"]]  # only the cards' drill
    page.session_state["overview_xf_cell"] = "C01|D02"  # what the matrix's click callback stores
    page.run()
    assert not page.exception
    assert page.markdown[-1].value == "**甲区 · 人社局 · 2026年10月：按期办结率 50.0%（应办结件 2 件）**"
    assert page.selectbox(key="overview_cell_subset").value == "due_missed"
    assert page.dataframe[-1].value.iloc[:, 0].tolist() == ["K13"]  # K13 late; K11 by its deadline
    page.selectbox(key="overview_cell_subset").set_value("completed").run()
    assert sorted(page.dataframe[-1].value.iloc[:, 0]) == ["K11", "K13"]
    page.button(key="overview_cell_clear").click().run()
    assert len(page.dataframe) == 1 and page.session_state["overview_xf_cell"] is None


def test_page_drops_a_cell_the_matrix_no_longer_shows(page):
    page.run()
    page.button(key="overview_drill_show").click().run()
    page.session_state["overview_xf_cell"] = "C01|D02"
    page.multiselect(key="filter_counties").set_value(["C02"]).run()
    assert not page.exception
    assert len(page.dataframe) == 1  # C01's cell is not in C02's matrix: no cell list


@pytest.mark.parametrize("params", [
    {"period": "2026-12"},  # a future month
    {"period": "2025"},  # a year before the data (they begin in February 2026)
    {"period": "2026-10", "counties": "C02", "departments": "D01", "item_types": "公共服务"},  # nothing in it
], ids=["future-month", "previous-year", "empty-combination"])
def test_page_without_data_says_no_data_and_ranks_nobody(page, params):
    for key, value in params.items():
        page.query_params[key] = value
    page.run()
    assert not page.exception
    infos = _infos(page)
    assert t("kpi.empty") in infos and t("ranking.empty") in infos and t("matrix.empty") in infos
    assert not page.metric and not page.table and not _honour_lists(page)  # no cards, no ranking, no lists
    assert [b for b in html_bodies(page) if t("attention.none") in b]
    assert "overview_handout" not in [b.key for b in page.get("download_button")]  # no handout of nothing
    wide, narrow = page.get("plotly_chart")  # the trend alone (four panels a row, and one), saying there is nothing
    for trend in (wide, narrow):
        annotations = json.loads(trend.proto.spec)["layout"]["annotations"]
        assert [a["text"] for a in annotations] == [t("overview_more.trend_empty")]
    assert t("overview_more.trend_empty") in [c.value for c in page.caption]


def test_page_of_a_running_quarter(page):
    page.query_params["period"] = "2026-Q4"
    page.run()
    assert not page.exception
    captions = [c.value for c in page.caption]
    note = next(c for c in captions if c.startswith("统计期尚未结束"))
    assert "截至10月30日" in note and "2026年7月1日至7月30日" in note and "2025年10月1日至10月30日" in note
    by_label = {m.label: m for m in page.metric}
    assert by_label[catalog()["cases_accepted"].label_zh].value == "8 件"
    assert by_label[catalog()["cases_accepted"].label_zh].delta == "+8 件"  # none accepted 1–30 July
    assert by_label[catalog()["on_time_rate"].label_zh].delta == "无可比数据"  # nothing due 1–30 July
    assert all("截至10月30日" in m.value for m in page.markdown if t("kpi.target") in m.value)
    # the rank change compares with 1–30 July: C01 64.3, C02 35.1 — the same order as now
    assert page.table[0].value[t("scorecard_data.scorecard.rank_change")].tolist() == ["持平", "持平"]


# ---------------------------------------------------------------- 需关注 (the first screen)

def test_attention_lists_the_black_list_then_the_biggest_fallers(handcount_view, lower_minimum):
    counties = overview.attention_units(overview.county_ranking(handcount_view, OCTOBER), 3)
    # two listable counties: 乙县 alone on the 黑榜; 甲区 rose (+12.5 since 1–30 September): not listed
    assert counties["unit_name"].tolist() == ["乙县"]
    assert counties[["rank", "ranked", "worst", "declined"]].values.tolist() == [[2, 2, True, False]]
    assert counties["missed"].iloc[0] == ["按期办结率", "网办率", "满意率", "满意度指数"]
    departments = overview.attention_units(overview.department_ranking(handcount_view, OCTOBER), 3)
    # 人社局 last; 市场监管局 first but 0.9 points down on September
    assert departments["unit_name"].tolist() == ["人社局", "市场监管局"]
    assert departments["worst"].tolist() == [True, False] and departments["declined"].tolist() == [False, True]
    assert round(departments["score_change"].iloc[1], 1) == -0.9


def test_small_bases_are_never_listed_for_attention(handcount_view):
    """The fixture's 4 accepted cases are under the minimum of 30: nobody is named (the 黑榜's rule)."""
    assert overview.attention_units(overview.county_ranking(handcount_view, OCTOBER), 3).empty
    html = overview.attention_html(overview.attention_units(overview.county_ranking(handcount_view, OCTOBER), 3),
                                   "county", {}, "zh")
    assert t("attention.none") in html


def test_attention_html_links_each_unit_to_its_profile(handcount_view, lower_minimum):
    params = url_params("handcount", OCTOBER, "zh")
    units = overview.attention_units(overview.department_ranking(handcount_view, OCTOBER), 3)
    hrefs = {code: overview.profile_href(params, "dept", code) for code in units["unit_code"]}
    html = overview.attention_html(units, "dept", hrefs, "zh")
    assert '<a href="unit_profile?snapshot=handcount&amp;period=2026-10&amp;departments=D02&amp;level=dept"' in html
    assert "第2/2名" in html and "56.9" in html and "末位" in html and "退步" in html and "-0.9" in html
    assert "5项未达标：按期办结率、平均办理时长、网办率、满意率、满意度指数" in html
    county = overview.profile_href(url_params("handcount", Filters(Period.parse("2026-10"), counties=("C01",),
                                                                  departments=("D01",)), "en"), "county", "C02")
    assert county == "unit_profile?snapshot=handcount&period=2026-10&lang=en&counties=C02"
    with pytest.raises(ValueError, match="kind"):
        overview.profile_href(params, "post", "X")


def test_attention_html_escapes_names():
    units = pd.DataFrame([{"unit_code": "C9", "unit_name": "<b>县</b>", "rank": 3, "ranked": 3, "composite_score": 50.0,
                           "score_change": -2.0, "rank_change": -1, "worst": True, "declined": True, "missed": []}])
    html = overview.attention_html(units, "county", {"C9": "unit_profile?counties=C9&x=\"y"}, "zh")
    assert "&lt;b&gt;县&lt;/b&gt;" in html and "<b>县" not in html and "&quot;y" in html
    assert "各项指标均达标" in html and "-2.0" in html and "↓1" in html


def test_the_phone_list_ranks_the_cells_below_target(handcount_view):
    matrix = overview.traffic_light_matrix(handcount_view, OCTOBER)
    assert overview.matrix_misses(matrix)["cell_code"].tolist() == ["C02|D01", "C01|D02"]  # 0.0 %, then 50.0 %
    html = overview.matrix_list_html(matrix, "zh")
    assert html.index("乙县") < html.index("甲区") and "0.0%" in html and "50.0%" in html
    assert "未达标的单元（共2个，由低到高）" in html and "其余2个单元达标或无数据。" in html


def test_page_first_screen_shows_the_attention_lists(page, lower_minimum, fresh_cache):
    page.run()
    assert not page.exception
    county, dept = (b for b in html_bodies(page) if 'data-kind=' in b)
    assert "乙县" in county and "unit_profile?snapshot=handcount" in county and "counties=C02" in county
    assert "人社局" in dept and "市场监管局" in dept and "level=dept" in dept
    (handout,) = [b for b in page.get("download_button") if b.key == "overview_handout"]  # an admin may export
    assert handout.proto.label == t("handout.button")

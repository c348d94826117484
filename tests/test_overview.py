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

from xiaoneng import briefing, caselist, charts, overview, scorecard
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


# ---------------------------------------------------------------- KPI cards

def test_kpi_cards_are_the_headline_values_formatted(handcount_view):
    cards = overview.kpi_cards(handcount_view, OCTOBER).set_index("key")
    assert list(cards.index) == [h.indicator.key for h in headline(handcount_view, OCTOBER)]
    assert cards.loc["on_time_rate", "value_text"] == "60.0%"
    assert cards.loc["cases_accepted", "value_text"] == "8 件"
    assert cards.loc["online_rate", "value_text"] == "50.0%"
    assert cards.loc["open_overdue", "value_text"] == "1 件"
    assert cards.loc["avg_elapsed_wd", "value_text"] == "4.50 工作日"
    assert cards.loc["satisfaction_index", "value_text"] == "62.5 分"
    assert cards.loc["on_time_rate", "help"] == catalog()["on_time_rate"].definition_zh


def test_kpi_cards_change_and_target_texts(handcount_view):
    cards = overview.kpi_cards(handcount_view, OCTOBER).set_index("key")
    # 环比: September accepted 1 case (K05), October 8 → +700 %; online 0 % → 50 %: +50 points
    assert cards.loc["cases_accepted", ["delta_text", "delta_color"]].tolist() == ["+700.0%", "off"]
    assert cards.loc["online_rate", ["delta_text", "delta_color"]].tolist() == ["+50.0 个百分点", "normal"]
    # no completion in September: no 环比 for the on-time rate, shown as a grey dash
    assert cards.loc["on_time_rate", ["delta_text", "delta_color", "delta_arrow"]].tolist() == ["—", "off", "off"]
    # survey index unchanged (same wave): unsigned zero, no colour
    assert cards.loc["satisfaction_index", ["delta_text", "delta_color"]].tolist() == ["0.0 分", "off"]
    # target lines
    assert "目标 ≥ 95.0%" in cards.loc["on_time_rate", "detail_md"]
    assert ":red-badge[未达标] 差 35.0 个百分点" in cards.loc["on_time_rate", "detail_md"]
    assert ":green-badge[达标] 优于目标 0.50 工作日" in cards.loc["avg_elapsed_wd", "detail_md"]
    assert ":red-badge[未达标] 超出 1 件" in cards.loc["open_overdue", "detail_md"]
    assert "未设目标" in cards.loc["cases_accepted", "detail_md"]
    # 同比: October 2025 had nothing; the survey index compares the 2025H2 wave (25.0) → +37.5
    assert "同比 :green[↑ +37.5 分]" in cards.loc["satisfaction_index", "detail_md"]


def test_kpi_cards_in_english(handcount_view):
    cards = overview.kpi_cards(handcount_view, OCTOBER, "en").set_index("key")
    assert cards.loc["on_time_rate", "label"] == "On-time rate"
    assert cards.loc["online_rate", "delta_text"] == "+50.0 pp"
    assert cards.loc["online_rate", "delta_description"] == t("kpi.previous", "en")
    assert "Missed" in cards.loc["on_time_rate", "detail_md"]
    assert not any("个百分点" in str(v) for v in cards.to_numpy().ravel())


def test_lower_better_indicators_colour_inversely(handcount_view):
    march = overview.kpi_cards(handcount_view, Filters(Period.parse("2026-03"))).set_index("key")
    assert march.loc["avg_elapsed_wd", ["delta_text", "delta_color"]].tolist() == ["+125.0%", "inverse"]
    assert march.loc["on_time_rate", ["delta_text", "delta_color"]].tolist() == ["-66.7 个百分点", "normal"]


def test_empty_selection(handcount_view):
    cards = overview.kpi_cards(handcount_view, Filters(Period.parse("2025-01")))
    assert overview.kpis_empty(cards)
    assert not overview.kpis_empty(overview.kpi_cards(handcount_view, OCTOBER))
    assert (cards["value_text"].isin(["—", "0 件"])).all()


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
    ("avg_elapsed_wd", 5.0, "green"),  # lower is better, target 5
    ("avg_elapsed_wd", 9.0, "amber"),
    ("avg_elapsed_wd", 10.5, "red"),
    ("cases_accepted", 10.0, "none"),  # no target
])
def test_traffic_status(key, value, status):
    assert overview.traffic_status(value, catalog()[key]) == status


# ---------------------------------------------------------------- ranking, rank change, 红榜 / 黑榜

def test_ranking_ranks_every_county_and_marks_the_selected(handcount_view):
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)))
    assert ranked["unit_code"].tolist() == ["C01", "C02"]  # C02 filtered, still ranked
    assert ranked["rank"].tolist() == [1, 2]
    assert ranked["selected"].tolist() == [False, True]
    assert ranked["composite_score"].is_monotonic_decreasing
    assert ranked.loc[0, "on_time_rate"] == pytest.approx(200 / 3)  # C01: 2 of 3


def test_ranking_is_the_scorecards(handcount_view):
    """One ranking code path: the Overview shows the Scorecard page's ranks and changes."""
    ranked = overview.county_ranking(handcount_view, OCTOBER)
    card = scorecard.scorecard(handcount_view, OCTOBER, by="county")
    for column in ("unit_code", "rank", "composite_score", "previous_rank", "rank_change"):
        assert ranked[column].tolist() == card[column].tolist()


def test_ranking_keeps_its_places_in_october(handcount_view):
    ranked = overview.county_ranking(handcount_view, OCTOBER)
    # September: C01 60.0 (online 0 % → 0 of weight 10, survey 87.5 → 15 of 15), C02 44.1 (survey 37.5/85)
    assert ranked["previous_rank"].tolist() == [1, 2]
    assert ranked["rank_change"].tolist() == [0, 0]
    table = overview.ranking_table(ranked, "zh").data
    assert table[t("scorecard_data.scorecard.rank_change")].tolist() == ["持平", "持平"]


def test_rank_change_from_the_previous_quarter(handcount_view):
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2026-Q1")))
    # 2025-Q4 has only the 2025H2 survey: C01 S5 = 1 → index 0 → score 0; C02 S6 = 3 → 50/85 → 58.8.
    # 2026-Q1: C01 (K01, K02, R7, survey 87.5) 60.72/75 → 81.0; C02 (K03, K04, survey 37.5) 29.78/65 → 45.8.
    assert ranked["unit_code"].tolist() == ["C01", "C02"]
    assert ranked["composite_score"].round(1).tolist() == [81.0, 45.8]
    assert ranked["previous_rank"].tolist() == [2, 1]
    assert ranked["rank_change"].tolist() == [1, -1]
    table = overview.ranking_table(ranked, "en").data
    assert table["Rank change"].tolist() == ["↑1", "↓1"]
    assert list(table.columns[:4]) == ["Rank", "County", "Composite score", "Rank change"]
    html = overview.ranking_table(ranked, "zh").to_html().lower()
    assert all(colour.lower() in html for colour in overview.CHANGE_COLORS.values())


def test_ranking_keeps_counties_without_data_last(handcount_view):
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2025-01")))
    assert ranked["unit_code"].tolist() == ["C01", "C02"]
    assert ranked["composite_score"].isna().all()
    assert ranked["rank"].isna().all()
    assert overview.ranking_table(ranked, "zh").data[t("scorecard_data.scorecard.rank_change")].tolist() == ["—", "—"]


def test_ranking_table_formats_by_the_catalog(handcount_view):
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)))
    html = overview.ranking_table(ranked, "zh").to_html()
    assert "66.7%" in html and "50.0%" in html and "甲区" in html
    assert overview.HIGHLIGHT_BACKGROUND.lower() in html.lower()
    english = overview.ranking_table(overview.county_ranking(handcount_view, OCTOBER, "en"), "en").data
    assert "County" in english.columns and "Jia District" in set(english["County"])


def test_ranking_indicators_are_weighted():
    """The scorecard carries the values of weighted indicators only."""
    assert all(catalog()[key].weight for key in overview.RANKING_INDICATORS)


def test_red_and_black_lists_of_october(handcount_view):
    ranked = overview.county_ranking(handcount_view, OCTOBER)
    red, black = briefing.red_and_black_lists(ranked, 3)  # two counties: one on each list
    red_html = overview.honour_list_html(red, "red", "zh")
    black_html = overview.honour_list_html(black, "black", "zh")
    assert "红榜" in red_html and "甲区" in red_html and "77.4" in red_html and "持平" in red_html
    assert "乙县" not in red_html
    assert "黑榜" in black_html and "乙县" in black_html and "40.1" in black_html and "甲区" not in black_html
    assert overview.LIST_COLORS["red"] in red_html and overview.LIST_COLORS["black"] in black_html
    assert "综合绩效得分前 1 名" in red_html


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
    # C01/D01: K05 on time; C01/D02: K11 on time, K13 late; C02/D01: K06 overdue; C02/D02: K10 on time
    assert got == {
        ("C01", "D01"): ("100.0%", "green", 1),
        ("C01", "D02"): ("50.0%", "red", 2),
        ("C02", "D01"): ("0.0%", "red", 1),
        ("C02", "D02"): ("100.0%", "green", 1),
    }


def test_matrix_empty_cells_are_grey_dashes(handcount_view):
    cells = overview.traffic_light_matrix(handcount_view, Filters(Period.parse("2026-02")))
    empty = cells[cells["status"] == "none"]
    assert set(zip(empty["county_code"], empty["dept_code"], strict=True)) == {("C01", "D02"), ("C02", "D01")}
    assert (empty["text"] == "—").all()


def test_matrix_follows_county_and_department_filters(handcount_view):
    cells = overview.traffic_light_matrix(
        handcount_view, Filters(Period.parse("2026-10"), counties=("C02",), departments=("D02",)))
    assert cells[["county_code", "dept_code", "status"]].values.tolist() == [["C02", "D02", "green"]]
    nothing = overview.traffic_light_matrix(handcount_view, Filters(Period.parse("2025-01")))
    assert nothing.empty or (nothing["status"] == "none").all()


def test_matrix_caption_states_target_and_band():
    assert "95.0%" in overview.matrix_caption("zh") and "5" in overview.matrix_caption("zh")


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

    # C01/D02 in October: K11 on time, K13 late → the rate's base holds both, its miss is K13
    assert listed("off_time") == ["K13"]
    assert listed("completed") == ["K11", "K13"]
    assert listed("on_time") == ["K11"]
    assert overview.cell_heading(cell, OCTOBER.period, "zh") == \
        "甲区 · 人社局 · 2026年10月：按时办结率 50.0%（计算基数 2 件）"


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
    assert on_time["2026-10"] == "60.0%"  # K05, K10, K11 on time of K05, K10, K11, K13 + K06 overdue
    assert on_time["2026-09"] == "—"  # nothing completed, nothing overdue at the end of September
    assert on_time["2026-03"] == "0.0%"  # K02 completed late on 03-02
    assert on_time["2026-02"] == "66.7%"  # K01, K03 on time, K04 late; K02 due 02-28, not yet overdue
    assert _trend_values(trend, "avg_elapsed_wd")["2026-02"] == "2.67 工作日"  # (7 + 0 + 1) / 3
    assert _trend_values(trend, "cases_accepted")["2026-09"] == "1 件"  # K05
    assert _trend_values(trend, "online_rate")["2026-09"] == "0.0%"
    assert _trend_values(trend, "open_overdue")["2026-10"] == "1 件"  # K06
    assert _trend_values(trend, "satisfied_rate")["2026-10"] == "42.9%"  # 3 of 7
    assert _trend_values(trend, "rectification_rate")["2026-10"] == "50.0%"  # R2 of R2, R4
    index = _trend_values(trend, "satisfaction_index")
    assert (index["2025-12"], index["2026-01"]) == ("25.0 分", "62.5 分")  # wave 2025H2 (1, 3), then 2026H1
    row = trend[(trend["key"] == "on_time_rate")].iloc[0]
    assert (row["subtitle"], row["target"], row["suffix"]) == ("目标 ≥ 95.0%", 95.0, "%")
    assert trend[trend["key"] == "cases_accepted"].iloc[0]["subtitle"] == "未设目标"
    assert overview.trend_caption(trend, "zh").startswith("2025年11月 至 2026年10月")


def test_trend_follows_the_county(handcount_view):
    trend = overview.headline_trend(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)))
    on_time = _trend_values(trend, "on_time_rate")
    assert on_time["2026-10"] == "50.0%"  # K10 on time, K06 overdue
    assert on_time["2026-02"] == "50.0%"  # K03 on time, K04 late
    assert _trend_values(trend, "satisfaction_index")["2026-10"] == "37.5 分"  # S3 = 3, S4 = 2


@pytest.mark.parametrize("filters", [
    OCTOBER,
    Filters(Period.parse("2026-Q4"), counties=("C01",)),
    Filters(Period.parse("2026-03"), departments=("D02",), channels=("window", "mobile")),
    Filters(Period.parse("2026-10"), item_types=("行政许可",)),
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
    assert labels == ["8 件", "4.50 工作日", "60.0%", "1 件", "50.0%", "42.9%", "50.0%", "62.5 分"]
    assert len(fig.layout.shapes) == 7  # a dashed target in every panel but 办件量
    assert {s.line.dash for s in fig.layout.shapes} == {"dash"}
    assert "按时办结率" in fig.layout.annotations[2].text and "目标 ≥ 95.0%" in fig.layout.annotations[2].text
    assert fig.layout.xaxis3.tickvals == ("2026-01", "2026-04", "2026-07", "2026-10")
    # on-time 0 %…66.7 %, target 95 %: headroom above for the latest value, but no tick past 100 %
    assert fig.layout.yaxis3.range[1] > 100 and fig.layout.yaxis3.tickvals == (0, 50, 100)
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


def test_page_shows_rank_change_and_the_red_and_black_lists(page):
    page.run()
    assert not page.exception
    ranking = page.table[0].value
    assert ranking[t("ranking.county")].tolist() == ["甲区", "乙县"]
    assert ranking[t("scorecard_data.scorecard.rank_change")].tolist() == ["持平", "持平"]
    red, black = (element.proto.body for element in page.get("html"))
    assert "红榜" in red and "甲区" in red and "77.4" in red and "乙县" not in red
    assert "黑榜" in black and "乙县" in black and "40.1" in black and "甲区" not in black


def test_page_trend_follows_the_county_filter_and_the_ranking_click(page):
    page.run()
    assert _trend_labels(page) == ["8 件", "4.50 工作日", "60.0%", "1 件", "50.0%", "42.9%", "50.0%", "62.5 分"]
    page.multiselect(key="filter_counties").set_value(["C02"]).run()
    c02 = ["4 件", "3.00 工作日", "50.0%", "1 件", "50.0%", "25.0%", "0.0%", "37.5 分"]
    assert _trend_labels(page) == c02
    page.multiselect(key="filter_counties").set_value([]).run()
    page.session_state["overview_xf_county"] = "C02"  # what the ranking chart's click callback stores
    page.run()
    assert not page.exception
    assert _trend_labels(page) == c02


def test_page_lists_the_cases_of_a_clicked_matrix_cell(page):
    page.run()
    assert [d.value.iloc[:, 0].tolist() for d in page.dataframe] == [["K06"]]  # only the cards' drill
    page.session_state["overview_xf_cell"] = "C01|D02"  # what the matrix's click callback stores
    page.run()
    assert not page.exception
    assert page.markdown[-1].value == "**甲区 · 人社局 · 2026年10月：按时办结率 50.0%（计算基数 2 件）**"
    assert page.selectbox(key="overview_cell_subset").value == "off_time"
    assert page.dataframe[-1].value.iloc[:, 0].tolist() == ["K13"]  # K13 late; K11 on time
    page.selectbox(key="overview_cell_subset").set_value("completed").run()
    assert sorted(page.dataframe[-1].value.iloc[:, 0]) == ["K11", "K13"]
    page.button(key="overview_cell_clear").click().run()
    assert len(page.dataframe) == 1 and page.session_state["overview_xf_cell"] is None


def test_page_drops_a_cell_the_matrix_no_longer_shows(page):
    page.run()
    page.session_state["overview_xf_cell"] = "C01|D02"
    page.multiselect(key="filter_counties").set_value(["C02"]).run()
    assert not page.exception
    assert len(page.dataframe) == 1  # C01's cell is not in C02's matrix: no cell list

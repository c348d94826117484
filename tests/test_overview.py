"""Overview data functions, the text catalog and the session's pure helpers, on the
hand-counted fixture (tests/handcount.py: October 2026, snapshot time 2026-10-30 17:00)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from xiaoneng import overview
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import LANGS, indicator_definitions, join_names, messages, t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import headline
from xiaoneng.schema import CHANNELS
from xiaoneng.session import (
    case_date_range,
    convert_period,
    custom_period,
    period_options,
    url_params,
)

OCTOBER = Filters(Period.parse("2026-10"))


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


# ---------------------------------------------------------------- ranking

def test_ranking_ranks_every_county_and_marks_the_selected(handcount_view):
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)))
    assert ranked["county_code"].tolist() == ["C01", "C02"]  # C02 filtered, still ranked
    assert ranked["rank"].tolist() == [1, 2]
    assert ranked["selected"].tolist() == [False, True]
    assert ranked["composite_score"].is_monotonic_decreasing
    assert ranked.loc[0, "on_time_rate"] == pytest.approx(200 / 3)  # C01: 2 of 3


def test_ranking_keeps_counties_without_data_last(handcount_view):
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2025-01")))
    assert ranked["county_code"].tolist() == ["C01", "C02"]
    assert ranked["composite_score"].isna().all()
    assert ranked["rank"].isna().all()


def test_ranking_table_formats_by_the_catalog(handcount_view):
    ranked = overview.county_ranking(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)))
    html = overview.ranking_table(ranked, "zh").to_html()
    assert "66.7%" in html and "50.0%" in html and "甲区" in html
    assert overview.HIGHLIGHT_BACKGROUND.lower() in html.lower()
    english = overview.ranking_table(overview.county_ranking(handcount_view, OCTOBER, "en"), "en").data
    assert "County" in english.columns and "Jia District" in set(english["County"])


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

"""The PowerPoint deck (xiaoneng.deck) on the hand-counted fixture, October 2026 unless stated: the deck
opens, follows the configured sequence, and every chart holds exactly the query layer's numbers
(hand-counted values from tests/handcount.py's docstring where they exist). October is still running at
the snapshot (Fri 10-30 17:00): every slide says 截至10月30日; a period or selection without data says
无数据 on every slide and ranks nobody."""

from __future__ import annotations

import io
import math
import re

import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.oxml.ns import qn
from pptx.util import Inches

from tests.test_briefing import min_cases as min_cases  # the fixture
from xiaoneng import briefing, deck, scorecard, supervision
from xiaoneng.charts import MUTED, STATUS_COLORS
from xiaoneng.cli import main
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog

OCTOBER = Filters(Period.parse("2026-10"))
C02 = Filters(Period.parse("2026-10"), counties=("C02",))
NO_DATA = {
    "future month": Filters(Period.parse("2026-12")),
    "uncovered year": Filters(Period.parse("2025")),  # the data start 2026-02
    "empty filter combination": Filters(Period.parse("2026-10"), counties=("C01",), channels=("kiosk",)),
}
FRAME = ("Title", "Period", "Takeaway", "Footer", "Page number")  # the shapes every content slide has


def _open(data: bytes):
    return Presentation(io.BytesIO(data))


def _shape(slide, name: str):
    matches = [s for s in slide.shapes if s.name == name]
    assert len(matches) == 1, f"{len(matches)} shapes named {name!r}"
    return matches[0]


def _text(slide, name: str) -> str:
    return _shape(slide, name).text_frame.text


def _charts(slide) -> list:
    return [s.chart for s in slide.shapes if s.has_chart]


def _tables(slide) -> list:
    return [s.table for s in slide.shapes if s.has_table]


def _numbers(values) -> list[float | None]:
    """Chart values as the deck must write them: full precision, a gap (None) where there is no value."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]


def _rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#"))


@pytest.fixture(scope="module")
def city(handcount_view):
    """(deck, views) for the whole city."""
    return (_open(deck.deck_bytes(handcount_view, OCTOBER, "zh")),
            {v.name: v for v in briefing.build_views(handcount_view, OCTOBER, "zh")})


@pytest.fixture(scope="module")
def county(handcount_view):
    """(deck, views) for 乙县 (C02)."""
    return (_open(deck.deck_bytes(handcount_view, C02, "zh")),
            {v.name: v for v in briefing.build_views(handcount_view, C02, "zh")})


def _slide(prs, name: str):
    """The slide of a view of the default sequence (the title slide comes first)."""
    names = [spec.name for spec in briefing.meeting_config().views]
    return prs.slides[1 + names.index(name)]


# ---------------------------------------------------------------- the sequence

def test_deck_opens_with_a_title_slide_and_one_slide_per_configured_view(city):
    prs, _ = city
    config = briefing.meeting_config()
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))  # 16:9
    assert len(prs.slides) == 1 + len(config.views) == 7
    assert [_text(s, "Title") for s in prs.slides][1:] == [t(f"briefing.title.{v.name}") for v in config.views]
    assert _text(prs.slides[1], "Title") == "核心指标"  # the headline KPIs open the deck
    cover = prs.slides[0]
    assert _text(cover, "Title") == "清河市作风效能情况汇报"
    assert _text(cover, "Subtitle") == "2026年10月（截至10月30日） · 全市"
    assert _text(cover, "Source") == "数据截至 2026-10-30 17:00（快照 handcount）\n制作：效能看板"
    # every content slide's title bar names the period and how far its figures reach
    assert {_text(s, "Period") for s in list(prs.slides)[1:]} == {"2026年10月（截至10月30日）"}


def test_a_custom_sequence_is_followed(handcount_view, tmp_path):
    path = tmp_path / "meeting.yaml"
    path.write_text("city_zh: 测试市\nviews:\n  - {view: on_time_trend, months: 3}\n  - slowest_items\n"
                    "  - county_ranking\n", encoding="utf-8")
    config = briefing.load_config(path)
    prs = _open(deck.deck_bytes(handcount_view, OCTOBER, "zh", config))
    assert len(prs.slides) == 1 + 3
    assert [_text(s, "Title") for s in prs.slides] == ["测试市作风效能情况汇报", "按期办结率月度走势", "办理最慢的事项",
                                                      "区县综合绩效排名与红黑榜"]
    trend = _charts(prs.slides[1])[0]
    assert list(trend.plots[0].categories) == ["2026年8月", "2026年9月", "2026年10月"]
    assert _numbers(trend.plots[0].series[0].values) == [None, None, 60.0]  # nothing fell due in Aug or Sep
    assert [_text(s, "Page number") for s in list(prs.slides)[1:]] == ["2 / 4", "3 / 4", "4 / 4"]


# ---------------------------------------------------------------- the numbers

def test_every_chart_holds_the_views_numbers_exactly(city):
    prs, views = city
    # (plot element, grouping): horizontal clustered and stacked bars, a line with markers
    kinds = {"bar": ("c:barChart", "clustered"), "stacked_bar": ("c:barChart", "stacked"),
             "line": ("c:lineChart", "standard")}
    charted = 0
    for slide, spec in zip(list(prs.slides)[1:], briefing.meeting_config().views, strict=True):
        view = views[spec.name]
        charts = _charts(slide)
        if view.chart not in kinds:
            assert charts == []
            continue
        (chart,) = charts
        charted += 1
        plot = chart.plots[0]
        tag, grouping = kinds[view.chart]
        assert plot._element.tag == qn(tag) and plot._element.find(qn("c:grouping")).get("val") == grouping
        if view.chart == "line":
            assert plot.series[0].marker.style is None  # the automatic marker, not "none"
        else:
            assert plot._element.find(qn("c:barDir")).get("val") == "bar"
        assert list(plot.categories) == deck.categories(view, "zh")
        for series, expected in zip(plot.series, view.series, strict=False):
            assert series.name == expected.label
            assert _numbers(series.values) == _numbers(view.data[expected.column])
        labels = plot.series[0]._element.find(qn("c:dLbls")).find(qn("c:numFmt")).get("formatCode")
        assert labels.startswith(view.number_format)
    assert charted == 4


def test_trend_and_ranking_equal_the_lower_level_functions(handcount_view, city):
    prs, _ = city
    trend = _charts(_slide(prs, "on_time_trend"))[0].plots[0]
    rates = supervision.on_time_trend(handcount_view, OCTOBER, "zh", by="total").tail(12)
    assert _numbers(trend.series[0].values) == _numbers(rates["on_time_rate"])
    values = dict(zip(trend.categories, _numbers(trend.series[0].values), strict=True))
    # due K05, K06, K10, K11, K13 (K07 due the snapshot's day, K12 withdrawn first); by the deadline K05, K10, K11
    assert values["2026年10月"] == 60.0
    assert values["2026年2月"] == pytest.approx(100 / 3, rel=1e-12)  # due K02 (late), K03 (same day), K04 (late)
    assert values["2026年3月"] == 100.0  # K01, due 03-04, completed 02-28
    assert values["2026年6月"] == 0.0  # K14, K15 due 06-30, completed in July
    assert values["2026年9月"] is None  # nothing fell due: a gap, not a zero

    ranking = _charts(_slide(prs, "county_ranking"))[0].plots[0]
    card = scorecard.scorecard(handcount_view, OCTOBER, "zh", by="county")
    card = card[card["composite_score"].notna()]
    assert list(card["unit_name"]) == ["甲区", "乙县"]
    # 4 accepted cases each, fewer than 30: the bars carry 样本不足
    assert list(ranking.categories) == [scorecard.unit_label(n, s) for n, s in zip(card["unit_name"],
                                                                                    card["small_base"], strict=True)]
    assert list(ranking.categories) == ["甲区（样本不足）", "乙县（样本不足）"]
    assert _numbers(ranking.series[0].values) == _numbers(card["composite_score"])


def test_hand_counted_lights_and_satisfaction(city):
    prs, _ = city
    lights = _charts(_slide(prs, "red_lights_by_department"))[0].plots[0]
    assert list(lights.categories) == ["市场监管局", "人社局"]
    assert _numbers(lights.series[0].values) == [1.0, 0.0]  # red: K06
    assert _numbers(lights.series[1].values) == [1.0, 1.0]  # yellow: K07, K08
    satisfaction = _charts(_slide(prs, "satisfaction_by_county"))[0].plots[0]
    assert list(satisfaction.categories) == ["乙县", "甲区"]  # worst first
    assert _numbers(satisfaction.series[0].values) == pytest.approx([25.0, 200 / 3], rel=1e-12)  # 1 of 4, 2 of 3


def test_line_target_is_a_dashed_grey_series_and_bar_targets_are_named_on_the_axis(city):
    prs, _ = city
    trend = _charts(_slide(prs, "on_time_trend"))[0]
    target = trend.plots[0].series[1]
    assert target.name == "目标 ≥ 95.0%"
    assert _numbers(target.values) == [95.0] * 12
    assert target.format.line.dash_style == MSO_LINE_DASH_STYLE.DASH
    assert target.format.line.color.rgb == _rgb(briefing.TARGET)
    assert trend.has_legend
    satisfaction = _charts(_slide(prs, "satisfaction_by_county"))[0]
    assert len(satisfaction.plots[0].series) == 1  # no made-up series for the target
    assert satisfaction.value_axis.axis_title.text_frame.text == "满意率（%）　目标 ≥ 96.0%"


def test_bars_read_top_down_and_mark_the_selected_county(city, county):
    for prs, _ in (city, county):
        for name in ("county_ranking", "red_lights_by_department", "satisfaction_by_county"):
            assert _charts(_slide(prs, name))[0].category_axis.reverse_order
    ranking = _charts(_slide(city[0], "county_ranking"))[0].plots[0].series[0]
    assert ranking.format.fill.fore_color.rgb == _rgb(briefing.PRIMARY)  # nothing selected: all dark
    for name, label in (("county_ranking", "乙县（样本不足）"), ("satisfaction_by_county", "乙县")):
        series = _charts(_slide(county[0], name))[0].plots[0].series[0]
        names = list(_charts(_slide(county[0], name))[0].plots[0].categories)
        assert series.format.fill.fore_color.rgb == _rgb(MUTED)
        assert series.points[names.index(label)].format.fill.fore_color.rgb == _rgb(briefing.PRIMARY)


def _cards(slide) -> dict:
    """The KPI cards of a slide: label → text frame."""
    return {s.text_frame.paragraphs[0].text: s.text_frame for s in slide.shapes
            if s.has_text_frame and s.text_frame.text and s.name not in FRAME}


def test_kpi_cards_show_value_changes_target_and_verdict(handcount_view, city):
    prs, views = city
    slide = _slide(prs, "headline_kpis")
    assert _charts(slide) == [] and _tables(slide) == []
    cards = _cards(slide)
    assert list(cards) == list(views["headline_kpis"].data["label"])
    on_time = cards["按期办结率"]
    # nothing fell due in 1–30 September; 1–30 October 2025 lies before the data: nothing comparable
    assert [p.text for p in on_time.paragraphs] == ["按期办结率", "60.0%", "环比 无可比数据", "同比 无可比数据",
                                                    "目标 ≥ 95.0%  未达标"]
    assert on_time.paragraphs[-1].runs[-1].font.color.rgb == _rgb(STATUS_COLORS["red"])
    elapsed = cards["平均办理时长"]
    assert [p.text for p in elapsed.paragraphs][1] == "6.00 工作日"  # 承诺件 K05 9, K10 3, K13 6
    assert elapsed.paragraphs[-1].runs[-1].text == "未达标"  # over the target of 3.00
    # September accepted K05 only: 1 → 8 is +700 %
    assert [p.text for p in cards["办件量"].paragraphs][1:4] == ["8 件", "环比 +700.0%", "同比 无可比数据"]
    assert _text(slide, "Takeaway") == views["headline_kpis"].takeaway
    # a card that meets its target: 甲区's survey index 87.5 (S1 5, S2 4) ≥ 83, green; no kiosk case: 无数据
    nothing = _cards(_slide(_open(deck.deck_bytes(handcount_view, NO_DATA["empty filter combination"], "zh")),
                            "headline_kpis"))
    index = nothing["满意度指数"]
    assert [p.text for p in index.paragraphs][1] == "87.5 分"
    assert index.paragraphs[-1].runs[-1].text == "达标"
    assert index.paragraphs[-1].runs[-1].font.color.rgb == _rgb(STATUS_COLORS["green"])
    assert [p.text for p in nothing["办件量"].paragraphs][1] == "无数据"


def test_tables_are_native_with_the_views_text(city, handcount_view, min_cases):
    prs, views = city
    min_cases(4)  # each county accepted 4 cases: the 红榜 and 黑榜 have a county each
    listed = _open(deck.deck_bytes(handcount_view, OCTOBER, "zh"))
    views = {**views, "county_ranking": briefing.build_view(handcount_view, OCTOBER,
                                                            briefing.ViewSpec("county_ranking"))}
    for deck_of, name in ((listed, "county_ranking"), (prs, "slowest_items")):
        tables = _tables(_slide(deck_of, name))
        assert len(tables) == len(views[name].tables)
        for table, titled in zip(tables, views[name].tables, strict=True):
            cells = [[table.cell(r, c).text for c in range(len(table.columns))] for r in range(len(table.rows))]
            assert cells[1:] == titled.table.astype(str).values.tolist()
            # a long header breaks before its unit: "中位用时" / "（工作日）"
            assert [re.sub(r"\s", "", c) for c in cells[0]] == [re.sub(r"\s", "", c) for c in titled.table.columns]
            assert table.cell(0, 0).fill.fore_color.rgb == _rgb(briefing.PRIMARY)  # shaded header
    ranking_texts = [s.text_frame.text for s in _slide(prs, "county_ranking").shapes if s.has_text_frame]
    assert "红榜" in ranking_texts and "黑榜" in ranking_texts


def test_notes_hold_the_catalog_definitions_and_the_footer_the_filters(handcount_view, city):
    prs, views = city
    footer = briefing.footer_text(handcount_view, OCTOBER, "zh")
    assert "统计期：2026年10月" in footer
    content = zip(list(prs.slides)[1:], briefing.meeting_config().views, strict=True)
    for page, (slide, spec) in enumerate(content, start=2):
        notes = slide.notes_slide.notes_text_frame.text.split("\n")
        view = views[spec.name]
        assert notes == ["指标口径", *view.definitions("zh"), *view.notes]
        for key in view.indicators:
            if key in catalog():
                assert any(catalog()[key].definition("zh") in line for line in notes)
        assert _text(slide, "Footer") == footer
        assert _text(slide, "Page number") == f"{page} / 7"
    ranking_notes = _slide(prs, "county_ranking").notes_slide.notes_text_frame.text
    assert t("scorecard_data.scorecard.method") in ranking_notes  # the composite score's definition
    # the rules that go with the ranking, in plain words
    assert "样本不足：统计期内受理办件少于30件的单位，名次旁标注“样本不足”，不列入红榜、黑榜" in ranking_notes
    assert "无数据不等于0" in ranking_notes
    # the catalog's new definitions: 按期办结率 over the cases due, 超期件 a stock
    trend_notes = _slide(prs, "on_time_trend").notes_slide.notes_text_frame.text
    assert "按期办结率：应办结件中按期办结的比例" in trend_notes
    lights_notes = _slide(prs, "red_lights_by_department").notes_slide.notes_text_frame.text
    assert "不论受理多久，为存量指标" in lights_notes
    kpi_notes = _slide(prs, "headline_kpis").notes_slide.notes_text_frame.text
    assert "环比对比2026年9月1日至9月30日，同比对比2025年10月1日至10月30日（不在数据范围内，无可比数据）" in kpi_notes


def test_every_run_is_yahei_for_latin_and_chinese(city):
    prs, _ = city
    texts = [s.part for s in prs.slides] + [s.notes_slide.part for s in prs.slides]
    charts = [shape.chart.part for s in prs.slides for shape in s.shapes if shape.has_chart]
    checked = 0
    for part in texts + charts:
        tags = (qn("a:rPr"), qn("a:defRPr")) if part in charts else (qn("a:rPr"),)
        for props in part._element.iter(*tags):
            latin, ea = props.find(qn("a:latin")), props.find(qn("a:ea"))
            assert latin is not None and latin.get("typeface") == deck.FONT, part.partname
            assert ea is not None and ea.get("typeface") == deck.FONT, part.partname
            checked += 1
    assert checked > 150  # every run of seven slides, their notes and four charts


# ---------------------------------------------------------------- filters, empty views, language

def test_a_county_narrows_the_kpis_and_the_trend(handcount_view, city, county):
    prs, _ = county
    assert _text(prs.slides[0], "Subtitle") == "2026年10月（截至10月30日） · 乙县"
    assert "区县：乙县" in _text(prs.slides[1], "Footer")
    cards = {s.text_frame.paragraphs[0].text: [p.text for p in s.text_frame.paragraphs]
             for s in _slide(prs, "headline_kpis").shapes if s.has_text_frame and s.text_frame.text}
    assert cards["办件量"][1] == "4 件"  # K06, K08, K10, K12
    assert cards["按期办结率"][1] == "50.0%"  # due K06 (still open) and K10 (on time); K12 withdrawn first
    trend = _numbers(_charts(_slide(prs, "on_time_trend"))[0].plots[0].series[0].values)
    rates = supervision.on_time_trend(handcount_view, C02, "zh", by="total").tail(12)["on_time_rate"]
    assert trend == _numbers(rates)
    assert trend[-1] == 50.0 and trend[3] == 50.0  # October; February: due K03 (same day), K04 (late)
    assert trend[7] == 0.0  # June: K15 due 06-30, completed 07-03
    city_trend = _numbers(_charts(_slide(city[0], "on_time_trend"))[0].plots[0].series[0].values)
    assert trend != city_trend


@pytest.mark.parametrize("case", ["future month", "uncovered year"])
def test_a_period_without_data_says_so_on_every_slide(handcount_view, case):
    filters = NO_DATA[case]
    prs = _open(deck.deck_bytes(handcount_view, filters, "zh"))
    views = briefing.build_views(handcount_view, filters, "zh")
    assert len(prs.slides) == 7
    assert [v.empty for v in views] == [True] * 6
    reason = briefing.no_data_reason(handcount_view, filters, "zh")
    assert reason.startswith("无数据：")
    for slide, view in zip(list(prs.slides)[1:], views, strict=True):
        assert _charts(slide) == [] and _tables(slide) == []  # no chart of nothing, no ranking
        assert _text(slide, "Empty") == view.takeaway == reason
        assert _text(slide, "Title") == view.title
        assert _text(slide, "Period") == filters.period.label("zh")  # a closed or future period: no 截至
    assert "截至" not in _text(prs.slides[0], "Subtitle")


def test_an_empty_filter_combination_says_no_data_and_ranks_nobody(handcount_view):
    filters = NO_DATA["empty filter combination"]
    prs = _open(deck.deck_bytes(handcount_view, filters, "zh"))
    ranking = _slide(prs, "county_ranking")
    assert _charts(ranking) == [] and _tables(ranking) == []
    assert _text(ranking, "Empty") == "无数据：所选统计期和筛选范围内没有可排名的区县。"
    for name in ("on_time_trend", "red_lights_by_department", "satisfaction_by_county", "slowest_items"):
        assert _text(_slide(prs, name), "Empty").startswith("无数据"), name
    texts = " ".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    assert "居首" not in texts and "红榜：" not in texts


def test_the_lists_say_why_they_are_empty(handcount_view, city):
    prs, views = city
    slide = _slide(prs, "county_ranking")
    # both counties accepted 4 cases, fewer than 30: ranked, but on neither list
    assert _tables(slide) == []
    notes = [s.text_frame.text for s in slide.shapes if s.name == "Empty list"]
    assert notes == ["样本不足（受理办件少于30件）的区县不列入红黑榜，本期可列入的区县不足2个。"] * 2
    assert _text(slide, "Takeaway") == views["county_ranking"].takeaway


def test_the_lists_of_units_with_enough_cases(handcount_view, min_cases):
    min_cases(4)  # each county accepted 4 cases in October
    slide = _slide(_open(deck.deck_bytes(handcount_view, OCTOBER, "zh")), "county_ranking")
    red, black = _tables(slide)
    # composite scores counted in tests/test_bulletin.py's docstring
    assert [red.cell(1, c).text for c in range(4)] == ["1", "甲区", "72.5", "持平"]
    assert [black.cell(1, c).text for c in range(4)] == ["2", "乙县", "40.9", "无可比数据"]
    assert list(_charts(slide)[0].plots[0].categories) == ["甲区", "乙县"]


def test_a_running_quarter_is_labelled_and_compared_like_for_like(handcount_view):
    quarter = Filters(Period.parse("2026-Q4"))
    prs = _open(deck.deck_bytes(handcount_view, quarter, "zh"))
    assert _text(prs.slides[0], "Subtitle") == "2026年第4季度（截至10月30日） · 全市"
    for slide in list(prs.slides)[1:]:
        assert _text(slide, "Period") == "2026年第4季度（截至10月30日）"
        assert _text(slide, "Footer").endswith("截至10月30日，环比、同比按同期比较")
    notes = _slide(prs, "headline_kpis").notes_slide.notes_text_frame.text
    assert "环比对比2026年7月1日至7月30日，同比对比2025年10月1日至10月30日（不在数据范围内，无可比数据）" in notes
    elapsed = [p.text for p in _cards(_slide(prs, "headline_kpis"))["平均办理时长"].paragraphs]
    # 1–30 July: 承诺件 K14 (7) and K15 (8) completed, mean 7.5 → 6.00 is -20.0 %
    assert elapsed[1:3] == ["6.00 工作日", "环比 -20.0%"]


def test_english_deck(handcount_view):
    prs = _open(deck.deck_bytes(handcount_view, OCTOBER, "en"))
    assert _text(prs.slides[0], "Title") == "Qinghe City: work style and efficiency briefing"
    assert _text(prs.slides[0], "Subtitle") == "2026-10 (through 2026-10-30) · Whole city"
    assert _text(prs.slides[1], "Title") == t("briefing.title.headline_kpis", "en")
    assert prs.slides[1].notes_slide.notes_text_frame.text.startswith("Indicator definitions\nCases accepted")
    run = _shape(prs.slides[1], "Title").text_frame.paragraphs[0].runs[0]
    assert run._r.find(qn("a:rPr")).get("lang") == "en-US"


# ---------------------------------------------------------------- command line

def test_cli_writes_the_deck(handcount_store, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    out = tmp_path / "汇报.pptx"
    assert main(["deck", "--snapshot", "handcount", "--period", "2026-10", "--out", str(out)]) == 0
    prs = Presentation(str(out))
    assert len(prs.slides) == 7 and _text(prs.slides[0], "Subtitle") == "2026年10月（截至10月30日） · 全市"
    assert "7 页" in capsys.readouterr().out
    # the latest snapshot and its month by default; a county by code or name; written again in place
    for county in ("C02", "乙县"):
        assert main(["deck", "--county", county, "--out", str(out)]) == 0
        assert _text(Presentation(str(out)).slides[0], "Subtitle") == "2026年10月（截至10月30日） · 乙县"
    assert main(["deck", "--county", "C01", "--lang", "en", "--out", str(out)]) == 0
    assert _text(Presentation(str(out)).slides[0], "Subtitle") == "2026-10 (through 2026-10-30) · Jia District"
    # an empty filter combination still makes a deck: it says 无数据
    assert main(["deck", "--period", "2026-04", "--out", str(out)]) == 0  # no case in April
    assert _text(Presentation(str(out)).slides[2], "Empty").startswith("无数据")
    assert [p.name for p in tmp_path.iterdir()] == ["汇报.pptx"]  # no temporary file left behind


@pytest.mark.parametrize(("args", "message"), [
    (["--county", "C99"], "C99"),
    (["--snapshot", "nosuch"], "nosuch"),
    (["--period", "2026-13"], "2026-13"),
    (["--period", "2027-01"], "2027-01"),  # after the snapshot: nothing to show
    # a month that has not begun at the snapshot, a year before its data: a deck of 无数据 is refused
    (["--period", "2026-12"], "统计期 2026-12 在快照 handcount 的数据截至日期（2026-10-30）之后，无数据"),
    (["--period", "2025"], "统计期 2025 在快照 handcount 的数据范围（2026-02-01 至 2026-10-30）之前，无数据，"
                           "未生成文件"),
])
def test_cli_refuses_with_exit_2_and_writes_nothing(handcount_store, monkeypatch, tmp_path, capsys, args, message):
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    out = tmp_path / "deck.pptx"
    assert main(["deck", "--snapshot", "handcount", *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_a_missing_folder(handcount_store, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    assert main(["deck", "--out", str(tmp_path / "no" / "deck.pptx")]) == 2
    assert "no" in capsys.readouterr().err and not (tmp_path / "no").exists()


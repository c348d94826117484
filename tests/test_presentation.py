"""汇报模式 (pages/presentation.py) in AppTest on the hand-counted fixture, and the drawing of the
meeting views (xiaoneng.presentation): the screens follow the configured sequence, next/previous
keep the filters, the footer states them (with 截至 M月D日 while the period runs), the numbers are the
query layer's, and a period or selection without data says 无数据 on every screen and ranks nobody."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.apptest import html_bodies
from xiaoneng import briefing, charts, presentation
from xiaoneng.filters import Filters, Period

PAGE = Path(__file__).resolve().parent.parent / "pages" / "presentation.py"
OCTOBER = Filters(Period.parse("2026-10"))
TITLES = ["核心指标", "区县综合绩效排名与红黑榜", "按期办结率月度走势", "超期（红灯）与临期（黄灯）在办件",
          "各区县好差评满意率", "办理最慢的事项"]
NO_DATA = {  # the URL of a period or selection without data
    "future month": {"period": "2026-12"},
    "uncovered year": {"period": "2025"},  # the fixture's data start 2026-02
    "empty filter combination": {"period": "2026-10", "counties": "C01", "channels": "kiosk"},
}


def shown_title(at) -> str:
    for body in html_bodies(at):
        found = re.search(r'class="xn-title">([^<]+)<', body)
        if found:
            return found.group(1)
    raise AssertionError("no view title on the page")


def footer(at) -> str:
    return next(body for body in html_bodies(at) if "xn-footer" in body and "<span>" in body)


def takeaway(at) -> str:
    for body in html_bodies(at):
        found = re.search(r'class="xn-takeaway">([^<]*)<', body)
        if found:
            return found.group(1)
    raise AssertionError("no takeaway on the page")


def test_walks_through_every_view_in_order(page):
    page.run()
    assert not page.exception
    seen = [shown_title(page)]
    assert page.button(key="presentation_previous").disabled
    for _ in range(len(TITLES) - 1):
        page.button(key="presentation_next").click().run()
        assert not page.exception
        seen.append(shown_title(page))
    assert seen == TITLES
    assert page.button(key="presentation_next").disabled
    assert "6 / 6" in footer(page)
    page.button(key="presentation_previous").click().run()
    assert shown_title(page) == TITLES[4]


def test_jump_and_footer_keep_the_filters(page):
    page.query_params["counties"] = "C02"
    page.run()
    page.selectbox(key="presentation_view").set_value(3).run()
    assert shown_title(page) == TITLES[3]
    text = footer(page)
    assert "数据截至 2026-10-30 17:00（快照 handcount）" in text and "区县：乙县" in text and "4 / 6" in text
    assert "截至10月30日，环比、同比按同期比较" in text  # October is still running at the snapshot
    # 乙县 alone: K07 is 甲区's; the red light K06 and the yellow K08 are 乙县's
    assert "红灯1件、黄灯1件" in takeaway(page)


def test_kpi_cards_show_the_query_layers_numbers(page):
    page.run()
    cards = next(b for b in html_bodies(page) if "xn-cards" in b)
    assert cards.count('class="xn-card"') == 8
    assert '<div class="xn-value">60.0%</div>' in cards  # due K05, K06, K10, K11, K13; by the deadline 3
    assert '<div class="xn-value">8 件</div>' in cards  # K06–K13
    # 同比 2025-10-01..10-30 lies before the data: no comparable figure on any card
    assert cards.count('<div class="xn-change">同比 无可比数据</div>') == 8
    page.multiselect(key="filter_counties").set_value(["C02"]).run()
    cards = next(b for b in html_bodies(page) if "xn-cards" in b)
    # 乙县: K06, K08, K10, K12 accepted; due K06 (missed), K10 (on time)
    assert '<div class="xn-value">50.0%</div>' in cards and '<div class="xn-value">4 件</div>' in cards


def test_charts_carry_the_views_numbers(handcount_view):
    views = {v.name: v for v in briefing.build_views(handcount_view, OCTOBER, "zh")}
    trend = presentation.view_figure(views["on_time_trend"])
    assert list(trend.data[0].y)[-1] == 60.0
    assert list(trend.data[0].x)[-1] == "2026-10"
    lights = presentation.view_figure(views["red_lights_by_department"])
    assert [list(bar.x) for bar in lights.data] == [[1.0, 0.0], [1.0, 1.0]]
    assert list(lights.data[0].y) == ["市场监管局", "人社局"]
    ranking = presentation.view_figure(views["county_ranking"])
    assert list(ranking.data[0].y) == ["甲区（样本不足）", "乙县（样本不足）"]  # 4 accepted cases each < 30
    assert presentation.view_figure(views["headline_kpis"]) is None
    assert presentation.view_figure(views["slowest_items"]) is None


@pytest.mark.parametrize(("position", "interval", "shown_for", "expected"), [
    (0, 0, 999, 0),  # off
    (0, 30, 10, 0),  # not yet
    (0, 30, 29.6, 1),  # the timer fires a little early
    (2, 30, 31, 3),
    (5, 30, 31, 5),  # stays on the last view
])
def test_auto_advance(position, interval, shown_for, expected):
    assert presentation.auto_advance(position, 5, interval, shown_for) == expected


@pytest.mark.parametrize("case", NO_DATA)
def test_every_screen_of_a_period_without_data_says_so(page, case):
    for key, value in NO_DATA[case].items():
        page.query_params[key] = value
    page.run()
    assert not page.exception
    for position, title in enumerate(TITLES):
        assert shown_title(page) == title
        assert "无数据" in takeaway(page), title
        bodies = "".join(html_bodies(page))
        assert "居首" not in bodies and '<div class="xn-value">0' not in bodies
        if title == TITLES[1]:  # nobody ranked, no list: each says why
            assert bodies.count('<td class="xn-empty" colspan="4">无数据，不设红黑榜。</td>') == 2
            (chart,) = page.get("plotly_chart")
            assert json.loads(chart.proto.spec)["data"] == []  # the empty figure, not bars of nothing
        if position < len(TITLES) - 1:
            page.button(key="presentation_next").click().run()
            assert not page.exception


def test_a_running_quarter_says_how_far_it_reaches(page):
    page.query_params["period"] = "2026-Q4"
    page.run()
    assert not page.exception
    assert "统计期：2026年第4季度" in footer(page) and "截至10月30日，环比、同比按同期比较" in footer(page)
    assert takeaway(page).startswith("截至10月30日，按期办结率60.0%")


def test_english(page):
    page.run()
    page.segmented_control(key="lang").set_value("en").run()
    assert not page.exception
    assert shown_title(page) == "Headline indicators"


def test_trend_labels_go_below_dips_and_above_peaks():
    nan = float("nan")
    # ranks on a reversed axis: rank 5 between 2 and 3 is drawn lower, its label goes below
    assert charts.label_positions([2, 5, 3, None], reversed_axis=True) == [
        "top center", "bottom center", "top center", "top center"]
    assert charts.label_positions([78.7, 81.1, 72.6, 95.0, nan, 94.0]) == [
        "bottom center", "top center", "bottom center", "top center", "top center", "top center"]

"""Overview → click a county in the ranking → the KPI cards and the matrix follow (real Chromium).

Uses the server and browser fixtures of tests/test_browser.py (the hand-counted fixture, 2026-10).
Plotly reacts to a real mouse press and release on the bar, so the test moves the mouse itself.
"""

from __future__ import annotations

from tests.test_browser import ARTIFACTS, browser, metric, page, pytestmark, server, wait_for_charts

__all__ = ["browser", "page", "pytestmark", "server"]  # fixtures and marks used from tests/test_browser.py


def click_bar(page, chart, index: int) -> None:
    bar = chart.locator("g.point path").nth(index)
    bar.wait_for()
    bar.scroll_into_view_if_needed()  # the ranking sits below the cards and their notes
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()


def test_clicking_a_county_in_the_ranking_filters_the_other_charts(server, page):
    page.goto(f"{server}/?period=2026-10")
    on_time = metric(page, "按期办结率")
    on_time.wait_for()
    assert on_time.inner_text() == "60.0%"
    wait_for_charts(page, 2)
    ranking = page.locator('[data-testid="stPlotlyChart"]').first
    click_bar(page, ranking, 1)  # 甲区 ranks first, 乙县 second
    page.get_by_text("联动筛选：乙县").wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some("
        "m => m.innerText.includes('按期办结率') && m.innerText.includes('50.0%'))")
    assert on_time.inner_text() == "50.0%"  # due: K10 on time, K06 open and overdue
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview-crossfilter.png"), full_page=True)
    page.get_by_role("button", name="清除联动").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some("
        "m => m.innerText.includes('按期办结率') && m.innerText.includes('60.0%'))")

"""The cross-filter rule in real Chromium: a click on a county or department bar adds a chip, narrows the
cards, goes into the URL (a copied link reproduces it) and a click on the chip removes it.

Uses the server and browser fixtures of tests/test_browser.py (the hand-counted fixture, 2026-10).
Plotly reacts to a real mouse press and release on the bar, so the test moves the mouse itself.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_browser import (
    ARTIFACTS,
    browser,
    browser_page,
    metric,
    page,
    playwright_sync,
    pytestmark,
    server,
    session_cookie,
    wait_for_charts,
)

__all__ = ["browser", "page", "pytestmark", "server"]  # fixtures and marks used from tests/test_browser.py


def click_bar(page, chart, index: int) -> None:
    bar = chart.locator("g.point path").nth(index)
    bar.wait_for()
    bar.scroll_into_view_if_needed()  # the ranking sits below the cards and their notes
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()


SHOTS = Path("/tmp/wt-e-shots")  # the screenshots looked at while building the chips


def card_shows(page, label: str, value: str) -> None:
    page.wait_for_function(
        "([label, value]) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some("
        "m => m.innerText.includes(label) && m.innerText.includes(value))", arg=[label, value])


def settled_shot(page, locator, name: str) -> None:
    """A screenshot of the settled page (no rerun under way) with ``locator`` in view."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    locator.scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def chip(page, key: str):
    return page.locator(f".st-key-{key} button").first


def test_clicking_a_county_adds_a_chip_that_a_copied_link_reproduces(server, browser, page):
    page.set_default_timeout(90_000)  # five helpers share two cores: a rerun may take long
    page.goto(f"{server}/?period=2026-10")
    on_time = metric(page, "按期办结率")
    on_time.wait_for()
    assert on_time.inner_text() == "60.0%"
    wait_for_charts(page, 2)
    ranking = page.locator('[data-testid="stPlotlyChart"]').first
    click_bar(page, ranking, 1)  # 甲区 ranks first, 乙县 second
    county_chip = chip(page, "overview_xf_chip_county")
    county_chip.wait_for()
    assert county_chip.inner_text().strip().endswith("区县：乙县")
    card_shows(page, "按期办结率", "50.0%")  # due: K10 on time, K06 open and overdue
    page.wait_for_function("() => location.search.includes('xf_county=C02')")
    link = page.url
    settled_shot(page, county_chip, "overview-chip.png")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview-crossfilter.png"), full_page=True)

    # the copied link, opened in another browser context, reproduces the chip and the narrowed card
    with browser_page(browser, (session_cookie(server),)) as other:
        other.set_default_timeout(90_000)  # a new session's first run builds its caches
        other.goto(link)
        chip(other, "overview_xf_chip_county").wait_for()
        settled_shot(other, chip(other, "overview_xf_chip_county"), "overview-copied-link.png")
        card_shows(other, "按期办结率", "50.0%")
        assert metric(other, "办件量").inner_text() == "4 件"

    county_chip.click()  # removing the chip restores the page and the URL
    card_shows(page, "按期办结率", "60.0%")
    page.wait_for_function("() => !location.search.includes('xf_county')")
    playwright_sync.expect(page.locator(".st-key-overview_xf_chip_county")).to_have_count(0)


def test_clicking_a_department_on_approval_times_narrows_the_cards(server, page):
    page.set_default_timeout(90_000)
    page.goto(f"{server}/approval_times?period=2026-10")
    wait_for_charts(page, 3)
    card_shows(page, "平均办理时长", "6.00 工作日")
    units = page.locator('[data-testid="stPlotlyChart"]').nth(1)  # distribution, units, limits
    units.scroll_into_view_if_needed()
    click_bar(page, units, 0)  # the slowest department first: 市场监管局 (K05, 9 wd)
    chip(page, "approval_xf_chip_dept").wait_for()
    assert chip(page, "approval_xf_chip_dept").inner_text().strip().endswith("部门：市场监管局")
    card_shows(page, "平均办理时长", "9.00 工作日")
    page.wait_for_function("() => location.search.includes('xf_dept=D01')")
    settled_shot(page, chip(page, "approval_xf_chip_dept"), "approval-chip.png")

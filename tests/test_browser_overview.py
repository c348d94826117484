"""Overview in real Chromium: a click on a county × department cell of the traffic-light matrix lists
exactly that cell's cases; the trend is on the page, and the red/black lists give way to the note
that every county is on a small base (the fixture's counties accept a handful of cases, fewer than
rules.min_cases = 30).

Uses the server and browser fixtures of tests/test_browser.py (the hand-counted fixture, 2026-10).
Plotly reacts to a real mouse press and release, so the test moves the mouse itself: onto the
centre of the cell's text, as a person would click it.
"""

from __future__ import annotations

from tests.test_browser import ARTIFACTS, browser, page, playwright_sync, pytestmark, server, wait_for_charts
from tests.test_browser_paths import download_csv, pick
from xiaoneng.i18n import t

__all__ = ["browser", "page", "pytestmark", "server"]  # fixtures and marks used from tests/test_browser.py


def matrix(page):
    return page.locator('.st-key-wide_only_matrix [data-testid="stPlotlyChart"]')  # a phone has a list instead


def click_cell(page, text: str) -> None:
    """Press and release the mouse on the matrix cell showing ``text`` (it must be unique)."""
    label = matrix(page).locator("g.heatmaplayer text", has_text=text)
    label.scroll_into_view_if_needed()
    box = label.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()


def listed_case_ids(page) -> list[str]:
    """The case ids of the cell's list, from its CSV download (the grid is drawn on a canvas), once the
    script run is over (a button clicked while the page reruns may be replaced before it downloads)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    _, rows = download_csv(page, "overview_cell")
    return sorted(row[t("supervision.col.case_id")] for row in rows)


def test_clicking_a_matrix_cell_lists_its_cases(server, page):
    expect = playwright_sync.expect
    page.goto(f"{server}/?period=2026-10")
    wait_for_charts(page, 3)
    expect(page.get_by_text("核心指标月度走势")).to_be_visible()
    expect(page.get_by_text(t("ranking.lists_all_small", min=30))).to_be_visible()
    expect(page.get_by_test_id("stHtml").filter(has_text="红榜")).to_have_count(0)
    # October: 甲区 (C01) × 人社局 (D02) is the only 50.0% cell: K11 and K13 due, K11 by its deadline, K13 late
    click_cell(page, "50.0%")
    heading = page.get_by_text("甲区 · 人社局 · 2026年10月：按期办结率 50.0%（应办结件 2 件）")
    heading.wait_for()
    expect(page.get_by_text("共 1 件").last).to_be_visible()  # the first is the cards' drill
    assert listed_case_ids(page) == ["K13"]  # due and missed: the cell's one miss
    pick(page, t("kpi.drill_subset"), t("supervision.subset.completed"))  # the cards' own list is folded away
    expect(page.get_by_text("共 2 件").last).to_be_visible()
    assert listed_case_ids(page) == ["K11", "K13"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview-matrix-cell.png"), full_page=True)
    page.get_by_role("button", name="关闭清单").click()
    expect(heading).to_have_count(0)

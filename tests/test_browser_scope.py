"""The county user's main path in Chromium (issue 9): signed in as county-c02 (乙县 only) on the
hand-counted fixture, October 2026 — the overview ranks both counties but lists only 乙县's cases,
the drill-through's CSV holds only 乙县's rows, the 通报 names 甲区 in its ranking only, and a
Markdown link in the URL stays text."""

from __future__ import annotations

import pytest

from tests.test_browser import COUNTY_C02, browser_page, playwright_sync, session_cookie
from tests.test_browser import browser as browser  # the fixtures of test_browser.py, for pytest
from tests.test_browser import pytestmark as pytestmark  # browser mark, skipped without Chromium
from tests.test_browser import server as server
from tests.test_browser_paths import PERIOD, col, download_csv, pick, wait_until_rendered
from xiaoneng import bulletin
from xiaoneng.i18n import t

expect = playwright_sync.expect
C02_CASES = {"K03", "K04", "K06", "K08", "K10", "K12", "K15"}  # tests/handcount.py


@pytest.fixture
def county_page(browser, server):
    """A page signed in as the county user of 乙县 (C02)."""
    with browser_page(browser, (session_cookie(server, COUNTY_C02.name),), accept_downloads=True) as page:
        yield page


def test_the_county_users_main_path(server, county_page):
    page = county_page
    page.goto(f"{server}/?period={PERIOD}")
    wait_until_rendered(page, t("nav.overview"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    # the published ranking: both counties, with their scores
    ranking = page.locator('[data-testid="stTable"]').first
    expect(ranking).to_contain_text("甲区")
    expect(ranking).to_contain_text("乙县")
    expect(page.get_by_text(t("scope_notice.ranking_published"))).to_be_visible()

    # the drill-through list and its CSV: 乙县 only (once the page has settled: a rerun would clear the box)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.get_by_text(t("kpi.drill"), exact=True).click()
    pick(page, t("kpi.drill_subset"), t("supervision.subset.accepted"))
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.get_by_role("button", name=t("lazy.show_cases"), exact=True).click()  # the list runs when asked for
    page.locator(".st-key-overview_drill_csv").wait_for()
    name, rows = download_csv(page, "overview_drill")
    assert name.endswith("_accepted.csv")
    assert rows and {row[col("county_name")] for row in rows} == {"乙县"}
    assert {row[col("case_id")] for row in rows} <= C02_CASES

    # the 通报: 甲区 in the published ranking, nowhere else
    page.goto(f"{server}/bulletin?period={PERIOD}")
    wait_until_rendered(page, t("bulletin.page_title"))
    text = page.get_by_label(t("bulletin.editor"), exact=True).input_value()
    ranking_heading, problems_heading = (bulletin._text(f"heading.{k}", "zh") for k in ("ranking", "problems"))
    before, rest = text.split(ranking_heading, 1)
    ranking_part, after = rest.split(problems_heading, 1)
    assert "甲区" in ranking_part
    assert "甲区" not in before and "甲区" not in after
    assert "乙县" in before
    expect(page.get_by_role("button", name=t("bulletin.download_docx"))).to_be_visible()


def test_a_markdown_link_in_the_url_is_shown_as_text(server, county_page):
    page = county_page
    page.goto(f"{server}/?snapshot=%5B%E7%99%BB%E5%BD%95%5D(http://x)&period={PERIOD}")
    wait_until_rendered(page, t("nav.overview"))
    alert = page.locator('[data-testid="stAlert"]').first
    expect(alert).to_contain_text("[登录](http://x)")
    expect(alert.locator("a")).to_have_count(0)
    expect(alert.locator("img")).to_have_count(0)

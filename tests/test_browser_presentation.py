"""汇报模式 in real headless Chromium (Debian's /usr/bin/chromium) on the hand-counted fixture: a
presenter opens the page with a county chosen, walks through every view with 下一页, the filters and
the snapshot time stay in the footer, and the deck downloads and opens with one slide per view.
Screenshots of every view (1920×1080) go to tests/artifacts/presentation-<n>.png (git-ignored)."""

from __future__ import annotations

import io

from pptx import Presentation

from tests.test_browser import ARTIFACTS, playwright_sync
from tests.test_browser import browser as browser  # the fixtures of test_browser.py, for pytest
from tests.test_browser import page as page
from tests.test_browser import pytestmark as pytestmark  # browser mark, skipped without Chromium
from tests.test_browser import server as server
from tests.test_browser_paths import wait_for_script
from xiaoneng import briefing
from xiaoneng.i18n import t

expect = playwright_sync.expect


def test_walk_through_every_view_and_download_the_deck(server, page):
    titles = [t(f"briefing.title.{spec.name}", "zh") for spec in briefing.meeting_config().views]
    page.goto(f"{server}/presentation?period=2026-10&counties=C02")
    title = page.locator("h1.xn-title")
    footer = page.locator(".xn-footer")
    ARTIFACTS.mkdir(exist_ok=True)
    for position, expected in enumerate(titles, start=1):
        expect(title).to_have_text(expected, timeout=30_000)
        expect(footer).to_contain_text(f"{position} / {len(titles)}")
        expect(footer).to_contain_text("数据截至 2026-10-30 17:00（快照 handcount）")
        expect(footer).to_contain_text("区县：乙县")
        expect(footer).to_contain_text("截至10月30日，环比、同比按同期比较")  # October runs at the snapshot
        wait_for_script(page)
        page.screenshot(path=str(ARTIFACTS / f"presentation-{position}.png"))
        if position == 1:
            expect(page.locator(".xn-card")).to_have_count(8)
            # 乙县: due K06 (still open) and K10 (on time)
            expect(page.locator(".xn-card", has_text="按期办结率").locator(".xn-value")).to_have_text("50.0%")
        if position < len(titles):
            page.get_by_role("button", name="下一页").click()
    expect(page.get_by_role("button", name="下一页")).to_be_disabled()
    assert "counties=C02" in page.url and "period=2026-10" in page.url

    page.get_by_text("汇报设置与下载").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 PPT（可编辑图表）").click()
    deck = Presentation(io.BytesIO(download.value.path().read_bytes()))
    assert len(deck.slides) == 1 + len(titles)


def test_clicker_keys_page_through_and_presenting_hides_the_sidebar(server, page):
    titles = [t(f"briefing.title.{spec.name}", "zh") for spec in briefing.meeting_config().views]
    page.goto(f"{server}/presentation?period=2026-10")
    title = page.locator("h1.xn-title")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(title).to_have_text(titles[0])
    expect(sidebar).to_be_visible()

    page.get_by_role("button", name="开始汇报").click()
    expect(sidebar).to_be_hidden()
    expect(page.get_by_role("button", name="结束汇报")).to_be_visible()
    wait_for_script(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "presentation-presenting.png"))

    # the keys a clicker sends: PageDown and Space forward, PageUp back, the arrows both ways
    for key, position in (("PageDown", 1), ("Space", 2), ("ArrowDown", 3), ("ArrowRight", 4), ("PageUp", 3),
                          ("ArrowLeft", 2), ("ArrowUp", 1)):
        wait_for_script(page)
        page.keyboard.press(key)
        expect(title).to_have_text(titles[position])
        expect(page.locator(".xn-footer")).to_contain_text(f"{position + 1} / {len(titles)}")
    expect(sidebar).to_be_hidden()  # paging keeps the presenting state

    # typing in the page's own box is not paging
    wait_for_script(page)
    jump = page.get_by_role("combobox", name="当前页面")
    jump.click()
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    wait_for_script(page)
    expect(title).to_have_text(titles[1])

    page.get_by_role("button", name="结束汇报").click()
    expect(sidebar).to_be_visible()
    expect(page.get_by_role("button", name="开始汇报")).to_be_visible()


def test_the_full_screen_button_and_the_f_key_toggle_full_screen(server, page):
    page.goto(f"{server}/presentation?period=2026-10")
    expect(page.locator("h1.xn-title")).to_be_visible()
    wait_for_script(page)
    page.get_by_role("button", name="全屏").click()
    page.wait_for_function("document.fullscreenElement === document.documentElement")
    wait_for_script(page)
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === null")

"""Streamlit's own words and the browser tab in real headless Chromium (the server of
tests/test_browser.py): the file uploader, the option lists and the unknown-page dialog speak Chinese
(xiaoneng/builtin_text.py), the sidebar filters offer no 全选 (none chosen already means all), and every
page's tab carries its own name. Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

from tests.test_browser import ARTIFACTS, county_options, playwright_sync
from tests.test_browser import browser as browser  # the fixtures of test_browser.py, for pytest
from tests.test_browser import page as page
from tests.test_browser import pytestmark as pytestmark  # browser mark, skipped without Chromium
from tests.test_browser import server as server
from tests.test_browser_paths import wait_for_script

expect = playwright_sync.expect


def test_the_uploader_and_an_option_list_speak_chinese(server, page):
    page.goto(f"{server}/data?period=2026-10")
    wait_for_script(page)
    page.get_by_role("tab", name="导入数据").click()
    uploader = page.locator('[data-testid="stFileUploader"]').first
    expect(uploader.get_by_role("button", name="上传文件", exact=True)).to_be_visible()
    expect(uploader.locator('[data-testid="stFileUploaderDropzoneInstructions"]')).to_have_text(
        "单个文件不超过 100MB • CSV, GZ, XLSX, XLSM, XLS")
    assert "Upload" not in uploader.inner_text() and "per file" not in uploader.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    uploader.screenshot(path=str(ARTIFACTS / "polish-uploader.png"))

    page.get_by_role("tab", name="审计日志").click()
    wait_for_script(page)
    page.get_by_role("combobox", name="操作", exact=True).click()
    options = page.get_by_role("option")
    expect(options.first).to_have_text("全选")
    assert "Select all" not in options.all_inner_texts()
    page.screenshot(path=str(ARTIFACTS / "polish-multiselect.png"))
    page.keyboard.press("Escape")


def test_the_sidebar_filters_offer_no_select_all(server, page):
    page.goto(f"{server}/?period=2026-10")
    assert county_options(page) == ["甲区", "乙县"]


def test_an_unknown_page_says_so_in_chinese(server, page):
    page.goto(f"{server}/no-such-page?period=2026-10")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("没有这个页面")
    expect(dialog).to_contain_text("没有所请求的页面，已打开首页。请从左侧导航选择页面。")
    assert "Page not found" not in dialog.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "polish-page-not-found.png"))


def test_every_page_has_its_own_tab_title(server, page):
    page.goto(f"{server}/?period=2026-10")
    wait_for_script(page)
    expect(page).to_have_title("总览 · 效能看板")
    for path, name in (("approval_times", "审批时效"), ("presentation", "汇报模式"), ("data", "数据管理")):
        page.goto(f"{server}/{path}?period=2026-10")
        expect(page).to_have_title(f"{name} · 效能看板")

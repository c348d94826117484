"""用户管理 in real Chromium (xiaoneng/users_admin.py): the admin creates the county user county-new for
乙县 (C02) on 数据管理 and reads the one-time password off the page; that user signs in with it in a
fresh browser, must choose their own password, and then sees only 乙县 in the county filter; a reload
(the session cookie) is no second sign-in in the audit log."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.test_browser import (
    ADMIN,
    ARTIFACTS,
    VIEWPORT,
    browser,
    page,
    playwright_sync,
    pytestmark,
    server,
    wait_for_charts,
)
from xiaoneng import audit
from xiaoneng.users import UserStore

__all__ = ["browser", "page", "pytestmark", "server"]  # fixtures and marks used from tests/test_browser.py
SHOTS = Path("/tmp/shots")
NEW_PASSWORD = "county new own password"


def open_list(box, options) -> None:
    """Open a multiselect's list (a click can land while a late rerun redraws it: a few tries)."""
    for _ in range(5):
        box.click()
        try:
            options.first.wait_for(timeout=2_000)
            return
        except playwright_sync.TimeoutError:
            box.press("Escape")
    raise AssertionError("the list of options did not open")


def test_an_admin_creates_a_county_user_who_then_sees_only_their_county(server, page, browser):
    expect = playwright_sync.expect
    page.goto(f"{server}/data")
    page.get_by_role("tab", name="用户管理").click()
    section = page.get_by_role("tabpanel", name="用户管理")
    section.get_by_label("用户名", exact=True).fill("county-new")
    section.get_by_label("用户名", exact=True).press("Enter")
    section.get_by_label("区县（县区用户）", exact=True).first.click()
    page.get_by_role("option", name="乙县（C02）").click()
    page.keyboard.press("Escape")
    section.get_by_role("button", name="添加用户", exact=True).click()
    expect(section.get_by_text("已添加用户 county-new（县区用户）。")).to_be_visible()
    password = section.locator('[data-testid="stCode"] code').inner_text().strip()
    assert len(password) == 16
    expect(section.get_by_label("用户名", exact=True)).to_have_value("")  # ready for the next user
    expect(section.get_by_text("请立即把下面的一次性密码交给该用户：它不会再次显示")).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    section.screenshot(path=str(SHOTS / "users_admin.png"))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(SHOTS / "users_admin.png", ARTIFACTS / "users_admin.png")

    store = UserStore(server.data / "security" / "users.yaml")
    assert [(r.name, r.role, r.counties, r.must_change) for r in store.list() if r.name == "county-new"] == \
        [("county-new", "county", ("C02",), True)]
    log = server.data / "audit" / "audit.jsonl"
    added = [(e["user"], e["details"]) for e in audit.entries(log) if e["action"] == "user_add"]
    assert added[-1] == (ADMIN.name, {"target": "county-new", "role": "county", "counties": ["C02"]})

    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")  # the county user's own browser
    try:
        county = context.new_page()
        county.set_default_timeout(30_000)
        county.goto(f"{server}/?period=2026-10")
        county.get_by_label("用户名", exact=True).fill("county-new")
        county.get_by_label("密码", exact=True).fill(password)
        county.get_by_role("button", name="登录", exact=True).click()
        expect(county.get_by_role("heading", name="请设置新密码")).to_be_visible()
        county.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
        county.get_by_label("再次输入新密码", exact=True).fill(NEW_PASSWORD)
        county.get_by_role("button", name="保存新密码并进入").click()
        expect(county.get_by_text("已登录：county-new（县区用户）")).to_be_visible()
        assert store.password_is("county-new", NEW_PASSWORD) and not store.must_change("county-new")

        sidebar = county.locator('[data-testid="stSidebar"]')
        wait_for_charts(county, 2)  # the overview's runs are over: an opened list stays open
        expect(county.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
        open_list(sidebar.get_by_role("combobox", name="区县", exact=True), county.get_by_role("option"))
        expect(county.get_by_role("option")).to_have_text(["乙县"])
        county.keyboard.press("Escape")

        county.reload()  # a new session from the cookie: the same sign-in, not a second one
        expect(county.get_by_text("已登录：county-new（县区用户）")).to_be_visible()
        signed_in = [(e["scope"], e["details"]) for e in audit.entries(log)
                     if e["action"] == "sign_in" and e["user"] == "county-new"]
        assert signed_in == [(["C02"], {"role": "county", "source": "local"})]
    finally:
        context.close()

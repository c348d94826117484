"""Sign-in in real Chromium: the form, the session cookie across a reload, sign-out (xiaoneng/signin.py).

These tests start from a browser context without a session cookie (the ``page`` fixture's has one)."""

from __future__ import annotations

import pytest

from tests.test_browser import (
    ADMIN,
    ARTIFACTS,
    COUNTY_C02,
    browser,
    browser_page,
    metric,
    playwright_sync,
    pytestmark,
    server,
    sign_in,
)
from xiaoneng.signin import COOKIE

__all__ = ["browser", "pytestmark", "server"]  # fixtures and marks used from tests/test_browser.py


@pytest.fixture
def anonymous(browser):
    with browser_page(browser) as page:
        yield page


def session_cookies(page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == COOKIE]


def test_the_form_then_the_overview_then_a_reload_then_sign_out(server, anonymous):
    expect = playwright_sync.expect
    page = anonymous
    page.goto(f"{server}/?period=2026-10")
    expect(page.get_by_role("heading", name="登录效能看板")).to_be_visible()
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "signin.png"))

    page.get_by_label("用户名", exact=True).fill(ADMIN.name)
    page.get_by_label("密码", exact=True).fill("not the password")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_text("用户名或密码不正确。")).to_be_visible()
    expect(page.get_by_label("密码", exact=True)).to_have_value("")  # the password does not stay in the form

    page.get_by_label("密码", exact=True).fill(ADMIN.password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_selector('[data-testid="stMetric"]')
    expect(metric(page, "办件量")).to_have_text("8 件")
    expect(page.get_by_text(f"已登录：{ADMIN.name}（管理员）")).to_be_visible()

    page.reload()  # a new Streamlit session: the cookie signs it in
    page.wait_for_selector('[data-testid="stMetric"]')
    expect(metric(page, "办件量")).to_have_text("8 件")
    assert "period=2026-10" in page.url
    assert len(session_cookies(page)) == 1
    stolen = session_cookies(page)[0]

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录效能看板")).to_be_visible()
    expect(page.get_by_text("已退出登录。")).to_be_visible()
    page.wait_for_function(f"!document.cookie.includes({COOKIE!r})")
    page.reload()
    expect(page.get_by_role("heading", name="登录效能看板")).to_be_visible()

    # a copy of the cookie taken before the sign-out no longer signs anybody in
    page.context.add_cookies([{k: stolen[k] for k in ("name", "value", "domain", "path", "sameSite")}])
    page.reload()
    expect(page.get_by_role("heading", name="登录效能看板")).to_be_visible()
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)


def test_a_deep_link_keeps_its_page_and_filters_through_the_sign_in(server, anonymous):
    expect = playwright_sync.expect
    page = anonymous
    sign_in(page, f"{server}/definitions?period=2026-10&counties=C02", COUNTY_C02.name, COUNTY_C02.password)
    page.wait_for_selector('[data-testid="stTable"]')
    expect(page.locator('[data-testid="stTable"]')).to_be_visible()
    expect(page.get_by_text(f"已登录：{COUNTY_C02.name}（县区用户）")).to_be_visible()
    assert "/definitions" in page.url and "counties=C02" in page.url

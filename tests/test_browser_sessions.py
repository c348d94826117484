"""Sessions side by side never see each other's scope (issue 9 point 6, the untimed half of
bench/bench_sessions.py): an admin and the county users of 甲区 (C01) and 乙县 (C02) on one server,
their filter changes fired together so the reruns overlap; after every round each page still shows
only its own counties in the county filter and in the line stating the view."""

from __future__ import annotations

import pytest

from tests.test_browser import VIEWPORT, county_options, session_cookie
from tests.test_browser import browser as browser  # the fixtures of test_browser.py, for pytest
from tests.test_browser import pytestmark as pytestmark  # browser mark, skipped without Chromium
from tests.test_browser import server as server
from tests.test_browser_paths import PERIOD
from xiaoneng.users import UserStore

ROUNDS = 3
KIND_BUTTONS = ("季", "年", "月")  # quarter, year, month: every click is a change
SEES = {"browser-admin": ["甲区", "乙县"], "county-c02": ["乙县"], "county-c01": ["甲区"]}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def view_line(page) -> str:
    return page.locator('[data-testid="stCaptionContainer"]', has_text="区县：").first.inner_text()


@pytest.fixture
def pages(browser, server):
    store = UserStore(server.data / "security" / "users.yaml")
    if "county-c01" not in {u.name for u in store.list()}:
        store.add("county-c01", "county", ("C01",), password="county-c01-password")
    contexts, opened = [], {}
    for name in SEES:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        context.add_cookies([session_cookie(server, name)])
        page = context.new_page()
        page.set_default_timeout(60_000)
        contexts.append(context)
        opened[name] = page
    try:
        yield opened
    finally:
        for context in contexts:
            context.close()


def test_no_session_sees_another_sessions_scope(server, pages):
    for page in pages.values():
        page.goto(f"{server}/?period={PERIOD}")
    for round_no in range(ROUNDS):
        for page in pages.values():  # all three reruns in flight at once
            page.wait_for_selector(IDLE)
            page.locator(".st-key-filter_period_kind").get_by_role("radio", name=KIND_BUTTONS[round_no],
                                                                   exact=True).click()
        for name, page in pages.items():
            assert county_options(page) == SEES[name], (name, round_no)
            line = view_line(page)
            shown = "全部" if name == "browser-admin" else "、".join(SEES[name])
            assert f"区县：{shown}" in line, (name, round_no, line)
            for other in {"甲区", "乙县"} - set(SEES[name]):
                assert other not in line, (name, round_no, line)

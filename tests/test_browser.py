"""The app served by ``streamlit run`` in real headless Chromium (Debian's /usr/bin/chromium).

One server per module on a free port, with XIAONENG_DATA pointing at a folder that holds
only the hand-counted fixture and a users file (ADMIN, COUNTY_C02); the server is always stopped
in the fixture's teardown. Screenshots (1920×1080) go to tests/artifacts/ (git-ignored).

Signing in: the ``page`` fixture's browser context carries a valid session cookie of ADMIN (minted
with the server's users file and secret, as the sign-in form would set it), so every ``page.goto``
is signed in. ``sign_in(page, url, name, password)`` drops it and signs in as someone else through
the real form; test_browser_signin.py tests the form itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.handcount import publish_handcount
from xiaoneng import auth
from xiaoneng.signin import COOKIE
from xiaoneng.users import UserStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SERVER_START_TIMEOUT = 60.0
VIEWPORT = {"width": 1920, "height": 1080}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium "
                                                     "(make browser installs it)"),
]
playwright_sync = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
# A rerun on a shared 2-core CI machine can take longer than expect()'s 5 s default; the page's own
# timeouts are 30 s (the fixtures), so assertions wait as long as actions do.
playwright_sync.expect.set_options(timeout=30_000)


class Account(NamedTuple):
    name: str
    password: str


# The users of every server's data folder.
ADMIN = Account("browser-admin", "browser-admin-password")
COUNTY_C02 = Account("county-c02", "county-c02-password")  # 县区用户 of 乙县 (C02) only


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answers(url: str, process: subprocess.Popen, timeout: float = SERVER_START_TIMEOUT) -> None:
    """Poll ``url`` until it answers 200, while ``process`` (the server behind it) runs (bounded; short
    steps, no long sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"nothing answered on {url} within {timeout:.0f} s")


class Server(str):
    """The server's URL (tests write f"{server}/?period=…"), and ``data``, its data folder."""

    data: Path


def server_data(tmp_path_factory) -> Path:
    """The server's data folder: the hand-counted snapshot and a users file with ADMIN and COUNTY_C02."""
    data = tmp_path_factory.mktemp("browser-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("XIAONENG_DATA", raising=False)
        publish_handcount(data / "snapshots")
        mp.setenv("XIAONENG_DATA", str(data))
        mp.delenv("XIAONENG_USERS", raising=False)
        users = UserStore()
        users.add(ADMIN.name, "admin", password=ADMIN.password)
        users.add(COUNTY_C02.name, "county", ["C02"], password=COUNTY_C02.password)
    return data


@contextlib.contextmanager
def streamlit_server(data: Path, log_dir: Path, *options: str, port: int | None = None) -> Iterator[Server]:
    """``streamlit run app.py`` on ``data`` (and ``options``, e.g. ``--secrets.files F``), until the block
    ends; its output goes to ``log_dir``/streamlit.log."""
    port = port or _free_port()
    env = {**{k: v for k, v in os.environ.items() if k != "XIAONENG_USERS"}, "XIAONENG_DATA": str(data)}
    with (log_dir / "streamlit.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *options],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        url = Server(f"http://127.0.0.1:{port}")
        url.data = data
        try:
            wait_until_answers(f"{url}/_stcore/health", process)
            yield url
        finally:
            stop_process_group(process)


def stop_process_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    with streamlit_server(server_data(tmp_path_factory), tmp_path_factory.mktemp("browser-log")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def session_cookie(server: Server, name: str = ADMIN.name) -> dict:
    """The session cookie the sign-in form would set for ``name`` on ``server``."""
    store = UserStore(server.data / "security" / "users.yaml")
    token = store.session_token(name, dt.datetime.now(dt.UTC) + auth.SESSION_LIFETIME)
    return {"name": COOKIE, "value": token, "url": str(server), "sameSite": "Strict"}


def sign_in(page, url: str, name: str, password: str) -> None:
    """Sign in as ``name`` through the sign-in form at ``url`` (any page and parameters), from a
    browser context without a session; returns once the app shows the sign-out button."""
    page.context.clear_cookies()
    page.goto(url)
    page.locator('[data-testid="stForm"]').wait_for()
    page.get_by_label("用户名", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for()


@contextlib.contextmanager
def browser_page(browser, cookies: tuple[dict, ...] = (), **options) -> Iterator:
    """A page in a new browser context (the test viewport, zh-CN, 30 s timeouts) holding ``cookies``
    (a session cookie signs it in; none: anonymous), closed afterwards."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", **options)
    context.add_cookies(list(cookies))
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def county_options(page) -> list[str]:
    """The county filter's options, read once the app has settled (a rerun closes an open list);
    Streamlit's own "Select all" entry is not a county."""
    for _ in range(5):
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        page.get_by_role("combobox", name="区县", exact=True).click()
        try:
            page.get_by_role("option").first.wait_for(state="visible", timeout=5_000)
        except playwright_sync.TimeoutError:
            continue
        options = [o for o in page.get_by_role("option").all_inner_texts() if o != "Select all"]
        page.keyboard.press("Escape")
        if options:  # a rerun that lands while the list opens draws it empty for a moment
            return options
    raise AssertionError("the county filter's list did not stay open")


@pytest.fixture
def page(browser, server):
    """A page signed in as ADMIN (a session cookie; see the module docstring)."""
    with browser_page(browser, (session_cookie(server),)) as page:
        yield page


def metric(page, label: str):
    return page.locator('[data-testid="stMetric"]', has_text=label).locator('[data-testid="stMetricValue"]')


def wait_for_charts(page, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= n", arg=count)


def test_overview_shows_the_hand_count(server, page):
    expect = playwright_sync.expect
    page.goto(f"{server}/?period=2026-10")
    page.wait_for_selector('[data-testid="stMetric"]')
    expect(metric(page, "按期办结率")).to_have_text("60.0%")
    expect(metric(page, "办件量")).to_have_text("8 件")
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(8)
    wait_for_charts(page, 2)
    expect(page.get_by_text("数据截至 2026-10-30 17:00")).to_be_visible()
    assert "snapshot=handcount" in page.url and "period=2026-10" in page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"))


def test_a_copied_link_reproduces_the_view_across_pages(server, page):
    expect = playwright_sync.expect
    page.goto(f"{server}/?period=2026-10&counties=C02")
    page.wait_for_selector('[data-testid="stMetric"]')
    expect(metric(page, "按期办结率")).to_have_text("50.0%")
    expect(metric(page, "办件量")).to_have_text("4 件")
    page.get_by_role("link", name="指标口径").click()
    expect(page.locator('[data-testid="stTable"]')).to_be_visible()
    page.wait_for_url("**counties=C02**")
    page.get_by_role("link", name="总览").click()
    expect(metric(page, "按期办结率")).to_have_text("50.0%")
    assert "counties=C02" in page.url


def test_english_switch(server, page):
    expect = playwright_sync.expect
    page.goto(f"{server}/?period=2026-10")
    page.wait_for_selector('[data-testid="stMetric"]')
    expect(metric(page, "按期办结率")).to_have_text("60.0%")
    page.get_by_role("radio", name="English").click()
    expect(metric(page, "Due-date completion rate")).to_have_text("60.0%")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    # the filter boxes show their choice in the new language, not the one it was made in
    sidebar = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    expect(sidebar.filter(has_text="Period").locator("input")).to_have_value("2026-10")
    expect(sidebar.filter(has_text="Data snapshot").locator("input")).to_have_value("handcount (as of 2026-10-30)")
    page.wait_for_url("**lang=en**")
    wait_for_charts(page, 2)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview-en.png"))

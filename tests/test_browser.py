"""The app served by ``streamlit run`` in real headless Chromium (Debian's /usr/bin/chromium).

One server per module on a free port, with XIAONENG_DATA pointing at a folder that holds
only the hand-counted fixture; the server is always stopped in the fixture's teardown.
Screenshots (1920×1080) go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.handcount import publish_handcount

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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll the health endpoint (bounded; short steps, no long sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode} before serving")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("XIAONENG_DATA", raising=False)
        publish_handcount(data / "snapshots")
    port = _free_port()
    env = {**os.environ, "XIAONENG_DATA": str(data)}
    log = (tmp_path_factory.mktemp("browser-log") / "streamlit.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, SERVER_START_TIMEOUT)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


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

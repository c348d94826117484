"""The layout in real Chromium (xiaoneng/layout.py, issue 12), on a small demo city (9 counties, 20
departments, 20,000 cases: enough for every county to be listed on the 红榜/黑榜):

- at 1366×768 with the sidebar open every KPI value of every page with cards is shown whole (no
  element of a value is cut, no "…"), even a value far longer than any real one;
- 总览's first screen holds the 需关注 list at 1920×1080 and at 1366×768, and a name in it opens that
  unit's 单位画像;
- a phone (390×844) gets one column: the trend drawn one panel a row, a ranked list instead of the matrix;
- the A4 print (Chromium's page.pdf, read by pdftotext) has no sidebar and the whole matrix: every
  county's name on the matrix's page;
- while a rerun runs, the elements it has not redrawn yet are dimmed and a progress bar shows.

Screenshots go to tests/artifacts/layout-*.png (git-ignored).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.test_browser import (
    ADMIN,
    ARTIFACTS,
    REPO,
    Server,
    browser,
    browser_page,
    playwright_sync,
    pytestmark,
    session_cookie,
    streamlit_server,
)
from xiaoneng import demo, layout
from xiaoneng.i18n import t
from xiaoneng.metrics import SnapshotView, unit_names
from xiaoneng.snapshots import SnapshotStore
from xiaoneng.users import UserStore

__all__ = ["browser", "pytestmark"]  # the fixture and mark of tests/test_browser.py

expect = playwright_sync.expect
DEMO_CASES = 20_000
PERIOD = "2026-10"
LAPTOP = {"width": 1366, "height": 768}
DESKTOP = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
# The pages with KPI cards (st.metric), by URL path.
# (整改台账 has its cards once a 通报 is issued.)
CARD_PAGES = ("", "approval_times", "supervision", "satisfaction", "tasks", "integrity")
# Every page, by URL path (the app's st.navigation): each is drawn at the three sizes.
EVERY_PAGE = ("", "unit_profile", "approval_times", "supervision", "satisfaction", "tasks", "scorecard", "integrity",
              "presentation", "bulletin", "ledger", "data", "definitions")
SLOW_MS = 180_000  # a first run on a cold cache, on a 2-core machine other tests share
LONG_VALUE = "20,123,456.78 工作日（截至10月30日）"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("layout-data")
    shutil.copytree(REPO / "data" / "reference", data / "reference")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XIAONENG_DATA", str(data))
        mp.delenv("XIAONENG_USERS", raising=False)
        demo.build_demo_snapshot(SnapshotStore(data / "snapshots"), "demo", cases=DEMO_CASES)
        UserStore().add(ADMIN.name, "admin", password=ADMIN.password)
    with streamlit_server(data, tmp_path_factory.mktemp("layout-log")) as url:
        yield url


@pytest.fixture(scope="module")
def county_names(server) -> list[str]:
    counties, _ = unit_names(SnapshotView(SnapshotStore(server.data / "snapshots").get("demo")), "zh")
    return list(counties.values())


@contextlib.contextmanager
def open_page(browser, server, path: str, viewport: dict) -> Iterator:
    """A signed-in page at ``path`` and ``viewport``, once its run is over and its charts are drawn."""
    with browser_page(browser, (session_cookie(server),)) as page:
        page.set_default_timeout(SLOW_MS)
        page.set_viewport_size(viewport)
        page.goto(f"{server}/{path}")
        settle(page)
        yield page


def settle(page) -> None:
    """The page's title is shown and the run that drew it is over (a fresh server's first run reruns)."""
    page.locator('[data-testid="stMain"] h1').first.wait_for()
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=SLOW_MS)
    page.wait_for_function(
        """() => document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
                 && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                    .filter(e => e.offsetParent !== null).every(e => e.querySelector('.main-svg'))""",
        timeout=SLOW_MS)


CUT_VALUES = """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')].flatMap(value =>
    [value, ...value.querySelectorAll('*')]
      .filter(e => e.scrollWidth > e.clientWidth + 1 || e.innerText.includes('…'))
      .map(e => value.innerText))"""


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{name}.png"))


@pytest.mark.parametrize("path", CARD_PAGES, ids=[p or "overview" for p in CARD_PAGES])
def test_every_kpi_value_is_whole_at_1366_with_the_sidebar_open(browser, server, path):
    with open_page(browser, server, f"{path}?period={PERIOD}", LAPTOP) as page:
        expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "false")
        values = page.locator('[data-testid="stMetricValue"]')
        assert values.count() >= 3
        assert page.evaluate(CUT_VALUES) == []
        screenshot(page, f"{path or 'overview'}-1366")
        # a value far longer than any real one wraps inside its card instead of being cut
        page.evaluate("""text => document.querySelectorAll('[data-testid="stMetricValue"] p')
                                   .forEach(p => { p.textContent = text; })""", LONG_VALUE)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        assert page.evaluate(CUT_VALUES) == []
        card = values.first.bounding_box()
        column = page.locator('[data-testid="stColumn"]', has=values.first).last.bounding_box()
        assert card["x"] + card["width"] <= column["x"] + column["width"] + 1  # it stays inside its card


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_presentation_controls_and_cards_read_whole_at_1366_with_the_sidebar_open(browser, server, lang):
    keys = ("presentation_previous", "presentation_next", "presentation_fullscreen", "presentation_start")
    with open_page(browser, server, f"presentation?period={PERIOD}&lang={lang}", LAPTOP) as page:
        cut = page.evaluate("""keys => keys.flatMap(key => [...document.querySelectorAll(`.st-key-${key} button *`)]
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => key))""", list(keys))
        assert cut == []
        start = page.locator(".st-key-presentation_start button").first.inner_text().strip()
        assert start.endswith(t("presentation.start", lang))
        # a card's value ("3.22 working days") stays inside its card
        spill = page.evaluate("""() => [...document.querySelectorAll('.xn-card')]
            .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText.split('\\n')[0])""")
        assert spill == []
        screenshot(page, f"presentation-{lang}-1366")


@pytest.mark.parametrize("viewport", [DESKTOP, LAPTOP], ids=["1920x1080", "1366x768"])
def test_the_first_screen_names_the_units_that_need_attention(browser, server, viewport):
    with open_page(browser, server, f"?period={PERIOD}", viewport) as page:
        attention = page.locator(".st-key-overview_attention")
        heading = attention.get_by_role("heading", name=t("attention.header"))
        first_county = attention.locator('[data-kind="county"] tbody a').first
        first_dept = attention.locator('[data-kind="dept"] tbody a').first
        for element in (heading, first_county):
            box = element.evaluate("e => e.getBoundingClientRect().toJSON()")
            assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]  # above the fold
        expect(attention.locator('[data-kind="county"]')).to_contain_text(t("attention.worst"))
        assert page.locator('[data-testid="stMetricValue"]').first.bounding_box()["y"] < viewport["height"]
        screenshot(page, f"overview-first-screen-{viewport['width']}")
        name = first_dept.inner_text()
        first_dept.click()  # the link opens the department's 单位画像
        page.wait_for_url("**/unit_profile?**level=dept**")
        settle(page)
        expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(t("nav.unit_profile"))
        department = page.locator('[data-testid="stMain"]').get_by_role("combobox", name=t("filters.departments"))
        expect(department).to_have_value(name)


def test_a_phone_gets_one_column_and_a_ranked_list(browser, server):
    with open_page(browser, server, f"?period={PERIOD}", PHONE) as page:
        expect(page.locator(".st-key-wide_only_matrix")).to_be_hidden()
        expect(page.locator(".st-key-wide_only_trend")).to_be_hidden()
        ranked = page.locator(".st-key-narrow_only_matrix")
        expect(ranked).to_be_visible()
        expect(ranked.locator("li").first).to_be_visible()
        trend = page.locator(".st-key-narrow_only_trend .main-svg").first
        expect(trend).to_be_visible()
        assert trend.bounding_box()["width"] <= PHONE["width"]
        # the cards stack: one card a row
        boxes = [b.bounding_box() for b in page.locator('[data-testid="stMetric"]').all()[:2]]
        assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1
        assert page.evaluate(CUT_VALUES) == []
        screenshot(page, "overview-phone")
        ranked.scroll_into_view_if_needed()
        screenshot(page, "overview-phone-list")


def test_the_a4_print_has_no_sidebar_and_the_whole_matrix(browser, server, county_names):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils, make test installs it) reads the printed PDF")
    with open_page(browser, server, f"?period={PERIOD}", DESKTOP) as page:
        page.locator(".st-key-wide_only_matrix .main-svg").first.wait_for()  # drawn at the screen's width
        page.emulate_media(media="print")
        expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
        page.wait_for_function("() => document.querySelector('.st-key-wide_only_matrix .stPlotlyChart')?.style.zoom")
        zoom = page.evaluate("() => document.querySelector('.st-key-wide_only_matrix .stPlotlyChart').style.zoom")
        assert float(zoom) < 0.6  # drawn 1,200 px or more wide on screen, 718 px on A4 less its margins
        pdf = page.pdf(format="A4", print_background=True)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "layout-overview-a4.pdf").write_bytes(pdf)
        # pdftotext, not pypdf: pypdf reads Chromium's CJK glyphs as radicals (门 as ⻔)
        pages = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        texts = [text.replace(" ", "") for text in pages.decode("utf-8").split("\f")]
        matrix_page = next(text for text in texts if t("matrix.header").replace(" ", "") in text)
        missing = [name for name in county_names if name not in matrix_page]
        assert missing == []  # every county's column is on the page
        assert "退出登录" not in "".join(texts)  # the sidebar is not printed


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page (pdftotext, not pypdf: pypdf reads Chromium's CJK glyphs as radicals)."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode("utf-8")
    return [page.replace(" ", "") for page in text.split("\f") if page.strip()]


def test_print_mode_redraws_the_charts_at_the_paper_width_then_prints(browser, server, county_names):
    """The sidebar's 打印 lays the page out at the A4 width, Streamlit redraws every chart at that width
    (no zoom), the print dialog opens by itself, and the PDF holds the Overview on four pages: the
    cards with the 需关注 lists, the ranking, the trend, the whole matrix."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils, make test installs it) reads the printed PDF")
    with open_page(browser, server, f"?period={PERIOD}", DESKTOP) as page:
        page.evaluate("() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }")
        page.get_by_role("button", name=t("layout.print"), exact=True).click()
        page.wait_for_function("() => window.__printed === 1", timeout=SLOW_MS)
        assert "print=1" in page.url  # a copied link opens the print layout too
        expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
        widths = page.evaluate("""() => [...document.querySelectorAll('.stPlotlyChart')]
            .filter(c => c.offsetParent !== null).map(c => c.scrollWidth)""")
        assert widths and max(widths) <= layout.PRINT_WIDTH_PX
        ranking = page.locator('[data-testid="stPlotlyChart"]').first  # the ranking: the page's width, not 2/7 of it
        assert ranking.bounding_box()["width"] >= layout.PRINT_WIDTH_PX - 2
        screenshot(page, "overview-print-mode")
        page.emulate_media(media="print")
        assert page.evaluate("() => [...document.querySelectorAll('.stPlotlyChart')].map(c => c.style.zoom)") \
            == [""] * page.locator(".stPlotlyChart").count()  # drawn at the paper's width: nothing to shrink
        pdf = page.pdf(format="A4", print_background=True)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "layout-overview-print-mode-a4.pdf").write_bytes(pdf)
        pages = pdf_pages(pdf)
        assert len(pages) == 4, [p[:40] for p in pages]
        first, ranking_page, trend_page, matrix_page = pages
        assert t("attention.header") in first and t("attention.title_dept") in first
        assert t("ranking.header").replace(" ", "") in ranking_page and t("overview_more.trend_header") in trend_page
        assert [name for name in county_names if name not in matrix_page] == []
        assert t("layout.print_exit") not in "".join(pages) and t("signin.sign_out") not in "".join(pages)
        page.emulate_media(media="screen")
        page.get_by_role("button", name=t("layout.print_exit"), exact=True).click()
        expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
        assert "print=1" not in page.url and page.evaluate("() => window.__printed") == 1


def test_a_rerun_dims_what_it_has_not_redrawn_and_shows_progress(browser, server):
    with open_page(browser, server, f"?period={PERIOD}", DESKTOP) as page:
        # What Streamlit marks while it reruns (the attributes the stylesheet keys on), set by hand so
        # the check does not depend on how long a rerun takes.
        page.evaluate("""() => {
            document.querySelector('[data-testid="stApp"]').setAttribute('data-test-script-state', 'running');
            document.querySelector('[data-testid="stElementContainer"]:has(.stPlotlyChart)')
                .setAttribute('data-stale', 'true'); }""")
        page.wait_for_function("""() => getComputedStyle(
            document.querySelector('[data-stale="true"]')).opacity < 0.5""")
        bar = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('[data-testid="stApp"]'),
                                                                 '::before'); return [s.position, s.height]; }""")
        assert bar == ["fixed", "4px"]
        page.wait_for_function("""() => getComputedStyle(document.querySelector('[data-testid="stApp"]'),
                                                         '::after').opacity === '1'""")
        label = page.evaluate("""() => getComputedStyle(document.querySelector('[data-testid="stApp"]'),
                                                        '::after').content""")
        assert label == f'"{t("layout.updating")}"'
        # a real rerun marks the elements it has not redrawn yet: the hook exists in this Streamlit
        page.evaluate("""() => {
            document.querySelector('[data-testid="stApp"]').setAttribute('data-test-script-state', 'notRunning');
            document.querySelector('[data-stale="true"]').setAttribute('data-stale', 'false');
            window.__staleSeen = false;
            new MutationObserver(() => {
                if (document.querySelector('[data-stale="true"]')) window.__staleSeen = true;
            }).observe(document.body, {attributes: true, subtree: true, attributeFilter: ['data-stale']}); }""")
        page.locator(".st-key-overview_attention a").first.wait_for()
        period_kind = page.get_by_role("radiogroup", name=t("filters.period_kind"))
        period_kind.get_by_text(t("period_kind.quarter"), exact=True).click()  # a rerun of the whole page
        page.wait_for_function("() => window.__staleSeen")
        settle(page)


@pytest.mark.parametrize("viewport", [DESKTOP, LAPTOP, PHONE], ids=["1920x1080", "1366x768", "390x844"])
@pytest.mark.parametrize("path", EVERY_PAGE, ids=[p or "overview" for p in EVERY_PAGE])
def test_every_page_renders_at_each_size(browser, server, path, viewport):
    with open_page(browser, server, f"{path}?period={PERIOD}", viewport) as page:
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.evaluate(CUT_VALUES) == []
        screenshot(page, f"page-{path or 'overview'}-{viewport['width']}x{viewport['height']}")

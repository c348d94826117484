"""The main paths of issue 3 in real headless Chromium (Debian's /usr/bin/chromium), on the
hand-counted fixture (tests/handcount.py, snapshot Fri 2026-10-30 17:00):

- every page registered in app.py renders for 2026-10 without an exception box, shows its
  title, and is screenshotted whole at 1920 px wide (tests/artifacts/page-<name>.png, git-ignored);
- red-light drill-through on 按时办结与监察: the page's own 列出办件 selector, then the CSV
  download holds exactly the open overdue cases (K06), and the yellow list K07, K08;
- a copied link (?period=2026-10&counties=C02) reproduces the view, also in a fresh context;
- the language switch on a page other than the overview.

The server (one per module, free port, XIAONENG_DATA → a tmp folder holding only the fixture,
always stopped) and the browser come from tests/test_browser.py's fixtures. Waits are
Playwright's (every one bounded by a timeout); no sleeps.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from pathlib import Path

import pytest

from tests.test_browser import ADMIN, ARTIFACTS, REPO, VIEWPORT, playwright_sync, sign_in
from tests.test_browser import browser as browser  # the fixtures of test_browser.py, for pytest
from tests.test_browser import page as page
from tests.test_browser import pytestmark as pytestmark  # browser mark, skipped without Chromium
from tests.test_browser import server as server
from xiaoneng import datapage, scorecard, supervision
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import headline, measures
from xiaoneng.supervision import Focus

expect = playwright_sync.expect

PERIOD = "2026-10"
RENDER_TIMEOUT_MS = 30_000
PICK_ATTEMPTS, PICK_TIMEOUT_MS = 3, 10_000  # a selectbox's list opened again after a rerun closed it
SCREENSHOT_MAX_HEIGHT = 12_000  # px; a taller page is cut there rather than making a huge file

# The title each page shows (its st.title), by page file stem. Must cover every st.Page of app.py.
PAGE_TITLES = {
    "overview": lambda lang: t("nav.overview", lang),
    "unit_profile": lambda lang: t("nav.unit_profile", lang),
    "approval_times": lambda lang: t("approval.title", lang),
    "supervision": lambda lang: t("supervision.title", lang),
    "satisfaction": lambda lang: t("satisfaction.title", lang),
    "tasks": lambda lang: t("tasks.title", lang),
    "scorecard": lambda lang: scorecard.text("title", lang),
    "presentation": lambda lang: t("briefing.title.headline_kpis", lang),  # its first view's title
    "bulletin": lambda lang: t("bulletin.page_title", lang),
    "data": lambda lang: datapage.text("title", lang),
    "definitions": lambda lang: t("definitions.title", lang),
    "integrity": lambda lang: t("integrity.title", lang),
    "ledger": lambda lang: t("ledger.title", lang),
}


def registered_pages() -> list[tuple[str, bool]]:
    """(file stem, is default) of every st.Page(...) call in app.py, in order."""
    tree = ast.parse((REPO / "app.py").read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page":
            path = node.args[0].value
            default = any(k.arg == "default" and getattr(k.value, "value", False) for k in node.keywords)
            found.append((Path(path).stem, default))
    return sorted(found, key=lambda p: p[0])


PAGES = registered_pages()


def url_path(stem: str, default: bool) -> str:
    """st.navigation's URL of a page: the default page at the root, the others at their file stem."""
    return "/" if default else f"/{stem}"


# ---------------------------------------------------------------- helpers

def wait_until_rendered(page, title: str) -> None:
    """The page's title is shown, the script run is over, and every visible chart has drawn."""
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(title, timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=RENDER_TIMEOUT_MS)
    wait_for_elements(page)


def wait_for_elements(page) -> None:
    """Streamlit loads charts, tables and cards lazily: after the run, skeletons stand in for them
    for a moment. Wait until none is left and every visible chart has drawn its SVG."""
    page.wait_for_function(
        """() => document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
                 && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                    .filter(e => e.offsetParent !== null).every(e => e.querySelector('.main-svg'))""",
        timeout=RENDER_TIMEOUT_MS)


def wait_for_script(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=RENDER_TIMEOUT_MS)
    wait_for_elements(page)


def full_page_screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside its main block, so a full-page screenshot needs a viewport as tall
    as that block; the width stays 1920 and the viewport goes back to 1920×1080 afterwards."""
    height = page.evaluate(
        """() => Math.max(window.innerHeight, ...[...document.querySelectorAll(
               '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stSidebarContent"]')]
               .map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height), SCREENSHOT_MAX_HEIGHT)})
    try:
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        wait_for_elements(page)
        path.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(VIEWPORT)


def metric_value(page, label: str):
    """The value of the KPI card whose label is exactly ``label``."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    card = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=exact))
    return card.locator('[data-testid="stMetricValue"]')


def expect_no_exception(page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the selectbox labelled ``label`` (a react-aria combobox: its list is
    filtered by the text in the box, so the option's text is typed first)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    choice = page.get_by_role("option", name=option, exact=True)
    for attempt in range(PICK_ATTEMPTS):
        # a rerun that lands between the click and the fill redraws the box and closes its list
        wait_for_script(page)
        box.click()
        box.fill(option)
        try:
            choice.click(timeout=PICK_TIMEOUT_MS)
            break
        except playwright_sync.Error:
            if attempt == PICK_ATTEMPTS - 1:
                raise
            page.keyboard.press("Escape")
    expect(box).to_have_value(option)


def download_csv(page, container_key: str) -> tuple[str, list[dict[str, str]]]:
    """Click the CSV button of a download pair (widgets.download_buttons, key ``<key>_csv``) and
    read the file: UTF-8 with a BOM (so Excel reads the Chinese headers)."""
    button = page.locator(f".st-key-{container_key}_csv").get_by_role("button", name=t("download.csv"))
    with page.expect_download(timeout=RENDER_TIMEOUT_MS) as info:
        button.click()
    download = info.value
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV must start with a UTF-8 BOM"
    source, blank, table = raw.decode("utf-8-sig").split("\r\n", 2)  # the snapshot and filters, then the table
    assert source.startswith("数据截至 ") and blank == ""
    return download.suggested_filename, list(csv.DictReader(io.StringIO(table)))


def col(name: str, lang: str = "zh") -> str:
    return t(f"supervision.col.{name}", lang)


# ---------------------------------------------------------------- 1. every page

def test_every_registered_page_is_in_the_sidebar(server, page):
    assert set(PAGE_TITLES) == {stem for stem, _ in PAGES}, \
        "app.py registers a page this test has no title for (add it to PAGE_TITLES)"
    assert sum(default for _, default in PAGES) == 1
    page.goto(f"{server}/?period={PERIOD}")
    wait_until_rendered(page, t("nav.overview"))
    links = page.locator('[data-testid="stSidebarNavLink"]')
    expect(links).to_have_count(len(PAGES))
    hrefs = {re.sub(r"^https?://[^/]+", "", links.nth(i).get_attribute("href")) for i in range(len(PAGES))}
    assert hrefs == {url_path(stem, default) for stem, default in PAGES}


@pytest.mark.parametrize(("stem", "default"), PAGES, ids=[stem for stem, _ in PAGES])
def test_page_renders_without_exception(server, page, stem, default):
    page.goto(f"{server}{url_path(stem, default)}?period={PERIOD}")
    wait_until_rendered(page, PAGE_TITLES[stem]("zh"))
    expect_no_exception(page)
    # the URL keeps the period and pins the snapshot; the context line says both
    assert f"period={PERIOD}" in page.url and "snapshot=handcount" in page.url
    expect(page.get_by_text("数据截至 2026-10-30 17:00").first).to_be_visible()
    full_page_screenshot(page, ARTIFACTS / f"page-{stem}.png")
    expect_no_exception(page)


# ---------------------------------------------------------------- 2. red-light drill-through → CSV

def test_red_light_cases_download_as_csv(server, page):
    page.goto(f"{server}/supervision?period={PERIOD}")
    wait_until_rendered(page, t("supervision.title"))
    expect(metric_value(page, "超期在办件（红灯）")).to_have_text("1 件")
    expect(metric_value(page, "临期件（黄灯）")).to_have_text("2 件")
    label = t("supervision.focus_subset")  # 列出办件: the page's drill-through selector (sup_focus_subset)
    october = Period.parse(PERIOD)

    def drill(subset: str, total: int) -> None:
        pick(page, label, t(f"supervision.subset.{subset}"))
        described = supervision.focus_description(Focus(subset), "zh", {}, {}, october)
        expect(page.locator('[data-testid="stMarkdownContainer"] strong', has_text=described)).to_be_visible()
        expect(page.get_by_text(t("supervision.list_total", total=total, page=1, pages=1, size=50),
                                exact=True)).to_be_visible()
        wait_for_script(page)
        expect_no_exception(page)

    # yellow first, so that the red list is reached by the selector rather than being the default
    drill("open_yellow", 2)
    name, rows = download_csv(page, "sup_cases")
    assert name == f"{t('supervision.file_cases')}_handcount_{PERIOD}_open_yellow.csv"
    assert [r[col("case_id")] for r in rows] == ["K07", "K08"]

    drill("open_overdue", 1)
    name, rows = download_csv(page, "sup_cases")
    assert name == f"{t('supervision.file_cases')}_handcount_{PERIOD}_open_overdue.csv"
    assert [r[col("case_id")] for r in rows] == ["K06"]
    k06 = rows[0]
    # K06 I01 乙县 市场监管局, accepted Fri 10-09 09:00, promised 10 wd → deadline 10-22 (close of day);
    # at 10-30 17:00 it is 6 wd over and has been open 16 wd
    assert (k06[col("item_code")], k06[col("county_name")], k06[col("dept_name")]) == ("I01", "乙县", "市场监管局")
    assert k06[col("status")] == t("supervision.status.open_red")
    assert k06[col("deadline_at")].startswith("2026-10-22")
    assert k06[col("accepted_at")].startswith("2026-10-09 09:00")
    assert (k06[col("wd_over")], k06[col("elapsed_wd")], k06[col("completed_at")]) == ("6", "16", "")
    full_page_screenshot(page, ARTIFACTS / "page-supervision-drill-red.png")


# ---------------------------------------------------------------- 3. a copied link reproduces the view

C02_CARDS = {  # hand count for 乙县 in October: K06 open red, K08 open yellow, K10 on time, K12 withdrawn
    "按期办结率": "50.0%",  # due K06 (open) and K10 (by its deadline); K12 withdrawn before its deadline
    "办结件按时率": "100.0%",  # K10, completed on its deadline day
    "超期在办件（红灯）": "1 件",  # K06
    "临期件（黄灯）": "1 件",  # K08
    "在办件": "2 件",  # K06, K08
    "无时限件": "0 件",  # every case has a promised limit
}


def query_layer_cards(view, filters: Filters) -> dict[str, str]:
    shown = {h.indicator.label("zh"): h.indicator.format(h.value, "zh")
             for h in headline(view, filters, ["on_time_rate", "completion_on_time_rate", "open_overdue",
                                               "open_yellow"])}
    row = measures(view, filters).iloc[0]
    for key in ("open_at_end", "cases_no_deadline"):
        shown[t(f"supervision.kpi_{key}")] = catalog()["open_overdue"].format(row[key])
    return shown


def expect_c02_view(page) -> None:
    wait_until_rendered(page, t("supervision.title"))
    expect_no_exception(page)
    for label, value in C02_CARDS.items():
        expect(metric_value(page, label)).to_have_text(value)
    expect(page.get_by_text("区县：乙县", exact=False).first).to_be_visible()  # the context line
    expect(page.locator(".st-key-filter_counties").get_by_text("乙县")).to_be_visible()  # the sidebar filter
    expect(page.get_by_text(t("supervision.list_total", total=1, page=1, pages=1, size=50),
                            exact=True)).to_be_visible()  # K06, the county's one red case


def test_a_copied_link_reproduces_the_view(server, page, browser, handcount_view):
    assert query_layer_cards(handcount_view, Filters(Period.parse(PERIOD), counties=("C02",))) == C02_CARDS
    page.goto(f"{server}/supervision?period={PERIOD}&counties=C02")
    expect_c02_view(page)
    copied = page.url
    assert "counties=C02" in copied and f"period={PERIOD}" in copied and "snapshot=handcount" in copied

    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")  # a colleague, signed in on their own
    try:
        fresh = context.new_page()
        fresh.set_default_timeout(RENDER_TIMEOUT_MS)
        sign_in(fresh, copied, ADMIN.name, ADMIN.password)
        expect_c02_view(fresh)
        assert fresh.url == copied
    finally:
        context.close()


# ---------------------------------------------------------------- 4. English on a page other than the overview

def test_english_on_the_approval_page(server, page):
    page.goto(f"{server}/approval_times?period={PERIOD}")
    wait_until_rendered(page, t("approval.title"))
    median, on_time = catalog()["median_elapsed_wd"], catalog()["on_time_rate"]
    # 承诺件 elapsed 9, 3, 6 (K11, immediate, is measured by 即办率) → median 6
    expect(metric_value(page, median.label("zh"))).to_have_text(median.format(6.0, "zh"))

    page.get_by_role("radio", name="English").click()
    wait_until_rendered(page, t("approval.title", "en"))
    expect_no_exception(page)
    assert t("approval.title", "en") == "Approval times"
    # in English the long unit moves from the value into the label (xiaoneng.approval.kpi_cards)
    expect(metric_value(page, "Median processing time")).to_have_text("6.0 working days")
    expect(metric_value(page, on_time.label("en"))).to_have_text("60.0%")
    expect(page.get_by_role("link", name=t("nav.supervision", "en"))).to_be_visible()  # the sidebar too
    page.wait_for_url("**/approval_times?**lang=en**", timeout=RENDER_TIMEOUT_MS)
    full_page_screenshot(page, ARTIFACTS / "page-approval_times-en.png")

"""Cross-filtering on 满意度, 督办 and 绩效考核 in real Chromium: a click on a Plotly bar, segment or
heatmap cell narrows the page (tests/handcount.py, October 2026, snapshot Fri 10-30 17:00).

Uses the server and browser fixtures of tests/test_browser.py and the real mouse press and release
of tests/test_browser_crossfilter.py (Plotly reacts to those, not to a synthetic click event). The
tables are drawn on a canvas, so the tests read the captions that count their rows and the CSV a
download button gives.
"""

from __future__ import annotations

from tests.test_browser import ARTIFACTS, browser, metric, page, pytestmark, server, wait_for_charts
from tests.test_browser_crossfilter import click_bar
from tests.test_browser_paths import download_csv

__all__ = ["browser", "page", "pytestmark", "server"]  # fixtures and marks used from tests/test_browser.py


def charts(page):
    return page.locator('[data-testid="stPlotlyChart"]')


def downloaded_csv(page, key: str) -> list[dict[str, str]]:
    """The rows of the CSV the download button ``key`` (widgets.download_buttons) gives, below its source line."""
    return download_csv(page, key)[1]


def test_satisfaction_click_narrows_the_review_list(server, page):
    page.set_default_timeout(90_000)  # five helpers share two cores: a rerun may take long
    page.goto(f"{server}/satisfaction?period=2026-10")
    wait_for_charts(page, 6)  # levels, trend, rates, reasons, rectification, survey heatmap
    page.get_by_text("共 4 条").wait_for()  # October's bad reviews R4, R6, R2, R8
    rectification = charts(page).nth(4)
    rectification.scroll_into_view_if_needed()
    click_bar(page, rectification, 0)  # 市场监管局's red segment: reviews unrectified past their due time
    page.locator(".st-key-satisfaction_xf_chip_dept button", has_text="部门：市场监管局").first.wait_for()
    page.wait_for_function("() => location.search.includes('xf_dept=D01')")
    page.get_by_text("共 1 条").wait_for()
    listing = page.locator(".st-key-satisfaction_listing input")
    assert listing.input_value() == "逾期未整改的差评"
    rows = downloaded_csv(page, "satisfaction_reviews")
    assert [(r["评价编号"], r["部门"], r["整改状态"], r["整改期限"]) for r in rows] == \
        [("R4", "市场监管局", "逾期未整改", "2026-10-28 17:00:00")]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "satisfaction-crossfilter.png"), full_page=True)

    page.locator(".st-key-satisfaction_xf_chip_dept button").first.click()  # the chip removes the department
    page.wait_for_function("() => !location.search.includes('xf_dept')")
    page.goto(f"{server}/satisfaction?period=2026-10")
    page.get_by_text("共 4 条").wait_for()
    # a cell of the survey heatmap: 人社局 (second row) → its bad reviews R6 and R2
    heatmap = charts(page).nth(5)
    heatmap.scroll_into_view_if_needed()
    cell = heatmap.locator(".scatterlayer path.point").nth(5)
    box = cell.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()
    page.locator(".st-key-satisfaction_xf_chip_dept button", has_text="部门：人社局").first.wait_for()
    page.get_by_text("共 2 条").wait_for()
    assert [r["评价编号"] for r in downloaded_csv(page, "satisfaction_reviews")] == ["R6", "R2"]


def test_tasks_click_on_a_department_narrows_the_sources_and_the_overdue_list(server, page):
    page.goto(f"{server}/tasks?period=2026-10")
    wait_for_charts(page, 2)
    page.get_by_text("共 1 件").wait_for()  # T3, overdue at the snapshot
    # rows 人社局 (0 %) then 市场监管局 (100 %); segments open overdue, late, on time: the 6th is 市场监管局 on time
    click_bar(page, charts(page).nth(0), 5)
    # the department is the page's cross-filter chip
    page.locator(".st-key-tasks_xf_chip_dept").get_by_role("button", name="部门：市场监管局").wait_for()
    page.wait_for_function("() => location.search.includes('xf_dept=D01')")
    metric(page, "督办按时完成率").get_by_text("100.0%").wait_for()  # the cards follow: T1 on time
    page.get_by_text("没有逾期未完成的督办事项").wait_for()  # T3 is 人社局's
    page.wait_for_function(  # 市场监管局's only task due: T1, a meeting decision
        "() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')[1].querySelectorAll("
        "'.yaxislayer-above text')].map(t => t.textContent).join() === '会议交办'")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tasks-crossfilter.png"), full_page=True)


def test_scorecard_click_opens_the_units_breakdown_and_cases(server, page):
    page.goto(f"{server}/scorecard?period=2026-10")
    wait_for_charts(page, 1)
    # hand count (config/indicators.yaml weights and targets; Σ weight × attainment ÷ Σ weight of the
    # indicators with a value). 甲区: mean time 7.5 (K05 9, K13 6) → 3/7.5 × 10 = 4; 按期办结率 2/3 →
    # 66.7/95 × 20 = 14.04; 即办率 1/1 → 5; 提前办结率 1/2 → 50/85 × 5 = 2.94; 网办率 2/4 → 50/58 × 10 =
    # 8.62; 差评率 1/3 → 3/33.3 × 5 = 0.45; 满意率 2/3 → 66.7/96 × 10 = 6.94; 差评整改率 1/1 (R2) → 10;
    # 满意度指数 87.5 → 15; 督办 1/2 (T1 of T1, T3) → 50/90 × 10 = 5.56: 72.55 of 100 → 72.5.
    # 乙县: mean 3 (K10) → 10; 按期 1/2 → 10.53; 即办 none (left out); 提前 0/1 → 0; 网办 2/4 → 8.62;
    # 差评率 2/4 (R4, R8; R6 unfounded) → 3/50 × 5 = 0.3; 满意 1/4 → 2.60; 整改 0/1 (R4) → 0; 指数 37.5 →
    # 6.78; 督办 0/1 (T2) → 0: 38.83 of 95 → 40.9.
    page.get_by_text("甲区 综合得分 72.5").wait_for()
    # rows 甲区, 乙县; the second part is the on-time rate: the 4th segment is 乙县's on-time points
    click_bar(page, charts(page).nth(0), 3)
    page.get_by_text("已选中：乙县 · 按期办结率").wait_for()
    page.locator(".st-key-scorecard_xf_chip_county").get_by_role("button", name="区县：乙县").wait_for()
    page.wait_for_function("() => location.search.includes('xf_county=C02')")  # the unit is the URL's chip
    page.get_by_text("乙县 综合得分 40.9").wait_for()
    # 20 of 95 weight points → 21.1 to be had; 50/95 of them → 11.1
    page.get_by_text("按期办结率：50.0%（≥ 95.0%），得 11.1 分，可得 21.1 分").wait_for()
    page.get_by_text("共 1 件").wait_for()
    # C02's one 按期办结率 miss: K06, open after its deadline (K10 was completed by its own)
    assert [r["办件编号"] for r in downloaded_csv(page, "scorecard_cases")] == ["K06"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "scorecard-crossfilter.png"), full_page=True)

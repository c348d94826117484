"""The chart convention (xiaoneng/charts/convention.py), read off every figure the pages draw on the
hand-counted fixture, off 汇报模式's figures and off the PowerPoint deck's native charts: bars from
zero, dots for close values on an axis that says where it starts, one target-line style, one month
format, thousands separators, the same colours for the same meaning on screen and on the slide."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from streamlit.testing.v1 import AppTest

from tests.apptest import chart_figures, signed_in
from xiaoneng import briefing, charts, deck, presentation
from xiaoneng.filters import Filters, Period

OCTOBER = Filters(Period.parse("2026-10"))
PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
PAGES = ["overview", "approval_times", "supervision", "satisfaction", "tasks", "scorecard", "unit_profile"]
MONTH_KEY = re.compile(r"^\d{4}-\d{2}$")
MONTH_ZH = re.compile(r"^\d{4}年\d{1,2}月$")


# ---------------------------------------------------------------- the rules themselves

@pytest.mark.parametrize(("values", "target", "close"), [
    ([93.2, 90.0], None, True),  # the 柳溪县 and 云台县: 90.0 / 93.2 = 0.966
    ([91.26, 84.0, 77.56], None, False),  # 77.56 / 91.26 = 0.8499: bars from zero
    ([94.0, 97.3], 98.0, True),
    ([25.0, 66.7], 98.0, False),
    ([313.0, 149.0], None, False),  # counts
    ([0.0, 5.0], None, False),  # a zero is never close: its bar is the story
    ([95.0], None, False),  # one value has nothing to be close to
    ([], None, False),
])
def test_close_values_are_those_within_fifteen_percent(values, target, close):
    assert charts.values_are_close(values, target) is close


@pytest.mark.parametrize(("values", "target", "start"), [
    ([93.2, 90.0], None, 89.0),  # a spread under 4: a whole number under the lowest
    ([94.0, 97.3, 85.5], 98.0, 80.0),  # wider: a multiple of 5
    ([0.3, 0.9], None, 0.0),  # never below zero
])
def test_dot_axes_start_on_a_round_number_under_the_lowest(values, target, start):
    assert charts.dot_axis_start(values, target) == start


def test_axis_titles_say_where_a_dot_axis_starts():
    assert charts.axis_from_title("综合绩效得分", 85.0) == "综合绩效得分（坐标轴自 85 起）"
    assert charts.axis_from_title("Composite score", 89.5, "en") == "Composite score (axis from 89.5)"


@pytest.mark.parametrize(("month", "lang", "label"), [
    ("2026-01", "zh", "2026年1月"),
    ("2026-10", "zh", "2026年10月"),
    ("2026-01", "en", "Jan 2026"),
    (pd.Timestamp("2025-11-01").date(), "en", "Nov 2025"),
])
def test_one_month_format(month, lang, label):
    assert charts.month_label(month, lang) == label


def test_month_axis_labels_every_third_month_ending_with_the_latest():
    keys = [f"2026-{m:02d}" for m in range(1, 11)]
    axis = charts.month_axis(keys, "zh", every=3)
    assert axis["tickvals"] == ["2026-01", "2026-04", "2026-07", "2026-10"]
    assert axis["ticktext"] == ["2026年1月", "2026年4月", "2026年7月", "2026年10月"]
    assert axis["categoryarray"] == keys


def test_the_target_line_has_one_style():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    charts.add_target_line(fig, 95, "目标 95%")
    charts.add_target_line(fig, 2, orientation="v")
    assert [s.name for s in fig.layout.shapes] == ["target", "target"]
    for shape in fig.layout.shapes:
        assert (shape.line.color, shape.line.width, shape.line.dash) == ("#3E4C59", 2, "dash")
    assert fig.layout.shapes[0].y0 == 95 and fig.layout.shapes[1].x0 == 2
    assert fig.layout.annotations[0].text == "目标 95%" and fig.layout.annotations[0].font.color == "#3E4C59"


def test_one_colour_per_meaning_shared_with_the_slides():
    assert charts.MEANING_COLORS == {"better": "#2E8B57", "worse": "#C8102E", "target": "#3E4C59",
                                     "neutral": "#1F4E79"}
    assert charts.LIGHT_COLORS == {"red": "#C8102E", "yellow": "#F2B233", "green": "#2E8B57"}
    # the deck and 汇报模式 take theirs from the convention
    assert (briefing.RED, briefing.YELLOW, briefing.TARGET, briefing.PRIMARY) == (
        "#C8102E", "#F2B233", "#3E4C59", "#1F4E79")
    assert charts.SATISFACTION_LEVEL_COLORS[5] == "#2E8B57" and charts.SATISFACTION_LEVEL_COLORS[1] == "#C8102E"


def test_thousands_separators_on_every_axis():
    layout = charts.government_template().layout
    assert layout.separators == ".,"
    assert layout.xaxis.separatethousands is True and layout.yaxis.separatethousands is True
    assert charts.count_ticks(7200)["tickformat"] == ",d"


def test_close_scores_are_dots_on_an_axis_that_says_where_it_starts():
    frame = pd.DataFrame({"name": ["柳溪县", "云台县"], "score": [93.2, 90.0], "code": ["C01", "C02"]})
    fig = charts.ranking_bar(frame, label_col="name", value_col="score", axis_title="综合绩效得分", code_col="code")
    dots = fig.data[1]
    assert not any(isinstance(trace, go.Bar) for trace in fig.data)
    assert dots.mode == "markers+text" and list(dots.x) == [93.2, 90.0] and list(dots.text) == ["93.2", "90.0"]
    assert [c[0] for c in dots.customdata] == ["C01", "C02"]  # still clickable
    assert fig.layout.xaxis.range[0] == 89.0
    assert fig.layout.xaxis.title.text == "综合绩效得分（坐标轴自 89 起）"
    # a ranking of rates asks for dots whatever the spread; bars are asked for by dots=False
    bars = charts.ranking_bar(frame, label_col="name", value_col="score", axis_title="x", dots=False)
    assert isinstance(bars.data[0], go.Bar) and bars.layout.xaxis.range[0] == 0.0


# ---------------------------------------------------------------- every figure of every page

def axis_of(layout: dict, trace: dict, letter: str) -> dict:
    """The layout axis a trace draws on (``xaxis``, ``xaxis2`` …)."""
    ref = trace.get(f"{letter}axis", letter)
    return layout.get(f"{letter}axis{ref[1:]}", {})


def has_numbers(values) -> bool:
    """Whether a trace's x or y holds numbers (plotly writes a numpy array as a typed-array dict)."""
    return isinstance(values, dict) or any(isinstance(v, int | float) for v in values or [])


def check_figure(spec: dict, where: str) -> list[str]:
    """Every way a figure breaks the convention, as readable lines (none: it follows it)."""
    layout, problems = spec.get("layout", {}), []
    for trace in spec.get("data", []):
        if trace.get("type") == "bar" and (has_numbers(trace.get("x")) or has_numbers(trace.get("y"))):
            axis = axis_of(layout, trace, "x" if trace.get("orientation") == "h" else "y")
            start = (axis.get("range") or [0])[0]
            if start not in (0, 0.0) and not (start < 0 and axis.get("range")):
                problems.append(f"{where}: bars {trace.get('name')!r} start at {start}")
            if axis.get("range") is None and axis.get("rangemode") not in (None, "tozero"):
                problems.append(f"{where}: bars {trace.get('name')!r} on a {axis.get('rangemode')} axis")
        for letter in "xy":
            axis = axis_of(layout, trace, letter)
            start = (axis.get("range") or [0])[0]
            is_dot_plot = trace.get("type") == "scatter" and trace.get("mode", "").startswith("markers") \
                and letter == "x" and isinstance(start, int | float) and start > 0
            if is_dot_plot and "起" not in axis.get("title", {}).get("text", ""):
                problems.append(f"{where}: a dot axis starting at {start} does not say so")
            for text in axis.get("ticktext") or []:
                if MONTH_KEY.match(str(text)):
                    problems.append(f"{where}: month tick {text!r}")
            categories = axis.get("categoryarray") or []
            if categories and all(MONTH_KEY.match(str(c)) for c in categories):
                shown = axis.get("ticktext")
                if not shown or not all(MONTH_ZH.match(str(s)) for s in shown):
                    problems.append(f"{where}: month keys without the month format: {shown}")
    for shape in layout.get("shapes", []):
        line = shape.get("line", {})
        if shape.get("name") == charts.TARGET_SHAPE or line.get("dash") == "dash":
            style = (line.get("color"), line.get("width"), line.get("dash"), shape.get("name"))
            if style != (*charts.TARGET_LINE.values(), charts.TARGET_SHAPE):
                problems.append(f"{where}: target line {style}")
    return problems


@pytest.fixture(scope="module")
def page_figures(data_folder) -> dict[str, list[dict]]:
    """Every page's figures on the fixture, October 2026 (AppTest, signed in as an admin)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XIAONENG_DATA", str(data_folder))
        figures = {}
        for name in PAGES:
            at = signed_in(AppTest.from_file(str(PAGES_DIR / f"{name}.py"), default_timeout=60))
            at.query_params["period"] = "2026-10"
            at.run()
            assert not at.exception, name
            figures[name] = chart_figures(at)
        return figures


def test_every_page_draws_figures(page_figures):
    assert {name: len(figs) > 0 for name, figs in page_figures.items()} == {name: True for name in PAGES}


@pytest.mark.parametrize("name", PAGES)
def test_every_figure_of_every_page_follows_the_convention(page_figures, name):
    problems = [p for i, spec in enumerate(page_figures[name]) for p in check_figure(spec, f"{name}#{i}")]
    assert problems == []


def test_the_overview_ranking_bars_start_at_zero(page_figures):
    """The fixture's composite scores lie far apart: bars, from zero to 100 and room for the labels."""
    ranking = page_figures["overview"][0]
    assert ranking["data"][0]["type"] == "bar" and ranking["data"][0]["orientation"] == "h"
    assert ranking["layout"]["xaxis"]["range"][0] == 0
    assert ranking["layout"]["xaxis"]["rangemode"] == "tozero"


def test_the_overview_trend_targets_and_months(page_figures):
    trend = page_figures["overview"][1]
    targets = [s for s in trend["layout"]["shapes"] if s.get("name") == "target"]
    assert targets and {(s["line"]["color"], s["line"]["dash"]) for s in targets} == {("#3E4C59", "dash")}
    assert trend["layout"]["xaxis"]["ticktext"] == ["2026年1月", "2026年4月", "2026年7月", "2026年10月"]


def test_the_check_catches_what_the_convention_forbids():
    """The page check is no rubber stamp: a bar axis from 85, a dot axis without its start, a month
    key as tick and a red target line are each reported."""
    bad = go.Figure(go.Bar(x=[93.2, 90.0], y=["a", "b"], orientation="h"))
    bad.update_xaxes(range=[85, 95])
    bad.add_trace(go.Scatter(x=[1, 2], y=["a", "b"], mode="markers", xaxis="x2"))
    bad.update_layout(xaxis2={"range": [0.5, 3], "title": {"text": "率"}})
    bad.add_trace(go.Scatter(x=["2026-01", "2026-02"], y=[1, 2], xaxis="x3", yaxis="y3"))
    bad.update_layout(xaxis3={"categoryarray": ["2026-01", "2026-02"], "ticktext": ["2026-01", "2026-02"]})
    bad.add_hline(y=1, line={"color": "#C8102E", "dash": "dash", "width": 1.5})
    assert check_figure(bad.to_plotly_json(), "bad") == [
        "bad: bars None start at 85", "bad: a dot axis starting at 0.5 does not say so",
        "bad: month tick '2026-01'", "bad: month tick '2026-02'",
        "bad: month keys without the month format: ['2026-01', '2026-02']",
        "bad: target line ('#C8102E', 1.5, 'dash', None)"]


# ---------------------------------------------------------------- 汇报模式 and the deck

def test_presentation_bars_start_at_zero(handcount_view):
    views = [v for v in briefing.build_views(handcount_view, OCTOBER, "zh") if v.chart in ("bar", "stacked_bar")]
    assert views
    for view in views:
        fig = presentation.view_figure(view, "zh")
        if view.empty:
            continue
        assert fig.layout.xaxis.range[0] == 0.0, view.name
        target_lines = [s for s in fig.layout.shapes if s.line.dash == "dash"]
        assert all((s.line.color, s.line.width) == ("#3E4C59", 2) for s in target_lines), view.name


def test_deck_bars_start_at_zero(handcount_view):
    prs = Presentation(io.BytesIO(deck.deck_bytes(handcount_view, OCTOBER, "zh")))
    bars = [shape.chart for slide in prs.slides for shape in slide.shapes
            if shape.has_chart and shape.chart.chart_type in (XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.BAR_STACKED)]
    assert len(bars) >= 3
    assert [chart.value_axis.minimum_scale for chart in bars] == [0.0] * len(bars)
    for chart in bars:  # from zero to the longest bar and room for its label
        longest = max(sum(v or 0 for v in values) for values in zip(*(s.values for s in chart.plots[0].series),
                                                                       strict=True))
        assert chart.value_axis.maximum_scale == pytest.approx(longest * 1.15) or chart.chart_type != \
            XL_CHART_TYPE.BAR_CLUSTERED

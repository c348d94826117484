"""Figure builders: pure DataFrame -> go.Figure, in the report style."""

from __future__ import annotations

import json
import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from xiaoneng import charts


def ranking_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "name": ["甲区", "乙县", "丙市", "丁县"],
        "score": [91.26, 84.0, 77.56, math.nan],
        "selected": [False, True, False, False],
    })


def test_template_is_cjk_and_sober():
    layout = charts.government_template().layout
    assert layout.font.family == "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
    assert layout.font.size >= 14  # readable on a projector
    assert layout.paper_bgcolor == layout.plot_bgcolor == "#FFFFFF"
    assert list(layout.colorway) == charts.COLORWAY
    assert charts.government_template() is not charts.government_template()  # never shared, never mutated


def test_ranking_bar_best_at_top_with_labels():
    fig = charts.ranking_bar(ranking_frame(), label_col="name", value_col="score", axis_title="综合绩效得分",
                             highlight_col="selected")
    bar = fig.data[0]
    assert isinstance(bar, go.Bar) and bar.orientation == "h"
    assert list(bar.y) == ["甲区", "乙县", "丙市"]  # the unranked 丁县 is left out
    assert list(fig.layout.yaxis.categoryarray) == ["甲区", "乙县", "丙市"]
    assert fig.layout.yaxis.autorange == "reversed"  # first row at the top
    assert list(bar.text) == ["91.3", "84.0", "77.6"]
    assert bar.textposition == "outside" and bar.cliponaxis is False
    # scores 77.6–91.3 (77.56 / 91.26 < 0.85, not close): bars from zero to the scale's 100, plus room
    # for the labels
    assert fig.layout.xaxis.range[0] == 0.0 and fig.layout.xaxis.range[1] == pytest.approx(110.0)
    assert fig.layout.xaxis.rangemode == "tozero"
    assert fig.layout.template.layout.font.family == charts.FONT_FAMILY
    assert fig.layout.xaxis.title.text == "综合绩效得分"


def test_ranking_bar_highlights_selected_rows():
    fig = charts.ranking_bar(ranking_frame(), label_col="name", value_col="score", axis_title="x",
                             highlight_col="selected")
    assert list(fig.data[0].marker.color) == [charts.MUTED, charts.PRIMARY, charts.MUTED]
    plain = charts.ranking_bar(ranking_frame().assign(selected=False), label_col="name", value_col="score",
                               axis_title="x", highlight_col="selected")
    assert set(plain.data[0].marker.color) == {charts.PRIMARY}


def test_ranking_bar_without_values_says_so():
    frame = ranking_frame().assign(score=math.nan)
    fig = charts.ranking_bar(frame, label_col="name", value_col="score", axis_title="x", empty_message="没有数据")
    assert not fig.data
    assert fig.layout.annotations[0].text == "没有数据"


def matrix_frame() -> pd.DataFrame:
    rows = []
    for dept in ("市场监管局", "人社局"):
        for county, status, text in (("甲区", "green", "96.0%"), ("乙县", "amber", "91.0%"), ("丙市", "red", "80.0%")):
            rows.append({"dept": dept, "county": county, "status": status, "text": text, "base": 10})
    rows[-1].update(status="none", text="—", base=None)
    return pd.DataFrame(rows)


def test_traffic_light_heatmap_codes_colours_and_text():
    fig = charts.traffic_light_heatmap(
        matrix_frame(), row_col="dept", col_col="county", status_col="status", text_col="text",
        status_labels={"green": "达标", "amber": "接近", "red": "未达标", "none": "无数据"},
        row_title="部门", col_title="区县", hover_cols={"base": "基数"},
    )
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap)
    assert list(heat.y) == ["市场监管局", "人社局"]
    assert list(heat.x) == ["甲区", "乙县", "丙市"]
    codes = {s: i for i, s in enumerate(charts.STATUS_ORDER)}
    assert [list(r) for r in heat.z] == [[codes["green"], codes["amber"], codes["red"]],
                                        [codes["green"], codes["amber"], codes["none"]]]
    assert [list(r) for r in heat.text] == [["96.0%", "91.0%", "80.0%"], ["96.0%", "91.0%", "—"]]
    assert heat.showscale is False
    assert heat.customdata[1][2][0] == "无数据"  # status label for hover
    assert heat.customdata[0][0][1] == 10  # base
    assert fig.layout.yaxis.autorange == "reversed"  # first row at the top


@pytest.mark.parametrize("status", charts.STATUS_ORDER)
def test_each_status_maps_to_its_colour(status):
    fig = charts.traffic_light_heatmap(
        pd.DataFrame([{"r": "a", "c": "b", "s": status, "t": "x"}, {"r": "a", "c": "z", "s": "green", "t": "y"}]),
        row_col="r", col_col="c", status_col="s", text_col="t", status_labels={},
    )
    scale = fig.data[0].colorscale
    z = charts.STATUS_ORDER.index(status) / (len(charts.STATUS_ORDER) - 1)
    colour = next(c for pos, c in reversed(scale) if pos <= z + 1e-9)
    assert colour == charts.STATUS_COLORS[status]


def test_traffic_light_heatmap_all_empty_is_a_message():
    frame = matrix_frame().assign(status="none")
    fig = charts.traffic_light_heatmap(frame, row_col="dept", col_col="county", status_col="status",
                                       text_col="text", status_labels={}, empty_message="没有可计算的办件")
    assert not fig.data and fig.layout.annotations[0].text == "没有可计算的办件"


def test_empty_figure_is_never_blank():
    fig = charts.empty_figure("无数据")
    assert fig.layout.annotations[0].text == "无数据"
    assert fig.layout.xaxis.visible is False


@pytest.mark.parametrize(("name", "wrapped"), [
    ("人社局", "人社局"),
    ("自然资源和规划局", "自然资源和<br>规划局"),
    ("Qingcheng District", "Qingcheng<br>District"),
    ("", ""),
])
def test_wrap_label(name, wrapped):
    assert charts.wrap_label(name) == wrapped


def test_figures_serialise():
    for fig in (charts.ranking_bar(ranking_frame(), label_col="name", value_col="score", axis_title="x"),
                charts.traffic_light_heatmap(matrix_frame(), row_col="dept", col_col="county", status_col="status",
                                             text_col="text", status_labels={}),
                charts.empty_figure("x")):
        assert json.loads(fig.to_json())["layout"]["template"]["layout"]["font"]["family"] == charts.FONT_FAMILY


def test_rank_history_with_months_before_the_data():
    """A nullable rank column (Int64) holds pd.NA for months without a rank: a gap, never int(pd.NA)."""
    frame = pd.DataFrame({"month": ["2025-11", "2025-12", "2026-01", "2026-02"],
                          "rank": pd.array([pd.NA, pd.NA, 2, 1], dtype="Int64"),
                          "peers": pd.array([0, pd.NA, 2, 2], dtype="Int64")})
    fig = charts.rank_history_line(frame, x_col="month", rank_col="rank", peers_col="peers", axis_title="名次",
                                   empty_message="无数据")
    line = fig.data[0]
    assert list(line.y) == [None, None, 2, 1] and list(line.text) == ["", "", "2/2", "1/2"]
    assert line.connectgaps is False
    assert fig.layout.yaxis.range[0] == 2.7  # the worst rank (2 peers) at the bottom
    nothing = charts.rank_history_line(frame.assign(rank=pd.array([pd.NA] * 4, dtype="Int64")), x_col="month",
                                       rank_col="rank", peers_col="peers", axis_title="名次", empty_message="无数据")
    assert nothing.layout.annotations[0].text == "无数据"


@pytest.mark.parametrize("value", [None, math.nan, pd.NA, pd.NaT])
def test_missing_values_of_every_kind(value):
    assert charts.is_missing(value)


def test_heatmap_hover_reads_missing_bases_as_blank():
    frame = matrix_frame()
    frame["base"] = pd.array([10, 10, 10, 10, 10, pd.NA], dtype="Int64")
    fig = charts.traffic_light_heatmap(frame, row_col="dept", col_col="county", status_col="status",
                                       text_col="text", status_labels={"none": "无数据"}, hover_cols={"base": "基数"})
    assert fig.data[0].customdata[1][2] == ["无数据", ""]

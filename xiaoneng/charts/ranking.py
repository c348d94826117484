"""Units ranked by one value (the composite score): bars from zero, or dots when the values are close."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from xiaoneng.charts.convention import (
    GRID_COLOR,
    MUTED,
    PRIMARY,
    SELECTION_KEEPS_STYLE,
    TEXT_COLOR,
    apply_style,
    axis_from_title,
    bar_range,
    dot_axis_start,
    empty_figure,
    values_are_close,
)


def ranking_bar(frame: pd.DataFrame, *, label_col: str, value_col: str, axis_title: str,
                highlight_col: str | None = None, value_places: int = 1, value_max: float = 100.0,
                hover_label: str = "", empty_message: str = "", code_col: str | None = None,
                dots: bool | None = None, lang: str = "zh", row_px: int = 44) -> go.Figure:
    """The units in the frame's order, the first row at the top, each labelled with its value.

    Bars from zero up to ``value_max`` (the scale's top, e.g. 100 points); when the values are close
    (``values_are_close``) or ``dots`` asks for it (rates ranked against each other), dots on an axis
    starting under the lowest value, the axis title saying where (the convention). Rows without a value
    are left out (they cannot be ranked). When ``highlight_col`` marks some rows, those are drawn dark
    and the others light. With ``code_col`` each bar or dot carries its code first in ``customdata``,
    for click selection (``clicked_code``). ``row_px``: the height of a unit's row (less on A4).
    """
    data = frame[frame[value_col].notna()]
    if data.empty:
        return empty_figure(empty_message)
    highlighted = data[highlight_col].astype(bool) if highlight_col else pd.Series(False, index=data.index)
    colors = [PRIMARY if (h or not highlighted.any()) else MUTED for h in highlighted]
    labels = data[label_col].astype(str).tolist()
    values = data[value_col].astype(float).tolist()
    as_dots = values_are_close(values) if dots is None else dots
    common = {
        "x": values, "y": labels, "text": [f"{v:.{value_places}f}" for v in values], "cliponaxis": False,
        "textfont": {"size": 15, "color": TEXT_COLOR},
        "customdata": [[c] for c in data[code_col].astype(str)] if code_col else None,
        "hovertemplate": f"%{{y}}<br>{hover_label or axis_title}: %{{x:.{value_places}f}}<extra></extra>",
        **SELECTION_KEEPS_STYLE,  # without explicit selection styles plotly.js fails on a click on a labelled trace
    }
    fig = go.Figure()
    if as_dots:
        start = dot_axis_start(values)
        top = max(values)
        stems_x, stems_y = [], []
        for v, label in zip(values, labels, strict=True):
            stems_x += [start, v, None]
            stems_y += [label, label, None]
        fig.add_trace(go.Scatter(x=stems_x, y=stems_y, mode="lines", line={"color": GRID_COLOR, "width": 3},
                                 hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(mode="markers+text", marker={"size": 16, "color": colors}, textposition="middle right",
                                 **common))
        fig.update_xaxes(range=[start, top + (top - start) * 0.18], showgrid=True,
                         title={"text": axis_from_title(axis_title, start, lang)})
    else:
        fig.add_trace(go.Bar(orientation="h", marker={"color": colors, "line": {"width": 0}}, textposition="outside",
                             **common))
        fig.update_xaxes(range=bar_range(values, floor_top=value_max), rangemode="tozero",
                         title={"text": axis_title}, showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(bargap=0.28, showlegend=False, hovermode="closest")
    return apply_style(fig, height=max(200, row_px * len(labels) + 90))

"""绩效考核 Scorecard: each unit's composite score split into its indicators' points."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from xiaoneng.charts.convention import (
    AXIS_COLOR,
    SELECTION_KEEPS_STYLE,
    TEXT_COLOR,
    apply_style,
    empty_figure,
    score_places,
)

# One colour per weighted indicator of the composite score (ten at most), sober and told apart
# on a projector; the points a unit did not earn are drawn in a pale grey after them.
SCORECARD_COLORS = ["#1F4E79", "#4F81BD", "#2A9D8F", "#C98B2B", "#7B8794", "#A23B2A", "#6B4C9A", "#8C9A3B",
                    "#9CC3E6", "#3E6B48"]
SCORECARD_LOST_COLOR = "#EEF1F4"


def scorecard_contribution_bar(frame: pd.DataFrame, *, label_col: str, parts: dict[str, str],
                               hover_cols: dict[str, str] | None = None, total_col: str | None = None,
                               lost_label: str = "", lost_hover: str = "", axis_title: str = "",
                               highlight_col: str | None = None, empty_message: str = "",
                               code_col: str | None = None) -> go.Figure:
    """Stacked horizontal bars: each unit's composite score split into the points each indicator
    contributes, first row at the top, the total written at the end of the bar.

    ``parts`` maps contribution columns to legend labels (in stacking order); ``hover_cols`` maps a
    contribution column to a column of ready hover texts; ``lost_label`` adds the points not earned
    (100 − total) as a pale segment, ``lost_hover`` its hover line with ``{points}``. Rows whose
    total is missing are left out; highlighted rows get a bold label. With ``code_col`` each segment
    carries ``customdata`` = [code, contribution column (or "lost"), hover text] for click selection.
    """
    total_col = total_col or "_total"
    data = frame.assign(**({} if total_col in frame else {total_col: frame[list(parts)].sum(axis=1, min_count=1)}))
    data = data[data[total_col].notna()]
    if data.empty or not parts:
        return empty_figure(empty_message)
    highlighted = data[highlight_col].astype(bool) if highlight_col else pd.Series(False, index=data.index)
    labels = [f"<b>{name}</b>" if h else str(name) for name, h in zip(data[label_col], highlighted, strict=True)]
    hover_cols = hover_cols or {}
    codes = data[code_col].astype(str).tolist() if code_col else [None] * len(labels)
    fig = go.Figure()
    for i, (column, name) in enumerate(parts.items()):
        points = data[column].astype(float).fillna(0.0)
        hover = data[hover_cols[column]] if column in hover_cols else [f"{name}: {p:.1f}" for p in points]
        fig.add_trace(go.Bar(
            x=points, y=labels, orientation="h", name=name,
            marker={"color": SCORECARD_COLORS[i % len(SCORECARD_COLORS)], "line": {"width": 0}},
            customdata=[[c, column, h] for c, h in zip(codes, hover, strict=True)],
            hovertemplate="%{customdata[2]}<extra></extra>", **SELECTION_KEEPS_STYLE,
        ))
    totals = data[total_col].astype(float)
    if lost_label:
        lost = (100 - totals).clip(lower=0)
        fig.add_trace(go.Bar(
            x=lost, y=labels, orientation="h", name=lost_label,
            marker={"color": SCORECARD_LOST_COLOR, "line": {"color": AXIS_COLOR, "width": 0.5}},
            customdata=[[c, "lost", lost_hover.format(points=f"{v:.1f}") if lost_hover else f"{v:.1f}"]
                        for c, v in zip(codes, lost, strict=True)],
            hovertemplate="%{customdata[2]}<extra></extra>", **SELECTION_KEEPS_STYLE,
        ))
    end = [max(100.0, v) if lost_label else v for v in totals]
    places = score_places(totals)  # the ranking's decimals: two scores that differ never read the same
    fig.add_trace(go.Scatter(
        x=[e + 1.5 for e in end], y=labels, mode="text", text=[f"{v:.{places}f}" for v in totals],
        textposition="middle right", textfont={"size": 15, "color": TEXT_COLOR}, showlegend=False,
        hoverinfo="skip", cliponaxis=False,
    ))
    fig.update_xaxes(range=[0, 112], title={"text": axis_title}, showgrid=True, tickvals=[0, 20, 40, 60, 80, 100])
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(barmode="stack", bargap=0.3, legend={"traceorder": "normal"}, hovermode="closest")
    fig = apply_style(fig, height=max(260, 40 * len(labels) + 170))
    fig.update_layout(margin={"t": 90})
    return fig

"""按时办结与监察 (supervision page): the on-time trend per unit, the red and yellow lights, the backlog by age."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from xiaoneng.charts.convention import (
    COLORWAY,
    LIGHT_COLORS,
    TARGET_LABEL_FONT,
    TEXT_COLOR,
    add_target_line,
    apply_style,
    empty_figure,
    month_axis,
    month_label,
)

# Lines of the on-time trend: the report colours, then two more muted ones (at most 8 lines are drawn).
SUPERVISION_LINE_COLORS = [*COLORWAY, "#6B7F3A", "#8E6C8A", "#2F2F2F", "#B5651D"]


def supervision_trend_lines(frame: pd.DataFrame, *, x_col: str, y_col: str, group_col: str, code_col: str,
                            numerator_col: str, base_col: str, target: float | None, target_label: str,
                            x_title: str, y_title: str, numerator_label: str, base_label: str,
                            highlight_code: str | None = None, empty_message: str = "", lang: str = "zh") -> go.Figure:
    """One line per group over the months in ``x_col`` (keys such as 2026-05, labelled "2026年5月"), rates in %.

    Each point carries ``customdata`` = [code, month, numerator, base] so a click can be traced
    to its cases; months without a base are gaps. A dashed line marks the target. When
    ``highlight_code`` names a group, the other lines are drawn thin and faded.
    """
    if frame.empty or frame[y_col].notna().sum() == 0:
        return empty_figure(empty_message, height=380)
    months = list(dict.fromkeys(frame[x_col].astype(str)))
    fig = go.Figure()
    groups = list(dict.fromkeys(frame[code_col].astype(str)))
    for i, code in enumerate(groups):
        rows = frame[frame[code_col].astype(str) == code]
        name = str(rows[group_col].iloc[0])
        faded = highlight_code not in (None, "") and code != highlight_code
        color = SUPERVISION_LINE_COLORS[i % len(SUPERVISION_LINE_COLORS)]
        custom = [[code, m, int(n), int(b), month_label(m, lang)] for m, n, b in
                  zip(rows[x_col].astype(str), rows[numerator_col], rows[base_col], strict=True)]
        fig.add_trace(go.Scatter(
            x=rows[x_col].astype(str), y=rows[y_col].astype(float), name=name, mode="lines+markers",
            line={"color": color, "width": 1.5 if faded else 3}, marker={"size": 7 if faded else 9, "color": color},
            opacity=0.35 if faded else 1.0, connectgaps=False, customdata=custom,
            hovertemplate=(f"<b>{name}</b><br>%{{customdata[4]}}<br>{y_title}: %{{y:.1f}}%<br>{numerator_label}: "
                           f"%{{customdata[2]:,}} / {base_label}: %{{customdata[3]:,}}<extra></extra>"),
        ))
    values = frame[y_col].dropna().astype(float)
    low = min(values.min(), target if target is not None else values.min())
    if target is not None:
        # the target's label sits in the right margin, where no point can hide it
        add_target_line(fig, target)
        fig.add_annotation(x=1, xref="paper", xanchor="left", xshift=6, y=target, yref="y", showarrow=False,
                           text=target_label.replace(" ", "<br>", 1), font=TARGET_LABEL_FONT, align="left")
    fig.update_xaxes(**month_axis(months, lang), title={"text": x_title}, showgrid=False,
                     tickangle=0 if len(months) <= 7 else -45)
    fig.update_yaxes(range=[max(0.0, math.floor(low / 5) * 5 - 5), 101], ticksuffix="%", title={"text": y_title})
    fig.update_layout(showlegend=len(groups) > 1, hovermode="closest", margin={"t": 60, "r": 90})
    return apply_style(fig, height=420)


def supervision_light_bars(frame: pd.DataFrame, *, label_col: str, code_col: str, red_col: str, yellow_col: str,
                           red_name: str, yellow_name: str, axis_title: str, highlight_code: str | None = None,
                           empty_message: str = "") -> go.Figure:
    """Horizontal stacked bars of red and yellow cases per unit, in the frame's order (first on top).

    Each bar segment carries ``customdata`` = [code, "red" | "yellow"] for drill-through; when
    ``highlight_code`` is set, the other units' bars are faded.
    """
    if frame.empty or (frame[red_col] + frame[yellow_col]).sum() == 0:
        return empty_figure(empty_message)
    labels = frame[label_col].astype(str).tolist()
    codes = frame[code_col].astype(str).tolist()
    faded = [highlight_code not in (None, "") and c != highlight_code for c in codes]
    fig = go.Figure()
    for light, col, name in (("red", red_col, red_name), ("yellow", yellow_col, yellow_name)):
        values = frame[col].astype(int).tolist()
        fig.add_trace(go.Bar(
            x=values, y=labels, orientation="h", name=name,
            # no text inside the segments: plotly.js fails to restyle bar text when a click selects a
            # point ("reading 'textfont'"), and the click would not reach the page; counts are in the hover
            marker={"color": LIGHT_COLORS[light], "opacity": [0.3 if f else 1.0 for f in faded], "line": {"width": 0}},
            customdata=[[c, light] for c in codes],
            hovertemplate=f"%{{y}}<br>{name}: %{{x:,}}<extra></extra>",
        ))
    totals = (frame[red_col] + frame[yellow_col]).astype(int).tolist()
    fig.add_trace(go.Scatter(
        x=totals, y=labels, mode="text", text=[f"{v:,}" for v in totals], textposition="middle right",
        textfont={"size": 14, "color": TEXT_COLOR}, showlegend=False, hoverinfo="skip", cliponaxis=False,
    ))
    fig.update_xaxes(title={"text": axis_title}, range=[0, max(totals) * 1.15], showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    # red first in the legend, as in the bars
    fig.update_layout(barmode="stack", bargap=0.3, margin={"t": 50}, legend={"traceorder": "normal"})
    return apply_style(fig, height=max(260, 34 * len(labels) + 120))


def supervision_aging_bars(frame: pd.DataFrame, *, label_col: str, bucket_col: str,
                           series: list[tuple[str, str, str]], x_title: str, y_title: str,
                           highlight_bucket: int | None = None, empty_message: str = "") -> go.Figure:
    """Vertical stacked bars of open cases per age bucket, one segment per light.

    ``series`` lists (column, legend name, light) bottom-up; each segment carries ``customdata``
    = [bucket, light]. The bucket's total is written above its bar.
    """
    columns = [col for col, _, _ in series]
    if frame.empty or frame[columns].to_numpy().sum() == 0:
        return empty_figure(empty_message)
    labels = frame[label_col].astype(str).tolist()
    buckets = frame[bucket_col].astype(int).tolist()
    faded = [highlight_bucket is not None and b != highlight_bucket for b in buckets]
    fig = go.Figure()
    for col, name, light in series:
        values = frame[col].astype(int).tolist()
        fig.add_trace(go.Bar(
            x=labels, y=values, name=name,
            marker={"color": LIGHT_COLORS[light], "opacity": [0.3 if f else 1.0 for f in faded], "line": {"width": 0}},
            customdata=[[b, light] for b in buckets],
            hovertemplate=f"%{{x}}<br>{name}: %{{y:,}}<extra></extra>",
        ))
    totals = frame[columns].sum(axis=1).astype(int).tolist()
    fig.add_trace(go.Scatter(
        x=labels, y=totals, mode="text", text=[f"{v:,}" for v in totals], textposition="top center",
        textfont={"size": 15, "color": TEXT_COLOR}, showlegend=False, hoverinfo="skip", cliponaxis=False,
    ))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, title={"text": x_title},
                     showgrid=False)
    fig.update_yaxes(title={"text": y_title}, range=[0, max(totals) * 1.18], showgrid=True)
    fig.update_layout(barmode="stack", bargap=0.35, margin={"t": 50})
    return apply_style(fig, height=400)

"""审批时效 Approval times: elapsed working days, per unit, per item against its limits, per step."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from xiaoneng.charts.convention import (
    AXIS_COLOR,
    COLORWAY,
    MUTED,
    MUTED_TEXT,
    PRIMARY,
    STATUS_COLORS,
    TEXT_COLOR,
    apply_style,
    count_ticks,
    empty_figure,
    is_missing,
    wrap_label,
)


def approval_histogram(bins: pd.DataFrame, *, median: float | None, p90: float | None, x_title: str,
                       y_title: str, median_label: str, p90_label: str, tail_label: str,
                       empty_message: str) -> go.Figure:
    """Cases per elapsed working day (``bins``: ``elapsed_wd``, ``cases``, ``is_tail``), with the
    median and P90 marked by vertical lines. The tail bar (``is_tail``) holds every longer case and is
    labelled ``tail_label`` with ``{days}`` filled in (e.g. "≥{days}")."""
    if bins.empty or int(bins["cases"].sum()) == 0:
        return empty_figure(empty_message)
    days = bins["elapsed_wd"].astype(int).tolist()
    tails = bins["is_tail"].astype(bool).tolist()
    labels = [tail_label.format(days=d) if tail else str(d) for d, tail in zip(days, tails, strict=True)]
    fig = go.Figure(go.Bar(
        x=days, y=bins["cases"].tolist(), customdata=labels,
        marker={"color": [COLORWAY[4] if tail else PRIMARY for tail in tails], "line": {"width": 0}},
        hovertemplate=f"{x_title}: %{{customdata}}<br>{y_title}: %{{y:,}}<extra></extra>",
    ))
    step = 1 if len(days) <= 25 else 5
    ticks = [d for i, d in enumerate(days) if d % step == 0 or tails[i]]
    fig.update_xaxes(tickvals=ticks, ticktext=[labels[days.index(d)] for d in ticks], title={"text": x_title},
                     showgrid=False, range=[min(days) - 0.6, max(days) + 0.6])
    fig.update_yaxes(title={"text": y_title}, showgrid=True, rangemode="tozero",
                     **count_ticks(float(bins["cases"].max())))
    last = max(days)
    # the median to the left of its line, the P90 to the right: close values do not overprint
    for value, label, position, colour in ((median, median_label, "top left", COLORWAY[2]),
                                           (p90, p90_label, "top right", COLORWAY[5])):
        if value is None or is_missing(value):
            continue
        # dotted: a dashed line is a target (the convention)
        fig.add_vline(x=min(float(value), last), line={"color": colour, "width": 2, "dash": "dot"},
                      annotation={"text": f"{label} {value:.1f}", "font": {"size": 15, "color": colour},
                                  "bgcolor": "rgba(255,255,255,0.85)"},
                      annotation_position=position)
    fig.update_layout(bargap=0.12, showlegend=False, margin={"t": 44})
    return apply_style(fig, height=380)


def approval_unit_bars(frame: pd.DataFrame, *, label_col: str, code_col: str, median_col: str, p90_col: str,
                       median_name: str, p90_name: str, axis_title: str, empty_message: str,
                       selected_code: str | None = None, places: int = 1) -> go.Figure:
    """Median and P90 side by side per unit, in the frame's order (first row on top). Each bar carries
    its unit's code first in ``customdata`` (for click selection); when ``selected_code`` is set, the
    other units are drawn faint."""
    data = frame[frame[p90_col].notna()]
    if data.empty:
        return empty_figure(empty_message)
    labels = data[label_col].astype(str).tolist()
    codes = data[code_col].astype(str).tolist()
    opacity = [1.0 if selected_code in (None, c) else 0.3 for c in codes]
    fig = go.Figure()
    for column, name, colour in ((median_col, median_name, COLORWAY[1]), (p90_col, p90_name, PRIMARY)):
        values = data[column].astype(float).tolist()
        fig.add_trace(go.Bar(
            x=values, y=labels, name=name, orientation="h", customdata=[[c] for c in codes],
            marker={"color": colour, "opacity": opacity, "line": {"width": 0}},
            text=[f"{v:.{places}f}" for v in values], textposition="outside", cliponaxis=False,
            textfont={"size": 14, "color": TEXT_COLOR},
            # explicit selection styles: without them plotly.js fails on a click (reading 'textfont')
            selected={"marker": {"opacity": 1.0}, "textfont": {"color": TEXT_COLOR}},
            unselected={"marker": {"opacity": 0.3}, "textfont": {"color": MUTED_TEXT}},
            hovertemplate=f"%{{y}}<br>{name}: %{{x:.{places}f}} {axis_title}<extra></extra>",
        ))
    top = float(data[p90_col].max())
    fig.update_xaxes(range=[0, max(top, 1.0) * 1.12], title={"text": axis_title}, showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05, clickmode="event+select")
    return apply_style(fig, height=max(240, 46 * len(labels) + 110))


def approval_limits_chart(frame: pd.DataFrame, *, label_col: str, code_col: str, median_col: str, p90_col: str,
                          promised_col: str, legal_col: str, names: dict[str, str], axis_title: str,
                          empty_message: str, selected_code: str | None = None) -> go.Figure:
    """Per item (one row each, first row on top): the actual median and P90 elapsed working days as
    dots joined by a line, against the promised limit and the legal limit as ticks. ``names`` labels
    the four series (keys median, p90, promised, legal); the item code is first in ``customdata``."""
    data = frame[frame[p90_col].notna()]
    if data.empty:
        return empty_figure(empty_message)
    labels = [wrap_label(str(n), 12) for n in data[label_col]]
    codes = data[code_col].astype(str).tolist()
    custom = [[c, str(n)] for c, n in zip(codes, data[label_col], strict=True)]
    opacity = [1.0 if selected_code in (None, c) else 0.3 for c in codes]
    median = data[median_col].astype(float).tolist()
    p90 = data[p90_col].astype(float).tolist()
    fig = go.Figure()
    range_x, range_y = [], []
    for lo, hi, label in zip(median, p90, labels, strict=True):
        range_x += [lo, hi, None]
        range_y += [label, label, None]
    fig.add_trace(go.Scatter(x=range_x, y=range_y, mode="lines", line={"color": AXIS_COLOR, "width": 3},
                             hoverinfo="skip", showlegend=False))
    series = (
        # an open symbol is drawn in marker.color (line.color is ignored)
        (legal_col, "legal", {"symbol": "line-ns-open", "size": 26, "color": COLORWAY[4], "line": {"width": 3}}),
        (promised_col, "promised", {"symbol": "line-ns-open", "size": 26, "color": COLORWAY[3],
                                    "line": {"width": 4}}),
        (median_col, "median", {"symbol": "circle", "size": 13, "color": COLORWAY[1], "opacity": opacity}),
        (p90_col, "p90", {"symbol": "circle", "size": 15, "color": STATUS_COLORS["red"], "opacity": opacity}),
    )
    for column, key, marker in series:
        values = [None if is_missing(v) or v is pd.NA else float(v) for v in data[column].tolist()]
        fig.add_trace(go.Scatter(
            x=values, y=labels, mode="markers", name=names[key], marker=marker, customdata=custom,
            hovertemplate=f"%{{customdata[1]}}<br>{names[key]}: %{{x:.1f}} {axis_title}<extra></extra>",
        ))
    limits = [v for v in (*data[legal_col].tolist(), *p90) if not (is_missing(v) or v is pd.NA)]
    fig.update_xaxes(range=[-0.5, max(max(limits), 1.0) * 1.08], title={"text": axis_title}, showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=True)
    fig.update_layout(clickmode="event+select", hovermode="closest")
    lines = max(label.count("<br>") + 1 for label in labels)
    return apply_style(fig, height=max(260, (34 + 14 * lines) * len(labels) + 110))


def approval_step_bars(frame: pd.DataFrame, *, label_col: str, within_col: str, over_col: str,
                       names: dict[str, str], axis_title: str, empty_message: str,
                       hover_cols: dict[str, str] | None = None) -> go.Figure:
    """Working days late cases spent per step (or post), in the frame's order (first on top), split
    into the days within the step's limit and the days over it (red, labelled). ``names`` labels the
    two parts (keys within, over); ``hover_cols`` maps further columns to hover labels."""
    if frame.empty or int(frame[within_col].sum() + frame[over_col].sum()) == 0:
        return empty_figure(empty_message)
    labels = frame[label_col].astype(str).tolist()
    hover_cols = hover_cols or {}
    custom = frame[list(hover_cols)].to_numpy().tolist() if hover_cols else None
    extra = "".join(f"<br>{label}: %{{customdata[{i}]:,}}" for i, label in enumerate(hover_cols.values()))
    fig = go.Figure()
    for column, key, colour in ((within_col, "within", MUTED), (over_col, "over", STATUS_COLORS["red"])):
        values = frame[column].astype(float).tolist()
        fig.add_trace(go.Bar(
            x=values, y=labels, name=names[key], orientation="h", customdata=custom,
            marker={"color": colour, "line": {"width": 0}},
            text=[f"{v:,.0f}" if key == "over" and v else "" for v in values],
            textposition="outside" if key == "over" else "none", cliponaxis=False,
            textfont={"size": 15, "color": STATUS_COLORS["red"]},
            hovertemplate=f"%{{y}}<br>{names[key]}: %{{x:,.0f}}{extra}<extra></extra>",
        ))
    total = (frame[within_col] + frame[over_col]).astype(float)
    fig.update_xaxes(range=[0, max(float(total.max()), 1.0) * 1.12], title={"text": axis_title}, showgrid=True,
                     **count_ticks(float(total.max())))
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(barmode="stack", bargap=0.3)
    return apply_style(fig, height=max(240, 52 * len(labels) + 110))

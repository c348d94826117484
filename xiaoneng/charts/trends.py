"""Month-by-month lines: a unit's rank and rate against its peers, the Overview's small multiples."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from xiaoneng.charts.convention import (
    MUTED_TEXT,
    PRIMARY,
    SELECTION_KEEPS_STYLE,
    TEXT_COLOR,
    add_target_line,
    apply_style,
    count_ticks,
    empty_figure,
    is_missing,
    label_positions,
    month_axis,
    month_label,
    nice_ticks,
    ringed_markers,
)


def rank_history_line(frame: pd.DataFrame, *, x_col: str, rank_col: str, peers_col: str, axis_title: str,
                      empty_message: str, highlight_x: str | None = None, lang: str = "zh") -> go.Figure:
    """A unit's rank month by month (``x_col``: month keys, labelled in the month format), rank 1 at the
    top; each point labelled "rank/peers" and carrying its ``x`` first in ``customdata`` (click
    selection); ``highlight_x`` rings that month's point.
    A month without a rank (no data then, e.g. before the snapshot's data begin) is a gap."""
    if frame.empty or frame[rank_col].isna().all():
        return empty_figure(empty_message)
    ranks = [None if is_missing(r) else int(r) for r in frame[rank_col]]
    peers = [0 if is_missing(p) else int(p) for p in frame[peers_col]]
    xs = frame[x_col].astype(str).tolist()
    fig = go.Figure(go.Scatter(
        x=xs, y=ranks, mode="lines+markers+text", connectgaps=False,
        customdata=[[x, month_label(x, lang)] for x in xs],
        line={"color": PRIMARY, "width": 3}, marker=ringed_markers(xs, highlight_x, PRIMARY),
        text=["" if r is None else f"{r}/{p}" for r, p in zip(ranks, peers, strict=True)],
        textposition=label_positions(ranks, reversed_axis=True), textfont={"size": 13, "color": TEXT_COLOR},
        **SELECTION_KEEPS_STYLE,
        hovertemplate=f"%{{customdata[1]}}<br>{axis_title}: %{{text}}<extra></extra>", showlegend=False,
    ))
    worst = max([p for p in peers if p] or [1])
    fig.update_yaxes(range=[worst + 0.7, 0.3], dtick=1, title={"text": axis_title})
    fig.update_xaxes(**month_axis(xs, lang), showgrid=False)
    return apply_style(fig, height=360)


def unit_vs_peer_lines(frame: pd.DataFrame, *, x_col: str, unit_col: str, peer_col: str, unit_label: str,
                       peer_label: str, axis_title: str, empty_message: str, suffix: str = "%",
                       highlight_x: str | None = None, lang: str = "zh") -> go.Figure:
    """The unit's value against its peers' median, month by month (``x_col``: month keys, labelled in the
    month format; a gap where there is no value).
    Each point carries its ``x`` first in ``customdata`` (click selection); ``highlight_x`` rings the
    unit's point of that month."""
    if frame.empty or frame[unit_col].isna().all():
        return empty_figure(empty_message)
    xs = frame[x_col].astype(str).tolist()
    fig = go.Figure()
    for col, label, color, width, dash in ((peer_col, peer_label, MUTED_TEXT, 2, "dot"),
                                           (unit_col, unit_label, PRIMARY, 3, "solid")):
        marker = ringed_markers(xs, highlight_x, color, size=8) if col == unit_col else {"size": 8, "color": color}
        fig.add_trace(go.Scatter(
            x=xs, y=frame[col].astype(float), name=label, mode="lines+markers",
            customdata=[[x, month_label(x, lang)] for x in xs],
            connectgaps=False, line={"color": color, "width": width, "dash": dash}, marker=marker,
            hovertemplate=f"%{{customdata[1]}}<br>{label}: %{{y:.1f}}{suffix}<extra></extra>", **SELECTION_KEEPS_STYLE,
        ))
    fig.update_yaxes(title={"text": axis_title}, ticksuffix=suffix)
    fig.update_xaxes(**month_axis(xs, lang), showgrid=False)
    return apply_style(fig, height=360)




def small_multiple_lines(frame: pd.DataFrame, *, panel_col: str, title_col: str, subtitle_col: str, x_col: str,
                         y_col: str, text_col: str, target_col: str, suffix_col: str, places_col: str,
                         columns: int = 4, empty_message: str = "", lang: str = "zh",
                         row_height: int = 280) -> go.Figure:
    """One small line chart per panel, months along x, each on its own y-axis, the target dashed.

    ``frame`` is long: one row per panel and month, panels in the order they should appear (left to
    right, then down). Per panel (first row): the title, a subtitle (e.g. the target) in small type,
    the target value (or none), the tick suffix ("%" or "") and the value's decimals (0 = a count:
    whole-number ticks). The latest value (``text_col``, as people read it) stands in the panel's top
    right corner, above the data (the y-range leaves that band empty), never on the line; a point's
    hover gives its month and text. Months without a value are gaps. ``row_height``: pixels per row of
    panels (less on A4, where two panels a row must fit the page).
    """
    if frame.empty or frame[y_col].notna().sum() == 0:
        return empty_figure(empty_message, height=300)
    panels = list(dict.fromkeys(frame[panel_col]))
    first = frame.drop_duplicates(panel_col).set_index(panel_col)
    months = list(dict.fromkeys(frame[x_col].astype(str)))
    rows = -(-len(panels) // columns)
    titles = [f"<b>{first.loc[p, title_col]}</b><br><span style='font-size:13px;color:{MUTED_TEXT}'>"
              f"{first.loc[p, subtitle_col]}</span>" for p in panels]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.055,
                        vertical_spacing=0.42 / rows)
    fig.update_annotations(font={"size": 15, "color": TEXT_COLOR}, yshift=8)
    for i, panel in enumerate(panels):
        row, col = i // columns + 1, i % columns + 1
        data = frame[frame[panel_col] == panel]
        values = data[y_col].astype(float)
        latest = data[values.notna()].tail(1)
        fig.add_trace(go.Scatter(
            x=data[x_col].astype(str), y=values, mode="lines+markers", connectgaps=False,
            line={"color": PRIMARY, "width": 2.5},
            customdata=[[text, month_label(m, lang)] for text, m in zip(data[text_col], data[x_col].astype(str),
                                                                         strict=True)],
            marker={"size": [10 if m in set(latest[x_col].astype(str)) else 6 for m in data[x_col].astype(str)],
                    "color": PRIMARY, "opacity": 1.0, "line": {"width": 0}},
            hovertemplate="%{customdata[1]}<br>%{customdata[0]}<extra></extra>", showlegend=False,
        ), row=row, col=col)
        target = first.loc[panel, target_col]
        known = [*values.dropna()] + ([] if is_missing(target) else [float(target)])
        if not is_missing(target):
            add_target_line(fig, float(target), row=row, col=col)
        low, high = min(known), max(known)
        span = (high - low) or max(abs(high) * 0.1, 1.0)
        bottom, top = low - 0.12 * span, high + 0.5 * span  # the top band is the latest value's
        bottom = 0.0 if low >= 0 > bottom else bottom
        suffix = first.loc[panel, suffix_col]
        axis = {"range": [bottom, top], "ticksuffix": suffix, "tickfont": {"size": 13}}
        if int(first.loc[panel, places_col]) == 0 and not suffix:
            axis |= count_ticks(high)
        elif suffix == "%":  # no tick above 100 % in the headroom: a rate cannot get there
            values_at = nice_ticks(bottom, min(top, 100.0))
            axis |= {"tickvals": values_at, "ticktext": [f"{v:g}%" for v in values_at]}
        fig.update_yaxes(**axis, row=row, col=col)
        fig.update_xaxes(**month_axis(months, lang, every=3),  # every third month, ending with the latest
                         showgrid=False, tickangle=0, tickfont={"size": 13}, row=row, col=col)
        if not latest.empty:
            axis_id = "" if i == 0 else str(i + 1)
            fig.add_annotation(
                text=f"<b>{latest[text_col].iloc[0]}</b>", x=1, y=1, xref=f"x{axis_id} domain",
                yref=f"y{axis_id} domain", xanchor="right", yanchor="top", showarrow=False,
                font={"size": 16, "color": PRIMARY}, bgcolor="rgba(255,255,255,0.85)",
            )
    fig = apply_style(fig, height=row_height * rows + 70)
    fig.update_layout(margin={"t": 70, "l": 10, "r": 20, "b": 30}, hovermode="closest")
    return fig

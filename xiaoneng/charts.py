"""Figure builders: pure functions ``DataFrame -> go.Figure`` in one sober government-report style.

They take every text they show as an argument (no i18n lookups, no ``st.session_state``)
so a test, a page and the PowerPoint export get the same figure from the same data.
The style is made for a projector: a white ground, dark text of 15 px and more, a few
saturated colours with meaning (navy = the data, green/amber/red = against target).
"""

from __future__ import annotations

import math
import textwrap

import pandas as pd
import plotly.graph_objects as go

FONT_FAMILY = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
TEXT_COLOR = "#1F2933"
MUTED_TEXT = "#52606D"
GRID_COLOR = "#E4E7EB"
AXIS_COLOR = "#9AA5B1"

# Series colours, in order of use: navy, steel blue, teal, ochre, slate, brick.
COLORWAY = ["#1F4E79", "#4F81BD", "#2A9D8F", "#C98B2B", "#7B8794", "#A23B2A"]
PRIMARY = COLORWAY[0]
MUTED = "#B6C6D8"  # the not-highlighted bars

# Traffic lights against target; "none" = nothing to judge.
STATUS_COLORS = {"green": "#2E8B57", "amber": "#F2B233", "red": "#C8102E", "none": "#E9ECEF"}
STATUS_ORDER = ("none", "red", "amber", "green")  # z values 0..3 of the matrix heatmap


def government_template() -> go.layout.Template:
    """The report template; a new object per call, since plotly templates are mutable."""
    axis = {
        "gridcolor": GRID_COLOR, "linecolor": AXIS_COLOR, "zeroline": False, "ticks": "",
        "tickfont": {"size": 15, "color": TEXT_COLOR}, "title": {"font": {"size": 15, "color": MUTED_TEXT}},
        "automargin": True,
    }
    return go.layout.Template(layout={
        "font": {"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOR},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "colorway": COLORWAY,
        "title": {"font": {"size": 18, "color": TEXT_COLOR}, "x": 0, "xanchor": "left"},
        "xaxis": axis,
        "yaxis": axis,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": 14}},
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 14}, "bgcolor": "#FFFFFF",
                       "bordercolor": AXIS_COLOR},
        "margin": {"l": 10, "r": 30, "t": 30, "b": 30},
        "separators": ".,",
    })


def _apply_style(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(template=government_template(), height=height)
    return fig


def empty_figure(message: str, height: int = 240) -> go.Figure:
    """A figure that says why there is nothing to draw (never a blank plot)."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 16, "color": MUTED_TEXT})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _apply_style(fig, height)


def wrap_label(name: str, width: int = 5) -> str:
    """Break a long axis label into lines (``<br>``): CJK every ``width`` characters, other text at spaces."""
    if not name:
        return ""
    if " " in name:
        return "<br>".join(textwrap.wrap(name, width=max(width * 2, 10)))
    return "<br>".join(name[i:i + width] for i in range(0, len(name), width))


def ranking_bar(frame: pd.DataFrame, *, label_col: str, value_col: str, axis_title: str,
                highlight_col: str | None = None, value_places: int = 1, value_max: float = 100.0,
                hover_label: str = "", empty_message: str = "") -> go.Figure:
    """Horizontal bars in the frame's order, the first row at the top, each labelled with its value.

    Rows without a value are left out (they cannot be ranked). When ``highlight_col`` marks
    some rows, those are drawn dark and the others light.
    """
    data = frame[frame[value_col].notna()]
    if data.empty:
        return empty_figure(empty_message)
    highlighted = data[highlight_col].astype(bool) if highlight_col else pd.Series(False, index=data.index)
    colors = [PRIMARY if (h or not highlighted.any()) else MUTED for h in highlighted]
    labels = data[label_col].astype(str).tolist()
    values = data[value_col].astype(float).tolist()
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker={"color": colors, "line": {"width": 0}},
        text=[f"{v:.{value_places}f}" for v in values], textposition="outside", cliponaxis=False,
        textfont={"size": 15, "color": TEXT_COLOR},
        hovertemplate=f"%{{y}}<br>{hover_label or axis_title}: %{{x:.{value_places}f}}<extra></extra>",
    ))
    top = max(value_max, max(values))
    fig.update_xaxes(range=[0, top * 1.1], title={"text": axis_title}, showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(bargap=0.28, showlegend=False)
    return _apply_style(fig, height=max(200, 44 * len(labels) + 90))


def traffic_light_heatmap(frame: pd.DataFrame, *, row_col: str, col_col: str, status_col: str,
                          text_col: str, status_labels: dict[str, str], row_title: str = "",
                          col_title: str = "", hover_cols: dict[str, str] | None = None,
                          empty_message: str = "") -> go.Figure:
    """A rows × columns grid of traffic lights (green/amber/red/none) with each cell's text.

    ``frame`` is long: one row per cell, in the order rows and columns should appear.
    ``status_col`` holds one of STATUS_ORDER; ``hover_cols`` maps extra columns to hover labels.
    """
    if frame.empty or (frame[status_col] == "none").all():
        return empty_figure(empty_message)
    rows = list(dict.fromkeys(frame[row_col].astype(str)))
    cols = list(dict.fromkeys(frame[col_col].astype(str)))
    code = {s: i for i, s in enumerate(STATUS_ORDER)}
    cell = frame.assign(_row=frame[row_col].astype(str), _col=frame[col_col].astype(str))
    grid = cell.pivot(index="_row", columns="_col", values=status_col).reindex(index=rows, columns=cols)
    text = cell.pivot(index="_row", columns="_col", values=text_col).reindex(index=rows, columns=cols)
    z = [[code.get(s, 0) if isinstance(s, str) else 0 for s in r] for r in grid.to_numpy()]
    cell_text = [[s if isinstance(s, str) else "—" for s in r] for r in text.to_numpy()]

    hover_cols = hover_cols or {}
    by_cell = {(rec["_row"], rec["_col"]): rec for rec in cell.to_dict("records")}
    custom = []
    for r in rows:
        line = []
        for c in cols:
            rec = by_cell.get((r, c), {})
            extra = ["" if _missing(rec.get(k)) else rec.get(k) for k in hover_cols]
            line.append([status_labels.get(rec.get(status_col, "none"), ""), *extra])
        custom.append(line)
    hover = f"{row_title}: %{{y}}<br>{col_title}: %{{x}}<br>%{{text}} · %{{customdata[0]}}"
    for i, label in enumerate(hover_cols.values(), start=1):
        hover += f"<br>{label}: %{{customdata[{i}]}}"

    n = len(STATUS_ORDER) - 1
    scale = []
    for i, status in enumerate(STATUS_ORDER):
        lo, hi = max(0.0, (i - 0.5) / n), min(1.0, (i + 0.5) / n)
        scale += [[lo, STATUS_COLORS[status]], [hi, STATUS_COLORS[status]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[wrap_label(c) for c in cols], y=rows, text=cell_text, customdata=custom,
        texttemplate="%{text}", textfont={"size": 15}, colorscale=scale, zmin=0, zmax=n,
        showscale=False, xgap=3, ygap=3, hovertemplate=hover + "<extra></extra>",
    ))
    fig.update_xaxes(side="top", showgrid=False, tickangle=0, title={"text": ""})
    fig.update_yaxes(autorange="reversed", showgrid=False, title={"text": ""})
    wrapped_lines = max((wrap_label(c).count("<br>") + 1 for c in cols), default=1)
    return _apply_style(fig, height=max(220, 38 * len(rows) + 22 * wrapped_lines + 60))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))

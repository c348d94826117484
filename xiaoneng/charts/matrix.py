"""Grids of cells: the county × department traffic lights and the satisfaction score heatmap, each cell clickable."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from xiaoneng.charts.convention import (
    STATUS_COLORS,
    STATUS_ORDER,
    TEXT_COLOR,
    apply_style,
    empty_figure,
    is_missing,
    wrap_label,
    wrap_words,
)

# Below / at / above the middle of a diverging heatmap (soft enough for dark text on every cell).
SATISFACTION_DIVERGING = [[0.0, "#D9604C"], [0.5, "#F7F7F2"], [1.0, "#3F9A62"]]


def traffic_light_heatmap(frame: pd.DataFrame, *, row_col: str, col_col: str, status_col: str,
                          text_col: str, status_labels: dict[str, str], row_title: str = "",
                          col_title: str = "", hover_cols: dict[str, str] | None = None,
                          empty_message: str = "", code_col: str | None = None,
                          selected_code: str | None = None) -> go.Figure:
    """A rows × columns grid of traffic lights (green/amber/red/none) with each cell's text.

    ``frame`` is long: one row per cell, in the order rows and columns should appear.
    ``status_col`` holds one of STATUS_ORDER; ``hover_cols`` maps extra columns to hover labels.
    With ``code_col`` every cell can be clicked: plotly.js selects no heatmap point, so an invisible
    scatter point sits on each cell, carrying the cell's code first in ``customdata`` (``clicked_code``)
    and the hover; ``selected_code`` draws a frame round that cell.
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
            extra = ["" if is_missing(rec.get(k)) else rec.get(k) for k in hover_cols]
            line.append([status_labels.get(rec.get(status_col, "none"), ""), *extra])
        custom.append(line)

    def hover(first: int) -> str:
        """The hover text, reading the cell's customdata from position ``first`` on."""
        text = f"{row_title}: %{{y}}<br>{col_title}: %{{x}}<br>%{{text}} · %{{customdata[{first}]}}"
        for i, label in enumerate(hover_cols.values(), start=first + 1):
            text += f"<br>{label}: %{{customdata[{i}]}}"
        return text + "<extra></extra>"

    n = len(STATUS_ORDER) - 1
    scale = []
    for i, status in enumerate(STATUS_ORDER):
        lo, hi = max(0.0, (i - 0.5) / n), min(1.0, (i + 0.5) / n)
        scale += [[lo, STATUS_COLORS[status]], [hi, STATUS_COLORS[status]]]
    x_labels = [wrap_words(c) for c in cols]
    fig = go.Figure(go.Heatmap(
        z=z, x=x_labels, y=rows, text=cell_text, customdata=custom,
        texttemplate="%{text}", textfont={"size": 15}, colorscale=scale, zmin=0, zmax=n,
        showscale=False, xgap=3, ygap=3, hovertemplate=hover(0), hoverinfo="skip" if code_col else None,
    ))
    if code_col:
        add_cell_targets(fig, cell, rows, cols, x_labels, code_col, cell_text, custom, hover(1), selected_code)
    fig.update_xaxes(side="top", showgrid=False, tickangle=0, title={"text": ""})
    fig.update_yaxes(autorange="reversed", showgrid=False, title={"text": ""})
    wrapped_lines = max((wrap_label(c).count("<br>") + 1 for c in cols), default=1)
    return apply_style(fig, height=max(220, 38 * len(rows) + 22 * wrapped_lines + 60))


def add_cell_targets(fig: go.Figure, cell: pd.DataFrame, rows: list[str], cols: list[str], x_labels: list[str],
                      code_col: str, cell_text: list, custom: list, hover: str, selected_code: str | None) -> None:
    """One invisible point per cell of a heatmap, to click (``hover`` reads the customdata after the code).
    With no hover cut-off the nearest point answers, so a click anywhere in a cell picks that cell."""
    code_of = {(rec["_row"], rec["_col"]): str(rec[code_col]) for rec in cell.to_dict("records")}
    points = [(x_labels[j], r, cell_text[i][j], [code_of[(r, c)], *custom[i][j]])
              for i, r in enumerate(rows) for j, c in enumerate(cols) if (r, c) in code_of]
    xs, ys, texts, data = (list(v) for v in zip(*points, strict=True))
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", customdata=data, text=texts,
        marker={"symbol": "square", "size": 28, "color": "rgba(0,0,0,0)", "line": {"width": 0}},
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
        hovertemplate=hover, showlegend=False,
    ))
    fig.update_layout(hovermode="closest", hoverdistance=-1, clickmode="event+select")
    if selected_code in code_of.values():
        r, c = next(key for key, code in code_of.items() if code == selected_code)
        x, y = cols.index(c), rows.index(r)
        fig.add_shape(type="rect", x0=x - 0.5, x1=x + 0.5, y0=y - 0.5, y1=y + 0.5, xref="x", yref="y",
                      line={"color": TEXT_COLOR, "width": 4}, fillcolor="rgba(0,0,0,0)", layer="above")


def satisfaction_score_heatmap(frame: pd.DataFrame, *, row_col: str, col_col: str, value_col: str, text_col: str,
                               midpoint: float, empty_message: str, value_label: str,
                               hover_cols: dict[str, str] | None = None, code_col: str | None = None,
                               highlight_code: str | None = None) -> go.Figure:
    """A rows × columns grid of scores coloured red below ``midpoint`` and green above it (e.g. the
    target, or 0 for a change), with each cell's text. ``frame`` is long: one row per cell, in the
    order rows and columns should appear; a cell without a value stays white with "—". With
    ``code_col`` every cell can be clicked (``add_cell_targets``), its code first in ``customdata``;
    ``highlight_code`` frames the row whose cells carry that code (e.g. the clicked department)."""
    if frame.empty or frame[value_col].isna().all():
        return empty_figure(empty_message)
    rows = list(dict.fromkeys(frame[row_col].astype(str)))
    cols = list(dict.fromkeys(frame[col_col].astype(str)))
    cell = frame.assign(_row=frame[row_col].astype(str), _col=frame[col_col].astype(str))
    values = cell.pivot(index="_row", columns="_col", values=value_col).reindex(index=rows, columns=cols)
    texts = cell.pivot(index="_row", columns="_col", values=text_col).reindex(index=rows, columns=cols)
    z = [[None if is_missing(v) else float(v) for v in r] for r in values.to_numpy(dtype=object)]
    text = [[t if isinstance(t, str) else "—" for t in r] for r in texts.to_numpy(dtype=object)]
    hover_cols = hover_cols or {}
    by_cell = {(rec["_row"], rec["_col"]): rec for rec in cell.to_dict("records")}
    custom = [[["—" if is_missing(by_cell.get((r, c), {}).get(k)) else by_cell[(r, c)][k] for k in hover_cols]
               for c in cols] for r in rows]
    spread = max((abs(v - midpoint) for r in z for v in r if v is not None), default=1.0) or 1.0

    def hover(first: int) -> str:
        """The hover text, reading the cell's customdata from position ``first`` on."""
        return (f"%{{y}} · %{{x}}<br>{value_label}: %{{text}}"
                + "".join(f"<br>{label}: %{{customdata[{i}]}}" for i, label in enumerate(hover_cols.values(), first))
                + "<extra></extra>")

    x_labels = [wrap_words(c) for c in cols]
    fig = go.Figure(go.Heatmap(
        z=z, x=x_labels, y=rows, text=text, texttemplate="%{text}", textfont={"size": 15, "color": TEXT_COLOR},
        customdata=custom, colorscale=SATISFACTION_DIVERGING, zmin=midpoint - spread, zmax=midpoint + spread,
        showscale=False, xgap=3, ygap=3, hoverongaps=False, hovertemplate=hover(0),
        hoverinfo="skip" if code_col else None,
    ))
    if code_col:
        add_cell_targets(fig, cell, rows, cols, x_labels, code_col, text, custom, hover(1), None)
        framed = [i for i, r in enumerate(rows) if highlight_code not in (None, "")
                  and highlight_code in set(cell.loc[cell["_row"] == r, code_col].astype(str))]
        for i in framed:
            fig.add_shape(type="rect", x0=-0.5, x1=len(cols) - 0.5, y0=i - 0.5, y1=i + 0.5, xref="x", yref="y",
                          line={"color": TEXT_COLOR, "width": 3}, fillcolor="rgba(0,0,0,0)", layer="above")
    fig.update_xaxes(side="top", showgrid=False, tickangle=0, title={"text": ""})
    fig.update_yaxes(autorange="reversed", showgrid=False, title={"text": ""})
    return apply_style(fig, height=max(220, 36 * len(rows) + 110))

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
from plotly.subplots import make_subplots

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


# Selection styles that leave every point as drawn: the page redraws the clicked unit's highlight
# itself (its own state outlives Plotly's selection), and plotly.js fails on a click on a trace with
# text labels when the selection styles are missing.
SELECTION_KEEPS_STYLE = {"selected": {"marker": {"opacity": 1.0}, "textfont": {"color": TEXT_COLOR}},
                         "unselected": {"marker": {"opacity": 1.0}, "textfont": {"color": TEXT_COLOR}}}


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


def clicked_code(selection: object) -> str | None:
    """The code of the first point selected in a chart (Streamlit's Plotly selection state), or None.

    The chart builders put each point's code first in its ``customdata``; a deselection (double
    click) or a chart that was never clicked gives None.
    """
    if not selection:
        return None
    try:
        points = selection["selection"]["points"]
    except (KeyError, TypeError):
        points = getattr(getattr(selection, "selection", None), "points", None)
    for point in points or ():
        custom = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(custom, list | tuple) and custom:
            custom = custom[0]
        if isinstance(custom, str) and custom:
            return custom
    return None


def bar_axis_start(values, target: float | None = None) -> float:
    """Where a bar axis of scores or rates (0–100) starts: at zero, unless every value (and the
    target) lies above 50 — then 5 below the lowest, on a multiple of 5, so that differences of a
    point or two between counties stay visible. The axis title and value labels say the numbers."""
    numbers = [float(v) for v in values if v == v]
    if target is not None:
        numbers.append(float(target))
    if not numbers or min(numbers) <= 50 or max(numbers) > 100:
        return 0.0
    return float(max(0, (int(min(numbers)) // 5) * 5 - 5))


def ranking_bar(frame: pd.DataFrame, *, label_col: str, value_col: str, axis_title: str,
                highlight_col: str | None = None, value_places: int = 1, value_max: float = 100.0,
                hover_label: str = "", empty_message: str = "", code_col: str | None = None) -> go.Figure:
    """Horizontal bars in the frame's order, the first row at the top, each labelled with its value.

    Rows without a value are left out (they cannot be ranked). When ``highlight_col`` marks
    some rows, those are drawn dark and the others light. With ``code_col`` each bar carries its
    code first in ``customdata``, for click selection (``clicked_code``).
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
        customdata=[[c] for c in data[code_col].astype(str)] if code_col else None,
        **SELECTION_KEEPS_STYLE,  # without explicit selection styles plotly.js fails on a click on a labelled bar
        hovertemplate=f"%{{y}}<br>{hover_label or axis_title}: %{{x:.{value_places}f}}<extra></extra>",
    ))
    low = bar_axis_start(values)
    top = max(value_max, max(values)) if not low else max(values)
    fig.update_xaxes(range=[low, top + (top - low) * 0.1], title={"text": axis_title}, showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(bargap=0.28, showlegend=False)
    return _apply_style(fig, height=max(200, 44 * len(labels) + 90))


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
            extra = ["" if _missing(rec.get(k)) else rec.get(k) for k in hover_cols]
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
    x_labels = [_satisfaction_wrap(c) for c in cols]
    fig = go.Figure(go.Heatmap(
        z=z, x=x_labels, y=rows, text=cell_text, customdata=custom,
        texttemplate="%{text}", textfont={"size": 15}, colorscale=scale, zmin=0, zmax=n,
        showscale=False, xgap=3, ygap=3, hovertemplate=hover(0), hoverinfo="skip" if code_col else None,
    ))
    if code_col:
        _add_cell_targets(fig, cell, rows, cols, x_labels, code_col, cell_text, custom, hover(1), selected_code)
    fig.update_xaxes(side="top", showgrid=False, tickangle=0, title={"text": ""})
    fig.update_yaxes(autorange="reversed", showgrid=False, title={"text": ""})
    wrapped_lines = max((wrap_label(c).count("<br>") + 1 for c in cols), default=1)
    return _apply_style(fig, height=max(220, 38 * len(rows) + 22 * wrapped_lines + 60))


def _add_cell_targets(fig: go.Figure, cell: pd.DataFrame, rows: list[str], cols: list[str], x_labels: list[str],
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


def _missing(value) -> bool:
    """No value: None, NaN, or pandas' missing markers (pd.NA of nullable columns such as a rank, NaT)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def count_ticks(top: float) -> dict:
    """Axis settings for counts: whole numbers only (a small range would otherwise get ticks at
    0.5 steps, all labelled with the same rounded number)."""
    return {"tickformat": ",d", **({"dtick": 1} if top <= 8 else {})}


# ---------------------------------------------------------------- 审批时效 Approval times

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
        if value is None or _missing(value):
            continue
        fig.add_vline(x=min(float(value), last), line={"color": colour, "width": 2, "dash": "dash"},
                      annotation={"text": f"{label} {value:.1f}", "font": {"size": 15, "color": colour},
                                  "bgcolor": "rgba(255,255,255,0.85)"},
                      annotation_position=position)
    fig.update_layout(bargap=0.12, showlegend=False, margin={"t": 44})
    return _apply_style(fig, height=380)


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
    return _apply_style(fig, height=max(240, 46 * len(labels) + 110))


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
        values = [None if _missing(v) or v is pd.NA else float(v) for v in data[column].tolist()]
        fig.add_trace(go.Scatter(
            x=values, y=labels, mode="markers", name=names[key], marker=marker, customdata=custom,
            hovertemplate=f"%{{customdata[1]}}<br>{names[key]}: %{{x:.1f}} {axis_title}<extra></extra>",
        ))
    limits = [v for v in (*data[legal_col].tolist(), *p90) if not (_missing(v) or v is pd.NA)]
    fig.update_xaxes(range=[-0.5, max(max(limits), 1.0) * 1.08], title={"text": axis_title}, showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=True)
    fig.update_layout(clickmode="event+select", hovermode="closest")
    lines = max(label.count("<br>") + 1 for label in labels)
    return _apply_style(fig, height=max(260, (34 + 14 * lines) * len(labels) + 110))


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
    return _apply_style(fig, height=max(240, 52 * len(labels) + 110))


# ---------------------------------------------------------------- scorecard (绩效考核)

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
    fig.add_trace(go.Scatter(
        x=[e + 1.5 for e in end], y=labels, mode="text", text=[f"{v:.1f}" for v in totals],
        textposition="middle right", textfont={"size": 15, "color": TEXT_COLOR}, showlegend=False,
        hoverinfo="skip", cliponaxis=False,
    ))
    fig.update_xaxes(range=[0, 112], title={"text": axis_title}, showgrid=True, tickvals=[0, 20, 40, 60, 80, 100])
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(barmode="stack", bargap=0.3, legend={"traceorder": "normal"}, hovermode="closest")
    fig = _apply_style(fig, height=max(260, 40 * len(labels) + 170))
    fig.update_layout(margin={"t": 90})
    return fig


# ---------------------------------------------------------------- 满意度 Satisfaction and 督办 Supervised tasks

# 好差评 levels 5 (非常满意) … 1 (非常不满意): green for the good, grey for 基本满意, red for the bad.
SATISFACTION_LEVEL_COLORS = {5: "#1F6F43", 4: "#5AA469", 3: "#B8C2CC", 2: "#E07B39", 1: "#C8102E"}
# Below / at / above the middle of a diverging heatmap (soft enough for dark text on every cell).
SATISFACTION_DIVERGING = [[0.0, "#D9604C"], [0.5, "#F7F7F2"], [1.0, "#3F9A62"]]


def _satisfaction_hover(hover_cols: dict[str, str] | None, start: int = 0) -> str:
    return "".join(f"<br>{label}: %{{customdata[{i}]}}" for i, label in enumerate((hover_cols or {}).values(),
                                                                                   start=start))


def _satisfaction_custom(frame: pd.DataFrame, hover_cols: dict[str, str] | None) -> list | None:
    if not hover_cols:
        return None
    return [["—" if _missing(v) or v is pd.NA else (f"{v:,}" if isinstance(v, int) else v) for v in row]
            for row in frame[list(hover_cols)].astype(object).to_numpy().tolist()]


def satisfaction_level_bar(frame: pd.DataFrame, *, score_col: str, label_col: str, count_col: str, share_col: str,
                           axis_title: str, count_label: str, share_label: str, empty_message: str,
                           code_col: str | None = None, highlight_code: str | None = None) -> go.Figure:
    """Reviews per 好差评 level, one bar per row in the frame's order, each labelled with its count and
    share; coloured by ``score_col`` (SATISFACTION_LEVEL_COLORS). With ``code_col`` each bar carries
    its code first in ``customdata`` (click selection); ``highlight_code`` draws the other bars pale."""
    if frame.empty or int(frame[count_col].sum()) == 0:
        return empty_figure(empty_message)
    counts = frame[count_col].astype(int).tolist()
    shares = frame[share_col].astype(float).tolist()
    labels = frame[label_col].astype(str).tolist()
    codes = frame[code_col].astype(str).tolist() if code_col else [None] * len(frame)
    colours = focus_colours([SATISFACTION_LEVEL_COLORS.get(int(s), PRIMARY) for s in frame[score_col]], codes,
                            highlight_code)
    fig = go.Figure(go.Bar(
        x=labels, y=counts, customdata=[[c, s] for c, s in zip(codes, shares, strict=True)],
        marker={"color": colours, "line": {"width": 0}},
        text=[f"{c:,}<br>{s:.1f}%" for c, s in zip(counts, shares, strict=True)], textposition="outside",
        cliponaxis=False, textfont={"size": 15, "color": TEXT_COLOR}, **SELECTION_KEEPS_STYLE,
        hovertemplate=f"%{{x}}<br>{count_label}: %{{y:,}}<br>{share_label}: %{{customdata[1]:.1f}}%<extra></extra>",
    ))
    fig.update_xaxes(showgrid=False, title={"text": ""})
    fig.update_yaxes(title={"text": axis_title}, showgrid=True, range=[0, max(counts) * 1.28],
                     **count_ticks(max(counts)))
    fig.update_layout(bargap=0.35, showlegend=False, margin={"t": 20})
    return _apply_style(fig, height=380)


def _satisfaction_meets(value: float, target: float | None, better: str) -> bool | None:
    if target is None or better not in ("higher", "lower"):
        return None
    return value >= target if better == "higher" else value <= target


def satisfaction_rate_dots(frame: pd.DataFrame, *, label_col: str, value_col: str, axis_title: str,
                           target: float | None, target_label: str, better: str, empty_message: str,
                           hover_cols: dict[str, str] | None = None, places: int = 1, code_col: str | None = None,
                           highlight_code: str | None = None) -> go.Figure:
    """A rate (in %) per row as a dot on a line from the axis, in the frame's order (first row on top),
    green where it meets ``target`` and red where it misses; the target is a dashed line. With
    ``code_col`` each dot carries its code first in ``customdata`` (click selection);
    ``highlight_code`` draws the other dots pale.

    Dots rather than bars: rates of 90–100 % differ by a few points, which bars starting at zero
    would hide, and bars starting anywhere else would exaggerate."""
    data = frame[frame[value_col].notna()]
    if data.empty:
        return empty_figure(empty_message)
    labels = data[label_col].astype(str).tolist()
    values = data[value_col].astype(float).tolist()
    bounds = [*values, *([target] if target is not None else [])]
    low, high = min(bounds), max(bounds)
    pad = max((high - low) * 0.12, 0.5)
    x_min, x_max = max(0.0, low - pad), high + 2.6 * pad  # room on the right for the value labels
    colors = []
    for v in values:
        met = _satisfaction_meets(v, target, better)
        colors.append(PRIMARY if met is None else STATUS_COLORS["green" if met else "red"])
    custom = _satisfaction_custom(data, hover_cols)
    if code_col:
        codes = data[code_col].astype(str).tolist()
        colors = focus_colours(colors, codes, highlight_code)
        custom = [[c, *row] for c, row in zip(codes, custom or [[] for _ in codes], strict=True)]
    stems_x, stems_y = [], []
    for v, label in zip(values, labels, strict=True):
        stems_x += [x_min, v, None]
        stems_y += [label, label, None]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=stems_x, y=stems_y, mode="lines", line={"color": GRID_COLOR, "width": 3},
                             hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(
        x=values, y=labels, mode="markers+text", marker={"size": 14, "color": colors},
        text=[f"{v:.{places}f}%" for v in values], textposition="middle right", cliponaxis=False,
        textfont={"size": 15, "color": TEXT_COLOR}, customdata=custom, **SELECTION_KEEPS_STYLE,
        hovertemplate=(f"%{{y}}<br>{axis_title}: %{{x:.{places}f}}%"
                       f"{_satisfaction_hover(hover_cols, start=1 if code_col else 0)}<extra></extra>"),
        showlegend=False,
    ))
    if target is not None:
        fig.add_vline(x=target, line={"color": MUTED_TEXT, "width": 1.5, "dash": "dash"}, layer="below",
                      annotation={"text": target_label, "font": {"size": 14, "color": MUTED_TEXT}},
                      annotation_position="top")
    fig.update_xaxes(range=[x_min, x_max], title={"text": axis_title}, showgrid=True, ticksuffix="%")
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(margin={"t": 40})
    return _apply_style(fig, height=max(220, 36 * len(labels) + 120))


def satisfaction_trend_line(frame: pd.DataFrame, *, x_col: str, value_col: str, axis_title: str,
                            target: float | None, target_label: str, empty_message: str,
                            tick_col: str | None = None, hover_cols: dict[str, str] | None = None,
                            places: int = 1, code_col: str | None = None,
                            highlight_code: str | None = None) -> go.Figure:
    """A rate (in %) per period in the frame's order, labelled at each point; a period without a
    value is a gap, not a zero. The target is a dashed line. ``tick_col`` holds shorter axis
    labels than ``x_col`` (which the hover shows). With ``code_col`` each point carries its code
    first in ``customdata`` (click selection); ``highlight_code`` rings that period's point."""
    if frame.empty or frame[value_col].isna().all():
        return empty_figure(empty_message)
    labels = frame[x_col].astype(str).tolist()
    values = [None if _missing(v) else float(v) for v in frame[value_col].tolist()]
    present = [v for v in values if v is not None]
    bounds = [*present, *([target] if target is not None else [])]
    low, high = min(bounds), max(bounds)
    pad = max((high - low) * 0.18, 0.5)
    custom = _satisfaction_custom(frame, hover_cols)
    ring = {"size": 9, "color": PRIMARY}
    if code_col:
        codes = frame[code_col].astype(str).tolist()
        custom = [[c, *row] for c, row in zip(codes, custom or [[] for _ in codes], strict=True)]
        ring = _ringed_markers(codes, highlight_code, PRIMARY)
    fig = go.Figure(go.Scatter(
        x=labels, y=values, mode="lines+markers+text", line={"color": PRIMARY, "width": 3},
        marker=ring, connectgaps=False,
        text=["" if v is None else f"{v:.{places}f}" for v in values], textposition="top center",
        textfont={"size": 13, "color": TEXT_COLOR}, customdata=custom, **SELECTION_KEEPS_STYLE,
        hovertemplate=(f"%{{x}}<br>{axis_title}: %{{y:.{places}f}}%"
                       f"{_satisfaction_hover(hover_cols, start=1 if code_col else 0)}<extra></extra>"),
        showlegend=False,
    ))
    if target is not None:
        fig.add_hline(y=target, line={"color": MUTED_TEXT, "width": 1.5, "dash": "dash"},
                      annotation={"text": target_label, "font": {"size": 14, "color": MUTED_TEXT}},
                      annotation_position="bottom right")
    ticks = frame[tick_col].astype(str).tolist() if tick_col else labels
    fig.update_xaxes(showgrid=False, type="category", tickangle=0, tickvals=labels, ticktext=ticks)
    fig.update_yaxes(range=[max(0.0, low - pad), min(100.0, high + pad) + pad * 0.5], title={"text": axis_title},
                     ticksuffix="%", tickformat=".1f", showgrid=True)
    fig.update_layout(margin={"t": 20})
    return _apply_style(fig, height=380)


def satisfaction_reason_bar(frame: pd.DataFrame, *, label_col: str, count_col: str, share_col: str,
                            axis_title: str, share_label: str, empty_message: str,
                            muted_col: str | None = None, code_col: str | None = None,
                            highlight_code: str | None = None) -> go.Figure:
    """Bad reviews per reason, horizontal, in the frame's order (first on top), labelled with the count
    and the share of all bad reviews; rows flagged in ``muted_col`` (e.g. "no reason given") light.
    With ``code_col`` each bar carries its code first in ``customdata`` (click selection);
    ``highlight_code`` draws the other bars pale."""
    if frame.empty or int(frame[count_col].sum()) == 0:
        return empty_figure(empty_message)
    labels = frame[label_col].astype(str).tolist()
    counts = frame[count_col].astype(int).tolist()
    shares = frame[share_col].astype(float).tolist()
    muted = frame[muted_col].astype(bool).tolist() if muted_col else [False] * len(labels)
    codes = frame[code_col].astype(str).tolist() if code_col else [None] * len(labels)
    colours = focus_colours([MUTED if m else PRIMARY for m in muted], codes, highlight_code)
    fig = go.Figure(go.Bar(
        x=counts, y=labels, orientation="h", customdata=[[c, s] for c, s in zip(codes, shares, strict=True)],
        marker={"color": colours, "line": {"width": 0}},
        text=[f"{c:,} · {s:.1f}%" for c, s in zip(counts, shares, strict=True)], textposition="outside",
        cliponaxis=False, textfont={"size": 15, "color": TEXT_COLOR}, **SELECTION_KEEPS_STYLE,
        hovertemplate=f"%{{y}}<br>{axis_title}: %{{x:,}}<br>{share_label}: %{{customdata[1]:.1f}}%<extra></extra>",
    ))
    fig.update_xaxes(range=[0, max(counts) * 1.3], title={"text": axis_title}, showgrid=True,
                     **count_ticks(max(counts)))
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(bargap=0.3, showlegend=False, margin={"t": 20})
    return _apply_style(fig, height=max(220, 38 * len(labels) + 90))


def outcome_stacked_bar(frame: pd.DataFrame, *, label_col: str, segments: list[tuple[str, str, str]],
                        axis_title: str, empty_message: str, note_col: str | None = None,
                        hover_cols: dict[str, str] | None = None, code_col: str | None = None,
                        highlight_code: str | None = None) -> go.Figure:
    """Counts by outcome per row, stacked horizontally in the frame's order (first row on top).

    ``segments`` lists (column, legend name, colour) from the left; the first segment starts at
    zero for every row, so put the outcome to compare at a glance first. ``note_col`` holds a text
    written after each bar (e.g. the rate); ``hover_cols`` maps further columns to hover labels.
    With ``code_col`` each segment carries ``customdata`` = [code, segment column, hover values…]
    (click selection); ``highlight_code`` draws the other rows pale.
    """
    columns = [c for c, _, _ in segments]
    if frame.empty or int(frame[columns].to_numpy().sum()) == 0:
        return empty_figure(empty_message)
    labels = frame[label_col].astype(str).tolist()
    custom = _satisfaction_custom(frame, hover_cols) or [[] for _ in labels]
    codes = frame[code_col].astype(str).tolist() if code_col else [None] * len(labels)
    extra = _satisfaction_hover(hover_cols, start=2)
    # the legend draws a bar's first colour: with a highlight that may be a faded one, so the
    # legend entries are then separate, empty traces in the segments' own colours
    proxies = highlight_code in codes and len(set(codes)) > 1
    fig = go.Figure()
    for column, name, colour in segments:
        values = frame[column].astype(int).tolist()
        colours = focus_colours([colour] * len(labels), codes, highlight_code)
        text_colours = [text_colour_on(c) for c in colours]
        fig.add_trace(go.Bar(
            x=values, y=labels, name=name, orientation="h", marker={"color": colours, "line": {"width": 0}},
            text=[f"{v:,}" if v else "" for v in values], textposition="inside", insidetextanchor="middle",
            textangle=0, textfont={"size": 14, "color": text_colours}, constraintext="inside",
            customdata=[[code, column, *row] for code, row in zip(codes, custom, strict=True)],
            # explicit selection styles: without them plotly.js fails on a click on a labelled bar
            selected={"marker": {"opacity": 1.0}, "textfont": {"color": text_colour_on(colour)}},
            unselected={"marker": {"opacity": 1.0}, "textfont": {"color": text_colour_on(colour)}},
            hovertemplate=f"%{{y}}<br>{name}: %{{x:,}}{extra}<extra></extra>",
            legendgroup=column, showlegend=not proxies,
        ))
    for column, name, colour in segments if proxies else ():
        fig.add_trace(go.Bar(x=[None], y=[None], name=name, orientation="h", marker={"color": colour},
                             legendgroup=column, hoverinfo="skip"))
    totals = frame[columns].sum(axis=1).astype(float).tolist()
    top = max(max(totals), 1.0)
    if note_col:
        fig.add_trace(go.Scatter(
            x=totals, y=labels, mode="text", text=[f"  {n}" for n in frame[note_col].astype(str)],
            textposition="middle right", textfont={"size": 14, "color": TEXT_COLOR}, cliponaxis=False,
            hoverinfo="skip", showlegend=False,
        ))
    fig.update_xaxes(range=[0, top * (1.32 if note_col else 1.05)], title={"text": axis_title}, showgrid=True,
                     **count_ticks(top))
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(barmode="stack", bargap=0.3, legend={"traceorder": "normal"}, hovermode="closest",
                      uniformtext={"minsize": 11, "mode": "hide"})
    fig = _apply_style(fig, height=max(240, 36 * len(labels) + 150))
    fig.update_layout(margin={"t": 60})
    return fig


def _satisfaction_wrap(label: str, width: int = 12) -> str:
    """Words onto lines of about ``width`` characters, never breaking a word (CJK labels stay whole)."""
    lines: list[str] = []
    for word in label.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def satisfaction_score_heatmap(frame: pd.DataFrame, *, row_col: str, col_col: str, value_col: str, text_col: str,
                               midpoint: float, empty_message: str, value_label: str,
                               hover_cols: dict[str, str] | None = None, code_col: str | None = None,
                               highlight_code: str | None = None) -> go.Figure:
    """A rows × columns grid of scores coloured red below ``midpoint`` and green above it (e.g. the
    target, or 0 for a change), with each cell's text. ``frame`` is long: one row per cell, in the
    order rows and columns should appear; a cell without a value stays white with "—". With
    ``code_col`` every cell can be clicked (``_add_cell_targets``), its code first in ``customdata``;
    ``highlight_code`` frames the row whose cells carry that code (e.g. the clicked department)."""
    if frame.empty or frame[value_col].isna().all():
        return empty_figure(empty_message)
    rows = list(dict.fromkeys(frame[row_col].astype(str)))
    cols = list(dict.fromkeys(frame[col_col].astype(str)))
    cell = frame.assign(_row=frame[row_col].astype(str), _col=frame[col_col].astype(str))
    values = cell.pivot(index="_row", columns="_col", values=value_col).reindex(index=rows, columns=cols)
    texts = cell.pivot(index="_row", columns="_col", values=text_col).reindex(index=rows, columns=cols)
    z = [[None if _missing(v) else float(v) for v in r] for r in values.to_numpy(dtype=object)]
    text = [[t if isinstance(t, str) else "—" for t in r] for r in texts.to_numpy(dtype=object)]
    hover_cols = hover_cols or {}
    by_cell = {(rec["_row"], rec["_col"]): rec for rec in cell.to_dict("records")}
    custom = [[["—" if _missing(by_cell.get((r, c), {}).get(k)) else by_cell[(r, c)][k] for k in hover_cols]
               for c in cols] for r in rows]
    spread = max((abs(v - midpoint) for r in z for v in r if v is not None), default=1.0) or 1.0

    def hover(first: int) -> str:
        """The hover text, reading the cell's customdata from position ``first`` on."""
        return (f"%{{y}} · %{{x}}<br>{value_label}: %{{text}}"
                + "".join(f"<br>{label}: %{{customdata[{i}]}}" for i, label in enumerate(hover_cols.values(), first))
                + "<extra></extra>")

    x_labels = [_satisfaction_wrap(c) for c in cols]
    fig = go.Figure(go.Heatmap(
        z=z, x=x_labels, y=rows, text=text, texttemplate="%{text}", textfont={"size": 15, "color": TEXT_COLOR},
        customdata=custom, colorscale=SATISFACTION_DIVERGING, zmin=midpoint - spread, zmax=midpoint + spread,
        showscale=False, xgap=3, ygap=3, hoverongaps=False, hovertemplate=hover(0),
        hoverinfo="skip" if code_col else None,
    ))
    if code_col:
        _add_cell_targets(fig, cell, rows, cols, x_labels, code_col, text, custom, hover(1), None)
        framed = [i for i, r in enumerate(rows) if highlight_code not in (None, "")
                  and highlight_code in set(cell.loc[cell["_row"] == r, code_col].astype(str))]
        for i in framed:
            fig.add_shape(type="rect", x0=-0.5, x1=len(cols) - 0.5, y0=i - 0.5, y1=i + 0.5, xref="x", yref="y",
                          line={"color": TEXT_COLOR, "width": 3}, fillcolor="rgba(0,0,0,0)", layer="above")
    fig.update_xaxes(side="top", showgrid=False, tickangle=0, title={"text": ""})
    fig.update_yaxes(autorange="reversed", showgrid=False, title={"text": ""})
    return _apply_style(fig, height=max(220, 36 * len(rows) + 110))


# ---------------------------------------------------------------- 按时办结与监察 (supervision page)

# Lines of the on-time trend: the report colours, then two more muted ones (at most 8 lines are drawn).
SUPERVISION_LINE_COLORS = [*COLORWAY, "#6B7F3A", "#8E6C8A", "#2F2F2F", "#B5651D"]
LIGHT_COLORS = {"red": STATUS_COLORS["red"], "yellow": STATUS_COLORS["amber"], "green": "#8FB8A8"}


def supervision_trend_lines(frame: pd.DataFrame, *, x_col: str, y_col: str, group_col: str, code_col: str,
                            numerator_col: str, base_col: str, target: float | None, target_label: str,
                            x_title: str, y_title: str, numerator_label: str, base_label: str,
                            highlight_code: str | None = None, empty_message: str = "") -> go.Figure:
    """One line per group over the months in ``x_col`` (category labels such as 2026-05), rates in %.

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
        custom = [[code, m, int(n), int(b)] for m, n, b in
                  zip(rows[x_col].astype(str), rows[numerator_col], rows[base_col], strict=True)]
        fig.add_trace(go.Scatter(
            x=rows[x_col].astype(str), y=rows[y_col].astype(float), name=name, mode="lines+markers",
            line={"color": color, "width": 1.5 if faded else 3}, marker={"size": 7 if faded else 9, "color": color},
            opacity=0.35 if faded else 1.0, connectgaps=False, customdata=custom,
            hovertemplate=(f"<b>{name}</b><br>%{{x}}<br>{y_title}: %{{y:.1f}}%<br>{numerator_label}: "
                           f"%{{customdata[2]:,}} / {base_label}: %{{customdata[3]:,}}<extra></extra>"),
        ))
    values = frame[y_col].dropna().astype(float)
    low = min(values.min(), target if target is not None else values.min())
    if target is not None:
        # the target's label sits in the right margin, where no point can hide it
        fig.add_hline(y=target, line={"color": STATUS_COLORS["red"], "width": 1.5, "dash": "dash"})
        fig.add_annotation(x=1, xref="paper", xanchor="left", xshift=6, y=target, yref="y", showarrow=False,
                           text=target_label.replace(" ", "<br>", 1),
                           font={"size": 14, "color": STATUS_COLORS["red"]}, align="left")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=months, title={"text": x_title},
                     showgrid=False, tickangle=0 if len(months) <= 13 else -45)
    fig.update_yaxes(range=[max(0.0, math.floor(low / 5) * 5 - 5), 101], ticksuffix="%", title={"text": y_title})
    fig.update_layout(showlegend=len(groups) > 1, hovermode="closest", margin={"t": 60, "r": 90})
    return _apply_style(fig, height=420)


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
    return _apply_style(fig, height=max(260, 34 * len(labels) + 120))


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
    return _apply_style(fig, height=400)


def label_positions(values: list[float | None], reversed_axis: bool = False) -> list[str]:
    """Where each point's label goes: below a dip (a point drawn under the mean of its neighbours;
    on a ``reversed_axis``, such as ranks, a larger value is drawn lower), above otherwise, so that no
    label sits on the line running into it. Missing values (None, NaN) are no neighbours."""
    def present(v) -> bool:
        return v is not None and v == v

    positions = []
    for i, value in enumerate(values):
        neighbours = [v for v in values[max(0, i - 1):i] + values[i + 1:i + 2] if present(v)]
        mean = sum(neighbours) / len(neighbours) if neighbours else None
        dip = present(value) and mean is not None and (value > mean if reversed_axis else value < mean)
        positions.append("bottom center" if dip else "top center")
    return positions


def rank_history_line(frame: pd.DataFrame, *, x_col: str, rank_col: str, peers_col: str, axis_title: str,
                      empty_message: str, highlight_x: str | None = None) -> go.Figure:
    """A unit's rank month by month, rank 1 at the top; each point labelled "rank/peers" and carrying
    its ``x`` first in ``customdata`` (click selection); ``highlight_x`` rings that month's point.
    A month without a rank (no data then, e.g. before the snapshot's data begin) is a gap."""
    if frame.empty or frame[rank_col].isna().all():
        return empty_figure(empty_message)
    ranks = [None if _missing(r) else int(r) for r in frame[rank_col]]
    peers = [0 if _missing(p) else int(p) for p in frame[peers_col]]
    xs = frame[x_col].astype(str).tolist()
    fig = go.Figure(go.Scatter(
        x=xs, y=ranks, mode="lines+markers+text", connectgaps=False, customdata=[[x] for x in xs],
        line={"color": PRIMARY, "width": 3}, marker=_ringed_markers(xs, highlight_x, PRIMARY),
        text=["" if r is None else f"{r}/{p}" for r, p in zip(ranks, peers, strict=True)],
        textposition=label_positions(ranks, reversed_axis=True), textfont={"size": 13, "color": TEXT_COLOR},
        **SELECTION_KEEPS_STYLE,
        hovertemplate=f"%{{x}}<br>{axis_title}: %{{text}}<extra></extra>", showlegend=False,
    ))
    worst = max([p for p in peers if p] or [1])
    fig.update_yaxes(range=[worst + 0.7, 0.3], dtick=1, title={"text": axis_title})
    fig.update_xaxes(type="category", showgrid=False)
    return _apply_style(fig, height=360)


def unit_vs_peer_lines(frame: pd.DataFrame, *, x_col: str, unit_col: str, peer_col: str, unit_label: str,
                       peer_label: str, axis_title: str, empty_message: str, suffix: str = "%",
                       highlight_x: str | None = None) -> go.Figure:
    """The unit's value against its peers' median, month by month (a gap where there is no value).
    Each point carries its ``x`` first in ``customdata`` (click selection); ``highlight_x`` rings the
    unit's point of that month."""
    if frame.empty or frame[unit_col].isna().all():
        return empty_figure(empty_message)
    xs = frame[x_col].astype(str).tolist()
    fig = go.Figure()
    for col, label, color, width, dash in ((peer_col, peer_label, MUTED_TEXT, 2, "dash"),
                                           (unit_col, unit_label, PRIMARY, 3, "solid")):
        marker = _ringed_markers(xs, highlight_x, color, size=8) if col == unit_col else {"size": 8, "color": color}
        fig.add_trace(go.Scatter(
            x=xs, y=frame[col].astype(float), name=label, mode="lines+markers", customdata=[[x] for x in xs],
            connectgaps=False, line={"color": color, "width": width, "dash": dash}, marker=marker,
            hovertemplate=f"%{{x}}<br>{label}: %{{y:.1f}}{suffix}<extra></extra>", **SELECTION_KEEPS_STYLE,
        ))
    fig.update_yaxes(title={"text": axis_title}, ticksuffix=suffix)
    fig.update_xaxes(type="category", showgrid=False)
    return _apply_style(fig, height=360)


# ---------------------------------------------------------------- 总览 Overview: trend small multiples

def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2 or 5 × 10ⁿ) from ``low`` to ``high``."""
    raw = max(high - low, 1e-9) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def small_multiple_lines(frame: pd.DataFrame, *, panel_col: str, title_col: str, subtitle_col: str, x_col: str,
                         y_col: str, text_col: str, target_col: str, suffix_col: str, places_col: str,
                         columns: int = 4, empty_message: str = "") -> go.Figure:
    """One small line chart per panel, months along x, each on its own y-axis, the target dashed.

    ``frame`` is long: one row per panel and month, panels in the order they should appear (left to
    right, then down). Per panel (first row): the title, a subtitle (e.g. the target) in small type,
    the target value (or none), the tick suffix ("%" or "") and the value's decimals (0 = a count:
    whole-number ticks). The latest value (``text_col``, as people read it) stands in the panel's top
    right corner, above the data (the y-range leaves that band empty), never on the line; a point's
    hover gives its month and text. Months without a value are gaps.
    """
    if frame.empty or frame[y_col].notna().sum() == 0:
        return empty_figure(empty_message, height=300)
    panels = list(dict.fromkeys(frame[panel_col]))
    first = frame.drop_duplicates(panel_col).set_index(panel_col)
    months = list(dict.fromkeys(frame[x_col].astype(str)))
    ticks = months[::-3][::-1]  # every third month, ending with the latest
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
            line={"color": PRIMARY, "width": 2.5}, customdata=data[text_col],
            marker={"size": [10 if m in set(latest[x_col].astype(str)) else 6 for m in data[x_col].astype(str)],
                    "color": PRIMARY, "opacity": 1.0, "line": {"width": 0}},
            hovertemplate="%{x}<br>%{customdata}<extra></extra>", showlegend=False,
        ), row=row, col=col)
        target = first.loc[panel, target_col]
        known = [*values.dropna()] + ([] if _missing(target) else [float(target)])
        if not _missing(target):
            fig.add_hline(y=float(target), line={"color": STATUS_COLORS["red"], "width": 1.5, "dash": "dash"},
                          row=row, col=col)
        low, high = min(known), max(known)
        span = (high - low) or max(abs(high) * 0.1, 1.0)
        bottom, top = low - 0.12 * span, high + 0.5 * span  # the top band is the latest value's
        bottom = 0.0 if low >= 0 > bottom else bottom
        suffix = first.loc[panel, suffix_col]
        axis = {"range": [bottom, top], "ticksuffix": suffix, "tickfont": {"size": 13}}
        if int(first.loc[panel, places_col]) == 0 and not suffix:
            axis |= count_ticks(high)
        elif suffix == "%":  # no tick above 100 % in the headroom: a rate cannot get there
            values_at = _nice_ticks(bottom, min(top, 100.0))
            axis |= {"tickvals": values_at, "ticktext": [f"{v:g}%" for v in values_at]}
        fig.update_yaxes(**axis, row=row, col=col)
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=months, tickvals=ticks,
                         showgrid=False, tickangle=0, tickfont={"size": 13}, row=row, col=col)
        if not latest.empty:
            axis_id = "" if i == 0 else str(i + 1)
            fig.add_annotation(
                text=f"<b>{latest[text_col].iloc[0]}</b>", x=1, y=1, xref=f"x{axis_id} domain",
                yref=f"y{axis_id} domain", xanchor="right", yanchor="top", showarrow=False,
                font={"size": 16, "color": PRIMARY}, bgcolor="rgba(255,255,255,0.85)",
            )
    fig = _apply_style(fig, height=280 * rows + 70)
    fig.update_layout(margin={"t": 70, "l": 10, "r": 20, "b": 30}, hovermode="closest")
    return fig


# ---------------------------------------------------------------- cross-filtering on the analysis pages

def point_customdata(point: dict) -> list:
    """A clicked point's ``customdata`` (from Streamlit's Plotly selection) as a list: the chart
    builders put the clicked unit's code first. [] for a point without any."""
    data = point.get("customdata") if isinstance(point, dict) else None
    if data is None:
        return []
    return list(data) if isinstance(data, list | tuple) else [data]


def faded(colour: str, keep: float = 0.3) -> str:
    """``colour`` (#RRGGBB) mixed with white, ``keep`` of it left: a unit outside the focus."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02X}" for c in rgb)


def focus_colours(colours: list[str], codes: list, highlight_code: str | None) -> list[str]:
    """The colours of the points whose code is not ``highlight_code`` faded (none when nothing is
    highlighted, or the highlighted code is not drawn: then nothing would stand out)."""
    if highlight_code in (None, "") or highlight_code not in codes:
        return list(colours)
    return [c if code == highlight_code else faded(c) for c, code in zip(colours, codes, strict=True)]


def text_colour_on(colour: str) -> str:
    """White on a dark fill, the report's text colour on a light one (labels inside bars)."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "#FFFFFF" if 0.299 * r + 0.587 * g + 0.114 * b < 0.6 else TEXT_COLOR


def _ringed_markers(codes: list[str], highlight_code: str | None, colour: str, size: int = 9) -> dict:
    """Markers of a line, the one of ``highlight_code`` larger with an amber ring (the clicked period)."""
    picked = [highlight_code not in (None, "") and c == highlight_code for c in codes]
    return {"size": [size + 7 if p else size for p in picked], "color": colour,
            "line": {"width": [3 if p else 0 for p in picked], "color": STATUS_COLORS["amber"]}}

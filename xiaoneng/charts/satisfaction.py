"""满意度 Satisfaction and 督办 supervised tasks: 好差评 levels, rates against target, reasons, outcomes."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from xiaoneng.charts.convention import (
    GRID_COLOR,
    MEANING_COLORS,
    MUTED,
    PRIMARY,
    SELECTION_KEEPS_STYLE,
    STATUS_COLORS,
    TEXT_COLOR,
    add_target_line,
    apply_style,
    axis_from_title,
    count_ticks,
    dot_axis_start,
    empty_figure,
    focus_colours,
    is_missing,
    ringed_markers,
    text_colour_on,
)

# 好差评 levels 5 (非常满意) … 1 (非常不满意): the better colour for the best, grey for 基本满意, the worse
# colour for the worst.
SATISFACTION_LEVEL_COLORS = {5: MEANING_COLORS["better"], 4: "#5AA469", 3: "#B8C2CC", 2: "#E07B39",
                             1: MEANING_COLORS["worse"]}


def _satisfaction_hover(hover_cols: dict[str, str] | None, start: int = 0) -> str:
    return "".join(f"<br>{label}: %{{customdata[{i}]}}" for i, label in enumerate((hover_cols or {}).values(),
                                                                                   start=start))


def _satisfaction_custom(frame: pd.DataFrame, hover_cols: dict[str, str] | None) -> list | None:
    if not hover_cols:
        return None
    return [["—" if is_missing(v) or v is pd.NA else (f"{v:,}" if isinstance(v, int) else v) for v in row]
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
    return apply_style(fig, height=380)


def _satisfaction_meets(value: float, target: float | None, better: str) -> bool | None:
    if target is None or better not in ("higher", "lower"):
        return None
    return value >= target if better == "higher" else value <= target


def satisfaction_rate_dots(frame: pd.DataFrame, *, label_col: str, value_col: str, axis_title: str,
                           target: float | None, target_label: str, better: str, empty_message: str,
                           hover_cols: dict[str, str] | None = None, places: int = 1, code_col: str | None = None,
                           highlight_code: str | None = None, lang: str = "zh") -> go.Figure:
    """A rate (in %) per row as a dot on a line from the axis, in the frame's order (first row on top),
    green where it meets ``target`` and red where it misses; the target is a dashed line. With
    ``code_col`` each dot carries its code first in ``customdata`` (click selection);
    ``highlight_code`` draws the other dots pale.

    Dots rather than bars: rates of 90–100 % differ by a few points, which bars starting at zero
    would hide, and bars starting anywhere else would exaggerate. The axis title says where it starts."""
    data = frame[frame[value_col].notna()]
    if data.empty:
        return empty_figure(empty_message)
    labels = data[label_col].astype(str).tolist()
    values = data[value_col].astype(float).tolist()
    bounds = [*values, *([target] if target is not None else [])]
    low, high = min(bounds), max(bounds)
    pad = max((high - low) * 0.12, 0.5)
    x_min = dot_axis_start(values, target)
    x_max = high + 2.6 * pad  # room on the right for the value labels
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
        add_target_line(fig, target, target_label, orientation="v")
    title = axis_from_title(axis_title, x_min, lang) if x_min else axis_title
    fig.update_xaxes(range=[x_min, x_max], title={"text": title}, showgrid=True, ticksuffix="%")
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    fig.update_layout(margin={"t": 40})
    return apply_style(fig, height=max(220, 36 * len(labels) + 120))


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
    values = [None if is_missing(v) else float(v) for v in frame[value_col].tolist()]
    present = [v for v in values if v is not None]
    bounds = [*present, *([target] if target is not None else [])]
    low, high = min(bounds), max(bounds)
    pad = max((high - low) * 0.18, 0.5)
    custom = _satisfaction_custom(frame, hover_cols)
    ring = {"size": 9, "color": PRIMARY}
    if code_col:
        codes = frame[code_col].astype(str).tolist()
        custom = [[c, *row] for c, row in zip(codes, custom or [[] for _ in codes], strict=True)]
        ring = ringed_markers(codes, highlight_code, PRIMARY)
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
        add_target_line(fig, target, target_label)
    ticks = frame[tick_col].astype(str).tolist() if tick_col else labels
    fig.update_xaxes(showgrid=False, type="category", tickangle=0, tickvals=labels, ticktext=ticks)
    fig.update_yaxes(range=[max(0.0, low - pad), min(100.0, high + pad) + pad * 0.5], title={"text": axis_title},
                     ticksuffix="%", tickformat=".1f", showgrid=True)
    fig.update_layout(margin={"t": 20})
    return apply_style(fig, height=380)


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
    return apply_style(fig, height=max(220, 38 * len(labels) + 90))


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
    fig = apply_style(fig, height=max(240, 36 * len(labels) + 150))
    fig.update_layout(margin={"t": 60})
    return fig

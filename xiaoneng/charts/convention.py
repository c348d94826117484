"""The chart convention, written once: every figure of the pages, of 汇报模式 and of the PowerPoint
deck follows it (the builders beside this module, xiaoneng.presentation and xiaoneng.deck import it).

- Bars start at zero: a bar's length is its value. Values close to each other (the lowest at least
  ``CLOSE_RATIO`` of the highest, e.g. composite scores of 90.0 and 93.2) or rates ranked against each
  other are drawn as dots on an axis that does not start at zero, and the axis title says where it
  starts (``axis_from_title``).
- One target line: ``TARGET_LINE`` (colour, dash, width), its label in the same colour (``add_target_line``).
- One month format: "2026年1月" / "Jan 2026" (``month_label``, ``month_axis``).
- Thousands separators on every axis and hover (the template's ``separators`` and
  ``separatethousands``; hover templates of counts use ``:,``).
- One colour per meaning (``MEANING_COLORS``: better / worse / target / neutral; ``STATUS_COLORS`` the
  traffic lights against target, ``LIGHT_COLORS`` the 督办 red / yellow / green lights), the same hex
  values on screen and in the .pptx.

The style is made for a projector: a white ground, dark text of 15 px and more, a few saturated
colours with meaning (navy = the data, green/amber/red = against target). Builders take every text
they show as an argument; the convention's own words (the axis start, month names) come from the
catalog's ``charts`` section in the language passed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import textwrap
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from xiaoneng.i18n import t

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
# The 督办 lights of open cases: the same red and amber; green (still in time) is the traffic light's green.
LIGHT_COLORS = {"red": STATUS_COLORS["red"], "yellow": STATUS_COLORS["amber"], "green": STATUS_COLORS["green"]}
# The target is neither good nor bad: a dark slate, never the red of a miss.
TARGET_COLOR = "#3E4C59"
MEANING_COLORS = {"better": STATUS_COLORS["green"], "worse": STATUS_COLORS["red"], "target": TARGET_COLOR,
                  "neutral": PRIMARY}
TARGET_LINE = {"color": TARGET_COLOR, "width": 2, "dash": "dash"}
TARGET_LABEL_FONT = {"size": 14, "color": TARGET_COLOR}
TARGET_SHAPE = "target"  # the name of a target line's shape; a dashed line is always a target

# Close values: the lowest at least this share of the highest. Bars from zero would then all look the
# same length, so they are drawn as dots on an axis that says where it starts.
CLOSE_RATIO = 0.85

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
        "automargin": True, "separatethousands": True,
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


def apply_style(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(template=government_template(), height=height)
    return fig


def empty_figure(message: str, height: int = 240) -> go.Figure:
    """A figure that says why there is nothing to draw (never a blank plot)."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 16, "color": MUTED_TEXT})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return apply_style(fig, height)


def wrap_label(name: str, width: int = 5) -> str:
    """Break a long axis label into lines (``<br>``): CJK every ``width`` characters, other text at spaces."""
    if not name:
        return ""
    if " " in name:
        return "<br>".join(textwrap.wrap(name, width=max(width * 2, 10)))
    return "<br>".join(name[i:i + width] for i in range(0, len(name), width))


def wrap_words(label: str, width: int = 12) -> str:
    """Words onto lines of about ``width`` characters, never breaking a word (CJK labels stay whole)."""
    lines: list[str] = []
    for word in label.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def is_missing(value) -> bool:
    """No value: None, NaN, or pandas' missing markers (pd.NA of nullable columns such as a rank, NaT)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def score_places(scores: Iterable) -> int:
    """The decimals a ranking shows its scores with: one, or two when two different scores would read
    the same at one (93.24 and 93.16 both "93.2", ranked 1 and 2 without a visible reason)."""
    values = {float(v) for v in scores if not is_missing(v)}
    return 2 if len({round(v, 1) for v in values}) < len(values) else 1


def count_ticks(top: float) -> dict:
    """Axis settings for counts: whole numbers with thousands separators (a small range would
    otherwise get ticks at 0.5 steps, all labelled with the same rounded number)."""
    return {"tickformat": ",d", **({"dtick": 1} if top <= 8 else {})}


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2 or 5 × 10ⁿ) from ``low`` to ``high``."""
    raw = max(high - low, 1e-9) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


# ---------------------------------------------------------------- bars from zero, dots for close values

def values_are_close(values: Iterable, target: float | None = None) -> bool:
    """Whether the values (and the target) lie so close that bars from zero would not tell them apart:
    all positive and the lowest at least ``CLOSE_RATIO`` of the highest."""
    numbers = [float(v) for v in values if not is_missing(v)]
    if target is not None:
        numbers.append(float(target))
    if len(numbers) < 2 or min(numbers) <= 0:
        return False
    return min(numbers) / max(numbers) >= CLOSE_RATIO


def bar_range(values: Iterable, headroom: float = 0.1, floor_top: float = 0.0) -> list[float]:
    """The value axis of bars: from zero to the largest value (at least ``floor_top``) plus
    ``headroom`` of it for the value labels after the bars."""
    numbers = [float(v) for v in values if not is_missing(v)]
    top = max([*numbers, floor_top, 0.0])
    return [0.0, (top or 1.0) * (1 + headroom)]


def dot_axis_start(values: Iterable, target: float | None = None) -> float:
    """Where the axis of a dot plot starts: a round number (a multiple of 5, or of 1 for a narrow
    spread) a little below the lowest value or target, never below zero."""
    numbers = [float(v) for v in values if not is_missing(v)]
    if target is not None:
        numbers.append(float(target))
    if not numbers:
        return 0.0
    low, high = min(numbers), max(numbers)
    step = 5 if high - low >= 4 else 1
    return float(max(0, math.floor((low - max((high - low) * 0.1, 0.5)) / step) * step))


def axis_from_title(title: str, start: float, lang: str = "zh") -> str:
    """An axis title that says where a non-zero axis starts: "综合绩效得分（坐标轴自 85 起）"."""
    return t("charts.axis_from", lang, title=title, start=f"{start:g}")


# ---------------------------------------------------------------- the target line

def add_target_line(fig: go.Figure, value: float, label: str = "", *, orientation: str = "h",
                    label_position: str | None = None, **where) -> None:
    """The target as the convention draws it: a line across the plot (``orientation`` "h": at y =
    ``value``; "v": at x) in ``TARGET_LINE``'s style, labelled in its colour. ``where`` passes
    ``row``/``col`` of a subplot on."""
    add = fig.add_hline if orientation == "h" else fig.add_vline
    extra = {}
    if label:
        extra = {"annotation": {"text": label, "font": TARGET_LABEL_FONT, "bgcolor": "rgba(255,255,255,0.85)"},
                 "annotation_position": label_position or ("bottom right" if orientation == "h" else "top")}
    add(**{"y" if orientation == "h" else "x": float(value)}, line=dict(TARGET_LINE), layer="below",
        name=TARGET_SHAPE, **extra, **where)


# ---------------------------------------------------------------- months

def month_label(month: str | dt.date, lang: str = "zh") -> str:
    """A month as every chart and table writes it: "2026年1月" / "Jan 2026" (from "2026-01" or a date)."""
    if isinstance(month, str):
        month = dt.date(int(month[:4]), int(month[5:7]), 1)
    return t("charts.month", lang, year=month.year, month=month.month, month_abbr=calendar.month_abbr[month.month])


def month_axis(keys: list[str], lang: str = "zh", every: int = 1) -> dict:
    """Category-axis settings that label month keys ("2026-01") in the month format: every
    ``every``-th month, ending with the latest."""
    shown = keys[::-every][::-1] if every > 1 else list(keys)
    return {"type": "category", "categoryorder": "array", "categoryarray": list(keys), "tickvals": shown,
            "ticktext": [month_label(k, lang) for k in shown]}


# ---------------------------------------------------------------- clicks and focus

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


def ringed_markers(codes: list[str], highlight_code: str | None, colour: str, size: int = 9) -> dict:
    """Markers of a line, the one of ``highlight_code`` larger with an amber ring (the clicked period)."""
    picked = [highlight_code not in (None, "") and c == highlight_code for c in codes]
    return {"size": [size + 7 if p else size for p in picked], "color": colour,
            "line": {"width": [3 if p else 0 for p in picked], "color": STATUS_COLORS["amber"]}}


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

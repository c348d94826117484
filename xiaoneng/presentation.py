"""Presentation mode (汇报模式): the meeting views of ``xiaoneng.briefing`` drawn for a projector.

One view per screen, large type, the same numbers as the deck and the pages. The page
(pages/presentation.py) only keeps the position in the sequence and lays out what this module
returns: a Plotly figure for a chart view, KPI cards as HTML, tables as data frames.
"""

from __future__ import annotations

import html
import json

import plotly.graph_objects as go

from xiaoneng.briefing import BriefingView, target_text
from xiaoneng.charts import (
    FONT_FAMILY,
    MUTED,
    MUTED_TEXT,
    TARGET_LINE,
    TEXT_COLOR,
    empty_figure,
    government_template,
    label_positions,
)
from xiaoneng.i18n import t
from xiaoneng.layout import PHONE_MAX_PX

# Sizes for the back of a meeting room (a 1920×1080 projector); the page's own text is scaled by CSS.
TICK_SIZE = 22
LABEL_SIZE = 22
TITLE_SIZE = 20
CHART_HEIGHT = 620
AUTO_ADVANCE_SECONDS = (0, 15, 30, 60, 120)  # 0 = off


def auto_advance(position: int, last: int, interval: float, shown_for: float) -> int:
    """The view to show when the auto-advance timer fires: the next one once the current one has been
    up for ``interval`` seconds (half a second of slack for the timer), staying on the last view."""
    if interval and shown_for >= interval - 0.5 and position < last:
        return position + 1
    return position


def _style(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(template=government_template(), height=height, font={"size": LABEL_SIZE},
                      margin={"l": 20, "r": 60, "t": 60, "b": 40},
                      legend={"font": {"size": LABEL_SIZE}, "orientation": "h", "y": 1.02, "yanchor": "bottom"})
    fig.update_xaxes(tickfont={"size": TICK_SIZE}, title={"font": {"size": TITLE_SIZE}})
    fig.update_yaxes(tickfont={"size": TICK_SIZE}, title={"font": {"size": TITLE_SIZE}})
    return fig


def _label(value: float, number_format: str) -> str:
    """A value as the deck's Excel format writes it: thousands separators, the format's decimals."""
    places = len(number_format.split(".")[1]) if "." in number_format else 0
    return f"{value:,.{places}f}"


def _target_label(view: BriefingView, lang: str) -> str:
    """"目标 ≥ 95.0%": the catalog's target of the view's indicator, as the KPI cards write it."""
    return t("presentation.target", lang, target=target_text(view.series[0].column, lang))


def _bars(view: BriefingView, lang: str) -> go.Figure:
    data = view.data
    labels = data[view.category_col].astype(str).tolist()
    stacked = view.chart == "stacked_bar"
    fig = go.Figure()
    for series in view.series:
        values = data[series.column].astype(float).tolist()
        colors = series.color if stacked or not view.highlight else \
            [series.color if label in view.highlight else MUTED for label in labels]
        fig.add_trace(go.Bar(
            x=values, y=labels, orientation="h", name=series.label, marker={"color": colors, "line": {"width": 0}},
            text=[_label(v, view.number_format) if v else "" for v in values], textangle=0,
            textposition="inside" if stacked else "outside", insidetextanchor="middle", cliponaxis=False,
            textfont={"size": LABEL_SIZE, "color": "#FFFFFF" if stacked else TEXT_COLOR},
            hovertemplate=f"%{{y}}<br>{html.escape(series.label)}: %{{x}}<extra></extra>",
        ))
    top = float(data[[s.column for s in view.series]].sum(axis=1).max() if stacked else
                data[[s.column for s in view.series]].max().max())
    if view.target is not None:
        fig.add_vline(x=view.target, line=dict(TARGET_LINE),
                      annotation={"text": _target_label(view, lang),
                                  "font": {"size": TITLE_SIZE, "color": MUTED_TEXT}, "yanchor": "bottom"},
                      annotation_position="top")
    high = max(top, view.target or 0)  # bars from zero (the chart convention)
    fig.update_xaxes(range=[0.0, high * 1.08], rangemode="tozero", title={"text": view.value_title}, showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", showgrid=False)
    # a label that does not fit its segment is left out rather than turned on its side
    fig.update_layout(barmode="stack" if stacked else "group", bargap=0.3, showlegend=stacked,
                      legend={"traceorder": "normal"}, uniformtext={"minsize": LABEL_SIZE - 4, "mode": "hide"})
    return _style(fig, max(360, min(CHART_HEIGHT, 60 * len(labels) + 160)))


def _lines(view: BriefingView, lang: str) -> go.Figure:
    data = view.data
    fig = go.Figure()
    for series in view.series:
        values = data[series.column]
        fig.add_trace(go.Scatter(
            x=data[view.category_col], y=values, name=series.label, mode="lines+markers+text",
            line={"color": series.color, "width": 4}, marker={"size": 12}, connectgaps=False,
            text=["" if v != v else _label(v, view.number_format) for v in values.astype(float)],
            textposition=label_positions(values.astype(float).tolist()),
            textfont={"size": LABEL_SIZE - 2, "color": TEXT_COLOR},
        ))
    if view.target is not None:
        # the target as a legend entry, not a note on the line: a note there covers the latest point
        fig.add_trace(go.Scatter(
            x=data[view.category_col], y=[view.target] * len(data), mode="lines", hoverinfo="skip",
            name=_target_label(view, lang),
            line=dict(TARGET_LINE),
        ))
    fig.update_xaxes(type="category", showgrid=False)
    fig.update_yaxes(title={"text": view.value_title}, showgrid=True)
    fig.update_layout(showlegend=True, legend={"x": 0, "xanchor": "left"})
    return _style(fig, CHART_HEIGHT)


def view_figure(view: BriefingView, lang: str = "zh") -> go.Figure | None:
    """The view's chart at projector size; None for views that are only cards or tables."""
    if view.chart in ("kpis", "table"):
        return None
    if view.empty:  # the view's own words: 无数据 and why
        return empty_figure(view.takeaway or t("briefing.empty", lang), height=CHART_HEIGHT)
    return _lines(view, lang) if view.chart == "line" else _bars(view, lang)


_TONE = {True: "meets", False: "misses"}


def kpi_cards_html(view: BriefingView, lang: str = "zh") -> str:
    """The headline KPI panel as cards: label, value, 环比, 同比 and the target verdict.

    HTML rather than st.metric so the value can be 3× the body text and every card the same height.
    """
    cards = []
    for card in view.data.itertuples():
        met = card.meets_target if card.meets_target in (True, False) else None
        verdict = "" if met is None else \
            f'<span class="xn-badge xn-{_TONE[met]}">{html.escape(t("kpi." + _TONE[met], lang))}</span>'
        cards.append(
            '<div class="xn-card">'
            f'<div class="xn-label">{html.escape(card.label)}</div>'
            f'<div class="xn-value">{html.escape(card.value_text)}</div>'
            f'<div class="xn-change">{html.escape(t("kpi.previous", lang))} {html.escape(card.delta_text)}</div>'
            f'<div class="xn-change">{html.escape(t("kpi.year_ago", lang))} {html.escape(card.year_ago_text)}</div>'
            f'<div class="xn-target">{verdict}</div>'
            "</div>"
        )
    return f'<div class="xn-cards">{"".join(cards)}</div>'


# While presenting (the view's title carries PRESENTING_CLASS): no sidebar, nor the button that
# reopens it, nor the top bar; the page takes the whole width. The rule is part of STYLE and keyed to
# the title because style-only HTML goes to Streamlit's event container, which a fragment rerun
# (结束汇报) does not clear; the title is redrawn by every rerun, so the sidebar is back at once.
PRESENTING_CLASS = "xn-presenting"
PRESENTING_STYLE = f"""
body:has(h1.{PRESENTING_CLASS}) [data-testid="stSidebar"],
body:has(h1.{PRESENTING_CLASS}) [data-testid="stExpandSidebarButton"],
body:has(h1.{PRESENTING_CLASS}) [data-testid="stHeader"] {{ display: none !important; }}
body:has(h1.{PRESENTING_CLASS}) [data-testid="stMainBlockContainer"] {{ padding-top: 1rem; max-width: 100%; }}
"""

# Presentation-only styles: big type, a fixed footer. Applied by the page with st.html.
STYLE = f"""
<style>
h1.xn-title {{ font-family: {FONT_FAMILY}; font-size: 44px !important; font-weight: 700; color: {TEXT_COLOR};
  margin: 0 0 6px 0; padding: 0 !important; line-height: 1.2; }}
.xn-takeaway {{ font-family: {FONT_FAMILY}; font-size: 28px; color: {TEXT_COLOR}; line-height: 1.45;
  border-left: 8px solid #1F4E79; background: #F1F5FA; padding: 12px 20px; margin: 4px 0 18px 0; }}
.xn-cards {{ display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 18px; }}
.xn-card {{ border: 1px solid #D5DCE4; border-radius: 10px; padding: 18px 22px; background: #FFFFFF;
  container-type: inline-size; }}
.xn-label {{ font-size: clamp(16px, 10cqi, 24px); color: {MUTED_TEXT}; }}
.xn-value {{ font-size: clamp(24px, 17cqi, 50px); font-weight: 700; color: {TEXT_COLOR}; line-height: 1.2;
  overflow-wrap: anywhere; }}
.xn-change {{ font-size: clamp(14px, 9cqi, 21px); color: {TEXT_COLOR}; margin-top: 4px; }}
.xn-target {{ margin-top: 8px; min-height: 34px; }}
.xn-badge {{ font-size: clamp(14px, 9cqi, 21px); padding: 2px 12px; border-radius: 14px; }}
.xn-meets {{ background: #E3F1E8; color: #1F6F43; }}
.xn-misses {{ background: #FBE4E6; color: #A4112A; }}
.xn-table-title {{ font-size: 26px; font-weight: 700; margin: 6px 0; color: {TEXT_COLOR}; }}
.xn-table table {{ font-size: 22px; width: 100%; border-collapse: collapse; }}
.xn-table th {{ background: #1F4E79; color: #FFFFFF; padding: 8px 12px; text-align: left; }}
.xn-table td {{ padding: 8px 12px; border-bottom: 1px solid #D5DCE4; white-space: nowrap; }}
.xn-table td.xn-empty {{ color: {MUTED_TEXT}; white-space: normal; }}
.xn-table.xn-red th {{ background: #A4112A; }}
.xn-table.xn-black th {{ background: #1F2933; }}
.xn-footer {{ background: #F7F9FB; border-top: 1px solid #D5DCE4; padding: 6px 16px; font-size: 17px;
  color: {MUTED_TEXT}; display: flex; justify-content: space-between; gap: 24px; }}
[data-testid="stMainBlockContainer"] {{ padding-top: 2rem; }}
/* a phone: two cards a row and type that fits them, not one character a line */
@media (max-width: {PHONE_MAX_PX}px) {{
  h1.xn-title {{ font-size: 30px !important; }}
  .xn-takeaway {{ font-size: 19px; padding: 10px 14px; }}
  .xn-cards {{ grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }}
  .xn-card {{ padding: 10px 12px; }}
  .xn-label {{ font-size: 16px; }}
  .xn-value {{ font-size: 28px; }}
  .xn-change, .xn-badge {{ font-size: 15px; }}
  .xn-table table {{ font-size: 15px; }}
}}
{PRESENTING_STYLE}
</style>
"""


def title_html(view: BriefingView, presenting: bool = False) -> str:
    """The view's title and takeaway; while presenting the title is marked so STYLE hides the sidebar."""
    marked = f" {PRESENTING_CLASS}" if presenting else ""
    return (f'<h1 class="xn-title{marked}">{html.escape(view.title)}</h1>'
            f'<div class="xn-takeaway">{html.escape(view.takeaway)}</div>')


def table_html(view: BriefingView, position: int) -> str:
    """One of the view's tables as a plain HTML table in projector type (the 红榜 red, the 黑榜 dark);
    a table without rows says why (无数据, 样本不足) in one row across it."""
    titled = view.tables[position]
    tone = ""
    if view.name == "county_ranking":
        tone = " xn-red" if position == 0 else " xn-black"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in titled.table.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in titled.table.itertuples(index=False))
    if titled.table.empty and titled.empty_text:
        rows = (f'<tr><td class="xn-empty" colspan="{max(len(titled.table.columns), 1)}">'
                f"{html.escape(titled.empty_text)}</td></tr>")
    title = f'<div class="xn-table-title">{html.escape(titled.title)}</div>' if titled.title else ""
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    return f'{title}<div class="xn-table{tone}">{table}</div>'


# Keys a presentation clicker (or a keyboard) sends, and what they do. Clickers send PageDown/PageUp;
# some send the arrows or Space.
FORWARD_KEYS = ("ArrowRight", "PageDown", " ", "ArrowDown")
BACK_KEYS = ("ArrowLeft", "PageUp", "ArrowUp")
FULLSCREEN_KEYS = ("f", "F")
NEXT_BUTTON_KEY = "presentation_next"
PREVIOUS_BUTTON_KEY = "presentation_previous"
FULLSCREEN_BUTTON_KEY = "presentation_fullscreen"
START_BUTTON_KEY = "presentation_start"  # 开始汇报: sidebar away and full screen
STOP_BUTTON_KEY = "presentation_stop"  # 结束汇报: sidebar back, full screen left

# One listener per browser tab (a rerun inserts the script again; the flag keeps it single). It clicks
# the page's own 下一页/上一页 buttons, so a key does exactly what a click does, and does nothing on
# another page (no such buttons there) or while someone types in a box. Full screen is asked for in
# the key press or the click itself: browsers grant it only inside such a user gesture.
_KEYS_SCRIPT = """
<script>
(() => {
  if (window.__xiaonengPresentationKeys) return;
  window.__xiaonengPresentationKeys = true;
  const keys = %(keys)s;
  const button = (key) => document.querySelector(`.st-key-${key} button`);
  const boxes = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="listbox"]';
  const typing = (target) => target instanceof Element && target.closest(boxes) !== null;
  const toggleFullscreen = () => {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else { document.documentElement.requestFullscreen().catch(() => {}); }
  };
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    if (!button(keys.next)) return;  // not on 汇报模式
    let target = null;
    if (keys.forward.includes(event.key)) target = button(keys.next);
    else if (keys.back.includes(event.key)) target = button(keys.previous);
    else if (keys.fullscreen.includes(event.key)) { event.preventDefault(); toggleFullscreen(); return; }
    else return;
    event.preventDefault();  // no scrolling by Space or PageDown
    // a focused button would also take the Space as its own click
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    if (target && !target.disabled) target.click();
  }, true);
  document.addEventListener('click', (event) => {
    const clicked = (key) => event.target instanceof Element && event.target.closest(`.st-key-${key} button`);
    if (clicked(keys.full)) toggleFullscreen();
    else if (clicked(keys.start) && !document.fullscreenElement) toggleFullscreen();
    else if (clicked(keys.stop) && document.fullscreenElement) toggleFullscreen();
  }, true);
})();
</script>
"""


def keys_script() -> str:
    """The script (for st.html with JavaScript allowed) that turns clicker keys into 下一页/上一页
    clicks and F or the 全屏 button into the browser's full screen."""
    keys = {"forward": list(FORWARD_KEYS), "back": list(BACK_KEYS), "fullscreen": list(FULLSCREEN_KEYS),
            "next": NEXT_BUTTON_KEY, "previous": PREVIOUS_BUTTON_KEY, "full": FULLSCREEN_BUTTON_KEY,
            "start": START_BUTTON_KEY, "stop": STOP_BUTTON_KEY}
    return _KEYS_SCRIPT % {"keys": json.dumps(keys)}


def footer_html(footer: str, position: int, total: int) -> str:
    return (f'<div class="xn-footer"><span>{html.escape(footer)}</span>'
            f"<span>{position} / {total}</span></div>")

"""The app's own stylesheet and its print script, injected once per run by ``app.py`` (``inject``).

What Streamlit's layout does not do by itself (issue 12):

- KPI values shown whole at any width: ``st.metric`` cuts a value that does not fit ("20,…"). Here
  values and labels wrap instead, the value's type scales with its card (container query units),
  and a row of cards becomes a 2 × 2 (or 1-column) grid when its cards would be narrower than
  ``CARD_MIN_REM``.
- A visible progress cue: while a rerun lasts longer than ``PROGRESS_DELAY_MS`` a bar runs along the
  top of the window with a "正在更新" label, and the elements not yet redrawn by the rerun
  (Streamlit marks them ``data-stale="true"``) are dimmed, so new cards never pass for a page whose
  old ranking is still current.
- Phone (≤ ``PHONE_MAX_PX``): elements keyed ``wide_only`` are hidden, ``narrow_only`` ones shown (the
  Overview's one-column trend and its ranked list in place of the matrix); wider, the reverse.
- A4 print: no sidebar, header or toolbar, no drill-through widgets; each section after a ``page_break``
  starts a new page; charts are scaled to the page width by the print script (a Plotly figure keeps
  the pixel width it was drawn at, so on paper the matrix lost its right-hand counties).

Hooks for pages: ``st.container(key=...)`` gives the element the class ``st-key-<key>``; keys
starting with ``WIDE_ONLY``, ``NARROW_ONLY`` or ``NO_PRINT`` get those rules; ``page_break()`` starts
a new printed page.
"""

from __future__ import annotations

import json

import streamlit as st

from xiaoneng.i18n import t

CARD_MIN_REM = 11  # a KPI card narrower than this (176 px) no longer holds a value like "1.75 工作日" on a line
PHONE_MAX_PX = 640  # Streamlit stacks columns below this width too
PROGRESS_DELAY_MS = 300  # reruns quicker than this show no cue (no flicker on a click)
PRINT_WIDTH_PX = 718  # A4 (210 mm) less 2 × 10 mm margins at 96 px per inch

WIDE_ONLY = "wide_only"
NARROW_ONLY = "narrow_only"
NO_PRINT = "no_print"

# A column holding a KPI card: st.metric straight in the column, or in a bordered container in it.
# (:has() may not nest, so every selector spells the path out.)
_CARD_PATHS = (
    '[data-testid="stVerticalBlock"] > [data-testid="stElementContainer"] > [data-testid="stMetric"]',
    '[data-testid="stVerticalBlock"] > [data-testid="stLayoutWrapper"] > [data-testid="stVerticalBlock"]'
    ' > [data-testid="stElementContainer"] > [data-testid="stMetric"]',
)


def _card_rules() -> str:
    column = '[data-testid="stColumn"]'
    row = '[data-testid="stHorizontalBlock"]'
    columns = ", ".join(f"{column}:has(> {path})" for path in _CARD_PATHS)
    rows = ", ".join(f"{row}:has(> {column} > {path})" for path in _CARD_PATHS)
    wrappers = ", ".join(f'[data-testid="stLayoutWrapper"]:has(> {row} > {column} > {path})' for path in _CARD_PATHS)
    four, two = 4 * CARD_MIN_REM + 3, 2 * CARD_MIN_REM + 1  # cards and the 1 rem gaps between them
    return f"""
{wrappers} {{ container-type: inline-size; }}
{columns} {{ container-type: inline-size; }}
@container (max-width: {four}rem) {{
  {rows} {{ display: grid !important; grid-template-columns: repeat(2, minmax(0, 1fr)); }}
  {columns} {{ width: auto !important; min-width: 0 !important; }}
}}
@container (max-width: {two}rem) {{
  {rows} {{ grid-template-columns: minmax(0, 1fr); }}
}}
[data-testid="stMetricValue"] {{ font-size: clamp(1.35rem, 13.5cqi, 2.25rem); line-height: 1.2; }}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] *, [data-testid="stMetricLabel"],
[data-testid="stMetricLabel"] *, [data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: break-word; -webkit-line-clamp: unset !important;
}}
.stMainBlockContainer {{ padding-top: 3.5rem !important; }}
"""


def _progress_rules(label: str) -> str:
    running = '[data-testid="stApp"][data-test-script-state="running"]'
    delay = f"{PROGRESS_DELAY_MS}ms"
    return f"""
@keyframes xn-show {{ to {{ opacity: 1; }} }}
@keyframes xn-run {{ from {{ background-position: 0 0; }} to {{ background-position: 200px 0; }} }}
{running}::before {{
  content: ""; position: fixed; top: 0; left: 0; right: 0; height: 4px; z-index: 1000100; opacity: 0;
  background: repeating-linear-gradient(90deg, #1F4E79 0 100px, #9DB9D6 100px 200px);
  animation: xn-show 0s linear {delay} forwards, xn-run 0.8s linear {delay} infinite;
}}
{running}::after {{
  content: {json.dumps(label, ensure_ascii=False)}; position: fixed; top: 8px; left: 50%; transform: translateX(-50%);
  z-index: 1000100; opacity: 0; padding: 2px 14px; border-radius: 12px; font-size: 14px;
  background: #1F4E79; color: white; animation: xn-show 0s linear {delay} forwards;
}}
{running} [data-stale="true"] {{ opacity: 0.25 !important; transition: opacity 0.15s linear {delay};
  pointer-events: none; }}
"""


def _attention_rules() -> str:
    """The Overview's 需关注 panel (``overview.attention_html``)."""
    return """
.xn-attention { margin-bottom: 0.6rem; }
.xn-attention-title { font-weight: 700; font-size: 16px; padding: 2px 0 4px; }
.xn-attention-none { color: #52606D; font-size: 14px; padding: 4px 0; }
.xn-attention a { text-decoration: none; }
.xn-attention th { white-space: nowrap; }
.xn-attention a:hover { text-decoration: underline; }
"""


def _phone_rules() -> str:
    return f"""
[data-testid="stElementContainer"]:has(.{PAGE_BREAK}) {{ margin-top: -1rem; height: 0; overflow: hidden; }}
[class*="st-key-{NARROW_ONLY}"] {{ display: none !important; }}
@media (max-width: {PHONE_MAX_PX}px) {{
  [class*="st-key-{WIDE_ONLY}"] {{ display: none !important; }}
  [class*="st-key-{NARROW_ONLY}"] {{ display: flex !important; }}
  .stMainBlockContainer {{ padding-left: 0.75rem; padding-right: 0.75rem; }}
  h1 {{ font-size: 1.9rem !important; }}
}}
"""


def _print_rules() -> str:
    return f"""
@page {{ size: A4; margin: 10mm; }}
@media print {{
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stExpander"], [data-testid="stSidebarCollapsedControl"],
  [class*="st-key-{NO_PRINT}"], .stDownloadButton, .stButton {{ display: none !important; }}
  [class*="st-key-{NARROW_ONLY}"] {{ display: none !important; }}
  [class*="st-key-{WIDE_ONLY}"] {{ display: flex !important; }}
  [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"], .stMain {{
    position: static !important; overflow: visible !important; height: auto !important; }}
  .stMainBlockContainer {{ padding: 0 !important; max-width: none !important; }}
  [data-testid="stElementContainer"]:has(.{PAGE_BREAK}) {{ break-before: page; }}
  [data-testid="stElementContainer"]:has(.stPlotlyChart), .stPlotlyChart {{ break-inside: avoid; }}
  [data-testid="stMetric"], [data-testid="stTable"] tr {{ break-inside: avoid; }}
}}
"""


# Plotly draws a figure at the pixel width of its place on screen; on paper that place is narrower
# (no sidebar, A4), so each chart is zoomed to fit while printing and restored afterwards.
_PRINT_SCRIPT = """<script>
(() => {
  const root = window.parent && window.parent.document ? window.parent : window;
  if (root.__xiaonengPrintFit) return;
  root.__xiaonengPrintFit = true;
  const width = PRINT_WIDTH;
  const fit = () => root.document.querySelectorAll('.stPlotlyChart').forEach((chart) => {
    const drawn = chart.scrollWidth;
    chart.style.zoom = drawn > width ? String(width / drawn) : '';
  });
  const unfit = () => root.document.querySelectorAll('.stPlotlyChart').forEach((c) => { c.style.zoom = ''; });
  root.addEventListener('beforeprint', fit);
  root.addEventListener('afterprint', unfit);
  root.matchMedia('print').addEventListener('change', (e) => (e.matches ? fit() : unfit()));
})();
</script>""".replace("PRINT_WIDTH", str(PRINT_WIDTH_PX))


def stylesheet(lang: str = "zh") -> str:
    """The whole stylesheet (a <style> element), its texts in ``lang``."""
    rules = (_card_rules(), _progress_rules(t("layout.updating", lang)), _attention_rules(), _phone_rules(),
             _print_rules())
    return "<style>" + "".join(rules) + "</style>"


PAGE_BREAK = "xn-page-break"


def page_break() -> None:
    """On paper, the next section starts a new page (on screen nothing shows)."""
    st.html(f'<div class="{PAGE_BREAK}"></div>')


def inject(lang: str = "zh") -> None:
    """Add the stylesheet and the print script to the page (``app.py``, once per run; Streamlit keeps
    a style-only ``st.html`` out of the layout)."""
    st.html(stylesheet(lang))
    st.html(_PRINT_SCRIPT, unsafe_allow_javascript=True, width="content")

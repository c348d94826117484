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
  starts a new page. A Plotly figure keeps the pixel width it was drawn at, so the sidebar's 打印
  button puts the page into print mode (``?print=1``): laid out on screen at the A4 width, with the
  columns of ``PRINT_STACK`` containers one under another, Streamlit redraws every chart at its width on
  paper, and the print script opens the print dialog once they are drawn. A plain Ctrl+P outside print
  mode gets the charts zoomed to the page width instead.

Hooks for pages: ``st.container(key=...)`` gives the element the class ``st-key-<key>``; keys
starting with ``WIDE_ONLY``, ``NARROW_ONLY``, ``NO_PRINT`` or ``PRINT_STACK`` get those rules;
``page_break()`` starts a new printed page.
"""

from __future__ import annotations

import json

import streamlit as st

from xiaoneng.i18n import t

CARD_MIN_REM = 11  # a KPI card narrower than this (176 px) no longer holds a value like "1.75 工作日" on a line
PHONE_MAX_PX = 640  # Streamlit stacks columns below this width too
PROGRESS_DELAY_MS = 300  # reruns quicker than this show no cue (no flicker on a click)
PRINT_WIDTH_PX = 718  # A4 (210 mm) less 2 × 10 mm margins at 96 px per inch
PRINT_ROOT_FONT_PX = 12  # print mode's type (16 on screen, 9 pt on paper): four KPI cards a row fit A4
PRINT_PARAM = "print"  # ?print=1: print mode
PRINT_TREND_ROW_PX = 200  # the Overview's trend on A4: four rows of two panels and the heading fit a page
PRINT_RANKING_ROW_PX = 30  # the Overview's ranking on A4: the chart, the table and the 红黑榜 fit a page

WIDE_ONLY = "wide_only"
NARROW_ONLY = "narrow_only"
NO_PRINT = "no_print"
PRINT_STACK = "print_stack"
PRINT_BANNER = f"{NO_PRINT}_print_banner"
ATTENTION_KEY = "overview_attention"  # the Overview's 需关注 panel (``overview.attention_html`` in it)

# A column holding a KPI card: st.metric straight in the column, or in a bordered container in it.
# (:has() may not nest, so every selector spells the path out.)
_CARD_PATHS = (
    '[data-testid="stVerticalBlock"] > [data-testid="stElementContainer"] > [data-testid="stMetric"]',
    '[data-testid="stVerticalBlock"] > [data-testid="stLayoutWrapper"] > [data-testid="stVerticalBlock"]'
    ' > [data-testid="stElementContainer"] > [data-testid="stMetric"]',
)


_COLUMN = '[data-testid="stColumn"]'
_ROW = '[data-testid="stHorizontalBlock"]'


def _card_rules() -> str:
    column, row = _COLUMN, _ROW
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


def _paper_rules() -> str:
    """What a page on paper leaves out and how it flows (in @media print; in print mode on screen too)."""
    return f"""
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stExpander"], [data-testid="stSidebarCollapsedControl"],
  .stDownloadButton {{ display: none !important; }}
  [class*="st-key-{NARROW_ONLY}"] {{ display: none !important; }}
  [class*="st-key-{WIDE_ONLY}"] {{ display: flex !important; }}
  [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"], .stMain {{
    position: static !important; overflow: visible !important; height: auto !important; }}
"""


def _print_rules() -> str:
    return f"""
@page {{ size: A4; margin: 10mm; }}
@media print {{
  {_paper_rules()}
  [class*="st-key-{NO_PRINT}"], .stButton {{ display: none !important; }}
  /* and the wrappers of what is left out: an empty one still takes a gap, and at a page's foot a page */
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-{NO_PRINT}"]),
  [data-testid="stLayoutWrapper"]:has(> [data-testid="stExpander"]) {{ display: none !important; }}
  .stMainBlockContainer {{ padding: 0 !important; max-width: none !important; }}
  /* the marker takes no room (no gap of its own to spill onto a page): the section after it breaks */
  [data-testid="stElementContainer"]:has(.{PAGE_BREAK}) {{ display: none !important; }}
  [data-testid="stElementContainer"]:has(.{PAGE_BREAK}) + * {{ break-before: page; }}
  [data-testid="stElementContainer"]:has(.stPlotlyChart), .stPlotlyChart {{ break-inside: avoid; }}
  [data-testid="stMetric"], [data-testid="stTable"] tr, .xn-honour, .xn-attention tr {{ break-inside: avoid; }}
  /* a heading, and the caption under it, stay with what they introduce */
  [data-testid="stElementContainer"]:has([data-testid="stHeading"]),
  [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]) {{ break-after: avoid; }}
}}
"""


def _print_mode_rules() -> str:
    """Print mode (``?print=1``): the page laid out on screen as on A4 (its width, type a little smaller,
    the columns of a ``PRINT_STACK`` container one under another), so that Streamlit redraws every chart
    at the width it will have on paper before the print dialog opens."""
    stack = f'[class*="st-key-{PRINT_STACK}"]'
    rows = (f"{stack} > {_ROW}", f'{stack} > [data-testid="stLayoutWrapper"] > {_ROW}')  # not the rows nested in them
    stacked, columns = ", ".join(rows), ", ".join(f"{row} > {_COLUMN}" for row in rows)
    attention = f".st-key-{ATTENTION_KEY}"  # the Overview's county and department lists side by side
    return f"""
html {{ font-size: {PRINT_ROOT_FONT_PX}px; }}
{_paper_rules()}
.stMainBlockContainer {{ width: {PRINT_WIDTH_PX}px !important; max-width: {PRINT_WIDTH_PX}px !important;
  margin: 0 auto; }}
@media screen {{ .stMainBlockContainer {{ padding: 1rem 0 2rem !important; }} }}
h1 {{ font-size: 1.75rem !important; padding: 0 0 0.5rem !important; }}
h3 {{ font-size: 1.3rem !important; padding: 0.25rem 0 0.5rem !important; }}
{stacked} {{ flex-direction: column !important; gap: 0.75rem !important; }}
{columns} {{ width: 100% !important; flex: 1 1 auto !important; }}
{attention} {{ display: grid !important; grid-template-columns: 1fr 1fr; column-gap: 1.5rem; }}
{attention} > :not(:has(.xn-attention)) {{ grid-column: 1 / -1; }}
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
  // Print mode: once the page has settled with every chart redrawn at the paper's width, open the
  // print dialog (once each time print mode is entered).
  let printed = false;
  setInterval(() => {
    const doc = root.document;
    if (!doc.querySelector('[class*="st-key-PRINT_BANNER"]')) { printed = false; return; }
    const app = doc.querySelector('[data-testid="stApp"]');
    if (printed || !app || app.getAttribute('data-test-script-state') !== 'notRunning') return;
    if (doc.querySelector('[data-testid="stSkeleton"]')) return;
    const charts = [...doc.querySelectorAll('.stPlotlyChart')].filter((c) => c.offsetParent !== null);
    if (!charts.every((c) => c.querySelector('.main-svg') && c.scrollWidth <= width + 1)) return;
    printed = true;
    setTimeout(() => root.print(), 400);
  }, 300);
})();
</script>""".replace("PRINT_WIDTH", str(PRINT_WIDTH_PX)).replace("PRINT_BANNER", PRINT_BANNER)


def stylesheet(lang: str = "zh", printing: bool = False) -> str:
    """The whole stylesheet (a <style> element), its texts in ``lang``; ``printing``: print mode."""
    rules = (_card_rules(), _progress_rules(t("layout.updating", lang)), _attention_rules(), _phone_rules(),
             _print_rules(), *((_print_mode_rules(),) if printing else ()))
    return "<style>" + "".join(rules) + "</style>"


PAGE_BREAK = "xn-page-break"


def page_break() -> None:
    """On paper, the next section starts a new page (on screen nothing shows)."""
    st.html(f'<div class="{PAGE_BREAK}"></div>')


def print_mode() -> bool:
    """The page is in print mode (``?print=1``, set by the sidebar's 打印 button)."""
    return st.query_params.get(PRINT_PARAM) == "1"


def _set_print_mode(on: bool) -> None:
    if on:
        st.query_params[PRINT_PARAM] = "1"
    elif PRINT_PARAM in st.query_params:
        del st.query_params[PRINT_PARAM]


def print_controls(lang: str = "zh") -> None:
    """The sidebar's 打印 button; in print mode instead, a banner above the page (never printed) that says
    the print dialog opens and leads back (``app.py``, once per run)."""
    if not print_mode():
        st.sidebar.button(t("layout.print", lang), key="print_enter", icon=":material/print:", on_click=_set_print_mode,
                          args=(True,), help=t("layout.print_help", lang), width="stretch")
        return
    with st.container(key=PRINT_BANNER, horizontal=True, vertical_alignment="center"):
        st.info(t("layout.print_banner", lang), icon=":material/print:")
        st.button(t("layout.print_exit", lang), key="print_exit", icon=":material/close:", on_click=_set_print_mode,
                  args=(False,), width="content")


def inject(lang: str = "zh") -> None:
    """Add the stylesheet and the print script to the page (``app.py``, once per run; Streamlit keeps
    a style-only ``st.html`` out of the layout)."""
    st.html(stylesheet(lang, printing=print_mode()))
    st.html(_PRINT_SCRIPT, unsafe_allow_javascript=True, width="content")

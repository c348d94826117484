"""The one-page A4 handout of the Overview (总览简报) for the current filters: the headline values with
their 环比 and target verdict, the units that need attention (``overview.attention_units``) and the
county ranking, as a PDF a leader takes into a meeting.

Every number is one the page shows (the frames of ``xiaoneng.overview``); nothing is computed here.
The PDF is drawn with fpdf2 in Noto Sans CJK (Debian's fonts-noto-cjk, which the Makefile installs);
it is always one page: the ranking's rows shrink to the space left.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from fpdf import FPDF

from xiaoneng import scorecard
from xiaoneng.i18n import t

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FILES = {"": "NotoSansCJK-Regular.ttc", "B": "NotoSansCJK-Bold.ttc"}
FONT_INDEX = 2  # Simplified Chinese in the Noto Sans CJK collections (fc-list :lang=zh family index)
FONT = "notosans"
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 12.0  # mm
CARDS_PER_ROW = 4
TEXT_RGB, MUTED_RGB, RED_RGB, LINE_RGB = (31, 41, 51), (82, 96, 109), (200, 16, 46), (210, 214, 220)
_MARKUP = re.compile(r":[a-z]+(?:-badge)?\[([^\]]*)\]")  # Streamlit's :red[…] / :green-badge[…]


class HandoutError(RuntimeError):
    """The handout cannot be drawn (no CJK font on the server)."""


def plain(markdown: str) -> str:
    """A card's Markdown line as plain text: colour and badge markup dropped, line breaks kept."""
    return _MARKUP.sub(r"\1", markdown).replace("  \n", "\n").replace("\\", "")


def fonts_available() -> bool:
    """Whether the server has the CJK font the handout is drawn in."""
    return all((FONT_DIR / name).exists() for name in FONT_FILES.values())


def _fonts(pdf: FPDF) -> None:
    for style, name in FONT_FILES.items():
        path = FONT_DIR / name
        if not path.exists():
            raise HandoutError(f"{path}: the CJK font the handout is drawn in is missing (apt-get install "
                               "fonts-noto-cjk)")
        pdf.add_font(FONT, style, str(path), collection_font_number=FONT_INDEX)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "B", 12)
    pdf.set_text_color(*TEXT_RGB)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")


def _cards(pdf: FPDF, cards: pd.DataFrame, lang: str) -> None:
    width = (PAGE_W - 2 * MARGIN - (CARDS_PER_ROW - 1) * 3) / CARDS_PER_ROW
    height = 31.0
    top = pdf.get_y()
    for i, card in enumerate(cards.itertuples()):
        x = MARGIN + (i % CARDS_PER_ROW) * (width + 3)
        y = top + (i // CARDS_PER_ROW) * (height + 3)
        pdf.set_draw_color(*LINE_RGB)
        pdf.rect(x, y, width, height)
        pdf.set_xy(x + 2, y + 1.5)
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*MUTED_RGB)
        pdf.cell(width - 4, 4.5, card.label)
        pdf.set_xy(x + 2, y + 6.5)
        pdf.set_font(FONT, "B", 15)
        pdf.set_text_color(*TEXT_RGB)
        pdf.cell(width - 4, 7, card.value_text)
        pdf.set_xy(x + 2, y + 14)
        pdf.set_font(FONT, "", 7.5)
        pdf.set_text_color(*MUTED_RGB)
        pdf.cell(width - 4, 4, f"{card.delta_description} {card.delta_text}")
        pdf.set_xy(x + 2, y + 18.5)
        pdf.set_text_color(*TEXT_RGB)
        pdf.multi_cell(width - 4, 3.6, plain(card.detail_md), new_x="LEFT", new_y="NEXT")
    rows = -(-len(cards) // CARDS_PER_ROW)
    pdf.set_xy(MARGIN, top + rows * (height + 3))


def _attention(pdf: FPDF, units: pd.DataFrame, kind: str, x: float, width: float, lang: str) -> None:
    pdf.set_xy(x, pdf.get_y())
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(*TEXT_RGB)
    pdf.cell(width, 6, t(f"attention.title_{kind}", lang), new_x="LEFT", new_y="NEXT")
    if units.empty:
        pdf.set_font(FONT, "", 8.5)
        pdf.cell(width, 5, t("attention.none", lang), new_x="LEFT", new_y="NEXT")
        return
    places = scorecard.score_places(units["composite_score"])
    for unit in units.itertuples():
        reasons = " ".join(t(f"attention.{why}", lang) for why in ("worst", "declined") if getattr(unit, why))
        rank = t("attention.rank", lang, rank=int(unit.rank), ranked=int(unit.ranked))
        change = scorecard.rank_change_text(unit.rank_change, lang)
        pdf.set_font(FONT, "B", 9)
        pdf.set_text_color(*TEXT_RGB)
        pdf.cell(width * 0.42, 5, str(unit.unit_name))
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*RED_RGB)
        pdf.cell(width * 0.16, 5, reasons)
        pdf.set_text_color(*TEXT_RGB)
        pdf.cell(width * 0.28, 5, f"{rank} {change}", align="R")
        pdf.cell(width * 0.14, 5, f"{unit.composite_score:.{places}f}", align="R", new_x="LEFT", new_y="NEXT")
        pdf.set_x(x)
        missed = (t("attention.missed", lang, count=len(unit.missed), names=t("attention.separator", lang).join(
            unit.missed)) if unit.missed else t("attention.all_met", lang))
        pdf.set_font(FONT, "", 7.5)
        pdf.set_text_color(*MUTED_RGB)
        pdf.cell(width, 4, missed, new_x="LEFT", new_y="NEXT")


def _ranking(pdf: FPDF, ranking: pd.DataFrame, lang: str) -> None:
    ranked = ranking[ranking["rank"].notna()]
    places = scorecard.score_places(ranked["composite_score"])  # as the screen's ranking
    room = PAGE_H - MARGIN - pdf.get_y() - 12
    row_h = max(3.2, min(5.5, room / max(len(ranked) + 1, 1)))
    size = min(9.0, row_h * 1.7)
    widths = (18, 62, 30, 30)
    headers = (t("ranking.rank", lang), t("ranking.county", lang), t("ranking.score", lang),
               scorecard.text("rank_change", lang))
    pdf.set_font(FONT, "B", size)
    pdf.set_text_color(*MUTED_RGB)
    for w, header in zip(widths, headers, strict=True):
        pdf.cell(w, row_h, header, align="L" if w == widths[1] else "R")
    pdf.ln(row_h)
    pdf.set_text_color(*TEXT_RGB)
    for unit in ranked.itertuples():
        pdf.set_font(FONT, "", size)
        cells = (scorecard.rank_text(unit.rank, unit.small_base, lang), str(unit.unit_name),
                 f"{unit.composite_score:.{places}f}", scorecard.rank_change_text(unit.rank_change, lang))
        for w, text in zip(widths, cells, strict=True):
            pdf.cell(w, row_h, text, align="L" if w == widths[1] else "R")
        pdf.ln(row_h)


def handout_pdf(title: str, context: str, cards: pd.DataFrame, counties: pd.DataFrame, departments: pd.DataFrame,
                ranking: pd.DataFrame, lang: str = "zh") -> bytes:
    """The handout's PDF bytes: ``title`` and the ``context`` line (as-of time and filters, plain text),
    the ``cards`` of ``overview.kpi_cards``, the ``attention_units`` of counties and departments and the
    ``county_ranking``. One A4 page, whatever the number of counties."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    _fonts(pdf)
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*TEXT_RGB)
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*MUTED_RGB)
    pdf.multi_cell(0, 4, context, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _heading(pdf, t("kpi.header", lang))
    _cards(pdf, cards, lang)
    _heading(pdf, t("attention.header", lang))
    top = pdf.get_y()
    half = (PAGE_W - 2 * MARGIN - 6) / 2
    _attention(pdf, counties, "county", MARGIN, half, lang)
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    _attention(pdf, departments, "dept", MARGIN + half + 6, half, lang)
    pdf.set_xy(MARGIN, max(left_bottom, pdf.get_y()) + 3)
    _heading(pdf, t("ranking.header", lang))
    _ranking(pdf, ranking, lang)
    pdf.set_xy(MARGIN, PAGE_H - MARGIN - 4)
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(*MUTED_RGB)
    pdf.cell(0, 4, t("handout.footer", lang))
    return bytes(pdf.output())

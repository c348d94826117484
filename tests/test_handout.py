"""The one-page A4 handout of the Overview (xiaoneng.handout) on the hand-counted fixture: one page,
and the numbers the page shows."""

from __future__ import annotations

import io

import pytest

from tests.test_overview import OCTOBER, lower_minimum  # noqa: F401 (a fixture)
from xiaoneng import handout, overview

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF back (requirements-dev.txt)")
pytestmark = pytest.mark.skipif(not handout.fonts_available(), reason="fonts-noto-cjk is not installed")


def _handout(view, lang: str = "zh") -> tuple[bytes, dict]:
    frames = {"cards": overview.kpi_cards(view, OCTOBER, lang),
              "ranking": overview.county_ranking(view, OCTOBER, lang)}
    frames["counties"] = overview.attention_units(frames["ranking"], 3, lang)
    frames["departments"] = overview.attention_units(overview.department_ranking(view, OCTOBER, lang), 3, lang)
    pdf = handout.handout_pdf("清河市效能总览 · 2026年10月", "数据截至 2026-10-30 17:00（快照 handcount）", lang=lang,
                              **frames)
    return pdf, frames


def _text(pdf: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # pypdf reads fpdf2's two-byte CID text with a NUL before each character (pdftotext does not)
    text = "".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), text.replace("\x00", "").replace(" ", "")


@pytest.mark.usefixtures("lower_minimum")
def test_the_handout_is_one_page_with_the_numbers_of_the_page(handcount_view):
    pdf, frames = _handout(handcount_view)
    pages, text = _text(pdf)
    assert pages == 1
    assert "清河市效能总览·2026年10月" in text and "handcount" in text
    for card in frames["cards"].itertuples():  # every headline value and its 环比 as the cards show them
        assert card.label.replace(" ", "") in text and card.value_text.replace(" ", "") in text
        assert card.delta_text.replace(" ", "") in text
    assert "8件" in text  # 办件量 of October
    for name, score in (("甲区", "72.5"), ("乙县", "40.9")):  # the ranking
        assert name in text and score in text
    assert "人社局" in text and "市场监管局" in text and "第2/2名" in text and "末位" in text and "退步" in text
    assert "5项未达标" in text


@pytest.mark.usefixtures("lower_minimum")
def test_many_counties_still_fit_one_page(handcount_view):
    _, frames = _handout(handcount_view)
    ranking = frames["ranking"]
    many = ranking.loc[ranking.index.repeat(20)].reset_index(drop=True)
    many["unit_name"] = [f"县{i:02d}" for i in range(len(many))]
    big = handout.handout_pdf("标题", "上下文", frames["cards"], frames["counties"], frames["departments"], many)
    pages, text = _text(big)
    assert pages == 1 and "县00" in text and "县39" in text


def test_plain_drops_the_card_markup():
    card_line = "同比 :red[↑ +8.5%]  \n:red-badge[未达标] 超出 0.13 工作日"
    assert handout.plain(card_line) == "同比 ↑ +8.5%\n未达标 超出 0.13 工作日"

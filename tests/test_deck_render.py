"""The deck as people will see it: LibreOffice (Debian's soffice) renders each deck to PDF, poppler to PNG.

Decks of the hand-counted fixture and of a small demo city (real county, department and item names: the
long ones are what overflows) are converted in one soffice run with a private profile, so parallel runs
do not clash. Microsoft YaHei, the deck's font, is not on Linux: a private fontconfig file maps it to
Noto Sans CJK SC (fonts-noto-cjk, installed by ``make browser``), whose metrics are close. Checks: one
page per slide, the Chinese is text set in a CJK font, no page is blank, and no text strays out of the
title bar or into the footer. The PNGs go to tests/artifacts/deck/ (git-ignored) for a look.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image
from pptx import Presentation

from xiaoneng import briefing, deck, demo
from xiaoneng.filters import Filters, Period
from xiaoneng.metrics import SnapshotView
from xiaoneng.snapshots import SnapshotStore

SOFFICE = Path("/usr/bin/soffice")
POPPLER = [Path(f"/usr/bin/{tool}") for tool in ("pdftoppm", "pdftotext", "pdfinfo", "pdffonts")]
CONVERT_TIMEOUT = 120.0
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "deck"
DEMO_CASES = 30_000
POINTS = 72  # per inch, the PDF's unit
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>Microsoft YaHei</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
"""

pytestmark = pytest.mark.skipif(not SOFFICE.exists() or not all(p.exists() for p in POPPLER),
                                reason="LibreOffice (soffice) or poppler is not installed (make browser installs them)")

OCTOBER = Period.parse("2026-10")
DECKS = {  # name: (snapshot, filters, language)
    "handcount": ("handcount", Filters(OCTOBER), "zh"),
    "handcount-future": ("handcount", Filters(Period.parse("2026-12")), "zh"),  # 无数据 on every slide
    "demo": ("demo", Filters(OCTOBER), "zh"),
    "demo-C06": ("demo", Filters(OCTOBER, counties=("C06",)), "zh"),
    "demo-en": ("demo", Filters(OCTOBER), "en"),
}


@dataclass(frozen=True)
class Rendered:
    view: SnapshotView
    filters: Filters
    lang: str
    pptx: Path
    pdf: Path
    pngs: list[Path]

    @property
    def slides(self):
        return list(Presentation(str(self.pptx)).slides)


def _run(command: list[str], timeout: float, env: dict[str, str] | None = None) -> str:
    """Run a tool in its own process group; on a timeout the whole group (soffice.bin too) is ended."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                               start_new_session=True)
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    assert process.returncode == 0, out.decode("utf-8", "replace")
    return out.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def rendered(handcount_store, tmp_path_factory) -> dict[str, Rendered]:
    folder = tmp_path_factory.mktemp("deck")
    store = SnapshotStore(folder / "snapshots")
    demo.build_demo_snapshot(store, "demo", cases=DEMO_CASES)
    views = {"handcount": SnapshotView(SnapshotStore(handcount_store).get("handcount")),
             "demo": SnapshotView(store.get("demo"))}
    for name, (snapshot, filters, lang) in DECKS.items():
        (folder / f"{name}.pptx").write_bytes(deck.deck_bytes(views[snapshot], filters, lang))
    (folder / "fonts.conf").write_text(FONTS_CONF, encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(folder / "fonts.conf")}
    _run([str(SOFFICE), f"-env:UserInstallation=file://{folder}/lo-profile", "--headless", "--convert-to", "pdf",
          "--outdir", str(folder / "pdf"), *(str(folder / f"{name}.pptx") for name in DECKS)], CONVERT_TIMEOUT, env)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    (folder / "png").mkdir()
    out = {}
    for name, (snapshot, filters, lang) in DECKS.items():
        pdf = folder / "pdf" / f"{name}.pdf"
        _run(["pdftoppm", "-r", "60", "-png", str(pdf), str(folder / "png" / name)], 60)
        pngs = sorted((folder / "png").glob(f"{name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        for png in pngs:
            shutil.copy(png, ARTIFACTS / png.name)
        out[name] = Rendered(views[snapshot], filters, lang, folder / f"{name}.pptx", pdf, pngs)
    return out


def _words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, every word poppler finds: (x min, y min, x max, y max) in points from the top left, text."""
    xhtml = _run(["pdftotext", "-bbox", str(pdf), "-"], 60)
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml))
    pages = root.iter("{http://www.w3.org/1999/xhtml}page")
    return [[(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")), w.text or "")
             for w in page.iter("{http://www.w3.org/1999/xhtml}word")] for page in pages]


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("name", list(DECKS))
def test_one_page_per_slide_and_the_chinese_is_text_in_a_cjk_font(rendered, name):
    deck_ = rendered[name]
    info = _run(["pdfinfo", str(deck_.pdf)], 30)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])
    assert pages == len(deck_.slides) == len(deck_.pngs) == 1 + len(briefing.meeting_config().views)
    text = _bare(_run(["pdftotext", str(deck_.pdf), "-"], 30))
    config = briefing.meeting_config()
    assert _bare(config.city(deck_.lang)) in text
    for view in briefing.build_views(deck_.view, deck_.filters, deck_.lang):
        assert _bare(view.title) in text
    assert "CJK" in _run(["pdffonts", str(deck_.pdf)], 30)  # not boxes: glyphs from a CJK font


def test_hand_counted_numbers_reach_the_page(rendered):
    pages = _run(["pdftotext", "-layout", str(rendered["handcount"].pdf), "-"], 30).split("\f")
    assert "60.0%" in pages[1]  # the October 按期办结率 on the KPI card: 3 of the 5 cases due
    assert "清河市作风效能情况汇报" in _bare(pages[0])
    assert "截至10月30日" in _bare(pages[1])  # October is still running at the snapshot


def test_a_deck_without_data_says_so_on_every_page(rendered):
    pages = _run(["pdftotext", str(rendered["handcount-future"].pdf), "-"], 30).split("\f")
    for page in pages[1:1 + len(briefing.meeting_config().views)]:
        assert "无数据" in _bare(page)


@pytest.mark.parametrize("name", list(DECKS))
def test_no_page_is_blank(rendered, name):
    for i, png in enumerate(rendered[name].pngs):
        image = Image.open(png).convert("RGB")
        colors = {rgb: count for count, rgb in image.getcolors(image.width * image.height)}
        ink = 1 - colors.get((255, 255, 255), 0) / (image.width * image.height)
        assert ink > 0.05, f"{png.name}: {ink:.1%} ink"
        assert len(colors) > 50, png.name  # text and charts, not a flat fill
        band = image.getpixel((5, 5))  # the dark blue title band of every slide
        assert max(abs(a - b) for a, b in zip(band, (0x1F, 0x4E, 0x79), strict=True)) < 12, (png.name, i, band)


@pytest.mark.parametrize("name", list(DECKS))
def test_text_stays_in_its_place(rendered, name):
    """The title inside the title bar, the footer alone below the rule, every word on the page: an
    overflowing table, a wrapped title or a card's runaway line would break one of these."""
    deck_ = rendered[name]
    band = 1.0 * POINTS
    rule = (deck.FOOTER_TOP - 0.06) * POINTS
    footer = briefing.footer_text(deck_.view, deck_.filters, deck_.lang)
    for number, (slide, words) in enumerate(zip(deck_.slides, _words(deck_.pdf), strict=True), start=1):
        for x0, y0, x1, y1, text in words:
            assert x0 >= 0 and y0 >= 0 and x1 <= deck.SLIDE_W * POINTS and y1 <= deck.SLIDE_H * POINTS, (number, text)
        if number == 1:
            continue
        top = [w for w in words if w[1] < band]
        assert all(w[3] <= band for w in top), (number, [w[4] for w in top if w[3] > band])
        # the view's title, and the period on the right of the bar (截至 M月D日 while it runs), in the
        # order poppler happens to read them
        title, period = (next(s for s in slide.shapes if s.name == n).text_frame.text for n in ("Title", "Period"))
        assert _bare("".join(w[4] for w in top)) in (_bare(title + period), _bare(period + title)), number
        straddling = [w[4] for w in words if w[1] < rule < w[3]]
        assert straddling == [], (number, straddling)
        bottom = sorted((w for w in words if w[1] >= rule), key=lambda w: (round(w[1]), w[0]))
        # the footer (on two lines when long: a running period adds 截至 M月D日) and the page number at the
        # right of its first line
        below, page = _bare("".join(w[4] for w in bottom)), _bare(f"{number} / {len(deck_.slides)}")
        assert page in below and below.replace(page, "", 1) == _bare(footer), number

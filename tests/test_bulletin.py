"""The 通报 draft (xiaoneng.bulletin) on the hand-counted fixture, its .docx and .txt, the page in
AppTest and the command line.

Every expected number is counted by hand from tests/handcount.py (snapshot time Friday 2026-10-30
17:00), October 2026 against September 2026 (环比) and October 2025 (同比, nothing yet):

    办件量          Oct: K06–K13 = 8; Sep: K05 = 1 → +700.0 %; Oct 2025: 0 → +8 件 (no percent from zero)
    平均办理时长    K05 9, K10 3, K11 0, K13 6 → 4.50 ≤ 5.00: met; Sep/2025: nothing completed
    按时办结率      K05, K10, K11 on time of K05, K10, K11, K13 + K06 open overdue → 3/5 = 60.0 %, 35.0 short
    超期件（红灯）  K06 (D01 市场监管局, C02 乙县); Sep and Oct 2025: 0 → +1 件; ≤ 0: 1 over.
                    Its deadline 10-22: working days past it 10-23, 10-26 … 10-30 → 6.
    临期件（黄灯）  K07 (D01), K08 (D02) → 2
    网办率          K06, K07, K10, K13 of 8 = 50.0 %; Sep: K05 window 0 % → +50.0 points; 10.0 short of 60
    满意率          R1, R3, R5 of R1–R6, R8 = 3/7 = 42.9 %, 55.1 short of 98
    差评整改率      due R2 (rectified late, D02 人社局), R4 (pending past its due time, D01); R6 unfounded,
                    R8 not yet due → 1/2 = 50.0 %, on time 0/2 = 0.0 %
    满意度指数      2026H1 S1–S4: 5, 4, 3, 2 → mean 3.5 → (3.5 − 1) × 25 = 62.5; Sep: the same wave →
                    unchanged; Oct 2025: 2025H2 S5 1, S6 3 → mean 2 → 25.0 → +37.5; 22.5 short of 85

Composite score (weights: mean time 10, on time 20, immediate 5, early 5, online 10, bad rate 5,
satisfied 10, rectification 10, survey 15, tasks 10; attainment = value ÷ target, capped at 1, lower-
better target ÷ value; Σ weight × attainment ÷ Σ weight of the indicators with a value):

    甲区 C01   mean (9+0+6)/3 = 5 → 1; on time K05, K11 of +K13 = 66.7 % → 0.702; immediate K11 → 1;
               early K05 of 3 = 33.3 % → 0.556; online K07, K13 of 4 → 0.833; bad R2 of R1, R2, R5 =
               33.3 % → 1/33.3 = 0.03; satisfied 2/3 → 0.680; rectification R2 → 1; survey S1, S2 87.5
               → 1; tasks T1 on time, T3 open of 2 → 0.526 → 77.4
    乙县 C02   mean 3 → 1; on time K10 of +K06 → 0.526; no immediate; early 0; online K06, K10 of 4 →
               0.833; bad 3/4 → 0.0133; satisfied R3 1/4 → 0.255; rectification R4 0/1 → 0; survey
               S3, S4 37.5 → 0.441; tasks T2 late → 0 → 38.095 / 95 = 40.1
    市场监管局 D01  mean 9 → 0.556; on time K05 of +K06 → 0.526; early K05 1/1 → 1; online 2/4 → 0.833;
               bad 2/3 → 0.015; satisfied 1/3 → 0.340; rectification 0; survey 87.5 → 1; tasks T1 → 1
               → 57.89 / 95 = 60.9
    人社局 D02  mean 3 → 1; on time K10, K11 of +K13 → 0.702; immediate 1; early 0; online 2/4 →
               0.833; bad 2/4 → 0.02; satisfied 2/4 → 0.510; rectification R2 → 1; survey 37.5 →
               0.441; tasks T2 late, T3 open → 0 → 59.2

September ranks are the same (only the survey and 网办率 count then: C01/D01 online K05 0 %, survey
87.5 → 60.0; C02/D02 survey 37.5 → 44.1), so every rank change is 持平. With two units of each kind
the 红榜 and 黑榜 hold one each (red_black_size 3, at most half of the ranked units).

March 2026 against February (the fall of the on-time rate): February C01/D01 K01 on time, K02 due
02-28 and open at the end of February but not overdue → 100.0 %; March K02 completed 03-02, late →
0.0 %, on item I02 个体工商户登记 (promised 5, elapsed 6: P90 6.0, 1.0 over the promise).
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from xiaoneng import bulletin
from xiaoneng.briefing import load_config
from xiaoneng.cli import main
from xiaoneng.filters import Filters, Period

OCTOBER = Filters(Period.parse("2026-10"))
MARCH = Filters(Period.parse("2026-03"))
PAGE = Path(__file__).resolve().parent.parent / "pages" / "bulletin.py"
TITLE = "关于清河市2026年10月作风效能情况的通报"
HEADINGS = ["一、总体情况", "二、红黑榜", "三、存在的问题", "四、整改要求"]


@pytest.fixture(scope="module")
def october(handcount_view) -> bulletin.Bulletin:
    return bulletin.draft(handcount_view, OCTOBER, "zh")


def section(b: bulletin.Bulletin, heading: str) -> tuple[str, ...]:
    return dict(b.sections)[heading]


# ---------------------------------------------------------------- the draft

def test_structure_of_the_october_bulletin(october):
    assert october.title == TITLE
    assert october.preamble == (
        "各区县、市直各部门：",
        "根据效能看板数据（快照 handcount，数据截至2026年10月30日17:00），现将2026年10月全市作风效能情况通报如下。",
    )
    assert [h for h, _ in october.sections] == HEADINGS
    assert october.closing == ("清河市效能办", "2026年10月30日")  # the snapshot's date


def test_overall_situation_every_headline_number_with_change_and_target(october):
    numbers, summary = section(october, "一、总体情况")
    assert numbers == (
        "2026年10月，全市作风效能主要指标情况如下："
        "办件量8件，环比增长700.0%，同比增加8件；"
        "平均办理时长4.50工作日，达到目标（≤ 5.00工作日）；"
        "按时办结率60.0%，未达到目标（≥ 95.0%），差35.0个百分点；"
        "超期件（红灯）1件，环比增加1件，同比增加1件，未达到目标（≤ 0件），超出1件；"
        "网办率50.0%，环比上升50.0个百分点，未达到目标（≥ 60.0%），差10.0个百分点；"
        "满意率42.9%，未达到目标（≥ 98.0%），差55.1个百分点；"
        "差评整改率50.0%，未达到目标（≥ 100.0%），差50.0个百分点；"
        "满意度指数62.5分，环比持平，同比上升37.5分，未达到目标（≥ 85.0分），差22.5分。"
    )
    assert summary == "6项指标未达到目标：按时办结率、超期件（红灯）、网办率、满意率、差评整改率、满意度指数。"


def test_red_and_black_lists_with_score_and_rank_change(october):
    assert section(october, "二、红黑榜") == (
        "按综合绩效得分（满分100分），2026年10月各区县排名依次为："
        "甲区（77.4分，第1名，名次与上期持平）、乙县（40.1分，第2名，名次与上期持平）。",
        "区县红榜：甲区（77.4分，第1名，名次与上期持平）。区县黑榜：乙县（40.1分，第2名，名次与上期持平）。",
        "部门红榜：市场监管局（60.9分，第1名，名次与上期持平）。部门黑榜：人社局（59.2分，第2名，名次与上期持平）。",
    )


def test_problems_overdue_cases_reviews_and_no_decline(october):
    overdue, reviews, decline = section(october, "三、存在的问题")
    assert overdue == ("（一）超期未办结问题。截至2026年10月30日17:00，"
                       "全市在办件中超期件（红灯）1件、临期件（黄灯）2件。超期件较多的部门：市场监管局1件（最长超期6工作日）。")
    assert reviews == ("（二）差评整改不及时问题。2026年10月经核实应整改的差评2件，已整改1件，差评整改率50.0%，"
                       "差评按时整改率0.0%。逾期未整改1件：市场监管局1件。超过整改期限才整改1件：人社局1件。")
    # September has no on-time rate (nothing completed, nothing overdue): nothing can have fallen
    assert decline == "（三）效能下滑问题。与上期（2026年9月）相比，没有按时办结率下降的区县和部门。"


def test_units_asked_to_rectify_come_from_the_findings(october, handcount_view):
    assert section(october, "四、整改要求") == (
        "请以下单位对照本通报指出的问题，认真分析原因，逐项制定整改措施：",
        "1. 乙县：列入区县黑榜（40.1分）。",
        "2. 人社局：列入部门黑榜（59.2分）；超期整改差评1件。",
        "3. 市场监管局：超期件（红灯）1件；逾期未整改差评1件。",
        "请上述单位于10个工作日内将整改情况书面报送清河市效能办。",
    )
    five = bulletin.draft(handcount_view, OCTOBER, "zh", days=5)
    assert section(five, "四、整改要求")[-1] == "请上述单位于5个工作日内将整改情况书面报送清河市效能办。"


def test_deteriorating_units_with_the_items_responsible(handcount_view):
    march = bulletin.draft(handcount_view, MARCH, "zh")
    decline = section(march, "三、存在的问题")[2]
    item = "主要涉及“个体工商户登记”（未按时办结1件，P90用时6.0工作日，超出承诺时限1.0工作日）"
    assert decline == (
        "（三）效能下滑问题。"
        f"与上期（2026年2月）相比，按时办结率下降的区县：甲区由100.0%降至0.0%（下降100.0个百分点），{item}。"
        f"与上期（2026年2月）相比，按时办结率下降的部门：市场监管局由100.0%降至0.0%（下降100.0个百分点），{item}。"
    )
    rectify = section(march, "四、整改要求")
    assert "甲区：按时办结率下降100.0个百分点" in "".join(rectify)
    assert "市场监管局：按时办结率下降100.0个百分点" in "".join(rectify)


def test_a_small_fall_is_not_a_finding(handcount_view):
    # March: 甲区 and 市场监管局 fell by exactly 100.0 points; 乙县 and 人社局 have no March rate
    assert list(bulletin.declining_units(handcount_view, MARCH, "county", min_fall=100.0)["unit_name"]) == ["甲区"]
    assert bulletin.declining_units(handcount_view, MARCH, "dept", min_fall=100.1).empty


def test_a_county_bulletin_counts_that_county_only(handcount_view):
    c02 = bulletin.draft(handcount_view, dataclasses.replace(OCTOBER, counties=("C02",)), "zh")
    assert c02.title == "关于清河市乙县2026年10月作风效能情况的通报"
    assert c02.preamble[0] == "乙县各有关单位："
    overall = section(c02, "一、总体情况")[0]
    assert "办件量4件" in overall  # K06, K08, K10, K12
    assert "按时办结率50.0%" in overall  # K10 on time of K10 + K06 open overdue
    ranking = section(c02, "二、红黑榜")
    assert "乙县综合绩效得分40.1分，在全市2个区县中排第2名（名次与上期持平）。" in ranking
    overdue, reviews, _ = section(c02, "三、存在的问题")
    assert "超期件（红灯）1件、临期件（黄灯）1件" in overdue  # K06; K08
    assert reviews == ("（二）差评整改不及时问题。2026年10月经核实应整改的差评1件，已整改0件，差评整改率0.0%，"
                       "差评按时整改率0.0%。逾期未整改1件：市场监管局1件。")  # R4 only
    assert section(c02, "四、整改要求")[1] == "1. 乙县：列入区县黑榜（40.1分）。"
    # 甲区's bulletin shows the city's black list but does not ask 乙县 to rectify
    c01 = bulletin.draft(handcount_view, dataclasses.replace(OCTOBER, counties=("C01",)), "zh")
    assert "区县黑榜：乙县" in "".join(section(c01, "二、红黑榜"))
    assert "乙县" not in "".join(section(c01, "四、整改要求"))


def test_english_is_plainer_but_the_same_numbers(handcount_view):
    en = bulletin.draft(handcount_view, OCTOBER, "en")
    assert en.title == "Bulletin on work style and efficiency: Qinghe City, 2026-10"
    assert [h for h, _ in en.sections] == ["I. Overall situation", "II. Red and black lists", "III. Problems found",
                                           "IV. Rectification required"]
    overall = section(en, "I. Overall situation")[0]
    assert "On-time rate 60.0%, misses the target (≥ 95.0%) by 35.0 pp" in overall
    assert "Cases accepted 8 cases, up 700.0% vs previous period, up 8 cases vs last year" in overall
    assert "County black list: Yi County (40.1, rank 2, same rank as the previous period)." in \
        section(en, "II. Red and black lists")[1]
    assert en.closing == ("Qinghe City Efficiency Office", "2026-10-30")
    assert bulletin.from_text(en.to_text()) == en


# ---------------------------------------------------------------- text, edits, files

def test_text_round_trip(october, handcount_view):
    assert bulletin.from_text(october.to_text()) == october
    march = bulletin.draft(handcount_view, MARCH, "zh")
    assert bulletin.from_text(march.to_text()) == march
    text = october.to_text()
    assert text.startswith(TITLE + "\n\n各区县、市直各部门：\n\u3000\u3000根据")  # the addressee is not indented
    assert "\n一、总体情况\n\u3000\u30002026年10月" in text


def test_edited_text_is_read_back():
    edited = ("关于甲区的通报\r\n\r\n各单位：\r\n\u3000\u3000开头。\r\n\r\n"
              "一、情况\r\n\u3000\u3000第一段。\r\n第二段。\r\n\r\n"
              "二、要求\r\n\u3000\u3000请整改。\r\n\r\n\r\n清河市效能办\r\n2026年11月2日\r\n")
    assert bulletin.from_text(edited) == bulletin.Bulletin(
        "关于甲区的通报", ("各单位：", "开头。"), (("一、情况", ("第一段。", "第二段。")), ("二、要求", ("请整改。",))),
        ("清河市效能办", "2026年11月2日"))
    # without a date at the end there is no 落款: the lines stay paragraphs of the last section
    assert bulletin.from_text("标题\n\n一、情况\n正文\n\n签名\n").sections == (("一、情况", ("正文", "签名")),)
    assert bulletin.from_text("  \n") == bulletin.Bulletin("")


def test_txt_is_plain_utf8_with_crlf(october):
    raw = bulletin.to_txt(october)
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM
    # title, blank, 2 preamble lines, blank, 一 + 2, blank, 二 + 3, blank, 三 + 3, blank, 四 + 5, blank, 落款 2
    assert raw.count(b"\n") == raw.count(b"\r\n") == 28
    assert raw.decode("utf-8").splitlines()[0] == TITLE
    assert bulletin.from_text(raw.decode("utf-8")) == october


def _east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_docx_round_trip_and_fonts(october):
    document = docx.Document(io.BytesIO(bulletin.to_docx(october)))
    paragraphs = [p for p in document.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    assert texts[0] == TITLE
    assert paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    for heading in HEADINGS:
        assert heading in texts
    by_text = dict(zip(texts, paragraphs, strict=True))
    heading = by_text["一、总体情况"]
    assert heading.runs[0].bold and _east_asia(heading.runs[0]) == "黑体"
    body = by_text[section(october, "二、红黑榜")[0]]
    assert _east_asia(body.runs[0]) == "仿宋" and body.runs[0].font.name == "Times New Roman"
    problem = by_text[section(october, "三、存在的问题")[0]]
    assert (problem.runs[0].text, _east_asia(problem.runs[0])) == ("（一）超期未办结问题。", "楷体")
    assert _east_asia(problem.runs[1]) == "仿宋"
    assert texts[-2:] == ["清河市效能办", "2026年10月30日"]
    assert paragraphs[-1].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # every paragraph of the bulletin is in the document, in order
    assert texts == [october.title, *october.preamble, *(line for h, ps in october.sections for line in (h, *ps)),
                     *october.closing]


def test_file_name_is_the_title(october):
    assert bulletin.file_name(october, ".docx", "通报草稿") == f"{TITLE}.docx"
    assert bulletin.file_name(bulletin.Bulletin('a/b:"c"'), ".txt", "x") == "abc.txt"
    assert bulletin.file_name(bulletin.Bulletin(""), ".txt", "通报草稿_20261030") == "通报草稿_20261030.txt"


def test_rectify_days_is_checked(tmp_path):
    seven, zero = tmp_path / "seven.yaml", tmp_path / "zero.yaml"
    seven.write_text("bulletin_rectify_days: 7\nviews: [headline_kpis]\n", encoding="utf-8")
    zero.write_text("bulletin_rectify_days: 0\nviews: [headline_kpis]\n", encoding="utf-8")
    assert load_config(seven).rectify_days == 7
    with pytest.raises(ValueError, match=r"zero\.yaml: bulletin_rectify_days"):
        load_config(zero)


# ---------------------------------------------------------------- the page

@pytest.fixture
def downloads(monkeypatch) -> list[tuple[str | None, bytes]]:
    """(file name, bytes) of every file the page hands to a download button."""
    files: list[tuple[str | None, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        files.append((filename, path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def _text_box(at):
    return at.text_area(key="bulletin_text")


def test_page_shows_the_draft_and_follows_the_county_filter(page):
    at = page.run()
    assert not at.exception
    text = _text_box(at).value
    assert text.startswith(TITLE)
    assert "按时办结率60.0%" in text and "办件量8件" in text
    at.multiselect(key="filter_counties").set_value(["C01"]).run()
    text = _text_box(at).value
    assert text.startswith("关于清河市甲区2026年10月作风效能情况的通报")
    assert "办件量4件" in text  # K07, K09, K11, K13
    assert "按时办结率66.7%" in text  # K05, K11 on time of K05, K11, K13


def test_page_downloads_the_edited_text_and_restores_the_draft(page, downloads):
    at = page.run()
    generated = _text_box(at).value
    assert at.button(key="bulletin_restore").disabled
    edited = generated.replace("请上述单位于10个工作日内", "请上述单位于3个工作日内").replace(
        "三、存在的问题", "三、存在的突出问题")
    downloads.clear()
    _text_box(at).input(edited).run()
    assert not at.exception
    files = dict(downloads)
    document = docx.Document(io.BytesIO(files[f"{TITLE}.docx"]))
    texts = [p.text for p in document.paragraphs]
    assert "三、存在的突出问题" in texts and "三、存在的问题" not in texts
    assert "请上述单位于3个工作日内将整改情况书面报送清河市效能办。" in texts
    txt = files[f"{TITLE}.txt"].decode("utf-8")
    assert "\r\n三、存在的突出问题\r\n" in txt and "3个工作日内" in txt
    # restore: the generated draft again
    at.button(key="bulletin_restore").click().run()
    assert _text_box(at).value == generated
    assert at.button(key="bulletin_restore").disabled


# ---------------------------------------------------------------- command line

def test_cli_writes_docx_and_txt(handcount_store, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    out = tmp_path / "通报.docx"
    assert main(["bulletin", "--snapshot", "handcount", "--period", "2026-10", "--out", str(out)]) == 0
    assert docx.Document(str(out)).paragraphs[0].text == TITLE
    txt = tmp_path / "jia.txt"
    assert main(["bulletin", "--snapshot", "handcount", "--period", "2026-10", "--county", "甲区", "--out",
                 str(txt)]) == 0
    text = txt.read_bytes().decode("utf-8")
    assert text.startswith("关于清河市甲区2026年10月作风效能情况的通报\r\n") and "办件量4件" in text
    assert main(["bulletin", "--snapshot", "handcount", "--period", "2026-10", "--county", "C02", "--lang", "en",
                 "--out", str(txt)]) == 0
    assert txt.read_text(encoding="utf-8").startswith("Bulletin on work style and efficiency: Qinghe City, Yi County")


def test_cli_refuses_an_unknown_county_and_a_wrong_file_type(handcount_store, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    out = tmp_path / "x.docx"
    assert main(["bulletin", "--snapshot", "handcount", "--period", "2026-10", "--county", "C99", "--out",
                 str(out)]) == 2
    assert "C99" in capsys.readouterr().err and not out.exists()
    pdf = tmp_path / "x.pdf"
    assert main(["bulletin", "--snapshot", "handcount", "--out", str(pdf)]) == 2
    assert not pdf.exists()

"""The 通报 draft (xiaoneng.bulletin) on the hand-counted fixture, its .docx and .txt, the page in
AppTest and the command line.

Every expected number is counted by hand from tests/handcount.py (snapshot time Friday 2026-10-30
17:00). October 2026 is still running then: its figures reach 10-30 (截至10月30日) and it is compared
like for like, with 2026-09-01..09-30 (环比) and 2025-10-01..10-30 (同比: before the data, which start
2026-02-01, so 无可比数据 for every indicator):

    办件量          Oct K06–K13 = 8; Sep K05 = 1 → +700.0 %
    平均办理时长    承诺件 completed: K05 9, K10 3, K13 6 → 6.00 > 3.00: 3.00 over; Sep: none completed →
                    无可比数据
    按期办结率      due in Oct and passed: K05, K06, K10, K11, K13 (K07 is due on the snapshot's day, K12 was
                    withdrawn before its deadline); by the deadline K05, K10, K11 → 3/5 = 60.0 %, 35.0 short
                    of 95; Sep: nothing due → 无可比数据
    办结件按时率    completed with a deadline K05, K10, K11, K13, on time 3 → 75.0 % (not a headline)
    超期在办件（红灯）  K06 (D01 市场监管局, C02 乙县); at the end of Sep none (K05 due 10-22) → +1 件; ≤ 0: 1
                    over. Its deadline 10-22: working days past it 10-23, 10-26 … 10-30 → 6.
    临期件（黄灯）  K07 (D01), K08 (D02) → 2
    网办率          K06, K07, K10, K13 of 8 = 50.0 %; Sep: K05 window 0 % → +50.0 points; 8.0 short of 58
    满意率          R1, R3, R5 of R1–R6, R8 = 3/7 = 42.9 %, 53.1 short of 96; Sep: no review → 无可比数据
    差评整改率      fell due in Oct: R2 (due 10-29, rectified 10-30: late, D02 人社局), R4 (due 10-28, pending,
                    D01); R6 unfounded, R8 due 11-06 → 1/2 = 50.0 %, on time 0/2 = 0.0 %; 45.0 short of 95
    满意度指数      2026H1 (completed 06-30) S1–S4: 5, 4, 3, 2 → mean 3.5 → (3.5 − 1) × 25 = 62.5; Sep: the
                    same wave → 持平; 20.5 short of 83

Composite score (weights: mean time 10, on time 20, immediate 5, early 5, online 10, bad rate 5,
satisfied 10, rectification 10, survey 15, tasks 10; attainment = value ÷ target, capped at 1, lower-
better target ÷ value; Σ weight × attainment ÷ Σ weight of the indicators with a value):

    甲区 C01   承诺件 K05 9, K13 6 → 7.5: 3/7.5 = 0.4; due K05, K11 on time, K13 late → 66.7/95 = 0.702;
               immediate K11 → 1; early K05 of K05, K13 → 50/85 = 0.588; online K07, K13 of K07, K09, K11,
               K13 → 50/58 = 0.862; bad R2 of R1, R2, R5 → 3/33.3 = 0.09; satisfied 2/3 → 66.7/96 = 0.694;
               rectification R2 → 1; survey S1, S2 87.5 → 1; tasks due T1 on time, T3 open (T5's day has
               not closed) → 50/90 = 0.556 → 4 + 14.04 + 5 + 2.94 + 8.62 + 0.45 + 6.94 + 10 + 15 + 5.56 = 72.5
    乙县 C02   承诺件 K10 3 → 1; due K06 missed, K10 on time → 50/95 = 0.526; no immediate item; early 0/1;
               online K06, K10 of K06, K08, K10, K12 → 0.862; bad R4, R8 of R3, R4, R6, R8 (R6 unfounded)
               → 3/50 = 0.06; satisfied R3 1/4 → 25/96 = 0.260; rectification R4 0/1 → 0; survey S3, S4 37.5
               → 0.452; tasks T2 late → 0 → (10 + 10.53 + 8.62 + 0.3 + 2.60 + 6.78) / 95 = 40.9
    市场监管局 D01  承诺件 K05 9 → 3/9 = 0.333; due K05 on time, K06 missed → 0.526; early K05 1/1 → 1;
               online K06, K07 of K06, K07, K09, K12 → 0.862; bad R4, R8 of R1, R4, R8 → 3/66.7 = 0.045;
               satisfied R1 1/3 → 0.347; rectification R4 → 0; survey 87.5 → 1; tasks T1 → 1
               → (3.33 + 10.53 + 5 + 8.62 + 0.23 + 3.47 + 15 + 10) / 95 = 59.1
    人社局 D02  承诺件 K10 3, K13 6 → 4.5: 3/4.5 = 0.667; due K10, K11 on time, K13 late → 0.702;
               immediate K11 → 1; early 0/2 → 0; online K10, K13 of K08, K10, K11, K13 → 0.862; bad R2 of
               R2, R3, R5, R6 → 3/25 = 0.12; satisfied R3, R5 2/4 → 0.521; rectification R2 → 1; survey 37.5
               → 0.452; tasks T2 late, T3 open → 0 → 6.67 + 14.04 + 5 + 8.62 + 0.6 + 5.21 + 10 + 6.78 = 56.9

Ranks in 1–30 September: only 甲区 and 市场监管局 had case data (K05, accepted 09-29 and open at the end
of the month): 甲区 and 市场监管局 持平, 乙县 and 人社局 上期无排名. Every county and department accepted 4
cases in October, fewer than rules.min_cases (30): all are 样本不足 — ranked, on no 红榜 or 黑榜, not
judged for a fall — unless a test lowers the minimum (``min_cases``). With the minimum at 4 and two
units of each kind the 红榜 and 黑榜 hold one each (red_black_size 3, at most half of the listable units).

May–June 2026 against March–April (the fall of the 按期办结率, 2026-05-01..06-30 against the 61 days
before it, 2026-03-01..04-30): March–April due K01 (03-04, completed 02-28: on time; 甲区, 市场监管局) →
100.0 %; May–June due K14 (甲区, 市场监管局; system deadline 06-30 23:59:59, completed 07-02) and K15 (乙县,
市场监管局; derived deadline 06-30, completed 07-03), both missed → 甲区 and 市场监管局 0.0 %, on item I02
个体工商户登记 (甲区 1 due case missed, 市场监管局 2; no I02 case completed in May–June: no P90). 乙县 had
nothing due in March–April: no comparison. Each of them accepted 1 or 2 cases: judged only with the
minimum at 0.
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from tests.test_briefing import min_cases as min_cases  # the fixture
from xiaoneng import bulletin
from xiaoneng.briefing import load_config
from xiaoneng.cli import main
from xiaoneng.filters import Filters, Period

OCTOBER = Filters(Period.parse("2026-10"))
MAY_JUNE = Filters(Period.parse("2026-05-01..2026-06-30"))
NO_DATA = {
    "future month": Filters(Period.parse("2026-12")),
    "uncovered year": Filters(Period.parse("2025")),  # the data start 2026-02
    "empty filter combination": Filters(Period.parse("2026-10"), counties=("C01",), channels=("kiosk",)),
}
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
    numbers, summary, rules = section(october, "一、总体情况")
    assert numbers == (
        "2026年10月（截至10月30日），全市作风效能主要指标情况如下："
        "办件量8件，环比增长700.0%，同比无可比数据；"
        "平均办理时长6.00工作日，环比、同比均无可比数据，未达到目标（≤ 3.00工作日），超出3.00工作日；"
        "按期办结率60.0%，环比、同比均无可比数据，未达到目标（≥ 95.0%），差35.0个百分点；"
        "超期在办件（红灯）1件，环比增加1件，同比无可比数据，未达到目标（≤ 0件），超出1件；"
        "网办率50.0%，环比上升50.0个百分点，同比无可比数据，未达到目标（≥ 58.0%），差8.0个百分点；"
        "满意率42.9%，环比、同比均无可比数据，未达到目标（≥ 96.0%），差53.1个百分点；"
        "差评整改率50.0%，环比、同比均无可比数据，未达到目标（≥ 95.0%），差45.0个百分点；"
        "满意度指数62.5分，环比持平，同比无可比数据，未达到目标（≥ 83.0分），差20.5分。"
    )
    assert summary == ("7项指标未达到目标：平均办理时长、按期办结率、超期在办件（红灯）、网办率、满意率、差评整改率、"
                       "满意度指数。")
    # the rules in plain words, with this period's bases: 5 due, 3 by the deadline; 3 of 4 completions on time
    assert rules == (
        "口径说明：统计期尚未结束，环比、同比按同期比较：环比对比2026年9月1日至9月30日，"
        "同比对比2025年10月1日至10月30日（不在数据范围内，无可比数据）。"
        "按期办结率以统计期内办结期限届满的应办结件为基数（本期5件，按期办结3件），每件只在期限所在的统计期计算一次，"
        "期限当日24时前办结为按期；"
        "办结件按时率是业务系统通常报送的口径，以本期办结且有办结期限的办件为基数，本期75.0%；"
        "超期在办件（红灯）是统计期末仍在办且已超过办结期限的存量，不论何时受理；"
        "受理办件少于30件的单位样本不足，列出名次，但不列入红黑榜，也不作为最好、最差或效能下滑点名。"
    )


def test_small_bases_are_ranked_but_on_no_list(october):
    assert section(october, "二、红黑榜") == (
        "按综合绩效得分（满分100分），2026年10月各区县排名依次为："
        "甲区（72.5分，第1名，样本不足，名次与上期持平）、乙县（40.9分，第2名，样本不足，上期无排名）。",
        "样本充足（受理办件不少于30件）的区县不足2个，本期不设区县红黑榜。",
        "样本充足（受理办件不少于30件）的部门不足2个，本期不设部门红黑榜。",
    )
    # nobody is asked to rectify for a black list; the findings of 三 remain
    assert section(october, "四、整改要求") == (
        "请以下单位对照本通报指出的问题，认真分析原因，逐项制定整改措施：",
        "1. 市场监管局：超期在办件（红灯）1件；逾期未整改差评1件。",
        "2. 人社局：超期整改差评1件。",
        "请上述单位于10个工作日内将整改情况书面报送清河市效能办。",
    )


def test_red_and_black_lists_with_score_and_rank_change(handcount_view, min_cases):
    min_cases(4)  # every unit accepted 4 cases in October: all may be listed
    listed = bulletin.draft(handcount_view, OCTOBER, "zh")
    assert section(listed, "二、红黑榜") == (
        "按综合绩效得分（满分100分），2026年10月各区县排名依次为："
        "甲区（72.5分，第1名，名次与上期持平）、乙县（40.9分，第2名，上期无排名）。",
        "区县红榜：甲区（72.5分，第1名，名次与上期持平）。区县黑榜：乙县（40.9分，第2名，上期无排名）。",
        "部门红榜：市场监管局（59.1分，第1名，名次与上期持平）。部门黑榜：人社局（56.9分，第2名，上期无排名）。",
    )
    assert section(listed, "四、整改要求") == (
        "请以下单位对照本通报指出的问题，认真分析原因，逐项制定整改措施：",
        "1. 乙县：列入区县黑榜（40.9分）。",
        "2. 人社局：列入部门黑榜（56.9分）；超期整改差评1件。",
        "3. 市场监管局：超期在办件（红灯）1件；逾期未整改差评1件。",
        "请上述单位于10个工作日内将整改情况书面报送清河市效能办。",
    )
    five = bulletin.draft(handcount_view, OCTOBER, "zh", days=5)
    assert section(five, "四、整改要求")[-1] == "请上述单位于5个工作日内将整改情况书面报送清河市效能办。"


def test_problems_overdue_cases_reviews_and_no_decline(october):
    overdue, reviews, decline = section(october, "三、存在的问题")
    assert overdue == ("（一）超期未办结问题。截至2026年10月30日17:00，全市仍在办且已超过办结期限的"
                       "超期在办件（红灯）1件"
                       "（期末存量，不论何时受理），临期件（黄灯）2件。超期件较多的部门：市场监管局1件（最长超期6工作日）。")
    # the reviews that fell due in October; the named counts are the rates' gaps: R4 not rectified, R2 late
    assert reviews == ("（二）差评整改不及时问题。整改期限在2026年10月内届满的经核实差评2件，到期末已整改1件，"
                       "差评整改率50.0%，差评按时整改率0.0%。逾期未整改1件：市场监管局1件。超过整改期限才整改1件：人社局1件。")
    # 1–30 September has no 按期办结率 (nothing fell due), and every unit is 样本不足 anyway
    assert decline == ("（三）效能下滑问题。与上期（2026年9月1日至9月30日）相比，没有按期办结率下降的区县和部门。"
                       "受理办件少于30件的4个单位样本不足，不作下滑判断。")


def test_deteriorating_units_with_the_due_cases_they_missed(handcount_view, min_cases):
    min_cases(0)  # judge every unit, however few its cases
    may_june = bulletin.draft(handcount_view, MAY_JUNE, "zh")
    decline = section(may_june, "三、存在的问题")[2]
    assert decline == (
        "（三）效能下滑问题。"
        "与上期（2026年3月1日至4月30日）相比，按期办结率下降的区县：甲区由100.0%降至0.0%（下降100.0个百分点），"
        "主要涉及“个体工商户登记”（到期未按期办结1件）。"
        "与上期（2026年3月1日至4月30日）相比，按期办结率下降的部门：市场监管局由100.0%降至0.0%（下降100.0个百分点），"
        "主要涉及“个体工商户登记”（到期未按期办结2件）。"
    )
    rectify = "".join(section(may_june, "四、整改要求"))
    assert "甲区：按期办结率下降100.0个百分点" in rectify
    assert "市场监管局：超期在办件（红灯）2件；逾期未整改差评1件；按期办结率下降100.0个百分点" in rectify
    # K14 and K15 were due on 06-30, the period's last day: at its close overdue by less than a working day
    assert "市场监管局2件（期限当日刚届满，超期不足1个工作日）" in section(may_june, "三、存在的问题")[0]


def test_small_bases_are_not_judged_for_a_fall(handcount_view):
    # 甲区, 乙县 and 市场监管局 have a May–June rate on 1 or 2 accepted cases (人社局 none)
    assert bulletin.declining_units(handcount_view, MAY_JUNE, "county").empty
    decline = section(bulletin.draft(handcount_view, MAY_JUNE, "zh"), "三、存在的问题")[2]
    assert decline.endswith("没有按期办结率下降的区县和部门。受理办件少于30件的3个单位样本不足，不作下滑判断。")


def test_a_small_fall_is_not_a_finding(handcount_view, min_cases):
    min_cases(0)
    # 甲区 and 市场监管局 fell by exactly 100.0 points; 乙县 had no March–April rate
    assert list(bulletin.declining_units(handcount_view, MAY_JUNE, "county", min_fall=100.0)["unit_name"]) == ["甲区"]
    assert bulletin.declining_units(handcount_view, MAY_JUNE, "dept", min_fall=100.1).empty


def test_an_uncovered_previous_period_has_no_comparable_figures(handcount_view):
    february = bulletin.draft(handcount_view, Filters(Period.parse("2026-02")), "zh")
    # the data start on 2026-02-01: January is not covered
    assert section(february, "三、存在的问题")[2] == ("（三）效能下滑问题。上期（2026年1月）不在本快照的数据范围内，"
                                                  "按期办结率无可比数据。")
    numbers = section(february, "一、总体情况")[0]
    assert "办件量4件，环比、同比均无可比数据" in numbers  # K01–K04; January and February 2025 uncovered


@pytest.mark.parametrize("case", NO_DATA)
def test_a_period_or_selection_without_data_says_so_everywhere(handcount_view, case):
    empty = bulletin.draft(handcount_view, NO_DATA[case], "zh")
    assert [h for h, _ in empty.sections] == HEADINGS
    text = "\n".join(p for _, paragraphs in empty.sections for p in paragraphs)
    # nobody ranked, named or asked to rectify; no number made of nothing
    assert "第1名" not in text and "红榜：" not in text and "黑榜：" not in text
    assert "请以下单位" not in text and "整改措施" not in text
    assert not re.search(r"(?<![\d.])0(\.0)?(件|%)", text)  # no "0件", no "0.0%"
    assert section(empty, "二、红黑榜") == ("区县本期无数据，不排名，不设红黑榜。",
                                        "部门本期无数据，不排名，不设红黑榜。")
    overdue, _, decline = section(empty, "三、存在的问题")
    assert overdue == "（一）超期未办结问题。本期无数据。"
    assert decline == "（三）效能下滑问题。本期无数据。"
    assert section(empty, "四、整改要求") == ("本期无数据，暂无整改要求。",)
    assert bulletin.from_text(empty.to_text()) == empty


def test_the_reason_a_period_has_no_data(handcount_view):
    future = bulletin.draft(handcount_view, NO_DATA["future month"], "zh")
    assert section(future, "一、总体情况") == (
        "无数据：2026年12月在快照 handcount 的数据截至日（2026年10月30日）之后，尚无数据。",)
    assert section(future, "三、存在的问题")[1] == "（二）差评整改不及时问题。本期无数据。"
    uncovered = bulletin.draft(handcount_view, NO_DATA["uncovered year"], "zh")
    assert section(uncovered, "一、总体情况") == ("无数据：2025年在快照 handcount 的数据起始日（2026年2月1日）之前。",)
    # no 甲区 case came by kiosk: only the survey index (not by channel) has a value, 87.5 from S1 5, S2 4
    nothing = bulletin.draft(handcount_view, NO_DATA["empty filter combination"], "zh")
    numbers, summary, _ = section(nothing, "一、总体情况")
    assert "办件量本期无数据；" in numbers
    assert "满意度指数87.5分，环比持平，同比无可比数据，达到目标（≥ 83.0分）" in numbers
    assert summary == ("有数据且设定目标的主要指标均已达标。7项指标本期无数据：办件量、平均办理时长、按期办结率、"
                       "超期在办件（红灯）、网办率、满意率、差评整改率。")


def test_a_running_quarter_says_how_far_it_reaches_and_compares_the_same_span(handcount_view):
    quarter = bulletin.draft(handcount_view, Filters(Period.parse("2026-Q4")), "zh")
    assert quarter.title == "关于清河市2026年第4季度作风效能情况的通报"
    numbers, _, rules = section(quarter, "一、总体情况")
    # 1–30 July accepted nothing (办件量 from 0: no percent) and completed 承诺件 K14 (7) and K15 (8): 7.5
    assert numbers.startswith("2026年第4季度（截至10月30日），全市作风效能主要指标情况如下："
                              "办件量8件，环比增加8件，同比无可比数据；"
                              "平均办理时长6.00工作日，环比下降20.0%，同比无可比数据，")
    assert rules.startswith("口径说明：统计期尚未结束，环比、同比按同期比较：环比对比2026年7月1日至7月30日，"
                            "同比对比2025年10月1日至10月30日（不在数据范围内，无可比数据）。")
    # 1–30 July has no 按期办结率 (K14, K15 were due in June): no fall to speak of
    assert section(quarter, "三、存在的问题")[2].startswith("（三）效能下滑问题。与上期（2026年7月1日至7月30日）相比，")


def test_a_county_bulletin_counts_that_county_only(handcount_view, min_cases):
    c02 = bulletin.draft(handcount_view, dataclasses.replace(OCTOBER, counties=("C02",)), "zh")
    assert c02.title == "关于清河市乙县2026年10月作风效能情况的通报"
    assert c02.preamble[0] == "乙县各有关单位："
    overall = section(c02, "一、总体情况")[0]
    assert "办件量4件" in overall  # K06, K08, K10, K12
    assert "按期办结率50.0%" in overall  # due K06 (missed) and K10 (on time)
    ranking = section(c02, "二、红黑榜")
    assert ("乙县综合绩效得分40.9分，在全市2个区县中排第2名（上期无排名）；受理办件少于30件，样本不足，不列入红黑榜。"
            in ranking)
    overdue, reviews, _ = section(c02, "三、存在的问题")
    assert "超期在办件（红灯）1件（期末存量，不论何时受理），临期件（黄灯）1件" in overdue  # K06; K08
    assert reviews == ("（二）差评整改不及时问题。整改期限在2026年10月内届满的经核实差评1件，到期末已整改0件，"
                       "差评整改率0.0%，差评按时整改率0.0%。逾期未整改1件：市场监管局1件。")  # R4 only
    assert section(c02, "四、整改要求")[1] == "1. 市场监管局：超期在办件（红灯）1件；逾期未整改差评1件。"
    min_cases(4)
    c02 = bulletin.draft(handcount_view, dataclasses.replace(OCTOBER, counties=("C02",)), "zh")
    assert section(c02, "四、整改要求")[1] == "1. 乙县：列入区县黑榜（40.9分）。"
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
    assert overall.startswith("Qinghe City, 2026-10 (through 2026-10-30): ")
    assert ("Due-date completion rate 60.0%, no comparable data vs previous period or last year, misses the target "
            "(≥ 95.0%) by 35.0 pp") in overall
    assert "Cases accepted 8 cases, up 700.0% vs previous period, no comparable data vs last year" in overall
    assert "Jia District (72.5, rank 1, small base, same rank as the previous period)" in \
        section(en, "II. Red and black lists")[0]
    assert en.closing == ("Qinghe City Efficiency Office", "2026-10-30")
    assert bulletin.from_text(en.to_text()) == en


# ---------------------------------------------------------------- text, edits, files

def test_text_round_trip(october, handcount_view):
    assert bulletin.from_text(october.to_text()) == october
    may_june = bulletin.draft(handcount_view, MAY_JUNE, "zh")
    assert bulletin.from_text(may_june.to_text()) == may_june
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
    # title, blank, 2 preamble lines, blank, 一 + 3, blank, 二 + 3, blank, 三 + 3, blank, 四 + 4 (the lead, two
    # units, the deadline), blank, 落款 2
    assert raw.count(b"\n") == raw.count(b"\r\n") == 28
    assert raw.decode("utf-8").splitlines()[0] == TITLE
    assert bulletin.from_text(raw.decode("utf-8")) == october


def _east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_docx_round_trip_and_fonts(october):
    document = docx.Document(io.BytesIO(bulletin.to_docx(october, "〔2026〕X号")))
    paragraphs = [p for p in document.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    assert texts[:2] == ["〔2026〕X号", TITLE]  # the 文号 over the title
    assert paragraphs[0].alignment == paragraphs[1].alignment == WD_ALIGN_PARAGRAPH.CENTER
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
    assert texts == ["〔2026〕X号", october.title, *october.preamble,
                     *(line for h, ps in october.sections for line in (h, *ps)), *october.closing]


def test_docx_footer_numbers_the_pages_and_the_closing_stands_right(october):
    document = docx.Document(io.BytesIO(bulletin.to_docx(october)))
    footer = document.sections[0].footer.paragraphs[0]
    assert footer.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert footer.text == "— 1 —"  # the PAGE field's shown value between the dashes
    fields = footer._p.xpath(".//w:fldChar/@w:fldCharType")
    assert fields == ["begin", "separate", "end"]
    assert [i.text for i in footer._p.xpath(".//w:instrText")] == [" PAGE "]
    office, date = [p for p in document.paragraphs if p.text][-2:]
    assert (office.text, date.text) == ("清河市效能办", "2026年10月30日")
    for line in (office, date):
        assert line.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert line.paragraph_format.right_indent == bulletin.BODY_SIZE * 2  # 右空二字


def test_without_a_number_the_title_comes_first(october):
    untitled = [p.text for p in docx.Document(io.BytesIO(bulletin.to_docx(october))).paragraphs]
    assert untitled[0] == TITLE  # no 文号: no empty line over the title


def test_the_number_placeholder_comes_from_the_config(tmp_path):
    office = tmp_path / "office.yaml"
    office.write_text('bulletin_number: "清效通〔{year}〕X号"\nviews: [headline_kpis]\n', encoding="utf-8")
    assert bulletin.default_number(load_config(office), Period.parse("2025-Q4")) == "清效通〔2025〕X号"
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("bulletin_number: 5\nviews: [headline_kpis]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"wrong\.yaml: bulletin_number must be text"):
        load_config(wrong)


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
    """(file name, bytes) of every file the page hands to a download button; a file made on the click
    (a deferred callable, as the audited exports are) is made here at once."""
    files: list[tuple[str | None, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def record(self, path_or_data, mimetype, kind, filename=None):
        files.append((filename, path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files.append((file_name, data_callable()))
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return files


def _text_box(at):
    return at.text_area(key="bulletin_text")


def test_page_shows_the_draft_and_follows_the_county_filter(page):
    at = page.run()
    assert not at.exception
    text = _text_box(at).value
    assert text.startswith(TITLE)
    assert "按期办结率60.0%" in text and "办件量8件" in text
    at.multiselect(key="filter_counties").set_value(["C01"]).run()
    text = _text_box(at).value
    assert text.startswith("关于清河市甲区2026年10月作风效能情况的通报")
    assert "办件量4件" in text  # K07, K09, K11, K13
    assert "按期办结率66.7%" in text  # due K05, K11 (on time) and K13 (late)


@pytest.mark.parametrize(("params", "overall"), [
    ({"period": "2026-12"}, "无数据：2026年12月在快照 handcount 的数据截至日（2026年10月30日）之后，尚无数据。"),
    ({"period": "2025"}, "无数据：2025年在快照 handcount 的数据起始日（2026年2月1日）之前。"),
    ({"period": "2026-10", "counties": "C01", "channels": "kiosk"}, "办件量本期无数据"),
])
def test_page_of_a_period_without_data_says_so(page, params, overall):
    for key, value in params.items():
        page.query_params[key] = value
    at = page.run()
    assert not at.exception
    text = _text_box(at).value
    assert overall in text
    assert "区县本期无数据，不排名，不设红黑榜。" in text and "本期无数据，暂无整改要求。" in text
    assert "第1名" not in text


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
    assert [p.text for p in docx.Document(str(out)).paragraphs[:2]] == ["〔2026〕X号", TITLE]
    assert main(["bulletin", "--snapshot", "handcount", "--period", "2026-10", "--number", "清效通〔2026〕5号",
                 "--out", str(out)]) == 0
    assert [p.text for p in docx.Document(str(out)).paragraphs[:2]] == ["清效通〔2026〕5号", TITLE]
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


@pytest.mark.parametrize(("period", "message"), [
    ("2026-12", "统计期 2026-12 在快照 handcount 的数据截至日期（2026-10-30）之后，无数据"),
    ("2025", "统计期 2025 在快照 handcount 的数据范围（2026-02-01 至 2026-10-30）之前，无数据，未生成文件"),
])
def test_cli_refuses_a_period_without_data(handcount_store, monkeypatch, tmp_path, capsys, period, message):
    """A 通报 of 无数据 from end to end is no 通报: nothing is written, and the message says why."""
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    out = tmp_path / "x.txt"
    assert main(["bulletin", "--snapshot", "handcount", "--period", period, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err and not out.exists()


def test_cli_writes_a_bulletin_of_no_data_for_an_empty_selection(handcount_store, monkeypatch, tmp_path):
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    out = tmp_path / "april.txt"
    # April 2026 lies within the data, but no case was accepted, completed, due or open then
    assert main(["bulletin", "--snapshot", "handcount", "--period", "2026-04", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "（一）超期未办结问题。本期无数据。" in text and "区县本期无数据，不排名，不设红黑榜。" in text

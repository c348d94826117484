"""Exports (xiaoneng.export): the xlsx holds exactly the table, formulas cannot run, Chinese survives."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from xiaoneng import caselist, export
from xiaoneng.caselist import CaseSelection
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t

MALICIOUS = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "@SUM(A1)", "-2+3", "\t=1+1", "\r=1+1"]


def _sheet_rows(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel reads Chinese"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def october_cases(handcount_view) -> pd.DataFrame:
    """The 8 cases accepted in October 2026 (K06–K13) as the page shows them, Chinese headers."""
    cases, total = caselist.case_page(handcount_view, Filters(Period.parse("2026-10")), CaseSelection("accepted"),
                                      page_size=100)
    assert total == 8
    return caselist.case_table(cases, "zh")


def test_xlsx_holds_exactly_the_rows_of_the_table(october_cases):
    rows = _sheet_rows(export.to_xlsx_bytes(october_cases, "办件清单"))
    assert rows[0] == list(october_cases.columns)
    assert rows[0][:3] == [t("supervision.col.case_id"), t("supervision.col.item_code"),
                           t("supervision.col.item_name")] == ["办件编号", "事项编码", "事项名称"]
    assert len(rows) == 1 + len(october_cases)
    for written, (_, expected) in zip(rows[1:], october_cases.iterrows(), strict=True):
        for got, want in zip(written, expected, strict=True):
            if pd.isna(want) or want == "":
                assert got in (None, "")
            elif isinstance(want, pd.Timestamp):
                assert got == want.to_pydatetime()  # a real date, not text
            else:
                assert got == want
    ids = [r[0] for r in rows[1:]]
    assert ids == ["K06", "K07", "K08", "K09", "K11", "K10", "K12", "K13"]


def test_xlsx_is_formatted_for_people(october_cases):
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes(october_cases, "办件清单")))
    sheet = book.active
    assert sheet.title == "办件清单"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    accepted_col = list(october_cases.columns).index(t("supervision.col.accepted_at")) + 1
    cell = sheet.cell(row=2, column=accepted_col)
    assert isinstance(cell.value, dt.datetime) and cell.number_format == export.DATETIME_FORMAT
    steps_col = openpyxl.utils.get_column_letter(list(october_cases.columns).index(t("supervision.col.steps")) + 1)
    assert sheet.column_dimensions[steps_col].width > sheet.column_dimensions["A"].width  # K13's steps are long


def test_csv_holds_the_rows_with_chinese_headers(october_cases):
    rows = _csv_rows(export.to_csv_bytes(october_cases))
    assert rows[0] == list(october_cases.columns)
    assert len(rows) == 9
    k13 = next(r for r in rows if r[0] == "K13")
    assert "受理 0 → 审核 5（时限2） → 决定 1" in k13
    assert "超期办结" in k13


@pytest.mark.parametrize("text", MALICIOUS)
def test_formula_text_is_neutralised_in_csv_and_xlsx(text):
    frame = pd.DataFrame({"评价内容": [text], "数量": [-5]})
    xlsx = _sheet_rows(export.to_xlsx_bytes(frame, "x"))
    # (the xlsx XML stores a carriage return as a line feed; what matters is the apostrophe first)
    assert xlsx[1][0].replace("\n", "\r") == "'" + text.replace("\n", "\r")
    assert xlsx[1][1] == -5
    csv_rows = _csv_rows(export.to_csv_bytes(frame))
    assert csv_rows[1][0] == "'" + text


def test_negative_numbers_stay_numbers():
    frame = pd.DataFrame({"超期": [-3, 4], "比率": [-1.5, 2.0], "说明": ["-3", "正常"]})
    xlsx = _sheet_rows(export.to_xlsx_bytes(frame, "x"))
    assert xlsx[1][:2] == [-3, -1.5] and isinstance(xlsx[1][0], int)
    assert xlsx[1][2] == "'-3"  # text that looks like a formula is still text
    csv_rows = _csv_rows(export.to_csv_bytes(frame))
    assert csv_rows[1][:2] == ["-3", "-1.5"]


def test_headers_are_neutralised_too():
    frame = pd.DataFrame({"=cmd": [1]})
    assert _sheet_rows(export.to_xlsx_bytes(frame, "x"))[0] == ["'=cmd"]
    assert _csv_rows(export.to_csv_bytes(frame))[0] == ["'=cmd"]


def test_missing_values_and_sheet_names():
    frame = pd.DataFrame({"a": [None, "x"], "b": pd.array([pd.NA, 2], dtype="Int64"),
                          "c": pd.to_datetime([None, "2026-10-01"])})
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes(frame, "办件/清单[10]:2026?*")))
    assert book.active.title == "办件_清单_10__2026__"
    rows = [[c.value for c in r] for r in book.active.iter_rows()]
    assert rows[1] == [None, None, None]
    assert rows[2] == ["x", 2, dt.datetime(2026, 10, 1)]
    assert book.active.cell(row=3, column=3).number_format == export.DATE_FORMAT


def test_empty_table_still_has_its_headers():
    frame = pd.DataFrame(columns=["办件编号", "状态"])
    assert _sheet_rows(export.to_xlsx_bytes(frame, "x")) == [["办件编号", "状态"]]
    assert _csv_rows(export.to_csv_bytes(frame)) == [["办件编号", "状态"]]


def test_a_file_begins_with_its_source_line():
    frame = pd.DataFrame({"办件编号": ["K06"], "超期工作日": [6]})
    source = "数据截至 2026-10-30 17:00（快照 handcount） · 统计期：2026年10月 · 区县：乙县"
    assert _csv_rows(export.to_csv_bytes(frame, source)) == [[source], [], ["办件编号", "超期工作日"], ["K06", "6"]]
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes(frame, "办件", source)))
    assert [[c.value for c in row] for row in book.active.iter_rows()] == [
        [source, None], ["办件编号", "超期工作日"], ["K06", 6]]
    assert book.active.freeze_panes == "A3"  # the header row stays in view under the source line
    assert _csv_rows(export.to_csv_bytes(frame, "=HYPERLINK(1)"))[0] == ["'=HYPERLINK(1)"]


def test_file_names_carry_the_selection():
    assert export.with_selection("办件清单_demo_2026-10_off_time", "2026-10", ["乙县"]) == \
        "办件清单_demo_2026-10_乙县_off_time"
    assert export.with_selection("办件清单_demo_2026-10", "2026-10", ["甲区、乙县", "市场监管局"]) == \
        "办件清单_demo_2026-10_甲区、乙县_市场监管局"
    assert export.with_selection("事项时效", "2026-10", ["a/b:c"]) == "事项时效_abc"  # no period in it: at the end
    assert export.with_selection("办件清单_demo_2026-10", "2026-10", []) == "办件清单_demo_2026-10"

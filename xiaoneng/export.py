"""Tables as CSV and Excel files that are safe to open in Excel.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel (CSV/formula injection, OWASP): a case comment such as ``=HYPERLINK(...)``
could run on an official's computer. Such text gets a leading apostrophe, which Excel shows
as plain text. Only text is touched: numbers (negative ones too) stay numbers.

Headers are written as the frame has them: callers rename columns for people first (e.g.
``caselist.case_table``), so the files carry the same Chinese or English headers as the page.
A file of the dashboard begins with its ``source`` line (snapshot, as-of time, period and every
filter, as the page states them) and a blank line: a file passed on still says what it holds.
The names of the files say the same in short (``with_selection``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiaoneng.i18n import is_wide

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read the file as UTF-8 (Chinese otherwise garbles)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MAX_COLUMN_WIDTH = 60
MIN_COLUMN_WIDTH = 8
WIDTH_SAMPLE_ROWS = 500  # widths are measured on the first rows: enough to size, cheap for 100,000


def neutralise(value: object) -> object:
    """Text that Excel would read as a formula, prefixed with an apostrophe; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _neutralised(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [str(neutralise(str(c))) for c in df.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def to_csv_bytes(df: pd.DataFrame, source: str | None = None) -> bytes:
    """UTF-8 CSV with a byte-order mark, formula-like text neutralised, no index; with ``source``,
    that line and a blank one come first."""
    head = io.StringIO()
    if source:
        csv.writer(head, lineterminator="\r\n").writerows([[neutralise(source)], []])
    # CRLF rows (as Excel writes them) also make the writer quote any text holding a \r or \n
    table = _neutralised(df).to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S", lineterminator="\r\n")
    return (head.getvalue() + table).encode(CSV_ENCODING)


def _display_width(text: str) -> int:
    """Excel column units: a CJK character is about two Latin ones wide."""
    return sum(2 if is_wide(ch) else 1 for ch in text)


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _cell_value(value: object) -> object:
    """A Python value openpyxl writes natively (dates as real dates, numpy numbers as numbers)."""
    if _is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        return value.item()
    return neutralise(value)


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "Sheet1", source: str | None = None) -> bytes:
    """An .xlsx workbook of one sheet: bold frozen header row, sized columns, real dates and numbers;
    with ``source``, that line in the first row and the header in the second."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_name))
    headers = [str(neutralise(str(c))) for c in df.columns]
    sample = df.head(WIDTH_SAMPLE_ROWS)
    formats: list[str | None] = []
    for i, column in enumerate(df.columns):
        series = sample[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            has_time = bool((series.dropna().dt.normalize() != series.dropna()).any())
            formats.append(DATETIME_FORMAT if has_time else DATE_FORMAT)
            width = 17 if has_time else 11
        else:
            formats.append(None)
            width = max((_display_width(str(v)) for v in series.dropna()), default=0)
        width = max(width, _display_width(headers[i]), MIN_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A3" if source else "A2"
    if source:
        sheet.append([neutralise(source)])

    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    dated = [i for i, f in enumerate(formats) if f]
    for row in df.itertuples(index=False, name=None):
        values = [_cell_value(v) for v in row]
        if dated:
            for i in dated:
                if values[i] is not None:
                    cell = WriteOnlyCell(sheet, value=values[i])
                    cell.number_format = formats[i]
                    values[i] = cell
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _sheet_title(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    return (name.translate(_SHEET_FORBIDDEN) or "Sheet1")[:31]


_NAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|\r\n\t]')


def with_selection(file_stem: str, period_key: str, selection: list[str]) -> str:
    """A file name that says which units it holds: the ``selection`` (county and department names)
    after the period ("办件清单_demo_2026-10_乙县_off_time"), or at the end when the name has no period;
    the name as it was for the whole city (no selection)."""
    if not selection:
        return file_stem
    units = _NAME_FORBIDDEN.sub("", "_".join(selection))
    marker = f"_{period_key}"
    if marker in file_stem:
        at = file_stem.index(marker) + len(marker)
        return f"{file_stem[:at]}_{units}{file_stem[at:]}"
    return f"{file_stem}_{units}"


def file_stamp(moment: dt.datetime | dt.date) -> str:
    """A compact date for file names (20261031)."""
    return f"{moment:%Y%m%d}"

"""Reading source files as text cells: CSV (optionally gzip) and Excel workbooks.

Every cell becomes a string (or None when blank) and every data row keeps the line number the
user sees: the physical line where the record starts in a CSV opened in an editor, the row
number in Excel. Conversion to the contract's types happens later, in one place (validate.py).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import io
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
# The first bytes of a workbook: a zip container (.xlsx, .xlsm, .ods) or an OLE2 compound file (.xls).
CHUNK_BYTES = 1 << 20  # files are read in pieces of this size (a .gz is never decompressed whole)
WORKBOOK_MAGIC = {b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "xls"}


class FileRefused(Exception):
    """A file that cannot be used at all (the message is bilingual and names the file)."""


class RawFile:
    """A file's header and data rows as text, each row with its line number; columns on demand.

    Cells are kept as read (stripping and blank handling happen in validate.py, per mapped
    column, which is much cheaper than cleaning every cell of a wide export).
    """

    def __init__(self, headers: list[str], lines: np.ndarray, *, rows: list[list[str | None]] | None = None,
                 table: pa.Table | None = None, blank_rows: int = 0, long_rows: dict[int, int] | None = None):
        self.headers = headers
        self.lines = lines
        self._rows = rows
        self._table = table
        self.blank_rows = blank_rows
        self.long_rows = long_rows
        self.encoding: str | None = None
        self.sheet: str | None = None
        self.note: str | None = None  # e.g. "a workbook named .csv, read as a workbook"
        self.skipped: dict[str, int] = {}  # rows left out before the mapping (unpivot's blank answers)

    @property
    def n(self) -> int:
        return len(self.lines)

    def column(self, i: int) -> pd.Series:
        """Column ``i`` (0-based) as an object Series of str / None."""
        if self._table is not None:
            # each distinct text becomes one Python string, shared by the rows that hold it: an export
            # repeats its codes, statuses and dates, and one object per cell is most of an ingest's memory
            encoded = pc.dictionary_encode(self._table.column(i)).combine_chunks()
            texts = np.append(encoded.dictionary.to_numpy(zero_copy_only=False), None)  # last: a null cell
            indices = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()
            return pd.Series(texts[indices], dtype=object)
        return pd.Series([r[i] for r in self._rows], dtype=object)

    def row(self, r: int) -> list[str | None]:
        if self._table is not None:
            return [self._table.column(i)[r].as_py() for i in range(len(self.headers))]
        return self._rows[r]


def inner_name(path: Path) -> str:
    """The file name without a trailing .gz (that decides CSV vs Excel)."""
    name = path.name
    return name[:-3] if name.lower().endswith(".gz") else name


def _open_bytes(path: Path) -> BinaryIO:
    """The file's bytes as a stream; a .gz is decompressed on the fly, never held whole in memory."""
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _first_bad_line(path: Path, encoding: str) -> int | None:
    """The line of the first byte that is not valid ``encoding`` (None: the whole file decodes), in one
    streaming pass. Refuses a damaged gzip file and a file without any content."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines_before, content = 0, False
    try:
        with _open_bytes(path) as fh:
            for chunk in iter(lambda: fh.read(CHUNK_BYTES), b""):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return lines_before + chunk[: max(exc.start, 0)].count(b"\n") + 1
                lines_before += chunk.count(b"\n")
                content = content or bool(chunk.strip())
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return lines_before + 1
    except (OSError, EOFError, zlib.error) as exc:
        raise FileRefused(f"{path.name}: 不是有效的 gzip 文件 (not a valid gzip file: {exc})") from None
    if not content:
        raise FileRefused(f"{path.name}: 文件为空，没有表头和数据行 (the file is empty: no header, no data rows)")
    return None


def detect_encoding(path: Path, encoding: str) -> str:
    """The file's encoding, checked over the whole file without reading it into memory. ``auto``: a
    BOM decides, else strict UTF-8, else GB18030 (a superset of GBK)."""
    name = path.name
    with _open_bytes(path) as fh:
        try:
            head = fh.read(4)
        except (OSError, EOFError, zlib.error) as exc:
            raise FileRefused(f"{name}: 不是有效的 gzip 文件 (not a valid gzip file: {exc})") from None
    if encoding == "auto":
        if head.startswith(codecs.BOM_UTF8):
            candidates = ["utf-8-sig"]
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8", "gb18030"]
    else:
        candidates = ["utf-8-sig" if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8) else encoding]
    line = None
    for candidate in candidates:
        line = _first_bad_line(path, candidate)
        if line is None:
            return candidate
    if len(candidates) > 1:
        raise FileRefused(
            f"{name}: 无法识别文件编码，既不是 UTF-8 也不是 GBK/GB18030 "
            f"(cannot decode the file as UTF-8 or GBK/GB18030; save it as UTF-8 or set encoding in the mapping)"
        )
    raise FileRefused(
        f"{name}: 第 {line} 行不是 {candidates[0]} 编码 (line {line} is not valid {candidates[0]}; "
        f"check the file's encoding or use encoding: auto in the mapping)"
    )


def _cell_text(value: object) -> str | None:
    """An Excel cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value)
    return text if text.strip() else None


def _blank(cells: list) -> bool:
    return not any(c.strip() if isinstance(c, str) else c for c in cells)


def _header(records: list[tuple[int, list]], header_row: int, name: str, where: str) -> int:
    """Position of the header record (on line ``header_row``); refuses empty files."""
    if all(_blank(cells) for _, cells in records):
        raise FileRefused(f"{name}: 文件为空，没有表头和数据行 (the file{where} is empty: no header, no data rows)")
    for i, (line, cells) in enumerate(records):
        if line == header_row and not _blank(cells):
            return i
        if line >= header_row:
            break
    raise FileRefused(f"{name}: 第 {header_row} 行没有表头 (no header on line {header_row}{where}; "
                      f"set header_row in the mapping)")


def _clean_headers(cells: list) -> list[str]:
    headers = [(h or "").strip().lstrip("\ufeff").strip() for h in cells]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _no_rows(name: str, where: str) -> FileRefused:
    return FileRefused(f"{name}: 文件只有表头，没有数据行 (the file{where} has a header but no data rows)")


def _split(records: list[tuple[int, list]], header_row: int, name: str, where: str) -> RawFile:
    """Header at ``header_row`` (1-based line), data below it; blank rows are skipped."""
    header_at = _header(records, header_row, name, where)
    headers = _clean_headers(records[header_at][1])
    width = len(headers)
    rows, lines, long_rows, blank = [], [], {}, 0
    for line, cells in records[header_at + 1:]:
        if _blank(cells):
            blank += 1
            continue
        if len(cells) > width:
            if not _blank(cells[width:]):
                long_rows[len(rows)] = len(cells)
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        rows.append(cells)
        lines.append(line)
    if not rows:
        raise _no_rows(name, where)
    return RawFile(headers, np.asarray(lines, dtype=np.int64), rows=rows, blank_rows=blank,
                   long_rows=long_rows or None)


def _split_arrow(path: Path, encoding: str, delimiter: str, header_row: int) -> RawFile | None:
    """Fast path: pyarrow parses the CSV as a stream; None when it cannot (ragged rows), then csv.reader
    does it.

    Line numbers stay exact: a record starts one line after the previous one plus the line
    breaks inside the previous record's quoted values.
    """
    name = path.name
    with _open_bytes(path) as fh:
        head = codecs.getincrementaldecoder(encoding)(errors="replace").decode(fh.read(CHUNK_BYTES))
    first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), None)
    if not first:
        return None
    names = [f"c{i}" for i in range(len(first))]  # every column text: no type guessing ("001" stays "001")
    # pyarrow skips a UTF-8 byte-order mark itself and transcodes any other encoding while it reads
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    try:
        with pa.input_stream(str(path), compression="gzip" if name.lower().endswith(".gz") else None) as stream:
            table = pacsv.read_csv(
                stream,
                read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24, encoding=arrow_encoding),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                                 ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
    except (pa.ArrowInvalid, ValueError, OSError):
        return None
    if table.num_rows == 0:
        return None
    breaks = np.zeros(table.num_rows, dtype=np.int64)
    for col in table.columns:
        breaks += pc.count_substring(col, "\n").to_numpy(zero_copy_only=False).astype(np.int64)
    lines = np.concatenate([[1], 1 + np.cumsum(breaks + 1)[:-1]])
    if header_row != 1:
        header_at = int(np.searchsorted(lines, header_row))
        if header_at >= len(lines) or lines[header_at] != header_row:
            return None
    else:
        header_at = 0
    first = [table.column(i)[header_at].as_py() for i in range(table.num_columns)]
    if _blank(first):
        return None  # let the slow path say what is wrong
    headers = _clean_headers(first)
    if len(headers) < table.num_columns:  # trailing columns without a header must be empty
        extra = table.select(list(range(len(headers), table.num_columns))).slice(header_at + 1)
        for col in extra.columns:
            if pc.any(pc.not_equal(pc.utf8_trim_whitespace(col), "")).as_py():
                return None
        table = table.select(list(range(len(headers))))
    data = table.slice(header_at + 1)
    lines = lines[header_at + 1:]
    blank = np.ones(data.num_rows, dtype=bool)
    for col in data.columns:
        blank &= pc.equal(pc.utf8_trim_whitespace(col), "").to_numpy(zero_copy_only=False)
    if blank.any():
        data = data.filter(pa.array(~blank))
        lines = lines[~blank]
    if data.num_rows == 0:
        raise _no_rows(name, "")
    data = data.rename_columns([str(i) for i in range(data.num_columns)])
    return RawFile(headers, lines, table=data, blank_rows=int(blank.sum()))


def read_csv(path: Path, *, encoding: str, delimiter: str, header_row: int) -> RawFile:
    used = detect_encoding(path, encoding)
    raw = _split_arrow(path, used, delimiter, header_row)
    if raw is None:
        records = []
        start = 1
        with io.TextIOWrapper(_open_bytes(path), encoding=used, newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            try:
                for cells in reader:
                    records.append((start, cells))
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise FileRefused(
                    f"{path.name}: 第 {start} 行无法解析 (line {start} cannot be parsed as CSV: {exc})"
                ) from None
        raw = _split(records, header_row, path.name, "")
    raw.encoding = used
    return raw


def workbook_kind(path: Path) -> str | None:
    """``xlsx`` / ``xls`` when the file's first bytes are a workbook's, whatever its name says."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    return next((kind for magic, kind in WORKBOOK_MAGIC.items() if head.startswith(magic)), None)


def read_excel(path: Path, *, sheet: str | int, header_row: int) -> RawFile:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise FileRefused(f"{path.name}: 无法打开 Excel 文件 (cannot open the workbook: {exc})") from None
    except Exception as exc:  # calamine raises its own errors for damaged files
        raise FileRefused(f"{path.name}: Excel 文件已损坏或格式不对 (the workbook is damaged or not a "
                          f"workbook: {exc})") from None
    names = workbook.sheet_names
    try:
        if isinstance(sheet, int):
            if sheet >= len(names):
                raise FileRefused(
                    f"{path.name}: 没有第 {sheet + 1} 个工作表 (no sheet number {sheet} (0-based); "
                    f"sheets: {', '.join(names)})"
                )
            chosen = names[sheet]
        else:
            if sheet not in names:
                raise FileRefused(
                    f"{path.name}: 没有名为 {sheet!r} 的工作表 (no sheet named {sheet!r}; sheets: {', '.join(names)})"
                )
            chosen = sheet
        # skip_empty_area=False keeps leading blank rows, so row i of the list is Excel row i + 1.
        cells = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    records = [(i + 1, [_cell_text(v) for v in row]) for i, row in enumerate(cells)]
    raw = _split(records, header_row, path.name, f", sheet {chosen!r}")
    raw.sheet = chosen
    return raw


def read_file(path: Path, *, encoding: str = "auto", delimiter: str = ",", sheet: str | int = 0,
              header_row: int = 1) -> RawFile:
    suffix = Path(inner_name(path)).suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        if path.name.lower().endswith(".gz"):
            raise FileRefused(f"{path.name}: Excel 文件不能压缩 (compressed Excel files are not supported)")
        return read_excel(path, sheet=sheet, header_row=header_row)
    if suffix in CSV_SUFFIXES:
        kind = None if path.name.lower().endswith(".gz") else workbook_kind(path)
        if kind is not None:
            # A workbook saved (or renamed) as .csv: its bytes are no text encoding, so read it as what it is.
            raw = read_excel(path, sheet=sheet, header_row=header_row)
            raw.note = (f"{path.name} 实际是 Excel 工作簿（{kind}），已按工作簿读取 "
                        f"(this file is an Excel workbook ({kind}) named {suffix}; it was read as a workbook)")
            return raw
        if suffix == ".tsv" and delimiter == ",":
            delimiter = "\t"
        return read_csv(path, encoding=encoding, delimiter=delimiter, header_row=header_row)
    raise FileRefused(
        f"{path.name}: 不支持的文件类型 {suffix or '(无扩展名)'} "
        f"(unsupported file type {suffix or '(no extension)'}: use .csv, .csv.gz, .xlsx or .xls)"
    )


def unpivot(raw: RawFile, columns: tuple[str, ...], name_header: str, value_header: str, *, file: str,
            keep_blank: bool = False) -> RawFile:
    """A wide file (one column per question) as one row per (source row, question).

    The question columns are replaced by two: ``name_header`` (the question's header) and
    ``value_header`` (the answer). Rows keep their source line; blank answers are skipped and
    counted unless ``keep_blank``.
    """
    missing = [c for c in columns if c not in raw.headers]
    if missing:
        raise FileRefused(f"{file}: 缺少要展开的列 (unpivot columns not found): {', '.join(missing)}. "
                          f"文件的表头 (the file's headers): {', '.join(raw.headers)}")
    if len([h for h in raw.headers if h in columns]) != len(columns):
        raise FileRefused(f"{file}: 要展开的列在表头中出现多次 (an unpivot column occurs twice in the header)")
    if name_header in raw.headers or value_header in raw.headers:
        raise FileRefused(f"{file}: 表头已有 {name_header!r} 或 {value_header!r}，请在 unpivot 中改名 "
                          f"(the file has a header {name_header!r} or {value_header!r} already; set "
                          f"name_header / value_header)")
    keep = [i for i, h in enumerate(raw.headers) if h not in columns]
    kept_cols = [raw.column(i) for i in keep]
    out_cols: list[list[pd.Series]] = [[] for _ in range(len(keep) + 2)]
    lines, order = [], []
    blank = 0
    for q, header in enumerate(columns):
        answers = raw.column(raw.headers.index(header))
        present = answers.notna() & (answers.astype(str).str.strip() != "") if not keep_blank \
            else pd.Series(True, index=answers.index)
        mask = present.to_numpy(dtype=bool)
        blank += int((~mask).sum())
        for j, col in enumerate(kept_cols):
            out_cols[j].append(col[mask])
        out_cols[-2].append(pd.Series([header] * int(mask.sum()), dtype=object))
        out_cols[-1].append(answers[mask])
        lines.append(raw.lines[mask])
        order.append(np.stack([np.flatnonzero(mask), np.full(int(mask.sum()), q)], axis=1))
    all_lines = np.concatenate(lines)
    pos = np.concatenate(order)
    sort = np.lexsort((pos[:, 1], pos[:, 0]))  # source row first, then the question's position
    rows_by_col = [pd.concat(parts, ignore_index=True).to_numpy(dtype=object)[sort] for parts in out_cols]
    rows = [list(r) for r in zip(*rows_by_col, strict=True)] if len(all_lines) else []
    if not rows:
        raise FileRefused(f"{file}: 展开后没有答案 (no answers after unpivoting: every question cell is blank)")
    out = RawFile([raw.headers[i] for i in keep] + [name_header, value_header], all_lines[sort], rows=rows,
                  blank_rows=raw.blank_rows)
    out.encoding, out.sheet, out.note = raw.encoding, raw.sheet, raw.note
    if raw.long_rows:
        source_rows = pos[sort, 0]
        out.long_rows = {i: raw.long_rows[int(r)] for i, r in enumerate(source_rows) if int(r) in raw.long_rows}
        out.long_rows = out.long_rows or None
    if blank:
        out.skipped = {"空白答案 (blank answer)": blank}
    return out

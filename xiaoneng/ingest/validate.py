"""Validation of one load against the contract (xiaoneng/schema.py), vectorised with pandas.

A ``Batch`` is one source file's rows for one table: text cells after the mapping, the typed
values, and the problems found, each tied to a row (file, line), a contract column and a reason
code from reasons.py. File-level problems (missing required columns) raise ``FileRefused``.
Table-level rules (duplicate keys, references) run over all batches of a table together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from xiaoneng.ingest.mapping import InputSpec
from xiaoneng.ingest.readers import FileRefused, RawFile
from xiaoneng.ingest.reasons import REASONS
from xiaoneng.schema import ALL_TABLES, CASE_OPEN_STATUSES, UNKNOWN, Column, Table

# Deadlines may lie after the snapshot time; every other timestamp is an event that has happened.
DEADLINE_COLUMNS = frozenset(c.name for t in ALL_TABLES.values() for c in t.columns if c.deadline)
# Statuses that must not have a completion time; every other accepted status is closed and needs
# one: a case that is completed, denied (不予许可), refused (不予受理) or withdrawn, a completed task.
OPEN_STATUSES = frozenset(CASE_OPEN_STATUSES)
INT32 = (-(2**31), 2**31 - 1)
WAVE = re.compile(r"^\d{4}H[12]$")  # half-year waves; queries/indicator_measures.sql reads them so
_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}
_END_OF_DAY = pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
# C0 control characters and DEL: never part of an id or code, written out in messages
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")

# (check, later column, earlier column, column blamed): later must not be before earlier.
ORDER_CHECKS = {
    "completed_after_accepted": ("completed_at", "accepted_at", "completed_at"),
    "deadline_after_accepted": ("deadline_at", "accepted_at", "deadline_at"),
    "received_before_accepted": ("accepted_at", "received_at", "received_at"),
    "ended_after_started": ("ended_at", "started_at", "ended_at"),
    "due_after_assigned": ("due_at", "assigned_at", "due_at"),
    "promised_within_legal": ("legal_limit_wd", "promised_limit_wd", "promised_limit_wd"),
}
ROW_CHECKS = (*ORDER_CHECKS, "status_matches_completion", "not_in_future", "wave_format")


@dataclass(frozen=True)
class Reject:
    """One problem with one source row (a row with two problems gives two records)."""

    file: str
    line: int
    table: str
    column: str  # contract column ("" for the whole row)
    reason: str  # bilingual text with the details
    code: str  # key of reasons.REASONS
    value: str | None = None  # the source value concerned
    source_column: str = ""  # the header in the source file


@dataclass
class Problem:
    row: int
    column: str
    code: str
    message: str
    value: str | None


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def visible(text: str) -> str:
    """``text`` with its control characters written out (NUL as \\x00), for messages and the quarantine."""
    return CONTROL_CHARACTER.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _message(code: str, zh: str, en: str) -> str:
    label_zh, label_en = REASONS[code]
    return f"{label_zh}：{zh} ({label_en}: {en})"


class Batch:
    """One source file (or one sheet) mapped onto one contract table."""

    def __init__(self, file: Path, spec: InputSpec, raw: RawFile, as_of: dt.datetime):
        self.path = Path(file)
        self.file = self.path.name
        self.input = spec
        self.table: Table = spec.spec
        self.raw = raw
        self.as_of = as_of
        self.n = raw.n
        self.lines = raw.lines
        self.source: dict[str, str] = {}  # contract column -> source header (or "=constant")
        self.original: dict[str, pd.Series] = {}  # source text before value maps and transforms
        self.text: dict[str, pd.Series] = {}  # text after the mapping (None = blank)
        self.typed: dict[str, pd.Series] = {}
        self.bad: dict[str, np.ndarray] = {}  # type errors, so later rules do not report them twice
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.rows = np.arange(raw.n)  # the raw file's row of each batch row (skipped rows are left out)
        self.skipped: dict[str, int] = dict(raw.skipped)  # rows left out on purpose, per rule
        self._by_source: dict[tuple[int, str, str], Problem] = {}  # one report per bad source value
        if raw.note:
            self.warnings.append(raw.note)
        self._resolve_columns()
        self._map_values()
        self._convert()
        self._check_values()
        self._check_rows()
        if raw.long_rows:
            where = {int(r): i for i, r in enumerate(self.rows)}
            for row, count in raw.long_rows.items():
                if row not in where:
                    continue
                self.problems.append(Problem(where[row], "", "extra_fields", _message(
                    "extra_fields", f"本行有 {count} 个字段，表头只有 {len(raw.headers)} 列",
                    f"the row has {count} fields, the header {len(raw.headers)}"), None))

    # -- mapping -------------------------------------------------------------------------------

    def _resolve_columns(self) -> None:
        headers = self.raw.headers
        position: dict[str, int] = {}
        duplicated = set()
        for i, h in enumerate(headers):
            if h in position:
                duplicated.add(h)
            else:
                position[h] = i
        lower = {h.lower(): i for h, i in reversed(list(position.items()))}
        spec = self.input
        missing = []
        self._index: dict[str, int] = {}
        defaulted = {c for c, steps in spec.transforms.items() if any(op == "default" for op, _ in steps)}
        self._joins: dict[str, tuple[list[int], str]] = {}
        for col in self.table.columns:
            if col.name in spec.constants:
                self.source[col.name] = "=" + spec.constants[col.name]
                continue
            if col.name in spec.generated:
                self.source[col.name] = spec.generated[col.name].label
                continue
            if col.name in spec.derived:
                self.source[col.name] = spec.derived[col.name].label
                continue
            if col.name in spec.joins:
                join = spec.joins[col.name]
                absent = [h for h in join.headers if h not in position]
                twice = [h for h in join.headers if h in duplicated]
                if twice:
                    raise FileRefused(
                        f"{self.file}: 表头 {twice[0]!r} 出现多次，无法确定用哪一列 "
                        f"(header {twice[0]!r} occurs more than once; rename one of them)"
                    )
                if absent:
                    if col.required and col.name not in defaulted:
                        missing.append(f"{' + '.join(join.headers)} → {col.name}（{col.label_zh}）")
                    else:
                        self.warnings.append(
                            f"{self.file}: 没有列 {', '.join(absent)}，{col.name} 留空 "
                            f"(column {', '.join(absent)} not found, {col.name} left blank)"
                        )
                    continue
                self.source[col.name] = join.label
                self._joins[col.name] = ([position[h] for h in join.headers], join.sep)
                continue
            if col.name in spec.columns:
                wanted = spec.columns[col.name]
                found = next((w for w in wanted if w in position), None)
                if found is None:
                    if col.required and col.name not in defaulted:
                        missing.append(f"{' / '.join(wanted)} → {col.name}（{col.label_zh}）")
                    else:
                        self.warnings.append(
                            f"{self.file}: 没有列 {' / '.join(wanted)}，{col.name} 留空 "
                            f"(column {' / '.join(wanted)} not found, {col.name} left blank)"
                        )
                    continue
            elif spec.auto_columns:
                found = next((h for h in (col.name, col.label_zh) if h and h in position), None)
                if found is None and col.name.lower() in lower:
                    found = headers[lower[col.name.lower()]]
                if found is None:
                    if col.required and col.name not in defaulted:
                        missing.append(f"{col.name} / {col.label_zh} → {col.name}")
                    continue
            else:
                if col.required and col.name not in defaulted:
                    missing.append(f"(未映射 not mapped) → {col.name}（{col.label_zh}）")
                continue
            if found in duplicated:
                raise FileRefused(
                    f"{self.file}: 表头 {found!r} 出现多次，无法确定用哪一列 "
                    f"(header {found!r} occurs more than once; rename one of them)"
                )
            self.source[col.name] = found
            self._index[col.name] = position[found]
        if missing:
            raise FileRefused(
                f"{self.file}: 缺少必需列 (missing required columns) for table {self.table.name}: "
                + "; ".join(missing)
                + f". 文件的表头 (the file's headers): {', '.join(headers)}"
            )

    def _cells(self, i: int) -> pd.Series:
        s = _objects(self.raw.column(i).str.strip())
        return _objects(s.where(s.notna() & (s != "")))

    def _map_values(self) -> None:
        for name, i in self._index.items():
            self.original[name] = self._cells(i)
        for name, (indexes, sep) in self._joins.items():
            parts = [self._cells(i) for i in indexes]
            joined = [sep.join(v for v in values if v is not None) or None
                      for values in zip(*(p.tolist() for p in parts), strict=True)]
            self.original[name] = pd.Series(joined, dtype=object)
        self._skip_rows()
        for name, gen in self.input.generated.items():
            self.original[name] = self._generate(gen)
        for name, value in self.input.constants.items():
            self.original[name] = pd.Series([value] * self.n, dtype=object)
        for name, series in self.original.items():
            s = series
            if name in self.input.values:
                mapped = _objects(s.map(self.input.values[name]))
                s = mapped.where(mapped.notna(), s)
            for op, arg in self.input.transforms.get(name, ()):
                s = _transform(s, op, arg)
            self.text[name] = _objects(s.where(s.notna() & (s != "")))
        for col in self.table.columns:  # transforms like `default` can fill a column absent from the file
            if col.name not in self.text and col.name in self.input.transforms:
                s = pd.Series([None] * self.n, dtype=object)
                for op, arg in self.input.transforms[col.name]:
                    s = _transform(s, op, arg)
                self.original[col.name] = pd.Series([None] * self.n, dtype=object)
                self.text[col.name] = s
                self.source[col.name] = "=default"

    def _skip_rows(self) -> None:
        """Leave out the rows the mapping's skip rules name (counted per rule, never rejects)."""
        rules = self.input.skip
        if not rules:
            return
        skip = np.zeros(self.n, dtype=bool)
        for rule in rules:
            if rule.column is not None:
                if rule.column not in self.original:
                    raise FileRefused(
                        f"{self.file}: 跳过规则 {rule.rule!r} 用的列 {rule.column} 没有对应的源列 "
                        f"(skip rule {rule.rule!r}: column {rule.column} has no source column in this file)")
                values = self.original[rule.column]
            else:
                if rule.header not in self.raw.headers:
                    raise FileRefused(
                        f"{self.file}: 跳过规则 {rule.rule!r} 用的列 {rule.header!r} 不在文件中 "
                        f"(skip rule {rule.rule!r}: header {rule.header!r} not found; headers: "
                        f"{', '.join(self.raw.headers)})")
                values = self._cells(self.raw.headers.index(rule.header))
            if rule.blank:
                hit = values.isna().to_numpy()
            elif rule.regex is not None:
                hit = values.fillna("").astype(str).str.contains(rule.regex, regex=True).to_numpy(dtype=bool) \
                    & values.notna().to_numpy()
            else:
                hit = values.isin(list(rule.values)).to_numpy(dtype=bool)
            new = hit & ~skip
            if new.any():
                self.skipped[rule.rule] = self.skipped.get(rule.rule, 0) + int(new.sum())
            skip |= new
        if not skip.any():
            return
        keep = ~skip
        self.rows = self.rows[keep]
        self.lines = self.lines[keep]
        self.n = int(keep.sum())
        for name, series in self.original.items():
            self.original[name] = series[keep].reset_index(drop=True)

    def _generate(self, gen) -> pd.Series:
        prefix = gen.prefix
        if prefix is None:
            stem = self.path.name[:-3] if self.path.name.lower().endswith(".gz") else self.path.name
            prefix = Path(stem).stem + ":"
        if gen.kind == "line":
            return pd.Series([f"{prefix}{int(line)}" for line in self.lines], dtype=object)
        drop = 2 if self.input.unpivot is not None else 0  # hash the respondent's row, not the question
        width = len(self.raw.headers) - drop
        ids = []
        for r in self.rows:
            cells = self.raw.row(int(r))[:width]
            text = "\x1f".join("" if c is None else str(c).strip() for c in cells)
            ids.append(prefix + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16])
        return pd.Series(ids, dtype=object)

    # -- types ---------------------------------------------------------------------------------

    def _convert(self) -> None:
        for col in self.table.columns:
            text = self.text.get(col.name)
            if text is None:
                continue
            present = text.notna().to_numpy()
            if col.type == "str":
                bad = np.zeros(self.n, dtype=bool)
                if col.identifier or col.name == self.table.key or col.name in self.table.unique_together:
                    bad = present & text.str.contains(CONTROL_CHARACTER, na=False).to_numpy(dtype=bool)
                    self._report(bad, col, "control_character",
                                 lambda v: f"'{visible(v)}' 含控制字符，不能作为编号或代码",
                                 lambda v: f"'{visible(v)}' holds a control character; an id or code cannot")
                typed = _objects(text.where(~bad)) if bad.any() else text
            elif col.type in ("int", "float"):
                typed = pd.to_numeric(text, errors="coerce").astype("float64")
                values = typed.to_numpy()
                ok = np.isfinite(values)
                if col.type == "int":
                    ok &= np.mod(np.where(ok, values, 0), 1) == 0
                    ok &= (values >= INT32[0]) & (values <= INT32[1])
                bad = present & ~ok
                typed = typed.where(~bad)
                kind_zh, kind_en = ("整数", "integer") if col.type == "int" else ("数字", "number")
                self._report(bad, col, "bad_number", lambda v, k=kind_zh: f"'{v}' 不是有效的{k}",
                             lambda v, k=kind_en: f"'{v}' is not a valid {k}")
            elif col.type in ("ts", "date"):
                typed, bad = self._parse_datetime(col, text)
            elif col.type == "bool":
                low = text.str.lower()
                typed = pd.Series(np.where(low.isin(_TRUE), True, np.where(low.isin(_FALSE), False, None)),
                                  dtype=object).where(present, None)
                bad = present & typed.isna().to_numpy()
                self._report(bad, col, "bad_boolean", lambda v: f"'{v}' 不是 是/否", lambda v: f"'{v}' is not yes/no")
            else:  # pragma: no cover - schema declares only the types above
                raise ValueError(f"unknown column type {col.type}")
            self.typed[col.name] = typed
            self.bad[col.name] = bad
        for name, rule in self.input.derived.items():
            # the close of the day N calendar days after the other time's date (blank when it is blank)
            base = self.typed.get(rule.after)
            if base is None:
                base = pd.Series(pd.NaT, index=range(self.n), dtype="datetime64[us]")
            self.typed[name] = (base.dt.normalize() + pd.Timedelta(days=rule.days) + _END_OF_DAY).astype(
                "datetime64[us]")
            self.bad[name] = np.zeros(self.n, dtype=bool)

    def _parse_datetime(self, col: Column, text: pd.Series) -> tuple[pd.Series, np.ndarray]:
        formats = self.input.formats_for(col.name)
        if col.type == "date":  # formats with a time are kept: an Excel date cell may read "2026-01-05 00:00:00"
            formats = (*formats, "%Y%m%d")
        result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
        date_only = np.zeros(self.n, dtype=bool)
        todo = text.notna().to_numpy().copy()
        local = self.input.local_timezone
        for fmt in formats:
            if not todo.any():
                break
            zoned = "%z" in fmt or "%Z" in fmt
            try:
                parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce", utc=zoned)
            except (ValueError, TypeError, OverflowError):
                continue  # a format pandas cannot use on these values: the next one may
            hit = parsed.notna()
            if hit.any():
                idx = parsed.index[hit.to_numpy()]
                values = parsed[hit]
                has_time = any(d in fmt for d in ("%H", "%I", "%M", "%S"))
                if zoned:
                    # an explicit offset: the same instant in the snapshot's local time, without a zone
                    values = values.dt.tz_convert(local).dt.tz_localize(None)
                elif self.input.source_timezone and has_time and col.type == "ts":
                    values = (values.dt.tz_localize(self.input.source_timezone, ambiguous="NaT",
                                                    nonexistent="NaT")
                              .dt.tz_convert(local).dt.tz_localize(None))
                    converted = values.notna().to_numpy()
                    idx, values = idx[converted], values[converted]
                result.loc[idx] = values.astype("datetime64[us]")
                if not has_time:
                    date_only[idx] = True
                todo[idx] = False
        bad = todo
        if col.type == "date":
            has_time = result.notna().to_numpy() & (result != result.dt.normalize()).to_numpy()
            bad = bad | has_time
            result = result.where(~has_time)
        elif col.name in DEADLINE_COLUMNS and date_only.any():
            # A deadline given as a bare date means the close of that day (as the calendar rules do).
            result = result.where(~date_only, result + _END_OF_DAY)
        own = self.input.datetime_formats.get(col.name, self.input.datetime_formats.get("*", ()))
        shown = ", ".join(own or formats[:4]) + ("" if own else ", …")
        self._report(bad, col, "bad_datetime", lambda v: f"'{v}' 不是有效的日期时间（可用格式 {shown}）",
                     lambda v: f"'{v}' is not a valid date/time in an accepted format ({shown})")
        return result, bad

    # -- value rules ---------------------------------------------------------------------------

    def _check_values(self) -> None:
        for col in self.table.columns:
            typed = self.typed.get(col.name)
            bad = self.bad.get(col.name, np.zeros(self.n, dtype=bool))
            if col.required:
                missing = np.ones(self.n, dtype=bool) if typed is None else (typed.isna().to_numpy() & ~bad)
                self._report(missing, col, "required_missing", lambda v, c=col: f"{c.label_zh}为空",
                             lambda v, c=col: f"{c.name} is blank")
            if typed is None:
                continue
            accepted = col.accepted or self.input.accepted.get(col.name) or col.default_accepted
            if accepted is not None:
                wrong = typed.notna().to_numpy() & ~typed.isin(accepted).to_numpy()
                allowed = ", ".join(accepted)
                if col.name in self.input.accepted_source and self.input.accepted_source[col.name] != "mapping":
                    allowed += f"; {self.input.accepted_source[col.name]}"
                self._report(wrong, col, "not_accepted",
                             lambda v, r, a=allowed, c=col: f"{self._shown(c.name, r)} 不是允许的值（{a}）",
                             lambda v, r, a=allowed, c=col: f"{self._shown(c.name, r)} is not one of {a}",
                             with_row=True)
            if col.min_value is not None or col.max_value is not None:
                values = typed.to_numpy(dtype="float64", na_value=np.nan)
                lo = -np.inf if col.min_value is None else col.min_value
                hi = np.inf if col.max_value is None else col.max_value
                with np.errstate(invalid="ignore"):
                    outside = ~np.isnan(values) & ((values < lo) | (values > hi))
                span = f"{_fmt(col.min_value)}–{_fmt(col.max_value)}" if col.max_value is not None \
                    else f"≥ {_fmt(col.min_value)}"
                self._report(outside, col, "out_of_range", lambda v, s=span: f"{v} 不在 {s} 之内",
                             lambda v, s=span: f"{v} is outside {s}")

    def _shown(self, column: str, row: int) -> str:
        before = self.original[column].iat[row]
        after = self.text[column].iat[row]
        return f"'{before}'" if before == after else f"'{before}' → '{after}'"

    # -- row checks (schema.Table.checks) -----------------------------------------------------

    def _check_rows(self) -> None:
        for check in self.table.checks:
            if check not in ROW_CHECKS:
                raise ValueError(f"table {self.table.name} names check {check!r}, which the ingest does not know")
            if check in ORDER_CHECKS:
                self._check_order(check, *ORDER_CHECKS[check])
            elif check == "status_matches_completion":
                self._check_status()
            elif check == "not_in_future":
                self._check_future()
            elif check == "wave_format":
                wave = self.typed.get("wave")
                if wave is not None:
                    wrong = wave.notna().to_numpy() & ~wave.fillna("").str.match(WAVE).to_numpy(dtype=bool)
                    self._report(wrong, self.table.column("wave"), "wave_format",
                                 lambda v: f"'{v}' 应为 2026H1 或 2026H2 这样的格式",
                                 lambda v: f"'{v}' should look like 2026H1 or 2026H2")

    def _check_order(self, check: str, later: str, earlier: str, blame: str) -> None:
        a, b = self.typed.get(later), self.typed.get(earlier)
        if a is None or b is None:
            return
        wrong = (a.notna() & b.notna()).to_numpy() & (a < b).fillna(False).to_numpy(dtype=bool)
        la, lb = self.table.column(later), self.table.column(earlier)
        self._report(
            wrong, self.table.column(blame), check,
            lambda v, r: (f"{la.label_zh} {self._time_shown(later, r)} 早于 "
                          f"{lb.label_zh} {self._time_shown(earlier, r)}"),
            lambda v, r: f"{later} {self._time_shown(later, r)} < {earlier} {self._time_shown(earlier, r)}",
            with_row=True,
        )

    def _time_shown(self, column: str, row: int) -> str:
        """The file's text, with the value read from it when that differs (a zone converted, a join)."""
        typed = self.typed[column].iat[row]
        source = self.original.get(column)
        text = None if source is None else source.iat[row]
        if text is None or text == _fmt(typed) or self.table.column(column).type != "ts":
            return _fmt(typed) if text is None else str(text)
        return f"{text}（= {_fmt(typed)}）"

    def _check_status(self) -> None:
        status, done = self.typed.get("status"), self.typed.get("completed_at")
        if status is None:
            return
        col = self.table.column("completed_at")
        accepted = set(self.table.column("status").accepted or ())
        has_done = np.zeros(self.n, dtype=bool) if done is None else done.notna().to_numpy()
        done_bad = self.bad.get("completed_at", np.zeros(self.n, dtype=bool))
        s = status.to_numpy(dtype=object)
        is_open = np.isin(s, list(OPEN_STATUSES))
        # an unknown status may come with a completion time or without one: its timestamps say which
        is_closed = np.isin(s, list(accepted - OPEN_STATUSES - {UNKNOWN}))
        # the file's status first (what the administrator looks for), the contract's after it
        self._report(is_closed & ~has_done & ~done_bad, col, "status_matches_completion",
                     lambda v, r: f"状态为 {self._shown('status', r)}，但{col.label_zh}为空",
                     lambda v, r: f"status is {self._shown('status', r)} but completed_at is blank", with_row=True)
        self._report(is_open & has_done, col, "status_matches_completion",
                     lambda v, r: f"状态为 {self._shown('status', r)}（未办结），但有{col.label_zh} {v}",
                     lambda v, r: f"status is {self._shown('status', r)} (open) but completed_at is {v}",
                     with_row=True)

    def _check_future(self) -> None:
        as_of = pd.Timestamp(self.as_of)
        for col in self.table.columns:
            if col.type != "ts" or col.name in DEADLINE_COLUMNS or col.name not in self.typed:
                continue
            typed = self.typed[col.name]
            late = (typed > as_of).fillna(False).to_numpy(dtype=bool)
            self._report(late, col, "not_in_future",
                         lambda v, c=col: f"{c.label_zh} {v} 晚于截至时间 {_fmt(as_of)}",
                         lambda v, c=col: f"{c.name} {v} is after the as-of time {_fmt(as_of)}")

    # -- bookkeeping ---------------------------------------------------------------------------

    def _report(self, mask: np.ndarray, col: Column, code: str, zh: Callable, en: Callable,
                with_row: bool = False) -> None:
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        source = self.original.get(col.name)
        for r in rows:
            value = None if source is None else source.iat[r]
            shown = "" if value is None else str(value)
            args = (shown, r) if with_row else (shown,)
            self._add(Problem(int(r), col.name, code, _message(code, zh(*args), en(*args)), value))

    def _add(self, problem: Problem) -> None:
        """One source value that feeds two columns (OPEN_DT → received_at and accepted_at) and breaks the
        same rule in both is reported once, naming the other column."""
        header = self.source.get(problem.column, "")
        if header and not header.startswith("="):
            key = (problem.row, header, problem.code)
            first = self._by_source.get(key)
            if first is not None:
                first.message += (f"（{header} 同时用于 {problem.column} / {header} also feeds {problem.column}）")
                return
            self._by_source[key] = problem
        self.problems.append(problem)

    def add_problems(self, rows: np.ndarray, column: str, code: str, zh: Callable, en: Callable) -> None:
        """Problems found by table-level rules; zh/en take (value, row)."""
        source = self.original.get(column)
        for r in rows:
            value = None if source is None else source.iat[r]
            shown = "" if value is None else str(value)
            self._add(Problem(int(r), column, code, _message(code, zh(shown, r), en(shown, r)), value))

    def rejected_mask(self) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        if self.problems:
            mask[[p.row for p in self.problems]] = True
        return mask

    def row_json(self, row: int) -> str:
        seen: dict[str, int] = {}
        record = {}
        for header, value in zip(self.raw.headers, self.raw.row(int(self.rows[row])), strict=False):
            key = header or "(空表头 blank header)"
            seen[key] = seen.get(key, 0) + 1
            record[key if seen[key] == 1 else f"{key}#{seen[key]}"] = value
        return json.dumps(record, ensure_ascii=False)

    def source_of(self, column: str, row: int) -> str:
        """The source header a value came from (for an unpivoted answer: its question's header)."""
        if not column:
            return ""
        u = self.input.unpivot
        if u is not None and column == u.value_column and u.name_column in self.original:
            question = self.original[u.name_column].iat[row]
            return f"{question}" if question is not None else self.source.get(column, "")
        return self.source.get(column, "")

    def rejects(self) -> list[Reject]:
        return [
            Reject(self.file, int(self.lines[p.row]), self.table.name, p.column, p.message, p.code,
                   None if p.value is None else str(p.value), self.source_of(p.column, p.row))
            for p in sorted(self.problems, key=lambda p: (p.row, p.column))
        ]

    def kept_arrow(self, kept: np.ndarray) -> dict[str, pa.Array]:
        """The kept rows' typed values as Arrow arrays of the contract's types."""
        arrays = {}
        for col in self.table.columns:
            if col.name not in self.typed:
                continue
            arrays[col.name] = to_arrow(self.typed[col.name][kept], col)
        return arrays


@dataclass
class TableRows:
    """All batches of one table in the load, validated together."""

    table: Table
    batches: list[Batch] = field(default_factory=list)

    def values(self, column: str) -> tuple[pd.Series, list[tuple[int, int]]]:
        """The column's typed values over all batches, with (batch, row) for each position."""
        parts, where = [], []
        for b_i, batch in enumerate(self.batches):
            s = self.batches[b_i].typed.get(column)
            if s is None:
                s = pd.Series([None] * batch.n, dtype=object)
            parts.append(s.reset_index(drop=True))
            where.extend((b_i, r) for r in range(batch.n))
        if not parts:
            return pd.Series([], dtype=object), []
        return pd.concat(parts, ignore_index=True), where

    def key_columns(self) -> tuple[str, ...]:
        return (self.table.key,) if self.table.key else tuple(self.table.unique_together)

    def key_values(self) -> tuple[pd.Series, list[tuple[int, int]]]:
        """The key of every row (a tuple for a composite key; None when a part is blank)."""
        columns = self.key_columns()
        if len(columns) == 1:
            return self.values(columns[0])
        parts = []
        where: list[tuple[int, int]] = []
        for c in columns:
            values, where = self.values(c)
            parts.append(values)
        keys = [None if any(v is None or v != v for v in combo) else tuple(combo)
                for combo in zip(*(p.tolist() for p in parts), strict=True)]
        return pd.Series(keys, dtype=object), where

    def check_duplicates(self, existing: set | None = None, base_id: str | None = None) -> None:
        """Every occurrence of a key that occurs twice in the load is rejected; with ``existing`` (the
        keys of a base snapshot's table that this load appends to), so is a key already there."""
        columns = self.key_columns()
        if not columns:
            return
        key = columns[0]
        values, where = self.values(key) if len(columns) == 1 else self.key_values()
        present = values.notna()
        dup = present & values.duplicated(keep=False)
        if existing:
            in_base = present & values.isin(list(existing)) & ~dup if len(columns) == 1 else \
                present & pd.Series([v in existing for v in values.tolist()], dtype=bool) & ~dup
            for pos in np.flatnonzero(in_base.to_numpy()):
                b, r = where[pos]
                value = values.iat[pos]
                shown = _key_text(value)
                self.batches[b].add_problems(
                    np.array([r]), key, "duplicate_key",
                    lambda v, _r, val=shown: f"{val} 已在基础快照 {base_id} 中（追加不能重复）",
                    lambda v, _r, val=shown: f"{val} is in the base snapshot {base_id} already (append "
                                             "cannot add it twice)",
                )
        if not dup.any():
            return
        positions: dict[object, list[int]] = {}
        for pos in np.flatnonzero(dup.to_numpy()):
            positions.setdefault(values.iat[pos], []).append(int(pos))
        multi = len(self.batches) > 1

        def place(pos: int) -> str:
            b, r = where[pos]
            batch = self.batches[b]
            return f"{batch.file}:{batch.lines[r]}" if multi else f"第 {batch.lines[r]} 行"

        def place_en(pos: int) -> str:
            b, r = where[pos]
            batch = self.batches[b]
            return f"{batch.file} line {batch.lines[r]}" if multi else f"line {batch.lines[r]}"

        for value, group in positions.items():
            # a message names at most five other lines, all among the group's first six: building it
            # from those keeps the check linear however often one key repeats
            head = group[:6]
            more = len(group) > 6
            shown = _key_text(value)
            for pos in group:
                others = [p for p in head if p != pos][:5]
                zh = "、".join(place(p) for p in others) + ("…" if more else "")
                en = ", ".join(place_en(p) for p in others) + (", …" if more else "")
                b, r = where[pos]
                self.batches[b].add_problems(
                    np.array([r]), key, "duplicate_key",
                    lambda v, _r, z=zh, val=shown: f"{val} 重复出现，另见 {z}",
                    lambda v, _r, e=en, val=shown: f"{val} occurs more than once, also at {e}",
                )

    def kept(self) -> list[np.ndarray]:
        return [~b.rejected_mask() for b in self.batches]

    def kept_values(self, column: str) -> set:
        found: set = set()
        for batch, keep in zip(self.batches, self.kept(), strict=True):
            if column in batch.typed:
                found.update(v for v in batch.typed[column][keep].tolist() if v is not None)
        return found

    def all_values(self, column: str) -> set:
        found: set = set()
        for batch in self.batches:
            if column in batch.typed:
                found.update(v for v in batch.typed[column].tolist() if v is not None)
        return found

    def check_references(self, known: Callable[[str, str], set | None],
                         rejected_parents: Callable[[str, str], set]) -> None:
        """Codes must exist in the referenced table (``known`` gives its values; None = not checkable)."""
        for col in self.table.columns:
            if not col.references:
                continue
            ref_table, ref_col = col.references.split(".")
            values = known(ref_table, ref_col)
            if values is None:
                continue
            parents_rejected = rejected_parents(ref_table, ref_col)
            allowed = pd.Index(list(values))
            for batch in self.batches:
                typed = batch.typed.get(col.name)
                if typed is None:
                    continue
                unknown = typed.notna().to_numpy() & ~typed.isin(allowed).to_numpy()
                if not unknown.any():
                    continue
                rows = np.flatnonzero(unknown)
                is_parent = np.array([typed.iat[r] in parents_rejected for r in rows], dtype=bool)
                label_zh = {"counties": "区县", "departments": "部门", "items": "事项", "cases": "办件"}.get(
                    ref_table, ref_table)
                batch.add_problems(
                    rows[~is_parent], col.name, "unknown_code",
                    lambda v, r, t=ref_table, lz=label_zh, c=ref_col: f"'{v}' 不在{lz}参考表（{t}）中",
                    lambda v, r, t=ref_table, c=ref_col: f"'{v}' is not a {c} in {t}",
                )
                batch.add_problems(
                    rows[is_parent], col.name, "parent_rejected",
                    lambda v, r, t=ref_table: f"'{v}' 在本次导入中，但该记录已被隔离（见 {t} 的隔离记录）",
                    lambda v, r, t=ref_table: f"'{v}' is in this load but was rejected (see its {t} reject)",
                )

    def arrow_table(self) -> pa.Table:
        names = [c.name for c in self.table.columns if any(c.name in b.typed for b in self.batches)]
        columns: dict[str, list[pa.Array]] = {name: [] for name in names}
        for batch, keep in zip(self.batches, self.kept(), strict=True):
            arrays = batch.kept_arrow(keep)
            for name in names:
                if name in arrays:
                    columns[name].append(arrays[name])
                else:
                    columns[name].append(pa.nulls(int(keep.sum()), self.table.column(name).arrow_type))
        return pa.table({name: pa.concat_arrays(parts) for name, parts in columns.items()})


def _key_text(value: object) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(f"'{_fmt(v)}'" for v in value) + ")"
    return f"'{_fmt(value)}'"


def to_arrow(series: pd.Series, col: Column) -> pa.Array:
    if col.type == "str":
        return pa.array(series.tolist(), type=pa.string())
    if col.type == "int":
        return pa.array([None if v != v else int(v) for v in series.tolist()], type=pa.int32())
    if col.type == "float":
        return pa.array(series.to_numpy(dtype="float64"), type=pa.float64(), from_pandas=True)
    if col.type == "ts":
        return pa.array(series.astype("datetime64[us]"), type=pa.timestamp("us"), from_pandas=True)
    if col.type == "date":
        return pa.array(series.astype("datetime64[us]"), type=pa.timestamp("us"), from_pandas=True).cast(pa.date32())
    if col.type == "bool":
        return pa.array(series.tolist(), type=pa.bool_())
    raise ValueError(f"unknown column type {col.type}")  # pragma: no cover


def _objects(s: pd.Series) -> pd.Series:
    """Object dtype with None for missing (pandas 3 string results would turn None into NaN)."""
    out = s.astype(object)
    return out.where(s.notna(), None)


def _transform(s: pd.Series, op: str, arg: object) -> pd.Series:
    return _objects(_apply_transform(_objects(s), op, arg))


def _apply_transform(s: pd.Series, op: str, arg: object) -> pd.Series:
    present = s.notna() & (s != "")
    if op == "default":
        return s.where(present, arg)
    if op == "number_format":
        numbers = pd.to_numeric(s.where(present), errors="coerce")
        ok = numbers.notna() & (np.mod(numbers.fillna(0), 1) == 0)
        formatted = pd.Series([str(arg).format(int(v)) if k else None
                               for v, k in zip(numbers.tolist(), ok.tolist(), strict=True)], index=s.index,
                              dtype=object)
        return formatted.where(ok, s)  # values that are not whole numbers stay as they were
    if op == "prefix":
        return s.where(~present, str(arg) + s.astype(str))
    if op == "suffix":
        return s.where(~present, s.astype(str) + str(arg))
    if op == "zfill":
        return s.where(~present, s.astype(str).str.zfill(int(arg)))
    if op == "upper":
        return s.where(~present, s.astype(str).str.upper())
    if op == "lower":
        return s.where(~present, s.astype(str).str.lower())
    if op == "regex":
        pattern, replace = arg
        return s.where(~present, s.astype(str).str.replace(pattern, replace, regex=True))
    raise ValueError(f"unknown transform {op}")  # pragma: no cover

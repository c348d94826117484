"""Mapping files (YAML, mappings/README.md): how one source system's exports become contract tables.

A mapping is declarative data: which files an input matches, the target table, how the file is
read (encoding, sheet, header row, delimiter), which source header feeds which contract column,
datetime formats, value maps, small transforms and constants. Everything is checked when the
file is loaded, so a typo in a mapping is reported before any data is read.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import fnmatch
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from xiaoneng.paths import MAPPINGS_DIR
from xiaoneng.schema import ALL_TABLES, Table

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16")
DEFAULT_KEY = "*"  # datetime_formats key that applies to every date/time column without its own entry

# Formats tried after a column's own formats: ISO 8601 and the slash form most Chinese systems
# export. They are unambiguous, so accepting them everywhere cannot misread a value.
FALLBACK_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    # ISO 8601 with a zone ("2026-01-05T01:30:00Z", "…+08:00", "…+00"): converted to local time
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
)
DEFAULT_LOCAL_TIMEZONE = "Asia/Shanghai"
MODES = ("replace", "append")
GENERATE_KINDS = ("line", "hash")

TRANSFORM_OPS = ("number_format", "prefix", "suffix", "zfill", "upper", "lower", "regex", "default")

_INPUT_KEYS = {
    "name", "files", "table", "encoding", "sheet", "header_row", "delimiter", "columns", "auto_columns",
    "datetime_formats", "values", "transforms", "constants", "source_timezone", "skip", "unpivot", "accepted",
    "mode",
}
_MAPPING_KEYS = {"name", "description", "as_of", "reference", "inputs", "local_timezone", "reject_threshold"}
_SKIP_KEYS = {"rule", "column", "header", "values", "regex", "blank"}
_UNPIVOT_KEYS = {"columns", "name_column", "value_column", "name_header", "value_header", "keep_blank"}


def ingest_table(name: str) -> Table:
    """A contract table with the columns only an ingest fills (schema.Table.extra_columns)."""
    table = ALL_TABLES[name]
    return dataclasses.replace(table, columns=table.columns + table.extra_columns) if table.extra_columns else table


class MappingError(ValueError):
    """A mapping file that cannot be used (the message names the file and the entry)."""


@dataclass(frozen=True)
class Join:
    """A contract column made of several source columns (a date and a time; two parts of an id)."""

    headers: tuple[str, ...]
    sep: str = " "

    @property
    def label(self) -> str:
        return "+".join(self.headers)


@dataclass(frozen=True)
class Generate:
    """A generated row id: ``line`` = prefix + the source line (unique within a file; the prefix
    defaults to the file name without its suffix); ``hash`` = prefix + 16 hex digits of the sha1 of
    the row's source cells (the same row gives the same id in every export)."""

    kind: str
    prefix: str | None = None

    @property
    def label(self) -> str:
        return f"=generate:{self.kind}"


@dataclass(frozen=True)
class DaysAfter:
    """A deadline the source does not write: the close of the day ``days`` calendar days (自然日) after
    the date of another time column (``received_at`` + 15 days). Blank when that time is blank."""

    after: str
    days: int

    @property
    def label(self) -> str:
        return f"={self.after}+{self.days}自然日"


@dataclass(frozen=True)
class SkipRule:
    """Rows left out on purpose (test rows, a "don't know" answer): counted per rule, not rejects."""

    rule: str
    column: str | None = None  # a contract column: matched against the file's value (before value maps)
    header: str | None = None  # or a source header (need not be mapped)
    values: frozenset[str] = frozenset()
    regex: str | None = None
    blank: bool = False


@dataclass(frozen=True)
class Unpivot:
    """A wide file (one column per question) read as one row per (row, question)."""

    columns: tuple[str, ...]
    name_column: str
    value_column: str
    name_header: str = "题目"
    value_header: str = "答案"
    keep_blank: bool = False  # blank answers are skipped (counted as 空白答案) unless true


@dataclass(frozen=True)
class InputSpec:
    """One kind of input file: which files, which table, how to read and map them."""

    name: str
    files: tuple[str, ...]
    table: str
    encoding: str = "auto"
    sheet: str | int = 0
    header_row: int = 1
    delimiter: str = ","
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # target -> source headers (first found)
    auto_columns: bool = True  # unmapped contract columns match a header equal to their name or label_zh
    datetime_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    transforms: dict[str, tuple[tuple[str, object], ...]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    joins: dict[str, Join] = field(default_factory=dict)  # target -> several source headers joined
    generated: dict[str, Generate] = field(default_factory=dict)  # target -> generated row id
    derived: dict[str, DaysAfter] = field(default_factory=dict)  # deadline -> another time + N calendar days
    source_timezone: str | None = None  # naive times in the file are in this zone (converted to local)
    local_timezone: str = DEFAULT_LOCAL_TIMEZONE  # the zone the snapshot's times are in
    skip: tuple[SkipRule, ...] = ()
    unpivot: Unpivot | None = None
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)  # target -> accepted values
    accepted_source: dict[str, str] = field(default_factory=dict)  # target -> where the list came from
    mode: str = "replace"  # on a base snapshot: replace the base's table, or append to it

    @property
    def spec(self) -> Table:
        return ingest_table(self.table)

    def matches(self, file_name: str) -> bool:
        names = {file_name}
        if file_name.lower().endswith(".gz"):
            names.add(file_name[:-3])
        return any(fnmatch.fnmatchcase(n, p) or fnmatch.fnmatchcase(n.lower(), p.lower())
                   for n in names for p in self.files)

    def formats_for(self, column: str) -> tuple[str, ...]:
        own = self.datetime_formats.get(column, self.datetime_formats.get(DEFAULT_KEY, ()))
        return tuple(own) + tuple(f for f in FALLBACK_DATETIME_FORMATS if f not in own)


@dataclass(frozen=True)
class Mapping:
    name: str
    inputs: tuple[InputSpec, ...]
    description: str = ""
    as_of: dt.datetime | None = None  # default snapshot time for a fixed historical export
    reference: dict[str, Path] = field(default_factory=dict)  # table -> file shipped with the mapping
    path: Path | None = None
    local_timezone: str = DEFAULT_LOCAL_TIMEZONE
    reject_threshold: dict[str, float] = field(default_factory=dict)  # table -> share, over the CLI's default

    def threshold_for(self, table: str, default: float) -> float:
        return self.reject_threshold.get(table, default)

    def modes(self) -> dict[str, str]:
        """replace / append per table the mapping loads."""
        return {spec.table: spec.mode for spec in self.inputs}

    def input_for(self, file_name: str) -> InputSpec | None:
        for spec in self.inputs:
            if spec.matches(file_name):
                return spec
        return None

    def patterns_text(self) -> str:
        return "; ".join(f"{s.name} → {s.table}: {', '.join(s.files)}" for s in self.inputs)


def resolve_mapping_path(text: str | Path) -> Path:
    """A path, or a bare name of a shipped mapping (``boston311`` → mappings/boston311.yaml)."""
    path = Path(text)
    if path.is_file():
        return path
    for candidate in (MAPPINGS_DIR / path, MAPPINGS_DIR / f"{path}.yaml", MAPPINGS_DIR / f"{path}.yml"):
        if candidate.is_file():
            return candidate
    raise MappingError(f"映射文件不存在 (mapping file not found): {text}")


def parse_as_of(value: object) -> dt.datetime:
    """YYYY-MM-DD (the end of that day) or YYYY-MM-DDTHH:MM[:SS]; a datetime passes through."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(23, 59, 59))
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(23, 59, 59))
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"截至时间格式不对 (as-of must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS): {text!r}"
        ) from None
    if parsed.tzinfo is not None:
        raise ValueError(f"截至时间不要带时区 (as-of must be local time without a zone): {text!r}")
    return parsed


def _text(value: object) -> str:
    """YAML scalars as the strings a file would hold (YAML reads yes/1/7.0 as bool/int/float)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_list(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
        return tuple(_text(v) for v in value)
    raise MappingError(f"{where}: expected a string or a list of strings, got {value!r}")


def _parse_transforms(column: str, steps: object, where: str) -> tuple[tuple[str, object], ...]:
    if isinstance(steps, dict):
        steps = [{k: v} for k, v in steps.items()]
    if not isinstance(steps, list):
        raise MappingError(f"{where}.transforms.{column}: expected a list of steps like [{{default: D00}}]")
    parsed = []
    for step in steps:
        if not isinstance(step, dict) or len(step) != 1:
            raise MappingError(f"{where}.transforms.{column}: each step is one 'op: argument' pair, got {step!r}")
        ((op, arg),) = step.items()
        if op not in TRANSFORM_OPS:
            raise MappingError(f"{where}.transforms.{column}: unknown op {op!r} (known: {', '.join(TRANSFORM_OPS)})")
        if op == "number_format":
            try:
                str(arg).format(7)
            except (ValueError, IndexError, KeyError) as exc:
                raise MappingError(f"{where}.transforms.{column}: bad number_format {arg!r}: {exc}") from None
        elif op == "zfill" and not (isinstance(arg, int) and arg > 0):
            raise MappingError(f"{where}.transforms.{column}: zfill needs a positive width, got {arg!r}")
        elif op == "regex":
            if not (isinstance(arg, dict) and set(arg) == {"pattern", "replace"}):
                raise MappingError(f"{where}.transforms.{column}: regex needs {{pattern: ..., replace: ...}}")
            try:
                re.compile(str(arg["pattern"]))
            except re.error as exc:
                raise MappingError(f"{where}.transforms.{column}: bad regex: {exc}") from None
            arg = (str(arg["pattern"]), _text(arg["replace"]))
        elif op in ("upper", "lower"):
            if arg is not True:
                continue
        else:
            arg = _text(arg)
        parsed.append((op, arg))
    return tuple(parsed)


def _timezone(value: object, where: str) -> str:
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"{where}: unknown time zone {value!r} (use a name like UTC or Asia/Shanghai)") from None
    return str(value)


def _share(value: object, where: str) -> float:
    text = _text(value).strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise MappingError(f"{where}: not a share like 0.01 or 1%: {value!r}") from None
    if not 0 <= share <= 1:
        raise MappingError(f"{where}: must be between 0 and 1 (or 0% and 100%): {value!r}")
    return share


def _parse_column_source(target: str, value: object, where: str) -> tuple[str, object]:
    """``header`` / ``[header, …]`` / ``{join: [a, b], sep: " "}`` / ``{generate: line|hash, prefix: …}``."""
    if isinstance(value, dict):
        if "join" in value:
            if set(value) - {"join", "sep"}:
                raise MappingError(f"{where}.columns.{target}: a join takes 'join' and 'sep', got {sorted(value)}")
            headers = _as_list(value["join"], f"{where}.columns.{target}.join")
            if len(headers) < 2:
                raise MappingError(f"{where}.columns.{target}.join: name at least two source columns")
            return "join", Join(headers, _text(value.get("sep", " ")))
        if "generate" in value:
            if set(value) - {"generate", "prefix"}:
                raise MappingError(f"{where}.columns.{target}: generate takes 'generate' and 'prefix', "
                                   f"got {sorted(value)}")
            kind = _text(value["generate"])
            if kind not in GENERATE_KINDS:
                raise MappingError(f"{where}.columns.{target}.generate: one of {', '.join(GENERATE_KINDS)}, "
                                   f"got {kind!r}")
            prefix = value.get("prefix")
            return "generate", Generate(kind, None if prefix is None else _text(prefix))
        if "after" in value:
            if set(value) != {"after", "calendar_days"}:
                raise MappingError(f"{where}.columns.{target}: a deadline after another time takes 'after' and "
                                   f"'calendar_days', got {sorted(value)}")
            days = value["calendar_days"]
            if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                raise MappingError(f"{where}.columns.{target}.calendar_days: a whole number of days ≥ 0, "
                                   f"got {days!r}")
            return "derive", DaysAfter(_text(value["after"]), days)
        raise MappingError(f"{where}.columns.{target}: expected a header, a list of headers, "
                           f"{{join: [a, b]}}, {{generate: line}} or {{after: received_at, calendar_days: N}}, "
                           f"got {value!r}")
    return "header", _as_list(value, f"{where}.columns.{target}")


def _parse_skip(raw: object, where: str, columns: set[str]) -> tuple[SkipRule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MappingError(f"{where}.skip: expected a list of rules like [{{rule: 测试数据, header: 备注, "
                           "values: [测试]}}]")
    rules = []
    for i, item in enumerate(raw):
        here = f"{where}.skip[{i}]"
        if not isinstance(item, dict):
            raise MappingError(f"{here}: expected rule, column or header, and values / regex / blank")
        unknown = set(item) - _SKIP_KEYS
        if unknown:
            raise MappingError(f"{here}: unknown keys {sorted(unknown)} (known: {sorted(_SKIP_KEYS)})")
        name = _text(item.get("rule") or "").strip()
        if not name:
            raise MappingError(f"{here}: every rule needs a name (rule: …), it is shown with its count")
        column, header = item.get("column"), item.get("header")
        if (column is None) == (header is None):
            raise MappingError(f"{here}: give either column (a contract column) or header (a source header)")
        if column is not None and column not in columns:
            raise MappingError(f"{here}: {column!r} is not a column of this table")
        tests = [k for k in ("values", "regex", "blank") if item.get(k) not in (None, False)]
        if len(tests) != 1:
            raise MappingError(f"{here}: give exactly one of values, regex, blank: true")
        values = frozenset(v.strip() for v in _as_list(item["values"], f"{here}.values")) \
            if "values" in tests else frozenset()
        regex = None
        if "regex" in tests:
            regex = _text(item["regex"])
            try:
                re.compile(regex)
            except re.error as exc:
                raise MappingError(f"{here}: bad regex: {exc}") from None
        rules.append(SkipRule(name, None if column is None else str(column), None if header is None else _text(header),
                              values, regex, "blank" in tests))
    names = [r.rule for r in rules]
    if len(set(names)) != len(names):
        raise MappingError(f"{where}.skip: rule names must be unique, got {names}")
    return tuple(rules)


def _parse_unpivot(raw: object, where: str, columns: set[str]) -> Unpivot | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise MappingError(f"{where}.unpivot: expected {{columns: [...], name_column: …, value_column: …}}")
    unknown = set(raw) - _UNPIVOT_KEYS
    if unknown:
        raise MappingError(f"{where}.unpivot: unknown keys {sorted(unknown)} (known: {sorted(_UNPIVOT_KEYS)})")
    for key in ("columns", "name_column", "value_column"):
        if key not in raw:
            raise MappingError(f"{where}.unpivot: {key!r} is required")
    headers = _as_list(raw["columns"], f"{where}.unpivot.columns")
    if len(set(headers)) != len(headers):
        raise MappingError(f"{where}.unpivot.columns: a header is listed twice")
    name_col, value_col = str(raw["name_column"]), str(raw["value_column"])
    for col in (name_col, value_col):
        if col not in columns:
            raise MappingError(f"{where}.unpivot: {col!r} is not a column of this table")
    if name_col == value_col:
        raise MappingError(f"{where}.unpivot: name_column and value_column must differ")
    keep = raw.get("keep_blank", False)
    if not isinstance(keep, bool):
        raise MappingError(f"{where}.unpivot.keep_blank is true or false")
    return Unpivot(headers, name_col, value_col, _text(raw.get("name_header", "题目")),
                   _text(raw.get("value_header", "答案")), keep)


def read_accepted_file(path: Path, where: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """A reference list of accepted values: a CSV with a ``value`` column (or 值) and optionally a
    ``source`` column (or 源值: the text the source writes, mapped onto the value)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{where}: cannot read {path} as UTF-8: {exc}") from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise MappingError(f"{where}: {path.name} has no rows")
    fields = {f.strip(): f for f in rows[0]}
    value_key = fields.get("value") or fields.get("值")
    source_key = fields.get("source") or fields.get("源值")
    if value_key is None:
        raise MappingError(f"{where}: {path.name} needs a column 'value' (or 值); it has {', '.join(fields)}")
    values: list[str] = []
    value_map: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        value = (row.get(value_key) or "").strip()
        if not value:
            raise MappingError(f"{where}: {path.name} line {line}: the value is blank")
        if value not in values:
            values.append(value)
        source = (row.get(source_key) or "").strip() if source_key else ""
        if source:
            if value_map.get(source, value) != value:
                raise MappingError(f"{where}: {path.name} line {line}: {source!r} is mapped twice")
            value_map[source] = value
    return tuple(values), value_map


def _parse_input(raw: object, index: int, source: str, base_dir: Path | None = None,
                 local_timezone: str = DEFAULT_LOCAL_TIMEZONE) -> InputSpec:
    where = f"{source}: inputs[{index}]"
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a mapping of keys, got {raw!r}")
    unknown = set(raw) - _INPUT_KEYS
    if unknown:
        raise MappingError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(_INPUT_KEYS)})")
    table = raw.get("table")
    if table not in ALL_TABLES:
        raise MappingError(f"{where}: table must be one of {', '.join(ALL_TABLES)}, got {table!r}")
    spec = ingest_table(table)
    name = str(raw.get("name") or table)
    where = f"{source}: input {name!r}"
    if "files" not in raw:
        raise MappingError(f"{where}: 'files' (glob patterns on the file name) is required")
    files = _as_list(raw["files"], f"{where}.files")
    encoding = str(raw.get("encoding", "auto")).lower().replace("_", "-")
    if encoding == "utf8":
        encoding = "utf-8"
    if encoding not in ENCODINGS:
        raise MappingError(f"{where}: encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    sheet = raw.get("sheet", 0)
    if not isinstance(sheet, str | int) or isinstance(sheet, bool) or (isinstance(sheet, int) and sheet < 0):
        raise MappingError(f"{where}: sheet is a sheet name or a 0-based index, got {sheet!r}")
    header_row = raw.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        raise MappingError(f"{where}: header_row is the 1-based line of the header, got {header_row!r}")
    delimiter = raw.get("delimiter", ",")
    if delimiter == "\\t":
        delimiter = "\t"
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise MappingError(f"{where}: delimiter must be one character, got {delimiter!r}")

    def target_columns(section: str) -> dict:
        value = raw.get(section) or {}
        if not isinstance(value, dict):
            raise MappingError(f"{where}.{section}: expected 'contract_column: ...' entries")
        allowed = set(spec.column_names) | ({DEFAULT_KEY} if section == "datetime_formats" else set())
        bad = [k for k in value if k not in allowed]
        if bad:
            raise MappingError(
                f"{where}.{section}: {bad} are not columns of table {table} "
                f"(its columns: {', '.join(spec.column_names)})"
            )
        return value

    columns, joins, generated, derived = {}, {}, {}, {}
    for k, v in target_columns("columns").items():
        kind, parsed = _parse_column_source(k, v, where)
        {"header": columns, "join": joins, "generate": generated, "derive": derived}[kind][k] = parsed
    for k, rule in derived.items():
        if not spec.column(k).deadline:
            deadlines = ", ".join(c.name for c in spec.columns if c.deadline) or "none"
            raise MappingError(f"{where}.columns.{k}: only a deadline can be another time + N days "
                               f"(in {table}: {deadlines})")
        if rule.after not in spec.column_names or spec.column(rule.after).type != "ts" or rule.after == k:
            times = ", ".join(c.name for c in spec.columns if c.type == "ts" and c.name != k)
            raise MappingError(f"{where}.columns.{k}.after: a time column of {table} ({times}), got {rule.after!r}")
    time_columns = {c.name for c in spec.columns if c.type in ("ts", "date")}
    formats = {}
    for k, v in target_columns("datetime_formats").items():
        if k != DEFAULT_KEY and k not in time_columns:
            raise MappingError(f"{where}.datetime_formats: {k} is not a date/time column")
        formats[k] = _as_list(v, f"{where}.datetime_formats.{k}")
    values = {}
    for k, v in target_columns("values").items():
        if not isinstance(v, dict) or not v:
            raise MappingError(f"{where}.values.{k}: expected 'source value: contract value' entries")
        values[k] = {_text(a).strip(): _text(b) for a, b in v.items()}
    transforms = {k: _parse_transforms(k, v, where) for k, v in target_columns("transforms").items()}
    constants = {k: _text(v) for k, v in target_columns("constants").items()}
    both = set(columns) & set(constants)
    if both:
        raise MappingError(f"{where}: {sorted(both)} are both mapped from a source column and set as constants")
    auto = raw.get("auto_columns", True)
    if not isinstance(auto, bool):
        raise MappingError(f"{where}: auto_columns is true or false")
    source_tz = None if raw.get("source_timezone") is None else _timezone(raw["source_timezone"],
                                                                          f"{where}.source_timezone")
    skip = _parse_skip(raw.get("skip"), where, set(spec.column_names))
    unpivot = _parse_unpivot(raw.get("unpivot"), where, set(spec.column_names))
    if unpivot is not None:
        taken = {unpivot.name_column, unpivot.value_column} & (set(columns) | set(constants) | set(joins)
                                                               | set(generated))
        if taken:
            raise MappingError(f"{where}: {sorted(taken)} come from unpivot; do not map them in columns too")
        columns[unpivot.name_column] = (unpivot.name_header,)
        columns[unpivot.value_column] = (unpivot.value_header,)
    accepted, accepted_source = {}, {}
    for k, v in target_columns("accepted").items():
        col = spec.column(k)
        if col.type != "str" or col.accepted is not None:
            open_columns = ", ".join(c.name for c in spec.columns if c.default_accepted) or "none"
            raise MappingError(f"{where}.accepted.{k}: only a column whose values the contract leaves open "
                               f"takes a list of its own (in {table}: {open_columns})")
        if isinstance(v, str):
            path = Path(v)
            if not path.is_absolute():
                path = (base_dir or Path.cwd()) / path
            if not path.is_file():
                raise MappingError(f"{where}.accepted.{k}: file not found: {path}")
            accepted[k], value_map = read_accepted_file(path, f"{where}.accepted.{k}")
            accepted_source[k] = path.name
            if value_map:
                values[k] = {**value_map, **values.get(k, {})}
        else:
            accepted[k] = _as_list(v, f"{where}.accepted.{k}")
            accepted_source[k] = "mapping"
    mode = str(raw.get("mode", "replace"))
    if mode not in MODES:
        raise MappingError(f"{where}: mode is one of {', '.join(MODES)}, got {mode!r}")
    return InputSpec(
        name=name, files=files, table=table, encoding=encoding, sheet=sheet, header_row=header_row,
        delimiter=delimiter, columns=columns, auto_columns=auto, datetime_formats=formats, values=values,
        transforms=transforms, constants=constants, joins=joins, generated=generated, derived=derived,
        source_timezone=source_tz,
        local_timezone=local_timezone, skip=skip, unpivot=unpivot, accepted=accepted,
        accepted_source=accepted_source, mode=mode,
    )


def mapping_from_dict(raw: object, source: str = "mapping", base_dir: Path | None = None) -> Mapping:
    if not isinstance(raw, dict):
        raise MappingError(f"{source}: expected a YAML mapping with an 'inputs' list")
    unknown = set(raw) - _MAPPING_KEYS
    if unknown:
        raise MappingError(f"{source}: unknown keys {sorted(unknown)} (known: {sorted(_MAPPING_KEYS)})")
    inputs = raw.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise MappingError(f"{source}: 'inputs' must be a non-empty list")
    local_tz = _timezone(raw.get("local_timezone", DEFAULT_LOCAL_TIMEZONE), f"{source}: local_timezone")
    parsed = tuple(_parse_input(item, i, source, base_dir, local_tz) for i, item in enumerate(inputs))
    names = [p.name for p in parsed]
    if len(set(names)) != len(names):
        raise MappingError(f"{source}: input names must be unique, got {names}")
    modes: dict[str, set[str]] = {}
    for p in parsed:
        modes.setdefault(p.table, set()).add(p.mode)
    mixed = sorted(t for t, m in modes.items() if len(m) > 1)
    if mixed:
        raise MappingError(f"{source}: inputs of the same table must agree on mode (replace or append): {mixed}")
    thresholds = {}
    raw_thresholds = raw.get("reject_threshold") or {}
    if not isinstance(raw_thresholds, dict):
        raise MappingError(f"{source}: reject_threshold is 'table: share' entries, e.g. {{surveys: 5%}}")
    for table, value in raw_thresholds.items():
        if table not in ALL_TABLES:
            raise MappingError(f"{source}: reject_threshold.{table}: not a table ({', '.join(ALL_TABLES)})")
        thresholds[table] = _share(value, f"{source}: reject_threshold.{table}")
    as_of = None
    if raw.get("as_of") is not None:
        try:
            as_of = parse_as_of(raw["as_of"])
        except ValueError as exc:
            raise MappingError(f"{source}: {exc}") from None
    reference = {}
    ref_raw = raw.get("reference") or {}
    if not isinstance(ref_raw, dict):
        raise MappingError(f"{source}: reference is 'table: file' entries")
    for table, file in ref_raw.items():
        if table not in ALL_TABLES or ALL_TABLES[table].kind != "reference":
            raise MappingError(f"{source}: reference.{table} is not a reference table (counties, departments, "
                               "items, calendar)")
        path = Path(str(file))
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        if not path.is_file():
            raise MappingError(f"{source}: reference.{table}: file not found: {path}")
        reference[table] = path
    return Mapping(
        name=str(raw.get("name") or source), inputs=parsed, description=str(raw.get("description") or ""),
        as_of=as_of, reference=reference, local_timezone=local_tz, reject_threshold=thresholds,
    )


def load_mapping(path: str | Path) -> Mapping:
    path = resolve_mapping_path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"映射文件无法读取 (cannot read mapping {path}): {exc}") from None
    mapping = mapping_from_dict(raw, source=path.name, base_dir=path.parent)
    return Mapping(
        name=mapping.name, inputs=mapping.inputs, description=mapping.description, as_of=mapping.as_of,
        reference=mapping.reference, path=path, local_timezone=mapping.local_timezone,
        reject_threshold=mapping.reject_threshold,
    )

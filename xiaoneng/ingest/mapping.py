"""Mapping files (YAML, mappings/README.md): how one source system's exports become contract tables.

A mapping is declarative data: which files an input matches, the target table, how the file is
read (encoding, sheet, header row, delimiter), which source header feeds which contract column,
datetime formats, value maps, small transforms and constants. Everything is checked when the
file is loaded, so a typo in a mapping is reported before any data is read.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
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
)

TRANSFORM_OPS = ("number_format", "prefix", "suffix", "zfill", "upper", "lower", "regex", "default")

_INPUT_KEYS = {
    "name", "files", "table", "encoding", "sheet", "header_row", "delimiter", "columns", "auto_columns",
    "datetime_formats", "values", "transforms", "constants",
}
_MAPPING_KEYS = {"name", "description", "as_of", "reference", "inputs"}


class MappingError(ValueError):
    """A mapping file that cannot be used (the message names the file and the entry)."""


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

    @property
    def spec(self) -> Table:
        return ALL_TABLES[self.table]

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


def _parse_input(raw: object, index: int, source: str) -> InputSpec:
    where = f"{source}: inputs[{index}]"
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a mapping of keys, got {raw!r}")
    unknown = set(raw) - _INPUT_KEYS
    if unknown:
        raise MappingError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(_INPUT_KEYS)})")
    table = raw.get("table")
    if table not in ALL_TABLES:
        raise MappingError(f"{where}: table must be one of {', '.join(ALL_TABLES)}, got {table!r}")
    spec = ALL_TABLES[table]
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

    columns = {k: _as_list(v, f"{where}.columns.{k}") for k, v in target_columns("columns").items()}
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
    return InputSpec(
        name=name, files=files, table=table, encoding=encoding, sheet=sheet, header_row=header_row,
        delimiter=delimiter, columns=columns, auto_columns=auto, datetime_formats=formats, values=values,
        transforms=transforms, constants=constants,
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
    parsed = tuple(_parse_input(item, i, source) for i, item in enumerate(inputs))
    names = [p.name for p in parsed]
    if len(set(names)) != len(names):
        raise MappingError(f"{source}: input names must be unique, got {names}")
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
        as_of=as_of, reference=reference,
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
        reference=mapping.reference, path=path,
    )

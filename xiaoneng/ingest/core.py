"""run_ingest: source files + mapping → validated snapshot (or a clear refusal), store untouched on failure.

Order of work: check the arguments and the snapshot id, read and map every file (a file that
cannot be used refuses the load, after all files were looked at so every problem is reported
at once), validate reference tables first and facts after them (cases before case_steps),
quarantine rejected rows, apply the reject threshold, then hand everything to
``SnapshotStore.publish``, which writes atomically. Nothing here writes into the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from xiaoneng.export import CSV_ENCODING, neutralise
from xiaoneng.ingest.mapping import InputSpec, Mapping, MappingError, ingest_table, load_mapping, parse_as_of
from xiaoneng.ingest.readers import FileRefused, read_file, unpivot
from xiaoneng.ingest.reasons import label
from xiaoneng.ingest.validate import Batch, Reject, TableRows, visible
from xiaoneng.paths import reference_dir as default_reference_dir
from xiaoneng.reference import load_calendar_days, read_reference_csv
from xiaoneng.schema import ALL_TABLES, FACT_TABLES, REFERENCE_TABLES, UNKNOWN
from xiaoneng.snapshots import (
    SNAPSHOT_ID_PATTERN,
    SnapshotError,
    SnapshotInfo,
    SnapshotStore,
    conform,
    derive_case_timing,
)
from xiaoneng.workdays import CalendarDay, WorkCalendar

PRODUCER = "xiaoneng.ingest"
# Reference tables before the facts that point at them; cases before case_steps.
TABLE_ORDER = ("departments", "counties", "items", "calendar", "cases", "case_steps", "ratings", "surveys", "tasks")
QUARANTINE_COLUMNS = ("file", "line", "table", "column", "source_column", "reason_code", "reason", "value", "row")
TABLE_LABELS = {name: spec.label_zh for name, spec in ALL_TABLES.items()}
# Warn when the working-day calendar ends this close after the snapshot time: open cases need the
# days after it for their deadlines, and next year's schedule is published in November.
CALENDAR_MARGIN_DAYS = 60


@dataclass
class TableCounts:
    read: int = 0  # rows in the files (after unpivot: one per answer), skipped rows included
    kept: int = 0
    rejected: int = 0
    skipped: int = 0  # left out on purpose by the mapping's skip rules
    threshold: float = 0.01  # the reject share this table may reach

    @property
    def considered(self) -> int:
        return self.read - self.skipped

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.considered if self.considered else 0.0

    @property
    def over(self) -> bool:
        return self.reject_rate > self.threshold


@dataclass
class FileReport:
    file: str
    path: Path
    table: str | None = None
    input: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    read: int = 0
    kept: int = 0
    rejected: int = 0
    blank_rows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # rows left out per skip rule
    error: str | None = None


@dataclass
class IngestResult:
    snapshot_id: str
    as_of: dt.datetime | None = None
    mapping_name: str = ""
    dry_run: bool = False
    reject_threshold: float = 0.01
    accept_rejects: bool = False
    published: SnapshotInfo | None = None
    tables: dict[str, TableCounts] = field(default_factory=dict)
    files: list[FileReport] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    reason_counts: dict[str, int] = field(default_factory=dict)  # rejected rows per reason code
    warnings: list[str] = field(default_factory=list)
    refused_reason: str | None = None
    usage_error: bool = False  # refused because of the arguments or the mapping, not the data
    quarantine_csv: bytes = b""
    base: str | None = None  # the snapshot this one is built on (--base)
    tables_from: dict[str, dict] = field(default_factory=dict)  # table -> {source, mode, from_base, from_load}
    verdict: dict[str, int] = field(default_factory=dict)  # the source system's verdict against ours
    unknowns: dict[str, int] = field(default_factory=dict)  # this load's cases mapped to channel/status unknown
    timing: dict[str, int] = field(default_factory=dict)  # cases that could not be timed, deadlines beyond
    calendar_source: str = ""  # which working-day calendar was used
    accept_untimed: bool = False

    @property
    def rows_read(self) -> int:
        return sum(t.read for t in self.tables.values())

    @property
    def rows_kept(self) -> int:
        return sum(t.kept for t in self.tables.values())

    @property
    def rows_rejected(self) -> int:
        return sum(t.rejected for t in self.tables.values())

    @property
    def rows_skipped(self) -> int:
        return sum(t.skipped for t in self.tables.values())

    @property
    def reject_rate(self) -> float:
        considered = self.rows_read - self.rows_skipped
        return self.rows_rejected / considered if considered else 0.0

    @property
    def tables_over(self) -> list[str]:
        """Tables whose rejected rows exceed their threshold (the threshold applies per table)."""
        return [name for name, t in self.tables.items() if t.over]

    @property
    def ok(self) -> bool:
        """Published, or (dry run) would be published."""
        return self.refused_reason is None and (self.published is not None or self.dry_run)

    @property
    def exit_code(self) -> int:
        if self.ok:
            return 0
        return 2 if self.usage_error else 1

    def refuse(self, reason: str, *, usage: bool = False) -> IngestResult:
        self.refused_reason = reason
        self.usage_error = usage
        return self

    def summary(self, max_rejects: int = 20) -> str:
        out = []
        when = f"，截至 {self.as_of:%Y-%m-%d %H:%M:%S}" if self.as_of else ""
        when_en = f", as of {self.as_of.isoformat()}" if self.as_of else ""
        out.append(f"导入快照 {self.snapshot_id}{when}（映射 {self.mapping_name}）"
                   f"(ingest of snapshot {self.snapshot_id}{when_en}, mapping {self.mapping_name})")
        if self.base:
            out.append(f"基础快照 (base snapshot): {self.base}")
        if self.published is not None:
            out.append(f"结果：已发布 (result: published) → {self.published.path}")
        elif self.refused_reason is None and self.dry_run:
            out.append("结果：试运行，检查通过，可以发布 (result: dry run, checks passed, would publish)")
        else:
            prefix = "试运行，" if self.dry_run else ""
            out.append(f"结果：{prefix}未发布 (result: not published{' (dry run)' if self.dry_run else ''})")
            out.append(f"原因 (reason): {self.refused_reason}")
        if self.files:
            out.append("文件 (files):")
            for f in self.files:
                where = f.encoding or (f"sheet {f.sheet}" if f.sheet else "")
                if f.error:
                    out.append(f"  {f.file}: 拒收 (refused) — {f.error}")
                    continue
                blank = f"，跳过空行 {f.blank_rows} (blank rows skipped)" if f.blank_rows else ""
                skipped = sum(f.skipped.values())
                skip_zh = f"，跳过 {skipped}" if skipped else ""
                skip_en = f", skipped {skipped}" if skipped else ""
                out.append(
                    f"  {f.file} → {f.table}（{TABLE_LABELS.get(f.table, '')}）: 读取 {f.read} 行，保留 {f.kept}，"
                    f"隔离 {f.rejected}{skip_zh}{blank} (read {f.read}, kept {f.kept}, rejected {f.rejected}{skip_en})"
                    + (f" [{where}]" if where else "")
                )
                for rule, count in f.skipped.items():
                    out.append(f"    跳过 (skipped) {rule}: {count}")
        if self.tables:
            out.append("各表 (tables):")
            for name, t in self.tables.items():
                pct, limit = 100 * t.reject_rate, 100 * t.threshold
                verdict = "，超过阈值 (over the threshold)" if t.over else ""
                skip_zh = f"，跳过 {t.skipped}" if t.skipped else ""
                skip_en = f", skipped {t.skipped}" if t.skipped else ""
                out.append(f"  {name}（{TABLE_LABELS.get(name, '')}）: 读取 {t.read}，保留 {t.kept}，隔离 {t.rejected}"
                           f"{skip_zh} = {pct:.2f}%，阈值 {limit:g}%{verdict} "
                           f"(read {t.read}, kept {t.kept}, rejected {t.rejected}{skip_en} = {pct:.2f}%, "
                           f"threshold {limit:g}%)")
            pct = 100 * self.reject_rate
            out.append(f"隔离行合计 {self.rows_rejected} / {self.rows_read - self.rows_skipped} = {pct:.2f}%，"
                       f"阈值按表计算 (rejected rows {self.rows_rejected} of "
                       f"{self.rows_read - self.rows_skipped} = {pct:.2f}%; the threshold applies per table)")
        if self.tables_from:
            out.append("快照各表来源 (where each table of the snapshot comes from):")
            for name, t in self.tables_from.items():
                out.append(f"  {name}: {_source_text(t)}")
        if self.unknowns:
            u = self.unknowns
            out.append(f"未知值 (explicit unknowns, cases of this load): 渠道未知 {u['channel']} 件"
                       f"（不计入网办率的分母），状态未知 {u['status']} 件（按时间戳计：有办结时间的计为办结） "
                       f"(channel unknown {u['channel']}: outside the online share's base; status unknown "
                       f"{u['status']}: counted by their timestamps, a completion once they have a completion time)")
        if self.verdict:
            v = self.verdict
            out.append(
                f"源系统按时判定对比 (source verdict vs ours, completed cases): 可比 {v['compared']}，"
                f"一致 {v['agree']}，"
                f"不一致 {v['disagree']}（源系统按时、本系统超期 {v['source_on_time_ours_late']}；"
                f"源系统超期、本系统按时 {v['source_late_ours_on_time']}），无法比较 {v['not_compared']} "
                f"(compared {v['compared']}, agree {v['agree']}, disagree {v['disagree']}: on time for the "
                f"source and late for us {v['source_on_time_ours_late']}, late for the source and on time for us "
                f"{v['source_late_ours_on_time']}; not comparable {v['not_compared']})")
        if self.reason_counts:
            out.append("隔离原因（行数）(rejected rows by reason):")
            for code, count in sorted(self.reason_counts.items(), key=lambda kv: (-kv[1], kv[0])):
                out.append(f"  {label(code)} [{code}]: {count}")
        if self.rejects:
            shown = self.rejects[:max_rejects]
            out.append(f"隔离明细（前 {len(shown)} 条，共 {len(self.rejects)} 条）"
                       f"(rejects, first {len(shown)} of {len(self.rejects)}):")
            for r in shown:
                column = f" {r.source_column or r.column}" if (r.source_column or r.column) else ""
                out.append(f"  {r.file} 第 {r.line} 行 (line {r.line}){column}: {r.reason}")
        if self.warnings:
            out.append("警告 (warnings):")
            out.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(out)

    def report(self) -> dict:
        """What the manifest keeps about this ingest."""
        report = {
            "mapping": self.mapping_name,
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "rows_skipped": self.rows_skipped,
            "reject_threshold": self.reject_threshold,
            "accepted_rejects": self.accept_rejects and bool(self.tables_over),
            "tables": {k: vars(v) for k, v in self.tables.items()},
            "files": [{"file": f.file, "table": f.table, "encoding": f.encoding, "sheet": f.sheet,
                       "read": f.read, "kept": f.kept, "rejected": f.rejected, "skipped": dict(f.skipped)}
                      for f in self.files],
            "rejected_rows_by_reason": dict(self.reason_counts),
            "calendar": self.calendar_source,
            "timing": dict(self.timing),
            "warnings": list(self.warnings),
        }
        if self.verdict:
            report["source_verdict"] = dict(self.verdict)
        if self.unknowns:
            report["unknowns"] = dict(self.unknowns)
        if self.base:
            report["base"] = self.base
            report["tables_from"] = dict(self.tables_from)
        if self.accept_untimed and self.timing.get("refusable"):
            report["accepted_untimed"] = True
        return report


def _source_text(t: dict) -> str:
    source = t["source"]
    if source == "base":
        return f"基础快照，未改动 {t['from_base']} 行 (from the base, unchanged: {t['from_base']} rows)"
    if source == "append":
        return (f"基础快照 {t['from_base']} 行 + 本次导入追加 {t['from_load']} 行 "
                f"(base {t['from_base']} rows + {t['from_load']} appended from this load)")
    if source == "replace":
        return (f"本次导入 {t['from_load']} 行，替换基础快照的 {t['from_base']} 行 "
                f"(this load's {t['from_load']} rows, replacing the base's {t['from_base']})")
    return f"本次导入 {t['from_load']} 行 (this load: {t['from_load']} rows)"


def quarantine_bytes(batches: list[Batch]) -> bytes:
    """Rejected rows as CSV, UTF-8 with a BOM so that Excel shows the Chinese text. Text that Excel would
    run as a formula (a value ``=HYPERLINK(…)``, a file named ``=cmd办件.csv``) is neutralised as in every
    other export (xiaoneng.export.neutralise)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(QUARANTINE_COLUMNS)
    for batch in batches:
        for p in sorted(batch.problems, key=lambda p: (p.row, p.column)):
            writer.writerow([neutralise(cell) for cell in (
                batch.file, int(batch.lines[p.row]), batch.table.name, p.column,
                batch.source_of(p.column, p.row), p.code, p.message,
                "" if p.value is None else visible(str(p.value)), batch.row_json(p.row),
            )])
    return buffer.getvalue().encode(CSV_ENCODING)


def _reference_from_dir(folder: Path, table: str) -> pa.Table:
    path = folder / f"{table}.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"参考表 {table} 不在本次导入中，{path} 也不存在 "
            f"(reference table {table} is neither in the load nor at {path}; "
            f"add it to the load or pass --reference DIR)"
        )
    return read_reference_csv(path, table)


def _base_calendar_days(info: SnapshotInfo) -> list[CalendarDay]:
    """The working-day calendar a snapshot was built with (calendar.parquet: one row per covered date)."""
    table = pq.read_table(info.table_path("calendar"), columns=["date", "day_kind", "name_zh"])
    return [CalendarDay(d, k, n or "") for d, k, n in zip(table.column("date").to_pylist(),
                                                          table.column("day_kind").to_pylist(),
                                                          table.column("name_zh").to_pylist(), strict=True) if k]


def run_ingest(
    mapping: Mapping | Path | str,
    files: list[Path],
    snapshot_id: str,
    *,
    as_of: dt.datetime | dt.date | str | None = None,
    store: SnapshotStore | None = None,
    reference_dir: Path | None = None,
    reject_threshold: float = 0.01,
    accept_rejects: bool = False,
    publish: bool = True,
    base: str | None = None,
    accept_untimed: bool = False,
    published_by: str | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
) -> IngestResult:
    """Validate ``files`` with ``mapping`` and publish snapshot ``snapshot_id`` (never prints).

    ``as_of`` defaults to the mapping's ``as_of`` (fixed historical exports), else now. With
    ``publish=False`` (dry run) everything is checked and nothing is written. ``reject_threshold``
    applies to each table (the mapping's ``reject_threshold`` may set a table's own). With ``base``
    the new snapshot holds the base snapshot's tables plus this load (each loaded table replaces the
    base's or is appended to it, as the mapping's ``mode`` says); the base is only read.
    ``accept_untimed`` publishes although more cases than the cases threshold cannot be timed.
    ``published_by`` (the admin on the page, ``cli:<os user>`` on the command line) goes into the
    audit log's ``publish`` entry (``SnapshotStore.publish``), which computes the timing columns
    and rollups with ``engine`` (``spark`` for a province's load; ``spark_master`` a cluster URL).
    """
    result = IngestResult(snapshot_id=snapshot_id, dry_run=not publish, reject_threshold=reject_threshold,
                          accept_rejects=accept_rejects, base=base, accept_untimed=accept_untimed)
    try:
        if not isinstance(mapping, Mapping):
            mapping = load_mapping(mapping)
    except MappingError as exc:
        return result.refuse(str(exc), usage=True)
    result.mapping_name = mapping.name
    try:
        if as_of is None:
            as_of = mapping.as_of or dt.datetime.now().replace(microsecond=0)
        result.as_of = parse_as_of(as_of)
    except ValueError as exc:
        return result.refuse(str(exc), usage=True)
    if not 0 <= reject_threshold <= 1:
        return result.refuse(f"隔离阈值须在 0 到 1 之间 (reject threshold must be within 0..1): {reject_threshold}",
                             usage=True)
    if not SNAPSHOT_ID_PATTERN.match(snapshot_id or ""):
        return result.refuse(
            f"快照编号 {snapshot_id!r} 不可用 (snapshot id {snapshot_id!r} is not allowed: letters, digits, "
            "'-', '_' or '.', starting with a letter or digit, at most 64 characters)", usage=True)
    store = store if store is not None else SnapshotStore()
    if store.exists(snapshot_id):
        return result.refuse(f"快照 {snapshot_id} 已存在，已发布的快照不会被覆盖 "
                             f"(snapshot {snapshot_id} exists already; published snapshots are never overwritten)")
    base_info: SnapshotInfo | None = None
    if base is not None:
        try:
            base_info = store.get(base)
        except SnapshotError as exc:
            return result.refuse(f"基础快照不存在 (base snapshot not found): {exc}", usage=True)
        if result.as_of < base_info.as_of:
            return result.refuse(
                f"截至时间 {result.as_of:%Y-%m-%d %H:%M:%S} 早于基础快照 {base} 的截至时间 "
                f"{base_info.as_of:%Y-%m-%d %H:%M:%S} (the as-of time is earlier than the base snapshot's: a "
                "snapshot built on another cannot go back in time)", usage=True)
    paths = [Path(f) for f in files]
    if not paths:
        return result.refuse("没有给出要导入的文件 (no files given)", usage=True)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        return result.refuse(f"文件不存在 (files not found): {', '.join(missing)}", usage=True)

    # Which input each file is; the mapping's own reference files join the load unless a file covers them.
    assigned: list[tuple[Path, InputSpec | None]] = [(p, mapping.input_for(p.name)) for p in paths]
    loaded_tables = {spec.table for _, spec in assigned if spec is not None}
    for table, path in mapping.reference.items():
        if table in loaded_tables:
            result.warnings.append(f"映射自带的 {table} 参考表未使用，因为导入文件中已有该表 "
                                   f"(the mapping's {table} file {path.name} is not used: the load has that table)")
            continue
        assigned.append((path, InputSpec(name=f"reference:{table}", files=(path.name,), table=table)))
    names = Counter(p.name for p, _ in assigned)
    doubled = sorted(n for n, c in names.items() if c > 1)
    if doubled:
        return result.refuse(f"同名文件只能导入一个 (two files share a name; the snapshot keeps sources by name): "
                             f"{', '.join(doubled)}")

    batches: list[Batch] = []
    errors: list[str] = []
    for path, spec in assigned:
        report = FileReport(file=path.name, path=path)
        result.files.append(report)
        if spec is None:
            report.error = (f"没有匹配此文件名的输入 (no input of the mapping matches this file name; "
                            f"inputs: {mapping.patterns_text()})")
            errors.append(f"{path.name}: {report.error}")
            continue
        report.table, report.input = spec.table, spec.name
        try:
            raw = read_file(path, encoding=spec.encoding, delimiter=spec.delimiter, sheet=spec.sheet,
                            header_row=spec.header_row)
            if spec.unpivot is not None:
                u = spec.unpivot
                raw = unpivot(raw, u.columns, u.name_header, u.value_header, file=path.name,
                              keep_blank=u.keep_blank)
            report.encoding, report.sheet, report.blank_rows = raw.encoding, raw.sheet, raw.blank_rows
            batch = Batch(path, spec, raw, result.as_of)
        except FileRefused as exc:
            report.error = str(exc)
            errors.append(str(exc))
            continue
        result.warnings.extend(batch.warnings)
        batches.append(batch)
    if errors:
        return result.refuse("；".join(errors))
    if not any(b.table.name == "cases" for b in batches) and base_info is None:
        return result.refuse(
            "本次导入没有办件文件：单独导入好差评或满意度测评时，请用 --base 指定基础快照，办件取自该快照 "
            "(the load has no cases file; a snapshot needs cases. To load ratings or a survey wave on its own, "
            f"give --base SNAPSHOT: the cases come from that snapshot. Inputs of the mapping: "
            f"{mapping.patterns_text()})")

    tables: dict[str, TableRows] = {}
    for name in TABLE_ORDER:
        group = [b for b in batches if b.table.name == name]
        if group:
            tables[name] = TableRows(ingest_table(name), group)
    modes = mapping.modes()

    # Tables of the base snapshot (read only; the base is never written).
    base_tables: dict[str, pa.Table] = {}
    if base_info is not None:
        try:
            for name in ("counties", "departments", "items", *FACT_TABLES):
                base_tables[name] = conform(pq.read_table(base_info.table_path(name)), name)
            base_calendar = _base_calendar_days(base_info)
        except (OSError, SnapshotError, pa.ArrowException) as exc:
            return result.refuse(f"基础快照 {base} 无法读取 (the base snapshot cannot be read): {exc}")

    # Reference tables: from the load where present, else the base snapshot, else --reference DIR / data/reference.
    folder = Path(reference_dir) if reference_dir is not None else default_reference_dir()
    outside: dict[str, pa.Table] = {}
    calendar_days = None
    try:
        for name in ("counties", "departments", "items"):
            if name not in tables:
                outside[name] = base_tables[name] if name in base_tables else _reference_from_dir(folder, name)
        if "calendar" not in tables:
            if base_info is not None:
                calendar_days = base_calendar
                result.calendar_source = f"基础快照 {base} 的工作日历 (the calendar of the base snapshot {base})"
            else:
                calendar_days = load_calendar_days(folder)
                result.calendar_source = str(folder / "calendar.csv")
    except (OSError, ValueError, pa.ArrowInvalid) as exc:
        return result.refuse(f"参考表无法读取 (cannot read the reference tables): {exc}")
    if "calendar" in tables:
        # a file of the load by its name; the mapping's own calendar by its path
        result.calendar_source = ", ".join(str(b.path) if b.input.name.startswith("reference:") else b.file
                                           for b in tables["calendar"].batches)

    def appended(table: str) -> bool:
        return table in base_tables and modes.get(table) == "append"

    def known(table: str, column: str) -> set | None:
        if table in tables:
            values = tables[table].kept_values(column)
            if appended(table):
                values |= set(base_tables[table].column(column).to_pylist())
            return values
        if table in outside:
            return set(outside[table].column(column).to_pylist())
        if table in base_tables:
            return set(base_tables[table].column(column).to_pylist())
        return None

    def rejected_parents(table: str, column: str) -> set:
        if table not in tables:
            return set()
        return tables[table].all_values(column) - tables[table].kept_values(column)

    for name, rows in tables.items():  # TABLE_ORDER: referenced tables are final before their users
        existing = None
        if appended(name):
            key = rows.key_columns()
            if key:
                base_table = base_tables[name]
                existing = set(base_table.column(key[0]).to_pylist()) if len(key) == 1 else set(
                    zip(*(base_table.column(c).to_pylist() for c in key), strict=True))
        rows.check_duplicates(existing, base)
        rows.check_references(known, rejected_parents)

    for name, rows in tables.items():
        counts = result.tables.setdefault(name, TableCounts(threshold=mapping.threshold_for(name, reject_threshold)))
        for batch, keep in zip(rows.batches, rows.kept(), strict=True):
            report = next(f for f in result.files if f.path == batch.path)
            report.skipped = dict(batch.skipped)
            skipped = sum(batch.skipped.values())
            report.kept = int(keep.sum())
            report.rejected = batch.n - report.kept
            report.read = batch.n + skipped
            counts.read += report.read
            counts.kept += report.kept
            counts.rejected += report.rejected
            counts.skipped += skipped
    reason_rows: Counter = Counter()
    for batch in batches:
        result.rejects.extend(batch.rejects())
        reason_rows.update(code for code, _ in {(p.code, p.row) for p in batch.problems})
    result.reason_counts = dict(reason_rows)
    result.quarantine_csv = quarantine_bytes(batches)

    # Reference data for the snapshot and the warnings an administrator should see.
    reference = dict(outside)
    for name in ("counties", "departments", "items"):
        if name in tables:
            reference[name] = tables[name].arrow_table()
    if "calendar" in tables:
        if result.tables["calendar"].rejected:
            return result.refuse(
                f"工作日历有 {result.tables['calendar'].rejected} 行被拒，不能只用其余部分 "
                f"({result.tables['calendar'].rejected} calendar rows were rejected; a partial calendar would "
                "miscount working days — fix the calendar file)")
        cal = tables["calendar"].arrow_table()
        calendar_days = [
            CalendarDay(d, k, n or "")
            for d, k, n in zip(cal.column("date").to_pylist(), cal.column("day_kind").to_pylist(),
                               (cal.column("name_zh").to_pylist() if "name_zh" in cal.column_names
                                else [None] * cal.num_rows), strict=True)
        ]
    _dangling_reference_warnings(result, reference, tables)
    if "cases" in tables:
        loaded_cases = tables["cases"].arrow_table()
        unknowns = {column: int(pc.sum(pc.equal(loaded_cases.column(column), UNKNOWN)).as_py() or 0)
                    for column in ("channel", "status")}
        if any(unknowns.values()):
            result.unknowns = unknowns

    # Fact tables: this load's, or the base's, or both (append).
    facts: dict[str, pa.Table] = {}
    for name in FACT_TABLES:
        loaded = conform(tables[name].arrow_table(), name) if name in tables else None
        in_base = base_tables.get(name)
        if loaded is None and in_base is None:
            continue
        if loaded is None:
            facts[name] = in_base
            result.tables_from[name] = {"source": "base", "from_base": in_base.num_rows, "from_load": 0}
        elif in_base is None:
            facts[name] = loaded
        elif modes.get(name) == "append":
            facts[name] = pa.concat_tables([in_base, loaded], promote_options="default")
            result.tables_from[name] = {"source": "append", "from_base": in_base.num_rows,
                                        "from_load": loaded.num_rows}
        else:
            facts[name] = loaded
            result.tables_from[name] = {"source": "replace", "from_base": in_base.num_rows,
                                        "from_load": loaded.num_rows}
    if base_info is not None:
        for name in REFERENCE_TABLES:
            if name not in result.tables_from:
                source = "load" if name in tables else "base"
                rows = (reference[name].num_rows if name in reference else len(calendar_days or []))
                result.tables_from[name] = {"source": source, "from_base": rows if source == "base" else 0,
                                            "from_load": rows if source == "load" else 0}
    if "cases" in tables and facts["cases"].num_rows == 0:
        return result.refuse("所有办件都被隔离，没有可发布的办件 (every case was rejected; nothing to publish)")
    try:
        calendar = WorkCalendar(calendar_days)
    except ValueError as exc:
        return result.refuse(f"工作日历不可用 (the working-day calendar cannot be used): {exc}")
    _calendar_warnings(result, calendar, facts.get("cases"))
    untimed = None
    if "cases" in facts:
        try:
            untimed = _timing_checks(result, calendar, facts, reference, from_load="cases" in tables)
        except (ValueError, pa.ArrowException) as exc:
            return result.refuse(f"无法计算办件时效 (the cases cannot be timed): {exc}")

    over = result.tables_over
    if over:
        parts_zh = "；".join(f"{n}（{TABLE_LABELS.get(n, '')}）隔离行占 {100 * result.tables[n].reject_rate:.2f}%"
                            f"（{result.tables[n].rejected} / {result.tables[n].considered}），超过阈值 "
                            f"{100 * result.tables[n].threshold:g}%" for n in over)
        parts_en = "; ".join(f"{n}: {100 * result.tables[n].reject_rate:.2f}% of its rows rejected "
                             f"({result.tables[n].rejected} of {result.tables[n].considered}), over the "
                             f"{100 * result.tables[n].threshold:g}% threshold" for n in over)
        text = f"{parts_zh} ({parts_en})"
        if not accept_rejects:
            return result.refuse(text + "；请修正源文件，或确认后使用 --accept-rejects 发布 "
                                 "(fix the source files, or publish anyway with --accept-rejects)")
        result.warnings.append(text + "，已按 --accept-rejects 发布 (published anyway: --accept-rejects)")
    if untimed:
        if not accept_untimed:
            return result.refuse(untimed + "；请先补全工作日历，或确认后使用 --accept-untimed 发布 "
                                 "(extend the calendar first, or publish anyway with --accept-untimed)")
        result.warnings.append(untimed + "，已按 --accept-untimed 发布 (published anyway: --accept-untimed)")
    if not publish:
        return result
    base_record = None
    if base_info is not None:
        base_record = {"snapshot_id": base, "as_of": base_info.as_of.isoformat(),
                       "created_at": base_info.manifest.get("created_at"), "tables_from": dict(result.tables_from)}
    try:
        result.published = store.publish(
            snapshot_id,
            as_of=result.as_of,
            reference=reference,
            calendar_days=calendar_days,
            facts=facts,
            sources=[(b.path, b.table.name) for b in batches],
            quarantine_csv=result.quarantine_csv,
            producer=PRODUCER,
            report=result.report(),
            base=base_record,
            published_by=published_by,
            engine=engine,
            spark_master=spark_master,
        )
    except (SnapshotError, ValueError, OSError, pa.ArrowException) as exc:
        return result.refuse(f"发布失败，快照库未改动 (publishing failed, the store is unchanged): {exc}")
    return result


def _timing_checks(result: IngestResult, calendar: WorkCalendar, facts: dict[str, pa.Table],
                   reference: dict[str, pa.Table], *, from_load: bool) -> str | None:
    """Time the cases as the publish will, before publishing: count the cases the calendar cannot time
    and the deadlines beyond its end, compare the source system's own verdict with ours. Returns the
    refusal text when too many of this load's cases cannot be timed."""
    cases = facts["cases"]
    ratings = facts.get("ratings", ALL_TABLES["ratings"].arrow_schema().empty_table())
    timed = derive_case_timing(cases, conform(reference["items"], "items"), conform(ratings, "ratings"),
                               calendar, result.as_of)
    outside = timed.column("outside_calendar").fill_null(False)
    total = timed.num_rows
    n_outside = int(pc.sum(outside).as_py() or 0)
    end = dt.datetime.combine(calendar.end + dt.timedelta(days=1), dt.time())
    deadline = timed.column("deadline_at")
    beyond = pc.fill_null(pc.greater_equal(deadline, pa.scalar(end, pa.timestamp("us"))), False)
    is_open = pc.equal(timed.column("status"), "in_progress")
    n_beyond = int(pc.sum(beyond).as_py() or 0)
    n_open_beyond = int(pc.sum(pc.and_(beyond, is_open)).as_py() or 0)
    result.timing = {"cases": total, "outside_calendar": n_outside, "deadline_beyond_calendar": n_beyond,
                     "open_deadline_beyond_calendar": n_open_beyond}
    where = result.calendar_source
    if n_beyond:
        result.warnings.append(
            f"{n_beyond} 件办件的承诺办结时间晚于工作日历的最后一天 {calendar.end}（其中在办 {n_open_beyond} 件），"
            f"提前办结率不计这些办件；请补全 {calendar.end.year + 1} 年的工作日历（{where}） "
            f"({n_beyond} cases have a deadline after the calendar's last day {calendar.end}, {n_open_beyond} of "
            f"them open: 提前办结率 (completed early) cannot count them; add {calendar.end.year + 1} to the "
            f"calendar: {where}, or python -m xiaoneng calendar add-year {calendar.end.year + 1})")
    if "source_on_time" in timed.column_names and timed.column("source_on_time").null_count < total:
        done = pc.fill_null(timed.column("is_completed"), False)
        ours, theirs = timed.column("on_time"), timed.column("source_on_time")
        both = pc.and_(done, pc.and_(pc.is_valid(ours), pc.is_valid(theirs)))
        agree = pc.and_(both, pc.equal(ours, theirs))
        src_ok = pc.and_(both, pc.and_(theirs, pc.invert(ours)))
        src_late = pc.and_(both, pc.and_(pc.invert(theirs), ours))
        count = lambda mask: int(pc.sum(pc.fill_null(mask, False)).as_py() or 0)  # noqa: E731
        compared = count(both)
        result.verdict = {
            "compared": compared, "agree": count(agree), "disagree": compared - count(agree),
            "source_on_time_ours_late": count(src_ok), "source_late_ours_on_time": count(src_late),
            "not_compared": count(done) - compared,
        }
    if not n_outside:
        return None
    share = n_outside / total if total else 0.0
    limit = result.tables["cases"].threshold if "cases" in result.tables else result.reject_threshold
    text = (f"{n_outside} 件办件（占 {100 * share:.2f}%）的日期超出所用工作日历"
            f"（{where}，覆盖 {calendar.range_text}），"
            f"无法计算工作日与是否按时 ({n_outside} cases, {100 * share:.2f}%, have dates outside the working-day "
            f"calendar used ({where}, {calendar.start}..{calendar.end}): they cannot be timed)")
    if from_load and share > limit:
        result.timing["refusable"] = 1
        return text + f"，超过阈值 {100 * limit:g}% (over the {100 * limit:g}% threshold)"
    result.warnings.append(text)
    return None


def _calendar_warnings(result: IngestResult, calendar: WorkCalendar, cases: pa.Table | None) -> None:
    where = result.calendar_source
    if not calendar.covers(result.as_of.date()):
        result.warnings.append(f"截至日期 {result.as_of.date()} 超出工作日历范围（{calendar.range_text}，{where}）"
                               f"(the as-of date is outside the working-day calendar {where})")
    elif (calendar.end - result.as_of.date()).days < CALENDAR_MARGIN_DAYS:
        days = (calendar.end - result.as_of.date()).days
        result.warnings.append(
            f"工作日历只到 {calendar.end}，距截至日期仅 {days} 天；请在数据管理页或用 python -m xiaoneng calendar "
            f"add-year {calendar.end.year + 1} 补入下一年的节假日安排（{where}） (the working-day calendar ends "
            f"{calendar.end}, {days} days after the as-of date: add {calendar.end.year + 1} on 数据管理 or with "
            f"python -m xiaoneng calendar add-year {calendar.end.year + 1}; calendar used: {where})")


def _dangling_reference_warnings(result: IngestResult, reference: dict[str, pa.Table],
                                 tables: dict[str, TableRows]) -> None:
    """Reference tables taken from the folder are not validated row by row; say when they do not fit the load."""
    if "items" in tables or "items" not in reference or "departments" not in reference:
        return
    depts = set(reference["departments"].column("dept_code").to_pylist())
    dangling = sorted(set(reference["items"].column("dept_code").to_pylist()) - depts - {None})
    if dangling:
        result.warnings.append(f"事项参考表中的部门代码不在部门表中 (items refer to unknown departments): "
                               f"{', '.join(map(str, dangling[:10]))}")


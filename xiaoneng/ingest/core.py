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

from xiaoneng.ingest.mapping import InputSpec, Mapping, MappingError, load_mapping, parse_as_of
from xiaoneng.ingest.readers import FileRefused, read_file
from xiaoneng.ingest.reasons import label
from xiaoneng.ingest.validate import Batch, Reject, TableRows
from xiaoneng.paths import reference_dir as default_reference_dir
from xiaoneng.reference import load_calendar_days, read_reference_csv
from xiaoneng.schema import ALL_TABLES, FACT_TABLES
from xiaoneng.snapshots import SNAPSHOT_ID_PATTERN, SnapshotError, SnapshotInfo, SnapshotStore
from xiaoneng.workdays import CalendarDay, WorkCalendar

PRODUCER = "xiaoneng.ingest"
# Reference tables before the facts that point at them; cases before case_steps.
TABLE_ORDER = ("departments", "counties", "items", "calendar", "cases", "case_steps", "ratings", "surveys", "tasks")
QUARANTINE_COLUMNS = ("file", "line", "table", "column", "source_column", "reason_code", "reason", "value", "row")
TABLE_LABELS = {name: spec.label_zh for name, spec in ALL_TABLES.items()}


@dataclass
class TableCounts:
    read: int = 0
    kept: int = 0
    rejected: int = 0


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
    def reject_rate(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0

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
                out.append(
                    f"  {f.file} → {f.table}（{TABLE_LABELS.get(f.table, '')}）: 读取 {f.read} 行，保留 {f.kept}，"
                    f"隔离 {f.rejected}{blank} (read {f.read}, kept {f.kept}, rejected {f.rejected})"
                    + (f" [{where}]" if where else "")
                )
        if self.tables:
            out.append("各表 (tables):")
            for name, t in self.tables.items():
                out.append(f"  {name}（{TABLE_LABELS.get(name, '')}）: 读取 {t.read}，保留 {t.kept}，隔离 {t.rejected} "
                           f"(read {t.read}, kept {t.kept}, rejected {t.rejected})")
            pct, limit = 100 * self.reject_rate, 100 * self.reject_threshold
            out.append(f"隔离行 {self.rows_rejected} / {self.rows_read} = {pct:.2f}%，阈值 {limit:g}% "
                       f"(rejected rows {self.rows_rejected} of {self.rows_read} = {pct:.2f}%, "
                       f"threshold {limit:g}%)")
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
        return {
            "mapping": self.mapping_name,
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "reject_threshold": self.reject_threshold,
            "accepted_rejects": self.accept_rejects and self.reject_rate > self.reject_threshold,
            "tables": {k: vars(v) for k, v in self.tables.items()},
            "files": [{"file": f.file, "table": f.table, "encoding": f.encoding, "sheet": f.sheet,
                       "read": f.read, "kept": f.kept, "rejected": f.rejected} for f in self.files],
            "rejected_rows_by_reason": dict(self.reason_counts),
            "warnings": list(self.warnings),
        }


def quarantine_bytes(batches: list[Batch]) -> bytes:
    """Rejected rows as CSV, UTF-8 with a BOM so that Excel shows the Chinese text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(QUARANTINE_COLUMNS)
    for batch in batches:
        for p in sorted(batch.problems, key=lambda p: (p.row, p.column)):
            writer.writerow([
                batch.file, int(batch.lines[p.row]), batch.table.name, p.column,
                batch.source.get(p.column, "") if p.column else "", p.code, p.message,
                "" if p.value is None else p.value, batch.row_json(p.row),
            ])
    return buffer.getvalue().encode("utf-8-sig")


def _reference_from_dir(folder: Path, table: str) -> pa.Table:
    path = folder / f"{table}.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"参考表 {table} 不在本次导入中，{path} 也不存在 "
            f"(reference table {table} is neither in the load nor at {path}; "
            f"add it to the load or pass --reference DIR)"
        )
    return read_reference_csv(path, table)


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
) -> IngestResult:
    """Validate ``files`` with ``mapping`` and publish snapshot ``snapshot_id`` (never prints).

    ``as_of`` defaults to the mapping's ``as_of`` (fixed historical exports), else now. With
    ``publish=False`` (dry run) everything is checked and nothing is written.
    """
    result = IngestResult(snapshot_id=snapshot_id, dry_run=not publish, reject_threshold=reject_threshold,
                          accept_rejects=accept_rejects)
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
    if not any(b.table.name == "cases" for b in batches):
        return result.refuse("本次导入没有办件文件，快照必须包含办件 (the load has no cases file; "
                             f"a snapshot needs cases. Inputs of the mapping: {mapping.patterns_text()})")

    tables: dict[str, TableRows] = {}
    for name in TABLE_ORDER:
        group = [b for b in batches if b.table.name == name]
        if group:
            tables[name] = TableRows(ALL_TABLES[name], group)

    # Reference tables: from the load where present, else --reference DIR / data/reference.
    folder = Path(reference_dir) if reference_dir is not None else default_reference_dir()
    outside: dict[str, pa.Table] = {}
    try:
        for name in ("counties", "departments", "items"):
            if name not in tables:
                outside[name] = _reference_from_dir(folder, name)
        calendar_days = None if "calendar" in tables else load_calendar_days(folder)
    except (OSError, ValueError, pa.ArrowInvalid) as exc:
        return result.refuse(f"参考表无法读取 (cannot read the reference tables): {exc}")

    def known(table: str, column: str) -> set | None:
        if table in tables:
            return tables[table].kept_values(column)
        if table in outside:
            return set(outside[table].column(column).to_pylist())
        return None

    def rejected_parents(table: str, column: str) -> set:
        if table not in tables:
            return set()
        return tables[table].all_values(column) - tables[table].kept_values(column)

    for rows in tables.values():  # TABLE_ORDER: referenced tables are final before their users
        rows.check_duplicates()
        rows.check_references(known, rejected_parents)

    for name, rows in tables.items():
        counts = result.tables.setdefault(name, TableCounts())
        for batch, keep in zip(rows.batches, rows.kept(), strict=True):
            report = next(f for f in result.files if f.path == batch.path)
            report.read, report.kept = batch.n, int(keep.sum())
            report.rejected = batch.n - report.kept
            counts.read += batch.n
            counts.kept += report.kept
            counts.rejected += report.rejected
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
    facts = {name: tables[name].arrow_table() for name in FACT_TABLES if name in tables}
    if facts["cases"].num_rows == 0:
        return result.refuse("所有办件都被隔离，没有可发布的办件 (every case was rejected; nothing to publish)")
    try:
        calendar = WorkCalendar(calendar_days)
    except ValueError as exc:
        return result.refuse(f"工作日历不可用 (the working-day calendar cannot be used): {exc}")
    _calendar_warnings(result, calendar, facts["cases"])

    if result.reject_rate > reject_threshold:
        over = (f"隔离行占 {100 * result.reject_rate:.2f}%，超过阈值 {100 * reject_threshold:g}% "
                f"(rejected rows are {100 * result.reject_rate:.2f}% of the rows read, over the "
                f"{100 * reject_threshold:g}% threshold)")
        if not accept_rejects:
            return result.refuse(over + "；请修正源文件，或确认后使用 --accept-rejects 发布 "
                                 "(fix the source files, or publish anyway with --accept-rejects)")
        result.warnings.append(over + "，已按 --accept-rejects 发布 (published anyway: --accept-rejects)")
    if not publish:
        return result
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
        )
    except (SnapshotError, ValueError, OSError, pa.ArrowException) as exc:
        return result.refuse(f"发布失败，快照库未改动 (publishing failed, the store is unchanged): {exc}")
    outside_count = result.published.manifest.get("cases_outside_calendar", 0)
    if outside_count:
        result.warnings.append(f"{outside_count} 件办件的日期超出工作日历 (cases with dates outside the calendar)")
    return result


def _calendar_warnings(result: IngestResult, calendar: WorkCalendar, cases: pa.Table) -> None:
    start = dt.datetime.combine(calendar.start, dt.time())
    end = dt.datetime.combine(calendar.end + dt.timedelta(days=1), dt.time())
    for column in ("accepted_at", "completed_at"):
        if column not in cases.column_names:
            continue
        values = cases.column(column)
        before = pc.sum(pc.less(values, pa.scalar(start, pa.timestamp("us")))).as_py() or 0
        after = pc.sum(pc.greater_equal(values, pa.scalar(end, pa.timestamp("us")))).as_py() or 0
        if before or after:
            result.warnings.append(
                f"{before + after} 件办件的 {column} 超出工作日历范围（{calendar.range_text}），无法计算工作日 "
                f"({before + after} cases have {column} outside the working-day calendar "
                f"{calendar.start}..{calendar.end}; extend data/reference/calendar.csv)"
            )
    if not calendar.covers(result.as_of.date()):
        result.warnings.append(f"截至日期 {result.as_of.date()} 超出工作日历范围（{calendar.range_text}）"
                               f"(the as-of date is outside the working-day calendar)")


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


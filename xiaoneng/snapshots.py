"""The snapshot store: ``data/snapshots/<snapshot_id>/``, immutable once published.

A snapshot is written into a temporary folder beside the store, checked, and
moved into place with one rename, so a reader sees either the whole snapshot or
none of it, and a failed publish leaves the store exactly as it was. An id that
exists is refused.

Layout of one snapshot::

    manifest.json            schema version, as-of time, row counts, sources with sha256, …
    counties.parquet …       reference tables as used for this snapshot (incl. calendar)
    cases.parquet …          fact tables; cases carry their derived working-day timing
    quarantine.csv           rows the ingest rejected, with file, line and reason
    sources/                 the source files, byte for byte
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from xiaoneng import __version__
from xiaoneng.checks import check_tables
from xiaoneng.paths import snapshots_dir
from xiaoneng.queries import TIMING_MACROS, load_sql
from xiaoneng.schema import ALL_TABLES, FACT_TABLES, SCHEMA_VERSION
from xiaoneng.workdays import CalendarDay, WorkCalendar

SNAPSHOT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MANIFEST = "manifest.json"


class SnapshotError(Exception):
    """A snapshot that cannot be published or read."""


@dataclass(frozen=True)
class SnapshotInfo:
    snapshot_id: str
    path: Path
    manifest: dict = field(compare=False, repr=False)

    @property
    def as_of(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.manifest["as_of"])

    @property
    def row_counts(self) -> dict[str, int]:
        return self.manifest["row_counts"]

    def table_path(self, table: str) -> Path:
        return self.path / f"{table}.parquet"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def conform(table: pa.Table, table_name: str) -> pa.Table:
    """Columns of the contract, in its order and types (absent optional columns become nulls)."""
    spec = ALL_TABLES[table_name]
    arrays = []
    for col in spec.columns:
        if col.name in table.column_names:
            arrays.append(table.column(col.name).cast(col.arrow_type))
        elif col.required:
            raise SnapshotError(f"{table_name}: required column {col.name} is missing")
        else:
            arrays.append(pa.nulls(table.num_rows, col.arrow_type))
    schema = spec.arrow_schema()
    for col in spec.extra_columns:  # kept when the load has them (schema.Table.extra_columns)
        if col.name in table.column_names:
            arrays.append(table.column(col.name).cast(col.arrow_type))
            schema = schema.append(pa.field(col.name, col.arrow_type))
    return pa.Table.from_arrays(arrays, schema=schema)


def derive_case_timing(cases: pa.Table, items: pa.Table, ratings: pa.Table, calendar: WorkCalendar,
                       as_of: dt.datetime) -> pa.Table:
    """Add deadline, elapsed working days, on-time and rated flags (queries/cases_with_timing.sql)."""
    con = duckdb.connect()
    try:
        con.register("raw_cases", cases)
        con.register("items", items)
        con.register("ratings", ratings)
        con.register("calendar", calendar.table())
        for macro in TIMING_MACROS:
            con.execute(load_sql("macros/" + macro))
        return con.sql(load_sql("cases_with_timing"), params={"as_of": as_of}).to_arrow_table()
    finally:
        con.close()


class SnapshotStore:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else snapshots_dir()

    def list(self) -> list[SnapshotInfo]:
        """Published snapshots, oldest as-of first (ties by creation time)."""
        if not self.root.is_dir():
            return []
        found = []
        for child in self.root.iterdir():
            manifest = child / MANIFEST
            if child.name.startswith(".") or not manifest.is_file():
                continue
            found.append(SnapshotInfo(child.name, child, json.loads(manifest.read_text(encoding="utf-8"))))
        return sorted(found, key=lambda s: (s.manifest["as_of"], s.manifest["created_at"], s.snapshot_id))

    def latest(self) -> SnapshotInfo | None:
        snapshots = self.list()
        return snapshots[-1] if snapshots else None

    def get(self, snapshot_id: str) -> SnapshotInfo:
        self._check_id(snapshot_id)
        path = self.root / snapshot_id
        manifest = path / MANIFEST
        if not manifest.is_file():
            known = ", ".join(s.snapshot_id for s in self.list()) or "none"
            raise SnapshotError(f"no snapshot {snapshot_id!r} in {self.root} (published: {known})")
        return SnapshotInfo(snapshot_id, path, json.loads(manifest.read_text(encoding="utf-8")))

    def exists(self, snapshot_id: str) -> bool:
        return (self.root / snapshot_id).exists()

    @staticmethod
    def _check_id(snapshot_id: str) -> None:
        if not SNAPSHOT_ID_PATTERN.match(snapshot_id):
            raise SnapshotError(
                f"snapshot id {snapshot_id!r} is not allowed: use letters, digits, '-', '_' or '.', "
                "starting with a letter or digit, at most 64 characters"
            )

    def publish(
        self,
        snapshot_id: str,
        *,
        as_of: dt.datetime,
        reference: dict[str, pa.Table],
        calendar_days: list[CalendarDay],
        facts: dict[str, pa.Table],
        sources: list[tuple[Path, str]] = (),
        quarantine_csv: bytes | None = None,
        producer: str,
        report: dict | None = None,
        base: dict | None = None,
    ) -> SnapshotInfo:
        """Write a complete snapshot atomically. ``sources`` are (file, table it fed) pairs; ``base``
        (an incremental snapshot) records the snapshot it was built on and where each table came from."""
        self._check_id(snapshot_id)
        if self.exists(snapshot_id):
            raise SnapshotError(f"snapshot {snapshot_id!r} exists already; published snapshots are never overwritten")
        names = [Path(path).name for path, _ in sources]
        if len(set(names)) != len(names):
            raise SnapshotError(f"two source files share a name: {sorted(n for n in names if names.count(n) > 1)}")
        created_root = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".staging-{snapshot_id}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        try:
            calendar = WorkCalendar(calendar_days)
            tables: dict[str, pa.Table] = {}
            for name in ("counties", "departments", "items"):
                tables[name] = conform(reference[name], name)
            tables["calendar"] = calendar.table()
            for name, spec in FACT_TABLES.items():
                tables[name] = conform(facts[name], name) if name in facts else spec.arrow_schema().empty_table()
            failures = check_tables(tables)
            if failures:
                raise SnapshotError("data checks failed: " + "; ".join(failures))
            tables["cases"] = derive_case_timing(tables["cases"], tables["items"], tables["ratings"], calendar,
                                                 as_of)
            for name, table in tables.items():
                pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
            source_entries = []
            if sources:
                (staging / "sources").mkdir()
                for path, table_name in sources:
                    target = staging / "sources" / Path(path).name
                    shutil.copyfile(path, target)
                    source_entries.append({
                        "file": Path(path).name, "table": table_name,
                        "sha256": sha256_of(target), "bytes": target.stat().st_size,
                    })
            if quarantine_csv is not None:
                (staging / "quarantine.csv").write_bytes(quarantine_csv)
            outside = pq.read_table(staging / "cases.parquet", columns=["outside_calendar"]).column(0)
            manifest = {
                "schema_version": SCHEMA_VERSION,
                "snapshot_id": snapshot_id,
                "as_of": as_of.isoformat(),
                "created_at": dt.datetime.now().isoformat(timespec="seconds"),
                "producer": producer,
                "producer_version": __version__,
                "row_counts": {name: t.num_rows for name, t in tables.items()},
                "calendar_range": [calendar.start.isoformat(), calendar.end.isoformat()],
                "cases_outside_calendar": int(pc.sum(outside).as_py() or 0),
                "sources": source_entries,
                "report": report or {},
            }
            if base:
                manifest["base"] = base
            self._verify(staging, manifest)
            (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            final = self.root / snapshot_id
            if final.exists():
                raise SnapshotError(f"snapshot {snapshot_id!r} was published by someone else meanwhile")
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if created_root and not any(self.root.iterdir()):
                self.root.rmdir()
            raise
        return self.get(snapshot_id)

    @staticmethod
    def _verify(staging: Path, manifest: dict) -> None:
        """Read every written file back before the rename: counts must match the manifest."""
        for name, count in manifest["row_counts"].items():
            written = pq.read_metadata(staging / f"{name}.parquet").num_rows
            if written != count:
                raise SnapshotError(f"{name}: wrote {written} rows, expected {count}")
        for entry in manifest["sources"]:
            if sha256_of(staging / "sources" / entry["file"]) != entry["sha256"]:
                raise SnapshotError(f"source {entry['file']} changed while it was copied")

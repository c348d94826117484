"""The snapshot store: ``data/snapshots/<snapshot_id>/``, immutable once published.

A snapshot is written into a temporary folder beside the store, checked, and
moved into place with one rename, so a reader sees either the whole snapshot or
none of it, and a failed publish leaves the store exactly as it was. An id that
exists is refused.

What the store decides about its snapshots (which one everybody sees by default, which ones an
admin withdrew) lives in one small file beside them, ``.store.json`` (``STATE_FILE``), written
whole (a temporary file renamed into place) under a lock on the store folder; the snapshot
folders are never touched after their publish. The default is the admin's choice: the first
snapshot published into an empty store becomes it, after that only ``set_default`` changes it. A
store from before this file has no recorded choice and shows the snapshot with the latest data
date, as it always did, until a publish or an admin records one. A withdrawn snapshot is hidden
from ``list()`` and ``default()`` but kept byte for byte and ``restore`` brings it back; the
default cannot be withdrawn while another snapshot could take its place (choose that one first);
withdrawing the only visible snapshot leaves the store without a default until the next publish
or restore. A snapshot whose manifest.json cannot be read is left out of the list and reported by
``damaged()``; it does not stop the others. A state file that cannot be read withdraws every
snapshot (non-admins see none rather than one an admin withdrew) and refuses the admin actions and
publishing until it is mended. ``.staging-*`` folders a killed publish left behind
are removed when a store is opened, once no publish holds their lock and they are older than
``STALE_STAGING``.

Layout of one snapshot::

    manifest.json            schema version, as-of time, row counts, sources with sha256, …
    counties.parquet …       reference tables as used for this snapshot (incl. calendar)
    cases.parquet …          fact tables; cases carry their derived working-day timing, sorted by
                             (county, acceptance month) in row groups of ROW_GROUP_ROWS
    rollups/                 aggregates of the cases serving the Overview (xiaoneng.rollups)
    quarantine.csv           rows the ingest rejected, with file, line and reason
    sources/                 the source files, byte for byte
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from xiaoneng import __version__, audit, rollups
from xiaoneng.checks import check_tables
from xiaoneng.filters import state_moment
from xiaoneng.paths import snapshots_dir
from xiaoneng.queries import TIMING_MACROS, load_sql
from xiaoneng.schema import ALL_TABLES, FACT_TABLES, SCHEMA_VERSION
from xiaoneng.workdays import CalendarDay, WorkCalendar

SNAPSHOT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MANIFEST = "manifest.json"
STATE_FILE = ".store.json"  # starts with a dot: never a snapshot id, never listed
STAGING_PREFIX = ".staging-"
# The engines that compute the timing columns and the rollups at publish (xiaoneng.spark_engine).
ENGINES = ("duckdb", "spark")
# The Spark engine reads the checked cases from here, in the staging folder, and removes it.
RAW_CASES = "raw_cases.input.parquet"  # no leading "_" or ".": Spark skips such files
# A staging folder nobody holds a lock on is a killed publish's; the age only guards the instant
# between a publish creating its folder and locking it.
STALE_STAGING = dt.timedelta(minutes=10)


class SnapshotError(Exception):
    """A snapshot that cannot be published or read."""


class SnapshotRefusal(SnapshotError):
    """A store action refused for a reason an admin acts on: ``key`` names its text in the catalog
    (``snapshot_admin.refused.<key>``) and ``values`` fill it, so the page and the CLI say it in the
    user's language; ``str()`` is the English for logs."""

    def __init__(self, message: str, key: str, **values: object):
        super().__init__(message)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Withdrawal:
    """Why, by whom and when (UTC, ISO) an admin withdrew a snapshot."""

    reason: str
    by: str
    at: str


@dataclass(frozen=True)
class DamagedSnapshot:
    """A snapshot folder whose manifest.json cannot be read: hidden, reported with the error."""

    snapshot_id: str
    path: Path
    error: str


@dataclass(frozen=True)
class SnapshotInfo:
    snapshot_id: str
    path: Path
    manifest: dict = field(compare=False, repr=False)
    withdrawal: Withdrawal | None = field(default=None, compare=False)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawal is not None

    @property
    def as_of(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.manifest["as_of"])

    @property
    def row_counts(self) -> dict[str, int]:
        return self.manifest["row_counts"]

    def table_path(self, table: str) -> Path:
        return self.path / f"{table}.parquet"


def _withdrawal(entry: dict | None) -> Withdrawal | None:
    if not entry:
        return None
    return Withdrawal(str(entry.get("reason", "")), str(entry.get("by", "")), str(entry.get("at", "")))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def conform(table: pa.Table, table_name: str) -> pa.Table:
    """Columns of the contract, in its order and types (absent optional columns become nulls)."""
    spec = ALL_TABLES[table_name]

    def column(col) -> pa.ChunkedArray:
        try:
            return table.column(col.name).cast(col.arrow_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise SnapshotError(f"{table_name}: column {col.name} ({table.schema.field(col.name).type}) "
                                f"cannot be read as {col.arrow_type}: {exc}") from exc

    arrays = []
    for col in spec.columns:
        if col.name in table.column_names:
            arrays.append(column(col))
        elif col.required:
            raise SnapshotError(f"{table_name}: required column {col.name} is missing")
        else:
            arrays.append(pa.nulls(table.num_rows, col.arrow_type))
    schema = spec.arrow_schema()
    for col in spec.extra_columns:  # kept when the load has them (schema.Table.extra_columns)
        if col.name in table.column_names:
            arrays.append(column(col))
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


def cluster_cases(cases: pa.Table) -> pa.Table:
    """Cases in (county, acceptance month) order, otherwise as they came (a stable sort): a county's
    or a month's rows then lie in few row groups, which DuckDB skips by their statistics."""
    month = pc.floor_temporal(cases.column("accepted_at"), unit="month")
    keys = pa.table({"county_code": cases.column("county_code"), "month": month})
    return cases.take(pc.sort_indices(keys, sort_keys=[("county_code", "ascending"), ("month", "ascending")]))


def _read_manifest(path: Path) -> dict:
    """The manifest of a snapshot folder; raises ``SnapshotError`` saying what is wrong with it."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
        dt.datetime.fromisoformat(manifest["as_of"])
        str(manifest["created_at"])
        if not isinstance(manifest["row_counts"], dict):
            raise ValueError("row_counts is not an object")
    except KeyError as exc:
        raise SnapshotError(f"{path / MANIFEST}: missing {exc}") from None
    except (OSError, ValueError, TypeError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise SnapshotError(f"{path / MANIFEST}: {exc}") from None
    return manifest


def _spark_publish(staging: Path, as_of: dt.datetime, spark_master: str | None) -> dict[str, int]:
    try:
        from xiaoneng import spark_engine  # imports pyspark: only when asked for
    except ImportError as exc:
        raise SnapshotError(f"the spark engine needs pyspark and sqlglot (requirements.txt): {exc}") from exc
    try:
        return spark_engine.publish_timing_and_rollups(staging, staging / RAW_CASES, as_of, state_moment(as_of),
                                                       spark_master)
    except spark_engine.SparkUnavailable as exc:
        raise SnapshotError(str(exc)) from exc


class SnapshotStore:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else snapshots_dir()
        self.removed_staging: list[str] = self._remove_stale_staging()

    @property
    def state_path(self) -> Path:
        return self.root / STATE_FILE

    @property
    def audit_path(self) -> Path:
        """The audit log beside the store (``paths.audit_file()`` for the data folder's store)."""
        return self.root.parent / "audit" / "audit.jsonl"

    # ------------------------------------------------------------ reading

    def _scan(self) -> tuple[list[SnapshotInfo], list[DamagedSnapshot]]:
        if not self.root.is_dir():
            return [], []
        withdrawal = self._withdrawals()
        found, damaged = [], []
        for child in self.root.iterdir():
            if child.name.startswith(".") or not child.is_dir() or not (child / MANIFEST).exists():
                continue
            try:
                manifest = _read_manifest(child)
            except SnapshotError as exc:
                damaged.append(DamagedSnapshot(child.name, child, str(exc)))
                continue
            found.append(SnapshotInfo(child.name, child, manifest, withdrawal(child.name)))
        found.sort(key=lambda s: (s.manifest["as_of"], str(s.manifest["created_at"]), s.snapshot_id))
        return found, sorted(damaged, key=lambda d: d.snapshot_id)

    def list(self, include_withdrawn: bool = False) -> list[SnapshotInfo]:
        """Published snapshots, oldest as-of first (ties by creation time); withdrawn ones only when
        asked (an admin's view: each says ``withdrawn``); damaged ones never (see ``damaged``)."""
        found, _ = self._scan()
        return found if include_withdrawn else [s for s in found if not s.withdrawn]

    def damaged(self) -> list[DamagedSnapshot]:
        """Snapshot folders whose manifest.json cannot be read; they are left out of ``list``."""
        return self._scan()[1]

    def default_id(self) -> str | None:
        """The id of the snapshot everybody sees first (``default``)."""
        info = self.default()
        return info.snapshot_id if info is not None else None

    def default(self) -> SnapshotInfo | None:
        """The snapshot the admin chose as the default. Without a recorded choice (a store from before
        the choice was kept), or when the chosen one cannot be read, the one with the latest data date."""
        visible = self.list()
        if not visible:  # also when the state file cannot be read: list() then hides everything
            return None
        chosen = self._state()["default"]
        return next((s for s in visible if s.snapshot_id == chosen), visible[-1])

    def get(self, snapshot_id: str) -> SnapshotInfo:
        """The snapshot of that id, withdrawn or not (callers that list for non-admins use ``list``)."""
        self._check_id(snapshot_id)
        path = self.root / snapshot_id
        if not (path / MANIFEST).exists():
            known = ", ".join(s.snapshot_id for s in self.list()) or "none"
            raise SnapshotRefusal(f"no snapshot {snapshot_id!r} in {self.root} (published: {known})", "unknown",
                                  snapshot=snapshot_id, known=known)
        try:
            manifest = _read_manifest(path)
        except SnapshotError as exc:
            raise SnapshotRefusal(f"snapshot {snapshot_id!r} cannot be read, its manifest is damaged: {exc}",
                                  "damaged", snapshot=snapshot_id, error=str(exc)) from None
        return SnapshotInfo(snapshot_id, path, manifest, self._withdrawals()(snapshot_id))

    def exists(self, snapshot_id: str) -> bool:
        return (self.root / snapshot_id).exists()

    # ------------------------------------------------------------ the store's decisions (STATE_FILE)

    def _state(self) -> dict:
        """``{"default": id | None, "withdrawn": {id: {"reason", "by", "at"}}}``; raises ``SnapshotError``
        when the file exists but cannot be read (nothing is guessed about withdrawn snapshots)."""
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"default": None, "withdrawn": {}}
        except (OSError, ValueError) as exc:
            raise SnapshotRefusal(f"the store's state file {self.state_path} cannot be read ({exc}); restore it "
                                  "from a backup or fix it by hand", "state_damaged", path=self.state_path,
                                  error=str(exc)) from None
        if not isinstance(state, dict) or not isinstance(state.get("withdrawn", {}), dict):
            raise SnapshotRefusal(f"the store's state file {self.state_path} cannot be read (not what the store "
                                  "writes); restore it from a backup or fix it by hand", "state_damaged",
                                  path=self.state_path, error="not an object with a withdrawn list")
        return {"default": state.get("default"), "withdrawn": dict(state.get("withdrawn", {}))}

    def _withdrawals(self) -> Callable[[str], Withdrawal | None]:
        """Each snapshot's withdrawal. A state file that cannot be read withdraws every snapshot, with
        the error as the reason: non-admins see nothing rather than what an admin may have withdrawn,
        admins see every snapshot and why; the admin actions refuse until the file is mended."""
        try:
            withdrawn = self._state()["withdrawn"]
        except SnapshotError as exc:
            broken = Withdrawal(str(exc), "", "")
            return lambda snapshot_id: broken
        return lambda snapshot_id: _withdrawal(withdrawn.get(snapshot_id))

    def _write_state(self, state: dict) -> None:
        temp = self.root / f"{STATE_FILE}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            with open(temp, "w", encoding="utf-8") as fh:
                json.dump(state, fh, ensure_ascii=False, indent=2, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, self.state_path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict]:
        """The state, read and written back under an exclusive lock on the store folder: two admins
        acting at once are applied one after the other."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            state = self._state()
            before = json.dumps(state, sort_keys=True)
            yield state
            if json.dumps(state, sort_keys=True) != before:
                self._write_state(state)
        finally:
            os.close(fd)

    def set_default(self, snapshot_id: str, by: str) -> SnapshotInfo:
        """Make ``snapshot_id`` the snapshot everybody sees first; a withdrawn one must be restored first."""
        info = self.get(snapshot_id)
        with self._locked() as state:
            if snapshot_id in state["withdrawn"]:
                raise SnapshotRefusal(f"snapshot {snapshot_id!r} is withdrawn; restore it before making it the "
                                      "default", "default_withdrawn", snapshot=snapshot_id)
            previous = self._chosen_default(state)
            state["default"] = snapshot_id
        audit.record("set_default", by, snapshot=snapshot_id, previous=previous, path=self.audit_path)
        return info

    def withdraw(self, snapshot_id: str, reason: str, by: str) -> SnapshotInfo:
        """Hide ``snapshot_id`` from everybody but admins, keeping its files as they are. The default
        is refused while another snapshot could take its place (``set_default`` that one first)."""
        reason = (reason or "").strip()
        if not reason:
            raise SnapshotRefusal("a withdrawal needs a reason", "no_reason", snapshot=snapshot_id)
        self.get(snapshot_id)
        with self._locked() as state:
            if snapshot_id in state["withdrawn"]:
                raise SnapshotRefusal(f"snapshot {snapshot_id!r} is withdrawn already", "withdrawn_already",
                                      snapshot=snapshot_id)
            others = [s.snapshot_id for s in self.list() if s.snapshot_id != snapshot_id]
            if self._chosen_default(state) == snapshot_id:
                if others:
                    raise SnapshotRefusal(f"snapshot {snapshot_id!r} is the default; make another snapshot the "
                                          f"default first (one of: {', '.join(others)})", "is_default",
                                          snapshot=snapshot_id, others=", ".join(others))
                state["default"] = None
            elif state["default"] is None and others:  # keep what everybody sees
                state["default"] = self._chosen_default(state)
            at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            state["withdrawn"][snapshot_id] = {"reason": reason, "by": by, "at": at}
        audit.record("withdraw", by, snapshot=snapshot_id, reason=reason, path=self.audit_path)
        return self.get(snapshot_id)

    def restore(self, snapshot_id: str, by: str) -> SnapshotInfo:
        """Show a withdrawn snapshot again (it becomes the default only when the store has none)."""
        self.get(snapshot_id)
        with self._locked() as state:
            if snapshot_id not in state["withdrawn"]:
                raise SnapshotRefusal(f"snapshot {snapshot_id!r} is not withdrawn", "not_withdrawn",
                                      snapshot=snapshot_id)
            del state["withdrawn"][snapshot_id]
            if state["default"] is None:
                state["default"] = self._chosen_default(state) or snapshot_id
        audit.record("restore", by, snapshot=snapshot_id, path=self.audit_path)
        return self.get(snapshot_id)

    def _chosen_default(self, state: dict) -> str | None:
        """The default ``state`` implies (its choice, else the latest visible) — what ``default`` shows."""
        visible = [s.snapshot_id for s in self.list() if s.snapshot_id not in state["withdrawn"]]
        if state["default"] in visible:
            return state["default"]
        return visible[-1] if visible else None

    # ------------------------------------------------------------ staging folders of killed publishes

    def _remove_stale_staging(self) -> list[str]:
        """Remove ``.staging-*`` folders no publish holds a lock on and older than ``STALE_STAGING``."""
        removed = []
        try:
            candidates = sorted(self.root.glob(STAGING_PREFIX + "*")) if self.root.is_dir() else []
        except OSError:
            return removed
        for folder in candidates:
            try:
                if not folder.is_dir() or time.time() - folder.stat().st_mtime < STALE_STAGING.total_seconds():
                    continue
                fd = os.open(folder, os.O_RDONLY)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a publish in another process is writing it
                else:
                    shutil.rmtree(folder)
                    removed.append(folder.name)
                finally:
                    os.close(fd)
            except OSError:
                continue  # a read-only store, or another process removed it first
        return removed

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
        published_by: str | None = None,
        engine: str = "duckdb",
        spark_master: str | None = None,
    ) -> SnapshotInfo:
        """Write a complete snapshot atomically. ``sources`` are (file, table it fed) pairs; ``base``
        (an incremental snapshot) records the snapshot it was built on and where each table came from.
        The first snapshot of an empty store becomes the default; a later one never does by itself.
        ``published_by`` (the admin, or ``cli:<os user>``) writes a ``publish`` entry to the audit log;
        generated snapshots (demo, tests) pass None. ``engine`` computes the cases' timing and the
        rollups: ``duckdb`` here, or ``spark`` (xiaoneng.spark_engine; ``spark_master`` a cluster URL,
        default local[*]) — the same snapshot either way."""
        if engine not in ENGINES:
            raise SnapshotError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
        self._check_id(snapshot_id)
        self._state()  # a damaged state file refuses the publish before anything is written
        if self.exists(snapshot_id):
            raise SnapshotError(f"snapshot {snapshot_id!r} exists already; published snapshots are never overwritten")
        names = [Path(path).name for path, _ in sources]
        if len(set(names)) != len(names):
            raise SnapshotError(f"two source files share a name: {sorted(n for n in names if names.count(n) > 1)}")
        created_root = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f"{STAGING_PREFIX}{snapshot_id}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        staging_lock = os.open(staging, os.O_RDONLY)
        fcntl.flock(staging_lock, fcntl.LOCK_EX)  # tells _remove_stale_staging this one is in progress
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
            if engine == "duckdb":
                tables["cases"] = cluster_cases(derive_case_timing(tables["cases"], tables["items"],
                                                                   tables["ratings"], calendar, as_of))
            for name, table in tables.items():
                path = staging / (f"{name}.parquet" if engine == "duckdb" or name != "cases" else RAW_CASES)
                pq.write_table(table, path, compression="zstd", row_group_size=rollups.ROW_GROUP_ROWS)
            if engine == "duckdb":
                rollup_counts = rollups.build(staging, state_moment(as_of))
            else:
                rollup_counts = _spark_publish(staging, as_of, spark_master)
                (staging / RAW_CASES).unlink()
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
                "engine": engine,
                "row_counts": {name: t.num_rows for name, t in tables.items()},
                "calendar_range": [calendar.start.isoformat(), calendar.end.isoformat()],
                "cases_outside_calendar": int(pc.sum(outside).as_py() or 0),
                "rollups": rollups.manifest_entry(rollup_counts),
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
        finally:
            os.close(staging_lock)
        with self._locked() as state:
            if state["default"] is None:  # the first into an empty store, or a store from before the choice
                others = [s.snapshot_id for s in self.list() if s.snapshot_id != snapshot_id]
                state["default"] = others[-1] if others else snapshot_id
            is_default = state["default"] == snapshot_id
        if published_by is not None:
            audit.record("publish", published_by, snapshot=snapshot_id, as_of=manifest["as_of"],
                         rows=manifest["row_counts"], sources=[{"file": e["file"], "sha256": e["sha256"]}
                                                               for e in source_entries],
                         base=(base or {}).get("snapshot_id"), default=is_default, path=self.audit_path)
        return self.get(snapshot_id)

    @staticmethod
    def _verify(staging: Path, manifest: dict) -> None:
        """Read every written file back before the rename: counts must match the manifest."""
        for name, count in manifest["row_counts"].items():
            written = pq.read_metadata(staging / f"{name}.parquet").num_rows
            if written != count:
                raise SnapshotError(f"{name}: wrote {written} rows, expected {count}")
        for name, count in manifest["rollups"]["row_counts"].items():
            written = pq.read_metadata(staging / rollups.ROLLUP_DIR / f"{name}.parquet").num_rows
            if written != count:
                raise SnapshotError(f"rollup {name}: wrote {written} rows, expected {count}")
        for entry in manifest["sources"]:
            if sha256_of(staging / "sources" / entry["file"]) != entry["sha256"]:
                raise SnapshotError(f"source {entry['file']} changed while it was copied")

"""``python -m xiaoneng publish``: publish a snapshot from the data contract's tables as parquet.

A province's load arrives already in the contract's columns (``xiaoneng/schema.py``) — one
``<table>.parquet`` per fact table in a folder, as a warehouse extract or ``demo --export`` writes
them — so there is no mapping to apply: the tables are conformed to the contract, checked, timed
and rolled up by the chosen engine (``--engine spark`` for a province's size) and published like
any other snapshot. A table that does not conform refuses the whole publish with the file and the
column; nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from xiaoneng.reference import load_calendar_days, load_dimensions
from xiaoneng.schema import FACT_TABLES
from xiaoneng.snapshots import SnapshotError, SnapshotInfo, SnapshotStore

PRODUCER = "xiaoneng publish"


def read_fact_tables(folder: Path) -> tuple[dict[str, pa.Table], list[tuple[Path, str]]]:
    """The fact tables of ``folder`` (``cases.parquet`` required, the others when present) and the
    (file, table) pairs they came from."""
    facts, sources = {}, []
    for name in FACT_TABLES:
        path = folder / f"{name}.parquet"
        if not path.exists():
            if name == "cases":
                raise SnapshotError(f"{path}: not found (the cases are required)")
            continue
        try:
            facts[name] = pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            raise SnapshotError(f"{path}: not a readable parquet file: {exc}") from exc
        sources.append((path, name))
    unknown = sorted(p.name for p in folder.glob("*.parquet") if p.stem not in FACT_TABLES)
    if unknown:
        raise SnapshotError(f"{folder}: files that are no table of the contract: {', '.join(unknown)} "
                            f"(expected {', '.join(f'{n}.parquet' for n in FACT_TABLES)})")
    return facts, sources


def publish_folder(folder: Path, snapshot_id: str, *, as_of: dt.datetime, reference_dir: Path | None = None,
                   engine: str = "duckdb", spark_master: str | None = None, published_by: str | None = None,
                   store: SnapshotStore | None = None) -> SnapshotInfo:
    """Publish the contract tables of ``folder`` as ``snapshot_id`` with ``engine``; the reference
    tables and the calendar from ``reference_dir`` (default data/reference)."""
    facts, sources = read_fact_tables(Path(folder))
    store = store if store is not None else SnapshotStore()
    return store.publish(snapshot_id, as_of=as_of, reference=load_dimensions(reference_dir),
                         calendar_days=load_calendar_days(reference_dir), facts=facts, sources=sources,
                         producer=PRODUCER, published_by=published_by, engine=engine, spark_master=spark_master)


def add_cli(sub) -> argparse.ArgumentParser:
    from xiaoneng.cli_args import add_engine_arguments
    from xiaoneng.ingest import as_of_argument

    parser = sub.add_parser(
        "publish",
        help="publish a snapshot from the contract's tables as parquet (发布快照; --engine spark for a province)",
        description="发布快照：数据契约各表的 parquet 文件 (publish a snapshot from a folder of the data contract's "
                    "tables as parquet: cases.parquet, and case_steps/ratings/surveys/tasks.parquet when present). "
                    "Exit codes: 0 published, 1 refused, 2 usage.",
    )
    parser.add_argument("--snapshot", required=True, metavar="ID", help="id of the new snapshot, e.g. 2026-11")
    parser.add_argument("--as-of", type=as_of_argument, required=True, metavar="YYYY-MM-DD[THH:MM:SS]",
                        help="snapshot time (a bare date means the end of that day)")
    parser.add_argument("--reference", type=Path, default=None, metavar="DIR",
                        help="counties.csv, departments.csv, items.csv and calendar.csv (default data/reference)")
    add_engine_arguments(parser)
    parser.add_argument("--as-user", default=None, metavar="NAME",
                        help="the admin publishing, for the audit log (default: the operating-system user)")
    parser.add_argument("folder", type=Path, metavar="FOLDER", help="the folder of <table>.parquet files")
    parser.set_defaults(run=run_cli)
    return parser


def run_cli(args: argparse.Namespace) -> int:
    from xiaoneng.snapshot_admin import NotAnAdmin, actor

    try:
        info = publish_folder(args.folder, args.snapshot, as_of=args.as_of, reference_dir=args.reference,
                              engine=args.engine, spark_master=args.spark_master,
                              published_by=actor(args.as_user))
    except (NotAnAdmin, SnapshotError) as exc:
        print(f"未发布 (not published): {exc}", file=sys.stderr)
        return 1
    print(f"已发布快照 {info.snapshot_id} (published, engine {args.engine}): "
          + ", ".join(f"{name} {info.row_counts[name]:,}" for name in FACT_TABLES))
    return 0

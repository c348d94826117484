"""Validated ingest: source-system exports → a published snapshot (product.md §1 data administrators, §3).

``python -m xiaoneng ingest --mapping FILE --snapshot ID FILES...`` and ``run_ingest(...)`` (the
dashboard's upload page) run the same code. Mapping files are described in mappings/README.md.
Exit codes: 0 published (dry run: would publish), 1 refused or bad input, 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from xiaoneng.cli_args import add_engine_arguments
from xiaoneng.ingest.core import FileReport, IngestResult, TableCounts, run_ingest
from xiaoneng.ingest.mapping import InputSpec, Mapping, MappingError, load_mapping, parse_as_of
from xiaoneng.ingest.reasons import REASONS
from xiaoneng.ingest.validate import Reject

__all__ = [
    "REASONS", "FileReport", "IngestResult", "InputSpec", "Mapping", "MappingError", "Reject", "TableCounts",
    "add_cli", "as_of_argument", "load_mapping", "parse_as_of", "run_ingest",
]


def _threshold(text: str) -> float:
    text = text.strip()
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a share like 0.01 or 1%: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (or 0% and 100%): {text!r}")
    return value


def as_of_argument(text: str) -> dt.datetime:
    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_cli(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "ingest",
        help="validate source files and publish a snapshot (导入并发布快照)",
        description="校验源系统导出文件并发布快照；被拒的行进入隔离区 (validate source-system exports and "
                    "publish a snapshot; rejected rows go to the quarantine). Exit codes: 0 published, "
                    "1 refused / bad input, 2 usage.",
    )
    parser.add_argument("--mapping", required=True, metavar="FILE",
                        help="mapping YAML (a path, or the name of one in mappings/, e.g. boston311)")
    parser.add_argument("--snapshot", required=True, metavar="ID", help="id of the new snapshot, e.g. 2026-01")
    parser.add_argument("--as-of", type=as_of_argument, default=None, metavar="YYYY-MM-DD[THH:MM:SS]",
                        help="snapshot time (a bare date means the end of that day); default: the mapping's "
                             "as_of, else now")
    parser.add_argument("--reference", type=Path, default=None, metavar="DIR",
                        help="reference tables not in the load come from DIR (default data/reference)")
    parser.add_argument("--reject-threshold", type=_threshold, default=0.01, metavar="SHARE",
                        help="refuse when a table's rejected rows exceed this share of its rows (default 0.01 = "
                             "1%%; applies to each table; the mapping's reject_threshold may set a table's own)")
    parser.add_argument("--accept-rejects", action="store_true",
                        help="publish even when the rejected rows exceed the threshold")
    parser.add_argument("--accept-untimed", action="store_true",
                        help="publish even when more of the load's cases than the cases threshold fall outside "
                             "the working-day calendar (they get no timing)")
    parser.add_argument("--base", default=None, metavar="SNAPSHOT",
                        help="build on this snapshot: its tables plus this load (each loaded table replaces the "
                             "base's or is appended to it, per the mapping's mode); the base is not changed")
    parser.add_argument("--dry-run", action="store_true", help="validate and report only; write nothing")
    parser.add_argument("--as-user", default=None, metavar="NAME",
                        help="the admin publishing, for the audit log (default: the operating-system user)")
    parser.add_argument("--quarantine-out", type=Path, default=None, metavar="FILE",
                        help="also write the quarantine CSV here (useful with --dry-run or when refused)")
    add_engine_arguments(parser)
    parser.add_argument("files", nargs="+", type=Path, metavar="FILES",
                        help="source files (.csv, .csv.gz, .xlsx, .xls)")
    parser.set_defaults(run=run_cli)
    return parser


def run_cli(args: argparse.Namespace) -> int:
    from xiaoneng.snapshot_admin import NotAnAdmin, actor

    try:
        publisher = actor(getattr(args, "as_user", None))
    except NotAnAdmin as exc:
        print(exc, file=sys.stderr)
        return 2
    result = run_ingest(
        args.mapping,
        list(args.files),
        args.snapshot,
        as_of=args.as_of,
        reference_dir=args.reference,
        reject_threshold=args.reject_threshold,
        accept_rejects=args.accept_rejects,
        publish=not args.dry_run,
        base=getattr(args, "base", None),
        accept_untimed=getattr(args, "accept_untimed", False),
        published_by=publisher,
        engine=getattr(args, "engine", "duckdb"),
        spark_master=getattr(args, "spark_master", None),
    )
    print(result.summary())
    out = getattr(args, "quarantine_out", None)
    if out is not None and result.quarantine_csv:
        Path(out).write_bytes(result.quarantine_csv)
        print(f"隔离文件已写入 (quarantine written to) {out}")
    sys.stdout.flush()
    return result.exit_code

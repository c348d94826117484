"""``python -m xiaoneng``: demo, ingest, publish, snapshots, audit, indicators, calendar, users.

Each sub-command's work lives in its own module; this file only parses arguments.
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m xiaoneng", description="效能看板 command line")
    sub = parser.add_subparsers(dest="command", required=True)

    from xiaoneng import (
        bulletin,
        deck,
        demo,
        ingest,
        integrity,
        parquet_publish,
        report,
        snapshot_admin,
        users,
        workdays_admin,
    )

    demo.add_cli(sub)
    bulletin.add_cli(sub)
    deck.add_cli(sub)
    ingest.add_cli(sub)
    parquet_publish.add_cli(sub)
    report.add_cli(sub)
    integrity.add_cli(sub)
    snapshot_admin.add_cli(sub)
    workdays_admin.add_cli(sub)
    users.add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stderr.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)

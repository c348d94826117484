"""Benchmark: how long a presenter waits for the meeting outputs of one period on a published snapshot.

    .venv/bin/python bench/bench_meeting.py [--snapshot demo] [--period 2026-10] [--county C06] [--repeat 3]

Times, cold (first call in this process) and then warm (median of the repeats): the meeting views
of config/presentation.yaml (what 汇报模式 shows), the PowerPoint deck and the 通报 draft with its
.docx. Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xiaoneng import briefing, bulletin, deck
from xiaoneng.filters import Filters, Period
from xiaoneng.metrics import SnapshotView
from xiaoneng.snapshots import SnapshotStore


def timed(label: str, work: Callable[[], object], repeat: int) -> None:
    start = time.perf_counter()
    work()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        warm.append(time.perf_counter() - start)
    print(f"{label:<34} cold {cold:6.2f} s   warm median {statistics.median(warm):6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshot", default="demo")
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--county", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    info = SnapshotStore().get(args.snapshot)
    view = SnapshotView(info)
    filters = Filters(Period.parse(args.period), counties=(args.county,) if args.county else ())
    print(f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.platform()}")
    print(f"snapshot {info.snapshot_id}: {info.row_counts.get('cases', 0):,} cases · period {args.period}"
          f"{' · county ' + args.county if args.county else ''}")
    timed("meeting views (汇报模式)", lambda: briefing.build_views(view, filters, "zh"), args.repeat)
    size = len(deck.deck_bytes(view, filters, "zh"))
    timed(f"PowerPoint deck ({size / 1024:.0f} KiB)", lambda: deck.deck_bytes(view, filters, "zh"), args.repeat)
    timed("通报 draft + .docx", lambda: bulletin.to_docx(bulletin.draft(view, filters, "zh")), args.repeat)


if __name__ == "__main__":
    main()

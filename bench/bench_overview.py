"""Benchmark: build a snapshot of N demo cases, then time the Overview's queries over filter changes.

    .venv/bin/python bench/bench_overview.py --cases 1000000 [--repeat 40] [--ingest]

Prints the machine, each stage's seconds, the Overview refresh median and p95 over
repeated filter changes (period, county, department, channel), and the peak memory
(max RSS of this process). Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xiaoneng.demo import generate
from xiaoneng.filters import Filters, Period
from xiaoneng.metrics import SnapshotView, headline, indicator_table
from xiaoneng.reference import load_calendar_days, load_dimensions
from xiaoneng.snapshots import SnapshotStore


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def overview_refresh(view: SnapshotView, filters: Filters) -> None:
    """What the Overview page asks for: KPI cards, the county ranking, the county × department matrix."""
    headline(view, filters)
    indicator_table(view, filters.without("counties"), by="county")
    indicator_table(view, filters, by="county,dept")


def filter_changes(view: SnapshotView) -> list[Filters]:
    months = [Period.parse(f"2026-{m:02d}") for m in range(1, 11)]
    counties = list(view.layer.run("county_list")["county_code"])
    departments = list(view.layer.run("department_list")["dept_code"])
    changes = []
    for i, month in enumerate(months):
        changes.append(Filters(month))
        changes.append(Filters(month, counties=(counties[i % len(counties)],)))
        changes.append(Filters(month, departments=(departments[i % len(departments)],)))
        changes.append(Filters(month, channels=("online", "mobile")))
    changes.append(Filters(Period.parse("2026-Q3")))
    changes.append(Filters(Period.parse("2025")))
    return changes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40, help="filter changes to time")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the snapshot in this folder and keep it")
    args = parser.parse_args()

    print(f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.platform()}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="xiaoneng-bench-"))
    store = SnapshotStore(root)

    t0 = time.perf_counter()
    facts = generate(cases=args.cases, seed=args.seed)
    t1 = time.perf_counter()
    info = store.publish(f"bench-{args.cases}", as_of=_demo_as_of(), reference=load_dimensions(),
                         calendar_days=load_calendar_days(), facts=facts, producer="bench")
    t2 = time.perf_counter()
    rows = {name: table.num_rows for name, table in facts.items()}
    del facts
    size_mib = sum(p.stat().st_size for p in info.path.glob("*.parquet")) / 2**20
    print(f"cases: {args.cases:,} · rows {rows}")
    print(f"generate: {t1 - t0:.1f} s · publish (derive timing, write parquet, verify): {t2 - t1:.1f} s · "
          f"snapshot on disk {size_mib:.0f} MiB")

    view = SnapshotView(info)
    changes = filter_changes(view)
    t3 = time.perf_counter()
    overview_refresh(view, changes[0])  # first load (cold file cache)
    print(f"overview first load: {time.perf_counter() - t3:.2f} s")
    timings = []
    for i in range(args.repeat):
        start = time.perf_counter()
        overview_refresh(view, changes[i % len(changes)])
        timings.append(time.perf_counter() - start)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    print(f"overview refresh over {len(timings)} filter changes: median {statistics.median(timings):.2f} s · "
          f"p95 {p95:.2f} s · max {timings[-1]:.2f} s")
    print(f"peak memory (max RSS): {peak_rss_mib():,.0f} MiB")
    return 0


def _demo_as_of():
    from xiaoneng.demo import DEFAULT_AS_OF

    return DEFAULT_AS_OF


if __name__ == "__main__":
    raise SystemExit(main())

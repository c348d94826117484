"""Benchmark: build a snapshot of N demo cases, then time the Overview's queries over filter changes.

    .venv/bin/python bench/bench_overview.py --cases 1000000 [--repeat 40] [--ingest]

Prints the machine, each stage's seconds, the Overview refresh median and p95 over
repeated filter changes (period, county, department, channel), and the peak memory
(max RSS of this process). With --ingest it also writes the generated cases as a
Chinese-headed CSV export and times ``ingest`` of it through mappings/chinese_export.yaml
(read, map, validate, publish). Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xiaoneng.demo import generate
from xiaoneng.filters import Filters, Period
from xiaoneng.ingest import run_ingest
from xiaoneng.metrics import SnapshotView, headline, indicator_table
from xiaoneng.paths import MAPPINGS_DIR
from xiaoneng.reference import load_calendar_days, load_dimensions
from xiaoneng.snapshots import SnapshotStore

# The contract's values as the Chinese export writes them (the inverse of the mapping's value maps).
EXPORT_HEADERS = {
    "case_id": "办件编号", "item_code": "事项编码", "county_code": "区县代码", "dept_code": "部门代码",
    "channel": "办理渠道", "applicant_type": "申请人类型", "received_at": "申请时间", "accepted_at": "受理时间",
    "completed_at": "办结时间", "deadline_at": "承诺办结时间", "status": "办件状态", "suspended_wd": "特别程序天数",
    "promised_limit_wd": "承诺时限", "legal_limit_wd": "法定时限",
}
EXPORT_VALUES = {
    "status": {"completed": "办结", "in_progress": "在办", "denied": "不予许可", "refused": "不予受理",
               "withdrawn": "撤件"},
    "channel": {"window": "窗口", "online": "网上", "mobile": "移动端", "kiosk": "自助终端"},
    "applicant_type": {"person": "个人", "enterprise": "企业"},
}


def write_export_csv(cases: pa.Table, path: Path) -> None:
    columns = {}
    for name, header in EXPORT_HEADERS.items():
        values = cases.column(name)
        if pa.types.is_timestamp(values.type):
            values = pc.strftime(values, format="%Y-%m-%d %H:%M:%S")
        elif name in EXPORT_VALUES:
            mapping = EXPORT_VALUES[name]
            keys = pa.array(list(mapping))
            values = pc.take(pa.array(list(mapping.values())), pc.index_in(values, value_set=keys))
        columns[header] = values
    pacsv.write_csv(pa.table(columns), path)


def time_ingest(cases: pa.Table, work: Path, as_of: dt.datetime) -> None:
    export = work / "办件_bench.csv"
    write_export_csv(cases, export)
    size_mib = export.stat().st_size / 2**20
    start = time.perf_counter()
    result = run_ingest(MAPPINGS_DIR / "chinese_export.yaml", [export], "bench-ingest", as_of=as_of,
                        store=SnapshotStore(work / "ingested"))
    seconds = time.perf_counter() - start
    print(f"ingest of a {size_mib:.0f} MiB Chinese-headed CSV ({result.rows_read:,} rows, "
          f"{result.rows_rejected:,} rejected, published={result.published is not None}): {seconds:.1f} s")


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
    parser.add_argument("--ingest", action="store_true", help="also time the ingest of the cases as a CSV export")
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
    size_mib = sum(p.stat().st_size for p in info.path.glob("*.parquet")) / 2**20
    print(f"cases: {args.cases:,} · rows {rows}")
    print(f"generate: {t1 - t0:.1f} s · publish (derive timing, write parquet, verify): {t2 - t1:.1f} s · "
          f"snapshot on disk {size_mib:.0f} MiB")
    if args.ingest:
        time_ingest(facts["cases"], root, _demo_as_of())
    del facts

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

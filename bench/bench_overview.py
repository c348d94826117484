"""Benchmark: every query the pages make on a demo snapshot of N cases, over filter changes.

    .venv/bin/python bench/bench_overview.py --cases 1000000 [--changes 20] [--page-changes 3] [--json] [--ingest]

The snapshot is the demo city of N cases, ``bench/out/demo-<N>/snapshots/demo-<N>`` (git-ignored):
reused when present, otherwise built with ``python -m xiaoneng demo --cases N`` (its data folder
``bench/out/demo-<N>``) and that command's time recorded as the publish time (generate, derive
timing, write parquet, verify).

Each refresh runs the real page file (streamlit.testing AppTest, signed in as an admin, the filters
in the URL) with an empty cache (Streamlit's and the query layer's kept answers: a query the page asks
again within the refresh is a call of ~0 ms), and times every ``QueryLayer.run`` the page makes: a refresh's
figure is the sum of its queries' times (the page's own Python and Streamlit are left out; the
page's wall time is printed beside it). The Overview is refreshed over ``--changes`` filter
changes (month, county, department, channel, quarter, year), every page over ``--page-changes``.
"raw" is the Overview's aggregates as plain GROUP BYs over cases.parquet (bench/raw_overview.sql),
for the same filter changes in the same run. The query layer's own cost per call is the median of
a query over a 20-row table. With --ingest it also writes the cases as a Chinese-headed CSV export
and times ``ingest`` of it through mappings/chinese_export.yaml.

Prints the machine, each figure, and last one JSON line:
{"cases", "refresh_median_ms", "refresh_p95_ms", "raw_median_ms", "pages": {page: median_ms},
"publish_s", "peak_rss_mib", "layer_call_ms"}. Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from xiaoneng import auth  # noqa: E402
from xiaoneng.filters import Filters, Period  # noqa: E402
from xiaoneng.metrics import SnapshotView  # noqa: E402
from xiaoneng.queries import QueryLayer  # noqa: E402
from xiaoneng.snapshots import SnapshotInfo, SnapshotStore  # noqa: E402

PAGES_DIR = REPO / "pages"
RAW_SQL = REPO / "bench" / "raw_overview.sql"
BENCH_USER = auth.User("bench-admin", "admin")
PAGE_TIMEOUT_S = 1800

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


# ---------------------------------------------------------------- the snapshot

def data_folder(cases: int) -> Path:
    return OUT / f"demo-{cases}"


def demo_snapshot(cases: int) -> tuple[SnapshotInfo, float | None]:
    """The demo snapshot of ``cases`` cases and the seconds its build took (None when unknown)."""
    folder = data_folder(cases)
    snapshot_id = f"demo-{cases}"
    record = folder / "publish.json"
    store = SnapshotStore(folder / "snapshots")
    if not store.exists(snapshot_id):
        folder.mkdir(parents=True, exist_ok=True)
        reference = folder / "reference"  # the repository's reference data, for the demo command
        if not reference.exists():
            reference.symlink_to(REPO / "data" / "reference")
        command = [sys.executable, "-m", "xiaoneng", "demo", "--cases", str(cases), "--snapshot-id", snapshot_id]
        print("building:", " ".join(command[1:]), flush=True)
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=REPO, env={**os.environ, "XIAONENG_DATA": str(folder)})
        seconds = time.perf_counter() - start
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        record.write_text(json.dumps({"publish_s": round(seconds, 1), "peak_rss_mib": round(children),
                                      "command": " ".join(command[1:])}))
    publish_s = json.loads(record.read_text())["publish_s"] if record.exists() else None
    return store.get(snapshot_id), publish_s


# ---------------------------------------------------------------- timing the query layer

class QueryClock:
    """Wraps QueryLayer.run: every call's query name and milliseconds, per thread-safe list."""

    def __init__(self):
        self.calls: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        self._real = QueryLayer.run

    def __enter__(self) -> QueryClock:
        clock, real = self, self._real

        def timed(layer, name, filters=None, **params):
            start = time.perf_counter()
            try:
                return real(layer, name, filters, **params)
            finally:
                with clock._lock:
                    clock.calls.append((name, (time.perf_counter() - start) * 1000))

        QueryLayer.run = timed
        return self

    def __exit__(self, *exc) -> None:
        QueryLayer.run = self._real

    def take(self) -> list[tuple[str, float]]:
        with self._lock:
            calls, self.calls = self.calls, []
        return calls


def empty_caches() -> None:
    """Streamlit's cache and the package's own per-snapshot caches (an answer kept from an earlier
    refresh would hide a query's cost)."""
    import streamlit as st
    from streamlit import logger

    from xiaoneng import integrity, metrics

    logger.set_log_level("error")  # AppTest's bare-mode warnings, hundreds a run
    st.cache_data.clear()
    metrics.forget_kept()
    if getattr(integrity, "_cached_run", None) is not None:
        integrity._cached_run.cache_clear()


def run_page(page: Path, filters: Filters, snapshot_id: str, clock: QueryClock) -> tuple[float, float, list, str]:
    """One refresh of ``page`` for ``filters`` with an empty cache: query ms, wall ms, the calls and
    the page's exception (empty when none)."""
    from streamlit.testing.v1 import AppTest

    empty_caches()
    at = AppTest.from_file(str(page), default_timeout=PAGE_TIMEOUT_S)
    auth.start_session(at.session_state, BENCH_USER)
    for key, value in {"snapshot": snapshot_id, **filters.to_query_params()}.items():
        at.query_params[key] = value
    clock.take()
    start = time.perf_counter()
    at.run()
    wall = (time.perf_counter() - start) * 1000
    calls = clock.take()
    error = "; ".join(str(e.value)[:200] for e in at.exception)
    return sum(ms for _, ms in calls), wall, calls, error


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


def spread(changes: list[Filters], n: int) -> list[Filters]:
    """``n`` changes taken evenly over the list (so a few still cover months, counties, channels)."""
    step = max(1, len(changes) // max(1, n))
    return [changes[(i * step) % len(changes)] for i in range(n)]


def raw_aggregates(info: SnapshotInfo, filters: Filters) -> float:
    """Milliseconds of bench/raw_overview.sql for ``filters`` on a fresh connection (same threads)."""
    connection = duckdb.connect(config={"threads": 2})
    params = {"cases_file": str(info.path / "cases.parquet"), **filters.period.bounds(info.as_of),
              "counties": list(filters.counties) or None, "depts": list(filters.departments) or None,
              "channels": list(filters.channels) or None}
    start = time.perf_counter()
    connection.execute(RAW_SQL.read_text(encoding="utf-8"), params).fetchall()
    seconds = time.perf_counter() - start
    connection.close()
    return seconds * 1000


def layer_call_ms(view: SnapshotView, calls: int = 200) -> float:
    """The query layer's own cost: the median of a query over a 20-row table (county_list), run each
    time (its kept answer dropped before each call, outside the timing)."""
    from xiaoneng.queries import forget_answers

    layer = view.layer
    layer.run("county_list")
    times = []
    for _ in range(calls):
        forget_answers()
        start = time.perf_counter()
        layer.run("county_list", Filters(view.default_period()))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def call_summary(calls: list[tuple[str, float]]) -> str:
    by_name: dict[str, list[float]] = collections.defaultdict(list)
    for name, ms in calls:
        by_name[name].append(ms)
    return ", ".join(f"{name} {len(v)}× {sum(v):.0f} ms" for name, v in sorted(by_name.items(),
                                                                              key=lambda kv: -sum(kv[1])))


# ---------------------------------------------------------------- the ingest of a CSV export

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


def time_ingest(info: SnapshotInfo) -> None:
    from xiaoneng.ingest import run_ingest
    from xiaoneng.paths import MAPPINGS_DIR

    work = Path(tempfile.mkdtemp(prefix="xiaoneng-bench-ingest-"))
    export = work / "办件_bench.csv"
    write_export_csv(pq.read_table(info.path / "cases.parquet", columns=list(EXPORT_HEADERS)), export)
    size_mib = export.stat().st_size / 2**20
    start = time.perf_counter()
    result = run_ingest(MAPPINGS_DIR / "chinese_export.yaml", [export], "bench-ingest", as_of=info.as_of,
                        store=SnapshotStore(work / "ingested"))
    seconds = time.perf_counter() - start
    print(f"ingest of a {size_mib:.0f} MiB Chinese-headed CSV ({result.rows_read:,} rows, "
          f"{result.rows_rejected:,} rejected, published={result.published is not None}): {seconds:.1f} s")


# ---------------------------------------------------------------- main

def peak_rss_mib() -> float:
    usage = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return usage / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=20, help="Overview refreshes to time")
    parser.add_argument("--page-changes", type=int, default=3, help="refreshes of every page to time")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line, last")
    parser.add_argument("--ingest", action="store_true", help="also time the ingest of the cases as a CSV export")
    args = parser.parse_args()

    print(f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.platform()}", flush=True)
    info, publish_s = demo_snapshot(args.cases)
    os.environ["XIAONENG_DATA"] = str(data_folder(args.cases))
    size_mib = sum(p.stat().st_size for p in info.path.glob("*.parquet")) / 2**20
    print(f"snapshot {info.path} · rows {info.row_counts} · {size_mib:.0f} MiB on disk · "
          f"publish {publish_s if publish_s is not None else '?'} s", flush=True)
    if args.ingest:
        time_ingest(info)

    view = SnapshotView(info)
    changes = filter_changes(view)
    per_call = layer_call_ms(view)
    print(f"query layer: one call of county_list (20 rows) median {per_call:.2f} ms", flush=True)

    with QueryClock() as clock:
        overview = PAGES_DIR / "overview.py"
        first, wall, calls, error = run_page(overview, changes[0], info.snapshot_id, clock)  # cold file cache
        print(f"overview first load: {first:.0f} ms of queries ({len(calls)} calls), page {wall:.0f} ms"
              + (f" · EXCEPTION {error}" if error else ""), flush=True)
        refresh, walls, raw = [], [], []
        for i in range(args.changes):
            filters = changes[i % len(changes)]
            ms, wall, calls, error = run_page(overview, filters, info.snapshot_id, clock)
            refresh.append(ms)
            walls.append(wall)
            raw.append(raw_aggregates(info, filters))
            if i == 0:
                print(f"overview calls: {call_summary(calls)}", flush=True)
            if error:
                print(f"overview {filters.to_query_params()}: EXCEPTION {error}", flush=True)
        print(f"overview refresh over {len(refresh)} filter changes (queries): "
              f"median {statistics.median(refresh):.0f} ms · p95 {percentile(refresh, 0.95):.0f} ms · "
              f"page wall median {statistics.median(walls):.0f} ms · "
              f"raw GROUP BYs median {statistics.median(raw):.0f} ms", flush=True)

        pages: dict[str, float] = {}
        for page in sorted(PAGES_DIR.glob("*.py")):
            times = []
            for filters in spread(changes, args.page_changes):
                ms, wall, calls, error = run_page(page, filters, info.snapshot_id, clock)
                times.append(ms)
                if error:
                    print(f"{page.stem} {filters.to_query_params()}: EXCEPTION {error}", flush=True)
            pages[page.stem] = round(statistics.median(times), 1)
            print(f"{page.stem}: median {pages[page.stem]:.0f} ms · last refresh {len(calls)} calls: "
                  f"{call_summary(calls)}", flush=True)

    print(f"peak memory (max RSS, this process or the build): {peak_rss_mib():,.0f} MiB", flush=True)
    if args.json:
        print(json.dumps({
            "cases": args.cases, "refresh_median_ms": round(statistics.median(refresh), 1),
            "refresh_p95_ms": round(percentile(refresh, 0.95), 1), "raw_median_ms": round(statistics.median(raw), 1),
            "pages": pages, "publish_s": publish_s, "peak_rss_mib": round(peak_rss_mib()),
            "layer_call_ms": round(per_call, 2),
        }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Publish time by engine: the demo city of ``--cases`` generated once, then published by each engine.

    .venv/bin/python bench/bench_publish.py --cases 10000000 [--engines duckdb,spark] [--json]

Prints, per engine, the publish's wall time (checks, timing columns, rollups, files; the Spark
engine's first JVM start included) and the peak resident memory of this process together with its
child processes (Spark's JVM) sampled every 0.2 s. The snapshots go to a temporary store, removed
afterwards. Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xiaoneng.demo import DEFAULT_AS_OF, DEFAULT_SEED, demo_world, snapshot_time
from xiaoneng.snapshots import ENGINES, SnapshotStore


def _tree_rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and every descendant (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class PeakMemory:
    """The peak of _tree_rss_bytes(this process) while the ``with`` block runs."""

    def __enter__(self) -> PeakMemory:
        self.peak = _tree_rss_bytes(os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, _tree_rss_bytes(os.getpid()))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, in this order")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    as_of = snapshot_time(DEFAULT_AS_OF)
    began = time.perf_counter()
    with PeakMemory() as generating:
        reference, calendar_days, _, facts = demo_world(args.cases, DEFAULT_SEED, as_of)
    generate_s = time.perf_counter() - began
    rows = {name: table.num_rows for name, table in facts.items()}
    print(f"generated {rows} in {generate_s:.1f} s (peak {generating.peak / 2**30:.1f} GiB)", flush=True)
    figures = {"cases": args.cases, "rows": rows, "generate_s": round(generate_s, 1), "engines": {}}
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as folder:
        store = SnapshotStore(Path(folder) / "snapshots")
        for engine in engines:
            began = time.perf_counter()
            with PeakMemory() as publishing:
                store.publish(f"bench-{engine}", as_of=as_of, reference=reference, calendar_days=calendar_days,
                              facts=facts, producer="bench", engine=engine)
            seconds = time.perf_counter() - began
            figures["engines"][engine] = {"publish_s": round(seconds, 1),
                                          "peak_rss_gib": round(publishing.peak / 2**30, 2)}
            print(f"{engine:7s} publish {seconds:7.1f} s   peak RSS (with children) "
                  f"{publishing.peak / 2**30:5.1f} GiB", flush=True)
    figures["machine"] = {"cpus": os.cpu_count(), "at": dt.datetime.now().isoformat(timespec="seconds")}
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

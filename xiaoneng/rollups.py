"""Rollups published with a snapshot: small tables that serve the Overview's case measures exactly.

At publish (``SnapshotStore.publish``) the timed cases are aggregated by DuckDB
(``queries/rollups/<table>.sql``) into ``rollups/<table>.parquet``, immutable with the snapshot
and listed in its manifest (``rollups``: version and row counts). Every table is keyed by a day
or a state moment and by (county, department, item type, channel) — the dimensions the filters
and the scope narrow — so ``queries/views/rollup_<table>.sql`` scopes and filters them exactly as
the cases view does, and ``queries/rollup_indicator_measures.sql`` returns what
``queries/indicator_measures.sql`` returns, for any period of whole days:

* flows (accepted, completed, due) are sums of day rows; a case counts for a period only when
  it was accepted before the period's end, as ``case_flags`` has it;
* median and P90 of elapsed working days come from a histogram (integer days → count): the query
  finds the two values ``quantile_cont`` interpolates between and the fraction, ``interpolate``
  rounds the result as DuckDB does;
* states at a time (open, red, yellow) and "has a case" are sums of events up to the state
  moment: the sums at the last checkpoint before it (month starts and the snapshot's moment)
  plus the events since. States are read at a midnight (a period's end) or at the snapshot's moment, so each
  event is keyed by the first such moment that reaches it (``queries/rollups/moment.sql``);
* the yellow light starts on the first day whose working-day index is close enough to the
  deadline's, found per case at publish.

A snapshot without rollups (published before them), or with another ``ROLLUP_VERSION``, is read
from its rows: ``serves`` says which.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from xiaoneng.filters import Filters
from xiaoneng.queries import QueryLayer, load_sql
from xiaoneng.schema import ROLLUP_VERSION

ROLLUP_DIR = "rollups"
# Each rollup table and the query file (queries/rollups/) that builds it, in build order.
ROLLUP_QUERIES = {
    "accepted": "rollups/accepted", "completed": "rollups/completed", "completed_rated": "rollups/completed_rated",
    "due": "rollups/due", "states": "rollups/states", "state_checkpoints": "rollups/state_checkpoints",
    "item_limits": "rollups/item_limits",
}
ROLLUP_TABLES = tuple(ROLLUP_QUERIES)
# Row groups of published parquet: small enough for DuckDB to scan with every thread and to skip
# the groups a filter excludes, large enough to compress well.
ROW_GROUP_ROWS = 128 * 1024
BUILD_MACROS = ("macros/day_close", "macros/done_by", "rollups/moment")


def build(folder: Path, snapshot_at: dt.datetime) -> dict[str, int]:
    """Write every rollup of the snapshot being published in ``folder`` (its timed ``cases.parquet``
    and ``calendar.parquet``, written already) into ``folder/rollups``; their row counts. DuckDB
    reads the parquet as it goes and writes each table straight to its file, so the cases are never
    all in memory at once."""
    folder = Path(folder)
    target = folder / ROLLUP_DIR
    target.mkdir()
    con = duckdb.connect()
    try:
        for name in ("cases", "calendar"):
            con.read_parquet(str(folder / f"{name}.parquet")).create_view(name)
        for macro in BUILD_MACROS:
            con.execute(load_sql(macro))
        counts = {}
        for name, query in ROLLUP_QUERIES.items():
            sql = load_sql(query)
            params = {"snapshot_at": snapshot_at} if "$snapshot_at" in sql else None
            path = target / f"{name}.parquet"
            con.sql(sql, params=params).write_parquet(str(path), compression="zstd", row_group_size=ROW_GROUP_ROWS)
            counts[name] = pq.read_metadata(path).num_rows
            con.read_parquet(str(path)).create_view(name)
        return counts
    finally:
        con.close()


def manifest_entry(counts: dict[str, int]) -> dict:
    return {"version": ROLLUP_VERSION, "row_counts": counts}


def available(manifest: dict) -> bool:
    """The snapshot carries rollups this code reads."""
    entry = manifest.get("rollups") or {}
    return entry.get("version") == ROLLUP_VERSION and set(entry.get("row_counts", {})) == set(ROLLUP_TABLES)


def _midnight(moment: dt.datetime) -> bool:
    return moment == dt.datetime.combine(moment.date(), dt.time())


def serves(manifest: dict, snapshot_at: dt.datetime, period_start: dt.datetime, period_end: dt.datetime,
           state_at: dt.datetime) -> bool:
    """The rollups answer these bounds exactly: the snapshot has them, the period is whole days and
    its states are read at a midnight or at the snapshot's moment (what the events are keyed for)."""
    return (available(manifest) and _midnight(period_start) and _midnight(period_end)
            and (_midnight(state_at) or state_at == snapshot_at))


def interpolate(lo: float, hi: float, fraction: float) -> float:
    """DuckDB's quantile_cont between its two neighbouring values: ``lo·(1 − f) + hi·f`` with the sum
    fused (one rounding of the exact ``lo·(1 − f) + round(hi·f)``), as its build computes it —
    plain double arithmetic differs in the last bit now and then. tests/test_rollups.py holds it to
    DuckDB's own answers."""
    return float(Fraction(lo) * Fraction(1.0 - fraction) + Fraction(hi * fraction))


_QUANTILES = {"elapsed_wd_median": "median", "elapsed_wd_p90": "p90"}


def checkpoint_at(moment: dt.datetime, snapshot_at: dt.datetime) -> dt.datetime:
    """The checkpoint (queries/rollups/state_checkpoints.sql: every month start up to the snapshot's
    moment, and that moment) a state at ``moment`` is summed from: the snapshot's moment for a state
    at or after it, else the start of ``moment``'s month. A checkpoint holds the sums of every event
    at or before it (a key without a row sums to 0); before the first one there is no event."""
    if moment >= snapshot_at:
        return snapshot_at
    return dt.datetime.combine(moment.date().replace(day=1), dt.time())


def measures(layer: QueryLayer, filters: Filters | None, by_county: bool, by_dept: bool,
             snapshot_at: dt.datetime, **bounds: dt.datetime) -> pd.DataFrame:
    """queries/indicator_measures.sql's answer from the rollups (queries/rollup_indicator_measures.sql)."""
    checkpoints = {"state_cp": checkpoint_at(bounds["state_at"], snapshot_at),
                   "present_cp": checkpoint_at(bounds["period_end"], snapshot_at)}
    frame = layer.run("rollup_indicator_measures", filters, by_county=by_county, by_dept=by_dept, **bounds,
                      **checkpoints)
    for column, prefix in _QUANTILES.items():
        parts = frame[[f"{prefix}_lo", f"{prefix}_hi", f"{prefix}_fraction"]]
        frame[column] = [interpolate(*p) if pd.notna(p[0]) else float("nan") for p in parts.itertuples(index=False)]
    return frame.drop(columns=[f"{p}_{part}" for p in _QUANTILES.values() for part in ("lo", "hi", "fraction")])

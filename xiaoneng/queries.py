"""The one place that runs SQL: ``queries/<name>.sql`` with named parameters bound by DuckDB.

Each call takes its own cursor (DuckDB connections are not thread-safe and
Streamlit runs every session in its own thread). On that cursor the layer binds
the snapshot folder, the user's scope and the filters as variables, then
creates the views of ``queries/views/`` (cases, ratings, …) that read them.
Query files refer only to those views, never to files, so no query can see
rows outside the scope; ``tests/test_queries.py`` checks that.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from xiaoneng.filters import Filters, Scope, compile_filters
from xiaoneng.indicators import rules
from xiaoneng.paths import CONFIG_DIR, QUERIES_DIR

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Views in dependency order: case_steps reads cases, ratings reads items.
VIEW_ORDER = ("calendar", "counties", "departments", "items", "cases", "case_steps", "ratings", "surveys", "tasks")
# Rules several queries share (queries/macros/<name>.sql), defined before any query runs, in
# dependency order (a macro may use the ones before it).
MACROS = ("day_close", "state_day", "open_at", "done_by", "due_in", "light_at", "rectify_state", "wave_end",
          "month_grid")
# Table macros read the views, so they are defined after them.
TABLE_MACROS = ("case_flags", "reviews_due", "cases_due_by_month", "non_case_measures")
# The published rollups' views (xiaoneng/rollups.py), scoped like the cases view; made only for the
# queries that read them (named rollup_*), which run only on snapshots that carry them.
ROLLUP_VIEWS = ("rollup_accepted", "rollup_completed", "rollup_completed_rated", "rollup_due", "rollup_states",
                "rollup_state_checkpoints", "rollup_item_limits")
# The ones the snapshot build's timing (queries/cases_with_timing.sql) uses.
TIMING_MACROS = ("day_close", "done_by")


_SET_LIST_VARIABLE = {
    "scope_counties": "set variable scope_counties = $v::varchar[]",
    "f_counties": "set variable f_counties = $v::varchar[]",
    "f_depts": "set variable f_depts = $v::varchar[]",
    "f_item_types": "set variable f_item_types = $v::varchar[]",
    "f_channels": "set variable f_channels = $v::varchar[]",
}


class QueryError(Exception):
    """A query that is missing, lacks a parameter, or failed in DuckDB (the file is named)."""


class QueryLimitError(QueryError):
    """A query stopped by a limit of config/runtime.yaml: the page says so instead of failing."""


class QueryOutOfMemory(QueryLimitError):
    """A query that needed more than the engine's memory limit."""

    def __init__(self, name: str, limit: str):
        super().__init__(f"queries/{name}.sql needed more than the memory limit {limit} (memory_limit)")
        self.name = name
        self.limit = limit


class QueryTimeout(QueryLimitError):
    """A query interrupted after the time limit (config/runtime.yaml ``query_timeout_s``)."""

    def __init__(self, name: str, seconds: float):
        super().__init__(f"queries/{name}.sql was stopped after {seconds:g} s (query_timeout_s)")
        self.name = name
        self.seconds = seconds


@dataclass(frozen=True)
class EngineLimits:
    memory_limit: str
    query_timeout_s: float  # 0 = none


@cache
def engine_limits() -> EngineLimits:
    """config/runtime.yaml's DuckDB limits, each overridden by its environment variable."""
    spec = yaml.safe_load((CONFIG_DIR / "runtime.yaml").read_text(encoding="utf-8"))["duckdb"]
    return EngineLimits(
        memory_limit=os.environ.get("XIAONENG_DUCKDB_MEMORY", str(spec["memory_limit"])),
        query_timeout_s=float(os.environ.get("XIAONENG_QUERY_TIMEOUT", spec["query_timeout_s"])),
    )


@cache
def load_sql(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no query file {path}")
    return path.read_text(encoding="utf-8")


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def parameters_of(sql: str) -> set[str]:
    without_comments = re.sub(r"--[^\n]*", "", sql)
    return set(_PARAM.findall(without_comments))


_connection_lock = threading.Lock()
_connection: duckdb.DuckDBPyConnection | None = None


def _shared_connection() -> duckdb.DuckDBPyConnection:
    """One in-memory database per process; callers only ever use cursors of it."""
    global _connection
    with _connection_lock:
        if _connection is None:
            _connection = duckdb.connect(config={"threads": 2, "memory_limit": engine_limits().memory_limit})
        return _connection


class QueryLayer:
    """Runs named queries against one snapshot, within one user's scope."""

    def __init__(self, snapshot_path: Path, scope: Scope | None = None):
        self.snapshot_path = Path(snapshot_path)
        self.scope = scope or Scope.everything()

    def run(self, name: str, filters: Filters | None = None, **params) -> pd.DataFrame:
        sql = load_sql(name)
        wanted = parameters_of(sql)
        missing = wanted - params.keys()
        if missing:
            raise QueryError(f"queries/{name}.sql needs parameters {sorted(missing)}")
        cursor = _shared_connection().cursor()
        limit = engine_limits().query_timeout_s
        timer = threading.Timer(limit, cursor.interrupt) if limit > 0 else None
        try:
            self._prepare(cursor, filters, rollups=name.startswith("rollup_"))
            if timer:
                timer.start()
            return cursor.execute(sql, {k: params[k] for k in wanted}).df()
        except duckdb.InterruptException as exc:
            raise QueryTimeout(name, limit) from exc
        except duckdb.OutOfMemoryException as exc:
            raise QueryOutOfMemory(name, engine_limits().memory_limit) from exc
        except duckdb.Error as exc:
            raise QueryError(f"queries/{name}.sql failed: {exc}") from exc
        finally:
            if timer:
                timer.cancel()
            cursor.close()

    def _prepare(self, cursor: duckdb.DuckDBPyConnection, filters: Filters | None, rollups: bool = False) -> None:
        cursor.execute("set variable snapshot_dir = $v", {"v": str(self.snapshot_path)})
        cursor.execute("set variable rectify_default_wd = $v::integer", {"v": rules().rectify_default_wd})
        for variable, value in compile_filters(filters, self.scope).items():
            cursor.execute(_SET_LIST_VARIABLE[variable], {"v": value})
        for macro in MACROS:
            cursor.execute(load_sql("macros/" + macro))
        for view in VIEW_ORDER + (ROLLUP_VIEWS if rollups else ()):
            cursor.execute("create temp view " + view + " as " + load_sql("views/" + view))
        for macro in TABLE_MACROS:
            cursor.execute(load_sql("macros/" + macro))

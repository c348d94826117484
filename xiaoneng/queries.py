"""The one place that runs SQL: ``queries/<name>.sql`` with named parameters bound by DuckDB.

Each call has a cursor to itself (DuckDB connections are not thread-safe and
Streamlit runs every session in its own thread). A cursor is prepared once for one
snapshot and one scope: the layer binds the snapshot folder and the user's scope as
variables and creates the views of ``queries/views/`` (cases, ratings, …) and the
macros that read them; then it goes back to an idle pool of that (snapshot, scope)
and serves later calls of the same pair, which only bind the filters that changed.
Query files refer only to those views, never to files, so no query can see
rows outside the scope; ``tests/test_queries.py`` checks that.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
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
TABLE_MACROS = ("case_flags", "reviews_due", "cases_due_by_month", "non_case_measures", "trend_non_case_measures")
# The published rollups' views (xiaoneng/rollups.py), scoped like the cases view; made only for the
# queries that read them (named rollup_*), which run only on snapshots that carry them.
ROLLUP_VIEWS = ("rollup_accepted", "rollup_completed", "rollup_completed_rated", "rollup_due", "rollup_states",
                "rollup_state_checkpoints", "rollup_item_limits")
# The ones the snapshot build's timing (queries/cases_with_timing.sql) uses.
TIMING_MACROS = ("day_close", "done_by")


_SET_VARIABLE = {
    "snapshot_dir": "set variable snapshot_dir = $v",
    "rectify_default_wd": "set variable rectify_default_wd = $v::integer",
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


@dataclass
class _PreparedCursor:
    """A cursor with the views and macros of one (snapshot, scope), and the variables it holds."""

    cursor: duckdb.DuckDBPyConnection
    variables: dict[str, object] = field(default_factory=dict)


# Idle prepared cursors by (snapshot folder, scope counties, with rollup views), least recently used first. A call
# takes one out (no two calls ever share a cursor) and puts it back when its query succeeded.
MAX_IDLE_PER_KEY = 4
MAX_KEYS = 32
_pool_lock = threading.Lock()
_idle: OrderedDict[tuple[str, tuple[str, ...] | None, bool], list[_PreparedCursor]] = OrderedDict()


def _take_cursor(key: tuple[str, tuple[str, ...] | None, bool]) -> _PreparedCursor | None:
    with _pool_lock:
        idle = _idle.get(key)
        if idle:
            _idle.move_to_end(key)
            return idle.pop()
    return None


def _give_back(key: tuple[str, tuple[str, ...] | None, bool], prepared: _PreparedCursor) -> None:
    surplus = []
    with _pool_lock:
        idle = _idle.setdefault(key, [])
        _idle.move_to_end(key)
        if len(idle) < MAX_IDLE_PER_KEY:
            idle.append(prepared)
        else:
            surplus.append(prepared)
        while len(_idle) > MAX_KEYS:
            surplus += _idle.popitem(last=False)[1]
    for extra in surplus:
        extra.cursor.close()


# Answers kept per (snapshot folder, query, bound variables — scope, filters, counting rule — and
# parameters): a published snapshot never changes, and pages ask the same query more than once (the
# Overview the same month's measures for its cards, ranking, 需关注 and 连续末位; 审批时效 the item limits
# for its cards and its table). Lists of rows (more than ANSWER_MAX_ROWS) are not kept; the least
# recently used answers go once all of them hold more than ANSWERS_MAX_BYTES. Callers get copies.
ANSWER_MAX_ROWS = 5_000
ANSWERS_MAX_BYTES = 64 * 1024 * 1024
_answers_lock = threading.Lock()
_answers: OrderedDict[tuple, tuple[pd.DataFrame, int]] = OrderedDict()
_answers_bytes = 0


def forget_answers() -> None:
    """Drop every kept answer: for a benchmark that times cold refreshes."""
    global _answers_bytes
    with _answers_lock:
        _answers.clear()
        _answers_bytes = 0


def _kept_answer(key: tuple) -> pd.DataFrame | None:
    with _answers_lock:
        kept = _answers.get(key)
        if kept is None:
            return None
        _answers.move_to_end(key)
    return kept[0].copy()


def _keep_answer(key: tuple, frame: pd.DataFrame) -> None:
    global _answers_bytes
    if len(frame) > ANSWER_MAX_ROWS:
        return
    size = int(frame.memory_usage(index=True, deep=True).sum())
    with _answers_lock:
        if key in _answers:
            _answers_bytes -= _answers.pop(key)[1]
        _answers[key] = (frame.copy(), size)
        _answers_bytes += size
        while _answers_bytes > ANSWERS_MAX_BYTES and len(_answers) > 1:
            _answers_bytes -= _answers.popitem(last=False)[1][1]


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
        variables = {"rectify_default_wd": rules().rectify_default_wd, **compile_filters(filters, self.scope)}
        values = {k: params[k] for k in wanted}
        answer_key = (str(self.snapshot_path), name, repr(sorted(variables.items())), repr(sorted(values.items())))
        kept = _kept_answer(answer_key)
        if kept is not None:
            return kept
        rollups = name.startswith("rollup_")  # the rollup views exist only where the snapshot has rollups
        key = (str(self.snapshot_path), self.scope.counties, rollups)
        prepared = _take_cursor(key)
        cursor = prepared.cursor if prepared else _shared_connection().cursor()
        limit = engine_limits().query_timeout_s
        interrupted = threading.Event()

        def interrupt() -> None:
            interrupted.set()
            cursor.interrupt()

        timer = threading.Timer(limit, interrupt) if limit > 0 else None
        answered = False
        try:
            if prepared is None:
                prepared = self._prepare(cursor, rollups)
            self._bind(prepared, variables)
            if timer:
                timer.start()
            frame = cursor.execute(sql, values).df()
            answered = True
            _keep_answer(answer_key, frame)
            return frame
        except duckdb.InterruptException as exc:
            raise QueryTimeout(name, limit) from exc
        except duckdb.OutOfMemoryException as exc:
            raise QueryOutOfMemory(name, engine_limits().memory_limit) from exc
        except duckdb.Error as exc:
            raise QueryError(f"queries/{name}.sql failed: {exc}") from exc
        finally:
            if timer:
                timer.cancel()
                if timer.is_alive():
                    timer.join()
            # A cursor whose query failed or was interrupted (even just after answering) is not reused.
            if answered and not interrupted.is_set():
                _give_back(key, prepared)
            else:
                cursor.close()

    def _prepare(self, cursor: duckdb.DuckDBPyConnection, rollups: bool = False) -> _PreparedCursor:
        """The views and macros on a new cursor, for this layer's snapshot and scope (bound once)."""
        prepared = _PreparedCursor(cursor)
        self._bind(prepared, {"snapshot_dir": str(self.snapshot_path), **compile_filters(None, self.scope)})
        for macro in MACROS:
            cursor.execute(load_sql("macros/" + macro))
        for view in VIEW_ORDER + (ROLLUP_VIEWS if rollups else ()):
            cursor.execute("create temp view " + view + " as " + load_sql("views/" + view))
        for macro in TABLE_MACROS:
            cursor.execute(load_sql("macros/" + macro))
        return prepared

    def _bind(self, prepared: _PreparedCursor, variables: dict[str, object]) -> None:
        """Set the variables whose value differs from what the cursor holds (the filters of a call)."""
        for variable, value in variables.items():
            if variable not in prepared.variables or prepared.variables[variable] != value:
                prepared.cursor.execute(_SET_VARIABLE[variable], {"v": value})
                prepared.variables[variable] = value

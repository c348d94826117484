"""The publish step on Apache Spark: the cases' timing columns and the rollups, for province scale.

``SnapshotStore.publish(..., engine="spark")`` (``python -m xiaoneng publish --engine spark``,
``demo --engine spark``) stages the checked input tables as parquet, as the DuckDB engine does,
and hands the two heavy steps to Spark: ``queries/cases_with_timing.sql`` (then the rows in
(county, acceptance month) order) and every ``queries/rollups/*.sql``. The SQL is the DuckDB
SQL itself, not a second copy: each query's DuckDB macros are expanded in place and the result
transpiled to Spark SQL by sqlglot (``spark_sql``), so one definition serves both engines and
tests/test_spark_engine.py holds their outputs equal table by table. Spark writes part files;
they are merged in order into the one ``<table>.parquet`` per table the dashboard reads, so the
snapshot's layout is the same whichever engine built it.

``local[*]`` by default; ``XIAONENG_SPARK_MASTER`` (or ``--spark-master``) names a cluster.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

from xiaoneng import rollups
from xiaoneng.queries import TIMING_MACROS, load_sql

DEFAULT_MASTER = "local[*]"
# created or replaced: the body is one expression over the parameters
_MACRO = re.compile(r"create\s+or\s+replace\s+temp\s+macro\s+(\w+)\s*\(([^)]*)\)\s+as\s+(.+)", re.I | re.S)
_SPARK_WORK = "spark-work"


class SparkUnavailable(RuntimeError):
    """Spark could not start here (no Java 17, no cluster at the master URL)."""


class Macro:
    """A DuckDB scalar macro (``create or replace temp macro name(a, b) as expr``) as an expression
    template: ``expand`` puts a call's arguments in place of the parameters."""

    def __init__(self, text: str):
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
        match = _MACRO.search(body)
        if match is None:
            raise ValueError(f"not a scalar macro: {text[:80]!r}")
        self.name = match.group(1).lower()
        self.params = [p.strip().lower() for p in match.group(2).split(",") if p.strip()]
        self.body = sqlglot.parse_one(match.group(3).strip().rstrip(";"), read="duckdb")

    def expand(self, call: exp.Anonymous) -> exp.Expression:
        args = dict(zip(self.params, call.expressions, strict=True))

        def put(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Column) and not node.table and node.name.lower() in args:
                return exp.paren(args[node.name.lower()].copy(), copy=False)
            return node

        return exp.paren(self.body.copy().transform(put), copy=False)


def _macros(names: tuple[str, ...]) -> dict[str, Macro]:
    found = {}
    for name in names:
        macro = Macro(load_sql(name))
        found[macro.name] = macro
    return found


@cache
def spark_sql(query: str, macro_files: tuple[str, ...], timestamp_params: tuple[str, ...] = ()) -> str:
    """``queries/<query>.sql`` as Spark SQL: the macros of ``macro_files`` (query names, e.g.
    ``macros/day_close``) expanded until none is left, ``$name`` parameters as Spark's ``:name``
    and those in ``timestamp_params`` read as TIMESTAMP_NTZ (they are bound as text, so that no
    time zone touches them)."""
    macros = _macros(macro_files)
    tree = sqlglot.parse_one(load_sql(query), read="duckdb")

    def expand(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() in macros:
            return macros[node.name.lower()].expand(node).transform(expand)
        if isinstance(node, exp.Placeholder) and node.name in timestamp_params:
            return exp.cast(node, exp.DataType.build("timestamp_ntz", dialect="spark"))
        return node

    return tree.transform(expand).sql(dialect="spark")


def _bind(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    return value


# Per session (a publish's own, from the process's one Spark context): every timestamp of the contract
# is wall-clock time without a zone, so UTC and TIMESTAMP_NTZ throughout, microseconds as DuckDB's.
_SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.shuffle.partitions": str(2 * (os.cpu_count() or 2)),
}


@cache
def _context(master: str) -> object:
    """The process's Spark session on ``master``, started once (a JVM start costs seconds) and stopped
    at exit; each publish works in a new session of it."""
    from pyspark.sql import SparkSession  # only the Spark engine needs it (and a JVM)

    builder = (
        SparkSession.builder.master(master)
        .appName("xiaoneng-publish")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("XIAONENG_SPARK_DRIVER_MEMORY", "4g"))
    )
    for key, value in _SESSION_CONF.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # pyspark reports a missing JVM or an unreachable master in several ways
        raise SparkUnavailable(f"Spark did not start at {master} (Java 17 is needed: `java -version`): {exc}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    atexit.register(spark.stop)
    return spark


@contextmanager
def session(master: str | None = None) -> Iterator[object]:
    """A Spark session for one publish (its own temporary views and settings), on ``master``, else
    ``XIAONENG_SPARK_MASTER``, else local[*]."""
    spark = _context(master or os.environ.get("XIAONENG_SPARK_MASTER") or DEFAULT_MASTER).newSession()
    for key, value in _SESSION_CONF.items():
        spark.conf.set(key, value)
    try:
        yield spark
    finally:
        for view in spark.catalog.listTables():
            spark.catalog.dropTempView(view.name)


def duckdb_schema(query: str, macro_files: tuple[str, ...], inputs: dict[str, pa.Schema],
                  params: dict[str, object]) -> pa.Schema:
    """The columns and types the DuckDB engine writes for ``query``: its answer over empty tables of
    the ``inputs`` schemas. The Spark engine's output is cast to it, so a snapshot's files have the
    same schema whichever engine built them (Spark orders a ``using`` join's columns differently,
    types a sum as bigint where DuckDB writes a double, and so on)."""
    con = duckdb.connect()
    try:
        for name, schema in inputs.items():
            con.register(name, schema.empty_table())
        for macro in macro_files:
            con.execute(load_sql(macro))
        sql = load_sql(query)
        answer = con.sql(sql, params={k: v for k, v in params.items() if f"${k}" in sql} or None)
        # as DuckDB's parquet writer types it (a hugeint sum becomes a double there, a decimal in arrow)
        with tempfile.TemporaryDirectory() as folder:
            answer.write_parquet(str(Path(folder) / "schema.parquet"))
            return pq.read_schema(Path(folder) / "schema.parquet")
    finally:
        con.close()


def _write(frame, path: Path, schema: pa.Schema, work: Path) -> int:
    """Write a Spark frame as the single parquet file ``path`` of ``schema`` (its part files merged in
    order, one row group of ROW_GROUP_ROWS at most in memory at a time); its row count."""
    parts_dir = work / path.stem
    frame.write.mode("overwrite").parquet(str(parts_dir))
    rows = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for part in sorted(parts_dir.glob("part-*.parquet")):
            for batch in pq.ParquetFile(part).iter_batches(batch_size=rollups.ROW_GROUP_ROWS):
                table = pa.Table.from_batches([batch]).select(schema.names).cast(schema)
                writer.write_table(table, row_group_size=rollups.ROW_GROUP_ROWS)
                rows += batch.num_rows
    shutil.rmtree(parts_dir)
    return rows


def publish_timing_and_rollups(staging: Path, raw_cases: Path, as_of: dt.datetime, snapshot_at: dt.datetime,
                               master: str | None = None) -> dict[str, int]:
    """In ``staging`` (holding items, ratings and calendar parquet already), write ``cases.parquet``
    — the raw cases of ``raw_cases`` with their timing, in (county, acceptance month) order — and
    ``rollups/<table>.parquet``; the rollups' row counts."""
    from pyspark.sql.functions import date_trunc

    work = staging / _SPARK_WORK
    work.mkdir()
    with session(master) as spark:
        spark.read.parquet(str(raw_cases)).createOrReplaceTempView("raw_cases")
        for name in ("items", "ratings", "calendar"):
            spark.read.parquet(str(staging / f"{name}.parquet")).createOrReplaceTempView(name)
        macros = tuple("macros/" + m for m in TIMING_MACROS)
        inputs = {name: pq.read_schema(staging / f"{name}.parquet") for name in ("items", "ratings", "calendar")}
        inputs["raw_cases"] = pq.read_schema(raw_cases)
        timed = spark.sql(spark_sql("cases_with_timing", macros, ("as_of",)), args={"as_of": _bind(as_of)})
        # cluster_cases' order; case_id within it, as Spark's sort is not stable
        clustered = timed.orderBy("county_code", date_trunc("month", "accepted_at"), "case_id")
        cases_schema = duckdb_schema("cases_with_timing", macros, inputs, {"as_of": as_of})
        _write(clustered, staging / "cases.parquet", cases_schema, work)
        spark.read.parquet(str(staging / "cases.parquet")).createOrReplaceTempView("cases")
        built = {"cases": cases_schema, "calendar": inputs["calendar"]}
        target = staging / rollups.ROLLUP_DIR
        target.mkdir()
        counts = {}
        for name, query in rollups.ROLLUP_QUERIES.items():
            sql = spark_sql(query, rollups.BUILD_MACROS, ("snapshot_at",))
            args = {"snapshot_at": _bind(snapshot_at)} if ":snapshot_at" in sql else {}
            path = target / f"{name}.parquet"
            built[name] = duckdb_schema(query, rollups.BUILD_MACROS, built, {"snapshot_at": snapshot_at})
            counts[name] = _write(spark.sql(sql, args=args), path, built[name], work)
            spark.read.parquet(str(path)).createOrReplaceTempView(name)
    shutil.rmtree(work)
    return counts

"""The Spark engine publishes the same snapshot as DuckDB (xiaoneng/spark_engine.py, issue 11).

Both engines publish the hand-counted fixture and a 100k demo city; every file of the two
snapshots — the tables and every rollup — holds the same rows (as sets: Spark's sort is not
stable within a (county, month)), the same columns in the same order and the same types, and the
dashboard's measures read from them are equal. Needs Java (OpenJDK 17; ``make test`` checks it).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot

from tests.handcount import AS_OF, fact_tables, reference_tables
from xiaoneng.cli import main
from xiaoneng.demo import build_demo_snapshot
from xiaoneng.filters import Filters, Period
from xiaoneng.metrics import SnapshotView, measures
from xiaoneng.paths import REPO_ROOT
from xiaoneng.reference import load_calendar_days
from xiaoneng.snapshots import SnapshotStore
from xiaoneng.spark_engine import Macro, spark_sql

DEMO_CASES = 100_000


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, SnapshotStore]:
    """Per engine, a store holding the fixture (``handcount``) and the demo city (``demo``)."""
    calendar_days = load_calendar_days(REPO_ROOT / "data" / "reference")
    built = {}
    for engine in ("duckdb", "spark"):
        store = SnapshotStore(tmp_path_factory.mktemp(engine) / "snapshots")
        store.publish("handcount", as_of=AS_OF, reference=reference_tables(), calendar_days=calendar_days,
                      facts=fact_tables(), producer="tests", engine=engine)
        build_demo_snapshot(store, "demo", cases=DEMO_CASES, engine=engine)
        built[engine] = store
    return built


def _unnullable(schema: pa.Schema) -> pa.Schema:
    # DuckDB's parquet writer marks group keys required; the flag is not data
    return pa.schema([field.with_nullable(True) for field in schema])


def _files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*.parquet"))


def _assert_same_snapshot(duck: Path, spark: Path) -> None:
    files = _files(duck)
    assert files == _files(spark)
    assert {"cases.parquet", "rollups/states.parquet", "rollups/state_checkpoints.parquet"} <= {str(f) for f in files}
    for name in files:
        ours, theirs = pq.read_table(duck / name), pq.read_table(spark / name)
        assert _unnullable(ours.schema) == _unnullable(theirs.schema), name
        assert ours.num_rows == theirs.num_rows, name
        keys = ours.column_names
        left = ours.to_pandas().sort_values(keys).reset_index(drop=True)
        right = theirs.to_pandas().sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_exact=True, obj=str(name))


@pytest.mark.parametrize("snapshot_id", ["handcount", "demo"])
def test_both_engines_write_the_same_tables(stores, snapshot_id):
    duck, spark = (stores[e].get(snapshot_id) for e in ("duckdb", "spark"))
    _assert_same_snapshot(duck.path, spark.path)
    assert (duck.manifest["engine"], spark.manifest["engine"]) == ("duckdb", "spark")
    if snapshot_id == "demo":
        assert pq.read_metadata(duck.path / "cases.parquet").num_rows > DEMO_CASES * 0.9


def test_the_ingest_command_publishes_with_spark(tmp_path, monkeypatch, stores):
    """``ingest --engine spark`` (the province's path): the README's first load, the same snapshot."""
    examples = REPO_ROOT / "mappings" / "examples"
    published = {}
    for engine in ("duckdb", "spark"):
        monkeypatch.setenv("XIAONENG_DATA", str(tmp_path / engine))
        code = main(["ingest", "--mapping", "chinese_export", "--snapshot", "2026-01", "--as-of", "2026-01-31",
                     "--reference", str(REPO_ROOT / "data" / "reference"), "--engine", engine,
                     str(examples / "办件_示例.csv"), str(examples / "好差评_示例.csv")])
        assert code == 0
        published[engine] = SnapshotStore(tmp_path / engine / "snapshots").get("2026-01")
    assert published["spark"].manifest["engine"] == "spark"
    assert published["spark"].manifest["row_counts"]["cases"] > 0
    _assert_same_snapshot(published["duckdb"].path, published["spark"].path)


def test_the_publish_command_publishes_parquet_with_spark(tmp_path, monkeypatch):
    """``publish --engine spark`` over a folder of the contract's parquet tables: the same snapshot."""
    folder = tmp_path / "load"
    assert main(["demo", "--cases", "3000", "--as-of", "2026-11-30", "--export", str(folder)]) == 0
    published = {}
    for engine in ("duckdb", "spark"):
        monkeypatch.setenv("XIAONENG_DATA", str(tmp_path / engine))
        assert main(["publish", "--snapshot", "2026-11", "--as-of", "2026-11-30", "--engine", engine,
                     "--reference", str(REPO_ROOT / "data" / "reference"), str(folder)]) == 0
        published[engine] = SnapshotStore(tmp_path / engine / "snapshots").get("2026-11")
    assert published["spark"].manifest["engine"] == "spark"
    _assert_same_snapshot(published["duckdb"].path, published["spark"].path)


def test_the_dashboard_reads_the_same_figures_from_either(stores):
    """Not vacuous: the measures differ by county, and both engines give each county's exactly."""
    frames = []
    for engine in ("duckdb", "spark"):
        view = SnapshotView(stores[engine].get("demo"))
        filters = Filters(Period.parse("2026-10"))
        frames.append(measures(view, filters, by="county"))
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)
    assert frames[0]["cases_accepted"].nunique() > 1


def test_a_macro_is_expanded_with_its_arguments_in_place():
    macro = Macro("-- why\ncreate or replace temp macro done_by(done_at, due_at) as\n"
                  "    coalesce(done_at < due_at, false)")
    call = sqlglot.parse_one("done_by(a + 1, b)", read="duckdb")
    assert macro.expand(call).sql() == "(COALESCE((a + 1) < (b), FALSE))"


def test_the_spark_sql_has_no_duckdb_macro_or_parameter_left():
    sql = spark_sql("rollups/completed_rated", ("macros/day_close", "macros/done_by", "rollups/moment"),
                    ("snapshot_at",))
    calls = {f.name.lower() for f in sqlglot.parse_one(sql, read="spark").find_all(sqlglot.exp.Anonymous)}
    assert not calls & {"rollup_moment", "day_close", "done_by"}, calls
    assert not any(isinstance(p, sqlglot.exp.Parameter) for p in sqlglot.parse_one(sql, read="spark").walk())
    assert "CAST(:snapshot_at AS TIMESTAMP_NTZ)" in sql

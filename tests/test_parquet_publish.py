"""``python -m xiaoneng publish``: a folder of the contract's parquet tables becomes a snapshot
(xiaoneng/parquet_publish.py); a table that does not conform refuses the whole publish."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from xiaoneng.cli import main
from xiaoneng.demo import build_demo_snapshot
from xiaoneng.paths import REPO_ROOT
from xiaoneng.snapshots import SnapshotStore

CASES = 3000


@pytest.fixture
def load(tmp_path):
    folder = tmp_path / "load"
    assert main(["demo", "--cases", str(CASES), "--as-of", "2026-11-30", "--export", str(folder)]) == 0
    return folder


def _publish(tmp_path, monkeypatch, folder, snapshot_id="2026-11") -> int:
    monkeypatch.setenv("XIAONENG_DATA", str(tmp_path / "data"))
    return main(["publish", "--snapshot", snapshot_id, "--as-of", "2026-11-30",
                 "--reference", str(REPO_ROOT / "data" / "reference"), str(folder)])


def test_the_exported_demo_publishes_as_the_demo_itself(tmp_path, monkeypatch, load):
    assert sorted(p.name for p in load.iterdir()) == [
        "case_steps.parquet", "cases.parquet", "ratings.parquet", "surveys.parquet", "tasks.parquet"]
    direct = build_demo_snapshot(SnapshotStore(tmp_path / "direct"), "demo", cases=CASES,
                                 as_of=dt.date(2026, 11, 30))
    assert _publish(tmp_path, monkeypatch, load) == 0
    published = SnapshotStore(tmp_path / "data" / "snapshots").get("2026-11")
    assert published.manifest["producer"] == "xiaoneng publish"
    assert published.row_counts == direct.row_counts
    assert published.row_counts["cases"] > CASES * 0.9
    for name in ("cases.parquet", "rollups/states.parquet", "ratings.parquet"):
        assert pq.read_table(published.path / name).equals(pq.read_table(direct.path / name)), name


def test_a_column_that_does_not_conform_refuses_the_publish(tmp_path, monkeypatch, load, capsys):
    cases = pq.read_table(load / "cases.parquet")
    index = cases.column_names.index("accepted_at")
    texts = cases.column("accepted_at").cast(pa.string()).to_pylist()
    texts[7] = "2026-02-30 09:00"  # no such day
    pq.write_table(cases.set_column(index, "accepted_at", pa.array(texts)), load / "cases.parquet")
    assert _publish(tmp_path, monkeypatch, load) == 1
    error = capsys.readouterr().err
    assert "cases: column accepted_at (string) cannot be read as timestamp[us]" in error
    snapshots = tmp_path / "data" / "snapshots"
    assert not SnapshotStore(snapshots).exists("2026-11")
    assert not snapshots.exists() or [p.name for p in snapshots.iterdir() if p.name.startswith(".staging")] == []


def test_missing_cases_and_stray_files_are_refused(tmp_path, monkeypatch, load, capsys):
    (load / "cases.parquet").rename(load / "cases_2026.parquet")
    assert _publish(tmp_path, monkeypatch, load) == 1
    assert "cases.parquet: not found (the cases are required)" in capsys.readouterr().err
    (load / "cases_2026.parquet").rename(load / "cases.parquet")
    pq.write_table(pa.table({"x": [1]}), load / "notes.parquet")
    assert _publish(tmp_path, monkeypatch, load) == 1
    assert "files that are no table of the contract: notes.parquet" in capsys.readouterr().err

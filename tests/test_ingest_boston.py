"""The whole Boston 311 export (real data, 121,145 rows) through mappings/boston311.yaml.

The city's own verdict (OnTime_Status) is the ground truth: for closed cases it is ONTIME exactly
when CLOSED_DT <= TARGET_DT or TARGET_DT is blank. Our on-time rate per department, computed
through the query layer from the published snapshot, must equal the city's share of ONTIME among
its closed rows (less the 197 rows that were closed before they were opened, which the ingest
quarantines).
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pandas as pd
import pytest

from xiaoneng.filters import Filters, Period
from xiaoneng.ingest import run_ingest
from xiaoneng.paths import MAPPINGS_DIR, QUERIES_DIR
from xiaoneng.queries import QueryLayer
from xiaoneng.snapshots import SnapshotStore

BOSTON = Path("/work/shared/realdata/boston311_2015_combined.csv.gz")
US_FORMAT = "%m/%d/%Y %I:%M:%S %p"

pytestmark = pytest.mark.skipif(not BOSTON.is_file(), reason="the Boston 311 export is not available")


@pytest.fixture(scope="module")
def boston(tmp_path_factory):
    store = SnapshotStore(tmp_path_factory.mktemp("boston") / "snapshots")
    started = time.perf_counter()
    result = run_ingest(MAPPINGS_DIR / "boston311.yaml", [BOSTON], "boston311-2015", store=store)
    result.seconds = time.perf_counter() - started
    return result


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The export as the city wrote it, read independently of the ingest."""
    frame = pd.read_csv(BOSTON, dtype=str, keep_default_na=False)
    frame["line"] = range(2, len(frame) + 2)  # no quoted line breaks in this file: record i is on line i + 2
    for column in ("OPEN_DT", "TARGET_DT", "CLOSED_DT"):
        frame[column + "_ts"] = pd.to_datetime(frame[column], format=US_FORMAT, errors="coerce")
    frame["closed_before_opened"] = frame["CLOSED_DT_ts"] < frame["OPEN_DT_ts"]
    return frame


def city_on_time(raw: pd.DataFrame) -> pd.DataFrame:
    closed = raw[(raw["CASE_STATUS"] == "Closed") & ~raw["closed_before_opened"]]
    grouped = closed.groupby("Department")["OnTime_Status"]
    on_time = grouped.agg(lambda s: (s == "ONTIME").sum())
    return pd.DataFrame({"completed": grouped.size(), "completed_on_time": on_time})


def test_publishes_with_the_closed_before_opened_rows_quarantined(boston, raw):
    assert boston.published is not None, boston.summary()
    assert boston.refused_reason is None and boston.exit_code == 0
    assert boston.tables["cases"].read == len(raw) == 121_145
    assert boston.tables["cases"].rejected == 197 == int(raw["closed_before_opened"].sum())
    assert boston.tables["cases"].kept == 121_145 - 197
    assert boston.reason_counts == {"completed_after_accepted": 197}
    assert {r.code for r in boston.rejects} == {"completed_after_accepted"}
    assert {r.column for r in boston.rejects} == {"completed_at"}
    assert sorted(r.line for r in boston.rejects) == sorted(raw.loc[raw["closed_before_opened"], "line"])
    assert all(r.reason.startswith("办结时间早于受理时间：") and "(completed before accepted:" in r.reason
               for r in boston.rejects)
    assert 0.0015 < boston.reject_rate < 0.0017  # under the 1 % default threshold
    manifest = boston.published.manifest
    assert manifest["as_of"] == "2016-01-13T00:00:00"
    assert manifest["row_counts"]["cases"] == 120_948
    assert manifest["row_counts"]["counties"] == 10 and manifest["row_counts"]["departments"] == 17
    assert manifest["row_counts"]["items"] == 158
    assert manifest["cases_outside_calendar"] == 0
    assert manifest["sources"][0]["file"] == BOSTON.name


def test_quarantine_holds_the_197_rows(boston):
    rows = list(csv.DictReader(io.StringIO((boston.published.path / "quarantine.csv").read_text("utf-8-sig"))))
    assert len(rows) == 197
    assert {(r["file"], r["table"], r["column"], r["source_column"], r["reason_code"]) for r in rows} == {
        (BOSTON.name, "cases", "completed_at", "CLOSED_DT", "completed_after_accepted")}


def test_mapped_values(boston, raw):
    cases = pd.read_parquet(boston.published.table_path("cases"))
    kept = raw[~raw["closed_before_opened"]]
    assert sorted(cases["county_code"].unique()) == ["D00", *[f"D{i:02d}" for i in range(1, 10)]]
    blank_or_zero = kept["city_council_district"].isin(["", "0.0"]).sum()
    assert (cases["county_code"] == "D00").sum() == blank_or_zero
    assert cases["channel"].value_counts().to_dict() == {
        "window": int(kept["Source"].isin(["Constituent Call", "Employee Generated"]).sum()),
        "mobile": int(kept["Source"].isin(["Citizens Connect App", "City Worker App"]).sum()),
        "online": int(kept["Source"].isin(["Self Service", "Twitter", "Maximo Integration"]).sum()),
    }
    assert cases["status"].value_counts().to_dict() == {
        "completed": int((kept["CASE_STATUS"] == "Closed").sum()),
        "in_progress": int((kept["CASE_STATUS"] == "Open").sum()),
    }
    assert (cases["deadline_source"] == "none").sum() == (kept["TARGET_DT"] == "").sum()


def test_on_time_per_department_from_the_parquet(boston, raw):
    """Our side alone: the published cases.parquet against the city's verdict."""
    cases = pd.read_parquet(boston.published.table_path("cases"), columns=["dept_code", "is_completed", "on_time"])
    completed = cases[cases["is_completed"]]
    ours = completed.groupby("dept_code").agg(completed=("on_time", "size"), completed_on_time=("on_time", "sum"))
    expected = city_on_time(raw)
    pd.testing.assert_frame_equal(ours.sort_index(), expected.sort_index(), check_names=False, check_dtype=False)


def test_open_cases_overdue_at_as_of_match_the_city(boston, raw):
    """as_of 2016-01-13T00:00 reproduces the city's verdict on every open case it gave one (71 have none)."""
    cases = pd.read_parquet(boston.published.table_path("cases"), columns=["case_id", "status", "deadline_at"])
    open_cases = cases[cases["status"] == "in_progress"].set_index("case_id")
    judged = (raw["CASE_STATUS"] == "Open") & (raw["TARGET_DT"] != "") & (raw["OnTime_Status"] != "")
    city = raw[judged].set_index("CASE_ENQUIRY_ID")
    assert len(city) == 14_875
    overdue = open_cases.loc[city.index, "deadline_at"] < boston.published.as_of
    assert (overdue == (city["OnTime_Status"] == "OVERDUE")).all()


@pytest.mark.skipif(not (QUERIES_DIR / "indicator_measures.sql").is_file(), reason="indicator_measures.sql missing")
def test_on_time_per_department_through_the_query_layer(boston, raw):
    info = boston.published
    period = Period.parse("2015-01-01..2016-12-31")
    result = QueryLayer(info.path).run("indicator_measures", Filters(period), by_county=False, by_dept=True,
                                       **period.bounds(info.as_of))
    ours = result.set_index("dept_code")[["completed", "completed_on_time"]].astype("int64")
    ours = ours[ours["completed"] > 0]  # HS_V, HS_D have only open cases
    expected = city_on_time(raw).astype("int64")
    pd.testing.assert_frame_equal(ours.sort_index(), expected.sort_index(), check_names=False)
    rate = ours["completed_on_time"].sum() / ours["completed"].sum()
    city = (raw.loc[(raw["CASE_STATUS"] == "Closed") & ~raw["closed_before_opened"], "OnTime_Status"] == "ONTIME")
    assert rate == pytest.approx(city.mean(), abs=1e-12)


def test_ingest_time(boston):
    assert boston.seconds < 60, f"the Boston ingest took {boston.seconds:.1f} s"

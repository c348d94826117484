"""Issue 10, crashes and messages: zones, composite duplicates, the file's own values in messages, one
report per bad source value, the calendar actually used, untimed cases, workbooks named .csv, .xls,
and the reject threshold per table. Every file is written here, small, and every count is exact."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.ingest_corpus import (
    AS_OF,
    CASE_HEADER,
    CHINESE_MAPPING,
    EXAMPLE_CASES,
    case_row,
    contract_header,
    ingest_fixtures,
    store_state,
    write_cases,
    write_csv,
    write_xlsx,
)
from xiaoneng.ingest import load_mapping, run_ingest
from xiaoneng.ingest.mapping import MappingError, mapping_from_dict
from xiaoneng.paths import MAPPINGS_DIR

EXAMPLE_XLS = MAPPINGS_DIR / "examples" / "好差评_示例.xls"


ref, store, run = ingest_fixtures(AS_OF)


def cases_mapping(**changes) -> dict:
    """The Chinese export's cases input as a dict, with ``changes`` (a mapping to edit in a test)."""
    import yaml

    raw = yaml.safe_load(CHINESE_MAPPING.read_text(encoding="utf-8"))
    cases = raw["inputs"][0]
    cases.update(changes)
    return {"name": "cases", "inputs": [cases]}


def cases_of(result):
    return pq.read_table(result.published.table_path("cases")).to_pandas().set_index("case_id")


# -- time zones ------------------------------------------------------------------------------------


def test_an_offset_format_is_converted_to_local_time(tmp_path, run):
    """`%z` ended the ingest with a pandas TypeError; now '+00' is UTC, converted to Asia/Shanghai."""
    path = write_cases(tmp_path / "办件.csv", 3, changes={
        1: {"申请时间": "2026-01-06 01:00:00+00", "受理时间": "2026-01-06 01:30:00+00",
            "办结时间": "2026-01-08 07:00:00+00"},
        2: {"受理时间": "2026-01-07 09:30:00+08:00"},  # an offset of its own: already local
        3: {"受理时间": "2026-01-08 25:30:00+00"},  # impossible: rejected, no traceback
    })
    formats = ["%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S"]
    mapping = mapping_from_dict(cases_mapping(datetime_formats={"*": formats}))
    result = run([path], mapping=mapping)
    assert result.ok, result.summary()
    assert [(r.line, r.column, r.code) for r in result.rejects] == [(4, "accepted_at", "bad_datetime")]
    assert "'2026-01-08 25:30:00+00'" in result.rejects[0].reason
    table = cases_of(result)
    assert table.loc["BJ2026000001", "received_at"] == dt.datetime(2026, 1, 6, 9, 0)
    assert table.loc["BJ2026000001", "accepted_at"] == dt.datetime(2026, 1, 6, 9, 30)
    assert table.loc["BJ2026000001", "completed_at"] == dt.datetime(2026, 1, 8, 15, 0)
    assert table.loc["BJ2026000002", "accepted_at"] == dt.datetime(2026, 1, 7, 9, 30)
    assert result.tables["cases"].kept == 2


def test_a_utc_source_without_offsets_is_converted_and_bare_dates_are_not(tmp_path, run):
    path = write_cases(tmp_path / "办件.csv", 2, changes={
        1: {"申请时间": "2026-01-06 16:10:00", "受理时间": "2026-01-06 16:30:00", "办结时间": "2026-01-08 02:00:00",
            "承诺办结时间": "2026-01-13"},
        2: {"申请时间": "2026-01-07T01:00:00Z", "受理时间": "2026-01-07T01:30:00Z"},  # ISO with Z: a fallback format
    })
    mapping = mapping_from_dict(cases_mapping(source_timezone="UTC"))
    result = run([path], mapping=mapping)
    assert result.ok and result.rows_rejected == 0, result.summary()
    table = cases_of(result)
    assert table.loc["BJ2026000001", "accepted_at"] == dt.datetime(2026, 1, 7, 0, 30)  # 16:30 UTC = 00:30 next day
    assert table.loc["BJ2026000001", "completed_at"] == dt.datetime(2026, 1, 8, 10, 0)
    # a bare-date deadline is a day, not an instant: still the close of 13 January
    assert table.loc["BJ2026000001", "deadline_at"] == dt.datetime(2026, 1, 13, 23, 59, 59, 999999)
    assert table.loc["BJ2026000002", "accepted_at"] == dt.datetime(2026, 1, 7, 9, 30)


def test_an_order_message_shows_the_file_value_and_the_converted_one(tmp_path, run):
    path = write_cases(tmp_path / "办件.csv", 2, changes={
        1: {"受理时间": "2026-01-06 16:30:00", "办结时间": "2026-01-06 10:00:00", "申请时间": ""}})
    result = run([path], mapping=mapping_from_dict(cases_mapping(source_timezone="UTC")))
    (reject,) = result.rejects
    assert reject.code == "completed_after_accepted"
    assert "2026-01-06 10:00:00（= 2026-01-06 18:00:00）" in reject.reason
    assert "2026-01-06 16:30:00（= 2026-01-07 00:30:00）" in reject.reason


def test_unknown_time_zone_is_a_mapping_error():
    with pytest.raises(MappingError, match="unknown time zone"):
        mapping_from_dict(cases_mapping(source_timezone="Mars/Olympus"))


# -- composite keys --------------------------------------------------------------------------------


def test_composite_duplicates_are_quarantined_row_by_row(tmp_path, run, store):
    """(response_id, dimension) twice: both rows rejected with file and line; the rest publishes."""
    cases = write_cases(tmp_path / "办件.csv", 2)
    surveys = write_csv(tmp_path / "surveys.csv", contract_header("surveys"), [
        ["R1", "2026H1", "群众", "C01", "D01", "服务态度", "5"],
        ["R1", "2026H1", "群众", "C01", "D01", "办事效率", "4"],
        ["R1", "2026H1", "群众", "C01", "D01", "服务态度", "3"],
        ["R2", "2026H1", "企业", "C02", "D02", "服务态度", "4"],
    ])
    mapping = load_mapping(CHINESE_MAPPING)
    raw = cases_mapping()
    raw["inputs"].append({"name": "测评", "files": ["surveys*.csv"], "table": "surveys"})
    result = run([cases, surveys], mapping=mapping_from_dict(raw))
    assert mapping.inputs  # the shipped mapping is untouched
    assert result.ok, result.summary()
    got = [(r.file, r.line, r.column, r.code) for r in result.rejects]
    assert got == [("surveys.csv", 2, "response_id", "duplicate_key"), ("surveys.csv", 4, "response_id",
                                                                          "duplicate_key")]
    assert "('R1', '服务态度') 重复出现，另见 第 4 行" in result.rejects[0].reason
    assert result.published.row_counts["surveys"] == 2
    assert result.tables["surveys"].rejected == 2


def test_composite_duplicate_steps_across_two_files_name_the_other_file(tmp_path, run):
    cases = write_cases(tmp_path / "cases.csv", 2)
    header = contract_header("case_steps")
    a = write_csv(tmp_path / "steps_a.csv", header, [
        ["BJ2026000001", "1", "受理", "P01", "U1", "2026-01-06 09:30:00", "2026-01-06 10:00:00", "1"]])
    b = write_csv(tmp_path / "steps_b.csv", header, [
        ["BJ2026000001", "1", "受理", "P01", "U1", "2026-01-06 09:30:00", "2026-01-06 10:00:00", "1"],
        ["BJ2026000001", "2", "审查", "P02", "U2", "2026-01-06 10:00:00", "", "2"]])
    raw = cases_mapping(files=["cases*.csv"])
    raw["inputs"].append({"name": "环节", "files": ["steps*.csv"], "table": "case_steps"})
    result = run([cases, a, b], mapping=mapping_from_dict(raw))
    assert [(r.file, r.line) for r in result.rejects] == [("steps_a.csv", 2), ("steps_b.csv", 2)]
    assert "('BJ2026000001', '1') 重复出现，另见 steps_b.csv:2" in result.rejects[0].reason
    assert result.published.row_counts["case_steps"] == 1


# -- the file's own values ---------------------------------------------------------------------------


def test_a_status_message_shows_the_files_status(tmp_path, run):
    raw = cases_mapping()
    raw["inputs"][0]["values"]["status"]["Assigned"] = "in_progress"
    path = write_cases(tmp_path / "办件.csv", 3, changes={2: {"办件状态": "Assigned"}})
    result = run([path], mapping=mapping_from_dict(raw))
    (reject,) = result.rejects
    assert (reject.line, reject.code) == (3, "status_matches_completion")
    assert "状态为 'Assigned' → 'in_progress'（未办结）" in reject.reason
    assert "status is 'Assigned' → 'in_progress' (open)" in reject.reason


def test_one_bad_value_feeding_two_columns_is_reported_once(tmp_path, run):
    """Like Boston's OPEN_DT → received_at and accepted_at: one record, naming the other column."""
    raw = cases_mapping()
    raw["inputs"][0]["columns"]["received_at"] = "受理时间"
    path = write_cases(tmp_path / "办件.csv", 4, changes={3: {"受理时间": "2026-01-32 09:00:00"}})
    result = run([path], mapping=mapping_from_dict(raw))
    (reject,) = result.rejects
    assert (reject.line, reject.column, reject.code) == (4, "received_at", "bad_datetime")
    assert "受理时间 同时用于 accepted_at / 受理时间 also feeds accepted_at" in reject.reason
    assert result.reason_counts == {"bad_datetime": 1} and result.tables["cases"].kept == 3
    assert result.quarantine_csv.decode("utf-8-sig").count("\r\n") == 2  # header + one record


# -- the calendar ------------------------------------------------------------------------------------


def _calendar_2026(tmp_path) -> Path:
    return write_csv(tmp_path / "工作日历.csv", ["日期", "类型", "节日"], [["2026-01-01", "节假日", "元旦"]])


def test_cases_the_calendar_cannot_time_refuse_the_load_naming_the_calendar_used(tmp_path, run, store):
    calendar = _calendar_2026(tmp_path)
    late = {i: {"申请时间": "2027-01-05 09:00:00", "受理时间": "2027-01-05 09:30:00",
                "办结时间": "2027-01-07 15:00:00", "承诺办结时间": ""} for i in range(1, 8)}
    path = write_cases(tmp_path / "办件.csv", 10, changes=late)
    result = run([calendar, path], as_of="2027-02-28", reject_threshold=0.01)  # the cases' threshold applies
    assert result.exit_code == 1 and result.published is None
    assert "7 件办件（占 70.00%）的日期超出所用工作日历（工作日历.csv，覆盖 2026-01-01 至 2026-12-31）" in \
        result.refused_reason
    assert "data/reference" not in result.refused_reason and "--accept-untimed" in result.refused_reason
    assert result.timing["outside_calendar"] == 7
    assert store_state(store.root) == {}
    forced = run([calendar, path], as_of="2027-02-28", reject_threshold=0.01, accept_untimed=True)
    assert forced.ok and forced.published.manifest["cases_outside_calendar"] == 7
    assert forced.published.manifest["report"]["accepted_untimed"] is True
    assert any("--accept-untimed" in w for w in forced.warnings)


def test_a_few_untimed_cases_warn_and_the_calendar_end_is_flagged(tmp_path, run, ref):
    path = write_cases(tmp_path / "办件.csv", 200, changes={
        1: {"办件状态": "在办", "办结时间": "", "承诺办结时间": "2027-01-20 17:30:00"},
        2: {"办件状态": "在办", "办结时间": "", "承诺办结时间": "", "受理时间": "2026-12-30 09:30:00",
            "申请时间": "2026-12-30 09:00:00"},
    })
    result = run([path], as_of="2026-12-31", reject_threshold=0.01)
    assert result.ok, result.summary()
    text = "\n".join(result.warnings)
    calendar = str(ref / "calendar.csv")
    # case 2's derived deadline (5 working days after 30 December) falls beyond 2026: untimed
    assert f"1 件办件（占 0.50%）的日期超出所用工作日历（{calendar}" in text
    assert "1 件办件的承诺办结时间晚于工作日历的最后一天 2026-12-31（其中在办 1 件），提前办结率不计这些办件" in text
    assert "工作日历只到 2026-12-31，距截至日期仅 0 天" in text and "add-year 2027" in text


def test_the_mapping_s_own_calendar_is_named(tmp_path, store, ref):
    calendar = write_csv(tmp_path / "cal" / "mycal.csv", ["date", "day_kind", "name_zh"],
                         [["2026-01-01", "holiday", "元旦"]])
    raw = cases_mapping()
    mapping_file = tmp_path / "m.yaml"
    import yaml

    raw["reference"] = {"calendar": "cal/mycal.csv"}
    mapping_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    path = write_cases(tmp_path / "办件.csv", 3)
    result = run_ingest(mapping_file, [path], "s1", as_of="2026-11-30", store=store, reference_dir=ref)
    assert result.ok, result.summary()
    assert result.calendar_source == str(calendar)
    assert any(str(calendar) in w and "距截至日期仅 31 天" in w for w in result.warnings)


# -- workbooks ---------------------------------------------------------------------------------------


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path, run):
    book = write_xlsx(tmp_path / "book.xlsx", {"办件": [CASE_HEADER, *[case_row(i) for i in range(1, 5)]]})
    renamed = tmp_path / "办件_导出.csv"
    shutil.copy(book, renamed)
    result = run([renamed])
    assert result.ok and result.tables["cases"].kept == 4, result.summary()
    assert result.files[0].sheet == "办件"
    assert any("办件_导出.csv 实际是 Excel 工作簿（xlsx），已按工作簿读取" in w for w in result.warnings)


def test_an_xls_workbook_is_read_through_calamine(run):
    result = run([EXAMPLE_CASES, EXAMPLE_XLS], as_of="2026-01-31")
    assert result.ok and result.rows_rejected == 0, result.summary()
    assert result.files[1].sheet == "好差评明细" and result.tables["ratings"].kept == 6
    ratings = pq.read_table(result.published.table_path("ratings")).to_pandas().set_index("rating_id")
    assert ratings.loc["PJ0002", "rectified_at"] == dt.datetime(2026, 1, 16, 15, 0)  # a date cell
    assert ratings.loc["PJ0002", "revisit_score"] == 4 and ratings.loc["PJ0004", "channel"] == "hotline"
    assert "好差评_示例.xls → ratings（好差评）: 读取 6 行，保留 6，隔离 0" in result.summary()


def test_a_damaged_workbook_is_refused_without_a_traceback(tmp_path, run):
    path = tmp_path / "办件.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    result = run([path])
    assert result.exit_code == 1 and "办件.xlsx" in result.refused_reason


# -- the threshold applies per table ---------------------------------------------------------------


def test_a_survey_losing_a_quarter_of_its_rows_is_refused_whatever_travels_with_it(tmp_path, run, store):
    cases = write_cases(tmp_path / "办件.csv", 300)
    rows = [[f"R{i}", "2026H1", "群众", "C01", "D01", "服务态度", "5" if i % 4 else "9"] for i in range(1, 13)]
    surveys = write_csv(tmp_path / "surveys.csv", contract_header("surveys"), rows)
    raw = cases_mapping()
    raw["inputs"].append({"name": "测评", "files": ["surveys*.csv"], "table": "surveys"})
    result = run([cases, surveys], mapping=mapping_from_dict(raw), reject_threshold=0.01)
    # 3 of 312 rows is 0.96 % of the load, but 25 % of the survey
    assert result.exit_code == 1
    assert "surveys（满意度测评）隔离行占 25.00%（3 / 12），超过阈值 1%" in result.refused_reason
    assert "cases" not in result.refused_reason.split("(")[0]
    assert "  surveys（满意度测评）: 读取 12，保留 9，隔离 3 = 25.00%，阈值 1%，超过阈值 (over the threshold)" \
        in result.summary()
    assert "  cases（办件）: 读取 300，保留 300，隔离 0 = 0.00%，阈值 1% " in result.summary()
    assert store_state(store.root) == {}
    raw["reject_threshold"] = {"surveys": "30%"}
    ok = run([cases, surveys], mapping=mapping_from_dict(raw), reject_threshold=0.01)
    assert ok.ok and ok.published.row_counts["surveys"] == 9
    assert ok.published.manifest["report"]["tables"]["surveys"]["threshold"] == 0.3

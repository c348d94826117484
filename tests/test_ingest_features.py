"""Issue 10, what a mapping can now say, and loads on top of a snapshot (--base): joined columns,
generated ids, zones, the source's own verdict, skipped rows, a wide survey with its dimensions and
groups from reference tables, survey-only and ratings-only loads. Exact counts and report lines."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
import pytest

from tests.ingest_corpus import (
    CHINESE_MAPPING,
    EXAMPLE_CASES,
    EXAMPLE_RATINGS,
    RATING_HEADER,
    ingest_fixtures,
    rating_row,
    store_state,
    write_cases,
    write_csv,
)
from xiaoneng.ingest import IngestResult
from xiaoneng.ingest.mapping import MappingError, mapping_from_dict
from xiaoneng.paths import MAPPINGS_DIR

EXAMPLES = MAPPINGS_DIR / "examples"
WIDE_SURVEY = EXAMPLES / "满意度测评_2026H1_示例.csv"
UTC_EXPORT = EXAMPLES / "utc_export_示例.csv"


ref, store, run = ingest_fixtures("2026-01-31", reject_threshold=None)


def chinese_cases_input() -> dict:
    import yaml

    return yaml.safe_load(CHINESE_MAPPING.read_text(encoding="utf-8"))["inputs"][0]


def table(result, name):
    return pq.read_table(result.published.table_path(name)).to_pandas()


# -- a UTC export with joined columns and its own verdict -----------------------------------------------


def test_utc_export_with_joined_columns_and_its_own_verdict(run):
    result = run([UTC_EXPORT], mapping="utc_export")
    assert result.ok and result.rows_rejected == 0, result.summary()
    cases = table(result, "cases").set_index("case_id")
    assert sorted(cases.index) == [f"{o}-{n}" for o, n in [("A", 1001), ("A", 1002), ("A", 1003), ("B", 1004),
                                                           ("B", 1005), ("B", 1006), ("B", 1007)]]
    assert cases.loc["A-1001", "accepted_at"] == dt.datetime(2026, 1, 5, 9, 30)  # 01:30 UTC
    assert cases.loc["B-1005", "accepted_at"] == dt.datetime(2026, 1, 7, 0, 30)  # 16:30 UTC the day before
    assert cases.loc["A-1002", "completed_at"] == dt.datetime(2026, 1, 9, 20, 30)  # …T12:30:00Z
    assert cases.loc["A-1002", "deadline_at"] == dt.datetime(2026, 1, 9, 23, 59, 59, 999999)
    # our verdict beside the source's
    assert bool(cases.loc["A-1002", "on_time"]) and not cases.loc["A-1002", "source_on_time"]
    assert not cases.loc["B-1005", "on_time"] and cases.loc["B-1005", "source_on_time"]
    assert result.verdict == {"compared": 5, "agree": 3, "disagree": 2, "source_on_time_ours_late": 1,
                              "source_late_ours_on_time": 1, "not_compared": 1}
    assert result.published.manifest["report"]["source_verdict"] == result.verdict
    text = result.summary()
    assert ("源系统按时判定对比 (source verdict vs ours, completed cases): 可比 5，一致 3，不一致 2（源系统按时、"
            "本系统超期 1；源系统超期、本系统按时 1），无法比较 1") in text
    assert "utc_export_示例.csv → cases（办件）: 读取 8 行，保留 7，隔离 0，跳过 1" in text
    assert "    跳过 (skipped) 测试数据 (test rows): 1" in text
    assert result.files[0].skipped == {"测试数据 (test rows)": 1}
    assert result.published.row_counts["cases"] == 7


def test_a_join_with_a_blank_part_keeps_the_other_and_a_missing_header_refuses(tmp_path, run):
    header = ["系统", "编号", "county_code", "dept_code", "channel", "日期", "时间", "score"]
    path = write_csv(tmp_path / "r.csv", header, [
        ["X", "1", "C01", "D01", "window", "2026-01-10", "10:15", "5"],
        ["X", "2", "C01", "D01", "window", "2026-01-11", "", "4"],  # date only: midnight
        ["X", "3", "C01", "D01", "window", "2026-01-12", "25:00", "4"],
    ])
    cases = write_cases(tmp_path / "办件.csv", 1)
    both = mapping_from_dict({"inputs": [
        chinese_cases_input(),
        {"files": ["r.csv"], "table": "ratings", "columns": {
            "rating_id": {"join": ["系统", "编号"], "sep": "/"}, "rated_at": {"join": ["日期", "时间"]}}}]})
    result = run([cases, path], mapping=both, reject_threshold=0.5)
    assert result.ok, result.summary()
    ratings = table(result, "ratings").set_index("rating_id")
    assert sorted(ratings.index) == ["X/1", "X/2"]
    assert ratings.loc["X/1", "rated_at"] == dt.datetime(2026, 1, 10, 10, 15)
    assert ratings.loc["X/2", "rated_at"] == dt.datetime(2026, 1, 11)
    (reject,) = result.rejects
    assert (reject.line, reject.column, reject.source_column, reject.value) == (4, "rated_at", "日期+时间",
                                                                                "2026-01-12 25:00")
    lacking = write_csv(tmp_path / "x" / "r.csv", ["系统", "county_code"], [["X", "C01"]])
    refused = run([cases, lacking], mapping=both, snapshot="s2")
    assert refused.exit_code == 1 and "编号" in refused.refused_reason and "rating_id" in refused.refused_reason


@pytest.mark.parametrize("raw, fragment", [
    ({"columns": {"case_id": {"join": ["a"]}}}, "at least two"),
    ({"columns": {"case_id": {"generate": "uuid"}}}, "generate"),
    ({"skip": [{"rule": "x", "header": "a"}]}, "exactly one of"),
    ({"skip": [{"header": "a", "values": ["b"]}]}, "needs a name"),
    ({"mode": "upsert"}, "mode"),
    ({"unpivot": {"columns": ["a"], "name_column": "status"}}, "value_column"),
    ({"accepted": {"channel": ["x"]}}, "leaves open"),
])
def test_mapping_errors_for_the_new_keys(raw, fragment):
    with pytest.raises(MappingError, match=fragment):
        mapping_from_dict({"inputs": [{"files": ["*.csv"], "table": "cases", **raw}]})


def test_generated_ids_by_line_and_by_hash(tmp_path, run):
    header = ["county_code", "dept_code", "channel", "rated_at", "score"]
    rows = [["C01", "D01", "window", "2026-01-10 10:00:00", "5"], ["C02", "D01", "online", "2026-01-11 10:00:00", "4"]]
    path = write_csv(tmp_path / "好差评_无编号.csv", header, rows)
    cases = write_cases(tmp_path / "办件.csv", 1)
    for kind, expected in (("line", ["好差评_无编号:2", "好差评_无编号:3"]), ("hash", None)):
        ratings = {"files": ["*好差评*.csv"], "table": "ratings", "columns": {"rating_id": {"generate": kind}}}
        raw = {"inputs": [chinese_cases_input(), ratings]}
        result = run([cases, path], mapping=mapping_from_dict(raw), snapshot=f"gen-{kind}")
        assert result.ok and result.rows_rejected == 0, result.summary()
        ids = table(result, "ratings")["rating_id"].tolist()
        if expected:
            assert ids == expected
        else:
            assert len(set(ids)) == 2 and all(i.startswith("好差评_无编号:") and len(i) == len("好差评_无编号:") + 16
                                              for i in ids)
    assert result.files[1].file == "好差评_无编号.csv"


# -- a wide survey, dimensions and groups from reference tables, on the current snapshot ---------------


def _base(run, snapshot="2026-01") -> IngestResult:
    base = run([EXAMPLE_CASES, EXAMPLE_RATINGS], snapshot=snapshot)
    assert base.ok and base.rows_rejected == 0, base.summary()
    return base


def test_a_survey_wave_alone_needs_a_base(run):
    result = run([WIDE_SURVEY], mapping="survey_wide", as_of="2026-06-30")
    assert result.exit_code == 1 and "--base" in result.refused_reason


def test_a_wide_survey_wave_on_the_current_snapshot(run, store):
    base = _base(run)
    before = store_state(base.published.path)
    result = run([WIDE_SURVEY], mapping="survey_wide", snapshot="2026-01-survey", as_of="2026-06-30",
                 base="2026-01")
    assert result.ok, result.summary()
    # 6 respondents × 4 questions = 24 answers; the test respondent's 4, one 不了解 and one blank answer
    # are left out on purpose, one score 9 is rejected: 17 published
    survey = result.tables["surveys"]
    assert (survey.read, survey.kept, survey.rejected, survey.skipped) == (24, 17, 1, 6)
    assert result.files[0].skipped == {"空白答案 (blank answer)": 1, "测试数据": 4, "不了解（不计分）": 1}
    (reject,) = result.rejects
    assert (reject.line, reject.column, reject.code, reject.value) == (6, "score", "out_of_range", "9")
    assert reject.source_column == "Q2 办事效率"  # the question, not the unpivot's 答案
    assert "满意度测评_2026H1_示例.csv 第 6 行 (line 6) Q2 办事效率: 数值超出范围：9 不在 1–5 之内" in result.summary()
    text = result.summary()
    assert "满意度测评_2026H1_示例.csv → surveys（满意度测评）: 读取 24 行，保留 17，隔离 1，跳过 6" in text
    assert "  surveys（满意度测评）: 读取 24，保留 17，隔离 1，跳过 6 = 5.56%，阈值 10% (read 24" in text
    rows = table(result, "surveys")
    assert set(rows["dimension"]) == {"服务态度", "办事效率", "依法行政", "数字服务"}  # 数字服务: from 测评维度.csv
    assert set(rows["respondent_group"]) == {"群众", "企业", "新就业群体"}  # 市民 → 群众 by 测评群体.csv
    assert rows.groupby("response_id").size().to_dict() == {"2026H1-2": 4, "2026H1-3": 3, "2026H1-4": 3,
                                                            "2026H1-5": 4, "2026H1-6": 3}
    # everything else is the base's, unchanged; the base itself is untouched
    counts = result.published.row_counts
    assert (counts["cases"], counts["ratings"], counts["surveys"]) == (20, 6, 17)
    assert store_state(base.published.path) == before
    manifest = result.published.manifest
    assert manifest["base"]["snapshot_id"] == "2026-01"
    assert manifest["base"]["tables_from"]["cases"] == {"source": "base", "from_base": 20, "from_load": 0}
    assert manifest["base"]["tables_from"]["surveys"] == {"source": "append", "from_base": 0, "from_load": 17}
    assert [s["file"] for s in manifest["sources"]] == ["满意度测评_2026H1_示例.csv"]
    assert "基础快照 (base snapshot): 2026-01" in text
    assert "  cases: 基础快照，未改动 20 行 (from the base, unchanged: 20 rows)" in text


def test_a_ratings_month_is_appended_and_a_review_already_there_is_a_duplicate(tmp_path, run, store):
    base = _base(run)
    before = store_state(base.published.path)
    february = write_csv(tmp_path / "好差评_2026-02.csv", RATING_HEADER, [
        rating_row(101, 评价编号="PJ0101", 评价时间="2026-02-03 10:00:00"),
        rating_row(102, 评价编号="PJ0102", 评价时间="2026-02-04 10:00:00", 评价等级="不满意"),
        rating_row(103, 评价编号="PJ0001", 评价时间="2026-02-05 10:00:00"),  # PJ0001 is in January's
    ])
    result = run([february], snapshot="2026-02", as_of="2026-02-28", base="2026-01", reject_threshold=0.5)
    assert result.ok, result.summary()
    (reject,) = result.rejects
    assert (reject.line, reject.code) == (4, "duplicate_key")
    assert "'PJ0001' 已在基础快照 2026-01 中" in reject.reason
    assert result.published.row_counts["ratings"] == 8 and result.published.row_counts["cases"] == 20
    assert "  ratings: 基础快照 6 行 + 本次导入追加 2 行 (base 6 rows + 2 appended from this load)" in result.summary()
    assert store_state(base.published.path) == before
    cases = table(result, "cases")
    assert cases["elapsed_wd"].notna().sum() > 0  # re-timed at the new snapshot's time


def test_a_cases_export_on_a_base_replaces_the_base_cases(tmp_path, run):
    _base(run)
    path = write_cases(tmp_path / "办件_2026-02.csv", 5)
    result = run([path], snapshot="2026-02", as_of="2026-02-28", base="2026-01")
    assert result.ok, result.summary()
    assert result.published.row_counts["cases"] == 5 and result.published.row_counts["ratings"] == 6
    assert result.tables_from["cases"] == {"source": "replace", "from_base": 20, "from_load": 5}


def test_a_base_that_does_not_exist_or_is_later_is_refused(tmp_path, run):
    path = write_cases(tmp_path / "办件.csv", 2)
    assert run([path], base="nope").exit_code == 2
    _base(run, "2026-01")
    later = run([path], snapshot="s0", as_of="2026-01-15", base="2026-01")
    assert later.exit_code == 2 and "earlier than the base" in later.refused_reason


def test_the_readme_sequence_a_ratings_month_and_a_survey_wave_on_the_current_snapshot(run, store):
    """mappings/README.md, 'Loads on top of a snapshot': the same files, the same counts and lines."""
    _base(run)
    february = run([EXAMPLES / "好差评_2026-02_示例.csv"], snapshot="2026-02", as_of="2026-02-28", base="2026-01")
    assert february.ok and february.rows_rejected == 0, february.summary()
    line = "  ratings: 基础快照 6 行 + 本次导入追加 4 行 (base 6 rows + 4 appended from this load)"
    assert line in february.summary()
    wave = run([WIDE_SURVEY], mapping="survey_wide", snapshot="2026-02-s", as_of="2026-02-28", base="2026-02")
    assert wave.ok, wave.summary()
    text = wave.summary()
    assert "  ratings: 基础快照，未改动 10 行 (from the base, unchanged: 10 rows)" in text
    assert "  surveys: 基础快照 0 行 + 本次导入追加 17 行 (base 0 rows + 17 appended from this load)" in text
    counts = wave.published.row_counts
    assert (counts["cases"], counts["ratings"], counts["surveys"]) == (20, 10, 17)
    assert [s.snapshot_id for s in store.list()] == ["2026-01", "2026-02", "2026-02-s"]

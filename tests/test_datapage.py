"""The Data page (数据): snapshot list, data quality on the hand-counted fixture, the upload path
(validate, then publish, with the CLI's ingest) on mappings/examples/办件_示例.csv, and the page
in AppTest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.handcount import publish_handcount
from xiaoneng import datapage
from xiaoneng.datapage import (
    UploadRequest,
    calendar_warnings,
    data_quality,
    indicator_formula,
    quality_counts,
    quarantine_reasons,
    snapshot_id_problem,
    snapshot_list,
    stage_uploads,
    suggest_snapshot_id,
    text,
)
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView
from xiaoneng.paths import MAPPINGS_DIR, REPO_ROOT
from xiaoneng.snapshots import SnapshotStore, sha256_of

EXAMPLE_CASES = MAPPINGS_DIR / "examples" / "办件_示例.csv"
MAPPING = MAPPINGS_DIR / "chinese_export.yaml"
REFERENCE = REPO_ROOT / "data" / "reference"
EXAMPLE_AS_OF = dt.date(2026, 1, 31)


# ---------------------------------------------------------------- data quality of the fixture

def test_quality_of_the_fixture(handcount_view):
    quality = data_quality(handcount_view)
    # tests/handcount.py: 15 cases K01–K15, 5 steps (3 of K13, 2 of K05), 10 ratings R1–R10,
    # 6 survey answers S1–S6, 7 tasks T1–T7
    assert quality_counts(quality, "rows") == {"cases": 15, "case_steps": 5, "ratings": 10, "surveys": 6, "tasks": 7}
    # every date lies within the calendar (2004–2026)
    assert quality_counts(quality, "outside_calendar") == {"cases": 0}
    # K10 (10-15 18:00) and K14 (06-30 23:59:59) carry the system's deadline; the other thirteen have
    # promised limits → derived
    assert quality_counts(quality, "deadline_source") == {"derived": 13, "system": 2}
    nulls = quality[(quality["check_name"] == "nulls") & (quality["table_name"] == "ratings")]
    # R4, R5, R6, R8, R9, R10 have no case; R4, R6, R8 no item (R9, R10 name I02); R3, R5, R6, R7 no
    # reason tags
    assert dict(zip(nulls["column_name"], nulls["row_count"], strict=True)) == \
        {"case_id": 6, "item_code": 3, "reason_tags": 4}
    assert nulls.set_index("column_name").loc["case_id", "share_pct"] == 60.0  # 6 of 10
    # the bad reviews R2, R4, R6, R8, R9, R10 are all verified
    assert quality_counts(quality, "bad_unverified") == {"ratings": 0}
    case_nulls = quality[(quality["check_name"] == "nulls") & (quality["table_name"] == "cases")]
    assert case_nulls["row_count"].sum() == 0
    assert set(quality["table"]) == {"办件", "办理环节", "好差评", "满意度测评", "督办事项"}
    assert "按承诺时限推算" in set(quality["column"])


def test_quality_ignores_the_period_but_keeps_the_scope(handcount_view):
    from xiaoneng.filters import Filters, Period, Scope

    quality = data_quality(handcount_view, Filters(Period.parse("2025-01")))
    assert quality_counts(quality, "rows")["cases"] == 15
    restricted = SnapshotView(handcount_view.info, Scope(("C01",)))
    # C01: K01, K02, K05, K07, K09, K11, K13, K14
    assert quality_counts(data_quality(restricted), "rows")["cases"] == 8


def test_snapshot_list(handcount_store):
    listed = snapshot_list(SnapshotStore(handcount_store))
    row = listed.set_index("snapshot_id").loc["handcount"]
    assert (row["cases"], row["ratings"], row["case_steps"], row["surveys"], row["tasks"]) == (15, 10, 5, 6, 7)
    assert row["as_of"] == dt.datetime(2026, 10, 30, 17)
    assert (row["calendar_start"], row["calendar_end"]) == ("2004-01-01", "2026-12-31")
    assert (row["cases_outside_calendar"], row["sources"], row["producer"]) == (0, 0, "tests/handcount.py")
    assert row["status"] == "默认"


def test_calendar_warnings(handcount_view):
    info = handcount_view.info
    # the calendar ends 2026-12-31, 62 days after the snapshot time 2026-10-30: outside the ingest's
    # 60-day calendar care, inside a wider margin
    assert datapage.CALENDAR_MARGIN_DAYS == 60
    assert calendar_warnings(info, dt.date(2026, 2, 12)) == []
    warnings = calendar_warnings(info, dt.date(2026, 2, 12), margin_days=92)
    assert len(warnings) == 1 and "2027" in warnings[0] and "62" in warnings[0]
    assert any("2003-12-01" in w for w in calendar_warnings(info, dt.date(2003, 12, 1)))
    # K06–K09 are open; every deadline lies within the calendar
    assert datapage.open_beyond_calendar(handcount_view) == 0
    assert calendar_warnings(info, None, open_beyond=3) == [
        "有 3 件在办件的期限晚于工作日历的最后一天 2026-12-31（或因此无法推算）：请补入 2027 年的工作日历后重新导入。"]


def test_open_cases_beyond_a_short_calendar(tmp_path):
    from tests.handcount import AS_OF, fact_tables, reference_tables
    from xiaoneng.reference import load_calendar_days

    days = [d for d in load_calendar_days(REFERENCE) if d.date.year <= 2025]  # ends before the snapshot
    info = SnapshotStore(tmp_path).publish("short", as_of=AS_OF, reference=reference_tables(), calendar_days=days,
                                           facts=fact_tables(), producer="test")
    view = SnapshotView(info)
    assert datapage.open_beyond_calendar(view) == 4  # the four open cases get no deadline
    assert calendar_warnings(info, None, open_beyond=4) == [
        "有 15 件办件的日期超出工作日历（2004-01-01 至 2025-12-31），无法计算期限和用时。请补充工作日历后重新导入。",
        "工作日历只到 2025-12-31，早于数据截至日 2026-10-30：请补充 2026 年的工作日历（python -m xiaoneng calendar "
        "add-year 2026）。",
        "有 4 件在办件的期限晚于工作日历的最后一天 2025-12-31（或因此无法推算）：请补入 2026 年的工作日历后重新导入。"]


def test_formulas_come_from_the_catalog():
    cat = catalog()
    assert indicator_formula(cat["on_time_rate"]) == "due_on_time ÷ due_cases × 100%"
    assert indicator_formula(cat["completion_on_time_rate"]) == "completed_on_time ÷ completed_with_deadline × 100%"
    assert indicator_formula(cat["immediate_rate"]) == "immediate_same_day ÷ immediate_due × 100%"
    assert indicator_formula(cat["promise_compression_rate"]) == "(1 − promised_wd_sum ÷ legal_wd_sum) × 100%"
    assert indicator_formula(cat["avg_elapsed_wd"]) == "elapsed_wd_sum ÷ elapsed_wd_count"
    assert indicator_formula(cat["open_overdue"]) == "open_overdue"
    table = datapage.indicator_formulas("en")
    assert len(table) == len(cat) and text("formula", "en") in table.columns


def test_counting_rules_state_the_configured_settings():
    from xiaoneng.indicators import rules

    zh = datapage.counting_rules()
    assert len(zh) == len(datapage.COUNTING_RULES) == len(datapage.counting_rules("en"))
    # config/indicators.yaml: a bad review without a due time is due 10 working days after its
    # verification; a unit needs 30 accepted cases to be put on a list
    assert (rules().rectify_default_wd, rules().min_cases) == (10, 30)
    assert any("核实之日后第 10 个工作日" in r for r in zh)
    assert any("少于 30 件" in r and "样本不足" in r and "红榜" in r for r in zh)
    assert any("无数据" in r and "无可比数据" in r for r in zh)
    assert any("截至10月31日" in r for r in zh)
    assert any("10th working day" in r for r in datapage.counting_rules("en"))
    assert datapage.counting_rules_markdown().startswith("- 期限以当日24时为准")


# ---------------------------------------------------------------- upload: validate, then publish

def test_uploads_are_staged_under_their_own_names(tmp_path):
    paths = stage_uploads([("C:\\exports\\办件_2026-01.csv", b"a"), ("../好差评.xlsx", b"b")], tmp_path / "in")
    assert [p.name for p in paths] == ["办件_2026-01.csv", "好差评.xlsx"]
    assert all(p.parent == tmp_path / "in" for p in paths)
    with pytest.raises(ValueError):
        stage_uploads([("x.csv", b"1"), ("dir/x.csv", b"2")], tmp_path / "twice")
    with pytest.raises(ValueError):
        stage_uploads([("notes.txt", b"1")], tmp_path / "wrong")


def test_snapshot_ids(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    assert suggest_snapshot_id(dt.date(2026, 1, 31), store) == "2026-01"
    (tmp_path / "snapshots" / "2026-01").mkdir(parents=True)
    assert suggest_snapshot_id(dt.date(2026, 1, 31), store) == "2026-01-2"
    assert snapshot_id_problem("2026-01", store) == text("id_taken", snapshot="2026-01")
    assert snapshot_id_problem("../x", store) == text("id_invalid")
    assert snapshot_id_problem("2026-02", store) is None


def test_mapping_choices_offer_the_chinese_export_first():
    choices = datapage.mapping_choices()
    assert next(iter(choices)) == str(MAPPING)
    assert str(MAPPINGS_DIR / "boston311.yaml") in choices


def test_validate_then_publish_the_example(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    paths = stage_uploads([(EXAMPLE_CASES.name, EXAMPLE_CASES.read_bytes())])
    request = UploadRequest(mapping=str(MAPPING), files=tuple(paths), snapshot_id="2026-01", as_of=EXAMPLE_AS_OF)
    checked = datapage.validate_upload(request, store, REFERENCE)
    # the example: 20 cases (GBK), all valid against the repository's reference tables
    assert checked.ok and checked.published is None
    assert (checked.rows_read, checked.rows_kept, checked.rows_rejected) == (20, 20, 0)
    assert datapage.result_files(checked).iloc[0][["file", "table", "read", "kept"]].tolist() == \
        ["办件_示例.csv", "办件", 20, 20]
    assert datapage.result_reasons(checked).empty
    assert store.list() == []  # nothing written by the validation
    published = datapage.publish_upload(request, store, REFERENCE)
    assert published.published is not None
    info = store.get("2026-01")
    assert info.row_counts["cases"] == 20
    assert info.manifest["sources"][0]["sha256"] == sha256_of(EXAMPLE_CASES)
    assert datapage.snapshot_sources(info)[["file", "table"]].values.tolist() == [["办件_示例.csv", "cases"]]
    assert not paths[0].parent.exists()  # the staged copy is gone, the snapshot keeps the source
    assert datapage.ingest_summary(info)["rows_read"] == 20
    # the same request again is refused: published snapshots are never overwritten
    again = datapage.validate_upload(request, store, REFERENCE)
    assert not again.ok and "2026-01" in again.refused_reason


def _example_with_a_bad_row() -> bytes:
    """The example plus one case whose status 挂起 is not in the mapping's value map."""
    content = EXAMPLE_CASES.read_bytes()
    last = content.rstrip(b"\r\n").splitlines()[-1].decode("gb18030").split(",")
    last[0] = "BJ209901010099"
    last[10] = "挂起"
    return content.rstrip(b"\r\n") + b"\r\n" + ",".join(last).encode("gb18030") + b"\r\n"


def test_rejected_rows_are_reported_before_publishing(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    paths = stage_uploads([("办件_2026-01.csv", _example_with_a_bad_row())], tmp_path / "upload")
    strict = UploadRequest(mapping=str(MAPPING), files=tuple(paths), snapshot_id="bad-1", as_of=EXAMPLE_AS_OF)
    refused = datapage.validate_upload(strict, store, REFERENCE)
    # 1 of 21 rows rejected = 4.8 %, over the 1 % threshold
    assert not refused.ok
    assert (refused.rows_read, refused.rows_rejected) == (21, 1)
    assert refused.reason_counts == {"not_accepted": 1}
    reasons = datapage.result_reasons(refused)
    assert reasons.iloc[0][["reason_code", "reason", "rows"]].tolist() == ["not_accepted", "值不在允许范围内", 1]
    rejects = datapage.result_rejects(refused)
    assert rejects.iloc[0]["line"] == 22 and rejects.iloc[0]["value"] == "挂起"
    assert "BJ209901010099" in refused.quarantine_csv.decode("utf-8-sig")
    forced = UploadRequest(mapping=str(MAPPING), files=tuple(paths), snapshot_id="bad-1", as_of=EXAMPLE_AS_OF,
                           accept_rejects=True)
    assert datapage.validate_upload(forced, store, REFERENCE).ok
    published = datapage.publish_upload(forced, store, REFERENCE)
    info = published.published
    assert info.row_counts["cases"] == 20
    quarantined = quarantine_reasons(info)
    assert quarantined[["table", "reason_code", "rows"]].values.tolist() == [["办件", "not_accepted", 1]]
    assert datapage.quarantine_bytes(info).startswith(b"\xef\xbb\xbf")


def test_signature_follows_files_and_settings():
    base = datapage.upload_signature([("a.csv", b"1")], "m", "id", EXAMPLE_AS_OF)
    assert base == datapage.upload_signature([("a.csv", b"1")], "m", "id", EXAMPLE_AS_OF)
    assert base != datapage.upload_signature([("a.csv", b"2")], "m", "id", EXAMPLE_AS_OF)
    assert base != datapage.upload_signature([("a.csv", b"1")], "m", "id-2", EXAMPLE_AS_OF)



def test_xls_uploads_are_accepted(tmp_path):
    xls = MAPPINGS_DIR / "examples" / "好差评_示例.xls"
    [staged] = stage_uploads([(xls.name, xls.read_bytes())], tmp_path / "in")
    assert staged.name == "好差评_示例.xls" and "xls" in datapage.UPLOAD_TYPES
    store = SnapshotStore(tmp_path / "snapshots")
    request = UploadRequest(mapping=str(MAPPING), files=(EXAMPLE_CASES, staged), snapshot_id="2026-01",
                            as_of=EXAMPLE_AS_OF)
    checked = datapage.validate_upload(request, store, REFERENCE)
    assert checked.ok and checked.tables["ratings"].kept == 6  # the six ratings of the workbook


def test_a_load_on_the_current_snapshot_reports_where_each_table_comes_from(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    january = UploadRequest(mapping=str(MAPPING), files=(EXAMPLE_CASES, MAPPINGS_DIR / "examples" / "好差评_示例.csv"),
                            snapshot_id="2026-01", as_of=EXAMPLE_AS_OF)
    assert datapage.publish_upload(january, store, REFERENCE, published_by="a").published is not None
    february = UploadRequest(mapping=str(MAPPING), files=(MAPPINGS_DIR / "examples" / "好差评_2026-02_示例.csv",),
                             snapshot_id="2026-02", as_of=dt.date(2026, 2, 28), base=store.default_id())
    checked = datapage.validate_upload(february, store, REFERENCE)
    assert checked.ok and checked.base == "2026-01"
    tables_from = datapage.result_tables_from(checked).set_index("table")
    assert tables_from.loc["办件"].tolist() == ["基础快照，未改动", 20, 0]
    assert tables_from.loc["好差评"].tolist() == ["基础快照 + 本次导入追加", 6, 4]
    assert datapage.planned_counts(checked) == {"cases": 20, "case_steps": 0, "ratings": 10, "surveys": 0,
                                                "tasks": 0}
    comparison = datapage.publish_comparison(checked, store.default()).set_index("table")
    assert comparison.loc["好差评"].tolist() == [10, 6, 4] and comparison.loc["办件"].tolist() == [20, 20, 0]
    assert datapage.publish_checks(checked, february.files, store) == []  # later, as large, new files


def test_the_report_has_the_sources_verdict_and_the_skipped_rows(tmp_path):
    request = UploadRequest(mapping="utc_export", files=(MAPPINGS_DIR / "examples" / "utc_export_示例.csv",),
                            snapshot_id="utc", as_of=EXAMPLE_AS_OF)
    checked = datapage.validate_upload(request, SnapshotStore(tmp_path), REFERENCE)
    # 8 rows, one test row skipped; of the 7 cases 5 are completed with both verdicts: 3 agree
    assert checked.verdict == {"compared": 5, "agree": 3, "disagree": 2, "source_on_time_ours_late": 1,
                               "source_late_ours_on_time": 1, "not_compared": 1}
    assert datapage.result_skipped(checked).values.tolist() == [["utc_export_示例.csv", "测试数据 (test rows)", 1]]
    assert datapage.result_tables(checked).iloc[0].tolist() == ["办件", 8, 7, 0, 1, 0.0, 1.0]


def test_publish_checks(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    publish_handcount(store.root)  # the default: 15 cases as of 2026-10-30 17:00
    example = UploadRequest(mapping=str(MAPPING), files=(EXAMPLE_CASES,), snapshot_id="example", as_of=EXAMPLE_AS_OF)
    assert datapage.publish_upload(example, store, REFERENCE).published is not None
    assert store.default_id() == "handcount"
    again = UploadRequest(mapping=str(MAPPING), files=(EXAMPLE_CASES,), snapshot_id="again", as_of=EXAMPLE_AS_OF)
    checks = datapage.publish_checks(datapage.validate_upload(again, store, REFERENCE), again.files, store)
    assert [(c.code, c.message) for c in checks] == [
        ("earlier", "新快照的数据截至 2026-01-31 23:59，早于当前默认快照 handcount 的数据截至 2026-10-30 17:00。"),
        ("same_sources", "上传的文件与已发布快照的来源文件完全相同（SHA-256 一致）：办件_示例.csv（快照 example）。")]
    assert datapage.small_snapshot_ratio() == 0.5  # config/publishing.yaml
    few = stage_uploads([("办件_5.csv", b"\r\n".join(EXAMPLE_CASES.read_bytes().splitlines()[:6]) + b"\r\n")],
                        tmp_path / "few")
    small = UploadRequest(mapping=str(MAPPING), files=tuple(few), snapshot_id="small", as_of=dt.date(2026, 11, 30))
    checks = datapage.publish_checks(datapage.validate_upload(small, store, REFERENCE), small.files, store, "en")
    assert [(c.code, c.message) for c in checks] == [
        ("smaller", "The new snapshot has only 5 cases, less than 50% of the current default snapshot handcount "
                    "(15 cases).")]


def test_next_years_holidays_are_checked_as_the_cli_checks_them(tmp_path):
    import shutil

    calendar = tmp_path / "calendar.csv"
    shutil.copyfile(REFERENCE / "calendar.csv", calendar)
    assert datapage.calendar_summary(calendar).end == dt.date(2026, 12, 31)
    typed = datapage.typed_year_csv(datapage.pd.DataFrame({"date": ["2027-01-01", "2027-02-06", ""],
                                                           "day_kind": ["节假日", "调休上班", ""],
                                                           "name_zh": ["元旦", "春节", ""]}))
    days = datapage.year_rows(typed, "表格", 2027)
    assert [(d.date, d.day_kind) for d in days] == [(dt.date(2027, 1, 1), "holiday"),
                                                    (dt.date(2027, 2, 6), "makeup_workday")]
    assert datapage.year_preview(days).values.tolist() == [[dt.date(2027, 1, 1), "节假日", "元旦"],
                                                           [dt.date(2027, 2, 6), "调休上班", "春节"]]
    with pytest.raises(ValueError) as refused:
        datapage.year_rows("date,day_kind\n2027-01-04,调休上班\n2026-10-01,节假日\n".encode(), "假期.csv", 2027)
    assert str(refused.value).splitlines() == [
        "假期.csv:2: 2027-01-04 是工作日，不能是调休上班日 (is a weekday already; a make-up working day is a "
        "Saturday or Sunday)",
        "假期.csv:3: 2026-10-01 不在 2027 年 (is not in 2027)"]
    before = calendar.read_bytes()
    with pytest.raises(ValueError, match="has rows for 2026 already"):
        datapage.add_calendar_year(calendar, 2026, typed, "表格")
    assert calendar.read_bytes() == before
    assert datapage.add_calendar_year(calendar, 2027, typed, "表格") == 2
    assert datapage.calendar_summary(calendar).end == dt.date(2027, 12, 31)


def test_audit_table_is_newest_first_and_filtered():
    entries = [
        {"at": "2026-11-01T08:00:00+00:00", "action": "publish", "user": "a", "scope": None,
         "details": {"snapshot": "2026-10"}},
        {"at": "2026-11-01T09:00:00+00:00", "action": "export", "user": "c02", "scope": ["C02"],
         "details": {"rows": 3}},
        {"at": "2026-11-02T08:00:00+00:00", "action": "set_default", "user": "a", "scope": None,
         "details": {"snapshot": "2026-10"}},
    ]
    table = datapage.audit_table(entries)
    assert table["action"].tolist() == ["设为默认快照", "导出", "发布快照"]
    assert table.iloc[1].tolist() == ["2026-11-01T09:00:00+00:00", "导出", "c02", "C02", '{"rows": 3}']
    assert datapage.audit_table(entries, actions=["publish", "set_default"], users=["a"])["at"].tolist() == [
        "2026-11-02T08:00:00+00:00", "2026-11-01T08:00:00+00:00"]
    assert datapage.audit_table(entries, users=["nobody"]).empty

# ---------------------------------------------------------------- the page in AppTest

PAGE = Path(__file__).resolve().parent.parent / "pages" / "data.py"


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    """handcount and the example ingest (as of 2026-01-31) side by side."""
    folder = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("XIAONENG_DATA", raising=False)
        publish_handcount(folder / "snapshots")
    store = SnapshotStore(folder / "snapshots")
    paths = stage_uploads([(EXAMPLE_CASES.name, EXAMPLE_CASES.read_bytes())])
    request = UploadRequest(mapping=str(MAPPING), files=tuple(paths), snapshot_id="example", as_of=EXAMPLE_AS_OF)
    assert datapage.publish_upload(request, store, REFERENCE).published is not None
    return folder


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_renders_the_fixture(page):
    page.run()
    assert not page.exception
    assert page.title[0].value == text("title")
    shown = metrics(page)
    assert shown["办件"] == "15" and shown["好差评"] == "10"
    assert shown[text("check.outside_calendar")] == "0"
    snapshots = page.dataframe[0].value
    assert list(snapshots["snapshot_id"]) == ["handcount", "example"]  # newest as-of first
    deadline_sources = next(d.value for d in page.dataframe if "row_count" in d.value and "share_pct" in d.value)
    assert dict(zip(deadline_sources["column"], deadline_sources["row_count"], strict=True)) == \
        {"按承诺时限推算": 13, "系统给出": 2}
    assert page.button(key="data_upload_validate").disabled  # nothing uploaded yet
    assert any(catalog()["on_time_rate"].label("zh") in set(t.value.iloc[:, 0]) for t in page.table)
    assert any("样本不足" in m.value and "30" in m.value for m in page.markdown)  # the counting rules


def test_switching_the_snapshot_shows_its_numbers(data_folder, page):
    page.run()
    page.selectbox(key="filter_snapshot").set_value("example").run()
    assert not page.exception
    view = SnapshotView(SnapshotStore(data_folder / "snapshots").get("example"))
    rows = quality_counts(data_quality(view), "rows")
    assert metrics(page)["办件"] == f"{rows['cases']:,}" == "20"
    sources = page.dataframe[1].value
    assert list(sources["file"]) == ["办件_示例.csv"]


def test_english(page):
    page.query_params["lang"] = "en"
    page.run()
    assert not page.exception
    assert page.title[0].value == text("title", "en")
    assert metrics(page)["cases"] == "15"

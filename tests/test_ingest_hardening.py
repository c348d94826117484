"""Issue 9 point 5, the ingest's part: a formula-neutral quarantine, control characters in ids refused,
.csv.gz read as a stream, and a duplicate check that stays linear when one id repeats 32,000 times."""

from __future__ import annotations

import csv
import gzip
import io

import pytest

from tests.ingest_corpus import (
    CASE_HEADER,
    RATING_HEADER,
    case_row,
    csv_bytes,
    ingest_fixtures,
    rating_row,
    write_cases,
    write_csv,
)
from xiaoneng.ingest.readers import CHUNK_BYTES, FileRefused, read_file

ref, store, run = ingest_fixtures()


def quarantine_rows(result) -> list[dict]:
    return list(csv.DictReader(io.StringIO(result.quarantine_csv.decode("utf-8-sig"))))


# -- the quarantine is formula-neutral like every other export -------------------------------------


def test_formula_like_cells_and_file_names_are_neutralised_in_the_quarantine(tmp_path, run):
    cases = write_cases(tmp_path / "=cmd办件.csv", 20, changes={
        3: {"区县代码": "=HYPERLINK(\"http://x\",\"C01\")"},
        5: {"部门代码": "@SUM(1)"},
        7: {"承诺时限": "-1"},
    })
    result = run([cases])
    assert result.ok and result.rows_rejected == 3, result.summary()
    rows = quarantine_rows(result)
    assert [(r["file"], r["line"], r["column"], r["reason_code"], r["value"]) for r in rows] == [
        ("'=cmd办件.csv", "4", "county_code", "unknown_code", "'=HYPERLINK(\"http://x\",\"C01\")"),
        ("'=cmd办件.csv", "6", "dept_code", "unknown_code", "'@SUM(1)"),
        ("'=cmd办件.csv", "8", "promised_limit_wd", "out_of_range", "'-1"),
    ]
    # the published copy is the same file; no cell of it starts like a formula
    published = (result.published.path / "quarantine.csv").read_bytes()
    assert published == result.quarantine_csv
    for row in csv.reader(io.StringIO(published.decode("utf-8-sig"))):
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row


# -- control characters in ids ----------------------------------------------------------------------


def test_a_nul_byte_in_an_id_is_refused_with_file_line_and_reason(tmp_path, run):
    cases = write_cases(tmp_path / "办件.csv", 10, changes={
        2: {"办件编号": "BJ2026\x00000002"},
        4: {"区县代码": "C0\x004"},
    })
    ratings = write_csv(tmp_path / "好差评.csv", RATING_HEADER, [
        rating_row(1), rating_row(2, 评价编号="PJ\x0100002"), rating_row(3, 办件编号="BJ\x00")])
    result = run([cases, ratings])
    assert result.ok, result.summary()
    assert result.tables["cases"].rejected == 2 and result.tables["ratings"].rejected == 2
    assert result.reason_counts == {"control_character": 4}
    assert [(r.file, r.line, r.column, r.value) for r in result.rejects] == [
        ("办件.csv", 3, "case_id", "BJ2026\x00000002"),
        ("办件.csv", 5, "county_code", "C0\x004"),
        ("好差评.csv", 3, "rating_id", "PJ\x0100002"),
        ("好差评.csv", 4, "case_id", "BJ\x00"),
    ]
    assert result.rejects[0].reason == (
        "编号含控制字符：'BJ2026\\x00000002' 含控制字符，不能作为编号或代码 (an id or code holds a control "
        "character: 'BJ2026\\x00000002' holds a control character; an id or code cannot)")
    # one record per bad id: no second 'unknown code' or 'required' for the same cell
    assert "办件.csv 第 5 行 (line 5) 区县代码: 编号含控制字符：'C0\\x004'" in result.summary()
    values = [r["value"] for r in quarantine_rows(result)]
    assert values == ["BJ2026\\x00000002", "C0\\x004", "PJ\\x0100002", "BJ\\x00"]
    assert "\x00" not in result.quarantine_csv.decode("utf-8-sig")
    assert result.published.row_counts["cases"] == 8 and result.published.row_counts["ratings"] == 1


# -- .csv.gz read as a stream -------------------------------------------------------------------------


def test_a_gzipped_gbk_file_whose_first_chinese_text_is_past_the_first_chunk(tmp_path):
    """Encoding detection reads the file piece by piece: a file that is ASCII for its first megabyte and
    GBK after it is still found to be GBK, and its Chinese text arrives intact."""
    n = CHUNK_BYTES // 40 + 200  # ASCII rows of 48 bytes fill more than the first chunk
    rows = [[f"R{i:07d}", "C01", "ascii text " * 3] for i in range(n)] + [["R9999999", "C02", "不予受理的说明"]]
    packed = tmp_path / "wide.csv.gz"
    packed.write_bytes(gzip.compress(csv_bytes(["id", "county", "note"], rows, "gbk")))
    assert len(csv_bytes(["id", "county", "note"], rows[:-1], "gbk")) > CHUNK_BYTES
    raw = read_file(packed)
    assert raw.encoding == "gb18030" and raw.n == n + 1
    assert raw.row(n) == ["R9999999", "C02", "不予受理的说明"] and int(raw.lines[n]) == n + 2


def test_a_wrong_encoding_past_the_first_chunk_names_its_line(tmp_path):
    n = CHUNK_BYTES // 40 + 100
    rows = [[f"R{i:07d}", "x" * 20] for i in range(n)] + [["R9999999", "办件"]]
    path = tmp_path / "long.csv.gz"
    path.write_bytes(gzip.compress(csv_bytes(["id", "note"], rows, "gbk")))
    from xiaoneng.ingest.readers import read_csv

    with pytest.raises(FileRefused) as refused:
        read_csv(path, encoding="utf-8", delimiter=",", header_row=1)
    assert str(refused.value) == (
        f"long.csv.gz: 第 {n + 2} 行不是 utf-8 编码 (line {n + 2} is not valid utf-8; check the file's encoding "
        "or use encoding: auto in the mapping)")


@pytest.mark.parametrize("damage, expected", [
    (lambda data: data[: len(data) // 2], "long.csv.gz: 不是有效的 gzip 文件 (not a valid gzip file: "),
    (lambda data: b"not gzip at all", "long.csv.gz: 不是有效的 gzip 文件 (not a valid gzip file: "),
])
def test_a_damaged_gzip_file_is_refused_with_its_name(tmp_path, run, damage, expected):
    path = tmp_path / "long.csv.gz"
    path.write_bytes(damage(gzip.compress(csv_bytes(CASE_HEADER, [case_row(i) for i in range(1, 4000)]))))
    with pytest.raises(FileRefused) as refused:
        read_file(path)
    assert str(refused.value).startswith(expected)
    result = run([tmp_path / "long.csv.gz"], mapping=ref_mapping())
    assert not result.ok and result.refused_reason.startswith(expected)


def ref_mapping():
    from tests.ingest_corpus import contract_mapping

    return contract_mapping("cases", "*.csv")


# -- duplicates: linear however often one id repeats -------------------------------------------------


def test_32000_identical_ids_are_each_rejected_naming_five_other_lines(tmp_path, run):
    path = write_csv(tmp_path / "办件.csv", CASE_HEADER, [case_row(1) for _ in range(32000)] + [case_row(2)])
    result = run([path], accept_rejects=True)
    assert result.ok and result.tables["cases"].rejected == 32000 and result.tables["cases"].kept == 1
    assert result.reason_counts == {"duplicate_key": 32000}
    first, second, last = result.rejects[0], result.rejects[1], result.rejects[31999]
    assert (first.line, second.line, last.line) == (2, 3, 32001)
    assert first.reason == ("编号重复：'BJ2026000001' 重复出现，另见 第 3 行、第 4 行、第 5 行、第 6 行、第 7 行… "
                            "(duplicate key: 'BJ2026000001' occurs more than once, also at line 3, line 4, line 5, "
                            "line 6, line 7, …)")
    assert second.reason.startswith("编号重复：'BJ2026000001' 重复出现，另见 第 2 行、第 4 行、第 5 行、第 6 行、"
                                    "第 7 行…")
    assert last.reason.startswith("编号重复：'BJ2026000001' 重复出现，另见 第 2 行、第 3 行、第 4 行、第 5 行、"
                                  "第 6 行…")


def test_an_id_twice_names_only_the_other_line_without_an_ellipsis(tmp_path, run):
    path = write_csv(tmp_path / "办件.csv", CASE_HEADER, [case_row(1), case_row(2), case_row(1)])
    result = run([path])
    assert [(r.line, r.reason) for r in result.rejects] == [
        (2, "编号重复：'BJ2026000001' 重复出现，另见 第 4 行 (duplicate key: 'BJ2026000001' occurs more than once, "
            "also at line 4)"),
        (4, "编号重复：'BJ2026000001' 重复出现，另见 第 2 行 (duplicate key: 'BJ2026000001' occurs more than once, "
            "also at line 2)"),
    ]

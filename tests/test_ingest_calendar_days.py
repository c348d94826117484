"""Issue 10 point 4: limits in calendar days (自然日) per item (items.limit_unit cd), and a deadline the
mapping states as "received + N days". Counted by hand across the 2026 National Day holiday.

The 2026 calendar around it: 中秋节 holidays Fri 09-25..Sun 09-27, 国庆节 Thu 10-01..Wed 10-07,
make-up working days Sun 09-20 and Sat 10-10. Working days: 09-21..09-24, 09-28..09-30, 10-08..10-10,
10-12… Item D02-001 has limits in calendar days (promised 10, legal 20); D01-001 in working days
(promised 5, legal 20). Snapshot time 2026-10-31 23:59:59.

    case item accepted   limit                    deadline (close of)  completed    verdict elapsed_wd
    K1   cd10 Mon 09-28  09-28 + 10 days          Thu 10-08            10-08 16:00  on time 3 (09-29, 09-30, 10-08)
    K2   cd10 Wed 09-30  09-30 + 10 days          Sat 10-10 (make-up)  Mon 10-12    late    4 (10-08..10-10, 10-12)
    K3   cd10 Thu 09-24  09-24 + 10 = 10-04 (a holiday), + 2 suspended working days (10-08, 10-09)
                                                  Fri 10-09            10-09 11:00  on time 5 − 2 = 3
    K4   cd10 Mon 09-21  09-21 + 10 days          Thu 10-01 (holiday)  Wed 09-30    on time 6 (09-22..24, 09-28..30);
         not early: a deadline on a holiday has the last working day before it, 09-30, as its working day
    K5   wd5  Mon 09-28  5th working day after    Sat 10-10            Fri 10-09    on time 4, 1 working day early
    K6   cd10 Thu 10-22  10-22 + 10 days          Sun 11-01            open
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.ingest_corpus import (
    CALENDAR_2026,
    contract_mapping,
    ingest_fixtures,
    write_cases,
    write_csv,
    write_reference,
)
from xiaoneng.ingest.mapping import MappingError, mapping_from_dict

CLOSE = dt.time(23, 59, 59, 999999)
AUTUMN_2026 = [
    ("2026-09-20", "makeup_workday", "国庆节调休上班"),
    *[(f"2026-09-{d}", "holiday", "中秋节") for d in (25, 26, 27)],
    *[(f"2026-10-{d:02d}", "holiday", "国庆节") for d in range(1, 8)],
    ("2026-10-10", "makeup_workday", "国庆节调休上班"),
]

ref, store, run = ingest_fixtures("2026-10-31")


@pytest.fixture
def ref(tmp_path):  # noqa: F811 - the corpus reference with the autumn holidays and one calendar-day item
    folder = write_reference(tmp_path / "ref")
    write_csv(folder / "calendar.csv", ["date", "day_kind", "name_zh"], [list(r) for r in CALENDAR_2026 + AUTUMN_2026])
    write_csv(folder / "items.csv",
              ["item_code", "name_zh", "dept_code", "item_type", "legal_limit_wd", "promised_limit_wd", "limit_unit"],
              [["D01-001", "事项1", "D01", "行政许可", "20", "5", ""],
               ["D02-001", "事项2（自然日）", "D02", "公共服务", "20", "10", "cd"],
               *[[f"D{i:02d}-001", f"事项{i}", f"D{i:02d}", "行政许可", "20", "5", "wd"] for i in range(3, 21)]])
    return folder


def case(item: str, accepted: str, completed: str | None, suspended: int = 0) -> dict:
    dept = item[:3]
    return {"事项编码": item, "部门代码": dept, "申请时间": accepted, "受理时间": accepted,
            "办结时间": completed or "", "办件状态": "办结" if completed else "在办", "承诺办结时间": "",
            "承诺时限": "", "法定时限": "", "特别程序天数": str(suspended)}


HAND_COUNTED = {
    1: case("D02-001", "2026-09-28 10:00:00", "2026-10-08 16:00:00"),
    2: case("D02-001", "2026-09-30 09:00:00", "2026-10-12 09:00:00"),
    3: case("D02-001", "2026-09-24 10:00:00", "2026-10-09 11:00:00", suspended=2),
    4: case("D02-001", "2026-09-21 10:00:00", "2026-09-30 15:00:00"),
    5: case("D01-001", "2026-09-28 10:00:00", "2026-10-09 15:00:00"),
    6: case("D02-001", "2026-10-22 10:00:00", None),
}


def test_calendar_day_items_across_the_national_day_holiday(tmp_path, run):
    result = run([write_cases(tmp_path / "办件.csv", 6, changes=HAND_COUNTED)])
    assert result.ok and result.rows_rejected == 0, result.summary()
    assert "  cases（办件）: 读取 6，保留 6，隔离 0 = 0.00%，阈值 100% (read 6, kept 6, rejected 0 = 0.00%, " \
           "threshold 100%)" in result.summary()
    cases = pq.read_table(result.published.table_path("cases")).to_pandas().set_index("case_id")
    got = {int(cid[-2:]): (row.deadline_at, row.deadline_source, None if row.on_time is None else bool(row.on_time),
                           None if row.elapsed_wd != row.elapsed_wd else int(row.elapsed_wd),
                           None if row.completed_early is None else bool(row.completed_early))
           for cid, row in cases.iterrows()}
    day = lambda m, d: dt.datetime.combine(dt.date(2026, m, d), CLOSE)  # noqa: E731
    assert got == {
        1: (day(10, 8), "derived", True, 3, False),
        2: (day(10, 10), "derived", False, 4, False),
        3: (day(10, 9), "derived", True, 3, False),
        4: (day(10, 1), "derived", True, 6, False),
        5: (day(10, 10), "derived", True, 4, True),
        6: (day(11, 1), "derived", None, 6, False),  # open: 10-23, 10-26..10-30 = 6 working days by 10-31
    }
    assert not cases["outside_calendar"].any()
    items = pq.read_table(result.published.table_path("items")).to_pandas().set_index("item_code")
    assert items.loc["D02-001", "limit_unit"] == "cd" and pd.isna(items.loc["D01-001", "limit_unit"])


def test_an_item_with_an_unknown_limit_unit_is_rejected(tmp_path, run, ref):
    items = ref / "items.csv"
    items.write_text(items.read_text(encoding="utf-8").replace(",20,10,cd", ",20,10,月"), encoding="utf-8")
    result = run([write_cases(tmp_path / "办件.csv", 2), items], mapping=contract_items_and_chinese_cases())
    assert [(r.file, r.line, r.column, r.code) for r in result.rejects] == [
        ("办件.csv", 2, "item_code", "parent_rejected"),  # case 1 is of item D02-001
        ("items.csv", 3, "limit_unit", "not_accepted"),
    ]
    assert result.rejects[1].reason == ("值不在允许范围内：'月' 不是允许的值（wd, cd） (value not in the accepted set: "
                                        "'月' is not one of wd, cd)")


def contract_items_and_chinese_cases():
    import yaml

    from tests.ingest_corpus import CHINESE_MAPPING

    raw = yaml.safe_load(CHINESE_MAPPING.read_text(encoding="utf-8"))
    cases_input = next(i for i in raw["inputs"] if i["table"] == "cases")
    return mapping_from_dict({"name": "cases + items", "inputs": [
        cases_input, {"name": "items", "files": ["items.csv"], "table": "items"}]}, base_dir=CHINESE_MAPPING.parent)


# -- "received + N days": a deadline the source does not write ---------------------------------------------

HEADER = ["case_id", "item_code", "county_code", "dept_code", "channel", "received_at", "accepted_at",
          "completed_at", "status"]


def test_a_deadline_stated_as_received_plus_n_days(tmp_path, run):
    rows = [
        # received Fri 09-25 (a holiday) + 15 days = Sat 10-10; completed 10-10 18:00: on time
        ["R1", "D01-001", "C01", "D01", "online", "2026-09-25 20:00:00", "2026-09-28 09:00:00",
         "2026-10-10 18:00:00", "completed"],
        # received Mon 09-28 + 15 = Tue 10-13; completed Wed 10-14: late
        ["R2", "D01-001", "C01", "D01", "window", "2026-09-28 09:00:00", "2026-09-28 09:30:00",
         "2026-10-14 09:00:00", "completed"],
        # no received time: no stated deadline, so the item's 5 working days from acceptance (Sat 10-10)
        ["R3", "D01-001", "C01", "D01", "window", "", "2026-09-28 09:30:00", "2026-10-12 09:00:00", "completed"],
        # received 09-01 + 15 = 09-16, before its acceptance on 09-28: an impossible order, rejected
        ["R4", "D01-001", "C01", "D01", "window", "2026-09-01 09:00:00", "2026-09-28 09:30:00",
         "2026-10-09 09:00:00", "completed"],
    ]
    path = write_csv(tmp_path / "cases.csv", HEADER, rows)
    mapping = contract_mapping("cases", columns={"deadline_at": {"after": "received_at", "calendar_days": 15}})
    result = run([path], mapping=mapping)
    assert result.ok, result.summary()
    assert result.tables["cases"].kept == 3 and result.tables["cases"].rejected == 1
    (reject,) = result.rejects
    assert (reject.line, reject.column, reject.code, reject.source_column) == (
        5, "deadline_at", "deadline_after_accepted", "=received_at+15自然日")
    assert reject.reason == ("承诺办结时间早于受理时间：承诺办结时间 2026-09-16 23:59:59.999999 早于 受理时间 "
                             "2026-09-28 09:30:00 (deadline before accepted: deadline_at 2026-09-16 23:59:59.999999 "
                             "< accepted_at 2026-09-28 09:30:00)")
    cases = pq.read_table(result.published.table_path("cases")).to_pandas().set_index("case_id")
    assert cases.loc["R1", "deadline_at"] == dt.datetime.combine(dt.date(2026, 10, 10), CLOSE)
    assert cases.loc["R2", "deadline_at"] == dt.datetime.combine(dt.date(2026, 10, 13), CLOSE)
    assert cases.loc["R3", "deadline_at"] == dt.datetime.combine(dt.date(2026, 10, 10), CLOSE)
    assert list(cases.loc[["R1", "R2", "R3"], "deadline_source"]) == ["system", "system", "derived"]
    assert list(cases.loc[["R1", "R2", "R3"], "on_time"]) == [True, False, False]


@pytest.mark.parametrize("columns, fragment", [
    ({"deadline_at": {"after": "received_at"}}, "takes 'after' and 'calendar_days'"),
    ({"deadline_at": {"after": "received_at", "calendar_days": -1}}, "a whole number of days ≥ 0"),
    ({"deadline_at": {"after": "status", "calendar_days": 5}}, "a time column of cases"),
    ({"completed_at": {"after": "received_at", "calendar_days": 5}}, "only a deadline can be another time"),
])
def test_mapping_errors_for_a_stated_deadline(columns, fragment):
    with pytest.raises(MappingError) as error:
        mapping_from_dict({"inputs": [{"files": ["*.csv"], "table": "cases", "columns": columns}]})
    assert fragment in str(error.value)

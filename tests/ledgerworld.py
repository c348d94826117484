"""A hand-counted world for the 整改台账 and 连续末位 (tests/test_ledger.py): three counties, two
departments of one category, one item each (promised 5 working days), every case online.

Each month, every (county, department) has 15 cases accepted on one day; an on-time case is completed
2 working days later (≥ 1 day early), a late one 7 working days later. Late cases per (county, D01/D02):

            C01     C02     C03      by department (of 45)
  2026-09   0 / 0   0 / 2   4 / 6    D01 4, D02 8
  2026-10   0 / 0   1 / 1   3 / 6    D01 4, D02 7
  2026-11   0 / 2   0 / 2   0 / 1    D01 0, D02 5

Accepted Tue 09-01 (deadline 09-08; late completed 09-10), Mon 10-12 (deadline 10-19; late 10-21), Mon 11-02
(deadline 11-09; late 11-11). No ratings, surveys or tasks: the composite score is made of 按期办结率 (weight
20, target 95), 平均办理时长 (10, target 3.0), 提前办结率 (5, target 85) and 网办率 (10, 100 % here), each
attainment capped at 100 %. With n cases and L late: rate (n−L)/n, mean 2 + 5L/n. Hence:

  county L=0 100.0; L=1 100.0; L=2 (93.33 %) 99.2; L=9 (70 %, mean 3.5, early 70 %) 83.2; L=10 80.3.
  department L=0 100.0; L=4 (91.11 %) 98.2; L=5 (88.89 %) 97.1; L=7 (84.44 %, early 84.44 %) 95.0; L=8 93.7.

October: C03 (83.2) on the county 黑榜 (one of three counties), the line above it C02's 99.2; D02 (95.0) on the
department 黑榜, the line D01's 98.2. No on-time rate fell from September, nothing open: the October 通报 asks
exactly these two units to rectify. C03 and D02 were on the 黑榜 in September too: 连续末位 2026-09, 2026-10.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.handcount import _table
from xiaoneng.asof import cut_at
from xiaoneng.paths import REPO_ROOT
from xiaoneng.reference import load_calendar_days
from xiaoneng.snapshots import SnapshotInfo, SnapshotStore

NOVEMBER_AS_OF = dt.datetime(2026, 11, 30, 17, 0)
OCTOBER_AS_OF = dt.datetime(2026, 10, 30, 17, 0)
MID_NOVEMBER_AS_OF = dt.datetime(2026, 11, 12, 17, 0)

COUNTIES = [{"county_code": c, "name_zh": n, "name_en": e, "kind": "县"}
            for c, n, e in (("C01", "甲县", "Jia"), ("C02", "乙县", "Yi"), ("C03", "丙县", "Bing"))]
DEPARTMENTS = [{"dept_code": "D01", "name_zh": "市场监管局", "name_en": "Market", "category": "经济调节"},
               {"dept_code": "D02", "name_zh": "人社局", "name_en": "HR", "category": "经济调节"}]
ITEMS = [{"item_code": i, "name_zh": n, "dept_code": d, "item_type": "行政许可", "legal_limit_wd": 10,
          "promised_limit_wd": 5} for i, n, d in (("I01", "食品经营许可", "D01"), ("I02", "就业登记", "D02"))]

# month: (accepted, completed on time, completed late, late per (county, dept))
MONTHS = {
    "09": ("2026-09-01 10:00", "2026-09-03 10:00", "2026-09-10 10:00",
           {("C02", "D02"): 2, ("C03", "D01"): 4, ("C03", "D02"): 6}),
    "10": ("2026-10-12 10:00", "2026-10-14 10:00", "2026-10-21 10:00",
           {("C02", "D01"): 1, ("C02", "D02"): 1, ("C03", "D01"): 3, ("C03", "D02"): 6}),
    "11": ("2026-11-02 10:00", "2026-11-04 10:00", "2026-11-11 10:00",
           {("C01", "D02"): 2, ("C02", "D02"): 2, ("C03", "D02"): 1}),
}
CASES_PER_UNIT = 15


def _cases() -> list[dict]:
    rows = []
    for month, (accepted, on_time, late_at, late) in MONTHS.items():
        for county in ("C01", "C02", "C03"):
            for dept, item in (("D01", "I01"), ("D02", "I02")):
                for n in range(CASES_PER_UNIT):
                    done = late_at if n < late.get((county, dept), 0) else on_time
                    rows.append({
                        "case_id": f"L{month}{county}{dept}{n:02d}", "item_code": item, "county_code": county,
                        "dept_code": dept, "channel": "online", "applicant_type": "person",
                        "received_at": dt.datetime.fromisoformat(accepted),
                        "accepted_at": dt.datetime.fromisoformat(accepted),
                        "completed_at": dt.datetime.fromisoformat(done), "deadline_at": None, "status": "completed",
                        "suspended_wd": 0, "promised_limit_wd": 5, "legal_limit_wd": 10})
    return rows


def facts():
    return {"cases": _table(_cases(), "cases"), "case_steps": _table([], "case_steps"),
            "ratings": _table([], "ratings"), "surveys": _table([], "surveys"), "tasks": _table([], "tasks")}


def publish(root: Path, snapshot_id: str, as_of: dt.datetime) -> SnapshotInfo:
    """The world as a snapshot taken at ``as_of`` (``asof.cut_at``), published into the store at ``root``."""
    reference = {"counties": _table(COUNTIES, "counties"), "departments": _table(DEPARTMENTS, "departments"),
                 "items": _table(ITEMS, "items")}
    return SnapshotStore(root).publish(
        snapshot_id, as_of=as_of, reference=reference,
        calendar_days=load_calendar_days(REPO_ROOT / "data" / "reference"), facts=cut_at(facts(), as_of),
        producer="tests/ledgerworld.py")

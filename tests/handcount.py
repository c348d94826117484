"""A fixture small enough to count by hand (snapshot time: Friday 2026-10-30 17:00).

The 2026 calendar it leans on: Spring Festival holiday 02-15..02-23 with make-up
working Saturdays 02-14 and 02-28; Mid-Autumn/National Day holidays 09-25..09-27 and
10-01..10-07 with make-up working days Sunday 09-20 and Saturday 10-10.

Cases (limits in working days; "wd" = working days; deadline = close of that day):

K01 I01 promised 10, acc Thu 02-12 → 02-13,02-14(Sat make-up),02-24..02-28(Sat),03-02,03-03,03-04
    deadline 03-04; completed Sat 02-28 (a make-up day): elapsed 7, on time, 3 wd early.
K02 I02 promised 5, acc Mon 02-16 (a holiday: counting starts 02-24) → deadline Sat 02-28;
    completed Mon 03-02: elapsed 6, late. Open and overdue at the end of February (its deadline's day
    closed at midnight).
K03 I03 immediate, acc and completed Sat 02-14 (make-up): elapsed 0, same day, on time.
K04 I03 immediate, acc Fri 02-13, completed Sat 02-14: elapsed 1, late (deadline 02-13).
K05 I01 promised 10 + 3 suspended, acc Tue 09-29 → 09-30,10-08,10-09,10-10(Sat),10-12..10-16,
    10-19 (10th), 10-20,10-21,10-22 (13th): deadline 10-22; completed 10-21: elapsed 12−3 = 9,
    on time, 1 wd early.
K06 I01 promised 10, acc Fri 10-09 → deadline 10-22; open at the snapshot: red light.
K07 I02 promised 5, acc Fri 10-23 → deadline 10-30 (today): open, not overdue, 0 wd left: yellow.
K08 I04 promised 3, acc Wed 10-28 → deadline Mon 11-02: open, 1 wd left: yellow.
K09 I01 promised 10, acc Mon 10-26 → deadline 11-09: open, 6 wd left: green.
K10 I04, acc Mon 10-12, system deadline 10-15 18:00, completed 10-15 17:00: elapsed 3, on time, not early.
K11 I03 immediate, acc and completed Sat 10-10 (make-up): elapsed 0, same day.
K12 I02, acc 10-14, withdrawn 10-16: counted as accepted, never as completed.
K13 I04 promised 3, acc Mon 10-19 → deadline 10-22; completed 10-27: elapsed 6, late.

K14 I02 promised 5, acc Tue 06-23, system deadline 06-30 23:59:59; completed Thu 07-02: elapsed 7 (06-24,
    06-25,06-26,06-29,06-30,07-01,07-02), late. Open and overdue at the end of June.
K15 I02 promised 5, acc Tue 06-23 → 06-24,06-25,06-26,06-29,06-30: derived deadline 06-30 (the same
    deadline as K14's); completed Fri 07-03: elapsed 8, late. Open and overdue at the end of June.
R9  bad (2), rated 06-24, verified 06-25, due 06-30 17:00, rectified 07-06: at the end of June due and
    not rectified; rectified late later.
R10 bad (1), rated 06-10, verified Thu 06-11, no due time: due 10 working days later (06-12, 06-15..18,
    06-19 Dragon Boat holiday, 06-22..26) = Fri 06-26; rectified 06-15: on time.
T6  due 06-30 18:00, completed 07-01 09:00: late.  T7 due 06-30 09:00, completed 06-30 17:00: the same
    day, so on time (a due time is the close of its day).

June 2026, whole city: accepted 2 (K14, K15), due 2, on time 0 → 按期办结率 0 %; open overdue 2 at the
end of June (K14 with its 23:59:59 deadline and K15 with its derived one alike); no completion; ratings
R9, R10: bad 2 of 2; due for rectification 2 (R9, R10), rectified by the end of June 1 (R10, on time)
→ 50 %, 50 %; tasks due 2 (T6 late, T7 on time) → 50 %.
July 2026: completed 2 (K14 7, K15 8: mean 7.5), both late → 办结件按时率 0 %; nothing due.

October 2026, whole city (state moment: the snapshot, Fri 10-30 17:00:01):
accepted 8 (K06–K13), online/mobile 4 (K06,K07,K10,K13);
按期办结率: due in October and passed by the snapshot K05, K06, K10, K11, K13 (K07 is due today, not yet
passed; K12 was withdrawn before its deadline 10-21), completed by the deadline K05, K10, K11 → 3/5 = 60 %;
办结件按时率: completed with a deadline K05, K10, K11, K13, on time 3 → 75 %;
承诺件 completed K05 (9), K10 (3), K13 (6) → mean 6, median 6, P90 6 + 0.8 × 3 = 8.4; early K05 → 1/3;
immediate accepted with the day closed K11, same day → 1/1; open overdue 1 (K06), yellow 2 (K07, K08);
items handled I01 (20/10), I02 (15/5), I03 (5/0), I04 (10/3) → compression 1 − 18/50 = 64 %;
ratings R1–R6, R8: good 2, satisfied 3 of 7; bad R2, R4, R8 (R6 was found unfounded on 10-23) → 3/7;
rectification due in October: R2 (due 10-29, rectified 10-30: late), R4 (due 10-28, pending) → 1/2 = 50 %,
on time 0 % (R8 is due 11-06); rated completed 3/4 (K11's review R5 is not linked to the case);
survey wave 2026H1 (completed 06-30) mean 3.5 → index 62.5;
tasks due by the snapshot 3 (T1 on time, T2 late, T3 open; T5's day has not closed) → 1/3.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from xiaoneng.paths import REPO_ROOT
from xiaoneng.reference import load_calendar_days
from xiaoneng.schema import FACT_TABLES, REFERENCE_TABLES
from xiaoneng.snapshots import SnapshotInfo, SnapshotStore

AS_OF = dt.datetime(2026, 10, 30, 17, 0, 0)


def T(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


COUNTIES = [
    {"county_code": "C01", "name_zh": "甲区", "name_en": "Jia District", "kind": "区"},
    {"county_code": "C02", "name_zh": "乙县", "name_en": "Yi County", "kind": "县"},
]
DEPARTMENTS = [
    {"dept_code": "D01", "name_zh": "市场监管局", "name_en": "Market Regulation", "category": "经济调节"},
    {"dept_code": "D02", "name_zh": "人社局", "name_en": "Human Resources", "category": "社会服务"},
]
ITEMS = [
    {"item_code": "I01", "name_zh": "食品经营许可", "dept_code": "D01", "item_type": "行政许可",
     "legal_limit_wd": 20, "promised_limit_wd": 10},
    {"item_code": "I02", "name_zh": "个体工商户登记", "dept_code": "D01", "item_type": "行政许可",
     "legal_limit_wd": 15, "promised_limit_wd": 5},
    {"item_code": "I03", "name_zh": "社保卡补办", "dept_code": "D02", "item_type": "公共服务",
     "legal_limit_wd": 5, "promised_limit_wd": 0},
    {"item_code": "I04", "name_zh": "就业登记", "dept_code": "D02", "item_type": "行政确认",
     "legal_limit_wd": 10, "promised_limit_wd": 3},
]
_LIMITS = {i["item_code"]: (i["promised_limit_wd"], i["legal_limit_wd"]) for i in ITEMS}


def _case(case_id, item, county, dept, channel, accepted, completed=None, status="completed",
          suspended=0, deadline=None, received=None):
    promised, legal = _LIMITS[item]
    return {
        "case_id": case_id, "item_code": item, "county_code": county, "dept_code": dept, "channel": channel,
        "applicant_type": "person", "received_at": T(received or accepted), "accepted_at": T(accepted),
        "completed_at": T(completed) if completed else None, "deadline_at": T(deadline) if deadline else None,
        "status": status, "suspended_wd": suspended, "promised_limit_wd": promised, "legal_limit_wd": legal,
    }


CASES = [
    _case("K01", "I01", "C01", "D01", "window", "2026-02-12 10:00", "2026-02-28 11:00"),
    _case("K02", "I02", "C01", "D01", "online", "2026-02-16 09:00", "2026-03-02 09:00",
          received="2026-02-15 09:00"),
    _case("K03", "I03", "C02", "D02", "window", "2026-02-14 09:30", "2026-02-14 16:00"),
    _case("K04", "I03", "C02", "D02", "kiosk", "2026-02-13 15:00", "2026-02-14 10:00"),
    _case("K05", "I01", "C01", "D01", "window", "2026-09-29 10:00", "2026-10-21 14:00", suspended=3),
    _case("K06", "I01", "C02", "D01", "mobile", "2026-10-09 09:00", status="in_progress"),
    _case("K07", "I02", "C01", "D01", "online", "2026-10-23 11:00", status="in_progress"),
    _case("K08", "I04", "C02", "D02", "window", "2026-10-28 10:00", status="in_progress"),
    _case("K09", "I01", "C01", "D01", "window", "2026-10-26 10:00", status="in_progress"),
    _case("K10", "I04", "C02", "D02", "online", "2026-10-12 10:00", "2026-10-15 17:00",
          deadline="2026-10-15 18:00"),
    _case("K11", "I03", "C01", "D02", "window", "2026-10-10 09:00", "2026-10-10 11:00"),
    _case("K12", "I02", "C02", "D01", "window", "2026-10-14 10:00", "2026-10-16 10:00", status="withdrawn"),
    _case("K13", "I04", "C01", "D02", "mobile", "2026-10-19 10:00", "2026-10-27 15:00"),
    # June 2026: two deadlines on the same day, written differently, both passed at the end of June
    _case("K14", "I02", "C01", "D01", "window", "2026-06-23 10:00", "2026-07-02 10:00",
          deadline="2026-06-30 23:59:59"),
    _case("K15", "I02", "C02", "D01", "online", "2026-06-23 11:00", "2026-07-03 15:00"),
]

CASE_STEPS = [
    {"case_id": "K13", "step_no": 1, "step_name": "受理", "handler_post": "D02-受理岗", "handler_id": "S01",
     "started_at": T("2026-10-19 10:00"), "ended_at": T("2026-10-19 11:00"), "step_limit_wd": 0},
    {"case_id": "K13", "step_no": 2, "step_name": "审核", "handler_post": "D02-审核岗", "handler_id": "S02",
     "started_at": T("2026-10-19 11:00"), "ended_at": T("2026-10-26 16:00"), "step_limit_wd": 2},
    {"case_id": "K13", "step_no": 3, "step_name": "决定", "handler_post": "D02-决定岗", "handler_id": "S03",
     "started_at": T("2026-10-26 16:00"), "ended_at": T("2026-10-27 15:00"), "step_limit_wd": 1},
    {"case_id": "K05", "step_no": 1, "step_name": "受理", "handler_post": "D01-受理岗", "handler_id": "S11",
     "started_at": T("2026-09-29 10:00"), "ended_at": T("2026-09-29 10:30"), "step_limit_wd": 0},
    {"case_id": "K05", "step_no": 2, "step_name": "审查", "handler_post": "D01-审查岗", "handler_id": "S12",
     "started_at": T("2026-09-29 10:30"), "ended_at": T("2026-10-21 14:00"), "step_limit_wd": 10},
]


def _rating(rid, case, county, dept, item, channel, rated, score, verified=None, due=None, rectified=None,
            status=None, revisit=None, tags=None):
    return {
        "rating_id": rid, "case_id": case, "county_code": county, "dept_code": dept, "item_code": item,
        "channel": channel, "rated_at": T(rated), "score": score, "reason_tags": tags, "comment": None,
        "verified_at": T(verified) if verified else None, "rectify_due_at": T(due) if due else None,
        "rectified_at": T(rectified) if rectified else None, "rectify_status": status, "revisit_score": revisit,
    }


RATINGS = [
    _rating("R1", "K05", "C01", "D01", "I01", "window", "2026-10-21 15:00", 5, tags="服务热情"),
    _rating("R2", "K13", "C01", "D02", "I04", "mobile", "2026-10-27 18:00", 1, verified="2026-10-28 10:00",
            due="2026-10-29 17:00", rectified="2026-10-30 10:00", status="rectified", revisit=4, tags="办事效率低"),
    _rating("R3", "K10", "C02", "D02", "I04", "online", "2026-10-16 09:00", 3),
    _rating("R4", None, "C02", "D01", None, "hotline", "2026-10-20 09:00", 2, verified="2026-10-21 09:00",
            due="2026-10-28 17:00", status="pending", tags="态度不好"),
    _rating("R5", None, "C01", "D02", "I03", "window", "2026-10-10 12:00", 4),
    _rating("R6", None, "C02", "D02", None, "sms", "2026-10-22 09:00", 2, verified="2026-10-23 09:00",
            status="unfounded"),
    _rating("R7", "K01", "C01", "D01", "I01", "window", "2026-02-28 12:00", 5),
    _rating("R8", None, "C02", "D01", None, "hotline", "2026-10-29 09:00", 1, verified="2026-10-30 09:00",
            due="2026-11-06 17:00", status="pending", tags="办事效率低"),
    _rating("R9", None, "C01", "D01", "I02", "hotline", "2026-06-24 09:00", 2, verified="2026-06-25 09:00",
            due="2026-06-30 17:00", rectified="2026-07-06 10:00", status="rectified", revisit=3, tags="办事效率低"),
    _rating("R10", None, "C01", "D01", "I02", "sms", "2026-06-10 09:00", 1, verified="2026-06-11 10:00",
            rectified="2026-06-15 16:00", status="rectified", revisit=4, tags="态度不好"),
]


def _survey(rid, wave, group, county, dept, dimension, score):
    return {"response_id": rid, "wave": wave, "respondent_group": group, "county_code": county,
            "dept_code": dept, "dimension": dimension, "score": score}


SURVEYS = [
    _survey("S1", "2026H1", "群众", "C01", "D01", "服务态度", 5),
    _survey("S2", "2026H1", "群众", "C01", "D01", "服务态度", 4),
    _survey("S3", "2026H1", "企业", "C02", "D02", "办事效率", 3),
    _survey("S4", "2026H1", "企业", "C02", "D02", "办事效率", 2),
    _survey("S5", "2025H2", "群众", "C01", "D01", "服务态度", 1),
    _survey("S6", "2025H2", "企业", "C02", "D02", "办事效率", 3),
]


def _task(tid, source, county, dept, assigned, due, completed=None):
    return {"task_id": tid, "source": source, "county_code": county, "dept_code": dept, "title": f"督办事项{tid}",
            "assigned_at": T(assigned), "due_at": T(due), "completed_at": T(completed) if completed else None,
            "status": "completed" if completed else "in_progress"}


TASKS = [
    _task("T1", "meeting", "C01", "D01", "2026-10-01 09:00", "2026-10-20 18:00", "2026-10-19 16:00"),
    _task("T2", "instruction", "C02", "D02", "2026-09-15 09:00", "2026-10-15 18:00", "2026-10-18 10:00"),
    _task("T3", "referral", "C01", "D02", "2026-10-05 09:00", "2026-10-28 18:00"),
    _task("T4", "meeting", "C02", "D01", "2026-10-10 09:00", "2026-11-10 18:00"),
    _task("T5", "meeting", "C01", "D01", "2026-10-12 09:00", "2026-10-31 12:00"),
    _task("T6", "instruction", "C02", "D02", "2026-06-01 09:00", "2026-06-30 18:00", "2026-07-01 09:00"),
    _task("T7", "meeting", "C01", "D02", "2026-06-01 09:00", "2026-06-30 09:00", "2026-06-30 17:00"),
]


def _table(rows: list[dict], name: str) -> pa.Table:
    schema = (FACT_TABLES.get(name) or REFERENCE_TABLES[name]).arrow_schema()
    return pa.Table.from_pylist(rows, schema=schema)


def reference_tables() -> dict[str, pa.Table]:
    return {"counties": _table(COUNTIES, "counties"), "departments": _table(DEPARTMENTS, "departments"),
            "items": _table(ITEMS, "items")}


def fact_tables() -> dict[str, pa.Table]:
    return {"cases": _table(CASES, "cases"), "case_steps": _table(CASE_STEPS, "case_steps"),
            "ratings": _table(RATINGS, "ratings"), "surveys": _table(SURVEYS, "surveys"),
            "tasks": _table(TASKS, "tasks")}


def publish_handcount(root: Path, snapshot_id: str = "handcount") -> SnapshotInfo:
    """Publish the fixture into the store at ``root``, with the repository's calendar (whatever XIAONENG_DATA says)."""
    calendar_days = load_calendar_days(REPO_ROOT / "data" / "reference")
    return SnapshotStore(root).publish(
        snapshot_id, as_of=AS_OF, reference=reference_tables(), calendar_days=calendar_days,
        facts=fact_tables(), producer="tests/handcount.py",
    )

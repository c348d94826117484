"""Deterministic demo data for the fictional prefecture-level city 清河市 (product.md §6).

``python -m xiaoneng demo`` publishes the snapshot ``demo``: the reference data of
``data/reference/`` (9 counties C01–C09, 20 departments D01–D20, 300 items) and
generated fact tables — cases, case_steps, ratings, surveys, tasks — for cases
accepted from 2025-01-01 up to the snapshot time 2026-10-31 23:59:59. The same
seed always gives the same tables; ``--cases`` sets the size of the world, which runs
to the horizon 2026-11-30 (500,000 cases by default, about 476,000 of them accepted by
the default snapshot time; millions for benchmarks). Everything is drawn with numpy in whole-array
operations, so there is no Python loop per case.

``--as-of YYYY-MM-DD`` publishes the snapshot as it stood at the close of that day:
the same world (same seed, same number of cases, the default horizon 2026-11-30
23:59:59) cut at that time by ``xiaoneng.asof.cut_at``, so ``demo --snapshot-id
demo-0930 --as-of 2026-09-30`` holds the September that ``demo`` holds, as known on
30 September (cases accepted later absent, later completions open, later
rectifications pending, the waves run by then), and ``demo --snapshot-id demo-1130
--as-of 2026-11-30`` is the next month's snapshot of the same October. An as-of after
the default horizon generates the world up to it instead (no cut). The cut is exact for this city
because everything a case records at acceptance is known from then on: its limits,
its system deadline_at and its suspended_wd (the special procedures are recorded at
acceptance, with the deadline that includes them).

How the city behaves
--------------------
* Volumes follow the official working-day calendar: cases are accepted on working
  days only (make-up Saturdays included, at three quarters of a normal day), busier
  on Mondays, quieter on Fridays; online and mobile applications are also received
  on weekends and holidays and accepted on the next working day. Before the Spring
  Festival the volume drops (to about half in the last week), the two weeks after it
  bring a backlog (about 40 % more cases, longer durations, more delays); the days
  around the National Day week are quieter, with a small catch-up afterwards. The
  counties differ in size (C01 清城区 is the largest, C07 云台县 the smallest), the
  items in popularity (public services and confirmations are frequent, licences rare).
* Durations are skewed in working days relative to each item's promised limit
  (lognormal share of the limit); a case is late with a probability set by its
  county, department and the stories below; late cases overrun by a lognormal
  number of days, and about 0.1 % get stuck for months (the aged red lights).
  Immediate items (承诺时限 0) are completed on the acceptance day unless late.
  About 5 % of cases spend 1–10 working days in special procedures (suspended_wd).
  About 1.5 % of licence cases (行政许可) and 0.5 % of the others are denied (denied,
  不予许可): a decision, so a completion timed like any other (completed_at, all its
  steps, late as often as a completed case). About 1 % are refused at intake (refused,
  不予受理: never an accepted case; accepted_at is when the window took the
  application up, completed_at the refusal, mostly on the spot, otherwise within
  two working days; no deadline_at, no special procedures, never open: a refusal
  not made by the snapshot time leaves the application out). About 1.2 % are
  withdrawn (never late). Cases whose completion lies after the
  snapshot time are open (in_progress), so open cases concentrate in the last weeks,
  with a tail of overdue ones (红灯) and some near their deadline (黄灯). 20 % of the
  cases carry the system's own deadline_at (close of the (promised + suspended)-th
  working day after acceptance); the others get it derived at publish.
* Steps: 受理 → (审查) → 审核 → 决定 → (送达), three to five per case (a denied case
  goes through all of them; a refused one has one or two, 受理 and at most the next;
  withdrawn cases stop early; an open case has the steps begun by the snapshot
  time, the current one without ended_at). Step limits add up to the promised limit.
  In a late case the overrun sits in one step, mostly the department's weak step
  and post.
* Ratings (好差评): about 40 % of decided cases (completed or denied; denied
  applicants are a little less pleased) are rated, through the window
  device, website, app, SMS or the 12345 hotline, plus a few hotline/SMS ratings
  without a case; scores are high for quick cases and much lower for late ones;
  bad reviews are verified, given a rectification deadline 10 days later and mostly
  rectified (some late, some still pending, a few unfounded), then revisited.
* Surveys (满意度测评) run twice a year, a wave in the snapshots from the last day of
  its half-year (30 June, 31 December) on (2025H1, 2025H2, 2026H1 by 2026-10-31): 21
  respondents (群众 8, 企业 5, 代表委员 2, 服务对象 6) per county × department × wave
  score the five dimensions; the means fall with the unit's share of late cases.
* Tasks (督办事项): a few thousand assignments from meetings, leaders' instructions
  and referrals, due 10–60 days after assignment, mostly completed on time.

Stories an analyst should find
------------------------------
(a) County C06 柳溪县 is poor in 2025 (about 82 % on time, 73 % in the Spring
    Festival backlog; its late cases also drag its ratings, surveys and task
    completion down) until a work-style campaign starts on 2026-03-01 (ramping up
    through 2026-05); from 2026-06 on it is at about 97–98 %, among the best.
(b) Department D04 自然资源和规划局 deteriorates through 2026: in its items D04-001
    建设工程规划许可证核发, D04-002 建设用地规划许可证核发 and D04-003
    建设项目用地预审与选址意见书核发 (together about 30 % of its cases) the late
    share climbs from about 5 % at the end of 2025 to about 35 % in August–September
    2026 and the on-time cases take longer too; its other items worsen slightly.
    The department's on-time rate falls from about 95 % (2025) to about 85 %
    (2026-Q3), its mean elapsed working days rise from about 3 to about 4.7. The
    overrun of its late cases sits in the 审核 step at post ``D04-审核岗-2`` (倒查:
    about three quarters of the working days beyond the step limits).
(c) Satisfaction falls where cases run late: late cases score about 3.3 against
    4.7 for on-time ones (差评率 about 32 % against 2 %), so D04 (2026) and C06
    (2025) have the highest 差评率; the survey means follow each unit's late share
    (办事效率 most), so D04's 办事效率 falls in 2026H1 and C06 scores lowest.
(d) Online + mobile take-up grows steadily from about 35 % (January 2025) to about
    58 % (October 2026), mobile gaining most.
(e) The checks on the data's honesty (数据真实性核查) each find one unit gaming its numbers from
    2026-07-01 on, and nothing else: see xiaoneng.integrity_demo for the units and what they do.
The city's overall on-time rate is about 95–96 % (即办率 about 97 %); at the
snapshot time about 0.4 % of the cases are open, a few hundred of them overdue.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from xiaoneng import integrity_demo, ledger_demo
from xiaoneng.asof import cut_at
from xiaoneng.reference import load_calendar_days, load_dimensions
from xiaoneng.schema import FACT_TABLES, RESPONDENT_GROUPS, SURVEY_DIMENSIONS
from xiaoneng.snapshots import SnapshotError, SnapshotInfo, SnapshotStore
from xiaoneng.workdays import WorkCalendar

DEFAULT_CASES = 500_000
DEFAULT_SEED = 20261031
DEFAULT_START = dt.date(2025, 1, 1)
DEFAULT_AS_OF = dt.datetime(2026, 10, 31, 23, 59, 59)
# The world runs a month past the default snapshot, so a November snapshot (the next 通报's) shows
# the same October as the default one.
DEFAULT_HORIZON = dt.datetime(2026, 11, 30, 23, 59, 59)

# The stories (module docstring).
STORY_COUNTY = "C06"
CAMPAIGN_START = dt.date(2026, 3, 1)
CAMPAIGN_FULL = dt.date(2026, 5, 31)
STORY_DEPT = "D04"
STORY_ITEMS = ("D04-001", "D04-002", "D04-003")
STORY_YEAR_START = dt.date(2026, 1, 1)
STORY_PEAK = dt.date(2026, 9, 30)
STORY_STEP = "审核"
STORY_POST = "D04-审核岗-2"

COUNTY_SIZE = {"C01": 1.7, "C02": 1.3, "C03": 1.1, "C04": 0.8, "C05": 0.6,
               "C06": 0.75, "C07": 0.5, "C08": 1.2, "C09": 0.9}
COUNTY_LATE = {"C01": 0.030, "C02": 0.036, "C03": 0.032, "C04": 0.045, "C05": 0.040,
               "C06": 0.200, "C07": 0.050, "C08": 0.028, "C09": 0.038}
CAMPAIGN_LATE = 0.022  # C06 after the campaign
DEPT_ENTERPRISE = {"D01": 0.75, "D02": 0.2, "D03": 0.05, "D04": 0.3, "D05": 0.6, "D06": 0.5, "D07": 0.35,
                   "D08": 0.03, "D09": 0.1, "D10": 0.7, "D11": 0.1, "D12": 0.9, "D13": 0.35, "D14": 0.7,
                   "D15": 0.9, "D16": 0.7, "D17": 0.9, "D18": 0.6, "D19": 0.1, "D20": 0.2}
ENTERPRISE_WORDS = ("企业", "公司", "经营", "生产", "单位", "资质", "机构", "建设项目", "合作社")
PERSON_WORDS = ("居民", "婚", "出生", "身份证", "护照", "通行证", "驾驶", "个人", "社会保障卡", "户口", "户籍",
                "学生", "教师资格", "退休", "救助", "最低生活", "待遇", "公证", "法律援助", "提取", "就医",
                "门诊", "生育", "医师", "护士", "导游", "律师执业", "高龄", "残疾", "孤儿", "养犬")
TYPE_VOLUME = {"公共服务": 3.0, "行政确认": 2.0, "行政给付": 1.2, "其他行政权力": 1.0, "行政许可": 0.7}
TYPE_DIGITAL = {"公共服务": 1.25, "行政给付": 1.15, "行政确认": 1.0, "其他行政权力": 1.1, "行政许可": 0.8}

# Steps: kinds 0..4 and three templates (3, 4 and 5 steps); limits split by the fractions.
STEP_NAMES = ("受理", "审查", "审核", "决定", "送达")
POSTS_PER_STEP = np.array([3, 2, 3, 1, 2])
TEMPLATE_KINDS = np.array([[0, 2, 3, -1, -1], [0, 1, 2, 3, -1], [0, 1, 2, 3, 4]], dtype=np.int8)
TEMPLATE_FRACS = np.array([[0, 0.7, 0.3, 0, 0], [0, 0.4, 0.35, 0.25, 0], [0, 0.35, 0.3, 0.2, 0.15]])

CASE_CHANNELS = ("window", "online", "mobile", "kiosk")
RATING_CHANNELS = ("window", "online", "mobile", "sms", "hotline")
RATE_PROBABILITY = np.array([0.46, 0.36, 0.44, 0.30])  # by case channel
RATING_CHANNEL_P = np.array([  # rows: case channel; columns: rating channel
    [0.55, 0.00, 0.00, 0.37, 0.08],
    [0.00, 0.72, 0.00, 0.22, 0.06],
    [0.00, 0.00, 0.82, 0.13, 0.05],
    [0.45, 0.00, 0.00, 0.48, 0.07],
])
SCORE_P = np.array([  # scores 1..5
    [0.005, 0.010, 0.045, 0.170, 0.770],  # on time, quick
    [0.020, 0.030, 0.100, 0.250, 0.600],  # on time, used most of the limit
    [0.150, 0.170, 0.200, 0.230, 0.250],  # late
    [0.180, 0.170, 0.200, 0.200, 0.250],  # hotline / SMS without a case
])
TAGS = {
    "good": ("服务热情", "一次办好", "办事高效", "流程简便", "指引清晰", "服务热情;一次办好", "办事高效;一次办好",
             "流程简便;材料精简"),
    "mid": ("等待时间长", "材料较多", "流程较复杂", "等待时间长;流程较复杂"),
    "bad_late": ("办事效率低", "办事效率低;超期未办结", "办事效率低;态度不好", "多次跑动;办事效率低"),
    "bad": ("态度不好", "多次跑动", "材料要求多", "指引不清", "系统不好用", "态度不好;指引不清"),
}
COMMENTS = {
    5: ("办事很快，点赞！", "工作人员很耐心，讲解清楚", "一次就办好了，省心", "网上就能办，太方便了",
        "服务周到，流程清楚"),
    4: ("总体满意", "办理比较顺利", "还可以，希望再快一点", "工作人员态度不错"),
    3: ("等的时间有点长", "材料要求有点多", "一般，希望简化流程"),
    2: ("跑了好几趟才办好", "窗口人员态度一般", "材料反复补正，很麻烦", "系统经常卡顿"),
    1: ("态度很差，问什么都不耐烦", "多次补材料，效率太低", "咨询电话一直打不通"),
    0: ("超过承诺时间还没办完", "拖了很久，没人说明原因", "承诺时限形同虚设", "办理时间太长了"),  # late cases, bad
}
TASK_SOURCES = ("meeting", "instruction", "referral")
TASK_TEMPLATES = {
    "meeting": ("市委常委会会议议定事项：{}", "市政府常务会议交办：{}", "作风效能推进会交办：{}"),
    "instruction": ("市领导批示件：{}", "关于{}的领导批示办理"),
    "referral": ("省督查组转办：{}", "12345热线转办：{}", "人大代表建议办理：{}"),
}
TASK_TOPICS = ("优化营商环境", "压缩审批时限", "推进一网通办", "企业开办一日办结", "工程建设项目审批提速",
               "不动产登记提速", "社保待遇资格认证", "老旧小区改造", "农村人居环境整治", "安全生产专项整治",
               "食品安全监管",
               "校外培训治理", "医保基金监管", "河湖长制落实", "占道经营整治", "好差评差评整改", "热线诉求办理",
               "高效办成一件事", "减证便民", "窗口服务作风整顿", "涉企收费清理", "清理拖欠企业账款", "信访积案化解",
               "生态环境问题整改", "耕地保护", "防汛备汛", "燃气安全排查", "文明城市创建", "重点项目建设提速",
               "政务公开专项检查")

US_PER_MIN = 60_000_000
US_PER_HOUR = 60 * US_PER_MIN
US_PER_DAY = 24 * US_PER_HOUR
STEP_CHUNK = 250_000

# Status codes while generating.
COMPLETED, IN_PROGRESS, DENIED, REFUSED, WITHDRAWN = 0, 1, 2, 3, 4
STATUS_NAMES = ("completed", "in_progress", "denied", "refused", "withdrawn")
DENIED_SHARE = {True: 0.015, False: 0.005}  # 不予许可, by item: licence (行政许可) or other
REFUSED_SHARE = 0.01  # 不予受理, refused at intake
WITHDRAWN_SHARE = 0.012


# ---------------------------------------------------------------------------------------------
# small helpers


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _us(moment: dt.datetime) -> int:
    return _day_number(moment.date()) * US_PER_DAY + (
        (moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond


def _ramp(days: np.ndarray, begin: dt.date, end: dt.date) -> np.ndarray:
    """0 before ``begin``, 1 from ``end``, linear in between."""
    b, e = _day_number(begin), _day_number(end)
    return np.clip((days - b) / max(e - b, 1), 0.0, 1.0)


def _pick(rng: np.random.Generator, cdf_rows: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Per element, an index drawn from the cumulative distribution ``cdf_rows[row]``."""
    u = rng.random(len(row))
    cdf = cdf_rows[row]
    return (u[:, None] > cdf[:, :-1]).sum(axis=1)


def _strings(values, indices: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pc.take(pa.array(list(values), type=pa.string()), pa.array(indices.astype(np.int32), mask=mask))


def _ts(us: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(us.astype(np.int64), type=pa.timestamp("us"), mask=mask)


def _int(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(values.astype(np.int32), type=pa.int32(), mask=mask)


def _numbered(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    text = pc.utf8_lpad(pa.array(numbers.astype(np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    schema = FACT_TABLES[name].arrow_schema()
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


class _Days:
    """Working-day arithmetic on int64 day numbers, clipped at the end of the calendar."""

    def __init__(self, calendar: WorkCalendar):
        self.cal = calendar
        table = calendar.table()
        self.first = _day_number(calendar.start)
        self.last = _day_number(calendar.end)
        self.working = table.column("is_working_day").to_numpy(zero_copy_only=False)
        self.kind = np.array(table.column("day_kind").to_pylist(), dtype=object)
        self.name = np.array(table.column("name_zh").to_pylist(), dtype=object)
        self.max_index = int(table.column("wd_index").to_numpy()[-1])
        pos = np.arange(len(self.working))
        last_working = np.maximum.accumulate(np.where(self.working, pos, -1))
        previous = np.r_[-1, last_working[:-1]]
        self.gap = np.where(pos > 0, pos - 1 - previous, 0)  # non-working days right before each date
        self.gap[previous < 0] = 0

    def index(self, days: np.ndarray) -> np.ndarray:
        return self.cal.wd_index_array(days.astype("datetime64[D]"))

    def add(self, days: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The n-th working day after each day (the last working day of the calendar at most)."""
        days, n = np.broadcast_arrays(np.asarray(days, dtype=np.int64), np.asarray(n, dtype=np.int64))
        shape = days.shape
        days, n = days.ravel(), n.ravel()
        n = np.minimum(n, self.max_index - self.index(days))
        out = self.cal.add_working_days_array(days.astype("datetime64[D]"), n).astype(np.int64)
        return out.reshape(shape)

    def on_or_after(self, days: np.ndarray) -> np.ndarray:
        """The first working day on or after each day (the day itself past the end of the calendar)."""
        days = np.asarray(days, dtype=np.int64)
        found = self.add(np.minimum(days, self.last) - 1, 1)
        return np.where(found >= days, found, days)

    def office_time(self, moments: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Each moment moved to office hours (08:30–17:50) of the first working day on or after it."""
        day = moments // US_PER_DAY
        minute = (moments - day * US_PER_DAY) // US_PER_MIN
        inside = day <= self.last  # later moments (after any snapshot) stay as they are
        work_day = self.on_or_after(np.minimum(day, self.last))
        stays = ~inside | ((work_day == day) & (minute >= 510) & (minute < 1070))
        moved = work_day * US_PER_DAY + rng.integers(510 * US_PER_MIN, 1070 * US_PER_MIN, len(moments))
        return np.where(stays, moments, np.maximum(moved, moments))

    def holiday_blocks(self, name: str) -> list[tuple[int, int]]:
        """(first, last) day numbers of the runs of public holidays called ``name``."""
        hit = np.flatnonzero((self.kind == "holiday") & (self.name == name))
        if len(hit) == 0:
            return []
        breaks = np.flatnonzero(np.diff(hit) > 1)
        firsts = np.r_[hit[0], hit[breaks + 1]]
        lasts = np.r_[hit[breaks], hit[-1]]
        return [(int(a) + self.first, int(b) + self.first) for a, b in zip(firsts, lasts, strict=True)]


class _Reference:
    """The reference tables as arrays, with each item's generated profile."""

    def __init__(self, reference: dict[str, pa.Table], rng: np.random.Generator):
        self.counties = reference["counties"].column("county_code").to_pylist()
        self.depts = reference["departments"].column("dept_code").to_pylist()
        items = reference["items"]
        self.items = items.column("item_code").to_pylist()
        names = items.column("name_zh").to_pylist()
        types = items.column("item_type").to_pylist()
        dept_pos = {d: i for i, d in enumerate(self.depts)}
        self.item_dept = np.array([dept_pos[d] for d in items.column("dept_code").to_pylist()], dtype=np.int64)
        legal = items.column("legal_limit_wd").to_pylist()
        promised = items.column("promised_limit_wd").to_pylist()
        self.legal = np.array([-1 if v is None else v for v in legal], dtype=np.int64)
        self.promised = np.array([-1 if v is None else v for v in promised], dtype=np.int64)
        # The limit the durations are drawn against, for items without a promised limit too.
        self.limit = np.where(self.promised >= 0, self.promised, np.where(self.legal >= 0, self.legal, 5))
        n_items, n_depts = len(self.items), len(self.depts)

        self.county_size = np.array([COUNTY_SIZE.get(c, 1.0) for c in self.counties])
        self.county_late = np.array([COUNTY_LATE.get(c, 0.04) for c in self.counties])
        self.story_county = self.counties.index(STORY_COUNTY) if STORY_COUNTY in self.counties else -1
        self.story_dept = dept_pos.get(STORY_DEPT, -1)
        self.story_item = np.isin(np.array(self.items, dtype=object), STORY_ITEMS)

        volume = np.exp(rng.normal(0.0, 0.7, n_items))
        volume *= np.array([TYPE_VOLUME.get(t, 1.0) for t in types]) / (1.0 + self.limit / 8.0)
        if self.story_item.any():  # the deteriorating items are the department's core business: ~30 % of it
            rest = (self.item_dept == self.item_dept[self.story_item][0]) & ~self.story_item
            volume[self.story_item] = 0.15 * volume[rest].sum()
        self.item_volume = volume / volume.sum()
        digital = np.exp(rng.normal(0.0, 0.3, n_items)) * np.array([TYPE_DIGITAL.get(t, 1.0) for t in types])
        self.item_digital = digital / (self.item_volume * digital).sum()
        share = np.array([DEPT_ENTERPRISE.get(self.depts[d], 0.3) for d in self.item_dept])
        share *= np.exp(rng.normal(0.0, 0.2, n_items))
        for i, name in enumerate(names):
            if any(w in name for w in ENTERPRISE_WORDS):
                share[i] = max(share[i], 0.85)
            elif any(w in name for w in PERSON_WORDS):
                share[i] = min(share[i], 0.04)
        self.item_enterprise = np.clip(share, 0.01, 0.98)
        self.item_permit = np.array([t == "行政许可" for t in types])
        self.item_template = np.where(self.limit == 0, 0, np.where(self.limit <= 5, 1, 2))
        self.item_template[(self.limit > 5) & (rng.random(n_items) < 0.3)] = 1

        self.dept_late = np.exp(rng.normal(0.0, 0.3, n_depts))
        self.weak_kind = rng.integers(1, 4, n_depts)  # 审查, 审核 or 决定
        self.weak_post = 1 + (rng.random(n_depts) * POSTS_PER_STEP[self.weak_kind]).astype(np.int64)
        if self.story_dept >= 0:
            self.dept_late[self.story_dept] = 1.0
            self.weak_kind[self.story_dept] = STEP_NAMES.index(STORY_STEP)
            self.weak_post[self.story_dept] = int(STORY_POST.rsplit("-", 1)[1])
        self.posts = [f"{d}-{s}岗-{p}" for d in self.depts for s in STEP_NAMES for p in (1, 2, 3)]
        handlers = rng.choice(np.arange(10_000, 100_000), len(self.counties) * n_depts * 5 * 3 * 2, replace=False)
        self.handlers = [f"H{h}" for h in handlers]


# ---------------------------------------------------------------------------------------------
# cases


def _day_weights(days: _Days, first: int, last: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day numbers first..last, their share of acceptances, and the post-Spring-Festival backlog flag."""
    day = np.arange(first, last + 1)
    pos = day - days.first
    working = days.working[pos]
    weekday = (day + 3) % 7  # 0 = Monday
    w = np.where(working, 1.0, 0.0) * np.array([1.15, 1.05, 1.0, 1.0, 0.88, 0.75, 0.75])[weekday]
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    w *= np.array([1.0, 1.0, 1.05, 1.0, 1.0, 1.02, 0.97, 0.93, 1.0, 1.0, 1.03, 1.08])[month]
    w *= 1.0 + 0.08 * (day - first) / 365.0
    backlog = np.zeros(len(day), dtype=bool)
    for a, b in days.holiday_blocks("春节"):
        w[(day >= a - 7) & (day < a)] *= 0.5
        w[(day >= a - 14) & (day < a - 7)] *= 0.8
        w[(day > b) & (day <= b + 10)] *= 1.45
        w[(day > b + 10) & (day <= b + 17)] *= 1.15
        backlog |= (day > b) & (day <= b + 14)
    for a, b in days.holiday_blocks("国庆节"):
        w[(day >= a - 3) & (day < a)] *= 0.85
        w[(day > b) & (day <= b + 7)] *= 1.12
    return day, w / w.sum(), backlog


def _generate_cases(n: int, ref: _Reference, days: _Days, start: dt.date, as_of: dt.datetime,
                    rng: np.random.Generator, stories: np.random.Generator) -> dict[str, np.ndarray]:
    as_of_us = _us(as_of)
    last = as_of.date() if as_of.time() >= dt.time(18, 0) else as_of.date() - dt.timedelta(days=1)
    first_day, last_day = _day_number(start), _day_number(last)
    day_range, p_day, backlog_flag = _day_weights(days, first_day, last_day)

    # When: a working day by its weight, a time in office hours; sorted, so case ids run in time order.
    day = day_range[rng.choice(len(day_range), n, p=p_day)]
    morning = rng.random(n) < 0.58
    minute = np.where(morning, 510 + 210 * rng.beta(2.0, 2.5, n), 810 + 240 * rng.beta(1.8, 2.2, n))
    acc = np.sort(day * US_PER_DAY + (minute * US_PER_MIN).astype(np.int64) + rng.integers(0, US_PER_MIN, n))
    day = acc // US_PER_DAY
    del minute, morning
    backlog = backlog_flag[day - first_day]
    t = (day - first_day) / max(last_day - first_day, 1)  # 0 .. 1 over the period

    # Where and what.
    n_items = len(ref.items)
    combo = rng.choice(len(ref.counties) * n_items, n, p=np.outer(ref.county_size / ref.county_size.sum(),
                                                                 ref.item_volume).ravel())
    county, item = combo // n_items, combo % n_items
    del combo
    dept = ref.item_dept[item]
    limit = ref.limit[item]

    # Channel: digital take-up grows from about 35 % to 60 %, mobile gaining most.
    p_digital = np.clip((0.35 + 0.25 * t) * ref.item_digital[item], 0.02, 0.95)
    digital = rng.random(n) < p_digital
    mobile = rng.random(n) < 0.35 + 0.25 * t
    kiosk = rng.random(n) < 0.08
    channel = np.where(digital, np.where(mobile, 2, 1), np.where(kiosk, 3, 0)).astype(np.int8)
    del p_digital, mobile, kiosk
    enterprise = rng.random(n) < ref.item_enterprise[item]

    # Received: at the window just before acceptance; online also the evening or the days off before.
    gap = days.gap[day - days.first]
    lag_days = np.where(rng.random(n) < 0.5, 0, 1 + (rng.random(n) * (gap + 1)).astype(np.int64))
    lag_days[~digital] = 0
    same_day_lag = np.where(digital, rng.integers(5, 240, n), rng.integers(2, 45, n)) * US_PER_MIN
    evening = rng.integers(17 * 60, 24 * 60, n)
    anytime = rng.integers(7 * 60, 24 * 60, n)
    rec_minute = np.where(lag_days == gap + 1, evening, anytime)
    received = np.where(lag_days == 0, acc - same_day_lag,
                        (day - lag_days) * US_PER_DAY + rec_minute * US_PER_MIN + rng.integers(0, US_PER_MIN, n))
    del gap, lag_days, same_day_lag, evening, anytime, rec_minute, digital

    # The honesty stories (xiaoneng.integrity_demo), drawn from their own stream: one planted unit each.
    planted = {check: integrity_demo.unit_mask(check, ref.counties, ref.depts, county, dept, day)
              for check in integrity_demo.STORY_UNITS}
    wd = days.index(day)
    received = integrity_demo.plant_intake_waits(received, day, planted["intake_wait"], days.working, days.first, wd,
                                                 stories)

    # How late: county × department × item × season × stories.
    q = ref.county_late[county] * ref.dept_late[dept]
    mu = np.full(n, np.log(0.35))
    if ref.story_county >= 0:
        in_county = county == ref.story_county
        campaign = _ramp(day, CAMPAIGN_START, CAMPAIGN_FULL)
        q = np.where(in_county, (COUNTY_LATE[STORY_COUNTY] * (1 - campaign) + CAMPAIGN_LATE * campaign)
                     * ref.dept_late[dept], q)
        mu += np.where(in_county, 0.15 * (1 - campaign), 0.0)
        del in_county, campaign
    story = np.zeros(n)
    if ref.story_dept >= 0:
        story = _ramp(day, STORY_YEAR_START, STORY_PEAK) * (dept == ref.story_dept)
        story_item = ref.story_item[item]
        q *= np.where(story_item, 1 + 11 * story, 1 + 1.2 * story)
        mu += np.where(story_item, np.log(0.75 / 0.35) * story, 0.2 * story)
        story = np.where(story_item, story, 0.0)
        del story_item
    q = np.where(backlog, q * 1.8, q)
    mu += np.where(backlog, 0.25, 0.0)
    q = np.where(limit == 0, q * 0.7, q)
    late = rng.random(n) < np.minimum(q, 0.9)
    del q

    # Status: a few are denied (不予许可: a decision, timed and possibly late like any completion),
    # refused at intake (不予受理) or withdrawn (never late); the rest run to completion.
    u = rng.random(n)
    p_denied = np.where(ref.item_permit[item], DENIED_SHARE[True], DENIED_SHARE[False])
    status = np.select([u < p_denied, u < p_denied + REFUSED_SHARE, u > 1.0 - WITHDRAWN_SHARE],
                       [DENIED, REFUSED, WITHDRAWN], COMPLETED).astype(np.int8)
    del p_denied
    applicant = integrity_demo.applicant_numbers(n, stories)
    status, applicant, planted_refusals = integrity_demo.plant_resubmissions(
        status, applicant, item, wd, planted["resubmission"], COMPLETED, REFUSED, stories)
    decided = (status == COMPLETED) | (status == DENIED)
    late &= decided
    refused = status == REFUSED

    # Durations in working days (excluding suspension).
    on_time_wd = np.minimum(np.floor(np.exp(mu + 0.55 * rng.standard_normal(n)) * (limit + 1)), limit)
    excess = 1 + np.floor(np.exp(np.log(0.12 * limit + 0.6) + 0.75 * rng.standard_normal(n)) * (1 + story))
    excess = np.where(limit == 0, rng.geometric(0.55, n), excess)  # immediate items: 1, 2, 3 … days late
    stuck = late & (rng.random(n) < 0.02)
    excess = np.where(stuck, rng.integers(20, 300, n), excess)
    elapsed = np.where(late, limit + excess, on_time_wd)
    # Refused at intake: on the spot mostly, otherwise within two working days (never suspended).
    elapsed = np.where(refused, np.where(rng.random(n) < 0.7, 0, rng.integers(1, 3, n)), elapsed)
    elapsed = np.where(status == WITHDRAWN, np.floor(rng.uniform(0.0, 0.6, n) * (limit + 1)), elapsed)
    elapsed = np.minimum(elapsed, np.where(decided | refused, 10_000, limit)).astype(np.int64)
    elapsed[planted_refusals] = 0  # refused on the spot, re-submitted a few days later
    del mu, on_time_wd, excess, stuck, u, story, decided
    suspended = np.where((limit >= 3) & (rng.random(n) < np.where(ref.item_permit[item], 0.075, 0.035)) & ~refused,
                         rng.integers(1, 11, n), 0)
    suspended = integrity_demo.plant_suspensions(suspended, planted["suspension_share"] & (limit >= 3) & ~refused,
                                                 stories)

    # Completion: a working day reached from the acceptance date; same-day cases a little later.
    total = elapsed + suspended
    done_day = days.add(day, total)
    acc_minute = (acc - day * US_PER_DAY) // US_PER_MIN
    quick = np.where(limit == 0, rng.integers(8, 90, n), rng.integers(30, 300, n))
    quick = np.where(refused, rng.integers(5, 120, n), quick)
    same_day = acc + np.maximum(np.minimum(quick, 19 * 60 - acc_minute), 5) * US_PER_MIN
    later = done_day * US_PER_DAY + rng.integers(525, 1070, n) * US_PER_MIN + rng.integers(0, US_PER_MIN, n)
    done = np.where(total == 0, same_day, later)
    # Stories: batches accepted and completed within minutes; completions late in the evening of the deadline day.
    eligible = (status == COMPLETED) & (ref.promised[item] >= 1) & ~late
    batch = integrity_demo.quick_batch_rows(planted["quick_batch"] & eligible, day, stories)
    done[batch] = integrity_demo.quick_completions(acc, batch, stories)
    elapsed[batch], suspended[batch] = 0, 0
    rush = integrity_demo.deadline_rush_rows(planted["deadline_rush"] & eligible & (limit == ref.promised[item]),
                                             stories)
    elapsed[rush] = limit[rush]
    done[rush] = integrity_demo.late_evening(days.add(day[rush], limit[rush] + suspended[rush]), stories)
    del eligible, batch, rush, wd, planted_refusals, planted
    # A refusal is known at the snapshot time or the application is not a case yet: refusals that would
    # fall after it happen on the spot instead, and those still after it (a snapshot taken in the evening
    # of the acceptance day) are left out.
    late_refusal = refused & (done > as_of_us)
    done = np.where(late_refusal, same_day, done)
    elapsed = np.where(late_refusal, 0, elapsed)
    kept = ~(refused & (done > as_of_us))
    del acc_minute, quick, same_day, later, late_refusal
    open_ = done > as_of_us
    status = np.where(open_, IN_PROGRESS, status).astype(np.int8)

    # The system's own deadline on a fifth of the cases.
    promised = ref.promised[item]
    due_total = np.maximum(promised, 0) + suspended
    fits = days.index(day) + due_total <= days.max_index
    has_deadline = (rng.random(n) < 0.2) & (promised >= 0) & fits & ~refused  # a refused case promises nothing
    deadline = days.add(day, np.where(has_deadline, due_total, 0)) * US_PER_DAY + US_PER_DAY - 1_000_000
    del due_total, fits, refused

    small = np.int32  # codes and working days: halves the memory of the arrays kept for steps and ratings
    c = {
        "day": day, "acc": acc, "received": received, "done": done, "deadline": deadline,
        "has_deadline": has_deadline, "county": county.astype(small), "item": item.astype(small),
        "dept": dept.astype(small), "channel": channel, "enterprise": enterprise, "status": status, "late": late,
        "elapsed": elapsed.astype(small), "suspended": suspended.astype(small), "limit": limit.astype(small),
        "applicant": applicant,
    }
    del day, acc, received, done, deadline, has_deadline, county, item, dept, channel, enterprise, status, late
    del applicant
    del elapsed, suspended, limit
    if not kept.all():
        c = {name: values[kept] for name, values in c.items()}
    day, county = c["day"], c["county"].astype(np.int64)
    n = len(day)

    # Case ids: QH + yyyymmdd + county number + running number of the day in that county.
    key = day * 128 + county
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    pos = np.arange(n)
    seq = np.empty(n, dtype=np.int64)
    seq[order] = pos - np.maximum.accumulate(np.where(starts, pos, 0)) + 1
    del key, order, sorted_key, starts, pos
    dates = day.astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    ymd = ((months.astype("datetime64[Y]").astype(np.int64) + 1970) * 10_000
           + (months.astype(np.int64) % 12 + 1) * 100 + (dates - months.astype("datetime64[D]")).astype(np.int64) + 1)
    c["case_id"] = _numbered("QH", ymd * 100_000_000 + (county + 1) * 1_000_000 + seq, 16)
    return c


def _cases_table(c: dict[str, np.ndarray], ref: _Reference) -> pa.Table:
    status = c["status"]
    open_ = status == IN_PROGRESS
    promised, legal = ref.promised[c["item"]], ref.legal[c["item"]]
    return _table("cases", {
        "case_id": c["case_id"],
        "item_code": _strings(ref.items, c["item"]),
        "county_code": _strings(ref.counties, c["county"]),
        "dept_code": _strings(ref.depts, c["dept"]),
        "channel": _strings(CASE_CHANNELS, c["channel"]),
        "applicant_type": _strings(("person", "enterprise"), c["enterprise"]),
        "received_at": _ts(c["received"]),
        "accepted_at": _ts(c["acc"]),
        "completed_at": _ts(c["done"], mask=open_),
        "deadline_at": _ts(c["deadline"], mask=~c["has_deadline"]),
        "status": _strings(STATUS_NAMES, status),
        "suspended_wd": _int(c["suspended"]),
        "promised_limit_wd": _int(promised, mask=promised < 0),
        "legal_limit_wd": _int(legal, mask=legal < 0),
        "applicant_id": _numbered("AP", c["applicant"], 10),
    })


# ---------------------------------------------------------------------------------------------
# steps


def _steps_chunk(c: dict[str, np.ndarray], sl: slice, ref: _Reference, days: _Days, as_of_us: int,
                 rng: np.random.Generator) -> pa.Table:
    item, dept, county = c["item"][sl], c["dept"][sl], c["county"][sl]
    status, late = c["status"][sl], c["late"][sl]
    day, acc, done = c["day"][sl], c["acc"][sl], c["done"][sl]
    limit, elapsed, suspended = c["limit"][sl], c["elapsed"][sl], c["suspended"][sl]
    m = len(item)
    rows = np.arange(m)
    col = np.arange(5)[None, :]
    template = ref.item_template[item]
    kinds = TEMPLATE_KINDS[template].astype(np.int64)
    fracs = TEMPLATE_FRACS[template]
    n_steps = template + 3
    refused, withdrawn = status == REFUSED, status == WITHDRAWN
    n_steps = np.where(refused, np.where(rng.random(m) < 0.6, 1, 2), n_steps)
    n_steps = np.where(withdrawn, 2 + (rng.random(m) * (template + 2)).astype(np.int64), n_steps)
    in_case = col < n_steps[:, None]

    # Step limits: the promised limit split by the template's fractions (受理 gets 0).
    lim = np.floor(fracs * limit[:, None]).astype(np.int64)
    lim[:, 1] += limit - lim.sum(axis=1)

    # Working days per step: the normal part in proportion to the limits, a late case's overrun in one step.
    base = np.where(late, np.floor(limit * rng.uniform(0.6, 1.0, m)).astype(np.int64), elapsed)
    extra = np.where(late, elapsed - base, 0)
    weights = np.where(limit[:, None] > 0, fracs, (kinds > 0) / (template + 2)[:, None])
    weights = weights * np.exp(0.35 * rng.standard_normal((m, 5))) * in_case * (col >= 1)
    weight_sum = weights.sum(axis=1)
    weight_sum[weight_sum == 0] = 1.0  # a single step: it takes everything
    cum = np.rint(base[:, None] * np.cumsum(weights, axis=1) / weight_sum[:, None]).astype(np.int64)
    cum = np.where(col >= n_steps[:, None] - 1, base[:, None], np.minimum(cum, base[:, None]))
    alloc = np.diff(cum, axis=1, prepend=0)
    weak = ref.weak_kind[dept]
    kind_of_overrun = np.where(rng.random(m) < np.where(dept == ref.story_dept, 0.92, 0.8), weak,
                               rng.integers(1, 4, m))
    overrun_col = np.argmax(kinds == kind_of_overrun[:, None], axis=1)
    overrun_col = np.where(kinds[rows, overrun_col] == kind_of_overrun, overrun_col,
                           np.argmax(kinds == 2, axis=1))
    alloc[rows, overrun_col] += extra
    alloc[:, 1] += suspended
    bound_day = days.add(day[:, None], np.cumsum(alloc, axis=1))

    # Times: 受理 closes minutes after acceptance; other boundaries in office hours, in order.
    acc_end = acc + np.minimum(rng.integers(2, 20, m) * US_PER_MIN, (done - acc) * 3 // 10)
    done_day = done // US_PER_DAY
    lo = np.where(bound_day == day[:, None], acc_end[:, None], bound_day * US_PER_DAY + 510 * US_PER_MIN)
    hi = np.where(bound_day == done_day[:, None], done[:, None], bound_day * US_PER_DAY + 1070 * US_PER_MIN)
    hi = np.maximum(hi, lo)
    ends = lo + (np.sort(rng.random((m, 5)), axis=1) * (hi - lo)).astype(np.int64)
    ends[:, 0] = acc_end
    ends = np.where(col == n_steps[:, None] - 1, done[:, None], ends)
    ends = np.maximum.accumulate(ends, axis=1)
    starts = np.concatenate([acc[:, None], ends[:, :-1]], axis=1)
    keep = in_case & (starts <= as_of_us)

    # Posts and handlers: a late case's overrun mostly at its department's weak post.
    post = 1 + (rng.random((m, 5)) * POSTS_PER_STEP[np.maximum(kinds, 0)]).astype(np.int64)
    at_weak = late & (kind_of_overrun == weak) & (rng.random(m) < 0.85)
    post[rows[at_weak], overrun_col[at_weak]] = ref.weak_post[dept[at_weak]]
    r, k = np.nonzero(keep)
    kind = kinds[r, k]
    post_index = (dept[r] * 5 + kind) * 3 + post[r, k] - 1
    handler = ((county[r] * len(ref.depts) + dept[r]) * 15 + (kind * 3 + post[r, k] - 1)) * 2 + rng.integers(0, 2,
                                                                                                             len(r))
    ended = ends[r, k]
    return _table("case_steps", {
        "case_id": pc.take(c["case_id"], pa.array(r + sl.start)),
        "step_no": _int(k + 1),
        "step_name": _strings(STEP_NAMES, kind),
        "handler_post": _strings(ref.posts, post_index),
        "handler_id": _strings(ref.handlers, handler),
        "started_at": _ts(starts[r, k]),
        "ended_at": _ts(ended, mask=ended > as_of_us),
        "step_limit_wd": _int(lim[r, k]),
    })


# ---------------------------------------------------------------------------------------------
# ratings


def _ratings_table(c: dict[str, np.ndarray], ref: _Reference, days: _Days, day_range: np.ndarray,
                   p_day: np.ndarray, as_of_us: int, rng: np.random.Generator,
                   stories: np.random.Generator) -> pa.Table:
    done_cases = np.flatnonzero((c["status"] == COMPLETED) | (c["status"] == DENIED))
    channel = c["channel"][done_cases]
    rated = done_cases[rng.random(len(done_cases)) < RATE_PROBABILITY[channel]]
    del done_cases, channel
    channel = c["channel"][rated]
    n = len(rated)
    r_channel = _pick(rng, np.cumsum(RATING_CHANNEL_P, axis=1), channel)
    lag = np.select(
        [r_channel == 0, r_channel <= 2, r_channel == 3],
        [rng.integers(1, 20, n) * US_PER_MIN,
         np.exp(np.log(3 * US_PER_HOUR) + rng.standard_normal(n)),
         np.exp(np.log(6 * US_PER_HOUR) + 0.8 * rng.standard_normal(n))],
        rng.integers(US_PER_DAY, 10 * US_PER_DAY, n),
    ).astype(np.int64)
    rated_at = c["done"][rated] + lag
    keep = rated_at <= as_of_us
    rated, r_channel, rated_at = rated[keep], r_channel[keep], rated_at[keep]
    n = len(rated)
    late = c["late"][rated]
    limit = c["limit"][rated]
    slow = (c["elapsed"][rated] > 0.8 * limit) & (limit > 0)
    band = np.where(late, 2, np.where(slow | (c["status"][rated] == DENIED), 1, 0))  # denied: less pleased

    # Ratings without a case: hotline and SMS feedback about a department.
    extra = round(0.02 * n)
    e_county = rng.choice(len(ref.counties), extra, p=ref.county_size / ref.county_size.sum())
    e_dept_p = np.bincount(ref.item_dept, weights=ref.item_volume, minlength=len(ref.depts))
    e_dept = rng.choice(len(ref.depts), extra, p=e_dept_p / e_dept_p.sum())
    e_day = day_range[rng.choice(len(day_range), extra, p=p_day)]
    e_at = e_day * US_PER_DAY + rng.integers(8 * 60, 21 * 60, extra) * US_PER_MIN
    e_at = np.minimum(e_at, as_of_us)

    county = np.r_[c["county"][rated], e_county]
    dept = np.r_[c["dept"][rated], e_dept]
    item = np.r_[c["item"][rated], np.zeros(extra, dtype=np.int64)]
    channel = np.r_[r_channel, np.where(rng.random(extra) < 0.6, 4, 3)]
    at = np.r_[rated_at, e_at]
    band = np.r_[band, np.full(extra, 3)]
    complaining = integrity_demo.review_mask(ref.counties, ref.depts, county, dept, at)  # a story
    band = integrity_demo.plant_complaints(band, complaining, 2, stories)
    late = np.r_[late, np.zeros(extra, dtype=bool)]
    has_case = np.r_[np.ones(n, dtype=bool), np.zeros(extra, dtype=bool)]
    case_pos = np.r_[rated, np.zeros(extra, dtype=np.int64)]
    total = n + extra
    score = 1 + _pick(rng, np.cumsum(SCORE_P, axis=1), band)

    # Reasons and comments by score (bad reviews of late cases speak of the delay).
    group = np.where(score >= 4, 0, np.where(score == 3, 1, np.where(late, 2, 3)))
    tag_lists = (TAGS["good"], TAGS["mid"], TAGS["bad_late"], TAGS["bad"])
    tag_offsets = np.cumsum([0] + [len(t) for t in tag_lists])
    tag_sizes = np.diff(tag_offsets)
    tag = tag_offsets[group] + (rng.random(total) * tag_sizes[group]).astype(np.int64)
    no_tag = rng.random(total) > np.array([0.7, 0.8, 1.0, 1.0])[group]
    comment_key = np.where((score <= 2) & late, 0, score)
    comment_lists = [COMMENTS[k] for k in range(6)]
    comment_offsets = np.cumsum([0] + [len(t) for t in comment_lists])
    comment_sizes = np.diff(comment_offsets)
    comment = comment_offsets[comment_key] + (rng.random(total) * comment_sizes[comment_key]).astype(np.int64)
    no_comment = rng.random(total) > np.where(score <= 2, 0.8, 0.4)

    # Bad reviews: verified, a rectification deadline 10 days later, rectified (mostly) and revisited.
    bad = score <= 2
    verified = days.office_time(at + rng.integers(4 * US_PER_HOUR, 3 * US_PER_DAY, total), rng)
    is_verified = bad & (verified <= as_of_us)
    due = (verified // US_PER_DAY + 11) * US_PER_DAY - 1_000_000
    u = rng.random(total)
    unfounded = is_verified & (u < integrity_demo.unfounded_probability(complaining))
    rectified = days.office_time(
        verified + np.exp(np.log(5 * US_PER_DAY) + 0.6 * rng.standard_normal(total)).astype(np.int64), rng)
    is_rectified = is_verified & ~unfounded & (u >= 0.13) & (rectified <= as_of_us)
    rectify_status = np.where(unfounded, 2, np.where(is_rectified, 1, 0))
    revisit = rng.choice(np.array([2, 3, 4, 5]), total, p=[0.06, 0.22, 0.44, 0.28])

    order = np.argsort(at, kind="stable")
    rating_id = _numbered("PJ", np.arange(1, total + 1), 10)

    def o(a):
        return a[order]

    case_ids = pc.take(c["case_id"], pa.array(o(case_pos), mask=o(~has_case)))
    return _table("ratings", {
        "rating_id": rating_id,
        "case_id": case_ids,
        "county_code": _strings(ref.counties, o(county)),
        "dept_code": _strings(ref.depts, o(dept)),
        "item_code": _strings(ref.items, o(item), mask=o(~has_case)),
        "channel": _strings(RATING_CHANNELS, o(channel)),
        "rated_at": _ts(o(at)),
        "score": _int(o(score)),
        "reason_tags": _strings([t for ts in tag_lists for t in ts], o(tag), mask=o(no_tag)),
        "comment": _strings([t for ts in comment_lists for t in ts], o(comment), mask=o(no_comment)),
        "verified_at": _ts(o(verified), mask=o(~is_verified)),
        "rectify_due_at": _ts(o(due), mask=o(~is_verified | unfounded)),
        "rectified_at": _ts(o(rectified), mask=o(~is_rectified)),
        "rectify_status": _strings(("pending", "rectified", "unfounded"), o(rectify_status), mask=o(~bad)),
        "revisit_score": _int(o(revisit), mask=o(~is_rectified)),
    })


# ---------------------------------------------------------------------------------------------
# surveys and tasks


def _waves(start: dt.date, as_of: dt.datetime) -> list[tuple[str, int, int]]:
    """Half-year waves that lie within the period and were run by the snapshot time."""
    waves = []
    for year in range(start.year, as_of.year + 1):
        for half, (a, b) in enumerate(((dt.date(year, 1, 1), dt.date(year, 6, 30)),
                                       (dt.date(year, 7, 1), dt.date(year, 12, 31))), start=1):
            if a >= start.replace(day=1) and b <= as_of.date():
                waves.append((f"{year}H{half}", _day_number(a), _day_number(b)))
    return waves


def _surveys_table(c: dict[str, np.ndarray], ref: _Reference, start: dt.date, as_of: dt.datetime,
                   rng: np.random.Generator) -> pa.Table:
    waves = _waves(start, as_of)
    n_units = len(ref.counties) * len(ref.depts)
    group_sizes = np.array([8, 5, 2, 6])
    group_offset = np.array([0.0, -0.12, 0.08, 0.05])
    dim_slope = np.array([2.5, 5.0, 1.2, 0.8, 1.2])  # 服务态度, 办事效率, 依法行政, 廉洁自律, 政务公开
    unit_noise = rng.normal(0.0, 0.08, n_units)
    counted = np.isin(c["status"], (COMPLETED, DENIED, IN_PROGRESS))
    unit_of_case = c["county"] * len(ref.depts) + c["dept"]
    per_unit = int(group_sizes.sum())
    tables = []
    for wave, a, b in waves:
        in_wave = counted & (c["day"] >= a) & (c["day"] <= b)
        cases = np.bincount(unit_of_case[in_wave], minlength=n_units)
        late = np.bincount(unit_of_case[in_wave & c["late"]], minlength=n_units)
        late_share = late / np.maximum(cases, 1)
        respondents = n_units * per_unit
        unit = np.repeat(np.arange(n_units), per_unit)
        group = np.tile(np.repeat(np.arange(4), group_sizes), n_units)
        person = rng.normal(0.0, 0.35, respondents)
        base = 4.5 + unit_noise[unit] + group_offset[group] + person
        mean = base[:, None] - dim_slope[None, :] * late_share[unit][:, None]
        score = np.clip(np.rint(mean + rng.normal(0.0, 0.6, mean.shape)), 1, 5).ravel()
        rows = len(score)
        respondent = np.repeat(np.arange(respondents), 5)
        response_id = pc.binary_join_element_wise(
            f"MY{wave}-", pc.utf8_lpad(pa.array(respondent + 1).cast(pa.string()), 6, "0"), "")
        tables.append(_table("surveys", {
            "response_id": response_id,
            "wave": pa.array([wave] * rows, type=pa.string()),
            "respondent_group": _strings(RESPONDENT_GROUPS, group[respondent]),
            "county_code": _strings(ref.counties, unit[respondent] // len(ref.depts)),
            "dept_code": _strings(ref.depts, unit[respondent] % len(ref.depts)),
            "dimension": _strings(SURVEY_DIMENSIONS, np.tile(np.arange(5), respondents)),
            "score": _int(score),
        }))
    if not tables:
        return FACT_TABLES["surveys"].arrow_schema().empty_table()
    return pa.concat_tables(tables)


def _tasks_table(n_cases: int, ref: _Reference, days: _Days, day_range: np.ndarray, as_of_us: int,
                 rng: np.random.Generator) -> pa.Table:
    n = int(np.clip(n_cases // 150, 300, 4000))
    working = days.working[day_range - days.first] & (day_range < as_of_us // US_PER_DAY)
    day = np.sort(rng.choice(day_range[working], n))
    assigned = day * US_PER_DAY + rng.integers(9 * 60, 17 * 60 + 30, n) * US_PER_MIN
    county = rng.choice(len(ref.counties), n, p=ref.county_size / ref.county_size.sum())
    dept = rng.integers(0, len(ref.depts), n)
    source = rng.choice(3, n, p=[0.45, 0.3, 0.25])
    due_day = days.on_or_after(day + rng.integers(10, 61, n))
    due = due_day * US_PER_DAY + US_PER_DAY - 1_000_000

    p_on_time = np.full(n, 0.9)
    if ref.story_county >= 0:
        campaign = _ramp(day, CAMPAIGN_START, CAMPAIGN_FULL)
        p_on_time = np.where(county == ref.story_county, 0.72 + 0.24 * campaign, p_on_time)
    if ref.story_dept >= 0:
        p_on_time -= np.where(dept == ref.story_dept, 0.3 * _ramp(day, STORY_YEAR_START, STORY_PEAK), 0.0)
    on_time = rng.random(n) < p_on_time
    completed = np.where(on_time, assigned + (rng.uniform(0.35, 1.0, n) * (due - assigned)).astype(np.int64),
                         due + np.exp(np.log(8 * US_PER_DAY) + 0.8 * rng.standard_normal(n)).astype(np.int64))
    in_office = days.office_time(completed, rng)
    completed = np.where(on_time & (in_office > due), completed, in_office)
    completed = np.where(rng.random(n) < 0.02, np.iinfo(np.int64).max, completed)  # never finished
    open_ = completed > as_of_us

    templates = [(s, t) for s in TASK_SOURCES for t in TASK_TEMPLATES[s]]
    per_source = np.array([len(TASK_TEMPLATES[s]) for s in TASK_SOURCES])
    first_template = np.r_[0, np.cumsum(per_source)[:-1]]
    template = first_template[source] + (rng.random(n) * per_source[source]).astype(np.int64)
    title = template * len(TASK_TOPICS) + rng.integers(0, len(TASK_TOPICS), n)
    titles = [t.format(topic) for _, t in templates for topic in TASK_TOPICS]

    year = day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    first_of_year = np.r_[True, year[1:] != year[:-1]]
    pos = np.arange(n)
    seq = pos - np.maximum.accumulate(np.where(first_of_year, pos, 0)) + 1
    task_id = _numbered("DB", year * 10_000 + seq, 8)
    return _table("tasks", {
        "task_id": task_id,
        "source": _strings(TASK_SOURCES, source),
        "county_code": _strings(ref.counties, county),
        "dept_code": _strings(ref.depts, dept),
        "title": _strings(titles, title),
        "assigned_at": _ts(assigned),
        "due_at": _ts(due),
        "completed_at": _ts(np.where(open_, 0, completed), mask=open_),
        "status": _strings(("completed", "in_progress"), open_),
    })


# ---------------------------------------------------------------------------------------------
# public interface


def generate(
    cases: int,
    seed: int = DEFAULT_SEED,
    start: dt.date = DEFAULT_START,
    as_of: dt.datetime = DEFAULT_AS_OF,
    reference: dict[str, pa.Table] | None = None,
    calendar: WorkCalendar | None = None,
    horizon: dt.datetime | None = None,
) -> dict[str, pa.Table]:
    """The fact tables of the demo city as a snapshot taken at ``as_of`` holds them.

    The city is generated with about ``cases`` cases accepted from ``start`` up to ``horizon``
    (default: the later of ``as_of`` and DEFAULT_HORIZON) and, when ``as_of`` is earlier, cut at
    ``as_of`` (xiaoneng.asof.cut_at): so every as-of of one seed and size shows the same world.
    Deterministic for a seed. ``reference`` (counties, departments, items) and ``calendar``
    default to the files of ``data/reference/``.
    """
    if horizon is None:
        horizon = max(as_of, DEFAULT_HORIZON)
    if as_of > horizon:
        raise ValueError(f"the snapshot time {as_of} is after the generated horizon {horizon}")
    if start > as_of.date():
        raise ValueError(f"start {start} is after the snapshot time {as_of}")
    facts = _generate_world(cases, seed, start, horizon, reference, calendar)
    return facts if as_of == horizon else cut_at(facts, as_of)


def _generate_world(cases: int, seed: int, start: dt.date, as_of: dt.datetime,
                    reference: dict[str, pa.Table] | None, calendar: WorkCalendar | None) -> dict[str, pa.Table]:
    """The city as it stands at ``as_of``, its horizon: cases accepted from ``start`` up to it."""
    if cases < 1:
        raise ValueError("cases must be at least 1")
    if reference is None:
        reference = load_dimensions()
    if calendar is None:
        calendar = WorkCalendar(load_calendar_days())
    if not (calendar.covers(start) and calendar.covers(as_of.date())):
        raise ValueError(f"{start} .. {as_of.date()} is not within the working-day calendar ({calendar.range_text})")
    seeds = np.random.SeedSequence(seed).spawn(7)  # the 7th: the honesty stories (spawn keeps the first six)
    streams = [np.random.default_rng(s) for s in seeds]
    days = _Days(calendar)
    ref = _Reference(reference, streams[0])
    as_of_us = _us(as_of)

    c = _generate_cases(cases, ref, days, start, as_of, streams[1], streams[6])
    n = len(c["acc"])  # refusals not yet made at the horizon are left out
    out = {"cases": _cases_table(c, ref)}
    for name in ("received", "deadline", "has_deadline", "enterprise", "applicant"):
        del c[name]
    step_streams = seeds[2].spawn((cases + STEP_CHUNK - 1) // STEP_CHUNK)
    out["case_steps"] = pa.concat_tables([
        _steps_chunk(c, slice(i * STEP_CHUNK, min((i + 1) * STEP_CHUNK, n)), ref, days, as_of_us,
                     np.random.default_rng(s))
        for i, s in enumerate(step_streams) if i * STEP_CHUNK < n
    ])
    for name in ("acc", "suspended"):
        del c[name]
    day_range, p_day, _ = _day_weights(days, _day_number(start), _day_number(as_of.date()))
    out["ratings"] = _ratings_table(c, ref, days, day_range, p_day, as_of_us, streams[3], streams[6])
    out["surveys"] = _surveys_table(c, ref, start, as_of, streams[4])
    out["tasks"] = _tasks_table(cases, ref, days, day_range, as_of_us, streams[5])
    return out


def snapshot_time(as_of: dt.date | dt.datetime | None) -> dt.datetime:
    """The snapshot time of an as-of: a bare date means the close of that day (23:59:59)."""
    if as_of is None:
        return DEFAULT_AS_OF
    if isinstance(as_of, dt.datetime):
        return as_of
    return dt.datetime.combine(as_of, dt.time(23, 59, 59))


def demo_world(cases: int, seed: int, as_of: dt.datetime) -> tuple[dict, list, dt.datetime, dict[str, pa.Table]]:
    """The demo's reference tables, calendar days, horizon and generated fact tables at ``as_of``."""
    reference = load_dimensions()
    calendar_days = load_calendar_days()
    horizon = max(as_of, DEFAULT_HORIZON)
    facts = generate(cases, seed, DEFAULT_START, as_of, reference=reference,
                     calendar=WorkCalendar(calendar_days), horizon=horizon)
    return reference, calendar_days, horizon, facts


def export_demo_tables(folder: Path, cases: int = DEFAULT_CASES, seed: int = DEFAULT_SEED,
                       as_of: dt.date | dt.datetime | None = None) -> dict[str, int]:
    """Write the demo city's fact tables as ``folder/<table>.parquet`` (the input ``python -m xiaoneng
    publish`` reads) instead of publishing them; their row counts. A folder holding parquet already is
    refused, so that no earlier export is mixed in or overwritten."""
    folder = Path(folder)
    if folder.exists() and any(folder.glob("*.parquet")):
        raise ValueError(f"{folder} holds parquet files already; export into an empty folder")
    _, _, _, facts = demo_world(cases, seed, snapshot_time(as_of))
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in facts.items():
        pq.write_table(table, folder / f"{name}.parquet", compression="zstd")
    return {name: table.num_rows for name, table in facts.items()}


def build_demo_snapshot(
    store: SnapshotStore | None = None,
    snapshot_id: str = "demo",
    cases: int = DEFAULT_CASES,
    seed: int = DEFAULT_SEED,
    if_absent: bool = False,
    as_of: dt.date | dt.datetime | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
) -> SnapshotInfo | None:
    """Generate the demo city and publish it as ``snapshot_id`` (None when it exists and ``if_absent``)
    with the publish ``engine`` (SnapshotStore.publish).

    ``as_of`` (a date: the close of that day; default DEFAULT_AS_OF) is the snapshot time: before
    the default horizon the default world is cut at it, after it the world is generated up to it.
    """
    as_of = snapshot_time(as_of)
    store = store if store is not None else SnapshotStore()
    if store.exists(snapshot_id):
        if if_absent:
            print(f"快照 {snapshot_id} 已存在，未重新生成 (snapshot {snapshot_id!r} exists already; skipped)")
            return None
        raise SnapshotError(f"snapshot {snapshot_id!r} exists already; published snapshots are never overwritten")
    reference, calendar_days, horizon, facts = demo_world(cases, seed, as_of)
    return store.publish(
        snapshot_id,
        as_of=as_of,
        reference=reference,
        calendar_days=calendar_days,
        facts=facts,
        producer="demo",
        engine=engine,
        spark_master=spark_master,
        report={"seed": seed, "cases": cases, "start": DEFAULT_START.isoformat(),
                "as_of": as_of.isoformat(), "horizon": horizon.isoformat(), "cut": as_of < horizon,
                "stories": {"improving_county": STORY_COUNTY, "campaign_start": CAMPAIGN_START.isoformat(),
                            "deteriorating_dept": STORY_DEPT, "items": list(STORY_ITEMS), "post": STORY_POST}},
    )


def _run(args: argparse.Namespace) -> int:
    began = time.perf_counter()
    if args.export is not None:
        try:
            counts = export_demo_tables(args.export, cases=args.cases, seed=args.seed, as_of=args.as_of)
        except ValueError as exc:
            print(f"未导出 (not exported): {exc}", file=sys.stderr)
            return 1
        print(f"已导出到 {args.export} (exported): " + " · ".join(f"{n} {c:,}" for n, c in counts.items())
              + f" · {time.perf_counter() - began:.1f} s")
        return 0
    try:
        info = build_demo_snapshot(snapshot_id=args.snapshot_id, cases=args.cases, seed=args.seed,
                                   if_absent=args.if_absent, as_of=args.as_of, engine=args.engine,
                                   spark_master=args.spark_master)
    except (ValueError, SnapshotError) as exc:
        print(f"未生成 (not generated): {exc}", file=sys.stderr)
        return 1
    if info is None:
        return 0
    counts = " · ".join(f"{name} {info.row_counts[name]:,}" for name in FACT_TABLES)
    print(f"快照 {info.snapshot_id} 已发布 (published, as of {info.as_of:%Y-%m-%d %H:%M:%S}): {counts} · "
          f"{time.perf_counter() - began:.1f} s")
    if args.snapshot_id == "demo" and args.as_of is None:  # the default demo carries the ledger's history
        entries = ledger_demo.write_history(
            SnapshotStore(), lambda store, snapshot_id, as_of: build_demo_snapshot(
                store, snapshot_id, cases=args.cases, seed=args.seed, as_of=as_of))
        if entries:
            print(ledger_demo.describe(entries))
    return 0


def _date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def add_cli(subparsers) -> None:
    from xiaoneng.cli_args import add_engine_arguments

    parser = subparsers.add_parser(
        "demo", help="生成演示数据快照 (generate the demo city's snapshot)",
        description="Generate the demo city 清河市 deterministically and publish it as a snapshot.",
    )
    parser.add_argument("--snapshot-id", default="demo", help="snapshot id (default: demo)")
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES,
                        help=f"cases in the world up to {DEFAULT_HORIZON:%Y-%m-%d} (default: {DEFAULT_CASES})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    parser.add_argument("--if-absent", action="store_true", help="do nothing when the snapshot exists already")
    parser.add_argument("--as-of", type=_date_arg, default=None, metavar="YYYY-MM-DD",
                        help="snapshot time: the close of this day; up to the horizon "
                             f"{DEFAULT_HORIZON:%Y-%m-%d} it is the same world cut at that time (default: "
                             f"{DEFAULT_AS_OF:%Y-%m-%d})")
    add_engine_arguments(parser)
    parser.add_argument("--export", type=Path, default=None, metavar="FOLDER",
                        help="write the generated tables as FOLDER/<table>.parquet instead of publishing "
                             "(the input of `python -m xiaoneng publish`)")
    parser.set_defaults(run=_run)

"""The data contract (product.md §3): every table a snapshot holds, declared once.

The demo generator, the ingest validator and the snapshot store all read these
declarations, so a column added here is checked everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

SCHEMA_VERSION = 2  # 2: statuses denied/refused, deadlines as the close of their day, first_rated_at
# The rollups a snapshot carries (xiaoneng/rollups.py, manifest "rollups"): a reader uses them only
# at its own version and reads the rows otherwise, so changing what a rollup means bumps this.
ROLLUP_VERSION = 2  # 2: no yellow events for a case without a deadline working day

# completed: 办结; in_progress: 在办; denied: 不予许可 — a decision, so a completion (completed_at
# is the decision time, timed like any completion); refused: 不予受理 — refused at intake, never an
# accepted case (completed_at is the refusal time); withdrawn: 撤件; unknown: 未知 — the source's status
# cannot be told (mapped so on purpose): the case is read from its timestamps alone, open until a
# completed_at and then a completion, never exempted as withdrawn or refused (mappings/README.md).
CASE_STATUSES = ("completed", "in_progress", "denied", "refused", "withdrawn", "unknown")
UNKNOWN = "unknown"  # an explicit unknown channel or status (shown 未知)
CASE_OPEN_STATUSES = ("in_progress",)  # no completed_at; every other case status needs one
CASE_CLOSED_STATUSES = ("completed", "denied", "refused", "withdrawn")
CASE_COMPLETION_STATUSES = ("completed", "denied")  # closed by a decision: completions, timed
CHANNELS = ("window", "online", "mobile", "kiosk", "unknown")  # unknown: outside 网办率's base
RATING_CHANNELS = ("window", "online", "mobile", "sms", "hotline")
APPLICANT_TYPES = ("person", "enterprise")
RECTIFY_STATUSES = ("pending", "rectified", "unfounded")
TASK_SOURCES = ("meeting", "instruction", "referral")
TASK_STATUSES = ("completed", "in_progress")
COUNTY_KINDS = ("区", "县", "县级市")
RESPONDENT_GROUPS = ("群众", "企业", "代表委员", "服务对象")
SURVEY_DIMENSIONS = ("服务态度", "办事效率", "依法行政", "廉洁自律", "政务公开")
DAY_KINDS = ("holiday", "makeup_workday")
# the unit of an item's limits: working days (工作日, the default) or calendar days (自然日)
LIMIT_UNITS = ("wd", "cd")

# Arrow types by the short names used below.
_TYPES = {
    "str": pa.string(),
    "int": pa.int32(),
    "float": pa.float64(),
    "ts": pa.timestamp("us"),
    "date": pa.date32(),
    "bool": pa.bool_(),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # one of _TYPES
    required: bool = False
    accepted: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    references: str | None = None  # "table.column" that must contain the value
    label_zh: str = ""
    deadline: bool = False  # a due time: may lie after the snapshot; a bare date means the end of that day
    # the values the ingest accepts when the mapping gives no list of its own (a reference table of
    # survey dimensions or respondent groups, mappings/README.md); not checked on the snapshot
    default_accepted: tuple[str, ...] | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return _TYPES[self.type]

    @property
    def identifier(self) -> bool:
        """An id or a code (case_id, county_code, …): text that names a record, so it may hold no
        control character (a NUL byte in an id would join, group and export as another id)."""
        return self.type == "str" and self.name.endswith(("_id", "_code"))


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: str | None = None  # unique, not null
    kind: str = "fact"  # "fact" (per snapshot) or "reference"
    label_zh: str = ""
    checks: tuple[str, ...] = field(default=())  # row rules, see ingest.validate
    unique_together: tuple[str, ...] = ()  # a composite key, checked on every snapshot
    # optional columns only an ingest fills (a source's own verdict): kept in the snapshot when loaded,
    # not part of arrow_schema() (generated data and queries do not need them)
    extra_columns: tuple[Column, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=not c.required) for c in self.columns])


C = Column

COUNTIES = Table(
    "counties",
    (
        C("county_code", "str", True, label_zh="区县代码"),
        C("name_zh", "str", True, label_zh="区县名称"),
        C("name_en", "str", label_zh="英文名称"),
        C("kind", "str", accepted=COUNTY_KINDS, label_zh="类型"),
    ),
    key="county_code",
    kind="reference",
    label_zh="区县",
)

DEPARTMENTS = Table(
    "departments",
    (
        C("dept_code", "str", True, label_zh="部门代码"),
        C("name_zh", "str", True, label_zh="部门名称"),
        C("name_en", "str", label_zh="英文名称"),
        C("category", "str", label_zh="类别"),
    ),
    key="dept_code",
    kind="reference",
    label_zh="部门",
)

ITEMS = Table(
    "items",
    (
        C("item_code", "str", True, label_zh="事项编码"),
        C("name_zh", "str", True, label_zh="事项名称"),
        C("dept_code", "str", True, references="departments.dept_code", label_zh="部门代码"),
        C("item_type", "str", label_zh="事项类型"),
        C("legal_limit_wd", "int", min_value=0, label_zh="法定时限(工作日)"),
        C("promised_limit_wd", "int", min_value=0, label_zh="承诺时限(工作日)"),
        # cd: both limits (and a case's own) are calendar days, deadline = acceptance date + N days;
        # blank = wd (queries/cases_with_timing.sql)
        C("limit_unit", "str", accepted=LIMIT_UNITS, label_zh="时限单位"),
    ),
    key="item_code",
    kind="reference",
    label_zh="事项",
    checks=("promised_within_legal",),
)

CALENDAR = Table(
    "calendar",
    (
        C("date", "date", True, label_zh="日期"),
        C("day_kind", "str", True, accepted=DAY_KINDS, label_zh="类型"),
        C("name_zh", "str", label_zh="节日"),
    ),
    key="date",
    kind="reference",
    label_zh="工作日历",
)

CASES = Table(
    "cases",
    (
        C("case_id", "str", True, label_zh="办件编号"),
        C("item_code", "str", True, references="items.item_code", label_zh="事项编码"),
        C("county_code", "str", True, references="counties.county_code", label_zh="区县代码"),
        C("dept_code", "str", True, references="departments.dept_code", label_zh="部门代码"),
        C("channel", "str", True, accepted=CHANNELS, label_zh="渠道"),
        C("applicant_type", "str", accepted=APPLICANT_TYPES, label_zh="申请人类型"),
        C("received_at", "ts", label_zh="申请时间"),
        C("accepted_at", "ts", True, label_zh="受理时间"),
        C("completed_at", "ts", label_zh="办结时间"),
        C("deadline_at", "ts", label_zh="承诺办结时间", deadline=True),
        C("status", "str", True, accepted=CASE_STATUSES, label_zh="状态"),
        C("suspended_wd", "int", min_value=0, label_zh="特别程序(工作日)"),
        C("promised_limit_wd", "int", min_value=0, label_zh="承诺时限(工作日)"),
        C("legal_limit_wd", "int", min_value=0, label_zh="法定时限(工作日)"),
        # optional: a pseudonymous applicant code (never a name or ID number), for the honesty check of
        # cases refused and re-submitted by the same applicant (xiaoneng/integrity.py)
        C("applicant_id", "str", label_zh="申请人代码(化名)"),
    ),
    key="case_id",
    label_zh="办件",
    # the source system's own verdict (e.g. an "exceeded timeframe: Y/N" column), kept beside ours;
    # the ingest counts where the two disagree (mappings/README.md)
    extra_columns=(C("source_on_time", "bool", label_zh="源系统按时判定"),),
    checks=("completed_after_accepted", "deadline_after_accepted", "received_before_accepted",
            "status_matches_completion", "not_in_future"),
)

CASE_STEPS = Table(
    "case_steps",
    (
        C("case_id", "str", True, references="cases.case_id", label_zh="办件编号"),
        C("step_no", "int", True, min_value=1, label_zh="环节序号"),
        C("step_name", "str", True, label_zh="环节名称"),
        C("handler_post", "str", label_zh="岗位"),
        C("handler_id", "str", label_zh="经办人"),
        C("started_at", "ts", True, label_zh="开始时间"),
        C("ended_at", "ts", label_zh="结束时间"),
        C("step_limit_wd", "int", min_value=0, label_zh="环节时限(工作日)"),
    ),
    label_zh="办理环节",
    checks=("ended_after_started", "not_in_future"),
    unique_together=("case_id", "step_no"),
)

RATINGS = Table(
    "ratings",
    (
        C("rating_id", "str", True, label_zh="评价编号"),
        C("case_id", "str", label_zh="办件编号"),
        C("county_code", "str", True, references="counties.county_code", label_zh="区县代码"),
        C("dept_code", "str", True, references="departments.dept_code", label_zh="部门代码"),
        C("item_code", "str", references="items.item_code", label_zh="事项编码"),
        C("channel", "str", True, accepted=RATING_CHANNELS, label_zh="评价渠道"),
        C("rated_at", "ts", True, label_zh="评价时间"),
        C("score", "int", True, min_value=1, max_value=5, label_zh="评价等级(1-5)"),
        C("reason_tags", "str", label_zh="评价原因"),
        C("comment", "str", label_zh="评价内容"),
        C("verified_at", "ts", label_zh="核实时间"),
        C("rectify_due_at", "ts", label_zh="整改期限", deadline=True),
        C("rectified_at", "ts", label_zh="整改完成时间"),
        C("rectify_status", "str", accepted=RECTIFY_STATUSES, label_zh="整改状态"),
        C("revisit_score", "int", min_value=1, max_value=5, label_zh="回访评价"),
    ),
    key="rating_id",
    label_zh="好差评",
    checks=("not_in_future",),
)

SURVEYS = Table(
    "surveys",
    (
        C("response_id", "str", True, label_zh="答卷编号"),
        C("wave", "str", True, label_zh="测评批次"),
        C("respondent_group", "str", True, default_accepted=RESPONDENT_GROUPS, label_zh="测评群体"),
        C("county_code", "str", True, references="counties.county_code", label_zh="区县代码"),
        C("dept_code", "str", True, references="departments.dept_code", label_zh="部门代码"),
        C("dimension", "str", True, default_accepted=SURVEY_DIMENSIONS, label_zh="测评维度"),
        C("score", "int", True, min_value=1, max_value=5, label_zh="得分(1-5)"),
    ),
    label_zh="满意度测评",
    checks=("wave_format",),
    unique_together=("response_id", "dimension"),
)

TASKS = Table(
    "tasks",
    (
        C("task_id", "str", True, label_zh="督办编号"),
        C("source", "str", True, accepted=TASK_SOURCES, label_zh="来源"),
        C("county_code", "str", True, references="counties.county_code", label_zh="区县代码"),
        C("dept_code", "str", True, references="departments.dept_code", label_zh="部门代码"),
        C("title", "str", True, label_zh="事项标题"),
        C("assigned_at", "ts", True, label_zh="交办时间"),
        C("due_at", "ts", True, label_zh="办结时限", deadline=True),
        C("completed_at", "ts", label_zh="完成时间"),
        C("status", "str", True, accepted=TASK_STATUSES, label_zh="状态"),
    ),
    key="task_id",
    label_zh="督办事项",
    checks=("due_after_assigned", "status_matches_completion", "not_in_future"),
)

REFERENCE_TABLES: dict[str, Table] = {t.name: t for t in (COUNTIES, DEPARTMENTS, ITEMS, CALENDAR)}
FACT_TABLES: dict[str, Table] = {t.name: t for t in (CASES, CASE_STEPS, RATINGS, SURVEYS, TASKS)}
ALL_TABLES: dict[str, Table] = {**REFERENCE_TABLES, **FACT_TABLES}

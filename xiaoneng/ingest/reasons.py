"""Why a row was rejected: one code per rule, with the Chinese label and the English in parentheses.

The codes are stable (quarantine files, tests and the summary's counts use them); the labels are
what an administrator reads.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    # value-level rules
    "bad_number": ("数值格式错误", "not a valid number"),
    "bad_datetime": ("日期时间无效或格式不符", "invalid date/time or unrecognised format"),
    "bad_boolean": ("是/否值无效", "not a valid yes/no value"),
    "required_missing": ("必填值为空", "required value is missing"),
    "not_accepted": ("值不在允许范围内", "value not in the accepted set"),
    "out_of_range": ("数值超出范围", "number outside the allowed range"),
    "unknown_code": ("代码不在参考表中", "unknown code, not in the reference table"),
    "parent_rejected": ("所属记录已被隔离", "the record it belongs to was rejected"),
    "duplicate_key": ("编号重复", "duplicate key"),
    "extra_fields": ("字段数多于表头", "more fields than the header"),
    "control_character": ("编号含控制字符", "an id or code holds a control character"),
    # row checks named in schema.Table.checks
    "completed_after_accepted": ("办结时间早于受理时间", "completed before accepted"),
    "deadline_after_accepted": ("承诺办结时间早于受理时间", "deadline before accepted"),
    "received_before_accepted": ("受理时间早于申请时间", "accepted before received"),
    "status_matches_completion": ("状态与办结时间不符", "status does not match the completion time"),
    "ended_after_started": ("环节结束时间早于开始时间", "step ended before it started"),
    "due_after_assigned": ("办结时限早于交办时间", "due before assigned"),
    "not_in_future": ("时间晚于快照截至时间", "time later than the snapshot's as-of time"),
    "promised_within_legal": ("承诺时限超过法定时限", "promised limit exceeds the legal limit"),
    "wave_format": ("测评批次格式不对", "survey wave is not like 2026H1 / 2026H2"),
}


def label(code: str) -> str:
    zh, en = REASONS[code]
    return f"{zh} ({en})"

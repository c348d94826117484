"""整改台账 (the rectification ledger): what an issued 通报 asked units to rectify, and whether they did.

Issuing a 通报 as final (``bulletin.issue``: the 通报稿 page, ``python -m xiaoneng bulletin --issue``)
appends one entry per unit and problem of its 四、整改要求 to ``<data>/ledger/ledger.jsonl``
(``paths.ledger_file``): the unit, the problem as a number (indicator, value then, target), the
deadline, the issuing period, snapshot and selection, who issued it and when. The file is only ever
appended (opened with O_APPEND, never truncated or rewritten); the issue itself goes to the audit log
as ``issue_bulletin``. Re-issuing the same period and selection adds a new issue that supersedes the
earlier one on the page and in the next 通报 (``current``); its lines stay.

``evaluate`` judges entries at a snapshot, computed every time and never stored, by the rules of
config/ledger.yaml: over the period of the same kind following the issuing one, the entry is
rectified (its indicator reached the target), overdue (not, and the deadline has passed), improving
(moved towards the target) or not rectified; 待评估 while the snapshot has not reached that period.
A county user sees the entries of their counties only (``visible``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from xiaoneng import audit, auth
from xiaoneng.filters import Filters, Period, Scope
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, indicator_table
from xiaoneng.paths import CONFIG_DIR, ledger_file

CONFIG_FILE = CONFIG_DIR / "ledger.yaml"
STATES = ("rectified", "improving", "not_rectified", "overdue", "awaiting")
SCORE_KEY = "composite_score"  # the 黑榜's problem: not a catalog indicator, a score out of 100


@cache
def repeat_periods(path: Path = CONFIG_FILE) -> int:
    """How many consecutive periods make a unit 连续末位 (config/ledger.yaml ``repeat_periods``)."""
    value = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("repeat_periods", 2)
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{path}: repeat_periods must be a whole number >= 1, got {value!r}")
    return value


class LedgerError(ValueError):
    """A ledger line that cannot be read: the message names the file and the line."""


@dataclass(frozen=True)
class Entry:
    """One problem one unit was asked to rectify by one issued 通报."""

    issue_id: str
    seq: int  # the entry's number within its issue, from 1
    issued_at: str  # UTC, ISO, to the second
    issued_by: str
    issuer_scope: tuple[str, ...] | None  # the issuer's counties (None: every county)
    snapshot_id: str
    as_of: str  # the snapshot's data time (ISO)
    period: str  # the issuing period's key
    filters: tuple[tuple[str, str], ...]  # the 通报's selection besides the period (Filters.to_query_params)
    title: str
    kind: str  # county | dept
    unit_code: str
    unit_name: str
    counties: tuple[str, ...]  # the counties the entry is about: a county itself, a department's () = whole city
    indicator: str
    value: float | None
    target: float | None
    reason: str  # as the 通报 words it
    deadline: str  # ISO date: rectified by the close of this day

    def to_line(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, raw: dict) -> Entry:
        raw = dict(raw)
        raw["issuer_scope"] = None if raw["issuer_scope"] is None else tuple(raw["issuer_scope"])
        raw["filters"] = tuple(tuple(pair) for pair in raw["filters"])
        raw["counties"] = tuple(raw["counties"])
        return cls(**raw)

    @property
    def selection(self) -> Filters:
        """The 通报's selection in its issuing period."""
        return Filters.from_query_params({**dict(self.filters), "period": self.period}, self.period)


# ---------------------------------------------------------------- the file

def read(path: Path | None = None) -> list[Entry]:
    """Every entry, in the order they were appended; a line that cannot be read raises ``LedgerError``."""
    path = path or ledger_file()
    if not path.exists():
        return []
    found = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                found.append(Entry.from_dict(json.loads(line)))
            except (json.JSONDecodeError, TypeError, KeyError) as exc:
                raise LedgerError(t("ledger.bad_line", "zh", path=path, line=number, error=exc)) from exc
    return found


def revision(path: Path | None = None) -> int:
    """The ledger's size in bytes: an append-only file changes size whenever it changes (a cache key)."""
    path = path or ledger_file()
    return path.stat().st_size if path.exists() else 0


def _append(entries: list[Entry], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # two issues at once never interleave their lines
        os.write(fd, "".join(e.to_line() + "\n" for e in entries).encode("utf-8"))
    finally:
        os.close(fd)


def current(entries: Iterable[Entry]) -> list[Entry]:
    """The entries of the latest issue of each period and selection (a re-issue supersedes)."""
    entries = list(entries)
    latest: dict[tuple, str] = {}
    for e in entries:  # appended in time order: the last issue of a key wins
        latest[(e.period, e.filters)] = e.issue_id
    return [e for e in entries if latest[(e.period, e.filters)] == e.issue_id]


def visible(entries: Iterable[Entry], scope: Scope) -> list[Entry]:
    """The entries a user of ``scope`` may see: a county user those about their counties only (a
    department's entry of a city-wide 通报 is about every county, so not theirs)."""
    if not scope.is_restricted:
        return list(entries)
    return [e for e in entries if e.counties and all(scope.allows(c) for c in e.counties)]


# ---------------------------------------------------------------- issuing

def deadline(view: SnapshotView, day: dt.date, working_days: int) -> dt.date:
    """The close of the ``working_days``-th working day after ``day`` on the snapshot's calendar."""
    if working_days <= 0:
        return day
    frame = view.layer.run("working_days_after", after_day=day, working_days=int(working_days))
    if frame.empty:
        raise LedgerError(t("ledger.no_calendar", "zh", day=day, days=working_days))
    return pd.Timestamp(frame["deadline"].iloc[0]).date()


def issue(view: SnapshotView, filters: Filters, title: str, findings: Iterable, working_days: int,
          issued_by: str, issuer_scope: tuple[str, ...] | None = None, path: Path | None = None,
          issued_at: dt.datetime | None = None) -> list[Entry]:
    """Append the entries of one issued 通报 (``findings``: ``bulletin.Finding``, one entry per unit and
    indicator) and audit the issue. The deadline is the 通报's date (the snapshot's data date) plus
    ``working_days``. Returns the entries as written (none when the 通报 named nobody)."""
    issued_at = (issued_at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    issue_id = uuid.uuid4().hex[:12]
    due = deadline(view, view.as_of.date(), working_days).isoformat()
    selection = tuple(sorted((k, v) for k, v in filters.to_query_params().items() if k != "period"))
    seen: set[tuple[str, str, str]] = set()
    entries: list[Entry] = []
    for f in findings:
        if (f.kind, f.code, f.indicator) in seen:
            continue
        seen.add((f.kind, f.code, f.indicator))
        entries.append(Entry(
            issue_id=issue_id, seq=len(entries) + 1, issued_at=issued_at.isoformat(), issued_by=issued_by,
            issuer_scope=issuer_scope, snapshot_id=view.info.snapshot_id, as_of=view.as_of.isoformat(),
            period=filters.period.key, filters=selection, title=title, kind=f.kind, unit_code=f.code,
            unit_name=f.name, counties=(f.code,) if f.kind == "county" else tuple(filters.counties),
            indicator=f.indicator, value=f.value, target=f.target, reason=f.reason, deadline=due))
    path = path or ledger_file()
    if entries:
        _append(entries, path)
    audit.record("issue_bulletin", issued_by, scope=issuer_scope, snapshot=view.info.snapshot_id,
                 period=filters.period.key, filters=filters.to_query_params(), title=title, issue_id=issue_id,
                 entries=len(entries), ledger=str(path))
    return entries


# ---------------------------------------------------------------- evaluating

def following(period: Period) -> Period:
    """The period of the same kind after ``period`` (an October 通报 is judged on November)."""
    day = period.end + dt.timedelta(days=1)
    if period.kind == "month":
        return Period.parse(f"{day:%Y-%m}")
    if period.kind == "quarter":
        return Period.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if period.kind == "year":
        return Period.parse(str(day.year))
    return Period("custom", day, day + (period.end - period.start))


def better(indicator: str) -> str:
    return "higher" if indicator == SCORE_KEY else catalog()[indicator].better


def _missing(value) -> bool:
    return value is None or pd.isna(value)


def judge(indicator: str, then: float | None, now: float | None, target: float | None,
          deadline_passed: bool) -> str:
    """The state of one entry (config/ledger.yaml): rectified, overdue, improving or not_rectified. Values
    are compared as shown (rounded to the indicator's decimals): a change too small to show is none."""
    higher = better(indicator) == "higher"
    places = 1 if indicator == SCORE_KEY else catalog()[indicator].places
    then, now, target = (None if _missing(v) else round(float(v), places) for v in (then, now, target))
    if not _missing(now) and not _missing(target) and (now >= target if higher else now <= target):
        return "rectified"
    if deadline_passed:
        return "overdue"
    if not _missing(now) and not _missing(then) and (now > then if higher else now < then):
        return "improving"
    return "not_rectified"


EVALUATION_COLUMNS = ("issue_id", "seq", "period", "evaluation_period", "snapshot_id", "issued_by", "issued_at",
                      "title", "kind", "unit_code", "unit_name", "county_code", "indicator", "value", "target",
                      "now", "deadline", "deadline_passed", "state", "reason")


def _unit_values(view: SnapshotView, filters: Filters, kind: str, indicator: str) -> dict[str, float | None]:
    by = "county" if kind == "county" else "dept"
    table = indicator_table(view, filters.without("counties") if kind == "county" else filters, by=by)
    return {code: None if _missing(v) else float(v) for code, v in zip(table[f"{by}_code"], table[indicator],
                                                                      strict=True)}


def evaluate(view: SnapshotView, entries: Iterable[Entry]) -> pd.DataFrame:
    """Each entry issued from a snapshot no later than ``view``'s, judged at ``view`` (``EVALUATION_COLUMNS``,
    in ledger order): ``now`` is the indicator over the period following the issuing one at the view's
    state time; ``state`` one of ``STATES`` (awaiting: the view has not reached that period)."""
    rows, values = [], {}
    for e in entries:
        if dt.datetime.fromisoformat(e.as_of) > view.as_of:
            continue  # issued later than this snapshot: it did not exist then
        period = following(Period.parse(e.period))
        reached = view.has_begun(period)
        now, passed = None, False
        if reached:
            filters = e.selection.with_period(period)
            key = (period.key, e.filters, e.kind, e.indicator)
            if key not in values:
                values[key] = _unit_values(view, filters, e.kind, e.indicator)
            now = values[key].get(e.unit_code)
            state_at = period.bounds(view.as_of)["state_at"]
            passed = state_at >= dt.datetime.combine(dt.date.fromisoformat(e.deadline) + dt.timedelta(days=1),
                                                     dt.time())
        rows.append({
            "issue_id": e.issue_id, "seq": e.seq, "period": e.period, "evaluation_period": period.key,
            "snapshot_id": e.snapshot_id, "issued_by": e.issued_by, "issued_at": e.issued_at, "title": e.title,
            "kind": e.kind, "unit_code": e.unit_code, "unit_name": e.unit_name,
            "county_code": e.counties[0] if len(e.counties) == 1 else None, "indicator": e.indicator,
            "value": e.value, "target": e.target, "now": now, "deadline": e.deadline, "deadline_passed": passed,
            "state": judge(e.indicator, e.value, now, e.target, passed) if reached else "awaiting",
            "reason": e.reason,
        })
    return pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS))


def previous_issue(entries: Iterable[Entry], filters: Filters) -> list[Entry]:
    """The entries of the latest issued 通报 of an earlier period of the same kind and the same selection
    as ``filters`` (the 通报 whose 整改 ``filters``' 通报 reports on); [] when there is none."""
    selection = tuple(sorted((k, v) for k, v in filters.to_query_params().items() if k != "period"))
    earlier = [e for e in current(entries) if e.filters == selection
               and (p := Period.parse(e.period)).kind == filters.period.kind and p.end < filters.period.start]
    if not earlier:
        return []
    last = max(earlier, key=lambda e: Period.parse(e.period).start).period
    return [e for e in earlier if e.period == last]


# ---------------------------------------------------------------- for people

def label(indicator: str, lang: str = "zh") -> str:
    return t("ledger.score_label", lang) if indicator == SCORE_KEY else catalog()[indicator].label(lang)


def value_text(indicator: str, value, lang: str = "zh") -> str:
    """A value as the 通报 and the page write it: a score to one decimal (分), else as the catalog formats."""
    if indicator == SCORE_KEY:
        return t("number.no_value", lang) if _missing(value) else t("ledger.score", lang, score=f"{float(value):.1f}")
    return catalog()[indicator].format(None if _missing(value) else float(value), lang)


def state_text(state: str, lang: str = "zh") -> str:
    return t(f"ledger.state.{state}", lang)


def for_people(evaluated: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The evaluation as the page lists it, with headers in ``lang``."""
    def col(name: str) -> str:
        return t(f"ledger.col.{name}", lang)

    return pd.DataFrame({
        col("period"): [Period.parse(p).label(lang) for p in evaluated["period"]],
        col("unit"): evaluated["unit_name"],
        col("reason"): evaluated["reason"],
        col("indicator"): [label(k, lang) for k in evaluated["indicator"]],
        col("value"): [value_text(k, v, lang) for k, v in zip(evaluated["indicator"], evaluated["value"], strict=True)],
        col("now"): [value_text(k, v, lang) if s != "awaiting" else state_text("awaiting", lang)
                     for k, v, s in zip(evaluated["indicator"], evaluated["now"], evaluated["state"], strict=True)],
        col("target"): [value_text(k, v, lang) for k, v in zip(evaluated["indicator"], evaluated["target"],
                                                                strict=True)],
        col("deadline"): evaluated["deadline"],
        col("state"): [state_text(s, lang) for s in evaluated["state"]],
        col("issued_by"): evaluated["issued_by"],
        col("issued_at"): [f"{dt.datetime.fromisoformat(at).astimezone(auth.settings().display_tz):%Y-%m-%d %H:%M}"
                           for at in evaluated["issued_at"]],
    })

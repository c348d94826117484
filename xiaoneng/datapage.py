"""Data for the Data page (数据管理): the published snapshots, an upload validated before it is
published, the checks an admin confirms before a publish, the snapshot store's admin actions, next
year's holidays, the audit log, and the data quality of the selected snapshot.

Only admins (``user.can("publish")``) get the upload, publish, withdraw/restore, default choice,
calendar and audit parts; the page does not create their widgets for anybody else.

The upload runs the CLI's code path, ``xiaoneng.ingest.run_ingest``: first with
``publish=False`` (the validation report), then, on the administrator's word, with
``publish=True`` on the very same files and settings (``UploadRequest``). Uploaded files are
written under their own names (the mapping picks each file's table by its name) into a
temporary folder; nothing is written into the store before the publish.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from xiaoneng.filters import Filters
from xiaoneng.i18n import indicator_definitions, t
from xiaoneng.indicators import Indicator, catalog, rules
from xiaoneng.ingest import IngestResult, MappingError, load_mapping, run_ingest
from xiaoneng.ingest.core import CALENDAR_MARGIN_DAYS
from xiaoneng.ingest.reasons import REASONS
from xiaoneng.metrics import SnapshotView
from xiaoneng.paths import CONFIG_DIR, MAPPINGS_DIR
from xiaoneng.schema import ALL_TABLES, FACT_TABLES
from xiaoneng.snapshots import SNAPSHOT_ID_PATTERN, SnapshotInfo, SnapshotStore, sha256_of
from xiaoneng.workdays import CalendarDay, WorkCalendar, read_calendar_csv
from xiaoneng.workdays_admin import add_year, read_year_file

UPLOAD_TYPES = ("csv", "gz", "xlsx", "xlsm", "xls")  # st.file_uploader's suffixes (.csv.gz is "gz")
UPLOAD_SUFFIXES = (".csv", ".csv.gz", ".xlsx", ".xlsm", ".xls")
PUBLISHING_CONFIG = CONFIG_DIR / "publishing.yaml"
QUARANTINE_FILE = "quarantine.csv"
STAGING_PREFIX = "xiaoneng-upload-"
DEFAULT_MAPPING = "chinese_export.yaml"


TEXT_SECTION = "scorecard_data.data"  # this page's texts in xiaoneng/locales/*.yaml
ADMIN_SECTION = "publishing"  # the admin parts' texts


def text(key: str, lang: str = "zh", **values) -> str:
    """A text of this page from the UI text catalog."""
    return t(f"{TEXT_SECTION}.{key}", lang, **values)


def admin_text(key: str, lang: str = "zh", **values) -> str:
    """A text of the page's admin parts (publishing, withdrawal, calendar, audit log)."""
    return t(f"{ADMIN_SECTION}.{key}", lang, **values)


# ---------------------------------------------------------------- snapshots

def snapshot_status(info: SnapshotInfo, default_id: str | None, lang: str = "zh") -> str:
    """默认 / 已撤回（reason, by, when） / blank."""
    if info.withdrawn:
        w = info.withdrawal
        return admin_text("status_withdrawn", lang, reason=w.reason, by=w.by or "—", at=w.at[:10] or "—")
    return admin_text("status_default", lang) if info.snapshot_id == default_id else ""


def snapshot_list(store: SnapshotStore, include_withdrawn: bool = False, lang: str = "zh") -> pd.DataFrame:
    """One row per published snapshot, newest first: id, its status (the default; withdrawn ones, for
    an admin's list, with reason, by and when), as-of, producer, creation time, the fact tables' row
    counts, the calendar range, cases outside the calendar and the number of sources."""
    rows = []
    default_id = store.default_id()
    for info in reversed(store.list(include_withdrawn=include_withdrawn)):
        m = info.manifest
        start, end = m.get("calendar_range", ["", ""])
        rows.append({
            "snapshot_id": info.snapshot_id,
            "status": snapshot_status(info, default_id, lang),
            "as_of": info.as_of,
            "producer": m.get("producer", ""),
            "created_at": dt.datetime.fromisoformat(m["created_at"]) if m.get("created_at") else None,
            **{name: int(m.get("row_counts", {}).get(name, 0)) for name in FACT_TABLES},
            "calendar_start": start,
            "calendar_end": end,
            "cases_outside_calendar": int(m.get("cases_outside_calendar", 0)),
            "sources": len(m.get("sources", [])),
        })
    columns = ["snapshot_id", "status", "as_of", "producer", "created_at", *FACT_TABLES, "calendar_start",
               "calendar_end", "cases_outside_calendar", "sources"]
    return pd.DataFrame(rows, columns=columns)


def snapshot_sources(info: SnapshotInfo) -> pd.DataFrame:
    """The source files the snapshot was built from (kept byte for byte), with their sha256."""
    columns = ["file", "table", "bytes", "sha256"]
    return pd.DataFrame([{c: s.get(c) for c in columns} for s in info.manifest.get("sources", [])], columns=columns)


def ingest_summary(info: SnapshotInfo) -> dict:
    """What the manifest kept about the ingest that built the snapshot (empty for generated ones)."""
    report = info.manifest.get("report") or {}
    return report if "rows_read" in report else {}


def quarantine_bytes(info: SnapshotInfo) -> bytes | None:
    path = info.path / QUARANTINE_FILE
    return path.read_bytes() if path.is_file() else None


def quarantine_reasons(info: SnapshotInfo, lang: str = "zh") -> pd.DataFrame:
    """Rejected rows per table and reason, from the snapshot's quarantine (none: an empty frame)."""
    columns = ["table", "reason_code", "reason", "rows"]
    data = quarantine_bytes(info)
    if not data:
        return pd.DataFrame(columns=columns)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    counts = frame.groupby(["table", "reason_code"], dropna=False).size().reset_index(name="rows")
    counts["table"] = [table_label(name, lang) for name in counts["table"]]
    counts["reason"] = [reason_label(code, lang) for code in counts["reason_code"]]
    return counts.sort_values(["rows", "table"], ascending=[False, True]).reset_index(drop=True)[columns]


def table_label(name: str, lang: str = "zh") -> str:
    if name not in ALL_TABLES:
        return str(name)
    return ALL_TABLES[name].label_zh if lang == "zh" else name


def column_label(table: str, column: str, lang: str = "zh") -> str:
    if lang != "zh" or table not in ALL_TABLES:
        return column
    try:
        return ALL_TABLES[table].column(column).label_zh or column
    except KeyError:  # derived columns (item_type comes from the items table)
        return ALL_TABLES["items"].column(column).label_zh if column == "item_type" else column


def reason_label(code: str, lang: str = "zh") -> str:
    if code not in REASONS:
        return str(code)
    zh, en = REASONS[code]
    return zh if lang == "zh" else en


# ---------------------------------------------------------------- indicator definitions

def indicator_formula(ind: Indicator, lang: str = "zh") -> str:
    """How the indicator is made of the base measures of queries/indicator_measures.sql."""
    if ind.kind in ("count", "value"):
        return ind.value
    ratio = f"{ind.numerator} ÷ {ind.denominator}"
    if ind.kind == "mean":
        return ratio
    return f"(1 − {ratio}) × 100%" if ind.complement else f"{ratio} × 100%"


def indicator_formulas(lang: str = "zh") -> pd.DataFrame:
    """The catalog as the definitions page shows it, with each indicator's formula after its definition."""
    frame = indicator_definitions(lang)
    formulas = [indicator_formula(ind, lang) for ind in catalog().values()]
    frame.insert(2, text("formula", lang), formulas)
    return frame


# The counting rules the definitions pages state in plain words, in the order they are read; the
# settings of config/indicators.yaml's ``rules`` go into their texts (definitions.rules.*).
COUNTING_RULES = ("deadline", "states", "due_once", "refused", "rectify_default", "small_base", "no_data",
                  "like_for_like")


def counting_rules(lang: str = "zh") -> list[str]:
    """The rules that go with every number, one sentence each, with the configured settings
    (rules.rectify_default_wd, rules.min_cases) written in."""
    settings = rules()
    values = {"rectify_default": {"days": settings.rectify_default_wd}, "small_base": {"min": settings.min_cases}}
    return [t(f"definitions.rules.{key}", lang, **values.get(key, {})) for key in COUNTING_RULES]


def counting_rules_markdown(lang: str = "zh") -> str:
    """``counting_rules`` as a Markdown list."""
    return "\n".join(f"- {rule}" for rule in counting_rules(lang))


# ---------------------------------------------------------------- data quality

def data_quality(view: SnapshotView, filters: Filters | None = None, lang: str = "zh") -> pd.DataFrame:
    """Checks of the whole snapshot the user may see (queries/data_quality.sql); the period and
    the other filters do not apply — the page is about the data, not one selection of it.

    Columns: table_name, check_name, column_name, row_count, table_rows, share_pct (of the
    table's rows), and the labels table, check, column in ``lang``.
    """
    frame = view.layer.run("data_quality")
    totals = frame[frame["check_name"] == "rows"].set_index("table_name")["row_count"]
    frame["table_rows"] = frame["table_name"].map(totals).astype("int64")
    denominator = frame["table_rows"].where(frame["table_rows"] > 0)
    frame["share_pct"] = (frame["row_count"] / denominator * 100).where(frame["check_name"] != "rows")
    frame["table"] = [table_label(n, lang) for n in frame["table_name"]]
    frame["check"] = [text(f"check.{c}", lang) for c in frame["check_name"]]
    frame["column"] = [
        (text(f"deadline_source.{c}", lang) if check == "deadline_source" else column_label(tbl, c, lang))
        if isinstance(c, str) else ""
        for tbl, check, c in zip(frame["table_name"], frame["check_name"], frame["column_name"], strict=True)
    ]
    return frame


def quality_counts(quality: pd.DataFrame, check: str) -> dict[str, int]:
    """{column or table: rows} for one check, e.g. quality_counts(q, "deadline_source")."""
    part = quality[quality["check_name"] == check]
    keys = part["column_name"].where(part["column_name"].notna(), part["table_name"])
    return dict(zip(keys, part["row_count"].astype(int), strict=True))


def open_beyond_calendar(view: SnapshotView) -> int:
    """Open cases whose deadline the snapshot's calendar cannot hold (queries/calendar_care.sql)."""
    return int(view.layer.run("calendar_care")["open_beyond_calendar"].iloc[0])


def calendar_warnings(info: SnapshotInfo, first_case_day: dt.date | None, lang: str = "zh",
                      margin_days: int = CALENDAR_MARGIN_DAYS, open_beyond: int = 0) -> list[str]:
    """What the working-day calendar of the snapshot cannot cover, in words an administrator acts on:
    the ingest's calendar care (it ends within ``margin_days`` of the snapshot time, or ``open_beyond``
    open cases have a deadline past its end) and cases it cannot time."""
    m = info.manifest
    start, end = (dt.date.fromisoformat(d) for d in m["calendar_range"])
    as_of = info.as_of.date()
    warnings = []
    outside = int(m.get("cases_outside_calendar", 0))
    if outside:
        warnings.append(text("calendar_outside", lang, count=outside, start=start, end=end))
    if first_case_day is not None and first_case_day < start:
        warnings.append(text("calendar_starts_late", lang, start=start, first=first_case_day))
    if end < as_of:
        warnings.append(text("calendar_ends_before", lang, end=end, as_of=as_of, year=as_of.year))
    elif (end - as_of).days < margin_days:
        warnings.append(text("calendar_ends_soon", lang, end=end, as_of=as_of, days=(end - as_of).days,
                          year=end.year + 1))
    if open_beyond:
        warnings.append(admin_text("calendar_open_beyond", lang, count=open_beyond, end=end,
                                   year=end.year + 1))
    return warnings


# ---------------------------------------------------------------- upload and publish

def mapping_choices() -> dict[str, str]:
    """Mapping files of mappings/ (path → the mapping's own name), for the upload form."""
    choices = {}
    # the Chinese-headed export first: it is what a 政务服务 system hands over
    for path in sorted(MAPPINGS_DIR.glob("*.yaml"), key=lambda p: (p.name != DEFAULT_MAPPING, p.name)):
        try:
            choices[str(path)] = load_mapping(path).name
        except MappingError:
            continue  # a broken mapping cannot be chosen; the CLI reports why
    return choices


def suggest_snapshot_id(as_of: dt.date, store: SnapshotStore) -> str:
    """``YYYY-MM`` of the as-of date, or ``YYYY-MM-2``, ``-3`` … when that id is taken."""
    base = f"{as_of:%Y-%m}"
    candidate, n = base, 1
    while store.exists(candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def snapshot_id_problem(snapshot_id: str, store: SnapshotStore, lang: str = "zh") -> str | None:
    """Why an id cannot be used (before running anything), or None."""
    if not SNAPSHOT_ID_PATTERN.match(snapshot_id or ""):
        return text("id_invalid", lang)
    if store.exists(snapshot_id):
        return text("id_taken", lang, snapshot=snapshot_id)
    return None


def _upload_name(name: str) -> str:
    base = Path(str(name).replace("\\", "/")).name
    if not base or base.startswith(".") or not base.lower().endswith(UPLOAD_SUFFIXES):
        raise ValueError(f"not a .csv, .csv.gz, .xlsx or .xls file: {name!r}")
    return base


def stage_uploads(uploads: Iterable[tuple[str, bytes]], folder: Path | None = None) -> list[Path]:
    """Write uploaded files (name, content) under their own names into ``folder`` (a new temporary
    folder when None): the mapping matches files by name. Names are reduced to their last part."""
    uploads = list(uploads)
    names = [_upload_name(name) for name, _ in uploads]
    if len(set(names)) != len(names):
        raise ValueError(f"two uploads share a name: {sorted({n for n in names if names.count(n) > 1})}")
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix=STAGING_PREFIX))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (_, content) in zip(names, uploads, strict=True):
        path = folder / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def upload_signature(uploads: Iterable[tuple[str, bytes]], *settings: object) -> str:
    """A fingerprint of the uploaded files and the settings: a publish is allowed only for the very
    load that was validated."""
    digest = hashlib.sha256()
    for name, content in uploads:
        digest.update(str(name).encode() + b"\0" + hashlib.sha256(content).digest())
    for value in settings:
        digest.update(b"\0" + repr(value).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class UploadRequest:
    """One load as the administrator set it up; validation and publish use the same request."""

    mapping: Path | str  # a mapping file, or the name of one in mappings/
    files: tuple[Path, ...]
    snapshot_id: str
    as_of: dt.date | dt.datetime
    reject_threshold: float = 0.01
    accept_rejects: bool = False
    base: str | None = None  # an incremental load onto this snapshot (the page's "based on the current snapshot")
    accept_untimed: bool = False

    def run(self, publish: bool, store: SnapshotStore | None = None, reference_dir: Path | None = None,
            published_by: str | None = None) -> IngestResult:
        return run_ingest(self.mapping, list(self.files), self.snapshot_id, as_of=self.as_of, store=store,
                          reference_dir=reference_dir, reject_threshold=self.reject_threshold,
                          accept_rejects=self.accept_rejects, publish=publish, base=self.base,
                          accept_untimed=self.accept_untimed, published_by=published_by)


def validate_upload(request: UploadRequest, store: SnapshotStore | None = None,
                    reference_dir: Path | None = None) -> IngestResult:
    """The validation report (a dry run: nothing is written)."""
    return request.run(False, store, reference_dir)


def publish_upload(request: UploadRequest, store: SnapshotStore | None = None,
                   reference_dir: Path | None = None, published_by: str | None = None) -> IngestResult:
    """Validate again and publish atomically (the files could have changed since the dry run), with
    ``published_by`` in the audit log. Once published, the staged copies go: the snapshot keeps the
    sources byte for byte. Publishing never changes the default snapshot (``SnapshotStore.set_default``)."""
    result = request.run(True, store, reference_dir, published_by)
    if result.published is not None:
        discard_staged(request)
    return result


def discard_staged(request: UploadRequest) -> None:
    """Remove the temporary folder ``stage_uploads`` made for the request's files."""
    folders = {Path(f).parent for f in request.files}
    for folder in folders:
        if folder.name.startswith(STAGING_PREFIX) and folder.parent == Path(tempfile.gettempdir()):
            shutil.rmtree(folder, ignore_errors=True)


def result_files(result: IngestResult, lang: str = "zh") -> pd.DataFrame:
    """Per uploaded file: the table it fed, rows read / kept / rejected, blank rows, a refusal."""
    return pd.DataFrame([{
        "file": f.file,
        "table": table_label(f.table, lang) if f.table else "",
        "read": f.read, "kept": f.kept, "rejected": f.rejected, "blank_rows": f.blank_rows,
        "encoding": f.encoding or (f"sheet {f.sheet}" if f.sheet else ""),
        "error": f.error or "",
    } for f in result.files], columns=["file", "table", "read", "kept", "rejected", "blank_rows", "encoding", "error"])


def result_reasons(result: IngestResult, lang: str = "zh") -> pd.DataFrame:
    """Rejected rows per reason, most first."""
    rows = sorted(result.reason_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame([{"reason_code": code, "reason": reason_label(code, lang), "rows": n} for code, n in rows],
                        columns=["reason_code", "reason", "rows"])


def result_rejects(result: IngestResult, limit: int = 200) -> pd.DataFrame:
    """The first ``limit`` rejected rows: file, line, column, reason, value (the full list is the quarantine)."""
    return pd.DataFrame([{
        "file": r.file, "line": r.line, "table": r.table, "column": r.source_column or r.column,
        "reason": r.reason, "value": r.value,
    } for r in result.rejects[:limit]], columns=["file", "line", "table", "column", "reason", "value"])


def result_tables(result: IngestResult, lang: str = "zh") -> pd.DataFrame:
    """Per table of the load: rows read, kept, rejected, skipped on purpose, the reject share (of the
    rows not skipped) and the table's threshold, both in percent."""
    return pd.DataFrame([{
        "table": table_label(name, lang), "read": c.read, "kept": c.kept, "rejected": c.rejected,
        "skipped": c.skipped, "reject_pct": 100 * c.reject_rate, "threshold_pct": 100 * c.threshold,
    } for name, c in result.tables.items()],
        columns=["table", "read", "kept", "rejected", "skipped", "reject_pct", "threshold_pct"])


def result_skipped(result: IngestResult) -> pd.DataFrame:
    """Rows the mapping's skip rules left out, per file and rule (not rejects)."""
    rows = [{"file": f.file, "rule": rule, "rows": n} for f in result.files for rule, n in f.skipped.items()]
    return pd.DataFrame(rows, columns=["file", "rule", "rows"])


def result_tables_from(result: IngestResult, lang: str = "zh") -> pd.DataFrame:
    """With a base snapshot: where each table of the new snapshot comes from (base, load, appended,
    replaced) and the rows from each."""
    return pd.DataFrame([{
        "table": table_label(name, lang), "source": admin_text(f"from_{entry['source']}", lang),
        "from_base": entry["from_base"], "from_load": entry["from_load"],
    } for name, entry in result.tables_from.items()], columns=["table", "source", "from_base", "from_load"])


VERDICT_KEYS = ("compared", "agree", "disagree", "source_on_time_ours_late", "source_late_ours_on_time",
                "not_compared")


# ---------------------------------------------------------------- before a publish: the admin confirms

@dataclass(frozen=True)
class PublishCheck:
    """Something about a load the admin must confirm before it is published: ``code`` (earlier,
    smaller, same_sources) names its confirmation checkbox, ``message`` says what is wrong."""

    code: str
    message: str


@cache
def small_snapshot_ratio() -> float:
    """config/publishing.yaml's ``small_snapshot_ratio``: a new snapshot with fewer cases than this
    share of the default's asks for confirmation."""
    settings = yaml.safe_load(PUBLISHING_CONFIG.read_text(encoding="utf-8")) or {}
    ratio = settings.get("small_snapshot_ratio")
    if not isinstance(ratio, int | float) or not 0 < ratio <= 1:
        raise ValueError(f"{PUBLISHING_CONFIG}: small_snapshot_ratio must be a share in (0, 1], not {ratio!r}")
    return float(ratio)


def planned_counts(result: IngestResult) -> dict[str, int]:
    """Rows per fact table the snapshot will hold when this (validated) load is published: the load's
    kept rows, with a base its rows plus the load's as ``tables_from`` says."""
    counts = {}
    for name in FACT_TABLES:
        entry = result.tables_from.get(name)
        if entry is not None:
            counts[name] = entry["from_load"] + (entry["from_base"] if entry["source"] in ("base", "append") else 0)
        else:
            counts[name] = result.tables[name].kept if name in result.tables else 0
    return counts


def publish_comparison(result: IngestResult, default: SnapshotInfo | None, lang: str = "zh") -> pd.DataFrame:
    """Per fact table: rows of the new snapshot, of the current default snapshot and the difference
    (None without a default)."""
    planned = planned_counts(result)
    rows = []
    for name in FACT_TABLES:
        current = int(default.row_counts.get(name, 0)) if default is not None else None
        rows.append({"table": table_label(name, lang), "new": planned[name], "default": current,
                     "difference": None if current is None else planned[name] - current})
    return pd.DataFrame(rows, columns=["table", "new", "default", "difference"])


def publish_checks(result: IngestResult, files: Iterable[Path], store: SnapshotStore,
                   lang: str = "zh") -> list[PublishCheck]:
    """What needs an explicit confirmation: a data date earlier than the default snapshot's, far fewer
    cases than it has (``small_snapshot_ratio``), or source files a published snapshot (withdrawn ones
    too) was built from already (same sha256)."""
    checks = []
    default = store.default()
    if default is not None and result.as_of is not None and result.as_of < default.as_of:
        checks.append(PublishCheck("earlier", admin_text(
            "check_earlier", lang, as_of=f"{result.as_of:%Y-%m-%d %H:%M}", default=default.snapshot_id,
            default_as_of=f"{default.as_of:%Y-%m-%d %H:%M}")))
    ratio = small_snapshot_ratio()
    cases, default_cases = planned_counts(result)["cases"], int(default.row_counts.get("cases", 0)) if default else 0
    if default_cases and cases < ratio * default_cases:
        checks.append(PublishCheck("smaller", admin_text(
            "check_smaller", lang, cases=cases, default=default.snapshot_id,
            default_cases=default_cases, percent=f"{100 * ratio:g}")))
    published = {}
    for info in store.list(include_withdrawn=True):
        for source in info.manifest.get("sources", []):
            published.setdefault(source.get("sha256"), info.snapshot_id)
    same = [(Path(f).name, published[digest]) for f in files if (digest := sha256_of(Path(f))) in published]
    if same:
        pairs = admin_text("separator", lang).join(admin_text("same_pair", lang, file=f, snapshot=s) for f, s in same)
        checks.append(PublishCheck("same_sources", admin_text("check_same_sources", lang, pairs=pairs)))
    return checks


# ---------------------------------------------------------------- next year's holidays (calendar add-year)

CALENDAR_COLUMNS = ("date", "day_kind", "name_zh")  # workdays_admin.read_year_file's header


def calendar_summary(path: Path) -> WorkCalendar | None:
    """The calendar file the next loads use (None when there is none)."""
    return WorkCalendar(read_calendar_csv(path)) if path.is_file() else None


def year_rows(data: bytes, name: str, year: int) -> list[CalendarDay]:
    """A year's holidays and make-up working days from an uploaded or typed CSV, checked as the CLI
    checks them (``calendar add-year --file``); a problem names the file by ``name`` and its line."""
    with tempfile.TemporaryDirectory(prefix=STAGING_PREFIX) as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        try:
            return read_year_file(path, year)
        except ValueError as exc:
            raise ValueError(str(exc).replace(f"{folder}/", "")) from None


def add_calendar_year(calendar: Path, year: int, data: bytes, name: str) -> int:
    """Append ``year`` from the CSV to the calendar file (whole or not at all); returns the rows added."""
    with tempfile.TemporaryDirectory(prefix=STAGING_PREFIX) as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        try:
            return add_year(calendar, year, path)
        except ValueError as exc:
            raise ValueError(str(exc).replace(f"{folder}/", "")) from None


def empty_year_table() -> pd.DataFrame:
    """The page's editable table of a year's days, before anything is typed."""
    return pd.DataFrame({c: pd.Series(dtype="string") for c in CALENDAR_COLUMNS})


def typed_year_csv(frame: pd.DataFrame) -> bytes:
    """The page's editable table as the CSV ``year_rows`` reads (blank rows left out)."""
    frame = frame.reindex(columns=list(CALENDAR_COLUMNS)).fillna("").astype(str)
    frame = frame[frame.apply(lambda row: any(v.strip() for v in row), axis=1)]
    return frame.to_csv(index=False).encode("utf-8")


def year_preview(days: list[CalendarDay], lang: str = "zh") -> pd.DataFrame:
    return pd.DataFrame([{"date": d.date, "day_kind": admin_text(f"day_kind_{d.day_kind}", lang), "name": d.name_zh}
                         for d in days], columns=["date", "day_kind", "name"])


# ---------------------------------------------------------------- the audit log

AUDIT_COLUMNS = ["at", "action", "user", "scope", "details"]


def audit_table(entries: Iterable[dict], actions: Iterable[str] = (), users: Iterable[str] = (),
                lang: str = "zh") -> pd.DataFrame:
    """The audit log newest first, only the ``actions`` and ``users`` given (none: all); the time in
    UTC as written, the action in words, the scope (every county, or the codes) and the details."""
    actions, users = set(actions), set(users)
    rows = []
    for e in entries:
        if (actions and e.get("action") not in actions) or (users and e.get("user") not in users):
            continue
        scope = e.get("scope")
        rows.append({
            "at": e.get("at", ""), "action": admin_text(f"action_{e.get('action')}", lang),
            "user": e.get("user") or "—",
            "scope": admin_text("scope_all", lang) if scope is None else ",".join(scope),
            "details": json.dumps(e.get("details") or {}, ensure_ascii=False, sort_keys=True),
        })
    return pd.DataFrame(rows[::-1], columns=AUDIT_COLUMNS)

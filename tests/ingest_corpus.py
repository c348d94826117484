"""Builders for the ingest's bad-input corpus: small files written into a test's tmp_path.

Files are generated, not committed, so each test shows exactly what it feeds the ingest. Cases
use the Chinese export layout of mappings/chinese_export.yaml; other tables use the contract's
own column names (``contract_mapping``).
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest

from xiaoneng.ingest import IngestResult, run_ingest
from xiaoneng.ingest.mapping import Mapping, mapping_from_dict
from xiaoneng.paths import MAPPINGS_DIR
from xiaoneng.schema import ALL_TABLES
from xiaoneng.snapshots import SnapshotStore

CHINESE_MAPPING = MAPPINGS_DIR / "chinese_export.yaml"
EXAMPLE_CASES = MAPPINGS_DIR / "examples" / "办件_示例.csv"
EXAMPLE_RATINGS = MAPPINGS_DIR / "examples" / "好差评_示例.csv"

CASE_HEADER = ["办件编号", "事项编码", "区县代码", "部门代码", "办理渠道", "申请人类型", "申请时间", "受理时间",
               "办结时间", "承诺办结时间", "办件状态", "特别程序天数", "承诺时限", "法定时限"]
RATING_HEADER = ["评价编号", "办件编号", "区县代码", "部门代码", "事项编码", "评价渠道", "评价时间", "评价等级",
                 "评价标签", "评价内容", "核实时间", "整改期限", "整改完成时间", "整改状态", "回访评价"]

AS_OF = "2026-02-28T23:59:59"

# 2026 holidays and make-up working days (State Council schedule), enough for a calendar covering 2026.
CALENDAR_2026 = [
    ("2026-01-01", "holiday", "元旦"), ("2026-01-02", "holiday", "元旦"), ("2026-01-03", "holiday", "元旦"),
    ("2026-01-04", "makeup_workday", "元旦调休上班"),
    ("2026-02-14", "makeup_workday", "春节调休上班"),
    *[(f"2026-02-{d:02d}", "holiday", "春节") for d in range(15, 24)],
    ("2026-02-28", "makeup_workday", "春节调休上班"),
]


def case_row(n: int, **changes: str) -> list[str]:
    """A valid completed case in January 2026, number ``n``; ``changes`` by Chinese header."""
    county = f"C{(n % 9) + 1:02d}"
    dept = f"D{(n % 6) + 1:02d}"
    day = 5 + n % 20
    row = {
        "办件编号": f"BJ2026{n:06d}", "事项编码": f"{dept}-001", "区县代码": county, "部门代码": dept,
        "办理渠道": ["窗口", "网上", "移动端", "自助终端"][n % 4], "申请人类型": ["个人", "企业"][n % 2],
        "申请时间": f"2026-01-{day:02d} 09:00:00", "受理时间": f"2026-01-{day:02d} 09:30:00",
        "办结时间": f"2026-01-{day + 2:02d} 15:00:00", "承诺办结时间": f"2026-01-{day + 5:02d} 17:30:00",
        "办件状态": "办结", "特别程序天数": "0", "承诺时限": "5", "法定时限": "20",
    }
    unknown = set(changes) - set(row)
    if unknown:
        raise KeyError(f"not case headers: {unknown}")
    row.update(changes)
    return [row[h] for h in CASE_HEADER]


def rating_row(n: int, **changes: str) -> list[str]:
    row = {
        "评价编号": f"PJ{n:05d}", "办件编号": f"BJ2026{n:06d}", "区县代码": "C01", "部门代码": "D01",
        "事项编码": "D01-001", "评价渠道": "窗口", "评价时间": "2026-01-20 10:00:00", "评价等级": "满意",
        "评价标签": "服务热情", "评价内容": "办事很顺利", "核实时间": "", "整改期限": "", "整改完成时间": "",
        "整改状态": "", "回访评价": "",
    }
    row.update(changes)
    return [row[h] for h in RATING_HEADER]


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(header, rows, encoding))
    return path


def write_cases(path: Path, n: int = 20, *, encoding: str = "utf-8", changes: dict[int, dict] | None = None,
                drop: tuple[str, ...] = ()) -> Path:
    """``n`` valid cases; ``changes`` maps a row number (1-based data row) to header overrides."""
    changes = changes or {}
    rows = [case_row(i, **changes.get(i, {})) for i in range(1, n + 1)]
    keep = [i for i, h in enumerate(CASE_HEADER) if h not in drop]
    return write_csv(path, [CASE_HEADER[i] for i in keep], [[r[i] for i in keep] for r in rows], encoding)


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_reference(folder: Path, *, tables: tuple[str, ...] = ("counties", "departments", "items", "calendar"),
                    counties: int = 9, departments: int = 20) -> Path:
    """A small reference folder like the demo's: C01..C09, D01..D20, items Dxx-001 (5 / 20 days)."""
    folder.mkdir(parents=True, exist_ok=True)
    if "counties" in tables:
        write_csv(folder / "counties.csv", ["county_code", "name_zh", "name_en", "kind"],
                  [[f"C{i:02d}", f"第{i}区", f"County {i}", "区"] for i in range(1, counties + 1)])
    if "departments" in tables:
        write_csv(folder / "departments.csv", ["dept_code", "name_zh", "name_en", "category"],
                  [[f"D{i:02d}", f"部门{i}", f"Department {i}", "审批"] for i in range(1, departments + 1)])
    if "items" in tables:
        write_csv(folder / "items.csv",
                  ["item_code", "name_zh", "dept_code", "item_type", "legal_limit_wd", "promised_limit_wd"],
                  [[f"D{i:02d}-001", f"事项{i}", f"D{i:02d}", "行政许可", "20", "5"]
                   for i in range(1, departments + 1)])
    if "calendar" in tables:
        write_csv(folder / "calendar.csv", ["date", "day_kind", "name_zh"], [list(r) for r in CALENDAR_2026])
    return folder


def contract_mapping(table: str, pattern: str = "*.csv", **extra) -> Mapping:
    """A one-input mapping for files whose headers are the contract's column names."""
    return mapping_from_dict({"name": f"contract {table}", "inputs": [{"files": [pattern], "table": table, **extra}]})


def contract_header(table: str) -> list[str]:
    return ALL_TABLES[table].column_names


def store_state(root: Path) -> dict[str, str]:
    """Every path under the store with the sha256 of files: equal before/after means untouched."""
    if not root.exists():
        return {}
    state = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        state[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<dir>"
    return state


def ingest_fixtures(as_of: str = AS_OF, reject_threshold: float | None = 1.0):
    """The ``ref``, ``store`` and ``run`` fixtures of an ingest test module: a written reference folder,
    an empty store, and run_ingest with the Chinese mapping on them (as of ``as_of``; the reject
    threshold 100 % unless a test gives one, or the mapping's own with None). A module binds them with
    ``ref, store, run = ingest_fixtures(...)``."""

    @pytest.fixture
    def ref(tmp_path) -> Path:
        return write_reference(tmp_path / "ref")

    @pytest.fixture
    def store(tmp_path) -> SnapshotStore:
        return SnapshotStore(tmp_path / "store")

    @pytest.fixture
    def run(store, ref):
        def go(files, snapshot="s1", mapping=CHINESE_MAPPING, **kw) -> IngestResult:
            kw.setdefault("as_of", as_of)
            if reject_threshold is not None:
                kw.setdefault("reject_threshold", reject_threshold)
            kw.setdefault("reference_dir", ref)
            return run_ingest(mapping, [Path(f) for f in files], snapshot, store=store, **kw)

        return go

    return ref, store, run


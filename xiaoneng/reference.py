"""Reference tables kept as text under data/reference/: counties, departments, items, calendar."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from xiaoneng.paths import reference_dir
from xiaoneng.schema import REFERENCE_TABLES
from xiaoneng.workdays import CalendarDay, WorkCalendar, read_calendar_csv

DIMENSION_TABLES = ("counties", "departments", "items")


def read_reference_csv(path: Path, table_name: str) -> pa.Table:
    """One reference CSV (UTF-8) read with the contract's column types."""
    spec = REFERENCE_TABLES[table_name]
    options = pacsv.ConvertOptions(
        column_types={c.name: c.arrow_type for c in spec.columns},
        strings_can_be_null=True,
    )
    return pacsv.read_csv(path, convert_options=options)


def load_dimensions(folder: Path | None = None) -> dict[str, pa.Table]:
    folder = Path(folder) if folder else reference_dir()
    return {name: read_reference_csv(folder / f"{name}.csv", name) for name in DIMENSION_TABLES}


def load_calendar_days(folder: Path | None = None) -> list[CalendarDay]:
    folder = Path(folder) if folder else reference_dir()
    return read_calendar_csv(folder / "calendar.csv")


def load_calendar(folder: Path | None = None) -> WorkCalendar:
    return WorkCalendar(load_calendar_days(folder))

"""Declared data checks run on every snapshot before it is published (dbt-style).

From the contract in schema.py: keys unique and not null, required columns not
null, values in their accepted set and range, codes present in the table they
reference. The ingest rejects offending rows before this point, so on a
snapshot these checks are the last guard: any failure refuses the publish.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from xiaoneng.schema import ALL_TABLES


def check_tables(tables: dict[str, pa.Table]) -> list[str]:
    """Human-readable failures (empty when every check passes)."""
    failures = []
    for name, table in tables.items():
        spec = ALL_TABLES.get(name)
        if spec is None or spec.name == "calendar":  # the calendar table is derived, not loaded
            continue
        if spec.key:
            keys = table.column(spec.key)
            duplicates = len(keys) - pc.count_distinct(keys, mode="only_valid").as_py() - keys.null_count
            if duplicates:
                failures.append(f"{name}.{spec.key}: {duplicates} duplicate values")
        if spec.unique_together and table.num_rows:
            combos = table.group_by(list(spec.unique_together)).aggregate([]).num_rows
            if combos != table.num_rows:
                failures.append(f"{name}{list(spec.unique_together)}: {table.num_rows - combos} duplicate rows")
        for col in spec.columns:
            values = table.column(col.name)
            if col.required and values.null_count:
                failures.append(f"{name}.{col.name}: {values.null_count} empty values in a required column")
            if col.accepted:
                bad = _count_not_in(values, pa.array(col.accepted))
                if bad:
                    failures.append(f"{name}.{col.name}: {bad} values outside {list(col.accepted)}")
            if col.min_value is not None or col.max_value is not None:
                low = col.min_value if col.min_value is not None else float("-inf")
                high = col.max_value if col.max_value is not None else float("inf")
                outside = pc.sum(pc.or_(pc.less(values, low), pc.greater(values, high))).as_py() or 0
                if outside:
                    failures.append(f"{name}.{col.name}: {outside} values outside [{low}, {high}]")
            if col.references:
                ref_table, ref_col = col.references.split(".")
                if ref_table in tables:
                    unknown = _count_not_in(values, pc.unique(tables[ref_table].column(ref_col)))
                    if unknown:
                        failures.append(f"{name}.{col.name}: {unknown} values not found in {col.references}")
    return failures


def _count_not_in(values: pa.ChunkedArray, allowed: pa.Array) -> int:
    """Non-null values missing from ``allowed``."""
    present = values.drop_null()
    return len(present) - (pc.sum(pc.is_in(present, value_set=allowed)).as_py() or 0)

"""``indicators``: the numbers on the command line, by the dashboard's code path (``snapshots`` is
xiaoneng.snapshot_admin's)."""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from xiaoneng import cli_args
from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import GROUPINGS, SnapshotView, indicator_table, indicator_table_with_changes, through_day
from xiaoneng.periodnotes import through_text


def add_cli(sub: argparse._SubParsersAction) -> None:
    ind = sub.add_parser("indicators", help="every indicator for each group")
    ind.add_argument("--snapshot", help="snapshot id (default: the default snapshot an admin chose)")
    ind.add_argument("--period", help="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD (default: snapshot month)")
    ind.add_argument("--by", default="total", choices=list(GROUPINGS))
    ind.add_argument("--counties", default="", help="comma-separated county codes")
    ind.add_argument("--departments", default="", help="comma-separated department codes")
    ind.add_argument("--item-types", default="", help="comma-separated item types")
    ind.add_argument("--channels", default="", help="comma-separated channels")
    ind.add_argument("--format", default="table", choices=["table", "csv", "json"])
    ind.add_argument("--lang", default="zh", choices=["zh", "en"])
    ind.add_argument("--with-changes", action="store_true",
                     help="add <indicator>_previous (previous period) and <indicator>_year_ago columns")
    cli_args.add_user_argument(ind)
    ind.set_defaults(run=run_indicators)


def _split(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def indicators_frame(view: SnapshotView, filters: Filters, by: str, lang: str = "zh",
                     with_changes: bool = False) -> pd.DataFrame:
    """Group columns, then every catalog indicator (by key), the composite score and rank."""
    if with_changes:
        table = indicator_table_with_changes(view, filters, by, lang)
    else:
        table = indicator_table(view, filters, by, lang)
    group_cols = [c for c in ("county_code", "county_name", "dept_code", "dept_name") if c in table and
                  GROUPINGS[by][0 if c.startswith("county") else 1]]
    keys = [*catalog(), "composite_score"]
    changes = [f"{k}_{s}" for k in keys for s in ("previous", "year_ago")] if with_changes else []
    return table[[*group_cols, *keys, "rank", "small_base", *changes]]


def run_indicators(args: argparse.Namespace) -> int:
    try:
        user = cli_args.cli_user(args.as_user, args.lang)
        view = cli_args.snapshot_view(args.snapshot, args.lang)
        counties = _split(args.counties)
        cli_args.check_counties(view, counties, user, args.lang)
        view = cli_args.scoped(view, user)
        period = cli_args.period(view, args.period, args.lang)
    except cli_args.Refusal as refusal:
        print(refusal, file=sys.stderr)
        return refusal.code
    info = view.info
    filters = Filters(period, counties, _split(args.departments), _split(args.item_types), _split(args.channels))
    frame = indicators_frame(view, filters, args.by, args.lang, args.with_changes)
    cli_args.record_export(user, f"indicators.{args.format}", filters, view, len(frame))
    if args.format == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        print(json.dumps({"snapshot": info.snapshot_id, "as_of": info.manifest["as_of"], "period": period.key,
                          "by": args.by, "rows": records}, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        frame.to_csv(sys.stdout, index=False, float_format="%.4f")
    else:
        labels = {k: i.label(args.lang) for k, i in catalog().items()}
        through = through_text(through_day(view, period), args.lang)
        span = f" ({through})" if through else ""
        print(f"# {info.snapshot_id} as of {info.manifest['as_of']} · {period.label(args.lang)}{span} · by {args.by}")
        # no figure is shown as 无数据 / no data, never as 0 or NaN
        shown = frame.astype(object).where(frame.notna(), t("kpi.no_value", args.lang))
        with pd.option_context("display.max_columns", None, "display.width", 200):
            print(shown.rename(columns=labels).T.to_string(header=False))
    return 0

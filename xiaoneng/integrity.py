"""数据真实性核查: checks on the data's honesty (issue 13, point 3) — signals to look at, not verdicts.

Each check of config/integrity.yaml has a rule (stated on the page and in the CLI report, thresholds
filled in), finds the cases (or reviews) its rule describes in the period, and ranks the units
(department within county) by how many of their cases trip it and what share of their base that is;
a unit meeting every condition of the check's ``flag`` is marked above the threshold. Working days
come from the snapshot's calendar. The queries (queries/integrity_*.sql) read only the scoped views,
so a county user sees only the county's units, and the peers and norms of the two share checks are
the other units the user can see.

* intake_wait, quick_batch, deadline_rush, resubmission: the query lists the tripped cases; a unit's
  count is its rows, its share of the base of queries/integrity_bases.sql.
* suspension_share, unfounded_share: the query gives each unit's counts and this module compares them
  with the norm (expected count, ratio, z = (count − expected) ÷ √max(expected, 1)); the cases behind
  a unit are its suspended cases, or its unfounded reviews.

Public functions take (view, filters, lang, …) and return small frames, for ``session.cached``.
Every query's answer is kept per (snapshot, scope, filters, parameters) (``_run``): the summary's six
checks, the chosen check's units and cases and ``has_cases`` share the same answers instead of
asking again (integrity_bases alone was asked five times a view).
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd
import yaml

from xiaoneng import cli_args
from xiaoneng.filters import Filters, Scope
from xiaoneng.i18n import LANGS, t
from xiaoneng.metrics import SnapshotView, unit_names
from xiaoneng.paths import CONFIG_DIR
from xiaoneng.queries import QueryLayer

CHECKS = ("intake_wait", "suspension_share", "quick_batch", "deadline_rush", "resubmission", "unfounded_share")
CASE_CHECKS = ("intake_wait", "quick_batch", "deadline_rush", "resubmission")  # the query lists tripped cases
BASE_OF_CHECK = {"intake_wait": "accepted", "quick_batch": "promised_completed",
                 "deadline_rush": "deadline_completed", "resubmission": "refused"}
# Per check, the columns that show why a case tripped it (headers: integrity.col.<name>).
EVIDENCE = {
    "intake_wait": ("received_at", "wait_wd"),
    "suspension_share": ("suspended_wd",),
    "quick_batch": ("minutes", "batch_size"),
    "deadline_rush": ("minutes_before",),
    "resubmission": ("resubmitted_case_id", "resubmitted_at", "gap_wd"),
    "unfounded_share": (),
}
UNIT_COLUMNS = ("county_code", "county_name", "dept_code", "dept_name", "base", "tripped", "share",
                "expected", "ratio", "z", "flagged")
CASE_COLUMNS = ("case_id", "item_code", "item_name", "county_name", "dept_name", "channel", "status",
                "accepted_at", "completed_at", "deadline_at")
REVIEW_COLUMNS = ("rating_id", "case_id", "item_name", "county_name", "dept_name", "channel", "rated_at", "score",
                  "verified_at", "reason_tags", "comment")


@dataclass(frozen=True)
class Check:
    key: str
    texts: dict[str, str]  # rule_zh, rule_en, base_zh, …, note_*, no_data_*
    thresholds: dict[str, float]
    flag: dict[str, float]

    def text(self, name: str, lang: str) -> str | None:
        """The check's ``name`` text (rule, base, note, no_data) in ``lang``, thresholds filled in."""
        text = self.texts.get(f"{name}_{'en' if lang == 'en' else 'zh'}")
        if text is None:
            return None
        return text.format(**self.thresholds, **self.flag, min_share_pct=f"{self.flag.get('min_share', 0):.0%}")

    def flag_text(self, lang: str) -> str:
        """The conditions that mark a unit above the threshold, in words."""
        parts = [t(f"integrity.flag.{name}", lang, value=_condition_value(name, value))
                 for name, value in self.flag.items()]
        return t("integrity.flag.joiner", lang).join(parts)


def _condition_value(name: str, value: float) -> str:
    return f"{value:.0%}" if name == "min_share" else f"{value:g}"


@cache
def checks() -> dict[str, Check]:
    """The checks of config/integrity.yaml, in CHECKS order."""
    spec = yaml.safe_load((CONFIG_DIR / "integrity.yaml").read_text(encoding="utf-8"))["checks"]
    missing = set(CHECKS) - spec.keys()
    if missing:
        raise ValueError(f"config/integrity.yaml: no check {sorted(missing)}")
    out = {}
    for key in CHECKS:
        entry = spec[key]
        texts = {k: v for k, v in entry.items() if isinstance(v, str)}
        out[key] = Check(key, texts, dict(entry.get("thresholds") or {}), dict(entry.get("flag") or {}))
    return out


def _check(key: str) -> Check:
    if key not in CHECKS:
        raise ValueError(f"check must be one of {CHECKS}, got {key!r}")
    return checks()[key]


@lru_cache(maxsize=32)
def _cached_run(path: Path, counties: tuple[str, ...] | None, name: str, filters: Filters,
                params: tuple[tuple[str, object], ...]) -> pd.DataFrame:
    # Keyed by the snapshot (immutable), the scope, the filters and every bound parameter (the
    # thresholds of config/integrity.yaml too), so a changed threshold is a new answer.
    return QueryLayer(path, Scope(counties)).run(name, filters, **dict(params))


def _run(view: SnapshotView, name: str, filters: Filters, **params) -> pd.DataFrame:
    """``view.layer.run(name, filters, **params)``, answered once per snapshot, scope, filters and
    parameters (a copy, so no caller changes the kept answer)."""
    return _cached_run(view.info.path, view.scope.counties, name, filters, tuple(sorted(params.items()))).copy()


def _bounds(view: SnapshotView, filters: Filters) -> dict:
    return filters.period.bounds(view.as_of)


def applicant_ids_available(view: SnapshotView, filters: Filters) -> bool:
    """The snapshot's cases have the optional applicant_id column and the period's refusals carry codes."""
    columns = _run(view, "integrity_case_columns", filters)["column_name"]
    if "applicant_id" not in set(columns):
        return False
    bounds = _bounds(view, filters)
    coverage = _run(view, "integrity_applicant_coverage", filters, period_start=bounds["period_start"],
                    period_end=bounds["period_end"]).iloc[0]
    return int(coverage["refused"]) == 0 or int(coverage["refused_with_applicant"]) > 0


def _query_params(check: Check, bounds: dict, names: tuple[str, ...]) -> dict:
    values = {**bounds, **check.thresholds}
    return {name: values[name] for name in names}


def _raw_cases(view: SnapshotView, filters: Filters, key: str, county_code: str | None = None,
               dept_code: str | None = None) -> pd.DataFrame:
    """The rows behind a check (tripped cases; the suspended cases or unfounded reviews of the share
    checks), for one unit when both codes are given; nothing for a period without data."""
    check = _check(key)
    bounds = _bounds(view, filters)
    if key == "intake_wait":
        frame = _run(view, "integrity_intake_wait", filters, **_query_params(
            check, bounds, ("period_start", "period_end", "max_wait_wd")))
    elif key == "quick_batch":
        frame = _run(view, "integrity_quick_batch", filters, **_query_params(
            check, bounds, ("period_start", "period_end", "min_promised_wd", "max_minutes", "batch_min_cases")))
    elif key == "deadline_rush":
        frame = _run(view, "integrity_deadline_rush", filters, **_query_params(
            check, bounds, ("period_start", "period_end", "window_minutes")))
    elif key == "resubmission":
        if not applicant_ids_available(view, filters):
            return pd.DataFrame(columns=[*CASE_COLUMNS, "county_code", "dept_code", *EVIDENCE[key]])
        frame = _run(view, "integrity_resubmission", filters, **_query_params(
            check, bounds, ("period_start", "period_end", "state_at", "max_gap_wd")))
    elif key == "suspension_share":
        frame = _run(view, "integrity_suspension_cases", filters, county_code=county_code, dept_code=dept_code,
                          **_query_params(check, bounds, ("period_start", "period_end", "min_promised_wd")))
    else:
        frame = _run(view, "integrity_unfounded_reviews", filters, county_code=county_code, dept_code=dept_code,
                          **_query_params(check, bounds, ("period_start", "period_end", "state_at")))
    if not view.has_begun(filters.period):
        frame = frame.iloc[0:0]
    if county_code and dept_code:
        frame = frame[(frame["county_code"] == county_code) & (frame["dept_code"] == dept_code)]
    return frame.reset_index(drop=True)


def _with_names(frame: pd.DataFrame, view: SnapshotView, lang: str) -> pd.DataFrame:
    county_names, dept_names = unit_names(view, lang)
    return frame.assign(county_name=frame["county_code"].map(county_names).fillna(frame["county_code"]),
                        dept_name=frame["dept_code"].map(dept_names).fillna(frame["dept_code"]))


def _deviation(count: pd.Series, expected: pd.Series) -> pd.Series:
    """(count − expected) ÷ √max(expected, 1): how far a count lies above its norm, in standard deviations
    of a Poisson count (a norm below one case counts as one, so a single case is never a signal)."""
    return (count - expected) / expected.clip(lower=1.0).map(math.sqrt)


def _share_units(view: SnapshotView, filters: Filters, key: str) -> pd.DataFrame:
    check = _check(key)
    bounds = _bounds(view, filters)
    if key == "suspension_share":
        raw = _run(view, "integrity_suspension_share", filters, **_query_params(
            check, bounds, ("period_start", "period_end", "min_promised_wd")))
        frame = pd.DataFrame({
            "county_code": raw["county_code"], "dept_code": raw["dept_code"],
            "base": raw["base_cases"].astype("int64"), "tripped": raw["suspended_cases"].astype("int64"),
            "compared": raw["compared_suspended"].astype("float64"),
            # no other unit in view handled its items: no norm to compare with
            "expected": raw["expected_suspended"].astype("float64").where(raw["compared_cases"] > 0),
        })
    else:
        raw = _run(view, "integrity_unfounded_share", filters, **_query_params(
            check, bounds, ("period_start", "period_end", "state_at")))
        total_verified, total_unfounded = raw["verified"].sum(), raw["unfounded"].sum()
        others_verified = total_verified - raw["verified"]
        peer_rate = (total_unfounded - raw["unfounded"]) / others_verified.where(others_verified > 0)
        frame = pd.DataFrame({
            "county_code": raw["county_code"], "dept_code": raw["dept_code"],
            "base": raw["verified"].astype("int64"), "tripped": raw["unfounded"].astype("int64"),
            "compared": raw["unfounded"].astype("float64"),
            "expected": (raw["verified"] * peer_rate).astype("float64"),  # no other unit in view: no norm
        })
    frame["ratio"] = (frame["compared"] / frame["expected"].where(frame["expected"] > 0)).astype("float64")
    frame.loc[(frame["expected"] == 0) & (frame["compared"] > 0), "ratio"] = math.inf
    frame["z"] = _deviation(frame["compared"], frame["expected"])
    return frame.drop(columns="compared")


def check_units(view: SnapshotView, filters: Filters, lang: str = "zh", check: str = "intake_wait") -> pd.DataFrame:
    """The units that trip ``check`` at least once in the period (UNIT_COLUMNS): base (the check's base
    cases), tripped (count), share (tripped ÷ base), for the share checks expected, ratio and z against
    the norm, and flagged (every condition of the check's ``flag`` met). Flagged units first, then by
    count and share; nothing for a period without data."""
    spec = _check(check)
    if not view.has_begun(filters.period):
        return pd.DataFrame(columns=list(UNIT_COLUMNS))
    if check in CASE_CHECKS:
        rows = _raw_cases(view, filters, check)
        counts = rows.groupby(["county_code", "dept_code"]).size().rename("tripped").reset_index()
        bases = _unit_bases(view, filters)
        frame = counts.merge(bases[["county_code", "dept_code", BASE_OF_CHECK[check]]], how="left",
                             on=["county_code", "dept_code"]).rename(columns={BASE_OF_CHECK[check]: "base"})
        frame = frame.assign(expected=math.nan, ratio=math.nan, z=math.nan)
    else:
        frame = _share_units(view, filters, check)
    frame = frame[frame["tripped"] > 0].copy()
    frame["base"] = frame["base"].fillna(0).astype("int64")
    frame["tripped"] = frame["tripped"].astype("int64")
    frame["share"] = (frame["tripped"] / frame["base"].where(frame["base"] > 0)).astype("float64")
    conditions = {"min_cases": frame["tripped"], "min_share": frame["share"], "min_ratio": frame["ratio"],
                  "min_z": frame["z"]}
    flagged = pd.Series(True, index=frame.index)
    for name, value in spec.flag.items():
        flagged &= conditions[name].fillna(0) >= value
    frame["flagged"] = flagged.astype(bool)
    frame = _with_names(frame, view, lang)
    frame = frame.sort_values(["flagged", "tripped", "share", "county_code", "dept_code"],
                              ascending=[False, False, False, True, True])
    return frame.reset_index(drop=True)[list(UNIT_COLUMNS)]


def _unit_bases(view: SnapshotView, filters: Filters) -> pd.DataFrame:
    """queries/integrity_bases.sql: each unit's base counts of the period."""
    bounds = _bounds(view, filters)
    return _run(view, "integrity_bases", filters, period_start=bounds["period_start"], period_end=bounds["period_end"],
                min_promised_wd=checks()["quick_batch"].thresholds["min_promised_wd"])


def has_cases(view: SnapshotView, filters: Filters) -> bool:
    """Whether the selection holds any case accepted or refused in the period: without one every check
    says 无数据, not 0."""
    if not view.has_begun(filters.period):
        return False
    bases = _unit_bases(view, filters)
    return bool(bases["accepted"].sum() + bases["refused"].sum())


def summary(view: SnapshotView, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """One row per check: check, label, tripped (cases or reviews over all units), units (tripping at
    least once), flagged_units, available (False: the snapshot lacks what the check needs)."""
    rows = []
    for key in CHECKS:
        units = check_units(view, filters, lang, check=key)
        available = key != "resubmission" or applicant_ids_available(view, filters)
        rows.append({"check": key, "label": t(f"integrity.check.{key}", lang), "tripped": int(units["tripped"].sum()),
                     "units": len(units), "flagged_units": int(units["flagged"].sum()), "available": available})
    return pd.DataFrame(rows)


def check_cases(view: SnapshotView, filters: Filters, lang: str = "zh", check: str = "intake_wait",
                county_code: str | None = None, dept_code: str | None = None) -> pd.DataFrame:
    """The cases (reviews for unfounded_share) behind a check, for one unit when both codes are given,
    with names in ``lang``: CASE_COLUMNS (REVIEW_COLUMNS) then the check's EVIDENCE columns."""
    frame = _with_names(_raw_cases(view, filters, check, county_code, dept_code), view, lang)
    channel_key = "satisfaction.channel_" if check == "unfounded_share" else "channel."
    frame["channel"] = [t(f"{channel_key}{c}", lang) for c in frame["channel"]]
    if check == "unfounded_share":
        return frame[list(REVIEW_COLUMNS)]
    frame["status"] = [t(f"supervision.status.{s}", lang) for s in frame["status"]]
    return frame[[*CASE_COLUMNS, *EVIDENCE[check]]]


def for_people(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A frame of check_units or check_cases with the catalog's headers (integrity.col.<name>), shares in
    percent, 是/否 for flagged: the table people read and download."""
    out = frame.copy()
    if "share" in out:
        out["share"] = (out["share"] * 100).round(1)
    for name in ("expected", "ratio", "z"):
        if name in out:
            out[name] = out[name].round(2)
    if "flagged" in out:
        yes, no = t("integrity.answer_yes", lang), t("integrity.answer_no", lang)
        out["flagged"] = [yes if v else no for v in out["flagged"]]
    return out.rename(columns={c: t(f"integrity.col.{c}", lang) for c in out.columns})


# ---------------------------------------------------------------- CLI report


def report_text(view: SnapshotView, filters: Filters, lang: str = "zh", top: int = 10) -> str:
    """The report: per check its rule, base, threshold and the units ranked (at most ``top`` each)."""
    lines = [t("integrity.report_title", lang, snapshot=view.info.snapshot_id, as_of=f"{view.as_of:%Y-%m-%d %H:%M}",
               period=filters.period.label(lang)), t("integrity.disclaimer", lang), ""]
    if not view.has_begun(filters.period):
        return "\n".join([*lines, t("integrity.no_data", lang)])
    for key, check in checks().items():
        lines.append(f"## {t(f'integrity.check.{key}', lang)}")
        lines.append(t("integrity.rule", lang, rule=check.text("rule", lang)))
        lines.append(t("integrity.base", lang, base=check.text("base", lang)))
        lines.append(t("integrity.threshold", lang, flag=check.flag_text(lang)))
        note = check.text("note", lang)
        if note:
            lines.append(note)
        if key == "resubmission" and not applicant_ids_available(view, filters):
            lines += [check.text("no_data", lang), ""]
            continue
        units = check_units(view, filters, lang, check=key)
        if units.empty:
            lines += [t("integrity.none", lang), ""]
            continue
        lines.append(t("integrity.report_units", lang, units=len(units), flagged=int(units["flagged"].sum()),
                       tripped=int(units["tripped"].sum())))
        for row in units.head(top).itertuples():
            mark = t("integrity.flag_mark", lang) if row.flagged else ""
            share = "—" if pd.isna(row.share) else f"{row.share:.1%}"
            lines.append(t("integrity.report_unit", lang, county=row.county_name, dept=row.dept_name,
                           tripped=row.tripped, base=row.base, share=share, mark=mark))
        lines.append("")
    return "\n".join(lines)


def add_cli(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("integrity", help="数据真实性核查 (checks on the data's honesty)")
    parser.add_argument("--snapshot", help="snapshot id (default: the default snapshot an admin chose)")
    parser.add_argument("--period", help="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD (default: snapshot month)")
    parser.add_argument("--county", help="one county, by code or name (default: the whole city)")
    parser.add_argument("--lang", default="zh", choices=list(LANGS))
    parser.set_defaults(run=run_cli)


def run_cli(args: argparse.Namespace) -> int:
    try:
        view = cli_args.snapshot_view(args.snapshot, args.lang)
        period = cli_args.period(view, args.period, args.lang)
        counties: tuple[str, ...] = ()
        if args.county:
            code = cli_args.county_code(view, args.county)
            if code is None:
                names, _ = unit_names(view, args.lang)
                known = ", ".join(f"{c} {n}" for c, n in names.items())
                raise cli_args.Refusal(t("cli.unknown_county", args.lang, county=args.county,
                                         snapshot=view.info.snapshot_id, known=known))
            counties = (code,)
    except cli_args.Refusal as refusal:
        print(refusal, file=sys.stderr)
        return refusal.code
    print(report_text(view, Filters(period, counties), args.lang))
    return 0

"""The arguments the commands share and their checks: the snapshot (``indicators``, ``deck``,
``bulletin``), the period, the county and the output file of a meeting output, and writing that file
whole.

A wrong argument raises ``Refusal`` with the message for the user; the command prints it and exits
with its code, and no file is written. A period the snapshot holds no data for (it starts after the
snapshot's data date, or ends before its first month) is such an argument for a deck or a 通报: every
slide and line of it would say 无数据, so the message says so instead of writing a file. A period
inside the data whose selection happens to be empty is written, and says 无数据 where it must.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import LANGS, t
from xiaoneng.metrics import SnapshotView, unit_names
from xiaoneng.snapshots import SnapshotError, SnapshotStore


class Refusal(Exception):
    """An argument the command cannot work with: ``str(refusal)`` says why, ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class MeetingRequest:
    view: SnapshotView
    filters: Filters
    out: Path
    lang: str


def add_arguments(parser: argparse.ArgumentParser, out_help: str) -> None:
    parser.add_argument("--snapshot", help="snapshot id (default: the latest)")
    parser.add_argument("--period", help="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD (default: snapshot month)")
    parser.add_argument("--county", help="one county, by code or name (default: the whole city)")
    parser.add_argument("--lang", default="zh", choices=list(LANGS))
    parser.add_argument("--out", required=True, type=Path, help=out_help)


def county_code(view: SnapshotView, text: str) -> str | None:
    """The county a code or a name (Chinese or English) stands for; None when there is none."""
    for lang in LANGS:
        counties, _ = unit_names(view, lang)
        for code, name in counties.items():
            if text in (code, name):
                return code
    return None


def snapshot_view(snapshot_id: str | None, lang: str = "zh") -> SnapshotView:
    """The named snapshot, or the latest; raises ``Refusal``: exit 2 for a wrong id, 1 when none is published."""
    store = SnapshotStore()
    try:
        info = store.get(snapshot_id) if snapshot_id else store.latest()
    except SnapshotError as exc:
        raise Refusal(str(exc)) from exc
    if info is None:
        raise Refusal(t("cli.no_snapshots", lang), code=1)
    return SnapshotView(info)


def period(view: SnapshotView, text: str | None, lang: str = "zh") -> Period:
    """The period ``text`` names (default: the snapshot's month); one that starts after the snapshot
    has no data and is refused."""
    try:
        chosen = Period.parse(text) if text else view.default_period()
    except ValueError as exc:
        raise Refusal(t("cli.bad_period", lang, period=text, error=exc)) from exc
    if chosen.start > view.as_of.date():
        raise Refusal(t("cli.future_period", lang, period=chosen.key, as_of=f"{view.as_of:%Y-%m-%d}",
                        snapshot=view.info.snapshot_id))
    return chosen


def covered_period(view: SnapshotView, text: str | None, lang: str = "zh") -> Period:
    """``period``, also refusing a period that ends before the snapshot's data begin: a deck or 通报
    of it would say 无数据 on every slide and line, so none is written and the message says why
    (the app still shows such a period, as 无数据)."""
    chosen = period(view, text, lang)
    if not view.has_begun(chosen):
        first, last = view.coverage
        raise Refusal(t("cli.before_data", lang, period=chosen.key, snapshot=view.info.snapshot_id,
                        first=f"{first:%Y-%m-%d}", last=f"{last:%Y-%m-%d}"))
    return chosen


def request(args: argparse.Namespace) -> MeetingRequest:
    """The snapshot (default: the latest), period (default: the snapshot's month), county and output
    file of a meeting output, each checked; raises ``Refusal``. A period without any data in the
    snapshot (after its data date, or before its first month) is refused: nothing would be written
    but 无数据."""
    lang = args.lang
    view = snapshot_view(args.snapshot, lang)
    info = view.info
    chosen = covered_period(view, args.period, lang)
    counties: tuple[str, ...] = ()
    if args.county:
        code = county_code(view, args.county)
        if code is None:
            names, _ = unit_names(view, lang)
            known = ", ".join(f"{c} {n}" for c, n in names.items())
            raise Refusal(t("cli.unknown_county", lang, county=args.county, snapshot=info.snapshot_id, known=known))
        counties = (code,)
    if not args.out.parent.resolve().is_dir():
        raise Refusal(t("cli.no_folder", lang, folder=args.out.parent))
    return MeetingRequest(view, Filters(chosen, counties), args.out, lang)


def write_whole(path: Path, data: bytes) -> None:
    """Write next to the target and rename into place: a reader never sees half a file."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

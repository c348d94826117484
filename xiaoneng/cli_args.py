"""The arguments the commands share and their checks: the snapshot (``indicators``, ``deck``,
``bulletin``), the period, the county and the output file of a meeting output, and writing that file
whole.

A wrong argument raises ``Refusal`` with the message for the user; the command prints it and exits
with its code, and no file is written. A period the snapshot holds no data for (it starts after the
snapshot's data date, or ends before its first month) is such an argument for a deck or a 通报: every
slide and line of it would say 无数据, so the message says so instead of writing a file. A period
inside the data whose selection happens to be empty is written, and says 无数据 where it must.

``--as-user NAME`` (every command that outputs data) runs as that user of the users file: their scope
is the view's, a ``--county`` outside it is refused, and a role that may not export (a leader) is
refused. Without it the command has full access: the operator on the server. Every file or table a
command outputs is written to the audit log (``record_export``), under the user's name or the
operator's account.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from xiaoneng import audit, auth
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import LANGS, t
from xiaoneng.metrics import SnapshotView, unit_names
from xiaoneng.snapshots import ENGINES, SnapshotError, SnapshotStore


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
    user: auth.User | None = None


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--spark-master``: what computes a publish's timing columns and rollups."""
    parser.add_argument("--engine", choices=ENGINES, default="duckdb",
                        help="what computes the timing columns and rollups at publish: duckdb (default) or spark "
                             "(PySpark on Java 17, for a province's load; the same snapshot either way)")
    parser.add_argument("--spark-master", default=None, metavar="URL",
                        help="the Spark cluster for --engine spark (default: XIAONENG_SPARK_MASTER, else local[*])")


def add_user_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-user", metavar="NAME",
                        help="apply this user's scope and permissions (default: full access, as the operator)")


def cli_user(name: str | None, lang: str = "zh") -> auth.User | None:
    """The user ``--as-user`` names (None without it); refused when unknown, disabled, or not allowed to
    export (every command taking it outputs data)."""
    if not name:
        return None
    from xiaoneng import users  # the users file's store (argon2) only when a user is named

    try:
        user = users.UserStore().user(name)
    except users.UnknownUser as exc:
        raise Refusal(t("scope_notice.cli_unknown_user", lang, name=name)) from exc
    if not user.can("export"):
        raise Refusal(t("scope_notice.cli_not_allowed", lang, name=name, role=t(auth.ROLE_LABEL_KEYS[user.role], lang)))
    return user


def scoped(view: SnapshotView, user: auth.User | None) -> SnapshotView:
    """The view as ``user`` may see it (the whole snapshot for the operator)."""
    return view if user is None else SnapshotView(view.info, user.scope)


def record_export(user: auth.User | None, file: str, filters: Filters, view: SnapshotView, rows: int) -> None:
    """The audit entry of one command's output: the user's name and scope, or the operator's account."""

    audit.record("export", user.name if user else audit.cli_actor(), scope=user.counties if user else None,
                 file=file, filters=filters.to_query_params(), snapshot=view.info.snapshot_id, rows=rows)


def check_counties(view: SnapshotView, codes: tuple[str, ...], user: auth.User | None, lang: str = "zh") -> None:
    """Refuse county codes the snapshot does not know, or (``--as-user``) outside the user's scope."""
    if user is not None:
        outside = [c for c in codes if not user.scope.allows(c)]
        if outside:
            raise Refusal(t("scope_notice.cli_county_outside", lang, county=", ".join(outside), name=user.name,
                            counties=", ".join(user.counties or ())))
    names, _ = unit_names(view, lang)
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise Refusal(t("scope_notice.cli_unknown_counties", lang, codes=", ".join(unknown),
                        snapshot=view.info.snapshot_id, known=", ".join(f"{c} {n}" for c, n in names.items())))


def add_arguments(parser: argparse.ArgumentParser, out_help: str) -> None:
    parser.add_argument("--snapshot", help="snapshot id (default: the default snapshot an admin chose)")
    parser.add_argument("--period", help="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD (default: snapshot month)")
    parser.add_argument("--county", help="one county, by code or name (default: the whole city)")
    parser.add_argument("--lang", default="zh", choices=list(LANGS))
    parser.add_argument("--out", required=True, type=Path, help=out_help)
    add_user_argument(parser)


def county_code(view: SnapshotView, text: str) -> str | None:
    """The county a code or a name (Chinese or English) stands for; None when there is none."""
    for lang in LANGS:
        counties, _ = unit_names(view, lang)
        for code, name in counties.items():
            if text in (code, name):
                return code
    return None


def snapshot_view(snapshot_id: str | None, lang: str = "zh") -> SnapshotView:
    """The named snapshot, or the admin's default; raises ``Refusal``: exit 2 for a wrong or withdrawn id,
    1 when none is published."""
    store = SnapshotStore()
    try:
        info = store.get(snapshot_id) if snapshot_id else store.default()
    except SnapshotError as exc:
        raise Refusal(str(exc)) from exc
    if info is None:
        raise Refusal(t("cli.no_snapshots", lang), code=1)
    if info.withdrawn:
        raise Refusal(t("snapshot_admin.withdrawn_refused", lang, snapshot=info.snapshot_id,
                        reason=info.withdrawal.reason))
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
    """The snapshot (default: the admin's default), period (default: the snapshot's month), county and output
    file of a meeting output, each checked; raises ``Refusal``. A period without any data in the
    snapshot (after its data date, or before its first month) is refused: nothing would be written
    but 无数据."""
    lang = args.lang
    user = cli_user(getattr(args, "as_user", None), lang)
    view = snapshot_view(args.snapshot, lang)
    info = view.info
    counties: tuple[str, ...] = ()
    if args.county:
        code = county_code(view, args.county)
        if code is None:
            names, _ = unit_names(view, lang)
            known = ", ".join(f"{c} {n}" for c, n in names.items())
            raise Refusal(t("cli.unknown_county", lang, county=args.county, snapshot=info.snapshot_id, known=known))
        counties = (code,)
        check_counties(view, counties, user, lang)
    view = scoped(view, user)
    chosen = covered_period(view, args.period, lang)
    if not args.out.parent.resolve().is_dir():
        raise Refusal(t("cli.no_folder", lang, folder=args.out.parent))
    return MeetingRequest(view, Filters(chosen, counties), args.out, lang, user)


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

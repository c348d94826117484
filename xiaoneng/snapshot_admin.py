"""``snapshots`` and ``audit``: the admin's commands for the snapshot store and the audit log.

    python -m xiaoneng snapshots                              every snapshot: default, withdrawn, damaged
    python -m xiaoneng snapshots set-default ID               the snapshot everybody sees first
    python -m xiaoneng snapshots withdraw ID --reason TEXT    hide it from non-admins (files kept)
    python -m xiaoneng snapshots restore ID                   show it again
    python -m xiaoneng audit [--action A] [--user U] [--since YYYY-MM-DD] [--verify]

Each action is written to the audit log by the store (``SnapshotStore.set_default`` …) with who did
it: ``--as-user NAME`` (an admin of the users file), else the operating-system account as
``cli:<name>``. Messages come from the catalog (``--lang zh|en``, section ``snapshot_admin``).
Exit codes: 0 done, 1 refused (the store's reason is printed), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from xiaoneng import audit
from xiaoneng.i18n import LANGS, t
from xiaoneng.snapshots import SnapshotError, SnapshotInfo, SnapshotRefusal, SnapshotStore

TEXT_SECTION = "snapshot_admin"


def text(key: str, lang: str = "zh", **values: object) -> str:
    return t(f"{TEXT_SECTION}.{key}", lang, **values)


def refusal_text(error: SnapshotError, lang: str = "zh") -> str:
    """A store refusal in the user's language (the English of ``str(error)`` for other errors)."""
    if isinstance(error, SnapshotRefusal):
        return text(f"refused.{error.key}", lang, **error.values)
    return str(error)


class NotAnAdmin(Exception):
    """``--as-user`` names somebody who may not manage snapshots."""


def actor(as_user: str | None, lang: str = "zh") -> str:
    """Who the audit log records: ``--as-user NAME`` once the users file says NAME may publish, else
    the operating-system account."""
    if not as_user:
        return audit.cli_actor()
    from xiaoneng.users import UnknownUser, UserStore

    try:
        user = UserStore().user(as_user)
    except UnknownUser as exc:
        raise NotAnAdmin(text("not_admin", lang, name=as_user, reason=exc.message(lang))) from None
    if not user.can("publish"):
        raise NotAnAdmin(text("not_admin", lang, name=as_user, reason=user.role))
    return user.name


# ---------------------------------------------------------------- the list

def snapshot_lines(store: SnapshotStore, lang: str = "zh") -> list[str]:
    """One line per snapshot, oldest data date first: the default marked, a withdrawn one with its
    reason, who and when, then the damaged ones with the error; folders of killed publishes that
    opening the store removed are named first."""
    lines = [text("staging_removed", lang, folder=name) for name in store.removed_staging]
    snapshots = store.list(include_withdrawn=True)
    damaged = store.damaged()
    if not snapshots and not damaged:
        return [*lines, text("none", lang)]
    default = store.default_id()
    for info in snapshots:
        lines.append("\t".join([info.snapshot_id, *_facts(info), _mark(info, default, lang)]).rstrip("\t"))
    for broken in damaged:
        lines.append(f"{broken.snapshot_id}\t{text('mark_damaged', lang, error=broken.error)}")
    return lines


def _facts(info: SnapshotInfo) -> list[str]:
    m = info.manifest
    counts = info.row_counts
    return [f"as_of={m['as_of']}", f"cases={counts.get('cases', 0)}", f"ratings={counts.get('ratings', 0)}",
            f"producer={m.get('producer', '')}", f"created={m['created_at']}"]


def _mark(info: SnapshotInfo, default: str | None, lang: str) -> str:
    if info.withdrawn:
        w = info.withdrawal
        return text("mark_withdrawn", lang, reason=w.reason, by=w.by or "—", at=w.at or "—")
    return text("mark_default", lang) if info.snapshot_id == default else ""


# ---------------------------------------------------------------- the audit log

def audit_entries(entries: list[dict], action: str | None = None, user: str | None = None,
                  since: dt.date | None = None) -> list[dict]:
    """The entries matching every filter given (``since``: on or after that day, UTC), in log order."""
    return [e for e in entries
            if (action is None or e.get("action") == action)
            and (user is None or e.get("user") == user)
            and (since is None or dt.datetime.fromisoformat(e["at"]).date() >= since)]


def audit_line(entry: dict, lang: str = "zh") -> str:
    """``at  action  user  scope  details`` (details as key=value, values in JSON)."""
    scope = entry.get("scope")
    scope_text = text("scope_all", lang) if scope is None else ",".join(scope)
    details = " ".join(f"{k}={json.dumps(v, ensure_ascii=False, sort_keys=True)}"
                       for k, v in sorted((entry.get("details") or {}).items()))
    return "\t".join([entry["at"], entry["action"], entry.get("user") or "—", scope_text, details]).rstrip("\t")


def verify_text(broken: list[int], count: int, lang: str = "zh") -> str:
    """Whether the log's hash chain holds, in words."""
    if not broken:
        return text("audit_intact", lang, count=count)
    return text("audit_broken", lang, lines=", ".join(map(str, broken)))


# ---------------------------------------------------------------- argparse

def _since(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


def add_cli(sub: argparse._SubParsersAction) -> None:
    # --lang and --as-user go before or after the action; SUPPRESS keeps an action's parser from
    # overwriting what was given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help="language of the messages (zh)")
    common.add_argument("--as-user", default=argparse.SUPPRESS, metavar="NAME",
                        help="the admin doing this, for the audit log (default: the operating-system user)")
    snapshots = sub.add_parser("snapshots", parents=[common],
                               help="list the snapshots (default, withdrawn, damaged); set-default, withdraw, restore")
    snapshots.set_defaults(run=run_list)
    actions = snapshots.add_subparsers(dest="action")
    set_default = actions.add_parser("set-default", parents=[common], help="the snapshot everybody sees first")
    set_default.add_argument("snapshot_id", metavar="ID")
    set_default.set_defaults(run=run_set_default)
    withdraw = actions.add_parser("withdraw", parents=[common],
                                  help="hide a snapshot from non-admins (its files are kept; restore brings it back)")
    withdraw.add_argument("snapshot_id", metavar="ID")
    withdraw.add_argument("--reason", required=True, help="why, for the other admins and the audit log")
    withdraw.set_defaults(run=run_withdraw)
    restore = actions.add_parser("restore", parents=[common], help="show a withdrawn snapshot again")
    restore.add_argument("snapshot_id", metavar="ID")
    restore.set_defaults(run=run_restore)

    log = sub.add_parser("audit", help="print the audit log (filters; --verify checks its hash chain)")
    log.add_argument("--lang", choices=LANGS, default="zh")
    log.add_argument("--action", choices=audit.ACTIONS, default=None)
    log.add_argument("--user", default=None, help="only this user's entries (e.g. cli:root)")
    log.add_argument("--since", type=_since, default=None, metavar="YYYY-MM-DD", help="on or after this day (UTC)")
    log.add_argument("--verify", action="store_true", help="check the hash chain (exit 1 when it is broken)")
    log.set_defaults(run=run_audit)


def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", "zh")


def run_list(args: argparse.Namespace) -> int:
    for line in snapshot_lines(SnapshotStore(), _lang(args)):
        print(line)
    return 0


def _act(args: argparse.Namespace, action) -> int:
    lang = _lang(args)
    try:
        by = actor(getattr(args, "as_user", None), lang)
        message = action(SnapshotStore(), by, lang)
    except NotAnAdmin as exc:
        print(exc, file=sys.stderr)
        return 2
    except SnapshotError as exc:
        print(text("refused_line", lang, reason=refusal_text(exc, lang)), file=sys.stderr)
        return 1
    print(message)
    return 0


def run_set_default(args: argparse.Namespace) -> int:
    def action(store: SnapshotStore, by: str, lang: str) -> str:
        previous = store.default_id()
        info = store.set_default(args.snapshot_id, by)
        return text("set_default_done", lang, snapshot=info.snapshot_id, previous=previous or "—")
    return _act(args, action)


def run_withdraw(args: argparse.Namespace) -> int:
    def action(store: SnapshotStore, by: str, lang: str) -> str:
        info = store.withdraw(args.snapshot_id, args.reason, by)
        return text("withdraw_done", lang, snapshot=info.snapshot_id, reason=info.withdrawal.reason, path=info.path)
    return _act(args, action)


def run_restore(args: argparse.Namespace) -> int:
    def action(store: SnapshotStore, by: str, lang: str) -> str:
        info = store.restore(args.snapshot_id, by)
        return text("restore_done", lang, snapshot=info.snapshot_id)
    return _act(args, action)


def run_audit(args: argparse.Namespace) -> int:
    lang = args.lang
    if args.verify:
        broken = audit.verify()
        print(verify_text(broken, 0 if broken else len(list(audit.entries())), lang))
        return 1 if broken else 0
    try:
        entries = list(audit.entries())
    except (OSError, ValueError) as exc:  # a line edited by hand into something that is not JSON
        print(text("audit_unreadable", lang, error=exc), file=sys.stderr)
        return 1
    shown = audit_entries(entries, args.action, args.user, args.since)
    for entry in shown:
        print(audit_line(entry, lang))
    if not shown:
        print(text("audit_none", lang))
    return 0

"""The audit log: every sign-in (ok and failed), publish, withdrawal, default change, user change and
export, appended as one JSON line to ``<data>/audit/audit.jsonl`` (``paths.audit_file``).

The app only ever appends (the file is opened with O_APPEND and never truncated or rewritten), and
each entry carries the sha256 of the entry before it, so ``verify`` finds a line that was edited,
removed or inserted by hand. Admins read it on 数据管理 and with ``python -m xiaoneng audit``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from xiaoneng.paths import audit_file

ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "publish", "withdraw", "restore", "set_default",
           "user_add", "user_change", "export", "issue_bulletin")
GENESIS = "0" * 64


def cli_actor() -> str:
    """Who runs a command-line action, as the log names them: the operating-system account, ``cli:root``."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:  # no user name for this uid (a bare container)
        return "cli"


def _digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def _last_line(path: Path) -> str | None:
    """The file's last line without reading the whole file."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        end = fh.tell()
        if end == 0:
            return None
        block, data = 4096, b""
        position = end
        while position > 0:
            step = min(block, position)
            position -= step
            fh.seek(position)
            data = fh.read(step) + data
            if data.rstrip(b"\n").count(b"\n") >= 1:
                break
        return data.rstrip(b"\n").split(b"\n")[-1].decode("utf-8")


def record(action: str, user: str | None, *, scope: tuple[str, ...] | None = None, path: Path | None = None,
           **details: object) -> dict:
    """Append one entry: who (``user``, None for an anonymous attempt), when (UTC, to the second),
    what (``action`` and ``details``: snapshot, file, filters, row count, reason…) and the scope the
    user had (None = every county). Returns the entry as written."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    path = path or audit_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # two sessions appending at once keep the chain intact
        previous = _last_line(path)
        entry = {
            "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "action": action,
            "user": user,
            "scope": None if scope is None else list(scope),
            "details": details,
            "prev": GENESIS if previous is None else _digest(previous),
        }
        os.write(fd, (json.dumps(entry, ensure_ascii=False, default=str, sort_keys=True) + "\n").encode("utf-8"))
        return entry
    finally:
        os.close(fd)


def entries(path: Path | None = None) -> Iterator[dict]:
    """The entries, oldest first."""
    path = path or audit_file()
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def verify(path: Path | None = None) -> list[int]:
    """Line numbers (1-based) whose ``prev`` does not match the line before: empty when the log is whole."""
    path = path or audit_file()
    broken: list[int] = []
    if not path.exists():
        return broken
    previous = None
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\n")
            try:
                prev = json.loads(line).get("prev")
            except json.JSONDecodeError:
                broken.append(number)
                previous = line
                continue
            if prev != (GENESIS if previous is None else _digest(previous)):
                broken.append(number)
            previous = line
    return broken

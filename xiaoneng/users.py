"""The local users file: who may sign in with a password, their role and counties (product.md §1, §7).

One YAML file at ``paths.users_file()`` (``<data>/security/users.yaml``; ``XIAONENG_USERS`` moves it;
git ignores ``data/security/``), holding argon2id hashes, never passwords. Every change is written
atomically (a temporary file in the same folder, mode 0600, then a rename) under an exclusive lock,
so two sessions signing in at once cannot lose each other's lock-out counts.

Besides the users, the store issues the signed session cookie's value (``session_token``) and
checks it (``user_from_token``): an HMAC over name, expiry and the user's ``session_epoch``, with a
secret kept beside the users file. Signing out, a new password or disabling the user raises the
epoch (or refuses the name), so every cookie issued before stops working.

``python -m xiaoneng users add|list|disable|set-password|set-scope|bootstrap`` manages the file.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from xiaoneng import audit
from xiaoneng.auth import ROLE_LABEL_KEYS, ROLES, User, settings
from xiaoneng.i18n import LANGS, t
from xiaoneng.paths import users_file

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
BOOTSTRAP_ADMIN = "admin"
SECRET_FILE = "session.key"  # beside the users file
_HASHER = PasswordHasher()
# Verified against for an unknown name, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class UnknownUser(KeyError):
    """No such user in the file, or the user is disabled."""

    def __init__(self, name: str, path: Path, disabled: bool = False):
        super().__init__(name)
        self.name, self.path, self.disabled = name, path, disabled

    def message(self, lang: str) -> str:
        key = "users_error.disabled_user" if self.disabled else "users_error.unknown_user"
        return t(key, lang, name=self.name, file=self.path)

    def __str__(self) -> str:
        return self.message("en")


class UserError(ValueError):
    """A change the file refuses: a bad name, role, county or password. ``key`` names the message
    in the catalog's ``users_error`` section."""

    def __init__(self, key: str, **values: object):
        self.key, self.values = key, values
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return t(f"users_error.{self.key}", lang, **self.values)


class SignInRefused(Exception):
    """A refused sign-in. ``reason``: wrong_password | unknown_user | disabled | locked; ``until``:
    the end of a lock-out (UTC). ``message(lang)`` is what the person sees: a wrong password and an
    unknown name read the same, so names cannot be probed."""

    def __init__(self, name: str, reason: str, until: dt.datetime | None = None):
        super().__init__(f"sign-in of {name!r} refused: {reason}")
        self.name, self.reason, self.until = name, reason, until

    def message(self, lang: str) -> str:
        if self.reason == "locked":
            return t("signin.refused_locked", lang, until=f"{self.until.astimezone(settings().display_tz):%H:%M}")
        if self.reason == "disabled":
            return t("signin.refused_disabled", lang)
        return t("signin.refused_credentials", lang)


@dataclass(frozen=True)
class UserRecord:
    """One row of the file, as ``list()`` shows it (no hash)."""

    name: str
    role: str
    counties: tuple[str, ...] | None
    disabled: bool
    must_change: bool
    locked_until: dt.datetime | None


def generate_password() -> str:
    """16 characters a person can read aloud: no 0/O, 1/l/I."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def default_snapshot_counties() -> dict[str, str] | None:
    """County code → name in the default snapshot (the one everyone sees), None when none is published."""
    from xiaoneng.metrics import SnapshotView, unit_names
    from xiaoneng.snapshots import SnapshotStore

    info = SnapshotStore().default()
    return None if info is None else unit_names(SnapshotView(info))[0]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _parse_time(value: object) -> dt.datetime | None:
    return None if value in (None, "") else dt.datetime.fromisoformat(str(value))


class UserStore:
    def __init__(self, path: Path | None = None,
                 known_counties: Callable[[], dict[str, str] | None] = default_snapshot_counties):
        self.path = Path(path) if path is not None else users_file()
        self._known_counties = known_counties

    # ------------------------------------------------------------ file

    def _read(self) -> dict[str, dict]:
        if not self.path.exists():
            return {}
        try:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise UserError("unreadable", file=self.path, error=error) from error
        users = raw.get("users") or {}
        if not isinstance(users, dict):
            raise UserError("unreadable", file=self.path, error="'users' is not a mapping of name → settings")
        return users

    def _write(self, users: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = ("# 效能看板 users: argon2 hashes, never passwords. Managed by `python -m xiaoneng users`;\n"
                "# never commit this file.\n" + yaml.safe_dump({"users": users}, allow_unicode=True, sort_keys=True))
        fd, temp = tempfile.mkstemp(prefix=".users-", dir=self.path.parent)  # mkstemp creates it 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    @contextlib.contextmanager
    def _changing(self) -> Iterator[dict[str, dict]]:
        """The users, to change in place; written back when the block ends without an error."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            users = self._read()
            yield users
            self._write(users)
        finally:
            os.close(fd)

    def _entry(self, users: dict[str, dict], name: str) -> dict:
        if name not in users:
            raise UnknownUser(name, self.path)
        return users[name]

    # ------------------------------------------------------------ checks

    def _check_scope(self, role: str, counties: tuple[str, ...] | list[str] | None) -> tuple[str, ...] | None:
        if role not in ROLES:
            raise UserError("unknown_role", role=role, roles=", ".join(ROLES))
        counties = tuple(dict.fromkeys(c.strip() for c in counties or () if c.strip())) or None
        if role != "county":
            if counties:
                raise UserError("counties_not_allowed", role=role)
            return None
        if not counties:
            raise UserError("county_needs_code")
        known = self.known_counties()
        if known is not None:
            unknown = [c for c in counties if c not in known]
            if unknown:
                listed = ", ".join(f"{code} {name}" for code, name in known.items())
                raise UserError("unknown_county", codes=", ".join(unknown), known=listed)
        return counties

    def _check_password(self, password: str) -> None:
        minimum = settings().password_min_length
        if len(password) < minimum:
            raise UserError("too_short", length=minimum)

    @staticmethod
    def _as_user(name: str, entry: dict) -> User:
        counties = entry.get("counties")
        return User(name, entry["role"], tuple(counties) if counties else None, entry.get("display_name") or "")

    # ------------------------------------------------------------ reading

    def user(self, name: str) -> User:
        """The enabled user ``name``; ``UnknownUser`` for an unknown or disabled name."""
        entry = self._entry(self._read(), name)
        if entry.get("disabled"):
            raise UnknownUser(name, self.path, disabled=True)
        return self._as_user(name, entry)

    def list(self) -> list[UserRecord]:
        return [UserRecord(name, e["role"], tuple(e["counties"]) if e.get("counties") else None,
                           bool(e.get("disabled")), bool(e.get("must_change")), _parse_time(e.get("locked_until")))
                for name, e in sorted(self._read().items())]

    def must_change(self, name: str) -> bool:
        """Whether ``name`` signs in with a one-time password that must be replaced first."""
        return bool(self._entry(self._read(), name).get("must_change"))

    def password_is(self, name: str, password: str) -> bool:
        """Whether ``password`` is ``name``'s current one (no audit, no lock-out count)."""
        entry = self._read().get(name)
        return entry is not None and _password_matches(entry["password_hash"], password)

    def known_counties(self) -> dict[str, str] | None:
        """County code → name a county user may be given (the default snapshot's); None: any code."""
        return self._known_counties()

    def has_admin(self) -> bool:
        return any(e["role"] == "admin" and not e.get("disabled") for e in self._read().values())

    # ------------------------------------------------------------ changing

    def add(self, name: str, role: str, counties: tuple[str, ...] | list[str] | None = None,
            password: str | None = None, *, by: str | None = None) -> str:
        """Add a user; returns the password (generated when none is given, then to be changed at
        the first sign-in)."""
        if not NAME_PATTERN.match(name):
            raise UserError("bad_name", name=name)
        counties = self._check_scope(role, counties)
        generated = password is None
        password = generate_password() if generated else password
        self._check_password(password)
        with self._changing() as users:
            if name in users:
                raise UserError("exists", name=name, file=self.path)
            users[name] = {"role": role, "counties": list(counties) if counties else None,
                           "password_hash": _HASHER.hash(password), "disabled": False, "must_change": generated,
                           "failed_attempts": 0, "locked_until": None, "session_epoch": 0,
                           "created_at": _now().replace(microsecond=0).isoformat()}
        audit.record("user_add", by, target=name, role=role, counties=list(counties) if counties else None)
        return password

    @staticmethod
    def _keep_an_admin(users: dict[str, dict], name: str, by: str | None) -> None:
        """Refuse taking away ``name``'s admin role or account when ``name`` is the one doing it (an
        admin's own session would end mid-change) or the last enabled admin (nobody could manage
        users or publish any more)."""
        entry = users[name]
        if entry["role"] != "admin" or entry.get("disabled"):
            return
        if name == by:
            raise UserError("own_account", name=name)
        if not any(e["role"] == "admin" and not e.get("disabled") for n, e in users.items() if n != name):
            raise UserError("last_admin", name=name)

    def disable(self, name: str, *, by: str | None = None) -> None:
        """Disable ``name`` and end their sessions; refused for the admin doing it and the last admin."""
        with self._changing() as users:
            entry = self._entry(users, name)
            if name == by:
                raise UserError("own_account", name=name)
            self._keep_an_admin(users, name, by)
            entry["disabled"] = True
            entry["session_epoch"] = int(entry.get("session_epoch", 0)) + 1
        audit.record("user_change", by, target=name, change="disable")

    def enable(self, name: str, *, by: str | None = None) -> None:
        """Let a disabled user sign in again (with their password as it was; failures are forgotten)."""
        with self._changing() as users:
            entry = self._entry(users, name)
            entry["disabled"] = False
            entry["failed_attempts"] = 0
            entry["locked_until"] = None
        audit.record("user_change", by, target=name, change="enable")

    def set_password(self, name: str, password: str | None = None, *, by: str | None = None) -> str:
        """A new password (generated when none is given, then to be changed at the next sign-in);
        clears a lock-out and ends the user's sessions. Returns the password."""
        generated = password is None
        password = generate_password() if generated else password
        self._check_password(password)
        with self._changing() as users:
            entry = self._entry(users, name)
            entry.update(password_hash=_HASHER.hash(password), must_change=generated, failed_attempts=0,
                         locked_until=None, session_epoch=int(entry.get("session_epoch", 0)) + 1)
        audit.record("user_change", by, target=name, change="set_password")
        return password

    def set_scope(self, name: str, role: str, counties: tuple[str, ...] | list[str] | None = None, *,
                  by: str | None = None) -> None:
        """A new role and counties for ``name`` (ends their sessions); taking the admin role from the
        admin doing it or from the last admin is refused."""
        counties = self._check_scope(role, counties)
        with self._changing() as users:
            entry = self._entry(users, name)
            if role != "admin":
                self._keep_an_admin(users, name, by)
            entry.update(role=role, counties=list(counties) if counties else None,
                         session_epoch=int(entry.get("session_epoch", 0)) + 1)
        audit.record("user_change", by, target=name, change="set_scope", role=role,
                     counties=list(counties) if counties else None)

    def bootstrap(self) -> str | None:
        """Create the first admin ``admin`` when the file has no enabled admin; returns its one-time
        password (None when an admin exists)."""
        if self.has_admin():
            return None
        return self.add(BOOTSTRAP_ADMIN, "admin", by="bootstrap")

    # ------------------------------------------------------------ signing in

    def verify(self, name: str, password: str, now: dt.datetime | None = None) -> User:
        """The user when ``password`` is theirs; else ``SignInRefused`` (audited as sign_in_failed).
        ``lockout_failures`` wrong passwords in a row lock the account for ``lockout_duration``."""
        now = now or _now()
        config = settings()
        with self._changing() as users:
            entry = users.get(name)
            if entry is None:
                with contextlib.suppress(VerificationError):
                    _HASHER.verify(_DUMMY_HASH, password)
                refusal = SignInRefused(name, "unknown_user")
            else:
                locked_until = _parse_time(entry.get("locked_until"))
                if locked_until is not None and now < locked_until:
                    refusal = SignInRefused(name, "locked", locked_until)
                elif not _password_matches(entry["password_hash"], password):
                    failures = int(entry.get("failed_attempts", 0)) + 1
                    if failures >= config.lockout_failures:
                        until = now + config.lockout_duration
                        entry.update(failed_attempts=0, locked_until=until.isoformat())
                        refusal = SignInRefused(name, "locked", until)
                    else:
                        entry.update(failed_attempts=failures, locked_until=None)
                        refusal = SignInRefused(name, "wrong_password")
                elif entry.get("disabled"):
                    refusal = SignInRefused(name, "disabled")  # told only to who knows the password
                else:
                    refusal = None
                    entry.update(failed_attempts=0, locked_until=None)
                    if _HASHER.check_needs_rehash(entry["password_hash"]):
                        entry["password_hash"] = _HASHER.hash(password)
        if refusal is not None:
            details = {"reason": refusal.reason, "source": "local"}
            if refusal.until is not None:
                details["locked_until"] = refusal.until.isoformat()
            audit.record("sign_in_failed", name, **details)
            raise refusal
        user = self._as_user(name, entry)
        audit.record("sign_in", name, scope=user.counties, role=user.role, source="local")
        return user

    # ------------------------------------------------------------ session cookie

    def _secret(self) -> bytes:
        path = self.path.with_name(SECRET_FILE)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        return bytes.fromhex(path.read_text().strip())

    def session_token(self, name: str, expires: dt.datetime) -> str:
        """The session cookie's value for ``name`` until ``expires``."""
        epoch = int(self._entry(self._read(), name).get("session_epoch", 0))
        body = base64.urlsafe_b64encode(json.dumps(
            {"u": name, "x": int(expires.timestamp()), "e": epoch}, separators=(",", ":")).encode()).decode()
        return f"{body}.{hmac.new(self._secret(), body.encode(), hashlib.sha256).hexdigest()}"

    def user_from_token(self, token: str | None, now: dt.datetime | None = None) -> tuple[User, dt.datetime] | None:
        """The user and expiry a session cookie stands for; None when it is forged, expired, or its
        user signed out, got a new password or scope, or was disabled since."""
        if not token or token.count(".") != 1:
            return None
        body, signature = token.split(".")
        expected = hmac.new(self._secret(), body.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(body.encode()))
            name, expires, epoch = str(claims["u"]), dt.datetime.fromtimestamp(int(claims["x"]), dt.UTC), claims["e"]
        except (ValueError, KeyError, TypeError):
            return None
        if (now or _now()) >= expires:
            return None
        entry = self._read().get(name)
        if entry is None or entry.get("disabled") or int(entry.get("session_epoch", 0)) != epoch:
            return None
        return self._as_user(name, entry), expires

    def end_sessions(self, name: str) -> None:
        """Sign ``name`` out everywhere: every session cookie issued so far stops working."""
        with self._changing() as users:
            entry = users.get(name)
            if entry is not None:
                entry["session_epoch"] = int(entry.get("session_epoch", 0)) + 1


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# ---------------------------------------------------------------- command line


def _counties_arg(text: str | None) -> tuple[str, ...] | None:
    return tuple(c.strip() for c in text.split(",") if c.strip()) if text else None


def add_cli(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="manage the local users file (sign-in with a password)")
    users.add_argument("--file", type=Path, default=None, help="the users file (default: <data>/security/users.yaml)")
    users.add_argument("--lang", choices=LANGS, default="zh", help="language of the messages (default zh)")
    actions = users.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="add a user; prints a one-time password unless --password is given")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--counties", default=None, help="county codes of a county user, comma-separated: C02,C03")
    add.add_argument("--password", default=None, help="the password (default: generate one, changed at first sign-in)")
    add.set_defaults(run=_run_add)

    actions.add_parser("list", help="every user with role, counties and state").set_defaults(run=_run_list)

    disable = actions.add_parser("disable", help="disable a user (ends their sessions)")
    disable.add_argument("name")
    disable.set_defaults(run=_run_disable)
    enable = actions.add_parser("enable", help="let a disabled user sign in again")
    enable.add_argument("name")
    enable.set_defaults(run=_run_enable)

    password = actions.add_parser("set-password", help="give a user a new password (generated unless --password)")
    password.add_argument("name")
    password.add_argument("--password", default=None)
    password.set_defaults(run=_run_set_password)

    scope = actions.add_parser("set-scope", help="change a user's role and counties")
    scope.add_argument("name")
    scope.add_argument("--role", required=True, choices=ROLES)
    scope.add_argument("--counties", default=None)
    scope.set_defaults(run=_run_set_scope)

    actions.add_parser("bootstrap", help="create the first admin 'admin' if there is no admin; prints its "
                                         "one-time password once").set_defaults(run=_run_bootstrap)


def _store(args: argparse.Namespace) -> UserStore:
    return UserStore(args.file)


def _refuse(error: UserError | UnknownUser, lang: str) -> int:
    print(t("users_cli.error", lang, error=error.message(lang)), file=sys.stderr)
    return 2


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def guarded(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (UserError, UnknownUser) as error:
            return _refuse(error, args.lang)
    return guarded


@_guarded
def _run_add(args: argparse.Namespace) -> int:
    store = _store(args)
    password = store.add(args.name, args.role, _counties_arg(args.counties), args.password, by=audit.cli_actor())
    role = t(ROLE_LABEL_KEYS[args.role], args.lang)
    print(t("users_cli.added", args.lang, name=args.name, role=role, file=store.path))
    if args.password is None:
        print(t("users_cli.one_time_password", args.lang, name=args.name, password=password))
    return 0


@_guarded
def _run_list(args: argparse.Namespace) -> int:
    store = _store(args)
    records = store.list()
    if not records:
        print(t("users_cli.none", args.lang, file=store.path))
        return 0
    now = _now()
    for r in records:
        states = []
        if r.disabled:
            states.append(t("users_cli.state_disabled", args.lang))
        if r.must_change:
            states.append(t("users_cli.state_must_change", args.lang))
        if r.locked_until is not None and r.locked_until > now:
            until = f"{r.locked_until.astimezone(settings().display_tz):%H:%M}"
            states.append(t("users_cli.state_locked", args.lang, until=until))
        counties = ",".join(r.counties) if r.counties else t("users_cli.all_counties", args.lang)
        line = f"{r.name}\t{t(ROLE_LABEL_KEYS[r.role], args.lang)}\t{counties}"
        print(line + (f"\t{' '.join(states)}" if states else ""))
    return 0


@_guarded
def _run_disable(args: argparse.Namespace) -> int:
    _store(args).disable(args.name, by=audit.cli_actor())
    print(t("users_cli.disabled", args.lang, name=args.name))
    return 0


@_guarded
def _run_enable(args: argparse.Namespace) -> int:
    _store(args).enable(args.name, by=audit.cli_actor())
    print(t("users_cli.enabled", args.lang, name=args.name))
    return 0


@_guarded
def _run_set_password(args: argparse.Namespace) -> int:
    password = _store(args).set_password(args.name, args.password, by=audit.cli_actor())
    print(t("users_cli.password_set", args.lang, name=args.name))
    if args.password is None:
        print(t("users_cli.one_time_password", args.lang, name=args.name, password=password))
    return 0


@_guarded
def _run_set_scope(args: argparse.Namespace) -> int:
    _store(args).set_scope(args.name, args.role, _counties_arg(args.counties), by=audit.cli_actor())
    counties = args.counties or t("users_cli.all_counties", args.lang)
    print(t("users_cli.scope_set", args.lang, name=args.name, role=t(ROLE_LABEL_KEYS[args.role], args.lang),
            counties=counties))
    return 0


@_guarded
def _run_bootstrap(args: argparse.Namespace) -> int:
    store = _store(args)
    password = store.bootstrap()
    if password is None:
        print(t("users_cli.admin_exists", args.lang, file=store.path))
        return 0
    print(t("users_cli.bootstrapped", args.lang, name=BOOTSTRAP_ADMIN, password=password, file=store.path))
    return 0

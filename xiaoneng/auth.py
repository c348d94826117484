"""Who is signed in and what they may do: the four roles of product.md §1 and their permissions.

The sign-in itself (local users file with argon2 hashes, or OIDC through ``st.login``) lives in
``xiaoneng.signin``; whichever way a person signs in, the result is one ``User`` kept in the
Streamlit session under ``SESSION_USER_KEY``. Everything after sign-in reads that ``User``: its
``scope`` reaches the query layer, its ``can(...)`` gates the widgets and pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from dataclasses import dataclass
from functools import cache

import yaml

from xiaoneng.filters import Scope
from xiaoneng.paths import CONFIG_DIR

ROLES = ("admin", "analyst", "leader", "county")

# What each role may do beyond reading the pages of its scope (product.md §1): leaders read;
# analysts also export and try weights; county users export their county; admins do everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"export", "try_weights", "publish", "manage_users", "read_audit"}),
    "analyst": frozenset({"export", "try_weights"}),
    "leader": frozenset(),
    "county": frozenset({"export"}),
}

# Role names as the catalog shows them: t(ROLE_LABEL_KEYS[role], lang) → 管理员/分析员/领导/县区用户.
ROLE_LABEL_KEYS = {role: f"signin.role_{role}" for role in ROLES}


@dataclass(frozen=True)
class AuthSettings:
    """config/auth.yaml: session lifetime, lock-out, password length, the time zone users read."""

    session_lifetime: dt.timedelta
    lockout_failures: int
    lockout_duration: dt.timedelta
    password_min_length: int
    display_tz: dt.timezone


@cache
def settings() -> AuthSettings:
    raw = yaml.safe_load((CONFIG_DIR / "auth.yaml").read_text(encoding="utf-8"))
    return AuthSettings(
        session_lifetime=dt.timedelta(hours=float(raw["session_hours"])),
        lockout_failures=int(raw["lockout_failures"]),
        lockout_duration=dt.timedelta(minutes=float(raw["lockout_minutes"])),
        password_min_length=int(raw["password_min_length"]),
        display_tz=dt.timezone(dt.timedelta(hours=float(raw["display_utc_offset_hours"]))),
    )


# st.session_state keys of the signed-in User and of the moment the sign-in expires (UTC).
SESSION_USER_KEY = "_xiaoneng_user"
SESSION_EXPIRES_KEY = "_xiaoneng_user_expires"
SESSION_LIFETIME = settings().session_lifetime  # config/auth.yaml: a working day; then sign in again


@dataclass(frozen=True)
class User:
    """A signed-in person. ``counties`` is None for every county (admin, analyst, leader), else the
    county codes a county user may see (never empty)."""

    name: str
    role: str
    counties: tuple[str, ...] | None = None
    display_name: str = ""
    source: str = "local"  # local | oidc | cli

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; roles are {', '.join(ROLES)}")
        if self.role == "county" and not self.counties:
            raise ValueError(f"county user {self.name!r} has no county")
        if self.role != "county" and self.counties is not None:
            raise ValueError(f"only county users have a county list ({self.name!r} is {self.role})")

    @property
    def scope(self) -> Scope:
        return Scope(self.counties)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.role]

    @property
    def label(self) -> str:
        return self.display_name or self.name


def start_session(state: MutableMapping, user: User, lifetime: dt.timedelta = SESSION_LIFETIME,
                  now: dt.datetime | None = None) -> None:
    """Mark ``state`` (st.session_state, or AppTest's) as signed in as ``user`` until now + lifetime."""
    now = now or dt.datetime.now(dt.UTC)
    state[SESSION_USER_KEY] = user
    state[SESSION_EXPIRES_KEY] = now + lifetime


def session_user(state: MutableMapping, now: dt.datetime | None = None) -> User | None:
    """The user ``state`` is signed in as; None when nobody is, or the sign-in has expired."""
    try:  # AppTest's session state has no .get
        user, expires = state[SESSION_USER_KEY], state[SESSION_EXPIRES_KEY]
    except KeyError:
        return None
    if not isinstance(user, User) or not isinstance(expires, dt.datetime):
        return None
    if (now or dt.datetime.now(dt.UTC)) >= expires:
        return None
    return user


def end_session(state: MutableMapping) -> None:
    for key in (SESSION_USER_KEY, SESSION_EXPIRES_KEY):
        if key in state:
            del state[key]

"""Production sign-in: an OIDC provider's claims (``st.user`` after ``st.login``) mapped to a ``User``
by config/oidc_claims.yaml (which claim names the user, which holds the groups, group → role, which
holds a county user's county codes).

Deny by default: claims that reach no role, or a county user without a county the default snapshot
knows, raise ``OidcRefused`` and the person is never shown anything.

One provider sign-in, one audit entry: Streamlit keeps ``st.user`` in its identity cookie, so every
reload or new tab is a new Streamlit session with the same claims. ``first_session`` tells the
first of them by the ID token's own marks of that sign-in (issuer, subject, ``iat`` and ``nonce``,
which a new sign-in at the provider always renews), recorded as an empty file named by their hash
beside the users file (created exclusively, so two tabs opened at once still count once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from xiaoneng.auth import ROLES, User
from xiaoneng.i18n import t
from xiaoneng.markup import escape_markdown
from xiaoneng.paths import CONFIG_DIR, users_file
from xiaoneng.users import default_snapshot_counties

CLAIMS_FILE = CONFIG_DIR / "oidc_claims.yaml"
SIGN_INS_FOLDER = "oidc-sign-ins"  # beside the users file: one empty file per provider sign-in seen
# Streamlit's identity cookie lasts 30 days; a sign-in's marker is kept a little longer.
SIGN_IN_MARKER_LIFETIME = dt.timedelta(days=31)


class OidcRefused(Exception):
    """Claims that give no dashboard user. ``reason``: no_role | no_county."""

    def __init__(self, name: str, reason: str, counties: tuple[str, ...] = ()):
        super().__init__(f"OIDC user {name!r} refused: {reason}")
        self.name, self.reason, self.counties = name, reason, counties

    def message(self, lang: str) -> str:
        """What the person sees (the name and codes come from the provider: escaped)."""
        name = escape_markdown(self.name)
        if self.reason == "no_county":
            counties = escape_markdown(", ".join(self.counties)) or "—"
            return t("signin.oidc_refused_county", lang, name=name, counties=counties)
        return t("signin.oidc_refused_role", lang, name=name)


@dataclass(frozen=True)
class ClaimsMapping:
    name_claims: tuple[str, ...]
    display_name_claim: str | None
    groups_claim: str
    groups_to_roles: tuple[tuple[str, str], ...]
    county_claim: str


@cache
def load_mapping(path: Path = CLAIMS_FILE) -> ClaimsMapping:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = tuple((str(r["group"]), str(r["role"])) for r in raw["groups_to_roles"])
    for group, role in rules:
        if role not in ROLES:
            raise ValueError(f"{path}: group {group!r} maps to unknown role {role!r}; roles are {', '.join(ROLES)}")
    return ClaimsMapping(tuple(raw["name_claims"]), raw.get("display_name_claim"), raw["groups_claim"], rules,
                         raw["county_claim"])


def claim(claims: Mapping, name: str) -> object:
    """The claim ``name``; a dotted name reaches into nested objects (realm_access.roles)."""
    value: object = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _strings(value: object) -> tuple[str, ...]:
    """A claim as a list of strings: a list, or one string (comma-separated for codes)."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list | tuple) else [value]
    return tuple(s for s in (str(v).strip() for v in items) if s)


def user_from_claims(claims: Mapping, mapping: ClaimsMapping | None = None,
                     known_counties: Callable[[], dict[str, str] | None] = default_snapshot_counties) -> User:
    """The dashboard user ``claims`` stand for (source ``oidc``), else ``OidcRefused``."""
    mapping = mapping or load_mapping()
    name = next((str(v) for v in (claim(claims, c) for c in mapping.name_claims) if v), "")
    if not name:
        raise OidcRefused("?", "no_role")
    groups = set(_strings(claim(claims, mapping.groups_claim)))
    role = next((r for group, r in mapping.groups_to_roles if group in groups), None)
    if role is None:
        raise OidcRefused(name, "no_role")
    display = str(claim(claims, mapping.display_name_claim) or "") if mapping.display_name_claim else ""
    counties = None
    if role == "county":
        given = tuple(dict.fromkeys(_strings(claim(claims, mapping.county_claim))))
        known = known_counties()
        counties = tuple(c for c in given if known is None or c in known)
        if not counties:
            raise OidcRefused(name, "no_county", given)
    return User(name, role, counties, display, source="oidc")


def first_session(claims: Mapping, folder: Path | None = None, now: dt.datetime | None = None) -> bool:
    """Whether these claims' provider sign-in is seen for the first time (then it is audited).
    Claims without ``iat`` and ``nonce`` cannot tell one sign-in from the next: every session counts."""
    if claims.get("iat") is None and claims.get("nonce") is None:
        return True
    folder = folder or users_file().parent / SIGN_INS_FOLDER
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    marks = json.dumps([claims.get(k) for k in ("iss", "sub", "iat", "nonce")], default=str)
    try:
        os.close(os.open(folder / hashlib.sha256(marks.encode()).hexdigest(), os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         0o600))
    except FileExistsError:
        return False
    oldest = ((now or dt.datetime.now(dt.UTC)) - SIGN_IN_MARKER_LIFETIME).timestamp()
    for marker in folder.iterdir():  # sign-ins whose identity cookie has expired cannot come back
        if marker.stat().st_mtime < oldest:
            marker.unlink(missing_ok=True)
    return True

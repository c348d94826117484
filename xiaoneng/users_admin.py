"""用户管理 on 数据管理 (issue 9 point 1): the local users file managed in the app, for admins only
(``user.can("manage_users")``; pages/data.py creates the tab and its widgets for nobody else).

The admin sees every user (role, counties, disabled, locked until, one-time password pending),
adds a user, gives a new one-time password, changes role and counties, and disables a user. Every
change goes through ``UserStore`` with ``by=`` the admin, so it is audited (user_add, user_change)
and checked there: names, roles, counties of the default snapshot, password length, and never the
admin's own account or the last admin. A refusal is shown as its catalog message.

A generated one-time password is shown once, right after the action that made it: it is kept in
the session state only until the next run shows it (the users file holds only its argon2 hash).

Widget keys (all ``users_admin_*``): users_admin_table; users_admin_add_name, users_admin_add_role,
users_admin_add_counties, users_admin_add; users_admin_user, users_admin_role, users_admin_counties,
users_admin_set_scope, users_admin_reset, users_admin_disable_confirm, users_admin_disable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from xiaoneng.auth import ROLE_LABEL_KEYS, ROLES, User, settings
from xiaoneng.i18n import t
from xiaoneng.markup import escape_markdown
from xiaoneng.users import UnknownUser, UserError, UserRecord, UserStore

TEXT_SECTION = "users_admin"
TABLE_COLUMNS = ["name", "role", "counties", "disabled", "locked_until", "must_change"]
_OUTCOME = "_users_admin_outcome"  # the last action's Outcome, shown (and dropped) by the next run


def text(key: str, lang: str = "zh", **values: object) -> str:
    return t(f"{TEXT_SECTION}.{key}", lang, **values)


def county_label(code: str, names: dict[str, str] | None) -> str:
    """乙县（C02）, or the bare code when the default snapshot does not name it."""
    name = (names or {}).get(code)
    return f"{name}（{code}）" if name else code


def users_table(records: Iterable[UserRecord], names: dict[str, str] | None, lang: str = "zh",
                now: dt.datetime | None = None) -> pd.DataFrame:
    """One row per user: name, role in words, counties (every county, or 乙县（C02）, …), disabled,
    the end of a lock-out still running (display time zone) and whether a one-time password waits
    to be replaced."""
    now = now or dt.datetime.now(dt.UTC)
    rows = []
    for r in records:
        locked = r.locked_until is not None and r.locked_until > now
        rows.append({
            "name": r.name,
            "role": t(ROLE_LABEL_KEYS[r.role], lang),
            "counties": "、".join(county_label(c, names) for c in r.counties) if r.counties
            else text("all_counties", lang),
            "disabled": r.disabled,
            "locked_until": f"{r.locked_until.astimezone(settings().display_tz):%Y-%m-%d %H:%M}" if locked else None,
            "must_change": r.must_change,
        })
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


# ---------------------------------------------------------------- actions

@dataclass(frozen=True)
class Outcome:
    """What an action did, for the admin: ``ok``, the message (Markdown, values escaped) and a
    one-time password to show once (None when none was made)."""

    ok: bool
    message: str
    password: str | None = None


def refusal_text(error: UserError | UnknownUser, lang: str) -> str:
    """The store's refusal in the catalog's words, with the values (names as typed) escaped."""
    if isinstance(error, UnknownUser):
        key = "users_error.disabled_user" if error.disabled else "users_error.unknown_user"
        return t(key, lang, name=escape_markdown(error.name), file=escape_markdown(error.path))
    return t(f"users_error.{error.key}", lang, **{k: escape_markdown(v) for k, v in error.values.items()})


def _attempt(change: Callable[[], str | None], done: str, lang: str) -> Outcome:
    try:
        password = change()
    except (UserError, UnknownUser) as error:
        return Outcome(False, refusal_text(error, lang))
    return Outcome(True, done, password)


def _county_problem(role: str, counties: list[str], lang: str) -> Outcome | None:
    return Outcome(False, text("county_needs_county", lang)) if role == "county" and not counties else None


def add_user(store: UserStore, admin: User, name: str, role: str, counties: list[str], lang: str = "zh") -> Outcome:
    """Add ``name`` with a generated one-time password (returned in the outcome, to show once)."""
    name = name.strip()
    if not name:
        return Outcome(False, text("name_missing", lang))
    if problem := _county_problem(role, counties, lang):
        return problem
    done = text("added", lang, name=escape_markdown(name), role=t(ROLE_LABEL_KEYS[role], lang))
    return _attempt(lambda: store.add(name, role, counties or None, by=admin.name), done, lang)


def reset_password(store: UserStore, admin: User, name: str, lang: str = "zh") -> Outcome:
    """A new one-time password for ``name`` (clears a lock-out, ends their sessions)."""
    return _attempt(lambda: store.set_password(name, by=admin.name),
                    text("password_reset", lang, name=escape_markdown(name)), lang)


def change_scope(store: UserStore, admin: User, name: str, role: str, counties: list[str],
                 lang: str = "zh") -> Outcome:
    if problem := _county_problem(role, counties, lang):
        return problem
    done = text("scope_changed", lang, name=escape_markdown(name), role=t(ROLE_LABEL_KEYS[role], lang))
    return _attempt(lambda: store.set_scope(name, role, counties or None, by=admin.name), done, lang)


def disable_user(store: UserStore, admin: User, name: str, lang: str = "zh") -> Outcome:
    return _attempt(lambda: store.disable(name, by=admin.name),
                    text("disabled", lang, name=escape_markdown(name)), lang)


# ---------------------------------------------------------------- the section

def _county_choices(names: dict[str, str] | None, *current: Iterable[str]) -> list[str]:
    """The default snapshot's counties, plus any a user holds that it no longer names."""
    choices = list(names or {})
    for codes in current:
        choices += [c for c in codes if c not in choices]
    return choices


def _load_selected(records: dict[str, UserRecord]) -> None:
    """The change widgets show the chosen user's role and counties."""
    state = st.session_state
    record = records.get(state.get("users_admin_user"))
    if record is not None:
        state["users_admin_role"] = record.role
        state["users_admin_counties"] = list(record.counties or ())


def _on_choose(store: UserStore) -> None:
    _load_selected({r.name: r for r in store.list()})


def _show_outcome(lang: str) -> None:
    outcome: Outcome | None = st.session_state.pop(_OUTCOME, None)
    if outcome is None:
        return
    if not outcome.ok:
        st.error(outcome.message, icon=":material/block:")
        return
    st.success(outcome.message, icon=":material/check_circle:")
    if outcome.password is not None:
        st.warning(text("password_once", lang), icon=":material/key:")
        st.code(outcome.password, language=None)


# The buttons act in their callbacks, which run before the script: the list below then shows the
# change at once, and the values are the widgets' latest.

def _act(outcome: Outcome, **reset: object) -> None:
    """Keep ``outcome`` for the run; after a success set the widgets named in ``reset`` back."""
    st.session_state[_OUTCOME] = outcome
    if outcome.ok:
        st.session_state.update(reset)


def _chosen_counties(role_key: str, counties_key: str) -> tuple[str, list[str]]:
    state = st.session_state
    role = state[role_key]
    return role, list(state.get(counties_key) or ()) if role == "county" else []


def _on_add(store: UserStore, admin: User, lang: str) -> None:
    role, counties = _chosen_counties("users_admin_add_role", "users_admin_add_counties")
    _act(add_user(store, admin, str(st.session_state.get("users_admin_add_name") or ""), role, counties, lang),
         users_admin_add_name="", users_admin_add_counties=[])


def _on_set_scope(store: UserStore, admin: User, lang: str) -> None:
    role, counties = _chosen_counties("users_admin_role", "users_admin_counties")
    _act(change_scope(store, admin, st.session_state["users_admin_user"], role, counties, lang))


def _on_reset(store: UserStore, admin: User, lang: str) -> None:
    _act(reset_password(store, admin, st.session_state["users_admin_user"], lang))


def enable_user(store: UserStore, admin: User, name: str, lang: str = "zh") -> Outcome:
    return _attempt(lambda: store.enable(name, by=admin.name), text("enabled", lang, name=escape_markdown(name)), lang)


def _on_enable(store: UserStore, admin: User, lang: str) -> None:
    _act(enable_user(store, admin, st.session_state["users_admin_user"], lang))


def _on_disable(store: UserStore, admin: User, lang: str) -> None:
    _act(disable_user(store, admin, st.session_state["users_admin_user"], lang), users_admin_disable_confirm=False)


def render(admin: User, lang: str, store: UserStore | None = None) -> None:
    """The users section: the list, then adding a user and changing one, side by side."""
    store = store or UserStore()
    state = st.session_state
    try:
        records = {r.name: r for r in store.list()}
    except UserError as error:  # an unreadable users file
        st.error(refusal_text(error, lang), icon=":material/error:")
        return
    names = store.known_counties()
    _show_outcome(lang)
    st.caption(text("caption", lang, file=escape_markdown(store.path)))
    st.dataframe(users_table(records.values(), names, lang), hide_index=True, placeholder="—",
                 key="users_admin_table", column_config={
                     **{c: st.column_config.TextColumn(text(f"col_{c}", lang))
                        for c in ("name", "role", "counties", "locked_until")},
                     "disabled": st.column_config.CheckboxColumn(text("col_disabled", lang)),
                     "must_change": st.column_config.CheckboxColumn(text("col_must_change", lang),
                                                                    help=text("col_must_change_help", lang))})

    def role_label(role: str) -> str:
        return t(ROLE_LABEL_KEYS[role], lang)

    def county_text(code: str) -> str:
        return county_label(code, names)

    actions = {"args": (store, admin, lang)}
    add, change = st.columns(2, gap="large")
    with add:
        st.subheader(text("add_header", lang))
        st.text_input(text("add_name", lang), key="users_admin_add_name", help=text("add_name_help", lang))
        role = st.selectbox(text("role", lang), ROLES, index=ROLES.index("county"), key="users_admin_add_role",
                            format_func=role_label)
        if role == "county":
            st.multiselect(text("counties", lang), _county_choices(names), key="users_admin_add_counties",
                           format_func=county_text, accept_new_options=names is None,
                           placeholder=text("counties_placeholder", lang))
        st.caption(text("add_caption", lang))
        st.button(text("add", lang), key="users_admin_add", type="primary", icon=":material/person_add:",
                  on_click=_on_add, **actions)

    with change:
        st.subheader(text("change_header", lang))
        if not records:
            st.info(text("none", lang), icon=":material/info:")
            return
        if state.get("users_admin_user") not in records:
            state["users_admin_user"] = next(iter(records))
            _load_selected(records)
        chosen = records[st.selectbox(text("user", lang), list(records), key="users_admin_user",
                                      on_change=_on_choose, args=(store,))]
        shown, own = escape_markdown(chosen.name), chosen.name == admin.name
        state.setdefault("users_admin_role", chosen.role)
        if st.selectbox(text("role", lang), ROLES, key="users_admin_role", format_func=role_label, disabled=own,
                        help=text("own_role", lang) if own else None) == "county":
            state.setdefault("users_admin_counties", list(chosen.counties or ()))
            st.multiselect(text("counties", lang), _county_choices(names, chosen.counties or ()),
                           key="users_admin_counties", format_func=county_text, accept_new_options=names is None,
                           placeholder=text("counties_placeholder", lang))
        st.button(text("set_scope", lang, name=shown), key="users_admin_set_scope", icon=":material/badge:",
                  disabled=own, on_click=_on_set_scope, **actions)
        st.divider()
        # one's own one-time password would end one's session before the page could show it
        st.button(text("reset", lang, name=shown), key="users_admin_reset", icon=":material/password:",
                  disabled=own, help=text("own_password" if own else "reset_help", lang), on_click=_on_reset,
                  **actions)
        st.divider()
        if chosen.disabled:
            st.caption(text("is_disabled", lang, name=shown))
            st.button(text("enable", lang, name=shown), key="users_admin_enable", icon=":material/person_check:",
                      on_click=_on_enable, **actions)
        elif own:
            st.caption(text("own_account", lang))
        else:
            confirmed = st.checkbox(text("disable_confirm", lang, name=shown), key="users_admin_disable_confirm")
            st.button(text("disable", lang, name=shown), key="users_admin_disable", disabled=not confirmed,
                      icon=":material/person_off:", on_click=_on_disable, **actions)

"""The sign-in gate, the sign-in page and sign-out (issue 9 point 1): two ways in, one path after.

``app.py`` calls ``require_user(lang)`` before ``st.navigation``: without a signed-in user it shows
only the sign-in page (no navigation, no data) and stops. Either way in ends in
``auth.start_session``:

- the local users file (``xiaoneng.users``): the form checks name and password (lock-out, audit);
  a one-time password must be replaced first;
- OIDC (production), when the secrets file has an ``[auth]`` section: the provider's button calls
  ``st.login``; back from the provider, ``st.user``'s claims are mapped by ``xiaoneng.oidc``.

Streamlit keeps ``st.session_state`` per browser tab connection, so a reload would sign a local
user out. The sign-in therefore also sets a signed, expiring cookie (``COOKIE``, value from
``UserStore.session_token``) with a small same-origin script (``st.html`` with JavaScript; the
cookie cannot be HttpOnly because Streamlit offers no server route for it); a new session reads it
from ``st.context.cookies``. Sign-out clears it and raises the user's session epoch, so a copy of
the cookie stops working too (and the user's other browsers are signed out with it). OIDC sessions
need no cookie of ours: Streamlit keeps ``st.user`` in its own identity cookie.

The audit log has one ``sign_in`` per sign-in, not one per Streamlit session. A local session
restored from our cookie is not audited: it is the same sign-in continuing (the same token, expiry
and scope, ended by sign-out, a new password or scope, or disabling, all of which are audited), and
an entry per reload or tab would bury the sign-ins among page views. OIDC follows the same rule: a
new session with the same ``st.user`` is audited only the first time (``oidc.first_session``).

Widget keys: signin_name, signin_password, signin_submit (form signin_form), signin_oidc,
signin_new_password, signin_repeat_password (form signin_change), signin_oidc_logout, sign_out,
and ``lang`` (the same key as the sidebar's switch).
"""

from __future__ import annotations

import datetime as dt
import json

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from xiaoneng import audit, auth
from xiaoneng.auth import User
from xiaoneng.i18n import LANGS, t
from xiaoneng.markup import escape_markdown
from xiaoneng.oidc import OidcRefused, first_session, user_from_claims
from xiaoneng.users import SignInRefused, UnknownUser, UserError, UserStore

COOKIE = "xiaoneng_session"
KEY_LANG = "lang"  # session.KEY_LANG: the sign-in page's switch is the sidebar's
_TOKEN = "_xiaoneng_session_token"
_COOKIE_READ = "_xiaoneng_cookie_read"
_COOKIE_WRITE = "_xiaoneng_cookie_write"  # the cookie to set ("" = clear) on the next run
_NOTICE = "_xiaoneng_signin_notice"  # catalog key of a note for the sign-in page
_PENDING = "_xiaoneng_signin_pending"  # a user who signed in with a one-time password
_ERROR = "_xiaoneng_signin_error"  # why the last submit was refused, shown once
_OIDC_LOGOUT = "_xiaoneng_oidc_logout"
_OIDC_REFUSAL_SEEN = "_xiaoneng_oidc_refusal_seen"  # this session already asked first_session


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------- the gate

def require_user(lang: str, pages: dict[str, list[StreamlitPage]]) -> User:
    """The signed-in user; without one, the sign-in page, then ``st.stop()``.

    The sign-in page registers ``pages`` with a hidden navigation and runs none of them: without
    it Streamlit would list pages/ by file name, and with it a deep link (/scorecard?period=…)
    keeps its page and parameters through the sign-in."""
    state = st.session_state
    store = UserStore()
    if state.pop(_OIDC_LOGOUT, False):
        st.logout()
        st.stop()
    _restore_from_cookie(store)
    user = auth.session_user(state)
    if user is not None and not _token_still_valid(store):
        _end(state, notice="signin.expired")  # signed out elsewhere, new password or scope, disabled
        user = None
    if user is None and auth.SESSION_USER_KEY in state:  # the session ran out
        expired = state[auth.SESSION_USER_KEY]
        _end(state, notice="signin.expired")
        if getattr(expired, "source", "") == "oidc" and _oidc_signed_in():
            st.logout()  # else st.user would sign them straight in again
            st.stop()
    if user is None and _oidc_signed_in():
        user = _oidc_sign_in(lang, pages)
    if user is None:
        st.navigation(pages, position="hidden")
        _sign_in_page(store, lang)
        st.stop()
    _write_cookie()
    return user


def _restore_from_cookie(store: UserStore) -> None:
    """Once per session: a valid session cookie (a reload, a new tab) signs the tab in."""
    state = st.session_state
    if state.get(_COOKIE_READ):
        return
    state[_COOKIE_READ] = True
    if auth.SESSION_USER_KEY in state:
        return
    token = st.context.cookies.get(COOKIE)
    found = store.user_from_token(token)
    if found is None:
        if token:
            state[_COOKIE_WRITE] = ""  # a stale cookie: drop it
        return
    user, expires = found
    auth.start_session(state, user, lifetime=expires - _now())
    state[_TOKEN] = token


def _token_still_valid(store: UserStore) -> bool:
    """A local sign-in's cookie value is checked on every run, so a sign-out in another tab, a new
    password or scope, or disabling the user ends this session too. Sessions started without one
    (OIDC, tests) have nothing to check."""
    token = st.session_state.get(_TOKEN)
    return token is None or store.user_from_token(token) is not None


def _begin(store: UserStore | None, user: User) -> None:
    """The one path after either way in: start the session (and the cookie of a local user)."""
    state = st.session_state
    auth.start_session(state, user)
    state.pop(_PENDING, None)
    state.pop(_NOTICE, None)
    if store is not None:
        token = store.session_token(user.name, state[auth.SESSION_EXPIRES_KEY])
        state[_TOKEN] = token
        state[_COOKIE_WRITE] = token


def _end(state, notice: str | None = None) -> None:
    auth.end_session(state)
    state.pop(_TOKEN, None)
    state[_COOKIE_WRITE] = ""
    if notice:
        state[_NOTICE] = notice


def _write_cookie() -> None:
    """Set or clear the session cookie in the browser (a same-origin script: see the module doc)."""
    value = st.session_state.pop(_COOKIE_WRITE, None)
    if value is None:
        return
    expires = st.session_state.get(auth.SESSION_EXPIRES_KEY)
    max_age = int((expires - _now()).total_seconds()) if value and expires else 0
    script = (f"<script>document.cookie = {json.dumps(COOKIE)} + '=' + {json.dumps(value)}"
              f" + '; Max-Age={max(max_age, 0)}; Path=/; SameSite=Strict'"
              " + (location.protocol === 'https:' ? '; Secure' : '');</script>")
    st.html(script, unsafe_allow_javascript=True, width="content")


# ---------------------------------------------------------------- OIDC

def oidc_configured() -> bool:
    """Whether the secrets file has an ``[auth]`` section (st.login's provider)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _oidc_signed_in() -> bool:
    return oidc_configured() and bool(st.user.get("is_logged_in"))


def _oidc_sign_in(lang: str, pages: dict[str, list[StreamlitPage]]) -> User:
    """Back from the provider: the mapped user, signed in; refused claims get a message, a way to
    sign out of the provider, and nothing else."""
    claims = {k: v for k, v in st.user.to_dict().items() if k != "is_logged_in"}
    try:
        user = user_from_claims(claims)
    except OidcRefused as refusal:
        if not st.session_state.get(_OIDC_REFUSAL_SEEN) and first_session(claims):
            audit.record("sign_in_failed", refusal.name, reason=refusal.reason, source="oidc",
                         groups=claims.get("groups"), counties=list(refusal.counties))
        st.session_state[_OIDC_REFUSAL_SEEN] = True
        st.navigation(pages, position="hidden")
        st.title(t("signin.title", lang))
        st.error(refusal.message(lang), icon=":material/block:")
        if st.button(t("signin.oidc_sign_out", lang), key="signin_oidc_logout"):
            st.logout()
        st.stop()
    if first_session(claims):
        audit.record("sign_in", user.name, scope=user.counties, role=user.role, source="oidc")
    _begin(None, user)
    return user


# ---------------------------------------------------------------- the page

def _on_lang_change() -> None:
    """Carry the page's language into the URL, which the app reads once signed in."""
    lang = st.session_state.get(KEY_LANG)
    if lang == "en":
        st.query_params["lang"] = lang
    elif "lang" in st.query_params:
        del st.query_params["lang"]


def _language_switch(lang: str) -> None:
    if st.session_state.get(KEY_LANG) not in LANGS:
        st.session_state[KEY_LANG] = lang
    st.segmented_control(t("lang.label", lang), LANGS, key=KEY_LANG, required=True,
                         format_func=lambda code: t(f"lang.{code}", code), on_change=_on_lang_change)


def _sign_in_page(store: UserStore, lang: str) -> None:
    _write_cookie()
    with st.columns([1, 1.2, 1])[1]:  # a narrow form in the middle of the wide layout
        _sign_in_form(store, lang)


def _sign_in_form(store: UserStore, lang: str) -> None:
    st.title(t("signin.title", lang))
    _language_switch(lang)
    notice = st.session_state.get(_NOTICE)
    if notice:
        st.info(t(notice, lang), icon=":material/info:")
    pending = st.session_state.get(_PENDING)
    if isinstance(pending, User):
        _change_password_form(pending, lang)
        return
    if oidc_configured():
        if st.button(t("signin.oidc_button", lang), key="signin_oidc", type="primary"):
            st.login()
        st.caption(t("signin.oidc_or", lang))
    st.caption(t("signin.intro", lang))
    with st.form("signin_form", enter_to_submit=True):
        st.text_input(t("signin.name", lang), key="signin_name", autocomplete="username")
        st.text_input(t("signin.password", lang), type="password", key="signin_password",
                      autocomplete="current-password")
        st.form_submit_button(t("signin.submit", lang), key="signin_submit", type="primary", on_click=_on_sign_in,
                              args=(store, lang))
    _show_error()


def _show_error() -> None:
    error = st.session_state.pop(_ERROR, None)
    if error:
        st.error(error, icon=":material/lock:")


# The forms act in their submit callbacks: those run before the script, so nothing is lost when the
# run then reruns (session.leave_pages_folder_mode), and the password leaves the session state at once.

def _on_sign_in(store: UserStore, lang: str) -> None:
    state = st.session_state
    name, password = str(state.get("signin_name") or "").strip(), str(state.get("signin_password") or "")
    state["signin_password"] = ""
    if not name or not password:
        state[_ERROR] = t("signin.missing", lang)
        return
    try:
        user = store.verify(name, password)
    except SignInRefused as refusal:
        state[_ERROR] = refusal.message(lang)
        return
    if store.must_change(name):
        state[_PENDING] = user
    else:
        _begin(store, user)


def _change_password_form(user: User, lang: str) -> None:
    """A one-time password (bootstrap admin, generated by an admin): the person chooses their own."""
    st.subheader(t("signin.change_title", lang))
    st.caption(t("signin.change_intro", lang, name=escape_markdown(user.name),
                 length=auth.settings().password_min_length))
    with st.form("signin_change"):
        st.text_input(t("signin.new_password", lang), type="password", key="signin_new_password",
                      autocomplete="new-password")
        st.text_input(t("signin.repeat_password", lang), type="password", key="signin_repeat_password",
                      autocomplete="new-password")
        st.form_submit_button(t("signin.change_submit", lang), key="signin_change_submit", type="primary",
                              on_click=_on_change_password, args=(user, lang))
    _show_error()


def _on_change_password(user: User, lang: str) -> None:
    state = st.session_state
    new, again = str(state.get("signin_new_password") or ""), str(state.get("signin_repeat_password") or "")
    state["signin_new_password"] = state["signin_repeat_password"] = ""
    store = UserStore()
    if new != again:
        state[_ERROR] = t("signin.change_mismatch", lang)
        return
    if store.password_is(user.name, new):
        state[_ERROR] = t("signin.change_same", lang)
        return
    try:
        store.set_password(user.name, new, by=user.name)
    except UserError as error:
        state[_ERROR] = error.message(lang)
        return
    except UnknownUser:  # disabled meanwhile: back to the form
        state.pop(_PENDING, None)
        return
    _begin(store, user)


# ---------------------------------------------------------------- sidebar

def _sign_out() -> None:
    state = st.session_state
    user = auth.session_user(state)
    if user is None:
        return
    audit.record("sign_out", user.name, scope=user.counties, source=user.source)
    if user.source == "local":
        UserStore().end_sessions(user.name)
    _end(state, notice="signin.signed_out")
    if user.source == "oidc":
        state[_OIDC_LOGOUT] = True


def sidebar_account(user: User, lang: str) -> None:
    """Who is signed in, in which role, and the sign-out button."""
    role = t(auth.ROLE_LABEL_KEYS[user.role], lang)
    st.sidebar.caption(t("signin.signed_in_as", lang, name=escape_markdown(user.label), role=role))
    st.sidebar.button(t("signin.sign_out", lang), key="sign_out", on_click=_sign_out, icon=":material/logout:",
                      width="stretch")

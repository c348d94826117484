"""The sign-in gate of app.py (xiaoneng/signin.py) in AppTest, on the hand-counted fixture with a local
users file: nothing but the form without a user, refusals, sign-in, one-time passwords, sign-out,
expiry, a user disabled while signed in, and the audit entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import signed_in
from xiaoneng import audit, auth
from xiaoneng.auth import User
from xiaoneng.i18n import t
from xiaoneng.users import SignInRefused, UserStore

APP = Path(__file__).resolve().parent.parent / "app.py"
PASSWORD = "correct horse battery"


@pytest.fixture
def users(data_folder, tmp_path, monkeypatch) -> UserStore:
    """A users file of this test: boss (admin) and county-c02 (C02), both with PASSWORD."""
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    monkeypatch.setenv("XIAONENG_USERS", str(tmp_path / "users.yaml"))
    store = UserStore()
    store.add("boss", "admin", password=PASSWORD)
    store.add("county-c02", "county", ["C02"], password=PASSWORD)
    return store


@pytest.fixture
def app(users) -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=30)


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return at.button(key="signin_submit").click().run()


def assert_only_the_form(at: AppTest, lang: str = "zh") -> None:
    assert not at.exception
    assert [e.value for e in at.title] == [t("signin.title", lang)]
    assert [w.key for w in at.text_input] == ["signin_name", "signin_password"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart") and not at.multiselect
    assert not at.sidebar.children  # no filters, no account, no navigation


def new_entries(before: int) -> list[tuple[str, str | None, str | None]]:
    return [(e["action"], e["user"], e["details"].get("reason")) for e in list(audit.entries())[before:]]


def test_without_a_user_only_the_sign_in_form(app):
    app.run()
    assert_only_the_form(app)
    assert app.button(key="signin_submit").label == "登录"
    assert [e.label for e in app.text_input] == ["用户名", "密码"]


@pytest.mark.parametrize("page", ["pages/data.py", "pages/scorecard.py"])
def test_a_deep_link_shows_the_sign_in_form_too(app, page):
    app.query_params["period"] = "2026-10"
    app.query_params["counties"] = "C01"
    app.switch_page(page).run()
    assert_only_the_form(app)


def test_the_form_speaks_english(app):
    app.run()
    app.segmented_control(key="lang").set_value("en").run()
    assert_only_the_form(app, "en")
    assert [e.label for e in app.text_input] == ["User name", "Password"]
    assert app.query_params["lang"] == "en"


def test_a_wrong_password_is_refused_and_audited(app):
    before = len(list(audit.entries()))
    app.run()
    sign_in(app, "boss", "not the password")
    assert_only_the_form(app)
    assert [e.value for e in app.error] == ["用户名或密码不正确。"]
    sign_in(app, "nobody", "not the password")
    assert [e.value for e in app.error] == ["用户名或密码不正确。"]
    sign_in(app, "", "")
    assert [e.value for e in app.error] == ["请输入用户名和密码。"]
    assert new_entries(before) == [("sign_in_failed", "boss", "wrong_password"),
                                   ("sign_in_failed", "nobody", "unknown_user")]


def test_a_locked_account_says_until_when(app, users):
    for _ in range(5):
        with pytest.raises(SignInRefused):  # the fifth locks
            users.verify("boss", "guess")
    until = users.list()[0].locked_until.astimezone(auth.settings().display_tz)
    app.run()
    sign_in(app, "boss", PASSWORD)
    assert [e.value for e in app.error] == [f"连续输错密码次数过多，账户已锁定，请于 {until:%H:%M} 后再试。"]


def test_a_good_sign_in_shows_the_overview_and_who_is_signed_in(app):
    before = len(list(audit.entries()))
    app.run()
    sign_in(app, "boss", PASSWORD)
    assert not app.exception
    assert app.title[0].value == t("nav.overview")
    assert len(app.metric) == 8
    assert auth.session_user(app.session_state) == User("boss", "admin")
    assert app.sidebar.caption[0].value == "已登录：boss（管理员）"
    assert app.button(key="sign_out").label == "退出登录"
    assert new_entries(before) == [("sign_in", "boss", None)]
    assert list(audit.entries())[-1]["scope"] is None


def test_a_county_user_signs_in_with_their_scope(app):
    app.run()
    sign_in(app, "county-c02", PASSWORD)
    assert not app.exception
    assert auth.session_user(app.session_state) == User("county-c02", "county", ("C02",))
    assert app.sidebar.caption[0].value == "已登录：county-c02（县区用户）"
    assert list(audit.entries())[-1]["scope"] == ["C02"]


def test_a_deep_link_keeps_its_page_through_the_sign_in(app):
    app.switch_page("pages/definitions.py").run()
    assert_only_the_form(app)
    sign_in(app, "boss", PASSWORD)
    assert not app.exception
    assert app.title[0].value == t("nav.definitions")


def test_sign_out_returns_to_the_form(app):
    before = len(list(audit.entries()))
    app.run()
    sign_in(app, "boss", PASSWORD)
    app.button(key="sign_out").click().run()
    assert_only_the_form(app)
    assert [i.value for i in app.info] == ["已退出登录。"]
    assert auth.session_user(app.session_state) is None
    assert new_entries(before) == [("sign_in", "boss", None), ("sign_out", "boss", None)]


def test_an_expired_session_returns_to_the_form(app):
    long_ago = dt.datetime.now(dt.UTC) - auth.SESSION_LIFETIME - dt.timedelta(minutes=1)
    auth.start_session(app.session_state, User("boss", "admin"), now=long_ago)
    app.run()
    assert_only_the_form(app)
    assert [i.value for i in app.info] == ["登录已过期，请重新登录。"]


def test_a_session_that_is_still_valid_runs_the_app(app):
    signed_in(app).run()
    assert not app.exception
    assert len(app.metric) == 8


def test_disabling_a_signed_in_user_ends_their_session(app, users):
    app.run()
    sign_in(app, "county-c02", PASSWORD)
    assert len(app.metric) == 8
    users.disable("county-c02")
    app.run()
    assert_only_the_form(app)


def test_a_one_time_password_must_be_replaced_first(app, users):
    one_time = users.add("wang", "analyst")
    app.run()
    sign_in(app, "wang", one_time)
    assert not app.exception
    assert auth.session_user(app.session_state) is None  # not yet
    assert app.subheader[0].value == "请设置新密码"
    assert not app.metric
    app.text_input(key="signin_new_password").input("my own long password")
    app.text_input(key="signin_repeat_password").input("my own long passwort")
    app.button(key="signin_change_submit").click().run()
    assert [e.value for e in app.error] == ["两次输入的密码不一致。"]
    app.text_input(key="signin_new_password").input(one_time)
    app.text_input(key="signin_repeat_password").input(one_time)
    app.button(key="signin_change_submit").click().run()
    assert [e.value for e in app.error] == ["新密码不能与一次性密码相同。"]
    app.text_input(key="signin_new_password").input("my own long password")
    app.text_input(key="signin_repeat_password").input("my own long password")
    app.button(key="signin_change_submit").click().run()
    assert not app.exception
    assert auth.session_user(app.session_state) == User("wang", "analyst")
    assert len(app.metric) == 8
    assert not users.must_change("wang")
    assert users.password_is("wang", "my own long password")


def test_with_an_oidc_provider_the_page_offers_its_button(app):
    app.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                           "client_id": "xiaoneng", "client_secret": "secret",
                           "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration"}
    app.run()
    assert not app.exception
    assert app.button(key="signin_oidc").label == "使用统一身份认证登录"
    assert [w.key for w in app.text_input] == ["signin_name", "signin_password"]  # the local admin still can


OIDC_AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
             "client_id": "xiaoneng", "client_secret": "secret",
             "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration"}
# st.user after a provider sign-in: the ID token's claims (iss, sub, iat, nonce) and the mapped ones.
OIDC_C02 = {"is_logged_in": True, "iss": "http://localhost:9400", "sub": "oidc-c02", "iat": 1793000000,
            "nonce": "n-1", "preferred_username": "wang.c02", "groups": ["xiaoneng-county"], "county_codes": "C02"}


def oidc_session(claims: dict) -> AppTest:
    """A new Streamlit session (a reload, a new tab) of a browser signed in at the provider as ``claims``."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = OIDC_AUTH
    at.user = dict(claims)
    return at.run()


def test_an_oidc_sign_in_is_audited_once_not_per_session(users):
    before = len(list(audit.entries()))
    first = oidc_session(OIDC_C02)
    assert not first.exception
    assert auth.session_user(first.session_state) == User("wang.c02", "county", ("C02",), source="oidc")
    reload = oidc_session(OIDC_C02)  # the same st.user in a new session
    assert auth.session_user(reload.session_state) == User("wang.c02", "county", ("C02",), source="oidc")
    assert new_entries(before) == [("sign_in", "wang.c02", None)]
    oidc_session({**OIDC_C02, "iat": OIDC_C02["iat"] + 3600, "nonce": "n-2"})  # signed in at the provider again
    assert new_entries(before) == [("sign_in", "wang.c02", None), ("sign_in", "wang.c02", None)]


def test_a_refused_oidc_user_is_audited_once_per_sign_in(users):
    before = len(list(audit.entries()))
    outsider = {**OIDC_C02, "sub": "oidc-outsider", "preferred_username": "outsider", "groups": ["staff"]}
    for _ in range(2):
        at = oidc_session(outsider)
        assert not at.exception and auth.session_user(at.session_state) is None
        assert [e.value for e in at.error] == ["统一身份认证账户 outsider 未分配本看板的角色，不能登录。请联系管理员。"]
    assert new_entries(before) == [("sign_in_failed", "outsider", "no_role")]

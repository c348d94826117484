"""The local users file (xiaoneng/users.py): hashes, lock-out, scope checks, session tokens, audit
entries and the ``python -m xiaoneng users`` commands; and the OIDC claims mapping (xiaoneng/oidc.py)."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
import yaml

from xiaoneng import audit
from xiaoneng.auth import User
from xiaoneng.cli import main
from xiaoneng.oidc import ClaimsMapping, OidcRefused, load_mapping, user_from_claims
from xiaoneng.users import SignInRefused, UnknownUser, UserError, UserStore

NOW = dt.datetime(2026, 10, 30, 9, 0, tzinfo=dt.UTC)  # 17:00 Beijing time
KNOWN = {"C01": "甲区", "C02": "乙县"}


@pytest.fixture
def data(tmp_path, monkeypatch):
    """An empty data folder for the users file and the audit log."""
    monkeypatch.setenv("XIAONENG_DATA", str(tmp_path))
    monkeypatch.delenv("XIAONENG_USERS", raising=False)
    return tmp_path


@pytest.fixture
def store(data) -> UserStore:
    return UserStore(known_counties=lambda: KNOWN)


def actions() -> list[tuple[str, str | None, dict]]:
    return [(e["action"], e["user"], e["details"]) for e in audit.entries()]


def test_the_file_holds_an_argon2_hash_not_the_password(store, data):
    store.add("wang", "analyst", password="correct horse battery")
    path = data / "security" / "users.yaml"
    assert store.path == path
    text = path.read_text(encoding="utf-8")
    assert "correct horse battery" not in text
    entry = yaml.safe_load(text)["users"]["wang"]
    assert entry["password_hash"].startswith("$argon2id$")
    assert (entry["role"], entry["counties"], entry["must_change"]) == ("analyst", None, False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob(".users-*"))  # the temporary file was renamed


def test_xiaoneng_users_moves_the_file(tmp_path, monkeypatch, data):
    monkeypatch.setenv("XIAONENG_USERS", str(tmp_path / "elsewhere" / "people.yaml"))
    UserStore(known_counties=lambda: KNOWN).add("wang", "leader", password="correct horse battery")
    assert (tmp_path / "elsewhere" / "people.yaml").exists()
    assert not (data / "security" / "users.yaml").exists()


def test_verify_returns_the_user_and_is_audited(store):
    store.add("c2", "county", ["C02"], password="correct horse battery", by="admin")
    assert store.verify("c2", "correct horse battery", NOW) == User("c2", "county", ("C02",))
    assert store.user("c2") == User("c2", "county", ("C02",))
    assert actions() == [("user_add", "admin", {"target": "c2", "role": "county", "counties": ["C02"]}),
                         ("sign_in", "c2", {"role": "county", "source": "local"})]
    assert list(audit.entries())[-1]["scope"] == ["C02"]


def test_a_wrong_password_and_an_unknown_name_read_the_same(store):
    store.add("wang", "leader", password="correct horse battery")
    with pytest.raises(SignInRefused) as wrong:
        store.verify("wang", "not the password", NOW)
    with pytest.raises(SignInRefused) as unknown:
        store.verify("li", "not the password", NOW)
    assert (wrong.value.reason, unknown.value.reason) == ("wrong_password", "unknown_user")
    assert wrong.value.message("zh") == unknown.value.message("zh") == "用户名或密码不正确。"
    assert wrong.value.message("en") == unknown.value.message("en") == "Wrong user name or password."
    assert actions()[-2:] == [("sign_in_failed", "wang", {"reason": "wrong_password", "source": "local"}),
                              ("sign_in_failed", "li", {"reason": "unknown_user", "source": "local"})]


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(store):
    store.add("wang", "leader", password="correct horse battery")
    for minute in range(4):
        with pytest.raises(SignInRefused) as refused:
            store.verify("wang", "guess", NOW + dt.timedelta(minutes=minute))
        assert refused.value.reason == "wrong_password"
    fifth = NOW + dt.timedelta(minutes=4)
    with pytest.raises(SignInRefused) as refused:
        store.verify("wang", "guess", fifth)
    until = dt.datetime(2026, 10, 30, 9, 19, tzinfo=dt.UTC)
    assert (refused.value.reason, refused.value.until) == ("locked", until)
    assert refused.value.message("zh") == "连续输错密码次数过多，账户已锁定，请于 17:19 后再试。"
    assert refused.value.message("en") == "Too many wrong passwords: the account is locked; try again after 17:19."
    # the right password does not open it before then, and the lock is in the file (another session sees it)
    with pytest.raises(SignInRefused) as still:
        UserStore(known_counties=lambda: KNOWN).verify("wang", "correct horse battery", until - dt.timedelta(seconds=1))
    assert (still.value.reason, still.value.until) == ("locked", until)
    assert store.list()[0].locked_until == until
    assert store.verify("wang", "correct horse battery", until) == User("wang", "leader")
    assert actions()[-2][2] == {"reason": "locked", "source": "local", "locked_until": "2026-10-30T09:19:00+00:00"}


def test_a_good_sign_in_resets_the_failure_count(store):
    store.add("wang", "leader", password="correct horse battery")
    for _ in range(4):
        with pytest.raises(SignInRefused):
            store.verify("wang", "guess", NOW)
    store.verify("wang", "correct horse battery", NOW)
    with pytest.raises(SignInRefused) as refused:
        store.verify("wang", "guess", NOW)
    assert refused.value.reason == "wrong_password"


def test_a_disabled_user_is_refused_and_unknown(store):
    store.add("wang", "leader", password="correct horse battery")
    store.disable("wang", by="admin")
    with pytest.raises(SignInRefused) as refused:
        store.verify("wang", "correct horse battery", NOW)
    assert refused.value.message("zh") == "该账户已停用，请联系管理员。"
    with pytest.raises(SignInRefused) as guessed:  # without the password, disabled reads like a wrong password
        store.verify("wang", "guess", NOW)
    assert guessed.value.reason == "wrong_password"
    with pytest.raises(UnknownUser) as unknown:
        store.user("wang")
    assert isinstance(unknown.value, KeyError)
    assert str(unknown.value) == f"User wang is disabled ({store.path})."
    with pytest.raises(UnknownUser, match="User li does not exist"):
        store.user("li")
    assert ("user_change", "admin", {"target": "wang", "change": "disable"}) in actions()


def test_the_last_admin_and_the_own_account_are_kept(store):
    store.add("boss", "admin", password="correct horse battery")
    store.add("wang", "leader", password="correct horse battery")
    last = "boss is the last enabled administrator: disabling them or giving them another role would leave"
    with pytest.raises(UserError, match=last):
        store.disable("boss", by="cli:root")
    with pytest.raises(UserError, match=last):
        store.set_scope("boss", "analyst", by="cli:root")
    with pytest.raises(UserError) as own:
        store.disable("boss", by="boss")
    assert own.value.message("zh") == "不能停用自己的账户，也不能取消自己的管理员角色（boss）：请由另一位管理员操作。"
    store.add("second", "admin", password="correct horse battery")
    with pytest.raises(UserError, match="You cannot disable your own account"):
        store.set_scope("boss", "leader", by="boss")
    with pytest.raises(UserError, match="You cannot disable your own account"):
        store.disable("wang", by="wang")
    store.set_scope("boss", "admin", by="boss")  # keeping one's own admin role is no change of it
    assert [(r.name, r.role, r.disabled) for r in store.list()] == \
        [("boss", "admin", False), ("second", "admin", False), ("wang", "leader", False)]
    store.disable("second", by="boss")  # another admin remains
    with pytest.raises(UserError, match=last):  # a disabled admin does not count
        store.disable("boss", by="cli:root")
    assert [(r.name, r.disabled) for r in store.list()] == [("boss", False), ("second", True), ("wang", False)]


def test_set_scope_and_unknown_counties(store):
    store.add("wang", "leader", password="correct horse battery")
    store.set_scope("wang", "county", ["C01", "C02"], by="admin")
    assert store.user("wang") == User("wang", "county", ("C01", "C02"))
    with pytest.raises(UserError) as error:
        store.set_scope("wang", "county", ["C02", "C09"])
    assert error.value.message("zh") == "未知区县代码 C09；默认快照中的区县：C01 甲区, C02 乙县"
    with pytest.raises(UserError, match="A county user needs at least one county code"):
        store.add("li", "county", password="correct horse battery")
    with pytest.raises(UserError, match="Only county users have counties"):
        store.set_scope("wang", "analyst", ["C01"])
    with pytest.raises(UserError, match="Unknown role boss"):
        store.add("li", "boss", password="correct horse battery")
    assert store.user("wang") == User("wang", "county", ("C01", "C02"))
    assert actions()[-1] == ("user_change", "admin", {"target": "wang", "change": "set_scope", "role": "county",
                                                      "counties": ["C01", "C02"]})


def test_without_a_snapshot_any_county_code_is_taken(data):
    UserStore(known_counties=lambda: None).add("c9", "county", ["C09"], password="correct horse battery")
    assert UserStore().user("c9").counties == ("C09",)


def test_the_default_snapshot_decides_the_known_counties(handcount_store, monkeypatch, tmp_path):
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    monkeypatch.setenv("XIAONENG_USERS", str(tmp_path / "users.yaml"))
    monkeypatch.setattr(audit, "audit_file", lambda: tmp_path / "audit.jsonl")
    with pytest.raises(UserError, match="Unknown county code C09; the default snapshot knows: C01 甲区, C02 乙县"):
        UserStore().add("c9", "county", ["C09"], password="correct horse battery")


def test_generated_passwords_must_be_changed(store):
    password = store.add("wang", "analyst")
    assert len(password) == 16
    assert store.must_change("wang")
    assert store.verify("wang", password, NOW) == User("wang", "analyst")
    store.set_password("wang", "my own long password", by="wang")
    assert not store.must_change("wang")
    assert store.password_is("wang", "my own long password") and not store.password_is("wang", password)
    with pytest.raises(UserError, match="at least 10 characters"):
        store.set_password("wang", "short")


def test_bootstrap_creates_one_admin_once(store):
    password = store.bootstrap()
    assert store.user("admin") == User("admin", "admin")
    assert store.must_change("admin")
    assert store.verify("admin", password, NOW).is_admin
    assert store.bootstrap() is None
    assert [r.name for r in store.list()] == ["admin"]


def test_session_tokens_end_with_sign_out_new_password_scope_and_disable(store):
    store.add("wang", "leader", password="correct horse battery")
    expires = NOW + dt.timedelta(hours=8)
    token = store.session_token("wang", expires)
    assert store.user_from_token(token, NOW) == (User("wang", "leader"), expires)
    assert store.user_from_token(token, expires) is None  # expired
    body, signature = token.split(".")
    assert store.user_from_token(f"{body}.{'0' * len(signature)}", NOW) is None  # forged
    store.end_sessions("wang")
    assert store.user_from_token(token, NOW) is None
    for change in (lambda: store.set_password("wang", "another long password"),
                   lambda: store.set_scope("wang", "analyst"), lambda: store.disable("wang")):
        token = store.session_token("wang", expires)
        assert store.user_from_token(token, NOW) is not None
        change()
        assert store.user_from_token(token, NOW) is None
    assert store.user_from_token(None, NOW) is None and store.user_from_token("garbage", NOW) is None
    secret = store.path.with_name("session.key")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


# ---------------------------------------------------------------- command line

def test_cli_add_list_disable_set_scope(data, handcount_store, monkeypatch, capsys):
    monkeypatch.setenv("XIAONENG_USERS", str(data / "security" / "users.yaml"))
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    monkeypatch.setattr(audit, "audit_file", lambda: data / "audit.jsonl")
    path = data / "security" / "users.yaml"
    assert main(["users", "add", "county-c02", "--role", "county", "--counties", "C02",
                 "--password", "correct horse battery"]) == 0
    assert capsys.readouterr().out == f"已添加用户 county-c02（县区用户），用户文件：{path}\n"
    assert main(["users", "add", "wang", "--role", "analyst"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"已添加用户 wang（分析员），用户文件：{path}"
    assert out[1].startswith("wang 的一次性密码：") and out[1].endswith("（只显示这一次，首次登录时须修改）")
    password = out[1].split("：")[1].split("（")[0]
    assert UserStore(path).verify("wang", password).role == "analyst"
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out == "county-c02\t县区用户\tC02\nwang\t分析员\t全部区县\t须修改密码\n"
    assert main(["users", "--lang", "en", "list"]) == 0
    assert capsys.readouterr().out == ("county-c02\tCounty user\tC02\n"
                                       "wang\tAnalyst\tall counties\tmust change password\n")
    assert main(["users", "set-scope", "wang", "--role", "county", "--counties", "C01"]) == 0
    assert capsys.readouterr().out == "已将 wang 设为 县区用户，区县：C01。\n"
    assert main(["users", "disable", "wang"]) == 0
    assert capsys.readouterr().out == "已停用用户 wang，其登录会话均已失效。\n"
    assert main(["users", "--lang", "en", "set-password", "county-c02"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Set a new password for county-c02; their sessions have ended."
    assert out[1].startswith("One-time password of county-c02: ")
    assert main(["users", "set-scope", "county-c02", "--role", "county", "--counties", "C09"]) == 2
    assert capsys.readouterr().err == "错误：未知区县代码 C09；默认快照中的区县：C01 甲区, C02 乙县\n"
    assert main(["users", "--lang", "en", "disable", "nobody"]) == 2
    assert capsys.readouterr().err == f"Error: User nobody does not exist ({path}).\n"
    entries = list(audit.entries())
    assert [(e["action"], e["details"].get("change")) for e in entries] == [
        ("user_add", None), ("user_add", None), ("sign_in", None), ("user_change", "set_scope"),
        ("user_change", "disable"), ("user_change", "set_password")]
    assert all(e["user"].startswith("cli:") for e in entries if e["action"] != "sign_in")


def test_cli_bootstrap_prints_the_password_once(data, capsys):
    path = data / "security" / "users.yaml"
    assert main(["users", "bootstrap"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0].startswith("已创建首个管理员 admin，一次性密码：")
    assert first[1] == f"请立即记下：此密码不会再次显示，首次登录时须修改。用户文件：{path}"
    password = first[0].split("：")[1]
    assert UserStore(path).verify("admin", password).is_admin
    assert main(["users", "bootstrap"]) == 0
    assert capsys.readouterr().out == f"已有管理员（{path}），未创建新账户。\n"


# ---------------------------------------------------------------- OIDC claims

MAPPING = load_mapping()


@pytest.mark.parametrize(("claims", "user"), [
    ({"sub": "s1", "preferred_username": "zhang", "name": "张三", "groups": ["staff", "xiaoneng-admin"]},
     User("zhang", "admin", None, "张三", "oidc")),
    ({"sub": "s2", "email": "li@example.gov", "groups": "xiaoneng-leader"},
     User("li@example.gov", "leader", None, "", "oidc")),
    ({"sub": "s3", "groups": ["xiaoneng-county"], "county_codes": ["C02"]},
     User("s3", "county", ("C02",), "", "oidc")),
    ({"sub": "s4", "groups": ["xiaoneng-county"], "county_codes": "C01, C02,C09"},
     User("s4", "county", ("C01", "C02"), "", "oidc")),
    # the first listed group decides: admin before county
    ({"sub": "s5", "groups": ["xiaoneng-county", "xiaoneng-admin"], "county_codes": "C02"},
     User("s5", "admin", None, "", "oidc")),
])
def test_claims_map_to_users(claims, user):
    assert user_from_claims(claims, MAPPING, known_counties=lambda: KNOWN) == user


@pytest.mark.parametrize(("claims", "reason", "message"), [
    ({"sub": "s6", "groups": ["staff"]}, "no_role",
     "统一身份认证账户 s6 未分配本看板的角色，不能登录。请联系管理员。"),
    ({"sub": "s7"}, "no_role", "统一身份认证账户 s7 未分配本看板的角色，不能登录。请联系管理员。"),
    ({"sub": "s8", "groups": ["xiaoneng-county"]}, "no_county",
     "统一身份认证账户 s8 为县区用户，但没有有效的区县（—），不能登录。请联系管理员。"),
    ({"sub": "s9", "groups": ["xiaoneng-county"], "county_codes": ["C09"]}, "no_county",
     "统一身份认证账户 s9 为县区用户，但没有有效的区县（C09），不能登录。请联系管理员。"),
    ({"sub": "[x](http://evil)", "groups": []}, "no_role",
     r"统一身份认证账户 \[x\]\(http\://evil\) 未分配本看板的角色，不能登录。请联系管理员。"),
])
def test_claims_without_a_role_or_county_are_refused(claims, reason, message):
    with pytest.raises(OidcRefused) as refused:
        user_from_claims(claims, MAPPING, known_counties=lambda: KNOWN)
    assert refused.value.reason == reason
    assert refused.value.message("zh") == message


def test_a_dotted_claim_reaches_into_an_object():
    keycloak = ClaimsMapping(("preferred_username",), None, "realm_access.roles", (("dashboard-analyst", "analyst"),),
                             "county")
    claims = {"preferred_username": "zhao", "realm_access": {"roles": ["offline_access", "dashboard-analyst"]}}
    assert user_from_claims(claims, keycloak, known_counties=lambda: KNOWN) == User("zhao", "analyst", source="oidc")


def test_first_session_of_a_provider_sign_in(tmp_path):
    from xiaoneng.oidc import first_session

    claims = {"iss": "https://idp", "sub": "u1", "iat": 1793000000, "nonce": "n-1"}
    folder = tmp_path / "oidc-sign-ins"
    assert first_session(claims, folder, NOW)
    assert not first_session(claims, folder, NOW)  # a reload: the same sign-in
    assert not first_session(dict(claims, name="other display"), folder, NOW)  # only the sign-in's marks count
    assert first_session(dict(claims, iat=1793003600, nonce="n-2"), folder, NOW)  # a new sign-in
    assert first_session(dict(claims, sub="u2"), folder, NOW)
    assert first_session({"sub": "u1"}, folder, NOW) and first_session({"sub": "u1"}, folder, NOW)  # no marks
    assert len(list(folder.iterdir())) == 3
    # a marker 40 days old: its sign-in's identity cookie (30 days) has expired; the next sign-in drops it
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=40)).timestamp()
    marker = next(folder.iterdir())
    os.utime(marker, (old, old))
    assert first_session(dict(claims, nonce="n-3"), folder)
    assert not marker.exists() and len(list(folder.iterdir())) == 3


def test_a_disabled_user_is_enabled_again_with_their_password(tmp_path, monkeypatch):
    monkeypatch.setenv("XIAONENG_DATA", str(tmp_path))
    store = UserStore(tmp_path / "users.yaml")
    store.add("boss", "admin", password="boss-password-1")
    store.add("wang", "county", ("C02",), password="wang-password-1")
    store.disable("wang", by="boss")
    with pytest.raises(SignInRefused):
        store.verify("wang", "wang-password-1")
    store.enable("wang", by="boss")
    assert store.verify("wang", "wang-password-1") == User("wang", "county", ("C02",))
    changes = [e["details"] for e in audit.entries() if e["action"] == "user_change"]
    assert changes[-2:] == [{"target": "wang", "change": "disable"}, {"target": "wang", "change": "enable"}]

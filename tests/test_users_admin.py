"""用户管理 on 数据管理 (xiaoneng/users_admin.py) in AppTest of pages/data.py on the hand-counted fixture
(counties C01 甲区, C02 乙县), with a users file and an audit log of each test's own: an admin adds a
county user, gives a new one-time password, changes a role and counties and disables a user, each
audited with the admin's name; refusals are messages; the admin's own account and the last admin are
kept; no other role gets any of the widgets."""

from __future__ import annotations

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.test_publish_safety import widget_keys
from xiaoneng import audit, auth
from xiaoneng.auth import User
from xiaoneng.markup import escape_markdown
from xiaoneng.paths import REPO_ROOT
from xiaoneng.users import SignInRefused, UserStore

PAGE = REPO_ROOT / "pages" / "data.py"
ADMIN = User("a", "admin")
PASSWORD = "correct horse battery"
USER_KEYS = ("users_admin_table", "users_admin_add_name", "users_admin_add_role", "users_admin_add_counties",
             "users_admin_add", "users_admin_user", "users_admin_role", "users_admin_counties",
             "users_admin_set_scope", "users_admin_reset", "users_admin_disable_confirm", "users_admin_disable",
             "users_admin_enable")
ONCE = ("请立即把下面的一次性密码交给该用户：它不会再次显示，离开或刷新本页后无法找回（只能再生成一个）。"
        "用户首次登录时须改为自己的密码。")


@pytest.fixture
def users(data_folder, tmp_path, monkeypatch) -> UserStore:
    """The admin ``a`` and the leader ``wang`` (both PASSWORD) in a users file of this test; the
    audit log of this test too."""
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    monkeypatch.setenv("XIAONENG_USERS", str(tmp_path / "security" / "users.yaml"))
    monkeypatch.setattr(audit, "audit_file", lambda: tmp_path / "audit.jsonl")
    store = UserStore()
    store.add("a", "admin", password=PASSWORD, by="cli:root")
    store.add("wang", "leader", password=PASSWORD, by="cli:root")
    return store


def page_as(user: User) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    auth.start_session(at.session_state, user)
    return at.run()


def section(at: AppTest, label: str = "用户管理"):
    """The users tab (the page's other tabs have notices of their own)."""
    return next(tab for tab in at.tabs if tab.label == label)


def users_frame(at: AppTest) -> list[list]:
    frame = next(d.value for d in at.dataframe if list(d.value.columns)[:2] == ["name", "role"])
    return frame.astype(object).where(frame.notna(), None).values.tolist()


def changes() -> list[tuple[str, str | None, dict]]:
    return [(e["action"], e["user"], e["details"]) for e in audit.entries() if e["action"].startswith("user_")]


def test_an_admin_adds_a_county_user_with_a_one_time_password(users):
    at = page_as(ADMIN)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["数据快照", "导入数据", "工作日历", "审计日志", "用户管理", "指标口径",
                                          "数据质量"]
    assert users_frame(at) == [["a", "管理员", "全部区县", False, None, False],
                               ["wang", "领导", "全部区县", False, None, False]]
    assert at.selectbox(key="users_admin_add_role").value == "county"
    assert at.multiselect(key="users_admin_add_counties").options == ["甲区（C01）", "乙县（C02）"]
    at.text_input(key="users_admin_add_name").input("county-new")
    at.multiselect(key="users_admin_add_counties").select("C02")
    at.button(key="users_admin_add").click().run()
    assert not at.exception and not section(at).error
    assert [s.value for s in section(at).success] == ["已添加用户 county-new（县区用户）。"]
    assert [w.value for w in section(at).warning] == [ONCE]
    password = section(at).code[0].value
    assert len(password) == 16
    entry = yaml.safe_load(users.path.read_text(encoding="utf-8"))["users"]["county-new"]
    assert (entry["role"], entry["counties"], entry["must_change"]) == ("county", ["C02"], True)
    assert password not in users.path.read_text(encoding="utf-8")
    assert users.user("county-new") == User("county-new", "county", ("C02",))
    assert users.must_change("county-new")
    assert users.verify("county-new", password) == User("county-new", "county", ("C02",))
    assert changes()[-1] == ("user_add", "a", {"target": "county-new", "role": "county", "counties": ["C02"]})
    assert users_frame(at)[1] == ["county-new", "县区用户", "乙县（C02）", False, None, True]
    assert at.text_input(key="users_admin_add_name").value == ""  # ready for the next one
    at.run()  # shown once: the next run no longer has it
    assert not section(at).code and not section(at).success
    assert password not in repr(at.session_state)  # nowhere kept beyond the run that showed it


def test_reset_password_change_scope_and_disable(users):
    at = page_as(ADMIN)
    at.selectbox(key="users_admin_user").select("wang").run()
    assert at.selectbox(key="users_admin_role").value == "leader"
    assert "users_admin_counties" not in widget_keys(at)

    at.button(key="users_admin_reset").click().run()
    assert [s.value for s in section(at).success] == ["已为 wang 生成新的一次性密码，其登录会话均已结束。"]
    password = section(at).code[0].value
    assert users.verify("wang", password) == User("wang", "leader") and users.must_change("wang")
    with pytest.raises(SignInRefused):
        users.verify("wang", PASSWORD)

    at.selectbox(key="users_admin_role").select("county").run()
    assert at.multiselect(key="users_admin_counties").value == []
    at.button(key="users_admin_set_scope").click().run()
    assert [e.value for e in section(at).error] == ["县区用户至少需要选择一个区县。"]
    assert users.user("wang") == User("wang", "leader")
    at.multiselect(key="users_admin_counties").select("C02").run()
    at.button(key="users_admin_set_scope").click().run()
    assert [s.value for s in section(at).success] == ["已将 wang 设为县区用户，其登录会话均已结束，下次登录按新权限。"]
    assert users.user("wang") == User("wang", "county", ("C02",))
    assert users_frame(at)[1] == ["wang", "县区用户", "乙县（C02）", False, None, True]

    assert at.button(key="users_admin_disable").disabled  # until confirmed
    at.checkbox(key="users_admin_disable_confirm").check().run()
    at.button(key="users_admin_disable").click().run()
    assert [s.value for s in section(at).success] == ["已停用用户 wang，其登录会话均已结束。"]
    with pytest.raises(SignInRefused) as refused:
        users.verify("wang", password)
    assert refused.value.reason == "disabled"
    assert users_frame(at)[1][3] is True
    assert "users_admin_disable" not in widget_keys(at)
    assert [c.value for c in section(at).caption if "已停用" in c.value] == ["wang 已停用。"]
    assert changes()[-3:] == [
        ("user_change", "a", {"target": "wang", "change": "set_password"}),
        ("user_change", "a", {"target": "wang", "change": "set_scope", "role": "county", "counties": ["C02"]}),
        ("user_change", "a", {"target": "wang", "change": "disable"}),
    ]

    at.button(key="users_admin_enable").click().run()
    assert [s.value for s in section(at).success] == ["已恢复用户 wang，可以用原密码登录。"]
    assert users.verify("wang", password) == User("wang", "county", ("C02",))
    assert users_frame(at)[1][3] is False
    assert changes()[-1] == ("user_change", "a", {"target": "wang", "change": "enable"})


def test_the_admin_cannot_disable_or_demote_themselves(users):
    at = page_as(ADMIN)
    assert at.selectbox(key="users_admin_user").value == "a"
    keys = widget_keys(at)
    assert "users_admin_disable" not in keys and "users_admin_disable_confirm" not in keys
    assert "不能停用自己的账户：请由另一位管理员操作。" in [c.value for c in section(at).caption]
    assert at.selectbox(key="users_admin_role").disabled and at.button(key="users_admin_set_scope").disabled
    assert at.button(key="users_admin_reset").disabled
    assert users.user("a") == ADMIN


def test_an_admin_from_the_provider_cannot_disable_the_last_local_admin(users):
    at = page_as(User("li.oidc", "admin", source="oidc"))  # not in the users file
    at.checkbox(key="users_admin_disable_confirm").check().run()  # "a", the first user, is chosen
    at.button(key="users_admin_disable").click().run()
    assert not at.exception
    assert [e.value for e in section(at).error] == [
        "a 是最后一位启用的管理员：不能停用或改为其他角色，否则将无人能管理用户和发布数据。请先添加另一位管理员。"]
    at.selectbox(key="users_admin_role").select("leader").run()
    at.button(key="users_admin_set_scope").click().run()
    assert [e.value for e in section(at).error] == [
        "a 是最后一位启用的管理员：不能停用或改为其他角色，否则将无人能管理用户和发布数据。请先添加另一位管理员。"]
    assert users.user("a") == ADMIN
    assert not changes()[2:]  # only the fixture's two additions


def test_refusals_are_messages_with_the_typed_text_escaped(users):
    at = page_as(ADMIN)
    at.text_input(key="users_admin_add_name").input("wang").run()
    at.selectbox(key="users_admin_add_role").select("analyst").run()
    at.button(key="users_admin_add").click().run()
    assert not at.exception
    assert [e.value for e in section(at).error] == [f"用户 wang 已存在（{escape_markdown(users.path)}）。"]
    at.text_input(key="users_admin_add_name").input("[x](http://evil.example)").run()
    at.button(key="users_admin_add").click().run()
    assert [e.value for e in section(at).error] == [
        r"用户名 \[x\]\(http\://evil\.example\) 不可用：只能用字母、数字和 . _ @ -，以字母或数字开头，最多 64 个字符。"]
    assert at.text_input(key="users_admin_add_name").value == "[x](http://evil.example)"  # kept to correct
    at.selectbox(key="users_admin_add_role").select("county").run()
    at.text_input(key="users_admin_add_name").input("li").run()
    at.button(key="users_admin_add").click().run()
    assert [e.value for e in section(at).error] == ["县区用户至少需要选择一个区县。"]
    at.text_input(key="users_admin_add_name").input("").run()
    at.button(key="users_admin_add").click().run()
    assert [e.value for e in section(at).error] == ["请填写用户名。"]
    assert [r.name for r in users.list()] == ["a", "wang"]
    assert not section(at).code


def test_the_section_speaks_english(users):
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    auth.start_session(at.session_state, ADMIN)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert "Users" in [t.label for t in at.tabs]
    assert at.button(key="users_admin_add").label == "Add user"
    assert users_frame(at)[0] == ["a", "Administrator", "Every county", False, None, False]


@pytest.mark.parametrize("user", [User("an", "analyst"), User("le", "leader"), User("c2", "county", ("C02",))],
                         ids=lambda u: u.role)
def test_no_other_role_gets_a_users_widget(users, user):
    at = page_as(user)
    assert not at.exception
    assert "用户管理" not in [t.label for t in at.tabs]
    keys = widget_keys(at)
    assert keys.isdisjoint(USER_KEYS) and not any(k.startswith("users_admin") for k in keys)
    assert not at.code and "wang" not in str([d.value for d in at.dataframe])

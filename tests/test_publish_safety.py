"""Safe publishing on 数据管理 (issue 9, point 3): in AppTest of pages/data.py, an admin's publish shows
the data date, the rows against the default snapshot and a warning with its own confirmation box for an
earlier data date, a far smaller snapshot and the same source files; the publish button does nothing
until every box is ticked; publishing never moves the default, "make this the default" is its own action;
withdraw/restore from the page; non-admins get none of the admin widgets."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

from tests.handcount import publish_handcount
from xiaoneng import audit, auth, datapage
from xiaoneng.paths import MAPPINGS_DIR, REPO_ROOT
from xiaoneng.snapshots import SnapshotStore, sha256_of

PAGE = REPO_ROOT / "pages" / "data.py"
EXAMPLE_CASES = MAPPINGS_DIR / "examples" / "办件_示例.csv"
ADMIN = auth.User("a", "admin")
# Keys of the admin parts' widgets: none of them may exist for another role.
ADMIN_KEYS = ("data_upload_files", "data_upload_mapping", "data_upload_as_of", "data_upload_snapshot_id",
              "data_upload_threshold", "data_upload_accept", "data_upload_accept_untimed", "data_upload_base",
              "data_upload_validate", "data_upload_publish", "data_publish_confirm", "data_make_default",
              "data_admin_snapshot", "data_admin_set_default", "data_admin_withdraw_reason", "data_admin_withdraw",
              "data_admin_restore", "data_calendar_how", "data_calendar_file", "data_calendar_table",
              "data_calendar_add", "data_audit_actions", "data_audit_users")


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """handcount (the default: 15 cases as of 2026-10-30 17:00) and the example ingest of January
    (published by the CLI user, not the default), with the repository's reference tables."""
    monkeypatch.delenv("XIAONENG_DATA", raising=False)
    publish_handcount(tmp_path / "snapshots")
    shutil.copytree(REPO_ROOT / "data" / "reference", tmp_path / "reference")
    request = datapage.UploadRequest(mapping=str(MAPPINGS_DIR / "chinese_export.yaml"), files=(EXAMPLE_CASES,),
                                     snapshot_id="example", as_of=dt.date(2026, 1, 31))
    assert datapage.publish_upload(request, SnapshotStore(tmp_path / "snapshots"), tmp_path / "reference",
                                   published_by="cli:root").published is not None
    monkeypatch.setenv("XIAONENG_DATA", str(tmp_path))
    return tmp_path


def page_as(user: auth.User) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    auth.start_session(at.session_state, user)
    return at


def widget_keys(at: AppTest) -> set[str]:
    """The user keys of every widget the run created (in every tab, main area and sidebar)."""
    keys = set()

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            walk(child)
        if isinstance(getattr(node, "key", None), str):
            keys.add(node.key)

    walk(at._tree)
    return keys


def upload(at: AppTest, name: str, content: bytes, as_of: dt.date, snapshot_id: str) -> AppTest:
    at.run()
    at.file_uploader(key="data_upload_files").set_value([(name, content, "text/csv")])
    at.date_input(key="data_upload_as_of").set_value(as_of)
    at.text_input(key="data_upload_snapshot_id").set_value(snapshot_id)
    at.run()
    at.button(key="data_upload_validate").click().run()
    assert not at.exception
    return at


def test_an_earlier_snapshot_of_the_same_files_needs_both_confirmations(folder):
    store = SnapshotStore(folder / "snapshots")
    at = upload(page_as(ADMIN), EXAMPLE_CASES.name, EXAMPLE_CASES.read_bytes(), dt.date(2026, 1, 31), "again")
    assert [w.value for w in at.warning] == [
        "新快照的数据截至 2026-01-31 23:59，早于当前默认快照 handcount 的数据截至 2026-10-30 17:00。",
        "上传的文件与已发布快照的来源文件完全相同（SHA-256 一致）：办件_示例.csv（快照 example）。"]
    assert at.markdown[0].value == "新快照 **again** 的数据截至 **2026-01-31 23:59:59**。"
    comparison = next(d.value for d in at.dataframe if "difference" in d.value.columns)
    assert comparison.set_index("table").loc["办件"].tolist() == [20, 15, 5]
    assert "发布不会改变默认快照：所有用户仍看到 handcount，直到管理员另行指定。" in [c.value for c in at.caption]
    publish = at.button(key="data_upload_publish")
    assert publish.disabled
    at.checkbox(key="data_publish_confirm").check().run()
    at.checkbox(key="data_publish_confirm_earlier").check().run()
    assert at.button(key="data_upload_publish").disabled  # the same sources are not confirmed yet
    with pytest.raises(AppTestError, match="disabled"):  # as in a browser, the button cannot be clicked
        at.button(key="data_upload_publish").click()
    assert not store.exists("again")
    at.checkbox(key="data_publish_confirm_same_sources").check().run()
    assert not at.button(key="data_upload_publish").disabled
    at.button(key="data_upload_publish").click().run()
    assert not at.exception
    info = store.get("again")
    assert info.row_counts["cases"] == 20 and store.default_id() == "handcount"  # publishing never moves it
    assert ("已发布 again，但默认快照仍是 handcount：其他用户暂时看不到新快照的数字。核对无误后，可将它设为默认。"
            in [i.value for i in at.info])
    at.button(key="data_make_default").click().run()
    assert not at.exception
    assert store.default_id() == "again"
    assert at.success[0].value == "已将 again 设为默认快照。"
    log = list(audit.entries(folder / "audit" / "audit.jsonl"))
    assert [(e["action"], e["user"], e["details"]["snapshot"]) for e in log] == [
        ("publish", "cli:root", "example"), ("publish", "a", "again"), ("set_default", "a", "again")]
    assert log[1]["details"]["sources"] == [{"file": "办件_示例.csv", "sha256": sha256_of(EXAMPLE_CASES)}]
    assert (log[1]["details"]["default"], log[2]["details"]["previous"]) == (False, "handcount")


def test_a_far_smaller_snapshot_needs_its_confirmation(folder):
    first_five = b"\r\n".join(EXAMPLE_CASES.read_bytes().splitlines()[:6]) + b"\r\n"  # header + 5 cases
    at = upload(page_as(ADMIN), "办件_5.csv", first_five, dt.date(2026, 10, 31), "small")
    assert [w.value for w in at.warning] == ["新快照只有 5 件办件，不到当前默认快照 handcount（15 件）的 50%。"]
    assert [c.label for c in at.checkbox][-2:] == ["我确认这个快照比当前默认快照小得多，仍要发布",
                                                   "我已核对数据截至时间和各表行数，确认发布"]
    at.checkbox(key="data_publish_confirm").check().run()
    assert at.button(key="data_upload_publish").disabled
    at.checkbox(key="data_publish_confirm_smaller").check().run()
    at.button(key="data_upload_publish").click().run()
    store = SnapshotStore(folder / "snapshots")
    assert store.get("small").row_counts["cases"] == 5 and store.default_id() == "handcount"


def test_withdraw_and_restore_on_the_page(folder):
    store = SnapshotStore(folder / "snapshots")
    before = {p.name: sha256_of(p) for p in (folder / "snapshots" / "example").rglob("*") if p.is_file()}
    at = page_as(ADMIN)
    at.run()
    assert at.selectbox(key="data_admin_snapshot").options == ["handcount　默认", "example　"]
    at.selectbox(key="data_admin_snapshot").set_value("handcount").run()
    assert "data_admin_withdraw" not in widget_keys(at)  # the default: choose another one first
    assert "handcount 是默认快照，不能直接撤回：请先把另一个快照设为默认。" in [c.value for c in at.caption]
    at.selectbox(key="data_admin_snapshot").set_value("example").run()
    assert at.button(key="data_admin_withdraw").disabled  # no reason yet
    at.text_input(key="data_admin_withdraw_reason").set_value("一月的导出不全").run()
    at.button(key="data_admin_withdraw").click().run()
    assert not at.exception
    assert at.success[0].value == "已撤回快照 example；文件保留，可随时恢复。"
    assert [s.snapshot_id for s in store.list()] == ["handcount"]
    statuses = next(d.value for d in at.dataframe if "status" in d.value.columns).set_index("snapshot_id")["status"]
    assert statuses["example"].startswith("已撤回：一月的导出不全（a，") and statuses["handcount"] == "默认"
    assert {p.name: sha256_of(p) for p in (folder / "snapshots" / "example").rglob("*") if p.is_file()} == before
    at.button(key="data_admin_restore").click().run()
    assert at.success[0].value == "已恢复快照 example。"
    assert [s.snapshot_id for s in store.list()] == ["example", "handcount"]
    assert [(e["action"], e["user"]) for e in audit.entries(folder / "audit" / "audit.jsonl")][-2:] == [
        ("withdraw", "a"), ("restore", "a")]
    assert "审计日志的哈希链校验通过：没有记录被修改、删除或插入。" in [m.value for m in at.success]
    log = next(d.value for d in at.dataframe if "details" in d.value.columns)
    assert log["action"].tolist() == ["恢复快照", "撤回快照", "发布快照"]  # newest first
    at.multiselect(key="data_audit_actions").set_value(["publish"]).run()
    log = next(d.value for d in at.dataframe if "details" in d.value.columns)
    assert log[["action", "user"]].values.tolist() == [["发布快照", "cli:root"]]


def test_a_damaged_manifest_is_named_to_admins_and_hides_only_that_snapshot(folder):
    (folder / "snapshots" / "example" / "manifest.json").write_text("{", encoding="utf-8")
    at = page_as(ADMIN)
    at.run()
    assert not at.exception
    assert at.warning[0].value.startswith(
        "快照 example 的清单文件 manifest.json 已损坏，已隐藏该快照（其他快照不受影响）：")
    snapshots = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert snapshots["snapshot_id"].tolist() == ["handcount"]
    analyst = page_as(auth.User("an", "analyst"))
    analyst.run()
    assert not analyst.exception and not any("manifest.json" in w.value for w in analyst.warning)


@pytest.mark.parametrize("user", [auth.User("an", "analyst"), auth.User("le", "leader"),
                                  auth.User("c2", "county", ("C02",))], ids=lambda u: u.role)
def test_non_admins_get_no_admin_widget(folder, user):
    store = SnapshotStore(folder / "snapshots")
    store.withdraw("example", "不全", by="a")
    at = page_as(user)
    at.query_params["snapshot"] = "example"  # a link to the withdrawn snapshot
    at.run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["数据快照", "指标口径", "数据质量"]
    keys = widget_keys(at)
    assert keys.isdisjoint(ADMIN_KEYS), keys & set(ADMIN_KEYS)
    assert not any(k.startswith(("data_admin", "data_upload", "data_publish", "data_calendar", "data_audit", "users"))
                   for k in keys)
    assert not at.get("file_uploader")
    snapshots = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert snapshots[["snapshot_id", "status"]].values.tolist() == [["handcount", "默认"]]
    assert at.selectbox(key="filter_snapshot").options == ["handcount（截至 2026-10-30）"]
    assert at.warning[0].value == "链接中的快照 example 不存在，已显示默认快照 handcount。"
    assert store.get("example").withdrawn  # nothing a non-admin did changed the store


def test_admins_see_withdrawn_snapshots_marked_in_the_sidebar(folder):
    SnapshotStore(folder / "snapshots").withdraw("example", "不全", by="a")
    at = page_as(ADMIN)
    at.run()
    assert at.selectbox(key="filter_snapshot").options == ["handcount（截至 2026-10-30）",
                                                            "example（截至 2026-01-31）（已撤回）"]
    assert at.selectbox(key="filter_snapshot").value == "handcount"

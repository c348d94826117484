"""The admin's command line: ``snapshots`` (list, set-default, withdraw, restore), ``audit`` (filters,
--verify) and the ingest's publish, each line as printed, each action in the audit log with who did it."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.compute as pc
import pytest

from tests.handcount import AS_OF, fact_tables, reference_tables
from xiaoneng import audit
from xiaoneng.cli import main
from xiaoneng.paths import MAPPINGS_DIR, REPO_ROOT
from xiaoneng.reference import load_calendar_days
from xiaoneng.snapshots import SnapshotStore


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A data folder with two snapshots: 'first' (the default, as of 2026-09-30 17:00, the 7 cases
    accepted by then) and 'second' (as of 2026-10-30 17:00, all 15); the operating-system user is 'ops'."""
    monkeypatch.setenv("XIAONENG_DATA", str(tmp_path))
    monkeypatch.setattr("getpass.getuser", lambda: "ops")
    store = SnapshotStore(tmp_path / "snapshots")
    for snapshot_id, as_of in (("first", AS_OF - dt.timedelta(days=30)), ("second", AS_OF)):
        store.publish(snapshot_id, as_of=as_of, reference=reference_tables(),
                      calendar_days=load_calendar_days(REPO_ROOT / "data" / "reference"),
                      facts={"cases": fact_tables()["cases"].filter(pc.field("accepted_at") <= as_of)},
                      producer="test")
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def created(data, snapshot_id: str) -> str:
    return json.loads((data / "snapshots" / snapshot_id / "manifest.json").read_text(encoding="utf-8"))["created_at"]


def test_the_list_marks_the_default_withdrawn_and_damaged(data, capsys):
    code, out, _ = run(capsys, "snapshots")
    assert code == 0
    assert out == [
        f"first\tas_of=2026-09-30T17:00:00\tcases=7\tratings=0\tproducer=test\tcreated={created(data, 'first')}\t默认",
        f"second\tas_of=2026-10-30T17:00:00\tcases=15\tratings=0\tproducer=test\tcreated={created(data, 'second')}"]
    assert run(capsys, "snapshots", "set-default", "second")[1] == ["已将 second 设为默认快照（原默认：first）。"]
    code, out, _ = run(capsys, "snapshots", "withdraw", "first", "--reason", "九月的导出不全")
    assert (code, out) == (0, [f"已撤回快照 first：九月的导出不全。文件保留在 {data / 'snapshots' / 'first'}，可用 "
                               "python -m xiaoneng snapshots restore first 恢复。"])
    (data / "snapshots" / "broken").mkdir()
    (data / "snapshots" / "broken" / "manifest.json").write_text("{", encoding="utf-8")
    code, out, _ = run(capsys, "snapshots", "--lang", "en")
    at = SnapshotStore(data / "snapshots").get("first").withdrawal.at
    assert out == [
        f"first\tas_of=2026-09-30T17:00:00\tcases=7\tratings=0\tproducer=test\tcreated={created(data, 'first')}\t"
        f"withdrawn: 九月的导出不全 (cli:ops, {at})",
        f"second\tas_of=2026-10-30T17:00:00\tcases=15\tratings=0\tproducer=test\tcreated={created(data, 'second')}\t"
        "default",
        f"broken\tmanifest damaged, hidden: {data / 'snapshots' / 'broken' / 'manifest.json'}: Expecting property "
        "name enclosed in double quotes: line 1 column 2 (char 1)"]
    assert run(capsys, "snapshots", "restore", "first", "--lang", "en")[1] == ["Snapshot first is restored."]


def test_refusals_are_said_and_change_nothing(data, capsys):
    code, out, err = run(capsys, "snapshots", "withdraw", "first", "--reason", "x")
    assert (code, out) == (1, [])
    assert err == ["未执行：快照 first 是默认快照，不能直接撤回：请先把另一个快照设为默认（可选：second）。"]
    assert run(capsys, "snapshots", "restore", "second")[2] == ["未执行：快照 second 没有撤回。"]
    assert run(capsys, "snapshots", "set-default", "nope", "--lang", "en")[2] == [
        "Not done: There is no snapshot nope (published: first, second)."]
    assert SnapshotStore(data / "snapshots").default_id() == "first"
    assert list(audit.entries()) == []


def test_stale_staging_folders_are_reported_when_removed(data, capsys):
    import os

    stale = data / "snapshots" / ".staging-killed-0123abcd"
    stale.mkdir()
    os.utime(stale, (0, 0))
    out = run(capsys, "snapshots")[1]
    assert out[0] == "已清理中断的发布留下的临时文件夹 .staging-killed-0123abcd" and not stale.exists()


def test_as_user_names_an_admin_of_the_users_file(data, capsys):
    from xiaoneng.users import UserStore

    users = UserStore()
    users.add("wang", "admin", password="a-long-password-1")
    users.add("li", "analyst", password="a-long-password-2")
    assert run(capsys, "snapshots", "set-default", "second", "--as-user", "wang")[0] == 0
    code, _, err = run(capsys, "snapshots", "set-default", "first", "--as-user", "li")
    assert (code, err) == (2, ["--as-user li 不能管理快照（analyst）：须为用户文件中的管理员。"])
    assert [(e["action"], e["user"]) for e in audit.entries() if e["action"] == "set_default"] == [
        ("set_default", "wang")]


def test_the_audit_command(data, capsys):
    run(capsys, "snapshots", "set-default", "second")
    run(capsys, "snapshots", "withdraw", "first", "--reason", "重复")
    code, out, _ = run(capsys, "ingest", "--mapping", "chinese_export", "--snapshot", "example",
                       "--as-of", "2026-01-31", "--reference", str(REPO_ROOT / "data" / "reference"),
                       str(MAPPINGS_DIR / "examples" / "办件_示例.csv"))
    assert code == 0
    log = list(audit.entries())
    assert [(e["action"], e["user"]) for e in log] == [("set_default", "cli:ops"), ("withdraw", "cli:ops"),
                                                       ("publish", "cli:ops")]
    assert log[2]["details"]["snapshot"] == "example" and log[2]["details"]["default"] is False
    code, out, _ = run(capsys, "audit")
    assert code == 0
    assert out[:2] == [f"{log[0]['at']}\tset_default\tcli:ops\t全部区县\tprevious=\"first\" snapshot=\"second\"",
                       f"{log[1]['at']}\twithdraw\tcli:ops\t全部区县\treason=\"重复\" snapshot=\"first\""]
    assert out[2].startswith(f"{log[2]['at']}\tpublish\tcli:ops\t全部区县\tas_of=\"2026-01-31T23:59:59\" base=null "
                             "default=false rows=")
    assert run(capsys, "audit", "--action", "withdraw")[1] == [out[1]]
    assert run(capsys, "audit", "--user", "someone")[1] == ["审计日志中没有符合条件的记录。"]
    assert run(capsys, "audit", "--since", "2999-01-01", "--lang", "en")[1] == ["No entry of the audit log matches."]
    assert run(capsys, "audit", "--verify") == (0, ["审计日志完整：3 条记录，哈希链校验通过。"], [])
    path = data / "audit" / "audit.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("重复", "没有撤回")  # an entry edited by hand
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(capsys, "audit", "--verify", "--lang", "en") == (
        1, ["The audit log's hash chain breaks at line(s) 3: these entries do not follow the one before (changed, "
            "removed or inserted)."], [])

"""The 整改台账 page in AppTest on tests/ledgerworld.py: October's 通报 issued, judged at November; a county
user sees their county's entries only; the 通报稿 page issues as final."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import ledgerworld as world
from tests.apptest import metric_values
from xiaoneng import auth, bulletin, ledger
from xiaoneng.filters import Filters, Period
from xiaoneng.metrics import SnapshotView
from xiaoneng.snapshots import SnapshotStore

PAGES = Path(__file__).resolve().parent.parent / "pages"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ledger_page")
    october = world.publish(root / "snapshots", "oct", world.OCTOBER_AS_OF)
    world.publish(root / "snapshots", "nov", world.NOVEMBER_AS_OF)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XIAONENG_DATA", str(root))
        SnapshotStore(root / "snapshots").set_default("nov", by="test")  # the page shows November
        bulletin.issue(SnapshotView(october), Filters(Period.parse("2026-10")))
    return root


def run(folder: Path, monkeypatch, user: auth.User, page: str = "ledger.py", period: str = "2026-11") -> AppTest:
    monkeypatch.setenv("XIAONENG_DATA", str(folder))
    at = AppTest.from_file(str(PAGES / page), default_timeout=60)
    at.query_params["period"] = period
    auth.start_session(at.session_state, user)
    return at.run()


def table_units(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["单位"])


def test_the_ledger_judged_at_november(folder, monkeypatch):
    at = run(folder, monkeypatch, auth.User("a", "admin"))
    assert not at.exception
    assert at.title[0].value == "整改台账"
    assert table_units(at) == ["丙县", "人社局"]
    assert list(at.dataframe[0].value["状态"]) == ["已整改", "逾期未整改"]
    assert metric_values(at)["已整改"] == "1" and metric_values(at)["逾期未整改"] == "1"
    at.multiselect(key="ledger_state").set_value(["overdue"]).run()
    assert table_units(at) == ["人社局"]


def test_county_scope(folder, monkeypatch):
    at = run(folder, monkeypatch, auth.User("c", "county", ("C03",)))
    assert not at.exception
    assert table_units(at) == ["丙县"]  # the city-wide 人社局 entry is not C03's
    at = run(folder, monkeypatch, auth.User("c", "county", ("C02",)))
    assert not at.exception and not at.dataframe
    assert [i.value for i in at.info] == ["无数据：没有与您的区县有关的整改记录。"]


def test_issue_on_the_bulletin_page(folder, monkeypatch):
    before = len(ledger.read(folder / "ledger" / "ledger.jsonl"))
    at = run(folder, monkeypatch, auth.User("a", "analyst"), page="bulletin.py")
    assert at.button(key="bulletin_issue").disabled
    at.checkbox(key="bulletin_issue_confirm").check().run()
    at.button(key="bulletin_issue").click().run()
    assert not at.exception
    after = ledger.read(folder / "ledger" / "ledger.jsonl")
    assert len(after) - before == 3 and {e.issued_by for e in after[before:]} == {"a"}
    assert [s.value for s in at.success] == ["已印发：3 条整改记录已记入整改台账。"]
    leader = run(folder, monkeypatch, auth.User("l", "leader"), page="bulletin.py")
    assert not leader.exception and not [b for b in leader.button if b.key == "bulletin_issue"]

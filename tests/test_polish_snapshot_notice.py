"""The notice that newer data exist than the snapshot a page shows (session.newer_snapshot and the
line under the context line), in AppTest on a data folder with the hand-counted snapshot twice: as
published ("handcount", 2026-10-30 17:00) and one day later ("handcount-later", the default)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.handcount import AS_OF, publish_handcount
from xiaoneng import session
from xiaoneng.snapshots import SnapshotStore

PAGE = Path(__file__).resolve().parent.parent / "pages" / "definitions.py"
NOTICE = "有更新的数据：快照 handcount-later（数据截至 2026-10-31 17:00）；本页显示的是截至 2026-10-30 17:00 的数据。"


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    """The module's data folder (replacing conftest's, so ``page`` runs on it): both snapshots."""
    folder = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("XIAONENG_DATA", raising=False)
        publish_handcount(folder / "snapshots")
        later = publish_handcount(folder / "snapshots", "handcount-later")
    manifest = later.path / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        AS_OF.isoformat(), (AS_OF + dt.timedelta(days=1)).isoformat()), encoding="utf-8")
    SnapshotStore(folder / "snapshots").set_default("handcount-later", by="test-admin")
    return folder


def test_the_default_is_offered_when_its_data_are_newer(data_folder):
    store = SnapshotStore(data_folder / "snapshots")
    old, later = (store.get(i) for i in ("handcount", "handcount-later"))
    assert later.as_of == dt.datetime(2026, 10, 31, 17, 0) and store.default() == later
    assert session.newer_snapshot(later, old) == later
    assert session.newer_snapshot(later, later) is None
    assert session.newer_snapshot(old, later) is None  # the admin's default is older: nothing offered


def test_an_older_snapshot_says_newer_data_exist_and_switches(page):
    page.query_params["snapshot"] = "handcount"
    page.run()
    assert not page.exception
    assert [i.value for i in page.info] == [NOTICE]
    page.button(key="newer_snapshot_switch").click().run()
    assert page.session_state[session.KEY_SNAPSHOT] == "handcount-later"
    assert [i.value for i in page.info] == []
    assert page.query_params["snapshot"] == "handcount-later"

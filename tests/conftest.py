from __future__ import annotations

import collections
import os
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import signed_in
from tests.handcount import publish_handcount
from xiaoneng import metrics
from xiaoneng.metrics import SnapshotView
from xiaoneng.paths import REPO_ROOT
from xiaoneng.queries import QueryLayer

# The app shows users a generic error (.streamlit/config.toml); tests want the details.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")


@pytest.fixture(scope="session", autouse=True)
def fresh_data_folder(tmp_path_factory):
    """The app's data folder for every test is one as a fresh checkout has it — the reference tables
    only — never the runtime state a local `make run` leaves in data/ (the demo's 整改台账 history, the
    audit log, users, snapshots). Fixtures and tests that need their own set XIAONENG_DATA over it."""
    folder = tmp_path_factory.mktemp("fresh-data")
    shutil.copytree(REPO_ROOT / "data" / "reference", folder / "reference")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XIAONENG_DATA", str(folder))
        yield folder


@pytest.fixture(scope="session")
def handcount_store(tmp_path_factory):
    """A data folder's snapshots/ holding the hand-counted fixture (tests/handcount.py) as 'handcount'.

    Point XIAONENG_DATA at ``handcount_store.parent`` to make it the app's and the CLI's store.
    """
    root = tmp_path_factory.mktemp("data") / "snapshots"
    publish_handcount(root)
    return root


@pytest.fixture(scope="session")
def handcount_view(handcount_store) -> SnapshotView:
    from xiaoneng.snapshots import SnapshotStore

    return SnapshotView(SnapshotStore(handcount_store).get("handcount"))


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    """A data folder holding only snapshots/handcount (no reference/: the snapshot carries its own),
    for AppTest and the browser tests; set XIAONENG_DATA to it. One per test module, so a test that
    publishes into it cannot disturb another module."""
    folder = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("XIAONENG_DATA", raising=False)  # the calendar for publishing: the repository's
        publish_handcount(folder / "snapshots")
    return folder


@pytest.fixture
def page(request, data_folder, monkeypatch) -> AppTest:
    """AppTest of the page file named by the test module's ``PAGE``, run alone on ``data_folder``,
    signed in as an admin (``apptest.TEST_ADMIN``; ``apptest.signed_in(page, user)`` to be someone else)."""
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    return signed_in(AppTest.from_file(str(request.module.PAGE), default_timeout=30))


@pytest.fixture
def query_calls(monkeypatch) -> collections.Counter:
    """How many times each query file runs (QueryLayer.run by name) while the test runs."""
    calls: collections.Counter = collections.Counter()
    real = QueryLayer.run
    metrics.forget_kept()  # an answer kept from an earlier test would not run its query here

    def counted(layer, name, filters=None, **params):
        calls[name] += 1
        return real(layer, name, filters, **params)

    monkeypatch.setattr(QueryLayer, "run", counted)
    return calls

"""xiaoneng.integrity asks each query once per (snapshot, scope, filters, parameters): the page's
has_cases, the summary's six checks and the chosen check's units and cases share the answers, and
a county user's answers are never another scope's (fixture: tests/test_integrity.py)."""

from __future__ import annotations

import pytest

from tests.test_integrity import publish_integrity_fixture
from xiaoneng import integrity
from xiaoneng.filters import Filters, Period, Scope
from xiaoneng.metrics import SnapshotView
from xiaoneng.snapshots import SnapshotStore

OCTOBER = Filters(Period.parse("2026-10"))


@pytest.fixture
def store(tmp_path) -> SnapshotStore:
    publish_integrity_fixture(tmp_path / "snapshots")
    return SnapshotStore(tmp_path / "snapshots")


def test_a_view_asks_each_query_once(store, query_calls):
    view = SnapshotView(store.get("integrity"))
    assert integrity.has_cases(view, OCTOBER)
    summary = integrity.summary(view, OCTOBER)
    units = integrity.check_units(view, OCTOBER, check="intake_wait")
    cases = integrity.check_cases(view, OCTOBER, check="intake_wait", county_code="C01", dept_code="D01")
    assert dict(zip(summary["check"], summary["tripped"], strict=True))["intake_wait"] == 2
    assert list(units["tripped"]) == [1, 1] and list(cases["case_id"]) == ["W2"]
    assert query_calls["integrity_bases"] == 1  # has_cases and the four case checks: one answer
    assert query_calls["integrity_intake_wait"] == 1
    asked = {name: n for name, n in query_calls.items() if name.startswith("integrity_")}
    assert len(asked) == 9 and set(asked.values()) == {1}, asked  # bases, the 6 checks, 2 of applicant codes
    integrity.summary(view, OCTOBER)
    assert {name: query_calls[name] for name in asked} == asked  # the second view of the page asks nothing


def test_the_kept_answers_carry_the_scope_and_the_filters(store, query_calls):
    everything = SnapshotView(store.get("integrity"))
    c01 = SnapshotView(store.get("integrity"), Scope(("C01",)))
    tripped = lambda view, filters: dict(zip(*integrity.summary(view, filters)[["check", "tripped"]].T.values,  # noqa: E731
                                             strict=True))
    assert tripped(everything, OCTOBER)["intake_wait"] == 2
    assert tripped(c01, OCTOBER)["intake_wait"] == 1  # 甲区's W2 only
    assert set(integrity.check_units(c01, OCTOBER, check="intake_wait")["county_code"]) == {"C01"}
    assert tripped(everything, Filters(Period.parse("2026-10"), counties=("C02",)))["intake_wait"] == 1
    assert query_calls["integrity_bases"] == 3  # three (scope, filters): three answers
    assert not integrity.has_cases(everything, Filters(Period.parse("2026-11")))  # after the snapshot

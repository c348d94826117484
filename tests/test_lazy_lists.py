"""A list of rows runs only when the user asks for it (widgets.asked_for): the pages render without
running queries/case_list.sql (nor the 倒查 cases), the button 显示办件清单 shows exactly the
hand-counted cases (tests/handcount.py), and 收起清单 folds the list away so that it runs nothing again."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import signed_in
from tests.test_integrity import publish_integrity_fixture

ROOT = Path(__file__).resolve().parent.parent
CASE_ID = "办件编号"


@pytest.fixture
def open_page(data_folder, monkeypatch):
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))

    def run(name: str, **params: str) -> AppTest:
        at = signed_in(AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60))
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception
        return at

    return run


def listed(at: AppTest) -> list[str]:
    frames = [d.value for d in at.dataframe if CASE_ID in d.value.columns]
    assert len(frames) == 1
    return list(frames[0][CASE_ID])


def test_the_overview_runs_no_case_list_until_asked(open_page, query_calls):
    at = open_page("overview", period="2026-10")
    assert query_calls["case_list"] == 0
    assert query_calls["indicator_measures"] + query_calls["rollup_indicator_measures"] > 0  # its numbers ran
    assert [b.label for b in at.button if b.key == "overview_drill_show"] == ["显示办件清单"]
    assert not [d for d in at.dataframe if CASE_ID in d.value.columns]

    at.button(key="overview_drill_show").click().run()
    assert query_calls["case_list"] == 1
    assert listed(at) == ["K06"]  # 超期件: October's one red light (the default subset)
    at.selectbox(key="overview_drill_subset").set_value("open_yellow").run()
    assert sorted(listed(at)) == ["K07", "K08"]  # due on the snapshot's day (10-30) and the next working day
    assert any(c.value.startswith("共 2 件") for c in at.caption)


def test_a_folded_list_runs_nothing_again(open_page, query_calls):
    at = open_page("overview", period="2026-10")
    at.button(key="overview_drill_show").click().run()
    assert query_calls["case_list"] == 1
    at.button(key="overview_drill_hide").click().run()
    at.run()
    assert query_calls["case_list"] == 1
    assert [b.label for b in at.button if b.key == "overview_drill_show"] == ["显示办件清单"]


def test_an_asked_for_list_follows_the_filters(open_page, query_calls):
    at = open_page("overview", period="2026-10")
    at.selectbox(key="overview_drill_subset").set_value("accepted").run()
    at.button(key="overview_drill_show").click().run()
    october = sorted(listed(at))
    at.multiselect(key="filter_counties").set_value(["C02"]).run()
    c02 = sorted(listed(at))
    assert len(october) == 8 and len(c02) == 4  # accepted in October: 8 in the city, 4 in 乙县
    assert set(c02) < set(october)


def test_the_approval_drill_runs_only_when_asked(open_page, query_calls):
    at = open_page("approval_times", period="2026-10")
    assert query_calls["case_list"] == 0
    at.button(key="approval_late_cases_show").click().run()
    assert not at.exception
    assert sorted(listed(at)) == ["K06", "K13"]  # 按期办结率's misses: K06 open and overdue, K13 late


def test_the_integrity_cases_run_only_when_asked(tmp_path, monkeypatch, query_calls):
    publish_integrity_fixture(tmp_path / "snapshots")
    monkeypatch.setenv("XIAONENG_DATA", str(tmp_path))
    at = signed_in(AppTest.from_file(str(ROOT / "pages" / "integrity.py"), default_timeout=60))
    at.query_params["period"] = "2026-10"
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 1  # the units; the unit's cases wait for the button
    at.button(key="integrity_cases_show").click().run()
    assert listed(at) == ["W2"]  # 甲区's case waiting 5 working days before acceptance
    assert query_calls["integrity_intake_wait"] == 1  # the cases are the units' answer, kept


def test_the_unit_profile_default_drill_waits_and_a_click_lists_at_once(open_page, query_calls):
    at = open_page("unit_profile", period="2026-10")
    assert query_calls["case_list"] == 0
    at.button(key="profile_cases_show").click().run()
    assert listed(at) == ["K13"]  # 甲区, October, the on-time rate's misses

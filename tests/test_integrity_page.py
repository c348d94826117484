"""The 数据真实性核查 page in AppTest, on the hand-counted fixture of tests/test_integrity.py: it renders
each check's rule, units and cases, says the checks are signals and not verdicts, and follows the filters."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import metric_values, page_texts
from tests.test_integrity import publish_integrity_fixture
from xiaoneng import auth

PAGE = Path(__file__).resolve().parent.parent / "pages" / "integrity.py"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("integrity_page")
    publish_integrity_fixture(root / "snapshots")
    return root


@pytest.fixture
def at(folder, monkeypatch) -> AppTest:
    monkeypatch.setenv("XIAONENG_DATA", str(folder))
    test = AppTest.from_file(str(PAGE), default_timeout=60)
    test.query_params["period"] = "2026-10"
    auth.start_session(test.session_state, auth.User("t", "admin"))
    return test


def test_the_page_renders_the_checks_and_the_cases(at):
    at.run()
    assert not at.exception
    assert metric_values(at) == {"受理前等待过长（体外循环）": "2", "特别程序占比偏高": "3", "批量“秒办”": "3",
                                 "期限前集中办结": "2", "退件重报": "2", "不实差评比例偏高": "3"}
    texts = page_texts(at)
    assert any(text.startswith("以下为需要核实的信号，不是结论") for text in texts)
    assert any("规则：申请至受理间隔超过 3 个工作日" in text for text in texts)
    units = at.dataframe[0].value
    assert units["区县"].tolist() == ["甲区", "乙县"] and units["触发件数"].tolist() == [1, 1]
    assert len(at.dataframe) == 1  # the unit's cases run only when asked for
    at.button(key="integrity_cases_show").click().run()
    cases = at.dataframe[1].value
    assert cases["办件编号"].tolist() == ["W2"] and cases["等待（工作日）"].tolist() == [5]

    at.segmented_control(key="integrity_check").set_value("resubmission").run()
    assert not at.exception
    at.selectbox(key="integrity_unit").set_value("C02/D01").run()
    cases = at.dataframe[1].value
    assert cases["办件编号"].tolist() == ["F7"] and cases["重报办件编号"].tolist() == ["F8"]


def test_a_county_filter_changes_the_numbers(at):
    at.run()
    before = metric_values(at)
    at.multiselect(key="filter_counties").set_value(["C02"]).run()
    assert not at.exception
    after = metric_values(at)
    assert before["受理前等待过长（体外循环）"] == "2" and after["受理前等待过长（体外循环）"] == "1"
    assert after["批量“秒办”"] == "0"
    assert at.dataframe[0].value["区县"].tolist() == ["乙县"]

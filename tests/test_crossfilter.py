"""One cross-filter rule for every page (xiaoneng.crossfilter): the selection the URL carries, how it
narrows the filters, and — per page, by AppTest on the hand-counted fixture, October 2026 — that a
county or department in the URL narrows the cards to their hand-countable values and shows one
removable chip per selection."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import metric_values, signed_in
from tests.test_scope_paths import downloads as downloads  # the fixture recording every download button
from tests.test_scope_paths import file_bytes, table_of
from xiaoneng import crossfilter
from xiaoneng.crossfilter import Selection
from xiaoneng.filters import Filters, Period

OCTOBER = Filters(Period.parse("2026-10"))
COUNTIES = {"C01": "甲区", "C02": "乙县"}
DEPARTMENTS = {"D01": "市场监管局", "D02": "人社局"}
PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


# ---------------------------------------------------------------- the rules

def test_the_url_carries_the_selection():
    params = {"period": "2026-10", "xf_county": "C02", "xf_dept": "D01"}
    selection = crossfilter.from_params(params, OCTOBER, COUNTIES, DEPARTMENTS)
    assert selection == Selection("C02", "D01")
    assert crossfilter.to_params(selection) == {"xf_county": "C02", "xf_dept": "D01"}
    assert crossfilter.to_params(Selection(dept="D02")) == {"xf_dept": "D02"}


@pytest.mark.parametrize(("params", "filters", "expected"), [
    ({"xf_county": "C09"}, OCTOBER, Selection()),  # unknown (or outside the user's scope): dropped
    ({"xf_county": "C01"}, Filters(Period.parse("2026-10"), counties=("C02",)), Selection()),  # never widens
    ({"xf_county": "C02"}, Filters(Period.parse("2026-10"), counties=("C01", "C02")), Selection("C02")),
    ({"xf_dept": ""}, OCTOBER, Selection()),
    ({}, OCTOBER, Selection()),
])
def test_a_selection_only_narrows_what_the_page_offers(params, filters, expected):
    assert crossfilter.from_params(params, filters, COUNTIES, DEPARTMENTS) == expected


def test_narrowing_keeps_the_clicked_charts_own_dimension():
    selection = Selection("C02", "D01")
    narrowed = crossfilter.narrow(OCTOBER, selection)
    assert (narrowed.counties, narrowed.departments) == (("C02",), ("D01",))
    own = crossfilter.narrow(OCTOBER, selection, skip="county")  # the county chart keeps every county
    assert (own.counties, own.departments) == ((), ("D01",))
    assert crossfilter.narrow(OCTOBER, Selection()) is OCTOBER


def test_a_click_replaces_its_dimension_and_a_deselection_keeps_it():
    selection = Selection("C01")
    assert crossfilter.with_click(selection, "county", "C02") == Selection("C02")
    assert crossfilter.with_click(selection, "dept", "D02") == Selection("C01", "D02")
    assert crossfilter.with_click(selection, "county", None) == selection  # only a chip removes it
    with pytest.raises(ValueError, match="dimension must be one of"):
        crossfilter.with_click(selection, "month", "2026-10")


def test_one_chip_per_selection():
    labels = crossfilter.chip_labels(Selection("C02", "D01"), "zh", COUNTIES, DEPARTMENTS)
    assert labels == [("county", "区县：乙县"), ("dept", "部门：市场监管局")]
    assert crossfilter.chip_labels(Selection(dept="D02"), "en", COUNTIES, {"D02": "HR Bureau"}) == [
        ("dept", "Department: HR Bureau")]


# ---------------------------------------------------------------- every page with clickable units

# The cards a selection in the URL narrows to, hand-counted in tests/handcount.py (C02 乙县: K06, K08,
# K10, K12 accepted, 承诺件 K10 3 wd, due K06 (open, red) and K10 (in time); D01 市场监管局: due K06 and
# K05, 承诺件 K05 9 wd; bad reviews R2, R4 of R1, R2, R4).
NARROWED = {
    "overview": ("按期办结率", "60.0%", {"xf_county": "C02"}, "50.0%", "办件量", "4 件"),
    "approval_times": ("平均办理时长", "6.00 工作日", {"xf_dept": "D01"}, "9.00 工作日", "办结承诺件", "1"),
    "supervision": ("在办件", "4 件", {"xf_county": "C02"}, "2 件", "办结件按时率", "100.0%"),
    "satisfaction": ("差评率", "42.9%", {"xf_dept": "D01"}, "66.7%", "满意度指数", "87.5 分"),
    "tasks": ("督办按时完成率", "33.3%", {"xf_dept": "D02"}, "0.0%", "到期督办事项", "2 件"),  # T2 late, T3 open
}


def run_page(name: str, params: dict[str, str]) -> AppTest:
    at = signed_in(AppTest.from_file(str(PAGES_DIR / f"{name}.py"), default_timeout=60))
    at.query_params.update({"period": "2026-10", **params})
    at.run()
    assert not at.exception
    return at


def context_caption(at: AppTest) -> str:
    """The page's context line (the caption stating the snapshot and every filter)."""
    return next(c.value for c in at.caption if c.value.startswith("数据截至"))


@pytest.mark.parametrize("name", list(NARROWED))
def test_a_selection_in_the_url_narrows_the_cards_and_shows_a_chip(data_folder, monkeypatch, name):
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    card, whole, params, narrowed, other_card, other_value = NARROWED[name]
    page = "approval" if name == "approval_times" else name
    plain = run_page(name, {})
    assert metric_values(plain)[card] == whole
    assert not [b for b in plain.button if "_xf_chip_" in (b.key or "")]
    assert "区县：全部 · 部门：全部" in context_caption(plain)
    at = run_page(name, params)
    shown = metric_values(at)
    assert (shown[card], shown[other_card]) == (narrowed, other_value)
    dimension = "county" if "xf_county" in params else "dept"
    chip = at.button(key=f"{page}_xf_chip_{dimension}")
    name = COUNTIES.get(params.get("xf_county")) or DEPARTMENTS[params["xf_dept"]]
    assert chip.label == {"county": "区县：", "dept": "部门："}[dimension] + name
    named = {"county": f"区县：{name} · 部门：全部", "dept": f"区县：全部 · 部门：{name}"}[dimension]
    assert named in context_caption(at)
    chip.click().run()  # removing the chip restores the page and the URL
    assert not at.exception
    assert metric_values(at)[card] == whole
    assert not set(params) & set(at.query_params)


def test_two_selections_are_two_chips_and_clear_all_removes_both(data_folder, monkeypatch):
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    at = run_page("overview", {"xf_county": "C02", "xf_dept": "D01"})
    chips = [b.label for b in at.button if "_xf_chip_" in (b.key or "")]
    assert chips == ["区县：乙县", "部门：市场监管局"]
    assert metric_values(at)["办件量"] == "2 件"  # C02 and D01: K06, K12
    at.button(key="overview_xf_clear").click().run()
    assert metric_values(at)["办件量"] == "8 件"
    assert not {"xf_county", "xf_dept"} & set(at.query_params)


def test_the_on_time_trend_follows_a_department_click(data_folder, monkeypatch):
    """The trend by county narrows to the clicked department (it used to ignore it)."""
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    import base64
    import json

    import numpy as np

    def values(data) -> list[float]:
        """A trace's values; plotly writes a numpy array as a typed-array dict."""
        if isinstance(data, dict):
            return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
        return list(data)

    def october_rates(at: AppTest) -> dict[str, float]:
        """The lines' last points (October) of the trend chart (the chart whose points carry 5 values)."""
        figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        trend = next(f for f in figures if f["data"] and len((f["data"][0].get("customdata") or [[]])[0]) == 5)
        return {d["name"]: values(d["y"])[-1] for d in trend["data"] if d.get("name")}

    whole = october_rates(run_page("supervision", {}))
    narrowed = october_rates(run_page("supervision", {"xf_dept": "D01"}))
    assert whole != narrowed
    assert narrowed == {"甲区": 100.0, "乙县": 0.0}  # D01 due: K05 (C01, in time), K06 (C02, open)


def first_line(download: dict) -> str:
    return file_bytes(download).decode("utf-8-sig").splitlines()[0]


def test_downloads_under_a_chip_name_it(data_folder, monkeypatch, downloads):
    """A file downloaded under a chip says so in its first line and its name; a table that keeps every
    unit of the clicked chart's dimension says that instead (the by-department table of 督办)."""
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    run_page("tasks", {"xf_dept": "D02"})
    overdue = next(d for d in downloads if d["key"] == "tasks_overdue_csv")
    assert "人社局" in overdue["file_name"]
    assert "区县：全部 · 部门：人社局" in first_line(overdue)
    assert set(table_of(overdue)["督办编号"]) == {"T3"}
    by_dept = next(d for d in downloads if d["key"] == "tasks_by_dept_csv")
    assert "区县：全部 · 部门：全部" in first_line(by_dept)
    assert set(table_of(by_dept)["单位"]) == {"人社局", "市场监管局"}

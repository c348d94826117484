"""The Supervised-tasks page (督办): its data functions counted by hand on tests/handcount.py, and the
page in AppTest.

The fixture's tasks (snapshot time Friday 2026-10-30 17:00):

    id  source       county dept  assigned     due          completed
    T1  meeting      C01    D01   10-01 09:00  10-20 18:00  10-19 16:00   on time
    T2  instruction  C02    D02   09-15 09:00  10-15 18:00  10-18 10:00   late
    T3  referral     C01    D02   10-05 09:00  10-28 18:00  —             open, overdue at the snapshot
    T4  meeting      C02    D01   10-10 09:00  11-10 18:00  —             due in November
    T5  meeting      C01    D01   10-12 09:00  10-31 12:00  —             due in October, after the snapshot
    T6  instruction  C02    D02   06-01 09:00  06-30 18:00  07-01 09:00   late (after the close of 06-30)
    T7  meeting      C01    D02   06-01 09:00  06-30 09:00  06-30 17:00   on time (a due time is the close of its day)

October: due by the snapshot T1, T2, T3 → 督办按时完成率 1/3 = 33.3 %; T5's day (10-31) has not closed.
June: due T6, T7 → 1/2; at the close of June T6 was not completed yet (its outcome then: overdue).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.apptest import assert_no_data_for, metric_values, metrics_before_and_after_county
from xiaoneng import tasks
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, indicator_table
from xiaoneng.snapshots import SnapshotStore

OCTOBER = Filters(Period.parse("2026-10"))
PAGE = Path(__file__).resolve().parent.parent / "pages" / "tasks.py"
TIMEOUT = 30
COUNTS = ["tasks_due", "tasks_on_time", "tasks_late", "tasks_open_overdue", "tasks_not_yet_due"]


def counts(row) -> list[int]:
    return [int(row[c]) for c in COUNTS]


def test_october_in_total(handcount_view):
    total = tasks.task_completion(handcount_view, OCTOBER, by="total").iloc[0]
    # due 3 (T1, T2, T3): on time T1, late T2, open overdue T3; not yet due T5
    assert counts(total) == [3, 1, 1, 1, 1]
    assert round(total["task_on_time_rate"], 1) == 33.3
    assert total["task_on_time_rate"] == indicator_table(handcount_view, OCTOBER).iloc[0]["task_on_time_rate"]


def test_by_department_worst_first(handcount_view):
    frame = tasks.task_completion(handcount_view, OCTOBER, by="dept")
    # D02: T2 late, T3 open overdue → 0 %; D01: T1 on time (T5 not yet due) → 100 %
    assert frame["code"].tolist() == ["D02", "D01"]
    assert frame["name"].tolist() == ["人社局", "市场监管局"]
    assert counts(frame.iloc[0]) == [2, 0, 1, 1, 0]
    assert counts(frame.iloc[1]) == [1, 1, 0, 0, 1]
    assert frame["task_on_time_rate"].tolist() == [0.0, 100.0]


def test_by_source(handcount_view):
    frame = tasks.task_completion(handcount_view, OCTOBER, by="source")
    # referral T3 overdue (0 %, one open overdue) before instruction T2 late (0 %), then meeting T1 (100 %)
    assert frame["code"].tolist() == ["referral", "instruction", "meeting"]
    assert frame["name"].tolist() == ["上级转办", "领导批示", "会议交办"]
    assert frame["task_on_time_rate"].tolist() == [0.0, 0.0, 100.0]
    assert counts(frame.set_index("code").loc["meeting"]) == [1, 1, 0, 0, 1]  # T1; T5 not yet due
    assert tasks.task_completion(handcount_view, OCTOBER, "en", by="source")["name"].tolist() == \
        ["Referred from above", "Leader's instruction", "Meeting decision"]


def test_rates_equal_the_catalog_per_department(handcount_view):
    mine = tasks.task_completion(handcount_view, OCTOBER, by="dept").set_index("code")
    theirs = indicator_table(handcount_view, OCTOBER, by="dept").set_index("dept_code")
    for dept in mine.index:
        assert mine.loc[dept, "tasks_due"] == theirs.loc[dept, "tasks_due"]
        assert mine.loc[dept, "task_on_time_rate"] == theirs.loc[dept, "task_on_time_rate"]


def test_filters_and_empty_selection(handcount_view):
    # C02: T2 (late) is due in October; T4 is due in November
    c02 = tasks.task_completion(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)), by="total")
    assert counts(c02.iloc[0]) == [1, 0, 1, 0, 0] and c02.iloc[0]["task_on_time_rate"] == 0.0
    # September: nothing due — one row of zeros without a rate, and no rows per department
    september = Filters(Period.parse("2026-09"))
    total = tasks.task_completion(handcount_view, september, by="total").iloc[0]
    assert counts(total) == [0, 0, 0, 0, 0] and pd.isna(total["task_on_time_rate"])
    assert tasks.task_completion(handcount_view, september, by="dept").empty
    with pytest.raises(ValueError):
        tasks.task_completion(handcount_view, OCTOBER, by="item")


def test_overdue_tasks_at_the_snapshot(handcount_view):
    overdue = tasks.overdue_tasks(handcount_view, OCTOBER)
    # only T3: due Wed 10-28 18:00, open at Fri 10-30 17:00 → 2 calendar days, 2 working days (10-29, 10-30)
    assert overdue["task_id"].tolist() == ["T3"]
    row = overdue.iloc[0]
    assert (row["days_over"], row["wd_over"], row["source_name"], row["county_name"], row["dept_name"]) == \
        (2, 2, "上级转办", "甲区", "人社局")
    assert pd.isna(row["completed_at"])


def test_overdue_tasks_at_a_past_state_time(handcount_view):
    """1–16 October: the state moment is the close of 10-16. T2 (due 10-15 18:00, i.e. the close of
    10-15) was open then — 1 day over — and was completed on 10-18, which the list shows; at the
    end of the period it is due and not completed (states are taken at a time): not on time, and
    overdue rather than late."""
    filters = Filters(Period.parse("2026-10-01..2026-10-16"))
    overdue = tasks.overdue_tasks(handcount_view, filters)
    assert overdue["task_id"].tolist() == ["T2"]
    assert (overdue.iloc[0]["days_over"], overdue.iloc[0]["wd_over"]) == (1, 1)
    assert overdue.iloc[0]["completed_at"] == pd.Timestamp("2026-10-18 10:00")
    assert counts(tasks.task_completion(handcount_view, filters, by="total").iloc[0]) == [1, 0, 0, 1, 0]
    table = tasks.overdue_table(overdue)
    assert "完成时间" in table.columns
    # at the snapshot nothing overdue has been completed since: the empty column is left out
    assert "完成时间" not in tasks.overdue_table(tasks.overdue_tasks(handcount_view, OCTOBER)).columns


def test_june_due_times_are_the_close_of_their_day(handcount_view):
    june = Filters(Period.parse("2026-06"))
    # T7 due 06-30 09:00, done 06-30 17:00: the same day, on time; T6 due 06-30 18:00, done 07-01 09:00:
    # after the close of 06-30, and not yet done at the end of June → 1/2, T6 overdue then
    total = tasks.task_completion(handcount_view, june, by="total").iloc[0]
    assert counts(total) == [2, 1, 0, 1, 0] and total["task_on_time_rate"] == 50.0
    assert total["task_on_time_rate"] == indicator_table(handcount_view, june).iloc[0]["task_on_time_rate"]
    overdue = tasks.overdue_tasks(handcount_view, june)
    # overdue at the close of its due day, 0 days over; completed the next morning, as the list shows
    assert overdue["task_id"].tolist() == ["T6"] and overdue.iloc[0]["days_over"] == 0
    assert overdue.iloc[0]["completed_at"] == pd.Timestamp("2026-07-01 09:00")
    # July: T6's late completion does not make it due again
    assert counts(tasks.task_completion(handcount_view, Filters(Period.parse("2026-07")), by="total").iloc[0]) == \
        [0, 0, 0, 0, 0]


# A month to come (T3, overdue today, is not December's), a year before the data, and a selection
# holding nothing (乙县's 市场监管局 has only T4, due in November).
NO_DATA = [Filters(Period.parse("2026-12")), Filters(Period.parse("2025")),
           Filters(Period.parse("2026-10"), counties=("C02",), departments=("D01",))]


@pytest.mark.parametrize("filters", NO_DATA, ids=["future-month", "uncovered-year", "empty-filters"])
def test_without_data_nothing_is_counted(handcount_view, filters):
    totals = tasks.task_completion(handcount_view, filters, by="total")
    assert counts(totals.iloc[0]) == [0, 0, 0, 0, 0] and pd.isna(totals.iloc[0]["task_on_time_rate"])
    assert tasks.task_completion(handcount_view, filters, by="dept").empty
    overdue = tasks.overdue_tasks(handcount_view, filters)
    assert overdue.empty
    assert tasks.nothing_to_show(totals, overdue)


def test_tables(handcount_view):
    table = tasks.completion_table(tasks.task_completion(handcount_view, OCTOBER, by="dept"))
    assert list(table.columns) == ["单位", "到期督办事项", "按期完成", "逾期完成", "逾期未完成", "期内尚未到期",
                                   "督办按时完成率（%）"]
    assert table.iloc[0].tolist() == ["人社局", 2, 0, 1, 1, 0, 0.0]
    english = tasks.overdue_table(tasks.overdue_tasks(handcount_view, OCTOBER, "en"), "en")
    assert english.iloc[0][["Task ID", "County", "Days over (calendar)"]].tolist() == ["T3", "Jia District", 2]


# ---------------------------------------------------------------- the page in AppTest

def expected(data_folder: Path, filters: Filters) -> dict[str, str]:
    """What the cards must say: the rate from the catalog, the counts from the query layer."""
    view = SnapshotView(SnapshotStore(data_folder / "snapshots").get("handcount"))
    total = tasks.task_completion(view, filters, by="total").iloc[0]
    rate = catalog()[tasks.RATE_KEY]
    cards = {rate.label_zh: rate.format(None if pd.isna(total[tasks.RATE_KEY]) else total[tasks.RATE_KEY])}
    for column, key in zip(COUNTS, ("due", "on_time", "late", "open_overdue", "not_yet_due"), strict=True):
        cards[t(f"tasks.{key}")] = f"{int(total[column]):,} 件"
    return cards


def test_page_renders_the_hand_count(page):
    page.run()
    assert not page.exception
    assert page.title[0].value == t("tasks.title")
    assert metric_values(page) == {"督办按时完成率": "33.3%", "到期督办事项": "3 件", "按期完成": "1 件",
                                   "逾期完成": "1 件",
                           "逾期未完成": "1 件", "期内尚未到期": "1 件"}
    assert page.metric[0].help == catalog()["task_on_time_rate"].definition_zh
    assert len(page.get("plotly_chart")) == 2
    overdue = page.dataframe[-1].value
    assert overdue["督办编号"].tolist() == ["T3"] and overdue["超期工作日"].tolist() == [2]


def test_county_filter_changes_the_numbers(data_folder, page):
    _, after = metrics_before_and_after_county(page)
    assert after["督办按时完成率"] == "0.0%" and after["到期督办事项"] == "1 件"  # T2, late
    assert after == expected(data_folder, Filters(Period.parse("2026-10"), counties=("C02",)))
    # C02 has no overdue open task at the snapshot: the list says so instead of showing an empty table
    assert any("没有逾期未完成的督办事项" in i.value for i in page.info)


def test_department_filter_and_empty_period(data_folder, page):
    page.run()
    page.multiselect(key="filter_departments").set_value(["D01"]).run()
    assert metric_values(page) == expected(data_folder, Filters(Period.parse("2026-10"), departments=("D01",)))
    assert metric_values(page)["督办按时完成率"] == "100.0%"
    page.selectbox(key="filter_period").set_value("2026-09").run()
    assert not page.exception
    # September: nothing due, nothing overdue at its close → 无数据, no zero cards
    assert t("tasks.no_data") in [i.value for i in page.info]
    assert len(page.get("plotly_chart")) == 0 and not page.metric


@pytest.mark.parametrize("period", ["2025", "2026-12"])
def test_page_without_data(page, period):
    assert_no_data_for(page, period)


# ---------------------------------------------------------------- cross-filter

def test_completion_of_one_source(handcount_view):
    # meeting: T1 on time (D01), T5 not yet due (D01), T4 due in November
    meeting = tasks.task_completion(handcount_view, OCTOBER, by="dept", source="meeting")
    assert meeting["code"].tolist() == ["D01"] and counts(meeting.iloc[0]) == [1, 1, 0, 0, 1]
    # referral: T3 open overdue (D02) → 0 %
    referral = tasks.task_completion(handcount_view, OCTOBER, by="total", source="referral").iloc[0]
    assert counts(referral) == [1, 0, 0, 1, 0] and referral["task_on_time_rate"] == 0.0
    assert tasks.task_completion(handcount_view, OCTOBER, by="dept", source="referral")["name"].tolist() == ["人社局"]
    # no such task: one row of zeros, no rate
    none = tasks.task_completion(handcount_view, Filters(Period.parse("2026-10"), counties=("C02",)), by="total",
                                 source="referral").iloc[0]
    assert counts(none) == [0, 0, 0, 0, 0] and pd.isna(none["task_on_time_rate"])


def test_overdue_list_follows_a_department_or_source(handcount_view):
    def overdue(dept: str | None = None, source: str | None = None) -> list[str]:
        filters = Filters(OCTOBER.period, departments=(dept,)) if dept else OCTOBER
        return tasks.overdue_tasks(handcount_view, filters, source=source)["task_id"].tolist()

    assert overdue() == ["T3"]
    assert overdue("D02") == ["T3"]
    assert overdue("D01") == []  # T1 done, T5 not due at the snapshot
    assert overdue(source="referral") == ["T3"]
    assert overdue(source="meeting") == []
    assert overdue("D02", "instruction") == []  # T2 was completed (late)


def test_only_a_known_source_is_a_focus():
    assert tasks.valid_source("meeting") == "meeting"
    assert tasks.valid_source("fax") is None and tasks.valid_source(None) is None


def test_page_source_focus(page):
    """A click on a source is copied to tasks_xf_source by the chart's callback (AppTest cannot click
    a Plotly chart); it narrows the department chart and the overdue list, not the cards."""
    page.run()
    page.session_state["tasks_xf_source"] = "instruction"
    page.run()
    assert not page.exception
    assert any("联动筛选：领导批示" in i.value for i in page.info)
    assert metric_values(page)["督办按时完成率"] == "33.3%"  # the cards keep the page's filters
    # the department table follows the source: T2, D02, completed late
    table = page.dataframe[0].value
    assert table["单位"].tolist() == ["人社局"] and table["逾期完成"].tolist() == [1]
    assert any("没有逾期未完成的督办事项" in i.value for i in page.info)  # T3 is a referral
    page.button(key="tasks_xf_reset").click().run()
    assert page.session_state["tasks_xf_source"] is None
    assert page.dataframe[-1].value["督办编号"].tolist() == ["T3"]
    assert page.dataframe[0].value["单位"].tolist() == ["人社局", "市场监管局"]


def test_a_department_click_narrows_every_card_and_the_list(page):
    """The department is the cross-filter of every page: in the URL (xf_dept), one chip, the cards,
    the source chart and the overdue list follow; the department chart keeps both departments."""
    page.query_params["xf_dept"] = "D02"
    page.run()
    assert not page.exception
    # D02: due T2 (late) and T3 (open, overdue); nothing not yet due
    assert metric_values(page) == {"督办按时完成率": "0.0%", "到期督办事项": "2 件", "按期完成": "0 件",
                                   "逾期完成": "1 件", "逾期未完成": "1 件", "期内尚未到期": "0 件"}
    assert page.button(key="tasks_xf_chip_dept").label == "部门：人社局"
    assert page.dataframe[0].value["单位"].tolist() == ["人社局", "市场监管局"]
    assert page.dataframe[-1].value["督办编号"].tolist() == ["T3"]
    assert any("区县：全部 · 部门：人社局" in c.value for c in page.caption)
    page.query_params["xf_dept"] = "D01"
    page.run()
    # D01: T1 on time; T5 not yet due; no overdue task
    assert metric_values(page)["督办按时完成率"] == "100.0%" and metric_values(page)["期内尚未到期"] == "1 件"
    assert any("没有逾期未完成的督办事项" in i.value for i in page.info)
    page.button(key="tasks_xf_chip_dept").click().run()
    assert "xf_dept" not in page.query_params
    assert metric_values(page)["督办按时完成率"] == "33.3%"

"""The 审批时效 (Approval times) page: its data functions on the hand-counted fixture (tests/handcount.py),
its chart builders, and the page itself in AppTest.

Working days used below (2026 calendar; wd = working day; the start day never counts):
  10-19 Mon … 10-23 Fri, 10-26 Mon, 10-27 Tue are working days; 10-24/25 the weekend.
Cases completed in October 2026 and their elapsed working days (handcount docstring):
  K05 9 (D01, C01, I01, on time), K10 3 (D02, C02, I04, on time), K11 0 (D02, C01, I03, on time),
  K13 6 (D02, C01, I04, late). Open and overdue at the snapshot (Fri 10-30 17:00): K06 (I01, D01, C02).
Durations are measured over 承诺件 only (promised limit > 0): K05, K10, K13 — K11 is an immediate item.
Due in October (deadline's day closed by the snapshot): K05, K06, K10, K11, K13; by the deadline K05,
K10, K11 → 按期办结率 3/5; the misses K06 and K13 are the trace-back's cases.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from tests.apptest import metric_values, metrics_before_and_after_county
from xiaoneng import approval, caselist, charts
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import messages, t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, indicator_table
from xiaoneng.snapshots import SnapshotStore

PAGE = Path(__file__).resolve().parent.parent / "pages" / "approval_times.py"
TIMEOUT = 30
OCTOBER = Filters(Period.parse("2026-10"))


# ---------------------------------------------------------------- distribution and summary

def test_distribution_of_october(handcount_view):
    # 承诺件 K10 3, K13 6, K05 9: one case each (K11, 0 days, is immediate: measured by 即办率)
    dist = approval.elapsed_distribution(handcount_view, OCTOBER)
    assert dict(zip(dist["elapsed_wd"], dist["cases"], strict=True)) == {3: 1, 6: 1, 9: 1}


def test_distribution_narrowed_to_one_item(handcount_view):
    # I04 completed in October: K10 (3) and K13 (6)
    dist = approval.elapsed_distribution(handcount_view, OCTOBER, item_code="I04")
    assert dict(zip(dist["elapsed_wd"], dist["cases"], strict=True)) == {3: 1, 6: 1}


def test_summary_of_october_equals_the_hand_count_and_the_overview(handcount_view):
    # 承诺件 elapsed 3, 6, 9: mean 6, median 6, P90 at position 0.9 × 2 = 1.8 → 6 + 0.8 × 3 = 8.4;
    # 按期办结率: due K05, K06, K10, K11, K13, by the deadline K05, K10, K11 → 3/5 = 60 %; the misses
    # K06 (open) and K13 (10-27) = 2; 办结件按时率: completed with a deadline K05, K10, K11, K13, on time
    # 3 → 75 %
    row = approval.elapsed_summary(handcount_view, OCTOBER).iloc[0]
    assert row["completed"] == 3
    assert row["avg_elapsed_wd"] == pytest.approx(6.0)
    assert row["median_elapsed_wd"] == pytest.approx(6.0)
    assert row["p90_elapsed_wd"] == pytest.approx(8.4)
    assert (row["due_cases"], row["due_on_time"], row["late_cases"]) == (5, 3, 2)
    assert row["on_time_rate"] == pytest.approx(60.0)
    assert (row["completed_with_deadline"], row["completed_on_time"]) == (4, 3)
    assert row["completion_on_time_rate"] == pytest.approx(75.0)
    assert row["has_data"]
    overview = indicator_table(handcount_view, OCTOBER).iloc[0]
    for key in ("avg_elapsed_wd", "median_elapsed_wd", "p90_elapsed_wd", "on_time_rate", "completion_on_time_rate"):
        assert row[key] == pytest.approx(overview[key]), key


@pytest.mark.parametrize("filters", [
    Filters(Period.parse("2025")),  # before the data (they start in February 2026)
    Filters(Period.parse("2026-12")),  # after the snapshot: K06's red light today is not December's
    Filters(Period.parse("2026-10"), counties=("C01",), channels=("kiosk",)),  # C01 has no kiosk case
], ids=["uncovered-year", "future-month", "empty-filters"])
def test_summary_of_a_selection_without_data(handcount_view, filters):
    summary = approval.elapsed_summary(handcount_view, filters)
    row = summary.iloc[0]
    assert (row["completed"], row["due_cases"], row["late_cases"], row["open_overdue"]) == (0, 0, 0, 0)
    assert row["median_elapsed_wd"] is None and pd.isna(row["on_time_rate"])
    assert approval.summary_is_empty(summary)
    # every card says 无数据, never 0 (counts included)
    assert [c["value"] for c in approval.summary_cards(summary)] == [t("kpi.no_value")] * 6
    assert approval.elapsed_distribution(handcount_view, filters).empty
    assert approval.elapsed_by_unit(handcount_view, filters).empty
    assert approval.item_limits(handcount_view, filters).empty
    assert approval.late_step_trace(handcount_view, filters).empty


def test_histogram_bins_fill_the_gaps_and_gather_the_tail():
    dist = pd.DataFrame({"elapsed_wd": [0, 3, 6, 9], "cases": [1, 1, 1, 1]})
    bins = approval.histogram_bins(dist)  # the tail starts at 10 at the earliest: no tail here
    assert list(bins["elapsed_wd"]) == list(range(10))
    assert list(bins["cases"]) == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert not bins["is_tail"].any()
    # 99 of 100 cases take at most 1 day: everything from day 2 on shares the tail bar
    long_tail = pd.DataFrame({"elapsed_wd": [0, 1, 50], "cases": [90, 9, 1]})
    bins = approval.histogram_bins(long_tail, min_tail=2)
    assert list(zip(bins["elapsed_wd"], bins["cases"], bins["is_tail"], strict=True)) == [
        (0, 90, False), (1, 9, False), (2, 1, True)]
    assert approval.histogram_bins(dist.iloc[0:0]).empty


# ---------------------------------------------------------------- by unit

def test_median_and_p90_by_department(handcount_view):
    # 承诺件 only. D01: K05 9 → median 9, P90 9. D02: K10 3, K13 6 (K11 is immediate) → mean 4.5,
    # median 4.5, P90 at position 0.9 × 1 = 0.9 → 3 + 0.9 × 3 = 5.7. Slowest (highest P90) first.
    units = approval.elapsed_by_unit(handcount_view, OCTOBER, by="dept")
    assert list(units["unit_code"]) == ["D01", "D02"]
    assert list(units["unit_name"]) == ["市场监管局", "人社局"]
    assert list(units["completed"]) == [1, 2]
    assert list(units["median_elapsed_wd"]) == pytest.approx([9.0, 4.5])
    assert list(units["p90_elapsed_wd"]) == pytest.approx([9.0, 5.7])
    assert list(units["avg_elapsed_wd"]) == pytest.approx([9.0, 4.5])


def test_median_and_p90_by_county(handcount_view):
    # 承诺件: C01: K13 6, K05 9 (K11 is immediate) → median 7.5, P90 at 0.9 → 6 + 0.9 × 3 = 8.7. C02: K10 3.
    units = approval.elapsed_by_unit(handcount_view, OCTOBER, by="county", lang="en")
    assert list(units["unit_code"]) == ["C01", "C02"]
    assert list(units["unit_name"]) == ["Jia District", "Yi County"]
    assert list(units["median_elapsed_wd"]) == pytest.approx([7.5, 3.0])
    assert list(units["p90_elapsed_wd"]) == pytest.approx([8.7, 3.0])


def test_by_item_and_bad_grouping(handcount_view):
    # 承诺件 items: I01 K05; I04 K10, K13 (I03, K11's, is an immediate item)
    units = approval.elapsed_by_unit(handcount_view, OCTOBER, by="item")
    assert dict(zip(units["unit_code"], units["completed"], strict=True)) == {"I01": 1, "I04": 2}
    with pytest.raises(ValueError):
        approval.elapsed_by_unit(handcount_view, OCTOBER, by="post")


def test_clicked_unit_narrows_the_filters():
    assert approval.narrowed(OCTOBER, "dept", "D02").departments == ("D02",)
    assert approval.narrowed(OCTOBER, "county", "C01").counties == ("C01",)
    assert approval.narrowed(OCTOBER, "dept", None) == OCTOBER
    assert approval.narrowed(OCTOBER, "item", "I04") == OCTOBER  # items narrow through item_code


@pytest.mark.parametrize(("selection", "expected"), [
    ({"selection": {"points": [{"customdata": ["D16"], "x": 4}], "point_indices": [1]}}, "D16"),
    ({"selection": {"points": [{"customdata": ["I04", "就业登记"]}]}}, "I04"),
    ({"selection": {"points": [], "point_indices": []}}, None),
    ({"selection": {"points": [{"x": 1}]}}, None),
    (None, None),
])
def test_clicked_code_reads_the_plotly_selection(selection, expected):
    assert charts.clicked_code(selection) == expected


# ---------------------------------------------------------------- items against their limits

def test_items_against_their_limits(handcount_view):
    items = approval.item_limits(handcount_view, OCTOBER).set_index("item_code")
    # I04 (promised 3, legal 10): K10 3 on time, K13 6 late; K08 open, not overdue. Accepted K08, K10, K13.
    i04 = items.loc["I04"]
    assert (i04["completed"], i04["cases_accepted"], i04["open_overdue"]) == (2, 3, 0)
    assert (i04["promised_limit_wd"], i04["legal_limit_wd"]) == (3, 10)
    assert i04["median_elapsed_wd"] == pytest.approx(4.5)
    assert i04["p90_elapsed_wd"] == pytest.approx(5.7)  # 3 + 0.9 × 3
    assert i04["p90_over_promised_wd"] == pytest.approx(2.7)
    # 按期办结率: due in October K10 (10-15, on time) and K13 (10-22, late); K08 is due 11-02 → 1/2
    assert (i04["due_cases"], i04["due_on_time"], i04["on_time_rate"]) == (2, 1, pytest.approx(50.0))
    # I01 (promised 10, legal 20): due K05 (by its deadline) and K06 (open, red) → 1/2 = 50 %
    i01 = items.loc["I01"]
    assert (i01["completed"], i01["open_overdue"], i01["on_time_rate"]) == (1, 1, pytest.approx(50.0))
    assert i01["p90_over_promised_wd"] == pytest.approx(-1.0)
    # I02: K07 open (due today, its day not closed), K12 withdrawn before its deadline: accepted 2,
    # nothing completed, nothing due — no rate (无数据), not 0 %
    i02 = items.loc["I02"]
    assert (i02["cases_accepted"], i02["completed"], i02["due_cases"]) == (2, 0, 0)
    assert pd.isna(i02["p90_elapsed_wd"]) and pd.isna(i02["on_time_rate"])
    assert items.loc["I03", "on_time_rate"] == pytest.approx(100.0)  # K11 the same day


def test_slowest_items_by_p90_beyond_the_promise(handcount_view):
    # P90 − promised: I04 5.7 − 3 = 2.7, I03 0 − 0 = 0, I01 9 − 10 = −1; I02 has no completed case.
    # No item has 5 completed cases, so every item with one is ranked.
    items = approval.item_limits(handcount_view, OCTOBER)
    assert list(approval.slowest_items(items)["item_code"]) == ["I04", "I03", "I01"]
    assert list(approval.slowest_items(items, n=1)["item_code"]) == ["I04"]
    # with a threshold of 2 completed cases only I04 qualifies
    assert list(approval.slowest_items(items, min_completed=2)["item_code"]) == ["I04"]


# ---------------------------------------------------------------- trace-back (倒查)

def test_trace_back_by_step_of_october(handcount_view):
    # Due in October and missed: K13 (completed 10-27 after its 10-22 deadline) and K06 (open; no steps).
    # K13's steps: 受理 10-19 → 10-19 = 0 wd (limit 0); 审核 10-19 → 10-26 = 10-20, 21, 22, 23, 26 = 5 wd
    # against 2 → 3 over; 决定 10-26 → 10-27 = 1 wd against 1 → 0 over. 0 + 5 + 1 = 6 = K13's elapsed.
    steps = approval.late_step_trace(handcount_view, OCTOBER, by="step")
    assert list(steps["label"]) == ["审核", "决定", "受理"]
    shenhe = steps.iloc[0]
    assert (shenhe["step_wd_total"], shenhe["step_limit_wd_total"], shenhe["over_limit_wd_total"]) == (5, 2, 3)
    assert (shenhe["cases_over_limit"], shenhe["late_cases"], shenhe["within_limit_wd_total"]) == (1, 1, 2)
    assert list(steps["over_limit_wd_total"]) == [3, 0, 0]
    assert steps["step_wd_total"].sum() == 6
    assert set(steps["late_cases_total"]) == {2} and set(steps["late_cases_with_steps"]) == {1}


def test_trace_back_by_post_of_october(handcount_view):
    posts = approval.late_step_trace(handcount_view, OCTOBER, by="post")
    assert list(posts["label"]) == ["D02-审核岗", "D02-决定岗", "D02-受理岗"]
    top = posts.iloc[0]
    assert (top["dept_code"], top["dept_name"], top["over_limit_wd_total"], top["cases_over_limit"]) == (
        "D02", "人社局", 3, 1)
    assert list(approval.top_posts(posts)["label"]) == ["D02-审核岗"]  # the others kept within their limits


def test_trace_back_of_an_open_overdue_case_stops_at_the_end_of_the_period(handcount_view):
    # 10-01..10-23: at the end (midnight after Fri 10-23) K13 is open and past its 10-22 deadline. Its 审核 step
    # (10-19 → 10-26) counts up to 10-23: 10-20, 21, 22, 23 = 4 wd against 2 → 2 over; 决定 began
    # on 10-26, after the end, so it is not counted. K06 (deadline 10-22) is late too, without steps.
    filters = Filters(Period.parse("2026-10-01..2026-10-23"))
    steps = approval.late_step_trace(handcount_view, filters, by="step").set_index("label")
    assert list(steps.index) == ["审核", "受理"]
    assert (steps.loc["审核", "step_wd_total"], steps.loc["审核", "over_limit_wd_total"]) == (4, 2)
    assert steps["late_cases_total"].iloc[0] == 2
    assert approval.elapsed_summary(handcount_view, filters).iloc[0]["late_cases"] == 2


def test_trace_back_narrowed_to_an_item_without_steps(handcount_view):
    # I01's only late case is K06, which has no step records
    assert approval.late_step_trace(handcount_view, OCTOBER, by="step", item_code="I01").empty
    with pytest.raises(ValueError):
        approval.late_step_trace(handcount_view, OCTOBER, by="county")


# ---------------------------------------------------------------- tables and texts

def test_tables_take_labels_units_and_definitions_from_the_catalogs(handcount_view):
    units = approval.elapsed_by_unit(handcount_view, OCTOBER, by="dept")
    shown, spec = approval.people_table(units, approval.UNIT_TABLE_COLUMNS, "zh", unit_header="部门")
    median = catalog()["median_elapsed_wd"]
    header = f"{median.label('zh')}（{median.unit('zh')}）"
    assert list(shown.columns)[:3] == ["部门", t("approval.col.completed"), header]
    assert spec[header].help == median.definition("zh") and spec[header].format == "%.1f"
    rate = approval.table_spec(["on_time_rate"], "en")["on_time_rate"]
    assert (rate.header, rate.format) == (catalog()["on_time_rate"].label("en"), "%.1f%%")


def test_both_languages_have_the_same_page_texts():
    zh = {k for k in messages("zh") if k.startswith("approval.")}
    en = {k for k in messages("en") if k.startswith("approval.")}
    assert zh == en and zh


# ---------------------------------------------------------------- chart builders

def test_histogram_marks_median_and_p90():
    bins = approval.histogram_bins(pd.DataFrame({"elapsed_wd": [0, 3, 6, 9], "cases": [1, 1, 1, 1]}))
    fig = charts.approval_histogram(bins, median=4.5, p90=8.1, x_title="x", y_title="y", median_label="中位数",
                                    p90_label="P90", tail_label="≥{days}", empty_message="无")
    assert isinstance(fig, go.Figure)
    assert [a.text for a in fig.layout.annotations] == ["中位数 4.5", "P90 8.1"]
    assert [s.x0 for s in fig.layout.shapes] == [4.5, 8.1]
    empty = charts.approval_histogram(bins.iloc[0:0], median=None, p90=None, x_title="x", y_title="y",
                                      median_label="m", p90_label="p", tail_label="≥{days}", empty_message="无数据")
    assert [a.text for a in empty.layout.annotations] == ["无数据"]


def test_clickable_charts_carry_the_codes(handcount_view):
    units = approval.elapsed_by_unit(handcount_view, OCTOBER, by="dept")
    fig = charts.approval_unit_bars(units, label_col="unit_name", code_col="unit_code", median_col="median_elapsed_wd",
                                    p90_col="p90_elapsed_wd", median_name="中位数", p90_name="P90", axis_title="工作日",
                                    empty_message="无", selected_code="D02")
    assert [c[0] for c in fig.data[0].customdata] == ["D01", "D02"]
    assert list(fig.data[1].marker.opacity) == [0.3, 1.0]
    items = approval.slowest_items(approval.item_limits(handcount_view, OCTOBER))
    fig = charts.approval_limits_chart(items, label_col="item_name", code_col="item_code",
                                       median_col="median_elapsed_wd", p90_col="p90_elapsed_wd",
                                       promised_col="promised_limit_wd", legal_col="legal_limit_wd",
                                       names={"median": "m", "p90": "p", "promised": "承诺", "legal": "法定"},
                                       axis_title="工作日", empty_message="无")
    p90 = next(trace for trace in fig.data if trace.name == "p")
    assert [c[0] for c in p90.customdata] == ["I04", "I03", "I01"]
    assert list(p90.x) == pytest.approx([5.7, 0.0, 9.0])


def test_step_bars_split_within_and_over_the_limit(handcount_view):
    steps = approval.late_step_trace(handcount_view, OCTOBER, by="step")
    fig = charts.approval_step_bars(steps, label_col="label", within_col="within_limit_wd_total",
                                    over_col="over_limit_wd_total", names={"within": "限内", "over": "超时"},
                                    axis_title="工作日", empty_message="无",
                                    hover_cols={"cases_over_limit": "超时件数"})
    within, over = fig.data
    assert list(over.y) == ["审核", "决定", "受理"]
    assert list(over.x) == [3, 0, 0] and list(within.x) == [2, 1, 0]
    assert fig.layout.barmode == "stack"


# ---------------------------------------------------------------- the page in AppTest

def expected_metrics(data_folder: Path, filters: Filters, item_code: str | None = None,
                     lang: str = "zh") -> dict[str, str]:
    """The page's six numbers as the query layer gives them for ``filters``."""
    view = SnapshotView(SnapshotStore(data_folder / "snapshots").get("handcount"))
    summary = approval.elapsed_summary(view, filters, lang, item_code=item_code)
    return {card["label"]: card["value"] for card in approval.summary_cards(summary, lang)}


def test_page_shows_the_hand_count(page):
    page.run()
    assert not page.exception
    assert page.title[0].value == t("approval.title")
    # 承诺件 K05 9, K10 3, K13 6: mean 6, median 6, P90 8.4; due 5, by the deadline 3; missed K06, K13
    assert metric_values(page) == {
        "办结承诺件": "3", "平均办理时长": "6.00 工作日", "办理时长中位数": "6.0 工作日",
        "办理时长P90": "8.4 工作日", "按期办结率": "60.0%", "未按期办结": "2",
    }
    help_by_label = {m.label: m.help for m in page.metric}
    assert help_by_label["办理时长P90"] == catalog()["p90_elapsed_wd"].definition("zh")
    assert len(page.get("plotly_chart")) == 4
    units, items, posts = (d.value for d in page.dataframe)  # the late cases wait for their button
    assert list(units[t("approval.unit.dept")]) == ["市场监管局", "人社局"]
    assert list(items[t("approval.col.item_name")]) == ["就业登记", "社保卡补办", "食品经营许可"]
    assert posts.iloc[0][t("approval.col.label")] == "D02-审核岗"
    assert posts.iloc[0][t("approval.col.over_limit_wd_total")] == 3
    assert any(t("approval.trace.summary", late=2, with_steps=1) == c.value for c in page.caption)


def test_county_filter_changes_the_numbers(data_folder, page):
    _, after = metrics_before_and_after_county(page)
    # C02: K10 completed (3 wd, on time); due K10 and K06 (open, red) → 1 / 2 = 50 %, missed K06
    assert after["办结承诺件"] == "1" and after["按期办结率"] == "50.0%" and after["未按期办结"] == "1"
    assert after == expected_metrics(data_folder, Filters(Period.parse("2026-10"), counties=("C02",)))


def test_period_filter_changes_the_numbers(data_folder, page):
    page.run()
    page.segmented_control(key="filter_period_kind").set_value("quarter").run()
    assert not page.exception
    assert metric_values(page) == expected_metrics(data_folder, Filters(Period.parse("2026-Q4")))


def test_county_toggle_lists_counties(page):
    page.run()
    page.segmented_control(key="approval_unit_by").set_value("county").run()
    assert not page.exception
    assert list(page.dataframe[0].value[t("approval.unit.county")]) == ["甲区", "乙县"]


def test_clicked_department_filters_the_other_charts(data_folder, page):
    """A click on the department chart goes into the URL (xf_dept) by its on_select callback
    (AppTest cannot click a Plotly chart, so the test sets the URL)."""
    page.run()
    page.query_params["xf_dept"] = "D02"
    page.run()
    assert not page.exception
    # D02: 承诺件 K10 3, K13 6 (K11 immediate); due K10, K11, K13, by the deadline K10, K11 → 2 / 3;
    # missed K13
    shown = metric_values(page)
    assert shown["办结承诺件"] == "2" and shown["按期办结率"] == "66.7%" and shown["未按期办结"] == "1"
    assert shown == expected_metrics(data_folder, Filters(Period.parse("2026-10"), departments=("D02",)))
    units = page.dataframe[0].value
    assert len(units) == 2  # the clicked chart itself still shows every department
    assert page.button(key="approval_xf_chip_dept").label == "部门：人社局"
    page.button(key="approval_xf_chip_dept").click().run()
    assert metric_values(page)["办结承诺件"] == "3"
    assert "xf_dept" not in page.query_params


def test_clicked_item_filters_the_other_charts(data_folder, page):
    page.session_state["approval_xf_item"] = "I04"
    page.run()
    assert not page.exception
    assert metric_values(page) == expected_metrics(data_folder, OCTOBER, item_code="I04")
    assert metric_values(page)["办结承诺件"] == "2"  # K10, K13
    assert any("就业登记" in i.value for i in page.info)


@pytest.mark.parametrize("period", ["2025", "2026-12"])
def test_a_period_without_data_says_so(page, period):
    # 2025 lies before the data (February 2026), December 2026 after the snapshot (10-30)
    page.query_params["period"] = period
    page.run()
    assert not page.exception
    infos = [i.value for i in page.info]
    assert any(v.startswith("无数据") and Period.parse(period).label() in v for v in infos)
    assert not page.metric and not page.get("plotly_chart")


def test_empty_selection_explains_itself(page):
    page.run()
    page.multiselect(key="filter_counties").set_value(["C01"]).run()
    page.multiselect(key="filter_channels").set_value(["kiosk"]).run()  # C01 has no kiosk case
    assert not page.exception
    assert t("approval.empty") in [i.value for i in page.info]
    assert not page.metric


def test_english(data_folder, page):
    page.query_params["lang"] = "en"
    page.run()
    assert not page.exception
    assert page.title[0].value == t("approval.title", "en")
    shown = metric_values(page)
    assert shown == expected_metrics(data_folder, OCTOBER, lang="en")
    # English cards come two rows of three, so label and unit both fit
    assert shown["Median processing time"] == "6.0 working days"


def test_late_cases_drill_through_lists_the_late_cases(page):
    # the 按期办结率's misses K13 (completed late) and K06 (open, red); through post D02-审核岗 only K13
    page.run()
    page.button(key="approval_late_cases_show").click().run()  # the list runs only when asked for
    assert any(t("supervision.list_total", total=2, page=1, pages=1, size=caselist.PAGE_SIZE) == c.value
               for c in page.caption)
    page.selectbox(key="approval_drill_post").set_value("D02-审核岗").run()
    assert not page.exception
    cases = page.dataframe[-1].value
    assert list(cases[t("supervision.col.case_id")]) == ["K13"]

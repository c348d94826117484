"""Drill-through (xiaoneng.caselist, queries/case_list.sql) on the hand-counted fixture.

Traceability: the list behind a number holds exactly that many cases — every subset is checked
against queries/indicator_measures.sql for several filters. The expected lists are counted by
hand from tests/handcount.py (snapshot Friday 2026-10-30 17:00).
"""

from __future__ import annotations

import pandas as pd
import pytest

from xiaoneng import caselist
from xiaoneng.caselist import SUBSETS, CaseSelection, case_page, selection_total, subset_count_from_measures
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.metrics import measures

OCTOBER = Filters(Period.parse("2026-10"))


def ids(view, selection: CaseSelection, filters: Filters = OCTOBER) -> list[str]:
    cases, total = case_page(view, filters, selection, page_size=100)
    assert total == len(cases)
    return list(cases["case_id"])


@pytest.mark.parametrize(
    ("subset", "expected"),
    [
        # open at 10-30 17:00: K06 (deadline 10-22, red), K07 (deadline today, its day not closed, 0 wd
        # left: yellow), K08 (1 wd left ≤ max(1, 20 % of 3): yellow), K09 (6 wd left: green); most
        # overdue first
        ("open_overdue", ["K06"]),
        ("open_yellow", ["K07", "K08"]),
        ("open", ["K06", "K07", "K08", "K09"]),
        # 按期办结率: due in October (deadline's day closed by the snapshot) K05 (10-22), K06 (10-22),
        # K10 (10-15), K11 (immediate: the close of 10-10), K13 (10-22); K07's day (10-30) has not
        # closed, K12 was withdrawn (10-16) before its deadline 10-21. The open K06 first, then by
        # acceptance: K05 09-29, K11 10-10, K10 10-12, K13 10-19.
        ("due", ["K06", "K05", "K11", "K10", "K13"]),
        ("due_on_time", ["K05", "K11", "K10"]),  # K05 10-21 ≤ 10-22, K11 the same day, K10 10-15 17:00
        ("due_missed", ["K06", "K13"]),  # 5 − 3: K06 still open, K13 completed 10-27
        # completed in October: K05 (10-21), K10 (10-15), K11 (10-10), K13 (10-27), in acceptance order
        ("completed", ["K05", "K11", "K10", "K13"]),
        ("on_time", ["K05", "K11", "K10"]),  # 办结件按时率's verdict
        ("late", ["K13"]),  # deadline 10-22, completed 10-27
        ("untimed", []),  # every completion had a deadline
        ("promised_completed", ["K05", "K10", "K13"]),  # 承诺件: K11 is an immediate item
        ("early", ["K05"]),  # 1 wd before its deadline; K10 finished on its deadline day
        ("immediate_due", ["K11"]),  # the one immediate item accepted in October
        ("immediate_same_day", ["K11"]),
        ("immediate_missed", []),
        # accepted in October: K06–K13; the open ones first (by deadline), then by acceptance
        ("accepted", ["K06", "K07", "K08", "K09", "K11", "K10", "K12", "K13"]),
        ("online", ["K06", "K07", "K10", "K13"]),  # mobile K06, K13; online K07, K10
        # 网办率's base: accepted with a known channel (the fixture has no 'unknown' channel)
        ("channel_known", ["K06", "K07", "K08", "K09", "K11", "K10", "K12", "K13"]),
        ("no_deadline", []),  # every October case had a promised limit
    ],
)
def test_october_lists_are_the_hand_count(handcount_view, subset, expected):
    assert ids(handcount_view, CaseSelection(subset)) == expected


def test_every_subset_is_tested():
    assert set(SUBSETS) == set(caselist.MEASURE_OF_SUBSET) and len(SUBSETS) == 19


def test_february_state_is_taken_at_the_end_of_february(handcount_view):
    february = Filters(Period.parse("2026-02"))
    # K02: accepted 02-16 (a holiday), deadline Sat 02-28 (make-up day), completed 03-02. The state
    # moment is 03-01 00:00, when the day of its deadline — February's last — has closed: open and
    # overdue at the end of February (a case due on a period's last day and still open is overdue)
    assert ids(handcount_view, CaseSelection("open"), february) == ["K02"]
    assert ids(handcount_view, CaseSelection("open_overdue"), february) == ["K02"]
    assert ids(handcount_view, CaseSelection("open_yellow"), february) == []
    assert ids(handcount_view, CaseSelection("completed"), february) == ["K01", "K04", "K03"]
    assert ids(handcount_view, CaseSelection("late"), february) == ["K04"]  # immediate, done the next day
    # due in February: K02 (02-28), K03 and K04 (immediate: the close of 02-14 and of 02-13); K01's
    # deadline 03-04 is March's. On time only K03 → 1/3; missed K02 (open) and K04 (02-14 10:00)
    assert ids(handcount_view, CaseSelection("due"), february) == ["K02", "K04", "K03"]
    assert ids(handcount_view, CaseSelection("due_missed"), february) == ["K02", "K04"]
    # 即办率: K03 and K04 owed the same day, K03 made it
    assert ids(handcount_view, CaseSelection("immediate_due"), february) == ["K04", "K03"]
    assert ids(handcount_view, CaseSelection("immediate_missed"), february) == ["K04"]
    # durations over 承诺件: only K01 (K03, K04 are immediate)
    assert ids(handcount_view, CaseSelection("promised_completed"), february) == ["K01"]


def test_june_deadlines_on_the_same_day_are_the_same_deadline(handcount_view):
    june = Filters(Period.parse("2026-06"))
    # K14 (system deadline 06-30 23:59:59) and K15 (derived deadline 06-30) are both due in June and
    # both open after the close of 06-30: red, and the 按期办结率's two misses (0/2)
    assert ids(handcount_view, CaseSelection("due"), june) == ["K14", "K15"]
    assert ids(handcount_view, CaseSelection("due_missed"), june) == ["K14", "K15"]
    assert ids(handcount_view, CaseSelection("open_overdue"), june) == ["K14", "K15"]
    july = Filters(Period.parse("2026-07"))
    # completed in July, both late; nothing due in July
    assert ids(handcount_view, CaseSelection("late"), july) == ["K14", "K15"]
    assert ids(handcount_view, CaseSelection("due"), july) == []


FILTERS = [
    OCTOBER,
    Filters(Period.parse("2026-10"), counties=("C01",)),
    Filters(Period.parse("2026-10"), counties=("C02",)),
    Filters(Period.parse("2026-10"), departments=("D02",)),
    Filters(Period.parse("2026-10"), channels=("online", "mobile")),
    Filters(Period.parse("2026-10"), item_types=("行政许可",)),
    Filters(Period.parse("2026-02")),
    Filters(Period.parse("2026-03")),
    Filters(Period.parse("2026-06")),
    Filters(Period.parse("2026-07")),
    Filters(Period.parse("2026-Q4")),
    Filters(Period.parse("2026")),
    Filters(Period.parse("2026-10-01..2026-10-15")),
    Filters(Period.parse("2025-01")),
    Filters(Period.parse("2026-12")),
    Filters(Period.parse("2026-10"), counties=("C01",), channels=("kiosk",)),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "-".join(filter(None, [f.period.key, *f.counties,
                                                                                   *f.departments, *f.channels])))
def test_every_list_reconciles_with_indicator_measures(handcount_view, filters):
    """The traceability requirement: the drill-through of a count lists exactly that count."""
    row = measures(handcount_view, filters).iloc[0]
    for subset in SUBSETS:
        if not handcount_view.has_begun(filters.period):
            # no data for the period: the number says 无数据 and there is nothing behind it
            assert subset_count_from_measures(row, subset) == 0, subset
            assert selection_total(handcount_view, filters, CaseSelection(subset)) == 0, subset
            continue
        assert selection_total(handcount_view, filters, CaseSelection(subset)) == \
            subset_count_from_measures(row, subset), subset


def test_lists_reconcile_per_county_and_department(handcount_view):
    table = measures(handcount_view, OCTOBER, by="county,dept")
    assert len(table) == 4
    for row in table.itertuples():
        for subset in SUBSETS:
            selection = CaseSelection(subset, county_code=row.county_code, dept_code=row.dept_code)
            assert selection_total(handcount_view, OCTOBER, selection) == \
                subset_count_from_measures(pd.Series(row._asdict()), subset), (row.county_code, row.dept_code, subset)


def test_each_indicator_drills_to_its_misses_and_its_base(handcount_view):
    """An indicator's list explains it: its misses are base − numerator, its base list holds the base."""
    from xiaoneng.indicators import catalog

    row = measures(handcount_view, OCTOBER).iloc[0]
    cat = catalog()
    for key, subset in caselist.BASE_SUBSET_OF_INDICATOR.items():
        assert selection_total(handcount_view, OCTOBER, CaseSelection(subset)) == int(row[cat[key].denominator]), key
    # 按期办结率 3/5: the misses K06, K13; 办结件按时率 3/4: K13; 即办率 1/1: none
    assert ids(handcount_view, caselist.indicator_selection("on_time_rate")) == ["K06", "K13"]
    assert ids(handcount_view, caselist.indicator_selection("completion_on_time_rate")) == ["K13"]
    assert ids(handcount_view, caselist.indicator_selection("immediate_rate")) == []
    # durations are measured on the 承诺件 K05, K10, K13 (mean (9 + 3 + 6) / 3 = 6)
    assert ids(handcount_view, caselist.indicator_selection("avg_elapsed_wd")) == ["K05", "K10", "K13"]
    assert ids(handcount_view, caselist.indicator_selection("on_time_rate", county="C02")) == ["K06"]
    assert caselist.indicator_selection("good_rate") is None
    assert set(caselist.SUBSET_OF_INDICATOR) <= set(cat)


def test_a_count_without_data_lists_nothing(handcount_view):
    # C01 has no kiosk case (K04, C02's, is the only one): no case data, the counts are null (无数据)
    empty = Filters(Period.parse("2026-10"), counties=("C01",), channels=("kiosk",))
    row = measures(handcount_view, empty).iloc[0]
    assert not row["has_cases"] and pd.isna(row["cases_accepted"]) and pd.isna(row["open_overdue"])
    assert subset_count_from_measures(row, "accepted") == 0 and subset_count_from_measures(row, "due_missed") == 0
    with pytest.raises(ValueError, match="subset"):
        subset_count_from_measures(row, "off_time")


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (CaseSelection("completed", step_name="审核"), ["K13"]),  # K13 went through 审核, K05 through 审查
        (CaseSelection("completed", handler_post="D01-审查岗"), ["K05"]),
        (CaseSelection("completed", step_name="审查", handler_post="D02-审核岗"), []),
        (CaseSelection("open", county_code="C02"), ["K06", "K08"]),
        (CaseSelection("open_yellow", dept_code="D02"), ["K08"]),
        (CaseSelection("completed", item_code="I04"), ["K10", "K13"]),
        # open for (working days at 10-30): K06 16, K07 5, K08 2, K09 4
        (CaseSelection("open", age_min_wd=11, age_max_wd=20), ["K06"]),
        (CaseSelection("open", age_min_wd=0, age_max_wd=5), ["K07", "K08", "K09"]),
        (CaseSelection("open", age_min_wd=21), []),
    ],
)
def test_narrowing(handcount_view, selection, expected):
    assert ids(handcount_view, selection) == expected


def test_the_columns_an_analyst_needs(handcount_view):
    cases, _ = case_page(handcount_view, OCTOBER, CaseSelection("accepted"), page_size=100)
    assert tuple(cases.columns) == caselist.CASE_COLUMNS
    row = cases.set_index("case_id")
    k06 = row.loc["K06"]
    assert (k06["item_code"], k06["item_name"], k06["county_name"], k06["dept_name"]) == \
        ("I01", "食品经营许可", "乙县", "市场监管局")
    assert (k06["channel"], k06["status"]) == ("移动端", "在办·红灯")
    assert k06["deadline_at"] == pd.Timestamp("2026-10-22 23:59:59")
    assert pd.isna(k06["completed_at"]) and pd.isna(k06["on_time"])
    # accepted Fri 10-09; 10-10 (Sat make-up) + 3 × 5 weekdays to Fri 10-30 = 16 wd open;
    # deadline 10-22 → 10-23, 10-26..10-30 = 6 wd over
    assert (k06["elapsed_wd"], k06["wd_over"]) == (16, 6) and pd.isna(k06["wd_left"])
    assert (row.loc["K07", "wd_left"], row.loc["K08", "wd_left"], row.loc["K09", "wd_left"]) == (0, 1, 6)
    assert row.loc["K07", "status"] == "在办·黄灯" and row.loc["K09", "status"] == "在办"
    k13 = row.loc["K13"]
    # deadline 10-22, completed Tue 10-27: 10-23, 10-26, 10-27 = 3 wd over; elapsed 6
    assert (k13["status"], k13["elapsed_wd"], k13["wd_over"], bool(k13["on_time"])) == ("超期办结", 6, 3, False)
    # steps: 受理 10-19→10-19 (0), 审核 10-19→10-26 (5 wd, limit 2), 决定 10-26→10-27 (1)
    assert k13["steps"] == "受理 0 → 审核 5（时限2） → 决定 1"
    assert row.loc["K12", "status"] == "撤件" and pd.isna(row.loc["K12", "on_time"])
    # K10's system deadline 10-15 18:00 is the close of 10-15 (a deadline is the close of its day)
    assert row.loc["K10", "wd_left"] == 0  # completed 17:00 on its deadline day (18:00)
    assert row.loc["K11", "steps"] == ""  # no steps recorded


def test_completed_case_to_spare_and_steps(handcount_view):
    cases, _ = case_page(handcount_view, OCTOBER, CaseSelection("early"))
    k05 = cases.iloc[0]
    # deadline 10-22 (10 + 3 suspended wd after 09-29), completed 10-21: 1 wd to spare; elapsed 12 − 3 = 9
    assert (k05["case_id"], k05["wd_left"], k05["elapsed_wd"], k05["status"]) == ("K05", 1, 9, "按时办结")
    # 审查 09-29 → 10-21: 09-30, 10-08, 10-09, 10-10, 10-12..16, 10-19..21 = 12 wd against a limit of 10
    assert k05["steps"] == "受理 0 → 审查 12（时限10）"


def test_english_names(handcount_view):
    cases, _ = case_page(handcount_view, OCTOBER, CaseSelection("open_overdue"), lang="en")
    assert list(cases.loc[0, ["county_name", "dept_name", "channel", "status"]]) == \
        ["Yi County", "Market Regulation", "Mobile", "open · red"]
    table = caselist.case_table(cases, "en")
    assert list(table.columns[:2]) == ["Case ID", "Item code"]


def test_paging(handcount_view):
    selection = CaseSelection("accepted")
    pages = [case_page(handcount_view, OCTOBER, selection, page=p, page_size=3) for p in (1, 2, 3)]
    assert [list(c["case_id"]) for c, _ in pages] == [["K06", "K07", "K08"], ["K09", "K11", "K10"], ["K12", "K13"]]
    assert {total for _, total in pages} == {8}
    beyond, total = case_page(handcount_view, OCTOBER, selection, page=9, page_size=3)
    assert beyond.empty and total == 8
    assert caselist.page_count(8, 3) == 3 and caselist.page_count(0) == 1


def test_case_table_for_people(handcount_view):
    cases, _ = case_page(handcount_view, OCTOBER, CaseSelection("completed"))
    table = caselist.case_table(cases, "zh")
    assert list(table.columns) == [t(f"supervision.col.{c}") for c in caselist.CASE_COLUMNS]
    assert list(table["按时办结"]) == ["是", "是", "是", "否"]


def test_unknown_subset_is_refused():
    with pytest.raises(ValueError, match="subset"):
        CaseSelection("everything")


def test_scope_holds_in_the_list(handcount_view):
    from xiaoneng.filters import Scope
    from xiaoneng.metrics import SnapshotView

    restricted = SnapshotView(handcount_view.info, Scope(("C01",)))
    # a C01 user asking for C02's open cases sees none
    assert ids(restricted, CaseSelection("open", county_code="C02")) == []
    assert ids(restricted, CaseSelection("open")) == ["K07", "K09"]


def _plan(view, selection: CaseSelection) -> str:
    """DuckDB's physical plan of queries/case_list.sql for October and ``selection``."""
    from xiaoneng import queries
    from xiaoneng.filters import compile_filters

    layer = view.layer
    cursor = queries._shared_connection().cursor()
    try:
        prepared = layer._prepare(cursor)
        layer._bind(prepared, {"rectify_default_wd": 10, **compile_filters(OCTOBER, layer.scope)})
        params = {**OCTOBER.period.bounds(view.as_of), **selection.query_params(), "limit_rows": 50, "offset_rows": 0}
        return cursor.execute("explain " + queries.load_sql("case_list"), params).fetchall()[0][1]
    finally:
        cursor.close()


def test_without_a_step_or_post_the_list_never_reads_the_steps_to_select(handcount_view):
    """The cases_with_step subquery is guarded: without a step or post it is an empty result in the
    plan (the steps are read once, for the page's step trace); with one it is two scans more (the
    steps and the cases their view is scoped by)."""
    plain = _plan(handcount_view, CaseSelection("completed"))
    by_step = _plan(handcount_view, CaseSelection("completed", step_name="审核"))
    assert plain.count("Empty Result") == 1 and "Empty Result" not in by_step
    assert by_step.count("READ_PARQUET") - plain.count("READ_PARQUET") == 2

"""Every indicator on the hand-counted fixture (tests/handcount.py explains each number)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from xiaoneng.cli import main
from xiaoneng.filters import Filters, Period
from xiaoneng.indicators import catalog
from xiaoneng.metrics import headline, indicator_table, indicator_table_with_changes
from xiaoneng.scoring import add_composite_score

OCTOBER = {
    "cases_accepted": 8,
    "avg_elapsed_wd": 6.0,  # 承诺件 completed: K05 9, K10 3, K13 6 (K11 is immediate: 即办率)
    "median_elapsed_wd": 6.0,
    "p90_elapsed_wd": 8.4,  # 6 + 0.8 × (9 − 6)
    "on_time_rate": 60.0,  # due K05, K06, K10, K11, K13; by the deadline K05, K10, K11
    "completion_on_time_rate": 75.0,  # completed with a deadline K05, K10, K11, K13; late K13
    "open_overdue": 1,  # K06
    "open_yellow": 2,  # K07 due today, K08 one working day left
    "immediate_rate": 100.0,  # K11
    "promise_compression_rate": 64.0,  # 1 − 18/50
    "early_completion_rate": 100 / 3,  # K05 of K05, K10, K13
    "online_rate": 50.0,
    "good_rate": 100 * 2 / 7,  # R1, R5
    "bad_rate": 100 * 3 / 7,  # R2, R4, R8 (R6 found unfounded on 10-23)
    "satisfied_rate": 100 * 3 / 7,  # R1, R3, R5
    "rating_coverage": 75.0,  # K05 (R1), K10 (R3), K13 (R2) of 4 completed
    "rectification_rate": 50.0,  # due in October R2 (rectified, late), R4 (pending); R8 due 11-06
    "rectified_on_time_rate": 0.0,  # R2 rectified 10-30, after its due day 10-29
    "satisfaction_index": 62.5,  # wave 2026H1 mean 3.5
    "task_on_time_rate": 100 / 3,  # T1 of T1, T2, T3
}


def _attain(indicator: str, value: float) -> float:
    """min(1, value ÷ target) for higher-better, min(1, target ÷ value) for lower-better."""
    ind = catalog()[indicator]
    return min(1.0, value / ind.target) if ind.better == "higher" else min(1.0, ind.target / value)


# Composite: Σ weight × attainment over the weighted indicators ÷ Σ weight.
OCTOBER_COMPOSITE = 100 * sum(
    catalog()[k].weight * _attain(k, OCTOBER[k]) for k in catalog() if catalog()[k].weight
) / sum(ind.weight for ind in catalog().values() if ind.weight)


def _total(view, period: str, **filters) -> dict:
    table = indicator_table(view, Filters(Period.parse(period), **filters))
    assert len(table) == 1
    return table.iloc[0].to_dict()


def test_every_catalog_indicator_is_asserted():
    assert set(OCTOBER) == set(catalog())


@pytest.mark.parametrize("key", sorted(OCTOBER))
def test_october_2026_city(handcount_view, key):
    assert _total(handcount_view, "2026-10")[key] == pytest.approx(OCTOBER[key], abs=1e-9)


def test_october_composite_score(handcount_view):
    assert _total(handcount_view, "2026-10")["composite_score"] == pytest.approx(OCTOBER_COMPOSITE, abs=1e-9)


def test_february_2026_spring_festival(handcount_view):
    feb = _total(handcount_view, "2026-02")  # state moment: midnight after 02-28
    assert feb["cases_accepted"] == 4
    assert feb["completed"] == 3  # K01 on the make-up Saturday 02-28, K03, K04
    # due in February: K02 (02-28, still open at its close), K03 (same day), K04 (02-13, done 02-14)
    assert (feb["due_cases"], feb["due_on_time"]) == (3, 1)
    assert feb["on_time_rate"] == pytest.approx(100 / 3)
    assert feb["completion_on_time_rate"] == pytest.approx(200 / 3)  # K01, K03 of K01, K03, K04
    assert feb["open_overdue"] == 1  # K02: its deadline's day 02-28 closed at the end of February
    assert feb["open_yellow"] == 0
    assert feb["avg_elapsed_wd"] == 7  # 承诺件 completed: K01 only
    assert (feb["median_elapsed_wd"], feb["p90_elapsed_wd"]) == (7, 7)
    assert feb["immediate_rate"] == 50.0  # K03 same day, K04 next day
    assert feb["early_completion_rate"] == 100.0  # K01, 3 working days early
    assert feb["online_rate"] == 25.0  # K02
    assert feb["rating_coverage"] == pytest.approx(100 / 3)  # K01 (R7)
    assert feb["satisfaction_index"] == 25.0  # 2025H2 (mean 2) is the latest wave completed by then


def test_march_2026_the_two_on_time_rates_differ(handcount_view):
    march = _total(handcount_view, "2026-03")
    assert (march["due_cases"], march["due_on_time"], march["on_time_rate"]) == (1, 1, 100.0)  # K01, due 03-04
    assert (march["completed"], march["completion_on_time_rate"]) == (1, 0.0)  # K02, late
    assert march["avg_elapsed_wd"] == 6
    assert march["open_overdue"] == 0


def test_june_2026_deadlines_on_the_same_day_are_the_same_deadline(handcount_view):
    june = _total(handcount_view, "2026-06")
    assert june["cases_accepted"] == 2  # K14, K15
    # K14's system deadline 06-30 23:59:59 and K15's derived one (06-30) are both passed at the end
    # of June, both cases open then
    assert (june["due_cases"], june["due_on_time"], june["on_time_rate"]) == (2, 0, 0.0)
    assert (june["open_overdue"], june["open_yellow"]) == (2, 0)
    assert june["completed"] == 0 and pd.isna(june["avg_elapsed_wd"]) and pd.isna(june["completion_on_time_rate"])
    assert (june["ratings"], june["bad_rate"], june["good_rate"]) == (2, 100.0, 0.0)
    # due for rectification in June: R9 (06-30, rectified only on 07-06) and R10 (no due time: 10
    # working days after 06-11 = 06-26; rectified 06-15)
    assert (june["bad_due"], june["bad_rectified"], june["bad_rectified_on_time"]) == (2, 1, 1)
    assert june["rectification_rate"] == 50.0
    assert june["task_on_time_rate"] == 50.0  # T7 done on its due day after its due time; T6 the day after
    assert june["satisfaction_index"] == 62.5  # 2026H1, completed on 06-30
    assert june["promise_compression_rate"] == pytest.approx(100 * (1 - 5 / 15))  # I02
    assert june["online_rate"] == 50.0  # K15


def test_july_2026_completions_after_the_period_they_were_due_in(handcount_view):
    july = _total(handcount_view, "2026-07")
    assert july["cases_accepted"] == 0  # a month with completions has data: 0 accepted is a real 0
    assert july["completed"] == 2
    assert july["avg_elapsed_wd"] == 7.5  # K14 7, K15 8
    assert july["completion_on_time_rate"] == 0.0
    assert july["due_cases"] == 0 and pd.isna(july["on_time_rate"])
    assert july["open_overdue"] == 0
    assert july["rating_coverage"] == 0.0
    assert july["bad_due"] == 0 and pd.isna(july["rectification_rate"])  # R9 was due in June


def test_survey_wave_follows_the_period(handcount_view):
    assert _total(handcount_view, "2026-05")["satisfaction_index"] == 25.0  # 2025H2: mean 2
    assert _total(handcount_view, "2026-05")["survey_wave"] == "2025H2"
    assert _total(handcount_view, "2026-06")["survey_wave"] == "2026H1"


@pytest.mark.parametrize("period", ["2026-12", "2026-11-01..2026-11-30", "2025", "2025-10"])
def test_a_period_without_data_is_no_data(handcount_view, period):
    """A future month and a year before the data: no figure at all, no rank, never 0."""
    total = _total(handcount_view, period)
    assert not total["has_cases"]
    for key in catalog():
        assert pd.isna(total[key]), key
    assert pd.isna(total["composite_score"]) and pd.isna(total["rank"])
    assert indicator_table(handcount_view, Filters(Period.parse(period)), by="county").empty


def test_an_empty_filter_combination_is_no_data(handcount_view):
    total = _total(handcount_view, "2026-10", channels=("kiosk",), item_types=("行政许可",))
    assert not total["has_cases"]
    assert pd.isna(total["cases_accepted"]) and pd.isna(total["open_overdue"]) and pd.isna(total["on_time_rate"])
    assert pd.isna(total["composite_score"])


def test_by_county(handcount_view):
    table = indicator_table(handcount_view, Filters(Period.parse("2026-10")), by="county").set_index("county_code")
    assert table.loc["C01", "county_name"] == "甲区"
    assert table.loc["C01", "cases_accepted"] == 4  # K07, K09, K11, K13
    assert table.loc["C01", "on_time_rate"] == pytest.approx(200 / 3)  # due K05, K11 on time; K13 late
    assert table.loc["C02", "on_time_rate"] == 50.0  # due K10 on time; K06 still open
    assert table.loc["C02", "open_overdue"] == 1
    assert table.loc["C01", "task_on_time_rate"] == 50.0  # T1 on time, T3 overdue (T5's day not closed)
    assert table.loc["C02", "task_on_time_rate"] == 0.0
    assert sorted(table["rank"]) == [1, 2]
    assert table["small_base"].all()  # 4 accepted cases each, under the minimum of 30


def test_filters_change_the_numbers(handcount_view):
    c02 = _total(handcount_view, "2026-10", counties=("C02",))
    assert (c02["cases_accepted"], c02["on_time_rate"]) == (4, 50.0)
    window = _total(handcount_view, "2026-10", channels=("window",))
    assert window["cases_accepted"] == 4  # K08, K09, K11, K12
    licences = _total(handcount_view, "2026-10", item_types=("行政许可",))
    assert licences["cases_accepted"] == 4  # K06, K07, K09, K12 (I01, I02)
    assert licences["promise_compression_rate"] == pytest.approx(100 * (1 - 15 / 35))
    d02 = _total(handcount_view, "2026-10", departments=("D02",))
    assert d02["ratings"] == 4  # R2, R3, R5, R6
    assert (d02["ratings_unfounded"], d02["bad_due"], d02["rectification_rate"]) == (1, 1, 100.0)  # R6; R2
    d01 = _total(handcount_view, "2026-10", departments=("D01",))
    assert (d01["bad_due"], d01["rectification_rate"]) == (1, 0.0)  # R4 overdue (R8 due in November)


def test_headline_like_for_like_in_a_running_month(handcount_view):
    """The snapshot (Fri 10-30 17:00) falls inside October: it is compared with 1–30 September and
    1–30 October 2025, which the snapshot does not cover (no comparable figure)."""
    values = {h.indicator.key: h for h in headline(handcount_view, Filters(Period.parse("2026-10")))}
    cases = values["cases_accepted"]
    assert cases.through == dt.date(2026, 10, 30)
    assert (cases.value, cases.previous, cases.year_ago) == (8, 1, None)  # September: K05
    assert cases.change_previous == 700.0  # percent
    assert cases.change_year_ago is None
    index = values["satisfaction_index"]
    assert (index.previous, index.change_previous) == (62.5, 0.0)  # points
    assert values["on_time_rate"].previous is None  # nothing was due in September
    assert values["on_time_rate"].meets_target is False
    assert values["on_time_rate"].gap_to_target == pytest.approx(-35.0)


def test_headline_of_a_closed_month(handcount_view):
    values = {h.indicator.key: h for h in headline(handcount_view, Filters(Period.parse("2026-07")))}
    assert values["cases_accepted"].through is None
    assert (values["cases_accepted"].value, values["cases_accepted"].previous) == (0, 2)  # June: K14, K15
    assert values["open_overdue"].previous == 2


def test_running_quarter_compares_the_same_span():
    as_of = dt.datetime(2026, 10, 30, 17, 0)
    previous, year_ago = Period.parse("2026-Q4").comparisons(as_of)
    assert (previous.start, previous.end) == (dt.date(2026, 7, 1), dt.date(2026, 7, 30))
    assert (year_ago.start, year_ago.end) == (dt.date(2025, 10, 1), dt.date(2025, 10, 30))
    previous, year_ago = Period.parse("2026").comparisons(as_of)
    assert (previous.start, previous.end) == (dt.date(2025, 1, 1), dt.date(2025, 10, 30))
    closed = Period.parse("2026-Q3")
    assert closed.comparisons(as_of) == (Period.parse("2026-Q2"), Period.parse("2025-Q3"))
    # a snapshot at 23:59:59 on the last day reads the close of that day: the month is complete
    assert not Period.parse("2026-10").is_running(dt.datetime(2026, 10, 31, 23, 59, 59))


def test_analyst_weights_do_not_change_the_published_ones(handcount_view):
    table = indicator_table(handcount_view, Filters(Period.parse("2026-10")))
    only_on_time = add_composite_score(table, {"on_time_rate": 1})
    assert only_on_time["composite_score"].iloc[0] == pytest.approx(100 * 60 / 95)
    assert indicator_table(handcount_view, Filters(Period.parse("2026-10")))["composite_score"].iloc[0] == \
        pytest.approx(OCTOBER_COMPOSITE)


def test_cli_prints_the_hand_counted_numbers(handcount_store, monkeypatch, capsys):
    monkeypatch.setenv("XIAONENG_DATA", str(handcount_store.parent))
    assert main(["indicators", "--snapshot", "handcount", "--period", "2026-10", "--by", "county",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = {r["county_code"]: r for r in out["rows"]}
    assert rows["C02"]["on_time_rate"] == 50.0
    assert rows["C01"]["cases_accepted"] == 4
    assert main(["indicators", "--snapshot", "handcount", "--period", "2026-10", "--format", "csv"]) == 0
    header, row = capsys.readouterr().out.strip().splitlines()
    assert dict(zip(header.split(","), row.split(","), strict=True))["on_time_rate"] == "60.0000"


def test_every_indicator_has_previous_period_and_year_ago(handcount_view):
    table = indicator_table_with_changes(handcount_view, Filters(Period.parse("2026-03")), by="county")
    table = table.set_index("county_code")
    assert table.loc["C01", "on_time_rate"] == 100.0  # K01 due 03-04, completed 02-28
    assert table.loc["C01", "on_time_rate_previous"] == 0.0  # February: K02 due 02-28, still open
    assert table.loc["C02", "immediate_rate_previous"] == 50.0  # February: K03 same day, K04 not
    assert pd.isna(table.loc["C01", "on_time_rate_year_ago"])  # 2025-03: not covered
    assert pd.isna(table.loc["C01", "cases_accepted_year_ago"])  # no comparable figure, not 0
    assert {f"{k}_{s}" for k in catalog() for s in ("previous", "year_ago")} <= set(table.columns)

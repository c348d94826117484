"""Every indicator on the hand-counted fixture (tests/handcount.py explains each number)."""

from __future__ import annotations

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
    "avg_elapsed_wd": 4.5,  # (9 + 3 + 0 + 6) / 4
    "median_elapsed_wd": 4.5,
    "p90_elapsed_wd": 8.1,  # 6 + 0.7 × (9 − 6)
    "on_time_rate": 60.0,  # 3 on time ÷ (4 completed + 1 open overdue)
    "open_overdue": 1,  # K06
    "open_yellow": 2,  # K07 due today, K08 one working day left
    "immediate_rate": 100.0,  # K11
    "promise_compression_rate": 64.0,  # 1 − 18/50
    "early_completion_rate": 25.0,  # K05
    "online_rate": 50.0,
    "good_rate": 100 * 2 / 7,
    "bad_rate": 100 * 4 / 7,
    "satisfied_rate": 100 * 3 / 7,
    "rating_coverage": 75.0,
    "rectification_rate": 50.0,  # R2 of R2, R4 (R8 not yet due, R6 unfounded)
    "rectified_on_time_rate": 0.0,  # R2 rectified after its due time
    "satisfaction_index": 62.5,  # wave 2026H1 mean 3.5
    "task_on_time_rate": 100 / 3,
}

# Composite: Σ weight × min(1, attainment) over the weighted indicators (weights add to 100).
OCTOBER_COMPOSITE = (
    10 * 1  # mean time 4.5 ≤ target 5
    + 20 * 60 / 95
    + 5 * 1
    + 5 * 25 / 60
    + 10 * 50 / 60
    + 5 * 1 / (400 / 7)  # bad-review rate: target 1 % ÷ 4/7
    + 10 * (300 / 7) / 98
    + 10 * 50 / 100
    + 15 * 62.5 / 85
    + 10 * (100 / 3) / 95
)


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
    feb = _total(handcount_view, "2026-02")
    assert feb["cases_accepted"] == 4
    assert feb["completed"] == 3  # K01 on the make-up Saturday 02-28, K03, K04
    assert feb["on_time_rate"] == pytest.approx(100 * 2 / 3)  # K02 is due at the close of 02-28, not overdue
    assert feb["open_overdue"] == 0
    assert feb["open_yellow"] == 1  # K02, due that very day
    assert feb["avg_elapsed_wd"] == pytest.approx(8 / 3)
    assert feb["median_elapsed_wd"] == 1
    assert feb["p90_elapsed_wd"] == pytest.approx(5.8)
    assert feb["immediate_rate"] == 50.0  # K03 same day, K04 next day
    assert feb["early_completion_rate"] == pytest.approx(100 / 3)
    assert feb["online_rate"] == 25.0
    assert feb["satisfaction_index"] == 62.5  # 2026H1 had started by the end of February


def test_march_2026_late_completion(handcount_view):
    march = _total(handcount_view, "2026-03")
    assert (march["completed"], march["completed_on_time"], march["on_time_rate"]) == (1, 0, 0.0)
    assert march["avg_elapsed_wd"] == 6


def test_survey_wave_follows_the_period(handcount_view):
    assert _total(handcount_view, "2025-10")["satisfaction_index"] == 25.0  # 2025H2: mean 2
    assert _total(handcount_view, "2025-03")["survey_wave"] is None


def test_by_county(handcount_view):
    table = indicator_table(handcount_view, Filters(Period.parse("2026-10")), by="county").set_index("county_code")
    assert table.loc["C01", "county_name"] == "甲区"
    assert table.loc["C01", "cases_accepted"] == 4
    assert table.loc["C01", "on_time_rate"] == pytest.approx(200 / 3)  # K05, K11 on time; K13 late
    assert table.loc["C02", "on_time_rate"] == 50.0  # K10 on time; K06 open overdue
    assert table.loc["C02", "open_overdue"] == 1
    assert table.loc["C01", "task_on_time_rate"] == 50.0  # T1 on time, T3 overdue (T5 not yet due)
    assert table.loc["C02", "task_on_time_rate"] == 0.0
    assert sorted(table["rank"]) == [1, 2]


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
    assert (d02["bad_verified"], d02["bad_due"], d02["rectification_rate"]) == (1, 1, 100.0)  # R2
    d01 = _total(handcount_view, "2026-10", departments=("D01",))
    assert (d01["bad_verified"], d01["bad_due"], d01["rectification_rate"]) == (2, 1, 0.0)  # R4 overdue, R8 not due


def test_headline_with_previous_period_and_year_ago(handcount_view):
    values = {h.indicator.key: h for h in headline(handcount_view, Filters(Period.parse("2026-10")))}
    cases = values["cases_accepted"]
    assert (cases.value, cases.previous, cases.year_ago) == (8, 1, 0)  # September: K05
    assert cases.change_previous == 700.0  # percent
    index = values["satisfaction_index"]
    assert (index.previous, index.change_previous) == (62.5, 0.0)  # points
    assert values["on_time_rate"].previous is None  # nothing completed or overdue in September
    assert values["on_time_rate"].meets_target is False
    assert values["on_time_rate"].gap_to_target == pytest.approx(-35.0)


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
    assert table.loc["C01", "on_time_rate"] == 0.0  # K02 completed late in March
    assert table.loc["C01", "on_time_rate_previous"] == 100.0  # February: K01 on time, K02 due not overdue
    assert table.loc["C02", "immediate_rate_previous"] == 50.0  # February: K03 same day, K04 not
    assert pd.isna(table.loc["C01", "on_time_rate_year_ago"])
    assert {f"{k}_{s}" for k in catalog() for s in ("previous", "year_ago")} <= set(table.columns)

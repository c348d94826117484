"""Unit profile on the hand-counted fixture (tests/handcount.py explains every number)."""

from __future__ import annotations

import pandas as pd
import pytest

from xiaoneng.filters import Filters, Period
from xiaoneng.profile import months_up_to, rank_among, unit_history, unit_vs_peers

OCTOBER = Filters(Period.parse("2026-10"))


def test_county_against_its_peer(handcount_view):
    rows = unit_vs_peers(handcount_view, OCTOBER, "zh", level="county", county="C02").set_index("key")
    # C02: K10 on time, K06 open overdue → 50 %; C01: K05, K11 on time, K13 late → 66.7 %
    assert rows.loc["on_time_rate", "value"] == 50.0
    assert rows.loc["on_time_rate", "peer_median"] == pytest.approx((50.0 + 200 / 3) / 2)
    assert rows.loc["on_time_rate", "rank"] == 2
    assert rows.loc["on_time_rate", "peers"] == 2
    assert rows.loc["open_overdue", "rank"] == 2  # one red light against none: lower is better
    assert pd.isna(rows.loc["cases_accepted", "rank"])  # a volume has no better direction
    assert rows.loc["cases_accepted", "previous"] == 0  # September: only K05, in C01
    assert {"composite_score", "task_on_time_rate"} <= set(rows.index)


def test_a_county_department_is_compared_with_the_same_department_elsewhere(handcount_view):
    rows = unit_vs_peers(handcount_view, OCTOBER, "zh", level="county,dept", county="C01", dept="D02")
    rows = rows.set_index("key")
    # C01/D02 completed K11 (on time) and K13 (late); C02/D02 completed K10 on time and has K08 open, not overdue
    assert rows.loc["on_time_rate", "value"] == 50.0
    assert rows.loc["on_time_rate", "rank"] == 2
    assert rows.loc["cases_accepted", "value"] == 2


def test_history_ranks_month_by_month(handcount_view):
    history = unit_history(handcount_view, OCTOBER, "zh", level="county", county="C01", months=3)
    assert list(history["month"]) == ["2026-08", "2026-09", "2026-10"]
    october = history.set_index("month").loc["2026-10"]
    assert october["on_time_rate"] == pytest.approx(200 / 3)
    assert october["rank"] in (1, 2) and october["peers"] == 2


def test_profiles_need_their_unit():
    with pytest.raises(ValueError, match="needs a department"):
        unit_vs_peers(None, OCTOBER, "zh", level="county,dept", county="C01")


def test_months_and_ranks():
    assert [p.key for p in months_up_to(Period.parse("2026-Q1"), 4)] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    ranks = rank_among(pd.Series([1.0, 3.0, None, 3.0]), "higher")
    assert list(ranks.astype("object")) == [3, 1, pd.NA, 1]

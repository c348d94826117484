"""The query layer: every query runs, filters compile to bound variables, the scope cannot be escaped."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import re

import pandas as pd
import pytest

from xiaoneng import queries
from xiaoneng.filters import Filters, Period, Scope, compile_filters
from xiaoneng.metrics import SnapshotView, indicator_table
from xiaoneng.paths import QUERIES_DIR
from xiaoneng.queries import QueryError, QueryLayer, load_sql, parameters_of, query_names

# Queries the snapshot store runs while publishing (on raw input, before any view exists).
PUBLISH_QUERIES = {"cases_with_timing"}


def _params(view: SnapshotView) -> dict:
    """A value for every parameter name any query uses."""
    return {
        **Period.parse("2026-10").bounds(view.as_of),
        "by_county": True,
        "by_dept": True,
        # approval times (elapsed_by_unit, late_case_steps); item_code below
        "by_item": True,
        "by_step": True,
        "by_post": True,
        # satisfaction and supervised tasks (rating_rates, survey_scores, task_completion)
        "by_channel": True,
        "by_month": True,
        "by_dimension": True,
        "by_group": True,
        "by_source": True,
        # drill-through and supervision (queries/case_list.sql, on_time_trend.sql, backlog_aging.sql)
        "subset": "open",
        "county_code": None,
        "dept_code": None,
        "item_code": None,
        "step_name": None,
        "handler_post": None,
        "age_min_wd": None,
        "age_max_wd": None,
        "limit_rows": 50,
        "offset_rows": 0,
        "trend_start": dt.datetime(2025, 11, 1),
        "trend_end": dt.datetime(2026, 11, 1),
        "snapshot_at": view.snapshot_at,
        # the state checkpoints of the rollups (xiaoneng.rollups.checkpoint_at)
        "state_cp": dt.datetime(2026, 10, 1),
        "present_cp": view.snapshot_at,
        "age_bounds_wd": [5, 10, 20],
        # a 通报's rectification deadline (queries/working_days_after.sql)
        "after_day": dt.date(2026, 10, 30),
        "working_days": 10,
        # the reviews behind the Satisfaction page's numbers (queries/review_list.sql)
        "bad_only": True,
        "fell_due": False,
        "score": None,
        "rectify_state": None,
        "reason": None,
        # the honesty checks (queries/integrity_*.sql, thresholds of config/integrity.yaml)
        "min_promised_wd": 1,
        "max_wait_wd": 3,
        "max_minutes": 15,
        "batch_min_cases": 3,
        "window_minutes": 60,
        "max_gap_wd": 3,
    }


@pytest.mark.parametrize("name", [n for n in query_names() if n not in PUBLISH_QUERIES])
def test_every_query_runs_on_the_fixture(handcount_view, name):
    sql = load_sql(name)
    params = _params(handcount_view)
    assert parameters_of(sql) <= params.keys(), f"give tests a value for {parameters_of(sql) - params.keys()}"
    frame = handcount_view.layer.run(name, Filters(Period.parse("2026-10")), **params)
    assert len(frame.columns) > 0


def test_query_files_read_only_the_scoped_views():
    for path in QUERIES_DIR.glob("*.sql"):
        text = path.read_text(encoding="utf-8").lower()
        assert "read_parquet" not in text and "read_csv" not in text, f"{path.name} reads files directly"
        assert "getvariable" not in text, f"{path.name} touches the scope/filter variables"
        assert not re.search(r"\{[a-z_]*\}", text), f"{path.name} has a format placeholder"


@pytest.mark.parametrize(
    ("filters", "scope", "expected"),
    [
        (None, Scope.everything(),
         {"scope_counties": None, "f_counties": None, "f_depts": None, "f_item_types": None, "f_channels": None}),
        (Filters(Period.parse("2026-10"), counties=("C02", "C01", "C01")), Scope.everything(),
         {"scope_counties": None, "f_counties": ["C01", "C02"], "f_depts": None, "f_item_types": None,
          "f_channels": None}),
        (Filters(Period.parse("2026-10"), departments=("D01",), item_types=("行政许可",), channels=("online",)),
         Scope(("C01",)),
         {"scope_counties": ["C01"], "f_counties": None, "f_depts": ["D01"], "f_item_types": ["行政许可"],
          "f_channels": ["online"]}),
        (Filters(Period.parse("2026-10"), counties=("",)), Scope(()),
         {"scope_counties": [], "f_counties": None, "f_depts": None, "f_item_types": None, "f_channels": None}),
    ],
)
def test_filters_compile_to_bound_variables(filters, scope, expected):
    assert compile_filters(filters, scope) == expected


@pytest.mark.parametrize(
    ("text", "start", "end", "previous", "year_ago"),
    [
        ("2026-10", "2026-10-01", "2026-10-31", "2026-09", "2025-10"),
        ("2026-03", "2026-03-01", "2026-03-31", "2026-02", "2025-03"),
        ("2026-01", "2026-01-01", "2026-01-31", "2025-12", "2025-01"),
        ("2026-Q1", "2026-01-01", "2026-03-31", "2025-Q4", "2025-Q1"),
        ("2024", "2024-01-01", "2024-12-31", "2023", "2023"),
        ("2026-02-01..2026-02-10", "2026-02-01", "2026-02-10", "2026-01-22..2026-01-31",
         "2025-02-01..2025-02-10"),
    ],
)
def test_periods(text, start, end, previous, year_ago):
    period = Period.parse(text)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    assert period.previous().key == previous
    assert period.year_ago().key == year_ago
    assert Period.parse(period.key) == period


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "26-10", "2026-10-05..2026-10-01", "'; drop table x"])
def test_bad_periods_are_refused(bad):
    with pytest.raises(ValueError):
        Period.parse(bad)


def test_period_bounds_cap_the_state_at_the_snapshot_time():
    as_of = dt.datetime(2026, 10, 30, 17)
    bounds = Period.parse("2026-10").bounds(as_of)
    assert bounds["period_start"] == dt.datetime(2026, 10, 1)
    assert bounds["period_end"] == dt.datetime(2026, 11, 1)
    # state moments are exclusive: the snapshot's second has happened, and a past period is read at
    # the close of its last day (midnight), when a deadline of that day has passed
    assert bounds["state_at"] == dt.datetime(2026, 10, 30, 17, 0, 1)
    assert Period.parse("2026-09").bounds(as_of)["state_at"] == dt.datetime(2026, 10, 1)
    assert Period.parse("2026-10").bounds(dt.datetime(2026, 10, 31, 23, 59, 59))["state_at"] == dt.datetime(2026, 11, 1)


def test_url_round_trip():
    filters = Filters(Period.parse("2026-Q3"), counties=("C02", "C01"), channels=("online",))
    params = filters.to_query_params()
    assert params == {"period": "2026-Q3", "counties": "C01,C02", "channels": "online"}
    assert Filters.from_query_params(params, "2026-10") == filters
    assert Filters.from_query_params({"period": "garbage"}, "2026-10").period.key == "2026-10"


@pytest.mark.parametrize("name", [n for n in query_names() if n not in PUBLISH_QUERIES])
def test_scope_cannot_be_escaped(handcount_view, name):
    """A C01 user sees no C02 row in any query, even when a filter asks for C02."""
    restricted = QueryLayer(handcount_view.info.path, Scope(("C01",)))
    params = _params(handcount_view)
    for filters in (None, Filters(Period.parse("2026-10"), counties=("C02",))):
        frame = restricted.run(name, filters, **params)
        if "county_code" in frame:
            assert set(frame["county_code"].dropna()) <= {"C01"}, name


def test_scope_restricts_every_view(handcount_view):
    restricted = SnapshotView(handcount_view.info, Scope(("C01",)))
    full = indicator_table(handcount_view, Filters(Period.parse("2026-10"))).iloc[0]
    mine = indicator_table(restricted, Filters(Period.parse("2026-10"))).iloc[0]
    assert (full["cases_accepted"], mine["cases_accepted"]) == (8, 4)
    assert (full["ratings"], mine["ratings"]) == (7, 3)  # R1, R2, R5
    assert (full["tasks_due"], mine["tasks_due"]) == (3, 2)
    assert mine["survey_responses"] == 2
    asking_for_c02 = indicator_table(restricted, Filters(Period.parse("2026-10"), counties=("C02",))).iloc[0]
    assert pd.isna(asking_for_c02["cases_accepted"])  # nothing visible: no data, not 0
    assert list(restricted.layer.run("county_list")["county_code"]) == ["C01"]


def test_missing_parameters_and_unknown_queries_are_clear_errors(handcount_view):
    with pytest.raises(QueryError, match="needs parameters"):
        handcount_view.layer.run("indicator_measures", None)
    with pytest.raises(QueryError, match="no query file"):
        handcount_view.layer.run("no_such_query")


# ---------------------------------------------------------------- prepared cursors (one per call, reused)

@pytest.fixture
def preparations(monkeypatch) -> list[tuple[str, tuple[str, ...] | None]]:
    """The (snapshot, scope) of every cursor the layer prepares (creates the views and macros on)."""
    made = []
    real = QueryLayer._prepare

    def counted(layer, cursor, rollups=False):
        made.append((layer.snapshot_path.name, layer.scope.counties))
        return real(layer, cursor, rollups)

    monkeypatch.setattr(QueryLayer, "_prepare", counted)
    queries._idle.clear()  # cursors kept by earlier tests would hide the first preparation
    queries.forget_answers()  # and so would their answers, kept: those queries would not run at all
    return made


def test_views_are_made_once_per_snapshot_and_scope(handcount_view, preparations):
    path = handcount_view.info.path
    for _ in range(3):
        assert list(QueryLayer(path).run("county_list")["county_code"]) == ["C01", "C02"]
        assert list(QueryLayer(path, Scope(("C01",))).run("county_list")["county_code"]) == ["C01"]
    assert preparations == [("handcount", None), ("handcount", ("C01",))]


def test_a_kept_cursor_binds_each_calls_filters(handcount_view, preparations):
    layer = handcount_view.layer
    october = Filters(Period.parse("2026-10"))
    city = {**_params(handcount_view), "by_county": False, "by_dept": False}
    accepted = lambda filters: int(layer.run("indicator_measures", filters, **city)["cases_accepted"].iloc[0])  # noqa: E731
    assert accepted(october) == 8
    assert accepted(Filters(october.period, counties=("C02",))) == 4
    assert accepted(Filters(october.period, counties=("C02",), channels=("window",))) == 2  # K08, K12
    queries.forget_answers()  # the next call runs on the kept cursor, not from the kept answer
    assert accepted(october) == 8  # the filters of the calls before are gone
    assert len(preparations) == 1


def test_concurrent_calls_of_different_scopes_never_share_a_cursor(handcount_view, preparations):
    path = handcount_view.info.path
    scopes = {None: ["C01", "C02"], ("C01",): ["C01"], ("C02",): ["C02"]}

    def answers(scope: tuple[str, ...] | None) -> list[list[str]]:
        layer = QueryLayer(path, Scope(scope))
        return [list(layer.run("county_list", Filters(Period.parse("2026-10")))["county_code"]) for _ in range(15)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        work = {pool.submit(answers, scope): scope for scope in [*scopes, *scopes]}
        for done in concurrent.futures.as_completed(work):
            assert done.result() == [scopes[work[done]]] * 15
    assert set(preparations) == {("handcount", scope) for scope in scopes}
    assert len(preparations) <= 2 * len(scopes)  # at most one cursor per thread at a time for each scope


def test_a_failed_query_does_not_keep_its_cursor(handcount_view, preparations):
    with pytest.raises(QueryError, match="needs parameters"):
        handcount_view.layer.run("indicator_measures", None)
    with pytest.raises(QueryError, match=r"case_list\.sql failed"):
        handcount_view.layer.run("case_list", None, **{**_params(handcount_view), "limit_rows": -1})
    assert len(handcount_view.layer.run("county_list")) == 2
    assert len(preparations) == 2  # the cursor of the failed query was closed, a new one prepared


def test_kept_answers_stay_within_their_byte_budget(monkeypatch):
    """Answers are kept least recently used first out once they hold more than the budget; a list of
    rows is never kept; callers get copies."""
    from xiaoneng import queries

    queries.forget_answers()
    frame = pd.DataFrame({"n": range(100)})  # 800 bytes of values and 132 of index
    monkeypatch.setattr(queries, "ANSWERS_MAX_BYTES", 3 * int(frame.memory_usage(index=True, deep=True).sum()))
    for i in range(5):
        queries._keep_answer(("snapshot", i), frame)
    assert [key[1] for key in queries._answers] == [2, 3, 4]
    assert queries._kept_answer(("snapshot", 0)) is None
    kept = queries._kept_answer(("snapshot", 4))
    kept["n"] = -1
    assert queries._kept_answer(("snapshot", 4))["n"].tolist() == list(range(100))
    queries._keep_answer(("rows", 0), pd.DataFrame({"n": range(queries.ANSWER_MAX_ROWS + 1)}))
    assert queries._kept_answer(("rows", 0)) is None
    queries.forget_answers()
    assert not queries._answers and queries._answers_bytes == 0

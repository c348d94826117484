"""The demo generator: deterministic, conforming to the contract, consistent, and telling its stories."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from xiaoneng import demo
from xiaoneng.asof import cut_at
from xiaoneng.reference import load_calendar, load_dimensions
from xiaoneng.schema import FACT_TABLES, REFERENCE_TABLES
from xiaoneng.snapshots import SnapshotError, SnapshotStore

SMALL = 5_000
STORY_CASES = 30_000
AS_OF = demo.DEFAULT_AS_OF
CUT = dt.datetime(2026, 9, 30, 23, 59, 59)
# Columns that record events; deadlines (deadline_at, rectify_due_at, due_at) may lie after the snapshot time.
EVENT_COLUMNS = {
    "cases": ("received_at", "accepted_at", "completed_at"),
    "case_steps": ("started_at", "ended_at"),
    "ratings": ("rated_at", "verified_at", "rectified_at"),
    "tasks": ("assigned_at", "completed_at"),
}


@pytest.fixture(scope="module")
def reference() -> dict[str, pa.Table]:
    return load_dimensions()


@pytest.fixture(scope="module")
def calendar():
    return load_calendar()


@pytest.fixture(scope="module")
def facts(reference, calendar) -> dict[str, pa.Table]:
    return demo.generate(20_000, reference=reference, calendar=calendar)


@pytest.fixture(scope="module")
def cut(reference, calendar) -> dict[str, pa.Table]:
    """The default world of the ``facts`` fixture as known on 30 September."""
    return demo.generate(20_000, as_of=CUT, reference=reference, calendar=calendar)


@pytest.fixture(params=["facts", "cut"])
def world(request) -> tuple[dict[str, pa.Table], dt.datetime]:
    """Both the default world and its cut, with their snapshot times: the same invariants hold in each."""
    return request.getfixturevalue(request.param), {"facts": AS_OF, "cut": CUT}[request.param]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    store = SnapshotStore(tmp_path_factory.mktemp("snapshots"))
    info = demo.build_demo_snapshot(store, "demo-test", cases=STORY_CASES)
    con = duckdb.connect()
    for name in ("cases", "case_steps", "ratings", "surveys", "tasks", "calendar"):
        con.execute(f"create view {name} as select * from read_parquet('{info.table_path(name)}')")
    yield info, con
    con.close()


def _value(con, sql: str, params=None):
    return con.execute(sql, params or []).fetchone()[0]


# --- reference data ---------------------------------------------------------------------------------


def test_reference_files_follow_the_contract(reference):
    for name, table in reference.items():
        assert table.column_names == REFERENCE_TABLES[name].column_names
    counties, depts, items = reference["counties"], reference["departments"], reference["items"]
    assert counties.num_rows == 9 and depts.num_rows == 20 and 250 <= items.num_rows <= 350
    assert set(counties.column("kind").to_pylist()) == {"区", "县", "县级市"}
    assert len(set(items.column("item_code").to_pylist())) == items.num_rows
    assert len(set(items.column("name_zh").to_pylist())) == items.num_rows
    assert set(items.column("dept_code").to_pylist()) == set(depts.column("dept_code").to_pylist())
    legal = items.column("legal_limit_wd").to_pylist()
    promised = items.column("promised_limit_wd").to_pylist()
    assert all(p is not None and (lg is None or p <= lg) for p, lg in zip(promised, legal, strict=True))
    immediate = sum(p == 0 for p in promised) / len(promised)
    assert 0.15 <= immediate <= 0.3
    item_types = set(items.column("item_type").to_pylist())
    assert item_types == {"行政许可", "行政确认", "行政给付", "公共服务", "其他行政权力"}
    assert set(demo.STORY_ITEMS) <= set(items.column("item_code").to_pylist())


# --- determinism and contract -----------------------------------------------------------------------


def test_same_seed_gives_identical_tables(reference, calendar):
    a = demo.generate(SMALL, seed=7, reference=reference, calendar=calendar)
    b = demo.generate(SMALL, seed=7, reference=reference, calendar=calendar)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].equals(b[name]), name


def test_different_seed_gives_different_tables(reference, calendar):
    a = demo.generate(SMALL, seed=7, reference=reference, calendar=calendar)
    b = demo.generate(SMALL, seed=8, reference=reference, calendar=calendar)
    for name in ("cases", "case_steps", "ratings", "surveys", "tasks"):
        assert not a[name].equals(b[name]), name


def test_tables_have_the_contract_schema(facts):
    assert set(facts) == set(FACT_TABLES)
    for name, table in facts.items():
        assert table.schema.equals(FACT_TABLES[name].arrow_schema()), name
        assert table.num_rows > 0
        for col in FACT_TABLES[name].columns:
            if col.required:
                assert table.column(col.name).null_count == 0, f"{name}.{col.name}"
            if col.accepted:
                assert set(pc.unique(table.column(col.name).drop_null()).to_pylist()) <= set(col.accepted)
            values = table.column(col.name)
            if col.min_value is not None and len(values) > values.null_count:
                assert pc.min(values).as_py() >= col.min_value, f"{name}.{col.name}"
            if col.max_value is not None and len(values) > values.null_count:
                assert pc.max(values).as_py() <= col.max_value, f"{name}.{col.name}"


def test_keys_are_unique(facts):
    for name, spec in FACT_TABLES.items():
        if spec.key:
            column = facts[name].column(spec.key)
            assert pc.count_distinct(column).as_py() == len(column), name
    steps = facts["case_steps"]
    pairs = pc.binary_join_element_wise(steps.column("case_id"), steps.column("step_no").cast(pa.string()), "#")
    assert pc.count_distinct(pairs).as_py() == steps.num_rows


def test_codes_exist_in_the_reference(facts, reference):
    known = {
        "county_code": set(reference["counties"].column("county_code").to_pylist()),
        "dept_code": set(reference["departments"].column("dept_code").to_pylist()),
        "item_code": set(reference["items"].column("item_code").to_pylist()),
    }
    for name, table in facts.items():
        for column, codes in known.items():
            if column in table.column_names:
                assert set(pc.unique(table.column(column).drop_null()).to_pylist()) <= codes, f"{name}.{column}"
    item_dept = dict(zip(reference["items"].column("item_code").to_pylist(),
                         reference["items"].column("dept_code").to_pylist(), strict=True))
    cases = facts["cases"].select(["item_code", "dept_code"]).to_pydict()
    assert all(item_dept[i] == d for i, d in zip(cases["item_code"], cases["dept_code"], strict=True))
    case_ids = facts["cases"].column("case_id")
    assert pc.all(pc.is_in(facts["case_steps"].column("case_id"), value_set=case_ids)).as_py()
    rated = facts["ratings"].column("case_id").drop_null()
    assert pc.all(pc.is_in(rated, value_set=case_ids)).as_py()


def test_cases_carry_the_limits_of_their_item(facts, reference):
    con = duckdb.connect()
    con.register("cases", facts["cases"])
    con.register("items", reference["items"])
    mismatched = _value(con, """
        select count(*) from cases c join items i using (item_code)
        where c.promised_limit_wd is distinct from i.promised_limit_wd
           or c.legal_limit_wd is distinct from i.legal_limit_wd""")
    assert mismatched == 0


# --- time consistency --------------------------------------------------------------------------------


def test_nothing_happens_after_the_snapshot_time(world):
    facts, as_of = world
    limit = pa.scalar(as_of, type=pa.timestamp("us"))
    for name, columns in EVENT_COLUMNS.items():
        for column in columns:
            latest = pc.max(facts[name].column(column)).as_py()
            assert latest is not None and latest <= as_of, f"{name}.{column}: {latest}"
            assert pc.sum(pc.greater(facts[name].column(column), limit)).as_py() in (0, None)


def test_case_times_are_in_order(world):
    facts, _ = world
    con = duckdb.connect()
    con.register("cases", facts["cases"])
    bad = _value(con, """
        select count(*) from cases
        where received_at > accepted_at or completed_at < accepted_at or deadline_at < accepted_at
           or (status = 'in_progress') <> (completed_at is null)
           or accepted_at < timestamp '2025-01-01'""")
    assert bad == 0


def test_cases_are_accepted_on_working_days(facts, calendar):
    days = facts["cases"].column("accepted_at").cast(pa.date32()).to_numpy().astype("datetime64[D]")
    assert calendar.is_working_day_array(days).all()
    # make-up working weekend days are used; online applications arrive on days off too
    weekday = (days.astype(np.int64) + 3) % 7
    assert (weekday >= 5).any()
    received = facts["cases"].column("received_at").cast(pa.date32()).to_numpy().astype("datetime64[D]")
    assert (~calendar.is_working_day_array(received)).sum() > 0


def test_system_deadlines_follow_the_working_day_rule(facts, calendar):
    cases = facts["cases"].filter(pc.is_valid(facts["cases"].column("deadline_at")))
    share = cases.num_rows / facts["cases"].num_rows
    assert 0.15 <= share <= 0.25
    rows = cases.select(["accepted_at", "deadline_at", "promised_limit_wd", "suspended_wd"]).slice(0, 300).to_pylist()
    for row in rows:
        expected = calendar.add_working_days(row["accepted_at"].date(), row["promised_limit_wd"] + row["suspended_wd"])
        assert row["deadline_at"] == dt.datetime.combine(expected, dt.time(23, 59, 59))


def test_steps_are_consistent_with_their_case(world):
    facts, _ = world
    con = duckdb.connect()
    con.register("cases", facts["cases"])
    con.register("steps", facts["case_steps"])
    row = con.execute("""
        with per_case as (
            select case_id, count(*) as n, min(started_at) as first_start, max(ended_at) as last_end,
                   count(*) - count(ended_at) as open_steps, sum(step_limit_wd) as limits,
                   bool_and(step_no <= n_steps) as numbered
            from (select *, count(*) over (partition by case_id) as n_steps from steps)
            group by case_id
        )
        select
            count(*) filter (where c.status in ('completed', 'denied', 'in_progress') and p.n not between 1 and 5),
            count(*) filter (where c.status in ('completed', 'denied') and p.n not between 3 and 5),
            count(*) filter (where c.status = 'refused' and p.n not between 1 and 2),
            count(*) filter (where p.first_start <> c.accepted_at),
            count(*) filter (where c.status <> 'in_progress' and (p.last_end <> c.completed_at or p.open_steps > 0)),
            count(*) filter (where c.status = 'in_progress' and p.open_steps <> 1),
            count(*) filter (where c.status in ('completed', 'denied') and p.limits <> c.promised_limit_wd),
            count(*) filter (where not p.numbered),
            (select count(*) from cases) - count(*)
        from cases c join per_case p using (case_id)
    """).fetchone()
    assert row == (0,) * 9
    backwards = _value(con, """
        select count(*) from (
            select started_at, ended_at, lag(ended_at) over (partition by case_id order by step_no) as previous_end
            from steps)
        where ended_at < started_at or started_at <> coalesce(previous_end, started_at)""")
    assert backwards == 0


def test_ratings_and_tasks_are_consistent(world):
    facts, _ = world
    con = duckdb.connect()
    con.register("cases", facts["cases"])
    con.register("ratings", facts["ratings"])
    con.register("tasks", facts["tasks"])
    assert _value(con, """
        select count(*) from ratings r join cases c using (case_id)
        where r.rated_at < c.completed_at or c.status not in ('completed', 'denied')
           or r.county_code <> c.county_code or r.item_code <> c.item_code""") == 0
    assert _value(con, """
        select count(*) from ratings
        where (score <= 2) <> (rectify_status is not null)
           or (rectify_status = 'rectified') <> (rectified_at is not null)
           or (revisit_score is not null) <> (rectify_status = 'rectified')
           or verified_at < rated_at or rectified_at < verified_at or rectify_due_at < verified_at""") == 0
    coverage = _value(con, """
        select count(distinct r.case_id) / (select count(*) from cases where status in ('completed', 'denied'))
        from ratings r""")
    assert 0.35 <= coverage <= 0.45
    assert _value(con, """
        select count(*) from tasks
        where due_at <= assigned_at or completed_at < assigned_at
           or (status = 'completed') <> (completed_at is not null)""") == 0


def test_statuses_denied_and_refused_replace_rejected(facts, reference):
    con = duckdb.connect()
    con.register("cases", facts["cases"])
    con.register("items", reference["items"])
    statuses = dict(con.execute("select status, count(*) from cases group by 1").fetchall())
    assert set(statuses) == {"completed", "in_progress", "denied", "refused", "withdrawn"}
    shares = dict(con.execute("""
        select i.item_type = '行政许可', 100.0 * avg((c.status = 'denied')::int)
        from cases c join items i using (item_code) group by 1""").fetchall())
    assert 0.8 <= shares[True] <= 2.5 and shares[False] < 1.0
    assert 0.7 <= 100.0 * statuses["refused"] / facts["cases"].num_rows <= 1.3
    # Refused at intake: decided soon, never open, nothing promised, not rated; denied cases are decisions.
    # Soon: within two working days, which across the Spring Festival or National Day week is 11 days.
    wrong, same_day = con.execute("""
        select count(*) filter (where completed_at is null or deadline_at is not null or suspended_wd <> 0
                                 or completed_at > accepted_at + interval 12 days),
               count(*) filter (where cast(completed_at as date) = cast(accepted_at as date))
        from cases where status = 'refused'""").fetchall()[0]
    assert wrong == 0 and same_day >= 0.6 * statuses["refused"]
    con.register("ratings", facts["ratings"])
    assert _value(con, """select count(*) from ratings r join cases c using (case_id)
                          where c.status = 'refused'""") == 0
    assert _value(con, """select count(*) from ratings r join cases c using (case_id)
                          where c.status = 'denied'""") > 0


def test_the_cut_is_the_default_world_filtered_by_the_rules(facts, cut):
    """demo --as-of 2026-09-30 shows the default world as it stood then: the same cases, fewer events."""
    con = duckdb.connect()
    for name in FACT_TABLES:
        con.register(f"full_{name}", facts[name])
        con.register(f"cut_{name}", cut[name])
    con.execute("set variable cut = timestamp '2026-09-30 23:59:59'")
    # Every case of the cut is a case of the world, with what was recorded at acceptance unchanged.
    assert _value(con, """
        select count(*) from cut_cases c left join full_cases f using (case_id)
        where f.case_id is null or c.accepted_at <> f.accepted_at or c.received_at <> f.received_at
           or c.deadline_at is distinct from f.deadline_at or c.suspended_wd <> f.suspended_wd
           or c.promised_limit_wd is distinct from f.promised_limit_wd
           or c.legal_limit_wd is distinct from f.legal_limit_wd or c.item_code <> f.item_code
           or c.county_code <> f.county_code or c.channel <> f.channel""") == 0
    # ... and every case of the world accepted by then is there, unless refused after it.
    expected = _value(con, """
        select count(*) from full_cases where accepted_at <= getvariable('cut')
           and not (status = 'refused' and completed_at > getvariable('cut'))""")
    assert cut["cases"].num_rows == expected < facts["cases"].num_rows
    # Completions by the cut are equal; later ones are open.
    assert _value(con, """
        select count(*) from cut_cases c join full_cases f using (case_id)
        where case when f.completed_at <= getvariable('cut')
                    then c.completed_at is distinct from f.completed_at or c.status <> f.status
                    else c.completed_at is not null or c.status <> 'in_progress' end""") == 0
    reopened = _value(con, """select count(*) from cut_cases c join full_cases f using (case_id)
                              where c.status = 'in_progress' and f.status <> 'in_progress'""")
    assert reopened > 0
    # Steps: those begun by the cut, ended only when they had ended by then.
    assert _value(con, """
        select count(*) from full_case_steps f join cut_cases using (case_id)
        where f.started_at <= getvariable('cut')""") == cut["case_steps"].num_rows
    assert _value(con, """
        select count(*) from cut_case_steps c join full_case_steps f using (case_id, step_no)
        where c.started_at <> f.started_at or c.handler_post <> f.handler_post
           or c.ended_at is distinct from (case when f.ended_at <= getvariable('cut') then f.ended_at end)""") == 0
    # Ratings given by the cut; rectification known only once done.
    assert _value(con, "select count(*) from full_ratings where rated_at <= getvariable('cut')") == \
        cut["ratings"].num_rows
    assert _value(con, """
        select count(*) from cut_ratings c join full_ratings f using (rating_id)
        where c.score <> f.score
           or c.verified_at is distinct from (case when f.verified_at <= getvariable('cut') then f.verified_at end)
           or c.rectified_at is distinct from
              (case when f.rectified_at <= getvariable('cut') then f.rectified_at end)
           or (f.rectified_at > getvariable('cut') and c.rectify_status <> 'pending')""") == 0
    # Tasks assigned by the cut; completions after it undone.
    assert _value(con, """
        select count(*) from cut_tasks c join full_tasks f using (task_id)
        where c.due_at <> f.due_at or c.completed_at is distinct from
              (case when f.completed_at <= getvariable('cut') then f.completed_at end)""") == 0
    assert _value(con, "select count(*) from full_tasks where assigned_at <= getvariable('cut')") == \
        cut["tasks"].num_rows
    # The survey waves completed by 30 September are those of the world.
    assert cut["surveys"].equals(facts["surveys"])
    assert sorted(pc.unique(cut["surveys"].column("wave")).to_pylist()) == \
        [w for w, _, _ in demo._waves(demo.DEFAULT_START, CUT)]


def test_a_cut_at_the_horizon_changes_nothing_and_an_earlier_one_drops_a_wave(facts):
    again = cut_at(facts, AS_OF)
    for name in FACT_TABLES:
        assert again[name].equals(facts[name]), name
    june = cut_at(facts, dt.datetime(2026, 6, 29, 23, 59, 59))
    assert sorted(pc.unique(june["surveys"].column("wave")).to_pylist()) == ["2025H1", "2025H2"]


def test_an_as_of_after_the_default_horizon_is_generated_directly(reference, calendar):
    later = dt.datetime(2026, 12, 20, 23, 59, 59)
    facts = demo.generate(SMALL, as_of=later, reference=reference, calendar=calendar)
    assert facts["cases"].num_rows == SMALL
    latest = pc.max(facts["cases"].column("accepted_at")).as_py()
    assert dt.datetime(2026, 12, 1) < latest <= later
    with pytest.raises(ValueError):
        demo.generate(SMALL, as_of=dt.datetime(2024, 12, 31), reference=reference, calendar=calendar)


def test_surveys_cover_the_waves_run_by_the_snapshot_time(facts):
    surveys = facts["surveys"]
    assert sorted(pc.unique(surveys.column("wave")).to_pylist()) == ["2025H1", "2025H2", "2026H1"]
    assert 10_000 <= surveys.num_rows <= 100_000
    per_response = surveys.group_by("response_id").aggregate([("dimension", "count_distinct")])
    assert set(per_response.column("dimension_count_distinct").to_pylist()) == {5}


# --- publishing ---------------------------------------------------------------------------------------


def test_build_publishes_and_if_absent_skips(published, capsys):
    info, _ = published
    store = SnapshotStore(info.path.parent)
    assert info.manifest["producer"] == "demo"
    assert info.manifest["report"]["seed"] == demo.DEFAULT_SEED
    assert info.manifest["report"]["cases"] == STORY_CASES
    # the world of STORY_CASES runs to the horizon (30 November); October's snapshot holds those accepted by then
    accepted = _value(published[1], "select count(*) from cases")
    assert info.row_counts["cases"] == accepted and 0.93 * STORY_CASES < accepted < 0.97 * STORY_CASES
    assert info.manifest["report"]["horizon"] == demo.DEFAULT_HORIZON.isoformat()
    assert info.manifest["cases_outside_calendar"] == 0
    assert info.as_of == AS_OF
    assert demo.build_demo_snapshot(store, "demo-test", cases=10, if_absent=True) is None
    assert "demo-test" in capsys.readouterr().out
    with pytest.raises(SnapshotError):
        demo.build_demo_snapshot(store, "demo-test", cases=10)
    assert [s.snapshot_id for s in store.list()] == ["demo-test"]
    for name in FACT_TABLES:
        assert pq.read_metadata(info.table_path(name)).num_rows == info.row_counts[name]


def test_cli_builds_a_snapshot(tmp_path, monkeypatch, capsys):
    import argparse
    import shutil

    from xiaoneng.paths import reference_dir

    shutil.copytree(reference_dir(), tmp_path / "reference")
    monkeypatch.setenv("XIAONENG_DATA", str(tmp_path))
    parser = argparse.ArgumentParser()
    demo.add_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["demo", "--snapshot-id", "cli-test", "--cases", "2000", "--seed", "3"])
    assert args.run(args) == 0
    assert "cli-test" in capsys.readouterr().out
    info = SnapshotStore(tmp_path / "snapshots").get("cli-test")
    assert (info.manifest["report"]["seed"], info.manifest["report"]["cases"]) == (3, 2000)
    args = parser.parse_args(["demo", "--snapshot-id", "cli-test", "--if-absent"])
    assert args.run(args) == 0
    assert "exists" in capsys.readouterr().out


def test_cli_as_of_publishes_the_default_world_cut_then(tmp_path, monkeypatch, capsys, reference, calendar):
    import argparse
    import shutil

    from xiaoneng.paths import reference_dir

    shutil.copytree(reference_dir(), tmp_path / "reference")
    monkeypatch.setenv("XIAONENG_DATA", str(tmp_path))
    parser = argparse.ArgumentParser()
    demo.add_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["demo", "--snapshot-id", "demo-0930", "--cases", "2000", "--seed", "3",
                              "--as-of", "2026-09-30"])
    assert args.run(args) == 0
    assert "demo-0930" in capsys.readouterr().out
    info = SnapshotStore(tmp_path / "snapshots").get("demo-0930")
    assert info.as_of == CUT
    report = info.manifest["report"]
    assert (report["seed"], report["cases"], report["as_of"]) == (3, 2000, "2026-09-30T23:59:59")
    assert report["horizon"] == demo.DEFAULT_HORIZON.isoformat() and report["cut"] is True
    expected = cut_at(demo.generate(2000, seed=3, reference=reference, calendar=calendar), CUT)
    for name in FACT_TABLES:
        assert info.row_counts[name] == expected[name].num_rows, name
    columns = ["case_id", "status", "completed_at", "accepted_at"]
    published = pq.read_table(info.table_path("cases"), columns=columns)
    assert published.sort_by("case_id").to_pylist() == expected["cases"].select(columns).sort_by("case_id").to_pylist()
    with pytest.raises(SystemExit):
        parser.parse_args(["demo", "--as-of", "30.9.2026"])


# --- the stories, from the published cases (derived on_time, elapsed_wd, is_online) --------------------


ON_TIME_RATE = """
    select 100.0 * count(*) filter (where on_time)
           / count(*) filter (where is_completed or (status = 'in_progress' and deadline_at < $as_of))
    from cases where accepted_at >= $start and accepted_at < $end {where}
"""


def _on_time(con, start: str, end: str, where: str = "") -> float:
    return _value(con, ON_TIME_RATE.format(where=where), {"as_of": AS_OF, "start": start, "end": end})


def test_city_on_time_rate_is_realistic(published):
    _, con = published
    rate = _on_time(con, "2025-01-01", "2026-11-01")
    assert 93.0 <= rate <= 97.0
    immediate = _value(con, """
        select 100.0 * count(*) filter (where elapsed_wd = 0) / count(*)
        from cases where is_immediate and is_completed""")
    assert immediate >= 93.0
    red = _value(con, "select count(*) from cases where status = 'in_progress' and deadline_at < $as_of",
                 {"as_of": AS_OF})
    assert red > 0


def test_story_county_improves_after_the_campaign(published):
    _, con = published
    county = f"and county_code = '{demo.STORY_COUNTY}'"
    before = _on_time(con, "2025-07-01", "2025-10-01", county)
    after = _on_time(con, "2026-07-01", "2026-10-01", county)
    assert before < 88.0
    assert after >= before + 8.0
    assert after >= 94.0


def test_story_department_deteriorates_in_its_review_step(published):
    _, con = published
    elapsed = """select avg(elapsed_wd) from cases
                 where is_completed and dept_code = $dept and accepted_at >= $start and accepted_at < $end"""
    before = _value(con, elapsed, {"dept": demo.STORY_DEPT, "start": "2025-07-01", "end": "2025-10-01"})
    after = _value(con, elapsed, {"dept": demo.STORY_DEPT, "start": "2026-07-01", "end": "2026-10-01"})
    assert after > before + 0.5
    dept = f"and dept_code = '{demo.STORY_DEPT}'"
    assert _on_time(con, "2026-07-01", "2026-10-01", dept) < _on_time(con, "2025-07-01", "2025-10-01", dept) - 4.0
    # Trace-back: in its late cases, the working days beyond the step limits sit at one post of the 审核 step.
    top_step, top_post, share = con.execute("""
        with late_steps as (
            select s.step_name, s.handler_post,
                   greatest(0, e.wd_index - b.wd_index - s.step_limit_wd) as overrun
            from case_steps s
            join cases c using (case_id)
            join calendar b on b.date = cast(s.started_at as date)
            join calendar e on e.date = cast(s.ended_at as date)
            where c.is_completed and not c.on_time and c.dept_code = $dept and c.accepted_at >= '2026-01-01'
        )
        select step_name, handler_post, sum(overrun) / (select sum(overrun) from late_steps)
        from late_steps group by all order by sum(overrun) desc limit 1
    """, {"dept": demo.STORY_DEPT}).fetchone()
    assert (top_step, top_post) == (demo.STORY_STEP, demo.STORY_POST)
    assert share > 0.5


def test_satisfaction_falls_where_cases_run_late(published):
    _, con = published
    on_time, late = con.execute("""
        select avg(r.score) filter (where c.on_time), avg(r.score) filter (where not c.on_time)
        from ratings r join cases c using (case_id)""").fetchone()
    assert late < on_time - 0.8
    survey = """select avg(score) from surveys where dept_code = $dept and dimension = '办事效率' and wave = $wave"""
    assert (_value(con, survey, {"dept": demo.STORY_DEPT, "wave": "2026H1"})
            < _value(con, survey, {"dept": demo.STORY_DEPT, "wave": "2025H1"}))


def test_online_share_grows(published):
    _, con = published
    share = "select 100.0 * avg(is_online::int) from cases where accepted_at >= $start and accepted_at < $end"
    early = _value(con, share, {"start": "2025-01-01", "end": "2025-07-01"})
    late = _value(con, share, {"start": "2026-07-01", "end": "2026-11-01"})
    assert late > early + 10.0


def test_volume_follows_the_calendar(published):
    _, con = published
    weeks = dict(con.execute("""
        select date_trunc('week', accepted_at)::date, count(*) from cases
        where accepted_at >= '2026-01-12' and accepted_at < '2026-03-16' group by 1""").fetchall())
    before_festival = weeks[dt.date(2026, 2, 9)]  # the week before the Spring Festival holiday (2026-02-15..23)
    backlog = weeks[dt.date(2026, 3, 2)]  # the second week after it
    normal = weeks[dt.date(2026, 1, 19)]
    assert before_festival < 0.8 * normal
    assert backlog > normal

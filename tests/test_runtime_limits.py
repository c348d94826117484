"""The query engine's limits (config/runtime.yaml): a query past the time limit is interrupted and
named, a page shows the limit's message instead of a traceback, and the memory limit is set."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from xiaoneng import queries
from xiaoneng.queries import EngineLimits, QueryLayer, QueryOutOfMemory, QueryTimeout

SLOW_SQL = "select count(*) from range(100000000000) a, range(10) b"


@pytest.fixture
def slow_query(monkeypatch):
    """A query named 'slow' that would run for minutes, and a 0.3 s time limit."""
    real = queries.load_sql
    monkeypatch.setattr(queries, "load_sql", lambda name: SLOW_SQL if name == "slow" else real(name))
    monkeypatch.setattr(queries, "engine_limits", lambda: EngineLimits("6GB", 0.3))


def test_a_query_past_the_time_limit_is_interrupted_and_named(slow_query, handcount_view):
    with pytest.raises(QueryTimeout) as stopped:
        QueryLayer(handcount_view.info.path).run("slow")
    assert str(stopped.value) == "queries/slow.sql was stopped after 0.3 s (query_timeout_s)"
    # the cursor is usable again: the next query on the shared database answers
    assert QueryLayer(handcount_view.info.path).run("case_date_range").shape[0] == 1


def test_the_limits_come_from_the_config_and_the_environment(monkeypatch):
    queries.engine_limits.cache_clear()
    monkeypatch.setenv("XIAONENG_QUERY_TIMEOUT", "7.5")
    monkeypatch.setenv("XIAONENG_DUCKDB_MEMORY", "3GB")
    try:
        assert queries.engine_limits() == EngineLimits("3GB", 7.5)
        queries.engine_limits.cache_clear()
        monkeypatch.delenv("XIAONENG_QUERY_TIMEOUT")
        monkeypatch.delenv("XIAONENG_DUCKDB_MEMORY")
        assert queries.engine_limits() == EngineLimits("6GB", 120.0)
    finally:
        queries.engine_limits.cache_clear()


def test_the_shared_database_has_the_memory_limit():
    setting = queries._shared_connection().execute("select current_setting('memory_limit')").fetchone()[0]
    assert setting == "5.5 GiB"  # DuckDB shows 6GB (10^9 bytes) in GiB


PAGE_RAISING = '''
import streamlit as st
from xiaoneng import pageguard
from xiaoneng.queries import {error}

def page():
    raise {error}({args})

pageguard.run_page(st.navigation([st.Page(page, title="p")]), "{lang}")
'''


@pytest.mark.parametrize(("error", "args", "lang", "message"), [
    ("QueryTimeout", "'overview', 120.0", "zh",
     "这一页的查询超过了 120 秒的时限，已停止，以免影响其他用户。请缩小时段或筛选范围后再试；仍然超时请联系管理员。"),
    ("QueryOutOfMemory", "'case_list', '6GB'", "en",
     "A query of this page needed more than the query engine's memory limit (6GB) and was stopped so that "
     "other users are not held up. Narrow the period or the filters and try again."),
])
def test_a_page_stopped_by_a_limit_says_so(error, args, lang, message):
    at = AppTest.from_string(PAGE_RAISING.format(error=error, args=args, lang=lang)).run()
    assert not at.exception
    assert [e.value for e in at.error] == [message]


def test_the_page_guard_knows_every_limit():
    assert {QueryTimeout, QueryOutOfMemory} == set(queries.QueryLimitError.__subclasses__())


def test_the_served_app_hides_error_details_limits_uploads_and_listens_on_localhost():
    import subprocess
    import tomllib

    from xiaoneng.paths import REPO_ROOT

    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["maxUploadSize"] == 100
    env = {k: v for k, v in os.environ.items() if k != "XIAONENG_ADDRESS"}
    dry_run = subprocess.run(["make", "-n", "run"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                             check=True).stdout
    assert "--server.address 127.0.0.1 " in dry_run
    dry_run = subprocess.run(["make", "-n", "run"], cwd=REPO_ROOT, env={**env, "XIAONENG_ADDRESS": "0.0.0.0"},
                             capture_output=True, text=True, check=True).stdout
    assert "--server.address 0.0.0.0 " in dry_run

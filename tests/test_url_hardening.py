"""Hardening found by probing (issue 9, point 5): text from the URL or the data is never Markdown,
out-of-range periods give a message instead of an OverflowError, an invalid period in a link says it
was replaced, unknown county codes are reported. On the hand-counted fixture (snapshot 'handcount',
data to 30 Oct 2026)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from xiaoneng import auth
from xiaoneng.filters import Filters, Period, context_line
from xiaoneng.i18n import t
from xiaoneng.markup import escape_markdown

ROOT = Path(__file__).resolve().parents[1]
ANALYST = auth.User("analyst-1", "analyst")
LINK = "[登录](http://x)"
IMAGE = "![x](http://x/y.png)"


@pytest.fixture
def folder(data_folder, monkeypatch) -> Path:
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    return data_folder


def overview(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60)
    auth.start_session(at.session_state, ANALYST)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def test_escape_markdown_leaves_no_link_image_directive_or_html():
    assert escape_markdown(LINK) == r"\[登录\]\(http\://x\)"
    assert escape_markdown(IMAGE) == r"\!\[x\]\(http\://x/y\.png\)"
    assert escape_markdown(":red[乙县] <b>x</b> $x$ *a* `c`") == \
        r"\:red\[乙县\] \<b\>x\</b\> \$x\$ \*a\* \`c\`"
    assert escape_markdown("甲区\n# 标题") == r"甲区 \# 标题"
    assert escape_markdown("2026-10 handcount 乙县") == "2026-10 handcount 乙县"  # plain text stays as it is


@pytest.mark.parametrize("wanted", [LINK, IMAGE])
def test_a_snapshot_in_the_link_is_shown_as_typed_never_as_markdown(folder, wanted):
    at = overview(snapshot=wanted)
    assert not at.exception
    assert [w.value for w in at.warning] == [
        t("filters.snapshot_missing", snapshot=escape_markdown(wanted), latest="handcount")]
    assert wanted not in at.warning[0].value and "](" not in at.warning[0].value


def test_the_context_line_escapes_names_and_ids():
    line = context_line(dt.datetime(2026, 10, 30, 17), "[x](http://x)",
                        Filters(Period.parse("2026-10"), counties=("C01",)),
                        {"C01": "![甲区](http://x/y.png)"}, {}, "zh", escape=escape_markdown)
    assert "](" not in line and r"\!\[甲区\]" in line and r"\[x\]\(http\://x\)" in line


@pytest.mark.parametrize("period", ["9999", "0001-01-01..0001-12-31", "9999-12", "0001-Q1", "2026-13"])
def test_an_invalid_period_in_the_link_is_replaced_and_said(folder, period):
    at = overview(period=period)
    assert not at.exception
    assert [w.value for w in at.warning] == [
        t("scope_notice.period_replaced", period=escape_markdown(period), default="2026年10月")]
    assert at.selectbox(key="filter_period").value == "2026-10"
    assert at.metric  # the default period's cards


@pytest.mark.parametrize("text", ["9999", "0001-01-01..0001-12-31", "1899-12", "2201"])
def test_periods_off_the_calendar_are_refused_when_parsed(text):
    with pytest.raises(ValueError, match="outside the years 1900–2200"):
        Period.parse(text)


def test_periods_at_the_edges_compare_without_overflow():
    for text in ("1900-01", "2200", "2200-12-01..2200-12-31"):
        period = Period.parse(text)
        previous, year_ago = period.comparisons(dt.datetime(2200, 12, 31))
        assert previous.end < period.start and year_ago.start.year == period.start.year - 1
        assert period.bounds(dt.datetime(2200, 12, 31))["period_end"] == \
            dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())


def _cli(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"XIAONENG_DATA": str(folder), "PATH": "/usr/bin:/bin", "HOME": str(folder)}
    return subprocess.run([sys.executable, "-m", "xiaoneng", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("period", ["9999", "0001-01-01..0001-12-31"])
def test_the_indicators_cli_refuses_an_out_of_range_period_without_a_traceback(folder, period):
    done = _cli(folder, "indicators", "--period", period, "--with-changes", "--by", "county")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "OverflowError" not in done.stderr
    assert done.stderr.strip() == t("cli.bad_period", period=period,
                                    error=f"period {period!r} lies outside the years 1900–2200")


def test_the_indicators_cli_reports_unknown_county_codes(folder):
    done = _cli(folder, "indicators", "--counties", "C02,C77")
    assert done.returncode == 2
    assert done.stderr.strip() == t("scope_notice.cli_unknown_counties", codes="C77", snapshot="handcount",
                                    known="C01 甲区, C02 乙县")


def test_unknown_codes_in_the_link_are_reported(folder):
    at = overview(counties="C77", departments="D99", channels="fax")
    assert not at.exception
    assert [w.value for w in at.warning] == [
        t("scope_notice.dropped_counties", codes="C77"), t("scope_notice.dropped_departments", codes="D99"),
        t("scope_notice.dropped_channels", codes="fax")]
    assert at.multiselect(key="filter_counties").value == []

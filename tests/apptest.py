"""Helpers for AppTest-based page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from xiaoneng import auth
from xiaoneng.filters import Period

# Who AppTest tests are signed in as unless they say otherwise (the conftest `page` and test_app `app`
# fixtures): an admin, who sees every county and every control.
TEST_ADMIN = auth.User("test-admin", "admin")


def signed_in(at: AppTest, user: auth.User = TEST_ADMIN) -> AppTest:
    """``at`` with ``user`` signed in (the session the sign-in page would start), for its next run."""
    auth.start_session(at.session_state, user)
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    """The page's st.metric cards: label → displayed value."""
    return {m.label: m.value for m in at.metric}


def html_bodies(at: AppTest) -> list[str]:
    """The bodies of the page's st.html elements (AppTest has no typed accessor for them)."""
    return [element.proto.body for element in at.get("html")]


def metrics_before_and_after_county(at: AppTest, county: str = "C02") -> tuple[dict[str, str], dict[str, str]]:
    """The page's cards before and after the sidebar's county filter is set to ``county``; the page
    must run without an exception and its cards must change."""
    at.run()
    before = metric_values(at)
    at.multiselect(key="filter_counties").set_value([county]).run()
    assert not at.exception
    after = metric_values(at)
    assert after != before
    return before, after


def page_texts(at: AppTest) -> list[str]:
    """Every piece of text the page shows: titles, notices, captions, Markdown, cards (label and
    value), text boxes, HTML bodies and the cells and headers of its tables."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "info", "warning", "error", "success", "caption", "markdown",
                 "text"):
        texts += [str(element.value) for element in getattr(at, kind)]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    texts += [str(box.value) for box in at.text_area]
    texts += html_bodies(at)
    for table in (*at.dataframe, *at.table):
        frame = table.value
        frame = getattr(frame, "data", frame)  # a Styler holds its frame as .data
        texts += [str(c) for c in frame.columns]
        texts += [str(v) for v in frame.astype(str).to_numpy().ravel()]
    return texts


def chart_figures(at: AppTest) -> list[dict]:
    """The Plotly figures of the page, as their JSON specs."""
    import json

    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def assert_no_data_for(at: AppTest, period: str) -> None:
    """Run the page for ``period`` (one the snapshot has no data for): no exception, an info that starts
    with 无数据 and names the period, and no number, chart or table."""
    at.query_params["period"] = period
    at.run()
    assert not at.exception
    assert any(i.value.startswith("无数据") and Period.parse(period).label() in i.value for i in at.info)
    assert not at.metric and not at.get("plotly_chart") and not at.dataframe


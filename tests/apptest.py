"""Helpers for AppTest-based page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


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

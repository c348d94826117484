"""Helpers for AppTest-based page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def metric_values(at: AppTest) -> dict[str, str]:
    """The page's st.metric cards: label → displayed value."""
    return {m.label: m.value for m in at.metric}


def html_bodies(at: AppTest) -> list[str]:
    """The bodies of the page's st.html elements (AppTest has no typed accessor for them)."""
    return [element.proto.body for element in at.get("html")]

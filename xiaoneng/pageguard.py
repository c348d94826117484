"""Run the chosen page so that a query stopped by the engine's limits (config/runtime.yaml) ends in
a message for the user, not a traceback; the other sessions keep their memory and time."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from xiaoneng.i18n import t
from xiaoneng.queries import QueryLimitError, QueryOutOfMemory, QueryTimeout


def limit_message(error: QueryLimitError, lang: str) -> str:
    if isinstance(error, QueryTimeout):
        return t("limits.query_timeout", lang, seconds=f"{error.seconds:g}")
    if isinstance(error, QueryOutOfMemory):
        return t("limits.out_of_memory", lang, limit=error.limit)
    raise TypeError(f"no message for {type(error).__name__}")


def run_page(page: StreamlitPage, lang: str) -> None:
    try:
        page.run()
    except QueryLimitError as error:
        st.error(limit_message(error, lang), icon=":material/hourglass_disabled:")

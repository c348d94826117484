"""指标口径 Indicator definitions: every indicator of the catalog (config/indicators.yaml)."""

import streamlit as st

from xiaoneng import session
from xiaoneng.i18n import indicator_definitions, t
from xiaoneng.scoring import published_weights

ctx = session.context()
lang = ctx.lang

st.title(t("definitions.title", lang))
session.show_context_line(ctx)
st.markdown(t("definitions.intro", lang))
st.table(indicator_definitions(lang), hide_index=True)
st.caption(t("definitions.weight_total", lang, total=f"{sum(published_weights().values()):g}"))

"""指标口径 Indicator definitions: every indicator of the catalog (config/indicators.yaml) and the
counting rules that go with every number (its ``rules``: the default rectification time, the
minimum base of a ranked unit; no data is not zero; like for like). Data: xiaoneng.datapage."""

import streamlit as st

from xiaoneng import datapage, session
from xiaoneng.i18n import indicator_definitions, t
from xiaoneng.scoring import published_weights

ctx = session.context()
lang = ctx.lang

st.title(t("definitions.title", lang))
session.show_context_line(ctx)
st.markdown(t("definitions.intro", lang))
st.table(indicator_definitions(lang), hide_index=True)
st.caption(t("definitions.weight_total", lang, total=f"{sum(published_weights().values()):g}"))
st.subheader(t("definitions.rules_header", lang))
st.caption(t("definitions.rules_intro", lang))
st.markdown(datapage.counting_rules_markdown(lang))

"""效能看板 entry point: page routing and the global filters, nothing else.

Run with ``make run`` (builds the demo snapshot first) or ``streamlit run app.py``.
Everything a page shows comes from the xiaoneng package; the filters live in
xiaoneng/session.py (sidebar + URL).
"""

import streamlit as st

from xiaoneng import session
from xiaoneng.i18n import t

session.leave_pages_folder_mode()
lang = session.current_lang()
st.set_page_config(page_title=t("app.title", lang), page_icon=t("app.page_icon", lang), layout="wide",
                   initial_sidebar_state=session.SIDEBAR_WIDTH_PX)

pages = {
    t("nav.group_overview", lang): [
        st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", default=True),
    ],
    t("nav.group_data", lang): [
        st.Page("pages/definitions.py", title=t("nav.definitions", lang), icon=":material/menu_book:"),
    ],
}
navigation = st.navigation(pages)
session.sidebar_filters()
navigation.run()

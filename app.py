"""效能看板 entry point: the sign-in gate, page routing and the global filters, nothing else.

Run with ``make run`` (builds the demo snapshot first) or ``streamlit run app.py``.
Everything a page shows comes from the xiaoneng package; the filters live in
xiaoneng/session.py (sidebar + URL); sign-in and sign-out in xiaoneng/signin.py: nothing but
the sign-in page is shown, and no page runs, until someone is signed in.
"""

import streamlit as st

from xiaoneng import builtin_text, layout, pageguard, session, signin
from xiaoneng.i18n import t

session.leave_pages_folder_mode()
lang = session.current_lang()
st.set_page_config(page_title=t("app.title", lang), page_icon=t("app.page_icon", lang), layout="wide",
                   initial_sidebar_state=session.SIDEBAR_WIDTH_PX)
layout.inject(lang)  # cards that never cut a value, the progress cue, phone and print layouts

pages = {
    t("nav.group_overview", lang): [
        st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", default=True),
        st.Page("pages/unit_profile.py", title=t("nav.unit_profile", lang), icon=":material/person_search:"),
    ],
    t("nav.group_analysis", lang): [
        st.Page("pages/approval_times.py", title=t("nav.approval", lang), icon=":material/timer:"),
        st.Page("pages/supervision.py", title=t("nav.supervision", lang), icon=":material/alarm:"),
        st.Page("pages/satisfaction.py", title=t("nav.satisfaction", lang), icon=":material/sentiment_satisfied:"),
        st.Page("pages/tasks.py", title=t("nav.tasks", lang), icon=":material/assignment_turned_in:"),
        st.Page("pages/scorecard.py", title=t("nav.scorecard", lang), icon=":material/leaderboard:"),
        st.Page("pages/integrity.py", title=t("integrity.title", lang), icon=":material/policy:"),
    ],
    t("nav.group_meeting", lang): [
        st.Page("pages/presentation.py", title=t("nav.presentation", lang), icon=":material/co_present:"),
        st.Page("pages/bulletin.py", title=t("nav.bulletin", lang), icon=":material/article:"),
        st.Page("pages/ledger.py", title=t("nav.ledger", lang), icon=":material/fact_check:"),
    ],
    t("nav.group_data", lang): [
        st.Page("pages/data.py", title=t("nav.data", lang), icon=":material/database:"),
        st.Page("pages/definitions.py", title=t("nav.definitions", lang), icon=":material/menu_book:"),
    ],
}
user = signin.require_user(lang, pages)  # the sign-in page, and a stop, until someone is signed in
navigation = st.navigation(pages, expanded=True)  # every page listed: no "view more" behind the tenth
# each browser tab says which page it holds ("审批时效 · 效能看板"), not only the app's name
st.set_page_config(page_title=t("browser_tab.title", lang, page=navigation.title, app=t("app.title", lang)))
signin.sidebar_account(user, lang)
session.sidebar_filters()
layout.print_controls(lang)  # 打印 in the sidebar; in print mode, the banner above the page
st.sidebar.html(builtin_text.script(lang), unsafe_allow_javascript=True)  # Streamlit's own words in Chinese
pageguard.run_page(navigation, lang)

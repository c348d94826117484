"""通报 Bulletin draft: the period's bulletin generated for the current filters, edited in a text box,
downloaded as Word (.docx) and text (.txt) — both made from the edited text.
Data and document: xiaoneng.bulletin; texts: the bulletin section of the catalog.

Widget keys: ``bulletin_text`` (the text box), ``bulletin_number`` (the 文号 over the title),
``bulletin_restore``, ``bulletin_docx``, ``bulletin_txt``,
``bulletin_issue_confirm`` and ``bulletin_issue`` (issue as final: the units asked to rectify go to the 整改台账).
The text box holds the draft of one view (snapshot, filters, language): another view shows its own
draft, and the edits of each view are kept for the session, so leaving the page loses nothing.
"""

import streamlit as st

from xiaoneng import briefing, bulletin, export, ledger, session, widgets
from xiaoneng.i18n import t
from xiaoneng.markup import escape_markdown

KEY_TEXT = "bulletin_text"
EDITS = "_bulletin_edits"  # view id -> edited text
SHOWN = "_bulletin_view"  # the view whose draft the text box holds

ctx = session.require_snapshot()
lang = ctx.lang


def text(key: str, **values) -> str:
    return t(f"bulletin.{key}", lang, **values)


def keep_edit(view_id: str, generated: str) -> None:
    edited = st.session_state[KEY_TEXT]
    if edited == generated:
        st.session_state[EDITS].pop(view_id, None)
    else:
        st.session_state[EDITS][view_id] = edited


def restore(view_id: str, generated: str) -> None:
    st.session_state[EDITS].pop(view_id, None)
    st.session_state[KEY_TEXT] = generated


st.title(text("page_title"))
session.show_context_line(ctx)
st.caption(text("caption"))

generated = session.cached(bulletin.draft, ctx, ledger_revision=ledger.revision()).to_text()
filter_params = sorted(ctx.filters.to_query_params().items())
view_id = "|".join([ctx.snapshot.snapshot_id, lang, *(f"{k}={v}" for k, v in filter_params)])
edits = st.session_state.setdefault(EDITS, {})
if st.session_state.get(SHOWN) != view_id or KEY_TEXT not in st.session_state:
    st.session_state[KEY_TEXT] = edits.get(view_id, generated)
    st.session_state[SHOWN] = view_id

editor, side = st.columns([5, 2], gap="medium")
edited = editor.text_area(text("editor"), key=KEY_TEXT, height=760, help=text("editor_help"),
                          on_change=keep_edit, args=(view_id, generated))

with side:
    number = st.text_input(text("number"), value=bulletin.default_number(briefing.meeting_config(), ctx.filters.period),
                           key="bulletin_number", help=text("number_help")).strip()
    parsed = bulletin.from_text(edited)
    changed = edited != generated
    if changed:
        st.badge(text("edited"), icon=":material/edit:", color="orange")
    st.button(text("regenerate"), key="bulletin_restore", on_click=restore, args=(view_id, generated),
              disabled=not changed, help=text("regenerate_help"), icon=":material/restart_alt:", width="stretch")
    fallback = f"{text('file_stem')}_{export.file_stamp(ctx.snapshot.as_of)}"
    empty = not parsed.title
    if ctx.can("export"):  # leaders read the draft; the files are exports (audited, with their paragraphs)
        docx_name, txt_name = (bulletin.file_name(parsed, suffix, fallback) for suffix in (".docx", ".txt"))
        st.download_button(
            text("download_docx"),
            data=widgets.audited(ctx, docx_name, lambda: (bulletin.to_docx(parsed, number), parsed.paragraph_count)),
            file_name=docx_name, mime=bulletin.DOCX_MIME, key="bulletin_docx",
            on_click="ignore", icon=":material/description:", help=text("download_help"), disabled=empty,
            type="primary", width="stretch",
        )
        st.download_button(
            text("download_txt"),
            data=widgets.audited(ctx, txt_name, lambda: (bulletin.to_txt(parsed), parsed.paragraph_count)),
            file_name=txt_name, mime=bulletin.TXT_MIME, key="bulletin_txt",
            on_click="ignore", icon=":material/article:", help=text("download_help"), disabled=empty,
            width="stretch",
        )
        confirmed = st.checkbox(text("issue_confirm"), key="bulletin_issue_confirm", help=text("issue_confirm_help"))
        if st.button(text("issue"), key="bulletin_issue", disabled=not confirmed, icon=":material/approval:",
                     width="stretch"):
            try:
                _, entries = bulletin.issue(ctx.view, ctx.filters, lang, ctx.user)
            except ledger.LedgerError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                st.success(text("issued", count=len(entries)), icon=":material/check_circle:")
    if empty:
        st.info(text("no_title"), icon=":material/info:")
    else:
        st.caption(text("structure", title=escape_markdown(parsed.title), headings=len(parsed.sections),
                        paragraphs=parsed.paragraph_count, closing=len(parsed.closing)))

"""汇报模式 Presentation mode: one meeting view per screen in projector type, next/previous (buttons,
or the keys a presentation clicker sends) and an optional auto-advance, 开始汇报 (sidebar hidden, full
screen) and 结束汇报, the filters and snapshot time in a footer, and the deck download.
Views: xiaoneng.briefing (sequence in config/presentation.yaml); drawing: xiaoneng.presentation."""

import time

import streamlit as st

from xiaoneng import briefing, deck, export, presentation, session, widgets
from xiaoneng.i18n import t

ctx = session.require_snapshot()
lang = ctx.lang
KEY_POSITION = "presentation_view"
KEY_AUTO = "presentation_auto"
KEY_SHOWN_AT = "presentation_shown_at"  # when the current view came up (for the auto-advance)
KEY_PRESENTING = "presentation_presenting"  # 开始汇报 pressed: the sidebar is hidden until 结束汇报

views = session.cached(briefing.build_views, ctx)
footer = briefing.footer_text(ctx.view, ctx.filters, lang)  # with 截至 M月D日 while the period runs
last = len(views) - 1
if st.session_state.get(KEY_POSITION, 0) > last:
    st.session_state[KEY_POSITION] = 0


def _move(step: int) -> None:
    st.session_state[KEY_POSITION] = min(max(st.session_state.get(KEY_POSITION, 0) + step, 0), last)
    st.session_state[KEY_SHOWN_AT] = time.monotonic()


def _jumped() -> None:
    st.session_state[KEY_SHOWN_AT] = time.monotonic()


def _present(presenting: bool) -> None:
    st.session_state[KEY_PRESENTING] = presenting


st.html(presentation.STYLE)
interval = st.session_state.get(KEY_AUTO, 0)


@st.fragment(run_every=interval or None)
def show_view() -> None:
    shown_at = st.session_state.setdefault(KEY_SHOWN_AT, time.monotonic())
    position = st.session_state.setdefault(KEY_POSITION, 0)
    advanced = presentation.auto_advance(position, last, interval, time.monotonic() - shown_at)
    if advanced != position:
        st.session_state[KEY_POSITION] = advanced
        st.session_state[KEY_SHOWN_AT] = time.monotonic()

    presenting = st.session_state.get(KEY_PRESENTING, False)  # 开始汇报 / 结束汇报 rerun this fragment only
    previous, jump, following, full_screen, start_stop = st.columns([1, 2.4, 1, 1.3, 1.3], vertical_alignment="bottom")
    previous.button(t("presentation.previous", lang), key=presentation.PREVIOUS_BUTTON_KEY, on_click=_move, args=(-1,),
                    disabled=st.session_state[KEY_POSITION] == 0, icon=":material/chevron_left:", width="stretch")
    jump.selectbox(t("presentation.jump", lang), range(len(views)), key=KEY_POSITION, on_change=_jumped,
                   format_func=lambda i: f"{i + 1} / {len(views)} · {views[i].title}")
    following.button(t("presentation.next", lang), key=presentation.NEXT_BUTTON_KEY, on_click=_move, args=(1,),
                     disabled=st.session_state[KEY_POSITION] == last, icon=":material/chevron_right:",
                     width="stretch")
    # the browser's full screen is switched by the page's script, in the click itself
    full_screen.button(t("presentation.fullscreen", lang), key=presentation.FULLSCREEN_BUTTON_KEY,
                       icon=":material/fullscreen:", help=t("presentation.fullscreen_help", lang), width="stretch")
    if presenting:
        start_stop.button(t("presentation.stop", lang), key=presentation.STOP_BUTTON_KEY, on_click=_present,
                          args=(False,), icon=":material/stop_screen_share:", width="stretch")
    else:
        start_stop.button(t("presentation.start", lang), key=presentation.START_BUTTON_KEY, on_click=_present,
                          args=(True,), icon=":material/present_to_all:", type="primary",
                          help=t("presentation.start_help", lang), width="stretch")

    view = views[st.session_state[KEY_POSITION]]
    st.html(presentation.title_html(view, presenting))
    figure = presentation.view_figure(view, lang)
    if view.chart == "kpis":
        st.html(presentation.kpi_cards_html(view, lang))
    elif figure is not None and view.tables:
        chart_column, table_column = st.columns([3, 2], gap="large")
        chart_column.plotly_chart(figure, theme=None, key=f"presentation_chart_{view.name}",
                                  config={"displaylogo": False})
        with table_column:
            for position in range(len(view.tables)):
                st.html(presentation.table_html(view, position))
    elif figure is not None:
        st.plotly_chart(figure, theme=None, key=f"presentation_chart_{view.name}", config={"displaylogo": False})
    else:
        st.html(presentation.table_html(view, 0))
    st.html(presentation.footer_html(footer, st.session_state[KEY_POSITION] + 1, len(views)))


show_view()
st.html(presentation.keys_script(), unsafe_allow_javascript=True)

with st.expander(t("presentation.settings", lang), icon=":material/co_present:"):
    st.caption(t("presentation.tip", lang))
    auto, download = st.columns(2, vertical_alignment="bottom")
    auto.selectbox(t("presentation.auto", lang), presentation.AUTO_ADVANCE_SECONDS, key=KEY_AUTO,
                   format_func=lambda s: t("presentation.auto_seconds", lang, seconds=s) if s
                   else t("presentation.auto_off", lang))
    if ctx.can("export"):  # leaders read; the deck is an export (audited, with its slide count)
        deck_name = f"{t('app.title', lang)}_{ctx.filters.period.key}_{export.file_stamp(ctx.snapshot.as_of)}.pptx"
        download.download_button(
            t("presentation.deck", lang),
            data=widgets.audited(ctx, deck_name, lambda: (deck.deck_bytes(ctx.view, ctx.filters, lang, views=views),
                                                          len(views) + 1)),
            file_name=deck_name, mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            key="presentation_deck", on_click="ignore", icon=":material/slideshow:",
            help=t("presentation.deck_help", lang),
        )
    st.caption(t("presentation.sequence", lang, names=t("context.separator", lang).join(v.title for v in views)))

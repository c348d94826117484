"""Streamlit glue shared by the pages: download buttons for any table, the paged case list of a
drill-through, and the notes that go with every number of a period (无数据 for a period the snapshot
has no data for; 截至 M月D日 and the like-for-like comparison spans of a running period). The data
come from xiaoneng.caselist, xiaoneng.export and xiaoneng.periodnotes; nothing here computes a number.

Widget keys: ``<key>_csv`` / ``<key>_xlsx`` (download buttons), ``<key>_page`` (page number of
a case list), ``<key>_show`` / ``<key>_hide`` (the buttons that show and fold away a list asked
for on request).

Downloads are for users who may export (``auth`` permission ``export``; leaders read only): the
buttons are not drawn for the others. The file is made when it is clicked, from the page's scoped
view, and each one made is written to the audit log (``audited``, also used by the deck and the
通报 downloads): who, their scope, the file, the filters, the snapshot and the row count.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from xiaoneng import audit, caselist, export
from xiaoneng.filters import Filters
from xiaoneng.i18n import join_names, t
from xiaoneng.periodnotes import coverage_message, running_period_text
from xiaoneng.session import AppContext

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TableSource = pd.DataFrame | Callable[[], pd.DataFrame]


# ---------------------------------------------------------------- Streamlit glue

def no_data_notice(ctx: AppContext, empty_message: str) -> None:
    """The page's 无数据 notice: the period lies outside the snapshot's data, or the selection holds
    nothing (``empty_message``)."""
    message = coverage_message(ctx.view, ctx.filters.period, ctx.lang) or empty_message
    st.info(message, icon=":material/info:")


def running_period_note(ctx: AppContext, comparisons: bool = False) -> None:
    """A caption under the numbers of a running period (截至 M月D日; the comparison spans)."""
    note = running_period_text(ctx.view, ctx.filters.period, ctx.lang, comparisons)
    if note:
        st.caption(note)


def _frame(source: TableSource) -> pd.DataFrame:
    return source() if callable(source) else source


def record_export(ctx: AppContext, file_name: str, rows: int) -> None:
    """The audit entry of one file a user downloaded (rows: table rows, slides or paragraphs)."""
    user = ctx.user
    audit.record("export", user.name if user else None, scope=user.counties if user else (), file=file_name,
                 filters=ctx.filters.to_query_params(), snapshot=ctx.snapshot.snapshot_id, rows=rows)


def audited(ctx: AppContext, file_name: str, make: Callable[[], tuple[bytes, int]]) -> Callable[[], bytes]:
    """A download button's deferred data: ``make()`` gives the file's bytes and its row count; the
    file is audited when it is made (on the click), never on a rerun."""
    def data() -> bytes:
        payload, rows = make()
        record_export(ctx, file_name, rows)
        return payload

    return data


def selected_units(ctx: AppContext) -> list[str]:
    """The counties and departments the view is narrowed to (a county user's own), by name, for file
    names; at most three of each and "等N项" (``join_names``)."""
    filters = ctx.view_filters
    counties = [ctx.options.counties.get(c, c) for c in filters.counties]
    departments = [ctx.options.departments.get(d, d) for d in filters.departments]
    return [join_names(names, ctx.lang) for names in (counties, departments) if names]


def table_file(ctx: AppContext, df: TableSource, file_name: str, sheet_name: str | None = None) -> Callable[[], bytes]:
    """The deferred, audited bytes of a table's download: CSV, or Excel for an .xlsx ``file_name``,
    each beginning with the line saying which snapshot and filters it came from."""
    def make() -> tuple[bytes, int]:
        frame = _frame(df)
        source = ctx.summary(escape=str)  # the view's context line, as text
        if file_name.endswith(".xlsx"):
            return export.to_xlsx_bytes(frame, sheet_name or file_name.removesuffix(".xlsx"), source), len(frame)
        return export.to_csv_bytes(frame, source), len(frame)

    return audited(ctx, file_name, make)


def download_buttons(ctx: AppContext, df: TableSource, file_stem: str, key: str,
                     sheet_name: str | None = None) -> None:
    """CSV and Excel buttons side by side, for a table as people see it (headers already in the
    context's language); nothing for a user who may not export.

    ``df`` may be a function returning the table: it then runs only when a button is clicked
    (a 100,000-row case list is not built on every rerun).
    """
    if not ctx.can("export"):
        return
    lang = ctx.lang
    file_stem = export.with_selection(file_stem, ctx.filters.period.key, selected_units(ctx))
    left, right = st.columns(2, width=360, gap="small")
    help_text = t("download.help", lang)
    left.download_button(
        t("download.csv", lang), data=table_file(ctx, df, f"{file_stem}.csv"),
        file_name=f"{file_stem}.csv", mime=CSV_MIME, key=f"{key}_csv", on_click="ignore",
        icon=":material/download:", help=help_text, width="stretch",
    )
    right.download_button(
        t("download.xlsx", lang), data=table_file(ctx, df, f"{file_stem}.xlsx", sheet_name or file_stem),
        file_name=f"{file_stem}.xlsx", mime=XLSX_MIME, key=f"{key}_xlsx", on_click="ignore",
        icon=":material/table_view:", help=help_text, width="stretch",
    )


def data_table(ctx: AppContext, table: pd.DataFrame, label: str, file_stem: str, key: str,
               column_config: dict | None = None) -> None:
    """A chart's numbers under it, folded away: the table as people read it, with its downloads."""
    with st.expander(label):
        st.dataframe(table, hide_index=True, width="stretch", column_config=column_config)
        download_buttons(ctx, table, file_stem, key)


def cross_filter_note(message: str, *, key: str, clear_label: str, on_clear: Callable[[], None],
                      icon: str = ":material/filter_alt:") -> None:
    """The line saying what a click on a chart narrowed, with the button that clears it."""
    note, clear = st.columns([5, 1], vertical_alignment="center")
    note.info(message, icon=icon)
    clear.button(clear_label, key=key, on_click=on_clear, icon=":material/filter_alt_off:", width="stretch")


CASE_COLUMN_CONFIG_WIDTHS = {"item_name": "medium", "steps": "large"}
DATE_COLUMNS = ("accepted_at", "completed_at", "deadline_at")
NUMBER_COLUMNS = ("elapsed_wd", "wd_left", "wd_over")
NUMBER_WIDTH = 8  # digits a working-day count can have, for padding (see _for_screen)


def _column_config(lang: str) -> dict:
    header = lambda name: t(f"supervision.col.{name}", lang)  # noqa: E731
    config = {header(name): st.column_config.TextColumn(header(name), width=width)
              for name, width in CASE_COLUMN_CONFIG_WIDTHS.items()}
    config[header("case_id")] = st.column_config.TextColumn(header("case_id"), pinned=True)
    for name in NUMBER_COLUMNS:
        config[header(name)] = st.column_config.TextColumn(header(name), alignment="right")
    return config


def _for_screen(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Empty cells blank on screen: st.dataframe writes a missing value as "None", which a county
    leader should not read. Dates become "2026-10-22 23:59" and counts text padded with spaces
    (so a click on the header still sorts them right); the files keep real dates and numbers."""
    out = table.copy()
    for name in DATE_COLUMNS:
        column = t(f"supervision.col.{name}", lang)
        out[column] = [v.strftime("%Y-%m-%d %H:%M") if not pd.isna(v) else "" for v in out[column]]
    for name in NUMBER_COLUMNS:
        column = t(f"supervision.col.{name}", lang)
        out[column] = ["" if pd.isna(v) else f"{int(v):>{NUMBER_WIDTH}d}" for v in out[column]]
    return out.fillna("")


def _set_shown(shown_key: str, shown: bool) -> None:
    st.session_state[shown_key] = shown


def asked_for(ctx: AppContext, key: str, show_text: str = "lazy.show_cases") -> bool:
    """Whether the user asked to see the list ``key``: until they click its button (``show_text``,
    a catalog key) the page runs nothing for it — a list of rows is a scan of the facts, and an
    st.expander runs its body even while folded. Once shown it stays shown (across filter
    changes) until they fold it away again."""
    shown_key = f"{key}_shown"
    if not st.session_state.get(shown_key):
        st.button(t(show_text, ctx.lang), key=f"{key}_show", on_click=_set_shown, args=(shown_key, True),
                  icon=":material/list:")
        return False
    st.button(t("lazy.hide", ctx.lang), key=f"{key}_hide", on_click=_set_shown, args=(shown_key, False),
              icon=":material/visibility_off:", type="tertiary")
    return True


def paged_list(ctx: AppContext, key: str, identity: object, page_rows: Callable[[int, int], tuple[pd.DataFrame, int]],
               all_rows: Callable[[], pd.DataFrame], *, texts: str, file_stem: str,
               sheet_name: str | None = None, column_config: dict | None = None,
               page_size: int = caselist.PAGE_SIZE, on_request: str | None = "lazy.show_cases") -> int | None:
    """Rows behind a number, ``page_size`` a page, with CSV/Excel downloads of all of them (at most
    caselist.EXPORT_MAX_ROWS rows, said on the page). Returns how many there are, or None while
    the list waits to be asked for.

    ``page_rows(page, size)`` gives one page as shown and the total; ``all_rows()`` the table the
    downloads hold (run only on a click). With ``on_request`` (the catalog key of the button's
    text, see ``asked_for``) neither runs until the user clicks the button; None shows the list at
    once, for a list the user has just asked for by a click (a matrix cell, a scorecard indicator).
    The page number goes back to 1 whenever ``identity`` (what is listed: the selection, the
    filters, the snapshot) changes. ``texts`` names the catalog section holding list_total,
    list_empty and list_cap.
    """
    lang = ctx.lang
    if on_request and not asked_for(ctx, key, on_request):
        return None
    page_key, seen_key = f"{key}_page", f"{key}_selection"
    if st.session_state.get(seen_key) != identity:
        st.session_state[seen_key] = identity
        st.session_state[page_key] = 1
    page = int(st.session_state.get(page_key) or 1)
    rows, total = page_rows(page, page_size)
    pages = caselist.page_count(total, page_size)
    if page > pages:  # the selection shrank under a later page
        page = pages
        st.session_state[page_key] = page
        rows, total = page_rows(page, page_size)
    if total == 0:
        st.info(t(f"{texts}.list_empty", lang), icon=":material/info:")
        return 0

    info, pager = st.columns([4, 1], vertical_alignment="bottom")
    info.caption(t(f"{texts}.list_total", lang, total=total, page=page, pages=pages, size=page_size))
    pager.number_input(t("supervision.list_page", lang), min_value=1, max_value=pages, step=1, key=page_key)
    st.dataframe(rows, hide_index=True, width="stretch", column_config=column_config, key=f"{key}_table")
    download_buttons(ctx, all_rows, file_stem, key, sheet_name=sheet_name)
    if ctx.can("export") and total > caselist.EXPORT_MAX_ROWS:
        st.caption(t(f"{texts}.list_cap", lang, cap=caselist.EXPORT_MAX_ROWS, total=total))
    return total


def case_list_panel(ctx: AppContext, selection: caselist.CaseSelection, key: str,
                    filters: Filters | None = None, page_size: int = caselist.PAGE_SIZE,
                    on_request: bool = True) -> int | None:
    """The selection's cases as a ``paged_list``, run only once asked for (the button 显示办件清单)
    unless ``on_request`` is False. ``filters`` defaults to the page's view; a drill-through passes them
    narrowed (another month, a unit), and the downloads' source line names them. Returns the
    selection's total (None while not asked for)."""
    lang, view = ctx.lang, ctx.view
    filters = filters or ctx.shown or ctx.filters
    ctx = ctx.viewing(filters)

    def page_rows(page: int, size: int) -> tuple[pd.DataFrame, int]:
        cases, total = caselist.case_page(view, filters, selection, page, size, lang)
        return _for_screen(caselist.case_table(cases, lang), lang), total

    def everything() -> pd.DataFrame:
        rows, _ = caselist.case_page(view, filters, selection, 1, caselist.EXPORT_MAX_ROWS, lang)
        return caselist.case_table(rows, lang)

    stem = f"{t('supervision.file_cases', lang)}_{ctx.snapshot.snapshot_id}_{filters.period.key}_{selection.subset}"
    return paged_list(ctx, key, (selection, filters, ctx.snapshot.snapshot_id), page_rows, everything,
                      texts="supervision", file_stem=stem, sheet_name=t("supervision.sheet_cases", lang),
                      column_config=_column_config(lang), page_size=page_size,
                      on_request="lazy.show_cases" if on_request else None)

"""One cross-filter rule for every page: a click on a county or a department in a chart narrows every
chart and card of the page, shows as one removable chip per selection, and lives in the URL
(``xf_county``, ``xf_dept``) so a copied link reproduces the view.

The URL is the one place the selection is kept: a chart's click callback writes it there
(``clickable``), the page reads it back on every run (``current``) and narrows its filters
(``narrow``); removing a chip deletes its parameter and moves the page's charts to fresh keys
(``chart_key``), which drops Plotly's own selection. A selection only ever narrows the sidebar's
filters: a code outside them, outside the user's scope or unknown to the snapshot is dropped
(``from_params``). The chart a click came from is drawn with ``narrow(..., skip=its dimension)`` so
it keeps every unit on show, the clicked one highlighted, and another can be clicked.

Page-specific narrowing that is not a unit (a month of a trend, a 好差评 channel, a case subset)
stays with the page's own focus; the units are this module's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

import streamlit as st

from xiaoneng.charts import clicked_code
from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.layout import NO_PRINT
from xiaoneng.markup import escape_names

DIMENSIONS = ("county", "dept")
PARAMS = {"county": "xf_county", "dept": "xf_dept"}  # URL parameter of each dimension
FILTER_FIELDS = {"county": "counties", "dept": "departments"}  # the Filters field each narrows
_GENERATION = "_xf_generation_{page}"


@dataclass(frozen=True)
class Selection:
    """The county and the department clicked on a page (None: not narrowed by that dimension)."""

    county: str | None = None
    dept: str | None = None

    def code(self, dimension: str) -> str | None:
        return getattr(self, dimension)

    @property
    def active(self) -> bool:
        return any(self.code(d) for d in DIMENSIONS)

    def items(self) -> list[tuple[str, str]]:
        """(dimension, code) of each selection, in DIMENSIONS order: one chip each."""
        return [(d, self.code(d)) for d in DIMENSIONS if self.code(d)]


# ---------------------------------------------------------------- pure rules (no Streamlit)

def from_params(params: Mapping[str, str], filters: Filters, counties: Iterable[str],
                departments: Iterable[str]) -> Selection:
    """The selection a URL carries, keeping only codes the page offers (``counties``/``departments``:
    the scope's, of this snapshot) and that lie inside the sidebar's filters: a click narrows, never widens."""
    offered = {"county": set(counties), "dept": set(departments)}

    def valid(dimension: str) -> str | None:
        code = str(params.get(PARAMS[dimension], "") or "").strip()
        chosen = getattr(filters, FILTER_FIELDS[dimension])
        return code if code in offered[dimension] and (not chosen or code in chosen) else None

    return Selection(valid("county"), valid("dept"))


def to_params(selection: Selection) -> dict[str, str]:
    """The URL form of a selection (absent dimensions left out)."""
    return {PARAMS[d]: code for d, code in selection.items()}


def narrow(filters: Filters, selection: Selection, skip: str | None = None) -> Filters:
    """The page's filters narrowed to the selection, except its ``skip`` dimension (the chart the
    click came from keeps every unit of that dimension)."""
    changes = {FILTER_FIELDS[d]: (code,) for d, code in selection.items() if d != skip}
    return replace(filters, **changes) if changes else filters


def chip_labels(selection: Selection, lang: str, counties: Mapping[str, str],
                departments: Mapping[str, str]) -> list[tuple[str, str]]:
    """(dimension, chip text) per selection: "区县：乙县", "部门：市场监管局"."""
    names = {"county": counties, "dept": departments}
    return [(d, f"{t(f'crossfilter.{d}', lang)}{t('crossfilter.colon', lang)}{names[d].get(code, code)}")
            for d, code in selection.items()]


def with_click(selection: Selection, dimension: str, code: str | None) -> Selection:
    """The selection after a click on ``code`` in a chart of ``dimension`` (None: a deselection, which
    keeps the selection: only a chip removes it)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}, got {dimension!r}")
    return replace(selection, **{dimension: code}) if code else selection


# ---------------------------------------------------------------- Streamlit: URL, clicks, chips

def current(ctx) -> Selection:
    """The page's selection, from the URL (``ctx``: the page's session.AppContext)."""
    return from_params(st.query_params.to_dict(), ctx.filters, ctx.options.counties, ctx.options.departments)


def _write(selection: Selection) -> None:
    for dimension in DIMENSIONS:
        code = selection.code(dimension)
        if code:
            st.query_params[PARAMS[dimension]] = code
        elif PARAMS[dimension] in st.query_params:
            del st.query_params[PARAMS[dimension]]


def _raw() -> Selection:
    """The URL's selection unchecked (callbacks run before the page has its context)."""
    params = st.query_params
    return Selection(params.get(PARAMS["county"]) or None, params.get(PARAMS["dept"]) or None)


def select(dimension: str, code: str | None) -> None:
    """Put a click on ``code`` of ``dimension`` into the URL (for pages whose charts carry more than a
    unit in their points and decode the click themselves)."""
    _write(with_click(_raw(), dimension, code))


def chart_key(page: str, name: str) -> str:
    """The widget key of a clickable chart: a new one after a chip is removed (Plotly's selection goes)."""
    return f"{page}_{name}_chart_{st.session_state.get(_GENERATION.format(page=page), 0)}"


def _refresh_charts(page: str) -> None:
    key = _GENERATION.format(page=page)
    st.session_state[key] = st.session_state.get(key, 0) + 1


def clickable(page: str, name: str, dimension: str) -> dict:
    """st.plotly_chart's arguments that make a chart a cross-filter source for ``dimension``: the
    clicked point's code (first in its ``customdata``) goes into the URL."""
    key = chart_key(page, name)
    return {"key": key, "on_select": lambda: select(dimension, clicked_code(st.session_state.get(key))),
            "selection_mode": "points"}


def remove(page: str, dimension: str | None = None) -> None:
    """Remove one selection (``dimension``) or all of them; the page's charts start unselected."""
    _write(replace(_raw(), **{d: None for d in DIMENSIONS if dimension in (None, d)}))
    _refresh_charts(page)


def chips(ctx, selection: Selection, page: str, on_remove: Callable[[], None] | None = None) -> None:
    """One removable chip per selection (a button with a ✕), and "clear all" when there are several;
    nothing but the hint when nothing is selected. ``on_remove`` also runs on every removal (a page
    with more focus of its own clears it there)."""
    lang = ctx.lang
    if not selection.active:
        st.container(key=f"{NO_PRINT}_{page}_xf_hint").caption(t("crossfilter.caption", lang))  # not on paper
        return

    def removing(dimension: str | None) -> Callable[[], None]:
        def run() -> None:
            remove(page, dimension)
            if on_remove:
                on_remove()
        return run

    labels = chip_labels(selection, lang, escape_names(ctx.options.counties),  # names are data
                         escape_names(ctx.options.departments))
    with st.container(horizontal=True, vertical_alignment="center", key=f"{page}_xf_chips"):
        st.markdown(f"**{t('crossfilter.label', lang)}**", width="content")
        for dimension, label in labels:
            st.button(label, key=f"{page}_xf_chip_{dimension}", icon=":material/close:", type="secondary",
                      on_click=removing(dimension), help=t("crossfilter.remove", lang, name=label), width="content")
        if len(labels) > 1:
            st.button(t("crossfilter.clear_all", lang), key=f"{page}_xf_clear", icon=":material/filter_alt_off:",
                      type="tertiary", on_click=removing(None), width="content")

"""Streamlit glue: the global filters (sidebar + URL), the language, the snapshot, and the cache.

``app.py`` calls ``sidebar_filters()`` once per run; every page then calls ``context()`` (or
``require_snapshot()``) and gets the same ``AppContext``. Pages read filters from here and
hand them to the package; nothing below the pages reads ``st.session_state``.

Widget keys (stable; tests find widgets by them):

    filter_snapshot       selectbox      snapshot id (newest first)
    filter_period_kind    segmented      month | quarter | year | custom
    filter_period         selectbox      period key for month/quarter/year: 2026-10, 2026-Q4, 2026
    filter_period_range   date_input     (start, end) for custom
    filter_counties       multiselect    county codes (none = all)
    filter_departments    multiselect    department codes
    filter_item_types     multiselect    item types (queries/item_type_list.sql)
    filter_channels       multiselect    channel codes (schema.CHANNELS)
    filter_reset          button         back to the snapshot's month, no other filter
    lang                  segmented      zh | en

URL parameters (st.query_params), read when a session starts and written on every change,
so a copied link reproduces the view:

    snapshot     snapshot id (always written: a link pins its as-of data)
    period       Period.key: 2026-10 | 2026-Q4 | 2026 | 2026-01-01..2026-03-31
    counties, departments, item_types, channels
                 comma-separated codes (Filters.to_query_params); absent = all
    lang         en (absent = zh, the default)

Widgets are not bound with ``bind="query-params"`` on purpose: that writes the widgets' display
labels into the URL, so a link would change with the language. Here the URL carries codes.

Scope: the signed-in user (``auth.session_user``) is in every context, and their ``scope`` is the
scope of every query (``AppContext.view``, ``cached``). Nobody signed in: no data at all (fail
closed). The county filter offers the scope's counties only; codes in a link that are unknown or
outside the scope are dropped with a notice saying so, as is an invalid period. Text from the URL
or the data is escaped before it goes into Markdown (``markup.escape_markdown``).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from xiaoneng import auth
from xiaoneng.filters import Filters, Period, Scope, context_line
from xiaoneng.i18n import DEFAULT_LANG, LANGS, join_names, normalise_lang, t
from xiaoneng.markup import escape_markdown
from xiaoneng.metrics import SnapshotView, unit_names
from xiaoneng.paths import data_dir
from xiaoneng.schema import CHANNELS
from xiaoneng.snapshots import SnapshotInfo, SnapshotStore

KEY_SNAPSHOT = "filter_snapshot"
KEY_PERIOD_KIND = "filter_period_kind"
KEY_PERIOD = "filter_period"
KEY_PERIOD_RANGE = "filter_period_range"
KEY_COUNTIES = "filter_counties"
KEY_DEPARTMENTS = "filter_departments"
KEY_ITEM_TYPES = "filter_item_types"
KEY_CHANNELS = "filter_channels"
KEY_RESET = "filter_reset"
KEY_LANG = "lang"

PERIOD_KINDS = ("month", "quarter", "year", "custom")
# URL parameter -> multiselect widget key (the names are Filters.to_query_params's).
LIST_PARAMS = {"counties": KEY_COUNTIES, "departments": KEY_DEPARTMENTS, "item_types": KEY_ITEM_TYPES,
               "channels": KEY_CHANNELS}
URL_KEYS = ("snapshot", "period", *LIST_PARAMS, "lang")

SIDEBAR_WIDTH_PX = 340  # the four period types and two county names fit on one line
_URL_READ = "_xiaoneng_url_read"
_CONTEXT = "_xiaoneng_context"
_LAST_DAY = "_xiaoneng_last_day"  # the snapshot's data date, for the period-kind switch
# Snapshots never change once published; the TTL only bounds memory held for idle views.
CACHE_TTL = dt.timedelta(hours=1)


# ---------------------------------------------------------------- pure helpers (no Streamlit)

def case_date_range(view: SnapshotView) -> tuple[dt.date, dt.date]:
    """First acceptance date of the cases the user may see, and the as-of date: the period
    selectors offer the months, quarters and years in between."""
    last = view.as_of.date()
    first = view.layer.run("case_date_range")["first_accepted"].iloc[0]
    return (last if pd.isna(first) else min(pd.Timestamp(first).date(), last)), last


def period_options(kind: str, first: dt.date, last: dt.date) -> list[str]:
    """Period keys of one kind covering [first, last], newest first."""
    if kind == "year":
        return [str(y) for y in range(last.year, first.year - 1, -1)]
    if kind == "quarter":
        keys = []
        for y in range(last.year, first.year - 1, -1):
            for q in range(4, 0, -1):
                start = dt.date(y, 3 * q - 2, 1)
                if start <= last and Period.parse(f"{y}-Q{q}").end >= first:
                    keys.append(f"{y}-Q{q}")
        return keys
    if kind == "month":
        keys = []
        y, m = last.year, last.month
        while (y, m) >= (first.year, first.month):
            keys.append(f"{y}-{m:02d}")
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        return keys
    raise ValueError(f"no list of {kind!r} periods")


def convert_period(period: Period, kind: str, last_day: dt.date | None = None) -> Period:
    """The period of another kind that holds ``period``'s last day, or ``last_day`` (the snapshot's data
    date) when that is earlier: 2026 becomes October 2026 in a snapshot of 31 October, not a December
    without data. Custom keeps the same days."""
    if kind == period.kind:
        return period
    day = min(period.end, last_day) if last_day else period.end
    if kind == "month":
        return Period.parse(f"{day:%Y-%m}")
    if kind == "quarter":
        return Period.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if kind == "year":
        return Period.parse(str(day.year))
    return Period("custom", period.start, period.end)


def newer_snapshot(default: SnapshotInfo | None, viewed: SnapshotInfo) -> SnapshotInfo | None:
    """The snapshot everyone sees by default (the admin's choice, else the newest) when its data are
    newer than the ``viewed`` one's; None otherwise (a snapshot not yet chosen as default is not offered)."""
    return default if default is not None and not default.withdrawn and default.as_of > viewed.as_of else None


def url_params(snapshot_id: str, filters: Filters, lang: str) -> dict[str, str]:
    """The URL form of a view."""
    params = {"snapshot": snapshot_id, **filters.to_query_params()}
    if lang != DEFAULT_LANG:
        params["lang"] = lang
    return params


@dataclass(frozen=True)
class FilterOptions:
    """What the filter widgets offer for one snapshot and language."""

    counties: dict[str, str] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    item_types: tuple[str, ...] = ()
    first_day: dt.date | None = None
    last_day: dt.date | None = None


def load_filter_options(view: SnapshotView, lang: str) -> FilterOptions:
    counties, departments = unit_names(view, lang)
    item_types = tuple(view.layer.run("item_type_list")["item_type"])
    first, last = case_date_range(view)
    return FilterOptions(counties, departments, item_types, first, last)


@dataclass(frozen=True)
class AppContext:
    """Everything a page needs to know about the current view."""

    lang: str
    data_folder: Path
    user: auth.User | None = None
    snapshot: SnapshotInfo | None = None
    filters: Filters | None = None
    options: FilterOptions = field(default_factory=FilterOptions)
    notices: tuple[str, ...] = ()
    newer: SnapshotInfo | None = None  # a published snapshot with newer data than the one viewed
    shown: Filters | None = None  # the sidebar's filters narrowed further by the page (a cross-filter chip)

    @property
    def scope(self) -> Scope:
        """The signed-in user's scope; without a user no county at all (fail closed, never everything)."""
        return self.user.scope if self.user is not None else Scope(())

    def can(self, permission: str) -> bool:
        """Whether the signed-in user may ``permission`` (auth.PERMISSIONS: export, try_weights, …)."""
        return self.user is not None and self.user.can(permission)

    @property
    def has_data(self) -> bool:
        return self.snapshot is not None and self.filters is not None

    @property
    def view(self) -> SnapshotView:
        if self.snapshot is None:
            raise RuntimeError("no snapshot is published")
        return SnapshotView(self.snapshot, self.scope)

    def data_warnings(self) -> list[str]:
        """What the snapshot's manifest says the numbers cannot cover (cases the calendar could not time)."""
        if self.snapshot is None:
            return []
        outside = self.snapshot.manifest.get("cases_outside_calendar", 0)
        if not outside:
            return []
        start, end = self.snapshot.manifest["calendar_range"]
        return [t("context.outside_calendar", self.lang, count=int(outside), start=start, end=end)]

    def viewing(self, filters: Filters) -> AppContext:
        """This context for a view narrowed to ``filters`` (a cross-filter chip's, a drill-through's): its
        context line, download source lines, file names and ``cached`` calls use them; ``filters`` stays
        the sidebar's (a chart that keeps every unit of its dimension narrows from it)."""
        return replace(self, shown=filters)

    @property
    def view_filters(self) -> Filters:
        """The filters the view shows: the page's narrowing of the sidebar's, within the user's scope."""
        return self.scope.narrow(self.shown if self.shown is not None else self.filters)

    def summary(self, escape: Callable[[str], str] = escape_markdown) -> str:
        """The line stating the view: as-of time, snapshot, period and every filter (``view_filters``);
        escaped for Markdown on screen, ``escape=str`` for a downloaded file's first line."""
        return context_line(self.snapshot.as_of, self.snapshot.snapshot_id, self.view_filters,
                            self.options.counties, self.options.departments, self.lang, escape=escape)


# ---------------------------------------------------------------- cache (small aggregates only)

def _view(store_root: str, snapshot_id: str, scope_counties: tuple[str, ...] | None) -> SnapshotView:
    return SnapshotView(SnapshotStore(Path(store_root)).get(snapshot_id), Scope(scope_counties))


@st.cache_data(max_entries=32, ttl=CACHE_TTL, show_spinner=False)
def _cached_options(store_root: str, snapshot_id: str, scope_counties: tuple[str, ...] | None,
                    lang: str) -> FilterOptions:
    return load_filter_options(_view(store_root, snapshot_id, scope_counties), lang)


@st.cache_data(max_entries=256, ttl=CACHE_TTL, show_spinner=False)
def _cached_call(function: str, store_root: str, snapshot_id: str, scope_counties: tuple[str, ...] | None,
                 filter_params: tuple[tuple[str, str], ...], lang: str,
                 extra: tuple[tuple[str, object], ...] = ()) -> pd.DataFrame:
    module, name = function.split(":")
    fn = getattr(importlib.import_module(module), name)
    view = _view(store_root, snapshot_id, scope_counties)
    filters = Filters.from_query_params(dict(filter_params), view.default_period().key)
    return fn(view, filters, lang, **dict(extra))


def cached(fn: Callable[..., pd.DataFrame], ctx: AppContext, filters: Filters | None = None,
           **extra: str | int | float | bool | tuple | None) -> pd.DataFrame:
    """``fn(view, filters, lang, **extra)`` through the cache, keyed by data folder, snapshot id,
    scope, filters (unless given: the view's, ``ctx.viewing``'s narrowing of the sidebar's), language
    and the hashable ``extra`` arguments. ``fn`` must be a module-level function of the xiaoneng
    package that returns a small aggregate (never raw rows, never a figure)."""
    if not fn.__module__.startswith("xiaoneng.") or "." in fn.__qualname__:
        raise ValueError(f"cannot cache {fn!r}: use a module-level function of the xiaoneng package")
    if filters is None:
        filters = ctx.shown if ctx.shown is not None else ctx.filters
    return _cached_call(
        f"{fn.__module__}:{fn.__qualname__}", str(ctx.snapshot.path.parent), ctx.snapshot.snapshot_id,
        ctx.scope.counties, tuple(sorted(filters.to_query_params().items())), ctx.lang, tuple(sorted(extra.items())),
    )


# ---------------------------------------------------------------- language

def current_lang() -> str:
    """The UI language: the switch's value, else the URL's ``lang``, else Chinese."""
    if KEY_LANG in st.session_state:
        return normalise_lang(st.session_state[KEY_LANG])
    return normalise_lang(st.query_params.get("lang"))


# ---------------------------------------------------------------- the sidebar

def url_notices(params: dict[str, str], filters: Filters, default: Period, options: FilterOptions,
                lang: str) -> list[str]:
    """What a link asked for that the view cannot show, for the user to read (escaped): an invalid
    period (replaced by ``default``) and codes that are unknown or outside the user's scope (dropped)."""
    notices = []
    wanted = params.get("period")
    if wanted is not None:
        try:
            Period.parse(wanted)
        except ValueError:
            notices.append(t("scope_notice.period_replaced", lang, period=escape_markdown(wanted),
                             default=default.label(lang)))
    allowed = {"counties": options.counties, "departments": options.departments, "item_types": options.item_types,
               "channels": CHANNELS}
    for name, offered in allowed.items():
        dropped = [code for code in getattr(filters, name) if code not in offered]
        if dropped:
            notices.append(t(f"scope_notice.dropped_{name}", lang,
                             codes=join_names([escape_markdown(c) for c in dropped], lang)))
    return notices


def _read_url_once(store: SnapshotStore, snapshots: list[SnapshotInfo], scope: Scope) -> list[str]:
    """At the start of a session, seed the widgets from the URL. Returns notices for the user."""
    if st.session_state.get(_URL_READ):
        return []
    st.session_state[_URL_READ] = True
    params = st.query_params
    notices = []
    lang = st.session_state[KEY_LANG] = normalise_lang(params.get("lang"))
    ids = [s.snapshot_id for s in snapshots]
    wanted = params.get("snapshot")
    chosen = store.default() or snapshots[-1]  # the admin's default (an admin may list only withdrawn ones)
    if wanted and wanted not in ids:
        notices.append(t("filters.snapshot_missing", lang, snapshot=escape_markdown(wanted),
                         latest=escape_markdown(chosen.snapshot_id)))
        wanted = None
    info = store.get(wanted) if wanted else chosen
    st.session_state[KEY_SNAPSHOT] = info.snapshot_id
    default = SnapshotView(info, scope).default_period()
    filters = Filters.from_query_params(params.to_dict(), default.key)
    options = _cached_options(str(store.root), info.snapshot_id, scope.counties, lang)
    notices += url_notices(params.to_dict(), filters, default, options, lang)
    _set_period_state(filters.period)
    for name, key in LIST_PARAMS.items():
        st.session_state[key] = list(getattr(filters, name))
    return notices


def _set_period_state(period: Period) -> None:
    st.session_state[KEY_PERIOD_KIND] = period.kind
    if period.kind == "custom":
        st.session_state[KEY_PERIOD_RANGE] = (period.start, period.end)
    else:
        st.session_state[KEY_PERIOD] = period.key


def custom_period(days, fallback: Period) -> Period:
    """The date_input's range as a Period (one day while only the start is picked)."""
    days = tuple(d for d in (days or ()) if d)
    if not days:
        return Period("custom", fallback.start, fallback.end)
    return Period("custom", min(days), max(days))


def _on_period_kind_change() -> None:
    """Keep the user's days when switching month/quarter/year/custom."""
    kind = st.session_state.get(KEY_PERIOD_KIND)
    if kind not in PERIOD_KINDS:
        return
    previous = st.session_state.get("_xiaoneng_period")
    if previous is not None:
        _set_period_state(convert_period(Period.parse(previous), kind, st.session_state.get(_LAST_DAY)))


def _on_snapshot_change() -> None:
    """Another snapshot: show its month (an as-of view starts at its own date)."""
    st.session_state["_xiaoneng_snapshot_changed"] = True


def _switch_snapshot(snapshot_id: str) -> None:
    st.session_state[KEY_SNAPSHOT] = snapshot_id
    _on_snapshot_change()


def _on_reset() -> None:
    st.session_state["_xiaoneng_reset"] = True


def _keep_valid(key: str, allowed) -> None:
    """Drop values a widget no longer offers (another snapshot, an edited URL)."""
    allowed = set(allowed)
    value = st.session_state.get(key) or []
    st.session_state[key] = [v for v in value if v in allowed]


def sidebar_filters() -> AppContext:
    """Render the global filters in the sidebar, sync the URL, and return the view's context."""
    folder = data_dir()
    user = auth.session_user(st.session_state)
    if user is None:  # fail closed: no data for nobody (app.py shows the sign-in before this)
        st.session_state.pop(_CONTEXT, None)
        st.warning(t("scope_notice.signed_out", current_lang()), icon=":material/lock:")
        st.stop()
    store = SnapshotStore()
    snapshots = store.list(include_withdrawn=user.can("publish"))  # admins see withdrawn ones, marked
    if not snapshots:
        st.session_state.setdefault(KEY_LANG, current_lang())
        _language_switch()
        ctx = AppContext(lang=current_lang(), data_folder=folder, user=user)
        st.session_state[_CONTEXT] = ctx
        return ctx

    scope = user.scope
    notices = _read_url_once(store, snapshots, scope)
    lang = current_lang()
    ids = [s.snapshot_id for s in reversed(snapshots)]  # newest first
    if st.session_state.get(KEY_SNAPSHOT) not in ids:
        st.session_state[KEY_SNAPSHOT] = (store.default() or snapshots[-1]).snapshot_id
    by_id = {s.snapshot_id: s for s in snapshots}
    sidebar = st.sidebar
    sidebar.header(t("filters.header", lang))
    snapshot_id = sidebar.selectbox(
        t("filters.snapshot", lang), ids, key=KEY_SNAPSHOT, on_change=_on_snapshot_change,
        format_func=lambda i: t("filters.snapshot_option", lang, snapshot=i, as_of=f"{by_id[i].as_of:%Y-%m-%d}")
        + (t("filters.snapshot_withdrawn", lang) if by_id[i].withdrawn else ""),
    )
    info = by_id[snapshot_id]
    view = SnapshotView(info, scope)
    default = view.default_period()
    options = _cached_options(str(store.root), snapshot_id, scope.counties, lang)

    if st.session_state.pop("_xiaoneng_reset", False):
        _set_period_state(default)
        for key in LIST_PARAMS.values():
            st.session_state[key] = []
    if st.session_state.pop("_xiaoneng_snapshot_changed", False):
        _set_period_state(default)

    # period: kind, then the period of that kind (or a date range)
    if st.session_state.get(KEY_PERIOD_KIND) not in PERIOD_KINDS:
        _set_period_state(default)
    kind = sidebar.segmented_control(
        t("filters.period_kind", lang), PERIOD_KINDS, key=KEY_PERIOD_KIND, required=True,
        format_func=lambda k: t(f"period_kind.{k}", lang), on_change=_on_period_kind_change, width="stretch",
    ) or default.kind
    first, last = options.first_day or default.start, options.last_day or default.end
    if kind == "custom":
        days = st.session_state.get(KEY_PERIOD_RANGE)
        if not isinstance(days, tuple | list) or not days or not days[0]:
            days = (default.start, default.end)
            st.session_state[KEY_PERIOD_RANGE] = days
        picked = sidebar.date_input(
            t("filters.period_range", lang), key=KEY_PERIOD_RANGE, min_value=min(first, days[0]),
            max_value=max(last, days[-1]), help=t("filters.period_range_help", lang), format="YYYY-MM-DD",
        )
        period = custom_period(picked, default)
    else:
        keys = period_options(kind, first, last)
        chosen = st.session_state.get(KEY_PERIOD)
        try:
            valid = chosen is not None and Period.parse(chosen).kind == kind
        except ValueError:
            valid = False
        if not valid:
            st.session_state[KEY_PERIOD] = convert_period(default, kind).key
        if st.session_state[KEY_PERIOD] not in keys:  # a link to a period outside the data: keep it
            keys = sorted([*keys, st.session_state[KEY_PERIOD]], reverse=True)
        picked = sidebar.selectbox(t("filters.period", lang), keys, key=KEY_PERIOD,
                                   format_func=lambda k: Period.parse(k).label(lang))
        period = Period.parse(picked) if picked else convert_period(default, kind)
    st.session_state["_xiaoneng_period"] = period.key
    st.session_state[_LAST_DAY] = last

    _keep_valid(KEY_COUNTIES, options.counties)
    _keep_valid(KEY_DEPARTMENTS, options.departments)
    _keep_valid(KEY_ITEM_TYPES, options.item_types)
    _keep_valid(KEY_CHANNELS, CHANNELS)
    placeholder = t("filters.placeholder_all", lang)
    county_placeholder = placeholder if scope.counties is None else t(
        "filters.placeholder_scope", lang, counties=join_names(list(options.counties.values()), lang))
    counties = sidebar.multiselect(t("filters.counties", lang), list(options.counties), key=KEY_COUNTIES,
                                   format_func=lambda c: options.counties.get(c, c), placeholder=county_placeholder,
                                   select_all=False)  # none chosen already means all: no "全选" to add
    departments = sidebar.multiselect(t("filters.departments", lang), list(options.departments),
                                      key=KEY_DEPARTMENTS, format_func=lambda d: options.departments.get(d, d),
                                      placeholder=placeholder, select_all=False)
    item_types = sidebar.multiselect(t("filters.item_types", lang), list(options.item_types), key=KEY_ITEM_TYPES,
                                     placeholder=placeholder, select_all=False)
    channels = sidebar.multiselect(t("filters.channels", lang), list(CHANNELS), key=KEY_CHANNELS,
                                   format_func=lambda c: t(f"channel.{c}", lang), placeholder=placeholder,
                                   select_all=False)
    sidebar.button(t("filters.reset", lang), key=KEY_RESET, on_click=_on_reset, width="stretch")
    _language_switch()
    sidebar.caption(t("filters.copy_hint", lang))

    filters = Filters(period, tuple(counties), tuple(departments), tuple(item_types), tuple(channels))
    _write_url(url_params(snapshot_id, filters, lang))
    ctx = AppContext(lang=lang, data_folder=folder, user=user, snapshot=info, filters=filters, options=options,
                     notices=tuple(notices), newer=newer_snapshot(store.default() or snapshots[-1], info))
    st.session_state[_CONTEXT] = ctx
    return ctx


def _on_language_change() -> None:
    """Re-assign the filters' values: the browser keeps a choice as its displayed label, so without
    this the snapshot, period and unit boxes would go on showing the old language until a reload."""
    for key in (KEY_SNAPSHOT, KEY_PERIOD, *LIST_PARAMS.values()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _language_switch() -> None:
    if st.session_state.get(KEY_LANG) not in LANGS:
        st.session_state[KEY_LANG] = DEFAULT_LANG
    st.sidebar.segmented_control(
        t("lang.label", current_lang()), LANGS, key=KEY_LANG, required=True,
        format_func=lambda code: t(f"lang.{code}", code), width="stretch", on_change=_on_language_change,
    )


def _write_url(wanted: dict[str, str]) -> None:
    """Make the URL say exactly ``wanted`` (other parameters, e.g. embed, are kept)."""
    current = st.query_params.to_dict()
    merged = {k: v for k, v in current.items() if k not in URL_KEYS} | wanted
    if merged != current:
        st.query_params.from_dict(merged)


# ---------------------------------------------------------------- routing mode

def leave_pages_folder_mode() -> None:
    """Rerun at once in st.navigation mode if Streamlit still runs this app as a pages-folder app.

    Because our pages live in ``pages/``, a fresh server process treats the app as an old-style
    pages-folder app until ``st.navigation`` first runs (which sets
    ``PagesManager.uses_pages_directory = False``, process-wide). Until then, the first request
    runs a deep-linked page without app.py and shows a file-name navigation ("app, definitions,
    overview"). Setting the flag as st.navigation would, then rerunning, gives that first
    request the real navigation, filters and page settings. Called first thing by app.py and
    by a page that finds itself running alone.
    """
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


# ---------------------------------------------------------------- for pages

def _sidebar_rendered_this_run() -> bool:
    """Whether ``sidebar_filters()`` already ran in this script run.

    Streamlit runs a file of ``pages/`` without ``app.py`` in its pages-folder mode (see
    ``leave_pages_folder_mode``). The check reads the widget keys registered in this run; if
    Streamlit's internals change, it answers True so a page never renders the filters twice.
    """
    run = get_script_run_ctx()
    keys = getattr(getattr(run, "shared", None), "widget_user_keys_this_run", None)
    if run is None or keys is None:
        return True
    try:
        return KEY_LANG in keys
    except TypeError:
        return True


def context() -> AppContext:
    """The context ``app.py`` built in this run (built here when a page runs on its own)."""
    ctx = st.session_state.get(_CONTEXT)
    if isinstance(ctx, AppContext) and _sidebar_rendered_this_run():
        return ctx
    leave_pages_folder_mode()  # reruns through app.py when that is why the page runs alone
    lang = current_lang()  # run alone otherwise (streamlit run pages/x.py): app.py's page settings too
    st.set_page_config(page_title=t("app.title", lang), page_icon=t("app.page_icon", lang), layout="wide",
                       initial_sidebar_state=SIDEBAR_WIDTH_PX)
    return sidebar_filters()


def show_no_data(ctx: AppContext) -> None:
    st.warning(f"**{t('no_data.title', ctx.lang)}**\n\n{t('no_data.body', ctx.lang, folder=ctx.data_folder)}",
               icon=":material/database_off:")


def show_unit(county: str | None = None, dept: str | None = None) -> None:
    """Make the sidebar's county (or department) filter name one unit, as a callback of the 单位画像's
    boxes: the run it starts draws the sidebar, the context line and the URL with that unit."""
    for key, code in ((KEY_COUNTIES, county), (KEY_DEPARTMENTS, dept)):
        if code is not None:
            st.session_state[key] = [code]


def show_context_line(ctx: AppContext) -> None:
    """The visible statement of what the page shows: as-of time and every active filter, including a
    cross-filter's (a page that narrows the sidebar's passes ``ctx.viewing(narrowed)``)."""
    for notice in (*ctx.notices, *ctx.data_warnings()):
        st.warning(notice)
    if ctx.has_data:
        st.caption(ctx.summary())
    if ctx.newer is not None:  # an old link, or an older snapshot chosen: say that newer data exist
        note, switch = st.columns([5, 1], vertical_alignment="center")
        note.info(t("newer_snapshot.notice", ctx.lang, snapshot=escape_markdown(ctx.newer.snapshot_id),
                    as_of=f"{ctx.newer.as_of:%Y-%m-%d %H:%M}",
                    viewed=f"{ctx.snapshot.as_of:%Y-%m-%d %H:%M}"), icon=":material/update:")
        switch.button(t("newer_snapshot.switch", ctx.lang), key="newer_snapshot_switch", on_click=_switch_snapshot,
                      args=(ctx.newer.snapshot_id,), icon=":material/sync:", width="stretch")


def require_snapshot() -> AppContext:
    """The context of a page that needs data: without a snapshot, say how to get one and stop."""
    ctx = context()
    if not ctx.has_data:
        show_no_data(ctx)
        st.stop()
    return ctx

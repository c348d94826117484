"""数据管理 Data: published snapshots (manifest, counts, sources), indicator definitions with formulas
and the data quality of the selected snapshot for everybody; for admins only (``user.can("publish")``)
also the upload with its validation report, the checks confirmed before a publish, the default choice,
withdraw/restore, next year's holidays and the audit log, and for those who manage users
(``user.can("manage_users")``) the users (xiaoneng.users_admin). The admin parts' widgets are not created
for anybody else. Data: xiaoneng.datapage; actions: xiaoneng.snapshots.SnapshotStore."""

import datetime as dt

import streamlit as st

from xiaoneng import audit, auth, datapage, session, users_admin
from xiaoneng.audit import ACTIONS
from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.paths import reference_dir
from xiaoneng.snapshot_admin import refusal_text
from xiaoneng.snapshots import SnapshotError, SnapshotStore

ctx = session.context()
lang = ctx.lang
text, admin_text = datapage.text, datapage.admin_text
store = SnapshotStore(ctx.data_folder / "snapshots")
user = auth.session_user(st.session_state)
is_admin = user is not None and user.can("publish")
manages_users = user is not None and user.can("manage_users")
UPLOAD_STATE = "_data_upload"  # the validated load: request, result and its fingerprint
DONE_STATE = "_data_admin_done"  # what the last admin action did, shown after its rerun

st.title(text("title", lang))
session.show_context_line(ctx)
if is_admin and (done := st.session_state.pop(DONE_STATE, None)):
    st.success(done, icon=":material/check_circle:")


def admin_action(action, done: str) -> None:
    """Run a store action as the signed-in admin: on success say so after a rerun (the sidebar lists
    the snapshots again), on a refusal say why."""
    try:
        action()
    except SnapshotError as exc:
        st.error(refusal_text(exc, lang), icon=":material/block:")
    else:
        st.session_state[DONE_STATE] = done
        st.rerun()


tab_labels = {"snapshots": text("tab_snapshots", lang)}
if is_admin:
    tab_labels |= {"upload": text("tab_upload", lang), "calendar": admin_text("tab_calendar", lang),
                   "audit": admin_text("tab_audit", lang)}
if manages_users:
    tab_labels |= {"users": users_admin.text("tab", lang)}
tab_labels |= {"definitions": text("tab_definitions", lang), "quality": text("tab_quality", lang)}
tabs = dict(zip(tab_labels, st.tabs(list(tab_labels.values())), strict=True))

# ---------------------------------------------------------------- snapshots
with tabs["snapshots"]:
    if is_admin:
        for broken in store.damaged():
            st.warning(admin_text("damaged", lang, snapshot=broken.snapshot_id, error=broken.error),
                       icon=":material/broken_image:")
    snapshots = datapage.snapshot_list(store, include_withdrawn=is_admin, lang=lang)
    if snapshots.empty:
        session.show_no_data(ctx)
    else:
        st.caption(text("snapshots_caption", lang))
        columns = {c: st.column_config.NumberColumn(datapage.table_label(c, lang), format="localized")
                   for c in ("cases", "case_steps", "ratings", "surveys", "tasks")}
        columns |= {
            "snapshot_id": st.column_config.TextColumn(text("col_snapshot", lang)),
            "status": st.column_config.TextColumn(admin_text("col_status", lang)),
            "as_of": st.column_config.DatetimeColumn(text("col_as_of", lang), format="YYYY-MM-DD HH:mm"),
            "producer": st.column_config.TextColumn(text("col_producer", lang)),
            "created_at": st.column_config.DatetimeColumn(text("col_created", lang), format="YYYY-MM-DD HH:mm"),
            "calendar_start": st.column_config.TextColumn(text("col_calendar_start", lang)),
            "calendar_end": st.column_config.TextColumn(text("col_calendar_end", lang)),
            "cases_outside_calendar": st.column_config.NumberColumn(text("col_outside", lang),
                                                                    help=text("col_outside_help", lang)),
            "sources": st.column_config.NumberColumn(text("col_sources", lang)),
        }
        st.dataframe(snapshots, column_config=columns, hide_index=True, placeholder="—", key="data_snapshots")

    if is_admin and not snapshots.empty:
        st.subheader(admin_text("manage_header", lang))
        st.caption(admin_text("manage_caption", lang))
        listed = {info.snapshot_id: info for info in store.list(include_withdrawn=True)}
        default_id = store.default_id()
        chosen_id = st.selectbox(admin_text("manage_snapshot", lang), list(reversed(listed)), key="data_admin_snapshot",
                                 format_func=lambda i: f"{i}　{datapage.snapshot_status(listed[i], default_id, lang)}")
        chosen = listed[chosen_id]
        left, right = st.columns(2)
        with left:
            if chosen.withdrawn:
                st.info(admin_text("manage_is_withdrawn", lang, snapshot=chosen_id, reason=chosen.withdrawal.reason),
                        icon=":material/visibility_off:")
                if st.button(admin_text("restore", lang), key="data_admin_restore", icon=":material/undo:"):
                    admin_action(lambda: store.restore(chosen_id, user.name),
                                 admin_text("restore_done", lang, snapshot=chosen_id))
            elif chosen_id == default_id:
                st.info(admin_text("manage_is_default", lang, snapshot=chosen_id), icon=":material/star:")
            elif st.button(admin_text("set_default", lang, snapshot=chosen_id), key="data_admin_set_default",
                           type="primary", icon=":material/star:"):
                admin_action(lambda: store.set_default(chosen_id, user.name),
                             admin_text("set_default_done", lang, snapshot=chosen_id))
        with right:
            if not chosen.withdrawn:
                others = [i for i, info in listed.items() if i != chosen_id and not info.withdrawn]
                if chosen_id == default_id and others:
                    st.caption(admin_text("withdraw_default_first", lang, snapshot=chosen_id))
                else:
                    reason = st.text_input(admin_text("withdraw_reason", lang), key="data_admin_withdraw_reason",
                                           help=admin_text("withdraw_reason_help", lang)).strip()
                    if st.button(admin_text("withdraw", lang, snapshot=chosen_id), key="data_admin_withdraw",
                                 disabled=not reason, icon=":material/visibility_off:"):
                        admin_action(lambda: store.withdraw(chosen_id, reason, user.name),
                                     admin_text("withdraw_done", lang, snapshot=chosen_id))

    if ctx.snapshot is not None:
        info = ctx.snapshot
        st.subheader(text("sources_header", lang, snapshot=info.snapshot_id))
        sources = datapage.snapshot_sources(info)
        if sources.empty:
            st.info(text("sources_none", lang, producer=info.manifest.get("producer", "")), icon=":material/info:")
        else:
            st.dataframe(sources, hide_index=True, placeholder="—", key="data_sources", column_config={
                "file": st.column_config.TextColumn(text("col_file", lang)),
                "table": st.column_config.TextColumn(text("col_table", lang)),
                "bytes": st.column_config.NumberColumn(text("col_bytes", lang), format="localized"),
                "sha256": st.column_config.TextColumn("SHA-256", width="large"),
            })
        summary = datapage.ingest_summary(info)
        if summary:
            st.caption(text("ingest_kept", lang, mapping=summary.get("mapping", ""), read=summary["rows_read"],
                            rejected=summary["rows_rejected"]))


def show_report(result) -> None:
    """The load report, as the CLI's: files, tables, where each table comes from, the source's own
    verdict, rows skipped per rule, rejects by reason and the first rejected rows."""
    a, b, c, d = st.columns(4)
    a.metric(text("report_read", lang), f"{result.rows_read:,}")
    b.metric(text("report_kept", lang), f"{result.rows_kept:,}")
    c.metric(text("report_rejected", lang), f"{result.rows_rejected:,}",
             help=text("report_rejected_help", lang, threshold=f"{100 * result.reject_threshold:g}"))
    d.metric(admin_text("report_skipped", lang), f"{result.rows_skipped:,}",
             help=admin_text("report_skipped_help", lang))
    files_report = datapage.result_files(result, lang)
    st.dataframe(files_report, hide_index=True, placeholder="—", key="data_report_files",
                 column_config={c: text(f"report_col_{c}", lang) for c in files_report.columns})
    tables = datapage.result_tables(result, lang)
    if not tables.empty:
        st.dataframe(tables, hide_index=True, placeholder="—", key="data_report_tables", column_config={
            **{c: admin_text(f"tables_col_{c}", lang) for c in ("table", "read", "kept", "rejected", "skipped")},
            "reject_pct": st.column_config.NumberColumn(admin_text("tables_col_reject_pct", lang), format="%.2f%%"),
            "threshold_pct": st.column_config.NumberColumn(admin_text("tables_col_threshold_pct", lang),
                                                           format="%g%%")})
    if result.tables_from:
        st.markdown(f"**{admin_text('tables_from_header', lang, base=result.base)}**")
        st.dataframe(datapage.result_tables_from(result, lang), hide_index=True, placeholder="—",
                     key="data_report_tables_from",
                     column_config={c: admin_text(f"tables_from_col_{c}", lang)
                                    for c in ("table", "source", "from_base", "from_load")})
    if result.verdict:
        st.markdown(f"**{admin_text('verdict_header', lang)}**")
        for column, key in zip(st.columns(len(datapage.VERDICT_KEYS)), datapage.VERDICT_KEYS, strict=True):
            column.metric(admin_text(f"verdict_{key}", lang), f"{result.verdict[key]:,}")
    skipped = datapage.result_skipped(result)
    if not skipped.empty:
        st.markdown(f"**{admin_text('skipped_header', lang)}**")
        st.dataframe(skipped, hide_index=True, placeholder="—", key="data_report_skipped",
                     column_config={c: admin_text(f"skipped_col_{c}", lang) for c in ("file", "rule", "rows")})
    reasons = datapage.result_reasons(result, lang)
    if not reasons.empty:
        st.dataframe(reasons[["reason", "reason_code", "rows"]], hide_index=True,
                     placeholder="—", key="data_report_reasons",
                     column_config={"reason": text("col_reason", lang), "reason_code": text("col_code", lang),
                                    "rows": text("col_rows", lang)})
        st.dataframe(datapage.result_rejects(result), hide_index=True, placeholder="—", key="data_report_rejects",
                     column_config={c: text(f"reject_col_{c}", lang)
                                    for c in ("file", "line", "table", "column", "reason", "value")})
        st.download_button(text("quarantine_download", lang), result.quarantine_csv,
                           file_name=f"quarantine-{result.snapshot_id}.csv", mime="text/csv",
                           key="data_upload_quarantine", icon=":material/download:")
    for warning in result.warnings:
        st.warning(warning)


def publish_step(request, result) -> None:
    """Before the publish: the data date, rows per table against the current default and the checks,
    each confirmed by its own box; the button works only when every box is ticked."""
    default = store.default()
    st.subheader(admin_text("publish_header", lang))
    st.markdown(admin_text("publish_as_of", lang, as_of=f"{result.as_of:%Y-%m-%d %H:%M:%S}",
                           snapshot=request.snapshot_id))
    st.dataframe(datapage.publish_comparison(result, default, lang), hide_index=True, placeholder="—",
                 key="data_publish_comparison", column_config={
                     "table": admin_text("compare_col_table", lang),
                     "new": st.column_config.NumberColumn(admin_text("compare_col_new", lang,
                                                                     snapshot=request.snapshot_id), format="localized"),
                     "default": st.column_config.NumberColumn(
                         admin_text("compare_col_default", lang, snapshot=default.snapshot_id if default else "—"),
                         format="localized"),
                     "difference": st.column_config.NumberColumn(admin_text("compare_col_difference", lang),
                                                                 format="%+d")})
    st.caption(admin_text("publish_keeps_default", lang, default=default.snapshot_id) if default
               else admin_text("publish_first_default", lang))
    confirmed = True
    for check in datapage.publish_checks(result, request.files, store, lang):
        st.warning(check.message, icon=":material/warning:")
        confirmed &= st.checkbox(admin_text(f"confirm_{check.code}", lang), key=f"data_publish_confirm_{check.code}")
    confirmed &= st.checkbox(admin_text("confirm", lang), key="data_publish_confirm")
    if st.button(text("upload_publish", lang, snapshot=request.snapshot_id), key="data_upload_publish",
                 type="primary", disabled=not confirmed, icon=":material/publish:") and confirmed:
        published = datapage.publish_upload(request, store, published_by=user.name)
        st.session_state[UPLOAD_STATE] = (st.session_state[UPLOAD_STATE][0], request, published)
        st.rerun()


# ---------------------------------------------------------------- upload → validation report → publish (admins)
if is_admin:
    with tabs["upload"]:
        st.caption(text("upload_caption", lang))
        uploads = st.file_uploader(text("upload_files", lang), type=list(datapage.UPLOAD_TYPES),
                                   accept_multiple_files=True, key="data_upload_files",
                                   help=text("upload_help", lang))
        mappings = datapage.mapping_choices()
        left, middle, right = st.columns(3)
        mapping = left.selectbox(text("upload_mapping", lang), list(mappings), key="data_upload_mapping",
                                 format_func=lambda p: f"{mappings[p]}（{p.rsplit('/', 1)[-1]}）")
        as_of = middle.date_input(text("upload_as_of", lang), value=dt.date.today(), key="data_upload_as_of",
                                  format="YYYY-MM-DD", help=text("upload_as_of_help", lang))
        suggestion = datapage.suggest_snapshot_id(as_of, store)
        snapshot_id = right.text_input(text("upload_snapshot_id", lang), key="data_upload_snapshot_id",
                                       placeholder=suggestion, help=text("upload_snapshot_id_help", lang)).strip() \
            or suggestion
        left, middle, right = st.columns(3)
        threshold = left.number_input(text("upload_threshold", lang), min_value=0.0, max_value=100.0, value=1.0,
                                      step=0.5, format="%g", key="data_upload_threshold",
                                      help=text("upload_threshold_help", lang))
        accept = middle.checkbox(text("upload_accept", lang), key="data_upload_accept",
                                 help=text("upload_accept_help", lang))
        accept_untimed = middle.checkbox(admin_text("upload_accept_untimed", lang), key="data_upload_accept_untimed",
                                         help=admin_text("upload_accept_untimed_help", lang))
        current = store.default_id()
        on_base = right.checkbox(admin_text("upload_base", lang, snapshot=current or "—"), key="data_upload_base",
                                 disabled=current is None, help=admin_text("upload_base_help", lang))
        base = current if on_base else None
        files = [(f.name, f.getvalue()) for f in uploads or []]
        signature = datapage.upload_signature(files, mapping, snapshot_id, as_of, threshold, accept, accept_untimed,
                                              base)
        problem = datapage.snapshot_id_problem(snapshot_id, store, lang)
        if problem:
            st.warning(problem)
        if st.button(text("upload_validate", lang), key="data_upload_validate", type="secondary",
                     disabled=not files or problem is not None, icon=":material/fact_check:"):
            if st.session_state.get(UPLOAD_STATE) is not None:
                datapage.discard_staged(st.session_state.pop(UPLOAD_STATE)[1])
            try:
                paths = datapage.stage_uploads(files)
            except ValueError as exc:
                st.error(text("upload_bad_file", lang, error=exc))
            else:
                request = datapage.UploadRequest(mapping=mapping, files=tuple(paths), snapshot_id=snapshot_id,
                                                 as_of=as_of, reject_threshold=threshold / 100,
                                                 accept_rejects=accept, base=base, accept_untimed=accept_untimed)
                st.session_state[UPLOAD_STATE] = (signature, request, datapage.validate_upload(request, store))
        validated = st.session_state.get(UPLOAD_STATE)
        if validated is not None:
            checked_signature, request, result = validated
            st.subheader(text("report_header", lang))
            if result.published is not None:
                st.success(text("report_published", lang, snapshot=result.published.snapshot_id))
            elif result.ok:
                st.success(text("report_ok", lang))
            else:
                st.error(text("report_refused", lang, reason=result.refused_reason))
            show_report(result)
            if result.published is not None:
                published_id = result.published.snapshot_id
                if store.default_id() != published_id and not store.get(published_id).withdrawn:
                    st.info(admin_text("published_not_default", lang, snapshot=published_id,
                                       default=store.default_id() or "—"), icon=":material/info:")
                    if st.button(admin_text("make_default", lang, snapshot=published_id), key="data_make_default",
                                 icon=":material/star:"):
                        admin_action(lambda: store.set_default(published_id, user.name),
                                     admin_text("set_default_done", lang, snapshot=published_id))
            elif checked_signature != signature:
                st.info(text("report_stale", lang), icon=":material/info:")
            elif result.ok:
                publish_step(request, result)

# ---------------------------------------------------------------- next year's holidays (admins)
if is_admin:
    with tabs["calendar"]:
        calendar_path = reference_dir() / "calendar.csv"
        try:
            calendar = datapage.calendar_summary(calendar_path)
        except ValueError as exc:
            calendar = None
            st.error(admin_text("calendar_unreadable", lang, path=calendar_path, error=exc))
        if calendar is None:
            st.info(admin_text("calendar_missing", lang, path=calendar_path), icon=":material/info:")
        else:
            year = calendar.end.year + 1  # add-year refuses a gap: the next year is the only one to add
            st.caption(admin_text("calendar_caption", lang, path=calendar_path, start=calendar.start,
                                  end=calendar.end, year=year))
            how = st.segmented_control(admin_text("calendar_how", lang), ["file", "table"], key="data_calendar_how",
                                       default="file", required=True,
                                       format_func=lambda k: admin_text(f"calendar_how_{k}", lang))
            data, name = None, ""
            if how == "table":
                typed = st.data_editor(
                    datapage.empty_year_table(), num_rows="dynamic",
                    key="data_calendar_table", hide_index=True, column_config={
                        "date": st.column_config.TextColumn(admin_text("calendar_col_date", lang)),
                        "day_kind": st.column_config.SelectboxColumn(
                            admin_text("calendar_col_kind", lang), options=["节假日", "调休上班"]),
                        "name_zh": st.column_config.TextColumn(admin_text("calendar_col_name", lang))})
                if len(typed):
                    data, name = datapage.typed_year_csv(typed), admin_text("calendar_table_name", lang)
            else:
                upload = st.file_uploader(admin_text("calendar_file", lang), type=["csv"], key="data_calendar_file",
                                          help=admin_text("calendar_file_help", lang))
                if upload is not None:
                    data, name = upload.getvalue(), upload.name
            if data is not None:
                try:
                    days = datapage.year_rows(data, name, year)
                except ValueError as exc:
                    st.error(admin_text("calendar_problems", lang, problems=exc), icon=":material/error:")
                else:
                    st.markdown(f"**{admin_text('calendar_preview', lang, year=year, count=len(days))}**")
                    st.dataframe(datapage.year_preview(days, lang), hide_index=True, key="data_calendar_preview",
                                 column_config={c: admin_text(f"calendar_col_{c}", lang)
                                                for c in ("date", "day_kind", "name")})
                    if st.button(admin_text("calendar_add", lang, year=year), key="data_calendar_add",
                                 type="primary", icon=":material/event:"):
                        try:
                            added = datapage.add_calendar_year(calendar_path, year, data, name)
                        except ValueError as exc:
                            st.error(admin_text("calendar_problems", lang, problems=exc), icon=":material/error:")
                        else:
                            st.session_state[DONE_STATE] = admin_text("calendar_added", lang, year=year,
                                                                      count=added, path=calendar_path)
                            st.rerun()

# ---------------------------------------------------------------- the audit log (admins)
if is_admin:
    with tabs["audit"]:
        broken = audit.verify(store.audit_path)
        if broken:
            st.error(admin_text("audit_broken", lang, lines=", ".join(map(str, broken))), icon=":material/gpp_bad:")
        else:
            st.success(admin_text("audit_intact", lang), icon=":material/verified_user:")
        try:
            entries = list(audit.entries(store.audit_path))
        except ValueError:  # a line that is not JSON: verify() named it above
            entries = []
        left, right = st.columns(2)
        actions = left.multiselect(admin_text("audit_actions", lang), list(ACTIONS), key="data_audit_actions",
                                   format_func=lambda a: admin_text(f"action_{a}", lang),
                                   placeholder=t("filters.placeholder_all", lang))
        names = sorted({e.get("user") or "—" for e in entries})
        users = right.multiselect(admin_text("audit_users", lang), names, key="data_audit_users",
                                  placeholder=t("filters.placeholder_all", lang))
        log = datapage.audit_table(entries, actions, users, lang)
        st.caption(admin_text("audit_caption", lang, shown=len(log), total=len(entries)))
        st.dataframe(log, hide_index=True, placeholder="—", key="data_audit_log",
                     column_config={c: admin_text(f"audit_col_{c}", lang) for c in datapage.AUDIT_COLUMNS})

# ---------------------------------------------------------------- the users (admins)
if manages_users:
    with tabs["users"]:
        users_admin.render(user, lang)

# ---------------------------------------------------------------- indicator definitions
with tabs["definitions"]:
    st.markdown(text("definitions_intro", lang))
    st.table(datapage.indicator_formulas(lang), hide_index=True)
    st.markdown(f"**{t('definitions.rules_header', lang)}**")
    st.markdown(datapage.counting_rules_markdown(lang))

# ---------------------------------------------------------------- data quality of the selected snapshot
with tabs["quality"]:
    if not ctx.has_data:
        session.show_no_data(ctx)
    else:
        # the whole snapshot, whatever the period: one cache entry per snapshot
        quality = session.cached(datapage.data_quality, ctx, filters=Filters(ctx.view.default_period()))
        rows = datapage.quality_counts(quality, "rows")
        outside = datapage.quality_counts(quality, "outside_calendar").get("cases", 0)
        st.caption(text("quality_caption", lang, snapshot=ctx.snapshot.snapshot_id))
        metrics = st.columns(4)
        metrics[0].metric(datapage.table_label("cases", lang), f"{rows.get('cases', 0):,}",
                          help=text("quality_rows_help", lang))
        metrics[1].metric(datapage.table_label("ratings", lang), f"{rows.get('ratings', 0):,}",
                          help=text("quality_rows_help", lang))
        metrics[2].metric(text("check.outside_calendar", lang), f"{outside:,}",
                          help=text("quality_outside_help", lang))
        metrics[3].metric(text("check.bad_unverified", lang),
                          f"{datapage.quality_counts(quality, 'bad_unverified').get('ratings', 0):,}",
                          help=text("quality_unverified_help", lang))
        if is_admin:  # calendar care is the admin's job
            first_day = session.case_date_range(ctx.view)[0]
            warnings = datapage.calendar_warnings(ctx.snapshot, first_day, lang,
                                                  open_beyond=datapage.open_beyond_calendar(ctx.view))
            for warning in warnings:
                st.warning(warning, icon=":material/calendar_month:")
            if not warnings:
                start, end = ctx.snapshot.manifest["calendar_range"]
                st.success(text("calendar_ok", lang, start=start, end=end), icon=":material/event_available:")

        left, right = st.columns(2)
        with left:
            st.markdown(f"**{text('deadline_header', lang)}**")
            sources = quality[quality["check_name"] == "deadline_source"]
            st.dataframe(sources[["column", "row_count", "share_pct"]], hide_index=True,
                         placeholder="—", key="data_deadline_sources",
                         height="content",
                         column_config={"column": text("col_deadline_source", lang),
                                        "row_count": st.column_config.NumberColumn(text("col_rows", lang),
                                                                                   format="localized"),
                                        "share_pct": st.column_config.NumberColumn(text("col_share", lang),
                                                                                   format="%.1f%%")})
            st.caption(text("deadline_caption", lang))
        with right:
            st.markdown(f"**{text('nulls_header', lang)}**")
            nulls = quality[quality["check_name"] == "nulls"]
            st.dataframe(nulls[["table", "column", "row_count", "share_pct"]], hide_index=True,
                         placeholder="—", key="data_nulls",
                         height="content",
                         column_config={"table": text("col_table", lang), "column": text("col_column", lang),
                                        "row_count": st.column_config.NumberColumn(text("col_nulls", lang),
                                                                                   format="localized"),
                                        "share_pct": st.column_config.NumberColumn(text("col_share", lang),
                                                                                   format="%.1f%%")})
        st.markdown(f"**{text('rejects_header', lang)}**")
        rejected = datapage.quarantine_reasons(ctx.snapshot, lang)
        if rejected.empty:
            st.info(text("rejects_none", lang), icon=":material/info:")
        else:
            st.dataframe(rejected[["table", "reason", "reason_code", "rows"]], hide_index=True,
                         placeholder="—", key="data_rejects",
                         column_config={"table": text("col_table", lang), "reason": text("col_reason", lang),
                                        "reason_code": text("col_code", lang), "rows": text("col_rows", lang)})
            st.download_button(text("quarantine_download", lang), datapage.quarantine_bytes(ctx.snapshot),
                               file_name=f"quarantine-{ctx.snapshot.snapshot_id}.csv", mime="text/csv",
                               key="data_quarantine_download", icon=":material/download:")

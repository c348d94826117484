"""数据 Data: published snapshots (manifest, counts, sources), upload with the validation report
before publishing (the CLI's ingest), indicator definitions with formulas, and the data quality
of the selected snapshot. Data: xiaoneng.datapage."""

import datetime as dt

import streamlit as st

from xiaoneng import datapage, session
from xiaoneng.filters import Filters
from xiaoneng.i18n import t
from xiaoneng.snapshots import SnapshotStore

ctx = session.context()
lang = ctx.lang
text = datapage.text
store = SnapshotStore(ctx.data_folder / "snapshots")
UPLOAD_STATE = "_data_upload"  # the validated load: request, result and its fingerprint

st.title(text("title", lang))
session.show_context_line(ctx)

tab_snapshots, tab_upload, tab_definitions, tab_quality = st.tabs(
    [text("tab_snapshots", lang), text("tab_upload", lang), text("tab_definitions", lang), text("tab_quality", lang)])

# ---------------------------------------------------------------- snapshots
with tab_snapshots:
    snapshots = datapage.snapshot_list(store)
    if snapshots.empty:
        session.show_no_data(ctx)
    else:
        st.caption(text("snapshots_caption", lang))
        columns = {c: st.column_config.NumberColumn(datapage.table_label(c, lang), format="localized")
                   for c in ("cases", "case_steps", "ratings", "surveys", "tasks")}
        columns |= {
            "snapshot_id": st.column_config.TextColumn(text("col_snapshot", lang)),
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

# ---------------------------------------------------------------- upload → validation report → publish
with tab_upload:
    st.caption(text("upload_caption", lang))
    uploads = st.file_uploader(text("upload_files", lang), type=list(datapage.UPLOAD_TYPES),
                               accept_multiple_files=True, key="data_upload_files", help=text("upload_help", lang))
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
    left, middle, _ = st.columns(3)
    threshold = left.number_input(text("upload_threshold", lang), min_value=0.0, max_value=100.0, value=1.0,
                                  step=0.5, format="%g", key="data_upload_threshold",
                                  help=text("upload_threshold_help", lang))
    accept = middle.checkbox(text("upload_accept", lang), key="data_upload_accept",
                             help=text("upload_accept_help", lang))
    files = [(f.name, f.getvalue()) for f in uploads or []]
    signature = datapage.upload_signature(files, mapping, snapshot_id, as_of, threshold, accept)
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
            request = datapage.UploadRequest(mapping=mapping, files=tuple(paths),
                                             snapshot_id=snapshot_id, as_of=as_of, reject_threshold=threshold / 100,
                                             accept_rejects=accept)
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
        a, b, c = st.columns(3)
        a.metric(text("report_read", lang), f"{result.rows_read:,}")
        b.metric(text("report_kept", lang), f"{result.rows_kept:,}")
        c.metric(text("report_rejected", lang), f"{result.rows_rejected:,}",
                 help=text("report_rejected_help", lang, threshold=f"{100 * result.reject_threshold:g}"))
        files_report = datapage.result_files(result, lang)
        st.dataframe(files_report, hide_index=True, placeholder="—", key="data_report_files",
                     column_config={c: text(f"report_col_{c}", lang) for c in files_report.columns})
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
        if result.published is None:
            stale = checked_signature != signature
            if stale:
                st.info(text("report_stale", lang), icon=":material/info:")
            if st.button(text("upload_publish", lang, snapshot=request.snapshot_id), key="data_upload_publish",
                         type="primary", disabled=stale or not result.ok, icon=":material/publish:"):
                published = datapage.publish_upload(request, store)
                st.session_state[UPLOAD_STATE] = (checked_signature, request, published)
                st.rerun()

# ---------------------------------------------------------------- indicator definitions
with tab_definitions:
    st.markdown(text("definitions_intro", lang))
    st.table(datapage.indicator_formulas(lang), hide_index=True)
    st.markdown(f"**{t('definitions.rules_header', lang)}**")
    st.markdown(datapage.counting_rules_markdown(lang))

# ---------------------------------------------------------------- data quality of the selected snapshot
with tab_quality:
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
        first_day = session.case_date_range(ctx.view)[0]
        warnings = datapage.calendar_warnings(ctx.snapshot, first_day, lang)
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

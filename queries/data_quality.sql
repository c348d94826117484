-- Data quality of the snapshot as the user may see it: rows per fact table, missing values in the
-- optional columns the indicators lean on, cases the calendar cannot time, and where each case's
-- deadline comes from (system / derived / none / outside_calendar).
-- One row per check: table_name, check_name (rows | nulls | outside_calendar | deadline_source |
-- bad_unverified), column_name (the column, the deadline source, or null), row_count.
with

case_rows as (
    select received_at, applicant_type, item_type, deadline_at, promised_limit_wd, legal_limit_wd,
        outside_calendar, deadline_source
    from cases
),

step_rows as (
    select handler_post, handler_id, ended_at, step_limit_wd from case_steps
),

rating_rows as (
    select case_id, item_code, reason_tags, score, verified_at from ratings
),

survey_rows as (
    select response_id from surveys
),

task_rows as (
    select task_id from tasks
),

table_rows as (
    select 'cases' as table_name, 'rows' as check_name, null as column_name, count(*) as row_count
    from case_rows
    union all
    select 'case_steps', 'rows', null, count(*) from step_rows
    union all
    select 'ratings', 'rows', null, count(*) from rating_rows
    union all
    select 'surveys', 'rows', null, count(*) from survey_rows
    union all
    select 'tasks', 'rows', null, count(*) from task_rows
),

case_nulls as (
    -- item_type is null when the case's item is not in the items table
    select 'cases' as table_name, 'nulls' as check_name, column_name, row_count
    from (
        select
            count(*) filter (where received_at is null) as received_at,
            count(*) filter (where applicant_type is null) as applicant_type,
            count(*) filter (where item_type is null) as item_type,
            count(*) filter (where promised_limit_wd is null) as promised_limit_wd,
            count(*) filter (where legal_limit_wd is null) as legal_limit_wd,
            count(*) filter (where deadline_at is null) as deadline_at
        from case_rows
    ) unpivot (row_count for column_name in (
        received_at, applicant_type, item_type, promised_limit_wd, legal_limit_wd, deadline_at
    ))
),

step_nulls as (
    select 'case_steps' as table_name, 'nulls' as check_name, column_name, row_count
    from (
        select
            count(*) filter (where handler_post is null) as handler_post,
            count(*) filter (where handler_id is null) as handler_id,
            count(*) filter (where ended_at is null) as ended_at,
            count(*) filter (where step_limit_wd is null) as step_limit_wd
        from step_rows
    ) unpivot (row_count for column_name in (handler_post, handler_id, ended_at, step_limit_wd))
),

rating_nulls as (
    select 'ratings' as table_name, 'nulls' as check_name, column_name, row_count
    from (
        select
            count(*) filter (where case_id is null) as case_id,
            count(*) filter (where item_code is null) as item_code,
            count(*) filter (where reason_tags is null) as reason_tags
        from rating_rows
    ) unpivot (row_count for column_name in (case_id, item_code, reason_tags))
),

bad_unverified as (
    -- every bad review must be verified before it can be rectified (差评核实)
    select 'ratings' as table_name, 'bad_unverified' as check_name, null as column_name,
        count(*) filter (where score <= 2 and verified_at is null) as row_count
    from rating_rows
),

outside_calendar as (
    select 'cases' as table_name, 'outside_calendar' as check_name, null as column_name,
        count(*) filter (where outside_calendar) as row_count
    from case_rows
),

deadline_sources as (
    select 'cases' as table_name, 'deadline_source' as check_name, deadline_source as column_name,
        count(*) as row_count
    from case_rows
    group by deadline_source
),

final as (
    select * from table_rows
    union all select * from case_nulls
    union all select * from step_nulls
    union all select * from rating_nulls
    union all select * from bad_unverified
    union all select * from outside_calendar
    union all select * from deadline_sources
)

select table_name, check_name, column_name, cast(row_count as bigint) as row_count from final

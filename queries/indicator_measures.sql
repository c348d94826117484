-- Base measures of every indicator (config/indicators.yaml turns them into values), one row per
-- group: the whole selection, or per county and/or department ($by_county, $by_dept).
-- Period: [$period_start, $period_end). Every state (open, overdue, yellow, due, rectified, task
-- done) is taken at $state_at — the period's end (midnight after its last day), or the snapshot's
-- moment when that is earlier — from timestamps only (queries/macros/), so a past period's figures
-- are the same in every later snapshot of the same data. Refused cases (不予受理) are not accepted
-- cases and enter no measure.
with

case_measures as (
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        count(*) filter (where accepted_in_period) as cases_accepted,
        count(*) filter (where accepted_in_period and is_online) as cases_online,
        -- 网办率's base: accepted cases whose channel is known (a source's 'unknown' is left out)
        count(*) filter (where accepted_in_period and channel <> 'unknown') as cases_channel_known,
        count(*) filter (where accepted_in_period and deadline_at is null) as cases_no_deadline,
        count(*) filter (where completed_in_period) as completed,
        -- 办结件按时率: completions in the period that had a deadline, and those before its day's close
        count(*) filter (where completed_in_period and on_time is not null) as completed_with_deadline,
        count(*) filter (where completed_in_period and on_time) as completed_on_time,
        -- rated by the state time (a review given later had not happened yet)
        count(*) filter (where completed_in_period and first_rated_at < $state_at) as completed_rated,
        -- durations and 提前办结率 over 承诺件 (promised limit > 0); immediate items have 即办率
        count(*) filter (where completed_in_period and is_promised) as promised_completed,
        count(*) filter (where completed_in_period and is_promised and completed_early is not null)
            as promised_completed_timed,
        count(*) filter (where completed_in_period and is_promised and completed_early) as completed_early,
        sum(elapsed_wd) filter (where completed_in_period and is_promised) as elapsed_wd_sum,
        count(elapsed_wd) filter (where completed_in_period and is_promised) as elapsed_wd_count,
        median(elapsed_wd) filter (where completed_in_period and is_promised) as elapsed_wd_median,
        quantile_cont(elapsed_wd, 0.9) filter (where completed_in_period and is_promised) as elapsed_wd_p90,
        -- 按期办结率: cases due in the period (each once, in its deadline's period), completed by then
        count(*) filter (where is_due) as due_cases,
        count(*) filter (where due_on_time) as due_on_time,
        -- 即办率: open ones count against it, one withdrawn that same day is not owed
        count(*) filter (where immediate_due) as immediate_due,
        count(*) filter (where immediate_same_day) as immediate_same_day,
        count(*) filter (where light is not null) as open_at_end,
        count(*) filter (where light = 'red') as open_overdue,
        count(*) filter (where light = 'yellow') as open_yellow
    from case_flags($period_start, $period_end, $state_at)
    group by 1, 2
),

items_handled as (
    -- each item with cases accepted in the period once, with the limits recorded on its latest case
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        item_code,
        arg_max(promised_limit_wd, accepted_at) as promised_limit_wd,
        arg_max(legal_limit_wd, accepted_at) as legal_limit_wd
    from cases
    where is_accepted and accepted_at >= $period_start and accepted_at < $period_end
    group by 1, 2, 3
),

compression as (
    select
        county_code,
        dept_code,
        sum(promised_limit_wd) as promised_wd_sum,
        sum(legal_limit_wd) as legal_wd_sum
    from items_handled
    where legal_limit_wd > 0 and promised_limit_wd is not null
    group by 1, 2
),

non_case as (
    -- ratings, rectification, surveys and tasks (queries/macros/non_case_measures.sql)
    select * from non_case_measures($period_start, $period_end, $state_at, $by_county, $by_dept)
),

final as (
    select
        nullif(county_code, '') as county_code,
        nullif(dept_code, '') as dept_code,
        -- a unit without a case accepted, completed, due or open has no case data: its counts are
        -- null (无数据), never 0
        coalesce(cm.cases_accepted, 0) + coalesce(cm.completed, 0) + coalesce(cm.due_cases, 0)
            + coalesce(cm.open_at_end, 0) > 0 as has_cases,
        case when has_cases then coalesce(cm.cases_accepted, 0) end as cases_accepted,
        coalesce(cm.cases_online, 0) as cases_online,
        coalesce(cm.cases_channel_known, 0) as cases_channel_known,
        coalesce(cm.cases_no_deadline, 0) as cases_no_deadline,
        coalesce(cm.completed, 0) as completed,
        coalesce(cm.completed_with_deadline, 0) as completed_with_deadline,
        coalesce(cm.completed_on_time, 0) as completed_on_time,
        coalesce(cm.due_cases, 0) as due_cases,
        coalesce(cm.due_on_time, 0) as due_on_time,
        coalesce(cm.promised_completed, 0) as promised_completed,
        coalesce(cm.promised_completed_timed, 0) as promised_completed_timed,
        coalesce(cm.completed_early, 0) as completed_early,
        case when has_cases then coalesce(cm.open_overdue, 0) end as open_overdue,
        case when has_cases then coalesce(cm.open_yellow, 0) end as open_yellow,
        coalesce(cm.open_at_end, 0) as open_at_end,
        cm.elapsed_wd_sum,
        coalesce(cm.elapsed_wd_count, 0) as elapsed_wd_count,
        cm.elapsed_wd_median,
        cm.elapsed_wd_p90,
        coalesce(cm.immediate_due, 0) as immediate_due,
        coalesce(cm.immediate_same_day, 0) as immediate_same_day,
        coalesce(cm.completed_rated, 0) as completed_rated,
        cp.promised_wd_sum,
        cp.legal_wd_sum,
        coalesce(nc.ratings, 0) as ratings,
        coalesce(nc.ratings_good, 0) as ratings_good,
        coalesce(nc.ratings_bad, 0) as ratings_bad,
        coalesce(nc.ratings_satisfied, 0) as ratings_satisfied,
        coalesce(nc.ratings_unfounded, 0) as ratings_unfounded,
        coalesce(nc.bad_due, 0) as bad_due,
        coalesce(nc.bad_rectified, 0) as bad_rectified,
        coalesce(nc.bad_rectified_on_time, 0) as bad_rectified_on_time,
        nc.survey_wave,
        coalesce(nc.survey_responses, 0) as survey_responses,
        nc.survey_index,
        coalesce(nc.tasks_due, 0) as tasks_due,
        coalesce(nc.tasks_on_time, 0) as tasks_on_time
    from case_measures as cm
    full join compression as cp using (county_code, dept_code)
    full join non_case as nc using (county_code, dept_code)
)

select * from final
order by county_code nulls first, dept_code nulls first

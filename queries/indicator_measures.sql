-- Base measures of every indicator (config/indicators.yaml turns them into rates), one row per
-- group: the whole selection, or per county and/or department ($by_county, $by_dept).
-- Period: [$period_start, $period_end). States "at the end of the period" (open, overdue,
-- yellow light) are taken at $state_at = min(period end, snapshot time).
with

state_day as (
    select max(wd_index) as wd_index from calendar where date = cast($state_at as date)
),

case_measures as (
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        count(*) filter (where accepted_at >= $period_start and accepted_at < $period_end) as cases_accepted,
        count(*) filter (
            where accepted_at >= $period_start and accepted_at < $period_end and is_online
        ) as cases_online,
        count(*) filter (where is_completed and completed_at >= $period_start and completed_at < $period_end)
            as completed,
        count(*) filter (
            where is_completed and completed_at >= $period_start and completed_at < $period_end and on_time
        ) as completed_on_time,
        count(*) filter (
            where is_completed and completed_at >= $period_start and completed_at < $period_end and completed_early
        ) as completed_early,
        count(*) filter (
            where is_completed and completed_at >= $period_start and completed_at < $period_end and on_time is null
        ) as completed_untimed,
        -- has_rating: the case has a review in the snapshot (any channel, any time up to the snapshot)
        count(*) filter (
            where is_completed and completed_at >= $period_start and completed_at < $period_end and has_rating
        ) as completed_rated,
        sum(elapsed_wd) filter (
            where is_completed and completed_at >= $period_start and completed_at < $period_end
        ) as elapsed_wd_sum,
        count(elapsed_wd) filter (
            where is_completed and completed_at >= $period_start and completed_at < $period_end
        ) as elapsed_wd_count,
        median(elapsed_wd) filter (
            where is_completed and completed_at >= $period_start and completed_at < $period_end
        ) as elapsed_wd_median,
        quantile_cont(elapsed_wd, 0.9) filter (
            where is_completed and completed_at >= $period_start and completed_at < $period_end
        ) as elapsed_wd_p90,
        count(*) filter (
            where is_immediate and is_completed and completed_at >= $period_start and completed_at < $period_end
        ) as immediate_completed,
        count(*) filter (
            where is_immediate and is_completed and completed_at >= $period_start and completed_at < $period_end
                and cast(completed_at as date) = accepted_date
        ) as immediate_same_day,
        count(*) filter (where open_at_state) as open_at_end,
        count(*) filter (where open_at_state and deadline_at < $state_at) as open_overdue,
        count(*) filter (
            where open_at_state and deadline_at >= $state_at
                and deadline_wd_index - (select wd_index from state_day) <= greatest(1, 0.2 * promised_limit_wd)
        ) as open_yellow
    from (
        select
            *,
            open_at(status, accepted_at, completed_at, $state_at) as open_at_state
        from cases
        where accepted_at < $period_end
    )
    group by 1, 2
),

items_handled as (
    select distinct
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        item_code
    from cases
    where accepted_at >= $period_start and accepted_at < $period_end
),

compression as (
    select
        h.county_code,
        h.dept_code,
        sum(i.promised_limit_wd) as promised_wd_sum,
        sum(i.legal_limit_wd) as legal_wd_sum
    from items_handled as h
    join items as i using (item_code)
    where i.legal_limit_wd > 0 and i.promised_limit_wd is not null
    group by 1, 2
),

rating_measures as (
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        count(*) as ratings,
        count(*) filter (where score >= 4) as ratings_good,
        count(*) filter (where score <= 2) as ratings_bad,
        count(*) filter (where score >= 3) as ratings_satisfied,
        count(*) filter (
            where state in ('rectified_on_time', 'rectified_late', 'pending_overdue', 'pending_not_due')
        ) as bad_verified,
        -- verified bad reviews whose rectification is due by $state_at or done: a review still
        -- inside its rectification window does not count against the unit yet
        count(*) filter (where state in ('rectified_on_time', 'rectified_late', 'pending_overdue')) as bad_due,
        count(*) filter (where state in ('rectified_on_time', 'rectified_late')) as bad_rectified,
        count(*) filter (where state = 'rectified_on_time') as bad_rectified_on_time
    from (
        select
            *,
            rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_at, $state_at) as state
        from ratings
        where rated_at >= $period_start and rated_at < $period_end
    )
    group by 1, 2
),

survey_wave as (
    -- the latest wave that had started by the end of the period (H1 starts 1 Jan, H2 1 Jul)
    select max(wave) as wave
    from surveys
    where wave_start(wave) < cast($period_end as date)
),

survey_measures as (
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        any_value(wave) as survey_wave,
        count(*) as survey_responses,
        (avg(score) - 1) * 25 as survey_index
    from surveys
    where wave = (select wave from survey_wave)
    group by 1, 2
),

task_measures as (
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        count(*) as tasks_due,
        count(*) filter (where completed_at <= due_at) as tasks_on_time
    from tasks
    where due_at >= $period_start and due_at < $period_end and due_at <= $state_at
    group by 1, 2
),

final as (
    select
        nullif(county_code, '') as county_code,
        nullif(dept_code, '') as dept_code,
        coalesce(cm.cases_accepted, 0) as cases_accepted,
        coalesce(cm.cases_online, 0) as cases_online,
        coalesce(cm.completed, 0) as completed,
        coalesce(cm.completed_on_time, 0) as completed_on_time,
        coalesce(cm.completed_early, 0) as completed_early,
        coalesce(cm.open_overdue, 0) as open_overdue,
        coalesce(cm.open_yellow, 0) as open_yellow,
        coalesce(cm.open_at_end, 0) as open_at_end,
        coalesce(cm.completed_untimed, 0) as completed_untimed,
        -- cases the calendar could not time are neither on time nor late
        coalesce(cm.completed, 0) - coalesce(cm.completed_untimed, 0) + coalesce(cm.open_overdue, 0) as on_time_base,
        cm.elapsed_wd_sum,
        coalesce(cm.elapsed_wd_count, 0) as elapsed_wd_count,
        cm.elapsed_wd_median,
        cm.elapsed_wd_p90,
        coalesce(cm.immediate_completed, 0) as immediate_completed,
        coalesce(cm.immediate_same_day, 0) as immediate_same_day,
        coalesce(cm.completed_rated, 0) as completed_rated,
        cp.promised_wd_sum,
        cp.legal_wd_sum,
        coalesce(rm.ratings, 0) as ratings,
        coalesce(rm.ratings_good, 0) as ratings_good,
        coalesce(rm.ratings_bad, 0) as ratings_bad,
        coalesce(rm.ratings_satisfied, 0) as ratings_satisfied,
        coalesce(rm.bad_verified, 0) as bad_verified,
        coalesce(rm.bad_due, 0) as bad_due,
        coalesce(rm.bad_rectified, 0) as bad_rectified,
        coalesce(rm.bad_rectified_on_time, 0) as bad_rectified_on_time,
        sm.survey_wave,
        coalesce(sm.survey_responses, 0) as survey_responses,
        sm.survey_index,
        coalesce(tm.tasks_due, 0) as tasks_due,
        coalesce(tm.tasks_on_time, 0) as tasks_on_time
    from case_measures as cm
    full join compression as cp using (county_code, dept_code)
    full join rating_measures as rm using (county_code, dept_code)
    full join survey_measures as sm using (county_code, dept_code)
    full join task_measures as tm using (county_code, dept_code)
)

select * from final
order by county_code nulls first, dept_code nulls first

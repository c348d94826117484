-- The trace-back (倒查) of late cases: where did the time go? Late cases of the period are the
-- 按期办结率's misses (case_flags): due in [$period_start, $period_end) and not completed by the
-- close of the deadline's day — completed late before $state_at, or still open then. For each of their
-- steps: working days = wd_index of the end date − wd_index of the start date (the start day does not
-- count, as for elapsed_wd; a step still open, or ending after $state_at in an open case, ends at
-- $state_at), against step_limit_wd. Summed per step name ($by_step) and/or per post ($by_post, with
-- its department). Suspended days (特别程序) are not known per step, so they stay in the step's days.
-- $item_code narrows to one item (null = every item).
with

calendar_days as (
    select date, wd_index from calendar
),

late_cases as (
    -- completed_late: closed before $state_at (after the deadline); otherwise open at $state_at
    select case_id, dept_code, completed_at, light is null as completed_late
    from case_flags($period_start, $period_end, $state_at)
    where is_due and not due_on_time
        and ($item_code is null or item_code = $item_code)
),

late_steps as (
    select
        s.case_id,
        s.step_name,
        s.handler_post,
        c.dept_code,
        s.step_limit_wd,
        cast(s.started_at as date) as started_date,
        cast(
            case
                when c.completed_late then coalesce(s.ended_at, c.completed_at)
                else least(coalesce(s.ended_at, $state_at), $state_at - interval 1 microsecond)
            end as date
        ) as ended_date
    from case_steps as s
    join late_cases as c using (case_id)
    -- an open case's steps begun after $state_at had not happened yet at that time
    where c.completed_late or s.started_at < $state_at
),

step_days as (
    select
        s.*,
        greatest(0, done.wd_index - start.wd_index) as step_wd
    from late_steps as s
    left join calendar_days as start on start.date = s.started_date
    left join calendar_days as done on done.date = s.ended_date
),

totals as (
    select
        (select count(*) from late_cases) as late_cases_total,
        (select count(distinct case_id) from step_days) as late_cases_with_steps
),

by_group as (
    select
        case when $by_step then step_name else '' end as step_name,
        case when $by_post then coalesce(handler_post, '') else '' end as handler_post,
        case when $by_post then dept_code else '' end as dept_code,
        count(distinct case_id) as late_cases,
        count(*) as steps,
        sum(step_wd) as step_wd_total,
        sum(step_limit_wd) as step_limit_wd_total,
        sum(greatest(0, step_wd - step_limit_wd)) as over_limit_wd_total,
        count(distinct case_id) filter (where step_wd > step_limit_wd) as cases_over_limit,
        count(*) filter (where step_wd is null) as steps_untimed
    from step_days
    group by 1, 2, 3
),

final as (
    select
        nullif(g.step_name, '') as step_name,
        nullif(g.handler_post, '') as handler_post,
        nullif(g.dept_code, '') as dept_code,
        g.late_cases,
        g.steps,
        g.step_wd_total,
        g.step_limit_wd_total,
        g.over_limit_wd_total,
        g.cases_over_limit,
        g.steps_untimed,
        t.late_cases_total,
        t.late_cases_with_steps
    from by_group as g
    cross join totals as t
)

select * from final
order by over_limit_wd_total desc nulls last, step_wd_total desc nulls last, step_name, handler_post

-- 督办 supervised tasks due in [$period_start, $period_end) (due_in: the due day in the period and
-- closed by $state_at, the catalog's task_on_time_rate base), by outcome at $state_at, per
-- department, source and/or county ($by_dept, $by_source, $by_county):
--   tasks_on_time      completed by the close of the due day
--   tasks_late         completed after the due day, before $state_at
--   tasks_open_overdue not completed before $state_at
-- tasks_due = the three together; tasks_not_yet_due counts, apart, the tasks due later in the
-- period (their due day not closed by $state_at), which the rate does not judge yet.
with

tasks_in_period as (
    select
        dept_code,
        source,
        county_code,
        due_in(due_at, $period_start, $period_end, $state_at) as is_due,
        done_by(completed_at, due_at) as on_time,
        completed_at < $state_at as done_by_state
    from tasks
    where cast(due_at as date) >= cast($period_start as date) and cast(due_at as date) < cast($period_end as date)
),

final as (
    select
        case when $by_dept then dept_code end as dept_code,
        case when $by_source then source end as source,
        case when $by_county then county_code end as county_code,
        count(*) filter (where is_due) as tasks_due,
        count(*) filter (where is_due and on_time) as tasks_on_time,
        count(*) filter (where is_due and not on_time and done_by_state) as tasks_late,
        count(*) filter (where is_due and not coalesce(done_by_state, false)) as tasks_open_overdue,
        count(*) filter (where not is_due) as tasks_not_yet_due
    from tasks_in_period
    group by 1, 2, 3
)

select * from final
order by dept_code nulls first, source nulls first, county_code nulls first

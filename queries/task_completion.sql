-- 督办 supervised tasks due in [$period_start, $period_end) and by $state_at (the catalog's
-- task_on_time_rate base), by outcome, per department, source and/or county ($by_dept,
-- $by_source, $by_county):
--   tasks_on_time      completed by due_at
--   tasks_late         completed after due_at (as the snapshot knows it)
--   tasks_open_overdue not completed at the snapshot and past due_at
-- tasks_due = the three together; tasks_not_yet_due counts, apart, the tasks due later in the
-- period (after $state_at), which the rate does not judge yet.
with

tasks_in_period as (
    select
        dept_code,
        source,
        county_code,
        due_at,
        completed_at
    from tasks
    where due_at >= $period_start and due_at < $period_end
),

final as (
    select
        case when $by_dept then dept_code end as dept_code,
        case when $by_source then source end as source,
        case when $by_county then county_code end as county_code,
        count(*) filter (where due_at <= $state_at) as tasks_due,
        count(*) filter (where due_at <= $state_at and completed_at <= due_at) as tasks_on_time,
        count(*) filter (where due_at <= $state_at and completed_at > due_at) as tasks_late,
        count(*) filter (where due_at <= $state_at and completed_at is null) as tasks_open_overdue,
        count(*) filter (where due_at > $state_at) as tasks_not_yet_due
    from tasks_in_period
    group by 1, 2, 3
)

select * from final
order by dept_code nulls first, source nulls first, county_code nulls first

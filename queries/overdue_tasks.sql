-- Supervised tasks overdue at $state_at: their due day closed by then and not completed before it
-- (whenever they fell due), with the days over: calendar days and working days (official calendar)
-- from the due date to the state day. completed_at shows a later completion when the state is in
-- the past.
with

state_day as (
    select state_day($state_at) as date
),

overdue as (
    select *
    from tasks
    where day_close(due_at) <= $state_at
        and assigned_at < $state_at
        and (completed_at is null or completed_at >= $state_at)
),

final as (
    select
        o.task_id,
        o.title,
        o.source,
        o.county_code,
        o.dept_code,
        o.assigned_at,
        o.due_at,
        o.completed_at,
        date_diff('day', cast(o.due_at as date), (select date from state_day)) as days_over,
        state_cal.wd_index - due_cal.wd_index as wd_over
    from overdue as o
    left join calendar as due_cal on due_cal.date = cast(o.due_at as date)
    left join calendar as state_cal on state_cal.date = (select date from state_day)
)

select * from final
order by days_over desc, due_at, task_id

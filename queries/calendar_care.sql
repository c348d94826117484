-- Open cases whose deadline the working-day calendar cannot hold (数据管理's calendar care): in
-- progress at the snapshot time and either derived beyond the calendar's last day (no deadline:
-- deadline_source outside_calendar) or given by the source system after that day. They need next
-- year's calendar. One row: open_cases, open_beyond_calendar, calendar_end.
with

calendar_end as (
    select max(date) as last_day from calendar
),

open_cases as (
    -- open: no completion time yet (in progress, or of unknown status)
    select deadline_at, deadline_source from cases where completed_at is null and status <> 'refused'
),

final as (
    select
        count(*) as open_cases,
        count(*) filter (
            where o.deadline_source = 'outside_calendar'
                or o.deadline_at >= cast(e.last_day as timestamp) + interval 1 day
        ) as open_beyond_calendar,
        any_value(e.last_day) as calendar_end
    from open_cases as o
    cross join calendar_end as e
)

select * from final

-- case_flags(period_start, period_end, state_at): every case that can count for the period
-- (accepted before its end), with the flags each case measure of queries/indicator_measures.sql
-- counts and each drill-through subset of queries/case_list.sql lists — one definition for both:
--   accepted_in_period   accepted in [period_start, period_end) (refused cases are never accepted)
--   completed_in_period  completed or denied in the period
--   is_due               应办结件: deadline's day in the period and closed by state_at; not withdrawn
--                        before the deadline (each case once, in its deadline's period)
--   due_on_time          of those, completed by the close of the deadline's day
--   immediate_due        immediate item accepted in the period whose acceptance day has closed by
--                        state_at, not withdrawn that same day; immediate_same_day: completed that day
--   light                null (not open at state_at), red, yellow or green (light_at)
--   open_wd              working days an open case had been open at state_at (like elapsed_wd)
create or replace temp macro case_flags(period_start, period_end, state_at) as table
    with state_wd as (
        select wd_index from calendar where date = state_day(state_at)
    ),
    flagged as (
        select
            c.*,
            c.is_accepted and c.accepted_at >= period_start and c.accepted_at < period_end as accepted_in_period,
            c.is_completed and c.completed_at >= period_start and c.completed_at < period_end
                as completed_in_period,
            c.is_accepted and due_in(c.deadline_at, period_start, period_end, state_at)
                and not (c.status = 'withdrawn' and c.completed_at < day_close(c.deadline_at)) as is_due,
            c.is_immediate and c.is_accepted and c.accepted_at >= period_start and c.accepted_at < period_end
                and day_close(c.accepted_at) <= state_at
                and not (c.status = 'withdrawn' and c.completed_at < day_close(c.accepted_at)) as immediate_due,
            light_at(c.status, c.accepted_at, c.completed_at, c.deadline_at, c.deadline_wd_index,
                     c.promised_limit_wd, state_at, s.wd_index) as light,
            s.wd_index as state_wd_index
        from cases as c
        cross join state_wd as s
        where c.accepted_at < period_end
    )
    select
        *,
        is_due and is_completed and done_by(completed_at, deadline_at) as due_on_time,
        immediate_due and is_completed and done_by(completed_at, accepted_at) as immediate_same_day,
        case when light is not null then greatest(0, state_wd_index - accepted_wd_index - suspended_wd) end
            as open_wd
    from flagged

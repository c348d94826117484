-- The cases behind one count (drill-through), one page of them, with the total for paging.
-- $subset names the count; each subset is the exact filter of its measure in
-- queries/indicator_measures.sql, so a list always holds as many cases as the number it explains:
--   accepted, online                      accepted in [$period_start, $period_end)
--   completed, on_time, late, early, untimed, immediate_completed, immediate_same_day
--                                         completed in the period (late: on_time is false;
--                                         untimed: the calendar could not time it)
--   off_time                              the on-time rate's misses: late + open_overdue
--   open, open_overdue, open_yellow       open at $state_at (red / yellow light then)
-- Optional narrowing (null = any): $county_code, $dept_code, $item_code; $step_name and
-- $handler_post keep cases with such a step; $age_min_wd / $age_max_wd bound the working days
-- an open case had been open at $state_at (backlog aging). $limit_rows / $offset_rows page.
with

state_day as (
    select max(wd_index) as wd_index from calendar where date = cast($state_at as date)
),

cases_flagged as (
    select
        c.*,
        c.accepted_at >= $period_start and c.accepted_at < $period_end as accepted_in_period,
        c.is_completed and c.completed_at >= $period_start and c.completed_at < $period_end as completed_in_period,
        open_at(c.status, c.accepted_at, c.completed_at, $state_at) as open_at_state
    from cases as c
    where c.accepted_at < $period_end
        and ($county_code is null or c.county_code = $county_code)
        and ($dept_code is null or c.dept_code = $dept_code)
        and ($item_code is null or c.item_code = $item_code)
),

cases_at_state as (
    select
        c.*,
        c.open_at_state and c.deadline_at < $state_at as red_at_state,
        c.open_at_state and c.deadline_at >= $state_at
        and c.deadline_wd_index - s.wd_index <= greatest(1, 0.2 * c.promised_limit_wd) as yellow_at_state,
        -- working days open so far, counted like elapsed_wd (suspended days do not count)
        case when c.open_at_state then greatest(0, s.wd_index - c.accepted_wd_index - c.suspended_wd) end
            as open_wd,
        s.wd_index as state_wd_index
    from cases_flagged as c
    cross join state_day as s
),

cases_with_step as (
    select distinct case_id
    from case_steps
    where ($step_name is null or step_name = $step_name)
        and ($handler_post is null or handler_post = $handler_post)
),

selected as (
    select c.*
    from cases_at_state as c
    where case $subset
            when 'accepted' then c.accepted_in_period
            when 'online' then c.accepted_in_period and c.is_online
            when 'completed' then c.completed_in_period
            when 'on_time' then c.completed_in_period and c.on_time
            when 'late' then c.completed_in_period and not c.on_time
            when 'early' then c.completed_in_period and c.completed_early
            when 'untimed' then c.completed_in_period and c.on_time is null
            when 'immediate_completed' then c.completed_in_period and c.is_immediate
            when 'immediate_same_day' then c.completed_in_period and c.is_immediate
                and cast(c.completed_at as date) = c.accepted_date
            when 'off_time' then (c.completed_in_period and not c.on_time) or c.red_at_state
            when 'open' then c.open_at_state
            when 'open_overdue' then c.red_at_state
            when 'open_yellow' then c.yellow_at_state
            else false
        end
        and ($age_min_wd is null or c.open_wd >= $age_min_wd)
        and ($age_max_wd is null or c.open_wd <= $age_max_wd)
        and (
            ($step_name is null and $handler_post is null)
            or c.case_id in (select case_id from cases_with_step)
        )
),

page as (
    select
        *,
        count(*) over () as total_rows
    from selected
    -- open cases: the most overdue first; others: in the order they were accepted
    order by
        case when open_at_state then deadline_at end asc nulls last,
        accepted_at,
        case_id
    limit $limit_rows offset $offset_rows
),

step_trace as (
    select
        st.case_id,
        list(
            {
                'step_name': st.step_name,
                'handler_post': st.handler_post,
                'used_wd': greatest(0, coalesce(done.wd_index, p.state_wd_index) - started.wd_index),
                'limit_wd': st.step_limit_wd
            }
            order by st.step_no
        ) as steps
    from case_steps as st
    join page as p using (case_id)
    left join calendar as started on started.date = cast(st.started_at as date)
    left join calendar as done on done.date = cast(st.ended_at as date)
    group by st.case_id
),

final as (
    select
        p.case_id,
        p.item_code,
        i.name_zh as item_name,
        p.county_code,
        co.name_zh as county_name_zh,
        co.name_en as county_name_en,
        p.dept_code,
        d.name_zh as dept_name_zh,
        d.name_en as dept_name_en,
        p.channel,
        p.status,
        p.accepted_at,
        p.completed_at,
        p.deadline_at,
        p.promised_limit_wd,
        p.suspended_wd,
        -- open at $state_at: working days so far; otherwise the case's elapsed_wd
        case when p.open_at_state then p.open_wd else p.elapsed_wd end as elapsed_wd,
        case when p.is_completed and not p.open_at_state then p.on_time end as on_time,
        p.open_at_state as is_open,
        case
            when not p.open_at_state then null
            when p.red_at_state then 'red'
            when p.yellow_at_state then 'yellow'
            else 'green'
        end as light,
        -- working days to the deadline (open: from $state_at; completed: from completion), split
        -- into what was left (or to spare) and what was over
        case
            when p.deadline_at is null then null
            when p.open_at_state and not p.red_at_state then p.deadline_wd_index - p.state_wd_index
            when not p.open_at_state and p.is_completed and p.on_time then
                greatest(0, p.deadline_wd_index - p.completed_wd_index)
        end as wd_left,
        case
            when p.deadline_at is null then null
            when p.red_at_state then greatest(0, p.state_wd_index - p.deadline_wd_index)
            when not p.open_at_state and p.is_completed and not p.on_time then
                greatest(0, p.completed_wd_index - p.deadline_wd_index)
        end as wd_over,
        coalesce(t.steps, []) as steps,
        p.total_rows
    from page as p
    left join items as i using (item_code)
    left join counties as co on co.county_code = p.county_code
    left join departments as d on d.dept_code = p.dept_code
    left join step_trace as t on t.case_id = p.case_id
)

select * from final
order by
    case when is_open then deadline_at end asc nulls last,
    accepted_at,
    case_id

-- The cases behind one count (drill-through), one page of them, with the total for paging.
-- $subset names the count; each subset is the exact filter of its measure in
-- queries/indicator_measures.sql (both read case_flags), so a list always holds as many cases as
-- the number it explains:
--   accepted, online, no_deadline          accepted in [$period_start, $period_end)
--   channel_known                          of those, the channel known (网办率's base)
--   completed, on_time, late, untimed      completed in the period (on_time/late: 办结件按时率's
--                                          verdict; untimed: no deadline)
--   promised_completed, early              承诺件 completed in the period (durations, 提前办结率)
--   due, due_on_time, due_missed           按期办结率: due in the period, completed by the
--                                          deadline or not
--   immediate_due, immediate_same_day, immediate_missed   即办率
--   open, open_overdue, open_yellow        open at $state_at (red / yellow light then)
-- Optional narrowing (null = any): $county_code, $dept_code, $item_code; $step_name and
-- $handler_post keep cases with such a step; $age_min_wd / $age_max_wd bound the working days
-- an open case had been open at $state_at (backlog aging). $limit_rows / $offset_rows page.
with

cases_at_state as (
    select
        c.*,
        c.light is not null as open_at_state,
        c.light = 'red' as red_at_state,
        c.light = 'yellow' as yellow_at_state
    from case_flags($period_start, $period_end, $state_at) as c
    where ($county_code is null or c.county_code = $county_code)
        and ($dept_code is null or c.dept_code = $dept_code)
        and ($item_code is null or c.item_code = $item_code)
),

-- Only with a step or post chosen: without one the guard is constant false, DuckDB plans an
-- empty result and never reads case_steps for it.
cases_with_step as (
    select distinct case_id
    from case_steps
    where ($step_name is not null or $handler_post is not null)
        and ($step_name is null or step_name = $step_name)
        and ($handler_post is null or handler_post = $handler_post)
),

selected as (
    select c.*
    from cases_at_state as c
    where case $subset
            when 'accepted' then c.accepted_in_period
            when 'online' then c.accepted_in_period and c.is_online
            when 'channel_known' then c.accepted_in_period and c.channel <> 'unknown'
            when 'no_deadline' then c.accepted_in_period and c.deadline_at is null
            when 'completed' then c.completed_in_period
            when 'on_time' then c.completed_in_period and c.on_time
            when 'late' then c.completed_in_period and not c.on_time
            when 'untimed' then c.completed_in_period and c.on_time is null
            when 'promised_completed' then c.completed_in_period and c.is_promised
            when 'early' then c.completed_in_period and c.is_promised and c.completed_early
            when 'due' then c.is_due
            when 'due_on_time' then c.due_on_time
            when 'due_missed' then c.is_due and not c.due_on_time
            when 'immediate_due' then c.immediate_due
            when 'immediate_same_day' then c.immediate_same_day
            when 'immediate_missed' then c.immediate_due and not c.immediate_same_day
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
        p.light,
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

-- Base measures of the headline indicators (config/indicators.yaml, headline: true) month by month
-- over [$trend_start, $trend_end) (both month starts), one row per month begun before the snapshot's
-- moment $snapshot_at. Each month is measured exactly as queries/indicator_measures.sql measures a
-- one-month period, with the same rules (queries/macros/): flows (accepted, completed, rated) in the
-- month; cases and bad reviews due in the month; states (open, overdue, rectified) at the month's
-- state time, min(month end, $snapshot_at); the survey index of the latest wave completed by then.
-- tests/test_overview.py compares every month with indicator_measures.
with

months as (
    select * from month_grid($trend_start, $trend_end, $snapshot_at)
),

horizon as (
    -- the last state moment of the grid: no event after it is counted in any month
    select max(state_at) as moment from months
),

accepted as (
    select
        date_trunc('month', accepted_at) as month_start,
        count(*) as cases_accepted,
        count(*) filter (where is_online) as cases_online,
        count(*) filter (where channel <> 'unknown') as cases_channel_known
    from cases
    where is_accepted and accepted_at >= $trend_start and accepted_at < $trend_end
    group by 1
),

completed as (
    select
        date_trunc('month', completed_at) as month_start,
        count(*) as completed,
        sum(elapsed_wd) filter (where is_promised) as elapsed_wd_sum,
        count(elapsed_wd) filter (where is_promised) as elapsed_wd_count
    from cases
    where is_completed and completed_at >= $trend_start and completed_at < $trend_end
    group by 1
),

due as (
    -- each case in the month of its deadline, once that day has closed by the month's state time
    select month_start, count(*) as due_cases, count(*) filter (where due_on_time) as due_on_time
    from cases_due_by_month($trend_start, $trend_end, $snapshot_at)
    group by 1
),

stock_events as (
    -- open and overdue at a moment t, from the cases' own timestamps (open_at, light_at):
    --   open(t)    = #(accepted before t) − #(closed before t)
    --   overdue(t) = #(deadline day closed by t) − #(deadline day closed and case closed before t)
    -- (a deadline's day closes after its acceptance). Each event is put in the first month whose
    -- state time reaches it; the running sums then give every month's stock.
    select
        greatest(date_trunc('month', key - interval 1 microsecond), cast($trend_start as timestamp)) as month_start,
        sum(open_delta) as open_delta,
        sum(overdue_delta) as overdue_delta
    from (
        select accepted_at + interval 1 microsecond as key, 1 as open_delta, 0 as overdue_delta
        from cases where is_accepted
        union all
        select completed_at + interval 1 microsecond, -1, 0
        from cases where is_accepted and completed_at is not null
        union all
        select day_close(deadline_at), 0, 1
        from cases where is_accepted and deadline_at is not null
        union all
        select greatest(day_close(deadline_at), completed_at + interval 1 microsecond), 0, -1
        from cases where is_accepted and deadline_at is not null and completed_at is not null
    )
    where key <= (select moment from horizon)
    group by 1
),

stock as (
    select
        m.month_start,
        sum(coalesce(e.open_delta, 0)) over (order by m.month_start) as open_at_end,
        sum(coalesce(e.overdue_delta, 0)) over (order by m.month_start) as open_overdue
    from months as m
    left join stock_events as e using (month_start)
),

final as (
    select
        cast(m.month_start as date) as month_start,
        coalesce(a.cases_accepted, 0) + coalesce(c.completed, 0) + coalesce(d.due_cases, 0)
            + coalesce(s.open_at_end, 0) > 0 as has_cases,
        case when has_cases then coalesce(a.cases_accepted, 0) end as cases_accepted,
        coalesce(a.cases_online, 0) as cases_online,
        coalesce(a.cases_channel_known, 0) as cases_channel_known,
        coalesce(c.completed, 0) as completed,
        coalesce(d.due_cases, 0) as due_cases,
        coalesce(d.due_on_time, 0) as due_on_time,
        case when has_cases then coalesce(s.open_overdue, 0) end as open_overdue,
        c.elapsed_wd_sum,
        coalesce(c.elapsed_wd_count, 0) as elapsed_wd_count,
        n.ratings,
        n.ratings_satisfied,
        n.bad_due,
        n.bad_rectified,
        n.survey_index
    from months as m
    left join accepted as a using (month_start)
    left join completed as c using (month_start)
    left join due as d using (month_start)
    left join stock as s using (month_start)
    left join trend_non_case_measures($trend_start, $trend_end, $snapshot_at) as n using (month_start)
)

select * from final
order by month_start

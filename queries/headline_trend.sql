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

rated as (
    select
        m.month_start,
        count(*) as ratings,
        count(*) filter (where r.score >= 3) as ratings_satisfied
    from months as m
    join ratings as r on r.rated_at >= m.month_start and r.rated_at < m.month_end
    group by 1
),

rectification as (
    -- verified bad reviews in the month their rectification fell due, states at its state time
    select month_start, count(*) as bad_due,
        count(*) filter (where state in ('rectified_on_time', 'rectified_late')) as bad_rectified
    from (
        select
            m.month_start,
            rectify_state(r.score, r.verified_at, r.rectify_status, r.rectified_at, r.rectify_due_day, m.state_at)
                as state
        from ratings as r
        join months as m
            on date_trunc('month', r.rectify_due_day) = m.month_start
            and due_in(r.rectify_due_day, m.month_start, m.month_end, m.state_at)
        where r.score <= 2
    )
    where state not in ('unfounded', 'unverified')
    group by 1
),

waves as (
    select wave, wave_end(wave) as wave_end, (avg(score) - 1) * 25 as survey_index
    from surveys
    group by wave
),

month_wave as (
    -- the latest wave completed by the month's state time
    select m.month_start, max(w.wave) as wave
    from months as m
    join waves as w on day_close(w.wave_end) <= m.state_at
    group by 1
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
        coalesce(r.ratings, 0) as ratings,
        coalesce(r.ratings_satisfied, 0) as ratings_satisfied,
        coalesce(x.bad_due, 0) as bad_due,
        coalesce(x.bad_rectified, 0) as bad_rectified,
        w.survey_index
    from months as m
    left join accepted as a using (month_start)
    left join completed as c using (month_start)
    left join due as d using (month_start)
    left join stock as s using (month_start)
    left join rated as r using (month_start)
    left join rectification as x using (month_start)
    left join month_wave as mw using (month_start)
    left join waves as w on w.wave = mw.wave
)

select * from final
order by month_start

-- Base measures of the headline indicators (config/indicators.yaml, headline: true) month by month
-- over [$trend_start, $trend_end) (both month starts), one row per month up to the snapshot time.
-- Each month is measured exactly as queries/indicator_measures.sql measures a one-month period:
-- flows (accepted, completed, rated) in the month; states (open and overdue, bad reviews due for
-- rectification) at its state time min(month end, $as_of); the survey index of the latest wave
-- started by the month's end. tests/test_overview.py compares every month with indicator_measures.
with

months as (
    select * from month_grid($trend_start, $trend_end, $as_of)
),

accepted as (
    select
        date_trunc('month', accepted_at) as month_start,
        count(*) as cases_accepted,
        count(*) filter (where is_online) as cases_online
    from cases
    where accepted_at >= $trend_start and accepted_at < $trend_end
    group by 1
),

completed as (
    select
        date_trunc('month', completed_at) as month_start,
        count(*) as completed,
        count(*) filter (where on_time) as completed_on_time,
        count(*) filter (where on_time is null) as completed_untimed,
        sum(elapsed_wd) as elapsed_wd_sum,
        count(elapsed_wd) as elapsed_wd_count
    from cases
    where is_completed and completed_at >= $trend_start and completed_at < $trend_end
    group by 1
),

overdue_candidates as (
    -- only a case whose deadline passed before it closed (or before the snapshot) can be red at a month end
    select accepted_at, deadline_at, completed_at, status
    from cases
    where deadline_at < coalesce(completed_at, $as_of)
        and deadline_at < $trend_end
        and (completed_at is null or completed_at > $trend_start)
),

overdue as (
    select m.month_start, count(*) as open_overdue
    from months as m
    join overdue_candidates as c
        on open_at(c.status, c.accepted_at, c.completed_at, m.state_at)
        and c.deadline_at < m.state_at
    group by 1
),

rated as (
    select
        m.month_start,
        count(*) as ratings,
        count(*) filter (where r.score >= 3) as ratings_satisfied,
        -- verified bad reviews whose rectification is due by the month's state time or done
        count(*) filter (
            where rectify_state(r.score, r.verified_at, r.rectify_status, r.rectified_at, r.rectify_due_at, m.state_at)
                in ('rectified_on_time', 'rectified_late', 'pending_overdue')
        ) as bad_due,
        count(*) filter (
            where rectify_state(r.score, r.verified_at, r.rectify_status, r.rectified_at, r.rectify_due_at, m.state_at)
                in ('rectified_on_time', 'rectified_late')
        ) as bad_rectified
    from months as m
    join ratings as r on r.rated_at >= m.month_start and r.rated_at < m.month_end
    group by 1
),

waves as (
    select
        wave,
        wave_start(wave) as wave_start,
        (avg(score) - 1) * 25 as survey_index
    from surveys
    group by wave
),

month_wave as (
    -- the latest wave that had started by the end of the month (H1 starts 1 Jan, H2 1 Jul)
    select m.month_start, max(w.wave) as wave
    from months as m
    join waves as w on w.wave_start < cast(m.month_end as date)
    group by 1
)

select
    cast(m.month_start as date) as month_start,
    coalesce(a.cases_accepted, 0) as cases_accepted,
    coalesce(a.cases_online, 0) as cases_online,
    coalesce(c.completed, 0) as completed,
    coalesce(c.completed_on_time, 0) as completed_on_time,
    coalesce(c.completed_untimed, 0) as completed_untimed,
    coalesce(o.open_overdue, 0) as open_overdue,
    -- cases the calendar could not time are neither on time nor late
    coalesce(c.completed, 0) - coalesce(c.completed_untimed, 0) + coalesce(o.open_overdue, 0) as on_time_base,
    c.elapsed_wd_sum,
    coalesce(c.elapsed_wd_count, 0) as elapsed_wd_count,
    coalesce(r.ratings, 0) as ratings,
    coalesce(r.ratings_satisfied, 0) as ratings_satisfied,
    coalesce(r.bad_due, 0) as bad_due,
    coalesce(r.bad_rectified, 0) as bad_rectified,
    w.survey_index
from months as m
left join accepted as a using (month_start)
left join completed as c using (month_start)
left join overdue as o using (month_start)
left join rated as r using (month_start)
left join month_wave as mw using (month_start)
left join waves as w on w.wave = mw.wave
order by m.month_start

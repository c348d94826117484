-- The on-time rate's measures month by month over [$trend_start, $trend_end) (both month starts),
-- for the whole selection or per county and/or department ($by_county, $by_dept).
-- Each month is measured exactly as queries/indicator_measures.sql measures a month: completed
-- (on time, untimed) in the month, and open and overdue at its state time
-- min(month end, $as_of). The rate is config/indicators.yaml's on_time_rate of these columns.
with

months as (
    select * from month_grid($trend_start, $trend_end, $as_of)
),

completed_cases as (
    select
        date_trunc('month', completed_at) as month_start,
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        count(*) as completed,
        count(*) filter (where on_time) as completed_on_time,
        count(*) filter (where on_time is null) as completed_untimed
    from cases
    where is_completed and completed_at >= $trend_start and completed_at < $trend_end
    group by 1, 2, 3
),

overdue_candidates as (
    -- only a case whose deadline passed before it closed (or before the snapshot) can be red at a month end
    select county_code, dept_code, accepted_at, deadline_at, completed_at, status
    from cases
    where deadline_at < coalesce(completed_at, $as_of)
        and deadline_at < $trend_end
        and (completed_at is null or completed_at > $trend_start)
),

overdue_at_month_end as (
    select
        m.month_start,
        case when $by_county then c.county_code else '' end as county_code,
        case when $by_dept then c.dept_code else '' end as dept_code,
        count(*) as open_overdue
    from months as m
    join overdue_candidates as c
        on open_at(c.status, c.accepted_at, c.completed_at, m.state_at)
        and c.deadline_at < m.state_at
    group by 1, 2, 3
),

final as (
    select
        cast(m.month_start as date) as month_start,
        nullif(coalesce(cc.county_code, od.county_code), '') as county_code,
        nullif(coalesce(cc.dept_code, od.dept_code), '') as dept_code,
        coalesce(cc.completed, 0) as completed,
        coalesce(cc.completed_on_time, 0) as completed_on_time,
        coalesce(cc.completed_untimed, 0) as completed_untimed,
        coalesce(od.open_overdue, 0) as open_overdue,
        coalesce(cc.completed, 0) - coalesce(cc.completed_untimed, 0) + coalesce(od.open_overdue, 0) as on_time_base
    from months as m
    join (
        completed_cases as cc
        full join overdue_at_month_end as od using (month_start, county_code, dept_code)
    ) on coalesce(cc.month_start, od.month_start) = m.month_start
)

select * from final
order by month_start, county_code nulls first, dept_code nulls first

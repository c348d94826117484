-- The on-time rates' measures month by month over [$trend_start, $trend_end) (both month starts),
-- for the whole selection or per county and/or department ($by_county, $by_dept).
-- Each month is measured exactly as queries/indicator_measures.sql measures a month: 按期办结率 over
-- the cases due in the month (deadline's day in it and closed by its state time, min(month end,
-- $snapshot_at)), 办结件按时率 over the month's completions with a deadline. The rates are
-- config/indicators.yaml's on_time_rate and completion_on_time_rate of these columns.
with

months as (
    select * from month_grid($trend_start, $trend_end, $snapshot_at)
),

due as (
    select
        month_start,
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        count(*) as due_cases,
        count(*) filter (where due_on_time) as due_on_time
    from cases_due_by_month($trend_start, $trend_end, $snapshot_at)
    group by 1, 2, 3
),

completions as (
    select
        date_trunc('month', completed_at) as month_start,
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        count(*) as completed,
        count(*) filter (where on_time is not null) as completed_with_deadline,
        count(*) filter (where on_time) as completed_on_time
    from cases
    where is_completed and completed_at >= $trend_start and completed_at < $trend_end
    group by 1, 2, 3
),

final as (
    select
        cast(m.month_start as date) as month_start,
        nullif(coalesce(d.county_code, c.county_code), '') as county_code,
        nullif(coalesce(d.dept_code, c.dept_code), '') as dept_code,
        coalesce(d.due_cases, 0) as due_cases,
        coalesce(d.due_on_time, 0) as due_on_time,
        coalesce(c.completed, 0) as completed,
        coalesce(c.completed_with_deadline, 0) as completed_with_deadline,
        coalesce(c.completed_on_time, 0) as completed_on_time
    from months as m
    join (
        due as d
        full join completions as c using (month_start, county_code, dept_code)
    ) on coalesce(d.month_start, c.month_start) = m.month_start
)

select * from final
order by month_start, county_code nulls first, dept_code nulls first

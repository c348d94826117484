-- 好评率 / 差评率 / 满意率 measures of the reviews given in [$period_start, $period_end), one row
-- per group: the whole selection, or per rating channel, department, county and/or calendar month
-- ($by_channel, $by_dept, $by_county, $by_month). The measure names are the indicator catalog's
-- (config/indicators.yaml: good_rate = ratings_good ÷ ratings, …), so the rates come from there.
-- As in indicator_measures.sql, a bad review found unfounded by the state time is not a 差评: the
-- period's $state_at, or by month each month's own, min(month end, $snapshot_at).
with

ratings_in_period as (
    select
        channel, dept_code, county_code, rated_at, score,
        rectify_state(
            score, verified_at, rectify_status, rectified_at, rectify_due_day,
            case
                when $by_month then least(date_trunc('month', rated_at) + interval 1 month, $snapshot_at)
                else $state_at
            end
        ) = 'unfounded' as unfounded
    from ratings
    where rated_at >= $period_start and rated_at < $period_end
),

grouped as (
    select
        case when $by_channel then channel else '' end as channel,
        case when $by_dept then dept_code else '' end as dept_code,
        case when $by_county then county_code else '' end as county_code,
        case when $by_month then cast(date_trunc('month', rated_at) as date) end as month,
        count(*) as ratings,
        count(*) filter (where score >= 4) as ratings_good,
        count(*) filter (where score <= 2 and not coalesce(unfounded, false)) as ratings_bad,
        count(*) filter (where score >= 3) as ratings_satisfied
    from ratings_in_period
    group by 1, 2, 3, 4
),

final as (
    select
        nullif(channel, '') as channel,
        nullif(dept_code, '') as dept_code,
        nullif(county_code, '') as county_code,
        month,
        ratings,
        ratings_good,
        ratings_bad,
        ratings_satisfied
    from grouped
)

select * from final
order by month nulls first, channel nulls first, dept_code nulls first, county_code nulls first

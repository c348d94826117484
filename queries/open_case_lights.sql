-- Open cases at $state_at (min(period end, snapshot's moment)) and their lights (light_at), per
-- county and/or department ($by_county, $by_dept): red = the deadline's day has closed, yellow =
-- at most max(1, 20 % of the promised limit) working days left, green = the rest. The definitions (and the column names)
-- are those of open_at_end, open_overdue and open_yellow in queries/indicator_measures.sql;
-- queries/case_list.sql lists the same cases (subsets open, open_overdue, open_yellow).
with

open_cases as (
    select
        county_code,
        dept_code,
        light = 'red' as is_red,
        light = 'yellow' as is_yellow,
        state_wd_index - deadline_wd_index as wd_past_deadline
    from case_flags($period_start, $period_end, $state_at)
    where light is not null
),

final as (
    select
        case when $by_county then county_code end as county_code,
        case when $by_dept then dept_code end as dept_code,
        count(*) as open_at_end,
        count(*) filter (where is_red) as open_overdue,
        count(*) filter (where is_yellow) as open_yellow,
        count(*) filter (where not coalesce(is_red, false) and not coalesce(is_yellow, false)) as open_green,
        max(greatest(0, wd_past_deadline)) filter (where is_red) as max_wd_over
    from open_cases
    group by 1, 2
)

select * from final
order by open_overdue desc, open_yellow desc, county_code nulls first, dept_code nulls first

-- Open cases at $state_at (min(period end, snapshot time)) and their lights, per county and/or
-- department ($by_county, $by_dept): red = past the deadline, yellow = within 1 working day or
-- 20 % of the promised limit of it, green = the rest. The definitions (and the column names)
-- are those of open_at_end, open_overdue and open_yellow in queries/indicator_measures.sql;
-- queries/case_list.sql lists the same cases (subsets open, open_overdue, open_yellow).
with

state_day as (
    select max(wd_index) as wd_index from calendar where date = cast($state_at as date)
),

open_cases as (
    select
        c.county_code,
        c.dept_code,
        c.deadline_at < $state_at as is_red,
        c.deadline_at >= $state_at
        and c.deadline_wd_index - s.wd_index <= greatest(1, 0.2 * c.promised_limit_wd) as is_yellow,
        s.wd_index - c.deadline_wd_index as wd_past_deadline
    from cases as c
    cross join state_day as s
    where c.accepted_at < $period_end
        and open_at(c.status, c.accepted_at, c.completed_at, $state_at)
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

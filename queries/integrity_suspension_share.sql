-- 特别程序占比 (suspension_share), per unit: of the cases accepted in [period_start, period_end) of items
-- promised $min_promised_wd+ working days (base_cases), those with suspended working days
-- (suspended_cases); and, over the items some other unit in view also handled (compared_cases,
-- compared_suspended), the suspended cases expected at each item's share in those other units
-- (expected_suspended = Σ over the unit's items of its cases × the other units' suspended share).
with base as (
    select county_code, dept_code, item_code, suspended_wd > 0 as suspended
    from cases
    where is_accepted and accepted_at >= $period_start and accepted_at < $period_end
      and promised_limit_wd >= $min_promised_wd
),
unit_item as (
    select county_code, dept_code, item_code, count(*) as n, count(*) filter (where suspended) as s
    from base
    group by county_code, dept_code, item_code
),
item as (
    select item_code, sum(n) as n, sum(s) as s from unit_item group by item_code
),
compared as (
    select
        u.county_code, u.dept_code, u.n, u.s,
        case when i.n > u.n then u.n * (i.s - u.s) / (i.n - u.n) end as expected
    from unit_item as u
    join item as i using (item_code)
)
select
    county_code,
    dept_code,
    sum(n) as base_cases,
    sum(s) as suspended_cases,
    coalesce(sum(n) filter (where expected is not null), 0) as compared_cases,
    coalesce(sum(s) filter (where expected is not null), 0) as compared_suspended,
    coalesce(sum(expected), 0) as expected_suspended
from compared
group by county_code, dept_code

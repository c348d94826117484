-- The backlog at $state_at (min(period end, snapshot time)) by how long each open case had
-- been open: working days since acceptance, counted like elapsed_wd (suspended days do not
-- count). $age_bounds_wd lists the buckets' upper bounds in ascending order (e.g. [5, 10, 20]):
-- age_bucket 0 holds ages ≤ 5, 1 holds 6–10, 2 holds 11–20, 3 holds > 20. Open and the lights
-- are defined as in queries/indicator_measures.sql; queries/case_list.sql lists the same cases.
with

open_cases as (
    select open_wd, light = 'red' as is_red, light = 'yellow' as is_yellow
    from case_flags($period_start, $period_end, $state_at)
    where light is not null
),

bucketed as (
    select
        len(list_filter(cast($age_bounds_wd as integer[]), lambda bound: open_wd > bound)) as age_bucket,
        open_wd,
        is_red,
        is_yellow
    from open_cases
    where open_wd is not null
),

final as (
    select
        age_bucket,
        count(*) as open_cases,
        count(*) filter (where is_red) as open_overdue,
        count(*) filter (where is_yellow) as open_yellow,
        count(*) filter (where not coalesce(is_red, false) and not coalesce(is_yellow, false)) as open_green,
        max(open_wd) as max_open_wd
    from bucketed
    group by 1
)

select * from final
order by age_bucket

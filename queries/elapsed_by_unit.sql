-- Elapsed working days of 承诺件 (promised limit > 0, as the catalog's durations) completed in
-- [$period_start, $period_end): count, mean, median and
-- P90 (linear interpolation, as indicator_measures.sql), one row per group: the whole selection,
-- or per item ($by_item), department ($by_dept) and/or county ($by_county).
-- $item_code narrows to one item (null = every item).
with

completed_cases as (
    select item_code, dept_code, county_code, elapsed_wd
    from cases
    where is_completed and is_promised
        and completed_at >= $period_start and completed_at < $period_end
        and ($item_code is null or item_code = $item_code)
),

item_names as (
    select item_code, name_zh as item_name_zh from items
),

by_group as (
    select
        case when $by_item then item_code else '' end as item_code,
        case when $by_dept then dept_code else '' end as dept_code,
        case when $by_county then county_code else '' end as county_code,
        count(*) as completed,
        count(elapsed_wd) as elapsed_wd_count,
        sum(elapsed_wd) as elapsed_wd_sum,
        avg(elapsed_wd) as elapsed_wd_mean,
        median(elapsed_wd) as elapsed_wd_median,
        quantile_cont(elapsed_wd, 0.9) as elapsed_wd_p90,
        max(elapsed_wd) as elapsed_wd_max
    from completed_cases
    group by 1, 2, 3
),

final as (
    select
        nullif(g.item_code, '') as item_code,
        n.item_name_zh,
        nullif(g.dept_code, '') as dept_code,
        nullif(g.county_code, '') as county_code,
        g.completed,
        g.elapsed_wd_count,
        g.elapsed_wd_sum,
        g.elapsed_wd_mean,
        g.elapsed_wd_median,
        g.elapsed_wd_p90,
        g.elapsed_wd_max
    from by_group as g
    left join item_names as n on n.item_code = g.item_code
)

select * from final
order by item_code nulls first, dept_code nulls first, county_code nulls first

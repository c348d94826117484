-- 承诺件 (promised limit > 0, as the catalog's durations) completed in [$period_start, $period_end),
-- counted by elapsed working days (the histogram of
-- 审批时效). $item_code narrows to one item (null = every item): the page's cross-filter click.
-- Cases the calendar could not time (elapsed_wd null) are left out, as in indicator_measures.sql.
with

completed_cases as (
    select elapsed_wd
    from cases
    where is_completed and is_promised
        and completed_at >= $period_start and completed_at < $period_end
        and elapsed_wd is not null
        and ($item_code is null or item_code = $item_code)
),

final as (
    select elapsed_wd, count(*) as cases
    from completed_cases
    group by elapsed_wd
)

select * from final
order by elapsed_wd

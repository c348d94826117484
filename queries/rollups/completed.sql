-- Completions per day and (county, department, item type, channel), and for 承诺件 per elapsed working
-- days (a histogram: medians and P90 are read from it exactly). A case only counts for a period it
-- was accepted before the end of; accepted_later is its acceptance day when that came after the
-- completion day (bad data), so the query can tell.
select
    cast(completed_at as date) as day,
    county_code,
    dept_code,
    item_type,
    channel,
    is_promised,
    case when is_promised then elapsed_wd end as elapsed_wd,
    case when accepted_at >= day_close(completed_at) then cast(accepted_at as date) end as accepted_later,
    count(*) as completed,
    count(*) filter (where on_time is not null) as completed_with_deadline,
    count(*) filter (where on_time) as completed_on_time,
    count(*) filter (where completed_early is not null) as completed_timed,
    count(*) filter (where completed_early) as completed_early
from cases
where is_completed and completed_at is not null
group by all
order by day, county_code, dept_code, item_type, channel

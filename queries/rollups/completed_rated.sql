-- Completions with a review, per completion day and the moment the first review is known by
-- (rollup_moment of first_rated_at, exclusive): a period's rated completions are those whose
-- review came before its state time.
select
    cast(completed_at as date) as day,
    rollup_moment(first_rated_at + interval 1 microsecond, $snapshot_at) as rated_moment,
    county_code,
    dept_code,
    item_type,
    channel,
    case when accepted_at >= day_close(completed_at) then cast(accepted_at as date) end as accepted_later,
    count(*) as completed_rated
from cases
where is_completed and completed_at is not null and first_rated_at is not null
group by all
order by day, county_code, dept_code, item_type, channel

-- Accepted cases per deadline day (应办结件 of 按期办结率) and (county, department, item type, channel):
-- withdrawn before the deadline they are not due; due_on_time: completed by the close of the
-- deadline's day. The query counts a day once it has closed by the state time.
select
    cast(deadline_at as date) as day,
    county_code,
    dept_code,
    item_type,
    channel,
    case when accepted_at >= day_close(deadline_at) then cast(accepted_at as date) end as accepted_later,
    count(*) as due_cases,
    count(*) filter (where is_completed and done_by(completed_at, deadline_at)) as due_on_time
from cases
where is_accepted and deadline_at is not null
    and not (status = 'withdrawn' and completed_at < day_close(deadline_at))
group by all
order by day, county_code, dept_code, item_type, channel

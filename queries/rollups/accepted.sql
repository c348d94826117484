-- Cases accepted per day and (county, department, item type, channel): the flows of
-- indicator_measures.sql counted by acceptance (办件量, 网办率, 无时限件, 即办率). 即办率's cases are
-- owed once their acceptance day has closed by the state time: the query checks that by `day`.
select
    cast(accepted_at as date) as day,
    county_code,
    dept_code,
    item_type,
    channel,
    count(*) as cases_accepted,
    count(*) filter (where is_online) as cases_online,
    count(*) filter (where channel <> 'unknown') as cases_channel_known,
    count(*) filter (where deadline_at is null) as cases_no_deadline,
    count(*) filter (where immediate_owed) as immediate_due,
    count(*) filter (where immediate_owed and is_completed and done_by(completed_at, accepted_at))
        as immediate_same_day
from (
    select
        *,
        is_immediate and not (status = 'withdrawn' and completed_at < day_close(accepted_at)) as immediate_owed
    from cases
    where is_accepted
)
group by all
order by day, county_code, dept_code, item_type, channel

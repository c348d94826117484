-- Per acceptance day, (county, department, item type, channel) and item: the limits recorded on
-- the day's latest accepted case of the item, and when it was accepted (承诺时限压缩率 takes each
-- item's limits from its latest case in the period: the query takes the latest of these days).
select
    cast(accepted_at as date) as day,
    county_code,
    dept_code,
    item_type,
    channel,
    item_code,
    arg_max(promised_limit_wd, accepted_at) as promised_limit_wd,
    max(accepted_at) filter (where promised_limit_wd is not null) as promised_at,
    arg_max(legal_limit_wd, accepted_at) as legal_limit_wd,
    max(accepted_at) filter (where legal_limit_wd is not null) as legal_at
from cases
where is_accepted
group by all
order by day, county_code, dept_code, item_type, channel, item_code

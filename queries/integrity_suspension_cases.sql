-- The suspended cases behind suspension_share: accepted in [period_start, period_end), items promised
-- $min_promised_wd+ working days, with suspended working days; one unit's when $county_code and
-- $dept_code are given (null: every unit).
select
    c.case_id, c.county_code, c.dept_code, c.item_code, i.name_zh as item_name, c.channel, c.status,
    c.received_at, c.accepted_at, c.completed_at, c.deadline_at, c.promised_limit_wd, c.suspended_wd
from cases as c
left join items as i using (item_code)
where c.is_accepted and c.accepted_at >= $period_start and c.accepted_at < $period_end
  and c.promised_limit_wd >= $min_promised_wd and c.suspended_wd > 0
  and ($county_code is null or c.county_code = $county_code)
  and ($dept_code is null or c.dept_code = $dept_code)
order by c.county_code, c.dept_code, c.accepted_at, c.case_id

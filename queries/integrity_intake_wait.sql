-- 受理前等待 (intake_wait): cases accepted in [period_start, period_end) more than $max_wait_wd working days
-- after the application was received — working days in (received date, accepted date], from the
-- calendar's wd_index (which counts working days through each date, holidays and make-up days included).
-- A received or accepted date outside the calendar cannot be counted and is left out.
select
    c.case_id, c.county_code, c.dept_code, c.item_code, i.name_zh as item_name, c.channel, c.status,
    c.received_at, c.accepted_at, c.completed_at, c.deadline_at, c.promised_limit_wd,
    acc.wd_index - rec.wd_index as wait_wd
from cases as c
join calendar as rec on rec.date = cast(c.received_at as date)
join calendar as acc on acc.date = cast(c.accepted_at as date)
left join items as i using (item_code)
where c.is_accepted
  and c.accepted_at >= $period_start and c.accepted_at < $period_end
  and acc.wd_index - rec.wd_index > $max_wait_wd
order by c.county_code, c.dept_code, wait_wd desc, c.case_id

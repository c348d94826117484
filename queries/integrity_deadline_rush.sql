-- 期限前集中办结 (deadline_rush): completions in [period_start, period_end) of promised items (limit ≥ 1)
-- that came in the last $window_minutes minutes before their deadline: from the deadline time minus the
-- window up to the close of the deadline's day (a deadline is the close of its day; the source system's
-- time, when it gave one earlier in the day, starts the window earlier). minutes_before: minutes left
-- to the deadline time (negative: after it, still on its day).
select
    c.case_id, c.county_code, c.dept_code, c.item_code, i.name_zh as item_name, c.channel, c.status,
    c.received_at, c.accepted_at, c.completed_at, c.deadline_at, c.promised_limit_wd,
    round(date_diff('second', c.completed_at, c.deadline_at) / 60.0, 1) as minutes_before
from cases as c
left join items as i using (item_code)
where c.is_completed
  and c.completed_at >= $period_start and c.completed_at < $period_end
  and c.promised_limit_wd >= 1
  and c.completed_at >= c.deadline_at - to_minutes(cast($window_minutes as bigint))
  and c.completed_at < day_close(c.deadline_at)
order by c.county_code, c.dept_code, c.completed_at, c.case_id

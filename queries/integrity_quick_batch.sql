-- 批量秒办 (quick_batch): completions in [period_start, period_end) of items promised $min_promised_wd+
-- working days, completed at most $max_minutes minutes after acceptance, where the unit has at least
-- $batch_min_cases such cases accepted on the same day (batch_size: how many that day).
with quick as (
    select
        c.*,
        date_diff('second', c.accepted_at, c.completed_at) / 60.0 as minutes,
        count(*) over (partition by c.county_code, c.dept_code, cast(c.accepted_at as date)) as batch_size
    from cases as c
    where c.is_completed
      and c.completed_at >= $period_start and c.completed_at < $period_end
      and c.promised_limit_wd >= $min_promised_wd
      and c.completed_at <= c.accepted_at + to_minutes(cast($max_minutes as bigint))
)
select
    q.case_id, q.county_code, q.dept_code, q.item_code, i.name_zh as item_name, q.channel, q.status,
    q.received_at, q.accepted_at, q.completed_at, q.deadline_at, q.promised_limit_wd,
    q.minutes, q.batch_size
from quick as q
left join items as i using (item_code)
where q.batch_size >= $batch_min_cases
order by q.county_code, q.dept_code, q.accepted_at, q.case_id

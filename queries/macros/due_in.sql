-- due_in(due_at, period_start, period_end, moment): a deadline that fell due in the period and had
-- passed by `moment`: its day lies in [period_start, period_end) and that day has closed by `moment`.
-- Each case, bad review or task so counts once, in the period its deadline falls in (按期办结率,
-- 差评整改率, 督办按时完成率 share it).
create or replace temp macro due_in(due_at, period_start, period_end, moment) as
    cast(due_at as date) >= cast(period_start as date)
    and cast(due_at as date) < cast(period_end as date)
    and day_close(due_at) <= moment

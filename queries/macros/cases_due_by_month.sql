-- cases_due_by_month(first, stop, snapshot_at): the accepted cases due in each month of the grid
-- (month_grid), each in the month of its deadline's day once that day has closed by the month's
-- state time — the 按期办结率 base of queries/indicator_measures.sql for a one-month period — with
-- due_on_time: completed by the close of the deadline's day. Cases withdrawn before their deadline
-- are not due.
create or replace temp macro cases_due_by_month(first, stop, snapshot_at) as table
    select
        m.month_start,
        c.*,
        c.is_completed and done_by(c.completed_at, c.deadline_at) as due_on_time
    from cases as c
    join month_grid(first, stop, snapshot_at) as m
        on date_trunc('month', cast(c.deadline_at as date)) = m.month_start
        and due_in(c.deadline_at, m.month_start, m.month_end, m.state_at)
    where c.is_accepted and not (c.status = 'withdrawn' and c.completed_at < day_close(c.deadline_at))

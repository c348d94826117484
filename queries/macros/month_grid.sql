-- month_grid(first, stop, as_of): one row per month from `first` up to `stop` (both month starts,
-- `stop` excluded) that had begun by `as_of`: month_start, month_end and state_at, the moment a
-- month's states (open, overdue) are read — its last instant, or the snapshot time if earlier. The
-- month-by-month queries measure each month as indicator_measures.sql measures a one-month period.
create or replace temp macro month_grid(first, stop, as_of) as table
    select
        month_start,
        month_start + interval 1 month as month_end,
        least(month_start + interval 1 month - interval 1 microsecond, as_of) as state_at
    from range(cast(first as timestamp), cast(stop as timestamp), interval 1 month) as r(month_start)
    where month_start <= as_of

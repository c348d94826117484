-- month_grid(first, stop, snapshot_at): one row per month from `first` up to `stop` (both month
-- starts, `stop` excluded) that had begun before `snapshot_at` (the snapshot's state moment):
-- month_start, month_end and state_at, the moment a month's states (open, overdue, rectified) are
-- read — the month's end (midnight after its last day), or the snapshot's moment if earlier. The
-- month-by-month queries measure each month as indicator_measures.sql measures a one-month period.
create or replace temp macro month_grid(first, stop, snapshot_at) as table
    select
        month_start,
        month_start + interval 1 month as month_end,
        least(month_start + interval 1 month, snapshot_at) as state_at
    from range(cast(first as timestamp), cast(stop as timestamp), interval 1 month) as r(month_start)
    where month_start < snapshot_at

-- The day that closes the `working_days`-th working day after `after_day` (the day itself does not
-- count), on the snapshot's calendar: a 通报's rectification deadline (xiaoneng/ledger.py). No row when
-- the calendar ends before it.
with

following as (
    select date, row_number() over (order by date) as position
    from calendar
    where is_working_day and date > cast($after_day as date)
),

final as (
    select date as deadline from following where position = $working_days
)

select * from final

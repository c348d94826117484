-- day_close(ts): the close of the day `ts` falls on (midnight after it). A deadline, a rectification
-- due time or a task's due time means the close of its day, whatever time of day the source wrote
-- (product.md §3): two deadlines on the same day are the same deadline.
create or replace temp macro day_close(ts) as
    cast(cast(ts as date) + interval 1 day as timestamp)

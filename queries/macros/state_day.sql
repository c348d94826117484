-- state_day(moment): the day whose state `moment` reads. State moments are exclusive (what happened
-- strictly before them is known): a period's end (midnight after its last day) reads that last day,
-- a snapshot taken at 18:00 reads its own day.
create or replace temp macro state_day(moment) as
    cast(moment - interval 1 microsecond as date)

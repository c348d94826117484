-- The states of rollups/states.parquet summed up to checkpoints — every month start up to the
-- snapshot's moment, and that moment — per (county, department, item type, channel): a state at t
-- is then a checkpoint at or before t plus the few events after it, not a sum over all history.
-- Reads the states table just built (xiaoneng.rollups). Rows whose sums are all 0 are left out.
with

checkpoints as (
    -- (least: a series never runs backwards; unnest(generate_series) also reads as Spark SQL)
    select unnest(generate_series(
        least(date_trunc('month', (select min(moment) from states)), cast($snapshot_at as timestamp)),
        cast($snapshot_at as timestamp), interval 1 month)) as moment
    union
    select cast($snapshot_at as timestamp)
)

select
    c.moment,
    s.county_code,
    s.dept_code,
    s.item_type,
    s.channel,
    sum(s.present) as present,
    sum(s.open_delta) as open_delta,
    sum(s.red_delta) as red_delta,
    sum(s.yellow_delta) as yellow_delta
from checkpoints as c
join states as s on s.moment <= c.moment
group by all
having sum(s.present) <> 0 or sum(s.open_delta) <> 0 or sum(s.red_delta) <> 0 or sum(s.yellow_delta) <> 0
order by c.moment, s.county_code, s.dept_code, s.item_type, s.channel

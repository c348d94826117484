-- States at a time as events: per moment (rollup_moment) and (county, department, item type,
-- channel), how many cases entered and left each state, so the state at t is the sum of the
-- events at moments <= t (queries/macros/light_at.sql, open_at.sql; all moments exclusive):
--   present  the case was accepted before t (any status): the unit has case data for the period
--   open     accepted before t, not closed before t                       [accepted⁺, closed⁺)
--   red      open, deadline's day closed by t                            [max(accepted⁺, close), closed⁺)
--   yellow   open, not red, at most max(1, 20 % of the promised limit) working days left counted
--            from t's state day: from the first day `yellow_day` whose wd_index is that close to
--            the deadline's                                               [max(accepted⁺, yellow_day⁺), min(closed⁺, close))
-- (x⁺ = x + 1 µs: "before t" is x < t). A state whose interval is empty enters and leaves at one
-- moment. `yellow` assumes t's state day is in the calendar (the query checks; outside it no case is yellow).
with

calendar_days as (
    select wd_index, min(date) as first_day from calendar group by 1
),

calendar_start as (
    select min(date) as first_day from calendar
),

timed as (
    select
        c.county_code,
        c.dept_code,
        c.item_type,
        c.channel,
        c.is_accepted,
        c.accepted_at + interval 1 microsecond as opened,
        c.completed_at + interval 1 microsecond as closed,
        day_close(c.deadline_at) as deadline_close,
        -- a yellow light needs the deadline's working day (light_at); a first yellow day before the
        -- calendar's start is its first day. The join matches on the case's columns alone: with the
        -- calendar's start in the condition, Spark's planner made this a nested loop over cases × days.
        case
            when c.deadline_wd_index is null then null
            when y.wd_index is null then cast(s.first_day as timestamp) + interval 1 microsecond
            else cast(y.first_day as timestamp) + interval 1 microsecond
        end as yellow_from
    from cases as c
    cross join calendar_start as s
    left join calendar_days as y
        on y.wd_index = c.deadline_wd_index - floor(greatest(1, 0.2 * coalesce(c.promised_limit_wd, 0)))
    where c.accepted_at is not null
),

intervals as (
    -- the moments a case enters and leaves a state (left_at null: still in it); greatest and least
    -- skip nulls, hence the explicit cases
    select *, 'present' as kind, opened as entered, cast(null as timestamp) as left_at from timed
    union all
    select *, 'open', opened, case when closed is not null then greatest(opened, closed) end
    from timed where is_accepted
    union all
    select *, 'red', greatest(opened, deadline_close),
        case when closed is not null then greatest(opened, deadline_close, closed) end
    from timed where is_accepted and deadline_close is not null
    union all
    select *, 'yellow', greatest(opened, yellow_from),
        greatest(opened, yellow_from, least(closed, deadline_close))
    from timed where is_accepted and yellow_from is not null
),

events as (
    select county_code, dept_code, item_type, channel, kind, rollup_moment(entered, $snapshot_at) as moment, 1 as delta
    from intervals
    union all
    select county_code, dept_code, item_type, channel, kind, rollup_moment(left_at, $snapshot_at), -1
    from intervals where left_at is not null
)

select
    moment,
    county_code,
    dept_code,
    item_type,
    channel,
    sum(delta) filter (where kind = 'present') as present,
    sum(delta) filter (where kind = 'open') as open_delta,
    sum(delta) filter (where kind = 'red') as red_delta,
    sum(delta) filter (where kind = 'yellow') as yellow_delta
from events
group by all
order by moment, county_code, dept_code, item_type, channel

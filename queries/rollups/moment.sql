-- rollup_moment(x, snapshot_at): the first moment a state can be read at that reaches `x` — states
-- are read at a period's end (a midnight) or at the snapshot's moment — so that, for every such
-- moment t, `x <= t` exactly when `rollup_moment(x) <= t`. Events keyed by it sum to exact states.
create or replace temp macro rollup_moment(x, snapshot_at) as
    case
        when x is null then null
        when x <= snapshot_at then least(day_close(x - interval 1 microsecond), snapshot_at)
        else day_close(x - interval 1 microsecond)
    end

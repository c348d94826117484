-- queries/indicator_measures.sql served from the snapshot's rollups (xiaoneng/rollups.py): the same
-- columns, the same numbers, for the same parameters, without reading a case — once
-- xiaoneng.rollups.measures has interpolated elapsed_wd_median and _p90 from the median_* and p90_*
-- columns (DuckDB's rounding of quantile_cont cannot be written in SQL). The period's bounds
-- are midnights and $state_at is one of them or the snapshot's moment (the moments the rollups are
-- keyed for; xiaoneng.rollups.serves checks it). Flows sum the days of [$period_start, $period_end);
-- states at $state_at are the sums at the checkpoint before it plus the state events since; a case
-- counts for the period only when accepted before its end (accepted_later). Ratings, rectification, surveys and tasks are read
-- from their rows (non_case_measures), as indicator_measures.sql reads them.
with

span as (
    select
        cast($period_start as date) as first_day,
        cast($period_end as date) as stop_day,
        -- no case is yellow on a state day outside the calendar (light_at: no wd_index, green)
        exists (select 1 from calendar where date = state_day($state_at)) as state_day_known
),

accepted as (
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        sum(cases_accepted) as cases_accepted,
        sum(cases_online) as cases_online,
        sum(cases_channel_known) as cases_channel_known,
        sum(cases_no_deadline) as cases_no_deadline,
        -- 即办率: owed once the acceptance day has closed by the state time
        sum(immediate_due) filter (where day_close(day) <= $state_at) as immediate_due,
        sum(immediate_same_day) filter (where day_close(day) <= $state_at) as immediate_same_day
    from rollup_accepted, span
    where day >= first_day and day < stop_day
    group by 1, 2
),

completed as (
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        sum(completed) as completed,
        sum(completed_with_deadline) as completed_with_deadline,
        sum(completed_on_time) as completed_on_time,
        sum(completed) filter (where is_promised) as promised_completed,
        sum(completed_timed) filter (where is_promised) as promised_completed_timed,
        sum(completed_early) filter (where is_promised) as completed_early,
        sum(elapsed_wd * completed) filter (where is_promised) as elapsed_wd_sum,
        sum(completed) filter (where is_promised and elapsed_wd is not null) as elapsed_wd_count
    from rollup_completed, span
    where day >= first_day and day < stop_day and (accepted_later is null or accepted_later < stop_day)
    group by 1, 2
),

elapsed_histogram as (
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        elapsed_wd,
        sum(completed) as n
    from rollup_completed, span
    where day >= first_day and day < stop_day and (accepted_later is null or accepted_later < stop_day)
        and is_promised and elapsed_wd is not null
    group by 1, 2, 3
),

elapsed_ranks as (
    -- the value at 0-based sorted positions [below, upto) of each group
    select
        *,
        sum(n) over (partition by county_code, dept_code order by elapsed_wd) - n as below,
        sum(n) over (partition by county_code, dept_code order by elapsed_wd) as upto,
        sum(n) over (partition by county_code, dept_code) as total
    from elapsed_histogram
),

quantile_positions as (
    -- DuckDB's quantile_cont: RN = (n - 1) · q, the values at floor(RN) and ceil(RN), interpolated
    select county_code, dept_code, q, rn, floor(rn) as lo_pos, ceil(rn) as hi_pos
    from (
        select distinct county_code, dept_code, q, cast(total - 1 as double) * q as rn
        from elapsed_ranks
        cross join (values (cast(0.5 as double)), (cast(0.9 as double))) as quantiles(q)
    )
),

quantiles as (
    select
        p.county_code,
        p.dept_code,
        p.q,
        cast(any_value(lo.elapsed_wd) as double) as lo_value,
        cast(any_value(hi.elapsed_wd) as double) as hi_value,
        any_value(p.rn - p.lo_pos) as fraction
    from quantile_positions as p
    join elapsed_ranks as lo
        on lo.county_code = p.county_code and lo.dept_code = p.dept_code
        and lo.below <= p.lo_pos and p.lo_pos < lo.upto
    join elapsed_ranks as hi
        on hi.county_code = p.county_code and hi.dept_code = p.dept_code
        and hi.below <= p.hi_pos and p.hi_pos < hi.upto
    group by 1, 2, 3
),

elapsed_quantiles as (
    -- the two values and the fraction quantile_cont interpolates between; xiaoneng.rollups finishes
    -- the interpolation exactly as DuckDB rounds it
    select
        county_code,
        dept_code,
        any_value(lo_value) filter (where q = 0.5) as median_lo,
        any_value(hi_value) filter (where q = 0.5) as median_hi,
        any_value(fraction) filter (where q = 0.5) as median_fraction,
        any_value(lo_value) filter (where q = 0.9) as p90_lo,
        any_value(hi_value) filter (where q = 0.9) as p90_hi,
        any_value(fraction) filter (where q = 0.9) as p90_fraction
    from quantiles
    group by 1, 2
),

rated as (
    -- completions in the period reviewed before the state time
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        sum(completed_rated) as completed_rated
    from rollup_completed_rated, span
    where day >= first_day and day < stop_day and (accepted_later is null or accepted_later < stop_day)
        and rated_moment <= $state_at
    group by 1, 2
),

due as (
    -- each case once, in its deadline day's period, once that day has closed by the state time
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        sum(due_cases) as due_cases,
        sum(due_on_time) as due_on_time
    from rollup_due, span
    where day >= first_day and day < stop_day and day_close(day) <= $state_at
        and (accepted_later is null or accepted_later < stop_day)
    group by 1, 2
),

checkpoint as (
    -- the checkpoints the states at the state time and at the period's end start from, given by
    -- xiaoneng.rollups.checkpoint_at (constants: both tables are read only around them)
    select cast($state_cp as timestamp) as state_cp, cast($present_cp as timestamp) as present_cp
),

state_parts as (
    -- present at the period's end; open, red and yellow at the state time
    select
        county_code, dept_code,
        case when moment = present_cp then present end as present,
        case when moment = state_cp then open_delta end as open_delta,
        case when moment = state_cp then red_delta end as red_delta,
        case when moment = state_cp then yellow_delta end as yellow_delta
    from rollup_state_checkpoints, checkpoint
    where moment = $state_cp or moment = $present_cp
    union all
    select
        county_code, dept_code,
        case when moment > present_cp and moment <= $period_end then present end,
        case when moment > state_cp and moment <= $state_at then open_delta end,
        case when moment > state_cp and moment <= $state_at then red_delta end,
        case when moment > state_cp and moment <= $state_at then yellow_delta end
    from rollup_states, checkpoint
    where ((moment > state_cp and moment <= $state_at) or (moment > present_cp and moment <= $period_end))
        -- the same rows, as bounds the parquet scan skips row groups by (states are sorted by moment)
        and moment > least($state_cp, $present_cp) and moment <= greatest($state_at, $period_end)
),

states as (
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        sum(present) as present,
        sum(open_delta) as open_at_end,
        sum(red_delta) as open_overdue,
        case when any_value(state_day_known) then sum(yellow_delta) end as open_yellow
    from state_parts, span
    group by 1, 2
),

case_measures as (
    -- a unit has a row when it has a case accepted before the period's end, as in indicator_measures
    select *
    from states as s
    left join accepted using (county_code, dept_code)
    left join completed using (county_code, dept_code)
    left join elapsed_quantiles using (county_code, dept_code)
    left join rated using (county_code, dept_code)
    left join due using (county_code, dept_code)
    where s.present > 0
),

items_handled as (
    -- each item with cases accepted in the period once, with the limits recorded on its latest case
    select
        case when $by_county then county_code else '' end as county_code,
        case when $by_dept then dept_code else '' end as dept_code,
        item_code,
        arg_max(promised_limit_wd, promised_at) as promised_limit_wd,
        arg_max(legal_limit_wd, legal_at) as legal_limit_wd
    from rollup_item_limits, span
    where day >= first_day and day < stop_day
    group by 1, 2, 3
),

compression as (
    select
        county_code,
        dept_code,
        sum(promised_limit_wd) as promised_wd_sum,
        sum(legal_limit_wd) as legal_wd_sum
    from items_handled
    where legal_limit_wd > 0 and promised_limit_wd is not null
    group by 1, 2
),

non_case as (
    select * from non_case_measures($period_start, $period_end, $state_at, $by_county, $by_dept)
),

final as (
    select
        nullif(county_code, '') as county_code,
        nullif(dept_code, '') as dept_code,
        coalesce(cm.cases_accepted, 0) + coalesce(cm.completed, 0) + coalesce(cm.due_cases, 0)
            + coalesce(cm.open_at_end, 0) > 0 as has_cases,
        case when has_cases then cast(coalesce(cm.cases_accepted, 0) as bigint) end as cases_accepted,
        cast(coalesce(cm.cases_online, 0) as bigint) as cases_online,
        cast(coalesce(cm.cases_channel_known, 0) as bigint) as cases_channel_known,
        cast(coalesce(cm.cases_no_deadline, 0) as bigint) as cases_no_deadline,
        cast(coalesce(cm.completed, 0) as bigint) as completed,
        cast(coalesce(cm.completed_with_deadline, 0) as bigint) as completed_with_deadline,
        cast(coalesce(cm.completed_on_time, 0) as bigint) as completed_on_time,
        cast(coalesce(cm.due_cases, 0) as bigint) as due_cases,
        cast(coalesce(cm.due_on_time, 0) as bigint) as due_on_time,
        cast(coalesce(cm.promised_completed, 0) as bigint) as promised_completed,
        cast(coalesce(cm.promised_completed_timed, 0) as bigint) as promised_completed_timed,
        cast(coalesce(cm.completed_early, 0) as bigint) as completed_early,
        case when has_cases then cast(coalesce(cm.open_overdue, 0) as bigint) end as open_overdue,
        case when has_cases then cast(coalesce(cm.open_yellow, 0) as bigint) end as open_yellow,
        cast(coalesce(cm.open_at_end, 0) as bigint) as open_at_end,
        cm.elapsed_wd_sum,
        cast(coalesce(cm.elapsed_wd_count, 0) as bigint) as elapsed_wd_count,
        cast(null as double) as elapsed_wd_median,
        cast(null as double) as elapsed_wd_p90,
        cast(coalesce(cm.immediate_due, 0) as bigint) as immediate_due,
        cast(coalesce(cm.immediate_same_day, 0) as bigint) as immediate_same_day,
        cast(coalesce(cm.completed_rated, 0) as bigint) as completed_rated,
        cp.promised_wd_sum,
        cp.legal_wd_sum,
        coalesce(nc.ratings, 0) as ratings,
        coalesce(nc.ratings_good, 0) as ratings_good,
        coalesce(nc.ratings_bad, 0) as ratings_bad,
        coalesce(nc.ratings_satisfied, 0) as ratings_satisfied,
        coalesce(nc.ratings_unfounded, 0) as ratings_unfounded,
        coalesce(nc.bad_due, 0) as bad_due,
        coalesce(nc.bad_rectified, 0) as bad_rectified,
        coalesce(nc.bad_rectified_on_time, 0) as bad_rectified_on_time,
        nc.survey_wave,
        coalesce(nc.survey_responses, 0) as survey_responses,
        nc.survey_index,
        coalesce(nc.tasks_due, 0) as tasks_due,
        coalesce(nc.tasks_on_time, 0) as tasks_on_time,
        cm.median_lo,
        cm.median_hi,
        cm.median_fraction,
        cm.p90_lo,
        cm.p90_hi,
        cm.p90_fraction
    from case_measures as cm
    full join compression as cp using (county_code, dept_code)
    full join non_case as nc using (county_code, dept_code)
)

select * from final
order by county_code nulls first, dept_code nulls first

-- queries/headline_trend.sql served from the snapshot's rollups (xiaoneng/rollups.py): the same
-- columns, the same numbers, for the same parameters, without reading a case. Flows sum the day rows
-- of each month; the cases due in a month count once their deadline's day has closed by the month's
-- state time; open and overdue at a month's state time — its end, or the snapshot's moment — are the
-- sums of the state checkpoint at that moment (every month start up to the snapshot's moment, and
-- that moment, are checkpoints). Ratings, rectification and surveys are read from their rows
-- (trend_non_case_measures), as headline_trend.sql reads them.
-- (Sums are cast back to the BIGINT of the rows query's count(*); its overdue stock and elapsed-days
-- sum are sums, HUGEINT, as they are here.)
with

months as (
    select * from month_grid($trend_start, $trend_end, $snapshot_at)
),

accepted as (
    select
        date_trunc('month', day) as month_start,
        cast(sum(cases_accepted) as bigint) as cases_accepted,
        cast(sum(cases_online) as bigint) as cases_online,
        cast(sum(cases_channel_known) as bigint) as cases_channel_known
    from rollup_accepted
    where day >= cast($trend_start as date) and day < cast($trend_end as date)
    group by 1
),

completed as (
    select
        date_trunc('month', day) as month_start,
        cast(sum(completed) as bigint) as completed,
        sum(elapsed_wd * completed) filter (where is_promised) as elapsed_wd_sum,
        cast(sum(completed) filter (where is_promised and elapsed_wd is not null) as bigint)
            as elapsed_wd_count
    from rollup_completed
    where day >= cast($trend_start as date) and day < cast($trend_end as date)
    group by 1
),

due as (
    select m.month_start, cast(sum(d.due_cases) as bigint) as due_cases,
        cast(sum(d.due_on_time) as bigint) as due_on_time
    from rollup_due as d
    join months as m
        on date_trunc('month', d.day) = m.month_start and due_in(d.day, m.month_start, m.month_end, m.state_at)
    group by 1
),

stock as (
    select m.month_start, cast(sum(c.open_delta) as bigint) as open_at_end,
        sum(c.red_delta) as open_overdue
    from months as m
    join rollup_state_checkpoints as c on c.moment = m.state_at
    group by 1
),

final as (
    select
        cast(m.month_start as date) as month_start,
        coalesce(a.cases_accepted, 0) + coalesce(c.completed, 0) + coalesce(d.due_cases, 0)
            + coalesce(s.open_at_end, 0) > 0 as has_cases,
        case when has_cases then coalesce(a.cases_accepted, 0) end as cases_accepted,
        coalesce(a.cases_online, 0) as cases_online,
        coalesce(a.cases_channel_known, 0) as cases_channel_known,
        coalesce(c.completed, 0) as completed,
        coalesce(d.due_cases, 0) as due_cases,
        coalesce(d.due_on_time, 0) as due_on_time,
        case when has_cases then coalesce(s.open_overdue, 0) end as open_overdue,
        c.elapsed_wd_sum,
        coalesce(c.elapsed_wd_count, 0) as elapsed_wd_count,
        n.ratings,
        n.ratings_satisfied,
        n.bad_due,
        n.bad_rectified,
        n.survey_index
    from months as m
    left join accepted as a using (month_start)
    left join completed as c using (month_start)
    left join due as d using (month_start)
    left join stock as s using (month_start)
    left join trend_non_case_measures($trend_start, $trend_end, $snapshot_at) as n using (month_start)
)

select * from final
order by month_start

-- Per item handled in the period: actual elapsed working days of the cases completed in
-- [$period_start, $period_end) (mean, median, P90) against the item's promised and legal limits,
-- the on-time measures (as indicator_measures.sql: on-time completed ÷ (completed − untimed + open and
-- overdue at $state_at)) and the volume. $item_code narrows to one item (null = every item).
with

items_ref as (
    select item_code, name_zh as item_name_zh, dept_code as item_dept_code, item_type,
        promised_limit_wd, legal_limit_wd
    from items
),

selected_cases as (
    select
        *,
        open_at(status, accepted_at, completed_at, $state_at) as open_at_state,
        is_completed and completed_at >= $period_start and completed_at < $period_end as completed_in_period
    from cases
    where accepted_at < $period_end
        and ($item_code is null or item_code = $item_code)
),

item_measures as (
    select
        item_code,
        count(*) filter (where accepted_at >= $period_start) as cases_accepted,
        count(*) filter (where completed_in_period) as completed,
        count(*) filter (where completed_in_period and on_time) as completed_on_time,
        count(*) filter (where completed_in_period and on_time is null) as completed_untimed,
        count(*) filter (where open_at_state and deadline_at < $state_at) as open_overdue,
        avg(elapsed_wd) filter (where completed_in_period) as elapsed_wd_mean,
        median(elapsed_wd) filter (where completed_in_period) as elapsed_wd_median,
        quantile_cont(elapsed_wd, 0.9) filter (where completed_in_period) as elapsed_wd_p90,
        -- the limits the cases carried when accepted (an item's limits may have changed since)
        avg(promised_limit_wd) filter (where completed_in_period) as case_promised_limit_wd_mean
    from selected_cases
    group by item_code
),

final as (
    select
        m.item_code,
        i.item_name_zh,
        i.item_dept_code as dept_code,
        i.item_type,
        i.promised_limit_wd,
        i.legal_limit_wd,
        m.cases_accepted,
        m.completed,
        m.completed_on_time,
        m.completed_untimed,
        m.open_overdue,
        m.completed - m.completed_untimed + m.open_overdue as on_time_base,
        m.elapsed_wd_mean,
        m.elapsed_wd_median,
        m.elapsed_wd_p90,
        m.case_promised_limit_wd_mean
    from item_measures as m
    left join items_ref as i using (item_code)
    where m.cases_accepted > 0 or m.completed > 0 or m.open_overdue > 0
)

select * from final
order by item_code

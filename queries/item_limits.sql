-- Per item handled in the period: actual elapsed working days of the cases completed in
-- [$period_start, $period_end) (mean, median, P90) against the item's promised and legal limits,
-- the on-time measures (as indicator_measures.sql, from case_flags: 按期办结率's due cases and those
-- completed by their deadline, 办结件按时率's completions with a deadline, red lights at $state_at)
-- and the volume. $item_code narrows to one item (null = every item).
with

items_ref as (
    select item_code, name_zh as item_name_zh, dept_code as item_dept_code, item_type,
        promised_limit_wd, legal_limit_wd
    from items
),

selected_cases as (
    select *
    from case_flags($period_start, $period_end, $state_at)
    where $item_code is null or item_code = $item_code
),

item_measures as (
    select
        item_code,
        count(*) filter (where accepted_in_period) as cases_accepted,
        count(*) filter (where completed_in_period) as completed,
        count(*) filter (where completed_in_period and on_time is not null) as completed_with_deadline,
        count(*) filter (where completed_in_period and on_time) as completed_on_time,
        count(*) filter (where is_due) as due_cases,
        count(*) filter (where due_on_time) as due_on_time,
        count(*) filter (where light = 'red') as open_overdue,
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
        m.completed_with_deadline,
        m.completed_on_time,
        m.due_cases,
        m.due_on_time,
        m.open_overdue,
        m.elapsed_wd_mean,
        m.elapsed_wd_median,
        m.elapsed_wd_p90,
        m.case_promised_limit_wd_mean
    from item_measures as m
    left join items_ref as i using (item_code)
    where m.cases_accepted > 0 or m.completed > 0 or m.due_cases > 0 or m.open_overdue > 0
)

select * from final
order by item_code

-- Cases with their working-day timing, computed once when a snapshot is published.
-- Inputs (registered by xiaoneng.snapshots): raw_cases, items, ratings, calendar; $as_of (snapshot time).
-- Rules (product.md §3): the acceptance day does not count; a limit of N working days ends
-- at the close of the N-th working day after the acceptance date; an item whose limits are in
-- calendar days (items.limit_unit 'cd', 自然日) ends at the close of the acceptance date + N days;
-- suspended working days extend a derived deadline (a calendar-day one too: that many working days
-- after its end) and do not count as elapsed. Elapsed time is in working days for every item, so
-- durations stay comparable. A deadline is the close of its day,
-- whatever time the source wrote (day_close): a completion is on time when it came before the
-- close of the deadline's day. A case without any deadline (no system deadline and no promised
-- limit) has no verdict: it is a 无时限件, outside the on-time rates.
-- Completions are status completed and denied (不予许可, a decision), and a case of unknown status
-- (mapped to 'unknown') once it has a completion time: it is read from its timestamps, never exempted
-- -- as withdrawn or refused; refused cases (不予受理) were never accepted and get no timing.
-- Everything here is a fact of the case's own events, the same in every later snapshot; states at a time are taken by the queries (queries/macros/).
with

calendar_days as (
    select date, is_working_day, wd_index from calendar
),

working_days as (
    select wd_index, date from calendar where is_working_day
),

rated_cases as (
    -- the first review of a case: a case counts as rated at a time only once this has happened
    select case_id, min(rated_at) as first_rated_at from ratings where case_id is not null group by 1
),

cases_with_limits as (
    select
        c.* exclude (promised_limit_wd, legal_limit_wd, suspended_wd),
        coalesce(c.promised_limit_wd, i.promised_limit_wd) as promised_limit_wd,
        coalesce(c.legal_limit_wd, i.legal_limit_wd) as legal_limit_wd,
        coalesce(c.suspended_wd, 0) as suspended_wd,
        i.item_type,
        coalesce(i.limit_unit, 'wd') as limit_unit,
        cast(c.accepted_at as date) as accepted_date,
        cast(c.completed_at as date) as completed_date,
        c.status in ('completed', 'denied') or (c.status = 'unknown' and c.completed_at is not null)
            as is_completion,
        c.completed_at is null and c.status in ('in_progress', 'unknown') as is_open_now
    from raw_cases as c
    left join items as i using (item_code)
),

cases_indexed as (
    select
        c.*,
        acc.wd_index as accepted_wd_index,
        done.wd_index as completed_wd_index,
        snap.wd_index as as_of_wd_index,
        cd_end.wd_index as cd_end_wd_index
    from cases_with_limits as c
    left join calendar_days as cd_end
        on c.limit_unit = 'cd' and cd_end.date = c.accepted_date + c.promised_limit_wd
    left join calendar_days as acc on acc.date = c.accepted_date
    left join calendar_days as done on done.date = c.completed_date
    left join calendar_days as snap on snap.date = cast($as_of as date)
),

cases_with_derived_due as (
    select
        c.*,
        case
            when c.deadline_at is not null or c.promised_limit_wd is null then null
            -- calendar days: no working-day calendar needed unless a suspension extends it
            when c.limit_unit = 'cd' and c.suspended_wd = 0 then c.accepted_date + c.promised_limit_wd
            when c.limit_unit = 'cd' then due.date
            when c.promised_limit_wd + c.suspended_wd = 0 then c.accepted_date
            else due.date
        end as derived_due_date
    from cases_indexed as c
    left join working_days as due
        on due.wd_index = case
            when c.limit_unit = 'cd' then c.cd_end_wd_index + c.suspended_wd
            else c.accepted_wd_index + c.promised_limit_wd + c.suspended_wd
        end
),

cases_with_deadline as (
    select
        c.* exclude (deadline_at, derived_due_date),
        coalesce(
            c.deadline_at,
            cast(c.derived_due_date as timestamp) + interval 1 day - interval 1 microsecond
        ) as deadline_at,
        case
            when c.deadline_at is not null then 'system'
            when c.promised_limit_wd is null then 'none'
            when c.derived_due_date is null then 'outside_calendar'
            else 'derived'
        end as deadline_source
    from cases_with_derived_due as c
),

final as (
    select
        c.*,
        dl.wd_index as deadline_wd_index,
        c.status <> 'refused' as is_accepted,
        c.is_completion as is_completed,
        c.channel in ('online', 'mobile') as is_online,
        c.promised_limit_wd = 0 as is_immediate,
        -- 承诺件: items with a promised limit of at least one working day (durations, 提前办结率)
        c.promised_limit_wd > 0 as is_promised,
        -- (greatest() skips nulls: a date outside the calendar must stay unknown, not become 0)
        case
            when c.is_completion and c.completed_wd_index is not null and c.accepted_wd_index is not null
                then greatest(0, c.completed_wd_index - c.accepted_wd_index - c.suspended_wd)
            when c.is_open_now and c.as_of_wd_index is not null and c.accepted_wd_index is not null
                then greatest(0, c.as_of_wd_index - c.accepted_wd_index - c.suspended_wd)
        end as elapsed_wd,
        -- the completion's verdict: null when not completed, without a deadline, or when the deadline
        -- had to be derived but the calendar does not reach it
        case
            when c.is_completion and c.deadline_at is not null then done_by(c.completed_at, c.deadline_at)
        end as on_time,
        c.is_completion and dl.wd_index - c.completed_wd_index >= 1 as completed_early,
        (c.accepted_wd_index is null)
        or (c.completed_at is not null and c.completed_wd_index is null)
        or c.deadline_source = 'outside_calendar' as outside_calendar,
        r.first_rated_at
    from cases_with_deadline as c
    left join calendar_days as dl on dl.date = cast(c.deadline_at as date)
    left join rated_cases as r on r.case_id = c.case_id
)

select * exclude (as_of_wd_index, cd_end_wd_index, limit_unit, is_completion, is_open_now) from final

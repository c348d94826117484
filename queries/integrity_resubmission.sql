-- 退件重报 (resubmission): cases refused at intake (不予受理) in [period_start, period_end) whose applicant
-- (applicant_id, pseudonymous) applied again for the same item and was accepted after the refusal, within
-- $max_gap_wd working days of the refusal's date and before $state_at (what a snapshot taken then knew).
-- One row per refusal, with its first such re-submission.
with refusals as (
    select c.*, day.wd_index as refused_wd_index
    from cases as c
    join calendar as day on day.date = cast(c.completed_at as date)
    where c.status = 'refused' and c.applicant_id is not null
      and c.completed_at >= $period_start and c.completed_at < $period_end
),
again as (
    select
        r.case_id,
        arg_min(n.case_id, n.accepted_at) as resubmitted_case_id,
        min(n.accepted_at) as resubmitted_at,
        min(acc.wd_index - r.refused_wd_index) as gap_wd
    from refusals as r
    join cases as n
        on n.applicant_id = r.applicant_id and n.item_code = r.item_code and n.case_id <> r.case_id
        and n.is_accepted and n.accepted_at > r.completed_at and n.accepted_at < $state_at
    join calendar as acc on acc.date = cast(n.accepted_at as date)
    where acc.wd_index - r.refused_wd_index <= $max_gap_wd
    group by r.case_id
)
select
    r.case_id, r.county_code, r.dept_code, r.item_code, i.name_zh as item_name, r.channel, r.status,
    r.received_at, r.accepted_at, r.completed_at, r.deadline_at, r.promised_limit_wd,
    a.resubmitted_case_id, a.resubmitted_at, a.gap_wd
from refusals as r
join again as a using (case_id)
left join items as i on i.item_code = r.item_code
order by r.county_code, r.dept_code, r.completed_at, r.case_id

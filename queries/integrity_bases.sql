-- The bases of the honesty checks (config/integrity.yaml, `base`), per unit (county × department):
--   accepted             cases accepted in [period_start, period_end) (intake_wait)
--   promised_completed   completions in the period of items promised $min_promised_wd+ working days (quick_batch)
--   deadline_completed   completions in the period of promised items (limit ≥ 1) with a deadline (deadline_rush)
--   refused              cases refused at intake (不予受理) in the period, by the refusal's time (resubmission)
-- Completions are completed and denied cases (a denial is a decision).
select
    county_code,
    dept_code,
    count(*) filter (where is_accepted and accepted_at >= $period_start and accepted_at < $period_end) as accepted,
    count(*) filter (where is_completed and completed_at >= $period_start and completed_at < $period_end
                       and promised_limit_wd >= $min_promised_wd) as promised_completed,
    count(*) filter (where is_completed and completed_at >= $period_start and completed_at < $period_end
                       and promised_limit_wd >= 1 and deadline_at is not null) as deadline_completed,
    count(*) filter (where status = 'refused' and completed_at >= $period_start and completed_at < $period_end)
        as refused
from cases
group by county_code, dept_code

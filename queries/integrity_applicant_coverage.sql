-- How many of the cases refused in [period_start, period_end) carry an applicant code (applicant_id):
-- without codes the resubmission check has nothing to compare. Run only where the column exists.
select count(*) as refused, count(applicant_id) as refused_with_applicant
from cases
where status = 'refused' and completed_at >= $period_start and completed_at < $period_end

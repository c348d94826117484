-- 不实差评占比 (unfounded_share), per unit: bad reviews (scores 1–2) verified in [period_start, period_end)
-- before $state_at (verified), and those found unfounded (不实差评) on verification (unfounded), as
-- rectify_state reads them at $state_at.
select
    county_code,
    dept_code,
    count(*) as verified,
    count(*) filter (where state = 'unfounded') as unfounded
from (
    select
        county_code, dept_code,
        rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_day, $state_at) as state
    from ratings
    where score <= 2 and verified_at >= $period_start and verified_at < $period_end
)
where state is not null and state <> 'unverified'
group by county_code, dept_code

-- Bad reviews (score 1–2) given in [$period_start, $period_end) by rectification state, per
-- department and/or county ($by_dept, $by_county). Each review is in exactly one state:
--   unfounded           verified as unfounded (不实差评): no rectification owed
--   unverified          not verified yet
--   rectified_on_time   rectified by its rectify_due_at
--   rectified_late      rectified after its rectify_due_at (or without a due time)
--   pending_overdue     not rectified, due time passed at $state_at
--   pending_not_due     not rectified, still inside its rectification window at $state_at
-- Rectification is taken as the snapshot knows it and due-ness at $state_at, exactly as the
-- catalog's 差评整改率 counts (indicator_measures.sql): bad_due, bad_rectified and
-- bad_rectified_on_time below are its measures, so the rates on the page equal the KPI's.
with

bad_reviews as (
    select
        dept_code,
        county_code,
        rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_at, $state_at) as state
    from ratings
    where rated_at >= $period_start and rated_at < $period_end and score <= 2
),

final as (
    select
        case when $by_dept then dept_code end as dept_code,
        case when $by_county then county_code end as county_code,
        count(*) as bad_reviews,
        count(*) filter (where state = 'rectified_on_time') as rectified_on_time,
        count(*) filter (where state = 'rectified_late') as rectified_late,
        count(*) filter (where state = 'pending_not_due') as pending_not_due,
        count(*) filter (where state = 'pending_overdue') as pending_overdue,
        count(*) filter (where state = 'unverified') as unverified,
        count(*) filter (where state = 'unfounded') as unfounded,
        count(*) filter (where state in ('rectified_on_time', 'rectified_late', 'pending_overdue')) as bad_due,
        count(*) filter (where state in ('rectified_on_time', 'rectified_late')) as bad_rectified,
        count(*) filter (where state = 'rectified_on_time') as bad_rectified_on_time
    from bad_reviews
    group by 1, 2
)

select * from final
order by dept_code nulls first, county_code nulls first

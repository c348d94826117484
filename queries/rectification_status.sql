-- Bad reviews (score 1–2) given in [$period_start, $period_end) by their rectification state at
-- $state_at (rectify_state), per department and/or county ($by_dept, $by_county). Each review is
-- in exactly one state:
--   unverified          not verified by $state_at
--   unfounded           verified as unfounded (不实差评): no rectification owed
--   rectified_on_time   rectified before $state_at and by the close of its due day
--   rectified_late      rectified before $state_at, after its due day
--   pending_overdue     not rectified by $state_at, its due day closed by then
--   pending_not_due     not rectified by $state_at, still inside its rectification window
-- bad_due, bad_rectified and bad_rectified_on_time are the catalog's 差评整改率 measures, exactly as
-- indicator_measures.sql counts them: over the verified bad reviews whose rectification fell due
-- in the period (whenever they were given), so the rates on the page equal the KPI's.
with

given as (
    select
        dept_code,
        county_code,
        rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_day, $state_at) as state
    from ratings
    where rated_at >= $period_start and rated_at < $period_end and score <= 2
),

given_counts as (
    select
        case when $by_dept then dept_code else '' end as dept_code,
        case when $by_county then county_code else '' end as county_code,
        count(*) as bad_reviews,
        count(*) filter (where state = 'rectified_on_time') as rectified_on_time,
        count(*) filter (where state = 'rectified_late') as rectified_late,
        count(*) filter (where state = 'pending_not_due') as pending_not_due,
        count(*) filter (where state = 'pending_overdue') as pending_overdue,
        count(*) filter (where state = 'unverified') as unverified,
        count(*) filter (where state = 'unfounded') as unfounded
    from given
    group by 1, 2
),

due_counts as (
    select
        case when $by_dept then dept_code else '' end as dept_code,
        case when $by_county then county_code else '' end as county_code,
        count(*) as bad_due,
        count(*) filter (where state in ('rectified_on_time', 'rectified_late')) as bad_rectified,
        count(*) filter (where state = 'rectified_on_time') as bad_rectified_on_time
    from reviews_due($period_start, $period_end, $state_at)
    group by 1, 2
),

final as (
    select
        nullif(dept_code, '') as dept_code,
        nullif(county_code, '') as county_code,
        coalesce(g.bad_reviews, 0) as bad_reviews,
        coalesce(g.rectified_on_time, 0) as rectified_on_time,
        coalesce(g.rectified_late, 0) as rectified_late,
        coalesce(g.pending_not_due, 0) as pending_not_due,
        coalesce(g.pending_overdue, 0) as pending_overdue,
        coalesce(g.unverified, 0) as unverified,
        coalesce(g.unfounded, 0) as unfounded,
        coalesce(d.bad_due, 0) as bad_due,
        coalesce(d.bad_rectified, 0) as bad_rectified,
        coalesce(d.bad_rectified_on_time, 0) as bad_rectified_on_time
    from given_counts as g
    full join due_counts as d using (dept_code, county_code)
)

select * from final
order by dept_code nulls first, county_code nulls first

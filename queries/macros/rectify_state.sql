-- rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_at, moment): where a
-- review stands in the 差评整改 process at `moment` (null for a review that is not bad, score 3–5).
--   unfounded           verified as unfounded (不实差评): no rectification owed
--   unverified          not verified yet
--   rectified_on_time   rectified by its due time
--   rectified_late      rectified after its due time (or without one)
--   pending_overdue     not rectified, its due time passed by `moment`
--   pending_not_due     not rectified, still inside its rectification window at `moment`
-- The 差评整改率 measures (indicator_measures.sql) count from these states, and the rectification
-- chart and the review list show them: one rule for all three.
create or replace temp macro rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_at, moment) as
    case
        when score > 2 then null
        when rectify_status = 'unfounded' then 'unfounded'
        when verified_at is null then 'unverified'
        when rectify_status = 'rectified' and rectified_at <= rectify_due_at then 'rectified_on_time'
        when rectify_status = 'rectified' then 'rectified_late'
        when rectify_due_at <= moment then 'pending_overdue'
        else 'pending_not_due'
    end

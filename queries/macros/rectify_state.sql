-- rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_day, moment): where a
-- review stood in the 差评整改 process at `moment` (exclusive), from its timestamps (null for a
-- review that is not bad, score 3–5):
--   unverified          not verified before `moment` (a later verification had not happened yet)
--   unfounded           verified as unfounded (不实差评): no rectification owed
--   rectified_on_time   rectified before `moment` and by the close of its due day
--   rectified_late      rectified before `moment`, after its due day
--   pending_overdue     not rectified before `moment`, and its due day had closed by then
--   pending_not_due     not rectified before `moment`, still inside its rectification window
-- rectify_due_day is the ratings view's: the source's due time's day, or the configured number of
-- working days after verification. The 差评整改率 measures, the rectification chart and the review
-- list all read these states.
create or replace temp macro rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_day, moment) as
    case
        when score > 2 then null
        when verified_at is null or verified_at >= moment then 'unverified'
        when rectify_status = 'unfounded' then 'unfounded'
        when rectified_at < moment and done_by(rectified_at, rectify_due_day) then 'rectified_on_time'
        when rectified_at < moment then 'rectified_late'
        when day_close(rectify_due_day) <= moment then 'pending_overdue'
        else 'pending_not_due'
    end

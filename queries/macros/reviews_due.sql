-- reviews_due(period_start, period_end, state_at): the verified bad reviews whose rectification fell
-- due in the period — due day (the ratings view's rectify_due_day) in it and closed by state_at —
-- whenever they were given, each once, in its due day's period; unfounded ones are owed nothing.
-- `state` is the review's rectify_state at state_at. The 差评整改率 measures (indicator_measures.sql)
-- and the rectification page's rates (rectification_status.sql) both count these rows.
create or replace temp macro reviews_due(period_start, period_end, state_at) as table
    select *
    from (
        select
            *,
            rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_day, state_at) as state
        from ratings
        where score <= 2 and due_in(rectify_due_day, period_start, period_end, state_at)
    )
    where state not in ('unfounded', 'unverified')

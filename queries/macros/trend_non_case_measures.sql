-- trend_non_case_measures(first, stop, snapshot_at): the month-by-month measures of
-- queries/headline_trend.sql that do not come from cases — ratings given in the month, bad reviews
-- whose rectification fell due in it (states at the month's state time), the survey index of the
-- latest wave completed by then — one row per month of month_grid. headline_trend.sql and
-- rollup_headline_trend.sql (cases from the published rollups) share it.
create or replace temp macro trend_non_case_measures(first, stop, snapshot_at) as table
    with
    months as (
        select * from month_grid(first, stop, snapshot_at)
    ),

    rated as (
        select
            m.month_start,
            count(*) as ratings,
            count(*) filter (where r.score >= 3) as ratings_satisfied
        from months as m
        join ratings as r on r.rated_at >= m.month_start and r.rated_at < m.month_end
        group by 1
    ),

    rectification as (
        -- verified bad reviews in the month their rectification fell due, states at its state time
        select month_start, count(*) as bad_due,
            count(*) filter (where state in ('rectified_on_time', 'rectified_late')) as bad_rectified
        from (
            select
                m.month_start,
                rectify_state(r.score, r.verified_at, r.rectify_status, r.rectified_at, r.rectify_due_day, m.state_at)
                    as state
            from ratings as r
            join months as m
                on date_trunc('month', r.rectify_due_day) = m.month_start
                and due_in(r.rectify_due_day, m.month_start, m.month_end, m.state_at)
            where r.score <= 2
        )
        where state not in ('unfounded', 'unverified')
        group by 1
    ),

    waves as (
        select wave, wave_end(wave) as wave_end, (avg(score) - 1) * 25 as survey_index
        from surveys
        group by wave
    ),

    month_wave as (
        -- the latest wave completed by the month's state time
        select m.month_start, max(w.wave) as wave
        from months as m
        join waves as w on day_close(w.wave_end) <= m.state_at
        group by 1
    )

    select
        m.month_start,
        coalesce(r.ratings, 0) as ratings,
        coalesce(r.ratings_satisfied, 0) as ratings_satisfied,
        coalesce(x.bad_due, 0) as bad_due,
        coalesce(x.bad_rectified, 0) as bad_rectified,
        w.survey_index
    from months as m
    left join rated as r using (month_start)
    left join rectification as x using (month_start)
    left join month_wave as mw using (month_start)
    left join waves as w on w.wave = mw.wave

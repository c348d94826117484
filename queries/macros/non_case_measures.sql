-- non_case_measures(period_start, period_end, state_at, by_county, by_dept): the measures of
-- queries/indicator_measures.sql that do not come from cases — ratings, rectification of bad reviews,
-- surveys and supervised tasks — one row per group (county_code, dept_code: '' when not grouped).
-- indicator_measures.sql and rollup_indicator_measures.sql (cases from the published rollups) share it.
create or replace temp macro non_case_measures(period_start, period_end, state_at, by_county, by_dept) as table
    with
    rating_measures as (
        -- reviews given in the period; a bad review found unfounded by the state time is not a 差评
        select
            case when by_county then county_code else '' end as county_code,
            case when by_dept then dept_code else '' end as dept_code,
            count(*) as ratings,
            count(*) filter (where score >= 4) as ratings_good,
            count(*) filter (where score <= 2 and state <> 'unfounded') as ratings_bad,
            count(*) filter (where score >= 3) as ratings_satisfied,
            count(*) filter (where state = 'unfounded') as ratings_unfounded
        from (
            select
                *,
                rectify_state(score, verified_at, rectify_status, rectified_at, rectify_due_day, state_at) as state
            from ratings
            where rated_at >= period_start and rated_at < period_end
        )
        group by 1, 2
    ),
    rectification_measures as (
        -- the bad reviews whose rectification fell due in the period (reviews_due): rectified by the
        -- state time, and by the due day's close
        select
            case when by_county then county_code else '' end as county_code,
            case when by_dept then dept_code else '' end as dept_code,
            count(*) as bad_due,
            count(*) filter (where state in ('rectified_on_time', 'rectified_late')) as bad_rectified,
            count(*) filter (where state = 'rectified_on_time') as bad_rectified_on_time
        from reviews_due(period_start, period_end, state_at)
        group by 1, 2
    ),
    survey_wave as (
        -- the latest wave completed by the period's end (and by the snapshot's moment)
        select max(wave) as wave
        from surveys
        where day_close(wave_end(wave)) <= state_at
    ),
    survey_measures as (
        select
            case when by_county then county_code else '' end as county_code,
            case when by_dept then dept_code else '' end as dept_code,
            any_value(wave) as survey_wave,
            count(*) as survey_responses,
            (avg(score) - 1) * 25 as survey_index
        from surveys
        where wave = (select wave from survey_wave)
        group by 1, 2
    ),
    task_measures as (
        -- tasks due in the period (due day closed by the state time), done by the close of the due day
        select
            case when by_county then county_code else '' end as county_code,
            case when by_dept then dept_code else '' end as dept_code,
            count(*) as tasks_due,
            count(*) filter (where done_by(completed_at, due_at)) as tasks_on_time
        from tasks
        where due_in(due_at, period_start, period_end, state_at)
        group by 1, 2
    )
    select *
    from rating_measures
    full join rectification_measures using (county_code, dept_code)
    full join survey_measures using (county_code, dept_code)
    full join task_measures using (county_code, dept_code)

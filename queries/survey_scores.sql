-- 满意度测评 scores of the latest survey wave completed by the period's end and of the wave before it,
-- scaled to 0–100 as the catalog's satisfaction_index: (mean score − 1) × 25. One row per group:
-- the whole selection, or per department, dimension, respondent group and/or county
-- ($by_dept, $by_dimension, $by_group, $by_county). A group present in only one of the two waves
-- has nulls for the other.
with

latest_wave as (
    -- as indicator_measures.sql: the latest wave completed by the end of the period (and by the
    -- snapshot's moment): H1 ends 30 June, H2 31 December
    select max(wave) as wave
    from surveys
    where day_close(wave_end(wave)) <= $state_at
),

previous_wave as (
    select max(wave) as wave
    from surveys
    where wave < (select wave from latest_wave)
),

responses as (
    select
        case when wave = (select wave from latest_wave) then 'latest' else 'previous' end as wave_role,
        case when $by_dept then dept_code else '' end as dept_code,
        case when $by_dimension then dimension else '' end as dimension,
        case when $by_group then respondent_group else '' end as respondent_group,
        case when $by_county then county_code else '' end as county_code,
        score
    from surveys
    where wave in (select wave from latest_wave union all select wave from previous_wave)
),

scores as (
    select
        dept_code,
        dimension,
        respondent_group,
        county_code,
        count(*) filter (where wave_role = 'latest') as survey_responses,
        (avg(score) filter (where wave_role = 'latest') - 1) * 25 as survey_index,
        count(*) filter (where wave_role = 'previous') as survey_responses_previous,
        (avg(score) filter (where wave_role = 'previous') - 1) * 25 as survey_index_previous
    from responses
    group by 1, 2, 3, 4
),

final as (
    select
        (select wave from latest_wave) as wave,
        (select wave from previous_wave) as previous_wave,
        nullif(dept_code, '') as dept_code,
        nullif(dimension, '') as dimension,
        nullif(respondent_group, '') as respondent_group,
        nullif(county_code, '') as county_code,
        survey_responses,
        survey_index,
        survey_responses_previous,
        survey_index_previous,
        survey_index - survey_index_previous as survey_index_change
    from scores
)

select * from final
order by dept_code nulls first, dimension nulls first, respondent_group nulls first, county_code nulls first

-- The reviews (好差评) behind a number of the Satisfaction page (drill-through), one page of them,
-- with the total for paging: reviews given in [$period_start, $period_end) — only the bad ones
-- (score 1–2) when $bad_only — or, when $fell_due, the verified bad reviews whose rectification fell
-- due in the period (reviews_due: the base of 差评整改率, whenever they were given). Optional narrowing (null = any):
--   $score          one level of the five-level scale
--   $rectify_state  a bad review's rectification state at $state_at, decided exactly as in
--                   queries/rectification_status.sql (keep the two in step: tests/test_satisfaction.py
--                   checks that every state lists as many reviews as that query counts)
--   $reason         a reason tag, split on ';' and trimmed as in queries/bad_review_reasons.sql;
--                   '' = reviews giving no reason
-- Oldest first, as a register of bad reviews is read; $limit_rows / $offset_rows page.
with

reviews as (
    select
        r.*,
        list_filter(list_transform(string_split(coalesce(r.reason_tags, ''), ';'), lambda tag: trim(tag)),
                    lambda tag: tag <> '') as reasons,
        rectify_state(r.score, r.verified_at, r.rectify_status, r.rectified_at, r.rectify_due_day, $state_at)
            as rectify_state
    from ratings as r
    where not $fell_due and r.rated_at >= $period_start and r.rated_at < $period_end
    union all by name
    select
        d.* exclude (state),
        list_filter(list_transform(string_split(coalesce(d.reason_tags, ''), ';'), lambda tag: trim(tag)),
                    lambda tag: tag <> '') as reasons,
        d.state as rectify_state
    from reviews_due($period_start, $period_end, $state_at) as d
    where $fell_due
),

selected as (
    select *
    from reviews
    where (not $bad_only or score <= 2)
        and ($score is null or score = $score)
        and ($rectify_state is null or rectify_state = $rectify_state)
        and ($reason is null or (case when $reason = '' then len(reasons) = 0 else list_contains(reasons, $reason) end))
),

page as (
    select
        *,
        count(*) over () as total_rows
    from selected
    order by rated_at, rating_id
    limit $limit_rows offset $offset_rows
),

final as (
    select
        p.rating_id,
        p.case_id,
        p.rated_at,
        p.county_code,
        p.dept_code,
        p.item_code,
        i.name_zh as item_name,
        p.channel,
        p.score,
        p.reasons,
        p.verified_at,
        p.rectify_due_at,
        p.rectify_due_day,
        p.rectified_at,
        p.rectify_state,
        p.total_rows
    from page as p
    left join items as i on i.item_code = p.item_code
)

select * from final
order by rated_at, rating_id

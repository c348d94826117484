-- Reasons of the bad reviews (score 1–2) given in [$period_start, $period_end): reason_tags split
-- on ';', each tag counted once per review. A bad review without any tag is counted under a null
-- reason, so the page can say how many bad reviews give no reason. total_bad_reviews is the
-- denominator of each reason's share (a review may give several reasons).
with

bad_reviews as (
    select rating_id, reason_tags
    from ratings
    where rated_at >= $period_start and rated_at < $period_end and score <= 2
),

tags as (
    select distinct
        rating_id,
        nullif(trim(tag), '') as reason
    from bad_reviews, unnest(string_split(coalesce(reason_tags, ''), ';')) as split(tag)
),

-- a review whose tags are all blank keeps one null row; one with real tags drops its blanks
tags_per_review as (
    select rating_id, reason
    from tags
    where reason is not null
        or rating_id not in (select rating_id from tags where reason is not null)
),

final as (
    select
        reason,
        count(*) as bad_reviews,
        (select count(*) from bad_reviews) as total_bad_reviews
    from tags_per_review
    group by reason
)

select * from final
order by bad_reviews desc, reason nulls last

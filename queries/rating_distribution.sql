-- 好差评 reviews given in [$period_start, $period_end), counted per score (1–5, 5 = 非常满意).
-- Only scores that occur are returned; xiaoneng.satisfaction fills in the missing levels.
with

ratings_in_period as (
    select score
    from ratings
    where rated_at >= $period_start and rated_at < $period_end
),

final as (
    select
        score,
        count(*) as ratings
    from ratings_in_period
    group by score
)

select * from final
order by score desc

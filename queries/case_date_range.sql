-- The first and last acceptance dates of the cases the user may see (for the period selectors).
with

final as (
    select
        cast(min(accepted_at) as date) as first_accepted,
        cast(max(accepted_at) as date) as last_accepted
    from cases
)

select * from final

-- Counties the user may see, in code order.
with

final as (
    select county_code, name_zh, name_en, kind from counties
)

select * from final order by county_code

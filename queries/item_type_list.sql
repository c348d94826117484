-- Item types (事项类型) of the snapshot's items, most items first.
with

final as (
    select item_type, count(*) as items from items where item_type is not null group by item_type
)

select * from final order by items desc, item_type

-- Departments, in code order.
with

final as (
    select dept_code, name_zh, name_en, category from departments
)

select * from final order by dept_code

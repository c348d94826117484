-- Cases of the snapshot within the user's scope and the active filters.
select * from read_parquet(getvariable('snapshot_dir') || '/cases.parquet')
where (getvariable('scope_counties') is null or list_contains(getvariable('scope_counties'), county_code))
  and (getvariable('f_counties') is null or list_contains(getvariable('f_counties'), county_code))
  and (getvariable('f_depts') is null or list_contains(getvariable('f_depts'), dept_code))
  and (getvariable('f_item_types') is null or list_contains(getvariable('f_item_types'), item_type))
  and (getvariable('f_channels') is null or list_contains(getvariable('f_channels'), channel))

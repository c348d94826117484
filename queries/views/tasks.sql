-- Supervised tasks within scope and the county/department filters.
select * from read_parquet(getvariable('snapshot_dir') || '/tasks.parquet')
where (getvariable('scope_counties') is null or list_contains(getvariable('scope_counties'), county_code))
  and (getvariable('f_counties') is null or list_contains(getvariable('f_counties'), county_code))
  and (getvariable('f_depts') is null or list_contains(getvariable('f_depts'), dept_code))

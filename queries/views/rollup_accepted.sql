-- The snapshot's published rollup rollups/accepted.parquet (xiaoneng/rollups.py) within the user's scope
-- and the active filters, exactly as the cases view filters the cases it is made of.
select * from read_parquet(getvariable('snapshot_dir') || '/rollups/accepted.parquet')
where (getvariable('scope_counties') is null or list_contains(getvariable('scope_counties'), county_code))
  and (getvariable('f_counties') is null or list_contains(getvariable('f_counties'), county_code))
  and (getvariable('f_depts') is null or list_contains(getvariable('f_depts'), dept_code))
  and (getvariable('f_item_types') is null or list_contains(getvariable('f_item_types'), item_type))
  and (getvariable('f_channels') is null or list_contains(getvariable('f_channels'), channel))

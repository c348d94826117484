-- Counties the user may see (scope only: lists for filters are not narrowed by filters).
select * from read_parquet(getvariable('snapshot_dir') || '/counties.parquet')
where (getvariable('scope_counties') is null or list_contains(getvariable('scope_counties'), county_code))

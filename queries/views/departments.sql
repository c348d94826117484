-- The snapshot's departments reference table.
select * from read_parquet(getvariable('snapshot_dir') || '/departments.parquet')

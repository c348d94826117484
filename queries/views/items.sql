-- The snapshot's items reference table.
select * from read_parquet(getvariable('snapshot_dir') || '/items.parquet')

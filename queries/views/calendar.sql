-- The snapshot's calendar reference table.
select * from read_parquet(getvariable('snapshot_dir') || '/calendar.parquet')

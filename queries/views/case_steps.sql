-- Steps of the cases visible through the cases view.
select * from read_parquet(getvariable('snapshot_dir') || '/case_steps.parquet')
where case_id in (select case_id from cases)

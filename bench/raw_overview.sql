-- The bench's baseline (bench/bench_overview.py), not a query of the app: the Overview's
-- aggregates as plain GROUP BYs straight over a snapshot's cases.parquet, for the city, each
-- county and each county × department of one filter change. $cases_file is the parquet file,
-- $period_start/$period_end the period, $state_at its state time; list filters null = any.
select
    county_code,
    dept_code,
    count(*) filter (where accepted_at >= $period_start and accepted_at < $period_end) as cases_accepted,
    count(*) filter (where accepted_at >= $period_start and accepted_at < $period_end and is_online) as cases_online,
    count(*) filter (where completed_at >= $period_start and completed_at < $period_end) as completed,
    count(*) filter (where completed_at >= $period_start and completed_at < $period_end and on_time)
        as completed_on_time,
    count(*) filter (where deadline_at >= $period_start and deadline_at < $period_end) as due_cases,
    count(*) filter (where deadline_at >= $period_start and deadline_at < $period_end
        and completed_at <= deadline_at) as due_on_time,
    count(*) filter (where accepted_at < $state_at and (completed_at is null or completed_at >= $state_at))
        as open_at_end,
    count(*) filter (where accepted_at < $state_at and (completed_at is null or completed_at >= $state_at)
        and deadline_at < $state_at) as open_overdue,
    avg(elapsed_wd) filter (where completed_at >= $period_start and completed_at < $period_end and is_promised)
        as avg_elapsed_wd,
    median(elapsed_wd) filter (where completed_at >= $period_start and completed_at < $period_end and is_promised)
        as median_elapsed_wd,
    quantile_cont(elapsed_wd, 0.9) filter (where completed_at >= $period_start and completed_at < $period_end
        and is_promised) as p90_elapsed_wd
from read_parquet($cases_file)
where ($counties is null or list_contains($counties, county_code))
    and ($depts is null or list_contains($depts, dept_code))
    and ($channels is null or list_contains($channels, channel))
group by grouping sets ((), (county_code), (county_code, dept_code))

-- Ratings within scope and filters; an item-type filter keeps only ratings of such items,
-- a channel filter only ratings given through that channel. rectify_due_day: the day a verified
-- bad review's rectification falls due — the day of the source's rectify_due_at, or, without one,
-- the configured number of working days after the verification date (config/indicators.yaml,
-- rules.rectify_default_wd, bound as the variable rectify_default_wd).
select
    r.*,
    coalesce(cast(r.rectify_due_at as date), due.date) as rectify_due_day
from read_parquet(getvariable('snapshot_dir') || '/ratings.parquet') as r
left join calendar as verified on verified.date = cast(r.verified_at as date)
left join calendar as due
    on due.is_working_day and due.wd_index = verified.wd_index + getvariable('rectify_default_wd')
where (getvariable('scope_counties') is null or list_contains(getvariable('scope_counties'), r.county_code))
  and (getvariable('f_counties') is null or list_contains(getvariable('f_counties'), r.county_code))
  and (getvariable('f_depts') is null or list_contains(getvariable('f_depts'), r.dept_code))
  and (getvariable('f_item_types') is null or r.item_code in (
      select item_code from items where list_contains(getvariable('f_item_types'), item_type)))
  and (getvariable('f_channels') is null or list_contains(getvariable('f_channels'), r.channel))

-- The reviews behind unfounded_share: bad reviews verified in [period_start, period_end) and found
-- unfounded, as read at $state_at; one unit's when $county_code and $dept_code are given (null: all).
select
    r.rating_id, r.case_id, r.county_code, r.dept_code, r.item_code, i.name_zh as item_name, r.channel,
    r.rated_at, r.score, r.reason_tags, r.comment, r.verified_at
from ratings as r
left join items as i using (item_code)
where r.score <= 2 and r.verified_at >= $period_start and r.verified_at < $period_end
  and rectify_state(r.score, r.verified_at, r.rectify_status, r.rectified_at, r.rectify_due_day, $state_at)
      = 'unfounded'
  and ($county_code is null or r.county_code = $county_code)
  and ($dept_code is null or r.dept_code = $dept_code)
order by r.county_code, r.dept_code, r.verified_at, r.rating_id

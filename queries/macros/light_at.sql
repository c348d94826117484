-- light_at(status, accepted_at, completed_at, deadline_at, deadline_wd_index, promised_limit_wd,
--          moment, state_wd_index): a case's electronic-supervision light at `moment` —
--   null    not open then (open_at)
--   red     open, and its deadline's day has closed (超期, 红灯)
--   yellow  open, deadline not passed, at most max(1, 20 % of the promised limit) working days left
--           counted from the state day (state_wd_index: its calendar wd_index)
--   green   open, otherwise (or without a deadline)
-- One rule for the cards, the lights chart, the backlog, the trend and the case lists.
create or replace temp macro light_at(status, accepted_at, completed_at, deadline_at, deadline_wd_index,
                                      promised_limit_wd, moment, state_wd_index) as
    case
        when not open_at(status, accepted_at, completed_at, moment) then null
        when day_close(deadline_at) <= moment then 'red'
        when deadline_wd_index - state_wd_index <= greatest(1, 0.2 * coalesce(promised_limit_wd, 0)) then 'yellow'
        else 'green'
    end

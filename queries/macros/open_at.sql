-- open_at(status, accepted_at, completed_at, moment): the case was open at `moment` — accepted by
-- then, and either still in progress with no completion or completed after it. Every "open at the
-- state time" count (red and yellow lights, backlog, the on-time rate's open overdue cases, case
-- lists) uses this one rule. A scalar macro: DuckDB inlines it, so it costs nothing at run time.
create or replace temp macro open_at(status, accepted_at, completed_at, moment) as
    accepted_at <= moment and ((status = 'in_progress' and completed_at is null) or completed_at > moment)

-- open_at(status, accepted_at, completed_at, moment): the case was open at `moment` (exclusive) —
-- accepted before it and not closed (completed, denied or withdrawn) before it. A refused case
-- (不予受理) was never accepted, so never open. From timestamps only, never from the final status:
-- a case completed after `moment` was open then. Every "open at a time" count (lights, backlog,
-- case lists) uses this one rule. A scalar macro: DuckDB inlines it, so it costs nothing at run time.
create or replace temp macro open_at(status, accepted_at, completed_at, moment) as
    status <> 'refused' and accepted_at < moment and (completed_at is null or completed_at >= moment)

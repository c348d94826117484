-- done_by(done_at, due_at): a completion (or rectification) at `done_at` met the deadline `due_at`:
-- it happened before the close of the deadline's day. Null done_at (not done) is false.
create or replace temp macro done_by(done_at, due_at) as
    coalesce(done_at < day_close(due_at), false)

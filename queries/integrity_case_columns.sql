-- The columns of the cases view: the resubmission check needs applicant_id, an optional column that
-- snapshots published before it existed do not have (a query naming it would fail there).
select column_name from (describe cases)

-- wave_end(wave): the last day of a survey wave ('2026H1' → 2026-06-30, '2026H2' → 2026-12-31).
-- A period's survey index is that of the latest wave completed by the period's end.
create or replace temp macro wave_end(wave) as
    cast(make_date(cast(left(wave, 4) as integer), if(right(wave, 2) = 'H1', 6, 12), if(right(wave, 2) = 'H1', 30, 31)) as date)

-- wave_start(wave): the first day of a survey wave ('2026H1' → 2026-01-01, '2026H2' → 2026-07-01).
-- A period's survey index is that of the latest wave started before the period ends.
create or replace temp macro wave_start(wave) as
    make_date(cast(left(wave, 4) as integer), if(right(wave, 2) = 'H1', 1, 7), 1)

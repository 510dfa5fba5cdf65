-- Upgrade step 20 → 21: the hall of each audit record.
-- The hall an audit record concerns (version 21): the hall a write touched, else its actor's one hall;
-- NULL for the city's own records and every record before. Part of the hash when set (domain/audit.rs).
-- A county auditor reads its halls' records; a city-wide one reads all.
ALTER TABLE audit_log ADD COLUMN hall_code TEXT;
CREATE INDEX audit_log_by_hall ON audit_log (hall_code, seq);

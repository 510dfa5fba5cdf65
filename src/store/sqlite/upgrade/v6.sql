-- Upgrade step 5 → 6: punches by time (covering the staff id), for the period ranking (a year of punches for 2,000 staff is
-- two million rows; without it every ranking scans them all).

CREATE INDEX punch_by_time ON punch (time, staff_id);

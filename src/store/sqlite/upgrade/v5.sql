-- Upgrade step 4 → 5: interviews and the follow-up of poor ratings.

-- Interviews (约谈) held with the staff at the top of a biweekly ranking and their department heads.
CREATE TABLE interview (
  id INTEGER PRIMARY KEY,
  period_start TEXT NOT NULL CHECK (period_start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  staff_id INTEGER NOT NULL REFERENCES staff (id),
  held_at INTEGER NOT NULL,
  -- Who took part (the department head, the supervisor …).
  participants TEXT NOT NULL CHECK (length(trim(participants)) > 0),
  note TEXT NOT NULL DEFAULT '',
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX interview_by_period ON interview (period_start);

-- Follow-up of poor ratings (差评): the return visit and the rectification, each with who and when.
-- rating_key is 'event:<id>' for an evaluate event or 'device:<id>' for a standalone evaluator record.
CREATE TABLE rating_follow_up (
  id INTEGER PRIMARY KEY,
  rating_key TEXT NOT NULL UNIQUE CHECK (rating_key GLOB 'event:*' OR rating_key GLOB 'device:*'),
  visit_at INTEGER,
  visit_by TEXT,
  visit_note TEXT,
  fix_at INTEGER,
  fix_by TEXT,
  fix_note TEXT,
  CHECK ((visit_at IS NULL) = (visit_by IS NULL)),
  CHECK ((fix_at IS NULL) = (fix_by IS NULL))
);

-- Upgrade step 13 → 14: the monthly assessment's publications and supervision recommendations, and
-- the indexes the assessment reads a month by.

-- ---------------------------------------------------------------------------------------------------
-- Version 14: the departments' monthly assessment (绩效评估) as published, and supervision
-- recommendations (监察建议书).

-- The assessment reads a month of cases, completions, suspensions, ratings and alerts by time, from
-- the indexes alone (a month of a million-case hall is some 80,000 cases).
CREATE INDEX case_file_by_completed ON case_file (completed_at, item_code, status, accepted_at, promised_days, case_no)
  WHERE completed_at IS NOT NULL;
CREATE INDEX event_suspending ON event (occurred_at, case_id, step)
  WHERE step IN ('supplement_request', 'supplement_received', 'suspend', 'resume');
CREATE INDEX event_rating ON event (occurred_at, window_id, rating, case_id) WHERE step = 'evaluate';
-- Replaces version 1's index of acceptance alone.
DROP INDEX case_file_by_accepted;
CREATE INDEX case_file_by_accepted_month ON case_file (accepted_at, item_code, completed_at);
CREATE INDEX alert_by_since ON alert (since);

-- A month's assessment as a chief published it: frozen (the JSON as computed then, with its SHA-256),
-- so that later data never changes what was published; a recomputation is a new version with its
-- reason. Never changed, never deleted.
CREATE TABLE assessment_publication (
  id INTEGER PRIMARY KEY,
  month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
  version INTEGER NOT NULL CHECK (version >= 1),
  published_at INTEGER NOT NULL,
  published_by TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  assessment TEXT NOT NULL CHECK (json_valid(assessment)),
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  CHECK (version = 1 OR length(trim(reason)) > 0),
  UNIQUE (month, version)
);
CREATE TRIGGER assessment_publication_frozen BEFORE UPDATE ON assessment_publication
BEGIN
  SELECT RAISE(ABORT, 'a published assessment is frozen: publish a new version with its reason');
END;
CREATE TRIGGER assessment_publication_kept BEFORE DELETE ON assessment_publication
BEGIN
  SELECT RAISE(ABORT, 'published assessments are never deleted');
END;

-- Supervision recommendations (监察建议书), numbered 〔YYYY〕监建第N号 per hall and year; never deleted, so
-- a number is never used twice. The department signs for it and replies by reply_due.
CREATE TABLE recommendation (
  id INTEGER PRIMARY KEY,
  hall_code TEXT NOT NULL REFERENCES hall (code),
  year INTEGER NOT NULL,
  number INTEGER NOT NULL CHECK (number > 0),
  department_id INTEGER NOT NULL REFERENCES department (id),
  month TEXT CHECK (month IS NULL OR month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
  facts TEXT NOT NULL CHECK (length(trim(facts)) > 0),
  recommendation TEXT NOT NULL CHECK (length(trim(recommendation)) > 0),
  issued_at INTEGER NOT NULL,
  issued_by TEXT NOT NULL,
  reply_due TEXT NOT NULL CHECK (reply_due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  receipt_by TEXT,
  receipt_at INTEGER,
  reply_text TEXT,
  reply_at INTEGER,
  reply_recorded_by TEXT,
  CHECK ((receipt_at IS NULL) = (receipt_by IS NULL)),
  CHECK ((reply_at IS NULL) = (reply_text IS NULL) AND (reply_at IS NULL) = (reply_recorded_by IS NULL)),
  UNIQUE (hall_code, year, number)
);
CREATE TRIGGER recommendation_never_deleted BEFORE DELETE ON recommendation
BEGIN
  SELECT RAISE(ABORT, 'supervision recommendations are never deleted: their numbers are never reused');
END;

-- Upgrade step 3 → 4: evidence (snapshots from the wall, later clips).

-- Evidence files (snapshots from the video wall; clips later), with their SHA-256. Files live under
-- the data directory; the row is the record of who took what, when, from which camera.
CREATE TABLE evidence (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('snapshot')),
  camera_id INTEGER NOT NULL REFERENCES camera (id),
  taken_at INTEGER NOT NULL,
  taken_by TEXT NOT NULL,
  -- Relative to the data directory.
  path TEXT NOT NULL UNIQUE,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  bytes INTEGER NOT NULL CHECK (bytes > 0),
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  window_code TEXT,
  staff_no TEXT,
  -- Kept for the discipline log (记录违纪), with the category of RULES.md.
  for_discipline INTEGER NOT NULL DEFAULT 0 CHECK (for_discipline IN (0, 1)),
  category TEXT,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evidence_by_time ON evidence (taken_at);

-- Upgrade step 15 → 16: cameras watched for Art 11(8) — blocked or turned away, seats left empty.

-- ---------------------------------------------------------------------------------------------------
-- Version 16: what the camera watchers need (the reference view, the seat region), the snapshots
-- they take, their findings for a supervisor to confirm or dismiss, and the observation a confirmed
-- finding became.

-- Per camera, set by an administrator: the view it should keep (设为基准画面, a PNG and its SHA-256)
-- and the staff seat region as fractions of the picture.
CREATE TABLE camera_watch (
  camera_id INTEGER PRIMARY KEY REFERENCES camera (id),
  reference_png BLOB,
  reference_sha256 TEXT CHECK (reference_sha256 IS NULL OR length(reference_sha256) = 64),
  reference_set_by TEXT,
  reference_set_at INTEGER,
  seat_x REAL,
  seat_y REAL,
  seat_w REAL,
  seat_h REAL,
  CHECK ((reference_png IS NULL) = (reference_sha256 IS NULL)),
  CHECK ((seat_x IS NULL) = (seat_y IS NULL) AND (seat_y IS NULL) = (seat_w IS NULL) AND (seat_w IS NULL) = (seat_h IS NULL))
);

-- A snapshot a watcher took (PNG in the database, so every workstation sees the same evidence).
CREATE TABLE watch_snapshot (
  id INTEGER PRIMARY KEY,
  camera_id INTEGER NOT NULL REFERENCES camera (id),
  taken_at INTEGER NOT NULL,
  png BLOB NOT NULL,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0)
);

-- A finding: camera_tampered (blocked, moved) or seat_empty (a 离岗 candidate). Open until the
-- picture returns (resolved_at); decided once by a supervisor (confirmed → an observation, or
-- dismissed with a reason). Kept.
CREATE TABLE camera_finding (
  id INTEGER PRIMARY KEY,
  camera_id INTEGER NOT NULL REFERENCES camera (id),
  kind TEXT NOT NULL CHECK (kind IN ('blocked', 'moved', 'absent')),
  rule TEXT NOT NULL CHECK (rule = CASE kind WHEN 'absent' THEN 'seat_empty' ELSE 'camera_tampered' END),
  since INTEGER NOT NULL,
  raised_at INTEGER NOT NULL,
  resolved_at INTEGER,
  -- Tamper: the last normal picture and the picture when raised. Absence: when the seat emptied, and
  -- when the person came back.
  first_snapshot_id INTEGER REFERENCES watch_snapshot (id),
  second_snapshot_id INTEGER REFERENCES watch_snapshot (id),
  reported_by TEXT NOT NULL,
  -- The window's staff on duty, and their approved leave or 公出 at the time, if any.
  staff_id INTEGER REFERENCES staff (id),
  staff_note TEXT NOT NULL DEFAULT '',
  decision TEXT CHECK (decision IN ('confirmed', 'dismissed')),
  decided_by TEXT,
  decided_at INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  observation_id INTEGER REFERENCES observation (id),
  CHECK (resolved_at IS NULL OR resolved_at >= since),
  CHECK ((decision IS NULL) = (decided_at IS NULL)),
  CHECK (decision IS NOT 'dismissed' OR length(reason) > 0),
  CHECK ((decision IS 'confirmed') = (observation_id IS NOT NULL))
);
CREATE UNIQUE INDEX camera_finding_open ON camera_finding (camera_id, kind) WHERE resolved_at IS NULL;
CREATE INDEX camera_finding_by_since ON camera_finding (since);

-- The finding a detected observation was confirmed from (the weekly statistics' "detected").
ALTER TABLE observation ADD COLUMN finding_id INTEGER REFERENCES camera_finding (id);

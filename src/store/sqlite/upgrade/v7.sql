-- Upgrade step 6 → 7: footage — recorded segments, requests to view or copy them (调阅/拷贝), the
-- footage register, and legal holds (保全).

-- One recorded file (MPEG-TS, at most a few minutes) of one camera. Paths are relative to the footage
-- root (DIR/footage). Times are UTC milliseconds.
CREATE TABLE segment (
  id INTEGER PRIMARY KEY,
  camera_id INTEGER NOT NULL REFERENCES camera (id),
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL CHECK (end_ms > start_ms AND end_ms - start_ms <= 600000),
  path TEXT NOT NULL UNIQUE CHECK (length(path) > 0 AND path NOT LIKE '/%' AND path NOT LIKE '%..%'),
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  indexed_at INTEGER NOT NULL
);
-- Range lookups: segments are short, so "starts before the end and after the start minus the longest
-- segment" is an index range scan.
CREATE INDEX segment_by_camera_start ON segment (camera_id, start_ms);
CREATE INDEX segment_by_end ON segment (end_ms);

-- A request to view (调阅) or copy (拷贝) footage; decided by a chief who is not the requester.
CREATE TABLE footage_request (
  id INTEGER PRIMARY KEY,
  request_no TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL CHECK (seq > 0),
  requester TEXT NOT NULL,
  second_person TEXT CHECK (second_person IS NULL OR second_person <> requester),
  purpose TEXT NOT NULL CHECK (length(trim(purpose)) > 0),
  kind TEXT NOT NULL CHECK (kind IN ('view', 'export')),
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL CHECK (to_ms > from_ms),
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused', 'cancelled')),
  decided_by TEXT CHECK (decided_by IS NULL OR (decided_by <> requester AND decided_by IS NOT second_person)),
  decided_at INTEGER,
  decision_note TEXT,
  expires_at INTEGER CHECK ((expires_at IS NULL) = (status <> 'approved')),
  case_no TEXT,
  complaint_no TEXT,
  CHECK ((decided_by IS NULL) = (status IN ('pending', 'cancelled'))),
  UNIQUE (year, seq)
);
CREATE INDEX footage_request_by_requester ON footage_request (requester, created_at);

CREATE TABLE footage_request_camera (
  request_id INTEGER NOT NULL REFERENCES footage_request (id),
  camera_id INTEGER NOT NULL REFERENCES camera (id),
  PRIMARY KEY (request_id, camera_id)
) WITHOUT ROWID;

-- The footage register (调取登记): every viewing and every copy — who (调取人), when (时间), under
-- which request (用途), which camera and range, and for copies where it went (去向) and its SHA-256.
CREATE TABLE footage_access (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES footage_request (id),
  user TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('view', 'export')),
  camera_id INTEGER NOT NULL REFERENCES camera (id),
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL CHECK (to_ms > from_ms),
  at INTEGER NOT NULL,
  destination TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  finished_at INTEGER,
  sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
  bytes INTEGER,
  note TEXT,
  CHECK (action = 'export' OR (destination IS NULL AND status = 'done'))
);
CREATE INDEX footage_access_by_time ON footage_access (at);

-- Legal holds (保全): retention never deletes footage overlapping an active hold.
CREATE TABLE legal_hold (
  id INTEGER PRIMARY KEY,
  camera_id INTEGER NOT NULL REFERENCES camera (id),
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL CHECK (to_ms > from_ms),
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  lifted_by TEXT,
  lifted_at INTEGER,
  lift_reason TEXT,
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
  CHECK (lifted_at IS NULL OR length(trim(lift_reason)) > 0)
);

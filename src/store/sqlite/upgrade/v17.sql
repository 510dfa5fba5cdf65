-- Upgrade step 16 → 17: dual authorisation of account changes; no secret at rest in remembered answers.
ALTER TABLE user ADD COLUMN password_reset_at INTEGER;
-- The keyed audit chain: the MACs of the records kept so far are made by the program right after this
-- step (`migrate::key_the_chain`), with the data directory's audit.key.
ALTER TABLE audit_log ADD COLUMN mac TEXT;
ALTER TABLE audit_head ADD COLUMN mac TEXT;

-- ---------------------------------------------------------------------------------------------------
-- Version 17: dual authorisation of what would let one person act as two. Creating or promoting a
-- chief or an administrator, and resetting a chief's or an administrator's password, are requests that
-- take effect only when a second person confirms (another administrator, or an active chief; never the
-- requester, never the account concerned). The local system actor acts at once.
CREATE TABLE account_change (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('create', 'role', 'reset')),
  username TEXT NOT NULL CHECK (length(username) BETWEEN 1 AND 64 AND username NOT GLOB '*[^a-z0-9._-]*'),
  -- create: the new account's name and role; role: the role asked for.
  display_name TEXT,
  role TEXT CHECK (role IS NULL OR role IN ('supervisor', 'chief', 'auditor', 'admin')),
  -- create and reset: the Argon2id hash of the password that takes effect on confirmation.
  password_hash TEXT CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%'),
  requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER,
  outcome TEXT CHECK (outcome IS NULL OR outcome IN ('confirmed', 'refused', 'withdrawn')),
  -- Why it was refused (required then).
  note TEXT NOT NULL DEFAULT '',
  CHECK ((outcome IS NULL) = (decided_at IS NULL)),
  CHECK (outcome IS NOT 'refused' OR length(note) > 0),
  -- A create or a reset holds its hash until decided; then it is dropped.
  CHECK (kind <> 'role' OR password_hash IS NULL),
  CHECK (kind = 'role' OR password_hash IS NOT NULL OR outcome IS NOT NULL),
  CHECK (kind = 'reset' OR role IS NOT NULL)
);
-- One open request per account.
CREATE UNIQUE INDEX account_change_open ON account_change (username) WHERE outcome IS NULL;

-- The chain heads lower-level halls' servers forward (a county's to the city's): kept outside the
-- county's own database, so that a rewritten county history is found against them.
CREATE TABLE audit_anchor_received (
  id INTEGER PRIMARY KEY,
  -- The forwarding hall's code(s), as it names itself.
  source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  mac TEXT NOT NULL CHECK (length(mac) = 64),
  received_at INTEGER NOT NULL,
  received_by TEXT NOT NULL
);
CREATE INDEX audit_anchor_received_by_source ON audit_anchor_received (source, id);

-- Remembered answers of reads are no longer kept (camera_streams carried camera passwords), and the
-- plain SHA-256 of a keyed call that carried a password is forgotten (it could be tried offline).
DELETE FROM idempotency WHERE method NOT IN (
  'create_user', 'set_password', 'update_user', 'reset_password', 'configure_hall', 'apply_hall',
  'set_camera_password', 'import', 'register_complaint', 'add_observation', 'issue_slips', 'cancel_slip',
  'record_slip_receipt', 'advance_complaint', 'record_violation', 'decide_violation', 'refresh_alerts',
  'close_alert', 'issue_notice', 'record_notice_reply', 'record_daily_check', 'record_interview',
  'record_follow_up', 'set_camera_reference', 'set_camera_seat', 'decide_finding', 'request_footage',
  'decide_footage', 'cancel_footage_request', 'open_footage', 'open_footage_cameras', 'finish_export',
  'publish_assessment', 'issue_recommendation', 'record_recommendation_receipt', 'record_recommendation_reply',
  'place_hold', 'lift_hold', 'record_evidence', 'report_watch', 'report_camera_link', 'add_segment', 'expire_segments'
);
UPDATE idempotency SET request_sha256 = ''
  WHERE method IN ('create_user', 'set_password', 'reset_password', 'set_camera_password');

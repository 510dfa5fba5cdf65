-- Jiancha on PostgreSQL: the current schema (see `LATEST_VERSION` in migrate.rs). A fresh database is
-- made from this file; an older one is brought here by the numbered steps in upgrade/ (v1: the version
-- row and the audit chain; v2: every other table; v3: the alerts' revision). A test upgrades a
-- version-1 database and compares it with this schema, so a change here needs a new step, and the other
-- way round.
--
-- Conventions, as in SQLite's schema (src/store/sqlite/schema.sql, which this follows table by table):
-- instants are BIGINT seconds since the Unix epoch, UTC (the audit log: microseconds); every integer is
-- BIGINT (the program reads 64-bit integers), ids BIGSERIAL; BYTEA for BLOB; regular expressions for
-- SQLite's GLOB, json_typeof for json_valid/json_type, IS [NOT] DISTINCT FROM for SQLite's IS [NOT]
-- with a value; "user" and "end" quoted (reserved words here); the triggers that refuse a change are
-- two functions: jiancha_refuse_change (the audit tables) and jiancha_refuse_because (its reason given).

CREATE TABLE jiancha_schema (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL CHECK (version >= 1)
);

-- The audit log: append-only, each record chained to the previous by SHA-256 (domain/audit.rs) and
-- keyed by HMAC-SHA256 under the hall's audit.key (`mac`).
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY CHECK (seq >= 1),
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash TEXT NOT NULL CHECK (length(hash) = 64),
  workstation TEXT NOT NULL DEFAULT '',
  mac TEXT CHECK (mac IS NULL OR length(mac) = 64)
);
CREATE INDEX audit_log_by_actor ON audit_log (actor, seq);

-- The newest record's seq, hash and MAC. Its one row exists from the start (seq 0: no record yet), so
-- that every writer locks it (`SELECT … FOR UPDATE`) before appending: concurrent writers — several
-- servers on one database — queue there and the chain stays one line.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL CHECK (seq >= 0),
  hash TEXT NOT NULL CHECK (length(hash) = 64),
  mac TEXT
);
INSERT INTO audit_head (id, seq, hash, mac)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', NULL);

-- The program never updates, deletes or truncates audit records (nor removes the head); these make an
-- accident fail loudly. (The hash chain and its MACs are what prove tampering by someone who drops them.)
CREATE FUNCTION jiancha_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE PROCEDURE jiancha_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE PROCEDURE jiancha_refuse_change();
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
  FOR EACH ROW EXECUTE PROCEDURE jiancha_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE PROCEDURE jiancha_refuse_change();

CREATE FUNCTION jiancha_refuse_because() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;

-- SQLite's functions the calls use, as PostgreSQL functions of the same name and meaning (for the forms
-- the calls use): json_extract with a '$.a.b[1]' path, group_concat of text with ',' or a separator,
-- strftime of seconds since the epoch ('unixepoch') with %Y %m %d %H %M %S.
CREATE FUNCTION json_extract(doc TEXT, path TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT (doc::jsonb) #>> string_to_array(regexp_replace(regexp_replace(path, '^\$\.?', ''), '\[([0-9]+)\]', '.\1', 'g'), '.')
$$;
CREATE FUNCTION jiancha_concat_step(acc TEXT, value TEXT, sep TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN value IS NULL THEN acc WHEN acc IS NULL THEN value ELSE acc || sep || value END
$$;
CREATE FUNCTION jiancha_concat_step(acc TEXT, value TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT jiancha_concat_step(acc, value, ',')
$$;
CREATE AGGREGATE group_concat(TEXT, TEXT) (SFUNC = jiancha_concat_step, STYPE = TEXT);
CREATE AGGREGATE group_concat(TEXT) (SFUNC = jiancha_concat_step, STYPE = TEXT);
CREATE FUNCTION strftime(format TEXT, secs BIGINT, modifier TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN modifier = 'unixepoch' THEN to_char(to_timestamp(secs) AT TIME ZONE 'UTC',
    replace(replace(replace(replace(replace(replace(format, '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'), '%H', 'HH24'), '%M', 'MI'), '%S', 'SS')) END
$$;

-- ---------------------------------------------------------------------------------------------------
-- People who log in.

CREATE TABLE "user" (
  id BIGSERIAL PRIMARY KEY,
  -- Lower-case login name: letters, digits, '.', '_' or '-'.
  username TEXT NOT NULL UNIQUE
    CHECK (length(username) BETWEEN 1 AND 64 AND username !~ '[^a-z0-9._-]'),
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('supervisor', 'chief', 'auditor', 'admin')),
  -- PHC string of an Argon2id hash; the password itself is never stored.
  password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  -- Consecutive failed logins; at 5 the account locks for 15 minutes.
  failed_logins BIGINT NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until BIGINT,
  created_at BIGINT NOT NULL,
  -- Set when an administrator resets the password: the user chooses a new one at the next login.
  must_change_password BIGINT NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  last_login_at BIGINT,
  -- When an administrator last reset the password (version 17): a chief reset after a footage request
  -- was made may not decide it.
  password_reset_at BIGINT
);

-- Failed logins by where they come from (the client's address; this machine's name locally): five in a
-- row lock the account for that place only, so that guessing from one address cannot shut the owner out
-- elsewhere. Added in version 12.
CREATE TABLE login_lock (
  user_id BIGINT NOT NULL REFERENCES "user" (id),
  source TEXT NOT NULL,
  failures BIGINT NOT NULL DEFAULT 0 CHECK (failures >= 0),
  locked_until BIGINT,
  PRIMARY KEY (user_id, source)
);

-- Open sessions. Only the SHA-256 of the bearer token is kept.
CREATE TABLE session (
  token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
  user_id BIGINT NOT NULL REFERENCES "user" (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  -- The workstation the session was opened from (host name, or the client's address for the server).
  workstation TEXT NOT NULL DEFAULT '',
  CHECK (expires_at > created_at)
);

-- ---------------------------------------------------------------------------------------------------
-- The halls and who works where.

CREATE TABLE hall (
  code TEXT PRIMARY KEY CHECK (length(code) > 0),
  name TEXT NOT NULL CHECK (length(name) > 0),
  address TEXT NOT NULL DEFAULT '',
  level TEXT NOT NULL DEFAULT 'city' CHECK (level IN ('city', 'county', 'branch'))
);

CREATE TABLE department (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) > 0),
  -- Short name for tiles and tables (市场监管); empty = use the name.
  short_name TEXT NOT NULL DEFAULT '',
  head TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  -- Departments, windows and cameras are never deleted: a retired one leaves the wall, the pickers
  -- and the recorder while old records keep showing it by name; bringing it back clears this.
  retired_at BIGINT,
  -- The hall whose department this is (version 7): its hall file and administrator configure it; a
  -- county's 市场监管局 is not the city's.
  hall_code TEXT NOT NULL REFERENCES hall (code),
  UNIQUE (hall_code, name)
);

-- A service window (窗口). Named service_window because WINDOW is an SQL keyword.
CREATE TABLE service_window (
  id BIGSERIAL PRIMARY KEY,
  hall_code TEXT NOT NULL REFERENCES hall (code),
  code TEXT NOT NULL CHECK (length(code) > 0),
  name TEXT NOT NULL,
  department_id BIGINT REFERENCES department (id),
  retired_at BIGINT,
  UNIQUE (hall_code, code)
);

CREATE TABLE staff (
  id BIGSERIAL PRIMARY KEY,
  staff_no TEXT NOT NULL CHECK (length(staff_no) > 0),
  name TEXT NOT NULL,
  department_id BIGINT REFERENCES department (id),
  -- The window the person normally works at.
  window_id BIGINT REFERENCES service_window (id),
  -- The user number on the fingerprint machine, when it differs from staff_no.
  device_user_id TEXT,
  -- The hall whose staff member this is (version 7): staff numbers are the hall's own.
  hall_code TEXT NOT NULL REFERENCES hall (code),
  UNIQUE (hall_code, staff_no),
  UNIQUE (hall_code, device_user_id)
);

-- ---------------------------------------------------------------------------------------------------
-- The catalogue and the cases.

CREATE TABLE item (
  code TEXT PRIMARY KEY CHECK (length(code) > 0),
  name TEXT NOT NULL,
  department_id BIGINT NOT NULL REFERENCES department (id),
  legal_days BIGINT NOT NULL CHECK (legal_days BETWEEN 0 AND 3650),
  -- 0 = 即办件 (handled at once).
  promised_days BIGINT NOT NULL CHECK (promised_days BETWEEN 0 AND 3650),
  fee_fen BIGINT NOT NULL CHECK (fee_fen >= 0),
  -- JSON array of step names in order, e.g. ["accept","review","approve","complete"].
  workflow TEXT NOT NULL CHECK (json_typeof(workflow::json) = 'array'),
  -- JSON array of working-day limits per workflow step (null = no limit), same length as workflow.
  step_limits TEXT NOT NULL CHECK (json_array_length(step_limits::json) = json_array_length(workflow::json))
);

-- A case (办件). Its columns after item_code are derived from its events and rewritten on import.
-- Named case_file because CASE is an SQL keyword.
CREATE TABLE case_file (
  id BIGSERIAL PRIMARY KEY,
  case_no TEXT NOT NULL UNIQUE CHECK (length(case_no) > 0),
  item_code TEXT NOT NULL REFERENCES item (code),
  hall_code TEXT REFERENCES hall (code),
  -- The window that accepted the case.
  window_id BIGINT REFERENCES service_window (id),
  applicant TEXT,
  -- Per-case override of the item's promised days (from the accept event).
  promised_days BIGINT CHECK (promised_days IS NULL OR promised_days BETWEEN 0 AND 3650),
  accepted_at BIGINT,
  completed_at BIGINT,
  status TEXT NOT NULL CHECK (status IN ('submitted', 'in_progress', 'suspended', 'completed', 'rejected')),
  event_count BIGINT NOT NULL DEFAULT 0 CHECK (event_count >= 0),
  -- Version 3: the staff member who accepted the case.
  staff_id BIGINT REFERENCES staff (id),
  -- Version 3: when the alert engine must evaluate the case again (NULL: only on new data).
  next_check_at BIGINT
);
CREATE INDEX case_file_by_status ON case_file (status);

-- One event of a case, as reported by the approval system. Identified by (case, step, occurred_at).
CREATE TABLE event (
  id BIGSERIAL PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES case_file (id),
  step TEXT NOT NULL CHECK (step IN ('submit', 'accept', 'reject', 'supplement_request', 'supplement_received',
    'suspend', 'resume', 'review', 'approve', 'deny', 'complete', 'fee', 'evaluate')),
  occurred_at BIGINT NOT NULL,
  -- When the approval system entered it; far later than occurred_at suggests off-system handling.
  recorded_at BIGINT NOT NULL,
  hall_code TEXT REFERENCES hall (code),
  window_id BIGINT REFERENCES service_window (id),
  staff_id BIGINT REFERENCES staff (id),
  -- JSON array of document names issued with the step.
  documents TEXT NOT NULL DEFAULT '[]' CHECK (json_typeof(documents::json) = 'array'),
  applicant TEXT,
  amount_fen BIGINT CHECK (amount_fen IS NULL OR amount_fen >= 0),
  rating BIGINT CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
  reason TEXT CHECK (reason IS NULL OR reason IN ('hearing', 'inspection', 'appraisal', 'expert_review', 'other')),
  promised_days BIGINT CHECK (promised_days IS NULL OR promised_days BETWEEN 0 AND 3650),
  CHECK (step <> 'fee' OR amount_fen IS NOT NULL),
  CHECK (step <> 'evaluate' OR rating IS NOT NULL),
  CHECK (step <> 'suspend' OR reason IS NOT NULL),
  UNIQUE (case_id, step, occurred_at)
);
CREATE INDEX event_by_case ON event (case_id, occurred_at);
CREATE INDEX event_by_recorded ON event (recorded_at);
CREATE INDEX event_by_window ON event (window_id, occurred_at);

-- ---------------------------------------------------------------------------------------------------
-- Attendance and evaluators.

CREATE TABLE punch (
  id BIGSERIAL PRIMARY KEY,
  staff_id BIGINT NOT NULL REFERENCES staff (id),
  time TEXT NOT NULL CHECK (time ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'),
  device TEXT,
  UNIQUE (staff_id, time)
);

CREATE TABLE leave (
  id BIGSERIAL PRIMARY KEY,
  staff_id BIGINT NOT NULL REFERENCES staff (id),
  start TEXT NOT NULL,
  "end" TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('leave', 'business')),
  CHECK ("end" > start),
  UNIQUE (staff_id, start, "end", kind)
);

-- Ratings from standalone evaluators. case_no is '' when the device does not know it.
CREATE TABLE evaluation (
  id BIGSERIAL PRIMARY KEY,
  window_id BIGINT NOT NULL REFERENCES service_window (id),
  time TEXT NOT NULL,
  rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
  case_no TEXT NOT NULL DEFAULT '',
  UNIQUE (window_id, time, rating, case_no)
);

-- ---------------------------------------------------------------------------------------------------
-- The audit log: append-only, each record chained to the previous by SHA-256 (domain/audit.rs).


-- The newest record's seq and hash, updated with every append: catches removal of the newest records.

-- The program never updates or deletes audit records; these make an accident fail loudly. (Someone
-- with the file can drop them; the hash chain is what proves tampering.)

-- ---------------------------------------------------------------------------------------------------
-- Version 2: cameras, complaints and the import log.

CREATE TABLE camera (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) > 0),
  hall_code TEXT NOT NULL REFERENCES hall (code),
  -- The window the camera watches.
  window_id BIGINT REFERENCES service_window (id),
  -- Stream URLs without credentials (a vendor preset builds them from host, port and channel).
  main_url TEXT NOT NULL CHECK (length(main_url) > 0),
  sub_url TEXT,
  vendor TEXT NOT NULL DEFAULT 'rtsp' CHECK (vendor IN ('hikvision', 'dahua', 'uniview', 'rtsp')),
  host TEXT NOT NULL DEFAULT '',
  port BIGINT NOT NULL DEFAULT 554 CHECK (port BETWEEN 1 AND 65535),
  channel BIGINT NOT NULL DEFAULT 1 CHECK (channel BETWEEN 1 AND 999),
  username TEXT NOT NULL DEFAULT '',
  -- The password, sealed (ChaCha20-Poly1305, nonce first) with the key in the data directory's
  -- camera.key, which is never in the database; NULL = no password.
  password_sealed BYTEA,
  retired_at BIGINT,
  UNIQUE (hall_code, name)
);

-- Complaints from applicants (Art 5(6), 8(3)), online, by phone or in person.
-- Rebuilt in version 8 for the workflow (registered → accepted/declined → investigating → concluded).
CREATE TABLE complaint (
  id BIGSERIAL PRIMARY KEY,
  complaint_no TEXT NOT NULL UNIQUE,
  received_at BIGINT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('online', 'phone', 'in_person')),
  complainant TEXT NOT NULL,
  -- Visible only to chiefs and administrators.
  contact TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL CHECK (length(content) > 0),
  case_no TEXT,
  hall_code TEXT REFERENCES hall (code),
  window_id BIGINT REFERENCES service_window (id),
  staff_id BIGINT REFERENCES staff (id),
  status TEXT NOT NULL DEFAULT 'registered'
    CHECK (status IN ('registered', 'accepted', 'declined', 'investigating', 'concluded')),
  created_by TEXT NOT NULL,
  department_id BIGINT REFERENCES department (id),
  -- Accepted or declined: when, by whom, why (a decline needs a reason).
  decided_at BIGINT,
  decided_by TEXT,
  decision_note TEXT,
  investigating_at BIGINT,
  concluded_at BIGINT,
  concluded_by TEXT,
  conclusion TEXT,
  -- The reply to the complainant.
  reply TEXT,
  CHECK (status = 'registered' OR decided_at IS NOT NULL),
  CHECK (status <> 'declined' OR length(trim(decision_note)) > 0),
  CHECK (status <> 'concluded' OR (length(trim(conclusion)) > 0 AND length(trim(reply)) > 0))
);

-- Each import that changed something: when, by whom, what.
CREATE TABLE import_log (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('items', 'events', 'staff', 'punches', 'leave', 'evaluations')),
  source TEXT NOT NULL,
  records BIGINT NOT NULL CHECK (records >= 0),
  inserted BIGINT NOT NULL CHECK (inserted >= 0),
  updated BIGINT NOT NULL CHECK (updated >= 0)
);

-- ---------------------------------------------------------------------------------------------------
-- Version 3: alerts, supervision notices, daily checks.

CREATE INDEX case_file_by_next_check ON case_file (next_check_at) WHERE next_check_at IS NOT NULL;

-- Alerts derived by the engine (domain/alerts.rs) from a case's events, evaluations and notices. Rows
-- are never deleted: an alert whose condition no longer holds gets resolved_at; a violation alert stays
-- until a supervisor closes it with a reason.
CREATE TABLE alert (
  id BIGSERIAL PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES case_file (id),
  rule TEXT NOT NULL CHECK (rule IN ('deadline_prompt', 'overdue', 'overdue_serious', 'completed_late', 'step_overdue',
    'repeated_supplement', 'missing_document', 'fee_mismatch', 'late_entry', 'extra_step', 'out_of_order',
    'not_evaluated', 'notice_unanswered')),
  -- Tells apart several alerts of one rule on one case ('review@1790000000'); '' when there is one.
  alert_key TEXT NOT NULL DEFAULT '',
  level TEXT NOT NULL CHECK (level IN ('yellow', 'orange', 'red')),
  since BIGINT NOT NULL,
  resolved_at BIGINT,
  explanation TEXT NOT NULL,
  closed_at BIGINT,
  closed_by TEXT,
  close_reason TEXT CHECK (close_reason IS NULL OR length(trim(close_reason)) > 0),
  -- The alerts' revision when this row last changed (version 3; see alert_revision).
  rev BIGINT NOT NULL DEFAULT 0,
  CHECK ((closed_at IS NULL) = (closed_by IS NULL) AND (closed_at IS NULL) = (close_reason IS NULL)),
  UNIQUE (case_id, rule, alert_key)
);
CREATE INDEX alert_open ON alert (since) WHERE resolved_at IS NULL AND closed_at IS NULL;
CREATE INDEX evaluation_by_case ON evaluation (case_no) WHERE case_no <> '';

-- Supervision notices (督办通知单), numbered per year: 〔2026〕督第12号.
CREATE TABLE notice (
  id BIGSERIAL PRIMARY KEY,
  notice_no TEXT NOT NULL UNIQUE,
  year BIGINT NOT NULL,
  seq BIGINT NOT NULL CHECK (seq >= 1),
  alert_id BIGINT REFERENCES alert (id),
  case_id BIGINT NOT NULL REFERENCES case_file (id),
  department_id BIGINT REFERENCES department (id),
  text TEXT NOT NULL CHECK (length(trim(text)) > 0),
  issued_at BIGINT NOT NULL,
  issued_by TEXT NOT NULL,
  -- Local date by which the department must reply.
  due_date TEXT NOT NULL CHECK (due_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  reply_text TEXT,
  reply_at BIGINT,
  reply_recorded_by TEXT,
  CHECK ((reply_at IS NULL) = (reply_text IS NULL) AND (reply_at IS NULL) = (reply_recorded_by IS NULL)),
  UNIQUE (year, seq)
);
CREATE INDEX notice_by_case ON notice (case_id);
CREATE INDEX notice_by_alert ON notice (alert_id);

-- The daily data check (每日数据检查, Art 8(2)1): who checked which day, when, and the saved report.
CREATE TABLE daily_check (
  id BIGSERIAL PRIMARY KEY,
  day TEXT NOT NULL CHECK (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  checked_at BIGINT NOT NULL,
  checked_by TEXT NOT NULL,
  report_path TEXT NOT NULL,
  report_sha256 TEXT NOT NULL CHECK (length(report_sha256) = 64),
  open_alerts BIGINT NOT NULL CHECK (open_alerts >= 0),
  new_alerts BIGINT NOT NULL CHECK (new_alerts >= 0),
  red BIGINT NOT NULL CHECK (red >= 0),
  orange BIGINT NOT NULL CHECK (orange >= 0),
  yellow BIGINT NOT NULL CHECK (yellow >= 0)
);
CREATE INDEX daily_check_by_day ON daily_check (day);

-- ---------------------------------------------------------------------------------------------------
-- Version 4: evidence.

-- Evidence files (snapshots from the video wall; clips later), with their SHA-256. Files live under
-- the data directory; the row is the record of who took what, when, from which camera.
CREATE TABLE evidence (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('snapshot')),
  camera_id BIGINT NOT NULL REFERENCES camera (id),
  taken_at BIGINT NOT NULL,
  taken_by TEXT NOT NULL,
  -- Relative to the data directory.
  path TEXT NOT NULL UNIQUE,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  bytes BIGINT NOT NULL CHECK (bytes > 0),
  width BIGINT NOT NULL CHECK (width > 0),
  height BIGINT NOT NULL CHECK (height > 0),
  window_code TEXT,
  staff_no TEXT,
  -- Kept for the discipline log (记录违纪), with the category of RULES.md.
  for_discipline BIGINT NOT NULL DEFAULT 0 CHECK (for_discipline IN (0, 1)),
  category TEXT,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evidence_by_time ON evidence (taken_at);

-- ---------------------------------------------------------------------------------------------------
-- Version 5: interviews and the follow-up of poor ratings.

-- Interviews (约谈) held with the staff at the top of a biweekly ranking and their department heads.
CREATE TABLE interview (
  id BIGSERIAL PRIMARY KEY,
  period_start TEXT NOT NULL CHECK (period_start ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  staff_id BIGINT NOT NULL REFERENCES staff (id),
  held_at BIGINT NOT NULL,
  -- Who took part (the department head, the supervisor …).
  participants TEXT NOT NULL CHECK (length(trim(participants)) > 0),
  note TEXT NOT NULL DEFAULT '',
  recorded_by TEXT NOT NULL,
  recorded_at BIGINT NOT NULL
);
CREATE INDEX interview_by_period ON interview (period_start);

-- Follow-up of poor ratings (差评): the return visit and the rectification, each with who and when.
-- rating_key is 'event:<id>' for an evaluate event or 'device:<id>' for a standalone evaluator record.
CREATE TABLE rating_follow_up (
  id BIGSERIAL PRIMARY KEY,
  rating_key TEXT NOT NULL UNIQUE CHECK (rating_key LIKE 'event:%' OR rating_key LIKE 'device:%'),
  visit_at BIGINT,
  visit_by TEXT,
  visit_note TEXT,
  fix_at BIGINT,
  fix_by TEXT,
  fix_note TEXT,
  CHECK ((visit_at IS NULL) = (visit_by IS NULL)),
  CHECK ((fix_at IS NULL) = (fix_by IS NULL))
);

-- ---------------------------------------------------------------------------------------------------
-- Version 6: punches by time, for the period ranking.

CREATE INDEX punch_by_time ON punch (time, staff_id);

-- ---------------------------------------------------------------------------------------------------
-- Version 7: footage — recorded segments, requests to view or copy them (调阅/拷贝), the footage
-- register, and legal holds (保全).

-- One recorded file (MPEG-TS, at most a few minutes) of one camera. Paths are relative to the footage
-- root (DIR/footage). Times are UTC milliseconds.
CREATE TABLE segment (
  id BIGSERIAL PRIMARY KEY,
  camera_id BIGINT NOT NULL REFERENCES camera (id),
  start_ms BIGINT NOT NULL,
  end_ms BIGINT NOT NULL CHECK (end_ms > start_ms AND end_ms - start_ms <= 600000),
  path TEXT NOT NULL UNIQUE CHECK (length(path) > 0 AND path NOT LIKE '/%' AND path NOT LIKE '%..%'),
  bytes BIGINT NOT NULL CHECK (bytes >= 0),
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  indexed_at BIGINT NOT NULL
);
-- Range lookups: segments are short, so "starts before the end and after the start minus the longest
-- segment" is an index range scan.
CREATE INDEX segment_by_camera_start ON segment (camera_id, start_ms);
CREATE INDEX segment_by_end ON segment (end_ms);

-- A request to view (调阅) or copy (拷贝) footage; decided by a chief who is not the requester.
CREATE TABLE footage_request (
  id BIGSERIAL PRIMARY KEY,
  request_no TEXT NOT NULL UNIQUE,
  year BIGINT NOT NULL,
  seq BIGINT NOT NULL CHECK (seq > 0),
  requester TEXT NOT NULL,
  second_person TEXT CHECK (second_person IS NULL OR second_person <> requester),
  purpose TEXT NOT NULL CHECK (length(trim(purpose)) > 0),
  kind TEXT NOT NULL CHECK (kind IN ('view', 'export')),
  from_ms BIGINT NOT NULL,
  to_ms BIGINT NOT NULL CHECK (to_ms > from_ms),
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused', 'cancelled')),
  decided_by TEXT CHECK (decided_by IS NULL OR (decided_by <> requester AND decided_by IS DISTINCT FROM second_person)),
  decided_at BIGINT,
  decision_note TEXT,
  expires_at BIGINT CHECK ((expires_at IS NULL) = (status <> 'approved')),
  case_no TEXT,
  complaint_no TEXT,
  CHECK ((decided_by IS NULL) = (status IN ('pending', 'cancelled'))),
  UNIQUE (year, seq)
);
CREATE INDEX footage_request_by_requester ON footage_request (requester, created_at);

CREATE TABLE footage_request_camera (
  request_id BIGINT NOT NULL REFERENCES footage_request (id),
  camera_id BIGINT NOT NULL REFERENCES camera (id),
  PRIMARY KEY (request_id, camera_id)
);

-- The footage register (调取登记): every viewing and every copy — who (调取人), when (时间), under
-- which request (用途), which camera and range, and for copies where it went (去向) and its SHA-256.
CREATE TABLE footage_access (
  id BIGSERIAL PRIMARY KEY,
  request_id BIGINT NOT NULL REFERENCES footage_request (id),
  "user" TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('view', 'export')),
  camera_id BIGINT NOT NULL REFERENCES camera (id),
  from_ms BIGINT NOT NULL,
  to_ms BIGINT NOT NULL CHECK (to_ms > from_ms),
  at BIGINT NOT NULL,
  destination TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  finished_at BIGINT,
  sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
  bytes BIGINT,
  note TEXT,
  CHECK (action = 'export' OR (destination IS NULL AND status = 'done'))
);
CREATE INDEX footage_access_by_time ON footage_access (at);

-- Legal holds (保全): retention never deletes footage overlapping an active hold.
CREATE TABLE legal_hold (
  id BIGSERIAL PRIMARY KEY,
  camera_id BIGINT NOT NULL REFERENCES camera (id),
  from_ms BIGINT NOT NULL,
  to_ms BIGINT NOT NULL CHECK (to_ms > from_ms),
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  lifted_by TEXT,
  lifted_at BIGINT,
  lift_reason TEXT,
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
  CHECK (lifted_at IS NULL OR length(trim(lift_reason)) > 0)
);

-- ---------------------------------------------------------------------------------------------------
-- Version 8: discipline observations, reminder slips (提示单), violations and accountability decisions.

-- Discipline observations (Art 8(2)2): what a supervisor saw on the wall, in playback or in the hall.
-- Times are UTC seconds; a clip range is UTC milliseconds.
CREATE TABLE observation (
  id BIGSERIAL PRIMARY KEY,
  observed_at BIGINT NOT NULL,
  category TEXT NOT NULL CHECK (category IN ('离岗', '串岗', '玩手机/做与工作无关的事', '吃东西', '着装不规范/未佩戴工牌', '服务态度生硬', '遮挡摄像头/规避监察', '他人顶岗', '大声喧哗', '其他')),
  source TEXT NOT NULL CHECK (source IN ('wall', 'playback', 'manual')),
  hall_code TEXT NOT NULL REFERENCES hall (code),
  camera_id BIGINT REFERENCES camera (id),
  window_id BIGINT REFERENCES service_window (id),
  department_id BIGINT NOT NULL REFERENCES department (id),
  staff_id BIGINT REFERENCES staff (id),
  evidence_id BIGINT REFERENCES evidence (id),
  clip_from_ms BIGINT,
  clip_to_ms BIGINT,
  recorded_by TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  -- Version 16: the camera finding it was confirmed from (detected), else NULL (recorded by hand).
  -- (References camera_finding, made below: the key is added after it.)
  finding_id BIGINT,
  CHECK ((clip_from_ms IS NULL) = (clip_to_ms IS NULL)),
  CHECK (clip_from_ms IS NULL OR clip_from_ms < clip_to_ms)
);
CREATE INDEX observation_by_time ON observation (observed_at);

-- Reminder slips (提示单): one per department and week with findings, numbered 〔YYYY〕第N号 per year and
-- hall. Never deleted: a cancelled slip (作废) keeps its number.
CREATE TABLE slip (
  id BIGSERIAL PRIMARY KEY,
  hall_code TEXT NOT NULL REFERENCES hall (code),
  year BIGINT NOT NULL,
  number BIGINT NOT NULL CHECK (number > 0),
  department_id BIGINT NOT NULL REFERENCES department (id),
  -- The Monday of the week, YYYY-MM-DD.
  week_monday TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  issued_by TEXT NOT NULL,
  reply_due TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'received', 'cancelled')),
  cancel_reason TEXT,
  receipt_by TEXT,
  receipt_at BIGINT,
  UNIQUE (hall_code, year, number),
  CHECK (status <> 'cancelled' OR length(trim(cancel_reason)) > 0),
  CHECK (status <> 'received' OR receipt_at IS NOT NULL)
);
CREATE UNIQUE INDEX slip_live_per_week ON slip (hall_code, department_id, week_monday) WHERE status <> 'cancelled';
CREATE TRIGGER slip_never_deleted BEFORE DELETE ON slip
  FOR EACH ROW EXECUTE PROCEDURE jiancha_refuse_because('slips are never deleted: cancel one (作废) and it keeps its number');

-- The findings printed on a slip, as issued.
CREATE TABLE slip_finding (
  slip_id BIGINT NOT NULL REFERENCES slip (id),
  observation_id BIGINT NOT NULL REFERENCES observation (id),
  PRIMARY KEY (slip_id, observation_id)
);

-- Violations (Art 11–12) against staff or a department, and the decisions applying the measures of
-- Art 13 (comma-separated identifiers; `warning` = 诫勉谈话 or 通报批评 among them, for Art 12(6)).
CREATE TABLE violation (
  id BIGSERIAL PRIMARY KEY,
  item TEXT NOT NULL CHECK (item IN ('11(1)', '11(2)', '11(3)', '11(4)', '11(5)', '11(6)', '11(7)', '11(8)', '11(9)', '11(10)', '12(1)', '12(2)', '12(3)', '12(4)', '12(5)', '12(6)')),
  subject TEXT NOT NULL CHECK (subject IN ('staff', 'department')),
  staff_id BIGINT REFERENCES staff (id),
  department_id BIGINT NOT NULL REFERENCES department (id),
  source TEXT NOT NULL CHECK (source IN ('rule', 'video', 'complaint')),
  occurred_at BIGINT NOT NULL,
  description TEXT NOT NULL CHECK (length(trim(description)) > 0),
  case_no TEXT,
  alert_id BIGINT REFERENCES alert (id),
  observation_id BIGINT REFERENCES observation (id),
  complaint_id BIGINT REFERENCES complaint (id),
  evidence_id BIGINT REFERENCES evidence (id),
  recorded_by TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  CHECK ((subject = 'staff') = (staff_id IS NOT NULL))
);
CREATE INDEX violation_by_department ON violation (department_id, occurred_at);

CREATE TABLE violation_decision (
  id BIGSERIAL PRIMARY KEY,
  violation_id BIGINT NOT NULL REFERENCES violation (id),
  measures TEXT NOT NULL CHECK (length(measures) > 0),
  warning BIGINT NOT NULL CHECK (warning IN (0, 1)),
  decided_at BIGINT NOT NULL,
  decided_by TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX violation_decision_by_violation ON violation_decision (violation_id);

-- ---------------------------------------------------------------------------------------------------
-- The server (`jiancha serve`): answers to calls sent with an idempotency key, so that a console's
-- outbox replayed after a lost connection does each write exactly once. Kept 30 days. A key is its
-- user's: rebuilt in version 11 so that one user's key never finds another's answer.
CREATE TABLE idempotency (
  username TEXT NOT NULL,
  key TEXT NOT NULL CHECK (length(key) BETWEEN 16 AND 100),
  method TEXT NOT NULL,
  workstation TEXT NOT NULL,
  status BIGINT NOT NULL,
  answer TEXT NOT NULL,
  at BIGINT NOT NULL,
  -- A keyed digest (HMAC-SHA256, key derived from camera.key; since version 17) of the call's
  -- arguments: a key used again for another request is refused. Only writes are remembered.
  request_sha256 TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (username, key)
);
-- Old answers are forgotten by age on every keyed call: an indexed range, not a scan.
CREATE INDEX idempotency_by_at ON idempotency (at);

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
CREATE INDEX case_file_by_accepted_month ON case_file (accepted_at, item_code, completed_at);
CREATE INDEX alert_by_since ON alert (since);

-- A month's assessment as a chief published it: frozen (the JSON as computed then, with its SHA-256),
-- so that later data never changes what was published; a recomputation is a new version with its
-- reason. Never changed, never deleted.
CREATE TABLE assessment_publication (
  id BIGSERIAL PRIMARY KEY,
  month TEXT NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
  version BIGINT NOT NULL CHECK (version >= 1),
  published_at BIGINT NOT NULL,
  published_by TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  assessment TEXT NOT NULL CHECK (json_typeof(assessment::json) IS NOT NULL),
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  CHECK (version = 1 OR length(trim(reason)) > 0),
  UNIQUE (month, version)
);
CREATE TRIGGER assessment_publication_frozen BEFORE UPDATE ON assessment_publication
  FOR EACH ROW EXECUTE PROCEDURE jiancha_refuse_because('a published assessment is frozen: publish a new version with its reason');
CREATE TRIGGER assessment_publication_kept BEFORE DELETE ON assessment_publication
  FOR EACH ROW EXECUTE PROCEDURE jiancha_refuse_because('published assessments are never deleted');

-- Supervision recommendations (监察建议书), numbered 〔YYYY〕监建第N号 per hall and year; never deleted, so
-- a number is never used twice. The department signs for it and replies by reply_due.
CREATE TABLE recommendation (
  id BIGSERIAL PRIMARY KEY,
  hall_code TEXT NOT NULL REFERENCES hall (code),
  year BIGINT NOT NULL,
  number BIGINT NOT NULL CHECK (number > 0),
  department_id BIGINT NOT NULL REFERENCES department (id),
  month TEXT CHECK (month IS NULL OR month ~ '^[0-9]{4}-[0-9]{2}$'),
  facts TEXT NOT NULL CHECK (length(trim(facts)) > 0),
  recommendation TEXT NOT NULL CHECK (length(trim(recommendation)) > 0),
  issued_at BIGINT NOT NULL,
  issued_by TEXT NOT NULL,
  reply_due TEXT NOT NULL CHECK (reply_due ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  receipt_by TEXT,
  receipt_at BIGINT,
  reply_text TEXT,
  reply_at BIGINT,
  reply_recorded_by TEXT,
  CHECK ((receipt_at IS NULL) = (receipt_by IS NULL)),
  CHECK ((reply_at IS NULL) = (reply_text IS NULL) AND (reply_at IS NULL) = (reply_recorded_by IS NULL)),
  UNIQUE (hall_code, year, number)
);
CREATE TRIGGER recommendation_never_deleted BEFORE DELETE ON recommendation
  FOR EACH ROW EXECUTE PROCEDURE jiancha_refuse_because('supervision recommendations are never deleted: their numbers are never reused');

-- ---------------------------------------------------------------------------------------------------
-- Version 15: each camera's signal as the recorder last reported it, and the alarms raised when a
-- camera stays lost during opening hours.

-- One row per camera: online or lost, since when (the last change), and when it was last reported.
CREATE TABLE camera_link (
  camera_id BIGINT PRIMARY KEY REFERENCES camera (id),
  online BIGINT NOT NULL CHECK (online IN (0, 1)),
  since BIGINT NOT NULL,
  reported_at BIGINT NOT NULL,
  reason TEXT NOT NULL DEFAULT ''
);

-- A camera alarm: raised once the camera has been lost for longer than the rules allow, resolved when
-- its picture returns. Kept (the history of a camera's outages).
CREATE TABLE camera_alert (
  id BIGSERIAL PRIMARY KEY,
  camera_id BIGINT NOT NULL REFERENCES camera (id),
  rule TEXT NOT NULL CHECK (rule IN ('camera_offline')),
  level TEXT NOT NULL CHECK (level IN ('yellow', 'orange', 'red')),
  -- When the camera was lost; when the alarm was raised; when the picture came back.
  since BIGINT NOT NULL,
  raised_at BIGINT NOT NULL,
  resolved_at BIGINT,
  explanation TEXT NOT NULL,
  CHECK (resolved_at IS NULL OR resolved_at >= since)
);
CREATE UNIQUE INDEX camera_alert_open ON camera_alert (camera_id, rule) WHERE resolved_at IS NULL;
CREATE INDEX camera_alert_by_since ON camera_alert (since);

-- A register line that covers several cameras of one request (a copy of four cameras in one go, or
-- four cameras played side by side): its cameras after the first (which is footage_access.camera_id).
CREATE TABLE footage_access_camera (
  access_id BIGINT NOT NULL REFERENCES footage_access (id),
  camera_id BIGINT NOT NULL REFERENCES camera (id),
  PRIMARY KEY (access_id, camera_id)
);

-- ---------------------------------------------------------------------------------------------------
-- Version 16: what the camera watchers need (the reference view, the seat region), the snapshots
-- they take, their findings for a supervisor to confirm or dismiss, and the observation a confirmed
-- finding became.

-- Per camera, set by an administrator: the view it should keep (设为基准画面, a PNG and its SHA-256)
-- and the staff seat region as fractions of the picture.
CREATE TABLE camera_watch (
  camera_id BIGINT PRIMARY KEY REFERENCES camera (id),
  reference_png BYTEA,
  reference_sha256 TEXT CHECK (reference_sha256 IS NULL OR length(reference_sha256) = 64),
  reference_set_by TEXT,
  reference_set_at BIGINT,
  seat_x DOUBLE PRECISION,
  seat_y DOUBLE PRECISION,
  seat_w DOUBLE PRECISION,
  seat_h DOUBLE PRECISION,
  CHECK ((reference_png IS NULL) = (reference_sha256 IS NULL)),
  CHECK ((seat_x IS NULL) = (seat_y IS NULL) AND (seat_y IS NULL) = (seat_w IS NULL) AND (seat_w IS NULL) = (seat_h IS NULL))
);

-- A snapshot a watcher took (PNG in the database, so every workstation sees the same evidence).
CREATE TABLE watch_snapshot (
  id BIGSERIAL PRIMARY KEY,
  camera_id BIGINT NOT NULL REFERENCES camera (id),
  taken_at BIGINT NOT NULL,
  png BYTEA NOT NULL,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  width BIGINT NOT NULL CHECK (width > 0),
  height BIGINT NOT NULL CHECK (height > 0)
);

-- A finding: camera_tampered (blocked, moved) or seat_empty (a 离岗 candidate). Open until the
-- picture returns (resolved_at); decided once by a supervisor (confirmed → an observation, or
-- dismissed with a reason). Kept.
CREATE TABLE camera_finding (
  id BIGSERIAL PRIMARY KEY,
  camera_id BIGINT NOT NULL REFERENCES camera (id),
  kind TEXT NOT NULL CHECK (kind IN ('blocked', 'moved', 'absent')),
  rule TEXT NOT NULL CHECK (rule = CASE kind WHEN 'absent' THEN 'seat_empty' ELSE 'camera_tampered' END),
  since BIGINT NOT NULL,
  raised_at BIGINT NOT NULL,
  resolved_at BIGINT,
  -- Tamper: the last normal picture and the picture when raised. Absence: when the seat emptied, and
  -- when the person came back.
  first_snapshot_id BIGINT REFERENCES watch_snapshot (id),
  second_snapshot_id BIGINT REFERENCES watch_snapshot (id),
  reported_by TEXT NOT NULL,
  -- The window's staff on duty, and their approved leave or 公出 at the time, if any.
  staff_id BIGINT REFERENCES staff (id),
  staff_note TEXT NOT NULL DEFAULT '',
  decision TEXT CHECK (decision IN ('confirmed', 'dismissed')),
  decided_by TEXT,
  decided_at BIGINT,
  reason TEXT NOT NULL DEFAULT '',
  observation_id BIGINT REFERENCES observation (id),
  CHECK (resolved_at IS NULL OR resolved_at >= since),
  CHECK ((decision IS NULL) = (decided_at IS NULL)),
  CHECK (decision IS DISTINCT FROM 'dismissed' OR length(reason) > 0),
  CHECK ((decision IS NOT DISTINCT FROM 'confirmed') = (observation_id IS NOT NULL))
);
-- Deferrable: a hall's copy (`jiancha migrate`) loads observations before the findings they cite.
ALTER TABLE observation ADD FOREIGN KEY (finding_id) REFERENCES camera_finding (id) DEFERRABLE;
CREATE UNIQUE INDEX camera_finding_open ON camera_finding (camera_id, kind) WHERE resolved_at IS NULL;
CREATE INDEX camera_finding_by_since ON camera_finding (since);

-- ---------------------------------------------------------------------------------------------------
-- Version 17: dual authorisation of what would let one person act as two. Creating or promoting a
-- chief or an administrator, and resetting a chief's or an administrator's password, are requests that
-- take effect only when a second person confirms (another administrator, or an active chief; never the
-- requester, never the account concerned). The local system actor acts at once.
CREATE TABLE account_change (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('create', 'role', 'reset')),
  username TEXT NOT NULL CHECK (length(username) BETWEEN 1 AND 64 AND username !~ '[^a-z0-9._-]'),
  -- create: the new account's name and role; role: the role asked for.
  display_name TEXT,
  role TEXT CHECK (role IS NULL OR role IN ('supervisor', 'chief', 'auditor', 'admin')),
  -- create and reset: the Argon2id hash of the password that takes effect on confirmation.
  password_hash TEXT CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%'),
  requested_by TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  decided_by TEXT,
  decided_at BIGINT,
  outcome TEXT CHECK (outcome IS NULL OR outcome IN ('confirmed', 'refused', 'withdrawn')),
  -- Why it was refused (required then).
  note TEXT NOT NULL DEFAULT '',
  CHECK ((outcome IS NULL) = (decided_at IS NULL)),
  CHECK (outcome IS DISTINCT FROM 'refused' OR length(note) > 0),
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
  id BIGSERIAL PRIMARY KEY,
  -- The forwarding hall's code(s), as it names itself.
  source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  seq BIGINT NOT NULL CHECK (seq >= 1),
  mac TEXT NOT NULL CHECK (length(mac) = 64),
  received_at BIGINT NOT NULL,
  received_by TEXT NOT NULL
);
CREATE INDEX audit_anchor_received_by_source ON audit_anchor_received (source, id);

-- A year's holidays and make-up working days entered by an administrator (系统管理 → 工作日历, `jiancha
-- calendar set`) from the State Council's notice: it takes the place of the built-in data for that year.
-- `days` is a JSON array of {name, date, off}. Entering a year again replaces it (audited each time).
CREATE TABLE calendar_year (
  year BIGINT PRIMARY KEY CHECK (year BETWEEN 1990 AND 2100),
  notice TEXT NOT NULL,
  days TEXT NOT NULL CHECK (json_typeof(days::json) = 'array'),
  entered_by TEXT NOT NULL,
  entered_at BIGINT NOT NULL
);

-- The alerts' own change counter (version 3): every alert inserted or changed, and every notice issued
-- on one, takes the next number, so that a console asks only for what changed since the number it holds
-- (`alerts_changed`). A row counter rather than a sequence: writers queue on the audit head, so the
-- numbers are taken in commit order, and a reader's snapshot holds every number up to the one it shows.
CREATE TABLE alert_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  rev BIGINT NOT NULL CHECK (rev >= 0)
);
INSERT INTO alert_revision (id, rev) VALUES (1, 0);
CREATE INDEX alert_by_rev ON alert (rev);
CREATE FUNCTION jiancha_alert_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND NEW.rev > 0 THEN
    -- A hall moved from SQLite (`jiancha migrate`) keeps its alerts' revisions; the program's own
    -- inserts never give one.
    RETURN NEW;
  END IF;
  UPDATE alert_revision SET rev = rev + 1 WHERE id = 1 RETURNING rev INTO NEW.rev;
  RETURN NEW;
END
$$;
CREATE TRIGGER alert_rev BEFORE INSERT OR UPDATE ON alert
  FOR EACH ROW EXECUTE PROCEDURE jiancha_alert_rev();
CREATE FUNCTION jiancha_notice_alert_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.alert_id IS NOT NULL THEN
    UPDATE alert SET rev = rev WHERE id = NEW.alert_id;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER alert_rev_notice AFTER INSERT ON notice
  FOR EACH ROW EXECUTE PROCEDURE jiancha_notice_alert_rev();

-- The halls an account belongs to (version 4; Art 4, 统一领导、分级管理): none — the whole city, every
-- hall; one or more — those halls only. Every call keeps to it (domain/access.rs `Scope`).
CREATE TABLE user_hall (
  user_id BIGINT NOT NULL REFERENCES "user" (id),
  hall_code TEXT NOT NULL REFERENCES hall (code),
  PRIMARY KEY (user_id, hall_code)
);
-- The halls of an account a pending `account_change` (create) makes, given to it on confirmation.
CREATE TABLE account_change_hall (
  change_id BIGINT NOT NULL REFERENCES account_change (id),
  hall_code TEXT NOT NULL REFERENCES hall (code),
  PRIMARY KEY (change_id, hall_code)
);

-- The hall an audit record concerns (version 5): the hall a write touched, else its actor's one hall;
-- NULL for the city's own records and every record before. Part of the hash when set (domain/audit.rs).
-- A county auditor reads its halls' records; a city-wide one reads all.
ALTER TABLE audit_log ADD COLUMN hall_code TEXT;
CREATE INDEX audit_log_by_hall ON audit_log (hall_code, seq);

-- Where footage is kept (version 6; Art 5(5)): with several servers on one database each recorder
-- keeps its segments on its own disks; `holder` names the server that holds a segment's file (NULL: the
-- server of a single hall, which holds every file itself). A server serves its own segments and fetches
-- another's from it, server to server; `footage_holder` is where each holding server answers (its
-- `peer_url`), written by the server itself when it starts.
ALTER TABLE segment ADD COLUMN holder TEXT CHECK (holder IS NULL OR length(holder) BETWEEN 1 AND 32);
CREATE TABLE footage_holder (
  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 32),
  url TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 200),
  seen_at BIGINT NOT NULL
);
-- Notifications (as SQLite's version 24; issue 33, Art 6(1)–(2)): the hall's notification settings once an
-- administrator saved them (else rules.toml's [notify]), each channel's setup with its secrets sealed
-- under camera.key, and the outbox: one row per event × person × channel — never two (the unique key),
-- whichever server found the event first — with its state, attempts, the gateway's last answer, and the
-- code with which the person confirms having read it (已阅).
CREATE TABLE notify_setting (
  id BIGINT PRIMARY KEY CHECK (id = 1),
  settings TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE notify_channel (
  channel TEXT PRIMARY KEY CHECK (channel IN ('email', 'wecom', 'dingtalk', 'sms')),
  setup TEXT NOT NULL,
  secrets_sealed BYTEA,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE notify_message (
  id BIGSERIAL PRIMARY KEY,
  event_key TEXT NOT NULL,
  event TEXT NOT NULL,
  hall_code TEXT,
  person TEXT NOT NULL,
  person_key TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'wecom', 'dingtalk', 'sms')),
  address TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'held', 'digested', 'delivered', 'failed')),
  attempts BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_try_at BIGINT NOT NULL,
  claimed_by TEXT,
  claimed_until BIGINT,
  answer TEXT NOT NULL DEFAULT '',
  delivered_at BIGINT,
  -- The digest a held message went out in (a later row of this table).
  digest_id BIGINT,
  read_code TEXT NOT NULL UNIQUE,
  read_at BIGINT,
  UNIQUE (event_key, person_key, channel)
);
CREATE INDEX notify_message_due ON notify_message (next_try_at) WHERE state = 'pending';
CREATE INDEX notify_message_by_time ON notify_message (created_at);
CREATE INDEX notify_message_by_person ON notify_message (person_key, channel, created_at);

-- Upgrade step 2 → 3: alerts, supervision notices, daily checks.

-- The staff member who accepted the case, and when the alert engine must look at it again.
ALTER TABLE case_file ADD COLUMN staff_id INTEGER REFERENCES staff (id);
ALTER TABLE case_file ADD COLUMN next_check_at INTEGER;
-- Every existing case is evaluated on the first refresh.
UPDATE case_file SET next_check_at = 0;
CREATE INDEX case_file_by_next_check ON case_file (next_check_at) WHERE next_check_at IS NOT NULL;

-- Alerts derived by the engine (domain/alerts.rs) from a case's events, evaluations and notices. Rows
-- are never deleted: an alert whose condition no longer holds gets resolved_at; a violation alert stays
-- until a supervisor closes it with a reason.
CREATE TABLE alert (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES case_file (id),
  rule TEXT NOT NULL CHECK (rule IN ('deadline_prompt', 'overdue', 'overdue_serious', 'completed_late', 'step_overdue',
    'repeated_supplement', 'missing_document', 'fee_mismatch', 'late_entry', 'extra_step', 'out_of_order',
    'not_evaluated', 'notice_unanswered')),
  -- Tells apart several alerts of one rule on one case ('review@1790000000'); '' when there is one.
  alert_key TEXT NOT NULL DEFAULT '',
  level TEXT NOT NULL CHECK (level IN ('yellow', 'orange', 'red')),
  since INTEGER NOT NULL,
  resolved_at INTEGER,
  explanation TEXT NOT NULL,
  closed_at INTEGER,
  closed_by TEXT,
  close_reason TEXT CHECK (close_reason IS NULL OR length(trim(close_reason)) > 0),
  CHECK ((closed_at IS NULL) = (closed_by IS NULL) AND (closed_at IS NULL) = (close_reason IS NULL)),
  UNIQUE (case_id, rule, alert_key)
);
CREATE INDEX alert_open ON alert (since) WHERE resolved_at IS NULL AND closed_at IS NULL;
CREATE INDEX evaluation_by_case ON evaluation (case_no) WHERE case_no <> '';

-- Supervision notices (督办通知单), numbered per year: 〔2026〕督第12号.
CREATE TABLE notice (
  id INTEGER PRIMARY KEY,
  notice_no TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  alert_id INTEGER REFERENCES alert (id),
  case_id INTEGER NOT NULL REFERENCES case_file (id),
  department_id INTEGER REFERENCES department (id),
  text TEXT NOT NULL CHECK (length(trim(text)) > 0),
  issued_at INTEGER NOT NULL,
  issued_by TEXT NOT NULL,
  -- Local date by which the department must reply.
  due_date TEXT NOT NULL CHECK (due_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  reply_text TEXT,
  reply_at INTEGER,
  reply_recorded_by TEXT,
  CHECK ((reply_at IS NULL) = (reply_text IS NULL) AND (reply_at IS NULL) = (reply_recorded_by IS NULL)),
  UNIQUE (year, seq)
);
CREATE INDEX notice_by_case ON notice (case_id);
CREATE INDEX notice_by_alert ON notice (alert_id);

-- The daily data check (每日数据检查, Art 8(2)1): who checked which day, when, and the saved report.
CREATE TABLE daily_check (
  id INTEGER PRIMARY KEY,
  day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  checked_at INTEGER NOT NULL,
  checked_by TEXT NOT NULL,
  report_path TEXT NOT NULL,
  report_sha256 TEXT NOT NULL CHECK (length(report_sha256) = 64),
  open_alerts INTEGER NOT NULL CHECK (open_alerts >= 0),
  new_alerts INTEGER NOT NULL CHECK (new_alerts >= 0),
  red INTEGER NOT NULL CHECK (red >= 0),
  orange INTEGER NOT NULL CHECK (orange >= 0),
  yellow INTEGER NOT NULL CHECK (yellow >= 0)
);
CREATE INDEX daily_check_by_day ON daily_check (day);

-- Upgrade step 7 → 8: discipline observations, reminder slips (提示单), the complaint workflow,
-- violations and accountability decisions.

-- Discipline observations (Art 8(2)2): what a supervisor saw on the wall, in playback or in the hall.
-- Times are UTC seconds; a clip range is UTC milliseconds.
CREATE TABLE observation (
  id INTEGER PRIMARY KEY,
  observed_at INTEGER NOT NULL,
  category TEXT NOT NULL CHECK (category IN ('离岗', '串岗', '玩手机/做与工作无关的事', '吃东西', '着装不规范/未佩戴工牌', '服务态度生硬', '遮挡摄像头/规避监察', '他人顶岗', '大声喧哗', '其他')),
  source TEXT NOT NULL CHECK (source IN ('wall', 'playback', 'manual')),
  hall_code TEXT NOT NULL REFERENCES hall (code),
  camera_id INTEGER REFERENCES camera (id),
  window_id INTEGER REFERENCES service_window (id),
  department_id INTEGER NOT NULL REFERENCES department (id),
  staff_id INTEGER REFERENCES staff (id),
  evidence_id INTEGER REFERENCES evidence (id),
  clip_from_ms INTEGER,
  clip_to_ms INTEGER,
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  CHECK ((clip_from_ms IS NULL) = (clip_to_ms IS NULL)),
  CHECK (clip_from_ms IS NULL OR clip_from_ms < clip_to_ms)
);
CREATE INDEX observation_by_time ON observation (observed_at);

-- Reminder slips (提示单): one per department and week with findings, numbered 〔YYYY〕第N号 per year and
-- hall. Never deleted: a cancelled slip (作废) keeps its number.
CREATE TABLE slip (
  id INTEGER PRIMARY KEY,
  hall_code TEXT NOT NULL REFERENCES hall (code),
  year INTEGER NOT NULL,
  number INTEGER NOT NULL CHECK (number > 0),
  department_id INTEGER NOT NULL REFERENCES department (id),
  -- The Monday of the week, YYYY-MM-DD.
  week_monday TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  issued_by TEXT NOT NULL,
  reply_due TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'received', 'cancelled')),
  cancel_reason TEXT,
  receipt_by TEXT,
  receipt_at INTEGER,
  UNIQUE (hall_code, year, number),
  CHECK (status <> 'cancelled' OR length(trim(cancel_reason)) > 0),
  CHECK (status <> 'received' OR receipt_at IS NOT NULL)
);
CREATE UNIQUE INDEX slip_live_per_week ON slip (hall_code, department_id, week_monday) WHERE status <> 'cancelled';
CREATE TRIGGER slip_never_deleted BEFORE DELETE ON slip
BEGIN
  SELECT RAISE(ABORT, 'slips are never deleted: cancel one (作废) and it keeps its number');
END;

-- The findings printed on a slip, as issued.
CREATE TABLE slip_finding (
  slip_id INTEGER NOT NULL REFERENCES slip (id),
  observation_id INTEGER NOT NULL REFERENCES observation (id),
  PRIMARY KEY (slip_id, observation_id)
);

-- Violations (Art 11–12) against staff or a department, and the decisions applying the measures of
-- Art 13 (comma-separated identifiers; `warning` = 诫勉谈话 or 通报批评 among them, for Art 12(6)).
CREATE TABLE violation (
  id INTEGER PRIMARY KEY,
  item TEXT NOT NULL CHECK (item IN ('11(1)', '11(2)', '11(3)', '11(4)', '11(5)', '11(6)', '11(7)', '11(8)', '11(9)', '11(10)', '12(1)', '12(2)', '12(3)', '12(4)', '12(5)', '12(6)')),
  subject TEXT NOT NULL CHECK (subject IN ('staff', 'department')),
  staff_id INTEGER REFERENCES staff (id),
  department_id INTEGER NOT NULL REFERENCES department (id),
  source TEXT NOT NULL CHECK (source IN ('rule', 'video', 'complaint')),
  occurred_at INTEGER NOT NULL,
  description TEXT NOT NULL CHECK (length(trim(description)) > 0),
  case_no TEXT,
  alert_id INTEGER REFERENCES alert (id),
  observation_id INTEGER REFERENCES observation (id),
  complaint_id INTEGER REFERENCES complaint (id),
  evidence_id INTEGER REFERENCES evidence (id),
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  CHECK ((subject = 'staff') = (staff_id IS NOT NULL))
);
CREATE INDEX violation_by_department ON violation (department_id, occurred_at);

CREATE TABLE violation_decision (
  id INTEGER PRIMARY KEY,
  violation_id INTEGER NOT NULL REFERENCES violation (id),
  measures TEXT NOT NULL CHECK (length(measures) > 0),
  warning INTEGER NOT NULL CHECK (warning IN (0, 1)),
  decided_at INTEGER NOT NULL,
  decided_by TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX violation_decision_by_violation ON violation_decision (violation_id);

-- The complaint workflow needs new states: the table is rebuilt (SQLite cannot change a CHECK).
CREATE TABLE complaint_v8 (
  id INTEGER PRIMARY KEY,
  complaint_no TEXT NOT NULL UNIQUE,
  received_at INTEGER NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('online', 'phone', 'in_person')),
  complainant TEXT NOT NULL,
  -- Visible only to chiefs and administrators.
  contact TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL CHECK (length(content) > 0),
  case_no TEXT,
  hall_code TEXT REFERENCES hall (code),
  window_id INTEGER REFERENCES service_window (id),
  staff_id INTEGER REFERENCES staff (id),
  status TEXT NOT NULL DEFAULT 'registered'
    CHECK (status IN ('registered', 'accepted', 'declined', 'investigating', 'concluded')),
  created_by TEXT NOT NULL,
  department_id INTEGER REFERENCES department (id),
  -- Accepted or declined: when, by whom, why (a decline needs a reason).
  decided_at INTEGER,
  decided_by TEXT,
  decision_note TEXT,
  investigating_at INTEGER,
  concluded_at INTEGER,
  concluded_by TEXT,
  conclusion TEXT,
  -- The reply to the complainant.
  reply TEXT,
  CHECK (status = 'registered' OR decided_at IS NOT NULL),
  CHECK (status <> 'declined' OR length(trim(decision_note)) > 0),
  CHECK (status <> 'concluded' OR (length(trim(conclusion)) > 0 AND length(trim(reply)) > 0))
);
INSERT INTO complaint_v8 (id, complaint_no, received_at, channel, complainant, contact, content, case_no, hall_code,
  window_id, staff_id, status, created_by, department_id, decided_at, decided_by, decision_note, investigating_at,
  concluded_at, concluded_by, conclusion, reply)
SELECT c.id, c.complaint_no, c.received_at, c.channel, c.complainant, c.contact, c.content, c.case_no, c.hall_code,
  c.window_id, c.staff_id,
  CASE c.status WHEN 'resolved' THEN 'concluded' WHEN 'rejected' THEN 'declined' ELSE c.status END,
  c.created_by,
  coalesce((SELECT department_id FROM staff WHERE id = c.staff_id), (SELECT department_id FROM service_window WHERE id = c.window_id)),
  CASE WHEN c.status = 'registered' THEN NULL ELSE c.received_at END,
  CASE WHEN c.status = 'registered' THEN NULL ELSE c.created_by END,
  CASE WHEN c.status = 'rejected' THEN '（升级前已不予受理）' ELSE NULL END,
  CASE WHEN c.status IN ('investigating', 'resolved') THEN c.received_at ELSE NULL END,
  CASE WHEN c.status = 'resolved' THEN c.received_at ELSE NULL END,
  CASE WHEN c.status = 'resolved' THEN c.created_by ELSE NULL END,
  CASE WHEN c.status = 'resolved' THEN '（升级前已办结）' ELSE NULL END,
  CASE WHEN c.status = 'resolved' THEN '（升级前已答复）' ELSE NULL END
FROM complaint c;
DROP TABLE complaint;
ALTER TABLE complaint_v8 RENAME TO complaint;

-- Observations kept on the wall before this version (记录违纪 snapshots) become observations.
INSERT INTO observation (observed_at, category, source, hall_code, camera_id, window_id, department_id, staff_id,
  evidence_id, recorded_by, recorded_at, note)
SELECT e.taken_at, CASE WHEN e.category IN ('离岗', '串岗', '玩手机/做与工作无关的事', '吃东西', '着装不规范/未佩戴工牌', '服务态度生硬', '遮挡摄像头/规避监察', '他人顶岗', '大声喧哗', '其他') THEN e.category ELSE '其他' END, 'wall', w.hall_code,
  e.camera_id, w.id, coalesce(s.department_id, w.department_id), s.id, e.id, e.taken_by, e.taken_at, e.note
FROM evidence e JOIN camera c ON c.id = e.camera_id
  JOIN service_window w ON w.id = coalesce(c.window_id, (SELECT id FROM service_window WHERE code = e.window_code))
  LEFT JOIN staff s ON s.staff_no = e.staff_no
WHERE e.for_discipline = 1 AND coalesce(s.department_id, w.department_id) IS NOT NULL;

-- Upgrade step 1 → 2: cameras, complaints and the import log.

CREATE TABLE camera (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) > 0),
  hall_code TEXT NOT NULL REFERENCES hall (code),
  -- The window the camera watches.
  window_id INTEGER REFERENCES service_window (id),
  -- Stream URLs; they may carry credentials, which are never shown or logged.
  main_url TEXT NOT NULL CHECK (length(main_url) > 0),
  sub_url TEXT,
  UNIQUE (hall_code, name)
);

-- Complaints from applicants (Art 5(6), 8(3)), online, by phone or in person.
CREATE TABLE complaint (
  id INTEGER PRIMARY KEY,
  complaint_no TEXT NOT NULL UNIQUE,
  received_at INTEGER NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('online', 'phone', 'in_person')),
  complainant TEXT NOT NULL,
  contact TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL CHECK (length(content) > 0),
  case_no TEXT,
  hall_code TEXT REFERENCES hall (code),
  window_id INTEGER REFERENCES service_window (id),
  staff_id INTEGER REFERENCES staff (id),
  status TEXT NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'investigating', 'resolved', 'rejected')),
  created_by TEXT NOT NULL
);

-- Each import that changed something: when, by whom, what.
CREATE TABLE import_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('items', 'events', 'staff', 'punches', 'leave', 'evaluations')),
  source TEXT NOT NULL,
  records INTEGER NOT NULL CHECK (records >= 0),
  inserted INTEGER NOT NULL CHECK (inserted >= 0),
  updated INTEGER NOT NULL CHECK (updated >= 0)
);

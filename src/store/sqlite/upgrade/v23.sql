-- Upgrade step 22 → 23: departments and staff belong to a hall (Art 4, 分级管理). A county's 市场监管局
-- is not the city's, and a staff number is the hall's own: both were unique across the database.
-- A department goes to the hall of most of its windows (the home hall when it has none); a staff member
-- to the hall of its window, else its department's. A database with departments or staff and no hall
-- yet (imports before a hall file) gets the hall MAIN, which the administrator renames in 系统管理.
-- Run with foreign keys off and checked before the commit (migrate.rs): the tables are rebuilt, since
-- SQLite cannot drop a UNIQUE constraint.

INSERT INTO hall (code, name) SELECT 'MAIN', '本大厅'
  WHERE NOT EXISTS (SELECT 1 FROM hall) AND (EXISTS (SELECT 1 FROM department) OR EXISTS (SELECT 1 FROM staff));

CREATE TABLE department_v23 (
  id INTEGER PRIMARY KEY,
  -- The hall whose department this is (version 23): its hall file and administrator configure it.
  hall_code TEXT NOT NULL REFERENCES hall (code),
  name TEXT NOT NULL CHECK (length(name) > 0),
  -- Short name for tiles and tables (市场监管); empty = use the name.
  short_name TEXT NOT NULL DEFAULT '',
  head TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  -- Departments, windows and cameras are never deleted: a retired one leaves the wall, the pickers
  -- and the recorder while old records keep showing it by name; bringing it back clears this.
  retired_at INTEGER,
  UNIQUE (hall_code, name)
);
INSERT INTO department_v23 (id, hall_code, name, short_name, head, phone, retired_at)
SELECT d.id,
  coalesce(
    (SELECT w.hall_code FROM service_window w WHERE w.department_id = d.id
     GROUP BY w.hall_code ORDER BY count(*) DESC, w.hall_code LIMIT 1),
    (SELECT code FROM hall ORDER BY level <> 'city', code LIMIT 1)),
  d.name, d.short_name, d.head, d.phone, d.retired_at
FROM department d;
DROP TABLE department;
ALTER TABLE department_v23 RENAME TO department;

CREATE TABLE staff_v23 (
  id INTEGER PRIMARY KEY,
  -- The hall whose staff member this is (version 23): staff numbers are the hall's own.
  hall_code TEXT NOT NULL REFERENCES hall (code),
  staff_no TEXT NOT NULL CHECK (length(staff_no) > 0),
  name TEXT NOT NULL,
  department_id INTEGER REFERENCES department (id),
  -- The window the person normally works at.
  window_id INTEGER REFERENCES service_window (id),
  -- The user number on the fingerprint machine, when it differs from staff_no.
  device_user_id TEXT,
  UNIQUE (hall_code, staff_no),
  UNIQUE (hall_code, device_user_id)
);
INSERT INTO staff_v23 (id, hall_code, staff_no, name, department_id, window_id, device_user_id)
SELECT s.id,
  coalesce(
    (SELECT hall_code FROM service_window WHERE id = s.window_id),
    (SELECT hall_code FROM department WHERE id = s.department_id),
    (SELECT code FROM hall ORDER BY level <> 'city', code LIMIT 1)),
  s.staff_no, s.name, s.department_id, s.window_id, s.device_user_id
FROM staff s;
DROP TABLE staff;
ALTER TABLE staff_v23 RENAME TO staff;

-- Upgrade step 6 → 7: departments and staff belong to a hall (as SQLite's version 23). A county's
-- 市场监管局 is not the city's, and a staff number is the hall's own: both were unique across the
-- database. A department goes to the hall of most of its windows (the home hall when it has none); a
-- staff member to the hall of its window, else its department's. A database with departments or staff
-- and no hall yet gets the hall MAIN, which the administrator renames in 系统管理.

INSERT INTO hall (code, name) SELECT 'MAIN', '本大厅'
  WHERE NOT EXISTS (SELECT 1 FROM hall) AND (EXISTS (SELECT 1 FROM department) OR EXISTS (SELECT 1 FROM staff));

ALTER TABLE department ADD COLUMN hall_code TEXT REFERENCES hall (code);
UPDATE department d SET hall_code = coalesce(
    (SELECT w.hall_code FROM service_window w WHERE w.department_id = d.id
     GROUP BY w.hall_code ORDER BY count(*) DESC, w.hall_code LIMIT 1),
    (SELECT code FROM hall ORDER BY level <> 'city', code LIMIT 1));
ALTER TABLE department ALTER COLUMN hall_code SET NOT NULL;
ALTER TABLE department DROP CONSTRAINT department_name_key;
ALTER TABLE department ADD UNIQUE (hall_code, name);

ALTER TABLE staff ADD COLUMN hall_code TEXT REFERENCES hall (code);
UPDATE staff s SET hall_code = coalesce(
    (SELECT hall_code FROM service_window WHERE id = s.window_id),
    (SELECT hall_code FROM department WHERE id = s.department_id),
    (SELECT code FROM hall ORDER BY level <> 'city', code LIMIT 1));
ALTER TABLE staff ALTER COLUMN hall_code SET NOT NULL;
ALTER TABLE staff DROP CONSTRAINT staff_staff_no_key;
ALTER TABLE staff DROP CONSTRAINT staff_device_user_id_key;
ALTER TABLE staff ADD UNIQUE (hall_code, staff_no);
ALTER TABLE staff ADD UNIQUE (hall_code, device_user_id);

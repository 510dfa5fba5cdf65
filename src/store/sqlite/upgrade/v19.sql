-- Upgrade step 18 → 19: the alerts' revision, for consoles that follow changes instead of reloading.
ALTER TABLE alert ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
-- The alerts kept so far take their ids as their revision, in the order they were made.
UPDATE alert SET rev = id;
-- The alerts' own change counter (version 19): every alert inserted or changed, and every notice issued
-- on one, takes the next number, so that a console asks only for what changed since the number it holds
-- (`alerts_changed`) instead of reloading every open alert on every change of the hall.
CREATE TABLE alert_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  rev INTEGER NOT NULL CHECK (rev >= 0)
);
CREATE INDEX alert_by_rev ON alert (rev);
CREATE TRIGGER alert_rev_insert AFTER INSERT ON alert BEGIN
  UPDATE alert_revision SET rev = rev + 1 WHERE id = 1;
  UPDATE alert SET rev = (SELECT rev FROM alert_revision WHERE id = 1) WHERE id = NEW.id;
END;
-- An update that leaves rev alone takes the next number (the trigger's own update moves rev, so it stops).
CREATE TRIGGER alert_rev_update AFTER UPDATE ON alert WHEN NEW.rev = OLD.rev BEGIN
  UPDATE alert_revision SET rev = rev + 1 WHERE id = 1;
  UPDATE alert SET rev = (SELECT rev FROM alert_revision WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER alert_rev_notice AFTER INSERT ON notice WHEN NEW.alert_id IS NOT NULL BEGIN
  UPDATE alert SET rev = rev WHERE id = NEW.alert_id;
END;
INSERT INTO alert_revision (id, rev) VALUES (1, (SELECT coalesce(max(rev), 0) FROM alert));

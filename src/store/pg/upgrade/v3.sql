-- Upgrade step 2 → 3: the alerts' revision, for consoles that follow changes instead of reloading.
ALTER TABLE alert ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
-- The alerts kept so far take their ids as their revision, in the order they were made (before the
-- trigger that numbers changes exists).
UPDATE alert SET rev = id;
-- The alerts' own change counter (version 3): every alert inserted or changed, and every notice issued
-- on one, takes the next number, so that a console asks only for what changed since the number it holds
-- (`alerts_changed`). A row counter rather than a sequence: writers queue on the audit head, so the
-- numbers are taken in commit order, and a reader's snapshot holds every number up to the one it shows.
CREATE TABLE alert_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  rev BIGINT NOT NULL CHECK (rev >= 0)
);
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
INSERT INTO alert_revision (id, rev) VALUES (1, (SELECT coalesce(max(rev), 0) FROM alert));

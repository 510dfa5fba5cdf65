-- Jiancha on PostgreSQL, schema version 1: the schema's version and the audit chain. (The SQLite schema
-- is src/store/sqlite/schema.sql; the tables of the other families come in the next versions, each a
-- numbered file in upgrade/.)
--
-- Conventions, as in SQLite: instants are BIGINT (the audit log: microseconds since the Unix epoch,
-- UTC), text is TEXT, checks and foreign keys as there.

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

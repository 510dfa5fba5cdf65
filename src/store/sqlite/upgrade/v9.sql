-- Upgrade step 8 → 9: the remote backend — the workstation of sessions and audit records, and the
-- server's answers to idempotent calls.

ALTER TABLE session ADD COLUMN workstation TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN workstation TEXT NOT NULL DEFAULT '';

CREATE TABLE idempotency (
  key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 16 AND 100),
  method TEXT NOT NULL,
  workstation TEXT NOT NULL,
  status INTEGER NOT NULL,
  answer TEXT NOT NULL,
  at INTEGER NOT NULL
);
-- Old answers are forgotten by age on every keyed call: an indexed range, not a scan.
CREATE INDEX idempotency_by_at ON idempotency (at);

-- Upgrade step 10 → 11: a remembered answer belongs to the user who made the call. Answers of
-- version 10 had no owner: they are forgotten (a console's outbox simply sends its writes again, which
-- the server then runs once and remembers for their user).

CREATE TABLE idempotency_v11 (
  username TEXT NOT NULL,
  key TEXT NOT NULL CHECK (length(key) BETWEEN 16 AND 100),
  method TEXT NOT NULL,
  workstation TEXT NOT NULL,
  status INTEGER NOT NULL,
  answer TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (username, key)
);
DROP TABLE idempotency;
ALTER TABLE idempotency_v11 RENAME TO idempotency;
CREATE INDEX idempotency_by_at ON idempotency (at);

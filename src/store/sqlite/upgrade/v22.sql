-- Upgrade step 21 → 22: which server holds each footage segment.
-- Where footage is kept (version 22; Art 5(5)): with several servers on one database each recorder
-- keeps its segments on its own disks; `holder` names the server that holds a segment's file (NULL: the
-- server of a single hall, which holds every file itself). A server serves its own segments and fetches
-- another's from it, server to server; `footage_holder` is where each holding server answers (its
-- `peer_url`), written by the server itself when it starts.
ALTER TABLE segment ADD COLUMN holder TEXT CHECK (holder IS NULL OR length(holder) BETWEEN 1 AND 32);
CREATE TABLE footage_holder (
  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 32),
  url TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 200),
  seen_at INTEGER NOT NULL
);

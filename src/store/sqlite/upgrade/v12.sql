-- Upgrade step 11 → 12: failed logins lock an account for the place they come from (the client's
-- address, or this machine), not everywhere: five wrong guesses from one address no longer shut the
-- account's owner out at their own workstation. `user.locked_until` stays as what 系统管理 shows.

CREATE TABLE login_lock (
  user_id INTEGER NOT NULL REFERENCES user (id),
  source TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
  locked_until INTEGER,
  PRIMARY KEY (user_id, source)
);

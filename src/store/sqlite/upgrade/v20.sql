-- Upgrade step 19 → 20: the halls an account belongs to.
-- The halls an account belongs to (version 20; Art 4, 统一领导、分级管理): none — the whole city, every
-- hall; one or more — those halls only. Every call keeps to it (domain/access.rs `Scope`).
CREATE TABLE user_hall (
  user_id INTEGER NOT NULL REFERENCES user (id),
  hall_code TEXT NOT NULL REFERENCES hall (code),
  PRIMARY KEY (user_id, hall_code)
);
-- The halls of an account a pending `account_change` (create) makes, given to it on confirmation.
CREATE TABLE account_change_hall (
  change_id INTEGER NOT NULL REFERENCES account_change (id),
  hall_code TEXT NOT NULL REFERENCES hall (code),
  PRIMARY KEY (change_id, hall_code)
);

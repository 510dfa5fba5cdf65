-- Notifications (version 24; issue 33, Art 6(1)–(2)): the hall's notification settings once an
-- administrator saved them (else rules.toml's [notify]), each channel's setup with its secrets sealed
-- under camera.key, and the outbox: one row per event × person × channel — never two (the unique key),
-- whichever server found the event first — with its state, attempts, the gateway's last answer, and the
-- code with which the person confirms having read it (已阅).
CREATE TABLE notify_setting (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  settings TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE notify_channel (
  channel TEXT PRIMARY KEY CHECK (channel IN ('email', 'wecom', 'dingtalk', 'sms')),
  setup TEXT NOT NULL,
  secrets_sealed BLOB,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE notify_message (
  id INTEGER PRIMARY KEY,
  event_key TEXT NOT NULL,
  event TEXT NOT NULL,
  hall_code TEXT,
  person TEXT NOT NULL,
  person_key TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'wecom', 'dingtalk', 'sms')),
  address TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'held', 'digested', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_try_at INTEGER NOT NULL,
  claimed_by TEXT,
  claimed_until INTEGER,
  answer TEXT NOT NULL DEFAULT '',
  delivered_at INTEGER,
  -- The digest a held message went out in (a later row of this table).
  digest_id INTEGER,
  read_code TEXT NOT NULL UNIQUE,
  read_at INTEGER,
  UNIQUE (event_key, person_key, channel)
);
CREATE INDEX notify_message_due ON notify_message (next_try_at) WHERE state = 'pending';
CREATE INDEX notify_message_by_time ON notify_message (created_at);
CREATE INDEX notify_message_by_person ON notify_message (person_key, channel, created_at);

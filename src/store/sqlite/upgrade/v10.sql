-- Upgrade step 9 → 10: a hall commissioned by its own staff — its level; departments, windows and
-- cameras retired instead of deleted; cameras described by vendor preset with their password sealed
-- outside the URLs; and what administrators need to look after accounts.

ALTER TABLE hall ADD COLUMN level TEXT NOT NULL DEFAULT 'city' CHECK (level IN ('city', 'county', 'branch'));

ALTER TABLE department ADD COLUMN retired_at INTEGER;
ALTER TABLE service_window ADD COLUMN retired_at INTEGER;

ALTER TABLE camera ADD COLUMN vendor TEXT NOT NULL DEFAULT 'rtsp' CHECK (vendor IN ('hikvision', 'dahua', 'uniview', 'rtsp'));
ALTER TABLE camera ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE camera ADD COLUMN port INTEGER NOT NULL DEFAULT 554 CHECK (port BETWEEN 1 AND 65535);
ALTER TABLE camera ADD COLUMN channel INTEGER NOT NULL DEFAULT 1 CHECK (channel BETWEEN 1 AND 999);
ALTER TABLE camera ADD COLUMN username TEXT NOT NULL DEFAULT '';
ALTER TABLE camera ADD COLUMN password_sealed BLOB;
ALTER TABLE camera ADD COLUMN retired_at INTEGER;

ALTER TABLE user ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
ALTER TABLE user ADD COLUMN last_login_at INTEGER;

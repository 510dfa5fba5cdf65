-- Upgrade step 14 → 15: camera health as alarms (设备告警); register lines of several cameras.

-- ---------------------------------------------------------------------------------------------------
-- Version 15: each camera's signal as the recorder last reported it, and the alarms raised when a
-- camera stays lost during opening hours.

-- One row per camera: online or lost, since when (the last change), and when it was last reported.
CREATE TABLE camera_link (
  camera_id INTEGER PRIMARY KEY REFERENCES camera (id),
  online INTEGER NOT NULL CHECK (online IN (0, 1)),
  since INTEGER NOT NULL,
  reported_at INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT ''
);

-- A camera alarm: raised once the camera has been lost for longer than the rules allow, resolved when
-- its picture returns. Kept (the history of a camera's outages).
CREATE TABLE camera_alert (
  id INTEGER PRIMARY KEY,
  camera_id INTEGER NOT NULL REFERENCES camera (id),
  rule TEXT NOT NULL CHECK (rule IN ('camera_offline')),
  level TEXT NOT NULL CHECK (level IN ('yellow', 'orange', 'red')),
  -- When the camera was lost; when the alarm was raised; when the picture came back.
  since INTEGER NOT NULL,
  raised_at INTEGER NOT NULL,
  resolved_at INTEGER,
  explanation TEXT NOT NULL,
  CHECK (resolved_at IS NULL OR resolved_at >= since)
);
CREATE UNIQUE INDEX camera_alert_open ON camera_alert (camera_id, rule) WHERE resolved_at IS NULL;
CREATE INDEX camera_alert_by_since ON camera_alert (since);

-- A register line that covers several cameras of one request (a copy of four cameras in one go, or
-- four cameras played side by side): its cameras after the first (which is footage_access.camera_id).
CREATE TABLE footage_access_camera (
  access_id INTEGER NOT NULL REFERENCES footage_access (id),
  camera_id INTEGER NOT NULL REFERENCES camera (id),
  PRIMARY KEY (access_id, camera_id)
) WITHOUT ROWID;

//! Camera watching: links and offline alarms, the watchers' settings, findings and their snapshots.
//!
//! The `WatchStore` calls and the types they take and give; `Store` requires every family.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::alerts::Level;

use super::{Session, StoreError};

/// What a camera alarm (设备告警) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CameraRule {
    /// Lost for longer than `footage.camera_offline_seconds` during opening hours.
    CameraOffline,
}

impl CameraRule {
    pub fn as_str(self) -> &'static str {
        match self {
            CameraRule::CameraOffline => "camera_offline",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CameraRule::CameraOffline => "摄像头离线",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CameraRule::CameraOffline => "Camera offline",
        }
    }
}

/// A camera alarm: raised when a camera stays lost, resolved when its picture returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraAlert {
    pub id: i64,
    pub camera_id: i64,
    pub camera_name: String,
    pub window_code: Option<String>,
    pub rule: CameraRule,
    pub level: Level,
    /// When the camera was lost.
    pub since: DateTime<Utc>,
    /// When the alarm was raised (the allowed time after `since`, or when opening hours began).
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Why, as the recorder saw it (never credentials).
    pub explanation: String,
}

/// What the camera watchers need (Art 11(8)): the rules' times and each active camera's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WatchConfig {
    /// `footage.tamper_seconds`, `footage.absent_seconds`.
    pub tamper_seconds: u32,
    pub absent_seconds: u32,
    pub cameras: Vec<CameraWatch>,
}

/// One camera as its watcher sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraWatch {
    pub camera_id: i64,
    pub camera_name: String,
    pub hall_code: String,
    pub window_code: Option<String>,
    /// The staff seat region (drawn by an administrator), if any.
    pub seat: Option<crate::domain::watch::Region>,
    /// The reference view (设为基准画面) as PNG, and its SHA-256.
    pub reference_png: Option<Vec<u8>>,
    pub reference_sha256: Option<String>,
    pub reference_set_by: Option<String>,
    pub reference_set_at: Option<DateTime<Utc>>,
    /// The recorder reported the camera in the last 30 s: the recorder service watches it.
    pub recorded: bool,
    /// Today's opening periods of the camera's hall (none on a rest day), as UTC instants.
    pub open_periods: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl CameraWatch {
    /// Whether `at` lies in one of the opening periods.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.open_periods.iter().any(|(from, to)| *from <= at && at < *to)
    }
}

/// What a camera watcher reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum WatchReport {
    /// A condition lasted longer than the rules allow: `first` the last normal picture (tamper) or the
    /// picture when the seat emptied (absence), `second` the picture now (tamper only). PNG.
    Raised {
        camera_id: i64,
        kind: crate::domain::watch::FindingKind,
        since: DateTime<Utc>,
        first: Option<Vec<u8>>,
        second: Option<Vec<u8>>,
    },
    /// The condition is over (the picture returned, the person came back, or the window closed);
    /// `snapshot` the picture now (absence: the end snapshot). Ends nothing when nothing is open.
    Ended { camera_id: i64, kind: crate::domain::watch::FindingKind, at: DateTime<Utc>, snapshot: Option<Vec<u8>> },
}

/// A snapshot a watcher took: its id (for [`Store::watch_snapshot`]), SHA-256 and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SnapshotRef {
    pub id: i64,
    pub taken_at: DateTime<Utc>,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
}

/// A camera finding: `camera_tampered` (blocked, moved; a red alarm while open) or a 离岗 candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraFinding {
    pub id: i64,
    pub camera_id: i64,
    pub camera_name: String,
    pub window_code: Option<String>,
    pub kind: crate::domain::watch::FindingKind,
    pub since: DateTime<Utc>,
    pub raised_at: DateTime<Utc>,
    /// When the picture returned (tamper) or the person came back (absence).
    pub resolved_at: Option<DateTime<Utc>>,
    pub first_snapshot: Option<SnapshotRef>,
    pub second_snapshot: Option<SnapshotRef>,
    pub reported_by: String,
    /// The window's staff on duty, and their approved leave or 公出 at the time ("" if none).
    pub staff_no: Option<String>,
    pub staff_name: Option<String>,
    pub staff_note: String,
    pub decision: Option<crate::domain::watch::FindingDecision>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: String,
    pub observation_id: Option<i64>,
}

impl CameraFinding {
    /// How long it lasted (to `now` while open), in seconds.
    pub fn seconds(&self, now: DateTime<Utc>) -> i64 {
        (self.resolved_at.unwrap_or(now) - self.since).num_seconds().max(0)
    }
}

/// Which findings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FindingQuery {
    /// Only those nobody has decided yet.
    pub undecided_only: bool,
    /// Raised on these local days (inclusive); without them, the last 7 days.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Camera watching: links and offline alarms, the watchers' settings, findings and their snapshots.
pub trait WatchStore: Send + Sync {
    /// The recorder's report of a camera's signal (local system only): raises a `camera_offline` alarm
    /// once the camera has been lost for longer than the rules allow during opening hours, resolves it
    /// when the camera is back. Returns the alarm raised or resolved by this report.
    fn report_camera_link(
        &self,
        session: &Session,
        camera_id: i64,
        online: bool,
        reason: &str,
    ) -> Result<Option<CameraAlert>, StoreError>;
    /// Camera alarms, newest first: the open ones, or also those resolved in the last seven days.
    fn camera_alerts(&self, session: &Session, open_only: bool) -> Result<Vec<CameraAlert>, StoreError>;
    /// What the camera watchers need: settings, reference views, seat regions, opening periods.
    fn watch_config(&self, session: &Session) -> Result<WatchConfig, StoreError>;
    /// 设为基准画面 (administrators): the view a camera should keep, as PNG; `None` clears it.
    fn set_camera_reference(&self, session: &Session, camera_id: i64, png: Option<&[u8]>) -> Result<(), StoreError>;
    /// The staff seat region of a camera (administrators); `None` clears it.
    fn set_camera_seat(
        &self,
        session: &Session,
        camera_id: i64,
        seat: Option<crate::domain::watch::Region>,
    ) -> Result<(), StoreError>;
    /// A watcher's report (the recorder, or a console for a live-only camera): raises or ends a
    /// finding; returns the finding it changed.
    fn report_watch(&self, session: &Session, report: &WatchReport) -> Result<Option<CameraFinding>, StoreError>;
    /// Camera findings, open and undecided first, then newest first.
    fn camera_findings(&self, session: &Session, query: &FindingQuery) -> Result<Vec<CameraFinding>, StoreError>;
    /// A watcher's snapshot (PNG).
    fn watch_snapshot(&self, session: &Session, snapshot_id: i64) -> Result<Vec<u8>, StoreError>;
    /// Confirms a finding as a discipline observation (遮挡摄像头/规避监察 or 离岗, the window's staff on
    /// duty, the snapshots as evidence) or dismisses it (a reason is required). Once.
    fn decide_finding(
        &self,
        session: &Session,
        finding_id: i64,
        decision: crate::domain::watch::FindingDecision,
        note: &str,
    ) -> Result<CameraFinding, StoreError>;
}

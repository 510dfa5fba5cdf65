//! Footage: recorded segments, requests and their four-eyes decisions, grants and exports, the register, holds, evidence.
//!
//! The `FootageStore` calls and the types they take and give; `Store` requires every family.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Session, StoreError};

/// What an evidence file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Snapshot,
}

/// A snapshot (or later a clip) kept as evidence, with where and when it was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewEvidence {
    pub kind: EvidenceKind,
    pub camera_id: i64,
    pub taken_at: DateTime<Utc>,
    /// Relative to the data directory.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub window_code: Option<String>,
    pub staff_no: Option<String>,
    /// Kept for the discipline log (记录违纪), with its category.
    pub for_discipline: bool,
    pub category: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evidence {
    pub id: i64,
    pub camera_name: String,
    pub taken_by: String,
    pub evidence: NewEvidence,
}

/// A recorded segment to index (the recorder has written, closed and hashed the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewSegment {
    pub camera_id: i64,
    pub span: crate::domain::footage::Span,
    /// Relative to the footage root, `/` separated.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Segment {
    pub id: i64,
    pub camera_id: i64,
    pub span: crate::domain::footage::Span,
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    /// The server that keeps the file (`name` in its `server.toml`), when several servers share one
    /// database; `None`: the hall's one server.
    #[serde(default)]
    pub holder: Option<String>,
}

/// A segment of a grant, with the part of it (the whole segment, or less at the grant's edges) the
/// grant covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GrantedSegment {
    pub segment: Segment,
    pub part: crate::domain::footage::Span,
}

/// A request to view or copy footage, as the requester fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewFootageRequest {
    pub cameras: Vec<i64>,
    pub span: crate::domain::footage::Span,
    pub purpose: String,
    pub kind: crate::domain::footage::RequestKind,
    pub second_person: Option<String>,
    pub case_no: Option<String>,
    pub complaint_no: Option<String>,
}

/// Which requests to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestFilter {
    /// The caller's own (and those naming them as second person).
    Mine,
    /// Waiting for a decision (chiefs).
    Pending,
    /// Everything (chiefs, auditors, admins).
    All,
}

/// One line of the footage register (调取登记).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FootageAccess {
    pub id: i64,
    pub request_no: String,
    pub purpose: String,
    pub user: String,
    pub action: crate::domain::footage::Use,
    /// The first camera; `cameras` lists them all when the line covers several.
    pub camera_id: i64,
    /// The cameras' names, 、-separated when several.
    pub camera_name: String,
    #[serde(default)]
    pub cameras: Vec<i64>,
    pub span: crate::domain::footage::Span,
    pub at: DateTime<Utc>,
    /// 去向: where a copy went.
    pub destination: Option<String>,
    /// running, done, failed or cancelled.
    pub status: String,
    pub sha256: Option<String>,
    pub bytes: Option<u64>,
    pub note: Option<String>,
}

/// Permission to read footage for a view or an export: the register line written for it and the
/// segments overlapping the range (in time order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FootageGrant {
    pub access_id: i64,
    pub request: crate::domain::footage::FootageRequest,
    pub camera_id: i64,
    pub span: crate::domain::footage::Span,
    pub segments: Vec<Segment>,
}

/// Permission to read several cameras of one request under one register line (a copy of several
/// cameras, or cameras played side by side): each camera's segments overlapping the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FootageGrants {
    pub access_id: i64,
    pub request: crate::domain::footage::FootageRequest,
    pub span: crate::domain::footage::Span,
    pub tracks: Vec<GrantTrack>,
}

/// One camera of a [`FootageGrants`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GrantTrack {
    pub camera_id: i64,
    pub segments: Vec<Segment>,
}

/// The most cameras one register line (and one synchronised playback) covers.
pub const MAX_GRANT_CAMERAS: usize = 4;

/// How an export ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum ExportOutcome {
    Done { sha256: String, bytes: u64 },
    Failed { message: String },
    Cancelled,
}

/// 保全: footage retention must keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LegalHold {
    pub id: i64,
    pub camera_id: i64,
    pub span: crate::domain::footage::Span,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub lifted: Option<(String, DateTime<Utc>, String)>,
}

/// A case event at a window, as a marker on the footage timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WindowEvent {
    pub at: DateTime<Utc>,
    pub case_no: String,
    pub step: crate::domain::model::Step,
    pub staff_name: Option<String>,
}

/// A camera's recording state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraRecording {
    pub camera_id: i64,
    pub camera_name: String,
    pub window_code: Option<String>,
    pub last_end: Option<DateTime<Utc>>,
    pub bytes: u64,
    pub segments: u64,
    /// Gaps over the checked window (e.g. the last 24 hours), longest first is not implied.
    pub gaps: Vec<crate::domain::footage::Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordingHealth {
    pub checked: crate::domain::footage::Span,
    pub cameras: Vec<CameraRecording>,
    pub total_bytes: u64,
}

/// Footage: recorded segments, requests and their four-eyes decisions, grants and exports, the register, holds, evidence.
pub trait FootageStore: Send + Sync {
    /// Indexes a recorded segment (the recorder; local system only).
    fn add_segment(&self, session: &Session, segment: &NewSegment) -> Result<Segment, StoreError>;
    /// Recorded segments of a camera overlapping `span`, in time order (what exists, not the footage).
    fn segments(
        &self,
        session: &Session,
        camera_id: i64,
        span: crate::domain::footage::Span,
    ) -> Result<Vec<Segment>, StoreError>;
    /// Every indexed path under the footage root (the recorder's start-up reconciliation).
    fn segment_paths(&self, session: &Session) -> Result<Vec<String>, StoreError>;
    /// Removes expired segments from the index (retention; local system only) and returns them so the
    /// caller deletes their files. Never held footage, never footage being exported.
    fn expire_segments(&self, session: &Session) -> Result<Vec<Segment>, StoreError>;
    /// Case events at a window over `span` (markers for the footage timeline).
    fn window_events(
        &self,
        session: &Session,
        window_code: &str,
        span: crate::domain::footage::Span,
    ) -> Result<Vec<WindowEvent>, StoreError>;
    fn recording_health(
        &self,
        session: &Session,
        span: crate::domain::footage::Span,
    ) -> Result<RecordingHealth, StoreError>;
    fn request_footage(
        &self,
        session: &Session,
        request: &NewFootageRequest,
    ) -> Result<crate::domain::footage::FootageRequest, StoreError>;
    fn footage_requests(
        &self,
        session: &Session,
        filter: RequestFilter,
    ) -> Result<Vec<crate::domain::footage::FootageRequest>, StoreError>;
    /// Approves or refuses (a reason is required to refuse). Never one's own request.
    fn decide_footage(
        &self,
        session: &Session,
        request_id: i64,
        approve: bool,
        note: &str,
    ) -> Result<crate::domain::footage::FootageRequest, StoreError>;
    /// The requester withdraws a pending request.
    fn cancel_footage_request(
        &self,
        session: &Session,
        request_id: i64,
    ) -> Result<crate::domain::footage::FootageRequest, StoreError>;
    /// Checks the request and writes the register line for a viewing (or the start of a copy to
    /// `destination`); returns the segments to read.
    fn open_footage(
        &self,
        session: &Session,
        request_id: i64,
        camera_id: i64,
        span: crate::domain::footage::Span,
        use_: crate::domain::footage::Use,
        destination: Option<&str>,
    ) -> Result<FootageGrant, StoreError>;
    /// [`Store::open_footage`] for up to [`MAX_GRANT_CAMERAS`] cameras of one request at once, under one
    /// register line that names them all.
    fn open_footage_cameras(
        &self,
        session: &Session,
        request_id: i64,
        camera_ids: &[i64],
        span: crate::domain::footage::Span,
        use_: crate::domain::footage::Use,
        destination: Option<&str>,
    ) -> Result<FootageGrants, StoreError>;
    /// A segment of a grant, for reading its file from the server: only the grant's holder, only
    /// while the request is valid, only within the grant's camera and range, only for 12 hours.
    /// Says which part of the segment the grant covers: the server sends no more of it.
    fn footage_segment(&self, session: &Session, access_id: i64, segment_id: i64)
    -> Result<GrantedSegment, StoreError>;
    /// Records how a copy ended (its SHA-256, or why it failed).
    fn finish_export(
        &self,
        session: &Session,
        access_id: i64,
        outcome: &ExportOutcome,
    ) -> Result<FootageAccess, StoreError>;
    /// The register, newest first: everything for chiefs, auditors and admins; one's own otherwise.
    fn footage_register(&self, session: &Session, limit: u32) -> Result<Vec<FootageAccess>, StoreError>;
    fn place_hold(
        &self,
        session: &Session,
        camera_id: i64,
        span: crate::domain::footage::Span,
        reason: &str,
    ) -> Result<LegalHold, StoreError>;
    fn lift_hold(&self, session: &Session, hold_id: i64, reason: &str) -> Result<LegalHold, StoreError>;
    fn holds(&self, session: &Session) -> Result<Vec<LegalHold>, StoreError>;
    /// Records a snapshot kept as evidence (the file is already written and hashed).
    fn record_evidence(&self, session: &Session, evidence: &NewEvidence) -> Result<Evidence, StoreError>;
    /// Evidence, newest first.
    fn evidence(&self, session: &Session, limit: u32) -> Result<Vec<Evidence>, StoreError>;
}

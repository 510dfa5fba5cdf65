//! What the footage area shows: requests, approvals, the player, the export, the register, health,
//! holds.

/// The footage area's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FootageTab {
    #[default]
    Requests,
    Approvals,
    Playback,
    Register,
    Health,
    Holds,
}

/// The 调阅/拷贝 request form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDraft {
    pub cameras: std::collections::BTreeSet<i64>,
    /// `YYYY-MM-DD`
    pub date: String,
    /// `HH:MM`
    pub from: String,
    pub to: String,
    pub purpose: String,
    pub kind: crate::domain::footage::RequestKind,
    pub second_person: String,
    pub case_no: String,
    pub complaint_no: String,
}

/// Where playback stands (the players themselves live in the app).
#[derive(Debug, Clone)]
pub struct PlaybackView {
    pub request: crate::domain::footage::FootageRequest,
    /// The camera chosen among those playing (bookmarks, observations and copy requests are its).
    pub camera_id: i64,
    /// The granted range.
    pub span: crate::domain::footage::Span,
    /// One per camera playing, side by side on one play head (up to four).
    pub tracks: Vec<PlaybackTrack>,
    /// The case events of the cameras' windows.
    pub events: Vec<crate::store::WindowEvent>,
    /// Wall time (UTC ms) and note.
    pub bookmarks: Vec<(i64, String)>,
    /// Where to start (a case event's moment).
    pub start_at: Option<i64>,
}

/// One camera of a playback.
#[derive(Debug, Clone)]
pub struct PlaybackTrack {
    pub camera_id: i64,
    /// Recorded runs (within the grant) and the gaps between them, computed when the grant arrived.
    pub runs: Vec<crate::domain::footage::Span>,
    pub gaps: Vec<crate::domain::footage::Span>,
    /// Digital zoom of this camera's picture.
    pub zoom: crate::ui::video::Zoom,
}

/// The export dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportDraft {
    pub request_id: i64,
    pub request_no: String,
    /// The request's cameras and whether each is copied (up to four at once).
    pub cameras: Vec<(i64, bool)>,
    pub destination: String,
    /// The clip's file name (kept when another folder is chosen).
    pub file: String,
    pub watermark: bool,
    /// `x,y,w,h` fractions, one rectangle per line.
    pub privacy: String,
    pub browsing: bool,
    /// Mounted removable drives, as the worker found them.
    pub drives: Option<Vec<std::path::PathBuf>>,
    /// The folder browser's listing, as the worker read it.
    pub folders: Option<FolderListing>,
}

/// One folder's sub-folders, for the export dialog's browser.
#[derive(Debug, Clone, PartialEq)]
pub struct FolderListing {
    pub dir: std::path::PathBuf,
    pub parent: Option<std::path::PathBuf>,
    pub folders: Vec<std::path::PathBuf>,
}

/// What the footage panel shows of the players: the group's head, and each camera's picture.
pub struct PlayerDisplay {
    pub status: crate::video::playback::PlayerStatus,
    pub position_ms: i64,
    pub speed: f32,
    pub tiles: Vec<PlayerTile>,
}

/// One camera's picture in playback.
pub struct PlayerTile {
    pub camera_id: i64,
    pub texture: Option<egui::TextureHandle>,
    pub seq: u64,
    pub status: crate::video::playback::PlayerStatus,
    pub position_ms: i64,
}

/// A running export.
#[derive(Debug, Clone)]
pub struct ExportProgress {
    pub request_no: String,
    pub destination: String,
    pub cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Progress in 1/1000.
    pub permille: std::sync::Arc<std::sync::atomic::AtomicU32>,
    /// Set by the export thread when it ends: the clip and its SHA-256, or why not.
    pub result: std::sync::Arc<std::sync::Mutex<Option<Result<String, crate::ui::worker::context::JobError>>>>,
}

#[derive(Default)]
pub struct FootageView {
    /// The players' picture and head, while a request plays.
    pub player: Option<PlayerDisplay>,
    pub tab: FootageTab,
    pub requests: Option<Vec<crate::domain::footage::FootageRequest>>,
    pub pending: Option<Vec<crate::domain::footage::FootageRequest>>,
    pub register: Option<Vec<crate::store::FootageAccess>>,
    pub health: Option<crate::store::RecordingHealth>,
    pub holds: Option<Vec<crate::store::LegalHold>>,
    pub loading: bool,
    pub error: Option<String>,
    pub draft: Option<RequestDraft>,
    pub draft_error: Option<String>,
    /// (request id, reason) of a refusal being written.
    pub refusing: Option<(i64, String)>,
    pub playback: Option<PlaybackView>,
    pub export: Option<ExportDraft>,
    pub exporting: Option<ExportProgress>,
    /// The last export: the clip's path and hash, or why not.
    pub export_result: Option<Result<String, String>>,
    /// New hold form: camera, date, from, to, reason.
    pub hold_draft: Option<(i64, String, String, String, String)>,
    /// A case event's "查看录像" waiting for the request list: (window code, moment, case number).
    pub event_pending: Option<(String, chrono::DateTime<chrono::Utc>, String)>,
}

/// What the footage area runs besides its state: the players, one per camera on one play head (their
/// threads decode; the panel shows what `PlayerDisplay` copies of them).
pub struct FootageRuntime {
    pub players: Option<crate::video::playback::Group>,
    /// The console's clock, which the players pace their pictures by.
    pub clock: std::sync::Arc<dyn crate::clock::Clock>,
}

impl crate::ui::context::AreaRuntime for FootageRuntime {
    fn start(start: &crate::ui::context::RuntimeStart<'_>) -> Self {
        Self { players: None, clock: start.clock.clone() }
    }
}

//! What the console shows: plain data, changed only by `JianchaApp::apply` (commands) and by worker
//! replies, plus the text buffers of forms, which their panels edit directly.

use std::time::Instant;

use crate::domain::alerts::Rule;
use crate::domain::audit::AuditRecord;
use crate::domain::model::Complaint;
use crate::store::{AlertRow, AuditVerification, CaseDetail, DailyCheck, HallDirectory, Notice, Overview, Session};

use super::i18n::Lang;
use super::theme::{AlertPalette, Tokens};
use super::worker::Opened;

/// The areas of the console, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Area {
    Overview,
    Wall,
    Alerts,
    Attendance,
    Evaluator,
    Discipline,
    Footage,
    Complaints,
    Violations,
    Audit,
    Settings,
}

impl Area {
    pub const ALL: [Area; 11] = [
        Area::Overview,
        Area::Wall,
        Area::Alerts,
        Area::Attendance,
        Area::Evaluator,
        Area::Discipline,
        Area::Footage,
        Area::Complaints,
        Area::Violations,
        Area::Audit,
        Area::Settings,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Area::Overview => lang.pick("大厅概况", "Hall overview"),
            Area::Wall => lang.pick("视频墙", "Video wall"),
            Area::Alerts => lang.pick("预警", "Alerts"),
            Area::Attendance => lang.pick("考勤", "Attendance"),
            Area::Evaluator => lang.pick("评价器", "Evaluator"),
            Area::Discipline => lang.pick("纪律与提示单", "Discipline & slips"),
            Area::Footage => lang.pick("录像调阅", "Footage"),
            Area::Complaints => lang.pick("投诉", "Complaints"),
            Area::Violations => lang.pick("违规与问责", "Violations"),
            Area::Audit => lang.pick("审计", "Audit"),
            Area::Settings => lang.pick("设置", "Settings"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Opening the database (and maybe creating the demo).
    Starting,
    /// No Chinese font on the system.
    NoFont,
    OpenFailed(String),
    Login,
    Main,
}

#[derive(Debug, Default)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub error: Option<String>,
    pub pending: bool,
}

/// The audit filter as typed.
#[derive(Debug, Default, Clone)]
pub struct AuditFilterForm {
    pub actor: String,
    pub action: String,
    pub text: String,
    /// `YYYY-MM-DD`, local.
    pub from: String,
    pub to: String,
}

#[derive(Debug, Default)]
pub struct AuditView {
    pub filter: AuditFilterForm,
    pub filter_error: Option<String>,
    pub records: Vec<AuditRecord>,
    pub loaded: bool,
    pub loading: bool,
    /// No older records match.
    pub exhausted: bool,
    pub error: Option<String>,
    pub verifying: bool,
    pub verification: Option<Result<AuditVerification, String>>,
    pub selected: Option<i64>,
}

/// How the alert list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertSort {
    /// Most severe first, then newest.
    #[default]
    Severity,
    Since,
    CaseNo,
    Department,
    Window,
    Rule,
}

/// The alert filters as set in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFilter {
    pub hall: Option<String>,
    pub department: Option<String>,
    pub window: Option<String>,
    pub rule: Option<Rule>,
    /// Which levels are shown: red, orange, yellow.
    pub levels: [bool; 3],
    /// Staff number or name.
    pub staff: String,
    /// Case number or applicant.
    pub text: String,
    /// `YYYY-MM-DD`, on `since`.
    pub from: String,
    pub to: String,
    pub sort: AlertSort,
    pub descending: bool,
}

impl Default for AlertFilter {
    fn default() -> Self {
        Self {
            hall: None,
            department: None,
            window: None,
            rule: None,
            levels: [true; 3],
            staff: String::new(),
            text: String::new(),
            from: String::new(),
            to: String::new(),
            sort: AlertSort::Severity,
            descending: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertsTab {
    #[default]
    List,
    Notices,
    DailyChecks,
}

/// A dialog over the alert area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertDialog {
    IssueNotice { alert_id: i64, text: String },
    Close { alert_id: i64, reason: String },
    Reply { notice_id: i64, notice_no: String, text: String },
}

#[derive(Debug, Default)]
pub struct AlertsView {
    pub rows: Vec<AlertRow>,
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<String>,
    pub filter: AlertFilter,
    /// The filter `visible` was computed with, and the rows' generation.
    pub applied: Option<(AlertFilter, u64)>,
    pub generation: u64,
    /// Indices into `rows` after filtering and sorting.
    pub visible: Vec<usize>,
    /// Per level (red, orange, yellow): rows passing every filter but the level filter.
    pub counts: [usize; 3],
    pub filter_error: Option<String>,
    pub selected: Option<i64>,
    /// Scroll the table to the selection on the next frame.
    pub scroll_to_selected: bool,
    /// Red alerts that appeared in the last refresh, highlighted for a while.
    pub new_red: std::collections::HashSet<i64>,
    pub new_red_since: Option<std::time::Instant>,
    pub tab: AlertsTab,
    pub notices: Option<Vec<Notice>>,
    pub daily_checks: Option<Vec<DailyCheck>>,
    pub daily_running: bool,
    pub dialog: Option<AlertDialog>,
    pub dialog_error: Option<String>,
    pub action_pending: bool,
    pub last_refresh: Option<std::time::Instant>,
}

/// The case detail, opened from an alert or a case number.
#[derive(Debug, Default)]
pub struct CaseView {
    pub case_no: String,
    pub detail: Option<CaseDetail>,
    pub error: Option<String>,
}

/// Tiles per page of the video wall.
pub const WALL_LAYOUTS: [usize; 5] = [1, 4, 9, 16, 25];

/// The video wall as the supervisor arranged it (saved per workstation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WallLayout {
    /// 1, 4, 9, 16 or 25 tiles per page.
    pub tiles: usize,
    /// Camera ids in slot order across pages; `None` is an empty slot.
    pub slots: Vec<Option<i64>>,
    /// Seconds per page when touring.
    pub tour_secs: u32,
}

impl Default for WallLayout {
    fn default() -> Self {
        Self { tiles: 9, slots: Vec::new(), tour_secs: 20 }
    }
}

/// What a tile shows this frame (filled by the wall runner in the logic step).
#[derive(Debug, Clone)]
pub struct TileView {
    pub texture: Option<(egui::TextureId, [usize; 2])>,
    pub status: crate::video::decoder::TileStatus,
    pub stats: crate::video::decoder::TileStats,
    pub last_frame_at: Option<chrono::DateTime<chrono::Utc>>,
    pub stream: crate::video::StreamKind,
}

/// The "记录违纪" dialog: the snapshot is taken when it opens.
#[derive(Debug, Clone)]
pub struct DisciplineDraft {
    pub camera_id: i64,
    pub camera_name: String,
    pub window_code: Option<String>,
    pub staff_no: Option<String>,
    pub staff_name: Option<String>,
    pub taken_at: chrono::DateTime<chrono::Utc>,
    pub category: usize,
    pub note: String,
}

#[derive(Debug, Default)]
pub struct WallView {
    pub layout: WallLayout,
    pub page: usize,
    /// Watching one camera on the main stream.
    pub fullscreen: Option<i64>,
    pub touring: bool,
    pub tour_page_since: Option<Instant>,
    pub camera_list_open: bool,
    pub second_window: bool,
    /// Pixel size each visible camera's tile had on the last frame (the runner scales to it).
    pub tile_px: std::collections::HashMap<i64, [u32; 2]>,
    pub tiles: std::collections::HashMap<i64, TileView>,
    pub discipline: Option<DisciplineDraft>,
    pub last_snapshot: Option<Result<String, String>>,
    /// Whether the slots were filled from the directory (first time) or restored.
    pub initialised: bool,
}

impl WallView {
    pub fn pages(&self) -> usize {
        self.layout.slots.len().div_ceil(self.layout.tiles).max(1)
    }

    /// The camera ids of the current page's slots.
    pub fn page_slots(&self) -> Vec<Option<i64>> {
        let start = self.page * self.layout.tiles;
        (start..start + self.layout.tiles).map(|i| self.layout.slots.get(i).copied().flatten()).collect()
    }

    /// Cameras that should be decoding now.
    pub fn visible_cameras(&self) -> Vec<i64> {
        match self.fullscreen {
            Some(id) => vec![id],
            None => self.page_slots().into_iter().flatten().collect(),
        }
    }
}

/// The 约谈 dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewDraft {
    pub staff_no: String,
    pub name: String,
    /// `YYYY-MM-DD HH:MM`, local.
    pub held_at: String,
    pub participants: String,
    pub note: String,
}

#[derive(Debug, Default)]
pub struct AttendanceView {
    pub period_start: Option<chrono::NaiveDate>,
    pub data: Option<crate::store::AttendancePeriod>,
    pub trend: Option<crate::store::AttendanceTrend>,
    pub loading: bool,
    pub error: Option<String>,
    pub selected_staff: Option<String>,
    pub selected_department: Option<String>,
    pub interview: Option<InterviewDraft>,
    pub dialog_error: Option<String>,
    /// Typed filter over staff number, name and department.
    pub filter: String,
    /// Show everyone, not only people with marks or absences.
    pub all_staff: bool,
    /// The last PDF written or printed.
    pub document: Option<Result<String, String>>,
    pub printers: Option<Vec<String>>,
    pub printer: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvaluatorTab {
    #[default]
    Usage,
    Anomalies,
    PoorRatings,
    Satisfaction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SatisfactionGroup {
    #[default]
    Department,
    Window,
    Staff,
}

#[derive(Debug, Default)]
pub struct EvaluatorView {
    pub date: Option<chrono::NaiveDate>,
    pub date_text: String,
    pub check: Option<crate::domain::evaluator::EvaluatorCheck>,
    pub poor: Option<Vec<crate::store::PoorRating>>,
    pub satisfaction: Option<crate::store::Satisfaction>,
    pub loading: bool,
    pub error: Option<String>,
    pub tab: EvaluatorTab,
    pub group: SatisfactionGroup,
    /// (rating key, step, note)
    pub follow_up: Option<(String, crate::store::FollowUpStep, String)>,
    pub dialog_error: Option<String>,
}

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

/// A discipline observation being typed in (记录违纪).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservationDraft {
    /// `YYYY-MM-DD HH:MM` (Beijing time).
    pub at: String,
    pub source: crate::domain::discipline::ObservationSource,
    pub camera_id: Option<i64>,
    /// The footage range that shows it (from playback).
    pub clip: Option<crate::domain::footage::Span>,
    pub category: String,
    pub window: String,
    pub staff_no: String,
    pub department: String,
    pub note: String,
}

/// A complaint being registered.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintDraft {
    pub at: String,
    pub channel: crate::domain::model::ComplaintChannel,
    pub complainant: String,
    pub contact: String,
    pub content: String,
    pub window: String,
    pub staff_no: String,
    pub department: String,
    pub case_no: String,
}

/// A complaint step that needs text: (complaint number, step, first text, second text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintStepKind {
    Accept,
    Decline,
    Conclude,
}

/// A violation being recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViolationDraft {
    pub item: String,
    pub staff_no: String,
    pub department: String,
    pub source: crate::domain::accountability::ViolationSource,
    pub at: String,
    pub description: String,
    pub case_no: String,
    pub complaint_no: String,
    pub observation_id: Option<i64>,
}

/// 纪律与提示单, 投诉, 违规与问责: the loaded week and registers, and the open forms.
#[derive(Default)]
pub struct SupervisionView {
    pub week: Option<crate::domain::discipline::Week>,
    /// Shared, so that panels hold it for a frame without copying.
    pub data: Option<std::sync::Arc<crate::ui::worker::SupervisionData>>,
    pub loading: bool,
    pub error: Option<String>,
    pub message: Option<String>,
    pub observation: Option<ObservationDraft>,
    pub complaint: Option<ComplaintDraft>,
    pub complaint_step: Option<(String, ComplaintStepKind, String, String)>,
    pub selected_complaint: Option<String>,
    pub violation: Option<ViolationDraft>,
    /// (violation id, measures chosen, note).
    pub decision: Option<(i64, std::collections::BTreeSet<crate::domain::accountability::Measure>, String)>,
    /// (slip id, reason) of a cancellation being written.
    pub cancel: Option<(i64, String)>,
    /// (slip id, signer) of a receipt being recorded.
    pub receipt: Option<(i64, String)>,
    pub preview: Option<(i64, egui::TextureHandle)>,
    /// The print queue chosen; `None` is the system default.
    pub printer: Option<String>,
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

/// Where playback stands (the player itself lives in the app).
#[derive(Debug, Clone)]
pub struct PlaybackView {
    pub request: crate::domain::footage::FootageRequest,
    pub camera_id: i64,
    /// The granted range.
    pub span: crate::domain::footage::Span,
    pub segments: Vec<crate::domain::footage::Span>,
    pub events: Vec<crate::store::WindowEvent>,
    /// Wall time (UTC ms) and note.
    pub bookmarks: Vec<(i64, String)>,
    /// Where to start (a case event's moment).
    pub start_at: Option<i64>,
}

/// The export dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportDraft {
    pub request_id: i64,
    pub request_no: String,
    pub camera_id: i64,
    pub destination: String,
    pub watermark: bool,
    /// `x,y,w,h` fractions, one rectangle per line.
    pub privacy: String,
    pub browsing: bool,
}

/// What the footage panel shows of the player.
pub struct PlayerDisplay {
    pub texture: Option<egui::TextureHandle>,
    pub seq: u64,
    pub status: crate::video::playback::PlayerStatus,
    pub position_ms: i64,
    pub speed: f32,
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
    pub result: std::sync::Arc<std::sync::Mutex<Option<Result<String, String>>>>,
}

#[derive(Debug, Default)]
pub struct FootageView {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

pub struct AppState {
    pub lang: Lang,
    pub palette: AlertPalette,
    pub tokens: Tokens,
    pub screen: Screen,
    pub area: Area,
    pub session: Option<Session>,
    pub opened: Option<Opened>,
    pub overview: Option<Overview>,
    pub directory: Option<HallDirectory>,
    pub complaints: Option<Vec<Complaint>>,
    pub supervision: SupervisionView,
    pub login: LoginForm,
    pub audit: AuditView,
    pub notice: Option<(NoticeLevel, String)>,
    pub last_overview_request: Option<Instant>,
    pub font_family: Option<String>,
    pub alerts: AlertsView,
    /// When set, the alert area shows this case instead of the list.
    pub case: Option<CaseView>,
    /// Play a sound when a new red alert appears.
    pub sound_on_red: bool,
    pub wall: WallView,
    pub evidence: Option<Vec<crate::store::Evidence>>,
    pub attendance: AttendanceView,
    pub evaluator: EvaluatorView,
    pub footage: FootageView,
    pub player: Option<PlayerDisplay>,
    /// Remote mode: the link to the server as last seen (the banner and the status bar show it).
    pub link: LinkView,
    /// The backend form of the settings area.
    pub backend_form: BackendForm,
}

/// The server link as the UI shows it.
#[derive(Debug, Clone, Default)]
pub struct LinkView {
    pub offline: bool,
    /// Writes waiting in the outbox.
    pub pending: usize,
    /// The change counter the console last reloaded for.
    pub seen_revision: u64,
    pub last_flush: Option<Instant>,
}

/// 设置 → 数据源: the server address being edited.
#[derive(Debug, Clone, Default)]
pub struct BackendForm {
    /// Filled from the workstation settings when the settings area first shows.
    pub loaded: bool,
    pub url: String,
    pub ca_cert: String,
    pub error: Option<String>,
}

impl AppState {
    pub fn new(lang: Lang, palette: AlertPalette) -> Self {
        Self {
            lang,
            palette,
            tokens: Tokens::new(palette),
            screen: Screen::Starting,
            area: Area::Overview,
            session: None,
            opened: None,
            overview: None,
            directory: None,
            complaints: None,
            supervision: SupervisionView::default(),
            login: LoginForm::default(),
            audit: AuditView::default(),
            notice: None,
            last_overview_request: None,
            font_family: None,
            alerts: AlertsView::default(),
            case: None,
            sound_on_red: false,
            wall: WallView::default(),
            evidence: None,
            link: LinkView::default(),
            backend_form: BackendForm::default(),
            attendance: AttendanceView::default(),
            evaluator: EvaluatorView::default(),
            footage: FootageView::default(),
            player: None,
        }
    }

    pub fn hall_name(&self) -> Option<&str> {
        self.directory.as_ref().and_then(|d| d.halls.first()).map(|h| h.name.as_str())
    }
}

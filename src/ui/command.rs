//! What panels ask for. Panels push commands; `JianchaApp::apply` carries them out once per frame, in
//! one place, so no panel changes shared state behind another's back.

use super::i18n::Lang;
use super::state::Area;
use super::theme::AlertPalette;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Log in with the login form's user name and password.
    Login,
    Logout,
    Navigate(Area),
    SetLang(Lang),
    SetPalette(AlertPalette),
    RefreshOverview,
    /// Save the settings area's server address (workstation.toml) and reopen with it: logs out.
    SaveBackend,
    /// Run the audit search with the filter form (from the newest record).
    SearchAudit,
    /// Load older records matching the same filter.
    MoreAudit,
    VerifyAudit,
    SelectAuditRecord(Option<i64>),
    LoadComplaints,
    /// Loads 纪律与提示单, 投诉 and 违规与问责 (the week shown, or last week).
    LoadSupervision,
    SupervisionWeek(crate::domain::discipline::Week),
    /// Acts in those areas, then reloads them.
    Supervise(crate::ui::worker::SupervisionAction),
    /// The discipline form's text, checked and sent.
    SubmitObservation,
    /// Opens the 记录违纪 form pre-filled (from playback).
    OpenObservation(crate::ui::state::ObservationDraft),
    /// Opens the violation form pre-filled (from an observation) in 违规与问责.
    OpenViolation(crate::ui::state::ViolationDraft),
    SubmitComplaint,
    SubmitComplaintStep,
    SubmitViolation,
    SubmitDecision,
    DismissNotice,
    /// Go to the alert list showing only this level (all levels with `None`).
    ShowAlerts(Option<crate::domain::alerts::Level>),
    /// Refresh (time-driven re-evaluation) and reload the alert list.
    LoadAlerts,
    SetAlertsTab(super::state::AlertsTab),
    SelectAlert(Option<i64>),
    /// Open the case detail (inside the alert area).
    OpenCase(String),
    CloseCase,
    OpenDialog(super::state::AlertDialog),
    CancelDialog,
    /// Carry out the open dialog (issue the notice, close the alert, record the reply).
    SubmitDialog,
    LoadNotices,
    LoadDailyChecks,
    /// Run today's data check.
    RunDailyCheck,
    SetSoundOnRed(bool),
    /// Tiles per page (1, 4, 9, 16, 25).
    SetWallTiles(usize),
    SetWallPage(usize),
    /// Put a camera into a slot of the current page (dragged from the camera list).
    AssignCamera {
        slot: usize,
        camera_id: Option<i64>,
    },
    /// Watch one camera full screen on the main stream; `None` returns to the wall.
    Fullscreen(Option<i64>),
    SetTouring(bool),
    SetTourSecs(u32),
    ToggleCameraList,
    SetSecondWindow(bool),
    /// Save the tile's current frame as evidence.
    Snapshot(i64),
    /// Open the "记录违纪" dialog for a camera (its frame is kept now).
    StartDiscipline(i64),
    SubmitDiscipline,
    CancelDiscipline,
    LoadEvidence,
    /// Load the attendance of the period starting on this day (with the trend).
    LoadAttendance(chrono::NaiveDate),
    SelectStaff(Option<String>),
    SelectDepartment(Option<String>),
    OpenInterview {
        staff_no: String,
        name: String,
    },
    SubmitInterview,
    CancelInterview,
    /// Write the ranking (false) or the interview notices (true) as PDF; print it when `print`.
    AttendancePdf {
        notices: bool,
        print: bool,
    },
    LoadPrinters,
    SetPrinter(Option<String>),
    LoadEvaluator(chrono::NaiveDate),
    SetEvaluatorTab(super::state::EvaluatorTab),
    SetSatisfactionGroup(super::state::SatisfactionGroup),
    OpenFollowUp {
        key: String,
        step: crate::store::FollowUpStep,
    },
    SubmitFollowUp,
    CancelFollowUp,
    LoadFootage,
    SetFootageTab(super::state::FootageTab),
    /// Open the request form, pre-filled (camera, start, end in UTC ms, purpose, case).
    /// Opens the request form pre-filled (times in UTC milliseconds).
    NewFootageRequest {
        cameras: Vec<i64>,
        from: Option<i64>,
        to: Option<i64>,
        purpose: String,
        kind: crate::domain::footage::RequestKind,
        case_no: Option<String>,
        complaint_no: Option<String>,
    },
    SubmitFootageRequest,
    CancelFootageDraft,
    CancelFootageRequest(i64),
    ApproveFootage(i64),
    StartRefuse(i64),
    SubmitRefuse,
    CancelRefuse,
    /// Open the player on a request's camera (at a moment, UTC ms).
    PlayFootage {
        request_id: i64,
        camera_id: i64,
        at: Option<i64>,
    },
    ClosePlayback,
    PlayerPlay,
    PlayerPause,
    PlayerSeek(i64),
    /// An index into `video::playback::SPEEDS`.
    PlayerSpeed(usize),
    PlayerStep,
    AddBookmark,
    OpenExport {
        request_id: i64,
        camera_id: i64,
    },
    SubmitExport,
    CancelExportDialog,
    CancelExport,
    /// From a case event: play that window's camera at that moment, or pre-fill a request.
    FootageForEvent {
        window_code: String,
        at: chrono::DateTime<chrono::Utc>,
        case_no: String,
    },
    NewHold,
    SubmitHold,
    CancelHold,
    LiftHold {
        id: i64,
        reason: String,
    },
    /// Go on without a Chinese font (English interface).
    ContinueWithoutFont,
}

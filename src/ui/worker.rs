//! The data worker: one named thread that owns the store and runs every store call, so that the UI
//! thread never blocks on SQL (or, in remote mode, HTTP). Jobs go in and replies come out on bounded
//! channels; each reply wakes the UI with `request_repaint`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;

use chrono::NaiveDate;
use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};

use crate::clock::Clock;
use crate::domain::alerts::RuleBook;
use crate::domain::audit::AuditRecord;
use crate::domain::calendar::{Calendar, missing_years_warning};
use crate::domain::evaluator::EvaluatorCheck;
use crate::domain::model::Complaint;
use crate::store::sqlite::{DB_FILE, SqliteStore};
use crate::store::{
    AlertQuery, AlertRow, AttendancePeriod, AttendanceTrend, AuditQuery, AuditVerification, CaseDetail, DailyCheck,
    Evidence, EvidenceKind, FollowUpStep, HallDirectory, Interview, NewEvidence, NewInterview, NewNotice, Notice,
    Overview, PoorRating, RefreshReport, Satisfaction, Session, Store, StoreError,
};
use crate::video::decoder::Frame;

mod supervision;
pub use supervision::{SupervisionAction, SupervisionData, SupervisionReply};

/// Jobs waiting for the worker; beyond this the UI is told the worker is busy.
const QUEUE: usize = 32;

pub enum Job {
    /// Requests (mine, and pending/all for those who may see them), holds, the register, health.
    Footage {
        session: Session,
    },
    RequestFootage {
        session: Session,
        request: crate::store::NewFootageRequest,
    },
    DecideFootage {
        session: Session,
        id: i64,
        approve: bool,
        note: String,
    },
    CancelFootageRequest {
        session: Session,
        id: i64,
    },
    /// Check the request, register the viewing, and return the segments and the window's case events.
    OpenFootage {
        session: Session,
        request_id: i64,
        camera_id: i64,
        span: crate::domain::footage::Span,
        at: Option<i64>,
    },
    /// Export on a thread of its own (the worker stays free); progress and cancel through the handles.
    ExportFootage {
        session: Session,
        request_id: i64,
        camera_id: i64,
        out: PathBuf,
        options: crate::video::export::ExportOptions,
        progress: super::state::ExportProgress,
    },
    PlaceHold {
        session: Session,
        camera_id: i64,
        span: crate::domain::footage::Span,
        reason: String,
    },
    LiftHold {
        session: Session,
        id: i64,
        reason: String,
    },
    /// Open the data directory, first creating the demo hall there when asked and the database is
    /// missing; serve the demo's simulated cameras when asked and the cameras point at them. With a
    /// backend, work against that server instead (the directory keeps the outbox and settings).
    Open {
        data_dir: PathBuf,
        create_demo_if_missing: bool,
        start_simulator: bool,
        backend: Option<crate::store::remote::Connection>,
    },
    /// Send the outbox (remote mode) with this session.
    FlushOutbox(Session),
    /// Save the workstation settings (the server address) in the data directory.
    SaveWorkstation {
        data_dir: PathBuf,
        settings: crate::settings::Workstation,
    },
    /// Save a frame as evidence.
    Snapshot(Box<SnapshotRequest>),
    Attendance {
        session: Session,
        period_start: NaiveDate,
    },
    RecordInterview {
        session: Session,
        interview: NewInterview,
    },
    /// Write the ranking or the interview notices as PDF under `reports/attendance/`, and print it.
    AttendancePdf {
        session: Session,
        period_start: NaiveDate,
        notices: bool,
        printer: Option<Option<String>>,
    },
    Printers,
    Evaluator {
        session: Session,
        date: NaiveDate,
    },
    RecordFollowUp {
        session: Session,
        key: String,
        step: FollowUpStep,
        note: String,
    },
    Evidence(Session),
    Login {
        username: String,
        password: String,
    },
    Logout(Session),
    Overview(Session),
    Directory(Session),
    AuditLog {
        session: Session,
        query: AuditQuery,
        append: bool,
    },
    VerifyAudit(Session),
    Complaints(Session),
    /// 纪律与提示单, 投诉, 违规与问责: act (optionally), then reload the week and the registers.
    Supervision {
        session: Session,
        week: crate::domain::discipline::Week,
        action: Option<SupervisionAction>,
    },
    /// Time-driven re-evaluation, then the alert list.
    Alerts {
        session: Session,
        include_inactive: bool,
    },
    CaseDetail {
        session: Session,
        case_no: String,
    },
    CloseAlert {
        session: Session,
        alert_id: i64,
        reason: String,
    },
    IssueNotice {
        session: Session,
        notice: NewNotice,
    },
    RecordReply {
        session: Session,
        notice_id: i64,
        reply: String,
    },
    Notices(Session),
    /// Run the daily check of a day: save the report in the data directory and record it.
    DailyCheck {
        session: Session,
        day: NaiveDate,
    },
    DailyChecks(Session),
}

/// What the console needs to know about the opened backend.
#[derive(Debug, Clone)]
/// What the footage area shows.
pub struct FootageData {
    pub requests: Vec<crate::domain::footage::FootageRequest>,
    pub pending: Option<Vec<crate::domain::footage::FootageRequest>>,
    pub register: Vec<crate::store::FootageAccess>,
    pub health: crate::store::RecordingHealth,
    pub holds: Vec<crate::store::LegalHold>,
}

/// A granted viewing.
pub struct FootageOpened {
    pub grant: crate::store::FootageGrant,
    pub events: Vec<crate::store::WindowEvent>,
    pub root: PathBuf,
    pub at: Option<i64>,
}

pub struct Opened {
    pub backend: String,
    /// Working against a server (the link state then matters).
    pub remote: bool,
    /// The workstation settings as saved (`workstation.toml`), for the settings area.
    pub workstation: crate::settings::Workstation,
    pub data_dir: PathBuf,
    /// Set when the demo hall was created just now.
    pub demo_created: bool,
    pub has_users: bool,
    pub calendar: Calendar,
    /// Settings problems: the defaults are used meanwhile.
    pub settings_warning: Option<String>,
    /// "2027 holiday data missing" when this or next year has no data.
    pub calendar_warning: Option<String>,
    /// The simulated cameras the console started (demo mode): `Ok(text)` or why not.
    pub simulator: Option<Result<String, String>>,
    /// Periods and schedules (the console picks the default period with them).
    pub attendance: crate::domain::attendance::AttendanceSettings,
}

pub enum Reply {
    Footage(Result<Box<FootageData>, StoreError>),
    FootageRequested(Result<crate::domain::footage::FootageRequest, StoreError>),
    FootageDecided(Result<crate::domain::footage::FootageRequest, StoreError>),
    FootageGranted(Result<Box<FootageOpened>, StoreError>),
    /// The export thread started (its result arrives through `ExportProgress::result`), or why not.
    Exported(Result<String, String>),
    HoldChanged(Result<crate::store::LegalHold, StoreError>),
    Opened(Result<Box<Opened>, String>),
    LoggedIn(Result<Session, StoreError>),
    LoggedOut,
    Overview(Result<Overview, StoreError>),
    Directory(Result<HallDirectory, StoreError>),
    AuditLog {
        result: Result<Vec<AuditRecord>, StoreError>,
        append: bool,
    },
    AuditVerified(Result<AuditVerification, StoreError>),
    Complaints(Result<Vec<Complaint>, StoreError>),
    Supervision(Result<Box<SupervisionReply>, String>),
    Alerts(Result<(RefreshReport, Vec<AlertRow>), StoreError>),
    CaseDetail(Result<Box<CaseDetail>, StoreError>),
    /// A supervision action finished (close, notice, reply), with what it changed.
    Action(Result<ActionDone, StoreError>),
    Notices(Result<Vec<Notice>, StoreError>),
    DailyCheck(Result<DailyCheck, String>),
    DailyChecks(Result<Vec<DailyCheck>, StoreError>),
    Snapshot(Result<Evidence, String>),
    Attendance(Result<Box<(AttendancePeriod, AttendanceTrend)>, StoreError>),
    Interview(Result<Interview, StoreError>),
    /// The path written (and what the printer said).
    Document(Result<String, String>),
    Printers(Vec<String>),
    Evaluator(Result<Box<(EvaluatorCheck, Vec<PoorRating>, Satisfaction)>, StoreError>),
    FollowUp(Result<PoorRating, StoreError>),
    Evidence(Result<Vec<Evidence>, StoreError>),
    /// What sending the outbox did.
    Flushed(Result<crate::store::remote::FlushReport, StoreError>),
    /// The workstation settings were saved: the backend to open now (`None`: the local database).
    WorkstationSaved(Result<Option<crate::store::remote::Connection>, String>),
}

/// The link to a server, as the console shows it; read by the UI every frame (atomics only).
#[derive(Debug, Default)]
pub struct Link {
    /// Working against a server at all.
    pub remote: AtomicBool,
    /// The server answered the last time it was asked.
    pub online: AtomicBool,
    /// The server's change counter, as last heard.
    pub revision: AtomicU64,
    /// Writes waiting in the outbox.
    pub pending: AtomicUsize,
}

impl Link {
    pub fn is_offline(&self) -> bool {
        self.remote.load(Ordering::Relaxed) && !self.online.load(Ordering::Relaxed)
    }
}

/// A frame to keep as evidence, with where it came from.
pub struct SnapshotRequest {
    pub session: Session,
    pub frame: Arc<Frame>,
    pub camera_id: i64,
    pub taken_at: chrono::DateTime<chrono::Utc>,
    pub window_code: Option<String>,
    pub staff_no: Option<String>,
    pub for_discipline: bool,
    pub category: Option<String>,
    pub note: String,
}

/// What a supervision action produced.
#[derive(Debug, Clone)]
pub enum ActionDone {
    Closed(AlertRow),
    NoticeIssued(Notice),
    Replied(Notice),
}

pub struct DataWorker {
    jobs: Sender<Job>,
    replies: Receiver<Reply>,
    in_flight: usize,
    link: Arc<Link>,
    _thread: JoinHandle<()>,
}

impl DataWorker {
    pub fn spawn(ctx: egui::Context, clock: Arc<dyn Clock>) -> std::io::Result<Self> {
        let (jobs, job_rx) = bounded::<Job>(QUEUE);
        let (reply_tx, replies) = bounded::<Reply>(QUEUE);
        let link = Arc::new(Link::default());
        let worker_link = link.clone();
        let thread = std::thread::Builder::new().name("jiancha-data".into()).spawn(move || {
            let mut worker = Worker {
                store: None,
                remote: None,
                clock,
                data_dir: PathBuf::new(),
                simulator: None,
                link: worker_link,
                ctx: ctx.clone(),
                watcher_stop: None,
            };
            for job in job_rx {
                let reply = worker.run(job);
                worker.after_job(&reply);
                if reply_tx.send(reply).is_err() {
                    break;
                }
                ctx.request_repaint();
            }
            worker.stop_watcher();
        })?;
        Ok(Self { jobs, replies, in_flight: 0, link, _thread: thread })
    }

    /// The link to the server (remote mode).
    pub fn link(&self) -> &Link {
        &self.link
    }

    /// Queues a job; `false` when the worker is too far behind (the caller says so and retries later).
    pub fn submit(&mut self, job: Job) -> bool {
        match self.jobs.try_send(job) {
            Ok(()) => {
                self.in_flight += 1;
                true
            }
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
        }
    }

    pub fn try_recv(&mut self) -> Option<Reply> {
        let reply = self.replies.try_recv().ok()?;
        self.in_flight = self.in_flight.saturating_sub(1);
        Some(reply)
    }

    pub fn is_busy(&self) -> bool {
        self.in_flight > 0
    }
}

struct Worker {
    store: Option<Arc<dyn Store>>,
    /// The same store when it is a server's (the outbox and change watching need it).
    remote: Option<Arc<crate::store::remote::RemoteStore>>,
    link: Arc<Link>,
    ctx: egui::Context,
    /// Stops the change watcher of the current server.
    watcher_stop: Option<Arc<AtomicBool>>,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
    /// The demo's simulated cameras, served for as long as the console runs.
    simulator: Option<crate::video::sim::SimServer>,
}

fn encode_png(frame: &Frame) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, frame.width, frame.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&frame.rgba)?;
    }
    Ok(out)
}

impl Worker {
    /// Demo mode: when the cameras point at the simulator's port on this machine, serve them.
    fn start_simulator(&mut self, store: &SqliteStore, data_dir: &std::path::Path) -> Option<Result<String, String>> {
        let prefix = format!("rtsp://127.0.0.1:{}/cam/", crate::demo::SIM_RTSP_PORT);
        let dir = store.directory(&store.system_session()).ok()?;
        if !dir.cameras.iter().any(|c| c.main_url.starts_with(&prefix)) {
            return None;
        }
        let cameras = crate::cli::sim_cameras(data_dir, None);
        // 15 frames a second: the encoders run in this very process, next to the decoders and the UI.
        let options = crate::video::sim::SimOptions { fps: Some(15), ..Default::default() };
        Some(match crate::video::sim::SimServer::start(crate::demo::SIM_RTSP_PORT, &cameras, &options) {
            Ok(server) => {
                let text = format!("{} 路模拟摄像头 127.0.0.1:{}", cameras.len(), server.port());
                self.simulator = Some(server);
                Ok(text)
            }
            // Another console or `jiancha cameras sim` may serve them already.
            Err(crate::video::VideoError::PortBusy(port)) => {
                Ok(format!("模拟摄像头端口 {port} 已被占用（可能已在运行）"))
            }
            Err(e) => Err(e.to_string()),
        })
    }
}

fn not_open() -> StoreError {
    StoreError::Backend("the database is not open".into())
}

impl Worker {
    fn store(&self) -> Result<&dyn Store, StoreError> {
        self.store.as_deref().ok_or_else(not_open)
    }

    fn run(&mut self, job: Job) -> Reply {
        match job {
            Job::Open { data_dir, create_demo_if_missing, start_simulator, backend } => {
                let opened = match backend {
                    Some(backend) => self.open_remote(data_dir, &backend),
                    None => self.open(data_dir, create_demo_if_missing, start_simulator),
                };
                Reply::Opened(opened.map(Box::new))
            }
            Job::SaveWorkstation { data_dir, settings } => {
                Reply::WorkstationSaved(settings.save(&data_dir).map_err(|e| e.to_string()).map(|()| {
                    settings
                        .backend
                        .url
                        .map(|url| crate::store::remote::Connection { url, ca_cert: settings.backend.ca_cert })
                }))
            }
            Job::FlushOutbox(session) => Reply::Flushed(match &self.remote {
                Some(remote) => remote.flush_outbox(&session),
                None => Ok(crate::store::remote::FlushReport::default()),
            }),
            Job::Snapshot(request) => Reply::Snapshot(self.snapshot(*request)),
            Job::Footage { session } => Reply::Footage(self.footage(&session).map(Box::new)),
            Job::RequestFootage { session, request } => {
                Reply::FootageRequested(self.store().and_then(|s| s.request_footage(&session, &request)))
            }
            Job::DecideFootage { session, id, approve, note } => {
                Reply::FootageDecided(self.store().and_then(|s| s.decide_footage(&session, id, approve, &note)))
            }
            Job::CancelFootageRequest { session, id } => {
                Reply::FootageDecided(self.store().and_then(|s| s.cancel_footage_request(&session, id)))
            }
            Job::OpenFootage { session, request_id, camera_id, span, at } => {
                Reply::FootageGranted(self.open_footage(&session, request_id, camera_id, span, at).map(Box::new))
            }
            Job::ExportFootage { session, request_id, camera_id, out, options, progress } => {
                match self.store.clone() {
                    None => Reply::Exported(Err(not_open().to_string())),
                    Some(store) => {
                        let source = self.footage_source();
                        let now = self.clock.now();
                        let result_slot = progress.result.clone();
                        let spawned = std::thread::Builder::new().name("jiancha-export".into()).spawn(move || {
                            let job = crate::video::export::ExportJob {
                                request_id,
                                camera_id,
                                span: None,
                                out: &out,
                                options,
                            };
                            let permille = progress.permille.clone();
                            let result = crate::video::export::export_request(
                                &*store,
                                &session,
                                &source,
                                &job,
                                now,
                                &progress.cancel,
                                &|p| {
                                    permille.store((p * 1000.0) as u32, std::sync::atomic::Ordering::Relaxed);
                                },
                            )
                            .map(|done| format!("{} SHA-256 {}", out.display(), done.clip.sha256))
                            .map_err(|e| e.to_string());
                            *result_slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(result);
                        });
                        // The result comes back through `ExportProgress::result`, which the console polls.
                        Reply::Exported(spawned.map(|_| String::new()).map_err(|e| e.to_string()))
                    }
                }
            }
            Job::PlaceHold { session, camera_id, span, reason } => {
                Reply::HoldChanged(self.store().and_then(|s| s.place_hold(&session, camera_id, span, &reason)))
            }
            Job::LiftHold { session, id, reason } => {
                Reply::HoldChanged(self.store().and_then(|s| s.lift_hold(&session, id, &reason)))
            }
            Job::Evidence(session) => Reply::Evidence(self.store().and_then(|s| s.evidence(&session, 200))),
            Job::Attendance { session, period_start } => Reply::Attendance(self.store().and_then(|s| {
                let period = s.attendance(&session, period_start)?;
                let trend = s.attendance_trend(&session, period.ranking.period_start, 8)?;
                Ok(Box::new((period, trend)))
            })),
            Job::RecordInterview { session, interview } => {
                Reply::Interview(self.store().and_then(|s| s.record_interview(&session, &interview)))
            }
            Job::AttendancePdf { session, period_start, notices, printer } => {
                Reply::Document(self.attendance_pdf(&session, period_start, notices, printer))
            }
            Job::Printers => Reply::Printers(crate::report::print::printers()),
            Job::Supervision { session, week, action } => {
                Reply::Supervision(self.supervision(&session, week, action).map(Box::new))
            }
            Job::Evaluator { session, date } => Reply::Evaluator(self.store().and_then(|s| {
                let check = s.evaluator_check(&session, date)?;
                let from = date - chrono::Duration::days(60);
                let poor = s.poor_ratings(&session, from, date)?;
                let satisfaction = s.satisfaction(&session, date - chrono::Duration::days(83), date)?;
                Ok(Box::new((check, poor, satisfaction)))
            })),
            Job::RecordFollowUp { session, key, step, note } => {
                Reply::FollowUp(self.store().and_then(|s| s.record_follow_up(&session, &key, step, &note)))
            }
            Job::Login { username, password } => {
                Reply::LoggedIn(self.store().and_then(|s| s.login(&username, &password)))
            }
            Job::Logout(session) => {
                if let Ok(store) = self.store()
                    && let Err(e) = store.logout(&session)
                {
                    tracing::warn!("logout: {e}");
                }
                Reply::LoggedOut
            }
            Job::Overview(session) => Reply::Overview(self.store().and_then(|s| s.overview(&session))),
            Job::Directory(session) => Reply::Directory(self.store().and_then(|s| s.directory(&session))),
            Job::AuditLog { session, query, append } => {
                Reply::AuditLog { result: self.store().and_then(|s| s.audit_log(&session, &query)), append }
            }
            Job::VerifyAudit(session) => Reply::AuditVerified(self.store().and_then(|s| s.verify_audit(&session))),
            Job::Complaints(session) => Reply::Complaints(self.store().and_then(|s| s.complaints(&session))),
            Job::Alerts { session, include_inactive } => Reply::Alerts(self.store().and_then(|s| {
                let refresh = s.refresh_alerts(&session)?;
                let rows = s.alerts(&session, &AlertQuery { include_inactive, ..AlertQuery::default() })?;
                Ok((refresh, rows))
            })),
            Job::CaseDetail { session, case_no } => {
                Reply::CaseDetail(self.store().and_then(|s| s.case_detail(&session, &case_no)).map(Box::new))
            }
            Job::CloseAlert { session, alert_id, reason } => Reply::Action(
                self.store().and_then(|s| s.close_alert(&session, alert_id, &reason)).map(ActionDone::Closed),
            ),
            Job::IssueNotice { session, notice } => Reply::Action(
                self.store().and_then(|s| s.issue_notice(&session, &notice)).map(ActionDone::NoticeIssued),
            ),
            Job::RecordReply { session, notice_id, reply } => Reply::Action(
                self.store().and_then(|s| s.record_notice_reply(&session, notice_id, &reply)).map(ActionDone::Replied),
            ),
            Job::Notices(session) => Reply::Notices(self.store().and_then(|s| s.notices(&session))),
            Job::DailyCheck { session, day } => Reply::DailyCheck(match self.store() {
                Ok(store) => crate::report::daily::run(store, &session, &self.data_dir, day)
                    .map(|(r, _)| r)
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }),
            Job::DailyChecks(session) => Reply::DailyChecks(self.store().and_then(|s| s.daily_checks(&session, 60))),
        }
    }

    /// Where footage is read: this directory's, or the server's (fetched into `cache/footage`).
    fn footage_source(&self) -> crate::video::export::FootageSource {
        match &self.remote {
            None => crate::video::export::FootageSource::Local(crate::video::recorder::footage_root(&self.data_dir)),
            Some(remote) => crate::video::export::FootageSource::Remote {
                store: remote.clone(),
                cache: self.data_dir.join("cache").join("footage"),
            },
        }
    }

    fn footage(&self, session: &Session) -> Result<FootageData, StoreError> {
        use crate::domain::access::Permission;
        let store = self.store()?;
        let requests = store.footage_requests(session, crate::store::RequestFilter::Mine)?;
        let pending = if session.role.allows(Permission::ApproveFootage) {
            Some(store.footage_requests(session, crate::store::RequestFilter::Pending)?)
        } else {
            None
        };
        let register = store.footage_register(session, 500)?;
        let now = self.clock.now();
        let day = crate::domain::footage::Span::new(now - chrono::Duration::hours(24), now);
        let health = store.recording_health(session, day)?;
        let holds = store.holds(session)?;
        Ok(FootageData { requests, pending, register, health, holds })
    }

    fn open_footage(
        &self,
        session: &Session,
        request_id: i64,
        camera_id: i64,
        span: crate::domain::footage::Span,
        at: Option<i64>,
    ) -> Result<FootageOpened, StoreError> {
        let store = self.store()?;
        let grant =
            store.open_footage(session, request_id, camera_id, span, crate::domain::footage::Use::View, None)?;
        let window =
            store.directory(session)?.cameras.into_iter().find(|c| c.id == camera_id).and_then(|c| c.window_code);
        let events = match window {
            Some(w) => store.window_events(session, &w, span)?,
            None => Vec::new(),
        };
        let root = self.footage_source().prepare(session, &grant, &AtomicBool::new(false), &|_| {})?;
        Ok(FootageOpened { grant, events, root, at })
    }

    /// Writes the ranking or the interview notices of a period as PDF; prints it when asked.
    fn attendance_pdf(
        &mut self,
        session: &Session,
        period_start: NaiveDate,
        notices: bool,
        printer: Option<Option<String>>,
    ) -> Result<String, String> {
        let store = self.store().map_err(|e| e.to_string())?;
        let period = store.attendance(session, period_start).map_err(|e| e.to_string())?;
        let hall = store
            .directory(session)
            .map_err(|e| e.to_string())?
            .halls
            .first()
            .map(|h| h.name.clone())
            .unwrap_or_default();
        let now = self.clock.now();
        let (sheet, name) = if notices {
            (crate::report::attendance::interview_notices(&hall, &period.ranking, now), "interview-notices")
        } else {
            (
                crate::report::attendance::ranking_sheet(
                    &hall,
                    &period.ranking,
                    now,
                    period.calendar_warning.as_deref(),
                ),
                "ranking",
            )
        };
        let relative = std::path::PathBuf::from("reports")
            .join("attendance")
            .join(format!("{}-{name}.pdf", period.ranking.period_start));
        let path = self.data_dir.join(&relative);
        crate::report::write_pdf(&path, &sheet)?;
        match printer {
            None => Ok(path.display().to_string()),
            Some(queue) => {
                let said = crate::report::print::print(&path, queue.as_deref())?;
                Ok(format!("{} → {said}", path.display()))
            }
        }
    }

    /// Encodes the frame as PNG under `evidence/snapshots/`, hashes it and records it.
    fn snapshot(&mut self, request: SnapshotRequest) -> Result<Evidence, String> {
        let store = self.store().map_err(|e| e.to_string())?;
        let local = crate::domain::time::local_datetime(request.taken_at);
        let relative = std::path::PathBuf::from("evidence")
            .join("snapshots")
            .join(local.format("%Y%m%d").to_string())
            .join(format!("{}-cam{}-{}.png", local.format("%H%M%S%.3f"), request.camera_id, request.frame.seq));
        let png = encode_png(&request.frame).map_err(|e| format!("PNG: {e}"))?;
        let path = self.data_dir.join(&relative);
        let sha256 = crate::report::write_atomically(&path, &png).map_err(|e| format!("{}: {e}", path.display()))?;
        let evidence = NewEvidence {
            kind: EvidenceKind::Snapshot,
            camera_id: request.camera_id,
            taken_at: request.taken_at,
            path: relative.display().to_string(),
            sha256,
            bytes: png.len() as u64,
            width: request.frame.width,
            height: request.frame.height,
            window_code: request.window_code,
            staff_no: request.staff_no,
            for_discipline: request.for_discipline,
            category: request.category,
            note: request.note,
        };
        store.record_evidence(&request.session, &evidence).map_err(|e| e.to_string())
    }

    /// Notes what a reply says about the link: an unreachable server is offline at once; and the
    /// outbox size after every job.
    fn after_job(&self, reply: &Reply) {
        let Some(remote) = &self.remote else { return };
        if let Some(outbox) = remote.outbox() {
            self.link.pending.store(outbox.len(), Ordering::Relaxed);
        }
        let offline = match reply {
            Reply::Alerts(Err(e)) | Reply::LoggedIn(Err(e)) | Reply::Flushed(Err(e)) => e.is_offline(),
            Reply::Overview(Err(e)) | Reply::Directory(Err(e)) | Reply::Action(Err(e)) => e.is_offline(),
            _ => false,
        };
        if offline {
            self.link.online.store(false, Ordering::Relaxed);
        }
    }

    fn stop_watcher(&mut self) {
        if let Some(stop) = self.watcher_stop.take() {
            stop.store(true, Ordering::Relaxed);
        }
    }

    /// Works against a server: its store with the outbox of this directory, and a thread that waits
    /// on the server's change counter (so that other consoles' writes and pushed events show at once,
    /// and a lost link shows within seconds).
    fn open_remote(&mut self, data_dir: PathBuf, backend: &crate::store::remote::Connection) -> Result<Opened, String> {
        let outbox = crate::store::outbox::Outbox::open(&data_dir.join(crate::store::outbox::OUTBOX_FILE))
            .map_err(|e| e.to_string())?;
        let remote = crate::store::remote::RemoteStore::connect(backend)
            .map_err(|e| format!("连接服务器失败 (cannot use the server {}): {e}", backend.url))?
            .with_outbox(Arc::new(outbox));
        let remote = Arc::new(remote);
        let (settings, calendar, settings_warning) = local_settings(&data_dir);
        self.stop_watcher();
        let stop = Arc::new(AtomicBool::new(false));
        self.watcher_stop = Some(stop.clone());
        let (watch, link, ctx) = (remote.clone(), self.link.clone(), self.ctx.clone());
        link.remote.store(true, Ordering::Relaxed);
        link.pending.store(remote.outbox().map_or(0, crate::store::outbox::Outbox::len), Ordering::Relaxed);
        std::thread::Builder::new()
            .name("jiancha-changes".into())
            .spawn(move || watch_changes(&watch, &link, &ctx, &stop))
            .map_err(|e| e.to_string())?;
        let opened = Opened {
            backend: remote.describe(),
            remote: true,
            workstation: saved_workstation(&data_dir),
            data_dir: data_dir.clone(),
            demo_created: false,
            has_users: true,
            calendar,
            settings_warning,
            calendar_warning: None,
            simulator: None,
            attendance: settings.attendance.to_settings().unwrap_or_default(),
        };
        self.store = Some(remote.clone());
        self.remote = Some(remote);
        self.data_dir = data_dir;
        Ok(opened)
    }

    fn open(
        &mut self,
        data_dir: PathBuf,
        create_demo_if_missing: bool,
        start_simulator: bool,
    ) -> Result<Opened, String> {
        let (settings, calendar, settings_warning) = local_settings(&data_dir);
        let rules = RuleBook {
            calendar: calendar.clone(),
            settings: settings.alerts,
            attendance: settings.attendance.to_settings().unwrap_or_default(),
            evaluator: settings.evaluator,
            footage: settings.footage,
            complaints: settings.complaints,
        };
        let mut demo_created = false;
        if create_demo_if_missing && !data_dir.join(DB_FILE).exists() {
            tracing::info!(dir = %data_dir.display(), "creating the demo hall");
            crate::demo::write_demo(&data_dir, crate::demo::DEFAULT_SEED, self.clock.clone(), &rules)
                .map_err(|e| format!("创建演示大厅失败 (creating the demo hall failed): {e}"))?;
            // Footage of the demo's complaints, so that lookup works at once; the hall opens without it
            // should GStreamer be missing something.
            if let Err(e) = crate::demo::record_footage(&data_dir, self.clock.clone(), &rules) {
                tracing::warn!(error = %e, "the demo hall has no footage");
            }
            demo_created = true;
        }
        let store = SqliteStore::open_dir(&data_dir, self.clock.clone())
            .map_err(|e| format!("打开数据库失败 (cannot open the database in {}): {e}", data_dir.display()))?;
        let rules_attendance = rules.attendance.clone();
        store.set_rules(rules);
        let has_users = store.users(&store.system_session()).map(|u| !u.is_empty()).unwrap_or(false);
        let this_year = chrono::Datelike::year(&crate::domain::time::local_date(self.clock.now()));
        let missing: std::collections::BTreeSet<i32> =
            [this_year, this_year + 1].into_iter().filter(|y| !calendar.is_year_known(*y)).collect();
        let simulator = if start_simulator { self.start_simulator(&store, &data_dir) } else { None };
        let attendance = rules_attendance;
        let opened = Opened {
            backend: store.describe(),
            remote: false,
            workstation: saved_workstation(&data_dir),
            data_dir,
            demo_created,
            has_users,
            calendar,
            settings_warning,
            calendar_warning: missing_years_warning(&missing),
            simulator,
            attendance,
        };
        self.stop_watcher();
        self.link.remote.store(false, Ordering::Relaxed);
        self.remote = None;
        self.store = Some(Arc::new(store));
        self.data_dir = opened.data_dir.clone();
        Ok(opened)
    }
}

/// The saved workstation settings (a bad file was reported when the program started).
fn saved_workstation(data_dir: &std::path::Path) -> crate::settings::Workstation {
    crate::settings::Workstation::load(data_dir).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "workstation settings");
        crate::settings::Workstation::default()
    })
}

/// The data directory's rules and calendar; problems are reported and the defaults used meanwhile.
fn local_settings(data_dir: &std::path::Path) -> (crate::settings::Settings, Calendar, Option<String>) {
    let (settings, settings_error) = match crate::settings::Settings::load(data_dir) {
        Ok(s) => (s, None),
        Err(e) => (crate::settings::Settings::default(), Some(e.to_string())),
    };
    let (calendar, calendar_error) = match crate::settings::calendar(data_dir, &settings) {
        Ok(c) => (c, None),
        Err(e) => (Calendar::official(), Some(e.to_string())),
    };
    let warning = match (settings_error, calendar_error) {
        (None, None) => None,
        (a, b) => Some([a, b].into_iter().flatten().collect::<Vec<_>>().join("; ")),
    };
    (settings, calendar, warning)
}

/// Waits on the server's change counter until stopped: marks the link online or offline and wakes the
/// UI when the counter moves.
fn watch_changes(remote: &crate::store::remote::RemoteStore, link: &Link, ctx: &egui::Context, stop: &AtomicBool) {
    let mut since = 0;
    // The first question is answered at once, so that the console knows the link from the start.
    let mut wait = 0;
    while !stop.load(Ordering::Relaxed) {
        let answer = remote.wait_for_change(since, wait);
        wait = 20;
        match answer {
            Ok(revision) => {
                let was_offline = !link.online.swap(true, Ordering::Relaxed);
                if revision != since || was_offline {
                    since = revision;
                    link.revision.store(revision, Ordering::Relaxed);
                    ctx.request_repaint();
                }
            }
            Err(e) => {
                if link.online.swap(false, Ordering::Relaxed) {
                    tracing::warn!(error = %e, "the server cannot be reached");
                    ctx.request_repaint();
                }
                std::thread::sleep(std::time::Duration::from_secs(2));
            }
        }
    }
}

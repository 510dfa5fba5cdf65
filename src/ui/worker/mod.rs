//! The data worker: one named thread that owns the store and runs every store call, so that the UI
//! thread never blocks on SQL (or, in remote mode, HTTP), files, PDFs or the printer. Jobs go in and
//! replies come out on bounded channels; each reply wakes the UI with `request_repaint`. The console's
//! own jobs are here (opening the data, logging in, the outbox); each area's are in its `jobs.rs`.

use crate::store::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};

use crate::clock::Clock;
use crate::domain::alerts::RuleBook;
use crate::domain::calendar::{Calendar, missing_years_warning};
use crate::store::sqlite::{DB_FILE, SqlStore};
use crate::store::{HallDirectory, Overview, Session, Store, StoreError};

use super::areas::{AreaJob, AreaReply};

pub mod context;

pub use context::{JobError, Link, Opened, Worker};

/// Jobs waiting for the worker; beyond this the UI is told the worker is busy.
const QUEUE: usize = 32;

/// The console's own jobs, and the areas'.
pub enum Job {
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
    Login {
        username: String,
        password: String,
    },
    Logout(Session),
    Overview(Session),
    Directory(Session),
    /// The workstation's printers (CUPS).
    Printers,
    /// Replace one's own reset password.
    ChangeOwnPassword {
        session: Session,
        current: String,
        password: String,
    },
    /// First start: set up an empty data directory with its first administrator and hall, then open it.
    SetUpHall {
        data_dir: PathBuf,
        admin: crate::store::NewUser,
        hall: crate::domain::model::Hall,
        start_simulator: bool,
    },
    Area(AreaJob),
}

pub enum Reply {
    Opened(Result<Box<Opened>, JobError>),
    /// The directory holds no database and no server is configured: the first-start screen.
    NothingToOpen(PathBuf),
    PasswordChanged(Result<(), StoreError>),
    /// The new hall is set up and open.
    HallSetUp(Result<Box<Opened>, JobError>),
    LoggedIn(Result<Session, StoreError>),
    LoggedOut,
    Overview(Result<Overview, StoreError>),
    Directory(Result<HallDirectory, StoreError>),
    Printers(Vec<String>),
    /// What sending the outbox did.
    Flushed(Result<crate::store::remote::FlushReport, StoreError>),
    /// The workstation settings were saved: the backend to open now (`None`: the local database).
    WorkstationSaved(Result<Option<crate::store::remote::Connection>, JobError>),
    Area(AreaReply),
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
                watchers: None,
                system: None,
                alert_clock: None,
                notify: None,
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

    /// The next reply, waiting at most `timeout` (tests and tools that drive the worker directly).
    pub fn recv_timeout(&mut self, timeout: std::time::Duration) -> Option<Reply> {
        let reply = self.replies.recv_timeout(timeout).ok()?;
        self.in_flight = self.in_flight.saturating_sub(1);
        Some(reply)
    }

    pub fn is_busy(&self) -> bool {
        self.in_flight > 0
    }
}

impl Worker {
    /// Demo mode: when the cameras point at the simulator's port on this machine, serve them.
    fn start_simulator(&mut self, store: &SqlStore, data_dir: &std::path::Path) -> Option<Result<String, String>> {
        let prefix = format!("rtsp://127.0.0.1:{}/cam/", crate::demo::SIM_RTSP_PORT);
        let dir = store.directory(&store.system_session()).ok()?;
        if !dir.cameras.iter().any(|c| c.main_url.starts_with(&prefix)) {
            return None;
        }
        let cameras = crate::demo::sim_cameras(data_dir, None);
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

impl Worker {
    fn run(&mut self, job: Job) -> Reply {
        match job {
            Job::Open { data_dir, create_demo_if_missing, start_simulator, backend } => {
                if backend.is_none() && !create_demo_if_missing && !data_dir.join(DB_FILE).exists() {
                    return Reply::NothingToOpen(data_dir);
                }
                let opened = match backend {
                    Some(backend) => self.open_remote(data_dir, &backend),
                    None => self.open(data_dir, create_demo_if_missing, start_simulator),
                };
                Reply::Opened(opened.map(Box::new).map_err(JobError::Local))
            }
            Job::SaveWorkstation { data_dir, settings } => {
                Reply::WorkstationSaved(settings.save(&data_dir).map_err(JobError::local).map(|()| {
                    settings
                        .backend
                        .url
                        .filter(|url| !url.trim().is_empty())
                        .map(|url| crate::store::remote::Connection { url, ca_cert: settings.backend.ca_cert })
                }))
            }
            Job::FlushOutbox(session) => Reply::Flushed(match &self.remote {
                Some(remote) => remote.flush_outbox(&session),
                None => Ok(crate::store::remote::FlushReport::default()),
            }),
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
            Job::Printers => Reply::Printers(crate::report::print::printers()),
            Job::Directory(session) => Reply::Directory(self.store().and_then(|s| {
                let mut directory = s.directory(&session)?;
                playable(s, &session, &mut directory);
                Ok(directory)
            })),
            Job::ChangeOwnPassword { session, current, password } => Reply::PasswordChanged(
                self.store().and_then(|s| s.set_password(&session, &session.username, Some(&current), &password)),
            ),
            Job::SetUpHall { data_dir, admin, hall, start_simulator } => {
                let config = crate::domain::hall::HallConfig {
                    hall,
                    departments: Vec::new(),
                    windows: Vec::new(),
                    cameras: Vec::new(),
                };
                let set_up =
                    crate::store::sqlite::init::initialise(&data_dir, self.clock.clone(), &admin, Some(&config));
                Reply::HallSetUp(match set_up {
                    Ok((store, _)) => {
                        drop(store);
                        self.open(data_dir, false, start_simulator).map(Box::new).map_err(JobError::Local)
                    }
                    Err(crate::store::sqlite::init::InitError::Refused(e)) => Err(JobError::Store(e)),
                    Err(e) => Err(JobError::Local(e.to_string())),
                })
            }
            Job::Area(job) => Reply::Area(job.run(self)),
        }
    }

    /// Notes what a reply says about the link: an unreachable server is offline at once; and the
    /// outbox size after every job.
    fn after_job(&self, reply: &Reply) {
        let Some(remote) = &self.remote else { return };
        if let Some(outbox) = remote.outbox() {
            self.link.pending.store(outbox.len(), Ordering::Relaxed);
        }
        let offline = match reply {
            Reply::LoggedIn(Err(e)) | Reply::Flushed(Err(e)) | Reply::Overview(Err(e)) | Reply::Directory(Err(e)) => {
                e.is_offline()
            }
            Reply::Area(reply) => reply.is_offline(),
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
        let (watch, link, ctx, clock) = (remote.clone(), self.link.clone(), self.ctx.clone(), self.clock.clone());
        link.remote.store(true, Ordering::Relaxed);
        link.pending.store(remote.outbox().map_or(0, crate::store::outbox::Outbox::len), Ordering::Relaxed);
        std::thread::Builder::new()
            .name("jiancha-changes".into())
            .spawn(move || watch_changes(&watch, &link, &ctx, &stop, clock.as_ref()))
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
        self.watchers = None;
        self.system = None;
        self.alert_clock = None;
        self.notify = None;
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
            assessment: settings.assessment,
            notify: settings.notify,
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
        let store = SqlStore::open_dir(&data_dir, self.clock.clone())
            .map_err(|e| format!("打开数据库失败 (cannot open the database in {}): {e}", data_dir.display()))?;
        let rules_attendance = rules.attendance.clone();
        store.set_rules(rules);
        // With the years an administrator entered in the database.
        let calendar = store.rule_book().calendar.clone();
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
        self.watchers = None;
        self.system = Some(store.system_session());
        let store = Arc::new(store);
        self.alert_clock = None;
        match crate::store::sqlite::AlertClock::start(store.clone(), crate::store::sqlite::AlertClock::EVERY) {
            Ok(clock) => self.alert_clock = Some(clock),
            Err(e) => tracing::warn!("the alert clock did not start: {e}"),
        }
        // A console holding the database sends the hall's notifications itself.
        self.notify = None;
        match crate::notify::Sender::start(
            store.clone(),
            crate::store::local_workstation(),
            crate::notify::Sender::EVERY,
        ) {
            Ok(sender) => self.notify = Some(sender),
            Err(e) => tracing::warn!("the notification sender did not start: {e}"),
        }
        self.store = Some(store);
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

/// How long the console gathers the server's changes before it asks for the next ones, at most (at
/// least half of it).
const FOLLOW_COALESCE: std::time::Duration = std::time::Duration::from_millis(500);

/// Waits on the server's change counter until stopped: marks the link online or offline and wakes the
/// UI when the counter moves.
fn watch_changes(
    remote: &crate::store::remote::RemoteStore,
    link: &Link,
    ctx: &egui::Context,
    stop: &AtomicBool,
    clock: &dyn Clock,
) {
    let mut since = 0;
    // The first question is answered at once, so that the console knows the link from the start.
    let mut wait = 0;
    while !stop.load(Ordering::Relaxed) {
        let asked = clock.monotonic();
        let answer = remote.wait_for_change(since, wait);
        let first = wait == 0;
        wait = 20;
        match answer {
            Ok(revision) => {
                // Before login the server answers at once (it holds only logged-in users' waits):
                // ask again in a while rather than at once.
                if !first && revision == since && clock.elapsed(asked) < std::time::Duration::from_secs(1) {
                    clock.sleep(std::time::Duration::from_secs(3));
                }
                let was_offline = !link.online.swap(true, Ordering::Relaxed);
                if revision != since || was_offline {
                    since = revision;
                    link.revision.store(revision, Ordering::Relaxed);
                    ctx.request_repaint();
                    // Changes that come while the console takes this one in are taken together: a hall
                    // changing a hundred times a second costs a console about three reloads a second,
                    // not a hundred, and none waits more than this pause. Each console pauses its own
                    // while, so that a change does not send every console to the server at one instant.
                    if !first {
                        use rand::Rng as _;
                        let jitter = rand::thread_rng().gen_range(0..=FOLLOW_COALESCE.as_millis() as u64 / 2);
                        clock.sleep(FOLLOW_COALESCE / 2 + std::time::Duration::from_millis(jitter));
                    }
                }
            }
            Err(e) => {
                if link.online.swap(false, Ordering::Relaxed) {
                    tracing::warn!(error = %e, "the server cannot be reached");
                    ctx.request_repaint();
                }
                clock.sleep(std::time::Duration::from_secs(2));
            }
        }
    }
}

/// Puts the cameras' playable URLs (credentials included) into the directory, for those who watch:
/// kept in memory only, for the wall's and the player's decoders. Without them (an auditor, or the
/// camera key missing) the wall opens the URLs as they are and a camera that needs a password says so.
fn playable(store: &dyn Store, session: &Session, directory: &mut HallDirectory) {
    if !session.role.allows(crate::domain::access::Permission::WatchLive) {
        return;
    }
    match store.camera_streams(session) {
        Ok(streams) => {
            for camera in &mut directory.cameras {
                if let Some(s) = streams.iter().find(|s| s.id == camera.id) {
                    camera.main_url = s.main_url.clone();
                    camera.sub_url = s.sub_url.clone();
                }
            }
        }
        Err(e) => tracing::warn!("the cameras' stream URLs: {e}"),
    }
}

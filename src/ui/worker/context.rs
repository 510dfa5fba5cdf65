//! What a job works with on the data worker's thread: the opened store, the clock, the data directory
//! (reports, evidence and the footage cache are written under it), and how a job fails.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::clock::Clock;
use crate::store::{Store, StoreError};

/// Why a job failed: the store's answer, typed (a lost session sends the user back to the login
/// screen, a write kept in the outbox is `StoreError::Queued`), or work on this workstation that failed
/// (a file, a PDF, the printer, a thread).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Local(String),
}

impl JobError {
    /// Local work that failed, with its message.
    pub fn local(message: impl std::fmt::Display) -> Self {
        JobError::Local(message.to_string())
    }

    /// The store's error, when it is one.
    pub fn store(&self) -> Option<&StoreError> {
        match self {
            JobError::Store(e) => Some(e),
            JobError::Local(_) => None,
        }
    }

    /// The write waits in the outbox (remote mode, server away): done as far as the console goes.
    pub fn is_queued(&self) -> bool {
        matches!(self, JobError::Store(StoreError::Queued(_)))
    }
}

/// The worker's side: the store and what the jobs work with. Areas' jobs reach it through `store()`
/// and the fields below.
pub struct Worker {
    pub(super) store: Option<Arc<dyn Store>>,
    /// The same store when it is a server's (the outbox and change watching need it).
    pub(in crate::ui) remote: Option<Arc<crate::store::remote::RemoteStore>>,
    pub(super) link: Arc<Link>,
    pub(super) ctx: egui::Context,
    /// Stops the change watcher of the current server.
    pub(super) watcher_stop: Option<Arc<AtomicBool>>,
    pub(in crate::ui) clock: Arc<dyn Clock>,
    /// The data directory: reports, evidence and the footage cache are written under it.
    pub(in crate::ui) data_dir: PathBuf,
    /// The demo's simulated cameras, served for as long as the console runs.
    pub(super) simulator: Option<crate::video::sim::SimServer>,
    /// The camera watchers of the cameras no recorder watches (live only), with the user whose console
    /// runs them. They report as this process's system actor: only a console that holds the database
    /// watches (a server's consoles leave it to the server).
    pub(in crate::ui) watchers: Option<(String, crate::video::watch_live::WatchHost)>,
    /// The local system actor of the database this console opened itself (`None` against a server).
    pub(in crate::ui) system: Option<crate::store::Session>,
    /// The time-driven alerts of the database this console opened itself, kept on time whether or not
    /// anyone is logged in (`None` against a server, whose own clock does it).
    pub(super) alert_clock: Option<crate::store::sqlite::AlertClock>,
    /// The notification sender of a console holding the database (issue 33).
    pub(super) notify: Option<crate::notify::Sender>,
}

fn not_open() -> StoreError {
    StoreError::Backend("the database is not open".into())
}

impl Worker {
    /// The opened store.
    pub(in crate::ui) fn store(&self) -> Result<&dyn Store, StoreError> {
        self.store.as_deref().ok_or_else(not_open)
    }

    /// The opened store, shared (for work on a thread of its own).
    pub(in crate::ui) fn shared_store(&self) -> Result<Arc<dyn Store>, StoreError> {
        self.store.clone().ok_or_else(not_open)
    }

    /// Where footage is read: this directory's, or the server's (fetched into `cache/footage`).
    pub(in crate::ui) fn footage_source(&self) -> crate::video::export::FootageSource {
        match &self.remote {
            None => crate::video::export::FootageSource::Local(crate::video::recorder::footage_root(&self.data_dir)),
            Some(remote) => crate::video::export::FootageSource::Remote {
                store: remote.clone(),
                cache: self.data_dir.join("cache").join("footage"),
            },
        }
    }
}

/// What the console needs to know about the opened backend.
#[derive(Debug, Clone)]
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
    pub calendar: crate::domain::calendar::Calendar,
    /// Settings problems: the defaults are used meanwhile.
    pub settings_warning: Option<String>,
    /// "2027 holiday data missing" when this or next year has no data.
    pub calendar_warning: Option<String>,
    /// The simulated cameras the console started (demo mode): `Ok(text)` or why not.
    pub simulator: Option<Result<String, String>>,
    /// Periods and schedules (the console picks the default period with them).
    pub attendance: crate::domain::attendance::AttendanceSettings,
}

/// The link to a server, as the console shows it; read by the UI every frame (atomics only).
#[derive(Debug, Default)]
pub struct Link {
    /// Working against a server at all.
    pub remote: std::sync::atomic::AtomicBool,
    /// The server answered the last time it was asked.
    pub online: std::sync::atomic::AtomicBool,
    /// The server's change counter, as last heard.
    pub revision: std::sync::atomic::AtomicU64,
    /// Writes waiting in the outbox.
    pub pending: std::sync::atomic::AtomicUsize,
}

impl Link {
    pub fn is_offline(&self) -> bool {
        self.remote.load(std::sync::atomic::Ordering::Relaxed)
            && !self.online.load(std::sync::atomic::Ordering::Relaxed)
    }
}

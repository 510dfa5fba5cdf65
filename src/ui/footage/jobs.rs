//! The data worker's side of footage: requests and decisions, granted viewings (segments fetched from
//! the server in remote mode), exports on a thread of their own, holds, and the export dialog's drive
//! and folder listings.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use crate::store::{Session, StoreError};
use crate::ui::worker::context::{JobError, Worker};

use super::state::{ExportProgress, FolderListing};

pub enum FootageJob {
    /// Requests (mine, and pending/all for those who may see them), holds, the register, health.
    Load {
        session: Session,
    },
    Request {
        session: Session,
        request: crate::store::NewFootageRequest,
    },
    Decide {
        session: Session,
        id: i64,
        approve: bool,
        note: String,
    },
    CancelRequest {
        session: Session,
        id: i64,
    },
    /// Check the request, register the viewing (one line for all its cameras), and return each camera's
    /// segments and the windows' case events.
    Open {
        session: Session,
        request_id: i64,
        cameras: Vec<i64>,
        span: crate::domain::footage::Span,
        at: Option<i64>,
    },
    /// Export on a thread of its own (the worker stays free); progress and cancel through the handles.
    Export {
        session: Session,
        request_id: i64,
        cameras: Vec<i64>,
        out: PathBuf,
        options: crate::video::export::ExportOptions,
        progress: ExportProgress,
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
    /// The mounted removable drives.
    Drives,
    /// The folders beside a destination (its directory, or the home directory).
    Folders {
        destination: String,
    },
}

pub enum FootageReply {
    Data(Result<Box<FootageData>, StoreError>),
    Requested(Result<crate::domain::footage::FootageRequest, StoreError>),
    Decided(Result<crate::domain::footage::FootageRequest, StoreError>),
    Granted(Result<Box<FootageOpened>, StoreError>),
    /// The export thread started (its result arrives through `ExportProgress::result`), or why not.
    Exported(Result<(), JobError>),
    HoldChanged(Result<crate::store::LegalHold, StoreError>),
    Drives(Vec<PathBuf>),
    Folders(FolderListing),
}

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
    pub grants: crate::store::FootageGrants,
    pub events: Vec<crate::store::WindowEvent>,
    pub root: PathBuf,
    pub at: Option<i64>,
}

pub(super) fn run(worker: &mut Worker, job: FootageJob) -> FootageReply {
    match job {
        FootageJob::Load { session } => FootageReply::Data(footage(worker, &session).map(Box::new)),
        FootageJob::Request { session, request } => {
            FootageReply::Requested(worker.store().and_then(|s| s.request_footage(&session, &request)))
        }
        FootageJob::Decide { session, id, approve, note } => {
            FootageReply::Decided(worker.store().and_then(|s| s.decide_footage(&session, id, approve, &note)))
        }
        FootageJob::CancelRequest { session, id } => {
            FootageReply::Decided(worker.store().and_then(|s| s.cancel_footage_request(&session, id)))
        }
        FootageJob::Open { session, request_id, cameras, span, at } => {
            FootageReply::Granted(open_footage(worker, &session, request_id, &cameras, span, at).map(Box::new))
        }
        FootageJob::Export { session, request_id, cameras, out, options, progress } => {
            match worker.shared_store() {
                Err(e) => FootageReply::Exported(Err(e.into())),
                Ok(store) => {
                    let source = worker.footage_source();
                    let now = worker.clock.now();
                    let result_slot = progress.result.clone();
                    let spawned = std::thread::Builder::new().name("jiancha-export".into()).spawn(move || {
                        let job = crate::video::export::ExportJob {
                            request_id,
                            cameras: &cameras,
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
                        .map(|done| match done.clips.as_slice() {
                            [one] => format!("{} SHA-256 {}", one.path.display(), done.sha256),
                            clips => format!(
                                "{} {} (+{}) SHA-256 {}",
                                done.manifest.display(),
                                clips.len(),
                                clips.iter().map(|c| c.path.display().to_string()).collect::<Vec<_>>().join(", "),
                                done.sha256
                            ),
                        })
                        .map_err(|e| match e {
                            crate::video::export::RequestExportError::Store(e) => JobError::Store(e),
                            other => JobError::local(other),
                        });
                        *result_slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(result);
                    });
                    // The result comes back through `ExportProgress::result`, which the console polls.
                    FootageReply::Exported(spawned.map(|_| ()).map_err(JobError::local))
                }
            }
        }
        FootageJob::PlaceHold { session, camera_id, span, reason } => {
            FootageReply::HoldChanged(worker.store().and_then(|s| s.place_hold(&session, camera_id, span, &reason)))
        }
        FootageJob::LiftHold { session, id, reason } => {
            FootageReply::HoldChanged(worker.store().and_then(|s| s.lift_hold(&session, id, &reason)))
        }
        FootageJob::Drives => FootageReply::Drives(removable_drives()),
        FootageJob::Folders { destination } => FootageReply::Folders(folders_beside(&destination)),
    }
}

/// Mounted removable drives (where copies usually go): `/media/<user>/<drive>`, `/run/media/<user>/<drive>`.
pub fn removable_drives() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for base in ["/media", "/run/media"] {
        let Ok(users) = std::fs::read_dir(base) else { continue };
        for user in users.flatten() {
            let Ok(drives) = std::fs::read_dir(user.path()) else { continue };
            out.extend(drives.flatten().map(|d| d.path()).filter(|p| p.is_dir()));
        }
    }
    out.sort();
    out
}

/// The visible folders in the destination's directory (or the home directory when it is none).
fn folders_beside(destination: &str) -> FolderListing {
    let path = PathBuf::from(destination);
    let dir = path
        .parent()
        .filter(|p| p.is_dir())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| dirs::home_dir().unwrap_or_default());
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|e| e.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    folders.retain(|d| d.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')));
    folders.sort();
    FolderListing { parent: dir.parent().map(std::path::Path::to_path_buf), dir, folders }
}

fn footage(worker: &Worker, session: &Session) -> Result<FootageData, StoreError> {
    use crate::domain::access::Permission;
    let store = worker.store()?;
    let requests = store.footage_requests(session, crate::store::RequestFilter::Mine)?;
    let pending = if session.role.allows(Permission::ApproveFootage) {
        Some(store.footage_requests(session, crate::store::RequestFilter::Pending)?)
    } else {
        None
    };
    let register = store.footage_register(session, 500)?;
    let now = worker.clock.now();
    let day = crate::domain::footage::Span::new(now - chrono::Duration::hours(24), now);
    let health = store.recording_health(session, day)?;
    let holds = store.holds(session)?;
    Ok(FootageData { requests, pending, register, health, holds })
}

fn open_footage(
    worker: &Worker,
    session: &Session,
    request_id: i64,
    cameras: &[i64],
    span: crate::domain::footage::Span,
    at: Option<i64>,
) -> Result<FootageOpened, StoreError> {
    let store = worker.store()?;
    let mut grants =
        store.open_footage_cameras(session, request_id, cameras, span, crate::domain::footage::Use::View, None)?;
    let directory = store.directory(session)?;
    let mut windows: Vec<String> = cameras
        .iter()
        .filter_map(|id| directory.cameras.iter().find(|c| c.id == *id).and_then(|c| c.window_code.clone()))
        .collect();
    windows.dedup();
    let mut events = Vec::new();
    for w in &windows {
        events.extend(store.window_events(session, w, span)?);
    }
    events.sort_by_key(|e| e.at);
    let root = worker.footage_source().prepare_all(session, &mut grants, &AtomicBool::new(false), &|_| {})?;
    Ok(FootageOpened { grants, events, root, at })
}

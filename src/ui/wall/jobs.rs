//! The data worker's side of the wall: snapshots kept as evidence (PNG, SHA-256, the store's record).

use std::sync::Arc;

use crate::store::{Evidence, EvidenceKind, NewEvidence, Session, StoreError};
use crate::ui::worker::context::{JobError, Worker};
use crate::video::decoder::Frame;

pub enum WallJob {
    /// Save a frame as evidence.
    Snapshot(Box<SnapshotRequest>),
    Evidence(Session),
    /// Start or refresh the camera watchers of the live-only cameras (those no recorder watches).
    Watch(Session),
}

pub enum WallReply {
    Snapshot(Result<Evidence, JobError>),
    Evidence(Result<Vec<Evidence>, StoreError>),
    Watching(Result<usize, StoreError>),
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

pub(super) fn run(worker: &mut Worker, job: WallJob) -> WallReply {
    match job {
        WallJob::Snapshot(request) => WallReply::Snapshot(snapshot(worker, *request)),
        WallJob::Evidence(session) => WallReply::Evidence(worker.store().and_then(|s| s.evidence(&session, 200))),
        WallJob::Watch(session) => WallReply::Watching(watch(worker, session)),
    }
}

/// The console's camera watchers: made for the user logged in, refreshed on every call.
fn watch(worker: &mut Worker, session: Session) -> Result<usize, StoreError> {
    use crate::video::watch_live::{WatchHost, Which};
    // Against a server, the server watches; here only while someone who may watch is logged in.
    let Some(system) =
        worker.system.clone().filter(|_| session.role.allows(crate::domain::access::Permission::WatchLive))
    else {
        worker.watchers = None;
        return Ok(0);
    };
    let store = worker.shared_store()?;
    let keep = worker.watchers.as_ref().is_some_and(|(user, _)| *user == session.username);
    if !keep {
        let host = WatchHost::new(store, system, worker.clock.clone(), Which::LiveOnly);
        worker.watchers = Some((session.username.clone(), host));
    }
    match &mut worker.watchers {
        Some((_, host)) => host.refresh(),
        None => Ok(0),
    }
}

fn encode_png(frame: &Frame) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, frame.width, frame.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        let rgba = frame.rgba().ok_or_else(|| std::io::Error::other("the frame's pixels cannot be read"))?;
        writer.write_image_data(&rgba)?;
    }
    Ok(out)
}

/// Encodes the frame as PNG under `evidence/snapshots/`, hashes it and records it.
fn snapshot(worker: &Worker, request: SnapshotRequest) -> Result<Evidence, JobError> {
    let store = worker.store()?;
    let local = crate::domain::time::local_datetime(request.taken_at);
    let relative = std::path::PathBuf::from("evidence")
        .join("snapshots")
        .join(local.format("%Y%m%d").to_string())
        .join(format!("{}-cam{}-{}.png", local.format("%H%M%S%.3f"), request.camera_id, request.frame.seq));
    let png = encode_png(&request.frame).map_err(|e| JobError::local(format!("PNG: {e}")))?;
    let path = worker.data_dir.join(&relative);
    let sha256 =
        crate::files::write_atomically(&path, &png).map_err(|e| JobError::local(format!("{}: {e}", path.display())))?;
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
    Ok(store.record_evidence(&request.session, &evidence)?)
}

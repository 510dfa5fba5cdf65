//! The recorder: every camera's main stream written as MPEG-TS segments of at most
//! `segment_seconds` under the footage root, each indexed (camera, start, end, path, bytes, SHA-256)
//! once it is closed. MPEG-TS needs no finishing, so a recorder killed with SIGKILL leaves at most the
//! last unflushed buffer (well under 2 s) unwritten; at start-up [`reconcile`] cuts such a file after
//! its last whole frame and indexes it.
//!
//! Files are named `<camera>/<local date>/<camera>-<start UTC ms>.ts`: the start is in the name, the
//! end comes from the presentation times inside the file.
//!
//! Also here: retention (delete what the store expires) and synthetic recordings (the demo's footage,
//! written faster than real time from a test pattern with the wall-clock time burned in).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use gstreamer as gst;
use gstreamer::prelude::*;
use sha2::{Digest as _, Sha256};

use super::{VideoError, sanitize, ts};
use crate::domain::footage::Span;
use crate::domain::time;
use crate::store::{NewSegment, Segment, Session, Store, StoreError};

/// The footage root inside a data directory.
pub fn footage_root(data_dir: &Path) -> PathBuf {
    data_dir.join("footage")
}

/// The relative path of a segment of `camera` starting at `start`.
pub fn segment_path(camera: i64, start: DateTime<Utc>) -> String {
    let day = time::local_date(start).format("%Y-%m-%d");
    format!("{camera}/{day}/{camera}-{}.ts", start.timestamp_millis())
}

/// The camera and start (UTC ms) a segment path names.
pub fn parse_segment_path(relative: &str) -> Option<(i64, i64)> {
    let name = relative.rsplit('/').next()?.strip_suffix(".ts")?;
    let (camera, start) = name.split_once('-')?;
    let camera: i64 = camera.parse().ok()?;
    let start: i64 = start.parse().ok()?;
    let dir_camera: i64 = relative.split('/').next()?.parse().ok()?;
    (dir_camera == camera).then_some((camera, start))
}

/// Whether `relative` is a segment path exactly as the recorder makes them — `CAM/YYYY-MM-DD/CAM-MS.ts`,
/// three plain components, nothing else — for `camera`. A path that came over the network is joined to
/// a local directory only when this holds: no `..`, no absolute path, no other file.
pub fn is_segment_path(relative: &str, camera: i64) -> bool {
    let parts: Vec<&str> = relative.split('/').collect();
    let [dir, day, name] = parts.as_slice() else { return false };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(dir)
        && *dir == camera.to_string()
        && chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok()
        && day.len() == 10
        && name.strip_suffix(".ts").and_then(|n| n.split_once('-')).is_some_and(|(c, ms)| c == *dir && digits(ms))
        && parse_segment_path(relative).is_some_and(|(c, _)| c == camera)
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: no video in the file")]
    Empty { path: PathBuf },
    #[error("{path}: not a segment name (camera/date/camera-startms.ts)")]
    Name { path: PathBuf },
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Video(#[from] VideoError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RecordError + '_ {
    move |source| RecordError::Io { path: path.to_owned(), source }
}

/// Hashes and measures a closed segment file and indexes it.
pub fn index_file(store: &dyn Store, session: &Session, root: &Path, relative: &str) -> Result<Segment, RecordError> {
    let path = root.join(relative);
    let (camera_id, start) = parse_segment_path(relative).ok_or_else(|| RecordError::Name { path: path.clone() })?;
    let bytes = std::fs::read(&path).map_err(io(&path))?;
    let extent = ts::extent(&bytes).ok_or_else(|| RecordError::Empty { path: path.clone() })?;
    let duration = extent.duration_ms().max(1);
    let segment = NewSegment {
        camera_id,
        span: Span { from: start, to: start + duration },
        path: relative.to_owned(),
        bytes: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
    };
    Ok(store.add_segment(session, &segment)?)
}

/// What [`reconcile`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Reconciled {
    /// Files that were on disk but not indexed (the recorder stopped before indexing them).
    pub indexed: Vec<String>,
    /// Of those, files cut after their last whole frame (the recorder was killed mid-write).
    pub repaired: Vec<String>,
    /// Files without any video, removed.
    pub removed: Vec<String>,
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) -> Result<(), RecordError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(RecordError::Io { path: dir.to_owned(), source: e }),
    };
    for entry in entries {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        if entry.file_type().map_err(io(&path))?.is_dir() {
            walk(&path, root, out)?;
        } else if path.extension().is_some_and(|e| e == "ts")
            && let Ok(relative) = path.strip_prefix(root)
        {
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// Brings the index in line with the files after a crash: every segment file not indexed is cut
/// after its last whole frame and indexed; files with no video are removed.
pub fn reconcile(store: &dyn Store, session: &Session, root: &Path) -> Result<Reconciled, RecordError> {
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    let known: std::collections::HashSet<String> = store.segment_paths(session)?.into_iter().collect();
    let mut report = Reconciled::default();
    for relative in files.into_iter().filter(|f| !known.contains(f)) {
        let path = root.join(&relative);
        if parse_segment_path(&relative).is_none() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        match ts::clean_length(&bytes) {
            Some(cut) if ts::extent(&bytes[..cut]).is_some() => {
                if cut < bytes.len() {
                    let file = std::fs::OpenOptions::new().write(true).open(&path).map_err(io(&path))?;
                    file.set_len(cut as u64).map_err(io(&path))?;
                    file.sync_all().map_err(io(&path))?;
                    report.repaired.push(relative.clone());
                }
                index_file(store, session, root, &relative)?;
                report.indexed.push(relative);
            }
            _ => {
                std::fs::remove_file(&path).map_err(io(&path))?;
                report.removed.push(relative);
            }
        }
    }
    Ok(report)
}

/// Deletes the files of the segments the store expires (retention); returns them.
pub fn apply_retention(store: &dyn Store, session: &Session, root: &Path) -> Result<Vec<Segment>, RecordError> {
    let gone = store.expire_segments(session)?;
    for s in &gone {
        let path = root.join(&s.path);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not delete an expired segment"),
        }
        if let Some(dir) = path.parent() {
            // Empty day directories go too; a non-empty one stays (the error is expected).
            let _ = std::fs::remove_dir(dir);
        }
    }
    Ok(gone)
}

/// A camera's recording state, for the console's health view and `jiancha record`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum RecorderState {
    Starting,
    Recording,
    /// Lost the camera; retrying.
    Reconnecting {
        reason: String,
    },
    Stopped,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RecorderStatus {
    pub camera_id: i64,
    pub state: RecorderState,
    pub segments: u64,
    pub last_error: Option<String>,
}

/// How often `jiancha record` reports each camera's signal to the store (camera alarms).
pub const LINK_REPORT_EVERY: Duration = Duration::from_secs(5);

/// Reports each recorder's signal (recording = online, reconnecting = lost, with the reason); the store
/// raises or resolves `camera_offline` alarms. Returns the alarms that changed.
pub fn report_links(
    store: &dyn Store,
    session: &Session,
    statuses: &[RecorderStatus],
) -> Vec<Result<crate::store::CameraAlert, StoreError>> {
    let mut changed = Vec::new();
    for status in statuses {
        let (online, reason) = match &status.state {
            RecorderState::Recording => (true, ""),
            RecorderState::Reconnecting { reason } => (false, reason.as_str()),
            // Not yet known, or not recording any more: nothing to say.
            RecorderState::Starting | RecorderState::Stopped => continue,
        };
        match store.report_camera_link(session, status.camera_id, online, reason) {
            Ok(Some(alert)) => changed.push(Ok(alert)),
            Ok(None) => {}
            Err(e) => changed.push(Err(e)),
        }
    }
    changed
}

/// Records one camera until stopped, reconnecting with backoff.
pub struct CameraRecorder {
    stop: Arc<AtomicBool>,
    status: Arc<Mutex<RecorderStatus>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CameraRecorder {
    pub fn start(
        store: Arc<dyn Store>,
        session: Session,
        root: PathBuf,
        camera_id: i64,
        url: String,
        segment_seconds: u32,
        clock: Arc<dyn crate::clock::Clock>,
    ) -> Result<Self, VideoError> {
        let stop = Arc::new(AtomicBool::new(false));
        let status = Arc::new(Mutex::new(RecorderStatus {
            camera_id,
            state: RecorderState::Starting,
            segments: 0,
            last_error: None,
        }));
        let thread = std::thread::Builder::new()
            .name(format!("jiancha-rec-{camera_id}"))
            .spawn({
                let (stop, status) = (stop.clone(), status.clone());
                move || record_loop(&*store, &session, &root, camera_id, &url, segment_seconds, &stop, &status, &*clock)
            })
            .map_err(|e| VideoError::Pipeline(format!("cannot start the recorder thread: {e}")))?;
        Ok(Self { stop, status, thread: Some(thread) })
    }

    pub fn status(&self) -> RecorderStatus {
        self.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Stops cleanly: the open segment is closed and indexed.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for CameraRecorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn set_state(status: &Mutex<RecorderStatus>, f: impl FnOnce(&mut RecorderStatus)) {
    f(&mut status.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
}

#[allow(clippy::too_many_arguments, reason = "the recorder thread's whole context")]
fn record_loop(
    store: &dyn Store,
    session: &Session,
    root: &Path,
    camera_id: i64,
    url: &str,
    segment_seconds: u32,
    stop: &AtomicBool,
    status: &Mutex<RecorderStatus>,
    clock: &dyn crate::clock::Clock,
) {
    let mut backoff = Duration::from_secs(1);
    while !stop.load(Ordering::SeqCst) {
        let started = clock.monotonic();
        let result = record_session(store, session, root, camera_id, url, segment_seconds, stop, status);
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let reason = match result {
            Ok(()) => "stream ended".to_owned(),
            Err(e) => sanitize(&e, url),
        };
        tracing::info!(camera_id, %reason, "recorder lost the camera");
        set_state(status, |s| {
            s.state = RecorderState::Reconnecting { reason: reason.clone() };
            s.last_error = Some(reason.clone());
        });
        if clock.elapsed(started) > Duration::from_secs(30) {
            backoff = Duration::from_secs(1);
        }
        // Waits out the backoff, looking at the stop flag ten times a second.
        let until = clock.monotonic() + backoff;
        while clock.monotonic() < until && !stop.load(Ordering::SeqCst) {
            clock.sleep(Duration::from_millis(100).min(until.saturating_duration_since(clock.monotonic())));
        }
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
    set_state(status, |s| s.state = RecorderState::Stopped);
}

/// Connects `splitmuxsink`'s naming to wall-clock times: each new file is named by `start_of`.
fn name_fragments(
    mux: &gst::Element,
    root: &Path,
    camera_id: i64,
    start_of: impl Fn(Option<gst::ClockTime>) -> DateTime<Utc> + Send + Sync + 'static,
) {
    let root = root.to_owned();
    mux.connect("format-location-full", false, move |args| {
        let sample = args.get(2).and_then(|v| v.get::<gst::Sample>().ok());
        let pts = sample.as_ref().and_then(|s| s.buffer()).and_then(|b| b.pts());
        let relative = segment_path(camera_id, start_of(pts));
        let path = root.join(&relative);
        if let Some(dir) = path.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot create the footage directory");
        }
        Some(path.to_string_lossy().into_owned().to_value())
    });
}

/// Indexes the fragment a `splitmuxsink-fragment-closed` message names.
fn index_closed(
    store: &dyn Store,
    session: &Session,
    root: &Path,
    msg: &gst::Message,
) -> Option<Result<Segment, RecordError>> {
    let gst::MessageView::Element(e) = msg.view() else { return None };
    let s = e.structure()?;
    if s.name() != "splitmuxsink-fragment-closed" {
        return None;
    }
    let location: String = s.get("location").ok()?;
    let relative = Path::new(&location).strip_prefix(root).ok()?.to_string_lossy().replace('\\', "/");
    Some(index_file(store, session, root, &relative))
}

#[allow(clippy::too_many_arguments, reason = "the recorder thread's whole context")]
fn record_session(
    store: &dyn Store,
    session: &Session,
    root: &Path,
    camera_id: i64,
    url: &str,
    segment_seconds: u32,
    stop: &AtomicBool,
    status: &Mutex<RecorderStatus>,
) -> Result<(), String> {
    super::init().map_err(|e| e.to_string())?;
    let line = format!(
        "rtspsrc name=src latency=200 protocols=tcp tcp-timeout=3000000 timeout=3000000 \
         ! rtph264depay ! h264parse config-interval=-1 \
         ! splitmuxsink name=mux muxer-factory=mpegtsmux max-size-time={}",
        u64::from(segment_seconds) * 1_000_000_000
    );
    let pipeline = gst::parse::launch(&line)
        .map_err(|e| e.to_string())?
        .downcast::<gst::Pipeline>()
        .map_err(|_| "not a pipeline".to_owned())?;
    let src = pipeline.by_name("src").ok_or("no rtspsrc")?;
    src.set_property("location", url);
    let mux = pipeline.by_name("mux").ok_or("no splitmuxsink")?;
    // Live: a fragment starts now (its first frame left the camera a latency ago).
    name_fragments(&mux, root, camera_id, |_| Utc::now() - chrono::Duration::milliseconds(200));
    let bus = pipeline.bus().ok_or("no bus")?;
    pipeline.set_state(gst::State::Playing).map_err(|e| e.to_string())?;
    let result = loop {
        if stop.load(Ordering::SeqCst) {
            // Close the open fragment properly, then index it.
            pipeline.send_event(gst::event::Eos::new());
            // GStreamer's pipeline drains in real time.
            let deadline = crate::clock::real_monotonic() + Duration::from_secs(5);
            while let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(200)) {
                if let Some(r) = index_closed(store, session, root, &msg) {
                    report(r, status);
                }
                if matches!(msg.view(), gst::MessageView::Eos(_)) || crate::clock::real_monotonic() > deadline {
                    break;
                }
            }
            break Ok(());
        }
        let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(200)) else { continue };
        if let Some(r) = index_closed(store, session, root, &msg) {
            report(r, status);
            continue;
        }
        match msg.view() {
            gst::MessageView::StateChanged(sc)
                if msg.src().is_some_and(|s| s == &pipeline) && sc.current() == gst::State::Playing =>
            {
                set_state(status, |s| s.state = RecorderState::Recording);
            }
            gst::MessageView::Error(err) => break Err(err.error().to_string()),
            gst::MessageView::Eos(_) => break Ok(()),
            _ => {}
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    result
}

fn report(result: Result<Segment, RecordError>, status: &Mutex<RecorderStatus>) {
    match result {
        Ok(_) => set_state(status, |s| s.segments += 1),
        Err(e) => {
            tracing::warn!(error = %e, "could not index a segment");
            set_state(status, |s| s.last_error = Some(e.to_string()));
        }
    }
}

/// A test-pattern recording of `camera` from `start` for `duration`, written as fast as the machine
/// allows and indexed segment by segment; the picture carries `label` and the recorded wall-clock
/// time (Asia/Shanghai). The demo's footage; also tests and benchmarks.
#[allow(clippy::too_many_arguments, reason = "a recording's whole description")]
pub fn record_synthetic(
    store: &dyn Store,
    session: &Session,
    root: &Path,
    camera_id: i64,
    label: &str,
    start: DateTime<Utc>,
    duration: Duration,
    (width, height, fps): (u32, u32, u32),
    segment_seconds: u32,
) -> Result<Vec<Segment>, RecordError> {
    super::init()?;
    let frames = (duration.as_secs_f64() * f64::from(fps)).round() as u64;
    let label = label.replace(['"', '\\'], " ");
    let line = format!(
        "videotestsrc is-live=false num-buffers={frames} pattern=solid-color foreground-color=0xff1c2833 \
         ! video/x-raw,format=I420,width={width},height={height},framerate={fps}/1 \
         ! textoverlay text=\"{label}\" font-desc=\"Noto Sans CJK SC, 14\" halignment=left valignment=bottom shaded-background=true \
         ! timeoverlay name=clock show-times-as-dates=true datetime-format=\"%Y-%m-%d %H:%M:%S\" font-desc=\"Noto Sans CJK SC, 12\" halignment=right valignment=top shaded-background=true \
         ! queue max-size-buffers=8 ! x264enc speed-preset=ultrafast key-int-max={} bitrate=400 threads=1 \
         ! h264parse config-interval=-1 ! splitmuxsink name=mux muxer-factory=mpegtsmux max-size-time={}",
        fps * 2,
        u64::from(segment_seconds) * 1_000_000_000
    );
    let pipeline = gst::parse::launch(&line)
        .map_err(|e| VideoError::Pipeline(e.to_string()))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| VideoError::Pipeline("not a pipeline".into()))?;
    if let Some(clock) = pipeline.by_name("clock") {
        super::set_clock_epoch(&clock, start);
    }
    let mux = pipeline.by_name("mux").ok_or_else(|| VideoError::Pipeline("no splitmuxsink".into()))?;
    // Timestamps do not start at zero (the encoder offsets them by 1000 hours to keep decoding times
    // positive): the first fragment's first frame is `start`.
    let first_pts: Mutex<Option<gst::ClockTime>> = Mutex::new(None);
    name_fragments(&mux, root, camera_id, move |pts| {
        let mut first = first_pts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let base = *first.get_or_insert(pts.unwrap_or(gst::ClockTime::ZERO));
        let offset = pts.map_or(0, |p| p.saturating_sub(base).mseconds());
        start + chrono::Duration::milliseconds(i64::try_from(offset).unwrap_or(0))
    });
    let bus = pipeline.bus().ok_or_else(|| VideoError::Pipeline("no bus".into()))?;
    pipeline.set_state(gst::State::Playing).map_err(|e| VideoError::Pipeline(e.to_string()))?;
    let mut segments = Vec::new();
    let mut failure = None;
    for msg in bus.iter_timed(gst::ClockTime::NONE) {
        if let Some(r) = index_closed(store, session, root, &msg) {
            match r {
                Ok(s) => segments.push(s),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
            continue;
        }
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(err) => {
                failure = Some(VideoError::Pipeline(err.error().to_string()).into());
                break;
            }
            _ => {}
        }
    }
    let _ = pipeline.set_state(gst::State::Null);
    match failure {
        Some(e) => Err(e),
        None => Ok(segments),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_paths_name_camera_day_and_start() {
        let start = DateTime::parse_from_rfc3339("2026-11-24T10:30:00+08:00").unwrap().with_timezone(&Utc);
        let p = segment_path(7, start);
        assert_eq!(p, format!("7/2026-11-24/7-{}.ts", start.timestamp_millis()));
        assert_eq!(parse_segment_path(&p), Some((7, start.timestamp_millis())));
        assert_eq!(parse_segment_path("8/2026-11-24/7-1.ts"), None, "directory and name disagree");
        assert_eq!(parse_segment_path("7/2026-11-24/7-x.ts"), None);
        assert_eq!(parse_segment_path("notes.txt"), None);
        assert!(is_segment_path(&p, 7));
        for hostile in [
            "7/../../../7-1.ts",
            "/etc/7/2026-11-24/7-1.ts",
            "7/2026-11-24/../7-1.ts",
            "7/2026-11-24/7-1.ts/../../x",
            "7/2026-11-24/sub/7-1.ts",
            r"7/2026-11-24/7-1.ts\..\x",
            "7/2026-11-24/7-1.ts\0",
            "07/2026-11-24/07-1.ts",
        ] {
            assert!(!is_segment_path(hostile, 7), "{hostile}");
        }
        assert!(!is_segment_path(&p, 8), "another camera's path");
    }
}

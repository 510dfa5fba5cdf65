//! Exporting footage (拷贝): the recorded segments of one camera over an approved range, as one MP4.
//!
//! **Remux, no re-encoding.** The clip starts at the first keyframe at or after the range's start
//! (never before it: nobody sees a second outside the approved range), so it may begin up to one
//! keyframe interval late — 2 s on the simulated cameras, typically 1–4 s on real ones; the manifest
//! records the requested and the actual start. It ends with the last frame before the range's end.
//! Timestamps follow the wall clock: a gap in the recording shows as the last frame held, and the
//! manifest lists the gaps.
//!
//! **Watermark and privacy rectangles** re-encode (GStreamer: decode, burn in, H.264 encode).
//!
//! Beside the clip, `<clip>.manifest.json` names the request, approver, camera, ranges, the clip's
//! SHA-256 and the program; [`verify`] checks a clip against it. Files are written under a temporary
//! name and renamed when complete, so a cancelled or failed export leaves nothing behind.
//!
//! **Several cameras of one request** export together: one MP4 per camera (`<name>-cam<id>.mp4`) and
//! one set manifest (`<name>.manifest.json`) that lists every clip with its hash, under one register
//! line whose SHA-256 is the set manifest's; [`verify_set`] checks them all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::mp4::{self, Sample};
use super::{VideoError, ts};
use crate::domain::footage::Span;
use crate::domain::time;
use crate::store::Segment;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("录像在所选范围内没有关键帧，无法导出 (no keyframe in the range: nothing to export)")]
    NoKeyframe,
    #[error("所选范围内没有录像 (no recording in the range)")]
    NoFootage,
    #[error("{0}")]
    Mp4(#[from] mp4::Mp4Error),
    #[error("{0}")]
    Video(#[from] VideoError),
    #[error("已取消 (cancelled)")]
    Cancelled,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io { path: path.to_owned(), source }
}

/// A rectangle to black out, as fractions of the picture (x, y, width, height in 0–1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Privacy {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportOptions {
    /// Burned-in text (request number, requester, export time); re-encodes.
    pub watermark: Option<String>,
    pub privacy: Vec<Privacy>,
}

impl ExportOptions {
    pub fn reencodes(&self) -> bool {
        self.watermark.is_some() || !self.privacy.is_empty()
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    /// From the first keyframe at or after the requested start to the end of the last frame.
    pub actual: Span,
    pub duration_ms: i64,
    pub width: u32,
    pub height: u32,
    pub frames: usize,
    pub gaps: Vec<Span>,
    pub reencoded: bool,
}

struct Unit {
    /// Wall-clock presentation and decoding time, 90 kHz ticks since the epoch.
    pts: i64,
    dts: i64,
    keyframe: bool,
    data: Vec<u8>,
}

/// The units of the segments (in time order) that fall in `span`, starting at the first keyframe at
/// or after its start; with the gaps between segments.
fn select(
    root: &Path,
    segments: &[Segment],
    span: Span,
    cancel: &AtomicBool,
    progress: &dyn Fn(f32),
) -> Result<(Vec<Unit>, Vec<Span>), ExportError> {
    let from = span.from * 90;
    let to = span.to * 90;
    let mut units: Vec<Unit> = Vec::new();
    let mut started = false;
    let mut gaps = Vec::new();
    let mut previous_end: Option<i64> = None;
    for (i, segment) in segments.iter().enumerate() {
        if cancel.load(Ordering::SeqCst) {
            return Err(ExportError::Cancelled);
        }
        if let Some(end) = previous_end
            && segment.span.from - end > 1_500
        {
            gaps.push(Span { from: end, to: segment.span.from }.clamp_to(span));
        }
        previous_end = Some(segment.span.to);
        let path = root.join(&segment.path);
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        let file_units = ts::access_units(&bytes);
        let Some(first_pts) = file_units.iter().map(|u| u.pts).min() else { continue };
        let base = segment.span.from * 90;
        for u in file_units {
            let pts = base + i64::try_from(u.pts - first_pts).unwrap_or(0);
            let dts = pts - i64::try_from(u.pts.saturating_sub(u.dts)).unwrap_or(0);
            if pts >= to {
                break;
            }
            let keyframe = mp4::is_keyframe(&u.data);
            if !started {
                if pts < from || !keyframe {
                    continue;
                }
                started = true;
            }
            units.push(Unit { pts, dts, keyframe, data: u.data });
        }
        progress((i + 1) as f32 / segments.len().max(1) as f32 * 0.9);
    }
    gaps.retain(|g| !g.is_empty());
    Ok((units, gaps))
}

/// A writer that hashes what passes through.
struct Hashing<W: Write> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}

/// Removes the temporary file unless the export finished.
struct Cleanup(PathBuf, bool);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

/// Exports `segments` (one camera's, overlapping `span`, in time order) to `out` (an `.mp4`).
/// `progress` gets 0–1; setting `cancel` stops it and removes what was written.
pub fn export(
    root: &Path,
    segments: &[Segment],
    span: Span,
    out: &Path,
    options: &ExportOptions,
    cancel: &AtomicBool,
    progress: &dyn Fn(f32),
) -> Result<Clip, ExportError> {
    if segments.is_empty() {
        return Err(ExportError::NoFootage);
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let remux_progress = |p: f32| progress(if options.reencodes() { p * 0.2 } else { p });
    let (units, gaps) = select(root, segments, span, cancel, &remux_progress)?;
    let first = units.first().ok_or(ExportError::NoKeyframe)?;
    let base = first.dts.min(first.pts);
    let samples: Vec<Sample<'_>> = units
        .iter()
        .map(|u| Sample {
            pts: u64::try_from(u.pts - base).unwrap_or(0),
            dts: u64::try_from(u.dts - base).unwrap_or(0),
            annex_b: &u.data,
        })
        .collect();
    let actual_from = first.pts / 90;
    let remuxed = partial_path(out);
    let mut cleanup = Cleanup(remuxed.clone(), false);
    let file = std::fs::File::create(&remuxed).map_err(io(&remuxed))?;
    let mut writer = Hashing { inner: std::io::BufWriter::with_capacity(1 << 20, file), hash: Sha256::new(), bytes: 0 };
    let info = mp4::write(&samples, &mut writer)?;
    writer.flush().map_err(io(&remuxed))?;
    let Hashing { inner, hash, bytes } = writer;
    let file = inner.into_inner().map_err(|e| ExportError::Io { path: remuxed.clone(), source: e.into_error() })?;
    file.sync_all().map_err(io(&remuxed))?;
    drop(file);
    let mut sha256 = hex::encode(hash.finalize());
    let mut bytes = bytes;
    let keyframes = units.iter().filter(|u| u.keyframe).count();
    tracing::debug!(frames = units.len(), keyframes, "remuxed");
    let duration_ms = i64::try_from(info.duration / 90).unwrap_or(0);
    let mut final_source = remuxed.clone();
    let mut reencoded_cleanup = None;
    if options.reencodes() {
        let reencoded = out.with_file_name(format!(
            "{}.reencode.partial",
            out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        reencoded_cleanup = Some(Cleanup(reencoded.clone(), false));
        reencode(&remuxed, &reencoded, options, duration_ms, cancel, &|p| progress(0.2 + p * 0.8))?;
        let data = std::fs::read(&reencoded).map_err(io(&reencoded))?;
        sha256 = hex::encode(Sha256::digest(&data));
        bytes = data.len() as u64;
        final_source = reencoded;
    }
    if cancel.load(Ordering::SeqCst) {
        return Err(ExportError::Cancelled);
    }
    std::fs::rename(&final_source, out).map_err(io(out))?;
    if let Some(c) = reencoded_cleanup.as_mut() {
        c.1 = true;
    }
    if final_source == remuxed {
        cleanup.1 = true;
    }
    progress(1.0);
    Ok(Clip {
        file: out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        bytes,
        sha256,
        actual: Span { from: actual_from, to: actual_from + duration_ms },
        duration_ms,
        width: info.width,
        height: info.height,
        frames: info.samples,
        gaps,
        reencoded: options.reencodes(),
    })
}

/// Decodes `input`, burns in the watermark, blacks out the privacy rectangles, encodes again.
fn reencode(
    input: &Path,
    output: &Path,
    options: &ExportOptions,
    duration_ms: i64,
    cancel: &AtomicBool,
    progress: &dyn Fn(f32),
) -> Result<(), ExportError> {
    super::init()?;
    let text = options.watermark.clone().unwrap_or_default().replace(['"', '\\'], " ");
    let line = format!(
        "filesrc name=src ! qtdemux ! h264parse ! avdec_h264 ! videoconvert ! video/x-raw,format=I420 \
         ! identity name=privacy \
         ! textoverlay text=\"{text}\" silent={} font-desc=\"Noto Sans CJK SC, 18\" halignment=center valignment=center \
           shaded-background=true color=0xc0ffffff \
         ! x264enc speed-preset=superfast key-int-max=50 bitrate=1500 \
         ! h264parse ! mp4mux faststart=true ! filesink name=sink",
        options.watermark.is_none()
    );
    let pipeline = gst::parse::launch(&line)
        .map_err(|e| VideoError::Pipeline(e.to_string()))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| VideoError::Pipeline("not a pipeline".into()))?;
    let element = |name: &str| pipeline.by_name(name).ok_or_else(|| VideoError::Pipeline(format!("no {name}")));
    element("src")?.set_property("location", input.to_string_lossy().to_string());
    element("sink")?.set_property("location", output.to_string_lossy().to_string());
    if !options.privacy.is_empty() {
        let rects = options.privacy.clone();
        let info: Mutex<Option<gst_video::VideoInfo>> = Mutex::new(None);
        let pad = element("privacy")?.static_pad("src").ok_or_else(|| VideoError::Pipeline("no pad".into()))?;
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, probe| {
            let mut guard = info.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if guard.is_none() {
                *guard = pad.current_caps().and_then(|c| gst_video::VideoInfo::from_caps(&c).ok());
            }
            if let (Some(info), Some(gst::PadProbeData::Buffer(buffer))) = (guard.as_ref(), probe.data.as_mut()) {
                black_out(buffer.make_mut(), info, &rects);
            }
            gst::PadProbeReturn::Ok
        });
    }
    let bus = pipeline.bus().ok_or_else(|| VideoError::Pipeline("no bus".into()))?;
    pipeline.set_state(gst::State::Playing).map_err(|e| VideoError::Pipeline(e.to_string()))?;
    let result = loop {
        if cancel.load(Ordering::SeqCst) {
            break Err(ExportError::Cancelled);
        }
        if let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) {
            match msg.view() {
                gst::MessageView::Eos(_) => break Ok(()),
                gst::MessageView::Error(err) => break Err(VideoError::Pipeline(err.error().to_string()).into()),
                _ => {}
            }
        }
        if let Some(position) = pipeline.query_position::<gst::ClockTime>()
            && duration_ms > 0
        {
            progress((position.mseconds() as f32 / duration_ms as f32).clamp(0.0, 1.0));
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    result
}

/// Fills the rectangles with black in an I420 buffer.
fn black_out(buffer: &mut gst::BufferRef, info: &gst_video::VideoInfo, rects: &[Privacy]) {
    let Ok(mut frame) = gst_video::VideoFrameRef::from_buffer_ref_writable(buffer, info) else { return };
    let (w, h) = (info.width() as f32, info.height() as f32);
    for r in rects {
        let x0 = (r.x.clamp(0.0, 1.0) * w) as usize;
        let y0 = (r.y.clamp(0.0, 1.0) * h) as usize;
        let x1 = ((r.x + r.width).clamp(0.0, 1.0) * w) as usize;
        let y1 = ((r.y + r.height).clamp(0.0, 1.0) * h) as usize;
        for (plane, value, shift) in [(0u32, 16u8, 0usize), (1, 128, 1), (2, 128, 1)] {
            let stride = usize::try_from(frame.plane_stride()[plane as usize]).unwrap_or(0);
            let Ok(data) = frame.plane_data_mut(plane) else { continue };
            for y in (y0 >> shift)..(y1 >> shift) {
                let row = y * stride;
                if let Some(line) = data.get_mut(row + (x0 >> shift)..row + (x1 >> shift)) {
                    line.fill(value);
                }
            }
        }
    }
}

/// The manifest written beside a clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub request_no: String,
    pub requester: String,
    pub approver: Option<String>,
    pub purpose: String,
    pub camera_id: i64,
    pub camera_name: String,
    pub window: Option<String>,
    pub requested: ManifestRange,
    pub actual: ManifestRange,
    /// How far the start moved to the first keyframe (ms).
    pub keyframe_snap_ms: i64,
    pub gaps: Vec<ManifestRange>,
    pub clip: Clip,
    pub watermark: Option<String>,
    pub privacy: Vec<Privacy>,
    pub exported_by: String,
    pub exported_at: DateTime<Utc>,
    pub destination: String,
    pub source_segments: Vec<SourceSegment>,
    pub program: String,
}

pub const MANIFEST_FORMAT: &str = "jiancha-footage-manifest/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRange {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The same in Asia/Shanghai, for people.
    pub local: String,
}

impl ManifestRange {
    pub fn of(span: Span) -> Self {
        Self {
            from: span.start(),
            to: span.end(),
            local: format!("{} – {}", time::format_local(span.start()), time::format_local(span.end())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSegment {
    pub path: String,
    pub sha256: String,
}

/// Where a clip's manifest lives.
pub fn manifest_path(clip: &Path) -> PathBuf {
    let mut name = clip.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".manifest.json");
    clip.with_file_name(name)
}

pub fn write_manifest(clip: &Path, manifest: &Manifest) -> Result<PathBuf, ExportError> {
    write_json(&manifest_path(clip), manifest)
}

/// Writes pretty JSON under a temporary name and renames it into place.
fn write_json(path: &Path, value: &impl Serialize) -> Result<PathBuf, ExportError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| ExportError::Io { path: path.to_owned(), source: std::io::Error::other(e) })?;
    let partial = partial_path(path);
    std::fs::write(&partial, text + "\n").map_err(io(&partial))?;
    std::fs::rename(&partial, path).map_err(io(path))?;
    Ok(path.to_owned())
}

/// The result of checking a clip against its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub clip: PathBuf,
    pub manifest: PathBuf,
    pub request_no: String,
    pub expected_sha256: String,
    pub actual_sha256: String,
    pub expected_bytes: u64,
    pub actual_bytes: u64,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.expected_sha256 == self.actual_sha256 && self.expected_bytes == self.actual_bytes
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a Jiancha footage manifest: {message}")]
    Manifest { path: PathBuf, message: String },
}

/// Recomputes a clip's SHA-256 and compares it with its manifest.
pub fn verify(clip: &Path) -> Result<Verification, VerifyError> {
    let manifest_file = manifest_path(clip);
    let text = std::fs::read_to_string(&manifest_file)
        .map_err(|source| VerifyError::Io { path: manifest_file.clone(), source })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| VerifyError::Manifest { path: manifest_file.clone(), message: e.to_string() })?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(VerifyError::Manifest {
            path: manifest_file,
            message: format!("format {:?}, expected {MANIFEST_FORMAT:?}", manifest.format),
        });
    }
    let data = std::fs::read(clip).map_err(|source| VerifyError::Io { path: clip.to_owned(), source })?;
    Ok(Verification {
        clip: clip.to_owned(),
        manifest: manifest_file,
        request_no: manifest.request_no,
        expected_sha256: manifest.clip.sha256,
        actual_sha256: hex::encode(Sha256::digest(&data)),
        expected_bytes: manifest.clip.bytes,
        actual_bytes: data.len() as u64,
    })
}

/// Where the segment files of a grant are read from: this machine's footage directory, or — in remote
/// mode — the server, fetched with range requests into a local cache and checked against the index.
#[derive(Clone)]
pub enum FootageSource {
    Local(std::path::PathBuf),
    Remote { store: std::sync::Arc<crate::store::remote::RemoteStore>, cache: std::path::PathBuf },
}

impl FootageSource {
    /// The directory the grant's segments can be read under; fetches them first in remote mode.
    /// In remote mode the grant's segments at its edges become the clips the server sent (they start
    /// later and hold less than the index says).
    pub fn prepare(
        &self,
        session: &crate::store::Session,
        grant: &mut crate::store::FootageGrant,
        cancel: &AtomicBool,
        progress: &dyn Fn(f32),
    ) -> Result<std::path::PathBuf, crate::store::StoreError> {
        self.prepare_segments(session, grant.access_id, grant.span, &mut grant.segments, cancel, progress)
    }

    /// [`FootageSource::prepare`] for every camera of a grant of several.
    pub fn prepare_all(
        &self,
        session: &crate::store::Session,
        grants: &mut crate::store::FootageGrants,
        cancel: &AtomicBool,
        progress: &dyn Fn(f32),
    ) -> Result<std::path::PathBuf, crate::store::StoreError> {
        let mut segments: Vec<Segment> = grants.tracks.iter().flat_map(|t| t.segments.iter().cloned()).collect();
        let root = self.prepare_segments(session, grants.access_id, grants.span, &mut segments, cancel, progress)?;
        // Put the (possibly shortened) segments back in their tracks, in order.
        let mut fetched = segments.into_iter();
        for track in &mut grants.tracks {
            for segment in &mut track.segments {
                if let Some(s) = fetched.next() {
                    *segment = s;
                }
            }
        }
        Ok(root)
    }

    fn prepare_segments(
        &self,
        session: &crate::store::Session,
        access_id: i64,
        span: Span,
        segments: &mut [Segment],
        cancel: &AtomicBool,
        progress: &dyn Fn(f32),
    ) -> Result<std::path::PathBuf, crate::store::StoreError> {
        match self {
            FootageSource::Local(root) => Ok(root.clone()),
            FootageSource::Remote { store, cache } => {
                let dir = cache.join(format!("grant-{access_id}"));
                forget_old_grants(cache);
                let total: u64 = segments.iter().map(|s| s.bytes).sum::<u64>().max(1);
                let mut done = 0;
                // Paths from the server never choose where files go: only the recorder's own layout is
                // joined to the cache.
                if let Some(bad) = segments.iter().find(|s| !super::recorder::is_segment_path(&s.path, s.camera_id)) {
                    return Err(crate::store::StoreError::Refused(format!(
                        "the server named segment {} {:?}, which is not a footage path: nothing was fetched",
                        bad.id,
                        bad.path.chars().take(80).collect::<String>()
                    )));
                }
                for segment in segments.iter_mut() {
                    let dest = dir.join(&segment.path);
                    let bytes = segment.bytes;
                    *segment = store.fetch_segment(session, access_id, span, segment, &dest, cancel)?;
                    done += bytes;
                    progress(done as f32 / total as f32);
                }
                Ok(dir)
            }
        }
    }

    pub fn is_remote(&self) -> bool {
        matches!(self, FootageSource::Remote { .. })
    }
}

/// Removes fetched footage of grants older than a grant lasts (12 h): the cache is not an archive.
fn forget_old_grants(cache: &Path) {
    let Ok(entries) = std::fs::read_dir(cache) else { return };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(12 * 3600));
        if old && entry.file_name().to_string_lossy().starts_with("grant-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// How long a remux of `bytes` may take on a slow disk, for progress displays.
pub fn expected_time(bytes: u64) -> Duration {
    Duration::from_millis(bytes / 200_000 + 100)
}

/// Everything an export of a request needs besides the footage.
pub struct ExportJob<'a> {
    pub request_id: i64,
    /// One camera, or up to four of the request's (one clip each, one set manifest).
    pub cameras: &'a [i64],
    /// Inside the approved range; `None` = the whole approved range.
    pub span: Option<Span>,
    /// The clip (one camera), or the name the set's clips and manifest are made from (several).
    pub out: &'a Path,
    pub options: ExportOptions,
}

/// One camera's clip of an export.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedClip {
    pub camera_id: i64,
    pub path: PathBuf,
    pub clip: Clip,
}

/// What an export of a request produced.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub clips: Vec<ExportedClip>,
    pub manifest: PathBuf,
    pub register_id: i64,
    pub request_no: String,
    /// What the register line records: the clip's SHA-256, or the set manifest's.
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RequestExportError {
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Export(#[from] ExportError),
}

/// Where camera `camera_id`'s clip of a several-camera export goes: `<stem>-cam<id>.<ext>` beside
/// `out`. Only the camera's number is added to the name the user chose.
pub fn set_clip_path(out: &Path, camera_id: i64) -> PathBuf {
    let stem = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "footage".into());
    let ext = out.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_else(|| "mp4".into());
    out.with_file_name(format!("{stem}-cam{camera_id}.{ext}"))
}

/// Where a several-camera export's set manifest goes: `<stem>.manifest.json` beside `out`.
pub fn set_manifest_path(out: &Path) -> PathBuf {
    let stem = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "footage".into());
    out.with_file_name(format!("{stem}.manifest.json"))
}

/// The manifest of a several-camera export: the request once, and every clip with its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetManifest {
    pub format: String,
    pub request_no: String,
    pub requester: String,
    pub approver: Option<String>,
    pub purpose: String,
    pub requested: ManifestRange,
    pub clips: Vec<SetClip>,
    pub watermark: Option<String>,
    pub privacy: Vec<Privacy>,
    pub exported_by: String,
    pub exported_at: DateTime<Utc>,
    pub destination: String,
    pub program: String,
}

pub const SET_MANIFEST_FORMAT: &str = "jiancha-footage-set/1";

/// One camera's clip in a [`SetManifest`]; `clip.file` is its file name beside the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetClip {
    pub camera_id: i64,
    pub camera_name: String,
    pub window: Option<String>,
    pub actual: ManifestRange,
    pub keyframe_snap_ms: i64,
    pub gaps: Vec<ManifestRange>,
    pub clip: Clip,
    pub source_segments: Vec<SourceSegment>,
}

/// Checks every clip a set manifest lists against its hash. The clips are read beside the manifest,
/// by their bare file names: a name in the manifest that is a path is refused.
pub fn verify_set(manifest_file: &Path) -> Result<Vec<Verification>, VerifyError> {
    let text = std::fs::read_to_string(manifest_file)
        .map_err(|source| VerifyError::Io { path: manifest_file.to_owned(), source })?;
    let bad = |message: String| VerifyError::Manifest { path: manifest_file.to_owned(), message };
    let manifest: SetManifest = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if manifest.format != SET_MANIFEST_FORMAT {
        return Err(bad(format!("format {:?}, expected {SET_MANIFEST_FORMAT:?}", manifest.format)));
    }
    manifest
        .clips
        .iter()
        .map(|c| {
            let name = Path::new(&c.clip.file);
            let plain = name.components().count() == 1
                && matches!(name.components().next(), Some(std::path::Component::Normal(_)));
            if !plain {
                return Err(bad(format!("clip file {:?} is not a file name beside the manifest", c.clip.file)));
            }
            let clip = manifest_file.with_file_name(name);
            let data = std::fs::read(&clip).map_err(|source| VerifyError::Io { path: clip.clone(), source })?;
            Ok(Verification {
                clip,
                manifest: manifest_file.to_owned(),
                request_no: manifest.request_no.clone(),
                expected_sha256: c.clip.sha256.clone(),
                actual_sha256: hex::encode(Sha256::digest(&data)),
                expected_bytes: c.clip.bytes,
                actual_bytes: data.len() as u64,
            })
        })
        .collect()
}

/// Whether `path` is a set manifest (by its format), for `footage verify`.
pub fn is_set_manifest(path: &Path) -> bool {
    #[derive(Deserialize)]
    struct Format {
        format: String,
    }
    path.to_string_lossy().ends_with(".manifest.json")
        && std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str::<Format>(&t).ok())
            .is_some_and(|f| f.format == SET_MANIFEST_FORMAT)
}

/// Exports under an approved export request: the store checks the request for every camera and
/// registers the copy with its destination (去向) in one line; each camera's clip is written, then
/// the manifest (the clip's own, or one set manifest for several cameras), and the register line is
/// finished with the SHA-256 — or with why it failed or that it was cancelled, in which case every
/// file of the export is removed.
pub fn export_request(
    store: &dyn crate::store::Store,
    session: &crate::store::Session,
    source: &FootageSource,
    job: &ExportJob<'_>,
    now: DateTime<Utc>,
    cancel: &AtomicBool,
    progress: &dyn Fn(f32),
) -> Result<Exported, RequestExportError> {
    use crate::domain::footage::Use;
    use crate::store::ExportOutcome;
    let request = store
        .footage_requests(session, crate::store::RequestFilter::Mine)?
        .into_iter()
        .find(|r| r.id == job.request_id)
        .ok_or_else(|| crate::store::StoreError::NotFound(format!("footage request {} of yours", job.request_id)))?;
    let span = job.span.unwrap_or(request.span);
    let several = job.cameras.len() > 1;
    let destination = std::path::absolute(job.out).unwrap_or_else(|_| job.out.to_owned());
    let mut grants = store.open_footage_cameras(
        session,
        job.request_id,
        job.cameras,
        span,
        Use::Export,
        Some(&destination.display().to_string()),
    )?;
    let access_id = grants.access_id;
    let fail = |e: &dyn std::fmt::Display| -> Result<(), crate::store::StoreError> {
        let outcome = if cancel.load(Ordering::Relaxed) {
            ExportOutcome::Cancelled
        } else {
            ExportOutcome::Failed { message: e.to_string() }
        };
        store.finish_export(session, access_id, &outcome).map(|_| ())
    };
    // In remote mode the first half of the bar is the fetch from the server.
    let (fetch_share, export_share) = if source.is_remote() { (0.5, 0.5) } else { (0.0, 1.0) };
    let root = match source.prepare_all(session, &mut grants, cancel, &|p| progress(p * fetch_share)) {
        Ok(root) => root,
        Err(e) => {
            fail(&e)?;
            return Err(e.into());
        }
    };
    let directory = store.directory(session)?;
    let count = grants.tracks.len() as f32;
    let mut written: Vec<ExportedClip> = Vec::new();
    let mut set_clips = Vec::new();
    let remove_written = |written: &[ExportedClip]| {
        for c in written {
            let _ = std::fs::remove_file(&c.path);
        }
    };
    for (i, track) in grants.tracks.iter().enumerate() {
        let path = if several { set_clip_path(job.out, track.camera_id) } else { job.out.to_owned() };
        let result = export(&root, &track.segments, span, &path, &job.options, cancel, &|p| {
            progress(fetch_share + (i as f32 + p) / count * export_share);
        });
        let clip = match result {
            Ok(clip) => clip,
            Err(e) => {
                remove_written(&written);
                fail(&e)?;
                return Err(e.into());
            }
        };
        let camera = directory.cameras.iter().find(|c| c.id == track.camera_id);
        set_clips.push(SetClip {
            camera_id: track.camera_id,
            camera_name: camera.map(|c| c.name.clone()).unwrap_or_default(),
            window: camera.and_then(|c| c.window_code.clone()),
            actual: ManifestRange::of(clip.actual),
            keyframe_snap_ms: clip.actual.from - span.from,
            gaps: clip.gaps.iter().copied().map(ManifestRange::of).collect(),
            clip: clip.clone(),
            source_segments: track
                .segments
                .iter()
                .map(|s| SourceSegment { path: s.path.clone(), sha256: s.sha256.clone() })
                .collect(),
        });
        written.push(ExportedClip { camera_id: track.camera_id, path, clip });
    }
    let request = &grants.request;
    let program = format!("jiancha {}", env!("CARGO_PKG_VERSION"));
    let manifest_written = if several {
        let manifest = SetManifest {
            format: SET_MANIFEST_FORMAT.into(),
            request_no: request.request_no.clone(),
            requester: request.requester.clone(),
            approver: request.decided_by.clone(),
            purpose: request.purpose.clone(),
            requested: ManifestRange::of(span),
            clips: set_clips,
            watermark: job.options.watermark.clone(),
            privacy: job.options.privacy.clone(),
            exported_by: session.username.clone(),
            exported_at: now,
            destination: destination.display().to_string(),
            program,
        };
        write_json(&set_manifest_path(job.out), &manifest)
    } else {
        let one = set_clips.remove(0);
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            request_no: request.request_no.clone(),
            requester: request.requester.clone(),
            approver: request.decided_by.clone(),
            purpose: request.purpose.clone(),
            camera_id: one.camera_id,
            camera_name: one.camera_name,
            window: one.window,
            requested: ManifestRange::of(span),
            actual: one.actual,
            keyframe_snap_ms: one.keyframe_snap_ms,
            gaps: one.gaps,
            clip: one.clip,
            watermark: job.options.watermark.clone(),
            privacy: job.options.privacy.clone(),
            exported_by: session.username.clone(),
            exported_at: now,
            destination: destination.display().to_string(),
            source_segments: one.source_segments,
            program,
        };
        write_manifest(job.out, &manifest)
    };
    let manifest_file = match manifest_written {
        Ok(p) => p,
        Err(e) => {
            remove_written(&written);
            fail(&e)?;
            return Err(e.into());
        }
    };
    let (sha256, bytes) = if several {
        let data = match std::fs::read(&manifest_file) {
            Ok(data) => data,
            Err(source) => {
                let e = ExportError::Io { path: manifest_file.clone(), source };
                remove_written(&written);
                let _ = std::fs::remove_file(&manifest_file);
                fail(&e)?;
                return Err(e.into());
            }
        };
        (hex::encode(Sha256::digest(&data)), written.iter().map(|c| c.clip.bytes).sum::<u64>() + data.len() as u64)
    } else {
        (written[0].clip.sha256.clone(), written[0].clip.bytes)
    };
    store.finish_export(session, access_id, &ExportOutcome::Done { sha256: sha256.clone(), bytes })?;
    Ok(Exported {
        clips: written,
        manifest: manifest_file,
        register_id: access_id,
        request_no: grants.request.request_no,
        sha256,
    })
}

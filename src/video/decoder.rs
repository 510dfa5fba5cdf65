//! A tile's decoder: one named thread running `rtspsrc → depay → parse → decode → appsink`. The newest
//! frame waits in a mailbox; the UI uploads it only when its sequence number changed.
//!
//! Two outputs ([`Output`]): the decoder's own I420/NV12 planes at the stream's size, held without a
//! copy, for the GPU path (the wall converts and scales in a shader); or RGBA scaled in GStreamer to the
//! tile's pixel size, for the CPU path (no GL 3) and for a stream in another pixel format.
//!
//! A camera that stops sending (cable pulled, server gone, bad URL, wrong password) makes the tile
//! `Lost` within [`LOST_AFTER`]; the thread retries with exponential backoff (1 s, 2 s, 4 s … up to
//! [`MAX_BACKOFF`]) and the tile plays again when frames come back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, TrySendError, bounded};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;

use super::yuv::{Colour, Planes};
use super::{StreamKind, VideoError, sanitize};
use crate::clock::Clock;
use crate::domain::model::redact_url;

/// No frame for this long while playing: the signal is lost.
pub const LOST_AFTER: Duration = Duration::from_millis(2000);
/// Connecting for this long without a first frame: give up and retry.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(6);
/// The first retry waits this long, doubling each time.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// A decoded picture.
pub struct Frame {
    /// Increases by one per frame of this decoder.
    pub seq: u64,
    pub width: u32,
    pub height: u32,
    pub picture: Picture,
    pub received_at: DateTime<Utc>,
}

/// A frame's pixels, as the decoder's output gave them.
pub enum Picture {
    /// RGBA, rows packed (no padding).
    Rgba(Vec<u8>),
    /// The decoder's planes at the stream's size.
    Planes(Planes),
}

impl Frame {
    /// Packed RGBA (converted on the CPU for a frame in planes): snapshots and the CPU path.
    pub fn rgba(&self) -> Option<std::borrow::Cow<'_, [u8]>> {
        match &self.picture {
            Picture::Rgba(rgba) => Some(std::borrow::Cow::Borrowed(rgba)),
            Picture::Planes(planes) => planes.to_rgba().map(std::borrow::Cow::Owned),
        }
    }

    pub fn planes(&self) -> Option<&Planes> {
        match &self.picture {
            Picture::Planes(planes) => Some(planes),
            Picture::Rgba(_) => None,
        }
    }
}

/// What a decoder hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// I420/NV12 planes at the stream's own size (the GPU path): no scaling, no conversion.
    Planes,
    /// RGBA at the requested size, scaled and converted in GStreamer (the CPU path).
    Rgba,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame")
            .field("seq", &self.seq)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Where a tile stands.
#[derive(Debug, Clone, PartialEq)]
pub enum TileStatus {
    Connecting,
    Playing,
    /// No picture. `reason` carries no credentials; `retry_at` is when the next attempt starts.
    Lost {
        reason: String,
        last_frame_at: Option<DateTime<Utc>>,
        retry_at: Instant,
    },
    Stopped,
}

/// Measured over the last second.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TileStats {
    pub fps: f32,
    pub kbps: f32,
    /// Estimated delay from capture to frame (jitter buffer and decoding; the network is not seen).
    pub delay_ms: f32,
    /// Frames since the decoder started.
    pub frames: u64,
}

/// What the UI and the decoder thread share.
#[derive(Default)]
pub struct Mailbox {
    frame: Mutex<Option<Arc<Frame>>>,
    status: Mutex<Option<TileStatus>>,
    stats: Mutex<TileStats>,
    frames: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Mailbox {
    pub fn frame(&self) -> Option<Arc<Frame>> {
        lock(&self.frame).clone()
    }

    pub fn status(&self) -> TileStatus {
        lock(&self.status).clone().unwrap_or(TileStatus::Connecting)
    }

    pub fn stats(&self) -> TileStats {
        *lock(&self.stats)
    }

    pub fn frame_count(&self) -> u64 {
        self.frames.load(Ordering::Relaxed)
    }

    fn set_status(&self, status: TileStatus) {
        *lock(&self.status) = Some(status);
    }
}

/// Called when a new frame or status arrives (the console passes `ctx.request_repaint`).
pub type Notify = Arc<dyn Fn() + Send + Sync>;

enum Command {
    Resize(u32, u32),
    Stop,
}

/// What to play.
#[derive(Clone)]
pub struct StreamSource {
    /// May carry credentials; never shown.
    pub url: String,
    pub kind: StreamKind,
}

impl std::fmt::Debug for StreamSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamSource").field("url", &redact_url(&self.url)).field("kind", &self.kind).finish()
    }
}

/// A running decoder. Dropping it asks the thread to stop without waiting for it.
pub struct Decoder {
    mailbox: Arc<Mailbox>,
    commands: Sender<Command>,
    source: StreamSource,
    output: Output,
    size: (u32, u32),
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder").field("source", &self.source).field("size", &self.size).finish_non_exhaustive()
    }
}

/// Tile sizes are rounded to even numbers (I420 needs them) and kept within sane bounds.
pub fn tile_size(width: u32, height: u32) -> (u32, u32) {
    let clamp = |v: u32, max: u32| (v.clamp(16, max) / 2) * 2;
    (clamp(width, 3840), clamp(height, 2160))
}

impl Decoder {
    /// Starts decoding `source` on a new thread named after `name`: planes at the stream's size, or
    /// RGBA scaled to `width`×`height`. `clock` times the retries, the loss of signal and the rates
    /// (GStreamer's own pipeline runs in real time).
    pub fn start(
        name: &str,
        source: StreamSource,
        output: Output,
        width: u32,
        height: u32,
        notify: Notify,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, VideoError> {
        let mailbox = Arc::new(Mailbox::default());
        let (commands, rx) = bounded(8);
        let size = tile_size(width, height);
        let thread_mailbox = mailbox.clone();
        let thread_source = source.clone();
        std::thread::Builder::new()
            .name(format!("jiancha-tile-{name}"))
            .spawn(move || run(thread_source, output, size, &thread_mailbox, &rx, &notify, &clock))
            .map_err(|e| VideoError::Pipeline(format!("cannot start a decoder thread: {e}")))?;
        Ok(Self { mailbox, commands, source, output, size })
    }

    pub fn output(&self) -> Output {
        self.output
    }

    pub fn mailbox(&self) -> &Arc<Mailbox> {
        &self.mailbox
    }

    pub fn source(&self) -> &StreamSource {
        &self.source
    }

    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Asks for frames of another size (scaled in GStreamer; planes keep the stream's size). Never
    /// blocks.
    pub fn resize(&mut self, width: u32, height: u32) {
        let size = tile_size(width, height);
        if size != self.size && self.output == Output::Rgba {
            match self.commands.try_send(Command::Resize(size.0, size.1)) {
                Ok(()) | Err(TrySendError::Disconnected(_)) => self.size = size,
                // The thread is busy; the next frame asks again.
                Err(TrySendError::Full(_)) => {}
            }
        }
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        let _ = self.commands.try_send(Command::Stop);
    }
}

/// The launch line; the location is set as a property so that credentials never enter a string.
fn launch(output: Output, width: u32, height: u32) -> String {
    if output == Output::Planes {
        // The decoder's planes go straight to the sink: a stream in another format fails to
        // negotiate, and the decoder falls back to the RGBA line for it.
        return "rtspsrc name=src latency=200 protocols=tcp tcp-timeout=3000000 timeout=3000000 \
             ! rtph264depay name=depay ! h264parse ! avdec_h264 max-threads=1 \
             ! appsink name=sink caps=video/x-raw,format={I420,NV12} max-buffers=1 drop=true sync=false"
            .to_owned();
    }
    format!(
        "rtspsrc name=src latency=200 protocols=tcp tcp-timeout=3000000 timeout=3000000 \
         ! rtph264depay name=depay ! h264parse ! avdec_h264 max-threads=1 \
         ! videoscale add-borders=false ! capsfilter name=size caps=video/x-raw,width={width},height={height},pixel-aspect-ratio=1/1 \
         ! videoconvert ! video/x-raw,format=RGBA ! appsink name=sink max-buffers=1 drop=true sync=false"
    )
}

struct Counters {
    /// The pipeline's reported latency (jitter buffer and decoder), queried once a second.
    latency_ms: f32,
    frames_in_window: u64,
    bytes_in_window: u64,
    window_start: Instant,
    last_frame: Option<Instant>,
    last_frame_at: Option<DateTime<Utc>>,
}

/// Why a session ended.
enum Ended {
    Stop,
    Lost(String),
}

fn run(
    source: StreamSource,
    mut output: Output,
    mut size: (u32, u32),
    mailbox: &Arc<Mailbox>,
    rx: &Receiver<Command>,
    notify: &Notify,
    clock: &Arc<dyn Clock>,
) {
    if let Err(e) = super::init() {
        mailbox.set_status(TileStatus::Lost {
            reason: e.to_string(),
            last_frame_at: None,
            retry_at: clock.monotonic() + MAX_BACKOFF * 100,
        });
        notify();
        // Without GStreamer there is nothing to retry; wait for the stop.
        let _ = rx.recv();
        mailbox.set_status(TileStatus::Stopped);
        return;
    }
    let counters = Arc::new(Mutex::new(Counters {
        latency_ms: 0.0,
        frames_in_window: 0,
        bytes_in_window: 0,
        window_start: clock.monotonic(),
        last_frame: None,
        last_frame_at: None,
    }));
    let mut backoff = FIRST_BACKOFF;
    loop {
        mailbox.set_status(TileStatus::Connecting);
        notify();
        let (ended, had_frames) = session(&source, output, &mut size, mailbox, rx, notify, &counters, clock);
        match ended {
            Ended::Stop => break,
            Ended::Lost(reason) if output == Output::Planes && !had_frames && reason.contains(NOT_NEGOTIATED) => {
                tracing::info!(stream = %redact_url(&source.url), "the stream is neither I420 nor NV12: converting on the CPU");
                output = Output::Rgba;
            }
            Ended::Lost(reason) => {
                if had_frames {
                    backoff = FIRST_BACKOFF;
                }
                let retry_at = clock.monotonic() + backoff;
                let last_frame_at = lock(&counters).last_frame_at;
                tracing::info!(stream = %redact_url(&source.url), %reason, retry_in_ms = backoff.as_millis() as u64, "camera signal lost");
                mailbox.set_status(TileStatus::Lost { reason, last_frame_at, retry_at });
                *lock(&mailbox.stats) = TileStats { frames: mailbox.frame_count(), ..TileStats::default() };
                notify();
                // Wait for the retry, still obeying commands.
                loop {
                    match crate::clock::recv_deadline(&**clock, rx, retry_at) {
                        Ok(Command::Resize(w, h)) => size = (w, h),
                        Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => {
                            mailbox.set_status(TileStatus::Stopped);
                            return;
                        }
                        Err(RecvTimeoutError::Timeout) => break,
                    }
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
    mailbox.set_status(TileStatus::Stopped);
}

/// GStreamer's word for caps that do not fit (here: a pixel format the planes path does not take).
const NOT_NEGOTIATED: &str = "not-negotiated";

/// One connection: build, play, watch; returns why it ended and whether any frame came.
#[allow(clippy::too_many_arguments, reason = "one decoder's state, passed once")]
fn session(
    source: &StreamSource,
    output: Output,
    size: &mut (u32, u32),
    mailbox: &Arc<Mailbox>,
    rx: &Receiver<Command>,
    notify: &Notify,
    counters: &Arc<Mutex<Counters>>,
    clock: &Arc<dyn Clock>,
) -> (Ended, bool) {
    let pipeline = match build(source, output, *size, mailbox, notify, counters, clock) {
        Ok(p) => p,
        Err(reason) => return (wait_or_stop(rx, Ended::Lost(reason)), false),
    };
    let started = clock.monotonic();
    let frames_before = mailbox.frame_count();
    let ended = match pipeline.set_state(gst::State::Playing) {
        Err(_) => {
            Ended::Lost(first_error(&pipeline, &source.url).unwrap_or_else(|| "无法连接摄像头 (cannot connect)".into()))
        }
        Ok(_) => watch(&pipeline, source, size, mailbox, rx, started, frames_before, counters, clock),
    };
    let _ = pipeline.set_state(gst::State::Null);
    (ended, mailbox.frame_count() > frames_before)
}

fn wait_or_stop(rx: &Receiver<Command>, ended: Ended) -> Ended {
    match rx.try_recv() {
        Ok(Command::Stop) => Ended::Stop,
        _ => ended,
    }
}

fn first_error(pipeline: &gst::Pipeline, url: &str) -> Option<String> {
    let bus = pipeline.bus()?;
    while let Some(msg) = bus.pop() {
        if let gst::MessageView::Error(err) = msg.view() {
            return Some(describe_error(&err.error().to_string(), url));
        }
    }
    None
}

/// A supervisor-facing reason, with the technical detail sanitised.
pub(crate) fn describe_error(message: &str, url: &str) -> String {
    let lower = message.to_lowercase();
    let summary = if lower.contains("unauthorized") || lower.contains("401") || lower.contains("authentication") {
        "认证失败，请检查摄像头账号密码 (authentication failed)"
    } else if lower.contains("not found") || lower.contains("404") {
        "摄像头地址不存在 (stream not found)"
    } else if lower.contains("could not open") || lower.contains("connect") || lower.contains("refused") {
        "无法连接摄像头 (cannot connect)"
    } else {
        "视频流中断 (stream interrupted)"
    };
    format!("{summary}: {}", sanitize(message, url))
}

fn build(
    source: &StreamSource,
    output: Output,
    size: (u32, u32),
    mailbox: &Arc<Mailbox>,
    notify: &Notify,
    counters: &Arc<Mutex<Counters>>,
    clock: &Arc<dyn Clock>,
) -> Result<gst::Pipeline, String> {
    let element = gst::parse::launch(&launch(output, size.0, size.1)).map_err(|e| format!("pipeline: {e}"))?;
    let pipeline = element.downcast::<gst::Pipeline>().map_err(|_| "pipeline: not a pipeline".to_owned())?;
    let src = pipeline.by_name("src").ok_or("pipeline: no rtspsrc")?;
    src.set_property("location", &source.url);
    // Compressed bytes, for the bitrate.
    if let Some(pad) = pipeline.by_name("depay").and_then(|d| d.static_pad("sink")) {
        let counters = counters.clone();
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(buffer) = info.buffer() {
                lock(&counters).bytes_in_window += buffer.size() as u64;
            }
            gst::PadProbeReturn::Ok
        });
    }
    let sink =
        pipeline.by_name("sink").and_then(|s| s.downcast::<gst_app::AppSink>().ok()).ok_or("pipeline: no appsink")?;
    let mailbox = mailbox.clone();
    let notify = notify.clone();
    let counters = counters.clone();
    let clock = clock.clone();
    let weak_pipeline = pipeline.downgrade();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let pts = sample.buffer().and_then(|b| b.pts());
                let picture = match output {
                    Output::Planes => planes_of(&sample),
                    Output::Rgba => rgba_of(&sample, &mailbox),
                };
                let Some((width, height, picture)) = picture else { return Ok(gst::FlowSuccess::Ok) };
                let seq = mailbox.frames.fetch_add(1, Ordering::Relaxed) + 1;
                let now = Utc::now();
                *lock(&mailbox.frame) = Some(Arc::new(Frame { seq, width, height, picture, received_at: now }));
                // Delay: the pipeline's latency plus how far this frame is behind its running time.
                let behind_ms = weak_pipeline.upgrade().and_then(|p| {
                    let running = p.current_running_time()?;
                    Some(running.saturating_sub(pts?).mseconds() as f32)
                });
                let mut c = lock(&counters);
                let delay_ms = c.latency_ms + behind_ms.unwrap_or(0.0);
                c.frames_in_window += 1;
                c.last_frame = Some(clock.monotonic());
                c.last_frame_at = Some(now);
                let elapsed = clock.elapsed(c.window_start);
                if elapsed >= Duration::from_secs(1) {
                    let secs = elapsed.as_secs_f32();
                    *lock(&mailbox.stats) = TileStats {
                        fps: c.frames_in_window as f32 / secs,
                        kbps: c.bytes_in_window as f32 * 8.0 / 1000.0 / secs,
                        delay_ms,
                        frames: seq,
                    };
                    c.frames_in_window = 0;
                    c.bytes_in_window = 0;
                    c.window_start = clock.monotonic();
                }
                drop(c);
                if !matches!(mailbox.status(), TileStatus::Playing) {
                    mailbox.set_status(TileStatus::Playing);
                }
                notify();
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    Ok(pipeline)
}

/// The decoder's planes, held (no copy).
fn planes_of(sample: &gst::Sample) -> Option<(u32, u32, Picture)> {
    let buffer = sample.buffer_owned()?;
    let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
    let colour = Colour::from_info(&info);
    let frame = gst_video::VideoFrame::from_buffer_readable(buffer, &info).ok()?;
    let planes = Planes::new(frame, colour)?;
    Some((planes.width(), planes.height(), Picture::Planes(planes)))
}

/// RGBA rows packed into a buffer reused from the previous frame when the UI has let go of it (a fresh
/// 350 KB allocation per frame costs page faults that show in the CPU figures).
fn rgba_of(sample: &gst::Sample, mailbox: &Mailbox) -> Option<(u32, u32, Picture)> {
    let (buffer, caps) = (sample.buffer()?, sample.caps()?);
    let info = gst_video::VideoInfo::from_caps(caps).ok()?;
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).ok()?;
    let (width, height) = (frame.width(), frame.height());
    let stride = usize::try_from(frame.plane_stride()[0]).ok()?;
    let row = width as usize * 4;
    let data = frame.plane_data(0).ok()?;
    let previous = lock(&mailbox.frame).take();
    let mut rgba = match previous.and_then(|f| Arc::try_unwrap(f).ok()).map(|f| f.picture) {
        Some(Picture::Rgba(buffer)) => buffer,
        _ => Vec::new(),
    };
    rgba.clear();
    rgba.reserve(row * height as usize);
    if stride == row {
        rgba.extend_from_slice(data.get(..row * height as usize)?);
    } else {
        // Rows are padded at some widths: copy row by row into a packed image.
        for y in 0..height as usize {
            rgba.extend_from_slice(data.get(y * stride..y * stride + row)?);
        }
    }
    Some((width, height, Picture::Rgba(rgba)))
}

#[allow(clippy::too_many_arguments, reason = "one session's state, passed once")]
fn watch(
    pipeline: &gst::Pipeline,
    source: &StreamSource,
    size: &mut (u32, u32),
    mailbox: &Arc<Mailbox>,
    rx: &Receiver<Command>,
    started: Instant,
    frames_before: u64,
    counters: &Arc<Mutex<Counters>>,
    clock: &Arc<dyn Clock>,
) -> Ended {
    let Some(bus) = pipeline.bus() else { return Ended::Lost("pipeline: no bus".into()) };
    let mut last_latency_query = clock.monotonic();
    loop {
        if clock.elapsed(last_latency_query) >= Duration::from_secs(1) {
            last_latency_query = clock.monotonic();
            let mut query = gst::query::Latency::new();
            if pipeline.query(&mut query) {
                let (_, min, _) = query.result();
                lock(counters).latency_ms = min.mseconds() as f32;
            }
        }
        if let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) {
            match msg.view() {
                gst::MessageView::Error(err) => {
                    let mut reason = describe_error(&err.error().to_string(), &source.url);
                    if err.error().matches(gst::StreamError::Format)
                        || err.debug().is_some_and(|d| d.contains(NOT_NEGOTIATED))
                    {
                        reason.push_str(&format!(" ({NOT_NEGOTIATED})"));
                    }
                    return Ended::Lost(reason);
                }
                gst::MessageView::Eos(_) => return Ended::Lost("视频流结束 (end of stream)".into()),
                _ => {}
            }
        }
        loop {
            match rx.try_recv() {
                Ok(Command::Stop) | Err(TryRecvError::Disconnected) => return Ended::Stop,
                Ok(Command::Resize(w, h)) => {
                    *size = (w, h);
                    if let Some(filter) = pipeline.by_name("size") {
                        let caps = gst::Caps::builder("video/x-raw")
                            .field("width", w as i32)
                            .field("height", h as i32)
                            .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
                            .build();
                        filter.set_property("caps", caps);
                    }
                }
                Err(TryRecvError::Empty) => break,
            }
        }
        let got_frames = mailbox.frame_count() > frames_before;
        let last = lock(counters).last_frame;
        if got_frames {
            if last.is_some_and(|t| clock.elapsed(t) > LOST_AFTER) {
                return Ended::Lost("信号中断：超过 2 秒没有画面 (no picture for 2 s)".into());
            }
        } else if clock.elapsed(started) > CONNECT_TIMEOUT {
            return Ended::Lost("连接超时 (no picture after connecting)".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_even_and_bounded() {
        assert_eq!(tile_size(401, 225), (400, 224));
        assert_eq!(tile_size(1, 1), (16, 16));
        assert_eq!(tile_size(10_000, 10_000), (3840, 2160));
    }

    #[test]
    fn errors_are_explained_without_credentials() {
        let url = "rtsp://admin:pw123@10.1.1.1/cam/1";
        let text = describe_error("Unauthorized (401) for rtsp://admin:pw123@10.1.1.1/cam/1", url);
        assert!(text.starts_with("认证失败"), "{text}");
        assert!(!text.contains("pw123"), "{text}");
    }
}

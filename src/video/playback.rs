//! Playback of recorded footage inside an approved range: play, pause, seek, 0.5×–8× speed and frame
//! step, on one named thread per player.
//!
//! The thread reads the segment files itself (`ts::access_units`), feeds the H.264 access units to a
//! GStreamer decoder (`appsrc → h264parse → avdec_h264 → videoscale → videoconvert → RGBA appsink`),
//! and paces the decoded pictures by their wall-clock times. That keeps the rule simple to enforce:
//! a frame is shown only if its wall-clock time lies inside the approved range. Frames before the
//! range are decoded (a seek starts at the keyframe before the target) but never shown; nothing at or
//! after the range's end is even fed to the decoder. Gaps in the recording are skipped over.
//!
//! Several cameras play together as a [`Group`]: up to four players follow one [`Timeline`] (the play
//! head), each showing its camera's frame for the head's moment. Seek, speed and frame step move the
//! head and every player with it; pausing shows on each camera the last frame at or before the head,
//! so the pictures side by side are never more than one frame apart.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::clock::Clock;

use chrono::Utc;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;

use super::decoder::{Frame, Notify, Picture};
use super::{mp4, ts};
use crate::domain::footage::Span;
use crate::store::Segment;

/// Speeds the player offers.
pub const SPEEDS: [f32; 5] = [0.5, 1.0, 2.0, 4.0, 8.0];

#[derive(Debug, Clone, PartialEq)]
pub enum PlayerStatus {
    Loading,
    Paused,
    Playing,
    /// At the end of the range (or of the recording in it).
    Ended,
    Error(String),
}

/// What the UI reads.
pub struct PlayerShared {
    frame: Mutex<Option<Arc<Frame>>>,
    status: Mutex<PlayerStatus>,
    /// Wall-clock time of the frame shown (UTC ms).
    position: AtomicU64,
    speed: Mutex<f32>,
    frames_shown: AtomicU64,
    /// The time between the last two frames shown (ms), the camera's frame interval.
    frame_ms: AtomicU64,
    /// The wall time of the next frame, once decoded ahead (0 = not known).
    next_ms: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl PlayerShared {
    pub fn frame(&self) -> Option<Arc<Frame>> {
        lock(&self.frame).clone()
    }
    pub fn status(&self) -> PlayerStatus {
        lock(&self.status).clone()
    }
    pub fn position_ms(&self) -> i64 {
        i64::try_from(self.position.load(Ordering::Relaxed)).unwrap_or(0)
    }
    pub fn speed(&self) -> f32 {
        *lock(&self.speed)
    }
    pub fn frames_shown(&self) -> u64 {
        self.frames_shown.load(Ordering::Relaxed)
    }
    /// The wall time (UTC ms) of the frame after the one shown, when it is decoded already.
    pub fn next_ms(&self) -> Option<i64> {
        match self.next_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => i64::try_from(ms).ok(),
        }
    }
    /// The camera's frame interval as playback found it (ms); 40 until two frames were shown.
    pub fn frame_ms(&self) -> i64 {
        match self.frame_ms.load(Ordering::Relaxed) {
            0 => 40,
            ms => i64::try_from(ms).unwrap_or(40),
        }
    }
}

/// Where a play head stands: wall time `anchor_ms` is shown at `anchor_at`, and moves on at `speed`
/// while playing.
#[derive(Debug, Clone, Copy)]
struct Head {
    anchor_ms: i64,
    anchor_at: Instant,
    speed: f32,
    playing: bool,
}

impl Head {
    fn position(&self, now: Instant) -> i64 {
        if self.playing {
            let elapsed = now.saturating_duration_since(self.anchor_at).as_secs_f64();
            // Before the anchor (a seek's short lead) the head waits at it.
            self.anchor_ms + (elapsed * 1000.0 * f64::from(self.speed)) as i64
        } else {
            self.anchor_ms
        }
    }

    /// When the frame of wall time `wall` is due.
    fn due(&self, wall: i64) -> Instant {
        self.anchor_at
            + Duration::from_secs_f64(((wall - self.anchor_ms).max(0) as f64 / 1000.0) / f64::from(self.speed))
    }
}

/// The one play head the players of a [`Group`] follow.
pub struct Timeline {
    head: Mutex<Head>,
    clock: Arc<dyn Clock>,
}

impl Timeline {
    fn new(at: i64, clock: Arc<dyn Clock>) -> Self {
        let head = Head { anchor_ms: at, anchor_at: clock.monotonic(), speed: 1.0, playing: false };
        Self { head: Mutex::new(head), clock }
    }
    fn head(&self) -> Head {
        *lock(&self.head)
    }
    /// The head's wall time (UTC ms) now.
    pub fn position_ms(&self) -> i64 {
        self.head().position(self.clock.monotonic())
    }
    pub fn speed(&self) -> f32 {
        self.head().speed
    }
    pub fn playing(&self) -> bool {
        self.head().playing
    }
    /// Sets the head at `at`; when playing it moves on from there after `lead` (time for the
    /// decoders to reach a seek's target).
    fn set(&self, at: i64, lead: Duration) {
        let mut head = lock(&self.head);
        head.anchor_ms = at;
        head.anchor_at = self.clock.monotonic() + lead;
    }
    /// Starts or stops the head where it stands; returns that position.
    fn run(&self, playing: bool) -> i64 {
        let mut head = lock(&self.head);
        let now = self.clock.monotonic();
        let at = head.position(now);
        *head = Head { anchor_ms: at, anchor_at: now, speed: head.speed, playing };
        at
    }
    fn set_speed(&self, speed: f32) {
        let mut head = lock(&self.head);
        let now = self.clock.monotonic();
        let at = head.position(now);
        *head = Head { anchor_ms: at, anchor_at: now, speed, playing: head.playing };
    }
}

enum Command {
    Play,
    Pause,
    Seek(i64),
    Speed(f32),
    Step,
    /// Paused: show the last frame at or before this wall time (a group's pause and frame step).
    ShowUntil(i64),
    Resize(u32, u32),
    Stop,
}

/// A player of one camera's footage over an approved range.
pub struct Player {
    commands: Sender<Command>,
    shared: Arc<PlayerShared>,
    range: Span,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Player {
    /// Starts paused at the range's start (or at `at`, clamped into the range). `segments` are the
    /// camera's segments overlapping `range`, as the store granted them.
    pub fn start(
        root: &Path,
        segments: Vec<Segment>,
        range: Span,
        at: Option<i64>,
        size: (u32, u32),
        notify: Notify,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self::start_on(root, segments, range, at, size, notify, Timing::Own(clock))
    }

    fn start_on(
        root: &Path,
        segments: Vec<Segment>,
        range: Span,
        at: Option<i64>,
        size: (u32, u32),
        notify: Notify,
        timing: Timing,
    ) -> Self {
        let (tx, rx) = bounded(64);
        let shared = Arc::new(PlayerShared {
            frame: Mutex::new(None),
            status: Mutex::new(PlayerStatus::Loading),
            position: AtomicU64::new(u64::try_from(range.from).unwrap_or(0)),
            speed: Mutex::new(1.0),
            frames_shown: AtomicU64::new(0),
            frame_ms: AtomicU64::new(0),
            next_ms: AtomicU64::new(0),
        });
        let root = root.to_owned();
        let thread = std::thread::Builder::new()
            .name("jiancha-playback".into())
            .spawn({
                let shared = shared.clone();
                move || {
                    let start = at.unwrap_or(range.from).clamp(range.from, range.to - 1);
                    let mut engine = Engine::new(root, segments, range, size, shared.clone(), notify.clone(), timing);
                    if let Err(e) = engine.run(start, &rx) {
                        *lock(&shared.status) = PlayerStatus::Error(e);
                        notify();
                    }
                }
            })
            .ok();
        Self { commands: tx, shared, range, thread }
    }

    pub fn shared(&self) -> &Arc<PlayerShared> {
        &self.shared
    }
    pub fn range(&self) -> Span {
        self.range
    }
    pub fn play(&self) {
        let _ = self.commands.try_send(Command::Play);
    }
    pub fn pause(&self) {
        let _ = self.commands.try_send(Command::Pause);
    }
    /// Seeks to a wall-clock time (UTC ms); clamped into the range.
    pub fn seek(&self, at_ms: i64) {
        let _ = self.commands.try_send(Command::Seek(at_ms));
    }
    pub fn set_speed(&self, speed: f32) {
        let _ = self.commands.try_send(Command::Speed(speed));
    }
    /// Pauses and shows the next frame.
    pub fn step(&self) {
        let _ = self.commands.try_send(Command::Step);
    }
    pub fn resize(&self, width: u32, height: u32) {
        let _ = self.commands.try_send(Command::Resize(width, height));
    }
    fn show_until(&self, at_ms: i64) {
        let _ = self.commands.try_send(Command::ShowUntil(at_ms));
    }

    /// Stops the player without waiting for its thread (the console calls this on the UI thread, where
    /// a seek in progress must not stall a frame): the thread ends by itself on `Stop`, or when it
    /// finds the command channel closed.
    pub fn close(mut self) {
        let _ = self.commands.try_send(Command::Stop);
        drop(self.thread.take());
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = self.commands.send(Command::Stop);
            let _ = t.join();
        }
    }
}

/// 90 kHz ticks since the epoch as a GStreamer time (ns), without overflowing on the way.
fn ticks_to_time(ticks: i64) -> gst::ClockTime {
    let t = u64::try_from(ticks).unwrap_or(0);
    gst::ClockTime::from_nseconds(t / 9 * 100_000 + (t % 9) * 100_000 / 9)
}

/// One access unit with its wall-clock times (90 kHz ticks since the epoch).
struct Unit {
    pts: i64,
    dts: i64,
    keyframe: bool,
    data: Arc<[u8]>,
}

struct Engine {
    root: PathBuf,
    segments: Vec<Segment>,
    range: Span,
    size: (u32, u32),
    shared: Arc<PlayerShared>,
    notify: Notify,
    /// The loaded segment and its units.
    loaded: Option<(usize, Vec<Unit>)>,
    /// Where feeding stands: (segment index, unit index).
    cursor: (usize, usize),
    decoder: Option<Decoder>,
    /// Frames before this wall time (ms) are decoded but not shown (the seek target).
    show_from: i64,
    seq: u64,
    /// The group's play head this player follows, if it plays in a group.
    timeline: Option<Arc<Timeline>>,
    /// The clock the frames are paced by (the group's, when in a group).
    clock: Arc<dyn Clock>,
}

/// How a player keeps time: on its own clock, or on a group's play head (and its clock).
enum Timing {
    Own(Arc<dyn Clock>),
    Group(Arc<Timeline>),
}

struct Decoder {
    pipeline: gst::Pipeline,
    src: gst_app::AppSrc,
    sink: gst_app::AppSink,
}

impl Drop for Decoder {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

impl Engine {
    fn new(
        root: PathBuf,
        mut segments: Vec<Segment>,
        range: Span,
        size: (u32, u32),
        shared: Arc<PlayerShared>,
        notify: Notify,
        timing: Timing,
    ) -> Self {
        segments.sort_by_key(|s| s.span.from);
        segments.retain(|s| s.span.overlaps(range));
        let (timeline, clock) = match timing {
            Timing::Own(clock) => (None, clock),
            Timing::Group(timeline) => {
                let clock = timeline.clock.clone();
                (Some(timeline), clock)
            }
        };
        Self {
            root,
            segments,
            range,
            size,
            shared,
            notify,
            loaded: None,
            cursor: (0, 0),
            decoder: None,
            show_from: range.from,
            seq: 0,
            timeline,
            clock,
        }
    }

    fn set_status(&self, status: PlayerStatus) {
        *lock(&self.shared.status) = status;
        (self.notify)();
    }

    fn units(&mut self, index: usize) -> Result<&[Unit], String> {
        if self.loaded.as_ref().is_none_or(|(i, _)| *i != index) {
            let segment = &self.segments[index];
            let path = self.root.join(&segment.path);
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let raw = ts::access_units(&bytes);
            let first = raw.iter().map(|u| u.pts).min().unwrap_or(0);
            let base = segment.span.from * 90;
            let units = raw
                .into_iter()
                .map(|u| {
                    let pts = base + i64::try_from(u.pts - first).unwrap_or(0);
                    let dts = pts - i64::try_from(u.pts.saturating_sub(u.dts)).unwrap_or(0);
                    let keyframe = mp4::is_keyframe(&u.data);
                    Unit { pts, dts, keyframe, data: u.data.into() }
                })
                .collect();
            self.loaded = Some((index, units));
        }
        Ok(self.loaded.as_ref().map(|(_, u)| u.as_slice()).unwrap_or(&[]))
    }

    fn build_decoder(&self) -> Result<Decoder, String> {
        super::init().map_err(|e| e.to_string())?;
        let (w, h) = self.size;
        let line = format!(
            "appsrc name=src format=time is-live=false do-timestamp=false \
               caps=video/x-h264,stream-format=byte-stream,alignment=au \
             ! h264parse ! avdec_h264 max-threads=2 ! videoscale add-borders=true \
             ! videoconvert ! video/x-raw,format=RGBA,width={w},height={h},pixel-aspect-ratio=1/1 \
             ! appsink name=sink sync=false max-buffers=8"
        );
        let pipeline = gst::parse::launch(&line)
            .map_err(|e| e.to_string())?
            .downcast::<gst::Pipeline>()
            .map_err(|_| "not a pipeline".to_owned())?;
        let src = pipeline.by_name("src").and_then(|e| e.downcast::<gst_app::AppSrc>().ok()).ok_or("no appsrc")?;
        let sink = pipeline.by_name("sink").and_then(|e| e.downcast::<gst_app::AppSink>().ok()).ok_or("no appsink")?;
        pipeline.set_state(gst::State::Playing).map_err(|e| e.to_string())?;
        Ok(Decoder { pipeline, src, sink })
    }

    /// Positions the feed at the keyframe at or before `at` and rebuilds the decoder.
    fn seek(&mut self, at: i64) -> Result<(), String> {
        let at = at.clamp(self.range.from, self.range.to - 1);
        self.show_from = at;
        self.decoder = None;
        // The segment holding `at`, or the first one after it (a gap).
        let index = self
            .segments
            .iter()
            .position(|s| s.span.to > at)
            .ok_or_else(|| "没有这段时间的录像 (no recording here)".to_owned())?;
        let target = at * 90;
        let units = self.units(index)?;
        let key =
            units.iter().rposition(|u| u.keyframe && u.pts <= target).or_else(|| units.iter().position(|u| u.keyframe));
        self.cursor = (index, key.unwrap_or(0));
        self.decoder = Some(self.build_decoder()?);
        Ok(())
    }

    /// The next unit to feed (crossing into the next segment), or `None` at the range's end.
    fn next_unit(&mut self) -> Result<Option<(i64, i64, Arc<[u8]>)>, String> {
        loop {
            let (index, at) = self.cursor;
            if index >= self.segments.len() {
                return Ok(None);
            }
            let range_end = self.range.to * 90;
            let units = self.units(index)?;
            if let Some(u) = units.get(at) {
                if u.pts >= range_end {
                    return Ok(None);
                }
                let unit = (u.pts, u.dts, u.data.clone());
                self.cursor.1 += 1;
                return Ok(Some(unit));
            }
            self.cursor = (index + 1, 0);
        }
    }

    /// Decodes until a picture at or after `show_from` comes out; returns it with its wall time (ms).
    /// Keeps only a few units queued ahead of the decoder, so memory stays flat whatever the range.
    fn next_picture(&mut self) -> Result<Option<(i64, Frame)>, String> {
        let mut fed_all = false;
        loop {
            let Some((src, sink)) = self.decoder.as_ref().map(|d| (d.src.clone(), d.sink.clone())) else {
                return Ok(None);
            };
            let wait = if !fed_all && src.current_level_buffers() < 4 { 0 } else { 20 };
            if let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(wait)) {
                if let Some((wall, frame)) = self.frame_of(&sample)
                    && wall >= self.show_from
                    && wall >= self.range.from
                    && wall < self.range.to
                {
                    return Ok(Some((wall, frame)));
                }
                continue;
            }
            if sink.is_eos() {
                return Ok(None);
            }
            if fed_all || src.current_level_buffers() >= 4 {
                continue;
            }
            match self.next_unit()? {
                Some((pts, dts, data)) => {
                    let mut buffer = gst::Buffer::from_slice(data);
                    if let Some(b) = buffer.get_mut() {
                        b.set_pts(ticks_to_time(pts));
                        b.set_dts(ticks_to_time(dts));
                    }
                    src.push_buffer(buffer).map_err(|e| format!("decoder: {e:?}"))?;
                }
                None => {
                    // The range (or the recording) ends here: let the decoder drain.
                    let _ = src.end_of_stream();
                    fed_all = true;
                }
            }
        }
    }

    fn frame_of(&mut self, sample: &gst::Sample) -> Option<(i64, Frame)> {
        let buffer = sample.buffer()?;
        let wall = i64::try_from(buffer.pts()?.mseconds()).ok()?;
        let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
        let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).ok()?;
        let (width, height) = (frame.width(), frame.height());
        let stride = usize::try_from(frame.plane_stride()[0]).ok()?;
        let row = width as usize * 4;
        let data = frame.plane_data(0).ok()?;
        let mut rgba = Vec::with_capacity(row * height as usize);
        for y in 0..height as usize {
            rgba.extend_from_slice(data.get(y * stride..y * stride + row)?);
        }
        self.seq += 1;
        Some((wall, Frame { seq: self.seq, width, height, picture: Picture::Rgba(rgba), received_at: Utc::now() }))
    }

    fn show(&self, wall: i64, frame: Frame) {
        let previous = self.shared.position_ms();
        if self.shared.frames_shown() > 0 && (1..=1_000).contains(&(wall - previous)) {
            self.shared.frame_ms.store(u64::try_from(wall - previous).unwrap_or(0), Ordering::Relaxed);
        }
        *lock(&self.shared.frame) = Some(Arc::new(frame));
        self.shared.position.store(u64::try_from(wall).unwrap_or(0), Ordering::Relaxed);
        self.shared.frames_shown.fetch_add(1, Ordering::Relaxed);
        (self.notify)();
    }

    fn run(&mut self, start: i64, rx: &Receiver<Command>) -> Result<(), String> {
        if self.segments.is_empty() {
            return Err("这段时间没有录像 (no recording in the range)".into());
        }
        self.seek(start)?;
        match self.next_picture()? {
            Some((wall, frame)) => self.show(wall, frame),
            None => {
                self.set_status(PlayerStatus::Ended);
            }
        }
        if self.shared.status() == PlayerStatus::Loading {
            self.set_status(PlayerStatus::Paused);
        }
        let mut playing = false;
        let mut speed: f32 = 1.0;
        // Pacing: wall time `anchor_wall` was shown at `anchor_instant`.
        let mut anchor: Option<(i64, Instant)> = None;
        let mut pending: Option<(i64, Frame)> = None;
        // Paused, the next frame is decoded ahead (a frame step then shows at once, and a group knows
        // where its cameras' next frames are); `exhausted` once there is none.
        let mut exhausted = false;
        loop {
            if !playing && pending.is_none() && !exhausted {
                match self.next_picture()? {
                    Some(next) => pending = Some(next),
                    None => exhausted = true,
                }
            }
            let next = pending.as_ref().map_or(0, |(wall, _)| u64::try_from(*wall).unwrap_or(0));
            self.shared.next_ms.store(next, Ordering::Relaxed);
            // Wait for a command, or until the pending frame is due.
            let head = match (&self.timeline, anchor) {
                (Some(timeline), _) => Some(timeline.head()),
                (None, Some((anchor_ms, anchor_at))) => Some(Head { anchor_ms, anchor_at, speed, playing }),
                (None, None) => None,
            };
            // Playing, until the pending frame is due (by the clock: a simulated one moves there);
            // otherwise until a command comes, however long.
            let now = self.clock.monotonic();
            let deadline = match (&pending, head, playing) {
                (Some((wall, _)), Some(head), true) => Some(head.due(*wall).max(now)),
                (None, _, true) => Some(now),
                _ => None,
            };
            let received = match deadline {
                Some(deadline) => crate::clock::recv_deadline(self.clock.as_ref(), rx, deadline),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            let command = match received {
                Ok(c) => Some(c),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            };
            match command {
                Some(Command::Stop) => return Ok(()),
                Some(Command::Play) => {
                    if self.shared.status() == PlayerStatus::Ended && self.timeline.is_none() {
                        self.seek(self.range.from)?;
                        pending = None;
                        exhausted = false;
                    }
                    playing = true;
                    anchor = Some((self.shared.position_ms(), self.clock.monotonic()));
                    self.set_status(PlayerStatus::Playing);
                }
                Some(Command::Pause) => {
                    playing = false;
                    self.set_status(PlayerStatus::Paused);
                }
                Some(Command::Speed(s)) => {
                    speed = s.clamp(0.25, 16.0);
                    *lock(&self.shared.speed) = speed;
                    anchor = Some((self.shared.position_ms(), self.clock.monotonic()));
                    (self.notify)();
                }
                Some(Command::Resize(w, h)) if (w, h) != self.size && w > 0 && h > 0 => {
                    self.size = (w, h);
                    let at = self.shared.position_ms();
                    self.seek(at)?;
                    pending = None;
                    exhausted = false;
                    if let Some((wall, frame)) = self.next_picture()? {
                        self.show(wall, frame);
                    }
                }
                Some(Command::Resize(..)) => {}
                Some(Command::Seek(at)) => {
                    self.seek(at)?;
                    pending = None;
                    exhausted = false;
                    match self.next_picture()? {
                        Some((wall, frame)) => {
                            self.show(wall, frame);
                            anchor = Some((wall, self.clock.monotonic()));
                            if !playing {
                                self.set_status(PlayerStatus::Paused);
                            }
                        }
                        None => {
                            playing = false;
                            self.set_status(PlayerStatus::Ended);
                        }
                    }
                }
                Some(Command::ShowUntil(at)) => {
                    playing = false;
                    if at < self.shared.position_ms() {
                        self.seek(at)?;
                        pending = None;
                        exhausted = false;
                    }
                    let mut ended = false;
                    loop {
                        let next = match pending.take() {
                            Some(p) => Some(p),
                            None => self.next_picture()?,
                        };
                        match next {
                            Some((wall, frame)) if wall <= at || self.shared.frames_shown() == 0 => {
                                self.show(wall, frame);
                            }
                            Some(later) => {
                                pending = Some(later);
                                break;
                            }
                            None => {
                                ended = true;
                                break;
                            }
                        }
                    }
                    self.set_status(if ended { PlayerStatus::Ended } else { PlayerStatus::Paused });
                }
                Some(Command::Step) => {
                    playing = false;
                    let next = match pending.take() {
                        Some(p) => Some(p),
                        None => self.next_picture()?,
                    };
                    match next {
                        Some((wall, frame)) => {
                            self.show(wall, frame);
                            self.set_status(PlayerStatus::Paused);
                        }
                        None => self.set_status(PlayerStatus::Ended),
                    }
                }
                None if playing => {
                    if let Some((wall, frame)) = pending.take() {
                        // Across a gap, carry on at once rather than wait out the missing time.
                        let previous = self.shared.position_ms();
                        if wall - previous > 1_500 && self.timeline.is_none() {
                            anchor = Some((wall, self.clock.monotonic()));
                        }
                        self.show(wall, frame);
                    }
                    match self.next_picture()? {
                        Some(next) => pending = Some(next),
                        None => {
                            playing = false;
                            self.set_status(PlayerStatus::Ended);
                        }
                    }
                }
                None => {}
            }
        }
    }
}

/// Up to four cameras of one approved request on one play head.
pub struct Group {
    players: Vec<Player>,
    timeline: Arc<Timeline>,
    range: Span,
}

/// How long the head waits after a seek while playing, so every decoder has reached the target
/// (from the keyframe before it) before the pictures move on together.
const SEEK_LEAD: Duration = Duration::from_millis(300);

impl Group {
    /// The most cameras played together (as many as one register line covers).
    pub const MAX: usize = crate::store::MAX_GRANT_CAMERAS;

    /// Starts one player per track (the directory its segments are read under, and the segments of
    /// its camera overlapping `range`), all paused at `at` (or the range's start). Tracks past
    /// [`Group::MAX`] are not played.
    pub fn start(
        tracks: Vec<(PathBuf, Vec<Segment>)>,
        range: Span,
        at: Option<i64>,
        size: (u32, u32),
        notify: Notify,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let start = at.unwrap_or(range.from).clamp(range.from, range.to - 1);
        let timeline = Arc::new(Timeline::new(start, clock));
        let players = tracks
            .into_iter()
            .take(Self::MAX)
            .map(|(root, segments)| {
                Player::start_on(
                    &root,
                    segments,
                    range,
                    Some(start),
                    size,
                    notify.clone(),
                    Timing::Group(timeline.clone()),
                )
            })
            .collect();
        Self { players, timeline, range }
    }

    pub fn players(&self) -> &[Player] {
        &self.players
    }
    pub fn timeline(&self) -> &Arc<Timeline> {
        &self.timeline
    }
    pub fn range(&self) -> Span {
        self.range
    }

    /// The head's wall time (UTC ms), inside the range.
    pub fn position_ms(&self) -> i64 {
        self.timeline.position_ms().clamp(self.range.from, self.range.to - 1)
    }

    /// The group's state: loading while any player loads, playing while the head moves and some
    /// camera has footage left, ended when every camera has shown its last frame of the range; an
    /// error only when every camera failed (one lost camera does not stop the others).
    pub fn status(&self) -> PlayerStatus {
        let each: Vec<PlayerStatus> = self.players.iter().map(|p| p.shared().status()).collect();
        if each.is_empty() {
            return PlayerStatus::Error("没有摄像头 (no camera)".into());
        }
        if each.iter().all(|s| matches!(s, PlayerStatus::Error(_))) {
            return each.into_iter().next().unwrap_or(PlayerStatus::Loading);
        }
        let live = || each.iter().filter(|s| !matches!(s, PlayerStatus::Error(_)));
        if live().any(|s| *s == PlayerStatus::Loading) {
            PlayerStatus::Loading
        } else if live().all(|s| *s == PlayerStatus::Ended) {
            PlayerStatus::Ended
        } else if self.timeline.playing() {
            PlayerStatus::Playing
        } else {
            PlayerStatus::Paused
        }
    }

    pub fn speed(&self) -> f32 {
        self.timeline.speed()
    }

    /// Plays from the head (from the range's start once every camera has ended).
    pub fn play(&self) {
        let again = self.status() == PlayerStatus::Ended;
        if again {
            self.seek(self.range.from);
        }
        let at = self.timeline.run(true);
        if again {
            self.timeline.set(at, SEEK_LEAD);
        }
        self.players.iter().for_each(Player::play);
    }

    /// Stops the head; each camera shows its last frame at or before it.
    pub fn pause(&self) {
        let at = self.timeline.run(false).min(self.range.to - 1);
        self.timeline.set(at, Duration::ZERO);
        self.players.iter().for_each(|p| p.show_until(at));
    }

    /// Moves the head (clamped into the range); every camera shows its first frame at or after it.
    pub fn seek(&self, at_ms: i64) {
        let at = at_ms.clamp(self.range.from, self.range.to - 1);
        let lead = if self.timeline.playing() { SEEK_LEAD } else { Duration::ZERO };
        self.timeline.set(at, lead);
        for p in &self.players {
            p.seek(at);
            // A camera that had ended stopped playing by itself: it joins the head again.
            if self.timeline.playing() {
                p.play();
            }
        }
    }

    pub fn set_speed(&self, speed: f32) {
        let speed = speed.clamp(0.25, 16.0);
        self.timeline.set_speed(speed);
        self.players.iter().for_each(|p| p.set_speed(speed));
    }

    /// Pauses and moves the head on to the next frame of any camera (the earliest of the frames they
    /// have decoded ahead, or one frame interval when none is known yet).
    pub fn step(&self) {
        let head = self.timeline.run(false);
        let next = self.players.iter().filter_map(|p| p.shared().next_ms()).filter(|&n| n > head).min();
        let frame = self.players.iter().map(|p| p.shared().frame_ms()).min().unwrap_or(40);
        let at = next.unwrap_or(head + frame).min(self.range.to - 1);
        self.timeline.set(at, Duration::ZERO);
        self.players.iter().for_each(|p| p.show_until(at));
    }

    pub fn resize(&self, width: u32, height: u32) {
        self.players.iter().for_each(|p| p.resize(width, height));
    }

    /// Stops every player without waiting for its thread.
    pub fn close(self) {
        self.players.into_iter().for_each(Player::close);
    }
}

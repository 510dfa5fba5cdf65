//! The camera watchers at work (Art 11(8)): one thread per watched camera reads its sub stream, decodes
//! **keyframes only** (the others are dropped before the decoder, so a camera costs its parser and
//! about one decoded picture a second), scales it to a small colour picture and feeds a
//! [`Watcher`]; what it finds goes to the store as [`WatchReport`]s with PNG snapshots. The recorder
//! service runs a [`WatchHost`] for the cameras it records, a console for its live-only cameras.
//! Never on the UI thread.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use super::watch::{Finding, Gray, TamperKind, WatchSettings, Watcher};
use crate::clock::Clock;
use crate::domain::watch::FindingKind;
use crate::store::{CameraWatch, Session, Store, WatchConfig, WatchReport};

/// The colour picture a watcher keeps as its snapshots.
pub const PICTURE: (u32, u32) = (320, 180);

/// A colour picture (RGB, [`PICTURE`] size).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Picture {
    /// The grey picture the detectors look at: every 2×2 block averaged.
    pub fn gray(&self) -> Option<Gray> {
        let (w, h) = (self.width as usize / 2, self.height as usize / 2);
        if self.rgb.len() != self.width as usize * self.height as usize * 3 || w < 8 || h < 8 {
            return None;
        }
        let stride = self.width as usize * 3;
        let mut data = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                let mut sum = 0u32;
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let i = (2 * y + dy) * stride + (2 * x + dx) * 3;
                    let (r, g, b) = (u32::from(self.rgb[i]), u32::from(self.rgb[i + 1]), u32::from(self.rgb[i + 2]));
                    sum += (r * 77 + g * 150 + b * 29) >> 8;
                }
                data.push((sum / 4) as u8);
            }
        }
        Gray::new(w as u32, h as u32, data)
    }

    /// The picture as PNG.
    pub fn png(&self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().ok()?;
        writer.write_image_data(&self.rgb).ok()?;
        writer.finish().ok()?;
        Some(out)
    }
}

/// One picture of the stream at `url` now (the sub stream a watcher reads), for a reference view
/// (设为基准画面) or for drawing the seat region on; and the picture as PNG. The error names what
/// failed, never the URL (it may carry the camera's password).
pub fn still(url: &str) -> Result<(Picture, Vec<u8>), String> {
    let probe = super::probe::probe(url, super::probe::PROBE_TIMEOUT)?;
    let (width, height) = super::probe::PREVIEW;
    if probe.preview.len() != (width * height * 4) as usize {
        return Err("the camera's picture could not be read".into());
    }
    let rgb: Vec<u8> = probe.preview.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let picture = Picture { width, height, rgb };
    let png = picture.png().ok_or_else(|| "the picture could not be encoded".to_owned())?;
    Ok((picture, png))
}

/// A PNG (as the store keeps a reference view) as the detectors' grey picture.
pub fn gray_from_png(png_bytes: &[u8]) -> Option<Gray> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Grayscale => 1,
        _ => return None,
    };
    if info.bit_depth != png::BitDepth::Eight {
        return None;
    }
    let (w, h) = (info.width as usize, info.height as usize);
    let mut rgb = Vec::with_capacity(w * h * 3);
    for px in buf[..w * h * channels].chunks_exact(channels) {
        match channels {
            1 => rgb.extend_from_slice(&[px[0]; 3]),
            _ => rgb.extend_from_slice(&px[..3]),
        }
    }
    let picture = Picture { width: info.width, height: info.height, rgb };
    if (info.width, info.height) == PICTURE {
        return picture.gray();
    }
    // Another size: scale to the snapshot size first (nearest), then average.
    let mut scaled = Vec::with_capacity((PICTURE.0 * PICTURE.1 * 3) as usize);
    for y in 0..PICTURE.1 as usize {
        for x in 0..PICTURE.0 as usize {
            let (sx, sy) = (x * w / PICTURE.0 as usize, y * h / PICTURE.1 as usize);
            let i = (sy * w + sx) * 3;
            scaled.extend_from_slice(&picture.rgb[i..i + 3]);
        }
    }
    Picture { width: PICTURE.0, height: PICTURE.1, rgb: scaled }.gray()
}

/// What a finding becomes for the store.
pub fn report_of(camera_id: i64, finding: &Finding<Picture>) -> WatchReport {
    let kind = |k: TamperKind| match k {
        TamperKind::Blocked => FindingKind::Blocked,
        TamperKind::Moved => FindingKind::Moved,
    };
    match finding {
        Finding::TamperStarted { kind: k, since, before, after } => WatchReport::Raised {
            camera_id,
            kind: kind(*k),
            since: *since,
            first: before.as_ref().and_then(Picture::png),
            second: after.png(),
        },
        Finding::TamperEnded { kind: k, at } => {
            WatchReport::Ended { camera_id, kind: kind(*k), at: *at, snapshot: None }
        }
        Finding::AbsenceStarted { since, snapshot } => WatchReport::Raised {
            camera_id,
            kind: FindingKind::Absent,
            since: *since,
            first: snapshot.png(),
            second: None,
        },
        Finding::AbsenceEnded { until, snapshot, .. } => {
            WatchReport::Ended { camera_id, kind: FindingKind::Absent, at: *until, snapshot: snapshot.png() }
        }
    }
}

/// One camera's watching: the watcher and what it needs to know of the camera.
pub struct CameraWatching {
    camera: CameraWatch,
    watcher: Watcher<Picture>,
    /// The reference view's hash the watcher holds, to notice a new one.
    reference: Option<String>,
    seat: Option<crate::domain::watch::Region>,
    /// Whether open findings left from before this watcher began were ended (once, on a normal picture).
    cleared: bool,
}

impl CameraWatching {
    pub fn new(camera: CameraWatch, settings: WatchSettings) -> Self {
        let reference = camera.reference_png.as_deref().and_then(gray_from_png);
        Self {
            watcher: Watcher::new(settings, camera.seat, reference.as_ref()),
            reference: camera.reference_sha256.clone(),
            seat: camera.seat,
            camera,
            cleared: false,
        }
    }

    /// Takes a newer configuration of the camera (a new reference view or seat region starts over).
    pub fn update(&mut self, camera: CameraWatch, settings: WatchSettings) {
        if camera.reference_sha256 != self.reference || camera.seat != self.seat {
            *self = Self::new(camera, settings);
        } else {
            self.camera = camera;
        }
    }

    /// Looks at a picture taken at `at`; the reports for the store.
    pub fn feed(&mut self, at: chrono::DateTime<chrono::Utc>, picture: &Picture) -> Vec<WatchReport> {
        let Some(gray) = picture.gray() else { return Vec::new() };
        let open = self.camera.is_open(at);
        let found = self.watcher.feed_with(at, open, &gray, picture);
        let mut reports: Vec<WatchReport> = found.iter().map(|f| report_of(self.camera.camera_id, f)).collect();
        if !self.cleared {
            // Findings still open from an earlier run whose condition is not seen now end here.
            let m = self.watcher.measure(&gray);
            let normal = m.mean >= 18.0 && m.contrast >= 10.0 && m.edge_match >= 0.45;
            if normal {
                self.cleared = true;
                for kind in [FindingKind::Blocked, FindingKind::Moved] {
                    reports.push(WatchReport::Ended { camera_id: self.camera.camera_id, kind, at, snapshot: None });
                }
            }
        }
        reports
    }
}

/// Which cameras a host watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Every camera it is given a stream for (the recorder service: it records them).
    All,
    /// Only cameras no recorder reports (a console, for live-only cameras).
    LiveOnly,
}

struct Running {
    shared: Arc<Mutex<CameraWatching>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    url: String,
}

/// The watchers of a recorder or a console: a thread per camera, the configuration re-read by
/// [`WatchHost::refresh`].
pub struct WatchHost {
    store: Arc<dyn Store>,
    session: Session,
    clock: Arc<dyn Clock>,
    which: Which,
    /// Only these cameras (empty: all).
    only: Vec<i64>,
    running: HashMap<i64, Running>,
}

impl WatchHost {
    pub fn new(store: Arc<dyn Store>, session: Session, clock: Arc<dyn Clock>, which: Which) -> Self {
        Self { store, session, clock, which, only: Vec::new(), running: HashMap::new() }
    }

    /// Watches only these cameras (the recorder's `--camera`).
    pub fn only(mut self, cameras: Vec<i64>) -> Self {
        self.only = cameras;
        self
    }

    /// Re-reads the configuration and the streams; starts, updates and stops watchers. Returns how
    /// many cameras are watched.
    pub fn refresh(&mut self) -> Result<usize, crate::store::StoreError> {
        let config: WatchConfig = self.store.watch_config(&self.session)?;
        let streams = self.store.camera_streams(&self.session)?;
        let settings = WatchSettings { tamper_seconds: config.tamper_seconds, absent_seconds: config.absent_seconds };
        let mut wanted = HashMap::new();
        for camera in config.cameras {
            // A camera is watched once an administrator commissioned it: a reference view or a seat.
            let commissioned = camera.reference_sha256.is_some() || camera.seat.is_some();
            if !commissioned
                || (self.which == Which::LiveOnly && camera.recorded)
                || (!self.only.is_empty() && !self.only.contains(&camera.camera_id))
            {
                continue;
            }
            let Some(stream) = streams.iter().find(|s| s.id == camera.camera_id) else { continue };
            let url = stream.sub_url.clone().unwrap_or_else(|| stream.main_url.clone());
            wanted.insert(camera.camera_id, (camera, url));
        }
        self.running.retain(|id, running| {
            let keep = wanted.get(id).is_some_and(|(_, url)| *url == running.url);
            if !keep {
                running.stop.store(true, Ordering::Relaxed);
            }
            keep
        });
        for (id, (camera, url)) in wanted {
            if let Some(running) = self.running.get(&id) {
                lock(&running.shared).update(camera, settings);
                continue;
            }
            let shared = Arc::new(Mutex::new(CameraWatching::new(camera, settings)));
            let stop = Arc::new(AtomicBool::new(false));
            let (store, session, clock) = (self.store.clone(), self.session.clone(), self.clock.clone());
            let (s, st, u) = (shared.clone(), stop.clone(), url.clone());
            let thread = std::thread::Builder::new()
                .name(format!("jiancha-watch-{id}"))
                .spawn(move || watch_camera(&*store, &session, &*clock, &s, &st, &u))
                .ok();
            self.running.insert(id, Running { shared, stop, thread, url });
        }
        Ok(self.running.len())
    }

    /// Stops every watcher and waits for them.
    pub fn stop(&mut self) {
        for running in self.running.values() {
            running.stop.store(true, Ordering::Relaxed);
        }
        for (_, mut running) in self.running.drain() {
            if let Some(t) = running.thread.take() {
                let _ = t.join();
            }
        }
    }
}

impl Drop for WatchHost {
    fn drop(&mut self) {
        self.stop();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Watches one camera until told to stop; a lost stream is opened again after a pause.
fn watch_camera(
    store: &dyn Store,
    session: &Session,
    clock: &dyn Clock,
    shared: &Mutex<CameraWatching>,
    stop: &AtomicBool,
    url: &str,
) {
    if super::init().is_err() {
        return;
    }
    while !stop.load(Ordering::Relaxed) {
        if let Err(e) = run_stream(store, session, clock, shared, stop, url) {
            tracing::warn!("camera watcher: {}", super::sanitize(&e, url));
        }
        // Five seconds before trying again, by the watcher's clock, looking at the stop flag.
        for _ in 0..50 {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            clock.sleep(Duration::from_millis(100));
        }
    }
}

fn run_stream(
    store: &dyn Store,
    session: &Session,
    clock: &dyn Clock,
    shared: &Mutex<CameraWatching>,
    stop: &AtomicBool,
    url: &str,
) -> Result<(), String> {
    watch_stream(url, stop, &mut |picture| {
        let reports = lock(shared).feed(clock.now(), &picture);
        for report in reports {
            if let Err(e) = store.report_watch(session, &report) {
                tracing::warn!("camera watcher: the report was not taken: {e}");
            }
        }
    })
}

/// Reads `url` until `stop`, handing every keyframe as a [`PICTURE`]-sized picture to `on_picture`.
pub fn watch_stream(url: &str, stop: &AtomicBool, on_picture: &mut dyn FnMut(Picture)) -> Result<(), String> {
    let launch = format!(
        "rtspsrc name=src latency=200 protocols=tcp tcp-timeout=5000000 timeout=5000000 \
         ! rtph264depay ! h264parse name=parse ! avdec_h264 max-threads=1 \
         ! videoscale add-borders=false ! videoconvert \
         ! video/x-raw,format=RGB,width={},height={},pixel-aspect-ratio=1/1 \
         ! appsink name=sink max-buffers=1 drop=true sync=false",
        PICTURE.0, PICTURE.1
    );
    let pipeline = gst::parse::launch(&launch)
        .map_err(|e| format!("pipeline: {e}"))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| "pipeline: not a pipeline".to_owned())?;
    let result = (|| {
        let src = pipeline.by_name("src").ok_or("pipeline: no rtspsrc")?;
        src.set_property("location", url);
        // Keyframes only: every other picture is dropped before the decoder.
        let parse_src = pipeline.by_name("parse").and_then(|p| p.static_pad("src")).ok_or("pipeline: no parser")?;
        parse_src.add_probe(gst::PadProbeType::BUFFER, |_, info| match info.buffer() {
            Some(b) if b.flags().contains(gst::BufferFlags::DELTA_UNIT) => gst::PadProbeReturn::Drop,
            _ => gst::PadProbeReturn::Ok,
        });
        let sink = pipeline
            .by_name("sink")
            .and_then(|s| s.downcast::<gst_app::AppSink>().ok())
            .ok_or("pipeline: no appsink")?;
        pipeline.set_state(gst::State::Playing).map_err(|_| "could not open the stream".to_owned())?;
        let bus = pipeline.bus().ok_or("pipeline: no bus")?;
        while !stop.load(Ordering::Relaxed) {
            while let Some(msg) = bus.pop() {
                match msg.view() {
                    gst::MessageView::Error(err) => return Err(err.error().to_string()),
                    gst::MessageView::Eos(_) => return Err("the stream ended".to_owned()),
                    _ => {}
                }
            }
            let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(200)) else { continue };
            let Some(rgb) = sample.buffer().and_then(|b| b.map_readable().ok().map(|m| m.as_slice().to_vec())) else {
                continue;
            };
            on_picture(Picture { width: PICTURE.0, height: PICTURE.1, rgb });
        }
        Ok(())
    })();
    let _ = pipeline.set_state(gst::State::Null);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_become_grey_and_png_and_back() {
        let script = super::super::scene::Script::default();
        let rgb = super::super::scene::render_rgb(&script, 0, PICTURE.0, PICTURE.1);
        let picture = Picture { width: PICTURE.0, height: PICTURE.1, rgb };
        let gray = picture.gray().expect("a grey picture");
        assert_eq!((gray.width, gray.height), (160, 90));
        let png = picture.png().expect("a PNG");
        assert_eq!(crate::domain::watch::png_size(&png), Some(PICTURE));
        assert_eq!(gray_from_png(&png), Some(gray));
        assert_eq!(gray_from_png(b"not a png"), None);
    }
}

#[cfg(test)]
mod host_tests {
    use super::*;
    use crate::video::scene::{SEAT, Script};

    #[test]
    fn one_picture_a_second_finds_what_the_script_does_and_no_more() {
        let script =
            Script::parse("s", "10s covered 14s\n34s turned 14s\n58s away 20s\n92s away 6s\n").expect("a script");
        let t0 = chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("a time");
        let render = |t_ms: i64| Picture {
            width: PICTURE.0,
            height: PICTURE.1,
            rgb: crate::video::scene::render_rgb(&script, t_ms, PICTURE.0, PICTURE.1),
        };
        let reference = render(0).png().expect("png");
        let camera = CameraWatch {
            camera_id: 1,
            camera_name: "A01".into(),
            hall_code: "H".into(),
            window_code: None,
            seat: Some(crate::domain::watch::Region { x: SEAT[0], y: SEAT[1], width: SEAT[2], height: SEAT[3] }),
            reference_png: Some(reference),
            reference_sha256: Some("r".into()),
            reference_set_by: None,
            reference_set_at: None,
            recorded: false,
            open_periods: vec![(t0, t0 + chrono::Duration::hours(3))],
        };
        let mut watching = CameraWatching::new(camera, WatchSettings { tamper_seconds: 5, absent_seconds: 10 });
        let mut log = Vec::new();
        for s in 0..110 {
            for r in watching.feed(t0 + chrono::Duration::seconds(s), &render(s * 1000 + 300)) {
                match r {
                    WatchReport::Raised { kind, since, .. } => {
                        log.push(format!("{s}: raised {kind} since {}", (since - t0).num_seconds()))
                    }
                    WatchReport::Ended { kind, at, .. } if s > 0 => {
                        log.push(format!("{s}: ended {kind} at {}", (at - t0).num_seconds()))
                    }
                    WatchReport::Ended { .. } => {}
                }
            }
        }
        assert_eq!(
            log,
            [
                "16: raised blocked since 10",
                "29: ended blocked at 29",
                "40: raised moved since 34",
                "53: ended moved at 53",
                "69: raised absent since 58",
                "83: ended absent at 83",
            ],
            "covered 10–24 s, turned 34–48 s, away 58–78 s and 92–98 s; 5 s and 10 s allowed, 5 s to clear"
        );
    }
}

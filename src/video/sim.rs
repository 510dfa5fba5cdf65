//! Simulated window cameras: an RTSP server on 127.0.0.1 (gstreamer-rtsp-server) serving, per camera,
//! `rtsp://127.0.0.1:P/cam/K` (H.264 1280×720) and `…/cam/K/sub` (640×360) — also under the Hikvision
//! (`/Streaming/Channels/K01`, `K02`) and Uniview (`/unicast/cK/s0/live`, `s1`) preset paths — each showing its window's
//! name in Chinese and a clock. Media are shared between clients and built only while watched.

use std::sync::{Arc, OnceLock, mpsc};
use std::thread::JoinHandle;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;

use super::VideoError;
use super::yuv::{Colour, Matrix};

/// One simulated camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimCamera {
    /// `K` in `/cam/K`.
    pub index: u32,
    /// Shown in the picture (`A01 市场监管`).
    pub label: String,
}

/// Options of the simulated server.
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// Require these credentials (basic authentication) on every mount.
    pub credentials: Option<(String, String)>,
    /// Cameras whose picture switches between two resolutions every second (a test of decoders).
    pub resolution_switching: Vec<u32>,
    /// Frames per second.
    pub fps: Option<u32>,
    /// Every camera shows SMPTE 75 % colour bars encoded with these colours (matrix and range, signalled
    /// in the stream) instead of its window picture: the test of the decoders' colour conversion.
    pub bars: Option<Colour>,
    /// Every camera's sub stream is one shared encoding of the moving pattern, without the window's
    /// name and the clock: one encoder for all the cameras instead of one each, so that the source
    /// costs the machine little (`bench wall`, where the cameras share the two cores being measured).
    pub plain: bool,
    /// Cameras (by index) whose picture is the scripted window scene (`cameras sim --script`): the
    /// seat, the figure and what the script makes happen, on both streams. The script's time runs from
    /// the first client's connection to any scripted stream ([`SimServer::script_started`]), so a
    /// watcher that is slow to start still sees the whole script.
    pub scripts: Vec<(u32, super::scene::Script)>,
}

/// The scripted scene's size and rate (both streams).
const SCENE_SIZE: (u32, u32) = (640, 360);
const SCENE_FPS: u32 = 10;

/// A scripted camera's stream: rendered frames pushed into an `appsrc`.
fn scene_launch() -> String {
    format!(
        "( appsrc name=src is-live=true format=time do-timestamp=true \
           caps=video/x-raw,format=RGB,width={w},height={h},framerate={SCENE_FPS}/1 \
         ! videoconvert ! video/x-raw,format=I420 \
         ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={SCENE_FPS} bitrate=400 threads=1 \
         ! rtph264pay name=pay0 pt=96 config-interval=1 )",
        w = SCENE_SIZE.0,
        h = SCENE_SIZE.1
    )
}

/// Feeds a scripted stream until its media goes away: the scene at the script's time (from `start`,
/// the first client's connection).
/// A camera's frames go out in real time to real RTSP clients: the process's monotonic clock paces them.
fn feed_scene(src: glib::WeakRef<gst_app::AppSrc>, script: super::scene::Script, start: std::time::Instant) {
    let period = std::time::Duration::from_millis(u64::from(1000 / SCENE_FPS));
    let mut next = crate::clock::real_monotonic();
    loop {
        let Some(src) = src.upgrade() else { return };
        let t_ms = i64::try_from(crate::clock::real_monotonic().saturating_duration_since(start).as_millis())
            .unwrap_or(i64::MAX);
        let rgb = super::scene::render_rgb(&script, t_ms, SCENE_SIZE.0, SCENE_SIZE.1);
        if src.push_buffer(gst::Buffer::from_mut_slice(rgb)).is_err() {
            return;
        }
        drop(src);
        next += period;
        let now = crate::clock::real_monotonic();
        if next > now {
            crate::clock::real_sleep(next - now);
        } else {
            next = now;
        }
    }
}

/// The colour bars' R'G'B' values, left to right (75 % white, yellow, cyan, green, magenta, red, blue),
/// as `videotestsrc pattern=smpte75` draws them before encoding.
pub const BARS_RGB: [[u8; 3]; 7] =
    [[191, 191, 191], [191, 191, 0], [0, 191, 191], [0, 191, 0], [191, 0, 191], [191, 0, 0], [0, 0, 191]];

/// GStreamer's colorimetry string (range:matrix:transfer:primaries) for a stream's colours.
fn colorimetry(colour: Colour) -> &'static str {
    match (colour.matrix, colour.full_range) {
        (Matrix::Bt601, false) => "bt601",
        (Matrix::Bt709, false) => "bt709",
        (Matrix::Bt601, true) => "1:4:5:4",
        (Matrix::Bt709, true) => "1:3:5:1",
    }
}

fn bars_launch(width: u32, height: u32, kbps: u32, fps: u32, colour: Colour) -> String {
    format!(
        "( videotestsrc is-live=true pattern=smpte75 ! video/x-raw,format=RGBx,width={width},height={height},framerate={fps}/1 \
         ! videoconvert ! video/x-raw,format=I420,colorimetry={c} \
         ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bitrate={kbps} threads=1 \
         ! rtph264pay name=pay0 pt=96 config-interval=1 )",
        c = colorimetry(colour),
    )
}

/// A running simulated server; stops (closing every connection) when stopped or dropped.
pub struct SimServer {
    port: u16,
    /// When the scripts' time began: the first client's connection to a scripted stream.
    script_started: Arc<OnceLock<std::time::Instant>>,
    main_loop: glib::MainLoop,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimServer").field("port", &self.port).finish_non_exhaustive()
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The launch line of one stream.
fn launch(camera: &SimCamera, width: u32, height: u32, kbps: u32, fps: u32, switching: bool) -> String {
    let font = (height / 22).max(12);
    let caps = if switching {
        format!(
            "video/x-raw,width={width},height={height},framerate={fps}/1 ! videoscale ! capsfilter name=res caps=video/x-raw,width={width},height={height}"
        )
    } else {
        format!("video/x-raw,width={width},height={height},framerate={fps}/1")
    };
    format!(
        "( videotestsrc is-live=true pattern=ball background-color=0xff1c2833 foreground-color=0xff5a7a96 motion=sweep ! {caps} \
         ! textoverlay text=\"{label}\" font-desc=\"Noto Sans CJK SC, {font}\" halignment=left valignment=bottom shaded-background=true \
         ! timeoverlay name=clock show-times-as-dates=true datetime-format=\"%Y-%m-%d %H:%M:%S\" font-desc=\"Noto Sans CJK SC, {small}\" halignment=right valignment=top shaded-background=true \
         ! videoconvert ! video/x-raw,format=I420 \
         ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bitrate={kbps} threads=1 \
         ! rtph264pay name=pay0 pt=96 config-interval=1 )",
        label = escape(&camera.label),
        small = (font * 3 / 4).max(10),
    )
}

impl SimServer {
    /// Starts serving `cameras` on 127.0.0.1:`port` (0 picks a free port; see [`SimServer::port`]).
    pub fn start(port: u16, cameras: &[SimCamera], options: &SimOptions) -> Result<Self, VideoError> {
        gst::init().map_err(|e| VideoError::Init(e.to_string()))?;
        super::check_elements(super::SIM_ELEMENTS)?;
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<(glib::MainLoop, u16), VideoError>>(1);
        let cameras = cameras.to_vec();
        let options = options.clone();
        let script_started = Arc::new(OnceLock::new());
        let started = script_started.clone();
        let thread = std::thread::Builder::new()
            .name("jiancha-rtsp-sim".into())
            .spawn(move || {
                let context = glib::MainContext::new();
                let result =
                    context.with_thread_default(|| serve(&context, port, &cameras, &options, &started, &ready_tx));
                if let Err(e) = result {
                    let _ = ready_tx.send(Err(VideoError::Pipeline(format!("cannot own the GLib context: {e}"))));
                }
            })
            .map_err(|e| VideoError::Pipeline(format!("cannot start the RTSP thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok((main_loop, bound))) => Ok(Self { port: bound, script_started, main_loop, thread: Some(thread) }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(VideoError::Pipeline("the RTSP thread ended before it started".into())),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// When the scripts' time began (the first client of a scripted stream), if one has connected.
    pub fn script_started(&self) -> Option<std::time::Instant> {
        self.script_started.get().copied()
    }

    /// The URL of camera `index` (`sub` for the 640×360 stream).
    pub fn url(&self, index: u32, sub: bool) -> String {
        format!("rtsp://127.0.0.1:{}/cam/{index}{}", self.port, if sub { "/sub" } else { "" })
    }

    /// Stops serving and closes every client connection (as if the cable were pulled).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        // `quit` before the server thread has entered `run` would be lost (run sets the loop running
        // again): ask the loop's own context to quit it, which happens once the loop runs.
        let main_loop = self.main_loop.clone();
        self.main_loop.context().invoke(move || main_loop.quit());
        self.main_loop.quit();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn serve(
    context: &glib::MainContext,
    port: u16,
    cameras: &[SimCamera],
    options: &SimOptions,
    script_started: &Arc<OnceLock<std::time::Instant>>,
    ready: &mpsc::SyncSender<Result<(glib::MainLoop, u16), VideoError>>,
) {
    let server = rtsp::RTSPServer::new();
    server.set_address("127.0.0.1");
    server.set_service(&port.to_string());
    let Some(mounts) = server.mount_points() else {
        let _ = ready.send(Err(VideoError::Pipeline("the RTSP server has no mount points".into())));
        return;
    };
    let fps = options.fps.unwrap_or(25).clamp(1, 60);
    let shared = if options.plain {
        match SharedEncoder::start(640, 360, 500, fps) {
            Ok(encoder) => Some(encoder),
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        }
    } else {
        None
    };
    for camera in cameras {
        let switching = options.resolution_switching.contains(&camera.index);
        for (suffix, width, height, kbps) in [("", 1280, 720, 1800), ("/sub", 640, 360, 500)] {
            let sub = u32::from(!suffix.is_empty());
            // The camera's own path, and those of the vendor presets (Hikvision, Uniview) for channel K.
            let paths = [
                format!("/cam/{}{suffix}", camera.index),
                format!("/Streaming/Channels/{}0{}", camera.index, sub + 1),
                format!("/unicast/c{}/s{sub}/live", camera.index),
            ];
            for path in paths {
                let factory = rtsp::RTSPMediaFactory::new();
                let script = options.scripts.iter().find(|(i, _)| *i == camera.index).map(|(_, s)| s.clone());
                match (&shared, sub) {
                    _ if script.is_some() => {
                        factory.set_launch(&scene_launch());
                        let script = script.clone().unwrap_or_default();
                        let script_started = script_started.clone();
                        factory.connect_media_configure(move |_, media| {
                            let started = *script_started.get_or_init(crate::clock::real_monotonic);
                            let element = media.element();
                            let src = element
                                .downcast_ref::<gst::Bin>()
                                .and_then(|b| b.by_name_recurse_up("src"))
                                .and_then(|e| e.downcast::<gst_app::AppSrc>().ok());
                            if let Some(src) = src {
                                let (weak, script) = (src.downgrade(), script.clone());
                                let _ = std::thread::Builder::new()
                                    .name("jiancha-sim-scene".into())
                                    .spawn(move || feed_scene(weak, script, started));
                            }
                        });
                    }
                    (Some(encoder), 1) => {
                        factory.set_launch(SHARED_LAUNCH);
                        let outlets = encoder.outlets.clone();
                        factory.connect_media_configure(move |_, media| {
                            let element = media.element();
                            let src = element
                                .downcast_ref::<gst::Bin>()
                                .and_then(|b| b.by_name_recurse_up("src"))
                                .and_then(|e| e.downcast::<gst_app::AppSrc>().ok());
                            if let Some(src) = src {
                                lock(&outlets).push((src.downgrade(), false));
                            }
                        });
                    }
                    _ => {
                        factory.set_launch(&match options.bars {
                            Some(colour) => bars_launch(width, height, kbps, fps, colour),
                            None => launch(camera, width, height, kbps, fps, switching),
                        });
                        // The burned-in clock shows hall time, from when the stream starts.
                        factory.connect_media_configure(|_, media| {
                            let clock =
                                media.element().downcast_ref::<gst::Bin>().and_then(|b| b.by_name_recurse_up("clock"));
                            if let Some(clock) = clock {
                                super::set_clock_epoch(&clock, chrono::Utc::now());
                            }
                        });
                    }
                }
                factory.set_shared(true);
                if switching {
                    factory.connect_media_configure(move |_, media| switch_resolution(media, width, height));
                }
                if options.credentials.is_some() {
                    factory.add_role_from_structure(
                        &gst::Structure::builder("viewer")
                            .field(rtsp::RTSP_PERM_MEDIA_FACTORY_ACCESS, true)
                            .field(rtsp::RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, true)
                            .build(),
                    );
                }
                mounts.add_factory(&path, factory);
            }
        }
    }
    if let Some((user, password)) = &options.credentials {
        let auth = rtsp::RTSPAuth::new();
        let token = rtsp::RTSPToken::builder().field(rtsp::RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer").build();
        let basic = rtsp::RTSPAuth::make_basic(user, password);
        auth.add_basic(basic.as_str(), &token);
        server.set_auth(Some(&auth));
    }
    let source = match server.attach(Some(context)) {
        Ok(id) => id,
        Err(_) => {
            let _ = ready.send(Err(VideoError::PortBusy(port)));
            return;
        }
    };
    let bound = u16::try_from(server.bound_port()).unwrap_or(port);
    let main_loop = glib::MainLoop::new(Some(context), false);
    // The source lives on our context, not the global default one that `SourceId::remove` looks in.
    let stop_listening = |context: &glib::MainContext| {
        if let Some(s) = context.find_source_by_id(&source) {
            s.destroy();
        }
    };
    if ready.send(Ok((main_loop.clone(), bound))).is_err() {
        stop_listening(context);
        return;
    }
    main_loop.run();
    drop(shared);
    // Close every connection, then stop listening.
    server.client_filter(Some(&mut |_, _| rtsp::RTSPFilterResult::Remove));
    stop_listening(context);
    // Let the closed clients and media finish on this context before it goes away.
    while context.iteration(false) {}
}

/// A sub stream fed from the shared encoder.
const SHARED_LAUNCH: &str = "( appsrc name=src is-live=true format=time do-timestamp=true \
     caps=video/x-h264,stream-format=byte-stream,alignment=au,framerate=25/1 \
     ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=1 )";

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The sub streams' sources, and whether each has had its first keyframe.
type Outlets = std::sync::Arc<std::sync::Mutex<Vec<(glib::WeakRef<gst_app::AppSrc>, bool)>>>;

/// One encoder whose access units go to every sub stream being watched (`SimOptions::plain`).
struct SharedEncoder {
    pipeline: gst::Pipeline,
    outlets: Outlets,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pump: Option<JoinHandle<()>>,
}

impl SharedEncoder {
    fn start(width: u32, height: u32, kbps: u32, fps: u32) -> Result<Self, VideoError> {
        let line = format!(
            "videotestsrc is-live=true pattern=ball background-color=0xff1c2833 foreground-color=0xff5a7a96 motion=sweep \
             ! video/x-raw,format=I420,width={width},height={height},framerate={fps}/1 \
             ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bitrate={kbps} threads=1 \
             ! video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=out sync=false max-buffers=4 drop=true"
        );
        let pipeline = gst::parse::launch(&line)
            .map_err(|e| VideoError::Pipeline(e.to_string()))?
            .downcast::<gst::Pipeline>()
            .map_err(|_| VideoError::Pipeline("not a pipeline".into()))?;
        let sink = pipeline
            .by_name("out")
            .and_then(|e| e.downcast::<gst_app::AppSink>().ok())
            .ok_or_else(|| VideoError::Pipeline("no appsink".into()))?;
        pipeline.set_state(gst::State::Playing).map_err(|e| VideoError::Pipeline(e.to_string()))?;
        let outlets: Outlets = Default::default();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let pump = std::thread::Builder::new()
            .name("jiancha-sim-shared".into())
            .spawn({
                let (outlets, stop) = (outlets.clone(), stop.clone());
                move || {
                    // The newest keyframe: a stream that starts gets it at once (its caps, so the
                    // server can answer DESCRIBE without waiting for the next one).
                    let mut last_key: Option<gst::Buffer> = None;
                    let push = |src: &gst_app::AppSrc, buffer: &gst::Buffer| {
                        let mut copy = buffer.copy();
                        if let Some(b) = copy.get_mut() {
                            b.set_pts(gst::ClockTime::NONE);
                            b.set_dts(gst::ClockTime::NONE);
                        }
                        if let Err(e) = src.push_buffer(copy) {
                            tracing::debug!("shared encoder: {e:?}");
                        }
                    };
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(200)) else { continue };
                        let Some(buffer) = sample.buffer_owned() else { continue };
                        let key = !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT);
                        if key {
                            last_key = Some(buffer.clone());
                        }
                        let mut outlets = lock(&outlets);
                        // Media no longer watched are gone: forget them.
                        outlets.retain(|(w, _)| w.upgrade().is_some());
                        for (weak, primed) in outlets.iter_mut() {
                            let Some(src) = weak.upgrade() else { continue };
                            if !*primed {
                                match (&last_key, key) {
                                    (_, true) => {}
                                    (Some(k), false) => push(&src, k),
                                    (None, false) => continue,
                                }
                                *primed = true;
                            }
                            push(&src, &buffer);
                        }
                    }
                }
            })
            .map_err(|e| VideoError::Pipeline(format!("cannot start the shared encoder: {e}")))?;
        Ok(Self { pipeline, outlets, stop, pump: Some(pump) })
    }
}

impl Drop for SharedEncoder {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(pump) = self.pump.take() {
            let _ = pump.join();
        }
        let _ = self.pipeline.set_state(gst::State::Null);
        lock(&self.outlets).clear();
    }
}

/// Switches the stream between its size and half of it every second.
fn switch_resolution(media: &rtsp::RTSPMedia, width: u32, height: u32) {
    let element = media.element();
    let Some(bin) = element.downcast_ref::<gst::Bin>() else { return };
    let Some(filter) = bin.by_name_recurse_up("res") else { return };
    let weak = filter.downgrade();
    let spawned = std::thread::Builder::new().name("jiancha-sim-resize".into()).spawn(move || {
        let mut small = false;
        loop {
            crate::clock::real_sleep(std::time::Duration::from_secs(1));
            let Some(filter) = weak.upgrade() else { return };
            small = !small;
            let (w, h) = if small { (width / 2, height / 2) } else { (width, height) };
            filter.set_property(
                "caps",
                gst::Caps::builder("video/x-raw").field("width", w as i32).field("height", h as i32).build(),
            );
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("cannot start the resolution switcher: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_lines_escape_labels() {
        let camera = SimCamera { index: 1, label: "A01 \"市场\"监管".into() };
        let line = launch(&camera, 640, 360, 500, 25, false);
        assert!(line.contains("text=\"A01 \\\"市场\\\"监管\""), "{line}");
        assert!(line.contains("name=pay0"));
        assert!(line.contains("key-int-max=25"));
    }
}

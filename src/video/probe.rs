//! 测试连接: opens a camera's stream once and reports what it sends — a picture, the codec, the
//! resolution and the frame rate — or why it cannot, in words a hall's administrator can act on (wrong
//! password, host unreachable, no such path), with the URL's credentials removed. Runs on a thread of
//! its own; never on the UI thread.

use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use super::decoder::describe_error;

/// What the stream sent.
#[derive(Clone, PartialEq)]
pub struct ProbeResult {
    /// `H.264 (main)`.
    pub codec: String,
    pub width: u32,
    pub height: u32,
    /// Frames per second, as declared by the stream or else measured.
    pub fps: f32,
    /// A preview, RGBA, [`PREVIEW`] pixels.
    pub preview: Vec<u8>,
}

impl std::fmt::Debug for ProbeResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeResult")
            .field("codec", &self.codec)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("fps", &self.fps)
            .finish_non_exhaustive()
    }
}

/// The preview's size.
pub const PREVIEW: (u32, u32) = (320, 180);

/// How long a test waits for the first picture.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens `url` (credentials included) and waits up to `timeout` for a picture.
pub fn probe(url: &str, timeout: Duration) -> Result<ProbeResult, String> {
    super::init().map_err(|e| e.to_string())?;
    let launch = format!(
        "rtspsrc name=src latency=0 protocols=tcp tcp-timeout=5000000 timeout=5000000 \
         ! rtph264depay ! h264parse name=parse ! avdec_h264 name=dec max-threads=1 \
         ! videoscale add-borders=false ! videoconvert \
         ! video/x-raw,format=RGBA,width={},height={},pixel-aspect-ratio=1/1 \
         ! appsink name=sink max-buffers=2 sync=false",
        PREVIEW.0, PREVIEW.1
    );
    let pipeline = gst::parse::launch(&launch)
        .map_err(|e| format!("pipeline: {e}"))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| "pipeline: not a pipeline".to_owned())?;
    let result = run(&pipeline, url, timeout);
    let _ = pipeline.set_state(gst::State::Null);
    result
}

fn run(pipeline: &gst::Pipeline, url: &str, timeout: Duration) -> Result<ProbeResult, String> {
    let src = pipeline.by_name("src").ok_or("pipeline: no rtspsrc")?;
    src.set_property("location", url);
    let sink =
        pipeline.by_name("sink").and_then(|s| s.downcast::<gst_app::AppSink>().ok()).ok_or("pipeline: no appsink")?;
    pipeline.set_state(gst::State::Playing).map_err(|_| describe_error("could not open the stream", url))?;
    let bus = pipeline.bus().ok_or("pipeline: no bus")?;
    // A real stream's pictures, counted in real time (the frame rate is what the probe measures).
    let deadline = crate::clock::real_monotonic() + timeout;
    let mut first: Option<(Instant, Vec<u8>)> = None;
    let mut frames = 0u32;
    loop {
        while let Some(msg) = bus.pop() {
            if let gst::MessageView::Error(err) = msg.view() {
                return Err(describe_error(&err.error().to_string(), url));
            }
        }
        if let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(100)) {
            frames += 1;
            if first.is_none() {
                let preview = sample
                    .buffer()
                    .and_then(|b| b.map_readable().ok().map(|m| m.as_slice().to_vec()))
                    .unwrap_or_default();
                first = Some((crate::clock::real_monotonic(), preview));
            }
        }
        if let Some((at, _)) = &first
            && crate::clock::real_monotonic().saturating_duration_since(*at) >= Duration::from_millis(1000)
        {
            break;
        }
        if crate::clock::real_monotonic() >= deadline {
            if first.is_some() {
                break;
            }
            return Err(format!(
                "{} 秒内没有画面 (no picture within {} seconds): 请检查地址和网络 (check the address and the network)",
                timeout.as_secs(),
                timeout.as_secs()
            ));
        }
    }
    let Some((at, preview)) = first else { return Err("no picture".into()) };
    let caps =
        |element: &str| pipeline.by_name(element).and_then(|e| e.static_pad("src")).and_then(|p| p.current_caps());
    let decoded = caps("dec");
    let s = decoded.as_ref().and_then(|c| c.structure(0));
    let width = s.and_then(|s| s.get::<i32>("width").ok()).unwrap_or(0).max(0) as u32;
    let height = s.and_then(|s| s.get::<i32>("height").ok()).unwrap_or(0).max(0) as u32;
    let declared = s.and_then(|s| s.get::<gst::Fraction>("framerate").ok()).filter(|f| f.numer() > 0 && f.denom() > 0);
    let measured = if frames > 1 {
        (frames - 1) as f32 / crate::clock::real_monotonic().saturating_duration_since(at).as_secs_f32().max(0.001)
    } else {
        0.0
    };
    let fps = declared.map_or(measured, |f| f.numer() as f32 / f.denom() as f32);
    let profile = caps("parse").as_ref().and_then(|c| c.structure(0)).and_then(|s| s.get::<String>("profile").ok());
    let codec = match profile {
        Some(p) => format!("H.264 ({p})"),
        None => "H.264".to_owned(),
    };
    Ok(ProbeResult { codec, width, height, fps, preview })
}

//! GStreamer: simulated RTSP cameras (`sim.rs`) and the wall's decoders (`decoder.rs`).
//!
//! Rules of this module:
//! - One named thread per pipeline; the UI talks to a decoder through a bounded command channel and
//!   reads its latest frame and status from a shared mailbox. No GStreamer call ever runs on the UI
//!   thread (not even `gst::init`, which can scan the plugin registry for seconds on a first start).
//! - Stream URLs may carry credentials. They are handed to GStreamer as element properties and never
//!   appear in logs, errors or the UI: every message goes through [`sanitize`].
//! - A lost camera is a state, not an error: the decoder reconnects with exponential backoff.

pub mod bench;
pub mod decoder;
pub mod export;
pub mod gl;
pub mod mp4;
pub mod playback;
pub mod probe;
pub mod recorder;
pub mod relay;
pub mod relay_bench;
pub mod scene;
pub mod sim;
pub mod ts;
pub mod watch;
pub mod watch_bench;
pub mod watch_live;
pub mod yuv;

use std::sync::OnceLock;

use gstreamer as gst;

use crate::domain::model::redact_url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VideoError {
    #[error("GStreamer cannot start: {0}")]
    Init(String),
    #[error("GStreamer element {element} is missing; install {package}")]
    MissingElement { element: &'static str, package: &'static str },
    #[error("{0}")]
    Pipeline(String),
    #[error("RTSP port {0} is in use or cannot be opened")]
    PortBusy(u16),
}

/// Elements the decoders need, with the Debian package that provides them.
const DECODER_ELEMENTS: &[(&str, &str)] = &[
    ("rtspsrc", "gstreamer1.0-plugins-good"),
    ("rtph264depay", "gstreamer1.0-plugins-good"),
    ("h264parse", "gstreamer1.0-plugins-bad"),
    ("avdec_h264", "gstreamer1.0-libav"),
    ("videoscale", "gstreamer1.0-plugins-base"),
    ("videoconvert", "gstreamer1.0-plugins-base"),
    ("appsink", "gstreamer1.0-plugins-base"),
];

/// Elements the simulated cameras need.
/// Elements the server's camera relay needs.
const RELAY_ELEMENTS: &[(&str, &str)] = &[
    ("rtspsrc", "gstreamer1.0-plugins-good"),
    ("rtph264depay", "gstreamer1.0-plugins-good"),
    ("h264parse", "gstreamer1.0-plugins-bad"),
    ("rtph264pay", "gstreamer1.0-plugins-good"),
];

const SIM_ELEMENTS: &[(&str, &str)] = &[
    ("videotestsrc", "gstreamer1.0-plugins-base"),
    ("textoverlay", "gstreamer1.0-plugins-base"),
    ("timeoverlay", "gstreamer1.0-plugins-base"),
    ("x264enc", "gstreamer1.0-plugins-ugly"),
    ("rtph264pay", "gstreamer1.0-plugins-good"),
];

/// Makes a `timeoverlay … show-times-as-dates=true` burn in hall time (Asia/Shanghai) from `at`
/// onwards: its first buffer shows `at`, later ones `at` plus their timestamp. (A `clockoverlay`
/// would show the process's local zone, UTC on a machine without one.)
pub(crate) fn set_clock_epoch(overlay: &gst::Element, at: chrono::DateTime<chrono::Utc>) {
    use chrono::{Datelike as _, Timelike as _};
    use gst::prelude::*;
    let local = crate::domain::time::local_datetime(at);
    #[allow(deprecated, reason = "from_identifier needs glib 2.68 features not enabled here")]
    let zone = gst::glib::TimeZone::new(Some("+08:00"));
    if let Ok(epoch) = gst::glib::DateTime::new(
        &zone,
        local.year(),
        local.month() as i32,
        local.day() as i32,
        local.hour() as i32,
        local.minute() as i32,
        f64::from(local.second()) + f64::from(local.nanosecond() / 1_000_000) / 1000.0,
    ) {
        overlay.set_property("datetime-epoch", &epoch);
    }
}

/// Initialises GStreamer once (thread-safe, idempotent) and checks the decoder elements.
pub fn init() -> Result<(), VideoError> {
    static RESULT: OnceLock<Result<(), VideoError>> = OnceLock::new();
    RESULT
        .get_or_init(|| {
            gst::init().map_err(|e| VideoError::Init(e.to_string()))?;
            check_elements(DECODER_ELEMENTS)
        })
        .clone()
}

fn check_elements(elements: &[(&'static str, &'static str)]) -> Result<(), VideoError> {
    for (element, package) in elements {
        if gst::ElementFactory::find(element).is_none() {
            return Err(VideoError::MissingElement { element, package });
        }
    }
    Ok(())
}

/// Removes every trace of `url`'s credentials from a message (GStreamer's errors quote locations).
pub fn sanitize(message: &str, url: &str) -> String {
    let redacted = redact_url(url);
    let mut text = message.replace(url, &redacted);
    if let Some((_, rest)) = url.split_once("://") {
        let authority = rest.split('/').next().unwrap_or("");
        if let Some((credentials, _)) = authority.rsplit_once('@') {
            text = text.replace(&format!("{credentials}@"), "");
            if let Some((user, password)) = credentials.split_once(':') {
                if !password.is_empty() {
                    text = text.replace(password, "***");
                }
                let _ = user;
            }
        }
    }
    text
}

/// Which of a camera's streams a tile plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum StreamKind {
    /// 1280×720 and up, for large tiles and full screen.
    Main,
    /// 640×360, for small tiles.
    Sub,
}

/// The sub stream is enough for tiles up to this width (pixels).
pub const SUB_STREAM_MAX_WIDTH: u32 = 640;

impl StreamKind {
    /// The stream for a tile of this pixel width, when the camera has a sub stream.
    pub fn for_width(width: u32, has_sub: bool) -> Self {
        if has_sub && width <= SUB_STREAM_MAX_WIDTH { StreamKind::Sub } else { StreamKind::Main }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_removes_credentials() {
        let url = "rtsp://admin:s3cret@10.0.0.5:554/cam/1";
        let message = format!("Could not open resource {url} (user admin:s3cret@, password s3cret)");
        let clean = sanitize(&message, url);
        assert!(!clean.contains("s3cret"), "{clean}");
        assert!(clean.contains("rtsp://10.0.0.5:554/cam/1"));
        assert_eq!(sanitize("no url here", "rtsp://h/x"), "no url here");
    }

    #[test]
    fn the_burned_in_clock_starts_at_hall_time() {
        use gst::prelude::*;
        gst::init().expect("GStreamer");
        let overlay =
            gst::ElementFactory::make("timeoverlay").build().expect("timeoverlay (gstreamer1.0-plugins-base)");
        // 2026-12-04 20:13:05.250 UTC is 2026-12-05 04:13:05.250 in Siping.
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-04T20:13:05.250Z").expect("time").to_utc();
        set_clock_epoch(&overlay, at);
        let epoch = overlay.property::<gst::glib::DateTime>("datetime-epoch");
        assert_eq!(
            (epoch.year(), epoch.month(), epoch.day_of_month(), epoch.hour(), epoch.minute(), epoch.second()),
            (2026, 12, 5, 4, 13, 5)
        );
        assert_eq!(epoch.utc_offset().as_seconds(), 8 * 3600);
        assert_eq!(epoch.microsecond() / 1000, 250);
    }

    #[test]
    fn small_tiles_use_the_sub_stream() {
        assert_eq!(StreamKind::for_width(400, true), StreamKind::Sub);
        assert_eq!(StreamKind::for_width(900, true), StreamKind::Main);
        assert_eq!(StreamKind::for_width(400, false), StreamKind::Main);
    }
}

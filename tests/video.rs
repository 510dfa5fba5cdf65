//! Real RTSP: the simulated camera server (gstreamer-rtsp-server, x264) and the wall's decoders.
//! A tile gets frames, is lost within 3 s when the server stops, plays again within 5 s when it comes
//! back, and survives bad URLs, wrong credentials and a stream that changes resolution.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use jiancha::clock::{Clock as _, SimulatedClock, SystemClock};
use jiancha::video::StreamKind;
use jiancha::video::decoder::{Decoder, Mailbox, Output, StreamSource, TileStatus};
use jiancha::video::sim::{SimCamera, SimOptions, SimServer};

fn cameras(n: u32) -> Vec<SimCamera> {
    (1..=n).map(|index| SimCamera { index, label: format!("A{index:02} 测试窗口") }).collect()
}

fn quiet() -> Arc<dyn Fn() + Send + Sync> {
    Arc::new(|| {})
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what}: not within {limit:?}");
}

fn decoder(url: String, w: u32, h: u32) -> Decoder {
    Decoder::start(
        "test",
        StreamSource { url, kind: StreamKind::Sub },
        Output::Rgba,
        w,
        h,
        quiet(),
        Arc::new(SystemClock),
    )
    .unwrap()
}

/// A lost camera is retried after 1, 2, 4, 8 s, then every 10 s, timed by the decoder's clock: on a
/// simulated one, six retries (35 s of waiting) take a moment. Each wait is read as the decoder
/// announces it (the clock moves only when the decoder waits, after the announcement).
#[test]
fn a_lost_camera_is_retried_with_backoff_on_the_decoders_clock() {
    let clock = Arc::new(SimulatedClock::new(chrono::Utc::now()));
    let mailbox: Arc<OnceLock<Arc<Mailbox>>> = Arc::new(OnceLock::new());
    let waits: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let notify = {
        let (clock, mailbox, waits) = (clock.clone(), mailbox.clone(), waits.clone());
        Arc::new(move || {
            if let Some(TileStatus::Lost { retry_at, .. }) = mailbox.get().map(|m| m.status()) {
                let mut waits = waits.lock().unwrap();
                let wait = retry_at.saturating_duration_since(clock.monotonic());
                // The same announcement can be notified twice (a resize); count each retry once.
                if waits.len() < 6 && !wait.is_zero() {
                    waits.push(wait);
                }
            }
        })
    };
    let started = clock.monotonic();
    let d = Decoder::start(
        "backoff",
        StreamSource { url: "rtsp://127.0.0.1:9/cam/1".into(), kind: StreamKind::Sub },
        Output::Rgba,
        320,
        180,
        notify,
        clock.clone(),
    )
    .unwrap();
    mailbox.set(d.mailbox().clone()).ok().unwrap();
    wait_for("six retries", Duration::from_secs(60), || waits.lock().unwrap().len() == 6);
    let secs: Vec<u64> = waits.lock().unwrap().iter().map(Duration::as_secs).collect();
    assert_eq!(secs, [1, 2, 4, 8, 10, 10]);
    // 1 + 2 + 4 + 8 + 10 = 25 s waited before the sixth attempt's failure announced its wait.
    assert!(clock.elapsed(started) >= Duration::from_secs(25), "{:?}", clock.elapsed(started));
}

#[test]
fn frames_arrive_scaled_then_the_tile_is_lost_and_recovers() {
    let server = SimServer::start(0, &cameras(1), &SimOptions::default()).unwrap();
    let port = server.port();
    let d = decoder(server.url(1, true), 320, 180);
    wait_for("the first frame", Duration::from_secs(20), || d.mailbox().frame().is_some());
    let frame = d.mailbox().frame().unwrap();
    assert_eq!((frame.width, frame.height), (320, 180), "scaled in GStreamer to the tile");
    let rgba = frame.rgba().expect("RGBA pixels");
    assert_eq!(rgba.len(), 320 * 180 * 4);
    // The picture is not blank: the test pattern has more than one colour.
    let first = &rgba[0..4];
    assert!(rgba.chunks(4).any(|p| p != first));
    wait_for("playing", Duration::from_secs(5), || d.mailbox().status() == TileStatus::Playing);
    wait_for("a frame rate", Duration::from_secs(5), || d.mailbox().stats().fps > 10.0);

    // Pull the cable.
    server.stop();
    let lost_after =
        wait_for("the lost signal", Duration::from_secs(3), || matches!(d.mailbox().status(), TileStatus::Lost { .. }));
    let TileStatus::Lost { last_frame_at, reason, .. } = d.mailbox().status() else { unreachable!() };
    assert!(last_frame_at.is_some(), "the tile knows when it last had a picture");
    assert!(!reason.is_empty());
    eprintln!("lost after {lost_after:?}: {reason}");

    // Plug it back in.
    let restarted = Instant::now();
    let server = SimServer::start(port, &cameras(1), &SimOptions::default()).unwrap();
    let frames_before = d.mailbox().frame_count();
    wait_for("playing again", Duration::from_secs(5), || {
        d.mailbox().status() == TileStatus::Playing && d.mailbox().frame_count() > frames_before
    });
    eprintln!("playing again {:?} after the restart", restarted.elapsed());
    drop(d);
    drop(server);
}

#[test]
fn resizing_changes_the_frames() {
    let server = SimServer::start(0, &cameras(1), &SimOptions::default()).unwrap();
    let mut d = decoder(server.url(1, true), 320, 180);
    wait_for("the first frame", Duration::from_secs(20), || d.mailbox().frame().is_some());
    d.resize(640, 360);
    wait_for("bigger frames", Duration::from_secs(5), || {
        d.mailbox().frame().is_some_and(|f| f.width == 640 && f.height == 360)
    });
}

#[test]
fn bad_urls_and_wrong_passwords_are_lost_tiles_not_crashes() {
    let closed = decoder("rtsp://127.0.0.1:9/cam/1".into(), 320, 180);
    wait_for("lost", Duration::from_secs(10), || matches!(closed.mailbox().status(), TileStatus::Lost { .. }));
    let nonsense = decoder("not a url at all".into(), 320, 180);
    wait_for("lost", Duration::from_secs(10), || matches!(nonsense.mailbox().status(), TileStatus::Lost { .. }));

    let options = SimOptions { credentials: Some(("viewer".into(), "right-pass".into())), ..SimOptions::default() };
    let server = SimServer::start(0, &cameras(1), &options).unwrap();
    let port = server.port();
    let wrong = decoder(format!("rtsp://viewer:wrong-pass@127.0.0.1:{port}/cam/1/sub"), 320, 180);
    wait_for("refused", Duration::from_secs(10), || matches!(wrong.mailbox().status(), TileStatus::Lost { .. }));
    let TileStatus::Lost { reason, .. } = wrong.mailbox().status() else { unreachable!() };
    assert!(!reason.contains("wrong-pass"), "the password never shows: {reason}");
    eprintln!("wrong password: {reason}");
    let right = decoder(format!("rtsp://viewer:right-pass@127.0.0.1:{port}/cam/1/sub"), 320, 180);
    wait_for("frames with the right password", Duration::from_secs(20), || right.mailbox().frame().is_some());
    let missing = decoder(format!("rtsp://viewer:right-pass@127.0.0.1:{port}/cam/99"), 320, 180);
    wait_for("lost", Duration::from_secs(10), || matches!(missing.mailbox().status(), TileStatus::Lost { .. }));
}

#[test]
fn a_stream_that_changes_resolution_keeps_playing() {
    let options = SimOptions { resolution_switching: vec![1], ..SimOptions::default() };
    let server = SimServer::start(0, &cameras(1), &options).unwrap();
    let d = decoder(server.url(1, true), 320, 180);
    wait_for("the first frame", Duration::from_secs(20), || d.mailbox().frame().is_some());
    let start = d.mailbox().frame_count();
    // Four seconds of 25 fps: the simulator switches resolution in between.
    wait_for("frames across the switches", Duration::from_secs(20), || d.mailbox().frame_count() > start + 100);
    assert_eq!(d.mailbox().status(), TileStatus::Playing);
    let f = d.mailbox().frame().unwrap();
    assert_eq!((f.width, f.height), (320, 180), "the tile size does not follow the camera's");
}

/// `SimOptions::plain` (what `bench wall` uses): one encoder feeds every sub stream, and a stream that
/// starts between keyframes plays at once from the newest one; main streams still work.
#[test]
fn plain_cameras_share_one_encoder_and_each_sub_stream_plays() {
    let options = SimOptions { plain: true, ..SimOptions::default() };
    let server = SimServer::start(0, &cameras(3), &options).unwrap();
    let subs: Vec<_> = (1..=3).map(|i| decoder(server.url(i, true), 320, 180)).collect();
    for (i, d) in subs.iter().enumerate() {
        wait_for(&format!("camera {}'s sub stream", i + 1), Duration::from_secs(20), || d.mailbox().frame().is_some());
    }
    let start: Vec<u64> = subs.iter().map(|d| d.mailbox().frame_count()).collect();
    for (d, before) in subs.iter().zip(start) {
        wait_for("25 fps from the shared encoder", Duration::from_secs(10), || d.mailbox().frame_count() > before + 20);
    }
    let main = decoder(server.url(2, false), 320, 180);
    wait_for("a main stream", Duration::from_secs(20), || main.mailbox().frame().is_some());
}

#[test]
fn a_busy_port_is_reported() {
    let first = SimServer::start(0, &cameras(1), &SimOptions::default()).unwrap();
    let err = SimServer::start(first.port(), &cameras(1), &SimOptions::default()).unwrap_err();
    assert!(err.to_string().contains(&first.port().to_string()), "{err}");
}

/// 测试连接: a frame, codec, resolution and frame rate — or a reason without the password: wrong
/// password, no such path, nobody there. Also through the vendor presets' paths the simulator serves.
#[test]
fn a_connection_test_reports_the_stream_or_why_not() {
    use jiancha::domain::hall::{Vendor, with_credentials};
    use jiancha::video::probe::{PREVIEW, probe};
    let options = SimOptions { credentials: Some(("admin".into(), "Right-Pass-1".into())), ..SimOptions::default() };
    let server = SimServer::start(0, &cameras(1), &options).unwrap();
    let port = server.port();
    let (main, _) = Vendor::Hikvision.stream_urls("127.0.0.1", port, 1).unwrap();
    let ok = probe(&with_credentials(&main, "admin", Some("Right-Pass-1")), Duration::from_secs(10)).unwrap();
    assert_eq!((ok.width, ok.height), (1280, 720), "{ok:?}");
    assert!(ok.codec.starts_with("H.264"), "{ok:?}");
    assert!((ok.fps - 25.0).abs() < 1.0, "{ok:?}");
    assert_eq!(ok.preview.len(), (PREVIEW.0 * PREVIEW.1 * 4) as usize);
    let (_, uniview_sub) = Vendor::Uniview.stream_urls("127.0.0.1", port, 1).unwrap();
    let sub = probe(&with_credentials(&uniview_sub, "admin", Some("Right-Pass-1")), Duration::from_secs(10)).unwrap();
    assert_eq!((sub.width, sub.height), (640, 360), "the Uniview sub stream");

    let wrong = probe(&with_credentials(&main, "admin", Some("Wrong-Pass-9")), Duration::from_secs(10)).unwrap_err();
    assert!(wrong.contains("认证失败") && !wrong.contains("Wrong-Pass-9"), "{wrong}");
    let missing = probe(
        &with_credentials(&format!("rtsp://127.0.0.1:{port}/no/such/path"), "admin", Some("Right-Pass-1")),
        Duration::from_secs(10),
    )
    .unwrap_err();
    assert!(missing.contains("不存在") && !missing.contains("Right-Pass-1"), "{missing}");
    drop(server);
    // Nobody listens there any more.
    let gone = probe(&main, Duration::from_secs(10)).unwrap_err();
    assert!(gone.contains("无法连接") || gone.contains("没有画面"), "{gone}");
    eprintln!("wrong password: {wrong}\nno such path: {missing}\nunreachable: {gone}");
}

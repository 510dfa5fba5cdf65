//! Footage: recording (synthetic and from a real RTSP camera), crash recovery, the access rules through
//! the store, export by remuxing checked with ffprobe, the watermark, and `footage verify`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::footage::Span;
use jiancha::store::Store;
use jiancha::store::sqlite::SqlStore;
use jiancha::video::recorder;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T10:30:00+08:00").unwrap().with_timezone(&Utc)
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The demo hall in a temp dir (its 25 cameras), opened with a fixed clock on the backend under test.
fn hall() -> (tempfile::TempDir, SqlStore, Arc<FixedClock>) {
    let (dir, _, clock) = sqlite_hall();
    let store = crate::support::backend::open_dir(dir.path(), clock.clone());
    (dir, store, clock)
}

/// The demo hall in SQLite, where `jiancha record` on its data directory finds it.
fn sqlite_hall() -> (tempfile::TempDir, SqlStore, Arc<FixedClock>) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    crate::support::demo_hall::write_demo(dir.path(), 11, jiancha::clock::Clock::now(&*clock));
    let store = SqlStore::open_existing_dir(dir.path(), clock.clone()).unwrap();
    (dir, store, clock)
}

fn ffprobe_duration(path: &Path) -> f64 {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1"])
        .arg(path)
        .output()
        .expect("ffprobe (packaging/setup.sh installs ffmpeg)");
    assert!(out.status.success(), "ffprobe: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().parse().unwrap()
}

#[test]
fn a_synthetic_recording_is_indexed_segment_by_segment() {
    let (dir, store, _clock) = hall();
    let root = recorder::footage_root(dir.path());
    let system = store.system_session();
    let start = t("2026-11-24T10:30:00+08:00");
    let segments = recorder::record_synthetic(
        &store,
        &system,
        &root,
        1,
        "A01 市场监管",
        start,
        Duration::from_secs(30),
        (640, 360, 10),
        10,
    )
    .unwrap();
    assert_eq!(segments.len(), 3, "{segments:#?}");
    assert_eq!(segments[0].span.from, start.timestamp_millis());
    for s in &segments {
        let ms = s.span.millis();
        assert!((9_900..=10_100).contains(&ms), "a 10 s segment: {ms} ms");
        assert!(root.join(&s.path).exists());
        assert_eq!(ffprobe_duration(&root.join(&s.path)).round() as i64, 10);
    }
    for w in segments.windows(2) {
        assert!((w[1].span.from - w[0].span.to).abs() <= 150, "contiguous: {:?} {:?}", w[0].span, w[1].span);
    }
    let found = store
        .segments(&system, 1, Span::new(start + chrono::Duration::seconds(15), start + chrono::Duration::seconds(16)))
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, segments[1].id);
}

/// A minute of camera 1 from 10:30:00 in 10 s segments, keyframes every 2 s.
fn recorded_minute() -> (tempfile::TempDir, SqlStore, Vec<jiancha::store::Segment>, DateTime<Utc>) {
    let (dir, store, _clock) = hall();
    let root = recorder::footage_root(dir.path());
    let start = t("2026-11-24T10:30:00+08:00");
    let segments = recorder::record_synthetic(
        &store,
        &store.system_session(),
        &root,
        1,
        "A01 市场监管",
        start,
        Duration::from_secs(60),
        (640, 360, 10),
        10,
    )
    .unwrap();
    (dir, store, segments, start)
}

fn first_frame_gray(path: &Path) -> Vec<u8> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn a_remuxed_export_covers_the_range_from_its_first_keyframe_and_verifies() {
    use jiancha::video::export::{self, ExportOptions};
    let (dir, store, _segments, start) = recorded_minute();
    let root = recorder::footage_root(dir.path());
    let ms = |s: f64| start + chrono::Duration::milliseconds((s * 1000.0) as i64);
    let span = Span::new(ms(7.3), ms(41.9));
    let segments = store.segments(&store.system_session(), 1, span).unwrap();
    assert_eq!(segments.len(), 5, "0–10 … 40–50 s");
    let out = dir.path().join("usb/clip.mp4");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let clip = export::export(&root, &segments, span, &out, &ExportOptions::default(), &cancel, &|_| {}).unwrap();
    // Keyframes every 2 s: the clip starts at 8.0 s, never before 7.3 s.
    assert_eq!(clip.actual.from, ms(8.0).timestamp_millis());
    let probed = ffprobe_duration(&out);
    assert!((probed - (41.9 - 8.0)).abs() <= 0.11, "ffprobe says {probed} s");
    assert!(clip.gaps.is_empty());
    assert!(!out.with_file_name("clip.mp4.partial").exists());

    let manifest = export::Manifest {
        format: export::MANIFEST_FORMAT.into(),
        request_no: "调〔2026〕第1号".into(),
        requester: "supervisor1".into(),
        approver: Some("chief1".into()),
        purpose: "投诉核查".into(),
        camera_id: 1,
        camera_name: "A01".into(),
        window: Some("A01".into()),
        requested: export::ManifestRange::of(span),
        actual: export::ManifestRange::of(clip.actual),
        keyframe_snap_ms: clip.actual.from - span.from,
        gaps: Vec::new(),
        clip: clip.clone(),
        watermark: None,
        privacy: Vec::new(),
        exported_by: "supervisor1".into(),
        exported_at: now(),
        destination: out.display().to_string(),
        source_segments: Vec::new(),
        program: "jiancha test".into(),
    };
    export::write_manifest(&out, &manifest).unwrap();
    assert!(export::verify(&out).unwrap().intact());
    // One changed byte in the middle is caught.
    let mut bytes = std::fs::read(&out).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&out, &bytes).unwrap();
    let v = export::verify(&out).unwrap();
    assert!(!v.intact());
    assert_eq!(v.expected_bytes, v.actual_bytes);
}

#[test]
fn a_watermark_visibly_changes_the_decoded_frames() {
    use jiancha::video::export::{self, ExportOptions, Privacy};
    let (dir, store, _segments, start) = recorded_minute();
    let root = recorder::footage_root(dir.path());
    let span = Span::new(start + chrono::Duration::seconds(20), start + chrono::Duration::seconds(26));
    let segments = store.segments(&store.system_session(), 1, span).unwrap();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let plain = dir.path().join("plain.mp4");
    export::export(&root, &segments, span, &plain, &ExportOptions::default(), &cancel, &|_| {}).unwrap();
    let marked = dir.path().join("marked.mp4");
    let options = ExportOptions {
        watermark: Some("调〔2026〕第1号 supervisor1 2026-11-27 10:30".into()),
        privacy: vec![Privacy { x: 0.0, y: 0.0, width: 0.25, height: 0.25 }],
    };
    let progress = std::sync::Mutex::new(Vec::new());
    let clip =
        export::export(&root, &segments, span, &marked, &options, &cancel, &|p| progress.lock().unwrap().push(p))
            .unwrap();
    assert!(clip.reencoded);
    assert!((ffprobe_duration(&marked) - 6.0).abs() <= 0.15);
    let progress = progress.into_inner().unwrap();
    assert!(progress.windows(2).all(|w| w[0] <= w[1] + 1e-6) && progress.last() == Some(&1.0), "{progress:?}");
    let (a, b) = (first_frame_gray(&plain), first_frame_gray(&marked));
    assert_eq!(a.len(), 640 * 360);
    assert_eq!(a.len(), b.len());
    // The centre band (the watermark) differs a lot; the privacy corner is black.
    let band = |f: &[u8]| -> Vec<u8> { (170..190).flat_map(|y| f[y * 640 + 120..y * 640 + 520].to_vec()).collect() };
    let changed = band(&a).iter().zip(band(&b)).filter(|(x, y)| x.abs_diff(*y) > 40).count();
    assert!(changed > 500, "only {changed} pixels of the watermark band changed");
    let corner: Vec<u8> = (10..80).flat_map(|y| b[y * 640 + 10..y * 640 + 150].to_vec()).collect();
    assert!(corner.iter().all(|v| *v < 30), "the privacy rectangle is black");
}

#[test]
fn the_access_matrix_holds_through_the_store() {
    use jiancha::domain::footage::{RequestKind, Use};
    use jiancha::store::{ExportOutcome, NewFootageRequest, RequestFilter, StoreError};
    let (dir, store, clock) = hall();
    let _ = dir;
    let login = |user: &str| store.login(user, jiancha::demo::DEMO_PASSWORD).unwrap();
    let (supervisor, other, chief, auditor) =
        (login("supervisor1"), login("supervisor2"), login("chief1"), login("auditor1"));
    let span = Span::new(t("2026-11-24T10:30:00+08:00"), t("2026-11-24T10:50:00+08:00"));
    let new = NewFootageRequest {
        cameras: vec![7],
        span,
        purpose: "投诉核查：B07窗口态度".into(),
        kind: RequestKind::View,
        second_person: None,
        case_no: None,
        complaint_no: Some("TS2026-0001".into()),
    };
    let request = store.request_footage(&supervisor, &new).unwrap();
    assert!(request.request_no.starts_with("调〔2026〕第"), "{}", request.request_no);
    // An auditor requests nothing; a supervisor approves nothing; nobody approves their own.
    assert!(matches!(store.request_footage(&auditor, &new), Err(StoreError::Forbidden { .. })));
    assert!(matches!(store.decide_footage(&other, request.id, true, ""), Err(StoreError::Refused(_))));
    let own = store.request_footage(&chief, &new).unwrap();
    assert!(
        matches!(store.decide_footage(&chief, own.id, true, ""), Err(StoreError::Refused(m)) if m.contains("本人"))
    );
    // Not approved yet: no viewing.
    assert!(matches!(
        store.open_footage(&supervisor, request.id, 7, span, Use::View, None),
        Err(StoreError::Refused(_))
    ));
    // A refusal needs a reason.
    assert!(matches!(store.decide_footage(&chief, request.id, false, " "), Err(StoreError::Invalid(_))));
    let approved = store.decide_footage(&chief, request.id, true, "同意调阅").unwrap();
    assert_eq!(approved.decided_by.as_deref(), Some("chief1"));
    assert!(matches!(store.decide_footage(&chief, request.id, true, ""), Err(StoreError::Refused(_))), "once");

    // Inside: granted and registered. A second outside, another camera, another person: refused.
    let inside = Span::new(t("2026-11-24T10:35:00+08:00"), t("2026-11-24T10:45:00+08:00"));
    let grant = store.open_footage(&supervisor, request.id, 7, inside, Use::View, None).unwrap();
    assert_eq!(grant.span, inside);
    let later = Span { to: span.to + 1000, ..inside };
    assert!(
        matches!(store.open_footage(&supervisor, request.id, 7, later, Use::View, None), Err(StoreError::Refused(m)) if m.contains("范围"))
    );
    assert!(matches!(
        store.open_footage(&supervisor, request.id, 8, inside, Use::View, None),
        Err(StoreError::Refused(_))
    ));
    assert!(matches!(store.open_footage(&other, request.id, 7, inside, Use::View, None), Err(StoreError::Refused(_))));
    // A view request allows no copy.
    assert!(matches!(
        store.open_footage(&supervisor, request.id, 7, inside, Use::Export, Some("/media/usb")),
        Err(StoreError::Refused(m)) if m.contains("拷贝")
    ));

    // An export request: a copy with its destination, finished with its hash; the register says it all.
    let export =
        store.request_footage(&supervisor, &NewFootageRequest { kind: RequestKind::Export, ..new.clone() }).unwrap();
    store.decide_footage(&chief, export.id, true, "").unwrap();
    assert!(matches!(
        store.open_footage(&supervisor, export.id, 7, inside, Use::Export, None),
        Err(StoreError::Invalid(_))
    ));
    let copy = store.open_footage(&supervisor, export.id, 7, inside, Use::Export, Some("/media/usb/B07.mp4")).unwrap();
    let done = store
        .finish_export(&supervisor, copy.access_id, &ExportOutcome::Done { sha256: "ab".repeat(32), bytes: 1234 })
        .unwrap();
    assert_eq!((done.status.as_str(), done.destination.as_deref()), ("done", Some("/media/usb/B07.mp4")));
    // The auditor reads the whole register but exports nothing; the other supervisor sees only their own.
    let register = store.footage_register(&auditor, 100).unwrap();
    assert_eq!(register.len(), 2);
    assert_eq!(register[0].action, Use::Export);
    assert_eq!(register[0].purpose, "投诉核查：B07窗口态度");
    assert!(matches!(
        store.open_footage(&auditor, export.id, 7, inside, Use::Export, Some("/tmp/x")),
        Err(StoreError::Forbidden { .. })
    ));
    assert!(store.footage_register(&other, 100).unwrap().is_empty());
    assert_eq!(store.footage_requests(&other, RequestFilter::All).unwrap().len(), 0, "supervisors see their own");
    assert_eq!(store.footage_requests(&auditor, RequestFilter::All).unwrap().len(), 3);

    // Seven days later the approval has expired.
    clock.set(now() + chrono::Duration::days(8));
    let supervisor = login("supervisor1");
    assert!(matches!(
        store.open_footage(&supervisor, request.id, 7, inside, Use::View, None),
        Err(StoreError::Refused(m)) if m.contains("过期")
    ));
    // Every decision and use is in the audit chain.
    let auditor = login("auditor1");
    let audit = store
        .audit_log(
            &auditor,
            &jiancha::store::AuditQuery { action_prefix: Some("footage".into()), limit: 100, ..Default::default() },
        )
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    for a in ["footage.request", "footage.approve", "footage.view", "footage.export", "footage.export_finished"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

/// The demo hall with camera 1 pointed at a simulator of this test.
fn hall_with_live_camera() -> (tempfile::TempDir, SqlStore, jiancha::video::sim::SimServer) {
    use jiancha::store::{HallSetup, NewCamera};
    use jiancha::video::sim::{SimCamera, SimOptions, SimServer};
    let (dir, store, _clock) = sqlite_hall();
    let sim = SimServer::start(0, &[SimCamera { index: 1, label: "A01 测试".into() }], &SimOptions::default()).unwrap();
    let data = jiancha::demo::generate(11, now(), &jiancha::domain::alerts::RuleBook::official());
    let mut setup: HallSetup = data.setup.clone();
    setup.cameras =
        vec![NewCamera { main_url: sim.url(1, false), sub_url: Some(sim.url(1, true)), ..setup.cameras[0].clone() }];
    store.configure_hall(&store.system_session(), &setup).unwrap();
    (dir, store, sim)
}

#[test]
fn a_live_camera_recorded_in_three_second_segments_is_found_in_its_segments() {
    let (dir, sqlite, sim) = hall_with_live_camera();
    let root = recorder::footage_root(dir.path());
    let session = sqlite.system_session();
    let store: Arc<dyn Store> = Arc::new(sqlite);
    let started = Utc::now();
    let rec = recorder::CameraRecorder::start(
        store.clone(),
        session.clone(),
        root.clone(),
        1,
        sim.url(1, true),
        3,
        Arc::new(jiancha::clock::SystemClock),
    )
    .unwrap();
    // Until three segments are closed and indexed (a condition, with a deadline; not a fixed sleep).
    let indexed =
        || store.segments(&session, 1, Span::new(started - chrono::Duration::seconds(5), Utc::now())).unwrap().len();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while indexed() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "three segments were not indexed in a minute: {:?}",
            rec.status()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = rec.status();
    rec.stop();
    let stopped = Utc::now();
    assert_eq!(status.state, recorder::RecorderState::Recording, "{status:?}");
    let segments = store.segments(&session, 1, Span::new(started - chrono::Duration::seconds(5), stopped)).unwrap();
    assert!((3..=5).contains(&segments.len()), "{segments:#?}");
    // The segments cover the run but its start (the pipeline's first keyframe) without gaps.
    let recorded: i64 = segments.iter().map(|s| s.span.millis()).sum();
    let ran = (stopped - started).num_milliseconds();
    assert!(recorded >= ran - 4_000, "recorded {recorded} ms of a run of {ran} ms");
    for s in &segments {
        assert!(s.span.millis() <= 3_500, "segments of at most 3 s: {:?}", s.span);
        let probed = ffprobe_duration(&root.join(&s.path));
        assert!((probed * 1000.0 - s.span.millis() as f64).abs() < 300.0, "{} vs {:?}", probed, s.span);
    }
    drop(sim);
}

#[test]
fn a_recorder_killed_with_sigkill_leaves_an_index_that_reconciles() {
    let (dir, sqlite, sim) = hall_with_live_camera();
    let root = recorder::footage_root(dir.path());
    drop(sqlite);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["record", "--camera", "1", "--sub"])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first file grows, then a while longer.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let file_size =
        || -> u64 { walkdir(&root).iter().map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)).sum() };
    while file_size() == 0 {
        assert!(std::time::Instant::now() < deadline, "the recorder wrote nothing");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(12));
    let killed_at = Utc::now();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let store = SqlStore::open_existing_dir(dir.path(), Arc::new(FixedClock::new(now()))).unwrap();
    let system = store.system_session();
    assert!(store.segment_paths(&system).unwrap().is_empty(), "the 60 s segment was still open: not indexed");
    let report = recorder::reconcile(&store, &system, &root).unwrap();
    assert_eq!(report.indexed.len(), 1, "{report:?}");
    let again = recorder::reconcile(&store, &system, &root).unwrap();
    assert!(again.indexed.is_empty() && again.removed.is_empty(), "a second pass finds nothing: {again:?}");
    let segment = &store
        .segments(
            &system,
            1,
            Span::new(killed_at - chrono::Duration::minutes(5), killed_at + chrono::Duration::minutes(1)),
        )
        .unwrap()[0];
    let lost = killed_at.timestamp_millis() - segment.span.to;
    assert!(segment.span.millis() >= 10_000, "{:?}", segment.span);
    eprintln!("SIGKILL: the index ends {lost} ms before the kill; repaired {:?}", report.repaired);
    assert!((-500..=2_500).contains(&lost), "lost {lost} ms at the kill");
    // The repaired file is whole: ffprobe reads it, and it exports.
    let probed = ffprobe_duration(&root.join(&segment.path));
    assert!((probed * 1000.0 - segment.span.millis() as f64).abs() < 300.0);
    drop(sim);
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walkdir(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn playback_stays_inside_the_approved_range_and_seeks_steps_and_speeds_up() {
    use jiancha::video::playback::{Player, PlayerStatus};
    let (dir, store, _segments, start) = recorded_minute();
    let root = recorder::footage_root(dir.path());
    let ms = |s: f64| start.timestamp_millis() + (s * 1000.0) as i64;
    let range = Span { from: ms(10.55), to: ms(30.0) };
    let segments = store.segments(&store.system_session(), 1, range).unwrap();
    let frames = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let notify: jiancha::video::decoder::Notify = {
        let frames = frames.clone();
        Arc::new(move || {
            frames.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
    };
    let player = Player::start(&root, segments, range, None, (320, 180), notify, Arc::new(jiancha::clock::SystemClock));
    let shared = player.shared().clone();
    let wait = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}; status {:?}", shared.status());
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    // Paused on the first frame inside the range (the keyframe at 10.0 s is decoded, never shown).
    wait("the first frame", &|| shared.status() == PlayerStatus::Paused && shared.frame().is_some());
    assert_eq!(shared.position_ms(), ms(10.6), "the first 10 fps frame at or after 10.55 s");
    let frame = shared.frame().unwrap();
    assert_eq!((frame.width, frame.height), (320, 180));
    // Frame step: one frame later.
    player.step();
    wait("a step", &|| shared.position_ms() == ms(10.7));
    // Seek outside the range is clamped to it; a seek inside lands on the frame.
    player.seek(ms(5.0));
    wait("the clamped seek", &|| shared.position_ms() == ms(10.6));
    player.seek(ms(21.23));
    wait("the seek", &|| shared.position_ms() == ms(21.3));
    // 8×: the remaining ~8.7 s play in about a second; never a frame at or after the end.
    player.set_speed(8.0);
    let shown_before = shared.frames_shown();
    let started = std::time::Instant::now();
    player.play();
    wait("the end", &|| shared.status() == PlayerStatus::Ended);
    let took = started.elapsed().as_secs_f64();
    assert!(
        shared.position_ms() < range.to && shared.position_ms() >= ms(29.9),
        "{}",
        shared.position_ms() - range.from
    );
    assert!((0.6..4.0).contains(&took), "8× took {took:.2} s for 8.7 s of footage");
    assert!(shared.frames_shown() - shown_before >= 80, "{} frames", shared.frames_shown() - shown_before);
    drop(player);
}

/// Playback paced by a simulated clock (`clock::SimulatedClock`): 19.4 s of footage played at 1× ends
/// with the clock moved by the footage's length — the pacing is checked in simulated time, so the test
/// does not wait the 19 s out.
#[test]
fn playback_at_normal_speed_takes_the_footages_length_on_a_simulated_clock() {
    use jiancha::clock::{Clock, SimulatedClock};
    use jiancha::video::playback::{Player, PlayerStatus};
    let (dir, store, _segments, start) = recorded_minute();
    let root = recorder::footage_root(dir.path());
    let ms = |s: f64| start.timestamp_millis() + (s * 1000.0) as i64;
    let range = Span { from: ms(10.55), to: ms(30.0) };
    let segments = store.segments(&store.system_session(), 1, range).unwrap();
    let clock = Arc::new(SimulatedClock::new(start));
    let player = Player::start(&root, segments, range, None, (320, 180), Arc::new(|| {}), clock.clone());
    let shared = player.shared().clone();
    // Waits in real time (the decoder is real) for a condition, with a deadline.
    let wait = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !done() {
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}; status {:?}", shared.status());
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait("the first frame", &|| shared.status() == PlayerStatus::Paused && shared.frame().is_some());
    assert_eq!(shared.position_ms(), ms(10.6));
    let shown_before = shared.frames_shown();
    let before = clock.monotonic();
    player.play();
    wait("the end", &|| shared.status() == PlayerStatus::Ended);
    let took = clock.elapsed(before).as_secs_f64();
    // From the frame at 10.6 s to the last before 30.0 s (29.9 s): 19.3 s at 1×.
    assert!((19.2..=19.5).contains(&took), "the simulated clock moved {took:.3} s for 19.3 s of footage at 1×");
    assert_eq!(shared.position_ms(), ms(29.9), "the last frame inside the range");
    assert_eq!(shared.frames_shown() - shown_before, 193, "every 10 fps frame after the first, shown once");
    drop(player);
}

/// Retention by age deletes segments older than 90 days, files and index rows, except those under a
/// legal hold (保全); once the hold is lifted (audited) the next pass takes them.
#[test]
fn retention_spares_footage_under_legal_hold_until_the_hold_is_lifted() {
    let (dir, store, _clock) = hall();
    let root = recorder::footage_root(dir.path());
    let system = store.system_session();
    let chief = store.login("chief1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let old = t("2026-08-10T10:00:00+08:00"); // 109 days before now()
    let recent = t("2026-11-20T10:00:00+08:00");
    let mut paths = Vec::new();
    for (start, n) in [(old, 5), (recent, 2)] {
        for i in 0..n {
            let from = start + chrono::Duration::minutes(i);
            let path = recorder::segment_path(3, from);
            let file = root.join(&path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, b"segment bytes").unwrap();
            store
                .add_segment(
                    &system,
                    &jiancha::store::NewSegment {
                        camera_id: 3,
                        span: Span::new(from, from + chrono::Duration::minutes(1)),
                        path: path.clone(),
                        bytes: 13,
                        sha256: "0".repeat(64),
                    },
                )
                .unwrap();
            paths.push(file);
        }
    }
    // Hold 10:01:30–10:02:30 of the old day: it touches the second and third segments.
    let held = Span::new(old + chrono::Duration::seconds(90), old + chrono::Duration::seconds(150));
    let hold = store.place_hold(&chief, 3, held, "投诉 TS2026-0009 复核").unwrap();

    let gone = recorder::apply_retention(&store, &system, &root).unwrap();
    let gone_starts: Vec<i64> = gone.iter().map(|s| s.span.from).collect();
    let minute = |i: i64| (old + chrono::Duration::minutes(i)).timestamp_millis();
    assert_eq!(gone_starts, [minute(0), minute(3), minute(4)], "old and not held");
    for (i, p) in paths.iter().enumerate() {
        assert_eq!(p.exists(), !matches!(i, 0 | 3 | 4), "{}", p.display());
    }
    let left = store.segments(&system, 3, Span::new(old, recent + chrono::Duration::hours(1))).unwrap();
    assert_eq!(left.len(), 4, "two held, two recent");

    // A supervisor may not lift it; the chief may, with a reason, and the next pass deletes the rest.
    let supervisor = store.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    assert!(store.lift_hold(&supervisor, hold.id, "").is_err());
    store.lift_hold(&chief, hold.id, "复核结束").unwrap();
    let gone = recorder::apply_retention(&store, &system, &root).unwrap();
    assert_eq!(gone.len(), 2);
    assert!(!paths[1].exists() && !paths[2].exists(), "taken once the hold is lifted");
    assert!(paths[5].exists() && paths[6].exists(), "recent footage stays");
    let auditor = store.login("auditor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let audit = store
        .audit_log(
            &auditor,
            &jiancha::store::AuditQuery { action_prefix: Some("footage".into()), limit: 100, ..Default::default() },
        )
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"footage.hold") && actions.contains(&"footage.lift_hold"), "{actions:?}");
}

#[test]
fn in_remote_mode_footage_comes_from_the_server_by_range_requests_for_the_grants_holder_only() {
    use jiancha::domain::footage::{RequestKind, Use};
    use jiancha::store::remote::RemoteStore;
    use jiancha::store::{NewFootageRequest, StoreError};
    use jiancha::video::export::{self, ExportJob, ExportOptions, FootageSource};
    let (dir, store, _segments, start) = recorded_minute();
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let remote = Arc::new(RemoteStore::new(&server.url()).unwrap());
    let login = |user: &str| remote.login(user, jiancha::demo::DEMO_PASSWORD).unwrap();
    let (supervisor, chief, auditor) = (login("supervisor1"), login("chief1"), login("auditor1"));
    let ms = |s: i64| start + chrono::Duration::seconds(s);
    let span = Span::new(ms(5), ms(45));
    let request = remote
        .request_footage(
            &supervisor,
            &NewFootageRequest {
                cameras: vec![1],
                span,
                purpose: "远程调阅测试".into(),
                kind: RequestKind::Export,
                second_person: None,
                case_no: None,
                complaint_no: None,
            },
        )
        .unwrap();
    remote.decide_footage(&chief, request.id, true, "同意").unwrap();

    // The copy, as the console makes it: fetched from the server, checked, remuxed, registered.
    let console = tempfile::tempdir().unwrap();
    let source = FootageSource::Remote { store: remote.clone(), cache: console.path().join("cache") };
    let out = console.path().join("usb/remote.mp4");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let job =
        ExportJob { request_id: request.id, cameras: &[1], span: None, out: &out, options: ExportOptions::default() };
    let done = export::export_request(&*remote, &supervisor, &source, &job, now(), &cancel, &|_| {}).unwrap();
    assert!(export::verify(&out).unwrap().intact());
    let probed = ffprobe_duration(&out);
    assert!((probed - 40.0).abs() <= 2.1, "ffprobe says {probed} s");
    let register = remote.footage_register(&supervisor, 10).unwrap();
    assert!(register.iter().any(|l| l.id == done.register_id && l.sha256.as_deref() == Some(done.sha256.as_str())));

    // The raw endpoint: ranges, and nobody but the holder.
    let grant = remote.open_footage(&supervisor, request.id, 1, span, Use::View, None).unwrap();
    let segment = &grant.segments[1];
    jiancha::server::tls::install_crypto();
    let http = reqwest::blocking::Client::new();
    let url = format!("{}/api/v1/footage/{}/{}", server.url(), grant.access_id, segment.id);
    let get = |token: Option<&str>, range: Option<&str>| {
        let mut r = http.get(&url);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(range) = range {
            r = r.header("range", range);
        }
        r.send().unwrap()
    };
    let part = get(Some(&supervisor.token), Some("bytes=100-199"));
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(part.headers()["content-range"].to_str().unwrap(), format!("bytes 100-199/{}", segment.bytes));
    let on_disk = std::fs::read(recorder::footage_root(dir.path()).join(&segment.path)).unwrap();
    assert_eq!(part.bytes().unwrap().as_ref(), &on_disk[100..200]);
    let whole = get(Some(&supervisor.token), None);
    assert_eq!(whole.status().as_u16(), 200);
    assert_eq!(whole.bytes().unwrap().len() as u64, segment.bytes);
    assert_eq!(get(Some(&supervisor.token), Some(&format!("bytes={}-", segment.bytes))).status().as_u16(), 416);
    assert_eq!(get(None, None).status().as_u16(), 401);
    assert_eq!(get(Some(&auditor.token), None).status().as_u16(), 403, "the auditor holds no grant");
    assert_eq!(get(Some(&chief.token), None).status().as_u16(), 403, "nor does the approver");
    // A segment of the camera outside the grant: refused.
    let outside = remote.segments(&supervisor, 1, Span::new(ms(50), ms(55))).unwrap();
    let url_outside = format!("{}/api/v1/footage/{}/{}", server.url(), grant.access_id, outside[0].id);
    assert_eq!(http.get(&url_outside).bearer_auth(&supervisor.token).send().unwrap().status().as_u16(), 403);

    // Issue 15, "footage grants leak past their edges" (b): a two-second grant inside a ten-second
    // segment carries two seconds, cut at packet boundaries from a keyframe inside it — not the segment.
    let short = remote.open_footage(&supervisor, request.id, 1, Span::new(ms(12), ms(14)), Use::View, None).unwrap();
    assert_eq!(short.segments.len(), 1);
    let whole_segment = &short.segments[0];
    let url_short = format!("{}/api/v1/footage/{}/{}", server.url(), short.access_id, whole_segment.id);
    let answer = http.get(&url_short).bearer_auth(&supervisor.token).send().unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let clip_header = answer.headers()["x-jiancha-clip"].to_str().unwrap().to_owned();
    let sha_header = answer.headers()["x-jiancha-sha256"].to_str().unwrap().to_owned();
    let clip = answer.bytes().unwrap();
    let (from, to) = clip_header.split_once('-').unwrap();
    let (from, to): (i64, i64) = (from.parse().unwrap(), to.parse().unwrap());
    let grant_ms = Span::new(ms(12), ms(14));
    assert!(grant_ms.from <= from && from < grant_ms.from + 1000 && to == grant_ms.to, "{clip_header}");
    assert_eq!(sha_header, jiancha::files::sha256_hex(&clip), "the clip's own hash");
    assert!((clip.len() as u64) < whole_segment.bytes * 3 / 5, "{} of {} bytes", clip.len(), whole_segment.bytes);
    assert_eq!(clip.len() % 188, 0, "whole packets");
    let units = jiancha::video::ts::access_units(&clip);
    let (first, last) = (units.iter().map(|u| u.pts).min().unwrap(), units.iter().map(|u| u.pts).max().unwrap());
    assert!(
        (10..=20).contains(&units.len()) && (last - first) / 90 < 2000,
        "{} frames over {} ms",
        units.len(),
        (last - first) / 90
    );
    // A range of the clip is a range of the clip.
    let ranged = http.get(&url_short).bearer_auth(&supervisor.token).header("range", "bytes=0-187").send().unwrap();
    assert_eq!(ranged.status().as_u16(), 206);
    assert_eq!(ranged.headers()["content-range"].to_str().unwrap(), format!("bytes 0-187/{}", clip.len()));
    // The console keeps the clip and knows where it starts.
    let mut fetched = short.clone();
    let clips = FootageSource::Remote { store: remote.clone(), cache: console.path().join("cache-clip") };
    let root = clips.prepare(&supervisor, &mut fetched, &cancel, &|_| {}).unwrap();
    let kept = &fetched.segments[0];
    assert_eq!((kept.span.from, kept.span.to, kept.bytes), (from, to, clip.len() as u64));
    assert_eq!(std::fs::read(root.join(&kept.path)).unwrap(), clip.as_ref());

    // A file changed on the server is caught by the index's hash and not used.
    let path = recorder::footage_root(dir.path()).join(&segment.path);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let fresh = FootageSource::Remote { store: remote.clone(), cache: console.path().join("cache2") };
    let refused = fresh.prepare(&supervisor, &mut grant.clone(), &cancel, &|_| {});
    assert!(matches!(&refused, Err(StoreError::Backend(m)) if m.contains("differs from the index")), "{refused:?}");
}

/// Issue 15, "console trusts the server with its disk": a grant whose segment paths climb out of the cache
/// (`../`, absolute, another camera's) is refused before anything is fetched or written.
#[test]
fn paths_from_the_server_never_choose_where_footage_is_written() {
    use jiancha::domain::footage::Span;
    use jiancha::video::export::FootageSource;
    let cache = tempfile::tempdir().unwrap();
    // Nothing listens there: a refusal must come before any request.
    let remote = Arc::new(jiancha::store::remote::RemoteStore::new("http://127.0.0.1:9").unwrap());
    let source = FootageSource::Remote { store: remote, cache: cache.path().join("footage") };
    // A real grant of the demo hall, then segment paths as a hostile server would send them.
    use jiancha::domain::footage::{RequestKind, Use};
    let (_dir, store, _clock) = hall();
    let session = store.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let chief = store.login("chief1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let span = Span::new(t("2026-11-24T10:30:00+08:00"), t("2026-11-24T10:50:00+08:00"));
    let new = jiancha::store::NewFootageRequest {
        cameras: vec![7],
        span,
        purpose: "投诉核查".into(),
        kind: RequestKind::View,
        second_person: None,
        case_no: None,
        complaint_no: None,
    };
    let request = store.request_footage(&session, &new).unwrap();
    store.decide_footage(&chief, request.id, true, "同意").unwrap();
    let real = store.open_footage(&session, request.id, 7, span, Use::View, None).unwrap();
    let grant = |path: &str| -> jiancha::store::FootageGrant {
        let mut g = real.clone();
        g.segments = vec![jiancha::store::Segment {
            id: 1,
            camera_id: 7,
            span: Span { from: span.from, to: span.from + 1000 },
            path: path.into(),
            bytes: 10,
            sha256: "0".repeat(64),
            holder: None,
        }];
        g
    };
    let outside = cache.path().join("pwned.ts");
    for hostile in [
        format!("7/2026-11-24/../../../{}", outside.file_name().unwrap().to_string_lossy()),
        outside.display().to_string(),
        "8/2026-11-24/8-1.ts".to_owned(),
        "7/2026-11-24/7-1.ts/../../../pwned.ts".to_owned(),
    ] {
        let err = source
            .prepare(&session, &mut grant(&hostile), &std::sync::atomic::AtomicBool::new(false), &|_| {})
            .unwrap_err();
        assert!(err.to_string().contains("not a footage path"), "{hostile}: {err}");
    }
    assert!(!outside.exists());
    let grant_dir = cache.path().join("footage").join(format!("grant-{}", real.access_id));
    assert!(!grant_dir.exists(), "nothing was written at all");
}

/// Issue 15, "four eyes with one person": the local system actor decides nothing; a chief account the
/// requester made, or one promoted after the request, may not decide it; a range that overflows the
/// 24-hour cap, or lies outside 2000–2100, is refused.
#[test]
fn four_eyes_take_two_people() {
    use jiancha::domain::access::Role;
    use jiancha::domain::footage::RequestKind;
    use jiancha::store::{NewFootageRequest, NewUser, StoreError, UserChange};
    let (_dir, store, clock) = hall();
    let pw = jiancha::demo::DEMO_PASSWORD;
    let admin = store.login("admin1", pw).unwrap();
    let span = Span::new(t("2026-11-24T10:30:00+08:00"), t("2026-11-24T10:50:00+08:00"));
    let new = |span: Span| NewFootageRequest {
        cameras: vec![7],
        span,
        purpose: "投诉核查：B07窗口态度".into(),
        kind: RequestKind::View,
        second_person: None,
        case_no: None,
        complaint_no: None,
    };
    // The administrator makes a chief account and requests footage as… a supervisor they also made.
    let user = |name: &str, role| NewUser {
        username: name.into(),
        display_name: name.into(),
        role,
        password: "pass-word-1".into(),
        halls: Vec::new(),
    };
    store.create_user(&admin, &user("sup9", Role::Supervisor)).unwrap();
    let sup9 = store.login("sup9", "pass-word-1").unwrap();
    let request = store.request_footage(&sup9, &new(span)).unwrap();
    clock.advance(chrono::Duration::minutes(5));
    // The system actor: never.
    let err = store.decide_footage(&store.system_session(), request.id, true, "").unwrap_err();
    assert!(matches!(&err, StoreError::Refused(m) if m.contains("具名")), "{err:?}");
    // A chief promoted after the request: not for this one.
    store.create_user(&admin, &user("late.chief", Role::Supervisor)).unwrap();
    // (Issue 28: a promotion to chief is confirmed by a second person — here the hall's chief.)
    let chief1 = store.login("chief1", pw).unwrap();
    let confirm = |asked: Option<i64>, by: &jiancha::store::Session| {
        store.decide_account_change(by, asked.expect("a request"), true, "").unwrap();
    };
    let asked = store.update_user(&admin, "late.chief", &UserChange { role: Some(Role::Chief), ..Default::default() });
    confirm(asked.unwrap().pending_change, &chief1);
    let late = store.login("late.chief", "pass-word-1").unwrap();
    let err = store.decide_footage(&late, request.id, true, "").unwrap_err();
    assert!(matches!(&err, StoreError::Refused(m) if m.contains("申请提出后")), "{err:?}");
    // A chief account the requester made (while an administrator), before the request: not for it either.
    let asked = store.update_user(&admin, "sup9", &UserChange { role: Some(Role::Admin), ..Default::default() });
    confirm(asked.unwrap().pending_change, &chief1);
    let sup9_admin = store.login("sup9", "pass-word-1").unwrap();
    let asked = store.create_user(&sup9_admin, &user("puppet.chief", Role::Chief)).unwrap();
    // Confirmed by another administrator, who cannot tell it is a puppet: the audit still names who asked.
    confirm(asked.pending_change, &admin);
    store.update_user(&admin, "sup9", &UserChange { role: Some(Role::Supervisor), ..Default::default() }).unwrap();
    clock.advance(chrono::Duration::minutes(5));
    let sup9 = store.login("sup9", "pass-word-1").unwrap();
    let second = store.request_footage(&sup9, &new(span)).unwrap();
    let puppet = store.login("puppet.chief", "pass-word-1").unwrap();
    store.set_password(&puppet, "puppet.chief", Some("pass-word-1"), "pass-word-2").unwrap();
    let err = store.decide_footage(&puppet, second.id, true, "").unwrap_err();
    assert!(matches!(&err, StoreError::Refused(m) if m.contains("由申请人授予")), "{err:?}");
    // A chief who was one before, and whom nobody involved made: yes.
    let chief = store.login("chief1", pw).unwrap();
    store.decide_footage(&chief, request.id, true, "同意").unwrap();
    // Overflowing or absurd ranges.
    let sup = store.login("supervisor1", pw).unwrap();
    for span in [Span { from: i64::MIN, to: i64::MAX }, Span { from: 0, to: 1000 }] {
        let err = store.request_footage(&sup, &new(span)).unwrap_err();
        assert!(
            matches!(&err, StoreError::Refused(m) | StoreError::Invalid(m) if m.contains("范围")),
            "{span:?}: {err:?}"
        );
    }
}

/// Issue 15, "footage grants leak past their edges" (c): a copy left "in progress" keeps its footage from
/// retention only for its grant's 12 hours; then the next retention pass marks it failed (audited) and
/// takes the footage. One person may not have more than four copies in progress.
#[test]
fn footage_grants_leak_past_their_edges_no_export_pins_footage_forever() {
    use jiancha::domain::footage::{RequestKind, Use};
    use jiancha::store::{NewFootageRequest, NewSegment, StoreError};
    let (dir, store, clock) = hall();
    let root = recorder::footage_root(dir.path());
    let system = store.system_session();
    let (supervisor, chief) = (
        store.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap(),
        store.login("chief1", jiancha::demo::DEMO_PASSWORD).unwrap(),
    );
    let old = t("2026-08-26T10:00:00+08:00"); // 90 days and a few hours before now()
    let path = recorder::segment_path(3, old);
    std::fs::create_dir_all(root.join(&path).parent().unwrap()).unwrap();
    std::fs::write(root.join(&path), b"segment bytes").unwrap();
    let minute = Span::new(old, old + chrono::Duration::minutes(1));
    let segment = NewSegment { camera_id: 3, span: minute, path: path.clone(), bytes: 13, sha256: "0".repeat(64) };
    store.add_segment(&system, &segment).unwrap();
    let request = store
        .request_footage(
            &supervisor,
            &NewFootageRequest {
                cameras: vec![3],
                span: minute,
                purpose: "投诉核查：留存前拷贝".into(),
                kind: RequestKind::Export,
                second_person: None,
                case_no: None,
                complaint_no: None,
            },
        )
        .unwrap();
    store.decide_footage(&chief, request.id, true, "同意").unwrap();
    let copy = |to: &str| store.open_footage(&supervisor, request.id, 3, minute, Use::Export, Some(to));
    let grant = copy("/media/usb/a.mp4").unwrap();
    // Within its 12 hours the copy in progress keeps the footage, though it is past the 90 days.
    assert!(recorder::apply_retention(&store, &system, &root).unwrap().is_empty());
    assert!(root.join(&path).exists());
    // Four copies at once, not five.
    for i in 0..3 {
        copy(&format!("/media/usb/{i}.mp4")).unwrap();
    }
    let fifth = copy("/media/usb/5.mp4");
    assert!(matches!(&fifth, Err(StoreError::Refused(m)) if m.contains("4 copies in progress")), "{fifth:?}");
    // Left running past its grant: the next pass marks them failed and takes the footage.
    clock.advance(chrono::Duration::hours(13));
    let gone = recorder::apply_retention(&store, &system, &root).unwrap();
    assert_eq!(gone.len(), 1, "the copy no longer pins the footage");
    assert!(!root.join(&path).exists());
    let supervisor = store.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let line = store.footage_register(&supervisor, 10).unwrap().into_iter().find(|l| l.id == grant.access_id).unwrap();
    assert_eq!(line.status, "failed");
    assert!(line.note.as_deref().unwrap_or("").contains("12 hours"), "{line:?}");
    let late = store.finish_export(
        &supervisor,
        grant.access_id,
        &jiancha::store::ExportOutcome::Done { sha256: "1".repeat(64), bytes: 13 },
    );
    assert!(matches!(late, Err(StoreError::Conflict(_))), "a copy given up cannot be finished: {late:?}");
    let auditor = store.login("auditor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let audit = store
        .audit_log(
            &auditor,
            &jiancha::store::AuditQuery {
                action_prefix: Some("footage.export_abandoned".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
}

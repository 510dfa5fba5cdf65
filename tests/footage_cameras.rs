//! Several cameras of one request, on a hall set up by `init` with a hall file: four cameras played
//! side by side on one play head stay within one frame of it through seeks, speed changes, pauses
//! and frame steps; an export of three cameras writes one MP4 each (durations by ffprobe) and one set
//! manifest that verifies, under one register line; the CLI takes the same.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiancha::clock::SystemClock;
use jiancha::domain::footage::{RequestKind, Span, Use};
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{NewFootageRequest, Segment, Store, StoreError};
use jiancha::video::playback::{Group, PlayerStatus};
use jiancha::video::recorder;

use crate::support::camera_hall;

use camera_hall::PASSWORD;

/// The four-camera hall with 30 s of each camera recorded from an hour ago (the cameras start a few
/// milliseconds apart). The real clock: the CLI (a process of its own) checks the approval against it.
fn hall() -> (tempfile::TempDir, SqlStore, Vec<i64>, DateTime<Utc>) {
    let (dir, store, cameras) = camera_hall::four_cameras(Arc::new(SystemClock));
    let hour_ago = (Utc::now() - chrono::Duration::hours(1)).timestamp();
    let start = DateTime::from_timestamp(hour_ago, 0).unwrap();
    camera_hall::record(&store, dir.path(), &cameras, start, 30, [0, 30, 60, 10], (320, 180));
    (dir, store, cameras, start)
}

fn approved(store: &SqlStore, cameras: &[i64], span: Span, kind: RequestKind) -> i64 {
    let sup = store.login("sup", PASSWORD).unwrap();
    let chief = store.login("chief", PASSWORD).unwrap();
    let request = store
        .request_footage(
            &sup,
            &NewFootageRequest {
                cameras: cameras.to_vec(),
                span,
                purpose: "投诉核查：四个窗口同一时段".into(),
                kind,
                second_person: None,
                case_no: None,
                complaint_no: Some("TS2026-0042".into()),
            },
        )
        .unwrap();
    store.decide_footage(&chief, request.id, true, "同意").unwrap();
    request.id
}

fn wait(what: &str, group: &Group, done: &dyn Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        let states: Vec<PlayerStatus> = group.players().iter().map(|p| p.shared().status()).collect();
        assert!(Instant::now() < deadline, "timed out waiting for {what}; {states:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Every camera's frame is within one frame (100 ms at 10 fps) before or at the head — or, right
/// after a seek, the first frame at or after it.
fn assert_in_step(what: &str, group: &Group, frame_ms: i64) {
    let head = group.position_ms();
    let positions: Vec<i64> = group.players().iter().map(|p| p.shared().position_ms() - head).collect();
    assert!(positions.iter().all(|d| d.abs() < frame_ms), "{what}: frames at {positions:?} ms from the head");
    let spread = positions.iter().max().unwrap() - positions.iter().min().unwrap();
    assert!(spread < frame_ms, "{what}: the four pictures are {spread} ms apart");
}

fn settled(group: &Group) -> bool {
    group.players().iter().all(|p| matches!(p.shared().status(), PlayerStatus::Paused | PlayerStatus::Ended))
}

#[test]
fn four_cameras_play_on_one_head_within_a_frame_through_seeks_speeds_pauses_and_steps() {
    let (dir, store, cameras, start) = hall();
    let ms = |s: f64| start.timestamp_millis() + (s * 1000.0) as i64;
    let span = Span { from: ms(2.0), to: ms(28.0) };
    let request = approved(&store, &cameras, span, RequestKind::View);
    let sup = store.login("sup", PASSWORD).unwrap();
    // One register line for the four cameras.
    let grants = store.open_footage_cameras(&sup, request, &cameras, span, Use::View, None).unwrap();
    assert_eq!(grants.tracks.len(), 4);
    assert!(grants.tracks.iter().all(|t| !t.segments.is_empty()));
    let register = store.footage_register(&sup, 10).unwrap();
    assert_eq!(register.len(), 1, "{register:#?}");
    assert_eq!(register[0].cameras, cameras);
    assert_eq!(register[0].camera_name, "W01 摄像头、W02 摄像头、W03 摄像头、W04 摄像头");
    // Five cameras are more than one line (and one playback) covers; a camera twice is refused.
    let five = [cameras.clone(), vec![cameras[0]]].concat();
    assert!(matches!(
        store.open_footage_cameras(&sup, request, &five, span, Use::View, None),
        Err(StoreError::Invalid(_))
    ));

    let root = recorder::footage_root(dir.path());
    let tracks: Vec<(std::path::PathBuf, Vec<Segment>)> =
        grants.tracks.iter().map(|t| (root.clone(), t.segments.clone())).collect();
    let group = Group::start(tracks, span, None, (160, 90), Arc::new(|| {}), Arc::new(jiancha::clock::SystemClock));
    let frame = 100;
    wait("the first frames", &group, &|| {
        settled(&group) && group.players().iter().all(|p| p.shared().frame().is_some())
    });
    assert_in_step("opened", &group, frame);

    // Seek: every camera shows its first frame at or after the target.
    for target in [ms(17.25), ms(5.0), ms(26.61)] {
        group.seek(target);
        wait("the seek", &group, &|| {
            settled(&group)
                && group.players().iter().all(|p| (target..target + frame).contains(&p.shared().position_ms()))
        });
        assert_eq!(group.position_ms(), target);
        assert_in_step("after a seek", &group, frame);
    }

    // Play at 4× from 5 s, change to 2× on the way, pause: every camera stops at the head's moment.
    group.seek(ms(5.0));
    wait("the seek to 5 s", &group, &|| {
        settled(&group) && group.players().iter().all(|p| p.shared().position_ms() >= ms(5.0))
    });
    group.set_speed(4.0);
    let started = Instant::now();
    group.play();
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(group.status(), PlayerStatus::Playing);
    let fast = started.elapsed();
    group.set_speed(2.0);
    std::thread::sleep(Duration::from_millis(800));
    let slow = started.elapsed() - fast;
    group.pause();
    let paused = started.elapsed() - fast - slow;
    let head = group.position_ms();
    // Where the head should be, from the times the calls were made (however long the sleeps took).
    let expected = ms(5.0) + (4.0 * fast.as_secs_f64() * 1000.0 + 2.0 * slow.as_secs_f64() * 1000.0) as i64;
    let slack = 50 + (2.0 * paused.as_secs_f64() * 1000.0) as i64;
    assert!(
        (head - expected).abs() <= slack,
        "4× then 2× from 5 s: the head at {} ms, expected {} ms",
        head - ms(5.0),
        expected - ms(5.0)
    );
    wait("the pause", &group, &|| {
        settled(&group) && group.players().iter().all(|p| head - p.shared().position_ms() < frame)
    });
    assert_eq!(group.position_ms(), head, "paused, the head stays");
    assert_in_step("after speed changes and a pause", &group, frame);

    // Frame step: the head moves to the next frame of any camera, and every camera follows.
    for _ in 0..5 {
        let before = group.position_ms();
        group.step();
        let after = group.position_ms();
        assert!(after > before && after - before <= frame, "a step moved the head {} ms", after - before);
        wait("a step", &group, &|| {
            settled(&group) && group.players().iter().all(|p| after - p.shared().position_ms() < frame)
        });
        assert_in_step("after a step", &group, frame);
    }

    // Played to the end, all four end together inside the range.
    group.set_speed(8.0);
    group.seek(ms(24.0));
    group.play();
    wait("the end", &group, &|| group.status() == PlayerStatus::Ended);
    for p in group.players() {
        assert!(p.shared().position_ms() < span.to && p.shared().position_ms() >= span.to - 2 * frame);
    }
    group.close();
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
fn an_export_of_three_cameras_writes_a_clip_each_and_one_manifest_under_one_register_line() {
    use jiancha::video::export::{self, ExportJob, ExportOptions, FootageSource};
    let (dir, store, cameras, start) = hall();
    let ms = |s: f64| start.timestamp_millis() + (s * 1000.0) as i64;
    let span = Span { from: ms(4.0), to: ms(24.0) };
    let request = approved(&store, &cameras, span, RequestKind::Export);
    let sup = store.login("sup", PASSWORD).unwrap();
    let root = recorder::footage_root(dir.path());
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let out = usb.join("调2026-1.mp4");
    let three = &cameras[..3];
    let job =
        ExportJob { request_id: request, cameras: three, span: None, out: &out, options: ExportOptions::default() };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let now = Utc::now();
    let done = export::export_request(&store, &sup, &FootageSource::Local(root), &job, now, &cancel, &|_| {}).unwrap();

    assert_eq!(done.clips.len(), 3);
    for (clip, camera) in done.clips.iter().zip(three) {
        assert_eq!(clip.camera_id, *camera);
        assert_eq!(clip.path, usb.join(format!("调2026-1-cam{camera}.mp4")));
        // 4 s is a keyframe (every 2 s): each clip covers the 20 s, give or take the camera's offset.
        let probed = ffprobe_duration(&clip.path);
        assert!((probed - 20.0).abs() <= 0.25, "camera {camera}: ffprobe says {probed} s");
    }
    assert!(!out.exists(), "no clip under the set's own name");
    assert_eq!(done.manifest, usb.join("调2026-1.manifest.json"));
    let verified = export::verify_set(&done.manifest).unwrap();
    assert_eq!(verified.len(), 3);
    assert!(verified.iter().all(export::Verification::intact), "{verified:#?}");
    let manifest: export::SetManifest =
        serde_json::from_str(&std::fs::read_to_string(&done.manifest).unwrap()).unwrap();
    assert_eq!(manifest.format, export::SET_MANIFEST_FORMAT);
    assert_eq!(manifest.approver.as_deref(), Some("chief"));
    assert_eq!(manifest.clips.iter().map(|c| c.camera_id).collect::<Vec<_>>(), three);
    assert_eq!(manifest.clips[1].window.as_deref(), Some("W02"));

    // One register line, finished with the set manifest's hash.
    let register = store.footage_register(&sup, 10).unwrap();
    assert_eq!(register.len(), 1, "{register:#?}");
    let line = &register[0];
    assert_eq!((line.action, line.status.as_str(), line.cameras.as_slice()), (Use::Export, "done", three));
    let manifest_bytes = std::fs::read(&done.manifest).unwrap();
    use sha2::Digest as _;
    assert_eq!(line.sha256.as_deref(), Some(hex::encode(sha2::Sha256::digest(&manifest_bytes)).as_str()));
    assert_eq!(line.sha256.as_deref(), Some(done.sha256.as_str()));

    // The CLI checks the set: intact, then one clip changed.
    let verify = |path: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jiancha"))
            .args(["footage", "verify"])
            .arg(path)
            .output()
            .unwrap()
    };
    let ok = verify(&done.manifest);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert_eq!(String::from_utf8_lossy(&ok.stdout).matches("一致").count(), 3);
    let mut bytes = std::fs::read(&done.clips[2].path).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 0xff;
    std::fs::write(&done.clips[2].path, bytes).unwrap();
    let changed = verify(&done.manifest);
    assert_eq!(changed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&changed.stdout).contains("不一致"));
    // A manifest naming a path instead of a file beside it is refused, not followed.
    let text = std::fs::read_to_string(&done.manifest).unwrap().replace("调2026-1-cam", "../调2026-1-cam");
    let evil = usb.join("evil.manifest.json");
    std::fs::write(&evil, text).unwrap();
    assert!(matches!(export::verify_set(&evil), Err(export::VerifyError::Manifest { .. })));
}

#[test]
fn the_cli_exports_the_cameras_given_and_by_default_all_of_the_request() {
    let (dir, store, cameras, start) = hall();
    let ms = |s: f64| start.timestamp_millis() + (s * 1000.0) as i64;
    let span = Span { from: ms(6.0), to: ms(16.0) };
    let request = approved(&store, &cameras, span, RequestKind::Export);
    drop(store);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jiancha"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .args(["--user", "sup"])
            .env("JIANCHA_PASSWORD", PASSWORD)
            .output()
            .unwrap()
    };
    let out = dir.path().join("two.mp4");
    let (a, b) = (cameras[1].to_string(), cameras[3].to_string());
    let id = request.to_string();
    let two =
        run(&["footage", "export", "--request", &id, "--out", out.to_str().unwrap(), "--camera", &a, "--camera", &b]);
    assert!(two.status.success(), "{}", String::from_utf8_lossy(&two.stderr));
    let printed = String::from_utf8_lossy(&two.stdout).into_owned();
    assert!(printed.contains(&format!("two-cam{a}.mp4")) && printed.contains(&format!("two-cam{b}.mp4")), "{printed}");
    let verified = jiancha::video::export::verify_set(&dir.path().join("two.manifest.json")).unwrap();
    assert_eq!(verified.len(), 2);
    assert!(verified.iter().all(jiancha::video::export::Verification::intact));
    let all = dir.path().join("all.mp4");
    let four = run(&["footage", "export", "--request", &id, "--out", all.to_str().unwrap()]);
    assert!(four.status.success(), "{}", String::from_utf8_lossy(&four.stderr));
    assert_eq!(jiancha::video::export::verify_set(&dir.path().join("all.manifest.json")).unwrap().len(), 4);
}

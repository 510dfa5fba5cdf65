//! Footage: recording (synthetic and from a real RTSP camera), crash recovery, the access rules through
//! the store, export by remuxing checked with ffprobe, the watermark, and `footage verify`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::footage::Span;
use jiancha::store::sqlite::SqliteStore;
use jiancha::store::Store;
use jiancha::video::recorder;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T10:30:00+08:00").unwrap().with_timezone(&Utc)
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The demo hall in a temp dir (its 25 cameras), opened with a fixed clock.
fn hall() -> (tempfile::TempDir, SqliteStore, Arc<FixedClock>) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    jiancha::demo::write_demo(dir.path(), 11, clock.clone(), &jiancha::domain::alerts::RuleBook::official()).unwrap();
    let store = SqliteStore::open_existing_dir(dir.path(), clock.clone()).unwrap();
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
    let found = store.segments(&system, 1, Span::new(start + chrono::Duration::seconds(15), start + chrono::Duration::seconds(16))).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, segments[1].id);
}

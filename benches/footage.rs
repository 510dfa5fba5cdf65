//! Figures for footage: remux export of a 10-minute 640×360 clip against `ffmpeg -c copy` on the same
//! segments in the same run, watermarked export speed, and the range lookup in an index of 1,000,000
//! segments. Run with `cargo bench --bench footage`; `cargo test --all-targets` only builds
//! it, and the built binary run without `--bench` runs scaled down.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]

use jiancha::store::prelude::*;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::footage::Span;
use jiancha::store::sqlite::{DB_FILE, SqlStore};
use jiancha::store::{HallSetup, NewCamera};
use jiancha::video::export::{self, ExportOptions};
use jiancha::video::recorder;
use rand::{Rng as _, SeedableRng as _};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00+08:00").unwrap().with_timezone(&Utc)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A store with one hall and `cameras` cameras.
fn store_with_cameras(dir: &std::path::Path, cameras: usize) -> SqlStore {
    let store = SqlStore::open_dir(dir, Arc::new(FixedClock::new(now()))).unwrap();
    let system = store.system_session();
    let data = jiancha::demo::generate(1, now(), &jiancha::domain::alerts::RuleBook::official());
    let mut setup: HallSetup = data.setup.clone();
    let template = setup.cameras[0].clone();
    setup.cameras = (0..cameras)
        .map(|i| NewCamera { name: format!("camera {i}"), window_code: None, ..template.clone() })
        .collect();
    store.configure_hall(&system, &setup).unwrap();
    store
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let minutes = if full { 10 } else { 1 };
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_cameras(dir.path(), 2);
    let system = store.system_session();
    let root = recorder::footage_root(dir.path());
    let start = now() - chrono::Duration::hours(2);

    // The footage: a 640×360, 25 fps recording in 60 s segments (the camera's real rate).
    let t = Instant::now();
    let segments = recorder::record_synthetic(
        &store,
        &system,
        &root,
        1,
        "A01 市场监管",
        start,
        Duration::from_secs(minutes * 60),
        (640, 360, 25),
        60,
    )
    .unwrap();
    let bytes: u64 = segments.iter().map(|s| s.bytes).sum();
    println!(
        "recorded {minutes} min of 640×360 25 fps in {} segments ({:.1} MB) in {:.1} s",
        segments.len(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let span = Span::new(start, start + chrono::Duration::seconds(minutes as i64 * 60));
    let real_time = (minutes * 60) as f64;
    let cancel = AtomicBool::new(false);
    let runs = if full { 5 } else { 1 };

    // Remux: ours vs ffmpeg -c copy over the same segment files (concat demuxer), alternating.
    let list = dir.path().join("concat.txt");
    std::fs::write(
        &list,
        segments.iter().map(|s| format!("file '{}'\n", root.join(&s.path).display())).collect::<String>(),
    )
    .unwrap();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let out = dir.path().join(format!("ours-{i}.mp4"));
        let t = Instant::now();
        let clip = export::export(&root, &segments, span, &out, &ExportOptions::default(), &cancel, &|_| {}).unwrap();
        ours.push(t.elapsed().as_secs_f64());
        assert!(clip.duration_ms >= (real_time as i64 - 1) * 1000);
        let out = dir.path().join(format!("ffmpeg-{i}.mp4"));
        let t = Instant::now();
        let status = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "concat", "-safe", "0", "-i"])
            .arg(&list)
            .args(["-c", "copy", "-movflags", "+faststart"])
            .arg(&out)
            .status()
            .expect("ffmpeg");
        assert!(status.success());
        theirs.push(t.elapsed().as_secs_f64());
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!(
        "remux export {minutes} min: ours {:.3} s ({:.0}× real time), ffmpeg -c copy {:.3} s → {:.2}× ffmpeg's time",
        ours,
        real_time / ours,
        theirs,
        ours / theirs
    );

    // Watermarked (re-encoded) export of the same range.
    let out = dir.path().join("watermarked.mp4");
    let options =
        ExportOptions { watermark: Some("调〔2026〕第1号 张明 2026-11-27 18:00".into()), privacy: Vec::new() };
    let t = Instant::now();
    export::export(&root, &segments, span, &out, &options, &cancel, &|_| {}).unwrap();
    let seconds = t.elapsed().as_secs_f64();
    println!("watermarked export {minutes} min: {seconds:.1} s ({:.1}× real time)", real_time / seconds);

    // Range lookup in an index of 1,000,000 segments (60 s each, 25 cameras × 40,000 segments ≈ 28
    // days each), inserted directly.
    let n: i64 = if full { 1_000_000 } else { 20_000 };
    let cameras = 25i64;
    let dir = tempfile::tempdir().unwrap();
    let big = store_with_cameras(dir.path(), cameras as usize);
    drop(big);
    {
        let mut conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO segment (camera_id, start_ms, end_ms, path, bytes, sha256, indexed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
                )
                .unwrap();
            let base = now().timestamp_millis() - (n / cameras) * 60_000;
            let hash = "0".repeat(64);
            for i in 0..n {
                let camera = i % cameras + 1;
                let k = i / cameras;
                let from = base + k * 60_000;
                insert
                    .execute(rusqlite::params![
                        camera,
                        from,
                        from + 60_000,
                        format!("{camera}/x/{camera}-{from}.ts"),
                        1_000_000,
                        hash
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let big = SqlStore::open_existing_dir(dir.path(), Arc::new(FixedClock::new(now()))).unwrap();
    let system = big.system_session();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let lookups = 2_000;
    let mut times = Vec::with_capacity(lookups);
    let mut found = 0usize;
    let days = n / cameras / 1440;
    for _ in 0..lookups {
        let camera = rng.gen_range(1..=cameras);
        let from = now() - chrono::Duration::minutes(rng.gen_range(30..(days * 1440).max(31)));
        let t = Instant::now();
        let segs = big.segments(&system, camera, Span::new(from, from + chrono::Duration::minutes(20))).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        found += segs.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "range lookup (20 min of one camera) in {n} segments: median {:.3} ms, p99 {:.3} ms, max {:.3} ms ({:.1} segments per lookup)",
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1],
        found as f64 / lookups as f64
    );
}

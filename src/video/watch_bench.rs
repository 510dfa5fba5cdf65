//! `jiancha bench watch`: what the Art 11(8) detectors cost, and how well they find what a script
//! says happened. Each kind gets a scripted hour of the simulator's window picture (`scene`), fed to a
//! [`Watcher`] at the analysis rate; a finding is a true positive when it overlaps an act of its kind
//! that should be found (long enough), a false positive otherwise; an act that should be found and was
//! not is a miss. The cost is the detectors' CPU per camera at that rate (the pictures are drawn
//! before the clock starts), scaled to 25 cameras.

use std::time::Instant;

use chrono::{DateTime, Utc};

use super::scene::{self, Act, Script};
use super::watch::{Finding, Gray, HEIGHT, Region, TamperKind, WIDTH, WatchSettings, Watcher};

/// One kind's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KindFigures {
    pub kind: &'static str,
    /// Acts long enough to be found, and how many were.
    pub expected: usize,
    pub found: usize,
    pub false_positives: usize,
    pub precision: f64,
    pub recall: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WatchBench {
    pub frames_per_second: f64,
    pub kinds: Vec<KindFigures>,
    /// CPU seconds the detectors take per second of one camera's video.
    pub cpu_per_camera: f64,
    /// The same for 25 cameras, as a share of one core.
    pub core_share_25: f64,
}

/// The scripted hours: covered lenses, turned cameras, absences (some too short to count) with the
/// noise the detectors must not take for anything — dimmed light and people walking past.
pub const HOURS: [(&str, &str); 3] = [
    ("blocked", "4m covered 2m\n15m covered 20s\n22m covered 5m\n40m covered 45s\n50m dim 5m\n"),
    ("moved", "5m turned 3m\n18m turned 20s\n25m turned 10m\n44m passer 20s\n50m turned 1m\n"),
    ("absent", "2m away 12m\n17m passer 20s\n20m away 8m\n30m dim 6m\n37m away 15m\n53m passer 20s\n55m away 3m\n"),
];

fn seat() -> Region {
    let [x, y, width, height] = scene::SEAT;
    Region { x, y, width, height }
}

/// Runs the scripted hours at `fps` analysed frames a second.
pub fn run(fps: f64) -> WatchBench {
    let fps = fps.clamp(0.1, 10.0);
    let settings = WatchSettings::default();
    let start =
        DateTime::parse_from_rfc3339("2026-12-02T09:00:00+08:00").map_or(DateTime::<Utc>::MIN_UTC, |t| t.into());
    let step_ms = (1000.0 / fps) as i64;
    let mut kinds = Vec::new();
    let mut busy: f64 = 0.0;
    let mut video_seconds: f64 = 0.0;
    for (kind, text) in HOURS {
        let script = Script::parse(kind, text).unwrap_or_default();
        let frames: Vec<(i64, Gray)> = (0..3_600_000 / step_ms)
            .filter_map(|i| {
                let t = i * step_ms;
                Gray::new(WIDTH, HEIGHT, scene::render_gray(&script, t, WIDTH, HEIGHT)).map(|g| (t, g))
            })
            .collect();
        let reference = frames.first().map(|(_, g)| g.clone());
        let mut watcher = Watcher::new(settings, Some(seat()), reference.as_ref());
        let mut found: Vec<(i64, i64)> = Vec::new();
        let mut open: Option<i64> = None;
        let began = Instant::now();
        for (t, frame) in &frames {
            for f in watcher.feed(start + chrono::Duration::milliseconds(*t), true, frame) {
                let hit = match (&f, kind) {
                    (Finding::TamperStarted { kind: TamperKind::Blocked, .. }, "blocked")
                    | (Finding::TamperStarted { kind: TamperKind::Moved, .. }, "moved")
                    | (Finding::AbsenceStarted { .. }, "absent") => Some(true),
                    (Finding::TamperEnded { kind: TamperKind::Blocked, .. }, "blocked")
                    | (Finding::TamperEnded { kind: TamperKind::Moved, .. }, "moved")
                    | (Finding::AbsenceEnded { .. }, "absent") => Some(false),
                    // Anything of another kind in this hour is a false positive of that kind; the
                    // hours are built so that none is expected.
                    (Finding::TamperStarted { .. } | Finding::AbsenceStarted { .. }, _) => {
                        found.push((*t, *t));
                        None
                    }
                    _ => None,
                };
                match hit {
                    Some(true) => open = Some(*t),
                    Some(false) => {
                        if let Some(from) = open.take() {
                            found.push((from, *t));
                        }
                    }
                    None => {}
                }
            }
        }
        if let Some(from) = open {
            found.push((from, 3_600_000));
        }
        busy += began.elapsed().as_secs_f64();
        video_seconds += 3600.0;
        let (act, limit) = match kind {
            "blocked" => (Act::Covered, settings.tamper_seconds),
            "moved" => (Act::Turned, settings.tamper_seconds),
            _ => (Act::Away, settings.absent_seconds),
        };
        let expected: Vec<_> =
            script.acts.iter().filter(|a| a.act == act && a.length_ms > i64::from(limit) * 1000).collect();
        let overlaps =
            |(from, to): (i64, i64), a: &scene::Scripted| from < a.from_ms + a.length_ms + 10_000 && to >= a.from_ms;
        let hits = expected.iter().filter(|a| found.iter().any(|f| overlaps(*f, a))).count();
        let false_positives = found.iter().filter(|f| !expected.iter().any(|a| overlaps(**f, a))).count();
        let true_positives = found.len() - false_positives;
        kinds.push(KindFigures {
            kind,
            expected: expected.len(),
            found: hits,
            false_positives,
            precision: if found.is_empty() { 1.0 } else { true_positives as f64 / found.len() as f64 },
            recall: if expected.is_empty() { 1.0 } else { hits as f64 / expected.len() as f64 },
        });
    }
    let cpu_per_camera = busy / video_seconds.max(1.0);
    WatchBench { frames_per_second: fps, kinds, cpu_per_camera, core_share_25: cpu_per_camera * 25.0 }
}

/// What `bench watch --live N` measured: N watchers on live simulated sub streams (a separate
/// process serves them), each reading its stream, decoding keyframes only and analysing them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LiveWatchBench {
    pub cameras: usize,
    pub seconds: f64,
    /// Pictures analysed per camera per second (the keyframe rate).
    pub pictures_per_camera_second: f64,
    /// CPU seconds per second of this process: the share of one core all the watchers take.
    pub core_share: f64,
    pub rss_mb: f64,
}

/// Runs `cameras` watchers for `seconds` on the simulator's plain sub streams (`exe cameras sim`).
pub fn run_live(cameras: usize, seconds: u64, port: u16, exe: &std::path::Path) -> Result<LiveWatchBench, String> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    super::init().map_err(|e| e.to_string())?;
    let scratch = std::env::temp_dir().join(format!("jiancha-bench-watch-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let sim = std::process::Command::new(exe)
        .arg("--data-dir")
        .arg(&scratch)
        .args([
            "cameras",
            "sim",
            "--count",
            &cameras.to_string(),
            "--port",
            &port.to_string(),
            "--fps",
            "25",
            "--plain",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the simulated cameras: {e}"))?;
    let _sim = super::bench::KillOnDrop(sim);
    super::bench::wait_for_port(port, std::time::Duration::from_secs(30))?;
    let stop = Arc::new(AtomicBool::new(false));
    let pictures = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (1..=cameras)
        .map(|k| {
            let (stop, pictures) = (stop.clone(), pictures.clone());
            let url = format!("rtsp://127.0.0.1:{port}/cam/{k}/sub");
            std::thread::spawn(move || {
                let mut watcher: Watcher<()> = Watcher::new(WatchSettings::default(), Some(seat()), None);
                let t0 = chrono::Utc::now();
                let started = std::time::Instant::now();
                let _ = super::watch_live::watch_stream(&url, &stop, &mut |picture| {
                    if let Some(gray) = picture.gray() {
                        let at = t0 + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
                        let _ = watcher.feed_with(at, true, &gray, &());
                        pictures.fetch_add(1, Ordering::Relaxed);
                    }
                });
            })
        })
        .collect();
    // Let every stream start, then measure.
    std::thread::sleep(std::time::Duration::from_secs(5));
    let me = std::process::id();
    let cpu_before = super::bench::cpu_seconds(me).ok_or("cannot read /proc/self/stat")?;
    let pictures_before = pictures.load(Ordering::Relaxed);
    let start = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_secs(seconds));
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = super::bench::cpu_seconds(me).ok_or("cannot read /proc/self/stat")? - cpu_before;
    let counted = pictures.load(Ordering::Relaxed) - pictures_before;
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(LiveWatchBench {
        cameras,
        seconds: elapsed,
        pictures_per_camera_second: counted as f64 / elapsed / cameras.max(1) as f64,
        core_share: cpu / elapsed,
        rss_mb: super::bench::peak_rss_mb().unwrap_or(0.0),
    })
}

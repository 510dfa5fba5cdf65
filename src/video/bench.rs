//! `jiancha bench wall`: the wall's decode-to-frame path against a bare `gst-launch-1.0`, both fed by
//! the simulated cameras running in a separate process (so that their encoding is counted in neither).
//!
//! Process CPU is read from `/proc/<pid>/stat` (user + system time), peak memory from `VmHWM`.

use std::io::Read as _;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::StreamKind;
use super::decoder::{Decoder, StreamSource, TileStatus};

/// Linux reports process times in these ticks per second (USER_HZ, 100 on every mainstream kernel).
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Debug, Clone, Serialize)]
pub struct WallBench {
    pub tiles: usize,
    pub seconds: f64,
    pub tile_width: u32,
    pub tile_height: u32,
    /// Frames delivered per second, one number per tile.
    pub tile_fps: Vec<f64>,
    pub min_fps: f64,
    /// CPU seconds of this process while decoding, per second of wall time.
    pub cpu_per_second: f64,
    /// The same for `gst-launch-1.0` decoding the same streams to `fakesink`.
    pub baseline_cpu_per_second: f64,
    pub cpu_ratio: f64,
    /// Peak resident memory of this process (VmHWM).
    pub rss_mb: f64,
}

/// CPU seconds (user + system) of a process.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let mut text = String::new();
    std::fs::File::open(format!("/proc/{pid}/stat")).ok()?.read_to_string(&mut text).ok()?;
    // The command name may contain spaces: fields start after the last ')'.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SECOND)
}

/// Peak resident set of this process, in MiB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16, limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the simulated cameras did not open port {port} within {limit:?}"))
}

/// Runs the benchmark: `tiles` sub streams at the tile size of a 1600×900 wall, `seconds` each phase.
pub fn run(
    tiles: usize,
    seconds: u64,
    port: u16,
    exe: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<WallBench, String> {
    super::init().map_err(|e| e.to_string())?;
    let scratch = std::env::temp_dir().join(format!("jiancha-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    progress(&format!("starting {tiles} simulated cameras on port {port} (separate process)"));
    let sim = Command::new(exe)
        .arg("--data-dir")
        .arg(&scratch)
        .args(["cameras", "sim", "--count", &tiles.to_string(), "--port", &port.to_string(), "--fps", "25"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the simulated cameras: {e}"))?;
    let _sim = KillOnDrop(sim);
    wait_for_port(port, Duration::from_secs(30))?;

    // The tile size of an n×n wall on a 1600×900 screen, 16:9 inside the tile.
    let cols = (tiles as f64).sqrt().ceil().max(1.0) as u32;
    let tile_w = 1600 / cols;
    let tile_h = (tile_w * 9 / 16).min(900 / cols);
    let (tile_w, tile_h) = super::decoder::tile_size(tile_w, tile_h);
    let urls: Vec<String> = (1..=tiles).map(|k| format!("rtsp://127.0.0.1:{port}/cam/{k}/sub")).collect();

    progress(&format!("decoding {tiles} streams to {tile_w}×{tile_h} RGBA frames"));
    let notify: super::decoder::Notify = Arc::new(|| {});
    let decoders: Vec<Decoder> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| {
            Decoder::start(
                &format!("bench{i}"),
                StreamSource { url: url.clone(), kind: StreamKind::Sub },
                tile_w,
                tile_h,
                notify.clone(),
            )
        })
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let warm = Instant::now();
    while !decoders.iter().all(|d| d.mailbox().status() == TileStatus::Playing) {
        if warm.elapsed() > Duration::from_secs(30) {
            return Err("not every tile started playing within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let me = std::process::id();
    let cpu_before = cpu_seconds(me).ok_or("cannot read /proc/self/stat")?;
    let frames_before: Vec<u64> = decoders.iter().map(|d| d.mailbox().frame_count()).collect();
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds(me).ok_or("cannot read /proc/self/stat")? - cpu_before;
    let tile_fps: Vec<f64> = decoders
        .iter()
        .zip(&frames_before)
        .map(|(d, before)| (d.mailbox().frame_count() - before) as f64 / elapsed)
        .collect();
    let rss_mb = peak_rss_mb().unwrap_or(0.0);
    drop(decoders);
    std::thread::sleep(Duration::from_secs(1));

    progress("decoding the same streams with gst-launch-1.0 to fakesink");
    let mut args: Vec<String> = vec!["-q".into()];
    for url in &urls {
        args.extend(
            format!("rtspsrc location={url} latency=200 protocols=tcp ! rtph264depay ! h264parse ! avdec_h264 max-threads=1 ! fakesink sync=false")
                .split(' ')
                .map(str::to_owned),
        );
    }
    let baseline = Command::new("gst-launch-1.0")
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run gst-launch-1.0 (package gstreamer1.0-tools): {e}"))?;
    let pid = baseline.id();
    let baseline = KillOnDrop(baseline);
    std::thread::sleep(Duration::from_secs(5));
    let base_before = cpu_seconds(pid).ok_or("gst-launch-1.0 ended early")?;
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let base_elapsed = start.elapsed().as_secs_f64();
    let base_cpu = cpu_seconds(pid).ok_or("gst-launch-1.0 ended early")? - base_before;
    drop(baseline);
    let _ = std::fs::remove_dir_all(&scratch);

    let cpu_per_second = cpu / elapsed;
    let baseline_cpu_per_second = base_cpu / base_elapsed;
    Ok(WallBench {
        tiles,
        seconds: elapsed,
        tile_width: tile_w,
        tile_height: tile_h,
        min_fps: tile_fps.iter().copied().fold(f64::INFINITY, f64::min),
        tile_fps,
        cpu_per_second,
        baseline_cpu_per_second,
        cpu_ratio: if baseline_cpu_per_second > 0.0 { cpu_per_second / baseline_cpu_per_second } else { f64::NAN },
        rss_mb,
    })
}

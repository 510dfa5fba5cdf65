//! `jiancha bench wall`: the wall's decode-to-screen path against a bare `gst-launch-1.0`, both fed by
//! the simulated cameras running in a separate process (so that their encoding is counted in neither),
//! `--plain`: one shared encoder for every sub stream, so that the cameras take little of the two
//! cores being measured.
//!
//! - The GPU path (default): decoders hand out their planes at the stream's size and a GL thread, with a
//!   context of its own (EGL, no window), uploads every new frame as textures, polling at 60 Hz as the
//!   console's paint pass would. What the CPU does for a tile when a GPU does the drawing.
//! - `--draw` adds a phase that also draws every tile with the YUV shader into a 1600×900 framebuffer 30
//!   times a second; on a machine without a GPU (llvmpipe) that is software rendering, reported apart.
//! - The CPU path (`--path cpu`): RGBA scaled to the tile in GStreamer, as before the GPU path.
//!
//! Process CPU is read from `/proc/<pid>/stat` (user + system time, every thread), peak memory from
//! `VmHWM`.

use std::io::Read as _;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::StreamKind;
use super::decoder::{Decoder, Mailbox, Output, StreamSource, TileStatus};

/// Linux reports process times in these ticks per second (USER_HZ, 100 on every mainstream kernel).
const TICKS_PER_SECOND: f64 = 100.0;

/// Which drawing path to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BenchPath {
    Gpu,
    Cpu,
}

#[derive(Debug, Clone, Serialize)]
pub struct WallBench {
    pub path: BenchPath,
    /// The GL renderer of the GPU path.
    pub renderer: Option<String>,
    pub tiles: usize,
    pub seconds: f64,
    /// The size of the decoded frames (the stream's on the GPU path, the tile's on the CPU path).
    pub tile_width: u32,
    pub tile_height: u32,
    /// Frames decoded per second, one number per tile.
    pub tile_fps: Vec<f64>,
    pub min_fps: f64,
    /// New frames uploaded as textures per second, lowest tile (GPU path).
    pub min_uploaded_fps: Option<f64>,
    /// Megabytes handed to GL per second (GPU path).
    pub upload_mb_per_second: Option<f64>,
    /// The draw phase (`--draw`): CPU seconds per second with every tile also drawn by the shader.
    pub draw_cpu_per_second: Option<f64>,
    /// Frames drawn per second in the draw phase.
    pub draw_fps: Option<f64>,
    /// CPU seconds of this process while decoding, per second of wall time.
    pub cpu_per_second: f64,
    /// The same for `gst-launch-1.0` decoding the same streams to `fakesink`.
    pub baseline_cpu_per_second: f64,
    pub cpu_ratio: f64,
    /// Peak resident memory of this process (VmHWM).
    pub rss_mb: f64,
}

/// CPU seconds (user + system) of a process.
pub(super) fn cpu_seconds(pid: u32) -> Option<f64> {
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

pub(super) struct KillOnDrop(pub(super) Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `count` simulated cameras (`--plain`, 25 fps) in a process of their own on `port`, answering once it
/// returns; stopped when the handle is dropped.
pub(super) fn plain_cameras(exe: &Path, scratch: &Path, count: usize, port: u16) -> Result<KillOnDrop, String> {
    let sim = Command::new(exe)
        .arg("--data-dir")
        .arg(scratch)
        .args(["cameras", "sim", "--count", &count.to_string(), "--port", &port.to_string(), "--fps", "25", "--plain"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the simulated cameras: {e}"))?;
    let sim = KillOnDrop(sim);
    wait_for_port(port, Duration::from_secs(30))?;
    Ok(sim)
}

pub(super) fn wait_for_port(port: u16, limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the simulated cameras did not open port {port} within {limit:?}"))
}

/// What the GL thread measured.
#[derive(Debug, Default, Clone)]
struct GlFigures {
    renderer: String,
    uploads: Vec<u64>,
    bytes: u64,
    draws: u64,
}

/// Commands to the GL thread.
enum GlPhase {
    /// Count from now on (uploads and draws).
    Measure { draw: bool },
    /// Report and stop.
    Stop,
}

/// The GL thread: a context of its own, every new frame uploaded; with `draw`, every tile drawn at 30 Hz.
fn gl_thread(
    mailboxes: Vec<Arc<Mailbox>>,
    phases: std::sync::mpsc::Receiver<GlPhase>,
    figures: std::sync::mpsc::SyncSender<Result<GlFigures, String>>,
) {
    use super::gl::{Draw, Offscreen, SourceRect, YuvRenderer};
    let setup = Offscreen::new(1600, 900).and_then(|gl| YuvRenderer::new(gl.gl().clone()).map(|r| (gl, r)));
    let (gl, mut renderer) = match setup {
        Ok(pair) => pair,
        Err(e) => {
            let _ = figures.send(Err(e));
            return;
        }
    };
    let mut measured =
        GlFigures { renderer: super::gl::describe(gl.gl()), uploads: vec![0; mailboxes.len()], ..GlFigures::default() };
    let mut seen = vec![0_u64; mailboxes.len()];
    let mut draw = false;
    let mut last_draw = Instant::now();
    let cols = (mailboxes.len() as f64).sqrt().ceil().max(1.0) as u32;
    let (tile_w, tile_h) = (1600 / cols, 900 / cols);
    loop {
        match phases.try_recv() {
            Ok(GlPhase::Measure { draw: d }) => {
                draw = d;
                measured.uploads.iter_mut().for_each(|u| *u = 0);
                measured.bytes = 0;
                measured.draws = 0;
                renderer.uploaded_bytes = 0;
            }
            Ok(GlPhase::Stop) | Err(std::sync::mpsc::TryRecvError::Disconnected) => break,
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
        for (i, mailbox) in mailboxes.iter().enumerate() {
            if let Some(frame) = mailbox.frame()
                && frame.seq != seen[i]
                && renderer.upload(i as u64, &frame)
            {
                seen[i] = frame.seq;
                measured.uploads[i] += 1;
            }
        }
        if draw && last_draw.elapsed() >= Duration::from_millis(33) {
            last_draw = Instant::now();
            gl.clear();
            for i in 0..mailboxes.len() as u32 {
                gl.viewport((i % cols) * tile_w, (i / cols) * tile_h, tile_w, tile_h);
                renderer.draw(u64::from(i), Draw { source: SourceRect::FULL, tint: [1.0; 4] });
            }
            gl.finish();
            measured.draws += 1;
        }
        measured.bytes = renderer.uploaded_bytes;
        std::thread::sleep(Duration::from_millis(16));
    }
    let _ = figures.send(Ok(measured));
}

/// CPU seconds of this process over `seconds`, and the frames each decoder made meanwhile.
fn measure(decoders: &[Decoder], seconds: u64) -> Result<(f64, f64, Vec<f64>), String> {
    let me = std::process::id();
    let cpu_before = cpu_seconds(me).ok_or("cannot read /proc/self/stat")?;
    let frames_before: Vec<u64> = decoders.iter().map(|d| d.mailbox().frame_count()).collect();
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds(me).ok_or("cannot read /proc/self/stat")? - cpu_before;
    let fps = decoders
        .iter()
        .zip(&frames_before)
        .map(|(d, before)| (d.mailbox().frame_count() - before) as f64 / elapsed)
        .collect();
    Ok((elapsed, cpu, fps))
}

/// Runs the benchmark: `tiles` sub streams at the tile size of a 1600×900 wall, `seconds` each phase.
pub fn run(
    tiles: usize,
    seconds: u64,
    port: u16,
    path: BenchPath,
    draw: bool,
    exe: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<WallBench, String> {
    super::init().map_err(|e| e.to_string())?;
    let scratch = std::env::temp_dir().join(format!("jiancha-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    progress(&format!("starting {tiles} simulated cameras on port {port} (separate process)"));
    let _sim = plain_cameras(exe, &scratch, tiles, port)?;

    // The tile size of an n×n wall on a 1600×900 screen, 16:9 inside the tile.
    let cols = (tiles as f64).sqrt().ceil().max(1.0) as u32;
    let tile_w = 1600 / cols;
    let tile_h = (tile_w * 9 / 16).min(900 / cols);
    let (tile_w, tile_h) = super::decoder::tile_size(tile_w, tile_h);
    let urls: Vec<String> = (1..=tiles).map(|k| format!("rtsp://127.0.0.1:{port}/cam/{k}/sub")).collect();

    let output = match path {
        BenchPath::Gpu => Output::Planes,
        BenchPath::Cpu => Output::Rgba,
    };
    progress(&match path {
        BenchPath::Gpu => format!("decoding {tiles} streams to planes, uploaded as textures on a GL thread"),
        BenchPath::Cpu => format!("decoding {tiles} streams to {tile_w}×{tile_h} RGBA frames"),
    });
    let notify: super::decoder::Notify = Arc::new(|| {});
    let decoders: Vec<Decoder> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| {
            Decoder::start(
                &format!("bench{i}"),
                StreamSource { url: url.clone(), kind: StreamKind::Sub },
                output,
                tile_w,
                tile_h,
                notify.clone(),
                Arc::new(crate::clock::SystemClock),
            )
        })
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let gl = if path == BenchPath::Gpu {
        let (phase_tx, phase_rx) = std::sync::mpsc::sync_channel(4);
        let (figures_tx, figures_rx) = std::sync::mpsc::sync_channel(1);
        let mailboxes: Vec<Arc<Mailbox>> = decoders.iter().map(|d| d.mailbox().clone()).collect();
        std::thread::Builder::new()
            .name("jiancha-bench-gl".into())
            .spawn(move || gl_thread(mailboxes, phase_rx, figures_tx))
            .map_err(|e| format!("cannot start the GL thread: {e}"))?;
        Some((phase_tx, figures_rx))
    } else {
        None
    };
    let warm = Instant::now();
    while !decoders.iter().all(|d| d.mailbox().status() == TileStatus::Playing) {
        if warm.elapsed() > Duration::from_secs(30) {
            return Err("not every tile started playing within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let (decoded_w, decoded_h) =
        decoders.first().and_then(|d| d.mailbox().frame()).map_or((tile_w, tile_h), |f| (f.width, f.height));
    if let Some((phases, _)) = &gl {
        phases.send(GlPhase::Measure { draw: false }).map_err(|_| "the GL thread ended early")?;
    }
    let (elapsed, cpu, tile_fps) = measure(&decoders, seconds)?;
    let mut uploads = None;
    let mut draw_figures = None;
    let mut renderer = None;
    if let Some((phases, figures)) = &gl {
        if draw {
            progress("the same, with every tile also drawn by the shader 30 times a second");
            // The GL thread's counters restart with this phase.
            phases.send(GlPhase::Measure { draw: true }).map_err(|_| "the GL thread ended early")?;
            let (draw_elapsed, draw_cpu, _) = measure(&decoders, seconds)?;
            draw_figures = Some((draw_elapsed, draw_cpu));
        }
        phases.send(GlPhase::Stop).map_err(|_| "the GL thread ended early")?;
        let measured = figures.recv_timeout(Duration::from_secs(10)).map_err(|_| "the GL thread did not report")??;
        renderer = Some(measured.renderer.clone());
        uploads = Some(measured);
    }
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
    // With --draw the GL thread's counters cover the draw phase; without, the upload phase.
    let phase_seconds = draw_figures.map_or(elapsed, |(e, _)| e);
    Ok(WallBench {
        path,
        renderer,
        tiles,
        seconds: elapsed,
        tile_width: decoded_w,
        tile_height: decoded_h,
        min_fps: tile_fps.iter().copied().fold(f64::INFINITY, f64::min),
        min_uploaded_fps: uploads
            .as_ref()
            .map(|u| u.uploads.iter().map(|n| *n as f64 / phase_seconds).fold(f64::INFINITY, f64::min)),
        upload_mb_per_second: uploads.as_ref().map(|u| u.bytes as f64 / phase_seconds / 1e6),
        draw_cpu_per_second: draw_figures.map(|(e, c)| c / e),
        draw_fps: match (&uploads, draw_figures) {
            (Some(u), Some((e, _))) => Some(u.draws as f64 / e),
            _ => None,
        },
        tile_fps,
        cpu_per_second,
        baseline_cpu_per_second,
        cpu_ratio: if baseline_cpu_per_second > 0.0 { cpu_per_second / baseline_cpu_per_second } else { f64::NAN },
        rss_mb,
    })
}

//! `jiancha bench relay`: what the server's camera relay costs per stream. Simulated cameras run in a
//! process of their own (`--plain`: one shared encoding of the sub streams, 640×360 at 25 fps), the
//! relay in this process, and the consoles as one `gst-launch-1.0` pulling every relayed sub stream to
//! `fakesink`, so that this process's CPU (`/proc/self/stat`, every thread) is the relay's alone.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::bench::{KillOnDrop, cpu_seconds, peak_rss_mb, plain_cameras};
use super::relay::{Relay, Source};

#[derive(Debug, Clone, Serialize)]
pub struct RelayBench {
    pub streams: usize,
    pub seconds: f64,
    /// The relay's CPU while idle (no console watching), in cores.
    pub idle_cores: f64,
    /// The relay's CPU with every stream watched, in cores.
    pub cores: f64,
    /// `cores` per stream, in per cent of one core.
    pub percent_of_a_core_per_stream: f64,
    /// Peak resident memory of this process (VmHWM).
    pub rss_mb: f64,
}

fn measure(seconds: u64) -> Result<(f64, f64), String> {
    let me = std::process::id();
    let before = cpu_seconds(me).ok_or("cannot read this process's CPU time")?;
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds(me).ok_or("cannot read this process's CPU time")? - before;
    Ok((cpu / elapsed, elapsed))
}

pub fn run(
    streams: usize,
    seconds: u64,
    port: u16,
    exe: &std::path::Path,
    progress: &mut dyn FnMut(&str),
) -> Result<RelayBench, String> {
    super::init().map_err(|e| e.to_string())?;
    let scratch = std::env::temp_dir().join(format!("jiancha-relay-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    progress(&format!("starting {streams} simulated cameras on port {port} (separate process)"));
    let _sim = plain_cameras(exe, &scratch, streams, port)?;

    let relay = Relay::start("127.0.0.1:0".parse().map_err(|e| format!("{e}"))?).map_err(|e| e.to_string())?;
    let ids: Vec<i64> = (1..=streams).map(|k| k as i64).collect();
    let sources: Vec<Source> = ids
        .iter()
        .map(|&k| Source {
            camera_id: k,
            main_url: format!("rtsp://127.0.0.1:{port}/cam/{k}"),
            sub_url: Some(format!("rtsp://127.0.0.1:{port}/cam/{k}/sub")),
        })
        .collect();
    relay.mount(&sources);
    let now = chrono::Utc::now();
    let ticket = relay.ticket("bench", &ids, now + chrono::Duration::hours(1), now).map_err(|e| e.to_string())?;
    progress(&format!("the relay idle for {seconds} s"));
    let (idle_cores, _) = measure(seconds)?;

    progress(&format!("{streams} sub streams pulled through the relay by gst-launch-1.0 to fakesink"));
    let mut args: Vec<String> = vec!["-q".into()];
    for k in &ids {
        let url = format!(
            "rtsp://{}:{}@127.0.0.1:{}{}",
            ticket.user,
            ticket.password,
            relay.port(),
            super::relay::path(*k, true)
        );
        args.extend(
            format!("rtspsrc location={url} latency=200 protocols=tcp ! rtph264depay ! fakesink sync=false")
                .split(' ')
                .map(str::to_owned),
        );
    }
    let consoles = Command::new("gst-launch-1.0")
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run gst-launch-1.0 (package gstreamer1.0-tools): {e}"))?;
    let consoles = KillOnDrop(consoles);
    // The consoles connect and every media is built before the measurement.
    std::thread::sleep(Duration::from_secs(5));
    let (cores, elapsed) = measure(seconds)?;
    drop(consoles);
    drop(relay);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(RelayBench {
        streams,
        seconds: elapsed,
        idle_cores,
        cores,
        percent_of_a_core_per_stream: 100.0 * (cores - idle_cores).max(0.0) / streams as f64,
        rss_mb: peak_rss_mb().unwrap_or(0.0),
    })
}

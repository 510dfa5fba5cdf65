//! `jiancha bench notify`: the sender's throughput to a local receiver — messages queued in a
//! throw-away SQLite hall, sent to a WeCom-shaped receiver on loopback that answers at once, each
//! delivery recorded in the database as in service.

use std::io::{Read as _, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::domain::notify::{Channel, ChannelSetup, NotifySettings, RobotSetup};
use crate::store::prelude::*;
use crate::store::{SecretValue, StoreError};

/// What the benchmark measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NotifyBench {
    pub messages: u32,
    pub delivered: u32,
    pub seconds: f64,
    pub per_second: f64,
    /// Requests the receiver answered.
    pub received: u64,
}

/// A receiver on loopback answering every request with WeCom's success (one thread per connection).
fn receiver(count: Arc<AtomicU64>) -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    std::thread::Builder::new().name("jiancha-bench-receiver".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            let count = count.clone();
            std::thread::spawn(move || answer(stream, &count));
        }
    })?;
    Ok(port)
}

fn answer(mut stream: std::net::TcpStream, count: &AtomicU64) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        // Each request: its head, then its body; keep-alive connections carry several.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + length);
        count.fetch_add(1, Ordering::Relaxed);
        let body = r#"{"errcode":0,"errmsg":"ok"}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// Queues `messages` test messages and sends them all, timing the sending.
pub fn run(messages: u32) -> Result<NotifyBench, StoreError> {
    let dir = tempfile_dir()?;
    let clock: Arc<dyn crate::clock::Clock> = Arc::new(crate::clock::SystemClock);
    let store =
        crate::store::SqlStore::open_dir(&dir, clock.clone()).map_err(|e| StoreError::Backend(e.to_string()))?;
    let system = store.system_session();
    let received = Arc::new(AtomicU64::new(0));
    let port = receiver(received.clone()).map_err(|e| StoreError::Backend(e.to_string()))?;
    let settings = NotifySettings { enabled: true, ..NotifySettings::default() };
    store.set_notify_settings(&system, &settings)?;
    let webhook = SecretValue {
        name: "webhook".into(),
        value: format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key=bench"),
    };
    store.set_notify_channel(&system, &ChannelSetup::Wecom(RobotSetup { per_minute: 60 }), &[webhook])?;
    for i in 0..messages {
        store.notify_test(&system, Channel::Wecom, &format!("139{:08}", i % 100_000_000))?;
    }
    // The robot's limit would hold the run to 60 a minute: the benchmark measures the sender itself,
    // so it claims without one (rounds as in service otherwise).
    let started = clock.monotonic();
    let mut delivered = 0;
    loop {
        let claimed = store.notify_claim("bench", super::BATCH, &std::collections::BTreeMap::new())?;
        if claimed.is_empty() {
            break;
        }
        let channels = store.notify_channels_for_sending()?;
        for m in claimed {
            let outcome = super::channels::send(&channels[0], &m, clock.now().timestamp_millis());
            delivered += u32::from(outcome.is_ok());
            store.notify_finish(m.id, "bench", &outcome)?;
        }
    }
    let seconds = clock.elapsed(started).as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(NotifyBench {
        messages,
        delivered,
        seconds,
        per_second: f64::from(delivered) / seconds.max(1e-9),
        received: received.load(Ordering::Relaxed),
    })
}

fn tempfile_dir() -> Result<std::path::PathBuf, StoreError> {
    let dir = std::env::temp_dir().join(format!("jiancha-bench-notify-{}", std::process::id()));
    crate::files::private_dirs(&dir).map_err(|e| StoreError::Backend(e.to_string()))?;
    Ok(dir)
}

//! The load of a city (issue 31): consoles following the hall while an approval system pushes case
//! events, in one run on SQLite with one server and on PostgreSQL with one and with two servers.
//!
//! Each server is a `jiancha serve` process on the demo hall (`jiancha demo`, moved to PostgreSQL with
//! `jiancha migrate`); the PostgreSQL cluster is Debian's, started by `packaging/pg-cluster.sh`. Each
//! console is a lean HTTP/1.1 client on its own loopback address (127.0.1.x, as workstations each
//! have theirs) doing what the console does: wait on `/api/v1/changes`, and when the counter moves ask
//! `alerts_changed` for what changed since the alerts' revision it holds, then gather changes for
//! 250–500 ms (each its own while). The consoles share one supervisor session. The approval system pushes one case event per
//! request, spread over the servers.
//!
//! Figures: the alert page (`alerts`, the newest 100 open) sampled ten times a second under the load;
//! the follow call; the time from a push's answer until every console has taken it in (a console's
//! first follow that starts after the answer); the CPU of the server processes and of PostgreSQL's.
//!
//! `cargo bench --bench city` runs 200 consoles and 100 pushes a second for 20 s per setup; the binary
//! without `--bench` (as `cargo test --all-targets` runs it) 20 consoles, 20 pushes a second, 3 s.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]

#[path = "support/pg.rs"]
mod pg;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const PASSWORD: &str = "jiancha-demo";
/// What a console gathers before it asks again (as `FOLLOW_COALESCE` in the console).
const COALESCE: Duration = Duration::from_millis(500);

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_jiancha")
}

/// A `jiancha serve` process.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn serve(data_dir: &Path, database: Option<&str>, pg_password: &str, log: &str) -> Server {
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut command = Command::new(exe());
    command.arg("--data-dir").arg(data_dir).args([
        "serve",
        "--no-watch",
        "--listen",
        &addr.to_string(),
        "--relay",
        "127.0.0.1:0",
    ]);
    if let Some(url) = database {
        command.args(["--database", url]).env("PGPASSWORD", pg_password);
    }
    let out = std::fs::File::create(data_dir.join(log)).unwrap();
    let child = command.stdout(Stdio::null()).stderr(out).env("RUST_LOG", "warn").spawn().unwrap();
    let server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not listen: see {}", data_dir.join(log).display());
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}

/// User and system CPU seconds of a process.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the command: state is field 3, utime field 14 and stime 15 (1-based, whole line).
    let ticks = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(14) + ticks(15)) / 100.0
}

/// CPU seconds of every PostgreSQL process on the machine (the benchmark's cluster is the only one).
fn postgres_cpu() -> f64 {
    let mut total = 0.0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if comm.trim() == "postgres" {
            total += cpu_seconds(pid);
        }
    }
    total
}

/// A keep-alive HTTP/1.1 client from one source address (like wrk: it should cost the two cores as
/// little as it can).
struct Http {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    host: String,
    line: String,
}

impl Http {
    fn connect(to: SocketAddr, from: Ipv4Addr) -> Http {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket.bind(&SocketAddr::from((from, 0)).into()).unwrap();
        socket.connect(&to.into()).unwrap();
        let stream: TcpStream = socket.into();
        stream.set_nodelay(true).unwrap();
        Http {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
            host: to.to_string(),
            line: String::new(),
        }
    }

    fn request(&mut self, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, Vec<u8>) {
        let auth = token.map(|t| format!("authorization: Bearer {t}\r\n")).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        self.writer.write_all(head.as_bytes()).unwrap();
        self.writer.write_all(body.as_bytes()).unwrap();
        let mut status = 0;
        let mut length = 0usize;
        loop {
            self.line.clear();
            self.reader.read_line(&mut self.line).unwrap();
            if status == 0 {
                status = self.line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            } else if self.line == "\r\n" {
                break;
            } else if let Some(v) = self.line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        (status, body)
    }

    fn json(&mut self, method: &str, path: &str, token: Option<&str>, body: &str) -> serde_json::Value {
        let (status, answer) = self.request(method, path, token, body);
        assert_eq!(status, 200, "{method} {path}: {}", String::from_utf8_lossy(&answer));
        serde_json::from_slice(&answer).unwrap()
    }
}

fn login(server: SocketAddr, user: &str) -> String {
    let mut http = Http::connect(server, Ipv4Addr::LOCALHOST);
    let body = serde_json::json!({ "username": user, "password": PASSWORD }).to_string();
    http.json("POST", "/api/v1/login", None, &body)["token"].as_str().unwrap().to_owned()
}

/// The shape of one run.
#[derive(Clone, Copy)]
struct Load {
    consoles: usize,
    pushes_per_second: u32,
    seconds: f64,
}

/// What one console did: each follow's start and end.
type Follows = Vec<(Instant, Instant)>;

fn console(server: SocketAddr, from: Ipv4Addr, token: &str, stop: &AtomicBool, loaded: &AtomicUsize) -> Follows {
    let mut http = Http::connect(server, from);
    let first = http.json("POST", "/api/v1/call/alerts_changed", Some(token), "[0, 0]");
    let mut alerts = first["revision"].as_i64().unwrap();
    let mut since = http.json("GET", "/api/v1/changes?since=0&wait=0", Some(token), "")["revision"].as_u64().unwrap();
    loaded.fetch_add(1, Ordering::Relaxed);
    let mut follows = Vec::new();
    let mut rng = rand::thread_rng();
    while !stop.load(Ordering::Relaxed) {
        let path = format!("/api/v1/changes?since={since}&wait=1");
        let revision = http.json("GET", &path, Some(token), "")["revision"].as_u64().unwrap();
        if revision == since {
            continue;
        }
        since = revision;
        let woke = Instant::now();
        let changes = http.json("POST", "/api/v1/call/alerts_changed", Some(token), &format!("[{alerts}, 0]"));
        let changes = if changes["reload"].as_bool() == Some(true) {
            http.json("POST", "/api/v1/call/alerts_changed", Some(token), "[0, 0]")
        } else {
            changes
        };
        alerts = changes["revision"].as_i64().unwrap();
        follows.push((woke, Instant::now()));
        // As the console: half the pause and a random part of the other half.
        let jitter = Duration::from_millis(rand::Rng::gen_range(&mut rng, 0..=COALESCE.as_millis() as u64 / 2));
        let pause = (COALESCE / 2 + jitter).saturating_sub(woke.elapsed());
        std::thread::sleep(pause);
    }
    follows
}

/// Pushes one event every `every` through `server` until the time is up; returns when each was sent and
/// when its answer came.
fn pusher(
    server: SocketAddr,
    token: &str,
    events: &[serde_json::Value],
    tag: &str,
    every: Duration,
    until: Instant,
) -> Vec<(Instant, Instant)> {
    let mut http = Http::connect(server, Ipv4Addr::LOCALHOST);
    let mut answered = Vec::new();
    let start = Instant::now();
    for i in 0.. {
        let due = start + every * i;
        if due >= until {
            break;
        }
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let mut event = events[i as usize % events.len()].clone();
        event["case_no"] = serde_json::Value::String(format!("{tag}-{i:07}"));
        let sent = Instant::now();
        let (status, body) = http.request("POST", "/api/v1/events", Some(token), &event.to_string());
        assert_eq!(status, 200, "push: {}", String::from_utf8_lossy(&body));
        answered.push((sent, Instant::now()));
    }
    answered
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1e3
}

/// One setup under the load; prints its row of the table.
fn run(name: &str, servers: &[Server], load: Load, events: &[serde_json::Value], tag: &str, postgres: bool) {
    let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let token = login(addrs[0], "supervisor1");
    let push_token = login(addrs[0], "supervisor2");
    let stop = Arc::new(AtomicBool::new(false));
    let loaded = Arc::new(AtomicUsize::new(0));
    let consoles: Vec<_> = (0..load.consoles)
        .map(|i| {
            let (server, token, stop, loaded) = (addrs[i % addrs.len()], token.clone(), stop.clone(), loaded.clone());
            let from = Ipv4Addr::new(127, 0, 1 + (i / 250) as u8, 1 + (i % 250) as u8);
            std::thread::Builder::new()
                .name(format!("console-{i}"))
                .stack_size(256 * 1024)
                .spawn(move || console(server, from, &token, &stop, &loaded))
                .unwrap()
        })
        .collect();
    // The consoles' first full load is not part of the figures: the load starts when every console has it.
    let deadline = Instant::now() + Duration::from_secs(120);
    while loaded.load(Ordering::Relaxed) < load.consoles {
        assert!(Instant::now() < deadline, "the consoles did not load within 120 s");
        std::thread::sleep(Duration::from_millis(10));
    }
    let cpu_before: Vec<f64> = servers.iter().map(|s| cpu_seconds(s.child.id())).collect();
    let pg_before = if postgres { postgres_cpu() } else { 0.0 };
    let own_before = cpu_seconds(std::process::id());
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(load.seconds);
    // The alert page, sampled ten times a second.
    let page_server = addrs[0];
    let page_token = token.clone();
    let sampler = std::thread::spawn(move || {
        let mut http = Http::connect(page_server, Ipv4Addr::new(127, 0, 2, 1));
        let body = r#"[{"include_inactive": false, "case_no": null, "at": null, "limit": 100}]"#;
        let mut took = Vec::new();
        let mut next = Instant::now();
        while Instant::now() < until {
            let t = Instant::now();
            let (status, answer) = http.request("POST", "/api/v1/call/alerts", Some(&page_token), body);
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
            took.push(t.elapsed());
            next += Duration::from_millis(100);
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
        took
    });
    let pushers_n = addrs.len().max(2);
    let every = Duration::from_secs_f64(pushers_n as f64 / f64::from(load.pushes_per_second));
    let pushers: Vec<_> = (0..pushers_n)
        .map(|k| {
            let (server, token, events, tag) =
                (addrs[k % addrs.len()], push_token.clone(), events.to_vec(), format!("{tag}{k}"));
            std::thread::spawn(move || pusher(server, &token, &events, &tag, every, until))
        })
        .collect();
    let mut pushes: Vec<(Instant, Instant)> = pushers.into_iter().flat_map(|p| p.join().unwrap()).collect();
    let elapsed = started.elapsed().as_secs_f64();
    let cpu: f64 = servers.iter().zip(&cpu_before).map(|(s, before)| cpu_seconds(s.child.id()) - before).sum();
    let pg_cpu = if postgres { postgres_cpu() - pg_before } else { 0.0 };
    let own_cpu = cpu_seconds(std::process::id()) - own_before;
    // Let the consoles take the last pushes in, then stop them.
    std::thread::sleep(Duration::from_secs(2));
    stop.store(true, Ordering::Relaxed);
    let follows: Vec<Follows> = consoles.into_iter().map(|c| c.join().unwrap()).collect();
    let mut page = sampler.join().unwrap();
    page.sort();
    let mut follow_times: Vec<Duration> = follows.iter().flatten().map(|(a, b)| *b - *a).collect();
    follow_times.sort();
    // Reload delay: for each push, until every console has finished a follow that started after its
    // answer. A console whose counter had already moved for it (the change is announced at the commit,
    // a moment before the answer) took it in with a follow that started between sending and answering:
    // that one counts, ending no earlier than the answer.
    pushes.sort();
    let mut delays = Vec::new();
    let mut missed = 0usize;
    for (sent, answered) in &pushes {
        let mut worst = Duration::ZERO;
        for console in &follows {
            let after = console.partition_point(|(start, _)| start < answered);
            let during = after.checked_sub(1).and_then(|i| console.get(i)).filter(|(start, _)| start >= sent);
            match console.get(after).or(during) {
                Some((_, end)) => worst = worst.max(end.saturating_duration_since(*answered)),
                None => missed += 1,
            }
        }
        delays.push(worst);
    }
    delays.sort();
    let follows_n: usize = follows.iter().map(Vec::len).sum();
    println!(
        "| {name} | {} | {:.0}/s | {:.1} / {:.1} | {:.1} / {:.1} | {:.0} / {:.0} / {:.0} | {:.2} | {} | {:.2} | {:.0}/s |",
        load.consoles,
        pushes.len() as f64 / elapsed,
        percentile(&page, 0.50),
        percentile(&page, 0.99),
        percentile(&follow_times, 0.50),
        percentile(&follow_times, 0.99),
        percentile(&delays, 0.50),
        percentile(&delays, 0.99),
        delays.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1e3),
        cpu / elapsed,
        if postgres { format!("{:.2}", pg_cpu / elapsed) } else { "—".into() },
        own_cpu / elapsed,
        follows_n as f64 / elapsed,
    );
    assert_eq!(missed, 0, "{name}: a console never took {missed} pushes in");
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let load = if full {
        Load { consoles: 200, pushes_per_second: 100, seconds: 20.0 }
    } else {
        Load { consoles: 20, pushes_per_second: 20, seconds: 3.0 }
    };
    let work = tempfile::tempdir().unwrap();
    let hall = work.path().join("hall");
    let made = Command::new(exe())
        .arg("--data-dir")
        .arg(&hall)
        .args(["demo", "--no-footage"])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(made.status.success(), "jiancha demo: {}", String::from_utf8_lossy(&made.stderr));
    let events: Vec<serde_json::Value> = std::fs::read_to_string(hall.join("import/events.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

    // PostgreSQL: Debian's server in a throw-away cluster; the hall moved into two databases.
    let mut cluster = pg::Cluster::start();
    let mut urls = Vec::new();
    for db in ["city_one", "city_two"] {
        let url = cluster.database(db);
        let moved = Command::new(exe())
            .arg("--data-dir")
            .arg(&hall)
            .args(["migrate", "--to", &url])
            .env("PGPASSWORD", pg::PASSWORD)
            .output()
            .unwrap();
        assert!(moved.status.success(), "migrate: {}", String::from_utf8_lossy(&moved.stderr));
        urls.push(url);
    }

    println!(
        "city: {} consoles following, {} case events pushed a second, {:.0} s per setup (2 cores, loopback)",
        load.consoles, load.pushes_per_second, load.seconds
    );
    println!(
        "| setup | consoles | pushes | alert page p50 / p99 ms | follow p50 / p99 ms | every console reloaded p50 / p99 / max ms | server CPU (cores) | PostgreSQL CPU | consoles' CPU | follows |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    {
        let server = serve(&hall, None, "", "sqlite.log");
        run("SQLite, 1 server", std::slice::from_ref(&server), load, &events, "SQL", false);
    }
    {
        let server = serve(&hall, Some(&urls[0]), pg::PASSWORD, "pg1.log");
        run("PostgreSQL, 1 server", std::slice::from_ref(&server), load, &events, "PG1", true);
    }
    {
        let a = serve(&hall, Some(&urls[1]), pg::PASSWORD, "pg2a.log");
        let b = serve(&hall, Some(&urls[1]), pg::PASSWORD, "pg2b.log");
        run("PostgreSQL, 2 servers", &[a, b], load, &events, "PG2", true);
    }
}

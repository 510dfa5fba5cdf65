//! The remote backend when things go wrong: the server killed in the middle of a session and started
//! again with the console's outbox replayed exactly once; an expired token; HTTPS with a hall's own
//! certificate authority; a county server forwarding pushes to the city's; headless commands with
//! `--backend`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::discipline::{ObservationSource, Week};
use jiancha::store::outbox::Outbox;
use jiancha::store::remote::{Connection, RemoteStore};
use jiancha::store::{AlertQuery, AuditQuery, NewObservation, Store, StoreError};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn demo_hall(clock: Arc<FixedClock>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::support::demo_hall::write_demo(dir.path(), 11, jiancha::clock::Clock::now(&*clock));
    dir
}

/// Clients made here directly need the TLS provider the program installs for its own.
fn http() -> reqwest::blocking::Client {
    jiancha::server::tls::install_crypto();
    reqwest::blocking::Client::new()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `jiancha serve` as its own process, waited for until it answers.
fn serve(dir: &Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .args([
            "--data-dir",
            dir.to_str().unwrap(),
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--relay",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let http = http();
    while Instant::now() < deadline {
        if http.get(format!("http://127.0.0.1:{port}/api/v1/health")).send().is_ok_and(|r| r.status().is_success()) {
            return child;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("jiancha serve did not come up on port {port}");
}

fn observation(note: &str) -> NewObservation {
    NewObservation {
        observed_at: t("2026-11-26T10:00:00+08:00"),
        category: "离岗".into(),
        source: ObservationSource::Manual,
        camera_id: None,
        window_code: Some("B07".into()),
        staff_no: None,
        department: None,
        evidence_id: None,
        clip: None,
        note: note.into(),
    }
}

fn count_notes(store: &dyn Store, session: &jiancha::store::Session, note: &str) -> usize {
    let week = Week::of(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
    store.observations(session, week.monday, week.sunday()).unwrap().iter().filter(|o| o.note == note).count()
}

#[test]
fn the_server_killed_mid_session_gets_the_outbox_exactly_once_after_it_restarts() {
    let hall = demo_hall(Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00"))));
    let port = free_port();
    let mut server = serve(hall.path(), port);
    let url = format!("http://127.0.0.1:{port}");
    let console_dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(Outbox::open(&console_dir.path().join("outbox.db")).unwrap());
    let console = RemoteStore::new(&url).unwrap().with_outbox(outbox.clone());
    let s = console.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    console.add_observation(&s, &observation("online")).unwrap();
    // An alert a supervisor may close (time-driven ones resolve by themselves; the server's own clock
    // keeps them current, so which are open depends on today's date).
    let alert =
        console.alerts(&s, &AlertQuery::default()).unwrap().into_iter().find(|a| a.rule.needs_closing()).unwrap();
    let complaints_before = console.complaints(&s).unwrap().len();

    // The server dies in the middle of the session.
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(matches!(console.alerts(&s, &AlertQuery::default()), Err(StoreError::Unreachable(_))));
    // What the supervisor does meanwhile is kept, in order.
    let queued = console.add_observation(&s, &observation("offline"));
    assert!(matches!(queued, Err(StoreError::Queued(_))), "{queued:?}");
    assert!(matches!(console.close_alert(&s, alert.id, "处理完毕（离线时）"), Err(StoreError::Queued(_))));
    let complaint = jiancha::store::NewComplaint {
        received_at: t("2026-11-27T09:00:00+08:00"),
        channel: jiancha::domain::model::ComplaintChannel::Phone,
        complainant: "离线登记".into(),
        contact: "13800000000".into(),
        content: "窗口无人".into(),
        case_no: None,
        hall_code: None,
        window_code: Some("B07".into()),
        staff_no: None,
        department: None,
    };
    assert!(matches!(console.register_complaint(&s, &complaint), Err(StoreError::Queued(_))));
    assert_eq!(outbox.len(), 3);
    // A console that restarts meanwhile still has them (the outbox is a file).
    drop(console);
    let console = RemoteStore::new(&url).unwrap().with_outbox(outbox.clone());
    assert_eq!(console.outbox().unwrap().len(), 3);

    // The server comes back; the session is still valid; the outbox goes out once.
    let mut server = serve(hall.path(), port);
    let report = console.flush_outbox(&s).unwrap();
    assert_eq!(report.sent.len(), 3, "{report:?}");
    assert!(report.sent.iter().all(|e| e.refused.is_none()), "{report:?}");
    assert_eq!(report.left, 0);
    assert!(outbox.is_empty());
    assert_eq!(console.flush_outbox(&s).unwrap().sent.len(), 0, "nothing is sent twice");
    assert_eq!(count_notes(&console, &s, "offline"), 1);
    assert_eq!(count_notes(&console, &s, "online"), 1);
    let closed = console.alerts(&s, &AlertQuery { include_inactive: true, ..AlertQuery::default() }).unwrap();
    assert!(closed.iter().any(|a| a.id == alert.id && a.state == jiancha::store::AlertState::Closed));
    assert_eq!(console.complaints(&s).unwrap().len(), complaints_before + 1);

    // An answer lost on the way back: the same key sent again gets the first answer, nothing is redone.
    let http = http();
    let send = || {
        http.post(format!("{url}/api/v1/call/add_observation"))
            .bearer_auth(&s.token)
            .header(jiancha::server::IDEMPOTENCY_HEADER, "test-key-0123456789abcdef")
            .header("content-type", "application/json")
            .body(serde_json::to_string(&(observation("lost answer"),)).unwrap())
            .send()
            .unwrap()
    };
    let first = send();
    assert_eq!(first.status().as_u16(), 200);
    assert!(first.headers().get(jiancha::server::REPLAYED_HEADER).is_none());
    let first: serde_json::Value = first.json().unwrap();
    let again = send();
    assert_eq!(again.headers().get(jiancha::server::REPLAYED_HEADER).unwrap(), "true");
    assert_eq!(again.json::<serde_json::Value>().unwrap(), first);
    assert_eq!(count_notes(&console, &s, "lost answer"), 1);
    // The same key for another call is a conflict, not a silent success.
    let reused = http
        .post(format!("{url}/api/v1/call/close_alert"))
        .bearer_auth(&s.token)
        .header(jiancha::server::IDEMPOTENCY_HEADER, "test-key-0123456789abcdef")
        .body("[1, \"x\"]")
        .send()
        .unwrap();
    assert_eq!(reused.status().as_u16(), 409);

    // The audit log names the user and the workstation (the console's host and address).
    let auditor = console.login("auditor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let log = console
        .audit_log(&auditor, &AuditQuery { actor: Some("supervisor1".into()), limit: 20, ..AuditQuery::default() })
        .unwrap();
    // Newest first: this session's records (the demo's older ones were written on this machine).
    let mine: Vec<&str> = log.iter().take(5).map(|r| r.workstation.as_str()).collect();
    assert!(mine.iter().all(|w| w.contains("127.0.0.1")), "{mine:?}");
    let verified = console.verify_audit(&auditor).unwrap();
    assert!(verified.first_bad.is_none(), "{verified:?}");
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn an_expired_token_gets_401_and_the_wrong_role_403() {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let hall = demo_hall(clock.clone());
    let store = crate::support::backend::open_dir(hall.path(), clock.clone());
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let http = http();
    let remote = RemoteStore::new(&server.url()).unwrap();
    let s = remote.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let call = |method: &str| {
        http.post(format!("{}/api/v1/call/{method}", server.url())).bearer_auth(&s.token).body("[]").send().unwrap()
    };
    assert_eq!(call("directory").status().as_u16(), 200);
    assert_eq!(call("users").status().as_u16(), 403);
    clock.advance(chrono::Duration::hours(13));
    let expired = call("directory");
    assert_eq!(expired.status().as_u16(), 401);
    assert!(expired.text().unwrap().contains("session_expired"));
    assert!(matches!(remote.directory(&s), Err(StoreError::SessionExpired)));
}

/// A certificate authority of the hall's own and a server certificate for 127.0.0.1 signed by it.
fn hall_ca(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Jiancha test hall CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    let paths = (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

#[test]
fn https_with_the_halls_own_certificate_authority() {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let hall = demo_hall(clock.clone());
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = hall_ca(certs.path());
    let store = crate::support::backend::open_dir(hall.path(), clock);
    let options = jiancha::server::ServeOptions { tls: Some((cert.clone(), key.clone())), ..Default::default() };
    let server = jiancha::server::spawn_with(Arc::new(store), "127.0.0.1:0".parse().unwrap(), &options).unwrap();
    assert!(server.url().starts_with("https://"));
    // Trusting the hall's authority: everything works.
    let trusted = RemoteStore::connect(&Connection { url: server.url(), ca_cert: Some(ca) }).unwrap();
    let s = trusted.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    assert!(!trusted.alerts(&s, &AlertQuery::default()).unwrap().is_empty());
    // Without it the certificate is refused: no password crosses.
    let untrusted = RemoteStore::new(&server.url()).unwrap();
    let refused = untrusted.login("supervisor1", jiancha::demo::DEMO_PASSWORD);
    assert!(matches!(refused, Err(StoreError::Unreachable(_))), "{refused:?}");
    // Plain HTTP to the TLS port gets nowhere either.
    let plain = RemoteStore::new(&server.url().replace("https://", "http://")).unwrap();
    assert!(plain.login("supervisor1", jiancha::demo::DEMO_PASSWORD).is_err());
    // A key that does not fit is an error naming the file.
    let other = tempfile::tempdir().unwrap();
    let (_, cert2, _) = hall_ca(other.path());
    let bad = jiancha::server::tls::server_config(&cert2, &key).unwrap_err();
    assert!(bad.contains("server.pem"), "{bad}");
}

#[test]
fn a_county_server_forwards_pushed_events_to_the_city() {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let city_dir = demo_hall(clock.clone());
    let county_dir = demo_hall(clock.clone());
    let city = jiancha::server::spawn(
        Arc::new(crate::support::backend::open_dir(city_dir.path(), clock.clone())),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap();
    let forward = jiancha::server::forward::ForwardTo {
        upstream: Connection { url: city.url(), ca_cert: None },
        username: "supervisor2".into(),
        password: jiancha::demo::DEMO_PASSWORD.into(),
    };
    let options =
        jiancha::server::ServeOptions { forward: Some((county_dir.path().to_owned(), forward)), ..Default::default() };
    let county = jiancha::server::spawn_with(
        Arc::new(crate::support::backend::open_dir(county_dir.path(), clock)),
        "127.0.0.1:0".parse().unwrap(),
        &options,
    )
    .unwrap();
    let line = std::fs::read_to_string(county_dir.path().join("import/events.jsonl")).unwrap();
    let mut event: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    event["case_no"] = serde_json::Value::String("COUNTY-0001".into());
    let to_county = RemoteStore::new(&county.url()).unwrap();
    let s = to_county.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let answer = to_county.push_events(&s, &event.to_string()).unwrap();
    assert_eq!(answer.accepted, 1);
    let at_city = RemoteStore::new(&city.url()).unwrap();
    let cs = at_city.login("chief1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while at_city.case_detail(&cs, "COUNTY-0001").is_err() {
        assert!(Instant::now() < deadline, "the city never got the county's case");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The city's audit log says who forwarded it.
    let log = at_city
        .audit_log(
            &at_city.login("auditor1", jiancha::demo::DEMO_PASSWORD).unwrap(),
            &AuditQuery {
                actor: Some("supervisor2".into()),
                action_prefix: Some("import".into()),
                limit: 5,
                ..AuditQuery::default()
            },
        )
        .unwrap();
    assert!(!log.is_empty());
    assert!(county_dir.path().join(jiancha::server::forward::FORWARD_OUTBOX_FILE).exists());
    // Issue 28: the county's audit chain head goes up too, and is kept at the city, outside the county's
    // database: the county's history up to it can be checked against it.
    let auditor = at_city.login("auditor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let received = loop {
        let anchors = at_city.audit_anchors(&auditor, 10).unwrap();
        if let Some(a) = anchors.into_iter().next() {
            break a;
        }
        assert!(Instant::now() < deadline, "the city never got the county's chain head");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(received.source, "SP-CITY", "the county's hall: {received:?}");
    assert_eq!(received.received_by, "supervisor2");
    let county_auditor = to_county.login("auditor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    assert!(to_county.check_audit_anchor(&county_auditor, &received.anchor).unwrap(), "the county's history holds it");
    assert!(to_county.verify_audit(&county_auditor).unwrap().first_bad.is_none());
}

#[test]
fn headless_commands_work_against_a_server() {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let hall = demo_hall(clock.clone());
    let store = crate::support::backend::open_dir(hall.path(), clock);
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let run = |args: &[&str], user: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jiancha"));
        cmd.args(["--data-dir", empty.path().to_str().unwrap(), "--backend", &server.url()]);
        if let Some(u) = user {
            cmd.args(["--user", u]).env("JIANCHA_PASSWORD", jiancha::demo::DEMO_PASSWORD);
        }
        cmd.args(args).env_remove("JIANCHA_BACKEND").output().unwrap()
    };
    let out = run(&["alerts", "--at", "2026-11-27T10:30:00+08:00", "--format", "json"], Some("supervisor1"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rows.is_empty());
    // The empty local directory got no database: the data came from the server.
    assert!(!empty.path().join("jiancha.db").exists());
    let out = run(&["cases", "list", "--limit", "3", "--format", "json"], Some("chief1"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Without --user there is nobody to be on the server.
    let out = run(&["alerts"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--user"));
    // A wrong role is refused with the server's words.
    let out = run(&["users", "list"], Some("supervisor1"));
    assert_eq!(out.status.code(), Some(2));
    // The backend may also come from the workstation's settings.
    std::fs::write(empty.path().join("workstation.toml"), format!("[backend]\nurl = \"{}\"\n", server.url())).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .args(["--data-dir", empty.path().to_str().unwrap(), "--user", "supervisor1", "cases", "list", "--limit", "1"])
        .env("JIANCHA_PASSWORD", jiancha::demo::DEMO_PASSWORD)
        .env_remove("JIANCHA_BACKEND")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A bad setting names the file and the key.
    std::fs::write(empty.path().join("workstation.toml"), "[backend]\nurl = \"ftp://x\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .args(["--data-dir", empty.path().to_str().unwrap(), "--user", "supervisor1", "cases", "list"])
        .env_remove("JIANCHA_BACKEND")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("workstation.toml") && err.contains("backend.url"), "{err}");
}

/// One request over a raw connection; the status line and the whole answer.
fn raw_request(stream: &mut std::net::TcpStream, request: &str) -> String {
    use std::io::{Read as _, Write as _};
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn availability_silent_clients_do_not_stall_the_tls_handshakes_of_others() {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let hall = demo_hall(clock.clone());
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = hall_ca(certs.path());
    let store = crate::support::backend::open_dir(hall.path(), clock);
    // A minute's grace for a handshake: were handshakes taken one after another, the silent clients
    // below would hold everyone else for minutes.
    let limits = jiancha::server::limits::Limits { handshake_timeout: Duration::from_secs(60), ..Default::default() };
    let options = jiancha::server::ServeOptions { tls: Some((cert, key)), limits, ..Default::default() };
    let server = jiancha::server::spawn_with(Arc::new(store), "127.0.0.1:0".parse().unwrap(), &options).unwrap();
    let silent: Vec<_> = (0..5).map(|_| std::net::TcpStream::connect(server.addr).unwrap()).collect();
    wait_for_connections(&server, 5);
    let started = Instant::now();
    let remote = RemoteStore::connect(&Connection { url: server.url(), ca_cert: Some(ca) }).unwrap();
    let s = remote.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    assert!(!remote.alerts(&s, &AlertQuery::default()).unwrap().is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "served while five clients sat silent in their handshakes ({:?})",
        started.elapsed()
    );
    drop(silent);
}

#[test]
fn availability_connections_per_client_are_limited_and_freed_when_closed() {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let hall = demo_hall(clock.clone());
    let store = crate::support::backend::open_dir(hall.path(), clock);
    let limits = jiancha::server::limits::Limits { per_client_connections: 4, ..Default::default() };
    let options = jiancha::server::ServeOptions { limits, ..Default::default() };
    let server = jiancha::server::spawn_with(Arc::new(store), "127.0.0.1:0".parse().unwrap(), &options).unwrap();
    let health = format!("GET /api/v1/health HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n", server.addr);
    let held: Vec<_> = (0..4).map(|_| std::net::TcpStream::connect(server.addr).unwrap()).collect();
    wait_for_connections(&server, 4);
    // The fifth is closed without an answer.
    let mut fifth = std::net::TcpStream::connect(server.addr).unwrap();
    fifth.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let answer = raw_request(&mut fifth, &health);
    assert_eq!(answer, "", "a fifth connection from the same address is closed");
    // Another address of this machine has places of its own.
    let other = std::net::SocketAddr::from(([127, 0, 0, 2], 0));
    let socket = socket_from(other, server.addr);
    let mut socket = socket;
    assert!(raw_request(&mut socket, &health).starts_with("HTTP/1.1 200"), "another client is served");
    drop(held);
    wait_for_connections(&server, 0);
    let mut again = std::net::TcpStream::connect(server.addr).unwrap();
    assert!(raw_request(&mut again, &health).starts_with("HTTP/1.1 200"), "closed connections free their places");
}

/// Waits until the server holds `n` connections open (it counts them as its accept task admits or
/// closes them), with a deadline.
fn wait_for_connections(server: &jiancha::server::ServerHandle, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.open_connections() != n {
        assert!(Instant::now() < deadline, "the server holds {} connections, not {n}", server.open_connections());
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A connection to `to` from the local address `from` (another loopback address, say).
fn socket_from(from: std::net::SocketAddr, to: std::net::SocketAddr) -> std::net::TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
    runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(from).unwrap();
        let stream = socket.connect(to).await.unwrap();
        let stream = stream.into_std().unwrap();
        stream.set_nonblocking(false).unwrap();
        stream
    })
}

#[test]
fn availability_one_client_s_request_rate_is_limited_with_retry_after() {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let hall = demo_hall(clock.clone());
    let store = crate::support::backend::open_dir(hall.path(), clock);
    // The default limits: 200 a second with bursts of 400 for any address but the machine's own.
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let from = |ip: [u8; 4]| {
        jiancha::server::tls::install_crypto();
        reqwest::blocking::Client::builder().local_address(std::net::IpAddr::from(ip)).build().unwrap()
    };
    let (neighbour, local) = (from([127, 0, 0, 2]), from([127, 0, 0, 1]));
    let url = format!("{}/api/v1/health", server.url());
    let mut refused = None;
    for i in 0..1500 {
        let r = neighbour.get(&url).send().unwrap();
        if r.status().as_u16() == 429 {
            refused = Some((i, r));
            break;
        }
        assert_eq!(r.status().as_u16(), 200);
    }
    let (at, answer) = refused.expect("a client sending as fast as it can is slowed down");
    assert!(at >= 400, "the burst of 400 is served first ({at})");
    let retry: u64 = answer.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    let body: serde_json::Value = answer.json().unwrap();
    assert_eq!(body["error"], "refused", "{body}");
    assert!(body["detail"].as_str().unwrap().contains("at most 200 a second"), "{body}");
    // Everyone else is still served, the server's own machine unmetered.
    for _ in 0..500 {
        assert_eq!(local.get(&url).send().unwrap().status().as_u16(), 200);
    }
}

#[test]
fn availability_only_known_host_names_are_answered() {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let hall = demo_hall(clock.clone());
    let store = crate::support::backend::open_dir(hall.path(), clock);
    let limits =
        jiancha::server::limits::Limits { host_names: vec!["jiancha.hall.local".into()], ..Default::default() };
    let options = jiancha::server::ServeOptions { limits, ..Default::default() };
    let server = jiancha::server::spawn_with(Arc::new(store), "127.0.0.1:0".parse().unwrap(), &options).unwrap();
    let ask = |host: &str| {
        let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
        raw_request(&mut stream, &format!("GET /api/v1/health HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n"))
    };
    for host in [server.addr.to_string(), "localhost:8730".into(), "jiancha.hall.local:8730".into()] {
        assert!(ask(&host).starts_with("HTTP/1.1 200"), "{host}");
    }
    // A web page whose name was pointed at the server (DNS rebinding) gets nothing.
    let rebound = ask("attacker.example:8730");
    assert!(rebound.starts_with("HTTP/1.1 421"), "{rebound}");
    assert!(rebound.contains("--host-name"), "{rebound}");
    let login = "POST /api/v1/login HTTP/1.1\r\nhost: attacker.example\r\ncontent-type: application/json\r\n\
         content-length: 2\r\nconnection: close\r\n\r\n{}";
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    assert!(raw_request(&mut stream, login).starts_with("HTTP/1.1 421"), "not even a login");
}

/// Issue 28, "starving the server": a silent socket, a half-sent head and a half-sent body are closed
/// within the limits' timeouts; strangers filling the global cap leave room for the addresses the
/// server knows (its own machine, those a user logged in from).
#[test]
fn availability_silent_and_slow_clients_are_closed_and_strangers_leave_room_for_known_clients() {
    use std::io::{Read as _, Write as _};
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let hall = demo_hall(clock.clone());
    let store = crate::support::backend::open_dir(hall.path(), clock);
    let store = Arc::new(store);
    let limits = jiancha::server::limits::Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let options = jiancha::server::ServeOptions { limits, ..Default::default() };
    let server = jiancha::server::spawn_with(store.clone(), "127.0.0.1:0".parse().unwrap(), &options).unwrap();
    // Reads until the server closes the connection (or 20 s, a failure): what it said.
    let until_closed = |stream: &mut std::net::TcpStream| -> (String, Duration) {
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let started = Instant::now();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        (answer, started.elapsed())
    };
    let mut silent = std::net::TcpStream::connect(server.addr).unwrap();
    let (said, after) = until_closed(&mut silent);
    assert!(after < Duration::from_secs(10), "a silent socket is closed ({after:?})");
    assert!(said.is_empty() || said.starts_with("HTTP/1.1 408"), "{said}");
    let mut half_head = std::net::TcpStream::connect(server.addr).unwrap();
    half_head.write_all(b"POST /api/v1/login HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-ty").unwrap();
    let (_, after) = until_closed(&mut half_head);
    assert!(after < Duration::from_secs(10), "a half-sent head is closed ({after:?})");
    let mut half_body = std::net::TcpStream::connect(server.addr).unwrap();
    half_body
        .write_all(
            b"POST /api/v1/login HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"user",
        )
        .unwrap();
    let (said, after) = until_closed(&mut half_body);
    assert!(after < Duration::from_secs(10), "a half-sent body is closed ({after:?})");
    assert!(said.starts_with("HTTP/1.1 408"), "{said}");

    drop(server);

    // Strangers from two addresses fill the six places (three each) and sit silent.
    let limits = jiancha::server::limits::Limits {
        max_connections: 6,
        per_client_connections: 3,
        reserved_for_known: 2,
        header_timeout: Duration::from_secs(60),
        ..Default::default()
    };
    let options = jiancha::server::ServeOptions { limits, ..Default::default() };
    let server = jiancha::server::spawn_with(store, "127.0.0.1:0".parse().unwrap(), &options).unwrap();
    let strangers: Vec<std::net::TcpStream> = [[127, 0, 0, 3], [127, 0, 0, 4]]
        .iter()
        .flat_map(|ip| (0..3).map(move |_| *ip))
        .map(|ip| socket_from(std::net::SocketAddr::from((ip, 0)), server.addr))
        .collect();
    let health = format!("GET /api/v1/health HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n", server.addr);
    // Every place taken (the accept task admits in order): a seventh stranger is closed without an
    // answer …
    let mut stranger = socket_from(std::net::SocketAddr::from(([127, 0, 0, 5], 0)), server.addr);
    stranger.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    assert_eq!(raw_request(&mut stranger, &health), "", "the cap holds for strangers");
    // … while this machine (the recorder, a console here) still gets in.
    let mut known = std::net::TcpStream::connect(server.addr).unwrap();
    known.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    assert!(raw_request(&mut known, &health).starts_with("HTTP/1.1 200"), "a known client is served past the cap");
    drop(strangers);
}

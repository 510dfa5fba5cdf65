//! Figures for case monitoring: the alert engine over 1,000,000 synthetic cases, the open-alert query
//! on a database of 1,000,000 cases, the server's alert list under load on loopback (requests per
//! second and p99), the CPU time of one console frame with 100,000 alert rows, and `jiancha backup` /
//! `restore` of the 1,000,000-case database.
//! Run with `cargo bench --bench alerts`; `cargo test --all-targets` only builds it, and the built
//! binary run without `--bench` runs scaled down.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]

use jiancha::store::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::access::Role;
use jiancha::domain::alerts::{self, AlertSettings, CaseInput, Level, Rule};
use jiancha::domain::calendar::Calendar;
use jiancha::domain::model::{CaseEvent, CatalogueItem, Document, Step};
use jiancha::store::sqlite::{DB_FILE, SqlStore};
use jiancha::store::{AlertQuery, AlertRow, AlertState, Session, Store};
use rand::{Rng as _, SeedableRng as _};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00+08:00").unwrap().with_timezone(&Utc)
}

fn item() -> CatalogueItem {
    CatalogueItem {
        code: "SCJG-004".into(),
        name: "食品经营许可".into(),
        department: "市市场监督管理局".into(),
        legal_days: 20,
        promised_days: 10,
        fee_fen: 8000,
        workflow: vec![Step::Accept, Step::Review, Step::Approve, Step::Complete],
        step_limits: vec![Some(1), Some(5), Some(2), Some(2)],
    }
}

/// A case as the approval system sends it: accept, fee, review, approve, complete, evaluate; some
/// are still open, some wait for material, some are late.
fn synthetic_case(rng: &mut rand_chacha::ChaCha8Rng, n: usize) -> Vec<CaseEvent> {
    let day = rng.gen_range(0..700i64);
    let accept = now() - chrono::Duration::days(day) - chrono::Duration::minutes(rng.gen_range(0..600));
    let base = CaseEvent {
        case_no: format!("SP{n:09}"),
        item_code: "SCJG-004".into(),
        hall: Some("SP-CITY".into()),
        window: Some("A01".into()),
        staff_no: Some("S0001".into()),
        step: Step::Accept,
        occurred_at: accept,
        recorded_at: accept,
        documents: vec![Document::AcceptanceSlip],
        applicant: None,
        amount_fen: None,
        rating: None,
        reason: None,
        promised_days: None,
    };
    let mut events = vec![base.clone()];
    let at = |d: i64| accept + chrono::Duration::days(d) + chrono::Duration::minutes(30);
    events.push(CaseEvent {
        step: Step::Fee,
        occurred_at: at(0),
        recorded_at: at(0),
        amount_fen: Some(8000),
        documents: vec![],
        ..base.clone()
    });
    if rng.gen_bool(0.08) {
        events.push(CaseEvent {
            step: Step::SupplementRequest,
            occurred_at: at(1),
            recorded_at: at(1),
            documents: vec![Document::MissingDocsNotice],
            ..base.clone()
        });
        events.push(CaseEvent {
            step: Step::SupplementReceived,
            occurred_at: at(4),
            recorded_at: at(4),
            documents: vec![],
            ..base.clone()
        });
    }
    let stretch = if rng.gen_bool(0.05) { 9 } else { 0 };
    events.push(CaseEvent {
        step: Step::Review,
        occurred_at: at(5),
        recorded_at: at(5),
        documents: vec![],
        window: None,
        ..base.clone()
    });
    events.push(CaseEvent {
        step: Step::Approve,
        occurred_at: at(7),
        recorded_at: at(7),
        documents: vec![],
        window: None,
        ..base.clone()
    });
    if day > 20 && rng.gen_bool(0.97) {
        let done = at(9 + stretch);
        events.push(CaseEvent {
            step: Step::Complete,
            occurred_at: done,
            recorded_at: done,
            documents: vec![],
            ..base.clone()
        });
        if rng.gen_bool(0.93) {
            let e = done + chrono::Duration::minutes(3);
            events.push(CaseEvent {
                step: Step::Evaluate,
                occurred_at: e,
                recorded_at: e,
                rating: Some(5),
                documents: vec![],
                ..base
            });
        }
    }
    events.retain(|e| e.occurred_at <= now());
    events
}

fn engine(full: bool) {
    let calendar = Calendar::official();
    let settings = AlertSettings::default();
    let item = item();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let chunks = if full { 100 } else { 1 };
    let per_chunk = if full { 10_000 } else { 2_000 };
    let mut evaluating = Duration::ZERO;
    let mut findings = 0usize;
    let mut cases = 0usize;
    for chunk in 0..chunks {
        let batch: Vec<Vec<CaseEvent>> =
            (0..per_chunk).map(|i| synthetic_case(&mut rng, chunk * per_chunk + i)).collect();
        let start = Instant::now();
        for events in &batch {
            let input = CaseInput { item: &item, events, evaluations: &[], notices: &[] };
            let result = alerts::evaluate(&input, &calendar, &settings, now());
            findings += result.findings.len();
        }
        evaluating += start.elapsed();
        cases += batch.len();
    }
    let s = evaluating.as_secs_f64();
    println!(
        "engine: {cases} synthetic cases in {s:.3} s on one thread = {:.2} M cases/s ({:.0} ns/case), {findings} findings",
        cases as f64 / s / 1e6,
        s * 1e9 / cases as f64
    );
}

/// Fills a database with `cases` cases straight through SQL (the import path is measured elsewhere),
/// `open_share` of them with an open alert and twice as many resolved ones.
fn big_database(dir: &std::path::Path, cases: usize, open_share: f64) -> (SqlStore, Session) {
    let clock = Arc::new(FixedClock::new(now()));
    let store = SqlStore::open_dir(dir, clock.clone()).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    conn.execute_batch(
        "INSERT INTO hall (code, name) VALUES ('SP-CITY', '四平市政务服务中心');
         INSERT INTO department (hall_code, name, short_name) VALUES ('SP-CITY', '市市场监督管理局', '市场监管');
         INSERT INTO service_window (hall_code, code, name, department_id) VALUES ('SP-CITY', 'A01', 'A01', 1);
         INSERT INTO staff (hall_code, staff_no, name, department_id, window_id) VALUES ('SP-CITY', 'S0001', '张三', 1, 1);
         INSERT INTO item (code, name, department_id, legal_days, promised_days, fee_fen, workflow, step_limits)
           VALUES ('SCJG-004', '食品经营许可', 1, 20, 10, 0, '[\"accept\",\"complete\"]', '[null,null]');",
    )
    .unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    let rules = [Rule::Overdue, Rule::CompletedLate, Rule::StepOverdue, Rule::DeadlinePrompt, Rule::MissingDocument];
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut case = conn
            .prepare("INSERT INTO case_file (case_no, item_code, hall_code, window_id, staff_id, applicant, accepted_at, status, event_count) VALUES (?1, 'SCJG-004', 'SP-CITY', 1, 1, ?2, ?3, 'completed', 5)")
            .unwrap();
        let mut alert = conn
            .prepare("INSERT INTO alert (case_id, rule, alert_key, level, since, resolved_at, explanation) VALUES (?1, ?2, '', ?3, ?4, ?5, ?6)")
            .unwrap();
        for i in 0..cases {
            let accepted = now().timestamp() - rng.gen_range(0..(3 * 365 * 86400));
            case.execute(rusqlite::params![format!("SP{i:09}"), format!("申请人{}", i % 5000), accepted]).unwrap();
            let id = conn.last_insert_rowid();
            let roll: f64 = rng.r#gen();
            if roll < open_share * 3.0 {
                let rule = rules[i % rules.len()];
                let resolved = if roll < open_share { None } else { Some(accepted + 86400 * 12) };
                alert
                    .execute(rusqlite::params![
                        id,
                        rule.as_str(),
                        rule.level().as_str(),
                        accepted + 86400 * 10,
                        resolved,
                        "2026-11-02 受理，承诺 10 个工作日，期限已过仍未办结。"
                    ])
                    .unwrap();
            }
        }
    }
    conn.execute_batch("COMMIT; ANALYZE;").unwrap();
    drop(conn);
    let store = SqlStore::open_dir(dir, clock).unwrap();
    let session = store.system_session();
    (store, session)
}

fn query(full: bool) {
    let dir = tempfile::tempdir().unwrap();
    let cases = if full { 1_000_000 } else { 10_000 };
    let start = Instant::now();
    let (store, session) = big_database(dir.path(), cases, 0.03);
    println!("query: built a database of {cases} cases in {:.1} s", start.elapsed().as_secs_f64());
    let mut best = Duration::MAX;
    let mut rows = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let open = store.alerts(&session, &AlertQuery::default()).unwrap();
        best = best.min(start.elapsed());
        rows = open.len();
    }
    println!("query: open alerts of {cases} cases: {rows} rows in {:.1} ms (best of 5)", best.as_secs_f64() * 1e3);
    let start = Instant::now();
    let counts = store.overview(&session).unwrap().open_alerts;
    println!(
        "query: overview with level counts ({} red, {} orange, {} yellow) in {:.1} ms",
        counts.red,
        counts.orange,
        counts.yellow,
        start.elapsed().as_secs_f64() * 1e3
    );
    let start = Instant::now();
    let r = store.refresh_alerts(&session).unwrap();
    println!(
        "query: time-driven refresh with nothing due: {} cases in {:.2} ms",
        r.evaluated,
        start.elapsed().as_secs_f64() * 1e3
    );
    backup(dir.path(), cases);
}

/// `jiancha backup` and `jiancha restore` of the database just built (the store still open, as under a
/// running server).
fn backup(dir: &std::path::Path, cases: usize) {
    use jiancha::store::sqlite::backup;
    let out = dir.join("backup.db");
    let start = Instant::now();
    let manifest = backup::backup(&dir.join(DB_FILE), &out, now(), "bench").unwrap();
    let took = start.elapsed();
    assert_eq!(manifest.cases, cases as i64);
    let restore_dir = dir.join("restored");
    // A restore checks the copy with the hall's audit key, kept apart from the backups.
    std::fs::create_dir_all(&restore_dir).unwrap();
    std::fs::copy(dir.join("audit.key"), restore_dir.join("audit.key")).unwrap();
    let start = Instant::now();
    let restored = backup::restore(&out, &restore_dir, false, now()).unwrap();
    let restore_took = start.elapsed();
    assert!(restored.replaced.is_none());
    println!(
        "backup: {cases} cases, {:.0} MB: backup (online copy, SHA-256, manifest) {:.2} s; restore (SHA-256, manifest MAC, audit chain and its MACs, schema, copy) {:.2} s",
        manifest.bytes as f64 / 1e6,
        took.as_secs_f64(),
        restore_took.as_secs_f64()
    );
}

/// The server under load: `jiancha serve`'s HTTP API over a database of 1,000,000 cases, driven on
/// loopback by client threads asking for the alert list (the newest 100 open alerts, the page a
/// console shows first) as a logged-in supervisor, each over its own keep-alive connection.
fn server_load(full: bool) {
    let dir = tempfile::tempdir().unwrap();
    let cases = if full { 1_000_000 } else { 10_000 };
    let (store, system) = big_database(dir.path(), cases, 0.03);
    store
        .create_user(
            &system,
            &jiancha::store::NewUser {
                username: "loadtest".into(),
                display_name: "压测".into(),
                role: Role::Supervisor,
                password: "load-test-password".into(),
                halls: Vec::new(),
            },
        )
        .unwrap();
    let open = store.alerts(&system, &AlertQuery::default()).unwrap().len();
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let remote = jiancha::store::remote::RemoteStore::new(&server.url()).unwrap();
    let token = remote.login("loadtest", "load-test-password").unwrap().token;
    let body = serde_json::to_string(&(AlertQuery { limit: 100, ..AlertQuery::default() },)).unwrap();
    let request = format!(
        "POST /api/v1/call/alerts HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    let clients = 8;
    let seconds = if full { 15.0 } else { 1.0 };
    let started = Instant::now();
    let addr = server.addr;
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let request = request.clone().into_bytes();
            std::thread::spawn(move || {
                // A lean HTTP/1.1 keep-alive client (like wrk): the load generator shares the two cores
                // with the server, so it should cost as little as it can.
                let stream = std::net::TcpStream::connect(addr).unwrap();
                stream.set_nodelay(true).unwrap();
                let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                let mut latencies = Vec::new();
                let mut line = String::new();
                let mut body = Vec::new();
                while started.elapsed().as_secs_f64() < seconds {
                    let t = Instant::now();
                    std::io::Write::write_all(&mut writer, &request).unwrap();
                    let mut length = 0usize;
                    let mut first = true;
                    loop {
                        line.clear();
                        std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
                        if first {
                            assert!(line.starts_with("HTTP/1.1 200"), "{line}");
                            first = false;
                        } else if line == "\r\n" {
                            break;
                        } else if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                    }
                    body.resize(length, 0);
                    std::io::Read::read_exact(&mut reader, &mut body).unwrap();
                    assert!(body.starts_with(b"[{"), "a list of alerts");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "server: {cases} cases ({open} open alerts); {clients} clients on loopback for {elapsed:.1} s: {} requests, \
         {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (alert list, newest 100)",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    server.stop();
}

fn synthetic_row(i: usize) -> AlertRow {
    let rule = Rule::ALL[i % Rule::ALL.len()];
    AlertRow {
        id: i as i64 + 1,
        case_no: format!("SP2026{i:07}"),
        rule,
        key: String::new(),
        level: rule.level(),
        since: now() - chrono::Duration::minutes(i as i64),
        resolved_at: None,
        state: AlertState::Open,
        explanation: "2026-11-02 受理，承诺 10 个工作日，期限 2026-11-16；期限已过仍未办结。".into(),
        closed_at: None,
        closed_by: None,
        close_reason: None,
        hall: Some("SP-CITY".into()),
        department: ["市市场监督管理局", "市不动产登记中心", "市税务局"][i % 3].into(),
        window: Some(format!("A{:02}", i % 24 + 1)),
        staff_no: Some(format!("S{:04}", i % 48 + 1)),
        staff_name: Some("张三".into()),
        applicant: Some(format!("四平市某某有限公司{}", i % 1000)),
        item_code: "SCJG-004".into(),
        item_name: "食品经营许可".into(),
        notice_no: None,
    }
}

fn ui_frame(full: bool) {
    use egui_kittest::Harness;
    use jiancha::ui::state::{Area, Screen};
    use jiancha::ui::{FontChoice, JianchaApp, Options};

    let rows = if full { 100_000 } else { 2_000 };
    let dir = tempfile::tempdir().unwrap();
    let font = jiancha::ui::fonts::find_cjk_font().expect("a CJK font");
    let cjk = font.clone();
    let options = Options {
        data_dir: dir.path().to_owned(),
        demo: false,
        user: None,
        clock: Arc::new(FixedClock::new(now())),
        font: FontChoice::Given(font),
        lang: None,
        start_simulator: false,
        backend: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 900.0))
        .with_context_setup(move |ctx| jiancha::ui::fonts::install(ctx, &cjk))
        .build_eframe(move |cc| JianchaApp::new(cc, options).unwrap());
    // Let the worker open the empty database, then put 100,000 alerts in front of the supervisor.
    for _ in 0..200 {
        harness.step();
        if harness.state().state().opened.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    {
        let state = harness.state_mut().state_mut();
        state.session = Some(Session {
            token: "bench".into(),
            username: "supervisor1".into(),
            display_name: "张明".into(),
            role: Role::Supervisor,
            must_change_password: false,
            halls: Vec::new(),
            view: Vec::new(),
        });
        state.screen = Screen::Main;
        state.area = Area::Alerts;
        state.overview = Some(jiancha::store::Overview::default());
        state.last_overview_request = Some(Instant::now());
        state.alerts.rows = (0..rows).map(synthetic_row).collect();
        state.alerts.loaded = true;
        state.alerts.generation += 1;
        state.alerts.last_refresh = Some(Instant::now());
    }
    let start = Instant::now();
    harness.step();
    let first = start.elapsed();
    for _ in 0..10 {
        harness.step();
    }
    let frames = if full { 200 } else { 10 };
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    let mut tessellate = Duration::ZERO;
    for i in 0..frames {
        // Move the pointer so egui has something to react to, as a supervisor's mouse would.
        harness.hover_at(egui::pos2(400.0 + (i % 50) as f32 * 10.0, 300.0 + (i % 20) as f32 * 10.0));
        let start = Instant::now();
        harness.step();
        let frame = start.elapsed();
        let shapes = harness.output().shapes.clone();
        let t = Instant::now();
        let meshes = harness.ctx.tessellate(shapes, 1.0);
        tessellate += t.elapsed();
        assert!(!meshes.is_empty());
        total += frame;
        worst = worst.max(frame);
    }
    let visible = harness.state().state().alerts.visible.len();
    println!(
        "ui: {rows} alert rows ({visible} visible after filtering): first frame (filter + sort) {:.1} ms; then per frame mean {:.2} ms, worst {:.2} ms, tessellation mean {:.2} ms",
        first.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / frames as f64,
        worst.as_secs_f64() * 1e3,
        tessellate.as_secs_f64() * 1e3 / frames as f64
    );
    let level = harness.state().state().alerts.rows[harness.state().state().alerts.visible[0]].level;
    assert_eq!(level, Level::Red, "sorted by severity");
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    // `JIANCHA_BENCH_ONLY=server` (or engine, query, ui) runs that part alone.
    let only = std::env::var("JIANCHA_BENCH_ONLY").ok();
    let run = |part: &str| only.as_deref().is_none_or(|o| o == part);
    if run("engine") {
        engine(full);
    }
    if run("query") {
        query(full);
    }
    if run("server") {
        server_load(full);
    }
    if run("ui") {
        ui_frame(full);
    }
}

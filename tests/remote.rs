//! The remote backend: one conformance suite run against `SqlStore` and against `RemoteStore`
//! talking to a real server on 127.0.0.1; tokens, roles and malformed bodies over HTTP; the push API.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::accountability::{ComplaintStatus, Measure, Subject, ViolationSource};
use jiancha::domain::discipline::{ObservationSource, Week};
use jiancha::domain::footage::{RequestKind, RequestStatus, Span};
use jiancha::store::remote::RemoteStore;
use jiancha::store::{
    AlertQuery, AuditQuery, ComplaintStep, NewFootageRequest, NewObservation, NewViolation, RequestFilter, Store,
    StoreError,
};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Two copies of the same demo hall: one for the local store, one behind the server.
fn halls() -> (tempfile::TempDir, tempfile::TempDir, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let a = tempfile::tempdir().unwrap();
    crate::support::demo_hall::write_demo(a.path(), 11, jiancha::clock::Clock::now(&*clock));
    let b = tempfile::tempdir().unwrap();
    // A consistent copy: checkpoint the WAL first.
    let conn = rusqlite::Connection::open(a.path().join("jiancha.db")).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(conn);
    std::fs::copy(a.path().join("jiancha.db"), b.path().join("jiancha.db")).unwrap();
    // The database's keys go with it (the audit chain's MACs, the sealed camera passwords).
    for key in ["audit.key", "camera.key"] {
        if a.path().join(key).exists() {
            std::fs::copy(a.path().join(key), b.path().join(key)).unwrap();
        }
    }
    (a, b, clock)
}

/// What the console does, through any `Store`; returns a summary that must be the same on both.
fn conformance(store: &dyn Store) -> Vec<String> {
    let mut out = Vec::new();
    let pw = jiancha::demo::DEMO_PASSWORD;
    // Logging in.
    assert!(matches!(store.login("supervisor1", "wrong"), Err(StoreError::BadCredentials)));
    let s = store.login("supervisor1", pw).unwrap();
    assert_eq!(s.username, "supervisor1");
    let chief = store.login("chief1", pw).unwrap();
    let auditor = store.login("auditor1", pw).unwrap();
    // Roles: a supervisor manages no users; an auditor files nothing.
    assert!(matches!(store.users(&s), Err(StoreError::Forbidden { .. })));
    // Reading.
    let dir = store.directory(&s).unwrap();
    out.push(format!("directory {} halls {} windows {} staff", dir.halls.len(), dir.windows.len(), dir.staff.len()));
    let alerts = store.alerts(&s, &AlertQuery::default()).unwrap();
    out.push(format!("alerts {}", alerts.len()));
    let detail = store.case_detail(&s, &alerts[0].case_no).unwrap();
    out.push(format!("case {} events {}", detail.summary.case_no, detail.events.len()));
    let period = store.attendance(&s, NaiveDate::from_ymd_opt(2026, 11, 9).unwrap()).unwrap();
    out.push(format!("ranking {}", period.ranking.staff.len()));
    // Writing: an observation and the week's slips.
    let o = store.add_observation(&s, &NewObservation { note: "conformance".into(), ..sample_observation() }).unwrap();
    out.push(format!("observation {}", o.category));
    let slips = store.issue_slips(&s, Week::of(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())).unwrap();
    out.push(format!("slips {}", slips.len()));
    // A bad category is refused with the same message.
    let bad = store.add_observation(&s, &NewObservation { category: "睡觉".into(), ..sample_observation() });
    assert!(matches!(&bad, Err(StoreError::Invalid(m)) if m.contains("类别")), "{bad:?}");
    // The complaint workflow; the contact is masked for a supervisor, shown to the chief.
    let c = store
        .register_complaint(
            &s,
            &jiancha::store::NewComplaint {
                received_at: t("2026-11-27T09:00:00+08:00"),
                channel: jiancha::domain::model::ComplaintChannel::Phone,
                complainant: "测试".into(),
                contact: "138****0000".into(),
                content: "conformance".into(),
                case_no: None,
                hall_code: None,
                window_code: Some("B07".into()),
                staff_no: None,
                department: None,
            },
        )
        .unwrap();
    assert_ne!(c.contact, "138****0000");
    let seen = store.complaints(&chief).unwrap().into_iter().find(|x| x.complaint_no == c.complaint_no).unwrap();
    assert_eq!(seen.contact, "138****0000");
    let accepted =
        store.advance_complaint(&s, &c.complaint_no, &ComplaintStep::Accept { note: String::new() }).unwrap();
    assert_eq!(accepted.status, ComplaintStatus::Accepted);
    out.push(format!("complaint {} due {:?}", c.complaint_no, accepted.due));
    // Violations and a decision by the chief (a supervisor may not).
    let dir_staff = dir.staff.iter().find(|p| p.window.as_deref() == Some("B04")).unwrap().staff_no.clone();
    let v = store
        .record_violation(
            &s,
            &NewViolation {
                item: "11(6)".into(),
                subject: Subject::Staff,
                staff_no: Some(dir_staff),
                department: None,
                source: ViolationSource::Video,
                occurred_at: t("2026-11-26T11:00:00+08:00"),
                description: "conformance".into(),
                case_no: None,
                alert_id: None,
                observation_id: Some(o.id),
                complaint_no: None,
                evidence_id: None,
            },
        )
        .unwrap();
    assert!(matches!(store.decide_violation(&s, v.id, &[Measure::Admonition], ""), Err(StoreError::Forbidden { .. })));
    let decided = store.decide_violation(&chief, v.id, &[Measure::WrittenSelfCriticism], "ok").unwrap();
    out.push(format!("decision {:?} flag {}", decided.violation.decisions[0].measures, decided.flag.is_some()));
    // Footage: a request, not approvable by its author, approved by the chief.
    let span = Span::new(t("2026-11-24T10:30:00+08:00"), t("2026-11-24T10:50:00+08:00"));
    let r = store
        .request_footage(
            &s,
            &NewFootageRequest {
                cameras: vec![12],
                span,
                purpose: "conformance".into(),
                kind: RequestKind::View,
                second_person: None,
                case_no: None,
                complaint_no: None,
            },
        )
        .unwrap();
    assert!(matches!(store.decide_footage(&s, r.id, true, ""), Err(StoreError::Refused(_))));
    let approved = store.decide_footage(&chief, r.id, true, "").unwrap();
    assert_eq!(approved.status, RequestStatus::Approved);
    out.push(format!("requests {}", store.footage_requests(&s, RequestFilter::Mine).unwrap().len()));
    // The auditor verifies the chain that all of this extended.
    let verified = store.verify_audit(&auditor).unwrap();
    assert!(verified.first_bad.is_none());
    let log = store
        .audit_log(&auditor, &AuditQuery { action_prefix: Some("violation".into()), limit: 10, ..Default::default() })
        .unwrap();
    out.push(format!("audit violation records {}", log.len()));
    store.logout(&s).unwrap();
    assert!(matches!(store.directory(&s), Err(StoreError::SessionExpired)), "logged out");
    out
}

fn sample_observation() -> NewObservation {
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
        note: String::new(),
    }
}

#[test]
fn the_conformance_suite_gives_the_same_results_locally_and_over_http() {
    let (a, b, clock) = halls();
    let local = crate::support::backend::open_dir(a.path(), clock.clone());
    let here = conformance(&local);
    let behind = crate::support::backend::open_dir(b.path(), clock);
    let server = jiancha::server::spawn(Arc::new(behind), "127.0.0.1:0".parse().unwrap()).unwrap();
    let remote = RemoteStore::new(&server.url()).unwrap();
    let there = conformance(&remote);
    assert_eq!(here, there);
    assert!(here.len() >= 10, "{here:?}");
}

#[test]
fn tokens_roles_and_malformed_bodies_get_401_403_and_400_naming_the_field() {
    let (a, _b, clock) = halls();
    let store = crate::support::backend::open_dir(a.path(), clock);
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let url = server.url();
    let http = {
        jiancha::server::tls::install_crypto();
        reqwest::blocking::Client::new()
    };
    let post = |path: &str, token: Option<&str>, body: &str| {
        let mut r = http.post(format!("{url}{path}")).header("content-type", "application/json").body(body.to_owned());
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().unwrap();
        (resp.status().as_u16(), resp.text().unwrap())
    };
    // No token, a made-up token.
    assert_eq!(post("/api/v1/call/directory", None, "[]").0, 401);
    let (status, body) = post("/api/v1/call/directory", Some("not-a-token"), "[]");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("session_expired"), "{body}");
    // A real session; the wrong role.
    let (status, body) = post("/api/v1/login", None, r#"{"username":"supervisor1","password":"jiancha-demo"}"#);
    assert_eq!(status, 200, "{body}");
    let session: serde_json::Value = serde_json::from_str(&body).unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    assert_eq!(post("/api/v1/call/directory", Some(&token), "[]").0, 200);
    let (status, body) = post("/api/v1/call/users", Some(&token), "[]");
    assert_eq!(status, 403, "{body}");
    // Malformed bodies name what is wrong.
    let (status, body) = post("/api/v1/login", None, r#"{"username":"supervisor1"}"#);
    assert_eq!(status, 400);
    assert!(body.contains("password"), "{body}");
    let (status, body) = post("/api/v1/call/cancel_slip", Some(&token), r#"["seven", "x"]"#);
    assert_eq!(status, 400);
    assert!(body.contains("slip_id"), "{body}");
    let (status, body) =
        post("/api/v1/call/add_observation", Some(&token), r#"[{"observed_at":"2026-11-26T02:00:00Z"}]"#);
    assert_eq!(status, 400);
    assert!(body.contains("observation") && body.contains("category"), "{body}");
    let (status, body) = post("/api/v1/call/cases", Some(&token), "{not json");
    assert_eq!(status, 400, "{body}");
    assert_eq!(post("/api/v1/call/no_such_method", Some(&token), "[]").0, 404);
    // The OpenAPI document lists every call.
    let doc: serde_json::Value = http.get(format!("{url}/api/v1/openapi.json")).send().unwrap().json().unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/call/decide_violation",
        "/api/v1/events",
        "/api/v1/changes",
        "/api/v1/footage/{access_id}/{segment_id}",
    ] {
        assert!(paths.contains_key(path), "{path}");
    }
    // Every store call, plus login, logout, events, changes, footage (to consoles and between servers),
    // health, the document itself and the 已阅 page of a notification's link.
    assert_eq!(paths.len(), jiancha::store::api::METHODS.len() - jiancha::store::api::SYSTEM_ONLY.len() + 9);
    assert!(paths.contains_key("/r/{code}"));
    assert!(!paths.contains_key("/api/v1/call/add_segment"), "the recorder's calls are not offered to anyone");
    // An auditor only looks: refreshing the alerts is a write.
    let (status, body) = post("/api/v1/login", None, r#"{"username":"auditor1","password":"jiancha-demo"}"#);
    assert_eq!(status, 200, "{body}");
    let auditor: serde_json::Value = serde_json::from_str(&body).unwrap();
    let (status, _) = post("/api/v1/call/refresh_alerts", auditor["token"].as_str(), "[]");
    assert_eq!(status, 403);
    assert_eq!(post("/api/v1/call/refresh_alerts", Some(&token), "[]").0, 200, "a supervisor may");
    // A body over the limit is refused before it is read whole.
    let big = "x".repeat(jiancha::server::BODY_LIMIT + 1);
    assert_eq!(post("/api/v1/call/cases", Some(&token), &big).0, 413);
}

#[test]
fn pushed_events_are_answered_record_by_record_and_alerts_follow_at_once() {
    let (a, _b, clock) = halls();
    let store = crate::support::backend::open_dir(a.path(), clock);
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let remote = Arc::new(RemoteStore::new(&server.url()).unwrap());
    let s = remote.login("supervisor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let line = std::fs::read_to_string(a.path().join("import/events.jsonl")).unwrap();
    // The demo's first line: the acceptance of a case in August, long overdue by now.
    let first: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let mut new = first.clone();
    new["case_no"] = serde_json::Value::String("PUSH-0001".into());
    let mut bad = first.clone();
    bad["case_no"] = serde_json::Value::String("PUSH-0002".into());
    bad["occurred_at"] = serde_json::Value::String("yesterday".into());
    let mut unknown_item = first.clone();
    unknown_item["case_no"] = serde_json::Value::String("PUSH-0003".into());
    unknown_item["item_code"] = serde_json::Value::String("NO-SUCH-ITEM".into());
    assert!(!remote.alerts(&s, &AlertQuery::default()).unwrap().iter().any(|a| a.case_no == "PUSH-0001"));

    // A console waiting for changes hears of the push as soon as it is in.
    let waiting = {
        let remote = remote.clone();
        std::thread::spawn(move || remote.wait_for_change(0, 30))
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    // One known record (pushed again: harmless), one new, one with a bad field, one unknown item.
    let body = serde_json::to_string(&vec![first.clone(), new, bad, unknown_item]).unwrap();
    let answer = remote.push_events(&s, &body).unwrap();
    assert_eq!((answer.received, answer.accepted), (4, 2), "{answer:?}");
    let rejected: Vec<(u64, &str)> = answer.rejected.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(rejected, [(3, "occurred_at"), (4, "item_code")], "{answer:?}");
    let report = answer.report.unwrap();
    assert_eq!((report.inserted, report.unchanged), (1, 1), "{report:?}");
    let revision = waiting.join().unwrap().unwrap();
    assert!(revision >= 1, "the waiting console was told of the change");
    // The new case is there, and so is its alert; the refused ones are not.
    assert!(remote.case_detail(&s, "PUSH-0001").is_ok());
    let alerts = remote.alerts(&s, &AlertQuery::default()).unwrap();
    assert!(alerts.iter().any(|a| a.case_no == "PUSH-0001"), "the overdue pushed case has its alert");
    assert!(matches!(remote.case_detail(&s, "PUSH-0002"), Err(StoreError::NotFound(_))));
    assert!(matches!(remote.case_detail(&s, "PUSH-0003"), Err(StoreError::NotFound(_))));

    // The same push again: everything known, nothing new, and no change to wake anyone.
    let again = remote.push_events(&s, &body).unwrap();
    assert_eq!(again.accepted, 2);
    assert_eq!(again.report.as_ref().map(|r| r.inserted), Some(0));
    assert_eq!(remote.wait_for_change(revision, 0).unwrap(), revision);

    // Nothing usable at all: 422 with the reasons; JSON lines work like an array.
    let http = {
        jiancha::server::tls::install_crypto();
        reqwest::blocking::Client::new()
    };
    let resp = http
        .post(format!("{}/api/v1/events", server.url()))
        .bearer_auth(&s.token)
        .body("{\"case_no\": \"X\"}\nnot json\n")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let answer: jiancha::server::PushAnswer = resp.json().unwrap();
    assert_eq!((answer.received, answer.accepted, answer.rejected.len() >= 2), (2, 0, true), "{answer:?}");
    assert!(answer.rejected.iter().any(|e| e.line == 2 && e.field == "json"), "{answer:?}");

    // Issue 15, "inputs": the counts are true — one good record among 450 the store refuses is
    // written, and `accepted` says 1; an empty push is a 400, not a 200.
    let mut records = vec![];
    let mut good = first.clone();
    good["case_no"] = serde_json::Value::String("PUSH-GOOD".into());
    records.push(good);
    for i in 0..450 {
        let mut r = first.clone();
        r["case_no"] = serde_json::Value::String(format!("PUSH-BAD-{i}"));
        r["item_code"] = serde_json::Value::String("NO-SUCH-ITEM".into());
        records.push(r);
    }
    let answer = remote.push_events(&s, &serde_json::to_string(&records).unwrap()).unwrap();
    assert_eq!((answer.received, answer.accepted), (451, 1), "{:?}", (answer.received, answer.accepted));
    assert!(remote.case_detail(&s, "PUSH-GOOD").is_ok(), "the good one is stored");
    let empty = http.post(format!("{}/api/v1/events", server.url())).bearer_auth(&s.token).body("").send().unwrap();
    assert_eq!(empty.status().as_u16(), 400);

    // `call/import` goes through the same checks as a file or a push: an accept without its window is
    // refused, naming the field, and nothing is stored.
    let mut batch =
        jiancha::interchange::parse(jiancha::interchange::ImportKind::Events, "call", &first.to_string()).unwrap();
    if let jiancha::interchange::Records::Events(events) = &mut batch.records {
        events[0].record.case_no = "CALL-0001".into();
        events[0].record.hall = None;
        events[0].record.window = None;
        events[0].record.staff_no = None;
    }
    let err = remote.import(&s, &batch).unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("required for this step")), "{err:?}");
    assert!(matches!(remote.case_detail(&s, "CALL-0001"), Err(StoreError::NotFound(_))));
}

/// Logs a demo user in over plain HTTP; their bearer token.
fn http_token(http: &reqwest::blocking::Client, url: &str, name: &str) -> String {
    let body = format!(r#"{{"username":"{name}","password":"{}"}}"#, jiancha::demo::DEMO_PASSWORD);
    let r = http.post(format!("{url}/api/v1/login")).header("content-type", "application/json").body(body);
    let v: serde_json::Value = r.send().unwrap().json().unwrap();
    v["token"].as_str().unwrap().to_owned()
}

/// Issue 15, "idempotency answers cross users" and "work before authentication": a remembered answer is
/// its user's and call's; a junk token is refused before its body is read; logins are JSON only; users
/// change their own password over HTTP.
#[test]
fn keys_and_bodies_are_looked_at_only_for_their_authenticated_user() {
    let (a, _b, clock) = halls();
    let store = crate::support::backend::open_dir(a.path(), clock);
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let url = server.url();
    jiancha::server::tls::install_crypto();
    let http = reqwest::blocking::Client::new();
    let login = |name: &str| http_token(&http, &url, name);
    let call = |token: &str, method: &str, key: Option<&str>, body: &str| -> (u16, String) {
        let mut r = http.post(format!("{url}/api/v1/call/{method}")).bearer_auth(token).body(body.to_owned());
        if let Some(k) = key {
            r = r.header("idempotency-key", k);
        }
        let resp = r.send().unwrap();
        (resp.status().as_u16(), resp.text().unwrap())
    };
    let chief = login("chief1");
    let supervisor = login("supervisor1");
    let key = "key-of-the-chief-0001";
    let (status, theirs) = call(&chief, "complaints", Some(key), "[]");
    assert_eq!(status, 200);
    // The same key from another user is another user's call: their own (masked) answer, not the chief's.
    let (status, mine) = call(&supervisor, "complaints", Some(key), "[]");
    assert_eq!(status, 200);
    assert_ne!(theirs, mine, "the chief's unmasked answer is not handed to a supervisor");
    // Reads are answered again, never remembered (issue 28: a remembered read could carry camera
    // passwords, and would skip today's permission check).
    let (_, again) = call(&chief, "complaints", Some(key), "[]");
    assert_eq!(again, theirs);
    let (status, _) = call(&chief, "users", Some(key), "[]");
    assert_eq!(status, 403, "a read under a used key is checked and answered as any read");
    // A write's key: the repeat is the remembered answer; another method under it names no method.
    let write_key = "key-of-the-chief-0003";
    let (status, first) = call(&chief, "refresh_alerts", Some(write_key), "[]");
    assert_eq!(status, 200, "{first}");
    let (status, body) = call(&chief, "close_alert", Some(write_key), r#"[1, "理由"]"#);
    assert_eq!(status, 409);
    assert!(!body.contains("refresh"), "{body}");
    // The same key and method with other arguments is another request: refused, not answered with the
    // first one's result (a client reusing keys would otherwise get stale answers).
    let (status, first) = call(&chief, "close_alert", Some("key-of-the-chief-0002"), r#"[999999, "理由一"]"#);
    assert_eq!(status, 404, "{first}");
    let (status, body) = call(&chief, "close_alert", Some("key-of-the-chief-0002"), r#"[999999, "理由二"]"#);
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("another request"), "{body}");
    let (status, again) = call(&chief, "close_alert", Some("key-of-the-chief-0002"), r#"[ 999999 , "理由一" ]"#);
    assert_eq!((status, again), (404, first), "the same arguments, spaced otherwise, are the same request");
    // A junk token: 401 whatever the key or the body (which is not even read: invalid JSON is not noticed).
    let (status, body) = call("not-a-token", "complaints", Some(key), "[]");
    assert_eq!(status, 401, "{body}");
    assert!(!body.contains("TS2026"), "{body}");
    let (status, _) = call("not-a-token", "cases", None, "{ this is not JSON");
    assert_eq!(status, 401, "authentication comes before parsing");
    // Logins are JSON only.
    let plain = http
        .post(format!("{url}/api/v1/login"))
        .header("content-type", "text/plain")
        .body(format!(r#"{{"username":"supervisor1","password":"{}"}}"#, jiancha::demo::DEMO_PASSWORD))
        .send()
        .unwrap();
    assert_eq!(plain.status().as_u16(), 415);
    // One's own password, over HTTP.
    let remote = RemoteStore::new(&url).unwrap();
    let s = remote.login("supervisor2", jiancha::demo::DEMO_PASSWORD).unwrap();
    let wrong = remote.set_password(&s, "supervisor2", Some("not-the-password"), "a-new-password-1");
    assert!(matches!(wrong, Err(StoreError::Refused(_))), "a stolen token alone changes no password: {wrong:?}");
    remote.set_password(&s, "supervisor2", Some(jiancha::demo::DEMO_PASSWORD), "a-new-password-1").unwrap();
    assert!(remote.login("supervisor2", "a-new-password-1").is_ok());
    let other = remote.set_password(&s, "supervisor1", Some("a-new-password-1"), "a-new-password-1");
    assert!(matches!(other, Err(StoreError::Forbidden { .. })));
    // Issue 15, "availability": an anonymous wait on the change counter is not held open.
    let started = std::time::Instant::now();
    let anonymous = http.get(format!("{url}/api/v1/changes?since=999999&wait=20")).send().unwrap();
    assert_eq!(anonymous.status().as_u16(), 200);
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "answered at once, not after 20 s");
}

/// Issue 15, "inputs": dates at chrono's limits are refused with the argument named — a 422 (they fit
/// the schema's `date` but not the years the system works with), never a panic or a 500 — on every call
/// that takes one; weeks that do not fit the schema's pattern are 400; footage spans at the limits of
/// i64 do not bring the server down either.
#[test]
fn extreme_dates_are_refused_by_name_not_panicked_on() {
    let (a, _b, clock) = halls();
    let store = crate::support::backend::open_dir(a.path(), clock);
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let url = server.url();
    jiancha::server::tls::install_crypto();
    let http = reqwest::blocking::Client::new();
    let token = http_token(&http, &url, "chief1");
    let call = |method: &str, args: &str| -> (u16, String) {
        let r = http.post(format!("{url}/api/v1/call/{method}")).bearer_auth(&token).body(args.to_owned());
        let resp = r.send().unwrap();
        (resp.status().as_u16(), resp.text().unwrap())
    };
    for date in ["-262143-01-01", "+262142-12-31", "1066-10-14"] {
        for (method, args) in [
            ("observations", format!(r#"["{date}", "2026-11-27"]"#)),
            ("daily_check_data", format!(r#"["{date}"]"#)),
            ("attendance", format!(r#"["{date}"]"#)),
            ("attendance_trend", format!(r#"["{date}", 6]"#)),
            ("evaluator_check", format!(r#"["{date}"]"#)),
            ("poor_ratings", format!(r#"["2026-11-01", "{date}"]"#)),
            ("satisfaction", format!(r#"["{date}", "2026-11-27"]"#)),
        ] {
            let (status, body) = call(method, &args);
            assert_eq!(status, 422, "{method} {date}: {body}");
            assert!(body.contains("argument") && !body.contains("panicked"), "{method}: {body}");
        }
    }
    for week in ["-9999-W01", "+262142-W52", "262142-12-31"] {
        for method in ["slips", "issue_slips"] {
            let (status, body) = call(method, &format!(r#"["{week}"]"#));
            // Not a week (400), or a date outside the years (422, the one rule for every argument).
            assert!(status == 400 || (status == 422 && week.contains("-12-")), "{method} {week}: {status} {body}");
            assert!(body.contains("argument"), "{method}: {body}");
        }
    }
    for span in [r#"{"from": -9223372036854775808, "to": 9223372036854775807}"#, r#"{"from": 0, "to": 1}"#] {
        for (method, args) in [
            ("segments", format!("[7, {span}]")),
            ("window_events", format!(r#"["B07", {span}]"#)),
            ("recording_health", format!("[{span}]")),
        ] {
            let (status, body) = call(method, &args);
            assert!(status == 200 || status == 422, "{method} {span}: {status} {body}");
        }
    }
    assert_eq!(call("overview", "[]").0, 200, "the server is still up");
}

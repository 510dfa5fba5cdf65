//! The camera watchers of Art 11(8) on scripted simulator streams, on a hall set up by `init` with a
//! hall file: a covered lens raises `camera_tampered/blocked` after the configured time and resolves
//! when uncovered, a turned camera raises `moved`, a figure away from the seat longer than allowed
//! raises one 离岗 candidate with two snapshots and a shorter absence none; a supervisor confirms a
//! candidate (an observation with the snapshots as evidence, counted as detected) or dismisses one
//! (only with a reason); both audited. The full-length cases (12 and 8 minutes, lunch, a passer-by,
//! dimmed light) are the watcher's own tests on the same scene (`video::watch`).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiancha::clock::Clock;
use jiancha::domain::access::Role;
use jiancha::domain::alerts::RuleBook;
use jiancha::domain::watch::{FindingDecision, FindingKind, Region};
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{AuditQuery, CameraFinding, FindingQuery, NewUser, Store, StoreError};
use jiancha::video::scene::{SEAT, Script};
use jiancha::video::sim::{SimCamera, SimOptions, SimServer};
use jiancha::video::watch_live::{PICTURE, Picture, WatchHost, Which};
use sha2::Digest as _;

const PASSWORD: &str = "correct-horse";

/// Real time moved to a working morning (the streams need time to pass; the rules need opening hours).
struct ShiftedClock(chrono::Duration);

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

fn hall(clock: Arc<dyn Clock>, main: &str, sub: &str) -> (tempfile::TempDir, SqlStore) {
    let dir = tempfile::tempdir().unwrap();
    let file = format!(
        "[hall]\ncode = \"CW\"\nname = \"测试大厅\"\n\n[[department]]\nname = \"市场监管局\"\n\n[[window]]\ncode = \"A01\"\n\
         department = \"市场监管局\"\n\n[[camera]]\nname = \"A01 摄像头\"\nwindow = \"A01\"\nvendor = \"rtsp\"\n\
         main_url = \"{main}\"\nsub_url = \"{sub}\"\n"
    );
    let config = jiancha::interchange::hall::parse("hall.toml", &file).unwrap();
    let admin = NewUser {
        username: "admin".into(),
        display_name: "管理员".into(),
        role: Role::Admin,
        password: PASSWORD.into(),
        halls: Vec::new(),
    };
    let (store, _) =
        jiancha::store::sqlite::init::initialise(dir.path(), clock.clone(), &admin, Some(&config)).unwrap();
    drop(store);
    let store = crate::support::backend::open_dir(dir.path(), clock);
    let a = store.login("admin", PASSWORD).unwrap();
    let sup = NewUser {
        username: "sup".into(),
        display_name: "监察员".into(),
        role: Role::Supervisor,
        password: PASSWORD.into(),
        halls: Vec::new(),
    };
    store.create_user(&a, &sup).unwrap();
    let mut rules = RuleBook::official();
    rules.footage.tamper_seconds = 5;
    rules.footage.absent_seconds = 10;
    store.set_rules(rules);
    (dir, store)
}

fn findings(store: &dyn Store, session: &jiancha::store::Session) -> Vec<CameraFinding> {
    store.camera_findings(session, &FindingQuery::default()).unwrap()
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("{what}: not within {limit:?}");
}

#[test]
fn scripted_cameras_raise_tamper_and_absence_findings_that_supervisors_confirm_or_dismiss() {
    // Wednesday 2 December 2026, 10:00 in the hall.
    let offset = DateTime::parse_from_rfc3339("2026-12-02T10:00:00+08:00").unwrap().with_timezone(&Utc) - Utc::now();
    let clock: Arc<dyn Clock> = Arc::new(ShiftedClock(offset));
    // Covered 10–24 s, turned 34–48 s, away 58–78 s (20 s: more than the allowed 10), away again
    // 92–98 s (6 s: less).
    let script = Script::parse("script.txt", "10s covered 14s\n34s turned 14s\n58s away 20s\n92s away 6s\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let options = SimOptions { scripts: vec![(1, script.clone())], ..Default::default() };
    let sim = SimServer::start(port, &[SimCamera { index: 1, label: "A01".into() }], &options).unwrap();
    let (_dir, sqlite) = hall(clock.clone(), &sim.url(1, false), &sim.url(1, true));
    let system = sqlite.system_session();
    let admin = sqlite.login("admin", PASSWORD).unwrap();
    let sup = sqlite.login("sup", PASSWORD).unwrap();
    let store: Arc<dyn Store> = Arc::new(sqlite);
    let camera = store.camera_streams(&system).unwrap()[0].id;

    // The administrator sets the reference view (the counter as it should be seen) and the seat.
    let reference = Picture {
        width: PICTURE.0,
        height: PICTURE.1,
        rgb: jiancha::video::scene::render_rgb(&Script::default(), 0, PICTURE.0, PICTURE.1),
    };
    let png = reference.png().unwrap();
    assert!(matches!(store.set_camera_reference(&sup, camera, Some(&png)), Err(StoreError::Forbidden { .. })));
    assert!(matches!(store.set_camera_reference(&admin, camera, Some(b"GIF89a")), Err(StoreError::Invalid(_))));
    store.set_camera_reference(&admin, camera, Some(&png)).unwrap();
    let seat = Region { x: SEAT[0], y: SEAT[1], width: SEAT[2], height: SEAT[3] };
    assert!(matches!(
        store.set_camera_seat(&admin, camera, Some(Region { x: 0.9, ..seat })),
        Err(StoreError::Invalid(_))
    ));
    store.set_camera_seat(&admin, camera, Some(seat)).unwrap();
    let config = store.watch_config(&system).unwrap();
    assert_eq!((config.tamper_seconds, config.absent_seconds), (5, 10));
    let watched = &config.cameras[0];
    assert_eq!(watched.reference_sha256.as_deref(), Some(hex::encode(sha2::Sha256::digest(&png)).as_str()));
    assert!(watched.is_open(clock.now()), "10:00 on a Wednesday is within opening hours");

    // The console's watchers (the camera is not recorded: live only).
    // They report as this machine's system actor: detections never come from a caller (issue 28).
    let mut host = WatchHost::new(store.clone(), system.clone(), clock.clone(), Which::LiveOnly);
    assert_eq!(host.refresh().unwrap(), 1);
    // The script's time runs from the watcher's connection (its first client), however long the hall
    // took to set up on a loaded machine.
    let mut started = None;
    wait_for("the watcher's connection", Duration::from_secs(60), || {
        started = sim.script_started();
        started.is_some()
    });
    let started = started.unwrap();

    let of = |kind: FindingKind| findings(&*store, &sup).into_iter().filter(|f| f.kind == kind).collect::<Vec<_>>();
    let limit = Duration::from_secs(150);
    wait_for("the blocked finding", limit, || !of(FindingKind::Blocked).is_empty());
    let at = started.elapsed().as_secs();
    assert!((14..=24).contains(&at), "raised {at} s in: covered at 10 s, allowed 5 s");
    let blocked = of(FindingKind::Blocked).remove(0);
    assert_eq!(blocked.resolved_at, None);
    assert_eq!(blocked.window_code.as_deref(), Some("A01"));
    assert!(blocked.first_snapshot.is_some() && blocked.second_snapshot.is_some(), "before and after: {blocked:?}");
    wait_for("the blocked finding resolved", limit, || of(FindingKind::Blocked)[0].resolved_at.is_some());
    let at = started.elapsed().as_secs();
    assert!((24..=34).contains(&at), "resolved {at} s in: uncovered at 24 s");

    wait_for("the moved finding", limit, || !of(FindingKind::Moved).is_empty());
    let at = started.elapsed().as_secs();
    assert!((38..=48).contains(&at), "raised {at} s in: turned at 34 s");
    wait_for("the moved finding resolved", limit, || of(FindingKind::Moved)[0].resolved_at.is_some());

    wait_for("the absence candidate", limit, || !of(FindingKind::Absent).is_empty());
    let at = started.elapsed().as_secs();
    assert!((68..=80).contains(&at), "raised {at} s in: away at 58 s, allowed 10 s");
    wait_for("the absence ended", limit, || of(FindingKind::Absent)[0].resolved_at.is_some());
    // The short absence (92–98 s) raises nothing: wait past it.
    wait_for("the script's end", limit, || started.elapsed() >= Duration::from_secs(108));
    host.stop();
    let absent = of(FindingKind::Absent);
    assert_eq!(absent.len(), 1, "one candidate for 20 s away, none for 6 s: {absent:?}");
    assert_eq!(of(FindingKind::Blocked).len(), 1);
    assert_eq!(of(FindingKind::Moved).len(), 1);
    let candidate = &absent[0];
    let (first, second) = (candidate.first_snapshot.clone().unwrap(), candidate.second_snapshot.clone().unwrap());
    assert!(first.taken_at < second.taken_at, "a snapshot at the start and one at the end");
    for snapshot in [&first, &second] {
        let bytes = store.watch_snapshot(&sup, snapshot.id).unwrap();
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), snapshot.sha256);
        assert_eq!((snapshot.width, snapshot.height), PICTURE);
    }
    let lasted = candidate.seconds(clock.now());
    assert!((14..=30).contains(&lasted), "away 20 s, counted {lasted} s: {candidate:?}, {:?} in", started.elapsed());

    // Dismissing needs a reason; confirming makes the observation; each once; both audited.
    assert!(matches!(
        store.decide_finding(&sup, blocked.id, FindingDecision::Dismissed, "  "),
        Err(StoreError::Invalid(_))
    ));
    let dismissed = store.decide_finding(&sup, blocked.id, FindingDecision::Dismissed, "保洁擦拭镜头").unwrap();
    assert_eq!((dismissed.decision, dismissed.reason.as_str()), (Some(FindingDecision::Dismissed), "保洁擦拭镜头"));
    let confirmed = store.decide_finding(&sup, candidate.id, FindingDecision::Confirmed, "").unwrap();
    assert!(matches!(
        store.decide_finding(&sup, candidate.id, FindingDecision::Dismissed, "again"),
        Err(StoreError::Conflict(_))
    ));
    let day = jiancha::domain::time::local_date(clock.now());
    let observations = store.observations(&sup, day, day).unwrap();
    let observation = observations.iter().find(|o| Some(o.id) == confirmed.observation_id).unwrap();
    assert_eq!(observation.category, "离岗");
    assert_eq!(observation.finding_id, Some(candidate.id));
    assert_eq!(observation.window_code.as_deref(), Some("A01"));
    assert_eq!(observation.department_name.as_deref(), Some("市场监管局"));
    assert!(observation.clip.is_some(), "the footage range to play");
    assert!(observation.evidence_reference().contains(&format!("自动检测#{}", candidate.id)));
    let stats = jiancha::domain::discipline::statistics(&observations);
    assert_eq!((stats.total, stats.detected), (1, 1));
    let undecided = store.camera_findings(&sup, &FindingQuery { undecided_only: true, ..Default::default() }).unwrap();
    assert_eq!(undecided.len(), 1, "the moved finding is still to decide");

    let audit = |prefix: &str| {
        let query = AuditQuery { action_prefix: Some(prefix.into()), limit: 50, ..Default::default() };
        store.audit_log(&admin, &query).unwrap()
    };
    assert_eq!(audit("watch.confirm").len(), 1);
    let dismissal = audit("watch.dismiss");
    assert_eq!(dismissal.len(), 1);
    assert!(dismissal[0].detail.contains("保洁擦拭镜头"));
    assert_eq!(dismissal[0].actor, "sup");
    assert_eq!(audit("camera.reference").len(), 1);
    assert_eq!(audit("watch.raised").len(), 3);
    sim.stop();
}

#[test]
fn only_watchers_and_supervisors_see_or_report_findings() {
    let clock: Arc<dyn Clock> = Arc::new(jiancha::clock::SystemClock);
    let (_dir, sqlite) = hall(clock, "rtsp://127.0.0.1:9/cam/1", "rtsp://127.0.0.1:9/cam/1/sub");
    let admin = sqlite.login("admin", PASSWORD).unwrap();
    let auditor = NewUser {
        username: "aud".into(),
        display_name: "审计".into(),
        role: Role::Auditor,
        password: PASSWORD.into(),
        halls: Vec::new(),
    };
    sqlite.create_user(&admin, &auditor).unwrap();
    let aud = sqlite.login("aud", PASSWORD).unwrap();
    let camera = sqlite.camera_streams(&admin).unwrap()[0].id;
    let report = jiancha::store::WatchReport::Raised {
        camera_id: camera,
        kind: FindingKind::Blocked,
        since: Utc::now(),
        first: None,
        second: Some(b"not a png at all, and not at all".to_vec()),
    };
    assert!(matches!(sqlite.report_watch(&aud, &report), Err(StoreError::Forbidden { .. })));
    // Issue 28: no person reports a detection, not even an administrator — only this machine's watchers.
    assert!(matches!(sqlite.report_watch(&admin, &report), Err(StoreError::Forbidden { .. })));
    let admin = sqlite.system_session();
    assert!(matches!(sqlite.report_watch(&admin, &report), Err(StoreError::Invalid(_))), "a snapshot must be a PNG");
    assert!(sqlite.camera_findings(&admin, &FindingQuery::default()).unwrap().is_empty(), "nothing half-written");
    let ended = jiancha::store::WatchReport::Ended {
        camera_id: camera,
        kind: FindingKind::Absent,
        at: Utc::now(),
        snapshot: None,
    };
    assert_eq!(sqlite.report_watch(&admin, &ended).unwrap(), None, "nothing open, nothing ended");
    let missing = jiancha::store::WatchReport::Ended {
        camera_id: 999,
        kind: FindingKind::Absent,
        at: Utc::now(),
        snapshot: None,
    };
    assert!(matches!(sqlite.report_watch(&admin, &missing), Err(StoreError::NotFound(_))));
}

#[test]
fn a_finding_on_a_window_without_department_or_staff_is_not_confirmed_and_says_why() {
    let clock: Arc<dyn Clock> = Arc::new(jiancha::clock::FixedClock::new(
        DateTime::parse_from_rfc3339("2026-12-02T10:00:00+08:00").unwrap().with_timezone(&Utc),
    ));
    let dir = tempfile::tempdir().unwrap();
    let file = "[hall]\ncode = \"ND\"\nname = \"测试大厅\"\n\n[[window]]\ncode = \"B01\"\n\n[[camera]]\nname = \"B01 摄像头\"\n\
                window = \"B01\"\nvendor = \"rtsp\"\nmain_url = \"rtsp://127.0.0.1:1/a\"\n";
    let config = jiancha::interchange::hall::parse("hall.toml", file).unwrap();
    let admin = NewUser {
        username: "admin".into(),
        display_name: "管理员".into(),
        role: Role::Admin,
        password: PASSWORD.into(),
        halls: Vec::new(),
    };
    let (store, _) =
        jiancha::store::sqlite::init::initialise(dir.path(), clock.clone(), &admin, Some(&config)).unwrap();
    let a = store.login("admin", PASSWORD).unwrap();
    let sup = NewUser {
        username: "sup".into(),
        display_name: "监察员".into(),
        role: Role::Supervisor,
        password: PASSWORD.into(),
        halls: Vec::new(),
    };
    store.create_user(&a, &sup).unwrap();
    let sup = store.login("sup", PASSWORD).unwrap();
    let camera = store.camera_streams(&store.system_session()).unwrap()[0].id;
    let since = clock.now() - chrono::Duration::minutes(15);
    let report = jiancha::store::WatchReport::Raised {
        camera_id: camera,
        kind: FindingKind::Absent,
        since,
        first: None,
        second: None,
    };
    store.report_watch(&store.system_session(), &report).unwrap();
    let finding = findings(&store, &sup).remove(0);
    let Err(StoreError::Invalid(message)) = store.decide_finding(&sup, finding.id, FindingDecision::Confirmed, "")
    else {
        panic!("confirmed without a department");
    };
    assert!(message.contains("B01") && message.contains("未指定部门"), "{message}");
    let day = jiancha::domain::time::local_date(since);
    assert!(store.observations(&sup, day, day).unwrap().is_empty(), "nothing half-written");
    assert_eq!(findings(&store, &sup)[0].decision, None, "still to decide");
    // Dismissing it still works.
    store.decide_finding(&sup, finding.id, FindingDecision::Dismissed, "窗口未启用").unwrap();
}

#[test]
fn a_candidate_names_the_window_staff_and_their_approved_leave_and_the_observation_is_theirs() {
    use jiancha::interchange::{self, ImportKind};
    let at = DateTime::parse_from_rfc3339("2026-12-02T10:30:00+08:00").unwrap().with_timezone(&Utc);
    let clock: Arc<dyn Clock> = Arc::new(jiancha::clock::FixedClock::new(at));
    let (_dir, store) = hall(clock.clone(), "rtsp://127.0.0.1:1/main", "rtsp://127.0.0.1:1/sub");
    let admin = store.login("admin", PASSWORD).unwrap();
    let sup = store.login("sup", PASSWORD).unwrap();
    let staff = "staff_no,name,department,window,device_user_id\nS0101,李娜,市场监管局,A01,\n";
    store.import(&admin, &interchange::parse(ImportKind::Staff, "staff.csv", staff).unwrap()).unwrap();
    let leave = "staff_no,start,end,kind\nS0101,2026-12-02 09:00:00,2026-12-02 11:00:00,business\n";
    store.import(&admin, &interchange::parse(ImportKind::Leave, "leave.csv", leave).unwrap()).unwrap();
    let camera = store.camera_streams(&store.system_session()).unwrap()[0].id;
    let report = jiancha::store::WatchReport::Raised {
        camera_id: camera,
        kind: FindingKind::Absent,
        since: at - chrono::Duration::minutes(12),
        first: None,
        second: None,
    };
    store.report_watch(&store.system_session(), &report).unwrap();
    let candidate = findings(&store, &sup).remove(0);
    assert_eq!((candidate.staff_no.as_deref(), candidate.staff_name.as_deref()), (Some("S0101"), Some("李娜")));
    assert!(candidate.staff_note.contains("公出"), "{:?}", candidate.staff_note);
    let confirmed = store.decide_finding(&sup, candidate.id, FindingDecision::Confirmed, "").unwrap();
    let day = jiancha::domain::time::local_date(at);
    let observation = store
        .observations(&sup, day, day)
        .unwrap()
        .into_iter()
        .find(|o| Some(o.id) == confirmed.observation_id)
        .unwrap();
    assert_eq!(observation.staff_no.as_deref(), Some("S0101"));
    assert!(observation.note.contains("约 12 分钟") && observation.note.contains("公出"), "{}", observation.note);
}

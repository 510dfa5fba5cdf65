//! Camera health as alarms (设备告警) on a hall set up by `init` with a hall file: a camera the recorder
//! loses for longer than `footage.camera_offline_seconds` during opening hours raises one red
//! `camera_offline` alarm, resolved when the simulator serves it again; lunch breaks and nights do
//! not count; only the local system may report.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiancha::clock::{Clock, FixedClock, SystemClock};
use jiancha::domain::access::Role;
use jiancha::domain::alerts::{Level, RuleBook};
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{CameraRule, NewUser, Store, StoreError};
use jiancha::video::recorder;
use jiancha::video::sim::{SimCamera, SimOptions, SimServer};

const PASSWORD: &str = "correct-horse";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Real time moved to a working morning (the recorder needs time to pass; the rules need a weekday).
struct ShiftedClock(chrono::Duration);

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

fn hall(clock: Arc<dyn Clock>, main: &str, sub: &str) -> (tempfile::TempDir, SqlStore) {
    let dir = tempfile::tempdir().unwrap();
    let file = format!(
        "[hall]\ncode = \"CA\"\nname = \"测试大厅\"\n\n[[window]]\ncode = \"A01\"\n\n[[camera]]\nname = \"A01 摄像头\"\n\
         window = \"A01\"\nvendor = \"rtsp\"\nmain_url = \"{main}\"\nsub_url = \"{sub}\"\n"
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
    store
        .create_user(
            &a,
            &NewUser {
                username: "sup".into(),
                display_name: "监察员".into(),
                role: Role::Supervisor,
                password: PASSWORD.into(),
                halls: Vec::new(),
            },
        )
        .unwrap();
    let mut rules = RuleBook::official();
    rules.footage.camera_offline_seconds = 3;
    store.set_rules(rules);
    (dir, store)
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{what}: not within {limit:?}");
}

#[test]
fn a_camera_lost_during_opening_hours_raises_a_red_alarm_that_resolves_when_it_returns() {
    // Wednesday 2 December 2026, 10:00 in the hall.
    let offset = t("2026-12-02T10:00:00+08:00") - Utc::now();
    let clock: Arc<dyn Clock> = Arc::new(ShiftedClock(offset));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cameras = [SimCamera { index: 1, label: "A01 测试".into() }];
    let sim = SimServer::start(port, &cameras, &SimOptions::default()).unwrap();
    let (dir, sqlite) = hall(clock, &sim.url(1, false), &sim.url(1, true));
    let system = sqlite.system_session();
    let sup = sqlite.login("sup", PASSWORD).unwrap();
    let store: Arc<dyn Store> = Arc::new(sqlite);
    let root = recorder::footage_root(dir.path());
    let camera = store.camera_streams(&system).unwrap()[0].id;
    let rec = recorder::CameraRecorder::start(
        store.clone(),
        system.clone(),
        root,
        camera,
        sim.url(1, true),
        4,
        Arc::new(SystemClock),
    )
    .unwrap();
    let report = || recorder::report_links(&*store, &system, &[rec.status()]);

    wait_for("recording", Duration::from_secs(20), || rec.status().state == recorder::RecorderState::Recording);
    assert!(report().is_empty(), "a camera that records raises nothing");
    assert!(store.camera_alerts(&sup, true).unwrap().is_empty());

    // The cable is pulled.
    sim.stop();
    let lost_at = Instant::now();
    let mut raised = None;
    wait_for("the alarm", Duration::from_secs(30), || {
        for change in report() {
            raised = Some(change.unwrap());
        }
        raised.is_some()
    });
    let alarm = raised.unwrap();
    assert!(
        lost_at.elapsed() >= Duration::from_secs(3),
        "raised after the allowed 3 s, not before: {:?} {alarm:?}",
        lost_at.elapsed()
    );
    assert_eq!((alarm.rule, alarm.level, alarm.resolved_at), (CameraRule::CameraOffline, Level::Red, None));
    assert_eq!(alarm.camera_name, "A01 摄像头");
    assert_eq!(alarm.window_code.as_deref(), Some("A01"));
    assert!(alarm.explanation.contains("A01 摄像头"), "{}", alarm.explanation);
    assert!(alarm.raised_at - alarm.since >= chrono::Duration::seconds(3));
    // One alarm however often the recorder reports.
    std::thread::sleep(Duration::from_secs(1));
    assert!(report().is_empty());
    let open = store.camera_alerts(&sup, true).unwrap();
    assert_eq!(open.len(), 1, "{open:?}");

    // The camera comes back on the same address.
    let sim = SimServer::start(port, &cameras, &SimOptions::default()).unwrap();
    let mut resolved = None;
    wait_for("the alarm resolved", Duration::from_secs(40), || {
        for change in report() {
            resolved = Some(change.unwrap());
        }
        resolved.is_some()
    });
    let resolved = resolved.unwrap();
    assert_eq!(resolved.id, alarm.id);
    assert!(resolved.resolved_at.is_some());
    assert!(store.camera_alerts(&sup, true).unwrap().is_empty());
    let history = store.camera_alerts(&sup, false).unwrap();
    assert_eq!(history.len(), 1, "kept as history: {history:?}");
    rec.stop();
    drop(sim);
}

#[test]
fn lunch_breaks_and_nights_do_not_count_and_only_the_system_reports() {
    let clock = Arc::new(FixedClock::new(t("2026-12-02T11:59:00+08:00")));
    let (_dir, store) = hall(clock.clone(), "rtsp://127.0.0.1:9/cam/1", "rtsp://127.0.0.1:9/cam/1/sub");
    let system = store.system_session();
    let camera = store.camera_streams(&system).unwrap()[0].id;
    // Lost at 11:59; the morning closes at 11:30, so the lunch break is all it spends lost.
    assert!(store.report_camera_link(&system, camera, false, "无法连接摄像头").unwrap().is_none());
    clock.set(t("2026-12-02T12:50:00+08:00"));
    assert!(store.report_camera_link(&system, camera, false, "无法连接摄像头").unwrap().is_none());
    // The afternoon opens at 13:00: lost time counts from then.
    clock.set(t("2026-12-02T13:00:02+08:00"));
    assert!(store.report_camera_link(&system, camera, false, "无法连接摄像头").unwrap().is_none());
    clock.set(t("2026-12-02T13:00:04+08:00"));
    let alarm = store.report_camera_link(&system, camera, false, "无法连接摄像头\u{1b}[31m").unwrap().unwrap();
    assert_eq!(alarm.since, t("2026-12-02T11:59:00+08:00"), "lost since the first report");
    assert!(!alarm.explanation.contains('\u{1b}'), "control characters are dropped: {}", alarm.explanation);
    assert!(store.report_camera_link(&system, camera, true, "").unwrap().unwrap().resolved_at.is_some());
    // A Saturday: closed all day.
    clock.set(t("2026-12-05T10:00:00+08:00"));
    store.report_camera_link(&system, camera, false, "").unwrap();
    clock.set(t("2026-12-05T10:30:00+08:00"));
    assert!(store.report_camera_link(&system, camera, false, "").unwrap().is_none());
    // A supervisor cannot report (the recorder's call), nor can anyone for a camera that does not exist.
    let sup = store.login("sup", PASSWORD).unwrap();
    assert!(matches!(store.report_camera_link(&sup, camera, false, ""), Err(StoreError::Forbidden { .. })));
    assert!(matches!(store.report_camera_link(&system, 999, false, ""), Err(StoreError::NotFound(_))));
}

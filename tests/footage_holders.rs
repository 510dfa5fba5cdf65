//! Issue 32, "footage where it was recorded": a city and two counties on one PostgreSQL database, three
//! servers on distinct loopback addresses (the city 127.0.0.1, GZL 127.0.0.2, LS 127.0.0.3), each
//! county's recorder keeping its footage on its own server's disk. A city supervisor's request on a
//! county camera is decided by a chief whose scope covers it (not the other county's), and its playback
//! and export come from the county's server — byte for byte the county's files, never stored on the
//! city's server. The county server stopped: a clear error naming it, the grant still valid; started
//! again: the same grant plays. The server-to-server door opens to nothing but another server's
//! credential, and then only within the grant.
//!
//! PostgreSQL always (several servers on one database is what it is for): a cluster of its own.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use jiancha::clock::{Clock as _, FixedClock};
use jiancha::domain::access::Role;
use jiancha::domain::footage::{RequestKind, Span, Use};
use jiancha::store::pg::Database;
use jiancha::store::prelude::*;
use jiancha::store::remote::RemoteStore;
use jiancha::store::sqlite::{PeerRequest, SqlStore};
use jiancha::store::{NewFootageRequest, NewUser, StoreError};
use jiancha::video::export::{self, ExportJob, ExportOptions, FootageSource};
use jiancha::video::recorder;

use crate::support::pg::Cluster;

const PASSWORD: &str = "holders-pass-1";
const DB_PASSWORD: &str = "Holders-Db-1";

fn hall_file(code: &str, level: &str, camera: bool) -> String {
    let mut file = format!(
        "[hall]\ncode = \"{code}\"\nname = \"{code} 政务服务中心\"\nlevel = \"{level}\"\n\n\
         [[department]]\nname = \"dept-{code}\"\n\n[[window]]\ncode = \"W-{code}\"\ndepartment = \"dept-{code}\"\n"
    );
    if camera {
        file.push_str(&format!(
            "\n[[camera]]\nname = \"cam-{code}\"\nwindow = \"W-{code}\"\nvendor = \"rtsp\"\nuser = \"admin\"\n\
             main_url = \"rtsp://192.0.2.10/{code}/main\"\n"
        ));
    }
    file
}

/// The footage root's copy of a segment on the server that recorded it.
fn on_disk(dir: &Path, path: &str) -> Vec<u8> {
    std::fs::read(recorder::footage_root(dir).join(path)).unwrap()
}

#[test]
fn a_city_supervisor_plays_and_exports_county_footage_from_the_county_server_that_holds_it() {
    let cluster = Cluster::start();
    cluster.role_and_database("jiancha", DB_PASSWORD, "scram-sha-256", "city");
    let url = cluster.url("jiancha", "city");
    let db = || Database::from_url(&url, &|k| (k == "PGPASSWORD").then(|| DB_PASSWORD.to_owned())).unwrap();
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();

    // The city's server sets the halls and accounts up.
    let city = Arc::new(SqlStore::open_postgres(db(), dirs[0].path(), clock.clone()).unwrap());
    let system = city.system_session();
    for (code, level, camera) in [("SP-CITY", "city", false), ("GZL", "county", true), ("LS", "county", true)] {
        let config = jiancha::interchange::hall::parse("hall.toml", &hall_file(code, level, camera)).unwrap();
        city.apply_hall(&system, &config).unwrap();
    }
    for code in ["GZL", "LS"] {
        city.set_camera_password(&system, code, &format!("cam-{code}"), Some("Cam-Pass-9")).unwrap();
    }
    for (name, role, halls) in [
        ("sup.city", Role::Supervisor, vec![]),
        ("chief.city", Role::Chief, vec![]),
        ("chief.ls", Role::Chief, vec!["LS"]),
        ("chief.gzl", Role::Chief, vec!["GZL"]),
    ] {
        let user = NewUser {
            username: name.into(),
            display_name: name.into(),
            role,
            password: PASSWORD.into(),
            halls: halls.into_iter().map(str::to_owned).collect(),
        };
        city.create_user(&system, &user).unwrap();
    }
    let directory = city.directory(&system).unwrap();
    let camera = |code: &str| directory.cameras.iter().find(|c| c.hall_code == code).unwrap().id;
    let (cam_gzl, cam_ls) = (camera("GZL"), camera("LS"));
    // Every server of the database has the same two keys (the installer copies them).
    for dir in &dirs[1..] {
        for key in ["camera.key", "audit.key"] {
            std::fs::copy(dirs[0].path().join(key), dir.path().join(key)).unwrap();
        }
    }
    city.set_holder("city").unwrap();
    let county = |dir: &Path, name: &str| {
        let store = Arc::new(SqlStore::open_postgres(db(), dir, clock.clone()).unwrap());
        store.set_holder(name).unwrap();
        store
    };
    let (gzl, ls) = (county(dirs[1].path(), "gzl"), county(dirs[2].path(), "ls"));

    // Each county's recorder: 30 s of its camera into its own server's footage directory.
    let start = clock.now() - chrono::Duration::minutes(10);
    for (store, dir, camera, label) in [(&gzl, &dirs[1], cam_gzl, "GZL"), (&ls, &dirs[2], cam_ls, "LS")] {
        let root = recorder::footage_root(dir.path());
        recorder::record_synthetic(
            &**store,
            &store.system_session(),
            &root,
            camera,
            label,
            start,
            Duration::from_secs(30),
            (320, 180, 10),
            10,
        )
        .unwrap();
    }
    let span = Span::new(start, start + chrono::Duration::seconds(30));
    let indexed = city.segments(&system, cam_gzl, span).unwrap();
    assert_eq!(indexed.len(), 3);
    assert!(indexed.iter().all(|s| s.holder.as_deref() == Some("gzl")), "{indexed:?}");
    assert!(city.segments(&system, cam_ls, span).unwrap().iter().all(|s| s.holder.as_deref() == Some("ls")));

    // Three servers on three loopback addresses, each telling the database where it answers.
    let options = jiancha::server::ServeOptions { peers: Some(None), ..Default::default() };
    let serve = |store: &Arc<SqlStore>, ip: &str| {
        let server = jiancha::server::spawn_with(store.clone(), format!("{ip}:0").parse().unwrap(), &options).unwrap();
        store.register_holder(&server.url()).unwrap();
        server
    };
    let city_server = serve(&city, "127.0.0.1");
    let mut gzl_server = Some(serve(&gzl, "127.0.0.2"));
    let _ls_server = serve(&ls, "127.0.0.3");
    let gzl_addr = gzl_server.as_ref().unwrap().addr;

    // The city's console: a request on the GZL camera. LS's chief may not decide it; the city's does.
    let remote = Arc::new(RemoteStore::new(&city_server.url()).unwrap());
    let login = |name: &str| remote.login(name, PASSWORD).unwrap();
    let supervisor = login("sup.city");
    let request = remote
        .request_footage(
            &supervisor,
            &NewFootageRequest {
                cameras: vec![cam_gzl],
                span,
                purpose: "市级调阅县级录像".into(),
                kind: RequestKind::Export,
                second_person: None,
                case_no: None,
                complaint_no: None,
            },
        )
        .unwrap();
    let refused = remote.decide_footage(&login("chief.ls"), request.id, true, "同意");
    assert!(matches!(refused, Err(StoreError::Forbidden { .. } | StoreError::NotFound(_))), "{refused:?}");
    assert!(remote.decide_footage(&login("chief.city"), request.id, true, "同意").is_ok());

    // Playback: every segment comes from GZL's disk, byte for byte, and none lands on the city's.
    let grant = remote.open_footage(&supervisor, request.id, cam_gzl, span, Use::View, None).unwrap();
    assert_eq!(grant.segments.len(), 3);
    let console = tempfile::tempdir().unwrap();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let source = FootageSource::Remote { store: remote.clone(), cache: console.path().join("cache") };
    let mut played = grant.clone();
    let root = source.prepare(&supervisor, &mut played, &cancel, &|_| {}).unwrap();
    for segment in &played.segments {
        let fetched = std::fs::read(root.join(&segment.path)).unwrap();
        let held = on_disk(dirs[1].path(), &segment.path);
        assert_eq!(jiancha::files::sha256_hex(&fetched), jiancha::files::sha256_hex(&held), "{}", segment.path);
        assert!(!recorder::footage_root(dirs[0].path()).join(&segment.path).exists(), "copied to the city");
    }

    // Export: one MP4 from the county's footage, verified.
    let out = console.path().join("usb/gzl.mp4");
    let job = ExportJob {
        request_id: request.id,
        cameras: &[cam_gzl],
        span: None,
        out: &out,
        options: ExportOptions::default(),
    };
    let exported = export::export_request(&*remote, &supervisor, &source, &job, clock.now(), &cancel, &|_| {});
    let exported = exported.unwrap();
    assert!(export::verify(&out).unwrap().intact());
    assert_eq!(exported.sha256, jiancha::files::sha256_file(&out).unwrap());

    // The server-to-server door: nothing without a server's credential, and with one only the grant.
    jiancha::server::tls::install_crypto();
    let http = reqwest::blocking::Client::new();
    let gzl_url = gzl_server.as_ref().unwrap().url();
    let segment = &grant.segments[0];
    let door = |segment_id: i64, authorization: Option<String>, user: &str| {
        let mut r = http
            .get(format!("{gzl_url}/api/v1/peer/footage/{}/{segment_id}", grant.access_id))
            .header(jiancha::server::peer::FOR_HEADER, user);
        if let Some(a) = authorization {
            r = r.header("authorization", a);
        }
        r.send().unwrap().status().as_u16()
    };
    let signed = |user: &str, segment_id: i64| {
        let request = PeerRequest {
            from: "city".into(),
            time: clock.now().timestamp(),
            user: user.into(),
            access_id: grant.access_id,
            segment_id,
            range: String::new(),
        };
        format!("JianchaPeer city:{}:{}", request.time, city.peer_credential(&request).unwrap())
    };
    assert_eq!(door(segment.id, None, "sup.city"), 401, "no credential");
    assert_eq!(door(segment.id, Some(format!("Bearer {}", supervisor.token)), "sup.city"), 401, "a user's token");
    let mut forged = signed("sup.city", segment.id);
    let last = if forged.ends_with('0') { '1' } else { '0' };
    forged.pop();
    forged.push(last);
    assert_eq!(door(segment.id, Some(forged), "sup.city"), 401, "a forged credential");
    assert_eq!(door(segment.id, Some(signed("sup.city", segment.id)), "sup.city"), 200, "the city server's");
    assert_eq!(door(segment.id, Some(signed("sup.city", segment.id)), "chief.city"), 401, "signed for another");
    assert_eq!(door(segment.id, Some(signed("chief.city", segment.id)), "chief.city"), 403, "not the grant's holder");
    let ls_segment = city.segments(&system, cam_ls, span).unwrap()[0].id;
    assert_ne!(door(ls_segment, Some(signed("sup.city", ls_segment)), "sup.city"), 200, "outside the grant");

    // GZL's server stops: a clear error naming it; nothing of the grant is used up.
    gzl_server.take().unwrap().stop();
    let again = tempfile::tempdir().unwrap();
    let fetch_again = || {
        remote.fetch_segment(
            &supervisor,
            grant.access_id,
            grant.span,
            &grant.segments[1],
            &again.path().join("one.ts"),
            &cancel,
        )
    };
    let down = fetch_again();
    match &down {
        Err(e @ StoreError::HolderDown { holder, .. }) => {
            assert_eq!(holder, "gzl");
            assert!(e.to_string().contains("授权仍然有效"), "{e}");
        }
        other => panic!("expected the holder named as down: {other:?}"),
    }
    let status = http
        .get(format!("{}/api/v1/footage/{}/{}", city_server.url(), grant.access_id, grant.segments[1].id))
        .bearer_auth(&supervisor.token)
        .send()
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 503);

    // Started again on its address: the same grant plays.
    let restarted = jiancha::server::spawn_with(gzl.clone(), gzl_addr, &options).unwrap();
    let fetched = fetch_again().unwrap();
    assert_eq!(std::fs::read(again.path().join("one.ts")).unwrap(), on_disk(dirs[1].path(), &fetched.path));
    restarted.stop();
}

//! Issue 32, "live pictures without camera passwords": a server relays its cameras' streams to the
//! consoles of its accounts' halls with a ticket of their session, and never hands a camera's password
//! to a console. Two counties' cameras are simulated RTSP cameras that need their password; the
//! consoles reach them through the relay only. On the backend under test.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::io::{Read as _, Write as _};
use std::sync::Arc;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use jiancha::clock::FixedClock;
use jiancha::domain::access::Role;
use jiancha::store::prelude::*;
use jiancha::store::remote::RemoteStore;
use jiancha::store::{CameraStream, NewUser};
use jiancha::video::sim::{SimCamera, SimOptions, SimServer};

const PASSWORD: &str = "relay-pass-1";
const CAMERA_PASSWORD: &str = "Cam-Only-On-The-Server-7";

/// The status code of an RTSP DESCRIBE of `url` (its credentials sent as basic authentication).
fn describe(url: &str) -> u16 {
    let (bare, user, password) = jiancha::domain::hall::split_credentials(url);
    let authority = bare.trim_start_matches("rtsp://").split('/').next().unwrap().to_owned();
    let mut stream = std::net::TcpStream::connect(&authority).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    let auth = match user {
        Some(u) => format!(
            "Authorization: Basic {}\r\n",
            gstreamer_rtsp_server::RTSPAuth::make_basic(&u, password.as_deref().unwrap_or(""))
        ),
        None => String::new(),
    };
    write!(stream, "DESCRIBE {bare} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n{auth}\r\n").unwrap();
    let mut answer = [0u8; 64];
    let n = stream.read(&mut answer).unwrap();
    let line = String::from_utf8_lossy(&answer[..n]).into_owned();
    line.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("{line:?}"))
}

/// Plays `url` until its first H.264 access unit arrives (20 s at most); the unit's size.
fn first_frame(url: &str) -> usize {
    gst::init().unwrap();
    let escaped = url.replace('"', "\\\"");
    let pipeline = gst::parse::launch(&format!(
        "rtspsrc location=\"{escaped}\" protocols=tcp latency=0 ! rtph264depay ! h264parse ! appsink name=sink sync=false"
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = pipeline.by_name("sink").unwrap().downcast::<gst_app::AppSink>().unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let sample = sink.try_pull_sample(gst::ClockTime::from_seconds(20));
    pipeline.set_state(gst::State::Null).unwrap();
    sample.expect("a frame through the relay within 20 s").buffer().unwrap().size()
}

struct Counties {
    _dir: tempfile::TempDir,
    _cameras: SimServer,
    sim_port: u16,
    store: Arc<jiancha::store::sqlite::SqlStore>,
}

/// Two counties, LS and GZL, each with one camera that needs its password; an account per county and
/// one for the city.
fn counties() -> Counties {
    let options = SimOptions {
        credentials: Some(("admin".into(), CAMERA_PASSWORD.into())),
        fps: Some(10),
        plain: true,
        ..SimOptions::default()
    };
    let cameras = [SimCamera { index: 1, label: "LS".into() }, SimCamera { index: 2, label: "GZL".into() }];
    let sim = SimServer::start(0, &cameras, &options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let store = crate::support::backend::open_dir(dir.path(), clock);
    let system = store.system_session();
    for (hall, index) in [("LS", 1), ("GZL", 2)] {
        let file = format!(
            "[hall]\ncode = \"{hall}\"\nname = \"{hall} 政务服务中心\"\nlevel = \"county\"\n\n\
             [[department]]\nname = \"dept-{hall}\"\n\n[[window]]\ncode = \"W-{hall}\"\ndepartment = \"dept-{hall}\"\n\n\
             [[camera]]\nname = \"cam-{hall}\"\nwindow = \"W-{hall}\"\nvendor = \"rtsp\"\nuser = \"admin\"\n\
             main_url = \"{}\"\nsub_url = \"{}\"\n",
            sim.url(index, false),
            sim.url(index, true)
        );
        let config = jiancha::interchange::hall::parse("hall.toml", &file).unwrap();
        store.apply_hall(&system, &config).unwrap();
        store.set_camera_password(&system, hall, &format!("cam-{hall}"), Some(CAMERA_PASSWORD)).unwrap();
    }
    for (name, halls) in [("sup.ls", vec!["LS"]), ("sup.gzl", vec!["GZL"]), ("sup.city", vec![])] {
        let user = NewUser {
            username: name.into(),
            display_name: name.into(),
            role: Role::Supervisor,
            password: PASSWORD.into(),
            halls: halls.into_iter().map(str::to_owned).collect(),
        };
        store.create_user(&system, &user).unwrap();
    }
    let sim_port = sim.port();
    Counties { _dir: dir, _cameras: sim, sim_port, store: Arc::new(store) }
}

fn streams(remote: &RemoteStore, user: &str) -> Vec<CameraStream> {
    remote.camera_streams(&remote.login(user, PASSWORD).unwrap()).unwrap()
}

#[test]
fn consoles_watch_their_halls_cameras_through_the_relay_and_never_hold_a_camera_password() {
    let c = counties();
    let options = jiancha::server::ServeOptions { relay: Some("127.0.0.1:0".parse().unwrap()), ..Default::default() };
    let server = jiancha::server::spawn_with(c.store.clone(), "127.0.0.1:0".parse().unwrap(), &options).unwrap();
    let relay_port = server.relay_port.unwrap();
    let remote = RemoteStore::new(&server.url()).unwrap();

    let ls = streams(&remote, "sup.ls");
    assert_eq!(ls.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["cam-LS"]);
    let gzl = streams(&remote, "sup.gzl");
    assert_eq!(gzl.len(), 1);
    let city = streams(&remote, "sup.city");
    assert_eq!(city.len(), 2);
    for s in ls.iter().chain(&gzl).chain(&city) {
        let sub = s.sub_url.as_deref().unwrap();
        for url in [s.main_url.as_str(), sub] {
            assert!(!url.contains(CAMERA_PASSWORD), "a camera password went to a console: {}", s.name);
            assert!(url.contains(&format!("127.0.0.1:{relay_port}/relay/{}/", s.id)), "{}", s.name);
            assert!(jiancha::video::relay::is_relayed(url));
        }
    }

    // The county's console plays its camera through the relay (the camera needs the password it
    // never had)…
    assert!(first_frame(ls[0].sub_url.as_deref().unwrap()) > 0);
    assert!(first_frame(&city[1].main_url) > 0);
    // …and cannot reach the camera itself with what it was given.
    assert_eq!(describe(&format!("rtsp://127.0.0.1:{}/cam/1/sub", c.sim_port)), 401, "the camera wants its password");

    // A county's ticket opens its own camera only; no ticket, or a wrong one, opens nothing.
    let ls_ticket_on = |camera: &CameraStream| {
        let (_, user, password) = jiancha::domain::hall::split_credentials(ls[0].sub_url.as_deref().unwrap());
        let (bare, _, _) = jiancha::domain::hall::split_credentials(camera.sub_url.as_deref().unwrap());
        jiancha::domain::hall::with_credentials(&bare, &user.unwrap(), password.as_deref())
    };
    assert_eq!(describe(ls[0].sub_url.as_deref().unwrap()), 200);
    assert_eq!(describe(gzl[0].sub_url.as_deref().unwrap()), 200);
    assert_ne!(describe(&ls_ticket_on(&gzl[0])), 200, "county LS's ticket on county GZL's camera");
    let (bare, user, _) = jiancha::domain::hall::split_credentials(&ls[0].main_url);
    assert_ne!(describe(&bare), 200, "no ticket");
    assert_ne!(describe(&jiancha::domain::hall::with_credentials(&bare, &user.unwrap(), Some("guess"))), 200);
    // A session keeps its ticket; another session gets another.
    let session = remote.login("sup.ls", PASSWORD).unwrap();
    let first = remote.camera_streams(&session).unwrap();
    assert_eq!(remote.camera_streams(&session).unwrap()[0].main_url, first[0].main_url);
    assert_ne!(first[0].main_url, ls[0].main_url);
    assert_eq!(describe(first[0].sub_url.as_deref().unwrap()), 200);
    // Its logout ends the ticket.
    remote.logout(&session).unwrap();
    assert_ne!(describe(first[0].sub_url.as_deref().unwrap()), 200, "a logged-out session's ticket");
    // An account an administrator disables loses its ticket too, without logging out (the server
    // checks the tickets against the sessions every few seconds).
    let system = c.store.system_session();
    let off = jiancha::store::UserChange { active: Some(false), ..Default::default() };
    c.store.update_user(&system, "sup.gzl", &off).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while describe(gzl[0].sub_url.as_deref().unwrap()) == 200 {
        assert!(std::time::Instant::now() < deadline, "a disabled account's ticket still opens its camera");
        std::thread::yield_now();
    }
    assert_eq!(describe(ls[0].sub_url.as_deref().unwrap()), 200, "the others' tickets stand");
}

#[test]
fn a_server_without_the_relay_gives_the_cameras_without_their_passwords() {
    let c = counties();
    let server = jiancha::server::spawn(c.store.clone(), "127.0.0.1:0".parse().unwrap()).unwrap();
    assert!(server.relay_port.is_none());
    let remote = RemoteStore::new(&server.url()).unwrap();
    let city = streams(&remote, "sup.city");
    assert_eq!(city.len(), 2);
    for s in &city {
        assert!(!s.main_url.contains(CAMERA_PASSWORD) && !s.main_url.contains("admin@"), "{}", s.name);
        assert!(s.main_url.starts_with(&format!("rtsp://127.0.0.1:{}/cam/", c.sim_port)));
    }
    // The local store, the recorder's, still opens them.
    let local = c.store.camera_streams(&c.store.system_session()).unwrap();
    assert!(local.iter().all(|s| s.main_url.contains(CAMERA_PASSWORD)));
}

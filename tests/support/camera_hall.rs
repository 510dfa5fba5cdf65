//! A hall set up by `init` with a hall file: four windows with a camera each (stream URLs that answer
//! nothing: footage is recorded synthetically), an administrator, a supervisor `sup` and a chief
//! `chief`; and seconds of each camera recorded at 10 fps.

#![allow(dead_code, reason = "each test file uses part of it")]

use jiancha::store::prelude::*;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jiancha::clock::Clock;
use jiancha::domain::access::Role;
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{NewUser, Store};

pub const PASSWORD: &str = "correct-horse";

/// The hall; returns its directory, the store and the cameras' ids.
pub fn four_cameras(clock: Arc<dyn Clock>) -> (tempfile::TempDir, SqlStore, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let mut file =
        String::from("[hall]\ncode = \"MC\"\nname = \"多路测试大厅\"\n\n[[department]]\nname = \"县政务服务中心\"\n");
    for i in 1..=4 {
        file.push_str(&format!(
            "\n[[window]]\ncode = \"W0{i}\"\ndepartment = \"县政务服务中心\"\n\n[[camera]]\nname = \"W0{i} 摄像头\"\nwindow = \"W0{i}\"\nvendor = \"rtsp\"\n\
             main_url = \"rtsp://127.0.0.1:1/cam{i}\"\nsub_url = \"rtsp://127.0.0.1:1/cam{i}/sub\"\n"
        ));
    }
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
    let a = store.login("admin", PASSWORD).unwrap();
    for (name, role) in [("sup", Role::Supervisor), ("chief", Role::Chief)] {
        store
            .create_user(
                &a,
                &NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    role,
                    password: PASSWORD.into(),
                    halls: Vec::new(),
                },
            )
            .unwrap();
    }
    // The hall as `jiancha init` made it, on the backend under test.
    drop(store);
    let store = crate::support::backend::open_dir(dir.path(), clock);
    let cameras: Vec<i64> = store.camera_streams(&store.system_session()).unwrap().iter().map(|c| c.id).collect();
    assert_eq!(cameras.len(), 4);
    (dir, store, cameras)
}

/// Records `seconds` of every camera from `start` (camera i a further `offsets_ms[i]` later, as real
/// cameras start a few milliseconds apart), 10 fps in 10 s segments.
pub fn record(
    store: &SqlStore,
    dir: &std::path::Path,
    cameras: &[i64],
    start: DateTime<Utc>,
    seconds: u64,
    offsets_ms: [i64; 4],
    size: (u32, u32),
) {
    let system = store.system_session();
    let root = jiancha::video::recorder::footage_root(dir);
    for (i, camera) in cameras.iter().enumerate() {
        jiancha::video::recorder::record_synthetic(
            store,
            &system,
            &root,
            *camera,
            &format!("W0{} 窗口", i + 1),
            start + chrono::Duration::milliseconds(offsets_ms[i]),
            Duration::from_secs(seconds),
            (size.0, size.1, 10),
            10,
        )
        .unwrap();
    }
}

//! Cameras: the list and the simulated RTSP cameras.

use super::*;

#[derive(serde::Serialize)]
pub(super) struct CameraLine {
    id: i64,
    name: String,
    hall: String,
    window: Option<String>,
    department: Option<String>,
    main_url: String,
    sub_url: Option<String>,
}

pub(super) fn cameras_list(ctx: &Ctx, format: Format) -> Result<(), Failure> {
    use crate::domain::model::redact_url;
    let (store, session) = connect(ctx, false)?;
    let dir = store.directory(&session)?;
    let lines: Vec<CameraLine> = dir
        .cameras
        .iter()
        .map(|c| CameraLine {
            id: c.id,
            name: c.name.clone(),
            hall: c.hall_code.clone(),
            window: c.window_code.clone(),
            department: c
                .window_code
                .as_ref()
                .and_then(|w| dir.windows.iter().find(|x| &x.code == w && x.hall_code == c.hall_code))
                .and_then(|w| w.department.clone()),
            main_url: redact_url(&c.main_url),
            sub_url: c.sub_url.as_deref().map(redact_url),
        })
        .collect();
    if format == Format::Json {
        print_json(&lines)?;
    } else {
        for c in &lines {
            println!(
                "{:>3}  {:<14} {:<5} {:<20} {}",
                c.id,
                c.name,
                c.window.as_deref().unwrap_or("—"),
                c.department.as_deref().unwrap_or("—"),
                c.main_url
            );
        }
    }
    Ok(())
}

pub(super) fn cameras_sim(
    data_dir: &Path,
    count: Option<u32>,
    port: u16,
    fps: u32,
    bars: Option<crate::video::yuv::Colour>,
    plain: bool,
    scripts: &[String],
) -> Result<(), Failure> {
    let cameras = crate::demo::sim_cameras(data_dir, count);
    let mut parsed = Vec::new();
    for arg in scripts {
        let Some((index, file)) = arg.split_once(':') else {
            return Err(Failure::from(anyhow::anyhow!(format!(
                "--script {arg:?}: expected CAM:FILE, e.g. 1:leaves.txt"
            ))));
        };
        let index: u32 = index.parse().ok().filter(|i| cameras.iter().any(|c| c.index == *i)).ok_or_else(|| {
            Failure::from(anyhow::anyhow!(format!("--script {arg:?}: {index:?} is not one of the simulated cameras")))
        })?;
        let text = std::fs::read_to_string(file).map_err(|e| Failure::from(anyhow::anyhow!(format!("{file}: {e}"))))?;
        let script = crate::video::scene::Script::parse(file, &text)
            .map_err(|e| Failure::from(anyhow::anyhow!(e.to_string())))?;
        parsed.push((index, script));
    }
    let options = crate::video::sim::SimOptions { fps: Some(fps), bars, plain, scripts: parsed, ..Default::default() };
    let server = crate::video::sim::SimServer::start(port, &cameras, &options)?;
    println!("模拟摄像头已启动 (simulated cameras): {} cameras on 127.0.0.1:{}", cameras.len(), server.port());
    for c in &cameras {
        println!("  {}  {}  (sub: {})", server.url(c.index, false), c.label, server.url(c.index, true));
    }
    println!("Ctrl-C to stop.");
    loop {
        std::thread::park();
    }
}

/// `jiancha cameras passwd NAME`: the password is sealed by the store; it is never printed.
pub(super) fn cameras_passwd(ctx: &Ctx, name: &str, hall: Option<&str>, clear: bool) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let hall = match hall {
        Some(h) => h.to_owned(),
        None => store.hall_config(&session, None)?.hall.code,
    };
    let password = if clear {
        None
    } else {
        Some(secret("JIANCHA_CAMERA_PASSWORD", &format!("{name} 的密码 (camera password): "))?)
    };
    store.set_camera_password(&session, &hall, name, password.as_deref())?;
    if clear {
        println!("password removed for camera {name}");
    } else {
        println!(
            "password set for camera {name} (kept sealed; the data directory's {} is needed to read it)",
            crate::store::sqlite::KEY_FILE
        );
    }
    Ok(())
}

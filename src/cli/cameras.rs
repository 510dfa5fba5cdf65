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

/// The id of the camera `name` (of `hall`, or the only hall).
fn camera_id(store: &dyn Store, session: &Session, name: &str, hall: Option<&str>) -> Result<i64, Failure> {
    let dir = store.directory(session)?;
    dir.cameras.iter().find(|c| c.name == name && hall.is_none_or(|h| c.hall_code == h)).map(|c| c.id).ok_or_else(
        || anyhow::anyhow!("no camera {name:?}{}", hall.map(|h| format!(" in hall {h}")).unwrap_or_default()).into(),
    )
}

/// `jiancha cameras reference NAME`: the camera's picture now becomes its reference view.
pub(super) fn cameras_reference(ctx: &Ctx, name: &str, hall: Option<&str>, clear: bool) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let id = camera_id(&*store, &session, name, hall)?;
    if clear {
        store.set_camera_reference(&session, id, None)?;
        println!("camera {name}: reference view removed");
        return Ok(());
    }
    let stream = store
        .camera_streams(&session)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| anyhow::anyhow!("camera {name:?} has no stream"))?;
    let url = stream.sub_url.clone().unwrap_or_else(|| stream.main_url.clone());
    let (_, png) = crate::video::watch_live::still(&url).map_err(|e| anyhow::anyhow!("camera {name}: {e}"))?;
    store.set_camera_reference(&session, id, Some(&png))?;
    println!("camera {name}: reference view set (SHA-256 {})", crate::files::sha256_hex(&png));
    Ok(())
}

/// `X,Y,W,H` as a region, or why not.
fn parse_region(text: &str) -> Result<crate::domain::watch::Region, Failure> {
    let parts: Vec<f32> =
        text.split(',').map(|p| p.trim().parse::<f32>()).collect::<Result<_, _>>().map_err(|_| {
            anyhow::anyhow!("region {text:?}: expected four numbers X,Y,W,H such as 0.36,0.18,0.28,0.56")
        })?;
    let [x, y, width, height] = parts[..] else {
        return Err(anyhow::anyhow!("region {text:?}: expected four numbers X,Y,W,H, found {}", parts.len()).into());
    };
    Ok(crate::domain::watch::Region { x, y, width, height })
}

pub(super) fn cameras_seat(ctx: &Ctx, name: &str, hall: Option<&str>, region: Option<&str>) -> Result<(), Failure> {
    let seat = region.map(parse_region).transpose()?;
    let (store, session) = connect(ctx, false)?;
    let id = camera_id(&*store, &session, name, hall)?;
    store.set_camera_seat(&session, id, seat)?;
    match seat {
        Some(s) => println!("camera {name}: seat region {},{},{},{}", s.x, s.y, s.width, s.height),
        None => println!("camera {name}: seat region removed"),
    }
    Ok(())
}

pub(super) fn cameras_findings(ctx: &Ctx, undecided: bool, format: Format) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let findings = store
        .camera_findings(&session, &crate::store::FindingQuery { undecided_only: undecided, ..Default::default() })?;
    if format == Format::Json {
        return print_json(&findings);
    }
    if findings.is_empty() {
        println!("没有检测结果 (no camera findings)");
    }
    for f in &findings {
        let state = match (f.decision, f.resolved_at) {
            (Some(d), _) => d.as_str().to_owned(),
            (None, Some(_)) => "ended, undecided".to_owned(),
            (None, None) => "open".to_owned(),
        };
        println!(
            "{:>4}  {:<5} {:<14} {:<16} {}  {:>5} s  {}  {}",
            f.id,
            f.window_code.as_deref().unwrap_or("—"),
            f.camera_name,
            f.kind.label_zh(),
            time::format_local_minutes(f.since),
            f.seconds(ctx.clock.now()),
            state,
            f.staff_note
        );
    }
    Ok(())
}

pub(super) fn cameras_decide(
    ctx: &Ctx,
    id: i64,
    decision: crate::domain::watch::FindingDecision,
    note: &str,
) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let f = store.decide_finding(&session, id, decision, note)?;
    match f.observation_id {
        Some(o) => println!("finding {id}: confirmed as observation {o} ({})", f.kind.category()),
        None => println!("finding {id}: dismissed ({})", f.reason),
    }
    Ok(())
}

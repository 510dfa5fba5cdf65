//! `jiancha footage …` (lookup, requests, decisions, export, verify, holds, health) and
//! `jiancha record` (the recorder service).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDateTime, Utc};
use clap::Subcommand;

use super::{Ctx, Failure, Format, connect, open_configured, print_json};
use crate::domain::footage::{RequestKind, Span};
use crate::domain::time;
use crate::store::{NewFootageRequest, RequestFilter, Store};
use crate::video::export::{self, ExportJob, ExportOptions, Privacy};
use crate::video::recorder;

/// A time as RFC 3339 (`2026-11-24T10:30:00+08:00`) or local Asia/Shanghai (`2026-11-24 10:30[:00]`).
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(time::from_local(local));
        }
    }
    Err(format!("{s:?} is not a time: use 2026-11-24 10:30 (Beijing time) or RFC 3339"))
}

fn parse_privacy(s: &str) -> Result<Privacy, String> {
    let v: Vec<f32> =
        s.split(',').map(|p| p.trim().parse::<f32>()).collect::<Result<_, _>>().map_err(|e| format!("{s:?}: {e}"))?;
    match v[..] {
        [x, y, width, height] if v.iter().all(|f| (0.0..=1.0).contains(f)) => Ok(Privacy { x, y, width, height }),
        _ => Err(format!("{s:?}: expected x,y,width,height as fractions 0–1 of the picture")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    View,
    Export,
}

#[derive(Debug, Subcommand)]
pub enum FootageCommand {
    /// Recorded segments of a camera in a range (what exists; seeing it needs a request).
    List {
        #[arg(long)]
        camera: i64,
        #[arg(long, value_parser = parse_time)]
        from: DateTime<Utc>,
        #[arg(long, value_parser = parse_time)]
        to: DateTime<Utc>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Ask to view (调阅) or copy (拷贝) footage; prints the request id.
    Request {
        #[arg(long, required = true)]
        camera: Vec<i64>,
        #[arg(long, value_parser = parse_time)]
        from: DateTime<Utc>,
        #[arg(long, value_parser = parse_time)]
        to: DateTime<Utc>,
        #[arg(long)]
        purpose: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// The second person (双人调阅), when the hall requires one.
        #[arg(long)]
        second: Option<String>,
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        complaint: Option<String>,
    },
    /// Requests: yours, or (chiefs, auditors) `--pending` / `--all`.
    Requests {
        #[arg(long)]
        pending: bool,
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Approve a request (a chief who is not the requester).
    Approve {
        id: i64,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Refuse a request with a reason.
    Refuse {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Copy footage under an approved export request to FILE (.mp4) with a manifest beside it; with
    /// several cameras, one FILE-cam<id>.mp4 each and one FILE.manifest.json listing them all.
    Export {
        #[arg(long)]
        request: i64,
        #[arg(long)]
        out: PathBuf,
        /// The cameras to copy (repeatable, up to four); default: all of the request's.
        #[arg(long)]
        camera: Vec<i64>,
        /// Narrow the range (default: the whole approved range).
        #[arg(long, value_parser = parse_time)]
        from: Option<DateTime<Utc>>,
        #[arg(long, value_parser = parse_time)]
        to: Option<DateTime<Utc>>,
        /// Burn in the request number, the requester and the export time (re-encodes).
        #[arg(long)]
        watermark: bool,
        /// Black out a rectangle: x,y,width,height as fractions of the picture (re-encodes). Repeatable.
        #[arg(long, value_parser = parse_privacy)]
        privacy: Vec<Privacy>,
    },
    /// Check a clip against its manifest: exit 0 when it matches, 1 when it was changed.
    Verify {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The footage register (调取登记): who took what, when, why and where to.
    Register {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Hold footage (保全): retention keeps it until the hold is lifted.
    Hold {
        #[arg(long)]
        camera: i64,
        #[arg(long, value_parser = parse_time)]
        from: DateTime<Utc>,
        #[arg(long, value_parser = parse_time)]
        to: DateTime<Utc>,
        #[arg(long)]
        reason: String,
    },
    /// Lift a hold (chiefs), with a reason.
    Lift {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Recording health: per camera the last segment, gaps over the last hours, disk use.
    Health {
        #[arg(long, default_value_t = 24)]
        hours: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

pub fn run(ctx: &Ctx, cmd: FootageCommand) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let root = recorder::footage_root(&ctx.data_dir);
    match cmd {
        FootageCommand::List { camera, from, to, format } => {
            let segments = store.segments(&session, camera, Span::new(from, to))?;
            if format == Format::Json {
                print_json(&segments)?;
            } else {
                for s in &segments {
                    println!(
                        "{:>8}  {} – {}  {:>9} bytes  {}",
                        s.id,
                        time::format_local(s.span.start()),
                        time::format_local(s.span.end()),
                        s.bytes,
                        s.path
                    );
                }
                println!("{} segments", segments.len());
            }
        }
        FootageCommand::Request { camera, from, to, purpose, kind, second, case, complaint } => {
            let request = store.request_footage(
                &session,
                &NewFootageRequest {
                    cameras: camera,
                    span: Span::new(from, to),
                    purpose,
                    kind: match kind {
                        KindArg::View => RequestKind::View,
                        KindArg::Export => RequestKind::Export,
                    },
                    second_person: second,
                    case_no: case,
                    complaint_no: complaint,
                },
            )?;
            println!("{}", request.id);
            eprintln!("{} {}，待审批 (pending approval)", request.request_no, request.kind.label_zh());
        }
        FootageCommand::Requests { pending, all, format } => {
            let filter = if all {
                RequestFilter::All
            } else if pending {
                RequestFilter::Pending
            } else {
                RequestFilter::Mine
            };
            let requests = store.footage_requests(&session, filter)?;
            if format == Format::Json {
                print_json(&requests)?;
            } else {
                let now = ctx.clock.now();
                for r in &requests {
                    println!(
                        "{:>5}  {}  {}  {:<6} {}  cameras {:?}  {} – {}  {}",
                        r.id,
                        r.request_no,
                        r.kind.label_zh(),
                        r.state_zh(now),
                        r.requester,
                        r.cameras,
                        time::format_local_minutes(r.span.start()),
                        time::format_local_minutes(r.span.end()),
                        r.purpose
                    );
                }
            }
        }
        FootageCommand::Approve { id, note } => {
            let r = store.decide_footage(&session, id, true, &note)?;
            println!(
                "{} 已批准 (approved) until {}",
                r.request_no,
                r.expires_at.map(time::format_local_minutes).unwrap_or_default()
            );
        }
        FootageCommand::Refuse { id, reason } => {
            let r = store.decide_footage(&session, id, false, &reason)?;
            println!("{} 已拒绝 (refused)", r.request_no);
        }
        FootageCommand::Export { request, out, camera, from, to, watermark, privacy } => {
            let requests = store.footage_requests(&session, RequestFilter::Mine)?;
            let found = requests
                .iter()
                .find(|r| r.id == request)
                .ok_or_else(|| anyhow::anyhow!("footage request {request} is not one of yours"))?;
            let cameras = if camera.is_empty() { found.cameras.clone() } else { camera };
            if cameras.len() > crate::store::MAX_GRANT_CAMERAS {
                return Err(anyhow::anyhow!(
                    "the request names cameras {cameras:?}: choose up to {} with --camera",
                    crate::store::MAX_GRANT_CAMERAS
                )
                .into());
            }
            let span = match (from, to) {
                (None, None) => None,
                (f, t) => Some(Span::new(f.unwrap_or(found.span.start()), t.unwrap_or(found.span.end()))),
            };
            let now = ctx.clock.now();
            let options = ExportOptions {
                watermark: watermark.then(|| {
                    format!("{} {} {}", found.request_no, session.display_name, time::format_local_minutes(now))
                }),
                privacy,
            };
            let cancel = Arc::new(AtomicBool::new(false));
            let flag = cancel.clone();
            let _ = ctrlc_cancel(move || flag.store(true, Ordering::SeqCst));
            let job = ExportJob { request_id: request, cameras: &cameras, span, out: &out, options };
            let shown = std::sync::atomic::AtomicU32::new(u32::MAX);
            let done = export::export_request(
                &*store,
                &session,
                &super::footage_source(ctx, &root)?,
                &job,
                now,
                &cancel,
                &|p| {
                    let percent = (p * 100.0) as u32;
                    if shown.swap(percent, Ordering::Relaxed) != percent {
                        eprint!("\r导出中 (exporting) {percent:>3}%");
                    }
                },
            )
            .map_err(|e| anyhow::anyhow!(e))?;
            eprintln!();
            for c in &done.clips {
                println!("{}", c.path.display());
                eprintln!(
                    "{} camera {}: {} – {} ({} ms after the requested start: the first keyframe), {} bytes, SHA-256 {}",
                    done.request_no,
                    c.camera_id,
                    time::format_local(c.clip.actual.start()),
                    time::format_local(c.clip.actual.end()),
                    c.clip.actual.from - span.unwrap_or(found.span).from,
                    c.clip.bytes,
                    c.clip.sha256
                );
            }
            println!("{}", done.manifest.display());
            eprintln!(
                "manifest: {} (register line {}, SHA-256 {})",
                done.manifest.display(),
                done.register_id,
                done.sha256
            );
        }
        FootageCommand::Verify { file, format } => verify(&file, format)?,
        FootageCommand::Register { limit, format } => {
            let lines = store.footage_register(&session, limit)?;
            if format == Format::Json {
                print_json(&lines)?;
            } else {
                for l in &lines {
                    println!(
                        "{}  {:<12} {}  {}  {} {} – {}  {}  {}{}",
                        time::format_local_minutes(l.at),
                        l.user,
                        match l.action {
                            crate::domain::footage::Use::View => "调阅",
                            crate::domain::footage::Use::Export => "拷贝",
                        },
                        l.request_no,
                        l.camera_name,
                        time::format_local_minutes(l.span.start()),
                        time::format_local_minutes(l.span.end()),
                        l.purpose,
                        l.destination.as_deref().map(|d| format!("→ {d} ")).unwrap_or_default(),
                        l.status
                    );
                }
            }
        }
        FootageCommand::Hold { camera, from, to, reason } => {
            let h = store.place_hold(&session, camera, Span::new(from, to), &reason)?;
            println!("{}", h.id);
        }
        FootageCommand::Lift { id, reason } => {
            store.lift_hold(&session, id, &reason)?;
            println!("hold {id} lifted");
        }
        FootageCommand::Health { hours, format } => {
            let now = ctx.clock.now();
            let span = Span::new(now - chrono::Duration::hours(i64::from(hours.clamp(1, 24 * 90))), now);
            let health = store.recording_health(&session, span)?;
            if format == Format::Json {
                print_json(&health)?;
            } else {
                for c in &health.cameras {
                    let gap_ms: i64 = c.gaps.iter().map(|g| g.millis()).sum();
                    println!(
                        "{:>4} {:<24} last {}  {:>6} segments  {:>8.1} MB  not recorded {:.1} h of {hours} h",
                        c.camera_id,
                        c.camera_name,
                        c.last_end.map(time::format_local_minutes).unwrap_or_else(|| "—".into()),
                        c.segments,
                        c.bytes as f64 / 1e6,
                        gap_ms as f64 / 3.6e6
                    );
                }
                println!("total {:.1} MB", health.total_bytes as f64 / 1e6);
            }
        }
    }
    Ok(())
}

/// `footage verify` needs no database: a clip and its manifest.
/// `footage verify FILE`: a clip against the manifest beside it, or every clip of a set manifest.
pub fn verify(file: &Path, format: Format) -> Result<(), Failure> {
    let checked =
        if export::is_set_manifest(file) { export::verify_set(file) } else { export::verify(file).map(|v| vec![v]) }
            .map_err(|e| Failure { code: 2, error: e.into() })?;
    let json = |v: &export::Verification| {
        serde_json::json!({
            "clip": v.clip, "manifest": v.manifest, "request_no": v.request_no, "intact": v.intact(),
            "expected_sha256": v.expected_sha256, "actual_sha256": v.actual_sha256,
            "expected_bytes": v.expected_bytes, "actual_bytes": v.actual_bytes,
        })
    };
    if format == Format::Json {
        match checked.as_slice() {
            [one] => print_json(&json(one))?,
            many => print_json(&many.iter().map(json).collect::<Vec<_>>())?,
        }
    } else {
        for v in &checked {
            if v.intact() {
                println!(
                    "一致 (matches its manifest): {} {} SHA-256 {}",
                    v.clip.display(),
                    v.request_no,
                    v.actual_sha256
                );
            } else {
                println!(
                    "不一致 (changed): {} — manifest SHA-256 {} ({} bytes), file {} ({} bytes)",
                    v.clip.display(),
                    v.expected_sha256,
                    v.expected_bytes,
                    v.actual_sha256,
                    v.actual_bytes
                );
            }
        }
    }
    if checked.iter().all(export::Verification::intact) {
        Ok(())
    } else {
        Err(Failure { code: 1, error: anyhow::anyhow!("a clip does not match its manifest") })
    }
}

/// Calls `f` on Ctrl-C (SIGINT) or SIGTERM, from a watcher thread.
pub(super) fn ctrlc_cancel(f: impl Fn() + Send + 'static) -> Result<(), std::io::Error> {
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM])?;
    std::thread::Builder::new().name("jiancha-signals".into()).spawn(move || {
        if signals.forever().next().is_some() {
            f();
        }
    })?;
    Ok(())
}

/// What `jiancha record` records.
pub struct Recording {
    /// Only these cameras (none: all).
    pub cameras: Vec<i64>,
    /// Only the cameras of these halls (none: all).
    pub halls: Vec<String>,
    /// The sub stream instead of the main stream.
    pub sub: bool,
    /// Run the camera watchers of Art 11(8) too.
    pub watch: bool,
}

/// `jiancha record`: reconcile the index with the files, then record every camera (or the ones
/// given) until interrupted, applying retention every ten minutes. With a server's settings file, into
/// its database, the footage kept as held by its `name`.
pub fn record(ctx: &Ctx, config: &crate::settings::ServerFile, what: Recording, poll: Duration) -> Result<(), Failure> {
    config.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let Recording { cameras, halls, sub, watch } = what;
    let data_dir = ctx.data_dir.as_path();
    let sqlite = Arc::new(open_configured(ctx, config, false)?);
    if !halls.is_empty() {
        let known = crate::store::AdminStore::directory(&*sqlite, &sqlite.system_session())?;
        if let Some(unknown) = halls.iter().find(|h| !known.halls.iter().any(|k| &k.code == *h)) {
            return Err(anyhow::anyhow!("--hall {unknown}: no such hall in the database").into());
        }
    }
    let sqlite_session = sqlite.system_session();
    // The recorder holds the database: it keeps the time-driven alerts on time too.
    let _alert_clock = crate::store::sqlite::AlertClock::start(sqlite.clone(), crate::store::sqlite::AlertClock::EVERY)
        .context("starting the alert clock")?;
    let store: Arc<dyn Store> = sqlite;
    let root = recorder::footage_root(data_dir);
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    let reconciled = recorder::reconcile(&*store, &sqlite_session, &root).map_err(|e| anyhow::anyhow!(e))?;
    if !reconciled.indexed.is_empty() || !reconciled.removed.is_empty() {
        eprintln!(
            "恢复 (recovered): {} files indexed ({} cut after their last whole frame), {} empty files removed",
            reconciled.indexed.len(),
            reconciled.repaired.len(),
            reconciled.removed.len()
        );
    }
    let segment_seconds = crate::settings::rule_book(data_dir)?.footage.segment_seconds;
    let start = |id: i64, url: String| {
        recorder::CameraRecorder::start(
            store.clone(),
            sqlite_session.clone(),
            root.clone(),
            id,
            url,
            segment_seconds,
            ctx.clock.clone(),
        )
    };
    // The cameras to record: every active one (or those asked for), by id, with the URL to open.
    let wanted = || -> Result<Vec<(i64, String)>, crate::store::StoreError> {
        let in_halls: Option<Vec<i64>> = (!halls.is_empty())
            .then(|| {
                Ok::<_, crate::store::StoreError>(
                    store
                        .directory(&sqlite_session)?
                        .cameras
                        .into_iter()
                        .filter(|c| halls.contains(&c.hall_code))
                        .map(|c| c.id)
                        .collect(),
                )
            })
            .transpose()?;
        Ok(store
            .camera_streams(&sqlite_session)?
            .into_iter()
            .filter(|c| cameras.is_empty() || cameras.contains(&c.id))
            .filter(|c| in_halls.as_ref().is_none_or(|ids| ids.contains(&c.id)))
            .map(|c| {
                let url = if sub { c.sub_url.unwrap_or(c.main_url) } else { c.main_url };
                (c.id, url)
            })
            .collect())
    };
    let mut recorders: Vec<(i64, String, recorder::CameraRecorder)> = Vec::new();
    for (id, url) in wanted()? {
        let r = start(id, url.clone()).map_err(|e| anyhow::anyhow!(e))?;
        recorders.push((id, url, r));
    }
    eprintln!("录像中 (recording) {} cameras into {} — Ctrl-C to stop", recorders.len(), root.display());
    // The camera watchers of Art 11(8), on threads of their own; their configuration is read again
    // with the camera list.
    let mut watchers = watch.then(|| {
        crate::video::watch_live::WatchHost::new(
            store.clone(),
            sqlite_session.clone(),
            ctx.clock.clone(),
            crate::video::watch_live::Which::All,
        )
        .only(cameras.clone())
    });
    let refresh_watchers = |host: &mut crate::video::watch_live::WatchHost| match host.refresh() {
        Ok(n) => tracing::debug!("watching {n} cameras"),
        Err(e) => eprintln!("camera watchers: {e}"),
    };
    if let Some(host) = watchers.as_mut() {
        refresh_watchers(host);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc_cancel(move || flag.store(true, Ordering::SeqCst)).context("installing the signal handler")?;
    // The loop's timers run on the command's clock.
    let clock = ctx.clock.clone();
    let mut last_retention: Option<std::time::Instant> = None;
    let mut last_sync = clock.monotonic();
    let mut last_links = clock.monotonic();
    let mut stopped_segments = 0;
    while !stop.load(Ordering::SeqCst) {
        if clock.elapsed(last_links) >= recorder::LINK_REPORT_EVERY {
            last_links = clock.monotonic();
            let statuses: Vec<_> = recorders.iter().map(|(_, _, r)| r.status()).collect();
            for change in recorder::report_links(&*store, &sqlite_session, &statuses) {
                match change {
                    Ok(a) if a.resolved_at.is_some() => eprintln!("camera {}: back, alarm resolved", a.camera_name),
                    Ok(a) => eprintln!("设备告警 (camera alarm): {}", a.explanation),
                    Err(e) => eprintln!("camera alarm not recorded: {e}"),
                }
            }
        }
        if last_retention.is_none_or(|at| clock.elapsed(at) > Duration::from_secs(600)) {
            match recorder::apply_retention(&*store, &sqlite_session, &root) {
                Ok(gone) if !gone.is_empty() => eprintln!("retention: {} segments deleted", gone.len()),
                Ok(_) => {}
                Err(e) => eprintln!("retention failed: {e}"),
            }
            last_retention = Some(clock.monotonic());
        }
        // Cameras added, changed or retired in the hall's configuration reach the recorder here.
        if clock.elapsed(last_sync) >= poll {
            last_sync = clock.monotonic();
            if let Some(host) = watchers.as_mut() {
                refresh_watchers(host);
            }
            match wanted() {
                Ok(now_wanted) => {
                    let (keep, gone): (Vec<_>, Vec<_>) = recorders
                        .drain(..)
                        .partition(|(id, url, _)| now_wanted.iter().any(|(i, u)| i == id && u == url));
                    recorders = keep;
                    for (id, _, r) in gone {
                        stopped_segments += r.status().segments;
                        r.stop();
                        eprintln!("camera {id}: stopped (retired or changed), its segment closed");
                    }
                    for (id, url) in now_wanted {
                        if recorders.iter().any(|(i, _, _)| *i == id) {
                            continue;
                        }
                        match start(id, url.clone()) {
                            Ok(r) => {
                                eprintln!("camera {id}: recording");
                                recorders.push((id, url, r));
                            }
                            Err(e) => eprintln!("camera {id}: cannot record: {e}"),
                        }
                    }
                }
                Err(e) => eprintln!("the camera list: {e}"),
            }
        }
        clock.sleep(Duration::from_millis(200));
    }
    eprintln!("stopping: closing the open segments …");
    let segments: u64 = stopped_segments + recorders.iter().map(|(_, _, r)| r.status().segments).sum::<u64>();
    for (_, _, r) in recorders {
        r.stop();
    }
    eprintln!("stopped after {segments}+ segments");
    Ok(())
}

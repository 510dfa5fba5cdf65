//! The command line: thin wrappers over the store, the domain and the console.
//!
//! Stable contract (scripts rely on it): `--data-dir`/`JIANCHA_DATA_DIR`, `--user` with
//! `JIANCHA_PASSWORD`, and the exit codes 0 (ok), 1 (findings, e.g. a broken audit chain), 2 (usage or
//! input error).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::clock::{Clock, FixedClock, SystemClock};
use crate::domain::access::Role;
use crate::domain::calendar::{DayKind, missing_years_warning};
use crate::domain::time;
use crate::interchange::{self, ImportKind};
use crate::settings::{self, Settings};
use crate::store::sqlite::SqlStore;
use crate::store::{AlertQuery, AuditQuery, CaseQuery, NewUser, Session, Store, StoreError};

mod admin;
mod args;
mod assessment;
mod cameras;
mod cases;
mod context;
mod discipline;
mod footage;
mod notify;
mod people;

use admin::*;
pub use args::*;
use cameras::*;
use cases::*;
use context::*;
pub use context::{Ctx, Failure, exit_code, report};
use people::*;

/// Runs a headless command. `None` means: start the console.
pub fn run(cli: Cli) -> Result<Option<()>, Failure> {
    let data_dir = cli.data_dir.clone().unwrap_or_else(settings::default_data_dir);
    let Some(command) = cli.command else {
        return Ok(None);
    };
    let ctx = Ctx::new(data_dir.clone(), cli.user.clone(), cli.backend.clone(), cli.ca_cert.clone())?;
    let ctx = &ctx;
    match command {
        Command::Init { admin, name } => init(ctx, &admin, &name)?,
        Command::Demo(args) => demo(&data_dir, args)?,
        Command::Import { kind, file, hall, format } => {
            let content = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut batch = interchange::parse(kind, &file.display().to_string(), &content)
                .map_err(|e| Failure { code: 2, error: e.into() })?;
            batch.hall = hall;
            let (store, session) = connect(ctx, true)?;
            let report = store.import(&session, &batch)?;
            if format == Format::Json {
                print_json(&report)?;
            } else {
                println!(
                    "{}: {} records, {} new, {} updated, {} unchanged{}{}",
                    report.source,
                    report.records,
                    report.inserted,
                    report.updated,
                    report.unchanged,
                    if report.skipped_unknown_people > 0 {
                        format!(", {} punches of unknown people skipped", report.skipped_unknown_people)
                    } else {
                        String::new()
                    },
                    created_summary(&report),
                );
            }
        }
        Command::Audit(AuditCommand::Verify { format, anchor }) => {
            let (store, session) = connect(ctx, false)?;
            let v = store.verify_audit(&session)?;
            let anchored = anchor.as_ref().map(|a| store.check_audit_anchor(&session, a)).transpose()?;
            if format == Format::Json {
                // The verification as it is, with whether the anchor held when one was given.
                let mut shown = serde_json::to_value(&v).map_err(anyhow::Error::from)?;
                if let (Some(held), Some(map)) = (anchored, shown.as_object_mut()) {
                    map.insert("anchor_holds".into(), serde_json::Value::Bool(held));
                }
                print_json(&shown)?;
            } else {
                match &v.first_bad {
                    None => println!("审计链完整 (audit chain intact): {} records", v.records),
                    Some(b) => println!("审计链被破坏 (audit chain broken) at record {}: {}", b.seq, b.reason),
                }
                if let Some(head) = &v.anchor {
                    println!("链头 (chain head, keep it apart): {head}");
                }
                match (&anchor, anchored) {
                    (Some(a), Some(true)) => println!("锚点相符 (anchor {} holds)", a.seq),
                    (Some(a), _) => {
                        println!("锚点不符 (anchor {} does not hold): the history before it was rewritten", a.seq)
                    }
                    _ => {}
                }
            }
            if v.first_bad.is_some() {
                return Err(Failure { code: 1, error: anyhow::anyhow!("the audit chain is broken") });
            }
            if anchored == Some(false) {
                return Err(Failure { code: 1, error: anyhow::anyhow!("the audit chain does not hold the anchor") });
            }
        }
        Command::Audit(AuditCommand::Anchors { limit, format }) => {
            let (store, session) = connect(ctx, false)?;
            let anchors = store.audit_anchors(&session, limit)?;
            if format == Format::Json {
                print_json(&anchors)?;
            } else {
                for a in anchors {
                    println!(
                        "{}  {:<20} {}  (from {})",
                        time::format_local(a.received_at),
                        a.source,
                        a.anchor,
                        a.received_by
                    );
                }
            }
        }
        Command::Audit(AuditCommand::Log { limit, actor, action, format }) => {
            let (store, session) = connect(ctx, false)?;
            let records = store
                .audit_log(&session, &AuditQuery { actor, action_prefix: action, limit, ..AuditQuery::default() })?;
            if format == Format::Json {
                print_json(&records)?;
            } else {
                for r in records {
                    println!(
                        "{:>6}  {}  {:<12} {:<20} {}  {}",
                        r.seq,
                        time::format_local(r.at),
                        r.actor,
                        r.action,
                        r.target,
                        r.detail
                    );
                }
            }
        }
        Command::Users(cmd) => users(ctx, cmd)?,
        Command::Cases(cmd) => cases(ctx, cmd)?,
        Command::Calendar(cmd) => calendar(ctx, &data_dir, cmd)?,
        Command::Alerts { at, all, format } => alerts(ctx, at, all, format)?,
        Command::CheckDaily { date, pdf, format } => check_daily(ctx, date, pdf.as_deref(), format)?,
        Command::Cameras(CamerasCommand::List { format }) => cameras_list(ctx, format)?,
        Command::Cameras(CamerasCommand::Reference { name, hall: code, clear }) => {
            cameras::cameras_reference(ctx, &name, code.as_deref(), clear)?
        }
        Command::Cameras(CamerasCommand::Seat { name, hall: code, region, clear }) => {
            cameras::cameras_seat(ctx, &name, code.as_deref(), if clear { None } else { region.as_deref() })?
        }
        Command::Cameras(CamerasCommand::Findings { undecided, format }) => {
            cameras::cameras_findings(ctx, undecided, format)?
        }
        Command::Cameras(CamerasCommand::Confirm { id, note }) => {
            cameras::cameras_decide(ctx, id, crate::domain::watch::FindingDecision::Confirmed, &note)?
        }
        Command::Cameras(CamerasCommand::Dismiss { id, reason }) => {
            cameras::cameras_decide(ctx, id, crate::domain::watch::FindingDecision::Dismissed, &reason)?
        }
        Command::Cameras(CamerasCommand::Passwd { name, hall: code, clear }) => {
            cameras_passwd(ctx, &name, code.as_deref(), clear)?
        }
        Command::Hall(cmd) => hall(ctx, cmd)?,
        Command::Attendance(AttendanceCommand::Rank { period, format, pdf, notices }) => {
            attendance_rank(ctx, period, format, pdf.as_deref(), notices.as_deref())?
        }
        Command::Evaluator(EvaluatorCommand::Check { date, format }) => evaluator_check(ctx, date, format)?,
        Command::Bench(BenchCommand::Relay { streams, seconds, port, format }) => {
            let exe = std::env::current_exe()?;
            let result = crate::video::relay_bench::run(streams.clamp(1, 64), seconds.max(1), port, &exe, &mut |m| {
                eprintln!("… {m}")
            })
            .map_err(|e| anyhow::anyhow!(e))?;
            if format == Format::Json {
                print_json(&result)?;
            } else {
                println!(
                    "relay: {} streams (640×360, 25 fps), {:.1} s: {:.3} cores ({:.3} idle), {:.2} % of a core per stream, peak {:.0} MiB",
                    result.streams,
                    result.seconds,
                    result.cores,
                    result.idle_cores,
                    result.percent_of_a_core_per_stream,
                    result.rss_mb
                );
            }
        }
        Command::Bench(BenchCommand::Wall { tiles, seconds, port, path, draw, format }) => {
            let exe = std::env::current_exe()?;
            let path = match path {
                args::WallPath::Gpu => crate::video::bench::BenchPath::Gpu,
                args::WallPath::Cpu => crate::video::bench::BenchPath::Cpu,
            };
            let result =
                crate::video::bench::run(tiles.clamp(1, 64), seconds.max(1), port, path, draw, &exe, &mut |m| {
                    eprintln!("… {m}")
                })
                .map_err(|e| anyhow::anyhow!(e))?;
            if format == Format::Json {
                print_json(&result)?;
            } else {
                println!(
                    "wall ({:?} path{}): {} tiles, frames of {}×{}, {:.1} s per phase",
                    result.path,
                    result.renderer.as_deref().map(|r| format!(", {r}")).unwrap_or_default(),
                    result.tiles,
                    result.tile_width,
                    result.tile_height,
                    result.seconds
                );
                if let (Some(fps), Some(mb)) = (result.min_uploaded_fps, result.upload_mb_per_second) {
                    println!("  uploaded as textures: lowest tile {fps:.1} new frames/s, {mb:.1} MB/s to GL");
                }
                if let (Some(cpu), Some(fps)) = (result.draw_cpu_per_second, result.draw_fps) {
                    println!("  with the shader drawing every tile ({fps:.1} draws/s): CPU {cpu:.2} s/s");
                }
                println!(
                    "  fps per tile: {}",
                    result.tile_fps.iter().map(|f| format!("{f:.1}")).collect::<Vec<_>>().join(" ")
                );
                println!("  lowest tile: {:.1} fps", result.min_fps);
                println!(
                    "  CPU: {:.2} s/s here, {:.2} s/s gst-launch-1.0 → ratio {:.2}",
                    result.cpu_per_second, result.baseline_cpu_per_second, result.cpu_ratio
                );
                println!("  peak RSS: {:.0} MB", result.rss_mb);
            }
        }
        Command::Bench(BenchCommand::Watch { live: Some(cameras), seconds, port, format, .. }) => {
            let exe = std::env::current_exe().context("finding this program")?;
            let result =
                crate::video::watch_bench::run_live(cameras, seconds, port, &exe).map_err(|e| anyhow::anyhow!(e))?;
            if format == Format::Json {
                print_json(&result)?;
            } else {
                println!(
                    "watch --live: {} cameras for {:.0} s · {:.2} pictures/s each (keyframes) · {:.3} of one core · {:.0} MB",
                    result.cameras, result.seconds, result.pictures_per_camera_second, result.core_share, result.rss_mb
                );
            }
        }
        Command::Bench(BenchCommand::Notify { messages, format }) => {
            let result = crate::notify::bench::run(messages.clamp(1, 100_000))?;
            if format == Format::Json {
                print_json(&result)?;
            } else {
                println!(
                    "notify: {} of {} messages delivered in {:.2} s — {:.0} messages/s (receiver answered {})",
                    result.delivered, result.messages, result.seconds, result.per_second, result.received
                );
            }
        }
        Command::Bench(BenchCommand::Watch { fps, format, .. }) => {
            let result = crate::video::watch_bench::run(fps);
            if format == Format::Json {
                print_json(&result)?;
            } else {
                println!("watch: a scripted hour of each kind, {:.1} frames/s analysed", result.frames_per_second);
                for k in &result.kinds {
                    println!(
                        "  {:<8} {} of {} found, {} false · precision {:.2} recall {:.2}",
                        k.kind, k.found, k.expected, k.false_positives, k.precision, k.recall
                    );
                }
                println!(
                    "  CPU: {:.5} s/s per camera → 25 cameras {:.3} of one core (analysis only, not the decoding)",
                    result.cpu_per_camera, result.core_share_25
                );
            }
        }
        Command::Cameras(CamerasCommand::Sim { count, port, fps, bars, plain, script }) => {
            cameras_sim(&data_dir, count, port, fps, bars.map(args::SimBars::colour), plain, &script)?
        }
        Command::Footage(footage::FootageCommand::Verify { file, format }) => footage::verify(&file, format)?,
        Command::Footage(cmd) => footage::run(ctx, cmd)?,
        Command::Record { camera, sub, no_watch, poll_seconds, config, hall } => {
            let config = match &config {
                Some(path) => settings::ServerFile::load(path)?,
                None => settings::ServerFile::default(),
            };
            let what = footage::Recording { cameras: camera, halls: hall, sub, watch: !no_watch };
            footage::record(ctx, &config, what, std::time::Duration::from_secs(poll_seconds))?
        }
        Command::Slips(args) => discipline::slips(ctx, args)?,
        Command::Notify(cmd) => notify::run(ctx, cmd)?,
        Command::Assessment(args) => assessment::assessment(ctx, args)?,
        Command::Serve {
            config,
            listen,
            tls_cert,
            tls_key,
            forward,
            forward_user,
            host_name,
            no_watch,
            database,
            relay,
            name,
            peer_url,
        } => {
            let file = match &config {
                Some(path) => settings::ServerFile::load(path)?,
                None => settings::ServerFile::default(),
            };
            let flags = settings::ServerFile {
                listen,
                tls_cert,
                tls_key,
                host_names: host_name,
                forward,
                forward_user,
                ca_cert: None,
                no_watch,
                database,
                relay,
                name,
                peer_url,
            };
            serve(ctx, file.overridden_by(flags))?
        }
        Command::Backup { out } => backup(ctx, &out)?,
        Command::Migrate { to } => admin::migrate_to_postgres(ctx, &to)?,
        Command::Restore { file, replace } => restore(ctx, &file, replace)?,
        Command::Print { file, printer, dry_run } => discipline::print(&file, printer.as_deref(), dry_run)?,
        Command::Observe(args) => discipline::observe(ctx, args)?,
        Command::Complaints(cmd) => discipline::complaints(ctx, cmd)?,
        Command::Violations(cmd) => discipline::violations(ctx, cmd)?,
    }
    Ok(Some(()))
}

fn created_summary(r: &crate::store::ImportReport) -> String {
    let parts: Vec<String> = [
        (r.created_halls, "halls"),
        (r.created_departments, "departments"),
        (r.created_windows, "windows"),
        (r.created_staff, "staff"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() { String::new() } else { format!("; created {}", parts.join(", ")) }
}

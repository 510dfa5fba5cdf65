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
use crate::store::sqlite::SqliteStore;
use crate::store::{AlertQuery, AuditQuery, CaseQuery, NewUser, Session, Store, StoreError};

mod discipline;
mod footage;

#[derive(Debug, Parser)]
#[command(name = "jiancha", version, about = "监察台 — 政务大厅电子监察控制台 (electronic-supervision console)")]
pub struct Cli {
    /// Data directory (database, footage, reports). Default: the user's data directory + /jiancha.
    #[arg(long, global = true, env = "JIANCHA_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Act as this user (password from JIANCHA_PASSWORD or a prompt). Without it, local headless
    /// commands act as the local system actor.
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    /// Work against a Jiancha server (`jiancha serve`) instead of the local database: `http://host:8730`
    /// or `https://…`. Headless commands then need `--user`. Default: `[backend] url` of DIR/workstation.toml.
    #[arg(long, global = true, env = "JIANCHA_BACKEND", value_name = "URL")]
    pub backend: Option<String>,

    /// A PEM certificate authority to trust for an `https://` backend with a certificate of its own.
    #[arg(long, global = true, env = "JIANCHA_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// (Re)generate the demo hall: DIR/jiancha.db and the interchange files in DIR/import/.
    Demo(DemoArgs),
    /// Import an interchange file (INTERCHANGE.md): atomic and idempotent.
    Import {
        kind: ImportKind,
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Login accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Cases (办件).
    #[command(subcommand)]
    Cases(CasesCommand),
    /// The working-day calendar.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Alerts open now, or at another instant (`--at`).
    Alerts {
        /// Evaluate at this instant (RFC 3339) instead of now.
        #[arg(long, value_parser = parse_rfc3339)]
        at: Option<DateTime<Utc>>,
        /// Also resolved and closed alerts.
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = AlertFormat::Table)]
        format: AlertFormat,
    },
    /// Attendance (考勤): the biweekly ranking.
    #[command(subcommand)]
    Attendance(AttendanceCommand),
    /// The electronic evaluator (评价器): the daily check.
    #[command(subcommand)]
    Evaluator(EvaluatorCommand),
    /// Benchmarks that need the real machine (release build): `bench wall`.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Cameras: list them, or run simulated cameras.
    #[command(subcommand)]
    Cameras(CamerasCommand),
    /// Footage (录像): lookup, requests to view or copy (调阅/拷贝), decisions, export, verify, holds.
    #[command(subcommand)]
    Footage(footage::FootageCommand),
    /// The recorder: record the cameras into DIR/footage until interrupted (the recording service).
    Record {
        /// Only these cameras (default: all).
        #[arg(long)]
        camera: Vec<i64>,
        /// Record the sub stream instead of the main stream.
        #[arg(long)]
        sub: bool,
    },
    /// Reminder slips (提示单) of a week: issues the missing ones, lists them, writes one PDF per
    /// department plus index.pdf with `--out`; `slips receipt|cancel ID` record the receipt or cancel.
    Slips(discipline::SlipsArgs),
    /// The HTTP server (`jiancha serve`): the data directory's store for consoles and halls elsewhere.
    /// On an empty directory the first administrator `admin` gets `JIANCHA_ADMIN_PASSWORD` or a
    /// generated password, printed once.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8730")]
        listen: std::net::SocketAddr,
        /// Serve HTTPS with this PEM certificate (chain); needs `--tls-key`.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of `--tls-cert`.
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Forward the case events pushed here to this upper-level server (a county hall to the city).
        #[arg(long, value_name = "URL", requires = "forward_user")]
        forward: Option<String>,
        /// The account to forward as on the upper-level server (password: JIANCHA_FORWARD_PASSWORD).
        #[arg(long, value_name = "NAME", requires = "forward")]
        forward_user: Option<String>,
    },
    /// Print a file (PDF) through CUPS `lp`.
    Print {
        file: PathBuf,
        /// The print queue (see `lpstat -e`); default the system default.
        #[arg(long)]
        printer: Option<String>,
        /// Only show the `lp` command.
        #[arg(long)]
        dry_run: bool,
    },
    /// Record a discipline observation (记录违纪) typed in; prints its id.
    Observe(discipline::ObserveArgs),
    /// Complaints (投诉): list them, accept, decline, investigate, conclude.
    #[command(subcommand)]
    Complaints(discipline::ComplaintsCommand),
    /// Violations (违规) and accountability (问责): list, record, decide measures, Art 12(6) flags.
    #[command(subcommand)]
    Violations(discipline::ViolationsCommand),
    /// The daily data check (每日数据检查): saves the day's report and records who checked.
    CheckDaily {
        /// The day to check (local date); default today.
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Also write the report as a PDF here.
        #[arg(long)]
        pdf: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum AttendanceCommand {
    /// The ranking of the biweekly period starting on DATE (any day of the period is accepted).
    Rank {
        #[arg(long)]
        period: NaiveDate,
        #[arg(long, value_enum, default_value_t = AlertFormat::Table)]
        format: AlertFormat,
        /// Also write the ranking as an A4 PDF.
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        /// Also write the 约谈 notices (one page per department) as an A4 PDF.
        #[arg(long, value_name = "FILE")]
        notices: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvaluatorCommand {
    /// Usage per window, anomalies and poor ratings of a day.
    Check {
        #[arg(long)]
        date: NaiveDate,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Decode N sub streams from simulated cameras in another process; compare the CPU with a bare
    /// gst-launch-1.0 decoding the same streams.
    Wall {
        #[arg(long, default_value_t = 16)]
        tiles: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value_t = 8655)]
        port: u16,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum CamerasCommand {
    /// Cameras with their windows and stream URLs (credentials removed).
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Serve simulated H.264 cameras over RTSP on 127.0.0.1 until interrupted.
    Sim {
        /// How many cameras (default: the database's, or 9 without one).
        #[arg(long)]
        count: Option<u32>,
        #[arg(long, default_value_t = crate::demo::SIM_RTSP_PORT)]
        port: u16,
        /// Frames per second.
        #[arg(long, default_value_t = 25)]
        fps: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlertFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write; default: the data directory.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    #[arg(long, default_value_t = crate::demo::DEFAULT_SEED)]
    pub seed: u64,
    /// Generate as if it were this instant (RFC 3339); default: now. Same seed and instant, same demo.
    #[arg(long, value_parser = parse_rfc3339)]
    pub now: Option<DateTime<Utc>>,
    /// Skip recording the demo footage (about half a minute).
    #[arg(long)]
    pub no_footage: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 naming the first bad record.
    Verify {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show records, newest first.
    Log {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        actor: Option<String>,
        /// `import` matches import.events, import.staff, …
        #[arg(long)]
        action: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Create an account; the password comes from JIANCHA_NEW_PASSWORD or a prompt.
    Add {
        username: String,
        #[arg(long)]
        role: RoleArg,
        #[arg(long)]
        name: String,
    },
    /// Set a password (JIANCHA_NEW_PASSWORD or a prompt).
    Passwd { username: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Supervisor,
    Chief,
    Auditor,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Supervisor => Role::Supervisor,
            RoleArg::Chief => Role::Chief,
            RoleArg::Auditor => Role::Auditor,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    List {
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        window: Option<String>,
        /// Case number or applicant.
        #[arg(long)]
        text: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One case with its events.
    Show {
        case_no: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// The kind of each day in a range.
    Days { from: NaiveDate, to: NaiveDate },
    /// The promised deadline of a case accepted on DATE with DAYS working days.
    Deadline { accepted: NaiveDate, days: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).map_err(|e| format!("{s:?}: {e}"))
}

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure { code: 2, error: e.into() }
    }
}

/// The default data directory: `$XDG_DATA_HOME/jiancha` (`~/.local/share/jiancha`).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("jiancha")
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    Ok(())
}

fn secret(env: &str, prompt: &str) -> Result<String, Failure> {
    if let Ok(v) = std::env::var(env) {
        return Ok(v);
    }
    rpassword::prompt_password(prompt)
        .with_context(|| format!("no {env} set and no terminal to ask for the password"))
        .map_err(Failure::from)
}

/// What a headless command works with: the data directory, the user, and where the data lives.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub data_dir: PathBuf,
    pub user: Option<String>,
    /// A server instead of the local database.
    pub backend: Option<crate::store::remote::Connection>,
}

impl Ctx {
    /// From the flags; `--backend` falls back to the `backend` setting of the data directory.
    pub fn new(
        data_dir: PathBuf,
        user: Option<String>,
        backend: Option<String>,
        ca_cert: Option<PathBuf>,
    ) -> Result<Self, Failure> {
        let saved = settings::Workstation::load(&data_dir)?.backend;
        let backend = backend.or(saved.url).filter(|b| !b.trim().is_empty());
        let ca_cert = ca_cert.or(saved.ca_cert);
        Ok(Self { data_dir, user, backend: backend.map(|url| crate::store::remote::Connection { url, ca_cert }) })
    }
}

/// The store and session of a headless command: the server when a backend is set (logging in as
/// `--user`), otherwise the local database (as `--user`, or the local system actor).
fn connect(ctx: &Ctx, create: bool) -> Result<(Box<dyn Store>, Session), Failure> {
    let password = |name: &str| secret("JIANCHA_PASSWORD", &format!("{name} 的密码 (password): "));
    if let Some(backend) = &ctx.backend {
        let store = crate::store::remote::RemoteStore::connect(backend)?;
        let Some(name) = ctx.user.as_deref() else {
            return Err(Failure {
                code: 2,
                error: anyhow::anyhow!("with a server backend ({}), say who you are with --user NAME", backend.url),
            });
        };
        let session = store.login(name, &password(name)?)?;
        return Ok((Box::new(store), session));
    }
    let store = open_store(&ctx.data_dir, create)?;
    let session = match ctx.user.as_deref() {
        None => store.system_session(),
        Some(name) => store.login(name, &password(name)?)?,
    };
    Ok((Box::new(store), session))
}

/// Where exports read the footage: this machine's footage directory (`root`), or the server's.
pub(super) fn footage_source(ctx: &Ctx, root: &Path) -> Result<crate::video::export::FootageSource, Failure> {
    Ok(match &ctx.backend {
        None => crate::video::export::FootageSource::Local(root.to_owned()),
        Some(backend) => crate::video::export::FootageSource::Remote {
            store: Arc::new(crate::store::remote::RemoteStore::connect(backend)?),
            cache: ctx.data_dir.join("cache").join("footage"),
        },
    })
}

pub(super) fn open_store(dir: &Path, create: bool) -> Result<SqliteStore, Failure> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let rules = settings::rule_book(dir)?;
    let store = if create { SqliteStore::open_dir(dir, clock) } else { SqliteStore::open_existing_dir(dir, clock) };
    let store = store.with_context(|| format!("opening the database in {}", dir.display()))?;
    store.set_rules(rules);
    Ok(store)
}

/// Runs a headless command. `None` means: start the console.
pub fn run(cli: Cli) -> Result<Option<()>, Failure> {
    let data_dir = cli.data_dir.clone().unwrap_or_else(default_data_dir);
    let Some(command) = cli.command else {
        return Ok(None);
    };
    let ctx = Ctx::new(data_dir.clone(), cli.user.clone(), cli.backend.clone(), cli.ca_cert.clone())?;
    let ctx = &ctx;
    match command {
        Command::Demo(args) => demo(&data_dir, args)?,
        Command::Import { kind, file, format } => {
            let content = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let batch = interchange::parse(kind, &file.display().to_string(), &content)
                .map_err(|e| Failure { code: 2, error: e.into() })?;
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
        Command::Audit(AuditCommand::Verify { format }) => {
            let (store, session) = connect(ctx, false)?;
            let v = store.verify_audit(&session)?;
            if format == Format::Json {
                print_json(&v)?;
            } else {
                match &v.first_bad {
                    None => println!("审计链完整 (audit chain intact): {} records", v.records),
                    Some(b) => println!("审计链被破坏 (audit chain broken) at record {}: {}", b.seq, b.reason),
                }
            }
            if v.first_bad.is_some() {
                return Err(Failure { code: 1, error: anyhow::anyhow!("the audit chain is broken") });
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
        Command::Calendar(cmd) => calendar(&data_dir, cmd)?,
        Command::Alerts { at, all, format } => alerts(ctx, at, all, format)?,
        Command::CheckDaily { date, pdf, format } => check_daily(ctx, date, pdf.as_deref(), format)?,
        Command::Cameras(CamerasCommand::List { format }) => cameras_list(ctx, format)?,
        Command::Attendance(AttendanceCommand::Rank { period, format, pdf, notices }) => {
            attendance_rank(ctx, period, format, pdf.as_deref(), notices.as_deref())?
        }
        Command::Evaluator(EvaluatorCommand::Check { date, format }) => evaluator_check(ctx, date, format)?,
        Command::Bench(BenchCommand::Wall { tiles, seconds, port, format }) => {
            let exe = std::env::current_exe()?;
            let result =
                crate::video::bench::run(tiles.clamp(1, 64), seconds.max(1), port, &exe, &mut |m| eprintln!("… {m}"))
                    .map_err(|e| anyhow::anyhow!(e))?;
            if format == Format::Json {
                print_json(&result)?;
            } else {
                println!(
                    "wall: {} tiles at {}×{}, {:.1} s per phase",
                    result.tiles, result.tile_width, result.tile_height, result.seconds
                );
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
        Command::Cameras(CamerasCommand::Sim { count, port, fps }) => cameras_sim(&data_dir, count, port, fps)?,
        Command::Footage(footage::FootageCommand::Verify { file, format }) => footage::verify(&file, format)?,
        Command::Footage(cmd) => footage::run(ctx, cmd)?,
        Command::Record { camera, sub } => footage::record(&data_dir, camera, sub)?,
        Command::Slips(args) => discipline::slips(ctx, args)?,
        Command::Serve { listen, tls_cert, tls_key, forward, forward_user } => {
            serve(ctx, listen, tls_cert.zip(tls_key), forward.zip(forward_user))?
        }
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

fn demo(data_dir: &Path, args: DemoArgs) -> Result<(), Failure> {
    let dir = args.dir.unwrap_or_else(|| data_dir.to_owned());
    let rules = settings::rule_book(&dir)?;
    let clock: Arc<dyn Clock> = match args.now {
        Some(at) => Arc::new(FixedClock::new(at)),
        None => Arc::new(SystemClock),
    };
    let report = crate::demo::write_demo(&dir, args.seed, clock.clone(), &rules)
        .with_context(|| format!("writing the demo into {}", dir.display()))?;
    if !args.no_footage {
        let started = std::time::Instant::now();
        let segments = crate::demo::record_footage(&dir, clock, &rules)
            .with_context(|| format!("recording the demo footage into {}", dir.display()))?;
        eprintln!("  footage: {segments} segments in {:.1} s", started.elapsed().as_secs_f64());
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "演示大厅已生成 (demo hall written): {}", report.database.display())?;
    writeln!(out, "  interchange files: {}", report.import_dir.display())?;
    writeln!(
        out,
        "  seed {}, {} cases, {} events, {} punches",
        report.seed, report.cases, report.events, report.punches
    )?;
    writeln!(out, "  users: supervisor1 supervisor2 chief1 auditor1 admin1 — password {}", crate::demo::DEMO_PASSWORD)?;
    Ok(())
}

fn new_password(username: &str) -> Result<String, Failure> {
    secret("JIANCHA_NEW_PASSWORD", &format!("{username} 的新密码 (new password): "))
}

fn users(ctx: &Ctx, cmd: UsersCommand) -> Result<(), Failure> {
    let (store, session) = connect(ctx, true)?;
    match cmd {
        UsersCommand::List { format } => {
            let users = store.users(&session)?;
            if format == Format::Json {
                print_json(&users)?;
            } else {
                for u in users {
                    println!(
                        "{:<16} {:<10} {:<8} {}",
                        u.username,
                        u.display_name,
                        u.role,
                        if u.active { "" } else { "(disabled)" }
                    );
                }
            }
        }
        UsersCommand::Add { username, role, name } => {
            let password = new_password(&username)?;
            let created =
                store.create_user(&session, &NewUser { username, display_name: name, role: role.into(), password })?;
            println!("created {} ({})", created.username, created.role.label_zh());
        }
        UsersCommand::Passwd { username } => {
            let password = new_password(&username)?;
            store.set_password(&session, &username, &password)?;
            println!("password changed for {username}");
        }
    }
    Ok(())
}

fn cases(ctx: &Ctx, cmd: CasesCommand) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    match cmd {
        CasesCommand::List { department, window, text, limit, format } => {
            let list = store.cases(&session, &CaseQuery { department, window, text, limit, ..CaseQuery::default() })?;
            if format == Format::Json {
                print_json(&list)?;
            } else {
                for c in list {
                    println!(
                        "{:<16} {:<8} {:<10} {:<6} {}  {}",
                        c.case_no,
                        c.item_code,
                        c.status.label_zh(),
                        c.window.unwrap_or_default(),
                        c.accepted_at.map(time::format_local_minutes).unwrap_or_default(),
                        c.item_name
                    );
                }
            }
        }
        CasesCommand::Show { case_no, format } => {
            let events = store.case_events(&session, &case_no)?;
            if format == Format::Json {
                print_json(&events)?;
            } else {
                for e in events {
                    println!(
                        "{}  {:<8} {:<5} {:<6} recorded {}",
                        time::format_local(e.occurred_at),
                        e.step.label_zh(),
                        e.window.unwrap_or_default(),
                        e.staff_no.unwrap_or_default(),
                        time::format_local(e.recorded_at)
                    );
                }
            }
        }
    }
    Ok(())
}

fn calendar(data_dir: &Path, cmd: CalendarCommand) -> Result<(), Failure> {
    let settings = Settings::load(data_dir)?;
    let cal = settings::calendar(data_dir, &settings)?;
    match cmd {
        CalendarCommand::Days { from, to } => {
            let mut missing = std::collections::BTreeSet::new();
            let mut day = from;
            while day <= to {
                let info = cal.day(day);
                if !cal.is_year_known(chrono::Datelike::year(&day)) {
                    missing.insert(chrono::Datelike::year(&day));
                }
                let kind = match info.kind {
                    DayKind::Weekday => "工作日",
                    DayKind::Weekend => "周末",
                    DayKind::Holiday => "节假日",
                    DayKind::MakeUpWorkday => "调休上班",
                    DayKind::LocalClosure => "本地闭厅",
                    DayKind::LocalWorkday => "本地上班",
                };
                println!("{day} {}  {kind} {}", day.format("%a"), info.name.unwrap_or_default());
                let Some(next) = day.succ_opt() else { break };
                day = next;
            }
            if let Some(w) = missing_years_warning(&missing) {
                eprintln!("warning: {w}");
            }
        }
        CalendarCommand::Deadline { accepted, days } => {
            let d = cal.deadline(accepted, days, &[])?;
            println!("{}", d.day);
            println!("{}", d.explain_zh());
            if let Some(w) = missing_years_warning(&d.missing_years) {
                eprintln!("warning: {w}");
            }
        }
    }
    Ok(())
}

fn alerts(ctx: &Ctx, at: Option<DateTime<Utc>>, all: bool, format: AlertFormat) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    if at.is_none() {
        store.refresh_alerts(&session)?;
    }
    let rows = store.alerts(&session, &AlertQuery { include_inactive: all, at, ..AlertQuery::default() })?;
    match format {
        AlertFormat::Json => print_json(&rows)?,
        AlertFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            w.write_record([
                "case_no",
                "rule",
                "level",
                "since",
                "state",
                "resolved_at",
                "department",
                "window",
                "staff_no",
                "explanation",
            ])?;
            for a in &rows {
                w.write_record([
                    a.case_no.as_str(),
                    a.rule.as_str(),
                    a.level.as_str(),
                    &time::to_local_rfc3339(a.since),
                    a.state.as_str(),
                    &a.resolved_at.map(time::to_local_rfc3339).unwrap_or_default(),
                    &a.department,
                    a.window.as_deref().unwrap_or(""),
                    a.staff_no.as_deref().unwrap_or(""),
                    &a.explanation,
                ])?;
            }
            w.flush()?;
        }
        AlertFormat::Table => {
            for a in &rows {
                println!(
                    "{:<2} {:<16} {:<12} {:<18} {}  {:<6} {}",
                    a.level.label_zh(),
                    a.case_no,
                    a.rule.label_zh(),
                    a.department,
                    time::format_local_minutes(a.since),
                    a.state.label_zh(),
                    a.explanation
                );
            }
            let count = |l| rows.iter().filter(|a| a.level == l && a.state == crate::store::AlertState::Open).count();
            use crate::domain::alerts::Level;
            eprintln!(
                "open: {} red, {} orange, {} yellow",
                count(Level::Red),
                count(Level::Orange),
                count(Level::Yellow)
            );
        }
    }
    Ok(())
}

fn check_daily(ctx: &Ctx, date: Option<NaiveDate>, pdf: Option<&Path>, format: Format) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let day = date.unwrap_or_else(|| time::local_date(Utc::now()));
    let (record, data) = crate::report::daily::run(&*store, &session, &ctx.data_dir, day)?;
    if let Some(path) = pdf {
        let hall = store.directory(&session)?.halls.first().map(|h| h.name.clone()).unwrap_or_default();
        crate::report::write_pdf(path, &crate::report::documents::daily_sheet(&hall, &data, &record.checked_by))
            .map_err(anyhow::Error::msg)?;
        eprintln!("wrote {}", path.display());
    }
    if format == Format::Json {
        print_json(&record)?;
    } else {
        println!(
            "{day} 数据检查完成 (checked): {} open alerts ({} red, {} orange, {} yellow), {} new that day",
            record.open_alerts, record.red, record.orange, record.yellow, record.new_alerts
        );
        println!("  report {} (sha256 {})", ctx.data_dir.join(&record.report_path).display(), record.report_sha256);
        if let Some(w) = data.calendar_warning {
            eprintln!("warning: {w}");
        }
    }
    Ok(())
}

fn attendance_rank(
    ctx: &Ctx,
    period: NaiveDate,
    format: AlertFormat,
    pdf: Option<&Path>,
    notices: Option<&Path>,
) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let result = store.attendance(&session, period)?;
    let r = &result.ranking;
    let hall = store.directory(&session)?.halls.first().map(|h| h.name.clone()).unwrap_or_default();
    if let Some(path) = pdf {
        let sheet = crate::report::attendance::ranking_sheet(&hall, r, Utc::now(), result.calendar_warning.as_deref());
        let sha = crate::report::write_pdf(path, &sheet).map_err(|e| anyhow::anyhow!(e))?;
        eprintln!("wrote {} (sha256 {sha})", path.display());
    }
    if let Some(path) = notices {
        let sheet = crate::report::attendance::interview_notices(&hall, r, Utc::now());
        let sha = crate::report::write_pdf(path, &sheet).map_err(|e| anyhow::anyhow!(e))?;
        eprintln!("wrote {} (sha256 {sha})", path.display());
    }
    match format {
        AlertFormat::Json => print_json(r)?,
        AlertFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            w.write_record([
                "rank",
                "staff_no",
                "name",
                "department",
                "late",
                "early",
                "absent",
                "absence_rank",
                "interview",
            ])?;
            for s in &r.staff {
                w.write_record([
                    s.rank.map(|x| x.to_string()).unwrap_or_default(),
                    s.staff_no.clone(),
                    s.name.clone(),
                    s.department.clone(),
                    s.late.to_string(),
                    s.early.to_string(),
                    s.absent.to_string(),
                    s.absence_rank.map(|x| x.to_string()).unwrap_or_default(),
                    s.interview.to_string(),
                ])?;
            }
            w.flush()?;
        }
        AlertFormat::Table => {
            println!("考勤排名 {} – {}", r.period_start, r.period_end);
            println!(
                "{:>4}  {:<6} {:<6} {:<18} {:>4} {:>4} {:>6}",
                "名次", "工号", "姓名", "部门", "迟到", "早退", "旷工(半天)"
            );
            for s in &r.staff {
                println!(
                    "{:>4}  {:<6} {:<6} {:<18} {:>4} {:>4} {:>6} {}",
                    s.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                    s.staff_no,
                    s.name,
                    s.department,
                    s.late,
                    s.early,
                    s.absent,
                    if s.interview { "约谈" } else { "" }
                );
            }
            println!("部门:");
            for d in &r.departments {
                println!(
                    "{:>4}  {:<20} 迟到 {} 早退 {} 旷工 {}",
                    d.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                    d.department,
                    d.late,
                    d.early,
                    d.absent
                );
            }
            if let Some(w) = &result.calendar_warning {
                eprintln!("warning: {w}");
            }
        }
    }
    Ok(())
}

fn evaluator_check(ctx: &Ctx, date: NaiveDate, format: Format) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let check = store.evaluator_check(&session, date)?;
    if format == Format::Json {
        print_json(&check)?;
    } else {
        println!("评价器检查 {date}");
        for u in &check.usage {
            println!(
                "  {:<5} 办结 {:>3}  已评价 {:>3}  使用率 {}{}",
                u.window,
                u.completed,
                u.evaluated,
                u.rate.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| "—".into()),
                if u.below_minimum { "  低于标准" } else { "" }
            );
        }
        for a in &check.anomalies {
            println!("  异常 {} {} {}: {}", a.window, time::format_local(a.at), a.kind.label_zh(), a.explanation);
        }
        println!("  差评 {} 条", check.poor_ratings.len());
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct CameraLine {
    id: i64,
    name: String,
    hall: String,
    window: Option<String>,
    department: Option<String>,
    main_url: String,
    sub_url: Option<String>,
}

fn cameras_list(ctx: &Ctx, format: Format) -> Result<(), Failure> {
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

/// The simulated cameras of a data directory: camera K of `/cam/K` with its name, from the database
/// when there is one.
pub fn sim_cameras(data_dir: &Path, count: Option<u32>) -> Vec<crate::video::sim::SimCamera> {
    use crate::video::sim::SimCamera;
    let from_db: Vec<SimCamera> = SqliteStore::open_existing_dir(data_dir, Arc::new(SystemClock))
        .ok()
        .and_then(|store| store.directory(&store.system_session()).ok())
        .map(|dir| {
            dir.cameras
                .iter()
                .filter_map(|c| {
                    let index = c.main_url.rsplit("/cam/").next()?.parse::<u32>().ok()?;
                    Some(SimCamera { index, label: c.name.clone() })
                })
                .collect()
        })
        .unwrap_or_default();
    let n = count.unwrap_or(if from_db.is_empty() { 9 } else { u32::try_from(from_db.len()).unwrap_or(u32::MAX) });
    (1..=n)
        .map(|index| {
            from_db
                .iter()
                .find(|c| c.index == index)
                .cloned()
                .unwrap_or(SimCamera { index, label: format!("摄像头 {index}") })
        })
        .collect()
}

fn cameras_sim(data_dir: &Path, count: Option<u32>, port: u16, fps: u32) -> Result<(), Failure> {
    let cameras = sim_cameras(data_dir, count);
    let options = crate::video::sim::SimOptions { fps: Some(fps), ..Default::default() };
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

/// Maps a store error to its exit code: everything a caller can fix is a usage/input error (2).
pub fn exit_code(failure: &Failure) -> ExitCode {
    ExitCode::from(failure.code)
}

/// Formats a failure for stderr, with the chain of contexts.
pub fn report(failure: &Failure) -> String {
    if let Some(StoreError::Input(errors)) = failure.error.downcast_ref::<StoreError>() {
        return format!("error: nothing was imported:\n{errors}");
    }
    if let Some(errors) = failure.error.downcast_ref::<interchange::InputErrors>() {
        return format!("error: nothing was imported:\n{errors}");
    }
    format!("error: {:#}", failure.error)
}

/// `jiancha serve`: runs until Ctrl-C or SIGTERM.
fn serve(
    ctx: &Ctx,
    listen: std::net::SocketAddr,
    tls: Option<(PathBuf, PathBuf)>,
    forward: Option<(String, String)>,
) -> Result<(), Failure> {
    let data_dir = ctx.data_dir.as_path();
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let store = open_store(data_dir, true)?;
    let system = store.system_session();
    if store.users(&system)?.is_empty() {
        let (password, generated) = match std::env::var("JIANCHA_ADMIN_PASSWORD") {
            Ok(p) if !p.is_empty() => (p, false),
            _ => {
                use rand::Rng as _;
                let chars: Vec<char> = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789".chars().collect();
                let mut rng = rand::thread_rng();
                ((0..16).map(|_| chars[rng.gen_range(0..chars.len())]).collect(), true)
            }
        };
        store.create_user(
            &system,
            &NewUser {
                username: "admin".into(),
                display_name: "管理员".into(),
                role: Role::Admin,
                password: password.clone(),
            },
        )?;
        if generated {
            println!(
                "first administrator: admin / {password}  (shown once; change it with `jiancha users passwd admin`)"
            );
        } else {
            println!("first administrator: admin (password from JIANCHA_ADMIN_PASSWORD)");
        }
    }
    let forward = match forward {
        None => None,
        Some((url, username)) => {
            let password = secret("JIANCHA_FORWARD_PASSWORD", &format!("{username}@{url} 的密码 (password): "))?;
            let upstream =
                crate::store::remote::Connection { url, ca_cert: ctx.backend.as_ref().and_then(|b| b.ca_cert.clone()) };
            Some((data_dir.to_owned(), crate::server::forward::ForwardTo { upstream, username, password }))
        }
    };
    let forwarding = forward.as_ref().map(|(_, to)| to.upstream.url.clone());
    let options = crate::server::ServeOptions { tls, forward };
    let server = crate::server::spawn_with(Arc::new(store), listen, &options).map_err(anyhow::Error::msg)?;
    println!("监察台 server on {} (data {}); Ctrl-C to stop", server.url(), data_dir.display());
    if let Some(url) = forwarding {
        println!("forwarding pushed case events to {url}");
    }
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    footage::ctrlc_cancel(move || {
        let _ = tx.send(());
    })?;
    let _ = rx.recv();
    eprintln!("stopping …");
    server.stop();
    Ok(())
}

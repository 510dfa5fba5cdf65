//! The command line's arguments: the subcommands and their flags (clap).

use super::*;

#[derive(Debug, Parser)]
#[command(name = "jiancha", version = crate::VERSION_LINE, about = "监察台 — 政务大厅电子监察控制台 (electronic-supervision console)")]
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

    /// The console: open the demo hall (四平市政务服务中心), creating it when the data directory holds no
    /// database. Without it, an empty data directory offers 打开演示大厅 / 新建本大厅 / 连接服务器.
    #[arg(long)]
    pub demo: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up an empty data directory for a real hall: its database with the first administrator and
    /// nothing else (password from JIANCHA_ADMIN_PASSWORD, or asked twice). Refuses a directory that
    /// already holds a database.
    Init {
        /// The first administrator's user name (a–z, 0–9, '.', '_', '-').
        #[arg(long, value_name = "NAME")]
        admin: String,
        /// Their name as shown (姓名).
        #[arg(long, value_name = "姓名", default_value = "管理员")]
        name: String,
    },
    /// (Re)generate the demo hall: DIR/jiancha.db and the interchange files in DIR/import/.
    Demo(DemoArgs),
    /// Import an interchange file (INTERCHANGE.md): atomic and idempotent.
    Import {
        kind: ImportKind,
        file: PathBuf,
        /// The hall whose staff, punches, leave, ratings or catalogue departments these are (staff
        /// numbers, window codes and departments are each hall's own); needed when the account reaches
        /// several halls. Case events name their own halls.
        #[arg(long, value_name = "CODE")]
        hall: Option<String>,
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
    /// The hall's configuration as a file: print it, or apply one (departments, windows, cameras).
    #[command(subcommand)]
    Hall(HallCommand),
    /// Cameras: list them, set a camera's password, or run simulated cameras.
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
        /// Do not watch the cameras for Art 11(8) (blocked, turned away, seats left empty).
        #[arg(long)]
        no_watch: bool,
        /// How often the camera list is read again: cameras added, changed or retired start or stop.
        #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        poll_seconds: u64,
        /// The server's settings file: the recorder indexes into its `database` and keeps its footage
        /// as held by its `name` (one of several servers on one database).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Only the cameras of these halls (repeat; by hall code): a hall's recorder on a database
        /// several halls share.
        #[arg(long, value_name = "CODE")]
        hall: Vec<String>,
    },
    /// Reminder slips (提示单) of a week: issues the missing ones, lists them, writes one PDF per
    /// department plus index.pdf with `--out`; `slips receipt|cancel ID` record the receipt or cancel.
    Slips(discipline::SlipsArgs),
    /// Notifications (通知): `status`, `log`, `test CHANNEL --to …`, `channel FILE`, `settings FILE`,
    /// `send`.
    #[command(subcommand)]
    Notify(notify::NotifyCommand),
    /// Department assessment (绩效评估) of a month: the ranking, `--publish` (chiefs), the public files
    /// with `--publish-dir`, the bulletin (通报) PDF; `year`, and the 监察建议书 (`recommend`,
    /// `recommendations`, `receipt`, `reply`).
    Assessment(assessment::AssessmentArgs),
    /// The HTTP server (`jiancha serve`): the data directory's store for consoles and halls elsewhere.
    /// On an empty directory the first administrator `admin` gets `JIANCHA_ADMIN_PASSWORD` or a
    /// generated password, printed once.
    Serve {
        /// The server's settings file (`/etc/jiancha/server.toml` for the service): listen address, TLS
        /// files, host names, forwarding. A flag given here overrides the file's key.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Where to listen. Default: the file's `listen`, else 127.0.0.1:8730.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
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
        /// A host name consoles use in the server's address (repeat for several); IP addresses and
        /// `localhost` are always answered, any other `Host` is refused.
        #[arg(long, value_name = "NAME")]
        host_name: Vec<String>,
        /// Do not run the camera watchers (Art 11(8)) of the cameras no recorder records.
        #[arg(long)]
        no_watch: bool,
        /// Serve a PostgreSQL database (`postgres://USER@HOST:PORT/DATABASE`; password from PGPASSWORD or
        /// libpq's password file) instead of the data directory's SQLite; the keys stay in the data
        /// directory. Default: the file's `database`.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// Where the camera relay answers the consoles (RTSP). Default: the file's `relay`, else the
        /// listen address's host, port 8731.
        #[arg(long, value_name = "ADDR")]
        relay: Option<std::net::SocketAddr>,
        /// This server's name among several on one database (its recorder's footage is kept here).
        /// Default: the file's `name`.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Where the other servers of the database reach this one (`http(s)://HOST:PORT`). Default: the
        /// file's `peer_url`, else the listen address.
        #[arg(long, value_name = "URL")]
        peer_url: Option<String>,
    },
    /// A consistent copy of the database while the server, the recorder or a console writes to it
    /// (SQLite's online backup), with its manifest beside it (FILE.manifest.json: SHA-256, schema
    /// version, audit head). The camera-password key, footage and settings are backed up apart (README).
    Backup {
        /// The copy to write (it must not exist yet).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Move this data directory's hall into an empty PostgreSQL database (`postgres://USER@HOST:PORT/DB`;
    /// the password from PGPASSWORD or libpq's password file, never the command line): every table in
    /// one transaction, the audit chain verified before and after, the rows of every table compared.
    /// A target that already holds data is refused. Footage stays where it is; its index moves.
    Migrate {
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Restore a copy made by `jiancha backup` as the data directory's database, after checking its
    /// SHA-256, schema version and whole audit chain. An existing database is replaced only with
    /// `--replace`, only when nothing has it open, and is kept beside the new one.
    Restore {
        file: PathBuf,
        #[arg(long)]
        replace: bool,
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
        #[arg(long, value_parser = parse_day)]
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
        #[arg(long, value_parser = parse_day)]
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
        #[arg(long, value_parser = parse_day)]
        date: NaiveDate,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The notification sender's throughput: N messages sent to a receiver on loopback, each delivery
    /// recorded in a throw-away SQLite hall.
    Notify {
        #[arg(long, default_value_t = 500)]
        messages: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Decode N sub streams from simulated cameras in another process; compare the CPU with a bare
    /// gst-launch-1.0 decoding the same streams.
    Wall {
        #[arg(long, default_value_t = 16)]
        tiles: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value_t = 8655)]
        port: u16,
        /// The GPU path (planes uploaded as textures) or the CPU path (RGBA scaled in GStreamer).
        #[arg(long, value_enum, default_value_t = WallPath::Gpu)]
        path: WallPath,
        /// Also draw every tile with the shader (software GL without a GPU), in a phase of its own.
        #[arg(long)]
        draw: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// What the server's camera relay costs per stream: N simulated cameras' sub streams pulled through
    /// it, the relay's own CPU measured.
    Relay {
        #[arg(long, default_value_t = 16)]
        streams: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value_t = 8657)]
        port: u16,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The Art 11(8) detectors on a scripted hour of each kind (covered, turned, empty seat): their
    /// precision and recall, and their CPU for 25 cameras at the analysis rate.
    Watch {
        /// Frames analysed a second per camera.
        #[arg(long, default_value_t = 2.0)]
        fps: f64,
        /// Instead: this many watchers on live simulated streams (keyframes decoded and analysed),
        /// measuring this process's CPU.
        #[arg(long, value_name = "CAMERAS")]
        live: Option<usize>,
        /// How long the live measurement runs.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 8556)]
        port: u16,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WallPath {
    Gpu,
    Cpu,
}

#[derive(Debug, Subcommand)]
pub enum HallCommand {
    /// Print the hall's configuration as a hall file (no camera passwords).
    Export {
        /// The hall's code (default: the only hall).
        #[arg(long)]
        hall: Option<String>,
    },
    /// Apply a hall file: what it adds, changes and retires, in one transaction with one audit record.
    /// Departments, windows and cameras missing from the file are retired, never deleted.
    Apply {
        file: PathBuf,
        /// Only show what would change.
        #[arg(long)]
        dry_run: bool,
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
    /// 设为基准画面: take the camera's picture now (its sub stream) as the view it should keep; the
    /// watchers raise `camera_tampered/moved` when the view no longer matches it. Administrators.
    Reference {
        /// The camera's name.
        name: String,
        #[arg(long)]
        hall: Option<String>,
        /// Remove the reference view instead.
        #[arg(long)]
        clear: bool,
    },
    /// The staff seat region of a camera's picture, as fractions `X,Y,W,H` (e.g. `0.36,0.18,0.28,0.56`):
    /// where the watchers look for an empty seat (离岗). Administrators.
    Seat {
        name: String,
        #[arg(long)]
        hall: Option<String>,
        /// `X,Y,W,H`, each 0–1.
        #[arg(required_unless_present = "clear")]
        region: Option<String>,
        #[arg(long)]
        clear: bool,
    },
    /// Camera findings (视频巡察): blocked or turned cameras and 离岗 candidates of the last week.
    Findings {
        /// Only those nobody has decided yet.
        #[arg(long)]
        undecided: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Confirm a finding as a discipline observation (遮挡摄像头/规避监察 or 离岗).
    Confirm {
        id: i64,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Dismiss a finding; the reason is required and audited.
    Dismiss {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Set a camera's password, kept sealed with DIR/camera.key (JIANCHA_CAMERA_PASSWORD or a prompt).
    Passwd {
        /// The camera's name, as in `cameras list` and the hall file.
        name: String,
        /// The hall's code (default: the only hall).
        #[arg(long)]
        hall: Option<String>,
        /// Remove the password instead.
        #[arg(long)]
        clear: bool,
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
        /// Show colour bars encoded with this matrix and range instead of the window pictures.
        #[arg(long, value_enum)]
        bars: Option<SimBars>,
        /// One shared encoding of the moving pattern for every sub stream, without the name and clock
        /// burned in: the cameras then cost the machine one encoder (`bench wall` uses it).
        #[arg(long)]
        plain: bool,
        /// `CAM:FILE`: camera CAM shows the scripted window scene of FILE (lines `START WHAT LENGTH`,
        /// e.g. `5m away 12m`, WHAT one of away, covered, turned, passer, dim; times from the first
        /// client's connection).
        /// Repeatable.
        #[arg(long, value_name = "CAM:FILE")]
        script: Vec<String>,
    },
}

/// The colours of the simulator's colour bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimBars {
    Bt601,
    Bt709,
    Bt601Full,
    Bt709Full,
}

impl SimBars {
    pub fn colour(self) -> crate::video::yuv::Colour {
        use crate::video::yuv::{Colour, Matrix};
        match self {
            SimBars::Bt601 => Colour { matrix: Matrix::Bt601, full_range: false },
            SimBars::Bt709 => Colour { matrix: Matrix::Bt709, full_range: false },
            SimBars::Bt601Full => Colour { matrix: Matrix::Bt601, full_range: true },
            SimBars::Bt709Full => Colour { matrix: Matrix::Bt709, full_range: true },
        }
    }
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
    /// The audit chain heads lower-level halls' servers forwarded here (a county's, at the city), newest
    /// first: check one at the county with `audit verify --anchor SEQ:MAC`.
    Anchors {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    Verify {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// A saved chain head (`SEQ:MAC`, as the daily report prints it): the history up to it must be
        /// the one anchored (exit 1 if not).
        #[arg(long, value_name = "SEQ:MAC")]
        anchor: Option<crate::store::AuditAnchor>,
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
        /// A hall the account belongs to (repeat for several); none: the whole city — or, for an
        /// administrator of some halls, theirs.
        #[arg(long = "hall", value_name = "CODE")]
        halls: Vec<String>,
    },
    /// Set a password (JIANCHA_NEW_PASSWORD or a prompt).
    Passwd {
        username: String,
    },
    /// Change an account's name, role or halls.
    Edit {
        username: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        role: Option<RoleArg>,
        /// The halls the account belongs to from now on (repeat for several); its sessions end.
        #[arg(long = "hall", value_name = "CODE", conflicts_with = "city")]
        halls: Vec<String>,
        /// The account belongs to the whole city from now on.
        #[arg(long)]
        city: bool,
    },
    /// Give an account a temporary password (JIANCHA_NEW_PASSWORD or a prompt) that its user must
    /// replace at the next login.
    Reset {
        username: String,
    },
    /// Disable an account (its sessions end); never oneself or the last active administrator.
    Disable {
        username: String,
    },
    Enable {
        username: String,
    },
    /// End a lock-out after failed logins.
    Unlock {
        username: String,
    },
    /// The account changes waiting for a second person (a new chief or administrator, a promotion to
    /// one, the reset of one's password), then the last decided.
    Changes {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Confirm an account change another administrator asked for (administrators and chiefs).
    Confirm {
        change: i64,
    },
    /// Refuse an account change, with the reason.
    Refuse {
        change: i64,
        #[arg(long)]
        reason: String,
    },
    /// Take back an account change one asked for oneself.
    Withdraw {
        change: i64,
    },
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
    Days {
        #[arg(value_parser = parse_day)]
        from: NaiveDate,
        #[arg(value_parser = parse_day)]
        to: NaiveDate,
    },
    /// The promised deadline of a case accepted on DATE with DAYS working days.
    Deadline {
        #[arg(value_parser = parse_day)]
        accepted: NaiveDate,
        days: u32,
    },
    /// Enter a year's holidays and make-up working days from the State Council's notice, from a file in
    /// the built-in format (holiday-cn's YYYY.json); the open cases are recomputed (administrators).
    Set { year: i32, file: PathBuf },
    /// A year's holidays and make-up working days in force, and where they come from.
    Show {
        year: i32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// A local date `YYYY-MM-DD` in the years the system works with.
pub(super) fn parse_day(s: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|e| format!("{s:?}: {e} (YYYY-MM-DD)"))?;
    crate::domain::time::check_date(date)
}

pub(super) fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    let at = DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).map_err(|e| format!("{s:?}: {e}"))?;
    crate::domain::time::check_date(at.date_naive())?;
    Ok(at)
}

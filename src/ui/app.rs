//! The console application: `logic_step` drains worker replies and applies commands; `ui` only draws.
//! The console's own commands and replies (login, navigation, the link to a server) are handled here;
//! each area's go to its `logic.rs` through `areas.rs`.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::store::StoreError;

use super::areas::{AppCommand, AreaRuntimes};
use super::command::Command;
use super::context::{RuntimeStart, shared};
use super::fonts::{self, CjkFont};
use super::i18n::Lang;
use super::state::{AppState, Area, NoticeLevel, Screen};
use super::theme::{AlertPalette, Tokens};
use super::worker::{DataWorker, Job, JobError, Reply};
use super::{Options, shell};

/// How often the status bar's data freshness is refreshed.
const OVERVIEW_REFRESH: Duration = Duration::from_secs(30);
/// The shortest pause between two reloads of the overview and the directory for changes made elsewhere.
const FOLLOW_PAUSE: Duration = Duration::from_secs(5);
/// How often the directory (cameras, windows, staff) is read again without a known change.
const DIRECTORY_REFRESH: Duration = Duration::from_secs(60);

const PREFS_KEY: &str = "jiancha.prefs";

const WALL_KEY: &str = "jiancha.wall";

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Prefs {
    lang: Lang,
    palette: AlertPalette,
}

/// The app. Its fields are the areas' to use (`pub(super)`: the `ui` module only).
pub struct JianchaApp {
    pub(super) egui_ctx: egui::Context,
    pub(super) state: AppState,
    /// What the areas run besides their state: the wall's decoders, the footage players.
    pub(super) runtimes: AreaRuntimes,
    pub(super) worker: DataWorker,
    pub(super) commands: Vec<AppCommand>,
    pub(super) clock: Arc<dyn Clock>,
    pending_user: Option<String>,
    /// Serve the demo's simulated cameras when they are the hall's (off in tests).
    start_simulator: bool,
}

impl JianchaApp {
    /// Builds the app; the database is opened on the worker thread, never here.
    pub fn new(cc: &eframe::CreationContext<'_>, options: Options) -> Result<Self, std::io::Error> {
        let prefs = cc.storage.and_then(|s| eframe::get_value::<Prefs>(s, PREFS_KEY));
        let lang = options.lang.or(prefs.map(|p| p.lang)).unwrap_or_default();
        let palette = prefs.map(|p| p.palette).unwrap_or_default();
        let mut state = AppState::new(lang, palette);
        state.tokens.apply(&cc.egui_ctx);
        if let Some(layout) = cc.storage.and_then(|s| eframe::get_value::<super::wall::state::WallLayout>(s, WALL_KEY))
            && super::wall::state::WALL_LAYOUTS.contains(&layout.tiles)
        {
            state.wall.layout = layout;
        }

        let font: Option<CjkFont> = match options.font {
            super::FontChoice::Given(font) => Some(font),
            super::FontChoice::Search => fonts::find_cjk_font(),
            super::FontChoice::Missing => None,
        };
        match &font {
            Some(f) => {
                fonts::install(&cc.egui_ctx, f);
                state.font_family = Some(f.family.clone());
            }
            None => {
                tracing::warn!("no CJK font found; install {}", fonts::FONT_PACKAGE);
                state.screen = Screen::NoFont;
            }
        }

        let mut worker = DataWorker::spawn(cc.egui_ctx.clone(), options.clock.clone())?;
        worker.submit(Job::Open {
            data_dir: options.data_dir.clone(),
            create_demo_if_missing: options.demo,
            start_simulator: options.start_simulator,
            backend: options.backend.clone(),
        });
        state.login.username = options.user.clone().unwrap_or_default();
        let runtimes =
            AreaRuntimes::start(&RuntimeStart { egui: &cc.egui_ctx, gl: cc.gl.clone(), clock: options.clock.clone() });
        Ok(Self {
            egui_ctx: cc.egui_ctx.clone(),
            state,
            runtimes,
            worker,
            commands: Vec::new(),
            clock: options.clock,
            pending_user: options.user,
            start_simulator: options.start_simulator,
        })
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn state_mut(&mut self) -> &mut AppState {
        &mut self.state
    }

    /// Queues a command as a panel would (tests drive the app this way too).
    pub fn push(&mut self, command: impl Into<AppCommand>) {
        self.commands.push(command.into());
    }

    pub fn is_busy(&self) -> bool {
        self.worker.is_busy()
    }

    /// Decoders running now (tests).
    pub fn running_decoders(&self) -> usize {
        self.runtimes.wall.runner.running()
    }

    /// Hands a job to the data worker; says so when it is too far behind.
    pub(super) fn submit(&mut self, job: impl Into<Job>) {
        if !self.worker.submit(job.into()) {
            self.state.notice = Some((
                NoticeLevel::Warning,
                self.state.lang.pick("数据服务繁忙，请稍后重试。", "The data service is busy; try again.").into(),
            ));
        }
    }

    pub(super) fn session_expired(&mut self) {
        self.state.session = None;
        self.state.screen = Screen::Login;
        self.state.login.error =
            Some(self.state.lang.pick("登录已过期，请重新登录。", "Your session has ended; log in again.").into());
    }

    /// The text of a store error; a lost session goes back to the login screen.
    fn store_error(&mut self, error: &StoreError) -> String {
        if matches!(error, StoreError::SessionExpired) {
            self.session_expired();
        }
        error.to_string()
    }

    /// The text of a job's error; a lost session goes back to the login screen.
    fn job_error(&mut self, error: &JobError) -> String {
        match error {
            JobError::Store(e) => self.store_error(e),
            JobError::Local(m) => m.clone(),
        }
    }

    /// Saves the server address of the settings area and reopens the data with it (a new login).
    /// Reads the directory again (the wall, the pickers and the player follow it).
    fn reload_directory(&mut self) {
        if let Some(s) = self.state.session.clone() {
            self.state.last_directory_request = Some(self.clock.monotonic());
            self.submit(Job::Directory(s));
        }
    }

    /// The data directory in use: the opened one, or the one the first-start screen is about.
    fn data_dir(&self) -> Option<std::path::PathBuf> {
        self.state.opened.as_ref().map(|o| o.data_dir.clone()).or_else(|| self.state.first_start.data_dir.clone())
    }

    /// 新建本大厅: checks the form (pure), then the worker sets the directory up.
    fn set_up_hall(&mut self) {
        let lang = self.state.lang;
        let Some(data_dir) = self.data_dir() else { return };
        let form = &mut self.state.first_start;
        let missing = |what: &str| Some(format!("{}{what}", lang.pick("请填写", "Please fill in: ")));
        form.error = if form.username.trim().is_empty() {
            missing(lang.pick("管理员用户名", "the administrator's user name"))
        } else if form.display_name.trim().is_empty() {
            missing(lang.pick("管理员姓名", "the administrator's name"))
        } else if form.password != form.password_again {
            Some(lang.pick("两次输入的密码不一致。", "The two passwords differ.").into())
        } else if form.hall_code.trim().is_empty() {
            missing(lang.pick("大厅编码", "the hall's code"))
        } else if form.hall_name.trim().is_empty() {
            missing(lang.pick("大厅名称", "the hall's name"))
        } else {
            None
        };
        if form.error.is_some() {
            return;
        }
        form.pending = true;
        let username = form.username.trim().to_owned();
        form.login_after_open = Some((username.clone(), form.password.clone()));
        let job = Job::SetUpHall {
            data_dir,
            admin: crate::store::NewUser {
                username,
                display_name: form.display_name.trim().to_owned(),
                role: crate::domain::access::Role::Admin,
                password: form.password.clone(),
                halls: Vec::new(),
            },
            hall: crate::domain::model::Hall {
                code: form.hall_code.trim().to_owned(),
                name: form.hall_name.trim().to_owned(),
                address: form.hall_address.trim().to_owned(),
                level: form.hall_level,
            },
            start_simulator: self.start_simulator,
        };
        self.submit(job);
    }

    fn save_backend(&mut self) {
        let Some(data_dir) = self.data_dir() else { return };
        let form = &mut self.state.backend_form;
        let (url, ca) = (form.url.trim(), form.ca_cert.trim());
        let settings = crate::settings::Workstation {
            backend: crate::settings::BackendSettings {
                // Written even when empty: the local database, chosen over an installed server address.
                url: Some(url.to_owned()),
                ca_cert: (!ca.is_empty()).then(|| std::path::PathBuf::from(ca)),
            },
        };
        // Checked here (pure); written by the data worker.
        if let Err(e) = settings.backend.validate() {
            form.error = Some(e);
            return;
        }
        form.error = None;
        self.submit(Job::SaveWorkstation { data_dir, settings });
    }

    /// The settings are saved: log out and reopen the data with the new backend.
    fn reopen(&mut self, backend: Option<crate::store::remote::Connection>) {
        let Some(data_dir) = self.data_dir() else { return };
        if let Some(session) = self.state.session.take() {
            self.submit(Job::Logout(session));
        }
        self.state.opened = None;
        self.state.overview = None;
        self.state.directory = None;
        self.state.alerts = Default::default();
        self.state.backend_form = Default::default();
        self.state.screen = Screen::Starting;
        self.state.link = super::state::LinkView::default();
        self.submit(Job::Open { data_dir, create_demo_if_missing: false, start_simulator: false, backend });
    }

    /// Remote mode: mirror the link into the state, reload when the server's data changed, and send the
    /// outbox once the server is back.
    fn link_logic(&mut self) {
        let link = self.worker.link();
        if !link.remote.load(std::sync::atomic::Ordering::Relaxed) {
            self.state.link = super::state::LinkView::default();
            return;
        }
        let revision = link.revision.load(std::sync::atomic::Ordering::Relaxed);
        self.state.link.offline = link.is_offline();
        self.state.link.pending = link.pending.load(std::sync::atomic::Ordering::Relaxed);
        let Some(session) = self.state.session.clone() else { return };
        if revision != self.state.link.seen_revision {
            self.state.link.seen_revision = revision;
            if self.state.alerts.loaded {
                self.commands.push(super::alerts::AlertsCommand::Follow.into());
            }
            self.state.link.overview_due = true;
        }
        // The overview and the hall's directory follow a change at most every few seconds: a hall whose
        // approval system pushes many times a second must not have every console reload them each time.
        if self.state.link.overview_due
            && self.state.last_overview_request.is_none_or(|t| self.clock.elapsed(t) >= FOLLOW_PAUSE)
        {
            self.state.link.overview_due = false;
            if self.state.last_directory_request.is_none_or(|t| self.clock.elapsed(t) >= FOLLOW_PAUSE) {
                self.state.last_directory_request = None;
            }
            self.commands.push(AppCommand::Console(Command::RefreshOverview));
        }
        if !self.state.link.offline
            && self.state.link.pending > 0
            && self.state.link.last_flush.is_none_or(|t| self.clock.elapsed(t) >= Duration::from_secs(3))
        {
            self.state.link.last_flush = Some(self.clock.monotonic());
            self.submit(Job::FlushOutbox(session));
        }
    }

    fn handle(&mut self, reply: Reply) {
        let lang = self.state.lang;
        match reply {
            Reply::Opened(Ok(opened)) => {
                if self.state.screen == Screen::Starting {
                    self.state.screen = Screen::Login;
                }
                if opened.demo_created {
                    self.state.notice = Some((
                        NoticeLevel::Info,
                        format!(
                            "{} {}",
                            lang.pick("已创建演示大厅。演示账号 supervisor1 / chief1 / auditor1 / admin1，密码", "The demo hall was created. Demo users supervisor1 / chief1 / auditor1 / admin1, password"),
                            crate::demo::DEMO_PASSWORD
                        ),
                    ));
                }
                if let Some(w) = &opened.settings_warning {
                    self.state.notice = Some((NoticeLevel::Warning, w.clone()));
                }
                if let Some(Err(e)) = &opened.simulator {
                    self.state.notice = Some((
                        NoticeLevel::Warning,
                        format!("{} {e}", lang.pick("模拟摄像头未能启动：", "Simulated cameras did not start:")),
                    ));
                }
                self.state.opened = Some(*opened);
            }
            Reply::Opened(Err(e)) => self.state.screen = Screen::OpenFailed(e.to_string()),
            Reply::NothingToOpen(data_dir) => {
                self.state.first_start.data_dir = Some(data_dir);
                if self.state.screen != Screen::NoFont {
                    self.state.screen = Screen::FirstStart;
                }
            }
            Reply::HallSetUp(Ok(opened)) => {
                let form = &mut self.state.first_start;
                form.pending = false;
                form.password.clear();
                form.password_again.clear();
                self.state.opened = Some(*opened);
                self.state.screen = Screen::Login;
                // Log in as the new administrator at once.
                if let Some((username, password)) = self.state.first_start.login_after_open.clone() {
                    self.state.login.username = username;
                    self.state.login.password = password;
                    self.commands.push(AppCommand::Console(Command::Login));
                }
            }
            Reply::HallSetUp(Err(e)) => {
                let m = self.job_error(&e);
                let form = &mut self.state.first_start;
                form.pending = false;
                form.login_after_open = None;
                form.error = Some(m);
            }
            Reply::PasswordChanged(result) => {
                self.state.login.pending = false;
                match result {
                    Ok(()) => {
                        self.state.login.current_password.clear();
                        self.state.login.new_password.clear();
                        self.state.login.new_password_again.clear();
                        if let Some(s) = &mut self.state.session {
                            s.must_change_password = false;
                        }
                        self.state.screen = Screen::Main;
                        self.state.area = Area::Wall;
                        if let Some(s) = self.state.session.clone() {
                            self.submit(Job::Directory(s.clone()));
                            self.submit(Job::Overview(s));
                        }
                    }
                    Err(e) => self.state.login.error = Some(self.store_error(&e)),
                }
            }
            Reply::LoggedIn(result) => {
                self.state.login.pending = false;
                match result {
                    Ok(session) => {
                        self.state.login.password.clear();
                        self.state.login.error = None;
                        self.state.session = Some(session.clone());
                        if session.must_change_password {
                            // Nothing else is allowed until the reset password is replaced.
                            self.state.screen = Screen::ChangePassword;
                            return;
                        }
                        if self.state.screen != Screen::NoFont {
                            self.state.screen = Screen::Main;
                        }
                        // The console opens on the video wall; a hall just set up, on 系统管理.
                        self.state.area = Area::Wall;
                        if self.state.first_start.login_after_open.take().is_some() {
                            self.commands.push(AppCommand::Console(Command::Navigate(Area::Admin)));
                        }
                        self.state.last_directory_request = Some(self.clock.monotonic());
                        self.submit(Job::Directory(session.clone()));
                        self.submit(Job::Overview(session));
                        self.state.last_overview_request = Some(self.clock.monotonic());
                    }
                    Err(e) => {
                        self.state.login.password.clear();
                        self.state.login.error = Some(e.to_string());
                    }
                }
            }
            Reply::LoggedOut => {}
            Reply::Flushed(Ok(report)) => {
                self.state.link.last_flush = Some(self.clock.monotonic());
                if !report.sent.is_empty() {
                    let refused: Vec<String> = report
                        .sent
                        .iter()
                        .filter_map(|e| e.refused.as_ref().map(|r| format!("{}: {r}", e.method)))
                        .collect();
                    let sent = report.sent.len() - refused.len();
                    let text = if refused.is_empty() {
                        format!(
                            "{} {sent} {}",
                            lang.pick("已恢复连接：发件箱中的", "Back online: the outbox sent"),
                            lang.pick("项操作已送达服务器。", "writes to the server.")
                        )
                    } else {
                        format!(
                            "{} {sent}；{} {}",
                            lang.pick("发件箱已送达", "Outbox sent"),
                            lang.pick("被服务器拒绝：", "refused by the server:"),
                            refused.join("；")
                        )
                    };
                    let level = if refused.is_empty() { NoticeLevel::Info } else { NoticeLevel::Warning };
                    self.state.notice = Some((level, text));
                    self.commands.push(super::alerts::AlertsCommand::Load.into());
                    self.commands.push(AppCommand::Console(Command::RefreshOverview));
                }
            }
            Reply::WorkstationSaved(Ok(backend)) => self.reopen(backend),
            Reply::WorkstationSaved(Err(e)) => self.state.backend_form.error = Some(e.to_string()),
            Reply::Flushed(Err(e)) => {
                self.state.link.last_flush = Some(self.clock.monotonic());
                let m = self.store_error(&e);
                tracing::info!("outbox: {m}");
            }
            Reply::Overview(Ok(o)) => self.state.overview = Some(o),
            Reply::Overview(Err(e)) => {
                let m = self.store_error(&e);
                tracing::warn!("overview: {m}");
            }
            Reply::Directory(Ok(d)) => {
                if self.state.session.as_ref().is_some_and(|s| s.view.is_empty()) {
                    self.state.view_halls = d.halls.iter().map(|h| (h.code.clone(), h.name.clone())).collect();
                }
                self.state.directory = Some(d);
            }
            Reply::Printers(list) => self.state.printers = Some(list),
            Reply::Directory(Err(e)) => {
                let m = self.store_error(&e);
                self.state.notice = Some((NoticeLevel::Error, m));
            }
            Reply::Area(reply) => self.handle_area(reply),
        }
    }

    fn apply(&mut self, ctx: &egui::Context, command: Command) {
        let session = self.state.session.clone();
        match command {
            Command::Login => {
                let form = &mut self.state.login;
                if form.username.trim().is_empty() || form.password.is_empty() {
                    form.error =
                        Some(self.state.lang.pick("请输入用户名和密码。", "Enter your user name and password.").into());
                    return;
                }
                form.pending = true;
                form.error = None;
                let job = Job::Login { username: form.username.trim().to_owned(), password: form.password.clone() };
                self.submit(job);
            }
            Command::Logout => {
                if let Some(s) = session {
                    self.submit(Job::Logout(s));
                }
                let lang = self.state.lang;
                let palette = self.state.palette;
                let opened = self.state.opened.take();
                let font_family = self.state.font_family.take();
                let username = self.state.login.username.clone();
                self.state = AppState::new(lang, palette);
                self.state.opened = opened;
                self.state.font_family = font_family;
                self.state.login.username = username;
                self.state.screen = Screen::Login;
            }
            Command::Navigate(area) => {
                self.state.area = area;
                if area == Area::Overview {
                    self.commands.push(AppCommand::Console(Command::RefreshOverview));
                }
                self.areas_navigated(area);
            }
            Command::SetLang(lang) => self.state.lang = lang,
            Command::SetPalette(palette) => {
                self.state.palette = palette;
                self.state.tokens = Tokens::new(palette);
                self.state.tokens.apply(ctx);
            }
            Command::RefreshOverview => {
                if let Some(s) = session {
                    self.state.last_overview_request = Some(self.clock.monotonic());
                    // The hall's cameras and windows too, now and then: changes made elsewhere (a hall
                    // file applied, another workstation's 系统管理) reach the wall without a restart.
                    if self.state.last_directory_request.is_none_or(|t| self.clock.elapsed(t) >= DIRECTORY_REFRESH) {
                        self.reload_directory();
                    }
                    self.submit(Job::Overview(s));
                }
            }
            Command::DismissNotice => self.state.notice = None,
            Command::SaveBackend => self.save_backend(),
            Command::SetSoundOnRed(on) => self.state.sound_on_red = on,
            Command::ReloadDirectory => self.reload_directory(),
            Command::CalendarWarning(warning) => {
                if let Some(opened) = &mut self.state.opened {
                    opened.calendar_warning = warning;
                }
            }
            Command::LoadPrinters => self.submit(Job::Printers),
            Command::SetPrinter(printer) => self.state.printer = printer,
            Command::ContinueWithoutFont => {
                self.state.lang = Lang::En;
                self.state.screen = if self.state.session.is_some() {
                    Screen::Main
                } else if self.state.opened.is_some() {
                    Screen::Login
                } else if self.state.first_start.data_dir.is_some() {
                    Screen::FirstStart
                } else {
                    Screen::Starting
                };
            }
            Command::FirstStartChoose(choice) => {
                self.state.first_start.choice = choice;
                self.state.first_start.error = None;
            }
            Command::OpenDemo => {
                let Some(data_dir) = self.state.first_start.data_dir.clone() else { return };
                self.state.screen = Screen::Starting;
                self.submit(Job::Open {
                    data_dir,
                    create_demo_if_missing: true,
                    start_simulator: self.start_simulator,
                    backend: None,
                });
            }
            Command::SetUpHall => self.set_up_hall(),
            Command::ChangeOwnPassword => {
                let lang = self.state.lang;
                let Some(s) = session else { return };
                let form = &mut self.state.login;
                if form.new_password != form.new_password_again {
                    form.error = Some(lang.pick("两次输入的密码不一致。", "The two passwords differ.").into());
                    return;
                }
                form.error = None;
                form.pending = true;
                let (current, password) = (form.current_password.clone(), form.new_password.clone());
                self.submit(Job::ChangeOwnPassword { session: s, current, password });
            }
            Command::SetView(view) => {
                let Some(mut s) = session else { return };
                if s.view == view {
                    return;
                }
                s.view = view;
                // Every area starts again on the new filter, as after a login; the wall keeps its
                // layout and takes the new directory's cameras.
                self.state.session = Some(s.clone());
                self.state.overview = None;
                self.state.alerts = Default::default();
                self.state.supervision = Default::default();
                self.state.audit = Default::default();
                self.state.attendance = Default::default();
                self.state.evaluator = Default::default();
                self.state.footage = Default::default();
                self.state.admin = Default::default();
                self.state.assessment = Default::default();
                self.state.last_directory_request = Some(self.clock.monotonic());
                self.state.last_overview_request = Some(self.clock.monotonic());
                self.submit(Job::Directory(s.clone()));
                self.submit(Job::Overview(s));
                self.areas_navigated(self.state.area);
            }
            Command::Open(item) => {
                for command in route(item) {
                    self.apply_area(command);
                }
            }
        }
    }

    /// Non-drawing work of a frame: replies, commands, timers.
    pub fn logic_step(&mut self, ctx: &egui::Context) {
        while let Some(reply) = self.worker.try_recv() {
            self.handle(reply);
        }
        // `--user NAME` with JIANCHA_PASSWORD logs in by itself once the database is open.
        if self.state.screen == Screen::Login
            && self.state.opened.is_some()
            && let Some(user) = self.pending_user.take()
            && let Ok(password) = std::env::var("JIANCHA_PASSWORD")
        {
            self.state.login.username = user;
            self.state.login.password = password;
            self.commands.push(AppCommand::Console(Command::Login));
        }
        let commands = std::mem::take(&mut self.commands);
        for command in commands {
            match command {
                AppCommand::Console(c) => self.apply(ctx, c),
                AppCommand::Area(c) => self.apply_area(c),
            }
        }
        if self.state.session.is_some()
            && self.state.last_overview_request.is_none_or(|t| self.clock.elapsed(t) >= OVERVIEW_REFRESH)
        {
            self.commands.push(AppCommand::Console(Command::RefreshOverview));
            ctx.request_repaint();
        }
        self.link_logic();
        self.areas_frame();
        // The clock in the status bar.
        ctx.request_repaint_after(Duration::from_secs(1));
    }
}

impl eframe::App for JianchaApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.logic_step(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let (now, monotonic) = (self.clock.now(), self.clock.monotonic());
        let busy = self.worker.is_busy();
        shell::app_ui(ui, &mut self.state, &mut self.commands, (now, monotonic), busy);
        if self.state.wall.second_window && self.state.screen == Screen::Main {
            let state = &mut self.state;
            let commands = &mut self.commands;
            let title = state.lang.pick("监察台 · 视频墙（第二屏）", "Jiancha · video wall (second screen)");
            ui.ctx().show_viewport_immediate(
                egui::ViewportId::from_hash_of("jiancha_wall_second"),
                egui::ViewportBuilder::default().with_title(title).with_inner_size([1280.0, 720.0]),
                |ui, _class| {
                    let mut sender = super::context::Sender::default();
                    egui::CentralPanel::no_frame().show(ui, |ui| {
                        let panel = &mut super::context::Panel {
                            shared: shared!(state, now, monotonic),
                            view: &mut state.wall,
                        };
                        super::wall::grid_ui(ui, panel, &mut sender, now, false);
                    });
                    if ui.input(|i| i.viewport().close_requested()) {
                        sender.push(super::wall::WallCommand::SetSecondWindow(false));
                    }
                    super::areas::queue(sender.take(), super::areas::AreaCommand::Wall, commands);
                },
            );
        }
        if !self.commands.is_empty() {
            ui.ctx().request_repaint();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &Prefs { lang: self.state.lang, palette: self.state.palette });
        eframe::set_value(storage, WALL_KEY, &self.state.wall.layout);
    }
}

/// The area command that opens what another area asked for (`ui::open`): the one place that knows
/// which area owns which item.
fn route(item: super::open::Open) -> Vec<super::areas::AreaCommand> {
    use super::admin::{AdminCommand, state::AdminTab};
    use super::alerts::AlertsCommand;
    use super::areas::AreaCommand;
    use super::footage::FootageCommand;
    use super::open::Open;
    use super::supervision::{SupervisionAction, SupervisionCommand};
    let one = match item {
        Open::Case(case_no) => AreaCommand::Alerts(AlertsCommand::OpenCase(case_no)),
        Open::Alerts(level) => AreaCommand::Alerts(AlertsCommand::Show(level)),
        Open::FootageRequest { cameras, from, to, purpose, kind, case_no, complaint_no } => {
            AreaCommand::Footage(FootageCommand::NewRequest { cameras, from, to, purpose, kind, case_no, complaint_no })
        }
        Open::FootageForEvent { window_code, at, case_no } => {
            AreaCommand::Footage(FootageCommand::ForEvent { window_code, at, case_no })
        }
        Open::Observation(draft) => AreaCommand::Supervision(SupervisionCommand::OpenObservation(draft)),
        Open::NoticePdf { notice_id, print } => {
            AreaCommand::Supervision(SupervisionCommand::Act(SupervisionAction::NoticePdf { notice_id, print }))
        }
        Open::DailyPdf(day) => AreaCommand::Supervision(SupervisionCommand::Act(SupervisionAction::DailyPdf(day))),
        Open::Calendar(year) => {
            let mut commands = vec![AreaCommand::Admin(AdminCommand::Tab(AdminTab::Calendar))];
            commands.extend(year.map(|y| AreaCommand::Admin(AdminCommand::CalendarYear(y))));
            return commands;
        }
    };
    vec![one]
}

//! The console application: `logic` drains worker replies and applies commands; `ui` only draws.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::clock::Clock;
use crate::domain::time;
use std::collections::HashSet;

use crate::domain::alerts::Level;
use crate::store::{AlertRow, AlertState, AuditQuery, NewNotice, RefreshReport, StoreError};

use super::command::Command;
use super::fonts::{self, CjkFont};
use super::i18n::Lang;
use super::state::{AlertDialog, AppState, Area, NoticeLevel, Screen};
use super::theme::{AlertPalette, Tokens};
use super::wall_runner::WallRunner;
use super::worker::{ActionDone, DataWorker, Job, Reply};
use super::{Options, shell};

/// How often the status bar's data freshness is refreshed.
const OVERVIEW_REFRESH: Duration = Duration::from_secs(30);
/// How often alerts are re-evaluated for time-driven changes.
const ALERT_REFRESH: Duration = Duration::from_secs(30);
/// Audit records fetched per page.
const AUDIT_PAGE: u32 = 500;

const PREFS_KEY: &str = "jiancha.prefs";

const WALL_KEY: &str = "jiancha.wall";

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Prefs {
    lang: Lang,
    palette: AlertPalette,
}

mod footage_logic;
mod supervision_logic;

pub struct JianchaApp {
    egui_ctx: egui::Context,
    /// The footage player (its thread decodes; the UI reads its shared state).
    player: Option<crate::video::playback::Player>,
    state: AppState,
    worker: DataWorker,
    wall: WallRunner,
    commands: Vec<Command>,
    clock: Arc<dyn Clock>,
    pending_user: Option<String>,
    /// The frame kept when the discipline dialog opened.
    pending_frame: Option<Arc<crate::video::decoder::Frame>>,
}

fn lang_pick(lang: Lang, zh: &str, en: &str) -> String {
    lang.pick_owned(zh, en)
}

impl JianchaApp {
    /// Builds the app; the database is opened on the worker thread, never here.
    pub fn new(cc: &eframe::CreationContext<'_>, options: Options) -> Result<Self, std::io::Error> {
        let prefs = cc.storage.and_then(|s| eframe::get_value::<Prefs>(s, PREFS_KEY));
        let lang = options.lang.or(prefs.map(|p| p.lang)).unwrap_or_default();
        let palette = prefs.map(|p| p.palette).unwrap_or_default();
        let mut state = AppState::new(lang, palette);
        state.tokens.apply(&cc.egui_ctx);
        if let Some(layout) = cc.storage.and_then(|s| eframe::get_value::<super::state::WallLayout>(s, WALL_KEY))
            && super::state::WALL_LAYOUTS.contains(&layout.tiles)
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
            create_demo_if_missing: !options.explicit_data_dir,
            start_simulator: options.start_simulator,
            backend: options.backend.clone(),
        });
        state.login.username = options.user.clone().unwrap_or_default();
        let wall = WallRunner::new(&cc.egui_ctx);
        Ok(Self {
            egui_ctx: cc.egui_ctx.clone(),
            player: None,
            state,
            worker,
            wall,
            commands: Vec::new(),
            clock: options.clock,
            pending_user: options.user,
            pending_frame: None,
        })
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn state_mut(&mut self) -> &mut AppState {
        &mut self.state
    }

    /// Queues a command as a panel would (tests drive the app this way too).
    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }

    pub fn is_busy(&self) -> bool {
        self.worker.is_busy()
    }

    fn submit(&mut self, job: Job) {
        if !self.worker.submit(job) {
            self.state.notice = Some((
                NoticeLevel::Warning,
                self.state.lang.pick("数据服务繁忙，请稍后重试。", "The data service is busy; try again.").into(),
            ));
        }
    }

    fn session_expired(&mut self) {
        self.state.session = None;
        self.state.screen = Screen::Login;
        self.state.login.error =
            Some(self.state.lang.pick("登录已过期，请重新登录。", "Your session has ended; log in again.").into());
    }

    /// Shows a store error; a lost session goes back to the login screen.
    /// Saves the server address of the settings area and reopens the data with it (a new login).
    fn save_backend(&mut self) {
        let Some(data_dir) = self.state.opened.as_ref().map(|o| o.data_dir.clone()) else { return };
        let form = &mut self.state.backend_form;
        let (url, ca) = (form.url.trim(), form.ca_cert.trim());
        let settings = crate::settings::Workstation {
            backend: crate::settings::BackendSettings {
                url: (!url.is_empty()).then(|| url.to_owned()),
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
        let Some(data_dir) = self.state.opened.as_ref().map(|o| o.data_dir.clone()) else { return };
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
                self.commands.push(Command::LoadAlerts);
            }
            self.commands.push(Command::RefreshOverview);
        }
        if !self.state.link.offline
            && self.state.link.pending > 0
            && self.state.link.last_flush.is_none_or(|t| t.elapsed() >= Duration::from_secs(3))
        {
            self.state.link.last_flush = Some(Instant::now());
            self.submit(Job::FlushOutbox(session));
        }
    }

    fn store_error(&mut self, error: &StoreError) -> String {
        if matches!(error, StoreError::SessionExpired) {
            self.session_expired();
        }
        error.to_string()
    }

    fn handle(&mut self, reply: Reply) {
        let lang = self.state.lang;
        let Some(reply) = self.footage_reply(reply) else { return };
        let Some(reply) = self.supervision_reply(reply) else { return };
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
            Reply::Opened(Err(message)) => self.state.screen = Screen::OpenFailed(message),
            Reply::LoggedIn(result) => {
                self.state.login.pending = false;
                match result {
                    Ok(session) => {
                        self.state.login.password.clear();
                        self.state.login.error = None;
                        self.state.session = Some(session.clone());
                        if self.state.screen != Screen::NoFont {
                            self.state.screen = Screen::Main;
                        }
                        // The console opens on the video wall.
                        self.state.area = Area::Wall;
                        self.submit(Job::Directory(session.clone()));
                        self.submit(Job::Overview(session));
                        self.state.last_overview_request = Some(Instant::now());
                    }
                    Err(e) => {
                        self.state.login.password.clear();
                        self.state.login.error = Some(e.to_string());
                    }
                }
            }
            Reply::LoggedOut => {}
            Reply::Flushed(Ok(report)) => {
                self.state.link.last_flush = Some(Instant::now());
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
                    self.commands.push(Command::LoadAlerts);
                    self.commands.push(Command::RefreshOverview);
                }
            }
            Reply::WorkstationSaved(Ok(backend)) => self.reopen(backend),
            Reply::WorkstationSaved(Err(e)) => self.state.backend_form.error = Some(e),
            Reply::Flushed(Err(e)) => {
                self.state.link.last_flush = Some(Instant::now());
                let m = self.store_error(&e);
                tracing::info!("outbox: {m}");
            }
            Reply::Overview(Ok(o)) => self.state.overview = Some(o),
            Reply::Overview(Err(e)) => {
                let m = self.store_error(&e);
                tracing::warn!("overview: {m}");
            }
            Reply::Directory(Ok(d)) => self.state.directory = Some(d),
            Reply::Directory(Err(e)) => {
                let m = self.store_error(&e);
                self.state.notice = Some((NoticeLevel::Error, m));
            }
            Reply::AuditLog { result, append } => {
                let audit = &mut self.state.audit;
                audit.loading = false;
                audit.loaded = true;
                match result {
                    Ok(records) => {
                        audit.exhausted = (records.len() as u32) < AUDIT_PAGE;
                        audit.error = None;
                        if append {
                            audit.records.extend(records);
                        } else {
                            audit.records = records;
                        }
                    }
                    Err(e) => {
                        let m = self.store_error(&e);
                        self.state.audit.error = Some(m);
                    }
                }
            }
            Reply::AuditVerified(result) => {
                self.state.audit.verifying = false;
                let r = result.map_err(|e| self.store_error(&e));
                self.state.audit.verification = Some(r);
            }
            Reply::Alerts(result) => self.alerts_loaded(result),
            Reply::CaseDetail(result) => {
                if let Some(view) = &mut self.state.case {
                    match result {
                        Ok(detail) if detail.summary.case_no == view.case_no => {
                            view.detail = Some(*detail);
                            view.error = None;
                        }
                        Ok(_) => {}
                        Err(e) => view.error = Some(e.to_string()),
                    }
                }
            }
            Reply::Action(result) => {
                self.state.alerts.action_pending = false;
                match result {
                    Ok(done) => {
                        self.state.alerts.dialog = None;
                        self.state.alerts.dialog_error = None;
                        let message = match &done {
                            ActionDone::Closed(a) => {
                                format!("{} {}", lang.pick("已关闭预警", "Alert closed:"), a.case_no)
                            }
                            ActionDone::NoticeIssued(n) => format!(
                                "{} {}，{} {}",
                                lang.pick("已发出督办通知", "Notice issued:"),
                                n.notice_no,
                                lang.pick("答复期限", "due"),
                                n.due_date
                            ),
                            ActionDone::Replied(n) => {
                                format!("{} {}", lang.pick("已记录答复", "Reply recorded:"), n.notice_no)
                            }
                        };
                        self.state.notice = Some((NoticeLevel::Info, message));
                        self.commands.push(Command::LoadAlerts);
                        if self.state.alerts.notices.is_some() {
                            self.commands.push(Command::LoadNotices);
                        }
                        if let Some(case_no) = self.state.case.as_ref().map(|c| c.case_no.clone()) {
                            self.reload_case(case_no);
                        }
                    }
                    // Offline: kept in the outbox; the dialog is done (sending it again would queue it twice).
                    Err(e @ StoreError::Queued(_)) => {
                        self.state.alerts.dialog = None;
                        self.state.alerts.dialog_error = None;
                        self.state.notice = Some((NoticeLevel::Info, e.to_string()));
                    }
                    Err(e) => {
                        let m = self.store_error(&e);
                        self.state.alerts.dialog_error = Some(m);
                    }
                }
            }
            Reply::Notices(Ok(list)) => self.state.alerts.notices = Some(list),
            Reply::Notices(Err(e)) => {
                let m = self.store_error(&e);
                self.state.notice = Some((NoticeLevel::Error, m));
            }
            Reply::DailyCheck(result) => {
                self.state.alerts.daily_running = false;
                match result {
                    Ok(c) => {
                        self.state.notice = Some((
                            NoticeLevel::Info,
                            format!(
                                "{} {}：{} {}（{} {} / {} {} / {} {}），{} {}",
                                c.day,
                                lang.pick("数据检查完成", "data check done"),
                                c.open_alerts,
                                lang.pick("条预警", "alerts"),
                                lang.pick("红", "red"),
                                c.red,
                                lang.pick("橙", "orange"),
                                c.orange,
                                lang.pick("黄", "yellow"),
                                c.yellow,
                                lang.pick("报告", "report"),
                                c.report_path
                            ),
                        ));
                        self.commands.push(Command::RefreshOverview);
                        self.commands.push(Command::LoadDailyChecks);
                    }
                    Err(e) => self.state.notice = Some((NoticeLevel::Error, e)),
                }
            }
            Reply::DailyChecks(Ok(list)) => self.state.alerts.daily_checks = Some(list),
            Reply::DailyChecks(Err(e)) => {
                let m = self.store_error(&e);
                self.state.notice = Some((NoticeLevel::Error, m));
            }
            Reply::Snapshot(result) => {
                self.state.wall.last_snapshot = Some(match result {
                    Ok(e) => Ok(format!(
                        "{} {}（SHA-256 {}…）",
                        if e.evidence.for_discipline {
                            lang.pick("已记录违纪线索", "Recorded for discipline:")
                        } else {
                            lang.pick("已保存截图", "Snapshot saved:")
                        },
                        e.evidence.path,
                        &e.evidence.sha256[..12]
                    )),
                    Err(e) => Err(e),
                });
                if self.state.evidence.is_some() {
                    self.commands.push(Command::LoadEvidence);
                }
            }
            Reply::Attendance(result) => {
                let view = &mut self.state.attendance;
                view.loading = false;
                match result {
                    Ok(both) => {
                        let (period, trend) = *both;
                        view.period_start = Some(period.ranking.period_start);
                        view.data = Some(period);
                        view.trend = Some(trend);
                        view.error = None;
                    }
                    Err(e) => {
                        let m = self.store_error(&e);
                        self.state.attendance.error = Some(m);
                    }
                }
            }
            Reply::Interview(result) => match result {
                Ok(i) => {
                    self.state.attendance.interview = None;
                    self.state.attendance.dialog_error = None;
                    self.state.notice = Some((
                        NoticeLevel::Info,
                        format!(
                            "{} {} {}",
                            lang.pick("已记录约谈：", "Interview recorded:"),
                            i.staff_name,
                            time::format_local_minutes(i.held_at)
                        ),
                    ));
                    if let Some(p) = self.state.attendance.period_start {
                        self.commands.push(Command::LoadAttendance(p));
                    }
                }
                Err(e) => {
                    let m = self.store_error(&e);
                    self.state.attendance.dialog_error = Some(m);
                }
            },
            Reply::Document(result) => self.state.attendance.document = Some(result),
            Reply::Printers(list) => {
                if self.state.attendance.printer.is_none() {
                    self.state.attendance.printer = list.first().cloned();
                }
                self.state.attendance.printers = Some(list);
            }
            Reply::Evaluator(result) => {
                let view = &mut self.state.evaluator;
                view.loading = false;
                match result {
                    Ok(all) => {
                        let (check, poor, satisfaction) = *all;
                        view.date = Some(check.date);
                        view.date_text = check.date.to_string();
                        view.check = Some(check);
                        view.poor = Some(poor);
                        view.satisfaction = Some(satisfaction);
                        view.error = None;
                    }
                    Err(e) => {
                        let m = self.store_error(&e);
                        self.state.evaluator.error = Some(m);
                    }
                }
            }
            Reply::FollowUp(result) => match result {
                Ok(done) => {
                    self.state.evaluator.follow_up = None;
                    self.state.evaluator.dialog_error = None;
                    if let Some(list) = &mut self.state.evaluator.poor
                        && let Some(p) = list.iter_mut().find(|p| p.key == done.key)
                    {
                        *p = done;
                    }
                }
                Err(e) => {
                    let m = self.store_error(&e);
                    self.state.evaluator.dialog_error = Some(m);
                }
            },
            Reply::Evidence(Ok(list)) => self.state.evidence = Some(list),
            Reply::Evidence(Err(e)) => {
                let m = self.store_error(&e);
                self.state.notice = Some((NoticeLevel::Error, m));
            }
            // Handled by `footage_reply` and `supervision_reply` before this match.
            Reply::Supervision(_) => {}
            Reply::Footage(_)
            | Reply::FootageRequested(_)
            | Reply::FootageDecided(_)
            | Reply::FootageGranted(_)
            | Reply::Exported(_)
            | Reply::HoldChanged(_) => {}
            Reply::Complaints(Ok(list)) => self.state.complaints = Some(list),
            Reply::Complaints(Err(e)) => {
                let m = self.store_error(&e);
                self.state.notice = Some((NoticeLevel::Error, m));
            }
        }
    }

    /// The staff member on duty at a camera's window (the first who punched in today).
    fn on_duty(&self, camera: &crate::domain::model::Camera) -> (Option<String>, Option<String>) {
        let Some(dir) = &self.state.directory else { return (None, None) };
        let window = camera.window_code.as_ref();
        let on_duty_name = self.state.overview.as_ref().and_then(|o| {
            o.window_load
                .iter()
                .find(|l| Some(&l.window_code) == window && l.hall_code == camera.hall_code)
                .and_then(|l| l.on_duty.first().cloned())
        });
        let staff = dir
            .staff
            .iter()
            .filter(|s| s.window.as_ref() == window && window.is_some())
            .find(|s| on_duty_name.as_ref().is_none_or(|n| &s.name == n));
        (staff.map(|s| s.staff_no.clone()), staff.map(|s| s.name.clone()))
    }

    /// Keeps a camera's current frame (or the one held for the discipline dialog) as evidence.
    fn snapshot(&mut self, camera_id: i64, discipline: Option<(super::state::DisciplineDraft, Option<String>)>) {
        let Some(session) = self.state.session.clone() else { return };
        let frame = if discipline.is_some() {
            self.pending_frame.take().or_else(|| self.wall.frame(camera_id))
        } else {
            self.wall.frame(camera_id)
        };
        let Some(frame) = frame else {
            self.state.wall.last_snapshot =
                Some(Err(lang_pick(self.state.lang, "还没有画面，无法截图", "No picture yet to snapshot")));
            return;
        };
        let Some(camera) =
            self.state.directory.as_ref().and_then(|d| d.cameras.iter().find(|c| c.id == camera_id)).cloned()
        else {
            return;
        };
        let (staff_no, _) = self.on_duty(&camera);
        let (taken_at, for_discipline, category, note, staff_no) = match discipline {
            Some((draft, category)) => (draft.taken_at, true, category, draft.note, draft.staff_no),
            None => (frame.received_at, false, None, String::new(), staff_no),
        };
        let request = super::worker::SnapshotRequest {
            session,
            frame,
            camera_id,
            taken_at,
            window_code: camera.window_code.clone(),
            staff_no,
            for_discipline,
            category,
            note,
        };
        self.submit(Job::Snapshot(Box::new(request)));
    }

    fn reload_case(&mut self, case_no: String) {
        if let Some(session) = self.state.session.clone() {
            self.submit(Job::CaseDetail { session, case_no });
        }
    }

    fn alerts_loaded(&mut self, result: Result<(RefreshReport, Vec<AlertRow>), StoreError>) {
        let lang = self.state.lang;
        let view = &mut self.state.alerts;
        view.loading = false;
        let (refresh, rows) = match result {
            Ok(r) => r,
            Err(e) => {
                let m = self.store_error(&e);
                self.state.alerts.error = Some(m);
                return;
            }
        };
        let open_red = |r: &AlertRow| r.level == Level::Red && r.state == AlertState::Open;
        let before: HashSet<i64> = view.rows.iter().filter(|r| open_red(r)).map(|r| r.id).collect();
        let new_red: HashSet<i64> = if view.loaded {
            rows.iter()
                .filter(|r| open_red(r) && (!before.contains(&r.id) || refresh.new_red.contains(&r.id)))
                .map(|r| r.id)
                .collect()
        } else {
            HashSet::new()
        };
        view.loaded = true;
        view.error = None;
        view.rows = rows;
        view.generation += 1;
        if !new_red.is_empty() {
            let n = new_red.len();
            view.new_red = new_red;
            view.new_red_since = Some(Instant::now());
            self.state.notice = Some((
                NoticeLevel::Error,
                format!(
                    "{} {n} {}",
                    lang.pick("新增红色预警", "New red alerts:"),
                    lang.pick("条，已在列表中高亮", "highlighted in the list")
                ),
            ));
            if self.state.sound_on_red {
                super::sound::play_alert();
            }
        }
    }

    fn audit_query(&mut self, before_seq: Option<i64>) -> Option<AuditQuery> {
        let f = &self.state.audit.filter;
        let lang = self.state.lang;
        let date = |text: &str, what: &str| -> Result<Option<NaiveDate>, String> {
            let t = text.trim();
            if t.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| {
                format!("{what}: {t:?} {}", lang.pick("不是日期（应为 YYYY-MM-DD）", "is not a date (YYYY-MM-DD)"))
            })
        };
        let from = date(&f.from, lang.pick("起始日期", "From"));
        let to = date(&f.to, lang.pick("截止日期", "To"));
        let (from, to) = match (from, to) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                self.state.audit.filter_error = Some(e);
                return None;
            }
        };
        self.state.audit.filter_error = None;
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Some(AuditQuery {
            actor: text(&f.actor),
            action_prefix: text(&f.action),
            text: text(&f.text),
            from: from.map(time::start_of_day),
            to: to.and_then(|d| d.succ_opt()).map(time::start_of_day),
            before_seq,
            limit: AUDIT_PAGE,
        })
    }

    fn apply(&mut self, ctx: &egui::Context, command: Command) {
        let Some(command) = self.footage_command(ctx, command) else { return };
        let Some(command) = self.supervision_command(command) else { return };
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
                self.state.supervision.preview = None;
                match area {
                    Area::Audit if !self.state.audit.loaded && !self.state.audit.loading => {
                        self.commands.push(Command::SearchAudit)
                    }
                    Area::Complaints | Area::Discipline | Area::Violations
                        if self.state.supervision.data.is_none() && !self.state.supervision.loading =>
                    {
                        self.commands.push(Command::LoadSupervision);
                        if area == Area::Discipline {
                            self.commands.push(Command::LoadPrinters);
                        }
                    }
                    Area::Overview => self.commands.push(Command::RefreshOverview),
                    Area::Footage if self.state.footage.requests.is_none() && !self.state.footage.loading => {
                        self.commands.push(Command::LoadFootage)
                    }
                    Area::Alerts if !self.state.alerts.loaded && !self.state.alerts.loading => {
                        self.commands.push(Command::LoadAlerts)
                    }
                    Area::Attendance if self.state.attendance.data.is_none() && !self.state.attendance.loading => {
                        if let Some(opened) = &self.state.opened {
                            // The last complete period: the ranking is made once it has ended.
                            let settings = &opened.attendance;
                            let current = settings.period_start(time::local_date(self.clock.now()));
                            let previous = current - chrono::Duration::days(i64::from(settings.period_days.max(1)));
                            self.commands.push(Command::LoadAttendance(previous));
                        }
                        if self.state.attendance.printers.is_none() {
                            self.commands.push(Command::LoadPrinters);
                        }
                    }
                    Area::Evaluator if self.state.evaluator.check.is_none() && !self.state.evaluator.loading => {
                        if let Some(opened) = &self.state.opened {
                            // The previous working day: the daily check looks at a finished day.
                            let today = time::local_date(self.clock.now());
                            let day = opened.calendar.previous_working_day(today).map(|r| r.value).unwrap_or(today);
                            self.commands.push(Command::LoadEvaluator(day));
                        }
                    }
                    _ => {}
                }
            }
            Command::SetLang(lang) => self.state.lang = lang,
            Command::SetPalette(palette) => {
                self.state.palette = palette;
                self.state.tokens = Tokens::new(palette);
                self.state.tokens.apply(ctx);
            }
            Command::RefreshOverview => {
                if let Some(s) = session {
                    self.state.last_overview_request = Some(Instant::now());
                    self.submit(Job::Overview(s));
                }
            }
            Command::SearchAudit => {
                let Some(s) = session else { return };
                if let Some(query) = self.audit_query(None) {
                    self.state.audit.loading = true;
                    self.state.audit.selected = None;
                    self.submit(Job::AuditLog { session: s, query, append: false });
                }
            }
            Command::MoreAudit => {
                let Some(s) = session else { return };
                let before = self.state.audit.records.last().map(|r| r.seq);
                if let (Some(before), Some(query)) = (before, self.audit_query(before)) {
                    self.state.audit.loading = true;
                    self.submit(Job::AuditLog {
                        session: s,
                        query: AuditQuery { before_seq: Some(before), ..query },
                        append: true,
                    });
                }
            }
            Command::VerifyAudit => {
                if let Some(s) = session {
                    self.state.audit.verifying = true;
                    self.state.audit.verification = None;
                    self.submit(Job::VerifyAudit(s));
                }
            }
            Command::SelectAuditRecord(seq) => self.state.audit.selected = seq,
            Command::LoadComplaints => {
                if let Some(s) = session {
                    self.submit(Job::Complaints(s));
                }
            }
            Command::DismissNotice => self.state.notice = None,
            Command::SaveBackend => self.save_backend(),
            Command::LoadAlerts => {
                if let Some(s) = session
                    && !self.state.alerts.loading
                {
                    self.state.alerts.loading = true;
                    self.state.alerts.last_refresh = Some(Instant::now());
                    self.submit(Job::Alerts { session: s, include_inactive: false });
                }
            }
            Command::ShowAlerts(level) => {
                let filter = &mut self.state.alerts.filter;
                filter.levels = match level {
                    Some(Level::Red) => [true, false, false],
                    Some(Level::Orange) => [false, true, false],
                    Some(Level::Yellow) => [false, false, true],
                    None => [true; 3],
                };
                self.state.alerts.tab = super::state::AlertsTab::List;
                self.state.case = None;
                self.commands.push(Command::Navigate(Area::Alerts));
            }
            Command::SetAlertsTab(tab) => {
                self.state.alerts.tab = tab;
                match tab {
                    super::state::AlertsTab::Notices => self.commands.push(Command::LoadNotices),
                    super::state::AlertsTab::DailyChecks => self.commands.push(Command::LoadDailyChecks),
                    super::state::AlertsTab::List => {}
                }
            }
            Command::SelectAlert(id) => {
                self.state.alerts.selected = id;
                self.state.alerts.scroll_to_selected = id.is_some();
            }
            Command::OpenCase(case_no) => {
                self.state.area = Area::Alerts;
                self.state.case = Some(super::state::CaseView { case_no: case_no.clone(), detail: None, error: None });
                self.reload_case(case_no);
            }
            Command::CloseCase => self.state.case = None,
            Command::OpenDialog(dialog) => {
                self.state.alerts.dialog = Some(dialog);
                self.state.alerts.dialog_error = None;
            }
            Command::CancelDialog => {
                self.state.alerts.dialog = None;
                self.state.alerts.dialog_error = None;
            }
            Command::SubmitDialog => {
                let (Some(s), Some(dialog)) = (session, self.state.alerts.dialog.clone()) else { return };
                let job = match dialog {
                    AlertDialog::IssueNotice { alert_id, text } => {
                        Job::IssueNotice { session: s, notice: NewNotice { alert_id, text } }
                    }
                    AlertDialog::Close { alert_id, reason } => Job::CloseAlert { session: s, alert_id, reason },
                    AlertDialog::Reply { notice_id, text, .. } => {
                        Job::RecordReply { session: s, notice_id, reply: text }
                    }
                };
                self.state.alerts.action_pending = true;
                self.submit(job);
            }
            Command::LoadNotices => {
                if let Some(s) = session {
                    self.submit(Job::Notices(s));
                }
            }
            Command::LoadDailyChecks => {
                if let Some(s) = session {
                    self.submit(Job::DailyChecks(s));
                }
            }
            Command::RunDailyCheck => {
                if let Some(s) = session {
                    self.state.alerts.daily_running = true;
                    let day = time::local_date(self.clock.now());
                    self.submit(Job::DailyCheck { session: s, day });
                }
            }
            Command::SetSoundOnRed(on) => self.state.sound_on_red = on,
            Command::SetWallTiles(n) => {
                let wall = &mut self.state.wall;
                // Keep the first camera of the current page on screen.
                let first = wall.page * wall.layout.tiles;
                wall.layout.tiles = n;
                wall.page = first / n;
                wall.fullscreen = None;
            }
            Command::SetWallPage(page) => {
                self.state.wall.page = page.min(self.state.wall.pages().saturating_sub(1));
                self.state.wall.tour_page_since = Some(Instant::now());
            }
            Command::AssignCamera { slot, camera_id } => {
                let slots = &mut self.state.wall.layout.slots;
                if let Some(id) = camera_id {
                    // A camera lives in one slot: move it.
                    for s in slots.iter_mut() {
                        if *s == Some(id) {
                            *s = None;
                        }
                    }
                }
                if slots.len() <= slot {
                    slots.resize(slot + 1, None);
                }
                slots[slot] = camera_id;
            }
            Command::Fullscreen(camera) => self.state.wall.fullscreen = camera,
            Command::SetTouring(on) => {
                self.state.wall.touring = on;
                self.state.wall.tour_page_since = Some(Instant::now());
            }
            Command::SetTourSecs(secs) => self.state.wall.layout.tour_secs = secs.clamp(5, 600),
            Command::ToggleCameraList => self.state.wall.camera_list_open = !self.state.wall.camera_list_open,
            Command::SetSecondWindow(on) => self.state.wall.second_window = on,
            Command::Snapshot(camera_id) => self.snapshot(camera_id, None),
            Command::StartDiscipline(camera_id) => {
                let Some(camera) =
                    self.state.directory.as_ref().and_then(|d| d.cameras.iter().find(|c| c.id == camera_id)).cloned()
                else {
                    return;
                };
                if self.wall.frame(camera_id).is_none() {
                    self.state.wall.last_snapshot = Some(Err(lang_pick(
                        self.state.lang,
                        "还没有画面，无法取证",
                        "No picture yet to keep as evidence",
                    )));
                    return;
                }
                let (staff_no, staff_name) = self.on_duty(&camera);
                self.pending_frame = self.wall.frame(camera_id);
                self.state.wall.discipline = Some(super::state::DisciplineDraft {
                    camera_id,
                    camera_name: camera.name.clone(),
                    window_code: camera.window_code.clone(),
                    staff_no,
                    staff_name,
                    taken_at: self.clock.now(),
                    category: 0,
                    note: String::new(),
                });
            }
            Command::SubmitDiscipline => {
                if let Some(draft) = self.state.wall.discipline.take() {
                    let category =
                        crate::domain::model::DISCIPLINE_CATEGORIES.get(draft.category).map(|c| (*c).to_owned());
                    self.snapshot(draft.camera_id, Some((draft, category)));
                }
            }
            Command::CancelDiscipline => {
                self.state.wall.discipline = None;
                self.pending_frame = None;
            }
            Command::LoadAttendance(period) => {
                if let Some(s) = session {
                    self.state.attendance.loading = true;
                    self.submit(Job::Attendance { session: s, period_start: period });
                }
            }
            Command::SelectStaff(no) => {
                self.state.attendance.selected_staff = no;
                self.state.attendance.selected_department = None;
            }
            Command::SelectDepartment(d) => {
                self.state.attendance.selected_department = d;
                self.state.attendance.selected_staff = None;
            }
            Command::OpenInterview { staff_no, name } => {
                let now = time::local_datetime(self.clock.now()).format("%Y-%m-%d %H:%M").to_string();
                self.state.attendance.interview = Some(super::state::InterviewDraft {
                    staff_no,
                    name,
                    held_at: now,
                    participants: String::new(),
                    note: String::new(),
                });
                self.state.attendance.dialog_error = None;
            }
            Command::SubmitInterview => {
                let (Some(s), Some(draft), Some(period)) =
                    (session, self.state.attendance.interview.clone(), self.state.attendance.period_start)
                else {
                    return;
                };
                match chrono::NaiveDateTime::parse_from_str(draft.held_at.trim(), "%Y-%m-%d %H:%M") {
                    Ok(local) => {
                        let interview = crate::store::NewInterview {
                            period_start: period,
                            staff_no: draft.staff_no,
                            held_at: time::from_local(local),
                            participants: draft.participants,
                            note: draft.note,
                        };
                        self.submit(Job::RecordInterview { session: s, interview });
                    }
                    Err(_) => {
                        self.state.attendance.dialog_error = Some(lang_pick(
                            self.state.lang,
                            "约谈时间格式应为 YYYY-MM-DD HH:MM",
                            "The time must be YYYY-MM-DD HH:MM",
                        ));
                    }
                }
            }
            Command::CancelInterview => self.state.attendance.interview = None,
            Command::AttendancePdf { notices, print } => {
                let (Some(s), Some(period)) = (session, self.state.attendance.period_start) else { return };
                let printer = print.then(|| self.state.attendance.printer.clone());
                self.state.attendance.document = None;
                self.submit(Job::AttendancePdf { session: s, period_start: period, notices, printer });
            }
            Command::LoadPrinters => self.submit(Job::Printers),
            Command::SetPrinter(p) => self.state.attendance.printer = p,
            Command::LoadEvaluator(date) => {
                if let Some(s) = session {
                    self.state.evaluator.loading = true;
                    self.submit(Job::Evaluator { session: s, date });
                }
            }
            Command::SetEvaluatorTab(tab) => self.state.evaluator.tab = tab,
            Command::SetSatisfactionGroup(g) => self.state.evaluator.group = g,
            Command::OpenFollowUp { key, step } => {
                self.state.evaluator.follow_up = Some((key, step, String::new()));
                self.state.evaluator.dialog_error = None;
            }
            Command::SubmitFollowUp => {
                let (Some(s), Some((key, step, note))) = (session, self.state.evaluator.follow_up.clone()) else {
                    return;
                };
                self.submit(Job::RecordFollowUp { session: s, key, step, note });
            }
            Command::CancelFollowUp => self.state.evaluator.follow_up = None,
            Command::LoadEvidence => {
                if let Some(s) = session {
                    self.submit(Job::Evidence(s));
                }
            }
            // The footage commands, handled by `footage_command` before this match.
            Command::LoadFootage
            | Command::SetFootageTab(_)
            | Command::NewFootageRequest { .. }
            | Command::SubmitFootageRequest
            | Command::CancelFootageDraft
            | Command::CancelFootageRequest(_)
            | Command::ApproveFootage(_)
            | Command::StartRefuse(_)
            | Command::SubmitRefuse
            | Command::CancelRefuse
            | Command::PlayFootage { .. }
            | Command::ClosePlayback
            | Command::PlayerPlay
            | Command::PlayerPause
            | Command::PlayerSeek(_)
            | Command::PlayerSpeed(_)
            | Command::PlayerStep
            | Command::AddBookmark
            | Command::OpenExport { .. }
            | Command::SubmitExport
            | Command::CancelExportDialog
            | Command::CancelExport
            | Command::FootageForEvent { .. }
            | Command::NewHold
            | Command::SubmitHold
            | Command::CancelHold
            | Command::LiftHold { .. } => {}
            // Handled by `supervision_command` before this match.
            Command::LoadSupervision
            | Command::SupervisionWeek(_)
            | Command::Supervise(_)
            | Command::SubmitObservation
            | Command::OpenObservation(_)
            | Command::OpenViolation(_)
            | Command::SubmitComplaint
            | Command::SubmitComplaintStep
            | Command::SubmitViolation
            | Command::SubmitDecision => {}
            Command::ContinueWithoutFont => {
                self.state.lang = Lang::En;
                self.state.screen = if self.state.session.is_some() {
                    Screen::Main
                } else if self.state.opened.is_some() {
                    Screen::Login
                } else {
                    Screen::Starting
                };
            }
        }
    }

    /// The wall: first filling of the slots, touring, and the decoders of what is on screen.
    fn wall_logic(&mut self, ctx: &egui::Context) {
        let cameras = self.state.directory.as_ref().map(|d| d.cameras.clone()).unwrap_or_default();
        let wall = &mut self.state.wall;
        if !wall.initialised && !cameras.is_empty() {
            wall.initialised = true;
            let known: Vec<i64> = cameras.iter().map(|c| c.id).collect();
            wall.layout.slots.retain(|s| s.is_none_or(|id| known.contains(&id)));
            if wall.layout.slots.iter().all(Option::is_none) {
                let mut ordered = cameras.clone();
                ordered.sort_by(|a, b| {
                    (a.window_code.is_none(), &a.window_code, a.id).cmp(&(
                        b.window_code.is_none(),
                        &b.window_code,
                        b.id,
                    ))
                });
                wall.layout.slots = ordered.iter().map(|c| Some(c.id)).collect();
            }
        }
        if wall.touring && wall.fullscreen.is_none() && wall.pages() > 1 {
            let since = *wall.tour_page_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= Duration::from_secs(u64::from(wall.layout.tour_secs)) {
                wall.page = (wall.page + 1) % wall.pages();
                wall.tour_page_since = Some(Instant::now());
            }
            ctx.request_repaint_after(Duration::from_millis(500));
        }
        let on_screen = self.state.session.is_some()
            && self.state.screen == Screen::Main
            && (self.state.area == Area::Wall || wall.second_window);
        self.wall.step(ctx, &mut self.state.wall, &cameras, on_screen);
    }

    /// Decoders running now (tests).
    pub fn running_decoders(&self) -> usize {
        self.wall.running()
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
            self.commands.push(Command::Login);
        }
        let commands = std::mem::take(&mut self.commands);
        for command in commands {
            self.apply(ctx, command);
        }
        if self.state.session.is_some()
            && self.state.last_overview_request.is_none_or(|t| t.elapsed() >= OVERVIEW_REFRESH)
        {
            self.commands.push(Command::RefreshOverview);
            ctx.request_repaint();
        }
        // Alerts change by time alone (a deadline passes at midnight): refresh on a timer, on every area,
        // so that a new red alert is announced wherever the supervisor is.
        if self.state.session.is_some()
            && self.state.alerts.loaded
            && self.state.alerts.last_refresh.is_none_or(|t| t.elapsed() >= ALERT_REFRESH)
        {
            self.commands.push(Command::LoadAlerts);
            ctx.request_repaint();
        }
        self.link_logic();
        super::alerts::recompute(&mut self.state.alerts);
        self.wall_logic(ctx);
        self.footage_logic(ctx);
        // The clock in the status bar.
        ctx.request_repaint_after(Duration::from_secs(1));
    }
}

impl eframe::App for JianchaApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.logic_step(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let now = self.clock.now();
        let busy = self.worker.is_busy();
        shell::app_ui(ui, &mut self.state, &mut self.commands, now, busy);
        if self.state.wall.second_window && self.state.screen == Screen::Main {
            let state = &mut self.state;
            let commands = &mut self.commands;
            let title = state.lang.pick("监察台 · 视频墙（第二屏）", "Jiancha · video wall (second screen)");
            ui.ctx().show_viewport_immediate(
                egui::ViewportId::from_hash_of("jiancha_wall_second"),
                egui::ViewportBuilder::default().with_title(title).with_inner_size([1280.0, 720.0]),
                |ui, _class| {
                    egui::CentralPanel::no_frame().show(ui, |ui| super::wall::grid_ui(ui, state, commands, now, false));
                    if ui.input(|i| i.viewport().close_requested()) {
                        commands.push(Command::SetSecondWindow(false));
                    }
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

//! 系统管理's logic. Every change to the hall is a whole configuration applied through
//! `Store::apply_hall` — the same call as `jiancha hall apply`, so that the console and the hall file
//! can never disagree, and each change is one audited difference. Accounts go through the user calls.

use crate::domain::access::Role;
use crate::domain::hall::{self, HallConfig, Part, WindowSpec};
use crate::domain::model::Hall;
use crate::store::{NewUser, StoreError, UserChange};
use crate::ui::context::{AreaCtx, AreaLogic};
use crate::ui::i18n::Lang;
use crate::ui::nav::Area;
use crate::ui::worker::context::{JobError, Worker};

use super::jobs::{AdminJob, AdminReply};
use super::state::{AdminForm, AdminTab, CameraForm, HallForm, NewUserForm, WindowForm};

/// How long 搜索摄像头 listens for answers.
const DISCOVERY_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// What 系统管理's panels ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminCommand {
    Load,
    Tab(AdminTab),
    /// Show another hall's configuration.
    PickHall(String),
    EditHall,
    AddHall,
    AddDepartment,
    EditDepartment(String),
    AddWindow,
    EditWindow(String),
    AddCamera,
    EditCamera(String),
    /// Ask to retire a department (by name), window (code) or camera (name).
    Retire(Part, String),
    AddUser,
    EditUser(String),
    ResetPassword(String),
    /// Confirm (`true`) or, for the one who asked, withdraw (`false`) account change `id`.
    DecideChange(i64, bool),
    /// Ask for the reason to refuse account change `id`.
    RefuseChange(i64),
    SetActive(String, bool),
    Unlock(String),
    /// Save the open dialog.
    Submit,
    Close,
    /// Open the camera dialog's stream once (测试连接).
    TestConnection,
    /// 搜索摄像头: a WS-Discovery probe on the local network.
    Discover,
    /// A new camera from the `n`-th device found.
    UseDevice(usize),
    /// Ask the dialog's ONVIF device for its stream URIs with the dialog's user and password.
    FetchStreamUris,
    /// 巡察设置 of the camera named.
    WatchSetup(String),
    /// Take the camera's picture again.
    Capture,
    /// 设为基准画面 with the picture taken (`true`), or remove the reference view.
    SetReference(bool),
    /// Remove the seat region (saving the one drawn is the dialog's submit).
    ClearSeat,
    /// 工作日历: show a year.
    CalendarYear(i32),
    /// Fill the form with the year in force (or one empty row) to enter or change it.
    CalendarEdit,
    /// Read the form's file into the form.
    CalendarImport,
    CalendarSave,
    CalendarCancel,
    /// 通知 and 通知记录.
    Notify(super::notify::NotifyCommand),
}

pub struct AdminArea;

/// The context this area's logic runs in.
type Cx<'a> = AreaCtx<'a, AdminArea>;

impl AreaLogic for AdminArea {
    type State = super::state::AdminView;
    type Runtime = ();
    type Command = AdminCommand;
    type Job = AdminJob;
    type Reply = AdminReply;

    fn apply(cx: &mut Cx<'_>, command: AdminCommand) {
        let Some(session) = cx.shared.session() else { return };
        let lang = cx.shared.lang;
        let view = &mut *cx.view;
        let config = view.config.clone();
        let open = |view: &mut super::state::AdminView, form: AdminForm| {
            view.form = Some(form);
            view.form_error = None;
            view.probe = Default::default();
            view.discovery.device = None;
            view.discovery.uris_error = None;
        };
        match command {
            AdminCommand::Load => {
                view.loading = true;
                let hall = view.hall.clone();
                cx.out.submit(AdminJob::Load(session, hall));
            }
            AdminCommand::Tab(tab) => {
                view.tab = tab;
                view.last_change.clear();
                if tab == AdminTab::Calendar && view.calendar.year == 0 {
                    // The first year without data (this one or the next), else next year.
                    let this = chrono::Datelike::year(&crate::domain::time::local_date(cx.shared.now));
                    view.calendar.year = this + 1;
                    view.calendar.loading = true;
                    cx.out.submit(AdminJob::CalendarLoad { session, year: this + 1 });
                } else if tab == AdminTab::Notify {
                    view.notify.loading = true;
                    cx.out.submit(AdminJob::Notify(super::notify::NotifyJob::Load(session)));
                } else if tab == AdminTab::NotifyLog {
                    let state = view.notify.log_state;
                    view.notify.loading = true;
                    cx.out.submit(AdminJob::Notify(super::notify::NotifyJob::Log(session, state)));
                }
            }
            AdminCommand::CalendarYear(year) => {
                let tab = &mut view.calendar;
                if (1990..=2100).contains(&year) {
                    tab.year = year;
                    tab.rows = None;
                    tab.error = None;
                    tab.saved = None;
                    tab.loading = true;
                    view.tab = AdminTab::Calendar;
                    cx.out.submit(AdminJob::CalendarLoad { session, year });
                }
            }
            AdminCommand::CalendarEdit => {
                let tab = &mut view.calendar;
                let schedule = tab.view.as_ref().and_then(|v| v.schedule.clone());
                tab.notice = schedule.as_ref().map(|s| s.notice.clone()).unwrap_or_default();
                let rows = schedule.as_ref().map(super::calendar::HolidayRow::of).unwrap_or_default();
                tab.rows = Some(if rows.is_empty() { vec![super::calendar::HolidayRow::default()] } else { rows });
                tab.saved = None;
            }
            AdminCommand::CalendarImport => {
                let path = view.calendar.import_path.trim().to_owned();
                if path.is_empty() {
                    view.calendar.error = Some(lang.pick_owned("请填写文件路径", "Give the file's path"));
                } else {
                    cx.out.submit(AdminJob::CalendarImport { path: path.into() });
                }
            }
            AdminCommand::CalendarSave => {
                let tab = &mut view.calendar;
                let Some(rows) = &tab.rows else { return };
                match super::calendar::schedule_of(tab.year, &tab.notice, rows, lang) {
                    Ok(schedule) => {
                        tab.error = None;
                        tab.saving = true;
                        cx.out.submit(AdminJob::CalendarSave { session, schedule });
                    }
                    Err(e) => tab.error = Some(e),
                }
            }
            AdminCommand::Notify(c) => {
                if let Some(job) = super::notify::apply(&mut view.notify, c, session, lang) {
                    cx.out.submit(AdminJob::Notify(job));
                }
            }
            AdminCommand::CalendarCancel => {
                view.calendar.rows = None;
                view.calendar.error = None;
            }
            AdminCommand::PickHall(code) => {
                view.hall = Some(code.clone());
                view.last_change.clear();
                view.loading = true;
                cx.out.submit(AdminJob::Load(session, Some(code)));
            }
            AdminCommand::EditHall => {
                let form = match &config {
                    Some(c) => HallForm {
                        code: c.hall.code.clone(),
                        name: c.hall.name.clone(),
                        address: c.hall.address.clone(),
                        level: c.hall.level,
                        new: false,
                    },
                    None => HallForm { new: true, ..HallForm::default() },
                };
                open(view, AdminForm::Hall(form));
            }
            AdminCommand::AddHall => {
                let form =
                    HallForm { level: crate::domain::model::HallLevel::Branch, new: true, ..HallForm::default() };
                open(view, AdminForm::Hall(form));
            }
            AdminCommand::AddDepartment => open(
                view,
                AdminForm::Department {
                    original: None,
                    form: crate::domain::model::Department {
                        name: String::new(),
                        short_name: String::new(),
                        head: String::new(),
                        phone: String::new(),
                    },
                },
            ),
            AdminCommand::EditDepartment(name) => {
                if let Some(d) = config.as_ref().and_then(|c| c.departments.iter().find(|d| d.name == name)) {
                    open(view, AdminForm::Department { original: Some(name), form: d.clone() });
                }
            }
            AdminCommand::AddWindow => open(view, AdminForm::Window { original: None, form: WindowForm::default() }),
            AdminCommand::EditWindow(code) => {
                if let Some(w) = config.as_ref().and_then(|c| c.windows.iter().find(|w| w.code == code)) {
                    let form = WindowForm {
                        code: w.code.clone(),
                        name: w.name.clone(),
                        department: w.department.clone().unwrap_or_default(),
                    };
                    open(view, AdminForm::Window { original: Some(code), form });
                }
            }
            AdminCommand::AddCamera => open(view, AdminForm::Camera { original: None, form: CameraForm::default() }),
            AdminCommand::EditCamera(name) => {
                if let Some(c) = config.as_ref().and_then(|c| c.cameras.iter().find(|c| c.name == name)) {
                    open(view, AdminForm::Camera { original: Some(name), form: CameraForm::of(c) });
                }
            }
            AdminCommand::Retire(part, key) => open(view, AdminForm::Retire { part, key }),
            AdminCommand::AddUser => open(view, AdminForm::NewUser(NewUserForm::default())),
            AdminCommand::EditUser(username) => {
                if let Some(u) = view.users.iter().find(|u| u.username == username) {
                    let form = AdminForm::EditUser {
                        username,
                        display_name: u.display_name.clone(),
                        role: u.role,
                        halls: u.halls.join(", "),
                    };
                    open(view, form);
                }
            }
            AdminCommand::ResetPassword(username) => {
                open(view, AdminForm::ResetPassword { username, password: String::new(), again: String::new() })
            }
            AdminCommand::DecideChange(id, confirm) => {
                view.pending = true;
                cx.out.submit(AdminJob::DecideChange { session, id, confirm, note: String::new() });
            }
            AdminCommand::RefuseChange(id) => {
                let summary = view
                    .changes
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| format!("#{id} {} {}", lang.pick(c.kind.label_zh(), c.kind.label_en()), c.username))
                    .unwrap_or_default();
                open(view, AdminForm::RefuseChange { id, summary, reason: String::new() })
            }
            AdminCommand::SetActive(username, active) => {
                view.pending = true;
                let change = UserChange { active: Some(active), ..Default::default() };
                cx.out.submit(AdminJob::UpdateUser { session, username, change });
            }
            AdminCommand::Unlock(username) => {
                view.pending = true;
                let change = UserChange { unlock: true, ..Default::default() };
                cx.out.submit(AdminJob::UpdateUser { session, username, change });
            }
            AdminCommand::Close => {
                if !view.pending {
                    view.form = None;
                    view.form_error = None;
                    view.probe = Default::default();
                    view.watch = Default::default();
                }
            }
            AdminCommand::TestConnection => {
                let Some(AdminForm::Camera { original, form }) = &view.form else { return };
                match form.spec(lang) {
                    Err(e) => view.probe.result = Some(Err(e)),
                    Ok(spec) => {
                        view.probe = Default::default();
                        view.probe.running = true;
                        let password = (!form.password.is_empty()).then(|| form.password.clone());
                        let job = AdminJob::Probe {
                            session,
                            stored: original.clone(),
                            spec,
                            password,
                            slot: view.probe.slot.clone(),
                            ctx: cx.egui.clone(),
                        };
                        cx.out.submit(job);
                    }
                }
            }
            AdminCommand::WatchSetup(camera) => {
                let Some(hall) = config.as_ref().map(|c| c.hall.code.clone()) else { return };
                open(view, AdminForm::Watch { camera: camera.clone(), seat: None, changed: false });
                view.watch = Default::default();
                view.watch.loading = true;
                view.watch.capturing = true;
                let capture = Some((view.watch.slot.clone(), cx.egui.clone()));
                cx.out.submit(AdminJob::WatchSetup { session, hall, camera, capture });
            }
            AdminCommand::Capture => {
                let Some(AdminForm::Watch { camera, .. }) = &view.form else { return };
                let camera = camera.clone();
                let Some(hall) = config.as_ref().map(|c| c.hall.code.clone()) else { return };
                if view.watch.capturing {
                    return;
                }
                view.watch.capturing = true;
                view.watch.picture = None;
                let capture = Some((view.watch.slot.clone(), cx.egui.clone()));
                cx.out.submit(AdminJob::WatchSetup { session, hall, camera, capture });
            }
            AdminCommand::SetReference(set) => {
                let Some(AdminForm::Watch { camera, .. }) = &view.form else { return };
                let camera = camera.clone();
                let Some(hall) = config.as_ref().map(|c| c.hall.code.clone()) else { return };
                let png = match (&view.watch.picture, set) {
                    (Some(Ok((png, _))), true) => Some(png.clone()),
                    (_, true) => return,
                    (_, false) => None,
                };
                view.pending = true;
                view.form_error = None;
                let change = super::jobs::WatchChange::Reference(png);
                cx.out.submit(AdminJob::SetWatch { session, hall, camera, change });
            }
            AdminCommand::ClearSeat => {
                let Some(AdminForm::Watch { camera, .. }) = &view.form else { return };
                let camera = camera.clone();
                let Some(hall) = config.as_ref().map(|c| c.hall.code.clone()) else { return };
                view.pending = true;
                view.form_error = None;
                let change = super::jobs::WatchChange::Seat(None);
                cx.out.submit(AdminJob::SetWatch { session, hall, camera, change });
            }
            AdminCommand::Submit => submit(cx, lang),
            AdminCommand::Discover => {
                let d = &mut view.discovery;
                if d.running {
                    return;
                }
                d.running = true;
                d.devices = None;
                let (slot, ctx) = (d.slot.clone(), cx.egui.clone());
                let target = match d.target.trim() {
                    "" => crate::onvif::DISCOVERY_ADDR.to_owned(),
                    t if t.contains(':') => t.to_owned(),
                    t => format!("{t}:3702"),
                };
                let started = std::thread::Builder::new().name("jiancha-onvif".into()).spawn(move || {
                    let found = crate::onvif::discover(&target, DISCOVERY_WAIT).map_err(|e| e.to_string());
                    *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(found);
                    ctx.request_repaint();
                });
                if let Err(e) = started {
                    d.running = false;
                    d.devices = Some(Err(e.to_string()));
                }
            }
            AdminCommand::UseDevice(n) => {
                let Some(Ok(devices)) = &view.discovery.devices else { return };
                let Some(device) = devices.get(n).cloned() else { return };
                let vendor = {
                    let m = device.manufacturer.to_lowercase();
                    if m.contains("hikvision") {
                        crate::domain::hall::Vendor::Hikvision
                    } else if m.contains("dahua") {
                        crate::domain::hall::Vendor::Dahua
                    } else if m.contains("uniview") || m.contains("unv") {
                        crate::domain::hall::Vendor::Uniview
                    } else {
                        crate::domain::hall::Vendor::Rtsp
                    }
                };
                let form =
                    CameraForm { name: device.name.clone(), host: device.host(), vendor, ..CameraForm::default() };
                open(view, AdminForm::Camera { original: None, form });
                view.discovery.device = Some(device);
                view.discovery.uris_error = None;
            }
            AdminCommand::FetchStreamUris => {
                let Some(AdminForm::Camera { form, .. }) = &view.form else { return };
                let Some(device) = view.discovery.device.clone() else { return };
                let d = &mut view.discovery;
                if d.uris_running {
                    return;
                }
                d.uris_running = true;
                d.uris_error = None;
                let (user, password) = (form.user.trim().to_owned(), form.password.clone());
                let (slot, ctx) = (d.uris_slot.clone(), cx.egui.clone());
                let started = std::thread::Builder::new().name("jiancha-onvif".into()).spawn(move || {
                    let uris = crate::onvif::stream_uris(&device.address, &user, &password).map_err(|e| e.to_string());
                    *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(uris);
                    ctx.request_repaint();
                });
                if let Err(e) = started {
                    d.uris_running = false;
                    d.uris_error = Some(e.to_string());
                }
            }
        }
    }

    fn handle(cx: &mut Cx<'_>, reply: AdminReply) {
        let lang = cx.shared.lang;
        match reply {
            AdminReply::Loaded { halls, config, users, watched, changes } => {
                let view = &mut *cx.view;
                view.watched = watched;
                view.changes = changes;
                view.loading = false;
                view.loaded = true;
                view.halls = halls;
                match (config, users) {
                    (Ok(config), Ok(users)) => {
                        view.hall = config.as_ref().map(|c| c.hall.code.clone());
                        view.config = config;
                        view.users = users;
                        view.error = None;
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        let m = cx.out.store_error(&e);
                        cx.view.error = Some(m);
                    }
                }
            }
            AdminReply::Applied(result) => {
                cx.view.pending = false;
                match result {
                    Ok((diff, config)) => {
                        let view = &mut *cx.view;
                        if !view.halls.iter().any(|h| h.code == config.hall.code) {
                            view.halls.push(config.hall.clone());
                        }
                        view.hall = Some(config.hall.code.clone());
                        view.last_change = if diff.is_empty() {
                            vec![lang.pick("没有变化。", "Nothing changed.").to_owned()]
                        } else {
                            diff_lines(&diff, lang)
                        };
                        view.config = Some(config);
                        view.form = None;
                        view.form_error = None;
                        view.probe = Default::default();
                        // The wall, the pickers and the status bar follow at once.
                        cx.out.console(crate::ui::command::Command::ReloadDirectory);
                    }
                    Err(e) => {
                        let m = cx.out.store_error(&e);
                        cx.view.form_error = Some(m);
                    }
                }
            }
            AdminReply::Users { users: result, changes, waiting } => {
                cx.view.pending = false;
                match result {
                    Ok(users) => {
                        let view = &mut *cx.view;
                        view.users = users;
                        view.changes = changes;
                        view.notice = waiting.map(|id| {
                            format!(
                                "{} #{id}",
                                lang.pick(
                                    "已提交，须由另一名管理员或监察室负责人确认后生效：申请",
                                    "Submitted: it takes effect when another administrator or a chief confirms request"
                                )
                            )
                        });
                        view.form = None;
                        view.form_error = None;
                        view.error = None;
                    }
                    Err(e) => {
                        let m = cx.out.store_error(&e);
                        let view = &mut *cx.view;
                        if view.form.is_some() {
                            view.form_error = Some(m);
                        } else {
                            view.error = Some(m);
                        }
                    }
                }
            }
            AdminReply::Watch(result, change) => {
                let m = result.as_ref().err().map(|e| cx.out.job_error(e));
                let view = &mut *cx.view;
                let Some(AdminForm::Watch { seat, changed, .. }) = &mut view.form else { return };
                let w = &mut view.watch;
                w.loading = false;
                match result {
                    Ok((setup, reference)) => {
                        if change.is_some() {
                            view.pending = false;
                            view.form_error = None;
                        }
                        if change.is_some() || !*changed {
                            *seat = setup.seat;
                            *changed = false;
                        }
                        w.saved = change.map(|c| {
                            match c {
                                super::jobs::WatchChange::Reference(Some(_)) => {
                                    lang.pick("已设为基准画面。", "Set as the reference view.")
                                }
                                super::jobs::WatchChange::Reference(None) => {
                                    lang.pick("已清除基准画面。", "Reference view removed.")
                                }
                                super::jobs::WatchChange::Seat(Some(_)) => {
                                    lang.pick("座位区域已保存。", "Seat region saved.")
                                }
                                super::jobs::WatchChange::Seat(None) => {
                                    lang.pick("已清除座位区域。", "Seat region removed.")
                                }
                            }
                            .to_owned()
                        });
                        w.reference = reference.map(|image| {
                            cx.egui.load_texture("admin-watch-reference", image, egui::TextureOptions::LINEAR)
                        });
                        let glance = (
                            setup.hall_code.clone(),
                            setup.camera_name.clone(),
                            setup.reference_sha256.is_some(),
                            setup.seat.is_some(),
                        );
                        match view.watched.iter_mut().find(|(h, c, ..)| *h == glance.0 && *c == glance.1) {
                            Some(entry) => *entry = glance,
                            None => view.watched.push(glance),
                        }
                        w.setup = Some(Ok(setup));
                    }
                    Err(_) => {
                        let m = m.unwrap_or_default();
                        if change.is_some() {
                            view.pending = false;
                            view.form_error = Some(m);
                        } else {
                            w.capturing = false;
                            w.setup = Some(Err(m));
                        }
                    }
                }
            }
            AdminReply::Calendar { result, saved } => {
                let result = result.map_err(|e| cx.out.store_error(&e));
                let tab = &mut cx.view.calendar;
                tab.loading = false;
                tab.saving = false;
                match result {
                    Ok(v) => {
                        if saved {
                            tab.rows = None;
                            tab.saved = Some(lang.pick_owned(
                                &format!(
                                    "{} 年工作日历已保存（已记入审计日志），{} 件在办件已按新日历重算。",
                                    v.year, v.recomputed
                                ),
                                &format!(
                                    "The {} calendar is saved (in the audit log); {} open cases recomputed with it.",
                                    v.year, v.recomputed
                                ),
                            ));
                        }
                        // The status bar's warning follows the years in force.
                        let warning =
                            crate::domain::calendar::missing_years_warning(&v.missing_years.iter().copied().collect());
                        cx.out.console(crate::ui::command::Command::CalendarWarning(warning));
                        if saved {
                            cx.out.console(crate::ui::command::Command::RefreshOverview);
                        }
                        tab.error = None;
                        tab.view = Some(v);
                    }
                    Err(e) => tab.error = Some(e),
                }
            }
            AdminReply::CalendarImported(result) => {
                let tab = &mut cx.view.calendar;
                match result {
                    Ok(s) if s.year != tab.year => {
                        tab.error = Some(lang.pick_owned(
                            &format!("文件是 {} 年的，不是 {} 年", s.year, tab.year),
                            &format!("the file is for {}, not {}", s.year, tab.year),
                        ));
                    }
                    Ok(s) => {
                        tab.notice = s.notice.clone();
                        tab.rows = Some(super::calendar::HolidayRow::of(&s));
                        tab.error = None;
                    }
                    Err(e) => tab.error = Some(e),
                }
            }
            AdminReply::Notify(reply) => {
                let out = &mut cx.out;
                super::notify::handle(&mut cx.view.notify, reply, lang, &mut |e| out.store_error(e));
            }
            AdminReply::ProbeStarted(result) => {
                if let Err(e) = result {
                    let m = cx.out.job_error(&e);
                    let probe = &mut cx.view.probe;
                    probe.running = false;
                    probe.result = Some(Err(m));
                }
            }
        }
    }

    fn run(worker: &mut Worker, job: AdminJob) -> AdminReply {
        let store = match worker.store() {
            Ok(s) => s,
            Err(e) => {
                return match job {
                    AdminJob::Load(..) => AdminReply::Loaded {
                        halls: Vec::new(),
                        config: Err(e.clone()),
                        users: Err(e),
                        watched: Vec::new(),
                        changes: Vec::new(),
                    },
                    AdminJob::Apply { .. } => AdminReply::Applied(Err(e)),
                    AdminJob::Probe { .. } => AdminReply::ProbeStarted(Err(JobError::Store(e))),
                    AdminJob::WatchSetup { .. } => AdminReply::Watch(Err(JobError::Store(e)), None),
                    AdminJob::SetWatch { change, .. } => AdminReply::Watch(Err(JobError::Store(e)), Some(change)),
                    AdminJob::CalendarLoad { .. } => AdminReply::Calendar { result: Err(e), saved: false },
                    AdminJob::CalendarSave { .. } => AdminReply::Calendar { result: Err(e), saved: true },
                    AdminJob::CalendarImport { path } => AdminReply::CalendarImported(import_year_file(&path)),
                    AdminJob::Notify(_) => AdminReply::Notify(super::notify::NotifyReply::Loaded(Err(e))),
                    _ => AdminReply::Users { users: Err(e), changes: Vec::new(), waiting: None },
                };
            }
        };
        // The accounts (administrators) and the account changes (administrators and chiefs) after an action.
        let accounts = |session: &crate::store::Session, done: Result<Option<i64>, StoreError>| {
            let changes = store.account_changes(session).unwrap_or_default();
            let users = if session.role.allows(crate::domain::access::Permission::ManageUsers) {
                done.and_then(|waiting| Ok((store.users(session)?, waiting)))
            } else {
                done.map(|waiting| (Vec::new(), waiting))
            };
            match users {
                Ok((users, waiting)) => AdminReply::Users { users: Ok(users), changes, waiting },
                Err(e) => AdminReply::Users { users: Err(e), changes, waiting: None },
            }
        };
        match job {
            AdminJob::Load(session, _) if !session.role.allows(crate::domain::access::Permission::ConfigureHall) => {
                // A chief: 系统管理 shows only the account changes to confirm.
                let changes = store.account_changes(&session);
                AdminReply::Loaded {
                    halls: Vec::new(),
                    config: Ok(None),
                    users: changes.as_ref().map(|_| Vec::new()).map_err(Clone::clone),
                    watched: Vec::new(),
                    changes: changes.unwrap_or_default(),
                }
            }
            AdminJob::Load(session, hall) => {
                let halls = store.directory(&session).map(|d| d.halls).unwrap_or_default();
                // The hall asked for if it is still there, else the first.
                let code = hall
                    .filter(|h| halls.iter().any(|x| &x.code == h))
                    .or_else(|| halls.first().map(|h| h.code.clone()));
                let config = match code {
                    None => Ok(None),
                    Some(code) => match store.hall_config(&session, Some(&code)) {
                        Ok(c) => Ok(Some(c)),
                        Err(StoreError::NotFound(_)) => Ok(None),
                        Err(e) => Err(e),
                    },
                };
                let watched = store
                    .watch_config(&session)
                    .map(|w| {
                        w.cameras
                            .into_iter()
                            .map(|c| (c.hall_code, c.camera_name, c.reference_sha256.is_some(), c.seat.is_some()))
                            .collect()
                    })
                    .unwrap_or_default();
                let changes = store.account_changes(&session).unwrap_or_default();
                AdminReply::Loaded { halls, config, users: store.users(&session), watched, changes }
            }
            AdminJob::Apply { session, config, password } => AdminReply::Applied((|| {
                let diff = store.apply_hall(&session, &config)?;
                if let Some((hall, camera, password)) = &password {
                    store.set_camera_password(&session, hall, camera, password.as_deref())?;
                }
                Ok((diff, store.hall_config(&session, Some(&config.hall.code))?))
            })()),
            AdminJob::CalendarLoad { session, year } => {
                AdminReply::Calendar { result: store.calendar_year(&session, year), saved: false }
            }
            AdminJob::CalendarSave { session, schedule } => {
                AdminReply::Calendar { result: store.set_calendar_year(&session, &schedule), saved: true }
            }
            AdminJob::CalendarImport { path } => AdminReply::CalendarImported(import_year_file(&path)),
            AdminJob::Notify(job) => AdminReply::Notify(super::notify::run(store, job)),
            AdminJob::CreateUser { session, user } => {
                accounts(&session, store.create_user(&session, &user).map(|u| u.pending_change))
            }
            AdminJob::UpdateUser { session, username, change } => {
                let wanted = change.role;
                let done = store.update_user(&session, &username, &change);
                // A role change that did not take effect waits for a second person.
                accounts(&session, done.map(|u| u.pending_change.filter(|_| wanted.is_some_and(|r| r != u.role))))
            }
            AdminJob::ResetPassword { session, username, password } => {
                accounts(&session, store.reset_password(&session, &username, &password).map(|c| c.map(|c| c.id)))
            }
            AdminJob::DecideChange { session, id, confirm, note } => {
                accounts(&session, store.decide_account_change(&session, id, confirm, &note).map(|_| None))
            }
            AdminJob::Probe { session, stored, spec, password, slot, ctx } => {
                // The stored password, when none was typed: from the one call that hands it out.
                let password = match (password, &stored) {
                    (Some(p), _) => Some(p),
                    (None, Some(name)) => match store.camera_streams(&session) {
                        Ok(streams) => streams
                            .into_iter()
                            .find(|s| &s.name == name)
                            .and_then(|s| hall::split_credentials(&s.main_url).2),
                        Err(e) => return AdminReply::ProbeStarted(Err(JobError::Store(e))),
                    },
                    (None, None) => None,
                };
                let url = hall::with_credentials(&spec.main_url, &spec.user, password.as_deref());
                let started = std::thread::Builder::new().name("jiancha-probe".into()).spawn(move || {
                    let result = crate::video::probe::probe(&url, crate::video::probe::PROBE_TIMEOUT);
                    *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(result);
                    ctx.request_repaint();
                });
                AdminReply::ProbeStarted(started.map(|_| ()).map_err(JobError::local))
            }
            AdminJob::WatchSetup { session, hall, camera, capture } => {
                let setup = watch_setup(store, &session, &hall, &camera);
                if let (Ok((setup, _)), Some((slot, ctx))) = (&setup, capture) {
                    // The sub stream a watcher reads, with the stored password (from the one call
                    // that hands it out); the URL never leaves this job.
                    let url = match store.camera_streams(&session) {
                        Ok(streams) => streams
                            .into_iter()
                            .find(|s| s.id == setup.camera_id)
                            .map(|s| s.sub_url.unwrap_or(s.main_url)),
                        Err(e) => return AdminReply::Watch(Err(JobError::Store(e)), None),
                    };
                    let started = std::thread::Builder::new().name("jiancha-still".into()).spawn(move || {
                        let still = match url {
                            Some(url) => crate::video::watch_live::still(&url),
                            None => Err("the camera has no stream".to_owned()),
                        };
                        *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(still);
                        ctx.request_repaint();
                    });
                    if let Err(e) = started {
                        return AdminReply::Watch(Err(JobError::local(e)), None);
                    }
                }
                AdminReply::Watch(setup, None)
            }
            AdminJob::SetWatch { session, hall, camera, change } => {
                let done = watch_setup(store, &session, &hall, &camera).and_then(|(setup, _)| {
                    match &change {
                        super::jobs::WatchChange::Reference(png) => {
                            store.set_camera_reference(&session, setup.camera_id, png.as_deref())
                        }
                        super::jobs::WatchChange::Seat(seat) => store.set_camera_seat(&session, setup.camera_id, *seat),
                    }
                    .map_err(JobError::Store)?;
                    watch_setup(store, &session, &hall, &camera)
                });
                AdminReply::Watch(done, Some(change))
            }
        }
    }

    /// Takes finished searches and connection tests into the view (the preview as a texture).
    fn frame(cx: &mut Cx<'_>) {
        let view = &mut *cx.view;
        if view.discovery.running
            && let Some(found) = view.discovery.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
        {
            view.discovery.running = false;
            view.discovery.devices = Some(found);
        }
        if view.discovery.uris_running
            && let Some(uris) =
                view.discovery.uris_slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
        {
            view.discovery.uris_running = false;
            match uris {
                Ok(uris) => {
                    if let Some(AdminForm::Camera { form, .. }) = &mut view.form {
                        form.vendor = crate::domain::hall::Vendor::Rtsp;
                        form.main_url = uris.main;
                        form.sub_url = uris.sub.unwrap_or_default();
                    }
                }
                Err(e) => view.discovery.uris_error = Some(e),
            }
        }
        let watch = &mut cx.view.watch;
        if watch.capturing
            && let Some(still) = watch.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
        {
            watch.capturing = false;
            watch.picture = Some(still.map(|(picture, png)| {
                let rgba: Vec<u8> = picture.rgb.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
                let size = [picture.width as usize, picture.height as usize];
                let image = egui::ColorImage::from_rgba_unmultiplied(size, &rgba);
                (png, cx.egui.load_texture("admin-watch-still", image, egui::TextureOptions::LINEAR))
            }));
        }
        let probe = &mut cx.view.probe;
        if !probe.running {
            return;
        }
        let done = probe.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(result) = done {
            probe.running = false;
            if let Ok(r) = &result {
                let (w, h) = crate::video::probe::PREVIEW;
                if r.preview.len() == (w * h * 4) as usize {
                    let image = egui::ColorImage::from_rgba_unmultiplied([w as usize, h as usize], &r.preview);
                    probe.texture = Some(cx.egui.load_texture("admin-probe", image, egui::TextureOptions::LINEAR));
                }
            }
            probe.result = Some(result);
        }
    }

    fn navigated(cx: &mut Cx<'_>, area: Area) {
        if area == Area::Admin && !cx.view.loading {
            cx.out.send(AdminCommand::Load);
        }
    }
}

/// The watch settings of camera `camera` of `hall`, with its reference view decoded for a texture.
fn watch_setup(
    store: &dyn crate::store::Store,
    session: &crate::store::Session,
    hall: &str,
    camera: &str,
) -> Result<(crate::store::CameraWatch, Option<egui::ColorImage>), JobError> {
    let config = store.watch_config(session).map_err(JobError::Store)?;
    let setup = config
        .cameras
        .into_iter()
        .find(|c| c.hall_code == hall && c.camera_name == camera)
        .ok_or_else(|| JobError::Store(StoreError::NotFound(format!("camera {camera}"))))?;
    let reference = match &setup.reference_png {
        Some(png) => {
            let (size, rgba) = crate::ui::picture::decode_png(png).map_err(JobError::local)?;
            Some(egui::ColorImage::from_rgba_unmultiplied(size, &rgba))
        }
        None => None,
    };
    Ok((setup, reference))
}

/// Saves the open dialog: a whole new configuration for the hall's parts, a user call for accounts.
fn submit(cx: &mut Cx<'_>, lang: Lang) {
    let Some(session) = cx.shared.session() else { return };
    let view = &mut *cx.view;
    let Some(form) = view.form.clone() else { return };
    let current = view.config.clone();
    let result: Result<Option<AdminJob>, String> = (|| {
        let mut config = current.clone().unwrap_or_else(|| HallConfig {
            hall: Hall { code: String::new(), name: String::new(), address: String::new(), level: Default::default() },
            departments: Vec::new(),
            windows: Vec::new(),
            cameras: Vec::new(),
        });
        let mut password = None;
        match form {
            AdminForm::Hall(f) => {
                if f.new {
                    // Another hall starts with nothing of its own.
                    config = HallConfig {
                        hall: Hall { code: f.code.trim().to_owned(), ..config.hall.clone() },
                        departments: Vec::new(),
                        windows: Vec::new(),
                        cameras: Vec::new(),
                    };
                    if view.halls.iter().any(|h| h.code == config.hall.code) {
                        return Err(format!("{} {}", config.hall.code, lang.pick("已存在", "exists already")));
                    }
                }
                config.hall.name = f.name.trim().to_owned();
                config.hall.address = f.address.trim().to_owned();
                config.hall.level = f.level;
            }
            AdminForm::Department { original, form } => {
                let d = crate::domain::model::Department {
                    name: form.name.trim().to_owned(),
                    short_name: form.short_name.trim().to_owned(),
                    head: form.head.trim().to_owned(),
                    phone: form.phone.trim().to_owned(),
                };
                match original.and_then(|o| config.departments.iter().position(|x| x.name == o).map(|i| (i, o))) {
                    Some((i, old)) => {
                        // A renamed department takes its windows along.
                        for w in &mut config.windows {
                            if w.department.as_deref() == Some(&old) {
                                w.department = Some(d.name.clone());
                            }
                        }
                        config.departments[i] = d;
                    }
                    None => config.departments.push(d),
                }
            }
            AdminForm::Window { original, form } => {
                let w = WindowSpec {
                    code: form.code.trim().to_owned(),
                    name: if form.name.trim().is_empty() {
                        form.code.trim().to_owned()
                    } else {
                        form.name.trim().to_owned()
                    },
                    department: Some(form.department.trim().to_owned()).filter(|d| !d.is_empty()),
                };
                match original.and_then(|o| config.windows.iter().position(|x| x.code == o).map(|i| (i, o))) {
                    Some((i, old)) => {
                        for c in &mut config.cameras {
                            if c.window.as_deref() == Some(&old) {
                                c.window = Some(w.code.clone());
                            }
                        }
                        config.windows[i] = w;
                    }
                    None => config.windows.push(w),
                }
            }
            AdminForm::Camera { original, form } => {
                let spec = form.spec(lang)?;
                if form.clear_password {
                    password = Some((config.hall.code.clone(), spec.name.clone(), None));
                } else if !form.password.is_empty() {
                    password = Some((config.hall.code.clone(), spec.name.clone(), Some(form.password.clone())));
                }
                match original.and_then(|o| config.cameras.iter().position(|x| x.name == o)) {
                    Some(i) => config.cameras[i] = spec,
                    None => config.cameras.push(spec),
                }
            }
            AdminForm::Retire { part, key } => match part {
                Part::Hall => return Err(lang.pick("大厅不能停用。", "A hall is not retired.").into()),
                Part::Department => {
                    let users: Vec<&str> = config
                        .windows
                        .iter()
                        .filter(|w| w.department.as_deref() == Some(&key))
                        .map(|w| w.code.as_str())
                        .collect();
                    if !users.is_empty() {
                        return Err(format!(
                            "{}{}",
                            lang.pick("该部门仍有窗口，请先调整：", "Windows still belong to it; change them first: "),
                            users.join(", ")
                        ));
                    }
                    config.departments.retain(|d| d.name != key);
                }
                Part::Window => {
                    let users: Vec<&str> = config
                        .cameras
                        .iter()
                        .filter(|c| c.window.as_deref() == Some(&key))
                        .map(|c| c.name.as_str())
                        .collect();
                    if !users.is_empty() {
                        return Err(format!(
                            "{}{}",
                            lang.pick(
                                "该窗口仍有摄像头，请先停用或调整：",
                                "Cameras still watch it; retire or move them first: "
                            ),
                            users.join(", ")
                        ));
                    }
                    config.windows.retain(|w| w.code != key);
                }
                Part::Camera => config.cameras.retain(|c| c.name != key),
            },
            AdminForm::NewUser(f) => {
                let Some(role) = f.role else { return Err(lang.pick("请选择角色。", "Choose a role.").into()) };
                if f.password != f.again {
                    return Err(lang.pick("两次输入的密码不一致。", "The two passwords differ.").into());
                }
                let user = NewUser {
                    username: f.username.trim().to_owned(),
                    display_name: f.display_name.trim().to_owned(),
                    role,
                    password: f.password,
                    halls: hall_codes(&f.halls),
                };
                return Ok(Some(AdminJob::CreateUser { session: session.clone(), user }));
            }
            AdminForm::EditUser { username, display_name, role, halls } => {
                let change = UserChange {
                    display_name: Some(display_name.trim().to_owned()),
                    role: Some(role).filter(|r| *r != Role::System),
                    halls: Some(hall_codes(&halls)),
                    ..Default::default()
                };
                return Ok(Some(AdminJob::UpdateUser { session: session.clone(), username, change }));
            }
            AdminForm::Watch { camera, seat, .. } => {
                let Some(seat) = seat.filter(crate::domain::watch::Region::is_valid) else {
                    return Err(lang
                        .pick("请在画面上拖动，框出工作人员的座位。", "Drag on the picture to frame the staff seat.")
                        .into());
                };
                let hall = config.hall.code.clone();
                let change = super::jobs::WatchChange::Seat(Some(seat));
                return Ok(Some(AdminJob::SetWatch { session: session.clone(), hall, camera, change }));
            }
            AdminForm::ResetPassword { username, password, again } => {
                if password != again {
                    return Err(lang.pick("两次输入的密码不一致。", "The two passwords differ.").into());
                }
                return Ok(Some(AdminJob::ResetPassword { session: session.clone(), username, password }));
            }
            AdminForm::RefuseChange { id, reason, .. } => {
                if reason.trim().is_empty() {
                    return Err(lang.pick("驳回须写明理由。", "A refusal needs a reason.").into());
                }
                let note = reason.trim().to_owned();
                return Ok(Some(AdminJob::DecideChange { session: session.clone(), id, confirm: false, note }));
            }
        }
        // The configuration is checked here for a quick answer; the store checks it again.
        config.check().map_err(|(part, i, field, reason)| {
            let _ = i;
            format!("{}: {field}: {reason}", lang.pick(part.label_zh(), part.as_str()))
        })?;
        Ok(Some(AdminJob::Apply { session: session.clone(), config, password }))
    })();
    match result {
        Ok(Some(job)) => {
            view.pending = true;
            view.form_error = None;
            cx.out.submit(job);
        }
        Ok(None) => {}
        Err(e) => view.form_error = Some(e),
    }
}

/// One line per change, in the interface's language (`新增 窗口 A01`, `修改 摄像头 …：host "…" → "…"`).
fn diff_lines(diff: &crate::domain::hall::HallDiff, lang: Lang) -> Vec<String> {
    let line = |verb: &str, c: &crate::domain::hall::HallChange| {
        let part = lang.pick(c.part.label_zh(), c.part.as_str());
        let fields: Vec<String> = c.fields.iter().map(|f| format!("{} {:?} → {:?}", f.field, f.from, f.to)).collect();
        if fields.is_empty() {
            format!("{verb} {part} {}", c.key)
        } else {
            format!("{verb} {part} {}：{}", c.key, fields.join("；"))
        }
    };
    let added = diff.added.iter().map(|c| line(lang.pick("新增", "added"), c));
    let changed = diff.changed.iter().map(|c| line(lang.pick("修改", "changed"), c));
    let retired = diff.retired.iter().map(|c| line(lang.pick("停用", "retired"), c));
    added.chain(changed).chain(retired).collect()
}

/// A year file in the built-in format, read and parsed on the worker; the error names the file.
fn import_year_file(path: &std::path::Path) -> Result<crate::domain::calendar::YearSchedule, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    crate::domain::calendar::YearSchedule::from_year_file(&name, &text).map_err(|e| e.to_string())
}

/// Hall codes as typed in an account's form: separated by commas (either width) or spaces.
fn hall_codes(text: &str) -> Vec<String> {
    text.split([',', '，', '、', ' ']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::hall_codes;

    #[test]
    fn hall_codes_are_read_as_typed_with_either_comma() {
        assert_eq!(hall_codes(" LS, GZL，SP-CITY、 X "), ["LS", "GZL", "SP-CITY", "X"]);
        assert!(hall_codes("  ,， ").is_empty(), "nothing typed: the whole city");
    }
}

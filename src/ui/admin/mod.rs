//! 系统管理 (administrators only): the hall, its departments, windows and cameras, and the accounts —
//! tables with add, edit and retire dialogs; a camera dialog with the vendor presets and 测试连接.

pub mod calendar;
pub mod jobs;
pub mod logic;
pub mod notify;
pub mod state;

pub use jobs::{AdminJob, AdminReply};
pub use logic::{AdminArea, AdminCommand};

use egui::RichText;

use crate::domain::access::{Permission, Role};
use crate::domain::hall::{Part, Vendor};
use crate::domain::model::HallLevel;
use crate::domain::time;
use crate::ui::context::{Panel, Sender};
use crate::ui::dialog::Dialog;
use crate::ui::i18n::Lang;
use crate::ui::theme::{DialogWidth, Tokens};

use state::{AdminForm, AdminTab};

fn row(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str) -> egui::Response {
    let l = ui.label(label);
    let r = ui.add(egui::TextEdit::singleline(value).hint_text(hint).desired_width(300.0)).labelled_by(l.id);
    ui.end_row();
    r
}

fn secret_row(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str) {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).password(true).hint_text(hint).desired_width(300.0)).labelled_by(l.id);
    ui.end_row();
}

pub fn admin_ui(ui: &mut egui::Ui, state: &mut Panel<'_, state::AdminView>, commands: &mut Sender<AdminCommand>) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let allowed = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::ConfigureHall));
    let confirms = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::ConfirmAccountChange));
    if !allowed && confirms {
        // A chief: the account changes that wait for a second person, nothing else.
        let me = state.shared.session.as_ref().map(|s| s.username.clone());
        let view = &*state.view;
        ui.horizontal(|ui| {
            ui.heading(lang.pick("账户变更确认", "Account changes to confirm"));
            if ui.button(lang.pick("刷新", "Reload")).clicked() {
                commands.push(AdminCommand::Load);
            }
            if view.loading || view.pending {
                ui.spinner();
            }
        });
        if let Some(e) = &view.error {
            ui.label(RichText::new(e).color(t.red));
        }
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            changes_card(ui, view, commands, lang, &t, me.as_deref());
        });
        dialog_ui(ui, state, commands);
        return;
    }
    if !allowed {
        t.card_frame().show(ui, |ui| {
            ui.label(
                RichText::new(lang.pick("仅管理员可以使用系统管理。", "Only administrators use Administration."))
                    .color(t.orange),
            );
        });
        return;
    }
    let view = &mut *state.view;
    ui.horizontal(|ui| {
        for tab in AdminTab::ALL {
            if ui.selectable_label(view.tab == tab, RichText::new(tab.label(lang)).size(t.text_size.nav)).clicked() {
                commands.push(AdminCommand::Tab(tab));
            }
        }
        ui.separator();
        if ui.button(lang.pick("刷新", "Reload")).clicked() {
            commands.push(AdminCommand::Load);
        }
        if view.loading {
            ui.spinner();
        }
    });
    if let Some(e) = &view.error {
        ui.label(RichText::new(e).color(t.red));
    }
    if !view.last_change.is_empty() {
        t.card_frame().show(ui, |ui| {
            ui.label(RichText::new(lang.pick("已保存（已记入审计日志）：", "Saved (in the audit log):")).color(t.ok));
            for line in &view.last_change {
                ui.label(RichText::new(line).monospace().color(t.text));
            }
        });
    }
    ui.add_space(t.spacing * 0.5);
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| match view.tab {
        AdminTab::Hall => hall_tab(ui, view, commands, lang, &t),
        AdminTab::Departments => departments_tab(ui, view, commands, lang),
        AdminTab::Windows => windows_tab(ui, view, commands, lang),
        AdminTab::Cameras => cameras_tab(ui, view, commands, lang, &t),
        AdminTab::Users => {
            users_tab(ui, view, commands, lang, &t, state.shared.session.as_ref().map(|s| s.username.as_str()))
        }
        AdminTab::Calendar => calendar::calendar_tab(ui, &mut view.calendar, commands, lang, &t),
        AdminTab::Notify => notify::settings_tab(ui, &mut view.notify, commands, lang, &t),
        AdminTab::NotifyLog => notify::log_tab(ui, &view.notify, commands, lang, &t),
    });
    dialog_ui(ui, state, commands);
}

fn hall_tab(ui: &mut egui::Ui, view: &state::AdminView, commands: &mut Sender<AdminCommand>, lang: Lang, t: &Tokens) {
    match &view.config {
        None if view.loaded => {
            ui.label(RichText::new(lang.pick("还没有设置大厅。", "No hall is set up yet.")).color(t.orange));
            if ui.button(lang.pick("设置本大厅…", "Set up the hall…")).clicked() {
                commands.push(AdminCommand::EditHall);
            }
        }
        None => {}
        Some(c) => {
            if view.halls.len() > 1 {
                egui::Grid::new("admin_halls").striped(true).num_columns(4).spacing([16.0, 6.0]).show(ui, |ui| {
                    for h in [lang.pick("大厅编码", "Code"), lang.pick("名称", "Name"), lang.pick("级别", "Level"), ""]
                    {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for h in &view.halls {
                        ui.label(&h.code);
                        ui.label(&h.name);
                        ui.label(lang.pick(h.level.label_zh(), h.level.label_en()));
                        let shown = h.code == c.hall.code;
                        if ui.add_enabled(!shown, egui::Button::new(lang.pick("查看", "Show")).small()).clicked() {
                            commands.push(AdminCommand::PickHall(h.code.clone()));
                        }
                        ui.end_row();
                    }
                });
                ui.add_space(t.spacing);
            }
            egui::Grid::new("admin_hall").num_columns(2).spacing([16.0, 8.0]).show(ui, |ui| {
                ui.label(lang.pick("大厅编码", "Code"));
                ui.label(RichText::new(&c.hall.code).strong());
                ui.end_row();
                ui.label(lang.pick("名称", "Name"));
                ui.label(&c.hall.name);
                ui.end_row();
                ui.label(lang.pick("地址", "Address"));
                ui.label(&c.hall.address);
                ui.end_row();
                ui.label(lang.pick("级别", "Level"));
                ui.label(lang.pick(c.hall.level.label_zh(), c.hall.level.label_en()));
                ui.end_row();
                ui.label(lang.pick("部门 / 窗口 / 摄像头", "Departments / windows / cameras"));
                ui.label(format!("{} / {} / {}", c.departments.len(), c.windows.len(), c.cameras.len()));
                ui.end_row();
            });
            ui.add_space(t.spacing * 0.5);
            ui.horizontal(|ui| {
                if ui.button(lang.pick("编辑大厅…", "Edit the hall…")).clicked() {
                    commands.push(AdminCommand::EditHall);
                }
                if ui.button(lang.pick("新增大厅（分厅）…", "Add a hall (branch)…")).clicked() {
                    commands.push(AdminCommand::AddHall);
                }
            });
            ui.add_space(t.spacing);
            ui.label(
                RichText::new(lang.pick(
                    "也可以用大厅配置文件批量设置：jiancha hall export / jiancha hall apply FILE（见 README「Setting up your hall」）。",
                    "The hall file does the same in bulk: jiancha hall export / jiancha hall apply FILE (README, \"Setting up your hall\").",
                ))
                .color(t.text_weak),
            );
        }
    }
}

/// The row buttons of a hall part: 编辑 and 停用.
fn part_buttons(
    ui: &mut egui::Ui,
    commands: &mut Sender<AdminCommand>,
    lang: Lang,
    edit: AdminCommand,
    part: Part,
    key: &str,
) {
    ui.horizontal(|ui| {
        if ui.small_button(lang.pick("编辑", "Edit")).clicked() {
            commands.push(edit);
        }
        if ui.small_button(lang.pick("停用", "Retire")).clicked() {
            commands.push(AdminCommand::Retire(part, key.to_owned()));
        }
    });
}

fn no_hall(ui: &mut egui::Ui, view: &state::AdminView, lang: Lang) -> bool {
    if view.config.is_none() {
        if view.loaded {
            ui.label(lang.pick("请先在「大厅」中设置本大厅。", "Set up the hall first (Hall)."));
        }
        return true;
    }
    false
}

fn departments_tab(ui: &mut egui::Ui, view: &state::AdminView, commands: &mut Sender<AdminCommand>, lang: Lang) {
    if no_hall(ui, view, lang) {
        return;
    }
    if ui.button(lang.pick("新增部门…", "Add a department…")).clicked() {
        commands.push(AdminCommand::AddDepartment);
    }
    let Some(c) = &view.config else { return };
    egui::Grid::new("admin_departments").striped(true).num_columns(5).spacing([16.0, 6.0]).show(ui, |ui| {
        for h in [
            lang.pick("部门", "Department"),
            lang.pick("简称", "Short"),
            lang.pick("负责人", "Head"),
            lang.pick("电话", "Phone"),
            "",
        ] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for d in &c.departments {
            ui.label(&d.name);
            ui.label(&d.short_name);
            ui.label(&d.head);
            ui.label(&d.phone);
            part_buttons(ui, commands, lang, AdminCommand::EditDepartment(d.name.clone()), Part::Department, &d.name);
            ui.end_row();
        }
    });
}

fn windows_tab(ui: &mut egui::Ui, view: &state::AdminView, commands: &mut Sender<AdminCommand>, lang: Lang) {
    if no_hall(ui, view, lang) {
        return;
    }
    if ui.button(lang.pick("新增窗口…", "Add a window…")).clicked() {
        commands.push(AdminCommand::AddWindow);
    }
    let Some(c) = &view.config else { return };
    egui::Grid::new("admin_windows").striped(true).num_columns(4).spacing([16.0, 6.0]).show(ui, |ui| {
        for h in [lang.pick("窗口号", "Code"), lang.pick("名称", "Name"), lang.pick("部门", "Department"), ""] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for w in &c.windows {
            ui.label(&w.code);
            ui.label(&w.name);
            ui.label(w.department.as_deref().unwrap_or("—"));
            part_buttons(ui, commands, lang, AdminCommand::EditWindow(w.code.clone()), Part::Window, &w.code);
            ui.end_row();
        }
    });
}

fn cameras_tab(
    ui: &mut egui::Ui,
    view: &mut state::AdminView,
    commands: &mut Sender<AdminCommand>,
    lang: Lang,
    t: &Tokens,
) {
    if no_hall(ui, view, lang) {
        return;
    }
    ui.horizontal(|ui| {
        if ui.button(lang.pick("新增摄像头…", "Add a camera…")).clicked() {
            commands.push(AdminCommand::AddCamera);
        }
        let d = &mut view.discovery;
        let l = ui.label(lang.pick("搜索地址", "Search at"));
        ui.add(egui::TextEdit::singleline(&mut d.target).desired_width(180.0)).labelled_by(l.id).on_hover_text(lang.pick(
            "默认向本网段广播（239.255.255.250:3702）；网络不转发组播时填写摄像头的 IP。",
            "By default a multicast to the local network (239.255.255.250:3702); give a camera's IP where multicast is filtered.",
        ));
        if ui
            .add_enabled(!d.running, egui::Button::new(lang.pick("搜索摄像头 (ONVIF)", "Search cameras (ONVIF)")))
            .clicked()
        {
            commands.push(AdminCommand::Discover);
        }
        if d.running {
            ui.spinner();
            ui.label(lang.pick("正在搜索本网段的摄像头…", "Searching the local network…"));
        }
    });
    match &view.discovery.devices {
        Some(Ok(devices)) if devices.is_empty() => {
            ui.label(lang.pick(
                "没有摄像头回应搜索（摄像头需开启 ONVIF）。",
                "No camera answered (ONVIF must be on in the camera).",
            ));
        }
        Some(Ok(devices)) => {
            egui::Grid::new("admin_onvif").striped(true).num_columns(5).spacing([16.0, 6.0]).show(ui, |ui| {
                for h in [
                    lang.pick("地址", "Address"),
                    lang.pick("厂家", "Manufacturer"),
                    lang.pick("型号", "Model"),
                    lang.pick("名称", "Name"),
                    "",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for (i, d) in devices.iter().enumerate() {
                    ui.label(RichText::new(&d.address).monospace());
                    ui.label(&d.manufacturer);
                    ui.label(&d.model);
                    ui.label(&d.name);
                    if ui.small_button(lang.pick("添加为摄像头…", "Add as a camera…")).clicked() {
                        commands.push(AdminCommand::UseDevice(i));
                    }
                    ui.end_row();
                }
            });
        }
        Some(Err(e)) => {
            ui.label(e);
        }
        None => {}
    }
    ui.separator();
    let Some(c) = &view.config else { return };
    egui::Grid::new("admin_cameras").striped(true).num_columns(7).spacing([16.0, 6.0]).show(ui, |ui| {
        for h in [
            lang.pick("名称", "Name"),
            lang.pick("窗口", "Window"),
            lang.pick("厂家", "Vendor"),
            lang.pick("主码流地址", "Main stream"),
            lang.pick("用户", "User"),
            lang.pick("视频巡察", "Watching"),
            "",
        ] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for cam in &c.cameras {
            ui.label(&cam.name);
            ui.label(cam.window.as_deref().unwrap_or("—"));
            ui.label(lang.pick(cam.vendor.label_zh(), cam.vendor.label_en()));
            ui.label(RichText::new(&cam.main_url).monospace());
            ui.label(&cam.user);
            let glance = view.watched.iter().find(|(h, n, ..)| *h == c.hall.code && *n == cam.name);
            let (reference, seat) = glance.map_or((false, false), |g| (g.2, g.3));
            let text = match (reference, seat) {
                (true, true) => lang.pick("基准画面 · 座位", "Reference · seat"),
                (true, false) => lang.pick("基准画面", "Reference"),
                (false, true) => lang.pick("座位", "Seat"),
                (false, false) => lang.pick("未设置", "Not set"),
            };
            ui.label(RichText::new(text).color(if reference || seat { t.ok } else { t.text_weak }));
            ui.horizontal(|ui| {
                part_buttons(ui, commands, lang, AdminCommand::EditCamera(cam.name.clone()), Part::Camera, &cam.name);
                if ui
                    .small_button(lang.pick("巡察设置…", "Watching…"))
                    .on_hover_text(lang.pick(
                        "设为基准画面（发现摄像头被转动）并框出工作人员座位（发现离岗）",
                        "Set the reference view (to notice a turned camera) and frame the staff seat (to notice an empty seat)",
                    ))
                    .clicked()
                {
                    commands.push(AdminCommand::WatchSetup(cam.name.clone()));
                }
            });
            ui.end_row();
        }
    });
}

fn role_label(role: Role, lang: Lang) -> &'static str {
    lang.pick(role.label_zh(), role.label_en())
}

/// Dual authorisation: the account changes that wait for a second person — confirmed or refused by
/// another administrator or a chief, withdrawn by the one who asked — and the last ones decided.
fn changes_card(
    ui: &mut egui::Ui,
    view: &state::AdminView,
    commands: &mut Sender<AdminCommand>,
    lang: Lang,
    t: &Tokens,
    me: Option<&str>,
) {
    let open: Vec<_> = view.changes.iter().filter(|c| c.outcome.is_none()).collect();
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(lang.pick("待确认的账户变更（双人授权）", "Account changes waiting (dual authorisation)")).strong());
        ui.label(RichText::new(lang.pick(
            "新建或提升监察室负责人、管理员，以及重置他们的密码，须由另一名管理员或监察室负责人确认后才生效。",
            "A new chief or administrator, a promotion to one, and the reset of their password take effect only when another administrator or a chief confirms.",
        )).color(t.text_weak));
        if open.is_empty() {
            ui.label(RichText::new(lang.pick("没有待确认的变更。", "Nothing waits.")).color(t.text_weak));
        } else {
            egui::Grid::new("admin_changes").striped(true).num_columns(6).spacing([16.0, 6.0]).show(ui, |ui| {
                for h in [
                    lang.pick("编号", "No."),
                    lang.pick("变更", "Change"),
                    lang.pick("账户", "Account"),
                    lang.pick("角色", "Role"),
                    lang.pick("提出人 · 时间", "Asked by · when"),
                    "",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for c in open {
                    ui.label(format!("#{}", c.id));
                    ui.label(RichText::new(lang.pick(c.kind.label_zh(), c.kind.label_en())).color(t.orange));
                    let name = c.display_name.as_deref().map_or(c.username.clone(), |n| format!("{} {n}", c.username));
                    ui.label(name);
                    ui.label(c.role.map_or("", |r| role_label(r, lang)));
                    ui.label(format!("{} · {}", c.requested_by, time::format_local_minutes(c.requested_at)));
                    ui.horizontal(|ui| {
                        let busy = view.pending;
                        if me == Some(c.requested_by.as_str()) {
                            ui.label(RichText::new(lang.pick("等待他人确认", "Waiting for another person")).color(t.text_weak));
                            if ui.add_enabled(!busy, egui::Button::new(lang.pick("撤回", "Withdraw")).small()).clicked() {
                                commands.push(AdminCommand::DecideChange(c.id, false));
                            }
                        } else if me == Some(c.username.as_str()) {
                            ui.label(RichText::new(lang.pick("涉及本人账户", "Your own account")).color(t.text_weak));
                        } else {
                            if ui.add_enabled(!busy, egui::Button::new(lang.pick("确认", "Confirm")).small()).clicked() {
                                commands.push(AdminCommand::DecideChange(c.id, true));
                            }
                            if ui.add_enabled(!busy, egui::Button::new(lang.pick("驳回…", "Refuse…")).small()).clicked() {
                                commands.push(AdminCommand::RefuseChange(c.id));
                            }
                        }
                    });
                    ui.end_row();
                }
            });
        }
        let decided: Vec<_> = view.changes.iter().filter(|c| c.outcome.is_some()).take(5).collect();
        if !decided.is_empty() {
            ui.add_space(t.spacing * 0.5);
            ui.label(RichText::new(lang.pick("最近处理", "Recently decided")).color(t.text_weak));
            for c in decided {
                let outcome = match c.outcome {
                    Some(crate::store::AccountChangeOutcome::Confirmed) => lang.pick("已确认", "confirmed"),
                    Some(crate::store::AccountChangeOutcome::Refused) => lang.pick("已驳回", "refused"),
                    _ => lang.pick("已撤回", "withdrawn"),
                };
                ui.label(
                    RichText::new(format!(
                        "#{} {} {} — {} {} {}{}",
                        c.id,
                        lang.pick(c.kind.label_zh(), c.kind.label_en()),
                        c.username,
                        c.requested_by,
                        outcome,
                        c.decided_by.as_deref().unwrap_or(""),
                        if c.note.is_empty() { String::new() } else { format!("：{}", c.note) }
                    ))
                    .color(t.text_weak),
                );
            }
        }
    });
}

fn users_tab(
    ui: &mut egui::Ui,
    view: &state::AdminView,
    commands: &mut Sender<AdminCommand>,
    lang: Lang,
    t: &Tokens,
    me: Option<&str>,
) {
    if let Some(notice) = &view.notice {
        ui.label(RichText::new(notice).color(t.orange));
    }
    changes_card(ui, view, commands, lang, t, me);
    ui.add_space(t.spacing * 0.5);
    if ui.button(lang.pick("新增用户…", "Add a user…")).clicked() {
        commands.push(AdminCommand::AddUser);
    }
    let now = chrono::Utc::now();
    egui::Grid::new("admin_users").striped(true).num_columns(7).spacing([16.0, 6.0]).show(ui, |ui| {
        for h in [
            lang.pick("用户名", "User"),
            lang.pick("姓名", "Name"),
            lang.pick("角色", "Role"),
            lang.pick("所属大厅", "Halls"),
            lang.pick("状态", "State"),
            lang.pick("最近登录", "Last login"),
            "",
        ] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for u in &view.users {
            ui.label(&u.username);
            ui.label(&u.display_name);
            ui.label(role_label(u.role, lang));
            ui.label(halls_label(&u.halls, lang));
            let locked = u.locked_until.is_some_and(|until| until > now);
            let (text, colour) = if u.pending_change.is_some() {
                (lang.pick("变更待确认", "Change waiting"), t.orange)
            } else if !u.active {
                (lang.pick("已停用", "Disabled"), t.text_weak)
            } else if locked {
                (lang.pick("已锁定", "Locked"), t.orange)
            } else if u.must_change_password {
                (lang.pick("待改密码", "Must change password"), t.orange)
            } else {
                (lang.pick("在用", "Active"), t.ok)
            };
            ui.label(RichText::new(text).color(colour));
            ui.label(u.last_login_at.map_or_else(|| "—".to_owned(), time::format_local_minutes));
            ui.horizontal(|ui| {
                let busy = view.pending;
                if ui.add_enabled(!busy, egui::Button::new(lang.pick("编辑", "Edit")).small()).clicked() {
                    commands.push(AdminCommand::EditUser(u.username.clone()));
                }
                if ui.add_enabled(!busy, egui::Button::new(lang.pick("重置密码", "Reset password")).small()).clicked()
                {
                    commands.push(AdminCommand::ResetPassword(u.username.clone()));
                }
                let own = me == Some(u.username.as_str());
                if u.active {
                    if ui.add_enabled(!busy && !own, egui::Button::new(lang.pick("停用", "Disable")).small()).clicked()
                    {
                        commands.push(AdminCommand::SetActive(u.username.clone(), false));
                    }
                } else if ui.add_enabled(!busy, egui::Button::new(lang.pick("启用", "Enable")).small()).clicked() {
                    commands.push(AdminCommand::SetActive(u.username.clone(), true));
                }
                if locked && ui.add_enabled(!busy, egui::Button::new(lang.pick("解锁", "Unlock")).small()).clicked() {
                    commands.push(AdminCommand::Unlock(u.username.clone()));
                }
            });
            ui.end_row();
        }
    });
}

fn dialog_ui(ui: &mut egui::Ui, state: &mut Panel<'_, state::AdminView>, commands: &mut Sender<AdminCommand>) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let view = &mut *state.view;
    let Some(form) = &mut view.form else { return };
    let error = view.form_error.as_deref();
    let pending = view.pending;
    let windows: Vec<String> =
        view.config.as_ref().map(|c| c.windows.iter().map(|w| w.code.clone()).collect()).unwrap_or_default();
    let departments: Vec<String> =
        view.config.as_ref().map(|c| c.departments.iter().map(|d| d.name.clone()).collect()).unwrap_or_default();
    let save = lang.pick("保存", "Save");
    let base = |id: &'static str, title: String| {
        Dialog::new(id, title, lang, AdminCommand::Close).error(error).pending(pending)
    };
    match form {
        AdminForm::Hall(f) => {
            let new = f.new;
            base("admin_hall", lang.pick("本大厅", "The hall").to_owned())
                .submit(save, AdminCommand::Submit, true)
                .show(ui, &t, commands, |ui, _| {
                    egui::Grid::new("admin_hall_form").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                        if new {
                            row(ui, lang.pick("大厅编码", "Code"), &mut f.code, "SP-CITY");
                        }
                        row(ui, lang.pick("名称", "Name"), &mut f.name, "四平市政务服务中心");
                        row(ui, lang.pick("地址", "Address"), &mut f.address, "");
                        ui.label(lang.pick("级别", "Level"));
                        ui.horizontal(|ui| {
                            for level in HallLevel::ALL {
                                ui.radio_value(&mut f.level, level, lang.pick(level.label_zh(), level.label_en()));
                            }
                        });
                        ui.end_row();
                    });
                });
        }
        AdminForm::Department { original, form: f } => {
            let title = if original.is_some() {
                lang.pick("编辑部门", "Edit the department")
            } else {
                lang.pick("新增部门", "Add a department")
            };
            base("admin_department", title.to_owned())
                .submit(save, AdminCommand::Submit, !f.name.trim().is_empty())
                .show(ui, &t, commands, |ui, _| {
                    egui::Grid::new("admin_department_form").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                        row(ui, lang.pick("部门全称", "Name"), &mut f.name, "市市场监督管理局");
                        row(ui, lang.pick("简称", "Short name"), &mut f.short_name, "市场监管");
                        row(ui, lang.pick("负责人", "Head"), &mut f.head, "王主任");
                        row(ui, lang.pick("电话", "Phone"), &mut f.phone, "0434-3261234");
                    });
                });
        }
        AdminForm::Window { original, form: f } => {
            let title = if original.is_some() {
                lang.pick("编辑窗口", "Edit the window")
            } else {
                lang.pick("新增窗口", "Add a window")
            };
            base("admin_window", title.to_owned()).submit(save, AdminCommand::Submit, !f.code.trim().is_empty()).show(
                ui,
                &t,
                commands,
                |ui, _| {
                    egui::Grid::new("admin_window_form").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                        row(ui, lang.pick("窗口号", "Code"), &mut f.code, "A01");
                        row(ui, lang.pick("名称", "Name"), &mut f.name, "市场监管 1 号窗");
                        let l = ui.label(lang.pick("部门", "Department"));
                        let shown = if f.department.is_empty() { "—".to_owned() } else { f.department.clone() };
                        egui::ComboBox::from_id_salt("admin_window_department")
                            .selected_text(shown)
                            .show_ui(ui, |ui| {
                                ui.selectable_value(&mut f.department, String::new(), "—");
                                for d in &departments {
                                    ui.selectable_value(&mut f.department, d.clone(), d);
                                }
                            })
                            .response
                            .labelled_by(l.id);
                        ui.end_row();
                    });
                },
            );
        }
        AdminForm::Camera { original, form: f } => {
            let title = if original.is_some() {
                lang.pick("编辑摄像头", "Edit the camera")
            } else {
                lang.pick("新增摄像头", "Add a camera")
            };
            let probe = &view.probe;
            let discovery = &view.discovery;
            base("admin_camera", title.to_owned())
                .width(DialogWidth::Wide)
                .submit(save, AdminCommand::Submit, !f.name.trim().is_empty())
                .show(ui, &t, commands, |ui, commands| {
                    egui::Grid::new("admin_camera_form").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                        row(ui, lang.pick("名称", "Name"), &mut f.name, "A01 市场监管");
                        let l = ui.label(lang.pick("窗口", "Window"));
                        let shown = if f.window.is_empty() {
                            lang.pick("—（大厅全景）", "— (lobby)").to_owned()
                        } else {
                            f.window.clone()
                        };
                        egui::ComboBox::from_id_salt("admin_camera_window")
                            .selected_text(shown)
                            .show_ui(ui, |ui| {
                                ui.selectable_value(
                                    &mut f.window,
                                    String::new(),
                                    lang.pick("—（大厅全景）", "— (lobby)"),
                                );
                                for w in &windows {
                                    ui.selectable_value(&mut f.window, w.clone(), w);
                                }
                            })
                            .response
                            .labelled_by(l.id);
                        ui.end_row();
                        let l = ui.label(lang.pick("厂家", "Vendor"));
                        egui::ComboBox::from_id_salt("admin_camera_vendor")
                            .selected_text(lang.pick(f.vendor.label_zh(), f.vendor.label_en()))
                            .show_ui(ui, |ui| {
                                for v in Vendor::ALL {
                                    ui.selectable_value(&mut f.vendor, v, lang.pick(v.label_zh(), v.label_en()));
                                }
                            })
                            .response
                            .labelled_by(l.id);
                        ui.end_row();
                        if f.vendor == Vendor::Rtsp {
                            row(
                                ui,
                                lang.pick("主码流地址", "Main stream URL"),
                                &mut f.main_url,
                                "rtsp://192.168.10.30/live/main",
                            );
                            row(
                                ui,
                                lang.pick("子码流地址", "Sub stream URL"),
                                &mut f.sub_url,
                                "rtsp://192.168.10.30/live/sub",
                            );
                        } else {
                            row(ui, lang.pick("地址", "Host"), &mut f.host, "192.168.10.21");
                            row(ui, lang.pick("端口", "Port"), &mut f.port, "554");
                            row(ui, lang.pick("通道", "Channel"), &mut f.channel, "1");
                        }
                        row(ui, lang.pick("用户名", "User"), &mut f.user, "admin");
                        let hint =
                            if original.is_some() { lang.pick("留空则不变", "empty: unchanged") } else { "" };
                        secret_row(ui, lang.pick("密码", "Password"), &mut f.password, hint);
                        if original.is_some() {
                            ui.label("");
                            ui.checkbox(
                                &mut f.clear_password,
                                lang.pick("清除已保存的密码", "Remove the stored password"),
                            );
                            ui.end_row();
                        }
                    });
                    if let Some(device) = &discovery.device {
                        ui.horizontal(|ui| {
                            ui.label(RichText::new(format!("ONVIF: {}", device.address)).color(t.text_weak));
                            let label = lang.pick("从摄像头获取码流地址", "Ask the camera for its stream URLs");
                            if ui.add_enabled(!discovery.uris_running, egui::Button::new(label)).clicked() {
                                commands.push(AdminCommand::FetchStreamUris);
                            }
                            if discovery.uris_running {
                                ui.spinner();
                            }
                        });
                        if let Some(e) = &discovery.uris_error {
                            ui.label(RichText::new(e).color(t.red));
                        }
                    }
                    // What the preset makes of it.
                    match f.spec(lang) {
                        Ok(spec) => {
                            ui.label(
                                RichText::new(format!("{} {}", lang.pick("主码流：", "Main:"), spec.main_url))
                                    .monospace()
                                    .color(t.text_weak),
                            );
                            if let Some(sub) = &spec.sub_url {
                                ui.label(
                                    RichText::new(format!("{} {sub}", lang.pick("子码流：", "Sub:")))
                                        .monospace()
                                        .color(t.text_weak),
                                );
                            }
                        }
                        Err(e) => {
                            ui.label(RichText::new(e).color(t.orange));
                        }
                    }
                    ui.add_space(t.spacing * 0.5);
                    ui.horizontal(|ui| {
                        if ui
                            .add_enabled(
                                !probe.running,
                                egui::Button::new(lang.pick("测试连接", "Test the connection")),
                            )
                            .clicked()
                        {
                            commands.push(AdminCommand::TestConnection);
                        }
                        if probe.running {
                            ui.spinner();
                            ui.label(lang.pick("正在连接（最多 10 秒）…", "Connecting (up to 10 seconds)…"));
                        }
                    });
                    match &probe.result {
                        Some(Ok(r)) => {
                            ui.horizontal(|ui| {
                                if let Some(texture) = &probe.texture {
                                    let (w, h) = crate::video::probe::PREVIEW;
                                    ui.add(egui::Image::new((texture.id(), egui::vec2(w as f32, h as f32))));
                                }
                                ui.vertical(|ui| {
                                    ui.label(RichText::new(lang.pick("连接成功", "Connected")).color(t.ok).strong());
                                    ui.label(format!("{} {}", lang.pick("编码：", "Codec:"), r.codec));
                                    ui.label(format!(
                                        "{} {}×{}",
                                        lang.pick("分辨率：", "Resolution:"),
                                        r.width,
                                        r.height
                                    ));
                                    ui.label(format!("{} {:.1}", lang.pick("帧率：", "Frame rate:"), r.fps));
                                });
                            });
                        }
                        Some(Err(e)) => {
                            ui.label(RichText::new(e).color(t.red));
                        }
                        None => {}
                    }
                });
        }
        AdminForm::Watch { camera, seat, changed } => {
            let ready = *changed && seat.is_some_and(|s| s.is_valid());
            let w = &view.watch;
            base("admin_watch", format!("{} · {camera}", lang.pick("巡察设置", "Watching")))
                .width(DialogWidth::Wide)
                .subtitle(lang.pick(
                    "基准画面用于发现摄像头被转动；座位区域用于发现离岗（营业时间内无人超过规定时长）。检测结果只提示，由监察员确认。",
                    "The reference view shows a turned camera; the seat region an empty seat (nobody there longer than allowed in opening hours). Findings only prompt: a supervisor decides.",
                ))
                .submit(lang.pick("保存座位区域", "Save the seat region"), AdminCommand::Submit, ready)
                .cancel_label(lang.pick("关闭", "Close"))
                .show(ui, &t, commands, |ui, commands| watch_setup_ui(ui, w, seat, changed, commands, lang, &t));
        }
        AdminForm::Retire { part, key } => {
            let title = format!("{}{} {key}", lang.pick("停用", "Retire "), lang.pick(part.label_zh(), part.as_str()));
            base("admin_retire", title).width(DialogWidth::Narrow).submit(lang.pick("停用", "Retire"), AdminCommand::Submit, true).show(
                ui,
                &t,
                commands,
                |ui, _| {
                    ui.label(lang.pick(
                        "停用后不再出现在视频墙、选择列表和录像机中；已有的办件、录像和记录仍显示它的名称。重新添加即可恢复。",
                        "Once retired it leaves the wall, the pickers and the recorder; old cases, footage and records still show its name. Adding it again brings it back.",
                    ));
                },
            );
        }
        AdminForm::NewUser(f) => {
            let ready = !f.username.trim().is_empty() && f.role.is_some();
            base("admin_new_user", lang.pick("新增用户", "Add a user").to_owned())
                .submit(save, AdminCommand::Submit, ready)
                .show(ui, &t, commands, |ui, _| {
                    egui::Grid::new("admin_new_user_form").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                        row(ui, lang.pick("用户名", "User name"), &mut f.username, "supervisor2");
                        row(ui, lang.pick("姓名", "Name"), &mut f.display_name, "");
                        ui.label(lang.pick("角色", "Role"));
                        ui.horizontal(|ui| {
                            for role in Role::PEOPLE {
                                ui.radio_value(&mut f.role, Some(role), role_label(role, lang));
                            }
                        });
                        ui.end_row();
                        secret_row(
                            ui,
                            lang.pick("初始密码", "Password"),
                            &mut f.password,
                            lang.pick("至少 8 个字符", "at least 8 characters"),
                        );
                        secret_row(ui, lang.pick("再输入一次", "Again"), &mut f.again, "");
                        row(ui, lang.pick("所属大厅", "Halls"), &mut f.halls, HALLS_HINT[lang_index(lang)]);
                    });
                });
        }
        AdminForm::EditUser { username, display_name, role, halls } => {
            base("admin_edit_user", format!("{} {username}", lang.pick("编辑用户", "Edit user")))
                .submit(save, AdminCommand::Submit, true)
                .show(ui, &t, commands, |ui, _| {
                    egui::Grid::new("admin_edit_user_form").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                        row(ui, lang.pick("姓名", "Name"), display_name, "");
                        ui.label(lang.pick("角色", "Role"));
                        ui.horizontal(|ui| {
                            for r in Role::PEOPLE {
                                ui.radio_value(role, r, role_label(r, lang));
                            }
                        });
                        ui.end_row();
                        row(ui, lang.pick("所属大厅", "Halls"), halls, HALLS_HINT[lang_index(lang)]);
                    });
                });
        }
        AdminForm::RefuseChange { summary, reason, .. } => {
            base(
                "admin_refuse_change",
                format!("{} {summary}", lang.pick("驳回账户变更", "Refuse the account change")),
            )
            .submit(lang.pick("驳回", "Refuse"), AdminCommand::Submit, !reason.trim().is_empty())
            .show(ui, &t, commands, |ui, _| {
                ui.label(lang.pick("驳回的理由（记入审计日志）：", "Why (kept in the audit log):"));
                ui.add(egui::TextEdit::multiline(reason).desired_rows(3).desired_width(f32::INFINITY));
            });
        }
        AdminForm::ResetPassword { username, password, again } => {
            base("admin_reset", format!("{} {username}", lang.pick("重置密码", "Reset the password of")))
                .submit(save, AdminCommand::Submit, !password.is_empty())
                .show(ui, &t, commands, |ui, _| {
                    ui.label(lang.pick(
                        "用户下次登录时必须设置新密码。",
                        "The user must choose a new password at the next login.",
                    ));
                    egui::Grid::new("admin_reset_form").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                        secret_row(
                            ui,
                            lang.pick("临时密码", "Temporary password"),
                            password,
                            lang.pick("至少 8 个字符", "at least 8 characters"),
                        );
                        secret_row(ui, lang.pick("再输入一次", "Again"), again, "");
                    });
                });
        }
    }
}

/// The body of 巡察设置: the picture now with the seat region (drag to draw it), the reference view
/// in force, and their buttons.
fn watch_setup_ui(
    ui: &mut egui::Ui,
    w: &state::WatchSetupView,
    seat: &mut Option<crate::domain::watch::Region>,
    changed: &mut bool,
    commands: &mut Sender<AdminCommand>,
    lang: Lang,
    t: &Tokens,
) {
    let setup = match &w.setup {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(lang.pick("正在读取…", "Loading…"));
            });
            return;
        }
        Some(Err(e)) => {
            ui.label(RichText::new(e).color(t.red));
            return;
        }
        Some(Ok(setup)) => setup,
    };
    ui.label(RichText::new(lang.pick("当前画面（拖动框出座位）", "The picture now (drag to frame the seat)")).strong());
    let width = ui.available_width();
    let size = egui::vec2(width, width * 9.0 / 16.0);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::drag());
    let canvas = lang.pick("座位区域画面", "Seat region picture");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, canvas));
    let painter = ui.painter_at(rect);
    let picture = match &w.picture {
        Some(Ok((_, texture))) => Some(texture),
        _ => w.reference.as_ref(),
    };
    match picture {
        Some(texture) => {
            let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
            painter.image(texture.id(), rect, uv, t.image_tint);
        }
        None => {
            painter.rect_filled(rect, 2.0, t.panel_raised);
        }
    }
    let text = match &w.picture {
        None if w.capturing => {
            Some(lang.pick("正在取画面（最多 10 秒）…", "Taking a picture (up to 10 seconds)…").to_owned())
        }
        Some(Err(e)) => Some(format!("{}：{e}", lang.pick("取不到画面", "No picture"))),
        _ if picture.is_none() => Some(lang.pick("没有画面", "No picture").to_owned()),
        _ => None,
    };
    if let Some(text) = text {
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            text,
            egui::FontId::proportional(t.text_size.nav),
            t.orange,
        );
    }
    // Drag from one corner to the other; the region is kept as fractions of the picture.
    let start_id = egui::Id::unique("admin_watch_seat_start");
    if response.drag_started()
        && let Some(p) = response.interact_pointer_pos()
    {
        ui.ctx().data_mut(|d| d.insert_temp(start_id, p));
    }
    if response.dragged()
        && let (Some(start), Some(p)) =
            (ui.ctx().data(|d| d.get_temp::<egui::Pos2>(start_id)), response.interact_pointer_pos())
    {
        let a = rect.clamp(start);
        let b = rect.clamp(p);
        let drawn = egui::Rect::from_two_pos(a, b);
        *seat = Some(crate::domain::watch::Region {
            x: (drawn.min.x - rect.min.x) / rect.width(),
            y: (drawn.min.y - rect.min.y) / rect.height(),
            width: drawn.width() / rect.width(),
            height: drawn.height() / rect.height(),
        });
        *changed = true;
    }
    if let Some(s) = seat {
        let drawn = egui::Rect::from_min_size(
            rect.min + egui::vec2(s.x * rect.width(), s.y * rect.height()),
            egui::vec2(s.width * rect.width(), s.height * rect.height()),
        );
        let colour = if s.is_valid() { t.orange } else { t.red };
        painter.rect_stroke(drawn, 0.0, egui::Stroke::new(2.0, colour), egui::StrokeKind::Inside);
        painter.text(
            drawn.left_top() + egui::vec2(4.0, 2.0),
            egui::Align2::LEFT_TOP,
            lang.pick("座位", "Seat"),
            egui::FontId::proportional(t.text_size.tile),
            colour,
        );
    }
    ui.horizontal(|ui| {
        let seat_text = match (seat.as_ref(), *changed) {
            (None, _) => {
                lang.pick("未设座位区域：不检测离岗", "No seat region: empty seats are not watched").to_owned()
            }
            (Some(s), true) => format!(
                "{} {:.0}%×{:.0}%",
                lang.pick("新画的座位区域（未保存）", "Seat region drawn (not saved)"),
                s.width * 100.0,
                s.height * 100.0
            ),
            (Some(_), false) => lang.pick("座位区域已设定", "Seat region set").to_owned(),
        };
        ui.label(RichText::new(seat_text).color(if *changed { t.orange } else { t.text_weak }));
        if setup.seat.is_some() && ui.small_button(lang.pick("清除座位区域", "Remove the seat region")).clicked()
        {
            commands.push(AdminCommand::ClearSeat);
        }
    });
    ui.add_space(t.spacing * 0.5);
    ui.horizontal(|ui| {
        if let Some(texture) = &w.reference {
            ui.add(egui::Image::new((texture.id(), egui::vec2(160.0, 90.0))));
        }
        ui.vertical(|ui| {
            ui.label(RichText::new(lang.pick("基准画面", "Reference view")).strong());
            match (&setup.reference_sha256, &setup.reference_set_at) {
                (Some(sha), Some(at)) => {
                    let (by, at) = (
                        setup.reference_set_by.as_deref().unwrap_or("?"),
                        crate::domain::time::format_local_minutes(*at),
                    );
                    ui.label(lang.pick_owned(&format!("由 {by} 于 {at} 设定"), &format!("Set by {by} at {at}")));
                    ui.label(
                        RichText::new(format!("SHA-256 {}…", &sha[..sha.len().min(16)])).monospace().color(t.text_weak),
                    );
                }
                _ => {
                    ui.label(
                        RichText::new(lang.pick("未设基准画面：不检测转动", "None: a turned camera is not noticed"))
                            .color(t.text_weak),
                    );
                }
            }
            ui.horizontal(|ui| {
                let have = matches!(w.picture, Some(Ok(_)));
                if ui
                    .add_enabled(have, egui::Button::new(lang.pick("设为基准画面", "Set as the reference view")))
                    .clicked()
                {
                    commands.push(AdminCommand::SetReference(true));
                }
                if ui
                    .add_enabled(!w.capturing, egui::Button::new(lang.pick("重新取画面", "Take the picture again")))
                    .clicked()
                {
                    commands.push(AdminCommand::Capture);
                }
                if w.capturing {
                    ui.spinner();
                }
                if setup.reference_sha256.is_some() && ui.small_button(lang.pick("清除基准画面", "Remove")).clicked()
                {
                    commands.push(AdminCommand::SetReference(false));
                }
            });
        });
    });
    if let Some(saved) = &w.saved {
        ui.label(RichText::new(saved).color(t.ok));
    }
}

/// What the halls field of an account's form takes: hall codes, comma-separated; empty for the city.
const HALLS_HINT: [&str; 2] = ["大厅代码，逗号分隔；留空为全市", "hall codes, comma-separated; empty: the whole city"];

fn lang_index(lang: Lang) -> usize {
    usize::from(lang == Lang::En)
}

/// An account's halls as the list shows them.
pub(super) fn halls_label(halls: &[String], lang: Lang) -> String {
    if halls.is_empty() { lang.pick("全市", "Whole city").to_owned() } else { halls.join("、") }
}

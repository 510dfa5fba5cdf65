//! The frame around every area: top bar, navigation, status bar, notices, and the screens before login.

use chrono::{DateTime, Utc};
use egui::{Align, Layout, RichText};

use crate::domain::time;

use crate::ui::alerts;
use crate::ui::areas::{self, AppCommand, AreaCommand};
use crate::ui::command::Command;
use crate::ui::context::{Panel, Sender, shared};
use crate::ui::i18n::Lang;
use crate::ui::state::{AppState, Area, NoticeLevel, Screen};
use crate::ui::supervision::{complaints, discipline, violations};
use crate::ui::video::VideoPath;
use crate::ui::{
    admin, assessment, attendance, audit, evaluator, first_start, fonts, footage, login, overview, settings, wall,
};

/// Draws the console. The console's own panels push `Command`s; each area's panels send through their
/// own `Sender`, drained into `queue` in order.
pub fn app_ui(
    ui: &mut egui::Ui,
    state: &mut AppState,
    queue: &mut Vec<AppCommand>,
    (now, monotonic): (DateTime<Utc>, std::time::Instant),
    busy: bool,
) {
    let mut own = Vec::new();
    screen_ui(ui, state, &mut own, queue, (now, monotonic), busy);
    queue.extend(own.into_iter().map(AppCommand::Console));
}

fn screen_ui(
    ui: &mut egui::Ui,
    state: &mut AppState,
    commands: &mut Vec<Command>,
    queue: &mut Vec<AppCommand>,
    (now, monotonic): (DateTime<Utc>, std::time::Instant),
    busy: bool,
) {
    match state.screen.clone() {
        Screen::NoFont => no_font_ui(ui, state, commands),
        Screen::Starting => starting_ui(ui, state),
        Screen::OpenFailed(message) => open_failed_ui(ui, state, &message),
        Screen::Login => {
            egui::CentralPanel::default().frame(egui::Frame::new().fill(state.tokens.bg)).show(ui, |ui| {
                notice_ui(ui, state, commands);
                login::login_ui(ui, state, commands);
            });
        }
        Screen::FirstStart => {
            egui::CentralPanel::default().frame(egui::Frame::new().fill(state.tokens.bg)).show(ui, |ui| {
                notice_ui(ui, state, commands);
                first_start::first_start_ui(ui, state, commands);
            });
        }
        Screen::ChangePassword => {
            egui::CentralPanel::default().frame(egui::Frame::new().fill(state.tokens.bg)).show(ui, |ui| {
                first_start::change_password_ui(ui, state, commands);
            });
        }
        Screen::Main => main_ui(ui, state, commands, queue, (now, monotonic), busy),
    }
}

fn centered(ui: &mut egui::Ui, state: &AppState, add: impl FnOnce(&mut egui::Ui)) {
    egui::CentralPanel::default().frame(egui::Frame::new().fill(state.tokens.bg)).show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.3);
            add(ui);
        });
    });
}

fn starting_ui(ui: &mut egui::Ui, state: &AppState) {
    let lang = state.lang;
    centered(ui, state, |ui| {
        crate::ui::picture::icon(ui, 72.0);
        ui.heading(lang.pick("监察台", "Jiancha"));
        ui.add_space(12.0);
        ui.spinner();
        ui.label(lang.pick(
            "正在打开数据…（生成演示大厅约需一分钟）",
            "Opening the data… (generating the demo hall takes about a minute)",
        ));
    });
}

fn open_failed_ui(ui: &mut egui::Ui, state: &AppState, message: &str) {
    let lang = state.lang;
    let red = state.tokens.red;
    centered(ui, state, |ui| {
        ui.heading(lang.pick("无法打开数据", "Cannot open the data"));
        ui.add_space(8.0);
        ui.label(RichText::new(message).color(red));
        ui.add_space(8.0);
        ui.label(lang.pick(
            "请检查数据目录（--data-dir 或 JIANCHA_DATA_DIR）的权限与磁盘空间，然后重新启动。",
            "Check the data directory (--data-dir or JIANCHA_DATA_DIR) permissions and disk space, then restart.",
        ));
    });
}

/// Shown in Latin script only: without a CJK font, Chinese would render as boxes.
fn no_font_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    centered(ui, state, |ui| {
        ui.heading("No Chinese font found (Zhongwen ziti queshi)");
        ui.add_space(8.0);
        ui.label(format!(
            "Jiancha needs a Simplified Chinese font. Install the package {} and restart:",
            fonts::FONT_PACKAGE
        ));
        ui.add_space(4.0);
        ui.code(format!("sudo apt install {}", fonts::FONT_PACKAGE));
        ui.add_space(12.0);
        if ui.button("Continue in English (Chinese data will not display)").clicked() {
            commands.push(Command::ContinueWithoutFont);
        }
    });
}

/// Remote mode over plain HTTP to another machine: says so above every area for as long as it is so.
fn plain_link_banner_ui(ui: &mut egui::Ui, state: &AppState) {
    let Some(opened) = &state.opened else { return };
    if !opened.remote || !crate::store::remote::is_plain_off_machine(&opened.backend) {
        return;
    }
    let t = &state.tokens;
    egui::Frame::new().fill(t.panel_raised).stroke(egui::Stroke::new(1.0, t.orange)).inner_margin(8).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(
            RichText::new(state.lang.pick(
                "⚠ 与服务器的连接未加密（http://）：密码、令牌和录像可被网络上的其他人读取。请在服务器上启用 HTTPS（--tls-cert/--tls-key），并在「设置」中改用 https:// 地址。",
                "⚠ The link to the server is not encrypted (http://): passwords, tokens and footage can be read by others on the network. Enable HTTPS on the server (--tls-cert/--tls-key) and use its https:// address in Settings.",
            ))
            .color(t.orange),
        );
    });
    ui.add_space(4.0);
}

/// Remote mode, link lost: says so above every area, and what happens to what is done meanwhile.
fn offline_banner_ui(ui: &mut egui::Ui, state: &AppState) {
    if !state.link.offline {
        return;
    }
    let t = &state.tokens;
    let lang = state.lang;
    egui::Frame::new().fill(t.red).inner_margin(8).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(
            RichText::new(format!(
                "{}{}{}",
                lang.pick(
                    "⚠ 离线：服务器无法连接。屏幕上是最后取得的数据；现在的操作存入发件箱",
                    "⚠ Offline: the server cannot be reached. The screen shows the last data received; what you do now waits in the outbox",
                ),
                if state.link.pending > 0 { format!("（{} {}）", state.link.pending, lang.pick("项", "waiting")) } else { String::new() },
                lang.pick("，恢复连接后自动发送。", " and is sent when the link returns."),
            ))
            .strong()
            .color(t.text_on_accent),
        );
    });
    ui.add_space(4.0);
}

fn notice_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some((level, text)) = &state.notice else {
        return;
    };
    let t = &state.tokens;
    let colour = match level {
        NoticeLevel::Info => t.accent,
        NoticeLevel::Warning => t.orange,
        NoticeLevel::Error => t.red,
    };
    egui::Frame::new().fill(t.panel_raised).stroke(egui::Stroke::new(1.0, colour)).inner_margin(8).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(text).color(t.text_strong));
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui.button(state.lang.pick("知道了", "Dismiss")).clicked() {
                    commands.push(Command::DismissNotice);
                }
            });
        });
    });
    ui.add_space(4.0);
}

fn main_ui(
    ui: &mut egui::Ui,
    state: &mut AppState,
    commands: &mut Vec<Command>,
    queue: &mut Vec<AppCommand>,
    (now, monotonic): (DateTime<Utc>, std::time::Instant),
    busy: bool,
) {
    let lang = state.lang;
    let tokens = state.tokens;

    egui::Panel::top("top_bar").frame(egui::Frame::new().fill(tokens.bg).inner_margin(8)).show(ui, |ui| {
        top_bar_ui(ui, state, commands);
    });
    egui::Panel::bottom("status_bar")
        .frame(egui::Frame::new().fill(tokens.bg).inner_margin(egui::Margin::symmetric(8, 4)))
        .show(ui, |ui| {
            status_bar_ui(ui, state, commands, now, busy);
        });
    egui::Panel::left("navigation")
        .resizable(false)
        .exact_size(tokens.nav_width)
        .frame(egui::Frame::new().fill(tokens.panel).inner_margin(8))
        .show(ui, |ui| {
            navigation_ui(ui, state, commands);
        });
    egui::CentralPanel::default().frame(egui::Frame::new().fill(tokens.bg).inner_margin(12)).show(ui, |ui| {
        offline_banner_ui(ui, state);
        plain_link_banner_ui(ui, state);
        notice_ui(ui, state, commands);
        ui.heading(RichText::new(state.area.label(lang)).color(tokens.text_strong));
        ui.add_space(6.0);
        // Each area draws from its own state and the shared part (`context::Panel`) and sends through
        // its own `Sender`.
        macro_rules! area {
            ($Variant:ident, $field:ident, |$panel:ident, $sender:ident| $call:expr) => {{
                let mut $sender = Sender::default();
                let $panel = &mut Panel { shared: shared!(state, now, monotonic), view: &mut state.$field };
                $call;
                areas::queue($sender.take(), AreaCommand::$Variant, queue);
            }};
        }
        match state.area {
            Area::Overview => overview::overview_ui(ui, &shared!(state, now, monotonic), commands),
            Area::Wall => area!(Wall, wall, |p, s| wall::wall_ui(ui, p, &mut s, now)),
            Area::Alerts => area!(Alerts, alerts, |p, s| alerts::area_ui(ui, p, &mut s, now)),
            Area::Attendance => area!(Attendance, attendance, |p, s| attendance::attendance_ui(ui, p, &mut s, now)),
            Area::Evaluator => area!(Evaluator, evaluator, |p, s| evaluator::evaluator_ui(ui, p, &mut s, now)),
            Area::Footage => {
                area!(Footage, footage, |p, s| footage::footage_ui(ui, p, &mut s, now));
                // An observation asked for from the footage (`Open::Observation`) is filled in here.
                area!(Supervision, supervision, |p, s| discipline::observation_form_ui(ui, p, &mut s));
            }
            Area::Audit => area!(Audit, audit, |p, s| audit::audit_ui(ui, p, &mut s)),
            Area::Assessment => area!(Assessment, assessment, |p, s| assessment::assessment_ui(ui, p, &mut s, now)),
            Area::Complaints => area!(Supervision, supervision, |p, s| complaints::complaints_ui(ui, p, &mut s, now)),
            Area::Discipline => area!(Supervision, supervision, |p, s| discipline::discipline_ui(ui, p, &mut s, now)),
            Area::Violations => area!(Supervision, supervision, |p, s| violations::violations_ui(ui, p, &mut s, now)),
            Area::Settings => settings::settings_ui(ui, state, commands),
            Area::Admin => area!(Admin, admin, |p, s| admin::admin_ui(ui, p, &mut s)),
        }
    });
}

fn top_bar_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    ui.horizontal(|ui| {
        crate::ui::picture::icon(ui, 24.0);
        ui.label(RichText::new(lang.pick("监察台", "Jiancha")).strong().size(t.text_size.counter).color(t.text_strong));
        if let Some(hall) = state.hall_name() {
            ui.label(RichText::new(format!("· {hall}")).size(t.text_size.nav).color(t.text));
        }
        hall_filter_ui(ui, state, commands);
        ui.label(RichText::new(lang.pick("电子监察总监控室", "Electronic supervision room")).color(t.text_weak));
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if ui.button(lang.pick("退出登录", "Log out")).clicked() {
                commands.push(Command::Logout);
            }
            let other = match lang {
                Lang::Zh => (Lang::En, "English"),
                Lang::En => (Lang::Zh, "中文"),
            };
            if ui.button(other.1).on_hover_text(lang.pick("切换界面语言", "Switch the interface language")).clicked()
            {
                commands.push(Command::SetLang(other.0));
            }
            if let Some(s) = &state.session {
                ui.label(
                    RichText::new(format!("{} {}（{}）", lang.role(s.role), s.display_name, s.username)).color(t.text),
                );
            }
        });
    });
}

/// 大厅筛选: an account of several halls (the city) looks at all of them or one; every list and the
/// wall keep to it (the store filters, `Session::view`).
fn hall_filter_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let Some(session) = &state.session else { return };
    if state.view_halls.len() < 2 {
        return;
    }
    let all = lang.pick("全部大厅", "All halls");
    let shown = match session.view.as_slice() {
        [] => all.to_owned(),
        [one] => state.view_halls.iter().find(|(c, _)| c == one).map_or_else(|| one.clone(), |(_, n)| n.clone()),
        many => many.join("、"),
    };
    egui::ComboBox::from_id_salt("hall_filter")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            if ui.selectable_label(session.view.is_empty(), all).clicked() {
                commands.push(Command::SetView(Vec::new()));
            }
            for (code, name) in &state.view_halls {
                let chosen = session.view.len() == 1 && &session.view[0] == code;
                if ui.selectable_label(chosen, format!("{code} {name}")).clicked() {
                    commands.push(Command::SetView(vec![code.clone()]));
                }
            }
        })
        .response
        .on_hover_text(
            lang.pick(
                "只看所选大厅：各页列表、视频墙与概况",
                "Show only this hall: every list, the wall, the overview",
            ),
        );
}

fn navigation_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    ui.add_space(4.0);
    let role = state.session.as_ref().map(|s| s.role);
    for (index, area) in Area::ALL.into_iter().enumerate() {
        if !role.is_some_and(|r| area.offered_to(r)) {
            continue;
        }
        let selected = state.area == area;
        let mut text = RichText::new(area.label(lang)).size(t.text_size.nav);
        text = if selected { text.color(t.text_strong).strong() } else { text.color(t.text) };
        let response = ui.add_sized([ui.available_width(), 34.0], egui::Button::selectable(selected, text));
        let shortcut = if index < 9 {
            format!("Alt+{}", index + 1)
        } else if index == 9 {
            "Alt+0".to_owned()
        } else {
            String::new()
        };
        let response = if shortcut.is_empty() { response } else { response.on_hover_text(shortcut) };
        if response.clicked() && !selected {
            commands.push(Command::Navigate(area));
        }
    }
    // Alt+1 … Alt+0 jump to the first ten areas.
    let keys = [
        egui::Key::Num1,
        egui::Key::Num2,
        egui::Key::Num3,
        egui::Key::Num4,
        egui::Key::Num5,
        egui::Key::Num6,
        egui::Key::Num7,
        egui::Key::Num8,
        egui::Key::Num9,
        egui::Key::Num0,
    ];
    for (key, area) in keys.into_iter().zip(Area::ALL) {
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::ALT, key)) && state.area != area {
            commands.push(Command::Navigate(area));
        }
    }
}

fn status_bar_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>, now: DateTime<Utc>, busy: bool) {
    let lang = state.lang;
    let t = &state.tokens;
    ui.horizontal(|ui| {
        if let Some(opened) = &state.opened {
            ui.label(
                RichText::new(format!("{} {}", lang.pick("数据源", "Backend"), opened.backend))
                    .small()
                    .color(t.text_weak),
            );
            if opened.remote && crate::store::remote::is_plain_off_machine(&opened.backend) {
                ui.label(RichText::new(lang.pick("⚠ 未加密", "⚠ not encrypted")).small().color(t.orange));
            }
            if opened.remote {
                let (text, colour) = if state.link.offline {
                    (lang.pick("● 离线", "● offline"), t.red)
                } else {
                    (lang.pick("● 已连接", "● online"), t.ok)
                };
                ui.label(RichText::new(text).small().color(colour));
                if state.link.pending > 0 {
                    ui.label(
                        RichText::new(format!("{} {}", lang.pick("发件箱", "outbox"), state.link.pending))
                            .small()
                            .color(t.orange),
                    );
                }
            }
            ui.separator();
        }
        if let Some(s) = &state.session {
            ui.label(RichText::new(format!("{} · {}", s.display_name, lang.role(s.role))).small().color(t.text_weak));
            ui.separator();
        }
        match state.overview.as_ref().and_then(|o| o.latest_event_recorded_at.max(o.latest_import_at)) {
            Some(at) => {
                let minutes = (now - at).num_minutes().max(0);
                let age = if minutes < 60 {
                    format!("{minutes} {}", lang.pick("分钟前", "min ago"))
                } else if minutes < 48 * 60 {
                    format!("{} {}", minutes / 60, lang.pick("小时前", "h ago"))
                } else {
                    format!("{} {}", minutes / 1440, lang.pick("天前", "days ago"))
                };
                let colour = if minutes > 24 * 60 { t.orange } else { t.text_weak };
                ui.label(
                    RichText::new(format!(
                        "{} {}（{age}）",
                        lang.pick("数据更新于", "Data as of"),
                        time::format_local_minutes(at)
                    ))
                    .small()
                    .color(colour),
                );
            }
            None => {
                ui.label(RichText::new(lang.pick("尚无办件数据", "No case data yet")).small().color(t.text_weak));
            }
        }
        // The years without holiday data as the store counts them (with the years entered in the
        // database; through a server too), else as the opened data directory does.
        let calendar_warning = match &state.overview {
            Some(o) => {
                crate::domain::calendar::missing_years_warning(&o.calendar_missing_years.iter().copied().collect())
            }
            None => state.opened.as_ref().and_then(|o| o.calendar_warning.clone()),
        };
        if let Some(w) = &calendar_warning {
            ui.separator();
            // The warning leads to where the year is entered (administrators); others are told who can.
            let admin =
                state.session.as_ref().is_some_and(|s| s.role.allows(crate::domain::access::Permission::ConfigureHall));
            if admin {
                let link =
                    ui.link(RichText::new(format!("{w} — {}", lang.pick("录入", "enter it"))).small().color(t.orange));
                if link.clicked() {
                    let year = w.chars().take(4).collect::<String>().parse::<i32>().ok();
                    commands.push(Command::Navigate(Area::Admin));
                    commands.push(Command::Open(crate::ui::open::Open::Calendar(year)));
                }
            } else {
                ui.label(RichText::new(w).small().color(t.orange)).on_hover_text(lang.pick(
                    "请管理员在 系统管理 → 工作日历 录入国务院的节假日安排",
                    "An administrator enters the State Council's schedule in Administration → Calendar",
                ));
            }
        }
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            ui.label(RichText::new(time::format_local(now)).monospace().color(t.text));
            if busy {
                ui.spinner();
            }
            if state.area == Area::Wall
                && let Some(path) = &state.wall.video_path
            {
                let (text, detail, colour) = match path {
                    VideoPath::Gpu(renderer) => (lang.pick("视频：GPU 渲染", "Video: GPU"), renderer, t.text_weak),
                    VideoPath::Cpu(why) => (lang.pick("视频：CPU 渲染", "Video: CPU"), why, t.orange),
                };
                ui.label(RichText::new(text).small().color(colour)).on_hover_text(detail);
            }
        });
    });
}

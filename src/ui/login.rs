//! The login screen.

use egui::RichText;

use crate::ui::command::Command;
use crate::ui::state::AppState;

pub fn login_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = state.tokens;
    ui.vertical_centered(|ui| {
        ui.add_space((ui.available_height() * 0.18).max(20.0));
        crate::ui::picture::icon(ui, 72.0);
        ui.label(RichText::new(lang.pick("监察台", "Jiancha")).size(t.text_size.display).strong().color(t.text_strong));
        ui.label(RichText::new(lang.pick("行政审批电子监察系统 · 总监控室", "Electronic supervision of administrative approval")).color(t.text_weak));
        ui.add_space(24.0);
        t.card_frame().show(ui, |ui| {
            ui.set_width(t.login_width());
            egui::Grid::new("login_grid").num_columns(2).spacing([12.0, 12.0]).show(ui, |ui| {
                let user_label = ui.label(lang.pick("用户名", "User name"));
                let user = ui.add(egui::TextEdit::singleline(&mut state.login.username).desired_width(240.0)).labelled_by(user_label.id);
                if state.login.username.is_empty() && !user.has_focus() && ui.memory(|m| m.focused().is_none()) {
                    user.request_focus();
                }
                ui.end_row();
                let password_label = ui.label(lang.pick("密码", "Password"));
                let password = ui
                    .add(egui::TextEdit::singleline(&mut state.login.password).password(true).desired_width(240.0))
                    .labelled_by(password_label.id);
                ui.end_row();
                let enter = (user.lost_focus() || password.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.label("");
                let button = ui.add_enabled(!state.login.pending, egui::Button::new(lang.pick("登录", "Log in")).min_size([120.0, 30.0].into()));
                if (button.clicked() || enter) && !state.login.pending {
                    commands.push(Command::Login);
                }
                ui.end_row();
            });
            if state.login.pending {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(lang.pick("正在验证…", "Checking…"));
                });
            }
            if let Some(error) = &state.login.error {
                ui.label(RichText::new(error).color(t.red));
            }
        });
        ui.add_space(12.0);
        if let Some(opened) = &state.opened {
            if !opened.has_users {
                ui.label(RichText::new(lang.pick(
                    "数据库中还没有账号。请用 `jiancha users add NAME --role admin --name 姓名` 创建管理员（新的数据目录请用 `jiancha init`）。",
                    "The database has no accounts yet. Create an administrator with `jiancha users add NAME --role admin --name NAME` (a new data directory: `jiancha init`).",
                )).color(t.orange));
            }
            ui.label(RichText::new(&opened.backend).small().color(t.text_weak));
            if opened.remote && crate::store::remote::is_plain_off_machine(&opened.backend) {
                ui.label(
                    RichText::new(lang.pick(
                        "⚠ 连接未加密：密码将以明文经过网络。请改用 https:// 地址。",
                        "⚠ Not encrypted: the password crosses the network in clear. Use an https:// address.",
                    ))
                    .color(t.orange),
                );
            }
        }
        let other = match lang {
            crate::ui::i18n::Lang::Zh => (crate::ui::i18n::Lang::En, "English"),
            crate::ui::i18n::Lang::En => (crate::ui::i18n::Lang::Zh, "中文"),
        };
        // Without a Chinese font the switch could not even show its own label.
        if state.font_family.is_some() && ui.small_button(other.1).clicked() {
            commands.push(Command::SetLang(other.0));
        }
    });
}

//! The screens before the console proper: the first start of an empty data directory (打开演示大厅 /
//! 新建本大厅 / 连接服务器) and replacing a reset password.

use egui::RichText;

use crate::domain::model::HallLevel;
use crate::ui::command::Command;
use crate::ui::i18n::Lang;
use crate::ui::state::{AppState, FirstStartChoice};
use crate::ui::theme::Tokens;

fn field(ui: &mut egui::Ui, label: &str, value: &mut String, password: bool, hint: &str) -> egui::Response {
    let l = ui.label(label);
    let edit = egui::TextEdit::singleline(value).password(password).hint_text(hint).desired_width(260.0);
    let r = ui.add(edit).labelled_by(l.id);
    ui.end_row();
    r
}

fn title(ui: &mut egui::Ui, t: &Tokens, lang: Lang) {
    crate::ui::picture::icon(ui, 72.0);
    ui.label(RichText::new(lang.pick("监察台", "Jiancha")).size(t.text_size.display).strong().color(t.text_strong));
    ui.label(
        RichText::new(
            lang.pick("行政审批电子监察系统 · 总监控室", "Electronic supervision of administrative approval"),
        )
        .color(t.text_weak),
    );
    ui.add_space(t.spacing * 2.0);
}

pub fn first_start_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = state.tokens;
    ui.vertical_centered(|ui| {
        ui.add_space((ui.available_height() * 0.12).max(20.0));
        title(ui, &t, lang);
        let dir = state.first_start.data_dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default();
        t.card_frame().show(ui, |ui| {
            ui.set_width(t.dialog_width(crate::ui::theme::DialogWidth::Wide));
            match state.first_start.choice {
                FirstStartChoice::Choose => choose_ui(ui, state, commands, &dir),
                FirstStartChoice::NewHall => new_hall_ui(ui, state, commands),
                FirstStartChoice::Server => server_ui(ui, state, commands),
            }
        });
        ui.add_space(t.spacing);
        ui.label(
            RichText::new(format!("{} {dir}", lang.pick("数据目录：", "Data directory:"))).small().color(t.text_weak),
        );
    });
}

fn choose_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>, dir: &str) {
    let lang = state.lang;
    let t = state.tokens;
    ui.label(
        RichText::new(
            lang.pick(
                "这台电脑上还没有监察数据。请选择：",
                "There is no supervision data on this computer yet. Choose:",
            ),
        )
        .strong(),
    );
    let _ = dir;
    ui.add_space(t.spacing);
    let choice = |ui: &mut egui::Ui, label: &str, text: &str| -> bool {
        let clicked = ui
            .add_sized([ui.available_width(), 40.0], egui::Button::new(RichText::new(label).size(t.text_size.nav)))
            .clicked();
        ui.label(RichText::new(text).color(t.text_weak));
        ui.add_space(t.spacing);
        clicked
    };
    if choice(
        ui,
        lang.pick("新建本大厅", "Set up this hall"),
        lang.pick(
            "第一次投入使用：建立第一个管理员账号和本大厅，然后在「系统管理」中录入部门、窗口、摄像头和用户。",
            "Putting Jiancha into service: create the first administrator and this hall, then enter departments, windows, cameras and users in Administration.",
        ),
    ) {
        commands.push(Command::FirstStartChoose(FirstStartChoice::NewHall));
    }
    if choice(
        ui,
        lang.pick("连接服务器", "Connect to a server"),
        lang.pick(
            "本大厅的数据在服务器上（jiancha serve）：填写服务器地址，多个工作站共用。",
            "The hall's data is on a server (jiancha serve): enter its address; several workstations share it.",
        ),
    ) {
        commands.push(Command::FirstStartChoose(FirstStartChoice::Server));
    }
    if choice(
        ui,
        lang.pick("打开演示大厅", "Open the demo hall"),
        lang.pick(
            "生成四平市政务服务中心的演示数据（约一分钟），用于培训和试用；不要用于正式监察。",
            "Generate the demo hall (四平市政务服务中心, about a minute) for training and trying out; not for real supervision.",
        ),
    ) {
        commands.push(Command::OpenDemo);
    }
}

fn new_hall_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = state.tokens;
    let f = &mut state.first_start;
    ui.label(RichText::new(lang.pick("新建本大厅", "Set up this hall")).size(t.text_size.nav).strong());
    ui.add_space(t.spacing * 0.5);
    // One grid for both parts, so that their fields line up.
    egui::Grid::new("first_hall").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
        ui.label(RichText::new(lang.pick("第一个管理员", "The first administrator")).strong());
        ui.end_row();
        field(ui, lang.pick("用户名", "User name"), &mut f.username, false, "admin");
        field(ui, lang.pick("姓名", "Name"), &mut f.display_name, false, lang.pick("王管理", "Wang"));
        field(
            ui,
            lang.pick("密码", "Password"),
            &mut f.password,
            true,
            lang.pick("至少 8 个字符", "at least 8 characters"),
        );
        field(ui, lang.pick("再输入一次", "Again"), &mut f.password_again, true, "");
        ui.label(RichText::new(lang.pick("本大厅", "This hall")).strong());
        ui.end_row();
        field(ui, lang.pick("大厅编码", "Hall code"), &mut f.hall_code, false, "SP-CITY");
        field(ui, lang.pick("大厅名称", "Hall name"), &mut f.hall_name, false, "四平市政务服务中心");
        field(ui, lang.pick("地址", "Address"), &mut f.hall_address, false, "");
        ui.label(lang.pick("级别", "Level"));
        ui.horizontal(|ui| {
            for level in HallLevel::ALL {
                ui.radio_value(&mut f.hall_level, level, lang.pick(level.label_zh(), level.label_en()));
            }
        });
        ui.end_row();
    });
    if let Some(e) = &f.error {
        ui.label(RichText::new(e).color(t.red));
    }
    ui.add_space(t.spacing * 0.5);
    let pending = f.pending;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!pending, egui::Button::new(lang.pick("建立并进入系统管理", "Set up and open Administration")))
            .clicked()
        {
            commands.push(Command::SetUpHall);
        }
        if ui.add_enabled(!pending, egui::Button::new(lang.pick("返回", "Back"))).clicked() {
            commands.push(Command::FirstStartChoose(FirstStartChoice::Choose));
        }
        if pending {
            ui.spinner();
        }
    });
}

fn server_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = state.tokens;
    let f = &mut state.backend_form;
    ui.label(RichText::new(lang.pick("连接服务器", "Connect to a server")).size(t.text_size.nav).strong());
    ui.add_space(t.spacing * 0.5);
    egui::Grid::new("first_server").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
        field(ui, lang.pick("服务器地址", "Server address"), &mut f.url, false, "https://192.168.10.2:8730");
        field(ui, lang.pick("证书（可选）", "CA certificate (optional)"), &mut f.ca_cert, false, "/etc/jiancha/ca.pem");
    });
    if let Some(e) = &f.error {
        ui.label(RichText::new(e).color(t.red));
    }
    ui.add_space(t.spacing * 0.5);
    ui.horizontal(|ui| {
        if ui.button(lang.pick("连接", "Connect")).clicked() {
            commands.push(Command::SaveBackend);
        }
        if ui.button(lang.pick("返回", "Back")).clicked() {
            commands.push(Command::FirstStartChoose(FirstStartChoice::Choose));
        }
    });
}

/// Logged in with a password an administrator reset: choose a new one before anything else.
pub fn change_password_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = state.tokens;
    ui.vertical_centered(|ui| {
        ui.add_space((ui.available_height() * 0.2).max(20.0));
        title(ui, &t, lang);
        t.card_frame().show(ui, |ui| {
            ui.set_width(t.login_width());
            ui.label(
                RichText::new(lang.pick(
                    "管理员重置了您的密码。请输入临时密码，并设置一个不同的新密码（至少 8 个字符）。",
                    "An administrator reset your password. Give the temporary one and choose a different new one (at least 8 characters).",
                ))
                .strong(),
            );
            ui.add_space(t.spacing * 0.5);
            let form = &mut state.login;
            egui::Grid::new("new_password").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                field(ui, lang.pick("临时密码", "Temporary password"), &mut form.current_password, true, "");
                field(ui, lang.pick("新密码", "New password"), &mut form.new_password, true, "");
                field(ui, lang.pick("再输入一次", "Again"), &mut form.new_password_again, true, "");
            });
            if let Some(e) = &form.error {
                ui.label(RichText::new(e).color(t.red));
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!form.pending, egui::Button::new(lang.pick("设置新密码", "Set the new password")))
                    .clicked()
                {
                    commands.push(Command::ChangeOwnPassword);
                }
                if ui.button(lang.pick("退出登录", "Log out")).clicked() {
                    commands.push(Command::Logout);
                }
            });
        });
    });
}

//! 设置: interface language, alert palette, the working-day calendar's data, where the data lives.

use egui::RichText;

use crate::ui::command::Command;
use crate::ui::i18n::Lang;
use crate::ui::state::AppState;
use crate::ui::theme::AlertPalette;

pub fn settings_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(lang.pick("界面", "Interface")).strong().color(t.text_strong));
        ui.horizontal(|ui| {
            ui.label(lang.pick("语言", "Language"));
            if ui.radio(lang == Lang::Zh, "简体中文").clicked() {
                commands.push(Command::SetLang(Lang::Zh));
            }
            if ui.radio(lang == Lang::En, "English").clicked() {
                commands.push(Command::SetLang(Lang::En));
            }
        });
        ui.horizontal(|ui| {
            ui.label(lang.pick("预警配色", "Alert colours"));
            if ui
                .radio(
                    state.palette == AlertPalette::Standard,
                    lang.pick("标准（黄/橙/红）", "Standard (yellow/orange/red)"),
                )
                .clicked()
            {
                commands.push(Command::SetPalette(AlertPalette::Standard));
            }
            if ui
                .radio(state.palette == AlertPalette::ColourBlind, lang.pick("色弱友好", "Colour-blind friendly"))
                .clicked()
            {
                commands.push(Command::SetPalette(AlertPalette::ColourBlind));
            }
        });
        ui.horizontal(|ui| {
            for (name, colour) in [
                (lang.pick("黄", "yellow"), t.yellow),
                (lang.pick("橙", "orange"), t.orange),
                (lang.pick("红", "red"), t.red),
            ] {
                ui.label(RichText::new(format!("● {name}")).color(colour));
            }
        });
        let mut sound = state.sound_on_red;
        if ui.checkbox(&mut sound, lang.pick("新红色预警时播放提示音", "Play a sound on a new red alert")).changed()
        {
            commands.push(Command::SetSoundOnRed(sound));
        }
        if let Some(font) = &state.font_family {
            ui.label(RichText::new(format!("{} {font}", lang.pick("中文字体", "Chinese font"))).color(t.text_weak));
        }
    });
    ui.add_space(8.0);
    if state.opened.is_none() {
        return;
    }
    if !state.backend_form.loaded
        && let Some(opened) = &state.opened
    {
        let saved = opened.workstation.clone();
        state.backend_form = crate::ui::state::BackendForm {
            loaded: true,
            // A server given with --backend shows even when it is not saved.
            url: saved
                .backend
                .url
                .unwrap_or_else(|| if opened.remote { opened.backend.clone() } else { String::new() }),
            ca_cert: saved.backend.ca_cert.map(|p| p.display().to_string()).unwrap_or_default(),
            error: None,
        };
    }
    let t = &state.tokens;
    let Some(opened) = &state.opened else { return };
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(lang.pick("工作日历", "Working-day calendar")).strong().color(t.text_strong));
        let years: Vec<i32> = opened.calendar.known_years().collect();
        if let (Some(first), Some(last)) = (years.first(), years.last()) {
            ui.label(format!(
                "{} {first}–{last}（{} {}）",
                lang.pick("已有国务院节假日安排：", "Official holiday data:"),
                years.len(),
                lang.pick("年", "years")
            ));
        }
        if let Some(w) = &opened.calendar_warning {
            ui.label(RichText::new(w).color(t.orange));
            ui.label(RichText::new(lang.pick(
                "新一年的通知发布后，由管理员在 系统管理 → 工作日历 录入（或导入 holiday-cn 格式的 YYYY.json）。",
                "When the next year's notice is published, an administrator enters it in Administration → Calendar (or imports holiday-cn's YYYY.json).",
            )).color(t.text_weak));
        }
        let overrides: Vec<_> = opened.calendar.overrides().collect();
        if overrides.is_empty() {
            ui.label(RichText::new(lang.pick("本地调整：无（在 rules.toml 的 [calendar] 中设置）", "Local overrides: none (set in rules.toml, [calendar])")).color(t.text_weak));
        } else {
            for o in overrides {
                ui.label(format!("{} {} {}", o.date, if o.working { lang.pick("上班", "working") } else { lang.pick("闭厅", "closed") }, o.note));
            }
        }
    });
    ui.add_space(8.0);
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(lang.pick("数据", "Data")).strong().color(t.text_strong));
        ui.label(format!("{} {}", lang.pick("数据目录", "Data directory"), opened.data_dir.display()));
        ui.label(format!("{} {}", lang.pick("数据源", "Backend"), opened.backend));
        if let Some(w) = &opened.settings_warning {
            ui.label(RichText::new(w).color(t.orange));
        }
        if opened.remote {
            let (text, colour) = if state.link.offline {
                (lang.pick("离线（服务器无法连接）", "offline (the server cannot be reached)"), t.red)
            } else {
                (lang.pick("已连接", "connected"), t.ok)
            };
            ui.label(RichText::new(format!("{} {text}", lang.pick("连接状态", "Link"))).color(colour));
            ui.label(format!("{} {}", lang.pick("发件箱待发送", "Waiting in the outbox"), state.link.pending));
        }
    });
    ui.add_space(8.0);
    let form = &mut state.backend_form;
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(lang.pick("服务器（多个工作站共用数据）", "Server (workstations sharing data)")).strong().color(t.text_strong));
        ui.label(RichText::new(lang.pick(
            "留空则使用本机数据库。填写 jiancha serve 的地址（如 http://192.168.1.10:8730 或 https://…）后，本工作站的数据都来自该服务器；离线时的操作存入发件箱，恢复连接后自动发送。",
            "Empty: the local database. With the address of a `jiancha serve` (http://192.168.1.10:8730 or https://…) all data comes from that server; what is done while offline waits in the outbox and is sent when the link returns.",
        )).color(t.text_weak));
        egui::Grid::new("backend_form").num_columns(2).spacing([8.0, 6.0]).show(ui, |ui| {
            ui.label(lang.pick("服务器地址", "Server address"));
            ui.add(egui::TextEdit::singleline(&mut form.url).hint_text("http://host:8730").desired_width(360.0));
            ui.end_row();
            ui.label(lang.pick("CA 证书（可选）", "CA certificate (optional)"));
            ui.add(egui::TextEdit::singleline(&mut form.ca_cert).hint_text("/etc/jiancha/hall-ca.pem").desired_width(360.0));
            ui.end_row();
        });
        ui.horizontal(|ui| {
            if ui.button(lang.pick("保存并重新连接", "Save and reconnect")).clicked() {
                commands.push(Command::SaveBackend);
            }
            if !form.url.is_empty() && ui.button(lang.pick("改用本机数据库", "Use the local database")).clicked() {
                form.url.clear();
                form.ca_cert.clear();
                commands.push(Command::SaveBackend);
            }
        });
        if let Some(e) = &form.error {
            ui.label(RichText::new(e).color(t.red));
        }
    });
}

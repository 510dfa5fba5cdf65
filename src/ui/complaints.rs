//! 投诉: the complaint register (read-only for now; registration and handling come with the complaints work).

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use crate::domain::time;

use super::command::Command;
use super::state::AppState;

pub fn complaints_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(lang.pick(
                "投诉登记簿（只读）。投诉登记、调查与处理流程尚未开放。",
                "The complaint register (read-only). Registering and handling complaints is not available yet.",
            ))
            .color(t.text_weak),
        );
        if ui.small_button(lang.pick("刷新", "Refresh")).clicked() {
            commands.push(Command::LoadComplaints);
        }
    });
    let Some(list) = &state.complaints else {
        ui.spinner();
        return;
    };
    if list.is_empty() {
        ui.label(lang.pick("没有投诉。", "No complaints."));
        return;
    }
    TableBuilder::new(ui)
        .id_salt("complaints")
        .striped(true)
        .column(Column::exact(110.0))
        .column(Column::exact(140.0))
        .column(Column::exact(50.0))
        .column(Column::exact(60.0))
        .column(Column::exact(150.0))
        .column(Column::remainder().clip(true))
        .header(24.0, |h| {
            super::widgets::header_row(
                h,
                &[
                    lang.pick("编号", "No."),
                    lang.pick("收到时间", "Received"),
                    lang.pick("渠道", "Channel"),
                    lang.pick("窗口", "Window"),
                    lang.pick("关联办件", "Case"),
                    lang.pick("内容", "Content"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, list.len(), |mut row| {
                let c = &list[row.index()];
                row.col(|ui| {
                    ui.label(RichText::new(&c.complaint_no).monospace());
                });
                row.col(|ui| {
                    ui.label(time::format_local_minutes(c.received_at));
                });
                row.col(|ui| {
                    ui.label(match lang {
                        super::i18n::Lang::Zh => c.channel.label_zh(),
                        super::i18n::Lang::En => c.channel.as_str(),
                    });
                });
                row.col(|ui| {
                    ui.label(c.window_code.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(RichText::new(c.case_no.as_deref().unwrap_or("—")).monospace());
                });
                row.col(|ui| {
                    ui.label(&c.content).on_hover_text(format!("{} {}", c.complainant, c.contact));
                });
            });
        });
}

//! The alert area's other tabs: supervision notices (督办通知单) with their replies, and the daily checks.

use super::*;
use crate::ui::context::{Panel, Sender};

pub(super) fn notices_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, super::state::AlertsView>,
    commands: &mut Sender<AlertsCommand>,
) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let Some(list) = &state.view.notices else {
        ui.spinner();
        return;
    };
    if list.is_empty() {
        ui.label(lang.pick(
            "尚未发出督办通知。在预警列表中选中一条预警，点击“督办…”。",
            "No notices yet. Select an alert and click “Supervision notice…”.",
        ));
        return;
    }
    let can_act =
        state.shared.session.as_ref().is_some_and(|s| s.role.allows(crate::domain::access::Permission::Supervise));
    TableBuilder::new(ui)
        .id_salt("notices")
        .striped(true)
        .column(Column::exact(130.0))
        .column(Column::exact(130.0))
        .column(Column::initial(170.0).clip(true))
        .column(Column::exact(128.0))
        .column(Column::exact(90.0))
        .column(Column::exact(100.0))
        .column(Column::remainder().clip(true))
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("编号", "No."),
                    lang.pick("办件", "Case"),
                    lang.pick("部门", "Department"),
                    lang.pick("发出", "Issued"),
                    lang.pick("答复期限", "Due"),
                    lang.pick("状态", "State"),
                    lang.pick("答复", "Reply"),
                ],
            )
        })
        .body(|body| {
            body.rows(26.0, list.len(), |mut row| {
                let n = &list[row.index()];
                row.col(|ui| {
                    ui.label(RichText::new(&n.notice_no).color(t.text_strong));
                });
                row.col(|ui| {
                    if ui.link(&n.case_no).clicked() {
                        commands.push(AlertsCommand::OpenCase(n.case_no.clone()));
                    }
                });
                row.col(|ui| {
                    ui.label(n.department.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(time::format_local_minutes(n.issued_at));
                });
                row.col(|ui| {
                    ui.label(n.due_date.to_string());
                });
                row.col(|ui| {
                    let colour = match n.state {
                        NoticeState::Overdue => t.red,
                        NoticeState::Pending => t.yellow,
                        NoticeState::AnsweredLate => t.orange,
                        NoticeState::Answered => t.ok,
                    };
                    ui.label(RichText::new(n.state.label_zh()).color(colour));
                });
                row.col(|ui| {
                    ui.horizontal(|ui| {
                        if ui
                            .small_button("PDF")
                            .on_hover_text(lang.pick("督办通知单 PDF", "The notice as PDF"))
                            .clicked()
                        {
                            commands.console(Command::Open(Open::NoticePdf { notice_id: n.id, print: None }));
                        }
                        if ui.small_button(lang.pick("打印", "Print")).clicked() {
                            commands.console(Command::Open(Open::NoticePdf { notice_id: n.id, print: Some(None) }));
                        }
                        match &n.reply_text {
                            Some(text) => {
                                ui.label(RichText::new(text).color(t.text_weak));
                            }
                            None => {
                                if can_act && ui.button(lang.pick("记录答复…", "Record reply…")).clicked() {
                                    commands.push(AlertsCommand::OpenDialog(AlertDialog::Reply {
                                        notice_id: n.id,
                                        notice_no: n.notice_no.clone(),
                                        text: String::new(),
                                    }));
                                }
                            }
                        }
                    });
                });
            });
        });
}

pub(super) fn daily_checks_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, super::state::AlertsView>,
    commands: &mut Sender<AlertsCommand>,
) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    ui.label(RichText::new(lang.pick(
        "依据第八条第二款第一项：每日查询一次审批数据，对发现的问题发出预警提示。每次检查保存当日报告（CSV）并记录检查人与时间。",
        "Art 8(2)1: query the approval data once a day and prompt on the problems found. Each check saves the day's report (CSV) and records who checked and when.",
    )).color(t.text_weak));
    let Some(list) = &state.view.daily_checks else {
        ui.spinner();
        return;
    };
    TableBuilder::new(ui)
        .id_salt("daily_checks")
        .striped(true)
        .column(Column::exact(100.0))
        .column(Column::exact(140.0))
        .column(Column::exact(110.0))
        .column(Column::exact(200.0))
        .column(Column::remainder().clip(true))
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("日期", "Day"),
                    lang.pick("检查时间", "Checked at"),
                    lang.pick("检查人", "By"),
                    lang.pick("预警（红/橙/黄）", "Alerts (red/orange/yellow)"),
                    lang.pick("报告", "Report"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, list.len(), |mut row| {
                let c = &list[row.index()];
                row.col(|ui| {
                    ui.label(c.day.to_string());
                });
                row.col(|ui| {
                    ui.label(time::format_local_minutes(c.checked_at));
                });
                row.col(|ui| {
                    ui.label(&c.checked_by);
                });
                row.col(|ui| {
                    ui.label(format!(
                        "{}（{} / {} / {}），{} {}",
                        c.open_alerts,
                        c.red,
                        c.orange,
                        c.yellow,
                        lang.pick("当日新增", "new"),
                        c.new_alerts
                    ));
                });
                row.col(|ui| {
                    ui.horizontal(|ui| {
                        if ui
                            .small_button("PDF")
                            .on_hover_text(lang.pick("当日检查报告 PDF", "The day's report as PDF"))
                            .clicked()
                        {
                            commands.console(Command::Open(Open::DailyPdf(c.day)));
                        }
                        ui.label(RichText::new(&c.report_path).monospace().small())
                            .on_hover_text(format!("SHA-256 {}", c.report_sha256));
                    });
                });
            });
        });
}

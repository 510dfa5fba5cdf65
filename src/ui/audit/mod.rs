//! 审计: the audit log for auditors and administrators — filters, a virtualised table, the chain check.

pub mod jobs;
pub mod logic;
pub mod state;

pub use jobs::{AuditJob, AuditReply};
pub use logic::{AuditArea, AuditCommand};

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use crate::domain::access::Permission;
use crate::domain::time;

use crate::ui::context::{Panel, Sender};

fn labelled_edit(ui: &mut egui::Ui, label: &str, value: &mut String, width: f32, hint: &str) -> egui::Response {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(width).hint_text(hint)).labelled_by(l.id)
}

pub fn audit_ui(ui: &mut egui::Ui, state: &mut Panel<'_, state::AuditView>, commands: &mut Sender<AuditCommand>) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let allowed = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::ReadAudit));
    if !allowed {
        t.card_frame().show(ui, |ui| {
            ui.label(
                RichText::new(lang.pick(
                    "仅审计员和管理员可以查看审计日志。",
                    "Only auditors and administrators can read the audit log.",
                ))
                .color(t.orange),
            );
        });
        return;
    }
    let view = &mut *state.view;
    let mut search = false;
    ui.horizontal_wrapped(|ui| {
        let r1 = labelled_edit(ui, lang.pick("操作人", "Actor"), &mut view.filter.actor, 110.0, "supervisor1");
        let r2 = labelled_edit(ui, lang.pick("操作", "Action"), &mut view.filter.action, 110.0, "import / login");
        let r3 = labelled_edit(
            ui,
            lang.pick("内容", "Text"),
            &mut view.filter.text,
            150.0,
            lang.pick("对象或详情", "target or detail"),
        );
        let r4 = labelled_edit(ui, lang.pick("起始日期", "From"), &mut view.filter.from, 100.0, "YYYY-MM-DD");
        let r5 = labelled_edit(ui, lang.pick("截止日期", "To"), &mut view.filter.to, 100.0, "YYYY-MM-DD");
        let enter =
            [r1, r2, r3, r4, r5].iter().any(|r| r.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(lang.pick("查询", "Search")).clicked() || enter {
            search = true;
        }
        ui.separator();
        let verify = ui.add_enabled(!view.verifying, egui::Button::new(lang.pick("校验审计链", "Verify chain")));
        if verify.clicked() {
            commands.push(AuditCommand::Verify);
        }
    });
    if search {
        commands.push(AuditCommand::Search);
    }
    if let Some(e) = &view.filter_error {
        ui.label(RichText::new(e).color(t.red));
    }
    if view.verifying {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(lang.pick("正在校验…", "Verifying…"));
        });
    }
    match &view.verification {
        Some(Ok(v)) => match &v.first_bad {
            None => {
                ui.label(
                    RichText::new(format!(
                        "{} {} {}",
                        lang.pick("校验通过：审计链完整，共", "Verified: the chain is intact,"),
                        v.records,
                        lang.pick("条记录", "records")
                    ))
                    .color(t.ok),
                );
            }
            Some(b) => {
                ui.label(
                    RichText::new(format!(
                        "{} {}: {}",
                        lang.pick(
                            "校验失败：审计链被破坏，首个异常记录",
                            "Verification failed: the chain is broken at record"
                        ),
                        b.seq,
                        b.reason
                    ))
                    .strong()
                    .color(t.red),
                );
            }
        },
        Some(Err(e)) => {
            ui.label(RichText::new(e).color(t.red));
        }
        None => {}
    }
    if let Some(e) = &view.error {
        ui.label(RichText::new(e).color(t.red));
    }
    ui.add_space(4.0);
    ui.label(
        RichText::new(format!(
            "{} {} {}",
            lang.pick("显示", "Showing"),
            view.records.len(),
            lang.pick("条（最新在前）", "records (newest first)")
        ))
        .color(t.text_weak),
    );

    let selected = view.selected;
    let detail_height = if selected.is_some() { 120.0 } else { 0.0 };
    let table_height = (ui.available_height() - detail_height - 40.0).max(120.0);
    let records = &view.records;
    TableBuilder::new(ui)
        .id_salt("audit_table")
        .striped(true)
        .sense(egui::Sense::click())
        .max_scroll_height(table_height)
        .column(Column::exact(64.0))
        .column(Column::exact(150.0))
        .column(Column::initial(100.0).resizable(true))
        .column(Column::initial(150.0).resizable(true))
        .column(Column::initial(200.0).resizable(true))
        .column(Column::remainder().clip(true))
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("序号", "Seq"),
                    lang.pick("时间", "Time"),
                    lang.pick("操作人", "Actor"),
                    lang.pick("操作", "Action"),
                    lang.pick("对象", "Target"),
                    lang.pick("详情", "Detail"),
                ],
            )
        })
        .body(|body| {
            body.rows(22.0, records.len(), |mut row| {
                let r = &records[row.index()];
                row.set_selected(selected == Some(r.seq));
                row.col(|ui| {
                    ui.label(RichText::new(r.seq.to_string()).monospace());
                });
                row.col(|ui| {
                    ui.label(time::format_local(r.at));
                });
                row.col(|ui| {
                    ui.label(&r.actor);
                });
                row.col(|ui| {
                    ui.label(&r.action);
                });
                row.col(|ui| {
                    ui.label(&r.target);
                });
                row.col(|ui| {
                    ui.label(RichText::new(&r.detail).small().color(t.text_weak));
                });
                if row.response().clicked() {
                    commands.push(AuditCommand::Select(if selected == Some(r.seq) { None } else { Some(r.seq) }));
                }
            });
        });
    ui.horizontal(|ui| {
        if view.loading {
            ui.spinner();
        } else if !view.exhausted
            && !view.records.is_empty()
            && ui.button(lang.pick("加载更早的记录", "Load older records")).clicked()
        {
            commands.push(AuditCommand::More);
        }
    });
    if let Some(r) = selected.and_then(|seq| view.records.iter().find(|r| r.seq == seq)) {
        t.card_frame().show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(format!("#{} {} {} ({})", r.seq, r.action, r.target, r.role)).strong());
            ui.label(RichText::new(&r.detail).monospace());
            ui.label(
                RichText::new(format!("prev {}\nhash {}", r.prev_hash, r.hash)).monospace().small().color(t.text_weak),
            );
        });
    }
}

//! 调取登记: the footage register.

use super::*;
use crate::ui::context::Panel;

pub(super) fn register_ui(ui: &mut egui::Ui, state: &Panel<'_, super::state::FootageView>, lang: Lang, t: &Tokens) {
    let lines = state.view.register.clone().unwrap_or_default();
    let everyone = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::ReadFootageRegister));
    ui.label(
        RichText::new(if everyone {
            lang.pick(
                "全部调阅与拷贝记录（调取人、时间、用途、去向），最新在前。",
                "Every viewing and copy (who, when, why, where to), newest first.",
            )
        } else {
            lang.pick("本人的调阅与拷贝记录。", "Your own viewings and copies.")
        })
        .color(t.text_weak),
    );
    if lines.is_empty() {
        ui.label(RichText::new(lang.pick("没有记录。", "Nothing recorded.")).color(t.text_weak));
        return;
    }
    TableBuilder::new(ui)
        .id_salt("footage_register")
        .striped(true)
        .column(Column::exact(130.0))
        .column(Column::exact(90.0))
        .column(Column::exact(44.0))
        .column(Column::exact(130.0))
        .column(Column::initial(110.0).clip(true))
        .column(Column::exact(170.0))
        .column(Column::initial(160.0).clip(true))
        .column(Column::remainder().clip(true))
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("时间", "When"),
                    lang.pick("调取人", "Who"),
                    lang.pick("方式", "How"),
                    lang.pick("申请编号", "Request"),
                    lang.pick("摄像头", "Camera"),
                    lang.pick("录像时段", "Footage"),
                    lang.pick("用途", "Purpose"),
                    lang.pick("去向", "Destination"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, lines.len(), |mut row| {
                let l = &lines[row.index()];
                row.col(|ui| {
                    ui.label(time::format_local_minutes(l.at));
                });
                row.col(|ui| {
                    ui.label(&l.user);
                });
                row.col(|ui| {
                    ui.label(match l.action {
                        Use::View => lang.pick("调阅", "view"),
                        Use::Export => lang.pick("拷贝", "copy"),
                    });
                });
                row.col(|ui| {
                    ui.label(&l.request_no);
                });
                row.col(|ui| {
                    ui.label(&l.camera_name);
                });
                row.col(|ui| {
                    ui.label(span_text(l.span));
                });
                row.col(|ui| {
                    ui.label(&l.purpose).on_hover_text(&l.purpose);
                });
                row.col(|ui| {
                    let text = match (&l.destination, l.status.as_str()) {
                        (Some(d), "done") => d.clone(),
                        (Some(d), status) => format!("{d}（{status}）"),
                        (None, _) => "—".into(),
                    };
                    let label = ui.label(text);
                    if let Some(h) = &l.sha256 {
                        label.on_hover_text(format!("SHA-256 {h}"));
                    }
                });
            });
        });
}

//! 保全: legal holds on footage.

use super::*;
use crate::ui::context::{Panel, Sender};

pub(super) fn holds_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::FootageView>,
    commands: &mut Sender<FootageCommand>,
    now: DateTime<Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let may_lift = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::ApproveFootage));
    let cameras: Vec<(i64, String)> = state
        .shared
        .directory
        .as_ref()
        .map(|d| d.cameras.iter().map(|c| (c.id, c.name.clone())).collect())
        .unwrap_or_default();
    if let Some((camera, date, from, to, reason)) = state.view.hold_draft.as_mut() {
        t.card_frame().show(ui, |ui| {
            ui.heading(lang.pick("保全录像", "Hold footage"));
            egui::Grid::new("hold_draft").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
                ui.label(lang.pick("摄像头", "Camera"));
                let name = cameras.iter().find(|(id, _)| id == camera).map(|(_, n)| n.clone()).unwrap_or_default();
                egui::ComboBox::from_id_salt("hold_camera").selected_text(name).show_ui(ui, |ui| {
                    for (id, n) in &cameras {
                        ui.selectable_value(camera, *id, n);
                    }
                });
                ui.end_row();
                ui.label(lang.pick("日期与时间", "Date and time"));
                ui.horizontal(|ui| {
                    ui.add(egui::TextEdit::singleline(date).desired_width(100.0));
                    ui.add(egui::TextEdit::singleline(from).desired_width(60.0));
                    ui.label("—");
                    ui.add(egui::TextEdit::singleline(to).desired_width(60.0));
                });
                ui.end_row();
                let l = ui.label(lang.pick("保全理由", "Reason"));
                ui.add(egui::TextEdit::singleline(reason).desired_width(360.0)).labelled_by(l.id);
                ui.end_row();
            });
            ui.horizontal(|ui| {
                if ui.button(lang.pick("保全", "Hold")).clicked() {
                    commands.push(FootageCommand::SubmitHold);
                }
                if ui.button(lang.pick("取消", "Cancel")).clicked() {
                    commands.push(FootageCommand::CancelHold);
                }
            });
        });
    } else if ui.button(lang.pick("新建保全…", "New hold…")).clicked() {
        commands.push(FootageCommand::NewHold);
    }
    let holds = state.view.holds.clone().unwrap_or_default();
    if holds.is_empty() {
        ui.label(
            RichText::new(lang.pick(
                "没有保全。保全的录像不受保存期限删除。",
                "No holds. Held footage is never deleted by retention.",
            ))
            .color(t.text_weak),
        );
        return;
    }
    for h in &holds {
        ui.horizontal(|ui| {
            let active = h.lifted.is_none();
            ui.label(
                RichText::new(if active { lang.pick("保全中", "held") } else { lang.pick("已解除", "lifted") })
                    .color(if active { t.orange } else { t.text_weak }),
            );
            ui.label(cameras.iter().find(|(id, _)| *id == h.camera_id).map(|(_, n)| n.clone()).unwrap_or_default());
            ui.label(span_text(h.span));
            ui.label(&h.reason);
            ui.label(
                RichText::new(format!("{} {}", h.created_by, time::format_local_minutes(h.created_at)))
                    .color(t.text_weak),
            );
            if let Some((by, at, why)) = &h.lifted {
                ui.label(RichText::new(format!("{by} {} {why}", time::format_local_minutes(*at))).color(t.text_weak));
            } else if may_lift && ui.small_button(lang.pick("解除", "Lift")).clicked() {
                commands.push(FootageCommand::LiftHold {
                    id: h.id,
                    reason: lang.pick_owned("核查结束，解除保全", "Review finished"),
                });
            }
        });
    }
    let _ = now;
}

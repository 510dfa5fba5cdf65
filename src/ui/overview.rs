//! 大厅概况: the landing page — counts for the hall and the windows with their staff and load today.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use crate::domain::alerts::Level;

use crate::ui::command::Command;
use crate::ui::context::Shared;

fn stat_ui(ui: &mut egui::Ui, state: &Shared<'_>, label: &str, value: u32, colour: egui::Color32) {
    state.tokens.card_frame().show(ui, |ui| {
        ui.set_min_width(112.0);
        ui.vertical(|ui| {
            ui.label(RichText::new(label).color(state.tokens.text_weak));
            ui.label(RichText::new(value.to_string()).size(state.tokens.text_size.figure).strong().color(colour));
        });
    });
}

pub fn overview_ui(ui: &mut egui::Ui, state: &Shared<'_>, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    let Some(o) = state.overview else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(lang.pick("正在读取…", "Loading…"));
        });
        return;
    };
    // The alert picture first: what a supervisor looks at when the shift starts.
    ui.horizontal(|ui| {
        for (level, count) in [
            (Level::Red, o.open_alerts.red),
            (Level::Orange, o.open_alerts.orange),
            (Level::Yellow, o.open_alerts.yellow),
        ] {
            let colour = crate::ui::alerts::level_colour(t, level);
            let text = RichText::new(format!(
                "{} {} {count}",
                crate::ui::alerts::level_label(lang, level),
                lang.pick("预警", "alerts")
            ))
            .size(state.tokens.text_size.title)
            .strong()
            .color(colour);
            if ui
                .add(egui::Button::new(text).min_size(egui::vec2(150.0, 48.0)))
                .on_hover_text(lang.pick("查看该级别的预警", "Show these alerts"))
                .clicked()
            {
                commands.push(Command::Open(crate::ui::open::Open::Alerts(Some(level))));
            }
        }
        ui.add_space(12.0);
        match &o.today_checked {
            Some(c) => ui.label(
                RichText::new(format!(
                    "{} {} {}",
                    lang.pick("今日数据已检查：", "Today's data checked:"),
                    c.checked_by,
                    crate::domain::time::format_local_minutes(c.checked_at)
                ))
                .color(t.ok),
            ),
            None if !state.is_working_day(o.at) => ui.label(
                RichText::new(lang.pick("今日非工作日，无需数据检查", "Not a working day: no data check due"))
                    .color(t.text_weak),
            ),
            None => ui.label(
                RichText::new(lang.pick(
                    "今日数据尚未检查（预警 → 执行今日检查）",
                    "Today's data not yet checked (Alerts → Run today's check)",
                ))
                .color(t.orange),
            ),
        };
    });
    if !o.halls_side.is_empty() {
        ui.add_space(6.0);
        halls_side_ui(ui, state, &o.halls_side, commands);
    }
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        stat_ui(ui, state, lang.pick("窗口", "Windows"), o.windows, t.text_strong);
        stat_ui(ui, state, lang.pick("工作人员", "Staff"), o.staff, t.text_strong);
        stat_ui(ui, state, lang.pick("事项", "Items"), o.items, t.text_strong);
        stat_ui(ui, state, lang.pick("在办件", "Open cases"), o.cases_open, t.accent);
        stat_ui(ui, state, lang.pick("暂停中", "Suspended"), o.cases_suspended, t.yellow);
        stat_ui(ui, state, lang.pick("今日受理", "Accepted today"), o.accepted_today, t.text_strong);
        stat_ui(ui, state, lang.pick("今日办结", "Completed today"), o.completed_today, t.ok);
        stat_ui(
            ui,
            state,
            lang.pick("待处理投诉", "Open complaints"),
            o.complaints_open,
            if o.complaints_open > 0 { t.orange } else { t.text_strong },
        );
    });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!(
                "{} {} · {} {} · {} {}",
                lang.pick("办件总数", "Cases"),
                o.cases_total,
                lang.pick("事件", "events"),
                o.events_total,
                lang.pick("审计记录", "audit records"),
                o.audit_records
            ))
            .color(t.text_weak),
        );
        if ui.small_button(lang.pick("刷新", "Refresh")).clicked() {
            commands.push(Command::RefreshOverview);
        }
    });
    ui.add_space(8.0);
    ui.label(RichText::new(lang.pick("窗口一览", "Windows")).strong().color(t.text_strong));
    let short: std::collections::HashMap<&str, &str> = state
        .directory
        .iter()
        .flat_map(|d| d.departments.iter())
        .map(|d| (d.name.as_str(), if d.short_name.is_empty() { d.name.as_str() } else { d.short_name.as_str() }))
        .collect();
    TableBuilder::new(ui)
        .id_salt("window_load")
        .striped(true)
        .column(Column::exact(70.0))
        .column(Column::initial(200.0).resizable(true))
        .column(Column::initial(180.0).resizable(true))
        .column(Column::exact(90.0))
        .column(Column::remainder())
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("窗口", "Window"),
                    lang.pick("部门", "Department"),
                    lang.pick("工作人员", "Staff"),
                    lang.pick("今日受理", "Today"),
                    lang.pick("在办件", "Open"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, o.window_load.len(), |mut row| {
                let w = &o.window_load[row.index()];
                row.col(|ui| {
                    ui.label(RichText::new(&w.window_code).strong().color(t.text_strong));
                });
                row.col(|ui| {
                    let name = w.department.as_deref().unwrap_or("—");
                    ui.label(*short.get(name).unwrap_or(&name)).on_hover_text(name);
                });
                row.col(|ui| {
                    ui.label(w.staff.join("、"));
                });
                row.col(|ui| {
                    ui.label(w.accepted_today.to_string());
                });
                row.col(|ui| {
                    ui.label(w.open_cases.to_string());
                });
            });
        });
}

/// The city's halls side by side (an account of several halls): open alerts by level, cameras,
/// findings to decide, this fortnight's attendance marks and last month's grade.
fn halls_side_ui(
    ui: &mut egui::Ui,
    state: &Shared<'_>,
    halls: &[crate::store::HallSummary],
    commands: &mut Vec<Command>,
) {
    let lang = state.lang;
    let t = &state.tokens;
    ui.label(RichText::new(lang.pick("各大厅", "Halls")).strong().color(t.text_strong));
    egui::Grid::new("halls_side").striped(true).spacing(egui::vec2(18.0, 6.0)).show(ui, |ui| {
        for heading in [
            lang.pick("大厅", "Hall"),
            lang.pick("红色预警", "Red"),
            lang.pick("橙色预警", "Orange"),
            lang.pick("黄色预警", "Yellow"),
            lang.pick("摄像头 在线/离线", "Cameras on/off"),
            lang.pick("待决定的发现", "Findings to decide"),
            lang.pick("本期迟到早退", "Late/early this fortnight"),
            lang.pick("上月评估", "Last month"),
        ] {
            ui.label(RichText::new(heading).color(t.text_weak));
        }
        ui.end_row();
        let count = |ui: &mut egui::Ui, n: u32, colour: egui::Color32| {
            ui.label(RichText::new(n.to_string()).strong().color(if n > 0 { colour } else { t.text_weak }));
        };
        for h in halls {
            // A click into the hall: the console shows that hall only (大厅筛选).
            let name = ui.link(RichText::new(format!("{} {}", h.code, h.name)).color(t.text_strong)).on_hover_text(
                lang.pick("进入该大厅：只看它的预警、列表与视频墙", "Open this hall: only its alerts, lists and wall"),
            );
            if name.clicked() {
                commands.push(Command::SetView(vec![h.code.clone()]));
            }
            count(ui, h.open_alerts.red, crate::ui::alerts::level_colour(t, Level::Red));
            count(ui, h.open_alerts.orange, crate::ui::alerts::level_colour(t, Level::Orange));
            count(ui, h.open_alerts.yellow, crate::ui::alerts::level_colour(t, Level::Yellow));
            ui.label(
                RichText::new(format!("{} / {}", h.cameras_online, h.cameras_offline))
                    .color(if h.cameras_offline > 0 { t.orange } else { t.text_strong }),
            );
            count(ui, h.findings_to_decide, t.orange);
            count(ui, h.attendance_marks, t.yellow);
            ui.label(match h.assessment_grade {
                Some(grade) => RichText::new(format!("{} {}", h.assessment_month, grade.label())).color(t.text_strong),
                None => RichText::new(format!("{} {}", h.assessment_month, lang.pick("未评估", "not assessed")))
                    .color(t.text_weak),
            });
            ui.end_row();
        }
    });
}

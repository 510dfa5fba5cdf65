//! 预警: counts per level, filters, the virtualised alert list, supervision notices and the daily check.
//!
//! Filtering and sorting run in `recompute` (called from the app's logic step when the filter or the
//! rows change), never per frame; the table draws only the visible rows.

pub mod case;
mod filter;
pub mod jobs;
pub mod logic;
mod notices;
pub mod state;

pub use filter::recompute;
pub use jobs::{AlertsJob, AlertsReply};
pub use logic::{AlertsArea, AlertsCommand};
use notices::*;

use chrono::NaiveDate;
use egui::{Color32, RichText, Sense};
use egui_extras::{Column, TableBuilder};

use crate::domain::alerts::{Level, Rule, Signal};
use crate::domain::time;
use crate::store::{AlertRow, AlertState, NoticeState};

use crate::report::documents::notice_draft;
use crate::ui::command::Command;
use crate::ui::context::{Panel, Sender};
use crate::ui::dialog::Dialog;
use crate::ui::i18n::Lang;
use crate::ui::open::Open;
use crate::ui::theme::DialogWidth;
use crate::ui::theme::Tokens;
use state::{AlertDialog, AlertFilter, AlertSort, AlertsTab, AlertsView};

/// How long new red alerts stay highlighted.
pub const NEW_RED_HIGHLIGHT_SECS: u64 = 120;

pub(super) fn level_index(level: Level) -> usize {
    match level {
        Level::Red => 0,
        Level::Orange => 1,
        Level::Yellow => 2,
    }
}

pub fn level_colour(tokens: &Tokens, level: Level) -> Color32 {
    match level {
        Level::Red => tokens.red,
        Level::Orange => tokens.orange,
        Level::Yellow => tokens.yellow,
    }
}

pub fn level_label(lang: Lang, level: Level) -> &'static str {
    match level {
        Level::Red => lang.pick("红", "Red"),
        Level::Orange => lang.pick("橙", "Orange"),
        Level::Yellow => lang.pick("黄", "Yellow"),
    }
}

pub fn rule_label(lang: Lang, rule: Rule) -> &'static str {
    match lang {
        Lang::Zh => rule.label_zh(),
        Lang::En => rule.label_en(),
    }
}

/// Draws the signal: a round light for time signals, an upright card for violations — so that the
/// shape, not only the colour, tells them apart.
pub fn signal_ui(ui: &mut egui::Ui, tokens: &Tokens, rule: Rule, level: Level) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(16.0, 16.0), Sense::hover());
    let colour = level_colour(tokens, level);
    let painter = ui.painter();
    match rule.signal() {
        Signal::Light => {
            painter.circle_filled(rect.center(), 6.0, colour);
        }
        Signal::Card => {
            let card = egui::Rect::from_center_size(rect.center(), egui::vec2(9.0, 13.0));
            painter.rect_filled(card, 1.5, colour);
        }
    }
    response
}

fn combo(ui: &mut egui::Ui, id: &str, label: &str, value: &mut Option<String>, options: &[String], any: &str) {
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(id)
        .selected_text(value.clone().unwrap_or_else(|| any.to_owned()))
        .width(150.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, any);
            for o in options {
                ui.selectable_value(value, Some(o.clone()), o);
            }
        })
        .response
        .labelled_by(l.id);
}

fn edit(ui: &mut egui::Ui, label: &str, value: &mut String, width: f32, hint: &str) {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(width).hint_text(hint)).labelled_by(l.id);
}

/// 预警: the open case, or the lists; and the dialog of an action.
pub fn area_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::AlertsView>,
    commands: &mut Sender<AlertsCommand>,
    now: chrono::DateTime<chrono::Utc>,
) {
    if state.view.case.is_some() {
        case::case_ui(ui, state, commands);
    } else {
        alerts_ui(ui, state, commands, now);
    }
    dialog_ui(ui, state, commands);
}

fn alerts_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::AlertsView>,
    commands: &mut Sender<AlertsCommand>,
    now: chrono::DateTime<chrono::Utc>,
) {
    let lang = state.shared.lang;
    ui.horizontal(|ui| {
        for (tab, label) in [
            (AlertsTab::List, lang.pick("预警列表", "Alert list")),
            (AlertsTab::Notices, lang.pick("督办通知", "Supervision notices")),
            (AlertsTab::DailyChecks, lang.pick("每日数据检查", "Daily data check")),
        ] {
            if ui.selectable_label(state.view.tab == tab, label).clicked() && state.view.tab != tab {
                commands.push(AlertsCommand::SetTab(tab));
            }
        }
        ui.separator();
        daily_status_ui(ui, state, commands);
    });
    ui.add_space(4.0);
    match state.view.tab {
        AlertsTab::List => list_ui(ui, state, commands, now),
        AlertsTab::Notices => notices_ui(ui, state, commands),
        AlertsTab::DailyChecks => daily_checks_ui(ui, state, commands),
    }
}

fn daily_status_ui(ui: &mut egui::Ui, state: &Panel<'_, state::AlertsView>, commands: &mut Sender<AlertsCommand>) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    match state.shared.overview.as_ref().and_then(|o| o.today_checked.as_ref()) {
        Some(c) => {
            ui.label(
                RichText::new(format!(
                    "{} {} {}",
                    lang.pick("今日数据已检查：", "Today's data checked:"),
                    c.checked_by,
                    time::format_local_minutes(c.checked_at)
                ))
                .color(t.ok),
            );
        }
        None if state.shared.overview.as_ref().is_some_and(|o| !state.shared.is_working_day(o.at)) => {
            ui.label(RichText::new(lang.pick("今日非工作日", "Not a working day")).color(t.text_weak));
        }
        None => {
            ui.label(RichText::new(lang.pick("今日数据尚未检查", "Today's data not yet checked")).color(t.orange));
        }
    }
    let can =
        state.shared.session.as_ref().is_some_and(|s| s.role.allows(crate::domain::access::Permission::Supervise));
    if state.view.daily_running {
        ui.spinner();
    } else if can && ui.button(lang.pick("执行今日检查", "Run today's check")).clicked() {
        commands.push(AlertsCommand::RunDailyCheck);
    }
}

fn level_chip(ui: &mut egui::Ui, t: &Tokens, lang: Lang, level: Level, count: usize, on: bool) -> bool {
    let colour = level_colour(t, level);
    let text = RichText::new(format!("{} {count}", level_label(lang, level)))
        .size(t.text_size.counter)
        .strong()
        .color(if on { colour } else { t.text_weak });
    let response = ui
        .add(egui::Button::new(text).selected(on).min_size(egui::vec2(96.0, 40.0)))
        .on_hover_text(lang.pick("点击切换是否显示该级别", "Click to show or hide this level"));
    response.clicked()
}

/// Camera alarms (设备告警) above the case alerts: a camera lost during opening hours, until it returns.
fn camera_alarms_ui(ui: &mut egui::Ui, state: &Panel<'_, state::AlertsView>) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let alarms = &state.view.cameras;
    if alarms.is_empty() {
        return;
    }
    let open = alarms.iter().filter(|a| a.resolved_at.is_none()).count();
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(
            RichText::new(format!("{} {open}", lang.pick("设备告警 · 摄像头离线", "Camera alarms · offline")))
                .strong()
                .color(if open > 0 { t.red } else { t.text_weak }),
        );
        for a in alarms.iter().take(8) {
            ui.horizontal(|ui| {
                let (mark, colour) = if a.resolved_at.is_none() { ("●", t.red) } else { ("○", t.text_weak) };
                ui.label(RichText::new(mark).color(colour));
                ui.label(RichText::new(a.window_code.as_deref().unwrap_or("—")).monospace());
                ui.label(&a.camera_name);
                ui.label(
                    RichText::new(format!(
                        "{} {}",
                        lang.pick("离线自", "offline since"),
                        time::format_local_minutes(a.since)
                    ))
                    .color(colour),
                );
                match a.resolved_at {
                    Some(at) => {
                        ui.label(
                            RichText::new(format!(
                                "{} {}",
                                lang.pick("已恢复", "back at"),
                                time::format_local_minutes(at)
                            ))
                            .color(t.ok),
                        );
                    }
                    None => {
                        ui.label(RichText::new(&a.explanation).color(t.text_weak));
                    }
                }
            });
        }
        if alarms.len() > 8 {
            ui.label(RichText::new(format!("… {}", alarms.len() - 8)).color(t.text_weak));
        }
    });
    ui.add_space(4.0);
}

/// How many camera findings the card lists (undecided first).
const FINDING_ROWS: usize = 6;

/// Camera findings (视频巡察, Art 11(8)): a camera blocked or turned away (red while open) and 离岗
/// candidates, each for a supervisor to confirm as an observation or dismiss with a reason.
fn findings_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, state::AlertsView>,
    commands: &mut Sender<AlertsCommand>,
    now: chrono::DateTime<chrono::Utc>,
) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let findings = &state.view.findings;
    if findings.is_empty() {
        return;
    }
    let undecided = findings.iter().filter(|f| f.decision.is_none()).count();
    let may_decide =
        state.shared.session.as_ref().is_some_and(|s| s.role.allows(crate::domain::access::Permission::Supervise));
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(
            RichText::new(format!("{} {undecided}", lang.pick("视频巡察 · 待确认", "Camera watch · to decide")))
                .strong()
                .color(if undecided > 0 { t.red } else { t.text_weak }),
        );
        let all_id = egui::Id::unique("alerts_all_findings");
        let all = ui.ctx().data(|d| d.get_temp::<bool>(all_id)).unwrap_or(false);
        egui::Grid::new("alerts_findings").num_columns(8).spacing([10.0, 4.0]).show(ui, |ui| {
            for f in findings.iter().take(if all { findings.len() } else { FINDING_ROWS }) {
                {
                    let open = f.resolved_at.is_none();
                    let colour = match (open, f.kind.is_tamper()) {
                        (true, true) => t.red,
                        (true, false) => t.orange,
                        _ => t.text_weak,
                    };
                    ui.label(RichText::new(if open { "●" } else { "○" }).color(colour));
                    ui.label(RichText::new(f.window_code.as_deref().unwrap_or("—")).monospace());
                    ui.label(&f.camera_name);
                    ui.label(RichText::new(lang.pick(f.kind.label_zh(), f.kind.label_en())).color(colour).strong());
                    let span = match f.resolved_at {
                        Some(end) => format!(
                            "{}–{}",
                            time::format_local_minutes(f.since),
                            time::format_local_minutes(end).rsplit(' ').next().unwrap_or_default()
                        ),
                        None => format!("{} {}", lang.pick("自", "since"), time::format_local_minutes(f.since)),
                    };
                    ui.label(span);
                    ui.horizontal(|ui| {
                        if let Some(name) = &f.staff_name {
                            ui.label(RichText::new(name).color(t.text_weak));
                        }
                        if !f.staff_note.is_empty() {
                            ui.label(RichText::new(&f.staff_note).color(t.orange));
                        }
                    });
                    let subtitle = format!(
                        "{} · {} · {}",
                        f.camera_name,
                        lang.pick(f.kind.label_zh(), f.kind.label_en()),
                        time::format_local_minutes(f.since)
                    );
                    let snapshots: Vec<i64> =
                        [&f.first_snapshot, &f.second_snapshot].into_iter().flatten().map(|s| s.id).collect();
                    ui.horizontal(|ui| match f.decision {
                        Some(crate::domain::watch::FindingDecision::Confirmed) => {
                            ui.label(RichText::new(lang.pick("已确认", "Confirmed")).color(t.ok));
                        }
                        Some(crate::domain::watch::FindingDecision::Dismissed) => {
                            ui.label(
                                RichText::new(format!("{}：{}", lang.pick("已排除", "Dismissed"), f.reason))
                                    .color(t.text_weak),
                            );
                        }
                        None if may_decide => {
                            for (confirm, label) in
                                [(true, lang.pick("确认…", "Confirm…")), (false, lang.pick("排除…", "Dismiss…"))]
                            {
                                if ui.button(label).clicked() {
                                    commands.push(AlertsCommand::OpenDialog(AlertDialog::DecideFinding {
                                        finding_id: f.id,
                                        kind: f.kind,
                                        confirm,
                                        subtitle: subtitle.clone(),
                                        text: String::new(),
                                        snapshots: snapshots.clone(),
                                    }));
                                }
                            }
                        }
                        None => {}
                    });
                    // The footage around it, under the usual access rules (a request to approve).
                    if ui
                        .small_button(lang.pick("申请调阅录像…", "Request footage…"))
                        .on_hover_text(
                            lang.pick("开始前 1 分钟至结束后 1 分钟", "From a minute before to a minute after"),
                        )
                        .clicked()
                    {
                        let from = (f.since - chrono::Duration::minutes(1)).timestamp_millis();
                        let to = (f.resolved_at.unwrap_or(now) + chrono::Duration::minutes(1)).timestamp_millis();
                        commands.console(Command::Navigate(crate::ui::nav::Area::Footage));
                        commands.console(Command::Open(Open::FootageRequest {
                            cameras: vec![f.camera_id],
                            from: Some(from),
                            to: Some(to.min(now.timestamp_millis())),
                            purpose: lang.pick_owned(
                                &format!("核查自动检测 #{}（{}）", f.id, f.kind.label_zh()),
                                &format!("Check finding #{} ({})", f.id, f.kind.label_en()),
                            ),
                            kind: crate::domain::footage::RequestKind::View,
                            case_no: None,
                            complaint_no: None,
                        }));
                    }
                    ui.end_row();
                }
            }
        });
        if findings.len() > FINDING_ROWS {
            let hidden = findings.len() - FINDING_ROWS;
            let label = if all {
                lang.pick("只显示前几条", "Show fewer").to_owned()
            } else {
                lang.pick_owned(
                    &format!("另有 {hidden} 条未列出，显示全部"),
                    &format!("{hidden} more not listed; show all"),
                )
            };
            if ui.link(RichText::new(label).color(t.text_weak)).clicked() {
                ui.ctx().data_mut(|d| d.insert_temp(all_id, !all));
            }
        }
    });
    ui.add_space(4.0);
}

fn list_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::AlertsView>,
    commands: &mut Sender<AlertsCommand>,
    now: chrono::DateTime<chrono::Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    if !state.view.loaded {
        match &state.view.error {
            // Not loading any more: say why there is nothing, and offer to try again.
            Some(e) if !state.view.loading => {
                ui.label(RichText::new(e).color(t.red));
                if ui.button(lang.pick("重试", "Try again")).clicked() {
                    commands.push(AlertsCommand::Load);
                }
            }
            _ => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(lang.pick("正在计算预警…", "Evaluating alerts…"));
                });
            }
        }
        return;
    }
    camera_alarms_ui(ui, state);
    findings_ui(ui, state, commands, now);
    // Counts per level: clickable filters.
    ui.horizontal(|ui| {
        for level in [Level::Red, Level::Orange, Level::Yellow] {
            let i = level_index(level);
            let on = state.view.filter.levels[i];
            if level_chip(ui, &t, lang, level, state.view.counts[i], on) {
                state.view.filter.levels[i] = !on;
            }
        }
        ui.add_space(12.0);
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                signal_legend(ui, &t, lang);
            });
            ui.label(
                RichText::new(format!(
                    "{} {} / {}",
                    lang.pick("显示", "Showing"),
                    state.view.visible.len(),
                    state.view.rows.len()
                ))
                .color(t.text_weak),
            );
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if state.view.loading {
                ui.spinner();
            } else if ui.button(lang.pick("刷新", "Refresh")).clicked() {
                commands.push(AlertsCommand::Load);
            }
        });
    });
    filters_ui(ui, state);
    if let Some(e) = &state.view.filter_error {
        ui.label(RichText::new(e).color(t.red));
    }
    let selected_row = state.view.selected.and_then(|id| state.view.rows.iter().find(|r| r.id == id)).cloned();
    let detail_height = if selected_row.is_some() { 150.0 } else { 0.0 };
    table_ui(ui, state, commands, (ui.available_height() - detail_height).max(160.0));
    if let Some(row) = selected_row {
        selected_ui(ui, state, commands, &row);
    }
    keyboard(ui, state, commands);
}

fn signal_legend(ui: &mut egui::Ui, t: &Tokens, lang: Lang) {
    signal_ui(ui, t, Rule::Overdue, Level::Red);
    ui.label(RichText::new(lang.pick("灯：时限信号", "light: time signal")).small().color(t.text_weak));
    signal_ui(ui, t, Rule::FeeMismatch, Level::Red);
    ui.label(RichText::new(lang.pick("牌：违规信号", "card: violation")).small().color(t.text_weak));
}

fn filters_ui(ui: &mut egui::Ui, state: &mut Panel<'_, state::AlertsView>) {
    let lang = state.shared.lang;
    let dir = state.shared.directory.cloned().unwrap_or_default();
    let any = lang.pick("全部", "All");
    let f = &mut state.view.filter;
    ui.horizontal_wrapped(|ui| {
        if dir.halls.len() > 1 {
            let halls: Vec<String> = dir.halls.iter().map(|h| h.code.clone()).collect();
            combo(ui, "alert_hall", lang.pick("大厅", "Hall"), &mut f.hall, &halls, any);
        }
        let departments: Vec<String> = dir.departments.iter().map(|d| d.name.clone()).collect();
        combo(ui, "alert_department", lang.pick("部门", "Department"), &mut f.department, &departments, any);
        let windows: Vec<String> = dir
            .windows
            .iter()
            .filter(|w| f.department.as_ref().is_none_or(|d| w.department.as_ref() == Some(d)))
            .map(|w| w.code.clone())
            .collect();
        combo(ui, "alert_window", lang.pick("窗口", "Window"), &mut f.window, &windows, any);
        let l = ui.label(lang.pick("规则", "Rule"));
        egui::ComboBox::from_id_salt("alert_rule")
            .selected_text(f.rule.map_or(any, |r| rule_label(lang, r)))
            .width(130.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut f.rule, None, any);
                for r in Rule::ALL {
                    ui.selectable_value(&mut f.rule, Some(r), rule_label(lang, r));
                }
            })
            .response
            .labelled_by(l.id);
        edit(ui, lang.pick("工作人员", "Staff"), &mut f.staff, 90.0, lang.pick("工号或姓名", "no. or name"));
        edit(ui, lang.pick("办件/申请人", "Case/applicant"), &mut f.text, 130.0, "SP2026…");
        edit(ui, lang.pick("起始日期", "From"), &mut f.from, 104.0, "YYYY-MM-DD");
        edit(ui, lang.pick("截止日期", "To"), &mut f.to, 104.0, "YYYY-MM-DD");
        if ui.button(lang.pick("清除筛选", "Clear filters")).clicked() {
            let sort = (f.sort, f.descending);
            *f = AlertFilter { sort: sort.0, descending: sort.1, ..AlertFilter::default() };
        }
    });
}

fn table_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::AlertsView>,
    commands: &mut Sender<AlertsCommand>,
    height: f32,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let highlight_new = state
        .view
        .new_red_since
        .is_some_and(|s| state.shared.monotonic.saturating_duration_since(s).as_secs() < NEW_RED_HIGHLIGHT_SECS);
    let selected = state.view.selected;
    let scroll_to = if state.view.scroll_to_selected {
        state.view.scroll_to_selected = false;
        selected.and_then(|id| state.view.visible.iter().position(|&i| state.view.rows[i].id == id))
    } else {
        None
    };
    let mut table = TableBuilder::new(ui)
        .id_salt("alert_table")
        .striped(true)
        .sense(Sense::click())
        .max_scroll_height(height)
        .min_scrolled_height(height.min(200.0))
        .column(Column::exact(22.0))
        .column(Column::exact(110.0))
        .column(Column::exact(130.0))
        .column(Column::initial(170.0).resizable(true).clip(true))
        .column(Column::initial(150.0).resizable(true).clip(true))
        .column(Column::exact(54.0))
        .column(Column::initial(90.0).resizable(true).clip(true))
        .column(Column::initial(150.0).resizable(true).clip(true))
        .column(Column::exact(128.0))
        .column(Column::remainder().clip(true));
    if let Some(index) = scroll_to {
        table = table.scroll_to_row(index, Some(egui::Align::Center));
    }
    let view = &mut *state.view;
    let mut header_clicks: Vec<AlertSort> = Vec::new();
    table
        .header(26.0, |mut h| {
            h.col(|_| {});
            for (label, sort) in [
                (lang.pick("级别/规则", "Level/rule"), Some(AlertSort::Severity)),
                (lang.pick("办件编号", "Case"), Some(AlertSort::CaseNo)),
                (lang.pick("事项", "Item"), None),
                (lang.pick("部门", "Department"), Some(AlertSort::Department)),
                (lang.pick("窗口", "Window"), Some(AlertSort::Window)),
                (lang.pick("工作人员", "Staff"), None),
                (lang.pick("申请人", "Applicant"), None),
                (lang.pick("开始时间", "Since"), Some(AlertSort::Since)),
                (lang.pick("说明", "Explanation"), Some(AlertSort::Rule)),
            ] {
                h.col(|ui| match sort {
                    Some(s) => {
                        let arrow = if view.filter.sort == s {
                            if view.filter.descending { " ▼" } else { " ▲" }
                        } else {
                            ""
                        };
                        if ui
                            .add(egui::Button::new(RichText::new(format!("{label}{arrow}")).strong()).frame(false))
                            .clicked()
                        {
                            header_clicks.push(s);
                        }
                    }
                    None => {
                        ui.label(RichText::new(label).strong());
                    }
                });
            }
        })
        .body(|body| {
            body.rows(24.0, view.visible.len(), |mut row| {
                let a = &view.rows[view.visible[row.index()]];
                let is_new = highlight_new && view.new_red.contains(&a.id);
                row.set_selected(selected == Some(a.id));
                row.col(|ui| {
                    signal_ui(ui, &t, a.rule, a.level).on_hover_text(level_label(lang, a.level));
                });
                row.col(|ui| {
                    let mut text = RichText::new(rule_label(lang, a.rule)).color(level_colour(&t, a.level));
                    if is_new {
                        text = text.strong().background_color(t.selection);
                    }
                    ui.label(text);
                });
                row.col(|ui| {
                    ui.label(RichText::new(&a.case_no).color(t.text_strong));
                });
                row.col(|ui| {
                    ui.label(&a.item_name);
                });
                row.col(|ui| {
                    ui.label(&a.department);
                });
                row.col(|ui| {
                    ui.label(a.window.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(a.staff_name.as_deref().or(a.staff_no.as_deref()).unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(a.applicant.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(time::format_local_minutes(a.since));
                });
                row.col(|ui| {
                    let mut text = a.explanation.clone();
                    if let Some(n) = &a.notice_no {
                        text = format!("[{} {n}] {text}", lang.pick("已督办", "notice"));
                    }
                    if a.state != AlertState::Open {
                        text = format!("[{}] {text}", a.state.label_zh());
                    }
                    ui.label(RichText::new(text).color(t.text_weak));
                });
                let response = row.response();
                if response.clicked() {
                    commands.push(AlertsCommand::Select(Some(a.id)));
                }
                if response.double_clicked() {
                    commands.push(AlertsCommand::OpenCase(a.case_no.clone()));
                }
            });
        });
    for s in header_clicks {
        header_button_apply(view, s);
    }
}

fn header_button_apply(view: &mut AlertsView, sort: AlertSort) {
    if view.filter.sort == sort {
        view.filter.descending = !view.filter.descending;
    } else {
        view.filter.sort = sort;
        view.filter.descending = matches!(sort, AlertSort::Severity | AlertSort::Since);
    }
}

fn selected_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, state::AlertsView>,
    commands: &mut Sender<AlertsCommand>,
    a: &AlertRow,
) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let can_act =
        state.shared.session.as_ref().is_some_and(|s| s.role.allows(crate::domain::access::Permission::Supervise));
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            signal_ui(ui, t, a.rule, a.level);
            ui.label(
                RichText::new(format!("{} · {} · {}", rule_label(lang, a.rule), a.case_no, a.item_name))
                    .strong()
                    .color(t.text_strong),
            );
            ui.label(
                RichText::new(format!("{} {}", a.department, a.window.as_deref().unwrap_or(""))).color(t.text_weak),
            );
        });
        ui.label(&a.explanation);
        if let (Some(by), Some(reason)) = (&a.closed_by, &a.close_reason) {
            ui.label(RichText::new(format!("{} {by}：{reason}", lang.pick("已关闭", "Closed by"))).color(t.text_weak));
        }
        ui.horizontal(|ui| {
            if ui.button(lang.pick("查看办件", "Open case")).clicked() {
                commands.push(AlertsCommand::OpenCase(a.case_no.clone()));
            }
            if can_act && a.state == AlertState::Open {
                if ui.button(lang.pick("督办…", "Supervision notice…")).clicked() {
                    commands.push(AlertsCommand::OpenDialog(AlertDialog::IssueNotice {
                        alert_id: a.id,
                        text: notice_draft(a),
                    }));
                }
                if a.rule.needs_closing() && ui.button(lang.pick("关闭预警…", "Close alert…")).clicked() {
                    commands
                        .push(AlertsCommand::OpenDialog(AlertDialog::Close { alert_id: a.id, reason: String::new() }));
                }
            }
            ui.label(
                RichText::new(lang.pick("↑↓ 选择 · Enter 查看办件", "↑↓ select · Enter open case"))
                    .small()
                    .color(t.text_weak),
            );
        });
    });
}

fn keyboard(ui: &mut egui::Ui, state: &Panel<'_, state::AlertsView>, commands: &mut Sender<AlertsCommand>) {
    if state.view.dialog.is_some() || ui.ctx().memory(|m| m.focused().is_some()) {
        return;
    }
    let view = &*state.view;
    let (down, up, enter, escape) = ui.input(|i| {
        (
            i.key_pressed(egui::Key::ArrowDown),
            i.key_pressed(egui::Key::ArrowUp),
            i.key_pressed(egui::Key::Enter),
            i.key_pressed(egui::Key::Escape),
        )
    });
    if view.visible.is_empty() {
        return;
    }
    let position = view.selected.and_then(|id| view.visible.iter().position(|&i| view.rows[i].id == id));
    let target = if down {
        Some(position.map_or(0, |p| (p + 1).min(view.visible.len() - 1)))
    } else if up {
        Some(position.map_or(0, |p| p.saturating_sub(1)))
    } else {
        None
    };
    if let Some(p) = target {
        commands.push(AlertsCommand::Select(Some(view.rows[view.visible[p]].id)));
    }
    if enter && let Some(p) = position {
        commands.push(AlertsCommand::OpenCase(view.rows[view.visible[p]].case_no.clone()));
    }
    if escape && view.selected.is_some() {
        commands.push(AlertsCommand::Select(None));
    }
}

/// The open dialog (notice, close, reply), over the alert list or the case detail.
fn dialog_ui(ui: &mut egui::Ui, state: &mut Panel<'_, state::AlertsView>, commands: &mut Sender<AlertsCommand>) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let pending = state.view.action_pending;
    let error = state.view.dialog_error.clone();
    let Some(dialog) = &mut state.view.dialog else { return };
    let notice_no = match dialog {
        AlertDialog::Reply { notice_no, .. } => Some(notice_no.clone()),
        AlertDialog::DecideFinding { subtitle, .. } => Some(subtitle.clone()),
        _ => None,
    };
    let confirming = matches!(dialog, AlertDialog::DecideFinding { confirm: true, .. });
    let finding_kind = match dialog {
        AlertDialog::DecideFinding { kind, .. } => Some(*kind),
        _ => None,
    };
    let (title, field_label, text, submit): (&str, &str, &mut String, &str) = match dialog {
        AlertDialog::IssueNotice { text, .. } => (
            lang.pick("发出督办通知", "Issue a supervision notice"),
            lang.pick("通知内容", "Notice text"),
            text,
            lang.pick("发出", "Issue"),
        ),
        AlertDialog::Close { reason, .. } => (
            lang.pick("关闭预警", "Close the alert"),
            lang.pick("关闭理由", "Reason"),
            reason,
            lang.pick("关闭", "Close"),
        ),
        AlertDialog::Reply { text, .. } => (
            lang.pick("记录部门答复", "Record the department's reply"),
            lang.pick("答复内容", "Reply"),
            text,
            lang.pick("保存", "Save"),
        ),
        AlertDialog::DecideFinding { confirm: true, text, .. } => (
            lang.pick("确认检测结果，记为违纪观察", "Confirm the finding as an observation"),
            lang.pick("备注（可不填）", "Note (optional)"),
            text,
            lang.pick("确认", "Confirm"),
        ),
        AlertDialog::DecideFinding { confirm: false, text, .. } => (
            lang.pick("排除检测结果", "Dismiss the finding"),
            lang.pick("排除理由（必填）", "Reason (required)"),
            text,
            lang.pick("排除", "Dismiss"),
        ),
    };
    let ready = confirming || !text.trim().is_empty();
    let pictures = &state.view.finding_pictures;
    let mut dialog = Dialog::new("jiancha_alert_dialog", title, lang, AlertsCommand::CancelDialog)
        .width(DialogWidth::Wide)
        .error(error.as_deref())
        .pending(pending)
        .submit(submit, AlertsCommand::SubmitDialog, ready);
    if let Some(no) = notice_no {
        dialog = dialog.subtitle(no);
    }
    dialog.show(ui, &t, commands, |ui, _| {
        if let Some(kind) = finding_kind {
            ui.label(
                RichText::new(lang.pick(
                    "自动检测只提示，不认定违纪：请看截图与录像后决定。",
                    "A detector only points: look at the snapshots and the footage before deciding.",
                ))
                .color(t.text_weak),
            );
            ui.horizontal(|ui| {
                for (i, (_, texture)) in pictures.0.iter().enumerate() {
                    ui.vertical(|ui| {
                        let label = match (kind.is_tamper(), i) {
                            (true, 0) => lang.pick("之前（正常画面）", "Before (normal view)"),
                            (true, _) => lang.pick("检测到时", "When found"),
                            (false, 0) => lang.pick("离开座位时", "When the seat emptied"),
                            (false, _) => lang.pick("返回座位时", "When the person came back"),
                        };
                        ui.label(label);
                        ui.add(egui::Image::new(texture).fit_to_exact_size(egui::vec2(320.0, 180.0)));
                    });
                }
            });
        }
        let l = ui.label(field_label);
        ui.add(egui::TextEdit::multiline(text).desired_rows(6).desired_width(f32::INFINITY)).labelled_by(l.id);
    });
}

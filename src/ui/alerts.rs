//! 预警: counts per level, filters, the virtualised alert list, supervision notices and the daily check.
//!
//! Filtering and sorting run in `recompute` (called from the app's logic step when the filter or the
//! rows change), never per frame; the table draws only the visible rows.

use chrono::NaiveDate;
use egui::{Color32, RichText, Sense};
use egui_extras::{Column, TableBuilder};

use crate::domain::alerts::{Level, Rule, Signal};
use crate::domain::time;
use crate::store::{AlertRow, AlertState, NoticeState};

use super::command::Command;
use super::i18n::Lang;
use super::state::{AlertDialog, AlertFilter, AlertSort, AlertsTab, AlertsView, AppState};
use super::theme::Tokens;

/// How long new red alerts stay highlighted.
pub const NEW_RED_HIGHLIGHT_SECS: u64 = 120;

fn level_index(level: Level) -> usize {
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

fn parse_day(text: &str) -> Result<Option<NaiveDate>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| format!("{t:?}: YYYY-MM-DD"))
}

fn matches(
    row: &AlertRow,
    f: &AlertFilter,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    text: &str,
    staff: &str,
) -> bool {
    if f.hall.as_ref().is_some_and(|h| row.hall.as_ref() != Some(h))
        || f.department.as_ref().is_some_and(|d| &row.department != d)
        || f.window.as_ref().is_some_and(|w| row.window.as_ref() != Some(w))
        || f.rule.is_some_and(|r| row.rule != r)
    {
        return false;
    }
    if !staff.is_empty()
        && !row.staff_no.as_deref().is_some_and(|s| s.to_lowercase().contains(staff))
        && !row.staff_name.as_deref().is_some_and(|s| s.contains(staff))
    {
        return false;
    }
    if !text.is_empty()
        && !row.case_no.to_lowercase().contains(text)
        && !row.applicant.as_deref().is_some_and(|a| a.to_lowercase().contains(text))
    {
        return false;
    }
    let day = time::local_date(row.since);
    from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t)
}

/// Recomputes the visible rows and the level counts when the filter or the rows changed.
pub fn recompute(view: &mut AlertsView) {
    if view.applied.as_ref().is_some_and(|(f, g)| *f == view.filter && *g == view.generation) {
        return;
    }
    let f = view.filter.clone();
    let (from, to) = match (parse_day(&f.from), parse_day(&f.to)) {
        (Ok(a), Ok(b)) => {
            view.filter_error = None;
            (a, b)
        }
        (Err(e), _) | (_, Err(e)) => {
            view.filter_error = Some(e);
            (None, None)
        }
    };
    let text = f.text.trim().to_lowercase();
    let staff = f.staff.trim().to_lowercase();
    let mut counts = [0usize; 3];
    let mut visible = Vec::with_capacity(view.rows.len());
    for (i, row) in view.rows.iter().enumerate() {
        if !matches(row, &f, from, to, &text, &staff) {
            continue;
        }
        let li = level_index(row.level);
        counts[li] += 1;
        if f.levels[li] {
            visible.push(i);
        }
    }
    let rows = &view.rows;
    visible.sort_by(|&a, &b| {
        let (x, y) = (&rows[a], &rows[b]);
        let ordering = match f.sort {
            AlertSort::Severity => x.level.cmp(&y.level).then(x.since.cmp(&y.since)),
            AlertSort::Since => x.since.cmp(&y.since),
            AlertSort::CaseNo => x.case_no.cmp(&y.case_no),
            AlertSort::Department => x.department.cmp(&y.department).then(x.level.cmp(&y.level)),
            AlertSort::Window => x.window.cmp(&y.window).then(x.level.cmp(&y.level)),
            AlertSort::Rule => x.rule.cmp(&y.rule).then(x.since.cmp(&y.since)),
        };
        let ordering = if f.descending { ordering.reverse() } else { ordering };
        ordering.then(x.id.cmp(&y.id))
    });
    view.visible = visible;
    view.counts = counts;
    view.applied = Some((f, view.generation));
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

pub fn alerts_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    ui.horizontal(|ui| {
        for (tab, label) in [
            (AlertsTab::List, lang.pick("预警列表", "Alert list")),
            (AlertsTab::Notices, lang.pick("督办通知", "Supervision notices")),
            (AlertsTab::DailyChecks, lang.pick("每日数据检查", "Daily data check")),
        ] {
            if ui.selectable_label(state.alerts.tab == tab, label).clicked() && state.alerts.tab != tab {
                commands.push(Command::SetAlertsTab(tab));
            }
        }
        ui.separator();
        daily_status_ui(ui, state, commands);
    });
    ui.add_space(4.0);
    match state.alerts.tab {
        AlertsTab::List => list_ui(ui, state, commands),
        AlertsTab::Notices => notices_ui(ui, state, commands),
        AlertsTab::DailyChecks => daily_checks_ui(ui, state, commands),
    }
}

fn daily_status_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    match state.overview.as_ref().and_then(|o| o.today_checked.as_ref()) {
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
        None if state.overview.as_ref().is_some_and(|o| !super::overview::today_is_working(state, o.at)) => {
            ui.label(RichText::new(lang.pick("今日非工作日", "Not a working day")).color(t.text_weak));
        }
        None => {
            ui.label(RichText::new(lang.pick("今日数据尚未检查", "Today's data not yet checked")).color(t.orange));
        }
    }
    let can = state.session.as_ref().is_some_and(|s| s.role.allows(crate::domain::access::Permission::Supervise));
    if state.alerts.daily_running {
        ui.spinner();
    } else if can && ui.button(lang.pick("执行今日检查", "Run today's check")).clicked() {
        commands.push(Command::RunDailyCheck);
    }
}

fn level_chip(ui: &mut egui::Ui, t: &Tokens, lang: Lang, level: Level, count: usize, on: bool) -> bool {
    let colour = level_colour(t, level);
    let text = RichText::new(format!("{} {count}", level_label(lang, level))).size(20.0).strong().color(if on {
        colour
    } else {
        t.text_weak
    });
    let response = ui
        .add(egui::Button::new(text).selected(on).min_size(egui::vec2(96.0, 40.0)))
        .on_hover_text(lang.pick("点击切换是否显示该级别", "Click to show or hide this level"));
    response.clicked()
}

fn list_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = state.tokens;
    if !state.alerts.loaded {
        match &state.alerts.error {
            // Not loading any more: say why there is nothing, and offer to try again.
            Some(e) if !state.alerts.loading => {
                ui.label(RichText::new(e).color(t.red));
                if ui.button(lang.pick("重试", "Try again")).clicked() {
                    commands.push(Command::LoadAlerts);
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
    // Counts per level: clickable filters.
    ui.horizontal(|ui| {
        for level in [Level::Red, Level::Orange, Level::Yellow] {
            let i = level_index(level);
            let on = state.alerts.filter.levels[i];
            if level_chip(ui, &t, lang, level, state.alerts.counts[i], on) {
                state.alerts.filter.levels[i] = !on;
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
                    state.alerts.visible.len(),
                    state.alerts.rows.len()
                ))
                .color(t.text_weak),
            );
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if state.alerts.loading {
                ui.spinner();
            } else if ui.button(lang.pick("刷新", "Refresh")).clicked() {
                commands.push(Command::LoadAlerts);
            }
        });
    });
    filters_ui(ui, state);
    if let Some(e) = &state.alerts.filter_error {
        ui.label(RichText::new(e).color(t.red));
    }
    let selected_row = state.alerts.selected.and_then(|id| state.alerts.rows.iter().find(|r| r.id == id)).cloned();
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

fn filters_ui(ui: &mut egui::Ui, state: &mut AppState) {
    let lang = state.lang;
    let dir = state.directory.clone().unwrap_or_default();
    let any = lang.pick("全部", "All");
    let f = &mut state.alerts.filter;
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

fn table_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>, height: f32) {
    let lang = state.lang;
    let t = state.tokens;
    let highlight_new = state.alerts.new_red_since.is_some_and(|s| s.elapsed().as_secs() < NEW_RED_HIGHLIGHT_SECS);
    let selected = state.alerts.selected;
    let scroll_to = if state.alerts.scroll_to_selected {
        state.alerts.scroll_to_selected = false;
        selected.and_then(|id| state.alerts.visible.iter().position(|&i| state.alerts.rows[i].id == id))
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
    let view = &mut state.alerts;
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
                    commands.push(Command::SelectAlert(Some(a.id)));
                }
                if response.double_clicked() {
                    commands.push(Command::OpenCase(a.case_no.clone()));
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

fn selected_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>, a: &AlertRow) {
    let lang = state.lang;
    let t = &state.tokens;
    let can_act = state.session.as_ref().is_some_and(|s| s.role.allows(crate::domain::access::Permission::Supervise));
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
                commands.push(Command::OpenCase(a.case_no.clone()));
            }
            if can_act && a.state == AlertState::Open {
                if ui.button(lang.pick("督办…", "Supervision notice…")).clicked() {
                    commands
                        .push(Command::OpenDialog(AlertDialog::IssueNotice { alert_id: a.id, text: notice_draft(a) }));
                }
                if a.rule.needs_closing() && ui.button(lang.pick("关闭预警…", "Close alert…")).clicked() {
                    commands.push(Command::OpenDialog(AlertDialog::Close { alert_id: a.id, reason: String::new() }));
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

/// The default text of a supervision notice for an alert.
pub fn notice_draft(a: &AlertRow) -> String {
    format!(
        "{}：\n经电子监察系统监测，你单位办理的办件 {}（{}，申请人：{}）出现“{}”预警：{}\n请于收到本通知后按期核查处理，并将处理结果及原因书面反馈电子监察室。",
        a.department,
        a.case_no,
        a.item_name,
        a.applicant.as_deref().unwrap_or("—"),
        a.rule.label_zh(),
        a.explanation
    )
}

fn keyboard(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    if state.alerts.dialog.is_some() || ui.ctx().memory(|m| m.focused().is_some()) {
        return;
    }
    let view = &state.alerts;
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
        commands.push(Command::SelectAlert(Some(view.rows[view.visible[p]].id)));
    }
    if enter && let Some(p) = position {
        commands.push(Command::OpenCase(view.rows[view.visible[p]].case_no.clone()));
    }
    if escape && view.selected.is_some() {
        commands.push(Command::SelectAlert(None));
    }
}

fn notices_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    let Some(list) = &state.alerts.notices else {
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
    let can_act = state.session.as_ref().is_some_and(|s| s.role.allows(crate::domain::access::Permission::Supervise));
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
            super::widgets::header_row(
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
                        commands.push(Command::OpenCase(n.case_no.clone()));
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
                            commands.push(Command::Supervise(crate::ui::worker::SupervisionAction::NoticePdf {
                                notice_id: n.id,
                                print: None,
                            }));
                        }
                        if ui.small_button(lang.pick("打印", "Print")).clicked() {
                            commands.push(Command::Supervise(crate::ui::worker::SupervisionAction::NoticePdf {
                                notice_id: n.id,
                                print: Some(None),
                            }));
                        }
                        match &n.reply_text {
                            Some(text) => {
                                ui.label(RichText::new(text).color(t.text_weak));
                            }
                            None => {
                                if can_act && ui.button(lang.pick("记录答复…", "Record reply…")).clicked() {
                                    commands.push(Command::OpenDialog(AlertDialog::Reply {
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

fn daily_checks_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    ui.label(RichText::new(lang.pick(
        "依据第八条第二款第一项：每日查询一次审批数据，对发现的问题发出预警提示。每次检查保存当日报告（CSV）并记录检查人与时间。",
        "Art 8(2)1: query the approval data once a day and prompt on the problems found. Each check saves the day's report (CSV) and records who checked and when.",
    )).color(t.text_weak));
    let Some(list) = &state.alerts.daily_checks else {
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
            super::widgets::header_row(
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
                            commands.push(Command::Supervise(crate::ui::worker::SupervisionAction::DailyPdf(c.day)));
                        }
                        ui.label(RichText::new(&c.report_path).monospace().small())
                            .on_hover_text(format!("SHA-256 {}", c.report_sha256));
                    });
                });
            });
        });
}

/// The open dialog (notice, close, reply), over the alert list or the case detail.
pub fn dialog_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = state.tokens;
    let pending = state.alerts.action_pending;
    let error = state.alerts.dialog_error.clone();
    let Some(dialog) = &mut state.alerts.dialog else { return };
    let modal = egui::Modal::new(egui::Id::unique("jiancha_alert_dialog")).show(ui.ctx(), |ui| {
        ui.set_width(560.0);
        let notice_no = if let AlertDialog::Reply { notice_no, .. } = dialog { Some(notice_no.clone()) } else { None };
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
        };
        ui.heading(title);
        if let Some(no) = notice_no {
            ui.label(no);
        }
        let l = ui.label(field_label);
        ui.add(egui::TextEdit::multiline(text).desired_rows(6).desired_width(f32::INFINITY)).labelled_by(l.id);
        if let Some(e) = &error {
            ui.label(RichText::new(e).color(t.red));
        }
        ui.horizontal(|ui| {
            let ready = !text.trim().is_empty() && !pending;
            if ui.add_enabled(ready, egui::Button::new(submit)).clicked() {
                commands.push(Command::SubmitDialog);
            }
            if ui.button(lang.pick("取消", "Cancel")).clicked() {
                commands.push(Command::CancelDialog);
            }
            if pending {
                ui.spinner();
            }
        });
    });
    if modal.should_close() && !pending {
        commands.push(Command::CancelDialog);
    }
}

//! 考勤: the biweekly lateness ranking (Art 5(1)), the 约谈 list and record, the day-by-day punches
//! behind every mark, the trend over the last periods, and the ranking / notice PDFs.

pub mod jobs;
pub mod logic;
pub mod state;

pub use jobs::{AttendanceJob, AttendanceReply};
pub use logic::{AttendanceArea, AttendanceCommand};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use egui::{Color32, RichText, Sense};
use egui_extras::{Column, Size, StripBuilder, TableBuilder};

use crate::domain::attendance::{DayRecord, HalfDay, HalfDayStatus, StaffTally};
use crate::domain::model::LeaveKind;
use crate::domain::time;
use crate::store::AttendancePeriod;

use crate::ui::context::{Panel, Sender};
use crate::ui::dialog::Dialog;
use crate::ui::i18n::Lang;
use crate::ui::theme::Tokens;
use state::AttendanceView;

pub fn attendance_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::AttendanceView>,
    commands: &mut Sender<AttendanceCommand>,
    now: DateTime<Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    toolbar_ui(ui, state, commands, now);
    let view = &mut *state.view;
    if let Some(e) = &view.error {
        ui.colored_label(t.red, e);
    }
    let Some(data) = &view.data else {
        if view.loading {
            ui.spinner();
        }
        return;
    };
    if let Some(w) = &data.calendar_warning {
        ui.colored_label(t.orange, w);
    }
    summary_ui(ui, data, lang, &t);
    ui.add_space(4.0);

    let drill_height = if view.selected_staff.is_some() { 0.42 } else { 0.12 };
    StripBuilder::new(ui)
        .size(Size::relative(1.0 - drill_height).at_least(240.0))
        .size(Size::remainder().at_least(60.0))
        .vertical(|mut strip| {
            strip.strip(|builder| {
                builder.size(Size::relative(0.62)).size(Size::remainder()).horizontal(|mut strip| {
                    strip.cell(|ui| staff_table_ui(ui, view, lang, &t, commands));
                    strip.cell(|ui| {
                        departments_ui(ui, view, lang, &t, commands);
                        ui.add_space(6.0);
                        trend_ui(ui, view, lang, &t);
                    });
                });
            });
            strip.cell(|ui| {
                ui.separator();
                drill_down_ui(ui, view, lang, &t);
            });
        });
    interview_dialog_ui(ui, view, lang, &t, commands);
}

fn toolbar_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::AttendanceView>,
    commands: &mut Sender<AttendanceCommand>,
    now: DateTime<Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let Some(opened) = &state.shared.opened else { return };
    let settings = &opened.attendance;
    let view = &mut *state.view;
    let days = Duration::days(i64::from(settings.period_days.max(1)));
    let current = settings.period_start(time::local_date(now));
    ui.horizontal(|ui| {
        let start = view.period_start;
        if ui
            .add_enabled(start.is_some() && !view.loading, egui::Button::new(lang.pick("◀ 上一周期", "◀ Previous")))
            .clicked()
            && let Some(s) = start
        {
            commands.push(AttendanceCommand::Load(s - days));
        }
        match start {
            Some(s) => {
                let end = settings.period_end(s);
                let label = format!("{} — {}", s.format("%Y-%m-%d"), end.format("%Y-%m-%d"));
                ui.label(RichText::new(label).strong().color(t.text_strong));
                if s == current {
                    ui.label(
                        RichText::new(lang.pick("（本周期，尚未结束）", "(current period, not over)")).color(t.orange),
                    );
                }
            }
            None => {
                ui.label(lang.pick("周期", "Period"));
            }
        }
        let next_ok = start.is_some_and(|s| s + days <= current) && !view.loading;
        if ui.add_enabled(next_ok, egui::Button::new(lang.pick("下一周期 ▶", "Next ▶"))).clicked()
            && let Some(s) = start
        {
            commands.push(AttendanceCommand::Load(s + days));
        }
        if ui
            .add_enabled(
                start != Some(current - days),
                egui::Button::new(lang.pick("上一完整周期", "Last full period")),
            )
            .clicked()
        {
            commands.push(AttendanceCommand::Load(current - days));
        }
        if view.loading {
            ui.spinner();
        }
        ui.separator();
        let have = view.data.is_some();
        if ui
            .add_enabled(have, egui::Button::new(lang.pick("排名 PDF", "Ranking PDF")))
            .on_hover_text(lang.pick("生成本周期的考勤排名（A4 PDF）", "Write this period's ranking as an A4 PDF"))
            .clicked()
        {
            commands.push(AttendanceCommand::Pdf { notices: false, print: false });
        }
        if ui
            .add_enabled(have, egui::Button::new(lang.pick("约谈通知书 PDF", "Interview notices PDF")))
            .on_hover_text(
                lang.pick("每个部门一页，列出须约谈人员", "One page per department listing who is to be interviewed"),
            )
            .clicked()
        {
            commands.push(AttendanceCommand::Pdf { notices: true, print: false });
        }
        let none = lang.pick("（默认打印机）", "(default printer)");
        crate::ui::widgets::printer_picker_ui(ui, "attendance_printer", none, &state.shared, commands);
        if ui.add_enabled(have, egui::Button::new(lang.pick("打印排名", "Print ranking"))).clicked() {
            commands.push(AttendanceCommand::Pdf { notices: false, print: true });
        }
        if ui.add_enabled(have, egui::Button::new(lang.pick("打印通知书", "Print notices"))).clicked() {
            commands.push(AttendanceCommand::Pdf { notices: true, print: true });
        }
    });
    match &view.document {
        Some(Ok(path)) => {
            ui.label(RichText::new(format!("{} {path}", lang.pick("已生成：", "Written:"))).color(t.ok));
        }
        Some(Err(e)) => {
            ui.colored_label(t.red, format!("{} {e}", lang.pick("未能生成或打印：", "Could not write or print:")));
        }
        None => {}
    }
}

fn summary_ui(ui: &mut egui::Ui, data: &AttendancePeriod, lang: Lang, t: &Tokens) {
    let r = &data.ranking;
    let late: u32 = r.staff.iter().map(|s| s.late).sum();
    let early: u32 = r.staff.iter().map(|s| s.early).sum();
    let absent: u32 = r.staff.iter().map(|s| s.absent).sum();
    let to_interview: Vec<&StaffTally> = r.staff.iter().filter(|s| s.interview).collect();
    let done = to_interview.iter().filter(|s| interview_of(data, s).is_some()).count();
    ui.horizontal(|ui| {
        let item = |ui: &mut egui::Ui, label: &str, value: String, colour: Color32| {
            ui.label(RichText::new(label).color(t.text_weak));
            ui.label(RichText::new(value).strong().color(colour));
            ui.add_space(12.0);
        };
        item(ui, lang.pick("在册人员", "Staff"), r.staff.len().to_string(), t.text_strong);
        item(ui, lang.pick("迟到", "Late"), late.to_string(), if late > 0 { t.orange } else { t.text_strong });
        item(ui, lang.pick("早退", "Left early"), early.to_string(), if early > 0 { t.orange } else { t.text_strong });
        item(
            ui,
            lang.pick("旷工（半天）", "Absent (half-days)"),
            absent.to_string(),
            if absent > 0 { t.red } else { t.text_strong },
        );
        let pending = to_interview.len() - done;
        // Say when part of the period lies outside the punch records (those days are not counted).
        match data.records {
            Some((first, last)) if first > r.period_start || last < r.period_end => {
                let text = format!(
                    "{} {} — {}{}",
                    lang.pick("打卡记录覆盖", "Punch records cover"),
                    first.format("%Y-%m-%d"),
                    last.format("%Y-%m-%d"),
                    lang.pick("，其余日期不计", "; other days are not counted")
                );
                ui.label(RichText::new(text).color(t.orange));
                ui.add_space(12.0);
            }
            None => {
                ui.label(RichText::new(lang.pick("尚无打卡记录", "No punch records yet")).color(t.orange));
                ui.add_space(12.0);
            }
            _ => {}
        }
        item(
            ui,
            lang.pick("约谈", "Interviews"),
            format!("{done}/{}", to_interview.len()),
            if pending > 0 { t.red } else { t.ok },
        );
    });
}

/// The 约谈 recorded for a person in this period, if any.
fn interview_of<'a>(data: &'a AttendancePeriod, s: &StaffTally) -> Option<&'a crate::store::Interview> {
    let key = s.key();
    data.interviews.iter().find(|i| i.key() == key)
}

/// A department as the tables name it: with its hall when the ranking holds several halls (a county's
/// 市场监管局 is not the city's).
fn department_label(r: &crate::domain::attendance::Ranking, department: &str, hall: Option<&str>) -> String {
    let first = r.staff.first().and_then(|s| s.hall.as_deref());
    match hall {
        Some(h) if r.staff.iter().any(|s| s.hall.as_deref() != first) => format!("{department}（{h}）"),
        _ => department.to_owned(),
    }
}

fn staff_table_ui(
    ui: &mut egui::Ui,
    view: &mut AttendanceView,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AttendanceCommand>,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(lang.pick("人员排名", "Staff ranking")).strong());
        ui.add(
            egui::TextEdit::singleline(&mut view.filter)
                .hint_text(lang.pick("工号 / 姓名 / 部门", "No. / name / department"))
                .desired_width(160.0),
        );
        ui.checkbox(&mut view.all_staff, lang.pick("显示全部人员", "Show everyone"));
    });
    let Some(data) = &view.data else { return };
    let needle = view.filter.trim().to_lowercase();
    let rows: Vec<&StaffTally> = data
        .ranking
        .staff
        .iter()
        .filter(|s| view.all_staff || s.marks() > 0 || s.absent > 0)
        .filter(|s| {
            needle.is_empty()
                || s.staff_no.to_lowercase().contains(&needle)
                || s.name.to_lowercase().contains(&needle)
                || s.department.to_lowercase().contains(&needle)
        })
        .collect();
    if rows.is_empty() {
        ui.label(
            RichText::new(lang.pick("本周期没有迟到、早退或旷工。", "No late, early or absent marks."))
                .color(t.text_weak),
        );
        return;
    }
    let selected = view.selected_staff.clone();
    TableBuilder::new(ui)
        .id_salt("attendance_staff")
        .striped(true)
        .sense(Sense::click())
        .auto_shrink([false, false])
        .column(Column::exact(40.0))
        .column(Column::exact(64.0))
        .column(Column::exact(64.0))
        .column(Column::initial(110.0).clip(true))
        .column(Column::exact(40.0))
        .column(Column::exact(40.0))
        .column(Column::exact(48.0))
        .column(Column::exact(48.0))
        .column(Column::remainder().clip(true))
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("名次", "Rank"),
                    lang.pick("工号", "No."),
                    lang.pick("姓名", "Name"),
                    lang.pick("部门", "Department"),
                    lang.pick("迟到", "Late"),
                    lang.pick("早退", "Early"),
                    lang.pick("旷工", "Absent"),
                    lang.pick("请假", "Leave"),
                    lang.pick("约谈", "Interview"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, rows.len(), |mut row| {
                let s = rows[row.index()];
                row.set_selected(selected.as_deref() == Some(s.key().as_str()));
                row.col(|ui| {
                    let text = s.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into());
                    let colour = if s.interview { t.red } else { t.text };
                    ui.label(RichText::new(text).strong().color(colour));
                });
                row.col(|ui| {
                    ui.label(&s.staff_no);
                });
                row.col(|ui| {
                    ui.label(&s.name);
                });
                row.col(|ui| {
                    // The hall (a county's 市场监管局 is not the city's) on hover; the column is narrow.
                    let label = department_label(&data.ranking, &s.department, s.hall.as_deref());
                    ui.label(&s.department).on_hover_text(label);
                });
                row.col(|ui| {
                    count_label(ui, s.late, t.orange);
                });
                row.col(|ui| {
                    count_label(ui, s.early, t.orange);
                });
                row.col(|ui| {
                    count_label(ui, s.absent, t.red);
                });
                row.col(|ui| {
                    count_label(ui, s.leave_half_days, t.text_weak);
                });
                row.col(|ui| {
                    interview_cell_ui(ui, data, s, lang, t, commands);
                });
                if row.response().clicked() {
                    let again = selected.as_deref() == Some(s.key().as_str());
                    commands.push(AttendanceCommand::SelectStaff((!again).then(|| s.key())));
                }
            });
        });
}

fn count_label(ui: &mut egui::Ui, n: u32, colour: Color32) {
    if n == 0 {
        ui.label("0");
    } else {
        ui.label(RichText::new(n.to_string()).strong().color(colour));
    }
}

fn interview_cell_ui(
    ui: &mut egui::Ui,
    data: &AttendancePeriod,
    s: &StaffTally,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AttendanceCommand>,
) {
    match (s.interview, interview_of(data, s)) {
        (_, Some(i)) => {
            let when = time::local_datetime(i.held_at).format("%m-%d").to_string();
            ui.label(RichText::new(format!("{} {when}", lang.pick("已约谈", "held"))).color(t.ok))
                .on_hover_text(format!("{}\n{}\n{}", time::format_local_minutes(i.held_at), i.participants, i.note));
        }
        (true, None) => {
            ui.horizontal(|ui| {
                ui.label(RichText::new(lang.pick("须约谈", "due")).strong().color(t.red));
                if ui.small_button(lang.pick("记录约谈", "Record")).clicked() {
                    commands.push(AttendanceCommand::OpenInterview {
                        staff_no: s.staff_no.clone(),
                        hall: s.hall.clone(),
                        name: s.name.clone(),
                    });
                }
            });
        }
        (false, None) => {
            ui.label(RichText::new("—").color(t.text_weak));
        }
    }
}

fn departments_ui(
    ui: &mut egui::Ui,
    view: &AttendanceView,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AttendanceCommand>,
) {
    let Some(data) = &view.data else { return };
    ui.label(RichText::new(lang.pick("部门排名", "Department ranking")).strong());
    let selected = view.selected_department.clone();
    let ranking = &data.ranking;
    let departments = &data.ranking.departments;
    TableBuilder::new(ui)
        .id_salt("attendance_departments")
        .striped(true)
        .sense(Sense::click())
        .max_scroll_height(160.0)
        .column(Column::exact(40.0))
        .column(Column::initial(120.0).clip(true))
        .column(Column::exact(40.0))
        .column(Column::exact(40.0))
        .column(Column::exact(40.0))
        .column(Column::exact(40.0))
        .column(Column::remainder())
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("名次", "Rank"),
                    lang.pick("部门", "Department"),
                    lang.pick("人数", "Staff"),
                    lang.pick("迟到", "Late"),
                    lang.pick("早退", "Early"),
                    lang.pick("旷工", "Absent"),
                    lang.pick("约谈", "Interview"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, departments.len(), |mut row| {
                let d = &departments[row.index()];
                row.set_selected(selected.as_deref() == Some(d.key().as_str()));
                row.col(|ui| {
                    let colour = if d.interview { t.red } else { t.text };
                    ui.label(RichText::new(d.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into())).color(colour));
                });
                row.col(|ui| {
                    let label = department_label(ranking, &d.department, d.hall.as_deref());
                    ui.label(&label).on_hover_text(&label);
                });
                row.col(|ui| {
                    ui.label(d.staff.to_string());
                });
                row.col(|ui| {
                    count_label(ui, d.late, t.orange);
                });
                row.col(|ui| {
                    count_label(ui, d.early, t.orange);
                });
                row.col(|ui| {
                    count_label(ui, d.absent, t.red);
                });
                row.col(|ui| {
                    if d.interview {
                        ui.label(RichText::new(lang.pick("约谈负责人", "head")).color(t.red)).on_hover_text(
                            lang.pick(
                                "排名前三的部门，约谈部门负责人",
                                "A top-three department: its head is interviewed",
                            ),
                        );
                    } else {
                        ui.label(RichText::new("—").color(t.text_weak));
                    }
                });
                if row.response().clicked() {
                    let again = selected.as_deref() == Some(d.key().as_str());
                    commands.push(AttendanceCommand::SelectDepartment((!again).then(|| d.key())));
                }
            });
        });
}

/// Late + early marks over the last periods: of the selected person, the selected department, or the hall.
fn trend_ui(ui: &mut egui::Ui, view: &AttendanceView, lang: Lang, t: &Tokens) {
    let Some(trend) = &view.trend else { return };
    let (title, series): (String, Vec<u32>) = if let Some(no) = &view.selected_staff {
        let name = view
            .data
            .as_ref()
            .and_then(|d| d.ranking.staff.iter().find(|s| s.key() == *no))
            .map(|s| s.name.clone())
            .unwrap_or_else(|| no.clone());
        (name, trend.staff.get(no).cloned().unwrap_or_default())
    } else if let Some(d) = &view.selected_department {
        let name = view
            .data
            .as_ref()
            .and_then(|data| data.ranking.departments.iter().find(|x| x.key() == *d))
            .zip(view.data.as_ref())
            .map(|(x, data)| department_label(&data.ranking, &x.department, x.hall.as_deref()))
            .unwrap_or_else(|| d.clone());
        (name, trend.departments.get(d).cloned().unwrap_or_default())
    } else {
        let mut total = vec![0u32; trend.periods.len()];
        for values in trend.departments.values() {
            for (sum, v) in total.iter_mut().zip(values) {
                *sum += v;
            }
        }
        (lang.pick_owned("全厅", "Whole hall"), total)
    };
    ui.label(
        RichText::new(format!("{title} · {}", lang.pick("近期各周期迟到+早退", "late + early per period"))).strong(),
    );
    let periods = trend.periods.clone();
    let bars: Vec<egui_plot::Bar> = series
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut bar = egui_plot::Bar::new(i as f64, f64::from(*v)).width(0.6).fill(t.orange);
            if let Some(p) = periods.get(i) {
                bar = bar.name(p.format("%m-%d"));
            }
            bar
        })
        .collect();
    let current = view.period_start;
    let highlight: Vec<egui_plot::Bar> = periods
        .iter()
        .enumerate()
        .filter(|(_, p)| Some(**p) == current)
        .map(|(i, _)| {
            egui_plot::Bar::new(i as f64, f64::from(series.get(i).copied().unwrap_or(0))).width(0.6).fill(t.accent)
        })
        .collect();
    let labels = periods.clone();
    egui_plot::Plot::new("attendance_trend")
        .height((ui.available_height() - 8.0).clamp(120.0, 220.0))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .include_y(3.0)
        .show_grid([false, true])
        .x_grid_spacer(crate::ui::widgets::per_index_marks(periods.len()))
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            labels.get(i as usize).map(|p| p.format("%m-%d").to_string()).unwrap_or_default()
        })
        .show(ui, |plot| {
            plot.bar_chart(egui_plot::BarChart::new(lang.pick("迟到+早退", "late + early"), bars));
            if !highlight.is_empty() {
                plot.bar_chart(egui_plot::BarChart::new(lang.pick("本周期", "this period"), highlight));
            }
        });
}

/// The selected person's days: each half-day's verdict and the punches behind it.
fn drill_down_ui(ui: &mut egui::Ui, view: &AttendanceView, lang: Lang, t: &Tokens) {
    let Some(data) = &view.data else { return };
    let Some(no) = &view.selected_staff else {
        ui.label(
            RichText::new(lang.pick(
                "点击一名人员，查看每天的打卡与判定。",
                "Click a person to see each day's punches and verdicts.",
            ))
            .color(t.text_weak),
        );
        return;
    };
    let person = data.ranking.staff.iter().find(|s| s.key() == *no);
    let name = person.map(|s| s.name.as_str()).unwrap_or("");
    let number = person.map(|s| s.staff_no.as_str()).unwrap_or(no);
    ui.label(RichText::new(format!("{name}（{number}）{}", lang.pick("的考勤明细", " — day by day"))).strong());
    let days: &[DayRecord] = data.days.iter().find(|(n, _)| n == no).map(|(_, d)| d.as_slice()).unwrap_or(&[]);
    TableBuilder::new(ui)
        .id_salt("attendance_days")
        .striped(true)
        .column(Column::exact(110.0))
        .column(Column::initial(220.0).clip(true))
        .column(Column::initial(220.0).clip(true))
        .column(Column::remainder().clip(true))
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("日期", "Date"),
                    lang.pick("上午", "Morning"),
                    lang.pick("下午", "Afternoon"),
                    lang.pick("全部打卡", "All punches"),
                ],
            )
        })
        .body(|body| {
            body.rows(22.0, days.len(), |mut row| {
                let d = &days[row.index()];
                row.col(|ui| {
                    ui.label(format!("{} {}", d.date.format("%m-%d"), weekday(d.date, lang)));
                });
                row.col(|ui| half_day_ui(ui, &d.morning, lang, t));
                row.col(|ui| half_day_ui(ui, &d.afternoon, lang, t));
                row.col(|ui| {
                    let punches: Vec<String> = d.punches.iter().map(|p| p.format("%H:%M:%S").to_string()).collect();
                    ui.label(RichText::new(punches.join("  ")).monospace().color(t.text_weak));
                });
            });
        });
}

fn weekday(date: NaiveDate, lang: Lang) -> &'static str {
    let i = date.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::Zh => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][i],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
    }
}

fn half_day_ui(ui: &mut egui::Ui, half: &HalfDay, lang: Lang, t: &Tokens) {
    let colour = match half.status {
        HalfDayStatus::OnTime => t.ok,
        HalfDayStatus::Late { .. } | HalfDayStatus::Early { .. } | HalfDayStatus::LateAndEarly { .. } => t.orange,
        HalfDayStatus::MissingPunch { .. } | HalfDayStatus::Absent { .. } => t.red,
        HalfDayStatus::OnLeave { .. } | HalfDayStatus::NotWorking | HalfDayStatus::NoRecords => t.text_weak,
    };
    let punch =
        |p: Option<chrono::NaiveDateTime>| p.map(|p| p.format("%H:%M").to_string()).unwrap_or_else(|| "--:--".into());
    let text = match half.status {
        HalfDayStatus::NotWorking | HalfDayStatus::NoRecords => status_label(half.status, lang),
        _ => format!("{}  {}–{}", status_label(half.status, lang), punch(half.start_punch), punch(half.end_punch)),
    };
    ui.label(RichText::new(text).color(colour));
}

fn minutes(secs: u32) -> String {
    let m = secs.div_ceil(60);
    format!("{m}′")
}

/// The verdict with how far off it was.
fn status_label(status: HalfDayStatus, lang: Lang) -> String {
    match (status, lang) {
        (HalfDayStatus::Late { secs }, Lang::Zh) => format!("迟到{}", minutes(secs)),
        (HalfDayStatus::Late { secs }, Lang::En) => format!("late {}", minutes(secs)),
        (HalfDayStatus::Early { secs }, Lang::Zh) => format!("早退{}", minutes(secs)),
        (HalfDayStatus::Early { secs }, Lang::En) => format!("early {}", minutes(secs)),
        (HalfDayStatus::LateAndEarly { late_secs, early_secs }, Lang::Zh) => {
            format!("迟到{} 早退{}", minutes(late_secs), minutes(early_secs))
        }
        (HalfDayStatus::LateAndEarly { late_secs, early_secs }, Lang::En) => {
            format!("late {} early {}", minutes(late_secs), minutes(early_secs))
        }
        (HalfDayStatus::Absent { .. }, Lang::Zh) => "旷工".into(),
        (HalfDayStatus::Absent { .. }, Lang::En) => "absent".into(),
        (HalfDayStatus::MissingPunch { start, end }, Lang::Zh) => {
            format!(
                "缺卡（{}）",
                if start && end {
                    "上下班"
                } else if start {
                    "上班"
                } else {
                    "下班"
                }
            )
        }
        (HalfDayStatus::MissingPunch { start, end }, Lang::En) => {
            format!(
                "missing {}",
                if start && end {
                    "both"
                } else if start {
                    "start"
                } else {
                    "end"
                }
            )
        }
        (HalfDayStatus::OnLeave { kind: LeaveKind::Leave }, Lang::En) => "on leave".into(),
        (HalfDayStatus::OnLeave { kind: LeaveKind::Business }, Lang::En) => "on business".into(),
        (HalfDayStatus::OnTime, Lang::En) => "on time".into(),
        (HalfDayStatus::NotWorking, Lang::En) => "day off".into(),
        (HalfDayStatus::NoRecords, Lang::En) => "no records".into(),
        (other, Lang::Zh) => other.label_zh().into(),
    }
}

fn interview_dialog_ui(
    ui: &mut egui::Ui,
    view: &mut AttendanceView,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AttendanceCommand>,
) {
    let period = view.period_start;
    let error = view.dialog_error.clone();
    let Some(draft) = &mut view.interview else { return };
    Dialog::new(
        "jiancha_interview_dialog",
        lang.pick("记录约谈", "Record an interview"),
        lang,
        AttendanceCommand::CancelInterview,
    )
    .error(error.as_deref())
    .submit(lang.pick("保存", "Save"), AttendanceCommand::SubmitInterview, true)
    .show(ui, t, commands, |ui, _| {
        egui::Grid::new("interview_grid").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            ui.label(lang.pick("约谈对象", "Person"));
            ui.label(format!("{}（{}）", draft.name, draft.staff_no));
            ui.end_row();
            ui.label(lang.pick("考勤周期", "Period"));
            ui.label(period.map(|p| p.to_string()).unwrap_or_default());
            ui.end_row();
            let l = ui.label(lang.pick("约谈时间", "Held at"));
            ui.add(egui::TextEdit::singleline(&mut draft.held_at).hint_text("YYYY-MM-DD HH:MM").desired_width(160.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("参加人员", "Present"));
            ui.add(egui::TextEdit::singleline(&mut draft.participants).desired_width(300.0)).labelled_by(l.id);
            ui.end_row();
        });
        let l = ui.label(lang.pick("谈话内容与整改要求", "What was said and required"));
        ui.add(egui::TextEdit::multiline(&mut draft.note).desired_rows(4).desired_width(f32::INFINITY))
            .labelled_by(l.id);
    });
}

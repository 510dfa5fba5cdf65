//! 评价器: the daily check of the evaluators (Art 8) — usage per window, suspicious ratings with the
//! completions that show them, the follow-up of every 差评 (return visit, rectification) against its
//! due dates, and satisfaction by department, window and person with its weekly trend.

pub mod jobs;
pub mod logic;
pub mod state;

pub use jobs::{EvaluatorJob, EvaluatorReply};
pub use logic::{EvaluatorArea, EvaluatorCommand};

use chrono::{DateTime, NaiveDate, Utc};
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};

use crate::domain::evaluator::{Anomaly, AnomalyKind, EvaluatorCheck, Rating, rating_label};
use crate::domain::time;
use crate::store::{FollowUpStep, PoorRating, Satisfaction, SatisfactionRow};

use crate::ui::context::{Panel, Sender};
use crate::ui::dialog::Dialog;
use crate::ui::i18n::Lang;
use crate::ui::theme::Tokens;
use state::{EvaluatorTab, EvaluatorView, SatisfactionGroup};

pub fn evaluator_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::EvaluatorView>,
    commands: &mut Sender<EvaluatorCommand>,
    now: DateTime<Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let today = time::local_date(now);
    let calendar = state.shared.opened.as_ref().map(|o| &o.calendar);
    let view = &mut *state.view;
    toolbar_ui(ui, view, calendar, today, lang, &t, commands);
    if let Some(e) = &view.error {
        ui.colored_label(t.red, e);
    }
    let (Some(check), Some(poor), Some(satisfaction)) = (&view.check, &view.poor, &view.satisfaction) else {
        if view.loading {
            ui.spinner();
        }
        return;
    };
    tabs_ui(ui, view.tab, check, poor, today, lang, &t, commands);
    ui.separator();
    match view.tab {
        EvaluatorTab::Usage => usage_ui(ui, check, lang, &t),
        EvaluatorTab::Anomalies => anomalies_ui(ui, check, lang, &t),
        EvaluatorTab::PoorRatings => poor_ui(ui, poor, today, lang, &t, commands),
        EvaluatorTab::Satisfaction => satisfaction_ui(ui, satisfaction, view.group, lang, &t, commands),
    }
    follow_up_dialog_ui(ui, view, lang, &t, commands);
}

fn toolbar_ui(
    ui: &mut egui::Ui,
    view: &mut EvaluatorView,
    calendar: Option<&crate::domain::calendar::Calendar>,
    today: NaiveDate,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<EvaluatorCommand>,
) {
    ui.horizontal(|ui| {
        let date = view.date;
        let previous = date.and_then(|d| calendar?.previous_working_day(d).ok().map(|r| r.value));
        let next = date.and_then(|d| calendar?.next_working_day(d).ok().map(|r| r.value)).filter(|d| *d <= today);
        if ui
            .add_enabled(
                previous.is_some() && !view.loading,
                egui::Button::new(lang.pick("◀ 前一工作日", "◀ Previous")),
            )
            .clicked()
            && let Some(d) = previous
        {
            commands.push(EvaluatorCommand::Load(d));
        }
        let l = ui.label(lang.pick("日期", "Date"));
        let edit = ui
            .add(egui::TextEdit::singleline(&mut view.date_text).hint_text("YYYY-MM-DD").desired_width(100.0))
            .labelled_by(l.id);
        let go = ui.button(lang.pick("查看", "Show")).clicked()
            || (edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
        if go {
            match NaiveDate::parse_from_str(view.date_text.trim(), "%Y-%m-%d") {
                Ok(d) if d <= today => commands.push(EvaluatorCommand::Load(d)),
                Ok(_) => view.error = Some(lang.pick_owned("不能查看未来的日期", "That day has not come yet")),
                Err(_) => view.error = Some(lang.pick_owned("日期格式应为 YYYY-MM-DD", "The date must be YYYY-MM-DD")),
            }
        }
        if ui
            .add_enabled(next.is_some() && !view.loading, egui::Button::new(lang.pick("后一工作日 ▶", "Next ▶")))
            .clicked()
            && let Some(d) = next
        {
            commands.push(EvaluatorCommand::Load(d));
        }
        if view.loading {
            ui.spinner();
        }
        if let Some(d) = date {
            let info = calendar.map(|c| c.is_working_day(d));
            if info == Some(false) {
                ui.label(RichText::new(lang.pick("（非工作日）", "(not a working day)")).color(t.text_weak));
            }
        }
    });
}

#[allow(clippy::too_many_arguments, reason = "one panel's inputs, passed once per frame")]
fn tabs_ui(
    ui: &mut egui::Ui,
    tab: EvaluatorTab,
    check: &EvaluatorCheck,
    poor: &[PoorRating],
    today: NaiveDate,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<EvaluatorCommand>,
) {
    let low = check.usage.iter().filter(|u| u.below_minimum).count();
    let overdue = poor.iter().filter(|p| follow_up_overdue(p, today)).count();
    let open = poor.iter().filter(|p| p.visit.is_none() || p.fix.is_none()).count();
    ui.horizontal(|ui| {
        let mut tab_button = |ui: &mut egui::Ui, which: EvaluatorTab, label: String, warn: bool| {
            let text = if warn { RichText::new(label).color(t.red) } else { RichText::new(label) };
            if ui.selectable_label(tab == which, text).clicked() && tab != which {
                commands.push(EvaluatorCommand::SetTab(which));
            }
        };
        tab_button(
            ui,
            EvaluatorTab::Usage,
            format!("{}（{} {}）", lang.pick("使用率", "Usage"), low, lang.pick("个窗口偏低", "low")),
            low > 0,
        );
        tab_button(
            ui,
            EvaluatorTab::Anomalies,
            format!("{}（{}）", lang.pick("异常评价", "Suspicious ratings"), anomaly_cards(check).len()),
            !check.anomalies.is_empty(),
        );
        tab_button(
            ui,
            EvaluatorTab::PoorRatings,
            format!(
                "{}（{} {}，{} {}）",
                lang.pick("差评跟进", "Poor ratings"),
                open,
                lang.pick("未完成", "open"),
                overdue,
                lang.pick("逾期", "overdue")
            ),
            overdue > 0,
        );
        tab_button(ui, EvaluatorTab::Satisfaction, lang.pick_owned("满意度", "Satisfaction"), false);
    });
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn usage_ui(ui: &mut egui::Ui, check: &EvaluatorCheck, lang: Lang, t: &Tokens) {
    if check.usage.is_empty() {
        ui.label(
            RichText::new(lang.pick("当天没有办结，也没有评价。", "No completions and no ratings that day."))
                .color(t.text_weak),
        );
        return;
    }
    TableBuilder::new(ui)
        .id_salt("evaluator_usage")
        .striped(true)
        .column(Column::exact(80.0))
        .column(Column::exact(70.0))
        .column(Column::exact(70.0))
        .column(Column::exact(80.0))
        .column(Column::remainder())
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("窗口", "Window"),
                    lang.pick("办结", "Completed"),
                    lang.pick("评价", "Rated"),
                    lang.pick("使用率", "Usage"),
                    lang.pick("判定", "Verdict"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, check.usage.len(), |mut row| {
                let u = &check.usage[row.index()];
                row.col(|ui| {
                    ui.label(&u.window);
                });
                row.col(|ui| {
                    ui.label(u.completed.to_string());
                });
                row.col(|ui| {
                    ui.label(u.evaluated.to_string());
                });
                row.col(|ui| {
                    let colour = if u.below_minimum { t.red } else { t.text };
                    ui.label(RichText::new(u.rate.map(percent).unwrap_or_else(|| "—".into())).color(colour));
                });
                row.col(|ui| {
                    if u.below_minimum {
                        ui.label(
                            RichText::new(
                                lang.pick(
                                    "使用率偏低，提醒窗口请办事人评价",
                                    "Low: remind the window to ask for ratings",
                                ),
                            )
                            .color(t.red),
                        );
                    } else if u.rate.is_none() {
                        ui.label(
                            RichText::new(lang.pick("无办结却有评价", "Ratings without completions")).color(t.orange),
                        );
                    } else {
                        ui.label(RichText::new(lang.pick("正常", "OK")).color(t.ok));
                    }
                });
            });
        });
}

fn anomaly_label(kind: AnomalyKind, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => kind.label_zh(),
        Lang::En => match kind {
            AnomalyKind::NoCompletionBefore => "No completion before",
            AnomalyKind::Burst => "Burst of ratings",
            AnomalyKind::BeforeCompletion => "Rated before completion",
        },
    }
}

fn rating_text(rating: u8, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{rating} {}", rating_label(rating)),
        Lang::En => format!(
            "{rating} {}",
            ["very dissatisfied", "dissatisfied", "fair", "satisfied", "very satisfied"]
                [usize::from(rating.clamp(1, 5) - 1)]
        ),
    }
}

fn rating_colour(rating: u8, t: &Tokens) -> Color32 {
    match rating {
        0..=2 => t.red,
        3 => t.yellow,
        _ => t.ok,
    }
}

/// The anomalies as cards: a rating without a completion before it that is part of a burst is told
/// inside the burst's card, not as a card of its own.
fn anomaly_cards(check: &EvaluatorCheck) -> Vec<(&Anomaly, Vec<&Anomaly>)> {
    let in_burst = |a: &Anomaly| {
        check.anomalies.iter().any(|b| {
            b.kind == AnomalyKind::Burst
                && b.window == a.window
                && a.ratings.iter().all(|r| b.ratings.iter().any(|x| x.at == r.at))
        })
    };
    check
        .anomalies
        .iter()
        .filter(|a| !(a.kind == AnomalyKind::NoCompletionBefore && in_burst(a)))
        .map(|a| {
            let folded = if a.kind == AnomalyKind::Burst {
                check
                    .anomalies
                    .iter()
                    .filter(|n| {
                        n.kind == AnomalyKind::NoCompletionBefore
                            && n.window == a.window
                            && n.ratings.iter().all(|r| a.ratings.iter().any(|x| x.at == r.at))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            (a, folded)
        })
        .collect()
}

fn anomalies_ui(ui: &mut egui::Ui, check: &EvaluatorCheck, lang: Lang, t: &Tokens) {
    let cards = anomaly_cards(check);
    if cards.is_empty() {
        ui.label(RichText::new(lang.pick("当天没有可疑的评价。", "No suspicious ratings that day.")).color(t.ok));
        return;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for (i, (a, folded)) in cards.iter().enumerate() {
            anomaly_card_ui(ui, i, a, folded, lang, t);
            ui.add_space(6.0);
        }
    });
}

fn anomaly_card_ui(ui: &mut egui::Ui, index: usize, a: &Anomaly, folded: &[&Anomaly], lang: Lang, t: &Tokens) {
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new(anomaly_label(a.kind, lang)).strong().color(t.orange));
            ui.label(RichText::new(format!("{} {}", lang.pick("窗口", "window"), a.window)));
            ui.label(time::format_local(a.at));
        });
        ui.label(&a.explanation);
        if !folded.is_empty() {
            let text = match lang {
                Lang::Zh => format!("其中 {} 次评价前本窗口无办结：", folded.len()),
                Lang::En => format!("{} of these ratings had no completion before them:", folded.len()),
            };
            ui.label(RichText::new(text).color(t.orange));
            for n in folded {
                ui.label(RichText::new(format!("· {}", n.explanation)).color(t.text_weak));
            }
        }
        egui::Grid::new(("anomaly_ratings", index)).num_columns(4).spacing([16.0, 2.0]).show(ui, |ui| {
            for r in &a.ratings {
                rating_row_ui(ui, r, lang, t);
            }
            if let Some(c) = &a.nearest_completion {
                ui.label(RichText::new(time::format_local(c.at)).color(t.text_weak));
                ui.label(RichText::new(lang.pick("最近办结", "nearest completion")).color(t.text_weak));
                ui.label(RichText::new(&c.case_no).color(t.text_weak));
                ui.label(RichText::new(format!("{} {}", lang.pick("窗口", "window"), c.window)).color(t.text_weak));
                ui.end_row();
            }
        });
    });
}

fn rating_row_ui(ui: &mut egui::Ui, r: &Rating, lang: Lang, t: &Tokens) {
    ui.label(time::format_local(r.at));
    ui.label(RichText::new(rating_text(r.rating, lang)).color(rating_colour(r.rating, t)));
    ui.label(RichText::new(r.case_no.as_deref().unwrap_or("—")));
    ui.label(match r.source {
        crate::domain::evaluator::RatingSource::Event => lang.pick("审批系统", "approval system"),
        crate::domain::evaluator::RatingSource::Device => lang.pick("评价器", "evaluator device"),
    });
    ui.end_row();
}

/// A step's state against today.
enum Due {
    Done(DateTime<Utc>),
    Overdue(NaiveDate),
    Today,
    Pending(NaiveDate),
}

fn due(done: Option<&(DateTime<Utc>, String, String)>, due_on: NaiveDate, today: NaiveDate) -> Due {
    match done {
        Some((at, _, _)) => Due::Done(*at),
        None if due_on < today => Due::Overdue(due_on),
        None if due_on == today => Due::Today,
        None => Due::Pending(due_on),
    }
}

fn follow_up_overdue(p: &PoorRating, today: NaiveDate) -> bool {
    matches!(due(p.visit.as_ref(), p.visit_due, today), Due::Overdue(_))
        || matches!(due(p.fix.as_ref(), p.fix_due, today), Due::Overdue(_))
}

fn poor_ui(
    ui: &mut egui::Ui,
    poor: &[PoorRating],
    today: NaiveDate,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<EvaluatorCommand>,
) {
    if poor.is_empty() {
        ui.label(RichText::new(lang.pick("近 60 天没有差评。", "No poor ratings in the last 60 days.")).color(t.ok));
        return;
    }
    ui.label(
        RichText::new(lang.pick(
            "近 60 天的差评，最新在前。回访与整改按工作日计算期限。",
            "Poor ratings of the last 60 days, newest first. Due dates count working days.",
        ))
        .color(t.text_weak),
    );
    let mut rows: Vec<&PoorRating> = poor.iter().collect();
    rows.sort_by_key(|p| std::cmp::Reverse(p.rating.at));
    TableBuilder::new(ui)
        .id_salt("evaluator_poor")
        .striped(true)
        .column(Column::exact(130.0))
        .column(Column::exact(60.0))
        .column(Column::initial(110.0).clip(true))
        .column(Column::initial(70.0).clip(true))
        .column(Column::exact(110.0))
        .column(Column::initial(150.0).clip(true))
        .column(Column::initial(220.0).clip(true))
        .column(Column::remainder().clip(true))
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("评价时间", "Rated at"),
                    lang.pick("窗口", "Window"),
                    lang.pick("部门", "Department"),
                    lang.pick("人员", "Staff"),
                    lang.pick("评价", "Rating"),
                    lang.pick("办件", "Case"),
                    lang.pick("回访", "Return visit"),
                    lang.pick("整改", "Rectification"),
                ],
            )
        })
        .body(|body| {
            body.rows(26.0, rows.len(), |mut row| {
                let p = rows[row.index()];
                row.col(|ui| {
                    ui.label(time::format_local_minutes(p.rating.at));
                });
                row.col(|ui| {
                    ui.label(&p.rating.window);
                });
                row.col(|ui| {
                    ui.label(p.department.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(p.staff_name.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(
                        RichText::new(rating_text(p.rating.rating, lang)).color(rating_colour(p.rating.rating, t)),
                    );
                });
                row.col(|ui| {
                    ui.label(p.rating.case_no.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    step_cell_ui(
                        ui,
                        p,
                        FollowUpStep::ReturnVisit,
                        p.visit.as_ref(),
                        p.visit_due,
                        today,
                        lang,
                        t,
                        commands,
                    )
                });
                row.col(|ui| {
                    step_cell_ui(
                        ui,
                        p,
                        FollowUpStep::Rectification,
                        p.fix.as_ref(),
                        p.fix_due,
                        today,
                        lang,
                        t,
                        commands,
                    )
                });
            });
        });
}

#[allow(clippy::too_many_arguments, reason = "one panel's inputs, passed once per frame")]
fn step_cell_ui(
    ui: &mut egui::Ui,
    p: &PoorRating,
    step: FollowUpStep,
    done: Option<&(DateTime<Utc>, String, String)>,
    due_on: NaiveDate,
    today: NaiveDate,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<EvaluatorCommand>,
) {
    let state = due(done, due_on, today);
    let (text, colour) = match &state {
        Due::Done(at) => {
            (format!("{} {}", lang.pick("已完成", "done"), time::local_datetime(*at).format("%m-%d %H:%M")), t.ok)
        }
        Due::Overdue(d) => (format!("{} {}", lang.pick("逾期，应于", "overdue since"), d.format("%m-%d")), t.red),
        Due::Today => (lang.pick_owned("今天到期", "due today"), t.orange),
        Due::Pending(d) => (format!("{} {}", lang.pick("期限", "due"), d.format("%m-%d")), t.text),
    };
    ui.horizontal(|ui| {
        let label = ui.label(RichText::new(text).color(colour));
        if let Some((_, by, note)) = done {
            label.on_hover_text(format!("{by}: {note}"));
        } else {
            let button = match step {
                FollowUpStep::ReturnVisit => lang.pick("记录回访", "Record visit"),
                FollowUpStep::Rectification => lang.pick("记录整改", "Record fix"),
            };
            if ui.small_button(button).clicked() {
                commands.push(EvaluatorCommand::OpenFollowUp { key: p.key.clone(), step });
            }
        }
    });
}

fn satisfaction_ui(
    ui: &mut egui::Ui,
    s: &Satisfaction,
    group: SatisfactionGroup,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<EvaluatorCommand>,
) {
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!(
                "{} {} — {}",
                lang.pick("统计区间", "From"),
                s.from.format("%Y-%m-%d"),
                s.to.format("%Y-%m-%d")
            ))
            .color(t.text_weak),
        );
        ui.separator();
        for (which, label) in [
            (SatisfactionGroup::Department, lang.pick("按部门", "By department")),
            (SatisfactionGroup::Window, lang.pick("按窗口", "By window")),
            (SatisfactionGroup::Staff, lang.pick("按人员", "By person")),
        ] {
            if ui.selectable_label(group == which, label).clicked() && group != which {
                commands.push(EvaluatorCommand::SetGroup(which));
            }
        }
    });
    let rows: &[SatisfactionRow] = match group {
        SatisfactionGroup::Department => &s.departments,
        SatisfactionGroup::Window => &s.windows,
        SatisfactionGroup::Staff => &s.staff,
    };
    let height = (ui.available_height() * 0.55).max(160.0);
    TableBuilder::new(ui)
        .id_salt(("evaluator_satisfaction", group as u8))
        .striped(true)
        .max_scroll_height(height)
        .column(Column::initial(150.0).clip(true))
        .column(Column::exact(60.0))
        .column(Column::exact(60.0))
        .column(Column::exact(70.0))
        .column(Column::exact(50.0))
        .column(Column::remainder())
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("对象", "Group"),
                    lang.pick("评价数", "Ratings"),
                    lang.pick("平均分", "Average"),
                    lang.pick("满意率", "Satisfied"),
                    lang.pick("差评", "Poor"),
                    lang.pick("分布（5→1）", "Spread (5→1)"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, rows.len(), |mut row| {
                let r = &rows[row.index()];
                row.col(|ui| {
                    ui.label(&r.label);
                });
                row.col(|ui| {
                    ui.label(r.count.to_string());
                });
                row.col(|ui| {
                    ui.label(format!("{:.2}", r.average));
                });
                row.col(|ui| {
                    let colour = if r.satisfied < 0.9 { t.orange } else { t.ok };
                    ui.label(RichText::new(percent(r.satisfied)).color(colour));
                });
                row.col(|ui| {
                    let colour = if r.poor > 0 { t.red } else { t.text };
                    ui.label(RichText::new(r.poor.to_string()).color(colour));
                });
                row.col(|ui| spread_ui(ui, &r.by_rating, t));
            });
        });
    ui.add_space(6.0);
    ui.label(RichText::new(lang.pick("每周平均分", "Weekly average")).strong());
    let points: Vec<[f64; 2]> = s.weekly.iter().enumerate().map(|(i, (_, avg, _))| [i as f64, *avg]).collect();
    let weeks: Vec<NaiveDate> = s.weekly.iter().map(|(w, _, _)| *w).collect();
    egui_plot::Plot::new("satisfaction_trend")
        .height((ui.available_height() - 8.0).clamp(120.0, 240.0))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(1.0)
        .include_y(5.0)
        .x_grid_spacer(crate::ui::widgets::per_index_marks(s.weekly.len()))
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            weeks.get(i as usize).map(|w| w.format("%m-%d").to_string()).unwrap_or_default()
        })
        .show(ui, |plot| {
            plot.line(egui_plot::Line::new(lang.pick("平均分", "average"), points.clone()).color(t.accent).width(2.0));
            plot.points(egui_plot::Points::new(lang.pick("平均分", "average"), points).color(t.accent).radius(3.0));
        });
}

/// The count per rating as a small stacked bar, 5 on the left.
fn spread_ui(ui: &mut egui::Ui, by_rating: &[u32; 5], t: &Tokens) {
    let total: u32 = by_rating.iter().sum();
    let (rect, response) = ui.allocate_exact_size(egui::vec2(160.0, 12.0), egui::Sense::hover());
    if total == 0 {
        return;
    }
    let colours = t.rating;
    let mut x = rect.left();
    for rating in (1..=5).rev() {
        let n = by_rating[rating - 1];
        let w = rect.width() * n as f32 / total as f32;
        if w > 0.0 {
            let r = egui::Rect::from_min_size(egui::pos2(x, rect.top()), egui::vec2(w, rect.height()));
            ui.painter().rect_filled(r, 0.0, colours[rating - 1]);
            x += w;
        }
    }
    response.on_hover_text(format!(
        "5: {}  4: {}  3: {}  2: {}  1: {}",
        by_rating[4], by_rating[3], by_rating[2], by_rating[1], by_rating[0]
    ));
}

fn follow_up_dialog_ui(
    ui: &mut egui::Ui,
    view: &mut EvaluatorView,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<EvaluatorCommand>,
) {
    let error = view.dialog_error.clone();
    let rating =
        view.follow_up.as_ref().and_then(|(key, _, _)| view.poor.as_ref()?.iter().find(|p| &p.key == key).cloned());
    let Some((_, step, note)) = &mut view.follow_up else { return };
    let title = match step {
        FollowUpStep::ReturnVisit => lang.pick("记录回访", "Record the return visit"),
        FollowUpStep::Rectification => lang.pick("记录整改", "Record the rectification"),
    };
    let field = match step {
        FollowUpStep::ReturnVisit => lang.pick("回访情况（对象、方式、意见）", "Who was called, how, what they said"),
        FollowUpStep::Rectification => lang.pick("整改措施与结果", "What was changed"),
    };
    Dialog::new("jiancha_follow_up_dialog", title, lang, EvaluatorCommand::CancelFollowUp)
        .error(error.as_deref())
        .submit(lang.pick("保存", "Save"), EvaluatorCommand::SubmitFollowUp, true)
        .show(ui, t, commands, |ui, _| {
            if let Some(p) = &rating {
                ui.label(format!(
                    "{} · {} {} · {}",
                    time::format_local_minutes(p.rating.at),
                    lang.pick("窗口", "window"),
                    p.rating.window,
                    rating_text(p.rating.rating, lang)
                ));
                if let Some(case) = &p.rating.case_no {
                    ui.label(case.as_str());
                }
            }
            let l = ui.label(field);
            ui.add(egui::TextEdit::multiline(note).desired_rows(4).desired_width(f32::INFINITY)).labelled_by(l.id);
        });
}

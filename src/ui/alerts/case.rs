//! 办件详情: the case timeline, the deadline computation explained day by day, documents, fees,
//! alerts with their explanations, supervision notices and ratings.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use crate::domain::calendar::{DayKind, DeadlineState, SuspensionKind, missing_years_warning};
use crate::domain::model::{Step, format_yuan};
use crate::domain::time;
use crate::store::{AlertState, CaseDetail};

use crate::report::documents::notice_draft;
use crate::ui::alerts::AlertsCommand;
use crate::ui::alerts::state::AlertDialog;
use crate::ui::alerts::{level_colour, rule_label, signal_ui};
use crate::ui::command::Command;
use crate::ui::context::{Panel, Sender};
use crate::ui::i18n::Lang;
use crate::ui::open::Open;
use crate::ui::theme::Tokens;

pub fn case_ui(ui: &mut egui::Ui, state: &Panel<'_, super::state::AlertsView>, commands: &mut Sender<AlertsCommand>) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let Some(view) = &state.view.case else { return };
    ui.horizontal(|ui| {
        if ui.button(lang.pick("← 返回预警列表", "← Back to the alerts")).clicked() {
            commands.push(AlertsCommand::CloseCase);
        }
        ui.label(
            RichText::new(format!("{} {}", lang.pick("办件", "Case"), view.case_no))
                .size(t.text_size.case_title)
                .strong()
                .color(t.text_strong),
        );
    });
    if let Some(e) = &view.error {
        ui.label(RichText::new(e).color(t.red));
        return;
    }
    let Some(d) = &view.detail else {
        ui.spinner();
        return;
    };
    egui::ScrollArea::vertical().id_salt("case_scroll").show(ui, |ui| {
        summary_ui(ui, t, lang, d);
        ui.add_space(6.0);
        deadline_ui(ui, t, lang, d);
        ui.add_space(6.0);
        alerts_ui(ui, state, commands, d);
        ui.add_space(6.0);
        timeline_ui(ui, t, lang, d, commands);
        ui.add_space(6.0);
        fees_ui(ui, t, lang, d);
        notices_ui(ui, t, lang, d, commands);
        notifications_ui(ui, t, lang, d);
    });
}

fn summary_ui(ui: &mut egui::Ui, t: &Tokens, lang: Lang, d: &CaseDetail) {
    let s = &d.summary;
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(
            RichText::new(format!("{}（{}）", s.item_name, s.item_code))
                .size(t.text_size.subtitle)
                .strong()
                .color(t.text_strong),
        );
        egui::Grid::new("case_summary").num_columns(4).spacing([24.0, 4.0]).show(ui, |ui| {
            ui.label(RichText::new(lang.pick("部门", "Department")).color(t.text_weak));
            ui.label(&s.department);
            ui.label(RichText::new(lang.pick("申请人", "Applicant")).color(t.text_weak));
            ui.label(s.applicant.as_deref().unwrap_or("—"));
            ui.end_row();
            ui.label(RichText::new(lang.pick("受理窗口", "Window")).color(t.text_weak));
            ui.label(s.window.as_deref().unwrap_or("—"));
            ui.label(RichText::new(lang.pick("状态", "Status")).color(t.text_weak));
            ui.label(match lang {
                Lang::Zh => s.status.label_zh(),
                Lang::En => s.status.as_str(),
            });
            ui.end_row();
            ui.label(RichText::new(lang.pick("法定时限", "Legal limit")).color(t.text_weak));
            ui.label(format!("{} {}", d.item.legal_days, lang.pick("个工作日", "working days")));
            ui.label(RichText::new(lang.pick("承诺时限", "Promised limit")).color(t.text_weak));
            ui.label(format!("{} {}", s.promised_days, lang.pick("个工作日", "working days")));
            ui.end_row();
            ui.label(RichText::new(lang.pick("流程", "Workflow")).color(t.text_weak));
            ui.label(d.item.workflow.iter().map(|s| s.label_zh()).collect::<Vec<_>>().join(" → "));
            ui.end_row();
        });
    });
}

fn deadline_ui(ui: &mut egui::Ui, t: &Tokens, lang: Lang, d: &CaseDetail) {
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(lang.pick("承诺期限计算", "Deadline computation")).strong().color(t.text_strong));
        let Some(dl) = &d.deadline else {
            ui.label(lang.pick("未受理或不予受理：无承诺期限。", "Not accepted: no promised deadline."));
            return;
        };
        let (state_text, colour) = match d.deadline_state {
            Some(DeadlineState::Running) => (lang.pick("办理中，未到临期", "In progress"), t.ok),
            Some(DeadlineState::DueSoon) => (lang.pick("临期（期限前一个工作日起）", "Due soon"), t.yellow),
            Some(DeadlineState::Overdue { .. }) => (lang.pick("已超期", "Overdue"), t.red),
            Some(DeadlineState::Suspended) => (lang.pick("暂停计时（补正/特别程序中）", "Suspended"), t.accent),
            Some(DeadlineState::CompletedInTime) => (lang.pick("按期办结", "Completed in time"), t.ok),
            Some(DeadlineState::CompletedLate) => (lang.pick("超期办结", "Completed late"), t.red),
            None => ("", t.text),
        };
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("{} {}", lang.pick("期限", "Deadline"), dl.day))
                    .size(t.text_size.case_title)
                    .strong()
                    .color(t.text_strong),
            );
            ui.label(RichText::new(state_text).strong().color(colour));
            if let Some(DeadlineState::Overdue { working_days_late }) =
                d.deadline_state.filter(|s| !matches!(s, DeadlineState::Overdue { working_days_late: 0 }))
            {
                ui.label(
                    RichText::new(format!(
                        "{} {working_days_late} {}",
                        lang.pick("已超", "late by"),
                        lang.pick("个工作日", "working days")
                    ))
                    .color(t.red),
                );
            }
        });
        ui.label(dl.explain_zh());
        ui.add_space(4.0);
        // The days one by one: counted, skipped (with the holiday's name), make-up workdays.
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!("{} {}", dl.accepted_on.format("%m-%d"), lang.pick("受理", "accepted")))
                    .color(t.text_weak),
            );
            let mut days: Vec<(chrono::NaiveDate, Option<&crate::domain::calendar::DayInfo>)> =
                dl.counted.iter().map(|d| (*d, None)).collect();
            days.extend(dl.skipped.iter().map(|s| (s.date, Some(s))));
            days.sort_by_key(|(d, _)| *d);
            let mut n = 0;
            for (date, skipped) in days {
                match skipped {
                    None => {
                        n += 1;
                        let weekend =
                            matches!(chrono::Datelike::weekday(&date), chrono::Weekday::Sat | chrono::Weekday::Sun);
                        let text = format!(
                            "{} #{n}{}",
                            date.format("%m-%d"),
                            if weekend { lang.pick(" 调休", " make-up") } else { "" }
                        );
                        ui.label(RichText::new(text).color(if weekend { t.accent } else { t.text_strong }));
                    }
                    Some(info) => {
                        let what = match info.kind {
                            DayKind::Weekend => lang.pick("周末", "weekend").to_owned(),
                            DayKind::LocalClosure => {
                                format!("{} {}", lang.pick("闭厅", "closed"), info.name.clone().unwrap_or_default())
                            }
                            _ => info.name.clone().unwrap_or_else(|| lang.pick("节假日", "holiday").to_owned()),
                        };
                        ui.label(
                            RichText::new(format!("{} {what}", info.date.format("%m-%d")))
                                .color(t.text_weak)
                                .strikethrough(),
                        );
                    }
                }
            }
        });
        for effect in &dl.suspensions {
            let kind = match effect.suspension.kind {
                SuspensionKind::Supplement => lang.pick("补正材料", "waiting for material"),
                SuspensionKind::SpecialProcedure => lang.pick("特别程序", "special procedure"),
            };
            let text = match effect.suspension.end {
                Some(end) => format!(
                    "{kind} {} → {}：{} {} {}",
                    effect.suspension.start,
                    end,
                    lang.pick("暂停", "stopped"),
                    effect.working_days.len(),
                    lang.pick("个工作日", "working days")
                ),
                None => format!("{kind} {} {}", effect.suspension.start, lang.pick("起暂停中", "— still open")),
            };
            ui.label(RichText::new(text).color(t.accent));
        }
        if let Some(w) = missing_years_warning(&dl.missing_years) {
            ui.label(RichText::new(w).color(t.orange));
        }
    });
}

fn alerts_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, super::state::AlertsView>,
    commands: &mut Sender<AlertsCommand>,
    d: &CaseDetail,
) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let can_act =
        state.shared.session.as_ref().is_some_and(|s| s.role.allows(crate::domain::access::Permission::Supervise));
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(
            RichText::new(format!("{}（{}）", lang.pick("预警", "Alerts"), d.alerts.len()))
                .strong()
                .color(t.text_strong),
        );
        if d.alerts.is_empty() {
            ui.label(lang.pick("无预警。", "No alerts."));
        }
        for a in &d.alerts {
            ui.horizontal(|ui| {
                signal_ui(ui, t, a.rule, a.level);
                let colour = if a.state == AlertState::Open { level_colour(t, a.level) } else { t.text_weak };
                ui.label(RichText::new(rule_label(lang, a.rule)).strong().color(colour));
                ui.label(
                    RichText::new(format!("{} {}", time::format_local_minutes(a.since), a.state.label_zh()))
                        .color(t.text_weak),
                );
                if can_act && a.state == AlertState::Open {
                    if ui.small_button(lang.pick("督办…", "Notice…")).clicked() {
                        commands.push(AlertsCommand::OpenDialog(AlertDialog::IssueNotice {
                            alert_id: a.id,
                            text: notice_draft(a),
                        }));
                    }
                    if a.rule.needs_closing() && ui.small_button(lang.pick("关闭…", "Close…")).clicked() {
                        commands.push(AlertsCommand::OpenDialog(AlertDialog::Close {
                            alert_id: a.id,
                            reason: String::new(),
                        }));
                    }
                }
            });
            ui.label(RichText::new(&a.explanation).color(t.text));
            if let (Some(by), Some(reason)) = (&a.closed_by, &a.close_reason) {
                ui.label(
                    RichText::new(format!("{} {by}：{reason}", lang.pick("关闭人", "Closed by")))
                        .small()
                        .color(t.text_weak),
                );
            }
        }
    });
}

fn timeline_ui(ui: &mut egui::Ui, t: &Tokens, lang: Lang, d: &CaseDetail, commands: &mut Sender<AlertsCommand>) {
    let names: std::collections::HashMap<&str, &str> =
        d.staff_names.iter().map(|(n, m)| (n.as_str(), m.as_str())).collect();
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(lang.pick("办理过程", "Timeline")).strong().color(t.text_strong));
        TableBuilder::new(ui)
            .id_salt("case_timeline")
            .striped(true)
            .vscroll(false)
            .column(Column::exact(150.0))
            .column(Column::exact(100.0))
            .column(Column::exact(60.0))
            .column(Column::exact(120.0))
            .column(Column::exact(150.0))
            .column(Column::exact(90.0))
            .column(Column::remainder())
            .header(24.0, |h| {
                crate::ui::widgets::header_row(
                    h,
                    &[
                        lang.pick("发生时间", "Occurred"),
                        lang.pick("环节", "Step"),
                        lang.pick("窗口", "Window"),
                        lang.pick("工作人员", "Staff"),
                        lang.pick("录入滞后", "Entry lag"),
                        lang.pick("录像", "Footage"),
                        lang.pick("文书/金额/评价", "Documents / fee / rating"),
                    ],
                )
            })
            .body(|mut body| {
                for e in &d.events {
                    body.row(24.0, |mut row| {
                        row.col(|ui| {
                            ui.label(time::format_local(e.occurred_at));
                        });
                        row.col(|ui| {
                            ui.label(RichText::new(e.step.label_zh()).color(t.text_strong));
                        });
                        row.col(|ui| {
                            ui.label(e.window.as_deref().unwrap_or("—"));
                        });
                        row.col(|ui| {
                            let staff = e
                                .staff_no
                                .as_deref()
                                .map(|no| format!("{}（{no}）", names.get(no).copied().unwrap_or(no)));
                            ui.label(staff.unwrap_or_else(|| "—".into()));
                        });
                        row.col(|ui| {
                            let lag = e.recorded_at - e.occurred_at;
                            let text = if lag.num_hours() >= 1 {
                                format!("{} h {} min", lag.num_hours(), lag.num_minutes() % 60)
                            } else if lag.num_minutes() >= 1 {
                                format!("{} min", lag.num_minutes())
                            } else {
                                format!("{} s", lag.num_seconds())
                            };
                            let colour = if lag.num_hours() > 24 { t.orange } else { t.text_weak };
                            ui.label(RichText::new(text).color(colour)).on_hover_text(format!(
                                "{} {}",
                                lang.pick("录入", "recorded"),
                                time::format_local(e.recorded_at)
                            ));
                        });
                        row.col(|ui| {
                            if let Some(window) = &e.window {
                                let button = ui.small_button(lang.pick("查看录像", "View footage")).on_hover_text(
                                    lang.pick(
                                        "打开该窗口摄像头在此刻的录像；尚无获批的调阅申请时预填一份申请",
                                        "Opens this window's camera at this moment; pre-fills a request when none is approved",
                                    ),
                                );
                                if button.clicked() {
                                    commands.console(Command::Open(Open::FootageForEvent {
                                        window_code: window.clone(),
                                        at: e.occurred_at,
                                        case_no: d.summary.case_no.clone(),
                                    }));
                                }
                            }
                        });
                        row.col(|ui| {
                            let mut parts: Vec<String> =
                                e.documents.iter().map(|doc| format!("《{}》", doc.label_zh())).collect();
                            if let Some(fen) = e.amount_fen {
                                parts.push(format!("{} {} 元", lang.pick("收费", "fee"), format_yuan(fen)));
                            }
                            if let Some(r) = e.rating {
                                parts.push(format!("{} {r}", lang.pick("评价", "rating")));
                            }
                            if let Some(reason) = e.reason {
                                parts.push(reason.label_zh().to_owned());
                            }
                            if e.step == Step::Accept && e.documents.is_empty() {
                                parts.push(lang.pick("未出具受理承诺单", "no acceptance slip").to_owned());
                            }
                            ui.label(parts.join(" "));
                        });
                    });
                }
            });
    });
}

fn fees_ui(ui: &mut egui::Ui, t: &Tokens, lang: Lang, d: &CaseDetail) {
    if d.item.fee_fen == 0 && d.fee_total_fen == 0 && d.evaluator_ratings.is_empty() {
        return;
    }
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        let colour = if d.fee_total_fen == d.item.fee_fen { t.ok } else { t.red };
        ui.label(
            RichText::new(format!(
                "{} {} 元 / {} {} 元",
                lang.pick("实收", "Charged"),
                format_yuan(d.fee_total_fen),
                lang.pick("收费标准", "standard"),
                format_yuan(d.item.fee_fen)
            ))
            .color(colour),
        );
        for (at, rating) in &d.evaluator_ratings {
            ui.label(format!(
                "{} {} {rating}",
                at.format("%Y-%m-%d %H:%M:%S"),
                lang.pick("评价器评分", "evaluator rating")
            ));
        }
    });
    ui.add_space(6.0);
}

/// The notifications sent of the case's alerts and notices: to whom, on which channel, delivered when,
/// and when the person confirmed having read it (已阅).
fn notifications_ui(ui: &mut egui::Ui, t: &Tokens, lang: Lang, d: &CaseDetail) {
    if d.notifications.is_empty() {
        return;
    }
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(lang.pick("通知与已阅", "Notifications and receipts")).strong().color(t.text_strong));
        let short = |at| crate::domain::time::local_datetime(at).format("%m-%d %H:%M").to_string();
        for n in &d.notifications {
            ui.horizontal(|ui| {
                let what = n.event_key.split(':').take(2).collect::<Vec<_>>().join(" ");
                ui.label(RichText::new(what).color(t.text_weak));
                ui.label(lang.pick(n.channel.label_zh(), n.channel.label_en()));
                ui.label(&n.person);
                let state = lang.pick(n.state.label_zh(), n.state.label_en());
                match n.delivered_at {
                    Some(at) => ui.label(RichText::new(format!("{state} {}", short(at))).color(t.ok)),
                    None => ui.label(RichText::new(state).color(t.orange)),
                };
                match n.read_at {
                    Some(at) => ui.label(
                        RichText::new(format!("{} {}", lang.pick("已阅", "Read"), short(at))).color(t.ok).strong(),
                    ),
                    None => ui.label(RichText::new(lang.pick("未阅", "Not read")).color(t.text_weak)),
                };
            });
        }
    });
    ui.add_space(t.spacing * 0.5);
}

fn notices_ui(ui: &mut egui::Ui, t: &Tokens, lang: Lang, d: &CaseDetail, commands: &mut Sender<AlertsCommand>) {
    if d.notices.is_empty() {
        return;
    }
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(lang.pick("督办通知", "Supervision notices")).strong().color(t.text_strong));
        for n in &d.notices {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&n.notice_no).strong());
                ui.label(format!("{} {}", lang.pick("答复期限", "due"), n.due_date));
                ui.label(n.state.label_zh());
                if n.reply_at.is_none() && ui.small_button(lang.pick("记录答复…", "Record reply…")).clicked() {
                    commands.push(AlertsCommand::OpenDialog(AlertDialog::Reply {
                        notice_id: n.id,
                        notice_no: n.notice_no.clone(),
                        text: String::new(),
                    }));
                }
            });
            ui.label(RichText::new(&n.text).color(t.text_weak));
            if let Some(reply) = &n.reply_text {
                ui.label(format!("{}：{reply}", lang.pick("部门答复", "Reply")));
            }
        }
    });
}

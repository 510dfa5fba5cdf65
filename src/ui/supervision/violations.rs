//! 违规与问责 (Art 11–13): the register of violations with their article items and sources, the
//! decisions applying the nine measures, the Art 12(6) department flags, and counts by quarter and year.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use crate::domain::access::Permission;
use crate::domain::accountability::{self, ARTICLE_ITEMS, Measure, Subject, ViolationSource};
use crate::domain::time;

use crate::ui::context::{Panel, Sender};
use crate::ui::dialog::Dialog;
use crate::ui::i18n::Lang;
use crate::ui::supervision::SupervisionCommand;
use crate::ui::supervision::SupervisionForm;
use crate::ui::supervision::state::ViolationCounts;
use crate::ui::supervision::state::ViolationDraft;
use crate::ui::theme::DialogWidth;
use crate::ui::theme::Tokens;

pub fn violations_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    commands: &mut Sender<SupervisionCommand>,
    now: chrono::DateTime<chrono::Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let may_record = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::Supervise));
    let may_decide = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::DecideAccountability));
    let Some(data) = state.view.data.clone() else {
        if let Some(e) = &state.view.error {
            ui.colored_label(t.red, e);
        }
        ui.spinner();
        return;
    };
    for flag in &data.flags {
        t.card_frame().show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.colored_label(
                t.red,
                RichText::new(format!(
                    "{} {}：{}",
                    lang.pick("第十二条第（六）项", "Art 12(6)"),
                    flag.department,
                    lang.pick("一年内工作人员两次以上受到告诫", "staff warned twice or more within a year")
                ))
                .strong(),
            );
            let list: Vec<String> =
                flag.warnings.iter().map(|(at, id, who)| format!("{} {who} #{id}", time::local_date(*at))).collect();
            ui.label(RichText::new(list.join("；")).color(t.text_weak));
        });
    }
    ui.horizontal(|ui| {
        if may_record && ui.button(lang.pick("记录违规…", "Record a violation…")).clicked() {
            let draft = ViolationDraft {
                item: "11(10)".into(),
                staff_no: String::new(),
                department: String::new(),
                source: ViolationSource::Video,
                at: time::local_datetime(now).format("%Y-%m-%d %H:%M").to_string(),
                description: String::new(),
                case_no: String::new(),
                complaint_no: String::new(),
                observation_id: None,
            };
            commands.push(SupervisionCommand::OpenViolation(draft));
        }
        ui.label(RichText::new(format!("{} {}", lang.pick("共", "Total"), data.violations.len())).color(t.text_weak));
    });
    statistics_ui(ui, &data.violation_counts, lang, &t);
    ui.add_space(4.0);
    TableBuilder::new(ui)
        .id_salt("violations")
        .striped(true)
        .column(Column::exact(40.0))
        .column(Column::exact(92.0))
        .column(Column::exact(56.0))
        .column(Column::exact(150.0))
        .column(Column::exact(72.0))
        .column(Column::remainder().clip(true))
        .column(Column::exact(150.0))
        .column(Column::exact(90.0))
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    "#",
                    lang.pick("时间", "When"),
                    lang.pick("条款", "Item"),
                    lang.pick("对象", "Subject"),
                    lang.pick("来源", "Source"),
                    lang.pick("情况", "Description"),
                    lang.pick("问责", "Measures"),
                    "",
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, data.violations.len(), |mut row| {
                let v = &data.violations[row.index()];
                row.col(|ui| {
                    ui.label(v.id.to_string());
                });
                row.col(|ui| {
                    ui.label(time::local_date(v.occurred_at).to_string());
                });
                row.col(|ui| {
                    let label = ui.label(RichText::new(&v.item).strong());
                    if let Some(text) = accountability::article_label(&v.item) {
                        label.on_hover_text(text);
                    }
                });
                row.col(|ui| {
                    let who = match v.subject {
                        Subject::Staff => format!("{} {}", v.department, v.staff_name.as_deref().unwrap_or("")),
                        Subject::Department => v.department.clone(),
                    };
                    ui.label(who);
                });
                row.col(|ui| {
                    ui.label(lang.pick(v.source.label_zh(), v.source.label_en()));
                });
                row.col(|ui| {
                    let mut text = v.description.clone();
                    if let Some(c) = &v.complaint_no {
                        text = format!("{text}（{c}）");
                    }
                    if let Some(o) = v.observation_id {
                        text = format!("{text}（{}#{o}）", lang.pick("违纪记录", "observation "));
                    }
                    if let Some(c) = &v.case_no {
                        text = format!("{text}（{}{c}）", lang.pick("办件", "case "));
                    }
                    ui.label(&text).on_hover_text(text);
                });
                row.col(|ui| {
                    let measures: Vec<&str> =
                        v.decisions.iter().flat_map(|d| d.measures.iter().map(|m| m.label_zh())).collect();
                    let colour = if measures.iter().any(|m| *m == "诫勉谈话" || *m == "通报批评") {
                        t.orange
                    } else {
                        t.text_strong
                    };
                    ui.label(
                        RichText::new(if measures.is_empty() { "—".into() } else { measures.join("、") }).color(colour),
                    );
                });
                row.col(|ui| {
                    if may_decide && ui.small_button(lang.pick("问责…", "Decide…")).clicked() {
                        commands.push(SupervisionCommand::OpenDecision(v.id));
                    }
                });
            });
        });
    violation_form_ui(ui, state, commands);
    decision_dialog_ui(ui, state, commands);
}

fn statistics_ui(ui: &mut egui::Ui, counts: &ViolationCounts, lang: Lang, t: &Tokens) {
    let (by_quarter, by_year) = (&counts.by_quarter, &counts.by_year);
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(lang.pick("按季度：", "By quarter:")).color(t.text_weak));
        for (q, (a, b, c)) in by_quarter.iter().rev().take(4) {
            ui.label(format!(
                "{q} {} {a} · {} {b} · {} {c}",
                lang.pick("第十一条", "Art 11"),
                lang.pick("第十二条", "Art 12"),
                lang.pick("措施", "measures")
            ));
            ui.separator();
        }
        ui.label(RichText::new(lang.pick("按年度：", "By year:")).color(t.text_weak));
        for (y, (a, b, c)) in by_year.iter().rev() {
            ui.label(format!(
                "{y} {} {} · {} {c}",
                lang.pick("违规", "violations"),
                a + b,
                lang.pick("措施", "measures")
            ));
        }
    });
}

fn violation_form_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    commands: &mut Sender<SupervisionCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let error = state.view.form_error.clone();
    let pending = state.view.loading;
    let Some(d) = state.view.violation.as_mut() else { return };
    let ready = !d.description.trim().is_empty();
    Dialog::new(
        "violation_form",
        lang.pick("记录违规", "Record a violation"),
        lang,
        SupervisionCommand::CloseForm(SupervisionForm::Violation),
    )
    .width(DialogWidth::Wide)
    .error(error.as_deref())
    .pending(pending)
    .submit(lang.pick("记录", "Record"), SupervisionCommand::SubmitViolation, ready)
    .show(ui, &t, commands, |ui, _| {
        egui::Grid::new("violation_grid").num_columns(2).spacing([10.0, 6.0]).show(ui, |ui| {
            ui.label(lang.pick("条款", "Item"));
            egui::ComboBox::from_id_salt("violation_item")
                .selected_text(format!("{} {}", d.item, accountability::article_label(&d.item).unwrap_or("")))
                .width(420.0)
                .show_ui(ui, |ui| {
                    for (k, label) in ARTICLE_ITEMS {
                        ui.selectable_value(&mut d.item, k.to_owned(), format!("{k} {label}"));
                    }
                });
            ui.end_row();
            let l = ui.label(lang.pick("工号（对人）", "Staff no. (person)"));
            ui.add(
                egui::TextEdit::singleline(&mut d.staff_no)
                    .hint_text(lang.pick("空 = 对部门", "empty = the department")),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("部门", "Department"));
            ui.add(egui::TextEdit::singleline(&mut d.department)).labelled_by(l.id);
            ui.end_row();
            ui.label(lang.pick("来源", "Source"));
            ui.horizontal(|ui| {
                for s in ViolationSource::ALL {
                    ui.radio_value(&mut d.source, s, lang.pick(s.label_zh(), s.label_en()));
                }
            });
            ui.end_row();
            let l = ui.label(lang.pick("发生时间", "When"));
            ui.add(egui::TextEdit::singleline(&mut d.at).hint_text("YYYY-MM-DD HH:MM")).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("违规情况", "Description"));
            ui.add(egui::TextEdit::multiline(&mut d.description).desired_rows(3)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("关联办件", "Case"));
            ui.add(egui::TextEdit::singleline(&mut d.case_no)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("关联投诉", "Complaint"));
            ui.add(egui::TextEdit::singleline(&mut d.complaint_no)).labelled_by(l.id);
            ui.end_row();
        });
    });
}

fn decision_dialog_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    commands: &mut Sender<SupervisionCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let error = state.view.form_error.clone();
    let pending = state.view.loading;
    let Some((id, measures, note)) = state.view.decision.as_mut() else { return };
    let ready = !measures.is_empty();
    Dialog::new(
        "violation_decision",
        format!("{} #{id}", lang.pick("问责决定", "Accountability decision")),
        lang,
        SupervisionCommand::CloseForm(SupervisionForm::Decision),
    )
    .width(DialogWidth::Narrow)
    .error(error.as_deref())
    .pending(pending)
    .submit(lang.pick("决定", "Decide"), SupervisionCommand::SubmitDecision, ready)
    .show(ui, &t, commands, |ui, _| {
        ui.label(lang.pick("第十三条：可单独或合并适用。", "Art 13: alone or combined."));
        for m in Measure::ALL {
            let mut on = measures.contains(&m);
            let label = match lang {
                Lang::Zh => m.label_zh().to_owned(),
                Lang::En => format!("{} {}", m.label_zh(), m.label_en()),
            };
            if ui.checkbox(&mut on, label).changed() {
                if on {
                    measures.insert(m);
                } else {
                    measures.remove(&m);
                }
            }
        }
        let l = ui.label(lang.pick("说明", "Note"));
        ui.add(egui::TextEdit::singleline(note)).labelled_by(l.id);
    });
}

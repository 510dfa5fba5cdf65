//! 投诉 (Art 5(6), 8(3)): the complaint register with its workflow — registered → accepted or declined
//! (within 5 working days) → investigating → concluded with the reply — due days in colour, and the links
//! to the case, the footage and the violations.

use egui::RichText;
use egui_extras::{Column, Size, StripBuilder, TableBuilder};

use crate::domain::access::Permission;
use crate::domain::accountability::{self, ComplaintStatus, Urgency, ViolationSource};
use crate::domain::model::{Complaint, ComplaintChannel};
use crate::domain::time;
use crate::store::ComplaintStep;
use crate::ui::supervision::SupervisionAction;

use crate::ui::command::Command;
use crate::ui::context::{Panel, Sender};
use crate::ui::dialog::Dialog;
use crate::ui::i18n::Lang;
use crate::ui::open::Open;
use crate::ui::supervision::SupervisionCommand;
use crate::ui::supervision::SupervisionForm;
use crate::ui::supervision::state::{ComplaintDraft, ComplaintStepKind, ViolationDraft};
use crate::ui::theme::DialogWidth;
use crate::ui::theme::Tokens;

fn channel_label(c: ComplaintChannel, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => c.label_zh(),
        Lang::En => c.as_str(),
    }
}

fn status_label(s: ComplaintStatus, lang: Lang) -> &'static str {
    lang.pick(s.label_zh(), s.label_en())
}

pub fn complaints_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    commands: &mut Sender<SupervisionCommand>,
    now: chrono::DateTime<chrono::Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let today = time::local_date(now);
    let may_act = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::Supervise));
    let Some(data) = state.view.data.clone() else {
        if let Some(e) = &state.view.error {
            ui.colored_label(t.red, e);
        }
        ui.spinner();
        return;
    };
    let list = &data.complaints;
    ui.horizontal(|ui| {
        if may_act && ui.button(lang.pick("登记投诉…", "Register a complaint…")).clicked() {
            let draft = ComplaintDraft {
                at: time::local_datetime(now).format("%Y-%m-%d %H:%M").to_string(),
                channel: ComplaintChannel::Phone,
                complainant: String::new(),
                contact: String::new(),
                content: String::new(),
                window: String::new(),
                staff_no: String::new(),
                department: String::new(),
                case_no: String::new(),
            };
            commands.push(SupervisionCommand::OpenComplaint(draft));
        }
        let open = list.iter().filter(|c| !c.status.is_closed()).count();
        ui.label(RichText::new(format!("{} {open}", lang.pick("办理中", "Open:"))).color(t.text_weak));
        if ui.small_button(lang.pick("刷新", "Refresh")).clicked() {
            commands.push(SupervisionCommand::Load);
        }
    });
    if list.is_empty() {
        ui.label(lang.pick("没有投诉。", "No complaints."));
    }
    // The due colours, once per frame from the opened calendar (never copied).
    let urgencies: Vec<Urgency> = list
        .iter()
        .map(|c| match state.shared.opened.as_ref() {
            Some(o) => accountability::urgency(&o.calendar, c.due, today),
            None => Urgency::Normal,
        })
        .collect();
    let selected = state.view.selected_complaint.clone();
    StripBuilder::new(ui).size(Size::relative(0.55)).size(Size::remainder()).horizontal(|mut strip| {
        strip.cell(|ui| {
            TableBuilder::new(ui)
                .id_salt("complaints")
                .striped(true)
                .sense(egui::Sense::click())
                .column(Column::exact(104.0))
                .column(Column::exact(96.0))
                .column(Column::exact(40.0))
                .column(Column::exact(44.0))
                .column(Column::exact(70.0))
                .column(Column::exact(82.0))
                .column(Column::remainder().clip(true))
                .header(24.0, |h| {
                    crate::ui::widgets::header_row(
                        h,
                        &[
                            lang.pick("编号", "No."),
                            lang.pick("收到", "Received"),
                            lang.pick("渠道", "Channel"),
                            lang.pick("窗口", "Window"),
                            lang.pick("状态", "State"),
                            lang.pick("期限", "Due"),
                            lang.pick("内容", "Content"),
                        ],
                    )
                })
                .body(|body| {
                    body.rows(24.0, list.len(), |mut row| {
                        let c = &list[row.index()];
                        row.set_selected(selected.as_deref() == Some(c.complaint_no.as_str()));
                        let colour = urgency_colour(urgencies[row.index()], &t);
                        row.col(|ui| {
                            ui.label(RichText::new(&c.complaint_no).monospace());
                        });
                        row.col(|ui| {
                            ui.label(time::local_datetime(c.received_at).format("%m-%d %H:%M").to_string());
                        });
                        row.col(|ui| {
                            ui.label(channel_label(c.channel, lang));
                        });
                        row.col(|ui| {
                            ui.label(c.window_code.as_deref().unwrap_or("—"));
                        });
                        row.col(|ui| {
                            ui.label(RichText::new(status_label(c.status, lang)).color(colour));
                        });
                        row.col(|ui| {
                            ui.label(
                                RichText::new(
                                    c.due.map(|d| d.format("%m-%d").to_string()).unwrap_or_else(|| "—".into()),
                                )
                                .color(colour),
                            );
                        });
                        row.col(|ui| {
                            ui.label(&c.content).on_hover_text(&c.content);
                        });
                        if row.response().clicked() {
                            commands.push(SupervisionCommand::SelectComplaint(Some(c.complaint_no.clone())));
                        }
                    });
                });
        });
        strip.cell(|ui| {
            let chosen = selected.as_deref().and_then(|no| list.iter().find(|c| c.complaint_no == no));
            match chosen {
                Some(c) => detail_ui(ui, state, c, may_act, commands, &t),
                None => {
                    ui.label(
                        RichText::new(
                            lang.pick("选择一条投诉查看详情与办理。", "Choose a complaint to see and handle it."),
                        )
                        .color(t.text_weak),
                    );
                }
            }
        });
    });
    complaint_form_ui(ui, state, commands);
    step_dialog_ui(ui, state, commands);
}

fn urgency_colour(u: Urgency, t: &Tokens) -> egui::Color32 {
    match u {
        Urgency::Done => t.text_weak,
        Urgency::Normal => t.ok,
        Urgency::DueSoon => t.yellow,
        Urgency::Overdue => t.red,
    }
}

fn detail_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    c: &Complaint,
    may_act: bool,
    commands: &mut Sender<SupervisionCommand>,
    t: &Tokens,
) {
    let lang = state.shared.lang;
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new(&c.complaint_no).strong().color(t.text_strong));
            ui.label(status_label(c.status, lang));
            if let Some(d) = c.due {
                ui.label(format!("{} {d}", lang.pick("期限", "due")));
            }
        });
        egui::Grid::new("complaint_detail").num_columns(2).spacing([10.0, 4.0]).show(ui, |ui| {
            let row = |ui: &mut egui::Ui, k: &str, v: String| {
                ui.label(RichText::new(k).color(t.text_weak));
                ui.label(v);
                ui.end_row();
            };
            row(
                ui,
                lang.pick("收到", "Received"),
                format!("{} · {}", time::format_local_minutes(c.received_at), channel_label(c.channel, lang)),
            );
            row(ui, lang.pick("投诉人", "Complainant"), format!("{}  {}", c.complainant, c.contact));
            row(
                ui,
                lang.pick("被投诉", "About"),
                [c.department.clone(), c.window_code.clone(), c.staff_name.clone().or(c.staff_no.clone())]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
            );
            row(ui, lang.pick("内容", "Content"), c.content.clone());
            if let Some(n) = &c.decision_note {
                row(ui, lang.pick("受理意见", "Decision"), format!("{n}（{}）", c.decided_by.as_deref().unwrap_or("")));
            }
            if let Some(x) = &c.conclusion {
                row(ui, lang.pick("调查结论", "Finding"), x.clone());
            }
            if let Some(x) = &c.reply {
                row(ui, lang.pick("答复投诉人", "Reply"), x.clone());
            }
            row(
                ui,
                lang.pick("录像调阅", "Footage"),
                if c.footage_requests.is_empty() { "—".into() } else { c.footage_requests.join("、") },
            );
            row(
                ui,
                lang.pick("违规记录", "Violations"),
                if c.violations.is_empty() {
                    "—".into()
                } else {
                    c.violations.iter().map(|v| format!("#{v}")).collect::<Vec<_>>().join("、")
                },
            );
        });
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            if let Some(case_no) = &c.case_no
                && ui.button(format!("{} {case_no}", lang.pick("办件", "Case"))).clicked()
            {
                commands.console(Command::Navigate(crate::ui::nav::Area::Alerts));
                commands.console(Command::Open(Open::Case(case_no.clone())));
            }
            if !may_act {
                return;
            }
            let no = c.complaint_no.clone();
            match c.status {
                ComplaintStatus::Registered => {
                    if ui.button(lang.pick("受理…", "Accept…")).clicked() {
                        commands.push(SupervisionCommand::OpenComplaintStep {
                            complaint_no: no.clone(),
                            kind: ComplaintStepKind::Accept,
                        });
                    }
                    if ui.button(lang.pick("不予受理…", "Decline…")).clicked() {
                        commands.push(SupervisionCommand::OpenComplaintStep {
                            complaint_no: no.clone(),
                            kind: ComplaintStepKind::Decline,
                        });
                    }
                }
                ComplaintStatus::Accepted if ui.button(lang.pick("开始调查", "Investigate")).clicked() => {
                    commands.push(SupervisionCommand::Act(SupervisionAction::AdvanceComplaint {
                        complaint_no: no.clone(),
                        step: ComplaintStep::Investigate,
                    }));
                }
                _ => {}
            }
            if matches!(c.status, ComplaintStatus::Accepted | ComplaintStatus::Investigating)
                && ui.button(lang.pick("办结并答复…", "Conclude and reply…")).clicked()
            {
                commands.push(SupervisionCommand::OpenComplaintStep {
                    complaint_no: no.clone(),
                    kind: ComplaintStepKind::Conclude,
                });
            }
            if !c.status.is_closed() {
                if let Some(window) = &c.window_code {
                    let camera = state
                        .shared
                        .directory
                        .as_ref()
                        .and_then(|d| d.cameras.iter().find(|cam| cam.window_code.as_deref() == Some(window.as_str())))
                        .map(|cam| cam.id);
                    if let Some(camera) = camera
                        && ui.button(lang.pick("申请调阅录像…", "Request footage…")).clicked()
                    {
                        let at = c.received_at.timestamp_millis();
                        commands.console(Command::Navigate(crate::ui::nav::Area::Footage));
                        commands.console(Command::Open(Open::FootageRequest {
                            cameras: vec![camera],
                            from: Some(at - 30 * 60_000),
                            to: Some(at),
                            purpose: format!("{}{}", lang.pick("核查投诉 ", "Check complaint "), c.complaint_no),
                            kind: crate::domain::footage::RequestKind::View,
                            case_no: c.case_no.clone(),
                            complaint_no: Some(c.complaint_no.clone()),
                        }));
                    }
                }
                if ui.button(lang.pick("记录违规…", "Record a violation…")).clicked() {
                    let draft = ViolationDraft {
                        item: "11(6)".into(),
                        staff_no: c.staff_no.clone().unwrap_or_default(),
                        department: c.department.clone().unwrap_or_default(),
                        source: ViolationSource::Complaint,
                        at: time::local_datetime(c.received_at).format("%Y-%m-%d %H:%M").to_string(),
                        description: c.content.clone(),
                        case_no: c.case_no.clone().unwrap_or_default(),
                        complaint_no: c.complaint_no.clone(),
                        observation_id: None,
                    };
                    commands.push(SupervisionCommand::OpenViolation(draft));
                }
            }
        });
    });
}

fn complaint_form_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    commands: &mut Sender<SupervisionCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let error = state.view.form_error.clone();
    let pending = state.view.loading;
    let Some(d) = state.view.complaint.as_mut() else { return };
    Dialog::new(
        "complaint_form",
        lang.pick("登记投诉", "Register a complaint"),
        lang,
        SupervisionCommand::CloseForm(SupervisionForm::Complaint),
    )
    .width(DialogWidth::Wide)
    .error(error.as_deref())
    .pending(pending)
    .submit(lang.pick("登记", "Register"), SupervisionCommand::SubmitComplaint, true)
    .show(ui, &t, commands, |ui, _| {
        egui::Grid::new("complaint_grid").num_columns(2).spacing([10.0, 6.0]).show(ui, |ui| {
            let l = ui.label(lang.pick("收到时间", "Received"));
            ui.add(egui::TextEdit::singleline(&mut d.at).hint_text("YYYY-MM-DD HH:MM")).labelled_by(l.id);
            ui.end_row();
            ui.label(lang.pick("渠道", "Channel"));
            ui.horizontal(|ui| {
                for c in [ComplaintChannel::Phone, ComplaintChannel::Online, ComplaintChannel::InPerson] {
                    ui.radio_value(&mut d.channel, c, channel_label(c, lang));
                }
            });
            ui.end_row();
            let l = ui.label(lang.pick("投诉人", "Complainant"));
            ui.add(egui::TextEdit::singleline(&mut d.complainant)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("联系方式", "Contact"));
            ui.add(egui::TextEdit::singleline(&mut d.contact)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("投诉内容", "Content"));
            ui.add(egui::TextEdit::multiline(&mut d.content).desired_rows(3)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("窗口", "Window"));
            ui.add(egui::TextEdit::singleline(&mut d.window).hint_text("B07")).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("工号", "Staff no."));
            ui.add(egui::TextEdit::singleline(&mut d.staff_no)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("部门", "Department"));
            ui.add(egui::TextEdit::singleline(&mut d.department)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("关联办件", "Case"));
            ui.add(egui::TextEdit::singleline(&mut d.case_no)).labelled_by(l.id);
            ui.end_row();
        });
    });
}

fn step_dialog_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    commands: &mut Sender<SupervisionCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let error = state.view.form_error.clone();
    let pending = state.view.loading;
    let Some((no, kind, a, b)) = state.view.complaint_step.as_mut() else { return };
    let (title, first, needs_first) = match kind {
        ComplaintStepKind::Accept => (lang.pick("受理投诉", "Accept"), lang.pick("受理意见", "Note"), false),
        ComplaintStepKind::Decline => (lang.pick("不予受理", "Decline"), lang.pick("理由", "Reason"), true),
        ComplaintStepKind::Conclude => (lang.pick("办结投诉", "Conclude"), lang.pick("调查结论", "Finding"), true),
    };
    let conclude = *kind == ComplaintStepKind::Conclude;
    let ready = (!needs_first || !a.trim().is_empty()) && (!conclude || !b.trim().is_empty());
    Dialog::new(
        "complaint_step",
        format!("{title} {no}"),
        lang,
        SupervisionCommand::CloseForm(SupervisionForm::ComplaintStep),
    )
    .error(error.as_deref())
    .pending(pending)
    .submit(lang.pick("确定", "Confirm"), SupervisionCommand::SubmitComplaintStep, ready)
    .show(ui, &t, commands, |ui, _| {
        let l = ui.label(first);
        ui.add(egui::TextEdit::multiline(a).desired_rows(2).desired_width(f32::INFINITY)).labelled_by(l.id);
        if conclude {
            let l = ui.label(lang.pick("答复投诉人", "Reply to the complainant"));
            ui.add(egui::TextEdit::multiline(b).desired_rows(2).desired_width(f32::INFINITY)).labelled_by(l.id);
        }
    });
}

//! 调阅申请 and 审批: the request list, the request form, pending approvals and the refusal dialog.

use super::*;
use crate::ui::context::{Panel, Sender};

use crate::ui::dialog::Dialog;
use crate::ui::theme::DialogWidth;

pub(super) fn requests_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::FootageView>,
    commands: &mut Sender<FootageCommand>,
    now: DateTime<Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let may_request = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::Supervise));
    if state.view.draft.is_some() {
        draft_ui(ui, state, commands);
        ui.add_space(8.0);
    } else if may_request {
        ui.horizontal(|ui| {
            if ui.button(lang.pick("新建调阅/拷贝申请", "New request")).clicked() {
                commands.push(FootageCommand::NewRequest {
                    cameras: Vec::new(),
                    from: None,
                    to: None,
                    purpose: String::new(),
                    kind: RequestKind::View,
                    case_no: None,
                    complaint_no: None,
                });
            }
            ui.label(
                RichText::new(lang.pick(
                    "申请须经非本人的监察室负责人批准；批准后 7 日内可在批准的时间范围内回放或拷贝。",
                    "A chief other than you approves; then for 7 days you may view or copy inside the approved range.",
                ))
                .color(t.text_weak),
            );
        });
    }
    let requests = state.view.requests.clone().unwrap_or_default();
    if requests.is_empty() {
        ui.label(RichText::new(lang.pick("还没有申请。", "No requests yet.")).color(t.text_weak));
        return;
    }
    TableBuilder::new(ui)
        .id_salt("footage_requests")
        .striped(true)
        .column(Column::exact(130.0))
        .column(Column::exact(56.0))
        .column(Column::initial(130.0).clip(true))
        .column(Column::exact(170.0))
        .column(Column::initial(200.0).clip(true))
        .column(Column::exact(170.0))
        .column(Column::remainder())
        .header(24.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("编号", "No."),
                    lang.pick("类型", "Kind"),
                    lang.pick("摄像头", "Cameras"),
                    lang.pick("时间范围", "Range"),
                    lang.pick("用途", "Purpose"),
                    lang.pick("状态", "State"),
                    lang.pick("操作", "Actions"),
                ],
            )
        })
        .body(|body| {
            body.rows(28.0, requests.len(), |mut row| {
                let r = &requests[row.index()];
                row.col(|ui| {
                    ui.label(&r.request_no);
                });
                row.col(|ui| {
                    ui.label(match lang {
                        Lang::Zh => r.kind.label_zh(),
                        Lang::En => r.kind.as_str(),
                    });
                });
                row.col(|ui| {
                    let names: Vec<String> = r.cameras.iter().map(|c| camera_name(state, *c)).collect();
                    ui.label(names.join("、"));
                });
                row.col(|ui| {
                    ui.label(span_text(r.span));
                });
                row.col(|ui| {
                    ui.label(&r.purpose).on_hover_text(&r.purpose);
                });
                row.col(|ui| {
                    let mut text = lang.pick(r.state_zh(now), r.state_en(now)).to_owned();
                    if let (RequestStatus::Approved, Some(e)) = (r.status, r.expires_at)
                        && !r.is_expired(now)
                    {
                        text =
                            format!("{text} {}{}", lang.pick("至", "until "), time::local_datetime(e).format("%m-%d"));
                    }
                    let label = ui.label(RichText::new(text).color(state_colour(r, now, &t)));
                    if let Some(note) = &r.decision_note {
                        label.on_hover_text(format!("{}：{note}", r.decided_by.as_deref().unwrap_or("")));
                    }
                });
                row.col(|ui| {
                    ui.horizontal(|ui| {
                        let usable = r.status == RequestStatus::Approved && !r.is_expired(now);
                        // Together first (the row may be wider than the table with four cameras).
                        let several: Vec<i64> = r.cameras.iter().copied().take(Group::MAX).collect();
                        if usable
                            && several.len() > 1
                            && ui
                                .small_button(format!(
                                    "▶ {} ({})",
                                    lang.pick("同步回放", "Play together"),
                                    several.len()
                                ))
                                .on_hover_text(lang.pick(
                                    "多路摄像头并排播放，共用一个播放位置（定位、速度、逐帧同步）",
                                    "The cameras side by side on one play head (seek, speed and frame step move all)",
                                ))
                                .clicked()
                        {
                            commands.push(FootageCommand::Play {
                                request_id: r.id,
                                cameras: several.clone(),
                                at: None,
                            });
                        }
                        if usable
                            && r.kind == RequestKind::Export
                            && ui.small_button(lang.pick("导出…", "Export…")).clicked()
                        {
                            commands.push(FootageCommand::OpenExport { request_id: r.id, cameras: several });
                        }
                        for camera in &r.cameras {
                            if usable && ui.small_button(format!("▶ {}", camera_name(state, *camera))).clicked() {
                                commands.push(FootageCommand::Play {
                                    request_id: r.id,
                                    cameras: vec![*camera],
                                    at: None,
                                });
                            }
                        }
                        if r.status == RequestStatus::Pending
                            && ui.small_button(lang.pick("撤回", "Withdraw")).clicked()
                        {
                            commands.push(FootageCommand::CancelRequest(r.id));
                        }
                    });
                });
            });
        });
}

pub(super) fn draft_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::FootageView>,
    commands: &mut Sender<FootageCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let cameras: Vec<(i64, String)> = state
        .shared
        .directory
        .as_ref()
        .map(|d| d.cameras.iter().map(|c| (c.id, c.name.clone())).collect())
        .unwrap_or_default();
    let error = state.view.draft_error.clone();
    let Some(draft) = state.view.draft.as_mut() else { return };
    t.card_frame().show(ui, |ui| {
        ui.heading(lang.pick("调阅/拷贝申请", "Request footage"));
        egui::Grid::new("footage_draft").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            ui.label(lang.pick("摄像头", "Cameras"));
            let chosen: Vec<String> =
                cameras.iter().filter(|(id, _)| draft.cameras.contains(id)).map(|(_, n)| n.clone()).collect();
            let summary =
                if chosen.is_empty() { lang.pick_owned("（请选择）", "(choose)") } else { chosen.join("、") };
            egui::ComboBox::from_id_salt("footage_cameras").selected_text(summary).width(320.0).show_ui(ui, |ui| {
                for (id, name) in &cameras {
                    let mut on = draft.cameras.contains(id);
                    if ui.checkbox(&mut on, name).changed() {
                        if on {
                            draft.cameras.insert(*id);
                        } else {
                            draft.cameras.remove(id);
                        }
                    }
                }
            });
            ui.end_row();
            let l = ui.label(lang.pick("日期", "Date"));
            ui.add(egui::TextEdit::singleline(&mut draft.date).hint_text("YYYY-MM-DD").desired_width(110.0))
                .labelled_by(l.id);
            ui.end_row();
            ui.label(lang.pick("时间", "Time"));
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut draft.from).hint_text("HH:MM").desired_width(60.0))
                    .on_hover_text(lang.pick("开始（北京时间）", "From (Beijing time)"));
                ui.label("—");
                ui.add(egui::TextEdit::singleline(&mut draft.to).hint_text("HH:MM").desired_width(60.0))
                    .on_hover_text(lang.pick("结束", "To"));
            });
            ui.end_row();
            ui.label(lang.pick("类型", "Kind"));
            ui.horizontal(|ui| {
                ui.radio_value(&mut draft.kind, RequestKind::View, lang.pick("调阅（只看）", "View"));
                ui.radio_value(&mut draft.kind, RequestKind::Export, lang.pick("拷贝（导出）", "Copy (export)"));
            });
            ui.end_row();
            let l = ui.label(lang.pick("用途", "Purpose"));
            ui.add(egui::TextEdit::singleline(&mut draft.purpose).desired_width(420.0)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("第二人", "Second person"));
            ui.add(
                egui::TextEdit::singleline(&mut draft.second_person)
                    .hint_text(lang.pick("用户名（如本厅要求双人调阅）", "user name, if required"))
                    .desired_width(200.0),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("关联办件", "Case"));
            ui.add(egui::TextEdit::singleline(&mut draft.case_no).desired_width(200.0)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("关联投诉", "Complaint"));
            ui.add(egui::TextEdit::singleline(&mut draft.complaint_no).desired_width(200.0)).labelled_by(l.id);
            ui.end_row();
        });
        if let Some(e) = &error {
            ui.colored_label(t.red, e);
        }
        ui.horizontal(|ui| {
            if ui.button(lang.pick("提交申请", "Send request")).clicked() {
                commands.push(FootageCommand::SubmitRequest);
            }
            if ui.button(lang.pick("取消", "Cancel")).clicked() {
                commands.push(FootageCommand::CancelDraft);
            }
        });
    });
}

pub(super) fn approvals_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, super::state::FootageView>,
    commands: &mut Sender<FootageCommand>,
    now: DateTime<Utc>,
) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let me = state.shared.session.as_ref().map(|s| s.username.clone()).unwrap_or_default();
    let pending = state.view.pending.clone().unwrap_or_default();
    if pending.is_empty() {
        ui.label(RichText::new(lang.pick("没有待审批的申请。", "Nothing to approve.")).color(t.ok));
        return;
    }
    for r in &pending {
        t.card_frame().show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(RichText::new(&r.request_no).strong());
                ui.label(RichText::new(r.kind.label_zh()).color(if r.kind == RequestKind::Export {
                    t.orange
                } else {
                    t.text
                }));
                ui.label(format!("{} {}", lang.pick("申请人", "by"), r.requester));
                if let Some(p) = &r.second_person {
                    ui.label(format!("{} {p}", lang.pick("第二人", "with")));
                }
                ui.label(RichText::new(time::format_local_minutes(r.created_at)).color(t.text_weak));
            });
            let names: Vec<String> = r.cameras.iter().map(|c| camera_name(state, *c)).collect();
            ui.label(format!("{}  {}", names.join("、"), span_text(r.span)));
            ui.label(format!("{}{}", lang.pick("用途：", "Purpose: "), r.purpose));
            if r.case_no.is_some() || r.complaint_no.is_some() {
                ui.label(
                    RichText::new(format!(
                        "{} {}",
                        r.case_no.as_deref().map(|c| format!("{}{c}", lang.pick("办件 ", "case "))).unwrap_or_default(),
                        r.complaint_no
                            .as_deref()
                            .map(|c| format!("{}{c}", lang.pick("投诉 ", "complaint ")))
                            .unwrap_or_default()
                    ))
                    .color(t.text_weak),
                );
            }
            ui.horizontal(|ui| {
                let own = r.requester == me || r.second_person.as_deref() == Some(me.as_str());
                if own {
                    ui.label(
                        RichText::new(
                            lang.pick("本人申请，须由其他负责人审批", "Your own request: another chief decides"),
                        )
                        .color(t.text_weak),
                    );
                } else {
                    if ui.button(lang.pick("批准", "Approve")).clicked() {
                        commands.push(FootageCommand::Approve(r.id));
                    }
                    if ui.button(lang.pick("拒绝…", "Refuse…")).clicked() {
                        commands.push(FootageCommand::StartRefuse(r.id));
                    }
                }
                let _ = now;
            });
        });
        ui.add_space(6.0);
    }
}

pub(super) fn refuse_dialog_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::FootageView>,
    commands: &mut Sender<FootageCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let Some((_, reason)) = state.view.refusing.as_mut() else { return };
    let ready = !reason.trim().is_empty();
    Dialog::new(
        "jiancha_refuse_footage",
        lang.pick("拒绝申请", "Refuse the request"),
        lang,
        FootageCommand::CancelRefuse,
    )
    .width(DialogWidth::Narrow)
    .submit(lang.pick("拒绝", "Refuse"), FootageCommand::SubmitRefuse, ready)
    .show(ui, &t, commands, |ui, _| {
        let l = ui.label(lang.pick("拒绝理由", "Reason"));
        ui.add(egui::TextEdit::multiline(reason).desired_rows(3).desired_width(f32::INFINITY)).labelled_by(l.id);
    });
}

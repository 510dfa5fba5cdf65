//! 录像调阅: requests to view or copy footage (Art 10), their approval by a chief who is not the
//! requester, playback on a timeline inside the approved range, export with watermark and manifest,
//! the footage register, recording health and legal holds.

use chrono::{DateTime, Utc};
use egui::{Color32, RichText, Sense, Stroke};
use egui_extras::{Column, TableBuilder};

use crate::domain::access::Permission;
use crate::domain::footage::{FootageRequest, RequestKind, RequestStatus, Span, Use};
use crate::domain::time;
use crate::video::playback::{PlayerStatus, SPEEDS};

use super::command::Command;
use super::i18n::Lang;
use super::state::{AppState, FootageTab};
use super::theme::Tokens;

/// Mounted removable drives (where copies usually go): `/media/<user>/<drive>`, `/run/media/<user>/<drive>`.
pub fn removable_drives() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for base in ["/media", "/run/media"] {
        let Ok(users) = std::fs::read_dir(base) else { continue };
        for user in users.flatten() {
            let Ok(drives) = std::fs::read_dir(user.path()) else { continue };
            out.extend(drives.flatten().map(|d| d.path()).filter(|p| p.is_dir()));
        }
    }
    out.sort();
    out
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn camera_name(state: &AppState, id: i64) -> String {
    state
        .directory
        .as_ref()
        .and_then(|d| d.cameras.iter().find(|c| c.id == id))
        .map(|c| c.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

fn span_text(span: Span) -> String {
    let (a, b) = (time::local_datetime(span.start()), time::local_datetime(span.end()));
    if a.date() == b.date() {
        format!("{} {}–{}", a.format("%Y-%m-%d"), a.format("%H:%M"), b.format("%H:%M"))
    } else {
        format!("{} – {}", a.format("%Y-%m-%d %H:%M"), b.format("%Y-%m-%d %H:%M"))
    }
}

pub fn footage_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>, now: DateTime<Utc>) {
    let lang = state.lang;
    let t = state.tokens;
    tabs_ui(ui, state, commands);
    if let Some(e) = &state.footage.error {
        ui.colored_label(t.red, e);
    }
    export_status_ui(ui, state, commands);
    ui.separator();
    if state.footage.requests.is_none() {
        ui.spinner();
        return;
    }
    match state.footage.tab {
        FootageTab::Requests => requests_ui(ui, state, commands, now),
        FootageTab::Approvals => approvals_ui(ui, state, commands, now),
        FootageTab::Playback => playback_ui(ui, state, commands),
        FootageTab::Register => register_ui(ui, state, lang, &t),
        FootageTab::Health => health_ui(ui, state, lang, &t, now),
        FootageTab::Holds => holds_ui(ui, state, commands, now),
    }
    refuse_dialog_ui(ui, state, commands);
    export_dialog_ui(ui, state, commands);
}

fn tabs_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    let view = &state.footage;
    ui.horizontal(|ui| {
        let mut tab = |ui: &mut egui::Ui, which: FootageTab, label: String, warn: bool| {
            let text = if warn { RichText::new(label).color(t.orange) } else { RichText::new(label) };
            if ui.selectable_label(view.tab == which, text).clicked() && view.tab != which {
                commands.push(Command::SetFootageTab(which));
            }
        };
        tab(ui, FootageTab::Requests, lang.pick_owned("调阅申请", "Requests"), false);
        if let Some(pending) = &view.pending {
            tab(
                ui,
                FootageTab::Approvals,
                format!("{}（{}）", lang.pick("待审批", "To approve"), pending.len()),
                !pending.is_empty(),
            );
        }
        if view.playback.is_some() {
            tab(ui, FootageTab::Playback, lang.pick_owned("回放", "Playback"), false);
        }
        tab(ui, FootageTab::Register, lang.pick_owned("调取登记簿", "Register"), false);
        tab(ui, FootageTab::Health, lang.pick_owned("录像状态", "Recording"), false);
        tab(ui, FootageTab::Holds, lang.pick_owned("保全", "Holds"), false);
        if view.loading {
            ui.spinner();
        } else if ui.small_button(lang.pick("刷新", "Refresh")).clicked() {
            commands.push(Command::LoadFootage);
        }
    });
}

fn export_status_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    if let Some(p) = &state.footage.exporting {
        let fraction = p.permille.load(std::sync::atomic::Ordering::Relaxed) as f32 / 1000.0;
        ui.horizontal(|ui| {
            ui.label(format!("{} {} → {}", lang.pick("正在导出", "Exporting"), p.request_no, p.destination));
            ui.add(egui::ProgressBar::new(fraction).desired_width(240.0).show_percentage());
            if ui.button(lang.pick("取消导出", "Cancel export")).clicked() {
                commands.push(Command::CancelExport);
            }
        });
    }
    match &state.footage.export_result {
        Some(Ok(done)) => {
            ui.label(RichText::new(format!("{} {done}", lang.pick("已导出：", "Exported:"))).color(t.ok));
        }
        Some(Err(e)) => {
            ui.colored_label(t.red, format!("{} {e}", lang.pick("导出未完成：", "Export not done:")));
        }
        None => {}
    }
}

fn state_colour(r: &FootageRequest, now: DateTime<Utc>, t: &Tokens) -> Color32 {
    match r.status {
        RequestStatus::Pending => t.yellow,
        RequestStatus::Approved if r.is_expired(now) => t.text_weak,
        RequestStatus::Approved => t.ok,
        RequestStatus::Refused => t.red,
        RequestStatus::Cancelled => t.text_weak,
    }
}

fn requests_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>, now: DateTime<Utc>) {
    let lang = state.lang;
    let t = state.tokens;
    let may_request = state.session.as_ref().is_some_and(|s| s.role.allows(Permission::Supervise));
    if state.footage.draft.is_some() {
        draft_ui(ui, state, commands);
        ui.add_space(8.0);
    } else if may_request {
        ui.horizontal(|ui| {
            if ui.button(lang.pick("新建调阅/拷贝申请", "New request")).clicked() {
                commands.push(Command::NewFootageRequest {
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
    let requests = state.footage.requests.clone().unwrap_or_default();
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
            super::widgets::header_row(
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
                        for camera in &r.cameras {
                            if usable && ui.small_button(format!("▶ {}", camera_name(state, *camera))).clicked() {
                                commands.push(Command::PlayFootage { request_id: r.id, camera_id: *camera, at: None });
                            }
                            if usable
                                && r.kind == RequestKind::Export
                                && ui.small_button(lang.pick("导出…", "Export…")).clicked()
                            {
                                commands.push(Command::OpenExport { request_id: r.id, camera_id: *camera });
                            }
                        }
                        if r.status == RequestStatus::Pending
                            && ui.small_button(lang.pick("撤回", "Withdraw")).clicked()
                        {
                            commands.push(Command::CancelFootageRequest(r.id));
                        }
                    });
                });
            });
        });
}

fn draft_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = state.tokens;
    let cameras: Vec<(i64, String)> = state
        .directory
        .as_ref()
        .map(|d| d.cameras.iter().map(|c| (c.id, c.name.clone())).collect())
        .unwrap_or_default();
    let error = state.footage.draft_error.clone();
    let Some(draft) = state.footage.draft.as_mut() else { return };
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
                commands.push(Command::SubmitFootageRequest);
            }
            if ui.button(lang.pick("取消", "Cancel")).clicked() {
                commands.push(Command::CancelFootageDraft);
            }
        });
    });
}

fn approvals_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>, now: DateTime<Utc>) {
    let lang = state.lang;
    let t = &state.tokens;
    let me = state.session.as_ref().map(|s| s.username.clone()).unwrap_or_default();
    let pending = state.footage.pending.clone().unwrap_or_default();
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
                        commands.push(Command::ApproveFootage(r.id));
                    }
                    if ui.button(lang.pick("拒绝…", "Refuse…")).clicked() {
                        commands.push(Command::StartRefuse(r.id));
                    }
                }
                let _ = now;
            });
        });
        ui.add_space(6.0);
    }
}

fn refuse_dialog_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let Some((_, reason)) = state.footage.refusing.as_mut() else { return };
    let modal = egui::Modal::new(egui::Id::unique("jiancha_refuse_footage")).show(ui.ctx(), |ui| {
        ui.set_width(420.0);
        ui.heading(lang.pick("拒绝申请", "Refuse the request"));
        let l = ui.label(lang.pick("拒绝理由", "Reason"));
        ui.add(egui::TextEdit::multiline(reason).desired_rows(3).desired_width(f32::INFINITY)).labelled_by(l.id);
        ui.horizontal(|ui| {
            if ui.button(lang.pick("拒绝", "Refuse")).clicked() {
                commands.push(Command::SubmitRefuse);
            }
            if ui.button(lang.pick("取消", "Cancel")).clicked() {
                commands.push(Command::CancelRefuse);
            }
        });
    });
    if modal.should_close() {
        commands.push(Command::CancelRefuse);
    }
}

fn playback_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = &state.tokens;
    let Some(view) = &state.footage.playback else { return };
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!("{} · {}", view.request.request_no, camera_name(state, view.camera_id))).strong(),
        );
        ui.label(
            RichText::new(format!("{} {}", lang.pick("批准范围", "approved"), span_text(view.span))).color(t.text_weak),
        );
        ui.label(
            RichText::new(format!("{}{}", lang.pick("用途：", "purpose: "), view.request.purpose)).color(t.text_weak),
        );
        if ui.small_button(lang.pick("关闭回放", "Close")).clicked() {
            commands.push(Command::ClosePlayback);
        }
    });
    let display = state.player.as_ref();
    // The picture, 16:9, as large as fits above the controls.
    let avail = ui.available_size();
    let height = (avail.y - 120.0).max(160.0).min(avail.x * 9.0 / 16.0);
    let size = egui::vec2(height * 16.0 / 9.0, height);
    ui.vertical_centered(|ui| {
        let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
        ui.painter().rect_filled(rect, 2.0, Color32::BLACK);
        match display.and_then(|d| d.texture.as_ref()) {
            Some(texture) => {
                ui.painter().image(
                    texture.id(),
                    rect,
                    egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                    Color32::WHITE,
                );
            }
            None => {
                ui.painter().text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    lang.pick("载入中…", "Loading…"),
                    egui::FontId::proportional(16.0),
                    t.text_weak,
                );
            }
        }
        if let Some(PlayerStatus::Error(e)) = display.map(|d| &d.status) {
            ui.painter().text(rect.center(), egui::Align2::CENTER_CENTER, e, egui::FontId::proportional(16.0), t.red);
        }
    });
    // Controls.
    let (status, position, speed) =
        display.map_or((PlayerStatus::Loading, view.span.from, 1.0), |d| (d.status.clone(), d.position_ms, d.speed));
    ui.horizontal(|ui| {
        if ui.button("|◀").on_hover_text(lang.pick("到开头", "To the start")).clicked() {
            commands.push(Command::PlayerSeek(view.span.from));
        }
        let playing = status == PlayerStatus::Playing;
        let label = if playing { lang.pick("‖ 暂停", "‖ Pause") } else { lang.pick("▶ 播放", "▶ Play") };
        if ui.button(label).clicked() {
            commands.push(if playing { Command::PlayerPause } else { Command::PlayerPlay });
        }
        if ui.button(lang.pick("下一帧", "Next frame")).clicked() {
            commands.push(Command::PlayerStep);
        }
        ui.label(lang.pick("速度", "Speed"));
        for (i, s) in SPEEDS.iter().enumerate() {
            if ui.selectable_label((speed - s).abs() < 0.01, format!("{s}×")).clicked() {
                commands.push(Command::PlayerSpeed(i));
            }
        }
        ui.separator();
        ui.label(RichText::new(time::format_local(at(position))).monospace().strong());
        if status == PlayerStatus::Ended {
            ui.label(
                RichText::new(lang.pick("（已到批准范围末尾）", "(end of the approved range)")).color(t.text_weak),
            );
        }
        if ui.button(lang.pick("添加书签", "Bookmark")).clicked() {
            commands.push(Command::AddBookmark);
        }
        if view.request.kind == RequestKind::Export && ui.button(lang.pick("导出…", "Export…")).clicked() {
            commands.push(Command::OpenExport { request_id: view.request.id, camera_id: view.camera_id });
        }
        if view.request.kind == RequestKind::View
            && ui
                .button(lang.pick("申请拷贝…", "Request a copy…"))
                .on_hover_text(lang.pick(
                    "以当前位置前后各 2 分钟（不超出批准范围）预填拷贝申请",
                    "Pre-fills a copy request for 2 minutes either side of the play head, inside the approved range",
                ))
                .clicked()
        {
            let minute = 60_000;
            let from = ((position - 2 * minute) / minute * minute).max(view.span.from);
            let to = ((position + 2 * minute + minute - 1) / minute * minute).min(view.span.to);
            commands.push(Command::NewFootageRequest {
                cameras: vec![view.camera_id],
                from: Some(from),
                to: Some(to),
                purpose: view.request.purpose.clone(),
                kind: RequestKind::Export,
                case_no: view.request.case_no.clone(),
                complaint_no: view.request.complaint_no.clone(),
            });
        }
        if ui.button(lang.pick("保全…", "Hold…")).clicked() {
            commands.push(Command::NewHold);
        }
        if ui
            .button(lang.pick("记录违纪…", "Record observation…"))
            .on_hover_text(lang.pick(
                "以当前位置前后 30 秒为证据录像范围",
                "With 30 s either side of the play head as the evidence clip",
            ))
            .clicked()
        {
            let window = state
                .directory
                .as_ref()
                .and_then(|d| d.cameras.iter().find(|c| c.id == view.camera_id))
                .and_then(|c| c.window_code.clone())
                .unwrap_or_default();
            let clip = crate::domain::footage::Span {
                from: (position - 30_000).max(view.span.from),
                to: (position + 30_000).min(view.span.to),
            };
            commands.push(Command::OpenObservation(crate::ui::state::ObservationDraft {
                at: time::local_datetime(at(position)).format("%Y-%m-%d %H:%M:%S").to_string(),
                source: crate::domain::discipline::ObservationSource::Playback,
                camera_id: Some(view.camera_id),
                clip: Some(clip).filter(|c| c.from < c.to),
                window,
                ..Default::default()
            }));
        }
    });
    timeline_ui(ui, state, commands, position);
}

/// The recorded ranges (and gaps) of the approved range, case events, bookmarks and the play head;
/// click or drag to seek.
fn timeline_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>, position: i64) {
    let lang = state.lang;
    let t = &state.tokens;
    let Some(view) = &state.footage.playback else { return };
    let span = view.span;
    let (rect, response) = ui.allocate_exact_size(egui::vec2(ui.available_width(), 68.0), Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    let bar = egui::Rect::from_min_max(
        egui::pos2(rect.left(), rect.top() + 22.0),
        egui::pos2(rect.right(), rect.top() + 44.0),
    );
    let x_of = |ms: i64| bar.left() + bar.width() * ((ms - span.from) as f32 / span.millis().max(1) as f32);
    painter.rect_filled(bar, 2.0, t.panel_raised);
    // Gaps are the bar's own colour, hatched; recorded runs are green.
    let runs = crate::domain::footage::recorded_runs(
        &view
            .segments
            .iter()
            .map(|s| crate::domain::footage::SegmentInfo { id: 0, camera: 0, span: *s, bytes: 0 })
            .collect::<Vec<_>>(),
        1_500,
    );
    for g in crate::domain::footage::gaps(&runs, span) {
        let r = egui::Rect::from_min_max(egui::pos2(x_of(g.from), bar.top()), egui::pos2(x_of(g.to), bar.bottom()));
        let mut x = r.left();
        while x < r.right() {
            painter.line_segment(
                [egui::pos2(x, r.bottom()), egui::pos2((x + 6.0).min(r.right()), r.top())],
                Stroke::new(1.0, t.text_weak),
            );
            x += 6.0;
        }
    }
    for run in runs.iter().map(|r| r.clamp_to(span)).filter(|r| !r.is_empty()) {
        let r = egui::Rect::from_min_max(egui::pos2(x_of(run.from), bar.top()), egui::pos2(x_of(run.to), bar.bottom()));
        painter.rect_filled(r, 0.0, t.ok.gamma_multiply(0.55));
    }
    // Case events: ticks above the bar, with what happened on hover.
    let hover = response.hover_pos();
    let mut tip: Option<String> = None;
    let small = egui::FontId::proportional(11.0);
    let mut last_label_end = f32::NEG_INFINITY;
    for e in &view.events {
        let x = x_of(e.at.timestamp_millis());
        painter
            .line_segment([egui::pos2(x, rect.top() + 14.0), egui::pos2(x, bar.bottom())], Stroke::new(2.0, t.accent));
        painter.add(egui::Shape::convex_polygon(
            vec![
                egui::pos2(x - 4.0, rect.top() + 10.0),
                egui::pos2(x + 4.0, rect.top() + 10.0),
                egui::pos2(x, rect.top() + 16.0),
            ],
            t.accent,
            Stroke::NONE,
        ));
        // The step's name beside the marker when there is room.
        if x > last_label_end + 4.0 {
            let galley = painter.layout_no_wrap(e.step.label_zh().to_owned(), small.clone(), t.accent);
            let end = x + 6.0 + galley.size().x;
            if end < rect.right() {
                painter.galley(egui::pos2(x + 6.0, rect.top() + 4.0), galley, t.accent);
                last_label_end = end;
            }
        }
        if hover.is_some_and(|h| (h.x - x).abs() < 4.0 && h.y < bar.top()) {
            tip = Some(format!(
                "{} {} {}{}",
                time::format_local(e.at),
                e.step.label_zh(),
                e.case_no,
                e.staff_name.as_deref().map(|n| format!(" {n}")).unwrap_or_default()
            ));
        }
    }
    for (ms, label) in &view.bookmarks {
        let x = x_of(*ms);
        painter.line_segment([egui::pos2(x, bar.top()), egui::pos2(x, bar.bottom() + 8.0)], Stroke::new(2.0, t.yellow));
        if hover.is_some_and(|h| (h.x - x).abs() < 4.0) {
            tip = Some(format!("{} {label}", lang.pick("书签", "Bookmark")));
        }
    }
    // The play head.
    let x = x_of(position);
    painter.line_segment(
        [egui::pos2(x, rect.top() + 12.0), egui::pos2(x, bar.bottom() + 4.0)],
        Stroke::new(2.0, t.text_strong),
    );
    // Times under the bar: both ends, and round minutes spaced at least 70 px apart.
    let font = small;
    painter.text(
        egui::pos2(bar.left(), bar.bottom() + 3.0),
        egui::Align2::LEFT_TOP,
        time::local_datetime(span.start()).format("%H:%M:%S").to_string(),
        font.clone(),
        t.text_weak,
    );
    painter.text(
        egui::pos2(bar.right(), bar.bottom() + 3.0),
        egui::Align2::RIGHT_TOP,
        time::local_datetime(span.end()).format("%H:%M:%S").to_string(),
        font.clone(),
        t.text_weak,
    );
    let px_per_minute = bar.width() / (span.millis().max(1) as f32 / 60_000.0);
    let step_minutes =
        [1i64, 2, 5, 10, 15, 30, 60, 120, 240].into_iter().find(|m| *m as f32 * px_per_minute >= 70.0).unwrap_or(480);
    let step = step_minutes * 60_000;
    // Round minutes in Beijing time (UTC+8 has whole hours, so UTC minutes line up).
    let mut tick = (span.from / step + 1) * step;
    while tick < span.to {
        let x = x_of(tick);
        painter.line_segment(
            [egui::pos2(x, bar.bottom()), egui::pos2(x, bar.bottom() + 4.0)],
            Stroke::new(1.0, t.text_weak),
        );
        if x - bar.left() > 60.0 && bar.right() - x > 60.0 {
            painter.text(
                egui::pos2(x, bar.bottom() + 5.0),
                egui::Align2::CENTER_TOP,
                time::local_datetime(at(tick)).format("%H:%M").to_string(),
                font.clone(),
                t.text_weak,
            );
        }
        tick += step;
    }
    if let Some(h) = hover
        && bar.expand2(egui::vec2(0.0, 20.0)).contains(h)
    {
        let ms = span.from + ((h.x - bar.left()) / bar.width() * span.millis() as f32) as i64;
        painter
            .line_segment([egui::pos2(h.x, bar.top()), egui::pos2(h.x, bar.bottom())], Stroke::new(1.0, t.text_weak));
        let text = tip.unwrap_or_else(|| time::local_datetime(at(ms)).format("%H:%M:%S").to_string());
        response.clone().on_hover_text_at_pointer(text);
    }
    if (response.clicked() || response.dragged())
        && let Some(p) = response.interact_pointer_pos()
    {
        let ms = span.from + ((p.x - bar.left()) / bar.width() * span.millis() as f32) as i64;
        commands.push(Command::PlayerSeek(ms.clamp(span.from, span.to - 1)));
    }
    // Bookmarks as buttons.
    if !view.bookmarks.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(lang.pick("书签：", "Bookmarks:")).color(t.text_weak));
            for (ms, label) in &view.bookmarks {
                if ui.small_button(label).clicked() {
                    commands.push(Command::PlayerSeek(*ms));
                }
            }
        });
    }
}

fn export_dialog_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let lang = state.lang;
    let t = state.tokens;
    let error = state.footage.export_result.as_ref().and_then(|r| r.as_ref().err()).cloned();
    let Some(draft) = state.footage.export.as_mut() else { return };
    let modal = egui::Modal::new(egui::Id::unique("jiancha_export_footage")).show(ui.ctx(), |ui| {
        ui.set_width(560.0);
        ui.heading(format!("{} {}", lang.pick("拷贝录像", "Copy footage"), draft.request_no));
        ui.label(
            RichText::new(lang.pick(
                "导出批准的整个时间范围，不重新编码，从范围内第一个关键帧开始（最多晚 2 秒）。旁边写入清单（JSON），可用 jiancha footage verify 校验。",
                "Exports the whole approved range without re-encoding, from its first keyframe (up to 2 s late). A manifest (JSON) goes beside it; check it with jiancha footage verify.",
            ))
            .color(t.text_weak),
        );
        let l = ui.label(lang.pick("保存到（去向）", "Save to (destination)"));
        ui.add(egui::TextEdit::singleline(&mut draft.destination).desired_width(f32::INFINITY)).labelled_by(l.id);
        ui.horizontal_wrapped(|ui| {
            let drives = removable_drives();
            if drives.is_empty() {
                ui.label(RichText::new(lang.pick("未检测到可移动磁盘", "No removable drive found")).color(t.text_weak));
            }
            let file = std::path::Path::new(&draft.destination).file_name().map(|f| f.to_owned());
            for d in drives {
                if ui.small_button(format!("{} {}", lang.pick("U盘", "USB"), d.display())).clicked() {
                    let mut p = d.clone();
                    if let Some(f) = &file {
                        p.push(f);
                    }
                    draft.destination = p.display().to_string();
                }
            }
            if ui.small_button(lang.pick("浏览…", "Browse…")).clicked() {
                draft.browsing = !draft.browsing;
            }
        });
        if draft.browsing {
            folder_browser_ui(ui, &mut draft.destination, lang, &t);
        }
        ui.checkbox(&mut draft.watermark, lang.pick("加水印（申请编号、申请人、导出时间；需重新编码）", "Watermark (request, requester, time; re-encodes)"));
        let l = ui.label(lang.pick("遮挡区域（每行 x,y,宽,高，取 0–1；需重新编码）", "Privacy rectangles (one per line: x,y,w,h in 0–1; re-encodes)"));
        ui.add(egui::TextEdit::multiline(&mut draft.privacy).desired_rows(2).desired_width(f32::INFINITY).hint_text("0.70,0.05,0.25,0.20"))
            .labelled_by(l.id);
        if let Some(e) = &error {
            ui.colored_label(t.red, e);
        }
        ui.horizontal(|ui| {
            if ui.button(lang.pick("开始导出", "Export")).clicked() {
                commands.push(Command::SubmitExport);
            }
            if ui.button(lang.pick("取消", "Cancel")).clicked() {
                commands.push(Command::CancelExportDialog);
            }
        });
    });
    if modal.should_close() {
        commands.push(Command::CancelExportDialog);
    }
}

/// A small folder browser: the folders of the destination's directory; clicking one goes into it.
fn folder_browser_ui(ui: &mut egui::Ui, destination: &mut String, lang: Lang, t: &Tokens) {
    let path = std::path::PathBuf::from(destination.as_str());
    let file = path.file_name().map(|f| f.to_owned()).unwrap_or_else(|| "clip.mp4".into());
    let dir = path
        .parent()
        .filter(|p| p.is_dir())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| dirs::home_dir().unwrap_or_default());
    t.card_frame().show(ui, |ui| {
        ui.label(RichText::new(dir.display().to_string()).strong());
        egui::ScrollArea::vertical().max_height(160.0).show(ui, |ui| {
            if let Some(parent) = dir.parent()
                && ui.selectable_label(false, "⬆ ..").clicked()
            {
                *destination = parent.join(&file).display().to_string();
            }
            let mut dirs: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
                .map(|e| e.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
                .unwrap_or_default();
            dirs.retain(|d| d.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')));
            dirs.sort();
            if dirs.is_empty() {
                ui.label(RichText::new(lang.pick("（没有子文件夹）", "(no folders)")).color(t.text_weak));
            }
            for d in dirs {
                let name = d.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if ui.selectable_label(false, format!("📁 {name}")).clicked() {
                    *destination = d.join(&file).display().to_string();
                }
            }
        });
    });
}

fn register_ui(ui: &mut egui::Ui, state: &AppState, lang: Lang, t: &Tokens) {
    let lines = state.footage.register.clone().unwrap_or_default();
    let everyone = state.session.as_ref().is_some_and(|s| s.role.allows(Permission::ReadFootageRegister));
    ui.label(
        RichText::new(if everyone {
            lang.pick(
                "全部调阅与拷贝记录（调取人、时间、用途、去向），最新在前。",
                "Every viewing and copy (who, when, why, where to), newest first.",
            )
        } else {
            lang.pick("本人的调阅与拷贝记录。", "Your own viewings and copies.")
        })
        .color(t.text_weak),
    );
    if lines.is_empty() {
        ui.label(RichText::new(lang.pick("没有记录。", "Nothing recorded.")).color(t.text_weak));
        return;
    }
    TableBuilder::new(ui)
        .id_salt("footage_register")
        .striped(true)
        .column(Column::exact(130.0))
        .column(Column::exact(90.0))
        .column(Column::exact(44.0))
        .column(Column::exact(130.0))
        .column(Column::initial(110.0).clip(true))
        .column(Column::exact(170.0))
        .column(Column::initial(160.0).clip(true))
        .column(Column::remainder().clip(true))
        .header(24.0, |h| {
            super::widgets::header_row(
                h,
                &[
                    lang.pick("时间", "When"),
                    lang.pick("调取人", "Who"),
                    lang.pick("方式", "How"),
                    lang.pick("申请编号", "Request"),
                    lang.pick("摄像头", "Camera"),
                    lang.pick("录像时段", "Footage"),
                    lang.pick("用途", "Purpose"),
                    lang.pick("去向", "Destination"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, lines.len(), |mut row| {
                let l = &lines[row.index()];
                row.col(|ui| {
                    ui.label(time::format_local_minutes(l.at));
                });
                row.col(|ui| {
                    ui.label(&l.user);
                });
                row.col(|ui| {
                    ui.label(match l.action {
                        Use::View => lang.pick("调阅", "view"),
                        Use::Export => lang.pick("拷贝", "copy"),
                    });
                });
                row.col(|ui| {
                    ui.label(&l.request_no);
                });
                row.col(|ui| {
                    ui.label(&l.camera_name);
                });
                row.col(|ui| {
                    ui.label(span_text(l.span));
                });
                row.col(|ui| {
                    ui.label(&l.purpose).on_hover_text(&l.purpose);
                });
                row.col(|ui| {
                    let text = match (&l.destination, l.status.as_str()) {
                        (Some(d), "done") => d.clone(),
                        (Some(d), status) => format!("{d}（{status}）"),
                        (None, _) => "—".into(),
                    };
                    let label = ui.label(text);
                    if let Some(h) = &l.sha256 {
                        label.on_hover_text(format!("SHA-256 {h}"));
                    }
                });
            });
        });
}

fn health_ui(ui: &mut egui::Ui, state: &AppState, lang: Lang, t: &Tokens, now: DateTime<Utc>) {
    let Some(health) = &state.footage.health else { return };
    let stale = |c: &crate::store::CameraRecording| c.last_end.is_none_or(|e| now - e > chrono::Duration::minutes(5));
    let silent = health.cameras.iter().filter(|c| stale(c)).count();
    if silent == health.cameras.len() && !health.cameras.is_empty() {
        t.card_frame().show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.colored_label(
                t.orange,
                lang.pick(
                    "最近 5 分钟没有任何摄像头写入录像：录像服务（jiancha record）未运行，或摄像头全部离线。",
                    "No camera wrote footage in the last 5 minutes: the recording service (jiancha record) is not running, or every camera is offline.",
                ),
            );
        });
    } else if silent > 0 {
        ui.colored_label(
            t.orange,
            format!(
                "{silent} {}",
                lang.pick("个摄像头最近 5 分钟没有录像。", "cameras recorded nothing in the last 5 minutes.")
            ),
        );
    }
    ui.label(
        RichText::new(format!(
            "{} {} · {}",
            lang.pick("录像占用", "Footage on disk"),
            size_text(health.total_bytes),
            lang.pick(
                "近 24 小时的录像缺口按摄像头统计（绿色为有录像）；录像由 jiancha record 服务写入。",
                "Gaps over the last 24 hours per camera (green: recorded); `jiancha record` writes the footage."
            )
        ))
        .color(t.text_weak),
    );
    let checked = health.checked;
    TableBuilder::new(ui)
        .id_salt("footage_health")
        .striped(true)
        .column(Column::initial(160.0).clip(true))
        .column(Column::exact(140.0))
        .column(Column::exact(70.0))
        .column(Column::exact(90.0))
        .column(Column::exact(80.0))
        .column(Column::remainder())
        .header(24.0, |h| {
            super::widgets::header_row(
                h,
                &[
                    lang.pick("摄像头", "Camera"),
                    lang.pick("最近录像", "Last recorded"),
                    lang.pick("片段", "Segments"),
                    lang.pick("占用", "Size"),
                    lang.pick("缺口", "Gaps"),
                    lang.pick("近 24 小时", "Last 24 hours"),
                ],
            )
        })
        .body(|body| {
            body.rows(24.0, health.cameras.len(), |mut row| {
                let c = &health.cameras[row.index()];
                row.col(|ui| {
                    ui.label(&c.camera_name);
                });
                row.col(|ui| {
                    let text = c.last_end.map(time::format_local_minutes).unwrap_or_else(|| "—".into());
                    ui.label(RichText::new(text).color(if stale(c) { t.orange } else { t.ok }));
                });
                row.col(|ui| {
                    ui.label(c.segments.to_string());
                });
                row.col(|ui| {
                    ui.label(size_text(c.bytes));
                });
                let missing: i64 = c.gaps.iter().map(|g| g.millis()).sum();
                row.col(|ui| {
                    let minutes = missing / 60_000;
                    let text = match minutes {
                        0 => lang.pick_owned("无", "none"),
                        1..60 => format!("{minutes} min"),
                        _ => format!("{} h {:02} min", minutes / 60, minutes % 60),
                    };
                    ui.label(RichText::new(text).color(if minutes > 5 { t.orange } else { t.ok }));
                });
                row.col(|ui| {
                    // The day as a strip: gaps in the warning colour, recorded runs green over them.
                    let (cell, response) = ui.allocate_exact_size(
                        egui::vec2(ui.available_width().min(480.0), ui.available_height().max(12.0)),
                        Sense::hover(),
                    );
                    let rect = egui::Rect::from_center_size(cell.center(), egui::vec2(cell.width(), 10.0));
                    let painter = ui.painter();
                    let x_of = |ms: i64| {
                        rect.left() + rect.width() * ((ms - checked.from) as f32 / checked.millis().max(1) as f32)
                    };
                    painter.rect_filled(rect, 2.0, t.orange.gamma_multiply(0.45));
                    let mut gaps: Vec<Span> = c.gaps.iter().map(|g| g.clamp_to(checked)).collect();
                    gaps.sort_by_key(|g| g.from);
                    let mut at = checked.from;
                    for g in gaps.iter().chain(std::iter::once(&Span { from: checked.to, to: checked.to })) {
                        if g.from > at {
                            // At least a pixel, so a minute of recording in a day still shows.
                            let (l, r) = (x_of(at), x_of(g.from).max(x_of(at) + 1.5));
                            let run = egui::Rect::from_min_max(egui::pos2(l, rect.top()), egui::pos2(r, rect.bottom()));
                            painter.rect_filled(run, 0.0, t.ok);
                        }
                        at = at.max(g.to);
                    }
                    let gaps: Vec<String> = c.gaps.iter().take(8).map(|g| span_text(*g)).collect();
                    if !gaps.is_empty() {
                        response.on_hover_text(gaps.join("\n"));
                    }
                });
            });
        });
}

/// Bytes as MB below a gigabyte, GB above.
fn size_text(bytes: u64) -> String {
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else {
        format!("{:.0} MB", bytes as f64 / 1e6)
    }
}

fn holds_ui(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>, now: DateTime<Utc>) {
    let lang = state.lang;
    let t = state.tokens;
    let may_lift = state.session.as_ref().is_some_and(|s| s.role.allows(Permission::ApproveFootage));
    let cameras: Vec<(i64, String)> = state
        .directory
        .as_ref()
        .map(|d| d.cameras.iter().map(|c| (c.id, c.name.clone())).collect())
        .unwrap_or_default();
    if let Some((camera, date, from, to, reason)) = state.footage.hold_draft.as_mut() {
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
                    commands.push(Command::SubmitHold);
                }
                if ui.button(lang.pick("取消", "Cancel")).clicked() {
                    commands.push(Command::CancelHold);
                }
            });
        });
    } else if ui.button(lang.pick("新建保全…", "New hold…")).clicked() {
        commands.push(Command::NewHold);
    }
    let holds = state.footage.holds.clone().unwrap_or_default();
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
                commands.push(Command::LiftHold {
                    id: h.id,
                    reason: lang.pick_owned("核查结束，解除保全", "Review finished"),
                });
            }
        });
    }
    let _ = now;
}

//! 纪律与提示单 (Art 8(2)2): the week's discipline observations and their statistics, the reminder
//! slips of the week (issue, preview, print, save as PDF, receipt, cancel), and the 记录违纪 form.

use egui::{RichText, Sense};
use egui_extras::{Column, TableBuilder};

use crate::domain::discipline::{DISCIPLINE_CATEGORIES, SlipStatus};
use crate::domain::time;
use crate::ui::supervision::SupervisionAction;

use crate::ui::context::{Panel, Sender};
use crate::ui::dialog::Dialog;
use crate::ui::i18n::Lang;
use crate::ui::supervision::SupervisionCommand;
use crate::ui::supervision::SupervisionForm;
use crate::ui::supervision::state::ObservationDraft;
use crate::ui::theme::DialogWidth;
use crate::ui::theme::Tokens;

pub fn discipline_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    commands: &mut Sender<SupervisionCommand>,
    now: chrono::DateTime<chrono::Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let Some(data) = state.view.data.clone() else {
        if let Some(e) = &state.view.error {
            ui.colored_label(t.red, e);
        }
        ui.spinner();
        return;
    };
    let week = data.week;
    // Toolbar: the week, issuing, writing, printing.
    ui.horizontal(|ui| {
        if ui.button(lang.pick("◀ 上一周", "◀ Previous week")).clicked() {
            commands.push(SupervisionCommand::SetWeek(week.previous()));
        }
        ui.label(RichText::new(lang.pick_owned(&week.label_zh(), &week.label_en())).strong().color(t.text_strong));
        if ui.button(lang.pick("下一周 ▶", "Next week ▶")).clicked() {
            commands.push(SupervisionCommand::SetWeek(week.next()));
        }
        ui.separator();
        if ui.button(lang.pick("记录违纪…", "Record observation…")).clicked() {
            let now = time::local_datetime(now);
            state.view.observation =
                Some(ObservationDraft { at: now.format("%Y-%m-%d %H:%M").to_string(), ..ObservationDraft::default() });
        }
        if !data.unissued.is_empty() {
            let label = format!("{}（{}）", lang.pick("签发提示单", "Issue slips"), data.unissued.len());
            if ui.button(RichText::new(label).strong()).on_hover_text(data.unissued.join("、")).clicked() {
                commands.push(SupervisionCommand::Act(SupervisionAction::IssueSlips));
            }
        }
        if state.view.loading {
            ui.spinner();
        }
    });
    ui.add_space(4.0);
    let stats = &data.statistics;
    ui.label(
        RichText::new(format!(
            "{} {} {}，{} {} {}，{} {} {}",
            lang.pick("本周发现", "Found this week:"),
            stats.total,
            lang.pick("项", "findings"),
            lang.pick("涉及", "in"),
            stats.by_department.len(),
            lang.pick("个部门", "departments"),
            lang.pick("已签发提示单", "slips issued:"),
            data.slips.iter().filter(|s| s.status != SlipStatus::Cancelled).count(),
            lang.pick("份", ""),
        ))
        .color(t.text_weak),
    );
    ui.label(
        RichText::new(format!(
            "{} {}，{} {}；{} {}，{} {}",
            lang.pick("人工记录", "Recorded by hand:"),
            stats.total - stats.detected,
            lang.pick("自动检测确认", "confirmed from detection:"),
            stats.detected,
            lang.pick("检测结果已排除", "detections dismissed:"),
            data.findings_dismissed,
            lang.pick("待确认", "to decide:"),
            data.findings_undecided,
        ))
        .color(t.text_weak),
    );
    ui.add_space(4.0);
    ui.columns(2, |cols| {
        let [left, right] = cols else { return };
        observations_ui(left, &data, lang, &t, commands);
        left.add_space(8.0);
        statistics_ui(left, &data, lang, &t);
        egui::ScrollArea::vertical().id_salt("slips_column").show(right, |ui| {
            slips_ui(ui, state, &data, commands);
        });
    });
    observation_form_ui(ui, state, commands);
    slip_dialogs_ui(ui, state, commands);
}

fn observations_ui(
    ui: &mut egui::Ui,
    data: &crate::ui::supervision::SupervisionData,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<SupervisionCommand>,
) {
    ui.label(RichText::new(lang.pick("违纪记录", "Observations")).strong().color(t.text_strong));
    if data.observations.is_empty() {
        ui.label(RichText::new(lang.pick("本周没有记录。", "Nothing recorded this week.")).color(t.text_weak));
        return;
    }
    TableBuilder::new(ui)
        .id_salt("observations")
        .striped(true)
        .max_scroll_height(300.0)
        .column(Column::exact(92.0))
        .column(Column::exact(44.0))
        .column(Column::exact(110.0))
        .column(Column::exact(110.0))
        .column(Column::initial(150.0).clip(true))
        .column(Column::remainder().clip(true))
        .column(Column::exact(if lang == Lang::Zh { 52.0 } else { 92.0 }))
        .header(22.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("时间", "When"),
                    lang.pick("窗口", "Window"),
                    lang.pick("部门", "Department"),
                    lang.pick("工作人员", "Staff"),
                    lang.pick("情况", "Finding"),
                    lang.pick("证据 / 记录人", "Evidence / by"),
                    "",
                ],
            )
        })
        .body(|body| {
            body.rows(22.0, data.observations.len(), |mut row| {
                let o = &data.observations[row.index()];
                row.col(|ui| {
                    ui.label(time::local_datetime(o.observed_at).format("%m-%d %H:%M").to_string());
                });
                row.col(|ui| {
                    ui.label(o.window_code.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(o.department_name.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(o.staff_name.as_deref().or(o.staff_no.as_deref()).unwrap_or("—"));
                });
                row.col(|ui| {
                    let text =
                        if o.note.is_empty() { o.category.clone() } else { format!("{}：{}", o.category, o.note) };
                    ui.label(RichText::new(&text).color(t.text_strong)).on_hover_text(text);
                });
                row.col(|ui| {
                    let source = lang.pick(o.source.label_zh(), o.source.label_en());
                    ui.label(format!("{} · {source} · {}", o.evidence_reference(), o.recorded_by));
                });
                row.col(|ui| {
                    if ui
                        .small_button(lang.pick("违规…", "Violation…"))
                        .on_hover_text(lang.pick("据此记录违规（第十一条）", "Record a violation (Art 11) from it"))
                        .clicked()
                    {
                        let item = match o.category.as_str() {
                            "服务态度生硬" => "11(6)",
                            "遮挡摄像头/规避监察" | "他人顶岗" => "11(8)",
                            _ => "11(10)",
                        };
                        commands.push(SupervisionCommand::OpenViolation(
                            crate::ui::supervision::state::ViolationDraft {
                                item: item.into(),
                                staff_no: o.staff_no.clone().unwrap_or_default(),
                                department: o.department_name.clone().unwrap_or_default(),
                                source: crate::domain::accountability::ViolationSource::Video,
                                at: time::local_datetime(o.observed_at).format("%Y-%m-%d %H:%M").to_string(),
                                description: if o.note.is_empty() {
                                    o.category.clone()
                                } else {
                                    format!("{}：{}", o.category, o.note)
                                },
                                case_no: String::new(),
                                complaint_no: String::new(),
                                observation_id: Some(o.id),
                            },
                        ));
                    }
                });
            });
        });
}

fn statistics_ui(ui: &mut egui::Ui, data: &crate::ui::supervision::SupervisionData, lang: Lang, t: &Tokens) {
    ui.label(RichText::new(lang.pick("本周统计", "This week")).strong().color(t.text_strong));
    let s = &data.statistics;
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.columns(4, |cols| {
            for (ui, (title, list)) in cols.iter_mut().zip([
                (lang.pick("按部门", "By department"), &s.by_department),
                (lang.pick("按类别", "By category"), &s.by_category),
                (lang.pick("按窗口", "By window"), &s.by_window),
                (lang.pick("按人员", "By staff"), &s.by_staff),
            ]) {
                ui.label(RichText::new(title).color(t.text_weak));
                let max = list.first().map_or(1, |x| x.1).max(1);
                for (name, n) in list.iter().take(8) {
                    ui.horizontal(|ui| {
                        let (rect, _) = ui.allocate_exact_size(egui::vec2(36.0, 10.0), Sense::hover());
                        let w = rect.width() * (*n as f32 / max as f32);
                        ui.painter().rect_filled(
                            egui::Rect::from_min_size(rect.min, egui::vec2(w, rect.height())),
                            2.0,
                            t.accent,
                        );
                        ui.label(format!("{n}"));
                        ui.add(egui::Label::new(RichText::new(name).small()).truncate());
                    });
                }
            }
        });
    });
}

fn slips_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    data: &crate::ui::supervision::SupervisionData,
    commands: &mut Sender<SupervisionCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    ui.horizontal(|ui| {
        ui.label(RichText::new(lang.pick("本周提示单", "Slips of the week")).strong().color(t.text_strong));
        let none = lang.pick("默认打印机", "Default printer");
        crate::ui::widgets::printer_picker_ui(ui, "slip_printer", none, &state.shared, commands);
        let live = data.slips.iter().any(|s| s.status != SlipStatus::Cancelled);
        if ui.add_enabled(live, egui::Button::new(lang.pick("全部打印", "Print all"))).clicked() {
            commands.push(SupervisionCommand::Act(SupervisionAction::WriteSlips {
                print: Some(state.shared.printer.map(str::to_owned)),
            }));
        }
        if ui.add_enabled(!data.slips.is_empty(), egui::Button::new(lang.pick("存为 PDF", "Save as PDF"))).clicked() {
            commands.push(SupervisionCommand::Act(SupervisionAction::WriteSlips { print: None }));
        }
    });
    if data.slips.is_empty() {
        let text = if data.unissued.is_empty() {
            lang.pick("本周没有需要签发的提示单。", "No slips are due this week.")
        } else {
            lang.pick(
                "本周的提示单尚未签发：点击“签发提示单”编号并生成。",
                "Not issued yet: “Issue slips” numbers and writes them.",
            )
        };
        ui.label(RichText::new(text).color(t.text_weak));
    }
    let rows = data.slips.clone();
    TableBuilder::new(ui)
        .id_salt("slips")
        .striped(true)
        .column(Column::exact(118.0))
        .column(Column::initial(150.0).clip(true))
        .column(Column::exact(36.0))
        .column(Column::exact(60.0))
        .column(Column::remainder().clip(true))
        .header(22.0, |h| {
            crate::ui::widgets::header_row(
                h,
                &[
                    lang.pick("编号", "No."),
                    lang.pick("部门", "Department"),
                    lang.pick("项", "Items"),
                    lang.pick("状态", "State"),
                    lang.pick("回执 / 操作", "Receipt / actions"),
                ],
            )
        })
        .body(|body| {
            body.rows(26.0, rows.len(), |mut row| {
                let slip = &rows[row.index()];
                let colour = match slip.status {
                    SlipStatus::Issued => t.orange,
                    SlipStatus::Received => t.ok,
                    SlipStatus::Cancelled => t.text_weak,
                };
                row.col(|ui| {
                    let number = RichText::new(slip.number_text()).strong();
                    ui.label(if slip.status == SlipStatus::Cancelled { number.strikethrough() } else { number });
                });
                row.col(|ui| {
                    ui.label(&slip.department_name).on_hover_text(&slip.department_name);
                });
                row.col(|ui| {
                    ui.label(slip.findings.len().to_string());
                });
                row.col(|ui| {
                    ui.label(RichText::new(lang.pick(slip.status.label_zh(), slip.status.label_en())).color(colour));
                });
                row.col(|ui| {
                    ui.horizontal(|ui| self::slip_actions_ui(ui, state, slip, commands));
                });
            });
        });
    preview_window_ui(ui, state, data, commands);
}

fn slip_actions_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    slip: &crate::domain::discipline::Slip,
    commands: &mut Sender<SupervisionCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    if ui.small_button(lang.pick("预览", "Preview")).clicked() {
        commands.push(SupervisionCommand::Act(SupervisionAction::PreviewSlip(slip.id)));
    }
    match slip.status {
        SlipStatus::Received => {
            ui.label(
                RichText::new(format!(
                    "{} {}",
                    slip.receipt_by.as_deref().unwrap_or(""),
                    slip.receipt_at.map(|at| time::local_date(at).format("%m-%d").to_string()).unwrap_or_default()
                ))
                .color(t.text_weak),
            );
        }
        SlipStatus::Cancelled => {
            ui.label(RichText::new(slip.cancel_reason.as_deref().unwrap_or("")).color(t.text_weak));
        }
        SlipStatus::Issued => {
            if ui.small_button(lang.pick("回执…", "Receipt…")).clicked() {
                commands.push(SupervisionCommand::OpenReceipt(slip.id));
            }
            if ui.small_button(lang.pick("作废…", "Cancel…")).clicked() {
                commands.push(SupervisionCommand::OpenCancelSlip(slip.id));
            }
            ui.label(
                RichText::new(format!("{} {}", lang.pick("期限", "due"), slip.reply_due.format("%m-%d")))
                    .color(t.text_weak),
            );
        }
    }
}

/// The rendered slip in a window of its own, with printing of that slip.
fn preview_window_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    data: &crate::ui::supervision::SupervisionData,
    commands: &mut Sender<SupervisionCommand>,
) {
    let lang = state.shared.lang;
    let Some((id, texture)) = state.view.preview.clone() else { return };
    let Some(slip) = data.slips.iter().find(|s| s.id == id) else { return };
    let mut open = true;
    egui::Window::new(format!("{} {} {}", lang.pick("预览", "Preview"), slip.number_text(), slip.department_name))
        .id(egui::Id::unique("slip_preview_window"))
        .open(&mut open)
        .default_size([640.0, 820.0])
        // Over the slips, not over the navigation.
        .default_pos(egui::pos2((ui.ctx().content_rect().right() - 680.0).max(0.0), 60.0))
        .collapsible(false)
        .show(ui.ctx(), |ui| {
            ui.horizontal(|ui| {
                if slip.status != SlipStatus::Cancelled && ui.button(lang.pick("打印此单", "Print this slip")).clicked()
                {
                    commands.push(SupervisionCommand::Act(SupervisionAction::PrintSlip {
                        id,
                        printer: state.shared.printer.map(str::to_owned),
                    }));
                }
                if let Some(m) = &state.view.message {
                    ui.label(RichText::new(m).small());
                }
            });
            let size = texture.size_vec2();
            egui::ScrollArea::vertical().show(ui, |ui| {
                let width = ui.available_width();
                ui.add(
                    egui::Image::new((texture.id(), size))
                        .fit_to_exact_size(egui::vec2(width, width * size.y / size.x)),
                );
            });
        });
    if !open {
        commands.push(SupervisionCommand::ClosePreview);
    }
}

pub fn observation_form_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    commands: &mut Sender<SupervisionCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let error = state.view.form_error.clone();
    let pending = state.view.loading;
    let Some(d) = state.view.observation.as_mut() else { return };
    Dialog::new(
        "observation_form",
        lang.pick("记录违纪", "Record an observation"),
        lang,
        SupervisionCommand::CloseForm(SupervisionForm::Observation),
    )
    .error(error.as_deref())
    .pending(pending)
    .submit(lang.pick("保存", "Save"), SupervisionCommand::SubmitObservation, true)
    .show(ui, &t, commands, |ui, _| {
        if let Some(clip) = d.clip {
            let f = |ms: i64| {
                chrono::DateTime::from_timestamp_millis(ms)
                    .map(|t| time::local_datetime(t).format("%H:%M:%S").to_string())
                    .unwrap_or_default()
            };
            ui.label(format!("{} {}–{}", lang.pick("证据录像", "Evidence clip"), f(clip.from), f(clip.to)));
        }
        egui::Grid::new("observation_grid").num_columns(2).spacing([10.0, 6.0]).show(ui, |ui| {
            let l = ui.label(lang.pick("时间", "When"));
            ui.add(egui::TextEdit::singleline(&mut d.at).hint_text("YYYY-MM-DD HH:MM")).labelled_by(l.id);
            ui.end_row();
            ui.label(lang.pick("类别", "Category"));
            egui::ComboBox::from_id_salt("observation_category")
                .selected_text(if d.category.is_empty() {
                    lang.pick("（请选择）", "(choose)")
                } else {
                    d.category.as_str()
                })
                .width(260.0)
                .show_ui(ui, |ui| {
                    for c in DISCIPLINE_CATEGORIES {
                        ui.selectable_value(&mut d.category, c.to_owned(), c);
                    }
                });
            ui.end_row();
            let l = ui.label(lang.pick("窗口", "Window"));
            ui.add(egui::TextEdit::singleline(&mut d.window).hint_text("B07")).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("工号", "Staff no."));
            ui.add(egui::TextEdit::singleline(&mut d.staff_no)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("部门（无窗口时）", "Department (no window)"));
            ui.add(egui::TextEdit::singleline(&mut d.department)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.pick("说明", "Note"));
            ui.add(egui::TextEdit::singleline(&mut d.note)).labelled_by(l.id);
            ui.end_row();
        });
    });
}

fn slip_dialogs_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::SupervisionView>,
    commands: &mut Sender<SupervisionCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let error = state.view.form_error.clone();
    let pending = state.view.loading;
    let view = &mut *state.view;
    if let Some((_, signer)) = view.receipt.as_mut() {
        let ready = !signer.trim().is_empty();
        Dialog::new(
            "slip_receipt",
            lang.pick("登记回执", "Record the receipt"),
            lang,
            SupervisionCommand::CloseForm(SupervisionForm::Receipt),
        )
        .width(DialogWidth::Narrow)
        .error(error.as_deref())
        .pending(pending)
        .submit(lang.pick("登记", "Record"), SupervisionCommand::SubmitReceipt, ready)
        .show(ui, &t, commands, |ui, _| {
            let l = ui.label(lang.pick("签收人", "Signed by"));
            ui.add(egui::TextEdit::singleline(signer)).labelled_by(l.id);
        });
    }
    if let Some((_, reason)) = view.cancel.as_mut() {
        let ready = !reason.trim().is_empty();
        Dialog::new(
            "slip_cancel",
            lang.pick("作废提示单", "Cancel the slip"),
            lang,
            SupervisionCommand::CloseForm(SupervisionForm::CancelSlip),
        )
        .width(DialogWidth::Narrow)
        .cancel_label(lang.pick("返回", "Back"))
        .error(error.as_deref())
        .pending(pending)
        .submit(lang.pick("作废", "Cancel slip"), SupervisionCommand::SubmitCancelSlip, ready)
        .show(ui, &t, commands, |ui, _| {
            ui.label(lang.pick("作废后编号保留，不再使用。", "A cancelled slip keeps its number; it is never reused."));
            let l = ui.label(lang.pick("原因", "Reason"));
            ui.add(egui::TextEdit::singleline(reason)).labelled_by(l.id);
        });
    }
}

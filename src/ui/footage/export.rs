//! 拷贝录像: the export dialog with its destination (removable drives, a folder browser) and options.
//! The drives and folders are listed by the data worker; the dialog only draws what it found.

use super::*;
use crate::ui::context::{Panel, Sender};

use crate::ui::dialog::Dialog;
use crate::ui::theme::DialogWidth;

pub(super) fn export_dialog_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, super::state::FootageView>,
    commands: &mut Sender<FootageCommand>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let error = state.view.export_result.as_ref().and_then(|r| r.as_ref().err()).cloned();
    let names: Vec<(i64, String)> =
        state.view.export.iter().flat_map(|d| d.cameras.iter()).map(|(c, _)| (*c, camera_name(state, *c))).collect();
    let Some(draft) = state.view.export.as_mut() else { return };
    Dialog::new(
        "jiancha_export_footage",
        format!("{} {}", lang.pick("拷贝录像", "Copy footage"), draft.request_no),
        lang,
        FootageCommand::CancelExportDialog,
    )
    .width(DialogWidth::Wide)
    .error(error.as_deref())
    .submit(lang.pick("开始导出", "Export"), FootageCommand::SubmitExport, true)
    .show(ui, &t, commands, |ui, commands| {
        ui.label(
            RichText::new(lang.pick(
                "导出批准的整个时间范围，不重新编码，从范围内第一个关键帧开始（最多晚 2 秒）。旁边写入清单（JSON），可用 jiancha footage verify 校验。",
                "Exports the whole approved range without re-encoding, from its first keyframe (up to 2 s late). A manifest (JSON) goes beside it; check it with jiancha footage verify.",
            ))
            .color(t.text_weak),
        );
        if draft.cameras.len() > 1 {
            ui.horizontal_wrapped(|ui| {
                ui.label(lang.pick("摄像头：", "Cameras:"));
                for ((_, on), (_, name)) in draft.cameras.iter_mut().zip(&names) {
                    ui.checkbox(on, name.as_str());
                }
            });
            let chosen = draft.cameras.iter().filter(|(_, on)| *on).count();
            if chosen > 1 {
                ui.label(
                    RichText::new(lang.pick(
                        "每路摄像头一个 MP4（文件名后加 -cam编号），另写一份清单列出全部文件及其 SHA-256，登记为一条拷贝记录。",
                        "One MP4 per camera (the name gets -cam<number>) and one manifest listing them all with their SHA-256, registered as one copy.",
                    ))
                    .color(t.text_weak),
                );
            }
        }
        let l = ui.label(lang.pick("保存到（去向）", "Save to (destination)"));
        ui.add(egui::TextEdit::singleline(&mut draft.destination).desired_width(f32::INFINITY)).labelled_by(l.id);
        ui.horizontal_wrapped(|ui| {
            match &draft.drives {
                None => {
                    ui.spinner();
                }
                Some(drives) if drives.is_empty() => {
                    ui.label(RichText::new(lang.pick("未检测到可移动磁盘", "No removable drive found")).color(t.text_weak));
                }
                Some(drives) => {
                    for d in drives {
                        if ui.small_button(format!("{} {}", lang.pick("U盘", "USB"), d.display())).clicked() {
                            draft.destination = d.join(&draft.file).display().to_string();
                        }
                    }
                }
            }
            if ui.small_button(lang.pick("浏览…", "Browse…")).clicked() {
                commands.push(FootageCommand::ToggleBrowse);
            }
        });
        if draft.browsing {
            folder_browser_ui(ui, draft.folders.as_ref(), lang, &t, commands);
        }
        ui.checkbox(&mut draft.watermark, lang.pick("加水印（申请编号、申请人、导出时间；需重新编码）", "Watermark (request, requester, time; re-encodes)"));
        let l = ui.label(lang.pick("遮挡区域（每行 x,y,宽,高，取 0–1；需重新编码）", "Privacy rectangles (one per line: x,y,w,h in 0–1; re-encodes)"));
        ui.add(egui::TextEdit::multiline(&mut draft.privacy).desired_rows(2).desired_width(f32::INFINITY).hint_text("0.70,0.05,0.25,0.20"))
            .labelled_by(l.id);
    });
}

/// A small folder browser: the folders of the destination's directory; clicking one goes into it.
fn folder_browser_ui(
    ui: &mut egui::Ui,
    listing: Option<&state::FolderListing>,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<FootageCommand>,
) {
    t.card_frame().show(ui, |ui| {
        let Some(listing) = listing else {
            ui.spinner();
            return;
        };
        ui.label(RichText::new(listing.dir.display().to_string()).strong());
        egui::ScrollArea::vertical().max_height(160.0).show(ui, |ui| {
            if let Some(parent) = &listing.parent
                && ui.selectable_label(false, "⬆ ..").clicked()
            {
                commands.push(FootageCommand::BrowseInto(parent.clone()));
            }
            if listing.folders.is_empty() {
                ui.label(RichText::new(lang.pick("（没有子文件夹）", "(no folders)")).color(t.text_weak));
            }
            for d in &listing.folders {
                let name = d.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if ui.selectable_label(false, format!("📁 {name}")).clicked() {
                    commands.push(FootageCommand::BrowseInto(d.clone()));
                }
            }
        });
    });
}

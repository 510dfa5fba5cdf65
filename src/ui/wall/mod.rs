//! 视频墙: the window cameras in 1/4/9/16/25 tiles with pages and tours, full screen on the main stream,
//! drag-and-drop assignment from the camera list, lost-signal tiles with a reconnect countdown,
//! snapshots and "记录违纪". Draws only: decoders and textures are the wall runner's (logic step).

pub mod jobs;
pub mod logic;
pub mod runner;
pub mod state;

pub use jobs::{WallJob, WallReply};
pub use logic::{WallArea, WallCommand};

use chrono::{DateTime, Utc};
use egui::{Align2, FontId, RichText, Sense};

use crate::domain::model::{Camera, DISCIPLINE_CATEGORIES};
use crate::domain::time;
use crate::video::StreamKind;
use crate::video::decoder::TileStatus;

use crate::ui::context::{Panel, Sender};
use crate::ui::dialog::Dialog;
use crate::ui::i18n::Lang;
use crate::ui::theme::DialogWidth;
use crate::ui::video::{self, Zoom};
use state::WALL_LAYOUTS;

/// What a tile says about its camera.
pub struct TileLabel {
    pub camera_name: String,
    pub window: Option<String>,
    pub department: Option<String>,
    pub on_duty: Vec<String>,
}

/// The label of a camera: window, department's short name, staff on duty.
pub fn tile_label(state: &Panel<'_, state::WallView>, camera: &Camera) -> TileLabel {
    let dir = state.shared.directory.as_ref();
    let window = camera.window_code.clone();
    let department = window.as_ref().and_then(|w| {
        let name = dir?.windows.iter().find(|x| &x.code == w && x.hall_code == camera.hall_code)?.department.clone()?;
        let short =
            dir?.departments.iter().find(|d| d.name == name).map(|d| d.short_name.clone()).filter(|s| !s.is_empty());
        Some(short.unwrap_or(name))
    });
    let load = window.as_ref().and_then(|w| {
        state
            .shared
            .overview
            .as_ref()?
            .window_load
            .iter()
            .find(|l| &l.window_code == w && l.hall_code == camera.hall_code)
    });
    let on_duty =
        load.map(|l| if l.on_duty.is_empty() { l.staff.clone() } else { l.on_duty.clone() }).unwrap_or_default();
    TileLabel { camera_name: camera.name.clone(), window, department, on_duty }
}

fn cameras(state: &Panel<'_, state::WallView>) -> Vec<Camera> {
    state.shared.directory.as_ref().map(|d| d.cameras.clone()).unwrap_or_default()
}

pub fn wall_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::WallView>,
    commands: &mut Sender<WallCommand>,
    now: DateTime<Utc>,
) {
    toolbar_ui(ui, state, commands);
    ui.add_space(4.0);
    if state.view.camera_list_open && state.view.fullscreen.is_none() {
        egui::Panel::left("wall_cameras").resizable(false).exact_size(190.0).show(ui, |ui| camera_list_ui(ui, state));
    }
    egui::CentralPanel::no_frame().show(ui, |ui| grid_ui(ui, state, commands, now, true));
    discipline_dialog_ui(ui, state, commands);
    if state.view.fullscreen.is_some() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        commands.push(WallCommand::Fullscreen(None));
    }
}

fn toolbar_ui(ui: &mut egui::Ui, state: &Panel<'_, state::WallView>, commands: &mut Sender<WallCommand>) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let wall = &*state.view;
    ui.horizontal(|ui| {
        if let Some(id) = wall.fullscreen {
            if ui.button(lang.pick("← 返回视频墙 (Esc)", "← Back to the wall (Esc)")).clicked() {
                commands.push(WallCommand::Fullscreen(None));
            }
            let name = state
                .shared
                .directory
                .as_ref()
                .and_then(|d| d.cameras.iter().find(|c| c.id == id))
                .map(|c| c.name.clone())
                .unwrap_or_default();
            ui.label(
                RichText::new(format!("{} {name}", lang.pick("全屏（主码流）", "Full screen (main stream)")))
                    .strong()
                    .color(t.text_strong),
            );
            return;
        }
        for n in WALL_LAYOUTS {
            let label = format!("{n} {}", lang.pick("画面", "tiles"));
            if ui.selectable_label(wall.layout.tiles == n, label).clicked() && wall.layout.tiles != n {
                commands.push(WallCommand::SetTiles(n));
            }
        }
        ui.separator();
        let pages = wall.pages();
        if ui.add_enabled(wall.page > 0, egui::Button::new(lang.pick("上一页", "Previous"))).clicked() {
            commands.push(WallCommand::SetPage(wall.page - 1));
        }
        ui.label(format!("{} {} / {pages}", lang.pick("第", "Page"), wall.page + 1));
        if ui.add_enabled(wall.page + 1 < pages, egui::Button::new(lang.pick("下一页", "Next"))).clicked() {
            commands.push(WallCommand::SetPage(wall.page + 1));
        }
        ui.separator();
        let mut touring = wall.touring;
        if ui.checkbox(&mut touring, lang.pick("轮巡", "Tour")).changed() {
            commands.push(WallCommand::SetTouring(touring));
        }
        let mut secs = wall.layout.tour_secs;
        let l = ui.label(lang.pick("秒/页", "s/page"));
        if ui.add(egui::DragValue::new(&mut secs).range(5..=600)).labelled_by(l.id).changed() {
            commands.push(WallCommand::SetTourSecs(secs));
        }
        ui.separator();
        if ui.selectable_label(wall.camera_list_open, lang.pick("摄像头列表", "Cameras")).clicked() {
            commands.push(WallCommand::ToggleCameraList);
        }
        if ui
            .selectable_label(wall.second_window, lang.pick("第二屏", "Second screen"))
            .on_hover_text(
                lang.pick(
                    "在另一个窗口（第二台显示器）显示当前页",
                    "Show this page in another window (second monitor)",
                ),
            )
            .clicked()
        {
            commands.push(WallCommand::SetSecondWindow(!wall.second_window));
        }
        if let Some(result) = &wall.last_snapshot {
            let (text, colour) = match result {
                Ok(text) => (text.as_str(), t.ok),
                Err(e) => (e.as_str(), t.red),
            };
            ui.label(RichText::new(text).small().color(colour));
        }
    });
}

fn camera_list_ui(ui: &mut egui::Ui, state: &Panel<'_, state::WallView>) {
    let lang = state.shared.lang;
    ui.label(
        RichText::new(lang.pick("拖到画面上分配", "Drag onto a tile")).small().color(state.shared.tokens.text_weak),
    );
    let all = cameras(state);
    let halls: Vec<&crate::domain::model::Hall> =
        state.shared.directory.map(|d| d.halls.iter().collect()).unwrap_or_default();
    // Several halls (the city): the cameras under their hall's heading, in the directory's order.
    let mut groups: Vec<(Option<String>, Vec<&crate::domain::model::Camera>)> = Vec::new();
    for camera in &all {
        match groups.iter_mut().find(|(code, _)| code.as_deref() == Some(camera.hall_code.as_str())) {
            Some((_, list)) => list.push(camera),
            None => groups.push((Some(camera.hall_code.clone()), vec![camera])),
        }
    }
    if groups.len() < 2 {
        groups = vec![(None, all.iter().collect())];
    } else {
        // The city's own hall first, then the others by code.
        let home = state.shared.directory.and_then(|d| d.home_hall()).map(|h| h.code.clone());
        groups.sort_by_key(|(code, _)| (code != &home, code.clone()));
    }
    egui::ScrollArea::vertical().id_salt("camera_list").show(ui, |ui| {
        for (hall, list) in groups {
            if let Some(code) = &hall {
                let name = halls.iter().find(|h| &h.code == code).map_or(code.as_str(), |h| h.name.as_str());
                ui.add_space(4.0);
                ui.label(
                    RichText::new(format!("{name} ({})", list.len())).strong().color(state.shared.tokens.text_strong),
                );
            }
            for camera in list {
                camera_entry_ui(ui, state, camera);
            }
        }
    });
}

/// One camera of the list, dragged onto a tile to show it there.
fn camera_entry_ui(ui: &mut egui::Ui, state: &Panel<'_, state::WallView>, camera: &crate::domain::model::Camera) {
    let label = tile_label(state, camera);
    let text = match &label.department {
        Some(d) => format!("{} {d}", label.window.as_deref().unwrap_or(&camera.name)),
        None => camera.name.clone(),
    };
    ui.dnd_drag_source(egui::Id::unique(("jiancha_camera", camera.id)), camera.id, |ui| {
        ui.add(egui::Button::new(text).min_size(egui::vec2(170.0, 24.0)));
    });
}

/// The tiles of the current page (or the full-screen camera). `interactive` is false in the second
/// window, which only mirrors.
pub fn grid_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::WallView>,
    commands: &mut Sender<WallCommand>,
    now: DateTime<Utc>,
    interactive: bool,
) {
    let rect = ui.available_rect_before_wrap();
    ui.allocate_rect(rect, Sense::hover());
    let ppp = ui.ctx().pixels_per_point();
    let all = cameras(state);
    let slots: Vec<(usize, Option<i64>)> = match state.view.fullscreen {
        Some(id) => vec![(usize::MAX, Some(id))],
        None => {
            let start = state.view.page * state.view.layout.tiles;
            state.view.page_slots().into_iter().enumerate().map(|(i, c)| (start + i, c)).collect()
        }
    };
    let cols = (slots.len() as f32).sqrt().ceil().max(1.0) as usize;
    let rows = slots.len().div_ceil(cols);
    let gap = 2.0;
    let size = egui::vec2(
        (rect.width() - gap * (cols as f32 - 1.0)) / cols as f32,
        (rect.height() - gap * (rows as f32 - 1.0)) / rows as f32,
    );
    for (i, (slot, camera_id)) in slots.into_iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        let tile = egui::Rect::from_min_size(
            rect.min + egui::vec2(c as f32 * (size.x + gap), r as f32 * (size.y + gap)),
            size,
        );
        let camera = camera_id.and_then(|id| all.iter().find(|c| c.id == id));
        if let Some(camera) = camera {
            // The picture keeps 16:9 inside the tile; ask the decoder for exactly that many pixels.
            let fit = fit_16_9(tile);
            state.view.tile_px.insert(camera.id, [(fit.width() * ppp) as u32, (fit.height() * ppp) as u32]);
        }
        if let Some((id, zoom)) = tile_ui(ui, state, commands, tile, slot, camera, now, interactive) {
            state.view.zoom.insert(id, zoom);
        }
    }
}

fn fit_16_9(rect: egui::Rect) -> egui::Rect {
    let aspect = 16.0 / 9.0;
    let (w, h) = if rect.width() / rect.height() > aspect {
        (rect.height() * aspect, rect.height())
    } else {
        (rect.width(), rect.width() / aspect)
    };
    egui::Rect::from_center_size(rect.center(), egui::vec2(w, h))
}

/// Draws one tile; returns its camera's new digital zoom when the wheel or a drag changed it.
#[allow(clippy::too_many_arguments, reason = "one tile's inputs, passed once per tile")]
fn tile_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, state::WallView>,
    commands: &mut Sender<WallCommand>,
    rect: egui::Rect,
    slot: usize,
    camera: Option<&Camera>,
    now: DateTime<Utc>,
    interactive: bool,
) -> Option<(i64, Zoom)> {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let label = camera.map(|c| tile_label(state, c));
    let accessible = match &label {
        Some(l) => {
            format!("{} {}", l.window.as_deref().unwrap_or(&l.camera_name), l.department.as_deref().unwrap_or(""))
        }
        None => format!("{} {}", lang.pick("空画面", "Empty tile"), slot.wrapping_add(1)),
    };
    let id = egui::Id::unique(("jiancha_wall_tile", slot, interactive));
    let response = ui.interact(rect, id, if interactive { Sense::click_and_drag() } else { Sense::hover() });
    let accessible_name = accessible.trim().to_owned();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &accessible_name));
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, t.video_bg);
    let dropping = interactive && response.dnd_hover_payload::<i64>().is_some();
    let stroke_colour = if dropping {
        t.accent
    } else if response.hovered() {
        t.stroke.gamma_multiply(1.8)
    } else {
        t.stroke
    };
    painter.rect_stroke(
        rect,
        0.0,
        egui::Stroke::new(if dropping { 2.0 } else { 1.0 }, stroke_colour),
        egui::StrokeKind::Inside,
    );
    if interactive
        && let Some(dropped) = response.dnd_release_payload::<i64>()
        && slot != usize::MAX
    {
        commands.push(WallCommand::Assign { slot, camera_id: Some(*dropped) });
    }
    let (Some(camera), Some(label)) = (camera, label) else {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            lang.pick("拖入摄像头", "Drop a camera here"),
            FontId::proportional(t.text_size.tile),
            t.text_weak,
        );
        return None;
    };
    let view = state.view.tiles.get(&camera.id);
    let picture_rect = fit_16_9(rect);
    let mut zoom = state.view.zoom.get(&camera.id).copied().unwrap_or_default();
    let zoomed = interactive && video::zoom_input(ui, &response, picture_rect, &mut zoom);
    if let Some(picture) = view.and_then(|v| v.picture.as_ref()) {
        let playing = view.is_some_and(|v| v.status == TileStatus::Playing);
        let tint = if playing { t.image_tint } else { t.overlay_off };
        video::paint(&painter, picture_rect, picture, zoom.source(), tint);
        video::overview(&painter, picture_rect, picture, &zoom, t);
    }
    // Overlay: window, department, staff on duty; time.
    let title = format!(
        "{}{}",
        label.window.as_deref().unwrap_or(&label.camera_name),
        label.department.as_deref().map(|d| format!(" {d}")).unwrap_or_default()
    );
    let staff = if label.on_duty.is_empty() { String::new() } else { format!("  {}", label.on_duty.join("、")) };
    let font = FontId::proportional(t.tile_label_size(rect.height()));
    let text = format!("{title}{staff}");
    let galley = painter.layout_no_wrap(text, font.clone(), t.overlay_text);
    let band = egui::Rect::from_min_size(rect.min, egui::vec2(galley.size().x + 12.0, galley.size().y + 6.0));
    painter.rect_filled(band, 0.0, t.overlay_band);
    painter.galley(rect.min + egui::vec2(6.0, 3.0), galley, t.overlay_text);
    let clock = time::local_datetime(now).format("%H:%M:%S").to_string();
    painter.text(
        rect.right_bottom() - egui::vec2(6.0, 4.0),
        Align2::RIGHT_BOTTOM,
        clock,
        FontId::monospace(font.size * 0.85),
        t.overlay_soft,
    );

    match view.map(|v| &v.status) {
        Some(TileStatus::Lost { reason, last_frame_at, retry_at }) => {
            let mut lines = vec![(lang.pick("信号丢失", "Signal lost").to_owned(), t.red, font.size * 1.4)];
            lines.push((
                match last_frame_at {
                    Some(at) => format!("{} {}", lang.pick("最后画面", "Last picture"), time::format_local(*at)),
                    None => lang.pick("尚未收到画面", "No picture yet").to_owned(),
                },
                t.overlay_soft,
                font.size,
            ));
            // The decoder sets `retry_at` on the console's clock, as `monotonic` reads it.
            let left = retry_at.saturating_duration_since(state.shared.monotonic);
            lines.push((reconnect_line(left, lang), t.overlay_weak, font.size));
            lines.push((reason.chars().take(60).collect(), t.text_weak, font.size * 0.8));
            let mut y = rect.center().y - font.size * 2.0;
            for (text, colour, size) in lines {
                painter.text(
                    egui::pos2(rect.center().x, y),
                    Align2::CENTER_CENTER,
                    text,
                    FontId::proportional(size),
                    colour,
                );
                y += size * 1.35;
            }
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(500));
        }
        Some(TileStatus::Connecting) | None => {
            painter.text(
                rect.center(),
                Align2::CENTER_CENTER,
                lang.pick("正在连接…", "Connecting…"),
                font.clone(),
                t.overlay_weak,
            );
        }
        Some(TileStatus::Playing | TileStatus::Stopped) => {}
    }
    if !interactive {
        return None;
    }
    if response.hovered()
        && let Some(v) = view
    {
        let stream = match v.stream {
            StreamKind::Main => lang.pick("主码流", "main"),
            StreamKind::Sub => lang.pick("子码流", "sub"),
        };
        // Which way the picture comes: through the server's relay, or straight from the camera.
        let path = if crate::video::relay::is_relayed(&camera.main_url) {
            lang.pick("经服务器转发", "via the server")
        } else {
            lang.pick("直连摄像头", "direct")
        };
        let stats = format!(
            "{:.0} fps · {:.0} kbps · {} {:.0} ms · {stream} · {path}",
            v.stats.fps,
            v.stats.kbps,
            lang.pick("延迟", "delay"),
            v.stats.delay_ms
        );
        painter.text(
            rect.left_bottom() + egui::vec2(6.0, -4.0),
            Align2::LEFT_BOTTOM,
            stats,
            FontId::monospace(font.size * 0.8),
            t.overlay_live,
        );
    }
    let show_buttons = response.hovered() || state.view.fullscreen == Some(camera.id) || ui.rect_contains_pointer(rect);
    if show_buttons {
        let mut x = rect.right() - 6.0;
        let y = rect.top() + 4.0;
        let buttons: [(&str, WallCommand); 3] = [
            (
                if state.view.fullscreen.is_some() {
                    lang.pick("退出全屏", "Exit full screen")
                } else {
                    lang.pick("全屏", "Full screen")
                },
                WallCommand::Fullscreen(if state.view.fullscreen.is_some() { None } else { Some(camera.id) }),
            ),
            (lang.pick("记录违纪…", "Discipline…"), WallCommand::StartDiscipline(camera.id)),
            (lang.pick("截图", "Snapshot"), WallCommand::Snapshot(camera.id)),
        ];
        for (text, command) in buttons {
            let width = ui.fonts_mut(|f| {
                f.layout_no_wrap(text.to_owned(), FontId::proportional(t.text_size.tile_button), t.overlay_text)
                    .size()
                    .x
            }) + 24.0;
            let button_rect = egui::Rect::from_min_size(egui::pos2(x - width, y), egui::vec2(width, 22.0));
            x -= width + 4.0;
            if ui
                .put(
                    button_rect,
                    egui::Button::new(RichText::new(text).size(t.text_size.tile_button))
                        .wrap_mode(egui::TextWrapMode::Extend),
                )
                .clicked()
            {
                commands.push(command);
            }
        }
    }
    if response.double_clicked() {
        // A zoomed picture goes back to the whole view; otherwise full screen opens or closes.
        if zoom.is_zoomed() {
            return Some((camera.id, Zoom::default()));
        }
        commands.push(WallCommand::Fullscreen(if state.view.fullscreen.is_some() { None } else { Some(camera.id) }));
    }
    zoomed.then_some((camera.id, zoom))
}

fn discipline_dialog_ui(ui: &mut egui::Ui, state: &mut Panel<'_, state::WallView>, commands: &mut Sender<WallCommand>) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let Some(draft) = &mut state.view.discipline else { return };
    Dialog::new(
        "jiancha_discipline_dialog",
        lang.pick("记录违纪", "Record a discipline problem"),
        lang,
        WallCommand::CancelDiscipline,
    )
    .width(DialogWidth::Wide)
    .submit(lang.pick("保存", "Save"), WallCommand::SubmitDiscipline, true)
    .show(ui, &t, commands, |ui, _| {
        egui::Grid::new("discipline_grid").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            ui.label(lang.pick("摄像头", "Camera"));
            ui.label(&draft.camera_name);
            ui.end_row();
            ui.label(lang.pick("窗口", "Window"));
            ui.label(draft.window_code.as_deref().unwrap_or("—"));
            ui.end_row();
            ui.label(lang.pick("工作人员", "Staff"));
            ui.label(draft.staff_name.as_deref().unwrap_or("—"));
            ui.end_row();
            ui.label(lang.pick("时间", "Time"));
            ui.label(time::format_local(draft.taken_at));
            ui.end_row();
            let l = ui.label(lang.pick("类别", "Category"));
            egui::ComboBox::from_id_salt("discipline_category")
                .selected_text(DISCIPLINE_CATEGORIES[draft.category])
                .show_index(ui, &mut draft.category, DISCIPLINE_CATEGORIES.len(), |i| DISCIPLINE_CATEGORIES[i])
                .labelled_by(l.id);
            ui.end_row();
        });
        let l = ui.label(lang.pick("说明", "Note"));
        ui.add(egui::TextEdit::multiline(&mut draft.note).desired_rows(3).desired_width(f32::INFINITY))
            .labelled_by(l.id);
        ui.label(
            RichText::new(lang.pick(
                "截图已保留；完整的违纪登记随“纪律与提示单”提供。",
                "The snapshot is kept; the full discipline form comes with “Discipline & slips”.",
            ))
            .small(),
        );
    });
}

/// When a lost camera is tried again: whole seconds rounded up, and once the moment has come, that the
/// attempt is under way (not "in 0 s", which reads as stuck).
fn reconnect_line(left: std::time::Duration, lang: Lang) -> String {
    match left.as_millis().div_ceil(1000) {
        0 => lang.pick("正在重连…", "Reconnecting…").to_owned(),
        secs => format!("{} {secs} {}", lang.pick("将在", "Reconnecting in"), lang.pick("秒后重连", "s")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_lost_camera_says_when_it_is_tried_again() {
        assert_eq!(reconnect_line(Duration::ZERO, Lang::Zh), "正在重连…");
        assert_eq!(reconnect_line(Duration::from_millis(200), Lang::Zh), "将在 1 秒后重连");
        assert_eq!(reconnect_line(Duration::from_millis(4_000), Lang::Zh), "将在 4 秒后重连");
        assert_eq!(reconnect_line(Duration::from_millis(4_001), Lang::En), "Reconnecting in 5 s");
        assert_eq!(reconnect_line(Duration::ZERO, Lang::En), "Reconnecting…");
    }
}

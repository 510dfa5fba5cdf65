//! 回放: the player's picture and controls, and the timeline of recorded runs, gaps, case events and
//! bookmarks.

use super::*;
use crate::ui::context::{Panel, Sender};

pub(super) fn playback_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, super::state::FootageView>,
    commands: &mut Sender<FootageCommand>,
) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let Some(view) = &state.view.playback else { return };
    ui.horizontal(|ui| {
        let names: Vec<String> = view.tracks.iter().map(|t| camera_name(state, t.camera_id)).collect();
        ui.label(RichText::new(format!("{} · {}", view.request.request_no, names.join("、"))).strong());
        if view.tracks.len() > 1 {
            ui.label(
                RichText::new(lang.pick("同步回放", "synchronised")).color(t.accent),
            )
            .on_hover_text(lang.pick(
                "各路画面共用一个播放位置；点击画面选择摄像头（书签、记录违纪、申请拷贝以所选为准）",
                "One play head for all; click a picture to choose the camera that bookmarks, observations and copy requests are for",
            ));
        }
        ui.label(
            RichText::new(format!("{} {}", lang.pick("批准范围", "approved"), span_text(view.span))).color(t.text_weak),
        );
        ui.label(
            RichText::new(format!("{}{}", lang.pick("用途：", "purpose: "), view.request.purpose)).color(t.text_weak),
        );
        if ui.small_button(lang.pick("关闭回放", "Close")).clicked() {
            commands.push(FootageCommand::ClosePlayback);
        }
    });
    let display = state.view.player.as_ref();
    pictures_ui(ui, state, view, display, commands);
    // Controls.
    let (status, position, speed) =
        display.map_or((PlayerStatus::Loading, view.span.from, 1.0), |d| (d.status.clone(), d.position_ms, d.speed));
    ui.horizontal(|ui| {
        if ui.button("|◀").on_hover_text(lang.pick("到开头", "To the start")).clicked() {
            commands.push(FootageCommand::PlayerSeek(view.span.from));
        }
        let playing = status == PlayerStatus::Playing;
        let label = if playing { lang.pick("‖ 暂停", "‖ Pause") } else { lang.pick("▶ 播放", "▶ Play") };
        if ui.button(label).clicked() {
            commands.push(if playing { FootageCommand::PlayerPause } else { FootageCommand::PlayerPlay });
        }
        if ui.button(lang.pick("下一帧", "Next frame")).clicked() {
            commands.push(FootageCommand::PlayerStep);
        }
        ui.label(lang.pick("速度", "Speed"));
        for (i, s) in SPEEDS.iter().enumerate() {
            if ui.selectable_label((speed - s).abs() < 0.01, format!("{s}×")).clicked() {
                commands.push(FootageCommand::PlayerSpeed(i));
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
            commands.push(FootageCommand::AddBookmark);
        }
        if view.request.kind == RequestKind::Export && ui.button(lang.pick("导出…", "Export…")).clicked() {
            let cameras = view.tracks.iter().map(|t| t.camera_id).collect();
            commands.push(FootageCommand::OpenExport { request_id: view.request.id, cameras });
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
            commands.push(FootageCommand::NewRequest {
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
            commands.push(FootageCommand::NewHold);
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
                .shared
                .directory
                .as_ref()
                .and_then(|d| d.cameras.iter().find(|c| c.id == view.camera_id))
                .and_then(|c| c.window_code.clone())
                .unwrap_or_default();
            let clip = crate::domain::footage::Span {
                from: (position - 30_000).max(view.span.from),
                to: (position + 30_000).min(view.span.to),
            };
            commands.console(Command::Open(Open::Observation(crate::ui::open::ObservationDraft {
                at: time::local_datetime(at(position)).format("%Y-%m-%d %H:%M:%S").to_string(),
                source: crate::domain::discipline::ObservationSource::Playback,
                camera_id: Some(view.camera_id),
                clip: Some(clip).filter(|c| c.from < c.to),
                window,
                ..Default::default()
            })));
        }
    });
    timeline_ui(ui, state, commands, position);
}

/// The cameras' pictures: one as large as fits at 16:9, two side by side, three or four in a 2×2
/// grid. Wheel and drag zoom a picture (double-click resets); a click chooses the camera.
fn pictures_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, super::state::FootageView>,
    view: &super::state::PlaybackView,
    display: Option<&super::state::PlayerDisplay>,
    commands: &mut Sender<FootageCommand>,
) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let count = view.tracks.len().max(1);
    let (columns, rows) = match count {
        1 => (1, 1),
        2 => (2, 1),
        _ => (2, 2),
    };
    let avail = ui.available_size();
    let height = (avail.y - 120.0).max(160.0).min(avail.x * 9.0 / 16.0 * rows as f32 / columns as f32);
    let size = egui::vec2(height * 16.0 / 9.0 * columns as f32 / rows as f32, height);
    ui.vertical_centered(|ui| {
        let (area, _) = ui.allocate_exact_size(size, Sense::hover());
        let cell = egui::vec2(area.width() / columns as f32, area.height() / rows as f32);
        for (i, track) in view.tracks.iter().enumerate() {
            let min = area.min + egui::vec2((i % columns) as f32 * cell.x, (i / columns) as f32 * cell.y);
            let rect = egui::Rect::from_min_size(min, cell).shrink(if count > 1 { 2.0 } else { 0.0 });
            let id = ui.scope_id().with(("playback-picture", track.camera_id));
            let response = ui.interact(rect, id, Sense::click_and_drag());
            let painter = ui.painter_at(rect);
            painter.rect_filled(rect, 2.0, t.video_bg);
            let tile = display.and_then(|d| d.tiles.iter().find(|x| x.camera_id == track.camera_id));
            let mut zoom = track.zoom;
            let mut changed = crate::ui::video::zoom_input(ui, &response, rect, &mut zoom);
            if response.double_clicked() && zoom.is_zoomed() {
                zoom = Default::default();
                changed = true;
            }
            if changed {
                commands.push(FootageCommand::PlayerZoom { camera_id: track.camera_id, zoom });
            }
            if response.clicked() && view.camera_id != track.camera_id {
                commands.push(FootageCommand::PlayerFocus(track.camera_id));
            }
            match tile.and_then(|x| x.texture.as_ref()) {
                Some(texture) => {
                    let picture = crate::ui::video::TilePicture::Texture(texture.id());
                    crate::ui::video::paint(&painter, rect, &picture, zoom.source(), t.image_tint);
                    crate::ui::video::overview(&painter, rect, &picture, &zoom, t);
                }
                None => {
                    painter.text(
                        rect.center(),
                        egui::Align2::CENTER_CENTER,
                        lang.pick("载入中…", "Loading…"),
                        egui::FontId::proportional(t.text_size.nav),
                        t.text_weak,
                    );
                }
            }
            match tile.map(|x| &x.status) {
                Some(PlayerStatus::Error(e)) => {
                    painter.text(
                        rect.center(),
                        egui::Align2::CENTER_CENTER,
                        e,
                        egui::FontId::proportional(t.text_size.nav),
                        t.red,
                    );
                }
                Some(PlayerStatus::Ended) if count > 1 => {
                    painter.text(
                        rect.center_bottom() - egui::vec2(0.0, 28.0),
                        egui::Align2::CENTER_BOTTOM,
                        lang.pick("此路录像到此为止", "No more footage of this camera"),
                        egui::FontId::proportional(t.text_size.nav),
                        t.overlay_text,
                    );
                }
                _ => {}
            }
            if count > 1 {
                // The camera's name and the time of its frame, so drift would show.
                let label = format!(
                    "{}  {}",
                    camera_name(state, track.camera_id),
                    tile.map(|x| time::local_datetime(at(x.position_ms)).format("%H:%M:%S%.3f").to_string())
                        .unwrap_or_default()
                );
                let font = egui::FontId::proportional(t.text_size.tile_button);
                let galley = painter.layout_no_wrap(label, font, t.overlay_text);
                let band = egui::Rect::from_min_size(rect.min, galley.size() + egui::vec2(12.0, 6.0));
                painter.rect_filled(band, 0.0, t.overlay_band);
                painter.galley(rect.min + egui::vec2(6.0, 3.0), galley, t.overlay_text);
                if view.camera_id == track.camera_id {
                    painter.rect_stroke(rect, 0.0, Stroke::new(2.0, t.accent), egui::StrokeKind::Inside);
                }
            }
        }
    });
}

/// The recorded ranges (and gaps) of the approved range, case events, bookmarks and the play head;
/// click or drag to seek.
pub(super) fn timeline_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, super::state::FootageView>,
    commands: &mut Sender<FootageCommand>,
    position: i64,
) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let Some(view) = &state.view.playback else { return };
    let span = view.span;
    let (rect, response) = ui.allocate_exact_size(egui::vec2(ui.available_width(), 68.0), Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    let bar = egui::Rect::from_min_max(
        egui::pos2(rect.left(), rect.top() + 22.0),
        egui::pos2(rect.right(), rect.top() + 44.0),
    );
    let x_of = |ms: i64| bar.left() + bar.width() * ((ms - span.from) as f32 / span.millis().max(1) as f32);
    painter.rect_filled(bar, 2.0, t.panel_raised);
    // One lane per camera. Gaps are the bar's own colour, hatched; recorded runs are green (both
    // computed with the grant).
    let lanes = view.tracks.len().max(1) as f32;
    for (i, track) in view.tracks.iter().enumerate() {
        let top = bar.top() + bar.height() * i as f32 / lanes;
        let bottom = bar.top() + bar.height() * (i + 1) as f32 / lanes - if lanes > 1.0 { 1.0 } else { 0.0 };
        for g in &track.gaps {
            let r = egui::Rect::from_min_max(egui::pos2(x_of(g.from), top), egui::pos2(x_of(g.to), bottom));
            let mut x = r.left();
            while x < r.right() {
                painter.line_segment(
                    [egui::pos2(x, r.bottom()), egui::pos2((x + 6.0).min(r.right()), r.top())],
                    Stroke::new(1.0, t.text_weak),
                );
                x += 6.0;
            }
        }
        for run in &track.runs {
            let r = egui::Rect::from_min_max(egui::pos2(x_of(run.from), top), egui::pos2(x_of(run.to), bottom));
            let colour =
                if view.camera_id == track.camera_id || lanes == 1.0 { t.ok } else { t.ok.gamma_multiply(0.6) };
            painter.rect_filled(r, 0.0, colour.gamma_multiply(0.55));
        }
    }
    // Case events: ticks above the bar, with what happened on hover.
    let hover = response.hover_pos();
    let mut tip: Option<String> = None;
    let small = egui::FontId::proportional(t.text_size.tick);
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
        commands.push(FootageCommand::PlayerSeek(ms.clamp(span.from, span.to - 1)));
    }
    // Bookmarks as buttons.
    if !view.bookmarks.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(lang.pick("书签：", "Bookmarks:")).color(t.text_weak));
            for (ms, label) in &view.bookmarks {
                if ui.small_button(label).clicked() {
                    commands.push(FootageCommand::PlayerSeek(*ms));
                }
            }
        });
    }
}

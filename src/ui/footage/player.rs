//! 回放: the player's picture and controls, and the timeline of recorded runs, gaps, case events and
//! bookmarks.

use super::*;

pub(super) fn playback_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
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
            commands.push(FootageCommand::ClosePlayback.into());
        }
    });
    let display = state.player.as_ref();
    // The picture, 16:9, as large as fits above the controls.
    let avail = ui.available_size();
    let height = (avail.y - 120.0).max(160.0).min(avail.x * 9.0 / 16.0);
    let size = egui::vec2(height * 16.0 / 9.0, height);
    ui.vertical_centered(|ui| {
        let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
        ui.painter().rect_filled(rect, 2.0, t.video_bg);
        match display.and_then(|d| d.texture.as_ref()) {
            Some(texture) => {
                ui.painter().image(
                    texture.id(),
                    rect,
                    egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                    t.image_tint,
                );
            }
            None => {
                ui.painter().text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    lang.pick("载入中…", "Loading…"),
                    egui::FontId::proportional(t.text_size.nav),
                    t.text_weak,
                );
            }
        }
        if let Some(PlayerStatus::Error(e)) = display.map(|d| &d.status) {
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                e,
                egui::FontId::proportional(t.text_size.nav),
                t.red,
            );
        }
    });
    // Controls.
    let (status, position, speed) =
        display.map_or((PlayerStatus::Loading, view.span.from, 1.0), |d| (d.status.clone(), d.position_ms, d.speed));
    ui.horizontal(|ui| {
        if ui.button("|◀").on_hover_text(lang.pick("到开头", "To the start")).clicked() {
            commands.push(FootageCommand::PlayerSeek(view.span.from).into());
        }
        let playing = status == PlayerStatus::Playing;
        let label = if playing { lang.pick("‖ 暂停", "‖ Pause") } else { lang.pick("▶ 播放", "▶ Play") };
        if ui.button(label).clicked() {
            commands.push(if playing { FootageCommand::PlayerPause } else { FootageCommand::PlayerPlay }.into());
        }
        if ui.button(lang.pick("下一帧", "Next frame")).clicked() {
            commands.push(FootageCommand::PlayerStep.into());
        }
        ui.label(lang.pick("速度", "Speed"));
        for (i, s) in SPEEDS.iter().enumerate() {
            if ui.selectable_label((speed - s).abs() < 0.01, format!("{s}×")).clicked() {
                commands.push(FootageCommand::PlayerSpeed(i).into());
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
            commands.push(FootageCommand::AddBookmark.into());
        }
        if view.request.kind == RequestKind::Export && ui.button(lang.pick("导出…", "Export…")).clicked() {
            commands.push(FootageCommand::OpenExport { request_id: view.request.id, camera_id: view.camera_id }.into());
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
            commands.push(
                FootageCommand::NewRequest {
                    cameras: vec![view.camera_id],
                    from: Some(from),
                    to: Some(to),
                    purpose: view.request.purpose.clone(),
                    kind: RequestKind::Export,
                    case_no: view.request.case_no.clone(),
                    complaint_no: view.request.complaint_no.clone(),
                }
                .into(),
            );
        }
        if ui.button(lang.pick("保全…", "Hold…")).clicked() {
            commands.push(FootageCommand::NewHold.into());
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
            commands.push(
                SupervisionCommand::OpenObservation(crate::ui::supervision::state::ObservationDraft {
                    at: time::local_datetime(at(position)).format("%Y-%m-%d %H:%M:%S").to_string(),
                    source: crate::domain::discipline::ObservationSource::Playback,
                    camera_id: Some(view.camera_id),
                    clip: Some(clip).filter(|c| c.from < c.to),
                    window,
                    ..Default::default()
                })
                .into(),
            );
        }
    });
    timeline_ui(ui, state, commands, position);
}

/// The recorded ranges (and gaps) of the approved range, case events, bookmarks and the play head;
/// click or drag to seek.
pub(super) fn timeline_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>, position: i64) {
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
    // Gaps are the bar's own colour, hatched; recorded runs are green (both computed with the grant).
    for g in &view.gaps {
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
    for run in &view.runs {
        let r = egui::Rect::from_min_max(egui::pos2(x_of(run.from), bar.top()), egui::pos2(x_of(run.to), bar.bottom()));
        painter.rect_filled(r, 0.0, t.ok.gamma_multiply(0.55));
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
        commands.push(FootageCommand::PlayerSeek(ms.clamp(span.from, span.to - 1)).into());
    }
    // Bookmarks as buttons.
    if !view.bookmarks.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(lang.pick("书签：", "Bookmarks:")).color(t.text_weak));
            for (ms, label) in &view.bookmarks {
                if ui.small_button(label).clicked() {
                    commands.push(FootageCommand::PlayerSeek(*ms).into());
                }
            }
        });
    }
}

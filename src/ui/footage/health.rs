//! 录像状态: recording health per camera, the day as a strip.

use super::*;
use crate::ui::context::Panel;

pub(super) fn health_ui(
    ui: &mut egui::Ui,
    state: &Panel<'_, super::state::FootageView>,
    lang: Lang,
    t: &Tokens,
    now: DateTime<Utc>,
) {
    let Some(health) = &state.view.health else { return };
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
            crate::ui::widgets::header_row(
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
pub(super) fn size_text(bytes: u64) -> String {
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else {
        format!("{:.0} MB", bytes as f64 / 1e6)
    }
}

//! 录像调阅: requests to view or copy footage (Art 10), their approval by a chief who is not the
//! requester, playback on a timeline inside the approved range, export with watermark and manifest,
//! the footage register, recording health and legal holds.

mod export;
mod health;
mod holds;
pub mod jobs;
pub mod logic;
mod player;
mod register;
mod requests;
pub mod state;

use export::*;
use health::*;
use holds::*;
pub use jobs::{FootageJob, FootageReply};
pub use logic::{FootageArea, FootageCommand};
use player::*;
use register::*;
use requests::*;

use chrono::{DateTime, Utc};
use egui::{Color32, RichText, Sense, Stroke};
use egui_extras::{Column, TableBuilder};

use crate::domain::access::Permission;
use crate::domain::footage::{FootageRequest, RequestKind, RequestStatus, Span, Use};
use crate::domain::time;
use crate::video::playback::{Group, PlayerStatus, SPEEDS};

use crate::ui::command::Command;
use crate::ui::context::{Panel, Sender};
use crate::ui::i18n::Lang;
use crate::ui::open::Open;
use crate::ui::theme::Tokens;
use state::FootageTab;

pub(super) fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(super) fn camera_name(state: &Panel<'_, state::FootageView>, id: i64) -> String {
    state
        .shared
        .directory
        .as_ref()
        .and_then(|d| d.cameras.iter().find(|c| c.id == id))
        .map(|c| c.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

pub(super) fn span_text(span: Span) -> String {
    let (a, b) = (time::local_datetime(span.start()), time::local_datetime(span.end()));
    if a.date() == b.date() {
        format!("{} {}–{}", a.format("%Y-%m-%d"), a.format("%H:%M"), b.format("%H:%M"))
    } else {
        format!("{} – {}", a.format("%Y-%m-%d %H:%M"), b.format("%Y-%m-%d %H:%M"))
    }
}

pub fn footage_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::FootageView>,
    commands: &mut Sender<FootageCommand>,
    now: DateTime<Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    tabs_ui(ui, state, commands);
    if let Some(e) = &state.view.error {
        ui.colored_label(t.red, e);
    }
    export_status_ui(ui, state, commands);
    ui.separator();
    if state.view.requests.is_none() {
        ui.spinner();
        return;
    }
    match state.view.tab {
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

fn tabs_ui(ui: &mut egui::Ui, state: &Panel<'_, state::FootageView>, commands: &mut Sender<FootageCommand>) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    let view = &*state.view;
    ui.horizontal(|ui| {
        let mut tab = |ui: &mut egui::Ui, which: FootageTab, label: String, warn: bool| {
            let text = if warn { RichText::new(label).color(t.orange) } else { RichText::new(label) };
            if ui.selectable_label(view.tab == which, text).clicked() && view.tab != which {
                commands.push(FootageCommand::SetTab(which));
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
            commands.push(FootageCommand::Load);
        }
    });
}

fn export_status_ui(ui: &mut egui::Ui, state: &Panel<'_, state::FootageView>, commands: &mut Sender<FootageCommand>) {
    let lang = state.shared.lang;
    let t = &state.shared.tokens;
    if let Some(p) = &state.view.exporting {
        let fraction = p.permille.load(std::sync::atomic::Ordering::Relaxed) as f32 / 1000.0;
        ui.horizontal(|ui| {
            ui.label(format!("{} {} → {}", lang.pick("正在导出", "Exporting"), p.request_no, p.destination));
            ui.add(egui::ProgressBar::new(fraction).desired_width(240.0).show_percentage());
            if ui.button(lang.pick("取消导出", "Cancel export")).clicked() {
                commands.push(FootageCommand::CancelExport);
            }
        });
    }
    match &state.view.export_result {
        Some(Ok(done)) => {
            ui.label(RichText::new(format!("{} {done}", lang.pick("已导出：", "Exported:"))).color(t.ok));
        }
        Some(Err(e)) => {
            ui.colored_label(t.red, format!("{} {e}", lang.pick("导出未完成：", "Export not done:")));
        }
        None => {}
    }
}

pub(super) fn state_colour(r: &FootageRequest, now: DateTime<Utc>, t: &Tokens) -> Color32 {
    match r.status {
        RequestStatus::Pending => t.yellow,
        RequestStatus::Approved if r.is_expired(now) => t.text_weak,
        RequestStatus::Approved => t.ok,
        RequestStatus::Refused => t.red,
        RequestStatus::Cancelled => t.text_weak,
    }
}

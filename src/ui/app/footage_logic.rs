//! The footage area's logic: its commands and replies, the player, and the export in progress.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};

use super::JianchaApp;
use crate::domain::footage::{RequestKind, Span};
use crate::domain::time;
use crate::ui::command::Command;
use crate::ui::state::{
    ExportDraft, ExportProgress, FootageTab, NoticeLevel, PlaybackView, PlayerDisplay, RequestDraft,
};
use crate::ui::worker::{Job, Reply};
use crate::video::export::{ExportOptions, Privacy};
use crate::video::playback::{Player, SPEEDS};

/// The player's picture size: the panel's video area at 16:9.
const PLAYER_SIZE: (u32, u32) = (960, 540);

fn parse_privacy(text: &str) -> Result<Vec<Privacy>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let v: Vec<f32> =
                line.split(',').map(|p| p.trim().parse::<f32>()).collect::<Result<_, _>>().map_err(|_| {
                    format!(
                        "遮挡区域第 {} 行：应为 x,y,宽,高（0–1 的小数） (line {}: x,y,w,h as fractions)",
                        i + 1,
                        i + 1
                    )
                })?;
            match v[..] {
                [x, y, width, height] if v.iter().all(|f| (0.0..=1.0).contains(f)) && width > 0.0 && height > 0.0 => {
                    Ok(Privacy { x, y, width, height })
                }
                _ => Err(format!(
                    "遮挡区域第 {} 行：应为 x,y,宽,高（0–1 的小数） (line {}: x,y,w,h as fractions)",
                    i + 1,
                    i + 1
                )),
            }
        })
        .collect()
}

/// `YYYY-MM-DD` + `HH:MM` (Beijing time) as UTC milliseconds.
fn local_ms(date: &str, hm: &str) -> Option<i64> {
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let t = NaiveTime::parse_from_str(hm.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(hm.trim(), "%H:%M:%S"))
        .ok()?;
    Some(time::from_local(d.and_time(t)).timestamp_millis())
}

impl JianchaApp {
    /// Handles the footage replies; returns the others.
    pub(super) fn footage_reply(&mut self, reply: Reply) -> Option<Reply> {
        let lang = self.state.lang;
        let view = &mut self.state.footage;
        match reply {
            Reply::Footage(result) => {
                view.loading = false;
                match result {
                    Ok(data) => {
                        view.requests = Some(data.requests);
                        view.pending = data.pending;
                        view.register = Some(data.register);
                        view.health = Some(data.health);
                        view.holds = Some(data.holds);
                        view.error = None;
                        if let Some((window_code, at, case_no)) = view.event_pending.take() {
                            self.commands.push(Command::FootageForEvent { window_code, at, case_no });
                        }
                    }
                    Err(e) => {
                        let m = self.store_error(&e);
                        self.state.footage.event_pending = None;
                        self.state.footage.error = Some(m);
                    }
                }
            }
            Reply::FootageRequested(result) => match result {
                Ok(r) => {
                    view.draft = None;
                    view.draft_error = None;
                    self.state.notice = Some((
                        NoticeLevel::Info,
                        format!(
                            "{} {}{}",
                            r.request_no,
                            r.kind.label_zh(),
                            lang.pick("申请已提交，待审批。", " request sent for approval.")
                        ),
                    ));
                    self.commands.push(Command::LoadFootage);
                }
                Err(e) => {
                    let m = self.store_error(&e);
                    self.state.footage.draft_error = Some(m);
                }
            },
            Reply::FootageDecided(result) => match result {
                Ok(r) => {
                    view.refusing = None;
                    let now = self.clock.now();
                    let state = lang.pick(r.state_zh(now), r.state_en(now));
                    self.state.notice = Some((NoticeLevel::Info, format!("{} {state}", r.request_no)));
                    self.commands.push(Command::LoadFootage);
                }
                Err(e) => {
                    let m = self.store_error(&e);
                    self.state.notice = Some((NoticeLevel::Error, m));
                }
            },
            Reply::FootageGranted(result) => match result {
                Ok(opened) => {
                    let grant = opened.grant;
                    let segments: Vec<Span> = grant.segments.iter().map(|s| s.span).collect();
                    self.player = Some(Player::start(
                        &opened.root,
                        grant.segments.clone(),
                        grant.span,
                        opened.at,
                        PLAYER_SIZE,
                        self.repaint_notify(),
                    ));
                    self.state.footage.playback = Some(PlaybackView {
                        request: grant.request,
                        camera_id: grant.camera_id,
                        span: grant.span,
                        segments,
                        events: opened.events,
                        bookmarks: Vec::new(),
                        start_at: opened.at,
                    });
                    self.state.footage.tab = FootageTab::Playback;
                }
                Err(e) => {
                    let m = self.store_error(&e);
                    self.state.notice = Some((NoticeLevel::Error, m));
                }
            },
            Reply::Exported(Err(e)) => {
                view.exporting = None;
                view.export_result = Some(Err(e));
            }
            Reply::Exported(Ok(_)) => {}
            Reply::HoldChanged(result) => match result {
                Ok(_) => {
                    view.hold_draft = None;
                    self.commands.push(Command::LoadFootage);
                }
                Err(e) => {
                    let m = self.store_error(&e);
                    self.state.notice = Some((NoticeLevel::Error, m));
                }
            },
            other => return Some(other),
        }
        None
    }

    fn repaint_notify(&self) -> crate::video::decoder::Notify {
        let ctx = self.egui_ctx.clone();
        Arc::new(move || ctx.request_repaint())
    }

    /// Handles the footage commands; returns the others.
    pub(super) fn footage_command(&mut self, _ctx: &egui::Context, command: Command) -> Option<Command> {
        let lang = self.state.lang;
        let session = self.state.session.clone();
        let now = self.clock.now();
        match command {
            Command::LoadFootage => {
                if let Some(s) = session {
                    self.state.footage.loading = true;
                    self.submit(Job::Footage { session: s });
                }
            }
            Command::SetFootageTab(tab) => self.state.footage.tab = tab,
            Command::NewFootageRequest { cameras, from, to, purpose, kind, case_no, complaint_no } => {
                let default_to = now.timestamp_millis();
                let (from, to) = (from.unwrap_or(default_to - 20 * 60_000), to.unwrap_or(default_to));
                let start = chrono::DateTime::from_timestamp_millis(from).unwrap_or(now);
                let end = chrono::DateTime::from_timestamp_millis(to).unwrap_or(now);
                self.state.footage.draft = Some(RequestDraft {
                    cameras: cameras.into_iter().collect(),
                    date: time::local_date(start).to_string(),
                    from: time::local_datetime(start).format("%H:%M").to_string(),
                    to: time::local_datetime(end).format("%H:%M").to_string(),
                    purpose,
                    kind,
                    second_person: String::new(),
                    case_no: case_no.unwrap_or_default(),
                    complaint_no: complaint_no.unwrap_or_default(),
                });
                self.state.footage.draft_error = None;
                self.state.footage.tab = FootageTab::Requests;
            }
            Command::SubmitFootageRequest => {
                let (Some(s), Some(d)) = (session, self.state.footage.draft.clone()) else { return None };
                let (Some(from), Some(to)) = (local_ms(&d.date, &d.from), local_ms(&d.date, &d.to)) else {
                    self.state.footage.draft_error = Some(
                        lang.pick_owned("日期应为 YYYY-MM-DD，时间应为 HH:MM", "Date as YYYY-MM-DD, times as HH:MM"),
                    );
                    return None;
                };
                let opt = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
                let request = crate::store::NewFootageRequest {
                    cameras: d.cameras.into_iter().collect(),
                    span: Span { from, to },
                    purpose: d.purpose,
                    kind: d.kind,
                    second_person: opt(&d.second_person),
                    case_no: opt(&d.case_no),
                    complaint_no: opt(&d.complaint_no),
                };
                self.submit(Job::RequestFootage { session: s, request });
            }
            Command::CancelFootageDraft => self.state.footage.draft = None,
            Command::CancelFootageRequest(id) => {
                if let Some(s) = session {
                    self.submit(Job::CancelFootageRequest { session: s, id });
                }
            }
            Command::ApproveFootage(id) => {
                if let Some(s) = session {
                    self.submit(Job::DecideFootage { session: s, id, approve: true, note: String::new() });
                }
            }
            Command::StartRefuse(id) => self.state.footage.refusing = Some((id, String::new())),
            Command::SubmitRefuse => {
                if let (Some(s), Some((id, reason))) = (session, self.state.footage.refusing.clone()) {
                    self.submit(Job::DecideFootage { session: s, id, approve: false, note: reason });
                }
            }
            Command::CancelRefuse => self.state.footage.refusing = None,
            Command::PlayFootage { request_id, camera_id, at } => {
                let span = self
                    .state
                    .footage
                    .requests
                    .as_ref()
                    .and_then(|r| r.iter().find(|r| r.id == request_id))
                    .map(|r| r.span);
                if let (Some(s), Some(span)) = (session, span) {
                    self.player = None;
                    self.state.player = None;
                    self.submit(Job::OpenFootage { session: s, request_id, camera_id, span, at });
                }
            }
            Command::ClosePlayback => {
                self.player = None;
                self.state.player = None;
                self.state.footage.playback = None;
                self.state.footage.tab = FootageTab::Requests;
            }
            Command::PlayerPlay => self.player.iter().for_each(Player::play),
            Command::PlayerPause => self.player.iter().for_each(Player::pause),
            Command::PlayerSeek(at) => self.player.iter().for_each(|p| p.seek(at)),
            Command::PlayerSpeed(i) => self.player.iter().for_each(|p| p.set_speed(SPEEDS[i.min(SPEEDS.len() - 1)])),
            Command::PlayerStep => self.player.iter().for_each(Player::step),
            Command::AddBookmark => {
                if let (Some(p), Some(view)) = (&self.state.player, self.state.footage.playback.as_mut()) {
                    let label =
                        time::format_local(chrono::DateTime::from_timestamp_millis(p.position_ms).unwrap_or(now));
                    view.bookmarks.push((p.position_ms, label));
                    view.bookmarks.sort();
                }
            }
            Command::OpenExport { request_id, camera_id } => {
                let request_no = self
                    .state
                    .footage
                    .requests
                    .as_ref()
                    .and_then(|r| r.iter().find(|r| r.id == request_id))
                    .map(|r| r.request_no.clone())
                    .unwrap_or_default();
                let home = dirs::home_dir().unwrap_or_default();
                let file = format!("{}-camera{camera_id}.mp4", request_no.replace(['〔', '〕'], "-"));
                let base = crate::ui::footage::removable_drives().into_iter().next().unwrap_or(home);
                self.state.footage.export = Some(ExportDraft {
                    request_id,
                    request_no,
                    camera_id,
                    destination: base.join(file).display().to_string(),
                    watermark: true,
                    privacy: String::new(),
                    browsing: false,
                });
                self.state.footage.export_result = None;
            }
            Command::SubmitExport => {
                let (Some(s), Some(d)) = (session, self.state.footage.export.clone()) else { return None };
                let privacy = match parse_privacy(&d.privacy) {
                    Ok(p) => p,
                    Err(e) => {
                        self.state.footage.export_result = Some(Err(e));
                        return None;
                    }
                };
                let out = std::path::PathBuf::from(d.destination.trim());
                if out.as_os_str().is_empty() || out.extension().is_none_or(|e| e != "mp4") {
                    self.state.footage.export_result =
                        Some(Err(lang.pick_owned("请给出以 .mp4 结尾的文件路径", "Give a file path ending in .mp4")));
                    return None;
                }
                let watermark = d
                    .watermark
                    .then(|| format!("{} {} {}", d.request_no, s.display_name, time::format_local_minutes(now)));
                let progress = ExportProgress {
                    request_no: d.request_no.clone(),
                    destination: out.display().to_string(),
                    cancel: Arc::new(AtomicBool::new(false)),
                    permille: Arc::new(AtomicU32::new(0)),
                    result: Arc::new(std::sync::Mutex::new(None)),
                };
                self.state.footage.exporting = Some(progress.clone());
                self.state.footage.export = None;
                self.state.footage.export_result = None;
                self.submit(Job::ExportFootage {
                    session: s,
                    request_id: d.request_id,
                    camera_id: d.camera_id,
                    out,
                    options: ExportOptions { watermark, privacy },
                    progress,
                });
            }
            Command::CancelExportDialog => self.state.footage.export = None,
            Command::CancelExport => {
                if let Some(p) = &self.state.footage.exporting {
                    p.cancel.store(true, Ordering::SeqCst);
                }
            }
            Command::FootageForEvent { window_code, at, case_no } => {
                self.state.area = crate::ui::state::Area::Footage;
                let camera = self
                    .state
                    .directory
                    .as_ref()
                    .and_then(|d| d.cameras.iter().find(|c| c.window_code.as_deref() == Some(window_code.as_str())))
                    .map(|c| c.id);
                let Some(camera) = camera else {
                    self.state.notice = Some((
                        NoticeLevel::Warning,
                        format!("{window_code} {}", lang.pick("窗口没有摄像头。", "has no camera.")),
                    ));
                    return None;
                };
                let moment = at.timestamp_millis();
                let Some(requests) = self.state.footage.requests.as_ref() else {
                    // Decide once the user's requests are known: an approved one plays at once.
                    self.state.footage.event_pending = Some((window_code, at, case_no));
                    self.commands.push(Command::LoadFootage);
                    return None;
                };
                let approved = Some(requests).and_then(|list| {
                    list.iter()
                        .find(|r| {
                            r.status == crate::domain::footage::RequestStatus::Approved
                                && !r.is_expired(now)
                                && r.cameras.contains(&camera)
                                && r.span.from <= moment
                                && moment < r.span.to
                        })
                        .cloned()
                });
                match approved {
                    Some(r) => self.commands.push(Command::PlayFootage {
                        request_id: r.id,
                        camera_id: camera,
                        at: Some(moment),
                    }),
                    None => {
                        self.commands.push(Command::NewFootageRequest {
                            cameras: vec![camera],
                            from: Some(moment - 10 * 60_000),
                            to: Some(moment + 10 * 60_000),
                            purpose: format!("{}{case_no}", lang.pick("核查办件 ", "Check case ")),
                            kind: RequestKind::View,
                            case_no: Some(case_no),
                            complaint_no: None,
                        });
                    }
                }
            }
            Command::NewHold => {
                let camera = self.state.footage.playback.as_ref().map(|p| p.camera_id).unwrap_or(1);
                let today = time::local_date(now).to_string();
                self.state.footage.hold_draft = Some((camera, today, "09:00".into(), "10:00".into(), String::new()));
            }
            Command::SubmitHold => {
                let (Some(s), Some((camera_id, date, from, to, reason))) =
                    (session, self.state.footage.hold_draft.clone())
                else {
                    return None;
                };
                let (Some(from), Some(to)) = (local_ms(&date, &from), local_ms(&date, &to)) else {
                    self.state.notice = Some((
                        NoticeLevel::Warning,
                        lang.pick_owned("日期应为 YYYY-MM-DD，时间应为 HH:MM", "Date as YYYY-MM-DD, times as HH:MM"),
                    ));
                    return None;
                };
                self.submit(Job::PlaceHold { session: s, camera_id, span: Span { from, to }, reason });
            }
            Command::CancelHold => self.state.footage.hold_draft = None,
            Command::LiftHold { id, reason } => {
                if let Some(s) = session {
                    self.submit(Job::LiftHold { session: s, id, reason });
                }
            }
            other => return Some(other),
        }
        None
    }

    /// Each frame: the player's picture into a texture, and the export's end.
    pub(super) fn footage_logic(&mut self, ctx: &egui::Context) {
        if let Some(player) = &self.player {
            let shared = player.shared();
            let display = self.state.player.get_or_insert_with(|| PlayerDisplay {
                texture: None,
                seq: 0,
                status: shared.status(),
                position_ms: shared.position_ms(),
                speed: shared.speed(),
            });
            display.status = shared.status();
            display.position_ms = shared.position_ms();
            display.speed = shared.speed();
            if let Some(frame) = shared.frame()
                && frame.seq != display.seq
            {
                let image = egui::ColorImage::from_rgba_unmultiplied(
                    [frame.width as usize, frame.height as usize],
                    &frame.rgba,
                );
                match &mut display.texture {
                    Some(t) => t.set(image, egui::TextureOptions::LINEAR),
                    None => {
                        display.texture = Some(ctx.load_texture("footage-player", image, egui::TextureOptions::LINEAR))
                    }
                }
                display.seq = frame.seq;
            }
        }
        if let Some(p) = &self.state.footage.exporting {
            let finished = p.result.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
            match finished {
                Some(result) => {
                    self.state.footage.export_result = Some(result);
                    self.state.footage.exporting = None;
                    self.commands.push(Command::LoadFootage);
                }
                None => ctx.request_repaint_after(Duration::from_millis(100)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privacy_lines_are_checked() {
        assert_eq!(parse_privacy("").unwrap(), []);
        assert_eq!(parse_privacy("0,0,0.25,0.25\n\n0.5, 0.5, 0.1, 0.2").unwrap().len(), 2);
        assert!(parse_privacy("0,0,2,0.25").unwrap_err().contains("第 1 行"));
        assert!(parse_privacy("0,0,0.1,0.1\n1;2").unwrap_err().contains("第 2 行"));
    }

    #[test]
    fn local_times_are_beijing_time() {
        assert_eq!(local_ms("2026-11-24", "10:30"), Some(1_795_487_400_000));
        assert_eq!(local_ms("2026-11-24", "25:00"), None);
    }
}

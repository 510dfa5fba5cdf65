//! The footage area's logic: its commands and replies, the player, and the export in progress.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};

use crate::domain::footage::{RequestKind, Span};
use crate::domain::time;
use crate::ui::context::{AreaCtx, AreaLogic};
use crate::ui::nav::{Area, NoticeLevel};
use crate::ui::worker::context::Worker;
use crate::video::export::{ExportOptions, Privacy};
use crate::video::playback::{Group, SPEEDS};

use super::jobs::{FootageJob, FootageReply};
use super::state::{
    ExportDraft, ExportProgress, FootageTab, PlaybackTrack, PlaybackView, PlayerDisplay, PlayerTile, RequestDraft,
};

/// What the footage panels ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum FootageCommand {
    Load,
    SetTab(FootageTab),
    /// Opens the request form pre-filled (times in UTC milliseconds).
    NewRequest {
        cameras: Vec<i64>,
        from: Option<i64>,
        to: Option<i64>,
        purpose: String,
        kind: RequestKind,
        case_no: Option<String>,
        complaint_no: Option<String>,
    },
    SubmitRequest,
    CancelDraft,
    CancelRequest(i64),
    Approve(i64),
    StartRefuse(i64),
    SubmitRefuse,
    CancelRefuse,
    /// Open the player on one or (synchronised, up to four) several of a request's cameras, at a
    /// moment (UTC ms).
    Play {
        request_id: i64,
        cameras: Vec<i64>,
        at: Option<i64>,
    },
    ClosePlayback,
    PlayerPlay,
    PlayerPause,
    PlayerSeek(i64),
    /// An index into `video::playback::SPEEDS`.
    PlayerSpeed(usize),
    PlayerStep,
    /// Choose the camera the playback's actions are for.
    PlayerFocus(i64),
    /// A camera's digital zoom in playback.
    PlayerZoom {
        camera_id: i64,
        zoom: crate::ui::video::Zoom,
    },
    AddBookmark,
    /// The export dialog for a request, with these of its cameras ticked.
    OpenExport {
        request_id: i64,
        cameras: Vec<i64>,
    },
    /// Show or hide the folder browser of the export dialog.
    ToggleBrowse,
    /// Go into a folder in the export dialog's browser (the clip's file name is kept).
    BrowseInto(std::path::PathBuf),
    SubmitExport,
    CancelExportDialog,
    CancelExport,
    /// From a case event: play that window's camera at that moment, or pre-fill a request.
    ForEvent {
        window_code: String,
        at: chrono::DateTime<chrono::Utc>,
        case_no: String,
    },
    NewHold,
    SubmitHold,
    CancelHold,
    LiftHold {
        id: i64,
        reason: String,
    },
}

/// The player's picture size: the panel's video area at 16:9; each of several cameras a quarter of it.
const PLAYER_SIZE: (u32, u32) = (960, 540);
const PLAYER_SIZE_SMALL: (u32, u32) = (640, 360);

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

pub struct FootageArea;

/// The context this area's logic runs in.
type Cx<'a> = AreaCtx<'a, FootageArea>;

impl AreaLogic for FootageArea {
    type State = super::state::FootageView;
    type Runtime = super::state::FootageRuntime;
    type Command = FootageCommand;
    type Job = FootageJob;
    type Reply = FootageReply;

    fn handle(cx: &mut Cx<'_>, reply: FootageReply) {
        let lang = cx.shared.lang;
        let view = &mut *cx.view;
        match reply {
            FootageReply::Data(result) => {
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
                            cx.out.send(FootageCommand::ForEvent { window_code, at, case_no });
                        }
                    }
                    Err(e) => {
                        let m = cx.out.store_error(&e);
                        cx.view.event_pending = None;
                        cx.view.error = Some(m);
                    }
                }
            }
            FootageReply::Requested(result) => match result {
                Ok(r) => {
                    view.draft = None;
                    view.draft_error = None;
                    cx.out.notify(
                        NoticeLevel::Info,
                        format!(
                            "{} {}{}",
                            r.request_no,
                            r.kind.label_zh(),
                            lang.pick("申请已提交，待审批。", " request sent for approval.")
                        ),
                    );
                    cx.out.send(FootageCommand::Load);
                }
                Err(e) => {
                    let m = cx.out.store_error(&e);
                    cx.view.draft_error = Some(m);
                }
            },
            FootageReply::Decided(result) => match result {
                Ok(r) => {
                    view.refusing = None;
                    let now = cx.shared.now;
                    let state = lang.pick(r.state_zh(now), r.state_en(now));
                    cx.out.notify(NoticeLevel::Info, format!("{} {state}", r.request_no));
                    cx.out.send(FootageCommand::Load);
                }
                Err(e) => {
                    let m = cx.out.store_error(&e);
                    cx.out.notify(NoticeLevel::Error, m);
                }
            },
            FootageReply::Granted(result) => match result {
                Ok(opened) => {
                    let grants = opened.grants;
                    let span = grants.span;
                    // Recorded runs and gaps, once per grant (the timeline draws them every frame).
                    let tracks: Vec<PlaybackTrack> = grants
                        .tracks
                        .iter()
                        .map(|track| {
                            let infos: Vec<crate::domain::footage::SegmentInfo> = track
                                .segments
                                .iter()
                                .map(|s| crate::domain::footage::SegmentInfo {
                                    id: 0,
                                    camera: 0,
                                    span: s.span,
                                    bytes: 0,
                                })
                                .collect();
                            let runs = crate::domain::footage::recorded_runs(&infos, 1_500);
                            let gaps = crate::domain::footage::gaps(&runs, span);
                            let runs = runs.iter().map(|r| r.clamp_to(span)).filter(|r| !r.is_empty()).collect();
                            PlaybackTrack { camera_id: track.camera_id, runs, gaps, zoom: Default::default() }
                        })
                        .collect();
                    let size = if tracks.len() > 1 { PLAYER_SIZE_SMALL } else { PLAYER_SIZE };
                    cx.runtime.players = Some(Group::start(
                        grants.tracks.iter().map(|t| (opened.root.clone(), t.segments.clone())).collect(),
                        span,
                        opened.at,
                        size,
                        repaint_notify(cx),
                        cx.runtime.clock.clone(),
                    ));
                    cx.view.playback = Some(PlaybackView {
                        camera_id: tracks.first().map_or(0, |t| t.camera_id),
                        request: grants.request,
                        span,
                        tracks,
                        events: opened.events,
                        bookmarks: Vec::new(),
                        start_at: opened.at,
                    });
                    cx.view.tab = FootageTab::Playback;
                }
                Err(e) => {
                    let m = cx.out.store_error(&e);
                    cx.out.notify(NoticeLevel::Error, m);
                }
            },
            FootageReply::Exported(Err(e)) => {
                view.exporting = None;
                let m = cx.out.job_error(&e);
                cx.view.export_result = Some(Err(m));
            }
            FootageReply::Exported(Ok(())) => {}
            FootageReply::Drives(drives) => {
                if let Some(draft) = view.export.as_mut() {
                    let home = dirs::home_dir().unwrap_or_default().join(&draft.file).display().to_string();
                    if let Some(first) = drives.first()
                        && draft.destination == home
                    {
                        draft.destination = first.join(&draft.file).display().to_string();
                    }
                    draft.drives = Some(drives);
                }
            }
            FootageReply::Folders(listing) => {
                if let Some(draft) = view.export.as_mut() {
                    draft.folders = Some(listing);
                }
            }
            FootageReply::HoldChanged(result) => match result {
                Ok(_) => {
                    view.hold_draft = None;
                    cx.out.send(FootageCommand::Load);
                }
                Err(e) => {
                    let m = cx.out.store_error(&e);
                    cx.out.notify(NoticeLevel::Error, m);
                }
            },
        }
    }

    fn apply(cx: &mut Cx<'_>, command: FootageCommand) {
        let lang = cx.shared.lang;
        let session = cx.shared.session();
        let now = cx.shared.now;
        match command {
            FootageCommand::Load => {
                if let Some(s) = session {
                    cx.view.loading = true;
                    cx.out.submit(FootageJob::Load { session: s });
                }
            }
            FootageCommand::SetTab(tab) => cx.view.tab = tab,
            FootageCommand::NewRequest { cameras, from, to, purpose, kind, case_no, complaint_no } => {
                let default_to = now.timestamp_millis();
                let (from, to) = (from.unwrap_or(default_to - 20 * 60_000), to.unwrap_or(default_to));
                let start = chrono::DateTime::from_timestamp_millis(from).unwrap_or(now);
                let end = chrono::DateTime::from_timestamp_millis(to).unwrap_or(now);
                cx.view.draft = Some(RequestDraft {
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
                cx.view.draft_error = None;
                cx.view.tab = FootageTab::Requests;
            }
            FootageCommand::SubmitRequest => {
                let (Some(s), Some(d)) = (session, cx.view.draft.clone()) else { return };
                let (Some(from), Some(to)) = (local_ms(&d.date, &d.from), local_ms(&d.date, &d.to)) else {
                    cx.view.draft_error = Some(
                        lang.pick_owned("日期应为 YYYY-MM-DD，时间应为 HH:MM", "Date as YYYY-MM-DD, times as HH:MM"),
                    );
                    return;
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
                cx.out.submit(FootageJob::Request { session: s, request });
            }
            FootageCommand::CancelDraft => cx.view.draft = None,
            FootageCommand::CancelRequest(id) => {
                if let Some(s) = session {
                    cx.out.submit(FootageJob::CancelRequest { session: s, id });
                }
            }
            FootageCommand::Approve(id) => {
                if let Some(s) = session {
                    cx.out.submit(FootageJob::Decide { session: s, id, approve: true, note: String::new() });
                }
            }
            FootageCommand::StartRefuse(id) => cx.view.refusing = Some((id, String::new())),
            FootageCommand::SubmitRefuse => {
                if let (Some(s), Some((id, reason))) = (session, cx.view.refusing.clone()) {
                    cx.out.submit(FootageJob::Decide { session: s, id, approve: false, note: reason });
                }
            }
            FootageCommand::CancelRefuse => cx.view.refusing = None,
            FootageCommand::Play { request_id, cameras, at } => {
                let span =
                    cx.view.requests.as_ref().and_then(|r| r.iter().find(|r| r.id == request_id)).map(|r| r.span);
                if let (Some(s), Some(span)) = (session, span) {
                    close_player(cx);
                    let cameras = cameras.into_iter().take(Group::MAX).collect();
                    cx.out.submit(FootageJob::Open { session: s, request_id, cameras, span, at });
                }
            }
            FootageCommand::ClosePlayback => {
                close_player(cx);
                cx.view.playback = None;
                cx.view.tab = FootageTab::Requests;
            }
            FootageCommand::PlayerPlay => cx.runtime.players.iter().for_each(Group::play),
            FootageCommand::PlayerPause => cx.runtime.players.iter().for_each(Group::pause),
            FootageCommand::PlayerSeek(at) => cx.runtime.players.iter().for_each(|p| p.seek(at)),
            FootageCommand::PlayerSpeed(i) => {
                cx.runtime.players.iter().for_each(|p| p.set_speed(SPEEDS[i.min(SPEEDS.len() - 1)]))
            }
            FootageCommand::PlayerStep => cx.runtime.players.iter().for_each(Group::step),
            FootageCommand::PlayerFocus(camera_id) => {
                if let Some(view) = cx.view.playback.as_mut()
                    && view.tracks.iter().any(|t| t.camera_id == camera_id)
                {
                    view.camera_id = camera_id;
                }
            }
            FootageCommand::PlayerZoom { camera_id, zoom } => {
                if let Some(track) =
                    cx.view.playback.as_mut().and_then(|v| v.tracks.iter_mut().find(|t| t.camera_id == camera_id))
                {
                    track.zoom = zoom;
                }
            }
            FootageCommand::AddBookmark => {
                if let (Some(p), Some(view)) = (&cx.view.player, cx.view.playback.as_mut()) {
                    let label =
                        time::format_local(chrono::DateTime::from_timestamp_millis(p.position_ms).unwrap_or(now));
                    view.bookmarks.push((p.position_ms, label));
                    view.bookmarks.sort();
                }
            }
            FootageCommand::OpenExport { request_id, cameras } => {
                let request = cx.view.requests.as_ref().and_then(|r| r.iter().find(|r| r.id == request_id));
                let request_no = request.map(|r| r.request_no.clone()).unwrap_or_default();
                let all = request.map(|r| r.cameras.clone()).unwrap_or_else(|| cameras.clone());
                let home = dirs::home_dir().unwrap_or_default();
                let file = match cameras.as_slice() {
                    [one] => format!("{}-camera{one}.mp4", request_no.replace(['〔', '〕'], "-")),
                    _ => format!("{}.mp4", request_no.replace(['〔', '〕'], "-")),
                };
                cx.view.export = Some(ExportDraft {
                    request_id,
                    request_no,
                    cameras: all.iter().map(|c| (*c, cameras.contains(c))).collect(),
                    destination: home.join(&file).display().to_string(),
                    file,
                    watermark: true,
                    privacy: String::new(),
                    browsing: false,
                    drives: None,
                    folders: None,
                });
                cx.view.export_result = None;
                // Removable drives are where copies usually go: listed by the worker, the first one chosen.
                cx.out.submit(FootageJob::Drives);
            }
            FootageCommand::ToggleBrowse => {
                let Some(draft) = cx.view.export.as_mut() else { return };
                draft.browsing = !draft.browsing;
                if draft.browsing {
                    let destination = draft.destination.clone();
                    cx.out.submit(FootageJob::Folders { destination });
                }
            }
            FootageCommand::BrowseInto(dir) => {
                let Some(draft) = cx.view.export.as_mut() else { return };
                draft.destination = dir.join(&draft.file).display().to_string();
                let destination = draft.destination.clone();
                cx.out.submit(FootageJob::Folders { destination });
            }
            FootageCommand::SubmitExport => {
                let (Some(s), Some(d)) = (session, cx.view.export.clone()) else { return };
                let privacy = match parse_privacy(&d.privacy) {
                    Ok(p) => p,
                    Err(e) => {
                        cx.view.export_result = Some(Err(e));
                        return;
                    }
                };
                let cameras: Vec<i64> = d.cameras.iter().filter(|(_, on)| *on).map(|(c, _)| *c).collect();
                if cameras.is_empty() || cameras.len() > crate::store::MAX_GRANT_CAMERAS {
                    cx.view.export_result =
                        Some(Err(lang.pick_owned("请选择 1–4 路摄像头", "Choose one to four cameras")));
                    return;
                }
                let out = std::path::PathBuf::from(d.destination.trim());
                if out.as_os_str().is_empty() || out.extension().is_none_or(|e| e != "mp4") {
                    cx.view.export_result =
                        Some(Err(lang.pick_owned("请给出以 .mp4 结尾的文件路径", "Give a file path ending in .mp4")));
                    return;
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
                cx.view.exporting = Some(progress.clone());
                cx.view.export = None;
                cx.view.export_result = None;
                cx.out.submit(FootageJob::Export {
                    session: s,
                    request_id: d.request_id,
                    cameras,
                    out,
                    options: ExportOptions { watermark, privacy },
                    progress,
                });
            }
            FootageCommand::CancelExportDialog => cx.view.export = None,
            FootageCommand::CancelExport => {
                if let Some(p) = &cx.view.exporting {
                    p.cancel.store(true, Ordering::SeqCst);
                }
            }
            FootageCommand::ForEvent { window_code, at, case_no } => {
                cx.out.console(crate::ui::command::Command::Navigate(Area::Footage));
                let camera = cx
                    .shared
                    .directory
                    .as_ref()
                    .and_then(|d| d.cameras.iter().find(|c| c.window_code.as_deref() == Some(window_code.as_str())))
                    .map(|c| c.id);
                let Some(camera) = camera else {
                    cx.out.notify(
                        NoticeLevel::Warning,
                        format!("{window_code} {}", lang.pick("窗口没有摄像头。", "has no camera.")),
                    );
                    return;
                };
                let moment = at.timestamp_millis();
                let Some(requests) = cx.view.requests.as_ref() else {
                    // Decide once the user's requests are known: an approved one plays at once.
                    cx.view.event_pending = Some((window_code, at, case_no));
                    cx.out.send(FootageCommand::Load);
                    return;
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
                    Some(r) => {
                        cx.out.send(FootageCommand::Play { request_id: r.id, cameras: vec![camera], at: Some(moment) })
                    }
                    None => {
                        cx.out.send(FootageCommand::NewRequest {
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
            FootageCommand::NewHold => {
                let camera = cx.view.playback.as_ref().map(|p| p.camera_id).unwrap_or(1);
                let today = time::local_date(now).to_string();
                cx.view.hold_draft = Some((camera, today, "09:00".into(), "10:00".into(), String::new()));
            }
            FootageCommand::SubmitHold => {
                let (Some(s), Some((camera_id, date, from, to, reason))) = (session, cx.view.hold_draft.clone()) else {
                    return;
                };
                let (Some(from), Some(to)) = (local_ms(&date, &from), local_ms(&date, &to)) else {
                    cx.out.notify(
                        NoticeLevel::Warning,
                        lang.pick_owned("日期应为 YYYY-MM-DD，时间应为 HH:MM", "Date as YYYY-MM-DD, times as HH:MM"),
                    );
                    return;
                };
                cx.out.submit(FootageJob::PlaceHold { session: s, camera_id, span: Span { from, to }, reason });
            }
            FootageCommand::CancelHold => cx.view.hold_draft = None,
            FootageCommand::LiftHold { id, reason } => {
                if let Some(s) = session {
                    cx.out.submit(FootageJob::LiftHold { session: s, id, reason });
                }
            }
        }
    }

    fn run(worker: &mut Worker, job: FootageJob) -> FootageReply {
        super::jobs::run(worker, job)
    }

    fn navigated(cx: &mut Cx<'_>, area: Area) {
        if area == Area::Footage && cx.view.requests.is_none() && !cx.view.loading {
            cx.out.send(FootageCommand::Load);
        }
    }

    /// Each frame: the player's picture into a texture, and the export's end.
    fn frame(cx: &mut Cx<'_>) {
        if let (Some(group), Some(view)) = (&cx.runtime.players, &cx.view.playback) {
            let display = cx.view.player.get_or_insert_with(|| PlayerDisplay {
                status: group.status(),
                position_ms: group.position_ms(),
                speed: group.speed(),
                tiles: Vec::new(),
            });
            display.status = group.status();
            display.position_ms = group.position_ms();
            display.speed = group.speed();
            for (i, (player, track)) in group.players().iter().zip(&view.tracks).enumerate() {
                if display.tiles.len() <= i {
                    display.tiles.push(PlayerTile {
                        camera_id: track.camera_id,
                        texture: None,
                        seq: 0,
                        status: player.shared().status(),
                        position_ms: player.shared().position_ms(),
                    });
                }
                let tile = &mut display.tiles[i];
                let shared = player.shared();
                tile.status = shared.status();
                tile.position_ms = shared.position_ms();
                if let Some(frame) = shared.frame()
                    && frame.seq != tile.seq
                    && let Some(rgba) = frame.rgba()
                {
                    let image =
                        egui::ColorImage::from_rgba_unmultiplied([frame.width as usize, frame.height as usize], &rgba);
                    match &mut tile.texture {
                        Some(t) => t.set(image, egui::TextureOptions::LINEAR),
                        None => {
                            let name = format!("footage-player-{}", track.camera_id);
                            tile.texture = Some(cx.egui.load_texture(name, image, egui::TextureOptions::LINEAR));
                        }
                    }
                    tile.seq = frame.seq;
                }
            }
            if display.status == crate::video::playback::PlayerStatus::Playing {
                // The head moves between frames too (the timeline and the clock follow it).
                cx.egui.request_repaint_after(Duration::from_millis(100));
            }
        }
        if let Some(p) = &cx.view.exporting {
            let finished = p.result.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
            match finished {
                Some(result) => {
                    let result = result.map_err(|e| cx.out.job_error(&e));
                    cx.view.export_result = Some(result);
                    cx.view.exporting = None;
                    cx.out.send(FootageCommand::Load);
                }
                None => cx.egui.request_repaint_after(Duration::from_millis(100)),
            }
        }
    }
}

fn repaint_notify(cx: &Cx<'_>) -> crate::video::decoder::Notify {
    let ctx = cx.egui.clone();
    Arc::new(move || ctx.request_repaint())
}

/// Stops the player without waiting for its thread (it may be in the middle of a seek).
fn close_player(cx: &mut Cx<'_>) {
    if let Some(player) = cx.runtime.players.take() {
        player.close();
    }
    cx.view.player = None;
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

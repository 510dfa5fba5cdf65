//! The video wall's logic: the layout (tiles, pages, touring, cameras in slots), full screen, the
//! second screen, snapshots and the 记录违纪 dialog, and the decoders of what is on screen.

use std::time::Duration;

use crate::ui::context::{AreaCtx, AreaLogic};
use crate::ui::nav::Area;
use crate::ui::worker::context::Worker;

use super::jobs::{SnapshotRequest, WallJob, WallReply};
use super::state::DisciplineDraft;

/// What the wall's panels ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WallCommand {
    /// Tiles per page (1, 4, 9, 16, 25).
    SetTiles(usize),
    SetPage(usize),
    /// Put a camera into a slot of the current page (dragged from the camera list).
    Assign {
        slot: usize,
        camera_id: Option<i64>,
    },
    /// Watch one camera full screen on the main stream; `None` returns to the wall.
    Fullscreen(Option<i64>),
    SetTouring(bool),
    SetTourSecs(u32),
    ToggleCameraList,
    SetSecondWindow(bool),
    /// Save the tile's current frame as evidence.
    Snapshot(i64),
    /// Open the "记录违纪" dialog for a camera (its frame is kept now).
    StartDiscipline(i64),
    SubmitDiscipline,
    CancelDiscipline,
    LoadEvidence,
}

pub struct WallArea;

/// The context this area's logic runs in.
type Cx<'a> = AreaCtx<'a, WallArea>;

impl AreaLogic for WallArea {
    type State = super::state::WallView;
    type Runtime = super::runner::WallRuntime;
    type Command = WallCommand;
    type Job = WallJob;
    type Reply = WallReply;

    fn apply(cx: &mut Cx<'_>, command: WallCommand) {
        match command {
            WallCommand::SetTiles(n) => {
                let wall = &mut *cx.view;
                // Keep the first camera of the current page on screen.
                let first = wall.page * wall.layout.tiles;
                wall.layout.tiles = n;
                wall.page = first / n;
                wall.fullscreen = None;
            }
            WallCommand::SetPage(page) => {
                cx.view.page = page.min(cx.view.pages().saturating_sub(1));
                cx.view.tour_page_since = Some(cx.shared.monotonic);
            }
            WallCommand::Assign { slot, camera_id } => {
                let slots = &mut cx.view.layout.slots;
                if let Some(id) = camera_id {
                    // A camera lives in one slot: move it.
                    for s in slots.iter_mut() {
                        if *s == Some(id) {
                            *s = None;
                        }
                    }
                }
                if slots.len() <= slot {
                    slots.resize(slot + 1, None);
                }
                slots[slot] = camera_id;
            }
            WallCommand::Fullscreen(camera) => cx.view.fullscreen = camera,
            WallCommand::SetTouring(on) => {
                cx.view.touring = on;
                cx.view.tour_page_since = Some(cx.shared.monotonic);
            }
            WallCommand::SetTourSecs(secs) => cx.view.layout.tour_secs = secs.clamp(5, 600),
            WallCommand::ToggleCameraList => cx.view.camera_list_open = !cx.view.camera_list_open,
            WallCommand::SetSecondWindow(on) => cx.view.second_window = on,
            WallCommand::Snapshot(camera_id) => snapshot(cx, camera_id, None),
            WallCommand::StartDiscipline(camera_id) => {
                let Some(camera) =
                    cx.shared.directory.as_ref().and_then(|d| d.cameras.iter().find(|c| c.id == camera_id)).cloned()
                else {
                    return;
                };
                if cx.runtime.runner.frame(camera_id).is_none() {
                    cx.view.last_snapshot = Some(Err(cx
                        .shared
                        .lang
                        .pick_owned("还没有画面，无法取证", "No picture yet to keep as evidence")));
                    return;
                }
                let (staff_no, staff_name) = on_duty(cx, &camera);
                cx.runtime.pending_frame = cx.runtime.runner.frame(camera_id);
                cx.view.discipline = Some(DisciplineDraft {
                    camera_id,
                    camera_name: camera.name.clone(),
                    window_code: camera.window_code.clone(),
                    staff_no,
                    staff_name,
                    taken_at: cx.shared.now,
                    category: 0,
                    note: String::new(),
                });
            }
            WallCommand::SubmitDiscipline => {
                if let Some(draft) = cx.view.discipline.take() {
                    let category =
                        crate::domain::model::DISCIPLINE_CATEGORIES.get(draft.category).map(|c| (*c).to_owned());
                    snapshot(cx, draft.camera_id, Some((draft, category)));
                }
            }
            WallCommand::CancelDiscipline => {
                cx.view.discipline = None;
                cx.runtime.pending_frame = None;
            }
            WallCommand::LoadEvidence => {
                if let Some(s) = cx.shared.session() {
                    cx.out.submit(WallJob::Evidence(s));
                }
            }
        }
    }

    fn handle(cx: &mut Cx<'_>, reply: WallReply) {
        let lang = cx.shared.lang;
        match reply {
            WallReply::Snapshot(result) => {
                cx.view.last_snapshot = Some(match result {
                    Ok(e) => Ok(format!(
                        "{} {}（SHA-256 {}…）",
                        if e.evidence.for_discipline {
                            lang.pick("已记录违纪线索", "Recorded for discipline:")
                        } else {
                            lang.pick("已保存截图", "Snapshot saved:")
                        },
                        e.evidence.path,
                        &e.evidence.sha256[..12]
                    )),
                    Err(e) => Err(cx.out.job_error(&e)),
                });
                if cx.view.evidence.is_some() {
                    cx.out.send(WallCommand::LoadEvidence);
                }
            }
            WallReply::Evidence(Ok(list)) => cx.view.evidence = Some(list),
            WallReply::Evidence(Err(e)) => {
                let m = cx.out.store_error(&e);
                cx.out.notify(crate::ui::nav::NoticeLevel::Error, m);
            }
            WallReply::Watching(Ok(n)) => cx.view.watching = Some(n),
            WallReply::Watching(Err(e)) => tracing::warn!("camera watchers: {e}"),
        }
    }

    fn run(worker: &mut Worker, job: WallJob) -> WallReply {
        super::jobs::run(worker, job)
    }

    /// The wall: first filling of the slots, touring, and the decoders of what is on screen.
    fn frame(cx: &mut Cx<'_>) {
        // The camera watchers of live-only cameras (Art 11(8)) run in the data worker's threads;
        // their configuration is read again every minute.
        if let Some(session) = cx.shared.session()
            && cx
                .view
                .watch_checked
                .is_none_or(|t| cx.shared.monotonic.saturating_duration_since(t) >= Duration::from_secs(60))
        {
            cx.view.watch_checked = Some(cx.shared.monotonic);
            cx.out.submit(WallJob::Watch(session));
        }
        let cameras = cx.shared.directory.as_ref().map(|d| d.cameras.clone()).unwrap_or_default();
        let wall = &mut *cx.view;
        // Cameras added or retired since (系统管理, a hall file): retired ones leave their slots, new
        // ones take the first free slot or a new one at the end.
        let ids: Vec<i64> = cameras.iter().map(|c| c.id).collect();
        if wall.initialised && ids != wall.known_cameras {
            for slot in &mut wall.layout.slots {
                if slot.is_some_and(|id| !ids.contains(&id)) {
                    *slot = None;
                }
            }
            for id in ids.iter().filter(|id| !wall.known_cameras.contains(id)) {
                if wall.layout.slots.contains(&Some(*id)) {
                    continue;
                }
                match wall.layout.slots.iter_mut().find(|s| s.is_none()) {
                    Some(free) => *free = Some(*id),
                    None => wall.layout.slots.push(Some(*id)),
                }
            }
            if wall.fullscreen.is_some_and(|id| !ids.contains(&id)) {
                wall.fullscreen = None;
            }
        }
        if !cameras.is_empty() || wall.initialised {
            wall.known_cameras = ids;
        }
        if !wall.initialised && !cameras.is_empty() {
            wall.initialised = true;
            let known: Vec<i64> = cameras.iter().map(|c| c.id).collect();
            wall.layout.slots.retain(|s| s.is_none_or(|id| known.contains(&id)));
            if wall.layout.slots.iter().all(Option::is_none) {
                let mut ordered = cameras.clone();
                ordered.sort_by(|a, b| {
                    (a.window_code.is_none(), &a.window_code, a.id).cmp(&(
                        b.window_code.is_none(),
                        &b.window_code,
                        b.id,
                    ))
                });
                wall.layout.slots = ordered.iter().map(|c| Some(c.id)).collect();
            }
        }
        if wall.touring && wall.fullscreen.is_none() && wall.pages() > 1 {
            let since = *wall.tour_page_since.get_or_insert(cx.shared.monotonic);
            if cx.shared.monotonic.saturating_duration_since(since)
                >= Duration::from_secs(u64::from(wall.layout.tour_secs))
            {
                wall.page = (wall.page + 1) % wall.pages();
                wall.tour_page_since = Some(cx.shared.monotonic);
            }
            cx.egui.request_repaint_after(Duration::from_millis(500));
        }
        let on_screen = cx.shared.session.is_some()
            && cx.shared.on_main_screen
            && (cx.shared.area == Area::Wall || wall.second_window);
        cx.runtime.runner.step(cx.egui, &mut *cx.view, &cameras, on_screen);
    }
}

/// The staff member on duty at a camera's window (the first who punched in today).
fn on_duty(cx: &Cx<'_>, camera: &crate::domain::model::Camera) -> (Option<String>, Option<String>) {
    let Some(dir) = &cx.shared.directory else { return (None, None) };
    let window = camera.window_code.as_ref();
    let on_duty_name = cx.shared.overview.as_ref().and_then(|o| {
        o.window_load
            .iter()
            .find(|l| Some(&l.window_code) == window && l.hall_code == camera.hall_code)
            .and_then(|l| l.on_duty.first().cloned())
    });
    let staff = dir
        .staff
        .iter()
        .filter(|s| s.window.as_ref() == window && window.is_some())
        .find(|s| on_duty_name.as_ref().is_none_or(|n| &s.name == n));
    (staff.map(|s| s.staff_no.clone()), staff.map(|s| s.name.clone()))
}

/// Keeps a camera's current frame (or the one held for the discipline dialog) as evidence.
fn snapshot(cx: &mut Cx<'_>, camera_id: i64, discipline: Option<(DisciplineDraft, Option<String>)>) {
    let Some(session) = cx.shared.session() else { return };
    let frame = if discipline.is_some() {
        cx.runtime.pending_frame.take().or_else(|| cx.runtime.runner.frame(camera_id))
    } else {
        cx.runtime.runner.frame(camera_id)
    };
    let Some(frame) = frame else {
        cx.view.last_snapshot =
            Some(Err(cx.shared.lang.pick_owned("还没有画面，无法截图", "No picture yet to snapshot")));
        return;
    };
    let Some(camera) = cx.shared.directory.as_ref().and_then(|d| d.cameras.iter().find(|c| c.id == camera_id)).cloned()
    else {
        return;
    };
    let (staff_no, _) = on_duty(cx, &camera);
    let (taken_at, for_discipline, category, note, staff_no) = match discipline {
        Some((draft, category)) => (draft.taken_at, true, category, draft.note, draft.staff_no),
        None => (frame.received_at, false, None, String::new(), staff_no),
    };
    let request = SnapshotRequest {
        session,
        frame,
        camera_id,
        taken_at,
        window_code: camera.window_code.clone(),
        staff_no,
        for_discipline,
        category,
        note,
    };
    cx.out.submit(WallJob::Snapshot(Box::new(request)));
}

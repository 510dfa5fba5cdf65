//! The alert area's logic: loading and refreshing the list (new red alerts announced), the case
//! detail, the notice/close/reply dialog, notices and daily checks.

use std::collections::HashSet;
use std::time::Duration;

use crate::domain::alerts::Level;
use crate::domain::time;
use crate::store::{AlertRow, AlertState, NewNotice, StoreError};
use crate::ui::command::Command;
use crate::ui::context::{AreaCtx, AreaLogic};
use crate::ui::nav::{Area, NoticeLevel};
use crate::ui::worker::context::Worker;

use super::jobs::{ActionDone, AlertsJob, AlertsReply};
use super::state::{AlertDialog, AlertsTab, CaseView};

/// How often alerts are re-evaluated for time-driven changes.
const ALERT_REFRESH: Duration = Duration::from_secs(30);

/// What the alert area's panels ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertsCommand {
    /// Refresh (time-driven re-evaluation) and reload the alert list.
    Load,
    /// The hall changed (another workstation, the approval system): take what changed among the alerts
    /// into the list, in proportion to what changed.
    Follow,
    /// Go to the alert list showing only this level (all levels with `None`).
    Show(Option<Level>),
    SetTab(AlertsTab),
    Select(Option<i64>),
    /// Open the case detail (inside the alert area).
    OpenCase(String),
    CloseCase,
    OpenDialog(AlertDialog),
    CancelDialog,
    /// Carry out the open dialog (issue the notice, close the alert, record the reply).
    SubmitDialog,
    LoadNotices,
    LoadDailyChecks,
    /// Run today's data check.
    RunDailyCheck,
}

pub struct AlertsArea;

/// The context this area's logic runs in.
type Cx<'a> = AreaCtx<'a, AlertsArea>;

impl AreaLogic for AlertsArea {
    type State = super::state::AlertsView;
    type Runtime = ();
    type Command = AlertsCommand;
    type Job = AlertsJob;
    type Reply = AlertsReply;

    fn apply(cx: &mut Cx<'_>, command: AlertsCommand) {
        let Some(session) = cx.shared.session() else { return };
        match command {
            AlertsCommand::Load => {
                if !cx.view.loading {
                    cx.view.loading = true;
                    cx.view.last_refresh = Some(cx.shared.monotonic);
                    cx.out.submit(AlertsJob::Alerts(session));
                }
            }
            AlertsCommand::Follow => {
                if cx.view.loading || cx.view.following {
                    cx.view.follow_again = true;
                } else if cx.view.loaded {
                    cx.view.following = true;
                    cx.out.submit(AlertsJob::Changes { session, since: cx.view.revision });
                }
            }
            AlertsCommand::Show(level) => {
                let filter = &mut cx.view.filter;
                filter.levels = match level {
                    Some(Level::Red) => [true, false, false],
                    Some(Level::Orange) => [false, true, false],
                    Some(Level::Yellow) => [false, false, true],
                    None => [true; 3],
                };
                cx.view.tab = AlertsTab::List;
                cx.view.case = None;
                cx.out.console(Command::Navigate(Area::Alerts));
            }
            AlertsCommand::SetTab(tab) => {
                cx.view.tab = tab;
                match tab {
                    AlertsTab::Notices => cx.out.send(AlertsCommand::LoadNotices),
                    AlertsTab::DailyChecks => cx.out.send(AlertsCommand::LoadDailyChecks),
                    AlertsTab::List => {}
                }
            }
            AlertsCommand::Select(id) => {
                cx.view.selected = id;
                cx.view.scroll_to_selected = id.is_some();
            }
            AlertsCommand::OpenCase(case_no) => {
                cx.out.console(crate::ui::command::Command::Navigate(Area::Alerts));
                cx.view.case = Some(CaseView { case_no: case_no.clone(), detail: None, error: None });
                cx.out.submit(AlertsJob::CaseDetail { session, case_no });
            }
            AlertsCommand::CloseCase => cx.view.case = None,
            AlertsCommand::OpenDialog(dialog) => {
                cx.view.finding_pictures.0.clear();
                if let AlertDialog::DecideFinding { snapshots, .. } = &dialog
                    && !snapshots.is_empty()
                {
                    cx.out.submit(AlertsJob::Snapshots { session, ids: snapshots.clone() });
                }
                cx.view.dialog = Some(dialog);
                cx.view.dialog_error = None;
            }
            AlertsCommand::CancelDialog => {
                cx.view.dialog = None;
                cx.view.dialog_error = None;
            }
            AlertsCommand::SubmitDialog => {
                let Some(dialog) = cx.view.dialog.clone() else { return };
                let job = match dialog {
                    AlertDialog::IssueNotice { alert_id, text } => {
                        AlertsJob::IssueNotice { session, notice: NewNotice { alert_id, text } }
                    }
                    AlertDialog::Close { alert_id, reason } => AlertsJob::CloseAlert { session, alert_id, reason },
                    AlertDialog::Reply { notice_id, text, .. } => {
                        AlertsJob::RecordReply { session, notice_id, reply: text }
                    }
                    AlertDialog::DecideFinding { finding_id, confirm, text, .. } => AlertsJob::DecideFinding {
                        session,
                        finding_id,
                        decision: if confirm {
                            crate::domain::watch::FindingDecision::Confirmed
                        } else {
                            crate::domain::watch::FindingDecision::Dismissed
                        },
                        note: text,
                    },
                };
                cx.view.action_pending = true;
                cx.out.submit(job);
            }
            AlertsCommand::LoadNotices => cx.out.submit(AlertsJob::Notices(session)),
            AlertsCommand::LoadDailyChecks => cx.out.submit(AlertsJob::DailyChecks(session)),
            AlertsCommand::RunDailyCheck => {
                cx.view.daily_running = true;
                let day = time::local_date(cx.shared.now);
                cx.out.submit(AlertsJob::DailyCheck { session, day });
            }
        }
    }

    fn handle(cx: &mut Cx<'_>, reply: AlertsReply) {
        let lang = cx.shared.lang;
        match reply {
            AlertsReply::Alerts(result) => {
                alerts_loaded(cx, result);
                if std::mem::take(&mut cx.view.follow_again) {
                    cx.out.send(AlertsCommand::Follow);
                }
            }
            AlertsReply::Changes(result) => {
                cx.view.following = false;
                match result {
                    Ok(changes) if changes.reload => cx.out.send(AlertsCommand::Load),
                    Ok(changes) => alerts_followed(cx, changes),
                    // Offline or refused: the next change, or the half-minute reload, tries again.
                    Err(e) => tracing::debug!(error = %e, "following the alerts"),
                }
                if std::mem::take(&mut cx.view.follow_again) {
                    cx.out.send(AlertsCommand::Follow);
                }
            }
            AlertsReply::Snapshots(result) => match result {
                Ok(images) => {
                    let ctx = cx.egui.clone();
                    cx.view.finding_pictures.0 = images
                        .into_iter()
                        .map(|(id, image)| {
                            (id, ctx.load_texture(format!("finding-{id}"), image, egui::TextureOptions::LINEAR))
                        })
                        .collect();
                }
                Err(e) => {
                    let m = cx.out.job_error(&e);
                    cx.view.dialog_error = Some(m);
                }
            },
            AlertsReply::CaseDetail(result) => {
                let error = result.as_ref().err().map(|e| cx.out.store_error(e));
                if let Some(view) = &mut cx.view.case {
                    match result {
                        Ok(detail) if detail.summary.case_no == view.case_no => {
                            view.detail = Some(*detail);
                            view.error = None;
                        }
                        Ok(_) => {}
                        Err(_) => view.error = error,
                    }
                }
            }
            AlertsReply::Action(result) => {
                cx.view.action_pending = false;
                match result {
                    Ok(done) => {
                        cx.view.dialog = None;
                        cx.view.dialog_error = None;
                        let message = match &done {
                            ActionDone::Closed(a) => {
                                format!("{} {}", lang.pick("已关闭预警", "Alert closed:"), a.case_no)
                            }
                            ActionDone::NoticeIssued(n) => format!(
                                "{} {}，{} {}",
                                lang.pick("已发出督办通知", "Notice issued:"),
                                n.notice_no,
                                lang.pick("答复期限", "due"),
                                n.due_date
                            ),
                            ActionDone::Replied(n) => {
                                format!("{} {}", lang.pick("已记录答复", "Reply recorded:"), n.notice_no)
                            }
                            ActionDone::Decided(f) => match f.observation_id {
                                Some(id) => format!(
                                    "{} #{id}（{}）",
                                    lang.pick("已确认，记为违纪观察", "Confirmed as observation"),
                                    f.kind.category()
                                ),
                                None => lang.pick("已排除该检测结果", "Finding dismissed").to_owned(),
                            },
                        };
                        cx.view.finding_pictures.0.clear();
                        cx.out.notify(NoticeLevel::Info, message);
                        cx.out.send(AlertsCommand::Load);
                        if cx.view.notices.is_some() {
                            cx.out.send(AlertsCommand::LoadNotices);
                        }
                        if let (Some(case_no), Some(session)) =
                            (cx.view.case.as_ref().map(|c| c.case_no.clone()), cx.shared.session())
                        {
                            cx.out.submit(AlertsJob::CaseDetail { session, case_no });
                        }
                    }
                    // Offline: kept in the outbox; the dialog is done (sending it again would queue it twice).
                    Err(e @ StoreError::Queued(_)) => {
                        cx.view.dialog = None;
                        cx.view.dialog_error = None;
                        cx.out.notify(NoticeLevel::Info, e.to_string());
                    }
                    Err(e) => {
                        let m = cx.out.store_error(&e);
                        cx.view.dialog_error = Some(m);
                    }
                }
            }
            AlertsReply::Notices(Ok(list)) => cx.view.notices = Some(list),
            AlertsReply::DailyChecks(Ok(list)) => cx.view.daily_checks = Some(list),
            AlertsReply::Notices(Err(e)) | AlertsReply::DailyChecks(Err(e)) => {
                let m = cx.out.store_error(&e);
                cx.out.notify(NoticeLevel::Error, m);
            }
            AlertsReply::DailyCheck(result) => {
                cx.view.daily_running = false;
                match result {
                    Ok(c) => {
                        cx.out.notify(
                            NoticeLevel::Info,
                            format!(
                                "{} {}：{} {}（{} {} / {} {} / {} {}），{} {}",
                                c.day,
                                lang.pick("数据检查完成", "data check done"),
                                c.open_alerts,
                                lang.pick("条预警", "alerts"),
                                lang.pick("红", "red"),
                                c.red,
                                lang.pick("橙", "orange"),
                                c.orange,
                                lang.pick("黄", "yellow"),
                                c.yellow,
                                lang.pick("报告", "report"),
                                c.report_path
                            ),
                        );
                        cx.out.console(Command::RefreshOverview);
                        cx.out.send(AlertsCommand::LoadDailyChecks);
                    }
                    Err(e) => {
                        let m = cx.out.job_error(&e);
                        cx.out.notify(NoticeLevel::Error, m);
                    }
                }
            }
        }
    }

    fn run(worker: &mut Worker, job: AlertsJob) -> AlertsReply {
        super::jobs::run(worker, job)
    }

    fn is_offline(reply: &AlertsReply) -> bool {
        match reply {
            AlertsReply::Alerts(Err(e)) | AlertsReply::Changes(Err(e)) | AlertsReply::Action(Err(e)) => e.is_offline(),
            _ => false,
        }
    }

    /// Alerts change by time alone (a deadline passes at midnight): refresh on a timer, on every area,
    /// so that a new red alert is announced wherever the supervisor is; and keep the filtered view.
    fn frame(cx: &mut Cx<'_>) {
        if cx.shared.session.is_some()
            && cx.view.loaded
            && cx.view.last_refresh.is_none_or(|t| cx.shared.monotonic.saturating_duration_since(t) >= ALERT_REFRESH)
        {
            cx.out.send(AlertsCommand::Load);
            cx.egui.request_repaint();
        }
        super::recompute(&mut *cx.view);
    }

    fn navigated(cx: &mut Cx<'_>, area: Area) {
        if area == Area::Alerts && !cx.view.loaded && !cx.view.loading {
            cx.out.send(AlertsCommand::Load);
        }
    }
}

/// A fresh list: new red alerts (since the last list, or by the refresh) are highlighted and announced.
fn open_red(r: &AlertRow) -> bool {
    r.level == Level::Red && r.state == AlertState::Open
}

/// Highlights red alerts that just appeared, says so, and sounds when asked to.
fn announce_new_red(cx: &mut Cx<'_>, new_red: HashSet<i64>) {
    if new_red.is_empty() {
        return;
    }
    let lang = cx.shared.lang;
    let n = new_red.len();
    cx.view.new_red = new_red;
    cx.view.new_red_since = Some(cx.shared.monotonic);
    cx.out.notify(
        NoticeLevel::Error,
        format!(
            "{} {n} {}",
            lang.pick("新增红色预警", "New red alerts:"),
            lang.pick("条，已在列表中高亮", "highlighted in the list")
        ),
    );
    if cx.shared.sound_on_red {
        crate::ui::sound::play_alert();
    }
}

/// Takes what changed among the alerts into the list: a changed alert replaces its row, one no longer
/// open leaves it, a new one comes in (a new red one announced), in the list's order.
fn alerts_followed(cx: &mut Cx<'_>, changes: crate::store::AlertChanges) {
    let view = &mut *cx.view;
    view.revision = changes.revision;
    if changes.rows.is_empty() {
        return;
    }
    let mut new_red = HashSet::new();
    for row in changes.rows {
        let was_red = view.rows.iter().any(|r| r.id == row.id && open_red(r));
        view.rows.retain(|r| r.id != row.id);
        if row.state == AlertState::Open {
            if open_red(&row) && !was_red {
                new_red.insert(row.id);
            }
            view.rows.push(row);
        }
    }
    view.rows.sort_by(|a, b| b.since.cmp(&a.since).then(b.id.cmp(&a.id)));
    view.generation += 1;
    announce_new_red(cx, new_red);
}

fn alerts_loaded(cx: &mut Cx<'_>, result: Result<super::jobs::AlertLists, StoreError>) {
    let lang = cx.shared.lang;
    cx.view.loading = false;
    let (refresh, changes, cameras, findings) = match result {
        Ok(r) => r,
        Err(e) => {
            let m = cx.out.store_error(&e);
            cx.view.error = Some(m);
            return;
        }
    };
    let rows = changes.rows;
    let view = &mut *cx.view;
    view.revision = changes.revision;
    let before: HashSet<i64> = view.rows.iter().filter(|r| open_red(r)).map(|r| r.id).collect();
    let new_red: HashSet<i64> = if view.loaded {
        rows.iter()
            .filter(|r| open_red(r) && (!before.contains(&r.id) || refresh.new_red.contains(&r.id)))
            .map(|r| r.id)
            .collect()
    } else {
        HashSet::new()
    };
    let open_cameras: HashSet<i64> = view.cameras.iter().filter(|a| a.resolved_at.is_none()).map(|a| a.id).collect();
    let new_camera_alarms: Vec<String> = if view.loaded {
        cameras
            .iter()
            .filter(|a| a.resolved_at.is_none() && !open_cameras.contains(&a.id))
            .map(|a| a.camera_name.clone())
            .collect()
    } else {
        Vec::new()
    };
    let open_findings: HashSet<i64> = view.findings.iter().filter(|f| f.resolved_at.is_none()).map(|f| f.id).collect();
    let new_findings = if view.loaded {
        findings.iter().filter(|f| f.resolved_at.is_none() && !open_findings.contains(&f.id)).count()
    } else {
        0
    };
    view.cameras = cameras;
    view.findings = findings;
    view.loaded = true;
    view.error = None;
    view.rows = rows;
    view.generation += 1;
    announce_new_red(cx, new_red);
    if !new_camera_alarms.is_empty() {
        cx.out.notify(
            NoticeLevel::Error,
            format!("{}{}", lang.pick("设备告警：摄像头离线 ", "Camera alarm: offline "), new_camera_alarms.join("、")),
        );
        if cx.shared.sound_on_red {
            crate::ui::sound::play_alert();
        }
    }
    if new_findings > 0 {
        cx.out.notify(
            NoticeLevel::Warning,
            format!(
                "{} {new_findings}",
                lang.pick("视频巡察：新的检测结果待确认", "Camera watch: new findings to decide:")
            ),
        );
    }
}

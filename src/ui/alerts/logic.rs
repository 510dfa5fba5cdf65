//! The alert area's logic: loading and refreshing the list (new red alerts announced), the case
//! detail, the notice/close/reply dialog, notices and daily checks.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::domain::alerts::Level;
use crate::domain::time;
use crate::store::{AlertRow, AlertState, NewNotice, StoreError};
use crate::ui::app::JianchaApp;
use crate::ui::areas::AreaLogic;
use crate::ui::command::Command;
use crate::ui::state::{Area, NoticeLevel};
use crate::ui::worker::Worker;

use super::jobs::{ActionDone, AlertsJob, AlertsReply};
use super::state::{AlertDialog, AlertsTab, CaseView};

/// How often alerts are re-evaluated for time-driven changes.
const ALERT_REFRESH: Duration = Duration::from_secs(30);

/// What the alert area's panels ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertsCommand {
    /// Refresh (time-driven re-evaluation) and reload the alert list.
    Load,
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

impl From<AlertsCommand> for crate::ui::command::Command {
    fn from(command: AlertsCommand) -> Self {
        crate::ui::command::Command::Area(crate::ui::areas::AreaCommand::Alerts(command))
    }
}

impl From<AlertsJob> for crate::ui::worker::Job {
    fn from(job: AlertsJob) -> Self {
        crate::ui::worker::Job::Area(crate::ui::areas::AreaJob::Alerts(job))
    }
}

pub struct AlertsArea;

impl AreaLogic for AlertsArea {
    type Command = AlertsCommand;
    type Job = AlertsJob;
    type Reply = AlertsReply;

    fn apply(app: &mut JianchaApp, _ctx: &egui::Context, command: AlertsCommand) {
        let Some(session) = app.state.session.clone() else { return };
        match command {
            AlertsCommand::Load => {
                if !app.state.alerts.loading {
                    app.state.alerts.loading = true;
                    app.state.alerts.last_refresh = Some(Instant::now());
                    app.submit(AlertsJob::Alerts { session, include_inactive: false });
                }
            }
            AlertsCommand::Show(level) => {
                let filter = &mut app.state.alerts.filter;
                filter.levels = match level {
                    Some(Level::Red) => [true, false, false],
                    Some(Level::Orange) => [false, true, false],
                    Some(Level::Yellow) => [false, false, true],
                    None => [true; 3],
                };
                app.state.alerts.tab = AlertsTab::List;
                app.state.case = None;
                app.commands.push(Command::Navigate(Area::Alerts));
            }
            AlertsCommand::SetTab(tab) => {
                app.state.alerts.tab = tab;
                match tab {
                    AlertsTab::Notices => app.commands.push(AlertsCommand::LoadNotices.into()),
                    AlertsTab::DailyChecks => app.commands.push(AlertsCommand::LoadDailyChecks.into()),
                    AlertsTab::List => {}
                }
            }
            AlertsCommand::Select(id) => {
                app.state.alerts.selected = id;
                app.state.alerts.scroll_to_selected = id.is_some();
            }
            AlertsCommand::OpenCase(case_no) => {
                app.state.area = Area::Alerts;
                app.state.case = Some(CaseView { case_no: case_no.clone(), detail: None, error: None });
                app.submit(AlertsJob::CaseDetail { session, case_no });
            }
            AlertsCommand::CloseCase => app.state.case = None,
            AlertsCommand::OpenDialog(dialog) => {
                app.state.alerts.finding_pictures.0.clear();
                if let AlertDialog::DecideFinding { snapshots, .. } = &dialog
                    && !snapshots.is_empty()
                {
                    app.submit(AlertsJob::Snapshots { session, ids: snapshots.clone() });
                }
                app.state.alerts.dialog = Some(dialog);
                app.state.alerts.dialog_error = None;
            }
            AlertsCommand::CancelDialog => {
                app.state.alerts.dialog = None;
                app.state.alerts.dialog_error = None;
            }
            AlertsCommand::SubmitDialog => {
                let Some(dialog) = app.state.alerts.dialog.clone() else { return };
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
                app.state.alerts.action_pending = true;
                app.submit(job);
            }
            AlertsCommand::LoadNotices => app.submit(AlertsJob::Notices(session)),
            AlertsCommand::LoadDailyChecks => app.submit(AlertsJob::DailyChecks(session)),
            AlertsCommand::RunDailyCheck => {
                app.state.alerts.daily_running = true;
                let day = time::local_date(app.clock.now());
                app.submit(AlertsJob::DailyCheck { session, day });
            }
        }
    }

    fn handle(app: &mut JianchaApp, reply: AlertsReply) {
        let lang = app.state.lang;
        match reply {
            AlertsReply::Alerts(result) => alerts_loaded(app, result),
            AlertsReply::Snapshots(result) => match result {
                Ok(images) => {
                    let ctx = app.egui_ctx.clone();
                    app.state.alerts.finding_pictures.0 = images
                        .into_iter()
                        .map(|(id, image)| {
                            (id, ctx.load_texture(format!("finding-{id}"), image, egui::TextureOptions::LINEAR))
                        })
                        .collect();
                }
                Err(e) => {
                    let m = app.job_error(&e);
                    app.state.alerts.dialog_error = Some(m);
                }
            },
            AlertsReply::CaseDetail(result) => {
                let error = result.as_ref().err().map(|e| app.store_error(e));
                if let Some(view) = &mut app.state.case {
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
                app.state.alerts.action_pending = false;
                match result {
                    Ok(done) => {
                        app.state.alerts.dialog = None;
                        app.state.alerts.dialog_error = None;
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
                        app.state.alerts.finding_pictures.0.clear();
                        app.notify(NoticeLevel::Info, message);
                        app.commands.push(AlertsCommand::Load.into());
                        if app.state.alerts.notices.is_some() {
                            app.commands.push(AlertsCommand::LoadNotices.into());
                        }
                        if let (Some(case_no), Some(session)) =
                            (app.state.case.as_ref().map(|c| c.case_no.clone()), app.state.session.clone())
                        {
                            app.submit(AlertsJob::CaseDetail { session, case_no });
                        }
                    }
                    // Offline: kept in the outbox; the dialog is done (sending it again would queue it twice).
                    Err(e @ StoreError::Queued(_)) => {
                        app.state.alerts.dialog = None;
                        app.state.alerts.dialog_error = None;
                        app.notify(NoticeLevel::Info, e.to_string());
                    }
                    Err(e) => {
                        let m = app.store_error(&e);
                        app.state.alerts.dialog_error = Some(m);
                    }
                }
            }
            AlertsReply::Notices(Ok(list)) => app.state.alerts.notices = Some(list),
            AlertsReply::DailyChecks(Ok(list)) => app.state.alerts.daily_checks = Some(list),
            AlertsReply::Notices(Err(e)) | AlertsReply::DailyChecks(Err(e)) => {
                let m = app.store_error(&e);
                app.notify(NoticeLevel::Error, m);
            }
            AlertsReply::DailyCheck(result) => {
                app.state.alerts.daily_running = false;
                match result {
                    Ok(c) => {
                        app.notify(
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
                        app.commands.push(Command::RefreshOverview);
                        app.commands.push(AlertsCommand::LoadDailyChecks.into());
                    }
                    Err(e) => {
                        let m = app.job_error(&e);
                        app.notify(NoticeLevel::Error, m);
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
            AlertsReply::Alerts(Err(e)) | AlertsReply::Action(Err(e)) => e.is_offline(),
            _ => false,
        }
    }

    /// Alerts change by time alone (a deadline passes at midnight): refresh on a timer, on every area,
    /// so that a new red alert is announced wherever the supervisor is; and keep the filtered view.
    fn frame(app: &mut JianchaApp, ctx: &egui::Context) {
        if app.state.session.is_some()
            && app.state.alerts.loaded
            && app.state.alerts.last_refresh.is_none_or(|t| t.elapsed() >= ALERT_REFRESH)
        {
            app.commands.push(AlertsCommand::Load.into());
            ctx.request_repaint();
        }
        super::recompute(&mut app.state.alerts);
    }

    fn navigated(app: &mut JianchaApp, area: Area) {
        if area == Area::Alerts && !app.state.alerts.loaded && !app.state.alerts.loading {
            app.commands.push(AlertsCommand::Load.into());
        }
    }
}

/// A fresh list: new red alerts (since the last list, or by the refresh) are highlighted and announced.
fn alerts_loaded(app: &mut JianchaApp, result: Result<super::jobs::AlertLists, StoreError>) {
    let lang = app.state.lang;
    app.state.alerts.loading = false;
    let (refresh, rows, cameras, findings) = match result {
        Ok(r) => r,
        Err(e) => {
            let m = app.store_error(&e);
            app.state.alerts.error = Some(m);
            return;
        }
    };
    let view = &mut app.state.alerts;
    let open_red = |r: &AlertRow| r.level == Level::Red && r.state == AlertState::Open;
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
    if !new_red.is_empty() {
        let n = new_red.len();
        view.new_red = new_red;
        view.new_red_since = Some(Instant::now());
        app.notify(
            NoticeLevel::Error,
            format!(
                "{} {n} {}",
                lang.pick("新增红色预警", "New red alerts:"),
                lang.pick("条，已在列表中高亮", "highlighted in the list")
            ),
        );
        if app.state.sound_on_red {
            crate::ui::sound::play_alert();
        }
    }
    if !new_camera_alarms.is_empty() {
        app.notify(
            NoticeLevel::Error,
            format!("{}{}", lang.pick("设备告警：摄像头离线 ", "Camera alarm: offline "), new_camera_alarms.join("、")),
        );
        if app.state.sound_on_red {
            crate::ui::sound::play_alert();
        }
    }
    if new_findings > 0 {
        app.notify(
            NoticeLevel::Warning,
            format!(
                "{} {new_findings}",
                lang.pick("视频巡察：新的检测结果待确认", "Camera watch: new findings to decide:")
            ),
        );
    }
}

//! The data worker's side of the alert area.

use chrono::NaiveDate;

use crate::store::{
    AlertChanges, AlertRow, CameraAlert, CameraFinding, CaseDetail, DailyCheck, FindingQuery, NewNotice, Notice,
    RefreshReport, Session, StoreError,
};
use crate::ui::worker::context::{JobError, Worker};

pub enum AlertsJob {
    /// Time-driven re-evaluation, then the alert list (every open alert, with its revision).
    Alerts(Session),
    /// What changed among the alerts since the revision the list holds (the hall changed).
    Changes {
        session: Session,
        since: i64,
    },
    CaseDetail {
        session: Session,
        case_no: String,
    },
    CloseAlert {
        session: Session,
        alert_id: i64,
        reason: String,
    },
    IssueNotice {
        session: Session,
        notice: NewNotice,
    },
    RecordReply {
        session: Session,
        notice_id: i64,
        reply: String,
    },
    Notices(Session),
    /// Run the daily check of a day: save the report in the data directory and record it.
    DailyCheck {
        session: Session,
        day: NaiveDate,
    },
    DailyChecks(Session),
    /// Confirm or dismiss a camera finding.
    DecideFinding {
        session: Session,
        finding_id: i64,
        decision: crate::domain::watch::FindingDecision,
        note: String,
    },
    /// A finding's snapshots, decoded.
    Snapshots {
        session: Session,
        ids: Vec<i64>,
    },
}

/// What the alert list shows: the refresh, the case alerts, the camera alarms and the camera findings.
pub type AlertLists = (RefreshReport, AlertChanges, Vec<CameraAlert>, Vec<CameraFinding>);

pub enum AlertsReply {
    Alerts(Result<AlertLists, StoreError>),
    Changes(Result<AlertChanges, StoreError>),
    Snapshots(Result<Vec<(i64, egui::ColorImage)>, JobError>),
    CaseDetail(Result<Box<CaseDetail>, StoreError>),
    /// A supervision action finished (close, notice, reply), with what it changed.
    Action(Result<ActionDone, StoreError>),
    Notices(Result<Vec<Notice>, StoreError>),
    DailyCheck(Result<DailyCheck, JobError>),
    DailyChecks(Result<Vec<DailyCheck>, StoreError>),
}

/// What a supervision action produced.
#[derive(Debug, Clone)]
pub enum ActionDone {
    Closed(AlertRow),
    NoticeIssued(Notice),
    Replied(Notice),
    Decided(CameraFinding),
}

pub(super) fn run(worker: &mut Worker, job: AlertsJob) -> AlertsReply {
    let store = worker.store();
    match job {
        AlertsJob::Alerts(session) => AlertsReply::Alerts(store.and_then(|s| {
            // Auditors only look: their list is as fresh as the last refresh of those who work it.
            let refresh = if session.role.allows(crate::domain::access::Permission::RefreshAlerts) {
                s.refresh_alerts(&session)?
            } else {
                Default::default()
            };
            let rows = s.alerts_changed(&session, 0, 0)?;
            // Camera alarms (设备告警): the open ones.
            let cameras = s.camera_alerts(&session, true)?;
            // Camera findings (视频巡察) of the last week, and any still open or undecided.
            let findings = s.camera_findings(&session, &FindingQuery::default())?;
            Ok((refresh, rows, cameras, findings))
        })),
        AlertsJob::Changes { session, since } => {
            AlertsReply::Changes(store.and_then(|s| s.alerts_changed(&session, since, 0)))
        }
        AlertsJob::CaseDetail { session, case_no } => {
            AlertsReply::CaseDetail(store.and_then(|s| s.case_detail(&session, &case_no)).map(Box::new))
        }
        AlertsJob::CloseAlert { session, alert_id, reason } => {
            AlertsReply::Action(store.and_then(|s| s.close_alert(&session, alert_id, &reason)).map(ActionDone::Closed))
        }
        AlertsJob::IssueNotice { session, notice } => {
            AlertsReply::Action(store.and_then(|s| s.issue_notice(&session, &notice)).map(ActionDone::NoticeIssued))
        }
        AlertsJob::RecordReply { session, notice_id, reply } => AlertsReply::Action(
            store.and_then(|s| s.record_notice_reply(&session, notice_id, &reply)).map(ActionDone::Replied),
        ),
        AlertsJob::Notices(session) => AlertsReply::Notices(store.and_then(|s| s.notices(&session))),
        AlertsJob::DailyCheck { session, day } => AlertsReply::DailyCheck(match store {
            Ok(store) => {
                crate::report::daily::run(store, &session, &worker.data_dir, day).map(|(r, _)| r).map_err(|e| match e {
                    crate::report::daily::DailyCheckError::Store(e) => JobError::Store(e),
                    other => JobError::local(other),
                })
            }
            Err(e) => Err(e.into()),
        }),
        AlertsJob::DailyChecks(session) => AlertsReply::DailyChecks(store.and_then(|s| s.daily_checks(&session, 60))),
        AlertsJob::DecideFinding { session, finding_id, decision, note } => AlertsReply::Action(
            store.and_then(|s| s.decide_finding(&session, finding_id, decision, &note)).map(ActionDone::Decided),
        ),
        AlertsJob::Snapshots { session, ids } => AlertsReply::Snapshots(match store {
            Ok(store) => ids
                .into_iter()
                .map(|id| {
                    let png = store.watch_snapshot(&session, id).map_err(JobError::Store)?;
                    let (size, rgba) = crate::ui::picture::decode_png(&png).map_err(JobError::local)?;
                    Ok((id, egui::ColorImage::from_rgba_unmultiplied(size, &rgba)))
                })
                .collect(),
            Err(e) => Err(e.into()),
        }),
    }
}

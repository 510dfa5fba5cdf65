//! The logic of 纪律与提示单, 投诉 and 违规与问责: forms opened, checked into actions and closed when
//! the action succeeded (or waits in the outbox); replies into state.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::domain::accountability::Subject;
use crate::domain::discipline::Week;
use crate::domain::time;
use crate::store::{ComplaintStep, NewComplaint, NewObservation, NewViolation};
use crate::ui::command::Command;
use crate::ui::context::{AreaCtx, AreaLogic};
use crate::ui::nav::{Area, NoticeLevel};
use crate::ui::worker::context::Worker;

use super::jobs::{SupervisionAction, SupervisionJob, SupervisionReply};
use super::state::{ComplaintDraft, ComplaintStepKind, ObservationDraft, SupervisionForm, ViolationDraft};

/// `YYYY-MM-DD HH:MM` in Beijing time.
pub(crate) fn parse_local(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .map(time::from_local)
}

fn opt(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// What the three panels ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum SupervisionCommand {
    /// Loads 纪律与提示单, 投诉 and 违规与问责 (the week shown, or last week).
    Load,
    SetWeek(Week),
    /// Acts (issue, print, preview, …), then reloads.
    Act(SupervisionAction),
    /// Opens the 记录违纪 form pre-filled (also from playback).
    OpenObservation(ObservationDraft),
    OpenComplaint(ComplaintDraft),
    /// A complaint step that needs text.
    OpenComplaintStep {
        complaint_no: String,
        kind: ComplaintStepKind,
    },
    /// Opens the violation form pre-filled (from an observation or a complaint) in 违规与问责.
    OpenViolation(ViolationDraft),
    OpenDecision(i64),
    OpenReceipt(i64),
    OpenCancelSlip(i64),
    /// Closes a form without acting.
    CloseForm(SupervisionForm),
    SubmitObservation,
    SubmitComplaint,
    SubmitComplaintStep,
    SubmitViolation,
    SubmitDecision,
    SubmitReceipt,
    SubmitCancelSlip,
    SelectComplaint(Option<String>),
    ClosePreview,
    LoadComplaints,
}

pub struct SupervisionArea;

/// The context this area's logic runs in.
type Cx<'a> = AreaCtx<'a, SupervisionArea>;

impl AreaLogic for SupervisionArea {
    type State = super::state::SupervisionView;
    type Runtime = ();
    type Command = SupervisionCommand;
    type Job = SupervisionJob;
    type Reply = SupervisionReply;

    fn apply(cx: &mut Cx<'_>, command: SupervisionCommand) {
        let view = &mut *cx.view;
        match command {
            SupervisionCommand::Load => supervise(cx, None, None),
            SupervisionCommand::SetWeek(week) => {
                view.week = Some(week);
                view.preview = None;
                supervise(cx, None, None);
            }
            SupervisionCommand::Act(action) => supervise(cx, Some(action), None),
            SupervisionCommand::OpenObservation(draft) => {
                view.observation = Some(draft);
                view.form_error = None;
            }
            SupervisionCommand::OpenComplaint(draft) => {
                view.complaint = Some(draft);
                view.form_error = None;
            }
            SupervisionCommand::OpenComplaintStep { complaint_no, kind } => {
                view.complaint_step = Some((complaint_no, kind, String::new(), String::new()));
                view.form_error = None;
            }
            SupervisionCommand::OpenViolation(draft) => {
                view.violation = Some(draft);
                view.form_error = None;
                cx.out.console(Command::Navigate(Area::Violations));
            }
            SupervisionCommand::OpenDecision(id) => {
                view.decision = Some((id, Default::default(), String::new()));
                view.form_error = None;
            }
            SupervisionCommand::OpenReceipt(id) => {
                view.receipt = Some((id, String::new()));
                view.form_error = None;
            }
            SupervisionCommand::OpenCancelSlip(id) => {
                view.cancel = Some((id, String::new()));
                view.form_error = None;
            }
            SupervisionCommand::CloseForm(form) => {
                close_form(cx, form);
                cx.view.form_error = None;
            }
            SupervisionCommand::SubmitObservation => submit_observation(cx),
            SupervisionCommand::SubmitComplaint => submit_complaint(cx),
            SupervisionCommand::SubmitComplaintStep => submit_complaint_step(cx),
            SupervisionCommand::SubmitViolation => submit_violation(cx),
            SupervisionCommand::SubmitDecision => submit_decision(cx),
            SupervisionCommand::SubmitReceipt => {
                let Some((id, signer)) = view.receipt.clone() else { return };
                if signer.trim().is_empty() {
                    return form_error(cx, "请填写签收人", "Who signed for it?");
                }
                let action = SupervisionAction::Receipt { id, signed_by: signer.trim().to_owned() };
                supervise(cx, Some(action), Some(SupervisionForm::Receipt));
            }
            SupervisionCommand::SubmitCancelSlip => {
                let Some((id, reason)) = view.cancel.clone() else { return };
                if reason.trim().is_empty() {
                    return form_error(cx, "请填写作废原因", "Give the reason");
                }
                let action = SupervisionAction::CancelSlip { id, reason: reason.trim().to_owned() };
                supervise(cx, Some(action), Some(SupervisionForm::CancelSlip));
            }
            SupervisionCommand::SelectComplaint(no) => view.selected_complaint = no,
            SupervisionCommand::ClosePreview => view.preview = None,
            SupervisionCommand::LoadComplaints => {
                if let Some(session) = cx.shared.session() {
                    cx.out.submit(SupervisionJob::Complaints(session));
                }
            }
        }
    }

    fn handle(cx: &mut Cx<'_>, reply: SupervisionReply) {
        match reply {
            SupervisionReply::Done { result, form } => done(cx, result, form),
            SupervisionReply::Complaints(Ok(list)) => cx.view.complaints = Some(list),
            SupervisionReply::Complaints(Err(e)) => {
                let m = cx.out.store_error(&e);
                cx.out.notify(NoticeLevel::Error, m);
            }
        }
    }

    fn run(worker: &mut Worker, job: SupervisionJob) -> SupervisionReply {
        super::jobs::run(worker, job)
    }

    fn navigated(cx: &mut Cx<'_>, area: Area) {
        cx.view.preview = None;
        let view = &*cx.view;
        if matches!(area, Area::Complaints | Area::Discipline | Area::Violations)
            && view.data.is_none()
            && !view.loading
        {
            cx.out.send(SupervisionCommand::Load);
            if area == Area::Discipline {
                cx.out.console(crate::ui::command::Command::LoadPrinters);
            }
        }
    }
}

/// A reply: the fresh data (and the form it came from closes), or why not (the form stays, with it).
fn done(
    cx: &mut Cx<'_>,
    result: Result<Box<super::jobs::SupervisionDone>, crate::ui::worker::context::JobError>,
    form: Option<SupervisionForm>,
) {
    cx.view.loading = false;
    match result {
        Ok(reply) => {
            let reply = *reply;
            if let Some(form) = form {
                close_form(cx, form);
            }
            let view = &mut *cx.view;
            view.form_error = None;
            view.week = Some(reply.data.week);
            let previewed = reply.preview.is_some();
            if let Some((id, image)) = reply.preview {
                let texture = cx.egui.load_texture(format!("slip-{id}"), image, egui::TextureOptions::LINEAR);
                view.preview = Some((id, texture));
            }
            view.error = None;
            if let Some(m) = reply.message {
                view.message = Some(m.clone());
                // A preview shows its file in its own window.
                if !previewed {
                    cx.out.notify(NoticeLevel::Info, m);
                }
            }
            cx.view.complaints = Some(reply.data.complaints.clone());
            cx.view.data = Some(std::sync::Arc::new(reply.data));
        }
        // Offline: the action waits in the outbox (the reload after it could not run either); its form
        // is done, since sending it again would queue it twice.
        Err(e) if e.is_queued() => {
            if let Some(form) = form {
                close_form(cx, form);
            }
            cx.view.error = None;
            cx.out.notify(NoticeLevel::Info, e.to_string());
        }
        Err(e) => {
            let m = cx.out.job_error(&e);
            match form {
                Some(_) => cx.view.form_error = Some(m),
                None => {
                    cx.view.error = Some(m.clone());
                    cx.out.notify(NoticeLevel::Error, m);
                }
            }
        }
    }
}

fn close_form(cx: &mut Cx<'_>, form: SupervisionForm) {
    let view = &mut *cx.view;
    match form {
        SupervisionForm::Observation => view.observation = None,
        SupervisionForm::Complaint => view.complaint = None,
        SupervisionForm::ComplaintStep => view.complaint_step = None,
        SupervisionForm::Violation => view.violation = None,
        SupervisionForm::Decision => view.decision = None,
        SupervisionForm::Receipt => view.receipt = None,
        SupervisionForm::CancelSlip => view.cancel = None,
    }
}

/// Acts (when asked) and reloads the week and the registers; `form` closes when it worked.
fn supervise(cx: &mut Cx<'_>, action: Option<SupervisionAction>, form: Option<SupervisionForm>) {
    let Some(session) = cx.shared.session() else { return };
    let week = supervision_week(cx);
    cx.view.loading = true;
    cx.out.submit(SupervisionJob::Supervise { session, week, action, form });
}

/// A form that cannot be sent as typed: the reason in its error line.
fn form_error(cx: &mut Cx<'_>, zh: &str, en: &str) {
    cx.view.form_error = Some(cx.shared.lang.pick_owned(zh, en));
}

fn submit_observation(cx: &mut Cx<'_>) {
    let Some(d) = cx.view.observation.clone() else { return };
    let Some(at) = parse_local(&d.at) else {
        return form_error(cx, "时间应为 YYYY-MM-DD HH:MM", "Time as YYYY-MM-DD HH:MM");
    };
    if !crate::domain::discipline::is_category(&d.category) {
        return form_error(cx, "请选择类别", "Choose a category");
    }
    let action = SupervisionAction::AddObservation(NewObservation {
        observed_at: at,
        category: d.category,
        source: d.source,
        camera_id: d.camera_id,
        window_code: opt(&d.window),
        staff_no: opt(&d.staff_no),
        department: opt(&d.department),
        evidence_id: None,
        clip: d.clip,
        note: d.note.trim().to_owned(),
    });
    supervise(cx, Some(action), Some(SupervisionForm::Observation));
}

fn submit_complaint(cx: &mut Cx<'_>) {
    let Some(d) = cx.view.complaint.clone() else { return };
    let Some(at) = parse_local(&d.at) else {
        return form_error(cx, "收到时间应为 YYYY-MM-DD HH:MM", "Received as YYYY-MM-DD HH:MM");
    };
    if d.content.trim().is_empty() {
        return form_error(cx, "请填写投诉内容", "The complaint needs its content");
    }
    let action = SupervisionAction::RegisterComplaint(NewComplaint {
        received_at: at,
        channel: d.channel,
        complainant: d.complainant.trim().to_owned(),
        contact: d.contact.trim().to_owned(),
        content: d.content.trim().to_owned(),
        case_no: opt(&d.case_no),
        hall_code: None,
        window_code: opt(&d.window),
        staff_no: opt(&d.staff_no),
        department: opt(&d.department),
    });
    supervise(cx, Some(action), Some(SupervisionForm::Complaint));
}

fn submit_complaint_step(cx: &mut Cx<'_>) {
    let Some((no, kind, a, b)) = cx.view.complaint_step.clone() else { return };
    let step = match kind {
        ComplaintStepKind::Accept => ComplaintStep::Accept { note: a },
        ComplaintStepKind::Decline => ComplaintStep::Decline { reason: a },
        ComplaintStepKind::Conclude => ComplaintStep::Conclude { conclusion: a, reply: b },
    };
    let action = SupervisionAction::AdvanceComplaint { complaint_no: no, step };
    supervise(cx, Some(action), Some(SupervisionForm::ComplaintStep));
}

fn submit_violation(cx: &mut Cx<'_>) {
    let Some(d) = cx.view.violation.clone() else { return };
    let Some(at) = parse_local(&d.at) else {
        return form_error(cx, "发生时间应为 YYYY-MM-DD HH:MM", "Time as YYYY-MM-DD HH:MM");
    };
    let staff = opt(&d.staff_no);
    let action = SupervisionAction::RecordViolation(NewViolation {
        item: d.item.trim().to_owned(),
        subject: if staff.is_some() { Subject::Staff } else { Subject::Department },
        staff_no: staff,
        department: opt(&d.department),
        source: d.source,
        occurred_at: at,
        description: d.description.trim().to_owned(),
        case_no: opt(&d.case_no),
        alert_id: None,
        observation_id: d.observation_id,
        complaint_no: opt(&d.complaint_no),
        evidence_id: None,
    });
    supervise(cx, Some(action), Some(SupervisionForm::Violation));
}

fn submit_decision(cx: &mut Cx<'_>) {
    let Some((id, measures, note)) = cx.view.decision.clone() else { return };
    if measures.is_empty() {
        return form_error(cx, "请至少选择一项问责措施", "Choose at least one measure");
    }
    let measures: BTreeSet<_> = measures;
    let action = SupervisionAction::DecideViolation { id, measures: measures.into_iter().collect(), note };
    supervise(cx, Some(action), Some(SupervisionForm::Decision));
}

/// The week shown (last complete week until another is chosen).
pub fn supervision_week(cx: &Cx<'_>) -> Week {
    cx.view.week.unwrap_or_else(|| Week::last_complete(time::local_date(cx.shared.now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_parse_with_or_without_seconds() {
        let a = parse_local("2026-11-24 10:40").map(|t| t.to_rfc3339());
        assert_eq!(a.as_deref(), Some("2026-11-24T02:40:00+00:00"));
        assert!(parse_local("2026-11-24 10:40:05").is_some());
        assert!(parse_local("24/11/2026").is_none());
        assert_eq!(opt("  "), None);
    }
}

//! The logic of 纪律与提示单, 投诉 and 违规与问责: forms checked into actions, replies into state.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::JianchaApp;
use crate::domain::accountability::Subject;
use crate::domain::discipline::Week;
use crate::domain::time;
use crate::store::{ComplaintStep, NewComplaint, NewObservation, NewViolation};
use crate::ui::command::Command;
use crate::ui::state::{ComplaintStepKind, NoticeLevel};
use crate::ui::worker::{Job, Reply, SupervisionAction};

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

impl JianchaApp {
    pub(super) fn supervision_reply(&mut self, reply: Reply) -> Option<Reply> {
        let Reply::Supervision(result) = reply else { return Some(reply) };
        let view = &mut self.state.supervision;
        view.loading = false;
        match result {
            Ok(reply) => {
                let reply = *reply;
                view.week = Some(reply.data.week);
                let previewed = reply.preview.is_some();
                if let Some((id, image)) = reply.preview {
                    let texture = self.egui_ctx.load_texture(format!("slip-{id}"), image, egui::TextureOptions::LINEAR);
                    view.preview = Some((id, texture));
                }
                view.error = None;
                if let Some(m) = reply.message {
                    view.message = Some(m.clone());
                    // A preview shows its file in its own window.
                    if !previewed {
                        self.state.notice = Some((NoticeLevel::Info, m));
                    }
                }
                self.state.complaints = Some(reply.data.complaints.clone());
                self.state.supervision.data = Some(std::sync::Arc::new(reply.data));
            }
            // Offline: the action waits in the outbox (the reload after it could not run either).
            Err(e) if e.starts_with(crate::store::QUEUED_MARK) => {
                view.error = None;
                self.state.notice = Some((NoticeLevel::Info, e));
            }
            Err(e) => {
                view.error = Some(e.clone());
                self.state.notice = Some((NoticeLevel::Error, e));
            }
        }
        None
    }

    fn supervise(&mut self, action: Option<SupervisionAction>) {
        let Some(session) = self.state.session.clone() else { return };
        let week =
            self.state.supervision.week.unwrap_or_else(|| Week::last_complete(time::local_date(self.clock.now())));
        self.state.supervision.loading = true;
        self.submit(Job::Supervision { session, week, action });
    }

    fn form_error(&mut self, zh: &str, en: &str) {
        let text = self.state.lang.pick_owned(zh, en);
        self.state.notice = Some((NoticeLevel::Warning, text));
    }

    pub(super) fn supervision_command(&mut self, command: Command) -> Option<Command> {
        match command {
            Command::LoadSupervision => self.supervise(None),
            Command::SupervisionWeek(week) => {
                self.state.supervision.week = Some(week);
                self.state.supervision.preview = None;
                self.supervise(None);
            }
            Command::Supervise(action) => self.supervise(Some(action)),
            Command::SubmitObservation => self.submit_observation(),
            Command::OpenObservation(draft) => self.state.supervision.observation = Some(draft),
            Command::OpenViolation(draft) => {
                self.state.supervision.violation = Some(draft);
                self.commands.push(Command::Navigate(crate::ui::state::Area::Violations));
            }
            Command::SubmitComplaint => self.submit_complaint(),
            Command::SubmitComplaintStep => self.submit_complaint_step(),
            Command::SubmitViolation => self.submit_violation(),
            Command::SubmitDecision => self.submit_decision(),
            other => return Some(other),
        }
        None
    }

    fn submit_observation(&mut self) {
        let Some(d) = self.state.supervision.observation.clone() else { return };
        let Some(at) = parse_local(&d.at) else {
            self.form_error("时间应为 YYYY-MM-DD HH:MM", "Time as YYYY-MM-DD HH:MM");
            return;
        };
        if !crate::domain::discipline::is_category(&d.category) {
            self.form_error("请选择类别", "Choose a category");
            return;
        }
        self.state.supervision.observation = None;
        self.supervise(Some(SupervisionAction::AddObservation(NewObservation {
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
        })));
    }

    fn submit_complaint(&mut self) {
        let Some(d) = self.state.supervision.complaint.clone() else { return };
        let Some(at) = parse_local(&d.at) else {
            self.form_error("收到时间应为 YYYY-MM-DD HH:MM", "Received as YYYY-MM-DD HH:MM");
            return;
        };
        if d.content.trim().is_empty() {
            self.form_error("请填写投诉内容", "The complaint needs its content");
            return;
        }
        self.state.supervision.complaint = None;
        self.supervise(Some(SupervisionAction::RegisterComplaint(NewComplaint {
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
        })));
    }

    fn submit_complaint_step(&mut self) {
        let Some((no, kind, a, b)) = self.state.supervision.complaint_step.clone() else { return };
        let step = match kind {
            ComplaintStepKind::Accept => ComplaintStep::Accept { note: a },
            ComplaintStepKind::Decline => ComplaintStep::Decline { reason: a },
            ComplaintStepKind::Conclude => ComplaintStep::Conclude { conclusion: a, reply: b },
        };
        self.state.supervision.complaint_step = None;
        self.supervise(Some(SupervisionAction::AdvanceComplaint { complaint_no: no, step }));
    }

    fn submit_violation(&mut self) {
        let Some(d) = self.state.supervision.violation.clone() else { return };
        let Some(at) = parse_local(&d.at) else {
            self.form_error("发生时间应为 YYYY-MM-DD HH:MM", "Time as YYYY-MM-DD HH:MM");
            return;
        };
        self.state.supervision.violation = None;
        let staff = opt(&d.staff_no);
        self.supervise(Some(SupervisionAction::RecordViolation(NewViolation {
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
        })));
    }

    fn submit_decision(&mut self) {
        let Some((id, measures, note)) = self.state.supervision.decision.clone() else { return };
        if measures.is_empty() {
            self.form_error("请至少选择一项问责措施", "Choose at least one measure");
            return;
        }
        self.state.supervision.decision = None;
        let measures: BTreeSet<_> = measures;
        self.supervise(Some(SupervisionAction::DecideViolation { id, measures: measures.into_iter().collect(), note }));
    }

    /// The week shown, for the panels.
    pub fn supervision_week(&self) -> Week {
        self.state.supervision.week.unwrap_or_else(|| Week::last_complete(time::local_date(self.clock.now())))
    }
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

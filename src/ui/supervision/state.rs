//! What 纪律与提示单, 投诉 and 违规与问责 show: the week and the registers, and the forms being typed.

/// A discipline observation being typed in (记录违纪): another area may fill one in (`ui::open`).
pub use crate::ui::open::ObservationDraft;

/// A complaint being registered.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintDraft {
    pub at: String,
    pub channel: crate::domain::model::ComplaintChannel,
    pub complainant: String,
    pub contact: String,
    pub content: String,
    pub window: String,
    pub staff_no: String,
    pub department: String,
    pub case_no: String,
}

/// A complaint step that needs text: (complaint number, step, first text, second text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintStepKind {
    Accept,
    Decline,
    Conclude,
}

/// A violation being recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViolationDraft {
    pub item: String,
    pub staff_no: String,
    pub department: String,
    pub source: crate::domain::accountability::ViolationSource,
    pub at: String,
    pub description: String,
    pub case_no: String,
    pub complaint_no: String,
    pub observation_id: Option<i64>,
}

/// 纪律与提示单, 投诉, 违规与问责: the loaded week and registers, and the open forms.
#[derive(Default)]
pub struct SupervisionView {
    /// 投诉: the register.
    pub complaints: Option<Vec<crate::domain::model::Complaint>>,
    pub week: Option<crate::domain::discipline::Week>,
    /// Shared, so that panels hold it for a frame without copying.
    pub data: Option<std::sync::Arc<SupervisionData>>,
    pub loading: bool,
    pub error: Option<String>,
    pub message: Option<String>,
    /// Why the open form's last try failed (its error line).
    pub form_error: Option<String>,
    pub observation: Option<ObservationDraft>,
    pub complaint: Option<ComplaintDraft>,
    pub complaint_step: Option<(String, ComplaintStepKind, String, String)>,
    pub selected_complaint: Option<String>,
    pub violation: Option<ViolationDraft>,
    /// (violation id, measures chosen, note).
    pub decision: Option<(i64, std::collections::BTreeSet<crate::domain::accountability::Measure>, String)>,
    /// (slip id, reason) of a cancellation being written.
    pub cancel: Option<(i64, String)>,
    /// (slip id, signer) of a receipt being recorded.
    pub receipt: Option<(i64, String)>,
    pub preview: Option<(i64, egui::TextureHandle)>,
}

/// The forms of the three panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisionForm {
    Observation,
    Complaint,
    ComplaintStep,
    Violation,
    Decision,
    Receipt,
    CancelSlip,
}

/// Everything the three panels show.
#[derive(Debug, Clone)]
pub struct SupervisionData {
    pub week: crate::domain::discipline::Week,
    pub observations: Vec<crate::domain::discipline::Observation>,
    pub statistics: crate::domain::discipline::WeekStatistics,
    /// The week's camera findings dismissed by supervisors, and those nobody has decided yet (so the
    /// hall can judge the detector beside the confirmed ones the statistics count as detected).
    pub findings_dismissed: usize,
    pub findings_undecided: usize,
    pub slips: Vec<crate::domain::discipline::Slip>,
    /// Departments with findings this week and no live slip yet.
    pub unissued: Vec<String>,
    pub complaints: Vec<crate::domain::model::Complaint>,
    pub violations: Vec<crate::store::Violation>,
    /// Counted when the data arrived (the panel draws them every frame).
    pub violation_counts: ViolationCounts,
    pub flags: Vec<crate::store::DepartmentFlag>,
    pub hall: String,
}

/// Violations by quarter and by year: (under Art 11, under Art 12, measures applied), newest last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViolationCounts {
    pub by_quarter: std::collections::BTreeMap<String, (usize, usize, usize)>,
    pub by_year: std::collections::BTreeMap<String, (usize, usize, usize)>,
}

impl ViolationCounts {
    pub fn of(list: &[crate::store::Violation]) -> Self {
        let mut counts = Self::default();
        for v in list {
            let q = crate::domain::accountability::quarter_of(crate::domain::time::local_date(v.occurred_at));
            let e = counts.by_quarter.entry(q).or_default();
            if v.item.starts_with("11") {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
            e.2 += v.decisions.iter().map(|d| d.measures.len()).sum::<usize>();
        }
        for (q, (a, b, c)) in &counts.by_quarter {
            let e = counts.by_year.entry(q[..4].to_owned()).or_default();
            e.0 += a;
            e.1 += b;
            e.2 += c;
        }
        counts
    }
}

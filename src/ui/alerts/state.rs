//! What the alert area shows: the rows, the filters, the tabs, the dialog, the case detail.

use crate::domain::alerts::Rule;
use crate::store::{AlertRow, CaseDetail, DailyCheck, Notice};

/// How the alert list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertSort {
    /// Most severe first, then newest.
    #[default]
    Severity,
    Since,
    CaseNo,
    Department,
    Window,
    Rule,
}

/// The alert filters as set in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFilter {
    pub hall: Option<String>,
    pub department: Option<String>,
    pub window: Option<String>,
    pub rule: Option<Rule>,
    /// Which levels are shown: red, orange, yellow.
    pub levels: [bool; 3],
    /// Staff number or name.
    pub staff: String,
    /// Case number or applicant.
    pub text: String,
    /// `YYYY-MM-DD`, on `since`.
    pub from: String,
    pub to: String,
    pub sort: AlertSort,
    pub descending: bool,
}

impl Default for AlertFilter {
    fn default() -> Self {
        Self {
            hall: None,
            department: None,
            window: None,
            rule: None,
            levels: [true; 3],
            staff: String::new(),
            text: String::new(),
            from: String::new(),
            to: String::new(),
            sort: AlertSort::Severity,
            descending: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertsTab {
    #[default]
    List,
    Notices,
    DailyChecks,
}

/// A dialog over the alert area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertDialog {
    IssueNotice {
        alert_id: i64,
        text: String,
    },
    Close {
        alert_id: i64,
        reason: String,
    },
    Reply {
        notice_id: i64,
        notice_no: String,
        text: String,
    },
    /// Confirm (`confirm`) or dismiss a camera finding (视频巡察); a dismissal needs a reason.
    DecideFinding {
        finding_id: i64,
        kind: crate::domain::watch::FindingKind,
        confirm: bool,
        subtitle: String,
        text: String,
        snapshots: Vec<i64>,
    },
}

/// Textures of a finding's snapshots (by snapshot id).
#[derive(Default)]
pub struct FindingPictures(pub Vec<(i64, egui::TextureHandle)>);

impl std::fmt::Debug for FindingPictures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(id, _)| id)).finish()
    }
}

#[derive(Debug, Default)]
pub struct AlertsView {
    pub rows: Vec<AlertRow>,
    /// Camera alarms (设备告警), open first.
    pub cameras: Vec<crate::store::CameraAlert>,
    /// Camera findings (视频巡察: blocked or turned cameras, 离岗 candidates), open and undecided first.
    pub findings: Vec<crate::store::CameraFinding>,
    /// The snapshots of the finding in the open dialog, by snapshot id.
    pub finding_pictures: FindingPictures,
    pub loaded: bool,
    pub loading: bool,
    /// The alerts' revision `rows` is complete up to (`alerts_changed`).
    pub revision: i64,
    /// Asking what changed since `revision`.
    pub following: bool,
    /// The hall changed again while a load or a follow was under way: follow once more after it.
    pub follow_again: bool,
    pub error: Option<String>,
    pub filter: AlertFilter,
    /// The filter `visible` was computed with, and the rows' generation.
    pub applied: Option<(AlertFilter, u64)>,
    pub generation: u64,
    /// Indices into `rows` after filtering and sorting.
    pub visible: Vec<usize>,
    /// Per level (red, orange, yellow): rows passing every filter but the level filter.
    pub counts: [usize; 3],
    pub filter_error: Option<String>,
    pub selected: Option<i64>,
    /// Scroll the table to the selection on the next frame.
    pub scroll_to_selected: bool,
    /// Red alerts that appeared in the last refresh, highlighted for a while.
    pub new_red: std::collections::HashSet<i64>,
    pub new_red_since: Option<std::time::Instant>,
    pub tab: AlertsTab,
    pub notices: Option<Vec<Notice>>,
    pub daily_checks: Option<Vec<DailyCheck>>,
    pub daily_running: bool,
    pub dialog: Option<AlertDialog>,
    pub dialog_error: Option<String>,
    pub action_pending: bool,
    pub last_refresh: Option<std::time::Instant>,
    /// When set, the alert area shows this case instead of the list.
    pub case: Option<CaseView>,
}

/// The case detail, opened from an alert or a case number.
#[derive(Debug, Default)]
pub struct CaseView {
    pub case_no: String,
    pub detail: Option<CaseDetail>,
    pub error: Option<String>,
}

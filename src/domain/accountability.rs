//! Complaints (Art 5(6), 8(3)), violations and accountability (Art 11–13, RULES.md "Accountability").
//!
//! The complaint workflow: registered → accepted or declined (within `accept_days` working days of
//! receipt) → investigating → concluded (within `conclude_days` working days of acceptance), with the
//! reply to the complainant. Violations name an article item and a subject (staff or department);
//! decisions apply one or more of the nine measures of Art 13; a department whose staff were warned
//! (诫勉谈话 or 通报批评) twice within 365 days is flagged under Art 12(6).
//!
//! Pure: no I/O, no clock.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;

/// `[complaints]` in rules.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ComplaintSettings {
    /// Accept or decline within this many working days after receipt (RULES.md: 5).
    pub accept_days: u32,
    /// Conclude (and reply) within this many working days after acceptance.
    pub conclude_days: u32,
}

impl Default for ComplaintSettings {
    fn default() -> Self {
        Self { accept_days: 5, conclude_days: 15 }
    }
}

impl ComplaintSettings {
    pub fn validate(&self) -> Result<(), (String, String)> {
        for (key, v) in [("complaints.accept_days", self.accept_days), ("complaints.conclude_days", self.conclude_days)]
        {
            if !(1..=60).contains(&v) {
                return Err((key.into(), format!("{v} is not between 1 and 60 working days")));
            }
        }
        Ok(())
    }
}

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    Registered,
    Accepted,
    Declined,
    Investigating,
    Concluded,
}

impl ComplaintStatus {
    pub const ALL: [ComplaintStatus; 5] = [
        ComplaintStatus::Registered,
        ComplaintStatus::Accepted,
        ComplaintStatus::Declined,
        ComplaintStatus::Investigating,
        ComplaintStatus::Concluded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::Registered => "registered",
            ComplaintStatus::Accepted => "accepted",
            ComplaintStatus::Declined => "declined",
            ComplaintStatus::Investigating => "investigating",
            ComplaintStatus::Concluded => "concluded",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ComplaintStatus::Registered => "已登记",
            ComplaintStatus::Accepted => "已受理",
            ComplaintStatus::Declined => "不予受理",
            ComplaintStatus::Investigating => "调查中",
            ComplaintStatus::Concluded => "已办结",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ComplaintStatus::Registered => "registered",
            ComplaintStatus::Accepted => "accepted",
            ComplaintStatus::Declined => "declined",
            ComplaintStatus::Investigating => "investigating",
            ComplaintStatus::Concluded => "concluded",
        }
    }

    /// Whether the workflow has ended.
    pub fn is_closed(self) -> bool {
        matches!(self, ComplaintStatus::Declined | ComplaintStatus::Concluded)
    }

    /// The steps allowed from here.
    pub fn may_become(self, next: ComplaintStatus) -> bool {
        use ComplaintStatus::*;
        matches!(
            (self, next),
            (Registered, Accepted)
                | (Registered, Declined)
                | (Accepted, Investigating)
                | (Accepted, Concluded)
                | (Investigating, Concluded)
        )
    }
}

impl fmt::Display for ComplaintStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ComplaintStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown complaint status {s:?}"))
    }
}

/// How urgent a complaint is now: the colour in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Urgency {
    /// Closed, nothing due.
    Done,
    Normal,
    /// The due day is today or the next working day.
    DueSoon,
    Overdue,
}

/// The day the current step is due: acceptance (from the receipt) or conclusion (from the acceptance).
pub fn due_date(
    calendar: &Calendar,
    settings: &ComplaintSettings,
    status: ComplaintStatus,
    received: NaiveDate,
    accepted: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match status {
        ComplaintStatus::Registered => calendar.add_working_days_fast(received, settings.accept_days),
        ComplaintStatus::Accepted | ComplaintStatus::Investigating => {
            calendar.add_working_days_fast(accepted.unwrap_or(received), settings.conclude_days)
        }
        ComplaintStatus::Declined | ComplaintStatus::Concluded => None,
    }
}

/// The urgency on `today` of a step due on `due`.
pub fn urgency(calendar: &Calendar, due: Option<NaiveDate>, today: NaiveDate) -> Urgency {
    let Some(due) = due else { return Urgency::Done };
    if today > due {
        Urgency::Overdue
    } else if today == due || calendar.next_working_day(today).is_ok_and(|n| n.value >= due) {
        Urgency::DueSoon
    } else {
        Urgency::Normal
    }
}

/// The article items of Art 11 (window staff) and Art 12 (departments).
pub const ARTICLE_ITEMS: [(&str, &str); 16] = [
    ("11(1)", "未公开办事依据、条件、程序、时限、收费标准、办理结果"),
    ("11(2)", "多次要求补正材料"),
    ("11(3)", "未出具受理承诺单、缺件告知单、不予受理通知单、不予许可决定书"),
    ("11(4)", "应受理不受理、不应许可而许可"),
    ("11(5)", "违规收费或减免"),
    ("11(6)", "服务态度生硬"),
    ("11(7)", "事项未录入系统"),
    ("11(8)", "遮挡摄像头、他人顶岗规避监察"),
    ("11(9)", "不使用评价器或自行按评价器"),
    ("11(10)", "其他违规行为"),
    ("12(1)", "擅自增加前置条件、环节"),
    ("12(2)", "擅自更改系统数据"),
    ("12(3)", "超时审批、反馈不及时"),
    ("12(4)", "事项未进入大厅办理"),
    ("12(5)", "体外循环、录入数据与实际不符"),
    ("12(6)", "一年内工作人员两次以上受到告诫"),
];

/// The label of an article item, or `None` when it is not one.
pub fn article_label(item: &str) -> Option<&'static str> {
    ARTICLE_ITEMS.iter().find(|(k, _)| *k == item).map(|(_, v)| *v)
}

/// The nine measures of Art 13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// 诫勉谈话
    Admonition,
    /// 书面检查
    WrittenSelfCriticism,
    /// 通报批评
    CircularCriticism,
    /// 停职检查
    Suspension,
    /// 调整工作岗位
    Reassignment,
    /// 免职
    Removal,
    /// 降职
    Demotion,
    /// 责令辞职
    OrderedResignation,
    /// 党政纪处分
    DisciplinarySanction,
}

impl Measure {
    pub const ALL: [Measure; 9] = [
        Measure::Admonition,
        Measure::WrittenSelfCriticism,
        Measure::CircularCriticism,
        Measure::Suspension,
        Measure::Reassignment,
        Measure::Removal,
        Measure::Demotion,
        Measure::OrderedResignation,
        Measure::DisciplinarySanction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Admonition => "admonition",
            Measure::WrittenSelfCriticism => "written_self_criticism",
            Measure::CircularCriticism => "circular_criticism",
            Measure::Suspension => "suspension",
            Measure::Reassignment => "reassignment",
            Measure::Removal => "removal",
            Measure::Demotion => "demotion",
            Measure::OrderedResignation => "ordered_resignation",
            Measure::DisciplinarySanction => "disciplinary_sanction",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Measure::Admonition => "诫勉谈话",
            Measure::WrittenSelfCriticism => "书面检查",
            Measure::CircularCriticism => "通报批评",
            Measure::Suspension => "停职检查",
            Measure::Reassignment => "调整工作岗位",
            Measure::Removal => "免职",
            Measure::Demotion => "降职",
            Measure::OrderedResignation => "责令辞职",
            Measure::DisciplinarySanction => "党政纪处分",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Measure::Admonition => "admonishing talk",
            Measure::WrittenSelfCriticism => "written self-criticism",
            Measure::CircularCriticism => "circulated criticism",
            Measure::Suspension => "suspension for review",
            Measure::Reassignment => "reassignment",
            Measure::Removal => "removal from post",
            Measure::Demotion => "demotion",
            Measure::OrderedResignation => "ordered resignation",
            Measure::DisciplinarySanction => "Party/administrative sanction",
        }
    }

    /// Counts as a warning (告诫) for Art 12(6).
    pub fn is_warning(self) -> bool {
        matches!(self, Measure::Admonition | Measure::CircularCriticism)
    }
}

impl FromStr for Measure {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s || m.label_zh() == s)
            .ok_or_else(|| format!("unknown measure {s:?} (one of: {})", Self::ALL.map(|m| m.as_str()).join(", ")))
    }
}

/// Who a violation is against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Staff,
    Department,
}

/// Where a violation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ViolationSource {
    /// An alert of the rule engine.
    Rule,
    /// Seen on video (an observation).
    Video,
    Complaint,
}

impl ViolationSource {
    pub const ALL: [ViolationSource; 3] = [ViolationSource::Rule, ViolationSource::Video, ViolationSource::Complaint];

    pub fn as_str(self) -> &'static str {
        match self {
            ViolationSource::Rule => "rule",
            ViolationSource::Video => "video",
            ViolationSource::Complaint => "complaint",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ViolationSource::Rule => "rule alert",
            ViolationSource::Video => "seen on video",
            ViolationSource::Complaint => "complaint",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ViolationSource::Rule => "规则预警",
            ViolationSource::Video => "视频发现",
            ViolationSource::Complaint => "投诉",
        }
    }
}

impl FromStr for ViolationSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown source {s:?}"))
    }
}

/// One warning (告诫) of a department's staff: when it was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Warning {
    pub decided_at: DateTime<Utc>,
}

/// Whether the warnings of one department, the newest at `at`, put it under Art 12(6): two or more
/// within the 365 days ending at `at`.
pub fn flagged_at(warnings: &[Warning], at: DateTime<Utc>) -> bool {
    let from = at - Duration::days(365);
    warnings.iter().filter(|w| w.decided_at > from && w.decided_at <= at).count() >= 2
}

/// Quarter of a date: `2026Q4`.
pub fn quarter_of(date: NaiveDate) -> String {
    use chrono::Datelike as _;
    format!("{}Q{}", date.year(), (date.month() - 1) / 3 + 1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_workflow_goes_forward_only() {
        use ComplaintStatus::*;
        assert!(Registered.may_become(Accepted) && Registered.may_become(Declined));
        assert!(Accepted.may_become(Investigating) && Investigating.may_become(Concluded));
        assert!(!Registered.may_become(Concluded) && !Concluded.may_become(Investigating));
        assert!(!Declined.may_become(Accepted));
        assert!(Declined.is_closed() && !Investigating.is_closed());
    }

    #[test]
    fn due_dates_count_working_days_over_the_national_day_holiday() {
        let cal = Calendar::official();
        let s = ComplaintSettings::default();
        // Received Monday 2026-09-28: the National Day holiday (from 1 October) does not count.
        let due = due_date(&cal, &s, ComplaintStatus::Registered, d("2026-09-28"), None).unwrap();
        assert_eq!(due, cal.add_working_days_fast(d("2026-09-28"), 5).unwrap());
        assert!(due > d("2026-10-07"), "the holiday does not count: {due}");
        let concl = due_date(&cal, &s, ComplaintStatus::Investigating, d("2026-11-02"), Some(d("2026-11-03"))).unwrap();
        assert_eq!(concl, d("2026-11-24"), "15 working days after Tuesday 3 November");
        assert_eq!(due_date(&cal, &s, ComplaintStatus::Concluded, d("2026-11-02"), None), None);
        assert_eq!(urgency(&cal, Some(d("2026-11-24")), d("2026-11-25")), Urgency::Overdue);
        assert_eq!(urgency(&cal, Some(d("2026-11-24")), d("2026-11-24")), Urgency::DueSoon);
        assert_eq!(urgency(&cal, Some(d("2026-11-24")), d("2026-11-23")), Urgency::DueSoon);
        assert_eq!(urgency(&cal, Some(d("2026-11-24")), d("2026-11-20")), Urgency::Normal);
        assert_eq!(urgency(&cal, None, d("2026-11-20")), Urgency::Done);
    }

    #[test]
    fn the_department_flag_needs_two_warnings_within_365_days() {
        let first = Warning { decided_at: at("2025-12-01T10:00:00+08:00") };
        assert!(!flagged_at(&[first], first.decided_at));
        let second = Warning { decided_at: at("2026-11-30T10:00:00+08:00") };
        assert!(flagged_at(&[first, second], second.decided_at), "364 days apart");
        let late = Warning { decided_at: at("2026-12-02T10:00:00+08:00") };
        assert!(!flagged_at(&[first, late], late.decided_at), "366 days apart");
        assert!(Measure::Admonition.is_warning() && Measure::CircularCriticism.is_warning());
        assert!(!Measure::WrittenSelfCriticism.is_warning());
        assert_eq!("诫勉谈话".parse::<Measure>().unwrap(), Measure::Admonition);
        assert_eq!(article_label("12(6)"), Some("一年内工作人员两次以上受到告诫"));
        assert_eq!(quarter_of(d("2026-11-27")), "2026Q4");
    }
}

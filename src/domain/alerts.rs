//! The alert engine (RULES.md "Alerts"): one case's events in, its alerts at an instant out, with the
//! next instant at which time alone could change them.
//!
//! Pure and allocation-light: a case without problems allocates nothing. Rules are evaluated on event
//! time (`occurred_at`), except `late_entry`, which compares `recorded_at` with it. Only events recorded
//! by `now` are known at `now`, so evaluating at a past instant gives the alerts open then.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, DeadlineDay, Suspension, SuspensionKind};
use super::model::{CaseEvent, CatalogueItem, Document, Fen, Step, format_yuan};
use super::time;

/// The alert rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    DeadlinePrompt,
    Overdue,
    OverdueSerious,
    CompletedLate,
    StepOverdue,
    RepeatedSupplement,
    MissingDocument,
    FeeMismatch,
    LateEntry,
    ExtraStep,
    OutOfOrder,
    NotEvaluated,
    NoticeUnanswered,
}

/// Alert colours, from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Yellow,
    Orange,
    Red,
}

/// How an alert is shown: a light (●) for time signals, a card (▮) for violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    Light,
    Card,
}

impl Rule {
    pub const ALL: [Rule; 13] = [
        Rule::DeadlinePrompt,
        Rule::Overdue,
        Rule::OverdueSerious,
        Rule::CompletedLate,
        Rule::StepOverdue,
        Rule::RepeatedSupplement,
        Rule::MissingDocument,
        Rule::FeeMismatch,
        Rule::LateEntry,
        Rule::ExtraStep,
        Rule::OutOfOrder,
        Rule::NotEvaluated,
        Rule::NoticeUnanswered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::DeadlinePrompt => "deadline_prompt",
            Rule::Overdue => "overdue",
            Rule::OverdueSerious => "overdue_serious",
            Rule::CompletedLate => "completed_late",
            Rule::StepOverdue => "step_overdue",
            Rule::RepeatedSupplement => "repeated_supplement",
            Rule::MissingDocument => "missing_document",
            Rule::FeeMismatch => "fee_mismatch",
            Rule::LateEntry => "late_entry",
            Rule::ExtraStep => "extra_step",
            Rule::OutOfOrder => "out_of_order",
            Rule::NotEvaluated => "not_evaluated",
            Rule::NoticeUnanswered => "notice_unanswered",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Rule::DeadlinePrompt => "临期提示",
            Rule::Overdue => "超时",
            Rule::OverdueSerious => "严重超时",
            Rule::CompletedLate => "超时办结",
            Rule::StepOverdue => "环节超时",
            Rule::RepeatedSupplement => "多次补正",
            Rule::MissingDocument => "未出具文书",
            Rule::FeeMismatch => "违规收费/减免",
            Rule::LateEntry => "体外循环嫌疑",
            Rule::ExtraStep => "擅自增设环节",
            Rule::OutOfOrder => "流程异常",
            Rule::NotEvaluated => "未评价",
            Rule::NoticeUnanswered => "督办超期",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Rule::DeadlinePrompt => "Deadline prompt",
            Rule::Overdue => "Overdue",
            Rule::OverdueSerious => "Seriously overdue",
            Rule::CompletedLate => "Completed late",
            Rule::StepOverdue => "Step overdue",
            Rule::RepeatedSupplement => "Repeated supplement",
            Rule::MissingDocument => "Missing document",
            Rule::FeeMismatch => "Fee mismatch",
            Rule::LateEntry => "Late entry",
            Rule::ExtraStep => "Extra step",
            Rule::OutOfOrder => "Out of order",
            Rule::NotEvaluated => "Not evaluated",
            Rule::NoticeUnanswered => "Notice unanswered",
        }
    }

    pub fn level(self) -> Level {
        match self {
            Rule::DeadlinePrompt | Rule::NotEvaluated => Level::Yellow,
            Rule::StepOverdue
            | Rule::RepeatedSupplement
            | Rule::MissingDocument
            | Rule::LateEntry
            | Rule::ExtraStep
            | Rule::OutOfOrder => Level::Orange,
            Rule::Overdue | Rule::OverdueSerious | Rule::CompletedLate | Rule::FeeMismatch | Rule::NoticeUnanswered => {
                Level::Red
            }
        }
    }

    pub fn signal(self) -> Signal {
        match self {
            Rule::DeadlinePrompt | Rule::Overdue | Rule::CompletedLate | Rule::NotEvaluated => Signal::Light,
            _ => Signal::Card,
        }
    }

    /// Whether the alert stays until a supervisor closes it (with a reason), rather than resolving
    /// by itself when the data changes.
    pub fn needs_closing(self) -> bool {
        !matches!(
            self,
            Rule::DeadlinePrompt | Rule::Overdue | Rule::OverdueSerious | Rule::NotEvaluated | Rule::NoticeUnanswered
        )
    }
}

impl std::str::FromStr for Rule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("unknown alert rule {s:?}"))
    }
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Yellow => "yellow",
            Level::Orange => "orange",
            Level::Red => "red",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Yellow => "黄",
            Level::Orange => "橙",
            Level::Red => "红",
        }
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "yellow" => Ok(Level::Yellow),
            "orange" => Ok(Level::Orange),
            "red" => Ok(Level::Red),
            _ => Err(format!("unknown level {s:?}")),
        }
    }
}

/// The engine's settings (`[alerts]` in rules.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    /// `overdue_serious`: working days ended after D.
    pub overdue_serious_days: u32,
    /// `repeated_supplement`: which supplement request fires.
    pub repeated_supplement_count: u32,
    /// `late_entry`: hours between occurring and recording.
    pub late_entry_hours: u32,
    /// Supervision notices are due this many working days after issue.
    pub notice_due_working_days: u32,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self { overdue_serious_days: 3, repeated_supplement_count: 2, late_entry_hours: 24, notice_due_working_days: 5 }
    }
}

impl AlertSettings {
    /// Checks every value; the error names the key (`alerts.late_entry_hours`).
    pub fn validate(&self) -> Result<(), (String, String)> {
        let checks: [(&str, u32, u32, u32); 4] = [
            ("overdue_serious_days", self.overdue_serious_days, 1, 60),
            ("repeated_supplement_count", self.repeated_supplement_count, 2, 20),
            ("late_entry_hours", self.late_entry_hours, 1, 24 * 30),
            ("notice_due_working_days", self.notice_due_working_days, 1, 60),
        ];
        for (key, value, min, max) in checks {
            if !(min..=max).contains(&value) {
                return Err((format!("alerts.{key}"), format!("{value} is outside {min}–{max}")));
            }
        }
        Ok(())
    }
}

/// Everything the engine is configured with.
#[derive(Debug, Clone)]
pub struct RuleBook {
    pub calendar: Calendar,
    pub settings: AlertSettings,
    pub attendance: super::attendance::AttendanceSettings,
    pub evaluator: super::evaluator::EvaluatorSettings,
    pub footage: super::footage::FootageSettings,
    pub complaints: super::accountability::ComplaintSettings,
    pub assessment: super::assessment::AssessmentSettings,
    /// `[notify]` of rules.toml: in force until an administrator saves the hall's own in the database.
    pub notify: super::notify::NotifySettings,
}

impl RuleBook {
    /// The official calendar with the default settings.
    pub fn official() -> Self {
        Self {
            calendar: Calendar::official(),
            settings: AlertSettings::default(),
            attendance: super::attendance::AttendanceSettings::default(),
            evaluator: super::evaluator::EvaluatorSettings::default(),
            footage: super::footage::FootageSettings::default(),
            complaints: super::accountability::ComplaintSettings::default(),
            assessment: super::assessment::AssessmentSettings::default(),
            notify: super::notify::NotifySettings::default(),
        }
    }
}

/// A supervision notice as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NoticeFacts {
    pub notice_no: String,
    pub due_date: NaiveDate,
    pub replied_at: Option<DateTime<Utc>>,
}

/// Everything the engine needs about one case.
#[derive(Debug, Clone, Copy)]
pub struct CaseInput<'a> {
    pub item: &'a CatalogueItem,
    /// In `occurred_at` order.
    pub events: &'a [CaseEvent],
    /// Times of ratings from standalone evaluators that name this case.
    pub evaluations: &'a [DateTime<Utc>],
    pub notices: &'a [NoticeFacts],
}

/// One alert as the engine derives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    pub rule: Rule,
    /// Tells apart several alerts of one rule on one case (`review@1790000000`); empty when there is one.
    pub key: String,
    pub level: Level,
    pub since: DateTime<Utc>,
    /// When the condition ended by itself; `None` while it holds.
    pub resolved_at: Option<DateTime<Utc>>,
    pub explanation: String,
}

/// The engine's answer for one case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseAlerts {
    pub findings: Vec<Finding>,
    /// The next instant after `now` at which time alone changes the findings.
    pub next_change: Option<DateTime<Utc>>,
    pub deadline: Option<DeadlineDay>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// The first `complete` or `deny`.
    pub finished_at: Option<DateTime<Utc>>,
}

fn key_at(step: Step, at: DateTime<Utc>) -> String {
    format!("{}@{}", step.as_str(), at.timestamp())
}

struct Out<'s> {
    now: DateTime<Utc>,
    findings: Vec<Finding>,
    next_change: Option<DateTime<Utc>>,
    settings: &'s AlertSettings,
}

impl Out<'_> {
    /// Records a finding that began at `since` (ignored when that is after `now`), resolved at
    /// `resolved` when that is known by `now`.
    fn add(
        &mut self,
        rule: Rule,
        key: String,
        since: DateTime<Utc>,
        resolved: Option<DateTime<Utc>>,
        explanation: impl FnOnce() -> String,
    ) {
        if since > self.now {
            self.wake_at(since);
            return;
        }
        let resolved_at = resolved.filter(|r| *r <= self.now);
        self.findings.push(Finding { rule, key, level: rule.level(), since, resolved_at, explanation: explanation() });
    }

    fn wake_at(&mut self, at: DateTime<Utc>) {
        if at > self.now {
            self.next_change = Some(self.next_change.map_or(at, |n| n.min(at)));
        }
    }
}

/// Evaluates one case at `now`.
pub fn evaluate(
    input: &CaseInput<'_>,
    calendar: &Calendar,
    settings: &AlertSettings,
    now: DateTime<Utc>,
) -> CaseAlerts {
    let mut out = Out { now, findings: Vec::new(), next_change: None, settings };
    let item = input.item;
    let known = || input.events.iter().filter(|e| e.recorded_at <= now);

    // One pass for the facts.
    let mut accepted: Option<&CaseEvent> = None;
    let mut finished_at: Option<DateTime<Utc>> = None;
    let mut completed_at: Option<DateTime<Utc>> = None;
    let mut approved_or_denied_at: Option<DateTime<Utc>> = None;
    let mut evaluated_at: Option<DateTime<Utc>> = input.evaluations.iter().copied().filter(|t| *t <= now).min();
    let mut supplement_requests = 0u32;
    let mut fee_sum: Fen = 0;
    let mut fee_events = 0u32;
    let mut overcharged = false;
    let mut previous_workflow_step: Option<&CaseEvent> = None;
    let suspensions = suspensions_of(known());
    let late_entry = chrono::Duration::hours(i64::from(settings.late_entry_hours));

    for e in known() {
        let on = time::local_date(e.occurred_at);
        match e.step {
            Step::Accept if accepted.is_none() => accepted = Some(e),
            Step::Complete | Step::Deny => {
                if finished_at.is_none() {
                    finished_at = Some(e.occurred_at);
                }
                if e.step == Step::Complete && completed_at.is_none() {
                    completed_at = Some(e.occurred_at);
                }
            }
            Step::Evaluate => evaluated_at = Some(evaluated_at.map_or(e.occurred_at, |t| t.min(e.occurred_at))),
            _ => {}
        }
        if matches!(e.step, Step::Approve | Step::Deny) && approved_or_denied_at.is_none() {
            approved_or_denied_at = Some(e.occurred_at);
        }
        match e.step {
            Step::SupplementRequest => {
                supplement_requests += 1;
                if supplement_requests == settings.repeated_supplement_count {
                    out.add(Rule::RepeatedSupplement, String::new(), e.occurred_at, None, || {
                        format!(
                            "第 {} 次要求补正材料（{}），同一办件多次补正。",
                            supplement_requests,
                            time::format_local_minutes(e.occurred_at)
                        )
                    });
                }
            }
            Step::Fee => {
                fee_events += 1;
                fee_sum += e.amount_fen.unwrap_or(0);
                if !overcharged && fee_sum > item.fee_fen {
                    overcharged = true;
                    let sum = fee_sum;
                    out.add(Rule::FeeMismatch, String::new(), e.occurred_at, None, || {
                        format!(
                            "已收费 {} 元，超过收费标准 {} 元（多收 {} 元）。",
                            format_yuan(sum),
                            format_yuan(item.fee_fen),
                            format_yuan(sum - item.fee_fen)
                        )
                    });
                }
            }
            _ => {}
        }
        // Documents a window must issue (Art 11(3)).
        let required = match e.step {
            Step::Accept => Some(Document::AcceptanceSlip),
            Step::SupplementRequest => Some(Document::MissingDocsNotice),
            Step::Reject => Some(Document::NonAcceptanceNotice),
            Step::Deny => Some(Document::DenialDecision),
            _ => None,
        };
        if let Some(doc) = required.filter(|d| !e.documents.contains(d)) {
            out.add(Rule::MissingDocument, key_at(e.step, e.occurred_at), e.occurred_at, None, || {
                format!(
                    "{}（{}）未出具《{}》。",
                    e.step.label_zh(),
                    time::format_local_minutes(e.occurred_at),
                    doc.label_zh()
                )
            });
        }
        if e.recorded_at - e.occurred_at > late_entry {
            out.add(Rule::LateEntry, key_at(e.step, e.occurred_at), e.recorded_at, None, || {
                let hours = (e.recorded_at - e.occurred_at).num_hours();
                format!(
                    "{}发生于 {}，{} 才录入系统（滞后 {} 小时，超过 {} 小时）。",
                    e.step.label_zh(),
                    time::format_local_minutes(e.occurred_at),
                    time::format_local_minutes(e.recorded_at),
                    hours,
                    settings.late_entry_hours
                )
            });
        }
        if matches!(e.step, Step::Review | Step::Approve) && !item.workflow.contains(&e.step) {
            out.add(Rule::ExtraStep, key_at(e.step, e.occurred_at), e.occurred_at, None, || {
                format!(
                    "事项流程（{}）不含“{}”环节，却于 {} 出现该环节。",
                    workflow_zh(item),
                    e.step.label_zh(),
                    time::format_local_minutes(e.occurred_at)
                )
            });
        }
        // Step limits: working days from the day after the previous workflow step to this one, less the
        // days the clock stood still (waiting for material, special procedures).
        if let Some(position) = item.workflow.iter().position(|s| *s == e.step) {
            if let (Some(previous), Some(Some(limit))) = (previous_workflow_step, item.step_limits.get(position)) {
                let from = time::local_date(previous.occurred_at).succ_opt().unwrap_or(on);
                let until = on.succ_opt().unwrap_or(on);
                let days = calendar.working_day_count(from, until) - stopped_days(calendar, &suspensions, from, until);
                if days > *limit {
                    out.add(Rule::StepOverdue, key_at(e.step, e.occurred_at), e.occurred_at, None, || {
                        format!(
                            "“{}”距上一环节“{}”（{}）用时 {} 个工作日，超过环节时限 {} 个工作日。",
                            e.step.label_zh(),
                            previous.step.label_zh(),
                            time::format_local_minutes(previous.occurred_at),
                            days,
                            limit
                        )
                    });
                }
            }
            previous_workflow_step = Some(e);
        }
    }
    // Order: review, approve, deny and complete need an earlier accept; complete needs approve or deny
    // first when the workflow has approval.
    let accepted_at = accepted.map(|a| a.occurred_at);
    for e in known() {
        let before_accept = matches!(e.step, Step::Review | Step::Approve | Step::Deny | Step::Complete)
            && accepted_at.is_none_or(|a| a > e.occurred_at);
        let unapproved = e.step == Step::Complete
            && item.workflow.contains(&Step::Approve)
            && approved_or_denied_at.is_none_or(|a| a > e.occurred_at);
        if before_accept || unapproved {
            out.add(Rule::OutOfOrder, key_at(e.step, e.occurred_at), e.occurred_at, None, || {
                if before_accept {
                    format!(
                        "“{}”（{}）发生在受理之前或未经受理。",
                        e.step.label_zh(),
                        time::format_local_minutes(e.occurred_at)
                    )
                } else {
                    format!(
                        "{} 办结时尚未批准或作出不予许可决定（流程：{}）。",
                        time::format_local_minutes(e.occurred_at),
                        workflow_zh(item)
                    )
                }
            });
        }
    }

    // Fees at completion: the total must equal the standard.
    if let Some(done) = completed_at {
        if !overcharged && fee_sum != item.fee_fen {
            let sum = fee_sum;
            out.add(Rule::FeeMismatch, String::new(), done, None, || {
                if sum < item.fee_fen {
                    format!(
                        "办结时实收 {} 元，低于收费标准 {} 元（减免 {} 元，{} 笔收费）。",
                        format_yuan(sum),
                        format_yuan(item.fee_fen),
                        format_yuan(item.fee_fen - sum),
                        fee_events
                    )
                } else {
                    format!("办结时实收 {} 元，超过收费标准 {} 元。", format_yuan(sum), format_yuan(item.fee_fen))
                }
            });
        }
        // Evaluation: due from the start of the second working day after the completion date.
        let done_on = time::local_date(done);
        if let Some(due_day) = calendar.add_working_days_fast(done_on, 2) {
            let due = time::start_of_day(due_day);
            if evaluated_at.is_none_or(|t| t >= due) {
                out.add(Rule::NotEvaluated, String::new(), due, evaluated_at, || {
                    format!("{} 办结，至第二个工作日（{}）仍无评价记录。", time::format_local_minutes(done), due_day)
                });
            }
        }
    }

    // Notices: red card when the due date passed without a reply.
    for n in input.notices {
        let due_end = time::end_of_day(n.due_date);
        if n.replied_at.is_none_or(|r| r >= due_end) {
            out.add(Rule::NoticeUnanswered, n.notice_no.clone(), due_end, n.replied_at, || {
                format!("督办通知 {} 应于 {} 前答复，逾期未答复。", n.notice_no, n.due_date)
            });
        }
    }

    // Deadlines.
    let mut deadline = None;
    let rejected_first =
        known().find(|e| matches!(e.step, Step::Accept | Step::Reject)).is_some_and(|e| e.step == Step::Reject);
    if let (Some(accept), false) = (accepted, rejected_first) {
        let promised = accept.promised_days.unwrap_or(item.promised_days);
        let accepted_on = time::local_date(accept.occurred_at);
        if let Some(dd) = calendar.deadline_day(accepted_on, promised, &suspensions) {
            deadline = Some(dd);
            deadline_alerts(&mut out, calendar, &dd, promised, accept.occurred_at, finished_at);
        }
    }

    let Out { findings, next_change, .. } = out;
    CaseAlerts { findings, next_change, deadline, accepted_at, finished_at }
}

/// Working days in `from..until` on which a suspension stood (overlaps counted once).
fn stopped_days(calendar: &Calendar, suspensions: &[Suspension], from: NaiveDate, until: NaiveDate) -> u32 {
    if suspensions.is_empty() {
        return 0;
    }
    let mut spans: Vec<(NaiveDate, NaiveDate)> = suspensions
        .iter()
        .map(|s| (s.start.max(from), s.end.unwrap_or(until).min(until)))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort();
    let mut total = 0;
    let mut covered_to = from;
    for (a, b) in spans {
        let a = a.max(covered_to);
        if a < b {
            total += calendar.working_day_count(a, b);
            covered_to = b;
        }
    }
    total
}

/// The intervals in which the case's clock stopped: supplement request → material received, and
/// suspend → resume (local dates; `end` is `None` while open).
pub fn case_suspensions(events: &[CaseEvent]) -> Vec<Suspension> {
    suspensions_of(events.iter())
}

fn suspensions_of<'a>(events: impl Iterator<Item = &'a CaseEvent>) -> Vec<Suspension> {
    suspensions_of_steps(events.map(|e| (e.step, e.occurred_at)))
}

/// [`case_suspensions`] from the steps and times alone (in time order), for callers that load only the
/// suspending steps.
pub fn suspensions_of_steps(steps: impl Iterator<Item = (Step, DateTime<Utc>)>) -> Vec<Suspension> {
    let mut out = Vec::new();
    let mut open_supplement: Option<NaiveDate> = None;
    let mut open_special: Option<NaiveDate> = None;
    for (step, occurred_at) in steps {
        let on = time::local_date(occurred_at);
        match step {
            Step::SupplementRequest => {
                open_supplement.get_or_insert(on);
            }
            Step::SupplementReceived => {
                if let Some(start) = open_supplement.take() {
                    out.push(Suspension { kind: SuspensionKind::Supplement, start, end: Some(on) });
                }
            }
            Step::Suspend => {
                open_special.get_or_insert(on);
            }
            Step::Resume => {
                if let Some(start) = open_special.take() {
                    out.push(Suspension { kind: SuspensionKind::SpecialProcedure, start, end: Some(on) });
                }
            }
            _ => {}
        }
    }
    out.extend(open_supplement.map(|start| Suspension { kind: SuspensionKind::Supplement, start, end: None }));
    out.extend(open_special.map(|start| Suspension { kind: SuspensionKind::SpecialProcedure, start, end: None }));
    out
}

fn workflow_zh(item: &CatalogueItem) -> String {
    item.workflow.iter().map(|s| s.label_zh()).collect::<Vec<_>>().join("→")
}

fn deadline_alerts(
    out: &mut Out<'_>,
    calendar: &Calendar,
    dd: &DeadlineDay,
    promised: u32,
    accepted_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
) {
    let accepted_on = time::local_date(accepted_at);
    let end = time::end_of_day(dd.day);
    let prompt_at = time::start_of_day(dd.prompt_from);
    let summary = |extra: &str| -> String {
        let mut s = format!("{accepted_on} 受理，承诺 {promised} 个工作日，期限 {}", dd.day);
        if dd.extension_days > 0 {
            let _ = write!(s, "（补正/特别程序顺延 {} 个工作日）", dd.extension_days);
        }
        s.push_str(extra);
        if dd.missing_data {
            s.push_str("；注意：计算涉及尚无节假日数据的年份，按周一至周五计算");
        }
        s.push('。');
        s
    };
    // An open suspension that began before D ended stops the clock: no prompt, no overdue.
    if let Some(since) = dd.suspended_since
        && time::start_of_day(since) < end
        && finished_at.is_none()
    {
        return;
    }
    if let Some(done) = finished_at
        && done >= end
    {
        out.add(Rule::CompletedLate, String::new(), done, None, || {
            let late = calendar.working_day_count(dd.day.succ_opt().unwrap_or(dd.day), time::local_date(done));
            summary(&format!("；{} 办结，超出期限 {} 个工作日", time::format_local_minutes(done), late + 1))
        });
    }
    // For short limits the prompt day is the acceptance day or earlier: the prompt starts with the case.
    let prompt_since = prompt_at.max(accepted_at);
    if finished_at.is_none_or(|d| d > prompt_since) && prompt_since < end {
        out.add(
            Rule::DeadlinePrompt,
            String::new(),
            prompt_since,
            Some(finished_at.map_or(end, |d| d.min(end))),
            || summary(&format!("；{} 为期限前一个工作日，临期提示", dd.prompt_from)),
        );
    }
    if finished_at.is_none_or(|d| d >= end) {
        out.add(Rule::Overdue, String::new(), end, finished_at, || summary("；期限已过仍未办结"));
    }
    let serious_days = out.settings.overdue_serious_days;
    if let Some(serious_day) = calendar.add_working_days_fast(dd.day, serious_days) {
        let serious_at = time::end_of_day(serious_day);
        if finished_at.is_none_or(|d| d >= serious_at) {
            out.add(Rule::OverdueSerious, String::new(), serious_at, finished_at, || {
                summary(&format!("；超过期限已满 {serious_days} 个工作日（至 {serious_day}）仍未办结"))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_validation_names_the_key() {
        assert_eq!(AlertSettings::default().validate(), Ok(()));
        let bad = AlertSettings { late_entry_hours: 0, ..AlertSettings::default() };
        assert_eq!(bad.validate().unwrap_err().0, "alerts.late_entry_hours");
        let bad = AlertSettings { repeated_supplement_count: 1, ..AlertSettings::default() };
        assert_eq!(bad.validate().unwrap_err().0, "alerts.repeated_supplement_count");
    }

    #[test]
    fn levels_and_signals_follow_the_table() {
        assert_eq!(Rule::OverdueSerious.level(), Level::Red);
        assert_eq!(Rule::OverdueSerious.signal(), Signal::Card);
        assert_eq!(Rule::CompletedLate.signal(), Signal::Light);
        assert_eq!(Rule::StepOverdue.level(), Level::Orange);
        for rule in Rule::ALL {
            assert_eq!(rule.as_str().parse::<Rule>(), Ok(rule));
        }
    }
}

//! Every alert rule of RULES.md, with cases that fire and cases that must not, over the official 2026
//! calendar: Spring Festival and National Day, make-up Saturdays, suspensions, immediate items and the
//! resolve conditions.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use chrono::{DateTime, NaiveDate, Utc};
use jiancha::domain::alerts::{self, AlertSettings, CaseAlerts, CaseInput, Level, NoticeFacts, Rule};
use jiancha::domain::calendar::Calendar;
use jiancha::domain::model::{CaseEvent, CatalogueItem, Document, Step, SuspendReason};

fn at(s: &str) -> DateTime<Utc> {
    let with_offset = if s.len() == 16 { format!("{s}:00+08:00") } else { format!("{s}+08:00") };
    DateTime::parse_from_rfc3339(&with_offset.replace(' ', "T")).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An item with the usual approval workflow and step limits 1|5|2|2.
fn item(promised: u32, fee_fen: i64) -> CatalogueItem {
    CatalogueItem {
        code: "SCJG-004".into(),
        name: "食品经营许可".into(),
        department: "市市场监督管理局".into(),
        legal_days: 20,
        promised_days: promised,
        fee_fen,
        workflow: vec![Step::Accept, Step::Review, Step::Approve, Step::Complete],
        step_limits: vec![Some(1), Some(5), Some(2), Some(2)],
    }
}

/// An immediate item: accept and complete only.
fn simple_item(promised: u32) -> CatalogueItem {
    CatalogueItem {
        code: "SW-001".into(),
        name: "发票领用".into(),
        department: "市税务局".into(),
        legal_days: 1,
        promised_days: promised,
        fee_fen: 0,
        workflow: vec![Step::Accept, Step::Complete],
        step_limits: vec![None, None],
    }
}

fn ev(step: Step, when: &str) -> CaseEvent {
    let t = at(when);
    let documents = match step {
        Step::Accept => vec![Document::AcceptanceSlip],
        Step::SupplementRequest => vec![Document::MissingDocsNotice],
        Step::Reject => vec![Document::NonAcceptanceNotice],
        Step::Deny => vec![Document::DenialDecision],
        _ => vec![],
    };
    CaseEvent {
        case_no: "SP20261102001".into(),
        item_code: "SCJG-004".into(),
        hall: Some("SP-CITY".into()),
        window: Some("A01".into()),
        staff_no: Some("S0001".into()),
        step,
        occurred_at: t,
        recorded_at: t,
        documents,
        applicant: None,
        amount_fen: None,
        rating: (step == Step::Evaluate).then_some(5),
        reason: (step == Step::Suspend).then_some(SuspendReason::ExpertReview),
        promised_days: None,
    }
}

fn fee(when: &str, fen: i64) -> CaseEvent {
    CaseEvent { amount_fen: Some(fen), ..ev(Step::Fee, when) }
}

struct Case {
    item: CatalogueItem,
    events: Vec<CaseEvent>,
    evaluations: Vec<DateTime<Utc>>,
    notices: Vec<NoticeFacts>,
}

fn case(item: CatalogueItem, events: Vec<CaseEvent>) -> Case {
    Case { item, events, evaluations: vec![], notices: vec![] }
}

impl Case {
    fn at(&self, now: &str) -> CaseAlerts {
        let mut events = self.events.clone();
        events.sort_by_key(|e| e.occurred_at);
        let input =
            CaseInput { item: &self.item, events: &events, evaluations: &self.evaluations, notices: &self.notices };
        static CALENDAR: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
        alerts::evaluate(&input, CALENDAR.get_or_init(Calendar::official), &AlertSettings::default(), at(now))
    }
}

trait Findings {
    fn open(&self, rule: Rule) -> bool;
    fn has(&self, rule: Rule) -> bool;
    fn count(&self, rule: Rule) -> usize;
    fn resolved_at(&self, rule: Rule) -> Option<DateTime<Utc>>;
    fn since(&self, rule: Rule) -> DateTime<Utc>;
}

impl Findings for CaseAlerts {
    fn open(&self, rule: Rule) -> bool {
        self.findings.iter().any(|f| f.rule == rule && f.resolved_at.is_none())
    }
    fn has(&self, rule: Rule) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }
    fn count(&self, rule: Rule) -> usize {
        self.findings.iter().filter(|f| f.rule == rule).count()
    }
    fn resolved_at(&self, rule: Rule) -> Option<DateTime<Utc>> {
        self.findings.iter().find(|f| f.rule == rule).and_then(|f| f.resolved_at)
    }
    fn since(&self, rule: Rule) -> DateTime<Utc> {
        self.findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("no {rule:?} in {:#?}", self.findings))
            .since
    }
}

/// Accepted Monday 2 Nov 2026, 5 working days: D = Monday 9 Nov, prompt from Friday 6 Nov.
fn november(extra: Vec<CaseEvent>) -> Case {
    let mut events = vec![ev(Step::Accept, "2026-11-02 10:00")];
    events.extend(extra);
    case(item(5, 0), events)
}

#[test]
fn deadline_prompt_starts_on_the_working_day_before_d() {
    let c = november(vec![]);
    let before = c.at("2026-11-05 23:59");
    assert!(!before.has(Rule::DeadlinePrompt));
    assert_eq!(before.next_change, Some(at("2026-11-06 00:00")), "wakes up on time without a new event");
    let on = c.at("2026-11-06 00:00");
    assert!(on.open(Rule::DeadlinePrompt));
    assert_eq!(on.findings[0].level, Level::Yellow);
    assert_eq!(on.next_change, Some(at("2026-11-10 00:00")), "next: D ends");
    assert!(c.at("2026-11-09 23:59").open(Rule::DeadlinePrompt));
    assert!(!c.at("2026-11-09 23:59").has(Rule::Overdue));
}

#[test]
fn deadline_prompt_resolves_on_completion_or_when_d_ends() {
    let done_early = november(vec![
        ev(Step::Review, "2026-11-03 10:00"),
        ev(Step::Approve, "2026-11-04 10:00"),
        ev(Step::Complete, "2026-11-05 15:00"),
    ]);
    assert!(!done_early.at("2026-11-20 00:00").has(Rule::DeadlinePrompt), "completed before the prompt day");
    let done_on_prompt_day = november(vec![
        ev(Step::Review, "2026-11-03 10:00"),
        ev(Step::Approve, "2026-11-04 10:00"),
        ev(Step::Complete, "2026-11-06 12:00"),
    ]);
    assert_eq!(
        done_on_prompt_day.at("2026-11-20 00:00").resolved_at(Rule::DeadlinePrompt),
        Some(at("2026-11-06 12:00"))
    );
    let never = november(vec![]);
    let later = never.at("2026-11-10 00:00");
    assert_eq!(later.resolved_at(Rule::DeadlinePrompt), Some(at("2026-11-10 00:00")), "D ended");
    assert!(later.open(Rule::Overdue));
}

#[test]
fn overdue_and_seriously_overdue() {
    let c = november(vec![]);
    let overdue = c.at("2026-11-10 00:00");
    assert!(overdue.open(Rule::Overdue));
    assert_eq!(overdue.since(Rule::Overdue), at("2026-11-10 00:00"));
    assert!(!overdue.has(Rule::OverdueSerious));
    // Three working days (10, 11, 12 Nov) must have ended.
    let almost = c.at("2026-11-12 23:59");
    assert!(!almost.has(Rule::OverdueSerious));
    assert_eq!(almost.next_change, Some(at("2026-11-13 00:00")));
    let serious = c.at("2026-11-13 00:00");
    assert!(serious.open(Rule::OverdueSerious));
    assert_eq!(serious.findings.iter().find(|f| f.rule == Rule::OverdueSerious).unwrap().level, Level::Red);
    assert_eq!(serious.next_change, None, "nothing more happens by time alone");
}

#[test]
fn completing_late_resolves_overdue_and_raises_completed_late() {
    let c = november(vec![
        ev(Step::Review, "2026-11-03 10:00"),
        ev(Step::Approve, "2026-11-04 10:00"),
        ev(Step::Complete, "2026-11-11 09:00"),
    ]);
    let a = c.at("2026-11-20 00:00");
    assert_eq!(a.resolved_at(Rule::Overdue), Some(at("2026-11-11 09:00")));
    assert!(a.open(Rule::CompletedLate), "stays until a supervisor closes it");
    assert_eq!(a.since(Rule::CompletedLate), at("2026-11-11 09:00"));
    assert!(!a.has(Rule::OverdueSerious));
    // Completed on D itself, late in the evening: in time.
    let in_time = november(vec![
        ev(Step::Review, "2026-11-03 10:00"),
        ev(Step::Approve, "2026-11-04 10:00"),
        ev(Step::Complete, "2026-11-09 23:59"),
    ]);
    let a = in_time.at("2026-11-20 00:00");
    assert!(!a.has(Rule::CompletedLate) && !a.has(Rule::Overdue));
    // Before the completion was recorded, the case looked overdue.
    let mut late_record = november(vec![ev(Step::Review, "2026-11-03 10:00"), ev(Step::Approve, "2026-11-04 10:00")]);
    let mut complete = ev(Step::Complete, "2026-11-09 16:00");
    complete.recorded_at = at("2026-11-12 09:00");
    late_record.events.push(complete);
    assert!(late_record.at("2026-11-11 10:00").open(Rule::Overdue));
    assert!(!late_record.at("2026-11-12 10:00").has(Rule::Overdue));
}

#[test]
fn spring_festival_make_up_saturday_is_the_prompt_day() {
    // Accepted Thu 12 Feb, 3 days: Fri 13 (1), Sat 14 make-up (2), holiday 15–23, Tue 24 (3).
    let c = case(item(3, 0), vec![ev(Step::Accept, "2026-02-12 09:00")]);
    let a = c.at("2026-02-13 23:59");
    assert!(!a.has(Rule::DeadlinePrompt));
    assert_eq!(a.deadline.unwrap().day, d("2026-02-24"));
    assert_eq!(a.deadline.unwrap().prompt_from, d("2026-02-14"));
    assert!(c.at("2026-02-14 08:00").open(Rule::DeadlinePrompt));
    assert!(c.at("2026-02-23 18:00").open(Rule::DeadlinePrompt), "the holiday does not end it");
    assert!(!c.at("2026-02-24 18:00").has(Rule::Overdue));
    assert!(c.at("2026-02-25 00:00").open(Rule::Overdue));
}

#[test]
fn national_day_and_its_make_up_saturday() {
    // Accepted Wed 30 Sep, 2 days: Thu 8 Oct (1), Fri 9 Oct (2). Prompt from 8 Oct, not during the holiday.
    let c = case(item(2, 0), vec![ev(Step::Accept, "2026-09-30 15:00")]);
    assert!(!c.at("2026-10-07 12:00").has(Rule::DeadlinePrompt));
    assert!(c.at("2026-10-08 00:00").open(Rule::DeadlinePrompt));
    // Overdue from Sat 10 Oct; the make-up Saturday counts towards "seriously overdue":
    // 10 Oct, 12 Oct and 13 Oct end → serious from 14 Oct.
    assert!(c.at("2026-10-10 00:00").open(Rule::Overdue));
    assert!(!c.at("2026-10-13 23:59").has(Rule::OverdueSerious));
    assert!(c.at("2026-10-14 00:00").open(Rule::OverdueSerious));
}

#[test]
fn suspensions_stop_the_clock() {
    // Expert review 4–13 Nov (7 working days): D moves from 9 Nov to 18 Nov.
    let closed = november(vec![
        ev(Step::Review, "2026-11-03 10:00"),
        ev(Step::Suspend, "2026-11-04 10:00"),
        ev(Step::Resume, "2026-11-13 10:00"),
    ]);
    let a = closed.at("2026-11-16 12:00");
    assert_eq!(a.deadline.unwrap().day, d("2026-11-18"));
    assert!(!a.has(Rule::Overdue));
    assert!(closed.at("2026-11-17 00:00").open(Rule::DeadlinePrompt));
    assert!(closed.at("2026-11-19 00:00").open(Rule::Overdue));
    // Still open: never overdue, nothing to wake up for.
    let open = november(vec![ev(Step::Review, "2026-11-03 10:00"), ev(Step::SupplementRequest, "2026-11-04 10:00")]);
    let a = open.at("2026-12-20 12:00");
    assert!(!a.has(Rule::Overdue) && !a.has(Rule::DeadlinePrompt));
    assert_eq!(a.deadline.unwrap().suspended_since, Some(d("2026-11-04")));
    // A suspension that began after the case was already overdue does not hide it.
    let after = november(vec![ev(Step::SupplementRequest, "2026-11-11 10:00")]);
    assert!(after.at("2026-11-12 10:00").open(Rule::Overdue));
}

#[test]
fn immediate_items_are_due_the_same_day() {
    let c = case(simple_item(0), vec![ev(Step::Accept, "2026-11-02 10:00")]);
    let a = c.at("2026-11-02 11:00");
    assert_eq!(a.deadline.unwrap().day, d("2026-11-02"));
    assert!(a.open(Rule::DeadlinePrompt));
    assert_eq!(a.since(Rule::DeadlinePrompt), at("2026-11-02 10:00"), "the prompt starts with the case");
    assert!(c.at("2026-11-03 00:00").open(Rule::Overdue));
    let done = case(simple_item(0), vec![ev(Step::Accept, "2026-11-02 10:00"), ev(Step::Complete, "2026-11-02 10:20")]);
    let a = done.at("2026-11-06 12:00");
    assert!(!a.has(Rule::Overdue) && !a.has(Rule::CompletedLate));
    assert_eq!(a.resolved_at(Rule::DeadlinePrompt), Some(at("2026-11-02 10:20")));
}

#[test]
fn step_overdue_counts_from_the_day_after_the_previous_step() {
    // Review limit 5: from 3 Nov to 9 Nov inclusive is 5 working days (3, 4, 5, 6, 9) — allowed.
    let ok = november(vec![ev(Step::Review, "2026-11-09 16:00")]);
    assert!(!ok.at("2026-11-09 18:00").has(Rule::StepOverdue));
    let late = november(vec![ev(Step::Review, "2026-11-10 09:00")]);
    let a = late.at("2026-11-10 18:00");
    assert!(a.open(Rule::StepOverdue));
    assert_eq!(a.findings.iter().find(|f| f.rule == Rule::StepOverdue).unwrap().level, Level::Orange);
    assert!(a.findings.iter().any(|f| f.explanation.contains("6 个工作日")));
    // Accept → review on the same day is 0 days; approve two working days after review is allowed (limit 2),
    // across a weekend: review Fri 6, approve Tue 10 = 2 working days (9, 10).
    let weekend = november(vec![ev(Step::Review, "2026-11-06 10:00"), ev(Step::Approve, "2026-11-10 10:00")]);
    assert!(!weekend.at("2026-11-10 12:00").has(Rule::StepOverdue));
    // A make-up Saturday counts: review Fri 9 Oct, approve Tue 13 Oct = 10 (Sat), 12, 13 = 3 > 2.
    let makeup = case(
        item(10, 0),
        vec![
            ev(Step::Accept, "2026-10-09 09:00"),
            ev(Step::Review, "2026-10-09 10:00"),
            ev(Step::Approve, "2026-10-13 10:00"),
        ],
    );
    assert!(makeup.at("2026-10-13 12:00").has(Rule::StepOverdue));
}

#[test]
fn repeated_supplement_fires_on_the_second_request() {
    let once = november(vec![
        ev(Step::SupplementRequest, "2026-11-03 10:00"),
        ev(Step::SupplementReceived, "2026-11-04 10:00"),
    ]);
    assert!(!once.at("2026-11-20 00:00").has(Rule::RepeatedSupplement));
    let twice = november(vec![
        ev(Step::SupplementRequest, "2026-11-03 10:00"),
        ev(Step::SupplementReceived, "2026-11-04 10:00"),
        ev(Step::SupplementRequest, "2026-11-05 10:00"),
    ]);
    let a = twice.at("2026-11-05 12:00");
    assert!(a.open(Rule::RepeatedSupplement));
    assert_eq!(a.since(Rule::RepeatedSupplement), at("2026-11-05 10:00"));
    // The two supplement waits both extend D: 3 Nov, then 5 Nov onwards (open).
    assert_eq!(a.deadline.unwrap().suspended_since, Some(d("2026-11-05")));
}

#[test]
fn missing_documents() {
    let mut accept = ev(Step::Accept, "2026-11-02 10:00");
    accept.documents.clear();
    let mut supplement = ev(Step::SupplementRequest, "2026-11-03 10:00");
    supplement.documents.clear();
    let mut deny = ev(Step::Deny, "2026-11-05 10:00");
    deny.documents.clear();
    let c = case(
        item(5, 0),
        vec![
            accept,
            supplement,
            ev(Step::SupplementReceived, "2026-11-04 09:00"),
            ev(Step::Review, "2026-11-04 10:00"),
            deny,
        ],
    );
    let a = c.at("2026-11-06 00:00");
    assert_eq!(a.count(Rule::MissingDocument), 3);
    assert!(a.findings.iter().any(|f| f.explanation.contains("受理承诺单")));
    assert!(a.findings.iter().any(|f| f.explanation.contains("不予许可决定书")));
    let mut reject = ev(Step::Reject, "2026-11-02 10:00");
    reject.documents.clear();
    assert_eq!(case(item(5, 0), vec![reject]).at("2026-11-02 12:00").count(Rule::MissingDocument), 1);
    // With the documents issued, nothing.
    let fine = case(item(5, 0), vec![ev(Step::Reject, "2026-11-02 10:00")]);
    assert!(!fine.at("2026-11-02 12:00").has(Rule::MissingDocument));
    assert!(!fine.at("2026-11-20 12:00").has(Rule::Overdue), "a rejected case has no deadline");
}

#[test]
fn fees_against_the_standard() {
    let done = |fees: Vec<CaseEvent>| {
        let mut events = vec![ev(Step::Accept, "2026-11-02 10:00")];
        events.extend(fees);
        events.extend([
            ev(Step::Review, "2026-11-03 10:00"),
            ev(Step::Approve, "2026-11-04 10:00"),
            ev(Step::Complete, "2026-11-05 10:00"),
        ]);
        case(item(5, 12000), events)
    };
    assert!(!done(vec![fee("2026-11-02 10:05", 12000)]).at("2026-11-06 00:00").has(Rule::FeeMismatch));
    assert!(
        !done(vec![fee("2026-11-02 10:05", 8000), fee("2026-11-03 10:05", 4000)])
            .at("2026-11-06 00:00")
            .has(Rule::FeeMismatch),
        "split payments add up"
    );
    let waiver = done(vec![fee("2026-11-02 10:05", 6000)]);
    let a = waiver.at("2026-11-06 00:00");
    assert_eq!(a.since(Rule::FeeMismatch), at("2026-11-05 10:00"), "a shortfall shows at completion");
    assert!(a.findings.iter().any(|f| f.explanation.contains("减免 60.00 元")));
    assert!(!waiver.at("2026-11-04 00:00").has(Rule::FeeMismatch), "not before completion");
    let over = done(vec![fee("2026-11-02 10:05", 10000), fee("2026-11-03 09:00", 4000)]);
    let a = over.at("2026-11-03 12:00");
    assert_eq!(a.since(Rule::FeeMismatch), at("2026-11-03 09:00"), "an over-charge shows at once");
    assert_eq!(over.at("2026-11-06 00:00").count(Rule::FeeMismatch), 1, "and once");
    let free = case(simple_item(0), vec![ev(Step::Accept, "2026-11-02 10:00"), ev(Step::Complete, "2026-11-02 10:30")]);
    assert!(!free.at("2026-11-06 00:00").has(Rule::FeeMismatch));
}

#[test]
fn late_entry_compares_recorded_with_occurred() {
    let mut late = ev(Step::Review, "2026-11-03 10:00");
    late.recorded_at = at("2026-11-04 10:01");
    let mut almost = ev(Step::Approve, "2026-11-04 10:00");
    almost.recorded_at = at("2026-11-05 09:59");
    let c = november(vec![late, almost]);
    let a = c.at("2026-11-05 12:00");
    assert_eq!(a.count(Rule::LateEntry), 1);
    assert_eq!(a.since(Rule::LateEntry), at("2026-11-04 10:01"), "known from the moment it was entered");
    assert!(!c.at("2026-11-04 10:00").has(Rule::LateEntry), "not known before it was entered");
}

#[test]
fn extra_steps() {
    let c = case(simple_item(1), vec![ev(Step::Accept, "2026-11-02 10:00"), ev(Step::Review, "2026-11-02 11:00")]);
    assert!(c.at("2026-11-02 12:00").open(Rule::ExtraStep));
    assert!(!november(vec![ev(Step::Review, "2026-11-03 10:00")]).at("2026-11-03 12:00").has(Rule::ExtraStep));
}

#[test]
fn out_of_order_steps() {
    let review_first =
        case(item(5, 0), vec![ev(Step::Review, "2026-11-02 09:00"), ev(Step::Accept, "2026-11-02 10:00")]);
    assert!(review_first.at("2026-11-02 12:00").open(Rule::OutOfOrder));
    let unapproved = november(vec![
        ev(Step::Review, "2026-11-03 10:00"),
        ev(Step::Complete, "2026-11-04 10:00"),
        ev(Step::Approve, "2026-11-04 15:00"),
    ]);
    let a = unapproved.at("2026-11-05 12:00");
    assert_eq!(a.count(Rule::OutOfOrder), 1);
    assert!(a.findings.iter().any(|f| f.explanation.contains("尚未批准")));
    let proper = november(vec![
        ev(Step::Review, "2026-11-03 10:00"),
        ev(Step::Approve, "2026-11-04 10:00"),
        ev(Step::Complete, "2026-11-04 15:00"),
    ]);
    assert!(!proper.at("2026-11-05 12:00").has(Rule::OutOfOrder));
    let simple =
        case(simple_item(1), vec![ev(Step::Accept, "2026-11-02 10:00"), ev(Step::Complete, "2026-11-02 15:00")]);
    assert!(!simple.at("2026-11-05 12:00").has(Rule::OutOfOrder), "no approval in this workflow");
    let denied = november(vec![ev(Step::Review, "2026-11-03 10:00"), ev(Step::Deny, "2026-11-04 10:00")]);
    assert!(!denied.at("2026-11-05 12:00").has(Rule::OutOfOrder));
}

#[test]
fn not_evaluated_from_the_second_working_day() {
    // Completed Fri 6 Nov: the second working day after is Tue 10 Nov.
    let done = || {
        november(vec![
            ev(Step::Review, "2026-11-03 10:00"),
            ev(Step::Approve, "2026-11-04 10:00"),
            ev(Step::Complete, "2026-11-06 15:00"),
        ])
    };
    let c = done();
    let a = c.at("2026-11-09 23:59");
    assert!(!a.has(Rule::NotEvaluated));
    assert_eq!(a.next_change, Some(at("2026-11-10 00:00")));
    assert!(c.at("2026-11-10 00:00").open(Rule::NotEvaluated));
    let mut rated = done();
    rated.events.push(ev(Step::Evaluate, "2026-11-06 15:05"));
    assert!(!rated.at("2026-11-20 00:00").has(Rule::NotEvaluated));
    let mut late = done();
    late.evaluations.push(at("2026-11-11 09:00"));
    assert_eq!(
        late.at("2026-11-20 00:00").resolved_at(Rule::NotEvaluated),
        Some(at("2026-11-11 09:00")),
        "an evaluator record naming the case resolves it"
    );
    // Completed Fri 9 Oct: the make-up Saturday 10 Oct is the first working day, Mon 12 Oct the second.
    let october =
        case(simple_item(1), vec![ev(Step::Accept, "2026-10-09 09:00"), ev(Step::Complete, "2026-10-09 10:00")]);
    assert!(!october.at("2026-10-11 23:00").has(Rule::NotEvaluated));
    assert!(october.at("2026-10-12 00:00").open(Rule::NotEvaluated));
}

#[test]
fn unanswered_notices() {
    let notice = |replied: Option<&str>| NoticeFacts {
        notice_no: "〔2026〕督第7号".into(),
        due_date: d("2026-11-09"),
        replied_at: replied.map(at),
    };
    let mut c = november(vec![]);
    c.notices = vec![notice(None)];
    let a = c.at("2026-11-09 23:59");
    assert!(!a.has(Rule::NoticeUnanswered));
    let a = c.at("2026-11-10 00:00");
    assert!(a.open(Rule::NoticeUnanswered));
    assert_eq!(a.findings.iter().find(|f| f.rule == Rule::NoticeUnanswered).unwrap().key, "〔2026〕督第7号");
    c.notices = vec![notice(Some("2026-11-09 16:00"))];
    assert!(!c.at("2026-11-12 00:00").has(Rule::NoticeUnanswered));
    c.notices = vec![notice(Some("2026-11-11 16:00"))];
    assert_eq!(c.at("2026-11-12 00:00").resolved_at(Rule::NoticeUnanswered), Some(at("2026-11-11 16:00")));
}

#[test]
fn a_clean_case_has_nothing_and_allocates_no_findings() {
    let c = november(vec![
        ev(Step::Review, "2026-11-03 10:00"),
        ev(Step::Approve, "2026-11-04 10:00"),
        ev(Step::Complete, "2026-11-05 10:00"),
        ev(Step::Evaluate, "2026-11-05 10:03"),
    ]);
    let a = c.at("2026-11-30 00:00");
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    assert_eq!(a.findings.capacity(), 0);
    assert_eq!(a.next_change, None);
}

#[test]
fn the_2027_gap_is_mentioned() {
    let c = case(item(10, 0), vec![ev(Step::Accept, "2026-12-28 10:00")]);
    let a = c.at("2027-01-20 00:00");
    assert!(a.deadline.unwrap().missing_data);
    assert!(a.findings.iter().any(|f| f.rule == Rule::Overdue && f.explanation.contains("尚无节假日数据")));
}

#[test]
fn step_limits_do_not_count_days_the_clock_stood_still() {
    // Material requested Tue 3 Nov, received Tue 10 Nov; review Wed 11 Nov. From 3 Nov to 11 Nov there
    // are 7 working days, of which 3, 4, 5, 6 and 9 Nov were the applicant's: 2 remain (≤ 5).
    let c = november(vec![
        ev(Step::SupplementRequest, "2026-11-03 10:00"),
        ev(Step::SupplementReceived, "2026-11-10 09:00"),
        ev(Step::Review, "2026-11-11 10:00"),
    ]);
    assert!(!c.at("2026-11-11 12:00").has(Rule::StepOverdue));
    // Without the wait it would have been late.
    let plain = november(vec![ev(Step::Review, "2026-11-11 10:00")]);
    assert!(plain.at("2026-11-11 12:00").has(Rule::StepOverdue));
}

mod level_properties {
    //! The engine as properties over random untouched cases: every finding has its rule's level, an
    //! open case only escalates as time passes, and nothing changes before the instant the engine
    //! names (`next_change`), which is what lets the store re-evaluate only the cases that are due.

    use super::*;
    use proptest::prelude::*;

    fn max_open(a: &CaseAlerts) -> Option<Level> {
        a.findings.iter().filter(|f| f.resolved_at.is_none()).map(|f| f.level).max()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn an_untouched_case_only_escalates_and_changes_when_it_says(
            accept_day in 0i64..330,
            minute in 0i64..(9 * 60),
            promised in 1u32..25,
            probes in proptest::collection::vec(0i64..(60 * 24 * 3600), 1..6),
        ) {
            let accepted = at("2026-01-05 08:00") + chrono::Duration::days(accept_day) + chrono::Duration::minutes(minute);
            let mut accept = ev(Step::Accept, "2026-01-05 08:00");
            accept.occurred_at = accepted;
            accept.recorded_at = accepted;
            let events = vec![accept];
            let item = item(promised, 0);
            let (evaluations, notices) = (Vec::new(), Vec::new());
            let input = CaseInput { item: &item, events: &events, evaluations: &evaluations, notices: &notices };
            let calendar = Calendar::official();
            let settings = AlertSettings::default();
            let mut probes = probes;
            probes.sort_unstable();
            let mut last: Option<Level> = None;
            for secs in probes {
                let now = accepted + chrono::Duration::seconds(secs);
                let a = alerts::evaluate(&input, &calendar, &settings, now);
                for f in &a.findings {
                    prop_assert_eq!(f.level, f.rule.level(), "{:?}", f.rule);
                    prop_assert!(f.since <= now, "{:?} starts in the future", f.rule);
                }
                let level = max_open(&a);
                prop_assert!(level >= last, "{last:?} fell to {level:?} at {now}");
                last = level;
                if let Some(next) = a.next_change {
                    prop_assert!(next > now);
                    let between = now + (next - now) / 2;
                    let b = alerts::evaluate(&input, &calendar, &settings, between);
                    prop_assert_eq!(&a.findings, &b.findings, "changed at {} before {}", between, next);
                }
            }
        }
    }
}

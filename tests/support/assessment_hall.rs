//! A small hall of its own for the assessment tests (tests/assessment.rs, tests/ui.rs): set up as
//! `jiancha init` and a hall file leave it, with three departments and December 2025 to February 2026
//! of cases, ratings, a notice, punches, a slip, a complaint and a violation — each entered when it
//! happened, February crossing the Spring Festival holidays. The figures they give are computed by hand
//! in tests/assessment.rs.

#![allow(dead_code, reason = "each test file uses part of it")]

use jiancha::store::prelude::*;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::access::Role;
use jiancha::domain::accountability::{Measure, Subject, ViolationSource};
use jiancha::domain::discipline::{ObservationSource, Week};
use jiancha::domain::model::ComplaintChannel;
use jiancha::interchange::{self, ImportKind};
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{
    AlertQuery, ComplaintStep, NewComplaint, NewNotice, NewObservation, NewUser, NewViolation, Session, Store,
};

pub const PASSWORD: &str = "correct-horse";

const HALL: &str = r#"
[hall]
code = "TH"
name = "测试县政务服务中心"

[[department]]
name = "县税务局"

[[department]]
name = "县市场监管局"

[[department]]
name = "县人社局"

[[window]]
code = "T01"
name = "税务 1 号窗"
department = "县税务局"

[[window]]
code = "M01"
name = "市场监管 1 号窗"
department = "县市场监管局"

[[window]]
code = "R01"
name = "人社 1 号窗"
department = "县人社局"
"#;

const ITEMS: &str = "item_code,item_name,department,legal_days,promised_days,fee_yuan,workflow,step_limits
TAX-1,税务登记,县税务局,20,5,0,accept|approve|complete,
MKT-1,食品经营许可,县市场监管局,20,3,100,accept|approve|fee|complete,
";

const STAFF: &str = "staff_no,name,department,window,device_user_id
S1,张一,县税务局,T01,
S2,李二,县税务局,T01,
S3,王三,县市场监管局,M01,
";

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn feb() -> jiancha::domain::assessment::YearMonth {
    "2026-02".parse().unwrap()
}

/// One event line of `events.jsonl`.
pub fn event(case: &str, item: &str, window: &str, staff: &str, step: &str, at: &str, extra: &str) -> String {
    format!(
        r#"{{"case_no":"{case}","item_code":"{item}","hall":"TH","window":"{window}","staff_no":"{staff}","step":"{step}","occurred_at":"{at}+08:00"{extra}}}"#
    )
}

pub fn accept(case: &str, item: &str, window: &str, staff: &str, at: &str, recorded: Option<&str>) -> String {
    let recorded = recorded.map_or_else(String::new, |r| format!(r#","recorded_at":"{r}+08:00""#));
    event(case, item, window, staff, "accept", at, &format!(r#","documents":["acceptance_slip"]{recorded}"#))
}

pub fn import(store: &SqlStore, kind: ImportKind, name: &str, text: &str) {
    let batch = interchange::parse(kind, name, text).unwrap();
    store.import(&store.system_session(), &batch).unwrap();
}

/// The hall as `jiancha init` and `jiancha hall apply` leave it, with its people and catalogue.
pub fn commissioned(clock: Arc<FixedClock>) -> (tempfile::TempDir, SqlStore) {
    let dir = tempfile::tempdir().unwrap();
    let admin = NewUser {
        username: "admin".into(),
        display_name: "管理员".into(),
        role: Role::Admin,
        password: PASSWORD.into(),
        halls: Vec::new(),
    };
    let config = interchange::hall::parse("hall.toml", HALL).unwrap();
    let (store, _) =
        jiancha::store::sqlite::init::initialise(dir.path(), clock.clone(), &admin, Some(&config)).unwrap();
    drop(store);
    let store = crate::support::backend::open_dir(dir.path(), clock);
    let a = store.login("admin", PASSWORD).unwrap();
    for (name, role) in [("supervisor1", Role::Supervisor), ("chief1", Role::Chief), ("auditor1", Role::Auditor)] {
        store
            .create_user(
                &a,
                &NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    role,
                    password: PASSWORD.into(),
                    halls: Vec::new(),
                },
            )
            .unwrap();
    }
    import(&store, ImportKind::Items, "items.csv", ITEMS);
    import(&store, ImportKind::Staff, "staff.csv", STAFF);
    (dir, store)
}

pub fn login(store: &SqlStore, user: &str) -> Session {
    store.login(user, PASSWORD).unwrap()
}

/// The records of December 2025 to February 2026, each entered when it happened.
pub fn the_months(store: &SqlStore, clock: &FixedClock) {
    // A card in December and in January (entered three days late): with February's, three months in a row.
    let mut lines = vec![
        accept("T0", "TAX-1", "T01", "S1", "2025-12-10T09:00:00", Some("2025-12-13T09:00:00")),
        accept("T00", "TAX-1", "T01", "S1", "2026-01-12T09:00:00", Some("2026-01-15T09:00:00")),
    ];
    // 县税务局, February: promised 5 working days.
    // T2: accepted Mon 2 Feb, D = Mon 9 Feb, completed Wed 4 Feb — early.
    lines.push(accept("T2", "TAX-1", "T01", "S1", "2026-02-02T09:00:00", None));
    lines.push(event("T2", "TAX-1", "T01", "S1", "approve", "2026-02-03T10:00:00", ""));
    lines.push(event("T2", "TAX-1", "T01", "S1", "complete", "2026-02-04T10:00:00", ""));
    lines.push(event("T2", "TAX-1", "T01", "S1", "evaluate", "2026-02-04T10:05:00", r#","rating":2"#));
    // T3: accepted Mon 2 Feb, D = Mon 9 Feb, completed Wed 11 Feb — late.
    lines.push(accept("T3", "TAX-1", "T01", "S2", "2026-02-02T09:30:00", None));
    lines.push(event("T3", "TAX-1", "T01", "S2", "approve", "2026-02-10T10:00:00", ""));
    lines.push(event("T3", "TAX-1", "T01", "S2", "complete", "2026-02-11T11:00:00", ""));
    lines.push(event("T3", "TAX-1", "T01", "S2", "evaluate", "2026-02-11T11:05:00", r#","rating":4"#));
    // 县市场监管局: promised 3 working days, fee 100 yuan.
    // M1: accepted Tue 3 Feb, D = Fri 6 Feb, completed Thu 5 Feb (early) with 50 yuan charged (waiver).
    lines.push(accept("M1", "MKT-1", "M01", "S3", "2026-02-03T09:00:00", None));
    lines.push(event("M1", "MKT-1", "M01", "S3", "approve", "2026-02-04T09:00:00", ""));
    lines.push(event("M1", "MKT-1", "M01", "S3", "fee", "2026-02-05T09:00:00", r#","amount_yuan":50"#));
    lines.push(event("M1", "MKT-1", "M01", "S3", "complete", "2026-02-05T10:00:00", ""));
    // M2: accepted Tue 3 Feb, completed on D, Fri 6 Feb: on time, not early.
    lines.push(accept("M2", "MKT-1", "M01", "S3", "2026-02-03T10:00:00", None));
    lines.push(event("M2", "MKT-1", "M01", "S3", "approve", "2026-02-04T10:00:00", ""));
    lines.push(event("M2", "MKT-1", "M01", "S3", "fee", "2026-02-06T09:00:00", r#","amount_yuan":100"#));
    lines.push(event("M2", "MKT-1", "M01", "S3", "complete", "2026-02-06T15:00:00", ""));
    clock.set(t("2026-02-11T16:00:00+08:00"));
    import(store, ImportKind::Events, "events-1.jsonl", &lines.join("\n"));

    // A supervision notice on T3's late completion, due Wed 25 Feb (five working days, the Spring
    // Festival between), never answered.
    let s = login(store, "supervisor1");
    store.refresh_alerts(&s).unwrap();
    let late = store
        .alerts(&s, &AlertQuery { case_no: Some("T3".into()), include_inactive: true, limit: 50, ..Default::default() })
        .unwrap()
        .into_iter()
        .find(|a| a.rule.as_str() == "completed_late")
        .expect("T3 was completed late");
    let notice = store.issue_notice(&s, &NewNotice { alert_id: late.id, text: "请说明超期原因".into() }).unwrap();
    assert_eq!(notice.due_date.to_string(), "2026-02-25", "the Spring Festival holidays are not working days");

    // T1: accepted Thu 12 Feb. Counting five working days: Fri 13, Sat 14 (a make-up working day),
    // then after the holidays of 15–23 Feb: Tue 24, Wed 25, Thu 26 → D = 26 Feb. Completed on D: on
    // time. (Without the holiday calendar D would be Thu 19 Feb and it would count as late.)
    // T4: accepted Tue 10 Feb, entered on Fri 13 Feb (a card: 体外循环嫌疑), still open: D = Tue 24 Feb,
    // seriously overdue (红牌) from Sat 28 Feb, a make-up working day, three working days after D.
    let lines = [
        accept("T1", "TAX-1", "T01", "S1", "2026-02-12T09:00:00", None),
        event("T1", "TAX-1", "T01", "S1", "approve", "2026-02-25T09:00:00", ""),
        event("T1", "TAX-1", "T01", "S1", "complete", "2026-02-26T15:00:00", ""),
        event("T1", "TAX-1", "T01", "S1", "evaluate", "2026-02-26T15:05:00", r#","rating":5"#),
        accept("T4", "TAX-1", "T01", "S2", "2026-02-10T09:00:00", Some("2026-02-13T09:00:00")),
    ];
    clock.set(t("2026-02-26T16:00:00+08:00"));
    import(store, ImportKind::Events, "events-2.jsonl", &lines.join("\n"));

    // Attendance: only Mon 2 Feb is in the records. 张一 comes in late; 李二 keeps the hours; 王三 has no
    // punch at all (two absent half-days).
    import(
        store,
        ImportKind::Punches,
        "punches.csv",
        "staff_no,time,device\nS1,2026-02-02 08:45:00,A\nS1,2026-02-02 11:31:00,A\nS1,2026-02-02 12:55:00,A\nS1,2026-02-02 17:01:00,A\n\
         S2,2026-02-02 08:20:00,A\nS2,2026-02-02 11:31:00,A\nS2,2026-02-02 12:55:00,A\nS2,2026-02-02 17:01:00,A\n",
    );

    // A discipline finding on the week of 9 Feb, on a slip.
    let s = login(store, "supervisor1");
    store
        .add_observation(
            &s,
            &NewObservation {
                observed_at: t("2026-02-10T10:00:00+08:00"),
                category: "离岗".into(),
                source: ObservationSource::Manual,
                camera_id: None,
                window_code: Some("T01".into()),
                staff_no: Some("S1".into()),
                department: None,
                evidence_id: None,
                clip: None,
                note: String::new(),
            },
        )
        .unwrap();
    store.issue_slips(&s, Week::of("2026-02-09".parse().unwrap())).unwrap();

    // A complaint about T01, upheld: it leads to a violation, decided with two measures.
    let c = store
        .register_complaint(
            &s,
            &NewComplaint {
                received_at: t("2026-02-24T09:00:00+08:00"),
                channel: ComplaintChannel::Phone,
                complainant: "赵先生".into(),
                contact: "13900000000".into(),
                content: "窗口人员态度生硬".into(),
                case_no: Some("T3".into()),
                hall_code: Some("TH".into()),
                window_code: Some("T01".into()),
                staff_no: Some("S2".into()),
                department: None,
            },
        )
        .unwrap();
    let no = c.complaint_no.clone();
    store.advance_complaint(&s, &no, &ComplaintStep::Accept { note: "受理".into() }).unwrap();
    store.advance_complaint(&s, &no, &ComplaintStep::Investigate).unwrap();
    store
        .advance_complaint(&s, &no, &ComplaintStep::Conclude { conclusion: "属实".into(), reply: "已处理".into() })
        .unwrap();
    let v = store
        .record_violation(
            &s,
            &NewViolation {
                item: "11(3)".into(),
                subject: Subject::Staff,
                staff_no: Some("S2".into()),
                department: None,
                source: ViolationSource::Complaint,
                occurred_at: t("2026-02-11T11:00:00+08:00"),
                description: "服务态度生硬".into(),
                case_no: Some("T3".into()),
                alert_id: None,
                observation_id: None,
                complaint_no: Some(no),
                evidence_id: None,
            },
        )
        .unwrap();
    let chief = login(store, "chief1");
    store.decide_violation(&chief, v.id, &[Measure::Admonition, Measure::WrittenSelfCriticism], "").unwrap();

    // 10 March: February is over; the notice's due day passed without a reply (a red card since 26 Feb).
    clock.set(t("2026-03-10T10:00:00+08:00"));
    store.refresh_alerts(&login(store, "supervisor1")).unwrap();
}

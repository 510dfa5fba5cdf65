//! 绩效评估 on a small hall of its own (not the demo), set up as `jiancha init` and a hall file leave it:
//! every indicator of February 2026 — a month that crosses the Spring Festival holidays — against
//! figures computed by hand, a department without cases, the quarter as the mean of its months, frozen
//! publication with an audited recomputation, the 监察建议书 numbered per hall and year with receipts
//! and replies, and the bulletin and recommendation PDFs read back with pdftotext.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::path::Path;
use std::sync::Arc;

use jiancha::clock::FixedClock;
use jiancha::domain::assessment::{Category, Grade, Hundredths, ItemKind, RecommendationStatus, YearMonth};
use jiancha::interchange::ImportKind;
use jiancha::store::{AuditQuery, NewRecommendation, Store, StoreError};

use crate::support::assessment_hall;
use crate::support::cups;
use cups::Cups;

use assessment_hall::{accept, commissioned, event, feb, import, login, t, the_months};

fn points(d: &jiancha::domain::assessment::DepartmentMonth) -> Vec<(Category, f64)> {
    d.score.as_ref().unwrap().categories.iter().map(|c| (c.category, c.points.to_f64())).collect()
}

/// A score written in a test (hand-computed).
fn p(x: f64) -> Hundredths {
    Hundredths::from_f64(x).unwrap()
}

#[test]
fn every_indicator_of_a_spring_festival_month_against_figures_computed_by_hand() {
    let clock = Arc::new(FixedClock::new(t("2025-12-01T09:00:00+08:00")));
    let (_dir, store) = commissioned(clock.clone());
    the_months(&store, &clock);
    let s = login(&store, "supervisor1");
    let view = store.assessment(&s, feb()).unwrap();
    assert!(view.published.is_empty());
    let a = &view.live;
    let names: Vec<(&str, Option<u32>)> = a.departments.iter().map(|d| (d.department.as_str(), d.rank)).collect();
    assert_eq!(names, vec![("县市场监管局", Some(1)), ("县税务局", Some(2)), ("县人社局", None)], "{a:#?}");

    // 县税务局: cases T1–T4; completed T1, T2, T3; on time T1, T2; early T2.
    let tax = &a.departments[1];
    let f = &tax.figures;
    assert_eq!((f.cases, f.completed, f.completed_on_time, f.completed_early), (4, 3, 2, 1), "{f:#?}");
    assert_eq!((f.late_entries, f.step_overdue, f.repeated_supplements, f.fee_mismatches), (1, 0, 0, 0));
    // Cards: T4's late entry (黄牌); T4 seriously overdue — D = Tue 24 Feb, three working days later
    // Sat 28 Feb (a make-up working day) begins it — and the unanswered notice (红牌 both); cards in
    // December, January and February.
    assert_eq!((f.yellow_signals, f.red_signals, f.warned_months_in_a_row), (1, 2, 3), "{f:#?}");
    assert_eq!((f.ratings, f.ratings_satisfied, f.follow_ups_late), (3, 2, 1));
    assert_eq!((f.notices, f.notices_answered_on_time, f.slip_findings), (1, 0, 1));
    assert_eq!((f.complaints_upheld, f.violations, f.measures), (1, 1, 2));
    assert_eq!((f.attendance_marks, f.staff), (1, 2), "张一 late once; two staff");
    let score = tax.score.as_ref().unwrap();
    assert_eq!(
        points(tax),
        vec![
            (Category::Openness, 7.5),      // 10 × (1 − 1/4)
            (Category::Process, 14.0),      // nothing
            (Category::Deadlines, 9.33),    // 14 × 2/3
            (Category::Fees, 8.0),          // nothing
            (Category::Satisfaction, 5.67), // 10 × 2/3 − 1 late follow-up
            (Category::Attitude, 7.5),      // 10 − 2 (complaint) − 1/2 mark per head
            (Category::Supervision, 0.0),   // 14 × 0/1 − 1 finding, not below 0
            (Category::Liability, 5.0),     // 10 − 5
            (Category::Integrity, 0.0),     // 10 − 2 × 5
        ]
    );
    assert_eq!(score.signal_deduction, p(28.0), "5 + 2 × 10 + 3 for three months in a row");
    assert_eq!(score.early_bonus, p(3.0), "1 of 3 completions early: three 10 % steps");
    assert_eq!(score.score, p(32.0), "57 kept − 28 + 3");
    assert_eq!(tax.grade, Some(Grade::Fail));

    // 县市场监管局: M1 early with a fee waiver (红牌), M2 on time; 王三 absent both halves of 2 Feb.
    let mkt = &a.departments[0];
    let f = &mkt.figures;
    assert_eq!((f.cases, f.completed, f.completed_on_time, f.completed_early, f.fee_mismatches), (2, 2, 2, 1, 1));
    assert_eq!((f.yellow_signals, f.red_signals, f.warned_months_in_a_row), (0, 1, 1));
    assert_eq!((f.attendance_marks, f.staff, f.ratings), (2, 1, 0));
    let score = mkt.score.as_ref().unwrap();
    assert_eq!(points(mkt)[3], (Category::Fees, 4.0));
    assert_eq!(points(mkt)[5], (Category::Attitude, 8.0));
    assert_eq!((score.signal_deduction, score.early_bonus, score.score), (p(10.0), p(5.0), p(89.0)));
    assert_eq!(mkt.grade, Some(Grade::Good));

    // 县人社局 had no case: no score, no rank, no grade — neither first nor last.
    let hr = &a.departments[2];
    assert_eq!((hr.figures.cases, hr.score.is_none(), hr.rank, hr.grade), (0, true, None, None));

    // The drill-down: the very case and alerts behind the points.
    let items = store.assessment_items(&s, feb(), tax.department_id).unwrap();
    let late: Vec<_> = items.iter().filter(|i| i.kind == ItemKind::LateCase).collect();
    assert_eq!(late.len(), 1);
    assert_eq!((late[0].reference.as_str(), late[0].category), ("T3", Some(Category::Deadlines)));
    let cards: Vec<&str> =
        items.iter().filter(|i| i.category.is_none()).map(|i| i.case_no.as_deref().unwrap()).collect();
    assert_eq!(cards, vec!["T4", "T3", "T4"], "in time order: late entry, notice unanswered, seriously overdue");
    for (kind, count) in [
        (ItemKind::Rating, 1),
        (ItemKind::Notice, 1),
        (ItemKind::SlipFinding, 1),
        (ItemKind::Complaint, 1),
        (ItemKind::Attendance, 1),
        (ItemKind::Violation, 1),
        (ItemKind::Decision, 1),
    ] {
        assert_eq!(items.iter().filter(|i| i.kind == kind).count(), count, "{kind:?}: {items:#?}");
    }
    let person = items.iter().find(|i| i.kind == ItemKind::Attendance).unwrap();
    assert_eq!(person.reference, "S1");

    // The quarter is the mean of its months that have a score: January (T00 only) and February.
    let year = store.assessment_year(&s, 2026).unwrap();
    let tax_year = year.departments.iter().find(|d| d.department == "县税务局").unwrap();
    let (jan, febr) = (tax_year.months[0].unwrap(), tax_year.months[1].unwrap());
    assert_eq!(febr, p(32.0));
    // January by hand: T00, accepted 12 Jan and entered late (黄牌 −5, 政务公开 10 × (1 − 1/1) = 0), then
    // seriously overdue (红牌 −10); no third carded month yet: 90 − 15 = 75.
    assert_eq!(jan, p(75.0));
    assert_eq!(tax_year.months[2], None, "no case of the tax office in March yet");
    assert_eq!(tax_year.months[3..], [None; 9]);
    assert_eq!(tax_year.quarters[0], Some(p(53.5)), "(75 + 32) / 2");
    let mkt_year = year.departments.iter().find(|d| d.department == "县市场监管局").unwrap();
    assert_eq!(mkt_year.quarters[0], Some(p(89.0)), "one scored month");
    assert_eq!(mkt_year.quarter_grades[0], Some(Grade::Good));
    assert_eq!(year.published, vec![None; 12]);

    // The cap on the cards' deduction is a setting: at 20 the tax office loses 20, not 28.
    let mut rules = jiancha::domain::alerts::RuleBook::official();
    rules.assessment.signal_deduction_cap = p(20.0);
    store.set_rules(rules);
    let capped = store.assessment(&s, feb()).unwrap();
    let tax = capped.live.departments.iter().find(|d| d.department == "县税务局").unwrap();
    let score = tax.score.as_ref().unwrap();
    assert_eq!((score.signal_deduction, score.score), (p(20.0), p(40.0)));
}

#[test]
fn departments_with_the_same_score_share_a_place() {
    let clock = Arc::new(FixedClock::new(t("2025-12-01T09:00:00+08:00")));
    let (_dir, store) = commissioned(clock.clone());
    // March 2026: one clean case each, both completed early (+5, the cap of the bonus).
    clock.set(t("2026-04-02T10:00:00+08:00"));
    let lines = [
        accept("TA", "TAX-1", "T01", "S1", "2026-03-02T09:00:00", None),
        event("TA", "TAX-1", "T01", "S1", "approve", "2026-03-02T10:00:00", ""),
        event("TA", "TAX-1", "T01", "S1", "complete", "2026-03-03T10:00:00", ""),
        accept("MA", "MKT-1", "M01", "S3", "2026-03-02T09:00:00", None),
        event("MA", "MKT-1", "M01", "S3", "approve", "2026-03-02T10:00:00", ""),
        event("MA", "MKT-1", "M01", "S3", "fee", "2026-03-02T11:00:00", r#","amount_yuan":100"#),
        event("MA", "MKT-1", "M01", "S3", "complete", "2026-03-03T10:00:00", ""),
    ];
    import(&store, ImportKind::Events, "march.jsonl", &lines.join("\n"));
    let s = login(&store, "supervisor1");
    let march: YearMonth = "2026-03".parse().unwrap();
    let a = store.assessment(&s, march).unwrap().live;
    let places: Vec<(&str, Option<u32>, Option<Hundredths>)> =
        a.departments.iter().map(|d| (d.department.as_str(), d.rank, d.points())).collect();
    assert_eq!(
        places,
        vec![
            ("县市场监管局", Some(1), Some(p(105.0))),
            ("县税务局", Some(1), Some(p(105.0))),
            ("县人社局", None, None)
        ],
        "a tie shares first place (by name within it); the office without cases is not ranked"
    );
    let year = store.assessment_year(&s, 2026).unwrap();
    let ranks: Vec<Option<u32>> = year.departments.iter().map(|d| d.quarter_ranks[0]).collect();
    assert_eq!(ranks.iter().filter(|r| **r == Some(1)).count(), 2, "{ranks:?}");
}

fn pdf_text(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext").args(["-layout"]).arg(path).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    // Lines wrap anywhere in Chinese text: compare without the white space.
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect()
}

#[test]
fn a_published_month_is_frozen_and_a_recomputation_is_a_new_audited_version() {
    let clock = Arc::new(FixedClock::new(t("2025-12-01T09:00:00+08:00")));
    let (dir, store) = commissioned(clock.clone());
    the_months(&store, &clock);
    let s = login(&store, "supervisor1");
    let chief = login(&store, "chief1");
    // Supervisors and auditors read; only a chief publishes; a month not over is not published.
    assert!(matches!(store.publish_assessment(&s, feb(), ""), Err(StoreError::Forbidden { .. })));
    let march: YearMonth = "2026-03".parse().unwrap();
    assert!(matches!(store.publish_assessment(&chief, march, ""), Err(StoreError::Refused(_))));
    let v1 = store.publish_assessment(&chief, feb(), "").unwrap();
    assert_eq!((v1.version, v1.published_by.as_str()), (1, "chief1"));

    // Late data: a February case of the market office, completed late, arrives on 12 March.
    clock.set(t("2026-03-12T09:00:00+08:00"));
    let s = login(&store, "supervisor1");
    let lines = [
        accept("M3", "MKT-1", "M01", "S3", "2026-02-02T09:00:00", None),
        event("M3", "MKT-1", "M01", "S3", "approve", "2026-02-03T09:00:00", ""),
        event("M3", "MKT-1", "M01", "S3", "fee", "2026-02-03T10:00:00", r#","amount_yuan":100"#),
        event("M3", "MKT-1", "M01", "S3", "complete", "2026-02-27T10:00:00", ""),
    ];
    import(&store, ImportKind::Events, "late.jsonl", &lines.join("\n"));
    let view = store.assessment(&s, feb()).unwrap();
    let live = view.live.departments.iter().find(|d| d.department == "县市场监管局").unwrap();
    assert_eq!((live.figures.completed, live.figures.completed_on_time), (3, 2), "the live figures see it");
    assert_eq!(view.published.len(), 1);
    assert_eq!(view.published[0], v1, "the published month is unchanged");
    assert_eq!(view.current(), &v1.assessment);
    let frozen = v1.assessment.departments.iter().find(|d| d.department == "县市场监管局").unwrap();
    assert_eq!((frozen.figures.completed, frozen.points()), (2, Some(p(89.0))));

    // The database itself refuses to change or remove a publication.
    let execute = |sql| crate::support::backend::execute(dir.path(), sql);
    assert!(execute("UPDATE assessment_publication SET reason = 'x'").is_err());
    assert!(execute("DELETE FROM assessment_publication").is_err());

    // A recomputation needs its reason; it is a new version, and both are audited.
    let chief = login(&store, "chief1");
    assert!(matches!(store.publish_assessment(&chief, feb(), "  "), Err(StoreError::Invalid(_))));
    assert!(matches!(store.publish_assessment(&chief, feb(), &"因".repeat(501)), Err(StoreError::Invalid(_))));
    let v2 = store.publish_assessment(&chief, feb(), "补录 M3 办件后重新计算").unwrap();
    assert_eq!(v2.version, 2);
    let again = v2.assessment.departments.iter().find(|d| d.department == "县市场监管局").unwrap();
    assert_eq!(again.figures.completed, 3);
    assert!(again.points().unwrap() < p(89.0));
    let view = store.assessment(&s, feb()).unwrap();
    assert_eq!(view.published.iter().map(|p| p.version).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(view.published[1], v1);
    let auditor = login(&store, "auditor1");
    let audit = store
        .audit_log(
            &auditor,
            &AuditQuery { action_prefix: Some("assessment.publish".into()), limit: 10, ..Default::default() },
        )
        .unwrap();
    assert_eq!(audit.len(), 2);
    let details: Vec<serde_json::Value> = audit.iter().map(|r| serde_json::from_str(&r.detail).unwrap()).collect();
    assert!(details.iter().any(|d| d["version"] == 2 && d["reason"] == "补录 M3 办件后重新计算"), "{details:?}");
    assert!(details.iter().all(|d| d["sha256"].as_str().is_some_and(|h| h.len() == 64)));
    assert!(store.verify_audit(&auditor).unwrap().first_bad.is_none());
    let year = store.assessment_year(&s, 2026).unwrap();
    assert_eq!(year.published[1], Some(2), "the year reads February's newest version");

    // The bulletin of the published month, and the public files: department figures only.
    let out = tempfile::tempdir().unwrap();
    let written = jiancha::report::assessment::write_public(out.path(), "测试县政务服务中心", &v2).unwrap();
    assert_eq!(written.len(), 3);
    let text = pdf_text(&written[2]);
    for want in [
        "绩效评估通报",
        "2026年2月",
        "第2版",
        "县市场监管局",
        "县税务局",
        "32.00",
        "不合格",
        "超期办结2件",
        "县人社局",
        "73.66合格",
    ] {
        assert!(text.contains(want), "{want} not in the bulletin:\n{text}");
    }
    let json = std::fs::read_to_string(&written[0]).unwrap();
    let csv = std::fs::read_to_string(&written[1]).unwrap();
    for public in [&json, &csv] {
        for private in ["chief1", "张一", "S1", "T3", "赵先生", "13900000000"] {
            assert!(!public.contains(private), "`{private}` is in a public file");
        }
    }
    assert!(csv.contains("县税务局,32.00,不合格"), "{csv}");
}

#[test]
fn recommendations_are_numbered_per_hall_and_year_never_reused_and_answered_like_notices() {
    let clock = Arc::new(FixedClock::new(t("2025-12-01T09:00:00+08:00")));
    let (dir, store) = commissioned(clock.clone());
    the_months(&store, &clock);
    let chief = login(&store, "chief1");
    let s = login(&store, "supervisor1");
    let view = store.assessment(&s, feb()).unwrap();
    let tax = view.live.departments.iter().find(|d| d.grade == Some(Grade::Fail)).unwrap();
    let facts = jiancha::domain::assessment::recommendation_facts(tax, feb());
    let new = |facts: &str| NewRecommendation {
        department_id: tax.department_id,
        month: Some(feb()),
        facts: facts.into(),
        recommendation: "一、落实首问负责和限时办结制度；\n二、对超期办件逐件说明原因。".into(),
        hall: None,
    };
    // Supervisors do not issue them; empty or control-laden text is refused by field.
    assert!(matches!(store.issue_recommendation(&s, &new(&facts)), Err(StoreError::Forbidden { .. })));
    let Err(StoreError::Invalid(e)) = store.issue_recommendation(&chief, &new(" ")) else { panic!("empty facts") };
    assert!(e.starts_with("facts"), "{e}");
    let Err(StoreError::Invalid(e)) = store.issue_recommendation(&chief, &new("事实\u{202e}")) else {
        panic!("bidi")
    };
    assert!(e.contains("U+202E"), "{e}");
    let huge = "超".repeat(4001);
    let Err(StoreError::Invalid(e)) = store.issue_recommendation(&chief, &new(&huge)) else {
        panic!("4001 characters")
    };
    assert!(e.starts_with("facts") && e.contains("4000"), "{e}");
    assert!(store.recommendations(&chief).unwrap().is_empty(), "nothing was issued, no number used");

    let first = store.issue_recommendation(&chief, &new(&facts)).unwrap();
    assert_eq!(first.number_text(), "〔2026〕监建第1号");
    // Reply due 15 working days after Tue 10 March: 31 March.
    assert_eq!(first.reply_due.to_string(), "2026-03-31");
    assert_eq!((first.status, first.overdue), (RecommendationStatus::Issued, false));
    let second = store.issue_recommendation(&chief, &new("第二份")).unwrap();
    assert_eq!(second.number_text(), "〔2026〕监建第2号");

    // The department signs for the first and answers it late; the second is never answered.
    let received = store.record_recommendation_receipt(&s, first.id, "税务局办公室 孙").unwrap();
    assert_eq!(received.status, RecommendationStatus::Received);
    assert!(matches!(store.record_recommendation_receipt(&s, first.id, "again"), Err(StoreError::Refused(_))));
    clock.set(t("2026-04-02T10:00:00+08:00"));
    let s = login(&store, "supervisor1");
    let listed = store.recommendations(&s).unwrap();
    assert!(listed.iter().all(|r| r.overdue), "both are past 31 March without a reply");
    let replied = store.record_recommendation_reply(&s, first.id, "已逐件整改，见附件。").unwrap();
    assert_eq!((replied.status, replied.overdue), (RecommendationStatus::Replied, false));
    assert!(matches!(store.record_recommendation_reply(&s, first.id, "再次"), Err(StoreError::Refused(_))));

    // A new year starts again at 1; last year's keep theirs. Nothing is ever deleted.
    clock.set(t("2027-01-05T10:00:00+08:00"));
    let chief = login(&store, "chief1");
    let next_year = store.issue_recommendation(&chief, &new("新年度")).unwrap();
    assert_eq!(next_year.number_text(), "〔2027〕监建第1号");
    let all: Vec<String> = store.recommendations(&chief).unwrap().iter().map(|r| r.number_text()).collect();
    assert_eq!(all, vec!["〔2027〕监建第1号", "〔2026〕监建第2号", "〔2026〕监建第1号"]);
    let refused = crate::support::backend::execute(dir.path(), "DELETE FROM recommendation");
    assert!(refused.is_err_and(|e| e.contains("never deleted")), "the recommendations were deleted");
    let auditor = login(&store, "auditor1");
    let audit = store
        .audit_log(
            &auditor,
            &AuditQuery { action_prefix: Some("recommendation".into()), limit: 20, ..Default::default() },
        )
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    for want in ["recommendation.issue", "recommendation.receipt", "recommendation.reply"] {
        assert!(actions.contains(&want), "{want}: {actions:?}");
    }
    assert!(audit.iter().any(|r| r.action == "recommendation.reply"
        && serde_json::from_str::<serde_json::Value>(&r.detail).unwrap()["late"] == true));

    // The printed recommendation holds its number, the facts with the figures, and the reply day.
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join(jiancha::report::assessment::recommendation_file_name(&first));
    jiancha::report::write_pdf(&path, &jiancha::report::assessment::recommendation_sheet(&first)).unwrap();
    let text = pdf_text(&path);
    for want in ["监察建议书", "〔2026〕监建第1号", "县税务局", "得分32.00分", "不合格", "2026年03月31日", "回执"]
    {
        assert!(text.contains(want), "{want} not in the recommendation:\n{text}");
    }
}

#[test]
fn the_command_line_publishes_and_writes_the_public_files() {
    let clock = Arc::new(FixedClock::new(t("2025-12-01T09:00:00+08:00")));
    let (dir, store) = commissioned(clock.clone());
    the_months(&store, &clock);
    drop(store);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiancha"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .env_remove("JIANCHA_DATA_DIR")
            .env_remove("JIANCHA_PASSWORD")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Not published yet: the public formats refuse, the table says so.
    let (code, _, err) = run(&["assessment", "--month", "2026-02", "--format", "json"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not published"), "{err}");
    let (code, out, err) = run(&["assessment", "--month", "2026-13"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("2026-13"), "{err}");
    let (code, out, _) = run(&["assessment", "--month", "2026-02"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("未发布") && out.contains("县市场监管局"), "{out}");

    let public = dir.path().join("public");
    let (code, out, err) = run(&[
        "assessment",
        "--month",
        "2026-02",
        "--publish",
        "--format",
        "csv",
        "--publish-dir",
        public.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("县市场监管局,89.00,良好"), "{out}");
    for name in ["绩效评估-2026-02.json", "绩效评估-2026-02.csv", "通报-2026-02-v1.pdf"] {
        assert!(public.join(name).is_file(), "{name}: {err}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(public.join("绩效评估-2026-02.json")).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["departments"][0]["department"], "县市场监管局");
    assert_eq!(json["departments"][2]["score"], serde_json::Value::Null);
    let (code, out, _) = run(&["assessment", "--month", "2026-02"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("已发布第1版"), "{out}");

    // The bulletin printed through a real CUPS queue, as the slips are.
    let bulletin = dir.path().join("通报.pdf");
    let (code, _, err) = run(&["assessment", "--month", "2026-02", "--bulletin", bulletin.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let cups = Cups::start().unwrap_or_else(|e| panic!("a private CUPS server: {e}"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .env("CUPS_SERVER", cups.socket())
        .args(["print", "--printer", "jiancha-pdf"])
        .arg(&bulletin)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read(&bulletin).unwrap();
    assert_eq!(cups::printed(&cups, written.len() as u64), written, "the queue received the bulletin as written");
    assert!(pdf_text(&bulletin).contains("第1版"));
}

#[test]
fn through_the_server_the_month_is_the_same_and_a_chief_publishes_and_recommends() {
    let clock = Arc::new(FixedClock::new(t("2025-12-01T09:00:00+08:00")));
    let (_dir, store) = commissioned(clock.clone());
    the_months(&store, &clock);
    let local = store.assessment(&login(&store, "supervisor1"), feb()).unwrap().live;
    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let remote = jiancha::store::remote::RemoteStore::new(&server.url()).unwrap();
    let s = remote.login("supervisor1", assessment_hall::PASSWORD).unwrap();
    let there = remote.assessment(&s, feb()).unwrap();
    assert_eq!(there.live.departments, local.departments, "the same figures, scores and ranks over HTTP");
    let tax = there.live.departments.iter().find(|d| d.department == "县税务局").unwrap().department_id;
    let items = remote.assessment_items(&s, feb(), tax).unwrap();
    assert!(items.iter().any(|i| i.kind == ItemKind::LateCase && i.reference == "T3"));
    assert!(matches!(remote.publish_assessment(&s, feb(), ""), Err(StoreError::Forbidden { .. })));
    let chief = remote.login("chief1", assessment_hall::PASSWORD).unwrap();
    let p = remote.publish_assessment(&chief, feb(), "").unwrap();
    assert_eq!(p.version, 1);
    assert_eq!(remote.assessment(&s, feb()).unwrap().published, vec![p]);
    let r = remote
        .issue_recommendation(
            &chief,
            &NewRecommendation {
                department_id: tax,
                month: Some(feb()),
                facts: "超期办结 1 件".into(),
                recommendation: "限期整改".into(),
                hall: Some("TH".into()),
            },
        )
        .unwrap();
    assert_eq!(r.number_text(), "〔2026〕监建第1号");
    let replied = remote.record_recommendation_reply(&s, r.id, "已整改").unwrap();
    assert_eq!(replied.status, RecommendationStatus::Replied);
    let year = remote.assessment_year(&s, 2026).unwrap();
    assert_eq!(year.published[1], Some(1));
    assert!(matches!(remote.assessment_year(&s, 1776), Err(StoreError::Invalid(_))));
}

/// Issue 29, "right when nobody is looking": T4 is accepted Tue 10 Feb 2026 with 5 working days
/// promised — D = Tue 24 Feb, the Spring Festival between — and never completed. Three working days
/// after D (25, 26, 27 Feb) it turns 严重超时, a 红牌, as Sat 28 Feb begins (a make-up working day).
/// (1) With no console open, the server's own alert clock raises the card at its time, and February
/// published days later holds it. (2) With nobody ever looking and no clock running, the publication
/// brings the alerts up to date in its own transaction: the same card, the same figures.
#[test]
fn a_case_turns_seriously_overdue_while_nobody_looks_and_the_published_month_holds_its_red_card() {
    use jiancha::store::AlertQuery;
    use jiancha::store::sqlite::{AlertClock, SqlStore};
    let red_cards = |store: &SqlStore| {
        let query = AlertQuery { case_no: Some("T4".into()), limit: 50, ..Default::default() };
        let rows = store.alerts(&store.system_session(), &query).unwrap();
        rows.into_iter().filter(|a| a.rule.as_str() == "overdue_serious").collect::<Vec<_>>()
    };
    let tax = |p: &jiancha::domain::assessment::Publication| {
        p.assessment.departments.iter().find(|d| d.department == "县税务局").unwrap().figures
    };
    let hall = |clock: &Arc<FixedClock>| {
        let (dir, store) = commissioned(clock.clone());
        let case = accept("T4", "TAX-1", "T01", "S2", "2026-02-10T09:00:00", None);
        import(&store, ImportKind::Events, "events.jsonl", &case);
        (dir, Arc::new(store))
    };

    // (1) The server's clock.
    let clock = Arc::new(FixedClock::new(t("2026-02-26T16:00:00+08:00")));
    let (_dir, store) = hall(&clock);
    let alert_clock = AlertClock::start(store.clone(), std::time::Duration::from_millis(100)).unwrap();
    assert!(red_cards(&store).is_empty(), "overdue since 25 Feb, not yet seriously");
    clock.set(t("2026-02-28T09:00:00+08:00"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while red_cards(&store).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the alert clock raised no red card");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let card = red_cards(&store).remove(0);
    assert_eq!(card.level.as_str(), "red");
    assert_eq!(card.since, t("2026-02-28T00:00:00+08:00"), "from the instant time alone made it: {card:?}");
    drop(alert_clock);
    clock.set(t("2026-03-03T10:00:00+08:00"));
    let chief = login(&store, "chief1");
    let published = store.publish_assessment(&chief, feb(), "").unwrap();
    let seen = tax(&published);
    assert_eq!((seen.cases, seen.completed, seen.red_signals), (1, 0, 1), "{seen:#?}");
    // By hand: one case, nothing else wrong, the red card −10: 90.00 (without the card it was published
    // 100.00).
    let scored = published.assessment.departments.iter().find(|d| d.department == "县税务局").unwrap();
    assert_eq!((scored.points(), scored.grade), (Some(p(90.0)), Some(Grade::Excellent)));

    // (2) Nobody ever looking, no clock: the publication itself brings the alerts up to date.
    let clock = Arc::new(FixedClock::new(t("2026-02-26T16:00:00+08:00")));
    let (_dir, store) = hall(&clock);
    clock.set(t("2026-03-03T10:00:00+08:00"));
    let chief = login(&store, "chief1");
    let unseen = tax(&store.publish_assessment(&chief, feb(), "").unwrap());
    assert_eq!(unseen, seen, "the same month whether or not anyone opened the alert list");
    assert_eq!(red_cards(&store).len(), 1);
}

/// Issue 29: a supervisor refused publication is told what was refused, in both languages.
#[test]
fn a_refused_publication_says_publish_the_assessment() {
    let clock = Arc::new(FixedClock::new(t("2026-03-03T10:00:00+08:00")));
    let (_dir, store) = commissioned(clock);
    let supervisor = login(&store, "supervisor1");
    let err = store.publish_assessment(&supervisor, feb(), "").unwrap_err();
    assert!(matches!(err, StoreError::Forbidden { .. }), "{err:?}");
    assert_eq!(err.to_string(), "监察员 无权发布绩效评估 (Supervisor may not publish the assessment)");
}

/// The city text's variants switched on in `rules.toml` after February was published: February keeps
/// the rules it was published with, January (unpublished) and the live February follow the new ones,
/// and the year deducts only the measures of months scored with yearly sanctions.
#[test]
fn a_hall_switches_the_city_variants_on_and_published_months_keep_their_rules() {
    let clock = Arc::new(FixedClock::new(t("2025-12-01T09:00:00+08:00")));
    let (_dir, store) = commissioned(clock.clone());
    the_months(&store, &clock);
    let chief = login(&store, "chief1");
    let published = store.publish_assessment(&chief, feb(), "").unwrap();
    assert_eq!(published.assessment.settings, jiancha::domain::assessment::AssessmentSettings::default());
    let tax = |a: &jiancha::domain::assessment::MonthAssessment| {
        a.departments.iter().find(|d| d.department == "县税务局").unwrap().clone()
    };
    assert_eq!(tax(&published.assessment).points(), Some(p(32.0)));

    let variants = jiancha::settings::Settings::parse(
        "rules.toml",
        "[assessment]\nwarning_rule = \"signals_in_month\"\nwarning_signals = 50\nsanctions = \"yearly\"\n\
         promise_bonus_points = 3\nscore_cap = 100\n",
    )
    .unwrap()
    .assessment;
    let mut rules = jiancha::domain::alerts::RuleBook::official();
    rules.assessment = variants.clone();
    store.set_rules(rules);
    let s = login(&store, "supervisor1");
    let view = store.assessment(&s, feb()).unwrap();
    let live = tax(&view.live);
    let f = &live.figures;
    // The figures the variants read: the catalogue's TAX-1 promises 5 of 20 legal days (75 % shorter);
    // the two measures by kind; no incomplete case.
    assert_eq!((f.legal_days_total, f.promised_days_total, f.incomplete_cases), (20, 5, 0));
    assert_eq!((f.measures_by_kind.admonition, f.measures_by_kind.written_self_criticism), (1, 1));
    // February by hand: 57 kept + 10 (廉洁行政 keeps its weight) = 67; cards 5 + 2 × 10 = 25 (fewer than
    // 50 signals: no −3, the three-month run no longer counts); +3 early; +3 promise: 48. The year loses
    // 诫勉谈话 10 + 书面检查 10.
    let score = live.score.as_ref().unwrap();
    assert_eq!((score.signal_deduction, score.early_bonus, score.promise_bonus), (p(25.0), p(3.0), p(3.0)));
    assert_eq!((score.score, live.year_sanctions), (p(48.0), p(20.0)));
    assert_eq!(view.published[0].assessment.settings, Default::default(), "the publication keeps its rules");

    // The year: January live under the variants (75 + 3 = 78), February as published (32, scored
    // monthly: it takes nothing from the year): (78 + 32) / 2 = 55.00, no sanction.
    let year = store.assessment_year(&s, 2026).unwrap();
    let y = year.departments.iter().find(|d| d.department == "县税务局").unwrap();
    assert_eq!((y.months[0], y.months[1]), (Some(p(78.0)), Some(p(32.0))));
    assert_eq!((y.quarters[0], y.sanctions, y.year), (Some(p(55.0)), p(0.0), Some(p(55.0))));

    // Republished with its reason, February is scored with the variants and the year takes the 20.
    let v2 = store.publish_assessment(&chief, feb(), "启用市测评细则的计分规则").unwrap();
    assert_eq!(v2.assessment.settings, variants);
    assert!(!v2.assessment.settings.variants_zh().is_empty());
    let year = store.assessment_year(&s, 2026).unwrap();
    let y = year.departments.iter().find(|d| d.department == "县税务局").unwrap();
    // (78 + 48) / 2 = 63; less 20 = 43.
    assert_eq!((y.quarters[0], y.sanctions, y.year), (Some(p(63.0)), p(20.0), Some(p(43.0))));
    // The public JSON names the rules it was scored with.
    let json = jiancha::report::assessment::public_json("县政务服务中心", &v2);
    assert!(json.contains("承诺期限缩短30%以上加3.00分") && json.contains("\"promise_bonus\": 3.0"), "{json}");
}

//! Discipline observations and reminder slips (numbering, PDF text via pdftotext, printing through a real
//! CUPS queue), the complaint workflow with its working-day deadlines, and the Art 12(6) flag.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::accountability::{ComplaintStatus, Measure, Subject, ViolationSource};
use jiancha::domain::discipline::{ObservationSource, SlipStatus, Week};
use jiancha::domain::model::ComplaintChannel;
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{ComplaintStep, NewComplaint, NewObservation, NewViolation, Session, Store, StoreError};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The demo hall at Friday 27 November 2026, 10:30.
fn hall() -> (tempfile::TempDir, SqlStore, Arc<FixedClock>) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    crate::support::demo_hall::write_demo(dir.path(), 11, jiancha::clock::Clock::now(&*clock));
    let store = crate::support::backend::open_dir(dir.path(), clock.clone());
    (dir, store, clock)
}

fn login(store: &SqlStore, user: &str) -> Session {
    store.login(user, jiancha::demo::DEMO_PASSWORD).unwrap()
}

fn observe(store: &SqlStore, s: &Session, at: &str, window: &str, staff: Option<&str>, category: &str) -> i64 {
    store
        .add_observation(
            s,
            &NewObservation {
                observed_at: t(at),
                category: category.into(),
                source: ObservationSource::Manual,
                camera_id: None,
                window_code: Some(window.into()),
                staff_no: staff.map(Into::into),
                department: None,
                evidence_id: None,
                clip: None,
                note: String::new(),
            },
        )
        .unwrap()
        .id
}

/// A member of staff who normally works at `window`.
fn staff_at(store: &SqlStore, s: &Session, window: &str) -> (String, String) {
    let dir = store.directory(s).unwrap();
    let p = dir.staff.iter().find(|p| p.window.as_deref() == Some(window)).unwrap();
    (p.staff_no.clone(), p.name.clone())
}

#[test]
fn slip_numbers_run_on_across_weeks_restart_each_year_and_are_never_reused() {
    let (dir, store, clock) = hall();
    let s = login(&store, "supervisor1");
    // The demo's own observations and slips use numbers already: start from what is there.
    let before = store.slips(&s, None).unwrap();
    let base = before.iter().filter(|x| x.year == 2026).map(|x| x.number).max().unwrap_or(0);
    // A week after the demo's: only these two findings.
    clock.set(t("2026-12-07T09:00:00+08:00"));
    let s = login(&store, "supervisor1");
    let week = Week::of(d("2026-11-30"));
    observe(&store, &s, "2026-11-30T09:10:00+08:00", "B07", None, "离岗");
    observe(&store, &s, "2026-12-01T14:00:00+08:00", "A05", None, "吃东西");
    let mine = |list: Vec<jiancha::domain::discipline::Slip>| -> Vec<(u32, String, SlipStatus)> {
        list.into_iter().filter(|x| x.number > base).map(|x| (x.number, x.department_name, x.status)).collect()
    };
    let first = store.issue_slips(&s, week).unwrap();
    let issued = mine(first.clone());
    assert_eq!(issued.len(), 2, "{issued:?}");
    assert_eq!(issued.iter().map(|x| x.0).collect::<Vec<_>>(), [base + 1, base + 2]);
    // Issuing again issues nothing.
    assert_eq!(store.issue_slips(&s, week).unwrap().len(), first.len());
    // Cancel one: it keeps its number; issuing again gives that department a new number.
    let cancelled = first.iter().find(|x| x.number == base + 2).unwrap();
    assert!(matches!(store.cancel_slip(&s, cancelled.id, " "), Err(StoreError::Invalid(_))));
    store.cancel_slip(&s, cancelled.id, "部门名称有误").unwrap();
    let again = mine(store.issue_slips(&s, week).unwrap());
    assert_eq!(again.len(), 3);
    assert_eq!(again[1].2, SlipStatus::Cancelled);
    assert_eq!((again[2].0, &again[2].1), (base + 3, &again[1].1), "a new number for the same department");
    // The next week continues the count.
    clock.set(t("2026-12-14T09:00:00+08:00"));
    let s = login(&store, "supervisor1");
    observe(&store, &s, "2026-12-08T10:00:00+08:00", "B07", None, "串岗");
    let next = mine(store.issue_slips(&s, Week::of(d("2026-12-08"))).unwrap());
    assert_eq!(next.iter().map(|x| x.0).collect::<Vec<_>>(), [base + 4]);
    // A new year starts at 1.
    clock.set(t("2027-01-11T09:00:00+08:00"));
    let s = login(&store, "supervisor1");
    observe(&store, &s, "2027-01-05T10:00:00+08:00", "B07", None, "大声喧哗");
    let new_year = store.issue_slips(&s, Week::of(d("2027-01-05"))).unwrap();
    assert_eq!((new_year[0].year, new_year[0].number), (2027, 1));
    assert_eq!(new_year[0].number_text(), "〔2027〕第1号");
    // Slips cannot be deleted behind the program's back either.
    let err = crate::support::backend::execute(dir.path(), &format!("DELETE FROM slip WHERE id = {}", cancelled.id))
        .unwrap_err();
    assert!(err.contains("never deleted"), "{err}");
    // Receipts: once, and not on a cancelled slip.
    let live = store.slips(&s, Some(week)).unwrap().into_iter().find(|x| x.status == SlipStatus::Issued).unwrap();
    let received = store.record_slip_receipt(&s, live.id, "王科长").unwrap();
    assert_eq!((received.status, received.receipt_by.as_deref()), (SlipStatus::Received, Some("王科长")));
    assert!(store.record_slip_receipt(&s, cancelled.id, "王科长").is_err());
}

#[test]
fn a_slip_pdf_names_the_department_number_week_and_every_finding() {
    let (dir, store, _clock) = hall();
    let s = login(&store, "supervisor1");
    let (staff_no, staff_name) = staff_at(&store, &s, "B07");
    observe(&store, &s, "2026-11-16T09:12:00+08:00", "B07", Some(&staff_no), "离岗");
    observe(&store, &s, "2026-11-18T15:47:00+08:00", "B07", None, "玩手机/做与工作无关的事");
    observe(&store, &s, "2026-11-20T10:05:00+08:00", "B07", Some(&staff_no), "着装不规范/未佩戴工牌");
    let week = Week::of(d("2026-11-18"));
    let slips = store.issue_slips(&s, week).unwrap();
    let slip = slips.iter().find(|x| x.findings.iter().any(|f| f.window_code.as_deref() == Some("B07"))).unwrap();
    let out = dir.path().join("slips");
    let written =
        jiancha::report::documents::write_week_slips(&out, &slip.hall_name, week, &slips, Utc::now()).unwrap();
    assert_eq!(written.len(), slips.len() + 1, "one per department plus the index");
    let file = out.join(jiancha::report::documents::slip_file_name(slip));
    let text = pdftotext(&file);
    for needle in [
        slip.department_name.as_str(),
        &slip.number_text(),
        "2026年第47周（11月16日—11月22日）",
        "回",
        "签收人",
        &staff_name,
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
    for f in &slip.findings {
        let when = jiancha::domain::time::local_datetime(f.observed_at).format("%m-%d %H:%M").to_string();
        assert!(text.contains(&when), "{when} missing");
        // Long categories wrap in their cell; their first characters are on one line.
        let head: String = f.category.chars().take(3).collect();
        assert!(text.contains(&head), "{head} missing");
    }
    let index = pdftotext(&out.join("index.pdf"));
    assert!(index.contains(&slip.number_text()) && index.contains("电子监察提示单目录"));
    let total: usize = slips.iter().map(|x| x.findings.len()).sum();
    let detected = slips.iter().flat_map(|x| &x.findings).filter(|f| f.finding_id.is_some()).count();
    assert!(detected > 0, "the demo's week has confirmed detections");
    let by_source =
        format!("本周提示单共列问题 {total} 项：人工记录 {} 项，自动检测经监察员确认 {detected} 项", total - detected);
    assert!(index.split_whitespace().collect::<String>().contains(&by_source.replace(' ', "")), "{index}");
    // A cancelled slip is printed as 作废.
    let cancelled = store.cancel_slip(&s, slip.id, "测试作废").unwrap();
    let path = dir.path().join("cancelled.pdf");
    jiancha::report::write_pdf(&path, &jiancha::report::documents::slip_sheet(&cancelled)).unwrap();
    let text = pdftotext(&path);
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap();
    assert_eq!(first_line.split_whitespace().collect::<String>(), "作废", "{text}");
}

fn pdftotext(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (packaging/setup.sh installs poppler-utils)");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

use crate::support::cups;
use cups::Cups;

#[test]
fn a_slip_prints_through_a_real_cups_queue() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("提示单.pdf");
    let mut sheet = jiancha::report::pdf::Sheet::new("test");
    sheet.title("电子监察提示单", 20.0);
    jiancha::report::write_pdf(&pdf, &sheet).unwrap();
    let command = jiancha::report::print::command(&pdf, Some("jiancha-pdf"));
    assert_eq!(
        command,
        ["lp", "-d", "jiancha-pdf", "-t", "提示单.pdf", "--", pdf.to_str().unwrap()].map(String::from).to_vec()
    );
    // The set-up installs CUPS: a machine without it fails here rather than pass on the command alone.
    let cups = Cups::start().unwrap_or_else(|e| panic!("a private CUPS server: {e}"));
    // The program's own calls, pointed at the private server.
    let bin = env!("CARGO_BIN_EXE_jiancha");
    let queues = std::process::Command::new("lpstat").env("CUPS_SERVER", cups.socket()).arg("-e").output().unwrap();
    assert!(String::from_utf8_lossy(&queues.stdout).contains("jiancha-pdf"));
    let out = std::process::Command::new(bin)
        .env("CUPS_SERVER", cups.socket())
        .args(["print", "--printer", "jiancha-pdf"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("jiancha-pdf-"), "lp names the job");
    let file = cups::printed(&cups, std::fs::metadata(&pdf).unwrap().len());
    assert_eq!(file, std::fs::read(&pdf).unwrap(), "the queue received the PDF as written");
}

#[test]
fn the_complaint_workflow_keeps_its_working_day_deadlines() {
    let (_dir, store, clock) = hall();
    // Thursday 3 December 2026, by phone.
    clock.set(t("2026-12-03T09:30:00+08:00"));
    let (s, chief) = (login(&store, "supervisor1"), login(&store, "chief1"));
    let c = store
        .register_complaint(
            &s,
            &NewComplaint {
                received_at: t("2026-12-03T09:20:00+08:00"),
                channel: ComplaintChannel::Phone,
                complainant: "周先生".into(),
                contact: "138****0001".into(),
                content: "B07 窗口工作人员态度生硬".into(),
                case_no: None,
                hall_code: None,
                window_code: Some("B07".into()),
                staff_no: None,
                department: None,
            },
        )
        .unwrap();
    assert_eq!(c.status, ComplaintStatus::Registered);
    assert_eq!(c.department.as_deref(), Some("市税务局"));
    // Five working days, the weekend not counted: Thu 3 → 4, 7, 8, 9, 10 December.
    assert_eq!(c.due, Some(d("2026-12-10")));
    // The contact is for chiefs and administrators only.
    assert_ne!(c.contact, "138****0001");
    let seen = store.complaints(&chief).unwrap().into_iter().find(|x| x.complaint_no == c.complaint_no).unwrap();
    assert_eq!(seen.contact, "138****0001");
    // Steps go forward only; declining and concluding need their texts.
    let no = c.complaint_no.clone();
    let conclude = ComplaintStep::Conclude { conclusion: "属实".into(), reply: "已批评教育".into() };
    assert!(matches!(store.advance_complaint(&s, &no, &conclude), Err(StoreError::Refused(_))));
    assert!(matches!(
        store.advance_complaint(&s, &no, &ComplaintStep::Decline { reason: " ".into() }),
        Err(StoreError::Invalid(_))
    ));
    clock.set(t("2026-12-04T10:00:00+08:00"));
    let s = login(&store, "supervisor1");
    let accepted = store.advance_complaint(&s, &no, &ComplaintStep::Accept { note: "受理".into() }).unwrap();
    assert_eq!(accepted.status, ComplaintStatus::Accepted);
    assert_eq!(accepted.due, Some(d("2026-12-25")), "15 working days after Friday 4 December");
    let investigating = store.advance_complaint(&s, &no, &ComplaintStep::Investigate).unwrap();
    assert_eq!(investigating.status, ComplaintStatus::Investigating);
    assert!(matches!(
        store.advance_complaint(&s, &no, &ComplaintStep::Conclude { conclusion: "属实".into(), reply: String::new() }),
        Err(StoreError::Invalid(_))
    ));
    let done = store.advance_complaint(&s, &no, &conclude).unwrap();
    assert_eq!((done.status, done.due, done.reply.as_deref()), (ComplaintStatus::Concluded, None, Some("已批评教育")));
    // An auditor reads but does not act.
    let auditor = login(&store, "auditor1");
    assert!(store.advance_complaint(&auditor, &no, &ComplaintStep::Investigate).is_err());
    let audit = store
        .audit_log(
            &auditor,
            &jiancha::store::AuditQuery { action_prefix: Some("complaint".into()), limit: 50, ..Default::default() },
        )
        .unwrap();
    for a in ["complaint.register", "complaint.accepted", "complaint.investigating", "complaint.concluded"] {
        assert!(audit.iter().any(|r| r.action == a), "{a}");
    }
}

#[test]
fn the_art_12_6_flag_comes_exactly_with_the_second_warning_within_365_days() {
    let (_dir, store, clock) = hall();
    // The housing fund (B04, B05): no warnings in the demo.
    let (a, _) = staff_at(&store, &login(&store, "supervisor1"), "B04");
    let (b, _) = staff_at(&store, &login(&store, "supervisor1"), "B05");
    let record = |s: &Session, staff: &str, at: &str| {
        store
            .record_violation(
                s,
                &NewViolation {
                    item: "11(6)".into(),
                    subject: Subject::Staff,
                    staff_no: Some(staff.into()),
                    department: None,
                    source: ViolationSource::Complaint,
                    occurred_at: t(at),
                    description: "服务态度生硬".into(),
                    case_no: None,
                    alert_id: None,
                    observation_id: None,
                    complaint_no: None,
                    evidence_id: None,
                },
            )
            .unwrap()
    };
    // A supervisor records but does not decide.
    clock.set(t("2026-12-01T10:00:00+08:00"));
    let (s, chief) = (login(&store, "supervisor1"), login(&store, "chief1"));
    let first = record(&s, &a, "2026-12-01T10:00:00+08:00");
    assert!(matches!(
        store.decide_violation(&s, first.id, &[Measure::Admonition], ""),
        Err(StoreError::Forbidden { .. })
    ));
    assert!(store.decide_violation(&chief, first.id, &[], "").is_err(), "at least one measure");
    clock.set(t("2026-12-02T10:00:00+08:00"));
    let chief = login(&store, "chief1");
    let one = store.decide_violation(&chief, first.id, &[Measure::Admonition], "第一次").unwrap();
    assert!(one.flag.is_none(), "one warning is not yet a flag");
    // A written self-criticism is not a warning.
    let other = record(&login(&store, "supervisor1"), &b, "2026-12-03T10:00:00+08:00");
    assert!(store.decide_violation(&chief, other.id, &[Measure::WrittenSelfCriticism], "").unwrap().flag.is_none());
    assert!(store.department_flags(&chief).unwrap().is_empty());
    // 366 days later a second warning does not flag: the first has fallen out of the year.
    clock.set(t("2027-12-03T10:00:00+08:00"));
    let chief = login(&store, "chief1");
    let late = record(&login(&store, "supervisor1"), &b, "2027-12-01T10:00:00+08:00");
    assert!(store.decide_violation(&chief, late.id, &[Measure::CircularCriticism], "").unwrap().flag.is_none());
    // 364 days after that one, another warning flags the department, once.
    clock.set(t("2028-12-01T10:00:00+08:00"));
    let chief = login(&store, "chief1");
    let second = record(&login(&store, "supervisor1"), &a, "2028-11-30T10:00:00+08:00");
    let outcome =
        store.decide_violation(&chief, second.id, &[Measure::Admonition, Measure::WrittenSelfCriticism], "").unwrap();
    let flag = outcome.flag.expect("the second warning within 365 days flags the department");
    assert_eq!(
        (flag.item.as_str(), flag.subject, flag.department.as_str()),
        ("12(6)", Subject::Department, "市住房公积金管理中心")
    );
    assert!(flag.description.contains("2 次"), "{}", flag.description);
    let flags = store.department_flags(&chief).unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].violation_id, Some(flag.id));
    // A third warning in the same year does not record a second flag.
    let third = record(&login(&store, "supervisor1"), &b, "2028-12-01T09:00:00+08:00");
    assert!(store.decide_violation(&chief, third.id, &[Measure::CircularCriticism], "").unwrap().flag.is_none());
    assert_eq!(store.violations(&chief).unwrap().iter().filter(|v| v.item == "12(6)").count(), 1);
}

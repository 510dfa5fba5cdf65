//! The supervision office's own records in the demo: observations, slips, complaints, violations.

use super::*;
use crate::store::prelude::*;

/// Discipline categories as the demo sees them, most frequent first.
pub(super) const DEMO_CATEGORIES: [(&str, u32); 8] = [
    ("离岗", 6),
    ("玩手机/做与工作无关的事", 5),
    ("串岗", 3),
    ("着装不规范/未佩戴工牌", 3),
    ("吃东西", 2),
    ("大声喧哗", 1),
    ("服务态度生硬", 1),
    ("他人顶岗", 1),
];

pub(super) const DEMO_NOTES: [&str; 4] = ["", "约 10 分钟未在岗", "经提醒后改正", "与邻座聊天"];

/// One day of the supervision office's own records in the demo: discipline observations on the wall
/// over the last seven weeks, Monday's slips for the week before last and earlier (last week's are left
/// for the supervisor), receipts coming back, complaints moving through their workflow, and violations
/// with decisions — the tax bureau (B06–B08) has one warning this year, so a second raises Art 12(6).
pub(super) fn discipline_day(
    store: &SqlStore,
    clock: &FixedClock,
    data: &DemoData,
    calendar: &Calendar,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DemoError> {
    use crate::domain::accountability::{Measure, Subject, ViolationSource};
    use crate::domain::discipline::{ObservationSource, SlipStatus, Week};
    use crate::store::{ComplaintStep, NewObservation, NewViolation};
    let today = time::local_date(now);
    if !calendar.is_working_day(day) || local_at(day, 17, 30, 0) > now {
        return Ok(());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(day.num_days_from_ce() as u64 * 7919);
    let session = |user: &str| store.login(user, DEMO_PASSWORD);
    let at_time = |h: u32, m: u32| local_at(day, h, m, 0);
    let days_ago = (today - day).num_days();

    // Observations: seven weeks back, 0–3 a day, at windows with their usual staff.
    if days_ago <= 49 {
        let posted: Vec<&Staff> = data.staff.iter().filter(|s| s.window.is_some()).collect();
        let total: u32 = DEMO_CATEGORIES.iter().map(|(_, w)| w).sum();
        let count = [0, 1, 2, 2, 3, 4][rng.gen_range(0..6)];
        for i in 0..count {
            let Some(person) = posted.get(rng.gen_range(0..posted.len().max(1))) else { break };
            let mut pick = rng.gen_range(0..total);
            let category = DEMO_CATEGORIES
                .iter()
                .find(|(_, w)| {
                    if pick < *w {
                        true
                    } else {
                        pick -= w;
                        false
                    }
                })
                .map_or("其他", |c| c.0);
            let seen = at_time(9 + rng.gen_range(0..7), rng.gen_range(0..60));
            clock.set(seen + Duration::minutes(3 + i64::from(i)));
            let s = session(if i % 2 == 0 { "supervisor1" } else { "supervisor2" })?;
            store.add_observation(
                &s,
                &NewObservation {
                    observed_at: seen,
                    category: category.into(),
                    source: ObservationSource::Wall,
                    camera_id: None,
                    window_code: person.window.clone(),
                    staff_no: Some(person.staff_no.clone()),
                    department: None,
                    evidence_id: None,
                    clip: None,
                    note: DEMO_NOTES[rng.gen_range(0..DEMO_NOTES.len())].into(),
                },
            )?;
            store.logout(&s)?;
        }
    }
    // The rude moment of the B07 complaint, found in playback the day after (the recorded footage).
    if let Some(c) = data.complaints.iter().find(|c| c.window_code.as_deref() == Some("B07"))
        && calendar.next_working_day(time::local_date(c.received_at)).is_ok_and(|n| n.value == day)
    {
        let complained = time::local_date(c.received_at);
        let seen = local_at(complained, 10, 41, 20);
        clock.set(at_time(9, 20));
        let s = session("supervisor1")?;
        store.add_observation(
            &s,
            &NewObservation {
                observed_at: seen,
                category: "服务态度生硬".into(),
                source: ObservationSource::Playback,
                camera_id: None,
                window_code: Some("B07".into()),
                staff_no: c.staff_no.clone(),
                department: None,
                evidence_id: None,
                clip: Some(crate::domain::footage::Span::new(
                    seen - Duration::seconds(40),
                    seen + Duration::seconds(100),
                )),
                note: "回放核实投诉".into(),
            },
        )?;
        store.logout(&s)?;
    }
    // Monday: the slips of the week before, except last week's (left for the supervisor to issue).
    if day.weekday() == Weekday::Mon && days_ago > 7 && days_ago <= 49 {
        clock.set(at_time(9, 5));
        let s = session("supervisor1")?;
        store.issue_slips(&s, Week::of(day).previous())?;
        store.logout(&s)?;
    }
    // Receipts come back two or three working days later.
    if days_ago > 0 {
        clock.set(at_time(15, 30));
        let s = session("supervisor2")?;
        for slip in store.slips(&s, None)?.into_iter().filter(|x| x.status == SlipStatus::Issued) {
            let issued = time::local_date(slip.issued_at);
            let back = calendar.add_working_days_fast(issued, 2 + (slip.number % 2)).unwrap_or(issued);
            if back == day {
                let signer = ["王科长", "李主任", "张副局长", "赵科长"][slip.number as usize % 4];
                store.record_slip_receipt(&s, slip.id, signer)?;
            }
        }
        store.logout(&s)?;
    }
    // Complaints: accepted the next working day; older ones investigated and concluded.
    for c in &data.complaints {
        let received = time::local_date(c.received_at);
        let Ok(next) = calendar.next_working_day(received) else { continue };
        let accept_day = next.value;
        let investigate_day = calendar.add_working_days_fast(received, 2).unwrap_or(received);
        let conclude_day = calendar.add_working_days_fast(received, 7).unwrap_or(received);
        let no = store
            .complaints(&store.system_session())?
            .into_iter()
            .find(|x| x.received_at == time::from_local(time::local_datetime(c.received_at)) && x.content == c.content)
            .map(|x| x.complaint_no);
        let Some(no) = no else { continue };
        let step = if day == accept_day {
            Some(ComplaintStep::Accept { note: "属监察室受理范围".into() })
        } else if day == investigate_day {
            Some(ComplaintStep::Investigate)
        } else if day == conclude_day && (today - received).num_days() > 10 {
            Some(ComplaintStep::Conclude {
                conclusion: "经调取录像、询问当事人，投诉情况基本属实，已责成所在部门批评教育。".into(),
                reply: "您反映的问题已核实，相关人员已受到批评教育，感谢您的监督。".into(),
            })
        } else {
            None
        };
        if let Some(step) = step {
            clock.set(at_time(10, 15));
            let s = session("supervisor1")?;
            store.advance_complaint(&s, &no, &step)?;
            store.logout(&s)?;
        }
    }
    // Violations and decisions from earlier in the year.
    let staff_at =
        |window: &str| data.staff.iter().find(|s| s.window.as_deref() == Some(window)).map(|s| s.staff_no.clone());
    let plan: [(i64, &str, &str, Option<String>, ViolationSource, &str, &[Measure]); 3] = [
        (
            83,
            "11(6)",
            "B06",
            staff_at("B06"),
            ViolationSource::Video,
            "接待申请人时态度生硬，视频核实",
            &[Measure::Admonition],
        ),
        (
            61,
            "11(9)",
            "A04",
            staff_at("A04"),
            ViolationSource::Rule,
            "申请人离开后自行按评价器",
            &[Measure::WrittenSelfCriticism],
        ),
        (
            40,
            "12(3)",
            "C03",
            None,
            ViolationSource::Rule,
            "多件审批超过承诺时限未反馈原因",
            &[Measure::CircularCriticism],
        ),
    ];
    for (ago, item, window, staff, source, description, measures) in plan {
        // The first working day on or after `ago` days back.
        let target = calendar.next_working_day(today - Duration::days(ago + 1)).map_or(today, |r| r.value);
        if day != target {
            continue;
        }
        let department = data.setup.windows.iter().find(|w| w.code == window).and_then(|w| w.department.clone());
        clock.set(at_time(11, 0));
        let s = session("supervisor1")?;
        let v = store.record_violation(
            &s,
            &NewViolation {
                item: item.into(),
                subject: if staff.is_some() { Subject::Staff } else { Subject::Department },
                staff_no: staff,
                department,
                source,
                occurred_at: at_time(10, 20),
                description: description.into(),
                case_no: None,
                alert_id: None,
                observation_id: None,
                complaint_no: None,
                evidence_id: None,
            },
        )?;
        store.logout(&s)?;
        clock.set(at_time(16, 0));
        let chief = session("chief1")?;
        store.decide_violation(&chief, v.id, measures, "经监察室负责人审定")?;
        store.logout(&chief)?;
    }
    Ok(())
}

/// The third working day of a month in the demo: the chief publishes last month's assessment (a month
/// wholly inside the demo's history) and sends a 监察建议书 to each department graded 不合格; the
/// departments sign for them two working days later and reply within the limit, except the last one.
pub(super) fn assessment_day(
    store: &SqlStore,
    clock: &FixedClock,
    calendar: &Calendar,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DemoError> {
    use crate::domain::assessment::{Grade, YearMonth, recommendation_facts};
    let publish_at = local_at(day, 17, 40, 0);
    if !calendar.is_working_day(day) || local_at(day, 17, 50, 0) > now {
        return Ok(());
    }
    let first_day = time::local_date(now) - Duration::days(HISTORY_DAYS);
    let month = YearMonth::of(day);
    let third = calendar.add_working_days_fast(month.first_day().pred_opt().unwrap_or(day), 3);
    let previous = month.previous();
    if third == Some(day) && previous.first_day() > first_day {
        clock.set(publish_at);
        let chief = store.login("chief1", DEMO_PASSWORD)?;
        let published = store.publish_assessment(&chief, previous, "")?;
        for d in published.assessment.departments.iter().filter(|d| d.grade == Some(Grade::Fail)) {
            let new = crate::store::NewRecommendation {
                department_id: d.department_id,
                month: Some(previous),
                facts: recommendation_facts(d, previous),
                recommendation: "一、对本月超期办件和预警逐件分析原因，落实限时办结制度；\n二、对投诉、差评和纪律问题涉及的人员进行教育，明确整改责任人和时限。".into(),
                hall: None,
            };
            store.issue_recommendation(&chief, &new)?;
        }
        store.logout(&chief)?;
    }
    // Receipts two working days after the issue, replies ten working days after (the latest one's is
    // still outstanding).
    let list = store.recommendations(&store.system_session())?;
    let newest = list.iter().map(|r| r.id).max();
    let due = |r: &crate::domain::assessment::Recommendation, days| {
        calendar.add_working_days_fast(time::local_date(r.issued_at), days) == Some(day)
    };
    let receipts: Vec<_> = list.iter().filter(|r| r.receipt_at.is_none() && due(r, 2)).collect();
    let replies: Vec<_> = list.iter().filter(|r| r.reply_at.is_none() && Some(r.id) != newest && due(r, 10)).collect();
    if receipts.is_empty() && replies.is_empty() {
        return Ok(());
    }
    clock.set(local_at(day, 17, 45, 0));
    let supervisor = store.login("supervisor2", DEMO_PASSWORD)?;
    for r in receipts {
        store.record_recommendation_receipt(&supervisor, r.id, &format!("{}办公室", r.department))?;
    }
    clock.set(local_at(day, 17, 50, 0));
    for r in replies {
        store.record_recommendation_reply(
            &supervisor,
            r.id,
            "已组织专题会议逐件分析超期原因，落实限时办结和首问负责制度，相关人员已批评教育。",
        )?;
    }
    store.logout(&supervisor)?;
    Ok(())
}

/// One day of the camera watchers' findings in the demo (the last eight days): a seat left empty
/// for a quarter of an hour at one window, on some days a covered lens or a turned camera at another,
/// with snapshots of the scripted scene. The older ones are decided (confirmed, or dismissed with a
/// reason); those of the last two days wait for a supervisor.
pub(super) fn watch_day(
    store: &SqlStore,
    clock: &FixedClock,
    calendar: &Calendar,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DemoError> {
    use crate::domain::watch::{FindingDecision, FindingKind};
    use crate::store::WatchReport;
    use crate::video::scene::Script;
    use crate::video::watch_live::{PICTURE, Picture};
    let days_ago = (time::local_date(now) - day).num_days();
    if days_ago > 8 || !calendar.is_working_day(day) || local_at(day, 17, 30, 0) > now {
        return Ok(());
    }
    let system = store.system_session();
    // The window cameras (the hall's overview camera has no seat to watch).
    let cameras: Vec<_> = store.directory(&system)?.cameras.into_iter().filter(|c| c.window_code.is_some()).collect();
    if cameras.len() < 3 {
        return Ok(());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(day.num_days_from_ce() as u64 * 104_729);
    let picture = |script: &str, t_ms: i64| {
        let script = Script::parse("demo", script).unwrap_or_default();
        Picture {
            width: PICTURE.0,
            height: PICTURE.1,
            rgb: crate::video::scene::render_rgb(&script, t_ms, PICTURE.0, PICTURE.1),
        }
        .png()
    };
    let normal = picture("", 0);
    let mut raised = Vec::new();
    // The empty seat: 11–18 minutes from mid-morning or mid-afternoon.
    let camera = cameras[rng.gen_range(0..cameras.len())].id;
    let since = local_at(day, [9, 10, 14, 15][rng.gen_range(0..4)], rng.gen_range(0..40), 0);
    let until = since + Duration::minutes(rng.gen_range(11..19));
    let away = picture("0s away 1h", 0);
    clock.set(since + Duration::seconds(601));
    let report = WatchReport::Raised { camera_id: camera, kind: FindingKind::Absent, since, first: away, second: None };
    raised.extend(store.report_watch(&system, &report)?);
    clock.set(until);
    let report =
        WatchReport::Ended { camera_id: camera, kind: FindingKind::Absent, at: until, snapshot: normal.clone() };
    store.report_watch(&system, &report)?;
    // Every other day, a camera covered or turned for a minute or two.
    if rng.gen_bool(0.5) {
        let camera = cameras[rng.gen_range(0..cameras.len())].id;
        let (kind, script) = if rng.gen_bool(0.5) {
            (FindingKind::Blocked, "0s covered 1h")
        } else {
            (FindingKind::Moved, "0s turned 1h")
        };
        let since = local_at(day, 11, rng.gen_range(0..25), 0);
        clock.set(since + Duration::seconds(31));
        let report =
            WatchReport::Raised { camera_id: camera, kind, since, first: normal.clone(), second: picture(script, 0) };
        raised.extend(store.report_watch(&system, &report)?);
        let back = since + Duration::seconds(rng.gen_range(60..180));
        clock.set(back);
        store.report_watch(&system, &WatchReport::Ended { camera_id: camera, kind, at: back, snapshot: None })?;
    }
    if days_ago >= 2 {
        let s = store.login("supervisor1", DEMO_PASSWORD)?;
        clock.set(local_at(day, 17, 0, 0));
        for (i, finding) in raised.iter().enumerate() {
            if i % 2 == 0 {
                store.decide_finding(&s, finding.id, FindingDecision::Confirmed, "经回放核实")?;
            } else {
                store.decide_finding(&s, finding.id, FindingDecision::Dismissed, "调整摄像头角度时的正常操作")?;
            }
        }
        store.logout(&s)?;
    }
    Ok(())
}

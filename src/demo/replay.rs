//! Replaying the demo's 90 days through the store on a simulated clock, as the hall would have lived
//! through them.

use super::*;
use crate::store::prelude::*;

/// Canned reasons supervisors give when closing a violation alert after looking into it.
pub(super) fn close_reason(rule: Rule, n: usize) -> &'static str {
    let options: &[&str] = match rule {
        Rule::CompletedLate => {
            &["已约谈窗口负责人，超时原因为材料审核复杂，已要求整改", "已核实：申请人要求延期领取，部门已说明情况"]
        }
        Rule::StepOverdue => &["已核实：审核人员外出培训，已提醒部门合理安排", "部门已说明原因并整改"],
        Rule::MissingDocument => &["已核实，窗口已补发文书", "已提醒窗口规范出具文书"],
        Rule::LateEntry => &["已核实：系统故障期间线下受理，已补录", "已提醒窗口及时录入，纳入周提示单"],
        Rule::FeeMismatch => &["已责令窗口退还多收费用", "已核实减免依据（困难群众减免）"],
        Rule::RepeatedSupplement => &["已核实补正内容，已提醒一次性告知", "已约谈窗口工作人员"],
        Rule::ExtraStep | Rule::OutOfOrder => &["已核实：系统操作失误，已更正", "已要求部门按事项流程办理"],
        _ => &["已核实"],
    };
    options[n % options.len()]
}

/// Builds the database as the hall would have lived through the 90 days: data arrives day by day,
/// supervisors log in each working morning, run the daily check, close violation alerts they looked
/// into, issue supervision notices for seriously overdue cases, and departments reply (most in time,
/// some late, a few never). The clock moves with it, so the audit log reads like a real one.
pub(super) fn replay(
    store: &SqlStore,
    clock: &FixedClock,
    dir: &Path,
    data: &DemoData,
    rules: &RuleBook,
    now: DateTime<Utc>,
) -> Result<Vec<ImportReport>, DemoError> {
    let calendar = &rules.calendar;
    let today = time::local_date(now);
    let first = today - Duration::days(HISTORY_DAYS);
    let at = |date: NaiveDate, h: u32, m: u32| local_at(date, h, m, 0);
    let mut rng = ChaCha8Rng::seed_from_u64(data.salts.first().map_or(7, |s| u64::from(s[0])));
    let mut imports: BTreeMap<ImportKind, ImportReport> = BTreeMap::new();
    let mut record = |report: ImportReport| {
        let kind = report.kind.unwrap_or(ImportKind::Events);
        let total = imports.entry(kind).or_insert_with(|| ImportReport {
            source: format!("import/{}", kind.as_str()),
            kind: Some(kind),
            ..ImportReport::default()
        });
        total.records += report.records;
        total.inserted += report.inserted;
        total.updated += report.updated;
        total.unchanged += report.unchanged;
        total.skipped_unknown_people += report.skipped_unknown_people;
        total.alerts_changed += report.alerts_changed;
    };

    // A week before the period (online applications start early): the hall, the accounts, the
    // catalogue, staff and approved leave.
    clock.set(at(first - Duration::days(7), 17, 0));
    let system = store.system_session();
    store.configure_hall(&system, &data.setup)?;
    for ((username, display_name, role), salt) in DEMO_USERS.iter().zip(&data.salts) {
        let user = NewUser {
            username: (*username).into(),
            display_name: (*display_name).into(),
            role: *role,
            password: DEMO_PASSWORD.into(),
            halls: Vec::new(),
        };
        store.create_user_with_salt(&system, &user, &salt_from_bytes(salt)?)?;
    }
    let parse_import = |kind: ImportKind, name: &str, content: &str| -> Result<ImportReport, DemoError> {
        let batch = interchange::parse(kind, name, content)?;
        Ok(store.import(&system, &batch)?)
    };
    record(parse_import(ImportKind::Items, "import/items.csv", &write::items_csv(&data.items))?);
    record(parse_import(ImportKind::Staff, "import/staff.csv", &write::staff_csv(&data.staff))?);
    record(parse_import(ImportKind::Leave, "import/leave.csv", &write::leave_csv(&data.leave))?);

    // Data per local day of entry.
    let mut events_by_day: BTreeMap<NaiveDate, Vec<CaseEvent>> = BTreeMap::new();
    for e in &data.events {
        events_by_day.entry(time::local_date(e.recorded_at)).or_default().push(e.clone());
    }
    let mut punches_by_day: BTreeMap<NaiveDate, Vec<PunchRecord>> = BTreeMap::new();
    for p in &data.punches {
        punches_by_day.entry(p.time.date()).or_default().push(p.clone());
    }
    let mut evaluations_by_day: BTreeMap<NaiveDate, Vec<Evaluation>> = BTreeMap::new();
    for e in &data.evaluations {
        evaluations_by_day.entry(e.time.date()).or_default().push(e.clone());
    }

    let mut replies: Vec<(NaiveDate, i64, usize)> = Vec::new();
    let mut handled: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let mut noticed: std::collections::HashSet<i64> = std::collections::HashSet::new();
    // Online applications submitted a few days before the period are delivered from their own day on.
    let mut day = events_by_day.keys().next().copied().map_or(first, |d| d.min(first));
    let mut working_day_index = 0usize;
    while day <= today {
        let working = calendar.is_working_day(day);
        if working && at(day, 8, 35) <= now {
            // Morning: a supervisor logs in, checks yesterday's and last night's data, handles alerts.
            working_day_index += 1;
            let user = if working_day_index.is_multiple_of(3) { "supervisor2" } else { "supervisor1" };
            clock.set(at(day, 8, 31 + (working_day_index % 5) as u32));
            let session = store.login(user, DEMO_PASSWORD)?;
            clock.set(at(day, 8, 40));
            crate::report::daily::run(store, &session, dir, day).map_err(|e| match e {
                crate::report::daily::DailyCheckError::Store(s) => DemoError::Store(s),
                crate::report::daily::DailyCheckError::Io { path, source } => DemoError::Io { path, source },
            })?;
            let open = store.alerts(&session, &crate::store::AlertQuery::default())?;
            let cutoff = calendar
                .add_working_days_fast(day, 0)
                .and_then(|d| calendar.previous_working_day(d).ok())
                .map_or(day, |r| r.value);
            let mut minute = 0i64;
            for a in &open {
                if a.rule.needs_closing() && !handled.contains(&a.id) && time::local_date(a.since) < cutoff {
                    handled.insert(a.id);
                    // Some stay open while the supervisor waits for the department's explanation.
                    if rng.gen_bool(0.12) {
                        continue;
                    }
                    minute += 1;
                    clock.set(at(day, 9, 0) + Duration::minutes(minute.min(170)));
                    store.close_alert(&session, a.id, close_reason(a.rule, a.id as usize))?;
                }
                if a.rule == Rule::OverdueSerious && !noticed.contains(&a.id) {
                    noticed.insert(a.id);
                    minute += 1;
                    clock.set(at(day, 9, 0) + Duration::minutes(minute.min(170)));
                    let notice = store.issue_notice(
                        &session,
                        &NewNotice { alert_id: a.id, text: crate::report::documents::notice_draft(a) },
                    )?;
                    // Most departments answer within the due date; some late; a few never.
                    let roll = rng.gen_range(0..100);
                    if roll < 90 {
                        let in_days = if roll < 75 { rng.gen_range(1..=4) } else { rng.gen_range(6..=8) };
                        let reply_day = calendar.add_working_days_fast(day, in_days).unwrap_or(day);
                        replies.push((reply_day, notice.id, replies.len()));
                    }
                }
            }
            // The biweekly ranking: on the second working day of a period, the people on the last
            // period's interview list are talked to (the newest period's list is left half done).
            let period = rules.attendance.period_start(day);
            let days_into = calendar.working_day_count(period, day);
            if days_into == 2 {
                let previous = period - Duration::days(i64::from(rules.attendance.period_days.max(1)));
                let newest = rules.attendance.period_start(today) - (period - previous) == previous;
                let ranking = store.attendance(&session, previous)?;
                let due: Vec<_> = ranking.ranking.staff.iter().filter(|s| s.interview).collect();
                let take = if newest { due.len().min(2) } else { due.len() };
                for (i, person) in due.iter().take(take).enumerate() {
                    let held = at(day, 10, 0) + Duration::minutes(i as i64 * 25);
                    if held > now {
                        break;
                    }
                    clock.set(held + Duration::minutes(20));
                    let interview = crate::store::NewInterview {
                        period_start: previous,
                        staff_no: person.staff_no.clone(),
                        hall: person.hall.clone(),
                        held_at: held,
                        participants: format!(
                            "{}、{}、{}部门负责人",
                            person.name,
                            if user == "supervisor1" { "张明" } else { "李华" },
                            person.department
                        ),
                        note: [
                            "指出本周期迟到早退情况，本人说明原因并承诺改正，下周期继续关注。",
                            "通报考勤排名，要求严格遵守作息时间，部门负责人督促落实。",
                            "本人承认迟到属实，已写出书面说明，部门将纳入月度考核。",
                        ][i % 3]
                            .into(),
                    };
                    store.record_interview(&session, &interview)?;
                }
            }
            // Poor ratings: return visits the next working day, rectification within the fortnight; a
            // few slip, to show how an overdue follow-up looks.
            minute = 0;
            for p in store.poor_ratings(&session, day - Duration::days(30), day)? {
                let roll = p.key.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 10;
                if roll == 0 {
                    continue;
                }
                minute += 1;
                clock.set(at(day, 11, 0) + Duration::minutes(minute.min(55)));
                if clock.now() > now {
                    break;
                }
                if p.visit.is_none() && p.visit_due <= day {
                    let note = [
                        "电话回访办事人，已说明情况并致歉，办事人表示理解。",
                        "回访办事人，问题已当场解决，办事人表示认可。",
                    ];
                    store.record_follow_up(
                        &session,
                        &p.key,
                        crate::store::FollowUpStep::ReturnVisit,
                        note[roll as usize % 2],
                    )?;
                } else if p.visit.is_some()
                    && p.fix.is_none()
                    && roll > 1
                    && day >= p.fix_due - Duration::days(i64::from(roll))
                {
                    let note = ["窗口已组织业务培训，规范一次性告知。", "已调整窗口人员，增加高峰时段导办。"];
                    store.record_follow_up(
                        &session,
                        &p.key,
                        crate::store::FollowUpStep::Rectification,
                        note[roll as usize % 2],
                    )?;
                }
            }
            // Replies that arrive today.
            let (due, later): (Vec<_>, Vec<_>) = replies.iter().partition(|(d, _, _)| *d == day);
            replies = later;
            for (i, (_, notice_id, n)) in due.into_iter().enumerate() {
                clock.set(at(day, 14, 0) + Duration::minutes(i as i64 * 7));
                if clock.now() <= now {
                    let text = [
                        "已核查，该件因现场勘验排期延误，已于本周办结并向申请人致歉。",
                        "已责成窗口负责人整改，建立超期件每日通报制度。",
                        "经核查系系统数据未同步，已补录办结信息。",
                    ][n % 3];
                    store.record_notice_reply(&session, notice_id, text)?;
                }
            }
            store.logout(&session)?;
        }
        // Complaints phoned in or sent that day, registered a quarter of an hour later.
        for c in data.complaints.iter().filter(|c| time::local_date(c.received_at) == day) {
            clock.set(c.received_at + Duration::minutes(15));
            if clock.now() <= now {
                let session = store.login("supervisor1", DEMO_PASSWORD)?;
                store.register_complaint(&session, c)?;
                store.logout(&session)?;
            }
        }
        // The supervision office's own work of the day: discipline, slips, complaints, accountability.
        discipline_day(store, clock, data, calendar, day, now)?;
        watch_day(store, clock, calendar, day, now)?;
        assessment_day(store, clock, calendar, day, now)?;
        // Night: the approval system, the fingerprint machine and the evaluators deliver the day's data.
        let evening = local_at(day, 23, 59, 59).min(now);
        clock.set(evening);
        let stamp = day.format("%Y%m%d");
        if let Some(events) = events_by_day.get(&day) {
            let known: Vec<CaseEvent> = events.iter().filter(|e| e.recorded_at <= evening).cloned().collect();
            if !known.is_empty() {
                record(parse_import(
                    ImportKind::Events,
                    &format!("import/events-{stamp}.jsonl"),
                    &write::events_jsonl(&known),
                )?);
            }
        }
        if let Some(punches) = punches_by_day.get(&day) {
            record(parse_import(ImportKind::Punches, &format!("import/attlog-{stamp}.dat"), &write::attlog(punches))?);
        }
        if let Some(evaluations) = evaluations_by_day.get(&day) {
            record(parse_import(
                ImportKind::Evaluations,
                &format!("import/evaluations-{stamp}.csv"),
                &write::evaluations_csv(evaluations),
            )?);
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    clock.set(now);
    store.refresh_alerts(&system)?;
    Ok(imports.into_values().collect())
}

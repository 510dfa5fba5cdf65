//! Generating the demo's data: cases with their events (and the planted anomalies), staff, punches,
//! leave, evaluations and complaints — pure and deterministic for a seed and a `now`.

use super::*;

pub(super) fn local_at(date: NaiveDate, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(hour.min(23), minute.min(59), second.min(59)).unwrap_or(NaiveTime::MIN);
    time::from_local(date.and_time(t))
}

/// A random instant in the hall's opening hours (08:30–11:30, 13:00–17:00) on `date`.
pub(super) fn office_time(rng: &mut ChaCha8Rng, date: NaiveDate) -> DateTime<Utc> {
    let minutes = rng.gen_range(0..(180 + 240));
    let start = if minutes < 180 { 8 * 60 + 30 + minutes } else { 13 * 60 + (minutes - 180) };
    local_at(date, start / 60, start % 60, rng.gen_range(0..60))
}

pub(super) fn person_name(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", SURNAMES.choose(rng).unwrap_or(&"王"), GIVEN.choose(rng).unwrap_or(&"伟"))
}

pub(super) fn applicant(rng: &mut ChaCha8Rng, department: &str) -> String {
    let company_share = match department {
        "市市场监督管理局" | "市住房和城乡建设局" | "市自然资源局" | "市生态环境局" | "市交通运输局" => {
            0.8
        }
        "市税务局" | "市卫生健康委员会" => 0.5,
        _ => 0.1,
    };
    if rng.gen_bool(company_share) {
        format!(
            "四平市{}{}",
            COMPANY_WORDS.choose(rng).unwrap_or(&"铁东"),
            COMPANY_KINDS.choose(rng).unwrap_or(&"商贸有限公司")
        )
    } else {
        person_name(rng)
    }
}

pub(super) fn parse_item(department: &str, spec: &ItemSpec) -> CatalogueItem {
    let workflow: Vec<Step> = spec.workflow.split('|').filter_map(|s| s.parse().ok()).collect();
    let step_limits = if spec.limits.is_empty() {
        vec![None; workflow.len()]
    } else {
        spec.limits.split('|').map(|l| l.parse().ok()).collect()
    };
    CatalogueItem {
        code: spec.code.into(),
        name: spec.name.into(),
        department: department.into(),
        legal_days: spec.legal,
        promised_days: spec.promised,
        fee_fen: spec.fee_fen,
        workflow,
        step_limits,
    }
}

pub(super) struct Generator<'a> {
    pub(super) rng: ChaCha8Rng,
    pub(super) calendar: &'a Calendar,
    pub(super) now: DateTime<Utc>,
    pub(super) events: Vec<CaseEvent>,
    pub(super) planted: Planted,
}

/// One case being planned.
pub(super) struct CasePlan<'a> {
    pub(super) case_no: String,
    pub(super) item: &'a CatalogueItem,
    pub(super) special: Option<SuspendReason>,
    pub(super) window: &'a str,
    pub(super) staff: [&'a str; 2],
    pub(super) applicant: String,
}

impl Generator<'_> {
    fn working_day_after(&self, date: NaiveDate, n: u32) -> NaiveDate {
        self.calendar.add_working_days(date, n).map_or(date, |r| r.value)
    }

    fn push(
        &mut self,
        plan: &CasePlan<'_>,
        step: Step,
        at: DateTime<Utc>,
        at_window: bool,
        staff: Option<&str>,
    ) -> usize {
        let lag = Duration::seconds(self.rng.gen_range(3..150));
        self.events.push(CaseEvent {
            case_no: plan.case_no.clone(),
            item_code: plan.item.code.clone(),
            hall: Some(HALL_CODE.into()),
            window: at_window.then(|| plan.window.to_owned()),
            staff_no: if at_window { staff.or(Some(plan.staff[0])).map(str::to_owned) } else { None },
            step,
            occurred_at: at,
            // Entered within seconds, but never after the demo's "now".
            recorded_at: (at + lag).min(self.now).max(at),
            documents: Vec::new(),
            applicant: (step == Step::Accept || step == Step::Submit).then(|| plan.applicant.clone()),
            amount_fen: None,
            rating: None,
            reason: None,
            promised_days: None,
        });
        self.events.len() - 1
    }

    /// A document the step must issue, left out now and then (missing_document).
    fn document(&mut self, index: usize, document: Document, miss_chance: f64) {
        if self.rng.gen_bool(miss_chance) {
            self.planted.missing_document += 1;
        } else if let Some(e) = self.events.get_mut(index) {
            e.documents.push(document);
        }
    }

    /// Plans one case accepted on `day`, pushing its events up to `now`.
    fn case(&mut self, plan: &CasePlan<'_>, day: NaiveDate) {
        let first = self.events.len();
        let on_duty = plan.staff[usize::from(self.rng.gen_bool(0.4))];
        let accept_at = office_time(&mut self.rng, day);
        if accept_at > self.now {
            return;
        }
        if self.rng.gen_bool(0.3) {
            // Applied online beforehand.
            let back = Duration::minutes(self.rng.gen_range(30..3 * 24 * 60));
            self.push(plan, Step::Submit, accept_at - back, false, None);
        }
        let item = plan.item;
        // 2%: not accepted at all.
        if self.rng.gen_bool(0.02) {
            let i = self.push(plan, Step::Reject, accept_at, true, Some(on_duty));
            self.events[i].applicant = Some(plan.applicant.clone());
            self.document(i, Document::NonAcceptanceNotice, 0.1);
            return;
        }
        let accept = self.push(plan, Step::Accept, accept_at, true, Some(on_duty));
        self.document(accept, Document::AcceptanceSlip, 0.01);

        if item.fee_fen > 0 {
            let at = accept_at + Duration::minutes(self.rng.gen_range(2..12));
            let fee = self.push(plan, Step::Fee, at, true, Some(on_duty));
            let amount = if self.rng.gen_bool(0.015) {
                self.planted.fee_mismatch += 1;
                if self.rng.gen_bool(0.5) { item.fee_fen + 2000 } else { item.fee_fen / 2 }
            } else {
                item.fee_fen
            };
            self.events[fee].amount_fen = Some(amount);
        }

        // Working-day offsets from acceptance for each later workflow step.
        let mut offset: u32 = 0;
        let mut cursor = day;
        let mut step_overdue = false;
        let mut intermediate: Vec<(Step, NaiveDate)> = Vec::new();
        let steps: Vec<(Step, Option<u32>)> =
            item.workflow.iter().copied().zip(item.step_limits.iter().copied()).skip(1).collect();
        let budget = item.promised_days;
        let mut supplement_done = item.promised_days == 0;
        let mut special_done = plan.special.is_none();
        for (index, (step, limit)) in steps.iter().enumerate() {
            let is_last = index + 1 == steps.len();
            let remaining_steps = (steps.len() - index - 1) as u32;
            let room = budget.saturating_sub(offset).saturating_sub(remaining_steps.min(1));
            let mut gap = match limit {
                Some(l) => self.rng.gen_range(0..=(*l).min(room)),
                None => 0,
            };
            if is_last && item.promised_days > 0 && offset + gap == 0 {
                gap = u32::from(budget > 0);
            }
            if let Some(l) = limit.filter(|l| *l > 0)
                && !step_overdue
                && self.rng.gen_bool(0.02)
            {
                gap = l + self.rng.gen_range(1..=3);
                step_overdue = true;
                self.planted.step_overdue += 1;
            }
            // The clock stops for material or a special procedure before review.
            if !supplement_done && *step == Step::Review {
                supplement_done = true;
                if self.rng.gen_bool(0.08) {
                    cursor = self.supplement(plan, cursor, on_duty);
                }
            }
            if !special_done && matches!(step, Step::Review | Step::Approve) {
                special_done = true;
                if self.rng.gen_bool(0.4) {
                    cursor = self.special_procedure(plan, cursor);
                }
            }
            offset += gap;
            cursor = self.working_day_after(cursor, gap);
            intermediate.push((*step, cursor));
        }

        // 3%: completion slips past the deadline; 1.2% of older cases are left open and overdue.
        let late = self.rng.gen_bool(0.03);
        let left_open = self.rng.gen_bool(0.012);
        let mut handled_last = false;
        let mut complete_index = None;
        let out_of_order = item.workflow.contains(&Step::Approve) && self.rng.gen_bool(0.004);
        let mut last_at = self
            .events
            .iter()
            .rev()
            .take_while(|e| e.case_no == plan.case_no)
            .map(|e| e.occurred_at)
            .max()
            .unwrap_or(accept_at);
        let deny = item.workflow.contains(&Step::Approve) && self.rng.gen_bool(0.02);
        for (n, (step, mut date)) in intermediate.clone().into_iter().enumerate() {
            let is_last = n + 1 == intermediate.len();
            if is_last && late {
                let extra = item.promised_days.max(1) / 2 + self.rng.gen_range(2..5);
                date = self.working_day_after(date, extra);
            }
            let at_window = step == Step::Complete;
            let mut at = office_time(&mut self.rng, date);
            // Steps on the same day follow each other.
            if at <= last_at {
                at = last_at + Duration::minutes(self.rng.gen_range(5..40));
            }
            last_at = at;
            if at > self.now {
                return self.finish(first);
            }
            if is_last && left_open && date + chrono::Days::new(10) < time::local_date(self.now) {
                self.planted.left_open_overdue += 1;
                return self.finish(first);
            }
            match step {
                Step::Approve if deny => {
                    let i = self.push(plan, Step::Deny, at, false, None);
                    self.document(i, Document::DenialDecision, 0.1);
                    return self.finish(first);
                }
                Step::Approve if out_of_order => continue,
                _ => {}
            }
            let staff = at_window.then_some(plan.staff[usize::from(self.rng.gen_bool(0.3))]);
            let i = self.push(plan, step, at, at_window, staff);
            if step == Step::Complete {
                complete_index = Some(i);
                handled_last = true;
                if out_of_order {
                    // The approval is entered after the case was already completed.
                    let later = at + Duration::minutes(self.rng.gen_range(20..200));
                    self.push(plan, Step::Approve, later, false, None);
                    self.planted.out_of_order += 1;
                }
            }
        }
        if late && handled_last {
            self.planted.completed_late += 1;
        }
        // 0.5%: a step the workflow does not list (an item without review gets one).
        if !item.workflow.contains(&Step::Review) && self.rng.gen_bool(0.01) {
            let at = accept_at + Duration::minutes(self.rng.gen_range(10..60));
            if at < self.now {
                self.push(plan, Step::Review, at, false, None);
                self.planted.extra_step += 1;
            }
        }
        if let Some(ci) = complete_index {
            let done_at = self.events[ci].occurred_at;
            let staff = self.events[ci].staff_no.clone();
            if self.rng.gen_bool(0.93) {
                let at = done_at + Duration::seconds(self.rng.gen_range(20..300));
                if at < self.now {
                    let i = self.push(plan, Step::Evaluate, at, true, staff.as_deref());
                    let roll = self.rng.gen_range(0..100);
                    self.events[i].rating = Some(match roll {
                        0..75 => 5,
                        75..90 => 4,
                        90..95 => 3,
                        95..98 => 2,
                        _ => 1,
                    });
                }
            } else {
                self.planted.not_evaluated += 1;
            }
        }
        self.finish(first);
    }

    /// Supplementary material: request at the window, received some working days later, now and then
    /// a second time (repeated_supplement). Returns the day handling resumes.
    fn supplement(&mut self, plan: &CasePlan<'_>, from: NaiveDate, staff: &str) -> NaiveDate {
        self.planted.supplements += 1;
        let rounds = if self.rng.gen_bool(0.2) { 2 } else { 1 };
        let wait = self.rng.gen_range(0..=1);
        let mut day = self.working_day_after(from, wait);
        for round in 0..rounds {
            let at = office_time(&mut self.rng, day);
            if at > self.now {
                return day;
            }
            let i = self.push(plan, Step::SupplementRequest, at, true, Some(staff));
            self.document(i, Document::MissingDocsNotice, 0.06);
            if round == 1 {
                self.planted.repeated_supplement += 1;
            }
            let wait = self.rng.gen_range(1..=4);
            day = self.working_day_after(day, wait);
            let at = office_time(&mut self.rng, day);
            if at > self.now {
                return day;
            }
            self.push(plan, Step::SupplementReceived, at, false, None);
        }
        day
    }

    /// A special procedure (hearing, inspection, expert review): suspend, resume some days later.
    fn special_procedure(&mut self, plan: &CasePlan<'_>, from: NaiveDate) -> NaiveDate {
        let Some(reason) = plan.special else {
            return from;
        };
        self.planted.special_procedures += 1;
        let wait = self.rng.gen_range(1..=2);
        let day = self.working_day_after(from, wait);
        let at = office_time(&mut self.rng, day);
        if at > self.now {
            return day;
        }
        let i = self.push(plan, Step::Suspend, at, false, None);
        self.events[i].reason = Some(reason);
        let duration = self.rng.gen_range(2..=7);
        let resume = self.working_day_after(day, duration);
        let at = office_time(&mut self.rng, resume);
        if at <= self.now {
            self.push(plan, Step::Resume, at, false, None);
        }
        resume
    }

    /// Marks one event of the case as entered late (late_entry), 1% of cases.
    fn finish(&mut self, first: usize) {
        if self.events.len() > first && self.rng.gen_bool(0.01) {
            let index = self.rng.gen_range(first..self.events.len());
            let e = &mut self.events[index];
            let lag = Duration::hours(self.rng.gen_range(26..80));
            if e.occurred_at + lag <= self.now {
                e.recorded_at = e.occurred_at + lag;
                self.planted.late_entry += 1;
            }
        }
    }
}

/// Generates the demo for `seed` with history up to `now`.
pub fn generate(seed: u64, now: DateTime<Utc>, rules: &RuleBook) -> DemoData {
    let calendar = &rules.calendar;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let today = time::local_date(now);
    let start = today - Duration::days(HISTORY_DAYS);

    // The hall, its departments, windows and cameras.
    let hall = Hall {
        code: HALL_CODE.into(),
        name: "四平市政务服务中心".into(),
        address: "吉林省四平市铁西区英雄大街1999号".into(),
        level: HallLevel::City,
    };
    let mut departments = Vec::new();
    let mut windows = Vec::new();
    let mut cameras = Vec::new();
    let mut items = Vec::new();
    let mut staff = Vec::new();
    let mut window_staff: BTreeMap<&str, [String; 2]> = BTreeMap::new();
    let mut camera_no = 0;
    for d in DEPARTMENTS {
        departments.push(Department {
            name: d.name.into(),
            short_name: d.short.into(),
            head: d.head.into(),
            phone: d.phone.into(),
        });
        for w in d.windows {
            windows.push(Window {
                hall_code: HALL_CODE.into(),
                code: (*w).into(),
                name: format!("{w} {}窗口", d.short),
                department: Some(d.name.into()),
            });
            camera_no += 1;
            cameras.push(NewCamera {
                name: format!("{w} {}", d.short),
                window_code: Some((*w).into()),
                main_url: format!("rtsp://127.0.0.1:{SIM_RTSP_PORT}/cam/{camera_no}"),
                sub_url: Some(format!("rtsp://127.0.0.1:{SIM_RTSP_PORT}/cam/{camera_no}/sub")),
            });
            let mut pair: [String; 2] = Default::default();
            for slot in &mut pair {
                let n = staff.len() + 1;
                let staff_no = format!("S{n:04}");
                staff.push(Staff {
                    staff_no: staff_no.clone(),
                    name: person_name(&mut rng),
                    department: Some(d.name.into()),
                    window: Some((*w).into()),
                    device_user_id: Some(format!("{}", 100 + n)),
                });
                *slot = staff_no;
            }
            window_staff.insert(w, pair);
        }
        for spec in d.items {
            items.push(parse_item(d.name, spec));
        }
    }
    // A lobby camera not tied to a window.
    camera_no += 1;
    cameras.push(NewCamera {
        name: "大厅全景".into(),
        window_code: None,
        main_url: format!("rtsp://127.0.0.1:{SIM_RTSP_PORT}/cam/{camera_no}"),
        sub_url: Some(format!("rtsp://127.0.0.1:{SIM_RTSP_PORT}/cam/{camera_no}/sub")),
    });
    let setup = HallSetup { hall, departments, windows, cameras };

    // Cases.
    let mut generator = Generator {
        rng: ChaCha8Rng::seed_from_u64(rng.next_u64()),
        calendar,
        now,
        events: Vec::new(),
        planted: Planted::default(),
    };
    let mut cases = 0u32;
    let mut day = start;
    while day <= today {
        if calendar.is_working_day(day) {
            let mut seq = 0;
            for d in DEPARTMENTS {
                let d_items: Vec<&CatalogueItem> = items.iter().filter(|i| i.department == d.name).collect();
                for w in d.windows {
                    let n = generator.rng.gen_range(d.load.0..=d.load.1);
                    for _ in 0..n {
                        seq += 1;
                        let Some(item) = d_items.choose(&mut generator.rng).copied() else {
                            continue;
                        };
                        let special = d.items.iter().find(|s| s.code == item.code).and_then(|s| s.special);
                        let pair = &window_staff[w];
                        let plan = CasePlan {
                            case_no: format!("SP{}{seq:03}", day.format("%Y%m%d")),
                            item,
                            special,
                            window: w,
                            staff: [pair[0].as_str(), pair[1].as_str()],
                            applicant: applicant(&mut generator.rng, d.name),
                        };
                        let before = generator.events.len();
                        generator.case(&plan, day);
                        if generator.events.len() > before {
                            cases += 1;
                        }
                    }
                }
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    let Generator { events, mut planted, .. } = generator;

    // Attendance: four punches a working day, a few habitual late-comers, leave now and then.
    let mut punches = Vec::new();
    let mut leave = Vec::new();
    let mut habitual: Vec<usize> = (0..staff.len()).collect();
    habitual.shuffle(&mut rng);
    habitual.truncate(4);
    let mut day = start;
    while day <= today {
        if calendar.is_working_day(day) {
            for (index, person) in staff.iter().enumerate() {
                let device_id = person.device_user_id.clone().unwrap_or_default();
                // Punches and leave follow the hall's working hours of the day (the summer hours too).
                let hours = rules.attendance.schedule(Some(HALL_CODE), day);
                let (m, a) = (hours.morning, hours.afternoon);
                if rng.gen_bool(0.02) {
                    let kind = if rng.gen_bool(0.6) { LeaveKind::Leave } else { LeaveKind::Business };
                    let whole_day = rng.gen_bool(0.5);
                    let from = if whole_day { m.start } else { a.start };
                    leave.push(Leave {
                        staff_no: person.staff_no.clone(),
                        start: day.and_time(from),
                        end: day.and_time(a.end),
                        kind,
                    });
                    if whole_day {
                        continue;
                    }
                }
                let late_chance = if habitual.contains(&index) { 0.2 } else { 0.02 };
                let mut times: Vec<NaiveDateTime> = Vec::new();
                let at = |t: chrono::NaiveTime| day.and_time(t);
                let secs = |n: i64| Duration::seconds(n);
                let morning_in = if rng.gen_bool(late_chance) {
                    let minutes = if rng.gen_bool(0.1) { rng.gen_range(30..50) } else { rng.gen_range(1..25) };
                    at(m.start) + Duration::minutes(minutes) + secs(rng.gen_range(0..60))
                } else {
                    at(m.start) - Duration::minutes(25) + secs(rng.gen_range(0..25 * 60))
                };
                times.push(morning_in);
                times.push(at(m.end) + secs(rng.gen_range(0..15 * 60)));
                let afternoon_in = if rng.gen_bool(late_chance / 2.0) {
                    at(a.start) + Duration::minutes(rng.gen_range(1..20))
                } else {
                    at(a.start) - Duration::minutes(25) + secs(rng.gen_range(0..25 * 60))
                };
                times.push(afternoon_in);
                let afternoon_out = if rng.gen_bool(0.01) {
                    at(a.end) - Duration::minutes(30) + secs(rng.gen_range(0..29 * 60))
                } else {
                    at(a.end) + secs(rng.gen_range(0..20 * 60))
                };
                times.push(afternoon_out);
                if rng.gen_bool(0.008) {
                    let drop = rng.gen_range(0..times.len());
                    times.remove(drop);
                }
                if rng.gen_bool(0.01) {
                    // Pressed twice.
                    times.push(times[0] + Duration::seconds(rng.gen_range(2..9)));
                }
                for t in times {
                    if time::from_local(t) <= now {
                        punches.push(PunchRecord {
                            person: device_id.clone(),
                            by_device_user: true,
                            time: t,
                            device: None,
                        });
                    }
                }
            }
            // The cleaner and a visitor are enrolled on the machine too; the import skips them.
            for unknown in ["901", "902"] {
                let t = day.and_hms_opt(7, rng.gen_range(30..59), rng.gen_range(0..59)).unwrap_or_default();
                if time::from_local(t) <= now {
                    punches.push(PunchRecord { person: unknown.into(), by_device_user: true, time: t, device: None });
                }
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    punches.sort_by(|a, b| a.time.cmp(&b.time).then(a.person.cmp(&b.person)));

    // Standalone evaluator records: two suspicious bursts at A05 on the last working day before today.
    let mut evaluations = Vec::new();
    let burst_day = calendar.previous_working_day(today).map_or(today, |r| r.value);
    for (h, m, s) in [(10, 12, 5), (10, 12, 21), (10, 12, 40), (15, 41, 2), (15, 41, 19), (15, 41, 33), (15, 41, 50)] {
        evaluations.push(Evaluation {
            window: "A05".into(),
            time: burst_day.and_hms_opt(h, m, s).unwrap_or_default(),
            rating: 5,
            case_no: None,
        });
    }
    planted.evaluator_bursts = 2;

    // Complaints: phoned in, online and in person.
    let complaints = demo_complaints(&events, today, calendar);

    let mut salts = Vec::new();
    for _ in DEMO_USERS {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        salts.push(salt);
    }

    DemoData { now, setup, items, staff, events, punches, leave, evaluations, complaints, planted, cases, salts }
}

pub(super) fn demo_complaints(events: &[CaseEvent], today: NaiveDate, calendar: &Calendar) -> Vec<NewComplaint> {
    // The most recent Tuesday before today that was a working day.
    let mut tuesday = today - Duration::days(1);
    for _ in 0..21 {
        if tuesday.weekday() == Weekday::Tue && calendar.is_working_day(tuesday) {
            break;
        }
        tuesday -= Duration::days(1);
    }
    let case_at = |window: &str, date: NaiveDate| {
        events
            .iter()
            .filter(|e| {
                e.step == Step::Accept && e.window.as_deref() == Some(window) && time::local_date(e.occurred_at) == date
            })
            .min_by_key(|e| {
                (time::local_datetime(e.occurred_at).time()
                    - NaiveTime::from_hms_opt(10, 40, 0).unwrap_or(NaiveTime::MIN))
                .num_seconds()
                .abs()
            })
            .map(|e| (e.case_no.clone(), e.staff_no.clone()))
    };
    let (b07_case, b07_staff) = case_at("B07", tuesday).map_or((None, None), |(c, s)| (Some(c), s));
    let older = today - Duration::days(12);
    let b02 = events
        .iter()
        .rfind(|e| {
            e.step == Step::SupplementRequest
                && e.window.as_deref() == Some("B02")
                && time::local_date(e.occurred_at) <= older
        })
        .map(|e| e.case_no.clone());
    let mut list = vec![
        NewComplaint {
            received_at: time::from_local(tuesday.and_hms_opt(15, 20, 0).unwrap_or_default()),
            channel: ComplaintChannel::Phone,
            complainant: "刘女士".into(),
            contact: "139****2716".into(),
            content: "上午10点40分左右在B07窗口办理契税申报，工作人员态度生硬、不耐烦，问两句就让去旁边看公示。".into(),
            case_no: b07_case,
            hall_code: Some(HALL_CODE.into()),
            window_code: Some("B07".into()),
            staff_no: b07_staff,
            department: None,
        },
        NewComplaint {
            received_at: time::from_local((today - Duration::days(9)).and_hms_opt(9, 5, 0).unwrap_or_default()),
            channel: ComplaintChannel::Online,
            complainant: "王先生".into(),
            contact: "wang***@163.com".into(),
            content: "办理房屋转移登记，B02窗口两次让补材料，每次只说一部分，来回跑了三趟。".into(),
            case_no: b02,
            hall_code: Some(HALL_CODE.into()),
            window_code: Some("B02".into()),
            staff_no: None,
            department: None,
        },
        NewComplaint {
            received_at: time::from_local((today - Duration::days(20)).and_hms_opt(14, 30, 0).unwrap_or_default()),
            channel: ComplaintChannel::InPerson,
            complainant: "赵先生".into(),
            contact: "138****0455".into(),
            content: "出入境窗口只开一个，排队等候一个半小时。".into(),
            case_no: None,
            hall_code: Some(HALL_CODE.into()),
            window_code: Some("A04".into()),
            staff_no: None,
            department: None,
        },
        NewComplaint {
            received_at: time::from_local((today - Duration::days(3)).and_hms_opt(16, 10, 0).unwrap_or_default()),
            channel: ComplaintChannel::Online,
            complainant: "匿名".into(),
            contact: String::new(),
            content: "A05窗口工作人员在申请人离开后自己按评价器“非常满意”。".into(),
            case_no: None,
            hall_code: Some(HALL_CODE.into()),
            window_code: Some("A05".into()),
            staff_no: None,
            department: None,
        },
    ];
    list.sort_by_key(|c| c.received_at);
    list
}

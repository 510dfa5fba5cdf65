//! Cases, the calendar, alerts and the daily check.

use super::*;

pub(super) fn cases(ctx: &Ctx, cmd: CasesCommand) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    match cmd {
        CasesCommand::List { department, window, text, limit, format } => {
            let list = store.cases(&session, &CaseQuery { department, window, text, limit, ..CaseQuery::default() })?;
            if format == Format::Json {
                print_json(&list)?;
            } else {
                for c in list {
                    println!(
                        "{:<16} {:<8} {:<10} {:<6} {}  {}",
                        c.case_no,
                        c.item_code,
                        c.status.label_zh(),
                        c.window.unwrap_or_default(),
                        c.accepted_at.map(time::format_local_minutes).unwrap_or_default(),
                        c.item_name
                    );
                }
            }
        }
        CasesCommand::Show { case_no, format } => {
            let events = store.case_events(&session, &case_no)?;
            if format == Format::Json {
                print_json(&events)?;
            } else {
                for e in events {
                    println!(
                        "{}  {:<8} {:<5} {:<6} recorded {}",
                        time::format_local(e.occurred_at),
                        e.step.label_zh(),
                        e.window.unwrap_or_default(),
                        e.staff_no.unwrap_or_default(),
                        time::format_local(e.recorded_at)
                    );
                }
            }
        }
    }
    Ok(())
}

pub(super) fn calendar(ctx: &Ctx, data_dir: &Path, cmd: CalendarCommand) -> Result<(), Failure> {
    let settings = Settings::load(data_dir)?;
    let mut cal = settings::calendar(data_dir, &settings)?;
    // The years an administrator entered in the hall's database count here too.
    if ctx.backend.is_none() && data_dir.join(crate::store::sqlite::DB_FILE).exists() {
        cal = open_store(data_dir, false, ctx.clock.clone())?.rule_book().calendar.clone();
    }
    match cmd {
        CalendarCommand::Days { from, to } => {
            let mut missing = std::collections::BTreeSet::new();
            let mut day = from;
            while day <= to {
                let info = cal.day(day);
                if !cal.is_year_known(chrono::Datelike::year(&day)) {
                    missing.insert(chrono::Datelike::year(&day));
                }
                let kind = match info.kind {
                    DayKind::Weekday => "工作日",
                    DayKind::Weekend => "周末",
                    DayKind::Holiday => "节假日",
                    DayKind::MakeUpWorkday => "调休上班",
                    DayKind::LocalClosure => "本地闭厅",
                    DayKind::LocalWorkday => "本地上班",
                };
                println!("{day} {}  {kind} {}", day.format("%a"), info.name.unwrap_or_default());
                let Some(next) = day.succ_opt() else { break };
                day = next;
            }
            if let Some(w) = missing_years_warning(&missing) {
                eprintln!("warning: {w}");
            }
        }
        CalendarCommand::Set { year, file } => calendar_set(ctx, year, &file)?,
        CalendarCommand::Show { year, format } => calendar_show(ctx, year, format)?,
        CalendarCommand::Deadline { accepted, days } => {
            let d = cal.deadline(accepted, days, &[])?;
            println!("{}", d.day);
            println!("{}", d.explain_zh());
            if let Some(w) = missing_years_warning(&d.missing_years) {
                eprintln!("warning: {w}");
            }
        }
    }
    Ok(())
}

pub(super) fn alerts(ctx: &Ctx, at: Option<DateTime<Utc>>, all: bool, format: AlertFormat) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    if at.is_none() && session.role.allows(crate::domain::access::Permission::RefreshAlerts) {
        store.refresh_alerts(&session)?;
    }
    let rows = store.alerts(&session, &AlertQuery { include_inactive: all, at, ..AlertQuery::default() })?;
    match format {
        AlertFormat::Json => print_json(&rows)?,
        AlertFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            w.write_record([
                "case_no",
                "rule",
                "level",
                "since",
                "state",
                "resolved_at",
                "department",
                "window",
                "staff_no",
                "explanation",
            ])?;
            for a in &rows {
                w.write_record([
                    a.case_no.as_str(),
                    a.rule.as_str(),
                    a.level.as_str(),
                    &time::to_local_rfc3339(a.since),
                    a.state.as_str(),
                    &a.resolved_at.map(time::to_local_rfc3339).unwrap_or_default(),
                    &a.department,
                    a.window.as_deref().unwrap_or(""),
                    a.staff_no.as_deref().unwrap_or(""),
                    &a.explanation,
                ])?;
            }
            w.flush()?;
        }
        AlertFormat::Table => {
            for a in &rows {
                println!(
                    "{:<2} {:<16} {:<12} {:<18} {}  {:<6} {}",
                    a.level.label_zh(),
                    a.case_no,
                    a.rule.label_zh(),
                    a.department,
                    time::format_local_minutes(a.since),
                    a.state.label_zh(),
                    a.explanation
                );
            }
            let count = |l| rows.iter().filter(|a| a.level == l && a.state == crate::store::AlertState::Open).count();
            use crate::domain::alerts::Level;
            eprintln!(
                "open: {} red, {} orange, {} yellow",
                count(Level::Red),
                count(Level::Orange),
                count(Level::Yellow)
            );
        }
    }
    Ok(())
}

pub(super) fn check_daily(
    ctx: &Ctx,
    date: Option<NaiveDate>,
    pdf: Option<&Path>,
    format: Format,
) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let day = date.unwrap_or_else(|| time::local_date(ctx.clock.now()));
    let (record, data) = crate::report::daily::run(&*store, &session, &ctx.data_dir, day)?;
    if let Some(path) = pdf {
        let hall = store.directory(&session)?.home_hall_name();
        crate::report::write_pdf(path, &crate::report::documents::daily_sheet(&hall, &data, &record.checked_by))
            .map_err(anyhow::Error::msg)?;
        eprintln!("wrote {}", path.display());
    }
    if format == Format::Json {
        print_json(&record)?;
    } else {
        println!(
            "{day} 数据检查完成 (checked): {} open alerts ({} red, {} orange, {} yellow), {} new that day",
            record.open_alerts, record.red, record.orange, record.yellow, record.new_alerts
        );
        println!("  report {} (sha256 {})", ctx.data_dir.join(&record.report_path).display(), record.report_sha256);
        if let Some(w) = data.calendar_warning {
            eprintln!("warning: {w}");
        }
    }
    Ok(())
}

/// `calendar set YEAR FILE`: the file is read and checked here, the year stored by the store.
pub(super) fn calendar_set(ctx: &Ctx, year: i32, file: &Path) -> Result<(), Failure> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let schedule = crate::domain::calendar::YearSchedule::from_year_file(&name, &text)?;
    if schedule.year != year {
        return Err(anyhow::anyhow!("{name}: year: the file is for {}, not {year}", schedule.year).into());
    }
    schedule.check().map_err(|(field, message)| anyhow::anyhow!("{name}: {field}: {message}"))?;
    let (store, session) = connect(ctx, false)?;
    let view = store.set_calendar_year(&session, &schedule)?;
    let holidays = schedule.holidays();
    println!(
        "{year} 年工作日历已录入 (entered): {} 个节日、{} 天；已重新计算 {} 件在办件 (open cases recomputed)",
        holidays.len(),
        schedule.days.len(),
        view.recomputed
    );
    Ok(())
}

/// `calendar show YEAR`.
pub(super) fn calendar_show(ctx: &Ctx, year: i32, format: Format) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let view = store.calendar_year(&session, year)?;
    if format == Format::Json {
        return print_json(&view);
    }
    let source = match view.source {
        crate::store::CalendarSource::Entered => format!(
            "系统管理录入 (entered by {} at {})",
            view.entered_by.as_deref().unwrap_or("?"),
            view.entered_at.map(time::format_local).unwrap_or_default()
        ),
        crate::store::CalendarSource::BuiltIn => "内置国务院数据 (built-in official data)".to_owned(),
        crate::store::CalendarSource::Missing => "无数据，按周一至周五计算 (no data: Monday–Friday assumed)".to_owned(),
    };
    println!("{year} 年工作日历 (calendar): {source}");
    if let Some(s) = &view.schedule {
        if !s.notice.trim().is_empty() {
            println!("依据 (notice): {}", s.notice);
        }
        for h in s.holidays() {
            let dates =
                |list: &[NaiveDate]| list.iter().map(|d| d.format("%m-%d").to_string()).collect::<Vec<_>>().join(" ");
            let make_up =
                if h.make_up.is_empty() { String::new() } else { format!("；调休上班 {}", dates(&h.make_up)) };
            println!("{}：放假 {}（{} 天）{make_up}", h.name, dates(&h.off), h.off.len());
        }
    }
    if let Some(w) = missing_years_warning(&view.missing_years.iter().copied().collect()) {
        eprintln!("warning: {w}");
    }
    Ok(())
}

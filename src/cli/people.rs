//! Attendance rankings and the evaluator check.

use super::*;

pub(super) fn attendance_rank(
    ctx: &Ctx,
    period: NaiveDate,
    format: AlertFormat,
    pdf: Option<&Path>,
    notices: Option<&Path>,
) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let result = store.attendance(&session, period)?;
    let r = &result.ranking;
    let hall = store.directory(&session)?.home_hall_name();
    if let Some(path) = pdf {
        let sheet =
            crate::report::attendance::ranking_sheet(&hall, r, ctx.clock.now(), result.calendar_warning.as_deref());
        let sha = crate::report::write_pdf(path, &sheet).map_err(|e| anyhow::anyhow!(e))?;
        eprintln!("wrote {} (sha256 {sha})", path.display());
    }
    if let Some(path) = notices {
        let sheet = crate::report::attendance::interview_notices(&hall, r, ctx.clock.now());
        let sha = crate::report::write_pdf(path, &sheet).map_err(|e| anyhow::anyhow!(e))?;
        eprintln!("wrote {} (sha256 {sha})", path.display());
    }
    match format {
        AlertFormat::Json => print_json(r)?,
        AlertFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            w.write_record([
                "rank",
                "staff_no",
                "name",
                "department",
                "late",
                "early",
                "absent",
                "absence_rank",
                "interview",
            ])?;
            for s in &r.staff {
                w.write_record([
                    s.rank.map(|x| x.to_string()).unwrap_or_default(),
                    s.staff_no.clone(),
                    s.name.clone(),
                    s.department.clone(),
                    s.late.to_string(),
                    s.early.to_string(),
                    s.absent.to_string(),
                    s.absence_rank.map(|x| x.to_string()).unwrap_or_default(),
                    s.interview.to_string(),
                ])?;
            }
            w.flush()?;
        }
        AlertFormat::Table => {
            println!("考勤排名 {} – {}", r.period_start, r.period_end);
            println!(
                "{:>4}  {:<6} {:<6} {:<18} {:>4} {:>4} {:>6}",
                "名次", "工号", "姓名", "部门", "迟到", "早退", "旷工(半天)"
            );
            for s in &r.staff {
                println!(
                    "{:>4}  {:<6} {:<6} {:<18} {:>4} {:>4} {:>6} {}",
                    s.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                    s.staff_no,
                    s.name,
                    s.department,
                    s.late,
                    s.early,
                    s.absent,
                    if s.interview { "约谈" } else { "" }
                );
            }
            println!("部门:");
            for d in &r.departments {
                println!(
                    "{:>4}  {:<20} 迟到 {} 早退 {} 旷工 {}",
                    d.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                    d.department,
                    d.late,
                    d.early,
                    d.absent
                );
            }
            if let Some(w) = &result.calendar_warning {
                eprintln!("warning: {w}");
            }
        }
    }
    Ok(())
}

pub(super) fn evaluator_check(ctx: &Ctx, date: NaiveDate, format: Format) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let check = store.evaluator_check(&session, date)?;
    if format == Format::Json {
        print_json(&check)?;
    } else {
        println!("评价器检查 {date}");
        for u in &check.usage {
            println!(
                "  {:<5} 办结 {:>3}  已评价 {:>3}  使用率 {}{}",
                u.window,
                u.completed,
                u.evaluated,
                u.rate.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| "—".into()),
                if u.below_minimum { "  低于标准" } else { "" }
            );
        }
        for a in &check.anomalies {
            println!("  异常 {} {} {}: {}", a.window, time::format_local(a.at), a.kind.label_zh(), a.explanation);
        }
        println!("  差评 {} 条", check.poor_ratings.len());
    }
    Ok(())
}

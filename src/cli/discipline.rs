//! `jiancha slips` (提示单 of a week as PDFs plus an index), `jiancha print`, `jiancha observe`,
//! `jiancha complaints`, `jiancha violations`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

use super::{Ctx, Failure, Format, connect, print_json};
use crate::domain::accountability::{Measure, Subject, ViolationSource};
use crate::domain::discipline::{ObservationSource, Week};
use crate::domain::time;
use crate::report;
use crate::store::{ComplaintStep, NewObservation, NewViolation, Store};

#[derive(Debug, Args)]
pub struct SlipsArgs {
    /// The week, `YYYY-Www` (ISO, Monday–Sunday); default the last complete week.
    #[arg(long)]
    pub week: Option<Week>,
    /// Write one PDF per department plus index.pdf here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only list and write the slips already issued; do not issue missing ones.
    #[arg(long)]
    pub no_issue: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(subcommand)]
    pub action: Option<SlipAction>,
}

#[derive(Debug, Subcommand)]
pub enum SlipAction {
    /// Record the department's signed receipt (回执) of slip ID.
    Receipt {
        id: i64,
        /// Who signed it for the department.
        #[arg(long)]
        by: String,
    },
    /// Cancel slip ID (作废); it keeps its number.
    Cancel {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

pub fn slips(ctx: &Ctx, args: SlipsArgs) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let now = ctx.clock.now();
    match args.action {
        Some(SlipAction::Receipt { id, by }) => {
            let slip = store.record_slip_receipt(&session, id, &by)?;
            println!("{} {} 回执已登记 (receipt recorded): {by}", slip.number_text(), slip.department_name);
            return Ok(());
        }
        Some(SlipAction::Cancel { id, reason }) => {
            let slip = store.cancel_slip(&session, id, &reason)?;
            println!("{} {} 已作废 (cancelled; the number stays used)", slip.number_text(), slip.department_name);
            return Ok(());
        }
        None => {}
    }
    let week = args.week.unwrap_or_else(|| Week::last_complete(time::local_date(now)));
    let slips = if args.no_issue { store.slips(&session, Some(week))? } else { store.issue_slips(&session, week)? };
    if args.format == Format::Json {
        print_json(&slips)?;
    } else {
        println!("{}  {} 份提示单 (slips)", week.label_zh(), slips.len());
        for s in &slips {
            println!(
                "{:>5}  {:<14} {:<12} {:>2} 项  {}  反馈期限 {}",
                s.id,
                s.number_text(),
                s.department_name,
                s.findings.len(),
                s.status.label_zh(),
                s.reply_due
            );
        }
    }
    if let Some(out) = args.out {
        let hall = slips.first().map(|s| s.hall_name.clone()).unwrap_or_else(|| hall_name(&*store, &session));
        let written =
            report::documents::write_week_slips(&out, &hall, week, &slips, now).map_err(anyhow::Error::msg)?;
        for p in &written {
            eprintln!("wrote {}", p.display());
        }
    }
    Ok(())
}

fn hall_name(store: &dyn Store, session: &crate::store::Session) -> String {
    store.directory(session).map(|d| d.home_hall_name()).unwrap_or_default()
}

/// `jiancha print FILE [--printer NAME] [--dry-run]`.
pub fn print(file: &Path, printer: Option<&str>, dry_run: bool) -> Result<(), Failure> {
    if !file.is_file() {
        return Err(anyhow::anyhow!("{}: no such file", file.display()).into());
    }
    if dry_run {
        println!("{}", report::print::command(file, printer).join(" "));
        return Ok(());
    }
    let said = report::print::print(file, printer).map_err(anyhow::Error::msg)?;
    println!("{said}");
    Ok(())
}

#[derive(Debug, Args)]
pub struct ObserveArgs {
    /// A category of RULES.md (离岗, 串岗, 玩手机/做与工作无关的事, 吃东西, …).
    #[arg(long)]
    pub category: String,
    #[arg(long, value_parser = super::footage::parse_time)]
    pub at: DateTime<Utc>,
    #[arg(long)]
    pub window: Option<String>,
    #[arg(long)]
    pub staff: Option<String>,
    #[arg(long)]
    pub department: Option<String>,
    #[arg(long)]
    pub camera: Option<i64>,
    #[arg(long, default_value = "")]
    pub note: String,
}

pub fn observe(ctx: &Ctx, args: ObserveArgs) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let o = store.add_observation(
        &session,
        &NewObservation {
            observed_at: args.at,
            category: args.category,
            source: ObservationSource::Manual,
            camera_id: args.camera,
            window_code: args.window,
            staff_no: args.staff,
            department: args.department,
            evidence_id: None,
            clip: None,
            note: args.note,
        },
    )?;
    println!("{}", o.id);
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum ComplaintsCommand {
    /// The complaints with their state and due day.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    Accept {
        no: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    Decline {
        no: String,
        #[arg(long)]
        reason: String,
    },
    Investigate {
        no: String,
    },
    Conclude {
        no: String,
        #[arg(long)]
        conclusion: String,
        /// The reply to the complainant.
        #[arg(long)]
        reply: String,
    },
}

pub fn complaints(ctx: &Ctx, cmd: ComplaintsCommand) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let (no, step) = match cmd {
        ComplaintsCommand::List { format } => {
            let list = store.complaints(&session)?;
            if format == Format::Json {
                return print_json(&list);
            }
            for c in &list {
                println!(
                    "{}  {}  {:<6} {:<8} 期限 {}  {}",
                    c.complaint_no,
                    time::format_local(c.received_at),
                    c.channel.label_zh(),
                    c.status.label_zh(),
                    c.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                    c.content.chars().take(30).collect::<String>()
                );
            }
            return Ok(());
        }
        ComplaintsCommand::Accept { no, note } => (no, ComplaintStep::Accept { note }),
        ComplaintsCommand::Decline { no, reason } => (no, ComplaintStep::Decline { reason }),
        ComplaintsCommand::Investigate { no } => (no, ComplaintStep::Investigate),
        ComplaintsCommand::Conclude { no, conclusion, reply } => (no, ComplaintStep::Conclude { conclusion, reply }),
    };
    let c = store.advance_complaint(&session, &no, &step)?;
    println!("{} {}", c.complaint_no, c.status.label_zh());
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum ViolationsCommand {
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Record a violation; prints its id.
    Record {
        /// 11(1)–11(10), 12(1)–12(6).
        #[arg(long)]
        item: String,
        /// A staff member (the subject); without it the department is the subject.
        #[arg(long)]
        staff: Option<String>,
        #[arg(long)]
        department: Option<String>,
        #[arg(long, value_parser = parse_source)]
        source: ViolationSource,
        #[arg(long, value_parser = super::footage::parse_time)]
        at: DateTime<Utc>,
        #[arg(long)]
        description: String,
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        complaint: Option<String>,
    },
    /// Apply measures of Art 13 (comma-separated: admonition, circular_criticism, … or 诫勉谈话 …).
    Decide {
        id: i64,
        #[arg(long, value_delimiter = ',', value_parser = parse_measure)]
        measures: Vec<Measure>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Departments under Art 12(6) now.
    Flags,
}

fn parse_source(s: &str) -> Result<ViolationSource, String> {
    s.parse()
}

fn parse_measure(s: &str) -> Result<Measure, String> {
    s.trim().parse()
}

pub fn violations(ctx: &Ctx, cmd: ViolationsCommand) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    match cmd {
        ViolationsCommand::List { format } => {
            let list = store.violations(&session)?;
            if format == Format::Json {
                return print_json(&list);
            }
            for v in &list {
                let measures: Vec<&str> =
                    v.decisions.iter().flat_map(|d| d.measures.iter().map(|m| m.label_zh())).collect();
                println!(
                    "{:>5}  {:<7} {:<10} {:<12} {}  {}  {}",
                    v.id,
                    v.item,
                    v.department,
                    v.staff_name.clone().unwrap_or_default(),
                    time::format_local(v.occurred_at),
                    v.description.chars().take(30).collect::<String>(),
                    measures.join("、")
                );
            }
        }
        ViolationsCommand::Record { item, staff, department, source, at, description, case, complaint } => {
            let v = store
                .record_violation(
                    &session,
                    &NewViolation {
                        item,
                        subject: if staff.is_some() { Subject::Staff } else { Subject::Department },
                        staff_no: staff,
                        department,
                        source,
                        occurred_at: at,
                        description,
                        case_no: case,
                        alert_id: None,
                        observation_id: None,
                        complaint_no: complaint,
                        evidence_id: None,
                    },
                )
                .context("recording the violation")?;
            println!("{}", v.id);
        }
        ViolationsCommand::Decide { id, measures, note } => {
            let outcome = store.decide_violation(&session, id, &measures, &note)?;
            println!("violation {id}: {}", measures.iter().map(|m| m.label_zh()).collect::<Vec<_>>().join("、"));
            if let Some(flag) = outcome.flag {
                println!(
                    "第十二条第（六）项：{} 一年内两次以上受到告诫 — recorded as violation {}",
                    flag.department, flag.id
                );
            }
        }
        ViolationsCommand::Flags => {
            for f in store.department_flags(&session)? {
                println!(
                    "{}  {} 次告诫  {}",
                    f.department,
                    f.warnings.len(),
                    f.violation_id.map(|v| format!("违规#{v}")).unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

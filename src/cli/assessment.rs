//! `jiancha assessment` (绩效评估): a month's ranking, publishing it, the public files for the hall's
//! website, a year's means, and supervision recommendations (监察建议书).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{Ctx, Failure, connect, print_json};
use crate::domain::assessment::{Grade, Hundredths, MonthAssessment, YearMonth, recommendation_facts};
use crate::domain::time;
use crate::report;
use crate::store::{NewRecommendation, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssessmentFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct AssessmentArgs {
    /// The month, `YYYY-MM`; default last month.
    #[arg(long)]
    pub month: Option<YearMonth>,
    /// `json` and `csv` print the published month as the website shows it (department figures only).
    #[arg(long, value_enum, default_value_t = AssessmentFormat::Table)]
    pub format: AssessmentFormat,
    /// Publish the month as computed now (chiefs): version 1, or a new version with `--reason`.
    #[arg(long)]
    pub publish: bool,
    /// Why a published month is computed again.
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Write the published month as JSON, CSV and the bulletin (通报) PDF into DIR.
    #[arg(long, value_name = "DIR")]
    pub publish_dir: Option<PathBuf>,
    /// Write the bulletin PDF of the month (published, else as computed now) to FILE.
    #[arg(long, value_name = "FILE")]
    pub bulletin: Option<PathBuf>,
    #[command(subcommand)]
    pub action: Option<AssessmentAction>,
}

#[derive(Debug, Subcommand)]
pub enum AssessmentAction {
    /// A year: each month's score, the quarters, halves and the year, grades per quarter.
    Year {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// Issue a 监察建议书 to a department (chiefs); the facts default to its month's assessment.
    Recommend {
        /// The department's name.
        #[arg(long)]
        department: String,
        /// The month it follows (for the facts); default last month.
        #[arg(long)]
        month: Option<YearMonth>,
        #[arg(long)]
        facts: Option<String>,
        #[arg(long)]
        recommendation: String,
        /// Write its PDF to FILE.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Every 监察建议书 with its state.
    Recommendations {
        #[arg(long)]
        json: bool,
    },
    /// Record that the department signed for recommendation ID.
    Receipt {
        id: i64,
        #[arg(long)]
        by: String,
    },
    /// Record the department's reply to recommendation ID.
    Reply {
        id: i64,
        #[arg(long)]
        text: String,
    },
}

fn hall_name(store: &dyn Store, session: &crate::store::Session) -> String {
    store.directory(session).map(|d| d.home_hall_name()).unwrap_or_default()
}

fn print_table(a: &MonthAssessment, state: &str) {
    println!("{} 绩效评估 (assessment) — {state}", a.month.label_zh());
    println!(
        "{:>4}  {:<16} {:>7}  {:<4} {:>5} {:>5} {:>4} {:>4}",
        "名次", "部门", "得分", "等次", "办件", "按期", "黄牌", "红牌"
    );
    for d in &a.departments {
        println!(
            "{:>4}  {:<16} {:>7}  {:<4} {:>5} {:>5} {:>4} {:>4}",
            d.rank.map_or_else(|| "—".into(), |r| r.to_string()),
            d.department,
            d.points().map_or_else(|| "无办件".into(), |s| format!("{s:.2}")),
            d.grade.map_or("—", Grade::label),
            d.figures.cases,
            d.figures.completed_on_time,
            d.figures.yellow_signals,
            d.figures.red_signals,
        );
    }
}

pub fn assessment(ctx: &Ctx, args: AssessmentArgs) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let now = ctx.clock.now();
    let last_month = YearMonth::of(time::local_date(now)).previous();
    if let Some(action) = args.action {
        return act(&*store, &session, action, last_month);
    }
    let month = args.month.unwrap_or(last_month);
    if args.publish {
        let p = store.publish_assessment(&session, month, &args.reason)?;
        eprintln!(
            "{} 已发布第{}版 (published, version {}; SHA-256 {})",
            month.label_zh(),
            p.version,
            p.version,
            p.sha256
        );
    }
    let view = store.assessment(&session, month)?;
    let newest = view.published.first();
    let hall = hall_name(&*store, &session);
    match args.format {
        AssessmentFormat::Table => {
            let state = newest.map_or_else(
                || "未发布，按当前数据计算 (not published; as the records stand now)".to_owned(),
                |p| format!("已发布第{}版 (published, version {})", p.version, p.version),
            );
            print_table(view.current(), &state);
        }
        AssessmentFormat::Json | AssessmentFormat::Csv => {
            let p = newest.ok_or_else(|| {
                anyhow::anyhow!(
                    "{} 尚未发布 ({month} is not published; a chief publishes it with --publish)",
                    month.label_zh()
                )
            })?;
            if args.format == AssessmentFormat::Json {
                println!("{}", report::assessment::public_json(&hall, p));
            } else {
                print!("{}", report::assessment::public_csv(&p.assessment));
            }
        }
    }
    if let Some(dir) = args.publish_dir {
        let p = newest.ok_or_else(|| anyhow::anyhow!("{} 尚未发布 ({month} is not published)", month.label_zh()))?;
        for path in report::assessment::write_public(&dir, &hall, p).map_err(anyhow::Error::msg)? {
            eprintln!("wrote {}", path.display());
        }
    }
    if let Some(file) = args.bulletin {
        let sheet = report::assessment::bulletin_sheet(&hall, view.current(), newest);
        let sha = report::write_pdf(&file, &sheet).map_err(anyhow::Error::msg)?;
        eprintln!("wrote {} (SHA-256 {sha})", file.display());
    }
    Ok(())
}

fn act(
    store: &dyn Store,
    session: &crate::store::Session,
    action: AssessmentAction,
    last_month: YearMonth,
) -> Result<(), Failure> {
    match action {
        AssessmentAction::Year { year, json } => {
            let y = store.assessment_year(session, year)?;
            if json {
                return print_json(&y);
            }
            let cell = |s: Option<Hundredths>| s.map_or_else(|| "—".into(), |s| s.to_string());
            println!("{year} 年度绩效评估 (year): 季度、半年、全年为各月平均");
            println!(
                "{:<16} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}  季度等次",
                "部门", "一季度", "二季度", "三季度", "四季度", "上半年", "下半年", "全年"
            );
            for d in &y.departments {
                let grades: Vec<&str> = d.quarter_grades.iter().map(|g| g.map_or("—", Grade::label)).collect();
                println!(
                    "{:<16} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}  {}",
                    d.department,
                    cell(d.quarters[0]),
                    cell(d.quarters[1]),
                    cell(d.quarters[2]),
                    cell(d.quarters[3]),
                    cell(d.halves[0]),
                    cell(d.halves[1]),
                    cell(d.year),
                    grades.join(" ")
                );
            }
        }
        AssessmentAction::Recommend { department, month, facts, recommendation, out } => {
            let month = month.unwrap_or(last_month);
            let view = store.assessment(session, month)?;
            let d = view
                .current()
                .departments
                .iter()
                .find(|d| d.department == department)
                .ok_or_else(|| anyhow::anyhow!("department `{department}` is not assessed in {month}"))?;
            let facts = facts.unwrap_or_else(|| recommendation_facts(d, month));
            let new = NewRecommendation {
                department_id: d.department_id,
                month: Some(month),
                facts,
                recommendation,
                hall: None,
            };
            let r = store.issue_recommendation(session, &new)?;
            println!(
                "{} → {} 监察建议书已签发 (issued); 回复期限 (reply by) {}",
                r.number_text(),
                r.department,
                r.reply_due
            );
            if let Some(out) = out {
                let sha = report::write_pdf(&out, &report::assessment::recommendation_sheet(&r))
                    .map_err(anyhow::Error::msg)?;
                eprintln!("wrote {} (SHA-256 {sha})", out.display());
            }
        }
        AssessmentAction::Recommendations { json } => {
            let list = store.recommendations(session)?;
            if json {
                return print_json(&list);
            }
            for r in &list {
                let state = match (r.reply_at, r.overdue) {
                    (Some(_), _) => "已回复",
                    (None, true) => "逾期未回复",
                    (None, false) if r.receipt_at.is_some() => "已签收",
                    _ => "已签发",
                };
                println!("{:>4}  {:<16} {:<14} 回复期限 {}  {state}", r.id, r.number_text(), r.department, r.reply_due);
            }
        }
        AssessmentAction::Receipt { id, by } => {
            let r = store.record_recommendation_receipt(session, id, &by)?;
            println!("{} {} 签收已登记 (receipt recorded): {by}", r.number_text(), r.department);
        }
        AssessmentAction::Reply { id, text } => {
            let r = store.record_recommendation_reply(session, id, &text)?;
            println!("{} {} 回复已登记 (reply recorded)", r.number_text(), r.department);
        }
    }
    Ok(())
}

//! The assessment's paper and public files: the monthly bulletin (通报: ranking, grades, the main problems
//! with numbers, the departments named for praise and for criticism), the supervision recommendation
//! (监察建议书) with its tear-off receipt, and the published month as JSON and CSV for the hall's website
//! (department-level figures only: no person, no record).
//!
//! Pure: store data in, sheets and text out; `write_public` writes the three files atomically.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use super::daily::inert;
use super::documents::date_zh;
use super::pdf::{Column, Sheet};
use crate::domain::assessment::{Category, Grade, Hundredths, MonthAssessment, Publication, Recommendation, YearMonth};
use crate::domain::time;
use crate::files::write_atomically;

fn percent(part: u32, whole: u32) -> String {
    if whole == 0 { "—".into() } else { format!("{:.1}%", f64::from(part) * 100.0 / f64::from(whole)) }
}

/// The bulletin's file name: `通报-2026-11-v1.pdf`.
pub fn bulletin_file_name(month: YearMonth, version: Option<u32>) -> String {
    match version {
        Some(v) => format!("通报-{month}-v{v}.pdf"),
        None => format!("通报-{month}-未发布.pdf"),
    }
}

/// A recommendation's file name: `监察建议书-2026-003-市税务局.pdf`.
pub fn recommendation_file_name(r: &Recommendation) -> String {
    let department: String =
        r.department.chars().filter(|c| !matches!(c, '/' | '\\' | '\0') && !c.is_control()).collect();
    format!("监察建议书-{}-{:03}-{department}.pdf", r.year, r.number)
}

/// The month's main problems, summed over the departments, each with its number; only those found.
pub fn problems(a: &MonthAssessment) -> Vec<String> {
    let sum = |f: fn(&crate::domain::assessment::MonthFigures) -> u32| -> u32 {
        a.departments.iter().map(|d| f(&d.figures)).sum()
    };
    let late = sum(|f| f.completed - f.completed_on_time.min(f.completed));
    let notices = sum(|f| f.notices - f.notices_answered_on_time.min(f.notices));
    let list = [
        (late, "超期办结", "件"),
        (sum(|f| f.step_overdue), "环节超时", "次"),
        (sum(|f| f.repeated_supplements), "多次补正", "件"),
        (sum(|f| f.late_entries), "体外循环嫌疑（补录超时）", "件"),
        (sum(|f| f.fee_mismatches), "违规收费或减免", "件"),
        (sum(|f| f.yellow_signals), "黄牌", "张"),
        (sum(|f| f.red_signals), "红牌", "张"),
        (notices, "督办通知未按期回复", "份"),
        (sum(|f| f.follow_ups_late), "差评回访整改不及时", "条"),
        (sum(|f| f.complaints_upheld), "投诉属实", "件"),
        (sum(|f| f.slip_findings), "视频发现的工作纪律问题", "项"),
        (sum(|f| f.attendance_marks), "迟到、早退、缺勤", "人次（半天）"),
        (sum(|f| f.violations), "违规行为", "起"),
    ];
    list.iter().filter(|(n, _, _)| *n > 0).map(|(n, what, unit)| format!("{what} {n} {unit}")).collect()
}

/// The monthly bulletin (通报).
pub fn bulletin_sheet(hall: &str, a: &MonthAssessment, publication: Option<&Publication>) -> Sheet {
    let version = publication.map(|p| p.version);
    let mut sheet = Sheet::new(&format!(
        "{hall} · 绩效评估通报 {}{}",
        a.month,
        version.map_or_else(|| "（未发布）".to_owned(), |v| format!(" 第{v}版"))
    ));
    sheet.title(&format!("{hall}电子监察绩效评估通报"), 19.0);
    let right = match publication {
        Some(p) => format!("第{}版 · 发布于{}", p.version, date_zh(time::local_date(p.published_at))),
        None => "未发布（计算结果，仅供参考）".into(),
    };
    sheet.line_pair(11.0, &a.month.label_zh(), &right);
    if let Some(p) = publication.filter(|p| p.version > 1) {
        sheet.line(0.0, 10.0, &format!("重新计算原因：{}", p.reason));
    }
    sheet.space(6.0);
    let scored: Vec<_> = a.departments.iter().filter(|d| d.score.is_some()).collect();
    let unscored: Vec<&str> =
        a.departments.iter().filter(|d| d.score.is_none()).map(|d| d.department.as_str()).collect();
    sheet.paragraph(
        11.0,
        &format!(
            "　　依据《四平市行政审批电子监察系统管理暂行办法》（四政办发〔2012〕37号），电子监察室根据电子监察系统记录的办件、预警、督办、评价、投诉、考勤和违规情况，对{}个部门{}的行政审批和政务服务工作进行了绩效评估（百分制，九项指标加权，黄牌、红牌扣分，提前办结加分）。现将结果通报如下。",
            scored.len(),
            a.month.label_zh()
        ),
    );
    sheet.space(4.0);
    sheet.line(0.0, 12.0, "一、排名与等次");
    let rows: Vec<Vec<String>> = scored
        .iter()
        .map(|d| {
            let s = d.score.as_ref();
            vec![
                d.rank.map_or_else(|| "—".into(), |r| r.to_string()),
                d.department.clone(),
                s.map_or_else(|| "—".into(), |s| format!("{:.2}", s.score)),
                d.grade.map_or("—", Grade::label).to_owned(),
                d.figures.cases.to_string(),
                percent(d.figures.completed_on_time, d.figures.completed),
                percent(d.figures.completed_early, d.figures.completed),
                d.figures.yellow_signals.to_string(),
                d.figures.red_signals.to_string(),
            ]
        })
        .collect();
    sheet.table(
        &[
            Column { header: "名次", share: 0.5 },
            Column { header: "部门", share: 2.0 },
            Column { header: "得分", share: 0.8 },
            Column { header: "等次", share: 0.7 },
            Column { header: "办件", share: 0.6 },
            Column { header: "按期办结率", share: 1.0 },
            Column { header: "提前办结率", share: 1.0 },
            Column { header: "黄牌", share: 0.5 },
            Column { header: "红牌", share: 0.5 },
        ],
        &rows,
        9.5,
    );
    if !unscored.is_empty() {
        sheet.paragraph(10.0, &format!("本月无办件、未参加排名的部门：{}。", unscored.join("、")));
    }
    // The city's bulletin ranks its halls too: each by the mean score of its departments.
    let halls = crate::domain::assessment::rank_halls(a);
    if halls.len() > 1 {
        sheet.space(2.0);
        sheet.line(0.0, 11.0, "各大厅排名（按所属部门平均得分；部门在其设有窗口的各大厅计入）");
        let rows: Vec<Vec<String>> = halls
            .iter()
            .map(|h| {
                vec![
                    h.rank.map_or_else(|| "—".into(), |r| r.to_string()),
                    h.name.clone(),
                    h.departments.to_string(),
                    h.mean.map_or_else(|| "—".into(), |m| format!("{m:.2}")),
                    h.grade.map_or("—", Grade::label).to_owned(),
                ]
            })
            .collect();
        sheet.table(
            &[
                Column { header: "名次", share: 0.5 },
                Column { header: "大厅", share: 2.6 },
                Column { header: "参评部门", share: 0.9 },
                Column { header: "平均得分", share: 0.9 },
                Column { header: "等次", share: 0.7 },
            ],
            &rows,
            9.5,
        );
    }
    let variants = a.settings.variants_zh();
    if !variants.is_empty() {
        sheet.paragraph(10.0, &format!("本月计分规则：{}。", variants.join("；")));
    }
    sheet.space(4.0);
    sheet.line(0.0, 12.0, "二、发现的主要问题");
    let found = problems(a);
    if found.is_empty() {
        sheet.paragraph(11.0, "　　本月电子监察未发现问题。");
    } else {
        sheet.paragraph(11.0, &format!("　　本月电子监察发现：{}。", found.join("；")));
    }
    // The categories that lost most across the hall.
    let mut lost: Vec<(Category, Hundredths)> = Vec::new();
    for d in &scored {
        for c in d.score.iter().flat_map(|s| &s.categories) {
            match lost.iter_mut().find(|(k, _)| *k == c.category) {
                Some((_, v)) => *v = *v + (c.weight - c.points),
                None => lost.push((c.category, c.weight - c.points)),
            }
        }
    }
    lost.retain(|(_, v)| v.is_positive());
    lost.sort_by_key(|l| std::cmp::Reverse(l.1));
    if !lost.is_empty() {
        let text: Vec<String> = lost.iter().take(3).map(|(c, v)| format!("{}（共失{:.2}分）", c.label(), v)).collect();
        sheet.paragraph(11.0, &format!("　　失分最多的指标：{}。", text.join("、")));
    }
    sheet.space(4.0);
    sheet.line(0.0, 12.0, "三、表扬与批评");
    let named = |grade: Grade| -> Vec<String> {
        scored.iter().filter(|d| d.grade == Some(grade)).map(|d| d.department.clone()).collect()
    };
    let praised = named(Grade::Excellent);
    sheet.paragraph(
        11.0,
        &if praised.is_empty() {
            "　　本月没有评为优秀等次的部门。".to_owned()
        } else {
            format!("　　以下部门评为优秀等次，予以通报表扬：{}。", praised.join("、"))
        },
    );
    let failed = named(Grade::Fail);
    sheet.paragraph(
        11.0,
        &if failed.is_empty() {
            "　　本月没有不合格等次的部门。".to_owned()
        } else {
            format!(
                "　　以下部门等次为不合格，予以通报批评，电子监察室将向其发出监察建议书，限期整改：{}。",
                failed.join("、")
            )
        },
    );
    sheet.space(14.0);
    sheet.line_pair(11.0, "", &format!("{hall}电子监察室"));
    let day = publication.map_or_else(|| time::local_date(a.computed_at), |p| time::local_date(p.published_at));
    sheet.line_pair(11.0, "", &date_zh(day));
    sheet
}

/// A 监察建议书 with its tear-off receipt.
pub fn recommendation_sheet(r: &Recommendation) -> Sheet {
    let mut sheet = Sheet::new(&format!("{} · 监察建议书 {}", r.hall_name, r.number_text()));
    sheet.title("监察建议书", 20.0);
    sheet.line_pair(11.0, &format!("{}电子监察室", r.hall_name), &r.number_text());
    sheet.space(6.0);
    sheet.line(0.0, 12.0, &format!("{}：", r.department));
    for line in r.facts.lines().filter(|l| !l.trim().is_empty()) {
        sheet.paragraph(11.0, &format!("　　{}", line.trim()));
    }
    sheet.space(4.0);
    sheet.line(0.0, 12.0, "监察建议：");
    for line in r.recommendation.lines().filter(|l| !l.trim().is_empty()) {
        sheet.paragraph(11.0, &format!("　　{}", line.trim()));
    }
    sheet.space(4.0);
    sheet.paragraph(
        11.0,
        &format!(
            "　　依据《四平市行政审批电子监察系统管理暂行办法》第十三条，请你单位认真研究整改，并于{}前将落实情况书面回复电子监察室。",
            date_zh(r.reply_due)
        ),
    );
    let receipt =
        format!("　　{}监察建议书已收到，我单位将认真整改，并于{}前书面回复。", r.number_text(), date_zh(r.reply_due));
    super::documents::signature_and_receipt(&mut sheet, &r.hall_name, time::local_date(r.issued_at), &receipt);
    sheet
}

/// One department as the website shows it.
#[derive(Debug, Serialize)]
struct PublicDepartment<'a> {
    rank: Option<u32>,
    department: &'a str,
    score: Option<Hundredths>,
    grade: Option<&'static str>,
    categories: Vec<(&'static str, Hundredths, Hundredths)>,
    signal_deduction: Option<Hundredths>,
    early_bonus: Option<Hundredths>,
    completeness_deduction: Option<Hundredths>,
    promise_bonus: Option<Hundredths>,
    cases: u32,
    completed: u32,
    completed_on_time: u32,
    completed_early: u32,
    yellow_signals: u32,
    red_signals: u32,
}

#[derive(Debug, Serialize)]
struct PublicMonth<'a> {
    hall: &'a str,
    month: String,
    version: u32,
    published_on: NaiveDate,
    reason: &'a str,
    /// (category, weight) of the rules the month was scored with.
    weights: Vec<(&'static str, Hundredths)>,
    /// The city text's variants the month was scored with (empty: the default rules).
    variants: Vec<String>,
    departments: Vec<PublicDepartment<'a>>,
    problems: Vec<String>,
}

/// The published month as JSON for the website: department-level figures only (who published it,
/// staff, cases and records stay inside).
pub fn public_json(hall: &str, p: &Publication) -> String {
    let a = &p.assessment;
    let month = PublicMonth {
        hall,
        month: a.month.to_string(),
        version: p.version,
        published_on: time::local_date(p.published_at),
        reason: &p.reason,
        weights: a
            .departments
            .iter()
            .find_map(|d| d.score.as_ref())
            .map(|s| s.categories.iter().map(|c| (c.category.label(), c.weight)).collect())
            .unwrap_or_default(),
        departments: a
            .departments
            .iter()
            .map(|d| PublicDepartment {
                rank: d.rank,
                department: &d.department,
                score: d.points(),
                grade: d.grade.map(Grade::label),
                categories: d
                    .score
                    .iter()
                    .flat_map(|s| &s.categories)
                    .map(|c| (c.category.label(), c.weight, c.points))
                    .collect(),
                signal_deduction: d.score.as_ref().map(|s| s.signal_deduction),
                early_bonus: d.score.as_ref().map(|s| s.early_bonus),
                completeness_deduction: d.score.as_ref().map(|s| s.completeness_deduction),
                promise_bonus: d.score.as_ref().map(|s| s.promise_bonus),
                cases: d.figures.cases,
                completed: d.figures.completed,
                completed_on_time: d.figures.completed_on_time,
                completed_early: d.figures.completed_early,
                yellow_signals: d.figures.yellow_signals,
                red_signals: d.figures.red_signals,
            })
            .collect(),
        problems: problems(a),
        variants: a.settings.variants_zh(),
    };
    serde_json::to_string_pretty(&month).unwrap_or_default()
}

/// The published month as CSV (UTF-8 with BOM): one row per department.
pub fn public_csv(a: &MonthAssessment) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["名次", "部门", "得分", "等次"].iter().map(|s| (*s).to_owned()).collect();
    let labels: Vec<&str> = Category::ALL.iter().map(|c| c.label()).collect();
    header.extend(labels.iter().map(|l| (*l).to_owned()));
    header.extend(
        ["黄牌红牌扣分", "提前办结加分", "办件", "办结", "按期办结", "提前办结"].iter().map(|s| (*s).to_owned()),
    );
    let _ = writer.write_record(&header);
    for d in &a.departments {
        let mut row = vec![
            d.rank.map(|r| r.to_string()).unwrap_or_default(),
            inert(&d.department).into_owned(),
            d.points().map(|s| format!("{s:.2}")).unwrap_or_default(),
            d.grade.map(Grade::label).unwrap_or("无办件").to_owned(),
        ];
        for label in &labels {
            let points = d.score.iter().flat_map(|s| &s.categories).find(|c| c.category.label() == *label);
            row.push(points.map(|c| format!("{:.2}", c.points)).unwrap_or_default());
        }
        row.push(d.score.as_ref().map(|s| format!("{:.2}", s.signal_deduction)).unwrap_or_default());
        row.push(d.score.as_ref().map(|s| format!("{:.2}", s.early_bonus)).unwrap_or_default());
        for n in [d.figures.cases, d.figures.completed, d.figures.completed_on_time, d.figures.completed_early] {
            row.push(n.to_string());
        }
        let _ = writer.write_record(&row);
    }
    let body = String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default();
    format!("\u{feff}{body}")
}

/// Writes `绩效评估-YYYY-MM.json`, `.csv` and the bulletin PDF of a published month into `dir`.
pub fn write_public(dir: &Path, hall: &str, p: &Publication) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let month = p.assessment.month;
    let json = dir.join(format!("绩效评估-{month}.json"));
    write_atomically(&json, public_json(hall, p).as_bytes()).map_err(|e| format!("{}: {e}", json.display()))?;
    let csv = dir.join(format!("绩效评估-{month}.csv"));
    write_atomically(&csv, public_csv(&p.assessment).as_bytes()).map_err(|e| format!("{}: {e}", csv.display()))?;
    let pdf = dir.join(bulletin_file_name(month, Some(p.version)));
    super::write_pdf(&pdf, &bulletin_sheet(hall, &p.assessment, Some(p)))?;
    Ok(vec![json, csv, pdf])
}

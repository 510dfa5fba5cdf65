//! The supervision office's paper: reminder slips (提示单) with their tear-off receipt and the week's
//! index, supervision notices (督办通知单), and the daily check report — all A4 through `pdf::Sheet`.
//!
//! Pure: store data in, sheets out. Writing is `write_week_slips` (atomic, under a directory).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::pdf::{Column, Sheet};
use crate::domain::discipline::{Slip, SlipStatus, Week};
use crate::domain::time;
use crate::store::{DailyCheckData, Notice};

/// `2026年11月27日`
pub(super) fn date_zh(at: chrono::NaiveDate) -> String {
    at.format("%Y年%m月%d日").to_string()
}

/// The file name of a slip: `2026-W47-2026-003-税务局.pdf` (week, year, number, department).
pub fn slip_file_name(slip: &Slip) -> String {
    let safe: String =
        slip.department_name.chars().filter(|c| !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"')).collect();
    format!("{}-{}-{:03}-{safe}.pdf", slip.week, slip.year, slip.number)
}

/// One reminder slip on one page: the slip, then a dashed tear-off line and the receipt (回执).
pub fn slip_sheet(slip: &Slip) -> Sheet {
    let mut sheet = Sheet::new(&format!("{} · 电子监察提示单 {}", slip.hall_name, slip.number_text()));
    slip_page(&mut sheet, slip);
    sheet
}

fn slip_page(sheet: &mut Sheet, slip: &Slip) {
    if slip.status == SlipStatus::Cancelled {
        sheet.title("作　废", 28.0);
        sheet.line(0.0, 10.0, &format!("作废原因：{}", slip.cancel_reason.as_deref().unwrap_or("")));
    }
    sheet.title("电子监察提示单", 20.0);
    sheet.line_pair(11.0, &format!("{}电子监察室", slip.hall_name), &slip.number_text());
    sheet.space(6.0);
    sheet.line(0.0, 12.0, &format!("{}：", slip.department_name));
    sheet.paragraph(
        11.0,
        &format!(
            "　　{}，电子监察室通过视频监控发现你单位窗口工作人员存在以下违反工作纪律的情况（共 {} 项）。依据《四平市行政审批电子监察系统管理暂行办法》第八条第二款第二项，现予提示。",
            slip.week.label_zh(),
            slip.findings.len()
        ),
    );
    sheet.space(4.0);
    let rows: Vec<Vec<String>> = slip
        .findings
        .iter()
        .map(|f| {
            let staff = match (&f.staff_name, &f.staff_no) {
                (Some(n), Some(no)) => format!("{n}（{no}）"),
                (None, Some(no)) => no.clone(),
                _ => "—".into(),
            };
            let mut category = f.category.clone();
            if !f.note.is_empty() {
                category = format!("{category}：{}", f.note);
            }
            vec![
                time::local_datetime(f.observed_at).format("%m-%d %H:%M").to_string(),
                f.window_code.clone().unwrap_or_else(|| "—".into()),
                staff,
                category,
                f.evidence_reference(),
            ]
        })
        .collect();
    sheet.table(
        &[
            Column { header: "时间", share: 1.1 },
            Column { header: "窗口", share: 0.7 },
            Column { header: "工作人员", share: 1.3 },
            Column { header: "情况", share: 2.2 },
            Column { header: "证据", share: 1.7 },
        ],
        &rows,
        10.0,
    );
    sheet.space(4.0);
    sheet.paragraph(
        11.0,
        &format!(
            "　　请你单位对上述问题进行核实，督促有关人员改正，并于{}前将整改情况书面反馈电子监察室。",
            date_zh(slip.reply_due)
        ),
    );
    let receipt = format!(
        "　　{}电子监察提示单（{}，{}）已收到，我单位将按要求核实整改并按期反馈。",
        slip.number_text(),
        slip.department_name,
        slip.week.label_zh()
    );
    signature_and_receipt(sheet, &slip.hall_name, time::local_date(slip.issued_at), &receipt);
}

/// The office's signature and date, the boxes to sign and stamp, and the tear-off receipt (回执) the
/// department signs and returns: the foot of a slip and of a 监察建议书.
pub fn signature_and_receipt(sheet: &mut Sheet, hall: &str, issued: chrono::NaiveDate, receipt: &str) {
    sheet.space(14.0);
    sheet.line_pair(11.0, "", &format!("{hall}电子监察室"));
    sheet.line_pair(11.0, "", &date_zh(issued));
    sheet.space(6.0);
    sheet.boxes(&["签发人", "监察室（章）"], 50.0);
    sheet.space(4.0);
    sheet.rule(true);
    sheet.line(0.0, 8.5, "（沿虚线剪下回执，签章后交回电子监察室）");
    sheet.title("回　执", 16.0);
    sheet.paragraph(11.0, receipt);
    sheet.space(6.0);
    sheet.boxes(&["签收人", "签收日期", "部门（章）"], 46.0);
}

/// The week's slips in one table: number, department, findings, state, file.
pub fn slip_index_sheet(hall: &str, week: Week, slips: &[Slip], generated_at: DateTime<Utc>) -> Sheet {
    let mut sheet = Sheet::new(&format!("{hall} · 提示单目录 {week}"));
    sheet.title("电子监察提示单目录", 18.0);
    sheet.line_pair(11.0, &week.label_zh(), &format!("生成于 {}", time::format_local(generated_at)));
    sheet.space(4.0);
    let rows: Vec<Vec<String>> = slips
        .iter()
        .map(|s| {
            vec![
                s.number_text(),
                s.department_name.clone(),
                s.findings.len().to_string(),
                s.findings.iter().filter(|f| f.finding_id.is_some()).count().to_string(),
                s.status.label_zh().to_owned(),
                date_zh(s.reply_due),
                slip_file_name(s),
            ]
        })
        .collect();
    if rows.is_empty() {
        sheet.paragraph(11.0, "本周没有视频发现的工作纪律问题，无需签发提示单。");
    } else {
        sheet.table(
            &[
                Column { header: "编号", share: 1.8 },
                Column { header: "部门", share: 1.5 },
                Column { header: "项数", share: 0.7 },
                Column { header: "检测", share: 0.7 },
                Column { header: "状态", share: 0.8 },
                Column { header: "反馈期限", share: 1.8 },
                Column { header: "文件", share: 2.4 },
            ],
            &rows,
            9.5,
        );
        // Art 8(2)2's weekly figures by source: typed in from the wall, or confirmed from a detection.
        let live = slips.iter().filter(|s| s.status != SlipStatus::Cancelled);
        let (total, detected) = live.fold((0, 0), |(t, d), s| {
            (t + s.findings.len(), d + s.findings.iter().filter(|f| f.finding_id.is_some()).count())
        });
        sheet.space(4.0);
        sheet.paragraph(
            10.0,
            &format!("本周提示单共列问题 {total} 项：人工记录 {} 项，自动检测经监察员确认 {detected} 项（“检测”列；不含作废的提示单）。", total - detected),
        );
    }
    sheet
}

/// Writes one PDF per slip and `index.pdf` into `dir`; returns the paths written.
pub fn write_week_slips(
    dir: &Path,
    hall: &str,
    week: Week,
    slips: &[Slip],
    now: DateTime<Utc>,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for slip in slips {
        let path = dir.join(slip_file_name(slip));
        super::write_pdf(&path, &slip_sheet(slip))?;
        written.push(path);
    }
    let index = dir.join("index.pdf");
    super::write_pdf(&index, &slip_index_sheet(hall, week, slips, now))?;
    written.push(index);
    Ok(written)
}

/// A supervision notice (督办通知单) to its department.
pub fn notice_sheet(hall: &str, notice: &Notice) -> Sheet {
    let mut sheet = Sheet::new(&format!("{hall} · 督办通知单 {}", notice.notice_no));
    sheet.title("电子监察督办通知单", 20.0);
    sheet.line_pair(11.0, &format!("{hall}电子监察室"), &notice.notice_no);
    sheet.space(6.0);
    sheet.line(0.0, 12.0, &format!("{}：", notice.department.as_deref().unwrap_or("有关部门")));
    sheet.paragraph(
        11.0,
        &format!(
            "　　办件 {}{}。依据《四平市行政审批电子监察系统管理暂行办法》第六条，请你单位核查办理情况，于{}前将办理结果及原因书面反馈电子监察室。",
            notice.case_no,
            notice.rule.map(|r| format!("（{}）", r.label_zh())).unwrap_or_default(),
            date_zh(notice.due_date)
        ),
    );
    sheet.space(4.0);
    sheet.line(0.0, 11.0, "督办事项：");
    sheet.paragraph(11.0, &format!("　　{}", notice.text));
    if let Some(reply) = &notice.reply_text {
        sheet.space(4.0);
        sheet.line(0.0, 11.0, "部门反馈：");
        sheet.paragraph(11.0, &format!("　　{reply}"));
    }
    sheet.space(14.0);
    sheet.line_pair(11.0, "", &format!("{hall}电子监察室"));
    sheet.line_pair(11.0, "", &date_zh(time::local_date(notice.issued_at)));
    sheet.space(6.0);
    sheet.boxes(&["签发人", "监察室（章）", "部门签收"], 50.0);
    sheet
}

/// The daily check report (每日数据检查) as a table of the open alerts.
pub fn daily_sheet(hall: &str, data: &DailyCheckData, checked_by: &str) -> Sheet {
    let mut sheet = Sheet::new(&format!("{hall} · 每日数据检查 {}", data.day));
    sheet.title("每日数据检查报告", 18.0);
    let (red, orange, yellow) = super::daily::counts(data);
    sheet.line_pair(
        11.0,
        &format!("检查日期：{}　检查人：{checked_by}", date_zh(data.day)),
        &format!("生成于 {}", time::format_local(data.generated_at)),
    );
    sheet.line(
        0.0,
        11.0,
        &format!(
            "未处理预警 {} 条（红 {red}，橙 {orange}，黄 {yellow}），当日新增 {} 条。",
            data.open.len(),
            data.new_alerts
        ),
    );
    if let Some(w) = &data.calendar_warning {
        sheet.line(0.0, 9.5, w);
    }
    if let Some(anchor) = &data.audit_anchor {
        // The audit chain's head on paper: `jiancha audit verify --anchor SEQ:MAC` checks it later.
        sheet.line(0.0, 8.0, &format!("审计链头（存档备查）：{anchor}"));
    }
    sheet.space(4.0);
    let rows: Vec<Vec<String>> = data
        .open
        .iter()
        .map(|a| {
            vec![
                a.level.label_zh().to_owned(),
                a.rule.label_zh().to_owned(),
                a.case_no.clone(),
                a.department.clone(),
                a.window.clone().unwrap_or_default(),
                time::format_local(a.since),
                a.explanation.clone(),
            ]
        })
        .collect();
    sheet.table(
        &[
            Column { header: "级别", share: 0.5 },
            Column { header: "规则", share: 1.2 },
            Column { header: "办件编号", share: 1.3 },
            Column { header: "部门", share: 1.0 },
            Column { header: "窗口", share: 0.5 },
            Column { header: "开始", share: 1.2 },
            Column { header: "说明", share: 2.3 },
        ],
        &rows,
        9.0,
    );
    sheet.space(10.0);
    sheet.boxes(&["检查人签字", "监察室负责人签字"], 46.0);
    sheet
}

/// The default text of a supervision notice for an alert.
pub fn notice_draft(a: &crate::store::AlertRow) -> String {
    format!(
        "{}：\n经电子监察系统监测，你单位办理的办件 {}（{}，申请人：{}）出现“{}”预警：{}\n请于收到本通知后按期核查处理，并将处理结果及原因书面反馈电子监察室。",
        a.department,
        a.case_no,
        a.item_name,
        a.applicant.as_deref().unwrap_or("—"),
        a.rule.label_zh(),
        a.explanation
    )
}

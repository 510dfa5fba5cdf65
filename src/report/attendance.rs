//! The biweekly attendance ranking and the 约谈 (interview) notices as A4 PDFs.

use chrono::{DateTime, Utc};

use crate::domain::attendance::Ranking;
use crate::domain::time;

use super::pdf::{Column, Sheet};

fn marks(rank: Option<u32>) -> String {
    rank.map_or_else(|| "—".to_owned(), |r| r.to_string())
}

/// The ranking of a period: staff, then departments, with the interview list marked.
pub fn ranking_sheet(
    hall: &str,
    ranking: &Ranking,
    generated_at: DateTime<Utc>,
    calendar_warning: Option<&str>,
) -> Sheet {
    let period = format!("{} 至 {}", ranking.period_start, ranking.period_end);
    let mut sheet = Sheet::new(&format!("{hall} · 考勤排名 {period}"));
    sheet.title(&format!("{hall}窗口工作人员考勤统计"), 18.0);
    sheet.line_pair(
        11.0,
        &format!("统计周期：{period}（双周）"),
        &format!("制表时间：{}", time::format_local_minutes(generated_at)),
    );
    sheet.paragraph(9.5, "依据《四平市行政审批电子监察系统管理暂行办法》第八条第二款第三项：每两周对窗口工作人员出勤情况进行统计，迟到、早退次数排名前三位的，约谈其所在部门负责人及本人。名次按迟到、早退次数之和排列，并列者名次相同；旷工按半天计，另行排列。");
    if let Some(w) = calendar_warning {
        sheet.paragraph(9.5, &format!("注意：{w}"));
    }
    sheet.space(6.0);
    sheet.line(0.0, 12.0, "一、工作人员排名");
    let rows: Vec<Vec<String>> = ranking
        .staff
        .iter()
        .map(|s| {
            vec![
                marks(s.rank),
                s.staff_no.clone(),
                s.name.clone(),
                s.department.clone(),
                s.late.to_string(),
                s.early.to_string(),
                s.absent.to_string(),
                if s.interview { "约谈".into() } else { String::new() },
            ]
        })
        .collect();
    sheet.table(
        &[
            Column { header: "名次", share: 0.7 },
            Column { header: "工号", share: 1.0 },
            Column { header: "姓名", share: 1.1 },
            Column { header: "部门", share: 3.0 },
            Column { header: "迟到", share: 0.7 },
            Column { header: "早退", share: 0.7 },
            Column { header: "旷工(半天)", share: 1.2 },
            Column { header: "备注", share: 0.8 },
        ],
        &rows,
        9.5,
    );
    sheet.space(8.0);
    sheet.line(0.0, 12.0, "二、部门排名");
    let rows: Vec<Vec<String>> = ranking
        .departments
        .iter()
        .map(|d| {
            vec![
                marks(d.rank),
                d.department.clone(),
                d.staff.to_string(),
                d.late.to_string(),
                d.early.to_string(),
                d.absent.to_string(),
            ]
        })
        .collect();
    sheet.table(
        &[
            Column { header: "名次", share: 0.7 },
            Column { header: "部门", share: 3.5 },
            Column { header: "人数", share: 0.8 },
            Column { header: "迟到", share: 0.8 },
            Column { header: "早退", share: 0.8 },
            Column { header: "旷工(半天)", share: 1.2 },
        ],
        &rows,
        9.5,
    );
    sheet.space(10.0);
    sheet.boxes(&["统计人", "审核人（监察室负责人）"], 46.0);
    sheet
}

/// One 约谈通知 per department with people on the interview list.
pub fn interview_notices(hall: &str, ranking: &Ranking, generated_at: DateTime<Utc>) -> Sheet {
    let period = format!("{} 至 {}", ranking.period_start, ranking.period_end);
    let mut sheet = Sheet::new(&format!("{hall} · 约谈通知 {period}"));
    // Each department with its hall: a county's 市场监管局 is not the city's and gets its own notice.
    let mut departments: Vec<(&str, Option<&str>)> =
        ranking.staff.iter().filter(|s| s.interview).map(|s| (s.department.as_str(), s.hall.as_deref())).collect();
    departments.sort_unstable();
    departments.dedup();
    if departments.is_empty() {
        sheet.title("约谈通知", 20.0);
        sheet.paragraph(11.0, &format!("{period} 无迟到、早退记录，本期无需约谈。"));
    }
    for (i, &(department, department_hall)) in departments.iter().enumerate() {
        if i > 0 {
            sheet.new_page();
        }
        sheet.title("约 谈 通 知", 20.0);
        sheet.space(6.0);
        sheet.line(0.0, 12.0, &format!("{department}负责人："));
        sheet.paragraph(
            11.0,
            &format!(
                "　　根据{period}窗口工作人员考勤统计，你单位下列人员迟到、早退次数位列全大厅前三名。依据《四平市行政审批电子监察系统管理暂行办法》第八条第二款第三项，请你单位负责人与本人于接到本通知后三个工作日内到电子监察室接受约谈，并说明原因、提出整改措施。"
            ),
        );
        sheet.space(4.0);
        let rows: Vec<Vec<String>> = ranking
            .staff
            .iter()
            .filter(|s| s.interview && s.department == department && s.hall.as_deref() == department_hall)
            .map(|s| {
                vec![
                    marks(s.rank),
                    s.staff_no.clone(),
                    s.name.clone(),
                    s.late.to_string(),
                    s.early.to_string(),
                    s.absent.to_string(),
                ]
            })
            .collect();
        sheet.table(
            &[
                Column { header: "名次", share: 0.8 },
                Column { header: "工号", share: 1.0 },
                Column { header: "姓名", share: 1.2 },
                Column { header: "迟到", share: 0.8 },
                Column { header: "早退", share: 0.8 },
                Column { header: "旷工(半天)", share: 1.2 },
            ],
            &rows,
            10.5,
        );
        sheet.space(6.0);
        sheet.line(0.0, 11.0, "约谈时间：____年__月__日 __时__分　　地点：电子监察室");
        sheet.space(18.0);
        sheet.line_pair(11.0, "", &format!("{hall}电子监察室"));
        sheet.line_pair(11.0, "", &time::local_date(generated_at).format("%Y年%m月%d日").to_string());
        sheet.space(10.0);
        sheet.boxes(&["部门负责人签字", "本人签字", "监察室（章）"], 56.0);
    }
    sheet
}

//! The daily data check (每日数据检查, Art 8(2)1): the day's open alerts as a CSV report, saved under
//! `reports/daily/`, and the record of who checked and when.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::domain::alerts::Signal;
use crate::domain::time;
use crate::store::{AlertRow, DailyCheck, DailyCheckData, Session, Store, StoreError};

/// The CSV columns (Chinese, as the hall's staff read it).
const HEADER: [&str; 13] = [
    "级别",
    "信号",
    "规则",
    "规则代码",
    "办件编号",
    "事项",
    "部门",
    "窗口",
    "工作人员",
    "申请人",
    "开始时间",
    "当日新增",
    "说明",
];

fn signal_zh(row: &AlertRow) -> &'static str {
    match row.rule.signal() {
        Signal::Light => "灯",
        Signal::Card => "牌",
    }
}

/// The report as CSV text (UTF-8 with BOM, so that spreadsheet programs show the Chinese).
/// A cell a spreadsheet will not run: text that would start a formula (`=`, `+`, `-`, `@`, a tab or a
/// carriage return) is opened with an apostrophe, which spreadsheets show as plain text.
pub fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

pub fn csv(data: &DailyCheckData) -> String {
    let start = time::start_of_day(data.day);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(HEADER);
    for a in &data.open {
        let staff = match (&a.staff_name, &a.staff_no) {
            (Some(n), Some(no)) => format!("{n}（{no}）"),
            (None, Some(no)) => no.clone(),
            _ => String::new(),
        };
        let _ = writer.write_record([
            a.level.label_zh(),
            signal_zh(a),
            a.rule.label_zh(),
            a.rule.as_str(),
            &inert(&a.case_no),
            &inert(&a.item_name),
            &inert(&a.department),
            &inert(a.window.as_deref().unwrap_or("")),
            &inert(&staff),
            &inert(a.applicant.as_deref().unwrap_or("")),
            &time::format_local(a.since),
            if a.since >= start { "是" } else { "" },
            &inert(&a.explanation),
        ]);
    }
    let body = String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default();
    let mut text = String::from("\u{feff}");
    text.push_str(&body);
    text
}

/// Counts per level of the report's alerts: (red, orange, yellow).
pub fn counts(data: &DailyCheckData) -> (u32, u32, u32) {
    let count = |level| u32::try_from(data.open.iter().filter(|a| a.level == level).count()).unwrap_or(u32::MAX);
    use crate::domain::alerts::Level;
    (count(Level::Red), count(Level::Orange), count(Level::Yellow))
}

#[derive(Debug, thiserror::Error)]
pub enum DailyCheckError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the report {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Runs the check of `day`: refreshes the alerts, saves the report under
/// `<data_dir>/reports/daily/`, and records the check. Returns the record and the report's content.
pub fn run(
    store: &dyn Store,
    session: &Session,
    data_dir: &Path,
    day: NaiveDate,
) -> Result<(DailyCheck, DailyCheckData), DailyCheckError> {
    store.refresh_alerts(session)?;
    let data = store.daily_check_data(session, day)?;
    let stamp = time::local_datetime(data.generated_at).format("%H%M%S");
    let relative = PathBuf::from("reports").join("daily").join(format!("{day}-{stamp}.csv"));
    let path = data_dir.join(&relative);
    let sha = crate::files::write_atomically(&path, csv(&data).as_bytes())
        .map_err(|source| DailyCheckError::Io { path: path.clone(), source })?;
    let (red, orange, yellow) = counts(&data);
    let record = DailyCheck {
        day,
        checked_at: data.generated_at,
        checked_by: session.username.clone(),
        report_path: relative.display().to_string(),
        report_sha256: sha,
        open_alerts: u32::try_from(data.open.len()).unwrap_or(u32::MAX),
        new_alerts: data.new_alerts,
        red,
        orange,
        yellow,
    };
    let stored = store.record_daily_check(session, &record)?;
    Ok((stored, data))
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_not_run_by_a_spreadsheet() {
        assert_eq!(super::inert("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(super::inert("+1"), "'+1");
        assert_eq!(super::inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::inert("SP20261127003"), "SP20261127003");
    }
}

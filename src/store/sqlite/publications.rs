//! Published months (绩效评估 frozen as JSON with their SHA-256, versioned with reasons) and the year from each month's newest version.

use super::assessment::month;
use super::assessment_records::bounds;
use super::{from_ts, ts};
use crate::domain::alerts::RuleBook;
use crate::domain::assessment::{
    Hundredths, MonthAssessment, Publication, YearAssessment, YearInput, YearMonth, assess_year,
};
use crate::domain::time;
use crate::store::StoreError;
use crate::store::sql::{Connection, Row, Transaction, params};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

// Publications

fn publication_row(r: &Row<'_>) -> crate::store::sql::Result<(i64, u32, i64, String, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

const PUBLICATION_SELECT: &str =
    "SELECT id, version, published_at, published_by, reason, assessment, sha256 FROM assessment_publication";

fn publication(
    month: YearMonth,
    (id, version, at, by, reason, json, sha256): (i64, u32, i64, String, String, String, String),
) -> Result<Publication, StoreError> {
    let assessment: MonthAssessment = serde_json::from_str(&json)
        .map_err(|e| StoreError::Backend(format!("published assessment {month} v{version} cannot be read: {e}")))?;
    Ok(Publication { id, month, version, published_at: from_ts(at), published_by: by, reason, sha256, assessment })
}

/// Every published version of a month, newest first.
pub(super) fn publications(conn: &Connection, month: YearMonth) -> Result<Vec<Publication>, StoreError> {
    let rows = conn
        .prepare_cached(&format!("{PUBLICATION_SELECT} WHERE month = ?1 ORDER BY version DESC"))?
        .query_map([month.to_string()], publication_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|row| publication(month, row)).collect()
}

/// Freezes `assessment` as the month's next version. The first needs no reason; every later one does.
pub(super) fn publish(
    tx: &Transaction,
    assessment: &MonthAssessment,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Publication, StoreError> {
    let month = assessment.month;
    let (_, end) = bounds(month);
    if ts(now) < end {
        return Err(StoreError::Refused(format!("{}尚未结束，不能发布 ({month} has not ended yet)", month.label_zh())));
    }
    // A publication is frozen for ever: a month with no department assessed (no case, say 1990-01)
    // has nothing to publish.
    if assessment.departments.iter().all(|d| d.rank.is_none()) {
        return Err(StoreError::Refused(format!(
            "{}没有参加评估的部门，无可发布 ({month} has no department assessed: nothing to publish)",
            month.label_zh()
        )));
    }
    let version: u32 = tx.query_row(
        "SELECT coalesce(max(version), 0) + 1 FROM assessment_publication WHERE month = ?1",
        [month.to_string()],
        |r| r.get(0),
    )?;
    let reason = reason.trim();
    if version > 1 && reason.is_empty() {
        return Err(StoreError::Invalid(format!(
            "{}已发布第{}版：重新计算须写明原因 (a recomputation needs its reason)",
            month.label_zh(),
            version - 1
        )));
    }
    if let Some(problem) = crate::interchange::text_problem(reason) {
        return Err(StoreError::Invalid(format!("reason: {problem}")));
    }
    let json = serde_json::to_string(assessment).map_err(|e| StoreError::Backend(e.to_string()))?;
    let sha256 = crate::files::sha256_hex(json.as_bytes());
    tx.execute(
        "INSERT INTO assessment_publication (month, version, published_at, published_by, reason, assessment, sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![month.to_string(), version, ts(now), by, reason, json, sha256],
    )?;
    let id = tx.last_insert_rowid()?;
    let row = tx.query_row(&format!("{PUBLICATION_SELECT} WHERE id = ?1"), [id], publication_row)?;
    publication(month, row)
}

/// A year of monthly scores: each month's newest publication, else as computed now; months to come
/// have none.
pub(super) fn year(
    conn: &Connection,
    rules: &RuleBook,
    year: i32,
    now: DateTime<Utc>,
) -> Result<YearAssessment, StoreError> {
    let today = time::local_date(now);
    let mut published = Vec::with_capacity(12);
    let mut scores: BTreeMap<i64, YearInput> = BTreeMap::new();
    for m in 1..=12 {
        let Some(month) = YearMonth::new(year, m) else {
            return Err(StoreError::Invalid(format!("year {year} is outside 1990–2100")));
        };
        if month.first_day() > today {
            published.push(None);
            for d in scores.values_mut() {
                d.months.push(None);
            }
            continue;
        }
        let newest = publications(conn, month)?.into_iter().next();
        published.push(newest.as_ref().map(|p| p.version));
        let assessment = match newest {
            Some(p) => p.assessment,
            None => self::month(conn, rules, month, now)?,
        };
        for d in assessment.departments {
            let entry = scores.entry(d.department_id).or_insert_with(|| YearInput {
                department_id: d.department_id,
                department: d.department.clone(),
                months: vec![None; (m - 1) as usize],
                sanctions: Hundredths::ZERO,
            });
            entry.months.push(d.points());
            // Each month as it was scored: measures come off the year only from months scored so.
            entry.sanctions = entry.sanctions + d.year_sanctions;
        }
        for d in scores.values_mut() {
            d.months.resize(m as usize, None);
        }
    }
    Ok(assess_year(year, published, scores.into_values().collect(), &rules.assessment))
}

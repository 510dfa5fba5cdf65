//! Supervision recommendations (监察建议书, Art 13): numbered per hall and year (max + 1 in the issuing transaction, never reused), receipts and replies.

use super::{from_ts, ts};
use crate::domain::alerts::RuleBook;
use crate::domain::assessment::{Recommendation, RecommendationStatus, YearMonth};
use crate::domain::time;
use crate::store::sql::{Connection, OptionalExtension as _, Row, Transaction, params};
use crate::store::{NewRecommendation, StoreError};
use chrono::{DateTime, NaiveDate, Utc};

// Supervision recommendations (监察建议书)

const RECOMMENDATION_SELECT: &str = "SELECT r.id, r.hall_code, h.name, r.year, r.number, r.department_id, d.name, r.month,
    r.facts, r.recommendation, r.issued_at, r.issued_by, r.reply_due, r.receipt_by, r.receipt_at, r.reply_text, r.reply_at
    FROM recommendation r JOIN hall h ON h.code = r.hall_code JOIN department d ON d.id = r.department_id";

fn recommendation_row(r: &Row<'_>, now: DateTime<Utc>) -> crate::store::sql::Result<Recommendation> {
    let conversion = |i: usize, e: String| crate::store::sql::Error::conversion(i, e);
    let month: Option<String> = r.get(7)?;
    let month = month.map(|m| m.parse::<YearMonth>().map_err(|e| conversion(7, e))).transpose()?;
    let due: String = r.get(12)?;
    let reply_due = due.parse::<NaiveDate>().map_err(|e| conversion(12, e.to_string()))?;
    let receipt_at: Option<i64> = r.get(14)?;
    let reply_at: Option<i64> = r.get(16)?;
    let status = if reply_at.is_some() {
        RecommendationStatus::Replied
    } else if receipt_at.is_some() {
        RecommendationStatus::Received
    } else {
        RecommendationStatus::Issued
    };
    let due_end = time::end_of_day(reply_due);
    Ok(Recommendation {
        id: r.get(0)?,
        hall_code: r.get(1)?,
        hall_name: r.get(2)?,
        year: r.get(3)?,
        number: r.get(4)?,
        department_id: r.get(5)?,
        department: r.get(6)?,
        month,
        facts: r.get(8)?,
        recommendation: r.get(9)?,
        issued_at: from_ts(r.get(10)?),
        issued_by: r.get(11)?,
        reply_due,
        status,
        receipt_by: r.get(13)?,
        receipt_at: receipt_at.map(from_ts),
        reply: r.get(15)?,
        reply_at: reply_at.map(from_ts),
        overdue: reply_at.is_none() && now >= due_end,
    })
}

pub(super) fn recommendations(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<Recommendation>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{RECOMMENDATION_SELECT} ORDER BY r.year DESC, r.number DESC"))?
        .query_map([], |r| recommendation_row(r, now))?
        .collect::<Result<_, _>>()?)
}

pub(super) fn recommendation(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<Recommendation, StoreError> {
    conn.prepare_cached(&format!("{RECOMMENDATION_SELECT} WHERE r.id = ?1"))?
        .query_row([id], |r| recommendation_row(r, now))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("recommendation {id}")))
}

/// A text of several lines: each line as `text_problem` wants it, at most 4,000 characters in all.
fn long_text(field: &str, text: &str) -> Result<String, StoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(StoreError::Invalid(format!("{field}: 不能为空 (must not be empty)")));
    }
    if text.chars().count() > 4000 {
        return Err(StoreError::Invalid(format!("{field}: longer than 4000 characters")));
    }
    for line in text.lines() {
        if let Some(problem) = crate::interchange::text_problem(line.trim_end_matches('\r')) {
            return Err(StoreError::Invalid(format!("{field}: {problem}")));
        }
    }
    Ok(text.replace('\r', ""))
}

/// Issues a 监察建议书: the hall's next number of the year (never reused: rows are never deleted), the
/// reply due `reply_days` working days after today.
pub(super) fn issue_recommendation(
    tx: &Transaction,
    rules: &RuleBook,
    new: &NewRecommendation,
    by: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let facts = long_text("facts", &new.facts)?;
    let text = long_text("recommendation", &new.recommendation)?;
    let department: Option<i64> = tx
        .query_row("SELECT id FROM department WHERE id = ?1 AND retired_at IS NULL", [new.department_id], |r| r.get(0))
        .optional()?;
    let department = department.ok_or_else(|| StoreError::NotFound(format!("department {}", new.department_id)))?;
    let hall: Option<String> = match &new.hall {
        Some(code) => tx.query_row("SELECT code FROM hall WHERE code = ?1", [code], |r| r.get(0)).optional()?,
        None => tx.query_row("SELECT code FROM hall ORDER BY code LIMIT 1", [], |r| r.get(0)).optional()?,
    };
    let hall = hall.ok_or_else(|| {
        StoreError::NotFound(new.hall.clone().map_or_else(|| "a hall".into(), |h| format!("hall {h}")))
    })?;
    let today = time::local_date(now);
    let year = chrono::Datelike::year(&today);
    let days = rules.assessment.recommendation_reply_working_days;
    let due = rules.calendar.add_working_days_fast(today, days).unwrap_or(today + chrono::Duration::days(21));
    let number: i64 = tx.query_row(
        "SELECT coalesce(max(number), 0) + 1 FROM recommendation WHERE hall_code = ?1 AND year = ?2",
        params![hall, year],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO recommendation (hall_code, year, number, department_id, month, facts, recommendation, issued_at, issued_by, reply_due)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![hall, year, number, department, new.month.map(|m| m.to_string()), facts, text, ts(now), by, due.to_string()],
    )?;
    Ok(tx.last_insert_rowid()?)
}

pub(super) fn record_recommendation_receipt(
    tx: &Transaction,
    id: i64,
    signed_by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let signed_by = signed_by.trim();
    if signed_by.is_empty() {
        return Err(StoreError::Invalid("请填写签收人 (who signed for it)".into()));
    }
    if let Some(problem) = crate::interchange::text_problem(signed_by) {
        return Err(StoreError::Invalid(format!("signed_by: {problem}")));
    }
    let r = recommendation(tx, id, now)?;
    if r.status != RecommendationStatus::Issued {
        return Err(StoreError::Refused(format!("{} 已签收 (already signed for)", r.number_text())));
    }
    tx.execute(
        "UPDATE recommendation SET receipt_by = ?2, receipt_at = ?3 WHERE id = ?1",
        params![id, signed_by, ts(now)],
    )?;
    Ok(())
}

pub(super) fn record_recommendation_reply(
    tx: &Transaction,
    id: i64,
    reply: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let reply = long_text("reply", reply)?;
    let r = recommendation(tx, id, now)?;
    if r.reply.is_some() {
        return Err(StoreError::Refused(format!("{} 的回复已登记 (the reply is already recorded)", r.number_text())));
    }
    tx.execute(
        "UPDATE recommendation SET reply_text = ?2, reply_at = ?3, reply_recorded_by = ?4 WHERE id = ?1",
        params![id, reply, ts(now), by],
    )?;
    Ok(())
}

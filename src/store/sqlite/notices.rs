//! Supervision notices (督办) on alerts and their replies, and the daily data check (每日数据检查): its content and the checks recorded.

use super::alerts::{ALERT_SELECT, alert_by_id, alert_row, case_id, conversion};
use super::{from_ts, query, ts};
use crate::domain::alerts::RuleBook;
use crate::domain::time;
use crate::store::sql::{Connection, OptionalExtension as _, Row, Transaction, params};
use crate::store::{AlertState, DailyCheck, DailyCheckData, Notice, NoticeState, StoreError};
use chrono::{DateTime, NaiveDate, Utc};

pub(super) const NOTICE_SELECT: &str =
    "SELECT n.id, n.notice_no, c.case_no, n.alert_id, a.rule, d.name, n.text, n.issued_at, n.issued_by,
        n.due_date, n.reply_text, n.reply_at, n.reply_recorded_by
     FROM notice n JOIN case_file c ON c.id = n.case_id LEFT JOIN alert a ON a.id = n.alert_id
     LEFT JOIN department d ON d.id = n.department_id";

pub(super) fn notice_row(r: &Row<'_>, now: DateTime<Utc>) -> crate::store::sql::Result<Notice> {
    let due: String = r.get(9)?;
    let due_date = NaiveDate::parse_from_str(&due, "%Y-%m-%d").map_err(|e| conversion(9, e.to_string()))?;
    let due_end = time::end_of_day(due_date);
    let reply_at: Option<DateTime<Utc>> = r.get::<_, Option<i64>>(11)?.map(from_ts);
    let state = match reply_at {
        Some(at) if at < due_end => NoticeState::Answered,
        Some(_) => NoticeState::AnsweredLate,
        None if now >= due_end => NoticeState::Overdue,
        None => NoticeState::Pending,
    };
    Ok(Notice {
        id: r.get(0)?,
        notice_no: r.get(1)?,
        case_no: r.get(2)?,
        alert_id: r.get(3)?,
        rule: r.get::<_, Option<String>>(4)?.and_then(|s| s.parse().ok()),
        department: r.get(5)?,
        text: r.get(6)?,
        issued_at: from_ts(r.get(7)?),
        issued_by: r.get(8)?,
        due_date,
        reply_text: r.get(10)?,
        reply_at,
        reply_recorded_by: r.get(12)?,
        state,
    })
}

pub(super) fn notices(
    conn: &Connection,
    case_id: Option<i64>,
    now: DateTime<Utc>,
    scope: &crate::domain::access::Scope,
) -> Result<Vec<Notice>, StoreError> {
    let within = scope.sql("c.hall_code");
    let sql = match case_id {
        Some(_) => format!("{NOTICE_SELECT} WHERE n.case_id = ?1{within} ORDER BY n.id DESC"),
        None => format!("{NOTICE_SELECT} WHERE 1 = 1{within} ORDER BY n.id DESC"),
    };
    let mut stmt = conn.prepare(&sql)?;
    let rows = match case_id {
        Some(id) => stmt.query_map([id], |r| notice_row(r, now))?.collect::<Result<Vec<_>, _>>()?,
        None => stmt.query_map([], |r| notice_row(r, now))?.collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
}

pub(super) fn notice_by_id(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<(Notice, i64), StoreError> {
    let notice = conn
        .prepare_cached(&format!("{NOTICE_SELECT} WHERE n.id = ?1"))?
        .query_row([id], |r| notice_row(r, now))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("notice {id}")))?;
    let case_id = conn.query_row("SELECT case_id FROM notice WHERE id = ?1", [id], |r| r.get(0))?;
    Ok((notice, case_id))
}

/// Issues a notice from an alert: the next number of the year, due after the set working days.
pub(super) fn issue_notice(
    tx: &Transaction,
    alert_id: i64,
    text: &str,
    by: &str,
    rules: &RuleBook,
    now: DateTime<Utc>,
) -> Result<(Notice, i64), StoreError> {
    let alert = alert_by_id(tx, alert_id)?;
    if alert.state == AlertState::Closed {
        return Err(StoreError::Invalid(format!("alert {alert_id} is closed; a notice needs an active alert")));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(StoreError::Invalid("督办通知内容不能为空 (the notice needs a text)".into()));
    }
    let case_id = case_id(tx, &alert.case_no)?;
    let today = time::local_date(now);
    let year = chrono::Datelike::year(&today);
    let seq: i64 =
        tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM notice WHERE year = ?1", [year], |r| r.get(0))?;
    let notice_no = format!("〔{year}〕督第{seq}号");
    let due = rules
        .calendar
        .add_working_days_fast(today, rules.settings.notice_due_working_days)
        .ok_or_else(|| StoreError::Invalid("cannot compute the due date".into()))?;
    // The department of the case's item (names are each hall's own).
    let department_id: Option<i64> = tx
        .query_row(
            "SELECT i.department_id FROM case_file c JOIN item i ON i.code = c.item_code WHERE c.id = ?1",
            [case_id],
            |r| r.get(0),
        )
        .optional()?;
    tx.execute(
        "INSERT INTO notice (notice_no, year, seq, alert_id, case_id, department_id, text, issued_at, issued_by, due_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![notice_no, year, seq, alert_id, case_id, department_id, text, ts(now), by, due.format("%Y-%m-%d").to_string()],
    )?;
    let id = tx.last_insert_rowid()?;
    Ok((notice_by_id(tx, id, now)?.0, case_id))
}

pub(super) fn record_reply(
    tx: &Transaction,
    id: i64,
    reply: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(Notice, i64), StoreError> {
    let (notice, case_id) = notice_by_id(tx, id, now)?;
    if notice.reply_at.is_some() {
        return Err(StoreError::Conflict(format!("{} already has a reply", notice.notice_no)));
    }
    let reply = reply.trim();
    if reply.is_empty() {
        return Err(StoreError::Invalid("答复内容不能为空 (the reply needs a text)".into()));
    }
    tx.execute(
        "UPDATE notice SET reply_text = ?2, reply_at = ?3, reply_recorded_by = ?4 WHERE id = ?1",
        params![id, reply, ts(now), by],
    )?;
    Ok((notice_by_id(tx, id, now)?.0, case_id))
}

/// Alerts open at the end of `day` (or at `now`, for today), most severe first.
pub(super) fn daily_data(
    conn: &Connection,
    day: NaiveDate,
    now: DateTime<Utc>,
    rules: &RuleBook,
) -> Result<DailyCheckData, StoreError> {
    let (start, end) = query::day_bounds(day);
    let until = end.min(ts(now));
    let mut stmt = conn.prepare(&format!(
        "{ALERT_SELECT} WHERE a.since < ?1 AND (a.resolved_at IS NULL OR a.resolved_at >= ?1)
           AND (a.closed_at IS NULL OR a.closed_at >= ?1)
         ORDER BY CASE a.level WHEN 'red' THEN 0 WHEN 'orange' THEN 1 ELSE 2 END, a.since, a.id"
    ))?;
    let mut open = stmt.query_map([until], alert_row)?.collect::<Result<Vec<_>, _>>()?;
    // As of that moment, these alerts were open.
    for row in &mut open {
        row.state = AlertState::Open;
    }
    let new_alerts = u32::try_from(open.iter().filter(|a| ts(a.since) >= start).count()).unwrap_or(u32::MAX);
    let year = chrono::Datelike::year(&day);
    let missing: std::collections::BTreeSet<i32> =
        [year, year + 1].into_iter().filter(|y| !rules.calendar.is_year_known(*y)).collect();
    Ok(DailyCheckData {
        day,
        generated_at: now,
        open,
        new_alerts,
        calendar_warning: crate::domain::calendar::missing_years_warning(&missing),
        audit_anchor: super::audit::anchor(conn)?.map(|(seq, mac)| crate::store::AuditAnchor { seq, mac }),
    })
}

fn daily_row(r: &Row<'_>) -> crate::store::sql::Result<DailyCheck> {
    let day: String = r.get(0)?;
    Ok(DailyCheck {
        day: NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|e| conversion(0, e.to_string()))?,
        checked_at: from_ts(r.get(1)?),
        checked_by: r.get(2)?,
        report_path: r.get(3)?,
        report_sha256: r.get(4)?,
        open_alerts: r.get(5)?,
        new_alerts: r.get(6)?,
        red: r.get(7)?,
        orange: r.get(8)?,
        yellow: r.get(9)?,
    })
}

const DAILY_SELECT: &str = "SELECT day, checked_at, checked_by, report_path, report_sha256, open_alerts, new_alerts, red, orange, yellow FROM daily_check";

pub(super) fn insert_daily(tx: &Transaction, c: &DailyCheck) -> Result<(), StoreError> {
    if c.report_sha256.len() != 64 || !c.report_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid("report_sha256 must be 64 hex digits".into()));
    }
    tx.execute(
        "INSERT INTO daily_check (day, checked_at, checked_by, report_path, report_sha256, open_alerts, new_alerts, red, orange, yellow)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            c.day.format("%Y-%m-%d").to_string(),
            ts(c.checked_at),
            c.checked_by,
            c.report_path,
            c.report_sha256,
            c.open_alerts,
            c.new_alerts,
            c.red,
            c.orange,
            c.yellow
        ],
    )?;
    Ok(())
}

pub(super) fn daily_checks(conn: &Connection, limit: u32) -> Result<Vec<DailyCheck>, StoreError> {
    let mut stmt =
        conn.prepare(&format!("{DAILY_SELECT} ORDER BY checked_at DESC, id DESC LIMIT {}", limit.clamp(1, 10_000)))?;
    let rows = stmt.query_map([], daily_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(super) fn latest_check_of(conn: &Connection, day: NaiveDate) -> Result<Option<DailyCheck>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{DAILY_SELECT} WHERE day = ?1 ORDER BY checked_at DESC, id DESC LIMIT 1"))?
        .query_row([day.format("%Y-%m-%d").to_string()], daily_row)
        .optional()?)
}

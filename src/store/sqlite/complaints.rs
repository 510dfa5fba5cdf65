//! Complaints (投诉): registered, accepted, investigated, concluded with their working-day due dates; complainants' contacts masked for all but chiefs and administrators.

use super::accountability::{Within, department_by_name, parse, resolve_staff, resolve_window};
use super::{from_ts, ts};
use crate::domain::accountability::{self, ComplaintSettings, ComplaintStatus};
use crate::domain::calendar::Calendar;
use crate::domain::model::{Complaint, ComplaintChannel};
use crate::domain::time;
use crate::store::sql::{Connection, OptionalExtension as _, Row, Transaction, params};
use crate::store::{ComplaintStep, NewComplaint, StoreError};
use chrono::{DateTime, Utc};

// Complaints

pub(super) fn insert_complaint(
    tx: &Transaction,
    c: &NewComplaint,
    (created_by, scope): (&str, &crate::domain::access::Scope),
) -> Result<i64, StoreError> {
    if c.content.trim().is_empty() {
        return Err(StoreError::Invalid("投诉内容不能为空 (the complaint needs a content)".into()));
    }
    let within = Within { scope, hall: c.hall_code.as_deref() };
    let window = match &c.window_code {
        Some(w) if !w.trim().is_empty() => Some(resolve_window(tx, within, w.trim())?),
        _ => None,
    };
    let staff = match &c.staff_no {
        Some(no) if !no.trim().is_empty() => Some(resolve_staff(tx, within, no.trim())?),
        _ => None,
    };
    let department: Option<i64> = match (&c.department, staff, window) {
        (Some(d), _, _) if !d.trim().is_empty() => Some(department_by_name(tx, within, d)?),
        (_, Some(s), _) => tx.query_row("SELECT department_id FROM staff WHERE id = ?1", [s], |r| r.get(0))?,
        (_, None, Some(w)) => {
            tx.query_row("SELECT department_id FROM service_window WHERE id = ?1", [w], |r| r.get(0))?
        }
        _ => None,
    };
    let year = time::local_date(c.received_at).format("%Y").to_string();
    let prefix = format!("TS{year}-");
    let next: i64 = tx.query_row(
        "SELECT coalesce(max(CAST(substr(complaint_no, CAST(?2 AS INTEGER)) AS INTEGER)), 0) + 1 FROM complaint WHERE complaint_no LIKE ?1",
        params![format!("{prefix}%"), prefix.len() as i64 + 1],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO complaint (complaint_no, received_at, channel, complainant, contact, content, case_no, hall_code,
            window_id, staff_id, created_by, department_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            format!("{prefix}{next:04}"),
            ts(c.received_at),
            c.channel.as_str(),
            c.complainant.trim(),
            c.contact.trim(),
            c.content.trim(),
            c.case_no.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            c.hall_code,
            window,
            staff,
            created_by,
            department
        ],
    )?;
    Ok(tx.last_insert_rowid()?)
}

const COMPLAINT_SELECT: &str =
    "SELECT c.id, c.complaint_no, c.received_at, c.channel, c.complainant, c.contact, c.content,
        c.case_no, c.hall_code, w.code, s.staff_no, s.name, d.name, c.status, c.created_by, c.decided_at, c.decided_by,
        c.decision_note, c.investigating_at, c.concluded_at, c.concluded_by, c.conclusion, c.reply
    FROM complaint c LEFT JOIN service_window w ON w.id = c.window_id LEFT JOIN staff s ON s.id = c.staff_id
    LEFT JOIN department d ON d.id = c.department_id";

/// Complaints, newest first; `show_contact` false masks the contact details.
pub(super) fn complaints(
    conn: &Connection,
    filter: Option<&str>,
    calendar: &Calendar,
    settings: &ComplaintSettings,
    show_contact: bool,
) -> Result<Vec<Complaint>, StoreError> {
    let sql = format!(
        "{COMPLAINT_SELECT} {} ORDER BY c.received_at DESC, c.id DESC",
        filter.map_or("", |_| "WHERE c.complaint_no = ?1")
    );
    let mut stmt = conn.prepare(&sql)?;
    let map = |r: &Row<'_>| {
        let opt_ts = |i: usize| r.get::<_, Option<i64>>(i).map(|v| v.map(from_ts));
        Ok(Complaint {
            id: r.get(0)?,
            complaint_no: r.get(1)?,
            received_at: from_ts(r.get(2)?),
            channel: parse::<ComplaintChannel>(r, 3)?,
            complainant: r.get(4)?,
            contact: r.get(5)?,
            content: r.get(6)?,
            case_no: r.get(7)?,
            hall_code: r.get(8)?,
            window_code: r.get(9)?,
            staff_no: r.get(10)?,
            staff_name: r.get(11)?,
            department: r.get(12)?,
            status: parse::<ComplaintStatus>(r, 13)?,
            created_by: r.get(14)?,
            decided_at: opt_ts(15)?,
            decided_by: r.get(16)?,
            decision_note: r.get(17)?,
            investigating_at: opt_ts(18)?,
            concluded_at: opt_ts(19)?,
            concluded_by: r.get(20)?,
            conclusion: r.get(21)?,
            reply: r.get(22)?,
            due: None,
            footage_requests: Vec::new(),
            violations: Vec::new(),
        })
    };
    let mut list = match filter {
        Some(no) => stmt.query_map([no], map)?.collect::<Result<Vec<_>, _>>()?,
        None => stmt.query_map([], map)?.collect::<Result<Vec<_>, _>>()?,
    };
    let mut requests =
        conn.prepare_cached("SELECT request_no FROM footage_request WHERE complaint_no = ?1 ORDER BY id")?;
    let mut violations = conn.prepare_cached("SELECT id FROM violation WHERE complaint_id = ?1 ORDER BY id")?;
    for c in &mut list {
        c.due = accountability::due_date(
            calendar,
            settings,
            c.status,
            time::local_date(c.received_at),
            c.decided_at.map(time::local_date),
        );
        c.footage_requests = requests.query_map([&c.complaint_no], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
        c.violations = violations.query_map([c.id], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
        if !show_contact && !c.contact.is_empty() {
            c.contact = "（仅负责人可见）".into();
        }
    }
    Ok(list)
}

pub(super) fn advance_complaint(
    tx: &Transaction,
    complaint_no: &str,
    step: &ComplaintStep,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ComplaintStatus, StoreError> {
    let (id, status): (i64, String) = tx
        .query_row("SELECT id, status FROM complaint WHERE complaint_no = ?1", [complaint_no], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("complaint {complaint_no}")))?;
    let from: ComplaintStatus = status.parse().map_err(StoreError::Invalid)?;
    let to = match step {
        ComplaintStep::Accept { .. } => ComplaintStatus::Accepted,
        ComplaintStep::Decline { .. } => ComplaintStatus::Declined,
        ComplaintStep::Investigate => ComplaintStatus::Investigating,
        ComplaintStep::Conclude { .. } => ComplaintStatus::Concluded,
    };
    if !from.may_become(to) {
        return Err(StoreError::Refused(format!(
            "投诉{}，不能改为{} (a complaint that is {from} cannot become {to})",
            from.label_zh(),
            to.label_zh()
        )));
    }
    match step {
        ComplaintStep::Accept { note } => tx.execute(
            "UPDATE complaint SET status = 'accepted', decided_at = ?2, decided_by = ?3, decision_note = ?4 WHERE id = ?1",
            params![id, ts(now), actor, Some(note.trim()).filter(|n| !n.is_empty())],
        )?,
        ComplaintStep::Decline { reason } => {
            if reason.trim().is_empty() {
                return Err(StoreError::Invalid("不予受理须写明理由 (declining needs a reason)".into()));
            }
            tx.execute(
                "UPDATE complaint SET status = 'declined', decided_at = ?2, decided_by = ?3, decision_note = ?4 WHERE id = ?1",
                params![id, ts(now), actor, reason.trim()],
            )?
        }
        ComplaintStep::Investigate => {
            tx.execute("UPDATE complaint SET status = 'investigating', investigating_at = ?2 WHERE id = ?1", params![id, ts(now)])?
        }
        ComplaintStep::Conclude { conclusion, reply } => {
            if conclusion.trim().is_empty() || reply.trim().is_empty() {
                return Err(StoreError::Invalid(
                    "办结须填写调查结论和给投诉人的答复 (concluding needs the finding and the reply to the complainant)".into(),
                ));
            }
            tx.execute(
                "UPDATE complaint SET status = 'concluded', concluded_at = ?2, concluded_by = ?3, conclusion = ?4, reply = ?5
                 WHERE id = ?1",
                params![id, ts(now), actor, conclusion.trim(), reply.trim()],
            )?
        }
    };
    Ok(to)
}

//! Discipline observations, reminder slips, the complaint workflow, violations and accountability
//! decisions: the SQL. Permission checks and audit records are the caller's (`mod.rs`), in the same
//! transaction.

use crate::store::sql::{Connection, OptionalExtension as _, Row, Transaction, params};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::query::{pick, staff_in, windows_by_code};
use super::{from_ts, ts};
use crate::domain::access::Scope;
use crate::domain::accountability::{self, Measure, Subject, ViolationSource, Warning};
use crate::domain::calendar::Calendar;
use crate::domain::discipline::{self, Observation, ObservationSource, Slip, SlipStatus, Week};
use crate::domain::footage::Span;
use crate::domain::time;
use crate::store::{DepartmentFlag, NewObservation, NewViolation, StoreError, Violation, ViolationDecision};

pub(super) fn parse<T: std::str::FromStr<Err = String>>(r: &Row<'_>, i: usize) -> crate::store::sql::Result<T> {
    let s: String = r.get(i)?;
    s.parse().map_err(|e: String| crate::store::sql::Error::conversion(i, e))
}

/// Where a write looks up the window, staff member or department it names: the caller's halls, and
/// the record's own hall when it has one (see `query::pick`).
#[derive(Clone, Copy)]
pub(super) struct Within<'a> {
    pub scope: &'a Scope,
    pub hall: Option<&'a str>,
}

/// A window by its code (see [`Within`]).
pub(super) fn resolve_window(tx: &Transaction, within: Within<'_>, code: &str) -> Result<i64, StoreError> {
    pick(windows_by_code(tx, code)?, within.scope, within.hall, &format!("窗口 {code}"))?
        .map(|(id, _)| id)
        .ok_or_else(|| StoreError::NotFound(format!("window {code}")))
}

/// A staff member by number (see [`Within`]).
pub(super) fn resolve_staff(tx: &Transaction, within: Within<'_>, staff_no: &str) -> Result<i64, StoreError> {
    staff_in(tx, within.scope, within.hall, staff_no)?
        .map(|(id, _)| id)
        .ok_or_else(|| StoreError::NotFound(format!("staff {staff_no}")))
}

/// A department by name or short name (see [`Within`]).
pub(super) fn department_by_name(tx: &Transaction, within: Within<'_>, name: &str) -> Result<i64, StoreError> {
    let found: Vec<(i64, String)> = tx
        .prepare_cached(
            "SELECT id, hall_code FROM department WHERE name = ?1 OR (short_name <> '' AND short_name = ?1)
             ORDER BY hall_code, id",
        )?
        .query_map([name.trim()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    pick(found, within.scope, within.hall, &format!("部门 {}", name.trim()))?
        .map(|(id, _)| id)
        .ok_or_else(|| StoreError::NotFound(format!("department {name}")))
}

// ------------------------------------------------------------------------------------------------
// Observations

const OBSERVATION_SELECT: &str =
    "SELECT o.id, o.observed_at, o.category, o.source, o.camera_id, c.name, w.code, o.department_id,
        d.name, s.staff_no, s.name, o.evidence_id, e.path, e.sha256, o.clip_from_ms, o.clip_to_ms, o.recorded_by, o.note, o.finding_id
    FROM observation o JOIN department d ON d.id = o.department_id
    LEFT JOIN camera c ON c.id = o.camera_id LEFT JOIN service_window w ON w.id = o.window_id
    LEFT JOIN staff s ON s.id = o.staff_id LEFT JOIN evidence e ON e.id = o.evidence_id";

fn observation_row(r: &Row<'_>) -> crate::store::sql::Result<Observation> {
    let clip = match (r.get::<_, Option<i64>>(14)?, r.get::<_, Option<i64>>(15)?) {
        (Some(from), Some(to)) => Some(Span { from, to }),
        _ => None,
    };
    Ok(Observation {
        id: r.get(0)?,
        observed_at: from_ts(r.get(1)?),
        category: r.get(2)?,
        source: parse::<ObservationSource>(r, 3)?,
        camera_id: r.get(4)?,
        camera_name: r.get(5)?,
        window_code: r.get(6)?,
        department_id: r.get(7)?,
        department_name: r.get(8)?,
        staff_no: r.get(9)?,
        staff_name: r.get(10)?,
        evidence_id: r.get(11)?,
        evidence_path: r.get(12)?,
        evidence_sha256: r.get(13)?,
        clip,
        recorded_by: r.get(16)?,
        note: r.get(17)?,
        finding_id: r.get(18)?,
    })
}

/// Records an observation; one that names no window belongs to `default_hall` (the recorder's own,
/// for an account of some halls) or else to the first hall.
pub(super) fn insert_observation(
    tx: &Transaction,
    o: &NewObservation,
    (recorded_by, default_hall, scope): (&str, Option<&str>, &Scope),
    now: DateTime<Utc>,
) -> Result<Observation, StoreError> {
    if !discipline::is_category(&o.category) {
        return Err(StoreError::Invalid(format!(
            "类别 {:?} 不在规定的类别中 (category not one of RULES.md's): {}",
            o.category,
            discipline::DISCIPLINE_CATEGORIES.join("、")
        )));
    }
    if let Some(clip) = o.clip
        && clip.from >= clip.to
    {
        return Err(StoreError::Invalid("录像范围的结束应晚于开始 (the clip must end after it starts)".into()));
    }
    let camera_window: Option<i64> = match o.camera_id {
        Some(id) => tx
            .query_row("SELECT window_id FROM camera WHERE id = ?1", [id], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("camera {id}")))?,
        None => None,
    };
    let camera_hall = match o.camera_id {
        Some(id) => super::reach::camera_hall(tx, id)?,
        None => None,
    };
    let within = Within { scope, hall: camera_hall.as_deref().or(default_hall) };
    let window = match o.window_code.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        Some(code) => Some(resolve_window(tx, within, code)?),
        None => camera_window,
    };
    let window_hall: Option<String> = match window {
        Some(w) => tx.query_row("SELECT hall_code FROM service_window WHERE id = ?1", [w], |r| r.get(0)).optional()?,
        None => None,
    };
    let within = Within { scope, hall: window_hall.as_deref().or(within.hall) };
    let staff = match o.staff_no.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(no) => Some(resolve_staff(tx, within, no)?),
        None => None,
    };
    let department = match o.department.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(name) => Some(department_by_name(tx, within, name)?),
        None => {
            let of_staff: Option<i64> = match staff {
                Some(s) => tx.query_row("SELECT department_id FROM staff WHERE id = ?1", [s], |r| r.get(0))?,
                None => None,
            };
            match (of_staff, window) {
                (Some(d), _) => Some(d),
                (None, Some(w)) => {
                    tx.query_row("SELECT department_id FROM service_window WHERE id = ?1", [w], |r| r.get(0))?
                }
                (None, None) => None,
            }
        }
    };
    let department = department.ok_or_else(|| {
        StoreError::Invalid("请指明窗口、工作人员或部门 (name the window, the staff member or the department)".into())
    })?;
    let hall: String = match (window, camera_hall.as_deref().or(default_hall)) {
        (Some(w), _) => tx.query_row("SELECT hall_code FROM service_window WHERE id = ?1", [w], |r| r.get(0))?,
        (None, Some(hall)) => hall.to_owned(),
        (None, None) => tx
            .query_row("SELECT code FROM hall ORDER BY code LIMIT 1", [], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::Invalid("no hall is configured".into()))?,
    };
    tx.execute(
        "INSERT INTO observation (observed_at, category, source, hall_code, camera_id, window_id, department_id, staff_id,
            evidence_id, clip_from_ms, clip_to_ms, recorded_by, recorded_at, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            ts(o.observed_at),
            o.category,
            o.source.as_str(),
            hall,
            o.camera_id,
            window,
            department,
            staff,
            o.evidence_id,
            o.clip.map(|c| c.from),
            o.clip.map(|c| c.to),
            recorded_by,
            ts(now),
            o.note.trim()
        ],
    )?;
    let id = tx.last_insert_rowid()?;
    Ok(tx.query_row(&format!("{OBSERVATION_SELECT} WHERE o.id = ?1"), [id], observation_row)?)
}

/// The hall of observation `id`.
pub(super) fn observation_hall(conn: &Connection, id: i64) -> Result<String, StoreError> {
    Ok(conn.query_row("SELECT hall_code FROM observation WHERE id = ?1", [id], |r| r.get(0))?)
}

pub(super) fn observations(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: &Scope,
) -> Result<Vec<Observation>, StoreError> {
    let start = ts(time::from_local(from.and_hms_opt(0, 0, 0).unwrap_or_default()));
    let end = ts(time::from_local((to + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default()));
    let mut stmt = conn.prepare_cached(&format!(
        "{OBSERVATION_SELECT} WHERE o.observed_at >= ?1 AND o.observed_at < ?2{} ORDER BY o.observed_at, o.id",
        scope.sql("o.hall_code")
    ))?;
    Ok(stmt.query_map([start, end], observation_row)?.collect::<Result<Vec<_>, _>>()?)
}

// ------------------------------------------------------------------------------------------------
// Slips

fn slip_rows(conn: &Connection, filter: &str, args: &[&dyn crate::store::sql::ToSql]) -> Result<Vec<Slip>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT s.id, s.hall_code, h.name, s.year, s.number, s.department_id, d.name, s.week_monday, s.issued_at,
                s.issued_by, s.reply_due, s.status, s.cancel_reason, s.receipt_by, s.receipt_at
         FROM slip s JOIN hall h ON h.code = s.hall_code JOIN department d ON d.id = s.department_id
         {filter} ORDER BY s.year, s.number"
    ))?;
    let mut slips = stmt
        .query_map(args, |r| {
            let week: String = r.get(7)?;
            let due: String = r.get(10)?;
            let date = |i: usize, s: &str| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| crate::store::sql::Error::conversion(i, e))
            };
            Ok(Slip {
                id: r.get(0)?,
                hall_code: r.get(1)?,
                hall_name: r.get(2)?,
                year: r.get(3)?,
                number: r.get(4)?,
                department_id: r.get(5)?,
                department_name: r.get(6)?,
                week: Week::of(date(7, &week)?),
                issued_at: from_ts(r.get(8)?),
                issued_by: r.get(9)?,
                reply_due: date(10, &due)?,
                status: parse::<SlipStatus>(r, 11)?,
                cancel_reason: r.get(12)?,
                receipt_by: r.get(13)?,
                receipt_at: r.get::<_, Option<i64>>(14)?.map(from_ts),
                findings: Vec::new(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut findings = conn.prepare_cached(&format!(
        "{OBSERVATION_SELECT} JOIN slip_finding f ON f.observation_id = o.id WHERE f.slip_id = ?1 ORDER BY o.observed_at, o.id"
    ))?;
    for slip in &mut slips {
        slip.findings = findings.query_map([slip.id], observation_row)?.collect::<Result<Vec<_>, _>>()?;
    }
    Ok(slips)
}

pub(super) fn slips(conn: &Connection, week: Option<Week>) -> Result<Vec<Slip>, StoreError> {
    match week {
        Some(w) => {
            let monday = w.monday.to_string();
            slip_rows(conn, "WHERE s.week_monday = ?1", &[&monday])
        }
        None => slip_rows(conn, "", &[]),
    }
}

pub(super) fn slip(conn: &Connection, id: i64) -> Result<Slip, StoreError> {
    slip_rows(conn, "WHERE s.id = ?1", &[&id])?.pop().ok_or_else(|| StoreError::NotFound(format!("slip {id}")))
}

/// Issues the missing slips of `week`; returns the ids of the new ones.
pub(super) fn issue_slips(
    tx: &Transaction,
    week: Week,
    calendar: &Calendar,
    reply_days: u32,
    (issued_by, scope): (&str, &Scope),
    now: DateTime<Utc>,
) -> Result<Vec<i64>, StoreError> {
    let found = observations(tx, week.monday, week.sunday(), scope)?;
    // (hall, department) → observation ids, in the order of the department's first finding.
    let mut groups: Vec<((String, i64), Vec<i64>)> = Vec::new();
    let mut halls = tx.prepare_cached("SELECT hall_code FROM observation WHERE id = ?1")?;
    for o in &found {
        let hall: String = halls.query_row([o.id], |r| r.get(0))?;
        let key = (hall, o.department_id.unwrap_or_default());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, ids)) => ids.push(o.id),
            None => groups.push((key, vec![o.id])),
        }
    }
    let today = time::local_date(now);
    let year = chrono::Datelike::year(&today);
    let due = calendar.add_working_days_fast(today, reply_days).unwrap_or(today + Duration::days(7));
    let mut issued = Vec::new();
    for ((hall, department), ids) in groups {
        let live: Option<i64> = tx
            .query_row(
                "SELECT id FROM slip WHERE hall_code = ?1 AND department_id = ?2 AND week_monday = ?3 AND status <> 'cancelled'",
                params![hall, department, week.monday.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if live.is_some() {
            continue;
        }
        let number: i64 = tx.query_row(
            "SELECT coalesce(max(number), 0) + 1 FROM slip WHERE hall_code = ?1 AND year = ?2",
            params![hall, year],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO slip (hall_code, year, number, department_id, week_monday, issued_at, issued_by, reply_due)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![hall, year, number, department, week.monday.to_string(), ts(now), issued_by, due.to_string()],
        )?;
        let id = tx.last_insert_rowid()?;
        let mut add = tx.prepare_cached("INSERT INTO slip_finding (slip_id, observation_id) VALUES (?1, ?2)")?;
        for o in ids {
            add.execute([id, o])?;
        }
        issued.push(id);
    }
    Ok(issued)
}

pub(super) fn cancel_slip(tx: &Transaction, id: i64, reason: &str) -> Result<(), StoreError> {
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid("作废须写明原因 (a cancellation needs a reason)".into()));
    }
    let status: String = tx
        .query_row("SELECT status FROM slip WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("slip {id}")))?;
    if status == "cancelled" {
        return Err(StoreError::Refused("该提示单已作废 (the slip is already cancelled)".into()));
    }
    tx.execute("UPDATE slip SET status = 'cancelled', cancel_reason = ?2 WHERE id = ?1", params![id, reason.trim()])?;
    Ok(())
}

pub(super) fn record_receipt(tx: &Transaction, id: i64, signed_by: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    if signed_by.trim().is_empty() {
        return Err(StoreError::Invalid("请填写回执签收人 (who signed the receipt)".into()));
    }
    let status: String = tx
        .query_row("SELECT status FROM slip WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("slip {id}")))?;
    if status != "issued" {
        return Err(StoreError::Refused(format!("该提示单状态为 {status}，不能登记回执 (the slip is {status})")));
    }
    tx.execute(
        "UPDATE slip SET status = 'received', receipt_by = ?2, receipt_at = ?3 WHERE id = ?1",
        params![id, signed_by.trim(), ts(now)],
    )?;
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Violations

const VIOLATION_SELECT: &str = "SELECT v.id, v.item, v.subject, s.staff_no, s.name, v.department_id, d.name, v.source,
        v.occurred_at, v.description, v.case_no, v.alert_id, v.observation_id, c.complaint_no, v.evidence_id,
        v.recorded_by, v.recorded_at
    FROM violation v JOIN department d ON d.id = v.department_id LEFT JOIN staff s ON s.id = v.staff_id
    LEFT JOIN complaint c ON c.id = v.complaint_id";

/// The hall of a violation (`v`): its staff member's, else its case's, complaint's or observation's,
/// else its department's.
const VIOLATION_HALL: &str = "coalesce(
        (SELECT hall_code FROM staff WHERE id = v.staff_id),
        (SELECT hall_code FROM case_file WHERE case_no = v.case_no),
        (SELECT hall_code FROM complaint WHERE id = v.complaint_id),
        (SELECT hall_code FROM observation WHERE id = v.observation_id),
        (SELECT hall_code FROM department WHERE id = v.department_id))";

/// The hall of violation `id` (see [`VIOLATION_HALL`]).
pub(super) fn violation_hall(conn: &Connection, id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {VIOLATION_HALL} FROM violation v WHERE v.id = ?1"), [id], |r| r.get(0))
        .optional()?
        .flatten())
}

fn violation_row(r: &Row<'_>) -> crate::store::sql::Result<Violation> {
    let subject: String = r.get(2)?;
    Ok(Violation {
        id: r.get(0)?,
        item: r.get(1)?,
        subject: if subject == "staff" { Subject::Staff } else { Subject::Department },
        staff_no: r.get(3)?,
        staff_name: r.get(4)?,
        department_id: r.get(5)?,
        department: r.get(6)?,
        source: parse::<ViolationSource>(r, 7)?,
        occurred_at: from_ts(r.get(8)?),
        description: r.get(9)?,
        case_no: r.get(10)?,
        alert_id: r.get(11)?,
        observation_id: r.get(12)?,
        complaint_no: r.get(13)?,
        evidence_id: r.get(14)?,
        recorded_by: r.get(15)?,
        recorded_at: from_ts(r.get(16)?),
        decisions: Vec::new(),
    })
}

fn with_decisions(conn: &Connection, mut list: Vec<Violation>) -> Result<Vec<Violation>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, measures, decided_at, decided_by, note FROM violation_decision WHERE violation_id = ?1 ORDER BY id",
    )?;
    for v in &mut list {
        v.decisions = stmt
            .query_map([v.id], |r| {
                let measures: String = r.get(1)?;
                Ok(ViolationDecision {
                    id: r.get(0)?,
                    measures: measures.split(',').filter_map(|m| m.parse::<Measure>().ok()).collect(),
                    decided_at: from_ts(r.get(2)?),
                    decided_by: r.get(3)?,
                    note: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
    }
    Ok(list)
}

pub(super) fn violations(conn: &Connection, scope: &Scope) -> Result<Vec<Violation>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "{VIOLATION_SELECT} WHERE 1 = 1{} ORDER BY v.occurred_at DESC, v.id DESC",
        scope.sql(VIOLATION_HALL)
    ))?;
    let list = stmt.query_map([], violation_row)?.collect::<Result<Vec<_>, _>>()?;
    with_decisions(conn, list)
}

pub(super) fn violation(conn: &Connection, id: i64) -> Result<Violation, StoreError> {
    let v = conn
        .query_row(&format!("{VIOLATION_SELECT} WHERE v.id = ?1"), [id], violation_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("violation {id}")))?;
    Ok(with_decisions(conn, vec![v])?.remove(0))
}

pub(super) fn insert_violation(
    tx: &Transaction,
    v: &NewViolation,
    (recorded_by, scope): (&str, &Scope),
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    if accountability::article_label(&v.item).is_none() {
        return Err(StoreError::Invalid(format!(
            "条款 {:?} 不是第十一、十二条的项 (item must be 11(1)–11(10) or 12(1)–12(6))",
            v.item
        )));
    }
    if v.description.trim().is_empty() {
        return Err(StoreError::Invalid("请填写违规情况 (the violation needs a description)".into()));
    }
    // The staff member and department are looked for in the case's hall when there is a case.
    let case_hall: Option<String> = match v.case_no.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(no) => tx
            .query_row("SELECT hall_code FROM case_file WHERE case_no = ?1", [no], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten(),
        None => None,
    };
    let within = Within { scope, hall: case_hall.as_deref() };
    let staff = match (v.subject, v.staff_no.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (Subject::Staff, Some(no)) => Some(resolve_staff(tx, within, no)?),
        (Subject::Staff, None) => {
            return Err(StoreError::Invalid("请指明违规的工作人员 (name the staff member)".into()));
        }
        (Subject::Department, _) => None,
    };
    let department = match (v.department.as_deref().map(str::trim).filter(|d| !d.is_empty()), staff) {
        (Some(name), _) => department_by_name(tx, within, name)?,
        (None, Some(s)) => tx
            .query_row("SELECT department_id FROM staff WHERE id = ?1", [s], |r| r.get::<_, Option<i64>>(0))?
            .ok_or_else(|| StoreError::Invalid("该工作人员没有所属部门，请指明部门 (name the department)".into()))?,
        (None, None) => return Err(StoreError::Invalid("请指明部门 (name the department)".into())),
    };
    let complaint: Option<i64> = match v.complaint_no.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(no) => Some(
            tx.query_row("SELECT id FROM complaint WHERE complaint_no = ?1", [no], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("complaint {no}")))?,
        ),
        None => None,
    };
    tx.execute(
        "INSERT INTO violation (item, subject, staff_id, department_id, source, occurred_at, description, case_no,
            alert_id, observation_id, complaint_id, evidence_id, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            v.item,
            if v.subject == Subject::Staff { "staff" } else { "department" },
            staff,
            department,
            v.source.as_str(),
            ts(v.occurred_at),
            v.description.trim(),
            v.case_no.as_deref().map(str::trim).filter(|c| !c.is_empty()),
            v.alert_id,
            v.observation_id,
            complaint,
            v.evidence_id,
            recorded_by,
            ts(now)
        ],
    )?;
    Ok(tx.last_insert_rowid()?)
}

/// The warnings (告诫) of a department's staff decided in `(at − 365 days, at]`, oldest first.
fn warnings(
    conn: &Connection,
    department: i64,
    at: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT x.decided_at, v.id, coalesce(s.name || '（' || s.staff_no || '）', '')
         FROM violation_decision x JOIN violation v ON v.id = x.violation_id LEFT JOIN staff s ON s.id = v.staff_id
         WHERE v.department_id = ?1 AND v.subject = 'staff' AND x.warning = 1 AND x.decided_at > ?2 AND x.decided_at <= ?3
         ORDER BY x.decided_at, x.id",
    )?;
    let rows = stmt
        .query_map(params![department, ts(at - Duration::days(365)), ts(at)], |r| {
            Ok((from_ts(r.get(0)?), r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The 12(6) violation of `department` within `(at − 365 days, at]`, if recorded.
fn flag_violation(conn: &Connection, department: i64, at: DateTime<Utc>) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM violation WHERE department_id = ?1 AND item = '12(6)' AND occurred_at > ?2 AND occurred_at <= ?3
             ORDER BY occurred_at DESC LIMIT 1",
            params![department, ts(at - Duration::days(365)), ts(at)],
            |r| r.get(0),
        )
        .optional()?)
}

/// Records the decision; returns the id of the 12(6) violation it raised, if any.
pub(super) fn decide_violation(
    tx: &Transaction,
    violation_id: i64,
    measures: &[Measure],
    note: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    if measures.is_empty() {
        return Err(StoreError::Invalid("请至少选择一项问责措施 (choose at least one measure of Art 13)".into()));
    }
    let (department, subject): (i64, String) = tx
        .query_row("SELECT department_id, subject FROM violation WHERE id = ?1", [violation_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("violation {violation_id}")))?;
    let mut unique: Vec<Measure> = measures.to_vec();
    unique.sort();
    unique.dedup();
    let warning = unique.iter().any(|m| m.is_warning());
    tx.execute(
        "INSERT INTO violation_decision (violation_id, measures, warning, decided_at, decided_by, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            violation_id,
            unique.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(","),
            warning,
            ts(now),
            actor,
            note.trim()
        ],
    )?;
    if !warning || subject != "staff" {
        return Ok(None);
    }
    let list = warnings(tx, department, now)?;
    let as_warnings: Vec<Warning> = list.iter().map(|(at, _, _)| Warning { decided_at: *at }).collect();
    if !accountability::flagged_at(&as_warnings, now) || flag_violation(tx, department, now)?.is_some() {
        return Ok(None);
    }
    let description = format!(
        "一年内本部门工作人员受到告诫 {} 次：{}",
        list.len(),
        list.iter()
            .map(|(at, id, who)| format!("{} {who}（违规#{id}）", time::local_date(*at)))
            .collect::<Vec<_>>()
            .join("；")
    );
    tx.execute(
        "INSERT INTO violation (item, subject, department_id, source, occurred_at, description, recorded_by, recorded_at)
         VALUES ('12(6)', 'department', ?1, 'rule', ?2, ?3, ?4, ?2)",
        params![department, ts(now), description, actor],
    )?;
    Ok(Some(tx.last_insert_rowid()?))
}

pub(super) fn department_flags(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<DepartmentFlag>, StoreError> {
    let departments: Vec<(i64, String)> = {
        let mut stmt = conn.prepare(
            "SELECT DISTINCT d.id, d.name FROM violation_decision x JOIN violation v ON v.id = x.violation_id
             JOIN department d ON d.id = v.department_id WHERE x.warning = 1 AND x.decided_at > ?1 ORDER BY d.name",
        )?;
        stmt.query_map([ts(now - Duration::days(365))], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut out = Vec::new();
    for (id, name) in departments {
        let list = warnings(conn, id, now)?;
        let as_warnings: Vec<Warning> = list.iter().map(|(at, _, _)| Warning { decided_at: *at }).collect();
        if accountability::flagged_at(&as_warnings, now) {
            out.push(DepartmentFlag {
                department_id: id,
                department: name,
                warnings: list,
                violation_id: flag_violation(conn, id, now)?,
            });
        }
    }
    Ok(out)
}

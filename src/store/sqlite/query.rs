//! Reads and the small writes shared by several store calls.

use crate::domain::access::Scope;
use crate::store::sql::{Connection, OptionalExtension as _, Row, Transaction, params, params_from_iter};
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::audit::AuditRecord;
use crate::domain::model::{
    Camera, CaseEvent, CaseStatus, CaseSummary, CatalogueItem, Department, Document, Hall, Staff, Step, SuspendReason,
    Window,
};
use crate::domain::time;
use crate::store::{AuditQuery, CaseQuery, HallDirectory, HallSetup, StoreError};

use super::{from_ts, ts};

/// Largest page any list call returns.
const MAX_LIMIT: u32 = 200_000;

fn limit(requested: u32) -> u32 {
    if requested == 0 { 1000 } else { requested.min(MAX_LIMIT) }
}

fn parse_col<T: std::str::FromStr<Err = String>>(r: &Row<'_>, i: usize) -> crate::store::sql::Result<T> {
    let text: String = r.get(i)?;
    text.parse().map_err(|e: String| crate::store::sql::Error::conversion(i, e))
}

fn json_col<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> crate::store::sql::Result<T> {
    let text: String = r.get(i)?;
    serde_json::from_str(&text).map_err(|e| crate::store::sql::Error::conversion(i, e))
}

/// The id of hall `hall`'s department `name` (departments are each hall's own).
pub(super) fn department_id(tx: &Transaction, hall: &str, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_row("SELECT id FROM department WHERE hall_code = ?1 AND name = ?2", [hall, name], |r| r.get(0))
        .optional()?)
}

/// Hall `hall`'s department `name`, creating it (named as given) when unknown. The flag says it was
/// created.
pub(super) fn ensure_department(tx: &Transaction, hall: &str, name: &str) -> Result<(i64, bool), StoreError> {
    if let Some(id) = department_id(tx, hall, name)? {
        return Ok((id, false));
    }
    tx.execute("INSERT INTO department (hall_code, name) VALUES (?1, ?2)", [hall, name])?;
    Ok((tx.last_insert_rowid()?, true))
}

/// Creates the hall when unknown (named by its code). The flag says it was created.
pub(super) fn ensure_hall(tx: &Transaction, code: &str) -> Result<bool, StoreError> {
    let n = tx.execute("INSERT INTO hall (code, name) VALUES (?1, ?1) ON CONFLICT DO NOTHING", [code])?;
    Ok(n > 0)
}

/// The department of catalogue item `code`.
pub(super) fn item_department(tx: &Transaction, code: &str) -> Result<Option<i64>, StoreError> {
    Ok(tx.query_row("SELECT department_id FROM item WHERE code = ?1", [code], |r| r.get(0)).optional()?)
}

pub(super) fn window_id(tx: &Transaction, hall: &str, code: &str) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_row("SELECT id FROM service_window WHERE hall_code = ?1 AND code = ?2", [hall, code], |r| r.get(0))
        .optional()?)
}

/// The window's id, creating it when unknown. The flag says it was created.
pub(super) fn ensure_window(
    tx: &Transaction,
    hall: &str,
    code: &str,
    department_id: Option<i64>,
) -> Result<(i64, bool), StoreError> {
    if let Some(id) = window_id(tx, hall, code)? {
        return Ok((id, false));
    }
    tx.execute(
        "INSERT INTO service_window (hall_code, code, name, department_id) VALUES (?1, ?2, ?2, ?3)",
        params![hall, code, department_id],
    )?;
    Ok((tx.last_insert_rowid()?, true))
}

/// Windows with this code in any hall (a code alone is ambiguous when several halls use it).
pub(super) fn windows_by_code(tx: &Transaction, code: &str) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = tx.prepare_cached("SELECT id, hall_code FROM service_window WHERE code = ?1 ORDER BY hall_code")?;
    let rows = stmt.query_map([code], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Staff member `staff_no` of hall `hall` (staff numbers are each hall's own).
pub(super) fn staff_id(tx: &Transaction, hall: &str, staff_no: &str) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_row("SELECT id FROM staff WHERE hall_code = ?1 AND staff_no = ?2", [hall, staff_no], |r| r.get(0))
        .optional()?)
}

/// Of the rows a write names by number, code or name (`(id, hall)`, in any hall), the one it means: the
/// one in `hall` when given; else the one in the caller's halls; else the only one (the caller's
/// `keep_to` then refuses it, audited); several → an error asking for the hall. `what` names the thing.
pub(super) fn pick(
    found: Vec<(i64, String)>,
    scope: &Scope,
    hall: Option<&str>,
    what: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    if let Some(hall) = hall
        && let Some(one) = found.iter().find(|(_, h)| h == hall)
    {
        return Ok(Some(one.clone()));
    }
    let ours: Vec<&(i64, String)> = found.iter().filter(|(_, h)| scope.covers(Some(h))).collect();
    match (ours.as_slice(), found.as_slice()) {
        ([one], _) => Ok(Some((*one).clone())),
        ([], [one, ..]) => Ok(Some(one.clone())),
        ([], []) => Ok(None),
        (many, _) => Err(StoreError::Invalid(format!(
            "{what} 在多个大厅中都有（{}），请指明大厅 ({what} exists in halls {}: name the hall)",
            many.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>().join("、"),
            many.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The staff member a write names, and its hall (see [`pick`]).
pub(super) fn staff_in(
    tx: &Transaction,
    scope: &Scope,
    hall: Option<&str>,
    staff_no: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    let found: Vec<(i64, String)> = tx
        .prepare_cached("SELECT id, hall_code FROM staff WHERE staff_no = ?1 ORDER BY hall_code")?
        .query_map([staff_no], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    pick(found, scope, hall, &format!("工号 {staff_no}"))
}

/// The hall, departments and windows of a set-up (its cameras are `hall::upsert_plain_camera`'s).
pub(super) fn configure_hall(tx: &Transaction, setup: &HallSetup) -> Result<(), StoreError> {
    let hall = &setup.hall;
    if hall.code.trim().is_empty() || hall.name.trim().is_empty() {
        return Err(StoreError::Invalid("hall code and name are required".into()));
    }
    tx.execute(
        "INSERT INTO hall (code, name, address, level) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, address = excluded.address, level = excluded.level",
        params![hall.code, hall.name, hall.address, hall.level.as_str()],
    )?;
    for d in &setup.departments {
        super::hall::upsert_department(tx, &hall.code, d)?;
    }
    for w in &setup.windows {
        if w.hall_code != hall.code {
            return Err(StoreError::Invalid(format!(
                "window {} belongs to hall {}, not {}",
                w.code, w.hall_code, hall.code
            )));
        }
        let department_id = match &w.department {
            Some(name) => Some(department_id(tx, &hall.code, name)?.ok_or_else(|| {
                StoreError::Invalid(format!("window {}: department {name} is not part of the setup", w.code))
            })?),
            None => None,
        };
        tx.execute(
            "INSERT INTO service_window (hall_code, code, name, department_id) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (hall_code, code) DO UPDATE SET name = excluded.name, department_id = excluded.department_id,
               retired_at = NULL",
            params![w.hall_code, w.code, w.name, department_id],
        )?;
    }
    Ok(())
}

pub(super) fn item_row(r: &Row<'_>) -> crate::store::sql::Result<CatalogueItem> {
    Ok(CatalogueItem {
        code: r.get(0)?,
        name: r.get(1)?,
        department: r.get(2)?,
        legal_days: r.get(3)?,
        promised_days: r.get(4)?,
        fee_fen: r.get(5)?,
        workflow: json_col(r, 6)?,
        step_limits: json_col(r, 7)?,
    })
}

pub(super) const ITEM_SELECT: &str =
    "SELECT i.code, i.name, d.name, i.legal_days, i.promised_days, i.fee_fen, i.workflow, i.step_limits
     FROM item i JOIN department d ON d.id = i.department_id";

/// The halls, departments, windows, staff and cameras of the caller's halls (a department also where
/// it has a window); the catalogue is the city's.
pub(super) fn directory(conn: &Connection, scope: &Scope) -> Result<HallDirectory, StoreError> {
    let halls = conn
        .prepare(&format!(
            "SELECT code, name, address, level FROM hall WHERE 1 = 1{} ORDER BY code",
            scope.sql("code")
        ))?
        .query_map([], |r| Ok(Hall { code: r.get(0)?, name: r.get(1)?, address: r.get(2)?, level: parse_col(r, 3)? }))?
        .collect::<Result<Vec<_>, _>>()?;
    let departments = conn
        .prepare(&format!(
            "SELECT d.name, d.short_name, d.head, d.phone FROM department d WHERE d.retired_at IS NULL
               AND (1 = 1{} OR EXISTS (SELECT 1 FROM service_window w WHERE w.department_id = d.id{}))
             ORDER BY d.hall_code, d.id",
            scope.sql("d.hall_code"),
            scope.sql("w.hall_code")
        ))?
        .query_map([], |r| {
            Ok(Department { name: r.get(0)?, short_name: r.get(1)?, head: r.get(2)?, phone: r.get(3)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let windows = conn
        .prepare(&format!(
            "SELECT w.hall_code, w.code, w.name, d.name FROM service_window w LEFT JOIN department d ON d.id = w.department_id
             WHERE w.retired_at IS NULL{} ORDER BY w.hall_code, w.code",
            scope.sql("w.hall_code")
        ))?
        .query_map([], |r| Ok(Window { hall_code: r.get(0)?, code: r.get(1)?, name: r.get(2)?, department: r.get(3)? }))?
        .collect::<Result<Vec<_>, _>>()?;
    let staff = conn
        .prepare(&format!(
            "SELECT s.staff_no, s.name, d.name, w.code, s.device_user_id FROM staff s
             LEFT JOIN department d ON d.id = s.department_id LEFT JOIN service_window w ON w.id = s.window_id
             WHERE 1 = 1{} ORDER BY s.hall_code, s.staff_no",
            scope.sql("s.hall_code")
        ))?
        .query_map([], |r| {
            Ok(Staff {
                staff_no: r.get(0)?,
                name: r.get(1)?,
                department: r.get(2)?,
                window: r.get(3)?,
                device_user_id: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let cameras = conn
        .prepare(&format!(
            "SELECT c.id, c.name, c.hall_code, w.code, c.main_url, c.sub_url FROM camera c
             LEFT JOIN service_window w ON w.id = c.window_id WHERE c.retired_at IS NULL{} ORDER BY c.hall_code, c.id",
            scope.sql("c.hall_code")
        ))?
        .query_map([], |r| {
            Ok(Camera {
                id: r.get(0)?,
                name: r.get(1)?,
                hall_code: r.get(2)?,
                window_code: r.get(3)?,
                main_url: r.get(4)?,
                sub_url: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let items = conn
        .prepare(&format!("{ITEM_SELECT} ORDER BY i.code"))?
        .query_map([], item_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HallDirectory { halls, departments, windows, staff, cameras, items })
}

fn case_row(r: &Row<'_>) -> crate::store::sql::Result<CaseSummary> {
    Ok(CaseSummary {
        case_no: r.get(0)?,
        item_code: r.get(1)?,
        item_name: r.get(2)?,
        department: r.get(3)?,
        hall: r.get(4)?,
        window: r.get(5)?,
        applicant: r.get(6)?,
        accepted_at: r.get::<_, Option<i64>>(7)?.map(from_ts),
        completed_at: r.get::<_, Option<i64>>(8)?.map(from_ts),
        promised_days: r.get(9)?,
        status: parse_col(r, 10)?,
        event_count: r.get(11)?,
    })
}

pub(super) fn cases(conn: &Connection, q: &CaseQuery, scope: &Scope) -> Result<Vec<CaseSummary>, StoreError> {
    let mut sql = String::from(
        "SELECT c.case_no, c.item_code, i.name, d.name, c.hall_code, w.code, c.applicant, c.accepted_at, c.completed_at,
                coalesce(c.promised_days, i.promised_days), c.status, c.event_count
         FROM case_file c JOIN item i ON i.code = c.item_code JOIN department d ON d.id = i.department_id
         LEFT JOIN service_window w ON w.id = c.window_id WHERE 1 = 1",
    );
    let mut args: Vec<crate::store::sql::Value> = Vec::new();
    let mut push = |clause: &str, value: crate::store::sql::Value, sql: &mut String| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(no) = &q.case_no {
        push(" AND c.case_no = ?", no.clone().into(), &mut sql);
    }
    if let Some(h) = &q.hall {
        push(" AND c.hall_code = ?", h.clone().into(), &mut sql);
    }
    if let Some(d) = &q.department {
        push(" AND d.name = ?", d.clone().into(), &mut sql);
    }
    if let Some(w) = &q.window {
        push(" AND w.code = ?", w.clone().into(), &mut sql);
    }
    if let Some(s) = q.status {
        push(" AND c.status = ?", s.as_str().to_owned().into(), &mut sql);
    }
    if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", t.replace(['%', '_'], ""));
        push(" AND (c.case_no LIKE ? ", pattern.clone().into(), &mut sql);
        push(" OR c.applicant LIKE ?)", pattern.into(), &mut sql);
    }
    if let Some(from) = q.accepted_from {
        push(" AND c.accepted_at >= ?", ts(time::start_of_day(from)).into(), &mut sql);
    }
    if let Some(to) = q.accepted_to.and_then(|d| d.succ_opt()) {
        push(" AND c.accepted_at < ?", ts(time::start_of_day(to)).into(), &mut sql);
    }
    sql.push_str(&scope.sql("c.hall_code"));
    sql.push_str(&format!(" ORDER BY c.accepted_at DESC, c.case_no LIMIT {}", limit(q.limit)));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), case_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(super) const EVENT_SELECT: &str =
    "SELECT c.case_no, c.item_code, e.hall_code, w.code, s.staff_no, e.step, e.occurred_at,
        e.recorded_at, e.documents, e.applicant, e.amount_fen, e.rating, e.reason, e.promised_days
     FROM event e JOIN case_file c ON c.id = e.case_id
     LEFT JOIN service_window w ON w.id = e.window_id LEFT JOIN staff s ON s.id = e.staff_id";

pub(super) fn event_row(r: &Row<'_>) -> crate::store::sql::Result<CaseEvent> {
    let documents: Vec<String> = json_col(r, 8)?;
    Ok(CaseEvent {
        case_no: r.get(0)?,
        item_code: r.get(1)?,
        hall: r.get(2)?,
        window: r.get(3)?,
        staff_no: r.get(4)?,
        step: parse_col::<Step>(r, 5)?,
        occurred_at: from_ts(r.get(6)?),
        recorded_at: from_ts(r.get(7)?),
        documents: documents.iter().filter_map(|d| d.parse::<Document>().ok()).collect(),
        applicant: r.get(9)?,
        amount_fen: r.get(10)?,
        rating: r.get(11)?,
        reason: r.get::<_, Option<String>>(12)?.and_then(|t| t.parse::<SuspendReason>().ok()),
        promised_days: r.get(13)?,
    })
}

pub(super) fn case_events(conn: &Connection, case_no: &str) -> Result<Vec<CaseEvent>, StoreError> {
    let exists: Option<i64> =
        conn.query_row("SELECT id FROM case_file WHERE case_no = ?1", [case_no], |r| r.get(0)).optional()?;
    let Some(case_id) = exists else {
        return Err(StoreError::NotFound(format!("case {case_no}")));
    };
    let mut stmt = conn.prepare(&format!("{EVENT_SELECT} WHERE e.case_id = ?1 ORDER BY e.occurred_at, e.id"))?;
    let rows = stmt.query_map([case_id], event_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The columns [`audit_row`] reads.
pub(super) const AUDIT_COLUMNS: &str =
    "seq, at, actor, role, action, target, detail, prev_hash, hash, workstation, hall_code";

pub(super) fn audit_row(r: &Row<'_>) -> crate::store::sql::Result<AuditRecord> {
    let micros: i64 = r.get(1)?;
    Ok(AuditRecord {
        seq: r.get(0)?,
        at: DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::<Utc>::MIN_UTC),
        actor: r.get(2)?,
        role: r.get(3)?,
        action: r.get(4)?,
        target: r.get(5)?,
        detail: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
        workstation: r.get(9)?,
        hall: r.get(10)?,
    })
}

/// The audit records `q` asks for, of the halls of `scope` (a city-wide account reads all).
pub(super) fn audit_log(conn: &Connection, q: &AuditQuery, scope: &Scope) -> Result<Vec<AuditRecord>, StoreError> {
    let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1 = 1{}", scope.sql("hall_code"));
    let mut args: Vec<crate::store::sql::Value> = Vec::new();
    let mut push = |clause: &str, value: crate::store::sql::Value, sql: &mut String| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(a) = q.actor.as_deref().filter(|a| !a.is_empty()) {
        push(" AND actor = ?", a.to_owned().into(), &mut sql);
    }
    if let Some(p) = q.action_prefix.as_deref().filter(|a| !a.is_empty()) {
        push(" AND (action = ? ", p.to_owned().into(), &mut sql);
        push(" OR action LIKE ?)", format!("{}.%", p.replace('%', "")).into(), &mut sql);
    }
    if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", t.replace('%', ""));
        push(" AND (target LIKE ? ", pattern.clone().into(), &mut sql);
        push(" OR detail LIKE ?)", pattern.into(), &mut sql);
    }
    if let Some(from) = q.from {
        push(" AND at >= ?", from.timestamp_micros().into(), &mut sql);
    }
    if let Some(to) = q.to {
        push(" AND at < ?", to.timestamp_micros().into(), &mut sql);
    }
    if let Some(before) = q.before_seq {
        push(" AND seq < ?", before.into(), &mut sql);
    }
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT {}", limit(q.limit)));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), audit_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The item's row, for import checks.
pub(super) fn item(tx: &Transaction, code: &str) -> Result<Option<CatalogueItem>, StoreError> {
    Ok(tx.query_row(&format!("{ITEM_SELECT} WHERE i.code = ?1"), [code], item_row).optional()?)
}

/// The events of a case, in `occurred_at` order.
pub(super) fn events_of(conn: &Connection, case_id: i64) -> Result<Vec<CaseEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{EVENT_SELECT} WHERE e.case_id = ?1 ORDER BY e.occurred_at, e.id"))?;
    let events = stmt.query_map([case_id], event_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(events)
}

/// Rewrites the case row's derived columns from its events (after an import touched them).
pub(super) fn store_case_summary(tx: &Transaction, case_id: i64, events: &[CaseEvent]) -> Result<(), StoreError> {
    let status: CaseStatus = crate::domain::model::case_status(events);
    let accept = events.iter().find(|e| e.step == Step::Accept);
    let completed = events.iter().find(|e| matches!(e.step, Step::Complete | Step::Deny)).map(|e| ts(e.occurred_at));
    let applicant = events.iter().find_map(|e| e.applicant.clone());
    let window = match accept.and_then(|e| e.hall.as_deref().zip(e.window.as_deref())) {
        Some((h, w)) => window_id(tx, h, w)?,
        None => None,
    };
    // The acceptance's staff member as its event row has it (numbers are each hall's own).
    let staff: Option<i64> = match accept {
        Some(a) => tx
            .prepare_cached("SELECT staff_id FROM event WHERE case_id = ?1 AND step = 'accept' AND occurred_at = ?2")?
            .query_row(params![case_id, ts(a.occurred_at)], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten(),
        None => None,
    };
    tx.prepare_cached(
        "UPDATE case_file SET status = ?2, accepted_at = ?3, completed_at = ?4, applicant = coalesce(?5, applicant),
           window_id = coalesce(?6, window_id), promised_days = ?7, event_count = ?8,
           hall_code = coalesce(hall_code, ?9), staff_id = coalesce(?10, staff_id)
         WHERE id = ?1",
    )?
    .execute(params![
        case_id,
        status.as_str(),
        accept.map(|e| ts(e.occurred_at)),
        completed,
        applicant,
        window,
        accept.and_then(|e| e.promised_days),
        events.len() as i64,
        events.iter().find_map(|e| e.hall.clone()),
        staff,
    ])?;
    Ok(())
}

pub(super) const EVIDENCE_SELECT: &str =
    "SELECT e.id, e.kind, e.camera_id, e.taken_at, e.path, e.sha256, e.bytes, e.width,
        e.height, e.window_code, e.staff_no, e.for_discipline, e.category, e.note, c.name, e.taken_by
     FROM evidence e JOIN camera c ON c.id = e.camera_id";

pub(super) fn evidence_row(r: &Row<'_>) -> crate::store::sql::Result<crate::store::Evidence> {
    Ok(crate::store::Evidence {
        id: r.get(0)?,
        camera_name: r.get(14)?,
        taken_by: r.get(15)?,
        evidence: crate::store::NewEvidence {
            kind: crate::store::EvidenceKind::Snapshot,
            camera_id: r.get(2)?,
            taken_at: from_ts(r.get(3)?),
            path: r.get(4)?,
            sha256: r.get(5)?,
            bytes: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
            width: r.get(7)?,
            height: r.get(8)?,
            window_code: r.get(9)?,
            staff_no: r.get(10)?,
            for_discipline: r.get::<_, i64>(11)? != 0,
            category: r.get(12)?,
            note: r.get(13)?,
        },
    })
}

pub(super) fn insert_evidence(
    tx: &Transaction,
    e: &crate::store::NewEvidence,
    by: &str,
) -> Result<crate::store::Evidence, StoreError> {
    if e.sha256.len() != 64 || !e.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid("sha256 must be 64 hex digits".into()));
    }
    if e.path.trim().is_empty() || e.path.starts_with('/') || e.path.contains("..") {
        return Err(StoreError::Invalid(format!("evidence path {:?} must be relative to the data directory", e.path)));
    }
    if let Some(c) = &e.category
        && !crate::domain::model::DISCIPLINE_CATEGORIES.contains(&c.as_str())
    {
        return Err(StoreError::Invalid(format!("unknown discipline category {c:?}")));
    }
    let camera: Option<i64> =
        tx.query_row("SELECT id FROM camera WHERE id = ?1", [e.camera_id], |r| r.get(0)).optional()?;
    if camera.is_none() {
        return Err(StoreError::NotFound(format!("camera {}", e.camera_id)));
    }
    tx.execute(
        "INSERT INTO evidence (kind, camera_id, taken_at, taken_by, path, sha256, bytes, width, height, window_code, staff_no,
            for_discipline, category, note)
         VALUES ('snapshot', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            e.camera_id,
            ts(e.taken_at),
            by,
            e.path,
            e.sha256,
            e.bytes as i64,
            e.width,
            e.height,
            e.window_code,
            e.staff_no,
            i64::from(e.for_discipline),
            e.category,
            e.note
        ],
    )?;
    let id = tx.last_insert_rowid()?;
    Ok(tx.query_row(&format!("{EVIDENCE_SELECT} WHERE e.id = ?1"), [id], evidence_row)?)
}

pub(super) fn evidence(conn: &Connection, limit: u32) -> Result<Vec<crate::store::Evidence>, StoreError> {
    let mut stmt =
        conn.prepare(&format!("{EVIDENCE_SELECT} ORDER BY e.taken_at DESC, e.id DESC LIMIT {}", self::limit(limit)))?;
    let rows = stmt.query_map([], evidence_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Local date helper for queries by day.
pub(super) fn day_bounds(date: NaiveDate) -> (i64, i64) {
    let start = ts(time::start_of_day(date));
    let end = date.succ_opt().map_or(i64::MAX, |d| ts(time::start_of_day(d)));
    (start, end)
}

/// The hall of case `case_no` (`None` for no such case, or a case of no hall).
pub(super) fn case_hall(conn: &Connection, case_no: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT hall_code FROM case_file WHERE case_no = ?1")?
        .query_row([case_no], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// The hall of case `case_no` when the caller's scope covers it; otherwise "not found", as for a case
/// that does not exist (another hall's case numbers are not told).
pub(super) fn case_in_scope(conn: &Connection, case_no: &str, scope: &Scope) -> Result<(), StoreError> {
    let hall: Option<Option<String>> = conn
        .prepare_cached("SELECT hall_code FROM case_file WHERE case_no = ?1")?
        .query_row([case_no], |r| r.get(0))
        .optional()?;
    match hall {
        Some(hall) if scope.covers(hall.as_deref()) => Ok(()),
        _ => Err(StoreError::NotFound(format!("case {case_no}"))),
    }
}

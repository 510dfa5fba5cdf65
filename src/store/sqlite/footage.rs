//! Footage rows: segments, requests, the register and legal holds. The rules are in
//! `domain::footage`; this module reads and writes rows and applies them.

use crate::store::sql::{Connection, OptionalExtension as _, Row, Transaction, params};
use chrono::{DateTime, Utc};

use super::{from_ts, ts};
use crate::domain::footage::{
    self, FootageRequest, FootageSettings, RequestKind, RequestStatus, SegmentInfo, Span, Use,
};
use crate::domain::time;
use crate::store::{
    CameraRecording, ExportOutcome, FootageAccess, LegalHold, NewFootageRequest, NewSegment, RecordingHealth,
    RequestFilter, Segment, StoreError,
};

/// The longest segment the index accepts (the schema's CHECK), for range scans.
const LONGEST_SEGMENT_MS: i64 = 600_000;

fn refused(r: footage::Refusal) -> StoreError {
    StoreError::Refused(r.to_string())
}

fn segment_row(r: &Row<'_>) -> crate::store::sql::Result<Segment> {
    Ok(Segment {
        id: r.get(0)?,
        camera_id: r.get(1)?,
        span: Span { from: r.get(2)?, to: r.get(3)? },
        path: r.get(4)?,
        bytes: r.get::<_, i64>(5)?.max(0).cast_unsigned(),
        sha256: r.get(6)?,
        holder: r.get(7)?,
    })
}

const SEGMENT_COLUMNS: &str = "id, camera_id, start_ms, end_ms, path, bytes, sha256, holder";

/// The segments a holder keeps: `holder` (a server of several on one database), or the NULL ones (the
/// server of a single hall), as `?N` of a query.
fn held_by(n: usize) -> String {
    format!("coalesce(holder, '') = ?{n}")
}

pub(super) fn camera_exists(conn: &Connection, camera_id: i64) -> Result<(), StoreError> {
    let found: Option<i64> =
        conn.query_row("SELECT id FROM camera WHERE id = ?1", [camera_id], |r| r.get(0)).optional()?;
    found.map(|_| ()).ok_or_else(|| StoreError::NotFound(format!("camera {camera_id}")))
}

/// Indexes a segment the recorder of `holder` (this server; `None` on a single hall's) wrote.
pub(super) fn insert_segment(
    tx: &Transaction,
    s: &NewSegment,
    holder: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Segment, StoreError> {
    camera_exists(tx, s.camera_id)?;
    if s.span.is_empty() || s.span.millis() > LONGEST_SEGMENT_MS {
        return Err(StoreError::Invalid(format!(
            "segment {}: {} ms is not a segment length (1 ms – 10 min)",
            s.path,
            s.span.to - s.span.from
        )));
    }
    if s.path.is_empty() || s.path.starts_with('/') || s.path.contains("..") || s.path.contains('\\') {
        return Err(StoreError::Invalid(format!("segment path {:?} must be relative to the footage root", s.path)));
    }
    if s.sha256.len() != 64 || !s.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid(format!("segment {}: sha256 {:?} is not 64 hex digits", s.path, s.sha256)));
    }
    tx.execute(
        "INSERT INTO segment (camera_id, start_ms, end_ms, path, bytes, sha256, indexed_at, holder)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![s.camera_id, s.span.from, s.span.to, s.path, s.bytes.cast_signed(), s.sha256, ts(now), holder],
    )
    .map_err(|e| {
        if e.is_constraint_violation() {
            StoreError::Conflict(format!("segment {} is already indexed", s.path))
        } else {
            e.into()
        }
    })?;
    let id = tx.last_insert_rowid()?;
    Ok(Segment {
        id,
        camera_id: s.camera_id,
        span: s.span,
        path: s.path.clone(),
        bytes: s.bytes,
        sha256: s.sha256.clone(),
        holder: holder.map(str::to_owned),
    })
}

/// Segments of a camera overlapping `span`, in time order. An index range scan: a segment that
/// overlaps starts before `span.to` and after `span.from` minus the longest segment.
pub(super) fn segments(conn: &Connection, camera_id: i64, span: Span) -> Result<Vec<Segment>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SEGMENT_COLUMNS} FROM segment
         WHERE camera_id = ?1 AND start_ms < ?2 AND start_ms > ?3 AND end_ms > ?4 ORDER BY start_ms"
    ))?;
    let rows = stmt
        .query_map(params![camera_id, span.to, span.from - LONGEST_SEGMENT_MS, span.from], segment_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The paths of the segments `holder` keeps (its recorder's files).
pub(super) fn segment_paths(conn: &Connection, holder: Option<&str>) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT path FROM segment WHERE {} ORDER BY path", held_by(1)))?;
    let rows = stmt.query_map([holder.unwrap_or("")], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Active holds and copies in progress within their grant's 12 hours: what retention must keep, per
/// camera.
fn protected(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<(i64, Span)>, StoreError> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT camera_id, from_ms, to_ms FROM legal_hold WHERE lifted_at IS NULL
         UNION ALL SELECT camera_id, from_ms, to_ms FROM footage_access WHERE status = 'running' AND at > ?1",
    )?;
    for row in stmt.query_map([ts(now - chrono::Duration::hours(GRANT_HOURS))], |r| {
        Ok((r.get::<_, i64>(0)?, Span { from: r.get(1)?, to: r.get(2)? }))
    })? {
        out.push(row?);
    }
    Ok(out)
}

/// Copies left "in progress" past their grant's 12 hours (the console closed, or a holder who never
/// finishes): marked failed, so that they stop keeping footage from retention. Their register lines.
pub(super) fn abandon_stale_exports(tx: &Transaction, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
    let stale: Vec<i64> = tx
        .prepare("SELECT id FROM footage_access WHERE status = 'running' AND at <= ?1 ORDER BY id")?
        .query_map([ts(now - chrono::Duration::hours(GRANT_HOURS))], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &stale {
        tx.execute(
            "UPDATE footage_access SET status = 'failed', note = ?2, finished_at = ?3 WHERE id = ?1",
            params![id, "授权 12 小时内未完成，已作废 (not finished within the 12 hours of its grant)", ts(now)],
        )?;
    }
    Ok(stale)
}

/// Retention over the segments `holder` keeps (its own disks: another server's budget is its own).
pub(super) fn expire_segments(
    tx: &Transaction,
    settings: &FootageSettings,
    holder: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<Segment>, StoreError> {
    // Only old segments matter for the age rule; the budget needs them all (sizes only).
    let all: Vec<Segment> = {
        let mut stmt = tx.prepare(&format!("SELECT {SEGMENT_COLUMNS} FROM segment WHERE {}", held_by(1)))?;
        stmt.query_map([holder.unwrap_or("")], segment_row)?.collect::<Result<Vec<_>, _>>()?
    };
    let infos: Vec<SegmentInfo> =
        all.iter().map(|s| SegmentInfo { id: s.id, camera: s.camera_id, span: s.span, bytes: s.bytes }).collect();
    let victims = footage::retention_victims(&infos, &protected(tx, now)?, now, settings);
    let victim_set: std::collections::HashSet<i64> = victims.iter().copied().collect();
    let mut delete = tx.prepare_cached("DELETE FROM segment WHERE id = ?1")?;
    for id in &victims {
        delete.execute([id])?;
    }
    Ok(all.into_iter().filter(|s| victim_set.contains(&s.id)).collect())
}

pub(super) fn recording_health(conn: &Connection, span: Span) -> Result<RecordingHealth, StoreError> {
    let cameras: Vec<(i64, String, Option<String>)> = {
        let mut stmt = conn.prepare(
            "SELECT c.id, c.name, w.code FROM camera c LEFT JOIN service_window w ON w.id = c.window_id ORDER BY c.id",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<Vec<_>, _>>()?
    };
    let mut out = Vec::with_capacity(cameras.len());
    let mut total = 0u64;
    for (camera_id, camera_name, window_code) in cameras {
        let (last_end, bytes, count): (Option<i64>, i64, i64) = conn.query_row(
            "SELECT max(end_ms), coalesce(sum(bytes), 0), count(*) FROM segment WHERE camera_id = ?1",
            [camera_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let within: Vec<SegmentInfo> = segments(conn, camera_id, span)?
            .into_iter()
            .map(|s| SegmentInfo { id: s.id, camera: s.camera_id, span: s.span, bytes: s.bytes })
            .collect();
        let runs = footage::recorded_runs(&within, 1_500);
        let bytes = bytes.max(0).cast_unsigned();
        total += bytes;
        out.push(CameraRecording {
            camera_id,
            camera_name,
            window_code,
            last_end: last_end.and_then(DateTime::from_timestamp_millis),
            bytes,
            segments: count.max(0).cast_unsigned(),
            gaps: footage::gaps(&runs, span),
        });
    }
    Ok(RecordingHealth { checked: span, cameras: out, total_bytes: total })
}

const REQUEST_COLUMNS: &str = "id, request_no, requester, second_person, purpose, kind, from_ms, to_ms, created_at, \
     status, decided_by, decided_at, decision_note, expires_at, case_no, complaint_no";

fn request_row(r: &Row<'_>) -> crate::store::sql::Result<FootageRequest> {
    let kind: String = r.get(5)?;
    let status: String = r.get(9)?;
    Ok(FootageRequest {
        id: r.get(0)?,
        request_no: r.get(1)?,
        requester: r.get(2)?,
        second_person: r.get(3)?,
        purpose: r.get(4)?,
        kind: kind.parse().unwrap_or(RequestKind::View),
        cameras: Vec::new(),
        span: Span { from: r.get(6)?, to: r.get(7)? },
        created_at: from_ts(r.get(8)?),
        status: status.parse().unwrap_or(RequestStatus::Cancelled),
        decided_by: r.get(10)?,
        decided_at: r.get::<_, Option<i64>>(11)?.map(from_ts),
        decision_note: r.get(12)?,
        expires_at: r.get::<_, Option<i64>>(13)?.map(from_ts),
        case_no: r.get(14)?,
        complaint_no: r.get(15)?,
    })
}

fn with_cameras(conn: &Connection, mut r: FootageRequest) -> Result<FootageRequest, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT camera_id FROM footage_request_camera WHERE request_id = ?1 ORDER BY camera_id")?;
    r.cameras = stmt.query_map([r.id], |row| row.get(0))?.collect::<Result<Vec<i64>, _>>()?;
    Ok(r)
}

pub(super) fn request_by_id(conn: &Connection, id: i64) -> Result<FootageRequest, StoreError> {
    let r = conn
        .query_row(&format!("SELECT {REQUEST_COLUMNS} FROM footage_request WHERE id = ?1"), [id], request_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("footage request {id}")))?;
    with_cameras(conn, r)
}

pub(super) fn insert_request(
    tx: &Transaction,
    new: &NewFootageRequest,
    requester: &str,
    settings: &FootageSettings,
    now: DateTime<Utc>,
) -> Result<FootageRequest, StoreError> {
    let mut cameras = new.cameras.clone();
    cameras.sort_unstable();
    cameras.dedup();
    let second = new.second_person.as_deref().map(str::trim).filter(|s| !s.is_empty());
    footage::check_new_request(requester, second, &new.purpose, &cameras, new.span, now, settings)
        .map_err(|r| StoreError::Invalid(r.to_string()))?;
    for c in &cameras {
        camera_exists(tx, *c)?;
    }
    if let Some(p) = second {
        let known: Option<i64> =
            tx.query_row("SELECT id FROM \"user\" WHERE username = ?1 AND active = 1", [p], |r| r.get(0)).optional()?;
        if known.is_none() {
            return Err(StoreError::Invalid(format!("第二人 {p} 不是本系统的用户 (no such user)")));
        }
    }
    let year = chrono::Datelike::year(&time::local_date(now));
    let seq: i64 =
        tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM footage_request WHERE year = ?1", [year], |r| r.get(0))?;
    let request_no = format!("调〔{year}〕第{seq}号");
    tx.execute(
        "INSERT INTO footage_request (request_no, year, seq, requester, second_person, purpose, kind, from_ms, to_ms,
           created_at, case_no, complaint_no)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            request_no,
            year,
            seq,
            requester,
            second,
            new.purpose.trim(),
            new.kind.as_str(),
            new.span.from,
            new.span.to,
            ts(now),
            new.case_no.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            new.complaint_no.as_deref().map(str::trim).filter(|s| !s.is_empty()),
        ],
    )?;
    let id = tx.last_insert_rowid()?;
    let mut insert = tx.prepare_cached("INSERT INTO footage_request_camera (request_id, camera_id) VALUES (?1, ?2)")?;
    for c in &cameras {
        insert.execute([id, *c])?;
    }
    request_by_id(tx, id)
}

pub(super) fn requests(
    conn: &Connection,
    filter: RequestFilter,
    user: &str,
) -> Result<Vec<FootageRequest>, StoreError> {
    let (condition, bind): (&str, Option<&str>) = match filter {
        RequestFilter::Mine => ("requester = ?1 OR second_person = ?1", Some(user)),
        RequestFilter::Pending => ("status = 'pending'", None),
        RequestFilter::All => ("TRUE", None),
    };
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM footage_request WHERE {condition} ORDER BY id DESC LIMIT 500");
    let mut stmt = conn.prepare(&sql)?;
    let rows = match bind {
        Some(u) => stmt.query_map([u], request_row)?.collect::<Result<Vec<_>, _>>()?,
        None => stmt.query_map([], request_row)?.collect::<Result<Vec<_>, _>>()?,
    };
    rows.into_iter().map(|r| with_cameras(conn, r)).collect()
}

pub(super) fn decide(
    tx: &Transaction,
    id: i64,
    approve: bool,
    note: &str,
    actor: &super::Actor,
    settings: &FootageSettings,
    now: DateTime<Utc>,
) -> Result<FootageRequest, StoreError> {
    // Whether the caller may decide requests at all is said before anything about the request is
    // looked up: whether a request exists is nobody's business who cannot decide it.
    footage::may_decide_any(actor.role).map_err(refused)?;
    let request = request_by_id(tx, id)?;
    footage::may_decide(&request, &actor.username, actor.role).map_err(refused)?;
    // Four eyes means two people: not a chief account the requester made, promoted or confirmed, nor
    // one that became a chief after the request (the audit log records who gave the role, and when).
    let granted: Option<(i64, String, Option<String>)> = tx
        .query_row(
            "SELECT at, actor, json_extract(detail, '$.requested_by') FROM audit_log WHERE target = ?1
               AND ((action = 'user.create' AND json_extract(detail, '$.role') = 'chief')
                 OR (action = 'user.update' AND json_extract(detail, '$.role[1]') = 'chief'))
             ORDER BY seq DESC LIMIT 1",
            [format!("user:{}", actor.username)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    // A chief whose password an administrator reset after the request was made may be someone else
    // now: not for this request.
    let reset_at: Option<i64> = tx
        .query_row("SELECT password_reset_at FROM \"user\" WHERE username = ?1", [&actor.username], |r| r.get(0))
        .optional()?
        .flatten();
    if reset_at.is_some_and(|at| at >= request.created_at.timestamp()) {
        return Err(refused(footage::Refusal::ResetAfterRequest));
    }
    if let Some((at_micros, by, requested_by)) = granted {
        if by == request.requester || requested_by.as_deref() == Some(request.requester.as_str()) {
            return Err(refused(footage::Refusal::RoleFromRequester));
        }
        // Requests are kept to the second; a role given in the same second counts as before.
        if at_micros.div_euclid(1_000_000) > request.created_at.timestamp() {
            return Err(refused(footage::Refusal::RoleAfterRequest));
        }
    }
    let note = note.trim();
    if !approve && note.is_empty() {
        return Err(StoreError::Invalid("拒绝须写明理由 (a refusal needs a reason)".into()));
    }
    let (status, expires) = if approve {
        (RequestStatus::Approved, Some(ts(footage::expiry(now, settings))))
    } else {
        (RequestStatus::Refused, None)
    };
    tx.execute(
        "UPDATE footage_request SET status = ?2, decided_by = ?3, decided_at = ?4, decision_note = ?5, expires_at = ?6
         WHERE id = ?1 AND status = 'pending'",
        params![id, status.as_str(), actor.username, ts(now), Some(note).filter(|n| !n.is_empty()), expires],
    )?;
    request_by_id(tx, id)
}

pub(super) fn cancel(tx: &Transaction, id: i64, user: &str) -> Result<FootageRequest, StoreError> {
    let request = request_by_id(tx, id)?;
    if request.requester != user {
        return Err(refused(footage::Refusal::NotHolder));
    }
    if request.status != RequestStatus::Pending {
        return Err(refused(footage::Refusal::NotPending));
    }
    tx.execute("UPDATE footage_request SET status = 'cancelled' WHERE id = ?1", [id])?;
    request_by_id(tx, id)
}

/// Checks the use and writes its register line; returns the line's id and the request.
#[allow(clippy::too_many_arguments, reason = "one register line's fields")]
pub(super) fn open(
    tx: &Transaction,
    request_id: i64,
    camera_ids: &[i64],
    span: Span,
    use_: Use,
    destination: Option<&str>,
    user: &str,
    now: DateTime<Utc>,
) -> Result<(i64, FootageRequest), StoreError> {
    let request = request_by_id(tx, request_id)?;
    let Some(&camera_id) = camera_ids.first() else {
        return Err(StoreError::Invalid("没有选择摄像头 (no camera chosen)".into()));
    };
    if camera_ids.len() > crate::store::MAX_GRANT_CAMERAS {
        return Err(StoreError::Invalid(format!(
            "一次最多 {} 路摄像头 (at most {} cameras at once; {} were asked for)",
            crate::store::MAX_GRANT_CAMERAS,
            crate::store::MAX_GRANT_CAMERAS,
            camera_ids.len()
        )));
    }
    if (1..camera_ids.len()).any(|i| camera_ids[..i].contains(&camera_ids[i])) {
        return Err(StoreError::Invalid("同一摄像头列了两次 (a camera is named twice)".into()));
    }
    for &camera in camera_ids {
        footage::check_use(&request, user, camera, span, use_, now).map_err(refused)?;
    }
    let (action, status, destination) = match use_ {
        Use::View => ("view", "done", None),
        Use::Export => {
            let d = destination
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .ok_or_else(|| StoreError::Invalid("拷贝须写明去向 (a copy needs its destination)".into()))?;
            // A copy in progress keeps its footage from retention: one person may not pin much of it.
            let running: i64 = tx.query_row(
                "SELECT COUNT(*) FROM footage_access WHERE \"user\" = ?1 AND status = 'running' AND at > ?2",
                params![user, ts(now - chrono::Duration::hours(GRANT_HOURS))],
                |r| r.get(0),
            )?;
            if running >= MAX_RUNNING_EXPORTS {
                return Err(StoreError::Refused(format!(
                    "已有 {running} 个拷贝未完成 (you have {running} copies in progress; finish or cancel one first)"
                )));
            }
            ("export", "running", Some(d))
        }
    };
    tx.execute(
        "INSERT INTO footage_access (request_id, \"user\", action, camera_id, from_ms, to_ms, at, destination, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![request_id, user, action, camera_id, span.from, span.to, ts(now), destination, status],
    )?;
    let id = tx.last_insert_rowid()?;
    for camera in &camera_ids[1..] {
        tx.execute("INSERT INTO footage_access_camera (access_id, camera_id) VALUES (?1, ?2)", params![id, camera])?;
    }
    Ok((id, request))
}

/// How long a grant lets its holder read the segment files (a sitting's viewing, or a copy).
pub(super) const GRANT_HOURS: i64 = 12;

/// Copies one person may have in progress at once.
pub(super) const MAX_RUNNING_EXPORTS: i64 = 4;

/// A segment of a grant (see `Store::footage_segment`).
pub(super) fn granted_segment(
    conn: &Connection,
    access_id: i64,
    segment_id: i64,
    user: &str,
    now: DateTime<Utc>,
) -> Result<crate::store::GrantedSegment, StoreError> {
    let (request_id, holder, action, camera_id, from, to, at): (i64, String, String, i64, i64, i64, i64) = conn
        .query_row(
            "SELECT request_id, \"user\", action, camera_id, from_ms, to_ms, at FROM footage_access WHERE id = ?1",
            [access_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("footage register line {access_id}")))?;
    if holder != user {
        return Err(refused(footage::Refusal::NotHolder));
    }
    if now - from_ts(at) > chrono::Duration::hours(GRANT_HOURS) {
        return Err(refused(footage::Refusal::Expired));
    }
    let span = Span { from, to };
    let use_ = if action == "export" { Use::Export } else { Use::View };
    let request = request_by_id(conn, request_id)?;
    let segment = conn
        .query_row(&format!("SELECT {SEGMENT_COLUMNS} FROM segment WHERE id = ?1"), [segment_id], segment_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("segment {segment_id}")))?;
    let granted_camera = segment.camera_id == camera_id
        || conn
            .query_row(
                "SELECT 1 FROM footage_access_camera WHERE access_id = ?1 AND camera_id = ?2",
                params![access_id, segment.camera_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
    if !granted_camera || segment.span.to <= span.from || segment.span.from >= span.to {
        return Err(refused(footage::Refusal::OutsideRange));
    }
    footage::check_use(&request, user, segment.camera_id, span, use_, now).map_err(refused)?;
    let part = Span { from: segment.span.from.max(span.from), to: segment.span.to.min(span.to) };
    Ok(crate::store::GrantedSegment { segment, part })
}

const ACCESS_COLUMNS: &str = "a.id, r.request_no, r.purpose, a.\"user\", a.action, a.camera_id, c.name, a.from_ms, a.to_ms, \
     a.at, a.destination, a.status, a.sha256, a.bytes, a.note, \
     (SELECT group_concat(CAST(x.camera_id AS TEXT)) FROM footage_access_camera x WHERE x.access_id = a.id), \
     (SELECT group_concat(n.name, '、') FROM footage_access_camera x JOIN camera n ON n.id = x.camera_id \
       WHERE x.access_id = a.id)";

fn access_row(r: &Row<'_>) -> crate::store::sql::Result<FootageAccess> {
    let action: String = r.get(4)?;
    let camera_id: i64 = r.get(5)?;
    let mut camera_name: String = r.get(6)?;
    let more: Option<String> = r.get(15)?;
    let mut cameras = vec![camera_id];
    cameras.extend(more.iter().flat_map(|m| m.split(',')).filter_map(|c| c.parse::<i64>().ok()));
    if let Some(names) = r.get::<_, Option<String>>(16)? {
        camera_name = format!("{camera_name}、{names}");
    }
    Ok(FootageAccess {
        id: r.get(0)?,
        request_no: r.get(1)?,
        purpose: r.get(2)?,
        user: r.get(3)?,
        action: if action == "export" { Use::Export } else { Use::View },
        camera_id,
        camera_name,
        cameras,
        span: Span { from: r.get(7)?, to: r.get(8)? },
        at: from_ts(r.get(9)?),
        destination: r.get(10)?,
        status: r.get(11)?,
        sha256: r.get(12)?,
        bytes: r.get::<_, Option<i64>>(13)?.map(|b| b.max(0).cast_unsigned()),
        note: r.get(14)?,
    })
}

pub(super) fn access_by_id(conn: &Connection, id: i64) -> Result<FootageAccess, StoreError> {
    conn.query_row(
        &format!(
            "SELECT {ACCESS_COLUMNS} FROM footage_access a JOIN footage_request r ON r.id = a.request_id
             JOIN camera c ON c.id = a.camera_id WHERE a.id = ?1"
        ),
        [id],
        access_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("footage register line {id}")))
}

pub(super) fn finish_export(
    tx: &Transaction,
    id: i64,
    outcome: &ExportOutcome,
    user: &str,
    now: DateTime<Utc>,
) -> Result<FootageAccess, StoreError> {
    let line = access_by_id(tx, id)?;
    if line.action != Use::Export || line.status != "running" {
        return Err(StoreError::Conflict(format!("register line {id} is not a copy in progress")));
    }
    if line.user != user {
        return Err(refused(footage::Refusal::NotHolder));
    }
    let (status, sha, bytes, note) = match outcome {
        ExportOutcome::Done { sha256, bytes } => ("done", Some(sha256.as_str()), Some(bytes.cast_signed()), None),
        ExportOutcome::Failed { message } => ("failed", None, None, Some(message.as_str())),
        ExportOutcome::Cancelled => ("cancelled", None, None, None),
    };
    tx.execute(
        "UPDATE footage_access SET status = ?2, sha256 = ?3, bytes = ?4, note = ?5, finished_at = ?6 WHERE id = ?1",
        params![id, status, sha, bytes, note, ts(now)],
    )?;
    access_by_id(tx, id)
}

pub(super) fn register(conn: &Connection, user: Option<&str>, limit: u32) -> Result<Vec<FootageAccess>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ACCESS_COLUMNS} FROM footage_access a JOIN footage_request r ON r.id = a.request_id
         JOIN camera c ON c.id = a.camera_id WHERE ?1 IS NULL OR a.\"user\" = ?1 ORDER BY a.id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![user, limit], access_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(super) fn hold_row(r: &Row<'_>) -> crate::store::sql::Result<LegalHold> {
    let lifted_by: Option<String> = r.get(7)?;
    let lifted_at: Option<i64> = r.get(8)?;
    let lift_reason: Option<String> = r.get(9)?;
    Ok(LegalHold {
        id: r.get(0)?,
        camera_id: r.get(1)?,
        span: Span { from: r.get(2)?, to: r.get(3)? },
        reason: r.get(4)?,
        created_by: r.get(5)?,
        created_at: from_ts(r.get(6)?),
        lifted: lifted_by.zip(lifted_at).map(|(by, at)| (by, from_ts(at), lift_reason.unwrap_or_default())),
    })
}

pub(super) const HOLD_COLUMNS: &str =
    "id, camera_id, from_ms, to_ms, reason, created_by, created_at, lifted_by, lifted_at, lift_reason";

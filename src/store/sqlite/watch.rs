//! The camera watchers' settings and findings (Art 11(8)): reference views and seat regions set by
//! administrators, snapshots kept in the database (so that every workstation sees the same evidence),
//! findings raised and ended by the watchers, and a supervisor's decision — a confirmed finding
//! becomes a discipline observation in the same transaction.

use crate::store::sql::{Connection, OptionalExtension as _, Row, Transaction, params};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sha2::{Digest as _, Sha256};

use super::{from_ts, ts};
use crate::domain::alerts::RuleBook;
use crate::domain::discipline::ObservationSource;
use crate::domain::footage::Span;
use crate::domain::time;
use crate::domain::watch::{FindingDecision, FindingKind, Region, png_size};
use crate::store::{
    CameraFinding, CameraWatch, FindingQuery, NewObservation, SnapshotRef, StoreError, WatchConfig, WatchReport,
};

/// The largest picture kept (a reference view or a snapshot).
pub const MAX_PNG_BYTES: usize = 4 * 1024 * 1024;

/// The largest side of a picture kept (the sub stream's picture is 320 or 640 wide; a reference view
/// from the main stream at most 4K).
const MAX_PNG_SIDE: u32 = 4096;
/// A camera the recorder reported within this long is watched by the recorder service.
const RECORDED_WITHIN_SECONDS: i64 = 30;
/// The longest reason or note kept.
const NOTE_CHARS: usize = 500;

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Invalid(message.into())
}

/// The picture's size, or why it is not one the store keeps.
fn check_png(png: &[u8], what: &str) -> Result<(u32, u32), StoreError> {
    if png.len() > MAX_PNG_BYTES {
        return Err(invalid(format!("{what}: {} bytes is over {MAX_PNG_BYTES}", png.len())));
    }
    let (width, height) = png_size(png).ok_or_else(|| invalid(format!("{what}: not a PNG picture")))?;
    if width > MAX_PNG_SIDE || height > MAX_PNG_SIDE {
        return Err(invalid(format!("{what}: {width}×{height} is larger than {MAX_PNG_SIDE}×{MAX_PNG_SIDE}")));
    }
    // The whole picture must decode as its header says: a header claiming a picture, followed by junk,
    // is not kept as evidence. Decoding is bounded by the size just checked.
    let limits = png::Limits { bytes: (MAX_PNG_SIDE as usize).pow(2) * 8 };
    let decoded =
        png::Decoder::new_with_limits(std::io::Cursor::new(png), limits).read_info().and_then(|mut reader| {
            let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
            reader.next_frame(&mut buf).map(|_| ())
        });
    decoded.map_err(|e| invalid(format!("{what}: the PNG does not decode ({e})")))?;
    Ok((width, height))
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn camera_exists(conn: &Connection, camera_id: i64) -> Result<(), StoreError> {
    let found: Option<i64> = conn
        .query_row("SELECT id FROM camera WHERE id = ?1 AND retired_at IS NULL", [camera_id], |r| r.get(0))
        .optional()?;
    found.map(|_| ()).ok_or_else(|| StoreError::NotFound(format!("camera {camera_id}")))
}

/// Today's opening periods of a hall, as UTC instants.
fn open_periods(rules: &RuleBook, hall: &str, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let today = time::local_date(now);
    if !rules.calendar.is_working_day(today) {
        return Vec::new();
    }
    let schedule = rules.attendance.schedule(Some(hall), today);
    [&schedule.morning, &schedule.afternoon]
        .into_iter()
        .map(|h| (time::from_local(today.and_time(h.start)), time::from_local(today.and_time(h.end))))
        .collect()
}

pub(super) fn config(conn: &Connection, rules: &RuleBook, now: DateTime<Utc>) -> Result<WatchConfig, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, c.hall_code, w.code, cw.seat_x, cw.seat_y, cw.seat_w, cw.seat_h, cw.reference_png,
                cw.reference_sha256, cw.reference_set_by, cw.reference_set_at, l.reported_at
         FROM camera c LEFT JOIN service_window w ON w.id = c.window_id
         LEFT JOIN camera_watch cw ON cw.camera_id = c.id LEFT JOIN camera_link l ON l.camera_id = c.id
         WHERE c.retired_at IS NULL ORDER BY c.hall_code, c.name",
    )?;
    let recent = ts(now) - RECORDED_WITHIN_SECONDS;
    let cameras = stmt
        .query_map([], |r| {
            let f = |i: usize| r.get::<_, Option<f64>>(i);
            let seat = match (f(4)?, f(5)?, f(6)?, f(7)?) {
                (Some(x), Some(y), Some(w), Some(h)) => {
                    Some(Region { x: x as f32, y: y as f32, width: w as f32, height: h as f32 })
                }
                _ => None,
            };
            let hall: String = r.get(2)?;
            Ok(CameraWatch {
                camera_id: r.get(0)?,
                camera_name: r.get(1)?,
                open_periods: open_periods(rules, &hall, now),
                hall_code: hall,
                window_code: r.get(3)?,
                seat,
                reference_png: r.get(8)?,
                reference_sha256: r.get(9)?,
                reference_set_by: r.get(10)?,
                reference_set_at: r.get::<_, Option<i64>>(11)?.map(from_ts),
                recorded: r.get::<_, Option<i64>>(12)?.is_some_and(|at| at >= recent),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WatchConfig {
        tamper_seconds: rules.footage.tamper_seconds,
        absent_seconds: rules.footage.absent_seconds,
        cameras,
    })
}

/// Sets or clears the reference view; returns its SHA-256 (for the audit record).
pub(super) fn set_reference(
    tx: &Transaction,
    camera_id: i64,
    png: Option<&[u8]>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    camera_exists(tx, camera_id)?;
    let sha = match png {
        Some(png) => {
            check_png(png, "reference view")?;
            Some(sha256(png))
        }
        None => None,
    };
    tx.execute(
        "INSERT INTO camera_watch (camera_id, reference_png, reference_sha256, reference_set_by, reference_set_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (camera_id) DO UPDATE SET reference_png = ?2, reference_sha256 = ?3, reference_set_by = ?4,
           reference_set_at = ?5",
        params![camera_id, png, sha, png.map(|_| by), png.map(|_| ts(now))],
    )?;
    Ok(sha)
}

pub(super) fn set_seat(tx: &Transaction, camera_id: i64, seat: Option<Region>) -> Result<(), StoreError> {
    camera_exists(tx, camera_id)?;
    if let Some(s) = seat
        && !s.is_valid()
    {
        return Err(invalid(format!(
            "seat: the region ({}, {}, {} × {}) must lie inside the picture (fractions 0–1, at least 0.02 each way)",
            s.x, s.y, s.width, s.height
        )));
    }
    let v = |f: fn(&Region) -> f32| seat.as_ref().map(|s| f64::from(f(s)));
    tx.execute(
        "INSERT INTO camera_watch (camera_id, seat_x, seat_y, seat_w, seat_h) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (camera_id) DO UPDATE SET seat_x = ?2, seat_y = ?3, seat_w = ?4, seat_h = ?5",
        params![camera_id, v(|s| s.x), v(|s| s.y), v(|s| s.width), v(|s| s.height)],
    )?;
    Ok(())
}

fn insert_snapshot(
    tx: &Transaction,
    camera_id: i64,
    png: &[u8],
    taken_at: DateTime<Utc>,
    what: &str,
) -> Result<i64, StoreError> {
    let (width, height) = check_png(png, what)?;
    tx.execute(
        "INSERT INTO watch_snapshot (camera_id, taken_at, png, sha256, width, height) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![camera_id, ts(taken_at), png, sha256(png), width, height],
    )?;
    Ok(tx.last_insert_rowid()?)
}

const SELECT: &str = "SELECT f.id, f.camera_id, c.name, w.code, f.kind, f.since, f.raised_at, f.resolved_at,
        a.id, a.taken_at, a.sha256, a.width, a.height, b.id, b.taken_at, b.sha256, b.width, b.height,
        f.reported_by, s.staff_no, s.name, f.staff_note, f.decision, f.decided_by, f.decided_at, f.reason,
        f.observation_id
    FROM camera_finding f JOIN camera c ON c.id = f.camera_id LEFT JOIN service_window w ON w.id = c.window_id
    LEFT JOIN watch_snapshot a ON a.id = f.first_snapshot_id LEFT JOIN watch_snapshot b ON b.id = f.second_snapshot_id
    LEFT JOIN staff s ON s.id = f.staff_id";

fn snapshot_at(r: &Row<'_>, at: usize) -> crate::store::sql::Result<Option<SnapshotRef>> {
    let Some(id) = r.get::<_, Option<i64>>(at)? else { return Ok(None) };
    Ok(Some(SnapshotRef {
        id,
        taken_at: from_ts(r.get(at + 1)?),
        sha256: r.get(at + 2)?,
        width: r.get(at + 3)?,
        height: r.get(at + 4)?,
    }))
}

fn row(r: &Row<'_>) -> crate::store::sql::Result<CameraFinding> {
    let kind: String = r.get(4)?;
    let decision: Option<String> = r.get(22)?;
    let conversion = |i: usize, e: String| crate::store::sql::Error::conversion(i, e);
    Ok(CameraFinding {
        id: r.get(0)?,
        camera_id: r.get(1)?,
        camera_name: r.get(2)?,
        window_code: r.get(3)?,
        kind: kind.parse().map_err(|e| conversion(4, e))?,
        since: from_ts(r.get(5)?),
        raised_at: from_ts(r.get(6)?),
        resolved_at: r.get::<_, Option<i64>>(7)?.map(from_ts),
        first_snapshot: snapshot_at(r, 8)?,
        second_snapshot: snapshot_at(r, 13)?,
        reported_by: r.get(18)?,
        staff_no: r.get(19)?,
        staff_name: r.get(20)?,
        staff_note: r.get(21)?,
        decision: match decision.as_deref() {
            None => None,
            Some("confirmed") => Some(FindingDecision::Confirmed),
            Some("dismissed") => Some(FindingDecision::Dismissed),
            Some(other) => return Err(conversion(22, format!("unknown decision {other:?}"))),
        },
        decided_by: r.get(23)?,
        decided_at: r.get::<_, Option<i64>>(24)?.map(from_ts),
        reason: r.get(25)?,
        observation_id: r.get(26)?,
    })
}

fn finding(conn: &Connection, id: i64) -> Result<CameraFinding, StoreError> {
    conn.query_row(&format!("{SELECT} WHERE f.id = ?1"), [id], row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("camera finding {id}")))
}

/// The window's staff on duty at `at` (the person whose window it is; the first of several), and a
/// note of their approved leave or 公出 then.
fn on_duty(tx: &Transaction, camera_id: i64, at: DateTime<Utc>) -> Result<(Option<i64>, String), StoreError> {
    let staff: Option<i64> = tx
        .query_row(
            "SELECT s.id FROM staff s JOIN camera c ON c.window_id = s.window_id WHERE c.id = ?1 ORDER BY s.staff_no LIMIT 1",
            [camera_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(staff) = staff else { return Ok((None, String::new())) };
    let local = time::local_datetime(at).format("%Y-%m-%d %H:%M:%S").to_string();
    let leave: Option<(String, String, String)> = tx
        .query_row(
            "SELECT kind, start, \"end\" FROM leave WHERE staff_id = ?1 AND start <= ?2 AND \"end\" > ?2 ORDER BY start LIMIT 1",
            params![staff, local],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let note = match leave {
        Some((kind, start, end)) => {
            let what = if kind == "business" { "公出" } else { "请假" };
            format!("当时有经批准的{what}（{start} 至 {end}）")
        }
        None => String::new(),
    };
    Ok((Some(staff), note))
}

/// Raises or ends a finding; `None` when the report changed nothing (already open, nothing open).
pub(super) fn report(
    tx: &Transaction,
    report: &WatchReport,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Option<CameraFinding>, StoreError> {
    let (camera_id, kind) = match report {
        WatchReport::Raised { camera_id, kind, .. } | WatchReport::Ended { camera_id, kind, .. } => (*camera_id, *kind),
    };
    camera_exists(tx, camera_id)?;
    let open: Option<i64> = tx
        .query_row(
            "SELECT id FROM camera_finding WHERE camera_id = ?1 AND kind = ?2 AND resolved_at IS NULL",
            params![camera_id, kind.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    match report {
        WatchReport::Raised { since, first, second, .. } => {
            if open.is_some() {
                return Ok(None);
            }
            // A watcher's clock may differ a little from the store's; never in the future, never over a day.
            let since = (*since).min(now).max(now - Duration::days(1));
            let first = first.as_deref().map(|png| insert_snapshot(tx, camera_id, png, since, "first snapshot"));
            let first = first.transpose()?;
            let second = second.as_deref().map(|png| insert_snapshot(tx, camera_id, png, now, "second snapshot"));
            let second = second.transpose()?;
            let (staff, note) = on_duty(tx, camera_id, since)?;
            tx.execute(
                "INSERT INTO camera_finding (camera_id, kind, rule, since, raised_at, first_snapshot_id,
                   second_snapshot_id, reported_by, staff_id, staff_note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![camera_id, kind.as_str(), kind.rule(), ts(since), ts(now), first, second, by, staff, note],
            )?;
            Ok(Some(finding(tx, tx.last_insert_rowid()?)?))
        }
        WatchReport::Ended { at, snapshot, .. } => {
            let Some(id) = open else { return Ok(None) };
            let since: i64 = tx.query_row("SELECT since FROM camera_finding WHERE id = ?1", [id], |r| r.get(0))?;
            let at = ts((*at).min(now)).max(since);
            let end_snapshot = match (kind, snapshot) {
                (FindingKind::Absent, Some(png)) => {
                    Some(insert_snapshot(tx, camera_id, png, from_ts(at), "end snapshot")?)
                }
                _ => None,
            };
            tx.execute(
                "UPDATE camera_finding SET resolved_at = ?2, second_snapshot_id = coalesce(second_snapshot_id, ?3)
                 WHERE id = ?1",
                params![id, at, end_snapshot],
            )?;
            Ok(Some(finding(tx, id)?))
        }
    }
}

pub(super) fn findings(
    conn: &Connection,
    query: &FindingQuery,
    now: DateTime<Utc>,
) -> Result<Vec<CameraFinding>, StoreError> {
    let day_start = |d: NaiveDate| ts(time::start_of_day(d));
    let day_end = |d: NaiveDate| ts(time::end_of_day(d));
    let (from, to) = match (query.from, query.to) {
        (Some(from), Some(to)) => (day_start(from), day_end(to)),
        (Some(from), None) => (day_start(from), ts(now) + 1),
        (None, Some(to)) => (ts(now - Duration::days(7)), day_end(to)),
        (None, None) => (ts(now - Duration::days(7)), ts(now) + 1),
    };
    let sql = format!(
        "{SELECT} WHERE ((f.raised_at >= ?1 AND f.raised_at < ?2) OR (f.resolved_at IS NULL AND ?4 = 0))
           AND (?3 = 0 OR f.decision IS NULL)
         ORDER BY f.resolved_at IS NOT NULL, f.decision IS NOT NULL, f.raised_at DESC LIMIT 1000"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let ranged = i64::from(query.from.is_some() || query.to.is_some());
    let rows = stmt.query_map(params![from, to, i64::from(query.undecided_only), ranged], row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(super) fn snapshot(conn: &Connection, id: i64) -> Result<Vec<u8>, StoreError> {
    conn.query_row("SELECT png FROM watch_snapshot WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("snapshot {id}")))
}

/// Confirms (an observation, linked back) or dismisses (with a reason) a finding not yet decided.
pub(super) fn decide(
    tx: &Transaction,
    id: i64,
    decision: FindingDecision,
    note: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<CameraFinding, StoreError> {
    let found = finding(tx, id)?;
    if let Some(done) = found.decision {
        return Err(StoreError::Conflict(format!(
            "检测结果 #{id} 已由 {} 处理（{}）(already decided)",
            found.decided_by.as_deref().unwrap_or("?"),
            done.as_str()
        )));
    }
    let note: String = note.chars().filter(|c| !c.is_control()).take(NOTE_CHARS).collect::<String>().trim().to_owned();
    let observation = match decision {
        FindingDecision::Dismissed => {
            if note.is_empty() {
                return Err(invalid("reason: 排除检测结果须说明理由 (a dismissal needs a reason)"));
            }
            None
        }
        FindingDecision::Confirmed => {
            if found.staff_no.is_none() {
                let department: Option<i64> = tx
                    .query_row(
                        "SELECT w.department_id FROM camera c JOIN service_window w ON w.id = c.window_id
                         WHERE c.id = ?1",
                        [found.camera_id],
                        |r| r.get(0),
                    )
                    .optional()?
                    .flatten();
                if department.is_none() {
                    return Err(invalid(format!(
                        "camera: 摄像头“{}”的窗口{}未指定部门，也无在岗工作人员，无法记为纪律记录；请先在大厅文件中为窗口指定部门 \
                         (the camera's window has no department and no staff on duty)",
                        found.camera_name,
                        found.window_code.as_deref().map(|w| format!(" {w} ")).unwrap_or_default()
                    )));
                }
            }
            let until = found.resolved_at.unwrap_or(now).max(found.since + Duration::seconds(1));
            let seconds = found.seconds(now);
            let lasted =
                if seconds < 120 { format!("{seconds} 秒") } else { format!("约 {} 分钟", (seconds + 30) / 60) };
            let mut text = format!("{}（自动检测 #{id}，{lasted}）", found.kind.confirmed_zh());
            if !found.staff_note.is_empty() {
                text.push_str(&format!("；{}", found.staff_note));
            }
            if !note.is_empty() {
                text.push_str(&format!("；{note}"));
            }
            let new = NewObservation {
                observed_at: found.since,
                category: found.kind.category().to_owned(),
                source: ObservationSource::Wall,
                camera_id: Some(found.camera_id),
                window_code: None,
                staff_no: found.staff_no.clone(),
                department: None,
                evidence_id: None,
                clip: Some(Span { from: found.since.timestamp_millis(), to: until.timestamp_millis() }),
                note: text,
            };
            let stored = super::accountability::insert_observation(
                tx,
                &new,
                (by, None, &crate::domain::access::Scope::City),
                now,
            )?;
            tx.execute("UPDATE observation SET finding_id = ?2 WHERE id = ?1", params![stored.id, id])?;
            Some(stored.id)
        }
    };
    tx.execute(
        "UPDATE camera_finding SET decision = ?2, decided_by = ?3, decided_at = ?4, reason = ?5, observation_id = ?6
         WHERE id = ?1",
        params![id, decision.as_str(), by, ts(now), note, observation],
    )?;
    finding(tx, id)
}

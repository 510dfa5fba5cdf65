//! Camera health as alarms (设备告警): the recorder reports each camera's signal; a camera lost for
//! longer than `footage.camera_offline_seconds` within an opening period raises one red
//! `camera_offline` alarm, which resolves when the camera is back.

use crate::store::sql::{Connection, OptionalExtension as _, Transaction, params};
use chrono::{DateTime, Utc};

use super::{from_ts, ts};
use crate::domain::alerts::{Level, RuleBook};
use crate::domain::time;
use crate::store::{CameraAlert, CameraRule, StoreError};

/// The longest reason kept (the recorder's words, already free of credentials).
const REASON_CHARS: usize = 200;

const SELECT: &str =
    "SELECT a.id, a.camera_id, c.name, w.code, a.level, a.since, a.raised_at, a.resolved_at, a.explanation
     FROM camera_alert a JOIN camera c ON c.id = a.camera_id LEFT JOIN service_window w ON w.id = c.window_id";

fn row(r: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<CameraAlert> {
    let level: String = r.get(4)?;
    Ok(CameraAlert {
        id: r.get(0)?,
        camera_id: r.get(1)?,
        camera_name: r.get(2)?,
        window_code: r.get(3)?,
        rule: CameraRule::CameraOffline,
        level: level.parse().unwrap_or(Level::Red),
        since: from_ts(r.get(5)?),
        raised_at: from_ts(r.get(6)?),
        resolved_at: r.get::<_, Option<i64>>(7)?.map(from_ts),
        explanation: r.get(8)?,
    })
}

fn alert(conn: &Connection, id: i64) -> Result<CameraAlert, StoreError> {
    Ok(conn.query_row(&format!("{SELECT} WHERE a.id = ?1"), [id], row)?)
}

/// Keeps printable text only, bounded.
fn clean(reason: &str) -> String {
    reason.chars().filter(|c| !c.is_control()).take(REASON_CHARS).collect::<String>().trim().to_owned()
}

/// Records the report and raises or resolves the alarm; returns the alarm it changed.
pub(super) fn report_link(
    tx: &Transaction,
    rules: &RuleBook,
    camera_id: i64,
    online: bool,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Option<CameraAlert>, StoreError> {
    let camera: Option<(String, String)> = tx
        .query_row("SELECT name, hall_code FROM camera WHERE id = ?1", [camera_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((name, hall)) = camera else { return Err(StoreError::NotFound(format!("camera {camera_id}"))) };
    let reason = clean(reason);
    let previous: Option<(bool, i64)> = tx
        .query_row("SELECT online, since FROM camera_link WHERE camera_id = ?1", [camera_id], |r| {
            Ok((r.get::<_, i64>(0)? == 1, r.get(1)?))
        })
        .optional()?;
    let since = match previous {
        Some((was, since)) if was == online => since,
        _ => ts(now),
    };
    tx.execute(
        "INSERT INTO camera_link (camera_id, online, since, reported_at, reason) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (camera_id) DO UPDATE SET online = ?2, since = ?3, reported_at = ?4, reason = ?5",
        params![camera_id, i64::from(online), since, ts(now), reason],
    )?;
    let open: Option<i64> = tx
        .query_row(
            "SELECT id FROM camera_alert WHERE camera_id = ?1 AND rule = 'camera_offline' AND resolved_at IS NULL",
            [camera_id],
            |r| r.get(0),
        )
        .optional()?;
    if online {
        let Some(id) = open else { return Ok(None) };
        tx.execute("UPDATE camera_alert SET resolved_at = ?2 WHERE id = ?1", params![id, ts(now)])?;
        return Ok(Some(alert(tx, id)?));
    }
    if open.is_some() {
        return Ok(None);
    }
    // Only time lost within the current opening period counts: a camera switched off overnight raises
    // its alarm the allowed time after the hall opens, not at once.
    let Some(opened) = rules.attendance.schedule(Some(&hall), time::local_date(now)).open_since(&rules.calendar, now)
    else {
        return Ok(None);
    };
    // Times are kept to the second: "more than the allowed time" in whole seconds on both sides is
    // never less than the allowed time in fact.
    let counted_from = since.max(ts(opened));
    if ts(now) - counted_from <= i64::from(rules.footage.camera_offline_seconds) {
        return Ok(None);
    }
    let lost_for = (now - from_ts(since)).num_seconds();
    let explanation = if reason.is_empty() {
        format!("摄像头 {name} 已失去画面 {lost_for} 秒")
    } else {
        format!("摄像头 {name} 已失去画面 {lost_for} 秒：{reason}")
    };
    tx.execute(
        "INSERT INTO camera_alert (camera_id, rule, level, since, raised_at, explanation)
         VALUES (?1, 'camera_offline', 'red', ?2, ?3, ?4)",
        params![camera_id, since, ts(now), explanation],
    )?;
    Ok(Some(alert(tx, tx.last_insert_rowid()?)?))
}

/// The open alarms, or also those resolved in the last seven days; newest first.
pub(super) fn camera_alerts(
    conn: &Connection,
    open_only: bool,
    now: DateTime<Utc>,
) -> Result<Vec<CameraAlert>, StoreError> {
    let recent = ts(now - chrono::Duration::days(7));
    let sql = format!(
        "{SELECT} WHERE a.resolved_at IS NULL OR (?1 = 0 AND a.resolved_at >= ?2) ORDER BY a.resolved_at IS NOT NULL, a.since DESC LIMIT 500"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![i64::from(open_only), recent], row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

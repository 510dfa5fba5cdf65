//! The overview the status bar and the 总览 show: counts of the hall, today's cases, data freshness,
//! open alerts and today's check. It reads what `query` and `alerts` keep, so it sits above both.

use crate::store::sql::{Connection, params};
use chrono::{DateTime, Utc};

use crate::domain::time;
use crate::store::{Overview, StoreError, WindowLoad};

use super::query::day_bounds;
use super::{from_ts, notices};

fn count(conn: &Connection, sql: &str, args: impl crate::store::sql::Params) -> Result<u32, StoreError> {
    Ok(conn.query_row(sql, args, |r| r.get(0))?)
}

pub(super) fn overview(conn: &Connection, now: DateTime<Utc>) -> Result<Overview, StoreError> {
    let today = time::local_date(now);
    let (day_start, day_end) = day_bounds(today);
    let open = "('submitted', 'in_progress', 'suspended')";
    let mut window_load = Vec::new();
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT w.id, w.hall_code, w.code, d.name,
               (SELECT count(*) FROM case_file c WHERE c.window_id = w.id AND c.accepted_at >= ?1 AND c.accepted_at < ?2),
               (SELECT count(*) FROM case_file c WHERE c.window_id = w.id AND c.status IN {open})
             FROM service_window w LEFT JOIN department d ON d.id = w.department_id ORDER BY w.hall_code, w.code"
        ))?;
        let mut staff_stmt = conn.prepare("SELECT name FROM staff WHERE window_id = ?1 ORDER BY staff_no")?;
        let mut duty_stmt = conn.prepare(
            "SELECT s.name FROM staff s WHERE s.window_id = ?1
               AND EXISTS (SELECT 1 FROM punch p WHERE p.staff_id = s.id AND p.time >= ?2 AND p.time < ?3)
             ORDER BY s.staff_no",
        )?;
        let today_text = today.format("%Y-%m-%d 00:00:00").to_string();
        let tomorrow_text = today.succ_opt().unwrap_or(today).format("%Y-%m-%d 00:00:00").to_string();
        let rows = stmt
            .query_map([day_start, day_end], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })?
            .collect::<Result<Vec<(i64, String, String, Option<String>, u32, u32)>, _>>()?;
        for (id, hall_code, window_code, department, accepted_today, open_cases) in rows {
            let staff = staff_stmt.query_map([id], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
            let on_duty = duty_stmt
                .query_map(params![id, today_text, tomorrow_text], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            window_load.push(WindowLoad {
                hall_code,
                window_code,
                department,
                staff,
                on_duty,
                accepted_today,
                open_cases,
            });
        }
    }
    Ok(Overview {
        at: now,
        halls: count(conn, "SELECT count(*) FROM hall", [])?,
        departments: count(conn, "SELECT count(*) FROM department", [])?,
        windows: count(conn, "SELECT count(*) FROM service_window", [])?,
        staff: count(conn, "SELECT count(*) FROM staff", [])?,
        items: count(conn, "SELECT count(*) FROM item", [])?,
        cameras: count(conn, "SELECT count(*) FROM camera", [])?,
        cases_total: count(conn, "SELECT count(*) FROM case_file", [])?,
        cases_open: count(conn, &format!("SELECT count(*) FROM case_file WHERE status IN {open}"), [])?,
        cases_suspended: count(conn, "SELECT count(*) FROM case_file WHERE status = 'suspended'", [])?,
        accepted_today: count(
            conn,
            "SELECT count(*) FROM case_file WHERE accepted_at >= ?1 AND accepted_at < ?2",
            [day_start, day_end],
        )?,
        completed_today: count(
            conn,
            "SELECT count(*) FROM case_file WHERE completed_at >= ?1 AND completed_at < ?2",
            [day_start, day_end],
        )?,
        events_total: count(conn, "SELECT count(*) FROM event", [])?,
        latest_event_recorded_at: conn
            .query_row("SELECT max(recorded_at) FROM event", [], |r| r.get::<_, Option<i64>>(0))?
            .map(from_ts),
        latest_import_at: conn
            .query_row("SELECT max(at) FROM import_log", [], |r| r.get::<_, Option<i64>>(0))?
            .map(from_ts),
        complaints_open: count(
            conn,
            "SELECT count(*) FROM complaint WHERE status IN ('registered', 'accepted', 'investigating')",
            [],
        )?,
        audit_records: conn.query_row("SELECT coalesce(max(seq), 0) FROM audit_log", [], |r| r.get(0))?,
        open_alerts: level_counts(conn)?,
        today_checked: notices::latest_check_of(conn, today)?,
        window_load,
        calendar_missing_years: Vec::new(),
    })
}

/// Open alerts per level.
fn level_counts(conn: &Connection) -> Result<crate::store::LevelCounts, StoreError> {
    let mut counts = crate::store::LevelCounts::default();
    let mut stmt = conn.prepare_cached(
        "SELECT level, count(*) FROM alert WHERE resolved_at IS NULL AND closed_at IS NULL GROUP BY level",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))? {
        let (level, n) = row?;
        match level.as_str() {
            "red" => counts.red = n,
            "orange" => counts.orange = n,
            _ => counts.yellow = n,
        }
    }
    Ok(counts)
}

//! The overview the status bar and the 总览 show: counts of the hall, today's cases, data freshness,
//! open alerts and today's check. It reads what `query` and `alerts` keep, so it sits above both.

use std::collections::HashMap;

use crate::store::sql::{Connection, params};
use chrono::{DateTime, Utc};

use crate::domain::access::Scope;
use crate::domain::alerts::RuleBook;
use crate::domain::assessment::{self, YearMonth};
use crate::domain::time;
use crate::store::{HallSummary, LevelCounts, Overview, StoreError, WindowLoad};

use super::query::day_bounds;
use super::{from_ts, notices};

fn count(conn: &Connection, sql: &str, args: impl crate::store::sql::Params) -> Result<u32, StoreError> {
    Ok(conn.query_row(sql, args, |r| r.get(0))?)
}

/// The overview of the halls of `scope`.
pub(super) fn overview(
    conn: &Connection,
    rules: &RuleBook,
    now: DateTime<Utc>,
    scope: &Scope,
) -> Result<Overview, StoreError> {
    let today = time::local_date(now);
    // Each count kept to the scope's halls (nothing added for the whole city).
    let cases = scope.sql("hall_code");
    let case_of = scope.sql("c.hall_code");
    let window_of = scope.sql("w.hall_code");
    let (day_start, day_end) = day_bounds(today);
    let open = "('submitted', 'in_progress', 'suspended')";
    let mut window_load = Vec::new();
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT w.id, w.hall_code, w.code, d.name,
               (SELECT count(*) FROM case_file c WHERE c.window_id = w.id AND c.accepted_at >= ?1 AND c.accepted_at < ?2),
               (SELECT count(*) FROM case_file c WHERE c.window_id = w.id AND c.status IN {open})
             FROM service_window w LEFT JOIN department d ON d.id = w.department_id WHERE 1 = 1{window_of}
             ORDER BY w.hall_code, w.code"
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
        halls: count(conn, &format!("SELECT count(*) FROM hall WHERE 1 = 1{}", scope.sql("code")), [])?,
        // Departments and staff are each hall's own; the catalogue's items by their department's hall.
        departments: count(conn, &format!("SELECT count(*) FROM department WHERE 1 = 1{cases}"), [])?,
        windows: count(conn, &format!("SELECT count(*) FROM service_window WHERE 1 = 1{cases}"), [])?,
        staff: count(conn, &format!("SELECT count(*) FROM staff WHERE 1 = 1{cases}"), [])?,
        items: count(
            conn,
            &format!(
                "SELECT count(*) FROM item i JOIN department d ON d.id = i.department_id WHERE 1 = 1{}",
                scope.sql("d.hall_code")
            ),
            [],
        )?,
        cameras: count(conn, &format!("SELECT count(*) FROM camera WHERE 1 = 1{cases}"), [])?,
        cases_total: count(conn, &format!("SELECT count(*) FROM case_file WHERE 1 = 1{cases}"), [])?,
        cases_open: count(conn, &format!("SELECT count(*) FROM case_file WHERE status IN {open}{cases}"), [])?,
        cases_suspended: count(conn, &format!("SELECT count(*) FROM case_file WHERE status = 'suspended'{cases}"), [])?,
        accepted_today: count(
            conn,
            &format!("SELECT count(*) FROM case_file WHERE accepted_at >= ?1 AND accepted_at < ?2{cases}"),
            [day_start, day_end],
        )?,
        completed_today: count(
            conn,
            &format!("SELECT count(*) FROM case_file WHERE completed_at >= ?1 AND completed_at < ?2{cases}"),
            [day_start, day_end],
        )?,
        events_total: if scope.is_city() {
            count(conn, "SELECT count(*) FROM event", [])?
        } else {
            count(
                conn,
                &format!("SELECT count(*) FROM event e JOIN case_file c ON c.id = e.case_id WHERE 1 = 1{case_of}"),
                [],
            )?
        },
        latest_event_recorded_at: conn
            .query_row("SELECT max(recorded_at) FROM event", [], |r| r.get::<_, Option<i64>>(0))?
            .map(from_ts),
        latest_import_at: conn
            .query_row("SELECT max(at) FROM import_log", [], |r| r.get::<_, Option<i64>>(0))?
            .map(from_ts),
        complaints_open: count(
            conn,
            &format!(
                "SELECT count(*) FROM complaint WHERE status IN ('registered', 'accepted', 'investigating'){cases}"
            ),
            [],
        )?,
        audit_records: conn.query_row("SELECT coalesce(max(seq), 0) FROM audit_log", [], |r| r.get(0))?,
        open_alerts: level_counts(conn, scope)?,
        today_checked: notices::latest_check_of(conn, today)?,
        window_load,
        calendar_missing_years: Vec::new(),
        halls_side: halls_side(conn, rules, now, scope)?,
    })
}

/// Open alerts per level, of the cases of the halls of `scope`.
pub(super) fn level_counts(conn: &Connection, scope: &Scope) -> Result<crate::store::LevelCounts, StoreError> {
    let mut counts = crate::store::LevelCounts::default();
    let sql = if scope.is_city() {
        "SELECT level, count(*) FROM alert WHERE resolved_at IS NULL AND closed_at IS NULL GROUP BY level".to_owned()
    } else {
        format!(
            "SELECT a.level, count(*) FROM alert a JOIN case_file c ON c.id = a.case_id
             WHERE a.resolved_at IS NULL AND a.closed_at IS NULL{} GROUP BY a.level",
            scope.sql("c.hall_code")
        )
    };
    let mut stmt = conn.prepare_cached(&sql)?;
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

/// The halls of `scope` side by side, when it spans more than one (the city's 大厅概况): each hall's open
/// alerts, cameras, findings to decide, this fortnight's attendance marks and last month's grade.
fn halls_side(
    conn: &Connection,
    rules: &RuleBook,
    now: DateTime<Utc>,
    scope: &Scope,
) -> Result<Vec<HallSummary>, StoreError> {
    let halls: Vec<(String, String)> = conn
        .prepare(&format!("SELECT code, name FROM hall WHERE 1 = 1{} ORDER BY code", scope.sql("code")))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    if halls.len() < 2 {
        return Ok(Vec::new());
    }
    let mut out: Vec<HallSummary> =
        halls.into_iter().map(|(code, name)| HallSummary { code, name, ..HallSummary::default() }).collect();
    let index: HashMap<String, usize> = out.iter().enumerate().map(|(i, h)| (h.code.clone(), i)).collect();
    let at = |hall: &str| index.get(hall).copied();
    let grouped = |sql: &str| -> Result<Vec<(String, String, u32)>, StoreError> {
        Ok(conn.prepare(sql)?.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?)
    };
    for (hall, level, n) in grouped(
        "SELECT c.hall_code, a.level, count(*) FROM alert a JOIN case_file c ON c.id = a.case_id
         WHERE a.resolved_at IS NULL AND a.closed_at IS NULL AND c.hall_code IS NOT NULL GROUP BY c.hall_code, a.level",
    )? {
        if let Some(i) = at(&hall) {
            let counts: &mut LevelCounts = &mut out[i].open_alerts;
            match level.as_str() {
                "red" => counts.red = n,
                "orange" => counts.orange = n,
                _ => counts.yellow = n,
            }
        }
    }
    for (hall, state, n) in grouped(
        "SELECT c.hall_code, CASE WHEN l.online = 0 THEN 'off' ELSE 'on' END, count(*) FROM camera c
         LEFT JOIN camera_link l ON l.camera_id = c.id WHERE c.retired_at IS NULL GROUP BY 1, 2",
    )? {
        if let Some(i) = at(&hall) {
            if state == "off" { out[i].cameras_offline = n } else { out[i].cameras_online = n }
        }
    }
    for (hall, _, n) in grouped(
        "SELECT c.hall_code, '', count(*) FROM camera_finding f JOIN camera c ON c.id = f.camera_id
         WHERE f.decision IS NULL GROUP BY c.hall_code",
    )? {
        if let Some(i) = at(&hall) {
            out[i].findings_to_decide = n;
        }
    }
    // This fortnight so far.
    let start = rules.attendance.period_start(time::local_date(now));
    let people = super::people::day_records(conn, rules, (start, time::local_date(now)), &Scope::City)?;
    let ranking = crate::domain::attendance::rank(start, rules.attendance.period_end(start), &people);
    let hall_of: HashMap<&str, &str> =
        people.iter().filter_map(|(p, _)| Some((p.staff_no.as_str(), p.hall.as_deref()?))).collect();
    for s in &ranking.staff {
        if let Some(i) = hall_of.get(s.staff_no.as_str()).and_then(|h| at(h)) {
            out[i].attendance_marks += s.marks();
        }
    }
    // Last month: the mean score of each hall's assessed departments, graded as a department is.
    let month = YearMonth::of(time::local_date(now)).previous();
    let computed = super::assessment::month(conn, rules, month, now)?;
    let ranked = assessment::rank_halls(&computed);
    for summary in &mut out {
        summary.assessment_month = month.to_string();
        summary.assessment_grade = ranked.iter().find(|h| h.code == summary.code).and_then(|h| h.grade);
    }
    Ok(out)
}

//! The `CasesStore` calls of the embedded database: cases and alerts: imports, the cases, the alert engine's rows, notices (督办), the daily data check, the overview.
//!
//! Each call is its ceremony (`read` / `write`: the session, the permission, the transaction and its
//! audit) around the SQL of its own module.

use super::*;
use crate::store::AlertChanges;
use crate::store::prelude::*;
use crate::store::sql::{OptionalExtension as _, params};

impl CasesStore for SqlStore {
    fn import(&self, session: &Session, batch: &ImportBatch) -> Result<ImportReport, StoreError> {
        let permission = match batch.records.kind() {
            crate::interchange::ImportKind::Items | crate::interchange::ImportKind::Staff => {
                Permission::ImportMasterData
            }
            _ => Permission::Import,
        };
        self.write(session, permission, |w| {
            let hall = keep_import_to_scope(w, batch)?;
            let report = import::apply(w.tx, batch, hall.as_deref(), &w.rules, w.now)?;
            if report.inserted + report.updated == 0 {
                // Importing the same file twice changes nothing, not even the audit log.
                w.unchanged();
                return Ok(report);
            }
            let kind = batch.records.kind().as_str();
            w.tx.execute(
                "INSERT INTO import_log (at, actor, kind, source, records, inserted, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![ts(w.now), w.actor.username, kind, batch.source, report.records as i64, report.inserted as i64, report.updated as i64],
            )?;
            w.audit(&format!("import.{kind}"), &batch.source, serde_json::to_value(&report).unwrap_or_default())?;
            Ok(report)
        })
    }

    fn cases(&self, session: &Session, q: &CaseQuery) -> Result<Vec<crate::domain::model::CaseSummary>, StoreError> {
        self.read(session, Permission::ReadCases, |r| query::cases(r.conn, q, &r.actor.scope))
    }

    fn case_events(
        &self,
        session: &Session,
        case_no: &str,
    ) -> Result<Vec<crate::domain::model::CaseEvent>, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            query::case_in_scope(r.conn, case_no, &r.actor.scope)?;
            query::case_events(r.conn, case_no)
        })
    }

    fn overview(&self, session: &Session) -> Result<Overview, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            let mut o = overview::overview(r.conn, &r.rules, r.now, &r.actor.scope)?;
            o.calendar_missing_years = calendar::missing_around(&r.rules.calendar, r.now);
            Ok(o)
        })
    }

    fn refresh_alerts(&self, session: &Session) -> Result<RefreshReport, StoreError> {
        // Derived from the events by time alone: not audited.
        self.write(session, Permission::RefreshAlerts, |w| {
            let (evaluated, outcome) = alerts::refresh_due(w.tx, &w.rules, w.now)?;
            if outcome.changed == 0 {
                w.unchanged();
            }
            Ok(RefreshReport { evaluated, changed: outcome.changed, new_red: outcome.new_red })
        })
    }

    fn alerts(&self, session: &Session, q: &AlertQuery) -> Result<Vec<AlertRow>, StoreError> {
        self.read(session, Permission::ReadCases, |r| match q.at {
            Some(at) => {
                let mut rows = alerts::at_instant(r.conn, &r.rules, at, q.include_inactive)?;
                rows.retain(|row| r.actor.scope.covers(row.hall.as_deref()));
                if let Some(no) = &q.case_no {
                    rows.retain(|row| &row.case_no == no);
                }
                if q.limit > 0 {
                    rows.truncate(q.limit as usize);
                }
                Ok(rows)
            }
            None => alerts::list(r.conn, q.include_inactive, q.case_no.as_deref(), q.limit, &r.actor.scope),
        })
    }

    fn alerts_changed(&self, session: &Session, since: i64, limit: u32) -> Result<AlertChanges, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            alerts::changed_since(r.conn, &self.alert_log, (since, limit), &r.actor.scope)
        })
    }

    fn case_detail(&self, session: &Session, case_no: &str) -> Result<CaseDetail, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            query::case_in_scope(r.conn, case_no, &r.actor.scope)?;
            case_detail::case_detail(r.conn, case_no, &r.rules, r.now)
        })
    }

    fn close_alert(&self, session: &Session, alert_id: i64, reason: &str) -> Result<AlertRow, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let before = alerts::alert_by_id(w.tx, alert_id)?;
            w.keep_to(before.hall.as_deref(), "close_alert")?;
            let row = alerts::close(w.tx, alert_id, &w.actor.username, reason, w.now)?;
            w.audit(
                "alert.close",
                &format!("case:{}", row.case_no),
                serde_json::json!({"alert_id": alert_id, "rule": row.rule.as_str(), "key": row.key, "reason": reason.trim()}),
            )?;
            Ok(row)
        })
    }

    fn issue_notice(&self, session: &Session, notice: &NewNotice) -> Result<Notice, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let alert = alerts::alert_by_id(w.tx, notice.alert_id)?;
            w.keep_to(alert.hall.as_deref(), "issue_notice")?;
            let (issued, case_id) =
                notices::issue_notice(w.tx, notice.alert_id, &notice.text, &w.actor.username, &w.rules, w.now)?;
            alerts::refresh_case(w.tx, case_id, &w.rules, w.now, false)?;
            w.audit(
                "notice.issue",
                &format!("case:{}", issued.case_no),
                serde_json::json!({"notice_no": issued.notice_no, "alert_id": notice.alert_id, "due_date": issued.due_date, "department": issued.department}),
            )?;
            Ok(issued)
        })
    }

    fn record_notice_reply(&self, session: &Session, notice_id: i64, reply: &str) -> Result<Notice, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let hall: Option<String> =
                w.tx.query_row(
                    "SELECT c.hall_code FROM notice n JOIN case_file c ON c.id = n.case_id WHERE n.id = ?1",
                    [notice_id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            w.keep_to(hall.as_deref(), "record_notice_reply")?;
            let (notice, case_id) = notices::record_reply(w.tx, notice_id, reply, &w.actor.username, w.now)?;
            alerts::refresh_case(w.tx, case_id, &w.rules, w.now, false)?;
            w.audit(
                "notice.reply",
                &format!("case:{}", notice.case_no),
                serde_json::json!({"notice_no": notice.notice_no, "state": notice.state}),
            )?;
            Ok(notice)
        })
    }

    fn notices(&self, session: &Session) -> Result<Vec<Notice>, StoreError> {
        self.read(session, Permission::ReadCases, |r| notices::notices(r.conn, None, r.now, &r.actor.scope))
    }

    fn daily_check_data(&self, session: &Session, day: NaiveDate) -> Result<DailyCheckData, StoreError> {
        self.read(session, Permission::ReadCases, |r| notices::daily_data(r.conn, day, r.now, &r.rules))
    }

    fn record_daily_check(&self, session: &Session, check: &DailyCheck) -> Result<DailyCheck, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let record =
                DailyCheck { checked_at: from_ts(ts(w.now)), checked_by: w.actor.username.clone(), ..check.clone() };
            notices::insert_daily(w.tx, &record)?;
            w.audit(
                "check.daily",
                &format!("day:{}", record.day),
                serde_json::json!({
                    "report": record.report_path, "sha256": record.report_sha256, "open_alerts": record.open_alerts,
                    "new_alerts": record.new_alerts, "red": record.red, "orange": record.orange, "yellow": record.yellow,
                }),
            )?;
            Ok(record)
        })
    }

    fn daily_checks(&self, session: &Session, limit: u32) -> Result<Vec<DailyCheck>, StoreError> {
        self.read(session, Permission::ReadCases, |r| notices::daily_checks(r.conn, limit))
    }
}

/// An account of some halls imports only its halls' case events: each names one of them, or belongs to a
/// case of one (a later step often names no hall). The catalogue, staff, punches and other records are
/// the city's, imported by city-wide accounts.
/// Keeps an import to the caller's halls and answers the hall its records belong to: case events name
/// their own halls (none is answered); every other kind belongs to the batch's hall, else to the one
/// hall the caller reaches, else to the database's one hall. A catalogue item already in the catalogue
/// is changed only by an account that reaches its department's hall.
fn keep_import_to_scope(w: &Write<'_>, batch: &crate::interchange::ImportBatch) -> Result<Option<String>, StoreError> {
    let kind = batch.records.kind().as_str();
    let crate::interchange::Records::Events(events) = &batch.records else {
        let hall = import_hall(w, batch)?;
        w.keep_to(Some(&hall), &format!("import.{kind}"))?;
        if let crate::interchange::Records::Items(items) = &batch.records
            && !w.actor.scope.is_city()
        {
            for item in items {
                let owner: Option<String> =
                    w.tx.query_row(
                        "SELECT d.hall_code FROM item i JOIN department d ON d.id = i.department_id WHERE i.code = ?1",
                        [&item.record.code],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(owner) = owner {
                    w.keep_to(Some(&owner), "import.items")?;
                }
            }
        }
        return Ok(Some(hall));
    };
    if w.actor.scope.is_city() {
        return Ok(None);
    }
    for event in events {
        let hall = match &event.record.hall {
            Some(hall) => Some(hall.clone()),
            None => w
                .tx
                .query_row("SELECT hall_code FROM case_file WHERE case_no = ?1", [&event.record.case_no], |r| r.get(0))
                .optional()?
                .flatten(),
        };
        w.keep_to(hall.as_deref(), "import.events")?;
    }
    Ok(None)
}

/// The hall a batch of staff, punches, leave, ratings or catalogue items belongs to.
fn import_hall(w: &Write<'_>, batch: &crate::interchange::ImportBatch) -> Result<String, StoreError> {
    let halls: Vec<String> =
        w.tx.prepare("SELECT code FROM hall ORDER BY code")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if let Some(hall) = &batch.hall {
        if hall.trim().is_empty() || hall.trim() != hall {
            return Err(StoreError::Invalid(format!("{}: hall: {hall:?} is not a hall code", batch.source)));
        }
        if let Some(problem) = crate::domain::hall::name_problem(hall) {
            return Err(StoreError::Invalid(format!("{}: hall: {problem}", batch.source)));
        }
        // A hall not set up yet is made (named by its code) as case events make theirs, for an account
        // that may reach it: the city's.
        if !halls.contains(hall) {
            w.keep_to(Some(hall), &format!("import.{}", batch.records.kind().as_str()))?;
            query::ensure_hall(w.tx, hall)?;
        }
        return Ok(hall.clone());
    }
    let reached: Vec<&String> = halls.iter().filter(|h| w.actor.scope.covers(Some(h))).collect();
    match (reached.as_slice(), halls.as_slice()) {
        ([one], _) => Ok((*one).clone()),
        (_, []) => Err(StoreError::Invalid(format!(
            "{}: no hall is set up yet: apply the hall file first (jiancha hall apply FILE, or 系统管理)",
            batch.source
        ))),
        ([], _) => Err(out_of_scope(&w.actor, None)),
        (many, _) => Err(StoreError::Invalid(format!(
            "{}: there are several halls ({}): name the hall the records belong to (--hall CODE)",
            batch.source,
            many.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

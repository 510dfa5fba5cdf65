//! Applying an import batch inside the caller's transaction. Every problem is collected with its file,
//! line and field; when there is any, the caller's transaction is dropped and nothing is written.

use std::collections::{BTreeSet, HashMap};

use crate::store::sql::{OptionalExtension as _, Transaction, params};
use chrono::{DateTime, Utc};

use crate::domain::model::{CaseEvent, CatalogueItem, Evaluation, Leave, Staff};
use crate::interchange::{ImportBatch, InputError, InputErrors, Lined, PunchRecord, Records};
use crate::store::{ImportReport, StoreError};

use super::{alerts, query, ts};
use crate::domain::alerts::RuleBook;

const MAX_ERRORS: usize = 100;

struct Problems<'a> {
    file: &'a str,
    list: Vec<InputError>,
    more: usize,
}

impl Problems<'_> {
    fn push(&mut self, line: u64, field: &str, message: impl Into<String>) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(InputError {
                file: self.file.to_owned(),
                line,
                field: field.to_owned(),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }
}

/// `hall` is the hall the records belong to (every kind but case events, which name their own halls).
pub(super) fn apply(
    tx: &Transaction,
    batch: &ImportBatch,
    hall: Option<&str>,
    rules: &RuleBook,
    now: DateTime<Utc>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport {
        source: batch.source.clone(),
        kind: Some(batch.records.kind()),
        records: batch.records.len(),
        ..ImportReport::default()
    };
    let mut problems = Problems { file: &batch.source, list: Vec::new(), more: 0 };
    let hall = || hall.ok_or_else(|| StoreError::Invalid(format!("{}: the hall the records belong to", batch.source)));
    match &batch.records {
        Records::Items(rows) => items(tx, hall()?, rows, &mut report, &mut problems)?,
        Records::Staff(rows) => staff(tx, hall()?, rows, &mut report, &mut problems)?,
        Records::Events(rows) => events(tx, rows, &mut report, &mut problems, rules, now)?,
        Records::Punches(rows) => punches(tx, hall()?, rows, &mut report)?,
        Records::Leave(rows) => leave(tx, hall()?, rows, &mut report, &mut problems)?,
        Records::Evaluations(rows) => evaluations(tx, hall()?, rows, &mut report, &mut problems, rules, now)?,
    }
    if !problems.list.is_empty() {
        return Err(StoreError::Input(InputErrors { errors: problems.list, more: problems.more }));
    }
    report.unchanged = report.records.saturating_sub(report.inserted + report.updated + report.skipped_unknown_people);
    Ok(report)
}

/// The catalogue is the city's (item codes are unique); each item's department is `hall`'s.
fn items(
    tx: &Transaction,
    hall: &str,
    rows: &[Lined<CatalogueItem>],
    report: &mut ImportReport,
    problems: &mut Problems<'_>,
) -> Result<(), StoreError> {
    let mut seen = HashMap::new();
    for Lined { line, record: item } in rows {
        if let Some(first) = seen.insert(item.code.clone(), *line) {
            problems.push(*line, "item_code", format!("{} already appears on line {first}", item.code));
            continue;
        }
        let (department_id, created) = query::ensure_department(tx, hall, &item.department)?;
        report.created_departments += usize::from(created);
        let workflow = serde_json::to_string(&item.workflow).unwrap_or_else(|_| "[]".into());
        let limits = serde_json::to_string(&item.step_limits).unwrap_or_else(|_| "[]".into());
        match query::item(tx, &item.code)? {
            Some(existing) if existing == *item && query::item_department(tx, &item.code)? == Some(department_id) => {}
            Some(_) => {
                tx.execute(
                    "UPDATE item SET name = ?2, department_id = ?3, legal_days = ?4, promised_days = ?5, fee_fen = ?6,
                       workflow = ?7, step_limits = ?8 WHERE code = ?1",
                    params![
                        item.code,
                        item.name,
                        department_id,
                        item.legal_days,
                        item.promised_days,
                        item.fee_fen,
                        workflow,
                        limits
                    ],
                )?;
                report.updated += 1;
            }
            None => {
                tx.execute(
                    "INSERT INTO item (code, name, department_id, legal_days, promised_days, fee_fen, workflow, step_limits)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![item.code, item.name, department_id, item.legal_days, item.promised_days, item.fee_fen, workflow, limits],
                )?;
                report.inserted += 1;
            }
        }
    }
    Ok(())
}

/// Resolves a window code without a hall: the one window with that code, or a new one in the only hall.
fn window_without_hall(
    tx: &Transaction,
    code: &str,
    department_id: Option<i64>,
    report: &mut ImportReport,
) -> Result<Result<i64, String>, StoreError> {
    let found = query::windows_by_code(tx, code)?;
    match found.as_slice() {
        [(id, _)] => Ok(Ok(*id)),
        [] => {
            let halls: Vec<String> = tx
                .prepare("SELECT code FROM hall ORDER BY code")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            match halls.as_slice() {
                [hall] => {
                    let (id, created) = query::ensure_window(tx, hall, code, department_id)?;
                    report.created_windows += usize::from(created);
                    Ok(Ok(id))
                }
                [] => Ok(Err(format!(
                    "window {code} is unknown and no hall is set up yet: apply the hall file first (jiancha hall apply FILE, or 系统管理)"
                ))),
                _ => Ok(Err(format!("window {code} is unknown and there are several halls; configure it first"))),
            }
        }
        _ => Ok(Err(format!(
            "window {code} exists in halls {}; it is ambiguous",
            found.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Staff of `hall`: numbers, fingerprint user numbers and windows are the hall's own.
fn staff(
    tx: &Transaction,
    hall: &str,
    rows: &[Lined<Staff>],
    report: &mut ImportReport,
    problems: &mut Problems<'_>,
) -> Result<(), StoreError> {
    let mut seen_no = HashMap::new();
    let mut seen_device = HashMap::new();
    for Lined { line, record: s } in rows {
        if let Some(first) = seen_no.insert(s.staff_no.clone(), *line) {
            problems.push(*line, "staff_no", format!("{} already appears on line {first}", s.staff_no));
            continue;
        }
        if let Some(device) = &s.device_user_id
            && let Some(first) = seen_device.insert(device.clone(), *line)
        {
            problems.push(*line, "device_user_id", format!("{device} already appears on line {first}"));
            continue;
        }
        let department_id = match &s.department {
            Some(name) => {
                let (id, created) = query::ensure_department(tx, hall, name)?;
                report.created_departments += usize::from(created);
                Some(id)
            }
            None => None,
        };
        let window_id = match &s.window {
            Some(code) => {
                let (id, created) = query::ensure_window(tx, hall, code, department_id)?;
                report.created_windows += usize::from(created);
                Some(id)
            }
            None => None,
        };
        if let Some(device) = &s.device_user_id {
            let holder: Option<String> = tx
                .query_row(
                    "SELECT staff_no FROM staff WHERE hall_code = ?1 AND device_user_id = ?2 AND staff_no <> ?3",
                    [hall, device, &s.staff_no],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = holder {
                problems.push(*line, "device_user_id", format!("{device} already belongs to {other}"));
                continue;
            }
        }
        let existing: Option<(String, Option<i64>, Option<i64>, Option<String>)> = tx
            .query_row(
                "SELECT name, department_id, window_id, device_user_id FROM staff WHERE hall_code = ?1 AND staff_no = ?2",
                [hall, &s.staff_no],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let wanted = (s.name.clone(), department_id, window_id, s.device_user_id.clone());
        match existing {
            Some(current) if current == wanted => {}
            Some(_) => {
                tx.execute(
                    "UPDATE staff SET name = ?3, department_id = ?4, window_id = ?5, device_user_id = ?6
                     WHERE hall_code = ?1 AND staff_no = ?2",
                    params![hall, s.staff_no, s.name, department_id, window_id, s.device_user_id],
                )?;
                report.updated += 1;
            }
            None => {
                tx.execute(
                    "INSERT INTO staff (hall_code, staff_no, name, department_id, window_id, device_user_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![hall, s.staff_no, s.name, department_id, window_id, s.device_user_id],
                )?;
                report.inserted += 1;
            }
        }
    }
    Ok(())
}

/// Truncates to whole seconds, the precision events are stored with.
fn seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

fn events(
    tx: &Transaction,
    rows: &[Lined<CaseEvent>],
    report: &mut ImportReport,
    problems: &mut Problems<'_>,
    rules: &RuleBook,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut items: HashMap<String, Option<(i64, String)>> = HashMap::new();
    let mut affected = BTreeSet::new();
    for Lined { line, record } in rows {
        let line = *line;
        let mut event = record.clone();
        event.occurred_at = seconds(event.occurred_at);
        event.recorded_at = seconds(event.recorded_at);

        let item = match items.get(&event.item_code) {
            Some(found) => found.clone(),
            None => {
                // The item's department and that department's hall.
                let found = tx
                    .prepare_cached(
                        "SELECT d.id, d.hall_code FROM item i JOIN department d ON d.id = i.department_id WHERE i.code = ?1",
                    )?
                    .query_row([&event.item_code], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                items.insert(event.item_code.clone(), found.clone());
                found
            }
        };
        let Some((department_id, department_hall)) = item else {
            problems.push(
                line,
                "item_code",
                format!("{} is not in the catalogue; import the items first", event.item_code),
            );
            continue;
        };

        if let Some(hall) = &event.hall {
            report.created_halls += usize::from(query::ensure_hall(tx, hall)?);
        }
        let window_id = match (&event.hall, &event.window) {
            (Some(hall), Some(code)) => {
                let (id, created) = query::ensure_window(tx, hall, code, Some(department_id))?;
                report.created_windows += usize::from(created);
                Some(id)
            }
            (None, Some(code)) => match window_without_hall(tx, code, Some(department_id), report)? {
                Ok(id) => Some(id),
                Err(message) => {
                    problems.push(line, "window", message);
                    continue;
                }
            },
            _ => None,
        };
        // A staff number is its hall's: the event's hall, else the case's, else the item department's.
        let staff_hall = match &event.hall {
            Some(hall) => hall.clone(),
            None => tx
                .prepare_cached("SELECT hall_code FROM case_file WHERE case_no = ?1")?
                .query_row([&event.case_no], |r| r.get::<_, Option<String>>(0))
                .optional()?
                .flatten()
                .unwrap_or_else(|| department_hall.clone()),
        };
        let staff_id = match &event.staff_no {
            Some(no) => match query::staff_id(tx, &staff_hall, no)? {
                Some(id) => Some(id),
                None => {
                    tx.execute(
                        "INSERT INTO staff (hall_code, staff_no, name, department_id, window_id) VALUES (?1, ?2, ?2, ?3, ?4)",
                        params![staff_hall, no, department_id, window_id],
                    )?;
                    report.created_staff += 1;
                    Some(tx.last_insert_rowid()?)
                }
            },
            None => None,
        };

        let case: Option<(i64, String)> = tx
            .prepare_cached("SELECT id, item_code FROM case_file WHERE case_no = ?1")?
            .query_row([&event.case_no], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let case_id = match case {
            Some((_, item_code)) if item_code != event.item_code => {
                problems.push(
                    line,
                    "item_code",
                    format!("case {} is item {item_code}, not {}", event.case_no, event.item_code),
                );
                continue;
            }
            Some((id, _)) => id,
            None => {
                tx.prepare_cached(
                    "INSERT INTO case_file (case_no, item_code, hall_code, status) VALUES (?1, ?2, ?3, 'submitted')",
                )?
                .execute(params![event.case_no, event.item_code, event.hall])?;
                tx.last_insert_rowid()?
            }
        };

        let existing: Option<CaseEvent> = tx
            .prepare_cached(&format!(
                "{} WHERE e.case_id = ?1 AND e.step = ?2 AND e.occurred_at = ?3",
                query::EVENT_SELECT
            ))?
            .query_row(params![case_id, event.step.as_str(), ts(event.occurred_at)], query::event_row)
            .optional()?;
        if let Some(existing) = existing {
            if existing != event {
                problems.push(
                    line,
                    "step",
                    format!(
                        "case {} already has a {} event at {} with different content; events are never overwritten",
                        event.case_no,
                        event.step,
                        crate::domain::time::format_local(event.occurred_at)
                    ),
                );
            }
            continue;
        }
        let documents: Vec<&str> = event.documents.iter().map(|d| d.as_str()).collect();
        tx.prepare_cached(
            "INSERT INTO event (case_id, step, occurred_at, recorded_at, hall_code, window_id, staff_id, documents, applicant,
               amount_fen, rating, reason, promised_days)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(params![
            case_id,
            event.step.as_str(),
            ts(event.occurred_at),
            ts(event.recorded_at),
            event.hall,
            window_id,
            staff_id,
            serde_json::to_string(&documents).unwrap_or_else(|_| "[]".into()),
            event.applicant,
            event.amount_fen,
            event.rating,
            event.reason.map(|r| r.as_str()),
            event.promised_days,
        ])?;
        report.inserted += 1;
        affected.insert(case_id);
    }
    if problems.list.is_empty() {
        for case_id in affected {
            report.alerts_changed += alerts::refresh_case(tx, case_id, rules, now, true)?.changed as usize;
        }
    }
    Ok(())
}

/// Punches from `hall`'s fingerprint machines: user numbers and staff numbers are the hall's.
fn punches(
    tx: &Transaction,
    hall: &str,
    rows: &[Lined<PunchRecord>],
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let mut by_device = tx.prepare_cached(
        "SELECT id FROM staff WHERE hall_code = ?1 AND device_user_id = ?2
         UNION ALL SELECT id FROM staff WHERE hall_code = ?1 AND staff_no = ?2 LIMIT 1",
    )?;
    let mut by_no = tx.prepare_cached("SELECT id FROM staff WHERE hall_code = ?1 AND staff_no = ?2")?;
    let mut insert =
        tx.prepare_cached("INSERT INTO punch (staff_id, time, device) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")?;
    for Lined { record: p, .. } in rows {
        let found: Option<i64> = if p.by_device_user {
            by_device.query_row([hall, &p.person], |r| r.get(0)).optional()?
        } else {
            by_no.query_row([hall, &p.person], |r| r.get(0)).optional()?
        };
        let Some(staff_id) = found else {
            report.skipped_unknown_people += 1;
            continue;
        };
        report.inserted +=
            insert.execute(params![staff_id, p.time.format("%Y-%m-%d %H:%M:%S").to_string(), p.device])?;
    }
    Ok(())
}

fn leave(
    tx: &Transaction,
    hall: &str,
    rows: &[Lined<Leave>],
    report: &mut ImportReport,
    problems: &mut Problems<'_>,
) -> Result<(), StoreError> {
    for Lined { line, record: l } in rows {
        let Some(staff_id) = query::staff_id(tx, hall, &l.staff_no)? else {
            problems.push(*line, "staff_no", format!("{} is not a known member of staff", l.staff_no));
            continue;
        };
        report.inserted += tx.execute(
            "INSERT INTO leave (staff_id, start, \"end\", kind) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![
                staff_id,
                l.start.format("%Y-%m-%d %H:%M:%S").to_string(),
                l.end.format("%Y-%m-%d %H:%M:%S").to_string(),
                l.kind.as_str()
            ],
        )?;
    }
    Ok(())
}

/// Ratings from `hall`'s evaluator devices, by its window codes.
fn evaluations(
    tx: &Transaction,
    hall: &str,
    rows: &[Lined<Evaluation>],
    report: &mut ImportReport,
    problems: &mut Problems<'_>,
    rules: &RuleBook,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut affected = BTreeSet::new();
    let mut windows: HashMap<String, Result<i64, String>> = HashMap::new();
    for Lined { line, record: e } in rows {
        let resolved = match windows.get(&e.window) {
            Some(r) => r.clone(),
            None => {
                let r = query::window_id(tx, hall, &e.window)?
                    .ok_or_else(|| format!("window {} is unknown in hall {hall}", e.window));
                windows.insert(e.window.clone(), r.clone());
                r
            }
        };
        let window_id = match resolved {
            Ok(id) => id,
            Err(message) => {
                problems.push(*line, "window", message);
                continue;
            }
        };
        let inserted = tx.execute(
            "INSERT INTO evaluation (window_id, time, rating, case_no) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![
                window_id,
                e.time.format("%Y-%m-%d %H:%M:%S").to_string(),
                e.rating,
                e.case_no.clone().unwrap_or_default()
            ],
        )?;
        report.inserted += inserted;
        if let (1, Some(case_no)) = (inserted, &e.case_no)
            && let Some(id) = tx
                .query_row("SELECT id FROM case_file WHERE case_no = ?1", [case_no], |r| r.get::<_, i64>(0))
                .optional()?
        {
            affected.insert(id);
        }
    }
    if problems.list.is_empty() {
        for case_id in affected {
            report.alerts_changed += alerts::refresh_case(tx, case_id, rules, now, false)?.changed as usize;
        }
    }
    Ok(())
}

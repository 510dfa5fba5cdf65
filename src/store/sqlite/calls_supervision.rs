//! The `SupervisionStore` calls of the embedded database: supervision: discipline observations and reminder slips, complaints, violations and Art 13 decisions.
//!
//! Each call is its ceremony (`read` / `write`: the session, the permission, the transaction and its
//! audit) around the SQL of its own module.

use super::*;
use crate::store::prelude::*;
use crate::store::sql::OptionalExtension as _;

impl SupervisionStore for SqlStore {
    fn register_complaint(&self, session: &Session, complaint: &NewComplaint) -> Result<Complaint, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            // An account of some halls registers for its hall: the case's, else its first.
            let mut complaint = std::borrow::Cow::Borrowed(complaint);
            if complaint.hall_code.is_none() && !w.actor.scope.is_city() {
                let of_case = match complaint.case_no.as_deref() {
                    Some(no) => query::case_hall(w.tx, no)?,
                    None => None,
                };
                complaint.to_mut().hall_code = of_case.or_else(|| w.actor.scope.halls().into_iter().next());
            }
            let id = complaints::insert_complaint(w.tx, &complaint, (&w.actor.username, &w.actor.scope))?;
            let (no, hall): (String, Option<String>) = w
                .tx
                .query_row("SELECT complaint_no, hall_code FROM complaint WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            w.keep_to(hall.as_deref(), "register_complaint")?;
            let named = complaint.department.as_deref().is_some_and(|d| !d.trim().is_empty());
            keep_people_to_scope(w, ("complaint", id), named, "register_complaint")?;
            w.audit(
                "complaint.register",
                &format!("complaint:{no}"),
                serde_json::json!({"channel": complaint.channel.as_str(), "case_no": complaint.case_no, "window": complaint.window_code}),
            )?;
            complaint_as(w.tx, &w.actor, &w.rules, &no)
        })
    }

    fn complaints(&self, session: &Session) -> Result<Vec<Complaint>, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            complaints::complaints(
                r.conn,
                None,
                &r.rules.calendar,
                &r.rules.complaints,
                r.actor.role.allows(Permission::ReadComplainantContact),
            )
            .map(|mut list| {
                list.retain(|c| r.actor.scope.covers(c.hall_code.as_deref()));
                list
            })
        })
    }

    fn advance_complaint(
        &self,
        session: &Session,
        complaint_no: &str,
        step: &ComplaintStep,
    ) -> Result<Complaint, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let hall: Option<Option<String>> =
                w.tx.prepare_cached("SELECT hall_code FROM complaint WHERE complaint_no = ?1")?
                    .query_row([complaint_no], |r| r.get(0))
                    .optional()?;
            w.keep_to(hall.flatten().as_deref(), "advance_complaint")?;
            let status = complaints::advance_complaint(w.tx, complaint_no, step, &w.actor.username, w.now)?;
            w.audit(
                &format!("complaint.{}", status.as_str()),
                &format!("complaint:{complaint_no}"),
                serde_json::to_value(step).unwrap_or_default(),
            )?;
            complaint_as(w.tx, &w.actor, &w.rules, complaint_no)
        })
    }

    fn add_observation(&self, session: &Session, observation: &NewObservation) -> Result<Observation, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let own = w.actor.scope.halls().into_iter().next();
            let stored = accountability::insert_observation(
                w.tx,
                observation,
                (&w.actor.username, own.as_deref(), &w.actor.scope),
                w.now,
            )?;
            w.keep_to(Some(&accountability::observation_hall(w.tx, stored.id)?), "add_observation")?;
            let named = observation.department.as_deref().is_some_and(|d| !d.trim().is_empty());
            keep_people_to_scope(w, ("observation", stored.id), named, "add_observation")?;
            w.audit(
                "observation.add",
                &format!("observation:{}", stored.id),
                serde_json::json!({
                    "category": stored.category, "window": stored.window_code, "staff_no": stored.staff_no,
                    "observed_at": stored.observed_at, "evidence_id": stored.evidence_id, "source": stored.source,
                }),
            )?;
            Ok(stored)
        })
    }

    fn observations(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Vec<Observation>, StoreError> {
        self.read(session, Permission::ReadCases, |r| accountability::observations(r.conn, from, to, &r.actor.scope))
    }

    fn issue_slips(&self, session: &Session, week: Week) -> Result<Vec<Slip>, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let issued = accountability::issue_slips(
                w.tx,
                week,
                &w.rules.calendar,
                w.rules.settings.notice_due_working_days,
                (&w.actor.username, &w.actor.scope),
                w.now,
            )?;
            for id in &issued {
                let slip = accountability::slip(w.tx, *id)?;
                w.audit(
                    "slip.issue",
                    &format!("slip:{}", slip.number_text()),
                    serde_json::json!({
                        "department": slip.department_name, "week": week.to_string(),
                        "findings": slip.findings.iter().map(|f| f.id).collect::<Vec<_>>(),
                    }),
                )?;
            }
            in_scope(accountability::slips(w.tx, Some(week))?, &w.actor.scope)
        })
    }

    fn slips(&self, session: &Session, week: Option<Week>) -> Result<Vec<Slip>, StoreError> {
        self.read(session, Permission::ReadCases, |r| in_scope(accountability::slips(r.conn, week)?, &r.actor.scope))
    }

    fn cancel_slip(&self, session: &Session, slip_id: i64, reason: &str) -> Result<Slip, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            w.keep_to(Some(&accountability::slip(w.tx, slip_id)?.hall_code), "cancel_slip")?;
            accountability::cancel_slip(w.tx, slip_id, reason)?;
            let slip = accountability::slip(w.tx, slip_id)?;
            w.audit("slip.cancel", &format!("slip:{}", slip.number_text()), serde_json::json!({"reason": reason}))?;
            Ok(slip)
        })
    }

    fn record_slip_receipt(&self, session: &Session, slip_id: i64, signed_by: &str) -> Result<Slip, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            w.keep_to(Some(&accountability::slip(w.tx, slip_id)?.hall_code), "record_slip_receipt")?;
            accountability::record_receipt(w.tx, slip_id, signed_by, w.now)?;
            let slip = accountability::slip(w.tx, slip_id)?;
            w.audit(
                "slip.receipt",
                &format!("slip:{}", slip.number_text()),
                serde_json::json!({"signed_by": signed_by}),
            )?;
            Ok(slip)
        })
    }

    fn record_violation(&self, session: &Session, violation: &NewViolation) -> Result<Violation, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let id = accountability::insert_violation(w.tx, violation, (&w.actor.username, &w.actor.scope), w.now)?;
            w.keep_to(accountability::violation_hall(w.tx, id)?.as_deref(), "record_violation")?;
            let named = violation.department.as_deref().is_some_and(|d| !d.trim().is_empty());
            keep_people_to_scope(w, ("violation", id), named, "record_violation")?;
            let stored = accountability::violation(w.tx, id)?;
            w.audit(
                "violation.record",
                &format!("violation:{id}"),
                serde_json::json!({
                    "item": stored.item, "department": stored.department, "staff_no": stored.staff_no,
                    "source": stored.source, "complaint_no": stored.complaint_no, "case_no": stored.case_no,
                }),
            )?;
            Ok(stored)
        })
    }

    fn violations(&self, session: &Session) -> Result<Vec<Violation>, StoreError> {
        self.read(session, Permission::ReadCases, |r| accountability::violations(r.conn, &r.actor.scope))
    }

    fn decide_violation(
        &self,
        session: &Session,
        violation_id: i64,
        measures: &[Measure],
        note: &str,
    ) -> Result<DecisionOutcome, StoreError> {
        self.write_named(session, Permission::DecideAccountability, "decide_violation", |w| {
            w.keep_to(accountability::violation_hall(w.tx, violation_id)?.as_deref(), "decide_violation")?;
            let flag = accountability::decide_violation(w.tx, violation_id, measures, note, &w.actor.username, w.now)?;
            w.audit(
                "violation.decide",
                &format!("violation:{violation_id}"),
                serde_json::json!({"measures": measures.iter().map(|m| m.as_str()).collect::<Vec<_>>(), "note": note}),
            )?;
            if let Some(id) = flag {
                w.audit("violation.flag_12_6", &format!("violation:{id}"), serde_json::json!({"after": violation_id}))?;
            }
            Ok(DecisionOutcome {
                violation: accountability::violation(w.tx, violation_id)?,
                flag: flag.map(|id| accountability::violation(w.tx, id)).transpose()?,
            })
        })
    }

    fn department_flags(&self, session: &Session) -> Result<Vec<DepartmentFlag>, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
            let mut flags = accountability::department_flags(r.conn, r.now)?;
            flags.retain(|f| reach.department(f.department_id));
            Ok(flags)
        })
    }
}

/// The slips of the caller's halls.
/// The staff member and the department a new record names must be the caller's too: an account of some
/// halls never files against another hall's people. A department is checked when the caller named it (it
/// reaches the halls it has windows in); one taken from the staff member or window is theirs.
fn keep_people_to_scope(
    w: &Write<'_>,
    (table, id): (&str, i64),
    named_department: bool,
    what: &str,
) -> Result<(), StoreError> {
    if w.actor.scope.is_city() {
        return Ok(());
    }
    let (staff, department): (Option<i64>, Option<i64>) =
        w.tx.query_row(&format!("SELECT staff_id, department_id FROM {table} WHERE id = ?1"), [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if let Some(staff) = staff {
        let hall: String = w.tx.query_row("SELECT hall_code FROM staff WHERE id = ?1", [staff], |r| r.get(0))?;
        w.keep_to(Some(&hall), what)?;
    }
    if let Some(department) = department.filter(|_| named_department)
        && !reach::Reach::of(w.tx, &w.actor.scope)?.department(department)
    {
        let hall: String =
            w.tx.query_row("SELECT hall_code FROM department WHERE id = ?1", [department], |r| r.get(0))?;
        w.keep_to(Some(&hall), what)?;
    }
    Ok(())
}

fn in_scope(mut slips: Vec<Slip>, scope: &crate::domain::access::Scope) -> Result<Vec<Slip>, StoreError> {
    slips.retain(|s| scope.covers(Some(&s.hall_code)));
    Ok(slips)
}

//! The `PeopleStore` calls of the embedded database: people and attendance: the biweekly periods and rankings, interviews (约谈).
//!
//! Each call is its ceremony (`read` / `write`: the session, the permission, the transaction and its
//! audit) around the SQL of its own module.

use super::*;
use crate::store::prelude::*;

impl PeopleStore for SqlStore {
    fn attendance(&self, session: &Session, period_start: NaiveDate) -> Result<AttendancePeriod, StoreError> {
        self.read(session, Permission::ReadCases, |r| people::period(r.conn, &r.rules, period_start, &r.actor.scope))
    }

    fn attendance_trend(
        &self,
        session: &Session,
        last_period_start: NaiveDate,
        count: u32,
    ) -> Result<AttendanceTrend, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            people::trend(r.conn, &r.rules, (last_period_start, count), &r.actor.scope)
        })
    }

    fn record_interview(&self, session: &Session, interview: &NewInterview) -> Result<Interview, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let (staff_id, hall) =
                query::staff_in(w.tx, &w.actor.scope, interview.hall.as_deref(), &interview.staff_no)?
                    .ok_or_else(|| StoreError::NotFound(format!("staff {}", interview.staff_no)))?;
            w.keep_to(Some(&hall), "record_interview")?;
            let recorded = people::insert_interview(w.tx, &w.rules, staff_id, interview, &w.actor.username, w.now)?;
            w.audit(
                "attendance.interview",
                &format!("staff:{}", recorded.staff_no),
                serde_json::json!({"period_start": recorded.period_start, "held_at": recorded.held_at, "participants": recorded.participants}),
            )?;
            Ok(recorded)
        })
    }
}

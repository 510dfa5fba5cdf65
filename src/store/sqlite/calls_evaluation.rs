//! The `EvaluationStore` calls of the embedded database: evaluation (评价器): device checks, poor ratings and their follow-ups, satisfaction.
//!
//! Each call is its ceremony (`read` / `write`: the session, the permission, the transaction and its
//! audit) around the SQL of its own module.

use super::*;
use crate::store::prelude::*;

impl EvaluationStore for SqlStore {
    fn evaluator_check(
        &self,
        session: &Session,
        date: NaiveDate,
    ) -> Result<crate::domain::evaluator::EvaluatorCheck, StoreError> {
        self.read(session, Permission::ReadCases, |r| people::evaluator_check(r.conn, &r.rules, date, &r.actor.scope))
    }

    fn poor_ratings(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Vec<PoorRating>, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            people::poor_ratings(r.conn, &r.rules, (from, to), &r.actor.scope)
        })
    }

    fn record_follow_up(
        &self,
        session: &Session,
        key: &str,
        step: FollowUpStep,
        note: &str,
    ) -> Result<PoorRating, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            if let Some(hall) = people::rating_hall(w.tx, key)? {
                w.keep_to(Some(&hall), "record_follow_up")?;
            }
            let done = people::record_follow_up(w.tx, &w.rules, key, step, note, &w.actor.username, w.now)?;
            w.audit(
                match step {
                    FollowUpStep::ReturnVisit => "rating.return_visit",
                    FollowUpStep::Rectification => "rating.rectification",
                },
                &format!("rating:{key}"),
                serde_json::json!({"window": done.rating.window, "rating": done.rating.rating, "note": note.trim()}),
            )?;
            Ok(done)
        })
    }

    fn satisfaction(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Satisfaction, StoreError> {
        self.read(session, Permission::ReadCases, |r| people::satisfaction(r.conn, from, to, &r.actor.scope))
    }
}

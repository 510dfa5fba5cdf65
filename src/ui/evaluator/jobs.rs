//! The data worker's side of the evaluator: the day's check, poor ratings, satisfaction, follow-ups.

use chrono::NaiveDate;

use crate::domain::evaluator::EvaluatorCheck;
use crate::store::{FollowUpStep, PoorRating, Satisfaction, Session, StoreError};
use crate::ui::worker::context::Worker;

pub enum EvaluatorJob {
    Evaluator { session: Session, date: NaiveDate },
    RecordFollowUp { session: Session, key: String, step: FollowUpStep, note: String },
}

pub enum EvaluatorReply {
    Evaluator(Result<Box<(EvaluatorCheck, Vec<PoorRating>, Satisfaction)>, StoreError>),
    FollowUp(Result<PoorRating, StoreError>),
}

pub(super) fn run(worker: &mut Worker, job: EvaluatorJob) -> EvaluatorReply {
    match job {
        EvaluatorJob::Evaluator { session, date } => EvaluatorReply::Evaluator(worker.store().and_then(|s| {
            let check = s.evaluator_check(&session, date)?;
            let from = date - chrono::Duration::days(60);
            let poor = s.poor_ratings(&session, from, date)?;
            let satisfaction = s.satisfaction(&session, date - chrono::Duration::days(83), date)?;
            Ok(Box::new((check, poor, satisfaction)))
        })),
        EvaluatorJob::RecordFollowUp { session, key, step, note } => {
            EvaluatorReply::FollowUp(worker.store().and_then(|s| s.record_follow_up(&session, &key, step, &note)))
        }
    }
}

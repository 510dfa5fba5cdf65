//! The `AssessmentStore` calls of the embedded database: assessment (绩效评估): months, publications, the year, 监察建议书.
//!
//! Each call is its ceremony (`read` / `write`: the session, the permission, the transaction and its
//! audit) around the SQL of its own module.

use super::*;
use crate::store::prelude::*;

impl AssessmentStore for SqlStore {
    fn assessment(&self, session: &Session, month: YearMonth) -> Result<crate::store::AssessmentView, StoreError> {
        // The month as the alerts stand now, whether or not anyone opened the alert list.
        self.identify(session)?;
        self.bring_alerts_up_to_date()?;
        self.read(session, Permission::ReadCases, |r| {
            let mut view = crate::store::AssessmentView {
                live: assessment::month(r.conn, &r.rules, month, r.now)?,
                published: publications::publications(r.conn, month)?,
            };
            // The city assesses and ranks every department (Art 4); an account of some halls reads
            // the rows of its halls' departments, with their places among all.
            if !r.actor.scope.is_city() {
                let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
                view.live.departments.retain(|d| reach.department(d.department_id));
                for p in &mut view.published {
                    p.assessment.departments.retain(|d| reach.department(d.department_id));
                }
            }
            Ok(view)
        })
    }

    fn assessment_items(
        &self,
        session: &Session,
        month: YearMonth,
        department_id: i64,
    ) -> Result<Vec<AssessmentItem>, StoreError> {
        self.identify(session)?;
        self.bring_alerts_up_to_date()?;
        self.read(session, Permission::ReadCases, |r| {
            if !reach::Reach::of(r.conn, &r.actor.scope)?.department(department_id) {
                return Err(StoreError::NotFound(format!("department {department_id}")));
            }
            assessment::items(r.conn, &r.rules, month, department_id, r.now)
        })
    }

    fn assessment_year(&self, session: &Session, year: i32) -> Result<YearAssessment, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            let mut year = publications::year(r.conn, &r.rules, year, r.now)?;
            let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
            year.departments.retain(|d| reach.department(d.department_id));
            Ok(year)
        })
    }

    fn publish_assessment(&self, session: &Session, month: YearMonth, reason: &str) -> Result<Publication, StoreError> {
        self.write_named(session, Permission::DecideAccountability, "publish_assessment", |w| {
            // The city's assessment of every department: published by a city-wide chief.
            w.keep_to(None, "publish_assessment")?;
            // The alerts time alone raised are brought up to now in this very transaction: a published
            // month is the same whether or not anyone looked at the alert list before.
            alerts::refresh_due(w.tx, &w.rules, w.now)?;
            let computed = assessment::month(w.tx, &w.rules, month, w.now)?;
            let published = publications::publish(w.tx, &computed, reason, &w.actor.username, w.now)?;
            w.audit(
                "assessment.publish",
                &format!("assessment:{month}"),
                serde_json::json!({
                    "version": published.version, "reason": published.reason, "sha256": published.sha256,
                    "ranked": published.assessment.departments.iter().filter(|d| d.rank.is_some()).count(),
                }),
            )?;
            Ok(published)
        })
    }

    fn issue_recommendation(
        &self,
        session: &Session,
        recommendation: &crate::store::NewRecommendation,
    ) -> Result<Recommendation, StoreError> {
        self.write_named(session, Permission::DecideAccountability, "issue_recommendation", |w| {
            // An account of some halls issues for its hall unless it names one.
            let mut recommendation = std::borrow::Cow::Borrowed(recommendation);
            if recommendation.hall.is_none() && !w.actor.scope.is_city() {
                recommendation.to_mut().hall = w.actor.scope.halls().into_iter().next();
            }
            let id = recommendations::issue_recommendation(w.tx, &w.rules, &recommendation, &w.actor.username, w.now)?;
            let issued = recommendations::recommendation(w.tx, id, w.now)?;
            w.keep_to(Some(&issued.hall_code), "issue_recommendation")?;
            w.audit(
                "recommendation.issue",
                &format!("recommendation:{}", issued.number_text()),
                serde_json::json!({
                    "department": issued.department, "month": issued.month, "reply_due": issued.reply_due,
                }),
            )?;
            Ok(issued)
        })
    }

    fn recommendations(&self, session: &Session) -> Result<Vec<Recommendation>, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            let mut list = recommendations::recommendations(r.conn, r.now)?;
            list.retain(|x| r.actor.scope.covers(Some(&x.hall_code)));
            Ok(list)
        })
    }

    fn record_recommendation_receipt(
        &self,
        session: &Session,
        recommendation_id: i64,
        signed_by: &str,
    ) -> Result<Recommendation, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let hall = recommendations::recommendation(w.tx, recommendation_id, w.now)?.hall_code;
            w.keep_to(Some(&hall), "record_recommendation_receipt")?;
            recommendations::record_recommendation_receipt(w.tx, recommendation_id, signed_by, w.now)?;
            let r = recommendations::recommendation(w.tx, recommendation_id, w.now)?;
            w.audit(
                "recommendation.receipt",
                &format!("recommendation:{}", r.number_text()),
                serde_json::json!({"signed_by": r.receipt_by}),
            )?;
            Ok(r)
        })
    }

    fn record_recommendation_reply(
        &self,
        session: &Session,
        recommendation_id: i64,
        reply: &str,
    ) -> Result<Recommendation, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let hall = recommendations::recommendation(w.tx, recommendation_id, w.now)?.hall_code;
            w.keep_to(Some(&hall), "record_recommendation_reply")?;
            recommendations::record_recommendation_reply(w.tx, recommendation_id, reply, &w.actor.username, w.now)?;
            let r = recommendations::recommendation(w.tx, recommendation_id, w.now)?;
            w.audit(
                "recommendation.reply",
                &format!("recommendation:{}", r.number_text()),
                serde_json::json!({"late": r.reply_at.is_some_and(|at| crate::domain::time::local_date(at) > r.reply_due)}),
            )?;
            Ok(r)
        })
    }
}

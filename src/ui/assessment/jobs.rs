//! The data worker's side of 绩效评估: a month with the recommendations, the trend and the year, the
//! drill-down, publishing, the bulletin and recommendation PDFs (written under `reports/`, printed
//! through CUPS), receipts and replies.

use std::path::PathBuf;

use crate::domain::assessment::{AssessmentItem, Publication, Recommendation, YearAssessment, YearMonth};
use crate::store::{AssessmentView, NewRecommendation, Session, Store};
use crate::ui::worker::context::JobError;
use crate::ui::worker::context::Worker;

pub enum AssessmentJob {
    Month {
        session: Session,
        month: YearMonth,
    },
    /// The twelve months ending with `month` (two calendar years read).
    Trend {
        session: Session,
        month: YearMonth,
    },
    Year {
        session: Session,
        year: i32,
    },
    Items {
        session: Session,
        month: YearMonth,
        department_id: i64,
    },
    Publish {
        session: Session,
        month: YearMonth,
        reason: String,
    },
    /// The month's bulletin (published, else as computed now); printed when `print` says where.
    Bulletin {
        session: Session,
        month: YearMonth,
        print: Option<Option<String>>,
    },
    Recommend {
        session: Session,
        new: NewRecommendation,
    },
    RecommendationPdf {
        session: Session,
        id: i64,
        print: Option<Option<String>>,
    },
    Receipt {
        session: Session,
        id: i64,
        signed_by: String,
    },
    Reply {
        session: Session,
        id: i64,
        reply: String,
    },
}

pub type Trend = (YearMonth, Vec<(i64, String, Vec<Option<crate::domain::assessment::Hundredths>>)>);

pub enum AssessmentReply {
    Month(Result<Box<(AssessmentView, Vec<Recommendation>)>, JobError>),
    Trend(Result<Trend, JobError>),
    Year(Result<YearAssessment, JobError>),
    Items(Result<(YearMonth, i64, Vec<AssessmentItem>), JobError>),
    Published(Result<Publication, JobError>),
    /// A form's action done (the message says what), or failed.
    Done(Result<String, JobError>),
    Recommendation(Result<(Recommendation, String), JobError>),
}

fn hall_name(store: &dyn Store, session: &Session) -> Result<String, JobError> {
    Ok(store.directory(session)?.home_hall_name())
}

fn write_or_print(
    path: PathBuf,
    sheet: &crate::report::pdf::Sheet,
    print: Option<Option<String>>,
) -> Result<String, JobError> {
    crate::report::write_pdf(&path, sheet).map_err(JobError::Local)?;
    Ok(match print {
        None => path.display().to_string(),
        Some(printer) => {
            let said = crate::report::print::print(&path, printer.as_deref()).map_err(JobError::Local)?;
            format!("已送打印 (sent to the printer): {said}")
        }
    })
}

/// The twelve months ending with `month`, per department, oldest first.
fn trend(store: &dyn Store, session: &Session, month: YearMonth) -> Result<Trend, JobError> {
    let this = store.assessment_year(session, month.year)?;
    let before = if month.month < 12 { Some(store.assessment_year(session, month.year - 1)?) } else { None };
    let mut out: Vec<(i64, String, Vec<Option<crate::domain::assessment::Hundredths>>)> = Vec::new();
    let keep = 12 - month.month as usize;
    for d in before.iter().flat_map(|y| &y.departments) {
        out.push((d.department_id, d.department.clone(), d.months[12 - keep..].to_vec()));
    }
    for d in &this.departments {
        let months = &d.months[..month.month as usize];
        match out.iter_mut().find(|(id, _, _)| *id == d.department_id) {
            Some((_, _, series)) => series.extend_from_slice(months),
            None => {
                let mut series = vec![None; keep];
                series.extend_from_slice(months);
                out.push((d.department_id, d.department.clone(), series));
            }
        }
    }
    for (_, _, series) in &mut out {
        series.resize(12, None);
    }
    Ok((month, out))
}

fn month_and_recommendations(
    store: &dyn Store,
    session: &Session,
    month: YearMonth,
) -> Result<Box<(AssessmentView, Vec<Recommendation>)>, JobError> {
    let view = store.assessment(session, month)?;
    let recommendations = store.recommendations(session)?;
    Ok(Box::new((view, recommendations)))
}

fn bulletin(
    store: &dyn Store,
    session: &Session,
    month: YearMonth,
    reports: &std::path::Path,
    print: Option<Option<String>>,
) -> Result<String, JobError> {
    let view = store.assessment(session, month)?;
    let hall = hall_name(store, session)?;
    let newest = view.published.first();
    let name = crate::report::assessment::bulletin_file_name(month, newest.map(|p| p.version));
    let sheet = crate::report::assessment::bulletin_sheet(&hall, view.current(), newest);
    write_or_print(reports.join("assessment").join(name), &sheet, print)
}

fn recommend(
    store: &dyn Store,
    session: &Session,
    new: &NewRecommendation,
    reports: &std::path::Path,
) -> Result<(Recommendation, String), JobError> {
    let r = store.issue_recommendation(session, new)?;
    let path = reports.join("recommendations").join(crate::report::assessment::recommendation_file_name(&r));
    let written = write_or_print(path, &crate::report::assessment::recommendation_sheet(&r), None)?;
    Ok((r, written))
}

fn recommendation_pdf(
    store: &dyn Store,
    session: &Session,
    id: i64,
    reports: &std::path::Path,
    print: Option<Option<String>>,
) -> Result<String, JobError> {
    let r = store
        .recommendations(session)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| JobError::local(format!("recommendation {id} not found")))?;
    let path = reports.join("recommendations").join(crate::report::assessment::recommendation_file_name(&r));
    write_or_print(path, &crate::report::assessment::recommendation_sheet(&r), print)
}

pub(super) fn run(worker: &mut Worker, job: AssessmentJob) -> AssessmentReply {
    let store = match worker.shared_store() {
        Ok(s) => s,
        Err(e) => return AssessmentReply::Done(Err(e.into())),
    };
    let store: &dyn Store = &*store;
    let reports = worker.data_dir.join("reports");
    match job {
        AssessmentJob::Month { session, month } => {
            AssessmentReply::Month(month_and_recommendations(store, &session, month))
        }
        AssessmentJob::Trend { session, month } => AssessmentReply::Trend(trend(store, &session, month)),
        AssessmentJob::Year { session, year } => {
            AssessmentReply::Year(store.assessment_year(&session, year).map_err(JobError::from))
        }
        AssessmentJob::Items { session, month, department_id } => AssessmentReply::Items(
            store
                .assessment_items(&session, month, department_id)
                .map(|i| (month, department_id, i))
                .map_err(JobError::from),
        ),
        AssessmentJob::Publish { session, month, reason } => {
            AssessmentReply::Published(store.publish_assessment(&session, month, &reason).map_err(JobError::from))
        }
        AssessmentJob::Bulletin { session, month, print } => {
            AssessmentReply::Done(bulletin(store, &session, month, &reports, print))
        }
        AssessmentJob::Recommend { session, new } => {
            AssessmentReply::Recommendation(recommend(store, &session, &new, &reports))
        }
        AssessmentJob::RecommendationPdf { session, id, print } => {
            AssessmentReply::Done(recommendation_pdf(store, &session, id, &reports, print))
        }
        AssessmentJob::Receipt { session, id, signed_by } => AssessmentReply::Recommendation(
            store
                .record_recommendation_receipt(&session, id, &signed_by)
                .map(|r| {
                    let m = format!("{} 签收已登记", r.number_text());
                    (r, m)
                })
                .map_err(JobError::from),
        ),
        AssessmentJob::Reply { session, id, reply } => AssessmentReply::Recommendation(
            store
                .record_recommendation_reply(&session, id, &reply)
                .map(|r| {
                    let m = format!("{} 回复已登记", r.number_text());
                    (r, m)
                })
                .map_err(JobError::from),
        ),
    }
}

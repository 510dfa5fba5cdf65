//! The data worker's side of attendance: the period and its trend, interviews, PDFs, printers.

use chrono::NaiveDate;

use crate::store::{AttendancePeriod, AttendanceTrend, Interview, NewInterview, Session, StoreError};
use crate::ui::worker::context::{JobError, Worker};

pub enum AttendanceJob {
    Attendance {
        session: Session,
        period_start: NaiveDate,
    },
    RecordInterview {
        session: Session,
        interview: NewInterview,
    },
    /// Write the ranking or the interview notices as PDF under `reports/attendance/`, and print it.
    Pdf {
        session: Session,
        period_start: NaiveDate,
        notices: bool,
        printer: Option<Option<String>>,
    },
}

pub enum AttendanceReply {
    Attendance(Result<Box<(AttendancePeriod, AttendanceTrend)>, StoreError>),
    Interview(Result<Interview, StoreError>),
    /// The path written (and what the printer said).
    Document(Result<String, JobError>),
}

pub(super) fn run(worker: &mut Worker, job: AttendanceJob) -> AttendanceReply {
    match job {
        AttendanceJob::Attendance { session, period_start } => {
            AttendanceReply::Attendance(worker.store().and_then(|s| {
                let period = s.attendance(&session, period_start)?;
                let trend = s.attendance_trend(&session, period.ranking.period_start, 8)?;
                Ok(Box::new((period, trend)))
            }))
        }
        AttendanceJob::RecordInterview { session, interview } => {
            AttendanceReply::Interview(worker.store().and_then(|s| s.record_interview(&session, &interview)))
        }
        AttendanceJob::Pdf { session, period_start, notices, printer } => {
            AttendanceReply::Document(attendance_pdf(worker, &session, period_start, notices, printer))
        }
    }
}

/// Writes the ranking or the interview notices of a period as PDF; prints it when asked.
fn attendance_pdf(
    worker: &Worker,
    session: &Session,
    period_start: NaiveDate,
    notices: bool,
    printer: Option<Option<String>>,
) -> Result<String, JobError> {
    let store = worker.store()?;
    let period = store.attendance(session, period_start)?;
    let hall = store.directory(session)?.home_hall().map(|h| h.name.clone()).unwrap_or_default();
    let now = worker.clock.now();
    let (sheet, name) = if notices {
        (crate::report::attendance::interview_notices(&hall, &period.ranking, now), "interview-notices")
    } else {
        (
            crate::report::attendance::ranking_sheet(&hall, &period.ranking, now, period.calendar_warning.as_deref()),
            "ranking",
        )
    };
    let relative = std::path::PathBuf::from("reports")
        .join("attendance")
        .join(format!("{}-{name}.pdf", period.ranking.period_start));
    let path = worker.data_dir.join(&relative);
    crate::report::write_pdf(&path, &sheet).map_err(JobError::Local)?;
    match printer {
        None => Ok(path.display().to_string()),
        Some(queue) => {
            let said = crate::report::print::print(&path, queue.as_deref()).map_err(JobError::Local)?;
            Ok(format!("{} → {said}", path.display()))
        }
    }
}

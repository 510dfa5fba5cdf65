//! The attendance area's logic: the period's ranking and trend, the drill-down, the 约谈 dialog, the
//! PDFs and printing.

use crate::domain::time;
use crate::ui::context::{AreaCtx, AreaLogic};
use crate::ui::nav::{Area, NoticeLevel};
use crate::ui::worker::context::Worker;

use super::jobs::{AttendanceJob, AttendanceReply};
use super::state::InterviewDraft;

/// What the attendance panels ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttendanceCommand {
    /// Load the attendance of the period starting on this day (with the trend).
    Load(chrono::NaiveDate),
    SelectStaff(Option<String>),
    SelectDepartment(Option<String>),
    OpenInterview {
        staff_no: String,
        hall: Option<String>,
        name: String,
    },
    SubmitInterview,
    CancelInterview,
    /// Write the ranking (false) or the interview notices (true) as PDF; print it when `print`.
    Pdf {
        notices: bool,
        print: bool,
    },
}

pub struct AttendanceArea;

/// The context this area's logic runs in.
type Cx<'a> = AreaCtx<'a, AttendanceArea>;

impl AreaLogic for AttendanceArea {
    type State = super::state::AttendanceView;
    type Runtime = ();
    type Command = AttendanceCommand;
    type Job = AttendanceJob;
    type Reply = AttendanceReply;

    fn apply(cx: &mut Cx<'_>, command: AttendanceCommand) {
        let session = cx.shared.session();
        match command {
            AttendanceCommand::Load(period) => {
                if let Some(s) = session {
                    cx.view.loading = true;
                    cx.out.submit(AttendanceJob::Attendance { session: s, period_start: period });
                }
            }
            AttendanceCommand::SelectStaff(no) => {
                cx.view.selected_staff = no;
                cx.view.selected_department = None;
            }
            AttendanceCommand::SelectDepartment(d) => {
                cx.view.selected_department = d;
                cx.view.selected_staff = None;
            }
            AttendanceCommand::OpenInterview { staff_no, hall, name } => {
                let now = time::local_datetime(cx.shared.now).format("%Y-%m-%d %H:%M").to_string();
                cx.view.interview = Some(InterviewDraft {
                    staff_no,
                    hall,
                    name,
                    held_at: now,
                    participants: String::new(),
                    note: String::new(),
                });
                cx.view.dialog_error = None;
            }
            AttendanceCommand::SubmitInterview => {
                let (Some(s), Some(draft), Some(period)) = (session, cx.view.interview.clone(), cx.view.period_start)
                else {
                    return;
                };
                match chrono::NaiveDateTime::parse_from_str(draft.held_at.trim(), "%Y-%m-%d %H:%M") {
                    Ok(local) => {
                        let interview = crate::store::NewInterview {
                            period_start: period,
                            staff_no: draft.staff_no,
                            hall: draft.hall,
                            held_at: time::from_local(local),
                            participants: draft.participants,
                            note: draft.note,
                        };
                        cx.out.submit(AttendanceJob::RecordInterview { session: s, interview });
                    }
                    Err(_) => {
                        cx.view.dialog_error = Some(
                            cx.shared
                                .lang
                                .pick_owned("约谈时间格式应为 YYYY-MM-DD HH:MM", "The time must be YYYY-MM-DD HH:MM"),
                        );
                    }
                }
            }
            AttendanceCommand::CancelInterview => cx.view.interview = None,
            AttendanceCommand::Pdf { notices, print } => {
                let (Some(s), Some(period)) = (session, cx.view.period_start) else { return };
                let printer = print.then(|| cx.shared.printer.map(str::to_owned));
                cx.view.document = None;
                cx.out.submit(AttendanceJob::Pdf { session: s, period_start: period, notices, printer });
            }
        }
    }

    fn handle(cx: &mut Cx<'_>, reply: AttendanceReply) {
        let lang = cx.shared.lang;
        match reply {
            AttendanceReply::Attendance(result) => {
                let view = &mut *cx.view;
                view.loading = false;
                match result {
                    Ok(both) => {
                        let (period, trend) = *both;
                        view.period_start = Some(period.ranking.period_start);
                        view.data = Some(period);
                        view.trend = Some(trend);
                        view.error = None;
                    }
                    Err(e) => {
                        let m = cx.out.store_error(&e);
                        cx.view.error = Some(m);
                    }
                }
            }
            AttendanceReply::Interview(result) => match result {
                Ok(i) => {
                    cx.view.interview = None;
                    cx.view.dialog_error = None;
                    cx.out.notify(
                        NoticeLevel::Info,
                        format!(
                            "{} {} {}",
                            lang.pick("已记录约谈：", "Interview recorded:"),
                            i.staff_name,
                            time::format_local_minutes(i.held_at)
                        ),
                    );
                    if let Some(p) = cx.view.period_start {
                        cx.out.send(AttendanceCommand::Load(p));
                    }
                }
                Err(e) => {
                    let m = cx.out.store_error(&e);
                    cx.view.dialog_error = Some(m);
                }
            },
            AttendanceReply::Document(result) => {
                let result = result.map_err(|e| cx.out.job_error(&e));
                cx.view.document = Some(result);
            }
        }
    }

    fn run(worker: &mut Worker, job: AttendanceJob) -> AttendanceReply {
        super::jobs::run(worker, job)
    }

    fn navigated(cx: &mut Cx<'_>, area: Area) {
        if area == Area::Attendance && cx.view.data.is_none() && !cx.view.loading {
            if let Some(opened) = &cx.shared.opened {
                // The last complete period: the ranking is made once it has ended.
                let settings = &opened.attendance;
                let current = settings.period_start(time::local_date(cx.shared.now));
                let previous = current - chrono::Duration::days(i64::from(settings.period_days.max(1)));
                cx.out.send(AttendanceCommand::Load(previous));
            }
            if cx.shared.printers.is_none() {
                cx.out.console(crate::ui::command::Command::LoadPrinters);
            }
        }
    }
}

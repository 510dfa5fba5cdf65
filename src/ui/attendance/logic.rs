//! The attendance area's logic: the period's ranking and trend, the drill-down, the 约谈 dialog, the
//! PDFs and printing.

use crate::domain::time;
use crate::ui::app::JianchaApp;
use crate::ui::areas::AreaLogic;
use crate::ui::state::{Area, NoticeLevel};
use crate::ui::worker::Worker;

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
        name: String,
    },
    SubmitInterview,
    CancelInterview,
    /// Write the ranking (false) or the interview notices (true) as PDF; print it when `print`.
    Pdf {
        notices: bool,
        print: bool,
    },
    LoadPrinters,
    SetPrinter(Option<String>),
}

impl From<AttendanceCommand> for crate::ui::command::Command {
    fn from(command: AttendanceCommand) -> Self {
        crate::ui::command::Command::Area(crate::ui::areas::AreaCommand::Attendance(command))
    }
}

impl From<AttendanceJob> for crate::ui::worker::Job {
    fn from(job: AttendanceJob) -> Self {
        crate::ui::worker::Job::Area(crate::ui::areas::AreaJob::Attendance(job))
    }
}

pub struct AttendanceArea;

impl AreaLogic for AttendanceArea {
    type Command = AttendanceCommand;
    type Job = AttendanceJob;
    type Reply = AttendanceReply;

    fn apply(app: &mut JianchaApp, _ctx: &egui::Context, command: AttendanceCommand) {
        let session = app.state.session.clone();
        match command {
            AttendanceCommand::Load(period) => {
                if let Some(s) = session {
                    app.state.attendance.loading = true;
                    app.submit(AttendanceJob::Attendance { session: s, period_start: period });
                }
            }
            AttendanceCommand::SelectStaff(no) => {
                app.state.attendance.selected_staff = no;
                app.state.attendance.selected_department = None;
            }
            AttendanceCommand::SelectDepartment(d) => {
                app.state.attendance.selected_department = d;
                app.state.attendance.selected_staff = None;
            }
            AttendanceCommand::OpenInterview { staff_no, name } => {
                let now = time::local_datetime(app.clock.now()).format("%Y-%m-%d %H:%M").to_string();
                app.state.attendance.interview = Some(InterviewDraft {
                    staff_no,
                    name,
                    held_at: now,
                    participants: String::new(),
                    note: String::new(),
                });
                app.state.attendance.dialog_error = None;
            }
            AttendanceCommand::SubmitInterview => {
                let (Some(s), Some(draft), Some(period)) =
                    (session, app.state.attendance.interview.clone(), app.state.attendance.period_start)
                else {
                    return;
                };
                match chrono::NaiveDateTime::parse_from_str(draft.held_at.trim(), "%Y-%m-%d %H:%M") {
                    Ok(local) => {
                        let interview = crate::store::NewInterview {
                            period_start: period,
                            staff_no: draft.staff_no,
                            held_at: time::from_local(local),
                            participants: draft.participants,
                            note: draft.note,
                        };
                        app.submit(AttendanceJob::RecordInterview { session: s, interview });
                    }
                    Err(_) => {
                        app.state.attendance.dialog_error = Some(
                            app.state
                                .lang
                                .pick_owned("约谈时间格式应为 YYYY-MM-DD HH:MM", "The time must be YYYY-MM-DD HH:MM"),
                        );
                    }
                }
            }
            AttendanceCommand::CancelInterview => app.state.attendance.interview = None,
            AttendanceCommand::Pdf { notices, print } => {
                let (Some(s), Some(period)) = (session, app.state.attendance.period_start) else { return };
                let printer = print.then(|| app.state.attendance.printer.clone());
                app.state.attendance.document = None;
                app.submit(AttendanceJob::Pdf { session: s, period_start: period, notices, printer });
            }
            AttendanceCommand::LoadPrinters => app.submit(AttendanceJob::Printers),
            AttendanceCommand::SetPrinter(p) => app.state.attendance.printer = p,
        }
    }

    fn handle(app: &mut JianchaApp, reply: AttendanceReply) {
        let lang = app.state.lang;
        match reply {
            AttendanceReply::Attendance(result) => {
                let view = &mut app.state.attendance;
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
                        let m = app.store_error(&e);
                        app.state.attendance.error = Some(m);
                    }
                }
            }
            AttendanceReply::Interview(result) => match result {
                Ok(i) => {
                    app.state.attendance.interview = None;
                    app.state.attendance.dialog_error = None;
                    app.state.notice = Some((
                        NoticeLevel::Info,
                        format!(
                            "{} {} {}",
                            lang.pick("已记录约谈：", "Interview recorded:"),
                            i.staff_name,
                            time::format_local_minutes(i.held_at)
                        ),
                    ));
                    if let Some(p) = app.state.attendance.period_start {
                        app.commands.push(AttendanceCommand::Load(p).into());
                    }
                }
                Err(e) => {
                    let m = app.store_error(&e);
                    app.state.attendance.dialog_error = Some(m);
                }
            },
            AttendanceReply::Document(result) => {
                let result = result.map_err(|e| app.job_error(&e));
                app.state.attendance.document = Some(result);
            }
            AttendanceReply::Printers(list) => {
                if app.state.attendance.printer.is_none() {
                    app.state.attendance.printer = list.first().cloned();
                }
                app.state.attendance.printers = Some(list);
            }
        }
    }

    fn run(worker: &mut Worker, job: AttendanceJob) -> AttendanceReply {
        super::jobs::run(worker, job)
    }

    fn navigated(app: &mut JianchaApp, area: Area) {
        if area == Area::Attendance && app.state.attendance.data.is_none() && !app.state.attendance.loading {
            if let Some(opened) = &app.state.opened {
                // The last complete period: the ranking is made once it has ended.
                let settings = &opened.attendance;
                let current = settings.period_start(time::local_date(app.clock.now()));
                let previous = current - chrono::Duration::days(i64::from(settings.period_days.max(1)));
                app.commands.push(AttendanceCommand::Load(previous).into());
            }
            if app.state.attendance.printers.is_none() {
                app.commands.push(AttendanceCommand::LoadPrinters.into());
            }
        }
    }
}

//! The evaluator area's logic: the day's check, poor ratings and their follow-up, satisfaction.

use crate::domain::time;
use crate::ui::app::JianchaApp;
use crate::ui::areas::AreaLogic;
use crate::ui::state::Area;
use crate::ui::worker::Worker;

use super::jobs::{EvaluatorJob, EvaluatorReply};
use super::state::{EvaluatorTab, SatisfactionGroup};

/// What the evaluator panels ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvaluatorCommand {
    Load(chrono::NaiveDate),
    SetTab(EvaluatorTab),
    SetGroup(SatisfactionGroup),
    OpenFollowUp { key: String, step: crate::store::FollowUpStep },
    SubmitFollowUp,
    CancelFollowUp,
}

impl From<EvaluatorCommand> for crate::ui::command::Command {
    fn from(command: EvaluatorCommand) -> Self {
        crate::ui::command::Command::Area(crate::ui::areas::AreaCommand::Evaluator(command))
    }
}

impl From<EvaluatorJob> for crate::ui::worker::Job {
    fn from(job: EvaluatorJob) -> Self {
        crate::ui::worker::Job::Area(crate::ui::areas::AreaJob::Evaluator(job))
    }
}

pub struct EvaluatorArea;

impl AreaLogic for EvaluatorArea {
    type Command = EvaluatorCommand;
    type Job = EvaluatorJob;
    type Reply = EvaluatorReply;

    fn apply(app: &mut JianchaApp, _ctx: &egui::Context, command: EvaluatorCommand) {
        let session = app.state.session.clone();
        match command {
            EvaluatorCommand::Load(date) => {
                if let Some(s) = session {
                    app.state.evaluator.loading = true;
                    app.submit(EvaluatorJob::Evaluator { session: s, date });
                }
            }
            EvaluatorCommand::SetTab(tab) => app.state.evaluator.tab = tab,
            EvaluatorCommand::SetGroup(g) => app.state.evaluator.group = g,
            EvaluatorCommand::OpenFollowUp { key, step } => {
                app.state.evaluator.follow_up = Some((key, step, String::new()));
                app.state.evaluator.dialog_error = None;
            }
            EvaluatorCommand::SubmitFollowUp => {
                let (Some(s), Some((key, step, note))) = (session, app.state.evaluator.follow_up.clone()) else {
                    return;
                };
                app.submit(EvaluatorJob::RecordFollowUp { session: s, key, step, note });
            }
            EvaluatorCommand::CancelFollowUp => app.state.evaluator.follow_up = None,
        }
    }

    fn handle(app: &mut JianchaApp, reply: EvaluatorReply) {
        match reply {
            EvaluatorReply::Evaluator(result) => {
                let view = &mut app.state.evaluator;
                view.loading = false;
                match result {
                    Ok(all) => {
                        let (check, poor, satisfaction) = *all;
                        view.date = Some(check.date);
                        view.date_text = check.date.to_string();
                        view.check = Some(check);
                        view.poor = Some(poor);
                        view.satisfaction = Some(satisfaction);
                        view.error = None;
                    }
                    Err(e) => {
                        let m = app.store_error(&e);
                        app.state.evaluator.error = Some(m);
                    }
                }
            }
            EvaluatorReply::FollowUp(result) => match result {
                Ok(done) => {
                    app.state.evaluator.follow_up = None;
                    app.state.evaluator.dialog_error = None;
                    if let Some(list) = &mut app.state.evaluator.poor
                        && let Some(p) = list.iter_mut().find(|p| p.key == done.key)
                    {
                        *p = done;
                    }
                }
                Err(e) => {
                    let m = app.store_error(&e);
                    app.state.evaluator.dialog_error = Some(m);
                }
            },
        }
    }

    fn run(worker: &mut Worker, job: EvaluatorJob) -> EvaluatorReply {
        super::jobs::run(worker, job)
    }

    fn navigated(app: &mut JianchaApp, area: Area) {
        if area == Area::Evaluator
            && app.state.evaluator.check.is_none()
            && !app.state.evaluator.loading
            && let Some(opened) = &app.state.opened
        {
            // The previous working day: the daily check looks at a finished day.
            let today = time::local_date(app.clock.now());
            let day = opened.calendar.previous_working_day(today).map(|r| r.value).unwrap_or(today);
            app.commands.push(EvaluatorCommand::Load(day).into());
        }
    }
}

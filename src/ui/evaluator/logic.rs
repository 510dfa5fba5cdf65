//! The evaluator area's logic: the day's check, poor ratings and their follow-up, satisfaction.

use crate::domain::time;
use crate::ui::context::{AreaCtx, AreaLogic};
use crate::ui::nav::Area;
use crate::ui::worker::context::Worker;

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

pub struct EvaluatorArea;

/// The context this area's logic runs in.
type Cx<'a> = AreaCtx<'a, EvaluatorArea>;

impl AreaLogic for EvaluatorArea {
    type State = super::state::EvaluatorView;
    type Runtime = ();
    type Command = EvaluatorCommand;
    type Job = EvaluatorJob;
    type Reply = EvaluatorReply;

    fn apply(cx: &mut Cx<'_>, command: EvaluatorCommand) {
        let session = cx.shared.session();
        match command {
            EvaluatorCommand::Load(date) => {
                if let Some(s) = session {
                    cx.view.loading = true;
                    cx.out.submit(EvaluatorJob::Evaluator { session: s, date });
                }
            }
            EvaluatorCommand::SetTab(tab) => cx.view.tab = tab,
            EvaluatorCommand::SetGroup(g) => cx.view.group = g,
            EvaluatorCommand::OpenFollowUp { key, step } => {
                cx.view.follow_up = Some((key, step, String::new()));
                cx.view.dialog_error = None;
            }
            EvaluatorCommand::SubmitFollowUp => {
                let (Some(s), Some((key, step, note))) = (session, cx.view.follow_up.clone()) else {
                    return;
                };
                cx.out.submit(EvaluatorJob::RecordFollowUp { session: s, key, step, note });
            }
            EvaluatorCommand::CancelFollowUp => cx.view.follow_up = None,
        }
    }

    fn handle(cx: &mut Cx<'_>, reply: EvaluatorReply) {
        match reply {
            EvaluatorReply::Evaluator(result) => {
                let view = &mut *cx.view;
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
                        let m = cx.out.store_error(&e);
                        cx.view.error = Some(m);
                    }
                }
            }
            EvaluatorReply::FollowUp(result) => match result {
                Ok(done) => {
                    cx.view.follow_up = None;
                    cx.view.dialog_error = None;
                    if let Some(list) = &mut cx.view.poor
                        && let Some(p) = list.iter_mut().find(|p| p.key == done.key)
                    {
                        *p = done;
                    }
                }
                Err(e) => {
                    let m = cx.out.store_error(&e);
                    cx.view.dialog_error = Some(m);
                }
            },
        }
    }

    fn run(worker: &mut Worker, job: EvaluatorJob) -> EvaluatorReply {
        super::jobs::run(worker, job)
    }

    fn navigated(cx: &mut Cx<'_>, area: Area) {
        if area == Area::Evaluator
            && cx.view.check.is_none()
            && !cx.view.loading
            && let Some(opened) = &cx.shared.opened
        {
            // The previous working day: the daily check looks at a finished day.
            let today = time::local_date(cx.shared.now);
            let day = opened.calendar.previous_working_day(today).map(|r| r.value).unwrap_or(today);
            cx.out.send(EvaluatorCommand::Load(day));
        }
    }
}

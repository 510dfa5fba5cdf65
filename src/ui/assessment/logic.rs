//! The assessment area's logic: picking the month, the drill-down, the trend and the year, publishing
//! (chiefs), the bulletin, and the 监察建议书 with their receipts and replies.

use crate::domain::assessment::{YearMonth, recommendation_facts};
use crate::domain::time;
use crate::store::NewRecommendation;
use crate::ui::context::{AreaCtx, AreaLogic};
use crate::ui::nav::Area;
use crate::ui::worker::context::Worker;

use super::jobs::{AssessmentJob, AssessmentReply};
use super::state::{AssessmentForm, AssessmentTab};

/// What the assessment panels ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessmentCommand {
    Load(YearMonth),
    SetTab(AssessmentTab),
    /// The year of the 季度与年度 tab.
    LoadYear(i32),
    Select(i64),
    Compare(Option<i64>),
    SetLive(bool),
    /// The records behind the selected department's points.
    Items,
    OpenPublish,
    /// Opens the 监察建议书 form for a department of the month, its facts filled in.
    OpenRecommend(i64),
    OpenReceipt(i64),
    OpenReply(i64),
    SubmitForm,
    CancelForm,
    /// Writes the month's bulletin; printed when `print` says where.
    Bulletin {
        print: Option<Option<String>>,
    },
    RecommendationPdf {
        id: i64,
        print: Option<Option<String>>,
    },
}

pub struct AssessmentArea;

/// The context this area's logic runs in.
type Cx<'a> = AreaCtx<'a, AssessmentArea>;

impl AreaLogic for AssessmentArea {
    type State = super::state::AssessmentState;
    type Runtime = ();
    type Command = AssessmentCommand;
    type Job = AssessmentJob;
    type Reply = AssessmentReply;

    fn apply(cx: &mut Cx<'_>, command: AssessmentCommand) {
        let Some(session) = cx.shared.session() else { return };
        let view = &mut *cx.view;
        match command {
            AssessmentCommand::Load(month) => {
                view.month = Some(month);
                view.loading = true;
                view.items = None;
                view.trend = None;
                cx.out.submit(AssessmentJob::Month { session: session.clone(), month });
                cx.out.submit(AssessmentJob::Trend { session, month });
            }
            AssessmentCommand::SetTab(tab) => {
                view.tab = tab;
                if tab == AssessmentTab::Year && view.year.is_none() {
                    let year =
                        view.month.map_or_else(|| YearMonth::of(time::local_date(cx.shared.now)).year, |m| m.year);
                    cx.out.submit(AssessmentJob::Year { session, year });
                }
            }
            AssessmentCommand::LoadYear(year) => {
                view.year = None;
                cx.out.submit(AssessmentJob::Year { session, year });
            }
            AssessmentCommand::Select(id) => {
                view.selected = Some(id);
                if view.compare == Some(id) {
                    view.compare = None;
                }
                view.items = None;
            }
            AssessmentCommand::Compare(id) => view.compare = id.filter(|c| Some(*c) != view.selected),
            AssessmentCommand::SetLive(live) => view.live = live,
            AssessmentCommand::Items => {
                if let (Some(month), Some(department_id)) = (view.month, view.selected) {
                    cx.out.submit(AssessmentJob::Items { session, month, department_id });
                }
            }
            AssessmentCommand::OpenPublish => {
                view.form = Some(AssessmentForm::Publish { reason: String::new() });
                view.form_error = None;
            }
            AssessmentCommand::OpenRecommend(id) => {
                let (Some(month), Some(v)) = (view.month, &view.view) else { return };
                let Some(d) = v.current().departments.iter().find(|d| d.department_id == id) else { return };
                view.form = Some(AssessmentForm::Recommend {
                    department_id: id,
                    department: d.department.clone(),
                    facts: recommendation_facts(d, month),
                    recommendation: "一、对本月超期办件和预警逐件分析原因，落实限时办结制度；\n二、对投诉、差评和纪律问题涉及的人员进行教育，明确整改责任人和时限。".into(),
                });
                view.form_error = None;
            }
            AssessmentCommand::OpenReceipt(id) => {
                view.form = Some(AssessmentForm::Receipt { id, signed_by: String::new() });
                view.form_error = None;
            }
            AssessmentCommand::OpenReply(id) => {
                view.form = Some(AssessmentForm::Reply { id, reply: String::new() });
                view.form_error = None;
            }
            AssessmentCommand::CancelForm => {
                view.form = None;
                view.form_error = None;
            }
            AssessmentCommand::SubmitForm => {
                let Some(form) = view.form.clone() else { return };
                let job = match form {
                    AssessmentForm::Publish { reason } => {
                        let Some(month) = view.month else { return };
                        AssessmentJob::Publish { session, month, reason }
                    }
                    AssessmentForm::Recommend { department_id, facts, recommendation, .. } => {
                        AssessmentJob::Recommend {
                            session,
                            new: NewRecommendation {
                                department_id,
                                month: view.month,
                                facts,
                                recommendation,
                                hall: None,
                            },
                        }
                    }
                    AssessmentForm::Receipt { id, signed_by } => AssessmentJob::Receipt { session, id, signed_by },
                    AssessmentForm::Reply { id, reply } => AssessmentJob::Reply { session, id, reply },
                };
                cx.out.submit(job);
            }
            AssessmentCommand::Bulletin { print } => {
                if let Some(month) = view.month {
                    cx.out.submit(AssessmentJob::Bulletin { session, month, print });
                }
            }
            AssessmentCommand::RecommendationPdf { id, print } => {
                cx.out.submit(AssessmentJob::RecommendationPdf { session, id, print });
            }
        }
    }

    fn handle(cx: &mut Cx<'_>, reply: AssessmentReply) {
        match reply {
            AssessmentReply::Month(result) => {
                cx.view.loading = false;
                match result {
                    Ok(both) => {
                        let (month, recommendations) = *both;
                        let view = &mut *cx.view;
                        if view.month != Some(month.live.month) {
                            return;
                        }
                        let current = month.current();
                        if view.selected.is_none_or(|id| !current.departments.iter().any(|d| d.department_id == id)) {
                            view.selected = current.departments.first().map(|d| d.department_id);
                        }
                        view.view = Some(month);
                        view.recommendations = Some(recommendations);
                        view.error = None;
                    }
                    Err(e) => {
                        let m = cx.out.job_error(&e);
                        cx.view.error = Some(m);
                    }
                }
            }
            AssessmentReply::Trend(result) => match result {
                Ok(trend) if cx.view.month == Some(trend.0) => cx.view.trend = Some(trend),
                Ok(_) => {}
                Err(e) => {
                    let m = cx.out.job_error(&e);
                    cx.view.error = Some(m);
                }
            },
            AssessmentReply::Year(result) => match result {
                Ok(year) => cx.view.year = Some(year),
                Err(e) => {
                    let m = cx.out.job_error(&e);
                    cx.view.error = Some(m);
                }
            },
            AssessmentReply::Items(result) => match result {
                Ok(items) => cx.view.items = Some(items),
                Err(e) => {
                    let m = cx.out.job_error(&e);
                    cx.view.error = Some(m);
                }
            },
            AssessmentReply::Published(result) => match result {
                Ok(p) => {
                    let view = &mut *cx.view;
                    view.form = None;
                    view.form_error = None;
                    view.live = false;
                    view.message = Some(format!("{} 已发布第{}版", p.month.label_zh(), p.version));
                    if let Some(v) = &mut view.view
                        && v.live.month == p.month
                    {
                        v.published.insert(0, p);
                    }
                    view.year = None;
                }
                Err(e) => {
                    let m = cx.out.job_error(&e);
                    cx.view.form_error = Some(m);
                }
            },
            AssessmentReply::Done(result) => match result {
                Ok(message) => cx.view.message = Some(message),
                Err(e) => {
                    let m = cx.out.job_error(&e);
                    cx.view.message = Some(m);
                }
            },
            AssessmentReply::Recommendation(result) => match result {
                Ok((r, message)) => {
                    let view = &mut *cx.view;
                    view.form = None;
                    view.form_error = None;
                    view.message = Some(format!("{} → {}：{message}", r.number_text(), r.department));
                    let list = view.recommendations.get_or_insert_with(Vec::new);
                    match list.iter_mut().find(|x| x.id == r.id) {
                        Some(x) => *x = r,
                        None => list.insert(0, r),
                    }
                }
                Err(e) => {
                    let m = cx.out.job_error(&e);
                    cx.view.form_error = Some(m);
                }
            },
        }
    }

    fn run(worker: &mut Worker, job: AssessmentJob) -> AssessmentReply {
        super::jobs::run(worker, job)
    }

    fn navigated(cx: &mut Cx<'_>, area: Area) {
        if area == Area::Assessment && cx.view.view.is_none() && !cx.view.loading {
            // Last month: the one a chief publishes at the start of this one.
            let month = YearMonth::of(time::local_date(cx.shared.now)).previous();
            cx.out.send(AssessmentCommand::Load(month));
        }
    }

    fn is_offline(reply: &AssessmentReply) -> bool {
        let offline =
            |e: &crate::ui::worker::context::JobError| e.store().is_some_and(crate::store::StoreError::is_offline);
        match reply {
            AssessmentReply::Month(Err(e)) | AssessmentReply::Done(Err(e)) => offline(e),
            _ => false,
        }
    }
}

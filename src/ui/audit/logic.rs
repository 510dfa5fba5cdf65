//! The audit area's logic: searching the log (pages of 500, older on demand) and checking the chain.

use chrono::NaiveDate;

use crate::domain::time;
use crate::store::AuditQuery;
use crate::ui::app::JianchaApp;
use crate::ui::areas::AreaLogic;
use crate::ui::state::Area;
use crate::ui::worker::Worker;

use super::jobs::{AuditJob, AuditReply};

/// Audit records fetched per page.
const AUDIT_PAGE: u32 = 500;

/// What the audit panel asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCommand {
    /// Run the audit search with the filter form (from the newest record).
    Search,
    /// Load older records matching the same filter.
    More,
    Verify,
    Select(Option<i64>),
}

impl From<AuditCommand> for crate::ui::command::Command {
    fn from(command: AuditCommand) -> Self {
        crate::ui::command::Command::Area(crate::ui::areas::AreaCommand::Audit(command))
    }
}

impl From<AuditJob> for crate::ui::worker::Job {
    fn from(job: AuditJob) -> Self {
        crate::ui::worker::Job::Area(crate::ui::areas::AreaJob::Audit(job))
    }
}

pub struct AuditArea;

impl AreaLogic for AuditArea {
    type Command = AuditCommand;
    type Job = AuditJob;
    type Reply = AuditReply;

    fn apply(app: &mut JianchaApp, _ctx: &egui::Context, command: AuditCommand) {
        let session = app.state.session.clone();
        match command {
            AuditCommand::Search => {
                let Some(s) = session else { return };
                if let Some(query) = audit_query(app, None) {
                    app.state.audit.loading = true;
                    app.state.audit.selected = None;
                    app.submit(AuditJob::AuditLog { session: s, query, append: false });
                }
            }
            AuditCommand::More => {
                let Some(s) = session else { return };
                let before = app.state.audit.records.last().map(|r| r.seq);
                if let (Some(before), Some(query)) = (before, audit_query(app, before)) {
                    app.state.audit.loading = true;
                    app.submit(AuditJob::AuditLog {
                        session: s,
                        query: AuditQuery { before_seq: Some(before), ..query },
                        append: true,
                    });
                }
            }
            AuditCommand::Verify => {
                if let Some(s) = session {
                    app.state.audit.verifying = true;
                    app.state.audit.verification = None;
                    app.submit(AuditJob::Verify(s));
                }
            }
            AuditCommand::Select(seq) => app.state.audit.selected = seq,
        }
    }

    fn handle(app: &mut JianchaApp, reply: AuditReply) {
        match reply {
            AuditReply::Log { result, append } => {
                let audit = &mut app.state.audit;
                audit.loading = false;
                audit.loaded = true;
                match result {
                    Ok(records) => {
                        audit.exhausted = (records.len() as u32) < AUDIT_PAGE;
                        audit.error = None;
                        if append {
                            audit.records.extend(records);
                        } else {
                            audit.records = records;
                        }
                    }
                    Err(e) => {
                        let m = app.store_error(&e);
                        app.state.audit.error = Some(m);
                    }
                }
            }
            AuditReply::Verified(result) => {
                app.state.audit.verifying = false;
                let r = result.map_err(|e| app.store_error(&e));
                app.state.audit.verification = Some(r);
            }
        }
    }

    fn run(worker: &mut Worker, job: AuditJob) -> AuditReply {
        let store = worker.store();
        match job {
            AuditJob::AuditLog { session, query, append } => {
                AuditReply::Log { result: store.and_then(|s| s.audit_log(&session, &query)), append }
            }
            AuditJob::Verify(session) => AuditReply::Verified(store.and_then(|s| s.verify_audit(&session))),
        }
    }

    fn navigated(app: &mut JianchaApp, area: Area) {
        if area == Area::Audit && !app.state.audit.loaded && !app.state.audit.loading {
            app.commands.push(AuditCommand::Search.into());
        }
    }
}

fn audit_query(app: &mut JianchaApp, before_seq: Option<i64>) -> Option<AuditQuery> {
    let f = &app.state.audit.filter;
    let lang = app.state.lang;
    let date = |text: &str, what: &str| -> Result<Option<NaiveDate>, String> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| {
            format!("{what}: {t:?} {}", lang.pick("不是日期（应为 YYYY-MM-DD）", "is not a date (YYYY-MM-DD)"))
        })
    };
    let from = date(&f.from, lang.pick("起始日期", "From"));
    let to = date(&f.to, lang.pick("截止日期", "To"));
    let (from, to) = match (from, to) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            app.state.audit.filter_error = Some(e);
            return None;
        }
    };
    app.state.audit.filter_error = None;
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Some(AuditQuery {
        actor: text(&f.actor),
        action_prefix: text(&f.action),
        text: text(&f.text),
        from: from.map(time::start_of_day),
        to: to.and_then(|d| d.succ_opt()).map(time::start_of_day),
        before_seq,
        limit: AUDIT_PAGE,
    })
}

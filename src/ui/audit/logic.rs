//! The audit area's logic: searching the log (pages of 500, older on demand) and checking the chain.

use chrono::NaiveDate;

use crate::domain::time;
use crate::store::AuditQuery;
use crate::ui::context::{AreaCtx, AreaLogic};
use crate::ui::nav::Area;
use crate::ui::worker::context::Worker;

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

pub struct AuditArea;

/// The context this area's logic runs in.
type Cx<'a> = AreaCtx<'a, AuditArea>;

impl AreaLogic for AuditArea {
    type State = super::state::AuditView;
    type Runtime = ();
    type Command = AuditCommand;
    type Job = AuditJob;
    type Reply = AuditReply;

    fn apply(cx: &mut Cx<'_>, command: AuditCommand) {
        let session = cx.shared.session();
        match command {
            AuditCommand::Search => {
                let Some(s) = session else { return };
                if let Some(query) = audit_query(cx, None) {
                    cx.view.loading = true;
                    cx.view.selected = None;
                    cx.out.submit(AuditJob::AuditLog { session: s, query, append: false });
                }
            }
            AuditCommand::More => {
                let Some(s) = session else { return };
                let before = cx.view.records.last().map(|r| r.seq);
                if let (Some(before), Some(query)) = (before, audit_query(cx, before)) {
                    cx.view.loading = true;
                    cx.out.submit(AuditJob::AuditLog {
                        session: s,
                        query: AuditQuery { before_seq: Some(before), ..query },
                        append: true,
                    });
                }
            }
            AuditCommand::Verify => {
                if let Some(s) = session {
                    cx.view.verifying = true;
                    cx.view.verification = None;
                    cx.out.submit(AuditJob::Verify(s));
                }
            }
            AuditCommand::Select(seq) => cx.view.selected = seq,
        }
    }

    fn handle(cx: &mut Cx<'_>, reply: AuditReply) {
        match reply {
            AuditReply::Log { result, append } => {
                let audit = &mut *cx.view;
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
                        let m = cx.out.store_error(&e);
                        cx.view.error = Some(m);
                    }
                }
            }
            AuditReply::Verified(result) => {
                cx.view.verifying = false;
                let r = result.map_err(|e| cx.out.store_error(&e));
                cx.view.verification = Some(r);
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

    fn navigated(cx: &mut Cx<'_>, area: Area) {
        if area == Area::Audit && !cx.view.loaded && !cx.view.loading {
            cx.out.send(AuditCommand::Search);
        }
    }
}

fn audit_query(cx: &mut Cx<'_>, before_seq: Option<i64>) -> Option<AuditQuery> {
    let f = &cx.view.filter;
    let lang = cx.shared.lang;
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
            cx.view.filter_error = Some(e);
            return None;
        }
    };
    cx.view.filter_error = None;
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

//! The data worker's side of the audit area.

use crate::domain::audit::AuditRecord;
use crate::store::{AuditQuery, AuditVerification, Session, StoreError};

pub enum AuditJob {
    AuditLog { session: Session, query: AuditQuery, append: bool },
    Verify(Session),
}

pub enum AuditReply {
    Log { result: Result<Vec<AuditRecord>, StoreError>, append: bool },
    Verified(Result<AuditVerification, StoreError>),
}

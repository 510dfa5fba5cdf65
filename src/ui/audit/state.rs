//! What the audit area shows: the filter, the records, the chain check.

use crate::domain::audit::AuditRecord;
use crate::store::AuditVerification;

/// The audit filter as typed.
#[derive(Debug, Default, Clone)]
pub struct AuditFilterForm {
    pub actor: String,
    pub action: String,
    pub text: String,
    /// `YYYY-MM-DD`, local.
    pub from: String,
    pub to: String,
}

#[derive(Debug, Default)]
pub struct AuditView {
    pub filter: AuditFilterForm,
    pub filter_error: Option<String>,
    pub records: Vec<AuditRecord>,
    pub loaded: bool,
    pub loading: bool,
    /// No older records match.
    pub exhausted: bool,
    pub error: Option<String>,
    pub verifying: bool,
    pub verification: Option<Result<AuditVerification, String>>,
    pub selected: Option<i64>,
}

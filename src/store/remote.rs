//! `RemoteStore`: the `Store` over HTTP to a `jiancha serve` (see `api.rs` for the wire format).
//! Calls block; the console makes them from its data worker thread, like the local store's.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use chrono::NaiveDate;

// The types the generated methods name (the API table is written in `api.rs`'s terms).
use super::api::remote_methods;
use super::{
    AlertQuery, AuditQuery, CaseQuery, ComplaintStep, DailyCheck, ExportOutcome, FollowUpStep, HallSetup, NewComplaint,
    NewEvidence, NewFootageRequest, NewInterview, NewNotice, NewObservation, NewSegment, NewUser, NewViolation,
    RequestFilter, Session, Store, StoreError,
};
use crate::domain::accountability::Measure;
use crate::domain::discipline::Week;
use crate::domain::footage::{Span, Use};
use crate::interchange::ImportBatch;

pub struct RemoteStore {
    base: String,
    client: reqwest::blocking::Client,
    /// Sent with every call, for the audit log on the server.
    workstation: String,
}

impl std::fmt::Debug for RemoteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteStore").field("base", &self.base).finish_non_exhaustive()
    }
}

/// The header naming the workstation a call comes from.
pub const WORKSTATION_HEADER: &str = "x-jiancha-workstation";

impl RemoteStore {
    /// A client of the server at `base` (`http://host:port`).
    pub fn new(base: &str) -> Result<Self, StoreError> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(StoreError::Invalid(format!("backend URL must start with http:// or https://: {base}")));
        }
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let workstation = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()))
            .unwrap_or_else(|| "unknown".into());
        Ok(Self { base, client, workstation })
    }

    fn answer<R: DeserializeOwned>(response: reqwest::blocking::Response) -> Result<R, StoreError> {
        let status = response.status();
        let body = response.bytes().map_err(|e| StoreError::Backend(format!("reading the answer: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| StoreError::Backend(format!("the server's answer: {e}")));
        }
        match serde_json::from_slice::<StoreError>(&body) {
            Ok(e) => Err(e),
            Err(_) => Err(StoreError::Backend(format!("{status}: {}", String::from_utf8_lossy(&body)))),
        }
    }

    fn unreachable(e: &reqwest::Error) -> StoreError {
        StoreError::Backend(format!("服务器无法连接 (the server cannot be reached): {e}"))
    }

    pub(crate) fn call<A: Serialize, R: DeserializeOwned>(
        &self,
        session: &Session,
        method: &str,
        args: A,
    ) -> Result<R, StoreError> {
        let response = self
            .client
            .post(format!("{}/api/v1/call/{method}", self.base))
            .bearer_auth(&session.token)
            .header(WORKSTATION_HEADER, &self.workstation)
            .json(&args)
            .send()
            .map_err(|e| Self::unreachable(&e))?;
        Self::answer(response)
    }
}

impl Store for RemoteStore {
    fn describe(&self) -> String {
        format!("Jiancha server {}", self.base)
    }

    fn login(&self, username: &str, password: &str) -> Result<Session, StoreError> {
        let response = self
            .client
            .post(format!("{}/api/v1/login", self.base))
            .header(WORKSTATION_HEADER, &self.workstation)
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .map_err(|e| Self::unreachable(&e))?;
        Self::answer(response)
    }

    fn logout(&self, session: &Session) -> Result<(), StoreError> {
        let response = self
            .client
            .post(format!("{}/api/v1/logout", self.base))
            .bearer_auth(&session.token)
            .send()
            .map_err(|e| Self::unreachable(&e))?;
        Self::answer(response)
    }

    remote_methods!();
}

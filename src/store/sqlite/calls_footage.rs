//! The `FootageStore` calls of the embedded database: footage: recorded segments, requests and their four-eyes decisions, grants and exports, the register, holds, evidence.
//!
//! Each call is its ceremony (`read` / `write`: the session, the permission, the transaction and its
//! audit) around the SQL of its own module.

use super::*;
use crate::store::prelude::*;

impl FootageStore for SqlStore {
    fn add_segment(&self, session: &Session, segment: &NewSegment) -> Result<Segment, StoreError> {
        // Derived from the recorder's files like alert rows from events: not audited one by one.
        let holder = self.holder();
        self.write(session, Permission::RecordFootage, |w| {
            footage::insert_segment(w.tx, segment, holder.as_deref(), w.now)
        })
    }

    fn segments(&self, session: &Session, camera_id: i64, span: Span) -> Result<Vec<Segment>, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            if !reach::Reach::of(r.conn, &r.actor.scope)?.camera(camera_id) {
                return Err(StoreError::NotFound(format!("camera {camera_id}")));
            }
            footage::segments(r.conn, camera_id, span)
        })
    }

    fn segment_paths(&self, session: &Session) -> Result<Vec<String>, StoreError> {
        let holder = self.holder();
        self.read(session, Permission::RecordFootage, |r| footage::segment_paths(r.conn, holder.as_deref()))
    }

    fn expire_segments(&self, session: &Session) -> Result<Vec<Segment>, StoreError> {
        let holder = self.holder();
        self.write(session, Permission::RecordFootage, |w| {
            let abandoned = footage::abandon_stale_exports(w.tx, w.now)?;
            if !abandoned.is_empty() {
                w.audit("footage.export_abandoned", "footage_access", serde_json::json!({"lines": abandoned}))?;
            }
            let gone = footage::expire_segments(w.tx, &w.rules.footage, holder.as_deref(), w.now)?;
            if gone.is_empty() {
                if abandoned.is_empty() {
                    w.unchanged();
                }
            } else {
                let first = gone.iter().map(|s| s.span.from).min().unwrap_or_default();
                let last = gone.iter().map(|s| s.span.to).max().unwrap_or_default();
                let bytes: u64 = gone.iter().map(|s| s.bytes).sum();
                w.audit(
                    "footage.retention",
                    "segments",
                    serde_json::json!({"segments": gone.len(), "bytes": bytes, "from_ms": first, "to_ms": last}),
                )?;
            }
            Ok(gone)
        })
    }

    fn window_events(
        &self,
        session: &Session,
        window_code: &str,
        span: Span,
    ) -> Result<Vec<crate::store::WindowEvent>, StoreError> {
        self.read(session, Permission::ReadCases, |r| holds::window_events(r.conn, window_code, span, &r.actor.scope))
    }

    fn recording_health(&self, session: &Session, span: Span) -> Result<RecordingHealth, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            let mut health = footage::recording_health(r.conn, span)?;
            if !r.actor.scope.is_city() {
                let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
                health.cameras.retain(|c| reach.camera(c.camera_id));
                health.total_bytes = health.cameras.iter().map(|c| c.bytes).sum();
            }
            Ok(health)
        })
    }

    fn request_footage(&self, session: &Session, request: &NewFootageRequest) -> Result<FootageRequest, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let stored = footage::insert_request(w.tx, request, &w.actor.username, &w.rules.footage, w.now)?;
            keep_to_cameras(w, &stored.cameras, "request_footage")?;
            w.audit(
                "footage.request",
                &format!("footage_request:{}", stored.request_no),
                serde_json::json!({
                    "kind": stored.kind, "cameras": stored.cameras, "from_ms": stored.span.from, "to_ms": stored.span.to,
                    "purpose": stored.purpose, "second_person": stored.second_person,
                    "case_no": stored.case_no, "complaint_no": stored.complaint_no,
                }),
            )?;
            Ok(stored)
        })
    }

    fn footage_requests(&self, session: &Session, filter: RequestFilter) -> Result<Vec<FootageRequest>, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            let role = r.actor.role;
            let filter = if role.allows(Permission::ReadFootageRegister) || role.allows(Permission::ApproveFootage) {
                filter
            } else {
                RequestFilter::Mine
            };
            let mut list = footage::requests(r.conn, filter, &r.actor.username)?;
            if !r.actor.scope.is_city() {
                // Another hall's requests are not told, but one's own always are.
                let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
                let me = r.actor.username.as_str();
                list.retain(|q| {
                    q.requester == me
                        || q.second_person.as_deref() == Some(me)
                        || q.cameras.iter().all(|c| reach.camera(*c))
                });
            }
            Ok(list)
        })
    }

    fn decide_footage(
        &self,
        session: &Session,
        request_id: i64,
        approve: bool,
        note: &str,
    ) -> Result<FootageRequest, StoreError> {
        // Who may decide which request is the footage rules' question (`footage::decide`).
        self.write(session, Permission::ReadHall, |w| {
            let decided = footage::decide(w.tx, request_id, approve, note, &w.actor, &w.rules.footage, w.now)?;
            // A chief decides only the requests on its halls' cameras (checked after the footage rules,
            // so that who may decide none learns nothing of another hall's request: rolled back).
            keep_to_cameras(w, &decided.cameras, "decide_footage")?;
            w.audit(
                if approve { "footage.approve" } else { "footage.refuse" },
                &format!("footage_request:{}", decided.request_no),
                serde_json::json!({"requester": decided.requester, "note": decided.decision_note, "expires_at": decided.expires_at}),
            )?;
            Ok(decided)
        })
    }

    fn cancel_footage_request(&self, session: &Session, request_id: i64) -> Result<FootageRequest, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let cancelled = footage::cancel(w.tx, request_id, &w.actor.username)?;
            w.audit("footage.cancel", &format!("footage_request:{}", cancelled.request_no), serde_json::json!({}))?;
            Ok(cancelled)
        })
    }

    fn open_footage(
        &self,
        session: &Session,
        request_id: i64,
        camera_id: i64,
        span: Span,
        use_: Use,
        destination: Option<&str>,
    ) -> Result<FootageGrant, StoreError> {
        let mut grants = self.open_footage_cameras(session, request_id, &[camera_id], span, use_, destination)?;
        let segments = grants.tracks.pop().map(|t| t.segments).unwrap_or_default();
        Ok(FootageGrant { access_id: grants.access_id, request: grants.request, camera_id, span, segments })
    }

    fn open_footage_cameras(
        &self,
        session: &Session,
        request_id: i64,
        camera_ids: &[i64],
        span: Span,
        use_: Use,
        destination: Option<&str>,
    ) -> Result<crate::store::FootageGrants, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            keep_to_cameras(w, camera_ids, "open_footage")?;
            let (access_id, request) =
                footage::open(w.tx, request_id, camera_ids, span, use_, destination, &w.actor.username, w.now)?;
            let tracks = camera_ids
                .iter()
                .map(|&camera_id| {
                    Ok(crate::store::GrantTrack { camera_id, segments: footage::segments(w.tx, camera_id, span)? })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut detail = serde_json::json!({
                "camera_id": camera_ids[0], "from_ms": span.from, "to_ms": span.to, "destination": destination,
                "register_id": access_id, "segments": tracks.iter().map(|t| t.segments.len()).sum::<usize>(),
            });
            if camera_ids.len() > 1 {
                detail["cameras"] = serde_json::json!(camera_ids);
            }
            w.audit(
                match use_ {
                    Use::View => "footage.view",
                    Use::Export => "footage.export",
                },
                &format!("footage_request:{}", request.request_no),
                detail,
            )?;
            Ok(crate::store::FootageGrants { access_id, request, span, tracks })
        })
    }

    fn footage_segment(
        &self,
        session: &Session,
        access_id: i64,
        segment_id: i64,
    ) -> Result<crate::store::GrantedSegment, StoreError> {
        self.read(session, Permission::Supervise, |r| {
            footage::granted_segment(r.conn, access_id, segment_id, &r.actor.username, r.now)
        })
    }

    fn finish_export(
        &self,
        session: &Session,
        access_id: i64,
        outcome: &ExportOutcome,
    ) -> Result<FootageAccess, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let line = footage::finish_export(w.tx, access_id, outcome, &w.actor.username, w.now)?;
            w.audit(
                "footage.export_finished",
                &format!("footage_request:{}", line.request_no),
                serde_json::json!({"register_id": access_id, "outcome": outcome, "destination": line.destination}),
            )?;
            Ok(line)
        })
    }

    fn footage_register(&self, session: &Session, limit: u32) -> Result<Vec<FootageAccess>, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            let everyone = r.actor.role.allows(Permission::ReadFootageRegister);
            let user = (!everyone).then_some(r.actor.username.as_str());
            if r.actor.scope.is_city() {
                return footage::register(r.conn, user, limit.clamp(1, 10_000));
            }
            // The lines on the caller's halls' cameras, newest first, up to `limit`.
            let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
            let mut lines = footage::register(r.conn, user, 10_000)?;
            lines.retain(|l| l.cameras.iter().all(|c| reach.camera(*c)));
            lines.truncate(usize::try_from(limit.clamp(1, 10_000)).unwrap_or(usize::MAX));
            Ok(lines)
        })
    }

    fn place_hold(&self, session: &Session, camera_id: i64, span: Span, reason: &str) -> Result<LegalHold, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            keep_to_cameras(w, &[camera_id], "place_hold")?;
            let hold = holds::place_hold(w.tx, camera_id, span, reason, &w.actor.username, w.now)?;
            w.audit(
                "footage.hold",
                &format!("legal_hold:{}", hold.id),
                serde_json::json!({"camera_id": camera_id, "from_ms": span.from, "to_ms": span.to, "reason": hold.reason}),
            )?;
            Ok(hold)
        })
    }

    fn lift_hold(&self, session: &Session, hold_id: i64, reason: &str) -> Result<LegalHold, StoreError> {
        self.write(session, Permission::ApproveFootage, |w| {
            keep_to_cameras(w, &[holds::hold_by_id(w.tx, hold_id)?.camera_id], "lift_hold")?;
            let hold = holds::lift_hold(w.tx, hold_id, reason, &w.actor.username, w.now)?;
            w.audit(
                "footage.lift_hold",
                &format!("legal_hold:{hold_id}"),
                serde_json::json!({"reason": reason.trim()}),
            )?;
            Ok(hold)
        })
    }

    fn holds(&self, session: &Session) -> Result<Vec<LegalHold>, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
            let mut list = holds::holds(r.conn)?;
            list.retain(|h| reach.camera(h.camera_id));
            Ok(list)
        })
    }

    fn record_evidence(&self, session: &Session, evidence: &NewEvidence) -> Result<Evidence, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            keep_to_cameras(w, &[evidence.camera_id], "record_evidence")?;
            let stored = query::insert_evidence(w.tx, evidence, &w.actor.username)?;
            // A snapshot kept for the discipline log is an observation too, in the same transaction.
            if evidence.for_discipline {
                let observation = NewObservation {
                    observed_at: evidence.taken_at,
                    category: evidence.category.clone().unwrap_or_else(|| "其他".into()),
                    source: crate::domain::discipline::ObservationSource::Wall,
                    camera_id: Some(evidence.camera_id),
                    window_code: evidence.window_code.clone(),
                    staff_no: evidence.staff_no.clone(),
                    department: None,
                    evidence_id: Some(stored.id),
                    clip: None,
                    note: evidence.note.clone(),
                };
                accountability::insert_observation(
                    w.tx,
                    &observation,
                    (&w.actor.username, None, &w.actor.scope),
                    w.now,
                )?;
            }
            w.audit(
                if evidence.for_discipline { "evidence.discipline" } else { "evidence.snapshot" },
                &format!("camera:{}", stored.camera_name),
                serde_json::json!({
                    "path": evidence.path, "sha256": evidence.sha256, "taken_at": evidence.taken_at,
                    "window": evidence.window_code, "staff_no": evidence.staff_no, "category": evidence.category,
                }),
            )?;
            Ok(stored)
        })
    }

    fn evidence(&self, session: &Session, limit: u32) -> Result<Vec<Evidence>, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            if r.actor.scope.is_city() {
                return query::evidence(r.conn, limit);
            }
            let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
            let mut list = query::evidence(r.conn, 10_000)?;
            list.retain(|e| reach.camera(e.evidence.camera_id));
            list.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok(list)
        })
    }
}

/// Refuses (403, audited) a footage write on a camera outside the caller's halls.
/// (For a city-wide caller it only notes the hall, for the audit record.)
fn keep_to_cameras(w: &Write<'_>, cameras: &[i64], what: &str) -> Result<(), StoreError> {
    for &camera in cameras {
        if let Some(hall) = reach::camera_hall(w.tx, camera)? {
            w.keep_to(Some(&hall), what)?;
        }
    }
    Ok(())
}

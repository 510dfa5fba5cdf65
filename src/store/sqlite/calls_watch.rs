//! The `WatchStore` calls of the embedded database: camera watching: links and offline alarms, the watchers' settings, findings and their snapshots.
//!
//! Each call is its ceremony (`read` / `write`: the session, the permission, the transaction and its
//! audit) around the SQL of its own module.

use super::*;
use crate::store::prelude::*;
use crate::store::sql::OptionalExtension as _;

impl WatchStore for SqlStore {
    fn report_camera_link(
        &self,
        session: &Session,
        camera_id: i64,
        online: bool,
        reason: &str,
    ) -> Result<Option<CameraAlert>, StoreError> {
        // Derived from what the recorder sees, like alert rows from events: not audited.
        self.write(session, Permission::RecordFootage, |w| {
            let change = devices::report_link(w.tx, &w.rules, camera_id, online, reason, w.now)?;
            if change.is_none() {
                w.unchanged();
            }
            Ok(change)
        })
    }

    fn camera_alerts(&self, session: &Session, open_only: bool) -> Result<Vec<CameraAlert>, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
            let mut list = devices::camera_alerts(r.conn, open_only, r.now)?;
            list.retain(|a| reach.camera(a.camera_id));
            Ok(list)
        })
    }

    fn watch_config(&self, session: &Session) -> Result<crate::store::WatchConfig, StoreError> {
        self.read(session, Permission::WatchLive, |r| {
            let mut config = watch::config(r.conn, &r.rules, r.now)?;
            config.cameras.retain(|c| r.actor.scope.covers(Some(&c.hall_code)));
            Ok(config)
        })
    }

    fn set_camera_reference(&self, session: &Session, camera_id: i64, png: Option<&[u8]>) -> Result<(), StoreError> {
        self.write(session, Permission::ConfigureHall, |w| {
            keep_to_camera(w, camera_id, "set_camera_reference")?;
            let sha = watch::set_reference(w.tx, camera_id, png, &w.actor.username, w.now)?;
            w.audit("camera.reference", &format!("camera:{camera_id}"), serde_json::json!({ "sha256": sha }))?;
            Ok(())
        })
    }

    fn set_camera_seat(
        &self,
        session: &Session,
        camera_id: i64,
        seat: Option<crate::domain::watch::Region>,
    ) -> Result<(), StoreError> {
        self.write(session, Permission::ConfigureHall, |w| {
            keep_to_camera(w, camera_id, "set_camera_seat")?;
            watch::set_seat(w.tx, camera_id, seat)?;
            w.audit("camera.seat", &format!("camera:{camera_id}"), serde_json::json!({ "seat": seat }))?;
            Ok(())
        })
    }

    fn report_watch(
        &self,
        session: &Session,
        report: &crate::store::WatchReport,
    ) -> Result<Option<crate::store::CameraFinding>, StoreError> {
        // Detections come only from this machine's own watchers (the recorder, the server, a standalone
        // console): no caller invents one to confirm it afterwards.
        self.write(session, Permission::RecordFootage, |w| {
            let change = watch::report(w.tx, report, &w.actor.username, w.now)?;
            match &change {
                None => w.unchanged(),
                Some(f) => {
                    let action = if f.resolved_at.is_some() { "watch.ended" } else { "watch.raised" };
                    w.audit(
                        action,
                        &format!("camera_finding:{}", f.id),
                        serde_json::json!({
                            "camera": f.camera_name, "kind": f.kind, "since": f.since, "resolved_at": f.resolved_at,
                            "first_sha256": f.first_snapshot.as_ref().map(|s| &s.sha256),
                            "second_sha256": f.second_snapshot.as_ref().map(|s| &s.sha256),
                        }),
                    )?;
                }
            }
            Ok(change)
        })
    }

    fn camera_findings(
        &self,
        session: &Session,
        query: &crate::store::FindingQuery,
    ) -> Result<Vec<crate::store::CameraFinding>, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            let reach = reach::Reach::of(r.conn, &r.actor.scope)?;
            let mut list = watch::findings(r.conn, query, r.now)?;
            list.retain(|f| reach.camera(f.camera_id));
            Ok(list)
        })
    }

    fn watch_snapshot(&self, session: &Session, snapshot_id: i64) -> Result<Vec<u8>, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            if !r.actor.scope.is_city() {
                let camera: Option<i64> = r
                    .conn
                    .prepare_cached("SELECT camera_id FROM watch_snapshot WHERE id = ?1")?
                    .query_row([snapshot_id], |row| row.get(0))
                    .optional()?;
                if !camera.is_some_and(|c| reach::Reach::of(r.conn, &r.actor.scope).is_ok_and(|reach| reach.camera(c)))
                {
                    return Err(StoreError::NotFound(format!("snapshot {snapshot_id}")));
                }
            }
            watch::snapshot(r.conn, snapshot_id)
        })
    }

    fn decide_finding(
        &self,
        session: &Session,
        finding_id: i64,
        decision: crate::domain::watch::FindingDecision,
        note: &str,
    ) -> Result<crate::store::CameraFinding, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let camera: Option<i64> =
                w.tx.prepare_cached("SELECT camera_id FROM camera_finding WHERE id = ?1")?
                    .query_row([finding_id], |r| r.get(0))
                    .optional()?;
            if let Some(camera) = camera {
                keep_to_camera(w, camera, "decide_finding")?;
            }
            let decided = watch::decide(w.tx, finding_id, decision, note, &w.actor.username, w.now)?;
            w.audit(
                if decision == crate::domain::watch::FindingDecision::Confirmed {
                    "watch.confirm"
                } else {
                    "watch.dismiss"
                },
                &format!("camera_finding:{finding_id}"),
                serde_json::json!({
                    "camera": decided.camera_name, "kind": decided.kind, "since": decided.since,
                    "reason": decided.reason, "observation_id": decided.observation_id, "staff_no": decided.staff_no,
                }),
            )?;
            Ok(decided)
        })
    }
}

/// Refuses (403, audited) a write on a camera outside the caller's halls.
fn keep_to_camera(w: &Write<'_>, camera_id: i64, what: &str) -> Result<(), StoreError> {
    match reach::camera_hall(w.tx, camera_id)? {
        Some(hall) => w.keep_to(Some(&hall), what),
        None => Ok(()),
    }
}

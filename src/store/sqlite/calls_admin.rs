//! The `AdminStore` calls of the embedded database: administration: accounts and their dual authorisation, the hall and its cameras, the audit chain, the working-day calendar.
//!
//! Each call is its ceremony (`read` / `write`: the session, the permission, the transaction and its
//! audit) around the SQL of its own module.

use super::*;
use crate::store::prelude::*;

impl AdminStore for SqlStore {
    fn users(&self, session: &Session) -> Result<Vec<User>, StoreError> {
        self.read(session, Permission::ManageUsers, |r| {
            // An administrator of some halls sees the accounts within them.
            let mut users = auth::all_users(r.conn)?;
            users.retain(|u| r.actor.scope.contains(&crate::domain::access::Scope::of(0, u.halls.iter().cloned())));
            Ok(users)
        })
    }

    fn create_user(&self, session: &Session, user: &NewUser) -> Result<User, StoreError> {
        self.create_user_with_salt(session, user, &auth::random_salt()?)
    }

    fn set_password(
        &self,
        session: &Session,
        username: &str,
        current: Option<&str>,
        password: &str,
    ) -> Result<(), StoreError> {
        self.change_password(session, username, current, password)
    }

    fn update_user(&self, session: &Session, username: &str, change: &UserChange) -> Result<User, StoreError> {
        self.change_user(session, username, change)
    }

    fn reset_password(
        &self,
        session: &Session,
        username: &str,
        temporary: &str,
    ) -> Result<Option<crate::store::AccountChange>, StoreError> {
        self.reset_user_password(session, username, temporary)
    }

    fn account_changes(&self, session: &Session) -> Result<Vec<crate::store::AccountChange>, StoreError> {
        self.read(session, Permission::ConfirmAccountChange, |r| {
            let mut list = accounts::list(r.conn)?;
            if !r.actor.scope.is_city() {
                let mut kept = Vec::with_capacity(list.len());
                for change in list {
                    let halls = accounts::halls_of(r.conn, &change)?;
                    if r.actor.scope.contains(&crate::domain::access::Scope::of(0, halls)) {
                        kept.push(change);
                    }
                }
                list = kept;
            }
            Ok(list)
        })
    }

    fn decide_account_change(
        &self,
        session: &Session,
        change_id: i64,
        confirm: bool,
        note: &str,
    ) -> Result<crate::store::AccountChange, StoreError> {
        self.write(session, Permission::ConfirmAccountChange, |w| accounts::decide(w, change_id, confirm, note))
    }

    fn directory(&self, session: &Session) -> Result<HallDirectory, StoreError> {
        self.read(session, Permission::ReadHall, |r| query::directory(r.conn, &r.actor.scope))
    }

    fn configure_hall(&self, session: &Session, setup: &HallSetup) -> Result<(), StoreError> {
        self.write(session, Permission::ConfigureHall, |w| {
            w.keep_to(Some(&setup.hall.code), "configure_hall")?;
            query::configure_hall(w.tx, setup)?;
            for c in &setup.cameras {
                hall::upsert_plain_camera(
                    w.tx,
                    &self.camera_key,
                    &setup.hall.code,
                    &c.name,
                    c.window_code.as_deref(),
                    &c.main_url,
                    c.sub_url.as_deref(),
                )?;
            }
            w.audit(
                "hall.configure",
                &format!("hall:{}", setup.hall.code),
                serde_json::json!({
                    "name": setup.hall.name,
                    "departments": setup.departments.len(),
                    "windows": setup.windows.len(),
                    "cameras": setup.cameras.len(),
                }),
            )?;
            Ok(())
        })
    }

    fn hall_config(&self, session: &Session, hall: Option<&str>) -> Result<HallConfig, StoreError> {
        self.read(session, Permission::ConfigureHall, |r| {
            // An administrator of some halls is given its own (its first, when it names none).
            let own = r.actor.scope.halls().into_iter().next();
            let hall = hall.or(own.as_deref());
            if !r.actor.scope.covers(hall) {
                return Err(crate::store::sqlite::out_of_scope(&r.actor, hall));
            }
            hall::config(r.conn, hall)
        })
    }

    fn plan_hall(&self, session: &Session, config: &HallConfig) -> Result<HallDiff, StoreError> {
        self.read(session, Permission::ConfigureHall, |r| {
            if !r.actor.scope.covers(Some(&config.hall.code)) {
                return Err(crate::store::sqlite::out_of_scope(&r.actor, Some(&config.hall.code)));
            }
            Ok(hall::plan(r.conn, config)?.1)
        })
    }

    fn apply_hall(&self, session: &Session, config: &HallConfig) -> Result<HallDiff, StoreError> {
        self.write(session, Permission::ConfigureHall, |w| {
            w.keep_to(Some(&config.hall.code), "apply_hall")?;
            hall::apply(w, config)
        })
    }

    fn set_camera_password(
        &self,
        session: &Session,
        hall_code: &str,
        camera: &str,
        password: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(session, Permission::ConfigureHall, |w| {
            w.keep_to(Some(hall_code), "set_camera_password")?;
            // Looked at only once the caller is known to be an administrator.
            if let Some(p) = password
                && (p.is_empty() || p.chars().count() > 128 || p.chars().any(char::is_control))
            {
                return Err(StoreError::Invalid(
                    "摄像头密码须为 1–128 个可见字符 (a camera password is 1 to 128 visible characters)".into(),
                ));
            }
            if !hall::seal_password(w.tx, &self.camera_key, hall_code, camera, password)? {
                return Err(StoreError::NotFound(format!("camera {camera} in hall {hall_code}")));
            }
            w.audit(
                "camera.password",
                &format!("camera:{hall_code}/{camera}"),
                serde_json::json!({"set": password.is_some()}),
            )?;
            Ok(())
        })
    }

    fn camera_streams(&self, session: &Session) -> Result<Vec<CameraStream>, StoreError> {
        self.read(session, Permission::WatchLive, |r| hall::streams(r.conn, &self.camera_key, &r.actor.scope))
    }

    fn audit_log(&self, session: &Session, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        self.read(session, Permission::ReadAudit, |r| query::audit_log(r.conn, q, &r.actor.scope))
    }

    fn verify_audit(&self, session: &Session) -> Result<AuditVerification, StoreError> {
        let key = self.audit_key.bytes(true)?;
        self.read(session, Permission::VerifyAudit, |r| audit::verify(r, &key))
    }

    fn check_audit_anchor(&self, session: &Session, anchor: &crate::store::AuditAnchor) -> Result<bool, StoreError> {
        self.read(session, Permission::VerifyAudit, |r| audit::matches_anchor(r.conn, anchor.seq, &anchor.mac))
    }

    fn record_audit_anchor(
        &self,
        session: &Session,
        source: &str,
        anchor: &crate::store::AuditAnchor,
    ) -> Result<(), StoreError> {
        self.write(session, Permission::Import, |w| audit::record_received(w, source, anchor))
    }

    fn audit_anchors(&self, session: &Session, limit: u32) -> Result<Vec<crate::store::ReceivedAnchor>, StoreError> {
        self.read(session, Permission::ReadAudit, |r| audit::received(r.conn, limit))
    }

    fn calendar_year(&self, session: &Session, year: i32) -> Result<crate::store::CalendarYearView, StoreError> {
        self.read(session, Permission::ReadHall, |r| calendar::view(r.conn, &r.rules, year, r.now))
    }

    fn set_calendar_year(
        &self,
        session: &Session,
        schedule: &crate::domain::calendar::YearSchedule,
    ) -> Result<crate::store::CalendarYearView, StoreError> {
        let view = self.write_named(session, Permission::ConfigureHall, "set_calendar_year", |w| {
            // One calendar for the whole city (the State Council's holidays and the province's days).
            w.keep_to(None, "set_calendar_year")?;
            schedule.check().map_err(|(field, message)| StoreError::Invalid(format!("{field}: {message}")))?;
            let replaced = calendar::store(w.tx, schedule, &w.actor.username, w.now)?;
            // The open cases are evaluated again at once with the new days: their deadlines, prompts
            // and overdue alerts move with the holidays.
            let mut rules = (*w.rules).clone();
            rules.calendar.set_year(schedule);
            let marked = calendar::mark_open_cases(w.tx, w.now)?;
            let (evaluated, outcome) = alerts::refresh_due(w.tx, &rules, w.now)?;
            let holidays: Vec<String> = schedule.holidays().into_iter().map(|h| h.name).collect();
            w.audit(
                "calendar.set_year",
                &format!("calendar:{}", schedule.year),
                serde_json::json!({
                    "notice": schedule.notice.trim(), "days": schedule.days.len(), "holidays": holidays,
                    "replaced": replaced, "open_cases": marked, "alerts_changed": outcome.changed,
                }),
            )?;
            let mut view = calendar::view(w.tx, &rules, schedule.year, w.now)?;
            view.recomputed = evaluated;
            Ok(view)
        })?;
        // Every later call counts with the year (the database's entries laid over the rules in force).
        self.set_rules((*self.rules()).clone());
        Ok(view)
    }
}

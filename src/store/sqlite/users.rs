//! Accounts: creating users, changing and resetting passwords (with the current one for one's own),
//! changing names, roles and states — the rules of dual authorisation applied through `accounts.rs`.

use super::auth::{
    Actor, LOCK_MINUTES, MAX_FAILED_LOGINS, check_display_name, check_password_rules, forget_answers, hash_password,
    login_source, other_active_admins, random_salt, sha256_hex, user_by_name,
};
use super::{SqlStore, Write, from_ts, ts};
use crate::domain::access::{Permission, Role};
use crate::store::sql::{OptionalExtension as _, Transaction, params};
use crate::store::{NewUser, Session, StoreError, User, UserChange};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordVerifier as _, SaltString};
use chrono::Duration;

impl SqlStore {
    /// Creates a user with a given salt (the demo uses seeded salts so that it is reproducible).
    pub(crate) fn create_user_with_salt(
        &self,
        session: &Session,
        user: &NewUser,
        salt: &SaltString,
    ) -> Result<User, StoreError> {
        // Who asks is known before anything of the request is looked at or hashed.
        self.with_conn(|conn| self.actor(conn, session, Permission::ManageUsers))?;
        if user.role == Role::System {
            return Err(StoreError::Invalid("the system actor is not a login".into()));
        }
        check_password_rules(&user.password)?;
        check_display_name(&user.display_name)?;
        let username = user.username.trim().to_owned();
        if username.is_empty()
            || username.len() > 64
            || !username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        {
            return Err(StoreError::Invalid(format!(
                "用户名 {username:?} 只能包含小写字母、数字和 . _ - (user names use a–z, 0–9, '.', '_', '-')"
            )));
        }
        let hash = hash_password(&user.password, salt)?;
        self.write(session, Permission::ManageUsers, |w| {
            let exists: bool =
                w.tx.query_row("SELECT count(*) FROM \"user\" WHERE username = ?1", [&username], |r| r.get::<_, i64>(0))? > 0;
            if exists {
                return Err(StoreError::Conflict(format!("用户 {username} 已存在 (user {username} exists)")));
            }
            let halls = halls_for(w, &user.halls)?;
            // A new chief or administrator waits for a second person's confirmation.
            let kind = crate::store::AccountChangeKind::Create;
            if super::accounts::needs_second_person(w, kind, &username, user.role)? {
                let change = super::accounts::request(
                    w,
                    crate::store::AccountChangeKind::Create,
                    &username,
                    Some(user.display_name.trim()),
                    Some(user.role),
                    Some(&hash),
                )?;
                for hall in &halls {
                    w.tx.execute(
                        "INSERT INTO account_change_hall (change_id, hall_code) VALUES (?1, ?2)",
                        params![change.id, hall],
                    )?;
                }
                return Ok(User {
                    username: username.clone(),
                    display_name: user.display_name.trim().to_owned(),
                    role: user.role,
                    active: false,
                    created_at: from_ts(ts(w.now)),
                    locked_until: None,
                    last_login_at: None,
                    must_change_password: true,
                    pending_change: Some(change.id),
                    halls,
                });
            }
            w.tx.execute(
                "INSERT INTO \"user\" (username, display_name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![username, user.display_name, user.role.as_str(), hash, ts(w.now)],
            )?;
            set_halls(w.tx, &username, &halls)?;
            w.audit(
                "user.create",
                &format!("user:{username}"),
                serde_json::json!({"display_name": user.display_name, "role": user.role.as_str(), "halls": halls}),
            )?;
            Ok(User {
                username: username.clone(),
                display_name: user.display_name.clone(),
                role: user.role,
                active: true,
                created_at: from_ts(ts(w.now)),
                locked_until: None,
                last_login_at: None,
                must_change_password: false,
                pending_change: None,
                halls,
            })
        })
    }

    /// Sets a password. A person changes only their own, and gives the current one (a stolen session
    /// alone cannot take the account over); the new one must differ from it. Another's password is set
    /// only by the local system actor; administrators give a temporary one (`reset_password`).
    pub(super) fn change_password(
        &self,
        session: &Session,
        username: &str,
        current: Option<&str>,
        password: &str,
    ) -> Result<(), StoreError> {
        let actor = self.with_conn(|conn| self.actor(conn, session, Permission::OwnAccount))?;
        let own = actor.user_id.is_some() && actor.username == username;
        if !own && actor.role != Role::System {
            return Err(if actor.role.allows(Permission::ManageUsers) {
                StoreError::Refused(
                    "他人的密码只能重置为临时密码 (another's password is reset to a temporary one: use reset)".into(),
                )
            } else {
                StoreError::Forbidden {
                    role: actor.role.label_zh().into(),
                    action: Permission::ManageUsers.as_str().into(),
                }
            });
        }
        if own {
            self.check_current_password(session, &actor, current.unwrap_or(""), password)?;
        }
        self.put_password(session, username, password, false).map(|_| ())
    }

    /// For one's own change: the current password must be right (wrong ones count towards the lock-out
    /// like failed logins; the fifth ends the account's sessions) and the new one must differ from it.
    fn check_current_password(
        &self,
        session: &Session,
        actor: &Actor,
        current: &str,
        password: &str,
    ) -> Result<(), StoreError> {
        let hash: String = self
            .with_conn(|conn| {
                Ok(conn
                    .query_row("SELECT password_hash FROM \"user\" WHERE username = ?1", [&actor.username], |r| {
                        r.get(0)
                    })
                    .optional()?)
            })?
            .ok_or_else(|| StoreError::NotFound(format!("user {}", actor.username)))?;
        let parsed = PasswordHash::new(&hash).map_err(|e| StoreError::Backend(format!("a stored hash: {e}")))?;
        let right = Argon2::default().verify_password(current.as_bytes(), &parsed).is_ok();
        let same = right && current == password;
        if right {
            check_password_rules(password)?;
            if same {
                return Err(StoreError::Invalid(
                    "新密码不能与当前密码相同 (the new password must differ from the current one)".into(),
                ));
            }
            return Ok(());
        }
        let source = login_source(&actor.workstation);
        self.write(session, Permission::OwnAccount, |w| {
            let failed: i64 = w.tx.query_row(
                "INSERT INTO login_lock (user_id, source, failures) VALUES (?1, ?2, 1)
                 ON CONFLICT (user_id, source) DO UPDATE SET failures = login_lock.failures + 1 RETURNING failures",
                params![actor.user_id, source],
                |r| r.get(0),
            )?;
            let locked = failed >= MAX_FAILED_LOGINS;
            if locked {
                let until = ts(w.now + Duration::minutes(LOCK_MINUTES));
                w.tx.execute(
                    "UPDATE login_lock SET failures = 0, locked_until = ?3 WHERE user_id = ?1 AND source = ?2",
                    params![actor.user_id, source, until],
                )?;
                w.tx.execute("UPDATE \"user\" SET locked_until = ?2 WHERE id = ?1", params![actor.user_id, until])?;
                w.tx.execute("DELETE FROM session WHERE user_id = ?1", [actor.user_id])?;
            }
            w.audit(
                "user.password_failed",
                &format!("user:{}", actor.username),
                serde_json::json!({"reason": "wrong current password", "locked": locked}),
            )?;
            Ok(())
        })?;
        Err(StoreError::Refused("当前密码不正确 (the current password is wrong)".into()))
    }

    /// Sets `username`'s password: one's own (which also ends a pending reset), or, for those who
    /// manage users, anyone's — `temporary` makes its user choose a new one at the next login.
    /// Every remembered answer of the account is forgotten: a replay is checked again as it is now.
    fn put_password(
        &self,
        session: &Session,
        username: &str,
        password: &str,
        temporary: bool,
    ) -> Result<Option<crate::store::AccountChange>, StoreError> {
        // Who asks is known before anything of the request is looked at or hashed.
        let own = self.with_conn(|conn| {
            let actor = self.actor(conn, session, Permission::OwnAccount)?;
            let own = actor.user_id.is_some() && actor.username == username && !temporary;
            if !own && !actor.role.allows(Permission::ManageUsers) {
                return Err(StoreError::Forbidden {
                    role: actor.role.label_zh().into(),
                    action: Permission::ManageUsers.as_str().into(),
                });
            }
            Ok(own)
        })?;
        check_password_rules(password)?;
        let hash = hash_password(password, &random_salt()?)?;
        let token_hash = sha256_hex(&session.token);
        self.write(session, if own { Permission::OwnAccount } else { Permission::ManageUsers }, |w| {
            // A chief's or an administrator's reset waits for a second person's confirmation.
            if temporary {
                let role = user_by_name(w.tx, username)?.role;
                if super::accounts::needs_second_person(w, crate::store::AccountChangeKind::Reset, username, role)? {
                    let change = super::accounts::request(
                        w,
                        crate::store::AccountChangeKind::Reset,
                        username,
                        None,
                        Some(role),
                        Some(&hash),
                    )?;
                    return Ok(Some(change));
                }
            }
            let changed = w.tx.execute(
                "UPDATE \"user\" SET password_hash = ?2, failed_logins = 0, locked_until = NULL, must_change_password = ?3
                 WHERE username = ?1",
                params![username, hash, temporary],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("user {username}")));
            }
            if temporary {
                w.tx.execute(
                    "UPDATE \"user\" SET password_reset_at = ?2 WHERE username = ?1",
                    params![username, ts(w.now)],
                )?;
            }
            w.tx.execute(
                "DELETE FROM login_lock WHERE user_id = (SELECT id FROM \"user\" WHERE username = ?1)",
                [username],
            )?;
            w.tx.execute(
                "DELETE FROM session WHERE user_id = (SELECT id FROM \"user\" WHERE username = ?1) AND token_hash <> ?2",
                params![username, token_hash],
            )?;
            forget_answers(w.tx, username)?;
            let action = if temporary { "user.password_reset" } else { "user.password" };
            w.audit(action, &format!("user:{username}"), serde_json::json!({}))?;
            Ok(None)
        })
    }

    pub(super) fn reset_user_password(
        &self,
        session: &Session,
        username: &str,
        temporary: &str,
    ) -> Result<Option<crate::store::AccountChange>, StoreError> {
        self.put_password(session, username, temporary, true)
    }

    /// An administrator's change to an account (see `Store::update_user`).
    pub(super) fn change_user(
        &self,
        session: &Session,
        username: &str,
        change: &UserChange,
    ) -> Result<User, StoreError> {
        self.write(session, Permission::ManageUsers, |w| {
            let before = user_by_name(w.tx, username)?;
            keep_to_account(w, &before)?;
            if change.role == Some(Role::System) {
                return Err(StoreError::Invalid("the system actor is not a login".into()));
            }
            let demoted = before.role == Role::Admin && change.role.is_some_and(|r| r != Role::Admin);
            let disabled = before.active && change.active == Some(false);
            if (demoted || disabled) && w.actor.username == username {
                return Err(StoreError::Refused(
                    "不能停用或降级自己的账户 (you cannot disable or demote your own account)".into(),
                ));
            }
            if (demoted || disabled)
                && before.role == Role::Admin
                && before.active
                && other_active_admins(w.tx, username)? == 0
            {
                return Err(StoreError::Refused(
                    "这是最后一个在用的管理员账户 (this is the last active administrator)".into(),
                ));
            }
            let name = change.display_name.as_deref().map(str::trim);
            if let Some(name) = name {
                check_display_name(name)?;
            }
            // Made a chief or an administrator: a request for a second person; the rest applies now.
            let mut role = change.role;
            let mut requested = false;
            if let Some(wanted) = role.filter(|r| *r != before.role)
                && super::accounts::needs_second_person(w, crate::store::AccountChangeKind::Role, username, wanted)?
            {
                super::accounts::request(w, crate::store::AccountChangeKind::Role, username, None, Some(wanted), None)?;
                role = None;
                requested = true;
            }
            w.tx.execute(
                "UPDATE \"user\" SET display_name = coalesce(?2, display_name), role = coalesce(?3, role),
                   active = coalesce(?4, active),
                   failed_logins = CASE WHEN ?5 <> 0 THEN 0 ELSE failed_logins END,
                   locked_until = CASE WHEN ?5 <> 0 THEN NULL ELSE locked_until END
                 WHERE username = ?1",
                params![username, name, role.map(Role::as_str), change.active, change.unlock],
            )?;
            let halls = match &change.halls {
                Some(asked) => Some(halls_for(w, asked)?).filter(|h| *h != before.halls),
                None => None,
            };
            if let Some(halls) = &halls {
                set_halls(w.tx, username, halls)?;
                // What the account may see changes at once: its sessions end.
                w.tx.execute(
                    "DELETE FROM session WHERE user_id = (SELECT id FROM \"user\" WHERE username = ?1)",
                    [username],
                )?;
            }
            if demoted || disabled || halls.is_some() || role.is_some_and(|r| r != before.role) {
                forget_answers(w.tx, username)?;
            }
            if disabled {
                w.tx.execute(
                    "DELETE FROM session WHERE user_id = (SELECT id FROM \"user\" WHERE username = ?1)",
                    [username],
                )?;
            }
            if change.unlock {
                w.tx.execute(
                    "DELETE FROM login_lock WHERE user_id = (SELECT id FROM \"user\" WHERE username = ?1)",
                    [username],
                )?;
            }
            let after = user_by_name(w.tx, username)?;
            let mut detail = serde_json::Map::new();
            if after.display_name != before.display_name {
                detail.insert("display_name".into(), serde_json::json!([before.display_name, after.display_name]));
            }
            if after.role != before.role {
                detail.insert("role".into(), serde_json::json!([before.role.as_str(), after.role.as_str()]));
            }
            if after.active != before.active {
                detail.insert("active".into(), serde_json::json!([before.active, after.active]));
            }
            if after.halls != before.halls {
                detail.insert("halls".into(), serde_json::json!([before.halls, after.halls]));
            }
            if change.unlock && before.locked_until.is_some() {
                detail.insert("unlocked".into(), serde_json::json!(true));
            }
            if detail.is_empty() {
                if !requested {
                    w.unchanged();
                }
            } else {
                w.audit("user.update", &format!("user:{username}"), serde_json::Value::Object(detail))?;
            }
            Ok(after)
        })
    }
}

/// The halls a new or changed account is given: each one known, and within the administrator's own
/// halls (a refusal is audited); none asked of an administrator of some halls gives theirs.
pub(super) fn halls_for(w: &Write<'_>, asked: &[String]) -> Result<Vec<String>, StoreError> {
    let mut halls: Vec<String> = asked.iter().map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()).collect();
    halls.sort();
    halls.dedup();
    if halls.is_empty() {
        return Ok(w.actor.scope.halls());
    }
    for (i, hall) in halls.iter().enumerate() {
        let known: i64 = w.tx.query_row("SELECT count(*) FROM hall WHERE code = ?1", [hall], |r| r.get(0))?;
        if known == 0 {
            return Err(StoreError::Invalid(format!("halls[{i}]: 没有大厅 {hall} (no hall {hall})")));
        }
        w.keep_to(Some(hall), "user.halls")?;
    }
    Ok(halls)
}

/// Sets the halls of account `username` (none: the whole city).
pub(super) fn set_halls(tx: &Transaction, username: &str, halls: &[String]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM user_hall WHERE user_id = (SELECT id FROM \"user\" WHERE username = ?1)", [username])?;
    for hall in halls {
        tx.execute(
            "INSERT INTO user_hall (user_id, hall_code) SELECT id, ?2 FROM \"user\" WHERE username = ?1",
            params![username, hall],
        )?;
    }
    Ok(())
}

/// An administrator of some halls manages only the accounts within them (a refusal is audited).
pub(super) fn keep_to_account(w: &Write<'_>, account: &User) -> Result<(), StoreError> {
    if account.halls.is_empty() {
        return w.keep_to(None, "user");
    }
    for hall in &account.halls {
        w.keep_to(Some(hall), "user")?;
    }
    Ok(())
}

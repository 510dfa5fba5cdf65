//! Who is calling: passwords (Argon2id), logins with their lock-out, sessions (random tokens stored as
//! SHA-256), and the check every call starts with (`SqliteStore::actor`).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use chrono::Duration;
use rand::RngCore as _;
use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use sha2::{Digest as _, Sha256};

use crate::domain::access::{Permission, Role};
use crate::store::{NewUser, Session, StoreError, User, UserChange};

use super::{SqliteStore, from_ts, ts};

/// A session lasts one shift.
const SESSION_HOURS: i64 = 12;
/// Failed logins in a row that lock an account, and for how long.
const MAX_FAILED_LOGINS: i64 = 5;
const LOCK_MINUTES: i64 = 15;

/// The caller of a store method, after authentication.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Role,
    /// Where the actor sits: the session's workstation, or this machine for the system actor.
    pub workstation: String,
}

impl Actor {
    /// Someone not (yet) authenticated, for the audit record of a failed login.
    fn anonymous(username: &str, workstation: &str) -> Self {
        Self { user_id: None, username: username.to_owned(), role: Role::System, workstation: workstation.to_owned() }
    }
}

pub(super) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane).
pub(crate) fn hash_password(password: &str, salt: &SaltString) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes(), salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("cannot hash the password: {e}")))
}

/// A salt from 16 bytes (random, or seeded for the reproducible demo).
pub(crate) fn salt_from_bytes(bytes: &[u8; 16]) -> Result<SaltString, StoreError> {
    SaltString::encode_b64(bytes).map_err(|e| StoreError::Invalid(format!("cannot encode the salt: {e}")))
}

pub(super) fn random_salt() -> Result<SaltString, StoreError> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    salt_from_bytes(&bytes)
}

/// Where a login comes from, for its lock-out: the client's address the server puts in brackets after
/// the name a console gives (`name (10.0.0.5)` — the name is the client's to choose, the address is not),
/// or the whole workstation name locally.
fn login_source(workstation: &str) -> String {
    workstation
        .strip_suffix(')')
        .and_then(|w| w.rsplit_once('('))
        .map_or(workstation, |(_, address)| address)
        .trim()
        .to_owned()
}

/// An Argon2id hash no password matches, checked for unknown user names so that they take as long as
/// known ones.
fn stand_in_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = salt_from_bytes(&[7; 16]).ok();
        salt.and_then(|s| hash_password(&random_hex(32), &s).ok()).unwrap_or_default()
    })
}

/// The name a failed login is recorded under. A known user's name is a checked user name; anything else
/// typed there (a password in the wrong field, control or bidi characters, a megabyte) is recorded only
/// as its length and the start of its SHA-256, enough to tell repeated attempts apart.
pub(super) fn audit_name(typed: &str, known: bool) -> String {
    if known {
        return typed.to_owned();
    }
    let digest = sha256_hex(typed);
    format!("unknown({} chars, sha256 {})", typed.chars().count(), &digest[..12])
}

/// A person's name as lists, the audit log and documents show it: 1–50 characters, no control or
/// bidirectional characters.
fn check_display_name(name: &str) -> Result<(), StoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(StoreError::Invalid("姓名须为 1–50 个字符 (a name is 1 to 50 characters)".into()));
    }
    if let Some(problem) = crate::domain::hall::name_problem(name) {
        return Err(StoreError::Invalid(format!("姓名 (display name): {problem}")));
    }
    Ok(())
}

pub(super) fn check_password_rules(password: &str) -> Result<(), StoreError> {
    if password.chars().count() < 8 {
        return Err(StoreError::Invalid("密码至少 8 个字符 (the password needs at least 8 characters)".into()));
    }
    Ok(())
}

/// The columns `user_row` reads, in its order.
pub(super) const USER_COLUMNS: &str = "username, display_name, role, active, created_at, locked_until, last_login_at,
     must_change_password, (SELECT a.id FROM account_change a WHERE a.username = user.username AND a.outcome IS NULL)";

pub(super) fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        username: r.get(0)?,
        display_name: r.get(1)?,
        role: role.parse().unwrap_or(Role::Supervisor),
        active: r.get::<_, i64>(3)? != 0,
        created_at: from_ts(r.get(4)?),
        locked_until: r.get::<_, Option<i64>>(5)?.map(from_ts),
        last_login_at: r.get::<_, Option<i64>>(6)?.map(from_ts),
        must_change_password: r.get::<_, i64>(7)? != 0,
        pending_change: r.get(8)?,
    })
}

fn user_by_name(conn: &Connection, username: &str) -> Result<User, StoreError> {
    conn.query_row(&format!("SELECT {USER_COLUMNS} FROM user WHERE username = ?1"), [username], user_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("user {username}")))
}

/// Forgets the server's remembered answers to `username`'s keyed calls: after a change of role, state
/// or password a repeated key runs again, checked against what the account may do now.
fn forget_answers(tx: &Transaction<'_>, username: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM idempotency WHERE username = ?1", [username])?;
    Ok(())
}

/// Active administrators other than `username`.
fn other_active_admins(conn: &Connection, username: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM user WHERE role = 'admin' AND active = 1 AND username <> ?1",
        [username],
        |r| r.get(0),
    )?)
}

impl SqliteStore {
    /// Who `session` is (its user name; `system` for the local actor), or `SessionExpired`: the server asks
    /// this before it reads anything else of a request.
    pub fn identify(&self, session: &Session) -> Result<String, StoreError> {
        let conn = self.lock();
        Ok(self.actor(&conn, session, Permission::OwnAccount)?.username)
    }

    /// Authenticates `session` and checks `permission`.
    pub(super) fn actor(
        &self,
        conn: &Connection,
        session: &Session,
        permission: Permission,
    ) -> Result<Actor, StoreError> {
        let actor = if session.token == self.system_token {
            Actor {
                user_id: None,
                username: "system".into(),
                role: Role::System,
                workstation: self.workstation.clone(),
            }
        } else {
            let row: Option<(i64, String, String, i64, i64, String, i64)> = conn
                .query_row(
                    "SELECT u.id, u.username, u.role, u.active, s.expires_at, s.workstation, u.must_change_password
                     FROM session s JOIN user u ON u.id = s.user_id WHERE s.token_hash = ?1",
                    [sha256_hex(&session.token)],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
                )
                .optional()?;
            let Some((user_id, username, role, active, expires_at, workstation, must_change)) = row else {
                return Err(StoreError::SessionExpired);
            };
            if active == 0 || expires_at <= ts(self.now()) {
                return Err(StoreError::SessionExpired);
            }
            if must_change != 0 && permission != Permission::OwnAccount {
                return Err(StoreError::Refused(
                    "请先设置新密码 (the password was reset: choose a new one first)".into(),
                ));
            }
            let role = role.parse::<Role>().map_err(StoreError::Backend)?;
            Actor { user_id: Some(user_id), username, role, workstation }
        };
        if !actor.role.allows(permission) {
            return Err(StoreError::Forbidden {
                role: actor.role.label_zh().into(),
                action: permission.as_str().into(),
            });
        }
        Ok(actor)
    }

    /// Checks the password and opens a session, or records why not (five failures lock the account).
    ///
    /// The Argon2 check runs without the database lock, and as long for an unknown user as for a known
    /// one (against a stand-in hash); a locked account says so only to someone who gave its password, so
    /// the answer tells an outsider nothing about which names exist.
    pub(super) fn login_at(&self, username: &str, password: &str, workstation: &str) -> Result<Session, StoreError> {
        let username = username.trim();
        let workstation: String = workstation.trim().chars().filter(|c| !c.is_control()).take(100).collect();
        let row: Option<(i64, String, String, String, i64, Option<i64>, i64)> = self
            .lock()
            .query_row(
                "SELECT id, display_name, role, password_hash, active, locked_until, must_change_password
                 FROM user WHERE username = ?1",
                [username],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let hash = row.as_ref().map_or_else(|| stand_in_hash().to_owned(), |r| r.3.clone());
        let verified = PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
        let audit_key = self.audit_key.bytes(true)?;
        let mut conn = self.lock();
        let now = self.now();
        let tx = conn.transaction()?;
        let anonymous = Actor::anonymous(&audit_name(username, row.is_some()), &workstation);
        let refuse = |tx: Transaction<'_>, reason: &str| -> Result<(), StoreError> {
            Self::append_audit(
                &tx,
                &audit_key,
                now,
                &anonymous,
                "login.failed",
                &format!("user:{}", anonymous.username),
                &serde_json::json!({"reason": reason}),
            )?;
            tx.commit()?;
            Ok(())
        };
        let Some((user_id, display_name, role, _, active, _, must_change)) = row else {
            refuse(tx, "unknown user")?;
            return Err(StoreError::BadCredentials);
        };
        let source = login_source(&workstation);
        let locked_until: Option<i64> = tx
            .query_row(
                "SELECT locked_until FROM login_lock WHERE user_id = ?1 AND source = ?2",
                params![user_id, source],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        // While locked the answer is the same whatever the password: the lock-out is a brake on
        // guessing, and must not tell the guesser which guess was right.
        if locked_until.is_some_and(|u| u > ts(now)) {
            refuse(tx, if verified { "locked (right password)" } else { "locked" })?;
            return Err(StoreError::BadCredentials);
        }
        if !verified || active == 0 {
            let failed: i64 = tx.query_row(
                "INSERT INTO login_lock (user_id, source, failures) VALUES (?1, ?2, 1)
                 ON CONFLICT (user_id, source) DO UPDATE SET failures = failures + 1 RETURNING failures",
                params![user_id, source],
                |r| r.get(0),
            )?;
            if failed >= MAX_FAILED_LOGINS {
                let until = ts(now + Duration::minutes(LOCK_MINUTES));
                tx.execute(
                    "UPDATE login_lock SET failures = 0, locked_until = ?3 WHERE user_id = ?1 AND source = ?2",
                    params![user_id, source, until],
                )?;
                // What 系统管理 shows (and may lift): the account is locked somewhere.
                tx.execute("UPDATE user SET locked_until = ?2 WHERE id = ?1", params![user_id, until])?;
            }
            refuse(tx, if active == 0 { "inactive" } else { "wrong password" })?;
            return Err(StoreError::BadCredentials);
        }
        let role: Role = role.parse().map_err(StoreError::Backend)?;
        let token = random_hex(32);
        tx.execute("DELETE FROM login_lock WHERE user_id = ?1 AND source = ?2", params![user_id, source])?;
        tx.execute(
            "UPDATE user SET failed_logins = 0, last_login_at = ?2,
               locked_until = (SELECT max(locked_until) FROM login_lock WHERE user_id = ?1 AND locked_until > ?2)
             WHERE id = ?1",
            params![user_id, ts(now)],
        )?;
        tx.execute("DELETE FROM session WHERE expires_at <= ?1", [ts(now)])?;
        tx.execute(
            "INSERT INTO session (token_hash, user_id, created_at, expires_at, workstation) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![sha256_hex(&token), user_id, ts(now), ts(now + Duration::hours(SESSION_HOURS)), workstation],
        )?;
        let actor = Actor { user_id: Some(user_id), username: username.to_owned(), role, workstation };
        Self::append_audit(&tx, &audit_key, now, &actor, "login", &format!("user:{username}"), &serde_json::json!({}))?;
        tx.commit()?;
        Ok(Session { token, username: username.to_owned(), display_name, role, must_change_password: must_change != 0 })
    }

    /// Ends the session (the system actor has none to end).
    pub(super) fn end_session(&self, session: &Session) -> Result<(), StoreError> {
        let token_hash = sha256_hex(&session.token);
        self.write(session, Permission::OwnAccount, |w| {
            // Nothing others need to reload.
            w.unchanged();
            if w.actor.user_id.is_none() {
                return Ok(());
            }
            w.tx.execute("DELETE FROM session WHERE token_hash = ?1", [&token_hash])?;
            w.audit("logout", &format!("user:{}", w.actor.username), serde_json::json!({}))?;
            Ok(())
        })
    }

    /// Creates a user with a given salt (the demo uses seeded salts so that it is reproducible).
    pub(crate) fn create_user_with_salt(
        &self,
        session: &Session,
        user: &NewUser,
        salt: &SaltString,
    ) -> Result<User, StoreError> {
        // Who asks is known before anything of the request is looked at or hashed.
        {
            let conn = self.lock();
            self.actor(&conn, session, Permission::ManageUsers)?;
        }
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
                w.tx.query_row("SELECT count(*) FROM user WHERE username = ?1", [&username], |r| r.get::<_, i64>(0))? > 0;
            if exists {
                return Err(StoreError::Conflict(format!("用户 {username} 已存在 (user {username} exists)")));
            }
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
                });
            }
            w.tx.execute(
                "INSERT INTO user (username, display_name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![username, user.display_name, user.role.as_str(), hash, ts(w.now)],
            )?;
            w.audit(
                "user.create",
                &format!("user:{username}"),
                serde_json::json!({"display_name": user.display_name, "role": user.role.as_str()}),
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
        let actor = {
            let conn = self.lock();
            self.actor(&conn, session, Permission::OwnAccount)?
        };
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
            .lock()
            .query_row("SELECT password_hash FROM user WHERE username = ?1", [&actor.username], |r| r.get(0))
            .optional()?
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
                 ON CONFLICT (user_id, source) DO UPDATE SET failures = failures + 1 RETURNING failures",
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
                w.tx.execute("UPDATE user SET locked_until = ?2 WHERE id = ?1", params![actor.user_id, until])?;
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
        let own = {
            let conn = self.lock();
            let actor = self.actor(&conn, session, Permission::OwnAccount)?;
            let own = actor.user_id.is_some() && actor.username == username && !temporary;
            if !own && !actor.role.allows(Permission::ManageUsers) {
                return Err(StoreError::Forbidden {
                    role: actor.role.label_zh().into(),
                    action: Permission::ManageUsers.as_str().into(),
                });
            }
            own
        };
        check_password_rules(password)?;
        let hash = hash_password(password, &random_salt()?)?;
        let token_hash = sha256_hex(&session.token);
        self.write(session, if own { Permission::OwnAccount } else { Permission::ManageUsers }, |w| {
            // A chief's or an administrator's reset waits for a second person's confirmation.
            if temporary {
                let role = user_by_name(&w.tx, username)?.role;
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
                "UPDATE user SET password_hash = ?2, failed_logins = 0, locked_until = NULL, must_change_password = ?3
                 WHERE username = ?1",
                params![username, hash, temporary],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("user {username}")));
            }
            if temporary {
                w.tx.execute(
                    "UPDATE user SET password_reset_at = ?2 WHERE username = ?1",
                    params![username, ts(w.now)],
                )?;
            }
            w.tx.execute(
                "DELETE FROM login_lock WHERE user_id = (SELECT id FROM user WHERE username = ?1)",
                [username],
            )?;
            w.tx.execute(
                "DELETE FROM session WHERE user_id = (SELECT id FROM user WHERE username = ?1) AND token_hash <> ?2",
                params![username, token_hash],
            )?;
            forget_answers(&w.tx, username)?;
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
            let before = user_by_name(&w.tx, username)?;
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
                && other_active_admins(&w.tx, username)? == 0
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
                "UPDATE user SET display_name = coalesce(?2, display_name), role = coalesce(?3, role),
                   active = coalesce(?4, active),
                   failed_logins = CASE WHEN ?5 THEN 0 ELSE failed_logins END,
                   locked_until = CASE WHEN ?5 THEN NULL ELSE locked_until END
                 WHERE username = ?1",
                params![username, name, role.map(Role::as_str), change.active, change.unlock],
            )?;
            if demoted || disabled || role.is_some_and(|r| r != before.role) {
                forget_answers(&w.tx, username)?;
            }
            if disabled {
                w.tx.execute(
                    "DELETE FROM session WHERE user_id = (SELECT id FROM user WHERE username = ?1)",
                    [username],
                )?;
            }
            if change.unlock {
                w.tx.execute(
                    "DELETE FROM login_lock WHERE user_id = (SELECT id FROM user WHERE username = ?1)",
                    [username],
                )?;
            }
            let after = user_by_name(&w.tx, username)?;
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

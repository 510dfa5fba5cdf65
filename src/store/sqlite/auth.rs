//! Who is calling: passwords (Argon2id), logins with their lock-out, sessions (random tokens stored as
//! SHA-256), and the check every call starts with (`SqlStore::actor`).

use crate::store::sql::{Connection, OptionalExtension as _, Transaction, params};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use crate::domain::access::{Permission, Role, Scope};
use crate::store::{Session, StoreError, User};

use super::{SqlStore, from_ts, ts};

/// A session lasts one shift.
pub const SESSION_HOURS: i64 = 12;
/// Failed logins in a row that lock an account, and for how long.
pub(super) const MAX_FAILED_LOGINS: i64 = 5;
pub(super) const LOCK_MINUTES: i64 = 15;

/// The caller of a store method, after authentication.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Role,
    /// Where the actor sits: the session's workstation, or this machine for the system actor.
    pub workstation: String,
    /// The halls the actor may see and change.
    pub scope: Scope,
}

impl Actor {
    /// Someone not (yet) authenticated, for the audit record of a failed login.
    fn anonymous(username: &str, workstation: &str) -> Self {
        Self {
            user_id: None,
            username: username.to_owned(),
            role: Role::System,
            workstation: workstation.to_owned(),
            scope: Scope::City,
        }
    }
}

pub(super) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

pub(super) fn sha256_hex(text: &str) -> String {
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
pub(super) fn login_source(workstation: &str) -> String {
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
pub(super) fn check_display_name(name: &str) -> Result<(), StoreError> {
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
     must_change_password, (SELECT a.id FROM account_change a WHERE a.username = \"user\".username AND a.outcome IS NULL)";

pub(super) fn user_row(r: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<User> {
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
        halls: Vec::new(),
    })
}

pub(super) fn user_by_name(conn: &Connection, username: &str) -> Result<User, StoreError> {
    let mut user = conn
        .query_row(&format!("SELECT {USER_COLUMNS} FROM \"user\" WHERE username = ?1"), [username], user_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("user {username}")))?;
    user.halls = conn
        .prepare_cached(
            "SELECT h.hall_code FROM user_hall h JOIN \"user\" u ON u.id = h.user_id WHERE u.username = ?1
             ORDER BY h.hall_code",
        )?
        .query_map([username], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(user)
}

/// Every account with its halls, by name.
pub(super) fn all_users(conn: &Connection) -> Result<Vec<User>, StoreError> {
    let mut users = conn
        .prepare(&format!("SELECT {USER_COLUMNS} FROM \"user\" ORDER BY username"))?
        .query_map([], user_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let halls: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT u.username, h.hall_code FROM user_hall h JOIN \"user\" u ON u.id = h.user_id ORDER BY h.hall_code",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (username, hall) in halls {
        if let Some(user) = users.iter_mut().find(|u| u.username == username) {
            user.halls.push(hall);
        }
    }
    Ok(users)
}

/// Forgets the server's remembered answers to `username`'s keyed calls: after a change of role, state
/// or password a repeated key runs again, checked against what the account may do now.
pub(super) fn forget_answers(tx: &Transaction, username: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM idempotency WHERE username = ?1", [username])?;
    Ok(())
}

/// Active administrators other than `username`.
pub(super) fn other_active_admins(conn: &Connection, username: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM \"user\" WHERE role = 'admin' AND active = 1 AND username <> ?1",
        [username],
        |r| r.get(0),
    )?)
}

/// A user's row as a login reads it: id, display name, role, password hash, active, locked until, must
/// change the password.
type LoginRow = (i64, String, String, String, i64, Option<i64>, i64);

impl SqlStore {
    /// Who `session` is (its user name; `system` for the local actor), or `SessionExpired`: the server asks
    /// this before it reads anything else of a request.
    pub fn identify(&self, session: &Session) -> Result<String, StoreError> {
        self.with_conn(|conn| Ok(self.actor(conn, session, Permission::OwnAccount)?.username))
    }

    /// Authenticates `session` and checks `permission` (and, with [`Actor::scope`], gives the halls the
    /// call keeps to).
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
                scope: Scope::City,
            }
        } else {
            let row: Option<(i64, String, String, i64, i64, String, i64)> = conn
                .query_row(
                    "SELECT u.id, u.username, u.role, u.active, s.expires_at, s.workstation, u.must_change_password
                     FROM session s JOIN \"user\" u ON u.id = s.user_id WHERE s.token_hash = ?1",
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
            let scope = scope_of(conn, user_id)?;
            Actor { user_id: Some(user_id), username, role, workstation, scope }
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
        // No account is named with a NUL (PostgreSQL cannot even be asked about one).
        let row: Option<LoginRow> = self.with_conn(|conn| {
            if username.contains('\0') {
                return Ok(None);
            }
            Ok(conn
                .query_row(
                    "SELECT id, display_name, role, password_hash, active, locked_until, must_change_password
                     FROM \"user\" WHERE username = ?1",
                    [username],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
                )
                .optional()?)
        })?;
        let hash = row.as_ref().map_or_else(|| stand_in_hash().to_owned(), |r| r.3.clone());
        let verified = PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
        let audit_key = self.audit_key.bytes(true)?;
        let now = self.now();
        // A refusal is recorded (committed) and answered with an error: the transaction's result is the
        // answer.
        self.with_tx(|tx| self.login_in(tx, (username, row, verified), &workstation, &audit_key, now))?
    }

    fn login_in(
        &self,
        tx: &Transaction,
        (username, row, verified): (&str, Option<LoginRow>, bool),
        workstation: &str,
        audit_key: &[u8; 32],
        now: DateTime<Utc>,
    ) -> Result<Result<Session, StoreError>, StoreError> {
        let anonymous = Actor::anonymous(&audit_name(username, row.is_some()), workstation);
        let refuse = |reason: &str| -> Result<Result<Session, StoreError>, StoreError> {
            Self::append_audit(
                tx,
                audit_key,
                now,
                (&anonymous, None),
                "login.failed",
                &format!("user:{}", anonymous.username),
                &serde_json::json!({"reason": reason}),
            )?;
            Ok(Err(StoreError::BadCredentials))
        };
        let Some((user_id, display_name, role, _, active, _, must_change)) = row else {
            return refuse("unknown user");
        };
        let source = login_source(workstation);
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
            return refuse(if verified { "locked (right password)" } else { "locked" });
        }
        if !verified || active == 0 {
            let failed: i64 = tx.query_row(
                "INSERT INTO login_lock (user_id, source, failures) VALUES (?1, ?2, 1)
                 ON CONFLICT (user_id, source) DO UPDATE SET failures = login_lock.failures + 1 RETURNING failures",
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
                tx.execute("UPDATE \"user\" SET locked_until = ?2 WHERE id = ?1", params![user_id, until])?;
            }
            return refuse(if active == 0 { "inactive" } else { "wrong password" });
        }
        let role: Role = role.parse().map_err(StoreError::Backend)?;
        let token = random_hex(32);
        tx.execute("DELETE FROM login_lock WHERE user_id = ?1 AND source = ?2", params![user_id, source])?;
        tx.execute(
            "UPDATE \"user\" SET failed_logins = 0, last_login_at = ?2,
               locked_until = (SELECT max(locked_until) FROM login_lock WHERE user_id = ?1 AND locked_until > ?2)
             WHERE id = ?1",
            params![user_id, ts(now)],
        )?;
        tx.execute("DELETE FROM session WHERE expires_at <= ?1", [ts(now)])?;
        tx.execute(
            "INSERT INTO session (token_hash, user_id, created_at, expires_at, workstation) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![sha256_hex(&token), user_id, ts(now), ts(now + Duration::hours(SESSION_HOURS)), workstation],
        )?;
        let scope = scope_of(tx, user_id)?;
        let halls = scope.halls();
        let actor = Actor {
            user_id: Some(user_id),
            username: username.to_owned(),
            role,
            workstation: workstation.to_owned(),
            scope,
        };
        Self::append_audit(
            tx,
            audit_key,
            now,
            (&actor, actor.scope.sole_hall()),
            "login",
            &format!("user:{username}"),
            &serde_json::json!({}),
        )?;
        Ok(Ok(Session {
            token,
            username: username.to_owned(),
            display_name,
            role,
            must_change_password: must_change != 0,
            halls,
            view: Vec::new(),
        }))
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
}

/// The halls account `user_id` belongs to.
pub(super) fn scope_of(conn: &Connection, user_id: i64) -> Result<Scope, StoreError> {
    let halls = conn
        .prepare_cached("SELECT hall_code FROM user_hall WHERE user_id = ?1")?
        .query_map([user_id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scope::of(user_id, halls))
}

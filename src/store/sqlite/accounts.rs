//! Dual authorisation of account changes (Milestone's term): what would let one administrator act as
//! two people — a new chief or administrator, an account made one, a chief's or an administrator's
//! password reset — is kept as a request (`account_change`) and takes effect only when a second
//! person confirms it: another administrator or an active chief, never the one who asked and never
//! the account concerned. The local system actor (someone at the server's own console, who could open
//! the database anyway) acts at once; that is also how a hall whose only chief forgot the password
//! gets going again.

use crate::store::sql::{Connection, OptionalExtension as _, params};

use crate::domain::access::Role;
use crate::store::{AccountChange, AccountChangeKind, AccountChangeOutcome, StoreError};

use super::{Write, from_ts, ts};

/// Whether a change by the caller that makes `username` a `role` (or resets the password of a `role`)
/// needs a second person: yes for a chief or an administrator when someone could confirm it — an active
/// administrator or chief other than the caller and the account. When nobody could (the first chief of
/// a hall with one administrator), a new account or role takes effect at once and is audited as such;
/// a reset is refused (it is done at the server itself, as the local system).
pub(super) fn needs_second_person(
    w: &Write<'_>,
    kind: AccountChangeKind,
    username: &str,
    role: Role,
) -> Result<bool, StoreError> {
    if w.actor.role == Role::System || !matches!(role, Role::Chief | Role::Admin) {
        return Ok(false);
    }
    let others: i64 = w.tx.query_row(
        "SELECT count(*) FROM \"user\" WHERE active = 1 AND role IN ('admin', 'chief') AND username NOT IN (?1, ?2)",
        params![w.actor.username, username],
        |r| r.get(0),
    )?;
    if others > 0 {
        return Ok(true);
    }
    if kind == AccountChangeKind::Reset {
        return Err(StoreError::Refused(format!(
            "没有第二位管理员或监察室负责人可以确认：{username} 的密码须在服务器上由本机系统重置 \
             (`jiancha users reset {username}` there) (nobody else could confirm this reset: do it at the server)"
        )));
    }
    Ok(false)
}

const COLUMNS: &str =
    "id, kind, username, display_name, role, requested_by, requested_at, decided_by, decided_at, outcome, note";

fn row(r: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<AccountChange> {
    let kind: String = r.get(1)?;
    let role: Option<String> = r.get(4)?;
    let outcome: Option<String> = r.get(9)?;
    Ok(AccountChange {
        id: r.get(0)?,
        kind: match kind.as_str() {
            "create" => AccountChangeKind::Create,
            "role" => AccountChangeKind::Role,
            _ => AccountChangeKind::Reset,
        },
        username: r.get(2)?,
        display_name: r.get(3)?,
        role: role.and_then(|r| r.parse().ok()),
        requested_by: r.get(5)?,
        requested_at: from_ts(r.get(6)?),
        decided_by: r.get(7)?,
        decided_at: r.get::<_, Option<i64>>(8)?.map(from_ts),
        outcome: outcome.map(|o| match o.as_str() {
            "confirmed" => AccountChangeOutcome::Confirmed,
            "refused" => AccountChangeOutcome::Refused,
            _ => AccountChangeOutcome::Withdrawn,
        }),
        note: r.get(10)?,
    })
}

/// The open requests first (oldest first), then the last 50 decided.
pub(super) fn list(conn: &Connection) -> Result<Vec<AccountChange>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM (SELECT * FROM account_change WHERE outcome IS NULL ORDER BY id) AS pending
         UNION ALL SELECT {COLUMNS} FROM (SELECT * FROM account_change WHERE outcome IS NOT NULL ORDER BY id DESC LIMIT 50) AS decided"
    ))?;
    Ok(stmt.query_map([], row)?.collect::<Result<Vec<_>, _>>()?)
}

/// The halls of the account a change is about: those the new account is to get, or the account's own
/// (empty: the whole city).
pub(super) fn halls_of(conn: &Connection, change: &AccountChange) -> Result<Vec<String>, StoreError> {
    let (sql, key): (&str, &dyn crate::store::sql::ToSql) = if change.kind == AccountChangeKind::Create {
        ("SELECT hall_code FROM account_change_hall WHERE change_id = ?1 ORDER BY hall_code", &change.id)
    } else {
        (
            "SELECT h.hall_code FROM user_hall h JOIN \"user\" u ON u.id = h.user_id WHERE u.username = ?1
             ORDER BY h.hall_code",
            &change.username,
        )
    };
    Ok(conn.prepare_cached(sql)?.query_map([key], |r| r.get(0))?.collect::<Result<_, _>>()?)
}

pub(super) fn by_id(conn: &Connection, id: i64) -> Result<AccountChange, StoreError> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM account_change WHERE id = ?1"), [id], row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("account change {id}")))
}

/// Keeps a request; one open request per account.
pub(super) fn request(
    w: &Write<'_>,
    kind: AccountChangeKind,
    username: &str,
    display_name: Option<&str>,
    role: Option<Role>,
    password_hash: Option<&str>,
) -> Result<AccountChange, StoreError> {
    let open: Option<i64> = w
        .tx
        .query_row("SELECT id FROM account_change WHERE username = ?1 AND outcome IS NULL", [username], |r| r.get(0))
        .optional()?;
    if let Some(id) = open {
        return Err(StoreError::Conflict(format!(
            "账户 {username} 已有一项待确认的变更 (#{id})：请先确认、驳回或撤回 (account {username} has a change \
             waiting for confirmation, #{id})"
        )));
    }
    w.tx.execute(
        "INSERT INTO account_change (kind, username, display_name, role, password_hash, requested_by, requested_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            kind.as_str(),
            username,
            display_name,
            role.map(Role::as_str),
            password_hash,
            w.actor.username,
            ts(w.now)
        ],
    )?;
    let change = by_id(w.tx, w.tx.last_insert_rowid()?)?;
    w.audit(
        "account_change.request",
        &format!("user:{username}"),
        serde_json::json!({"change": change.id, "kind": kind.as_str(), "role": role.map(Role::as_str)}),
    )?;
    Ok(change)
}

/// Confirms (carrying the change out), refuses (with a reason) or, for the one who asked, withdraws a
/// request.
pub(super) fn decide(w: &Write<'_>, id: i64, confirm: bool, note: &str) -> Result<AccountChange, StoreError> {
    let change = by_id(w.tx, id)?;
    // Decided only by someone whose halls hold the account's.
    let halls = halls_of(w.tx, &change)?;
    if halls.is_empty() {
        w.keep_to(None, "decide_account_change")?;
    }
    for hall in &halls {
        w.keep_to(Some(hall), "decide_account_change")?;
    }
    if change.outcome.is_some() {
        return Err(StoreError::Conflict(format!("account change #{id} was already decided")));
    }
    let note = note.trim();
    if let Some(problem) = crate::interchange::text_problem(note) {
        return Err(StoreError::Invalid(format!("note: {problem}")));
    }
    let own = w.actor.username == change.requested_by;
    let outcome = match (confirm, own) {
        (false, true) => AccountChangeOutcome::Withdrawn,
        (true, true) => {
            return Err(StoreError::Refused(
                "不能确认本人提出的账户变更：须由另一名管理员或监察室负责人确认 (a change is confirmed by a second \
                 person: another administrator or a chief)"
                    .into(),
            ));
        }
        (_, false) if w.actor.username == change.username => {
            return Err(StoreError::Refused(
                "不能决定涉及本人账户的变更 (nobody decides a change of their own account)".into(),
            ));
        }
        (true, false) => AccountChangeOutcome::Confirmed,
        (false, false) if note.is_empty() => {
            return Err(StoreError::Invalid("驳回须写明理由 (a refusal needs a reason)".into()));
        }
        (false, false) => AccountChangeOutcome::Refused,
    };
    if outcome == AccountChangeOutcome::Confirmed {
        carry_out(w, &change)?;
    }
    let outcome_text = match outcome {
        AccountChangeOutcome::Confirmed => "confirmed",
        AccountChangeOutcome::Refused => "refused",
        AccountChangeOutcome::Withdrawn => "withdrawn",
    };
    // The password hash has done its work (or never will): it is not kept.
    w.tx.execute(
        "UPDATE account_change SET outcome = ?2, decided_by = ?3, decided_at = ?4, note = ?5, password_hash = NULL
         WHERE id = ?1",
        params![id, outcome_text, w.actor.username, ts(w.now), note],
    )?;
    w.audit(
        &format!("account_change.{outcome_text}"),
        &format!("user:{}", change.username),
        serde_json::json!({"change": id, "kind": change.kind.as_str(), "requested_by": change.requested_by, "note": note}),
    )?;
    by_id(w.tx, id)
}

/// What a confirmed request does, audited as the same action a system actor's direct change records,
/// with who asked (`requested_by`) and who confirmed (the actor).
fn carry_out(w: &Write<'_>, change: &AccountChange) -> Result<(), StoreError> {
    let hash: Option<String> =
        w.tx.query_row("SELECT password_hash FROM account_change WHERE id = ?1", [change.id], |r| r.get(0))?;
    let target = format!("user:{}", change.username);
    match change.kind {
        AccountChangeKind::Create => {
            let exists: i64 =
                w.tx.query_row("SELECT count(*) FROM \"user\" WHERE username = ?1", [&change.username], |r| r.get(0))?;
            if exists > 0 {
                return Err(StoreError::Conflict(format!("用户 {0} 已存在 (user {0} exists)", change.username)));
            }
            let role = change.role.ok_or_else(|| StoreError::Backend("a new account without a role".into()))?;
            let hash = hash.ok_or_else(|| StoreError::Backend("a new account without a password".into()))?;
            // The person sets their own password at the first login.
            w.tx.execute(
                "INSERT INTO \"user\" (username, display_name, role, password_hash, created_at, must_change_password)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)",
                params![change.username, change.display_name.as_deref().unwrap_or(""), role.as_str(), hash, ts(w.now)],
            )?;
            w.tx.execute(
                "INSERT INTO user_hall (user_id, hall_code)
                 SELECT u.id, h.hall_code FROM \"user\" u, account_change_hall h WHERE u.username = ?1 AND h.change_id = ?2",
                params![change.username, change.id],
            )?;
            w.audit(
                "user.create",
                &target,
                serde_json::json!({
                    "display_name": change.display_name, "role": role.as_str(),
                    "requested_by": change.requested_by, "change": change.id,
                }),
            )?;
        }
        AccountChangeKind::Role => {
            let role = change.role.ok_or_else(|| StoreError::Backend("a role change without a role".into()))?;
            let before: String =
                w.tx.query_row("SELECT role FROM \"user\" WHERE username = ?1", [&change.username], |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("user {}", change.username)))?;
            w.tx.execute("UPDATE \"user\" SET role = ?2 WHERE username = ?1", params![change.username, role.as_str()])?;
            w.tx.execute("DELETE FROM idempotency WHERE username = ?1", [&change.username])?;
            w.audit(
                "user.update",
                &target,
                serde_json::json!({
                    "role": [before, role.as_str()], "requested_by": change.requested_by, "change": change.id,
                }),
            )?;
        }
        AccountChangeKind::Reset => {
            let hash = hash.ok_or_else(|| StoreError::Backend("a reset without a password".into()))?;
            let changed = w.tx.execute(
                "UPDATE \"user\" SET password_hash = ?2, failed_logins = 0, locked_until = NULL, must_change_password = 1,
                   password_reset_at = ?3 WHERE username = ?1",
                params![change.username, hash, ts(w.now)],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("user {}", change.username)));
            }
            for sql in [
                "DELETE FROM login_lock WHERE user_id = (SELECT id FROM \"user\" WHERE username = ?1)",
                "DELETE FROM session WHERE user_id = (SELECT id FROM \"user\" WHERE username = ?1)",
                "DELETE FROM idempotency WHERE username = ?1",
            ] {
                w.tx.execute(sql, [&change.username])?;
            }
            w.audit(
                "user.password_reset",
                &target,
                serde_json::json!({"requested_by": change.requested_by, "change": change.id}),
            )?;
        }
    }
    Ok(())
}

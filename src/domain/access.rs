//! Roles and what each may do. The store checks these on every call, in the same place it writes the
//! audit record, so the server and the console share one permission model.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A user's role (监察员 / 监察室负责人 / 审计员 / 管理员), or the local system actor of headless commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Supervisor,
    Chief,
    Auditor,
    Admin,
    /// Local headless commands run without `--user` (cron jobs, imports). Never a login.
    System,
}

impl Role {
    /// The roles a person can have (not `System`).
    pub const PEOPLE: [Role; 4] = [Role::Supervisor, Role::Chief, Role::Auditor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Supervisor => "supervisor",
            Role::Chief => "chief",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::System => "system",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Supervisor => "监察员",
            Role::Chief => "监察室负责人",
            Role::Auditor => "审计员",
            Role::Admin => "管理员",
            Role::System => "本机系统",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Supervisor => "Supervisor",
            Role::Chief => "Chief",
            Role::Auditor => "Auditor",
            Role::Admin => "Administrator",
            Role::System => "Local system",
        }
    }

    /// Whether this role may do `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission as P;
        if permission == P::OwnAccount {
            return true;
        }
        if permission == P::RefreshAlerts {
            return self != Role::Auditor;
        }
        match self {
            Role::System => true,
            Role::Admin => matches!(
                permission,
                P::ReadHall
                    | P::ReadCases
                    | P::Import
                    | P::ImportMasterData
                    | P::WatchLive
                    | P::ConfigureHall
                    | P::ManageUsers
                    | P::ReadAudit
                    | P::VerifyAudit
                    | P::ReadFootageRegister
                    | P::ReadComplainantContact
                    | P::ConfirmAccountChange
            ),
            Role::Auditor => matches!(
                permission,
                P::ReadHall | P::ReadCases | P::ReadAudit | P::VerifyAudit | P::ReadFootageRegister
            ),
            Role::Chief => matches!(
                permission,
                P::ReadHall
                    | P::ReadCases
                    | P::Import
                    | P::ImportMasterData
                    | P::Supervise
                    | P::WatchLive
                    | P::ApproveFootage
                    | P::ReadFootageRegister
                    | P::DecideAccountability
                    | P::ReadComplainantContact
                    | P::ConfirmAccountChange
            ),
            Role::Supervisor => {
                matches!(permission, P::ReadHall | P::ReadCases | P::Import | P::Supervise | P::WatchLive)
            }
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "supervisor" => Ok(Role::Supervisor),
            "chief" => Ok(Role::Chief),
            "auditor" => Ok(Role::Auditor),
            "admin" => Ok(Role::Admin),
            "system" => Ok(Role::System),
            _ => Err(format!("unknown role {s:?}; expected supervisor, chief, auditor or admin")),
        }
    }
}

/// Things a caller may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Halls, departments, windows, staff, cameras, catalogue.
    ReadHall,
    /// Cases, events, attendance, evaluations, complaints.
    ReadCases,
    /// Import interchange files (case events, punches, leave, evaluations).
    Import,
    /// Import the catalogue and the staff list: they decide what the alerts and rankings are computed
    /// from, so they are the chief's and the administrator's, not every supervisor's.
    ImportMasterData,
    /// Supervision actions: notices, observations, violations, footage requests.
    Supervise,
    /// Approve or refuse footage requests (never one's own).
    ApproveFootage,
    /// Halls, windows, cameras, settings.
    ConfigureHall,
    /// Create users, change roles, reset passwords.
    ManageUsers,
    /// Read the audit log.
    ReadAudit,
    /// Verify the audit chain.
    VerifyAudit,
    /// Read the footage register (who took what footage, when, why, where to) and every request.
    ReadFootageRegister,
    /// Write recorded segments and delete expired ones (the recorder; the local system only).
    RecordFootage,
    /// Decide the accountability measures of a violation (Art 13).
    DecideAccountability,
    /// Open the cameras' streams (the wall, the player, the recorder): their URLs carry the passwords.
    WatchLive,
    /// Bring the alerts up to the time (a write of derived data): everyone but auditors, who only look.
    RefreshAlerts,
    /// One's own account: change one's password, log out. Everyone; the only thing allowed while a
    /// reset password waits to be replaced.
    OwnAccount,
    /// See a complainant's contact details.
    ReadComplainantContact,
    /// Confirm or refuse an account change that needs a second person (dual authorisation): another
    /// administrator or a chief.
    ConfirmAccountChange,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadHall => "read_hall",
            Permission::ReadCases => "read_cases",
            Permission::Import => "import",
            Permission::ImportMasterData => "import_master_data",
            Permission::Supervise => "supervise",
            Permission::ApproveFootage => "approve_footage",
            Permission::ConfigureHall => "configure_hall",
            Permission::ManageUsers => "manage_users",
            Permission::ReadAudit => "read_audit",
            Permission::VerifyAudit => "verify_audit",
            Permission::ReadFootageRegister => "read_footage_register",
            Permission::RecordFootage => "record_footage",
            Permission::DecideAccountability => "decide_accountability",
            Permission::WatchLive => "watch_live",
            Permission::RefreshAlerts => "refresh_alerts",
            Permission::OwnAccount => "own_account",
            Permission::ReadComplainantContact => "read_complainant_contact",
            Permission::ConfirmAccountChange => "confirm_account_change",
        }
    }
}

/// Which halls an account belongs to (Art 4, 统一领导、分级管理): the whole city — every hall, and records
/// that name no hall — or the halls listed. The store checks it on every call beside the role.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    City,
    /// These halls only (never empty), for the account `user_id`.
    Halls { user_id: i64, halls: std::collections::BTreeSet<String> },
    /// A console's hall filter over an account's scope (reads only): these halls, each a hall of the
    /// database and of the account; empty: none.
    Only { halls: std::collections::BTreeSet<String> },
}

impl Scope {
    /// The scope of account `user_id` from its halls (none: the whole city).
    pub fn of(user_id: i64, halls: impl IntoIterator<Item = String>) -> Scope {
        let halls: std::collections::BTreeSet<String> = halls.into_iter().collect();
        if halls.is_empty() { Scope::City } else { Scope::Halls { user_id, halls } }
    }

    pub fn is_city(&self) -> bool {
        matches!(self, Scope::City)
    }

    /// This scope seen through a console's hall filter `view`: the halls of `view` that are in `known`
    /// (the database's halls) and in this scope.
    pub fn narrowed(self, view: &[String], known: &[String]) -> Scope {
        let halls = view.iter().filter(|h| known.contains(h) && self.covers(Some(h))).cloned().collect();
        Scope::Only { halls }
    }

    /// Whether a record of `hall` (`None`: a record that names no hall) is within the scope.
    pub fn covers(&self, hall: Option<&str>) -> bool {
        match self {
            Scope::City => true,
            Scope::Halls { halls, .. } | Scope::Only { halls } => hall.is_some_and(|h| halls.contains(h)),
        }
    }

    /// Whether every hall of `other` is within this scope.
    pub fn contains(&self, other: &Scope) -> bool {
        match (self, other) {
            (Scope::City, _) => true,
            (Scope::Halls { .. } | Scope::Only { .. }, Scope::City) => false,
            (
                Scope::Halls { halls, .. } | Scope::Only { halls },
                Scope::Halls { halls: theirs, .. } | Scope::Only { halls: theirs },
            ) => theirs.is_subset(halls),
        }
    }

    /// The one hall of an account of one hall.
    pub fn sole_hall(&self) -> Option<&str> {
        match self {
            Scope::Halls { halls, .. } | Scope::Only { halls } if halls.len() == 1 => halls.first().map(String::as_str),
            _ => None,
        }
    }

    /// The halls listed (empty for the whole city).
    pub fn halls(&self) -> Vec<String> {
        match self {
            Scope::City => Vec::new(),
            Scope::Halls { halls, .. } | Scope::Only { halls } => halls.iter().cloned().collect(),
        }
    }

    /// A condition to append to a query's WHERE clause keeping the rows whose hall, in `column`, is
    /// within the scope: nothing for the whole city; otherwise the account's own rows of `user_hall`
    /// (the account's number is an integer written into the text: nothing from outside the program).
    pub fn sql(&self, column: &str) -> String {
        match self {
            Scope::City => String::new(),
            Scope::Halls { user_id, .. } => {
                format!(" AND {column} IN (SELECT hall_code FROM user_hall WHERE user_id = {user_id})")
            }
            // Codes of the database's own halls (never a caller's text as given), quoted as SQL does.
            Scope::Only { halls } if halls.is_empty() => " AND 1 = 0".to_owned(),
            Scope::Only { halls } => {
                let list: Vec<String> = halls.iter().map(|h| format!("'{}'", h.replace('\'', "''"))).collect();
                format!(" AND {column} IN ({})", list.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_auditors_and_admins_read_the_audit_log() {
        for role in Role::PEOPLE {
            assert_eq!(role.allows(Permission::ReadAudit), matches!(role, Role::Auditor | Role::Admin), "{role}");
        }
        assert!(!Role::Supervisor.allows(Permission::ApproveFootage));
        assert!(Role::Chief.allows(Permission::ApproveFootage));
        assert!(!Role::Auditor.allows(Permission::Import), "auditors only look");
        assert!(Role::Auditor.allows(Permission::ReadFootageRegister));
        assert!(!Role::Auditor.allows(Permission::Supervise), "auditors request no footage");
        assert!(!Role::Auditor.allows(Permission::WatchLive), "auditors get no camera passwords");
        assert!(!Role::Auditor.allows(Permission::RefreshAlerts), "auditors write nothing");
        assert!(
            !Role::Supervisor.allows(Permission::ImportMasterData),
            "the catalogue and staff are not a supervisor's"
        );
        assert!(Role::Chief.allows(Permission::ImportMasterData) && Role::Admin.allows(Permission::ImportMasterData));
        assert!(Role::Admin.allows(Permission::RefreshAlerts) && Role::Supervisor.allows(Permission::RefreshAlerts));
        assert!(Role::Supervisor.allows(Permission::WatchLive));
        for role in Role::PEOPLE {
            assert!(role.allows(Permission::OwnAccount), "{role}");
            assert_eq!(role.allows(Permission::ConfigureHall), role == Role::Admin, "{role}");
        }
        for role in Role::PEOPLE {
            assert!(!role.allows(Permission::RecordFootage), "{role}: only the recorder writes segments");
        }
        for role in Role::PEOPLE {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn a_scope_covers_its_halls_and_the_city_covers_all() {
        let city = Scope::of(1, Vec::new());
        let county = Scope::of(2, ["LS".to_owned()]);
        let both = Scope::of(3, ["LS".to_owned(), "GZL".to_owned()]);
        assert!(city.is_city() && city.covers(None) && city.covers(Some("LS")));
        assert!(county.covers(Some("LS")) && !county.covers(Some("GZL")) && !county.covers(None));
        assert!(city.contains(&county) && both.contains(&county) && !county.contains(&both));
        assert!(!county.contains(&city) && county.contains(&county));
        assert_eq!(both.halls(), ["GZL", "LS"]);
        assert_eq!(city.sql("c.hall_code"), "");
        assert_eq!(
            county.sql("c.hall_code"),
            " AND c.hall_code IN (SELECT hall_code FROM user_hall WHERE user_id = 2)"
        );
    }
}

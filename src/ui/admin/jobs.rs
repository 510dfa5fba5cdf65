//! The data worker's side of 系统管理.

use std::sync::{Arc, Mutex};

use crate::domain::hall::{CameraSpec, HallConfig, HallDiff};
use crate::store::{AccountChange, NewUser, Session, StoreError, User, UserChange};
use crate::ui::worker::context::JobError;
use crate::video::probe::ProbeResult;

/// A camera password to set with a configuration: (hall, camera, `None` to remove it).
pub type PasswordChange = (String, String, Option<String>);

pub enum AdminJob {
    /// The halls, the configuration of `hall` (or of the first hall) and the accounts.
    Load(Session, Option<String>),
    /// Apply the whole configuration (one audit record), then the camera's password if any.
    Apply {
        session: Session,
        config: HallConfig,
        password: Option<PasswordChange>,
    },
    CreateUser {
        session: Session,
        user: NewUser,
    },
    UpdateUser {
        session: Session,
        username: String,
        change: UserChange,
    },
    ResetPassword {
        session: Session,
        username: String,
        password: String,
    },
    /// Confirm, refuse (with the reason) or withdraw an account change.
    DecideChange {
        session: Session,
        id: i64,
        confirm: bool,
        note: String,
    },
    /// Test a camera's stream: the URL is made here (with the stored password when none was typed)
    /// and opened on a thread of its own, which fills `slot`.
    Probe {
        session: Session,
        /// The camera's name in force, whose stored password to use.
        stored: Option<String>,
        spec: CameraSpec,
        password: Option<String>,
        slot: Arc<Mutex<Option<Result<ProbeResult, String>>>>,
        ctx: egui::Context,
    },
    /// 巡察设置 of a camera: its settings in force; with `capture`, a picture from its sub stream
    /// (with the stored password) taken on a thread of its own.
    WatchSetup {
        session: Session,
        hall: String,
        camera: String,
        capture: Option<(Arc<Mutex<Option<super::state::Still>>>, egui::Context)>,
    },
    /// A year of the working-day calendar.
    CalendarLoad {
        session: Session,
        year: i32,
    },
    /// Enter a year's schedule (audited; the open cases are recomputed).
    CalendarSave {
        session: Session,
        schedule: crate::domain::calendar::YearSchedule,
    },
    /// Read a file in the built-in format into the form (nothing is saved).
    CalendarImport {
        path: std::path::PathBuf,
    },
    /// 通知 and 通知记录.
    Notify(super::notify::NotifyJob),
    /// Set or clear the reference view or the seat region, then the settings again.
    SetWatch {
        session: Session,
        hall: String,
        camera: String,
        change: WatchChange,
    },
}

/// A change to a camera's watch settings.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchChange {
    Reference(Option<Vec<u8>>),
    Seat(Option<crate::domain::watch::Region>),
}

pub enum AdminReply {
    Loaded {
        halls: Vec<crate::domain::model::Hall>,
        config: Result<Option<HallConfig>, StoreError>,
        users: Result<Vec<User>, StoreError>,
        /// Which cameras are commissioned for watching (empty if that could not be read).
        watched: Vec<super::state::Watched>,
        /// The account changes waiting for a second person, then the last decided.
        changes: Vec<AccountChange>,
    },
    Applied(Result<(HallDiff, HallConfig), StoreError>),
    /// The accounts after a change to one (for a chief, who confirms changes only: none), the account
    /// changes, and the change the action became when it waits for a second person.
    Users {
        users: Result<Vec<User>, StoreError>,
        changes: Vec<AccountChange>,
        waiting: Option<i64>,
    },
    ProbeStarted(Result<(), JobError>),
    /// A year of the calendar as in force; `saved` after a change.
    Calendar {
        result: Result<crate::store::CalendarYearView, StoreError>,
        saved: bool,
    },
    CalendarImported(Result<crate::domain::calendar::YearSchedule, String>),
    Notify(super::notify::NotifyReply),
    /// The camera's watch settings and its reference view decoded (after a change: `Some` of it).
    Watch(Result<(crate::store::CameraWatch, Option<egui::ColorImage>), JobError>, Option<WatchChange>),
}

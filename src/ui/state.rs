//! What the console shows: plain data, changed only by the app's logic (commands and worker replies),
//! plus the text buffers of forms, which their panels edit directly. The areas' parts are defined in
//! their own `state.rs` and put together here.

use std::time::Instant;

use crate::store::{HallDirectory, Overview, Session};

use super::alerts::state::AlertsView;
use super::attendance::state::AttendanceView;
use super::audit::state::AuditView;
use super::evaluator::state::EvaluatorView;
use super::footage::state::FootageView;
use super::i18n::Lang;
pub use super::nav::{Area, FirstStartChoice, NoticeLevel, Screen};
use super::supervision::state::SupervisionView;
use super::theme::{AlertPalette, Tokens};
use super::wall::state::WallView;
use super::worker::context::Opened;

/// The first-start screen: the data directory it is about, and the 新建本大厅 form.
#[derive(Default)]
pub struct FirstStartView {
    pub data_dir: Option<std::path::PathBuf>,
    pub choice: FirstStartChoice,
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub password_again: String,
    pub hall_code: String,
    pub hall_name: String,
    pub hall_address: String,
    pub hall_level: crate::domain::model::HallLevel,
    pub error: Option<String>,
    pub pending: bool,
    /// Log in as the new administrator once the new hall is open, and go to 系统管理.
    pub login_after_open: Option<(String, String)>,
}

#[derive(Debug, Default)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    /// After a reset: the temporary password given, and the new one, twice.
    pub current_password: String,
    pub new_password: String,
    pub new_password_again: String,
    pub error: Option<String>,
    pub pending: bool,
}

/// Everything the console shows. Each area's part is its own `state.rs`'s type.
pub struct AppState {
    pub lang: Lang,
    pub palette: AlertPalette,
    pub tokens: Tokens,
    pub screen: Screen,
    pub area: Area,
    pub session: Option<Session>,
    pub opened: Option<Opened>,
    pub overview: Option<Overview>,
    pub directory: Option<HallDirectory>,
    pub supervision: SupervisionView,
    pub login: LoginForm,
    pub audit: AuditView,
    pub notice: Option<(NoticeLevel, String)>,
    pub last_overview_request: Option<Instant>,
    pub last_directory_request: Option<Instant>,
    pub font_family: Option<String>,
    pub alerts: AlertsView,
    /// Play a sound when a new red alert appears.
    pub sound_on_red: bool,
    /// The workstation's printers, once read.
    pub printers: Option<Vec<String>>,
    /// The printer the console prints to (`None`: the system's default).
    pub printer: Option<String>,
    pub wall: WallView,
    pub attendance: AttendanceView,
    pub evaluator: EvaluatorView,
    pub footage: FootageView,
    /// Remote mode: the link to the server as last seen (the banner and the status bar show it).
    pub link: LinkView,
    /// The backend form of the settings area (and of the first start's 连接服务器).
    pub backend_form: BackendForm,
    pub first_start: FirstStartView,
    pub admin: crate::ui::admin::state::AdminView,
    pub assessment: crate::ui::assessment::state::AssessmentState,
    /// The halls the hall filter offers (code, name): the account's, as the directory gave them before
    /// any filter. Fewer than two: no filter.
    pub view_halls: Vec<(String, String)>,
}

/// The server link as the UI shows it.
#[derive(Debug, Clone, Default)]
pub struct LinkView {
    pub offline: bool,
    /// Writes waiting in the outbox.
    pub pending: usize,
    /// The change counter the console last reloaded for.
    pub seen_revision: u64,
    /// The hall changed since the overview was last loaded.
    pub overview_due: bool,
    pub last_flush: Option<Instant>,
}

/// 设置 → 数据源: the server address being edited.
#[derive(Debug, Clone, Default)]
pub struct BackendForm {
    /// Filled from the workstation settings when the settings area first shows.
    pub loaded: bool,
    pub url: String,
    pub ca_cert: String,
    pub error: Option<String>,
}

impl AppState {
    pub fn new(lang: Lang, palette: AlertPalette) -> Self {
        Self {
            lang,
            palette,
            tokens: Tokens::new(palette),
            screen: Screen::Starting,
            area: Area::Overview,
            session: None,
            opened: None,
            overview: None,
            directory: None,
            supervision: SupervisionView::default(),
            login: LoginForm::default(),
            audit: AuditView::default(),
            notice: None,
            last_overview_request: None,
            last_directory_request: None,
            font_family: None,
            alerts: AlertsView::default(),
            sound_on_red: false,
            printers: None,
            printer: None,
            wall: WallView::default(),
            link: LinkView::default(),
            backend_form: BackendForm::default(),
            first_start: FirstStartView::default(),
            admin: Default::default(),
            view_halls: Vec::new(),
            assessment: Default::default(),
            attendance: AttendanceView::default(),
            evaluator: EvaluatorView::default(),
            footage: FootageView::default(),
        }
    }

    /// Whether the day of `at` is a working day by the opened calendar (unknown: assume it is).
    pub fn is_working_day(&self, at: chrono::DateTime<chrono::Utc>) -> bool {
        self.opened.as_ref().is_none_or(|o| o.calendar.is_working_day(crate::domain::time::local_date(at)))
    }

    pub fn hall_name(&self) -> Option<&str> {
        self.directory.as_ref().and_then(|d| d.home_hall()).map(|h| h.name.as_str())
    }
}

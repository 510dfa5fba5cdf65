//! What the console shows: plain data, changed only by the app's logic (commands and worker replies),
//! plus the text buffers of forms, which their panels edit directly. The areas' parts are defined in
//! their own `state.rs` and put together here.

use std::time::Instant;

use crate::domain::model::Complaint;
use crate::store::{HallDirectory, Overview, Session};

use super::alerts::state::{AlertsView, CaseView};
use super::attendance::state::AttendanceView;
use super::audit::state::AuditView;
use super::evaluator::state::EvaluatorView;
use super::footage::state::{FootageView, PlayerDisplay};
use super::i18n::Lang;
use super::supervision::state::SupervisionView;
use super::theme::{AlertPalette, Tokens};
use super::wall::state::WallView;
use super::worker::Opened;

/// The areas of the console, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Area {
    Overview,
    Wall,
    Alerts,
    Attendance,
    Evaluator,
    Discipline,
    Footage,
    Complaints,
    Violations,
    /// 绩效评估: the departments' monthly assessment, the bulletin and supervision recommendations.
    Assessment,
    Audit,
    Settings,
    /// 系统管理: the hall, departments, windows, cameras and users (administrators only).
    Admin,
}

impl Area {
    pub const ALL: [Area; 13] = [
        Area::Overview,
        Area::Wall,
        Area::Alerts,
        Area::Attendance,
        Area::Evaluator,
        Area::Discipline,
        Area::Footage,
        Area::Complaints,
        Area::Violations,
        Area::Assessment,
        Area::Audit,
        Area::Settings,
        Area::Admin,
    ];

    /// Whether the navigation offers the area to `role` (the store still decides every call).
    pub fn offered_to(self, role: crate::domain::access::Role) -> bool {
        match self {
            // Chiefs see it for the account changes they confirm (dual authorisation).
            Area::Admin => {
                role.allows(crate::domain::access::Permission::ConfigureHall)
                    || role.allows(crate::domain::access::Permission::ConfirmAccountChange)
            }
            _ => true,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Area::Overview => lang.pick("大厅概况", "Hall overview"),
            Area::Wall => lang.pick("视频墙", "Video wall"),
            Area::Alerts => lang.pick("预警", "Alerts"),
            Area::Attendance => lang.pick("考勤", "Attendance"),
            Area::Evaluator => lang.pick("评价器", "Evaluator"),
            Area::Discipline => lang.pick("纪律与提示单", "Discipline & slips"),
            Area::Footage => lang.pick("录像调阅", "Footage"),
            Area::Complaints => lang.pick("投诉", "Complaints"),
            Area::Violations => lang.pick("违规与问责", "Violations"),
            Area::Assessment => lang.pick("绩效评估", "Assessment"),
            Area::Audit => lang.pick("审计", "Audit"),
            Area::Settings => lang.pick("设置", "Settings"),
            Area::Admin => lang.pick("系统管理", "Administration"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Opening the database (and maybe creating the demo).
    Starting,
    /// No Chinese font on the system.
    NoFont,
    OpenFailed(String),
    /// No database and no server yet: 打开演示大厅 / 新建本大厅 / 连接服务器.
    FirstStart,
    Login,
    /// Logged in with a reset password: a new one first.
    ChangePassword,
    Main,
}

/// Which way in the first-start screen is showing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FirstStartChoice {
    #[default]
    Choose,
    NewHall,
    Server,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
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
    pub complaints: Option<Vec<Complaint>>,
    pub supervision: SupervisionView,
    pub login: LoginForm,
    pub audit: AuditView,
    pub notice: Option<(NoticeLevel, String)>,
    pub last_overview_request: Option<Instant>,
    pub last_directory_request: Option<Instant>,
    pub font_family: Option<String>,
    pub alerts: AlertsView,
    /// When set, the alert area shows this case instead of the list.
    pub case: Option<CaseView>,
    /// Play a sound when a new red alert appears.
    pub sound_on_red: bool,
    pub wall: WallView,
    pub evidence: Option<Vec<crate::store::Evidence>>,
    pub attendance: AttendanceView,
    pub evaluator: EvaluatorView,
    pub footage: FootageView,
    pub player: Option<PlayerDisplay>,
    /// Remote mode: the link to the server as last seen (the banner and the status bar show it).
    pub link: LinkView,
    /// The backend form of the settings area (and of the first start's 连接服务器).
    pub backend_form: BackendForm,
    pub first_start: FirstStartView,
    pub admin: crate::ui::admin::state::AdminView,
    pub assessment: crate::ui::assessment::state::AssessmentState,
}

/// The server link as the UI shows it.
#[derive(Debug, Clone, Default)]
pub struct LinkView {
    pub offline: bool,
    /// Writes waiting in the outbox.
    pub pending: usize,
    /// The change counter the console last reloaded for.
    pub seen_revision: u64,
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
            complaints: None,
            supervision: SupervisionView::default(),
            login: LoginForm::default(),
            audit: AuditView::default(),
            notice: None,
            last_overview_request: None,
            last_directory_request: None,
            font_family: None,
            alerts: AlertsView::default(),
            case: None,
            sound_on_red: false,
            wall: WallView::default(),
            evidence: None,
            link: LinkView::default(),
            backend_form: BackendForm::default(),
            first_start: FirstStartView::default(),
            admin: Default::default(),
            assessment: Default::default(),
            attendance: AttendanceView::default(),
            evaluator: EvaluatorView::default(),
            footage: FootageView::default(),
            player: None,
        }
    }

    /// Whether the day of `at` is a working day by the opened calendar (unknown: assume it is).
    pub fn is_working_day(&self, at: chrono::DateTime<chrono::Utc>) -> bool {
        self.opened.as_ref().is_none_or(|o| o.calendar.is_working_day(crate::domain::time::local_date(at)))
    }

    pub fn hall_name(&self) -> Option<&str> {
        self.directory.as_ref().and_then(|d| d.halls.first()).map(|h| h.name.as_str())
    }
}

//! Where the console is: its areas (in navigation order), its screens, the first start's ways in and
//! the banner's levels. Plain enums every part of the console may name (areas among them): this file
//! names nothing of the console but the language.

use super::i18n::Lang;

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

impl Screen {
    /// Whether the main screen (the areas) is showing.
    pub fn is_main(&self) -> bool {
        *self == Screen::Main
    }
}

/// Which way in the first-start screen is showing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FirstStartChoice {
    #[default]
    Choose,
    NewHall,
    Server,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

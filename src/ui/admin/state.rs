//! What 系统管理 shows: the hall's configuration in force, the accounts, the form being edited and the
//! connection test.

use std::sync::{Arc, Mutex};

use crate::domain::access::Role;
use crate::domain::hall::{CameraSpec, HallConfig, Part, RTSP_PORT, Vendor};
use crate::domain::model::{Department, HallLevel};
use crate::store::User;
use crate::video::probe::ProbeResult;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AdminTab {
    #[default]
    Hall,
    Departments,
    Windows,
    Cameras,
    Users,
    Calendar,
    Notify,
    NotifyLog,
}

impl AdminTab {
    pub const ALL: [AdminTab; 8] = [
        AdminTab::Hall,
        AdminTab::Departments,
        AdminTab::Windows,
        AdminTab::Cameras,
        AdminTab::Users,
        AdminTab::Calendar,
        AdminTab::Notify,
        AdminTab::NotifyLog,
    ];

    pub fn label(self, lang: crate::ui::i18n::Lang) -> &'static str {
        match self {
            AdminTab::Hall => lang.pick("大厅", "Hall"),
            AdminTab::Departments => lang.pick("部门", "Departments"),
            AdminTab::Windows => lang.pick("窗口", "Windows"),
            AdminTab::Cameras => lang.pick("摄像头", "Cameras"),
            AdminTab::Users => lang.pick("用户", "Users"),
            AdminTab::Calendar => lang.pick("工作日历", "Calendar"),
            AdminTab::Notify => lang.pick("通知", "Notifications"),
            AdminTab::NotifyLog => lang.pick("通知记录", "Delivery log"),
        }
    }
}

/// The hall's own fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HallForm {
    /// Typed only when the hall is new (a code never changes: the records use it).
    pub code: String,
    pub name: String,
    pub address: String,
    pub level: HallLevel,
    /// Another hall (分厅, 县区大厅) rather than the one shown.
    pub new: bool,
}

/// A window as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowForm {
    pub code: String,
    pub name: String,
    /// The department's name; empty: none.
    pub department: String,
}

/// A camera as typed. The password is kept only while the dialog is open and never shown again.
#[derive(Clone, PartialEq, Eq)]
pub struct CameraForm {
    pub name: String,
    /// The window's code; empty: a lobby camera.
    pub window: String,
    pub vendor: Vendor,
    pub host: String,
    pub port: String,
    pub channel: String,
    pub user: String,
    /// A new password; empty: keep the stored one.
    pub password: String,
    /// Remove the stored password.
    pub clear_password: bool,
    pub main_url: String,
    pub sub_url: String,
}

impl std::fmt::Debug for CameraForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CameraForm").field("name", &self.name).field("vendor", &self.vendor).finish_non_exhaustive()
    }
}

impl Default for CameraForm {
    fn default() -> Self {
        CameraForm {
            name: String::new(),
            window: String::new(),
            vendor: Vendor::Hikvision,
            host: String::new(),
            port: RTSP_PORT.to_string(),
            channel: "1".into(),
            user: "admin".into(),
            password: String::new(),
            clear_password: false,
            main_url: String::new(),
            sub_url: String::new(),
        }
    }
}

impl CameraForm {
    pub fn of(c: &CameraSpec) -> Self {
        CameraForm {
            name: c.name.clone(),
            window: c.window.clone().unwrap_or_default(),
            vendor: c.vendor,
            host: c.host.clone(),
            port: c.port.to_string(),
            channel: c.channel.to_string(),
            user: c.user.clone(),
            password: String::new(),
            clear_password: false,
            main_url: c.main_url.clone(),
            sub_url: c.sub_url.clone().unwrap_or_default(),
        }
    }

    /// The camera the form describes, or what is wrong (in the interface's language).
    pub fn spec(&self, lang: crate::ui::i18n::Lang) -> Result<CameraSpec, String> {
        let port: u16 =
            self.port.trim().parse().map_err(|_| lang.pick("端口应为 1–65535", "The port is 1 to 65535").to_owned())?;
        let channel: u32 = self
            .channel
            .trim()
            .parse()
            .map_err(|_| lang.pick("通道应为 1–999", "The channel is 1 to 999").to_owned())?;
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let mut spec = CameraSpec {
            name: self.name.trim().to_owned(),
            window: text(&self.window),
            vendor: self.vendor,
            host: if self.vendor == Vendor::Rtsp { String::new() } else { self.host.trim().to_owned() },
            port,
            channel,
            user: self.user.trim().to_owned(),
            main_url: self.main_url.trim().to_owned(),
            sub_url: text(&self.sub_url),
        };
        spec.fill_urls();
        spec.check().map_err(|(field, reason)| format!("{field}: {reason}"))?;
        Ok(spec)
    }
}

/// A new account as typed.
#[derive(Default, Clone)]
pub struct NewUserForm {
    pub username: String,
    pub display_name: String,
    pub role: Option<Role>,
    pub password: String,
    pub again: String,
    /// Hall codes, comma-separated (empty: the whole city, or the administrator's own halls).
    pub halls: String,
}

/// The dialog open in 系统管理.
#[derive(Clone)]
pub enum AdminForm {
    Hall(HallForm),
    /// `original`: the name of the department being edited (`None`: a new one).
    Department {
        original: Option<String>,
        form: Department,
    },
    Window {
        original: Option<String>,
        form: WindowForm,
    },
    Camera {
        original: Option<String>,
        form: CameraForm,
    },
    /// Retire a department, window or camera (confirm).
    Retire {
        part: Part,
        key: String,
    },
    NewUser(NewUserForm),
    EditUser {
        username: String,
        display_name: String,
        role: Role,
        /// Hall codes, comma-separated (empty: the whole city).
        halls: String,
    },
    ResetPassword {
        username: String,
        password: String,
        again: String,
    },
    /// Refuse account change `id`, with the reason.
    RefuseChange {
        id: i64,
        summary: String,
        reason: String,
    },
    /// 巡察设置 of the camera `camera` (its name in the hall shown): the seat region as drawn
    /// (`changed` until saved); the rest is in [`WatchSetupView`].
    Watch {
        camera: String,
        seat: Option<crate::domain::watch::Region>,
        changed: bool,
    },
}

/// A camera's watch settings at a glance: (hall, camera, has a reference view, has a seat region).
pub type Watched = (String, String, bool, bool);

/// A picture from a camera's sub stream now, as PNG (what 设为基准画面 keeps) and as RGB.
pub type Still = Result<(crate::video::watch_live::Picture, Vec<u8>), String>;

/// 巡察设置: the camera's watch settings in force (reference view, seat region), and a picture taken
/// now on a thread of its own, which fills `slot`.
#[derive(Default)]
pub struct WatchSetupView {
    pub loading: bool,
    pub setup: Option<Result<crate::store::CameraWatch, String>>,
    pub reference: Option<egui::TextureHandle>,
    pub capturing: bool,
    pub slot: Arc<Mutex<Option<Still>>>,
    /// The picture taken (its PNG) and its texture, or why there is none.
    pub picture: Option<Result<(Vec<u8>, egui::TextureHandle), String>>,
    /// What the last change did.
    pub saved: Option<String>,
}

/// The connection test of the camera dialog: a thread of its own fills `slot`.
#[derive(Default)]
pub struct ProbeView {
    pub running: bool,
    pub slot: Arc<Mutex<Option<Result<ProbeResult, String>>>>,
    pub result: Option<Result<ProbeResult, String>>,
    pub texture: Option<egui::TextureHandle>,
}

/// 搜索摄像头 (ONVIF): the probe's answers, and the stream URIs asked of one device; each runs on a
/// thread of its own that fills its slot.
pub struct DiscoveryView {
    /// Where the probe goes: the WS-Discovery group, or one camera's `address:3702` where the network
    /// filters multicast.
    pub target: String,
    pub running: bool,
    pub slot: Arc<Mutex<Option<Result<Vec<crate::onvif::Device>, String>>>>,
    pub devices: Option<Result<Vec<crate::onvif::Device>, String>>,
    /// The device the camera dialog was opened from.
    pub device: Option<crate::onvif::Device>,
    pub uris_running: bool,
    pub uris_slot: Arc<Mutex<Option<Result<crate::onvif::StreamUris, String>>>>,
    pub uris_error: Option<String>,
}

impl Default for DiscoveryView {
    fn default() -> Self {
        DiscoveryView {
            target: crate::onvif::DISCOVERY_ADDR.to_owned(),
            running: false,
            slot: Default::default(),
            devices: None,
            device: None,
            uris_running: false,
            uris_slot: Default::default(),
            uris_error: None,
        }
    }
}

#[derive(Default)]
pub struct AdminView {
    pub tab: AdminTab,
    /// Every hall of the database; the one shown is `config`'s.
    pub halls: Vec<crate::domain::model::Hall>,
    /// The hall picked to show (`None`: the first).
    pub hall: Option<String>,
    /// The configuration in force (`None`: no hall yet).
    pub config: Option<HallConfig>,
    pub users: Vec<User>,
    /// Account changes waiting for a second person (dual authorisation), then the last decided.
    pub changes: Vec<crate::store::AccountChange>,
    /// Said after an action that now waits for a second person.
    pub notice: Option<String>,
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<String>,
    pub form: Option<AdminForm>,
    pub form_error: Option<String>,
    pub pending: bool,
    /// What the last change did, one line each.
    pub last_change: Vec<String>,
    pub probe: ProbeView,
    pub discovery: DiscoveryView,
    pub watch: WatchSetupView,
    pub watched: Vec<Watched>,
    pub calendar: super::calendar::CalendarTab,
    pub notify: super::notify::NotifyTab,
}

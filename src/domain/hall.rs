//! A hall's configuration as its own staff describe it: the hall, its departments, windows and cameras
//! (the hall file, 系统管理), the camera vendors' stream-URL presets, and the difference between the
//! configuration in force and a new one — what applying it would add, change and retire.
//!
//! Nothing is ever deleted: a department, window or camera that a new configuration leaves out is
//! *retired* (it leaves the wall, the pickers and the recorder; old records still name it), and naming
//! it again brings it back.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::model::{Department, Hall};

/// How a camera's stream URLs are made: a vendor preset from host, port and channel, or given whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Vendor {
    Hikvision,
    Dahua,
    Uniview,
    /// Plain `rtsp://` URLs, given in full.
    #[default]
    Rtsp,
}

impl Vendor {
    pub const ALL: [Vendor; 4] = [Vendor::Hikvision, Vendor::Dahua, Vendor::Uniview, Vendor::Rtsp];

    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Hikvision => "hikvision",
            Vendor::Dahua => "dahua",
            Vendor::Uniview => "uniview",
            Vendor::Rtsp => "rtsp",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Vendor::Hikvision => "海康威视",
            Vendor::Dahua => "大华",
            Vendor::Uniview => "宇视",
            Vendor::Rtsp => "RTSP 地址",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Vendor::Hikvision => "Hikvision",
            Vendor::Dahua => "Dahua",
            Vendor::Uniview => "Uniview",
            Vendor::Rtsp => "RTSP URLs",
        }
    }

    /// The path of a channel's main (`sub = false`) or sub stream, for the vendor presets.
    pub fn stream_path(self, channel: u32, sub: bool) -> Option<String> {
        let s = u32::from(sub);
        match self {
            Vendor::Hikvision => Some(format!("/Streaming/Channels/{channel}0{}", s + 1)),
            Vendor::Dahua => Some(format!("/cam/realmonitor?channel={channel}&subtype={s}")),
            Vendor::Uniview => Some(format!("/unicast/c{channel}/s{s}/live")),
            Vendor::Rtsp => None,
        }
    }

    /// The main and sub stream URLs of a preset (no credentials); `None` for [`Vendor::Rtsp`].
    pub fn stream_urls(self, host: &str, port: u16, channel: u32) -> Option<(String, String)> {
        let authority =
            if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_owned() };
        let url = |sub| self.stream_path(channel, sub).map(|path| format!("rtsp://{authority}:{port}{path}"));
        Some((url(false)?, url(true)?))
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Vendor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Vendor::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown vendor {s:?}; expected hikvision, dahua, uniview or rtsp"))
    }
}

/// The default RTSP port.
pub const RTSP_PORT: u16 = 554;

/// A window as a hall's configuration gives it (the hall is the configuration's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WindowSpec {
    pub code: String,
    pub name: String,
    pub department: Option<String>,
}

/// A camera as a hall's configuration gives it — never with its password, which is set on its own
/// and kept sealed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraSpec {
    pub name: String,
    /// The code of the window it watches (`None`: a lobby camera).
    pub window: Option<String>,
    pub vendor: Vendor,
    /// For the presets; empty for [`Vendor::Rtsp`].
    pub host: String,
    pub port: u16,
    pub channel: u32,
    /// The user name the camera is opened with (not secret; empty: none).
    pub user: String,
    /// The URLs without credentials: given for [`Vendor::Rtsp`], made by the preset otherwise.
    pub main_url: String,
    pub sub_url: Option<String>,
}

impl fmt::Debug for CameraSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CameraSpec")
            .field("name", &self.name)
            .field("window", &self.window)
            .field("vendor", &self.vendor)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("channel", &self.channel)
            .field("user", &self.user)
            .field("main_url", &super::model::redact_url(&self.main_url))
            .field("sub_url", &self.sub_url.as_deref().map(super::model::redact_url))
            .finish()
    }
}

impl CameraSpec {
    /// A preset camera: its URLs made from host, port and channel.
    pub fn preset(name: &str, window: Option<&str>, vendor: Vendor, host: &str, port: u16, channel: u32) -> Self {
        let (main_url, sub_url) = vendor.stream_urls(host, port, channel).unwrap_or_default();
        CameraSpec {
            name: name.to_owned(),
            window: window.map(str::to_owned),
            vendor,
            host: host.to_owned(),
            port,
            channel,
            user: String::new(),
            main_url,
            sub_url: Some(sub_url).filter(|s| !s.is_empty()),
        }
    }

    /// Makes the preset's URLs again from host, port and channel (no change for [`Vendor::Rtsp`]).
    pub fn fill_urls(&mut self) {
        if let Some((main, sub)) = self.vendor.stream_urls(&self.host, self.port, self.channel) {
            self.main_url = main;
            self.sub_url = Some(sub);
        }
    }

    /// What is wrong with this camera, if anything, as (field, reason).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.name.trim().is_empty() {
            return Err(("name", "a camera needs a name".into()));
        }
        if let Some(problem) = name_problem(&self.name) {
            return Err(("name", problem));
        }
        if let Some(problem) = name_problem(&self.user) {
            return Err(("user", problem));
        }
        if self.user.contains([':', '@', '/']) {
            return Err(("user", "a user name cannot hold ':', '@' or '/'".into()));
        }
        match self.vendor {
            Vendor::Rtsp => {
                check_stream_url(&self.main_url).map_err(|e| ("main_url", e))?;
                if let Some(sub) = &self.sub_url {
                    check_stream_url(sub).map_err(|e| ("sub_url", e))?;
                }
            }
            _ => {
                if self.host.trim().is_empty() {
                    return Err(("host", format!("a {} camera needs its host (address)", self.vendor)));
                }
                if !self.host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)) {
                    return Err(("host", format!("{:?} is not a host name or address", self.host)));
                }
                if self.port == 0 {
                    return Err(("port", "the port is 1 to 65535".into()));
                }
                if !(1..=999).contains(&self.channel) {
                    return Err(("channel", "the channel is 1 to 999".into()));
                }
            }
        }
        Ok(())
    }
}

/// Whether `url` is an RTSP URL the store can keep: `rtsp://` or `rtsps://`, a host, and no
/// credentials (the password is set on its own, so that it never sits in a URL or a file).
pub fn check_stream_url(url: &str) -> Result<(), String> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("a stream URL is at most {MAX_URL_CHARS} characters"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace() || is_bidi(c)) {
        return Err("a stream URL holds no spaces, control or bidirectional characters".into());
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("{} is not a URL (rtsp://host/path)", redacted_url(url)));
    };
    if scheme != "rtsp" && scheme != "rtsps" {
        return Err(format!("{scheme}:// is not a stream URL; expected rtsp://"));
    }
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    if authority.contains('@') {
        return Err("the URL holds a user or password: give the user on its own and set the password with \
                    `jiancha cameras passwd` or in 系统管理"
            .into());
    }
    if authority.is_empty() {
        return Err(format!("{} names no host", redacted_url(url)));
    }
    if let Some(key) = secret_parameter(url) {
        return Err(format!(
            "the URL carries a credential in its parameter `{key}`: give the user on its own and set the password \
             with `jiancha cameras passwd` or in 系统管理"
        ));
    }
    Ok(())
}

/// The longest stream URL kept.
pub const MAX_URL_CHARS: usize = 500;

/// The longest name (hall, department, window, camera, user's display name) kept.
pub const MAX_NAME_CHARS: usize = 100;

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// What is wrong with a name that is shown on the wall, in lists and in documents, if anything: more
/// than [`MAX_NAME_CHARS`] characters, a control character (NUL, a line break, BEL …) or a
/// bidirectional mark that would make it read other than it is.
pub fn name_problem(text: &str) -> Option<String> {
    if text.chars().count() > MAX_NAME_CHARS {
        return Some(format!("名称至多 {MAX_NAME_CHARS} 个字符 (a name is at most {MAX_NAME_CHARS} characters)"));
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Some(format!("holds the control character U+{:04X}", u32::from(c)));
    }
    if let Some(c) = text.chars().find(|c| is_bidi(*c)) {
        return Some(format!("holds the bidirectional mark U+{:04X}", u32::from(c)));
    }
    None
}

/// The query parameter of `url` that carries a credential (`password=`, `pwd=`, `user=` …), if any:
/// some cameras take them there, and such a URL would be stored and shown with the password in it.
pub fn secret_parameter(url: &str) -> Option<String> {
    const SECRET: [&str; 9] = ["password", "passwd", "pwd", "pass", "user", "username", "usr", "token", "auth"];
    let query = url.split_once(['?', '#']).map(|(_, q)| q)?;
    query.split(['&', ';', '?', '#']).find_map(|pair| {
        let key = percent_decode(pair.split_once('=').map_or(pair, |(k, _)| k)).to_ascii_lowercase();
        SECRET.contains(&key.trim()).then(|| key.chars().take(20).collect())
    })
}

/// `url` as it may be shown in a message: no user or password, no query.
pub fn redacted_url(url: &str) -> String {
    let (bare, _, _) = split_credentials(url);
    let bare = bare.split(['?', '#']).next().unwrap_or("");
    let shown: String = bare.chars().filter(|c| !c.is_control()).take(120).collect();
    format!("{shown:?}")
}

/// The `host[:port]` a stream URL points at (lower case), without credentials.
pub fn url_authority(url: &str) -> String {
    let (bare, _, _) = split_credentials(url);
    let rest = bare.split_once("://").map_or(bare.as_str(), |(_, r)| r);
    rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())].to_ascii_lowercase()
}

/// Splits the credentials out of a URL: (the URL without them, user, password). Percent-escapes are
/// decoded.
pub fn split_credentials(url: &str) -> (String, Option<String>, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None, None);
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some(at) = authority.rfind('@') else {
        return (url.to_owned(), None, None);
    };
    let userinfo = &authority[..at];
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (percent_decode(u), Some(percent_decode(p))),
        None => (percent_decode(userinfo), None),
    };
    (format!("{scheme}://{}{path}", &authority[at + 1..]), Some(user).filter(|u| !u.is_empty()), password)
}

/// The URL with `user` and `password` put into it (escaped), for opening the stream.
pub fn with_credentials(url: &str, user: &str, password: Option<&str>) -> String {
    if user.is_empty() && password.is_none() {
        return url.to_owned();
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let mut userinfo = percent_encode(user);
    if let Some(p) = password {
        userinfo.push(':');
        userinfo.push_str(&percent_encode(p));
    }
    format!("{scheme}://{userinfo}@{rest}")
}

/// Percent-encodes a user name or password for the user part of a URL: everything but RFC 3986's
/// unreserved characters and sub-delims is escaped.
fn percent_encode(text: &str) -> String {
    const USERINFO: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'!')
        .remove(b'$')
        .remove(b'&')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')')
        .remove(b'*')
        .remove(b'+')
        .remove(b',')
        .remove(b';')
        .remove(b'=');
    percent_encoding::utf8_percent_encode(text, USERINFO).to_string()
}

/// `%XX` escapes decoded (invalid ones kept as they are).
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// A hall's whole configuration: what the hall file holds and `hall export` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HallConfig {
    pub hall: Hall,
    pub departments: Vec<Department>,
    pub windows: Vec<WindowSpec>,
    pub cameras: Vec<CameraSpec>,
}

impl HallConfig {
    /// What is wrong with the configuration as a whole: names used twice, windows of departments and
    /// cameras of windows it does not hold. (`(part, index, field, reason)`, the index 0-based.)
    pub fn check(&self) -> Result<(), (Part, usize, &'static str, String)> {
        if self.hall.code.trim().is_empty() {
            return Err((Part::Hall, 0, "code", "the hall needs a code".into()));
        }
        if self.hall.name.trim().is_empty() {
            return Err((Part::Hall, 0, "name", "the hall needs a name".into()));
        }
        for (field, text) in [("code", &self.hall.code), ("name", &self.hall.name), ("address", &self.hall.address)] {
            if let Some(problem) = name_problem(text) {
                return Err((Part::Hall, 0, field, problem));
            }
        }
        for (i, d) in self.departments.iter().enumerate() {
            if d.name.trim().is_empty() {
                return Err((Part::Department, i, "name", "a department needs a name".into()));
            }
            if let Some(problem) = name_problem(&d.name) {
                return Err((Part::Department, i, "name", problem));
            }
            if self.departments[..i].iter().any(|o| o.name == d.name) {
                return Err((Part::Department, i, "name", format!("department {} is given twice", d.name)));
            }
        }
        for (i, w) in self.windows.iter().enumerate() {
            if w.code.trim().is_empty() {
                return Err((Part::Window, i, "code", "a window needs a code".into()));
            }
            for (field, text) in [("code", &w.code), ("name", &w.name)] {
                if let Some(problem) = name_problem(text) {
                    return Err((Part::Window, i, field, problem));
                }
            }
            if self.windows[..i].iter().any(|o| o.code == w.code) {
                return Err((Part::Window, i, "code", format!("window {} is given twice", w.code)));
            }
            if let Some(d) = &w.department
                && !self.departments.iter().any(|o| &o.name == d)
            {
                return Err((
                    Part::Window,
                    i,
                    "department",
                    format!("department {d} is not in this hall's departments"),
                ));
            }
        }
        for (i, c) in self.cameras.iter().enumerate() {
            c.check().map_err(|(field, reason)| (Part::Camera, i, field, reason))?;
            if self.cameras[..i].iter().any(|o| o.name == c.name) {
                return Err((Part::Camera, i, "name", format!("camera {} is given twice", c.name)));
            }
            if let Some(w) = &c.window
                && !self.windows.iter().any(|o| &o.code == w)
            {
                return Err((Part::Camera, i, "window", format!("window {w} is not in this hall's windows")));
            }
        }
        Ok(())
    }
}

/// The parts of a hall's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Hall,
    Department,
    Window,
    Camera,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Hall => "hall",
            Part::Department => "department",
            Part::Window => "window",
            Part::Camera => "camera",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Part::Hall => "大厅",
            Part::Department => "部门",
            Part::Window => "窗口",
            Part::Camera => "摄像头",
        }
    }
}

/// One field that changes: its name, the value in force and the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FieldChange {
    pub field: String,
    pub from: String,
    pub to: String,
}

/// One department, window, camera (or the hall) that a configuration adds, changes or retires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HallChange {
    pub part: Part,
    /// The department's or camera's name, the window's code, the hall's code.
    pub key: String,
    /// For a change, the fields that change; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

impl HallChange {
    fn line(&self, verb: &str) -> String {
        let mut line = format!("{verb} {} {}", self.part.as_str(), self.key);
        for (i, f) in self.fields.iter().enumerate() {
            line.push_str(if i == 0 { ": " } else { "; " });
            line.push_str(&format!("{} {:?} → {:?}", f.field, f.from, f.to));
        }
        line
    }
}

/// What applying a configuration does: `hall apply --format json` prints it as is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HallDiff {
    pub added: Vec<HallChange>,
    pub changed: Vec<HallChange>,
    pub retired: Vec<HallChange>,
}

impl HallDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.retired.is_empty()
    }

    /// One line per change (`added window A01`, `changed camera A01: host "…" → "…"`, `retired …`).
    pub fn lines(&self) -> Vec<String> {
        let added = self.added.iter().map(|c| c.line("added"));
        let changed = self.changed.iter().map(|c| c.line("changed"));
        let retired = self.retired.iter().map(|c| c.line("retired"));
        added.chain(changed).chain(retired).collect()
    }
}

fn field(out: &mut Vec<FieldChange>, name: &str, from: impl fmt::Display, to: impl fmt::Display) {
    let (from, to) = (from.to_string(), to.to_string());
    if from != to {
        out.push(FieldChange { field: name.to_owned(), from, to });
    }
}

fn opt(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// What taking `desired` in place of `current` (the configuration in force, retired parts left out)
/// adds, changes and retires, in the order of the desired configuration, retirements last.
pub fn diff(current: &HallConfig, desired: &HallConfig) -> HallDiff {
    let mut out = HallDiff::default();
    let mut hall_fields = Vec::new();
    field(&mut hall_fields, "name", &current.hall.name, &desired.hall.name);
    field(&mut hall_fields, "address", &current.hall.address, &desired.hall.address);
    field(&mut hall_fields, "level", current.hall.level.as_str(), desired.hall.level.as_str());
    if current.hall.code != desired.hall.code {
        out.added.push(HallChange { part: Part::Hall, key: desired.hall.code.clone(), fields: Vec::new() });
    } else if !hall_fields.is_empty() {
        out.changed.push(HallChange { part: Part::Hall, key: desired.hall.code.clone(), fields: hall_fields });
    }
    compare(
        &mut out,
        Part::Department,
        &current.departments,
        &desired.departments,
        |d| d.name.clone(),
        |a, b, f| {
            field(f, "short_name", &a.short_name, &b.short_name);
            field(f, "head", &a.head, &b.head);
            field(f, "phone", &a.phone, &b.phone);
        },
    );
    compare(
        &mut out,
        Part::Window,
        &current.windows,
        &desired.windows,
        |w| w.code.clone(),
        |a, b, f| {
            field(f, "name", &a.name, &b.name);
            field(f, "department", opt(&a.department), opt(&b.department));
        },
    );
    compare(
        &mut out,
        Part::Camera,
        &current.cameras,
        &desired.cameras,
        |c| c.name.clone(),
        |a, b, f| {
            field(f, "window", opt(&a.window), opt(&b.window));
            field(f, "vendor", a.vendor, b.vendor);
            field(f, "host", &a.host, &b.host);
            field(f, "port", a.port, b.port);
            field(f, "channel", a.channel, b.channel);
            field(f, "user", &a.user, &b.user);
            field(f, "main_url", &a.main_url, &b.main_url);
            field(f, "sub_url", opt(&a.sub_url), opt(&b.sub_url));
        },
    );
    out
}

fn compare<T>(
    out: &mut HallDiff,
    part: Part,
    current: &[T],
    desired: &[T],
    key: impl Fn(&T) -> String,
    fields: impl Fn(&T, &T, &mut Vec<FieldChange>),
) {
    for d in desired {
        let k = key(d);
        match current.iter().find(|c| key(c) == k) {
            None => out.added.push(HallChange { part, key: k, fields: Vec::new() }),
            Some(c) => {
                let mut changes = Vec::new();
                fields(c, d, &mut changes);
                if !changes.is_empty() {
                    out.changed.push(HallChange { part, key: k, fields: changes });
                }
            }
        }
    }
    for c in current {
        let k = key(c);
        if !desired.iter().any(|d| key(d) == k) {
            out.retired.push(HallChange { part, key: k, fields: Vec::new() });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::HallLevel;

    fn config() -> HallConfig {
        HallConfig {
            hall: Hall { code: "SP".into(), name: "四平".into(), address: String::new(), level: HallLevel::City },
            departments: vec![Department {
                name: "市税务局".into(),
                short_name: "税务".into(),
                head: String::new(),
                phone: String::new(),
            }],
            windows: vec![WindowSpec {
                code: "B07".into(), name: "B07".into(), department: Some("市税务局".into())
            }],
            cameras: vec![CameraSpec::preset("B07 税务", Some("B07"), Vendor::Hikvision, "192.168.10.21", 554, 1)],
        }
    }

    #[test]
    fn presets_build_the_vendors_paths() {
        let url = |v: Vendor| v.stream_urls("10.0.0.5", 554, 3).unwrap();
        assert_eq!(
            url(Vendor::Hikvision),
            ("rtsp://10.0.0.5:554/Streaming/Channels/301".into(), "rtsp://10.0.0.5:554/Streaming/Channels/302".into())
        );
        assert_eq!(
            url(Vendor::Dahua),
            (
                "rtsp://10.0.0.5:554/cam/realmonitor?channel=3&subtype=0".into(),
                "rtsp://10.0.0.5:554/cam/realmonitor?channel=3&subtype=1".into()
            )
        );
        assert_eq!(
            url(Vendor::Uniview),
            ("rtsp://10.0.0.5:554/unicast/c3/s0/live".into(), "rtsp://10.0.0.5:554/unicast/c3/s1/live".into())
        );
        assert_eq!(Vendor::Rtsp.stream_urls("10.0.0.5", 554, 3), None);
        assert_eq!(
            Vendor::Hikvision.stream_urls("fe80::1", 8554, 1).unwrap().0,
            "rtsp://[fe80::1]:8554/Streaming/Channels/101"
        );
    }

    #[test]
    fn credentials_round_trip_through_urls() {
        let url = with_credentials("rtsp://10.0.0.5:554/x", "admin", Some("p@ss:w/rd"));
        assert_eq!(url, "rtsp://admin:p%40ss%3Aw%2Frd@10.0.0.5:554/x");
        assert_eq!(
            split_credentials(&url),
            ("rtsp://10.0.0.5:554/x".into(), Some("admin".into()), Some("p@ss:w/rd".into()))
        );
        assert_eq!(split_credentials("rtsp://h/x"), ("rtsp://h/x".into(), None, None));
        assert_eq!(with_credentials("rtsp://h/x", "", None), "rtsp://h/x");
        assert!(check_stream_url("rtsp://u:p@h/x").is_err());
        assert!(check_stream_url("http://h/x").is_err());
        assert!(check_stream_url("rtsp:///x").is_err());
        assert!(check_stream_url("rtsp://h:8554/x").is_ok());
    }

    #[test]
    fn the_same_configuration_changes_nothing() {
        assert!(diff(&config(), &config()).is_empty());
    }

    #[test]
    fn changes_are_named_field_by_field_and_missing_parts_retire() {
        let current = config();
        let mut desired = config();
        desired.cameras[0].host = "192.168.10.22".into();
        desired.cameras[0].fill_urls();
        desired.windows.push(WindowSpec { code: "B08".into(), name: "B08".into(), department: None });
        desired.departments.clear();
        desired.windows[0].department = None;
        let d = diff(&current, &desired);
        assert_eq!(d.added, vec![HallChange { part: Part::Window, key: "B08".into(), fields: vec![] }]);
        assert_eq!(d.retired, vec![HallChange { part: Part::Department, key: "市税务局".into(), fields: vec![] }]);
        let camera = d.changed.iter().find(|c| c.part == Part::Camera).unwrap();
        assert_eq!(
            camera.fields[0],
            FieldChange { field: "host".into(), from: "192.168.10.21".into(), to: "192.168.10.22".into() }
        );
        assert_eq!(camera.fields.len(), 3, "host and the two URLs made from it");
        assert_eq!(d.lines().len(), 4);
        assert!(d.lines()[0].starts_with("added window B08"));
    }

    #[test]
    fn a_configuration_must_hold_what_it_refers_to() {
        let mut c = config();
        c.cameras[0].window = Some("Z99".into());
        assert_eq!(c.check().unwrap_err().2, "window");
        let mut c = config();
        c.windows[0].department = Some("别的局".into());
        assert_eq!(c.check().unwrap_err().0, Part::Window);
        let mut c = config();
        c.cameras[0].vendor = Vendor::Rtsp;
        c.cameras[0].main_url = "rtsp://admin:x@h/1".into();
        assert_eq!(c.check().unwrap_err().2, "main_url");
        assert!(config().check().is_ok());
    }
}

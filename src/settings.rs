//! Settings from `rules.toml` (defaults shipped in `data/rules.toml`, overridden by
//! `<data-dir>/rules.toml`) and the holiday data of the data directory.
//!
//! Every key is checked at load; an unknown key or a bad value is an error naming the file and the key.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::alerts::{AlertSettings, RuleBook};
use crate::domain::attendance::{AttendanceSettings, Hours, Schedule};
use crate::domain::calendar::{Calendar, LocalOverride};
use crate::domain::evaluator::EvaluatorSettings;
use crate::domain::footage::FootageSettings;

/// The defaults shipped with the program.
pub const DEFAULT_RULES: &str = include_str!("../data/rules.toml");
pub const RULES_FILE: &str = "rules.toml";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub calendar: CalendarSettings,
    #[serde(default)]
    pub alerts: AlertSettings,
    #[serde(default)]
    pub attendance: AttendanceToml,
    #[serde(default)]
    pub evaluator: EvaluatorSettings,
    #[serde(default)]
    pub footage: FootageSettings,
    #[serde(default)]
    pub complaints: crate::domain::accountability::ComplaintSettings,
    #[serde(default)]
    pub assessment: crate::domain::assessment::AssessmentSettings,
    #[serde(default)]
    pub notify: crate::domain::notify::NotifySettings,
}

/// `[attendance]` as written in rules.toml (times as "08:30", month-days as "06-01").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendanceToml {
    #[serde(default)]
    pub grace_minutes: u32,
    #[serde(default = "default_absence")]
    pub absence_minutes: u32,
    #[serde(default = "default_anchor")]
    pub period_anchor: chrono::NaiveDate,
    #[serde(default = "default_period")]
    pub period_days: u32,
    #[serde(default)]
    pub schedules: Vec<ScheduleToml>,
}

fn default_absence() -> u32 {
    30
}
fn default_anchor() -> chrono::NaiveDate {
    AttendanceSettings::default().period_anchor
}
fn default_period() -> u32 {
    14
}

impl Default for AttendanceToml {
    fn default() -> Self {
        Self {
            grace_minutes: 0,
            absence_minutes: 30,
            period_anchor: default_anchor(),
            period_days: 14,
            schedules: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleToml {
    pub name: String,
    #[serde(default)]
    pub hall: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    pub morning: [String; 2],
    pub afternoon: [String; 2],
}

impl AttendanceToml {
    /// The checked settings; errors name the key (`attendance.schedules[1].morning`).
    pub fn to_settings(&self) -> Result<AttendanceSettings, (String, String)> {
        let time = |key: String, text: &str| {
            chrono::NaiveTime::parse_from_str(text, "%H:%M")
                .map_err(|_| (key, format!("{text:?} is not a time (HH:MM)")))
        };
        let month_day = |key: String, text: &Option<String>| -> Result<Option<(u32, u32)>, (String, String)> {
            let Some(text) = text else { return Ok(None) };
            let parsed = chrono::NaiveDate::parse_from_str(&format!("2024-{text}"), "%Y-%m-%d")
                .map_err(|_| (key, format!("{text:?} is not a month-day (MM-DD)")))?;
            Ok(Some((chrono::Datelike::month(&parsed), chrono::Datelike::day(&parsed))))
        };
        let mut schedules = Vec::new();
        for (i, s) in self.schedules.iter().enumerate() {
            let k = |field: &str| format!("attendance.schedules[{i}].{field}");
            schedules.push(Schedule {
                name: s.name.clone(),
                hall: s.hall.clone(),
                from: month_day(k("from"), &s.from)?,
                to: month_day(k("to"), &s.to)?,
                morning: Hours { start: time(k("morning"), &s.morning[0])?, end: time(k("morning"), &s.morning[1])? },
                afternoon: Hours {
                    start: time(k("afternoon"), &s.afternoon[0])?,
                    end: time(k("afternoon"), &s.afternoon[1])?,
                },
            });
        }
        if schedules.is_empty() {
            schedules.push(Schedule::standard());
        }
        if chrono::Datelike::weekday(&self.period_anchor) != chrono::Weekday::Mon {
            return Err(("attendance.period_anchor".into(), format!("{} is not a Monday", self.period_anchor)));
        }
        let settings = AttendanceSettings {
            grace_secs: self.grace_minutes.saturating_mul(60),
            absence_minutes: self.absence_minutes,
            period_anchor: self.period_anchor,
            period_days: self.period_days,
            schedules,
        };
        settings.validate()?;
        Ok(settings)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    #[serde(default)]
    pub overrides: Vec<LocalOverride>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// A settings file parsed; the error names the file, and toml's message its line and key (on one line).
fn from_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, SettingsError> {
    toml::from_str(text).map_err(|e| SettingsError::Invalid {
        file: file.to_owned(),
        message: e.to_string().trim_end().replace('\n', " "),
    })
}

impl Settings {
    /// Parses a rules file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, SettingsError> {
        let settings: Settings = from_toml(file, text)?;
        let invalid = |(key, message): (String, String)| SettingsError::Invalid {
            file: file.to_owned(),
            message: format!("{key}: {message}"),
        };
        settings.alerts.validate().map_err(invalid)?;
        settings.attendance.to_settings().map_err(invalid)?;
        settings.evaluator.validate().map_err(invalid)?;
        settings.footage.validate().map_err(invalid)?;
        settings.complaints.validate().map_err(invalid)?;
        settings.assessment.validate().map_err(invalid)?;
        settings.notify.validate().map_err(invalid)?;
        let mut seen = std::collections::BTreeSet::new();
        for (i, o) in settings.calendar.overrides.iter().enumerate() {
            if !seen.insert(o.date) {
                return Err(SettingsError::Invalid {
                    file: file.to_owned(),
                    message: format!("calendar.overrides[{i}].date: {} is listed twice", o.date),
                });
            }
        }
        Ok(settings)
    }

    /// The settings of a data directory: its `rules.toml` if there is one, else the installed
    /// `/etc/jiancha/rules.toml`, else the built-in defaults.
    pub fn load(data_dir: &Path) -> Result<Self, SettingsError> {
        Self::load_from(&system_config_dir(), data_dir)
    }

    /// As [`Settings::load`], with the installed settings in `system_dir`.
    pub fn load_from(system_dir: &Path, data_dir: &Path) -> Result<Self, SettingsError> {
        let path = data_dir.join(RULES_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&path.display().to_string(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let installed = system_dir.join(RULES_FILE);
                match std::fs::read_to_string(&installed) {
                    Ok(text) => Self::parse(&installed.display().to_string(), &text),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        Self::parse("data/rules.toml (built in)", DEFAULT_RULES)
                    }
                    Err(source) => Err(SettingsError::Io { path: installed, source }),
                }
            }
            Err(source) => Err(SettingsError::Io { path, source }),
        }
    }
}

/// This workstation's own settings (`DIR/workstation.toml`), apart from the hall's rules: where the
/// data lives.
pub const WORKSTATION_FILE: &str = "workstation.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workstation {
    #[serde(default)]
    pub backend: BackendSettings,
}

/// `[backend]`: empty for the local database, or a server's address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendSettings {
    /// `http://host:8730` or `https://…`; none or empty: the local database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A PEM certificate authority to trust for an `https://` server with a certificate of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
}

impl BackendSettings {
    /// Checks the address; the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        match self.url.as_deref().map(str::trim) {
            None | Some("") => Ok(()),
            Some(u) if (u.starts_with("http://") || u.starts_with("https://")) && u.len() > 8 && !u.contains(' ') => {
                Ok(())
            }
            Some(u) => Err(format!("backend.url: {u:?} is not an http:// or https:// address")),
        }
    }
}

impl Workstation {
    /// The workstation settings in effect: the installed defaults (`/etc/jiancha/workstation.toml`, the
    /// server address and CA a hall's installer sets once for every user), overridden key by key by the
    /// data directory's own file. Defaults when there is neither.
    pub fn load(data_dir: &Path) -> Result<Self, SettingsError> {
        Self::load_from(&system_config_dir(), data_dir)
    }

    /// As [`Workstation::load`], with the installed defaults in `system_dir`.
    pub fn load_from(system_dir: &Path, data_dir: &Path) -> Result<Self, SettingsError> {
        let installed = Self::read(&system_dir.join(WORKSTATION_FILE))?.unwrap_or_default();
        let own = Self::read(&data_dir.join(WORKSTATION_FILE))?.unwrap_or_default();
        Ok(Self {
            backend: BackendSettings {
                // An own `url = ""` chooses the local database over an installed server address.
                url: own.backend.url.or(installed.backend.url),
                ca_cert: own.backend.ca_cert.or(installed.backend.ca_cert),
            },
        })
    }

    /// One file, checked; none when it does not exist.
    fn read(path: &Path) -> Result<Option<Self>, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(SettingsError::Io { path: path.to_owned(), source }),
        };
        let file = path.display().to_string();
        let parsed: Self = from_toml(&file, &text)?;
        parsed.backend.validate().map_err(|message| SettingsError::Invalid { file, message })?;
        Ok(Some(parsed))
    }

    /// Writes the file whole (a crash leaves the old or the new one).
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        let path = data_dir.join(WORKSTATION_FILE);
        self.backend
            .validate()
            .map_err(|message| SettingsError::Invalid { file: path.display().to_string(), message })?;
        let text = toml::to_string(self)
            .map_err(|e| SettingsError::Invalid { file: path.display().to_string(), message: e.to_string() })?;
        crate::files::write_atomically(&path, text.as_bytes()).map_err(|source| SettingsError::Io { path, source })?;
        Ok(())
    }
}

/// `jiancha serve --config FILE` (`/etc/jiancha/server.toml` for the service): what the flags of
/// `jiancha serve` say, as a file; a flag given overrides its key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerFile {
    /// `127.0.0.1:8730` (the default) or the hall network's address, e.g. `0.0.0.0:8730`.
    #[serde(default)]
    pub listen: Option<std::net::SocketAddr>,
    /// HTTPS: a PEM certificate chain and its private key.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// The host names consoles use in the server's address (IP addresses and `localhost` are always
    /// answered).
    #[serde(default)]
    pub host_names: Vec<String>,
    /// Forward pushed case events to this upper-level server as this account (password:
    /// `JIANCHA_FORWARD_PASSWORD`, for the service in `/etc/jiancha/server.env`).
    #[serde(default)]
    pub forward: Option<String>,
    #[serde(default)]
    pub forward_user: Option<String>,
    /// A PEM certificate authority to trust for an `https://` upper-level server.
    #[serde(default)]
    pub ca_cert: Option<PathBuf>,
    /// Leave the camera watchers (Art 11(8)) of the cameras no recorder records to someone else: by
    /// default the server runs them itself, since its consoles do not.
    #[serde(default)]
    pub no_watch: bool,
    /// The database: SQLite in the data directory (not given), or PostgreSQL —
    /// `postgres://USER@HOST:PORT/DATABASE`, its password from `PGPASSWORD` (in server.env) or libpq's
    /// password file, never here. The data directory still holds `camera.key` and `audit.key`, the same
    /// two files on every server of one database.
    #[serde(default)]
    pub database: Option<String>,
    /// Where the camera relay answers the consoles (RTSP): default the `listen` address's host, port
    /// 8731. Consoles of this server get its URLs, never a camera's password.
    #[serde(default)]
    pub relay: Option<std::net::SocketAddr>,
    /// This server's name when several servers share one database (a county's hall, the city's): its
    /// recorder's footage is indexed as kept here, and other servers fetch it from here. 1–32 lowercase
    /// letters, digits and hyphens; the recorder on the same machine reads the same file.
    #[serde(default)]
    pub name: Option<String>,
    /// Where the other servers of the database reach this one for its footage (`http(s)://HOST:PORT`).
    /// Default: the `listen` address, unless that is every interface (0.0.0.0), when it must be given.
    #[serde(default)]
    pub peer_url: Option<String>,
}

impl ServerFile {
    /// Reads and checks a server settings file; errors name the file, the line and the key.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| SettingsError::Io { path: path.to_owned(), source })?;
        let file = path.display().to_string();
        let parsed: Self = from_toml(&file, &text)?;
        parsed.validate().map_err(|message| SettingsError::Invalid { file, message })?;
        Ok(parsed)
    }

    /// Checks the keys; the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(bad) = self.host_names.iter().find(|n| {
            n.is_empty() || n.len() > 253 || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        }) {
            return Err(format!("host_names: {bad:?} is not a DNS name of letters, digits, '.' and '-'"));
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("tls_cert and tls_key: give both or neither".into());
        }
        if self.forward.is_some() != self.forward_user.is_some() {
            return Err("forward and forward_user: give both or neither".into());
        }
        if let Some(url) = &self.database
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(
                "database: a PostgreSQL address postgres://USER@HOST:PORT/DATABASE (SQLite: leave it out)".into()
            );
        }
        if let Some(url) = &self.forward {
            BackendSettings { url: Some(url.clone()), ca_cert: None }
                .validate()
                .map_err(|e| e.replace("backend.url", "forward"))?;
        }
        if let Some(name) = &self.name
            && !crate::domain::footage::valid_holder(name)
        {
            return Err(format!("name: {name:?} is not 1–32 lowercase letters, digits and hyphens"));
        }
        if let Some(url) = &self.peer_url {
            if self.name.is_none() {
                return Err("peer_url: give the server a `name` too".into());
            }
            BackendSettings { url: Some(url.clone()), ca_cert: None }
                .validate()
                .map_err(|e| e.replace("backend.url", "peer_url"))?;
        }
        Ok(())
    }

    /// These settings with every key that `flags` gives replaced by the flag's value.
    pub fn overridden_by(self, flags: ServerFile) -> ServerFile {
        ServerFile {
            listen: flags.listen.or(self.listen),
            tls_cert: flags.tls_cert.or(self.tls_cert),
            tls_key: flags.tls_key.or(self.tls_key),
            host_names: if flags.host_names.is_empty() { self.host_names } else { flags.host_names },
            forward: flags.forward.or(self.forward),
            forward_user: flags.forward_user.or(self.forward_user),
            ca_cert: flags.ca_cert.or(self.ca_cert),
            no_watch: flags.no_watch || self.no_watch,
            database: flags.database.or(self.database),
            relay: flags.relay.or(self.relay),
            name: flags.name.or(self.name),
            peer_url: flags.peer_url.or(self.peer_url),
        }
    }
}

/// The calendar for a data directory: the official data, newer year files from `<data-dir>/holiday-cn/`,
/// and the local overrides of the settings.
pub fn calendar(data_dir: &Path, settings: &Settings) -> Result<Calendar, SettingsError> {
    let mut calendar = Calendar::official();
    let dir = data_dir.join("holiday-cn");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "json")
                    && p.file_stem().is_some_and(|s| s.to_string_lossy().parse::<i32>().is_ok())
            })
            .collect();
        paths.sort();
        for path in paths {
            let text =
                std::fs::read_to_string(&path).map_err(|source| SettingsError::Io { path: path.clone(), source })?;
            calendar
                .add_year_file(&path.display().to_string(), &text)
                .map_err(|e| SettingsError::Invalid { file: path.display().to_string(), message: e.to_string() })?;
        }
    }
    Ok(calendar.with_overrides(settings.calendar.overrides.clone()))
}

/// The rule book (calendar and alert settings) of a data directory.
pub fn rule_book(data_dir: &Path) -> Result<RuleBook, SettingsError> {
    let settings = Settings::load(data_dir)?;
    let calendar = calendar(data_dir, &settings)?;
    // Checked in `Settings::parse`; the defaults stand in should that ever change.
    let attendance = settings.attendance.to_settings().unwrap_or_default();
    Ok(RuleBook {
        calendar,
        settings: settings.alerts,
        attendance,
        evaluator: settings.evaluator,
        footage: settings.footage,
        complaints: settings.complaints,
        assessment: settings.assessment,
        notify: settings.notify,
    })
}

/// Where the installed package keeps the settings for every user of the machine (`/etc/jiancha`;
/// `JIANCHA_SYSTEM_CONFIG_DIR` stands in for it in tests and in a package's own checks).
pub fn system_config_dir() -> PathBuf {
    std::env::var_os("JIANCHA_SYSTEM_CONFIG_DIR").map_or_else(|| PathBuf::from("/etc/jiancha"), PathBuf::from)
}

/// The default data directory: `$XDG_DATA_HOME/jiancha` (`~/.local/share/jiancha`).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("jiancha")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse() {
        let parsed = Settings::parse("default", DEFAULT_RULES).unwrap();
        assert_eq!(parsed.alerts, AlertSettings::default());
        assert_eq!(parsed.evaluator, EvaluatorSettings::default());
        assert_eq!(parsed.assessment, crate::domain::assessment::AssessmentSettings::default());
        assert_eq!(parsed.notify, crate::domain::notify::NotifySettings::default());
        let attendance = parsed.attendance.to_settings().unwrap();
        assert_eq!(attendance.schedules.len(), 2);
        assert_eq!(attendance.schedules[0], Schedule::standard());
    }

    #[test]
    fn notify_settings_are_read_and_their_errors_name_the_key() {
        let good = "[notify]\nenabled = true\n\n[[notify.people]]\nname = \"王科长\"\ndepartment = \"市税务局\"\n\
                    mobile = \"13900000000\"\n\n[notify.templates]\nalert_red = \"红牌 {case_no}\"\n";
        let parsed = Settings::parse("rules.toml", good).unwrap().notify;
        assert!(parsed.enabled);
        assert_eq!(parsed.people[0].mobile.as_deref(), Some("13900000000"));
        assert_eq!(parsed.template(crate::domain::notify::NotifyEvent::AlertRed), "红牌 {case_no}");
        assert_eq!(parsed.rules, crate::domain::notify::NotifySettings::default().rules, "the built-in rules");
        let bad = good.replace("13900000000", "139000");
        let err = Settings::parse("rules.toml", &bad).unwrap_err().to_string();
        assert!(err.starts_with("rules.toml: notify.people[0].mobile"), "{err}");
        let err = Settings::parse("rules.toml", "[notify]\nquiet_hour = 1\n").unwrap_err().to_string();
        assert!(err.contains("quiet_hour"), "an unknown key is named: {err}");
        let err = Settings::parse(
            "rules.toml",
            "[[notify.rules]]\nevent = \"alert_purple\"\nto = \"duty\"\nchannels = [\"sms\"]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("alert_purple"), "{err}");
    }

    #[test]
    fn attendance_errors_name_the_key() {
        let bad = "[[attendance.schedules]]\nname = \"x\"\nmorning = [\"08:30\", \"25:00\"]\nafternoon = [\"13:00\", \"17:00\"]\n";
        let err = Settings::parse("rules.toml", bad).unwrap_err().to_string();
        assert!(err.contains("attendance.schedules[0].morning"), "{err}");
        let err =
            Settings::parse("rules.toml", "[attendance]\nperiod_anchor = \"2026-01-06\"\n").unwrap_err().to_string();
        assert!(err.contains("attendance.period_anchor") && err.contains("not a Monday"), "{err}");
        let err = Settings::parse("rules.toml", "[evaluator]\nmin_usage = 1.5\n").unwrap_err().to_string();
        assert!(err.contains("evaluator.min_usage"), "{err}");
    }

    #[test]
    fn bad_keys_are_named() {
        let err = Settings::parse("rules.toml", "[calendar]\noverides = []\n").unwrap_err().to_string();
        assert!(err.starts_with("rules.toml:") && err.contains("overides"), "{err}");
        let err = Settings::parse(
            "rules.toml",
            "[calendar]\noverrides = [{ date = \"2026-02-30\", working = false, note = \"x\" }]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("date") || err.contains("2026-02-30"), "{err}");
        let err = Settings::parse("rules.toml", "[alerts]\nlate_entry_hours = 0\n").unwrap_err().to_string();
        assert_eq!(err, "rules.toml: alerts.late_entry_hours: 0 is outside 1–720");
        let err = Settings::parse("rules.toml", "[assessment]\nweights = { fees = 9.0 }\n").unwrap_err().to_string();
        assert!(err.contains("assessment.weights") && err.contains("101"), "{err}");
        let err = Settings::parse("rules.toml", "[assessment]\nyellow_points = 5.005\n").unwrap_err().to_string();
        assert!(err.contains("yellow_points") && err.contains("at most two decimals"), "{err}");
        let err = Settings::parse("rules.toml", "[assessment]\nwarning_rule = \"weekly\"\n").unwrap_err().to_string();
        assert!(err.contains("warning_rule") && err.contains("signals_in_month"), "{err}");
        let err = Settings::parse("rules.toml", "[assessment]\nscore_cap = 50\n").unwrap_err().to_string();
        assert_eq!(err, "rules.toml: assessment.score_cap: 50.00 is outside excellent–200");
        let err = Settings::parse("rules.toml", "[alerts]\nlate_entry_hours = \"soon\"\n").unwrap_err().to_string();
        assert!(err.contains("late_entry_hours"), "{err}");
        let twice = "[calendar]\noverrides = [{ date = \"2026-12-01\", working = false, note = \"a\" }, { date = \"2026-12-01\", working = true, note = \"b\" }]\n";
        let err = Settings::parse("rules.toml", twice).unwrap_err().to_string();
        assert!(err.contains("calendar.overrides[1].date"), "{err}");
    }

    #[test]
    fn the_installed_workstation_defaults_are_overridden_key_by_key_by_the_users_own() {
        let system = tempfile::tempdir().unwrap();
        let user = tempfile::tempdir().unwrap();
        // Neither file: the local database.
        assert_eq!(Workstation::load_from(system.path(), user.path()).unwrap(), Workstation::default());
        std::fs::write(
            system.path().join(WORKSTATION_FILE),
            "[backend]\nurl = \"https://jiancha.hall:8730\"\nca_cert = \"/etc/jiancha/tls/ca.crt\"\n",
        )
        .unwrap();
        let merged = Workstation::load_from(system.path(), user.path()).unwrap();
        assert_eq!(merged.backend.url.as_deref(), Some("https://jiancha.hall:8730"));
        assert_eq!(merged.backend.ca_cert, Some(PathBuf::from("/etc/jiancha/tls/ca.crt")));
        // The user's own CA wins; the installed address stays.
        std::fs::write(user.path().join(WORKSTATION_FILE), "[backend]\nca_cert = \"/home/u/ca.crt\"\n").unwrap();
        let merged = Workstation::load_from(system.path(), user.path()).unwrap();
        assert_eq!(merged.backend.url.as_deref(), Some("https://jiancha.hall:8730"));
        assert_eq!(merged.backend.ca_cert, Some(PathBuf::from("/home/u/ca.crt")));
        // An own empty address chooses the local database.
        std::fs::write(user.path().join(WORKSTATION_FILE), "[backend]\nurl = \"\"\n").unwrap();
        assert_eq!(Workstation::load_from(system.path(), user.path()).unwrap().backend.url.as_deref(), Some(""));
        // A bad installed file is named.
        std::fs::write(system.path().join(WORKSTATION_FILE), "[backend]\nurl = \"ftp://x\"\n").unwrap();
        let err = Workstation::load_from(system.path(), user.path()).unwrap_err().to_string();
        assert!(
            err.contains(&system.path().join(WORKSTATION_FILE).display().to_string()) && err.contains("backend.url"),
            "{err}"
        );
    }

    #[test]
    fn the_installed_rules_stand_between_the_data_directorys_and_the_built_in_ones() {
        let system = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        let built_in = Settings::load_from(system.path(), data.path()).unwrap();
        assert_eq!(built_in, Settings::parse("built in", DEFAULT_RULES).unwrap());
        std::fs::write(system.path().join(RULES_FILE), "[alerts]\nlate_entry_hours = 5\n").unwrap();
        assert_eq!(Settings::load_from(system.path(), data.path()).unwrap().alerts.late_entry_hours, 5);
        std::fs::write(data.path().join(RULES_FILE), "[alerts]\nlate_entry_hours = 7\n").unwrap();
        assert_eq!(Settings::load_from(system.path(), data.path()).unwrap().alerts.late_entry_hours, 7);
    }

    #[test]
    fn the_server_file_names_its_keys_and_flags_override_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:8730\"\nhost_names = [\"jiancha.hall\"]\n").unwrap();
        let file = ServerFile::load(&path).unwrap();
        assert_eq!(file.listen, Some("0.0.0.0:8730".parse().unwrap()));
        let flags = ServerFile { listen: Some("127.0.0.1:9000".parse().unwrap()), ..Default::default() };
        let both = file.overridden_by(flags);
        assert_eq!(both.listen, Some("127.0.0.1:9000".parse().unwrap()));
        assert_eq!(both.host_names, vec!["jiancha.hall".to_string()]);
        for (text, key) in [
            ("listen = \"not an address\"\n", "listen"),
            ("tls_cert = \"/x.crt\"\n", "tls_cert"),
            ("forward = \"https://city\"\n", "forward"),
            ("forward = \"city\"\nforward_user = \"u\"\n", "forward"),
            ("\nport = 1\n", "port"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = ServerFile::load(&path).unwrap_err().to_string();
            assert!(err.starts_with(&path.display().to_string()) && err.contains(key), "{text:?}: {err}");
        }
    }
}

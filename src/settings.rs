//! Settings from `rules.toml` (defaults shipped in `data/rules.toml`, overridden by
//! `<data-dir>/rules.toml`) and the holiday data of the data directory.
//!
//! Every key is checked at load; an unknown key or a bad value is an error naming the file and the key.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::alerts::{AlertSettings, RuleBook};
use crate::domain::calendar::{Calendar, LocalOverride};

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

impl Settings {
    /// Parses a rules file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, SettingsError> {
        let settings: Settings = toml::from_str(text).map_err(|e| SettingsError::Invalid {
            file: file.to_owned(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
        if let Err((key, message)) = settings.alerts.validate() {
            return Err(SettingsError::Invalid { file: file.to_owned(), message: format!("{key}: {message}") });
        }
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

    /// The settings of a data directory: its `rules.toml` if there is one, else the defaults.
    pub fn load(data_dir: &Path) -> Result<Self, SettingsError> {
        let path = data_dir.join(RULES_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&path.display().to_string(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Self::parse("data/rules.toml (built in)", DEFAULT_RULES)
            }
            Err(source) => Err(SettingsError::Io { path, source }),
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
    Ok(RuleBook { calendar, settings: settings.alerts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse() {
        assert_eq!(Settings::parse("default", DEFAULT_RULES).unwrap(), Settings::default());
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
        let err = Settings::parse("rules.toml", "[alerts]\nlate_entry_hours = \"soon\"\n").unwrap_err().to_string();
        assert!(err.contains("late_entry_hours"), "{err}");
        let twice = "[calendar]\noverrides = [{ date = \"2026-12-01\", working = false, note = \"a\" }, { date = \"2026-12-01\", working = true, note = \"b\" }]\n";
        let err = Settings::parse("rules.toml", twice).unwrap_err().to_string();
        assert!(err.contains("calendar.overrides[1].date"), "{err}");
    }
}

//! What panels ask for. Panels push commands; `JianchaApp::apply` carries them out once per frame, in
//! one place, so no panel changes shared state behind another's back. The console's own commands are
//! here; each area's are in its `logic.rs`, and its panels send them with `context::Sender` (`push` for
//! the area's own, `console` for these).

use super::i18n::Lang;
use super::nav::Area;
use super::theme::AlertPalette;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Log in with the login form's user name and password.
    Login,
    Logout,
    Navigate(Area),
    SetLang(Lang),
    SetPalette(AlertPalette),
    RefreshOverview,
    /// Save the settings area's server address (workstation.toml) and reopen with it: logs out.
    SaveBackend,
    DismissNotice,
    SetSoundOnRed(bool),
    /// The years missing from the calendar changed (系统管理 → 工作日历): the warning to show.
    CalendarWarning(Option<String>),
    /// Read the hall's directory again (cameras, windows, staff changed).
    ReloadDirectory,
    /// Read the workstation's printers (once; the print pickers show them).
    LoadPrinters,
    /// The printer the console prints to (`None`: the system's default).
    SetPrinter(Option<String>),
    /// Go on without a Chinese font (English interface).
    ContinueWithoutFont,
    /// First start: which way in.
    FirstStartChoose(super::nav::FirstStartChoice),
    /// First start: create the demo hall here and open it.
    OpenDemo,
    /// First start: set up this hall with the form's administrator and hall, then open 系统管理.
    SetUpHall,
    /// Replace a reset password with the login form's new one.
    ChangeOwnPassword,
    /// Something one area asks another to open (`open.rs`): the console routes it.
    Open(super::open::Open),
    /// The hall filter (大厅筛选, a click into a hall of the city's overview): the console shows these
    /// halls only (empty: all of the account's); every area loads again with it.
    SetView(Vec<String>),
}

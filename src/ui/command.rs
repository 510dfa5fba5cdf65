//! What panels ask for. Panels push commands; `JianchaApp::apply` carries them out once per frame, in
//! one place, so no panel changes shared state behind another's back. The console's own commands are
//! here; each area's are in its `logic.rs` and arrive as `Command::Area` (`areas.rs`), so that a panel
//! writes `commands.push(FootageCommand::PlayerPlay.into())`.

use super::areas::AreaCommand;
use super::i18n::Lang;
use super::state::Area;
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
    /// Go on without a Chinese font (English interface).
    ContinueWithoutFont,
    /// First start: which way in.
    FirstStartChoose(super::state::FirstStartChoice),
    /// First start: create the demo hall here and open it.
    OpenDemo,
    /// First start: set up this hall with the form's administrator and hall, then open 系统管理.
    SetUpHall,
    /// Replace a reset password with the login form's new one.
    ChangeOwnPassword,
    /// A command of one area.
    Area(AreaCommand),
    /// Something one area asks another to open (`open.rs`): the console routes it.
    Open(super::open::Open),
}

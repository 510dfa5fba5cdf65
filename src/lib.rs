//! Jiancha 监察台: the console of a government service hall's electronic-supervision monitoring room.
//!
//! See `ARCHITECTURE.md` for the module map and the rules about who may touch what.

pub mod cli;
pub mod clock;
pub mod demo;
pub mod domain;
pub mod files;
pub mod fonts;
pub mod interchange;
pub mod notify;
pub mod onvif;
pub mod report;
pub mod server;
pub mod settings;
pub mod store;
pub mod ui;
pub mod video;

/// The program's version (Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The commit it was built from (`build.rs`: git, or `JIANCHA_COMMIT` for a build from a source archive).
pub const COMMIT: &str = env!("JIANCHA_COMMIT");
/// `jiancha --version`: the version and the commit.
pub const VERSION_LINE: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("JIANCHA_COMMIT"), ")");

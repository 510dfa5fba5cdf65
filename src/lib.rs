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
pub mod onvif;
pub mod report;
pub mod server;
pub mod settings;
pub mod store;
pub mod ui;
pub mod video;

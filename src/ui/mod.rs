//! The console (eframe). `app.rs` holds the console's own logic and routes the rest to the areas (one
//! folder each, registered in `areas.rs`); panels draw; the store is reached only through the data
//! worker thread (`worker.rs`), never from the UI thread.

pub mod admin;
pub mod alerts;
mod app;
pub mod areas;
pub mod assessment;
pub mod attendance;
pub mod audit;
pub mod command;
pub mod context;
mod dialog;
pub mod evaluator;
mod first_start;
pub mod fonts;
pub mod footage;
pub mod i18n;
mod login;
pub mod nav;
pub mod open;
pub mod overview;
pub mod picture;
mod routing;
pub mod settings;
mod shell;
mod sound;
pub mod state;
pub mod supervision;
pub mod theme;
pub mod video;
pub mod wall;
mod widgets;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;

pub use app::JianchaApp;

use crate::clock::{Clock, SystemClock};

/// How to find the Chinese font.
#[derive(Debug, Clone)]
pub enum FontChoice {
    /// Look among the system fonts.
    Search,
    /// Use this one (tests load it once).
    Given(fonts::CjkFont),
    /// Behave as if none were installed (tests of the no-font screen).
    Missing,
}

/// How the console starts.
#[derive(Clone)]
pub struct Options {
    pub data_dir: PathBuf,
    /// Open the demo hall: create it when the directory holds no database (`jiancha --demo`).
    /// Otherwise an empty directory shows the first-start screen.
    pub demo: bool,
    /// Pre-fills the login; with `JIANCHA_PASSWORD` set, logs in by itself.
    pub user: Option<String>,
    pub clock: Arc<dyn Clock>,
    pub font: FontChoice,
    /// Forces the interface language (otherwise the saved preference, or Chinese).
    pub lang: Option<i18n::Lang>,
    /// Serve the demo's simulated cameras when the cameras point at them (off in tests).
    pub start_simulator: bool,
    /// Work against this server instead of the data directory's database.
    pub backend: Option<crate::store::remote::Connection>,
}

impl Options {
    pub fn from_cli(
        data_dir: Option<PathBuf>,
        user: Option<String>,
        backend: Option<crate::store::remote::Connection>,
        demo: bool,
    ) -> Self {
        Self {
            data_dir: data_dir.unwrap_or_else(crate::settings::default_data_dir),
            demo,
            user,
            clock: Arc::new(SystemClock),
            font: FontChoice::Search,
            lang: None,
            start_simulator: std::env::var_os("JIANCHA_NO_SIM").is_none(),
            backend,
        }
    }
}

/// Opens the console window and runs until it is closed.
pub fn run(options: Options) -> anyhow::Result<()> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("监察台 Jiancha")
            .with_app_id("cn.jiancha.Jiancha")
            .with_inner_size([1600.0, 900.0])
            .with_min_inner_size([1024.0, 640.0])
            .with_icon(std::sync::Arc::new(picture::window_icon().unwrap_or_default())),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "jiancha",
        native,
        Box::new(move |cc| Ok(Box::new(JianchaApp::new(cc, options)?) as Box<dyn eframe::App>)),
    )
    .map_err(|e| anyhow::anyhow!("the console window could not start: {e}"))
}

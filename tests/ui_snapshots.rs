//! Image snapshots of the console's main areas on the demo hall at a fixed clock, rendered with wgpu
//! on the machine's CPU adapter (Mesa's lavapipe, installed by packaging/setup.sh) and compared with
//! `tests/snapshots/*.png`. A change that moves pixels fails here; when it is meant, look at the
//! `.new.png` and `.diff.png` beside the snapshot and run `UPDATE_SNAPSHOTS=1 cargo test --test
//! suite ui_snapshots::` to take it.
//!
//! The hall lives at a fixed path, because the status bar names the database.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use jiancha::clock::FixedClock;
use jiancha::ui::fonts;
use jiancha::ui::i18n::Lang;
use jiancha::ui::state::{Area, Screen};
use jiancha::ui::{FontChoice, JianchaApp, Options};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T10:30:00+08:00").unwrap().with_timezone(&Utc)
}

/// Steps frames until `done` holds and the data worker is idle.
fn step_until(harness: &mut Harness<'static, JianchaApp>, what: &str, done: impl Fn(&JianchaApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        harness.step();
        if done(harness.state()) && !harness.state().is_busy() {
            // A few more frames: layouts that measure themselves settle.
            for _ in 0..4 {
                harness.step();
            }
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Steps until a frame is drawn with the data worker idle (no spinner in the status bar: the periodic
/// refreshes run on real time), so that the snapshot shows the settled screen.
fn settle(harness: &mut Harness<'static, JianchaApp>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        harness.step();
        if !harness.state().is_busy() {
            return;
        }
        assert!(Instant::now() < deadline, "the data worker stays busy");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn snapshot(harness: &mut Harness<'static, JianchaApp>, results: &mut egui_kittest::SnapshotResults, name: &str) {
    settle(harness);
    results.add(harness.try_snapshot(name));
}

fn visit(harness: &mut Harness<'static, JianchaApp>, area: Area, loaded: impl Fn(&JianchaApp) -> bool) {
    let label = area.label(Lang::Zh);
    harness
        .get_all_by_label(label)
        .find(|n| n.accesskit_node().role() != Role::Label)
        .unwrap_or_else(|| panic!("no navigation entry {label}"))
        .click();
    step_until(harness, label, move |app| app.state().area == area && loaded(app));
}

#[test]
fn the_main_areas_look_as_they_did() {
    let dir = std::env::temp_dir().join("jiancha-ui-snapshots");
    let _ = std::fs::remove_dir_all(&dir);
    let clock = Arc::new(FixedClock::new(now()));
    crate::support::demo_hall::write_demo(&dir, 11, jiancha::clock::Clock::now(&*clock));
    let font = fonts::find_cjk_font().expect("a CJK font (packaging/setup.sh installs fonts-noto-cjk)");
    let cjk = font.clone();
    let options = Options {
        data_dir: dir.clone(),
        demo: false,
        user: None,
        clock,
        font: FontChoice::Given(font),
        lang: Some(Lang::Zh),
        start_simulator: false,
        backend: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 900.0))
        .with_context_setup(move |ctx| fonts::install(ctx, &cjk))
        .build_eframe(move |cc| JianchaApp::new(cc, options).unwrap());
    let mut results = egui_kittest::SnapshotResults::new();

    step_until(&mut harness, "the login screen", |app| app.state().screen == Screen::Login);
    snapshot(&mut harness, &mut results, "login");

    harness.get_by_label("用户名").focus();
    harness.step();
    harness.get_by_label("用户名").type_text("supervisor1");
    harness.get_by_label("密码").focus();
    harness.step();
    harness.get_by_label("密码").type_text(jiancha::demo::DEMO_PASSWORD);
    harness.step();
    harness.get_by_role_and_label(Role::Button, "登录").click();
    step_until(&mut harness, "the main screen", |app| {
        app.state().screen == Screen::Main && app.state().overview.is_some() && app.state().directory.is_some()
    });

    visit(&mut harness, Area::Overview, |app| app.state().overview.is_some());
    snapshot(&mut harness, &mut results, "overview");
    visit(&mut harness, Area::Alerts, |app| app.state().alerts.loaded && !app.state().alerts.visible.is_empty());
    snapshot(&mut harness, &mut results, "alerts");
    visit(&mut harness, Area::Attendance, |app| app.state().attendance.data.is_some());
    snapshot(&mut harness, &mut results, "attendance");
    visit(&mut harness, Area::Discipline, |app| app.state().supervision.data.is_some());
    snapshot(&mut harness, &mut results, "discipline");
    visit(&mut harness, Area::Violations, |app| app.state().supervision.data.is_some());
    snapshot(&mut harness, &mut results, "violations");
}

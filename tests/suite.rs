//! The integration tests, one binary: each file beside this one is a module of it. One binary links
//! once (27 separate ones each linked egui, wgpu and GStreamer: minutes of the CI run and gigabytes of
//! disk, on which a linker once died of a bus error). Run one file with `cargo test --test suite ui::`
//! (or one test by its name). The tests run in parallel across files as within one; a test that needs
//! a fixed path or port names its own.

mod alerts;
mod alerts_store;
mod api_contract;
mod assessment;
mod attendance;
mod calendar;
mod camera_alarms;
mod camera_watch;
mod cli;
mod demo;
mod discipline;
mod footage;
mod footage_cameras;
mod footage_holders;
mod fuzz;
mod gpu_video;
mod hall;
mod notify;
mod onvif;
mod operations;
mod pg;
mod relay;
mod remote;
mod remote_offline;
mod scope;
mod security;
mod store;
mod structure;
mod support;
mod ui;
mod ui_areas;
mod ui_snapshots;
mod video;

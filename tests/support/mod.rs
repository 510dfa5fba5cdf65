//! Helpers several test files share: one module each, compiled once into the suite.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

pub mod assessment_hall;
pub mod backend;
pub mod camera_hall;
pub mod cups;
pub mod demo_hall;
pub mod onvif_responder;
pub mod pg;

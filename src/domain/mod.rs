//! Pure types and rules of the supervision domain.
//!
//! Rules of this module: no I/O, no clock (`now` is always a parameter), no threads. Everything here is
//! deterministic so that it can be tested exhaustively and shared by the console, the CLI and the server.

pub mod access;
pub mod accountability;
pub mod alerts;
pub mod assessment;
pub mod attendance;
pub mod audit;
pub mod calendar;
pub mod discipline;
pub mod evaluator;
pub mod footage;
pub mod hall;
pub mod hundredths;
pub mod model;
pub mod notify;
pub mod time;
pub mod watch;

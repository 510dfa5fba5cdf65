//! The console's areas and how they join it.
//!
//! An area is a folder under `ui/`: `state.rs` (what it shows and the forms being typed), `logic.rs`
//! (its commands, how the app carries them out, and how its replies change the state), `jobs.rs` (what
//! the data worker does for it: store calls, files, PDFs) and its panels (`mod.rs` and the rest). It
//! implements `AreaLogic` and says how its command and job become the console's (`From`), and joins the
//! console with one line in `areas!` below: the command, job and reply enums and their routing are made
//! from that list. The app and the worker call the routing as methods on those enums; only this module
//! knows every area.

use super::app::JianchaApp;
use super::state::Area;
use super::worker::context::Worker;

/// One area's logic. The app routes the area's commands and replies here; the data worker its jobs.
pub trait AreaLogic {
    /// What its panels ask for.
    type Command;
    /// What the data worker does for it.
    type Job;
    /// What comes back from the worker.
    type Reply;
    /// Carries out a command (on the UI thread: state changes and jobs, never I/O).
    fn apply(app: &mut JianchaApp, ctx: &egui::Context, command: Self::Command);
    /// Takes a reply into the state.
    fn handle(app: &mut JianchaApp, reply: Self::Reply);
    /// Runs a job on the data worker's thread.
    fn run(worker: &mut Worker, job: Self::Job) -> Self::Reply;
    /// Work of every frame (timers, a player's picture); most areas have none.
    fn frame(_app: &mut JianchaApp, _ctx: &egui::Context) {}
    /// The supervisor went to `area` (load what it shows the first time).
    fn navigated(_app: &mut JianchaApp, _area: Area) {}
    /// Whether a reply says the server cannot be reached (the console then shows itself offline).
    fn is_offline(_reply: &Self::Reply) -> bool {
        false
    }
}

macro_rules! areas {
    ($( $Variant:ident => $logic:ty ),* $(,)?) => {
        /// A command of one area (`Command::Area`).
        #[derive(Debug, Clone, PartialEq)]
        pub enum AreaCommand {
            $( $Variant(<$logic as AreaLogic>::Command), )*
        }

        /// A job of one area (`Job::Area`).
        pub enum AreaJob {
            $( $Variant(<$logic as AreaLogic>::Job), )*
        }

        /// A reply to one area (`Reply::Area`).
        pub enum AreaReply {
            $( $Variant(<$logic as AreaLogic>::Reply), )*
        }

        impl AreaCommand {
            /// Carries the command out in its area.
            pub(super) fn apply(self, app: &mut JianchaApp, ctx: &egui::Context) {
                match self {
                    $( AreaCommand::$Variant(c) => <$logic as AreaLogic>::apply(app, ctx, c), )*
                }
            }
        }

        impl AreaReply {
            /// Takes the reply into its area's state.
            pub(super) fn handle(self, app: &mut JianchaApp) {
                match self {
                    $( AreaReply::$Variant(r) => <$logic as AreaLogic>::handle(app, r), )*
                }
            }

            /// Whether the reply says the server cannot be reached.
            pub(super) fn is_offline(&self) -> bool {
                match self {
                    $( AreaReply::$Variant(r) => <$logic as AreaLogic>::is_offline(r), )*
                }
            }
        }

        impl AreaJob {
            /// Runs the job in its area (data worker thread).
            pub(super) fn run(self, worker: &mut Worker) -> AreaReply {
                match self {
                    $( AreaJob::$Variant(j) => AreaReply::$Variant(<$logic as AreaLogic>::run(worker, j)), )*
                }
            }
        }

        impl JianchaApp {
            /// Every area's work of a frame.
            pub(super) fn areas_frame(&mut self, ctx: &egui::Context) {
                $( <$logic as AreaLogic>::frame(self, ctx); )*
            }

            /// Tells every area where the supervisor went.
            pub(super) fn areas_navigated(&mut self, area: Area) {
                $( <$logic as AreaLogic>::navigated(self, area); )*
            }
        }
    };
}

areas! {
    Alerts => super::alerts::AlertsArea,
    Wall => super::wall::WallArea,
    Attendance => super::attendance::AttendanceArea,
    Evaluator => super::evaluator::EvaluatorArea,
    Footage => super::footage::FootageArea,
    Supervision => super::supervision::SupervisionArea,
    Audit => super::audit::AuditArea,
    Assessment => super::assessment::AssessmentArea,
    Admin => super::admin::AdminArea,
}

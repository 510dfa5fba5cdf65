//! The console's areas: the one list of them.
//!
//! An area is a folder under `ui/`: `state.rs` (what it shows and the forms being typed), `logic.rs`
//! (its commands, how they are carried out, and how its replies change the state), `jobs.rs` (what
//! the data worker does for it: store calls, files, PDFs) and its panels (`mod.rs` and the rest). It
//! implements `context::AreaLogic` on an `AreaCtx` (its own state, what every area may read, an
//! outbox) and names nothing of the console but `context`, `command`, `open` and the shared widgets;
//! it joins the console with one line in `each_area!` below. The command, job and reply enums and the
//! runtimes are made here from that list; the app (`app.rs`) makes its routing from the same list.

use super::command::Command;
use super::context::{AreaLogic, AreaRuntime, Msg, RuntimeStart};
use super::worker::context::Worker;

/// Calls macro `$then` with the list of areas: `Variant(field of the state and the runtimes) => logic`.
macro_rules! each_area {
    ($then:ident) => {
        $then! {
            Alerts(alerts) => crate::ui::alerts::AlertsArea,
            Wall(wall) => crate::ui::wall::WallArea,
            Attendance(attendance) => crate::ui::attendance::AttendanceArea,
            Evaluator(evaluator) => crate::ui::evaluator::EvaluatorArea,
            Footage(footage) => crate::ui::footage::FootageArea,
            Supervision(supervision) => crate::ui::supervision::SupervisionArea,
            Audit(audit) => crate::ui::audit::AuditArea,
            Assessment(assessment) => crate::ui::assessment::AssessmentArea,
            Admin(admin) => crate::ui::admin::AdminArea,
        }
    };
}
pub(super) use each_area;

/// What the app's queue holds: a command of the console, or of one area.
#[derive(Debug, Clone, PartialEq)]
pub enum AppCommand {
    Console(Command),
    Area(AreaCommand),
}

impl From<Command> for AppCommand {
    fn from(command: Command) -> Self {
        AppCommand::Console(command)
    }
}

/// An area's messages into the app's queue, in order.
pub(super) fn queue<C>(msgs: Vec<Msg<C>>, wrap: impl Fn(C) -> AreaCommand, queue: &mut Vec<AppCommand>) {
    queue.extend(msgs.into_iter().map(|m| match m {
        Msg::Area(c) => AppCommand::Area(wrap(c)),
        Msg::Console(c) => AppCommand::Console(c),
    }));
}

macro_rules! area_types {
    ($( $Variant:ident($field:ident) => $logic:ty ),* $(,)?) => {
        /// A command of one area.
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

        $(
            impl From<<$logic as AreaLogic>::Command> for AppCommand {
                fn from(command: <$logic as AreaLogic>::Command) -> Self {
                    AppCommand::Area(AreaCommand::$Variant(command))
                }
            }
        )*

        /// Every area's runtime (held by the app, beside the state).
        pub struct AreaRuntimes {
            $( pub(super) $field: <$logic as AreaLogic>::Runtime, )*
        }

        impl AreaRuntimes {
            pub(super) fn start(start: &RuntimeStart<'_>) -> Self {
                Self { $( $field: AreaRuntime::start(start), )* }
            }
        }

        impl AreaReply {
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
    };
}

each_area!(area_types);

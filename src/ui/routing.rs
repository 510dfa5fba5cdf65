//! How the app reaches its areas: each area's command, reply, frame and navigation is carried out on
//! a context made from the console's state (`context::AreaCtx`), and what the area sent comes back into
//! the app's queue and the data worker. Made from the list in `areas.rs`.

use super::app::JianchaApp;
use super::areas::{AreaCommand, AreaJob, AreaReply, each_area, queue};
use super::context::{AreaCtx, AreaLogic, Outbox, shared};
use super::state::Area;
use super::worker::Job;

/// Calls `$body` with the context of area `$Variant` (field `$field`, logic `$logic`) of `$app`, then
/// carries out its outbox.
macro_rules! with_area {
    ($app:expr, $Variant:ident, $field:ident, $logic:ty, |$cx:ident| $body:expr) => {{
        let app: &mut JianchaApp = $app;
        let mut out = Outbox::<<$logic as AreaLogic>::Job, <$logic as AreaLogic>::Command>::default();
        let (now, monotonic) = (app.clock.now(), app.clock.monotonic());
        {
            let state = &mut app.state;
            let mut $cx = AreaCtx::<$logic> {
                shared: &shared!(state, now, monotonic),
                view: &mut state.$field,
                runtime: &mut app.runtimes.$field,
                out: &mut out,
                egui: &app.egui_ctx,
            };
            $body;
        }
        let Outbox { jobs, mut commands, notice, session_expired } = out;
        for job in jobs {
            app.submit(Job::Area(AreaJob::$Variant(job)));
        }
        queue(commands.take(), AreaCommand::$Variant, &mut app.commands);
        if let Some(notice) = notice {
            app.state.notice = Some(notice);
        }
        if session_expired {
            app.session_expired();
        }
    }};
}

macro_rules! routing {
    ($( $Variant:ident($field:ident) => $logic:ty ),* $(,)?) => {
        impl JianchaApp {
            /// Carries an area's command out in its area.
            pub(super) fn apply_area(&mut self, command: AreaCommand) {
                match command {
                    $( AreaCommand::$Variant(c) => {
                        with_area!(self, $Variant, $field, $logic, |cx| <$logic as AreaLogic>::apply(&mut cx, c))
                    } )*
                }
            }

            /// Takes a reply into its area's state.
            pub(super) fn handle_area(&mut self, reply: AreaReply) {
                match reply {
                    $( AreaReply::$Variant(r) => {
                        with_area!(self, $Variant, $field, $logic, |cx| <$logic as AreaLogic>::handle(&mut cx, r))
                    } )*
                }
            }

            /// Every area's work of a frame.
            pub(super) fn areas_frame(&mut self) {
                $( with_area!(self, $Variant, $field, $logic, |cx| <$logic as AreaLogic>::frame(&mut cx)); )*
            }

            /// Tells every area where the supervisor went.
            pub(super) fn areas_navigated(&mut self, area: Area) {
                $( with_area!(self, $Variant, $field, $logic, |cx| <$logic as AreaLogic>::navigated(&mut cx, area)); )*
            }
        }
    };
}

each_area!(routing);

//! What an area gets (rerun's `ViewerContext` + `CommandSender`): its own state, what every area may read
//! (`Shared`: who is logged in, the language, the look, the hall's calendar, directory and overview, the
//! printers, the time), and an `Outbox` for what it sends out (jobs for the data worker, commands for the
//! console such as `Open(item)` and `Navigate`, the banner). An area never sees the app or another
//! area's state; the app builds the context, calls the area, then carries out what the outbox holds.

use chrono::{DateTime, Utc};

use crate::store::{HallDirectory, Overview, Session, StoreError};

use super::command::Command;
use super::i18n::Lang;
use super::nav::{Area, NoticeLevel};
use super::theme::Tokens;
use super::worker::context::{JobError, Opened, Worker};

/// One area's logic. The app routes the area's commands and replies here; the data worker its jobs.
/// An area joins the console with one line in `areas.rs`.
pub trait AreaLogic {
    /// What its panels show (a field of the console's state).
    type State;
    /// What it runs besides its state (players, decoders); `()` for most.
    type Runtime: AreaRuntime;
    /// What its panels ask for.
    type Command;
    /// What the data worker does for it.
    type Job;
    /// What comes back from the worker.
    type Reply;
    /// Carries out a command (on the UI thread: state changes and jobs, never I/O).
    fn apply(cx: &mut AreaCtx<'_, Self>, command: Self::Command);
    /// Takes a reply into the state.
    fn handle(cx: &mut AreaCtx<'_, Self>, reply: Self::Reply);
    /// Runs a job on the data worker's thread.
    fn run(worker: &mut Worker, job: Self::Job) -> Self::Reply;
    /// Work of every frame (timers, a player's picture); most areas have none.
    fn frame(_cx: &mut AreaCtx<'_, Self>) {}
    /// The supervisor went to `area` (load what it shows the first time).
    fn navigated(_cx: &mut AreaCtx<'_, Self>, _area: Area) {}
    /// Whether a reply says the server cannot be reached (the console then shows itself offline).
    fn is_offline(_reply: &Self::Reply) -> bool {
        false
    }
}

/// What an area's runtime is made from when the console starts.
pub struct RuntimeStart<'a> {
    pub egui: &'a egui::Context,
    /// eframe's GL context (none under another renderer).
    pub gl: Option<std::sync::Arc<glow::Context>>,
    /// The console's clock (players pace their pictures by it).
    pub clock: std::sync::Arc<dyn crate::clock::Clock>,
}

/// An area's runtime, made once when the console starts.
pub trait AreaRuntime {
    fn start(start: &RuntimeStart<'_>) -> Self;
}

impl AreaRuntime for () {
    fn start(_start: &RuntimeStart<'_>) -> Self {}
}

/// What every area may read, borrowed from the console's state for one call or one frame.
#[derive(Clone, Copy)]
pub struct Shared<'a> {
    pub lang: Lang,
    pub tokens: Tokens,
    pub session: Option<&'a Session>,
    /// The data opened: its calendar, attendance settings and backend.
    pub opened: Option<&'a Opened>,
    pub directory: Option<&'a HallDirectory>,
    pub overview: Option<&'a Overview>,
    /// The workstation's printers, once read (`Open::Printers` reads them).
    pub printers: Option<&'a [String]>,
    /// The printer chosen (`None`: the system's default).
    pub printer: Option<&'a str>,
    /// The area on screen.
    pub area: Area,
    /// Whether the main screen (not the login or the first start) is showing.
    pub on_main_screen: bool,
    /// Play a sound when a new red alert appears (设置).
    pub sound_on_red: bool,
    pub now: DateTime<Utc>,
    /// The console clock's monotonic reading for this call (timers and refresh intervals).
    pub monotonic: std::time::Instant,
}

impl Shared<'_> {
    /// The shared part of a console that has opened nothing yet: tests render a panel with it.
    pub fn empty(lang: Lang, now: DateTime<Utc>, monotonic: std::time::Instant) -> Shared<'static> {
        Shared {
            lang,
            tokens: Tokens::new(Default::default()),
            session: None,
            opened: None,
            directory: None,
            overview: None,
            printers: None,
            printer: None,
            area: Area::Overview,
            on_main_screen: true,
            sound_on_red: false,
            now,
            monotonic,
        }
    }

    /// The opened calendar, if any.
    pub fn calendar(&self) -> Option<&crate::domain::calendar::Calendar> {
        self.opened.map(|o| &o.calendar)
    }

    /// Whether the day of `at` is a working day by the opened calendar (unknown: assume it is).
    pub fn is_working_day(&self, at: DateTime<Utc>) -> bool {
        self.opened.is_none_or(|o| o.calendar.is_working_day(crate::domain::time::local_date(at)))
    }

    /// Whether the logged-in user may do `permission`.
    pub fn allows(&self, permission: crate::domain::access::Permission) -> bool {
        self.session.is_some_and(|s| s.role.allows(permission))
    }

    /// The session, owned (jobs carry it to the worker).
    pub fn session(&self) -> Option<Session> {
        self.session.cloned()
    }
}

/// Builds `Shared` from an `AppState` expression's fields, so that the borrow checker sees which
/// fields it reads (an area's own state can then be borrowed mutably beside it).
macro_rules! shared {
    ($state:expr, $now:expr, $monotonic:expr) => {
        $crate::ui::context::Shared {
            lang: $state.lang,
            tokens: $state.tokens,
            session: $state.session.as_ref(),
            opened: $state.opened.as_ref(),
            directory: $state.directory.as_ref(),
            overview: $state.overview.as_ref(),
            printers: $state.printers.as_deref(),
            printer: $state.printer.as_deref(),
            area: $state.area,
            on_main_screen: $state.screen.is_main(),
            sound_on_red: $state.sound_on_red,
            now: $now,
            monotonic: $monotonic,
        }
    };
}
pub(crate) use shared;

/// What a panel or an area's logic asks for: a command of its own area, or one of the console's
/// (`Navigate`, `Open(item)`, the banner, the printer).
#[derive(Debug, Clone, PartialEq)]
pub enum Msg<C> {
    Area(C),
    Console(Command),
}

/// Where an area's panels put what they ask for, in order.
#[derive(Debug)]
pub struct Sender<C> {
    msgs: Vec<Msg<C>>,
}

impl<C> Default for Sender<C> {
    fn default() -> Self {
        Self { msgs: Vec::new() }
    }
}

impl<C> Sender<C> {
    /// A command of the area.
    pub fn push(&mut self, command: C) {
        self.msgs.push(Msg::Area(command));
    }

    /// A command of the console.
    pub fn console(&mut self, command: Command) {
        self.msgs.push(Msg::Console(command));
    }

    /// Asks the console to open `item` in the area that owns it.
    pub fn open(&mut self, item: super::open::Open) {
        self.console(Command::Open(item));
    }

    /// What was asked for, in order.
    pub fn take(&mut self) -> Vec<Msg<C>> {
        std::mem::take(&mut self.msgs)
    }

    pub fn is_empty(&self) -> bool {
        self.msgs.is_empty()
    }
}

/// What an area sends out during one call; the app carries it out afterwards.
pub struct Outbox<J, C> {
    pub jobs: Vec<J>,
    pub commands: Sender<C>,
    pub notice: Option<(NoticeLevel, String)>,
    pub session_expired: bool,
}

impl<J, C> Default for Outbox<J, C> {
    fn default() -> Self {
        Self { jobs: Vec::new(), commands: Sender::default(), notice: None, session_expired: false }
    }
}

impl<J, C> Outbox<J, C> {
    /// Hands a job of the area to the data worker.
    pub fn submit(&mut self, job: J) {
        self.jobs.push(job);
    }

    /// Sends a command of the area (carried out after this one).
    pub fn send(&mut self, command: C) {
        self.commands.push(command);
    }

    /// Sends a command to the console (`Open`, `Navigate`, a reload).
    pub fn console(&mut self, command: Command) {
        self.commands.console(command);
    }

    /// Shows `text` in the banner over the areas.
    pub fn notify(&mut self, level: NoticeLevel, text: impl Into<String>) {
        self.notice = Some((level, text.into()));
    }

    /// The text of a store error; a lost session sends the console back to the login screen.
    pub fn store_error(&mut self, error: &StoreError) -> String {
        if matches!(error, StoreError::SessionExpired) {
            self.session_expired = true;
        }
        error.to_string()
    }

    /// The text of a job's error; a lost session sends the console back to the login screen.
    pub fn job_error(&mut self, error: &JobError) -> String {
        match error {
            JobError::Store(e) => self.store_error(e),
            JobError::Local(m) => m.clone(),
        }
    }
}

/// One area's context for one call: its state and its runtime (players, decoders), what it may read,
/// and where it sends things.
pub struct AreaCtx<'a, A: AreaLogic + ?Sized> {
    pub view: &'a mut A::State,
    pub runtime: &'a mut A::Runtime,
    /// Read only: a change to what every area reads is a console command.
    pub shared: &'a Shared<'a>,
    pub out: &'a mut Outbox<A::Job, A::Command>,
    pub egui: &'a egui::Context,
}

/// What an area's panels draw from: the area's own state (its forms are edited in place) and what
/// every area may read. A panel can be rendered from these alone (`tests/ui_areas.rs` does).
pub struct Panel<'a, S> {
    pub view: &'a mut S,
    pub shared: Shared<'a>,
}

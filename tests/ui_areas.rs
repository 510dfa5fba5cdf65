//! Every area's panel rendered from its own state alone (issue 30: areas that stand alone).
//!
//! The state of each area is loaded the way the console loads it — the area's `navigated` sends its
//! commands, its `apply` turns them into jobs, the data worker runs them on the demo hall, its `handle`
//! takes the replies in — but without the app: no `JianchaApp`, no `AppState` (but for 设置, which is the
//! console's own). Then the panel alone is drawn by kittest from that state and what every area reads
//! (`Shared`), and compared with `tests/snapshots/area-*.png` (wgpu on the CPU adapter, as
//! `ui_snapshots.rs`). `UPDATE_SNAPSHOTS=1 cargo test --test suite ui_areas::` takes new ones when a change is
//! meant.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use egui_kittest::Harness;
use jiancha::clock::FixedClock;
use jiancha::store::{HallDirectory, Overview, Session};
use jiancha::ui::areas::{AreaJob, AreaReply};
use jiancha::ui::context::{AreaCtx, AreaLogic, AreaRuntime, Msg, Outbox, Panel, RuntimeStart, Sender, Shared};
use jiancha::ui::fonts;
use jiancha::ui::i18n::Lang;
use jiancha::ui::nav::Area;
use jiancha::ui::worker::{DataWorker, Job, Opened, Reply};

/// How long one job of the data worker may take here.
const JOB_DEADLINE: Duration = Duration::from_secs(60);

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T10:30:00+08:00").unwrap().with_timezone(&Utc)
}

/// The demo hall opened by a data worker of its own, and the console-wide data every area reads.
struct Hall {
    worker: DataWorker,
    egui: egui::Context,
    opened: Opened,
    font: fonts::CjkFont,
}

impl Hall {
    fn open() -> Hall {
        // A fixed path, as ui_snapshots.rs: panels may name the data directory.
        let dir = std::env::temp_dir().join("jiancha-ui-areas");
        let _ = std::fs::remove_dir_all(&dir);
        let clock = Arc::new(FixedClock::new(now()));
        crate::support::demo_hall::write_demo(&dir, 11, jiancha::clock::Clock::now(&*clock));
        let egui = egui::Context::default();
        let mut worker = DataWorker::spawn(egui.clone(), clock).unwrap();
        worker.submit(Job::Open {
            data_dir: dir,
            create_demo_if_missing: false,
            start_simulator: false,
            backend: None,
        });
        let opened = match worker.recv_timeout(JOB_DEADLINE) {
            Some(Reply::Opened(Ok(opened))) => *opened,
            Some(Reply::Opened(Err(e))) => panic!("the demo hall did not open: {e}"),
            _ => panic!("no answer to opening the demo hall"),
        };
        let font = fonts::find_cjk_font().expect("a CJK font (packaging/setup.sh installs fonts-noto-cjk)");
        Hall { worker, egui, opened, font }
    }

    fn ask(&mut self, job: Job) -> Reply {
        assert!(self.worker.submit(job), "the data worker took the job");
        self.worker.recv_timeout(JOB_DEADLINE).expect("the data worker answered in time")
    }

    /// Logs `user` in, with the directory and the overview its console would read.
    fn login(&mut self, user: &str) -> Who {
        let session =
            match self.ask(Job::Login { username: user.into(), password: jiancha::demo::DEMO_PASSWORD.into() }) {
                Reply::LoggedIn(Ok(s)) => s,
                _ => panic!("{user} did not log in"),
            };
        let directory = match self.ask(Job::Directory(session.clone())) {
            Reply::Directory(Ok(d)) => d,
            _ => panic!("no directory for {user}"),
        };
        let overview = match self.ask(Job::Overview(session.clone())) {
            Reply::Overview(Ok(o)) => o,
            _ => panic!("no overview for {user}"),
        };
        Who { session, directory, overview }
    }

    fn shared<'a>(&'a self, who: &'a Who, area: Area) -> Shared<'a> {
        Shared {
            session: Some(&who.session),
            opened: Some(&self.opened),
            directory: Some(&who.directory),
            overview: Some(&who.overview),
            area,
            ..Shared::empty(Lang::Zh, now(), std::time::Instant::now())
        }
    }

    /// Loads area `A`'s state as the console does on navigating to `area`: its commands are carried
    /// out by its logic, its jobs run on the data worker, its replies taken in, until nothing is left.
    fn load<A: AreaLogic>(
        &mut self,
        who: &Who,
        area: Area,
        view: &mut A::State,
        wrap: fn(A::Job) -> AreaJob,
        unwrap: fn(AreaReply) -> Option<A::Reply>,
    ) -> usize {
        let mut runtime =
            A::Runtime::start(&RuntimeStart { egui: &self.egui, gl: None, clock: Arc::new(FixedClock::new(now())) });
        let mut out = Outbox::<A::Job, A::Command>::default();
        let mut replies = 0;
        let egui = self.egui.clone();
        let opened = self.opened.clone();
        let shared = Shared {
            session: Some(&who.session),
            opened: Some(&opened),
            directory: Some(&who.directory),
            overview: Some(&who.overview),
            area,
            ..Shared::empty(Lang::Zh, now(), std::time::Instant::now())
        };
        let mut cx = AreaCtx::<A> { view, runtime: &mut runtime, shared: &shared, out: &mut out, egui: &egui };
        A::navigated(&mut cx, area);
        // Bounded: an area that keeps asking fails here instead of looping.
        for _ in 0..20 {
            let commands = cx.out.commands.take();
            let jobs = std::mem::take(&mut cx.out.jobs);
            if commands.is_empty() && jobs.is_empty() {
                return replies;
            }
            for command in commands {
                // The console's own commands (the printers, a reload) are not this area's state.
                if let Msg::Area(c) = command {
                    A::apply(&mut cx, c);
                }
            }
            for job in jobs {
                match self.ask(Job::Area(wrap(job))) {
                    Reply::Area(reply) => {
                        A::handle(&mut cx, unwrap(reply).expect("the reply is the area's own"));
                        replies += 1;
                    }
                    _ => panic!("an area job answered with a console reply"),
                }
            }
        }
        panic!("the area kept sending commands and jobs");
    }

    /// A harness drawing `panel` alone on the look of the console.
    fn harness<'a, S: 'a>(&self, state: S, mut panel: impl FnMut(&mut egui::Ui, &mut S) + 'a) -> Harness<'a, S> {
        let cjk = self.font.clone();
        Harness::builder()
            .with_size(egui::vec2(1360.0, 820.0))
            .with_context_setup(move |ctx| {
                fonts::install(ctx, &cjk);
                jiancha::ui::theme::Tokens::new(Default::default()).apply(ctx);
            })
            .wgpu()
            .build_ui_state(
                move |ui, state| {
                    egui::Frame::new().inner_margin(12).show(ui, |ui| panel(ui, state));
                },
                state,
            )
    }
}

/// Who is looking: the session and what its console read when it logged in.
struct Who {
    session: Session,
    directory: HallDirectory,
    overview: Overview,
}

/// Draws an area's panel from its state, runs a few frames and compares the snapshot.
macro_rules! snap {
    ($hall:expr, $who:expr, $results:expr, $area:expr, $name:literal, $view:expr, |$ui:ident, $panel:ident, $sender:ident| $draw:expr) => {{
        let shared = $hall.shared($who, $area);
        let mut harness = $hall.harness($view, move |$ui, view| {
            let mut $sender = Sender::default();
            let $panel = &mut Panel { view, shared };
            $draw;
        });
        harness.run_steps(4);
        $results.add(harness.try_snapshot($name));
    }};
}

#[test]
fn every_areas_panel_is_drawn_from_its_own_state_alone() {
    use jiancha::ui::{admin, alerts, assessment, attendance, audit, evaluator, footage, supervision, wall};
    let mut hall = Hall::open();
    let supervisor = hall.login("supervisor1");
    let chief = hall.login("chief1");
    let auditor = hall.login("auditor1");
    let administrator = hall.login("admin1");
    let mut results = egui_kittest::SnapshotResults::new();
    let now = now();

    // 大厅概况 and 设置 are the console's own: drawn from what every area reads, and from a fresh state.
    {
        let shared = hall.shared(&supervisor, Area::Overview);
        let mut harness = hall.harness((), move |ui, ()| {
            jiancha::ui::overview::overview_ui(ui, &shared, &mut Vec::new());
        });
        harness.run_steps(4);
        results.add(harness.try_snapshot("area-overview"));
    }
    {
        let mut state = jiancha::ui::state::AppState::new(Lang::Zh, Default::default());
        state.opened = Some(hall.opened.clone());
        state.session = Some(supervisor.session.clone());
        let mut harness = hall.harness(state, |ui, state| {
            jiancha::ui::settings::settings_ui(ui, state, &mut Vec::new());
        });
        harness.run_steps(4);
        results.add(harness.try_snapshot("area-settings"));
    }

    // 视频墙: the hall's cameras in their slots (no decoder runs here: the tiles wait for a picture).
    let mut view = wall::state::WallView::default();
    view.layout.slots = supervisor.directory.cameras.iter().map(|c| Some(c.id)).collect();
    assert!(!view.layout.slots.is_empty(), "the demo hall has cameras");
    snap!(hall, &supervisor, results, Area::Wall, "area-wall", view, |ui, p, s| wall::wall_ui(ui, p, &mut s, now));

    let mut view = alerts::state::AlertsView::default();
    let n = hall.load::<alerts::AlertsArea>(&supervisor, Area::Alerts, &mut view, AreaJob::Alerts, |r| match r {
        AreaReply::Alerts(r) => Some(r),
        _ => None,
    });
    assert!(n > 0 && view.loaded && !view.rows.is_empty(), "the alert list loaded ({n} replies)");
    snap!(hall, &supervisor, results, Area::Alerts, "area-alerts", view, |ui, p, s| {
        alerts::area_ui(ui, p, &mut s, now)
    });

    let mut view = attendance::state::AttendanceView::default();
    hall.load::<attendance::AttendanceArea>(
        &supervisor,
        Area::Attendance,
        &mut view,
        AreaJob::Attendance,
        |r| match r {
            AreaReply::Attendance(r) => Some(r),
            _ => None,
        },
    );
    assert!(view.data.is_some(), "the period loaded: {:?}", view.error);
    snap!(hall, &supervisor, results, Area::Attendance, "area-attendance", view, |ui, p, s| {
        attendance::attendance_ui(ui, p, &mut s, now)
    });

    let mut view = evaluator::state::EvaluatorView::default();
    hall.load::<evaluator::EvaluatorArea>(&supervisor, Area::Evaluator, &mut view, AreaJob::Evaluator, |r| match r {
        AreaReply::Evaluator(r) => Some(r),
        _ => None,
    });
    assert!(view.check.is_some(), "the day's check loaded: {:?}", view.error);
    snap!(hall, &supervisor, results, Area::Evaluator, "area-evaluator", view, |ui, p, s| {
        evaluator::evaluator_ui(ui, p, &mut s, now)
    });

    let mut view = footage::state::FootageView::default();
    hall.load::<footage::FootageArea>(&supervisor, Area::Footage, &mut view, AreaJob::Footage, |r| match r {
        AreaReply::Footage(r) => Some(r),
        _ => None,
    });
    assert!(view.requests.is_some(), "the requests loaded");
    snap!(hall, &supervisor, results, Area::Footage, "area-footage", view, |ui, p, s| {
        footage::footage_ui(ui, p, &mut s, now)
    });

    // 纪律与提示单, 投诉, 违规与问责: one area, three panels.
    for (area, name) in [
        (Area::Discipline, "area-discipline"),
        (Area::Complaints, "area-complaints"),
        (Area::Violations, "area-violations"),
    ] {
        let mut view = supervision::state::SupervisionView::default();
        hall.load::<supervision::SupervisionArea>(&supervisor, area, &mut view, AreaJob::Supervision, |r| match r {
            AreaReply::Supervision(r) => Some(r),
            _ => None,
        });
        assert!(view.data.is_some(), "{name}: the week and the registers loaded: {:?}", view.error);
        let shared = hall.shared(&supervisor, area);
        let mut harness = hall.harness(view, move |ui, view| {
            let mut s = Sender::default();
            let p = &mut Panel { view, shared };
            match area {
                Area::Discipline => supervision::discipline::discipline_ui(ui, p, &mut s, now),
                Area::Complaints => supervision::complaints::complaints_ui(ui, p, &mut s, now),
                _ => supervision::violations::violations_ui(ui, p, &mut s, now),
            }
        });
        harness.run_steps(4);
        results.add(harness.try_snapshot(name));
    }

    let mut view = assessment::state::AssessmentState::default();
    hall.load::<assessment::AssessmentArea>(&chief, Area::Assessment, &mut view, AreaJob::Assessment, |r| match r {
        AreaReply::Assessment(r) => Some(r),
        _ => None,
    });
    assert!(view.view.is_some(), "last month's assessment loaded: {:?}", view.error);
    snap!(hall, &chief, results, Area::Assessment, "area-assessment", view, |ui, p, s| {
        assessment::assessment_ui(ui, p, &mut s, now)
    });

    let mut view = audit::state::AuditView::default();
    hall.load::<audit::AuditArea>(&auditor, Area::Audit, &mut view, AreaJob::Audit, |r| match r {
        AreaReply::Audit(r) => Some(r),
        _ => None,
    });
    assert!(view.loaded, "the audit log loaded");
    snap!(hall, &auditor, results, Area::Audit, "area-audit", view, |ui, p, s| audit::audit_ui(ui, p, &mut s));

    let mut view = admin::state::AdminView::default();
    hall.load::<admin::AdminArea>(&administrator, Area::Admin, &mut view, AreaJob::Admin, |r| match r {
        AreaReply::Admin(r) => Some(r),
        _ => None,
    });
    assert!(view.config.is_some(), "the hall's configuration loaded");
    snap!(hall, &administrator, results, Area::Admin, "area-admin", view, |ui, p, s| admin::admin_ui(ui, p, &mut s));
}

/// The thirteen areas of the navigation are the thirteen drawn above.
#[test]
fn the_snapshots_cover_every_area() {
    let names: Vec<String> = Area::ALL.iter().map(|a| format!("area-{}", format!("{a:?}").to_lowercase())).collect();
    let source = include_str!("ui_areas.rs");
    for name in &names {
        assert!(source.contains(&format!("\"{name}\"")), "no snapshot of {name}");
    }
    assert_eq!(names.len(), 13);
}

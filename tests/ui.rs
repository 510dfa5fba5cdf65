//! The real console driven through its accessibility tree (egui_kittest): log in as supervisor1, visit
//! every area by its label, and check what auditors see. Fixed clock, demo database in a temp dir, no
//! network, no display.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use jiancha::clock::FixedClock;
use jiancha::ui::fonts::{self, CjkFont};
use jiancha::ui::i18n::Lang;
use jiancha::ui::state::{Area, Screen};
use jiancha::ui::{FontChoice, JianchaApp, Options};

use crate::support::camera_hall;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T10:30:00+08:00").unwrap().with_timezone(&Utc)
}

fn font() -> CjkFont {
    static FONT: OnceLock<CjkFont> = OnceLock::new();
    FONT.get_or_init(|| fonts::find_cjk_font().expect("a CJK font (packaging/setup.sh installs fonts-noto-cjk)"))
        .clone()
}

struct Console {
    harness: Harness<'static, JianchaApp>,
    _dir: tempfile::TempDir,
}

/// The real console on the data directory `dir`, with a fixed clock and no simulated cameras.
fn harness_for(dir: &std::path::Path, clock: Arc<FixedClock>) -> Harness<'static, JianchaApp> {
    harness_with(dir, clock, None)
}

/// The console on `dir`, or against a server when `backend` is given.
fn harness_with(
    dir: &std::path::Path,
    clock: Arc<FixedClock>,
    backend: Option<jiancha::store::remote::Connection>,
) -> Harness<'static, JianchaApp> {
    let options = Options {
        data_dir: dir.to_owned(),
        demo: false,
        user: None,
        clock,
        font: FontChoice::Given(font()),
        lang: Some(Lang::Zh),
        start_simulator: false,
        backend,
    };
    let cjk = font();
    Harness::builder()
        .with_size(egui::vec2(1600.0, 900.0))
        .with_context_setup(move |ctx| fonts::install(ctx, &cjk))
        .build_eframe(move |cc| JianchaApp::new(cc, options).unwrap())
}

fn console() -> Console {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    crate::support::demo_hall::write_demo(dir.path(), 11, jiancha::clock::Clock::now(&*clock));
    let harness = harness_for(dir.path(), clock);
    Console { harness, _dir: dir }
}

impl Console {
    /// Steps frames until `done` holds (the data worker answers on its own thread).
    fn step_until(&mut self, what: &str, done: impl Fn(&JianchaApp) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            self.harness.step();
            if done(self.harness.state()) && !self.harness.state().is_busy() {
                self.harness.step();
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn log_in(&mut self, user: &str) {
        self.log_in_with(user, jiancha::demo::DEMO_PASSWORD);
    }

    fn log_in_with(&mut self, user: &str, password: &str) {
        self.step_until("the login screen", |app| app.state().screen == Screen::Login);
        let field = self.harness.get_by_label("用户名");
        field.focus();
        self.harness.step();
        self.harness.get_by_label("用户名").type_text(user);
        self.harness.get_by_label("密码").focus();
        self.harness.step();
        self.harness.get_by_label("密码").type_text(password);
        self.harness.step();
        self.harness.get_by_role_and_label(Role::Button, "登录").click();
        self.step_until("the main screen", |app| app.state().screen == Screen::Main && app.state().overview.is_some());
    }

    fn visit(&mut self, area: Area) {
        let label = area.label(Lang::Zh);
        let button = self
            .harness
            .get_all_by_label(label)
            .find(|n| n.accesskit_node().role() != Role::Label)
            .unwrap_or_else(|| panic!("no navigation entry {label}"));
        button.click();
        self.step_until(label, move |app| app.state().area == area);
    }
}

#[test]
fn supervisor_logs_in_and_visits_every_area() {
    let mut c = console();
    c.log_in("supervisor1");
    let state = c.harness.state().state();
    assert_eq!(state.session.as_ref().map(|s| s.username.as_str()), Some("supervisor1"));
    // The console opens on the video wall of the demo hall.
    assert_eq!(c.harness.state().state().area, Area::Wall);
    c.harness.get_by_label_contains("四平市政务服务中心");
    c.harness.get_by_label_contains("监察员 张明");

    // 系统管理 is offered to administrators only.
    assert!(c.harness.query_by_label("系统管理").is_none(), "a supervisor does not see 系统管理");
    for area in Area::ALL.into_iter().rev().filter(|a| a.offered_to(jiancha::domain::access::Role::Supervisor)) {
        c.visit(area);
        match area {
            Area::Admin => panic!("系统管理 is not offered to supervisors"),
            Area::Audit => {
                c.harness.get_by_label("仅审计员和管理员可以查看审计日志。");
            }
            Area::Assessment => {
                c.step_until("last month's assessment", |app| app.state().assessment.view.is_some());
                // Friday 27 November: last month is October, published by the demo's chief on the third
                // working day of November, every department ranked.
                c.harness.get_by_label("2026年10月");
                c.harness.get_by_label_contains("已发布");
                let view = c.harness.state().state().assessment.view.clone().unwrap();
                assert_eq!(view.published.len(), 1);
                assert!(
                    view.live.departments.iter().filter(|d| d.rank.is_some()).count() >= 10,
                    "{:?}",
                    view.live.departments
                );
            }
            Area::Complaints => {
                c.step_until("complaints", |app| app.state().supervision.complaints.is_some());
                c.harness.get_by_label_contains("B07窗口");
            }
            Area::Settings => {
                c.harness.get_by_label_contains("2007–2026");
            }
            Area::Overview => {
                c.harness.get_by_label("待处理投诉");
                c.harness.get_by_label("A05");
            }
            Area::Wall => {
                c.harness.get_by_label("9 画面");
            }
            Area::Alerts => {
                c.step_until("alerts", |app| app.state().alerts.loaded);
                c.harness.get_by_label("预警列表");
                c.harness.get_by_label("督办通知");
            }
            Area::Attendance => {
                c.step_until("the ranking", |app| app.state().attendance.data.is_some());
                // The last complete period before Friday 27 November.
                c.harness.get_by_label("2026-11-09 — 2026-11-22");
                c.harness.get_by_label("部门排名");
            }
            Area::Evaluator => {
                c.step_until("the evaluator check", |app| app.state().evaluator.check.is_some());
                // The previous working day.
                assert_eq!(c.harness.state().state().evaluator.date_text, "2026-11-26");
                c.harness.get_by_label("满意度");
            }
            Area::Footage => {
                c.step_until("the footage requests", |app| app.state().footage.requests.is_some());
                c.harness.get_by_label("调阅申请");
                c.harness.get_by_label("新建调阅/拷贝申请");
            }
            Area::Discipline => {
                c.step_until("the week", |app| app.state().supervision.data.is_some());
                // Last week (16–22 November): the demo leaves its slips for the supervisor to issue.
                c.harness.get_by_label("2026年第47周（11月16日—11月22日）");
                c.harness.get_by_label("本周统计");
                assert!(c.harness.query_by_label_contains("签发提示单（").is_some(), "last week's slips are due");
            }
            Area::Violations => {
                c.step_until("the register", |app| app.state().supervision.data.is_some());
                c.harness.get_by_label("记录违规…");
                assert!(c.harness.query_all_by_label("诫勉谈话").next().is_some(), "the demo's earlier decision");
            }
        }
    }
    // The status bar names the backend and the 2027 gap.
    c.harness.get_by_label_contains("数据源 SQLite");
    c.harness.get_by_label_contains("2027 年节假日数据缺失");
}

#[test]
fn wrong_password_is_refused_and_said_so() {
    let mut c = console();
    c.step_until("the login screen", |app| app.state().screen == Screen::Login);
    c.harness.get_by_label("用户名").focus();
    c.harness.step();
    c.harness.get_by_label("用户名").type_text("chief1");
    c.harness.get_by_label("密码").focus();
    c.harness.step();
    c.harness.get_by_label("密码").type_text("guess");
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "登录").click();
    c.step_until("the refusal", |app| app.state().login.error.is_some());
    assert_eq!(c.harness.state().state().screen, Screen::Login);
    c.harness.get_by_label_contains("用户名或密码错误");
}

#[test]
fn auditor_reads_and_verifies_the_audit_log_and_switches_language() {
    let mut c = console();
    c.log_in("auditor1");
    c.visit(Area::Audit);
    c.step_until("audit records", |app| app.state().audit.loaded);
    // The newest record is this very login.
    let first = c.harness.state().state().audit.records.first().cloned().unwrap();
    assert_eq!((first.action.as_str(), first.actor.as_str()), ("login", "auditor1"));
    c.harness.get_by_role_and_label(Role::Button, "校验审计链").click();
    c.step_until("the chain check", |app| app.state().audit.verification.is_some());
    c.harness.get_by_label_contains("审计链完整");

    // Filter to imports only.
    c.harness.get_by_role_and_label(Role::TextInput, "操作").focus();
    c.harness.step();
    c.harness.get_by_role_and_label(Role::TextInput, "操作").type_text("import");
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "查询").click();
    c.step_until("filtered records", |app| {
        let a = &app.state().audit;
        a.loaded && !a.loading && !a.records.is_empty() && a.records.iter().all(|r| r.action.starts_with("import."))
    });
    assert!(c.harness.state().state().audit.records.len() > 50, "the demo delivered data every night");

    c.harness.get_by_role_and_label(Role::Button, "English").click();
    c.step_until("English", |app| app.state().lang == Lang::En);
    c.harness.get_by_label("Verify chain");
    c.harness.get_by_label("Video wall");
}

#[test]
fn without_a_chinese_font_the_console_names_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        data_dir: dir.path().to_owned(),
        demo: false,
        user: None,
        clock: Arc::new(FixedClock::new(now())),
        font: FontChoice::Missing,
        lang: None,
        start_simulator: false,
        backend: None,
    };
    // Chinese data (hall names) would show as boxes after "continue in English"; that is the point.
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 700.0))
        .allow_missing_glyphs()
        .build_eframe(move |cc| JianchaApp::new(cc, options).unwrap());
    harness.step();
    assert_eq!(harness.state().state().screen, Screen::NoFont);
    harness.get_by_label("sudo apt install fonts-noto-cjk");
    harness.get_by_role_and_label(Role::Button, "Continue in English (Chinese data will not display)").click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().state().lang, Lang::En);
    assert_ne!(harness.state().state().screen, Screen::NoFont);
}

#[test]
fn supervisor_filters_alerts_opens_a_red_case_issues_a_notice_and_checks_the_day() {
    use jiancha::store::AlertState;
    let mut c = console();
    c.log_in("supervisor1");
    c.visit(Area::Alerts);
    c.step_until("the alert list", |app| app.state().alerts.loaded && !app.state().alerts.visible.is_empty());
    let total = c.harness.state().state().alerts.visible.len();
    let red = c.harness.state().state().alerts.counts[0];
    assert!(red > 0, "the demo has red alerts");
    c.harness.get_by_label(&format!("红 {red}"));

    // Hide red alerts with the level chip, then show them again.
    c.harness.get_by_role_and_label(Role::Button, &format!("红 {red}")).click();
    c.step_until("red hidden", move |app| app.state().alerts.visible.len() == total - red);
    c.harness.get_by_role_and_label(Role::Button, &format!("红 {red}")).click();
    c.step_until("red shown", move |app| app.state().alerts.visible.len() == total);

    // Filter by the case number of an open red violation (a card that needs closing).
    let target = {
        let view = &c.harness.state().state().alerts;
        view.rows
            .iter()
            .find(|a| {
                a.state == AlertState::Open && a.level == jiancha::domain::alerts::Level::Red && a.rule.needs_closing()
            })
            .cloned()
            .expect("an open red violation in the demo")
    };
    c.harness.get_by_role_and_label(Role::TextInput, "办件/申请人").focus();
    c.harness.step();
    c.harness.get_by_role_and_label(Role::TextInput, "办件/申请人").type_text(&target.case_no);
    let case_no = target.case_no.clone();
    c.step_until("the filtered list", move |app| {
        let v = &app.state().alerts;
        !v.visible.is_empty() && v.visible.iter().all(|&i| v.rows[i].case_no == case_no)
    });

    // Keyboard: leave the text field, select the first row, open the case with Enter.
    c.harness.key_press(egui::Key::Escape);
    c.harness.step();
    c.harness.state_mut().push(jiancha::ui::alerts::AlertsCommand::Select(None));
    c.harness.step();
    c.harness.key_press(egui::Key::ArrowDown);
    c.step_until("a selection", |app| app.state().alerts.selected.is_some());
    c.harness.key_press(egui::Key::Enter);
    c.step_until("the case detail", |app| app.state().alerts.case.as_ref().is_some_and(|v| v.detail.is_some()));
    c.harness.get_by_label("承诺期限计算");
    c.harness.get_by_label("办理过程");

    // Issue a supervision notice from the red alert.
    let notice_buttons = c.harness.get_all_by_role_and_label(Role::Button, "督办…").count();
    assert!(notice_buttons >= 1);
    c.harness.get_all_by_role_and_label(Role::Button, "督办…").next().unwrap().click();
    c.step_until("the notice dialog", |app| {
        matches!(app.state().alerts.dialog, Some(jiancha::ui::alerts::state::AlertDialog::IssueNotice { .. }))
    });
    c.harness.get_by_label("发出督办通知");
    c.harness.get_by_role_and_label(Role::Button, "发出").click();
    c.step_until("the notice", |app| {
        app.state().alerts.dialog.is_none() && app.state().notice.as_ref().is_some_and(|(_, t)| t.contains("督第"))
    });
    let banner = c.harness.state().state().notice.clone().unwrap().1;
    let number = banner.split_whitespace().find(|w| w.contains("督第")).unwrap().trim_end_matches('，').to_owned();
    assert!(number.starts_with("〔2026〕督第"), "{banner}");

    // Close the violation with a reason.
    c.step_until("the reloaded case", |app| {
        app.state().alerts.case.as_ref().is_some_and(|v| v.detail.as_ref().is_some_and(|d| !d.notices.is_empty()))
    });
    c.harness.get_all_by_role_and_label(Role::Button, "关闭…").next().unwrap().click();
    c.step_until("the close dialog", |app| {
        matches!(app.state().alerts.dialog, Some(jiancha::ui::alerts::state::AlertDialog::Close { .. }))
    });
    c.harness.get_by_label("关闭理由").focus();
    c.harness.step();
    c.harness.get_by_label("关闭理由").type_text("已核实：部门已整改并说明原因");
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "关闭").click();
    c.step_until("the closed alert", |app| app.state().notice.as_ref().is_some_and(|(_, t)| t.contains("已关闭预警")));

    // Back to the list and run today's data check.
    c.harness.get_by_role_and_label(Role::Button, "← 返回预警列表").click();
    c.step_until("the list", |app| app.state().alerts.case.is_none());
    c.harness.get_by_role_and_label(Role::Button, "执行今日检查").click();
    c.step_until("the daily check", |app| app.state().overview.as_ref().is_some_and(|o| o.today_checked.is_some()));
    c.harness.get_by_label_contains("今日数据已检查");
}

#[test]
fn supervisor_switches_wall_layouts_and_watches_one_window_full_screen() {
    let mut c = console();
    c.log_in("supervisor1");
    c.step_until("the wall", |app| app.state().area == Area::Wall && app.state().wall.initialised);
    assert_eq!(c.harness.state().state().wall.layout.tiles, 9, "a 3×3 wall");
    assert_eq!(c.harness.state().state().wall.pages(), 3, "25 cameras on 3 pages");
    c.step_until("decoders for the visible tiles", |app| app.running_decoders() == 9);
    // Tiles are labelled with window and department.
    c.harness.get_by_label("A01 市场监管");
    c.harness.get_by_label("B04 公积金");

    c.harness.get_by_role_and_label(Role::Button, "4 画面").click();
    c.step_until("a 2×2 wall", |app| app.state().wall.layout.tiles == 4 && app.running_decoders() == 4);
    c.harness.get_by_role_and_label(Role::Button, "下一页").click();
    c.step_until("page 2", |app| app.state().wall.page == 1);
    c.harness.get_by_label("A05 出入境");
    c.harness.get_by_role_and_label(Role::Button, "16 画面").click();
    c.step_until("a 4×4 wall", |app| app.state().wall.layout.tiles == 16 && app.running_decoders() == 16);

    // Hover a tile and press its full-screen button (a double-click does the same): the main stream;
    // Esc: back to the wall.
    c.harness.get_by_label("A03 市场监管").hover();
    c.harness.step();
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "全屏").click();
    c.step_until("full screen", |app| app.state().wall.fullscreen.is_some());
    assert_eq!(c.harness.state().running_decoders(), 1, "only the watched camera decodes");
    c.step_until("the main stream", |app| {
        app.state().wall.tiles.values().next().is_some_and(|t| t.stream == jiancha::video::StreamKind::Main)
    });
    c.harness.key_press(egui::Key::Escape);
    c.step_until("back on the wall", |app| app.state().wall.fullscreen.is_none() && app.running_decoders() == 16);

    // Leaving the wall stops every decoder.
    c.visit(Area::Alerts);
    c.step_until("no decoders", |app| app.running_decoders() == 0);
}

#[test]
fn live_tiles_play_and_a_snapshot_is_kept_as_evidence() {
    use jiancha::store::prelude::*;
    use jiancha::store::{HallSetup, NewCamera};
    use jiancha::video::sim::{SimCamera, SimOptions, SimServer};
    // The demo hall with its first four cameras pointed at a simulator of this test.
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    crate::support::demo_hall::write_demo(dir.path(), 11, jiancha::clock::Clock::now(&*clock));
    let cameras: Vec<SimCamera> = (1..=4).map(|index| SimCamera { index, label: format!("测试 {index}") }).collect();
    let sim = SimServer::start(0, &cameras, &SimOptions::default()).unwrap();
    {
        let store = jiancha::store::SqlStore::open_existing_dir(dir.path(), clock.clone()).unwrap();
        let system = store.system_session();
        let data = jiancha::demo::generate(11, now(), &jiancha::domain::alerts::RuleBook::official());
        let mut setup: HallSetup = data.setup.clone();
        setup.cameras = setup.cameras[..4]
            .iter()
            .enumerate()
            .map(|(i, c)| NewCamera {
                main_url: sim.url(i as u32 + 1, false),
                sub_url: Some(sim.url(i as u32 + 1, true)),
                ..c.clone()
            })
            .collect();
        store.configure_hall(&system, &setup).unwrap();
    }
    let harness = harness_for(dir.path(), clock);
    let mut c = Console { harness, _dir: tempfile::tempdir().unwrap() };
    c.log_in("supervisor1");
    c.harness.get_by_role_and_label(Role::Button, "4 画面").click();
    c.step_until("four playing tiles", |app| {
        let tiles = &app.state().wall.tiles;
        tiles.len() == 4
            && tiles.values().all(|t| t.status == jiancha::video::decoder::TileStatus::Playing && t.picture.is_some())
    });
    c.harness.get_by_label("A01 市场监管").hover();
    c.harness.step();
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "截图").click();
    c.step_until("the snapshot", |app| app.state().wall.last_snapshot.is_some());
    let message = c.harness.state().state().wall.last_snapshot.clone().unwrap().expect("saved");
    assert!(message.contains("evidence/snapshots/"), "{message}");
    // The file is a PNG whose SHA-256 is the recorded one.
    let store = jiancha::store::SqlStore::open_existing_dir(dir.path(), Arc::new(FixedClock::new(now()))).unwrap();
    let evidence = store.evidence(&store.system_session(), 10).unwrap();
    assert_eq!(evidence.len(), 1);
    let e = &evidence[0].evidence;
    let bytes = std::fs::read(dir.path().join(&e.path)).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    use sha2::Digest as _;
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), e.sha256);
    assert_eq!(e.window_code.as_deref(), Some("A01"));
    assert!(e.width >= 320 && e.height >= 180, "{}×{}", e.width, e.height);
    assert_eq!(evidence[0].taken_by, "supervisor1");
    drop(sim);
}

#[test]
fn supervisor_records_an_interview_and_writes_the_ranking_pdf() {
    let mut c = console();
    c.log_in("supervisor1");
    c.visit(Area::Attendance);
    c.step_until("the ranking", |app| app.state().attendance.data.is_some());
    let (due, held) = {
        let data = c.harness.state().state().attendance.data.clone().unwrap();
        let due: Vec<_> = data.ranking.staff.iter().filter(|s| s.interview).map(|s| s.staff_no.clone()).collect();
        (due, data.interviews.len())
    };
    assert!(due.len() >= 3, "the top three (ties included) are on the list: {due:?}");
    let pending = c.harness.get_all_by_role_and_label(Role::Button, "记录约谈").count();
    assert_eq!(pending, due.len() - held, "one button per interview still to hold");

    // Drill down: a person's days with the punches behind each verdict.
    let first = due[0].clone();
    c.harness.state_mut().push(jiancha::ui::attendance::AttendanceCommand::SelectStaff(Some(first.clone())));
    c.step_until("the drill-down", move |app| app.state().attendance.selected_staff.as_deref() == Some(first.as_str()));
    c.harness.get_by_label_contains("的考勤明细");

    // Record one interview through the dialog.
    c.harness.get_all_by_role_and_label(Role::Button, "记录约谈").next().unwrap().click();
    c.step_until("the dialog", |app| app.state().attendance.interview.is_some());
    c.harness.get_by_label("参加人员").focus();
    c.harness.step();
    c.harness.get_by_label("参加人员").type_text("张明、部门负责人");
    c.harness.get_by_label("谈话内容与整改要求").focus();
    c.harness.step();
    c.harness.get_by_label("谈话内容与整改要求").type_text("通报排名，要求按时到岗。");
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "保存").click();
    c.step_until("the recorded interview", move |app| {
        app.state().attendance.interview.is_none()
            && app.state().attendance.data.as_ref().is_some_and(|d| d.interviews.len() == held + 1)
    });
    c.harness.get_by_label_contains("已记录约谈");
    assert_eq!(c.harness.get_all_by_role_and_label(Role::Button, "记录约谈").count(), pending - 1);

    // The ranking as PDF under the data directory.
    c.harness.get_by_role_and_label(Role::Button, "排名 PDF").click();
    c.step_until("the PDF", |app| app.state().attendance.document.is_some());
    let path = c.harness.state().state().attendance.document.clone().unwrap().expect("written");
    assert!(path.ends_with("reports/attendance/2026-11-09-ranking.pdf"), "{path}");
    assert_eq!(&std::fs::read(&path).unwrap()[..5], b"%PDF-");

    // The previous period.
    c.harness.get_by_role_and_label(Role::Button, "◀ 上一周期").click();
    c.step_until("the previous period", |app| {
        app.state().attendance.data.as_ref().is_some_and(|d| d.ranking.period_start.to_string() == "2026-10-26")
    });
    c.harness.get_by_label("2026-10-26 — 2026-11-08");
}

#[test]
fn supervisor_records_a_return_visit_for_a_poor_rating() {
    use jiancha::ui::evaluator::state::EvaluatorTab;
    let mut c = console();
    c.log_in("supervisor1");
    c.visit(Area::Evaluator);
    c.step_until("the evaluator check", |app| app.state().evaluator.poor.is_some());
    // Yesterday's two planted bursts at A05: two cards, each telling which ratings had no completion.
    c.harness.get_by_role_and_label(Role::Button, "异常评价（2）").click();
    c.step_until("the anomalies", |app| app.state().evaluator.tab == EvaluatorTab::Anomalies);
    assert_eq!(c.harness.get_all_by_label("短时连续评价").count(), 2);
    assert_eq!(c.harness.get_all_by_label_contains("次评价前本窗口无办结").count(), 2);
    c.harness.get_by_role_and_label(Role::Button, "满意度").click();
    c.step_until("satisfaction", |app| app.state().evaluator.tab == EvaluatorTab::Satisfaction);
    c.harness.get_by_label("每周平均分");
    let open_visits = |app: &JianchaApp| {
        app.state().evaluator.poor.as_ref().map_or(0, |p| p.iter().filter(|p| p.visit.is_none()).count())
    };
    let before = open_visits(c.harness.state());
    assert!(before > 0, "the demo leaves some return visits to do");
    c.harness.state_mut().push(jiancha::ui::evaluator::EvaluatorCommand::SetTab(EvaluatorTab::PoorRatings));
    c.step_until("the poor ratings", |app| app.state().evaluator.tab == EvaluatorTab::PoorRatings);
    c.harness.get_all_by_role_and_label(Role::Button, "记录回访").next().unwrap().click();
    c.step_until("the dialog", |app| app.state().evaluator.follow_up.is_some());
    // An empty note is refused, and said so in the dialog.
    c.harness.get_by_role_and_label(Role::Button, "保存").click();
    c.step_until("the refusal", |app| app.state().evaluator.dialog_error.is_some());
    c.harness.get_by_label_contains("请填写回访或整改情况");
    c.harness.get_by_label("回访情况（对象、方式、意见）").focus();
    c.harness.step();
    c.harness.get_by_label("回访情况（对象、方式、意见）").type_text("电话回访，办事人表示满意。");
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "保存").click();
    c.step_until("the recorded visit", move |app| {
        app.state().evaluator.follow_up.is_none() && open_visits(app) == before - 1
    });
}

/// The issue's story: a complaint about B07 on Tuesday at about 10:40. The supervisor opens the case,
/// asks for that window's footage from the accept step, the chief approves, the supervisor plays it,
/// asks for a copy of the moment, the chief approves that, and the copy goes to a "USB" folder with a
/// watermark and a manifest; the register names who, why and where to.
#[test]
fn complaint_footage_is_requested_approved_played_and_copied() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    let rules = jiancha::domain::alerts::RuleBook::official();
    crate::support::demo_hall::write_demo(dir.path(), 11, jiancha::clock::Clock::now(&*clock));
    jiancha::demo::record_footage(dir.path(), clock.clone(), &rules).unwrap();
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let harness = harness_for(dir.path(), clock);
    let mut c = Console { harness, _dir: dir };

    c.log_in("supervisor1");
    c.visit(Area::Complaints);
    c.step_until("complaints", |app| app.state().supervision.complaints.is_some());
    let case_no = c
        .harness
        .state()
        .state()
        .supervision
        .complaints
        .as_ref()
        .unwrap()
        .iter()
        .find(|x| x.window_code.as_deref() == Some("B07"))
        .and_then(|x| x.case_no.clone())
        .expect("the B07 complaint names its case");
    c.harness.state_mut().push(jiancha::ui::alerts::AlertsCommand::OpenCase(case_no.clone()));
    let wanted = case_no.clone();
    c.step_until("the case", move |app| {
        app.state().alerts.case.as_ref().is_some_and(|v| v.case_no == wanted && v.detail.is_some())
    });

    // "查看录像" on the accept step: nothing is approved yet, so a request is pre-filled.
    c.harness.get_all_by_role_and_label(Role::Button, "查看录像").next().expect("the accept step has a window").click();
    c.step_until("the pre-filled request", |app| app.state().footage.draft.is_some());
    assert_eq!(c.harness.state().state().area, Area::Footage);
    let draft = c.harness.state().state().footage.draft.clone().unwrap();
    assert_eq!(draft.case_no, case_no);
    assert_eq!(draft.cameras.len(), 1, "that window's camera");
    assert_eq!(draft.kind, jiancha::domain::footage::RequestKind::View);
    {
        let d = c.harness.state_mut().state_mut().footage.draft.as_mut().unwrap();
        d.from = "10:30".into();
        d.to = "10:50".into();
        d.purpose = "核查投诉：B07 窗口态度生硬".into();
    }
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "提交申请").click();
    c.step_until("the request", |app| {
        app.state().footage.draft.is_none() && app.state().footage.requests.as_ref().is_some_and(|r| r.len() == 1)
    });
    let request = c.harness.state().state().footage.requests.as_ref().unwrap()[0].clone();
    assert_eq!(request.status, jiancha::domain::footage::RequestStatus::Pending);
    assert!(c.harness.get_all_by_label_contains(&request.request_no).next().is_some(), "listed");
    // Not approvable by its author: a supervisor has no approval tab at all.
    assert!(c.harness.query_by_role_and_label(Role::Button, "批准").is_none());

    approve_as_chief(&mut c, &request.request_no);

    // Back as the supervisor: play it from the request list, seek to the complaint's moment.
    c.log_in("supervisor1");
    c.visit(Area::Footage);
    c.step_until("the approved request", |app| {
        app.state()
            .footage
            .requests
            .as_ref()
            .is_some_and(|r| r.first().is_some_and(|r| r.status == jiancha::domain::footage::RequestStatus::Approved))
    });
    c.harness.get_all_by_label_contains("▶ ").next().expect("a play button per camera").click();
    c.step_until("the first picture", |app| {
        app.state().footage.playback.is_some()
            && app.state().footage.player.as_ref().is_some_and(|p| p.tiles.iter().any(|t| t.texture.is_some()))
    });
    let span = c.harness.state().state().footage.playback.as_ref().unwrap().span;
    assert_eq!(span, request.span);
    let moment = span.from + 10 * 60_000;
    c.harness.state_mut().push(jiancha::ui::footage::FootageCommand::PlayerSeek(moment));
    c.step_until("the seek", move |app| {
        app.state().footage.player.as_ref().is_some_and(|p| (p.position_ms - moment).abs() < 1_000)
    });
    c.harness.get_by_role_and_label(Role::Button, "添加书签").click();
    c.step_until("the bookmark", |app| app.state().footage.playback.as_ref().is_some_and(|p| p.bookmarks.len() == 1));

    // A copy of two minutes either side.
    c.harness.get_by_role_and_label(Role::Button, "申请拷贝…").click();
    c.step_until("the copy request form", |app| app.state().footage.draft.is_some());
    let draft = c.harness.state().state().footage.draft.clone().unwrap();
    assert_eq!(draft.kind, jiancha::domain::footage::RequestKind::Export);
    assert_eq!((draft.from.as_str(), draft.to.as_str()), ("10:38", "10:42"));
    c.harness.get_by_role_and_label(Role::Button, "提交申请").click();
    c.step_until("the copy request", |app| app.state().footage.requests.as_ref().is_some_and(|r| r.len() == 2));
    let copy = c
        .harness
        .state()
        .state()
        .footage
        .requests
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r.kind == jiancha::domain::footage::RequestKind::Export)
        .cloned()
        .unwrap();
    approve_as_chief(&mut c, &copy.request_no);

    c.log_in("supervisor1");
    c.visit(Area::Footage);
    c.step_until("the approved copy", move |app| {
        app.state().footage.requests.as_ref().is_some_and(|r| {
            r.iter().any(|r| r.id == copy.id && r.status == jiancha::domain::footage::RequestStatus::Approved)
        })
    });
    c.harness.get_by_role_and_label(Role::Button, "导出…").click();
    c.step_until("the export dialog", |app| app.state().footage.export.is_some());
    let out = usb.join("b07-complaint.mp4");
    {
        let d = c.harness.state_mut().state_mut().footage.export.as_mut().unwrap();
        d.destination = out.display().to_string();
        d.watermark = true;
    }
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "开始导出").click();
    let deadline = Instant::now() + Duration::from_secs(300);
    while c.harness.state().state().footage.export_result.is_none() {
        assert!(Instant::now() < deadline, "the export did not finish");
        c.harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    let result = c.harness.state().state().footage.export_result.clone().unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert!(out.is_file());
    let verdict = jiancha::video::export::verify(&out).unwrap();
    assert!(verdict.intact(), "the clip matches its manifest: {verdict:?}");
    assert_eq!(verdict.request_no, copy.request_no);

    // The register: the viewing and the copy with its destination.
    c.harness.state_mut().push(jiancha::ui::footage::FootageCommand::Load);
    c.step_until("the register", |app| {
        app.state().footage.register.as_ref().is_some_and(|r| r.iter().any(|a| a.status == "done"))
    });
    let register = c.harness.state().state().footage.register.clone().unwrap();
    let copied = register.iter().find(|a| a.status == "done").unwrap();
    assert_eq!(copied.user, "supervisor1");
    assert_eq!(copied.destination.as_deref(), Some(out.display().to_string().as_str()));
    assert!(register.iter().any(|a| a.request_no == request.request_no && a.purpose.contains("B07")), "the viewing");
    c.harness
        .state_mut()
        .push(jiancha::ui::footage::FootageCommand::SetTab(jiancha::ui::footage::state::FootageTab::Register));
    c.harness.step();
    assert!(c.harness.get_all_by_label_contains("b07-complaint.mp4").next().is_some(), "the destination shown");
}

/// Logs out, approves `request_no` as chief1 in the approvals tab, logs out again.
/// 同步回放 on a hall set up by `init`: four cameras of one approved request play side by side on one
/// play head; a seek moves all four pictures to the same moment; a picture zooms; the export of the
/// request writes one clip per camera and one set manifest.
#[test]
fn four_cameras_of_a_request_play_together_and_export_with_one_manifest() {
    use camera_hall::PASSWORD;
    use jiancha::domain::footage::{RequestKind, Span};
    use jiancha::store::prelude::*;
    use jiancha::store::{NewFootageRequest, Store};
    let clock = Arc::new(FixedClock::new(now()));
    let (dir, store, cameras) = camera_hall::four_cameras(clock.clone());
    let start = DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00").unwrap().with_timezone(&Utc);
    camera_hall::record(&store, dir.path(), &cameras, start, 20, [0, 20, 40, 60], (640, 360));
    let span = Span { from: start.timestamp_millis() + 1_000, to: start.timestamp_millis() + 19_000 };
    let sup = store.login("sup", PASSWORD).unwrap();
    let request = store
        .request_footage(
            &sup,
            &NewFootageRequest {
                cameras: cameras.clone(),
                span,
                purpose: "四个窗口同时段核查".into(),
                kind: RequestKind::Export,
                second_person: None,
                case_no: None,
                complaint_no: None,
            },
        )
        .unwrap();
    store.decide_footage(&store.login("chief", PASSWORD).unwrap(), request.id, true, "同意").unwrap();
    drop(store);
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let harness = harness_for(dir.path(), clock);
    let mut c = Console { harness, _dir: dir };
    c.log_in_with("sup", PASSWORD);
    c.visit(Area::Footage);
    c.step_until("the request", |app| app.state().footage.requests.as_ref().is_some_and(|r| r.len() == 1));
    c.click_button("▶ 同步回放 (4)");
    c.step_until("four pictures", |app| {
        app.state()
            .footage
            .player
            .as_ref()
            .is_some_and(|p| p.tiles.len() == 4 && p.tiles.iter().all(|t| t.texture.is_some()))
    });
    let moment = span.from + 9_250;
    c.harness.state_mut().push(jiancha::ui::footage::FootageCommand::PlayerSeek(moment));
    c.step_until("the seek on all four", move |app| {
        app.state().footage.player.as_ref().is_some_and(|p| {
            p.position_ms == moment && p.tiles.iter().all(|t| (moment..moment + 100).contains(&t.position_ms))
        })
    });
    // Wheel over the second picture zooms it only (the gesture itself is the wall's, tested there).
    let mut zoom = jiancha::ui::video::Zoom::default();
    zoom.zoom_about([0.3, 0.4], 3.0);
    c.harness.state_mut().push(jiancha::ui::footage::FootageCommand::PlayerZoom { camera_id: cameras[1], zoom });
    c.harness.state_mut().push(jiancha::ui::footage::FootageCommand::PlayerFocus(cameras[1]));
    c.step_until("the zoom", |app| {
        app.state()
            .footage
            .playback
            .as_ref()
            .is_some_and(|v| v.tracks[1].zoom.is_zoomed() && !v.tracks[0].zoom.is_zoomed())
    });
    for _ in 0..5 {
        c.harness.step();
    }
    c.screenshot("footage-sync-4");

    // 导出… from the playback: every camera of the request ticked, one manifest for all.
    c.harness.get_by_role_and_label(Role::Button, "导出…").click();
    c.step_until("the export dialog", |app| app.state().footage.export.is_some());
    let draft = c.harness.state().state().footage.export.clone().unwrap();
    assert_eq!(draft.cameras, cameras.iter().map(|c| (*c, true)).collect::<Vec<_>>());
    let out = usb.join("四路.mp4");
    {
        let d = c.harness.state_mut().state_mut().footage.export.as_mut().unwrap();
        d.destination = out.display().to_string();
        d.watermark = false;
        d.cameras[3].1 = false;
    }
    c.harness.step();
    c.screenshot("footage-sync-export");
    c.harness.get_by_role_and_label(Role::Button, "开始导出").click();
    let deadline = Instant::now() + Duration::from_secs(120);
    while c.harness.state().state().footage.export_result.is_none() {
        assert!(Instant::now() < deadline, "the export did not finish");
        c.harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    let result = c.harness.state().state().footage.export_result.clone().unwrap();
    assert!(result.is_ok(), "{result:?}");
    let verified = jiancha::video::export::verify_set(&usb.join("四路.manifest.json")).unwrap();
    assert_eq!(verified.len(), 3, "three cameras ticked");
    assert!(verified.iter().all(jiancha::video::export::Verification::intact));
}

fn approve_as_chief(c: &mut Console, request_no: &str) {
    c.harness.state_mut().push(jiancha::ui::command::Command::Logout);
    c.harness.step();
    c.harness.state_mut().state_mut().login.username.clear();
    c.log_in("chief1");
    c.visit(Area::Footage);
    c.step_until("the pending list", |app| app.state().footage.pending.as_ref().is_some_and(|p| !p.is_empty()));
    c.harness
        .state_mut()
        .push(jiancha::ui::footage::FootageCommand::SetTab(jiancha::ui::footage::state::FootageTab::Approvals));
    c.harness.step();
    assert!(c.harness.get_all_by_label_contains(request_no).next().is_some(), "listed for approval");
    c.harness.get_by_role_and_label(Role::Button, "批准").click();
    let no = request_no.to_owned();
    c.step_until("the approval", move |app| {
        app.state().footage.pending.as_ref().is_some_and(|p| p.iter().all(|r| r.request_no != no))
    });
    c.harness.state_mut().push(jiancha::ui::command::Command::Logout);
    c.harness.step();
    c.harness.state_mut().state_mut().login.username.clear();
}

/// The issue's Monday and a phoned-in complaint: issue, preview and save last week's slips, record a
/// receipt; register the complaint, accept it, record the violation; the chief decides 诫勉谈话 and the
/// tax bureau's second warning this year raises the Art 12(6) flag by itself.
#[test]
fn slips_are_issued_previewed_and_received_and_a_complaint_ends_in_a_flagged_warning() {
    use jiancha::domain::accountability::ComplaintStatus;
    use jiancha::domain::discipline::SlipStatus;
    let mut c = console();
    c.log_in("supervisor1");
    c.visit(Area::Discipline);
    c.step_until("the week", |app| app.state().supervision.data.is_some());
    let due = c.harness.state().state().supervision.data.as_ref().unwrap().unissued.len();
    assert!(due > 0, "the demo leaves last week's slips to issue");
    c.harness.get_by_role_and_label(Role::Button, &format!("签发提示单（{due}）")).click();
    c.step_until("the slips", move |app| {
        app.state().supervision.data.as_ref().is_some_and(|d| d.unissued.is_empty() && d.slips.len() >= due)
    });
    c.harness.get_all_by_role_and_label(Role::Button, "预览").next().unwrap().click();
    c.step_until("the preview", |app| app.state().supervision.preview.is_some());
    c.harness.get_by_role_and_label(Role::Button, "打印此单");
    // Close the preview window (it sits over the slips).
    c.harness.state_mut().state_mut().supervision.preview = None;
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "存为 PDF").click();
    c.step_until("the files", |app| {
        app.state().supervision.message.as_deref().is_some_and(|m| m.starts_with("已写出"))
    });
    let dir = c.harness.state().state().opened.as_ref().unwrap().data_dir.join("reports/slips/2026-W47");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(files.len(), due + 1, "one PDF per department and the index: {files:?}");
    // The first department's signed receipt.
    c.harness.get_all_by_role_and_label(Role::Button, "回执…").next().unwrap().click();
    c.step_until("the receipt dialog", |app| app.state().supervision.receipt.is_some());
    c.harness.get_by_label("签收人").focus();
    c.harness.step();
    c.harness.get_by_label("签收人").type_text("王科长");
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "登记").click();
    c.step_until("the receipt", |app| {
        app.state().supervision.data.as_ref().is_some_and(|d| d.slips.iter().any(|s| s.status == SlipStatus::Received))
    });

    assert!(c.harness.state().state().supervision.receipt.is_none(), "the dialog closed");
    // A complaint phoned in this morning about B07.
    let staff_no = {
        let dir = c.harness.state().state().directory.clone().unwrap();
        dir.staff.iter().find(|s| s.window.as_deref() == Some("B07")).unwrap().staff_no.clone()
    };
    c.visit(Area::Complaints);
    let before = c.harness.state().state().supervision.data.as_ref().unwrap().complaints.len();
    c.harness.get_by_role_and_label(Role::Button, "登记投诉…").click();
    c.step_until("the form", |app| app.state().supervision.complaint.is_some());
    {
        let d = c.harness.state_mut().state_mut().supervision.complaint.as_mut().unwrap();
        d.at = "2026-11-27 09:20".into();
        d.complainant = "孙女士".into();
        d.contact = "137****5521".into();
        d.content = "B07窗口工作人员办理时玩手机，态度冷淡。".into();
        d.window = "B07".into();
        d.staff_no = staff_no.clone();
    }
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "登记").click();
    c.step_until("the complaint", move |app| {
        app.state().supervision.data.as_ref().is_some_and(|d| d.complaints.len() == before + 1)
    });
    let no = c.harness.state().state().supervision.data.as_ref().unwrap().complaints[0].complaint_no.clone();
    c.harness.state_mut().state_mut().supervision.selected_complaint = Some(no.clone());
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "受理…").click();
    c.step_until("the step dialog", |app| app.state().supervision.complaint_step.is_some());
    c.harness.get_by_role_and_label(Role::Button, "确定").click();
    let accepted = no.clone();
    c.step_until("acceptance", move |app| {
        app.state().supervision.data.as_ref().is_some_and(|d| {
            d.complaints.iter().any(|x| x.complaint_no == accepted && x.status == ComplaintStatus::Accepted)
        })
    });
    // The footage link is one click away; the violation is recorded from the complaint.
    c.harness.get_by_role_and_label(Role::Button, "申请调阅录像…");
    c.harness.get_by_role_and_label(Role::Button, "记录违规…").click();
    c.step_until("the violation form", |app| {
        app.state().area == Area::Violations && app.state().supervision.violation.is_some()
    });
    let draft = c.harness.state().state().supervision.violation.clone().unwrap();
    assert_eq!((draft.complaint_no.as_str(), draft.staff_no.as_str()), (no.as_str(), staff_no.as_str()));
    c.harness.get_by_role_and_label(Role::Button, "记录").click();
    let linked = no.clone();
    c.step_until("the violation", move |app| {
        app.state()
            .supervision
            .data
            .as_ref()
            .is_some_and(|d| d.violations.iter().any(|v| v.complaint_no.as_deref() == Some(linked.as_str())))
    });
    assert!(c.harness.state().state().supervision.data.as_ref().unwrap().flags.is_empty());
    assert!(c.harness.query_by_role_and_label(Role::Button, "问责…").is_none(), "supervisors do not decide");

    // The chief decides 诫勉谈话: the bureau's second warning within a year.
    c.harness.state_mut().push(jiancha::ui::command::Command::Logout);
    c.harness.step();
    c.harness.state_mut().state_mut().login.username.clear();
    c.log_in("chief1");
    c.visit(Area::Violations);
    c.step_until("the register", |app| app.state().supervision.data.is_some());
    c.harness.get_all_by_role_and_label(Role::Button, "问责…").next().unwrap().click();
    c.step_until("the decision dialog", |app| app.state().supervision.decision.is_some());
    c.harness.get_by_role_and_label(Role::CheckBox, "诫勉谈话").click();
    c.harness.step();
    c.harness.get_by_role_and_label(Role::Button, "决定").click();
    c.step_until("the flag", |app| app.state().supervision.data.as_ref().is_some_and(|d| !d.flags.is_empty()));
    let data = c.harness.state().state().supervision.data.clone().unwrap();
    assert_eq!(data.flags[0].department, "市税务局");
    assert!(data.violations.iter().any(|v| v.item == "12(6)"));
    assert!(
        c.harness.query_all_by_label_contains("一年内工作人员两次以上受到告诫").next().is_some(),
        "the flag is shown"
    );
}

#[test]
fn a_console_on_a_server_follows_pushed_cases_survives_a_lost_link_and_sends_its_outbox_once() {
    use jiancha::store::prelude::*;
    use jiancha::store::{AlertQuery, AuditQuery};
    use jiancha::ui::alerts::state::AlertDialog;
    let hall = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    crate::support::demo_hall::write_demo(hall.path(), 11, jiancha::clock::Clock::now(&*clock));
    let open = || Arc::new(jiancha::store::sqlite::SqlStore::open_existing_dir(hall.path(), clock.clone()).unwrap());
    let server = jiancha::server::spawn(open(), "127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = server.addr;
    let backend = jiancha::store::remote::Connection { url: server.url(), ca_cert: None };
    let workstation = tempfile::tempdir().unwrap();
    let mut c = Console { harness: harness_with(workstation.path(), clock.clone(), Some(backend)), _dir: workstation };
    c.log_in("supervisor1");
    assert!(!c._dir.path().join("jiancha.db").exists(), "no local database in remote mode");
    c.harness.get_by_label_contains("数据源 http://127.0.0.1");
    c.harness.get_by_label("● 已连接");
    c.visit(Area::Alerts);
    c.step_until("the alert list", |app| app.state().alerts.loaded && !app.state().alerts.rows.is_empty());

    // The approval system pushes an overdue case: the console shows its alert without being asked.
    let approval = jiancha::store::remote::RemoteStore::new(&server.url()).unwrap();
    let pusher = approval.login("supervisor2", jiancha::demo::DEMO_PASSWORD).unwrap();
    let first = std::fs::read_to_string(hall.path().join("import/events.jsonl")).unwrap();
    let mut event: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    event["case_no"] = serde_json::Value::String("PUSH-UI-0001".into());
    assert_eq!(approval.push_events(&pusher, &event.to_string()).unwrap().accepted, 1);
    c.step_until("the pushed case's alert", |app| app.state().alerts.rows.iter().any(|a| a.case_no == "PUSH-UI-0001"));
    // Another workstation closes an alert: it leaves this console's list, taken in as a change (the
    // console holds a newer revision of the alerts), not by reloading the list.
    let revision = c.harness.state().state().alerts.revision;
    let elsewhere = c
        .harness
        .state()
        .state()
        .alerts
        .rows
        .iter()
        .find(|a| a.rule.needs_closing() && a.case_no != "PUSH-UI-0001")
        .unwrap()
        .clone();
    approval.close_alert(&pusher, elsewhere.id, "另一工作站已核实处理").unwrap();
    c.step_until("the alert closed elsewhere leaves the list", |app| {
        !app.state().alerts.rows.iter().any(|a| a.id == elsewhere.id)
    });
    assert!(c.harness.state().state().alerts.revision > revision);

    // The server goes away: the console says so and keeps what it shows.
    server.stop();
    c.step_until("the offline banner", |app| app.state().link.offline);
    c.harness.get_by_label_contains("离线：服务器无法连接");
    c.harness.get_by_label("● 离线");
    assert!(!c.harness.state().state().alerts.rows.is_empty());
    // Closing an alert meanwhile: kept in the outbox, the dialog done.
    let alert = c
        .harness
        .state()
        .state()
        .alerts
        .rows
        .iter()
        .find(|a| a.rule.as_str() != "deadline_prompt" && a.state == jiancha::store::AlertState::Open)
        .unwrap()
        .clone();
    c.harness.state_mut().push(jiancha::ui::alerts::AlertsCommand::OpenDialog(AlertDialog::Close {
        alert_id: alert.id,
        reason: "离线时已核实并处理".into(),
    }));
    c.harness.state_mut().push(jiancha::ui::alerts::AlertsCommand::SubmitDialog);
    c.step_until("the queued close", |app| {
        app.state().notice.as_ref().is_some_and(|(_, t)| t.contains("发件箱")) && app.state().link.pending == 1
    });
    assert!(c.harness.state().state().alerts.dialog.is_none());
    c.harness.get_by_label("发件箱 1");

    // The server is back on the same address: the outbox goes out once, and the console says so.
    let server = jiancha::server::spawn(open(), addr).unwrap();
    c.step_until("the outbox sent", |app| {
        app.state().notice.as_ref().is_some_and(|(_, t)| t.contains("已恢复连接")) && app.state().link.pending == 0
    });
    assert!(!c.harness.state().state().link.offline);
    let auditor = approval.login("auditor1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let closes = approval
        .audit_log(
            &auditor,
            &AuditQuery { action_prefix: Some("alert.close".into()), limit: 50, ..AuditQuery::default() },
        )
        .unwrap();
    let id = format!("\"alert_id\":{}", alert.id);
    assert_eq!(closes.iter().filter(|r| r.detail.contains(&id)).count(), 1, "{closes:?}");
    let all = approval.alerts(&pusher, &AlertQuery { include_inactive: true, ..AlertQuery::default() }).unwrap();
    assert!(all.iter().any(|a| a.id == alert.id && a.state == jiancha::store::AlertState::Closed));
    server.stop();
}

impl Console {
    /// Clicks the button (not a label) called `label`, once it shows.
    fn click_button(&mut self, label: &str) {
        fn button<'a>(h: &'a Harness<'static, JianchaApp>, label: &'a str) -> Option<egui_kittest::Node<'a>> {
            h.query_all_by_label(label).find(|n| !matches!(n.accesskit_node().role(), Role::Label))
        }
        for _ in 0..50 {
            if button(&self.harness, label).is_some() {
                break;
            }
            self.harness.step();
            std::thread::sleep(Duration::from_millis(10));
        }
        button(&self.harness, label).unwrap_or_else(|| panic!("no button {label}")).click();
        for _ in 0..3 {
            self.harness.step();
        }
    }

    /// Types `text` into the text field labelled `label` (at the end of what it holds), once it shows.
    fn fill(&mut self, label: &str, text: &str) {
        fn field<'a>(h: &'a Harness<'static, JianchaApp>, label: &'a str) -> Option<egui_kittest::Node<'a>> {
            h.query_all_by_label(label)
                .find(|n| matches!(n.accesskit_node().role(), Role::TextInput | Role::PasswordInput))
        }
        for _ in 0..50 {
            if field(&self.harness, label).is_some() {
                break;
            }
            self.harness.step();
            std::thread::sleep(Duration::from_millis(10));
        }
        field(&self.harness, label).unwrap_or_else(|| panic!("no text field {label}")).focus();
        self.harness.step();
        field(&self.harness, label).unwrap_or_else(|| panic!("no text field {label}")).type_text(text);
        self.harness.step();
    }

    /// Picks `option` in the drop-down labelled `label`.
    fn choose(&mut self, label: &str, option: &str) {
        self.harness
            .get_all_by_label(label)
            .find(|n| n.accesskit_node().role() == Role::ComboBox)
            .unwrap_or_else(|| panic!("no drop-down {label}"))
            .click();
        self.harness.step();
        self.harness.step();
        self.click_button(option);
    }

    /// With JIANCHA_SCREENSHOTS=DIR, renders the screen to DIR/NAME.png (for looking at it).
    fn screenshot(&mut self, name: &str) {
        let Some(dir) = std::env::var_os("JIANCHA_SCREENSHOTS") else { return };
        let image = self.harness.render().expect("rendered");
        let path = std::path::Path::new(&dir).join(format!("{name}.png"));
        let file = std::fs::File::create(&path).unwrap();
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), image.width(), image.height());
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(image.as_raw()).unwrap();
    }
}

/// A new user's first day: a fresh data directory → 新建本大厅 → the administrator and the hall → in
/// 系统管理 a department, a window and a camera with the Hikvision preset pointed at the simulated
/// cameras (password protected, like a real one) → 测试连接 shows a frame → the camera is live on the
/// wall; a supervisor added there does not see 系统管理.
#[test]
fn a_new_hall_is_set_up_in_the_console_and_its_camera_goes_live() {
    use jiancha::video::sim::{SimCamera, SimOptions, SimServer};
    let options = SimOptions { credentials: Some(("admin".into(), "Cam-Pass-1".into())), ..SimOptions::default() };
    let sim = SimServer::start(0, &[SimCamera { index: 1, label: "A01 市场监管".into() }], &options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    let harness = harness_for(dir.path(), clock);
    let data_dir = dir.path().to_owned();
    let mut c = Console { harness, _dir: dir };
    c.step_until("the first start", |app| app.state().screen == Screen::FirstStart);
    c.harness.get_by_label("打开演示大厅");
    c.screenshot("01-first-start");
    c.click_button("新建本大厅");
    c.fill("用户名", "hall.admin");
    c.fill("姓名", "王管理");
    c.fill("密码", "admin-pass-1");
    c.fill("再输入一次", "admin-pass-1");
    c.fill("大厅编码", "SP-CITY");
    c.fill("大厅名称", "四平市政务服务中心");
    c.screenshot("02-new-hall");
    c.click_button("建立并进入系统管理");
    c.step_until("系统管理", |app| {
        let s = app.state();
        s.screen == Screen::Main && s.area == Area::Admin && s.admin.config.is_some()
    });
    assert!(data_dir.join("jiancha.db").exists());

    c.click_button("部门");
    c.click_button("新增部门…");
    c.fill("部门全称", "市市场监督管理局");
    c.fill("简称", "市场监管");
    c.click_button("保存");
    c.step_until("the department", |app| app.state().admin.config.as_ref().is_some_and(|c| c.departments.len() == 1));

    c.click_button("窗口");
    c.click_button("新增窗口…");
    c.fill("窗口号", "A01");
    c.fill("名称", "市场监管 1 号窗");
    c.choose("部门", "市市场监督管理局");
    c.click_button("保存");
    c.step_until("the window", |app| app.state().admin.config.as_ref().is_some_and(|c| c.windows.len() == 1));

    c.click_button("摄像头");
    c.click_button("新增摄像头…");
    c.fill("名称", "A01 市场监管");
    c.choose("窗口", "A01");
    c.fill("地址", "127.0.0.1");
    // The port field holds 554: focus it, clear it, type the simulator's.
    c.fill("端口", "");
    for _ in 0..3 {
        c.harness.key_press(egui::Key::Backspace);
        c.harness.step();
    }
    c.fill("端口", &sim.port().to_string());
    c.fill("密码", "Cam-Pass-1");
    c.harness.get_by_label_contains(&format!("rtsp://127.0.0.1:{}/Streaming/Channels/101", sim.port()));
    c.click_button("测试连接");
    c.step_until("the connection test", |app| app.state().admin.probe.result.is_some());
    let probe = c.harness.state().state().admin.probe.result.clone().unwrap().expect("the stream opens");
    assert_eq!((probe.width, probe.height), (1280, 720), "{probe:?}");
    assert!(probe.codec.starts_with("H.264") && probe.fps > 1.0, "{probe:?}");
    c.harness.get_by_label("连接成功");
    c.screenshot("03-camera-test");
    c.click_button("保存");
    c.step_until("the camera", |app| app.state().admin.config.as_ref().is_some_and(|c| c.cameras.len() == 1));
    c.screenshot("04-cameras");

    // 巡察设置: the sub stream's picture now (with the sealed password) becomes the reference view,
    // and a drag on it frames the staff seat.
    c.harness.get_by_label("未设置");
    c.click_button("巡察设置…");
    c.step_until("the picture now", |app| app.state().admin.watch.picture.is_some());
    if let Some(Err(e)) = &c.harness.state().state().admin.watch.picture {
        panic!("no picture: {e}");
    }
    c.click_button("设为基准画面");
    c.step_until("the reference view", |app| app.state().admin.watch.reference.is_some());
    let canvas = c.harness.get_by_label("座位区域画面").rect();
    let at = |fx: f32, fy: f32| canvas.min + egui::vec2(fx * canvas.width(), fy * canvas.height());
    c.harness.hover_at(at(0.25, 0.2));
    c.harness.step();
    c.harness.drag_at(at(0.25, 0.2));
    c.harness.step();
    for i in 1..=5 {
        let f = i as f32 / 5.0;
        c.harness.hover_at(at(0.25 + 0.5 * f, 0.2 + 0.6 * f));
        c.harness.step();
    }
    c.harness.drop_at(at(0.75, 0.8));
    c.harness.step();
    c.harness.get_by_label_contains("新画的座位区域（未保存）");
    c.screenshot("04b-watch-setup");
    c.click_button("保存座位区域");
    c.step_until("the seat saved", |app| {
        let s = app.state();
        !s.admin.pending && s.admin.watch.setup.as_ref().is_some_and(|w| w.as_ref().is_ok_and(|w| w.seat.is_some()))
    });
    c.harness.get_by_label("座位区域已保存。");
    {
        use jiancha::store::Store as _;
        use jiancha::store::prelude::*;
        let store = jiancha::store::sqlite::SqlStore::open_dir(&data_dir, Arc::new(FixedClock::new(now()))).unwrap();
        let admin = store.login("hall.admin", "admin-pass-1").unwrap();
        let watch = store.watch_config(&admin).unwrap().cameras.remove(0);
        let seat = watch.seat.expect("the seat region");
        let near = |a: f32, b: f32| (a - b).abs() < 0.02;
        assert!(near(seat.x, 0.25) && near(seat.y, 0.2) && near(seat.width, 0.5) && near(seat.height, 0.6), "{seat:?}");
        let png = watch.reference_png.expect("the reference view");
        assert_eq!(Some(jiancha::files::sha256_hex(&png)), watch.reference_sha256);
        assert_eq!(jiancha::domain::watch::png_size(&png), Some(jiancha::video::watch_live::PICTURE));
        assert_eq!(watch.reference_set_by.as_deref(), Some("hall.admin"));
        let query =
            jiancha::store::AuditQuery { action_prefix: Some("camera".into()), limit: 10, ..Default::default() };
        let actions: Vec<String> = store.audit_log(&admin, &query).unwrap().into_iter().map(|a| a.action).collect();
        assert!(actions.contains(&"camera.reference".into()) && actions.contains(&"camera.seat".into()), "{actions:?}");
    }
    c.click_button("关闭");
    c.step_until("the dialog closed", |app| app.state().admin.form.is_none());
    c.harness.get_by_label("基准画面 · 座位");

    // On the wall, live, with the sealed password (the directory itself has none).
    c.visit(Area::Wall);
    c.step_until("the live tile", |app| {
        app.state()
            .wall
            .tiles
            .values()
            .any(|t| t.status == jiancha::video::decoder::TileStatus::Playing && t.picture.is_some())
    });
    c.screenshot("05-wall");

    // A supervisor, added in 系统管理, does not see it.
    c.visit(Area::Admin);
    c.click_button("用户");
    c.click_button("新增用户…");
    c.fill("用户名", "supervisor1");
    c.fill("姓名", "张明");
    c.click_button("监察员");
    c.fill("初始密码", "super-pass-1");
    c.fill("再输入一次", "super-pass-1");
    c.click_button("保存");
    c.step_until("the supervisor", |app| app.state().admin.users.len() == 2);
    c.screenshot("06-users");
    c.click_button("退出登录");
    c.step_until("the login screen", |app| app.state().screen == Screen::Login);
    // The login form keeps the last user name: select it and type over it.
    c.fill("用户名", "");
    c.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    c.harness.step();
    c.fill("用户名", "supervisor1");
    assert_eq!(c.harness.state().state().login.username, "supervisor1");
    c.fill("密码", "super-pass-1");
    c.click_button("登录");
    c.step_until("the main screen", |app| app.state().screen == Screen::Main);
    assert!(c.harness.query_by_label("系统管理").is_none(), "a supervisor does not see 系统管理");
    drop(sim);
}

use crate::support::onvif_responder;

/// 搜索摄像头 (ONVIF) in 系统管理, against the loopback responder: the device is listed, 添加为摄像头
/// opens the camera dialog with its host, and the device's stream URIs fill it in with the user and
/// password typed there.
#[test]
fn onvif_search_fills_in_a_new_camera() {
    let http = onvif_responder::device_responder();
    let target = onvif_responder::discovery_responder(http);
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    let admin = jiancha::store::NewUser {
        username: "hall.admin".into(),
        display_name: "王管理".into(),
        role: jiancha::domain::access::Role::Admin,
        password: "admin-pass-1".into(),
        halls: Vec::new(),
    };
    let config = jiancha::interchange::hall::parse(
        "hall.toml",
        "[hall]\ncode = \"SP\"\nname = \"四平市政务服务中心\"\n\n[[window]]\ncode = \"A01\"\n",
    )
    .unwrap();
    jiancha::store::sqlite::init::initialise(dir.path(), clock.clone(), &admin, Some(&config)).unwrap();
    let harness = harness_for(dir.path(), clock);
    let mut c = Console { harness, _dir: dir };
    c.step_until("the login screen", |app| app.state().screen == Screen::Login);
    c.fill("用户名", "hall.admin");
    c.fill("密码", "admin-pass-1");
    c.click_button("登录");
    c.step_until("the main screen", |app| app.state().screen == Screen::Main);
    c.visit(Area::Admin);
    c.click_button("摄像头");
    c.fill("搜索地址", "");
    c.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    c.harness.step();
    c.fill("搜索地址", &target);
    c.click_button("搜索摄像头 (ONVIF)");
    c.step_until("the devices", |app| app.state().admin.discovery.devices.is_some());
    c.harness.get_by_label("DS-2CD2T47G2-L");
    c.screenshot("07-onvif");
    c.click_button("添加为摄像头…");
    c.step_until("the camera dialog", |app| app.state().admin.form.is_some());
    c.fill("密码", onvif_responder::PASSWORD);
    c.click_button("从摄像头获取码流地址");
    c.step_until("the stream URIs", |app| !app.state().admin.discovery.uris_running);
    assert_eq!(c.harness.state().state().admin.discovery.uris_error, None);
    c.harness.get_by_label_contains("rtsp://127.0.0.1:554/Streaming/Channels/101");
    c.click_button("保存");
    c.step_until("the camera", |app| app.state().admin.config.as_ref().is_some_and(|c| c.cameras.len() == 1));
    let camera = c.harness.state().state().admin.config.as_ref().unwrap().cameras[0].clone();
    assert_eq!(camera.name, "A01 市场监管", "named as the device calls itself");
    assert_eq!(camera.vendor, jiancha::domain::hall::Vendor::Rtsp);
    assert_eq!(
        camera.sub_url.as_deref(),
        Some("rtsp://127.0.0.1:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2")
    );
}

/// 连接服务器 from the first start: the address is saved in the workstation's settings and the console
/// logs in against the server; no local database is made.
#[test]
fn the_first_start_connects_to_a_server() {
    let hall = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    crate::support::demo_hall::write_demo(hall.path(), 11, jiancha::clock::Clock::now(&*clock));
    let store = Arc::new(jiancha::store::sqlite::SqlStore::open_existing_dir(hall.path(), clock.clone()).unwrap());
    let server = jiancha::server::spawn(store, "127.0.0.1:0".parse().unwrap()).unwrap();
    let workstation = tempfile::tempdir().unwrap();
    let mut c = Console { harness: harness_for(workstation.path(), clock), _dir: workstation };
    c.step_until("the first start", |app| app.state().screen == Screen::FirstStart);
    c.click_button("连接服务器");
    c.fill("服务器地址", &server.url());
    c.click_button("连接");
    c.log_in("supervisor1");
    assert!(!c._dir.path().join("jiancha.db").exists(), "no local database in remote mode");
    let saved = std::fs::read_to_string(c._dir.path().join("workstation.toml")).unwrap();
    assert!(saved.contains(&server.url()), "{saved}");
    c.harness.get_by_label_contains("数据源 http://127.0.0.1");
}

use crate::support::assessment_hall;

/// Issue 17: on a hall of its own, a chief opens 绩效评估 on last month, drills from the tax office's
/// deadline points down to its overdue case, publishes the month and writes the bulletin.
#[test]
fn a_chief_drills_from_a_deduction_to_the_overdue_case_publishes_and_writes_the_bulletin() {
    let clock = Arc::new(FixedClock::new(assessment_hall::t("2025-12-01T09:00:00+08:00")));
    let (dir, store) = assessment_hall::commissioned(clock.clone());
    assessment_hall::the_months(&store, &clock);
    drop(store);
    let harness = harness_for(dir.path(), clock);
    let mut c = Console { harness, _dir: dir };
    c.log_in_with("chief1", assessment_hall::PASSWORD);
    c.visit(Area::Assessment);
    c.step_until("last month's assessment", |app| app.state().assessment.view.is_some());
    assert_eq!(
        c.harness.state().state().assessment.month,
        Some(assessment_hall::feb()),
        "10 March: last month is February"
    );
    c.harness.get_by_label_contains("未发布");
    c.click_button("县税务局");
    c.click_button("查看扣分明细");
    c.step_until("the drill-down", |app| app.state().assessment.items.is_some());
    c.harness.get_by_label_contains("承诺期限2026-02-09");
    c.screenshot("assessment-card");
    c.click_button("T3");
    c.step_until("the overdue case", |app| app.state().alerts.case.as_ref().is_some_and(|k| k.detail.is_some()));
    assert_eq!(c.harness.state().state().area, Area::Alerts);
    assert_eq!(c.harness.state().state().alerts.case.as_ref().map(|k| k.case_no.as_str()), Some("T3"));

    c.visit(Area::Assessment);
    c.click_button("发布本月…");
    c.click_button("发布");
    c.step_until("the publication", |app| {
        app.state().assessment.view.as_ref().is_some_and(|v| !v.published.is_empty())
    });
    assert!(c.harness.query_all_by_label_contains("已发布 第1版").count() >= 1);
    c.click_button("生成通报");
    c.step_until("the bulletin", |app| app.state().assessment.message.as_ref().is_some_and(|m| m.ends_with(".pdf")));
    c.screenshot("assessment-published");
    let path = c.harness.state().state().assessment.message.clone().unwrap();
    let text = std::process::Command::new("pdftotext").arg(&path).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("第1版") && text.contains("县税务局") && text.contains("32.00"), "{text}");
}

#[test]
fn a_supervisor_dismisses_one_camera_finding_with_a_reason_and_confirms_another() {
    use camera_hall::PASSWORD;
    use jiancha::domain::watch::{FindingDecision, FindingKind};
    use jiancha::store::prelude::*;
    use jiancha::store::{FindingQuery, Store, WatchReport};
    use jiancha::video::watch_live::{PICTURE, Picture};
    let clock = Arc::new(FixedClock::new(now()));
    let (dir, store, cameras) = camera_hall::four_cameras(clock.clone());
    let system = store.system_session();
    let scene = |script: &str| {
        let script = jiancha::video::scene::Script::parse("t", script).unwrap();
        Picture {
            width: PICTURE.0,
            height: PICTURE.1,
            rgb: jiancha::video::scene::render_rgb(&script, 0, PICTURE.0, PICTURE.1),
        }
        .png()
    };
    let since = now() - chrono::Duration::minutes(20);
    for (camera, kind, first, second) in [
        (cameras[0], FindingKind::Blocked, scene(""), scene("0s covered 1h")),
        (cameras[1], FindingKind::Absent, scene("0s away 1h"), None),
    ] {
        store.report_watch(&system, &WatchReport::Raised { camera_id: camera, kind, since, first, second }).unwrap();
    }
    drop(store);
    let harness = harness_for(dir.path(), clock);
    let mut c = Console { harness, _dir: dir };
    c.log_in_with("sup", PASSWORD);
    c.visit(Area::Alerts);
    c.step_until("the findings", |app| app.state().alerts.findings.len() == 2);
    // The blocked camera is listed first (open and red, newest raised first among equals).
    let blocked =
        c.harness.state().state().alerts.findings.iter().position(|f| f.kind == FindingKind::Blocked).unwrap();
    let dismiss = c.harness.query_all_by_label("排除…").nth(blocked).unwrap();
    dismiss.click();
    c.step_until("the dialog and its snapshots", |app| app.state().alerts.finding_pictures.0.len() == 2);
    c.screenshot("finding-dismiss");
    let field =
        c.harness.query_all_by_label("排除理由（必填）").find(|n| n.accesskit_node().role() != Role::Label).unwrap();
    field.focus();
    c.harness.step();
    c.harness
        .query_all_by_label("排除理由（必填）")
        .find(|n| n.accesskit_node().role() != Role::Label)
        .unwrap()
        .type_text("保洁擦拭镜头");
    c.harness.step();
    c.click_button("排除");
    c.step_until("the dismissal", |app| {
        app.state().alerts.dialog.is_none()
            && app.state().alerts.findings.iter().any(|f| f.decision == Some(FindingDecision::Dismissed))
    });
    c.click_button("确认…");
    c.step_until("the confirmation dialog", |app| app.state().alerts.dialog.is_some());
    c.click_button("确认");
    c.step_until("the confirmation", |app| app.state().alerts.findings.iter().all(|f| f.decision.is_some()));
    let store = jiancha::store::sqlite::SqlStore::open_dir(c._dir.path(), Arc::new(FixedClock::new(now()))).unwrap();
    let sup = store.login("sup", PASSWORD).unwrap();
    let decided = store.camera_findings(&sup, &FindingQuery::default()).unwrap();
    let by = |k: FindingKind| decided.iter().find(|f| f.kind == k).unwrap().clone();
    assert_eq!(
        (by(FindingKind::Blocked).decision, by(FindingKind::Blocked).reason.as_str()),
        (Some(FindingDecision::Dismissed), "保洁擦拭镜头")
    );
    let absent = by(FindingKind::Absent);
    assert_eq!(absent.decision, Some(FindingDecision::Confirmed));
    let day = jiancha::domain::time::local_date(since);
    let observations = store.observations(&sup, day, day).unwrap();
    assert!(observations.iter().any(|o| o.finding_id == Some(absent.id) && o.category == "离岗"), "{observations:?}");

    // The footage around a finding is requested under the usual access rules, not played at once.
    let row = c.harness.state().state().alerts.findings.iter().position(|f| f.id == absent.id).unwrap();
    c.harness.query_all_by_label("申请调阅录像…").nth(row).unwrap().click();
    c.step_until("the request draft", |app| app.state().footage.draft.is_some());
    let draft = c.harness.state().state().footage.draft.clone().unwrap();
    assert_eq!(draft.cameras.iter().copied().collect::<Vec<_>>(), vec![absent.camera_id]);
    assert!(draft.purpose.contains(&format!("自动检测 #{}", absent.id)), "{}", draft.purpose);
    assert_eq!(
        draft.from,
        jiancha::domain::time::local_datetime(since - chrono::Duration::minutes(1)).format("%H:%M").to_string()
    );
}

/// Issue 28, dual authorisation in the console: the administrator's new chief waits in 系统管理 → 用户
/// for a second person (the administrator may only withdraw it); the chief, who sees 系统管理 for this
/// alone, confirms it, and only then the account exists.
#[test]
fn a_chief_confirms_in_the_console_the_chief_an_administrator_asked_for() {
    use jiancha::domain::access::Role as UserRole;
    use jiancha::store::Store as _;
    use jiancha::store::prelude::*;
    let mut c = console();
    let clock = Arc::new(FixedClock::new(now()));
    let store = jiancha::store::sqlite::SqlStore::open_existing_dir(c._dir.path(), clock).unwrap();
    let admin = store.login("admin1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let new = jiancha::store::NewUser {
        username: "chief.zhao".into(),
        display_name: "赵主任".into(),
        role: UserRole::Chief,
        password: "temporary-2026".into(),
        halls: Vec::new(),
    };
    let asked = store.create_user(&admin, &new).unwrap();
    assert!(asked.pending_change.is_some());

    c.log_in("admin1");
    c.visit(Area::Admin);
    c.harness.state_mut().push(jiancha::ui::admin::AdminCommand::Tab(jiancha::ui::admin::state::AdminTab::Users));
    c.step_until("the account changes", |app| !app.state().admin.changes.is_empty());
    assert!(c.harness.query_all_by_label("等待他人确认").next().is_some(), "the asker waits");
    assert!(c.harness.query_all_by_label("确认").next().is_none(), "and cannot confirm it");
    c.screenshot("dual-authorisation-admin");
    c.harness.state_mut().push(jiancha::ui::command::Command::Logout);
    c.harness.step();
    c.harness.state_mut().state_mut().login.username.clear();

    c.log_in("chief1");
    c.visit(Area::Admin);
    c.step_until("the chief's list", |app| app.state().admin.changes.iter().any(|ch| ch.outcome.is_none()));
    assert!(c.harness.query_all_by_label_contains("赵主任").next().is_some(), "the request is shown");
    c.screenshot("dual-authorisation-chief");
    c.click_button("确认");
    c.step_until("the confirmation", |app| app.state().admin.changes.iter().all(|ch| ch.outcome.is_some()));
    let session = store.login("chief.zhao", "temporary-2026").unwrap();
    assert_eq!(session.role, UserRole::Chief);
    assert!(session.must_change_password, "the new chief chooses their own password");
}

/// 2027 has no data on 27 Nov 2026: the status bar says so and, for an administrator, leads to 系统管理 →
/// 工作日历, where the year's holidays are entered as a form per holiday and saved; the warning goes.
#[test]
fn the_status_bar_leads_an_administrator_to_enter_next_years_holidays() {
    use jiancha::store::Store as _;
    use jiancha::store::prelude::*;
    use jiancha::ui::admin::calendar::HolidayRow;
    let mut c = console();
    c.log_in("admin1");
    c.step_until("the opened hall", |app| app.state().opened.is_some());
    let missing = c.harness.state().state().overview.as_ref().unwrap().calendar_missing_years.clone();
    assert_eq!(missing, vec![2027], "2026 is known, 2027 not yet");
    let link = c
        .harness
        .query_all_by_label_contains("录入")
        .find(|n| n.accesskit_node().role() == Role::Link)
        .expect("the warning is a link for an administrator");
    link.click();
    c.step_until("the 2027 calendar", |app| app.state().admin.calendar.view.as_ref().is_some_and(|v| v.year == 2027));
    assert_eq!(c.harness.state().state().area, Area::Admin);
    c.click_button("录入 / 修改…");
    c.step_until("the form", |app| app.state().admin.calendar.rows.is_some());
    {
        // As typed in the form: 元旦 on 1 Jan; 春节 off 6–14 Feb with a make-up working day on Sat 20 Feb.
        let tab = &mut c.harness.state_mut().state_mut().admin.calendar;
        tab.notice = "国办发明电〔2026〕1号".into();
        tab.rows = Some(vec![
            HolidayRow {
                name: "元旦".into(),
                first_off: "2027-01-01".into(),
                last_off: String::new(),
                make_up: String::new(),
            },
            HolidayRow {
                name: "春节".into(),
                first_off: "2027-02-06".into(),
                last_off: "2027-02-14".into(),
                make_up: "2027-02-20".into(),
            },
        ]);
    }
    c.harness.step();
    c.screenshot("calendar-form");
    c.click_button("保存并重算在办件");
    c.step_until("the save", |app| app.state().admin.calendar.saved.is_some());
    c.step_until("the status bar without the warning", |app| {
        app.state().overview.as_ref().is_some_and(|o| o.calendar_missing_years.is_empty())
    });
    assert!(c.harness.query_all_by_label_contains("节假日数据缺失").next().is_none(), "no warning left on screen");
    c.screenshot("calendar-saved");
    let state = c.harness.state().state();
    assert!(state.opened.as_ref().unwrap().calendar_warning.is_none(), "the status bar's warning is gone");
    let view = state.admin.calendar.view.clone().unwrap();
    assert_eq!(
        (view.source, view.schedule.as_ref().unwrap().days.len()),
        (jiancha::store::CalendarSource::Entered, 11)
    );
    let store =
        jiancha::store::sqlite::SqlStore::open_existing_dir(c._dir.path(), Arc::new(FixedClock::new(now()))).unwrap();
    let s = store.login("admin1", jiancha::demo::DEMO_PASSWORD).unwrap();
    let held = store.calendar_year(&s, 2027).unwrap();
    assert_eq!(
        (held.entered_by.as_deref(), held.schedule.unwrap().notice.as_str()),
        (Some("admin1"), "国办发明电〔2026〕1号")
    );
}

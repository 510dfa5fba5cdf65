//! Notifications (issue 33) end to end: the outbox filled from real alerts, the sender's requests to a
//! local HTTP receiver checked field by field as WeCom, DingTalk (its signature computed here with
//! *ring*, independently of the program) and an SMS gateway take them, failures (500, a timeout, a
//! closed port) retried with backoff and delivered once, quiet hours and the digest, 已阅, no secret in
//! any message, answer, log record or audit record, a real SMTP server (aiosmtpd) over STARTTLS, a
//! server killed mid-send, and two servers on one database.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use jiancha::clock::{Clock, FixedClock};
use jiancha::domain::access::Role;
use jiancha::domain::notify::{
    Channel, ChannelSetup, EmailSetup, NotifySettings, Person, RobotSetup, SmsBody, SmsSetup, SmsSign, SmtpSecurity,
};
use jiancha::interchange::{self, ImportKind};
use jiancha::store::prelude::*;
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{AuditQuery, MessageState, NewUser, NotifyLogQuery, NotifyRecord, SecretValue, Session};

const WECOM_KEY: &str = "WECOMKEY-7f3a9c0d51";
const DING_TOKEN: &str = "DINGTOKEN-4b8e2f6a90";
const DING_SECRET: &str = "SECdingsecret-3c9d1e7b";
const SMS_SECRET: &str = "SMSSECRET-8a2f4c6e0b";
const MOBILE: &str = "13912345678";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const ITEMS: &str = "item_code,item_name,department,legal_days,promised_days,fee_yuan,workflow,step_limits\n\
SCJG-004,食品经营许可,市市场监督管理局,20,5,0,accept|review|approve|complete,1|5|2|2\n";

fn accept(case_no: &str) -> String {
    format!(
        r#"{{"case_no":"{case_no}","item_code":"SCJG-004","hall":"SP-CITY","window":"A01","staff_no":"S0001","step":"accept","occurred_at":"2026-11-02T10:00:00+08:00"}}"#
    )
}

// ---------------------------------------------------------------------------------------------------
// A local HTTP receiver standing for the platforms.

#[derive(Debug, Clone)]
struct Request {
    target: String,
    headers: BTreeMap<String, String>,
    body: String,
    /// The answer reached a client that was still there (a platform takes a message when it answers).
    accepted: bool,
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Answer,
    Status(u16),
    /// Answer only after this long (the sender times out at 10 s).
    Hold(Duration),
}

struct Receiver {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    mode: Arc<Mutex<Mode>>,
    /// A request is being held now.
    holding: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    fn start(port: u16) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let mode = Arc::new(Mutex::new(Mode::Answer));
        let holding = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, m, h, s) = (requests.clone(), mode.clone(), holding.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (r, m, h) = (r.clone(), m.clone(), h.clone());
                std::thread::spawn(move || serve(stream, &r, &m, &h));
            }
        });
        Receiver { port, requests, mode, holding, stop, thread: Some(thread) }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    fn accepted(&self) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.accepted).collect()
    }

    /// Closes the port (connections are then refused).
    fn close(mut self) -> u16 {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        self.port
    }
}

fn serve(mut stream: TcpStream, requests: &Mutex<Vec<Request>>, mode: &Mutex<Mode>, holding: &AtomicBool) {
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let target = lines.next().unwrap_or_default().split(' ').nth(1).unwrap_or_default().to_owned();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).to_string();
    let now = *mode.lock().unwrap();
    let (status, wait) = match now {
        Mode::Answer => (200, None),
        Mode::Status(s) => (s, None),
        Mode::Hold(d) => (200, Some(d)),
    };
    if let Some(d) = wait {
        holding.store(true, Ordering::SeqCst);
        std::thread::sleep(d);
        holding.store(false, Ordering::SeqCst);
    }
    // Still there? A client that gave up (or was killed) has closed its end.
    stream.set_nonblocking(true).unwrap();
    let gone = matches!(stream.peek(&mut [0u8; 1]), Ok(0));
    stream.set_nonblocking(false).unwrap();
    let answer =
        if status == 200 { r#"{"errcode":0,"errmsg":"ok","code":"0"}"# } else { r#"{"errcode":-1,"errmsg":"busy"}"# };
    let written = !gone
        && stream
            .write_all(
                format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                )
                .as_bytes(),
            )
            .is_ok();
    requests.lock().unwrap().push(Request { target, headers, body, accepted: written && status == 200 });
}

// ---------------------------------------------------------------------------------------------------
// The hall.

fn wang() -> Person {
    Person {
        name: "王科长".into(),
        hall: Some("SP-CITY".into()),
        department: Some("市市场监督管理局".into()),
        mobile: Some(MOBILE.into()),
        email: Some("wang@scjg.sp.gov.cn".into()),
        wecom: None,
        dingtalk: None,
    }
}

struct Hall {
    dir: tempfile::TempDir,
    clock: Arc<FixedClock>,
    store: SqlStore,
}

impl Hall {
    fn new(now: &str, cases: &[&str]) -> Hall {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(at(now)));
        let store = crate::support::backend::open_dir(dir.path(), clock.clone());
        let system = store.system_session();
        for (name, role) in [("admin1", Role::Admin), ("supervisor1", Role::Supervisor)] {
            let user = NewUser {
                username: name.into(),
                display_name: name.into(),
                role,
                password: "jiancha-demo".into(),
                halls: Vec::new(),
            };
            store.create_user(&system, &user).unwrap();
        }
        let mut batch = interchange::parse(ImportKind::Items, "items.csv", ITEMS).unwrap();
        batch.hall = Some("SP-CITY".into());
        store.import(&system, &batch).unwrap();
        let hall = Hall { dir, clock, store };
        hall.import(cases);
        hall
    }

    fn import(&self, cases: &[&str]) {
        if cases.is_empty() {
            return;
        }
        let lines: Vec<String> = cases.iter().map(|c| accept(c)).collect();
        let batch = interchange::parse(ImportKind::Events, "events.jsonl", &lines.join("\n")).unwrap();
        self.store.import(&self.store.system_session(), &batch).unwrap();
    }

    fn admin(&self) -> Session {
        self.store.login("admin1", "jiancha-demo").unwrap()
    }

    fn configure(&self, settings: &NotifySettings, channels: &[(ChannelSetup, Vec<(&str, String)>)]) {
        let admin = self.admin();
        self.store.set_notify_settings(&admin, settings).unwrap();
        for (setup, secrets) in channels {
            let secrets: Vec<SecretValue> =
                secrets.iter().map(|(n, v)| SecretValue { name: (*n).into(), value: v.clone() }).collect();
            self.store.set_notify_channel(&admin, setup, &secrets).unwrap();
        }
    }

    fn log(&self) -> Vec<NotifyRecord> {
        let sup = self.store.login("supervisor1", "jiancha-demo").unwrap();
        self.store.notify_log(&sup, &NotifyLogQuery::default()).unwrap()
    }

    fn round(&self, server: &str) -> jiancha::notify::Round {
        let mut rev = 0;
        jiancha::notify::round(&self.store, server, &mut rev).unwrap()
    }

    fn advance(&self, seconds: i64) {
        self.clock.set(self.clock.now() + chrono::Duration::seconds(seconds));
    }
}

fn enabled(people: Vec<Person>) -> NotifySettings {
    NotifySettings {
        enabled: true,
        people,
        read_link: Some("https://jiancha.sp.gov.cn".into()),
        ..NotifySettings::default()
    }
}

fn robot() -> RobotSetup {
    RobotSetup { per_minute: 20 }
}

fn wecom(port: u16) -> (ChannelSetup, Vec<(&'static str, String)>) {
    (
        ChannelSetup::Wecom(robot()),
        vec![("webhook", format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key={WECOM_KEY}"))],
    )
}

fn sms_setup(port: u16) -> SmsSetup {
    SmsSetup {
        url: format!("http://127.0.0.1:{port}/sms/send"),
        body_kind: SmsBody::Json,
        body: r#"{"mobiles":"{mobile}","content":"{text}","msgId":"{msg_id}","timestamp":"{timestamp}","appKey":"{app_key}","sign":"{sign}"}"#.into(),
        app_key: "SPJC".into(),
        sign: SmsSign::HmacSha256Hex,
        sign_input: "{app_key}{timestamp}{mobile}".into(),
        accept_contains: Some(r#""code":"0""#.into()),
    }
}

fn hmac(key: &str, message: &str) -> Vec<u8> {
    ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes()), message.as_bytes())
        .as_ref()
        .to_vec()
}

fn query(target: &str) -> BTreeMap<String, String> {
    target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), percent_encoding::percent_decode_str(v).decode_utf8().unwrap().to_string()))
        .collect()
}

/// Every secret of the test, for the checks that none leaks.
const SECRETS: [&str; 4] = [WECOM_KEY, DING_TOKEN, DING_SECRET, SMS_SECRET];

fn assert_no_secret(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} carries the secret {s}: {text}");
    }
}

/// A yellow card (黄牌: accepted without the acceptance slip) reaches the department's responsible person
/// on WeCom, DingTalk and SMS, each request as the platform takes it; nobody is told twice, whichever
/// server looks again; the delivery log and the audit records hold no secret; 已阅 by the link.
#[test]
fn a_card_reaches_wecom_dingtalk_and_sms_as_the_platforms_take_them() {
    let receiver = Receiver::start(0);
    let port = receiver.port;
    let hall = Hall::new("2026-11-02T10:30:00+08:00", &["SP1"]);
    let alerts = hall.store.alerts(&hall.admin(), &jiancha::store::AlertQuery::default()).unwrap();
    assert!(alerts.iter().any(|a| a.level == jiancha::domain::alerts::Level::Orange), "{alerts:?}");
    let duty = Person {
        name: "值班员".into(),
        hall: None,
        department: None,
        mobile: Some("13800000001".into()),
        email: None,
        wecom: None,
        dingtalk: None,
    };
    hall.configure(
        &enabled(vec![wang(), duty]),
        &[
            wecom(port),
            (
                ChannelSetup::Dingtalk(robot()),
                vec![
                    ("webhook", format!("http://127.0.0.1:{port}/robot/send?access_token={DING_TOKEN}")),
                    ("secret", DING_SECRET.into()),
                ],
            ),
            (ChannelSetup::Sms(sms_setup(port)), vec![("secret", SMS_SECRET.into())]),
        ],
    );
    let round = hall.round("srv-a");
    assert_eq!((round.queued, round.delivered, round.failed_attempts), (3, 3, 0), "{:?}", receiver.requests());
    let now_ms = hall.clock.now().timestamp_millis();
    let requests = receiver.accepted();
    assert_eq!(requests.len(), 3);
    let first_line = "【电子监察】黄牌：办件SP1（食品经营许可，市市场监督管理局）";

    // WeCom: the robot's webhook with its key, a text message mentioning the person by mobile.
    let w = requests.iter().find(|r| r.target.starts_with("/cgi-bin/webhook/send")).unwrap();
    assert_eq!(query(&w.target)["key"], WECOM_KEY);
    let body: serde_json::Value = serde_json::from_str(&w.body).unwrap();
    assert_eq!(body["msgtype"], "text");
    let content = body["text"]["content"].as_str().unwrap();
    assert!(content.starts_with(first_line), "{content}");
    assert!(content.contains("\n已阅请点击 https://jiancha.sp.gov.cn/r/"), "{content}");
    assert_eq!(body["text"]["mentioned_mobile_list"], serde_json::json!([MOBILE]));
    assert!(w.headers.contains_key("x-jiancha-message"), "{:?}", w.headers);

    // DingTalk: timestamp and sign as the platform checks them — Base64(HMAC-SHA256(secret,
    // "timestamp\nsecret")) — computed here with ring.
    let d = requests.iter().find(|r| r.target.starts_with("/robot/send")).unwrap();
    let q = query(&d.target);
    assert_eq!(q["access_token"], DING_TOKEN);
    assert_eq!(q["timestamp"], now_ms.to_string());
    use base64::Engine as _;
    let expected =
        base64::engine::general_purpose::STANDARD.encode(hmac(DING_SECRET, &format!("{now_ms}\n{DING_SECRET}")));
    assert_eq!(q["sign"], expected);
    let body: serde_json::Value = serde_json::from_str(&d.body).unwrap();
    assert_eq!(body["msgtype"], "text");
    assert!(body["text"]["content"].as_str().unwrap().starts_with(first_line));
    assert_eq!(body["at"]["atMobiles"], serde_json::json!([MOBILE]));
    assert_eq!(body["at"]["isAtAll"], false);

    // SMS: the gateway's template filled, signed over app key, timestamp and mobile.
    let s = requests.iter().find(|r| r.target == "/sms/send").unwrap();
    assert_eq!(s.headers["content-type"], "application/json");
    let body: serde_json::Value = serde_json::from_str(&s.body).unwrap();
    assert_eq!(body["mobiles"], MOBILE);
    assert_eq!(body["appKey"], "SPJC");
    assert_eq!(body["timestamp"], now_ms.to_string());
    assert_eq!(body["sign"], hex::encode(hmac(SMS_SECRET, &format!("SPJC{now_ms}{MOBILE}"))));
    assert!(body["content"].as_str().unwrap().starts_with(first_line));
    assert_eq!(body["msgId"].as_str().unwrap(), s.headers["x-jiancha-message"]);
    for r in &requests {
        assert_no_secret("a message body", &r.body);
    }

    // Nobody is told twice: the same server again, another server, a later look.
    assert_eq!(hall.round("srv-a").queued, 0);
    assert_eq!(hall.round("srv-b").queued, 0);
    hall.advance(600);
    assert_eq!(hall.round("srv-b").delivered, 0);
    assert_eq!(receiver.requests().len(), 3);

    // The log: delivered, the address masked, the gateway's answer; the duty person was not told of a
    // department's card.
    let log = hall.log();
    assert_eq!(log.len(), 3, "{log:?}");
    for r in &log {
        assert_eq!(r.state, MessageState::Delivered, "{r:?}");
        assert_eq!(r.person, "王科长");
        assert_eq!(r.address, "139****5678");
        assert_eq!(r.attempts, 1);
        assert!(r.answer.starts_with("HTTP 200"), "{}", r.answer);
        assert_eq!(r.event, "alert_orange");
        assert_no_secret("a log record", &serde_json::to_string(r).unwrap());
    }
    // The settings page names the secrets that are set, never their values.
    let view = hall.store.notify_view(&hall.admin()).unwrap();
    let names: Vec<String> = view.channels.iter().map(|c| c.secrets_set.join(",")).collect();
    assert_eq!(names, ["secret,webhook", "secret", "webhook"]);
    assert_no_secret("the settings page", &serde_json::to_string(&view).unwrap());
    let audit = hall
        .store
        .audit_log(&hall.store.system_session(), &AuditQuery { limit: 200, ..AuditQuery::default() })
        .unwrap();
    assert!(audit.iter().any(|a| a.action == "notify.channel"));
    assert_no_secret("the audit log", &serde_json::to_string(&audit).unwrap());

    // 已阅: the code in the message confirms it, once; the log shows when.
    let code = content.rsplit("/r/").next().unwrap().trim().to_owned();
    assert_eq!(code.len(), 16);
    let page = hall.store.peek_read(&code).unwrap().unwrap();
    assert!(!page.again, "opening the page confirms nothing");
    assert!(hall.log().iter().all(|r| r.read_at.is_none()));
    let read = hall.store.confirm_read(&code).unwrap().unwrap();
    assert_eq!((read.person.as_str(), read.again), ("王科长", false));
    assert!(read.text.starts_with(first_line));
    let again = hall.store.confirm_read(&code.to_lowercase()).unwrap().unwrap();
    assert!(again.again);
    assert_eq!(again.read_at, read.read_at);
    assert_eq!(hall.log().iter().filter(|r| r.read_at == Some(read.read_at)).count(), 1);
    assert!(hall.store.confirm_read("AAAAAAAAAAAAAAAA").unwrap().is_none());
    // The case shows the messages of its alert, and when the person read one.
    let detail = hall.store.case_detail(&hall.admin(), "SP1").unwrap();
    assert_eq!(detail.notifications.len(), 3);
    assert_eq!(detail.notifications.iter().filter_map(|n| n.read_at).collect::<Vec<_>>(), [read.read_at]);
    drop(receiver);
}

/// A gateway that fails (500, then silence past the timeout, then a closed port) gets the message
/// again after a growing wait, and takes it once when it is back; no error carries the robot's key.
#[test]
fn failures_are_retried_with_backoff_and_delivered_once() {
    let receiver = Receiver::start(0);
    let port = receiver.port;
    let hall = Hall::new("2026-11-02T10:30:00+08:00", &["SP1"]);
    hall.configure(&enabled(vec![wang()]), &[wecom(port)]);
    let state = || hall.log().into_iter().next().unwrap();

    receiver.set(Mode::Status(500));
    assert_eq!(hall.round("srv-a").failed_attempts, 1);
    let r = state();
    assert_eq!((r.state, r.attempts), (MessageState::Pending, 1));
    assert!(r.answer.starts_with("HTTP 500"), "{}", r.answer);
    assert_eq!(r.next_try_at, Some(hall.clock.now() + chrono::Duration::seconds(30)));
    // Not before its time.
    hall.advance(29);
    assert_eq!(hall.round("srv-a").failed_attempts, 0);

    hall.advance(1);
    receiver.set(Mode::Hold(Duration::from_secs(13)));
    assert_eq!(hall.round("srv-a").failed_attempts, 1);
    let r = state();
    assert_eq!(r.attempts, 2);
    assert!(r.answer.starts_with("timed out"), "{}", r.answer);
    assert_eq!(r.next_try_at, Some(hall.clock.now() + chrono::Duration::seconds(60)));

    hall.advance(60);
    let port = receiver.close();
    assert_eq!(hall.round("srv-a").failed_attempts, 1);
    let r = state();
    assert_eq!(r.attempts, 3);
    assert!(r.answer.starts_with("cannot connect"), "{}", r.answer);
    assert_eq!(r.next_try_at, Some(hall.clock.now() + chrono::Duration::seconds(120)));
    assert_no_secret("an error", &r.answer);

    hall.advance(120);
    let back = Receiver::start(port);
    let round = hall.round("srv-a");
    assert_eq!((round.delivered, round.failed_attempts), (1, 0));
    let r = state();
    assert_eq!((r.state, r.attempts), (MessageState::Delivered, 4));
    assert_eq!(back.accepted().len(), 1);
    hall.advance(3600);
    assert_eq!(hall.round("srv-a").delivered, 0);
    assert_eq!(back.requests().len(), 1);
}

/// An SMS of a yellow card made at 21:00 waits for 08:00 (the robots' messages go at once); over the
/// hourly limit the rest wait, then go as one digest.
#[test]
fn quiet_hours_hold_sms_and_the_hourly_limit_folds_the_rest_into_a_digest() {
    let receiver = Receiver::start(0);
    let port = receiver.port;
    let hall = Hall::new("2026-11-02T21:00:00+08:00", &["SP1", "SP2", "SP3", "SP4"]);
    let settings = NotifySettings { per_hour: 2, ..enabled(vec![wang()]) };
    hall.configure(
        &settings,
        &[wecom(port), (ChannelSetup::Sms(sms_setup(port)), vec![("secret", SMS_SECRET.into())])],
    );
    let round = hall.round("srv-a");
    assert_eq!((round.queued, round.delivered), (8, 2));
    let log = hall.log();
    let of =
        |channel: Channel, state: MessageState| log.iter().filter(|r| r.channel == channel && r.state == state).count();
    assert_eq!(of(Channel::Wecom, MessageState::Delivered), 2);
    assert_eq!(of(Channel::Wecom, MessageState::Held), 2);
    assert_eq!(of(Channel::Sms, MessageState::Pending), 2);
    assert_eq!(of(Channel::Sms, MessageState::Held), 2);
    let morning = at("2026-11-03T08:00:00+08:00");
    assert!(
        log.iter()
            .filter(|r| r.channel == Channel::Sms && r.state == MessageState::Pending)
            .all(|r| r.due_at == morning)
    );

    // An hour later: the two held WeCom messages go as one digest; the SMS digest waits for 08:00 too.
    hall.advance(3600);
    let round = hall.round("srv-a");
    assert_eq!(round.delivered, 1, "{:?}", hall.log());
    let digest = receiver.accepted().into_iter().last().unwrap();
    let body: serde_json::Value = serde_json::from_str(&digest.body).unwrap();
    let text = body["text"]["content"].as_str().unwrap();
    assert!(text.starts_with("【电子监察】过去一小时另有2条提醒：\n1. 黄牌：办件SP3"), "{text}");
    assert!(text.contains("\n2. 黄牌：办件SP4"), "{text}");
    let log = hall.log();
    assert_eq!(log.iter().filter(|r| r.state == MessageState::Digested).count(), 4);
    assert!(log.iter().all(|r| r.state != MessageState::Held));

    // 08:00: the three SMS (two messages, one digest) go.
    hall.clock.set(morning);
    assert_eq!(hall.round("srv-a").delivered, 3);
    assert_eq!(receiver.accepted().iter().filter(|r| r.target == "/sms/send").count(), 3);
}

/// Two servers on one database (PostgreSQL in CI's second pass; one SQLite file otherwise) each run a
/// sender: each of 12 messages reaches the receiver once. A server that stopped mid-send (its claims
/// left) sends them again when it starts.
#[test]
fn two_servers_on_one_database_send_each_message_once() {
    let receiver = Receiver::start(0);
    let port = receiver.port;
    let cases: Vec<String> = (1..=12).map(|i| format!("SP{i}")).collect();
    let hall = Hall::new("2026-11-02T10:30:00+08:00", &cases.iter().map(String::as_str).collect::<Vec<_>>());
    hall.configure(&NotifySettings { per_hour: 60, ..enabled(vec![wang()]) }, &[wecom(port)]);
    receiver.set(Mode::Hold(Duration::from_millis(200)));
    // Server A claims a batch and stops before sending it.
    hall.store.notify_scan(&[Channel::Wecom], 0).unwrap();
    let claimed = hall.store.notify_claim("srv-a", 8, &BTreeMap::new()).unwrap();
    assert_eq!(claimed.len(), 8);
    let other = crate::support::backend::reopen(hall.dir.path(), hall.clock.clone());
    let b = jiancha::notify::Sender::start(Arc::new(other), "srv-b".into(), Duration::from_millis(300)).unwrap();
    // A restarted: lets go of its claims at start.
    let a = jiancha::notify::Sender::start(
        Arc::new(crate::support::backend::reopen(hall.dir.path(), hall.clock.clone())),
        "srv-a".into(),
        Duration::from_millis(300),
    )
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while receiver.accepted().len() < 12 {
        assert!(std::time::Instant::now() < deadline, "{:?}", hall.log());
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    drop((a, b));
    let mut ids: Vec<String> = receiver.accepted().iter().map(|r| r.headers["x-jiancha-message"].clone()).collect();
    ids.sort();
    let all = ids.len();
    ids.dedup();
    assert_eq!((all, ids.len()), (12, 12), "each message once");
    let log = hall.log();
    assert!(log.iter().all(|r| r.state == MessageState::Delivered), "{log:?}");
    // The eight A had claimed were sent on their second attempt, by whichever server took them.
    assert_eq!(log.iter().filter(|r| r.attempts == 2).count(), 8, "{log:?}");
}

/// The Python tools' interpreter (packaging/pytools.sh installs aiosmtpd there); the test fails without it.
fn python() -> std::path::PathBuf {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pytools/bin/python");
    assert!(python.exists(), "{} is missing: run packaging/pytools.sh", python.display());
    python
}

const SMTP_SERVER: &str = r#"
import email, email.policy, json, ssl, sys, time
from aiosmtpd.controller import Controller
cert, key, out, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
class Handler:
    async def handle_DATA(self, server, session, envelope):
        m = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                                "subject": str(m["subject"]), "message_id": str(m["message-id"]),
                                "body": m.get_content()}, ensure_ascii=False) + "\n")
        return "250 2.0.0 Ok: queued"
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

/// A real SMTP server (aiosmtpd) on loopback that insists on STARTTLS, its certificate from a CA the
/// channel trusts: a 督办 notice's mail arrives with its subject, body and recipient, over TLS; a server
/// whose certificate the channel does not trust gets nothing.
#[test]
fn email_goes_over_starttls_to_a_real_smtp_server() {
    let files = tempfile::tempdir().unwrap();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "Hall mail CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&key, &ca).unwrap();
    let (cert_file, key_file, out) =
        (files.path().join("cert.pem"), files.path().join("key.pem"), files.path().join("mail.jsonl"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    let script = files.path().join("smtp.py");
    std::fs::write(&script, SMTP_SERVER).unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = std::process::Command::new(python())
        .arg(&script)
        .args([&cert_file, &key_file, &out])
        .arg(port.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    struct Reaped(std::process::Child);
    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(server.stdout.take().unwrap()), &mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    let _server = Reaped(server);

    let hall = Hall::new("2026-11-02T10:30:00+08:00", &["SP1"]);
    // Only notices go by e-mail here.
    let mut settings = enabled(vec![wang()]);
    settings.rules.retain(|r| r.event == jiancha::domain::notify::NotifyEvent::NoticeIssued);
    settings.rules[0].channels = vec![Channel::Email];
    let email = |ca_pem: Option<String>| EmailSetup {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::StartTls,
        username: None,
        from: "监察室 <jiancha@sp.gov.cn>".into(),
        ca_pem,
    };
    // First with a CA that did not sign the server's certificate: refused, nothing delivered.
    let stranger_key = rcgen::KeyPair::generate().unwrap();
    let mut stranger = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    stranger.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let stranger = rcgen::CertifiedIssuer::self_signed(stranger, stranger_key).unwrap();
    hall.configure(&settings, &[(ChannelSetup::Email(email(Some(stranger.pem()))), vec![])]);
    let sup = hall.store.login("supervisor1", "jiancha-demo").unwrap();
    let alert = hall.store.alerts(&sup, &jiancha::store::AlertQuery::default()).unwrap().remove(0);
    let notice = hall
        .store
        .issue_notice(
            &sup,
            &jiancha::store::NewNotice {
                alert_id: alert.id, text: "请说明未出具受理通知书的原因并整改。".into()
            },
        )
        .unwrap();
    let round = hall.round("srv-a");
    assert_eq!((round.queued, round.delivered, round.failed_attempts), (1, 0, 1));
    let r = hall.log().remove(0);
    assert!(r.answer.starts_with("SMTP:"), "{}", r.answer);
    assert!(!out.exists(), "nothing reached the server over an untrusted channel");

    hall.configure(&settings, &[(ChannelSetup::Email(email(Some(ca.pem()))), vec![])]);
    hall.advance(30);
    let round = hall.round("srv-a");
    assert_eq!((round.delivered, round.failed_attempts), (1, 0), "{:?}", hall.log());
    let mails: Vec<serde_json::Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m["tls"], true, "the mail went over STARTTLS");
    assert_eq!(m["from"], "jiancha@sp.gov.cn");
    assert_eq!(m["to"], serde_json::json!(["wang@scjg.sp.gov.cn"]));
    let subject = format!("【电子监察】市市场监督管理局：督办通知{}（办件SP1），请于", notice.notice_no);
    assert!(m["subject"].as_str().unwrap().starts_with(&subject), "{m}");
    let body = m["body"].as_str().unwrap();
    assert!(body.starts_with(&subject), "{body}");
    assert!(body.contains("已阅请点击 https://jiancha.sp.gov.cn/r/"), "{body}");
    let r = hall.log().remove(0);
    assert_eq!(m["message_id"], format!("<jiancha-{}@sp.gov.cn>", r.id));
    assert_eq!((r.state, r.attempts, r.address.as_str()), (MessageState::Delivered, 2, "w***@scjg.sp.gov.cn"));
    assert!(r.answer.starts_with("SMTP 250"), "{}", r.answer);
}

/// `jiancha serve` killed (SIGKILL) while a message is on its way: the receiver, which takes a message
/// only when it can answer a client still there, never took that one; the server started again sends it
/// and the rest, and each message is taken once. (SQLite: one server per file; the PostgreSQL pass skips
/// it, the two-server test covers several servers there.)
#[test]
fn a_server_killed_mid_send_delivers_each_message_once_after_its_restart() {
    let receiver = Receiver::start(0);
    receiver.set(Mode::Hold(Duration::from_millis(1500)));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hall");
    {
        let store = SqlStore::open_dir(&data, Arc::new(jiancha::clock::SystemClock)).unwrap();
        let system = store.system_session();
        let user = NewUser {
            username: "admin1".into(),
            display_name: "admin1".into(),
            role: Role::Admin,
            password: "jiancha-demo".into(),
            halls: Vec::new(),
        };
        store.create_user(&system, &user).unwrap();
        let mut batch = interchange::parse(ImportKind::Items, "items.csv", ITEMS).unwrap();
        batch.hall = Some("SP-CITY".into());
        store.import(&system, &batch).unwrap();
        let lines: Vec<String> = ["SP1", "SP2", "SP3", "SP4"].iter().map(|c| accept(c)).collect();
        let batch = interchange::parse(ImportKind::Events, "events.jsonl", &lines.join("\n")).unwrap();
        store.import(&system, &batch).unwrap();
        let admin = store.login("admin1", "jiancha-demo").unwrap();
        let mut settings = NotifySettings { per_hour: 60, ..enabled(vec![wang()]) };
        for r in &mut settings.rules {
            r.channels = vec![Channel::Wecom];
        }
        store.set_notify_settings(&admin, &settings).unwrap();
        let (setup, secrets) = wecom(receiver.port);
        let secrets: Vec<SecretValue> =
            secrets.into_iter().map(|(n, v)| SecretValue { name: n.into(), value: v }).collect();
        store.set_notify_channel(&admin, &setup, &secrets).unwrap();
    }
    let serve = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_jiancha"))
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--listen", "127.0.0.1:0", "--no-watch"])
            .env_remove("JIANCHA_DATA_DIR")
            .env("JIANCHA_SYSTEM_CONFIG_DIR", dir.path().join("no-system-config"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let wait = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(90);
        while !done() {
            assert!(std::time::Instant::now() < deadline, "{what}: {:?}", receiver.requests().len());
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let mut first = serve();
    // Killed while the second message is being held by the receiver.
    wait("a message on its way", &|| !receiver.requests().is_empty() && receiver.holding.load(Ordering::SeqCst));
    first.kill().unwrap();
    first.wait().unwrap();
    // The held one is answered to nobody.
    wait("the held request ended", &|| !receiver.holding.load(Ordering::SeqCst));
    let abandoned = receiver.requests().iter().filter(|r| !r.accepted).count();
    assert!(abandoned >= 1, "the kill came mid-send");
    let log = || {
        let store = SqlStore::open_existing_dir(&data, Arc::new(jiancha::clock::SystemClock)).unwrap();
        let admin = store.login("admin1", "jiancha-demo").unwrap();
        store.notify_log(&admin, &NotifyLogQuery::default()).unwrap()
    };
    let total = log().len();
    assert!(total >= 4, "{total} messages");
    let mut second = serve();
    struct Reaped<'a>(&'a mut std::process::Child);
    impl Drop for Reaped<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _second = Reaped(&mut second);
    wait("every message delivered", &|| receiver.accepted().len() >= total);
    std::thread::sleep(Duration::from_secs(3));
    let mut ids: Vec<String> = receiver.accepted().iter().map(|r| r.headers["x-jiancha-message"].clone()).collect();
    ids.sort();
    let taken = ids.len();
    ids.dedup();
    assert_eq!((taken, ids.len()), (total, total), "each message taken once");
    let log = log();
    assert!(log.iter().all(|r| r.state == MessageState::Delivered), "{log:?}");
    assert!(log.iter().any(|r| r.attempts == 2), "the message cut off by the kill went again");
}

/// Turned off, the hall's messages wait (none are made, and those made before stay queued); 测试发送
/// still goes, so that an administrator can try the channels before turning them on.
#[test]
fn turned_off_only_test_messages_go() {
    let receiver = Receiver::start(0);
    let hall = Hall::new("2026-11-02T10:30:00+08:00", &["SP1"]);
    hall.configure(&enabled(vec![wang()]), &[wecom(receiver.port)]);
    assert_eq!(hall.store.notify_scan(&[Channel::Wecom], 0).unwrap().queued, 1);
    let off = NotifySettings { enabled: false, ..enabled(vec![wang()]) };
    hall.store.set_notify_settings(&hall.admin(), &off).unwrap();
    let id = hall.store.notify_test(&hall.admin(), Channel::Wecom, MOBILE).unwrap();
    let round = hall.round("srv-a");
    assert_eq!((round.queued, round.delivered), (0, 1));
    let taken = receiver.accepted();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].headers["x-jiancha-message"], id.to_string());
    assert!(taken[0].body.contains("测试消息：企业微信通道工作正常"), "{}", taken[0].body);
    let log = hall.log();
    assert_eq!(log.iter().filter(|r| r.state == MessageState::Pending).count(), 1, "the card's message waits");
    // A test needs a mobile for a robot and the channel set up.
    assert!(hall.store.notify_test(&hall.admin(), Channel::Wecom, "wang@sp.gov.cn").is_err());
    assert!(hall.store.notify_test(&hall.admin(), Channel::Sms, MOBILE).is_err());
}

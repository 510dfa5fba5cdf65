//! Notifications (Art 6(1)–(2): alerts acted on promptly, supervised matters finished in time): who is
//! told of which event, on which channel, when, and in which words — `[notify]` of rules.toml — and
//! what the robots of WeCom (企业微信) and DingTalk (钉钉) are sent. Pure: the outbox and the sender that
//! deliver these are the store's and the server's.
//!
//! A message carries the case number, the item, the department, the deadline and a short code, never a
//! complainant's contact, a citizen's ID number or a camera password: [`Facts`] has no field for any of
//! them, and [`render`] masks whatever in the finished text looks like a mobile or an ID number.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// What happened that someone should hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifyEvent {
    AlertYellow,
    AlertOrange,
    AlertRed,
    /// A 督办通知 issued to a department.
    NoticeIssued,
    /// Its reply is due tomorrow.
    NoticeDueTomorrow,
    /// Its reply is overdue.
    NoticeOverdue,
    /// A 监察建议书 issued.
    RecommendationIssued,
    /// Its reply is overdue.
    RecommendationOverdue,
    CameraOffline,
    CameraTampered,
    /// A footage request waits for a chief's decision.
    FootageRequestWaiting,
}

impl NotifyEvent {
    pub const ALL: [NotifyEvent; 11] = [
        NotifyEvent::AlertYellow,
        NotifyEvent::AlertOrange,
        NotifyEvent::AlertRed,
        NotifyEvent::NoticeIssued,
        NotifyEvent::NoticeDueTomorrow,
        NotifyEvent::NoticeOverdue,
        NotifyEvent::RecommendationIssued,
        NotifyEvent::RecommendationOverdue,
        NotifyEvent::CameraOffline,
        NotifyEvent::CameraTampered,
        NotifyEvent::FootageRequestWaiting,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            NotifyEvent::AlertYellow => "黄色预警",
            NotifyEvent::AlertOrange => "橙色预警（黄牌）",
            NotifyEvent::AlertRed => "红色预警（红牌）",
            NotifyEvent::NoticeIssued => "督办通知",
            NotifyEvent::NoticeDueTomorrow => "督办回复明日到期",
            NotifyEvent::NoticeOverdue => "督办回复逾期",
            NotifyEvent::RecommendationIssued => "监察建议书",
            NotifyEvent::RecommendationOverdue => "监察建议书回复逾期",
            NotifyEvent::CameraOffline => "摄像头离线",
            NotifyEvent::CameraTampered => "摄像头遮挡或移位",
            NotifyEvent::FootageRequestWaiting => "录像调阅待审批",
        }
    }

    /// Red cards go out at any hour; everything else waits for the end of the quiet hours on SMS.
    pub fn is_urgent(self) -> bool {
        self == NotifyEvent::AlertRed
    }

    /// The built-in Chinese text; the hall replaces it under `[notify.templates]`.
    pub fn default_template(self) -> &'static str {
        match self {
            NotifyEvent::AlertYellow => {
                "【电子监察】黄色预警：办件{case_no}（{item}，{department}）将于{deadline}到期，请及时办理。查询码{code}"
            }
            NotifyEvent::AlertOrange => {
                "【电子监察】黄牌：办件{case_no}（{item}，{department}）{event}，期限{deadline}，请立即整改。查询码{code}"
            }
            NotifyEvent::AlertRed => {
                "【电子监察】红牌：办件{case_no}（{item}，{department}）已超过期限{deadline}，请立即办理并说明原因。查询码{code}"
            }
            NotifyEvent::NoticeIssued => {
                "【电子监察】{department}：督办通知{code}（办件{case_no}），请于{deadline}前回复。"
            }
            NotifyEvent::NoticeDueTomorrow => "【电子监察】{department}：督办通知{code}的回复明日（{deadline}）到期。",
            NotifyEvent::NoticeOverdue => "【电子监察】{department}：督办通知{code}的回复已逾期（{deadline}）。",
            NotifyEvent::RecommendationIssued => {
                "【电子监察】{department}：监察建议书{code}，请于{deadline}前书面回复。"
            }
            NotifyEvent::RecommendationOverdue => {
                "【电子监察】{department}：监察建议书{code}的回复已逾期（{deadline}）。"
            }
            NotifyEvent::CameraOffline => "【电子监察】{hall}摄像头{camera}离线，请检查。",
            NotifyEvent::CameraTampered => "【电子监察】{hall}摄像头{camera}疑似遮挡或移位，请核查。",
            NotifyEvent::FootageRequestWaiting => "【电子监察】录像调阅申请{code}待审批。",
        }
    }
}

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Wecom,
    Dingtalk,
    Sms,
}

/// Who hears of an event: the responsible people of the department it concerns, or the monitoring
/// room's own people on duty (`department` left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Department,
    Duty,
}

/// A person to tell (`[[notify.people]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    /// The hall whose department this is (departments are each hall's own); none: any hall's.
    #[serde(default)]
    pub hall: Option<String>,
    /// The department the person answers for; none: the monitoring room's duty people.
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The WeCom user id (mentioned by the group robot).
    #[serde(default)]
    pub wecom: Option<String>,
    /// The DingTalk user id.
    #[serde(default)]
    pub dingtalk: Option<String>,
}

impl Person {
    /// Whether the person can be reached on `channel`.
    pub fn reachable(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email.is_some(),
            // The robots post to a group and mention the person by mobile.
            Channel::Wecom | Channel::Dingtalk | Channel::Sms => self.mobile.is_some(),
        }
    }
}

/// Which event goes to whom on which channels (`[[notify.rules]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub event: NotifyEvent,
    pub to: Audience,
    pub channels: Vec<Channel>,
}

/// `[notify]` of rules.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NotifySettings {
    pub enabled: bool,
    /// No SMS from `quiet_hours[0]` to `quiet_hours[1]` (local `HH:MM`) unless red: it waits for the end.
    pub quiet_hours: [String; 2],
    /// At most this many messages per person and hour; the rest are folded into one digest.
    pub per_hour: u32,
    pub people: Vec<Person>,
    pub rules: Vec<Rule>,
    /// The hall's own words per event, with placeholders `{case_no}`, `{item}`, `{department}`,
    /// `{deadline}`, `{event}`, `{hall}`, `{camera}`, `{code}`.
    pub templates: BTreeMap<NotifyEvent, String>,
    /// Where the hall's server answers 已阅 links (`https://jiancha.hall.gov.cn:8443`); none: the
    /// message gives the confirmation code only, to be entered at a console.
    pub read_link: Option<String>,
    /// The first retry after a failed attempt, in seconds; each further one waits twice as long (at
    /// most an hour).
    pub retry_seconds: u32,
    /// Attempts before a message is given up (and shown as failed in 通知记录).
    pub attempts: u32,
}

impl Default for NotifySettings {
    fn default() -> Self {
        let rule = |event, to, channels: &[Channel]| Rule { event, to, channels: channels.to_vec() };
        use Channel::{Dingtalk, Email, Sms, Wecom};
        NotifySettings {
            enabled: false,
            quiet_hours: ["20:00".into(), "08:00".into()],
            per_hour: 5,
            people: Vec::new(),
            rules: vec![
                rule(NotifyEvent::AlertYellow, Audience::Department, &[Wecom, Dingtalk]),
                rule(NotifyEvent::AlertOrange, Audience::Department, &[Wecom, Dingtalk, Sms]),
                rule(NotifyEvent::AlertRed, Audience::Department, &[Wecom, Dingtalk, Sms]),
                rule(NotifyEvent::NoticeIssued, Audience::Department, &[Wecom, Dingtalk, Email]),
                rule(NotifyEvent::NoticeDueTomorrow, Audience::Department, &[Wecom, Dingtalk]),
                rule(NotifyEvent::NoticeOverdue, Audience::Department, &[Wecom, Dingtalk, Sms]),
                rule(NotifyEvent::RecommendationIssued, Audience::Department, &[Email, Wecom, Dingtalk]),
                rule(NotifyEvent::RecommendationOverdue, Audience::Department, &[Wecom, Dingtalk, Sms]),
                rule(NotifyEvent::CameraOffline, Audience::Duty, &[Wecom, Dingtalk]),
                rule(NotifyEvent::CameraTampered, Audience::Duty, &[Wecom, Dingtalk, Sms]),
                rule(NotifyEvent::FootageRequestWaiting, Audience::Duty, &[Wecom, Dingtalk]),
            ],
            templates: BTreeMap::new(),
            read_link: None,
            retry_seconds: 30,
            attempts: 8,
        }
    }
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 8] = ["case_no", "item", "department", "deadline", "event", "hall", "camera", "code"];

/// What a message may say about its event. There is deliberately no field for a complainant, a
/// contact, an ID number or a camera's address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub case_no: String,
    pub item: String,
    pub department: String,
    pub deadline: Option<NaiveDate>,
    pub hall: String,
    pub camera: String,
    /// A short reference to look the matter up (notice number, request number, a case's query code).
    pub code: String,
}

impl NotifySettings {
    /// Checks the values; the error names the key (`notify.people[2].mobile`).
    pub fn validate(&self) -> Result<(), (String, String)> {
        self.quiet()?;
        if self.per_hour == 0 || self.per_hour > 60 {
            return Err(("notify.per_hour".into(), format!("{} is not within 1–60", self.per_hour)));
        }
        if self.retry_seconds == 0 || self.retry_seconds > 3600 {
            return Err(("notify.retry_seconds".into(), format!("{} is not within 1–3600", self.retry_seconds)));
        }
        if self.attempts == 0 || self.attempts > 50 {
            return Err(("notify.attempts".into(), format!("{} is not within 1–50", self.attempts)));
        }
        if let Some(link) = &self.read_link
            && (!(link.starts_with("https://") || link.starts_with("http://"))
                || link.len() > 200
                || link.contains(['@', '?', '#', ' ']))
        {
            return Err((
                "notify.read_link".into(),
                "an http(s):// address of the server, without user or query".into(),
            ));
        }
        for (i, p) in self.people.iter().enumerate() {
            let key = |field: &str| format!("notify.people[{i}].{field}");
            if p.name.trim().is_empty() {
                return Err((key("name"), "a person needs a name".into()));
            }
            if let Some(m) = &p.mobile
                && !is_mobile(m)
            {
                return Err((key("mobile"), "not a mainland mobile number (11 digits from 1)".into()));
            }
            if let Some(e) = &p.email
                && !is_email(e)
            {
                return Err((key("email"), "not an e-mail address".into()));
            }
            for (field, id) in [("wecom", &p.wecom), ("dingtalk", &p.dingtalk)] {
                if let Some(id) = id
                    && (id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_graphic()))
                {
                    return Err((key(field), "a user id is 1–64 visible ASCII characters".into()));
                }
            }
            if !Channel::all().iter().any(|c| p.reachable(*c)) {
                return Err((key("mobile"), format!("{} has neither a mobile nor an e-mail address", p.name)));
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            if r.channels.is_empty() {
                return Err((format!("notify.rules[{i}].channels"), "name at least one channel".into()));
            }
        }
        for (event, text) in &self.templates {
            let key = format!("notify.templates.{}", event.key());
            if text.trim().is_empty() {
                return Err((key, "a template needs a text".into()));
            }
            if let Some(bad) = unknown_placeholder(text) {
                return Err((key, format!("{{{bad}}} is not one of {{{}}}", PLACEHOLDERS.join("}, {"))));
            }
        }
        Ok(())
    }

    /// The quiet hours as times.
    fn quiet(&self) -> Result<(NaiveTime, NaiveTime), (String, String)> {
        let time = |i: usize| {
            NaiveTime::parse_from_str(&self.quiet_hours[i], "%H:%M")
                .map_err(|_| (format!("notify.quiet_hours[{i}]"), format!("{:?} is not HH:MM", self.quiet_hours[i])))
        };
        Ok((time(0)?, time(1)?))
    }

    /// The template of `event` in force.
    pub fn template(&self, event: NotifyEvent) -> &str {
        self.templates.get(&event).map_or(event.default_template(), String::as_str)
    }

    /// Everyone to tell of `event` about `department` of `hall` (none for the duty audience), each with
    /// the channels of the matching rules on which they can be reached; in the order of `people`.
    pub fn recipients(
        &self,
        event: NotifyEvent,
        hall: Option<&str>,
        department: Option<&str>,
    ) -> Vec<(&Person, Vec<Channel>)> {
        let mut out: Vec<(&Person, Vec<Channel>)> = Vec::new();
        for rule in self.rules.iter().filter(|r| r.event == event) {
            for person in &self.people {
                let concerned = match rule.to {
                    Audience::Department => {
                        department.is_some()
                            && person.department.as_deref() == department
                            && (person.hall.is_none() || hall.is_none() || person.hall.as_deref() == hall)
                    }
                    Audience::Duty => {
                        person.department.is_none() && (person.hall.is_none() || person.hall.as_deref() == hall)
                    }
                };
                if !concerned {
                    continue;
                }
                let channels: Vec<Channel> = rule.channels.iter().copied().filter(|c| person.reachable(*c)).collect();
                match out.iter_mut().find(|(p, _)| std::ptr::eq(*p, person)) {
                    Some((_, have)) => {
                        for c in channels {
                            if !have.contains(&c) {
                                have.push(c);
                            }
                        }
                    }
                    None if !channels.is_empty() => out.push((person, channels)),
                    None => {}
                }
            }
        }
        out
    }

    /// When a message of `event` on `channel` made at `at` (local) may go: at once, or — an SMS in the
    /// quiet hours that is not urgent — when they end.
    pub fn send_at(&self, event: NotifyEvent, channel: Channel, at: NaiveDateTime) -> NaiveDateTime {
        let Ok((from, to)) = self.quiet() else { return at };
        if channel != Channel::Sms || event.is_urgent() || !in_window(at.time(), from, to) {
            return at;
        }
        // The quiet hours end at `to` today, or tomorrow when they began this evening.
        let today = at.date().and_time(to);
        if today > at { today } else { today + chrono::Duration::days(1) }
    }
}

impl NotifyEvent {
    /// The key's name in rules.toml (`alert_red`).
    pub fn key(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
}

impl Channel {
    pub fn all() -> [Channel; 4] {
        [Channel::Email, Channel::Wecom, Channel::Dingtalk, Channel::Sms]
    }
}

/// `t` within the window from `from` to `to`, which may run past midnight.
fn in_window(t: NaiveTime, from: NaiveTime, to: NaiveTime) -> bool {
    if from <= to { t >= from && t < to } else { t >= from || t < to }
}

fn is_mobile(text: &str) -> bool {
    text.len() == 11 && text.starts_with('1') && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_email(text: &str) -> bool {
    let Some((user, domain)) = text.split_once('@') else { return false };
    !user.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && text.len() <= 254
        && text.chars().all(|c| c.is_ascii_graphic() && c != '<' && c != '>' && c != ',' && c != ';')
}

/// The first `{name}` in `text` that is not a placeholder.
fn unknown_placeholder(text: &str) -> Option<String> {
    unknown_in(text, &PLACEHOLDERS)
}

/// The message of `event` from its template and facts; whatever in it looks like a mobile number or a
/// citizen's ID number is masked.
pub fn render(template: &str, event: NotifyEvent, facts: &Facts) -> String {
    let deadline = facts.deadline.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".into());
    let mut text = template.to_owned();
    for (name, value) in [
        ("case_no", facts.case_no.as_str()),
        ("item", facts.item.as_str()),
        ("department", facts.department.as_str()),
        ("deadline", deadline.as_str()),
        ("event", event.label_zh()),
        ("hall", facts.hall.as_str()),
        ("camera", facts.camera.as_str()),
        ("code", facts.code.as_str()),
    ] {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    mask_numbers(&text)
}

/// Masks runs of digits that could be a mobile (11 digits from 1) or an ID number (17 digits and a
/// digit or X): all but the first three and last two characters become `*`.
pub fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i < chars.len() && i - start == 17 && matches!(chars[i], 'X' | 'x') {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let sensitive = (run.len() == 11 && run.starts_with('1')) || run.len() == 18;
        if sensitive {
            let n = run.chars().count();
            out.extend(run.chars().enumerate().map(|(k, c)| if k < 3 || k >= n - 2 { c } else { '*' }));
        } else {
            out.push_str(&run);
        }
    }
    out
}

/// The delay before attempt `attempts + 1` after a failure: `retry_seconds` doubled per attempt made,
/// at most an hour.
pub fn backoff_seconds(retry_seconds: u32, attempts: u32) -> i64 {
    let doubled = i64::from(retry_seconds).saturating_mul(1_i64 << attempts.saturating_sub(1).min(20));
    doubled.min(3600)
}

/// What a message says about how to confirm it: the link, or the code.
pub fn read_line(read_link: Option<&str>, code: &str) -> String {
    match read_link {
        Some(base) => format!("已阅请点击 {}/r/{code}", base.trim_end_matches('/')),
        None => format!("已阅确认码 {code}"),
    }
}

/// Masks a mobile or an e-mail address for the delivery log (`139****5678`, `w***@sp.gov.cn`).
pub fn mask_address(address: &str) -> String {
    if let Some((user, domain)) = address.split_once('@') {
        let first: String = user.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let chars: Vec<char> = address.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, c)| if i < 3 || i >= chars.len() - 4 { *c } else { '*' }).collect()
}

/// Whether one more message may go to a person who has had `sent_last_hour` in the past hour, or it
/// is to be folded into their digest.
pub fn admits(sent_last_hour: u32, per_hour: u32) -> bool {
    sent_last_hour < per_hour
}

/// The most items a digest lists; the rest are counted (a WeCom text holds 2,048 bytes).
pub const DIGEST_ITEMS: usize = 10;

/// One message standing for several held back by the hourly limit: the first [`DIGEST_ITEMS`], then
/// how many more there are.
pub fn digest(texts: &[String]) -> String {
    let mut out = format!("【电子监察】过去一小时另有{}条提醒：", texts.len());
    for (i, t) in texts.iter().take(DIGEST_ITEMS).enumerate() {
        out.push_str(&format!("\n{}. {}", i + 1, t.trim_start_matches("【电子监察】")));
    }
    if texts.len() > DIGEST_ITEMS {
        out.push_str(&format!("\n……其余{}条请在电子监察系统中查看。", texts.len() - DIGEST_ITEMS));
    }
    out
}

/// The body of a WeCom group robot's text message, mentioning the people by mobile.
pub fn wecom_body(text: &str, mobiles: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "msgtype": "text",
        "text": { "content": text, "mentioned_mobile_list": mobiles },
    })
}

/// The body of a DingTalk robot's text message, @-mentioning the people by mobile.
pub fn dingtalk_body(text: &str, mobiles: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "msgtype": "text",
        "text": { "content": text },
        "at": { "atMobiles": mobiles, "isAtAll": false },
    })
}

/// DingTalk's signature of a robot call at `timestamp_ms`: Base64 of HMAC-SHA256 under the robot's
/// secret of `"{timestamp_ms}\n{secret}"`, URL-encoded as Java's `URLEncoder` does.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    use base64::Engine as _;
    let mac_hex = super::audit::hmac_sha256(secret.as_bytes(), format!("{timestamp_ms}\n{secret}").as_bytes());
    let mac = hex::decode(mac_hex).unwrap_or_default();
    let b64 = base64::engine::general_purpose::STANDARD.encode(mac);
    const FORM: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'*');
    percent_encoding::utf8_percent_encode(&b64, FORM).to_string()
}

/// The robot's webhook with the signature DingTalk checks (`&timestamp=…&sign=…`).
pub fn dingtalk_url(webhook: &str, secret: &str, timestamp_ms: i64) -> String {
    let joiner = if webhook.contains('?') { '&' } else { '?' };
    format!("{webhook}{joiner}timestamp={timestamp_ms}&sign={}", dingtalk_sign(secret, timestamp_ms))
}

/// How a hall's mail server is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587, 25); refused when the server does not offer it.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The hall's mail server (`password`, if any, is a sealed secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSetup {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// The account to log in with; none: no login.
    #[serde(default)]
    pub username: Option<String>,
    /// The sender, `监察室 <jiancha@hall.gov.cn>` or a bare address.
    pub from: String,
    /// A CA certificate (PEM) to trust besides the system's, for a hall's own mail server.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

/// A group robot of WeCom or DingTalk. Its webhook (which carries the robot's key or access token) and
/// DingTalk's signing secret are sealed secrets, never part of the setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RobotSetup {
    /// At most this many messages a minute (WeCom allows a robot 20).
    pub per_minute: u32,
}

/// How an SMS gateway's request is signed: the hash of `sign_input` (with its placeholders filled and
/// `{secret}` the sealed secret), put where the template says `{sign}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmsSign {
    None,
    /// Lowercase hex MD5 (China Mobile 云MAS `mac`).
    Md5Hex,
    Sha256Hex,
    /// HMAC-SHA256 under the secret, lowercase hex.
    HmacSha256Hex,
    /// HMAC-SHA256 under the secret, Base64.
    HmacSha256Base64,
}

/// How the body is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmsBody {
    /// JSON: the values filled in are JSON-escaped.
    Json,
    /// `application/x-www-form-urlencoded`: the values are percent-encoded.
    Form,
    /// The JSON, then Base64 of it as the whole body (云MAS).
    JsonBase64,
}

/// A province's 短信平台 or China Mobile 云MAS over HTTP, described rather than programmed: the URL
/// (without a secret), the body with placeholders `{mobile}`, `{text}`, `{msg_id}`, `{timestamp}`,
/// `{sign}`, `{app_key}`, and the signature. The answer counts as accepted when the status is 2xx and,
/// if `accept_contains` is set, the body contains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsSetup {
    pub url: String,
    pub body_kind: SmsBody,
    pub body: String,
    #[serde(default)]
    pub app_key: String,
    pub sign: SmsSign,
    #[serde(default)]
    pub sign_input: String,
    #[serde(default)]
    pub accept_contains: Option<String>,
}

/// One channel's setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum ChannelSetup {
    Email(EmailSetup),
    Wecom(RobotSetup),
    Dingtalk(RobotSetup),
    Sms(SmsSetup),
}

/// The SMS placeholders.
pub const SMS_PLACEHOLDERS: [&str; 7] = ["mobile", "text", "msg_id", "timestamp", "sign", "app_key", "secret"];

impl ChannelSetup {
    pub fn channel(&self) -> Channel {
        match self {
            ChannelSetup::Email(_) => Channel::Email,
            ChannelSetup::Wecom(_) => Channel::Wecom,
            ChannelSetup::Dingtalk(_) => Channel::Dingtalk,
            ChannelSetup::Sms(_) => Channel::Sms,
        }
    }

    /// The sealed secrets the channel takes, and whether each is needed.
    pub fn secret_names(&self) -> &'static [(&'static str, bool)] {
        match self {
            ChannelSetup::Email(_) => &[("password", false)],
            ChannelSetup::Wecom(_) => &[("webhook", true)],
            ChannelSetup::Dingtalk(_) => &[("webhook", true), ("secret", false)],
            ChannelSetup::Sms(_) => &[("secret", false)],
        }
    }

    /// Checks the values; the error names the field (`sms.url`).
    pub fn validate(&self) -> Result<(), (String, String)> {
        let key = |field: &str| format!("{}.{field}", self.channel().key());
        match self {
            ChannelSetup::Email(e) => {
                if e.host.trim().is_empty()
                    || e.host.len() > 253
                    || e.host.chars().any(|c| c.is_whitespace() || c == '/')
                {
                    return Err((key("host"), "a host name or address".into()));
                }
                if e.port == 0 {
                    return Err((key("port"), "a port 1–65535".into()));
                }
                let address = e.from.rsplit_once('<').map_or(e.from.as_str(), |(_, a)| a.trim_end_matches('>'));
                if !is_email(address.trim()) {
                    return Err((key("from"), "not an e-mail address".into()));
                }
                if let Some(pem) = &e.ca_pem
                    && !pem.contains("-----BEGIN CERTIFICATE-----")
                {
                    return Err((key("ca_pem"), "not a PEM certificate".into()));
                }
            }
            ChannelSetup::Wecom(r) | ChannelSetup::Dingtalk(r) => {
                if r.per_minute == 0 || r.per_minute > 60 {
                    return Err((key("per_minute"), format!("{} is not within 1–60", r.per_minute)));
                }
            }
            ChannelSetup::Sms(s) => {
                if !(s.url.starts_with("https://") || s.url.starts_with("http://")) || s.url.len() > 500 {
                    return Err((key("url"), "an http:// or https:// address".into()));
                }
                if s.url.contains('@') || s.url.contains("{secret}") {
                    return Err((key("url"), "the address carries no credential: put it in the sealed secret".into()));
                }
                if s.body.contains("{secret}") {
                    return Err((key("body"), "{secret} goes only into sign_input, never into the request".into()));
                }
                for (field, text) in [("url", &s.url), ("body", &s.body), ("sign_input", &s.sign_input)] {
                    if let Some(bad) = unknown_in(text, &SMS_PLACEHOLDERS) {
                        return Err((
                            key(field),
                            format!("{{{bad}}} is not one of {{{}}}", SMS_PLACEHOLDERS.join("}, {")),
                        ));
                    }
                }
                if !s.body.contains("{mobile}") && !s.url.contains("{mobile}") {
                    return Err((key("body"), "the request must carry {mobile}".into()));
                }
                if !s.body.contains("{text}") {
                    return Err((key("body"), "the body must carry {text}".into()));
                }
                if s.sign != SmsSign::None && s.sign_input.trim().is_empty() {
                    return Err((key("sign_input"), "a signature needs the text it is computed over".into()));
                }
            }
        }
        Ok(())
    }
}

impl Channel {
    /// The key's name (`wecom`).
    pub fn key(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Wecom => "wecom",
            Channel::Dingtalk => "dingtalk",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        Channel::all().into_iter().find(|c| c.key() == text)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Email => "电子邮件",
            Channel::Wecom => "企业微信",
            Channel::Dingtalk => "钉钉",
            Channel::Sms => "短信",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Channel::Email => "E-mail",
            Channel::Wecom => "WeCom",
            Channel::Dingtalk => "DingTalk",
            Channel::Sms => "SMS",
        }
    }
}

/// The first `{name}` in `text` that is not among `known`. A brace whose inside holds a quote, a colon,
/// a comma, a brace or a space is the text's own (a JSON body's), not a placeholder.
fn unknown_in(text: &str, known: &[&str]) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(close) = after.find('}') {
            let name = &after[..close];
            let literal = name.is_empty() || name.contains(['"', '\'', ':', ',', '{', ' ', '\n']);
            if !literal && !known.contains(&name) {
                return Some(name.to_owned());
            }
        }
        rest = after;
    }
    None
}

/// One SMS request as the gateway's template describes it: the URL and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsRequest {
    pub url: String,
    pub content_type: &'static str,
    pub body: String,
}

/// Fills the SMS template for one message. `secret` is used only for the signature.
pub fn sms_request(
    setup: &SmsSetup,
    secret: &str,
    mobile: &str,
    text: &str,
    msg_id: &str,
    timestamp: i64,
) -> SmsRequest {
    use base64::Engine as _;
    let ts = timestamp.to_string();
    let raw = [
        ("mobile", mobile),
        ("text", text),
        ("msg_id", msg_id),
        ("timestamp", ts.as_str()),
        ("app_key", setup.app_key.as_str()),
    ];
    let mut sign_input = setup.sign_input.clone();
    for (name, value) in raw.iter().chain(&[("secret", secret)]) {
        sign_input = sign_input.replace(&format!("{{{name}}}"), value);
    }
    let sign = match setup.sign {
        SmsSign::None => String::new(),
        SmsSign::Md5Hex => {
            use md5::Digest as _;
            hex::encode(md5::Md5::digest(sign_input.as_bytes()))
        }
        SmsSign::Sha256Hex => {
            use sha2::Digest as _;
            hex::encode(sha2::Sha256::digest(sign_input.as_bytes()))
        }
        SmsSign::HmacSha256Hex => super::audit::hmac_sha256(secret.as_bytes(), sign_input.as_bytes()),
        SmsSign::HmacSha256Base64 => base64::engine::general_purpose::STANDARD.encode(
            hex::decode(super::audit::hmac_sha256(secret.as_bytes(), sign_input.as_bytes())).unwrap_or_default(),
        ),
    };
    let escape = |value: &str| match setup.body_kind {
        SmsBody::Json | SmsBody::JsonBase64 => {
            let quoted = serde_json::Value::String(value.to_owned()).to_string();
            quoted[1..quoted.len() - 1].to_owned()
        }
        SmsBody::Form => percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string(),
    };
    let fill = |template: &str, escape: &dyn Fn(&str) -> String| {
        let mut out = template.to_owned();
        for (name, value) in raw.iter().chain(&[("sign", sign.as_str())]) {
            out = out.replace(&format!("{{{name}}}"), &escape(value));
        }
        out
    };
    let url_escape = |v: &str| percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
    let body = fill(&setup.body, &escape);
    let (content_type, body) = match setup.body_kind {
        SmsBody::Json => ("application/json", body),
        SmsBody::Form => ("application/x-www-form-urlencoded", body),
        SmsBody::JsonBase64 => ("text/plain", base64::engine::general_purpose::STANDARD.encode(body)),
    };
    SmsRequest { url: fill(&setup.url, &url_escape), content_type, body }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a time")
    }

    #[test]
    fn dingtalk_signs_as_the_platform_computes() {
        // Computed independently with Python's hmac, base64 and urllib.parse.quote_plus for this secret
        // and timestamp: xyAXnOeEx8mcnUUlZoyxvRe/La8u0eqZaWsTXunfdkQ= before URL-encoding.
        assert_eq!(
            dingtalk_sign("SEC000example", 1_700_000_000_000),
            "xyAXnOeEx8mcnUUlZoyxvRe%2FLa8u0eqZaWsTXunfdkQ%3D"
        );
        assert_eq!(
            dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=T", "SEC000example", 1_700_000_000_000),
            "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign=xyAXnOeEx8mcnUUlZoyxvRe%2FLa8u0eqZaWsTXunfdkQ%3D"
        );
    }

    #[test]
    fn quiet_hours_hold_sms_but_not_red_cards_nor_robots() {
        let s = NotifySettings::default();
        let evening = at("2026-12-04 20:30");
        // A yellow alert by SMS at 20:30 on a Friday goes at 08:00 the next morning.
        assert_eq!(s.send_at(NotifyEvent::AlertYellow, Channel::Sms, evening), at("2026-12-05 08:00"));
        // At 06:10 it waits until 08:00 the same day.
        assert_eq!(s.send_at(NotifyEvent::AlertOrange, Channel::Sms, at("2026-12-05 06:10")), at("2026-12-05 08:00"));
        // A red card at 16:55 on a Friday, or at 23:00, goes at once; so does the WeCom message.
        assert_eq!(s.send_at(NotifyEvent::AlertRed, Channel::Sms, at("2026-12-04 23:00")), at("2026-12-04 23:00"));
        assert_eq!(s.send_at(NotifyEvent::AlertYellow, Channel::Wecom, evening), evening);
        // 08:00 is no longer quiet; 19:59 is not yet.
        for t in ["2026-12-05 08:00", "2026-12-04 19:59"] {
            assert_eq!(s.send_at(NotifyEvent::AlertYellow, Channel::Sms, at(t)), at(t));
        }
    }

    #[test]
    fn templates_render_the_facts_and_mask_what_looks_personal() {
        let facts = Facts {
            case_no: "SP20261204007".into(),
            item: "食品经营许可".into(),
            department: "市市场监督管理局".into(),
            deadline: NaiveDate::from_ymd_opt(2026, 12, 4),
            code: "7F3K".into(),
            ..Facts::default()
        };
        let text = render(NotifyEvent::AlertRed.default_template(), NotifyEvent::AlertRed, &facts);
        assert_eq!(
            text,
            "【电子监察】红牌：办件SP20261204007（食品经营许可，市市场监督管理局）已超过期限2026-12-04，请立即办理并说明原因。查询码7F3K"
        );
        // An item name that someone typed a mobile and an ID number into.
        let leaky = Facts { item: "联系人13912345678 身份证22030219800101123X".into(), ..facts };
        let text = render("{item}", NotifyEvent::AlertRed, &leaky);
        assert_eq!(text, "联系人139******78 身份证220*************3X");
        // A case number of 13 characters and a year are left alone.
        assert_eq!(mask_numbers("2026 SP20261204007 20261204007"), "2026 SP20261204007 20261204007");
    }

    #[test]
    fn settings_name_the_key_that_is_wrong() {
        let mut s = NotifySettings::default();
        assert_eq!(s.validate(), Ok(()));
        s.people.push(Person {
            name: "王科长".into(),
            hall: None,
            department: Some("市税务局".into()),
            mobile: Some("1391234567".into()),
            email: None,
            wecom: None,
            dingtalk: None,
        });
        assert_eq!(s.validate().unwrap_err().0, "notify.people[0].mobile");
        s.people[0].mobile = Some("13912345678".into());
        s.people[0].email = Some("wang@".into());
        assert_eq!(s.validate().unwrap_err().0, "notify.people[0].email");
        s.people[0].email = None;
        s.templates.insert(NotifyEvent::NoticeOverdue, "{department} 逾期，联系人 {contact}".into());
        let (key, message) = s.validate().unwrap_err();
        assert_eq!(key, "notify.templates.notice_overdue");
        assert!(message.starts_with("{contact} is not one of"), "{message}");
        s.templates.clear();
        s.quiet_hours[1] = "8点".into();
        assert_eq!(s.validate().unwrap_err().0, "notify.quiet_hours[1]");
    }

    #[test]
    fn recipients_are_the_departments_people_of_its_hall_or_the_duty_people() {
        let person = |name: &str, hall: Option<&str>, department: Option<&str>, email: Option<&str>| Person {
            name: name.into(),
            hall: hall.map(str::to_owned),
            department: department.map(str::to_owned),
            mobile: Some("13900000000".into()),
            email: email.map(str::to_owned),
            wecom: None,
            dingtalk: None,
        };
        let s = NotifySettings {
            people: vec![
                person("市局王", Some("SP"), Some("市场监管局"), Some("wang@sp.gov.cn")),
                person("县局李", Some("LS"), Some("市场监管局"), None),
                person("值班张", None, None, None),
            ],
            ..NotifySettings::default()
        };
        let names =
            |list: Vec<(&Person, Vec<Channel>)>| list.into_iter().map(|(p, c)| (p.name.clone(), c)).collect::<Vec<_>>();
        use Channel::{Dingtalk, Email, Sms, Wecom};
        // A red card on LS's 市场监管局 reaches LS's person only, by the rule's channels.
        assert_eq!(
            names(s.recipients(NotifyEvent::AlertRed, Some("LS"), Some("市场监管局"))),
            [("县局李".to_owned(), vec![Wecom, Dingtalk, Sms])]
        );
        // A notice to the city's department goes by e-mail too, to the one who has an address.
        assert_eq!(
            names(s.recipients(NotifyEvent::NoticeIssued, Some("SP"), Some("市场监管局"))),
            [("市局王".to_owned(), vec![Wecom, Dingtalk, Email])]
        );
        // A lost camera is the monitoring room's.
        assert_eq!(
            names(s.recipients(NotifyEvent::CameraOffline, Some("SP"), None)),
            [("值班张".to_owned(), vec![Wecom, Dingtalk])]
        );
    }

    #[test]
    fn the_hourly_limit_folds_the_rest_into_a_digest() {
        assert!(admits(4, 5));
        assert!(!admits(5, 5));
        let text = digest(&["【电子监察】黄色预警：A".into(), "【电子监察】黄牌：B".into()]);
        assert_eq!(text, "【电子监察】过去一小时另有2条提醒：\n1. 黄色预警：A\n2. 黄牌：B");
        let many: Vec<String> = (1..=12).map(|i| format!("【电子监察】第{i}条")).collect();
        let text = digest(&many);
        assert!(text.ends_with("\n10. 第10条\n……其余2条请在电子监察系统中查看。"), "{text}");
        assert!(!text.contains("第11条"));
    }

    #[test]
    fn an_sms_gateway_template_is_filled_escaped_and_signed() {
        // A 云MAS-shaped gateway: JSON, then Base64 of it as the body; the MAC is MD5 over the app key,
        // the timestamp, the mobile and the secret. Expected values computed with Python's hashlib,
        // json and base64.
        let setup = SmsSetup {
            url: "https://mas.example.cn/sms/submit?ts={timestamp}".into(),
            body_kind: SmsBody::JsonBase64,
            body: r#"{"ecName":"四平","mobiles":"{mobile}","content":"{text}","mac":"{sign}"}"#.into(),
            app_key: "SPJC".into(),
            sign: SmsSign::Md5Hex,
            sign_input: "{app_key}{timestamp}{mobile}{secret}".into(),
            accept_contains: None,
        };
        assert_eq!(ChannelSetup::Sms(setup.clone()).validate(), Ok(()));
        let r = sms_request(&setup, "KEY-1", "13912345678", "红牌\n\"办件\"", "7", 1_700_000_000_000);
        assert_eq!(r.url, "https://mas.example.cn/sms/submit?ts=1700000000000");
        assert_eq!(r.content_type, "text/plain");
        assert_eq!(
            r.body,
            "eyJlY05hbWUiOiLlm5vlubMiLCJtb2JpbGVzIjoiMTM5MTIzNDU2NzgiLCJjb250ZW50Ijoi57qi54mMXG5cIuWKnuS7tlwiIiwibWFjIjoiY2YwMjQwODM4YmIxYjVlMDMzMjMzZTE0MjY2YjRmYzYifQ=="
        );
        // The secret never goes into the request itself.
        let mut leaky = setup.clone();
        leaky.body = r#"{"key":"{secret}","m":"{mobile}","t":"{text}"}"#.into();
        assert_eq!(ChannelSetup::Sms(leaky).validate().unwrap_err().0, "sms.body");
        let mut unknown = setup;
        unknown.body = r#"{"m":"{mobile}","t":"{text}","x":"{contact}"}"#.into();
        assert!(ChannelSetup::Sms(unknown).validate().unwrap_err().1.starts_with("{contact} is not one of"));
    }

    #[test]
    fn robot_bodies_have_the_platforms_fields() {
        let w = wecom_body("文本", &["13900000000"]);
        assert_eq!(w["msgtype"], "text");
        assert_eq!(w["text"]["content"], "文本");
        assert_eq!(w["text"]["mentioned_mobile_list"][0], "13900000000");
        let d = dingtalk_body("文本", &["13900000000"]);
        assert_eq!(d["at"]["atMobiles"][0], "13900000000");
        assert_eq!(d["at"]["isAtAll"], false);
        assert_eq!(d["text"]["content"], "文本");
    }
}

//! 系统管理 → 通知 and 通知记录 (issue 33): the notification settings (who is told, which event on which
//! channels, quiet hours, the hourly limit, the 已阅 link) saved in the database through
//! `Store::set_notify_settings`; each channel's setup with its secrets typed once and sealed
//! (`set_notify_channel`), 测试发送 per channel (`notify_test`); the delivery log (`notify_log`).

use egui::RichText;

use super::AdminCommand;
use crate::domain::notify::{
    Audience, Channel, ChannelSetup, EmailSetup, NotifyEvent, NotifySettings, Person, RobotSetup, Rule, SmsBody,
    SmsSetup, SmsSign, SmtpSecurity,
};
use crate::domain::time;
use crate::store::{MessageState, NotifyLogQuery, NotifyRecord, NotifyView, SecretValue, Session, Store, StoreError};
use crate::ui::context::Sender;
use crate::ui::i18n::Lang;
use crate::ui::theme::Tokens;

/// A person as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonRow {
    pub name: String,
    pub hall: String,
    pub department: String,
    pub mobile: String,
    pub email: String,
}

/// The settings as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsForm {
    pub enabled: bool,
    pub quiet_from: String,
    pub quiet_to: String,
    pub per_hour: String,
    pub read_link: String,
    pub people: Vec<PersonRow>,
    /// Per event (in `NotifyEvent::ALL` order), the channels ticked.
    pub channels: Vec<[bool; 4]>,
}

/// A channel's setup as typed; secrets empty: keep the stored ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelForm {
    pub per_minute: String,
    pub host: String,
    pub port: String,
    pub starttls: bool,
    pub username: String,
    pub from: String,
    pub url: String,
    pub body_form: bool,
    pub body: String,
    pub app_key: String,
    pub sign: usize,
    pub sign_input: String,
    pub accept_contains: String,
    pub secrets: Vec<(String, String)>,
    pub test_to: String,
}

/// The two tabs' state.
#[derive(Debug, Clone, Default)]
pub struct NotifyTab {
    pub view: Option<NotifyView>,
    pub loading: bool,
    pub form: Option<SettingsForm>,
    /// The channel whose form is open, and the form.
    pub channel: Option<(Channel, ChannelForm)>,
    pub log: Vec<NotifyRecord>,
    pub log_state: Option<MessageState>,
    pub error: Option<String>,
    pub said: Option<String>,
}

/// What the tabs ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyCommand {
    Load,
    EditSettings,
    SaveSettings,
    CancelSettings,
    AddPerson,
    RemovePerson(usize),
    EditChannel(Channel),
    SaveChannel,
    CancelChannel,
    Test(Channel),
    LoadLog(Option<MessageState>),
}

pub enum NotifyJob {
    Load(Session),
    SaveSettings(Session, Box<NotifySettings>),
    SaveChannel(Session, ChannelSetup, Vec<SecretValue>),
    Test(Session, Channel, String),
    Log(Session, Option<MessageState>),
}

pub enum NotifyReply {
    Loaded(Result<NotifyView, StoreError>),
    Saved(Result<NotifyView, StoreError>, String),
    Log(Result<Vec<NotifyRecord>, StoreError>),
}

const SIGNS: [SmsSign; 5] =
    [SmsSign::None, SmsSign::Md5Hex, SmsSign::Sha256Hex, SmsSign::HmacSha256Hex, SmsSign::HmacSha256Base64];

fn sign_label(s: SmsSign) -> &'static str {
    match s {
        SmsSign::None => "none",
        SmsSign::Md5Hex => "md5_hex",
        SmsSign::Sha256Hex => "sha256_hex",
        SmsSign::HmacSha256Hex => "hmac_sha256_hex",
        SmsSign::HmacSha256Base64 => "hmac_sha256_base64",
    }
}

impl SettingsForm {
    pub fn of(s: &NotifySettings) -> SettingsForm {
        SettingsForm {
            enabled: s.enabled,
            quiet_from: s.quiet_hours[0].clone(),
            quiet_to: s.quiet_hours[1].clone(),
            per_hour: s.per_hour.to_string(),
            read_link: s.read_link.clone().unwrap_or_default(),
            people: s
                .people
                .iter()
                .map(|p| PersonRow {
                    name: p.name.clone(),
                    hall: p.hall.clone().unwrap_or_default(),
                    department: p.department.clone().unwrap_or_default(),
                    mobile: p.mobile.clone().unwrap_or_default(),
                    email: p.email.clone().unwrap_or_default(),
                })
                .collect(),
            channels: NotifyEvent::ALL
                .iter()
                .map(|e| {
                    let on: Vec<Channel> =
                        s.rules.iter().filter(|r| r.event == *e).flat_map(|r| r.channels.clone()).collect();
                    Channel::all().map(|c| on.contains(&c))
                })
                .collect(),
        }
    }

    /// The settings the form describes on top of `base` (its templates and retry settings kept), checked.
    pub fn settings(&self, base: &NotifySettings) -> Result<NotifySettings, String> {
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let per_hour = self.per_hour.trim().parse::<u32>().map_err(|_| "notify.per_hour: 1–60".to_owned())?;
        let audience = |e: NotifyEvent| {
            base.rules.iter().find(|r| r.event == e).map_or(
                if matches!(
                    e,
                    NotifyEvent::CameraOffline | NotifyEvent::CameraTampered | NotifyEvent::FootageRequestWaiting
                ) {
                    Audience::Duty
                } else {
                    Audience::Department
                },
                |r| r.to,
            )
        };
        let settings = NotifySettings {
            enabled: self.enabled,
            quiet_hours: [self.quiet_from.trim().to_owned(), self.quiet_to.trim().to_owned()],
            per_hour,
            people: self
                .people
                .iter()
                .filter(|p| !p.name.trim().is_empty() || !p.mobile.trim().is_empty())
                .map(|p| Person {
                    name: p.name.trim().to_owned(),
                    hall: text(&p.hall),
                    department: text(&p.department),
                    mobile: text(&p.mobile),
                    email: text(&p.email),
                    wecom: None,
                    dingtalk: None,
                })
                .collect(),
            rules: NotifyEvent::ALL
                .iter()
                .zip(&self.channels)
                .filter(|(_, on)| on.iter().any(|b| *b))
                .map(|(e, on)| Rule {
                    event: *e,
                    to: audience(*e),
                    channels: Channel::all().into_iter().zip(on).filter(|(_, b)| **b).map(|(c, _)| c).collect(),
                })
                .collect(),
            read_link: text(&self.read_link),
            ..base.clone()
        };
        settings.validate().map_err(|(k, m)| format!("{k}: {m}"))?;
        Ok(settings)
    }
}

impl ChannelForm {
    pub fn of(channel: Channel, setup: Option<&ChannelSetup>) -> ChannelForm {
        let mut f =
            ChannelForm { per_minute: "20".into(), port: "587".into(), starttls: true, ..ChannelForm::default() };
        match setup {
            Some(ChannelSetup::Wecom(r) | ChannelSetup::Dingtalk(r)) => f.per_minute = r.per_minute.to_string(),
            Some(ChannelSetup::Email(e)) => {
                f.host = e.host.clone();
                f.port = e.port.to_string();
                f.starttls = e.security == SmtpSecurity::StartTls;
                f.username = e.username.clone().unwrap_or_default();
                f.from = e.from.clone();
            }
            Some(ChannelSetup::Sms(s)) => {
                f.url = s.url.clone();
                f.body_form = s.body_kind == SmsBody::Form;
                f.body = s.body.clone();
                f.app_key = s.app_key.clone();
                f.sign = SIGNS.iter().position(|x| *x == s.sign).unwrap_or(0);
                f.sign_input = s.sign_input.clone();
                f.accept_contains = s.accept_contains.clone().unwrap_or_default();
            }
            None => {}
        }
        let names: &[&str] = match channel {
            Channel::Email => &["password"],
            Channel::Wecom => &["webhook"],
            Channel::Dingtalk => &["webhook", "secret"],
            Channel::Sms => &["secret"],
        };
        f.secrets = names.iter().map(|n| ((*n).to_owned(), String::new())).collect();
        f
    }

    /// The setup and the secrets typed (empty ones left out: the stored stay), checked.
    pub fn setup(&self, channel: Channel) -> Result<(ChannelSetup, Vec<SecretValue>), String> {
        let number =
            |t: &str, key: &str| t.trim().parse::<u32>().map_err(|_| format!("{}.{key}: a number", channel.key()));
        let setup = match channel {
            Channel::Wecom => ChannelSetup::Wecom(RobotSetup { per_minute: number(&self.per_minute, "per_minute")? }),
            Channel::Dingtalk => {
                ChannelSetup::Dingtalk(RobotSetup { per_minute: number(&self.per_minute, "per_minute")? })
            }
            Channel::Email => ChannelSetup::Email(EmailSetup {
                host: self.host.trim().to_owned(),
                port: u16::try_from(number(&self.port, "port")?).map_err(|_| "email.port: 1–65535".to_owned())?,
                security: if self.starttls { SmtpSecurity::StartTls } else { SmtpSecurity::Tls },
                username: Some(self.username.trim().to_owned()).filter(|u| !u.is_empty()),
                from: self.from.trim().to_owned(),
                ca_pem: None,
            }),
            Channel::Sms => ChannelSetup::Sms(SmsSetup {
                url: self.url.trim().to_owned(),
                body_kind: if self.body_form { SmsBody::Form } else { SmsBody::Json },
                body: self.body.trim().to_owned(),
                app_key: self.app_key.trim().to_owned(),
                sign: SIGNS[self.sign.min(SIGNS.len() - 1)],
                sign_input: self.sign_input.trim().to_owned(),
                accept_contains: Some(self.accept_contains.trim().to_owned()).filter(|a| !a.is_empty()),
            }),
        };
        setup.validate().map_err(|(k, m)| format!("{k}: {m}"))?;
        let secrets = self
            .secrets
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(n, v)| SecretValue { name: n.clone(), value: v.trim().to_owned() })
            .collect();
        Ok((setup, secrets))
    }
}

/// Applies a command to the tab; the job to run, if any.
pub fn apply(tab: &mut NotifyTab, command: NotifyCommand, session: Session, lang: Lang) -> Option<NotifyJob> {
    match command {
        NotifyCommand::Load => {
            tab.loading = true;
            return Some(NotifyJob::Load(session));
        }
        NotifyCommand::EditSettings => {
            tab.form = tab.view.as_ref().map(|v| SettingsForm::of(&v.settings));
            tab.said = None;
        }
        NotifyCommand::CancelSettings => {
            tab.form = None;
            tab.error = None;
        }
        NotifyCommand::AddPerson => {
            if let Some(f) = &mut tab.form {
                f.people.push(PersonRow::default());
            }
        }
        NotifyCommand::RemovePerson(i) => {
            if let Some(f) = &mut tab.form
                && i < f.people.len()
            {
                f.people.remove(i);
            }
        }
        NotifyCommand::SaveSettings => {
            let (Some(form), Some(view)) = (&tab.form, &tab.view) else { return None };
            match form.settings(&view.settings) {
                Ok(s) => {
                    tab.error = None;
                    tab.loading = true;
                    return Some(NotifyJob::SaveSettings(session, Box::new(s)));
                }
                Err(e) => tab.error = Some(e),
            }
        }
        NotifyCommand::EditChannel(channel) => {
            let setup = tab.view.as_ref().and_then(|v| v.channels.iter().find(|c| c.setup.channel() == channel));
            tab.channel = Some((channel, ChannelForm::of(channel, setup.map(|c| &c.setup))));
            tab.said = None;
        }
        NotifyCommand::CancelChannel => {
            tab.channel = None;
            tab.error = None;
        }
        NotifyCommand::SaveChannel => {
            let Some((channel, form)) = &tab.channel else { return None };
            match form.setup(*channel) {
                Ok((setup, secrets)) => {
                    tab.error = None;
                    tab.loading = true;
                    return Some(NotifyJob::SaveChannel(session, setup, secrets));
                }
                Err(e) => tab.error = Some(e),
            }
        }
        NotifyCommand::Test(channel) => {
            let to = tab.channel.as_ref().map(|(_, f)| f.test_to.trim().to_owned()).unwrap_or_default();
            if to.is_empty() {
                tab.error = Some(
                    lang.pick_owned("请填写测试接收的手机号或邮箱", "Give a mobile or an address to send the test to"),
                );
                return None;
            }
            tab.loading = true;
            return Some(NotifyJob::Test(session, channel, to));
        }
        NotifyCommand::LoadLog(state) => {
            tab.log_state = state;
            tab.loading = true;
            return Some(NotifyJob::Log(session, state));
        }
    }
    None
}

/// Runs a job on the data worker.
pub fn run(store: &dyn Store, job: NotifyJob) -> NotifyReply {
    match job {
        NotifyJob::Load(session) => NotifyReply::Loaded(store.notify_view(&session)),
        NotifyJob::SaveSettings(session, settings) => {
            let done = store.set_notify_settings(&session, &settings).and_then(|()| store.notify_view(&session));
            NotifyReply::Saved(done, "settings".into())
        }
        NotifyJob::SaveChannel(session, setup, secrets) => {
            let done = store.set_notify_channel(&session, &setup, &secrets).and_then(|()| store.notify_view(&session));
            NotifyReply::Saved(done, format!("channel:{}", setup.channel().key()))
        }
        NotifyJob::Test(session, channel, to) => {
            let done = store.notify_test(&session, channel, &to).and_then(|id| Ok((id, store.notify_view(&session)?)));
            match done {
                Ok((id, view)) => NotifyReply::Saved(Ok(view), format!("test:{id}")),
                Err(e) => NotifyReply::Saved(Err(e), String::new()),
            }
        }
        NotifyJob::Log(session, state) => NotifyReply::Log(
            store.notify_log(&session, &NotifyLogQuery { state, limit: 500, ..NotifyLogQuery::default() }),
        ),
    }
}

/// Takes a reply; errors already in words.
pub fn handle(tab: &mut NotifyTab, reply: NotifyReply, lang: Lang, error: &mut dyn FnMut(&StoreError) -> String) {
    tab.loading = false;
    match reply {
        NotifyReply::Loaded(Ok(v)) => {
            tab.view = Some(v);
            tab.error = None;
        }
        NotifyReply::Saved(Ok(v), what) => {
            tab.view = Some(v);
            tab.error = None;
            tab.said = Some(if what == "settings" {
                tab.form = None;
                lang.pick_owned(
                    "通知设置已保存（已记入审计日志），各服务器即时生效。",
                    "Notification settings saved (in the audit log); in force on every server.",
                )
            } else if let Some(id) = what.strip_prefix("test:") {
                lang.pick_owned(
                    &format!("测试消息 {id} 已入队，发送结果见“通知记录”。"),
                    &format!("Test message {id} queued; see Delivery log for the result."),
                )
            } else {
                tab.channel = None;
                lang.pick_owned(
                    "通道已保存；密钥已加密保存，不再显示。",
                    "Channel saved; its secrets are sealed and never shown again.",
                )
            });
        }
        NotifyReply::Loaded(Err(e)) | NotifyReply::Saved(Err(e), _) | NotifyReply::Log(Err(e)) => {
            tab.error = Some(error(&e))
        }
        NotifyReply::Log(Ok(list)) => {
            tab.log = list;
            tab.error = None;
        }
    }
}

fn event_label(key: &str, lang: Lang) -> String {
    match NotifyEvent::ALL.iter().find(|e| e.key() == key) {
        Some(e) => e.label_zh().to_owned(),
        None if key == "test" => lang.pick_owned("测试", "Test"),
        None if key == "digest" => lang.pick_owned("汇总", "Digest"),
        None => key.to_owned(),
    }
}

fn channel_label(c: Channel, lang: Lang) -> &'static str {
    lang.pick(c.label_zh(), c.label_en())
}

/// 通知: the settings in force (or their form), then the channels (or one channel's form).
pub fn settings_tab(
    ui: &mut egui::Ui,
    tab: &mut NotifyTab,
    commands: &mut Sender<AdminCommand>,
    lang: Lang,
    t: &Tokens,
) {
    let send = |commands: &mut Sender<AdminCommand>, c: NotifyCommand| commands.push(AdminCommand::Notify(c));
    if let Some(e) = &tab.error {
        ui.label(RichText::new(e).color(t.red));
    }
    if let Some(s) = &tab.said {
        ui.label(RichText::new(s).color(t.ok));
    }
    let Some(view) = tab.view.clone() else {
        if tab.loading {
            ui.spinner();
        }
        return;
    };
    t.card_frame().show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading(lang.pick("通知设置", "Notification settings"));
            let (text, colour) = if view.settings.enabled {
                (lang.pick("已启用", "Enabled"), t.ok)
            } else {
                (lang.pick("未启用", "Disabled"), t.orange)
            };
            ui.label(RichText::new(text).color(colour).strong());
            ui.label(RichText::new(match &view.saved {
                Some((by, at)) => lang.pick_owned(&format!("系统管理保存：{by} {}", time::format_local(*at)), &format!("saved by {by} at {}", time::format_local(*at))),
                None => lang.pick_owned("来自 rules.toml [notify]", "from rules.toml [notify]"),
            }).color(t.text_weak));
            ui.label(RichText::new(lang.pick_owned(
                &format!("待发送 {} 条 · 近 7 天失败 {} 条", view.waiting, view.failed),
                &format!("{} waiting · {} failed in 7 days", view.waiting, view.failed),
            )).color(if view.failed > 0 { t.red } else { t.text_weak }));
        });
        match &mut tab.form {
            None => {
                let s = &view.settings;
                ui.label(lang.pick_owned(
                    &format!(
                        "免打扰 {}–{}（红牌除外，仅限短信）· 每人每通道每小时至多 {} 条，其余汇总发送 · 已阅链接 {}",
                        s.quiet_hours[0],
                        s.quiet_hours[1],
                        s.per_hour,
                        s.read_link.as_deref().unwrap_or("（未设，仅确认码）")
                    ),
                    &format!(
                        "Quiet {}–{} (SMS only; red cards go) · at most {} per person, channel and hour, the rest in a digest · read link {}",
                        s.quiet_hours[0],
                        s.quiet_hours[1],
                        s.per_hour,
                        s.read_link.as_deref().unwrap_or("(none: code only)")
                    ),
                ));
                egui::Grid::new("notify-people").striped(true).show(ui, |ui| {
                    for h in [lang.pick("姓名", "Name"), lang.pick("大厅", "Hall"), lang.pick("部门", "Department"), lang.pick("手机", "Mobile"), lang.pick("邮箱", "E-mail")] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for p in &s.people {
                        ui.label(&p.name);
                        ui.label(p.hall.as_deref().unwrap_or("—"));
                        ui.label(p.department.as_deref().unwrap_or(lang.pick("监察室值班", "Duty")));
                        ui.label(p.mobile.as_deref().map(crate::domain::notify::mask_address).unwrap_or_default());
                        ui.label(p.email.as_deref().unwrap_or(""));
                        ui.end_row();
                    }
                });
                rules_grid(ui, &SettingsForm::of(s).channels, None, lang);
                if ui.button(lang.pick("编辑通知设置", "Edit settings")).clicked() {
                    send(commands, NotifyCommand::EditSettings);
                }
            }
            Some(form) => {
                ui.checkbox(&mut form.enabled, lang.pick("启用通知", "Send notifications"));
                egui::Grid::new("notify-form").show(ui, |ui| {
                    ui.label(lang.pick("免打扰（短信）", "Quiet hours (SMS)"));
                    ui.horizontal(|ui| {
                        ui.add_sized([t.spacing * 10.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(&mut form.quiet_from));
                        ui.label("–");
                        ui.add_sized([t.spacing * 10.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(&mut form.quiet_to));
                    });
                    ui.end_row();
                    ui.label(lang.pick("每人每小时至多", "At most per person and hour"));
                    ui.add_sized([t.spacing * 8.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(&mut form.per_hour));
                    ui.end_row();
                    ui.label(lang.pick("已阅链接地址", "Read link address"));
                    ui.add_sized([t.spacing * 40.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(&mut form.read_link).hint_text("https://jiancha.example.gov.cn:8443"));
                    ui.end_row();
                });
                ui.label(RichText::new(lang.pick("责任人（部门留空为监察室值班人员）", "People (no department: the monitoring room's duty)")).strong());
                let mut remove = None;
                egui::Grid::new("notify-people-form").show(ui, |ui| {
                    for h in [lang.pick("姓名", "Name"), lang.pick("大厅代码", "Hall code"), lang.pick("部门", "Department"), lang.pick("手机", "Mobile"), lang.pick("邮箱", "E-mail"), ""] {
                        ui.label(h);
                    }
                    ui.end_row();
                    for (i, p) in form.people.iter_mut().enumerate() {
                        ui.add_sized([t.spacing * 12.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(&mut p.name));
                        ui.add_sized([t.spacing * 10.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(&mut p.hall));
                        ui.add_sized([t.spacing * 20.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(&mut p.department));
                        ui.add_sized([t.spacing * 14.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(&mut p.mobile));
                        ui.add_sized([t.spacing * 22.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(&mut p.email));
                        if ui.small_button(lang.pick("删除", "Remove")).clicked() {
                            remove = Some(i);
                        }
                        ui.end_row();
                    }
                });
                if let Some(i) = remove {
                    send(commands, NotifyCommand::RemovePerson(i));
                }
                if ui.button(lang.pick("添加责任人", "Add a person")).clicked() {
                    send(commands, NotifyCommand::AddPerson);
                }
                let mut channels = form.channels.clone();
                rules_grid(ui, &form.channels, Some(&mut channels), lang);
                form.channels = channels;
                ui.horizontal(|ui| {
                    if ui.button(lang.pick("保存", "Save")).clicked() {
                        send(commands, NotifyCommand::SaveSettings);
                    }
                    if ui.button(lang.pick("取消", "Cancel")).clicked() {
                        send(commands, NotifyCommand::CancelSettings);
                    }
                });
            }
        }
    });
    ui.add_space(t.spacing);
    t.card_frame().show(ui, |ui| {
        ui.heading(lang.pick("通道", "Channels"));
        egui::Grid::new("notify-channels").striped(true).show(ui, |ui| {
            for h in [
                lang.pick("通道", "Channel"),
                lang.pick("状态", "State"),
                lang.pick("已存密钥", "Secrets stored"),
                lang.pick("修改", "Changed"),
                "",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for c in Channel::all() {
                let found = view.channels.iter().find(|v| v.setup.channel() == c);
                ui.label(channel_label(c, lang));
                match found {
                    Some(_) => ui.label(RichText::new(lang.pick("已配置", "Set up")).color(t.ok)),
                    None => ui.label(RichText::new(lang.pick("未配置", "Not set up")).color(t.text_weak)),
                };
                ui.label(found.map(|f| f.secrets_set.join("、")).unwrap_or_default());
                ui.label(
                    found.map(|f| format!("{} {}", f.updated_by, time::format_local(f.updated_at))).unwrap_or_default(),
                );
                if ui.button(lang.pick("设置…", "Set up…")).clicked() {
                    send(commands, NotifyCommand::EditChannel(c));
                }
                ui.end_row();
            }
        });
        if let Some((channel, form)) = &mut tab.channel {
            let channel = *channel;
            ui.separator();
            ui.label(RichText::new(channel_label(channel, lang)).strong());
            egui::Grid::new("notify-channel-form").show(ui, |ui| {
                let row = |ui: &mut egui::Ui, label: &str, value: &mut String| {
                    ui.label(label);
                    ui.add_sized([t.spacing * 30.0, ui.spacing().interact_size.y], egui::TextEdit::singleline(value));
                    ui.end_row();
                };
                match channel {
                    Channel::Wecom | Channel::Dingtalk => {
                        row(ui, lang.pick("每分钟至多", "At most a minute"), &mut form.per_minute)
                    }
                    Channel::Email => {
                        row(ui, lang.pick("SMTP 服务器", "SMTP server"), &mut form.host);
                        row(ui, lang.pick("端口", "Port"), &mut form.port);
                        ui.label(lang.pick("加密", "Security"));
                        ui.horizontal(|ui| {
                            ui.radio_value(&mut form.starttls, true, "STARTTLS");
                            ui.radio_value(&mut form.starttls, false, "TLS");
                        });
                        ui.end_row();
                        row(ui, lang.pick("登录名", "User"), &mut form.username);
                        row(ui, lang.pick("发件人", "From"), &mut form.from);
                    }
                    Channel::Sms => {
                        row(ui, lang.pick("网关地址", "Gateway URL"), &mut form.url);
                        ui.label(lang.pick("请求体", "Body"));
                        ui.horizontal(|ui| {
                            ui.radio_value(&mut form.body_form, false, "JSON");
                            ui.radio_value(&mut form.body_form, true, "form");
                        });
                        ui.end_row();
                        ui.label(lang.pick("模板", "Template"));
                        ui.add_sized([t.spacing * 30.0, t.spacing * 9.0], egui::TextEdit::multiline(&mut form.body));
                        ui.end_row();
                        row(ui, "app_key", &mut form.app_key);
                        ui.label(lang.pick("签名", "Signature"));
                        egui::ComboBox::from_id_salt("sms-sign")
                            .selected_text(sign_label(SIGNS[form.sign.min(4)]))
                            .show_ui(ui, |ui| {
                                for (i, s) in SIGNS.iter().enumerate() {
                                    ui.selectable_value(&mut form.sign, i, sign_label(*s));
                                }
                            });
                        ui.end_row();
                        row(ui, lang.pick("签名原文", "Signed text"), &mut form.sign_input);
                        row(ui, lang.pick("成功应答包含", "Success answer contains"), &mut form.accept_contains);
                    }
                }
                for (name, value) in &mut form.secrets {
                    let l = ui.label(format!("{name}{}", lang.pick("（密钥）", " (secret)")));
                    ui.add_sized(
                        [t.spacing * 30.0, ui.spacing().interact_size.y],
                        egui::TextEdit::singleline(value)
                            .password(true)
                            .hint_text(lang.pick("留空则保留已存的", "empty: keep the stored one")),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                }
            });
            ui.horizontal(|ui| {
                if ui.button(lang.pick("保存通道", "Save channel")).clicked() {
                    send(commands, NotifyCommand::SaveChannel);
                }
                if ui.button(lang.pick("取消", "Cancel")).clicked() {
                    send(commands, NotifyCommand::CancelChannel);
                }
                ui.separator();
                ui.add(
                    egui::TextEdit::singleline(&mut form.test_to)
                        .hint_text(lang.pick("测试接收手机号/邮箱", "Test recipient"))
                        .desired_width(t.spacing * 12.0),
                );
                let configured = view.channels.iter().any(|v| v.setup.channel() == channel);
                if ui.add_enabled(configured, egui::Button::new(lang.pick("测试发送", "Send a test"))).clicked() {
                    send(commands, NotifyCommand::Test(channel));
                }
            });
        }
    });
}

/// The events × channels grid: read only, or ticked into `edit`.
fn rules_grid(ui: &mut egui::Ui, on: &[[bool; 4]], mut edit: Option<&mut Vec<[bool; 4]>>, lang: Lang) {
    egui::Grid::new(if edit.is_some() { "notify-rules-edit" } else { "notify-rules" }).striped(true).show(ui, |ui| {
        ui.label(RichText::new(lang.pick("事件", "Event")).strong());
        for c in Channel::all() {
            ui.label(RichText::new(channel_label(c, lang)).strong());
        }
        ui.end_row();
        for (i, e) in NotifyEvent::ALL.iter().enumerate() {
            ui.label(e.label_zh());
            for k in 0..4 {
                match edit.as_deref_mut() {
                    Some(rows) => {
                        ui.checkbox(&mut rows[i][k], "");
                    }
                    None => {
                        ui.label(if on.get(i).is_some_and(|r| r[k]) { "√" } else { "" });
                    }
                }
            }
            ui.end_row();
        }
    });
}

/// 通知记录: who, what, when, on which channel, the result, the attempts, 已阅.
pub fn log_tab(ui: &mut egui::Ui, tab: &NotifyTab, commands: &mut Sender<AdminCommand>, lang: Lang, t: &Tokens) {
    ui.horizontal(|ui| {
        ui.label(lang.pick("状态：", "State:"));
        for (state, label) in [
            (None, lang.pick("全部", "All")),
            (Some(MessageState::Pending), MessageState::Pending.label_zh()),
            (Some(MessageState::Delivered), MessageState::Delivered.label_zh()),
            (Some(MessageState::Failed), MessageState::Failed.label_zh()),
            (Some(MessageState::Held), MessageState::Held.label_zh()),
        ] {
            if ui.selectable_label(tab.log_state == state, label).clicked() {
                commands.push(AdminCommand::Notify(NotifyCommand::LoadLog(state)));
            }
        }
        ui.label(
            RichText::new(
                lang.pick_owned(&format!("近 7 天 {} 条", tab.log.len()), &format!("{} in 7 days", tab.log.len())),
            )
            .color(t.text_weak),
        );
    });
    if let Some(e) = &tab.error {
        ui.label(RichText::new(e).color(t.red));
    }
    // One line per message: cells do not wrap (the whole text and the gateway's answer on hover).
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
    let col = |ems: f32| egui_extras::Column::initial(t.spacing * ems).at_least(t.spacing * ems).resizable(true);
    egui_extras::TableBuilder::new(ui)
        .striped(true)
        .column(col(12.0))
        .column(col(7.0))
        .column(col(16.0))
        .column(col(13.0))
        .column(col(14.0))
        .column(col(4.0))
        .column(col(10.0))
        .column(col(10.0))
        .column(egui_extras::Column::remainder())
        .header(t.spacing * 2.0, |mut h| {
            for c in [
                lang.pick("时间", "Made"),
                lang.pick("通道", "Channel"),
                lang.pick("对象", "To"),
                lang.pick("事件", "Event"),
                lang.pick("结果", "Result"),
                lang.pick("次数", "Tries"),
                lang.pick("送达", "Delivered"),
                lang.pick("已阅", "Read"),
                lang.pick("内容 / 网关应答", "Text / gateway's answer"),
            ] {
                h.col(|ui| {
                    ui.strong(c);
                });
            }
        })
        .body(|body| {
            body.rows(t.spacing * 2.2, tab.log.len(), |mut row| {
                let r = &tab.log[row.index()];
                let short = |at| time::local_datetime(at).format("%m-%d %H:%M:%S").to_string();
                row.col(|ui| {
                    ui.label(short(r.created_at));
                });
                row.col(|ui| {
                    ui.label(channel_label(r.channel, lang));
                });
                row.col(|ui| {
                    ui.label(format!("{} {}", r.person, r.address));
                });
                row.col(|ui| {
                    ui.label(event_label(&r.event, lang));
                });
                row.col(|ui| {
                    let colour = match r.state {
                        MessageState::Delivered | MessageState::Digested => t.ok,
                        MessageState::Failed => t.red,
                        MessageState::Pending | MessageState::Held => t.orange,
                    };
                    let mut text = lang.pick(r.state.label_zh(), r.state.label_en()).to_owned();
                    if r.state == MessageState::Pending && r.due_at > r.created_at {
                        text = format!("{text}（{}）", short(r.due_at.max(r.next_try_at.unwrap_or(r.due_at))));
                    }
                    ui.label(RichText::new(text).color(colour));
                });
                row.col(|ui| {
                    ui.label(r.attempts.to_string());
                });
                row.col(|ui| {
                    ui.label(r.delivered_at.map(short).unwrap_or_default());
                });
                row.col(|ui| {
                    ui.label(r.read_at.map(short).unwrap_or_default());
                });
                row.col(|ui| {
                    let first = r.text.lines().next().unwrap_or_default();
                    ui.label(first).on_hover_text(format!("{}\n\n{}", r.text, r.answer));
                });
            });
        });
}

//! `jiancha notify` (issue 33): the settings and channels in force, setting them, a test message, the
//! delivery log, and one sending round now.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;

use super::{Ctx, Failure, Format, connect, print_json, secret};
use crate::domain::notify::{Channel, ChannelSetup};
use crate::domain::time;
use crate::store::{MessageState, NotifyLogQuery, SecretValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChannelArg {
    Email,
    Wecom,
    Dingtalk,
    Sms,
}

impl ChannelArg {
    fn channel(self) -> Channel {
        match self {
            ChannelArg::Email => Channel::Email,
            ChannelArg::Wecom => Channel::Wecom,
            ChannelArg::Dingtalk => Channel::Dingtalk,
            ChannelArg::Sms => Channel::Sms,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateArg {
    Pending,
    Held,
    Digested,
    Delivered,
    Failed,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// The settings in force, the channels (secrets by name only) and the outbox (administrators).
    Status {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// 通知记录: who was told what, when, on which channel, with what result (newest first).
    Log {
        #[arg(long, value_parser = super::args::parse_day)]
        from: Option<chrono::NaiveDate>,
        #[arg(long, value_parser = super::args::parse_day)]
        to: Option<chrono::NaiveDate>,
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// 测试发送: a test message on CHANNEL to a mobile or an address. On the local database it is sent
    /// at once and the answer printed; through a server, its sender sends it and this waits for it.
    Test {
        channel: ChannelArg,
        #[arg(long, value_name = "MOBILE|ADDRESS")]
        to: String,
    },
    /// Set a channel from a JSON file with its setup (`{"channel": "wecom", "per_minute": 20}`); each
    /// `--secret NAME` is read from JIANCHA_SECRET_NAME (upper case) or asked without echo, and sealed.
    Channel {
        file: PathBuf,
        #[arg(long = "secret", value_name = "NAME")]
        secrets: Vec<String>,
    },
    /// Save the `[notify]` of a rules.toml-shaped FILE as the hall's settings in the database.
    Settings { file: PathBuf },
    /// One sending round now on the local database (fill the outbox, send what is due).
    Send,
}

pub(super) fn run(ctx: &Ctx, cmd: NotifyCommand) -> Result<(), Failure> {
    match cmd {
        NotifyCommand::Status { format } => status(ctx, format),
        NotifyCommand::Log { from, to, state, limit, format } => {
            let state = state.map(|s| match s {
                StateArg::Pending => MessageState::Pending,
                StateArg::Held => MessageState::Held,
                StateArg::Digested => MessageState::Digested,
                StateArg::Delivered => MessageState::Delivered,
                StateArg::Failed => MessageState::Failed,
            });
            log(ctx, &NotifyLogQuery { from, to, state, event_key: None, limit }, format)
        }
        NotifyCommand::Test { channel, to } => test(ctx, channel.channel(), &to),
        NotifyCommand::Channel { file, secrets } => set_channel(ctx, &file, &secrets),
        NotifyCommand::Settings { file } => {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(&file).with_context(|| name.clone())?;
            let settings = crate::settings::Settings::parse(&name, &text)?.notify;
            let (store, session) = connect(ctx, false)?;
            store.set_notify_settings(&session, &settings)?;
            println!(
                "通知设置已保存 (saved): {} 人、{} 条规则，{}",
                settings.people.len(),
                settings.rules.len(),
                if settings.enabled { "已启用 (enabled)" } else { "未启用 (disabled)" }
            );
            Ok(())
        }
        NotifyCommand::Send => {
            if ctx.backend.is_some() {
                return Err(
                    anyhow::anyhow!("`notify send` works on the local database; a server sends by itself").into()
                );
            }
            let store = super::open_store(&ctx.data_dir, false, ctx.clock.clone())?;
            let name = store.holder().unwrap_or_else(crate::store::local_workstation);
            let mut rev = 0;
            let round = crate::notify::round(&store, &name, &mut rev)?;
            println!(
                "入队 {} 条，送达 {} 条，失败 {} 次 (queued, delivered, failed attempts)",
                round.queued, round.delivered, round.failed_attempts
            );
            Ok(())
        }
    }
}

fn status(ctx: &Ctx, format: Format) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let view = store.notify_view(&session)?;
    if format == Format::Json {
        return print_json(&view);
    }
    let s = &view.settings;
    println!(
        "通知 (notifications): {}；设置来源 {}",
        if s.enabled { "已启用 (enabled)" } else { "未启用 (disabled)" },
        match &view.saved {
            Some((by, at)) => format!("系统管理 ({by}, {})", time::format_local(*at)),
            None => "rules.toml [notify]".into(),
        }
    );
    println!(
        "免打扰 {}–{}（红牌除外）；每人每小时至多 {} 条；{} 人，{} 条规则",
        s.quiet_hours[0],
        s.quiet_hours[1],
        s.per_hour,
        s.people.len(),
        s.rules.len()
    );
    for c in &view.channels {
        println!(
            "  {:<8} {}  密钥 (secrets): {}  — {} {}",
            c.setup.channel().key(),
            c.setup.channel().label_zh(),
            if c.secrets_set.is_empty() { "—".into() } else { c.secrets_set.join(", ") },
            c.updated_by,
            time::format_local(c.updated_at)
        );
    }
    if view.channels.is_empty() {
        println!("  尚未配置任何通道 (no channel set up): jiancha notify channel FILE");
    }
    println!("待发送 {} 条；近 7 天失败 {} 条 (waiting; failed in the last 7 days)", view.waiting, view.failed);
    Ok(())
}

fn log(ctx: &Ctx, query: &NotifyLogQuery, format: Format) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let list = store.notify_log(&session, query)?;
    if format == Format::Json {
        return print_json(&list);
    }
    println!(
        "{:>6}  {:<16}  {:<8}  {:<10}  {:<14}  {:<8}  {:>2}  {:<16}  内容 / 回执",
        "编号", "时间", "通道", "对象", "地址", "结果", "次", "送达"
    );
    for r in &list {
        println!(
            "{:>6}  {:<16}  {:<8}  {:<10}  {:<14}  {:<8}  {:>2}  {:<16}  {}{}  [{}]",
            r.id,
            time::local_datetime(r.created_at).format("%Y-%m-%d %H:%M"),
            r.channel.label_zh(),
            r.person,
            r.address,
            r.state.label_zh(),
            r.attempts,
            r.delivered_at.map(|t| time::local_datetime(t).format("%m-%d %H:%M:%S").to_string()).unwrap_or_default(),
            r.text.lines().next().unwrap_or_default(),
            r.read_at.map(|t| format!(" 已阅 {}", time::local_datetime(t).format("%m-%d %H:%M"))).unwrap_or_default(),
            r.answer
        );
    }
    println!("{} 条 (messages)", list.len());
    Ok(())
}

fn test(ctx: &Ctx, channel: Channel, to: &str) -> Result<(), Failure> {
    let (store, session) = connect(ctx, false)?;
    let id = store.notify_test(&session, channel, to)?;
    println!("测试消息 {id} 已入队 (queued)");
    if ctx.backend.is_none() {
        // The local database: send it now rather than wait for a console or server to.
        let local = super::open_store(&ctx.data_dir, false, ctx.clock.clone())?;
        let name = local.holder().unwrap_or_else(crate::store::local_workstation);
        let mut rev = i64::MAX;
        crate::notify::round(&local, &name, &mut rev)?;
    }
    // Wait for the outcome (a server's sender takes it within seconds).
    let deadline = ctx.clock.monotonic() + std::time::Duration::from_secs(60);
    loop {
        let found = store
            .notify_log(&session, &NotifyLogQuery { limit: 200, ..NotifyLogQuery::default() })?
            .into_iter()
            .find(|r| r.id == id);
        match found {
            Some(r) if r.state == MessageState::Delivered => {
                println!("已送达 (delivered): {}", r.answer);
                return Ok(());
            }
            Some(r) if r.state == MessageState::Failed || (r.attempts > 0 && ctx.backend.is_none()) => {
                return Err(anyhow::anyhow!("未送达 (not delivered, attempt {}): {}", r.attempts, r.answer).into());
            }
            _ if ctx.clock.monotonic() >= deadline => {
                return Err(anyhow::anyhow!("no answer within 60 s: see `jiancha notify log`").into());
            }
            _ => {
                ctx.clock.sleep(std::time::Duration::from_millis(500));
            }
        }
    }
}

fn set_channel(ctx: &Ctx, file: &std::path::Path, names: &[String]) -> Result<(), Failure> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).with_context(|| name.clone())?;
    let setup: ChannelSetup = serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{name}:{}: {e}", e.line()))?;
    setup.validate().map_err(|(key, message)| anyhow::anyhow!("{name}: {key}: {message}"))?;
    let mut secrets = Vec::new();
    for n in names {
        let env = format!("JIANCHA_SECRET_{}", n.to_ascii_uppercase());
        let value = secret(&env, &format!("{} {n}: ", setup.channel().label_zh()))?;
        secrets.push(SecretValue { name: n.clone(), value });
    }
    let (store, session) = connect(ctx, false)?;
    store.set_notify_channel(&session, &setup, &secrets)?;
    println!("{}（{}）已设置 (set)", setup.channel().label_zh(), setup.channel().key());
    Ok(())
}

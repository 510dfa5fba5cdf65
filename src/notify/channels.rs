//! One message over one channel: e-mail over SMTP (STARTTLS or TLS, lettre on rustls), the WeCom and
//! DingTalk group robots (JSON over HTTPS; DingTalk's call signed), an SMS gateway as its template
//! describes it. Every request carries the message's id (`X-Jiancha-Message`, the mail's Message-ID) so
//! that a gateway can recognise a repeat; every answer and error is cleaned of the channel's secrets
//! before it is kept: a webhook's key never reaches the log or the delivery record.

use std::time::Duration;

use crate::domain::notify::{self, ChannelSetup, EmailSetup, SmtpSecurity};
use crate::store::sqlite::SendingChannel;
use crate::store::sqlite::notify::Outgoing;

/// Each request's limit; the claim's lease is far longer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The header with the message's id.
pub const MESSAGE_HEADER: &str = "x-jiancha-message";

/// Sends `message` over `channel` at `now_ms` (DingTalk's signed timestamp, the SMS template's); the
/// gateway's answer, or why not — never a secret.
pub fn send(channel: &SendingChannel, message: &Outgoing, now_ms: i64) -> Result<String, String> {
    let outcome = match &channel.setup {
        ChannelSetup::Email(setup) => email(setup, channel.secrets.get("password").map(String::as_str), message),
        ChannelSetup::Wecom(_) => {
            let url = secret(channel, "webhook")?;
            let body = notify::wecom_body(&message.text, &[message.address.as_str()]);
            robot(url, &body, message.id)
        }
        ChannelSetup::Dingtalk(_) => {
            let webhook = secret(channel, "webhook")?;
            let url = match channel.secrets.get("secret") {
                Some(sign) => notify::dingtalk_url(webhook, sign, now_ms),
                None => webhook.to_owned(),
            };
            let body = notify::dingtalk_body(&message.text, &[message.address.as_str()]);
            robot(&url, &body, message.id)
        }
        ChannelSetup::Sms(setup) => {
            let key = channel.secrets.get("secret").map_or("", String::as_str);
            let request =
                notify::sms_request(setup, key, &message.address, &message.text, &message.id.to_string(), now_ms);
            sms(&request, setup.accept_contains.as_deref(), message.id)
        }
    };
    // Nothing a secret: whatever a gateway or a library said is cleaned of every secret of the channel.
    let clean = |text: String| {
        channel.secrets.values().filter(|s| s.len() >= 4).fold(text, |t, s| t.replace(s.as_str(), "***"))
    };
    outcome.map(clean).map_err(clean)
}

fn secret<'a>(channel: &'a SendingChannel, name: &str) -> Result<&'a str, String> {
    channel
        .secrets
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| format!("{} has no {name}", channel.setup.channel().key()))
}

/// One HTTP client for every request (its connections kept for the next message to the same robot).
fn client() -> Result<reqwest::blocking::Client, String> {
    static CLIENT: std::sync::OnceLock<reqwest::blocking::Client> = std::sync::OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c.clone());
    }
    crate::store::remote::install_crypto();
    let built = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("HTTP client: {}", e.without_url()))?;
    Ok(CLIENT.get_or_init(|| built).clone())
}

/// A request's failure in words, without its URL (which may carry a robot's key).
fn failed(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let e = e.without_url();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() { kind.to_owned() } else { format!("{kind}: {cause}") }
}

/// The start of an answer's body, one line.
fn start_of(body: &str) -> String {
    body.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect()
}

/// A robot's call: accepted when the answer is 200 with `errcode` 0 (both platforms answer so).
fn robot(url: &str, body: &serde_json::Value, id: i64) -> Result<String, String> {
    let answer = client()?.post(url).header(MESSAGE_HEADER, id.to_string()).json(body).send().map_err(failed)?;
    let status = answer.status();
    let text = answer.text().map_err(failed)?;
    if !status.is_success() {
        return Err(format!("HTTP {}: {}", status.as_u16(), start_of(&text)));
    }
    let code = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("errcode").and_then(serde_json::Value::as_i64));
    match code {
        Some(0) => Ok(format!("HTTP {}: {}", status.as_u16(), start_of(&text))),
        _ => Err(format!("HTTP {} refused: {}", status.as_u16(), start_of(&text))),
    }
}

fn sms(request: &notify::SmsRequest, accept: Option<&str>, id: i64) -> Result<String, String> {
    let answer = client()?
        .post(&request.url)
        .header(MESSAGE_HEADER, id.to_string())
        .header(reqwest::header::CONTENT_TYPE, request.content_type)
        .body(request.body.clone())
        .send()
        .map_err(failed)?;
    let status = answer.status();
    let text = answer.text().map_err(failed)?;
    let said = format!("HTTP {}: {}", status.as_u16(), start_of(&text));
    if status.is_success() && accept.is_none_or(|a| text.contains(a)) { Ok(said) } else { Err(said) }
}

/// The subject of a mail: the message's first line, without the confirmation line.
pub fn subject(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    let cut: String = first.chars().take(60).collect();
    if cut.chars().count() < first.chars().count() { format!("{cut}…") } else { cut }
}

fn email(setup: &EmailSetup, password: Option<&str>, message: &Outgoing) -> Result<String, String> {
    use lettre::Transport as _;
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    let mut params = TlsParameters::builder(setup.host.clone());
    if let Some(pem) = &setup.ca_pem {
        let cert = Certificate::from_pem(pem.as_bytes()).map_err(|e| format!("email.ca_pem: {e}"))?;
        params = params.add_root_certificate(cert);
    }
    let params = params.build_rustls().map_err(|e| format!("TLS: {e}"))?;
    let tls = match setup.security {
        SmtpSecurity::StartTls => Tls::Required(params),
        SmtpSecurity::Tls => Tls::Wrapper(params),
    };
    let mut transport =
        lettre::SmtpTransport::builder_dangerous(setup.host.clone()).port(setup.port).tls(tls).timeout(Some(TIMEOUT));
    if let Some(user) = &setup.username {
        transport = transport.credentials(lettre::transport::smtp::authentication::Credentials::new(
            user.clone(),
            password.unwrap_or_default().to_owned(),
        ));
    }
    let from: lettre::message::Mailbox = setup.from.parse().map_err(|e| format!("email.from: {e}"))?;
    let domain = from.email.domain().to_owned();
    let to: lettre::message::Mailbox = message.address.parse().map_err(|e| format!("the address: {e}"))?;
    let mail = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(subject(&message.text))
        .message_id(Some(format!("<jiancha-{}@{domain}>", message.id)))
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(message.text.clone())
        .map_err(|e| format!("the mail: {e}"))?;
    let answer = transport.build().send(&mail).map_err(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        format!("SMTP: {text}")
    })?;
    Ok(format!("SMTP {}: {}", answer.code(), start_of(&answer.message().collect::<Vec<_>>().join(" "))))
}

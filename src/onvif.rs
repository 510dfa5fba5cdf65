//! 搜索摄像头 (ONVIF Profile S): a WS-Discovery probe for the cameras that answer on the hall's network,
//! and, with a device's user and password, its media profiles and their RTSP stream URIs (SOAP 1.2 with a
//! WS-UsernameToken digest), to fill in a camera's stream URLs.
//!
//! Only what the hall needs: `Probe` for `dn:NetworkVideoTransmitter`, `GetCapabilities` (the media
//! service's address), `GetProfiles`, `GetStreamUri` (RTP-Unicast over RTSP). Calls go over a real HTTP
//! client (reqwest: chunked answers, no redirects, no proxy, 5 s, answers at most 1 MiB) only to the
//! host the user chose — a media address the device names elsewhere is taken on that host. Answers are
//! parsed as XML (roxmltree: no DTD, at most 100,000 nodes) and read by local element names, namespaces
//! ignored, as cameras of different vendors prefix them differently. Discovery takes only answers to
//! its own probe's message id, at most 256 devices; a device's own words are shown trimmed.

use std::io::Read as _;
use std::net::{SocketAddr, ToSocketAddrs as _, UdpSocket};
use std::time::Duration;

use rand::RngCore as _;

/// Where WS-Discovery probes go on a real network.
pub const DISCOVERY_ADDR: &str = "239.255.255.250:3702";

/// How long a device has to answer a SOAP call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The most devices one search lists.
pub const MAX_DEVICES: usize = 256;

/// The largest answer read from a device.
const MAX_ANSWER: u64 = 1 << 20;

/// A device that answered the probe.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Device {
    /// The device service's address (`http://192.168.10.21/onvif/device_service`).
    pub address: String,
    pub manufacturer: String,
    pub model: String,
    pub name: String,
}

impl Device {
    /// The host the device answers on.
    pub fn host(&self) -> String {
        let rest = self.address.split_once("://").map_or(self.address.as_str(), |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or("");
        match authority.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h.to_owned(),
            _ => authority.to_owned(),
        }
    }
}

/// A device's stream URIs: the first profile's (main) and the second's (sub), without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamUris {
    pub main: String,
    pub sub: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnvifError {
    #[error("摄像头 {0} 在 {1} 秒内没有回应 (no answer within {1} s)")]
    Timeout(String, u64),
    #[error("无法连接 {0} (cannot connect): {1}")]
    Unreachable(String, String),
    #[error("摄像头拒绝了用户名或密码 (the device refused the user or password)")]
    Unauthorized,
    #[error("摄像头的回答无法识别 (unexpected answer): {0}")]
    Unexpected(String),
}

fn uuid() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let h = hex::encode(b);
    format!("uuid:{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// The WS-Discovery probe for video transmitters.
pub fn probe_message(message_id: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<s:Header><a:MessageID>{message_id}</a:MessageID><a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To><a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>
<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>
</s:Envelope>"#
    )
}

/// Sends the probe to `target` (the multicast group, or one address) and lists the devices that
/// answer within `wait`, each once.
pub fn discover(target: &str, wait: Duration) -> Result<Vec<Device>, OnvifError> {
    let target: SocketAddr = target
        .to_socket_addrs()
        .map_err(|e| OnvifError::Unreachable(target.to_owned(), e.to_string()))?
        .next()
        .ok_or_else(|| OnvifError::Unreachable(target.to_owned(), "no address".into()))?;
    let bind = if target.ip().is_loopback() { "127.0.0.1:0" } else { "0.0.0.0:0" };
    let socket = UdpSocket::bind(bind).map_err(|e| OnvifError::Unreachable(bind.into(), e.to_string()))?;
    let _ = socket.set_multicast_ttl_v4(1);
    let id = uuid();
    socket
        .send_to(probe_message(&id).as_bytes(), target)
        .map_err(|e| OnvifError::Unreachable(target.to_string(), e.to_string()))?;
    let deadline = crate::clock::real_monotonic() + wait;
    let mut devices: Vec<Device> = Vec::new();
    let mut buf = vec![0u8; 65_536];
    loop {
        let left = deadline.saturating_duration_since(crate::clock::real_monotonic());
        if left.is_zero() {
            break;
        }
        let _ = socket.set_read_timeout(Some(left.max(Duration::from_millis(1))));
        let Ok((n, _from)) = socket.recv_from(&mut buf) else { break };
        let text = String::from_utf8_lossy(&buf[..n]);
        let Ok(doc) = parse(&text) else { continue };
        // Only answers to this very probe: anything else on the network is not ours.
        if first_text(&doc, "RelatesTo").as_deref() != Some(id.as_str()) {
            continue;
        }
        for m in doc.descendants().filter(|n| n.is_element() && n.tag_name().name() == "ProbeMatch") {
            let Some(address) = child_text(m, "XAddrs").and_then(|x| x.split_whitespace().next().map(str::to_owned))
            else {
                continue;
            };
            if !address.starts_with("http://") || address.len() > 300 {
                continue;
            }
            let scopes = child_text(m, "Scopes").unwrap_or_default();
            let scope = |key: &str| {
                scopes
                    .split_whitespace()
                    .find_map(|s| s.strip_prefix(&format!("onvif://www.onvif.org/{key}/")))
                    .map(|v| shown(&crate::domain::hall::percent_decode(v)))
                    .unwrap_or_default()
            };
            let manufacturer =
                [scope("mfr"), scope("manufacturer")].into_iter().find(|s| !s.is_empty()).unwrap_or_default();
            let device = Device { address, manufacturer, model: scope("hardware"), name: scope("name") };
            if !devices.iter().any(|d| d.address == device.address) {
                devices.push(device);
            }
            if devices.len() >= MAX_DEVICES {
                return Ok(devices);
            }
        }
    }
    Ok(devices)
}

/// An answer parsed as XML: no DTD (no entity expansion), at most 100,000 nodes.
fn parse(text: &str) -> Result<roxmltree::Document<'_>, OnvifError> {
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: 100_000 };
    roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| OnvifError::Unexpected(format!("not XML: {}", shown(&e.to_string()))))
}

/// The trimmed text of the first element called `local` (any namespace) in `doc`.
fn first_text(doc: &roxmltree::Document<'_>, local: &str) -> Option<String> {
    child_text(doc.root(), local)
}

/// The trimmed text of the first element called `local` under `node` (any depth, any namespace).
fn child_text(node: roxmltree::Node<'_, '_>, local: &str) -> Option<String> {
    node.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == local)
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
}

/// A device's own words as the console shows them: no control characters, at most 200 characters.
fn shown(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let trimmed = clean.trim();
    if trimmed.chars().count() > 200 {
        format!("{}…", trimmed.chars().take(200).collect::<String>())
    } else {
        trimmed.to_owned()
    }
}

/// The text of the first element called `local` (any namespace) in an XML text — for a responder in
/// tests reading what the client sent; none when it is not XML or has no such element.
pub fn element(xml: &str, local: &str) -> Option<String> {
    first_text(&parse(xml).ok()?, local)
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The WS-UsernameToken password digest: Base64(SHA-1(nonce ‖ created ‖ password)).
pub fn password_digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut data = nonce.to_vec();
    data.extend_from_slice(created.as_bytes());
    data.extend_from_slice(password.as_bytes());
    base64(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &data).as_ref())
}

/// The nonce of a header, decoded (for a responder checking a digest).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()
}

fn envelope(user: &str, password: &str, body: &str) -> String {
    let mut nonce = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let created = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let security = if user.is_empty() {
        String::new()
    } else {
        format!(
            r#"<s:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken><wsse:Username>{}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{}</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">{}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>"#,
            xml_escape(user),
            password_digest(&nonce, &created, password),
            base64(&nonce)
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">{security}<s:Body>{body}</s:Body></s:Envelope>"#
    )
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// POSTs a SOAP envelope to `url` (plain HTTP, as cameras serve ONVIF) and returns the answer's body.
fn call(url: &reqwest::Url, envelope: &str) -> Result<String, OnvifError> {
    let authority = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_owned(),
    };
    crate::store::remote::install_crypto();
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(CALL_TIMEOUT)
        .timeout(CALL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| OnvifError::Unexpected(shown(&e.to_string())))?;
    let secs = CALL_TIMEOUT.as_secs();
    let failed = |e: reqwest::Error| {
        if e.is_timeout() {
            OnvifError::Timeout(authority.clone(), secs)
        } else {
            let mut cause: &dyn std::error::Error = &e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            OnvifError::Unreachable(authority.clone(), shown(&cause.to_string()))
        }
    };
    let answer = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")
        .body(envelope.to_owned())
        .send()
        .map_err(failed)?;
    let status = answer.status().as_u16();
    let mut body = Vec::new();
    answer.take(MAX_ANSWER + 1).read_to_end(&mut body).map_err(|e| match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => OnvifError::Timeout(authority.clone(), secs),
        _ => OnvifError::Unreachable(authority.clone(), shown(&e.to_string())),
    })?;
    if body.len() as u64 > MAX_ANSWER {
        return Err(OnvifError::Unexpected("the answer is over 1 MiB".into()));
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    let fault = parse(&body).ok().and_then(|doc| first_text(&doc, "Text").or_else(|| first_text(&doc, "Value")));
    if status == 401 || fault.as_deref().is_some_and(|f| f.contains("NotAuthorized")) || body.contains("NotAuthorized")
    {
        return Err(OnvifError::Unauthorized);
    }
    if !(200..300).contains(&status) {
        return Err(OnvifError::Unexpected(fault.map_or_else(|| format!("HTTP {status}"), |f| shown(&f))));
    }
    Ok(body)
}

/// The device service the user chose, as a URL (plain HTTP, a host).
fn device_url(text: &str) -> Result<reqwest::Url, OnvifError> {
    let url = reqwest::Url::parse(text.trim())
        .map_err(|_| OnvifError::Unexpected(format!("{} is not a device address", shown(text))))?;
    if url.scheme() != "http" || url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(OnvifError::Unexpected(format!("{} is not http://host/…", shown(text))));
    }
    Ok(url)
}

/// The media service where the device says it is — but on the host the user chose: a device (or whoever
/// answers for it) does not send the next digest anywhere else. Its port and path are kept.
fn on_chosen_host(chosen: &reqwest::Url, named: &str) -> Result<reqwest::Url, OnvifError> {
    let mut url = reqwest::Url::parse(named.trim())
        .map_err(|_| OnvifError::Unexpected(format!("the media address {} is not a URL", shown(named))))?;
    if url.scheme() != "http" {
        return Err(OnvifError::Unexpected(format!("the media address {} is not http://", shown(named))));
    }
    url.set_host(chosen.host_str()).map_err(|_| OnvifError::Unexpected("the media address has no host".into()))?;
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Ok(url)
}

/// The device's media profiles' stream URIs, asked with its user and password.
pub fn stream_uris(device: &str, user: &str, password: &str) -> Result<StreamUris, OnvifError> {
    let chosen = device_url(device)?;
    let capabilities = call(
        &chosen,
        &envelope(user, password, "<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>"),
    )?;
    let capabilities = parse(&capabilities)?;
    let named = capabilities
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "Media")
        .and_then(|m| child_text(m, "XAddr"))
        .ok_or_else(|| OnvifError::Unexpected("no media service in GetCapabilities".into()))?;
    let media = on_chosen_host(&chosen, &named)?;
    let profiles = call(&media, &envelope(user, password, "<trt:GetProfiles/>"))?;
    let profiles = parse(&profiles)?;
    let tokens: Vec<String> = profiles
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "Profiles")
        .filter_map(|n| n.attribute("token").map(str::to_owned))
        .take(16)
        .collect();
    if tokens.is_empty() {
        return Err(OnvifError::Unexpected("GetProfiles lists no profile".into()));
    }
    let uri = |token: &str| -> Result<String, OnvifError> {
        let body = format!(
            "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>{}</trt:ProfileToken></trt:GetStreamUri>",
            xml_escape(token)
        );
        let answer = call(&media, &envelope(user, password, &body))?;
        let answer = parse(&answer)?;
        let uri = answer
            .descendants()
            .find(|n| n.is_element() && n.tag_name().name() == "MediaUri")
            .and_then(|m| child_text(m, "Uri"))
            .ok_or_else(|| OnvifError::Unexpected("GetStreamUri gave no Uri".into()))?;
        if uri.chars().count() > crate::domain::hall::MAX_URL_CHARS || uri.chars().any(char::is_control) {
            return Err(OnvifError::Unexpected("GetStreamUri gave an unusable Uri".into()));
        }
        // A URI with credentials in it keeps them out: the password is set on its own.
        Ok(crate::domain::hall::split_credentials(&uri).0)
    };
    let main = uri(&tokens[0])?;
    let sub = match tokens.get(1) {
        Some(t) => Some(uri(t)?),
        None => None,
    };
    Ok(StreamUris { main, sub })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_found_by_local_name() {
        let xml = r#"<a:X xmlns:a="urn:a" xmlns:d="urn:d" xmlns:tt="urn:tt"><d:XAddrs>http://h/onvif</d:XAddrs><XAddrs/><tt:Profiles token="p1" fixed="true"><tt:Name>m</tt:Name></tt:Profiles></a:X>"#;
        assert_eq!(element(xml, "XAddrs").as_deref(), Some("http://h/onvif"));
        assert_eq!(element(xml, "Name").as_deref(), Some("m"));
        assert_eq!(element(xml, "Nothing"), None);
        assert_eq!(element("<not xml", "X"), None);
    }

    #[test]
    fn the_digest_follows_the_username_token_profile() {
        // The example of the WS-Security UsernameToken Profile 1.0, section 3.1 (digest of nonce, created, password).
        let nonce = decode_base64("LKqI6G/AikKCQrN0zqZFlg==").unwrap();
        assert_eq!(password_digest(&nonce, "2010-09-16T07:50:45Z", "userpassword"), "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(decode_base64(&base64(b"any bytes\x00\xff")).unwrap(), b"any bytes\x00\xff");
    }

    #[test]
    fn a_device_names_its_host() {
        let d = Device {
            address: "http://192.168.10.21:8080/onvif/device_service".into(),
            manufacturer: String::new(),
            model: String::new(),
            name: String::new(),
        };
        assert_eq!(d.host(), "192.168.10.21");
    }
}

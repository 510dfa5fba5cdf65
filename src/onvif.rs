//! 搜索摄像头 (ONVIF Profile S): a WS-Discovery probe for the cameras that answer on the hall's network,
//! and, with a device's user and password, its media profiles and their RTSP stream URIs (SOAP 1.2 with a
//! WS-UsernameToken digest), to fill in a camera's stream URLs.
//!
//! Only what the hall needs: `Probe` for `dn:NetworkVideoTransmitter`, `GetCapabilities` (the media
//! service's address), `GetProfiles`, `GetStreamUri` (RTP-Unicast over RTSP). The XML is read by local
//! element names, namespaces ignored, as cameras of different vendors prefix them differently.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _, UdpSocket};
use std::time::{Duration, Instant};

use rand::RngCore as _;

/// Where WS-Discovery probes go on a real network.
pub const DISCOVERY_ADDR: &str = "239.255.255.250:3702";

/// How long a device has to answer a SOAP call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

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
    let deadline = Instant::now() + wait;
    let mut devices: Vec<Device> = Vec::new();
    let mut buf = vec![0u8; 65_536];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let _ = socket.set_read_timeout(Some(left.max(Duration::from_millis(1))));
        let Ok((n, _from)) = socket.recv_from(&mut buf) else { break };
        let text = String::from_utf8_lossy(&buf[..n]);
        // Answers to someone else's probe are not ours.
        if element(&text, "RelatesTo").is_some_and(|r| r.trim() != id) {
            continue;
        }
        for m in elements(&text, "ProbeMatch") {
            let Some(address) = element(m, "XAddrs").and_then(|x| x.split_whitespace().next().map(str::to_owned))
            else {
                continue;
            };
            let scopes = element(m, "Scopes").unwrap_or_default();
            let scope = |key: &str| {
                scopes
                    .split_whitespace()
                    .find_map(|s| s.strip_prefix(&format!("onvif://www.onvif.org/{key}/")))
                    .map(crate::domain::hall::percent_decode)
                    .unwrap_or_default()
            };
            let manufacturer =
                [scope("mfr"), scope("manufacturer")].into_iter().find(|s| !s.is_empty()).unwrap_or_default();
            let device = Device { address, manufacturer, model: scope("hardware"), name: scope("name") };
            if !devices.iter().any(|d| d.address == device.address) {
                devices.push(device);
            }
        }
    }
    Ok(devices)
}

/// The text inside the first element called `local` (any namespace prefix).
pub fn element<'a>(xml: &'a str, local: &str) -> Option<&'a str> {
    elements(xml, local).into_iter().next()
}

/// The text inside every element called `local`, in order (not nested in one another).
pub fn elements<'a>(xml: &'a str, local: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some((open_end, name)) = find_open(xml, at, local) {
        // A self-closing element has no text.
        if xml[..open_end].ends_with("/>") {
            at = open_end;
            continue;
        }
        let close = format!("</{name}>");
        let Some(end) = xml[open_end..].find(&close) else { break };
        out.push(&xml[open_end..open_end + end]);
        at = open_end + end + close.len();
    }
    out
}

/// The end of the next opening tag `<prefix:local …>` or `<local …>` from `from`, and its full name.
fn find_open<'a>(xml: &'a str, from: usize, local: &str) -> Option<(usize, &'a str)> {
    let mut at = from;
    while let Some(lt) = xml[at..].find('<') {
        let start = at + lt + 1;
        let rest = &xml[start..];
        let name_end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len());
        let name = &rest[..name_end];
        let tag_end = rest.find('>').map(|i| start + i + 1)?;
        if name.rsplit(':').next() == Some(local) && !name.starts_with('/') {
            return Some((tag_end, name));
        }
        at = tag_end;
    }
    None
}

/// The attribute `name` of the first element called `local`.
fn attribute(xml: &str, local: &str, name: &str) -> Option<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some((end, _)) = find_open(xml, at, local) {
        let start = xml[..end].rfind('<').unwrap_or(0);
        let tag = &xml[start..end];
        if let Some(i) = tag.find(&format!("{name}=\"")) {
            let v = &tag[i + name.len() + 2..];
            out.push(v[..v.find('"').unwrap_or(v.len())].to_owned());
        }
        at = end;
    }
    out.into_iter().next()
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.trim().bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
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

fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// POSTs a SOAP envelope to `url` (plain HTTP, as cameras serve ONVIF) and returns the answer's body.
fn call(url: &str, envelope: &str) -> Result<String, OnvifError> {
    let rest = url.strip_prefix("http://").ok_or_else(|| OnvifError::Unexpected(format!("{url} is not http://")))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let addr_text = if authority.contains(':') { authority.to_owned() } else { format!("{authority}:80") };
    let addr = addr_text
        .to_socket_addrs()
        .map_err(|e| OnvifError::Unreachable(authority.to_owned(), e.to_string()))?
        .next()
        .ok_or_else(|| OnvifError::Unreachable(authority.to_owned(), "no address".into()))?;
    let secs = CALL_TIMEOUT.as_secs();
    let timeout = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            OnvifError::Timeout(authority.to_owned(), secs)
        }
        _ => OnvifError::Unreachable(authority.to_owned(), e.to_string()),
    };
    let mut stream = TcpStream::connect_timeout(&addr, CALL_TIMEOUT).map_err(timeout)?;
    stream.set_read_timeout(Some(CALL_TIMEOUT)).map_err(timeout)?;
    stream.set_write_timeout(Some(CALL_TIMEOUT)).map_err(timeout)?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/soap+xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{envelope}",
        envelope.len()
    );
    stream.write_all(request.as_bytes()).map_err(timeout)?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + CALL_TIMEOUT;
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => return Err(timeout(e)),
        }
        if answer.len() > 1 << 20 {
            return Err(OnvifError::Unexpected("the answer is over 1 MiB".into()));
        }
        if Instant::now() > deadline {
            return Err(OnvifError::Timeout(authority.to_owned(), secs));
        }
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    if status == 401 || body.contains("NotAuthorized") {
        return Err(OnvifError::Unauthorized);
    }
    if !(200..300).contains(&status) {
        let reason = element(body, "Text").map(str::to_owned).unwrap_or_else(|| format!("HTTP {status}"));
        return Err(OnvifError::Unexpected(reason));
    }
    Ok(body.to_owned())
}

/// The device's media profiles' stream URIs, asked with its user and password.
pub fn stream_uris(device_url: &str, user: &str, password: &str) -> Result<StreamUris, OnvifError> {
    let capabilities = call(
        device_url,
        &envelope(user, password, "<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>"),
    )?;
    let media = element(&capabilities, "Media")
        .and_then(|m| element(m, "XAddr"))
        .map(|x| xml_unescape(x.trim()))
        .ok_or_else(|| OnvifError::Unexpected("no media service in GetCapabilities".into()))?;
    let profiles = call(&media, &envelope(user, password, "<trt:GetProfiles/>"))?;
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some((end, _)) = find_open(&profiles, at, "Profiles") {
        let start = profiles[..end].rfind('<').unwrap_or(0);
        if let Some(t) = attribute(&profiles[start..end], "Profiles", "token") {
            tokens.push(t);
        }
        at = end;
    }
    if tokens.is_empty() {
        return Err(OnvifError::Unexpected("GetProfiles lists no profile".into()));
    }
    let uri = |token: &str| -> Result<String, OnvifError> {
        let body = format!(
            "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>{}</trt:ProfileToken></trt:GetStreamUri>",
            xml_escape(token)
        );
        let answer = call(&media, &envelope(user, password, &body))?;
        let uri = element(&answer, "MediaUri")
            .and_then(|m| element(m, "Uri"))
            .map(|u| xml_unescape(u.trim()))
            .ok_or_else(|| OnvifError::Unexpected("GetStreamUri gave no Uri".into()))?;
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
        let xml = r#"<a:X><d:XAddrs>http://h/onvif</d:XAddrs><XAddrs/><tt:Profiles token="p1" fixed="true"><tt:Name>m</tt:Name></tt:Profiles></a:X>"#;
        assert_eq!(element(xml, "XAddrs"), Some("http://h/onvif"));
        assert_eq!(elements(xml, "XAddrs").len(), 1, "the self-closing one has no text");
        assert_eq!(attribute(xml, "Profiles", "token").as_deref(), Some("p1"));
        assert_eq!(element(xml, "Nothing"), None);
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

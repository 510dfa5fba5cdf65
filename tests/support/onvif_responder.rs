//! A small ONVIF responder on loopback for the tests: WS-Discovery ProbeMatches, and the device and
//! media services answering GetCapabilities, GetProfiles and GetStreamUri the way the ONVIF Profile S
//! specification shows, checking the WS-UsernameToken digest of `USER` / `PASSWORD`.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, UdpSocket};

use jiancha::onvif;

pub const USER: &str = "admin";
pub const PASSWORD: &str = "Onvif-Pass-1";

/// A discovery responder on 127.0.0.1 pointing at the device service on `http_port`.
pub fn discovery_responder(http_port: u16) -> String {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut buf = [0u8; 65_536];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let probe = String::from_utf8_lossy(&buf[..n]).into_owned();
            if !probe.contains("Probe") || !probe.contains("NetworkVideoTransmitter") {
                continue;
            }
            let id = onvif::element(&probe, "MessageID").unwrap_or_default();
            let answer = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<SOAP-ENV:Header><wsa:MessageID>uuid:7a2b2c4e-0000-4000-8000-00000000a001</wsa:MessageID><wsa:RelatesTo>{id}</wsa:RelatesTo><wsa:To SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>
<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:7a2b2c4e-0000-4000-8000-00000000a001</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/hardware/DS-2CD2T47G2-L onvif://www.onvif.org/name/A01%20%E5%B8%82%E5%9C%BA%E7%9B%91%E7%AE%A1 onvif://www.onvif.org/mfr/HIKVISION onvif://www.onvif.org/location/city/siping</d:Scopes><d:XAddrs>http://127.0.0.1:{http_port}/onvif/device_service</d:XAddrs><d:MetadataVersion>10</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
            );
            let _ = socket.send_to(answer.as_bytes(), from);
        }
    });
    addr
}

fn soap(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error"><env:Body>{body}</env:Body></env:Envelope>"#
    )
}

/// Whether the request carries a UsernameToken digest of `PASSWORD` for `USER`.
fn authorised(request: &str) -> bool {
    let (Some(user), Some(digest), Some(nonce), Some(created)) = (
        onvif::element(request, "Username"),
        onvif::element(request, "Password"),
        onvif::element(request, "Nonce"),
        onvif::element(request, "Created"),
    ) else {
        return false;
    };
    let Some(nonce) = onvif::decode_base64(&nonce) else { return false };
    user == USER && onvif::password_digest(&nonce, &created, PASSWORD) == digest
}

/// The device and media services on 127.0.0.1; returns the port.
pub fn device_responder() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            let request = String::from_utf8_lossy(&body).into_owned();
            let (status, answer) = if !authorised(&request) {
                (
                    "400 Bad Request",
                    soap(
                        "<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:NotAuthorized</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">Sender not Authorized</env:Text></env:Reason></env:Fault>",
                    ),
                )
            } else if request.contains("GetCapabilities") {
                (
                    "200 OK",
                    soap(&format!(
                        "<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>http://127.0.0.1:{port}/onvif/device_service</tt:XAddr></tt:Device><tt:Media><tt:XAddr>http://127.0.0.1:{port}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>"
                    )),
                )
            } else if request.contains("GetProfiles") {
                (
                    "200 OK",
                    soap(
                        "<trt:GetProfilesResponse><trt:Profiles token=\"Profile_1\" fixed=\"true\"><tt:Name>mainStream</tt:Name></trt:Profiles><trt:Profiles token=\"Profile_2\" fixed=\"true\"><tt:Name>subStream</tt:Name></trt:Profiles></trt:GetProfilesResponse>",
                    ),
                )
            } else if request.contains("GetStreamUri") {
                let channel = if request.contains("Profile_2") { "102" } else { "101" };
                (
                    "200 OK",
                    soap(&format!(
                        "<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://127.0.0.1:554/Streaming/Channels/{channel}?transportmode=unicast&amp;profile={}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>",
                        if channel == "101" { "Profile_1" } else { "Profile_2" }
                    )),
                )
            } else {
                ("400 Bad Request", soap("<env:Fault/>"))
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/soap+xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    port
}

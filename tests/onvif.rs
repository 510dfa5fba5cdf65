//! 搜索摄像头 (ONVIF) against a small ONVIF responder this test starts on loopback, answering the way the
//! ONVIF Profile S specification and WS-Discovery show (ProbeMatches; GetCapabilities, GetProfiles and
//! GetStreamUri with a WS-UsernameToken digest it checks). Nothing is sent to any other address.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::net::{TcpListener, UdpSocket};
use std::time::Duration;

use jiancha::onvif::{self, OnvifError};

use crate::support::onvif_responder as responder;

use responder::{PASSWORD, USER, device_responder, discovery_responder};

#[test]
fn discovery_finds_the_camera_and_its_stream_uris_fill_in() {
    let http = device_responder();
    let target = discovery_responder(http);
    let devices = onvif::discover(&target, Duration::from_secs(1)).unwrap();
    assert_eq!(devices.len(), 1, "{devices:?}");
    let d = &devices[0];
    assert_eq!(d.address, format!("http://127.0.0.1:{http}/onvif/device_service"));
    assert_eq!(
        (d.manufacturer.as_str(), d.model.as_str(), d.name.as_str()),
        ("HIKVISION", "DS-2CD2T47G2-L", "A01 市场监管")
    );
    assert_eq!(d.host(), "127.0.0.1");

    let uris = onvif::stream_uris(&d.address, USER, PASSWORD).unwrap();
    assert_eq!(uris.main, "rtsp://127.0.0.1:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1");
    assert_eq!(
        uris.sub.as_deref(),
        Some("rtsp://127.0.0.1:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2")
    );

    let refused = onvif::stream_uris(&d.address, USER, "wrong-password").unwrap_err();
    assert_eq!(refused, OnvifError::Unauthorized);
    assert!(!refused.to_string().contains("wrong-password"));
}

#[test]
fn a_camera_that_does_not_answer_times_out_with_a_clear_message() {
    // Accepts the connection and says nothing.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (done, answered) = std::sync::mpsc::channel::<()>();
    let held = std::thread::spawn(move || {
        let kept = listener.accept();
        // Holds the connection, silent, until the client has given up.
        let _ = answered.recv_timeout(Duration::from_secs(60));
        drop(kept);
    });
    let started = std::time::Instant::now();
    let err = onvif::stream_uris(&format!("http://127.0.0.1:{port}/onvif/device_service"), USER, PASSWORD).unwrap_err();
    assert!(matches!(err, OnvifError::Timeout(..)), "{err:?}");
    assert!(err.to_string().contains("没有回应"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(8), "bounded by the call timeout");
    done.send(()).unwrap();
    held.join().unwrap();
    // Nobody answers the probe: an empty list once the wait is over.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let devices = onvif::discover(&silent.local_addr().unwrap().to_string(), Duration::from_millis(500)).unwrap();
    assert!(devices.is_empty());
}

/// Issue 28: a device that names its media service on another host is asked there only on the host the
/// user chose (no digest goes elsewhere); chunked answers are read by a real HTTP client; a device's
/// fault text of 100 KB with line breaks and tabs is shown trimmed, on one line.
#[test]
fn calls_go_only_to_the_chosen_host_chunked_answers_are_read_and_faults_are_trimmed() {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // The host the device names: whoever listens there must never be called.
    let elsewhere = TcpListener::bind(("127.0.0.2", port)).unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let soap = |body: &str| {
        format!(
            r#"<?xml version="1.0"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><e:Body>{body}</e:Body></e:Envelope>"#
        )
    };
    let answers = vec![
        soap(&format!(
            "<tt:Capabilities><tt:Media><tt:XAddr>http://127.0.0.2:{port}/onvif/media</tt:XAddr></tt:Media></tt:Capabilities>"
        )),
        soap(r#"<trt:GetProfilesResponse><trt:Profiles token="P1"/></trt:GetProfilesResponse>"#),
        soap("<trt:MediaUri><tt:Uri>rtsp://127.0.0.1:554/live</tt:Uri></trt:MediaUri>"),
    ];
    let paths = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = paths.clone();
    std::thread::spawn(move || {
        for (stream, answer) in listener.incoming().flatten().zip(answers) {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut first) = (0, String::new());
            reader.read_line(&mut first).unwrap();
            seen.lock().unwrap().push(first.split_whitespace().nth(1).unwrap_or("").to_owned());
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
            // Chunked, in two pieces.
            let (a, b) = answer.split_at(answer.len() / 2);
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
                a.len(),
                b.len()
            );
        }
    });
    let uris = onvif::stream_uris(&format!("http://127.0.0.1:{port}/onvif/device_service"), USER, PASSWORD).unwrap();
    assert_eq!(uris.main, "rtsp://127.0.0.1:554/live");
    assert!(elsewhere.accept().is_err(), "nothing was sent to the host the device named");
    assert_eq!(*paths.lock().unwrap(), ["/onvif/device_service", "/onvif/media", "/onvif/media"]);

    // A fault whose text is 100 KB with control characters: said, trimmed.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Some(stream) = listener.incoming().flatten().next() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                line.clear();
            }
            let text = format!("boom\r\n\tline two{}", "x".repeat(100_000));
            let body = soap(&format!("<e:Fault><e:Reason><e:Text>{text}</e:Text></e:Reason></e:Fault>"));
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 500 Oops\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let err = onvif::stream_uris(&format!("http://127.0.0.1:{port}/onvif/device_service"), USER, PASSWORD).unwrap_err();
    let said = err.to_string();
    assert!(said.contains("boom") && !said.contains(['\r', '\n', '\t']), "{said:.300}");
    assert!(said.chars().count() < 300, "trimmed: {} characters", said.chars().count());
}

/// Issue 28: discovery takes only answers to its own probe (matched by message id) and lists at most 256
/// devices however many answer.
#[test]
fn discovery_takes_only_answers_to_its_probe_and_at_most_256_devices() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = socket.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut buf = [0u8; 65_536];
        let Ok((n, from)) = socket.recv_from(&mut buf) else { return };
        let probe = String::from_utf8_lossy(&buf[..n]).into_owned();
        let id = onvif::element(&probe, "MessageID").unwrap_or_default();
        let answer = |relates: Option<&str>, devices: std::ops::Range<usize>| {
            let relates = relates.map_or_else(String::new, |r| format!("<a:RelatesTo>{r}</a:RelatesTo>"));
            let matches: String = devices
                .map(|i| {
                    format!("<d:ProbeMatch><d:XAddrs>http://10.1.{}.{}/o</d:XAddrs></d:ProbeMatch>", i / 256, i % 256)
                })
                .collect();
            format!(
                r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header>{relates}</s:Header><s:Body><d:ProbeMatches>{matches}</d:ProbeMatches></s:Body></s:Envelope>"#
            )
        };
        // Unasked answers: none, then someone else's probe; then ours, with 300 devices in it.
        let _ = socket.send_to(answer(None, 9999..10_000).as_bytes(), from);
        let _ = socket.send_to(answer(Some("uuid:not-ours"), 9998..9999).as_bytes(), from);
        let _ = socket.send_to(answer(Some(&id), 0..300).as_bytes(), from);
    });
    let devices = onvif::discover(&target, Duration::from_secs(2)).unwrap();
    assert_eq!(devices.len(), onvif::MAX_DEVICES);
    assert!(!devices.iter().any(|d| d.address.contains("10.1.39.")), "the unasked answers are not listed");
}

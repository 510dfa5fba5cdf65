//! 搜索摄像头 (ONVIF) against a small ONVIF responder this test starts on loopback, answering the way the
//! ONVIF Profile S specification and WS-Discovery show (ProbeMatches; GetCapabilities, GetProfiles and
//! GetStreamUri with a WS-UsernameToken digest it checks). Nothing is sent to any other address.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::net::{TcpListener, UdpSocket};
use std::time::Duration;

use jiancha::onvif::{self, OnvifError};

#[path = "support/onvif_responder.rs"]
mod responder;

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
    let held = std::thread::spawn(move || {
        let kept = listener.accept();
        std::thread::sleep(Duration::from_secs(8));
        drop(kept);
    });
    let started = std::time::Instant::now();
    let err = onvif::stream_uris(&format!("http://127.0.0.1:{port}/onvif/device_service"), USER, PASSWORD).unwrap_err();
    assert!(matches!(err, OnvifError::Timeout(..)), "{err:?}");
    assert!(err.to_string().contains("没有回应"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(8), "bounded by the call timeout");
    drop(held);
    // Nobody answers the probe: an empty list once the wait is over.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let devices = onvif::discover(&silent.local_addr().unwrap().to_string(), Duration::from_millis(500)).unwrap();
    assert!(devices.is_empty());
}

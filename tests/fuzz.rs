//! Fuzz-style property tests (issue 15): random bytes, and random mutations of real inputs, fed to every
//! parser that reads what comes from outside — the interchange files (all six kinds, JSON lines and CSV,
//! the ZKTeco `attlog.dat`), the push parser, the hall file, the rules file, the MPEG-TS reader and the
//! HTTP Range parser. None may panic; whatever they answer is fine. Bounded by count (proptest cases), so
//! the suite's time stays fixed.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::interchange::{self, ImportKind};
use proptest::prelude::*;

/// Real inputs to mutate: a mutation of something well-formed reaches deeper than noise does.
const SEEDS: &[(&str, &str)] = &[
    (
        "events.jsonl",
        r#"{"case_no":"SP-1","item_code":"GS001","step":"accept","occurred_at":"2026-11-27T09:00:00+08:00","hall":"SP","window":"A01","staff_no":"S001","documents":["acceptance_slip"],"promised_days":5}"#,
    ),
    ("items.csv", "code,name,department,legal_days,promised_days,fee_yuan\nGS001,设立登记,市场监管,20,5,0.00\n"),
    ("staff.csv", "staff_no,name,department,window,device_user\nS001,张三,市场监管,A01,101\n"),
    ("punches.csv", "staff_no,time\nS001,2026-11-27 08:55:00\n"),
    ("attlog.dat", "      101\t2026-11-27 08:55:00\t1\t0\t1\t0\n"),
    ("leave.csv", "staff_no,start,end,kind\nS001,2026-11-27,2026-11-28,annual\n"),
    ("evaluations.csv", "window,time,rating,case_no\nA01,2026-11-27 10:00:00,5,SP-1\n"),
];

fn mutate(seed: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(at, op, b) in edits {
        let at = if bytes.is_empty() { 0 } else { at % bytes.len() };
        match op % 4 {
            0 if !bytes.is_empty() => bytes[at] = b,
            1 => bytes.insert(at, b),
            2 if !bytes.is_empty() => {
                bytes.remove(at);
            }
            _ => {
                let piece: Vec<u8> = bytes[at..].iter().take(usize::from(b % 16)).copied().collect();
                bytes.splice(at..at, piece);
            }
        }
    }
    bytes
}

fn every_parser(text: &str) {
    for kind in ImportKind::ALL {
        for (file, _) in SEEDS {
            let _ = interchange::parse(kind, file, text);
        }
    }
    let _ = interchange::parse_events_each("push", text);
    let _ = interchange::hall::parse("hall.toml", text);
    let _ = jiancha::settings::Settings::parse("rules.toml", text);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn interchange_parsers_survive_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        every_parser(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn interchange_parsers_survive_mutated_real_files(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..12),
    ) {
        let (_, content) = SEEDS[seed];
        every_parser(&String::from_utf8_lossy(&mutate(content.as_bytes(), &edits)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_mpeg_ts_reader_survives_random_and_mutated_streams(
        noise in proptest::collection::vec(any::<u8>(), 0..4000),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..20),
        from in any::<i64>(),
        to in any::<i64>(),
    ) {
        use jiancha::video::ts;
        // Random packets that start with the sync byte reach the PES parsing.
        let mut synced = noise.clone();
        for i in (0..synced.len()).step_by(ts::PACKET) {
            synced[i] = 0x47;
        }
        for bytes in [noise, mutate(&synced, &edits)] {
            let _ = ts::video_units(&bytes);
            let _ = ts::extent(&bytes).map(|e| e.duration_ms());
            let _ = ts::keyframe_offsets_ms(&bytes);
            let _ = ts::access_units(&bytes);
            let _ = ts::clean_length(&bytes);
            let clip = ts::clip(&bytes, from, to);
            prop_assert_eq!(clip.bytes.len() % ts::PACKET, 0);
        }
    }

    #[test]
    fn the_range_parser_survives_any_header(header in ".{0,40}", digits in "bytes=[0-9-]{0,30}", len in any::<u64>()) {
        for h in [header.as_str(), digits.as_str()] {
            if let Ok(Some((start, end))) = jiancha::server::byte_range(Some(h), len) {
                prop_assert!(start <= end && end < len, "{h} of {len}: {start}-{end}");
            }
        }
    }
}

/// A real recorded stream, mutated: the reader gets past damage anywhere in it.
#[test]
fn the_mpeg_ts_reader_survives_damage_to_a_real_segment() {
    use jiancha::video::ts;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seg.ts");
    let status = std::process::Command::new("gst-launch-1.0")
        .args(["-q", "videotestsrc", "num-buffers=50", "!", "video/x-raw,width=320,height=180,framerate=25/1"])
        .args(["!", "x264enc", "key-int-max=25", "speed-preset=ultrafast", "!", "h264parse", "!", "mpegtsmux"])
        .args(["!", "filesink"])
        .arg(format!("location={}", file.display()))
        .status()
        .expect("gst-launch-1.0 (packaging/setup.sh installs gstreamer1.0-tools)");
    assert!(status.success());
    let real = std::fs::read(&file).unwrap();
    let units = ts::access_units(&real);
    assert_eq!(units.len(), 50, "the undamaged stream reads whole");
    // A fixed xorshift sequence: the same damage every run.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let edits: Vec<(usize, u8, u8)> =
            (0..1 + next() % 40).map(|_| (next() as usize, next() as u8, next() as u8)).collect();
        let damaged = mutate(&real, &edits);
        let _ = ts::extent(&damaged);
        let _ = ts::access_units(&damaged);
        let _ = ts::clean_length(&damaged);
        let (from, to) = ((next() % 4000) as i64 - 1000, (next() % 4000) as i64 - 1000);
        let _ = ts::clip(&damaged, from, to);
    }
}

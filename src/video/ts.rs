//! Reading just enough of an MPEG transport stream (the recorder's segment files) to know what it
//! holds: the video's presentation times and where its keyframes are. Used to index segments that
//! were not closed properly (the recorder was killed) and to say where an export really starts.
//! Pure; never panics on truncated or damaged input.

/// 188-byte packets.
pub const PACKET: usize = 188;
const SYNC: u8 = 0x47;
/// PTS are 33-bit, 90 kHz.
const PTS_WRAP: u64 = 1 << 33;
pub const CLOCK_HZ: u64 = 90_000;

/// One video access unit's start as the transport stream marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// Unwrapped PTS (90 kHz), relative to nothing: compare with other units of the same file.
    pub pts: u64,
    /// The packet carried a random access indicator (a keyframe starts here).
    pub keyframe: bool,
}

/// Where the packets start: on a damaged start, the first offset where two packets in a row begin
/// with the sync byte.
fn sync_start(bytes: &[u8]) -> usize {
    (0..PACKET.min(bytes.len()))
        .find(|&i| bytes.get(i) == Some(&SYNC) && bytes.get(i + PACKET).is_none_or(|b| *b == SYNC))
        .unwrap_or(0)
}

/// The video units of a file, in file order, with PTS unwrapped across the 33-bit wrap.
pub fn video_units(bytes: &[u8]) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut video_pid: Option<u16> = None;
    let mut last_raw: Option<u64> = None;
    let mut offset: u64 = 0;
    let start = sync_start(bytes);
    for packet in bytes[start..].chunks_exact(PACKET) {
        if packet[0] != SYNC {
            continue;
        }
        let unit_start = packet[1] & 0x40 != 0;
        let pid = (u16::from(packet[1] & 0x1f) << 8) | u16::from(packet[2]);
        let control = (packet[3] >> 4) & 0x3;
        let mut at = 4usize;
        let mut random_access = false;
        if control & 0x2 != 0 {
            let length = usize::from(packet[4]);
            if length > 0 && packet.len() > 5 {
                random_access = packet[5] & 0x40 != 0;
            }
            at = 5 + length;
        }
        if control & 0x1 == 0 || !unit_start || at + 14 > PACKET {
            continue;
        }
        let payload = &packet[at..];
        // A PES header: 00 00 01, stream id; video streams are 0xE0–0xEF.
        if payload[0] != 0 || payload[1] != 0 || payload[2] != 1 {
            continue;
        }
        let stream_id = payload[3];
        if !(0xE0..=0xEF).contains(&stream_id) {
            continue;
        }
        if *video_pid.get_or_insert(pid) != pid {
            continue;
        }
        let flags = payload[7];
        if flags & 0x80 == 0 {
            continue;
        }
        let p = &payload[9..14];
        let raw = (u64::from(p[0] & 0x0e) << 29)
            | (u64::from(p[1]) << 22)
            | (u64::from(p[2] & 0xfe) << 14)
            | (u64::from(p[3]) << 7)
            | (u64::from(p[4]) >> 1);
        if let Some(prev) = last_raw {
            // Allow B-frame reordering backwards; a big backwards step is the 33-bit wrap.
            if raw + PTS_WRAP / 2 < prev {
                offset += PTS_WRAP;
            }
        }
        last_raw = Some(raw);
        units.push(Unit { pts: raw + offset, keyframe: random_access });
    }
    units
}

/// What a segment file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    pub first_pts: u64,
    pub last_pts: u64,
    /// The typical distance between units (one frame), for the duration of the last one.
    pub frame: u64,
    pub units: usize,
    pub keyframes: usize,
}

impl Extent {
    /// From the first unit's start to the last unit's end, in milliseconds.
    pub fn duration_ms(&self) -> i64 {
        let ticks = self.last_pts.saturating_sub(self.first_pts) + self.frame;
        i64::try_from(ticks * 1000 / CLOCK_HZ).unwrap_or(i64::MAX)
    }
}

/// The extent of the video in a transport stream; `None` without any timed video.
pub fn extent(bytes: &[u8]) -> Option<Extent> {
    let units = video_units(bytes);
    let first = units.iter().map(|u| u.pts).min()?;
    let last = units.iter().map(|u| u.pts).max()?;
    let mut steps: Vec<u64> = {
        let mut sorted: Vec<u64> = units.iter().map(|u| u.pts).collect();
        sorted.sort_unstable();
        sorted.windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0).collect()
    };
    steps.sort_unstable();
    let frame = steps.get(steps.len() / 2).copied().unwrap_or(0);
    Some(Extent {
        first_pts: first,
        last_pts: last,
        frame,
        units: units.len(),
        keyframes: units.iter().filter(|u| u.keyframe).count(),
    })
}

/// Keyframe times in milliseconds from the file's first video unit.
pub fn keyframe_offsets_ms(bytes: &[u8]) -> Vec<i64> {
    let units = video_units(bytes);
    let Some(first) = units.iter().map(|u| u.pts).min() else { return Vec::new() };
    units
        .iter()
        .filter(|u| u.keyframe)
        .map(|u| i64::try_from((u.pts - first) * 1000 / CLOCK_HZ).unwrap_or(i64::MAX))
        .collect()
}

/// One video access unit (a frame) with its timestamps (unwrapped, 90 kHz) and its bytes as the
/// elementary stream carries them (H.264 Annex B).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessUnit {
    pub pts: u64,
    pub dts: u64,
    pub data: Vec<u8>,
}

fn read_timestamp(p: &[u8]) -> u64 {
    (u64::from(p[0] & 0x0e) << 29)
        | (u64::from(p[1]) << 22)
        | (u64::from(p[2] & 0xfe) << 14)
        | (u64::from(p[3]) << 7)
        | (u64::from(p[4]) >> 1)
}

/// Unwraps 33-bit timestamps against the previous one.
#[derive(Default)]
struct Unwrap {
    last: Option<u64>,
    offset: u64,
}

impl Unwrap {
    fn next(&mut self, raw: u64) -> u64 {
        if let Some(prev) = self.last
            && raw + PTS_WRAP / 2 < prev
        {
            self.offset += PTS_WRAP;
        }
        self.last = Some(raw);
        raw + self.offset
    }
}

/// The video access units of a transport stream, in decoding order. A unit cut off by the end of the
/// file (a recorder killed mid-write) is dropped.
pub fn access_units(bytes: &[u8]) -> Vec<AccessUnit> {
    let mut out = Vec::new();
    let mut video_pid: Option<u16> = None;
    let mut current: Option<(u64, u64, Vec<u8>, usize)> = None;
    let mut pts_unwrap = Unwrap::default();
    let mut dts_unwrap = Unwrap::default();
    let start = sync_start(bytes);
    let finish = |current: &mut Option<(u64, u64, Vec<u8>, usize)>, out: &mut Vec<AccessUnit>| {
        if let Some((pts, dts, data, expected)) = current.take()
            && (expected == 0 || data.len() >= expected)
            && !data.is_empty()
        {
            let mut data = data;
            if expected > 0 {
                data.truncate(expected);
            }
            out.push(AccessUnit { pts, dts, data });
        }
    };
    for packet in bytes[start..].chunks_exact(PACKET) {
        if packet[0] != SYNC || packet[1] & 0x80 != 0 {
            continue;
        }
        let unit_start = packet[1] & 0x40 != 0;
        let pid = (u16::from(packet[1] & 0x1f) << 8) | u16::from(packet[2]);
        let control = (packet[3] >> 4) & 0x3;
        let mut at = 4usize;
        if control & 0x2 != 0 {
            at = 5 + usize::from(packet[4]);
        }
        if control & 0x1 == 0 || at >= PACKET {
            continue;
        }
        let payload = &packet[at..];
        if unit_start {
            if payload.len() < 9 || payload[0] != 0 || payload[1] != 0 || payload[2] != 1 {
                continue;
            }
            if !(0xE0..=0xEF).contains(&payload[3]) || *video_pid.get_or_insert(pid) != pid {
                continue;
            }
            finish(&mut current, &mut out);
            let pes_length = (usize::from(payload[4]) << 8) | usize::from(payload[5]);
            let flags = payload[7];
            let header_length = usize::from(payload[8]);
            if flags & 0x80 == 0 || payload.len() < 9 + header_length || header_length < 5 {
                continue;
            }
            let pts = pts_unwrap.next(read_timestamp(&payload[9..14]));
            let dts = if flags & 0x40 != 0 && header_length >= 10 {
                dts_unwrap.next(read_timestamp(&payload[14..19]))
            } else {
                dts_unwrap.next(pts % PTS_WRAP);
                pts
            };
            // A PES length of 0 is "until the next PES" (video); otherwise it bounds the data.
            let expected = pes_length.saturating_sub(3 + header_length);
            current = Some((pts, dts, payload[9 + header_length..].to_vec(), expected));
        } else if Some(pid) == video_pid
            && let Some((_, _, data, _)) = current.as_mut()
        {
            data.extend_from_slice(payload);
        }
    }
    // The last unit ends with the file: complete in files the recorder closed (and in recovered files,
    // which `clean_length` cut before their last unit).
    finish(&mut current, &mut out);
    out
}

/// The length to cut a file of unknown state to (a recorder killed mid-write) so that it ends after a
/// whole unit: the offset of the packet that starts the last video PES. `None` without video.
pub fn clean_length(bytes: &[u8]) -> Option<usize> {
    let start = sync_start(bytes);
    let mut last = None;
    for (i, packet) in bytes[start..].chunks_exact(PACKET).enumerate() {
        let unit_start = packet[0] == SYNC && packet[1] & 0x40 != 0;
        let control = (packet[3] >> 4) & 0x3;
        let at = if control & 0x2 != 0 { 5 + usize::from(packet[4]) } else { 4 };
        if unit_start && control & 0x1 != 0 && at + 4 <= PACKET {
            let p = &packet[at..];
            if p[0] == 0 && p[1] == 0 && p[2] == 1 && (0xE0..=0xEF).contains(&p[3]) {
                last = Some(start + i * PACKET);
            }
        }
    }
    last
}

/// The part of a segment file between two times, cut at packet boundaries: what a server may send for
/// a grant that covers only part of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clip {
    /// The program tables (PAT, PMT) from anywhere in the file, then the packets from the first
    /// keyframe at or after the start to the last unit that starts before the end.
    pub bytes: Vec<u8>,
    /// Where the first unit kept starts, in milliseconds from the file's first video unit; `None`
    /// when no keyframe lies in the part (the clip then holds only the tables).
    pub from_ms: Option<i64>,
}

/// Whether a PES's first payload starts a keyframe (an H.264 IDR slice or a sequence parameter set).
fn starts_keyframe(data: &[u8]) -> bool {
    data.windows(4).any(|w| w[0] == 0 && w[1] == 0 && w[2] == 1 && matches!(w[3] & 0x1f, 5 | 7))
}

/// The packets of `bytes` between `from_ms` and `to_ms` (milliseconds from the file's first video
/// unit, as the index counts them). Nothing of the video outside the part is kept: the clip starts at
/// a keyframe inside it, and ends before the first unit at or after its end.
pub fn clip(bytes: &[u8], from_ms: i64, to_ms: i64) -> Clip {
    let first = video_units(bytes).iter().map(|u| u.pts).min();
    let start = sync_start(bytes);
    let mut out = Vec::new();
    let mut tables: Vec<u16> = vec![0];
    let mut video_pid: Option<u16> = None;
    let mut unwrap = Unwrap::default();
    let (mut inside, mut started) = (false, false);
    let mut clip_from = None;
    for packet in bytes[start..].chunks_exact(PACKET) {
        if packet[0] != SYNC {
            continue;
        }
        let unit_start = packet[1] & 0x40 != 0;
        let pid = (u16::from(packet[1] & 0x1f) << 8) | u16::from(packet[2]);
        let control = (packet[3] >> 4) & 0x3;
        let (at, random_access) = if control & 0x2 != 0 {
            (5 + usize::from(packet[4]), packet[4] > 0 && packet[5] & 0x40 != 0)
        } else {
            (4, false)
        };
        let payload = if control & 0x1 != 0 && at < PACKET { &packet[at..] } else { &[][..] };
        if tables.contains(&pid) {
            // PAT: the PIDs of the program maps it names are tables too.
            if pid == 0
                && unit_start
                && let Some(&pointer) = payload.first()
            {
                let section = payload.get(1 + usize::from(pointer)..).unwrap_or(&[]);
                if section.len() >= 8 && section[0] == 0 {
                    let length = ((usize::from(section[1]) & 0x0f) << 8) | usize::from(section[2]);
                    let end = (3 + length).saturating_sub(4).min(section.len());
                    for entry in section.get(8..end).unwrap_or(&[]).chunks_exact(4) {
                        let program = (u16::from(entry[0]) << 8) | u16::from(entry[1]);
                        let map = (u16::from(entry[2] & 0x1f) << 8) | u16::from(entry[3]);
                        if program != 0 && !tables.contains(&map) {
                            tables.push(map);
                        }
                    }
                }
            }
            out.extend_from_slice(packet);
            continue;
        }
        let video_start = unit_start
            && payload.len() >= 14
            && payload[..3] == [0, 0, 1]
            && (0xE0..=0xEF).contains(&payload[3])
            && payload[7] & 0x80 != 0
            && *video_pid.get_or_insert(pid) == pid;
        if video_start && let Some(first) = first {
            let pts = unwrap.next(read_timestamp(&payload[9..14]));
            let ms = i64::try_from(pts.saturating_sub(first) * 1000 / CLOCK_HZ).unwrap_or(i64::MAX);
            let header = 9 + usize::from(payload[8]);
            let keyframe = random_access || starts_keyframe(payload.get(header..).unwrap_or(&[]));
            if !started && keyframe && ms >= from_ms && ms < to_ms {
                (started, inside) = (true, true);
                clip_from = Some(ms);
            } else if inside && ms >= to_ms {
                inside = false;
            }
        }
        if inside {
            out.extend_from_slice(packet);
        }
    }
    Clip { bytes: out, from_ms: clip_from }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A packet of the video PID starting a PES with `pts`.
    fn packet(pts: u64, keyframe: bool) -> Vec<u8> {
        let mut p = vec![SYNC, 0x40 | 0x01, 0x00, 0x30];
        // Adaptation field: length 1, flags (random access).
        p.push(1);
        p.push(if keyframe { 0x40 } else { 0x00 });
        let pts_bytes = [
            0x21 | (((pts >> 30) & 0x07) as u8) << 1,
            ((pts >> 22) & 0xff) as u8,
            ((((pts >> 15) & 0x7f) as u8) << 1) | 1,
            ((pts >> 7) & 0xff) as u8,
            (((pts & 0x7f) as u8) << 1) | 1,
        ];
        p.extend_from_slice(&[0, 0, 1, 0xE0, 0, 0, 0x80, 0x80, 5]);
        p.extend_from_slice(&pts_bytes);
        p.resize(PACKET, 0xff);
        p
    }

    #[test]
    fn extent_and_keyframes_of_a_stream() {
        let mut bytes = Vec::new();
        for i in 0..50u64 {
            bytes.extend(packet(900_000 + i * 3600, i % 25 == 0));
            // A continuation packet without a PES start.
            let mut c = vec![SYNC, 0x01, 0x00, 0x10];
            c.resize(PACKET, 0);
            bytes.extend(c);
        }
        let e = extent(&bytes).unwrap();
        assert_eq!((e.units, e.keyframes, e.frame), (50, 2, 3600));
        assert_eq!(e.duration_ms(), 2000, "50 frames at 25 fps");
        assert_eq!(keyframe_offsets_ms(&bytes), [0, 1000]);
    }

    #[test]
    fn damaged_and_truncated_input_is_survived() {
        assert_eq!(extent(&[]), None);
        assert_eq!(extent(&[0x47; 100]), None);
        let mut bytes = vec![0u8; 77];
        for i in 0..10u64 {
            bytes.extend(packet(i * 3600, i == 0));
        }
        bytes.truncate(bytes.len() - 50);
        let e = extent(&bytes).unwrap();
        assert_eq!(e.units, 9, "the cut packet is dropped, the garbage before is skipped");
        let noise: Vec<u8> = (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let _ = extent(&noise);
    }

    #[test]
    fn access_units_are_reassembled_across_packets() {
        let mut bytes = Vec::new();
        for i in 0..3u64 {
            // A PES start with PTS only and 20 bytes of data, then a continuation with 300 bytes.
            let mut p = packet(i * 3600, i == 0);
            let data_at = 6 + 9 + 5;
            for (k, b) in p[data_at..].iter_mut().enumerate() {
                *b = (i as u8) ^ (k as u8);
            }
            bytes.extend(p);
            let mut c = vec![SYNC, 0x01, 0x00, 0x10];
            c.extend((0..184).map(|k| k as u8));
            bytes.extend(c);
        }
        let units = access_units(&bytes);
        assert_eq!(units.len(), 3);
        // Cutting at the clean length drops exactly the last unit.
        let cut = clean_length(&bytes).unwrap();
        assert_eq!(cut, 4 * PACKET);
        assert_eq!(access_units(&bytes[..cut]).len(), 2);
        assert_eq!(units[1].pts, 3600);
        assert_eq!(units[0].data.len(), (PACKET - (6 + 9 + 5)) + 184);
        assert_eq!(units[0].data[0], 0);
        assert_eq!(units[1].data[1], 1 ^ 1);
    }

    #[test]
    fn the_33_bit_wrap_is_unwrapped() {
        let mut bytes = Vec::new();
        for i in 0..4u64 {
            bytes.extend(packet((PTS_WRAP - 7200 + i * 3600) % PTS_WRAP, false));
        }
        let e = extent(&bytes).unwrap();
        assert_eq!(e.last_pts - e.first_pts, 3 * 3600);
    }
    #[test]
    fn a_clip_keeps_the_tables_and_only_the_units_inside_from_a_keyframe() {
        // A PAT naming the program map on PID 0x1000, and that map.
        let mut pat =
            vec![SYNC, 0x40, 0x00, 0x10, 0x00, 0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xf0, 0x00];
        pat.resize(PACKET, 0xff);
        let mut pmt = vec![SYNC, 0x50, 0x00, 0x10, 0x00, 0x02];
        pmt.resize(PACKET, 0xff);
        let mut bytes = [pat.clone(), pmt.clone()].concat();
        // 100 frames at 25 fps, a keyframe each second, each with a continuation packet.
        for i in 0..100u64 {
            bytes.extend(packet(900_000 + i * 3600, i % 25 == 0));
            let mut c = vec![SYNC, 0x01, 0x00, 0x10];
            c.resize(PACKET, i as u8);
            bytes.extend(c);
            if i % 25 == 12 {
                bytes.extend(&pat);
                bytes.extend(&pmt);
            }
        }
        // 1.5 s to 2.5 s: from the keyframe at 2.0 s to the frame before 2.5 s.
        let part = clip(&bytes, 1500, 2500);
        assert_eq!(part.from_ms, Some(2000));
        let units = video_units(&part.bytes);
        assert_eq!(units.len(), 13, "2.00 s … 2.48 s");
        assert_eq!(units.first().map(|u| u.pts), Some(900_000 + 50 * 3600));
        assert_eq!(units.last().map(|u| u.pts), Some(900_000 + 62 * 3600));
        assert!(part.bytes.starts_with(&pat), "the tables come first");
        assert!(part.bytes.chunks_exact(PACKET).any(|p| p == pmt.as_slice()), "the program map is kept");
        assert_eq!(part.bytes.len() % PACKET, 0, "cut at packet boundaries");
        // No keyframe inside: only the tables.
        let none = clip(&bytes, 2100, 2900);
        assert_eq!(none.from_ms, None);
        assert!(video_units(&none.bytes).is_empty());
        // The whole file is the whole file (the tables repeated inside it are kept in place).
        assert_eq!(clip(&bytes, 0, 4000).bytes, bytes);
    }
}

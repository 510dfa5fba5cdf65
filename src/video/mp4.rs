//! Writing H.264 access units into an MP4 file without re-encoding (the export's remux), and the bits
//! of H.264 it needs: Annex B parsing and the picture size from the sequence parameter set.
//!
//! The file is "fast start": `ftyp`, `moov`, then one `mdat` holding every sample as one chunk.

use std::io::{self, Write};

/// A sample to write: presentation and decoding time on a 90 kHz clock starting at 0, and the
/// access unit in Annex B form.
#[derive(Debug, Clone)]
pub struct Sample<'a> {
    pub pts: u64,
    pub dts: u64,
    pub annex_b: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mp4Info {
    pub width: u32,
    pub height: u32,
    pub samples: usize,
    pub keyframes: usize,
    /// 90 kHz.
    pub duration: u64,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum Mp4Error {
    #[error("no video in the selected range")]
    Empty,
    #[error("the first frame is not a keyframe with its parameter sets (SPS/PPS)")]
    NoParameterSets,
    #[error("{0}")]
    Io(#[from] io::Error),
}

const TIMESCALE: u32 = 90_000;

/// NAL units of an Annex B buffer (start codes removed).
pub fn nal_units(data: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut out = Vec::with_capacity(starts.len());
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(data.len(), |next| next - 3);
        // A four-byte start code leaves a zero before the next three-byte one; trailing zeros too.
        while end > s && data[end - 1] == 0 {
            end -= 1;
        }
        if end > s {
            out.push(&data[s..end]);
        }
    }
    out
}

pub fn nal_type(nal: &[u8]) -> u8 {
    nal.first().map_or(0, |b| b & 0x1f)
}

/// Whether an access unit holds an IDR picture.
pub fn is_keyframe(annex_b: &[u8]) -> bool {
    nal_units(annex_b).iter().any(|n| nal_type(n) == 5)
}

/// Reads exp-Golomb coded fields from an RBSP.
struct Bits<'a> {
    data: Vec<u8>,
    pos: usize,
    _marker: std::marker::PhantomData<&'a ()>,
}

impl Bits<'_> {
    fn new(nal: &[u8]) -> Self {
        // Remove emulation prevention bytes (00 00 03).
        let mut data = Vec::with_capacity(nal.len());
        let mut zeros = 0;
        for &b in nal {
            if zeros >= 2 && b == 3 {
                zeros = 0;
                continue;
            }
            zeros = if b == 0 { zeros + 1 } else { 0 };
            data.push(b);
        }
        Self { data, pos: 0, _marker: std::marker::PhantomData }
    }
    fn bit(&mut self) -> Option<u32> {
        let byte = *self.data.get(self.pos / 8)?;
        let bit = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Some(u32::from(bit))
    }
    fn bits(&mut self, n: u32) -> Option<u32> {
        (0..n).try_fold(0u32, |acc, _| Some((acc << 1) | self.bit()?))
    }
    fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        Some((1u32 << zeros) - 1 + self.bits(zeros)?)
    }
    fn se(&mut self) -> Option<i32> {
        let k = self.ue()?;
        let magnitude = i32::try_from(k.div_ceil(2)).ok()?;
        Some(if k % 2 == 1 { magnitude } else { -magnitude })
    }
}

/// The picture size a sequence parameter set declares (after cropping).
pub fn sps_size(sps: &[u8]) -> Option<(u32, u32)> {
    let mut b = Bits::new(sps.get(1..)?);
    let profile = b.bits(8)?;
    b.bits(16)?; // constraint flags, level
    b.ue()?; // seq_parameter_set_id
    let mut chroma_format = 1;
    if matches!(profile, 100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135) {
        chroma_format = b.ue()?;
        if chroma_format == 3 {
            b.bit()?;
        }
        b.ue()?;
        b.ue()?;
        b.bit()?;
        if b.bit()? == 1 {
            let lists = if chroma_format == 3 { 12 } else { 8 };
            for i in 0..lists {
                if b.bit()? == 1 {
                    let size = if i < 6 { 16 } else { 64 };
                    let (mut last, mut next) = (8i32, 8i32);
                    for _ in 0..size {
                        if next != 0 {
                            next = (last + b.se()? + 256) % 256;
                        }
                        if next != 0 {
                            last = next;
                        }
                    }
                }
            }
        }
    }
    b.ue()?; // log2_max_frame_num_minus4
    match b.ue()? {
        0 => {
            b.ue()?;
        }
        1 => {
            b.bit()?;
            b.se()?;
            b.se()?;
            for _ in 0..b.ue()? {
                b.se()?;
            }
        }
        _ => {}
    }
    b.ue()?; // max_num_ref_frames
    b.bit()?;
    let width_mbs = b.ue()? + 1;
    let height_units = b.ue()? + 1;
    let frame_mbs_only = b.bit()?;
    if frame_mbs_only == 0 {
        b.bit()?;
    }
    b.bit()?;
    let (mut left, mut right, mut top, mut bottom) = (0, 0, 0, 0);
    if b.bit()? == 1 {
        left = b.ue()?;
        right = b.ue()?;
        top = b.ue()?;
        bottom = b.ue()?;
    }
    let (crop_x, crop_y) = match chroma_format {
        0 => (1, 2 - frame_mbs_only),
        1 => (2, 2 * (2 - frame_mbs_only)),
        2 => (2, 2 - frame_mbs_only),
        _ => (1, 2 - frame_mbs_only),
    };
    let width = (width_mbs * 16).checked_sub(crop_x * (left + right))?;
    let height = ((2 - frame_mbs_only) * height_units * 16).checked_sub(crop_y * (top + bottom))?;
    Some((width, height))
}

fn mp4_box(kind: &[u8; 4], parts: &[&[u8]]) -> Vec<u8> {
    let size: usize = 8 + parts.iter().map(|p| p.len()).sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&u32::try_from(size).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(kind);
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

fn full_box(kind: &[u8; 4], version: u8, flags: u32, parts: &[&[u8]]) -> Vec<u8> {
    let mut header = vec![version];
    header.extend_from_slice(&flags.to_be_bytes()[1..]);
    let mut all: Vec<&[u8]> = vec![&header];
    all.extend_from_slice(parts);
    mp4_box(kind, &all)
}

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

fn matrix() -> Vec<u8> {
    MATRIX.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn u32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn clamp32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Writes `samples` (in decoding order, the first a keyframe carrying SPS and PPS) as an MP4 file.
pub fn write(samples: &[Sample<'_>], out: &mut impl Write) -> Result<Mp4Info, Mp4Error> {
    let first = samples.first().ok_or(Mp4Error::Empty)?;
    let first_nals = nal_units(first.annex_b);
    let sps = first_nals.iter().find(|n| nal_type(n) == 7).ok_or(Mp4Error::NoParameterSets)?;
    let pps = first_nals.iter().find(|n| nal_type(n) == 8).ok_or(Mp4Error::NoParameterSets)?;
    if sps.len() < 4 {
        return Err(Mp4Error::NoParameterSets);
    }
    let (width, height) = sps_size(sps).ok_or(Mp4Error::NoParameterSets)?;

    // Samples as length-prefixed NAL units (access unit delimiters dropped; parameter sets stay in
    // band, so a camera that changes them mid-stream still plays).
    let mut sizes = Vec::with_capacity(samples.len());
    let mut keyframes = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let nals = nal_units(s.annex_b);
        let size: usize = nals.iter().filter(|n| nal_type(n) != 9).map(|n| 4 + n.len()).sum();
        sizes.push(u32::try_from(size).unwrap_or(u32::MAX));
        if nals.iter().any(|n| nal_type(n) == 5) {
            keyframes.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }
    // Durations from decoding times; the last lasts as long as a typical frame.
    let mut deltas: Vec<u32> = samples.windows(2).map(|w| clamp32(w[1].dts.saturating_sub(w[0].dts))).collect();
    let typical = {
        let mut sorted = deltas.clone();
        sorted.sort_unstable();
        sorted.get(sorted.len() / 2).copied().filter(|d| *d > 0).unwrap_or(TIMESCALE / 25)
    };
    deltas.push(typical);
    let duration: u64 = deltas.iter().map(|d| u64::from(*d)).sum();
    let mut stts: Vec<(u32, u32)> = Vec::new();
    for d in &deltas {
        match stts.last_mut() {
            Some((count, delta)) if delta == d => *count += 1,
            _ => stts.push((1, *d)),
        }
    }
    let offsets: Vec<u32> = samples.iter().map(|s| clamp32(s.pts.saturating_sub(s.dts))).collect();
    let reordered = offsets.iter().any(|o| *o != 0);
    let media_start = offsets[0];

    let data_bytes: u64 = sizes.iter().map(|s| u64::from(*s)).sum();
    let large = data_bytes + 16 > u64::from(u32::MAX) - 1_000_000;
    let build_moov = |chunk_offset: u64| -> Vec<u8> {
        let movie_duration = clamp32(duration * 1000 / u64::from(TIMESCALE));
        let mvhd = full_box(
            b"mvhd",
            0,
            0,
            &[
                &u32s(&[0, 0, 1000, movie_duration, 0x0001_0000]),
                &0x0100u16.to_be_bytes(),
                &[0; 10],
                &matrix(),
                &[0; 24],
                &2u32.to_be_bytes(),
            ],
        );
        let tkhd = full_box(
            b"tkhd",
            0,
            3,
            &[&u32s(&[0, 0, 1, 0, movie_duration, 0, 0]), &[0; 8], &matrix(), &u32s(&[width << 16, height << 16])],
        );
        let elst = full_box(b"elst", 0, 0, &[&u32s(&[1, movie_duration, media_start, 0x0001_0000])]);
        let edts = mp4_box(b"edts", &[&elst]);
        let mdhd =
            full_box(b"mdhd", 0, 0, &[&u32s(&[0, 0, TIMESCALE, clamp32(duration)]), &0x55c4u16.to_be_bytes(), &[0; 2]]);
        let hdlr = full_box(b"hdlr", 0, 0, &[&[0; 4], b"vide", &[0; 12], b"Jiancha video\0"]);
        let vmhd = full_box(b"vmhd", 0, 1, &[&[0; 8]]);
        let url = full_box(b"url ", 0, 1, &[]);
        let dref = full_box(b"dref", 0, 0, &[&1u32.to_be_bytes(), &url]);
        let dinf = mp4_box(b"dinf", &[&dref]);
        let mut avcc = vec![1, sps[1], sps[2], sps[3], 0xff, 0xe1];
        avcc.extend_from_slice(&u16::try_from(sps.len()).unwrap_or(u16::MAX).to_be_bytes());
        avcc.extend_from_slice(sps);
        avcc.push(1);
        avcc.extend_from_slice(&u16::try_from(pps.len()).unwrap_or(u16::MAX).to_be_bytes());
        avcc.extend_from_slice(pps);
        let avcc = mp4_box(b"avcC", &[&avcc]);
        let mut compressor = [0u8; 32];
        compressor[0] = 7;
        compressor[1..8].copy_from_slice(b"Jiancha");
        let avc1 = mp4_box(
            b"avc1",
            &[
                &[0; 6],
                &1u16.to_be_bytes(),
                &[0; 16],
                &u16::try_from(width).unwrap_or(u16::MAX).to_be_bytes(),
                &u16::try_from(height).unwrap_or(u16::MAX).to_be_bytes(),
                &u32s(&[0x0048_0000, 0x0048_0000, 0]),
                &1u16.to_be_bytes(),
                &compressor,
                &0x0018u16.to_be_bytes(),
                &0xffffu16.to_be_bytes(),
                &avcc,
            ],
        );
        let stsd = full_box(b"stsd", 0, 0, &[&1u32.to_be_bytes(), &avc1]);
        let stts_body: Vec<u32> = std::iter::once(u32::try_from(stts.len()).unwrap_or(0))
            .chain(stts.iter().flat_map(|(c, d)| [*c, *d]))
            .collect();
        let stts_box = full_box(b"stts", 0, 0, &[&u32s(&stts_body)]);
        let ctts_box = if reordered {
            let mut runs: Vec<(u32, u32)> = Vec::new();
            for o in &offsets {
                match runs.last_mut() {
                    Some((count, off)) if off == o => *count += 1,
                    _ => runs.push((1, *o)),
                }
            }
            let body: Vec<u32> = std::iter::once(u32::try_from(runs.len()).unwrap_or(0))
                .chain(runs.iter().flat_map(|(c, o)| [*c, *o]))
                .collect();
            full_box(b"ctts", 0, 0, &[&u32s(&body)])
        } else {
            Vec::new()
        };
        let stss_body: Vec<u32> =
            std::iter::once(u32::try_from(keyframes.len()).unwrap_or(0)).chain(keyframes.iter().copied()).collect();
        let stss = full_box(b"stss", 0, 0, &[&u32s(&stss_body)]);
        let count = u32::try_from(sizes.len()).unwrap_or(u32::MAX);
        let stsc = full_box(b"stsc", 0, 0, &[&u32s(&[1, 1, count, 1])]);
        let stsz_body: Vec<u32> = [0, count].into_iter().chain(sizes.iter().copied()).collect();
        let stsz = full_box(b"stsz", 0, 0, &[&u32s(&stsz_body)]);
        let chunk = if large {
            full_box(b"co64", 0, 0, &[&1u32.to_be_bytes(), &chunk_offset.to_be_bytes()])
        } else {
            full_box(b"stco", 0, 0, &[&u32s(&[1, clamp32(chunk_offset)])])
        };
        let stbl = mp4_box(b"stbl", &[&stsd, &stts_box, &ctts_box, &stss, &stsc, &stsz, &chunk]);
        let minf = mp4_box(b"minf", &[&vmhd, &dinf, &stbl]);
        let mdia = mp4_box(b"mdia", &[&mdhd, &hdlr, &minf]);
        let trak = mp4_box(b"trak", &[&tkhd, &edts, &mdia]);
        mp4_box(b"moov", &[&mvhd, &trak])
    };
    let ftyp = mp4_box(b"ftyp", &[b"isom", &0x200u32.to_be_bytes(), b"isom", b"iso2", b"avc1", b"mp41"]);
    let mdat_header_len: u64 = if large { 16 } else { 8 };
    let moov_len = build_moov(0).len() as u64;
    let data_offset = ftyp.len() as u64 + moov_len + mdat_header_len;
    let moov = build_moov(data_offset);
    out.write_all(&ftyp)?;
    out.write_all(&moov)?;
    if large {
        out.write_all(&1u32.to_be_bytes())?;
        out.write_all(b"mdat")?;
        out.write_all(&(data_bytes + 16).to_be_bytes())?;
    } else {
        out.write_all(&clamp32(data_bytes + 8).to_be_bytes())?;
        out.write_all(b"mdat")?;
    }
    for s in samples {
        for nal in nal_units(s.annex_b).iter().filter(|n| nal_type(n) != 9) {
            out.write_all(&u32::try_from(nal.len()).unwrap_or(u32::MAX).to_be_bytes())?;
            out.write_all(nal)?;
        }
    }
    Ok(Mp4Info {
        width,
        height,
        samples: samples.len(),
        keyframes: keyframes.len(),
        duration,
        bytes: data_offset + data_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nal_units_split_on_three_and_four_byte_start_codes() {
        let data = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5];
        let nals = nal_units(&data);
        assert_eq!(nals, [&[0x67, 1, 2][..], &[0x68, 3][..], &[0x65, 4, 5][..]]);
        assert!(is_keyframe(&data));
        assert!(nal_units(&[1, 2, 3]).is_empty());
    }

    #[test]
    fn sps_sizes() {
        // x264's SPS for 640×360 High 4:4:4 (368 lines coded, 8 cropped).
        let sps_360 = [
            0x67, 0xf4, 0x00, 0x1e, 0x90, 0xd9, 0x68, 0x0a, 0x02, 0xff, 0x89, 0xc0, 0x5a, 0x83, 0x03, 0x03, 0x20, 0x00,
            0x00, 0x03, 0x00, 0x20, 0x00, 0x00, 0x06, 0x51, 0xe2, 0xc5, 0xd4,
        ];
        assert_eq!(sps_size(&sps_360), Some((640, 360)));
        assert_eq!(sps_size(&[0x67]), None);
        assert_eq!(sps_size(&[0x67, 0x64, 0, 0x1f, 0xff, 0xff, 0xff, 0xff]), None, "garbage is refused, not a panic");
    }

    #[test]
    fn an_empty_selection_is_an_error() {
        let mut out = Vec::new();
        assert!(matches!(write(&[], &mut out), Err(Mp4Error::Empty)));
        let no_sps = [0, 0, 1, 0x65, 1];
        let s = Sample { pts: 0, dts: 0, annex_b: &no_sps };
        assert!(matches!(write(&[s], &mut out), Err(Mp4Error::NoParameterSets)));
    }
}

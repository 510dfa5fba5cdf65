//! The scripted window picture of the simulator (`cameras sim --script`): a wall with a notice board
//! and window frames, a desk and a chair — edges a tamper detector can hold on to — and a seated
//! figure that sways a little, as people at a counter do. A script says when the figure leaves and
//! comes back, when the lens is covered, when the camera is turned away, when a passer-by crosses and
//! when the light dims; the same script gives the truth the detectors are measured against.
//!
//! A script is a small text file, one act per line: `START WHAT LENGTH`, times as `90s`, `12m`,
//! `1h30m` from the stream's start, `WHAT` one of `away`, `covered`, `turned`, `passer`, `dim`;
//! `#` starts a comment. Errors name the file, the line and the field.

use std::fmt;

/// What happens in an act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    /// The figure is not in the seat.
    Away,
    /// The lens is covered (a hand, paper, paint): the picture goes dark and flat.
    Covered,
    /// The camera is turned away from the counter: another view.
    Turned,
    /// Someone walks across the picture in front of the seat.
    Passer,
    /// The light dims to about two thirds.
    Dim,
}

impl Act {
    pub fn as_str(self) -> &'static str {
        match self {
            Act::Away => "away",
            Act::Covered => "covered",
            Act::Turned => "turned",
            Act::Passer => "passer",
            Act::Dim => "dim",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Act::Away, Act::Covered, Act::Turned, Act::Passer, Act::Dim].into_iter().find(|a| a.as_str() == text)
    }
}

/// One act of a script: from `from_ms` for `length_ms` after the stream's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scripted {
    pub act: Act,
    pub from_ms: i64,
    pub length_ms: i64,
}

impl Scripted {
    pub fn contains(&self, t_ms: i64) -> bool {
        t_ms >= self.from_ms && t_ms < self.from_ms + self.length_ms
    }
}

/// A camera's script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub acts: Vec<Scripted>,
}

/// A script file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {field}: {message}")]
pub struct ScriptError {
    pub file: String,
    pub line: usize,
    pub field: &'static str,
    pub message: String,
}

/// `90s`, `12m`, `1h30m`, `2h` as milliseconds (at most a day).
pub fn parse_duration(text: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut any = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3_600_000,
            'm' => 60_000,
            's' => 1_000,
            _ => return None,
        };
        let n: i64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
        any = true;
    }
    (any && number.is_empty() && total <= 86_400_000).then_some(total)
}

impl Script {
    /// Reads a script; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, ScriptError> {
        let error = |line: usize, field: &'static str, message: String| ScriptError {
            file: file.to_owned(),
            line,
            field,
            message,
        };
        let mut acts = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let parts: Vec<&str> = content.split_whitespace().collect();
            let [start, what, length] = parts[..] else {
                return Err(error(line, "act", format!("expected `START WHAT LENGTH`, found {content:?}")));
            };
            let from_ms = parse_duration(start)
                .ok_or_else(|| error(line, "start", format!("{start:?} is not a time like 90s, 12m or 1h30m")))?;
            let act = Act::parse(what).ok_or_else(|| {
                error(line, "what", format!("{what:?} is not one of away, covered, turned, passer, dim"))
            })?;
            let length_ms = parse_duration(length)
                .filter(|l| *l > 0)
                .ok_or_else(|| error(line, "length", format!("{length:?} is not a length like 30s or 12m")))?;
            acts.push(Scripted { act, from_ms, length_ms });
        }
        Ok(Self { acts })
    }

    /// Whether `act` is going on at `t_ms`.
    pub fn during(&self, act: Act, t_ms: i64) -> bool {
        self.acts.iter().any(|a| a.act == act && a.contains(t_ms))
    }

    /// The act of that kind going on at `t_ms`, if any.
    fn act_at(&self, act: Act, t_ms: i64) -> Option<&Scripted> {
        self.acts.iter().find(|a| a.act == act && a.contains(t_ms))
    }
}

impl fmt::Display for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.acts {
            writeln!(f, "{}s {} {}s", a.from_ms / 1000, a.act.as_str(), a.length_ms / 1000)?;
        }
        Ok(())
    }
}

/// Where the figure sits, as fractions of the picture (x, y, width, height): the region an
/// administrator would draw as the seat.
pub const SEAT: [f32; 4] = [0.36, 0.18, 0.28, 0.56];

/// Draws the picture at `t_ms` after the stream's start as 8-bit RGB, `width` × `height`.
pub fn render_rgb(script: &Script, t_ms: i64, width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let mut out = vec![0u8; w * h * 3];
    let covered = script.during(Act::Covered, t_ms);
    let turned = script.during(Act::Turned, t_ms);
    let gain = if script.during(Act::Dim, t_ms) { 0.65 } else { 1.0 };
    let seated = !script.during(Act::Away, t_ms);
    // The figure sways a few pixels over seven seconds.
    let sway = 0.012 * ((t_ms as f32) / 7000.0 * std::f32::consts::TAU).sin();
    let passer = script.act_at(Act::Passer, t_ms).map(|a| {
        let progress = (t_ms - a.from_ms) as f32 / a.length_ms.max(1) as f32;
        -0.15 + 1.3 * progress
    });
    let frame = (t_ms / 40) as u32;
    for y in 0..h {
        let fy = (y as f32 + 0.5) / h as f32;
        for x in 0..w {
            let fx = (x as f32 + 0.5) / w as f32;
            let rgb = if covered {
                [22, 20, 20]
            } else {
                let mut c = if turned { corridor(fx, fy) } else { counter(fx, fy) };
                if !turned && seated && in_figure(fx - sway, fy) {
                    c = figure_colour(fy);
                }
                if let Some(px) = passer
                    && in_passer(fx - px, fy)
                {
                    c = [120, 60, 50];
                }
                c
            };
            // Sensor noise: a few levels, different every frame.
            let noise = (hash(x as u32, y as u32, frame) % 7) as i32 - 3;
            let o = (y * w + x) * 3;
            for k in 0..3 {
                out[o + k] = ((f32::from(rgb[k]) * gain) as i32 + noise).clamp(0, 255) as u8;
            }
        }
    }
    out
}

/// The same picture in 8-bit grey (BT.601 luma), the detectors' input.
pub fn render_gray(script: &Script, t_ms: i64, width: u32, height: u32) -> Vec<u8> {
    render_rgb(script, t_ms, width, height)
        .chunks_exact(3)
        .map(|p| ((u32::from(p[0]) * 77 + u32::from(p[1]) * 150 + u32::from(p[2]) * 29) >> 8) as u8)
        .collect()
}

fn hash(x: u32, y: u32, frame: u32) -> u32 {
    let mut h = x.wrapping_mul(0x9E37_79B1) ^ y.wrapping_mul(0x85EB_CA77) ^ frame.wrapping_mul(0xC2B2_AE3D);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^ (h >> 12)
}

/// The counter as the camera should see it: wall, window frames, notice board, chair, desk.
fn counter(x: f32, y: f32) -> [u8; 3] {
    if y > 0.72 {
        // The desk, its front edge a lighter strip.
        return if y < 0.75 { [150, 120, 90] } else { [95, 70, 50] };
    }
    if (0.40..0.60).contains(&x) && (0.30..0.72).contains(&y) {
        return [40, 40, 48]; // the chair's back
    }
    if (0.06..0.28).contains(&x) && (0.12..0.45).contains(&y) {
        // The notice board with lines of text.
        let line = ((y - 0.12) / 0.035) as i32;
        return if line % 2 == 1 && x > 0.08 && x < 0.25 { [60, 60, 60] } else { [225, 225, 215] };
    }
    if (0.72..0.94).contains(&x) && (0.08..0.55).contains(&y) {
        // A window with its frame and cross bars.
        let bar = (x - 0.83).abs() < 0.008 || (y - 0.31).abs() < 0.012;
        return if bar { [70, 70, 75] } else { [175, 200, 220] };
    }
    [120, 128, 135]
}

/// What a camera turned away sees: a corridor with doors, nothing where the counter was.
fn corridor(x: f32, y: f32) -> [u8; 3] {
    if y > 0.82 {
        return [80, 80, 80];
    }
    let door = ((x * 5.0) as i32) % 2 == 0 && y > 0.25;
    if door { [150, 110, 70] } else { [200, 195, 180] }
}

fn in_figure(x: f32, y: f32) -> bool {
    let head = ((x - 0.5) / 0.045).powi(2) + ((y - 0.27) / 0.08).powi(2) < 1.0;
    let body = (0.42..0.58).contains(&x) && (0.36..0.74).contains(&y);
    head || body
}

fn figure_colour(y: f32) -> [u8; 3] {
    if y < 0.35 { [215, 175, 145] } else { [40, 70, 140] }
}

fn in_passer(x: f32, y: f32) -> bool {
    let head = (x / 0.04).powi(2) + ((y - 0.28) / 0.07).powi(2) < 1.0;
    head || (x.abs() < 0.07 && (0.36..0.98).contains(&y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_read_their_acts_and_name_the_line_and_field_of_a_mistake() {
        let s = Script::parse("a.script", "# a morning\n5m away 12m\n30m covered 45s  # hand\n1h turned 2m\n").unwrap();
        assert_eq!(s.acts.len(), 3);
        assert_eq!(s.acts[0], Scripted { act: Act::Away, from_ms: 300_000, length_ms: 720_000 });
        assert!(s.during(Act::Covered, 1_800_000 + 44_000) && !s.during(Act::Covered, 1_800_000 + 45_000));
        let e = Script::parse("b.script", "\n5m sleeping 1m\n").unwrap_err();
        assert_eq!((e.line, e.field), (2, "what"));
        assert_eq!(e.to_string().split(':').next(), Some("b.script"));
        assert_eq!(Script::parse("c", "5x away 1m").unwrap_err().field, "start");
        assert_eq!(Script::parse("c", "5m away 0s").unwrap_err().field, "length");
        assert_eq!(Script::parse("c", "5m away").unwrap_err().field, "act");
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("25h"), None);
    }

    #[test]
    fn the_picture_follows_the_script() {
        let s = Script::parse("s", "10s away 10s\n30s covered 10s\n50s dim 10s\n").unwrap();
        let (w, h) = (160, 90);
        let seat = |frame: &[u8]| {
            let (x0, y0) = ((SEAT[0] * w as f32) as usize, (SEAT[1] * h as f32) as usize);
            let (x1, y1) = (((SEAT[0] + SEAT[2]) * w as f32) as usize, ((SEAT[1] + SEAT[3]) * h as f32) as usize);
            let mut sum = 0u64;
            for y in y0..y1 {
                for x in x0..x1 {
                    sum += u64::from(frame[y * w + x]);
                }
            }
            sum / ((x1 - x0) * (y1 - y0)) as u64
        };
        let seated = render_gray(&s, 0, w as u32, h as u32);
        let away = render_gray(&s, 15_000, w as u32, h as u32);
        assert_ne!(seat(&seated), seat(&away), "the seat looks different without the figure");
        let covered = render_gray(&s, 35_000, w as u32, h as u32);
        assert!(covered.iter().all(|p| *p < 30), "covered: dark all over");
        let dim = render_gray(&s, 55_000, w as u32, h as u32);
        let mean = |f: &[u8]| f.iter().map(|p| u64::from(*p)).sum::<u64>() / f.len() as u64;
        assert!(mean(&dim) * 10 < mean(&seated) * 8, "dimmed");
    }
}

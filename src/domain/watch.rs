//! What the camera watchers of Art 11(8) find (issue 19): a camera blocked or turned away from its
//! reference view (`camera_tampered`), and a staff seat left empty (离岗 candidates). The findings are
//! for a supervisor to confirm or dismiss; nothing here decides a violation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A rectangle as fractions of the picture (the staff seat region an administrator draws).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Region {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Region {
    /// Whether it is a region of the picture: inside 0–1, at least 2 % each way.
    pub fn is_valid(&self) -> bool {
        let inside = |v: f32| v.is_finite() && (0.0..=1.0).contains(&v);
        inside(self.x)
            && inside(self.y)
            && self.width.is_finite()
            && self.height.is_finite()
            && self.width >= 0.02
            && self.height >= 0.02
            && self.x + self.width <= 1.0 + 1e-4
            && self.y + self.height <= 1.0 + 1e-4
    }

    /// The pixel rectangle (x0, y0, x1, y1) in a picture of that size; at least one pixel.
    pub fn pixels(&self, width: u32, height: u32) -> (usize, usize, usize, usize) {
        let (w, h) = (width as f32, height as f32);
        let x0 = (self.x.clamp(0.0, 1.0) * w) as usize;
        let y0 = (self.y.clamp(0.0, 1.0) * h) as usize;
        let x1 = (((self.x + self.width).clamp(0.0, 1.0) * w) as usize).max(x0 + 1).min(width as usize);
        let y1 = (((self.y + self.height).clamp(0.0, 1.0) * h) as usize).max(y0 + 1).min(height as usize);
        (x0.min(x1 - 1), y0.min(y1 - 1), x1, y1)
    }

    pub fn contains(&self, x: usize, y: usize, width: u32, height: u32) -> bool {
        let (x0, y0, x1, y1) = self.pixels(width, height);
        (x0..x1).contains(&x) && (y0..y1).contains(&y)
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// `camera_tampered/blocked`: the lens covered or painted, the picture flat or dark.
    Blocked,
    /// `camera_tampered/moved`: the view no longer matches the reference view.
    Moved,
    /// A 离岗 candidate: the seat region empty.
    Absent,
}

impl FindingKind {
    pub const ALL: [FindingKind; 3] = [FindingKind::Blocked, FindingKind::Moved, FindingKind::Absent];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Blocked => "blocked",
            FindingKind::Moved => "moved",
            FindingKind::Absent => "absent",
        }
    }

    /// The rule it comes under: `camera_tampered` or `seat_empty`.
    pub fn rule(self) -> &'static str {
        match self {
            FindingKind::Blocked | FindingKind::Moved => "camera_tampered",
            FindingKind::Absent => "seat_empty",
        }
    }

    pub fn is_tamper(self) -> bool {
        self != FindingKind::Absent
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FindingKind::Blocked => "摄像头被遮挡",
            FindingKind::Moved => "摄像头被转动",
            FindingKind::Absent => "离岗（待确认）",
        }
    }

    /// What a confirmed finding states (the observation's note): no "to confirm" any more.
    pub fn confirmed_zh(self) -> &'static str {
        match self {
            FindingKind::Absent => "座位无人",
            other => other.label_zh(),
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            FindingKind::Blocked => "Camera blocked",
            FindingKind::Moved => "Camera turned away",
            FindingKind::Absent => "Seat empty (to confirm)",
        }
    }

    /// The observation category a confirmation records (RULES.md's categories).
    pub fn category(self) -> &'static str {
        match self {
            FindingKind::Blocked | FindingKind::Moved => "遮挡摄像头/规避监察",
            FindingKind::Absent => "离岗",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FindingKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown finding kind {s:?}"))
    }
}

/// What a supervisor decided about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingDecision {
    /// Recorded as a discipline observation.
    Confirmed,
    /// Not a violation (the reason is kept).
    Dismissed,
}

impl FindingDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingDecision::Confirmed => "confirmed",
            FindingDecision::Dismissed => "dismissed",
        }
    }
}

/// The width and height a PNG's header says, or `None` when the bytes are not a PNG.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    if png.len() < 33 || png[..8] != SIGNATURE || &png[12..16] != b"IHDR" {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    let (w, h) = (word(16), word(20));
    (w > 0 && h > 0 && w <= 8192 && h <= 8192).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_must_lie_in_the_picture() {
        assert!(Region { x: 0.3, y: 0.4, width: 0.4, height: 0.5 }.is_valid());
        assert!(!Region { x: 0.7, y: 0.4, width: 0.4, height: 0.5 }.is_valid());
        assert!(!Region { x: 0.1, y: 0.1, width: 0.0, height: 0.5 }.is_valid());
        assert!(!Region { x: f32::NAN, y: 0.1, width: 0.2, height: 0.5 }.is_valid());
    }

    #[test]
    fn kinds_round_trip_and_name_their_rule() {
        for k in FindingKind::ALL {
            assert_eq!(k.as_str().parse::<FindingKind>(), Ok(k));
        }
        assert_eq!(FindingKind::Moved.rule(), "camera_tampered");
        assert_eq!(FindingKind::Absent.category(), "离岗");
        assert!("lost".parse::<FindingKind>().is_err());
        assert_eq!(png_size(b"not a png at all, not at all, no"), None);
    }
}

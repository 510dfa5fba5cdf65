//! Watching a window camera for what Art 11(8) names — the camera blocked or turned away — and for
//! an empty seat (离岗), from small grey frames a few times a second. Pure computation, no clock and no
//! GStreamer: the caller feeds frames with their wall times and says whether the window is open; the
//! watcher answers with findings for a supervisor to confirm or dismiss. It never decides a violation.
//!
//! - **Blocked**: the picture loses nearly all its detail — low contrast and almost no edges, or dark.
//! - **Moved**: the strongest edges of the picture no longer lie where those of the camera's reference
//!   view (设为基准画面) lie. Edges are the brightest tenth of the gradient, so a dimmer light changes
//!   nothing; the seat region is left out, so the staff coming and going changes nothing either.
//! - **Empty seat**: in the seat region nothing moves (frame to frame) and the region looks like the
//!   empty seat (once the watcher has seen it empty for a while; the light is evened out first). A
//!   person who sits still is still different from the empty chair; one who fidgets moves.
//!
//! Each condition counts only while the window is open, from the moment it began (or the window
//! opened), and becomes a finding once it lasted longer than its setting.

use chrono::{DateTime, Utc};

/// The size the detectors look at.
pub const WIDTH: u32 = 160;
pub const HEIGHT: u32 = 90;

/// A grey picture at the detectors' size (or any size: the detectors use what they are given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gray {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Gray {
    pub fn new(width: u32, height: u32, data: Vec<u8>) -> Option<Self> {
        (width >= 8 && height >= 8 && data.len() == width as usize * height as usize).then_some(Self {
            width,
            height,
            data,
        })
    }

    fn at(&self, x: usize, y: usize) -> i32 {
        i32::from(self.data[y * self.width as usize + x])
    }
}

pub use crate::domain::watch::Region;

/// How long each condition must last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WatchSettings {
    /// A blocked or moved camera (default 30 s).
    pub tamper_seconds: u32,
    /// An empty seat (default 10 min).
    pub absent_seconds: u32,
}

impl Default for WatchSettings {
    fn default() -> Self {
        Self { tamper_seconds: 30, absent_seconds: 600 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TamperKind {
    Blocked,
    Moved,
}

impl TamperKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TamperKind::Blocked => "blocked",
            TamperKind::Moved => "moved",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            TamperKind::Blocked => "画面被遮挡",
            TamperKind::Moved => "画面偏离基准",
        }
    }
}

/// What the watcher found. `P` is the picture kept as a snapshot (the grey frame itself, or the
/// caller's colour picture of the same moment).
#[derive(Debug, Clone, PartialEq)]
pub enum Finding<P = Gray> {
    /// A condition lasted longer than allowed: `before` is the last normal picture, `after` the picture now.
    TamperStarted {
        kind: TamperKind,
        since: DateTime<Utc>,
        before: Option<P>,
        after: P,
    },
    TamperEnded {
        kind: TamperKind,
        at: DateTime<Utc>,
    },
    /// The seat has been empty longer than allowed; `snapshot` from when it became empty.
    AbsenceStarted {
        since: DateTime<Utc>,
        snapshot: P,
    },
    /// The person is back (or the window closed): `snapshot` is the picture now.
    AbsenceEnded {
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        snapshot: P,
    },
}

/// The measures of one picture, for tests and tuning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    pub contrast: f32,
    pub edge_density: f32,
    pub mean: f32,
    /// The share of the reference's edges found again (1 without a reference).
    pub edge_match: f32,
}

/// One condition's timing: when it began (inside opening hours), and whether it was reported.
#[derive(Debug, Clone, Default)]
struct Condition {
    since: Option<DateTime<Utc>>,
    reported: bool,
    /// When the condition was last not seen while reported (it must stay gone a moment to end).
    clear_since: Option<DateTime<Utc>>,
}

/// A camera's watcher.
#[derive(Debug, Clone)]
pub struct Watcher<P = Gray> {
    settings: WatchSettings,
    seat: Option<Region>,
    reference: Option<Vec<bool>>,
    last_normal: Option<P>,
    previous: Option<Gray>,
    blocked: Condition,
    moved: Condition,
    /// The empty seat as seen (mean-normalised region pixels), once it was seen empty long enough.
    empty_seat: Option<Vec<f32>>,
    /// When the region last moved (or differed from the empty seat).
    last_presence: Option<DateTime<Utc>>,
    absence_snapshot: Option<P>,
    absent: Condition,
    /// When the window opened (this opening period), while it is open.
    opened: Option<DateTime<Utc>>,
}

/// Edges that must stay gone or come back for a moment before a reported condition ends.
const CLEAR_SECONDS: i64 = 5;
/// How long a still region is taken as possibly empty before it is learnt as the empty seat.
const LEARN_EMPTY_SECONDS: i64 = 120;
/// How long someone seen moving in the seat is still taken as there while the pictures show no motion:
/// a seated person is still for a second or two (and pictures a second apart can catch a sway at its
/// turning point), which is no absence.
const STILL_SECONDS: i64 = 3;

impl Watcher<Gray> {
    /// Looks at the next picture, taken at `at`, with the window `open` or not; the snapshots are
    /// the grey frames.
    pub fn feed(&mut self, at: DateTime<Utc>, open: bool, frame: &Gray) -> Vec<Finding> {
        self.feed_with(at, open, frame, frame)
    }
}

impl<P: Clone> Watcher<P> {
    pub fn new(settings: WatchSettings, seat: Option<Region>, reference: Option<&Gray>) -> Self {
        Self {
            settings,
            seat,
            reference: reference.map(|r| edges(r, seat)),
            last_normal: None,
            previous: None,
            blocked: Condition::default(),
            moved: Condition::default(),
            empty_seat: None,
            last_presence: None,
            absence_snapshot: None,
            absent: Condition::default(),
            opened: None,
        }
    }

    /// 设为基准画面: the view the camera should keep.
    pub fn set_reference(&mut self, reference: &Gray) {
        self.reference = Some(edges(reference, self.seat));
    }

    /// The measures of `frame` against the reference.
    pub fn measure(&self, frame: &Gray) -> Measures {
        let (contrast, mean) = contrast_and_mean(frame);
        let current = edges(frame, self.seat);
        let gradient_edges = strong_edge_density(frame);
        let edge_match = match &self.reference {
            Some(reference) => edge_match(reference, &current, frame.width as usize, frame.height as usize),
            None => 1.0,
        };
        Measures { contrast, edge_density: gradient_edges, mean, edge_match }
    }

    /// Looks at the next picture, taken at `at`, with the window `open` or not; `picture` is what a
    /// snapshot of this moment keeps.
    pub fn feed_with(&mut self, at: DateTime<Utc>, open: bool, frame: &Gray, picture: &P) -> Vec<Finding<P>> {
        let mut found = Vec::new();
        // Time counts from the opening at the earliest.
        match (open, self.opened) {
            (true, None) => self.opened = Some(at),
            (false, _) => self.opened = None,
            _ => {}
        }
        let m = self.measure(frame);
        let is_blocked = (m.contrast < 10.0 && m.edge_density < 0.01) || m.mean < 18.0;
        let is_moved = !is_blocked && self.reference.is_some() && m.edge_match < 0.45;
        let tamper = self.settings.tamper_seconds;
        for (kind, seen) in [(TamperKind::Blocked, is_blocked), (TamperKind::Moved, is_moved)] {
            let before = self.last_normal.clone();
            let condition = match kind {
                TamperKind::Blocked => &mut self.blocked,
                TamperKind::Moved => &mut self.moved,
            };
            match step_from(condition, at, open, seen, tamper, at, self.opened) {
                Some(true) => {
                    let since = condition.since.unwrap_or(at);
                    found.push(Finding::TamperStarted { kind, since, before, after: picture.clone() });
                }
                Some(false) => found.push(Finding::TamperEnded { kind, at }),
                None => {}
            }
        }
        if !is_blocked && !is_moved {
            self.last_normal = Some(picture.clone());
        }
        // The seat: only while the camera sees the counter.
        if let Some(seat) = self.seat
            && !is_blocked
            && !is_moved
        {
            let seen = self.seat_presence(at, &seat, frame);
            if seen {
                self.last_presence = Some(at);
            }
            // Seen now, or moments ago: a still second is no absence. The absence counts from the last
            // picture that showed someone.
            let present = seen || self.last_presence.is_some_and(|p| (at - p).num_seconds() <= STILL_SECONDS);
            if present {
                self.absence_snapshot = None;
            } else if self.absence_snapshot.is_none() {
                self.absence_snapshot = Some(picture.clone());
            }
            let since_before = self.absent.since;
            let began = self.last_presence.unwrap_or(at);
            match step_from(&mut self.absent, at, open, !present, self.settings.absent_seconds, began, self.opened) {
                Some(true) => found.push(Finding::AbsenceStarted {
                    since: self.absent.since.unwrap_or(at),
                    snapshot: self.absence_snapshot.clone().unwrap_or_else(|| picture.clone()),
                }),
                Some(false) => found.push(Finding::AbsenceEnded {
                    since: since_before.unwrap_or(at),
                    until: at,
                    snapshot: picture.clone(),
                }),
                None => {}
            }
        }
        self.previous = Some(frame.clone());
        found
    }

    /// Whether someone is in the seat: the region moved since the last picture, or it differs from
    /// the empty seat (when that is known). A region still for a while is learnt as the empty seat.
    fn seat_presence(&mut self, at: DateTime<Utc>, seat: &Region, frame: &Gray) -> bool {
        let (x0, y0, x1, y1) = seat.pixels(frame.width, frame.height);
        let moved = match &self.previous {
            Some(p) if p.width == frame.width && p.height == frame.height => {
                let mut changed = 0usize;
                for y in y0..y1 {
                    for x in x0..x1 {
                        if (frame.at(x, y) - p.at(x, y)).abs() > 14 {
                            changed += 1;
                        }
                    }
                }
                changed as f32 / ((x1 - x0) * (y1 - y0)) as f32 > 0.004
            }
            _ => true,
        };
        let region = normalised_region(frame, (x0, y0, x1, y1));
        let differs = self.empty_seat.as_ref().is_some_and(|empty| {
            empty.len() == region.len() && {
                let far = empty.iter().zip(&region).filter(|(a, b)| (*a - *b).abs() > 0.25).count();
                far as f32 / region.len() as f32 > 0.08
            }
        });
        let still_for = self.last_presence.map_or(0, |p| (at - p).num_seconds());
        if !moved && !differs && still_for >= LEARN_EMPTY_SECONDS {
            // Still for two minutes and not unlike the empty seat: learn (or follow) its look.
            match &mut self.empty_seat {
                Some(empty) if empty.len() == region.len() => {
                    for (e, r) in empty.iter_mut().zip(&region) {
                        *e = *e * 0.95 + r * 0.05;
                    }
                }
                slot => *slot = Some(region),
            }
        }
        moved || differs
    }
}

/// Moves a condition on by one picture; `Some(true)` when it is to be reported now, `Some(false)`
/// when a reported one ended. A new condition counts from `began` (when it was first seen), but not
/// from before the window `opened`.
fn step_from(
    c: &mut Condition,
    at: DateTime<Utc>,
    open: bool,
    seen: bool,
    seconds: u32,
    began: DateTime<Utc>,
    opened: Option<DateTime<Utc>>,
) -> Option<bool> {
    if c.reported {
        if seen && open {
            c.clear_since = None;
            return None;
        }
        // Gone (or the window closed): it ends once it stayed gone a moment, or at once on closing.
        let clear = *c.clear_since.get_or_insert(at);
        if !open || (at - clear).num_seconds() >= CLEAR_SECONDS {
            *c = Condition::default();
            return Some(false);
        }
        return None;
    }
    if !seen || !open {
        c.since = None;
        return None;
    }
    let since = *c.since.get_or_insert_with(|| opened.map_or(began, |o| began.max(o)));
    if (at - since).num_seconds() > i64::from(seconds) {
        c.reported = true;
        return Some(true);
    }
    None
}

/// The contrast (standard deviation) and mean brightness.
fn contrast_and_mean(frame: &Gray) -> (f32, f32) {
    let n = frame.data.len() as f64;
    let sum: f64 = frame.data.iter().map(|p| f64::from(*p)).sum();
    let mean = sum / n;
    let var: f64 = frame.data.iter().map(|p| (f64::from(*p) - mean).powi(2)).sum::<f64>() / n;
    (var.sqrt() as f32, mean as f32)
}

/// The gradient magnitude at each pixel (3×3 Sobel on the picture), 0 on the border.
fn gradient(frame: &Gray) -> Vec<i32> {
    let (w, h) = (frame.width as usize, frame.height as usize);
    let mut g = vec![0; w * h];
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let p = |dx: isize, dy: isize| frame.at((x as isize + dx) as usize, (y as isize + dy) as usize);
            let gx = p(1, -1) + 2 * p(1, 0) + p(1, 1) - p(-1, -1) - 2 * p(-1, 0) - p(-1, 1);
            let gy = p(-1, 1) + 2 * p(0, 1) + p(1, 1) - p(-1, -1) - 2 * p(0, -1) - p(1, -1);
            g[y * w + x] = gx.abs() + gy.abs();
        }
    }
    g
}

/// The share of pixels with a strong gradient in absolute terms (detail that noise does not make).
fn strong_edge_density(frame: &Gray) -> f32 {
    let g = gradient(frame);
    g.iter().filter(|v| **v > 120).count() as f32 / g.len() as f32
}

/// The brightest tenth of the gradient outside the seat region, as a mask.
fn edges(frame: &Gray, seat: Option<Region>) -> Vec<bool> {
    let g = gradient(frame);
    let (w, h) = (frame.width, frame.height);
    let mut sorted: Vec<i32> = g.clone();
    sorted.sort_unstable();
    let threshold = sorted[sorted.len() * 9 / 10].max(60);
    g.iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = (i % w as usize, i / w as usize);
            *v >= threshold && !seat.is_some_and(|s| s.contains(x, y, w, h))
        })
        .collect()
}

/// The share of the reference's edge pixels with an edge within one pixel in the current picture.
fn edge_match(reference: &[bool], current: &[bool], w: usize, h: usize) -> f32 {
    if reference.len() != current.len() {
        return 0.0;
    }
    let mut total = 0usize;
    let mut found = 0usize;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            if !reference[y * w + x] {
                continue;
            }
            total += 1;
            let near = (y - 1..=y + 1).any(|yy| (x - 1..=x + 1).any(|xx| current[yy * w + xx]));
            if near {
                found += 1;
            }
        }
    }
    if total == 0 { 1.0 } else { found as f32 / total as f32 }
}

/// The region's pixels divided by the region's mean (so a dimmer light looks the same).
fn normalised_region(frame: &Gray, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> Vec<f32> {
    let mut values = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        for x in x0..x1 {
            values.push(frame.at(x, y) as f32);
        }
    }
    let mean = (values.iter().sum::<f32>() / values.len().max(1) as f32).max(1.0);
    values.iter_mut().for_each(|v| *v /= mean);
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::scene::{self, Script};

    fn frame(script: &Script, t_ms: i64) -> Gray {
        Gray::new(WIDTH, HEIGHT, scene::render_gray(script, t_ms, WIDTH, HEIGHT)).unwrap()
    }

    fn seat() -> Region {
        let [x, y, width, height] = scene::SEAT;
        Region { x, y, width, height }
    }

    #[test]
    fn the_measures_tell_a_covered_and_a_turned_camera_from_a_normal_or_dim_one() {
        let s = Script::parse("s", "10s covered 10s\n30s turned 10s\n50s dim 10s\n70s away 10s").unwrap();
        let w: Watcher = Watcher::new(WatchSettings::default(), Some(seat()), Some(&frame(&s, 0)));
        let normal = w.measure(&frame(&s, 1_000));
        let covered = w.measure(&frame(&s, 15_000));
        let turned = w.measure(&frame(&s, 35_000));
        let dim = w.measure(&frame(&s, 55_000));
        let away = w.measure(&frame(&s, 75_000));
        assert!(
            normal.edge_match > 0.9 && dim.edge_match > 0.8 && away.edge_match > 0.8,
            "{normal:?} {dim:?} {away:?}"
        );
        assert!(covered.contrast < 10.0 && covered.edge_density < 0.01, "{covered:?}");
        assert!(normal.contrast > 25.0 && normal.edge_density > 0.02, "{normal:?}");
        assert!(turned.edge_match < 0.45, "{turned:?}");
    }

    /// Feeds `seconds` of the scripted picture at one frame every two seconds from 10:00 (Beijing), the
    /// window open except during `closed` (seconds from the start).
    fn watch(script: &str, seconds: i64, closed: Option<(i64, i64)>) -> Vec<(i64, Finding)> {
        let s = Script::parse("s", script).unwrap();
        let start = DateTime::parse_from_rfc3339("2026-12-02T10:00:00+08:00").unwrap().with_timezone(&Utc);
        let mut w = Watcher::new(WatchSettings::default(), Some(seat()), Some(&frame(&s, 0)));
        let mut found = Vec::new();
        for t in (0..seconds).step_by(2) {
            let open = !closed.is_some_and(|(a, b)| (a..b).contains(&t));
            let at = start + chrono::Duration::seconds(t);
            found.extend(w.feed(at, open, &frame(&s, t * 1000)).into_iter().map(|f| (t, f)));
        }
        found
    }

    #[test]
    fn a_covered_lens_is_found_after_30_seconds_and_ends_when_uncovered() {
        let found = watch("60s covered 90s\n", 200, None);
        assert_eq!(found.len(), 2, "{found:?}");
        let (t, Finding::TamperStarted { kind, since, before, .. }) = &found[0] else { panic!("{found:?}") };
        assert_eq!(*kind, TamperKind::Blocked);
        assert!((91..=94).contains(t), "raised at {t} s, covered at 60 s");
        assert_eq!(since.timestamp() % 60, 0, "since the covering began (10:01:00)");
        assert!(before.is_some(), "with the last normal picture");
        assert!(
            matches!(found[1], (t, Finding::TamperEnded { kind: TamperKind::Blocked, .. }) if (150..=157).contains(&t))
        );
        // 20 seconds covered is no finding.
        assert!(watch("60s covered 20s\n", 120, None).is_empty());
    }

    #[test]
    fn a_turned_camera_is_found_as_moved() {
        let found = watch("30s turned 60s\n", 120, None);
        assert!(
            matches!(found.first(), Some((t, Finding::TamperStarted { kind: TamperKind::Moved, .. })) if (61..=64).contains(t)),
            "{found:?}"
        );
        assert!(matches!(found.get(1), Some((_, Finding::TamperEnded { kind: TamperKind::Moved, .. }))), "{found:?}");
    }

    #[test]
    fn twelve_minutes_away_is_one_absence_eight_is_none_and_neither_are_lunch_or_noise() {
        let found = watch("2m away 12m\n", 17 * 60, None);
        let starts: Vec<_> = found.iter().filter(|(_, f)| matches!(f, Finding::AbsenceStarted { .. })).collect();
        let ends: Vec<_> = found.iter().filter(|(_, f)| matches!(f, Finding::AbsenceEnded { .. })).collect();
        assert_eq!((starts.len(), ends.len()), (1, 1), "{found:?}");
        let (t, Finding::AbsenceStarted { since, .. }) = starts[0] else { unreachable!() };
        assert!((720..=724).contains(t), "raised 10 min after leaving at 2 min: {t}");
        assert!((since.timestamp() - 1_796_176_800 - 120).abs() <= 2, "since the seat emptied");
        assert!(matches!(ends[0], (t, _) if (840..=848).contains(t)), "ended on return at 14 min: {ends:?}");
        assert!(found.iter().all(|(_, f)| !matches!(f, Finding::TamperStarted { .. })));
        // Eight minutes away: nothing.
        assert!(watch("2m away 8m\n", 12 * 60, None).is_empty());
        // Away over a break (closed from 5 to 25 min): leaving at 4 min and returning at 27 counts
        // 1 + 2 minutes of open time.
        assert!(watch("4m away 23m\n", 30 * 60, Some((5 * 60, 25 * 60))).is_empty());
        // Noise while the figure sits there: the light dims for ten minutes, a passer-by crosses for 20 s.
        assert!(watch("1m dim 10m\n12m passer 20s\n", 15 * 60, None).is_empty());
    }
}

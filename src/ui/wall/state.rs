//! What the video wall shows: the layout, the tiles, the 记录违纪 dialog.

use std::time::Instant;

/// Tiles per page of the video wall.
pub const WALL_LAYOUTS: [usize; 5] = [1, 4, 9, 16, 25];

/// The video wall as the supervisor arranged it (saved per workstation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WallLayout {
    /// 1, 4, 9, 16 or 25 tiles per page.
    pub tiles: usize,
    /// Camera ids in slot order across pages; `None` is an empty slot.
    pub slots: Vec<Option<i64>>,
    /// Seconds per page when touring.
    pub tour_secs: u32,
}

impl Default for WallLayout {
    fn default() -> Self {
        Self { tiles: 9, slots: Vec::new(), tour_secs: 20 }
    }
}

/// What a tile shows this frame (filled by the wall runner in the logic step).
#[derive(Debug, Clone)]
pub struct TileView {
    pub picture: Option<crate::ui::video::TilePicture>,
    pub status: crate::video::decoder::TileStatus,
    pub stats: crate::video::decoder::TileStats,
    pub last_frame_at: Option<chrono::DateTime<chrono::Utc>>,
    pub stream: crate::video::StreamKind,
}

/// The "记录违纪" dialog: the snapshot is taken when it opens.
#[derive(Debug, Clone)]
pub struct DisciplineDraft {
    pub camera_id: i64,
    pub camera_name: String,
    pub window_code: Option<String>,
    pub staff_no: Option<String>,
    pub staff_name: Option<String>,
    pub taken_at: chrono::DateTime<chrono::Utc>,
    pub category: usize,
    pub note: String,
}

#[derive(Debug, Default)]
pub struct WallView {
    /// When the camera watchers were last refreshed, and how many cameras this console watches.
    pub watch_checked: Option<std::time::Instant>,
    pub watching: Option<usize>,
    pub layout: WallLayout,
    pub page: usize,
    /// Watching one camera on the main stream.
    pub fullscreen: Option<i64>,
    pub touring: bool,
    pub tour_page_since: Option<Instant>,
    pub camera_list_open: bool,
    pub second_window: bool,
    /// Pixel size each visible camera's tile had on the last frame (the runner scales to it).
    pub tile_px: std::collections::HashMap<i64, [u32; 2]>,
    pub tiles: std::collections::HashMap<i64, TileView>,
    /// Each camera's digital zoom (kept when the camera goes full screen and back).
    pub zoom: std::collections::HashMap<i64, crate::ui::video::Zoom>,
    /// The GPU or the CPU path (set by the runner).
    pub video_path: Option<crate::ui::video::VideoPath>,
    pub discipline: Option<DisciplineDraft>,
    pub last_snapshot: Option<Result<String, String>>,
    /// Whether the slots were filled from the directory (first time) or restored.
    pub initialised: bool,
    /// The directory's camera ids the slots were last brought in line with.
    pub known_cameras: Vec<i64>,
    /// The evidence snapshots kept on this console's wall.
    pub evidence: Option<Vec<crate::store::Evidence>>,
}

impl WallView {
    pub fn pages(&self) -> usize {
        self.layout.slots.len().div_ceil(self.layout.tiles).max(1)
    }

    /// The camera ids of the current page's slots.
    pub fn page_slots(&self) -> Vec<Option<i64>> {
        let start = self.page * self.layout.tiles;
        (start..start + self.layout.tiles).map(|i| self.layout.slots.get(i).copied().flatten()).collect()
    }

    /// Cameras that should be decoding now.
    pub fn visible_cameras(&self) -> Vec<i64> {
        match self.fullscreen {
            Some(id) => vec![id],
            None => self.page_slots().into_iter().flatten().collect(),
        }
    }
}

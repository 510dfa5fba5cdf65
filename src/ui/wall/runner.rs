//! Keeps one decoder per visible camera and its texture, from the app's logic step.
//!
//! Decoders start when their camera becomes visible, stop when it is not, switch to the main stream when
//! the tile grows past the sub stream's width, and are asked for frames of the tile's pixel size (the
//! scaling happens in GStreamer). A texture is uploaded only when a new frame arrived. Nothing here
//! blocks: decoders run on their own threads.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::model::Camera;
use crate::video::StreamKind;
use crate::video::decoder::{Decoder, Frame, Notify, StreamSource, TileStatus};

use crate::ui::wall::state::{TileView, WallView};

/// Size requests are sent at most this often per tile (while a window is being resized).
const RESIZE_EVERY: Duration = Duration::from_millis(250);
/// Tiles assumed before the first layout pass.
const DEFAULT_TILE: [u32; 2] = [400, 224];

struct Running {
    decoder: Decoder,
    texture: Option<egui::TextureHandle>,
    uploaded: u64,
    last_resize: Instant,
}

pub struct WallRunner {
    tiles: HashMap<i64, Running>,
    notify: Notify,
}

impl WallRunner {
    pub fn new(ctx: &egui::Context) -> Self {
        let ctx = ctx.clone();
        // A new frame asks for a repaint within a video frame's time, so that many tiles delivering at
        // 25 fps each cost the UI at most ~30 repaints a second, not one per frame per tile.
        Self { tiles: HashMap::new(), notify: Arc::new(move || ctx.request_repaint_after(Duration::from_millis(33))) }
    }

    /// The newest frame of a camera, for snapshots.
    pub fn frame(&self, camera_id: i64) -> Option<Arc<Frame>> {
        self.tiles.get(&camera_id).and_then(|r| r.decoder.mailbox().frame())
    }

    /// How many decoders run (for tests and the status bar).
    pub fn running(&self) -> usize {
        self.tiles.len()
    }

    /// Brings the decoders in line with what the wall shows; `active` is false when no wall is on screen.
    pub fn step(&mut self, ctx: &egui::Context, wall: &mut WallView, cameras: &[Camera], active: bool) {
        let wanted: Vec<i64> = if active { wall.visible_cameras() } else { Vec::new() };
        self.tiles.retain(|id, _| wanted.contains(id));
        wall.tiles.retain(|id, _| wanted.contains(id));
        for id in wanted {
            let Some(camera) = cameras.iter().find(|c| c.id == id) else { continue };
            let px = wall.tile_px.get(&id).copied().unwrap_or(DEFAULT_TILE);
            let kind = if wall.fullscreen == Some(id) {
                StreamKind::Main
            } else {
                StreamKind::for_width(px[0], camera.sub_url.is_some())
            };
            let url = match kind {
                StreamKind::Sub => camera.sub_url.clone().unwrap_or_else(|| camera.main_url.clone()),
                StreamKind::Main => camera.main_url.clone(),
            };
            // Another stream, or the camera's address changed in 系统管理: a new decoder.
            if self.tiles.get(&id).is_some_and(|r| r.decoder.source().kind != kind || r.decoder.source().url != url) {
                self.tiles.remove(&id);
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = self.tiles.entry(id) {
                match Decoder::start(&id.to_string(), StreamSource { url, kind }, px[0], px[1], self.notify.clone()) {
                    Ok(decoder) => {
                        slot.insert(Running { decoder, texture: None, uploaded: 0, last_resize: Instant::now() });
                    }
                    Err(e) => {
                        wall.tiles.insert(
                            id,
                            TileView {
                                texture: None,
                                status: TileStatus::Lost {
                                    reason: e.to_string(),
                                    last_frame_at: None,
                                    retry_at: Instant::now(),
                                },
                                stats: Default::default(),
                                last_frame_at: None,
                                stream: kind,
                            },
                        );
                        continue;
                    }
                }
            }
            let Some(running) = self.tiles.get_mut(&id) else { continue };
            if running.last_resize.elapsed() >= RESIZE_EVERY {
                running.decoder.resize(px[0], px[1]);
                running.last_resize = Instant::now();
            }
            let mailbox = running.decoder.mailbox().clone();
            let frame = mailbox.frame();
            if let Some(frame) = &frame
                && frame.seq != running.uploaded
            {
                let image = egui::ColorImage::from_rgba_unmultiplied(
                    [frame.width as usize, frame.height as usize],
                    &frame.rgba,
                );
                match &mut running.texture {
                    Some(texture) => texture.set(image, egui::TextureOptions::LINEAR),
                    None => {
                        running.texture =
                            Some(ctx.load_texture(format!("camera-{id}"), image, egui::TextureOptions::LINEAR))
                    }
                }
                running.uploaded = frame.seq;
            }
            wall.tiles.insert(
                id,
                TileView {
                    texture: running.texture.as_ref().map(|t| (t.id(), t.size())),
                    status: mailbox.status(),
                    stats: mailbox.stats(),
                    last_frame_at: frame.map(|f| f.received_at),
                    stream: kind,
                },
            );
        }
    }
}

//! Keeps one decoder per visible camera and its texture, from the app's logic step.
//!
//! Decoders start when their camera becomes visible, stop when it is not, and switch to the main stream
//! when the tile grows past the sub stream's width. On the GPU path (GL 3) they hand out their planes at
//! the stream's size and the tile's paint callback uploads and converts them (`ui::video`); on the CPU
//! path they are asked for RGBA frames of the tile's pixel size (scaled in GStreamer) and a texture is
//! uploaded here. Either way a frame is uploaded only when it is new. Nothing here blocks: decoders
//! run on their own threads.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::model::Camera;
use crate::video::StreamKind;
use crate::video::decoder::{Decoder, Frame, Notify, Output, StreamSource, TileStatus};
use crate::video::gl::YuvRenderer;

use crate::ui::video::{SharedRenderer, TilePicture, VideoPath};
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
    gpu: Option<SharedRenderer>,
    path: VideoPath,
    /// The console's clock: the decoders' retries and rates, the resize pacing.
    clock: Arc<dyn crate::clock::Clock>,
}

impl WallRunner {
    /// `gl` is eframe's GL context (none under another renderer): with GL 3 the wall takes the GPU path.
    pub fn new(ctx: &egui::Context, gl: Option<Arc<glow::Context>>, clock: Arc<dyn crate::clock::Clock>) -> Self {
        let (gpu, path) = match gl {
            None => (None, VideoPath::Cpu("no OpenGL context".into())),
            Some(gl) => {
                let name = crate::video::gl::describe(&gl);
                match YuvRenderer::new(gl) {
                    Ok(renderer) => (Some(Arc::new(std::sync::Mutex::new(renderer))), VideoPath::Gpu(name)),
                    Err(e) => {
                        tracing::warn!(error = %e, "the wall draws on the CPU");
                        (None, VideoPath::Cpu(e))
                    }
                }
            }
        };
        tracing::info!(path = ?path, "video wall drawing path");
        let ctx = ctx.clone();
        // A new frame asks for a repaint within a video frame's time, so that many tiles delivering at
        // 25 fps each cost the UI at most ~30 repaints a second, not one per frame per tile.
        let notify: Notify = Arc::new(move || ctx.request_repaint_after(Duration::from_millis(33)));
        Self { tiles: HashMap::new(), notify, gpu, path, clock }
    }

    /// The GPU path or the CPU path, for the status bar.
    pub fn path(&self) -> &VideoPath {
        &self.path
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
        let now = self.clock.monotonic();
        let wanted: Vec<i64> = if active { wall.visible_cameras() } else { Vec::new() };
        self.tiles.retain(|id, _| wanted.contains(id));
        wall.tiles.retain(|id, _| wanted.contains(id));
        wall.video_path = Some(self.path.clone());
        if let Some(gpu) = &self.gpu {
            let keys: Vec<u64> = wanted.iter().map(|id| *id as u64).collect();
            gpu.lock().unwrap_or_else(std::sync::PoisonError::into_inner).retire_all_but(&keys);
        }
        let output = if self.gpu.is_some() { Output::Planes } else { Output::Rgba };
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
                match Decoder::start(
                    &id.to_string(),
                    StreamSource { url, kind },
                    output,
                    px[0],
                    px[1],
                    self.notify.clone(),
                    self.clock.clone(),
                ) {
                    Ok(decoder) => {
                        slot.insert(Running { decoder, texture: None, uploaded: 0, last_resize: now });
                    }
                    Err(e) => {
                        wall.tiles.insert(
                            id,
                            TileView {
                                picture: None,
                                status: TileStatus::Lost { reason: e.to_string(), last_frame_at: None, retry_at: now },
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
            if now.saturating_duration_since(running.last_resize) >= RESIZE_EVERY {
                running.decoder.resize(px[0], px[1]);
                running.last_resize = now;
            }
            let mailbox = running.decoder.mailbox().clone();
            let frame = mailbox.frame();
            let gpu_picture = match (&self.gpu, &frame) {
                (Some(renderer), Some(frame)) if frame.planes().is_some() => {
                    Some(TilePicture::Gpu { renderer: renderer.clone(), key: id as u64, frame: frame.clone() })
                }
                _ => None,
            };
            if gpu_picture.is_none()
                && let Some(frame) = &frame
                && frame.seq != running.uploaded
                && let Some(rgba) = frame.rgba()
            {
                let image =
                    egui::ColorImage::from_rgba_unmultiplied([frame.width as usize, frame.height as usize], &rgba);
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
                    picture: gpu_picture.or_else(|| running.texture.as_ref().map(|t| TilePicture::Texture(t.id()))),
                    status: mailbox.status(),
                    stats: mailbox.stats(),
                    last_frame_at: frame.map(|f| f.received_at),
                    stream: kind,
                },
            );
        }
    }
}

/// What the wall runs besides its state: the decoders, and the frame kept when the discipline dialog
/// opened.
pub struct WallRuntime {
    pub runner: WallRunner,
    pub pending_frame: Option<Arc<crate::video::decoder::Frame>>,
}

impl crate::ui::context::AreaRuntime for WallRuntime {
    fn start(start: &crate::ui::context::RuntimeStart<'_>) -> Self {
        Self { runner: WallRunner::new(start.egui, start.gl.clone(), start.clock.clone()), pending_frame: None }
    }
}

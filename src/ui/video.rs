//! How a camera's picture gets on screen, for the wall and the footage player: a texture (the CPU
//! path) or a paint callback that uploads the decoder's planes and converts them in a shader (the GPU
//! path, `video::gl`); and digital zoom (wheel, drag, double-click resets, an overview of where you
//! are), which only chooses the rectangle of the picture that is drawn.

use std::sync::{Arc, Mutex};

use crate::video::decoder::Frame;
use crate::video::gl::{Draw, SourceRect, YuvRenderer};

/// The largest digital zoom.
pub const MAX_ZOOM: f32 = 8.0;

/// Which path the wall draws with, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoPath {
    /// YUV planes as textures, converted in a shader; the GL renderer's name.
    Gpu(String),
    /// RGBA scaled and converted in GStreamer; why the GPU path is not available.
    Cpu(String),
}

/// The GPU path's renderer, shared by every tile's paint callback (they run on the UI thread).
pub type SharedRenderer = Arc<Mutex<YuvRenderer>>;

/// What a tile draws.
#[derive(Clone)]
pub enum TilePicture {
    Texture(egui::TextureId),
    Gpu { renderer: SharedRenderer, key: u64, frame: Arc<Frame> },
}

impl std::fmt::Debug for TilePicture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TilePicture::Texture(id) => f.debug_tuple("Texture").field(id).finish(),
            TilePicture::Gpu { key, frame, .. } => {
                f.debug_struct("Gpu").field("key", key).field("seq", &frame.seq).finish_non_exhaustive()
            }
        }
    }
}

/// Draws `picture`'s `source` rectangle into `rect`, tinted.
pub fn paint(
    painter: &egui::Painter,
    rect: egui::Rect,
    picture: &TilePicture,
    source: SourceRect,
    tint: egui::Color32,
) {
    match picture {
        TilePicture::Texture(texture) => {
            let uv = egui::Rect::from_min_max(source.min.into(), source.max.into());
            painter.image(*texture, rect, uv, tint);
        }
        TilePicture::Gpu { renderer, key, frame } => {
            let (renderer, key, frame) = (renderer.clone(), *key, frame.clone());
            let tint = tint.to_normalized_gamma_f32();
            let callback = eframe::egui_glow::CallbackFn::new(move |_info, _painter| {
                let mut renderer = renderer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if renderer.upload(key, &frame) {
                    renderer.draw(key, Draw { source, tint });
                }
            });
            painter.add(egui::PaintCallback { rect, callback: Arc::new(callback) });
        }
    }
}

/// A digital zoom: how far in, and which point of the picture is in the middle (0–1 each way).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Zoom {
    pub scale: f32,
    pub center: [f32; 2],
}

impl Default for Zoom {
    fn default() -> Self {
        Zoom { scale: 1.0, center: [0.5, 0.5] }
    }
}

impl Zoom {
    pub fn is_zoomed(&self) -> bool {
        self.scale > 1.001
    }

    /// The rectangle of the picture that fills the view.
    pub fn source(&self) -> SourceRect {
        let half = 0.5 / self.scale;
        let [x, y] = self.center;
        SourceRect { min: [x - half, y - half], max: [x + half, y + half] }
    }

    /// Where a point of the view (0–1 each way) lies in the picture.
    pub fn to_picture(&self, view: [f32; 2]) -> [f32; 2] {
        let s = self.source();
        [s.min[0] + view[0] * (s.max[0] - s.min[0]), s.min[1] + view[1] * (s.max[1] - s.min[1])]
    }

    /// Zooms by `factor` keeping the picture point under `view` (0–1) where it is.
    pub fn zoom_about(&mut self, view: [f32; 2], factor: f32) {
        if !factor.is_finite() || factor <= 0.0 {
            return;
        }
        let fixed = self.to_picture(view);
        self.scale = (self.scale * factor).clamp(1.0, MAX_ZOOM);
        let half = 0.5 / self.scale;
        self.center = [fixed[0] - (view[0] - 0.5) * 2.0 * half, fixed[1] - (view[1] - 0.5) * 2.0 * half];
        self.clamp();
    }

    /// Moves the picture with the pointer: `delta` is the drag in view fractions.
    pub fn pan(&mut self, delta: [f32; 2]) {
        self.center[0] -= delta[0] / self.scale;
        self.center[1] -= delta[1] / self.scale;
        self.clamp();
    }

    /// Keeps the view inside the picture.
    fn clamp(&mut self) {
        let half = 0.5 / self.scale;
        for c in &mut self.center {
            *c = if c.is_finite() { c.clamp(half, 1.0 - half) } else { 0.5 };
        }
    }
}

/// Wheel (or pinch) zooms about the pointer, a drag pans a zoomed picture. Returns true when the zoom
/// changed. Double-click is left to the caller (it resets, or opens full screen when not zoomed).
pub fn zoom_input(ui: &egui::Ui, response: &egui::Response, rect: egui::Rect, zoom: &mut Zoom) -> bool {
    let before = *zoom;
    if response.hovered()
        && let Some(pointer) = ui.input(|i| i.pointer.hover_pos())
        && rect.contains(pointer)
    {
        let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        let factor = (scroll / 240.0).exp() * pinch;
        if (factor - 1.0).abs() > 1e-4 {
            let view = [(pointer.x - rect.left()) / rect.width(), (pointer.y - rect.top()) / rect.height()];
            zoom.zoom_about(view, factor);
        }
    }
    if zoom.is_zoomed() && response.dragged() {
        let delta = response.drag_delta();
        zoom.pan([delta.x / rect.width(), delta.y / rect.height()]);
    }
    *zoom != before
}

/// The small overview of a zoomed picture: the whole picture in a corner and a frame around what is
/// shown, with the zoom factor.
pub fn overview(
    painter: &egui::Painter,
    rect: egui::Rect,
    picture: &TilePicture,
    zoom: &Zoom,
    tokens: &crate::ui::theme::Tokens,
) {
    if !zoom.is_zoomed() {
        return;
    }
    let width = (rect.width() * 0.22).max(64.0);
    let size = egui::vec2(width, width * rect.height() / rect.width());
    let frame = egui::Rect::from_min_size(rect.right_bottom() - size - egui::vec2(8.0, 26.0), size);
    painter.rect_filled(frame.expand(2.0), 0.0, tokens.overlay_band);
    paint(painter, frame, picture, SourceRect::FULL, tokens.image_tint);
    let s = zoom.source();
    let shown = egui::Rect::from_min_max(
        frame.min + egui::vec2(s.min[0] * frame.width(), s.min[1] * frame.height()),
        frame.min + egui::vec2(s.max[0] * frame.width(), s.max[1] * frame.height()),
    );
    painter.rect_stroke(shown, 0.0, egui::Stroke::new(1.5, tokens.accent), egui::StrokeKind::Middle);
    painter.text(
        frame.left_top() + egui::vec2(3.0, 2.0),
        egui::Align2::LEFT_TOP,
        format!("{:.1}×", zoom.scale),
        egui::FontId::monospace(tokens.text_size.tile_button),
        tokens.overlay_text,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: [f32; 2], b: [f32; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-4 && (a[1] - b[1]).abs() < 1e-4
    }

    #[test]
    fn zooming_keeps_the_point_under_the_pointer_and_maps_the_expected_rectangle() {
        let mut zoom = Zoom::default();
        assert_eq!(zoom.source(), SourceRect::FULL);
        // 2× about the top-left quarter point: that point stays put, the view is the top-left quarter.
        zoom.zoom_about([0.25, 0.25], 2.0);
        assert!(near(zoom.to_picture([0.25, 0.25]), [0.25, 0.25]));
        let s = zoom.source();
        assert!(near(s.min, [0.125, 0.125]) && near(s.max, [0.625, 0.625]), "{s:?}");
        // 8× about the centre shows the middle eighth.
        let mut zoom = Zoom::default();
        zoom.zoom_about([0.5, 0.5], 8.0);
        let s = zoom.source();
        assert!(near(s.min, [0.4375, 0.4375]) && near(s.max, [0.5625, 0.5625]), "{s:?}");
    }

    #[test]
    fn zoom_is_bounded_and_the_view_stays_inside_the_picture() {
        let mut zoom = Zoom::default();
        zoom.zoom_about([1.0, 1.0], 100.0);
        assert_eq!(zoom.scale, MAX_ZOOM);
        let s = zoom.source();
        assert!(s.max[0] <= 1.0 + 1e-6 && s.max[1] <= 1.0 + 1e-6, "{s:?}");
        // Panning far past the edge stops at the edge.
        zoom.pan([-50.0, -50.0]);
        let s = zoom.source();
        assert!((s.max[0] - 1.0).abs() < 1e-6 && (s.max[1] - 1.0).abs() < 1e-6, "{s:?}");
        zoom.zoom_about([0.5, 0.5], 0.001);
        assert_eq!(zoom.scale, 1.0);
        assert_eq!(zoom.source(), SourceRect::FULL);
        zoom.zoom_about([0.5, 0.5], f32::NAN);
        assert_eq!(zoom.scale, 1.0);
    }
}

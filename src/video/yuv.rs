//! Decoded pictures as the decoder hands them out: Y, U and V planes (I420) or Y and interleaved UV
//! (NV12) at the stream's own size, with the colour matrix and range the stream's caps declare.
//!
//! The wall's GPU path uploads the planes as textures and converts in a shader (`gl.rs`); the same
//! arithmetic, written once here as [`Colour::transform`], converts on the CPU for snapshots, the
//! fallback path and the tests that check the shader against it.

use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;

/// The YCbCr → R'G'B' matrix of a stream (ITU-R BT.601 for SD, BT.709 for HD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Matrix {
    Bt601,
    Bt709,
}

impl Matrix {
    /// The luma weights (Kr, Kb).
    fn weights(self) -> (f32, f32) {
        match self {
            Matrix::Bt601 => (0.299, 0.114),
            Matrix::Bt709 => (0.2126, 0.0722),
        }
    }
}

/// How a stream's samples map to colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Colour {
    pub matrix: Matrix,
    /// Full range (0–255) rather than limited ("TV", Y 16–235, chroma 16–240).
    pub full_range: bool,
}

impl Default for Colour {
    /// What an H.264 stream without colour information most likely is.
    fn default() -> Self {
        Colour { matrix: Matrix::Bt601, full_range: false }
    }
}

/// `rgb = matrix · (sample − offset)`, samples normalised to 0–1; column-major for GL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    pub matrix: [f32; 9],
    pub offset: [f32; 3],
}

impl Colour {
    /// From a stream's caps; matrices other than BT.709 are treated as BT.601 (what SD cameras send).
    pub fn from_info(info: &gst_video::VideoInfo) -> Self {
        let colorimetry = info.colorimetry();
        Colour {
            matrix: if colorimetry.matrix() == gst_video::VideoColorMatrix::Bt709 {
                Matrix::Bt709
            } else {
                Matrix::Bt601
            },
            full_range: colorimetry.range() == gst_video::VideoColorRange::Range0_255,
        }
    }

    /// The conversion both the shader and [`Colour::to_rgb`] apply.
    pub fn transform(self) -> Transform {
        let (kr, kb) = self.matrix.weights();
        let kg = 1.0 - kr - kb;
        // Luma and chroma scale from the stored range to 0–1 and −½–½.
        let (y_scale, c_scale, y_offset) =
            if self.full_range { (1.0, 1.0, 0.0) } else { (255.0 / 219.0, 255.0 / 224.0, 16.0 / 255.0) };
        let cr_r = 2.0 * (1.0 - kr);
        let cb_b = 2.0 * (1.0 - kb);
        let cb_g = -2.0 * kb * (1.0 - kb) / kg;
        let cr_g = -2.0 * kr * (1.0 - kr) / kg;
        // Columns: the Y, Cb and Cr contributions to (R, G, B).
        Transform {
            matrix: [
                y_scale,
                y_scale,
                y_scale,
                0.0,
                cb_g * c_scale,
                cb_b * c_scale,
                cr_r * c_scale,
                cr_g * c_scale,
                0.0,
            ],
            offset: [y_offset, 128.0 / 255.0, 128.0 / 255.0],
        }
    }

    /// One sample to R'G'B' bytes.
    pub fn to_rgb(self, y: u8, u: u8, v: u8) -> [u8; 3] {
        apply(&self.transform(), y, u, v)
    }
}

fn apply(t: &Transform, y: u8, u: u8, v: u8) -> [u8; 3] {
    let s =
        [f32::from(y) / 255.0 - t.offset[0], f32::from(u) / 255.0 - t.offset[1], f32::from(v) / 255.0 - t.offset[2]];
    let m = &t.matrix;
    let channel = |row: usize| {
        let value = m[row] * s[0] + m[3 + row] * s[1] + m[6 + row] * s[2];
        (value.clamp(0.0, 1.0) * 255.0).round() as u8
    };
    [channel(0), channel(1), channel(2)]
}

/// How the chroma is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Three planes: Y, U, V (U and V at half width and height).
    I420,
    /// Two planes: Y, then U and V interleaved at half width and height.
    Nv12,
}

/// A decoded picture's planes, held without copying (the decoder's own buffer, mapped for reading).
pub struct Planes {
    frame: gst_video::VideoFrame<gst_video::video_frame::Readable>,
    pub layout: Layout,
    pub colour: Colour,
}

impl Planes {
    /// Wraps a decoded buffer; `None` for formats other than I420 and NV12.
    pub fn new(frame: gst_video::VideoFrame<gst_video::video_frame::Readable>, colour: Colour) -> Option<Self> {
        let layout = match frame.format() {
            gst_video::VideoFormat::I420 => Layout::I420,
            gst_video::VideoFormat::Nv12 => Layout::Nv12,
            _ => return None,
        };
        Some(Planes { frame, layout, colour })
    }

    pub fn width(&self) -> u32 {
        self.frame.width()
    }

    pub fn height(&self) -> u32 {
        self.frame.height()
    }

    /// Plane `index`'s bytes and row stride in bytes (rows may be padded).
    pub fn plane(&self, index: u32) -> Option<(&[u8], usize)> {
        let data = self.frame.plane_data(index).ok()?;
        let stride = usize::try_from(*self.frame.plane_stride().get(index as usize)?).ok()?;
        Some((data, stride))
    }

    /// Width and height of the chroma planes, in samples.
    pub fn chroma_size(&self) -> (u32, u32) {
        (self.width().div_ceil(2), self.height().div_ceil(2))
    }

    /// The picture as packed RGBA (snapshots, the CPU path), converted with the stream's own colours.
    pub fn to_rgba(&self) -> Option<Vec<u8>> {
        let (w, h) = (self.width() as usize, self.height() as usize);
        let t = self.colour.transform();
        let (y_plane, y_stride) = self.plane(0)?;
        let (u_plane, u_stride) = self.plane(1)?;
        let v = match self.layout {
            Layout::I420 => Some(self.plane(2)?),
            Layout::Nv12 => None,
        };
        let mut out = Vec::with_capacity(w * h * 4);
        for row in 0..h {
            for col in 0..w {
                let y = *y_plane.get(row * y_stride + col)?;
                let (u, v) = match v {
                    Some((v_plane, v_stride)) => {
                        (*u_plane.get(row / 2 * u_stride + col / 2)?, *v_plane.get(row / 2 * v_stride + col / 2)?)
                    }
                    None => {
                        let at = row / 2 * u_stride + col / 2 * 2;
                        (*u_plane.get(at)?, *u_plane.get(at + 1)?)
                    }
                };
                let [r, g, b] = apply(&t, y, u, v);
                out.extend_from_slice(&[r, g, b, 255]);
            }
        }
        Some(out)
    }
}

impl std::fmt::Debug for Planes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Planes")
            .field("layout", &self.layout)
            .field("colour", &self.colour)
            .field("size", &(self.width(), self.height()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [u8; 3], b: [u8; 3]) -> bool {
        a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 1)
    }

    #[test]
    fn limited_range_white_black_and_bars_convert_as_the_standards_say() {
        let bt601 = Colour { matrix: Matrix::Bt601, full_range: false };
        assert_eq!(bt601.to_rgb(235, 128, 128), [255, 255, 255]);
        assert_eq!(bt601.to_rgb(16, 128, 128), [0, 0, 0]);
        // Full red in BT.601 limited range: Y 81, Cb 90, Cr 240.
        assert!(close(bt601.to_rgb(81, 90, 240), [255, 0, 0]), "{:?}", bt601.to_rgb(81, 90, 240));
        // 75 % green in BT.709 limited range: Y 133, Cb 63, Cr 52.
        let bt709 = Colour { matrix: Matrix::Bt709, full_range: false };
        assert!(close(bt709.to_rgb(133, 63, 52), [0, 191, 0]), "{:?}", bt709.to_rgb(133, 63, 52));
        // The same samples read with the other matrix are visibly wrong: the matrix matters.
        assert!(!close(bt601.to_rgb(133, 63, 52), [0, 191, 0]));
    }

    #[test]
    fn full_range_uses_every_code_value() {
        let full = Colour { matrix: Matrix::Bt601, full_range: true };
        assert_eq!(full.to_rgb(255, 128, 128), [255, 255, 255]);
        assert_eq!(full.to_rgb(0, 128, 128), [0, 0, 0]);
        assert_eq!(full.to_rgb(128, 128, 128), [128, 128, 128]);
        let limited = Colour { matrix: Matrix::Bt601, full_range: false };
        assert_ne!(limited.to_rgb(128, 128, 128), [128, 128, 128]);
    }
}

//! The wall's GPU path on real streams: the simulator's colour bars, encoded with each matrix and range
//! (signalled in the stream), decoded to planes and drawn by the YUV shader in an offscreen GL context
//! (EGL, llvmpipe here), come out with the bars' RGB values; a zoomed source rectangle lands where it
//! should.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiancha::video::StreamKind;
use jiancha::video::decoder::{Decoder, Frame, Output, StreamSource};
use jiancha::video::gl::{Draw, Offscreen, SourceRect, YuvRenderer};
use jiancha::video::sim::{BARS_RGB, SimCamera, SimOptions, SimServer};
use jiancha::video::yuv::{Colour, Matrix};

/// Per channel, in code values: x264 at 500 kbps keeps flat bars well inside this.
const TOLERANCE: u8 = 8;

fn frame_of(colour: Colour) -> (SimServer, Arc<Frame>) {
    let cameras = [SimCamera { index: 1, label: "色条".into() }];
    let server = SimServer::start(0, &cameras, &SimOptions { bars: Some(colour), ..Default::default() }).unwrap();
    let source = StreamSource { url: server.url(1, true), kind: StreamKind::Sub };
    let decoder = Decoder::start(
        "bars",
        source,
        Output::Planes,
        640,
        360,
        Arc::new(|| {}),
        Arc::new(jiancha::clock::SystemClock),
    )
    .unwrap();
    let start = Instant::now();
    // A few frames in, past the first key frame's start-up.
    while decoder.mailbox().frame().is_none_or(|f| f.seq < 10) {
        assert!(start.elapsed() < Duration::from_secs(30), "no frames from the simulator");
        std::thread::sleep(Duration::from_millis(20));
    }
    let frame = decoder.mailbox().frame().unwrap();
    (server, frame)
}

fn pixel(rgba: &[u8], width: usize, x: usize, y: usize) -> [u8; 3] {
    let at = (y * width + x) * 4;
    [rgba[at], rgba[at + 1], rgba[at + 2]]
}

fn within(a: [u8; 3], b: [u8; 3], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tolerance)
}

/// The bars' colours read at the middle of each bar, drawn into a `w`×`h` view.
fn bars_at(rgba: &[u8], w: usize, h: usize, centres: &[f32]) -> Vec<[u8; 3]> {
    centres.iter().map(|c| pixel(rgba, w, (c * w as f32) as usize, h / 2)).collect()
}

fn bar_centres() -> Vec<f32> {
    (0..7).map(|k| (2 * k + 1) as f32 / 14.0).collect()
}

#[test]
fn the_shader_draws_the_colour_bars_at_each_matrix_and_range() {
    let gl = Offscreen::new(640, 360).expect("an offscreen GL context (EGL)");
    let mut renderer = YuvRenderer::new(gl.gl().clone()).expect("the YUV shader compiles");
    let all = [
        Colour { matrix: Matrix::Bt601, full_range: false },
        Colour { matrix: Matrix::Bt709, full_range: false },
        Colour { matrix: Matrix::Bt601, full_range: true },
        Colour { matrix: Matrix::Bt709, full_range: true },
    ];
    for (key, colour) in all.into_iter().enumerate() {
        let (_server, frame) = frame_of(colour);
        let planes = frame.planes().expect("the decoder hands out planes");
        assert_eq!((planes.width(), planes.height()), (640, 360), "the stream's own size, not scaled");
        assert_eq!(planes.colour, colour, "the matrix and range come from the stream's caps");

        gl.clear();
        assert!(renderer.upload(key as u64, &frame));
        assert!(renderer.draw(key as u64, Draw { source: SourceRect::FULL, tint: [1.0; 4] }));
        gl.finish();
        let drawn = bars_at(&gl.read_rgba(), 640, 360, &bar_centres());
        for (k, (got, want)) in drawn.iter().zip(BARS_RGB).enumerate() {
            assert!(within(*got, want, TOLERANCE), "{colour:?} bar {k}: shader drew {got:?}, the bar is {want:?}");
        }
        // The CPU conversion (snapshots, the fallback) agrees with the shader.
        let cpu = bars_at(&frame.rgba().unwrap(), 640, 360, &bar_centres());
        for (k, (gpu, cpu)) in drawn.iter().zip(&cpu).enumerate() {
            assert!(within(*gpu, *cpu, 3), "{colour:?} bar {k}: GPU {gpu:?} vs CPU {cpu:?}");
        }
        // The check can fail: read with the other matrix or the other range, some bar is off by more.
        let (y, u, v) = {
            let (y, ys) = planes.plane(0).unwrap();
            let (u, us) = planes.plane(1).unwrap();
            let (v, vs) = planes.plane(2).unwrap();
            let (x, row) = (640 * 7 / 14, 180);
            (y[row * ys + x], u[row / 2 * us + x / 2], v[row / 2 * vs + x / 2])
        };
        for wrong in [
            Colour { matrix: if colour.matrix == Matrix::Bt601 { Matrix::Bt709 } else { Matrix::Bt601 }, ..colour },
            Colour { full_range: !colour.full_range, ..colour },
        ] {
            // Bar 3 (green) shows both mistakes.
            assert!(!within(wrong.to_rgb(y, u, v), BARS_RGB[3], TOLERANCE), "{wrong:?} would pass too");
        }
    }
}

#[test]
fn a_zoomed_source_rectangle_fills_the_view() {
    let gl = Offscreen::new(640, 360).expect("an offscreen GL context (EGL)");
    let mut renderer = YuvRenderer::new(gl.gl().clone()).unwrap();
    let (_server, frame) = frame_of(Colour { matrix: Matrix::Bt709, full_range: false });
    assert!(renderer.upload(1, &frame));
    // The left half of the picture: bars 0–3 spread over the whole width, bar k's centre at (2k+1)/7.
    gl.clear();
    renderer.draw(1, Draw { source: SourceRect { min: [0.0, 0.0], max: [0.5, 1.0] }, tint: [1.0; 4] });
    gl.finish();
    let centres: Vec<f32> = (0..4).map(|k| (2 * k + 1) as f32 / 8.0).collect();
    let drawn = bars_at(&gl.read_rgba(), 640, 360, &centres);
    for (k, got) in drawn.iter().enumerate() {
        assert!(within(*got, BARS_RGB[k], TOLERANCE), "zoomed bar {k}: {got:?} vs {:?}", BARS_RGB[k]);
    }
    // The right eighth at 8× horizontally: only blue.
    gl.clear();
    renderer.draw(1, Draw { source: SourceRect { min: [0.875, 0.4375], max: [1.0, 0.5625] }, tint: [1.0; 4] });
    gl.finish();
    let rgba = gl.read_rgba();
    for x in [20, 320, 620] {
        assert!(within(pixel(&rgba, 640, x, 180), BARS_RGB[6], TOLERANCE), "x {x}: {:?}", pixel(&rgba, 640, x, 180));
    }
    // A viewport of a quarter of the framebuffer (a tile): the rest stays black.
    gl.clear();
    gl.viewport(0, 0, 320, 180);
    renderer.draw(1, Draw { source: SourceRect::FULL, tint: [1.0; 4] });
    gl.finish();
    let rgba = gl.read_rgba();
    assert!(within(pixel(&rgba, 640, 160 / 7, 90), BARS_RGB[0], TOLERANCE));
    assert_eq!(pixel(&rgba, 640, 480, 270), [0, 0, 0]);
}

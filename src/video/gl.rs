//! The GPU path: a decoded frame's planes become textures (only when a new frame arrived) and a shader
//! converts YUV to RGB with the stream's own matrix and range while it scales to the tile, inside the
//! console's paint pass (an egui paint callback on eframe's glow context). An offscreen context
//! ([`Offscreen`], EGL without a window) runs the same code for `jiancha bench wall` and the tests.
//!
//! This is the only module of the crate with `unsafe` code: every OpenGL and EGL call is `unsafe` in
//! glow and glutin. The calls are plain GL on objects this module created, with sizes checked against
//! the slices handed over; the structure test keeps `unsafe` out of every other file.
#![allow(unsafe_code, reason = "OpenGL through glow and EGL through glutin: every call is unsafe")]

use std::collections::HashMap;
use std::sync::Arc;

use glow::HasContext as _;

use super::decoder::Frame;
use super::yuv::{Colour, Layout, Planes};

/// The shading language versions the shader is written for (GL 3.1+ or GLES 3.0+).
fn version_line(gl: &glow::Context) -> Option<&'static str> {
    // SAFETY: a parameter query on a current context.
    let text = unsafe { gl.get_parameter_string(glow::SHADING_LANGUAGE_VERSION) };
    let es = text.contains(" ES ");
    let digits: String = text.chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| *c != ' ').collect();
    let mut parts = digits.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next().and_then(|m| m.get(..2).or(Some(m))).and_then(|m| m.parse().ok()).unwrap_or(0);
    match (es, major, minor) {
        (true, 3.., _) => Some("#version 300 es\nprecision mediump float;\n"),
        (false, 1, 40..) | (false, 2.., _) => Some("#version 140\n"),
        _ => None,
    }
}

const VERTEX: &str = r#"
uniform vec4 u_source;
out vec2 v_uv;
void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    v_uv = mix(u_source.xy, u_source.zw, corner);
    gl_Position = vec4(corner.x * 2.0 - 1.0, 1.0 - corner.y * 2.0, 0.0, 1.0);
}
"#;

const FRAGMENT: &str = r#"
uniform sampler2D u_y;
uniform sampler2D u_u;
uniform sampler2D u_v;
uniform int u_nv12;
uniform mat3 u_matrix;
uniform vec3 u_offset;
uniform vec4 u_tint;
in vec2 v_uv;
out vec4 o_colour;
void main() {
    float y = texture(u_y, v_uv).r;
    vec2 chroma = u_nv12 == 1 ? texture(u_u, v_uv).rg : vec2(texture(u_u, v_uv).r, texture(u_v, v_uv).r);
    vec3 rgb = clamp(u_matrix * (vec3(y, chroma) - u_offset), 0.0, 1.0);
    o_colour = vec4(rgb, 1.0) * u_tint;
}
"#;

/// A rectangle of the picture in texture coordinates (0–1, top left first).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceRect {
    pub min: [f32; 2],
    pub max: [f32; 2],
}

impl SourceRect {
    pub const FULL: SourceRect = SourceRect { min: [0.0, 0.0], max: [1.0, 1.0] };
}

struct Textures {
    planes: Vec<glow::Texture>,
    layout: Layout,
    size: (u32, u32),
    colour: Colour,
    seq: u64,
}

/// What one paint of a tile needs besides its frame.
#[derive(Debug, Clone, Copy)]
pub struct Draw {
    pub source: SourceRect,
    /// Multiplies the colour (premultiplied RGBA, 0–1): dims a tile whose signal is lost.
    pub tint: [f32; 4],
}

/// The shader and each tile's textures, on one GL context. Use it only on the thread where that
/// context is current (the UI thread's paint pass, or the offscreen context's thread).
pub struct YuvRenderer {
    gl: Arc<glow::Context>,
    program: glow::Program,
    vertex_array: glow::VertexArray,
    uniforms: Uniforms,
    tiles: HashMap<u64, Textures>,
    /// Tiles to keep at the next upload; the others' textures are deleted then (inside the paint
    /// pass, where the context is current).
    keep: Option<Vec<u64>>,
    /// Bytes uploaded since the renderer was made (planes only, for the benchmark).
    pub uploaded_bytes: u64,
    pub uploads: u64,
}

struct Uniforms {
    source: Option<glow::UniformLocation>,
    y: Option<glow::UniformLocation>,
    u: Option<glow::UniformLocation>,
    v: Option<glow::UniformLocation>,
    nv12: Option<glow::UniformLocation>,
    matrix: Option<glow::UniformLocation>,
    offset: Option<glow::UniformLocation>,
    tint: Option<glow::UniformLocation>,
}

impl std::fmt::Debug for YuvRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YuvRenderer").field("tiles", &self.tiles.len()).finish_non_exhaustive()
    }
}

/// The GL version string of a context, for the status bar and the benchmark.
pub fn describe(gl: &glow::Context) -> String {
    // SAFETY: parameter queries on a current context.
    unsafe { format!("{} · {}", gl.get_parameter_string(glow::RENDERER), gl.get_parameter_string(glow::VERSION)) }
}

impl YuvRenderer {
    /// Compiles the shader; an error means this context cannot take the GPU path (no GL 3).
    pub fn new(gl: Arc<glow::Context>) -> Result<Self, String> {
        let version =
            version_line(&gl).ok_or_else(|| format!("OpenGL 3 is needed for the GPU path ({})", describe(&gl)))?;
        // SAFETY: object creation and queries on the current context; every object is owned by `Self`
        // and deleted in `Drop` (or with the context).
        unsafe {
            let program = gl.create_program()?;
            let mut shaders = Vec::new();
            for (kind, source) in [(glow::VERTEX_SHADER, VERTEX), (glow::FRAGMENT_SHADER, FRAGMENT)] {
                let shader = gl.create_shader(kind)?;
                gl.shader_source(shader, &format!("{version}{source}"));
                gl.compile_shader(shader);
                if !gl.get_shader_compile_status(shader) {
                    let log = gl.get_shader_info_log(shader);
                    gl.delete_shader(shader);
                    gl.delete_program(program);
                    return Err(format!("the YUV shader does not compile: {log}"));
                }
                gl.attach_shader(program, shader);
                shaders.push(shader);
            }
            gl.link_program(program);
            for shader in shaders {
                gl.detach_shader(program, shader);
                gl.delete_shader(shader);
            }
            if !gl.get_program_link_status(program) {
                let log = gl.get_program_info_log(program);
                gl.delete_program(program);
                return Err(format!("the YUV shader does not link: {log}"));
            }
            let at = |name: &str| gl.get_uniform_location(program, name);
            let uniforms = Uniforms {
                source: at("u_source"),
                y: at("u_y"),
                u: at("u_u"),
                v: at("u_v"),
                nv12: at("u_nv12"),
                matrix: at("u_matrix"),
                offset: at("u_offset"),
                tint: at("u_tint"),
            };
            let vertex_array = gl.create_vertex_array()?;
            Ok(Self {
                gl,
                program,
                vertex_array,
                uniforms,
                tiles: HashMap::new(),
                keep: None,
                uploaded_bytes: 0,
                uploads: 0,
            })
        }
    }

    pub fn gl(&self) -> &Arc<glow::Context> {
        &self.gl
    }

    /// Uploads `frame` as tile `key`'s textures unless that frame is already there. Returns whether
    /// it uploaded; `false` too for a frame without planes.
    pub fn upload(&mut self, key: u64, frame: &Frame) -> bool {
        if let Some(keep) = self.keep.take() {
            self.retain(&keep);
        }
        let Some(planes) = frame.planes() else { return false };
        if self.tiles.get(&key).is_some_and(|t| t.seq == frame.seq) {
            return true;
        }
        let size = (planes.width(), planes.height());
        let fits = self.tiles.get(&key).is_some_and(|t| t.size == size && t.layout == planes.layout);
        if !fits {
            self.forget(key);
            match self.allocate(planes) {
                Ok(textures) => {
                    self.tiles.insert(key, textures);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot allocate the tile's textures");
                    return false;
                }
            }
        }
        let Some(textures) = self.tiles.get_mut(&key) else { return false };
        let bytes = write_planes(&self.gl, textures, planes);
        textures.seq = frame.seq;
        textures.colour = planes.colour;
        self.uploaded_bytes += bytes;
        self.uploads += 1;
        true
    }

    fn allocate(&self, planes: &Planes) -> Result<Textures, String> {
        let (w, h) = (planes.width() as i32, planes.height() as i32);
        let (cw, ch) = planes.chroma_size();
        let specs: Vec<(i32, i32, u32, u32)> = match planes.layout {
            Layout::I420 => vec![
                (w, h, glow::R8, glow::RED),
                (cw as i32, ch as i32, glow::R8, glow::RED),
                (cw as i32, ch as i32, glow::R8, glow::RED),
            ],
            Layout::Nv12 => vec![(w, h, glow::R8, glow::RED), (cw as i32, ch as i32, glow::RG8, glow::RG)],
        };
        let gl = &self.gl;
        let mut created = Vec::new();
        // SAFETY: texture creation on the current context, storage with no data.
        unsafe {
            for (width, height, internal, format) in specs {
                let texture = gl.create_texture()?;
                gl.bind_texture(glow::TEXTURE_2D, Some(texture));
                for (name, value) in [
                    (glow::TEXTURE_MIN_FILTER, glow::LINEAR),
                    (glow::TEXTURE_MAG_FILTER, glow::LINEAR),
                    (glow::TEXTURE_WRAP_S, glow::CLAMP_TO_EDGE),
                    (glow::TEXTURE_WRAP_T, glow::CLAMP_TO_EDGE),
                ] {
                    gl.tex_parameter_i32(glow::TEXTURE_2D, name, value as i32);
                }
                gl.tex_image_2d(
                    glow::TEXTURE_2D,
                    0,
                    internal as i32,
                    width,
                    height,
                    0,
                    format,
                    glow::UNSIGNED_BYTE,
                    glow::PixelUnpackData::Slice(None),
                );
                created.push(texture);
            }
            gl.bind_texture(glow::TEXTURE_2D, None);
        }
        Ok(Textures {
            planes: created,
            layout: planes.layout,
            size: (planes.width(), planes.height()),
            colour: planes.colour,
            seq: 0,
        })
    }

    /// Draws tile `key` into the current viewport. Returns false when it has no textures yet.
    pub fn draw(&self, key: u64, draw: Draw) -> bool {
        let Some(textures) = self.tiles.get(&key) else { return false };
        let gl = &self.gl;
        let transform = textures.colour.transform();
        // SAFETY: binds this renderer's own program, vertex array and textures; restores the texture
        // unit and blend state egui expects after the callback.
        unsafe {
            gl.use_program(Some(self.program));
            gl.bind_vertex_array(Some(self.vertex_array));
            gl.disable(glow::BLEND);
            for (unit, texture) in textures.planes.iter().enumerate() {
                gl.active_texture(glow::TEXTURE0 + unit as u32);
                gl.bind_texture(glow::TEXTURE_2D, Some(*texture));
            }
            gl.uniform_1_i32(self.uniforms.y.as_ref(), 0);
            gl.uniform_1_i32(self.uniforms.u.as_ref(), 1);
            gl.uniform_1_i32(self.uniforms.v.as_ref(), 2);
            gl.uniform_1_i32(self.uniforms.nv12.as_ref(), i32::from(textures.layout == Layout::Nv12));
            gl.uniform_matrix_3_f32_slice(self.uniforms.matrix.as_ref(), false, &transform.matrix);
            let [a, b, c] = transform.offset;
            gl.uniform_3_f32(self.uniforms.offset.as_ref(), a, b, c);
            let s = draw.source;
            gl.uniform_4_f32(self.uniforms.source.as_ref(), s.min[0], s.min[1], s.max[0], s.max[1]);
            let [r, g, b, alpha] = draw.tint;
            gl.uniform_4_f32(self.uniforms.tint.as_ref(), r, g, b, alpha);
            gl.draw_arrays(glow::TRIANGLE_STRIP, 0, 4);
            for unit in (0..textures.planes.len()).rev() {
                gl.active_texture(glow::TEXTURE0 + unit as u32);
                gl.bind_texture(glow::TEXTURE_2D, None);
            }
            gl.bind_vertex_array(None);
            gl.use_program(None);
            gl.enable(glow::BLEND);
        }
        true
    }

    /// Deletes the textures of a tile that is no longer shown.
    pub fn forget(&mut self, key: u64) {
        if let Some(textures) = self.tiles.remove(&key) {
            for texture in textures.planes {
                // SAFETY: a texture this renderer created.
                unsafe { self.gl.delete_texture(texture) };
            }
        }
    }

    /// Asks for every tile but `keys` to be deleted at the next upload (callable outside the paint
    /// pass: it makes no GL call).
    pub fn retire_all_but(&mut self, keys: &[u64]) {
        self.keep = Some(keys.to_vec());
    }

    /// Keeps only the tiles in `keys`.
    pub fn retain(&mut self, keys: &[u64]) {
        let gone: Vec<u64> = self.tiles.keys().filter(|k| !keys.contains(k)).copied().collect();
        for key in gone {
            self.forget(key);
        }
    }

    pub fn tiles(&self) -> usize {
        self.tiles.len()
    }
}

impl Drop for YuvRenderer {
    fn drop(&mut self) {
        let keys: Vec<u64> = self.tiles.keys().copied().collect();
        for key in keys {
            self.forget(key);
        }
        // SAFETY: objects this renderer created.
        unsafe {
            self.gl.delete_program(self.program);
            self.gl.delete_vertex_array(self.vertex_array);
        }
    }
}

/// Writes the planes into their textures; returns the bytes handed to GL.
fn write_planes(gl: &glow::Context, textures: &Textures, planes: &Planes) -> u64 {
    let (w, h) = (planes.width() as usize, planes.height() as usize);
    let (cw, ch) = planes.chroma_size();
    let (cw, ch) = (cw as usize, ch as usize);
    let specs: Vec<(u32, usize, usize, u32, usize)> = match planes.layout {
        Layout::I420 => vec![(0, w, h, glow::RED, 1), (1, cw, ch, glow::RED, 1), (2, cw, ch, glow::RED, 1)],
        Layout::Nv12 => vec![(0, w, h, glow::RED, 1), (1, cw, ch, glow::RG, 2)],
    };
    let mut bytes = 0;
    for ((index, width, height, format, per_sample), texture) in specs.into_iter().zip(&textures.planes) {
        let Some((data, stride)) = planes.plane(index) else { continue };
        // The rows GL reads must lie inside the slice: stride × (height − 1) + the last row.
        let needed = stride * (height.saturating_sub(1)) + width * per_sample;
        if stride < width * per_sample || data.len() < needed || stride % per_sample != 0 {
            tracing::warn!(plane = index, "a plane is smaller than its size says; frame skipped");
            continue;
        }
        // SAFETY: the slice holds every row GL reads (checked above); the unpack state is restored.
        unsafe {
            gl.bind_texture(glow::TEXTURE_2D, Some(*texture));
            gl.pixel_store_i32(glow::UNPACK_ALIGNMENT, 1);
            gl.pixel_store_i32(glow::UNPACK_ROW_LENGTH, (stride / per_sample) as i32);
            gl.tex_sub_image_2d(
                glow::TEXTURE_2D,
                0,
                0,
                0,
                width as i32,
                height as i32,
                format,
                glow::UNSIGNED_BYTE,
                glow::PixelUnpackData::Slice(Some(&data[..needed])),
            );
            gl.pixel_store_i32(glow::UNPACK_ROW_LENGTH, 0);
            gl.bind_texture(glow::TEXTURE_2D, None);
        }
        bytes += needed as u64;
    }
    bytes
}

/// A GL context without a window (EGL on the machine's first device, llvmpipe when there is no GPU),
/// drawing into a framebuffer of its own: the benchmark and the shader tests.
pub struct Offscreen {
    gl: Arc<glow::Context>,
    framebuffer: glow::Framebuffer,
    renderbuffer: glow::Renderbuffer,
    size: (u32, u32),
    _context: glutin::api::egl::context::PossiblyCurrentContext,
    _display: glutin::api::egl::display::Display,
}

impl std::fmt::Debug for Offscreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Offscreen").field("size", &self.size).finish_non_exhaustive()
    }
}

impl Offscreen {
    /// Makes a GL 3.3 core context current on this thread with a `width`×`height` RGBA framebuffer.
    pub fn new(width: u32, height: u32) -> Result<Self, String> {
        use glutin::config::{ConfigSurfaceTypes, ConfigTemplateBuilder};
        use glutin::context::{ContextApi, ContextAttributesBuilder, Version};
        use glutin::display::GlDisplay as _;

        let device = glutin::api::egl::device::Device::query_devices()
            .map_err(|e| format!("EGL: no device ({e}); install libegl1 and libgl1-mesa-dri"))?
            .next()
            .ok_or("EGL: no device; install libegl1 and libgl1-mesa-dri")?;
        // SAFETY: a display on a device EGL itself listed; no native window is involved.
        let display = unsafe { glutin::api::egl::display::Display::with_device(&device, None) }
            .map_err(|e| format!("EGL display: {e}"))?;
        let template = ConfigTemplateBuilder::new().with_surface_type(ConfigSurfaceTypes::empty()).build();
        // SAFETY: queries on the display made above.
        let config = unsafe { display.find_configs(template) }
            .map_err(|e| format!("EGL configs: {e}"))?
            .next()
            .ok_or("EGL: no configuration without a surface")?;
        let attributes =
            ContextAttributesBuilder::new().with_context_api(ContextApi::OpenGl(Some(Version::new(3, 3)))).build(None);
        // SAFETY: a context for a configuration of this display, shared with nothing.
        let context = unsafe { display.create_context(&config, &attributes) }
            .map_err(|e| format!("EGL context: {e}"))?
            .make_current_surfaceless()
            .map_err(|e| format!("EGL make current: {e}"))?;
        // SAFETY: the loader resolves names on the display whose context is current.
        let gl = unsafe { glow::Context::from_loader_function_cstr(|name| display.get_proc_address(name)) };
        // SAFETY: framebuffer objects on the context just made current.
        let (framebuffer, renderbuffer) = unsafe {
            let framebuffer = gl.create_framebuffer()?;
            let renderbuffer = gl.create_renderbuffer()?;
            gl.bind_renderbuffer(glow::RENDERBUFFER, Some(renderbuffer));
            gl.renderbuffer_storage(glow::RENDERBUFFER, glow::RGBA8, width as i32, height as i32);
            gl.bind_framebuffer(glow::FRAMEBUFFER, Some(framebuffer));
            gl.framebuffer_renderbuffer(
                glow::FRAMEBUFFER,
                glow::COLOR_ATTACHMENT0,
                glow::RENDERBUFFER,
                Some(renderbuffer),
            );
            if gl.check_framebuffer_status(glow::FRAMEBUFFER) != glow::FRAMEBUFFER_COMPLETE {
                return Err("the offscreen framebuffer is incomplete".into());
            }
            gl.viewport(0, 0, width as i32, height as i32);
            (framebuffer, renderbuffer)
        };
        Ok(Self {
            gl: Arc::new(gl),
            framebuffer,
            renderbuffer,
            size: (width, height),
            _context: context,
            _display: display,
        })
    }

    pub fn gl(&self) -> &Arc<glow::Context> {
        &self.gl
    }

    /// Sets the viewport to a rectangle of the framebuffer (pixels, top left first).
    pub fn viewport(&self, x: u32, y: u32, width: u32, height: u32) {
        let from_bottom = self.size.1.saturating_sub(y + height);
        // SAFETY: a state change on the current context.
        unsafe { self.gl.viewport(x as i32, from_bottom as i32, width as i32, height as i32) };
    }

    pub fn clear(&self) {
        // SAFETY: state changes on the current context.
        unsafe {
            self.gl.clear_color(0.0, 0.0, 0.0, 1.0);
            self.gl.clear(glow::COLOR_BUFFER_BIT);
        }
    }

    /// Waits for every command to finish (so that the CPU cost of software GL is counted).
    pub fn finish(&self) {
        // SAFETY: a synchronisation call on the current context.
        unsafe { self.gl.finish() };
    }

    /// The framebuffer as packed RGBA rows, top row first.
    pub fn read_rgba(&self) -> Vec<u8> {
        let (w, h) = (self.size.0 as usize, self.size.1 as usize);
        let mut pixels = vec![0_u8; w * h * 4];
        // SAFETY: the slice holds exactly width × height RGBA pixels with alignment 1.
        unsafe {
            self.gl.pixel_store_i32(glow::PACK_ALIGNMENT, 1);
            self.gl.read_pixels(
                0,
                0,
                w as i32,
                h as i32,
                glow::RGBA,
                glow::UNSIGNED_BYTE,
                glow::PixelPackData::Slice(Some(&mut pixels)),
            );
        }
        // GL's rows run bottom to top.
        let mut flipped = Vec::with_capacity(pixels.len());
        for row in pixels.chunks_exact(w * 4).rev() {
            flipped.extend_from_slice(row);
        }
        flipped
    }
}

impl Drop for Offscreen {
    fn drop(&mut self) {
        // SAFETY: objects this context owns.
        unsafe {
            self.gl.delete_framebuffer(self.framebuffer);
            self.gl.delete_renderbuffer(self.renderbuffer);
        }
    }
}

//! Pictures the console draws from PNG bytes: the application icon (`assets/icons/`) as the window icon
//! and beside the title, and pages rendered for preview.

/// The application icon, 256 px (rendered from `assets/icons/jiancha.svg`).
pub const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/jiancha-256.png");

/// A PNG's pixels as unmultiplied RGBA bytes, with its width and height.
pub fn decode_png(bytes: &[u8]) -> Result<([usize; 2], Vec<u8>), String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let (w, h) = (info.width as usize, info.height as usize);
    let data = &buf[..info.buffer_size()];
    // Pixel data, not colours of the theme: every layout the decoder can give, as RGBA bytes.
    let rgba: Vec<u8> = match info.color_type {
        png::ColorType::Rgba => data.to_vec(),
        png::ColorType::Rgb => data.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        png::ColorType::Grayscale => data.iter().flat_map(|g| [*g, *g, *g, 255]).collect(),
        png::ColorType::GrayscaleAlpha => data.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        png::ColorType::Indexed => return Err("unexpected indexed PNG after expansion".into()),
    };
    if rgba.len() != w * h * 4 {
        return Err(format!("the PNG's pixels do not fill {w}×{h}"));
    }
    Ok(([w, h], rgba))
}

/// The window icon (none should the built-in PNG not decode, which a unit test rules out).
pub fn window_icon() -> Option<egui::IconData> {
    let ([w, h], rgba) = decode_png(ICON_PNG).ok()?;
    Some(egui::IconData { rgba, width: w as u32, height: h as u32 })
}

/// The icon as an image `size` points high, its texture made once per context.
pub fn icon(ui: &mut egui::Ui, size: f32) {
    let id = egui::Id::unique("jiancha-app-icon");
    let texture = ui.ctx().data_mut(|d| d.get_temp::<egui::TextureHandle>(id)).or_else(|| {
        let (size, rgba) = decode_png(ICON_PNG).ok()?;
        let image = egui::ColorImage::from_rgba_unmultiplied(size, &rgba);
        let handle = ui.ctx().load_texture("jiancha-app-icon", image, egui::TextureOptions::LINEAR);
        ui.ctx().data_mut(|d| d.insert_temp(id, handle.clone()));
        Some(handle)
    });
    if let Some(texture) = texture {
        ui.add(egui::Image::new(&texture).fit_to_exact_size(egui::vec2(size, size)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_icon_decodes_to_256_square_pixels() {
        let icon = window_icon().expect("the icon decodes");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        // Transparent corners (the rounded square), an opaque middle.
        assert_eq!(icon.rgba[3], 0, "top-left corner is transparent");
        let middle = (128 * 256 + 128) * 4;
        assert_eq!(icon.rgba[middle + 3], 255, "the middle is opaque");
    }

    #[test]
    fn a_broken_png_is_an_error_not_a_panic() {
        assert!(decode_png(b"not a png").is_err());
        assert!(decode_png(&ICON_PNG[..ICON_PNG.len() / 2]).is_err());
    }
}

//! Installing the CJK font into egui. egui's built-in fonts have no Chinese glyphs; without a CJK font
//! on the system the console shows a screen naming the package to install (see `crate::fonts`).

use std::sync::Arc;

pub use crate::fonts::{CjkFont, FONT_PACKAGE, find_cjk_font};

/// Installs the font as the first choice for proportional and monospace text (its Latin glyphs are
/// good, and one face keeps mixed Chinese and English lines even), with egui's fonts as fallback.
pub fn install(ctx: &egui::Context, font: &CjkFont) {
    let mut fonts = egui::FontDefinitions::default();
    let blob: egui::epaint::text::Blob = font.data.clone();
    fonts.font_data.insert("cjk".to_owned(), Arc::new(egui::FontData::from_blob(blob, font.index)));
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let monospace = family == egui::FontFamily::Monospace;
        let list = fonts.families.entry(family).or_default();
        // Monospace keeps its Latin face first so that numbers line up; CJK follows as fallback.
        let position = usize::from(monospace).min(list.len());
        list.insert(position, "cjk".to_owned());
    }
    ctx.set_fonts(fonts);
}

//! Finding a CJK font on the system and installing it into egui.
//!
//! egui's built-in fonts have no Chinese glyphs. We look for Noto Sans CJK (Debian/Ubuntu package
//! `fonts-noto-cjk`) or another common Simplified Chinese face; without one the console shows a screen
//! naming the package to install.

use std::sync::Arc;

/// Families tried in order.
const CJK_FAMILIES: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "PingFang SC",
];

/// The package that provides the font on Debian, Ubuntu, Kylin and UOS.
pub const FONT_PACKAGE: &str = "fonts-noto-cjk";

/// A loaded font face.
#[derive(Clone)]
pub struct CjkFont {
    pub family: String,
    pub data: Arc<Vec<u8>>,
    pub index: u32,
}

impl std::fmt::Debug for CjkFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CjkFont").field("family", &self.family).field("index", &self.index).finish()
    }
}

/// Looks for a CJK font among the system fonts.
pub fn find_cjk_font() -> Option<CjkFont> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    for family in CJK_FAMILIES {
        let query = fontdb::Query {
            families: &[fontdb::Family::Name(family)],
            weight: fontdb::Weight::NORMAL,
            ..fontdb::Query::default()
        };
        let Some(id) = db.query(&query) else { continue };
        if let Some((data, index)) = db.with_face_data(id, |data, index| (data.to_vec(), index)) {
            return Some(CjkFont { family: (*family).to_owned(), data: Arc::new(data), index });
        }
    }
    None
}

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

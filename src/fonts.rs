//! Finding a Simplified Chinese font on the system, for the console and for PDFs.
//!
//! We look for Noto Sans CJK (Debian/Ubuntu package `fonts-noto-cjk`) or another common Simplified
//! Chinese face; `.ttc` collections are fine (the face index is kept).

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

/// Looks for a CJK font among the system fonts (reads font files: not for the UI thread once running).
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

/// The CJK font, found once per process.
pub fn cjk_font() -> Option<CjkFont> {
    static FONT: std::sync::OnceLock<Option<CjkFont>> = std::sync::OnceLock::new();
    FONT.get_or_init(find_cjk_font).clone()
}

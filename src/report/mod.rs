//! Documents Jiancha produces: the daily check report (CSV); A4 PDFs with an embedded CJK font
//! (`pdf.rs`: the attendance ranking and interview notices so far); printing through CUPS (`print.rs`).
//!
//! Rules: report text is built from store data by pure functions; files are written atomically
//! (temporary name, then rename) under the data directory's `reports/`.

pub mod assessment;
pub mod attendance;
pub mod daily;
pub mod documents;
pub mod pdf;
pub mod print;

use std::path::Path;

use crate::files::write_atomically;

/// Renders a sheet with the system's CJK font and writes it atomically; returns the SHA-256.
pub fn write_pdf(path: &Path, sheet: &pdf::Sheet) -> Result<String, String> {
    let font = crate::fonts::cjk_font()
        .ok_or_else(|| format!("no Chinese font for the PDF; install {}", crate::fonts::FONT_PACKAGE))?;
    let bytes = sheet.render(&font)?;
    write_atomically(path, &bytes).map_err(|e| format!("{}: {e}", path.display()))
}

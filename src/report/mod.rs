//! Documents Jiancha produces: the daily check report (CSV); PDFs (reminder slips, notices, rankings)
//! come with the reports work.
//!
//! Rules: report text is built from store data by pure functions; files are written atomically
//! (temporary name, then rename) under the data directory's `reports/`.

pub mod daily;

use std::path::Path;

use sha2::{Digest as _, Sha256};

/// Writes `bytes` to `path` atomically and returns their SHA-256 (hex).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temp = path.with_extension("partial");
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path)?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

//! Small file helpers every layer may use: atomic writes and file hashes. No knowledge of Jiancha's
//! data; they sit below everything else so that no layer has to reach up for them.

use std::path::Path;

use sha2::{Digest as _, Sha256};

/// Writes `bytes` to `path` atomically (a temporary name beside it, then a rename) and returns their
/// SHA-256 (hex). The parent directories are created.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temp = path.with_extension("partial");
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path)?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

/// The SHA-256 (hex) of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The SHA-256 (hex) of a file, read in 1 MiB pieces.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(hash.finalize()));
        }
        hash.update(&buf[..n]);
    }
}

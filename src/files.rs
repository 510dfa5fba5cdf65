//! Small file helpers every layer may use: atomic writes and file hashes. No knowledge of Jiancha's
//! data; they sit below everything else so that no layer has to reach up for them.

use std::path::Path;

use sha2::{Digest as _, Sha256};

/// Writes `bytes` to `path` atomically (a temporary name beside it, then a rename) and returns their
/// SHA-256 (hex). The parent directories are created.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<String> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        private_dirs(dir)?;
    }
    let temp = path.with_extension("partial");
    let mut file = private_file(&temp, true)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temp, path)?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

/// Creates `dir` and its missing parents readable by their owner only (0700); existing ones are left.
pub fn private_dirs(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Opens `path` for writing, readable by its owner only (0600): created so, or (`truncate`) emptied
/// and made so.
pub fn private_file(path: &Path, truncate: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new().write(true).create(true).truncate(truncate).mode(0o600).open(path)?;
    make_private(path)?;
    Ok(file)
}

/// Takes the group's and others' access away from a file or directory this process owns (a file
/// made before this rule, or by another program); one it does not own is left as it is.
pub fn make_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let meta = std::fs::metadata(path)?;
    let mode = meta.permissions().mode();
    if mode & 0o077 == 0 || meta.uid() != rustix::process::geteuid().as_raw() {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))
}

/// From now on, whatever this process creates (footage, reports, the database's journal) is its
/// owner's only: the umask 077. The binary sets it first thing.
pub fn private_by_default() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
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

//! Camera passwords at rest: sealed with ChaCha20-Poly1305 under a key that lives in a file of its own
//! beside the database (`camera.key`, mode 0600), never in the database, so that a copied database
//! file alone gives no camera away. A backup needs both files.
//!
//! A sealed password is `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`.

use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rand::RngCore as _;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use crate::store::StoreError;

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "camera.key";

/// The audit key's file: the keyed audit chain's MACs are made with it (never in the database; a
/// backup is restored beside it).
pub const AUDIT_KEY_FILE: &str = "audit.key";

/// Bound into every seal, so that a sealed value means nothing to any other use of the key.
const PURPOSE: &[u8] = b"jiancha camera password v1";

/// The camera-password key of one store: read from its file when first needed, made on the first seal.
pub(crate) struct CameraKey {
    /// `None`: an in-memory store, whose key lives and dies with it.
    path: Option<PathBuf>,
    key: Mutex<Option<[u8; 32]>>,
}

impl CameraKey {
    /// The key kept beside the database at `db_path` (`None`: in memory).
    pub fn beside(db_path: Option<&Path>) -> Self {
        Self::beside_named(db_path, KEY_FILE)
    }

    /// The key file `name` beside the database at `db_path` (`None`: in memory).
    pub fn beside_named(db_path: Option<&Path>, name: &str) -> Self {
        let path = db_path.map(|p| p.parent().unwrap_or(Path::new(".")).join(name));
        CameraKey { path, key: Mutex::new(None) }
    }

    /// The key's bytes (made, with its file, when `create` and there is none yet).
    pub fn bytes(&self, create: bool) -> Result<[u8; 32], StoreError> {
        self.key(create)
    }

    fn key(&self, create: bool) -> Result<[u8; 32], StoreError> {
        let mut cached = self.key.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(k) = *cached {
            return Ok(k);
        }
        let key = match &self.path {
            None => random_key(),
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => parse_key(path, &text)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => make_key_file(path)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let what = if path.ends_with(AUDIT_KEY_FILE) {
                        "the audit chain cannot be checked without it"
                    } else {
                        "or set the camera passwords again"
                    };
                    return Err(StoreError::Backend(format!(
                        "the key {} is missing: restore it from the backup that holds the database; {what}",
                        path.display()
                    )));
                }
                Err(e) => return Err(StoreError::Backend(format!("cannot read {}: {e}", path.display()))),
            },
        };
        *cached = Some(key);
        Ok(key)
    }

    /// Seals `password` (making the key file if there is none yet).
    pub fn seal(&self, password: &str) -> Result<Vec<u8>, StoreError> {
        let key = aead_key(&self.key(true)?)?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut sealed = password.as_bytes().to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(PURPOSE), &mut sealed)
            .map_err(|_| StoreError::Backend("cannot seal the camera password".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// A keyed digest of `message` for `purpose` (HMAC-SHA256 under a key derived from this one), in
    /// hex: what the server keeps of a request, so that a password in it cannot be tried offline.
    pub fn digest(&self, purpose: &str, message: &[u8]) -> Result<String, StoreError> {
        let master = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.key(true)?);
        let derived = ring::hmac::sign(&master, purpose.as_bytes());
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derived.as_ref());
        Ok(hex::encode(ring::hmac::sign(&key, message).as_ref()))
    }

    /// Opens a sealed password.
    pub fn open(&self, sealed: &[u8]) -> Result<String, StoreError> {
        let key = aead_key(&self.key(false)?)?;
        let wrong = || {
            StoreError::Backend(
                "a camera password does not open with this data directory's camera.key (the key file was \
                 replaced?): set the camera's password again"
                    .into(),
            )
        };
        if sealed.len() < NONCE_LEN {
            return Err(wrong());
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
        let mut body = body.to_vec();
        let plain = key.open_in_place(nonce, Aad::from(PURPOSE), &mut body).map_err(|_| wrong())?;
        String::from_utf8(plain.to_vec()).map_err(|_| wrong())
    }
}

fn aead_key(bytes: &[u8; 32]) -> Result<LessSafeKey, StoreError> {
    UnboundKey::new(&CHACHA20_POLY1305, bytes)
        .map(LessSafeKey::new)
        .map_err(|_| StoreError::Backend("cannot use the camera password key".into()))
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}

fn parse_key(path: &Path, text: &str) -> Result<[u8; 32], StoreError> {
    let bad = || StoreError::Backend(format!("{} is not a key file (64 hex digits)", path.display()));
    let bytes = hex::decode(text.trim()).map_err(|_| bad())?;
    let key: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
    // A key others could read is made private again.
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "the camera password key was readable by others; made it 0600");
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(key)
}

/// Makes the key file, readable by its owner only, and returns the key. Written under a temporary
/// name and linked into place, so that a crash leaves either no key or a whole one.
fn make_key_file(path: &Path) -> Result<[u8; 32], StoreError> {
    let io = |e: std::io::Error| StoreError::Backend(format!("cannot write {}: {e}", path.display()));
    let key = random_key();
    let temp = path.with_extension("key.partial");
    let _ = std::fs::remove_file(&temp);
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temp).map_err(io)?;
    file.write_all(format!("{}\n", hex::encode(key)).as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    // `hard_link` fails if another process made the key meanwhile: then theirs is the key.
    match std::fs::hard_link(&temp, path) {
        Ok(()) => {
            let _ = std::fs::remove_file(&temp);
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(&temp);
            let text = std::fs::read_to_string(path).map_err(io)?;
            parse_key(path, &text)
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_password_opens_with_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("jiancha.db");
        let key = CameraKey::beside(Some(&db));
        let sealed = key.seal("Cam#2026").unwrap();
        assert!(!sealed.windows(8).any(|w| w == b"Cam#2026"), "sealed, not stored");
        assert_eq!(key.open(&sealed).unwrap(), "Cam#2026");
        let file = dir.path().join(KEY_FILE);
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        // Another store on the same directory reads the same key.
        assert_eq!(CameraKey::beside(Some(&db)).open(&sealed).unwrap(), "Cam#2026");
        // A different key does not open it, and says what to do.
        let other = tempfile::tempdir().unwrap();
        let stranger = CameraKey::beside(Some(&other.path().join("jiancha.db")));
        stranger.seal("x").unwrap();
        let err = stranger.open(&sealed).unwrap_err().to_string();
        assert!(err.contains("set the camera's password again") && !err.contains("Cam#2026"), "{err}");
        // A missing key is named, not made up.
        std::fs::remove_file(&file).unwrap();
        let err = CameraKey::beside(Some(&db)).open(&sealed).unwrap_err().to_string();
        assert!(err.contains("camera.key") && err.contains("missing"), "{err}");
    }
}

//! A private CUPS server for the printing tests (tests/discipline.rs, tests/assessment.rs): cupsd on a
//! socket of its own with one virtual printer, `jiancha-pdf`, whose backend keeps each job as a file
//! in `out/`.

#![allow(dead_code, reason = "each test file uses part of it")]

use std::path::Path;

/// A private CUPS server with one virtual PDF printer whose backend keeps each job as a file.
pub struct Cups {
    pub dir: tempfile::TempDir,
    child: std::process::Child,
}

impl Cups {
    /// Starts it, or says what is missing (the set-up installs `cups-daemon`; without it this fails).
    pub fn start() -> Result<Cups, String> {
        let cupsd = ["/usr/sbin/cupsd", "/usr/bin/cupsd"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .ok_or("no cupsd: packaging/setup.sh installs cups-daemon")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = dir.path();
        for sub in ["spool", "cache", "state", "log", "out", "bin/backend"] {
            std::fs::create_dir_all(root.join(sub)).map_err(|e| e.to_string())?;
        }
        use std::os::unix::fs::PermissionsExt as _;
        let open = |p: &Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
        open(root, 0o755).map_err(|e| e.to_string())?;
        open(&root.join("out"), 0o777).map_err(|e| e.to_string())?;
        std::os::unix::fs::symlink("/usr/lib/cups/daemon", root.join("bin/daemon")).map_err(|e| e.to_string())?;
        let backend = root.join("bin/backend/jiancha-pdf");
        std::fs::write(
            &backend,
            "#!/bin/sh\n[ $# -eq 0 ] && { echo 'file jiancha-pdf \"Unknown\" \"Jiancha virtual PDF printer\"'; exit 0; }\n\
             out=\"${DEVICE_URI#jiancha-pdf:}\"\nif [ -n \"$6\" ]; then cat \"$6\" > \"$out/job-$1.pdf\"; else cat > \"$out/job-$1.pdf\"; fi\n",
        )
        .map_err(|e| e.to_string())?;
        open(&backend, 0o755).map_err(|e| e.to_string())?;
        let socket = root.join("cups.sock");
        std::fs::write(
            root.join("cupsd.conf"),
            format!(
                "Listen {}\nLogLevel warn\nWebInterface No\nBrowsing No\nDefaultAuthType None\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
                socket.display()
            ),
        )
        .map_err(|e| e.to_string())?;
        // cupsd refuses to run filters as root: as root it drops to `lp`; otherwise it runs as us.
        let is_root =
            std::process::Command::new("id").arg("-u").output().ok().is_some_and(|o| o.stdout.starts_with(b"0"));
        let user = if is_root { "User lp\nGroup lp\n" } else { "" };
        std::fs::write(
            root.join("cups-files.conf"),
            format!(
                "ServerRoot {r}\nServerBin {r}/bin\nRequestRoot {r}/spool\nCacheDir {r}/cache\nStateDir {r}/state\nTempDir {r}/spool\nErrorLog {r}/log/error_log\nAccessLog {r}/log/access_log\nPageLog {r}/log/page_log\n{user}",
                r = root.display()
            ),
        )
        .map_err(|e| e.to_string())?;
        let child = std::process::Command::new(cupsd)
            .arg("-f")
            .arg("-c")
            .arg(root.join("cupsd.conf"))
            .arg("-s")
            .arg(root.join("cups-files.conf"))
            .spawn()
            .map_err(|e| e.to_string())?;
        let cups = Cups { dir, child };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !socket.exists() {
            if std::time::Instant::now() > deadline {
                return Err("cupsd did not open its socket within 10 s".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let ok = std::process::Command::new("lpadmin")
            .env("CUPS_SERVER", &socket)
            .args(["-p", "jiancha-pdf", "-E", "-v"])
            .arg(format!("jiancha-pdf:{}", cups.dir.path().join("out").display()))
            .status()
            .map_err(|e| e.to_string())?
            .success();
        if ok { Ok(cups) } else { Err("lpadmin could not add the virtual printer".into()) }
    }

    pub fn socket(&self) -> std::path::PathBuf {
        self.dir.path().join("cups.sock")
    }
}

impl Drop for Cups {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for the virtual printer's first job of `len` bytes and returns it.
pub fn printed(cups: &Cups, len: u64) -> Vec<u8> {
    let out = cups.dir.path().join("out");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(f) = std::fs::read_dir(&out).unwrap().flatten().next() {
            let bytes = std::fs::read(f.path()).unwrap_or_default();
            if bytes.len() as u64 == len {
                return bytes;
            }
        }
        assert!(std::time::Instant::now() < deadline, "the virtual printer wrote nothing");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

//! A throw-away PostgreSQL cluster for a test, from Debian's own `postgresql` package (packaging/setup.sh
//! installs it): `initdb` and `pg_ctl` run as the `postgres` user when the tests run as root (initdb
//! refuses root), in a temporary directory, listening on loopback on a free port, stopped when dropped.
//! It fails — never skips — when the server cannot start.
//!
//! `pg_hba.conf` asks for SCRAM-SHA-256 from every role but `jiancha_md5`, which logs in with MD5 (as
//! openGauss and GaussDB need for standard clients), and refuses `jiancha_tls` without TLS (which
//! `enable_tls` turns on).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The superuser's password (test clusters only).
const SUPERUSER_PASSWORD: &str = "Cluster-Super-1";

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

/// The newest server of Debian's `postgresql` package.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("/usr/lib/postgresql: install the postgresql package (packaging/setup.sh)")
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("no initdb under /usr/lib/postgresql/*/bin").1
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a server program, as `postgres` when we are root.
fn run(program: &Path, args: &[&str]) -> Output {
    let out = if is_root() {
        Command::new("runuser").args(["-u", "postgres", "--"]).arg(program).args(args).output()
    } else {
        Command::new(program).args(args).output()
    }
    .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?}: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Cluster {
    pub fn start() -> Cluster {
        let bin = bin_dir();
        let dir = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // The postgres user writes the cluster here.
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, SUPERUSER_PASSWORD).unwrap();
        let data = dir.path().join("data");
        let (data_s, pw_s) = (data.to_str().unwrap(), format!("--pwfile={}", pwfile.display()));
        run(
            &bin.join("initdb"),
            &["-D", data_s, "-A", "scram-sha-256", "-U", "postgres", &pw_s, "-E", "UTF8", "--locale=C.UTF-8"],
        );
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all scram-sha-256\n\
             hostnossl all jiancha_tls 127.0.0.1/32 reject\n\
             host all jiancha_md5 127.0.0.1/32 md5\n\
             host all all 127.0.0.1/32 scram-sha-256\n",
        )
        .unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let options = format!("-k {} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off", dir.path().display());
        let log = dir.path().join("log");
        run(
            &bin.join("pg_ctl"),
            &["-D", data_s, "-l", log.to_str().unwrap(), "-w", "-t", "60", "-o", &options, "start"],
        );
        Cluster { dir, bin, port }
    }

    /// A connection as the superuser to `database`.
    pub fn superuser(&self, database: &str) -> postgres::Client {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user("postgres")
            .password(SUPERUSER_PASSWORD)
            .dbname(database)
            .connect(postgres::NoTls)
            .unwrap()
    }

    /// Creates a login role with `password` stored as `method` (`scram-sha-256` or `md5`) and a database
    /// it owns.
    pub fn role_and_database(&self, role: &str, password: &str, method: &str, database: &str) {
        let mut su = self.superuser("postgres");
        // One statement at a time: several in one go run as one transaction, which CREATE DATABASE refuses.
        su.batch_execute(&format!("SET password_encryption = '{method}'")).unwrap();
        su.batch_execute(&format!("CREATE ROLE {role} LOGIN PASSWORD '{password}'")).unwrap();
        su.batch_execute(&format!("CREATE DATABASE {database} OWNER {role}")).unwrap();
    }

    /// Turns TLS on with this certificate (PEM chain) and key, and waits until a new session has it.
    pub fn enable_tls(&self, cert_pem: &str, key_pem: &str) {
        let (cert, key) = (self.dir.path().join("server.crt"), self.dir.path().join("server.key"));
        std::fs::write(&cert, cert_pem).unwrap();
        std::fs::write(&key, key_pem).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // The server refuses a key others can read.
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        if is_root() {
            let out = Command::new("chown").arg("postgres").arg(&cert).arg(&key).output().unwrap();
            assert!(out.status.success(), "chown: {}", String::from_utf8_lossy(&out.stderr));
        }
        let mut su = self.superuser("postgres");
        su.batch_execute(&format!("ALTER SYSTEM SET ssl_cert_file = '{}'", cert.display())).unwrap();
        su.batch_execute(&format!("ALTER SYSTEM SET ssl_key_file = '{}'", key.display())).unwrap();
        su.batch_execute("ALTER SYSTEM SET ssl = on").unwrap();
        su.batch_execute("SELECT pg_reload_conf()").unwrap();
        // The postmaster reloads on its own time: a new session shows when it has.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let on: String = self.superuser("postgres").query_one("SHOW ssl", &[]).unwrap().get(0);
            if on == "on" {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "TLS did not come on: see {}", self.dir.path().display());
            std::thread::yield_now();
        }
    }

    /// `postgres://ROLE@127.0.0.1:PORT/DATABASE`
    pub fn url(&self, role: &str, database: &str) -> String {
        format!("postgres://{role}@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"))
                .args(["-D", data.to_str().unwrap_or(""), "-m", "immediate", "stop"])
                .output()
        } else {
            Command::new(self.bin.join("pg_ctl"))
                .args(["-D", data.to_str().unwrap_or(""), "-m", "immediate", "stop"])
                .output()
        };
    }
}

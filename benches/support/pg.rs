//! A throw-away PostgreSQL cluster for a benchmark (Debian's server, started by
//! `packaging/pg-cluster.sh`, stopped when dropped) and databases in it owned by the role `jiancha`.

use std::path::PathBuf;
use std::process::Command;

/// The password of the `jiancha` role the benchmarks' databases belong to.
pub const PASSWORD: &str = "bench-pass-1";

pub struct Cluster {
    dir: tempfile::TempDir,
    pub port: u16,
    superuser: postgres::Client,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("packaging/pg-cluster.sh")
}

impl Cluster {
    pub fn start() -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let started = Command::new(script()).arg("start").arg(dir.path().join("pg")).output().unwrap();
        assert!(started.status.success(), "pg-cluster: {}", String::from_utf8_lossy(&started.stderr));
        let url = std::fs::read_to_string(dir.path().join("pg/url")).unwrap();
        let password = std::fs::read_to_string(dir.path().join("pg/pw")).unwrap();
        let port: u16 = url.trim().rsplit(':').next().unwrap().parse().unwrap();
        let mut superuser = postgres::Config::new()
            .host("127.0.0.1")
            .port(port)
            .user("postgres")
            .password(password.trim())
            .dbname("postgres")
            .connect(postgres::NoTls)
            .unwrap();
        superuser.batch_execute(&format!("CREATE ROLE jiancha LOGIN PASSWORD '{PASSWORD}'")).unwrap();
        Cluster { dir, port, superuser }
    }

    /// A new empty database owned by `jiancha`; its address.
    pub fn database(&mut self, name: &str) -> String {
        self.superuser.batch_execute(&format!("CREATE DATABASE {name} OWNER jiancha")).unwrap();
        format!("postgres://jiancha@127.0.0.1:{}/{name}", self.port)
    }

    /// The address read as the program reads it, with the role's password.
    #[allow(dead_code, reason = "not every benchmark opens the database itself")]
    pub fn open(url: &str) -> jiancha::store::pg::Database {
        jiancha::store::pg::Database::from_url(url, &|k| (k == "PGPASSWORD").then(|| PASSWORD.to_owned())).unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(self.dir.path().join("pg")).output();
    }
}

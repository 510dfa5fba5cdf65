//! Where the database is and how to log in to it: a `postgres://USER@HOST:PORT/DATABASE` address (in
//! `server.toml` or on the command line), never with a password in it — an address shows in the process
//! list, in `ps`, in the shell's history and in the file. The password comes as libpq's own tools take
//! it: `PGPASSWORD`, or the password file (`PGPASSFILE`, else `~/.pgpass`: lines of
//! `host:port:database:user:password`, `*` for any, `\:` and `\\` escaped, readable by its owner only).

use std::path::{Path, PathBuf};

use postgres::config::{Host, SslMode};

use super::PgError;
use super::tls::{Rustls, Verify};

/// A bad address or password file, named by its field or its file and line. Never holds a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("数据库地址 (database address) {field}: {reason}")]
    Address { field: &'static str, reason: String },
    #[error("{file}:{line}: {reason}")]
    Passfile { file: String, line: usize, reason: String },
}

fn address(field: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Address { field, reason: reason.into() }
}

/// A PostgreSQL database to connect to.
#[derive(Clone)]
pub struct Database {
    config: postgres::Config,
    shown: String,
    /// `None`: plain text (`sslmode=disable`).
    tls: Option<Rustls>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("address", &self.shown).finish_non_exhaustive()
    }
}

impl Database {
    /// Reads `url` and finds its password through `env` (the process environment in the program; tests
    /// pass their own).
    pub fn from_url(url: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let url = url.trim();
        let Some(rest) = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://")) else {
            return Err(address("scheme", "expected postgres://USER@HOST:PORT/DATABASE"));
        };
        // Before anything else reads it: a password in the address is refused, and never repeated.
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && userinfo.contains(':')
        {
            return Err(address(
                "password",
                "a password does not belong in the address (it would show in the process list and the \
                 configuration file): set PGPASSWORD, or put it in a password file (PGPASSFILE or ~/.pgpass)",
            ));
        }
        // The TLS options are this program's (the client library knows no `verify-full`): taken out first.
        let (url, tls_options) = take_tls_options(url);
        let mut config: postgres::Config =
            url.parse().map_err(|e: postgres::Error| address("address", e.to_string()))?;
        let user = config
            .get_user()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| address("user", "the address names no user (postgres://USER@HOST/DATABASE)"))?;
        let user = user.to_owned();
        let dbname = config.get_dbname().filter(|d| !d.is_empty()).ok_or_else(|| {
            address("database", "the address names no database (postgres://USER@HOST/DATABASE); none is assumed")
        })?;
        let dbname = dbname.to_owned();
        let host = match config.get_hosts() {
            [Host::Tcp(name)] => name.clone(),
            [Host::Unix(dir)] => dir.display().to_string(),
            [] => return Err(address("host", "the address names no host")),
            _ => return Err(address("host", "one host, please")),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let unix_socket = matches!(config.get_hosts(), [Host::Unix(_)]);
        let tls = tls_for(&tls_options, unix_socket, env)?;
        config.ssl_mode(if tls.is_some() { SslMode::Require } else { SslMode::Disable });
        let password = match env("PGPASSWORD").filter(|p| !p.is_empty()) {
            Some(p) => Some(p),
            None => {
                let file = env("PGPASSFILE")
                    .filter(|f| !f.is_empty())
                    .map(PathBuf::from)
                    .or_else(|| env("HOME").map(|h| Path::new(&h).join(".pgpass")));
                match file {
                    Some(file) if file.exists() => passfile_password(&file, &host, port, &dbname, &user)?,
                    _ => None,
                }
            }
        };
        if let Some(password) = password {
            config.password(password);
        }
        if config.get_application_name().is_none() {
            config.application_name("jiancha");
        }
        let shown = format!("postgres://{user}@{host}:{port}/{dbname}");
        Ok(Self { config, shown, tls })
    }

    /// The address without a password, for the status bar, the log and errors.
    pub fn describe(&self) -> &str {
        &self.shown
    }

    /// Whether the database is on this machine (a Unix socket or a loopback address), where plain text
    /// crosses no network.
    pub fn is_local(&self) -> bool {
        match self.config.get_hosts() {
            [Host::Unix(_)] => true,
            [Host::Tcp(name)] => {
                name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
            }
            _ => false,
        }
    }

    /// Whether the connection is encrypted (any `sslmode` but `disable`).
    pub fn encrypted(&self) -> bool {
        self.tls.is_some()
    }

    pub fn connect(&self) -> Result<postgres::Client, PgError> {
        Ok(match &self.tls {
            Some(tls) => self.config.connect(tls.clone())?,
            None => self.config.connect(postgres::NoTls)?,
        })
    }
}

/// `sslmode` and `sslrootcert` as the address gave them.
#[derive(Debug, Default)]
struct TlsOptions {
    sslmode: Option<String>,
    sslrootcert: Option<String>,
}

/// The address without its `sslmode` and `sslrootcert`, and those two.
fn take_tls_options(url: &str) -> (String, TlsOptions) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), TlsOptions::default());
    };
    let mut options = TlsOptions::default();
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => options.sslmode = Some(v.to_owned()),
            Some(("sslrootcert", v)) => options.sslrootcert = Some(v.to_owned()),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    (url, options)
}

/// The TLS the options ask for (module `tls` has the table), or `None` for plain text.
fn tls_for(
    options: &TlsOptions,
    unix_socket: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Rustls>, ConfigError> {
    let explicit_root = options.sslrootcert.as_deref().filter(|r| !r.is_empty()).map(PathBuf::from);
    let verify = match options.sslmode.as_deref() {
        None | Some("disable") => return Ok(None),
        Some("require") if explicit_root.is_some() => Verify::Authority,
        Some("require") => Verify::Nothing,
        Some("verify-ca") => Verify::Authority,
        Some("verify-full") => Verify::Full,
        Some(other @ ("prefer" | "allow")) => {
            return Err(address(
                "sslmode",
                format!(
                    "{other} would fall back to plain text without a word: say require, verify-ca or \
                     verify-full (encrypted), or disable"
                ),
            ));
        }
        Some(other) => {
            return Err(address("sslmode", format!("{other}: expected disable, require, verify-ca or verify-full")));
        }
    };
    if unix_socket {
        return Err(address("sslmode", "a Unix socket is not encrypted: use sslmode=disable, or a TCP host"));
    }
    let root = match (verify, explicit_root) {
        (Verify::Nothing, _) => None,
        (_, Some(root)) => Some(root),
        // libpq's default place for the authority's certificate.
        (_, None) => env("HOME").map(|h| Path::new(&h).join(".postgresql/root.crt")).filter(|p| p.exists()),
    };
    if verify != Verify::Nothing && root.is_none() {
        return Err(address(
            "sslrootcert",
            "verifying the server needs its authority's certificate: sslrootcert=/path/to/root.crt (or \
             ~/.postgresql/root.crt)",
        ));
    }
    Rustls::new(verify, root.as_deref()).map(Some).map_err(|reason| address("sslrootcert", reason))
}

/// The password for `host:port/database` as `user` from a libpq password file: the first line whose
/// fields match (`*` matches anything; a Unix socket's host is `localhost`).
fn passfile_password(
    file: &Path,
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
) -> Result<Option<String>, ConfigError> {
    let shown = file.display().to_string();
    let fail = |line: usize, reason: &str| ConfigError::Passfile { file: shown.clone(), line, reason: reason.into() };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(file).map_err(|e| fail(0, &e.to_string()))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(fail(0, "readable by others: chmod 0600 it (libpq refuses it too)"));
        }
    }
    let text = std::fs::read_to_string(file).map_err(|e| fail(0, &e.to_string()))?;
    let host = if host.starts_with('/') { "localhost" } else { host };
    let port = port.to_string();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = split_passfile_line(line);
        let [h, p, d, u, password] = fields.as_slice() else {
            return Err(fail(i + 1, "expected host:port:database:user:password"));
        };
        let fits = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if fits(h, host) && fits(p, &port) && fits(d, dbname) && fits(u, user) {
            return Ok(Some(password.clone()));
        }
    }
    Ok(None)
}

/// Splits a password-file line at its unescaped colons, undoing `\:` and `\\`.
fn split_passfile_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(field) = fields.last_mut()
                {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn an_address_gives_user_host_port_and_database_and_shows_no_password() {
        let db = Database::from_url("postgres://jiancha@db.city.local:5433/supervision", &none).unwrap();
        assert_eq!(db.describe(), "postgres://jiancha@db.city.local:5433/supervision");
        let env = |k: &str| (k == "PGPASSWORD").then(|| "Secret-Pass-1".to_owned());
        let db = Database::from_url("postgresql://jiancha@db/supervision", &env).unwrap();
        assert_eq!(db.config.get_password(), Some(&b"Secret-Pass-1"[..]));
        assert_eq!(db.describe(), "postgres://jiancha@db:5432/supervision");
        assert!(!format!("{db:?}").contains("Secret"), "{db:?}");
    }

    #[test]
    fn a_password_in_the_address_is_refused_without_repeating_it() {
        for url in ["postgres://jiancha:Hunter-22@db/supervision", "postgres://jiancha:@db/supervision"] {
            let e = Database::from_url(url, &none).unwrap_err();
            assert!(matches!(e, ConfigError::Address { field: "password", .. }), "{e}");
            assert!(!e.to_string().contains("Hunter"), "{e}");
            assert!(e.to_string().contains("PGPASSWORD"), "{e}");
        }
    }

    #[test]
    fn what_is_missing_or_unsupported_is_named() {
        let field = |url: &str| match Database::from_url(url, &none) {
            Err(ConfigError::Address { field, .. }) => field,
            other => panic!("{url}: {other:?}"),
        };
        assert_eq!(field("mysql://jiancha@db/supervision"), "scheme");
        assert_eq!(field("postgres://db/supervision"), "user");
        assert_eq!(field("postgres://jiancha@db"), "database");
        assert_eq!(field("postgres://jiancha@db/supervision?sslmode=prefer"), "sslmode");
        assert_eq!(field("postgres://jiancha@db/supervision?sslmode=allow"), "sslmode");
        assert_eq!(field("postgres://jiancha@db/supervision?sslmode=on"), "sslmode");
        assert_eq!(field("postgres://jiancha@%2Frun%2Fpostgresql/supervision?sslmode=require"), "sslmode");
        assert_eq!(field("postgres://jiancha@db/supervision?sslmode=verify-full"), "sslrootcert");
        assert_eq!(
            field("postgres://jiancha@db/supervision?sslmode=verify-ca&sslrootcert=/nonexistent.crt"),
            "sslrootcert"
        );
        assert_eq!(field("postgres://jiancha@db/supervision?no_such_option=1"), "address");
        let plain = Database::from_url("postgres://jiancha@db/supervision?sslmode=disable", &none).unwrap();
        assert!(!plain.encrypted() && !plain.is_local());
        assert!(Database::from_url("postgres://jiancha@127.0.0.1/supervision", &none).unwrap().is_local());
        assert!(!Database::from_url("postgres://jiancha@db/supervision", &none).unwrap().encrypted());
        let tls = Database::from_url("postgres://jiancha@db/supervision?sslmode=require&connect_timeout=5", &none);
        assert!(tls.unwrap().encrypted());
    }

    #[test]
    fn an_authority_file_is_found_where_the_address_or_libpq_puts_it() {
        let home = tempfile::tempdir().unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = params.self_signed(&key).unwrap();
        std::fs::create_dir(home.path().join(".postgresql")).unwrap();
        std::fs::write(home.path().join(".postgresql/root.crt"), ca.pem()).unwrap();
        let h = home.path().display().to_string();
        let env = |k: &str| (k == "HOME").then(|| h.clone());
        let db = Database::from_url("postgres://jiancha@db/supervision?sslmode=verify-full", &env).unwrap();
        assert!(db.encrypted());
        let named = home.path().join("city-ca.pem");
        std::fs::write(&named, ca.pem()).unwrap();
        let url = format!("postgres://jiancha@db/supervision?sslrootcert={}&sslmode=verify-ca", named.display());
        assert!(Database::from_url(&url, &none).unwrap().encrypted());
    }

    #[test]
    fn the_password_file_is_read_as_libpq_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:5432:supervision:jiancha:wrong-host\n\
             db:*:supervision:jiancha:pa\\:ss\\\\word\n*:*:*:*:fallback\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let path = file.display().to_string();
        let env = |k: &str| (k == "PGPASSFILE").then(|| path.clone());
        let db = Database::from_url("postgres://jiancha@db:6000/supervision", &env).unwrap();
        assert_eq!(db.config.get_password(), Some(&b"pa:ss\\word"[..]));
        let db = Database::from_url("postgres://someone@elsewhere/other", &env).unwrap();
        assert_eq!(db.config.get_password(), Some(&b"fallback"[..]));
        // PGPASSWORD comes first.
        let env2 = |k: &str| match k {
            "PGPASSWORD" => Some("from-env".to_owned()),
            "PGPASSFILE" => Some(path.clone()),
            _ => None,
        };
        let db = Database::from_url("postgres://jiancha@db/supervision", &env2).unwrap();
        assert_eq!(db.config.get_password(), Some(&b"from-env"[..]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = Database::from_url("postgres://jiancha@db/supervision", &env).unwrap_err();
            assert!(matches!(&e, ConfigError::Passfile { line: 0, .. }), "{e}");
            assert!(e.to_string().contains("chmod 0600"), "{e}");
        }
        std::fs::write(&file, "db:5432:supervision\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let e = Database::from_url("postgres://jiancha@db/supervision", &env).unwrap_err();
        assert!(matches!(&e, ConfigError::Passfile { line: 1, .. }), "{e}");
    }
}

//! What every headless command works with: the context (data directory, user, backend, clock), the
//! store it connects to, and how failures become exit codes.

use super::*;

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure { code: 2, error: e.into() }
    }
}

pub(super) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    Ok(())
}

pub(super) fn secret(env: &str, prompt: &str) -> Result<String, Failure> {
    if let Ok(v) = std::env::var(env) {
        return Ok(v);
    }
    rpassword::prompt_password(prompt)
        .with_context(|| format!("no {env} set and no terminal to ask for the password"))
        .map_err(Failure::from)
}

/// What a headless command works with: the data directory, the user, and where the data lives.
#[derive(Clone)]
pub struct Ctx {
    pub data_dir: PathBuf,
    pub user: Option<String>,
    /// A server instead of the local database.
    pub backend: Option<crate::store::remote::Connection>,
    /// The time headless commands work with (the system clock; tests may fix it).
    pub clock: Arc<dyn Clock>,
}

impl Ctx {
    /// From the flags; `--backend` falls back to the `backend` setting of the data directory.
    pub fn new(
        data_dir: PathBuf,
        user: Option<String>,
        backend: Option<String>,
        ca_cert: Option<PathBuf>,
    ) -> Result<Self, Failure> {
        let saved = settings::Workstation::load(&data_dir)?.backend;
        let backend = backend.or(saved.url).filter(|b| !b.trim().is_empty());
        let ca_cert = ca_cert.or(saved.ca_cert);
        Ok(Self {
            data_dir,
            user,
            backend: backend.map(|url| crate::store::remote::Connection { url, ca_cert }),
            clock: Arc::new(SystemClock),
        })
    }
}

/// The store and session of a headless command: the server when a backend is set (logging in as
/// `--user`), otherwise the local database (as `--user`, or the local system actor).
pub(super) fn connect(ctx: &Ctx, create: bool) -> Result<(Box<dyn Store>, Session), Failure> {
    let password = |name: &str| secret("JIANCHA_PASSWORD", &format!("{name} 的密码 (password): "));
    if let Some(backend) = &ctx.backend {
        let store = crate::store::remote::RemoteStore::connect(backend)?;
        let Some(name) = ctx.user.as_deref() else {
            return Err(Failure {
                code: 2,
                error: anyhow::anyhow!("with a server backend ({}), say who you are with --user NAME", backend.url),
            });
        };
        let session = store.login(name, &password(name)?)?;
        return Ok((Box::new(store), session));
    }
    let store = open_store(&ctx.data_dir, create, ctx.clock.clone())?;
    let session = match ctx.user.as_deref() {
        None => store.system_session(),
        Some(name) => store.login(name, &password(name)?)?,
    };
    Ok((Box::new(store), session))
}

/// Where exports read the footage: this machine's footage directory (`root`), or the server's.
pub(super) fn footage_source(ctx: &Ctx, root: &Path) -> Result<crate::video::export::FootageSource, Failure> {
    Ok(match &ctx.backend {
        None => crate::video::export::FootageSource::Local(root.to_owned()),
        Some(backend) => crate::video::export::FootageSource::Remote {
            store: Arc::new(crate::store::remote::RemoteStore::connect(backend)?),
            cache: ctx.data_dir.join("cache").join("footage"),
        },
    })
}

pub(super) fn open_store(dir: &Path, create: bool, clock: Arc<dyn Clock>) -> Result<SqlStore, Failure> {
    let rules = settings::rule_book(dir)?;
    let store = if create { SqlStore::open_dir(dir, clock) } else { SqlStore::open_existing_dir(dir, clock) };
    let store = store.with_context(|| format!("opening the database in {}", dir.display()))?;
    store.set_rules(rules);
    Ok(store)
}

/// The store of a server's settings: its PostgreSQL `database`, else the data directory's SQLite (made
/// when `create`), named as `name` says when it is one of several servers of a database.
pub(super) fn open_configured(ctx: &Ctx, config: &settings::ServerFile, create: bool) -> Result<SqlStore, Failure> {
    let data_dir = ctx.data_dir.as_path();
    let store = match &config.database {
        None => open_store(data_dir, create, ctx.clock.clone())?,
        Some(url) => {
            let db =
                crate::store::pg::Database::from_url(url, &|k| std::env::var(k).ok()).map_err(anyhow::Error::from)?;
            if !db.encrypted() && !db.is_local() {
                tracing::warn!(
                    database = db.describe(),
                    "数据库连接未加密 (the connection to the database is not encrypted): add \
                     sslmode=verify-full&sslrootcert=FILE to the address unless the network is trusted"
                );
            }
            crate::files::private_dirs(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
            let store = crate::store::SqlStore::open_postgres(db, data_dir, ctx.clock.clone())
                .with_context(|| format!("opening {url}"))?;
            store.set_rules(settings::rule_book(data_dir)?);
            store
        }
    };
    if let Some(name) = &config.name {
        store.set_holder(name)?;
    }
    Ok(store)
}

/// Maps a store error to its exit code: everything a caller can fix is a usage/input error (2).
pub fn exit_code(failure: &Failure) -> ExitCode {
    ExitCode::from(failure.code)
}

/// Formats a failure for stderr, with the chain of contexts.
pub fn report(failure: &Failure) -> String {
    if let Some(StoreError::Input(errors)) = failure.error.downcast_ref::<StoreError>() {
        return format!("error: nothing was written:\n{errors}");
    }
    if let Some(errors) = failure.error.downcast_ref::<interchange::InputErrors>() {
        return format!("error: nothing was written:\n{errors}");
    }
    format!("error: {:#}", failure.error)
}

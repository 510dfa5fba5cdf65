//! Setting up and serving: a hall's first start, the demo, users, and `jiancha serve`.

use super::*;
use crate::store::prelude::*;

/// `jiancha init`: an empty data directory with its first administrator. The database is built under a
/// temporary name and renamed at the end, so a refused password or name leaves nothing behind.
pub(super) fn init(ctx: &Ctx, admin: &str, name: &str) -> Result<(), Failure> {
    if let Some(backend) = &ctx.backend {
        return Err(Failure {
            code: 2,
            error: anyhow::anyhow!(
                "jiancha init sets up this machine's data directory, not a server ({}); run it where the server's data lives",
                backend.url
            ),
        });
    }
    let dir = ctx.data_dir.as_path();
    let db = dir.join(crate::store::sqlite::DB_FILE);
    if db.exists() {
        return Err(Failure {
            code: 2,
            error: anyhow::anyhow!(
                "{} already holds a database ({}): jiancha init only sets up an empty directory",
                dir.display(),
                db.display()
            ),
        });
    }
    let password = match std::env::var("JIANCHA_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let first = secret("JIANCHA_ADMIN_PASSWORD", &format!("{admin} 的密码 (password): "))?;
            let again = secret("JIANCHA_ADMIN_PASSWORD", "再输入一次 (again): ")?;
            if first != again {
                return Err(Failure {
                    code: 2, error: anyhow::anyhow!("两次输入的密码不一致 (the passwords differ)")
                });
            }
            first
        }
    };
    let admin_user = NewUser {
        username: admin.to_owned(),
        display_name: name.to_owned(),
        role: Role::Admin,
        password,
        halls: Vec::new(),
    };
    let (_store, user) = crate::store::sqlite::init::initialise(dir, ctx.clock.clone(), &admin_user, None)?;
    println!(
        "已建立数据目录 (data directory set up): {}\n  管理员 (administrator): {} ({})\n  camera passwords will be sealed with {} — back it up together with the database\n  next: describe the hall (jiancha hall apply FILE, or 系统管理 in the console), set the camera passwords, add users, import staff and the catalogue",
        dir.display(),
        user.username,
        user.display_name,
        dir.join(crate::store::sqlite::KEY_FILE).display()
    );
    Ok(())
}

pub(super) fn demo(data_dir: &Path, args: DemoArgs) -> Result<(), Failure> {
    let dir = args.dir.unwrap_or_else(|| data_dir.to_owned());
    let rules = settings::rule_book(&dir)?;
    let clock: Arc<dyn Clock> = match args.now {
        Some(at) => Arc::new(FixedClock::new(at)),
        None => Arc::new(SystemClock),
    };
    let report = crate::demo::write_demo(&dir, args.seed, clock.clone(), &rules)
        .with_context(|| format!("writing the demo into {}", dir.display()))?;
    if !args.no_footage {
        let started = crate::clock::real_monotonic();
        let segments = crate::demo::record_footage(&dir, clock, &rules)
            .with_context(|| format!("recording the demo footage into {}", dir.display()))?;
        eprintln!("  footage: {segments} segments in {:.1} s", started.elapsed().as_secs_f64());
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "演示大厅已生成 (demo hall written): {}", report.database.display())?;
    writeln!(out, "  interchange files: {}", report.import_dir.display())?;
    writeln!(
        out,
        "  seed {}, {} cases, {} events, {} punches",
        report.seed, report.cases, report.events, report.punches
    )?;
    writeln!(out, "  users: supervisor1 supervisor2 chief1 auditor1 admin1 — password {}", crate::demo::DEMO_PASSWORD)?;
    Ok(())
}

pub(super) fn new_password(username: &str) -> Result<String, Failure> {
    secret("JIANCHA_NEW_PASSWORD", &format!("{username} 的新密码 (new password): "))
}

fn switch_user(
    store: &dyn Store,
    session: &Session,
    username: &str,
    change: crate::store::UserChange,
) -> Result<(), Failure> {
    let u = store.update_user(session, username, &change)?;
    println!("{} {}", u.username, if u.active { "active" } else { "disabled" });
    Ok(())
}

pub(super) fn users(ctx: &Ctx, cmd: UsersCommand) -> Result<(), Failure> {
    let (store, session) = connect(ctx, true)?;
    match cmd {
        UsersCommand::List { format } => {
            let users = store.users(&session)?;
            if format == Format::Json {
                print_json(&users)?;
            } else {
                for u in users {
                    let last = u.last_login_at.map_or_else(|| "—".to_owned(), time::format_local_minutes);
                    let mut notes = Vec::new();
                    if !u.active {
                        notes.push("(disabled)");
                    }
                    if u.locked_until.is_some_and(|t| t > ctx.clock.now()) {
                        notes.push("(locked)");
                    }
                    if u.must_change_password {
                        notes.push("(must change password)");
                    }
                    println!(
                        "{:<16} {:<10} {:<8} {:<12} {:<17} {}",
                        u.username,
                        u.display_name,
                        u.role,
                        scope_label(&u.halls),
                        last,
                        notes.join(" ")
                    );
                }
            }
        }
        UsersCommand::Add { username, role, name, halls } => {
            let password = new_password(&username)?;
            let created = store
                .create_user(&session, &NewUser { username, display_name: name, role: role.into(), password, halls })?;
            match created.pending_change {
                None => println!("created {} ({})", created.username, created.role.label_zh()),
                Some(id) => println!(
                    "待确认 (waiting): {} ({}) is request #{id} — the account exists when another administrator or a \
                     chief confirms it (`jiancha users confirm {id}`)",
                    created.username,
                    created.role.label_zh()
                ),
            }
        }
        UsersCommand::Passwd { username } => {
            // One's own password needs the current one; the local system actor sets anyone's.
            let current = if session.role == Role::System {
                None
            } else {
                Some(secret("JIANCHA_CURRENT_PASSWORD", &format!("{username} 的当前密码 (current password): "))?)
            };
            let password = new_password(&username)?;
            store.set_password(&session, &username, current.as_deref(), &password)?;
            println!("password changed for {username}");
        }
        UsersCommand::Edit { username, name, role, halls, city } => {
            let halls = if city { Some(Vec::new()) } else { Some(halls).filter(|h| !h.is_empty()) };
            let change = crate::store::UserChange {
                display_name: name,
                role: role.map(Role::from),
                halls,
                ..Default::default()
            };
            let u = store.update_user(&session, &username, &change)?;
            println!("{} {} {} {}", u.username, u.display_name, u.role.label_zh(), scope_label(&u.halls));
            if let Some(id) = u.pending_change {
                println!(
                    "待确认 (waiting): the role change is request #{id}, for another administrator or a chief to confirm"
                );
            }
        }
        UsersCommand::Reset { username } => {
            let password = new_password(&username)?;
            match store.reset_password(&session, &username, &password)? {
                None => println!("temporary password set for {username}: it must be changed at the next login"),
                Some(change) => println!(
                    "待确认 (waiting): the reset of {username}'s password is request #{} — it takes effect when another \
                     administrator or a chief confirms it (`jiancha users confirm {}`)",
                    change.id, change.id
                ),
            }
        }
        UsersCommand::Changes { format } => {
            let changes = store.account_changes(&session)?;
            if format == Format::Json {
                print_json(&changes)?;
            } else {
                for c in changes {
                    let state = match (c.outcome, &c.decided_by) {
                        (None, _) => "待确认 (waiting)".to_owned(),
                        (Some(o), by) => format!("{o:?} by {}", by.as_deref().unwrap_or("?")).to_lowercase(),
                    };
                    println!(
                        "#{:<4} {:<8} {:<20} {:<10} asked by {} {}  {}{}",
                        c.id,
                        c.kind.as_str(),
                        c.username,
                        c.role.map_or("", Role::as_str),
                        c.requested_by,
                        time::format_local_minutes(c.requested_at),
                        state,
                        if c.note.is_empty() { String::new() } else { format!(" — {}", c.note) }
                    );
                }
            }
        }
        UsersCommand::Confirm { change } => {
            let c = store.decide_account_change(&session, change, true, "")?;
            println!("confirmed #{}: {} {}", c.id, c.kind.as_str(), c.username);
        }
        UsersCommand::Refuse { change, reason } => {
            let c = store.decide_account_change(&session, change, false, &reason)?;
            println!("refused #{}: {} {}", c.id, c.kind.as_str(), c.username);
        }
        UsersCommand::Withdraw { change } => {
            let c = store.decide_account_change(&session, change, false, "")?;
            println!("withdrawn #{}: {} {}", c.id, c.kind.as_str(), c.username);
        }
        UsersCommand::Disable { username } => switch_user(
            &*store,
            &session,
            &username,
            crate::store::UserChange { active: Some(false), ..Default::default() },
        )?,
        UsersCommand::Enable { username } => switch_user(
            &*store,
            &session,
            &username,
            crate::store::UserChange { active: Some(true), ..Default::default() },
        )?,
        UsersCommand::Unlock { username } => {
            switch_user(&*store, &session, &username, crate::store::UserChange { unlock: true, ..Default::default() })?
        }
    }
    Ok(())
}

/// `jiancha serve`: runs until Ctrl-C or SIGTERM.
pub(super) fn serve(ctx: &Ctx, config: settings::ServerFile) -> Result<(), Failure> {
    use std::io::IsTerminal as _;
    config.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let listen = config.listen.unwrap_or(std::net::SocketAddr::from(([127, 0, 0, 1], 8730)));
    let tls = match (config.tls_cert.clone(), config.tls_key.clone()) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        _ => return Err(anyhow::anyhow!("tls_cert and tls_key go together: give both or neither").into()),
    };
    let forward = match (config.forward.clone(), config.forward_user.clone()) {
        (Some(url), Some(user)) => Some((url, user)),
        (None, None) => None,
        _ => return Err(anyhow::anyhow!("forward and forward_user go together: give both or neither").into()),
    };
    let host_names = config.host_names.clone();
    let data_dir = ctx.data_dir.as_path();
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let fresh = config.database.is_none() && !data_dir.join(crate::store::sqlite::DB_FILE).exists();
    if fresh && std::env::var_os("JIANCHA_ADMIN_PASSWORD").is_none() && !std::io::stdout().is_terminal() {
        // A service's output goes to the journal: a generated password must not land there.
        return Err(anyhow::anyhow!(
            "no database in {dir}: set the hall up first with `jiancha --data-dir {dir} init --admin NAME` \
             (as the server's user), or start the server once from a terminal",
            dir = data_dir.display()
        )
        .into());
    }
    let store = open_configured(ctx, &config, true)?;
    let system = store.system_session();
    if store.users(&system)?.is_empty() {
        let (password, generated) = match std::env::var("JIANCHA_ADMIN_PASSWORD") {
            Ok(p) if !p.is_empty() => (p, false),
            _ => {
                use rand::Rng as _;
                let chars: Vec<char> = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789".chars().collect();
                let mut rng = rand::thread_rng();
                ((0..16).map(|_| chars[rng.gen_range(0..chars.len())]).collect(), true)
            }
        };
        store.create_user(
            &system,
            &NewUser {
                username: "admin".into(),
                display_name: "管理员".into(),
                role: Role::Admin,
                password: password.clone(),
                halls: Vec::new(),
            },
        )?;
        if generated {
            println!(
                "first administrator: admin / {password}  (shown once; change it with `jiancha users passwd admin`)"
            );
        } else {
            println!("first administrator: admin (password from JIANCHA_ADMIN_PASSWORD)");
        }
    }
    let forward = match forward {
        None => None,
        Some((url, username)) => {
            let password = secret("JIANCHA_FORWARD_PASSWORD", &format!("{username}@{url} 的密码 (password): "))?;
            let ca_cert = config.ca_cert.clone().or_else(|| ctx.backend.as_ref().and_then(|b| b.ca_cert.clone()));
            let upstream = crate::store::remote::Connection { url, ca_cert };
            Some((data_dir.to_owned(), crate::server::forward::ForwardTo { upstream, username, password }))
        }
    };
    let forwarding = forward.as_ref().map(|(_, to)| to.upstream.url.clone());
    let limits = crate::server::limits::Limits { host_names, ..Default::default() };
    // By default beside the server: port 8731, or any free port when the server takes any (tests, benches).
    let relay_port = if listen.port() == 0 { 0 } else { 8731 };
    let relay = Some(config.relay.unwrap_or(std::net::SocketAddr::new(listen.ip(), relay_port)));
    // One of several servers of a database: where the others reach it for the footage it keeps.
    let peers = match &config.name {
        None => None,
        Some(name) => {
            let url = match &config.peer_url {
                Some(url) => url.clone(),
                None if listen.ip().is_unspecified() => {
                    return Err(anyhow::anyhow!(
                        "name {name:?}: say where the other servers reach this one with `peer_url` (it listens on every \
                         interface, {listen})"
                    )
                    .into());
                }
                None => format!("{}://{listen}", if tls.is_some() { "https" } else { "http" }),
            };
            store.register_holder(&url).with_context(|| format!("registering this server ({name}) at {url}"))?;
            println!("footage recorded here is kept here as server {name}; other servers fetch it from {url}");
            Some(config.ca_cert.clone())
        }
    };
    let options = crate::server::ServeOptions { tls, forward, limits, relay, peers };
    let store = Arc::new(store);
    // The camera watchers of Art 11(8) for the cameras no recorder watches: the server's own, so that
    // detections come from this machine and never from a caller (`report_watch` is the system's).
    let mut watchers = (!config.no_watch).then(|| {
        crate::video::watch_live::WatchHost::new(
            store.clone(),
            system.clone(),
            ctx.clock.clone(),
            crate::video::watch_live::Which::LiveOnly,
        )
    });
    // Time-driven alerts on the server's own clock, whether or not any console looks.
    let _alert_clock = crate::store::sqlite::AlertClock::start(store.clone(), crate::store::sqlite::AlertClock::EVERY)
        .context("starting the alert clock")?;
    // Notifications (issue 33): this server sends its share of the outbox under its own name.
    let sender_name = store.holder().unwrap_or_else(crate::store::local_workstation);
    let _notify = crate::notify::Sender::start(store.clone(), sender_name, crate::notify::Sender::EVERY)
        .context("starting the notification sender")?;
    let described = crate::store::Store::describe(&*store);
    let server = crate::server::spawn_with(store, listen, &options).map_err(anyhow::Error::msg)?;
    println!("监察台 server on {} (data {}, {}); Ctrl-C to stop", server.url(), data_dir.display(), described);
    if let Some(port) = server.relay_port {
        println!("relaying the cameras to the consoles on rtsp port {port}");
    }
    if let Some(url) = forwarding {
        println!("forwarding pushed case events to {url}");
    }
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    footage::ctrlc_cancel(move || {
        let _ = tx.send(());
    })?;
    // The watchers' configuration (reference views, seats, which cameras) is read again every minute.
    loop {
        if let Some(host) = watchers.as_mut()
            && let Err(e) = host.refresh()
        {
            tracing::warn!("camera watchers: {e}");
        }
        match rx.recv_timeout(std::time::Duration::from_secs(60)) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    drop(watchers);
    eprintln!("stopping …");
    server.stop();
    Ok(())
}

/// `jiancha hall export|apply`.
pub(super) fn hall(ctx: &Ctx, cmd: HallCommand) -> Result<(), Failure> {
    use crate::interchange::hall as hall_file;
    match cmd {
        HallCommand::Export { hall } => {
            let (store, session) = connect(ctx, false)?;
            let config = store.hall_config(&session, hall.as_deref())?;
            print!("{}", hall_file::export(&config));
        }
        HallCommand::Apply { file, dry_run, format } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let config = hall_file::parse(&file.display().to_string(), &text)
                .map_err(|e| Failure { code: 2, error: e.into() })?;
            let (store, session) = connect(ctx, true)?;
            let diff =
                if dry_run { store.plan_hall(&session, &config)? } else { store.apply_hall(&session, &config)? };
            if format == Format::Json {
                print_json(&diff)?;
            } else if diff.is_empty() {
                println!("无变化 (no change): {} is as the file says", config.hall.code);
            } else {
                for line in diff.lines() {
                    println!("{line}");
                }
                if dry_run {
                    println!("(dry run: nothing was changed)");
                }
            }
        }
    }
    Ok(())
}

/// `jiancha backup --out FILE`: the online copy and its manifest; exit 1 when the audit chain was
/// already broken in the database copied (the copy is still made: it is evidence).
/// `jiancha migrate --to postgres://…`: this data directory's hall into an empty PostgreSQL database.
pub(super) fn migrate_to_postgres(ctx: &Ctx, url: &str) -> Result<(), Failure> {
    use crate::store::prelude::*;
    if let Some(backend) = &ctx.backend {
        return Err(anyhow::anyhow!(
            "jiancha migrate moves this machine's database, not a server's ({}); run it where the data lives",
            backend.url
        )
        .into());
    }
    let db = crate::store::pg::Database::from_url(url, &|k| std::env::var(k).ok()).map_err(anyhow::Error::from)?;
    let source =
        crate::store::SqlStore::open_existing_dir(&ctx.data_dir, ctx.clock.clone()).map_err(anyhow::Error::from)?;
    let system = source.system_session();
    let before = source.verify_audit(&system)?;
    if let Some(bad) = &before.first_bad {
        return Err(anyhow::anyhow!(
            "the audit chain is broken at #{} ({}): repair it before moving the hall",
            bad.seq,
            bad.reason
        )
        .into());
    }
    let path = ctx.data_dir.join(crate::store::sqlite::DB_FILE);
    let conn = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let started = crate::clock::real_monotonic();
    let report = crate::store::pg::copy::copy_hall(&conn, &db).map_err(anyhow::Error::from)?;
    let counts = crate::store::pg::copy::compare_counts(&conn, &db).map_err(anyhow::Error::from)?;
    let differ: Vec<String> = counts
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(t, a, b)| format!("{t}: {a} in SQLite, {b} in PostgreSQL"))
        .collect();
    if !differ.is_empty() {
        return Err(anyhow::anyhow!("the copy differs: {}", differ.join("; ")).into());
    }
    let target = crate::store::SqlStore::open_postgres(db.clone(), &ctx.data_dir, ctx.clock.clone())
        .map_err(anyhow::Error::from)?;
    let after = target.verify_audit(&target.system_session())?;
    if after.first_bad.is_some() || after.records != before.records {
        return Err(anyhow::anyhow!(
            "the audit chain does not verify in PostgreSQL ({} records, first bad {:?}): keep using SQLite",
            after.records,
            after.first_bad.map(|b| b.seq)
        )
        .into());
    }
    let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
    println!("{}", db.describe());
    eprintln!(
        "moved {} tables, {rows} rows in {:.1} s; row counts equal; audit chain verified before and after ({} records). \
         Point the server at it: database = \"{}\" in server.toml, with camera.key and audit.key in its data directory.",
        report.tables.len(),
        started.elapsed().as_secs_f64(),
        after.records,
        db.describe()
    );
    Ok(())
}

pub(super) fn backup(ctx: &Ctx, out: &Path) -> Result<(), Failure> {
    use crate::store::sqlite::backup;
    if let Some(backend) = &ctx.backend {
        return Err(anyhow::anyhow!(
            "jiancha backup copies this machine's database, not a server's ({}); run it where the server's data lives",
            backend.url
        )
        .into());
    }
    let db = ctx.data_dir.join(crate::store::sqlite::DB_FILE);
    let started = crate::clock::real_monotonic();
    let manifest = backup::backup(&db, out, ctx.clock.now(), crate::VERSION_LINE).map_err(anyhow::Error::from)?;
    println!("{}", out.display());
    eprintln!(
        "backup of {}: {} bytes in {:.0} ms, schema {}, {} cases, {} audit records (head #{} {}), SHA-256 {}; manifest {}",
        db.display(),
        manifest.bytes,
        started.elapsed().as_secs_f64() * 1e3,
        manifest.schema_version,
        manifest.cases,
        manifest.audit_records,
        manifest.audit_seq,
        &manifest.audit_head.get(..12).unwrap_or(&manifest.audit_head),
        manifest.sha256,
        backup::manifest_path(out).display()
    );
    if !manifest.audit_intact {
        return Err(Failure {
            code: 1,
            error: anyhow::anyhow!("the audit chain of {} does not verify (`jiancha audit verify`)", db.display()),
        });
    }
    Ok(())
}

/// `jiancha restore FILE [--replace]`.
pub(super) fn restore(ctx: &Ctx, file: &Path, replace: bool) -> Result<(), Failure> {
    use crate::store::sqlite::backup;
    let restored = backup::restore(file, &ctx.data_dir, replace, ctx.clock.now()).map_err(anyhow::Error::from)?;
    let m = &restored.manifest;
    println!(
        "restored {} (made {} from {}): schema {}, {} cases, {} audit records, audit chain verified",
        file.display(),
        time::format_local(m.made_at),
        m.source,
        m.schema_version,
        m.cases,
        m.audit_records
    );
    println!("  as {}", restored.database.display());
    if let Some((kept, held)) = &restored.replaced {
        println!("  it replaces a database with {held}, kept as {}", kept.display());
    }
    if !ctx.data_dir.join(crate::store::sqlite::KEY_FILE).exists() {
        eprintln!(
            "note: no {} in {}: camera passwords sealed in this copy need the key file of the hall it came from \
             (restore it from the key's own backup), or set them again with `jiancha cameras passwd`",
            crate::store::sqlite::KEY_FILE,
            ctx.data_dir.display()
        );
    }
    Ok(())
}

/// An account's halls as the listings show them: 全市 for the whole city.
fn scope_label(halls: &[String]) -> String {
    if halls.is_empty() { "全市".to_owned() } else { halls.join(",") }
}

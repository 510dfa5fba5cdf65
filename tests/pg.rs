//! PostgreSQL, first part (issue 31), on a real server (tests/support/pg.rs): logins with SCRAM and MD5,
//! the schema created once and refused on a foreign or newer database, and the audit chain — one line
//! under eight concurrent writers, append-only, tampering found.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiancha::store::pg::audit::{self, Entry};
use jiancha::store::pg::migrate::{self, LATEST_VERSION};
use jiancha::store::pg::{Database, PgError};

use crate::support::pg::Cluster;

const KEY: [u8; 32] = [7; 32];

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T09:30:00+08:00").unwrap().with_timezone(&Utc)
}

fn database(cluster: &Cluster, role: &str, db: &str, password: &str) -> Database {
    let password = password.to_owned();
    Database::from_url(&cluster.url(role, db), &move |k| (k == "PGPASSWORD").then(|| password.clone())).unwrap()
}

fn entry<'a>(actor: &'a str, target: &'a str, detail: &'a serde_json::Value) -> Entry<'a> {
    Entry {
        at: at(),
        actor,
        role: "supervisor",
        workstation: "ws-1",
        hall: None,
        action: "alert.handle",
        target,
        detail,
    }
}

#[test]
fn logins_with_scram_and_md5_reach_the_database_and_a_wrong_password_says_nothing_of_it() {
    let cluster = Cluster::start();
    cluster.role_and_database("jiancha", "Scram-Pass-1", "scram-sha-256", "supervision");
    cluster.role_and_database("jiancha_md5", "Md5-Pass-1", "md5", "supervision_md5");
    let mut scram = database(&cluster, "jiancha", "supervision", "Scram-Pass-1").connect().unwrap();
    let user: String = scram.query_one("SELECT current_user::text", &[]).unwrap().get(0);
    assert_eq!(user, "jiancha");
    let mut md5 = database(&cluster, "jiancha_md5", "supervision_md5", "Md5-Pass-1").connect().unwrap();
    let user: String = md5.query_one("SELECT current_user::text", &[]).unwrap().get(0);
    assert_eq!(user, "jiancha_md5");
    // The server asked MD5 of one and SCRAM of the other: each role's stored verifier says which.
    let mut su = cluster.superuser("postgres");
    let mut stored = |role: &str| -> String {
        su.query_one("SELECT left(rolpassword, 5) FROM pg_authid WHERE rolname = $1", &[&role]).unwrap().get(0)
    };
    assert!(stored("jiancha_md5").starts_with("md5"));
    assert!(stored("jiancha").starts_with("SCRAM"));
    for (role, db) in [("jiancha", "supervision"), ("jiancha_md5", "supervision_md5")] {
        let e = database(&cluster, role, db, "Wrong-Pass-9").connect().err().expect("refused").to_string();
        assert!(e.contains("password authentication failed"), "{e}");
        assert!(!e.contains("Wrong-Pass-9"), "{e}");
    }
}

#[test]
fn the_schema_is_made_once_even_by_two_servers_at_once_and_a_foreign_or_newer_database_is_refused() {
    let cluster = Cluster::start();
    cluster.role_and_database("jiancha", "Scram-Pass-1", "scram-sha-256", "supervision");
    let db = Arc::new(database(&cluster, "jiancha", "supervision", "Scram-Pass-1"));
    // Two servers start on the empty database in the same moment.
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || migrate::migrate(&mut db.connect().unwrap()))
        })
        .collect();
    for start in starts {
        assert_eq!(start.join().unwrap().unwrap(), 0, "each found it empty (or the other's work done)");
    }
    let mut client = db.connect().unwrap();
    assert_eq!(migrate::version(&mut client).unwrap(), LATEST_VERSION);
    assert_eq!(migrate::migrate(&mut client).unwrap(), LATEST_VERSION, "a second start changes nothing");
    let heads: i64 = client.query_one("SELECT count(*) FROM audit_head", &[]).unwrap().get(0);
    assert_eq!(heads, 1);

    // Newer than this program: refused, untouched.
    cluster.superuser("supervision").execute("UPDATE jiancha_schema SET version = 99", &[]).unwrap();
    assert!(matches!(migrate::migrate(&mut client), Err(PgError::TooNew { found: 99, .. })));

    // Someone else's database.
    cluster.role_and_database("other", "Other-Pass-1", "scram-sha-256", "other");
    let mut other = database(&cluster, "other", "other", "Other-Pass-1").connect().unwrap();
    other.batch_execute("CREATE TABLE invoices (id integer)").unwrap();
    let e = migrate::migrate(&mut other).unwrap_err();
    assert!(matches!(e, PgError::NotJiancha), "{e}");
}

/// 8 writers, each on its own connection, 40 records each in transactions of their own: one chain of 320
/// records with no gap, every MAC right under the key.
#[test]
fn eight_concurrent_writers_leave_one_verifiable_chain() {
    let cluster = Cluster::start();
    cluster.role_and_database("jiancha", "Scram-Pass-1", "scram-sha-256", "supervision");
    let db = Arc::new(database(&cluster, "jiancha", "supervision", "Scram-Pass-1"));
    migrate::migrate(&mut db.connect().unwrap()).unwrap();
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut client = db.connect().unwrap();
                let mut seqs = Vec::new();
                for i in 0..40 {
                    let detail = serde_json::json!({ "writer": w, "n": i });
                    let (actor, target) = (format!("sup{w}"), format!("case:SP{w}{i:03}"));
                    let mut tx = client.transaction().unwrap();
                    seqs.push(audit::append(&mut tx, &KEY, &entry(&actor, &target, &detail)).unwrap());
                    tx.commit().unwrap();
                }
                seqs
            })
        })
        .collect();
    let mut all: Vec<i64> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    all.sort_unstable();
    assert_eq!(all, (1..=320).collect::<Vec<i64>>(), "every record its own number, none twice, none skipped");
    let mut client = db.connect().unwrap();
    let verified = audit::verify(&mut client, Some(&KEY)).unwrap();
    assert_eq!(verified.records, 320);
    assert_eq!(verified.first_bad, None);
    let anchor = verified.anchor.unwrap();
    assert_eq!(anchor.seq, 320);
    let newest: String = client.query_one("SELECT mac FROM audit_log WHERE seq = 320", &[]).unwrap().get(0);
    assert_eq!(anchor.mac, newest);
    // Another hall's key: the MACs do not hold.
    let wrong = audit::verify(&mut client, Some(&[8; 32])).unwrap();
    assert_eq!(wrong.first_bad.unwrap().seq, 1);
}

#[test]
fn audit_records_cannot_be_changed_and_a_change_behind_the_triggers_is_found() {
    let cluster = Cluster::start();
    cluster.role_and_database("jiancha", "Scram-Pass-1", "scram-sha-256", "supervision");
    let db = database(&cluster, "jiancha", "supervision", "Scram-Pass-1");
    let mut client = db.connect().unwrap();
    migrate::migrate(&mut client).unwrap();
    // An empty chain verifies.
    let empty = audit::verify(&mut client, Some(&KEY)).unwrap();
    assert_eq!((empty.records, empty.first_bad, empty.anchor), (0, None, None));
    for n in 0..5 {
        let detail = serde_json::json!({ "n": n });
        let mut tx = client.transaction().unwrap();
        audit::append(&mut tx, &KEY, &entry("sup1", "case:SP001", &detail)).unwrap();
        tx.commit().unwrap();
    }
    for sql in [
        "UPDATE audit_log SET actor = 'chief1' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 5",
        "TRUNCATE audit_log",
        "DELETE FROM audit_head",
    ] {
        let e = client.batch_execute(sql).unwrap_err();
        let said = PgError::from(e).to_string();
        assert!(said.contains("append-only"), "{sql}: {said}");
    }
    assert_eq!(audit::verify(&mut client, Some(&KEY)).unwrap().first_bad, None);

    // The owner drops the guard and edits a record: the chain names it.
    client
        .batch_execute(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; \
             UPDATE audit_log SET actor = 'chief1' WHERE seq = 3; \
             ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;",
        )
        .unwrap();
    let broken = audit::verify(&mut client, Some(&KEY)).unwrap().first_bad.unwrap();
    assert_eq!(broken.seq, 3, "{broken:?}");
    assert!(broken.reason.contains("edited"), "{broken:?}");
}

/// Two `jiancha serve` on one PostgreSQL database serve the same consoles: a session made on one works on
/// the other, a write through one wakes a console waiting at the other within a second (LISTEN/NOTIFY),
/// and what a server answered is there after it is gone.
#[test]
fn two_servers_on_one_database_serve_the_same_consoles_interchangeably() {
    use jiancha::clock::FixedClock;
    use jiancha::domain::discipline::ObservationSource;
    use jiancha::store::prelude::*;
    use jiancha::store::remote::RemoteStore;
    use jiancha::store::{NewObservation, SqlStore};

    let cluster = Cluster::start();
    cluster.role_and_database("jiancha", "Scram-Pass-1", "scram-sha-256", "city");
    let db = database(&cluster, "jiancha", "city", "Scram-Pass-1");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at()));
    crate::support::demo_hall::write_demo(dir.path(), 11, at());
    let sqlite = rusqlite::Connection::open(dir.path().join(jiancha::store::sqlite::DB_FILE)).unwrap();
    jiancha::store::pg::copy::copy_hall(&sqlite, &db).unwrap();
    let open = || Arc::new(SqlStore::open_postgres(db.clone(), dir.path(), clock.clone()).unwrap());
    let server_a = jiancha::server::spawn(open(), "127.0.0.1:0".parse().unwrap()).unwrap();
    let server_b = jiancha::server::spawn(open(), "127.0.0.1:0".parse().unwrap()).unwrap();
    let a = RemoteStore::new(&server_a.url()).unwrap();
    let b = RemoteStore::new(&server_b.url()).unwrap();

    // A session made on A works on B (sessions live in the database).
    let session = a.login("supervisor1", "jiancha-demo").unwrap();
    assert_eq!(b.directory(&session).unwrap(), a.directory(&session).unwrap());

    // A console waiting on A hears of a write made through B.
    let since = a.wait_for_change(0, 0).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let revision = a.wait_for_change(since, 20).unwrap();
        tx.send(std::time::Instant::now()).unwrap();
        (a, revision)
    });
    // Whether the waiter is parked at A before the write or arrives after it, only B's NOTIFY can move
    // A's counter past `since` (A itself writes nothing): the revision it returns shows it.
    let observation = NewObservation {
        observed_at: at() - chrono::Duration::hours(1),
        category: "离岗".into(),
        source: ObservationSource::Manual,
        camera_id: None,
        window_code: Some("B07".into()),
        staff_no: None,
        department: None,
        evidence_id: None,
        clip: None,
        note: "两台服务器".into(),
    };
    let sent = std::time::Instant::now();
    let made = b.add_observation(&session, &observation).unwrap();
    let answered = std::time::Instant::now();
    let woke = rx.recv_timeout(std::time::Duration::from_secs(5)).expect("the console at A was not woken");
    assert!(woke > sent, "the console at A was woken before the write was sent");
    let delay = woke.saturating_duration_since(answered);
    eprintln!("a write through B woke a console at A {} ms after B answered", delay.as_millis());
    assert!(delay < std::time::Duration::from_secs(1), "woken after {delay:?}");
    let (a, revision) = waiter.join().unwrap();
    assert!(revision > since);
    let day = jiancha::domain::time::local_date(at());
    assert!(a.observations(&session, day, day).unwrap().iter().any(|o| o.id == made.id), "A reads B's write");

    // A goes away: what it answered stays, and B carries on with the same session.
    let second = a.add_observation(&session, &NewObservation { note: "A 写入".into(), ..observation }).unwrap();
    drop(server_a);
    let seen = b.observations(&session, day, day).unwrap();
    assert!(seen.iter().any(|o| o.id == second.id) && seen.iter().any(|o| o.id == made.id));
    // One chain, written by both servers, verifies.
    let auditor = b.login("auditor1", "jiancha-demo").unwrap();
    let verified = b.verify_audit(&auditor).unwrap();
    assert!(verified.first_bad.is_none(), "{verified:?}");
}

/// `jiancha migrate --to` moves the demo hall: every table's rows compared, the chain verified on both
/// sides; a second move into the same database is refused and changes nothing.
#[test]
fn migrate_moves_the_demo_hall_once_and_refuses_a_database_that_holds_data() {
    let cluster = Cluster::start();
    cluster.role_and_database("jiancha", "Scram-Pass-1", "scram-sha-256", "moved");
    let dir = tempfile::tempdir().unwrap();
    crate::support::demo_hall::write_demo(dir.path(), 11, at());
    let migrate = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_jiancha"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["migrate", "--to", &cluster.url("jiancha", "moved")])
            .env("PGPASSWORD", "Scram-Pass-1")
            .output()
            .unwrap()
    };
    let first = migrate();
    let said = String::from_utf8_lossy(&first.stderr).into_owned();
    assert!(first.status.success(), "{said}");
    assert!(said.contains("row counts equal") && said.contains("audit chain verified"), "{said}");
    assert!(!said.contains("Scram-Pass-1"), "{said}");
    let mut client = database(&cluster, "jiancha", "moved", "Scram-Pass-1").connect().unwrap();
    let count = |client: &mut postgres::Client, table: &str| -> i64 {
        client.query_one(&format!("SELECT count(*) FROM {table}"), &[]).unwrap().get(0)
    };
    let sqlite = rusqlite::Connection::open(dir.path().join(jiancha::store::sqlite::DB_FILE)).unwrap();
    for table in ["case_file", "event", "alert", "camera", "audit_log", "\"user\""] {
        let here: i64 = sqlite.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
        assert!(here > 0, "the demo hall has {table}");
        assert_eq!(count(&mut client, table), here, "{table}");
    }
    let events = count(&mut client, "event");
    let again = migrate();
    let said = String::from_utf8_lossy(&again.stderr).into_owned();
    assert!(!again.status.success() && said.contains("already holds data"), "{said}");
    assert_eq!(count(&mut client, "event"), events, "nothing copied twice");
}

/// TLS to the database as `sslmode` says (rustls): `verify-full` checks the authority and the name,
/// `verify-ca` the authority only, `require` encrypts without checking; the session really is encrypted,
/// the SCRAM login is bound to the channel, and a role the server allows over TLS only gets nowhere with
/// `disable`.
#[test]
fn tls_to_the_database_is_checked_as_sslmode_says() {
    let cluster = Cluster::start();
    let authority = |name: &str| {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.distinguished_name.push(rcgen::DnType::CommonName, name);
        rcgen::CertifiedIssuer::self_signed(params, key).unwrap()
    };
    let city_ca = authority("City supervision bureau CA");
    let stranger_ca = authority("Someone else's CA");
    // The server's certificate names 127.0.0.1 only (not "localhost").
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&key, &city_ca).unwrap();
    cluster.enable_tls(&cert.pem(), &key.serialize_pem());
    cluster.role_and_database("jiancha_tls", "Tls-Pass-1", "scram-sha-256", "supervision");
    let files = tempfile::tempdir().unwrap();
    let (city, stranger) = (files.path().join("city-ca.pem"), files.path().join("stranger-ca.pem"));
    std::fs::write(&city, city_ca.pem()).unwrap();
    std::fs::write(&stranger, stranger_ca.pem()).unwrap();
    let connect = |host: &str, options: &str| {
        let url = format!("postgres://jiancha_tls@{host}:{}/supervision?{options}", cluster.port);
        Database::from_url(&url, &|k| (k == "PGPASSWORD").then(|| "Tls-Pass-1".to_owned())).unwrap().connect()
    };
    let encrypted = |client: &mut postgres::Client| -> bool {
        client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0)
    };
    let full = format!("sslmode=verify-full&sslrootcert={}", city.display());
    let mut client = connect("127.0.0.1", &full).unwrap();
    assert!(encrypted(&mut client));
    // SCRAM-SHA-256-PLUS: the client library refuses to log in unbound when told to require binding.
    let mut bound = connect("127.0.0.1", &format!("{full}&channel_binding=require")).unwrap();
    assert!(encrypted(&mut bound));
    // The right authority but not the name the address uses: verify-ca takes it, verify-full does not.
    let mut by_authority = connect("localhost", &format!("sslmode=verify-ca&sslrootcert={}", city.display())).unwrap();
    assert!(encrypted(&mut by_authority));
    let e = connect("localhost", &format!("sslmode=verify-full&sslrootcert={}", city.display())).err().unwrap();
    assert!(e.to_string().contains("certificate"), "{e}");
    // Another authority: refused, and the password never crossed.
    let e = connect("127.0.0.1", &format!("sslmode=verify-full&sslrootcert={}", stranger.display())).err().unwrap();
    assert!(e.to_string().contains("certificate") && !e.to_string().contains("Tls-Pass-1"), "{e}");
    let e = connect("127.0.0.1", &format!("sslmode=require&sslrootcert={}", stranger.display())).err().unwrap();
    assert!(e.to_string().contains("certificate"), "require with an authority checks it: {e}");
    // require alone: encrypted, unchecked.
    let mut required = connect("127.0.0.1", "sslmode=require").unwrap();
    assert!(encrypted(&mut required));
    // Plain text: this role is not let in without TLS.
    let e = connect("127.0.0.1", "sslmode=disable").err().unwrap();
    assert!(e.to_string().contains("no encryption"), "{e}");
}

/// Everything a schema holds, as the server describes it, sorted: tables and columns with their types,
/// defaults and nullability; constraints with their checks; indexes; triggers; functions.
fn describe_schema(client: &mut postgres::Client) -> Vec<String> {
    let queries = [
        "SELECT 'column ' || table_name || '.' || column_name || ' #' || ordinal_position || ' ' || data_type
                || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
         FROM information_schema.columns WHERE table_schema = current_schema()",
        "SELECT 'constraint ' || tc.table_name || ' ' || tc.constraint_type || ' ' || tc.constraint_name
                || ' ' || coalesce(cc.check_clause, '') || ' deferrable=' || tc.is_deferrable
         FROM information_schema.table_constraints tc
         LEFT JOIN information_schema.check_constraints cc
           ON cc.constraint_schema = tc.constraint_schema AND cc.constraint_name = tc.constraint_name
         WHERE tc.table_schema = current_schema() AND tc.constraint_name NOT LIKE '%_not_null'",
        "SELECT 'key ' || table_name || ' ' || constraint_name || ' ' || column_name || ' #' || ordinal_position
         FROM information_schema.key_column_usage WHERE table_schema = current_schema()",
        "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()",
        "SELECT 'trigger ' || event_object_table || ' ' || trigger_name || ' ' || action_timing || ' '
                || event_manipulation || ' ' || action_statement || ' ' || coalesce(action_condition, '')
         FROM information_schema.triggers WHERE trigger_schema = current_schema()",
        "SELECT 'function ' || routine_name || ' ' || coalesce(routine_definition, '')
         FROM information_schema.routines WHERE routine_schema = current_schema()",
    ];
    let mut out: Vec<String> = Vec::new();
    for q in queries {
        out.extend(client.query(q, &[]).unwrap().iter().map(|r| r.get::<_, String>(0)));
    }
    // Unnamed checks are numbered by the order they were made in; their clauses are what matter.
    out.iter_mut().for_each(|l| {
        if l.starts_with("constraint ") && l.contains(" CHECK ") {
            let mut parts: Vec<&str> = l.splitn(5, ' ').collect();
            parts[3] = "_";
            *l = parts.join(" ");
        }
    });
    out.sort();
    out
}

/// A database made at version 1 and brought up by every numbered step is the schema a fresh database
/// gets: same columns in the same places, checks, keys, indexes, triggers and functions.
#[test]
fn upgrading_from_version_1_gives_the_fresh_schema() {
    let cluster = Cluster::start();
    cluster.role_and_database("jiancha", "Scram-Pass-1", "scram-sha-256", "fresh");
    let mut su = cluster.superuser("postgres");
    su.batch_execute("CREATE DATABASE upgraded OWNER jiancha").unwrap();
    let mut fresh = database(&cluster, "jiancha", "fresh", "Scram-Pass-1").connect().unwrap();
    assert_eq!(migrate::migrate(&mut fresh).unwrap(), 0);
    let mut upgraded = database(&cluster, "jiancha", "upgraded", "Scram-Pass-1").connect().unwrap();
    upgraded.batch_execute(migrate::V1_SCHEMA).unwrap();
    upgraded.batch_execute("INSERT INTO jiancha_schema (id, version) VALUES (1, 1)").unwrap();
    assert_eq!(migrate::migrate(&mut upgraded).unwrap(), 1);
    assert_eq!(migrate::version(&mut upgraded).unwrap(), LATEST_VERSION);
    let (a, b) = (describe_schema(&mut fresh), describe_schema(&mut upgraded));
    assert!(a.len() > 300, "the description holds the schema: {} lines", a.len());
    assert!(a.iter().any(|l| l.starts_with("trigger alert alert_rev ")), "{a:?}");
    for line in a.iter().filter(|l| !b.contains(l)) {
        eprintln!("only fresh:    {line}");
    }
    for line in b.iter().filter(|l| !a.contains(l)) {
        eprintln!("only upgraded: {line}");
    }
    assert!(a == b, "the upgraded schema differs from the fresh one (lines above)");
}

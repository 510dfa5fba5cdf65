//! Notifications in the database (issue 33): the hall's settings, the channels with their secrets
//! sealed, and the outbox — one row per event × person × channel (the unique key makes a second
//! finding of the same event by any server a no-op), claimed by a server for a short lease while it
//! sends, then delivered, retried after a backoff, or given up.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{from_ts, ts};
use crate::domain::alerts::RuleBook;
use crate::domain::notify::{self, Channel, ChannelSetup, Facts, NotifyEvent, NotifySettings};
use crate::domain::time;
use crate::store::sql::{Connection, OptionalExtension as _, Transaction, params};
use crate::store::{ChannelView, MessageState, NotifyLogQuery, NotifyRecord, ReadReceipt, SecretValue, StoreError};

/// How long a server holds a claimed message before another may send it (its send has a timeout well
/// inside this).
pub(crate) const LEASE_SECONDS: i64 = 120;

/// A message as the sender gets it.
#[derive(Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: i64,
    pub channel: Channel,
    /// The mobile or the e-mail address.
    pub address: String,
    pub person: String,
    pub text: String,
    pub event: String,
    /// The attempt this is (1 for the first).
    pub attempt: u32,
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing").field("id", &self.id).field("channel", &self.channel).finish_non_exhaustive()
    }
}

fn bad_row(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("{what}: {e}"))
}

/// The settings in force: the database's when an administrator saved them, else the rule book's.
pub(super) fn settings(
    conn: &Connection,
    rules: &RuleBook,
) -> Result<(NotifySettings, Option<(String, DateTime<Utc>)>), StoreError> {
    let row: Option<(String, String, i64)> = conn
        .query_row("SELECT settings, updated_by, updated_at FROM notify_setting WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match row {
        None => Ok((rules.notify.clone(), None)),
        Some((json, by, at)) => {
            let settings = serde_json::from_str(&json).map_err(|e| bad_row("notify_setting.settings", e))?;
            Ok((settings, Some((by, from_ts(at)))))
        }
    }
}

pub(super) fn save_settings(
    tx: &Transaction,
    settings: &NotifySettings,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(settings).map_err(|e| bad_row("notify settings", e))?;
    tx.execute(
        "INSERT INTO notify_setting (id, settings, updated_by, updated_at) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by,
           updated_at = excluded.updated_at",
        params![json, by, ts(now)],
    )?;
    Ok(())
}

/// Each channel's setup and its sealed secrets.
pub(super) fn channel_rows(conn: &Connection) -> Result<Vec<(ChannelSetup, Option<Vec<u8>>, String, i64)>, StoreError> {
    let rows: Vec<(String, String, Option<Vec<u8>>, String, i64)> = conn
        .prepare("SELECT channel, setup, secrets_sealed, updated_by, updated_at FROM notify_channel ORDER BY channel")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(channel, setup, sealed, by, at)| {
            let setup = serde_json::from_str(&setup).map_err(|e| bad_row(&format!("notify_channel {channel}"), e))?;
            Ok((setup, sealed, by, at))
        })
        .collect()
}

/// The channels as an administrator sees them: secrets by name only.
pub(super) fn channel_views(
    conn: &Connection,
    open: &dyn Fn(&[u8]) -> Result<String, StoreError>,
) -> Result<Vec<ChannelView>, StoreError> {
    channel_rows(conn)?
        .into_iter()
        .map(|(setup, sealed, by, at)| {
            let secrets = unseal(sealed.as_deref(), open)?;
            Ok(ChannelView {
                setup,
                secrets_set: secrets.into_keys().collect(),
                updated_by: by,
                updated_at: from_ts(at),
            })
        })
        .collect()
}

pub(super) fn unseal(
    sealed: Option<&[u8]>,
    open: &dyn Fn(&[u8]) -> Result<String, StoreError>,
) -> Result<BTreeMap<String, String>, StoreError> {
    match sealed {
        None => Ok(BTreeMap::new()),
        Some(bytes) => {
            let json = open(bytes)?;
            serde_json::from_str(&json).map_err(|_| StoreError::Backend("a channel's secrets cannot be read".into()))
        }
    }
}

/// Sets a channel; returns the names of the secrets that changed (for the audit record).
pub(super) fn set_channel(
    tx: &Transaction,
    setup: &ChannelSetup,
    given: &[SecretValue],
    keys: (&dyn Fn(&[u8]) -> Result<String, StoreError>, &dyn Fn(&str) -> Result<Vec<u8>, StoreError>),
    by: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let (open, seal) = keys;
    let channel = setup.channel().key();
    let sealed: Option<Option<Vec<u8>>> = tx
        .query_row("SELECT secrets_sealed FROM notify_channel WHERE channel = ?1", [channel], |r| r.get(0))
        .optional()?;
    let mut secrets = unseal(sealed.flatten().as_deref(), open)?;
    let names = setup.secret_names();
    let mut changed = Vec::new();
    for s in given {
        if !names.iter().any(|(n, _)| *n == s.name) {
            let known: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
            return Err(StoreError::Invalid(format!(
                "{channel}: secret “{}” is not one of {}",
                s.name.chars().take(40).collect::<String>(),
                known.join(", ")
            )));
        }
        let value = s.value.trim();
        if value.len() > 2000 || value.chars().any(char::is_control) {
            return Err(StoreError::Invalid(format!("{channel}.{}: at most 2,000 characters, one line", s.name)));
        }
        if s.name == "webhook" && !value.is_empty() && !value.starts_with("https://") && !value.starts_with("http://") {
            return Err(StoreError::Invalid(format!("{channel}.webhook: an http(s):// address")));
        }
        if value.is_empty() {
            secrets.remove(&s.name);
        } else {
            secrets.insert(s.name.clone(), value.to_owned());
        }
        changed.push(s.name.clone());
    }
    for (name, needed) in names {
        if *needed && !secrets.contains_key(*name) {
            return Err(StoreError::Invalid(format!("{channel}.{name}: required (stored sealed, never shown again)")));
        }
    }
    let sealed = if secrets.is_empty() {
        None
    } else {
        Some(seal(&serde_json::to_string(&secrets).map_err(|e| bad_row("secrets", e))?)?)
    };
    let json = serde_json::to_string(setup).map_err(|e| bad_row("channel setup", e))?;
    tx.execute(
        "INSERT INTO notify_channel (channel, setup, secrets_sealed, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (channel) DO UPDATE SET setup = excluded.setup, secrets_sealed = excluded.secrets_sealed,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![channel, json, sealed, by, ts(now)],
    )?;
    Ok(changed)
}

/// An event found in the records, with what its message may say.
struct Found {
    key: String,
    event: NotifyEvent,
    hall: Option<String>,
    department: Option<String>,
    facts: Facts,
}

/// A random code of 16 letters and digits (80 bits) with which a person confirms a message.
fn read_code() -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..16).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
}

fn person_key(p: &notify::Person) -> String {
    format!("{}/{}/{}", p.hall.as_deref().unwrap_or("*"), p.department.as_deref().unwrap_or("值班"), p.name)
}

/// What a scan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Messages put in the outbox.
    pub queued: u32,
    /// Of them, held for the digest.
    pub held: u32,
    /// Digests made.
    pub digests: u32,
    /// The newest alert revision seen (the next scan looks only at alerts changed after it).
    pub alert_rev: i64,
}

/// Finds the events that should be told and puts their messages in the outbox — each event × person ×
/// channel at most once, whoever scans — then folds what waited an hour over the limit into digests.
/// `alert_rev`: alerts changed after this revision only (0: all open alerts).
pub(super) fn scan(
    tx: &Transaction,
    rules: &RuleBook,
    channels: &[Channel],
    alert_rev: i64,
    now: DateTime<Utc>,
) -> Result<ScanReport, StoreError> {
    let (settings, _) = settings(tx, rules)?;
    let mut report = ScanReport { alert_rev, ..ScanReport::default() };
    if !settings.enabled || channels.is_empty() {
        return Ok(report);
    }
    let (found, rev) = events(tx, rules, alert_rev, now)?;
    report.alert_rev = rev;
    for f in found {
        let recipients = settings.recipients(f.event, f.hall.as_deref(), f.department.as_deref());
        for (person, person_channels) in recipients {
            for channel in person_channels.into_iter().filter(|c| channels.contains(c)) {
                let address = match channel {
                    Channel::Email => person.email.clone(),
                    Channel::Wecom | Channel::Dingtalk | Channel::Sms => person.mobile.clone(),
                };
                let Some(address) = address else { continue };
                let key = person_key(person);
                let text = notify::render(settings.template(f.event), f.event, &f.facts);
                let held = !f.event.is_urgent() && sent_last_hour(tx, &key, channel, now)? >= settings.per_hour;
                if insert(
                    tx,
                    &settings,
                    (&f.key, f.event.key().as_str(), f.hall.as_deref()),
                    person,
                    &key,
                    channel,
                    &address,
                    &text,
                    held,
                    now,
                )? {
                    report.queued += 1;
                    report.held += u32::from(held);
                }
            }
        }
    }
    report.digests = digests(tx, &settings, now)?;
    Ok(report)
}

/// Messages of a person on a channel made in the last hour that count against the limit.
fn sent_last_hour(tx: &Transaction, person_key: &str, channel: Channel, now: DateTime<Utc>) -> Result<u32, StoreError> {
    let n: i64 = tx.query_row(
        "SELECT count(*) FROM notify_message WHERE person_key = ?1 AND channel = ?2 AND created_at > ?3
           AND state NOT IN ('held', 'digested')",
        params![person_key, channel.key(), ts(now) - 3600],
        |r| r.get(0),
    )?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Inserts one message unless this event has it already for the person on the channel.
#[expect(clippy::too_many_arguments, reason = "one row's columns")]
fn insert(
    tx: &Transaction,
    settings: &NotifySettings,
    (event_key, event, hall): (&str, &str, Option<&str>),
    person: &notify::Person,
    person_key: &str,
    channel: Channel,
    address: &str,
    text: &str,
    held: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let code = read_code();
    let text = format!("{text}\n{}", notify::read_line(settings.read_link.as_deref(), &code));
    let urgent = NotifyEvent::ALL.iter().any(|e| e.key() == event && e.is_urgent());
    let due = quiet_due(settings, urgent, channel, now);
    let n = tx.execute(
        "INSERT INTO notify_message (event_key, event, hall_code, person, person_key, channel, address, text,
           created_at, due_at, state, next_try_at, read_code)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10, ?12)
         ON CONFLICT (event_key, person_key, channel) DO NOTHING",
        params![
            event_key,
            event,
            hall,
            person.name,
            person_key,
            channel.key(),
            address,
            text,
            ts(now),
            ts(due),
            if held { "held" } else { "pending" },
            code
        ],
    )?;
    Ok(n > 0)
}

/// When a message made now may go on `channel`: an SMS that is not urgent waits out the quiet hours.
fn quiet_due(settings: &NotifySettings, urgent: bool, channel: Channel, now: DateTime<Utc>) -> DateTime<Utc> {
    // `send_at` decides by event; a stand-in event of the same urgency asks it.
    let event = if urgent { NotifyEvent::AlertRed } else { NotifyEvent::AlertYellow };
    time::from_local(settings.send_at(event, channel, time::local_datetime(now)))
}

/// Folds each person's messages held for an hour into one digest message.
fn digests(tx: &Transaction, settings: &NotifySettings, now: DateTime<Utc>) -> Result<u32, StoreError> {
    let groups: Vec<(String, String)> = tx
        .prepare(
            "SELECT person_key, channel FROM notify_message WHERE state = 'held'
             GROUP BY person_key, channel HAVING min(created_at) <= ?1",
        )?
        .query_map([ts(now) - 3600], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut made = 0;
    for (person_key, channel_key) in groups {
        let held: Vec<(i64, String, String, Option<String>, String)> = tx
            .prepare(
                "SELECT id, person, address, hall_code, text FROM notify_message
                 WHERE state = 'held' AND person_key = ?1 AND channel = ?2 ORDER BY id",
            )?
            .query_map(params![person_key, channel_key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        let Some(first) = held.first().cloned() else { continue };
        let Some(channel) = Channel::parse(&channel_key) else { continue };
        // Each held text without its own confirmation line: the digest has one of its own.
        let texts: Vec<String> = held.iter().map(|h| h.4.lines().next().unwrap_or_default().to_owned()).collect();
        let person = notify::Person {
            name: first.1.clone(),
            hall: None,
            department: None,
            mobile: None,
            email: None,
            wecom: None,
            dingtalk: None,
        };
        let key = format!("digest:{}", first.0);
        insert(
            tx,
            settings,
            (&key, "digest", first.3.as_deref()),
            &person,
            &person_key,
            channel,
            &first.2,
            &notify::digest(&texts),
            false,
            now,
        )?;
        let digest_id: i64 = tx.query_row(
            "SELECT id FROM notify_message WHERE event_key = ?1 AND person_key = ?2 AND channel = ?3",
            params![key, person_key, channel_key],
            |r| r.get(0),
        )?;
        for h in &held {
            tx.execute(
                "UPDATE notify_message SET state = 'digested', digest_id = ?2 WHERE id = ?1 AND state = 'held'",
                params![h.0, digest_id],
            )?;
        }
        made += 1;
    }
    Ok(made)
}

/// Whether the outbox already has this event (for anyone).
fn known(tx: &Transaction, key: &str) -> Result<bool, StoreError> {
    Ok(tx
        .query_row("SELECT 1 FROM notify_message WHERE event_key = ?1 LIMIT 1", [key], |r| r.get::<_, i64>(0))
        .optional()?
        .is_some())
}

/// The events to tell of: open case alerts by level (changed after `alert_rev`), unanswered 督办 notices
/// (issued, due tomorrow, overdue), 监察建议书 (issued, reply overdue), open camera alarms and tamper
/// findings, footage requests waiting for a decision. Events the outbox has are left out.
fn events(
    tx: &Transaction,
    rules: &RuleBook,
    alert_rev: i64,
    now: DateTime<Utc>,
) -> Result<(Vec<Found>, i64), StoreError> {
    let mut out = Vec::new();
    let today = time::local_date(now);
    let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();

    let mut newest = alert_rev;
    let alerts: Vec<(i64, String, i64, String, Option<String>, String, Option<String>, i64)> = tx
        .prepare(
            "SELECT a.id, a.level, a.case_id, c.case_no, c.hall_code, i.name, d.name, a.rev
             FROM alert a JOIN case_file c ON c.id = a.case_id JOIN item i ON i.code = c.item_code
             LEFT JOIN department d ON d.id = i.department_id
             WHERE a.rev > ?1 AND a.resolved_at IS NULL AND a.closed_at IS NULL ORDER BY a.rev",
        )?
        .query_map([alert_rev], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })?
        .collect::<Result<_, _>>()?;
    for (id, level, case_id, case_no, hall, item, department, rev) in alerts {
        newest = newest.max(rev);
        let event = match level.as_str() {
            "yellow" => NotifyEvent::AlertYellow,
            "orange" => NotifyEvent::AlertOrange,
            _ => NotifyEvent::AlertRed,
        };
        let key = format!("alert:{id}:{level}");
        if known(tx, &key)? {
            continue;
        }
        let loaded = super::alerts::load_case(tx, case_id, None)?;
        let deadline = super::alerts::evaluate_loaded(&loaded, rules, now).deadline.map(|d| d.day);
        out.push(Found {
            key,
            event,
            hall: hall.clone(),
            department: department.clone(),
            facts: Facts {
                case_no,
                item,
                department: department.unwrap_or_default(),
                deadline,
                hall: hall.unwrap_or_default(),
                camera: String::new(),
                code: format!("A{id}"),
            },
        });
    }

    let notices: Vec<(i64, String, String, String, Option<String>, String, Option<String>)> = tx
        .prepare(
            "SELECT n.id, n.notice_no, n.due_date, c.case_no, c.hall_code, i.name, d.name
             FROM notice n JOIN case_file c ON c.id = n.case_id JOIN item i ON i.code = c.item_code
             LEFT JOIN department d ON d.id = n.department_id WHERE n.reply_at IS NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
        .collect::<Result<_, _>>()?;
    for (id, notice_no, due, case_no, hall, item, department) in notices {
        let due = date(&due);
        let mut kinds = vec![(NotifyEvent::NoticeIssued, "issued")];
        if due == today.succ_opt() {
            kinds.push((NotifyEvent::NoticeDueTomorrow, "due_tomorrow"));
        }
        if due.is_some_and(|d| d < today) {
            kinds.push((NotifyEvent::NoticeOverdue, "overdue"));
        }
        for (event, what) in kinds {
            let key = format!("notice:{id}:{what}");
            if known(tx, &key)? {
                continue;
            }
            out.push(Found {
                key,
                event,
                hall: hall.clone(),
                department: department.clone(),
                facts: Facts {
                    case_no: case_no.clone(),
                    item: item.clone(),
                    department: department.clone().unwrap_or_default(),
                    deadline: due,
                    hall: hall.clone().unwrap_or_default(),
                    camera: String::new(),
                    code: notice_no.clone(),
                },
            });
        }
    }

    let recommendations: Vec<(i64, String, i64, i64, String, String)> = tx
        .prepare(
            "SELECT r.id, r.hall_code, r.year, r.number, r.reply_due, d.name
             FROM recommendation r JOIN department d ON d.id = r.department_id WHERE r.reply_at IS NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
        .collect::<Result<_, _>>()?;
    for (id, hall, year, number, due, department) in recommendations {
        let due = date(&due);
        let mut kinds = vec![(NotifyEvent::RecommendationIssued, "issued")];
        if due.is_some_and(|d| d < today) {
            kinds.push((NotifyEvent::RecommendationOverdue, "overdue"));
        }
        for (event, what) in kinds {
            let key = format!("recommendation:{id}:{what}");
            if known(tx, &key)? {
                continue;
            }
            out.push(Found {
                key,
                event,
                hall: Some(hall.clone()),
                department: Some(department.clone()),
                facts: Facts {
                    department: department.clone(),
                    deadline: due,
                    hall: hall.clone(),
                    code: crate::domain::assessment::recommendation_number_text(
                        i32::try_from(year).unwrap_or(0),
                        u32::try_from(number).unwrap_or(0),
                    ),
                    ..Facts::default()
                },
            });
        }
    }

    let cameras: Vec<(String, i64, String, Option<String>)> = tx
        .prepare(
            "SELECT 'camera_offline', a.id, c.name, c.hall_code FROM camera_alert a JOIN camera c ON c.id = a.camera_id
             WHERE a.resolved_at IS NULL
             UNION ALL
             SELECT 'camera_tampered', f.id, c.name, c.hall_code FROM camera_finding f JOIN camera c ON c.id = f.camera_id
             WHERE f.resolved_at IS NULL AND f.decision IS NULL AND f.kind IN ('blocked', 'moved')",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    for (kind, id, camera, hall) in cameras {
        let event = if kind == "camera_offline" { NotifyEvent::CameraOffline } else { NotifyEvent::CameraTampered };
        let key = format!("{kind}:{id}");
        if known(tx, &key)? {
            continue;
        }
        let hall_name: Option<String> = match &hall {
            Some(code) => tx.query_row("SELECT name FROM hall WHERE code = ?1", [code], |r| r.get(0)).optional()?,
            None => None,
        };
        out.push(Found {
            key,
            event,
            hall: hall.clone(),
            department: None,
            facts: Facts { hall: hall_name.unwrap_or_default(), camera, ..Facts::default() },
        });
    }

    let requests: Vec<(i64, String)> = tx
        .prepare("SELECT id, request_no FROM footage_request WHERE status = 'pending'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, request_no) in requests {
        let key = format!("footage_request:{id}");
        if known(tx, &key)? {
            continue;
        }
        out.push(Found {
            key,
            event: NotifyEvent::FootageRequestWaiting,
            hall: None,
            department: None,
            facts: Facts { code: request_no, ..Facts::default() },
        });
    }
    Ok((out, newest))
}

/// A test message to `to` on `channel` (测试发送): sent at once, whatever the quiet hours.
pub(super) fn test_message(
    tx: &Transaction,
    settings: &NotifySettings,
    channel: Channel,
    to: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let person = notify::Person {
        name: format!("测试（{by}）"),
        hall: None,
        department: None,
        mobile: None,
        email: None,
        wecom: None,
        dingtalk: None,
    };
    let key = format!("test:{}:{}", ts(now), read_code());
    let text = format!("【电子监察】测试消息：{}通道工作正常。发送人 {by}", channel.label_zh());
    let person_key = format!("test/{to}");
    // A test goes at once: urgent for the quiet hours, never held.
    let code = read_code();
    let text = format!("{text}\n{}", notify::read_line(settings.read_link.as_deref(), &code));
    tx.execute(
        "INSERT INTO notify_message (event_key, event, hall_code, person, person_key, channel, address, text,
           created_at, due_at, state, next_try_at, read_code)
         VALUES (?1, 'test', NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 'pending', ?7, ?8)",
        params![key, person.name, person_key, channel.key(), to, text, ts(now), code],
    )?;
    Ok(tx.last_insert_rowid()?)
}

/// Claims up to `limit` messages whose time has come for `server`, for [`LEASE_SECONDS`]; robots are
/// kept to their messages a minute across all servers. With notifications turned off only test
/// messages go (an administrator tries the channels before turning them on).
pub(super) fn claim(
    tx: &Transaction,
    server: &str,
    limit: u32,
    per_minute: &BTreeMap<Channel, u32>,
    now: DateTime<Utc>,
    rules: &RuleBook,
) -> Result<Vec<Outgoing>, StoreError> {
    let only_tests = !settings(tx, rules)?.0.enabled;
    let rows: Vec<(i64, String, String, String, String, String, i64)> = tx
        .prepare(
            "SELECT id, channel, address, person, text, event, attempts FROM notify_message
             WHERE state = 'pending' AND next_try_at <= ?1 AND (claimed_until IS NULL OR claimed_until < ?1)
               AND (?3 = 0 OR event = 'test')
             ORDER BY next_try_at, id LIMIT ?2",
        )?
        .query_map(params![ts(now), i64::from(limit), i64::from(only_tests)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut room: BTreeMap<Channel, i64> = BTreeMap::new();
    for (channel, n) in per_minute {
        let used: i64 = tx.query_row(
            "SELECT count(*) FROM notify_message WHERE channel = ?1
               AND (delivered_at > ?2 OR (state = 'pending' AND claimed_until IS NOT NULL AND claimed_until >= ?3))",
            params![channel.key(), ts(now) - 60, ts(now)],
            |r| r.get(0),
        )?;
        room.insert(*channel, i64::from(*n) - used);
    }
    let mut out = Vec::new();
    for (id, channel, address, person, text, event, attempts) in rows {
        let Some(channel) = Channel::parse(&channel) else { continue };
        if let Some(left) = room.get_mut(&channel) {
            if *left <= 0 {
                continue;
            }
            *left -= 1;
        }
        tx.execute(
            "UPDATE notify_message SET claimed_by = ?2, claimed_until = ?3, attempts = attempts + 1 WHERE id = ?1",
            params![id, server, ts(now) + LEASE_SECONDS],
        )?;
        out.push(Outgoing {
            id,
            channel,
            address,
            person,
            text,
            event,
            attempt: u32::try_from(attempts + 1).unwrap_or(u32::MAX),
        });
    }
    Ok(out)
}

/// Records the outcome of a send `server` claimed: delivered, or retried after the backoff, or — the
/// last attempt made — failed. A claim that lapsed and was taken by another server is left to it.
pub(super) fn finish(
    tx: &Transaction,
    settings: &NotifySettings,
    id: i64,
    server: &str,
    outcome: &Result<String, String>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let attempts: Option<i64> = tx
        .query_row(
            "SELECT attempts FROM notify_message WHERE id = ?1 AND claimed_by = ?2 AND state = 'pending'",
            params![id, server],
            |r| r.get(0),
        )
        .optional()?;
    let Some(attempts) = attempts else { return Ok(false) };
    let clip = |s: &str| s.chars().filter(|c| !c.is_control()).take(300).collect::<String>();
    match outcome {
        Ok(answer) => tx.execute(
            "UPDATE notify_message SET state = 'delivered', delivered_at = ?2, answer = ?3, claimed_by = NULL,
               claimed_until = NULL WHERE id = ?1",
            params![id, ts(now), clip(answer)],
        )?,
        Err(error) => {
            let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
            let state = if attempts >= settings.attempts { "failed" } else { "pending" };
            let next = ts(now) + notify::backoff_seconds(settings.retry_seconds, attempts);
            tx.execute(
                "UPDATE notify_message SET state = ?2, next_try_at = ?3, answer = ?4, claimed_by = NULL,
                   claimed_until = NULL WHERE id = ?1",
                params![id, state, next, clip(error)],
            )?
        }
    };
    Ok(true)
}

/// Lets go of the claims `server` held when it stopped (a restart): they go again at once. A message
/// whose request left before the stop may reach its gateway a second time; each carries its id for
/// the gateway to recognise it.
pub(super) fn release(tx: &Transaction, server: &str) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "UPDATE notify_message SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?1 AND state = 'pending'",
        [server],
    )?)
}

const RECORD_SELECT: &str = "SELECT id, event_key, event, hall_code, person, channel, address, text, created_at,
    due_at, state, attempts, next_try_at, answer, delivered_at, read_at FROM notify_message";

fn record(r: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<NotifyRecord> {
    let channel: String = r.get(5)?;
    let state: String = r.get(10)?;
    let address: String = r.get(6)?;
    Ok(NotifyRecord {
        id: r.get(0)?,
        event_key: r.get(1)?,
        event: r.get(2)?,
        hall_code: r.get(3)?,
        person: r.get(4)?,
        channel: Channel::parse(&channel).ok_or_else(|| super::alerts::conversion(5, channel.clone()))?,
        address: notify::mask_address(&address),
        text: r.get(7)?,
        created_at: from_ts(r.get(8)?),
        due_at: from_ts(r.get(9)?),
        state: MessageState::parse(&state).ok_or_else(|| super::alerts::conversion(10, state.clone()))?,
        attempts: u32::try_from(r.get::<_, i64>(11)?).unwrap_or(0),
        next_try_at: (state == "pending").then(|| from_ts(r.get::<_, i64>(12).unwrap_or(0))),
        answer: r.get(13)?,
        delivered_at: r.get::<_, Option<i64>>(14)?.map(from_ts),
        read_at: r.get::<_, Option<i64>>(15)?.map(from_ts),
    })
}

/// The delivery log, newest first, within `scope_sql` (the caller's halls on `hall_code`).
pub(super) fn log(
    conn: &Connection,
    query: &NotifyLogQuery,
    scope_sql: &str,
    now: DateTime<Utc>,
) -> Result<Vec<NotifyRecord>, StoreError> {
    let to = query.to.unwrap_or_else(|| time::local_date(now));
    let from = query.from.unwrap_or(to - Duration::days(6));
    let (start, _) = super::query::day_bounds(from);
    let (_, end) = super::query::day_bounds(to);
    let limit = if query.limit == 0 { 500 } else { query.limit.min(5000) };
    let mut sql = format!("{RECORD_SELECT} WHERE created_at >= ?1 AND created_at < ?2");
    if let Some(state) = query.state {
        sql.push_str(&format!(" AND state = '{}'", state.as_str()));
    }
    if query.event_key.is_some() {
        sql.push_str(" AND event_key = ?4");
    } else {
        sql.push_str(" AND ?4 IS NULL");
    }
    sql.push_str(scope_sql);
    sql.push_str(" ORDER BY id DESC LIMIT ?3");
    Ok(conn
        .prepare(&sql)?
        .query_map(params![start, end, i64::from(limit), query.event_key], record)?
        .collect::<Result<_, _>>()?)
}

/// Messages waiting and failed in the last seven days, within the scope.
pub(super) fn counts(conn: &Connection, scope_sql: &str, now: DateTime<Utc>) -> Result<(u32, u32), StoreError> {
    let count = |sql: String, at: i64| -> Result<u32, StoreError> {
        let n: i64 = conn.query_row(&sql, [at], |r| r.get(0))?;
        Ok(u32::try_from(n).unwrap_or(0))
    };
    Ok((
        count(
            format!(
                "SELECT count(*) FROM notify_message WHERE state IN ('pending', 'held') AND created_at > ?1{scope_sql}"
            ),
            0,
        )?,
        count(
            format!("SELECT count(*) FROM notify_message WHERE state = 'failed' AND created_at > ?1{scope_sql}"),
            ts(now) - 7 * 86_400,
        )?,
    ))
}

/// 已阅: the message with this code confirmed (the first time counts).
pub(super) fn confirm(
    tx: &Transaction,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i64, ReadReceipt)>, StoreError> {
    let row: Option<(i64, String, String, Option<i64>)> = tx
        .query_row("SELECT id, person, text, read_at FROM notify_message WHERE read_code = ?1", [code], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((id, person, text, read_at)) = row else { return Ok(None) };
    if read_at.is_none() {
        tx.execute("UPDATE notify_message SET read_at = ?2 WHERE id = ?1", params![id, ts(now)])?;
    }
    let text = text.lines().next().unwrap_or_default().to_owned();
    Ok(Some((id, ReadReceipt { person, text, read_at: read_at.map_or(now, from_ts), again: read_at.is_some() })))
}

/// The message with this code, without confirming it (the page the link opens).
pub(super) fn peek(conn: &Connection, code: &str) -> Result<Option<ReadReceipt>, StoreError> {
    let row: Option<(String, String, Option<i64>)> = conn
        .query_row("SELECT person, text, read_at FROM notify_message WHERE read_code = ?1", [code], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    Ok(row.map(|(person, text, read_at)| ReadReceipt {
        person,
        text: text.lines().next().unwrap_or_default().to_owned(),
        read_at: read_at.map_or(DateTime::<Utc>::MIN_UTC, from_ts),
        again: read_at.is_some(),
    }))
}

/// The messages of the events whose keys begin with one of `prefixes` (`alert:17:`, `notice:3:`),
/// oldest first: what a case's detail shows with its 已阅 times.
pub(super) fn of_events(conn: &Connection, prefixes: &[String]) -> Result<Vec<NotifyRecord>, StoreError> {
    let mut out = Vec::new();
    let mut statement =
        conn.prepare(&format!("{RECORD_SELECT} WHERE substr(event_key, 1, length(?1)) = ?1 ORDER BY id"))?;
    for prefix in prefixes {
        out.extend(statement.query_map([prefix], record)?.collect::<Result<Vec<_>, _>>()?);
    }
    out.sort_by_key(|r| r.id);
    Ok(out)
}

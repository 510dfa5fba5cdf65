//! A hall's configuration in force and applying a new one (the hall file, 系统管理); camera passwords
//! and the playable URLs made with them.

use crate::store::sql::{Connection, OptionalExtension as _, params};

use crate::domain::hall::{self, CameraSpec, HallConfig, HallDiff, Part, Vendor, WindowSpec};
use crate::domain::model::{Department, Hall};
use crate::store::{CameraStream, StoreError};

use super::secrets::CameraKey;
use super::{Write, ts};

/// The code of the one hall, or of `hall` when given and known.
fn hall_code(conn: &Connection, hall: Option<&str>) -> Result<String, StoreError> {
    let codes: Vec<String> =
        conn.prepare("SELECT code FROM hall ORDER BY code")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    match hall {
        Some(code) if codes.iter().any(|c| c == code) => Ok(code.to_owned()),
        Some(code) => Err(StoreError::NotFound(format!("hall {code}"))),
        None => match codes.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(StoreError::NotFound(
                "a hall (none is set up yet: write a hall file and apply it with `jiancha hall apply FILE`)".into(),
            )),
            many => Err(StoreError::Invalid(format!("there are several halls ({}): name one", many.join(", ")))),
        },
    }
}

/// The configuration in force of hall `code`: its active departments, windows and cameras.
fn load(conn: &Connection, code: &str) -> Result<Option<HallConfig>, StoreError> {
    let Some(hall) = conn
        .query_row("SELECT code, name, address, level FROM hall WHERE code = ?1", [code], |r| {
            let level: String = r.get(3)?;
            Ok(Hall { code: r.get(0)?, name: r.get(1)?, address: r.get(2)?, level: level.parse().unwrap_or_default() })
        })
        .optional()?
    else {
        return Ok(None);
    };
    let departments = conn
        .prepare(
            "SELECT name, short_name, head, phone FROM department WHERE hall_code = ?1 AND retired_at IS NULL
             ORDER BY id",
        )?
        .query_map([code], |r| {
            Ok(Department { name: r.get(0)?, short_name: r.get(1)?, head: r.get(2)?, phone: r.get(3)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let windows = conn
        .prepare(
            "SELECT w.code, w.name, d.name FROM service_window w
             LEFT JOIN department d ON d.id = w.department_id AND d.hall_code = w.hall_code
             WHERE w.hall_code = ?1 AND w.retired_at IS NULL ORDER BY w.code",
        )?
        .query_map([code], |r| Ok(WindowSpec { code: r.get(0)?, name: r.get(1)?, department: r.get(2)? }))?
        .collect::<Result<Vec<_>, _>>()?;
    let cameras = conn
        .prepare(
            "SELECT c.name, w.code, c.vendor, c.host, c.port, c.channel, c.username, c.main_url, c.sub_url
             FROM camera c LEFT JOIN service_window w ON w.id = c.window_id
             WHERE c.hall_code = ?1 AND c.retired_at IS NULL ORDER BY c.id",
        )?
        .query_map([code], |r| {
            let vendor: String = r.get(2)?;
            Ok(CameraSpec {
                name: r.get(0)?,
                window: r.get(1)?,
                vendor: vendor.parse().unwrap_or_default(),
                host: r.get(3)?,
                port: r.get(4)?,
                channel: r.get(5)?,
                user: r.get(6)?,
                main_url: r.get(7)?,
                sub_url: r.get(8)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(HallConfig { hall, departments, windows, cameras }))
}

pub(super) fn config(conn: &Connection, hall: Option<&str>) -> Result<HallConfig, StoreError> {
    let code = hall_code(conn, hall)?;
    load(conn, &code)?.ok_or_else(|| StoreError::NotFound(format!("hall {code}")))
}

/// Checks a configuration from the network or a file the way the store needs it.
fn check(config: &HallConfig) -> Result<HallConfig, StoreError> {
    config.check().map_err(|(part, i, field, reason)| {
        let which = match part {
            Part::Hall => "hall".to_owned(),
            _ => format!("{} {}", part.as_str(), i + 1),
        };
        StoreError::Invalid(format!("{which}: {field}: {reason}"))
    })?;
    let mut config = config.clone();
    for c in &mut config.cameras {
        c.fill_urls();
    }
    Ok(config)
}

/// What applying `desired` would do to what is in force.
pub(super) fn plan(conn: &Connection, desired: &HallConfig) -> Result<(HallConfig, HallDiff), StoreError> {
    let desired = check(desired)?;
    let empty = || HallConfig {
        hall: Hall { code: String::new(), ..desired.hall.clone() },
        departments: Vec::new(),
        windows: Vec::new(),
        cameras: Vec::new(),
    };
    let current = load(conn, &desired.hall.code)?.unwrap_or_else(empty);
    let diff = hall::diff(&current, &desired);
    Ok((desired, diff))
}

pub(super) fn apply(w: &Write<'_>, desired: &HallConfig) -> Result<HallDiff, StoreError> {
    let (desired, diff) = plan(w.tx, desired)?;
    if diff.is_empty() {
        w.unchanged();
        return Ok(diff);
    }
    let tx = w.tx;
    let now = ts(w.now);
    let code = &desired.hall.code;
    tx.execute(
        "INSERT INTO hall (code, name, address, level) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, address = excluded.address, level = excluded.level",
        params![code, desired.hall.name, desired.hall.address, desired.hall.level.as_str()],
    )?;
    for d in &desired.departments {
        upsert_department(tx, code, d)?;
    }
    for wnd in &desired.windows {
        upsert_window(tx, code, wnd)?;
    }
    for c in &desired.cameras {
        upsert_camera(tx, code, c)?;
    }
    for r in &diff.retired {
        match r.part {
            Part::Hall => {}
            Part::Department => {
                tx.execute(
                    "UPDATE department SET retired_at = ?3 WHERE hall_code = ?1 AND name = ?2",
                    params![code, r.key, now],
                )?;
            }
            Part::Window => {
                tx.execute(
                    "UPDATE service_window SET retired_at = ?3 WHERE hall_code = ?1 AND code = ?2",
                    params![code, r.key, now],
                )?;
            }
            Part::Camera => {
                tx.execute(
                    "UPDATE camera SET retired_at = ?3 WHERE hall_code = ?1 AND name = ?2",
                    params![code, r.key, now],
                )?;
            }
        }
    }
    w.audit("hall.apply", &format!("hall:{code}"), serde_json::to_value(&diff).unwrap_or_default())?;
    Ok(diff)
}

/// Adds or updates hall `hall`'s department `d` and brings it back if it was retired.
pub(super) fn upsert_department(tx: &Connection, hall: &str, d: &Department) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO department (hall_code, name, short_name, head, phone) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (hall_code, name) DO UPDATE SET short_name = excluded.short_name, head = excluded.head,
           phone = excluded.phone, retired_at = NULL",
        params![hall, d.name, d.short_name, d.head, d.phone],
    )?;
    Ok(())
}

pub(super) fn upsert_window(tx: &Connection, hall: &str, w: &WindowSpec) -> Result<(), StoreError> {
    let department: Option<i64> = match &w.department {
        Some(name) => Some(
            tx.query_row("SELECT id FROM department WHERE hall_code = ?1 AND name = ?2", [hall, name], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::Invalid(format!("window {}: department {name} is unknown", w.code)))?,
        ),
        None => None,
    };
    tx.execute(
        "INSERT INTO service_window (hall_code, code, name, department_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (hall_code, code) DO UPDATE SET name = excluded.name, department_id = excluded.department_id,
           retired_at = NULL",
        params![hall, w.code, w.name, department],
    )?;
    Ok(())
}

/// Adds or updates a camera (never its password) and brings it back if it was retired.
pub(super) fn upsert_camera(tx: &Connection, hall: &str, c: &CameraSpec) -> Result<(), StoreError> {
    let window: Option<i64> = match &c.window {
        Some(code) => Some(
            tx.query_row(
                "SELECT id FROM service_window WHERE hall_code = ?1 AND code = ?2",
                params![hall, code],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::Invalid(format!("camera {}: window {code} is not in hall {hall}", c.name)))?,
        ),
        None => None,
    };
    // A camera that now points at another host loses its sealed password: the next `camera_streams`
    // would otherwise send it to whoever answers there. It is set again for the new device.
    let before: Option<(String, Option<String>)> = tx
        .query_row(
            "SELECT main_url, sub_url FROM camera WHERE hall_code = ?1 AND name = ?2",
            params![hall, c.name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((main, sub)) = before {
        let hosts = |main: &str, sub: Option<&str>| (hall::url_authority(main), sub.map(hall::url_authority));
        if hosts(&main, sub.as_deref()) != hosts(&c.main_url, c.sub_url.as_deref()) {
            tx.execute(
                "UPDATE camera SET password_sealed = NULL WHERE hall_code = ?1 AND name = ?2",
                params![hall, c.name],
            )?;
        }
    }
    tx.execute(
        "INSERT INTO camera (name, hall_code, window_id, main_url, sub_url, vendor, host, port, channel, username)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (hall_code, name) DO UPDATE SET window_id = excluded.window_id, main_url = excluded.main_url,
           sub_url = excluded.sub_url, vendor = excluded.vendor, host = excluded.host, port = excluded.port,
           channel = excluded.channel, username = excluded.username, retired_at = NULL",
        params![c.name, hall, window, c.main_url, c.sub_url, c.vendor.as_str(), c.host, c.port, c.channel, c.user],
    )?;
    Ok(())
}

/// A camera given as plain URLs that may hold credentials (the demo, older set-ups): the URLs are
/// kept without them, the user on its own and the password sealed.
pub(super) fn upsert_plain_camera(
    tx: &Connection,
    key: &CameraKey,
    hall: &str,
    name: &str,
    window: Option<&str>,
    main_url: &str,
    sub_url: Option<&str>,
) -> Result<(), StoreError> {
    let (main, user, password) = hall::split_credentials(main_url);
    let sub = sub_url.map(|u| hall::split_credentials(u).0);
    let spec = CameraSpec {
        name: name.to_owned(),
        window: window.map(str::to_owned),
        vendor: Vendor::Rtsp,
        host: String::new(),
        port: hall::RTSP_PORT,
        channel: 1,
        user: user.unwrap_or_default(),
        main_url: main,
        sub_url: sub,
    };
    spec.check().map_err(|(field, reason)| StoreError::Invalid(format!("camera {name}: {field}: {reason}")))?;
    upsert_camera(tx, hall, &spec)?;
    if let Some(p) = password {
        seal_password(tx, key, hall, name, Some(&p))?;
    }
    Ok(())
}

/// Sets or clears a camera's sealed password; `false` when there is no such camera.
pub(super) fn seal_password(
    tx: &Connection,
    key: &CameraKey,
    hall: &str,
    camera: &str,
    password: Option<&str>,
) -> Result<bool, StoreError> {
    let sealed = match password {
        Some(p) => Some(key.seal(p)?),
        None => None,
    };
    let n = tx.execute(
        "UPDATE camera SET password_sealed = ?3 WHERE hall_code = ?1 AND name = ?2",
        params![hall, camera, sealed],
    )?;
    Ok(n > 0)
}

/// The active cameras' playable URLs.
pub(super) fn streams(
    conn: &Connection,
    key: &CameraKey,
    scope: &crate::domain::access::Scope,
) -> Result<Vec<CameraStream>, StoreError> {
    // Only the cameras of the caller's halls: another hall's passwords are never opened for it.
    let rows: Vec<(i64, String, String, Option<String>, String, Option<Vec<u8>>)> = conn
        .prepare(&format!(
            "SELECT id, name, main_url, sub_url, username, password_sealed FROM camera WHERE retired_at IS NULL{}
             ORDER BY hall_code, id",
            scope.sql("hall_code")
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, main, sub, user, sealed) in rows {
        let password = match sealed {
            Some(s) => Some(key.open(&s).map_err(|e| StoreError::Backend(format!("camera {name}: {e}")))?),
            None => None,
        };
        let url = |u: &str| hall::with_credentials(u, &user, password.as_deref());
        out.push(CameraStream { id, main_url: url(&main), sub_url: sub.as_deref().map(url), name });
    }
    Ok(out)
}

/// Moves credentials found in stored URLs (databases from before version 10) out of them: the user on
/// its own, the password sealed. Run when the store opens; a no-op once done.
pub(super) fn seal_embedded_credentials(conn: &Connection, key: &CameraKey) -> Result<usize, StoreError> {
    let rows: Vec<(String, String, String, Option<String>)> = conn
        .prepare(
            "SELECT hall_code, name, main_url, sub_url FROM camera WHERE main_url LIKE '%@%' OR sub_url LIKE '%@%'",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut moved = 0;
    for (hall_code, name, main, sub) in rows {
        let (main_clean, user, password) = hall::split_credentials(&main);
        let sub_clean = sub.as_deref().map(|s| hall::split_credentials(s).0);
        if main_clean == main && sub_clean == sub {
            continue; // an '@' in the path, not credentials
        }
        conn.execute(
            "UPDATE camera SET main_url = ?3, sub_url = ?4, username = coalesce(?5, username) WHERE hall_code = ?1 AND name = ?2",
            params![hall_code, name, main_clean, sub_clean, user],
        )?;
        if let Some(p) = password {
            seal_password(conn, key, &hall_code, &name, Some(&p))?;
        }
        moved += 1;
    }
    Ok(moved)
}

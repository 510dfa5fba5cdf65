//! The hall file: a hall's whole configuration as TOML (`jiancha hall export` / `hall apply`), for
//! set-up by script, review and version control. One hall per file, with the tables `[hall]`,
//! `[[department]]`, `[[window]]`, `[[camera]]`. Camera passwords are never in it.
//!
//! Pure: text in, a checked [`HallConfig`] out, or every problem with its line and key
//! (`hall.toml:12: camera[2].vendor: …`). Unknown keys are errors (a misspelt key must not be
//! silently ignored).

use serde::Deserialize;
use toml::Spanned;

use super::{InputError, InputErrors};
use crate::domain::hall::{CameraSpec, HallConfig, Part, RTSP_PORT, Vendor, WindowSpec};
use crate::domain::model::{Department, Hall, HallLevel};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileT {
    hall: HallT,
    #[serde(default)]
    department: Vec<DepartmentT>,
    #[serde(default)]
    window: Vec<WindowT>,
    #[serde(default)]
    camera: Vec<CameraT>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HallT {
    code: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    address: String,
    level: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentT {
    name: Spanned<String>,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    head: String,
    #[serde(default)]
    phone: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowT {
    code: Spanned<String>,
    #[serde(default)]
    name: String,
    department: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CameraT {
    name: Spanned<String>,
    window: Option<Spanned<String>>,
    vendor: Spanned<String>,
    host: Option<Spanned<String>>,
    port: Option<Spanned<u16>>,
    channel: Option<Spanned<u32>>,
    #[serde(default)]
    user: Option<Spanned<String>>,
    main_url: Option<Spanned<String>>,
    sub_url: Option<Spanned<String>>,
    /// Refused with a clear word: passwords are set on their own.
    password: Option<Spanned<toml::Value>>,
}

/// Where things are in the text: byte offsets to lines, and the header line of each table.
struct Positions<'a> {
    text: &'a str,
}

impl Positions<'_> {
    fn line_of(&self, offset: usize) -> u64 {
        self.text[..offset.min(self.text.len())].bytes().filter(|b| *b == b'\n').count() as u64 + 1
    }

    /// The line of the `index`-th (0-based) header of `table` (`[hall]`, `[[camera]]`).
    fn header_line(&self, table: &str, index: usize) -> u64 {
        let single = format!("[{table}]");
        let array = format!("[[{table}]]");
        self.text
            .lines()
            .enumerate()
            .filter(|(_, l)| {
                let l = l.split('#').next().unwrap_or("").trim();
                l.replace(' ', "") == single || l.replace(' ', "") == array
            })
            .nth(index)
            .map_or(0, |(i, _)| i as u64 + 1)
    }

    /// The table a line belongs to, as `hall`, `camera[2]` (1-based index), from the headers above it.
    fn table_at(&self, line: u64) -> String {
        let mut current = String::new();
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for (i, l) in self.text.lines().enumerate() {
            if i as u64 + 1 > line {
                break;
            }
            let l = l.split('#').next().unwrap_or("").trim().replace(' ', "");
            if let Some(name) = l.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
                let n = counts.entry(name.to_owned()).or_default();
                *n += 1;
                current = format!("{name}[{n}]");
            } else if let Some(name) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                current = name.to_owned();
            }
        }
        current
    }

    /// The key written on `line` (`port = …` → `port`).
    fn key_on(&self, line: u64) -> Option<String> {
        let l = self.text.lines().nth(line.checked_sub(1)? as usize)?;
        let (key, _) = l.split_once('=')?;
        let key = key.trim().trim_matches('"');
        (!key.is_empty() && !key.starts_with('[')).then(|| key.to_owned())
    }
}

fn table_name(part: Part) -> &'static str {
    part.as_str()
}

/// Reads a hall file. `file` names it in the errors.
pub fn parse(file: &str, text: &str) -> Result<HallConfig, InputErrors> {
    let pos = Positions { text };
    let error = |line: u64, field: String, message: String| InputErrors {
        errors: vec![InputError { file: file.to_owned(), line, field, message }],
        more: 0,
    };
    let raw: FileT = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| pos.line_of(s.start));
        let message = e.message().trim().to_owned();
        let table = pos.table_at(line);
        // A missing key is named by the message; a wrong value by the line it is on.
        let key = quoted_name(&message, "missing field")
            .or_else(|| quoted_name(&message, "unknown field"))
            .or_else(|| pos.key_on(line));
        let field = match (table.is_empty(), key) {
            (true, Some(k)) => k,
            (false, Some(k)) => format!("{table}.{k}"),
            (_, None) => table,
        };
        error(line, field, message)
    })?;

    let at = |span: std::ops::Range<usize>| pos.line_of(span.start);
    let hall_line = pos.header_line("hall", 0);
    let level = match &raw.hall.level {
        None => HallLevel::City,
        Some(l) => l.get_ref().parse().map_err(|m| error(at(l.span()), "hall.level".into(), m))?,
    };
    let config = HallConfig {
        hall: Hall {
            code: raw.hall.code.get_ref().trim().to_owned(),
            name: raw.hall.name.get_ref().trim().to_owned(),
            address: raw.hall.address.trim().to_owned(),
            level,
        },
        departments: raw
            .department
            .iter()
            .map(|d| Department {
                name: d.name.get_ref().trim().to_owned(),
                short_name: d.short_name.trim().to_owned(),
                head: d.head.trim().to_owned(),
                phone: d.phone.trim().to_owned(),
            })
            .collect(),
        windows: raw
            .window
            .iter()
            .map(|w| WindowSpec {
                code: w.code.get_ref().trim().to_owned(),
                name: if w.name.trim().is_empty() {
                    w.code.get_ref().trim().to_owned()
                } else {
                    w.name.trim().to_owned()
                },
                department: w.department.as_ref().map(|d| d.get_ref().trim().to_owned()),
            })
            .collect(),
        cameras: raw.camera.iter().enumerate().map(|(i, c)| camera(c, i, &pos, file)).collect::<Result<_, _>>()?,
    };
    config.check().map_err(|(part, i, field, message)| {
        let line = span_of(&raw, part, i, field).map(at).unwrap_or_else(|| match part {
            Part::Hall => hall_line,
            _ => pos.header_line(table_name(part), i),
        });
        let key = match part {
            Part::Hall => format!("hall.{field}"),
            _ => format!("{}[{}].{field}", part.as_str(), i + 1),
        };
        error(line, key, message)
    })?;
    Ok(config)
}

fn quoted_name(message: &str, after: &str) -> Option<String> {
    let rest = &message[message.find(after)? + after.len()..];
    let start = rest.find('`')? + 1;
    let end = start + rest[start..].find('`')?;
    Some(rest[start..end].to_owned())
}

/// The span of a key in the raw file, for the line of a semantic error.
fn span_of(raw: &FileT, part: Part, i: usize, field: &str) -> Option<std::ops::Range<usize>> {
    fn s<T>(v: &Option<Spanned<T>>) -> Option<std::ops::Range<usize>> {
        v.as_ref().map(Spanned::span)
    }
    match part {
        Part::Hall => match field {
            "code" => Some(raw.hall.code.span()),
            "name" => Some(raw.hall.name.span()),
            _ => None,
        },
        Part::Department => raw.department.get(i).map(|d| d.name.span()),
        Part::Window => {
            let w = raw.window.get(i)?;
            match field {
                "department" => s(&w.department),
                _ => Some(w.code.span()),
            }
        }
        Part::Camera => {
            let c = raw.camera.get(i)?;
            match field {
                "name" => Some(c.name.span()),
                "window" => s(&c.window),
                "host" => s(&c.host),
                "port" => s(&c.port),
                "channel" => s(&c.channel),
                "user" => s(&c.user),
                "main_url" => s(&c.main_url),
                "sub_url" => s(&c.sub_url),
                _ => Some(c.vendor.span()),
            }
        }
    }
}

fn camera(c: &CameraT, i: usize, pos: &Positions<'_>, file: &str) -> Result<CameraSpec, InputErrors> {
    let key = |k: &str| format!("camera[{}].{k}", i + 1);
    let error = |span: std::ops::Range<usize>, k: &str, message: String| InputErrors {
        errors: vec![InputError { file: file.to_owned(), line: pos.line_of(span.start), field: key(k), message }],
        more: 0,
    };
    if let Some(p) = &c.password {
        return Err(error(
            p.span(),
            "password",
            "camera passwords are never kept in the hall file: set them with `jiancha cameras passwd NAME` or in \
             系统管理"
                .into(),
        ));
    }
    let vendor: Vendor = c.vendor.get_ref().parse().map_err(|m| error(c.vendor.span(), "vendor", m))?;
    let text = |v: &Option<Spanned<String>>| v.as_ref().map(|s| s.get_ref().trim().to_owned());
    let mut spec = CameraSpec {
        name: c.name.get_ref().trim().to_owned(),
        window: text(&c.window),
        vendor,
        host: text(&c.host).unwrap_or_default(),
        port: c.port.as_ref().map_or(RTSP_PORT, |p| *p.get_ref()),
        channel: c.channel.as_ref().map_or(1, |p| *p.get_ref()),
        user: text(&c.user).unwrap_or_default(),
        main_url: text(&c.main_url).unwrap_or_default(),
        sub_url: text(&c.sub_url).filter(|s| !s.is_empty()),
    };
    match vendor {
        Vendor::Rtsp => {
            if c.main_url.is_none() {
                return Err(error(
                    c.vendor.span(),
                    "main_url",
                    "vendor = \"rtsp\" takes main_url = \"rtsp://…\"".into(),
                ));
            }
            if let Some(h) = &c.host {
                return Err(error(h.span(), "host", "vendor = \"rtsp\" takes main_url and sub_url, not host".into()));
            }
        }
        _ => {
            if let Some(u) = c.main_url.as_ref().or(c.sub_url.as_ref()) {
                return Err(error(
                    u.span(),
                    if c.main_url.is_some() { "main_url" } else { "sub_url" },
                    format!(
                        "vendor = \"{vendor}\" makes the URLs from host, port and channel; use vendor = \"rtsp\" to give them"
                    ),
                ));
            }
            if c.host.is_none() {
                return Err(error(c.vendor.span(), "host", format!("vendor = \"{vendor}\" needs host = \"…\"")));
            }
            spec.fill_urls();
        }
    }
    Ok(spec)
}

/// The hall file of a configuration, in the layout `parse` reads (and the README shows).
pub fn export(config: &HallConfig) -> String {
    fn q(text: &str) -> String {
        toml::Value::String(text.to_owned()).to_string()
    }
    let mut out = String::new();
    let h = &config.hall;
    out.push_str(
        "# 大厅配置 (hall file) — apply with `jiancha hall apply FILE`; camera passwords are never in it.\n\n",
    );
    out.push_str("[hall]\n");
    out.push_str(&format!("code = {}\nname = {}\naddress = {}\n", q(&h.code), q(&h.name), q(&h.address)));
    out.push_str(&format!("level = {}              # city | county | branch\n", q(h.level.as_str())));
    for d in &config.departments {
        out.push_str("\n[[department]]\n");
        out.push_str(&format!("name = {}\n", q(&d.name)));
        out.push_str(&format!("short_name = {}\nhead = {}\nphone = {}\n", q(&d.short_name), q(&d.head), q(&d.phone)));
    }
    for w in &config.windows {
        out.push_str("\n[[window]]\n");
        out.push_str(&format!("code = {}\nname = {}\n", q(&w.code), q(&w.name)));
        if let Some(d) = &w.department {
            out.push_str(&format!("department = {}\n", q(d)));
        }
    }
    for c in &config.cameras {
        out.push_str("\n[[camera]]\n");
        out.push_str(&format!("name = {}\n", q(&c.name)));
        if let Some(w) = &c.window {
            out.push_str(&format!("window = {}\n", q(w)));
        }
        out.push_str(&format!("vendor = {}\n", q(c.vendor.as_str())));
        match c.vendor {
            Vendor::Rtsp => {
                out.push_str(&format!("main_url = {}\n", q(&c.main_url)));
                if let Some(s) = &c.sub_url {
                    out.push_str(&format!("sub_url = {}\n", q(s)));
                }
            }
            _ => {
                out.push_str(&format!("host = {}\nport = {}\nchannel = {}\n", q(&c.host), c.port, c.channel));
            }
        }
        if !c.user.is_empty() {
            out.push_str(&format!("user = {}\n", q(&c.user)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[hall]
code = "SP-CITY"
name = "四平市政务服务中心"
address = "四平市铁西区"
level = "city"

[[department]]
name = "市市场监督管理局"
short_name = "市场监管"
head = "王主任"
phone = "0434-3261234"

[[window]]
code = "A01"
name = "市场监管 1 号窗"
department = "市市场监督管理局"

[[camera]]
name = "A01 市场监管"
window = "A01"
vendor = "hikvision"
host = "192.168.10.21"
channel = 1
user = "admin"

[[camera]]
name = "大厅全景"
vendor = "rtsp"
main_url = "rtsp://192.168.10.30/live/main"
"#;

    fn err(text: &str) -> InputError {
        parse("hall.toml", text).unwrap_err().errors.remove(0)
    }

    #[test]
    fn the_sample_reads_and_exports_to_itself() {
        let config = parse("hall.toml", SAMPLE).unwrap();
        assert_eq!(config.cameras[0].main_url, "rtsp://192.168.10.21:554/Streaming/Channels/101");
        assert_eq!(config.cameras[0].sub_url.as_deref(), Some("rtsp://192.168.10.21:554/Streaming/Channels/102"));
        assert_eq!(config.cameras[1].window, None);
        let again = parse("export.toml", &export(&config)).unwrap();
        assert_eq!(again, config);
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let e = err(&SAMPLE.replace("vendor = \"hikvision\"", "vendor = \"hikvisoin\""));
        assert_eq!((e.line, e.field.as_str()), (22, "camera[1].vendor"));
        assert!(e.message.contains("hikvision, dahua"), "{}", e.message);
        let e = err(&SAMPLE.replace("channel = 1", "channel = \"one\""));
        assert_eq!((e.line, e.field.as_str()), (24, "camera[1].channel"), "{e:?}");
        let e = err(&SAMPLE.replace("address =", "adress ="));
        assert_eq!(e.line, 5, "{e:?}");
        assert!(e.field.contains("adress"), "{e:?}");
        let e = err(&SAMPLE.replace("department = \"市市场监督管理局\"", "department = \"市税务局\""));
        assert_eq!((e.line, e.field.as_str()), (17, "window[1].department"));
        let e = err(&SAMPLE.replace("window = \"A01\"", "window = \"A09\""));
        assert_eq!((e.line, e.field.as_str()), (21, "camera[1].window"));
        let e = err(&SAMPLE.replace("level = \"city\"", "level = \"province\""));
        assert_eq!((e.line, e.field.as_str()), (6, "hall.level"));
        let e = err(&SAMPLE.replace("user = \"admin\"", "user = \"admin\"\npassword = \"x\""));
        assert_eq!((e.line, e.field.as_str()), (26, "camera[1].password"));
        assert!(!e.message.contains("\"x\""));
        let e = err(&SAMPLE.replace("main_url = \"rtsp://", "main_url = \"rtsp://admin:pw@"));
        assert_eq!(e.field, "camera[2].main_url");
        let e =
            err(&SAMPLE
                .replace("name = \"市场监管 1 号窗\"\n", "name = \"市场监管 1 号窗\"\n[[window]]\ncode = \"A01\"\n"));
        assert_eq!((e.line, e.field.as_str()), (18, "window[2].code"));
        let e = err("[hall]\nname = \"x\"\n");
        assert_eq!(e.field, "hall.code", "{e:?}");
        assert_eq!(err("[hall\n").line, 1);
    }
}

//! Parsing of the interchange files (INTERCHANGE.md): text in, typed records with their line numbers out.
//!
//! Pure: the caller reads the file and hands over its name and content. Every problem is reported as
//! `file:line: field: message`; a file with any error yields no records at all, so nothing is half
//! written. Unknown extra columns or JSON fields are ignored.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::model::{
    CaseEvent, CatalogueItem, Document, Evaluation, Leave, LeaveKind, Staff, Step, SuspendReason, parse_yuan,
};
use crate::domain::time;

pub mod hall;

/// At most this many errors are collected from one file; the rest are counted.
const MAX_ERRORS: usize = 100;

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, schemars::JsonSchema)]
#[error("{file}:{line}: {field}: {message}")]
pub struct InputError {
    pub file: String,
    /// 1-based; 0 when the problem is the whole file.
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// All problems found in one input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InputErrors {
    pub errors: Vec<InputError>,
    /// Errors found beyond the ones listed.
    pub more: usize,
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.more > 0 {
            write!(f, "\n… and {} more errors", self.more)?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

/// What kind of file is being imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Items,
    Events,
    Staff,
    Punches,
    Leave,
    Evaluations,
}

impl ImportKind {
    pub const ALL: [ImportKind; 6] = [
        ImportKind::Items,
        ImportKind::Events,
        ImportKind::Staff,
        ImportKind::Punches,
        ImportKind::Leave,
        ImportKind::Evaluations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Items => "items",
            ImportKind::Events => "events",
            ImportKind::Staff => "staff",
            ImportKind::Punches => "punches",
            ImportKind::Leave => "leave",
            ImportKind::Evaluations => "evaluations",
        }
    }
}

impl FromStr for ImportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImportKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            format!("unknown import kind {s:?}; expected one of {}", ImportKind::ALL.map(ImportKind::as_str).join(", "))
        })
    }
}

/// A record with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Lined<T> {
    pub line: u64,
    pub record: T,
}

/// Who a punch belongs to: a staff number (`punches.csv`) or a device user number (`attlog.dat`,
/// matched by `device_user_id`, falling back to `staff_no`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PunchRecord {
    pub person: String,
    pub by_device_user: bool,
    pub time: NaiveDateTime,
    pub device: Option<String>,
}

/// Parsed records of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "records", rename_all = "snake_case")]
pub enum Records {
    Items(Vec<Lined<CatalogueItem>>),
    Events(Vec<Lined<CaseEvent>>),
    Staff(Vec<Lined<Staff>>),
    Punches(Vec<Lined<PunchRecord>>),
    Leave(Vec<Lined<Leave>>),
    Evaluations(Vec<Lined<Evaluation>>),
}

impl Records {
    pub fn kind(&self) -> ImportKind {
        match self {
            Records::Items(_) => ImportKind::Items,
            Records::Events(_) => ImportKind::Events,
            Records::Staff(_) => ImportKind::Staff,
            Records::Punches(_) => ImportKind::Punches,
            Records::Leave(_) => ImportKind::Leave,
            Records::Evaluations(_) => ImportKind::Evaluations,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Records::Items(r) => r.len(),
            Records::Events(r) => r.len(),
            Records::Staff(r) => r.len(),
            Records::Punches(r) => r.len(),
            Records::Leave(r) => r.len(),
            Records::Evaluations(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A whole file's records, ready for `Store::import`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ImportBatch {
    /// The file name, used in error messages and the audit log.
    pub source: String,
    pub records: Records,
    /// The hall whose records these are (its staff, fingerprint machines, evaluators and departments):
    /// needed when the caller reaches several halls; case events name their own halls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall: Option<String>,
}

/// Checks a batch that arrived already parsed (over the API) exactly as its file would be: case events,
/// the catalogue, staff, leave and evaluations are written back as their files and read again by the
/// same parsers as files and pushes (a catalogue item of 4,294,967,295 legal days is refused as in its
/// CSV, not by the database); punches have their texts and times checked. The errors carry the batch's
/// own line numbers.
pub fn recheck(batch: ImportBatch) -> Result<ImportBatch, InputErrors> {
    if let Some(problem) = batch.hall.as_deref().and_then(text_problem) {
        let mut errors = Errors::new(&batch.source);
        errors.push(0, "hall", problem);
        return errors.finish(batch);
    }
    fn plain<T: Clone>(records: &[Lined<T>]) -> (Vec<T>, Vec<u64>) {
        (records.iter().map(|r| r.record.clone()).collect(), records.iter().map(|r| r.line).collect())
    }
    // Each kind written back as its file and read again by the file's parser; `first` is the line of
    // the first record in that file (CSV files have a header line).
    let (text, first, lines) = match &batch.records {
        Records::Events(v) => {
            let (r, l) = plain(v);
            (write::events_jsonl(&r), 1, l)
        }
        Records::Items(v) => {
            let (r, l) = plain(v);
            (write::items_csv(&r), 2, l)
        }
        Records::Staff(v) => {
            let (r, l) = plain(v);
            (write::staff_csv(&r), 2, l)
        }
        Records::Leave(v) => {
            let (r, l) = plain(v);
            (write::leave_csv(&r), 2, l)
        }
        Records::Evaluations(v) => {
            let (r, l) = plain(v);
            (write::evaluations_csv(&r), 2, l)
        }
        Records::Punches(v) => return recheck_punches(batch.source.clone(), v).map(|_| batch),
    };
    let original = |line: u64| lines.get((line as usize).wrapping_sub(first as usize)).copied().unwrap_or(line);
    let renumber = |line: &mut u64| *line = original(*line);
    match parse(batch.records.kind(), &batch.source, &text) {
        Ok(mut checked) => {
            checked.hall = batch.hall.clone();
            match &mut checked.records {
                Records::Events(v) => v.iter_mut().for_each(|r| renumber(&mut r.line)),
                Records::Items(v) => v.iter_mut().for_each(|r| renumber(&mut r.line)),
                Records::Staff(v) => v.iter_mut().for_each(|r| renumber(&mut r.line)),
                Records::Leave(v) => v.iter_mut().for_each(|r| renumber(&mut r.line)),
                Records::Evaluations(v) => v.iter_mut().for_each(|r| renumber(&mut r.line)),
                Records::Punches(v) => v.iter_mut().for_each(|r| renumber(&mut r.line)),
            }
            Ok(checked)
        }
        Err(mut errors) => {
            for e in &mut errors.errors {
                e.line = original(e.line);
            }
            Err(errors)
        }
    }
}

/// Punches as a call sends them: the person and device are texts of the file rule, the time within the
/// years the system works with.
fn recheck_punches(source: String, punches: &[Lined<PunchRecord>]) -> Result<(), InputErrors> {
    let mut errors = Errors::new(&source);
    for p in punches {
        for (field, text) in [("staff_no", Some(p.record.person.as_str())), ("device", p.record.device.as_deref())] {
            if let Some(problem) = text.and_then(text_problem) {
                errors.push(p.line, field, problem);
            }
        }
        if let Err(message) = crate::domain::time::check_date(p.record.time.date()) {
            errors.push(p.line, "time", message);
        }
    }
    errors.finish(())
}

/// Parses case events one record at a time (the push API): the records that are valid, and every
/// problem of the others (not capped, unlike a file's), each naming its record's line and field.
pub fn parse_events_each(source: &str, content: &str) -> (ImportBatch, Vec<InputError>) {
    let mut good = Vec::new();
    let mut problems = Vec::new();
    for (index, text) in content.lines().enumerate() {
        let mut errors = Errors { file: source.to_owned(), list: Vec::new(), more: 0 };
        let line = index as u64 + 1;
        for mut event in parse_jsonl(text, &mut errors) {
            event.line = line;
            good.push(event);
        }
        problems.extend(errors.list.into_iter().map(|e| InputError { line, ..e }));
    }
    (ImportBatch { source: source.to_owned(), records: Records::Events(good), hall: None }, problems)
}

/// Parses one file of the given kind.
pub fn parse(kind: ImportKind, file: &str, content: &str) -> Result<ImportBatch, InputErrors> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut errors = Errors::new(file);
    let records = match kind {
        ImportKind::Items => Records::Items(parse_csv(content, &mut errors, ITEM_COLUMNS, item_row)),
        ImportKind::Staff => Records::Staff(parse_csv(content, &mut errors, STAFF_COLUMNS, staff_row)),
        ImportKind::Leave => Records::Leave(parse_csv(content, &mut errors, LEAVE_COLUMNS, leave_row)),
        ImportKind::Evaluations => {
            Records::Evaluations(parse_csv(content, &mut errors, EVALUATION_COLUMNS, evaluation_row))
        }
        ImportKind::Punches if looks_like_attlog(file, content) => Records::Punches(parse_attlog(content, &mut errors)),
        ImportKind::Punches => Records::Punches(parse_csv(content, &mut errors, PUNCH_COLUMNS, punch_row)),
        ImportKind::Events => Records::Events(parse_jsonl(content, &mut errors)),
    };
    errors.finish(ImportBatch { source: file.to_owned(), records, hall: None })
}

struct Errors {
    file: String,
    list: Vec<InputError>,
    more: usize,
}

impl Errors {
    fn new(file: &str) -> Self {
        Self { file: file.to_owned(), list: Vec::new(), more: 0 }
    }

    fn push(&mut self, line: u64, field: &str, message: impl Into<String>) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(InputError {
                file: self.file.clone(),
                line,
                field: field.to_owned(),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }

    fn finish<T>(self, value: T) -> Result<T, InputErrors> {
        if self.list.is_empty() { Ok(value) } else { Err(InputErrors { errors: self.list, more: self.more }) }
    }
}

/// A CSV row being read: looks fields up by header name and records errors against its line.
struct Row<'a> {
    line: u64,
    values: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
    errors: &'a mut Errors,
    ok: bool,
}

impl Row<'_> {
    fn optional(&self, field: &str) -> Option<String> {
        let index = *self.columns.get(field)?;
        let value = self.values.get(index)?.trim();
        (!value.is_empty()).then(|| value.to_owned())
    }

    fn required(&mut self, field: &str) -> String {
        match self.optional(field) {
            Some(v) => v,
            None => {
                self.fail(field, "required value is missing");
                String::new()
            }
        }
    }

    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.ok = false;
        self.errors.push(self.line, field, message);
    }

    fn parsed<T>(&mut self, field: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let text = self.required(field);
        if text.is_empty() {
            return None;
        }
        match parse(&text) {
            Ok(v) => Some(v),
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }
}

fn parse_csv<T>(
    content: &str,
    errors: &mut Errors,
    required_columns: &[&str],
    mut row_fn: impl FnMut(&mut Row<'_>) -> Option<T>,
) -> Vec<Lined<T>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(content.as_bytes());
    let columns: HashMap<String, usize> = match reader.headers() {
        Ok(h) => h.iter().enumerate().map(|(i, name)| (name.trim().to_owned(), i)).collect(),
        Err(err) => {
            errors.push(1, "header", format!("cannot read the header row: {err}"));
            return Vec::new();
        }
    };
    let missing: Vec<&str> = required_columns.iter().copied().filter(|c| !columns.contains_key(*c)).collect();
    if !missing.is_empty() {
        errors.push(
            1,
            "header",
            format!("missing column(s) {}; expected {}", missing.join(", "), required_columns.join(",")),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for result in reader.records() {
        let values = match result {
            Ok(v) => v,
            Err(err) => {
                let line = err.position().map_or(0, csv::Position::line);
                errors.push(line, "row", format!("not valid CSV: {err}"));
                continue;
            }
        };
        let line = values.position().map_or(0, csv::Position::line);
        if values.iter().all(str::is_empty) {
            continue;
        }
        let mut row = Row { line, values: &values, columns: &columns, errors, ok: true };
        // Every cell of a known column is text a person will read: bounded, no control characters, no
        // bidirectional overrides.
        for (name, index) in columns.iter() {
            if let Some(problem) = values.get(*index).and_then(text_problem) {
                row.fail(name, problem);
            }
        }
        let record = row_fn(&mut row);
        if let (true, Some(record)) = (row.ok, record) {
            out.push(Lined { line, record });
        }
    }
    out
}

const ITEM_COLUMNS: &[&str] =
    &["item_code", "item_name", "department", "legal_days", "promised_days", "fee_yuan", "workflow", "step_limits"];

fn days(text: &str) -> Result<u32, String> {
    text.parse::<u32>()
        .ok()
        .filter(|d| *d <= 3650)
        .ok_or_else(|| format!("{text:?} is not a number of working days (0–3650)"))
}

fn item_row(row: &mut Row<'_>) -> Option<CatalogueItem> {
    let code = row.required("item_code");
    let name = row.required("item_name");
    let department = row.required("department");
    let legal_days = row.parsed("legal_days", days);
    let promised_days = row.parsed("promised_days", days);
    let fee_fen = row.parsed("fee_yuan", parse_yuan);
    let workflow: Option<Vec<Step>> = row.parsed("workflow", |text| {
        let steps = text.split('|').map(|s| s.trim().parse::<Step>()).collect::<Result<Vec<_>, _>>()?;
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = steps.iter().find(|s| !seen.insert(**s)) {
            return Err(format!("step {dup} appears twice"));
        }
        Ok(steps)
    });
    let limits_text = row.optional("step_limits").unwrap_or_default();
    let mut step_limits = Vec::new();
    if let Some(workflow) = &workflow {
        if limits_text.is_empty() {
            step_limits = vec![None; workflow.len()];
        } else {
            let parts: Vec<&str> = limits_text.split('|').map(str::trim).collect();
            if parts.len() == workflow.len() {
                for part in parts {
                    if part.is_empty() {
                        step_limits.push(None);
                    } else {
                        match days(part) {
                            Ok(d) => step_limits.push(Some(d)),
                            Err(message) => row.fail("step_limits", message),
                        }
                    }
                }
            } else {
                row.fail("step_limits", format!("{} limits for {} workflow steps", parts.len(), workflow.len()));
            }
        }
    }
    Some(CatalogueItem {
        code,
        name,
        department,
        legal_days: legal_days?,
        promised_days: promised_days?,
        fee_fen: fee_fen?,
        workflow: workflow?,
        step_limits,
    })
}

const STAFF_COLUMNS: &[&str] = &["staff_no", "name", "department"];

fn staff_row(row: &mut Row<'_>) -> Option<Staff> {
    Some(Staff {
        staff_no: row.required("staff_no"),
        name: row.required("name"),
        department: Some(row.required("department")),
        window: row.optional("window"),
        device_user_id: row.optional("device_user_id"),
    })
}

/// Local date-times as devices write them: `YYYY-MM-DD HH:MM:SS` (seconds optional, `T` accepted).
pub fn parse_local_datetime(text: &str) -> Result<NaiveDateTime, String> {
    let t = text.trim();
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S"] {
        if let Ok(v) = NaiveDateTime::parse_from_str(t, format) {
            return Ok(v);
        }
    }
    Err(format!("{text:?} is not a local date-time (YYYY-MM-DD HH:MM:SS)"))
}

/// An instant: RFC 3339 with an offset, or a local date-time in Asia/Shanghai without one.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(v) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(v.with_timezone(&Utc));
    }
    parse_local_datetime(text)
        .map(time::from_local)
        .map_err(|_| format!("{text:?} is not a time (e.g. 2026-11-27T09:15:00+08:00)"))
}

const PUNCH_COLUMNS: &[&str] = &["staff_no", "time"];

fn punch_row(row: &mut Row<'_>) -> Option<PunchRecord> {
    let person = row.required("staff_no");
    let time = row.parsed("time", parse_local_datetime)?;
    Some(PunchRecord { person, by_device_user: false, time, device: row.optional("device") })
}

fn looks_like_attlog(file: &str, content: &str) -> bool {
    let first = content.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    file.to_ascii_lowercase().ends_with(".dat") || (first.contains('\t') && !first.contains(','))
}

fn parse_attlog(content: &str, errors: &mut Errors) -> Vec<Lined<PunchRecord>> {
    let mut out = Vec::new();
    for (index, text) in content.lines().enumerate() {
        let line = index as u64 + 1;
        if text.trim().is_empty() {
            continue;
        }
        let mut fields = text.split('\t');
        let person = fields.next().unwrap_or("").trim();
        let when = fields.next().unwrap_or("").trim();
        if person.is_empty() {
            errors.push(line, "user", "the user number (first field) is empty");
            continue;
        }
        match parse_local_datetime(when) {
            Ok(time) => out.push(Lined {
                line,
                record: PunchRecord { person: person.to_owned(), by_device_user: true, time, device: None },
            }),
            Err(message) => errors.push(line, "time", message),
        }
    }
    out
}

const LEAVE_COLUMNS: &[&str] = &["staff_no", "start", "end", "kind"];

fn leave_row(row: &mut Row<'_>) -> Option<Leave> {
    let staff_no = row.required("staff_no");
    let start = row.parsed("start", parse_local_datetime);
    let end = row.parsed("end", parse_local_datetime);
    let kind = row.parsed("kind", LeaveKind::from_str);
    let (start, end) = (start?, end?);
    if end <= start {
        row.fail("end", format!("{end} is not after the start {start}"));
        return None;
    }
    Some(Leave { staff_no, start, end, kind: kind? })
}

const EVALUATION_COLUMNS: &[&str] = &["window", "time", "rating"];

fn rating(text: &str) -> Result<u8, String> {
    text.parse::<u8>().ok().filter(|r| (1..=5).contains(r)).ok_or_else(|| format!("{text:?} is not a rating 1–5"))
}

fn evaluation_row(row: &mut Row<'_>) -> Option<Evaluation> {
    let window = row.required("window");
    let time = row.parsed("time", parse_local_datetime);
    let rating = row.parsed("rating", rating);
    Some(Evaluation { window, time: time?, rating: rating?, case_no: row.optional("case_no") })
}

fn parse_jsonl(content: &str, errors: &mut Errors) -> Vec<Lined<CaseEvent>> {
    let mut out = Vec::new();
    for (index, text) in content.lines().enumerate() {
        let line = index as u64 + 1;
        if text.trim().is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(err) => {
                errors.push(line, "json", format!("not valid JSON (column {}): {err}", err.column()));
                continue;
            }
        };
        let Some(object) = value.as_object() else {
            errors.push(line, "json", "each line must be one JSON object");
            continue;
        };
        let before = errors.list.len() + errors.more;
        let event = event_from_json(object, line, errors);
        if errors.list.len() + errors.more == before
            && let Some(event) = event
        {
            out.push(Lined { line, record: event });
        }
    }
    out
}

/// One case event as a push or a JSON-lines file carries it (INTERCHANGE.md): the record format the
/// OpenAPI document gives for `/api/v1/events`. `event_from_json` reads it, and says which fields a
/// step requires (`hall`, `window` and `staff_no` for window steps, `amount_yuan` for a fee, `rating`
/// for an evaluation, `reason` for a suspension).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EventRecord {
    /// The case number (办件编号).
    #[schemars(length(min = 1, max = 500))]
    pub case_no: String,
    /// The catalogue item (事项编码).
    #[schemars(length(min = 1, max = 500))]
    pub item_code: String,
    pub step: crate::domain::model::Step,
    /// When it happened: RFC 3339, or `YYYY-MM-DD HH:MM:SS` in Beijing time.
    pub occurred_at: String,
    /// When the approval system recorded it (late entry, 体外循环, shows as the difference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 500))]
    pub hall: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 500))]
    pub window: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 500))]
    pub staff_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 500))]
    pub applicant: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<crate::domain::model::Document>,
    /// The fee charged, in yuan (a number or a decimal string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub amount_yuan: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub rating: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<crate::domain::model::SuspendReason>,
    /// Working days promised to the applicant (承诺时限), 0–3650.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 3650))]
    pub promised_days: Option<u32>,
}

/// Reads one event object (also used for the server's JSON bodies).
pub fn event_from_json(
    object: &serde_json::Map<String, Value>,
    line: u64,
    errors: &mut impl ErrorSink,
) -> Option<CaseEvent> {
    let mut text = |field: &str, required: Option<&str>| string_field(object, field, required, line, errors);
    let case_no = text("case_no", Some("required field is missing"));
    let item_code = text("item_code", Some("required field is missing"));
    let step_text = text("step", Some("required field is missing"));
    let occurred_text = text("occurred_at", Some("required field is missing"));
    let recorded_text = text("recorded_at", None);
    let applicant = text("applicant", None);
    let step = step_text.and_then(|s| s.parse::<Step>().map_err(|m| errors.report(line, "step", m)).ok());
    let window_step = step.is_some_and(Step::is_window_step);
    let window_required = window_step.then_some("required for this step");
    let mut text = |field: &str, required: Option<&str>| string_field(object, field, required, line, errors);
    let hall = text("hall", window_required);
    let window = text("window", window_required);
    let staff_no = text("staff_no", window_required);

    let occurred_at =
        occurred_text.and_then(|t| parse_instant(&t).map_err(|m| errors.report(line, "occurred_at", m)).ok());
    let recorded_at = match recorded_text {
        Some(t) => parse_instant(&t).map_err(|m| errors.report(line, "recorded_at", m)).ok(),
        None => occurred_at,
    };

    let mut documents = Vec::new();
    match object.get("documents") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item.as_str().map(Document::from_str) {
                    Some(Ok(doc)) => documents.push(doc),
                    Some(Err(message)) => errors.report(line, &format!("documents[{i}]"), message),
                    None => errors.report(line, &format!("documents[{i}]"), "must be a string"),
                }
            }
        }
        Some(other) => errors.report(line, "documents", format!("must be an array, found {other}")),
    }

    let amount_fen = match (step, object.get("amount_yuan")) {
        (Some(Step::Fee), None | Some(Value::Null)) => {
            errors.report(line, "amount_yuan", "required for a fee event");
            None
        }
        (_, None | Some(Value::Null)) => None,
        (_, Some(Value::Number(n))) => match parse_yuan(&n.to_string()) {
            Ok(fen) => Some(fen),
            Err(m) => {
                errors.report(line, "amount_yuan", m);
                None
            }
        },
        (_, Some(Value::String(s))) => parse_yuan(s).map_err(|m| errors.report(line, "amount_yuan", m)).ok(),
        (_, Some(other)) => {
            errors.report(line, "amount_yuan", format!("must be a number, found {other}"));
            None
        }
    };
    let rating_value = match (step, object.get("rating")) {
        (Some(Step::Evaluate), None | Some(Value::Null)) => {
            errors.report(line, "rating", "required for an evaluate event");
            None
        }
        (_, None | Some(Value::Null)) => None,
        (_, Some(v)) => match v.as_u64().and_then(|r| u8::try_from(r).ok()).filter(|r| (1..=5).contains(r)) {
            Some(r) => Some(r),
            None => {
                errors.report(line, "rating", format!("{v} is not a rating 1–5"));
                None
            }
        },
    };
    let reason = match (step, object.get("reason")) {
        (Some(Step::Suspend), None | Some(Value::Null)) => {
            errors.report(line, "reason", "required for a suspend event");
            None
        }
        (_, None | Some(Value::Null)) => None,
        (_, Some(Value::String(s))) => SuspendReason::from_str(s).map_err(|m| errors.report(line, "reason", m)).ok(),
        (_, Some(other)) => {
            errors.report(line, "reason", format!("must be a string, found {other}"));
            None
        }
    };
    let promised_days = match object.get("promised_days") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64().and_then(|d| u32::try_from(d).ok()).filter(|d| *d <= 3650) {
            Some(d) => Some(d),
            None => {
                errors.report(line, "promised_days", format!("{v} is not a number of working days (0–3650)"));
                None
            }
        },
    };

    Some(CaseEvent {
        case_no: case_no?,
        item_code: item_code?,
        hall,
        window,
        staff_no,
        step: step?,
        occurred_at: occurred_at?,
        recorded_at: recorded_at?,
        documents,
        applicant,
        amount_fen,
        rating: rating_value,
        reason,
        promised_days,
    })
}

/// The longest text a field of an interchange record may hold.
pub const MAX_TEXT_CHARS: usize = 500;

/// What is wrong with a text field that will be shown, printed and exported, if anything: more than
/// [`MAX_TEXT_CHARS`] characters, a control character (NUL, CR, LF …), or a bidirectional override that
/// would make it read other than it is.
pub fn text_problem(text: &str) -> Option<String> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Some(format!("longer than {MAX_TEXT_CHARS} characters"));
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Some(format!("holds the control character U+{:04X}", u32::from(c)));
    }
    if let Some(c) = text.chars().find(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')) {
        return Some(format!("holds the bidirectional override U+{:04X}", u32::from(c)));
    }
    None
}

/// A trimmed string field; `required` is the message for a missing or empty value when it is required.
fn string_field(
    object: &serde_json::Map<String, Value>,
    field: &str,
    required: Option<&str>,
    line: u64,
    errors: &mut impl ErrorSink,
) -> Option<String> {
    match object.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => match text_problem(s.trim()) {
            Some(problem) => {
                errors.report(line, field, problem);
                None
            }
            None => Some(s.trim().to_owned()),
        },
        None | Some(Value::Null | Value::String(_)) => {
            if let Some(message) = required {
                errors.report(line, field, message);
            }
            None
        }
        Some(other) => {
            errors.report(line, field, format!("must be a string, found {other}"));
            None
        }
    }
}

/// Where `event_from_json` reports problems.
pub trait ErrorSink {
    fn report(&mut self, line: u64, field: &str, message: impl Into<String>);
}

impl ErrorSink for Errors {
    fn report(&mut self, line: u64, field: &str, message: impl Into<String>) {
        self.push(line, field, message);
    }
}

/// Collects errors for a single JSON body (the server's push API).
#[derive(Debug, Default)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl ErrorSink for FieldErrors {
    fn report(&mut self, _line: u64, field: &str, message: impl Into<String>) {
        self.0.push((field.to_owned(), message.into()));
    }
}

/// Writers for the same formats (the demo writes its source files with them, and exports use them).
pub mod write {
    use serde_json::{Map, Value, json};

    use super::PunchRecord;
    use crate::domain::model::{CaseEvent, CatalogueItem, Evaluation, Leave, Staff, format_yuan};
    use crate::domain::time;

    fn csv_text(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = writer.write_record(header);
        for row in rows {
            let _ = writer.write_record(&row);
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    const LOCAL: &str = "%Y-%m-%d %H:%M:%S";

    pub fn items_csv(items: &[CatalogueItem]) -> String {
        csv_text(
            super::ITEM_COLUMNS,
            items.iter().map(|i| {
                let limits = if i.step_limits.iter().all(Option::is_none) {
                    String::new()
                } else {
                    i.step_limits
                        .iter()
                        .map(|l| l.map(|d| d.to_string()).unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("|")
                };
                vec![
                    i.code.clone(),
                    i.name.clone(),
                    i.department.clone(),
                    i.legal_days.to_string(),
                    i.promised_days.to_string(),
                    format_yuan(i.fee_fen),
                    i.workflow.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("|"),
                    limits,
                ]
            }),
        )
    }

    pub fn staff_csv(staff: &[Staff]) -> String {
        csv_text(
            &["staff_no", "name", "department", "window", "device_user_id"],
            staff.iter().map(|s| {
                vec![
                    s.staff_no.clone(),
                    s.name.clone(),
                    s.department.clone().unwrap_or_default(),
                    s.window.clone().unwrap_or_default(),
                    s.device_user_id.clone().unwrap_or_default(),
                ]
            }),
        )
    }

    /// One event as the approval system sends it.
    pub fn event_json(e: &CaseEvent) -> Value {
        let mut o = Map::new();
        o.insert("case_no".into(), json!(e.case_no));
        o.insert("item_code".into(), json!(e.item_code));
        for (key, value) in [("hall", &e.hall), ("window", &e.window), ("staff_no", &e.staff_no)] {
            if let Some(v) = value {
                o.insert(key.into(), json!(v));
            }
        }
        o.insert("step".into(), json!(e.step.as_str()));
        o.insert("occurred_at".into(), json!(time::to_local_rfc3339(e.occurred_at)));
        o.insert("recorded_at".into(), json!(time::to_local_rfc3339(e.recorded_at)));
        if !e.documents.is_empty() {
            o.insert("documents".into(), json!(e.documents.iter().map(|d| d.as_str()).collect::<Vec<_>>()));
        }
        if let Some(a) = &e.applicant {
            o.insert("applicant".into(), json!(a));
        }
        if let Some(fen) = e.amount_fen {
            let number: Value = serde_json::from_str(&format_yuan(fen)).unwrap_or(Value::Null);
            o.insert("amount_yuan".into(), number);
        }
        if let Some(r) = e.rating {
            o.insert("rating".into(), json!(r));
        }
        if let Some(r) = e.reason {
            o.insert("reason".into(), json!(r.as_str()));
        }
        if let Some(d) = e.promised_days {
            o.insert("promised_days".into(), json!(d));
        }
        Value::Object(o)
    }

    pub fn events_jsonl(events: &[CaseEvent]) -> String {
        let mut out = String::new();
        for e in events {
            out.push_str(&event_json(e).to_string());
            out.push('\n');
        }
        out
    }

    /// ZKTeco-style `attlog.dat`: right-aligned user number, tab, local time, then device fields.
    pub fn attlog(punches: &[PunchRecord]) -> String {
        let mut out = String::new();
        for p in punches {
            out.push_str(&format!("{:>9}\t{}\t1\t0\t1\t0\r\n", p.person, p.time.format(LOCAL)));
        }
        out
    }

    pub fn leave_csv(leave: &[Leave]) -> String {
        csv_text(
            super::LEAVE_COLUMNS,
            leave.iter().map(|l| {
                vec![
                    l.staff_no.clone(),
                    l.start.format(LOCAL).to_string(),
                    l.end.format(LOCAL).to_string(),
                    l.kind.as_str().into(),
                ]
            }),
        )
    }

    pub fn evaluations_csv(evaluations: &[Evaluation]) -> String {
        csv_text(
            &["window", "time", "rating", "case_no"],
            evaluations.iter().map(|e| {
                vec![
                    e.window.clone(),
                    e.time.format(LOCAL).to_string(),
                    e.rating.to_string(),
                    e.case_no.clone().unwrap_or_default(),
                ]
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 15, "inputs": text that enters by file or push is bounded and free of control characters and
    /// bidirectional overrides; the error names the line and the field.
    #[test]
    fn text_fields_refuse_control_and_bidi_characters_and_excess() {
        let staff = "staff_no,name,department,window,device_user_id\nS0001,张\u{202e}三,市税务局,,7\n";
        let e = parse(ImportKind::Staff, "staff.csv", staff).unwrap_err();
        assert_eq!((e.errors[0].line, e.errors[0].field.as_str()), (2, "name"), "{e}");
        assert!(e.errors[0].message.contains("U+202E"), "{e}");
        let long = format!(
            r#"{{"case_no":"{}","item_code":"X","step":"accept","occurred_at":"2026-11-27T09:00:00+08:00"}}"#,
            "9".repeat(10_000)
        );
        let e = parse(ImportKind::Events, "push", &long).unwrap_err();
        assert_eq!(e.errors[0].field, "case_no", "{e}");
        let nul = r#"{"case_no":"A\u0000B","item_code":"X","step":"accept","occurred_at":"2026-11-27T09:00:00+08:00"}"#;
        let e = parse(ImportKind::Events, "push", nul).unwrap_err();
        assert!(e.errors[0].message.contains("U+0000"), "{e}");
        assert_eq!(text_problem("四平市政务服务中心 A01"), None);
    }

    #[test]
    fn items_parse_with_limits() {
        let csv = "item_code,item_name,department,legal_days,promised_days,fee_yuan,workflow,step_limits,extra\n\
                   SCJG-001,食品经营许可,市市场监督管理局,20,10,0,accept|review|approve|complete,1|5||2,x\n";
        let batch = parse(ImportKind::Items, "items.csv", csv).unwrap();
        let Records::Items(items) = batch.records else { panic!() };
        assert_eq!(items[0].line, 2);
        assert_eq!(items[0].record.step_limits, vec![Some(1), Some(5), None, Some(2)]);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let csv = "item_code,item_name,department,legal_days,promised_days,fee_yuan,workflow,step_limits\n\
                   A,名,部门,20,10,0,accept|complete,\n\
                   B,名,部门,20,ten,0,accept|complete,\n\
                   C,名,部门,20,10,1.234,accept|fly,\n";
        let err = parse(ImportKind::Items, "items.csv", csv).unwrap_err();
        let lines: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("items.csv:3: promised_days:"), "{}", lines[0]);
        assert!(lines[1].starts_with("items.csv:4: fee_yuan:"), "{}", lines[1]);
        assert!(lines[2].starts_with("items.csv:4: workflow:"), "{}", lines[2]);
    }

    #[test]
    fn events_check_step_specific_fields() {
        let jsonl = r#"{"case_no":"C1","item_code":"I","hall":"H","window":"A1","staff_no":"S1","step":"accept","occurred_at":"2026-11-27T09:15:00+08:00","documents":["acceptance_slip"],"future_field":1}
{"case_no":"C1","item_code":"I","step":"fee","occurred_at":"2026-11-27T09:20:00+08:00"}
{"case_no":"C1","item_code":"I","hall":"H","window":"A1","staff_no":"S1","step":"evaluate","rating":9,"occurred_at":"2026-11-27T09:20:00"}
not json
"#;
        let err = parse(ImportKind::Events, "events.jsonl", jsonl).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("events.jsonl:2: hall: required for this step"), "{text}");
        assert!(text.contains("events.jsonl:2: amount_yuan: required for a fee event"), "{text}");
        assert!(text.contains("events.jsonl:3: rating:"), "{text}");
        assert!(text.contains("events.jsonl:4: json:"), "{text}");
        assert!(!text.contains(":1:"), "the good line has no error: {text}");
    }

    #[test]
    fn event_times_default_and_convert() {
        let jsonl = r#"{"case_no":"C1","item_code":"I","step":"review","occurred_at":"2026-11-27 09:15:00"}"#;
        let batch = parse(ImportKind::Events, "e.jsonl", jsonl).unwrap();
        let Records::Events(events) = batch.records else { panic!() };
        assert_eq!(events[0].record.occurred_at.to_rfc3339(), "2026-11-27T01:15:00+00:00");
        assert_eq!(events[0].record.recorded_at, events[0].record.occurred_at);
    }

    #[test]
    fn attlog_is_recognised() {
        let dat = "    7\t2026-11-27 08:29:51\t1\t0\t1\t0\n   12\t2026-11-27 08:31:02\t1\t0\t1\t0\n";
        let batch = parse(ImportKind::Punches, "attlog.dat", dat).unwrap();
        let Records::Punches(p) = batch.records else { panic!() };
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].record.person, "7");
        assert!(p[0].record.by_device_user);
    }

    #[test]
    fn missing_header_columns_are_one_error() {
        let err = parse(ImportKind::Leave, "leave.csv", "staff_no,start\nS1,2026-01-01 08:00\n").unwrap_err();
        assert_eq!(err.errors.len(), 1);
        assert_eq!(err.errors[0].line, 1);
        assert!(err.errors[0].message.contains("end, kind"));
    }
}

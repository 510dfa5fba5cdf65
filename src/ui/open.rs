//! What one area asks of another. An area never names another: it pushes `Command::Open(…)` with the
//! item to open, and the console (`JianchaApp::apply`) hands it to the area that owns it — 预警 opens a
//! footage request, 录像调阅 records an observation, 投诉 opens a case. The items carry plain data only.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::discipline::ObservationSource;
use crate::domain::footage::{RequestKind, Span};

/// A discipline observation being typed in (记录违纪), as another area fills it in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservationDraft {
    /// `YYYY-MM-DD HH:MM` (Beijing time).
    pub at: String,
    pub source: ObservationSource,
    pub camera_id: Option<i64>,
    /// The footage range that shows it (from playback).
    pub clip: Option<Span>,
    pub category: String,
    pub window: String,
    pub staff_no: String,
    pub department: String,
    pub note: String,
}

/// What to open, and where it lives.
#[derive(Debug, Clone, PartialEq)]
pub enum Open {
    /// 预警: a case's detail.
    Case(String),
    /// 录像调阅: a new footage request, filled in (milliseconds since the epoch; none: the last 20 minutes).
    FootageRequest {
        cameras: Vec<i64>,
        from: Option<i64>,
        to: Option<i64>,
        purpose: String,
        kind: RequestKind,
        case_no: Option<String>,
        complaint_no: Option<String>,
    },
    /// 录像调阅: a request for the footage of a case's event at a window.
    FootageForEvent { window_code: String, at: DateTime<Utc>, case_no: String },
    /// 纪律与提示单: a new observation, filled in.
    Observation(ObservationDraft),
    /// A supervision notice as PDF (`print`: `Some(None)` the default printer).
    NoticePdf { notice_id: i64, print: Option<Option<String>> },
    /// 预警: the alert list, showing one level (`None`: all).
    Alerts(Option<crate::domain::alerts::Level>),
    /// 系统管理 → 工作日历, at `year` if given.
    Calendar(Option<i32>),
    /// A day's data check report as PDF.
    DailyPdf(NaiveDate),
}

//! The data worker's side of 纪律与提示单, 投诉 and 违规与问责: one job that may act, then reloads what
//! the three panels show. PDF writing, previews (rendered with `pdftoppm`) and printing run here too.

use std::path::PathBuf;

use crate::domain::accountability::Measure;
use crate::ui::worker::context::{JobError, Worker};

use super::state::{SupervisionData, SupervisionForm};
use crate::domain::discipline::{self, SlipStatus, Week};
use crate::store::{ComplaintStep, NewComplaint, NewObservation, NewViolation, Session, Store};

/// What a supervisor does in the three panels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupervisionAction {
    AddObservation(NewObservation),
    IssueSlips,
    CancelSlip {
        id: i64,
        reason: String,
    },
    Receipt {
        id: i64,
        signed_by: String,
    },
    /// Writes the week's live slips (and the index) under `reports/slips/WEEK/`; prints them when a
    /// queue is given (`Some(None)`: the default printer).
    WriteSlips {
        print: Option<Option<String>>,
    },
    /// Writes one slip and renders its page for the preview.
    PreviewSlip(i64),
    /// Writes one slip and prints it (`None`: the default printer).
    PrintSlip {
        id: i64,
        printer: Option<String>,
    },
    /// The supervision notice (督办通知单) as a PDF under `reports/notices/`, printed when a queue is given.
    NoticePdf {
        notice_id: i64,
        print: Option<Option<String>>,
    },
    /// The daily check report of a day as a PDF under `reports/daily/`.
    DailyPdf(chrono::NaiveDate),
    RegisterComplaint(NewComplaint),
    AdvanceComplaint {
        complaint_no: String,
        step: ComplaintStep,
    },
    RecordViolation(NewViolation),
    DecideViolation {
        id: i64,
        measures: Vec<Measure>,
        note: String,
    },
}

pub enum SupervisionJob {
    /// Act (optionally), then reload the week and the registers; `form` is the form the action came
    /// from (it closes when the action worked).
    Supervise {
        session: Session,
        week: Week,
        action: Option<SupervisionAction>,
        form: Option<SupervisionForm>,
    },
    Complaints(Session),
}

pub enum SupervisionReply {
    Done { result: Result<Box<SupervisionDone>, JobError>, form: Option<SupervisionForm> },
    Complaints(Result<Vec<crate::domain::model::Complaint>, crate::store::StoreError>),
}

/// What acting and reloading gave: what the action said (if any), the fresh data, a rendered slip page.
#[derive(Debug)]
pub struct SupervisionDone {
    pub message: Option<String>,
    pub data: SupervisionData,
    pub preview: Option<(i64, egui::ColorImage)>,
}

pub(super) fn run(worker: &mut Worker, job: SupervisionJob) -> SupervisionReply {
    match job {
        SupervisionJob::Supervise { session, week, action, form } => {
            SupervisionReply::Done { result: worker.supervise(&session, week, action).map(Box::new), form }
        }
        SupervisionJob::Complaints(session) => {
            SupervisionReply::Complaints(worker.store().and_then(|s| s.complaints(&session)))
        }
    }
}

impl Worker {
    fn supervise(
        &mut self,
        session: &Session,
        week: Week,
        action: Option<SupervisionAction>,
    ) -> Result<SupervisionDone, JobError> {
        let store = self.shared_store()?;
        let store: &dyn Store = &*store;
        let e = JobError::Store;
        let mut message = None;
        let mut preview = None;
        if let Some(action) = action {
            match action {
                SupervisionAction::AddObservation(o) => {
                    let stored = store.add_observation(session, &o).map_err(e)?;
                    message = Some(format!("已记录违纪 #{}（{}）", stored.id, stored.category));
                }
                SupervisionAction::IssueSlips => {
                    let before = store.slips(session, Some(week)).map_err(e)?.len();
                    let after = store.issue_slips(session, week).map_err(e)?;
                    message = Some(format!("已签发 {} 份提示单", after.len().saturating_sub(before)));
                }
                SupervisionAction::CancelSlip { id, reason } => {
                    let slip = store.cancel_slip(session, id, &reason).map_err(e)?;
                    message = Some(format!("{} 已作废，编号保留", slip.number_text()));
                }
                SupervisionAction::Receipt { id, signed_by } => {
                    let slip = store.record_slip_receipt(session, id, &signed_by).map_err(e)?;
                    message = Some(format!("{} 回执已登记（{signed_by}）", slip.number_text()));
                }
                SupervisionAction::WriteSlips { print } => {
                    message = Some(self.write_slips(store, session, week, print)?);
                }
                SupervisionAction::PreviewSlip(id) => {
                    let (_, path) = self.write_slip(store, session, week, id)?;
                    preview = Some((id, render_page(&path).map_err(JobError::Local)?));
                    message = Some(path.display().to_string());
                }
                SupervisionAction::PrintSlip { id, printer } => {
                    let (slip, path) = self.write_slip(store, session, week, id)?;
                    let said = crate::report::print::print(&path, printer.as_deref()).map_err(JobError::Local)?;
                    message = Some(format!("{} 已送打印：{said}", slip.number_text()));
                }
                SupervisionAction::NoticePdf { notice_id, print } => {
                    let notice = store
                        .notices(session)
                        .map_err(e)?
                        .into_iter()
                        .find(|n| n.id == notice_id)
                        .ok_or_else(|| JobError::local(format!("notice {notice_id} not found")))?;
                    let hall =
                        store.directory(session).map_err(e)?.home_hall().map(|h| h.name.clone()).unwrap_or_default();
                    let safe: String = notice.notice_no.chars().filter(|c| c.is_alphanumeric() || *c == '-').collect();
                    let path = self.data_dir.join("reports").join("notices").join(format!("{safe}.pdf"));
                    crate::report::write_pdf(&path, &crate::report::documents::notice_sheet(&hall, &notice))
                        .map_err(JobError::Local)?;
                    message = Some(match print {
                        None => format!("{} → {}", notice.notice_no, path.display()),
                        Some(queue) => format!(
                            "{} 已送打印：{}",
                            notice.notice_no,
                            crate::report::print::print(&path, queue.as_deref()).map_err(JobError::Local)?
                        ),
                    });
                }
                SupervisionAction::DailyPdf(day) => {
                    let data = store.daily_check_data(session, day).map_err(e)?;
                    let hall =
                        store.directory(session).map_err(e)?.home_hall().map(|h| h.name.clone()).unwrap_or_default();
                    let path = self.data_dir.join("reports").join("daily").join(format!("{day}.pdf"));
                    crate::report::write_pdf(
                        &path,
                        &crate::report::documents::daily_sheet(&hall, &data, &session.username),
                    )
                    .map_err(JobError::Local)?;
                    message = Some(path.display().to_string());
                }
                SupervisionAction::RegisterComplaint(c) => {
                    let stored = store.register_complaint(session, &c).map_err(e)?;
                    message = Some(format!("投诉 {} 已登记", stored.complaint_no));
                }
                SupervisionAction::AdvanceComplaint { complaint_no, step } => {
                    let c = store.advance_complaint(session, &complaint_no, &step).map_err(e)?;
                    message = Some(format!("投诉 {} {}", c.complaint_no, c.status.label_zh()));
                }
                SupervisionAction::RecordViolation(v) => {
                    let stored = store.record_violation(session, &v).map_err(e)?;
                    message = Some(format!("已记录违规 #{}（第{}项）", stored.id, stored.item));
                }
                SupervisionAction::DecideViolation { id, measures, note } => {
                    let outcome = store.decide_violation(session, id, &measures, &note).map_err(e)?;
                    let applied = measures.iter().map(|m| m.label_zh()).collect::<Vec<_>>().join("、");
                    message = Some(match outcome.flag {
                        Some(flag) => format!(
                            "违规 #{id}：{applied}。{} 一年内工作人员两次以上受到告诫，已按第十二条第（六）项记录（#{}）",
                            flag.department, flag.id
                        ),
                        None => format!("违规 #{id}：{applied}"),
                    });
                }
            }
        }
        let data = load(store, session, week)?;
        Ok(SupervisionDone { message, data, preview })
    }

    /// Writes one slip of the week as PDF; the slip and where it went.
    fn write_slip(
        &self,
        store: &dyn Store,
        session: &Session,
        week: Week,
        id: i64,
    ) -> Result<(discipline::Slip, PathBuf), JobError> {
        let slip = store
            .slips(session, Some(week))?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| JobError::local(format!("slip {id} is not in {week}")))?;
        let path = self.slip_dir(week).join(crate::report::documents::slip_file_name(&slip));
        crate::report::write_pdf(&path, &crate::report::documents::slip_sheet(&slip)).map_err(JobError::Local)?;
        Ok((slip, path))
    }

    fn slip_dir(&self, week: Week) -> PathBuf {
        self.data_dir.join("reports").join("slips").join(week.to_string())
    }

    fn write_slips(
        &self,
        store: &dyn Store,
        session: &Session,
        week: Week,
        print: Option<Option<String>>,
    ) -> Result<String, JobError> {
        let slips = store.slips(session, Some(week))?;
        let hall = slips.first().map(|s| s.hall_name.clone()).unwrap_or_default();
        let dir = self.slip_dir(week);
        let written = crate::report::documents::write_week_slips(&dir, &hall, week, &slips, self.clock.now())
            .map_err(JobError::Local)?;
        let Some(queue) = print else {
            return Ok(format!("已写出 {} 个文件到 {}", written.len(), dir.display()));
        };
        let mut jobs = Vec::new();
        for slip in slips.iter().filter(|s| s.status != SlipStatus::Cancelled) {
            let path = dir.join(crate::report::documents::slip_file_name(slip));
            jobs.push(crate::report::print::print(&path, queue.as_deref()).map_err(JobError::Local)?);
        }
        Ok(format!("已送打印 {} 份提示单：{}", jobs.len(), jobs.join("；")))
    }
}

fn load(store: &dyn Store, session: &Session, week: Week) -> Result<SupervisionData, crate::store::StoreError> {
    let observations = store.observations(session, week.monday, week.sunday())?;
    let slips = store.slips(session, Some(week))?;
    let mut unissued: Vec<String> = observations
        .iter()
        .filter_map(|o| o.department_name.clone())
        .filter(|d| !slips.iter().any(|s| &s.department_name == d && s.status != SlipStatus::Cancelled))
        .collect();
    unissued.sort();
    unissued.dedup();
    let hall = store.directory(session)?.home_hall_name();
    let violations = store.violations(session)?;
    let findings = store.camera_findings(
        session,
        &crate::store::FindingQuery { undecided_only: false, from: Some(week.monday), to: Some(week.sunday()) },
    )?;
    let dismissed = crate::domain::watch::FindingDecision::Dismissed;
    Ok(SupervisionData {
        findings_dismissed: findings.iter().filter(|f| f.decision == Some(dismissed)).count(),
        findings_undecided: findings.iter().filter(|f| f.decision.is_none()).count(),
        violation_counts: super::state::ViolationCounts::of(&violations),
        week,
        statistics: discipline::statistics(&observations),
        observations,
        slips,
        unissued,
        complaints: store.complaints(session)?,
        violations,
        flags: store.department_flags(session)?,
        hall,
    })
}

/// The first page of a PDF as an image (poppler's `pdftoppm`, 72 dpi).
fn render_page(pdf: &std::path::Path) -> Result<egui::ColorImage, String> {
    let dir = tempfile_dir()?;
    let prefix = dir.join("page");
    let out = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .map_err(|e| format!("无法运行 pdftoppm（请安装 poppler-utils）: {e}"))?;
    if !out.status.success() {
        return Err(format!("pdftoppm: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    let png_path = prefix.with_extension("png");
    let bytes = std::fs::read(&png_path).map_err(|e| format!("{}: {e}", png_path.display()))?;
    let _ = std::fs::remove_dir_all(&dir);
    decode_png(&bytes)
}

fn tempfile_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("jiancha-preview-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

fn decode_png(bytes: &[u8]) -> Result<egui::ColorImage, String> {
    let (size, rgba) = crate::ui::picture::decode_png(bytes)?;
    Ok(egui::ColorImage::from_rgba_unmultiplied(size, &rgba))
}

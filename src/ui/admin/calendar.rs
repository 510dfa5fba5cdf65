//! 系统管理 → 工作日历: a year's holidays and make-up working days as the State Council's notice gives
//! them, entered as a form per holiday (name, days off, make-up days) or imported from a file in the
//! built-in format, checked, then saved through `Store::set_calendar_year` (audited; the open cases are
//! recomputed). The status bar's warning about a year without data leads here.

use crate::ui::context::Sender;
use chrono::NaiveDate;
use egui::RichText;

use super::AdminCommand;
use crate::domain::calendar::{ScheduleDay, YearSchedule};
use crate::store::{CalendarSource, CalendarYearView};
use crate::ui::i18n::Lang;
use crate::ui::theme::Tokens;

/// One holiday as typed: dates as `YYYY-MM-DD`, make-up days separated by spaces or commas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayRow {
    pub name: String,
    pub first_off: String,
    pub last_off: String,
    pub make_up: String,
}

/// The tab's state: the year shown, the calendar in force for it, and the form.
#[derive(Debug, Clone, Default)]
pub struct CalendarTab {
    /// The year shown; 0 until the tab is first opened.
    pub year: i32,
    pub view: Option<CalendarYearView>,
    pub loading: bool,
    pub saving: bool,
    /// The form (editing when `Some`).
    pub rows: Option<Vec<HolidayRow>>,
    pub notice: String,
    /// A file in the built-in format to import into the form.
    pub import_path: String,
    pub error: Option<String>,
    /// What the last save did.
    pub saved: Option<String>,
}

impl HolidayRow {
    /// The rows of a schedule: one per holiday, its days off as a range (a holiday whose days off are
    /// not one run is shown from its first to its last, and saved so only if left so).
    pub fn of(schedule: &YearSchedule) -> Vec<HolidayRow> {
        schedule
            .holidays()
            .into_iter()
            .map(|h| HolidayRow {
                name: h.name,
                first_off: h.off.first().map(ToString::to_string).unwrap_or_default(),
                last_off: h.off.last().map(ToString::to_string).unwrap_or_default(),
                make_up: h.make_up.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
            })
            .collect()
    }
}

/// The schedule the form describes, or what is wrong with it, naming the row and the field.
pub fn schedule_of(year: i32, notice: &str, rows: &[HolidayRow], lang: Lang) -> Result<YearSchedule, String> {
    let mut days = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let at = |field_zh: &str, field_en: &str, what: String| {
            lang.pick_owned(&format!("第{}行 {field_zh}：{what}", i + 1), &format!("row {}, {field_en}: {what}", i + 1))
        };
        let name = row.name.trim();
        if name.is_empty() {
            return Err(at("节日名称", "name", lang.pick_owned("请填写", "required")));
        }
        let date = |text: &str, zh: &str, en: &str| -> Result<NaiveDate, String> {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                at(
                    zh,
                    en,
                    format!("“{}” {}", text.trim(), lang.pick("不是日期 YYYY-MM-DD", "is not a date YYYY-MM-DD")),
                )
            })
        };
        let first = date(&row.first_off, "放假开始", "first day off")?;
        let last =
            if row.last_off.trim().is_empty() { first } else { date(&row.last_off, "放假结束", "last day off")? };
        if last < first || (last - first).num_days() > 30 {
            return Err(at(
                "放假结束",
                "last day off",
                lang.pick_owned("应在开始之后 30 天内", "must be within 30 days after the first"),
            ));
        }
        let mut day = first;
        while day <= last {
            days.push(ScheduleDay { name: name.to_owned(), date: day, off: true });
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        for text in row.make_up.split([' ', ',', '，', '、', ';', '；']).filter(|s| !s.trim().is_empty()) {
            let d = date(text, "调休上班", "make-up days")?;
            days.push(ScheduleDay { name: name.to_owned(), date: d, off: false });
        }
    }
    days.sort_by_key(|d| d.date);
    let schedule = YearSchedule { year, notice: notice.trim().to_owned(), days };
    schedule.check().map_err(|(field, message)| {
        // Point at the row the day came from.
        let row = field
            .strip_prefix("days[")
            .and_then(|r| r.split(']').next())
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| schedule.days.get(i))
            .and_then(|d| rows.iter().position(|r| r.name.trim() == d.name));
        match row {
            Some(r) => lang.pick_owned(&format!("第{}行：{message}", r + 1), &format!("row {}: {message}", r + 1)),
            None => format!("{field}: {message}"),
        }
    })?;
    Ok(schedule)
}

fn source_text(v: &CalendarYearView, lang: Lang) -> String {
    match v.source {
        CalendarSource::Entered => lang.pick_owned(
            &format!(
                "系统管理录入（{}，{}）",
                v.entered_by.as_deref().unwrap_or("?"),
                v.entered_at.map(crate::domain::time::format_local_minutes).unwrap_or_default()
            ),
            &format!(
                "entered by {} at {}",
                v.entered_by.as_deref().unwrap_or("?"),
                v.entered_at.map(crate::domain::time::format_local_minutes).unwrap_or_default()
            ),
        ),
        CalendarSource::BuiltIn => lang.pick_owned("内置国务院数据", "built-in official data"),
        CalendarSource::Missing => lang.pick_owned("无数据：按周一至周五计算", "no data: Monday–Friday assumed"),
    }
}

pub fn calendar_tab(
    ui: &mut egui::Ui,
    tab: &mut CalendarTab,
    commands: &mut Sender<AdminCommand>,
    lang: Lang,
    t: &Tokens,
) {
    ui.horizontal(|ui| {
        if ui.button("◀").clicked() {
            commands.push(AdminCommand::CalendarYear(tab.year - 1));
        }
        ui.label(RichText::new(format!("{} {}", tab.year, lang.pick("年", ""))).strong().size(t.text_size.subtitle));
        if ui.button("▶").clicked() {
            commands.push(AdminCommand::CalendarYear(tab.year + 1));
        }
        if tab.loading || tab.saving {
            ui.spinner();
        }
    });
    if let Some(e) = &tab.error {
        ui.label(RichText::new(e).color(t.red));
    }
    if let Some(s) = &tab.saved {
        ui.label(RichText::new(s).color(t.ok));
    }
    if let Some(v) = &tab.view {
        if let Some(w) = crate::domain::calendar::missing_years_warning(&v.missing_years.iter().copied().collect()) {
            ui.label(RichText::new(w).color(t.orange));
        }
        t.card_frame().show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(format!("{}：{}", lang.pick("来源", "Source"), source_text(v, lang)));
            match &v.schedule {
                Some(s) => {
                    if !s.notice.trim().is_empty() {
                        ui.label(RichText::new(format!("{}：{}", lang.pick("依据", "Notice"), s.notice)).color(t.text_weak));
                    }
                    egui::Grid::new("calendar_year_grid").striped(true).num_columns(3).show(ui, |ui| {
                        for h in [lang.pick("节日", "Holiday"), lang.pick("放假", "Days off"), lang.pick("调休上班", "Make-up working days")] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for h in s.holidays() {
                            ui.label(&h.name);
                            let range = match (h.off.first(), h.off.last()) {
                                (Some(a), Some(b)) if a == b => a.format("%m-%d").to_string(),
                                (Some(a), Some(b)) => format!("{} – {}（{} 天）", a.format("%m-%d"), b.format("%m-%d"), h.off.len()),
                                _ => "—".into(),
                            };
                            ui.label(range);
                            ui.label(h.make_up.iter().map(|d| d.format("%m-%d").to_string()).collect::<Vec<_>>().join(" "));
                            ui.end_row();
                        }
                    });
                }
                None => {
                    ui.label(RichText::new(lang.pick(
                        "本年尚无节假日安排：国务院办公厅每年十一月前后发布下一年的通知，发布后在此录入。",
                        "No holiday schedule for this year: the State Council publishes next year's each November; enter it here.",
                    )).color(t.orange));
                }
            }
            if tab.rows.is_none() && ui.button(lang.pick("录入 / 修改…", "Enter / change…")).clicked() {
                commands.push(AdminCommand::CalendarEdit);
            }
        });
    }
    let Some(rows) = &mut tab.rows else { return };
    ui.add_space(t.spacing * 0.5);
    t.card_frame().show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(
            RichText::new(format!("{} {}", tab.year, lang.pick("年节假日安排", "holiday schedule")))
                .strong()
                .color(t.text_strong),
        );
        ui.horizontal(|ui| {
            let l = ui.label(lang.pick("通知文号", "Notice"));
            ui.add(egui::TextEdit::singleline(&mut tab.notice).hint_text("国办发明电〔2026〕…号").desired_width(360.0))
                .labelled_by(l.id);
        });
        let mut remove = None;
        egui::Grid::new("calendar_form").num_columns(5).spacing([8.0, 6.0]).show(ui, |ui| {
            for h in [
                lang.pick("节日名称", "Holiday"),
                lang.pick("放假开始", "First day off"),
                lang.pick("放假结束", "Last day off"),
                lang.pick("调休上班日（空格分隔）", "Make-up working days (space-separated)"),
                "",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for (i, row) in rows.iter_mut().enumerate() {
                // Sized, not desired: a grid's column is as wide as its widest cell of the last frame.
                let h = ui.spacing().interact_size.y;
                ui.add_sized([110.0, h], egui::TextEdit::singleline(&mut row.name).hint_text("春节"));
                ui.add_sized([110.0, h], egui::TextEdit::singleline(&mut row.first_off).hint_text("YYYY-MM-DD"));
                ui.add_sized([110.0, h], egui::TextEdit::singleline(&mut row.last_off).hint_text("YYYY-MM-DD"));
                ui.add_sized(
                    [260.0, h],
                    egui::TextEdit::singleline(&mut row.make_up).hint_text("YYYY-MM-DD YYYY-MM-DD"),
                );
                if ui.button(lang.pick("删除", "Remove")).clicked() {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
        if let Some(i) = remove {
            rows.remove(i);
        }
        ui.horizontal(|ui| {
            if ui.button(lang.pick("添加节日", "Add a holiday")).clicked() {
                rows.push(HolidayRow::default());
            }
            ui.separator();
            let l = ui.label(lang.pick("导入文件", "Import a file"));
            ui.add(egui::TextEdit::singleline(&mut tab.import_path).hint_text("/path/2027.json").desired_width(220.0))
                .labelled_by(l.id);
            if ui.button(lang.pick("导入到表单", "Import into the form")).clicked() {
                commands.push(AdminCommand::CalendarImport);
            }
        });
        ui.horizontal(|ui| {
            let save = ui.add_enabled(
                !tab.saving,
                egui::Button::new(lang.pick("保存并重算在办件", "Save and recompute open cases")),
            );
            if save.clicked() {
                commands.push(AdminCommand::CalendarSave);
            }
            if ui.button(lang.pick("取消", "Cancel")).clicked() {
                commands.push(AdminCommand::CalendarCancel);
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_notices_days_and_says_which_row_is_wrong() {
        let rows = vec![
            HolidayRow {
                name: "元旦".into(),
                first_off: "2027-01-01".into(),
                last_off: String::new(),
                make_up: String::new(),
            },
            HolidayRow {
                name: "春节".into(),
                first_off: "2027-02-06".into(),
                last_off: "2027-02-14".into(),
                make_up: "2027-02-20，".into(),
            },
        ];
        let s = schedule_of(2027, " 国办发明电〔2026〕1号 ", &rows, Lang::Zh).unwrap();
        assert_eq!((s.days.len(), s.notice.as_str()), (11, "国办发明电〔2026〕1号"));
        assert_eq!(s.days.iter().filter(|d| !d.off).map(|d| d.date.to_string()).collect::<Vec<_>>(), ["2027-02-20"]);
        // The rows come back from the schedule as typed.
        assert_eq!(HolidayRow::of(&s)[1], HolidayRow { make_up: "2027-02-20".into(), ..rows[1].clone() });

        let mut bad = rows.clone();
        bad[1].last_off = "2027-02-31".into();
        let e = schedule_of(2027, "", &bad, Lang::Zh).unwrap_err();
        assert!(e.starts_with("第2行 放假结束") && e.contains("2027-02-31"), "{e}");
        let mut bad = rows.clone();
        bad[1].make_up = "2027-01-01".into();
        let e = schedule_of(2027, "", &bad, Lang::En).unwrap_err();
        assert!(e.starts_with("row 2") && e.contains("listed twice"), "{e}");
        let mut bad = rows;
        bad[0].name = " ".into();
        assert!(schedule_of(2027, "", &bad, Lang::Zh).unwrap_err().starts_with("第1行 节日名称"));
    }
}

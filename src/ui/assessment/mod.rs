//! 绩效评估: each department's month on the published 100-point structure — the ranking with grade
//! colours, a department's card with every indicator, its points and the very records that cost them
//! (a case opens its detail), two departments side by side, the 12-month trend, the quarters and the
//! year; publishing (chiefs), the bulletin (通报) and the 监察建议书 with receipts and replies.

pub mod jobs;
pub mod logic;
pub mod state;

pub use jobs::{AssessmentJob, AssessmentReply};
pub use logic::{AssessmentArea, AssessmentCommand};

use chrono::{DateTime, Utc};
use egui::RichText;

use crate::domain::access::Permission;
use crate::domain::assessment::{
    AssessmentItem, Category, DepartmentMonth, Grade, Hundredths, ItemKind, MonthAssessment, Recommendation, YearMonth,
};
use crate::domain::time;
use crate::ui::command::Command;
use crate::ui::context::{Panel, Sender};
use crate::ui::dialog::Dialog;
use crate::ui::i18n::Lang;
use crate::ui::open::Open;
use crate::ui::theme::{DialogWidth, Tokens};
use state::{AssessmentForm, AssessmentState, AssessmentTab};

pub fn grade_colour(grade: Option<Grade>, t: &Tokens) -> egui::Color32 {
    match grade {
        Some(Grade::Excellent) => t.ok,
        Some(Grade::Good) => t.accent,
        Some(Grade::Pass) => t.yellow,
        Some(Grade::Fail) => t.red,
        None => t.text_weak,
    }
}

fn grade_text(grade: Option<Grade>, lang: Lang) -> &'static str {
    match grade {
        Some(Grade::Excellent) => lang.pick("优秀", "Excellent"),
        Some(Grade::Good) => lang.pick("良好", "Good"),
        Some(Grade::Pass) => lang.pick("合格", "Pass"),
        Some(Grade::Fail) => lang.pick("不合格", "Fail"),
        None => lang.pick("无办件", "No cases"),
    }
}

fn category_text(c: Category, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => c.label(),
        Lang::En => match c {
            Category::Openness => "Openness",
            Category::Process => "Process",
            Category::Deadlines => "Deadlines",
            Category::Fees => "Fees",
            Category::Satisfaction => "Satisfaction",
            Category::Attitude => "Attitude",
            Category::Supervision => "Supervision",
            Category::Liability => "Liability",
            Category::Integrity => "Integrity",
        },
    }
}

/// `+3.00`, `−28.00`, `0.00`.
fn signed(points: Hundredths) -> String {
    if points.is_positive() {
        format!("+{points}")
    } else if points < Hundredths::ZERO {
        format!("−{}", -points)
    } else {
        "0.00".into()
    }
}

fn score_text(score: Option<Hundredths>) -> String {
    score.map_or_else(|| "—".into(), |s| s.to_string())
}

pub fn assessment_ui(
    ui: &mut egui::Ui,
    state: &mut Panel<'_, state::AssessmentState>,
    commands: &mut Sender<AssessmentCommand>,
    now: DateTime<Utc>,
) {
    let lang = state.shared.lang;
    let t = state.shared.tokens;
    let chief = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::DecideAccountability));
    let supervise = state.shared.session.as_ref().is_some_and(|s| s.role.allows(Permission::Supervise));
    let printer = state.shared.printer.map(str::to_owned);
    let view = &mut *state.view;
    toolbar_ui(ui, view, now, chief, printer.clone(), lang, &t, commands);
    if let Some(e) = &view.error {
        ui.colored_label(t.red, e);
    }
    if let Some(m) = &view.message {
        ui.label(RichText::new(m).color(t.text_weak));
    }
    ui.separator();
    match view.tab {
        AssessmentTab::Month => month_ui(ui, view, chief, lang, &t, commands),
        AssessmentTab::Year => year_ui(ui, view, lang, &t, commands),
        AssessmentTab::Recommendations => {
            recommendations_ui(ui, view, supervise, printer.as_deref(), lang, &t, commands)
        }
    }
    form_ui(ui, view, lang, &t, commands);
}

#[allow(clippy::too_many_arguments, reason = "the toolbar reads the area, the clock, the role and the printer")]
fn toolbar_ui(
    ui: &mut egui::Ui,
    view: &AssessmentState,
    now: DateTime<Utc>,
    chief: bool,
    printer: Option<String>,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AssessmentCommand>,
) {
    let this_month = YearMonth::of(time::local_date(now));
    ui.horizontal(|ui| {
        for (tab, label) in [
            (AssessmentTab::Month, lang.pick("月度排名", "Month")),
            (AssessmentTab::Year, lang.pick("季度与年度", "Quarters and year")),
            (AssessmentTab::Recommendations, lang.pick("监察建议书", "Recommendations")),
        ] {
            if ui.selectable_label(view.tab == tab, label).clicked() {
                commands.push(AssessmentCommand::SetTab(tab));
            }
        }
        ui.separator();
        let Some(month) = view.month else {
            ui.spinner();
            return;
        };
        if ui
            .add_enabled(!view.loading, egui::Button::new("◀"))
            .on_hover_text(lang.pick("上个月", "Previous month"))
            .clicked()
        {
            commands.push(AssessmentCommand::Load(month.previous()));
        }
        ui.label(RichText::new(month.label_zh()).strong().color(t.text_strong));
        if ui
            .add_enabled(!view.loading && month < this_month, egui::Button::new("▶"))
            .on_hover_text(lang.pick("下个月", "Next month"))
            .clicked()
        {
            commands.push(AssessmentCommand::Load(month.next()));
        }
        if ui.add_enabled(!view.loading, egui::Button::new(lang.pick("刷新", "Refresh"))).clicked() {
            commands.push(AssessmentCommand::Load(month));
        }
        if view.loading {
            ui.spinner();
        }
        ui.separator();
        let published = view.view.as_ref().and_then(|v| v.published.first());
        match published {
            Some(p) => {
                ui.label(
                    RichText::new(format!(
                        "{} {}（{} · {}）",
                        lang.pick("已发布", "Published"),
                        lang.pick_owned(&format!("第{}版", p.version), &format!("v{}", p.version)),
                        p.published_by,
                        time::format_local_minutes(p.published_at)
                    ))
                    .color(t.ok),
                );
                let mut live = view.live;
                if ui.checkbox(&mut live, lang.pick("显示当前数据", "Show the records as they stand")).changed() {
                    commands.push(AssessmentCommand::SetLive(live));
                }
            }
            None => {
                ui.label(
                    RichText::new(lang.pick("未发布（按当前数据计算）", "Not published (as the records stand)"))
                        .color(t.orange),
                );
            }
        }
        if chief {
            let ended = month < this_month;
            let label = if published.is_some() {
                lang.pick("重新计算并发布新版本…", "Recompute and publish a new version…")
            } else {
                lang.pick("发布本月…", "Publish the month…")
            };
            if ui
                .add_enabled(ended && view.view.is_some(), egui::Button::new(label))
                .on_disabled_hover_text(lang.pick("月份结束后才能发布", "A month is published once it has ended"))
                .clicked()
            {
                commands.push(AssessmentCommand::OpenPublish);
            }
        }
        if ui.add_enabled(view.view.is_some(), egui::Button::new(lang.pick("生成通报", "Write the bulletin"))).clicked()
        {
            commands.push(AssessmentCommand::Bulletin { print: None });
        }
        if ui.add_enabled(view.view.is_some(), egui::Button::new(lang.pick("打印通报", "Print the bulletin"))).clicked()
        {
            commands.push(AssessmentCommand::Bulletin { print: Some(printer) });
        }
    });
}

/// The figures the month tab shows: the published version unless the supervisor asked for the live ones.
fn shown(view: &AssessmentState) -> Option<&MonthAssessment> {
    let v = view.view.as_ref()?;
    Some(if view.live { &v.live } else { v.current() })
}

fn month_ui(
    ui: &mut egui::Ui,
    view: &AssessmentState,
    chief: bool,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AssessmentCommand>,
) {
    let Some(a) = shown(view) else {
        if !view.loading {
            ui.label(lang.pick("选择月份", "Pick a month"));
        }
        return;
    };
    ui.columns(2, |columns| {
        egui::ScrollArea::vertical().id_salt("assessment_ranking").show(&mut columns[0], |ui| {
            ranking_ui(ui, a, view.selected, lang, t, commands);
            ui.add_space(t.spacing);
            trend_ui(ui, view, lang, t);
        });
        egui::ScrollArea::vertical().id_salt("assessment_card").show(&mut columns[1], |ui| {
            let selected = view.selected.and_then(|id| a.departments.iter().find(|d| d.department_id == id));
            let compare = view.compare.and_then(|id| a.departments.iter().find(|d| d.department_id == id));
            if let Some(d) = selected {
                card_ui(ui, a, d, compare, view, chief, lang, t, commands);
            }
        });
    });
}

fn ranking_ui(
    ui: &mut egui::Ui,
    a: &MonthAssessment,
    selected: Option<i64>,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AssessmentCommand>,
) {
    egui::Grid::new("assessment_ranking_grid").striped(true).num_columns(8).show(ui, |ui| {
        for h in [
            lang.pick("名次", "Rank"),
            lang.pick("部门", "Department"),
            lang.pick("得分", "Score"),
            lang.pick("等次", "Grade"),
            lang.pick("办件", "Cases"),
            lang.pick("按期率", "On time"),
            lang.pick("黄牌", "Yellow"),
            lang.pick("红牌", "Red"),
        ] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for d in &a.departments {
            ui.label(d.rank.map_or_else(|| "—".into(), |r| r.to_string()));
            if ui.selectable_label(selected == Some(d.department_id), &d.department).clicked() {
                commands.push(AssessmentCommand::Select(d.department_id));
            }
            ui.label(score_text(d.points()));
            ui.label(RichText::new(format!("■ {}", grade_text(d.grade, lang))).color(grade_colour(d.grade, t)));
            ui.label(d.figures.cases.to_string());
            ui.label(if d.figures.completed == 0 {
                "—".into()
            } else {
                format!("{:.0}%", f64::from(d.figures.completed_on_time) * 100.0 / f64::from(d.figures.completed))
            });
            ui.label(RichText::new(d.figures.yellow_signals.to_string()).color(if d.figures.yellow_signals > 0 {
                t.orange
            } else {
                t.text
            }));
            ui.label(RichText::new(d.figures.red_signals.to_string()).color(if d.figures.red_signals > 0 {
                t.red
            } else {
                t.text
            }));
            ui.end_row();
        }
    });
    if a.departments.iter().any(|d| d.score.is_none()) {
        ui.label(
            RichText::new(lang.pick(
                "本月无办件的部门不评分、不排名。",
                "Departments without cases this month are neither scored nor ranked.",
            ))
            .color(t.text_weak),
        );
    }
    let variants = a.settings.variants_zh();
    if !variants.is_empty() {
        ui.label(
            RichText::new(lang.pick_owned(
                &format!("本月按以下计分规则计算：{}。", variants.join("；")),
                &format!("Scored with the city rules' variants: {}.", variants.join("; ")),
            ))
            .color(t.text_weak),
        );
    }
}

#[allow(clippy::too_many_arguments, reason = "a card reads the month, the department, the one compared and the role")]
fn card_ui(
    ui: &mut egui::Ui,
    a: &MonthAssessment,
    d: &DepartmentMonth,
    compare: Option<&DepartmentMonth>,
    view: &AssessmentState,
    chief: bool,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AssessmentCommand>,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(&d.department).size(t.text_size.subtitle).strong().color(t.text_strong));
        ui.label(RichText::new(score_text(d.points())).size(t.text_size.subtitle).color(t.text_strong));
        ui.label(RichText::new(format!("■ {}", grade_text(d.grade, lang))).color(grade_colour(d.grade, t)));
        if let Some(r) = d.rank {
            ui.label(lang.pick_owned(&format!("第{r}名"), &format!("rank {r}")));
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label(lang.pick("对比", "Compare with"));
        let chosen = compare.map_or_else(|| lang.pick_owned("（不对比）", "(none)"), |c| c.department.clone());
        let combo = egui::ComboBox::from_id_salt("assessment_compare").selected_text(chosen).show_ui(ui, |ui| {
            if ui.selectable_label(compare.is_none(), lang.pick("（不对比）", "(none)")).clicked() {
                commands.push(AssessmentCommand::Compare(None));
            }
            for other in a.departments.iter().filter(|o| o.department_id != d.department_id) {
                if ui
                    .selectable_label(
                        compare.is_some_and(|c| c.department_id == other.department_id),
                        &other.department,
                    )
                    .clicked()
                {
                    commands.push(AssessmentCommand::Compare(Some(other.department_id)));
                }
            }
        });
        combo.response.labelled_by(label.id);
    });
    let Some(score) = &d.score else {
        ui.label(lang.pick("本月无办件，未评分。", "No cases this month: not scored."));
        return;
    };
    let other = compare.and_then(|c| c.score.as_ref().map(|s| (c, s)));
    let columns = if other.is_some() { 6 } else { 5 };
    egui::Grid::new("assessment_card_grid").striped(true).num_columns(columns).show(ui, |ui| {
        for h in [
            lang.pick("指标", "Indicator"),
            lang.pick("权重", "Weight"),
            lang.pick("达成", "Measure"),
            lang.pick("得分", "Points"),
            lang.pick("失分", "Lost"),
        ] {
            ui.label(RichText::new(h).strong());
        }
        if let Some((c, _)) = other {
            ui.label(RichText::new(&c.department).strong());
        }
        ui.end_row();
        for c in &score.categories {
            ui.label(category_text(c.category, lang));
            ui.label(format!("{:.0}", c.weight));
            ui.label(format!("{:.1}%", c.measure * 100.0));
            ui.label(c.points.to_string());
            let lost = c.weight - c.points;
            ui.label(RichText::new(if lost.is_positive() { format!("−{lost}") } else { String::new() }).color(t.red));
            if let Some((_, s)) = other {
                let theirs =
                    s.categories.iter().find(|x| x.category == c.category).map_or(Hundredths::ZERO, |x| x.points);
                ui.label(theirs.to_string());
            }
            ui.end_row();
        }
        ui.label(lang.pick("黄牌红牌扣分", "Cards"));
        ui.label("");
        ui.label(format!("{}/{}", d.figures.yellow_signals, d.figures.red_signals));
        ui.label(RichText::new(signed(-score.signal_deduction)).color(if score.signal_deduction.is_positive() {
            t.red
        } else {
            t.text
        }));
        ui.label("");
        if let Some((_, s)) = other {
            ui.label(signed(-s.signal_deduction));
        }
        ui.end_row();
        ui.label(lang.pick("提前办结加分", "Early completion"));
        ui.label("");
        ui.label(format!("{}/{}", d.figures.completed_early, d.figures.completed));
        ui.label(RichText::new(signed(score.early_bonus)).color(if score.early_bonus.is_positive() {
            t.ok
        } else {
            t.text
        }));
        ui.label("");
        if let Some((_, s)) = other {
            ui.label(signed(s.early_bonus));
        }
        ui.end_row();
        // The city text's variants, shown when the month was scored with them.
        if a.settings.completeness_points.is_positive() {
            ui.label(lang.pick("数据完整性扣分", "Incomplete records"));
            ui.label("");
            ui.label(format!("{}/{}", d.figures.incomplete_cases, d.figures.cases));
            ui.label(
                RichText::new(signed(-score.completeness_deduction))
                    .color(if score.completeness_deduction.is_positive() { t.red } else { t.text }),
            );
            ui.label("");
            if let Some((_, s)) = other {
                ui.label(signed(-s.completeness_deduction));
            }
            ui.end_row();
        }
        if a.settings.promise_bonus_points.is_positive() {
            ui.label(lang.pick("承诺期限缩短加分", "Shortened promises"));
            ui.label("");
            ui.label(format!("{}/{}", d.figures.promised_days_total, d.figures.legal_days_total));
            ui.label(RichText::new(signed(score.promise_bonus)).color(if score.promise_bonus.is_positive() {
                t.ok
            } else {
                t.text
            }));
            ui.label("");
            if let Some((_, s)) = other {
                ui.label(signed(s.promise_bonus));
            }
            ui.end_row();
        }
        ui.label(RichText::new(lang.pick("合计", "Total")).strong());
        ui.label("100");
        ui.label("");
        ui.label(RichText::new(score.score.to_string()).strong());
        ui.label("");
        if let Some((_, s)) = other {
            ui.label(RichText::new(s.score.to_string()).strong());
        }
        ui.end_row();
    });
    let f = &d.figures;
    ui.label(
        RichText::new(lang.pick_owned(
            &format!(
                "办件 {}，办结 {}（按期 {}，提前 {}）；评价 {}（满意 {}）；督办 {}（按期回复 {}）；在岗人员 {}",
                f.cases, f.completed, f.completed_on_time, f.completed_early, f.ratings, f.ratings_satisfied, f.notices,
                f.notices_answered_on_time, f.staff
            ),
            &format!(
                "{} cases, {} completed ({} on time, {} early); {} ratings ({} satisfied); {} notices ({} answered on time); {} staff",
                f.cases, f.completed, f.completed_on_time, f.completed_early, f.ratings, f.ratings_satisfied, f.notices,
                f.notices_answered_on_time, f.staff
            ),
        ))
        .color(t.text_weak),
    );
    ui.horizontal(|ui| {
        if ui.button(lang.pick("查看扣分明细", "Show what cost the points")).clicked() {
            commands.push(AssessmentCommand::Items);
        }
        if chief && ui.button(lang.pick("发出监察建议书…", "Issue a supervision recommendation…")).clicked()
        {
            commands.push(AssessmentCommand::OpenRecommend(d.department_id));
        }
    });
    if let Some((month, department, items)) = &view.items
        && *month == a.month
        && *department == d.department_id
    {
        items_ui(ui, items, lang, t, commands);
    }
}

fn item_heading(item: &AssessmentItem, lang: Lang) -> &'static str {
    match item.category {
        Some(c) => category_text(c, lang),
        None => lang.pick("黄牌红牌", "Cards"),
    }
}

fn items_ui(
    ui: &mut egui::Ui,
    items: &[AssessmentItem],
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AssessmentCommand>,
) {
    ui.add_space(t.spacing * 0.5);
    if items.is_empty() {
        ui.label(lang.pick("本月没有扣分记录。", "Nothing cost points this month."));
        return;
    }
    let mut heading = "";
    for item in items {
        let h = item_heading(item, lang);
        if h != heading {
            ui.label(RichText::new(h).strong().color(t.text_strong));
            heading = h;
        }
        ui.horizontal(|ui| {
            ui.label(item.at.map_or_else(String::new, time::format_local_minutes));
            let kind = match item.kind {
                ItemKind::LateCase => lang.pick("超期办件", "late case"),
                ItemKind::Alert => lang.pick("预警", "alert"),
                ItemKind::Rating => lang.pick("差评", "poor rating"),
                ItemKind::Complaint => lang.pick("投诉", "complaint"),
                ItemKind::Attendance => lang.pick("考勤", "attendance"),
                ItemKind::Notice => lang.pick("督办", "notice"),
                ItemKind::SlipFinding => lang.pick("提示单", "slip"),
                ItemKind::Violation => lang.pick("违规", "violation"),
                ItemKind::Decision => lang.pick("问责", "decision"),
            };
            ui.label(RichText::new(kind).color(t.text_weak));
            if let Some(case_no) = &item.case_no
                && ui.link(case_no).on_hover_text(lang.pick("打开办件详情", "Open the case")).clicked()
            {
                commands.console(Command::Open(Open::Case(case_no.clone())));
            }
            ui.label(&item.text);
        });
    }
}

/// The 12 months ending with the month: the selected department's scores (and the one compared).
fn trend_ui(ui: &mut egui::Ui, view: &AssessmentState, lang: Lang, t: &Tokens) {
    let Some((month, series)) = &view.trend else { return };
    let mut months = Vec::with_capacity(12);
    let mut m = *month;
    for _ in 0..12 {
        months.push(m);
        m = m.previous();
    }
    months.reverse();
    ui.label(RichText::new(lang.pick("近 12 个月得分", "Scores of the last 12 months")).strong());
    let line = |id: i64| -> Option<(String, Vec<[f64; 2]>)> {
        let (_, name, values) = series.iter().find(|(d, _, _)| *d == id)?;
        let points: Vec<[f64; 2]> =
            values.iter().enumerate().filter_map(|(i, v)| v.map(|v| [i as f64, v.to_f64()])).collect();
        Some((name.clone(), points))
    };
    let selected = view.selected.and_then(line);
    let compared = view.compare.and_then(line);
    let labels = months.clone();
    egui_plot::Plot::new("assessment_trend")
        .height(180.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .include_y(100.0)
        .include_x(-0.5)
        .include_x(11.5)
        .legend(egui_plot::Legend::default().position(egui_plot::Corner::LeftBottom))
        .x_grid_spacer(crate::ui::widgets::per_index_marks(12))
        // Twelve months in half the width: labels closer together than the default 60 points stay.
        .custom_x_axes(vec![egui_plot::AxisHints::new_x().label_spacing(28.0..=36.0).formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            labels.get(i as usize).map(|m| format!("{:02}月", m.month)).unwrap_or_default()
        })])
        .show(ui, |plot| {
            for (series, colour) in [(selected, t.accent), (compared, t.orange)] {
                if let Some((name, points)) = series {
                    plot.line(egui_plot::Line::new(name.clone(), points.clone()).color(colour).width(2.0));
                    plot.points(egui_plot::Points::new(name, points).color(colour).radius(3.0));
                }
            }
        });
}

fn year_ui(
    ui: &mut egui::Ui,
    view: &AssessmentState,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AssessmentCommand>,
) {
    let Some(y) = &view.year else {
        ui.spinner();
        return;
    };
    ui.horizontal(|ui| {
        if ui.button("◀").clicked() {
            commands.push(AssessmentCommand::LoadYear(y.year - 1));
        }
        ui.label(RichText::new(lang.pick_owned(&format!("{}年", y.year), &y.year.to_string())).strong());
        if ui.button("▶").clicked() {
            commands.push(AssessmentCommand::LoadYear(y.year + 1));
        }
        ui.label(
            RichText::new(lang.pick(
                "季度、半年、全年为各月得分的平均（无办件的月份不计）；已发布的月份取最新版本。",
                "Quarters, halves and the year are the mean of the scored months; published months use their newest version.",
            ))
            .color(t.text_weak),
        );
    });
    egui::ScrollArea::both().id_salt("assessment_year").show(ui, |ui| {
        egui::Grid::new("assessment_year_grid").striped(true).show(ui, |ui| {
            ui.label(RichText::new(lang.pick("部门", "Department")).strong());
            for m in 1..=12 {
                let published = y.published.get(m - 1).copied().flatten().is_some();
                ui.label(RichText::new(format!("{m}{}", lang.pick("月", ""))).strong().color(if published {
                    t.ok
                } else {
                    t.text
                }));
            }
            for q in 1..=4 {
                ui.label(RichText::new(format!("Q{q}")).strong());
            }
            ui.label(RichText::new(lang.pick("上半年", "H1")).strong());
            ui.label(RichText::new(lang.pick("下半年", "H2")).strong());
            ui.label(RichText::new(lang.pick("全年", "Year")).strong());
            ui.label(RichText::new(lang.pick("名次", "Rank")).strong());
            ui.end_row();
            for d in &y.departments {
                ui.label(&d.department);
                for m in &d.months {
                    ui.label(score_text(*m));
                }
                for (q, g) in d.quarters.iter().zip(&d.quarter_grades) {
                    ui.label(
                        RichText::new(format!(
                            "{} {}",
                            score_text(*q),
                            if g.is_some() { grade_text(*g, lang) } else { "" }
                        ))
                        .color(grade_colour(*g, t)),
                    );
                }
                for h in &d.halves {
                    ui.label(score_text(*h));
                }
                ui.label(RichText::new(score_text(d.year)).strong());
                ui.label(d.year_rank.map_or_else(|| "—".into(), |r| r.to_string()));
                ui.end_row();
            }
        });
    });
}

fn recommendation_state(r: &Recommendation, lang: Lang, t: &Tokens) -> (String, egui::Color32) {
    match (r.reply_at, r.overdue) {
        (Some(at), _) => {
            let late = time::local_date(at) > r.reply_due;
            let text = lang.pick_owned(
                &format!("已回复 {}{}", time::local_date(at), if late { "（逾期）" } else { "" }),
                &format!("replied {}{}", time::local_date(at), if late { " (late)" } else { "" }),
            );
            (text, if late { t.orange } else { t.ok })
        }
        (None, true) => (lang.pick_owned("逾期未回复", "overdue, no reply"), t.red),
        (None, false) if r.receipt_at.is_some() => {
            (lang.pick_owned(&format!("已签收（{}）", r.receipt_by.as_deref().unwrap_or("")), "signed for"), t.text)
        }
        _ => (lang.pick_owned("已签发，待签收", "issued"), t.text),
    }
}

fn recommendations_ui(
    ui: &mut egui::Ui,
    view: &AssessmentState,
    supervise: bool,
    printer: Option<&str>,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AssessmentCommand>,
) {
    let Some(list) = &view.recommendations else {
        ui.spinner();
        return;
    };
    if list.is_empty() {
        ui.label(lang.pick("尚未发出监察建议书。", "No supervision recommendation yet."));
        return;
    }
    egui::ScrollArea::vertical().id_salt("assessment_recommendations").show(ui, |ui| {
        egui::Grid::new("assessment_recommendation_grid").striped(true).show(ui, |ui| {
            for h in [
                lang.pick("编号", "Number"),
                lang.pick("部门", "Department"),
                lang.pick("评估月份", "Month"),
                lang.pick("签发", "Issued"),
                lang.pick("回复期限", "Reply by"),
                lang.pick("状态", "State"),
                "",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for r in list {
                ui.label(r.number_text());
                ui.label(&r.department);
                ui.label(r.month.map_or_else(|| "—".into(), |m| m.label_zh()));
                ui.label(format!("{} {}", time::local_date(r.issued_at), r.issued_by));
                ui.label(RichText::new(r.reply_due.to_string()).color(if r.overdue { t.red } else { t.text }));
                let (text, colour) = recommendation_state(r, lang, t);
                ui.label(RichText::new(text).color(colour));
                ui.horizontal(|ui| {
                    if supervise
                        && r.receipt_at.is_none()
                        && r.reply_at.is_none()
                        && ui.button(lang.pick("登记签收", "Signed for")).clicked()
                    {
                        commands.push(AssessmentCommand::OpenReceipt(r.id));
                    }
                    if supervise
                        && r.reply_at.is_none()
                        && ui.button(lang.pick("登记回复", "Record the reply")).clicked()
                    {
                        commands.push(AssessmentCommand::OpenReply(r.id));
                    }
                    if ui.button("PDF").clicked() {
                        commands.push(AssessmentCommand::RecommendationPdf { id: r.id, print: None });
                    }
                    if ui.button(lang.pick("打印", "Print")).clicked() {
                        commands.push(AssessmentCommand::RecommendationPdf {
                            id: r.id,
                            print: Some(printer.map(str::to_owned)),
                        });
                    }
                });
                ui.end_row();
                if let Some(reply) = &r.reply {
                    ui.label("");
                    ui.label(RichText::new(reply).color(t.text_weak));
                    ui.end_row();
                }
            }
        });
    });
}

fn form_ui(
    ui: &mut egui::Ui,
    view: &mut AssessmentState,
    lang: Lang,
    t: &Tokens,
    commands: &mut Sender<AssessmentCommand>,
) {
    let error = view.form_error.clone();
    let published = view.view.as_ref().and_then(|v| v.published.first()).map(|p| p.version);
    let month = view.month;
    let number = |id: i64| -> String {
        view.recommendations
            .as_ref()
            .and_then(|l| l.iter().find(|r| r.id == id))
            .map(Recommendation::number_text)
            .unwrap_or_default()
    };
    let numbers: Option<String> = match &view.form {
        Some(AssessmentForm::Receipt { id, .. } | AssessmentForm::Reply { id, .. }) => Some(number(*id)),
        _ => None,
    };
    let Some(form) = &mut view.form else { return };
    let cancel = AssessmentCommand::CancelForm;
    let submit = AssessmentCommand::SubmitForm;
    match form {
        AssessmentForm::Publish { reason } => {
            let title = month.map_or_else(String::new, |m| {
                lang.pick_owned(&format!("发布{}绩效评估", m.label_zh()), &format!("Publish the assessment of {m}"))
            });
            let needs_reason = published.is_some();
            Dialog::new("jiancha_assessment_publish", title, lang, cancel)
                .width(DialogWidth::Normal)
                .subtitle(lang.pick(
                    "发布后本月结果冻结，之后到达的数据不再改变已发布的结果；重新计算将作为新版本发布并记入审计日志。",
                    "Once published the month is frozen; a recomputation is a new version, audited.",
                ))
                .error(error.as_deref())
                .submit(lang.pick("发布", "Publish"), submit, !needs_reason || !reason.trim().is_empty())
                .show(ui, t, commands, |ui, _| {
                    if let Some(v) = published {
                        let l = ui.label(lang.pick_owned(
                            &format!("已发布第{v}版。重新计算的原因："),
                            &format!("Version {v} is published. Why compute again:"),
                        ));
                        ui.add(egui::TextEdit::singleline(reason).desired_width(f32::INFINITY)).labelled_by(l.id);
                    }
                });
        }
        AssessmentForm::Recommend { department, facts, recommendation, .. } => {
            Dialog::new(
                "jiancha_assessment_recommend",
                lang.pick_owned(&format!("监察建议书 → {department}"), &format!("Recommendation → {department}")),
                lang,
                cancel,
            )
            .width(DialogWidth::Wide)
            .subtitle(
                lang.pick(
                    "编号按本大厅本年度顺序自动编排，发出后不可删除。",
                    "Numbered per hall and year; never deleted.",
                ),
            )
            .error(error.as_deref())
            .submit(lang.pick("签发", "Issue"), submit, !facts.trim().is_empty() && !recommendation.trim().is_empty())
            .show(ui, t, commands, |ui, _| {
                let l = ui.label(lang.pick("事实", "Facts"));
                ui.add(egui::TextEdit::multiline(facts).desired_rows(4).desired_width(f32::INFINITY)).labelled_by(l.id);
                let l = ui.label(lang.pick("监察建议", "Recommendation"));
                ui.add(egui::TextEdit::multiline(recommendation).desired_rows(4).desired_width(f32::INFINITY))
                    .labelled_by(l.id);
            });
        }
        AssessmentForm::Receipt { signed_by, .. } => {
            Dialog::new(
                "jiancha_assessment_receipt",
                lang.pick_owned(&format!("{} 签收", numbers.unwrap_or_default()), "Signed for"),
                lang,
                cancel,
            )
            .width(DialogWidth::Narrow)
            .error(error.as_deref())
            .submit(lang.pick("保存", "Save"), submit, !signed_by.trim().is_empty())
            .show(ui, t, commands, |ui, _| {
                let l = ui.label(lang.pick("签收人", "Signed by"));
                ui.text_edit_singleline(signed_by).labelled_by(l.id);
            });
        }
        AssessmentForm::Reply { reply, .. } => {
            Dialog::new(
                "jiancha_assessment_reply",
                lang.pick_owned(&format!("{} 部门回复", numbers.unwrap_or_default()), "The department's reply"),
                lang,
                cancel,
            )
            .width(DialogWidth::Wide)
            .error(error.as_deref())
            .submit(lang.pick("保存", "Save"), submit, !reply.trim().is_empty())
            .show(ui, t, commands, |ui, _| {
                let l = ui.label(lang.pick("回复内容", "Reply"));
                ui.add(egui::TextEdit::multiline(reply).desired_rows(5).desired_width(f32::INFINITY)).labelled_by(l.id);
            });
        }
    }
}

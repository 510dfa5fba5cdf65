//! The alert list's filters and sort, applied in `recompute` only when the filter or the rows changed
//! (the app calls it every frame; the table draws only the visible rows).

use super::*;

pub(super) fn parse_day(text: &str) -> Result<Option<NaiveDate>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| format!("{t:?}: YYYY-MM-DD"))
}

pub(super) fn matches(
    row: &AlertRow,
    f: &AlertFilter,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    text: &str,
    staff: &str,
) -> bool {
    if f.hall.as_ref().is_some_and(|h| row.hall.as_ref() != Some(h))
        || f.department.as_ref().is_some_and(|d| &row.department != d)
        || f.window.as_ref().is_some_and(|w| row.window.as_ref() != Some(w))
        || f.rule.is_some_and(|r| row.rule != r)
    {
        return false;
    }
    if !staff.is_empty()
        && !row.staff_no.as_deref().is_some_and(|s| s.to_lowercase().contains(staff))
        && !row.staff_name.as_deref().is_some_and(|s| s.contains(staff))
    {
        return false;
    }
    if !text.is_empty()
        && !row.case_no.to_lowercase().contains(text)
        && !row.applicant.as_deref().is_some_and(|a| a.to_lowercase().contains(text))
    {
        return false;
    }
    let day = time::local_date(row.since);
    from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t)
}

/// Recomputes the visible rows and the level counts when the filter or the rows changed.
pub fn recompute(view: &mut AlertsView) {
    if view.applied.as_ref().is_some_and(|(f, g)| *f == view.filter && *g == view.generation) {
        return;
    }
    let f = view.filter.clone();
    let (from, to) = match (parse_day(&f.from), parse_day(&f.to)) {
        (Ok(a), Ok(b)) => {
            view.filter_error = None;
            (a, b)
        }
        (Err(e), _) | (_, Err(e)) => {
            view.filter_error = Some(e);
            (None, None)
        }
    };
    let text = f.text.trim().to_lowercase();
    let staff = f.staff.trim().to_lowercase();
    let mut counts = [0usize; 3];
    let mut visible = Vec::with_capacity(view.rows.len());
    for (i, row) in view.rows.iter().enumerate() {
        if !matches(row, &f, from, to, &text, &staff) {
            continue;
        }
        let li = level_index(row.level);
        counts[li] += 1;
        if f.levels[li] {
            visible.push(i);
        }
    }
    let rows = &view.rows;
    visible.sort_by(|&a, &b| {
        let (x, y) = (&rows[a], &rows[b]);
        let ordering = match f.sort {
            AlertSort::Severity => x.level.cmp(&y.level).then(x.since.cmp(&y.since)),
            AlertSort::Since => x.since.cmp(&y.since),
            AlertSort::CaseNo => x.case_no.cmp(&y.case_no),
            AlertSort::Department => x.department.cmp(&y.department).then(x.level.cmp(&y.level)),
            AlertSort::Window => x.window.cmp(&y.window).then(x.level.cmp(&y.level)),
            AlertSort::Rule => x.rule.cmp(&y.rule).then(x.since.cmp(&y.since)),
        };
        let ordering = if f.descending { ordering.reverse() } else { ordering };
        ordering.then(x.id.cmp(&y.id))
    });
    view.visible = visible;
    view.counts = counts;
    view.applied = Some((f, view.generation));
}

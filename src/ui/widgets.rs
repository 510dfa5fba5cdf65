//! Small pieces the panels share.

use egui::RichText;

/// A table header of bold titles.
pub fn header_row(mut row: egui_extras::TableRow<'_, '_>, titles: &[&str]) {
    for title in titles {
        row.col(|ui| {
            ui.label(RichText::new(*title).strong());
        });
    }
}

/// One x-axis mark per bar (the default spacer fades most of the labels).
pub(crate) fn per_index_marks(n: usize) -> impl Fn(egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    move |_| (0..n).map(|i| egui_plot::GridMark { value: i as f64, step_size: 1.0 }).collect()
}

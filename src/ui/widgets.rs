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

//! Small pieces the panels share.

use egui::RichText;

use super::command::Command;
use super::context::{Sender, Shared};

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

/// The console's printer picker (one choice for the workstation: slips, rankings, bulletins).
/// `none` names the system's default printer.
pub fn printer_picker_ui<C>(ui: &mut egui::Ui, id: &str, none: &str, shared: &Shared<'_>, commands: &mut Sender<C>) {
    let lang = shared.lang;
    let l = ui.label(lang.pick("打印机", "Printer"));
    egui::ComboBox::from_id_salt(id)
        .selected_text(shared.printer.unwrap_or(none))
        .show_ui(ui, |ui| {
            if ui.selectable_label(shared.printer.is_none(), none).clicked() {
                commands.console(Command::SetPrinter(None));
            }
            for p in shared.printers.unwrap_or_default() {
                if ui.selectable_label(shared.printer == Some(p.as_str()), p).clicked() {
                    commands.console(Command::SetPrinter(Some(p.clone())));
                }
            }
        })
        .response
        .labelled_by(l.id);
}

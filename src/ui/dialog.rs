//! One shape for every modal dialog of the console: a title, a width from the tokens, the body the
//! area draws, the error line, and the button row. Submitting and cancelling are commands, so the
//! area's logic decides when a dialog closes (on success, or at once), never the panel.

use egui::RichText;

use super::context::Sender;
use super::i18n::Lang;
use super::theme::{DialogWidth, Tokens};

/// A modal dialog, built then shown once per frame.
pub struct Dialog<'a, C> {
    id: &'static str,
    title: String,
    subtitle: Option<String>,
    width: DialogWidth,
    error: Option<&'a str>,
    submit: Option<(String, C, bool)>,
    cancel: (String, C),
    pending: bool,
}

impl<'a, C: Clone> Dialog<'a, C> {
    /// A dialog that `cancel` closes (the 取消 button, Escape, a click beside it).
    pub fn new(id: &'static str, title: impl Into<String>, lang: Lang, cancel: C) -> Self {
        Self {
            id,
            title: title.into(),
            subtitle: None,
            width: DialogWidth::Normal,
            error: None,
            submit: None,
            cancel: (lang.pick("取消", "Cancel").to_owned(), cancel),
            pending: false,
        }
    }

    pub fn width(mut self, width: DialogWidth) -> Self {
        self.width = width;
        self
    }

    /// A line under the title (a number, what the dialog is about).
    pub fn subtitle(mut self, text: impl Into<String>) -> Self {
        self.subtitle = Some(text.into());
        self
    }

    /// The main button: its label, the command it sends, and whether the form is ready for it.
    pub fn submit(mut self, label: &str, command: C, ready: bool) -> Self {
        self.submit = Some((label.to_owned(), command, ready));
        self
    }

    /// A different label for the cancel button (返回, 关闭).
    pub fn cancel_label(mut self, label: &str) -> Self {
        self.cancel.0 = label.to_owned();
        self
    }

    /// The error of the last try, shown above the buttons.
    pub fn error(mut self, error: Option<&'a str>) -> Self {
        self.error = error;
        self
    }

    /// The submitted work is running: the buttons wait and a spinner shows; Escape does not close.
    pub fn pending(mut self, pending: bool) -> Self {
        self.pending = pending;
        self
    }

    /// Shows the dialog; `body` draws the fields (it may push commands of its own); `C` is the area's command.
    pub fn show(
        self,
        ui: &mut egui::Ui,
        t: &Tokens,
        commands: &mut Sender<C>,
        body: impl FnOnce(&mut egui::Ui, &mut Sender<C>),
    ) {
        let Self { id, title, subtitle, width, error, submit, cancel, pending } = self;
        let modal = egui::Modal::new(egui::Id::unique(id)).show(ui.ctx(), |ui| {
            ui.set_width(t.dialog_width(width));
            ui.heading(title);
            if let Some(s) = subtitle {
                ui.label(RichText::new(s).color(t.text_weak));
            }
            ui.add_space(t.spacing * 0.5);
            body(ui, commands);
            if let Some(e) = error {
                ui.label(RichText::new(e).color(t.red));
            }
            ui.add_space(t.spacing * 0.5);
            ui.horizontal(|ui| {
                if let Some((label, command, ready)) = submit
                    && ui.add_enabled(ready && !pending, egui::Button::new(label)).clicked()
                {
                    commands.push(command);
                }
                if ui.add_enabled(!pending, egui::Button::new(&cancel.0)).clicked() {
                    commands.push(cancel.1.clone());
                }
                if pending {
                    ui.spinner();
                }
            });
        });
        if modal.should_close() && !pending {
            commands.push(cancel.1);
        }
    }
}

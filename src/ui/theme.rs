//! Design tokens of the control-room theme. Panels take colours and spacing from here, never literals,
//! so that the colour-blind alert palette is one switch.

use egui::{Color32, CornerRadius, Margin, Stroke, Visuals};
use serde::{Deserialize, Serialize};

/// Which colours the alert levels use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AlertPalette {
    /// Yellow, orange, red.
    #[default]
    Standard,
    /// Distinguishable with red-green colour blindness (blue-yellow-magenta family, after Okabe & Ito).
    ColourBlind,
}

/// The tokens.
#[derive(Debug, Clone, Copy)]
pub struct Tokens {
    pub bg: Color32,
    pub panel: Color32,
    pub panel_raised: Color32,
    pub stroke: Color32,
    pub text: Color32,
    pub text_strong: Color32,
    pub text_weak: Color32,
    pub accent: Color32,
    pub ok: Color32,
    pub yellow: Color32,
    pub orange: Color32,
    pub red: Color32,
    pub selection: Color32,
    pub spacing: f32,
    pub radius: u8,
    pub nav_width: f32,
}

impl Tokens {
    pub fn new(palette: AlertPalette) -> Self {
        let (yellow, orange, red) = match palette {
            AlertPalette::Standard => (
                Color32::from_rgb(0xE3, 0xB3, 0x41),
                Color32::from_rgb(0xF0, 0x88, 0x3E),
                Color32::from_rgb(0xF8, 0x51, 0x49),
            ),
            AlertPalette::ColourBlind => (
                Color32::from_rgb(0xF0, 0xE4, 0x42),
                Color32::from_rgb(0x56, 0xB4, 0xE9),
                Color32::from_rgb(0xCC, 0x79, 0xA7),
            ),
        };
        Self {
            bg: Color32::from_rgb(0x0E, 0x13, 0x19),
            panel: Color32::from_rgb(0x15, 0x1C, 0x24),
            panel_raised: Color32::from_rgb(0x1C, 0x25, 0x30),
            stroke: Color32::from_rgb(0x2A, 0x35, 0x42),
            text: Color32::from_rgb(0xC9, 0xD2, 0xDC),
            text_strong: Color32::from_rgb(0xF0, 0xF4, 0xF8),
            text_weak: Color32::from_rgb(0x86, 0x93, 0xA2),
            accent: Color32::from_rgb(0x3B, 0x9E, 0xFF),
            ok: Color32::from_rgb(0x3F, 0xB9, 0x50),
            yellow,
            orange,
            red,
            selection: Color32::from_rgb(0x1F, 0x4E, 0x80),
            spacing: 8.0,
            radius: 4,
            nav_width: 168.0,
        }
    }

    pub fn card_frame(&self) -> egui::Frame {
        egui::Frame::new()
            .fill(self.panel_raised)
            .stroke(Stroke::new(1.0, self.stroke))
            .corner_radius(CornerRadius::same(self.radius))
            .inner_margin(Margin::same(10))
    }

    /// Applies the tokens to egui's style.
    pub fn apply(&self, ctx: &egui::Context) {
        let mut visuals = Visuals::dark();
        visuals.panel_fill = self.panel;
        visuals.window_fill = self.panel_raised;
        visuals.extreme_bg_color = self.bg;
        visuals.faint_bg_color = self.panel_raised;
        visuals.override_text_color = Some(self.text);
        visuals.hyperlink_color = self.accent;
        visuals.selection.bg_fill = self.selection;
        visuals.selection.stroke = Stroke::new(1.0, self.text_strong);
        visuals.widgets.noninteractive.bg_stroke = Stroke::new(1.0, self.stroke);
        visuals.warn_fg_color = self.orange;
        visuals.error_fg_color = self.red;
        let tokens = *self;
        ctx.all_styles_mut(move |style| {
            style.visuals = visuals.clone();
            style.spacing.item_spacing = egui::vec2(tokens.spacing, tokens.spacing * 0.75);
            style.spacing.button_padding = egui::vec2(10.0, 4.0);
            style.spacing.interact_size.y = 26.0;
            // Rows are clicked, not their text selected (clicks on selectable labels never reach the row).
            style.interaction.selectable_labels = false;
            for (text_style, size) in [
                (egui::TextStyle::Body, 15.0),
                (egui::TextStyle::Button, 15.0),
                (egui::TextStyle::Heading, 22.0),
                (egui::TextStyle::Small, 12.0),
                (egui::TextStyle::Monospace, 14.0),
            ] {
                if let Some(font) = style.text_styles.get_mut(&text_style) {
                    font.size = size;
                }
            }
        });
    }
}

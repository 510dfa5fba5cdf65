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

/// How wide a modal dialog is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogWidth {
    /// One or two short fields (a reason, a signer).
    Narrow,
    /// A form of a few fields.
    Normal,
    /// Long text or many fields (a notice, a violation, an export).
    Wide,
}

/// Text sizes (points), largest first.
#[derive(Debug, Clone, Copy)]
pub struct TextSizes {
    /// The program's name on the login screen.
    pub display: f32,
    /// Big figures (the overview's counts).
    pub figure: f32,
    /// Headings of a page.
    pub title: f32,
    /// The alert level counters and the frame's title.
    pub counter: f32,
    /// A case's number in its detail.
    pub case_title: f32,
    /// Second line of a detail heading.
    pub subtitle: f32,
    /// Navigation entries, the hall's name, messages over a video.
    pub nav: f32,
    /// Labels drawn on a video tile.
    pub tile: f32,
    /// Buttons laid over a video tile.
    pub tile_button: f32,
    /// Tick labels of a timeline.
    pub tick: f32,
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
    /// Behind a video picture (and a tile without one).
    pub video_bg: Color32,
    /// Text and icons drawn over video.
    pub overlay_text: Color32,
    /// Softer text over video (the camera's details).
    pub overlay_soft: Color32,
    /// Weak text over video (status lines).
    pub overlay_weak: Color32,
    /// An icon over video that is off.
    pub overlay_off: Color32,
    /// The band under a tile's label.
    pub overlay_band: Color32,
    /// "Live" and the time over a tile.
    pub overlay_live: Color32,
    /// Text on an accent-coloured band (the offline banner).
    pub text_on_accent: Color32,
    /// The tint of a picture drawn as it is (video frames).
    pub image_tint: Color32,
    /// The 1★–5★ scale of the evaluator, worst first (follows the palette).
    pub rating: [Color32; 5],
    pub text_size: TextSizes,
    pub spacing: f32,
    pub radius: u8,
    pub nav_width: f32,
}

impl Tokens {
    pub fn new(palette: AlertPalette) -> Self {
        // The colour-blind palette takes every signal colour from Okabe & Ito's set, "good" included,
        // so that no two meanings differ by red against green alone.
        let (yellow, orange, red, ok, good) = match palette {
            AlertPalette::Standard => (
                Color32::from_rgb(0xE3, 0xB3, 0x41),
                Color32::from_rgb(0xF0, 0x88, 0x3E),
                Color32::from_rgb(0xF8, 0x51, 0x49),
                Color32::from_rgb(0x3F, 0xB9, 0x50),
                Color32::from_rgb(0x7F, 0xC9, 0x7F),
            ),
            AlertPalette::ColourBlind => (
                Color32::from_rgb(0xF0, 0xE4, 0x42),
                Color32::from_rgb(0x56, 0xB4, 0xE9),
                Color32::from_rgb(0xCC, 0x79, 0xA7),
                Color32::from_rgb(0x00, 0x9E, 0x73),
                Color32::from_rgb(0x66, 0xC2, 0xA5),
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
            ok,
            yellow,
            orange,
            red,
            selection: Color32::from_rgb(0x1F, 0x4E, 0x80),
            video_bg: Color32::from_rgb(0x05, 0x08, 0x0C),
            overlay_text: Color32::WHITE,
            overlay_soft: Color32::from_gray(220),
            overlay_weak: Color32::from_gray(200),
            overlay_off: Color32::from_gray(70),
            overlay_band: Color32::from_black_alpha(150),
            overlay_live: Color32::from_rgb(0x9F, 0xE8, 0x9F),
            text_on_accent: Color32::WHITE,
            image_tint: Color32::WHITE,
            rating: [red, orange, yellow, good, ok],
            text_size: TextSizes {
                display: 34.0,
                figure: 26.0,
                title: 22.0,
                counter: 20.0,
                case_title: 18.0,
                subtitle: 17.0,
                nav: 16.0,
                tile: 14.0,
                tile_button: 13.0,
                tick: 11.0,
            },
            spacing: 8.0,
            radius: 4,
            nav_width: 168.0,
        }
    }

    /// The width of a modal dialog.
    pub fn dialog_width(&self, width: DialogWidth) -> f32 {
        match width {
            DialogWidth::Narrow => 420.0,
            DialogWidth::Normal => 480.0,
            DialogWidth::Wide => 560.0,
        }
    }

    /// The size of a tile's label: a fourteenth of the tile's height, within readable bounds.
    pub fn tile_label_size(&self, tile_height: f32) -> f32 {
        (tile_height / 14.0).clamp(self.text_size.tick, self.text_size.case_title)
    }

    /// The width of the login form.
    pub fn login_width(&self) -> f32 {
        360.0
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
                (egui::TextStyle::Heading, tokens.text_size.title),
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

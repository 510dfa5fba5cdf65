//! A4 documents with an embedded (subset) CJK font, through krilla.
//!
//! [`Sheet`] lays out headings, paragraphs, tables (wrapping cells, repeating the header on new pages),
//! signature boxes and tear-off lines as simple marks; [`Sheet::render`] draws them into a PDF. Text
//! widths are estimated (CJK full width, Latin about half) — enough to wrap document text safely.

use std::sync::Arc;

use krilla::color::{luma, rgb};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::text::{Font, TextDirection};

use crate::fonts::CjkFont;

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const FOOTER: f32 = 36.0;

#[derive(Debug, Clone, PartialEq)]
enum Mark {
    Text { x: f32, y: f32, size: f32, text: String, gray: u8 },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32, dashed: bool },
    Rect { x: f32, y: f32, w: f32, h: f32, fill_gray: Option<u8> },
}

/// How wide `text` is at `size` points (estimated).
pub fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if c.is_ascii() { if c.is_ascii_uppercase() || c.is_ascii_digit() { 0.6 } else { 0.52 } } else { 1.0 })
        .sum::<f32>()
        * size
}

/// Breaks `text` into lines no wider than `width` (explicit newlines kept).
pub fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for c in paragraph.chars() {
            let mut candidate = line.clone();
            candidate.push(c);
            if text_width(&candidate, size) > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
        lines.push(line);
    }
    lines
}

/// A column of a table: header and share of the content width.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    pub header: &'a str,
    pub share: f32,
}

/// A document being laid out, page by page, top to bottom.
#[derive(Debug, Clone)]
pub struct Sheet {
    pages: Vec<Vec<Mark>>,
    y: f32,
    /// Printed at the foot of every page with the page numbers.
    footer: String,
}

impl Sheet {
    pub fn new(footer: &str) -> Self {
        Self { pages: vec![Vec::new()], y: MARGIN, footer: footer.to_owned() }
    }

    pub fn content_width() -> f32 {
        PAGE_WIDTH - 2.0 * MARGIN
    }

    fn bottom() -> f32 {
        PAGE_HEIGHT - MARGIN - FOOTER
    }

    fn push(&mut self, mark: Mark) {
        if let Some(page) = self.pages.last_mut() {
            page.push(mark);
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` still fits.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > Self::bottom() {
            self.new_page();
        }
    }

    pub fn space(&mut self, height: f32) {
        self.y += height;
    }

    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// A centred title.
    pub fn title(&mut self, text: &str, size: f32) {
        self.ensure(size * 1.6);
        let x = (PAGE_WIDTH - text_width(text, size)) / 2.0;
        self.y += size;
        self.push(Mark::Text { x: x.max(MARGIN), y: self.y, size, text: text.to_owned(), gray: 0 });
        self.y += size * 0.6;
    }

    /// A line of text at a horizontal offset from the margin.
    pub fn line(&mut self, offset: f32, size: f32, text: &str) {
        self.ensure(size * 1.5);
        self.y += size;
        self.push(Mark::Text { x: MARGIN + offset, y: self.y, size, text: text.to_owned(), gray: 0 });
        self.y += size * 0.5;
    }

    /// Two texts on one line: one at the left, one at the right.
    pub fn line_pair(&mut self, size: f32, left: &str, right: &str) {
        self.ensure(size * 1.5);
        self.y += size;
        self.push(Mark::Text { x: MARGIN, y: self.y, size, text: left.to_owned(), gray: 0 });
        let x = PAGE_WIDTH - MARGIN - text_width(right, size);
        self.push(Mark::Text { x, y: self.y, size, text: right.to_owned(), gray: 0 });
        self.y += size * 0.5;
    }

    /// Wrapped text over the content width.
    pub fn paragraph(&mut self, size: f32, text: &str) {
        for line in wrap(text, size, Self::content_width()) {
            self.line(0.0, size, &line);
        }
    }

    /// A horizontal rule; dashed for a tear-off line.
    pub fn rule(&mut self, dashed: bool) {
        self.ensure(12.0);
        self.y += 6.0;
        self.push(Mark::Line {
            x1: MARGIN,
            y1: self.y,
            x2: PAGE_WIDTH - MARGIN,
            y2: self.y,
            width: if dashed { 0.8 } else { 0.6 },
            dashed,
        });
        self.y += 6.0;
    }

    /// Labelled boxes side by side (signature, seal), `height` tall.
    pub fn boxes(&mut self, labels: &[&str], height: f32) {
        self.ensure(height + 8.0);
        let gap = 16.0;
        let n = labels.len().max(1) as f32;
        let w = (Self::content_width() - gap * (n - 1.0)) / n;
        for (i, label) in labels.iter().enumerate() {
            let x = MARGIN + i as f32 * (w + gap);
            self.push(Mark::Rect { x, y: self.y, w, h: height, fill_gray: None });
            self.push(Mark::Text { x: x + 6.0, y: self.y + 14.0, size: 10.0, text: (*label).to_owned(), gray: 80 });
        }
        self.y += height + 8.0;
    }

    /// A table with wrapped cells; the header repeats on each new page.
    pub fn table(&mut self, columns: &[Column<'_>], rows: &[Vec<String>], size: f32) {
        let width = Self::content_width();
        let total: f32 = columns.iter().map(|c| c.share).sum::<f32>().max(f32::EPSILON);
        let widths: Vec<f32> = columns.iter().map(|c| width * c.share / total).collect();
        let pad = 4.0;
        let line_h = size * 1.35;
        let header: Vec<String> = columns.iter().map(|c| c.header.to_owned()).collect();
        let draw_row = |sheet: &mut Sheet, cells: &[String], shaded: bool| {
            let wrapped: Vec<Vec<String>> =
                cells.iter().zip(&widths).map(|(c, w)| wrap(c, size, w - 2.0 * pad)).collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * line_h + 2.0 * pad;
            let y = sheet.y;
            if shaded {
                sheet.push(Mark::Rect { x: MARGIN, y, w: width, h, fill_gray: Some(235) });
            }
            let mut x = MARGIN;
            for (cell, w) in wrapped.iter().zip(&widths) {
                for (i, text) in cell.iter().enumerate() {
                    sheet.push(Mark::Text {
                        x: x + pad,
                        y: y + pad + size + i as f32 * line_h,
                        size,
                        text: text.clone(),
                        gray: 0,
                    });
                }
                x += w;
            }
            sheet.push(Mark::Line { x1: MARGIN, y1: y + h, x2: MARGIN + width, y2: y + h, width: 0.4, dashed: false });
            sheet.y += h;
            h
        };
        let row_height = |cells: &[String]| {
            let lines =
                cells.iter().zip(&widths).map(|(c, w)| wrap(c, size, w - 2.0 * pad).len()).max().unwrap_or(1).max(1);
            lines as f32 * line_h + 2.0 * pad
        };
        self.ensure(row_height(&header) + row_height(rows.first().map_or(&header, |r| r)));
        self.push(Mark::Line { x1: MARGIN, y1: self.y, x2: MARGIN + width, y2: self.y, width: 0.8, dashed: false });
        draw_row(self, &header, true);
        for row in rows {
            if self.y + row_height(row) > Self::bottom() {
                self.new_page();
                self.push(Mark::Line {
                    x1: MARGIN,
                    y1: self.y,
                    x2: MARGIN + width,
                    y2: self.y,
                    width: 0.8,
                    dashed: false,
                });
                draw_row(self, &header, true);
            }
            draw_row(self, row, false);
        }
        self.y += 4.0;
    }

    /// Draws the marks into a PDF with the font embedded (subset).
    pub fn render(&self, font: &CjkFont) -> Result<Vec<u8>, String> {
        let data: Arc<Vec<u8>> = font.data.clone();
        let font = Font::new(data.into(), font.index).ok_or("the CJK font cannot be used in a PDF")?;
        let mut document = krilla::Document::new();
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("bad page size")?;
        let pages = self.pages.len();
        for (n, marks) in self.pages.iter().enumerate() {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            for mark in marks {
                match mark {
                    Mark::Text { x, y, size, text, gray } => {
                        surface.set_fill(Some(Fill {
                            paint: luma::Color::new(*gray).into(),
                            opacity: NormalizedF32::ONE,
                            rule: Default::default(),
                        }));
                        surface.draw_text(
                            Point::from_xy(*x, *y),
                            font.clone(),
                            *size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Mark::Line { x1, y1, x2, y2, width, dashed } => {
                        let mut path = PathBuilder::new();
                        path.move_to(*x1, *y1);
                        path.line_to(*x2, *y2);
                        let Some(path) = path.finish() else { continue };
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: *width,
                            dash: dashed.then(|| StrokeDash { array: vec![4.0, 3.0], offset: 0.0 }),
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                    Mark::Rect { x, y, w, h, fill_gray } => {
                        let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else { continue };
                        let mut path = PathBuilder::new();
                        path.push_rect(rect);
                        let Some(path) = path.finish() else { continue };
                        match fill_gray {
                            Some(g) => {
                                surface.set_stroke(None);
                                surface.set_fill(Some(Fill {
                                    paint: luma::Color::new(*g).into(),
                                    opacity: NormalizedF32::ONE,
                                    rule: Default::default(),
                                }));
                            }
                            None => {
                                surface.set_fill(None);
                                surface.set_stroke(Some(Stroke { width: 0.8, ..Stroke::default() }));
                            }
                        }
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
            }
            let foot = format!("{}    第 {} 页 / 共 {pages} 页", self.footer, n + 1);
            surface.set_fill(Some(Fill {
                paint: rgb::Color::new(110, 110, 110).into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            surface.draw_text(
                Point::from_xy(MARGIN, PAGE_HEIGHT - MARGIN + 8.0),
                font.clone(),
                8.5,
                &foot,
                false,
                TextDirection::Auto,
            );
            surface.finish();
            page.finish();
        }
        document.finish().map_err(|e| format!("PDF: {e:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_the_width() {
        let lines = wrap("四平市政务服务中心电子监察室提示单", 10.0, 60.0);
        assert!(lines.iter().all(|l| text_width(l, 10.0) <= 60.0));
        assert_eq!(lines.concat(), "四平市政务服务中心电子监察室提示单");
        assert_eq!(wrap("a\nb", 10.0, 100.0), vec!["a", "b"]);
    }

    #[test]
    fn long_tables_break_onto_new_pages() {
        let mut sheet = Sheet::new("test");
        let rows: Vec<Vec<String>> = (0..80).map(|i| vec![i.to_string(), "某某窗口工作人员离岗".into()]).collect();
        sheet.table(&[Column { header: "序号", share: 1.0 }, Column { header: "内容", share: 4.0 }], &rows, 10.0);
        assert!(sheet.pages() >= 2);
    }
}

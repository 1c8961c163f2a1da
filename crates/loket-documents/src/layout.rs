//! Measuring and wrapping text: each line as wide as the column allows, by the font's own
//! advance widths.

use krilla::text::{GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// A font's glyph advances, for measuring.
pub struct Face {
    bytes: &'static [u8],
}

impl Face {
    pub fn new(bytes: &'static [u8]) -> Option<Face> {
        FontRef::new(bytes).ok().map(|_| Face { bytes })
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(font) = FontRef::new(self.bytes) else { return 0.0 };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                let glyph = charmap.map(c).unwrap_or_default();
                metrics.advance_width(glyph).unwrap_or(size * 0.6)
            })
            .sum()
    }

    /// The glyphs of `text`, one per character by the font's character map, each advancing by
    /// its own width: the same widths [`Face::width`] measures, so a line drawn is exactly as
    /// wide as it was measured. No shaping: the form's Latin text needs no ligatures, and
    /// shaping each line anew (as krilla's `draw_text` does) cost most of the time of a form.
    pub fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        let Ok(font) = FontRef::new(self.bytes) else { return Vec::new() };
        let charmap = font.charmap();
        // At size 1 the advances come in ems, as krilla wants them.
        let metrics = font.glyph_metrics(Size::new(1.0), LocationRef::default());
        text.char_indices()
            .map(|(at, c)| {
                let glyph = charmap.map(c).unwrap_or_default();
                let advance = metrics.advance_width(glyph).unwrap_or(0.6);
                KrillaGlyph::new(GlyphId::new(glyph.to_u32()), advance, 0.0, 0.0, 0.0, at..at + c.len_utf8(), None)
            })
            .collect()
    }
}

/// `text` in lines no wider than `width`: at spaces where it can, inside a word too long for a
/// line. Line breaks in the text are kept; an empty text is one empty line.
pub fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if face.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            // A word wider than the line is cut where it must be.
            for c in word.chars() {
                line.push(c);
                if face.width(&line, size) > width && line.chars().count() > 1 {
                    let last = line.pop().unwrap_or(c);
                    out.push(std::mem::take(&mut line));
                    line.push(last);
                }
            }
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face() -> Face {
        Face::new(dejavu::sans::regular()).expect("DejaVu Sans")
    }

    #[test]
    fn every_line_fits_its_column() {
        let f = face();
        let text = "Dokumen penawaran gagal terkirim karena sertifikat elektronik sudah kedaluwarsa sejak minggu lalu";
        let lines = wrap(&f, text, 10.0, 150.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| f.width(l, 10.0) <= 150.0), "{lines:?}");
        assert_eq!(lines.join(" "), text, "nothing lost");
    }

    #[test]
    fn a_word_too_long_for_a_line_is_cut_and_line_breaks_are_kept() {
        let f = face();
        let lines = wrap(&f, &"x".repeat(200), 10.0, 100.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| f.width(l, 10.0) <= 100.0));
        assert_eq!(lines.concat(), "x".repeat(200));
        assert_eq!(wrap(&f, "satu\ndua", 10.0, 300.0), ["satu", "dua"]);
    }
}

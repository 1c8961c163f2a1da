//! Free text as people type it, checked once at the edge: trimmed, within its length, and
//! showing what it holds. A name made only of invisible characters is no name; bidirectional
//! controls, which make text read differently on screen than it is stored (a name or a tender
//! code shown backwards on a form or in the archive), are refused in every text field; line
//! breaks only where a field is written in lines (a description, an answer).

use crate::errors::FieldErrors;

/// Characters that show nothing and take no room: zero-width space, non-joiner and joiner, word
/// joiner, the byte order mark (zero-width no-break space), soft hyphen, Mongolian vowel
/// separator, combining grapheme joiner. Inside a word they may be right (a joiner in an emoji);
/// alone they are nothing.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}' | '\u{034F}')
}

/// Bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a text holds a bidirectional control anywhere.
pub fn has_bidi_control(s: &str) -> bool {
    s.chars().any(is_bidi_control)
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// A text that may run over several lines: trimmed of white space and invisible characters at
/// both ends (nothing left: `None`, which a required field reports as `missing`); over `max`
/// characters: `too_long`; a bidirectional control or a control character other than a line
/// break or tab: `invalid`.
pub fn multi_line(value: &str, max: usize, field: &str, errors: &mut FieldErrors) -> Option<String> {
    let v = value.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max {
        errors.add(field, "too_long");
        return None;
    }
    if v.chars().any(|c| is_bidi_control(c) || (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))) {
        errors.add(field, "invalid");
        return None;
    }
    Some(v.to_owned())
}

/// A text of one line (a name, a code): as [`multi_line`], and a line break or tab is `invalid`.
pub fn one_line(value: &str, max: usize, field: &str, errors: &mut FieldErrors) -> Option<String> {
    let v = multi_line(value, max, field, errors)?;
    if v.chars().any(|c| is_line_break(c) || c == '\t') {
        errors.add(field, "invalid");
        return None;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        f: fn(&str, usize, &str, &mut FieldErrors) -> Option<String>,
        value: &str,
    ) -> Result<Option<String>, String> {
        let mut errors = FieldErrors::default();
        let v = f(value, 20, "f", &mut errors);
        match errors.0.remove("f") {
            Some(reason) => Err(reason),
            None => Ok(v),
        }
    }

    #[test]
    fn a_text_of_invisible_characters_only_is_empty_like_one_of_spaces() {
        for blank in ["   ", "\u{200B}", "\u{200C}\u{200D}", "\u{FEFF}", " \u{2060} \u{200B} ", "\u{00AD}"] {
            assert_eq!(check(one_line, blank), Ok(None), "{blank:?}");
            assert_eq!(check(multi_line, blank), Ok(None), "{blank:?}");
        }
    }

    #[test]
    fn invisible_characters_at_the_ends_are_trimmed_and_kept_inside() {
        assert_eq!(check(one_line, "\u{FEFF}Budi\u{200B} "), Ok(Some("Budi".into())));
        assert_eq!(check(one_line, "👩\u{200D}💻 Siti"), Ok(Some("👩\u{200D}💻 Siti".into())));
    }

    #[test]
    fn bidirectional_controls_are_refused_in_every_text() {
        for c in
            ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']
        {
            let value = format!("Budi{c}idub");
            assert_eq!(check(one_line, &value), Err("invalid".into()), "{c:?}");
            assert_eq!(check(multi_line, &value), Err("invalid".into()), "{c:?}");
        }
        assert!(has_bidi_control("10023\u{202E}456"));
        assert!(!has_bidi_control("ﺏﻮﺪﻳ Budi"), "right-to-left script itself is fine");
    }

    #[test]
    fn line_breaks_only_where_a_field_has_lines() {
        assert_eq!(check(multi_line, "satu\r\ndua"), Ok(Some("satu\r\ndua".into())));
        for broken in ["Budi\nSantoso", "Budi\rSantoso", "Budi\u{2028}Santoso", "Budi\tSantoso"] {
            assert_eq!(check(one_line, broken), Err("invalid".into()), "{broken:?}");
        }
    }

    #[test]
    fn control_characters_are_refused_and_length_is_counted_in_characters() {
        assert_eq!(check(multi_line, "a\u{0}b"), Err("invalid".into()));
        assert_eq!(check(multi_line, "a\u{1b}[2Jb"), Err("invalid".into()));
        assert_eq!(check(one_line, &"é".repeat(20)), Ok(Some("é".repeat(20))));
        assert_eq!(check(one_line, &"é".repeat(21)), Err("too_long".into()));
    }
}

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

/// A text that may run over several lines: over `max` characters as sent: `too_long`; trimmed
/// of white space and invisible characters at both ends (nothing left: `None`, which a required
/// field reports as `missing`); a bidirectional control or a control character other than a
/// line break or tab: `invalid`.
pub fn multi_line(value: &str, max: usize, field: &str, errors: &mut FieldErrors) -> Option<String> {
    if value.chars().count() > max {
        errors.add(field, "too_long");
        return None;
    }
    let v = value.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if v.is_empty() {
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

/// The same rules as patterns (ECMA-262, as JSON Schema and OpenAPI take them), so that the API's
/// document says exactly which texts are taken. `\u` escapes keep them readable as ASCII.
pub mod patterns {
    /// White space as `str::trim` sees it (Unicode `White_Space`).
    macro_rules! white_space {
        () => {
            r"\t\n\u000B\u000C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
        };
    }
    /// [`super::is_invisible`].
    macro_rules! invisible {
        () => {
            r"\u00AD\u034F\u180E\u200B-\u200D\u2060\uFEFF"
        };
    }
    macro_rules! control {
        () => {
            r"\u0000-\u001F\u007F-\u009F"
        };
    }
    macro_rules! bidi {
        () => {
            r"\u202A-\u202E\u2066-\u2069"
        };
    }
    /// Refused inside a one-line text: controls, bidirectional controls, line separators.
    macro_rules! not_in_line {
        () => {
            concat!(control!(), bidi!(), r"\u2028\u2029")
        };
    }
    /// Refused inside a multi-line text: controls but line breaks and tab, bidirectional controls.
    macro_rules! not_in_text {
        () => {
            concat!(r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F", bidi!())
        };
    }
    macro_rules! text_pattern {
        ($refused:expr, $body:literal) => {
            concat!(
                "^[",
                white_space!(),
                invisible!(),
                "]*",
                "(?:[^",
                white_space!(),
                invisible!(),
                $refused,
                "](?:[^",
                $refused,
                "]*[^",
                white_space!(),
                invisible!(),
                $refused,
                "])?)",
                $body,
                "[",
                white_space!(),
                invisible!(),
                "]*$"
            )
        };
    }

    /// [`super::one_line`], empty allowed (it clears the field).
    pub const ONE_LINE: &str = text_pattern!(not_in_line!(), "?");
    /// [`super::one_line`] with something to show.
    pub const ONE_LINE_REQUIRED: &str = text_pattern!(not_in_line!(), "");
    /// [`super::multi_line`], empty allowed.
    pub const MULTI_LINE: &str = text_pattern!(not_in_text!(), "?");
    /// [`super::multi_line`] with something to show.
    pub const MULTI_LINE_REQUIRED: &str = text_pattern!(not_in_text!(), "");
    /// A tender code: letters, digits and dashes, or empty.
    pub const TENDER_CODE: &str =
        concat!("^[", white_space!(), invisible!(), "]*[A-Za-z0-9-]*[", white_space!(), invisible!(), "]*$");
    /// [`crate::guest_book::parse_phone`]: 8 to 15 digits with spaces, dashes, dots, brackets and a
    /// leading `+`; or empty.
    pub const PHONE: &str =
        concat!("^[", white_space!(), r"]*(?:\+?[ .()-]*(?:[0-9][ .()-]*){8,15})?[", white_space!(), "]*$");
    /// A label a supervisor gives (a counter's or a service's name): something to show, no
    /// bidirectional control.
    pub const LABEL: &str = concat!("^[^", bidi!(), "]*[^", white_space!(), bidi!(), "][^", bidi!(), "]*$");
    /// [`crate::archive::valid_pattern`]: text and the fields `{office}`, `{yyyy}`, `{mm}`, `{dd}`,
    /// with exactly one `{seq}` or `{seq:N}` (N from 1 to 9); no other brace, no control character.
    pub const ARCHIVE_PATTERN: &str = concat!(
        r"^(?:[^{}",
        control!(),
        r"]|\{(?:office|yyyy|mm|dd)\})*\{seq(?::0?[1-9])?\}(?:[^{}",
        control!(),
        r"]|\{(?:office|yyyy|mm|dd)\})*$"
    );
    /// [`crate::guest_book::is_email`] exactly, nothing around it.
    pub const EMAIL_ADDRESS: &str = concat!(
        "^[^@",
        white_space!(),
        control!(),
        bidi!(),
        invisible!(),
        r"]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$"
    );
    /// [`crate::guest_book::Contact::parse`]: a phone number or an e-mail address, not empty.
    pub const CONTACT: &str = concat!(
        "^[",
        white_space!(),
        r"]*(?:\+?[ .()-]*(?:[0-9][ .()-]*){8,15}|[^@",
        white_space!(),
        control!(),
        bidi!(),
        invisible!(),
        r"]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)[",
        white_space!(),
        "]*$"
    );
    /// [`crate::guest_book::is_email`], or empty.
    pub const EMAIL: &str = concat!(
        "^[",
        white_space!(),
        "]*(?:[^@",
        white_space!(),
        control!(),
        bidi!(),
        invisible!(),
        r"]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?[",
        white_space!(),
        "]*$"
    );
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

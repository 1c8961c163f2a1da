//! SOP step 8: "a call is shown on the display board and announced aloud". The words of an
//! announcement, in Indonesian: "Nomor antrian A nol nol tujuh, silakan menuju loket dua".
//!
//! The display board joins short recorded clips, one per word, so that it speaks on a TV with
//! no Indonesian voice of its own and no internet. The rule that turns a number into words lives
//! here; the board only plays the clip names it is given, in order.
//!
//! How a code is read: its letters one by one by their Indonesian names (`A` "a", `B` "be"), and
//! each run of digits as a number in words (`123` "seratus dua puluh tiga"), its leading zeros
//! read as "nol" each, as people read a ticket (`007` "nol nol tujuh", `010` "nol sepuluh").

use serde::Serialize;

/// The chime played before every announcement.
pub const CHIME: &str = "chime";
/// "Nomor antrian".
pub const OPENING: &str = "nomor-antrian";
/// "silakan menuju loket".
pub const TO_COUNTER: &str = "silakan-menuju-loket";

const DIGITS: [&str; 10] = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"];

/// Indonesian names of the letters, as they are said aloud.
const LETTERS: [&str; 26] = [
    "a", "be", "ce", "de", "e", "ef", "ge", "ha", "i", "je", "ka", "el", "em", "en", "o", "pe", "ki", "er", "es", "te",
    "u", "ve", "we", "eks", "ye", "zet",
];

/// Every clip an announcement may name, with the text it says (the chime says nothing).
/// `tools/voice-clips.sh` records them once; Loket serves exactly these (a test holds the two
/// together).
pub fn clips() -> Vec<(String, String)> {
    let mut out = vec![
        (CHIME.to_owned(), String::new()),
        (OPENING.to_owned(), "nomor antrian".to_owned()),
        (TO_COUNTER.to_owned(), "silakan menuju loket".to_owned()),
    ];
    for word in DIGITS.iter().chain(&["sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus", "seribu", "ribu"]) {
        out.push(((*word).to_owned(), (*word).to_owned()));
    }
    for (i, name) in LETTERS.iter().enumerate() {
        let letter = char::from(b'a' + i as u8);
        out.push((letter_clip(letter), (*name).to_owned()));
    }
    out
}

fn letter_clip(letter: char) -> String {
    format!("huruf-{}", letter.to_ascii_lowercase())
}

/// A number in Indonesian words, below one million: 0 "nol", 11 "sebelas", 100 "seratus",
/// 1000 "seribu", 123 "seratus dua puluh tiga". Larger numbers are read digit by digit.
pub fn number_words(n: u32) -> Vec<&'static str> {
    if n >= 1_000_000 {
        return n.to_string().bytes().map(|d| DIGITS[usize::from(d - b'0')]).collect();
    }
    if n == 0 {
        return vec!["nol"];
    }
    let mut out = Vec::new();
    let (thousands, rest) = (n / 1000, n % 1000);
    match thousands {
        0 => {}
        1 => out.push("seribu"),
        t => {
            out.extend(below_thousand(t));
            out.push("ribu");
        }
    }
    out.extend(below_thousand(rest));
    out
}

/// 1..=999 in words; nothing for 0.
fn below_thousand(n: u32) -> Vec<&'static str> {
    let mut out = Vec::new();
    let (hundreds, rest) = (n / 100, n % 100);
    match hundreds {
        0 => {}
        1 => out.push("seratus"),
        h => {
            out.push(DIGITS[h as usize]);
            out.push("ratus");
        }
    }
    match rest {
        0 => {}
        1..=9 => out.push(DIGITS[rest as usize]),
        10 => out.push("sepuluh"),
        11 => out.push("sebelas"),
        12..=19 => {
            out.push(DIGITS[(rest - 10) as usize]);
            out.push("belas");
        }
        _ => {
            out.push(DIGITS[(rest / 10) as usize]);
            out.push("puluh");
            if rest % 10 != 0 {
                out.push(DIGITS[(rest % 10) as usize]);
            }
        }
    }
    out
}

/// The clips that read a code aloud (`A-007`, a counter's `2`): letters by name, digit runs as
/// numbers with their leading zeros as "nol"; anything else (`-`) is not read.
pub fn code_clips(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut Vec<String>| {
        if digits.is_empty() {
            return;
        }
        let zeros = digits.len() - digits.trim_start_matches('0').len();
        let rest = &digits[zeros..];
        // "000" is three zeros; "007" is two zeros and seven.
        out.extend(std::iter::repeat_n("nol".to_owned(), zeros));
        if !rest.is_empty() {
            match rest.parse::<u32>() {
                Ok(n) => out.extend(number_words(n).into_iter().map(str::to_owned)),
                Err(_) => out.extend(rest.bytes().map(|d| DIGITS[usize::from(d - b'0')].to_owned())),
            }
        }
        digits.clear();
    };
    for c in code.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        flush(&mut digits, &mut out);
        if c.is_ascii_alphabetic() {
            out.push(letter_clip(c));
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// What the board says for one call: the clips in order, and the same words as one sentence for
/// a browser that has an Indonesian voice of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Announcement {
    /// Clip names, in order, starting with the chime.
    pub clips: Vec<String>,
    /// "Nomor antrian A nol nol tujuh, silakan menuju loket dua".
    pub text: String,
}

/// The announcement of a call of `number` to `counter`.
pub fn announce(number: &str, counter: &str) -> Announcement {
    let number_clips = code_clips(number);
    let counter_clips = code_clips(counter);
    let mut clips = vec![CHIME.to_owned(), OPENING.to_owned()];
    clips.extend(number_clips.iter().cloned());
    clips.push(TO_COUNTER.to_owned());
    clips.extend(counter_clips.iter().cloned());
    let said = |list: &[String]| list.iter().map(|c| spoken(c)).collect::<Vec<_>>().join(" ");
    let text = format!("Nomor antrian {}, silakan menuju loket {}", said(&number_clips), said(&counter_clips));
    Announcement { clips, text }
}

/// The word a clip says, as written in the sentence (a letter as its capital: "A").
fn spoken(clip: &str) -> String {
    match clip.strip_prefix("huruf-") {
        Some(letter) => letter.to_uppercase(),
        None => clip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads Indonesian number words back into the number (the inverse of [`number_words`]).
    fn read(words: &[&str]) -> u32 {
        let digit = |w: &str| DIGITS.iter().position(|d| *d == w).map(|d| d as u32);
        let (mut total, mut group, mut last) = (0u32, 0u32, 0u32);
        for w in words {
            match *w {
                "sepuluh" => group += 10,
                "sebelas" => group += 11,
                "seratus" => group += 100,
                "seribu" => total += 1000,
                "belas" => group += 10,
                "puluh" => group += last * 9,
                "ratus" => group += last * 99,
                "ribu" => {
                    total += group * 1000;
                    group = 0;
                }
                other => {
                    last = digit(other).unwrap_or_else(|| panic!("not a number word: {other}"));
                    group += last;
                }
            }
        }
        total + group
    }

    #[test]
    fn the_example_of_the_issue_is_said_word_for_word() {
        let a = announce("A-007", "2");
        assert_eq!(a.text, "Nomor antrian A nol nol tujuh, silakan menuju loket dua");
        assert_eq!(
            a.clips,
            ["chime", "nomor-antrian", "huruf-a", "nol", "nol", "tujuh", "silakan-menuju-loket", "dua"]
        );
    }

    #[test]
    fn numbers_are_read_as_indonesian_words() {
        assert_eq!(number_words(0), ["nol"]);
        assert_eq!(number_words(10), ["sepuluh"]);
        assert_eq!(number_words(11), ["sebelas"]);
        assert_eq!(number_words(12), ["dua", "belas"]);
        assert_eq!(number_words(20), ["dua", "puluh"]);
        assert_eq!(number_words(100), ["seratus"]);
        assert_eq!(number_words(123), ["seratus", "dua", "puluh", "tiga"]);
        assert_eq!(number_words(999), ["sembilan", "ratus", "sembilan", "puluh", "sembilan"]);
        assert_eq!(number_words(1000), ["seribu"]);
        assert_eq!(number_words(2011), ["dua", "ribu", "sebelas"]);
        assert_eq!(number_words(1_000_000), ["satu", "nol", "nol", "nol", "nol", "nol", "nol"]);
    }

    #[test]
    fn leading_zeros_of_a_ticket_are_read_as_nol() {
        assert_eq!(code_clips("A-010"), ["huruf-a", "nol", "sepuluh"]);
        assert_eq!(code_clips("B-123"), ["huruf-b", "seratus", "dua", "puluh", "tiga"]);
        assert_eq!(code_clips("A-000"), ["huruf-a", "nol", "nol", "nol"]);
        assert_eq!(code_clips("A-1234"), ["huruf-a", "seribu", "dua", "ratus", "tiga", "puluh", "empat"]);
        assert_eq!(code_clips("VIP"), ["huruf-v", "huruf-i", "huruf-p"]);
    }

    #[test]
    fn every_letter_has_its_clip() {
        let names: Vec<String> = clips().into_iter().map(|(n, _)| n).collect();
        for c in 'A'..='Z' {
            assert!(names.contains(&letter_clip(c)), "{c}");
        }
        assert_eq!(spoken("huruf-b"), "B");
    }

    proptest! {
        /// A number below a million reads back as itself, and names only recorded clips.
        #[test]
        fn number_words_read_back_to_the_number(n in 0u32..1_000_000) {
            let words = number_words(n);
            prop_assert_eq!(read(&words), n);
            let names: Vec<String> = clips().into_iter().map(|(n, _)| n).collect();
            for w in &words {
                prop_assert!(names.contains(&(*w).to_owned()), "{} has no clip", w);
            }
        }

        /// Every call of numbers 0..=999 to counters 1..=99 is announced with recorded clips only:
        /// chime, opening, the service letter, three digits' worth of words, the counter.
        #[test]
        fn every_call_names_only_recorded_clips(service in "[A-Z]{1,3}", n in 0i64..=999, counter in 1u32..=99) {
            let number = crate::office::queue_number(&service, n);
            let a = announce(&number, &counter.to_string());
            let names: Vec<String> = clips().into_iter().map(|(n, _)| n).collect();
            for c in &a.clips {
                prop_assert!(names.contains(c), "{} has no clip", c);
            }
            prop_assert_eq!(&a.clips[..2], &[CHIME.to_owned(), OPENING.to_owned()]);
            let to = a.clips.iter().position(|c| c == TO_COUNTER).unwrap();
            let counter_words: Vec<&str> = a.clips[to + 1..].iter().map(String::as_str).collect();
            prop_assert_eq!(read(&counter_words), counter);
            let number_part: Vec<&str> = a.clips[2 + service.len()..to].iter().map(String::as_str).collect();
            prop_assert_eq!(read(&number_part), n as u32);
            // The zeros said before the number keep the three places of the ticket.
            let zeros = number_part.iter().take_while(|w| **w == "nol").count();
            let expected = if n == 0 { 3 } else { 3 - n.to_string().len() };
            prop_assert_eq!(zeros, expected);
        }
    }
}

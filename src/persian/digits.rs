//! Conversion between Persian (۰–۹), Arabic-Indic (٠–٩) and Latin (0–9) digits.

use std::borrow::Cow;

/// Persian digits, indexed by value.
const PERSIAN: [char; 10] = ['۰', '۱', '۲', '۳', '۴', '۵', '۶', '۷', '۸', '۹'];

/// The value of a Latin, Persian or Arabic-Indic digit.
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '۰'..='۹' => Some(c as u32 - '۰' as u32),
        '٠'..='٩' => Some(c as u32 - '٠' as u32),
        _ => None,
    }
}

/// Replaces every Latin or Arabic-Indic digit with its Persian form; nothing else changes.
pub fn to_persian_digits(text: &str) -> String {
    text.chars()
        .map(|c| match digit_value(c) {
            Some(v) => PERSIAN[v as usize],
            None => c,
        })
        .collect()
}

/// Replaces every Persian or Arabic-Indic digit with its Latin form; nothing else changes.
pub fn to_latin_digits(text: &str) -> String {
    text.chars()
        .map(|c| match digit_value(c) {
            Some(v) => char::from_digit(v, 10).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// Which digits body text shows (`body_digits` in site.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigitStyle {
    /// Persian digits, `٫` and `٬` between digits, `٪` after them.
    #[default]
    Persian,
    /// Latin digits, `.` and `,` between digits, `%` after them.
    Latin,
    /// Digits exactly as the editor typed them.
    AsWritten,
}

/// Converts the digits of running text to `style`, word by word. A word that holds a Latin
/// letter is left exactly as written, so `COVID-19`, `H2O`, `NGL2`, URLs and e-mail addresses
/// keep their digits. Only separators standing between two digits (and a percent sign right
/// after one) change with them.
pub fn convert_prose_digits(text: &str, style: DigitStyle) -> Cow<'_, str> {
    if style == DigitStyle::AsWritten {
        return Cow::Borrowed(text);
    }
    // Digits are found in the bytes and only the words around them are looked at: most of a
    // body has none (this runs on every text of every release).
    let Some(mut digit) = next_digit(text, 0) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut copied = 0;
    loop {
        let start = text[..digit]
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let end = text[digit..]
            .find(char::is_whitespace)
            .map_or(text.len(), |i| digit + i);
        let word = &text[start..end];
        // A word with a Latin letter stays as it is.
        if !word.bytes().any(|b| b.is_ascii_alphabetic()) {
            out.push_str(&text[copied..start]);
            convert_word(word, style, &mut out);
            copied = end;
        }
        match next_digit(text, end) {
            Some(next) => digit = next,
            None => break,
        }
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Where the first digit (Latin, Persian or Arabic-Indic) at or after byte `from` starts.
fn next_digit(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => return Some(i),
            // U+06F0–06F9 and U+0660–0669 in UTF-8.
            0xDB if matches!(bytes.get(i + 1), Some(0xB0..=0xB9)) => return Some(i),
            0xD9 if matches!(bytes.get(i + 1), Some(0xA0..=0xA9)) => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn convert_word(word: &str, style: DigitStyle, out: &mut String) {
    let chars: Vec<char> = word.chars().collect();
    let is_digit = |i: usize| chars.get(i).is_some_and(|c| digit_value(*c).is_some());
    for (i, &c) in chars.iter().enumerate() {
        let between = i > 0 && is_digit(i - 1) && is_digit(i + 1);
        let after = i > 0 && is_digit(i - 1);
        let converted = match (style, c) {
            (_, c) if digit_value(c).is_some() => {
                let v = digit_value(c).unwrap_or(0) as usize;
                if style == DigitStyle::Persian {
                    PERSIAN[v]
                } else {
                    char::from_digit(v as u32, 10).unwrap_or(c)
                }
            }
            (DigitStyle::Persian, '.') if between => '٫',
            (DigitStyle::Persian, ',') if between => '٬',
            (DigitStyle::Persian, '%') if after => '٪',
            (DigitStyle::Latin, '٫') if between => '.',
            (DigitStyle::Latin, '٬') if between => ',',
            (DigitStyle::Latin, '٪') if after => '%',
            _ => c,
        };
        out.push(converted);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `convert_prose_digits` as it was, word by word: the fast one must agree with it.
    fn reference_prose_digits(text: &str, style: DigitStyle) -> Cow<'_, str> {
        if style == DigitStyle::AsWritten || !text.chars().any(|c| digit_value(c).is_some()) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + text.len() / 2);
        for word in text.split_inclusive(char::is_whitespace) {
            // Most words have no digit: they, and words with a Latin letter, stay as they are.
            let unchanged = word.chars().any(|c| c.is_ascii_alphabetic())
                || !word.chars().any(|c| digit_value(c).is_some());
            if unchanged {
                out.push_str(word);
            } else {
                super::convert_word(word, style, &mut out);
            }
        }
        Cow::Owned(out)
    }

    proptest! {
        #[test]
        fn prose_digits_agree_with_the_word_by_word_reference(text in "[ \\n\\ta-zA-Z0-9۰-۹٠-٩.,%٫٬٪\u{a0}\u{600}-\u{605}]{0,40}") {
            for style in [DigitStyle::Persian, DigitStyle::Latin] {
                prop_assert_eq!(convert_prose_digits(&text, style), reference_prose_digits(&text, style));
            }
        }
    }

    #[test]
    fn prose_digits_follow_the_style_but_not_in_latin_words() {
        let p = |s| convert_prose_digits(s, DigitStyle::Persian).into_owned();
        assert_eq!(
            p("در سال 1402 حدود 12.5 درصد"),
            "در سال ۱۴۰۲ حدود ۱۲٫۵ درصد"
        );
        assert_eq!(p("165,000 نفر و 47% کاهش"), "۱۶۵٬۰۰۰ نفر و ۴۷٪ کاهش");
        assert_eq!(
            p("COVID-19 و H2O و NGL2 ماندند"),
            "COVID-19 و H2O و NGL2 ماندند"
        );
        assert_eq!(
            p("نشانی https://x.ir/2023 و a2@b.ir"),
            "نشانی https://x.ir/2023 و a2@b.ir"
        );
        assert_eq!(p("پایان جمله 3. بعدی"), "پایان جمله ۳. بعدی");
        let l = |s| convert_prose_digits(s, DigitStyle::Latin).into_owned();
        assert_eq!(l("۱۶۵٬۰۰۰ نفر، ۱۲٫۵ و ۴۷٪"), "165,000 نفر، 12.5 و 47%");
        let same = "سال 1402 و ۱۴۰۳";
        assert!(
            matches!(convert_prose_digits(same, DigitStyle::AsWritten), Cow::Borrowed(s) if s == same)
        );
    }

    #[test]
    fn converts_both_ways() {
        assert_eq!(to_persian_digits("1402-07-09"), "۱۴۰۲-۰۷-۰۹");
        assert_eq!(to_latin_digits("۱۴۰۲/۰۷/۰۹"), "1402/07/09");
        assert_eq!(to_latin_digits("٤٧"), "47");
        assert_eq!(to_persian_digits("٤٧"), "۴۷");
        assert_eq!(to_persian_digits("بدون عدد"), "بدون عدد");
    }
}

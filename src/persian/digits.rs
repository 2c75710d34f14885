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
            convert_word(word, style, &mut out);
        }
    }
    Cow::Owned(out)
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
    use super::*;

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

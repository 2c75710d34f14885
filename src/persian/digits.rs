//! Conversion between Persian (۰–۹), Arabic-Indic (٠–٩) and Latin (0–9) digits.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_both_ways() {
        assert_eq!(to_persian_digits("1402-07-09"), "۱۴۰۲-۰۷-۰۹");
        assert_eq!(to_latin_digits("۱۴۰۲/۰۷/۰۹"), "1402/07/09");
        assert_eq!(to_latin_digits("٤٧"), "47");
        assert_eq!(to_persian_digits("٤٧"), "۴۷");
        assert_eq!(to_persian_digits("بدون عدد"), "بدون عدد");
    }
}

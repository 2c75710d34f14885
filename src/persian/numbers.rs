//! Numbers as editors write them (`47`, `"۱۶۵٬۰۰۰"`, `"۱۲٫۵"`) and as readers see them
//! (ICU4X `fa` formatting: Persian digits, `٬` grouping, `٫` decimal separator).

use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_locale::locale;
use serde::Serialize;

use super::digits::digit_value;

/// A number from front matter, kept exactly as written (in canonical ASCII form) so that
/// `12.50` stays two decimals and 19000000000 stays exact.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "String")]
pub struct Number {
    canonical: String,
}

impl Number {
    /// The canonical ASCII form: an optional `-`, digits, and an optional `.` fraction.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    pub fn as_f64(&self) -> f64 {
        self.canonical.parse().unwrap_or(0.0)
    }

    pub fn is_negative(&self) -> bool {
        self.canonical.starts_with('-')
    }
}

impl From<Number> for String {
    fn from(n: Number) -> String {
        n.canonical
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// Parses a number written with Latin, Persian or Arabic-Indic digits, an optional sign
/// (`-`, `−` or `+`), optional grouping (`,` `٬`) and an optional decimal separator (`.` `٫`).
pub fn parse_number(text: &str) -> Result<Number, String> {
    let text = text.trim();
    let mut canonical = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    match chars.peek() {
        Some('-' | '−') => {
            canonical.push('-');
            chars.next();
        }
        Some('+') => {
            chars.next();
        }
        _ => {}
    }
    let (mut int_digits, mut frac_digits, mut seen_point) = (0, 0, false);
    for c in chars {
        if let Some(v) = digit_value(c) {
            canonical.push(char::from_digit(v, 10).unwrap_or('0'));
            if seen_point {
                frac_digits += 1;
            } else {
                int_digits += 1;
            }
        } else if matches!(c, ',' | '٬') && !seen_point && int_digits > 0 {
            // Grouping separators carry no value.
        } else if matches!(c, '.' | '٫') && !seen_point {
            seen_point = true;
            canonical.push('.');
        } else {
            return Err(format!("`{text}` is not a number"));
        }
    }
    if int_digits == 0 || (seen_point && frac_digits == 0) {
        return Err(format!("`{text}` is not a number"));
    }
    if canonical == "-0" {
        canonical = "0".into();
    }
    Ok(Number { canonical })
}

/// Formats numbers for Persian readers. Built once per build: ICU4X formatters are costly to
/// construct and cheap to use.
pub struct NumberFormatter {
    decimal: DecimalFormatter,
}

impl Default for NumberFormatter {
    fn default() -> Self {
        Self::new()
    }
}

impl NumberFormatter {
    pub fn new() -> Self {
        let decimal = DecimalFormatter::try_new(locale!("fa").into(), Default::default())
            .expect("the `fa` decimal data is compiled into ICU4X");
        NumberFormatter { decimal }
    }

    /// `165000` → `۱۶۵٬۰۰۰`, `12.5` → `۱۲٫۵`, `-47` → `‎−۴۷` (ICU's Persian minus).
    pub fn format(&self, number: &Number) -> String {
        match number.as_str().parse::<Decimal>() {
            Ok(decimal) => self.decimal.format(&decimal).to_string(),
            Err(_) => super::to_persian_digits(number.as_str()),
        }
    }

    /// `47` → `۴۷٪`.
    pub fn format_percent(&self, number: &Number) -> String {
        format!("{}٪", self.format_unsigned(number))
    }

    /// A signed change, always with its sign: `-47` → `−۴۷`, `12` → `+۱۲`.
    pub fn format_signed(&self, number: &Number) -> String {
        let sign = if number.is_negative() {
            '−'
        } else if number.as_f64() > 0.0 {
            '+'
        } else {
            return self.format_unsigned(number);
        };
        format!("{sign}{}", self.format_unsigned(number))
    }

    fn format_unsigned(&self, number: &Number) -> String {
        let magnitude = number.as_str().trim_start_matches('-');
        match magnitude.parse::<Decimal>() {
            Ok(decimal) => self.decimal.format(&decimal).to_string(),
            Err(_) => super::to_persian_digits(magnitude),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        parse_number(s).unwrap()
    }

    #[test]
    fn parses_every_digit_style() {
        assert_eq!(n("47").as_str(), "47");
        assert_eq!(n("۴۷").as_str(), "47");
        assert_eq!(n("۱۶۵٬۰۰۰").as_str(), "165000");
        assert_eq!(n("165,000").as_str(), "165000");
        assert_eq!(n("۱۲٫۵").as_str(), "12.5");
        assert_eq!(n("−۴۷").as_str(), "-47");
        assert_eq!(n("+12").as_str(), "12");
        assert_eq!(n(" 19000000000 ").as_str(), "19000000000");
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for bad in ["", "-", "۴۷ درصد", "1.2.3", "1.", ".5", "abc", ",5"] {
            assert!(parse_number(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn formats_with_persian_digits_and_separators() {
        let f = NumberFormatter::new();
        assert_eq!(f.format(&n("165000")), "۱۶۵٬۰۰۰");
        assert_eq!(f.format(&n("12.5")), "۱۲٫۵");
        assert_eq!(f.format(&n("47")), "۴۷");
        assert_eq!(f.format_percent(&n("47")), "۴۷٪");
        assert_eq!(f.format_signed(&n("-47")), "−۴۷");
        assert_eq!(f.format_signed(&n("12")), "+۱۲");
        assert_eq!(f.format_signed(&n("0")), "۰");
    }
}
